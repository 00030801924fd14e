/*
 * fuzz_sshd.c - sshd_config as sshd reads it (Include globs, Match blocks,
 * keyword aliases and value normalisation), the effective configuration
 * for no connection and for a given one, and the sshd-mfa check type over
 * it (which also reads the sshd PAM stack).
 *
 * Parts (NUL-separated): etc/ssh/sshd_config,
 * etc/ssh/sshd_config.d/10-a.conf, etc/ssh/sshd_config.d/20-b.conf,
 * etc/pam.d/sshd.  The last line of the input is also parsed as a "-C"
 * connection specification.
 */
#include "fuzz.h"
#include "sshd_config.h"

static const char *const fuzz_paths[] = {
	"etc/ssh/sshd_config", "etc/ssh/sshd_config.d/10-a.conf",
	"etc/ssh/sshd_config.d/20-b.conf", "etc/pam.d/sshd",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sshd_conn conn;
	struct errbuf e;
	json_t *facts = NULL, *eff = NULL;
	char *text = fuzz_strndup(data, size);
	char *spec = strrchr(text, '\n'), *buf = NULL;
	int have_conn;

	fuzz_write_parts(fuzz_paths, sizeof(fuzz_paths) / sizeof(*fuzz_paths),
			 data, size);
	fuzz_check("sshd-mfa");
	have_conn = sshd_conn_parse(spec != NULL ? spec + 1 : text, &conn,
				    &buf, &e) == 0;
	if (sshd_config_read(fuzz_root(), "/etc/ssh/sshd_config", &facts,
			     &e) == 0) {
		if (sshd_config_effective(facts, NULL, &eff, &e) == 0)
			json_decref(eff);
		eff = NULL;
		if (have_conn &&
		    sshd_config_effective(facts, &conn, &eff, &e) == 0)
			json_decref(eff);
	}
	json_decref(facts);
	free(buf);
	free(text);
	return 0;
}

/*
 * fuzz_pam.c - Linux-PAM configuration as libpam expands it (include,
 * substack, @include, '-' types, continuations, every control value) and
 * the second-factor analysis of the auth stack, through the pam-mfa check
 * type with its default services; then the Duo configuration reader.
 *
 * Parts (NUL-separated): etc/pam.d/sshd, etc/pam.d/common-auth,
 * etc/pam.d/other, etc/pam.d/login, etc/pam.d/sudo, usr/lib/pam.d/su,
 * etc/pam.conf (read only when no pam.d directory exists: the directories
 * are removed when all their files are absent), etc/duo/pam_duo.conf.
 */
#include "fuzz.h"
#include "pam.h"

static const char *const fuzz_paths[] = {
	"etc/pam.d/sshd", "etc/pam.d/common-auth", "etc/pam.d/other",
	"etc/pam.d/login", "etc/pam.d/sudo", "usr/lib/pam.d/su",
	"etc/pam.conf", "etc/duo/pam_duo.conf",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pam_result *res = NULL;
	struct errbuf e;
	json_t *j;

	fuzz_write_parts(fuzz_paths, sizeof(fuzz_paths) / sizeof(*fuzz_paths),
			 data, size);
	fuzz_prune("etc/pam.d");
	fuzz_prune("usr/lib/pam.d");
	fuzz_check("pam-mfa");
	if (pam_analyze(fuzz_root(), "sshd", PAM_FALLBACK_OTHER, &res,
			&e) == 0) {
		j = pam_result_json(res);
		json_decref(j);
		pam_result_free(res);
	}
	j = pam_duo_conf(fuzz_root(), "/etc/duo/pam_duo.conf");
	json_decref(j);
	return 0;
}

/*
 * fuzz_sudoers.c - sudoers as sudo reads it (includes, includedir and its
 * file-name rules, continuations, comments, tags, Cmnd_Alias, Defaults
 * bindings), then the pam-mfa check type for sudo, which judges the rules
 * that skip authentication together with the sudo PAM stack.
 *
 * Parts (NUL-separated): etc/sudoers, etc/sudoers.d/10-a, etc/sudoers.d/b,
 * etc/pam.d/sudo.  A sudoers that includes itself or the directory runs
 * into the include depth limit, which the harness reaches too.
 */
#include "fuzz.h"
#include "sudoers.h"

static const char *const fuzz_paths[] = {
	"etc/sudoers", "etc/sudoers.d/10-a", "etc/sudoers.d/b",
	"etc/pam.d/sudo",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errbuf e;
	json_t *facts = NULL;

	fuzz_write_parts(fuzz_paths, sizeof(fuzz_paths) / sizeof(*fuzz_paths),
			 data, size);
	if (sudoers_read(fuzz_root(), "/etc/sudoers", &facts, &e) == 0)
		json_decref(facts);
	fuzz_check("pam-mfa");
	return 0;
}

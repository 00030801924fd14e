/*
 * fuzz_patch.c - the patch family over a hostile package database: dpkg's
 * status file, an archive's InRelease and Packages list as apt stores
 * them, a security archive's InRelease and list, and apt's configuration,
 * through the patch-pending, unattended-upgrades and apt-lists-fresh
 * check types (apt_candidates, aptconf_load, the version comparison).
 *
 * Parts (NUL-separated) in the order of fuzz_paths below.
 */
#include "fuzz.h"

#define FUZZ_LISTS "var/lib/apt/lists/mirror.example.org_debian"

static const char *const fuzz_paths[] = {
	"var/lib/dpkg/status",
	FUZZ_LISTS "_dists_bookworm_InRelease",
	FUZZ_LISTS "_dists_bookworm_main_binary-amd64_Packages",
	FUZZ_LISTS "-security_dists_bookworm-security_InRelease",
	FUZZ_LISTS "-security_dists_bookworm-security_main_binary-amd64"
		"_Packages",
	"etc/apt/apt.conf.d/50unattended-upgrades",
	"etc/apt/apt.conf.d/20auto-upgrades",
	"etc/apt/preferences",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_write_parts(fuzz_paths, sizeof(fuzz_paths) / sizeof(*fuzz_paths),
			 data, size);
	fuzz_check("patch-pending");
	fuzz_check("unattended-upgrades");
	fuzz_check("apt-lists-fresh");
	return 0;
}

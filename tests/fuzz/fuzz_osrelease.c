/*
 * fuzz_osrelease.c - who the host is (plat_host_info): os-release's shell
 * quoting, the hostname and machine-id files.
 *
 * Parts (NUL-separated): etc/os-release, usr/lib/os-release (read when the
 * first is absent), etc/hostname, etc/machine-id,
 * proc/sys/kernel/hostname.
 */
#include "fuzz.h"

static const char *const fuzz_paths[] = {
	"etc/os-release", "usr/lib/os-release", "etc/hostname",
	"etc/machine-id", "proc/sys/kernel/hostname",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plat_host h;
	struct errbuf e;

	fuzz_write_parts(fuzz_paths, sizeof(fuzz_paths) / sizeof(*fuzz_paths),
			 data, size);
	if (plat_host_info(fuzz_root(), &h, &e) == 0) {
		/* Every field must come back a terminated string. */
		if (memchr(h.os_id, '\0', sizeof(h.os_id)) == NULL ||
		    memchr(h.os_pretty, '\0', sizeof(h.os_pretty)) == NULL ||
		    memchr(h.hostname, '\0', sizeof(h.hostname)) == NULL ||
		    memchr(h.machine_id, '\0', sizeof(h.machine_id)) == NULL)
			abort();
	}
	return 0;
}

/*
 * fuzz_disk.c - the disk-encryption probe and judge over the mount tables
 * and the files that declare storage: /proc/self/mounts (its absence makes
 * the probe read the declared state instead: fstab, crypttab and LVM's
 * metadata backup), mountinfo, /proc/swaps, crypttab and fstab.
 *
 * Parts (NUL-separated): proc/self/mounts, proc/self/mountinfo,
 * proc/swaps, etc/crypttab, etc/fstab, etc/lvm/backup/vg0.  The octal
 * unescaping of those tables is also fed the whole input directly.
 */
#include "fuzz.h"
#include "probe_disk.h"

static const char *const fuzz_paths[] = {
	"proc/self/mounts", "proc/self/mountinfo", "proc/swaps",
	"etc/crypttab", "etc/fstab", "etc/lvm/backup/vg0",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = disk_unescape((const char *)data, size);
	char *nl;
	const char *scheme;
	char dm_type[32];

	fuzz_write_parts(fuzz_paths, sizeof(fuzz_paths) / sizeof(*fuzz_paths),
			 data, size);
	fuzz_check("disk-encryption");
	/* The first line as a dm uuid and as a crypttab key file. */
	if ((nl = strchr(s, '\n')) != NULL)
		*nl = '\0';
	(void)disk_dm_kind(s, &scheme, dm_type);
	(void)disk_crypttab_scheme(s, nl != NULL ? nl + 1 : "");
	free(s);
	return 0;
}

/*
 * fuzz_dpkg.c - dpkg's status file (dpkg_db_read over the deb822 stanza
 * parser) and the decompressing byte source apt's lists are read through.
 *
 * The first byte picks the compression (none, gzip, xz, lz4), the rest is
 * the file's bytes.  The output cap is kept small so a decompression bomb
 * found by the fuzzer is stopped at it, as the probe stops one.
 */
#include "dpkg.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum dpkg_comp comps[] = {
		DPKG_COMP_NONE, DPKG_COMP_GZIP, DPKG_COMP_XZ, DPKG_COMP_LZ4
	};
	struct dpkg_source *src = NULL;
	struct dpkg_db *db = NULL;
	struct errbuf e;
	size_t i, count;

	if (size < 1)
		return 0;
	if (dpkg_source_mem(data + 1, size - 1, "status", comps[data[0] & 3],
			    1u << 20, &src, &e) != 0)
		return 0;
	if (dpkg_db_read(src, &db, &e) == 0) {
		for (i = 0; i < db->n; i++)
			(void)dpkg_db_find(db, db->pkgs[i].name, &count);
		(void)dpkg_db_find(db, "dpkg", &count);
	}
	dpkg_db_free(db);
	dpkg_source_free(src);
	return 0;
}

/*
 * store_blob.h - content-addressed copies of the input files a scan used
 * (the baseline, the owners/tailoring file), kept in the history so an
 * evidence bundle or an ARF report made months later can include the exact
 * bytes the scan judged against.  A scan document records each input's
 * sha256 (scan.baseline.sha256, scan.owners.sha256), which is the key here.
 */
#ifndef PLUMB_STORE_BLOB_H
#define PLUMB_STORE_BLOB_H

#include <stddef.h>

#include "store.h"
#include "util.h"

/*
 * Stores len bytes under their sha256 (64 lower-case hex characters, which
 * must be the hash of data: PLUMB_EINVAL otherwise) with a kind
 * ("baseline", "owners") and a name (the file's path, for people).
 * Idempotent: storing bytes already present changes nothing.  Larger than
 * PLUMB_BLOB_MAX is PLUMB_ELIMIT.
 */
int store_put_blob(struct store *s, const char *sha256, const char *kind,
		   const char *name, const void *data, size_t len,
		   struct errbuf *e);

/*
 * Loads the blob with that sha256: *data (NUL-terminated, the caller frees)
 * and *len; *kind and *name (the caller frees) when not NULL.  PLUMB_ENOENT
 * when absent; PLUMB_EINVAL when the stored bytes no longer hash to sha256
 * (the database was altered).
 */
int store_get_blob(struct store *s, const char *sha256, char **data,
		   size_t *len, char **kind, char **name, struct errbuf *e);

#endif

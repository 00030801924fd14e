/*
 * store_yara.h - the YARA sweep's incremental cache, kept in the history
 * database (table yara_cache, see store_int.h).
 *
 * One row per file, keyed by the file's absolute path bytes (a BLOB, so
 * names that are not UTF-8 are kept exactly).  A row's verdict is reused
 * only when the file's device, inode, size, mtime and ctime (nanoseconds)
 * and the rules hash are all unchanged and it was scanned less than max_age
 * seconds ago.  The verdict is the JSON array of the file's matches
 * as the sweep reports them (without the path), "[]" for none.
 *
 * A session batches its reads and writes into transactions of at most
 * PLUMB_YARA_CACHE_BATCH rows or PLUMB_YARA_CACHE_BATCH_MS, so a crash loses
 * at most one batch and another plumb waits little for the lock.  It also
 * remembers every key it was asked about, so store_yara_prune can drop the
 * rows of files that vanished below a swept directory.  A session is used
 * from one thread.
 */
#ifndef PLUMB_STORE_YARA_H
#define PLUMB_STORE_YARA_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/stat.h>

#include "store.h"
#include "util.h"

struct store_yara;

/*
 * Starts a session on s (borrowed; it must outlive the session) for the
 * rules whose hash is rules_sha256.  Rows scanned max_age or more seconds
 * before now are stale, so max_age 0 rescans everything (max_age < 0: never
 * stale by age).  *out is NULL on failure.
 */
int store_yara_open(struct store *s, const char *rules_sha256, time_t now,
		    int64_t max_age, struct store_yara **out,
		    struct errbuf *e);

/*
 * Records that key was met in this session.  Returns 1 the first time, 0
 * when the same key was already met (the same file reached twice through
 * overlapping paths), negative on error.
 */
int store_yara_seen(struct store_yara *c, const void *key, size_t keylen,
		    struct errbuf *e);

/*
 * Looks key up.  Returns 1 with *matches (the caller frees) when a fresh
 * verdict for exactly st and the session's rules exists, 0 when there is
 * none, negative on error.
 */
int store_yara_get(struct store_yara *c, const void *key, size_t keylen,
		   const struct stat *st, char **matches, struct errbuf *e);

/* Stores the verdict (a JSON array's text) for key scanned as st now. */
int store_yara_put(struct store_yara *c, const void *key, size_t keylen,
		   const struct stat *st, const char *matches,
		   struct errbuf *e);

/*
 * Deletes the rows below the directory key dir (rows whose key starts with
 * dir + "/") that this session never met, and returns their number in
 * *pruned.  Call it only for directories walked to the end.
 */
int store_yara_prune(struct store_yara *c, const void *dir, size_t dirlen,
		     int64_t *pruned, struct errbuf *e);

/*
 * Ends the session: commits what is pending when commit is nonzero, rolls
 * it back otherwise, and frees c.  Accepts NULL.
 */
int store_yara_close(struct store_yara *c, int commit, struct errbuf *e);

#endif

/*
 * store_blob.c - content-addressed input files in the history
 * (store_blob.h), in the blobs table (store_int.h, schema version 2):
 *
 *   blobs(sha256 TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT,
 *         size INTEGER NOT NULL, data BLOB NOT NULL, added TEXT)
 *
 * The key is the hash of the bytes, so storing the same file twice is one
 * row, and reading back re-hashes: an altered row is reported, never
 * handed on as evidence.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_blob.h"
#include "store_int.h"

static int
blob_hash_ok(const char *sha256)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((sha256[i] >= '0' && sha256[i] <= '9') ||
		      (sha256[i] >= 'a' && sha256[i] <= 'f')))
			return 0;
	return sha256[64] == '\0';
}

int
store_put_blob(struct store *s, const char *sha256, const char *kind,
	       const char *name, const void *data, size_t len, struct errbuf *e)
{
	sqlite3_stmt *st = NULL;
	char got[65], added[32];
	int rc, r;

	if (sha256 == NULL || !blob_hash_ok(sha256))
		return err_set(e, PLUMB_EUSAGE, "blob key is not a sha256 "
			       "in lower-case hex");
	if (len > PLUMB_BLOB_MAX)
		return err_set(e, PLUMB_ELIMIT, "%s: %zu bytes is more than "
			       "the %u a stored input may have",
			       name ? name : kind, len, PLUMB_BLOB_MAX);
	sha256_hex(data, len, got);
	if (strcmp(got, sha256) != 0)
		return err_set(e, PLUMB_EINVAL, "%s: content hashes to %s, "
			       "not %s", name ? name : kind, got, sha256);
	time_rfc3339(time(NULL), added);
	if ((r = store_prepare(s, "INSERT OR IGNORE INTO blobs (sha256, kind, "
			       "name, size, data, added) VALUES (?, ?, ?, ?, "
			       "?, ?)", &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	if (name != NULL)
		sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)len);
	/* A zero-length blob must still be a BLOB, not NULL. */
	sqlite3_bind_blob(st, 5, len ? data : "", (int)len, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, added, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		r = store_err(s, rc, e, "storing %s %s", kind, sha256);
	sqlite3_finalize(st);
	return r;
}

int
store_get_blob(struct store *s, const char *sha256, char **data, size_t *len,
	       char **kind, char **name, struct errbuf *e)
{
	sqlite3_stmt *st = NULL;
	const void *p;
	char got[65];
	int rc, r;
	int n;

	*data = NULL;
	*len = 0;
	if (kind != NULL)
		*kind = NULL;
	if (name != NULL)
		*name = NULL;
	if (sha256 == NULL || !blob_hash_ok(sha256))
		return err_set(e, PLUMB_EUSAGE, "blob key is not a sha256 "
			       "in lower-case hex");
	if ((r = store_prepare(s, "SELECT data, kind, name FROM blobs "
			       "WHERE sha256 = ?", &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		r = err_set(e, PLUMB_ENOENT, "%s: no stored input with sha256 %s",
			    s->path, sha256);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = store_err(s, rc, e, "reading input %s", sha256);
		goto out;
	}
	p = sqlite3_column_blob(st, 0);
	n = sqlite3_column_bytes(st, 0);
	if (n < 0 || (size_t)n > PLUMB_BLOB_MAX) {
		r = err_set(e, PLUMB_ELIMIT, "%s: stored input %s is larger "
			    "than %u bytes", s->path, sha256, PLUMB_BLOB_MAX);
		goto out;
	}
	sha256_hex(p ? p : "", (size_t)n, got);
	if (strcmp(got, sha256) != 0) {
		r = err_set(e, PLUMB_EINVAL, "%s: stored input %s was altered "
			    "(its bytes hash to %s)", s->path, sha256, got);
		goto out;
	}
	*data = xmalloc((size_t)n + 1);
	if (n > 0)
		memcpy(*data, p, (size_t)n);
	(*data)[n] = '\0';
	*len = (size_t)n;
	if (kind != NULL && sqlite3_column_text(st, 1) != NULL)
		*kind = xstrdup((const char *)sqlite3_column_text(st, 1));
	if (name != NULL && sqlite3_column_text(st, 2) != NULL)
		*name = xstrdup((const char *)sqlite3_column_text(st, 2));
	r = PLUMB_OK;
out:
	sqlite3_finalize(st);
	return r;
}

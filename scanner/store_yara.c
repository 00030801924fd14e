/*
 * store_yara.c - the YARA sweep's cache rows in the history database: batched
 * lookups and updates, and pruning of files that vanished (store_yara.h).
 *
 * Statements are prepared once per session.  The keys met are kept in a
 * TEMP table (sqlite's temporary store, not the history file), which is
 * what pruning compares against, so memory does not grow with the tree.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plumb_limits.h"
#include "store_int.h"
#include "store_yara.h"

struct store_yara {
	struct store *s;
	char rules[65];
	time_t now;
	int64_t max_age;
	sqlite3_stmt *get;
	sqlite3_stmt *put;
	sqlite3_stmt *seen;
	sqlite3_stmt *prune;
	int in_tx;		/* a batch transaction is open */
	unsigned batch;		/* rows written in it */
	struct timespec started;/* when it was opened */
};

static int64_t
store_yara_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static int64_t
store_yara_elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (store_yara_ns(&now) - store_yara_ns(since)) / 1000000;
}

/* Opens the batch transaction when none is open. */
static int
store_yara_tx(struct store_yara *c, struct errbuf *e)
{
	int r;

	if (c->in_tx)
		return PLUMB_OK;
	if ((r = store_begin(c->s, e)) != PLUMB_OK)
		return r;
	c->in_tx = 1;
	c->batch = 0;
	clock_gettime(CLOCK_MONOTONIC, &c->started);
	return PLUMB_OK;
}

/* Commits the batch when it is full or old enough. */
static int
store_yara_maybe_commit(struct store_yara *c, struct errbuf *e)
{
	if (!c->in_tx)
		return PLUMB_OK;
	if (c->batch < PLUMB_YARA_CACHE_BATCH &&
	    store_yara_elapsed_ms(&c->started) < PLUMB_YARA_CACHE_BATCH_MS)
		return PLUMB_OK;
	c->in_tx = 0;
	return store_commit(c->s, e);
}

static void
store_yara_free(struct store_yara *c)
{
	if (c == NULL)
		return;
	sqlite3_finalize(c->get);
	sqlite3_finalize(c->put);
	sqlite3_finalize(c->seen);
	sqlite3_finalize(c->prune);
	free(c);
}

int
store_yara_open(struct store *s, const char *rules_sha256, time_t now,
		int64_t max_age, struct store_yara **out, struct errbuf *e)
{
	struct store_yara *c;
	int r;

	*out = NULL;
	if (strlen(rules_sha256) != 64)
		return err_set(e, PLUMB_EUSAGE, "rules hash must be 64 hex "
			       "characters");
	c = xcalloc(1, sizeof(*c));
	c->s = s;
	memcpy(c->rules, rules_sha256, 65);
	c->now = now;
	c->max_age = max_age;
	/* The temporary table lives with this connection only; emptying it
	 * makes a second session in one process start afresh. */
	if ((r = store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS yara_seen "
			    "(path BLOB PRIMARY KEY) WITHOUT ROWID;"
			    "DELETE FROM temp.yara_seen;", e)) != PLUMB_OK)
		goto out;
	if ((r = store_prepare(s, "SELECT dev, ino, size, mtime_ns, ctime_ns, "
			       "rules_sha256, scanned_at, matches FROM "
			       "main.yara_cache WHERE path = ?1", &c->get,
			       e)) != PLUMB_OK)
		goto out;
	if ((r = store_prepare(s, "INSERT OR REPLACE INTO main.yara_cache "
			       "(path, dev, ino, size, mtime_ns, ctime_ns, "
			       "rules_sha256, scanned_at, matches) VALUES "
			       "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &c->put,
			       e)) != PLUMB_OK)
		goto out;
	if ((r = store_prepare(s, "INSERT OR IGNORE INTO temp.yara_seen (path) "
			       "VALUES (?1)", &c->seen, e)) != PLUMB_OK)
		goto out;
	if ((r = store_prepare(s, "DELETE FROM main.yara_cache WHERE path >= ?1 "
			       "AND path < ?2 AND path NOT IN (SELECT path "
			       "FROM temp.yara_seen)", &c->prune,
			       e)) != PLUMB_OK)
		goto out;
	*out = c;
	c = NULL;
out:
	store_yara_free(c);
	return r;
}

int
store_yara_seen(struct store_yara *c, const void *key, size_t keylen,
		struct errbuf *e)
{
	int rc, r;

	if ((r = store_yara_tx(c, e)) != PLUMB_OK)
		return r;
	sqlite3_bind_blob64(c->seen, 1, key, keylen, SQLITE_STATIC);
	rc = sqlite3_step(c->seen);
	sqlite3_reset(c->seen);
	sqlite3_clear_bindings(c->seen);
	if (rc != SQLITE_DONE)
		return store_err(c->s, rc, e, "recording a swept file");
	if ((r = store_yara_maybe_commit(c, e)) != PLUMB_OK)
		return r;
	return sqlite3_changes(c->s->db) > 0 ? 1 : 0;
}

int
store_yara_get(struct store_yara *c, const void *key, size_t keylen,
	       const struct stat *st, char **matches, struct errbuf *e)
{
	const unsigned char *rules, *text;
	int64_t scanned;
	int rc, r, hit = 0;

	*matches = NULL;
	if ((r = store_yara_tx(c, e)) != PLUMB_OK)
		return r;
	sqlite3_bind_blob64(c->get, 1, key, keylen, SQLITE_STATIC);
	rc = sqlite3_step(c->get);
	if (rc == SQLITE_ROW) {
		rules = sqlite3_column_text(c->get, 5);
		scanned = sqlite3_column_int64(c->get, 6);
		text = sqlite3_column_text(c->get, 7);
		hit = sqlite3_column_int64(c->get, 0) == (int64_t)st->st_dev &&
		      sqlite3_column_int64(c->get, 1) == (int64_t)st->st_ino &&
		      sqlite3_column_int64(c->get, 2) == (int64_t)st->st_size &&
		      sqlite3_column_int64(c->get, 3) ==
		      store_yara_ns(&st->st_mtim) &&
		      sqlite3_column_int64(c->get, 4) ==
		      store_yara_ns(&st->st_ctim) &&
		      rules != NULL && strcmp((const char *)rules, c->rules) == 0 &&
		      text != NULL && scanned <= (int64_t)c->now &&
		      (c->max_age < 0 || (int64_t)c->now - scanned < c->max_age);
		if (hit)
			*matches = xstrdup((const char *)text);
	} else if (rc != SQLITE_DONE) {
		r = store_err(c->s, rc, e, "looking up a swept file");
	}
	sqlite3_reset(c->get);
	sqlite3_clear_bindings(c->get);
	if (r != PLUMB_OK)
		return r;
	if ((r = store_yara_maybe_commit(c, e)) != PLUMB_OK) {
		free(*matches);
		*matches = NULL;
		return r;
	}
	return hit;
}

int
store_yara_put(struct store_yara *c, const void *key, size_t keylen,
	       const struct stat *st, const char *matches, struct errbuf *e)
{
	int rc, r;

	if ((r = store_yara_tx(c, e)) != PLUMB_OK)
		return r;
	sqlite3_bind_blob64(c->put, 1, key, keylen, SQLITE_STATIC);
	sqlite3_bind_int64(c->put, 2, (int64_t)st->st_dev);
	sqlite3_bind_int64(c->put, 3, (int64_t)st->st_ino);
	sqlite3_bind_int64(c->put, 4, (int64_t)st->st_size);
	sqlite3_bind_int64(c->put, 5, store_yara_ns(&st->st_mtim));
	sqlite3_bind_int64(c->put, 6, store_yara_ns(&st->st_ctim));
	sqlite3_bind_text(c->put, 7, c->rules, -1, SQLITE_STATIC);
	sqlite3_bind_int64(c->put, 8, (int64_t)c->now);
	sqlite3_bind_text(c->put, 9, matches, -1, SQLITE_STATIC);
	rc = sqlite3_step(c->put);
	sqlite3_reset(c->put);
	sqlite3_clear_bindings(c->put);
	if (rc != SQLITE_DONE)
		return store_err(c->s, rc, e, "recording a swept file");
	c->batch++;
	return store_yara_maybe_commit(c, e);
}

int
store_yara_prune(struct store_yara *c, const void *dir, size_t dirlen,
		 int64_t *pruned, struct errbuf *e)
{
	unsigned char *lo;
	size_t n = dirlen;
	int rc, r;

	*pruned = 0;
	if ((r = store_yara_tx(c, e)) != PLUMB_OK)
		return r;
	/* [dir/, dir0): '0' is the byte after '/', and BLOBs compare with
	 * memcmp, so the range is exactly the keys below dir. */
	lo = xmalloc(dirlen + 2);
	memcpy(lo, dir, dirlen);
	if (n == 0 || lo[n - 1] != '/')
		lo[n++] = '/';
	sqlite3_bind_blob64(c->prune, 1, lo, n, SQLITE_TRANSIENT);
	lo[n - 1] = '/' + 1;
	sqlite3_bind_blob64(c->prune, 2, lo, n, SQLITE_TRANSIENT);
	free(lo);
	rc = sqlite3_step(c->prune);
	sqlite3_reset(c->prune);
	sqlite3_clear_bindings(c->prune);
	if (rc != SQLITE_DONE)
		return store_err(c->s, rc, e, "pruning vanished files");
	*pruned = sqlite3_changes(c->s->db);
	c->batch++;
	return store_yara_maybe_commit(c, e);
}

int
store_yara_close(struct store_yara *c, int commit, struct errbuf *e)
{
	int r = PLUMB_OK;

	if (c == NULL)
		return PLUMB_OK;
	if (c->in_tx) {
		if (commit)
			r = store_commit(c->s, e);
		if (!commit || r != PLUMB_OK)
			store_rollback(c->s);
	}
	store_yara_free(c);
	return r;
}

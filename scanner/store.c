/*
 * store.c - the scan history: opening and migrating the sqlite database,
 * recording scans as hash-chained documents, reading them back, and
 * verifying the chain.
 *
 * The database may be years old, may have been written by a process killed
 * mid-scan, and may be opened by two plumb processes at once, so: every
 * scan is one BEGIN IMMEDIATE transaction (the chain head it reads cannot
 * move before it writes), the journal is WAL with synchronous=FULL, and a
 * file that is not ours or is damaged is refused before anything is written
 * to it.  All SQL that carries data is prepared and bound.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store_int.h"

/* The genesis link: prev_hash of the first scan. */
static const char store_genesis[65] =
	"0000000000000000000000000000000000000000000000000000000000000000";

/*
 * The schema, one entry per version: migrations[i] takes user_version i to
 * i + 1.  Never edit an entry once released; append a new one.
 */
static const char *const store_migrations[] = {
	/* 1: scans, their results, the YARA cache, and meta. */
	"CREATE TABLE scans ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT UNIQUE NOT NULL,"
	"  started TEXT,"
	"  finished TEXT,"
	"  hostname TEXT,"
	"  machine_id TEXT,"
	"  host TEXT,"
	"  baseline_id TEXT,"
	"  baseline_version TEXT,"
	"  baseline_sha256 TEXT,"
	"  summary TEXT,"
	"  doc TEXT NOT NULL,"
	"  prev_hash TEXT NOT NULL,"
	"  hash TEXT NOT NULL UNIQUE);"
	"CREATE INDEX scans_baseline_machine ON scans(baseline_id, machine_id, seq);"
	"CREATE INDEX scans_started ON scans(started);"
	"CREATE TABLE results ("
	"  scan_seq INTEGER REFERENCES scans(seq) ON DELETE RESTRICT,"
	"  control_id TEXT,"
	"  status TEXT,"
	"  raw_status TEXT,"
	"  owner TEXT,"
	"  family TEXT,"
	"  severity TEXT,"
	"  message TEXT,"
	"  evidence TEXT,"
	"  PRIMARY KEY (scan_seq, control_id));"
	"CREATE TABLE yara_cache ("
	"  path BLOB PRIMARY KEY,"
	"  dev INTEGER,"
	"  ino INTEGER,"
	"  size INTEGER,"
	"  mtime_ns INTEGER,"
	"  ctime_ns INTEGER,"
	"  rules_sha256 TEXT,"
	"  scanned_at INTEGER,"
	"  matches TEXT NOT NULL);"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
	"INSERT INTO meta (key, value) VALUES ('format', 'plumb history');",
	/* 2: content-addressed copies of a scan's input files
	 * (store_blob.c). */
	"CREATE TABLE blobs ("
	"  sha256 TEXT PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  name TEXT,"
	"  size INTEGER NOT NULL,"
	"  data BLOB NOT NULL,"
	"  added TEXT);",
	/* 3: outgoing deliveries, queued until they succeed: drift
	 * notifications per party (store_deliver.c, notify) and scans pushed
	 * to a collector (push).  One row per (channel, target, key), so a
	 * delivery that succeeded is never attempted again. */
	"CREATE TABLE deliveries ("
	"  id INTEGER PRIMARY KEY,"
	"  channel TEXT NOT NULL,"
	"  target TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  scan_seq INTEGER REFERENCES scans(seq) ON DELETE RESTRICT,"
	"  payload TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (state IN ('pending', 'sent')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  created TEXT NOT NULL,"
	"  last_attempt TEXT,"
	"  sent TEXT,"
	"  UNIQUE (channel, target, key));"
	"CREATE INDEX deliveries_pending ON deliveries(state, channel, id);",
};
#define STORE_SCHEMA_VERSION \
	((int64_t)(sizeof(store_migrations) / sizeof(store_migrations[0])))

/* ---- helpers shared with store_*.c (store_int.h) ---- */

int
store_err(struct store *s, int rc, struct errbuf *e, const char *fmt, ...)
{
	char what[PLUMB_ERRMSG_MAX];
	const char *msg;
	int code = PLUMB_EDB;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		code = PLUMB_EBUSY;
	/* sqlite's own message is more precise (it names the constraint)
	 * when it belongs to this failure. */
	if (s->db != NULL && sqlite3_extended_errcode(s->db) == rc)
		msg = sqlite3_errmsg(s->db);
	else
		msg = sqlite3_errstr(rc);
	return err_set(e, code, "%s: %s: %s", s->path, what, msg);
}

/* A connection carried into a fork()ed child would share locks and the WAL
 * index with the parent behind sqlite's back. */
static int
store_usable(struct store *s, struct errbuf *e)
{
	if (s->pid != getpid())
		return err_set(e, PLUMB_EUSAGE, "%s: history connection used "
			       "after fork(); open a new one", s->path);
	return PLUMB_OK;
}

int
store_exec(struct store *s, const char *sql, struct errbuf *e)
{
	int rc, r;

	if ((r = store_usable(s, e)) != PLUMB_OK)
		return r;
	rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_err(s, rc, e, "running SQL");
	return PLUMB_OK;
}

int
store_prepare(struct store *s, const char *sql, sqlite3_stmt **st,
	      struct errbuf *e)
{
	int rc, r;

	*st = NULL;
	if ((r = store_usable(s, e)) != PLUMB_OK)
		return r;
	rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(*st);
		*st = NULL;
		return store_err(s, rc, e, "preparing a query");
	}
	return PLUMB_OK;
}

int
store_begin(struct store *s, struct errbuf *e)
{
	int r;

	if ((r = store_usable(s, e)) != PLUMB_OK)
		return r;
	r = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (r != SQLITE_OK)
		return store_err(s, r, e, "starting a write transaction");
	return PLUMB_OK;
}

int
store_commit(struct store *s, struct errbuf *e)
{
	int rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return store_err(s, rc, e, "committing");
	return PLUMB_OK;
}

void
store_rollback(struct store *s)
{
	if (s->pid == getpid() && !sqlite3_get_autocommit(s->db))
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- small query helpers ---- */

/* Runs a one-row query of constant SQL and returns its first column as an
 * integer (0 when the row or value is missing). */
static int
store_query_int(struct store *s, const char *sql, int64_t *out,
		struct errbuf *e)
{
	sqlite3_stmt *st = NULL;
	int r, rc;

	*out = 0;
	if ((r = store_prepare(s, sql, &st, e)) != PLUMB_OK)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		r = store_err(s, rc, e, "reading the database");
	sqlite3_finalize(st);
	return r;
}

/* Steps a statement that returns no row. */
static int
store_step_done(struct store *s, sqlite3_stmt *st, struct errbuf *e,
		const char *what)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE)
		return store_err(s, rc, e, "%s", what);
	return PLUMB_OK;
}

/* ---- opening ---- */

/*
 * Creates the file mode 0600 when missing, and refuses a symlink, a
 * non-regular file, or a non-empty file that does not start with sqlite's
 * magic before sqlite sees the path: sqlite itself would take a file
 * shorter than its header for an empty database and write over it.  The
 * bytes are read, not st_size trusted.  Never truncates or writes.
 */
static int
store_precreate(const char *path, struct errbuf *e)
{
	static const char magic[16] = "SQLite format 3";	/* and NUL */
	char head[sizeof(magic)];
	size_t got = 0;
	ssize_t n;
	struct stat st;
	int fd, r = PLUMB_OK;

	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		if (errno == ELOOP)
			return err_set(e, PLUMB_EPERM, "%s: is a symbolic link; "
				       "refusing to open a history through one",
				       path);
		return err_set(e, errno == EACCES || errno == EPERM ?
			       PLUMB_EPERM : PLUMB_EIO, "%s: cannot open "
			       "history: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) != 0)
		r = err_set(e, PLUMB_EIO, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		r = err_set(e, PLUMB_EINVAL, "%s: not a regular file; refusing "
			    "to use it as a history", path);
	while (r == PLUMB_OK && got < sizeof(head)) {
		n = read(fd, head + got, sizeof(head) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = err_set(e, PLUMB_EIO, "%s: %s", path,
				    strerror(errno));
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (r == PLUMB_OK && got > 0 &&
	    (got < sizeof(head) || memcmp(head, magic, sizeof(magic)) != 0))
		r = err_set(e, PLUMB_EDB, "%s: not a plumb history (not an "
			    "SQLite database); refusing to use it, the file was "
			    "left untouched", path);
	close(fd);
	return r;
}

/* Turns a failure to read a file sqlite opened into the message a user
 * needs: what the file is, and that plumb did not touch it. */
static int
store_refuse(struct store *s, int rc, struct errbuf *e)
{
	int prim = rc & 0xff;

	if (prim == SQLITE_NOTADB)
		return err_set(e, PLUMB_EDB, "%s: not a plumb history (not an "
			       "SQLite database); refusing to use it, the file "
			       "was left untouched", s->path);
	if (prim == SQLITE_CORRUPT)
		return err_set(e, PLUMB_EDB, "%s: the history database is "
			       "corrupt (%s); refusing to use it, the file was "
			       "left untouched: restore it from a backup or move "
			       "it aside", s->path, sqlite3_errmsg(s->db));
	return store_err(s, rc, e, "reading the history");
}

/*
 * Decides, without writing anything, whether the file is a plumb history
 * (*fresh 0), an empty database plumb may initialise (*fresh 1), or
 * something else, which is refused.
 */
static int
store_identify(struct store *s, int *fresh, struct errbuf *e)
{
	sqlite3_stmt *st = NULL;
	int64_t app_id = 0, version = 0, objects = 0;
	int rc, r = PLUMB_OK;

	*fresh = 0;
	/* Preparing reads the schema, so a file that is not a database
	 * fails here already. */
	rc = sqlite3_prepare_v2(s->db, "SELECT (SELECT application_id FROM "
				"pragma_application_id), (SELECT user_version "
				"FROM pragma_user_version), (SELECT count(*) "
				"FROM sqlite_master)", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		r = store_refuse(s, rc, e);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		r = store_refuse(s, rc, e);
		goto out;
	}
	app_id = sqlite3_column_int64(st, 0);
	version = sqlite3_column_int64(st, 1);
	objects = sqlite3_column_int64(st, 2);
	if (app_id == 0 && version == 0 && objects == 0) {
		*fresh = 1;
	} else if (app_id == 0) {
		r = err_set(e, PLUMB_EDB, "%s: an SQLite database that is not a "
			    "plumb history (%lld schema objects, no plumb "
			    "application id); refusing to use it, the file was "
			    "left untouched", s->path, (long long)objects);
	} else if (app_id != STORE_APPLICATION_ID) {
		r = err_set(e, PLUMB_EDB, "%s: an SQLite database of another "
			    "application (application id 0x%08llx), not a "
			    "plumb history; refusing to use it, the file was "
			    "left untouched", s->path,
			    (unsigned long long)(uint32_t)app_id);
	} else if (version > STORE_SCHEMA_VERSION) {
		r = err_set(e, PLUMB_EDB, "%s: written by a newer plumb (schema "
			    "version %lld; this plumb knows up to %lld); "
			    "upgrade plumb to use it", s->path,
			    (long long)version, (long long)STORE_SCHEMA_VERSION);
	}
out:
	sqlite3_finalize(st);
	return r;
}

/* PRAGMA quick_check: finds damaged pages and indexes at open, so a
 * corrupt history is reported instead of being written into. */
static int
store_quick_check(struct store *s, struct errbuf *e)
{
	sqlite3_stmt *st = NULL;
	int rc, r;

	if ((r = store_prepare(s, "PRAGMA quick_check(1)", &st, e)) != PLUMB_OK)
		return r;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		r = store_refuse(s, rc, e);
	} else {
		const char *res = (const char *)sqlite3_column_text(st, 0);
		char what[256], *p;

		if (res == NULL || strcmp(res, "ok") != 0) {
			/* sqlite's report spans lines; messages are one. */
			snprintf(what, sizeof(what), "%s", res ? res : "no result");
			for (p = what; *p != '\0'; p++)
				if (*p == '\n' || *p == '\r')
					*p = ' ';
			r = err_set(e, PLUMB_EDB, "%s: the history database is "
				    "corrupt (%s); refusing to use it, the file "
				    "was left untouched: restore it from a "
				    "backup or move it aside", s->path, what);
		}
	}
	sqlite3_finalize(st);
	return r;
}

static int64_t
store_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
store_pragmas(struct store *s, struct errbuf *e)
{
	sqlite3_stmt *st = NULL;
	const char *mode;
	int64_t deadline = store_now_ms() + PLUMB_DB_BUSY_MS;
	int rc, r;

	/* WAL is persistent in the file; readers never block the writer and
	 * a killed writer leaves only an uncommitted tail to discard. */
	if ((r = store_prepare(s, "PRAGMA journal_mode=WAL", &st, e)) != 0)
		return r;
	/* Switching needs an exclusive lock, and when another process is
	 * creating the same new history sqlite answers SQLITE_BUSY at once
	 * (to avoid a deadlock) instead of calling the busy handler: retry
	 * within the same budget. */
	while ((rc = sqlite3_step(st)) != SQLITE_ROW &&
	       (rc & 0xff) == SQLITE_BUSY && store_now_ms() < deadline) {
		sqlite3_reset(st);
		sqlite3_sleep(20);
	}
	if (rc != SQLITE_ROW) {
		r = store_err(s, rc, e, "switching to WAL");
		goto out;
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0) {
		r = err_set(e, PLUMB_EDB, "%s: the filesystem does not support "
			    "WAL journaling (journal mode stays %s)", s->path,
			    mode ? mode : "unknown");
		goto out;
	}
	r = store_exec(s, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
		       e);
out:
	sqlite3_finalize(st);
	return r;
}

/* Applies every missing migration, one transaction each.  The version is
 * re-read under the write lock, so two processes opening a new history at
 * once apply each migration exactly once. */
static int
store_migrate(struct store *s, struct errbuf *e)
{
	sqlite3_stmt *st = NULL;
	int64_t version, objects;
	char *sql = NULL;
	int r;

	for (;;) {
		if ((r = store_begin(s, e)) != PLUMB_OK)
			return r;
		if ((r = store_query_int(s, "PRAGMA user_version", &version,
					 e)) != PLUMB_OK)
			goto out;
		if (version >= STORE_SCHEMA_VERSION)
			break;
		if (version == 0) {
			/* Still nothing in it: it is ours to initialise. */
			if ((r = store_query_int(s, "SELECT count(*) FROM "
						 "sqlite_master", &objects,
						 e)) != PLUMB_OK)
				goto out;
			if (objects != 0) {
				r = err_set(e, PLUMB_EDB, "%s: tables appeared "
					    "in a new history while plumb was "
					    "creating it; refusing to use it",
					    s->path);
				goto out;
			}
		}
		if ((r = store_exec(s, store_migrations[version], e)) != 0) {
			err_prefix(e, r, "migrating schema to version %lld",
				   (long long)version + 1);
			goto out;
		}
		/* PRAGMA takes no bound parameters; these are our own
		 * integer constants, not data. */
		sql = xasprintf("PRAGMA user_version=%lld; "
				"PRAGMA application_id=%d;",
				(long long)version + 1, STORE_APPLICATION_ID);
		if ((r = store_exec(s, sql, e)) != PLUMB_OK)
			goto out;
		free(sql);
		sql = NULL;
		if (version == 0) {
			if ((r = store_prepare(s, "INSERT INTO meta (key, value) "
					       "VALUES ('created_by', ?1)", &st,
					       e)) != PLUMB_OK)
				goto out;
			sqlite3_bind_text(st, 1, "plumb " PLUMB_VERSION, -1,
					  SQLITE_STATIC);
			if ((r = store_step_done(s, st, e, "recording the "
						 "creator")) != PLUMB_OK)
				goto out;
			sqlite3_finalize(st);
			st = NULL;
		}
		if ((r = store_commit(s, e)) != PLUMB_OK)
			goto out;
	}
out:
	sqlite3_finalize(st);
	free(sql);
	store_rollback(s);
	return r;
}

int
store_open(const char *path, struct store **out, struct errbuf *e)
{
	struct store *s = NULL;
	int fresh = 0, rc, r;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return err_set(e, PLUMB_EUSAGE, "no history database path");
	if ((r = mkdir_parents(path, e)) != PLUMB_OK)
		return r;
	if ((r = store_precreate(path, e)) != PLUMB_OK)
		return r;
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	s->pid = getpid();
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW |
			     SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		r = store_err(s, rc, e, "opening the history");
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, PLUMB_DB_BUSY_MS);
	/* Defensive mode forbids writable_schema and other ways ordinary SQL
	 * can corrupt the file; an untrusted schema may not call functions
	 * with side effects from views or triggers. */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	if ((r = store_identify(s, &fresh, e)) != PLUMB_OK)
		goto out;
	if (!fresh && (r = store_quick_check(s, e)) != PLUMB_OK)
		goto out;
	if ((r = store_pragmas(s, e)) != PLUMB_OK)
		goto out;
	if ((r = store_migrate(s, e)) != PLUMB_OK)
		goto out;
	*out = s;
	s = NULL;
out:
	store_close(s);
	return r;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	/* In a fork()ed child, closing would checkpoint or delete the WAL
	 * the parent is still using: leave the connection to the parent. */
	if (s->pid == getpid())
		sqlite3_close(s->db);
	free(s->path);
	free(s);
}

/* ---- recording ---- */

char *
store_canonical(const json_t *doc)
{
	return json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

/* Binds obj[key] as text: absent or null binds NULL, a string binds its
 * bytes, anything else is PLUMB_EINVAL naming where. */
static int
store_bind_str(sqlite3_stmt *st, int idx, const json_t *obj, const char *key,
	       const char *where, struct errbuf *e)
{
	const json_t *v = obj ? json_object_get(obj, key) : NULL;

	if (v == NULL || json_is_null(v))
		sqlite3_bind_null(st, idx);
	else if (json_is_string(v))
		sqlite3_bind_text64(st, idx, json_string_value(v),
				    json_string_length(v), SQLITE_STATIC,
				    SQLITE_UTF8);
	else
		return err_set(e, PLUMB_EINVAL, "scan document: %s.%s is not "
			       "a string", where, key);
	return PLUMB_OK;
}

/* Binds obj[key] as its canonical JSON text (NULL when absent). */
static void
store_bind_json(sqlite3_stmt *st, int idx, const json_t *obj, const char *key)
{
	const json_t *v = obj ? json_object_get(obj, key) : NULL;
	char *text;

	if (v == NULL || (text = store_canonical(v)) == NULL) {
		sqlite3_bind_null(st, idx);
		return;
	}
	sqlite3_bind_text64(st, idx, text, strlen(text), free, SQLITE_UTF8);
}

/* Checks what store_add_scan relies on before it takes the write lock. */
static int
store_check_doc(const json_t *doc, struct errbuf *e)
{
	const json_t *scan, *id, *results, *res, *v;
	const char *sub[] = { "host", "baseline" };
	size_t i;

	if (!json_is_object(doc))
		return err_set(e, PLUMB_EINVAL, "scan document is not an object");
	scan = json_object_get(doc, "scan");
	if (!json_is_object(scan))
		return err_set(e, PLUMB_EINVAL, "scan document has no scan "
			       "object");
	id = json_object_get(scan, "id");
	if (!json_is_string(id) || json_string_length(id) == 0)
		return err_set(e, PLUMB_EINVAL, "scan document has no scan.id");
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		v = json_object_get(scan, sub[i]);
		if (v != NULL && !json_is_object(v) && !json_is_null(v))
			return err_set(e, PLUMB_EINVAL, "scan document: scan.%s "
				       "is not an object", sub[i]);
	}
	results = json_object_get(doc, "results");
	if (results != NULL && !json_is_array(results))
		return err_set(e, PLUMB_EINVAL, "scan document: results is not "
			       "an array");
	json_array_foreach(results, i, res) {
		if (!json_is_object(res))
			return err_set(e, PLUMB_EINVAL, "scan document: "
				       "results[%zu] is not an object", i);
		v = json_object_get(res, "id");
		if (!json_is_string(v) || json_string_length(v) == 0)
			return err_set(e, PLUMB_EINVAL, "scan document: "
				       "results[%zu] has no id", i);
	}
	return PLUMB_OK;
}

/* The chain head and the next sequence number, read under the write lock.
 * sqlite_sequence remembers numbers of deleted rows, so none is reused. */
static int
store_head(struct store *s, char prev[65], int64_t *next, struct errbuf *e)
{
	sqlite3_stmt *st = NULL;
	int rc, r;

	memcpy(prev, store_genesis, 65);
	if ((r = store_prepare(s, "SELECT hash FROM scans ORDER BY seq DESC "
			       "LIMIT 1", &st, e)) != PLUMB_OK)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(st, 0);

		if (h == NULL || strlen(h) != 64) {
			r = err_set(e, PLUMB_EDB, "%s: the newest scan has no "
				    "valid hash; run plumb verify", s->path);
			goto out;
		}
		memcpy(prev, h, 65);
	} else if (rc != SQLITE_DONE) {
		r = store_err(s, rc, e, "reading the chain head");
		goto out;
	}
	r = store_query_int(s, "SELECT max(coalesce((SELECT seq FROM "
			    "sqlite_sequence WHERE name = 'scans'), 0), "
			    "coalesce((SELECT max(seq) FROM scans), 0))", next, e);
	*next += 1;
out:
	sqlite3_finalize(st);
	return r;
}

/* The link hash: sha256 over the previous hash's hex text followed by the
 * canonical document. */
static void
store_link_hash(const char *prev, const char *doc, size_t len, char out[65])
{
	char *buf = xmalloc(64 + len);

	memcpy(buf, prev, 64);
	memcpy(buf + 64, doc, len);
	sha256_hex(buf, 64 + len, out);
	free(buf);
}

static int
store_insert_results(struct store *s, int64_t seq, const json_t *results,
		     struct errbuf *e)
{
	static const char *const cols[] = { "status", "owner", "family",
					    "severity", "message" };
	static const int idx[] = { 3, 5, 6, 7, 8 };
	sqlite3_stmt *st = NULL;
	const json_t *res, *raw;
	char where[32];
	size_t i, k;
	int rc, r;

	if (json_array_size(results) == 0)
		return PLUMB_OK;
	if ((r = store_prepare(s, "INSERT INTO results (scan_seq, control_id, "
			       "status, raw_status, owner, family, severity, "
			       "message, evidence) VALUES "
			       "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &st,
			       e)) != PLUMB_OK)
		return r;
	json_array_foreach(results, i, res) {
		snprintf(where, sizeof(where), "results[%zu]", i);
		sqlite3_bind_int64(st, 1, seq);
		if ((r = store_bind_str(st, 2, res, "id", where, e)) != 0)
			goto out;
		for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
			if ((r = store_bind_str(st, idx[k], res, cols[k], where,
						e)) != PLUMB_OK)
				goto out;
		/* The status before waivers; when no waiver applied the
		 * writer may leave it out and it equals the status. */
		raw = json_object_get(res, "raw_status");
		if ((r = store_bind_str(st, 4, res, raw != NULL && !json_is_null(raw) ?
					"raw_status" : "status", where, e)) != 0)
			goto out;
		store_bind_json(st, 9, res, "evidence");
		rc = sqlite3_step(st);
		if (rc != SQLITE_DONE) {
			r = store_err(s, rc, e, "recording %s (control %s)",
				      where, json_string_value(
				      json_object_get(res, "id")));
			goto out;
		}
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
out:
	sqlite3_finalize(st);
	return r;
}

int
store_add_scan(struct store *s, json_t *doc, int64_t *seq, struct errbuf *e)
{
	sqlite3_stmt *st = NULL;
	json_t *scan, *old_seq = NULL, *old_prev = NULL, *host, *bl;
	char prev[65], hash[65];
	char *canon = NULL;
	size_t len;
	int64_t next = 0;
	int began = 0, rc, r;

	if (seq != NULL)
		*seq = 0;
	if ((r = store_check_doc(doc, e)) != PLUMB_OK)
		return r;
	scan = json_object_get(doc, "scan");
	old_seq = json_incref(json_object_get(scan, "seq"));
	old_prev = json_incref(json_object_get(scan, "prev_hash"));
	if ((r = store_begin(s, e)) != PLUMB_OK)
		goto out;
	began = 1;
	if ((r = store_head(s, prev, &next, e)) != PLUMB_OK)
		goto out;
	json_object_set_new(scan, "seq", json_integer(next));
	json_object_set_new(scan, "prev_hash", json_string(prev));
	canon = store_canonical(doc);
	if (canon == NULL) {
		r = err_set(e, PLUMB_EINVAL, "scan document cannot be encoded");
		goto out;
	}
	len = strlen(canon);
	if (len > PLUMB_SCAN_DOC_MAX) {
		r = err_set(e, PLUMB_ELIMIT, "scan document is %zu bytes, more "
			    "than the %u the history keeps", len,
			    PLUMB_SCAN_DOC_MAX);
		goto out;
	}
	store_link_hash(prev, canon, len, hash);

	if ((r = store_prepare(s, "INSERT INTO scans (seq, id, started, "
			       "finished, hostname, machine_id, host, "
			       "baseline_id, baseline_version, baseline_sha256, "
			       "summary, doc, prev_hash, hash) VALUES (?1, ?2, "
			       "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
			       "?14)", &st, e)) != PLUMB_OK)
		goto out;
	host = json_object_get(scan, "host");
	bl = json_object_get(scan, "baseline");
	if (!json_is_object(host))
		host = NULL;
	if (!json_is_object(bl))
		bl = NULL;
	sqlite3_bind_int64(st, 1, next);
	if ((r = store_bind_str(st, 2, scan, "id", "scan", e)) != 0 ||
	    (r = store_bind_str(st, 3, scan, "started", "scan", e)) != 0 ||
	    (r = store_bind_str(st, 4, scan, "finished", "scan", e)) != 0 ||
	    (r = store_bind_str(st, 5, host, "hostname", "scan.host", e)) != 0 ||
	    (r = store_bind_str(st, 6, host, "machine_id", "scan.host",
				e)) != 0 ||
	    (r = store_bind_str(st, 8, bl, "id", "scan.baseline", e)) != 0 ||
	    (r = store_bind_str(st, 9, bl, "version", "scan.baseline",
				e)) != 0 ||
	    (r = store_bind_str(st, 10, bl, "sha256", "scan.baseline", e)) != 0)
		goto out;
	store_bind_json(st, 7, scan, "host");
	store_bind_json(st, 11, doc, "summary");
	sqlite3_bind_text64(st, 12, canon, len, SQLITE_STATIC, SQLITE_UTF8);
	sqlite3_bind_text(st, 13, prev, 64, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, hash, 64, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		r = store_err(s, rc, e, "recording scan %s",
			      json_string_value(json_object_get(scan, "id")));
		goto out;
	}
	if ((r = store_insert_results(s, next, json_object_get(doc, "results"),
				      e)) != PLUMB_OK)
		goto out;
	if ((r = store_commit(s, e)) != PLUMB_OK)
		goto out;
	if (seq != NULL)
		*seq = next;
out:
	sqlite3_finalize(st);
	free(canon);
	if (r != PLUMB_OK) {
		if (began)
			store_rollback(s);
		/* Give the caller back the document it passed. */
		if (old_seq != NULL)
			json_object_set(scan, "seq", old_seq);
		else
			json_object_del(scan, "seq");
		if (old_prev != NULL)
			json_object_set(scan, "prev_hash", old_prev);
		else
			json_object_del(scan, "prev_hash");
	}
	json_decref(old_seq);
	json_decref(old_prev);
	return r;
}

/* ---- reading ---- */

/* Parses a JSON text column of the current row; SQL NULL is JSON null. */
static int
store_column_json(struct store *s, sqlite3_stmt *st, int col, int64_t seq,
		  const char *what, json_t **out, struct errbuf *e)
{
	const char *text = (const char *)sqlite3_column_text(st, col);
	size_t len = (size_t)sqlite3_column_bytes(st, col);
	json_error_t jerr;

	*out = NULL;
	if (text == NULL) {
		*out = json_null();
		return PLUMB_OK;
	}
	if (len > PLUMB_SCAN_DOC_MAX)
		return err_set(e, PLUMB_ELIMIT, "%s: scan %lld: stored %s is "
			       "%zu bytes, more than the %u allowed", s->path,
			       (long long)seq, what, len, PLUMB_SCAN_DOC_MAX);
	*out = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
			  &jerr);
	if (*out == NULL)
		return err_set(e, PLUMB_EPARSE, "%s: scan %lld: stored %s is "
			       "not valid JSON (%d:%d: %s)", s->path,
			       (long long)seq, what, jerr.line, jerr.column,
			       jerr.text);
	return PLUMB_OK;
}

static int
store_load_doc(struct store *s, int64_t seq, json_t **doc, struct errbuf *e)
{
	sqlite3_stmt *st = NULL;
	int rc, r;

	if ((r = store_prepare(s, "SELECT doc FROM scans WHERE seq = ?1", &st,
			       e)) != PLUMB_OK)
		return r;
	sqlite3_bind_int64(st, 1, seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		r = err_set(e, PLUMB_ENOENT, "no scan %lld in the history",
			    (long long)seq);
	else if (rc != SQLITE_ROW)
		r = store_err(s, rc, e, "reading scan %lld", (long long)seq);
	else if ((r = store_column_json(s, st, 0, seq, "document", doc,
				       e)) == PLUMB_OK && !json_is_object(*doc)) {
		json_decref(*doc);
		*doc = NULL;
		r = err_set(e, PLUMB_EPARSE, "%s: scan %lld: stored document is "
			    "not a JSON object", s->path, (long long)seq);
	}
	sqlite3_finalize(st);
	return r;
}

/* The seq of the only scan whose id starts with prefix, or of the scan
 * numbered num (when num > 0); more than one match is an error. */
static int
store_resolve(struct store *s, const char *ref, int64_t num, int by_prefix,
	      int64_t *seq, struct errbuf *e)
{
	sqlite3_stmt *st = NULL;
	int64_t found = 0, n = 0;
	int rc, r;

	if ((r = store_prepare(s, "SELECT seq FROM scans WHERE seq = ?1 OR "
			       "(?2 IS NOT NULL AND substr(id, 1, length(?2)) "
			       "= ?2) ORDER BY seq", &st, e)) != PLUMB_OK)
		return r;
	sqlite3_bind_int64(st, 1, num);
	if (by_prefix)
		sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		found = sqlite3_column_int64(st, 0);
		n++;
	}
	if (rc != SQLITE_DONE)
		r = store_err(s, rc, e, "looking up scan '%s'", ref);
	else if (n == 0)
		r = err_set(e, PLUMB_ENOENT, "no scan in the history matches "
			    "'%s'", ref);
	else if (n > 1)
		r = err_set(e, PLUMB_EUSAGE, "'%s' is ambiguous: it matches %lld "
			    "scans; give more characters of the scan id",
			    ref, (long long)n);
	else
		*seq = found;
	sqlite3_finalize(st);
	return r;
}

int
store_get_scan(struct store *s, const char *ref, json_t **doc,
	       struct errbuf *e)
{
	long long num = 0;
	int64_t seq = 0;
	size_t len;
	int decimal, r;

	*doc = NULL;
	if (ref == NULL || *ref == '\0')
		return err_set(e, PLUMB_EUSAGE, "no scan reference given");
	len = strlen(ref);
	if (strcmp(ref, "latest") == 0) {
		if ((r = store_query_int(s, "SELECT max(seq) FROM scans", &seq,
					 e)) != PLUMB_OK)
			return r;
		if (seq == 0)
			return err_set(e, PLUMB_ENOENT, "%s: the history has no "
				       "scans yet", s->path);
		return store_load_doc(s, seq, doc, e);
	}
	decimal = strspn(ref, "0123456789") == len;
	if (decimal && parse_ll(ref, 1, INT64_MAX, &num) != PLUMB_OK)
		num = 0;
	if (!decimal && len < 8)
		return err_set(e, PLUMB_EUSAGE, "scan reference '%s' is too short: "
			       "give 'latest', a sequence number or at least 8 "
			       "characters of a scan id", ref);
	/* A decimal of 8 digits or more may also be the start of an id; both
	 * readings are tried and a clash is reported as ambiguous. */
	if ((r = store_resolve(s, ref, (int64_t)num, len >= 8, &seq,
			       e)) != PLUMB_OK)
		return r;
	return store_load_doc(s, seq, doc, e);
}

int
store_prev_scan(struct store *s, const char *baseline_id,
		const char *machine_id, int64_t seq, json_t **doc,
		struct errbuf *e)
{
	sqlite3_stmt *st = NULL;
	int64_t found = 0;
	int rc, r;

	*doc = NULL;
	if ((r = store_prepare(s, "SELECT seq FROM scans WHERE baseline_id IS ?1 "
			       "AND machine_id IS ?2 AND (?3 = 0 OR seq < ?3) "
			       "ORDER BY seq DESC LIMIT 1", &st, e)) != PLUMB_OK)
		return r;
	sqlite3_bind_text(st, 1, baseline_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, machine_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		found = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		r = err_set(e, PLUMB_ENOENT, "no earlier scan of baseline %s on "
			    "this host", baseline_id ? baseline_id : "(none)");
	else
		r = store_err(s, rc, e, "looking up the previous scan");
	sqlite3_finalize(st);
	if (r != PLUMB_OK)
		return r;
	return store_load_doc(s, found, doc, e);
}

static void
store_set_text(json_t *obj, const char *key, sqlite3_stmt *st, int col)
{
	const char *v = (const char *)sqlite3_column_text(st, col);

	json_object_set_new(obj, key, v ? json_stringn(v,
			    (size_t)sqlite3_column_bytes(st, col)) : json_null());
}

int
store_list_scans(struct store *s, const struct store_filter *f,
		 json_t **scans, struct errbuf *e)
{
	static const struct store_filter none;
	sqlite3_stmt *st = NULL;
	json_t *arr = NULL, *row, *bl, *v;
	int64_t seq;
	int rc, r;

	*scans = NULL;
	if (f == NULL)
		f = &none;
	/* One fixed statement; a filter that is not set binds NULL.  The
	 * newest LIMIT rows are taken, then returned oldest first. */
	if ((r = store_prepare(s, "SELECT seq, id, started, finished, host, "
			       "baseline_id, baseline_version, baseline_sha256, "
			       "summary, hash, prev_hash FROM (SELECT * FROM "
			       "scans WHERE (?1 IS NULL OR baseline_id = ?1) "
			       "AND (?2 IS NULL OR CAST(strftime('%s', started) "
			       "AS INTEGER) >= ?2) "
			       "AND (?3 IS NULL OR CAST(strftime('%s', started) "
			       "AS INTEGER) < ?3) "
			       "ORDER BY seq DESC LIMIT ?4) ORDER BY seq", &st,
			       e)) != PLUMB_OK)
		return r;
	if (f->baseline_id != NULL)
		sqlite3_bind_text(st, 1, f->baseline_id, -1, SQLITE_STATIC);
	if (f->since != 0)
		sqlite3_bind_int64(st, 2, (sqlite3_int64)f->since);
	if (f->until != 0)
		sqlite3_bind_int64(st, 3, (sqlite3_int64)f->until);
	sqlite3_bind_int64(st, 4, f->limit > 0 ? f->limit : -1);
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0);
		row = json_object();
		json_array_append_new(arr, row);
		json_object_set_new(row, "seq", json_integer(seq));
		store_set_text(row, "id", st, 1);
		store_set_text(row, "started", st, 2);
		store_set_text(row, "finished", st, 3);
		if ((r = store_column_json(s, st, 4, seq, "host", &v, e)) != 0)
			goto out;
		json_object_set_new(row, "host", v);
		bl = json_object();
		json_object_set_new(row, "baseline", bl);
		store_set_text(bl, "id", st, 5);
		store_set_text(bl, "version", st, 6);
		store_set_text(bl, "sha256", st, 7);
		if ((r = store_column_json(s, st, 8, seq, "summary", &v,
					   e)) != PLUMB_OK)
			goto out;
		json_object_set_new(row, "summary", v);
		store_set_text(row, "hash", st, 9);
		store_set_text(row, "prev_hash", st, 10);
	}
	if (rc != SQLITE_DONE) {
		r = store_err(s, rc, e, "listing scans");
		goto out;
	}
	*scans = arr;
	arr = NULL;
out:
	sqlite3_finalize(st);
	json_decref(arr);
	return r;
}

/* ---- verifying ---- */

/* The result's value for results column col, as store_insert_results
 * stored it: raw_status falls back to status. */
static const char *
store_result_col(const json_t *res, const char *col)
{
	const json_t *v = json_object_get(res, col);

	if ((v == NULL || json_is_null(v)) && strcmp(col, "raw_status") == 0)
		v = json_object_get(res, "status");
	return json_string_value(v);
}

static int
store_same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * The results rows are a copy of the document's results kept for queries;
 * the hash covers only the document, so each row is compared with it here
 * and an edit to the rows alone is caught too.
 */
static int
store_verify_results(struct store *s, int64_t seq, const json_t *doc,
		     struct errbuf *e)
{
	static const char *const cols[] = { "status", "raw_status", "owner",
					    "family", "severity", "message" };
	const json_t *results = json_object_get(doc, "results"), *res, *x;
	sqlite3_stmt *st = NULL;
	size_t i, k, rows = 0;
	const char *what = NULL, *cid = NULL;
	char *ev;
	int rc, r;

	if ((r = store_prepare(s, "SELECT control_id, status, raw_status, "
			       "owner, family, severity, message, evidence "
			       "FROM results WHERE scan_seq = ?1", &st, e)) != 0)
		return r;
	sqlite3_bind_int64(st, 1, seq);
	while (what == NULL && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		cid = (const char *)sqlite3_column_text(st, 0);
		rows++;
		res = NULL;
		json_array_foreach(results, i, x)
			if (cid != NULL && store_same(json_string_value(
				json_object_get(x, "id")), cid)) {
				res = x;
				break;
			}
		if (res == NULL) {
			what = "a row its document does not have";
			break;
		}
		for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
			if (!store_same(store_result_col(res, cols[k]),
					(const char *)sqlite3_column_text(
						st, (int)k + 1)))
				what = cols[k];
		x = json_object_get(res, "evidence");
		ev = x != NULL ? store_canonical(x) : NULL;
		if (what == NULL && !store_same(ev, (const char *)
						sqlite3_column_text(st, 7)))
			what = "evidence";
		free(ev);
	}
	if (what == NULL && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		r = store_err(s, rc, e, "reading the results of scan %lld",
			      (long long)seq);
		goto out;
	}
	if (what == NULL && rows != json_array_size(results)) {
		r = err_set(e, PLUMB_EINVAL, "%s: scan %lld: %zu results rows "
			    "for the %zu results of its document (rows were "
			    "removed or added)", s->path, (long long)seq, rows,
			    json_array_size(results));
		goto out;
	}
	if (what != NULL)
		r = err_set(e, PLUMB_EINVAL, "%s: scan %lld: the results row of "
			    "control %s differs from its document (%s was "
			    "altered)", s->path, (long long)seq,
			    cid != NULL ? cid : "(null)", what);
out:
	sqlite3_finalize(st);
	return r;
}

/* Checks that the stored document names its own row: the hash covers the
 * document, so this binds each link to its place in the chain. */
static int
store_verify_doc(struct store *s, sqlite3_stmt *st, int64_t seq,
		 const char *prev, struct errbuf *e)
{
	const char *id = (const char *)sqlite3_column_text(st, 4);
	json_t *doc = NULL, *scan, *v;
	int r;

	if ((r = store_column_json(s, st, 1, seq, "document", &doc, e)) != 0)
		return r;
	scan = json_object_get(doc, "scan");
	v = json_object_get(scan, "seq");
	if (!json_is_integer(v) || json_integer_value(v) != seq) {
		r = err_set(e, PLUMB_EINVAL, "%s: scan %lld: the document names "
			    "another sequence number (a scan was renumbered)",
			    s->path, (long long)seq);
		goto out;
	}
	v = json_object_get(scan, "prev_hash");
	if (!json_is_string(v) || strcmp(json_string_value(v), prev) != 0) {
		r = err_set(e, PLUMB_EINVAL, "%s: scan %lld: the document names "
			    "another previous hash than its row (the record was "
			    "altered)", s->path, (long long)seq);
		goto out;
	}
	v = json_object_get(scan, "id");
	if (!json_is_string(v) || id == NULL ||
	    strcmp(json_string_value(v), id) != 0)
		r = err_set(e, PLUMB_EINVAL, "%s: scan %lld: the document names "
			    "another scan id than its row (the record was "
			    "altered)", s->path, (long long)seq);
	else
		r = store_verify_results(s, seq, doc, e);
out:
	json_decref(doc);
	return r;
}

int
store_verify_chain(struct store *s, int64_t *bad_seq, struct errbuf *e)
{
	sqlite3_stmt *st = NULL;
	char expect[65], hash[65];
	int64_t seq = 0;
	int rc, r;

	*bad_seq = 0;
	memcpy(expect, store_genesis, 65);
	/* One read transaction, so a concurrent writer cannot add a scan
	 * between two rows of the walk. */
	if ((r = store_exec(s, "BEGIN", e)) != PLUMB_OK)
		return r;
	if ((r = store_prepare(s, "SELECT seq, doc, prev_hash, hash, id FROM "
			       "scans ORDER BY seq", &st, e)) != PLUMB_OK)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *doc = (const char *)sqlite3_column_text(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1);
		const char *prev = (const char *)sqlite3_column_text(st, 2);
		const char *stored = (const char *)sqlite3_column_text(st, 3);

		seq = sqlite3_column_int64(st, 0);
		if (prev == NULL || strcmp(prev, expect) != 0) {
			r = err_set(e, PLUMB_EINVAL, "%s: scan %lld: its "
				    "prev_hash does not match the hash of the "
				    "scan before it (a scan was removed, "
				    "inserted or reordered)", s->path,
				    (long long)seq);
			goto broken;
		}
		store_link_hash(prev, doc ? doc : "", doc ? len : 0, hash);
		if (stored == NULL || strcmp(stored, hash) != 0) {
			r = err_set(e, PLUMB_EINVAL, "%s: scan %lld: its hash "
				    "does not match its document (the record "
				    "was altered)", s->path, (long long)seq);
			goto broken;
		}
		if ((r = store_verify_doc(s, st, seq, prev, e)) != PLUMB_OK) {
			if (r == PLUMB_EINVAL || r == PLUMB_EPARSE) {
				r = PLUMB_EINVAL;
				goto broken;
			}
			goto out;
		}
		memcpy(expect, hash, 65);
	}
	if (rc != SQLITE_DONE)
		r = store_err(s, rc, e, "reading scans");
	goto out;
broken:
	*bad_seq = seq;
out:
	sqlite3_finalize(st);
	store_rollback(s);
	return r;
}

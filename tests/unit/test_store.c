/*
 * test_store.c - the scan history: schema and migrations, recording and
 * reading scans, the hash chain and its verification, refusing files that
 * are not a plumb history, all-or-nothing scans, and two writers at once.
 *
 * Every test works in its own mkdtemp directory.  Tampering is done through
 * a separate raw sqlite connection, as an attacker with write access to the
 * file would; the hash formula is checked against coreutils' sha256sum.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "store_int.h"
#include "support.h"

struct fx {
	char dir[SUPPORT_DIR_MAX];
	char *db;
};

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));

	support_tmpdir(f->dir, sizeof(f->dir), "store");
	f->db = xasprintf("%s/state/plumb/history.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	support_rmtree(f->dir);
	free(f->db);
	free(f);
	return 0;
}

/* A plumb.scan/1 document with two results (one passing, one failing). */
static json_t *
make_doc(const char *id, const char *started, const char *baseline,
	 const char *machine)
{
	return json_pack("{s:s, s:{s:s, s:s, s:s, s:{s:s, s:s, s:s}, "
			 "s:{s:s, s:s, s:s}}, s:{s:i, s:i}, "
			 "s:[{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:i}}, "
			 "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s}}]}",
			 "schema", "plumb.scan/1",
			 "scan", "id", id, "started", started,
			 "finished", started,
			 "host", "hostname", "host-\xc3\xa9", "machine_id",
			 machine, "os_id", "debian",
			 "baseline", "id", baseline, "version", "1.0.0",
			 "sha256", "ab12",
			 "summary", "pass", 1, "fail", 1,
			 "results",
			 "id", "config.aslr", "status", "pass", "owner", "msp",
			 "family", "config", "severity", "medium",
			 "message", "ok", "evidence", "value", 2,
			 "id", "config.shadow", "status", "waived",
			 "raw_status", "fail", "owner", "internal",
			 "family", "config", "severity", "high",
			 "message", "mode 0644", "evidence", "mode", "0644");
}

static int64_t
add(struct store *s, const char *id, const char *started,
    const char *baseline, const char *machine)
{
	struct errbuf e = { "" };
	json_t *doc = make_doc(id, started, baseline, machine);
	int64_t seq = -1;
	int r = store_add_scan(s, doc, &seq, &e);

	if (r != PLUMB_OK)
		fail_msg("store_add_scan(%s): %s", id, e.msg);
	json_decref(doc);
	return seq;
}

static struct store *
open_ok(const char *path)
{
	struct errbuf e = { "" };
	struct store *s = NULL;

	if (store_open(path, &s, &e) != PLUMB_OK)
		fail_msg("store_open: %s", e.msg);
	return s;
}

/* A raw connection, as an attacker or another program would have. */
static sqlite3 *
raw_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
					 SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static void
raw_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
}

static int64_t
raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The first column of the first row as a new string, or NULL. */
static char *
raw_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	char *v = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

static char *
slurp(const char *path, size_t *len)
{
	struct errbuf e;
	char *data = NULL;

	if (read_local_file(path, 1u << 24, &data, len, &e) != PLUMB_OK)
		fail_msg("%s", e.msg);
	return data;
}

static int
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void
assert_no_sidecars(const char *db)
{
	static const char *const sfx[] = { "-wal", "-shm", "-journal" };
	size_t i;

	for (i = 0; i < 3; i++) {
		char *p = xasprintf("%s%s", db, sfx[i]);

		if (exists(p))
			fail_msg("%s was created next to a refused file", p);
		free(p);
	}
}

/* ---- opening and the schema ---- */

static void
store_open__creates_parent_dirs_schema_and_version(void **state)
{
	struct fx *f = *state;
	struct store *s = open_ok(f->db);
	char *dir = xasprintf("%s/state/plumb", f->dir);
	struct stat st;
	sqlite3 *db;
	char *mode;

	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(f->db, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	db = raw_open(f->db);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 3);
	assert_int_equal(raw_int(db, "PRAGMA application_id"),
			 STORE_APPLICATION_ID);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE "
				 "type = 'table' AND name IN ('scans', "
				 "'results', 'yara_cache', 'meta', 'blobs', "
				 "'deliveries')"),
			 6);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE "
				 "type = 'index' AND name IN "
				 "('scans_baseline_machine', 'scans_started')"),
			 2);
	mode = raw_text(db, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal");
	free(mode);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM pragma_table_info("
				 "'yara_cache')"), 9);
	sqlite3_close(db);
	store_close(s);
	free(dir);
}

static void
store_open__reopen_is_idempotent(void **state)
{
	struct fx *f = *state;
	struct store *s = open_ok(f->db);
	json_t *list = NULL;
	struct errbuf e;
	sqlite3 *db;
	int i;

	add(s, "aaaaaaaa-1", "2026-01-01T00:00:00Z", "b1", "m1");
	store_close(s);
	for (i = 0; i < 3; i++) {
		s = open_ok(f->db);
		store_close(s);
	}
	s = open_ok(f->db);
	assert_int_equal(store_list_scans(s, NULL, &list, &e), PLUMB_OK);
	assert_int_equal(json_array_size(list), 1);
	db = raw_open(f->db);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 3);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM meta"), 2);
	sqlite3_close(db);
	json_decref(list);
	store_close(s);
}

/* A history left at an older schema version is migrated forward on open,
 * keeping its scans. */
static void
store_open__migrates_an_older_history(void **state)
{
	struct fx *f = *state;
	struct store *s = open_ok(f->db);
	struct errbuf e = { "" };
	int64_t bad = -1;
	sqlite3 *db;

	add(s, "older-0001", "2026-01-01T00:00:00Z", "b1", "m1");
	store_close(s);
	/* Back to version 1, as an earlier plumb left it. */
	db = raw_open(f->db);
	raw_exec(db, "DROP TABLE deliveries; DROP TABLE blobs; "
		 "PRAGMA user_version=1;");
	sqlite3_close(db);
	s = open_ok(f->db);
	db = raw_open(f->db);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 3);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE "
				 "name IN ('blobs', 'deliveries')"), 2);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM scans"), 1);
	sqlite3_close(db);
	assert_int_equal(store_verify_chain(s, &bad, &e), PLUMB_OK);
	assert_int_equal(add(s, "older-0002", "2026-01-02T00:00:00Z", "b1",
			     "m1"), 2);
	store_close(s);
}

static void
store_open__refuses_non_sqlite_files_untouched(void **state)
{
	struct fx *f = *state;
	unsigned char rnd[8192];
	static const char text[] = "[history]\nlast=2026-01-01\n";
	const struct {
		const void *data;
		size_t len;
	} cases[] = {
		{ rnd, sizeof(rnd) },		/* random bytes */
		{ "x", 1 },			/* shorter than sqlite's header */
		{ "SQLite format 3", 15 },	/* a truncated header */
		{ text, sizeof(text) - 1 },
	};
	uint32_t x = 2463534242u;
	size_t i, n;

	for (i = 0; i < sizeof(rnd); i++) {	/* xorshift32: reproducible */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		rnd[i] = (unsigned char)x;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = xasprintf("%s/notdb%zu.db", f->dir, i);
		struct store *s = NULL;
		struct errbuf e = { "" };
		char *after;

		assert_int_equal(write_file_atomic(path, cases[i].data,
						   cases[i].len, 0600, &e), 0);
		assert_int_equal(store_open(path, &s, &e), PLUMB_EDB);
		assert_null(s);
		assert_non_null(strstr(e.msg, "not a plumb history"));
		assert_non_null(strstr(e.msg, "not an SQLite database"));
		assert_non_null(strstr(e.msg, "left untouched"));
		after = slurp(path, &n);
		assert_int_equal(n, cases[i].len);
		assert_memory_equal(after, cases[i].data, n);
		assert_no_sidecars(path);
		free(after);
		free(path);
	}
}

static void
store_open__refuses_foreign_sqlite_untouched(void **state)
{
	static const struct {
		const char *sql;
		const char *msg;
	} cases[] = {
		{ "CREATE TABLE notes(x TEXT); INSERT INTO notes VALUES('hi');",
		  "not a plumb history" },
		{ "PRAGMA application_id=305419896;", "another application" },
	};
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = xasprintf("%s/foreign%zu.db", f->dir, i);
		struct store *s = NULL;
		struct errbuf e = { "" };
		char *before, *after;
		size_t n1, n2;
		sqlite3 *db = raw_open(path);

		raw_exec(db, cases[i].sql);
		sqlite3_close(db);
		before = slurp(path, &n1);
		assert_int_equal(store_open(path, &s, &e), PLUMB_EDB);
		assert_null(s);
		assert_non_null(strstr(e.msg, cases[i].msg));
		assert_non_null(strstr(e.msg, "left untouched"));
		after = slurp(path, &n2);
		assert_int_equal(n1, n2);
		assert_memory_equal(before, after, n1);
		assert_no_sidecars(path);
		free(before);
		free(after);
		free(path);
	}
}

static void
store_open__refuses_newer_schema(void **state)
{
	struct fx *f = *state;
	struct store *s = open_ok(f->db);
	struct errbuf e = { "" };
	sqlite3 *db;

	store_close(s);
	db = raw_open(f->db);
	raw_exec(db, "PRAGMA user_version=99");
	sqlite3_close(db);
	s = NULL;
	assert_int_equal(store_open(f->db, &s, &e), PLUMB_EDB);
	assert_null(s);
	assert_non_null(strstr(e.msg, "newer plumb"));
}

static void
store_open__refuses_corrupt_history_untouched(void **state)
{
	struct fx *f = *state;
	struct store *s = open_ok(f->db);
	struct errbuf e = { "" };
	char *before, *after, *wal, junk[512];
	size_t n1, n2;
	int fd, i;

	for (i = 0; i < 8; i++) {
		char id[32];

		snprintf(id, sizeof(id), "cccccccc-%d", i);
		add(s, id, "2026-01-01T00:00:00Z", "b1", "m1");
	}
	store_close(s);		/* the last close checkpoints the WAL */
	wal = xasprintf("%s-wal", f->db);
	assert_false(exists(wal));
	free(wal);
	memset(junk, 0xa5, sizeof(junk));
	fd = open(f->db, O_WRONLY);
	assert_true(fd >= 0);
	/* Page 2 is a b-tree page: garbage over its header. */
	assert_int_equal(pwrite(fd, junk, sizeof(junk), 4096), sizeof(junk));
	close(fd);
	before = slurp(f->db, &n1);
	s = NULL;
	assert_int_equal(store_open(f->db, &s, &e), PLUMB_EDB);
	assert_null(s);
	assert_non_null(strstr(e.msg, "corrupt"));
	assert_non_null(strstr(e.msg, "left untouched"));
	after = slurp(f->db, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(before, after, n1);
	free(before);
	free(after);
}

static void
store_open__refuses_symlink(void **state)
{
	struct fx *f = *state;
	struct store *s = open_ok(f->db);
	char *link = xasprintf("%s/link.db", f->dir);
	struct errbuf e = { "" };

	store_close(s);
	assert_int_equal(symlink(f->db, link), 0);
	s = NULL;
	assert_int_equal(store_open(link, &s, &e), PLUMB_EPERM);
	assert_null(s);
	assert_non_null(strstr(e.msg, "symbolic link"));
	free(link);
}

/* ---- recording and reading ---- */

static void
store_canonical__is_compact_sorted_utf8(void **state)
{
	json_t *doc = json_pack("{s:i, s:s, s:{s:b, s:n}}", "b", 1, "a",
				"caf\xc3\xa9/x", "c", "z", 1, "y");
	char *text = store_canonical(doc);

	(void)state;
	assert_string_equal(text,
			    "{\"a\":\"caf\xc3\xa9/x\",\"b\":1,"
			    "\"c\":{\"y\":null,\"z\":true}}");
	free(text);
	json_decref(doc);
}

static void
store_add_scan__numbers_scans_and_lists_oldest_first(void **state)
{
	struct fx *f = *state;
	struct store *s = open_ok(f->db);
	struct store_filter flt = { 0 };
	json_t *doc = make_doc("11111111-aaaa", "2026-01-01T08:00:00Z", "b1",
			       "m1");
	json_t *list = NULL, *row;
	struct errbuf e = { "" };
	int64_t seq = 0;
	sqlite3 *db;
	char *raw;

	assert_int_equal(store_add_scan(s, doc, &seq, &e), PLUMB_OK);
	assert_int_equal(seq, 1);
	/* The store writes seq and prev_hash into the caller's document. */
	assert_int_equal(json_integer_value(json_object_get(
			 json_object_get(doc, "scan"), "seq")), 1);
	assert_string_equal(json_string_value(json_object_get(
			    json_object_get(doc, "scan"), "prev_hash")),
			    "0000000000000000000000000000000000000000000000000"
			    "000000000000000");
	json_decref(doc);
	assert_int_equal(add(s, "22222222-bbbb", "2026-01-02T08:00:00Z", "b2",
			     "m1"), 2);
	assert_int_equal(add(s, "33333333-cccc", "2026-01-03T08:00:00Z", "b1",
			     "m1"), 3);

	assert_int_equal(store_list_scans(s, NULL, &list, &e), PLUMB_OK);
	assert_int_equal(json_array_size(list), 3);
	row = json_array_get(list, 0);
	assert_int_equal(json_integer_value(json_object_get(row, "seq")), 1);
	assert_string_equal(json_string_value(json_object_get(row, "id")),
			    "11111111-aaaa");
	assert_string_equal(json_string_value(json_object_get(row, "started")),
			    "2026-01-01T08:00:00Z");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
			    row, "host"), "hostname")), "host-\xc3\xa9");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
			    row, "baseline"), "version")), "1.0.0");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
			 row, "summary"), "fail")), 1);
	/* Each row links to the one before it. */
	assert_string_equal(json_string_value(json_object_get(
			    json_array_get(list, 1), "prev_hash")),
			    json_string_value(json_object_get(row, "hash")));
	assert_int_equal(json_integer_value(json_object_get(
			 json_array_get(list, 2), "seq")), 3);
	json_decref(list);

	flt.baseline_id = "b1";
	assert_int_equal(store_list_scans(s, &flt, &list, &e), PLUMB_OK);
	assert_int_equal(json_array_size(list), 2);
	assert_int_equal(json_integer_value(json_object_get(
			 json_array_get(list, 1), "seq")), 3);
	json_decref(list);

	flt.baseline_id = NULL;
	flt.limit = 2;		/* the newest two, oldest first */
	assert_int_equal(store_list_scans(s, &flt, &list, &e), PLUMB_OK);
	assert_int_equal(json_array_size(list), 2);
	assert_int_equal(json_integer_value(json_object_get(
			 json_array_get(list, 0), "seq")), 2);
	json_decref(list);

	flt.limit = 0;
	assert_int_equal(time_parse("2026-01-02", &flt.since), 0);
	assert_int_equal(time_parse("2026-01-03T08:00:00Z", &flt.until), 0);
	assert_int_equal(store_list_scans(s, &flt, &list, &e), PLUMB_OK);
	assert_int_equal(json_array_size(list), 1);
	assert_int_equal(json_integer_value(json_object_get(
			 json_array_get(list, 0), "seq")), 2);
	json_decref(list);

	db = raw_open(f->db);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM results"), 6);
	raw = raw_text(db, "SELECT raw_status FROM results WHERE scan_seq = 1 "
		       "AND control_id = 'config.aslr'");
	assert_string_equal(raw, "pass");	/* defaults to status */
	free(raw);
	raw = raw_text(db, "SELECT status || '/' || raw_status || '/' || owner "
		       "|| '/' || evidence FROM results WHERE scan_seq = 1 AND "
		       "control_id = 'config.shadow'");
	assert_string_equal(raw, "waived/fail/internal/{\"mode\":\"0644\"}");
	free(raw);
	sqlite3_close(db);
	store_close(s);
}

/* Runs sha256sum over path and returns its hex digest. */
static char *
sha256sum_file(const char *path)
{
	int fds[2], in, status;
	char out[128] = "";
	ssize_t n;
	size_t got = 0;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		in = open(path, O_RDONLY);
		if (in < 0 || dup2(in, 0) < 0 || dup2(fds[1], 1) < 0)
			_exit(127);
		close(fds[0]);
		execlp("sha256sum", "sha256sum", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (got < sizeof(out) - 1 &&
	       (n = read(fds[0], out + got, sizeof(out) - 1 - got)) > 0)
		got += (size_t)n;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(got >= 64);
	return xstrndup(out, 64);
}

static void
store_add_scan__hash_is_sha256_of_prev_and_stored_text(void **state)
{
	struct fx *f = *state;
	struct store *s = open_ok(f->db);
	char *path = xasprintf("%s/link.bin", f->dir);
	struct errbuf e = { "" };
	json_t *got = NULL;
	char *prev, *doc, *hash, *joined, *sum, *canon;
	sqlite3 *db;

	add(s, "44444444-dddd", "2026-01-01T00:00:00Z", "b1", "m1");
	add(s, "55555555-eeee", "2026-01-02T00:00:00Z", "b1", "m1");
	db = raw_open(f->db);
	prev = raw_text(db, "SELECT prev_hash FROM scans WHERE seq = 2");
	doc = raw_text(db, "SELECT doc FROM scans WHERE seq = 2");
	hash = raw_text(db, "SELECT hash FROM scans WHERE seq = 2");
	joined = xasprintf("%s%s", prev, doc);
	assert_int_equal(write_file_atomic(path, joined, strlen(joined), 0600,
					   &e), 0);
	sum = sha256sum_file(path);
	assert_string_equal(sum, hash);
	/* The stored text is the canonical form of the document read back,
	 * which names its own seq and link. */
	assert_int_equal(store_get_scan(s, "2", &got, &e), PLUMB_OK);
	canon = store_canonical(got);
	assert_string_equal(canon, doc);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
			 got, "scan"), "seq")), 2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
			    got, "scan"), "prev_hash")), prev);
	sqlite3_close(db);
	json_decref(got);
	free(canon);
	free(prev);
	free(doc);
	free(hash);
	free(joined);
	free(sum);
	free(path);
	store_close(s);
}

static void
store_get_scan__by_latest_seq_and_id_prefix(void **state)
{
	static const struct {
		const char *ref;
		int code;
		const char *id;		/* expected scan id, or error text */
	} cases[] = {
		{ "latest", PLUMB_OK, "a1b2c3d4-0003-zz" },
		{ "1", PLUMB_OK, "a1b2c3d4-0001-xx" },
		{ "3", PLUMB_OK, "a1b2c3d4-0003-zz" },
		{ "a1b2c3d4-0002", PLUMB_OK, "a1b2c3d4-0002-yy" },
		{ "a1b2c3d4-0001-xx", PLUMB_OK, "a1b2c3d4-0001-xx" },
		{ "a1b2c3d4", PLUMB_EUSAGE, "matches 3 scans" },
		{ "a1b2c3d4-000", PLUMB_EUSAGE, "matches 3 scans" },
		{ "a1b2", PLUMB_EUSAGE, "too short" },
		{ "", PLUMB_EUSAGE, "no scan reference" },
		{ "4", PLUMB_ENOENT, "no scan" },
		{ "0", PLUMB_ENOENT, "no scan" },
		{ "ffffffff", PLUMB_ENOENT, "no scan" },
		{ "99999999999999999999", PLUMB_ENOENT, "no scan" },
	};
	struct fx *f = *state;
	struct store *s = open_ok(f->db);
	size_t i;

	add(s, "a1b2c3d4-0001-xx", "2026-01-01T00:00:00Z", "b1", "m1");
	add(s, "a1b2c3d4-0002-yy", "2026-01-02T00:00:00Z", "b1", "m1");
	add(s, "a1b2c3d4-0003-zz", "2026-01-03T00:00:00Z", "b1", "m1");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct errbuf e = { "" };
		json_t *doc = NULL;
		int r = store_get_scan(s, cases[i].ref, &doc, &e);

		if (r != cases[i].code)
			fail_msg("ref '%s': got %d (%s), want %d", cases[i].ref,
				 r, e.msg, cases[i].code);
		if (r == PLUMB_OK) {
			assert_string_equal(json_string_value(json_object_get(
					    json_object_get(doc, "scan"), "id")),
					    cases[i].id);
			assert_int_equal(json_array_size(json_object_get(doc,
					 "results")), 2);
		} else {
			assert_null(doc);
			if (strstr(e.msg, cases[i].id) == NULL)
				fail_msg("ref '%s': message '%s' lacks '%s'",
					 cases[i].ref, e.msg, cases[i].id);
		}
		json_decref(doc);
	}
	store_close(s);
}

static void
store_get_scan__latest_of_empty_history_is_enoent(void **state)
{
	struct fx *f = *state;
	struct store *s = open_ok(f->db);
	struct errbuf e = { "" };
	json_t *doc = NULL;

	assert_int_equal(store_get_scan(s, "latest", &doc, &e), PLUMB_ENOENT);
	assert_null(doc);
	assert_non_null(strstr(e.msg, "no scans"));
	store_close(s);
}

static void
store_prev_scan__matches_baseline_and_machine(void **state)
{
	static const struct {
		const char *baseline, *machine;
		int64_t before;
		int64_t want;	/* 0: PLUMB_ENOENT */
	} cases[] = {
		{ "b1", "m1", 0, 4 },
		{ "b1", "m1", 4, 1 },
		{ "b1", "m1", 1, 0 },
		{ "b2", "m1", 0, 2 },
		{ "b1", "m2", 0, 3 },
		{ "b1", "m2", 3, 0 },
		{ "b3", "m1", 0, 0 },
	};
	struct fx *f = *state;
	struct store *s = open_ok(f->db);
	size_t i;

	add(s, "prev0001", "2026-01-01T00:00:00Z", "b1", "m1");
	add(s, "prev0002", "2026-01-02T00:00:00Z", "b2", "m1");
	add(s, "prev0003", "2026-01-03T00:00:00Z", "b1", "m2");
	add(s, "prev0004", "2026-01-04T00:00:00Z", "b1", "m1");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct errbuf e = { "" };
		json_t *doc = NULL;
		int r = store_prev_scan(s, cases[i].baseline, cases[i].machine,
					cases[i].before, &doc, &e);

		if (cases[i].want == 0) {
			assert_int_equal(r, PLUMB_ENOENT);
			assert_null(doc);
			continue;
		}
		if (r != PLUMB_OK)
			fail_msg("case %zu: %s", i, e.msg);
		assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(doc, "scan"), "seq")),
				 cases[i].want);
		json_decref(doc);
	}
	store_close(s);
}

/* ---- the chain ---- */

/* Replaces scan 2's document and recomputes its own hash, as an attacker
 * who knows the formula would: only the next link can tell. */
static void
tamper_rehash(sqlite3 *db)
{
	char *prev = raw_text(db, "SELECT prev_hash FROM scans WHERE seq = 2");
	char *doc = raw_text(db, "SELECT doc FROM scans WHERE seq = 2");
	char *p = strstr(doc, "\"fail\"");
	char *joined, hash[65];
	sqlite3_stmt *st = NULL;

	assert_non_null(p);
	memcpy(p, "\"pass\"", 6);
	joined = xasprintf("%s%s", prev, doc);
	sha256_hex(joined, strlen(joined), hash);
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE scans SET doc = ?1, "
					    "hash = ?2 WHERE seq = 2", -1, &st,
					    NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	free(joined);
	free(prev);
	free(doc);
}

static void
store_verify_chain__detects_tampering_at_the_right_scan(void **state)
{
	static const struct {
		const char *name;
		const char *sql;	/* NULL: tamper_rehash */
		int64_t bad;
		const char *msg;
	} cases[] = {
		{ "edited document",
		  "UPDATE scans SET doc = replace(doc, '\"fail\"', '\"pass\"') "
		  "WHERE seq = 2", 2, "altered" },
		/* The rewritten document no longer matches its own
		 * results rows, so the edit shows at scan 2 itself. */
		{ "edited document with its own hash recomputed", NULL, 2,
		  "differs from its document" },
		{ "edited results row",
		  "UPDATE results SET status = 'pass' WHERE scan_seq = 2",
		  2, "status was altered" },
		{ "edited evidence row",
		  "UPDATE results SET evidence = '{}' WHERE scan_seq = 3",
		  3, "evidence was altered" },
		{ "deleted results row",
		  "DELETE FROM results WHERE scan_seq = 2 AND rowid = (SELECT "
		  "min(rowid) FROM results WHERE scan_seq = 2)", 2,
		  "rows were removed or added" },
		{ "deleted middle scan",
		  "DELETE FROM results WHERE scan_seq = 2;"
		  "DELETE FROM scans WHERE seq = 2", 3, "removed" },
		{ "deleted first scan",
		  "DELETE FROM results WHERE scan_seq = 1;"
		  "DELETE FROM scans WHERE seq = 1", 2, "removed" },
		{ "swapped documents",
		  "UPDATE scans SET doc = CASE seq WHEN 2 THEN (SELECT doc FROM "
		  "scans WHERE seq = 3) ELSE (SELECT doc FROM scans WHERE "
		  "seq = 2) END WHERE seq IN (2, 3)", 2, "altered" },
		{ "reordered rows",
		  "UPDATE scans SET seq = 100 WHERE seq = 2;"
		  "UPDATE scans SET seq = 2 WHERE seq = 3;"
		  "UPDATE scans SET seq = 3 WHERE seq = 100", 2, "reordered" },
		{ "renumbered scan",
		  "UPDATE scans SET seq = 7 WHERE seq = 4", 7, "renumbered" },
		{ "row id swapped",
		  "UPDATE scans SET id = 'forged-id' WHERE seq = 3", 3,
		  "another scan id" },
	};
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = xasprintf("%s/chain%zu.db", f->dir, i);
		struct store *s = open_ok(path);
		struct errbuf e = { "" };
		int64_t bad = -1;
		sqlite3 *db;
		int r;

		add(s, "chain-0001", "2026-01-01T00:00:00Z", "b1", "m1");
		add(s, "chain-0002", "2026-01-02T00:00:00Z", "b1", "m1");
		add(s, "chain-0003", "2026-01-03T00:00:00Z", "b1", "m1");
		add(s, "chain-0004", "2026-01-04T00:00:00Z", "b1", "m1");
		assert_int_equal(store_verify_chain(s, &bad, &e), PLUMB_OK);
		assert_int_equal(bad, 0);
		db = raw_open(path);
		if (cases[i].sql != NULL)
			raw_exec(db, cases[i].sql);
		else
			tamper_rehash(db);
		sqlite3_close(db);
		r = store_verify_chain(s, &bad, &e);
		if (r != PLUMB_EINVAL || bad != cases[i].bad)
			fail_msg("%s: got %d at scan %lld (%s), want scan %lld",
				 cases[i].name, r, (long long)bad, e.msg,
				 (long long)cases[i].bad);
		if (strstr(e.msg, cases[i].msg) == NULL)
			fail_msg("%s: message '%s' lacks '%s'", cases[i].name,
				 e.msg, cases[i].msg);
		store_close(s);
		free(path);
	}
}

static void
store_verify_chain__empty_history_is_valid(void **state)
{
	struct fx *f = *state;
	struct store *s = open_ok(f->db);
	struct errbuf e = { "" };
	int64_t bad = -1;

	assert_int_equal(store_verify_chain(s, &bad, &e), PLUMB_OK);
	assert_int_equal(bad, 0);
	store_close(s);
}

/* ---- all or nothing ---- */

static void
store_add_scan__failure_records_nothing(void **state)
{
	struct fx *f = *state;
	struct store *s = open_ok(f->db);
	json_t *dup = make_doc("dup-control-1", "2026-01-02T00:00:00Z", "b1",
			       "m1");
	json_t *badtype = make_doc("bad-type-1", "2026-01-02T00:00:00Z", "b1",
				   "m1");
	json_t *results = json_object_get(dup, "results");
	json_t *same_id = make_doc("first-scan", "2026-01-02T00:00:00Z", "b1",
				   "m1");
	struct errbuf e = { "" };
	int64_t seq = -1, bad = -1;
	sqlite3 *db;

	add(s, "first-scan", "2026-01-01T00:00:00Z", "b1", "m1");

	/* The second result repeats the first's control id: the scan row
	 * and the first result are already inserted when it fails. */
	json_array_append_new(results, json_pack("{s:s, s:s}", "id",
						 "config.aslr", "status",
						 "fail"));
	assert_int_equal(store_add_scan(s, dup, &seq, &e), PLUMB_EDB);
	assert_int_equal(seq, 0);
	assert_non_null(strstr(e.msg, "UNIQUE"));
	assert_non_null(strstr(e.msg, "config.aslr"));
	/* The caller's document is given back as it was. */
	assert_null(json_object_get(json_object_get(dup, "scan"), "seq"));
	assert_null(json_object_get(json_object_get(dup, "scan"),
				    "prev_hash"));

	json_object_set_new(json_array_get(json_object_get(badtype, "results"),
					   1), "owner", json_integer(3));
	assert_int_equal(store_add_scan(s, badtype, &seq, &e), PLUMB_EINVAL);
	assert_non_null(strstr(e.msg, "results[1].owner"));

	assert_int_equal(store_add_scan(s, same_id, &seq, &e), PLUMB_EDB);
	assert_non_null(strstr(e.msg, "scans.id"));

	db = raw_open(f->db);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM scans"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM results"), 2);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM results WHERE "
				 "scan_seq <> 1"), 0);
	sqlite3_close(db);
	/* The failed scans used no sequence number and left the chain
	 * whole. */
	assert_int_equal(add(s, "second-scan", "2026-01-03T00:00:00Z", "b1",
			     "m1"), 2);
	assert_int_equal(store_verify_chain(s, &bad, &e), PLUMB_OK);
	json_decref(dup);
	json_decref(badtype);
	json_decref(same_id);
	store_close(s);
}

static void
store_add_scan__rejects_documents_without_identity(void **state)
{
	static const char *const docs[] = {
		"[]",
		"{\"results\":[]}",
		"{\"scan\":{\"id\":\"\"}}",
		"{\"scan\":{\"id\":\"x1234567\",\"host\":[]}}",
		"{\"scan\":{\"id\":\"x1234567\"},\"results\":{}}",
		"{\"scan\":{\"id\":\"x1234567\"},\"results\":[{\"status\":\"pass\"}]}",
		"{\"scan\":{\"id\":\"x1234567\",\"started\":5}}",
	};
	struct fx *f = *state;
	struct store *s = open_ok(f->db);
	size_t i;
	sqlite3 *db;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct errbuf e = { "" };
		json_t *doc = json_loads(docs[i], JSON_DECODE_ANY, NULL);
		int64_t seq = -1;

		assert_non_null(doc);
		if (store_add_scan(s, doc, &seq, &e) != PLUMB_EINVAL)
			fail_msg("%s was accepted", docs[i]);
		assert_int_equal(seq, 0);
		json_decref(doc);
	}
	db = raw_open(f->db);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM scans"), 0);
	sqlite3_close(db);
	store_close(s);
}

/* ---- two writers ---- */

/* Waits for every child before judging, so no child is left writing into
 * a directory the teardown removes; returns how many failed. */
static int
reap(const pid_t *pids, size_t n)
{
	int failed = 0, status;
	size_t i;

	for (i = 0; i < n; i++)
		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	return failed;
}

#define CONC_CHILDREN 2
#define CONC_SCANS 20

static void
store_add_scan__two_processes_at_once_keep_the_chain(void **state)
{
	struct fx *f = *state;
	pid_t pids[CONC_CHILDREN];
	struct errbuf e = { "" };
	json_t *list = NULL;
	struct store *s;
	int64_t bad = -1;
	size_t i;
	char *ok;

	/* Both children also race to create the history. */
	for (i = 0; i < CONC_CHILDREN; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct store *cs = NULL;
			int k, r = store_open(f->db, &cs, &e);

			for (k = 0; r == PLUMB_OK && k < CONC_SCANS; k++) {
				char id[64];
				json_t *doc;
				int64_t seq;

				snprintf(id, sizeof(id), "proc%zu-scan%02d", i, k);
				doc = make_doc(id, "2026-02-01T00:00:00Z", "b1",
					       "m1");
				r = store_add_scan(cs, doc, &seq, &e);
				json_decref(doc);
			}
			if (r != PLUMB_OK)
				fprintf(stderr, "child %zu: %s\n", i, e.msg);
			store_close(cs);
			_exit(r == PLUMB_OK ? 0 : 1);
		}
	}
	assert_int_equal(reap(pids, CONC_CHILDREN), 0);
	s = open_ok(f->db);
	assert_int_equal(store_list_scans(s, NULL, &list, &e), PLUMB_OK);
	assert_int_equal(json_array_size(list), CONC_CHILDREN * CONC_SCANS);
	for (i = 0; i < json_array_size(list); i++)
		assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(list, i), "seq")), i + 1);
	if (store_verify_chain(s, &bad, &e) != PLUMB_OK)
		fail_msg("chain: %s", e.msg);
	ok = raw_text(s->db, "PRAGMA integrity_check");
	assert_string_equal(ok, "ok");
	free(ok);
	json_decref(list);
	store_close(s);
}

#define RACE_CHILDREN 8
#define RACE_ROUNDS 8

/* One round: RACE_CHILDREN processes, released together, each open path
 * (which does not exist yet) and record one scan. */
static void
race_round(const char *path)
{
	pid_t pids[RACE_CHILDREN];
	struct errbuf e = { "" };
	struct store *s;
	int64_t bad = -1;
	json_t *list = NULL;
	int go[2];
	size_t i;

	assert_int_equal(pipe(go), 0);
	for (i = 0; i < RACE_CHILDREN; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct store *cs = NULL;
			char id[32], c;
			int r;

			close(go[1]);
			/* Start together: the parent closing the pipe
			 * releases every child at once. */
			while (read(go[0], &c, 1) < 0 && errno == EINTR)
				;
			r = store_open(path, &cs, &e);
			if (r == PLUMB_OK) {
				json_t *doc;
				int64_t seq;

				snprintf(id, sizeof(id), "racer-%02zu", i);
				doc = make_doc(id, "2026-03-01T00:00:00Z", "b1",
					       "m1");
				r = store_add_scan(cs, doc, &seq, &e);
				json_decref(doc);
			}
			if (r != PLUMB_OK)
				fprintf(stderr, "child %zu: %s\n", i, e.msg);
			store_close(cs);
			_exit(r == PLUMB_OK ? 0 : 1);
		}
	}
	close(go[0]);
	close(go[1]);
	assert_int_equal(reap(pids, RACE_CHILDREN), 0);
	s = open_ok(path);
	assert_int_equal(store_list_scans(s, NULL, &list, &e), PLUMB_OK);
	assert_int_equal(json_array_size(list), RACE_CHILDREN);
	assert_int_equal(raw_int(s->db, "SELECT count(*) FROM meta"), 2);
	if (store_verify_chain(s, &bad, &e) != PLUMB_OK)
		fail_msg("chain: %s", e.msg);
	json_decref(list);
	store_close(s);
}

/* Many processes creating the same new history at once: each migration
 * runs once and every process gets a working connection.  The window is
 * narrow, so the race is run several times. */
static void
store_open__processes_creating_one_history_at_once(void **state)
{
	struct fx *f = *state;
	int round;

	for (round = 0; round < RACE_ROUNDS; round++) {
		char *path = xasprintf("%s/race%d/history.db", f->dir, round);

		race_round(path);
		free(path);
	}
}

/* A store carried across fork() refuses to work in the child instead of
 * sharing the parent's locks. */
static void
store__connection_is_refused_after_fork(void **state)
{
	struct fx *f = *state;
	struct store *s = open_ok(f->db);
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct errbuf e = { "" };
		json_t *doc = make_doc("child-scan", "2026-01-01T00:00:00Z",
				       "b1", "m1");
		int64_t seq;
		int r = store_add_scan(s, doc, &seq, &e);

		store_close(s);
		_exit(r == PLUMB_EUSAGE && strstr(e.msg, "fork") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The parent's connection still works. */
	assert_int_equal(add(s, "parent-scan", "2026-01-01T00:00:00Z", "b1",
			     "m1"), 1);
	store_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(store_open__creates_parent_dirs_schema_and_version),
		T(store_open__reopen_is_idempotent),
		T(store_open__migrates_an_older_history),
		T(store_open__refuses_non_sqlite_files_untouched),
		T(store_open__refuses_foreign_sqlite_untouched),
		T(store_open__refuses_newer_schema),
		T(store_open__refuses_corrupt_history_untouched),
		T(store_open__refuses_symlink),
		T(store_canonical__is_compact_sorted_utf8),
		T(store_add_scan__numbers_scans_and_lists_oldest_first),
		T(store_add_scan__hash_is_sha256_of_prev_and_stored_text),
		T(store_get_scan__by_latest_seq_and_id_prefix),
		T(store_get_scan__latest_of_empty_history_is_enoent),
		T(store_prev_scan__matches_baseline_and_machine),
		T(store_verify_chain__detects_tampering_at_the_right_scan),
		T(store_verify_chain__empty_history_is_valid),
		T(store_add_scan__failure_records_nothing),
		T(store_add_scan__rejects_documents_without_identity),
		T(store_add_scan__two_processes_at_once_keep_the_chain),
		T(store_open__processes_creating_one_history_at_once),
		T(store__connection_is_refused_after_fork),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

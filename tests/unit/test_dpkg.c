/*
 * test_dpkg.c - the deb822 stanza parser, the decompressing source and the
 * installed-package database.
 *
 * Compressed lists are made at test time by the real gzip, xz and lz4
 * tools (as apt's own files are), in a mkdtemp directory opened as a scan
 * root, and must read back byte for byte like the plain text.  Bombs are
 * streams of zeros that inflate past the cap: reading must stop there with
 * a clear error.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <spawn.h>
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

#include "dpkg.h"
#include "plat.h"
#include "support.h"
#include "util.h"

extern char **environ;

/* --- helpers ------------------------------------------------------- */

/* Everything the parser handed over, flattened to "Name=value" lines with
 * "--" after each stanza, so a test compares one string. */
struct collected {
	struct dynbuf out;
	size_t stanzas;
	int stop_after;		/* stop with PLUMB_EINVAL after this many */
};

static int
collect(const struct dpkg_stanza *st, void *arg, struct errbuf *e)
{
	struct collected *c = arg;
	size_t i;

	for (i = 0; i < st->nfields; i++)
		dynbuf_printf(&c->out, "%s=%s@%d\n", st->fields[i].name,
			      st->fields[i].value, st->fields[i].line);
	dynbuf_printf(&c->out, "--%d\n", st->line);
	c->stanzas++;
	if (c->stop_after > 0 && (int)c->stanzas == c->stop_after)
		return err_set(e, PLUMB_EINVAL, "stopped by the callback");
	return 0;
}

/* Parses text; returns the parse code, with the flattened result in *out
 * (caller frees) and the message in e. */
static int
parse_text(const char *text, size_t len, const char *const *want,
	   char **out, struct errbuf *e)
{
	struct dpkg_source *src = NULL;
	struct collected c;
	int rc;

	memset(&c, 0, sizeof(c));
	dynbuf_init(&c.out, 64u * 1024 * 1024);
	e->msg[0] = '\0';
	assert_int_equal(dpkg_source_mem(text, len, "mem", DPKG_COMP_NONE,
					 PLUMB_LARGE_FILE_MAX, &src, e), 0);
	rc = dpkg_parse(src, want, collect, &c, e);
	dpkg_source_free(src);
	dynbuf_add(&c.out, "", 0);
	*out = dynbuf_take(&c.out, NULL);
	if (*out == NULL)
		*out = xstrdup("");
	return rc;
}

static void
expect_parse(const char *text, const char *const *want, const char *expect)
{
	struct errbuf e;
	char *got = NULL;
	int rc = parse_text(text, strlen(text), want, &got, &e);

	if (rc != 0)
		fail_msg("parse failed: %s", e.msg);
	assert_string_equal(got, expect);
	free(got);
}

static void
expect_error(const char *text, size_t len, int code, const char *msg_part)
{
	struct errbuf e;
	char *got = NULL;
	int rc = parse_text(text, len, NULL, &got, &e);

	free(got);
	if (rc != code)
		fail_msg("parse returned %d (%s), want %d", rc, e.msg, code);
	if (strstr(e.msg, msg_part) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, msg_part);
}

/* --- the stanza parser --------------------------------------------- */

static void
dpkg_parse__stanzas_fields_and_lines(void **state)
{
	(void)state;
	expect_parse("Package: a\nVersion: 1.0\n\nPackage: b\nVersion: 2\n",
		     NULL,
		     "Package=a@1\nVersion=1.0@2\n--1\n"
		     "Package=b@4\nVersion=2@5\n--4\n");
}

static void
dpkg_parse__continuation_lines_join_with_newline(void **state)
{
	(void)state;
	expect_parse("Package: a\nDescription: short  \n long line\n .\n"
		     "\tx\nVersion: 1\n", NULL,
		     "Package=a@1\nDescription=short\n long line\n .\n\tx@2\n"
		     "Version=1@6\n--1\n");
}

static void
dpkg_parse__blank_runs_and_blank_only_lines_separate(void **state)
{
	(void)state;
	expect_parse("\n\nA: 1\n \t\nB: 2\n\n\n\nC: 3", NULL,
		     "A=1@3\n--3\nB=2@5\n--5\nC=3@9\n--9\n");
}

static void
dpkg_parse__keeps_only_wanted_fields_case_insensitively(void **state)
{
	static const char *const want[] = { "package", "VERSION", NULL };

	(void)state;
	expect_parse("Package: a\nDescription: d\n more\nVersion: 1\n"
		     "Depends: x\n", want,
		     "Package=a@1\nVersion=1@4\n--1\n");
}

static void
dpkg_parse__comments_and_empty_values(void **state)
{
	(void)state;
	expect_parse("# a comment\nA:\nB:   \n# more\nC:x\n", NULL,
		     "A=@2\nB=@3\nC=x@5\n--2\n");
}

static void
dpkg_parse__stanza_lookup(void **state)
{
	struct dpkg_field f[2] = { { "Package", "a", 3 },
				   { "Version", "1", 4 } };
	struct dpkg_stanza st = { "mem", 3, f, 2 };

	(void)state;
	assert_string_equal(dpkg_stanza_get(&st, "version"), "1");
	assert_null(dpkg_stanza_get(&st, "Source"));
	assert_int_equal(dpkg_stanza_line(&st, "VERSION"), 4);
	assert_int_equal(dpkg_stanza_line(&st, "Source"), 3);
}

static void
dpkg_parse__continuation_without_field_is_error(void **state)
{
	(void)state;
	expect_error("A: 1\n\n continued\n", 17, PLUMB_EPARSE,
		     "mem:3: continuation line");
}

static void
dpkg_parse__line_without_colon_is_error(void **state)
{
	(void)state;
	expect_error("A: 1\nnot a field\n", 17, PLUMB_EPARSE,
		     "mem:2: expected \"Field: value\"");
	expect_error(": value\n", 8, PLUMB_EPARSE, "mem:1: empty field name");
	expect_error("Bad Name: x\n", 12, PLUMB_EPARSE, "mem:1: invalid "
		     "character in field name");
}

static void
dpkg_parse__nul_byte_is_error(void **state)
{
	static const char text[] = "A: 1\nB: x\0y\n";

	(void)state;
	expect_error(text, sizeof(text) - 1, PLUMB_EPARSE, "mem:2: NUL byte");
}

static void
dpkg_parse__wanted_field_twice_is_error(void **state)
{
	static const char *const want[] = { "Version", NULL };
	struct errbuf e;
	char *got = NULL;

	(void)state;
	expect_error("Version: 1\nversion: 2\n", 22, PLUMB_EPARSE,
		     "mem:2: field version given twice (first at line 1)");
	/* A repeated field nobody asked for is not looked at. */
	assert_int_equal(parse_text("X: 1\nX: 2\nVersion: 3\n", 21, want,
				    &got, &e), 0);
	assert_string_equal(got, "Version=3@3\n--1\n");
	free(got);
}

static void
dpkg_parse__stanza_over_cap_is_refused(void **state)
{
	size_t line = 1000, n = PLUMB_STANZA_MAX / line + 2, i;
	char *text = xmalloc(n * line + 16), *p = text;

	(void)state;
	p += snprintf(p, 16, "A: x\n");
	for (i = 0; i < n; i++) {
		p[0] = ' ';
		memset(p + 1, 'y', line - 2);
		p[line - 1] = '\n';
		p += line;
	}
	expect_error(text, (size_t)(p - text), PLUMB_ELIMIT, "stanza longer "
		     "than");
	free(text);
}

static void
dpkg_parse__too_many_fields_is_refused(void **state)
{
	struct dynbuf b;
	int i;

	(void)state;
	dynbuf_init(&b, 1u << 20);
	for (i = 0; i <= PLUMB_STANZA_FIELDS_MAX; i++)
		dynbuf_printf(&b, "F%d: v\n", i);
	expect_error(b.data, b.len, PLUMB_ELIMIT, "fields in one stanza");
	dynbuf_release(&b);
}

static void
dpkg_parse__callback_error_stops_the_parse(void **state)
{
	static const char text[] = "A: 1\n\nA: 2\n\nA: 3\n";
	struct dpkg_source *src = NULL;
	struct collected c;
	struct errbuf e;

	(void)state;
	memset(&c, 0, sizeof(c));
	dynbuf_init(&c.out, 1u << 20);
	c.stop_after = 2;
	assert_int_equal(dpkg_source_mem(text, sizeof(text) - 1, "mem",
					 DPKG_COMP_NONE, 1024, &src, &e), 0);
	assert_int_equal(dpkg_parse(src, NULL, collect, &c, &e), PLUMB_EINVAL);
	assert_int_equal(c.stanzas, 2);
	assert_string_equal(e.msg, "stopped by the callback");
	dpkg_source_free(src);
	dynbuf_release(&c.out);
}

static void
dpkg_parse__plain_source_over_cap_is_refused(void **state)
{
	static const char text[] = "A: 1\nB: 2\nC: 3\n";
	struct dpkg_source *src = NULL;
	struct collected c;
	struct errbuf e;

	(void)state;
	memset(&c, 0, sizeof(c));
	dynbuf_init(&c.out, 1u << 20);
	assert_int_equal(dpkg_source_mem(text, sizeof(text) - 1, "mem",
					 DPKG_COMP_NONE, 8, &src, &e), 0);
	assert_int_equal(dpkg_parse(src, NULL, collect, &c, &e),
			 PLUMB_ELIMIT);
	assert_non_null(strstr(e.msg, "larger than 8 bytes"));
	dpkg_source_free(src);
	dynbuf_release(&c.out);
}

/* --- the status database ------------------------------------------- */

static const char status_text[] =
	"Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\n"
	"Version: 1:1.2.13.dfsg-1\nSource: zlib (1.2.13.dfsg-1)\n\n"
	"Package: gone\nStatus: deinstall ok config-files\n"
	"Architecture: amd64\nVersion: 1.0\n\n"
	"Package: zlib1g\nStatus: install ok installed\nArchitecture: i386\n"
	"Version: 1:1.2.13.dfsg-1\n\n"
	"Package: dpkg\nStatus: hold ok installed\nArchitecture: amd64\n"
	"Version: 1.21.22\n\n"
	"Package: half\nStatus: install reinstreq half-configured\n"
	"Architecture: amd64\nVersion: 2\n\n"
	"Package: trig\nStatus: install ok triggers-pending\n"
	"Architecture: all\nVersion: 3\n\n"
	"Package: never\nStatus: purge ok not-installed\n\n";

static int
read_db(const char *text, struct dpkg_db **db, struct errbuf *e)
{
	struct dpkg_source *src = NULL;
	int rc;

	assert_int_equal(dpkg_source_mem(text, strlen(text), "status",
					 DPKG_COMP_NONE, PLUMB_LARGE_FILE_MAX,
					 &src, e), 0);
	rc = dpkg_db_read(src, db, e);
	dpkg_source_free(src);
	return rc;
}

static void
dpkg_db__reads_installed_packages_only(void **state)
{
	struct dpkg_db *db = NULL;
	struct errbuf e;
	size_t i, n;

	(void)state;
	if (read_db(status_text, &db, &e) != 0)
		fail_msg("%s", e.msg);
	assert_int_equal(db->n, 4);
	assert_string_equal(db->native_arch, "amd64");
	i = dpkg_db_find(db, "zlib1g", &n);
	assert_int_equal(n, 2);
	assert_string_equal(db->pkgs[i].arch, "amd64");
	assert_string_equal(db->pkgs[i + 1].arch, "i386");
	assert_string_equal(db->pkgs[i].source, "zlib");
	assert_string_equal(db->pkgs[i].version, "1:1.2.13.dfsg-1");
	i = dpkg_db_find(db, "dpkg", &n);
	assert_int_equal(n, 1);
	assert_string_equal(db->pkgs[i].want, "hold");
	assert_string_equal(db->pkgs[i].source, "dpkg");
	i = dpkg_db_find(db, "trig", &n);
	assert_int_equal(n, 1);
	assert_string_equal(db->pkgs[i].status, "triggers-pending");
	dpkg_db_find(db, "gone", &n);
	assert_int_equal(n, 0);
	dpkg_db_find(db, "never", &n);
	assert_int_equal(n, 0);
	dpkg_db_find(db, "aaa", &n);
	assert_int_equal(n, 0);
	assert_int_equal(db->nbroken, 1);
	assert_string_equal(db->broken[0].name, "half");
	dpkg_db_free(db);
}

static void
dpkg_db__malformed_status_names_the_line(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} bad[] = {
		{ "Package: a\nStatus: install ok\nArchitecture: all\n"
		  "Version: 1\n", "status:2: package a: invalid Status" },
		{ "Package: a\nStatus: install ok installed\nArchitecture: all\n"
		  "Version: 1:\n", "status:4: installed package a has an "
		  "invalid Version" },
		{ "Package: a\nStatus: install ok installed\n"
		  "Version: 1\n", "status:1: installed package a has no "
		  "Architecture" },
		{ "Status: install ok installed\n", "status:1: stanza without "
		  "a Package field" },
		{ "Package: a\nStatus: install ok installed\nArchitecture: all\n"
		  "Version: 1\n\nPackage: a\nStatus: install ok installed\n"
		  "Architecture: all\nVersion: 2\n", "status:6: package a:all "
		  "is listed twice (also at line 1)" },
	};
	struct dpkg_db *db = NULL;
	struct errbuf e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(read_db(bad[i].text, &db, &e), PLUMB_EPARSE);
		assert_null(db);
		if (strstr(e.msg, bad[i].msg) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, e.msg,
				 bad[i].msg);
	}
}

static void
dpkg_db__native_arch_without_dpkg_is_most_common(void **state)
{
	struct dpkg_db *db = NULL;
	struct errbuf e;

	(void)state;
	assert_int_equal(read_db("Package: a\nStatus: install ok installed\n"
				 "Architecture: arm64\nVersion: 1\n\n"
				 "Package: b\nStatus: install ok installed\n"
				 "Architecture: all\nVersion: 1\n\n"
				 "Package: c\nStatus: install ok installed\n"
				 "Architecture: arm64\nVersion: 1\n\n"
				 "Package: d\nStatus: install ok installed\n"
				 "Architecture: armhf\nVersion: 1\n", &db, &e),
			 0);
	assert_string_equal(db->native_arch, "arm64");
	dpkg_db_free(db);
}

/* --- compressed lists ---------------------------------------------- */

struct tmp {
	char dir[SUPPORT_DIR_MAX];
	struct plat_root *root;
	char *plain;		/* the uncompressed list */
	size_t plain_len;
};

/* Runs a shell command line in dir; 0 on success. */
static int
sh(const char *dir, const char *fmt, ...)
{
	char *cmd, *line;
	char *argv[] = { "sh", "-c", NULL, NULL };
	va_list ap;
	pid_t pid;
	int st;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	va_end(ap);
	line = xasprintf("cd '%s' && %s", dir, cmd);
	argv[2] = line;
	if (posix_spawnp(&pid, "sh", NULL, NULL, argv, environ) != 0 ||
	    waitpid(pid, &st, 0) != pid)
		st = -1;
	free(cmd);
	free(line);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int
setup_tmp(void **state)
{
	struct tmp *t = xcalloc(1, sizeof(*t));
	struct dynbuf b;
	struct errbuf e;
	char *path;
	FILE *f;
	int i;

	support_tmpdir(t->dir, sizeof(t->dir), "dpkg");
	/* A list like apt's: a few thousand stanzas, multi-line fields. */
	dynbuf_init(&b, 64u * 1024 * 1024);
	for (i = 0; i < 3000; i++)
		dynbuf_printf(&b, "Package: pkg%d\nVersion: %d.%d-%d\n"
			      "Architecture: %s\nDescription: package %d\n"
			      " a longer description line for package %d\n"
			      " .\n more\n\n", i, i / 100, i % 100, i % 7,
			      i % 3 ? "amd64" : "all", i, i);
	t->plain_len = b.len;
	t->plain = dynbuf_take(&b, NULL);
	path = xasprintf("%s/Packages", t->dir);
	f = fopen(path, "w");
	free(path);
	if (f == NULL || fwrite(t->plain, 1, t->plain_len, f) != t->plain_len)
		return -1;
	fclose(f);
	if (plat_root_open(t->dir, &t->root, &e) != 0)
		return -1;
	*state = t;
	return 0;
}

static int
teardown_tmp(void **state)
{
	struct tmp *t = *state;

	plat_root_free(t->root);
	support_rmtree(t->dir);
	free(t->plain);
	free(t);
	return 0;
}

/* Reads name from the temp root with the given cap; returns the code and
 * the bytes read in *data. */
static int
read_all(struct tmp *t, const char *name, size_t max, char **data,
	 size_t *len, struct errbuf *e)
{
	struct dpkg_source *src = NULL;
	int rc;

	*data = NULL;
	e->msg[0] = '\0';
	if ((rc = dpkg_source_open(t->root, name, max, &src, e)) != 0)
		return rc;
	rc = dpkg_source_slurp(src, data, len, e);
	dpkg_source_free(src);
	return rc;
}

static void
expect_same_as_plain(struct tmp *t, const char *name)
{
	struct errbuf e;
	char *data = NULL;
	size_t len = 0;

	if (read_all(t, name, PLUMB_LARGE_FILE_MAX, &data, &len, &e) != 0)
		fail_msg("%s: %s", name, e.msg);
	assert_int_equal(len, t->plain_len);
	assert_memory_equal(data, t->plain, len);
	free(data);
}

static void
dpkg_source__reads_gzip_xz_lz4_as_plain(void **state)
{
	struct tmp *t = *state;

	assert_int_equal(sh(t->dir, "gzip -9 -c Packages > L_Packages.gz"), 0);
	assert_int_equal(sh(t->dir, "xz -c Packages > L_Packages.xz"), 0);
	assert_int_equal(sh(t->dir, "lz4 -q -c Packages > L_Packages.lz4"), 0);
	expect_same_as_plain(t, "Packages");
	expect_same_as_plain(t, "L_Packages.gz");
	expect_same_as_plain(t, "L_Packages.xz");
	expect_same_as_plain(t, "/L_Packages.lz4");
}

static void
dpkg_source__reads_concatenated_members_and_frames(void **state)
{
	struct tmp *t = *state;

	/* gzip, xz and lz4 each define concatenation as the joined data. */
	assert_int_equal(sh(t->dir, "head -c 100000 Packages > a && "
			    "tail -c +100001 Packages > b && "
			    "{ gzip -c a; gzip -c b; } > C.gz && "
			    "{ xz -c a; xz -c b; } > C.xz && "
			    "{ lz4 -q -c a; lz4 -q -c b; } > C.lz4"), 0);
	expect_same_as_plain(t, "C.gz");
	expect_same_as_plain(t, "C.xz");
	expect_same_as_plain(t, "C.lz4");
}

static void
dpkg_source__parses_a_compressed_list(void **state)
{
	static const char *const want[] = { "Package", "Version", NULL };
	struct tmp *t = *state;
	struct dpkg_source *src = NULL;
	struct collected c;
	struct errbuf e;

	assert_int_equal(sh(t->dir, "lz4 -q -c Packages > P.lz4"), 0);
	memset(&c, 0, sizeof(c));
	dynbuf_init(&c.out, 64u * 1024 * 1024);
	assert_int_equal(dpkg_source_open(t->root, "P.lz4",
					  PLUMB_LARGE_FILE_MAX, &src, &e), 0);
	if (dpkg_parse(src, want, collect, &c, &e) != 0)
		fail_msg("%s", e.msg);
	assert_int_equal(c.stanzas, 3000);
	assert_non_null(strstr(c.out.data, "Package=pkg2999@23993\n"
			       "Version=29.99-3@23994\n--23993\n"));
	dpkg_source_free(src);
	dynbuf_release(&c.out);
}

static void
expect_read_error(struct tmp *t, const char *name, size_t max, int code,
		  const char *msg_part)
{
	struct errbuf e;
	char *data = NULL;
	size_t len = 0;
	int rc = read_all(t, name, max, &data, &len, &e);

	free(data);
	if (rc != code)
		fail_msg("%s: returned %d (%s), want %d", name, rc, e.msg,
			 code);
	if (strstr(e.msg, msg_part) == NULL)
		fail_msg("%s: message \"%s\" lacks \"%s\"", name, e.msg,
			 msg_part);
}

static void
dpkg_source__bomb_stops_at_the_cap(void **state)
{
	struct tmp *t = *state;

	/* 64 MiB of zeros compress to a few KiB: read with a 1 MiB cap. */
	assert_int_equal(sh(t->dir, "head -c 67108864 /dev/zero | gzip -c "
			    "> z.gz && head -c 67108864 /dev/zero | xz -c > "
			    "z.xz && head -c 67108864 /dev/zero | lz4 -q -c > "
			    "z.lz4"), 0);
	expect_read_error(t, "z.gz", 1u << 20, PLUMB_ELIMIT,
			  "/z.gz: more than 1048576 bytes after "
			  "decompression (a decompression bomb?)");
	expect_read_error(t, "z.xz", 1u << 20, PLUMB_ELIMIT,
			  "more than 1048576 bytes after decompression");
	expect_read_error(t, "z.lz4", 1u << 20, PLUMB_ELIMIT,
			  "more than 1048576 bytes after decompression");
}

static void
dpkg_source__bomb_past_the_large_file_cap_is_refused(void **state)
{
	struct tmp *t = *state;
	struct dpkg_source *src = NULL;
	struct collected c;
	struct errbuf e;

	/* The real cap, through the parser, as a hostile list would be
	 * read: NUL-free text so only the cap can stop it. */
	assert_int_equal(sh(t->dir, "awk 'BEGIN { for (i = 0; i < 2100000; "
			    "i++) printf \"Package: p%%d\\nVersion: 1\\n"
			    "Description: %%090d\\n\\n\", i, 0 }' | lz4 -q -1 -c "
			    "> huge_Packages.lz4"), 0);
	memset(&c, 0, sizeof(c));
	dynbuf_init(&c.out, 1);
	assert_int_equal(dpkg_source_open(t->root, "huge_Packages.lz4",
					  PLUMB_LARGE_FILE_MAX, &src, &e), 0);
	assert_int_equal(dpkg_parse(src, (const char *const[]){ "Nothing",
					NULL }, collect, &c, &e),
			 PLUMB_ELIMIT);
	assert_non_null(strstr(e.msg, "/huge_Packages.lz4: more than "
			       "268435456 bytes after decompression"));
	dpkg_source_free(src);
	dynbuf_release(&c.out);
}

static void
dpkg_source__truncated_and_corrupt_data_are_errors(void **state)
{
	struct tmp *t = *state;

	assert_int_equal(sh(t->dir, "gzip -c Packages | head -c 20000 > "
			    "t.gz && xz -c Packages | head -c 1500 > t.xz && "
			    "lz4 -q -c Packages | head -c 1500 > t.lz4 && "
			    "printf 'not compressed at all' | tee n.gz n.xz "
			    "n.lz4 >/dev/null && : > e.lz4 && : > e.gz"), 0);
	expect_read_error(t, "t.gz", PLUMB_LARGE_FILE_MAX, PLUMB_EPARSE,
			  "/t.gz: gzip data is truncated");
	expect_read_error(t, "t.xz", PLUMB_LARGE_FILE_MAX, PLUMB_EPARSE,
			  "/t.xz: xz data is truncated");
	expect_read_error(t, "t.lz4", PLUMB_LARGE_FILE_MAX, PLUMB_EPARSE,
			  "/t.lz4: lz4 data is truncated");
	expect_read_error(t, "n.gz", PLUMB_LARGE_FILE_MAX, PLUMB_EPARSE,
			  "/n.gz: corrupt gzip data");
	expect_read_error(t, "n.xz", PLUMB_LARGE_FILE_MAX, PLUMB_EPARSE,
			  "/n.xz: not xz data");
	expect_read_error(t, "n.lz4", PLUMB_LARGE_FILE_MAX, PLUMB_EPARSE,
			  "/n.lz4: corrupt lz4 data");
	expect_read_error(t, "e.lz4", PLUMB_LARGE_FILE_MAX, PLUMB_EPARSE,
			  "/e.lz4: empty lz4 file");
	expect_read_error(t, "e.gz", PLUMB_LARGE_FILE_MAX, PLUMB_EPARSE,
			  "/e.gz: gzip data is truncated");
}

static void
dpkg_source__nul_inside_compressed_list_is_error(void **state)
{
	struct tmp *t = *state;
	struct dpkg_source *src = NULL;
	struct collected c;
	struct errbuf e;

	assert_int_equal(sh(t->dir, "printf 'A: 1\\n\\nB: x\\000\\n' | xz -c "
			    "> nul.xz"), 0);
	memset(&c, 0, sizeof(c));
	dynbuf_init(&c.out, 1u << 20);
	assert_int_equal(dpkg_source_open(t->root, "nul.xz",
					  PLUMB_LARGE_FILE_MAX, &src, &e), 0);
	assert_int_equal(dpkg_parse(src, NULL, collect, &c, &e), PLUMB_EPARSE);
	assert_string_equal(e.msg, "/nul.xz:3: NUL byte");
	dpkg_source_free(src);
	dynbuf_release(&c.out);
}

static void
dpkg_source__unsupported_compression_and_non_files(void **state)
{
	struct tmp *t = *state;
	enum dpkg_comp comp;
	struct errbuf e;

	assert_int_equal(dpkg_comp_from_name("x_Packages.bz2", &comp, &e),
			 PLUMB_EINVAL);
	assert_non_null(strstr(e.msg, "bz2 compression is not read"));
	assert_int_equal(dpkg_comp_from_name("x_Packages.zst", &comp, &e),
			 PLUMB_EINVAL);
	assert_int_equal(dpkg_comp_from_name("x_Packages", &comp, &e), 0);
	assert_int_equal(comp, DPKG_COMP_NONE);
	assert_int_equal(dpkg_comp_from_name("x_Packages.lz4", &comp, &e), 0);
	assert_int_equal(comp, DPKG_COMP_LZ4);
	assert_int_equal(sh(t->dir, "mkdir -p d && mkfifo f"), 0);
	expect_read_error(t, "d", 1024, PLUMB_EIO, "/d: not a regular file");
	expect_read_error(t, "f", 1024, PLUMB_EIO, "/f: not a regular file");
	expect_read_error(t, "missing", 1024, PLUMB_ENOENT, "missing");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dpkg_parse__stanzas_fields_and_lines),
		cmocka_unit_test(dpkg_parse__continuation_lines_join_with_newline),
		cmocka_unit_test(dpkg_parse__blank_runs_and_blank_only_lines_separate),
		cmocka_unit_test(dpkg_parse__keeps_only_wanted_fields_case_insensitively),
		cmocka_unit_test(dpkg_parse__comments_and_empty_values),
		cmocka_unit_test(dpkg_parse__stanza_lookup),
		cmocka_unit_test(dpkg_parse__continuation_without_field_is_error),
		cmocka_unit_test(dpkg_parse__line_without_colon_is_error),
		cmocka_unit_test(dpkg_parse__nul_byte_is_error),
		cmocka_unit_test(dpkg_parse__wanted_field_twice_is_error),
		cmocka_unit_test(dpkg_parse__stanza_over_cap_is_refused),
		cmocka_unit_test(dpkg_parse__too_many_fields_is_refused),
		cmocka_unit_test(dpkg_parse__callback_error_stops_the_parse),
		cmocka_unit_test(dpkg_parse__plain_source_over_cap_is_refused),
		cmocka_unit_test(dpkg_db__reads_installed_packages_only),
		cmocka_unit_test(dpkg_db__malformed_status_names_the_line),
		cmocka_unit_test(dpkg_db__native_arch_without_dpkg_is_most_common),
		cmocka_unit_test_setup_teardown(dpkg_source__reads_gzip_xz_lz4_as_plain,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(dpkg_source__reads_concatenated_members_and_frames,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(dpkg_source__parses_a_compressed_list,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(dpkg_source__bomb_stops_at_the_cap,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(dpkg_source__bomb_past_the_large_file_cap_is_refused,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(dpkg_source__truncated_and_corrupt_data_are_errors,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(dpkg_source__nul_inside_compressed_list_is_error,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(dpkg_source__unsupported_compression_and_non_files,
						setup_tmp, teardown_tmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

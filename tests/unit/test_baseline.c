/*
 * test_baseline.c - the baseline loader and resolver: sound files load,
 * every hostile file is refused with a file:line message that reveals
 * nothing of the file or of what it points at, semantic problems are all
 * reported (not just the first), and `--baseline ID` picks the highest
 * semantic version.
 *
 * Fixtures come from tests/fixtures/hostile-baselines under $PLUMB_TOP (the
 * test runner's working directory when unset).  Each test that writes files
 * works in its own mkdtemp directory.
 */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "baseline.h"
#include "plumb_limits.h"
#include "support.h"

/* Written into every file an XXE fixture points at: it must never show. */
#define SECRET "PLUMB-SECRET-7f3a9c"

/* The XML declaration, then a <baseline> start tag with id x. */
#define XMLDECL "<?xml version=\"1.0\"?>\n"
#define BASELINE(version) "<baseline xmlns=\"urn:plumb:baseline:1\" " \
	"id=\"x\" version=\"" version "\">"

static const char *
top(void)
{
	const char *t = getenv("PLUMB_TOP");

	return t != NULL && *t != '\0' ? t : ".";
}

static char *
fixture(const char *name)
{
	return xasprintf("%s/tests/fixtures/hostile-baselines/%s", top(), name);
}

/* Each test's scratch directory and the problems of its last load. */
struct fx {
	char dir[SUPPORT_DIR_MAX];
	struct diags d;
	struct errbuf e;
};

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));

	support_tmpdir(f->dir, sizeof(f->dir), "baseline");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	support_rmtree(f->dir);
	diags_release(&f->d);
	free(f);
	return 0;
}

/* dir/name (the caller frees). */
static char *
fx_path(const struct fx *f, const char *name)
{
	return xasprintf("%s/%s", f->dir, name);
}

static void
write_str(const char *path, const char *s)
{
	struct errbuf e;

	assert_int_equal(write_file_atomic(path, s, strlen(s), 0644, &e), 0);
}

/* Copies the file src to dst, byte for byte. */
static void
copy_file(const char *src, const char *dst)
{
	struct errbuf e;
	char *buf = NULL;
	size_t len;

	assert_int_equal(read_local_file(src, PLUMB_XML_MAX, &buf, &len, &e), 0);
	assert_int_equal(write_file_atomic(dst, buf, len, 0644, &e), 0);
	free(buf);
}

/* The line number in "path:N: message". */
static long
line_of(const char *diag, const char *path)
{
	return strtol(diag + strlen(path) + 1, NULL, 10);
}

/* Loads path expecting a refusal, its problems in f->d and f->e; checks
 * every message names the file and none quotes forbidden (may be NULL). */
static void
refused(struct fx *f, const char *path, const char *forbidden)
{
	struct baseline *b = (struct baseline *)1;
	size_t i;

	diags_release(&f->d);
	assert_true(baseline_load(path, &b, &f->d, &f->e) < 0);
	assert_null(b);
	assert_true(f->d.n >= 1);
	assert_non_null(strstr(f->e.msg, path));
	for (i = 0; i < f->d.n; i++) {
		assert_int_equal(strncmp(f->d.lines[i], path, strlen(path)), 0);
		if (forbidden != NULL)
			assert_null(strstr(f->d.lines[i], forbidden));
	}
	if (forbidden != NULL)
		assert_null(strstr(f->e.msg, forbidden));
}

/* True when one of d's lines starts "path:line: " and contains want. */
static int
has_problem(const struct fx *f, const char *path, int line, const char *want)
{
	const struct diags *d = &f->d;
	char *prefix = xasprintf("%s:%d: ", path, line);
	size_t i;
	int found = 0;

	for (i = 0; i < d->n && !found; i++)
		found = strncmp(d->lines[i], prefix, strlen(prefix)) == 0 &&
			strstr(d->lines[i], want) != NULL;
	if (!found) {
		for (i = 0; i < d->n; i++)
			print_message("# got: %s\n", d->lines[i]);
		print_message("# want: %s... %s\n", prefix, want);
	}
	free(prefix);
	return found;
}

/* ---- sound files -------------------------------------------------------- */

static void
load__accepts_the_valid_fixture(void **state)
{
	struct fx *f = *state;
	char *path = fixture("valid.xml");
	struct baseline *b = NULL;

	assert_int_equal(baseline_load(path, &b, &f->d, &f->e), 0);
	assert_int_equal(f->d.n, 0);
	assert_string_equal(b->id, "hostile-valid");
	assert_string_equal(b->version, "1.0.0");
	assert_int_equal(b->ncontrols, 1);
	assert_string_equal(b->controls[0].id, "config.aslr");
	assert_int_equal(b->controls[0].line, 5);
	assert_int_equal(b->controls[0].nrefs, 1);
	assert_int_equal(b->controls[0].nchecks, 1);
	assert_non_null(b->controls[0].checks[0].ct);
	assert_string_equal(check_param_get(&b->controls[0].checks[0], "key"),
			    "kernel.randomize_va_space");
	assert_int_equal(check_param_int(&b->controls[0].checks[0], "equals",
					 -1), 2);
	assert_int_equal(strlen(b->sha256), 64);
	baseline_free(b);
	free(path);
}

static void
load__accepts_every_shipped_baseline(void **state)
{
	struct fx *f = *state;
	char *pattern = xasprintf("%s/baselines/*/*.xml", top());
	glob_t g;
	size_t i;

	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 1);
	for (i = 0; i < g.gl_pathc; i++) {
		struct baseline *b = NULL;
		int r = baseline_load(g.gl_pathv[i], &b, &f->d, &f->e);

		size_t j, config = 0;

		if (r != 0)
			print_message("# %s\n", f->e.msg);
		assert_int_equal(r, 0);
		assert_true(b->ncontrols >= 1);
		for (j = 0; j < b->ncontrols; j++) {
			assert_true(b->controls[j].nrefs >= 1);
			config += strcmp(b->controls[j].family, "config") == 0;
		}
		/* The default baseline: at least ten configuration controls. */
		if (strcmp(b->id, "smb-linux-workstation") == 0)
			assert_true(config >= 10);
		baseline_free(b);
	}
	globfree(&g);
	free(pattern);
}

/* ---- hostile files ------------------------------------------------------ */

struct hostile {
	const char *file;
	int line;		/* where the message points */
	const char *says;
	const char *never;	/* content of the file that must not show */
};

static const struct hostile hostile_cases[] = {
	{ "truncated.xml", 9, "Premature end of data", NULL },
	{ "xxe.xml", 4, "DOCTYPE is not allowed", SECRET },
	{ "xxe-parameter.xml", 3, "DOCTYPE is not allowed", SECRET },
	{ "xxe-external-subset.xml", 3, "DOCTYPE is not allowed", SECRET },
	{ "billion-laughs.xml", 2, "DOCTYPE is not allowed", "lol" },
	{ "invalid-utf8.xml", 3, "invalid UTF-8", "Not UTF-8" },
	{ "empty.xml", 1, "the file is empty", NULL },
	{ "duplicate-ids.xml", 12, "duplicate control id 'config.aslr' "
	  "(first defined at line 4)", "ASLR again" },
	{ "unknown-check-type.xml", 7, "unknown check type 'shell-command'",
	  "cat /etc/shadow" },
	{ "bad-version.xml", 2, "version '1.0' is not a semantic version",
	  "MAJOR.MINOR.PATCH</title>" },
};

/*
 * Each fixture is copied next to a secret.txt holding SECRET (the XXE
 * fixtures name it relative to themselves), so a parser that followed an
 * entity or a DTD would have the secret to leak.
 */
static void
load__refuses_each_hostile_fixture(void **state)
{
	struct fx *f = *state;
	char *secret = fx_path(f, "secret.txt");
	size_t i;

	write_str(secret, SECRET "\n");
	for (i = 0; i < sizeof(hostile_cases) / sizeof(hostile_cases[0]); i++) {
		const struct hostile *h = &hostile_cases[i];
		char *src = fixture(h->file), *dst = fx_path(f, h->file);
		size_t k;

		print_message("# %s\n", h->file);
		copy_file(src, dst);
		refused(f, dst, SECRET);
		assert_true(has_problem(f, dst, h->line, h->says));
		for (k = 0; k < f->d.n && h->never != NULL; k++)
			assert_null(strstr(f->d.lines[k], h->never));
		free(src);
		free(dst);
	}
	free(secret);
}

/* The same refusal when the entity names the secret by absolute path and
 * by file: URL, in the document and in an external subset. */
static void
load__xxe_by_absolute_path_reveals_nothing(void **state)
{
	/* What comes before and after the secret's path. */
	static const char *const shapes[][2] = {
		{ "<!DOCTYPE baseline [<!ENTITY s SYSTEM \"", "\">]>\n" },
		{ "<!DOCTYPE baseline [<!ENTITY s SYSTEM \"file://", "\">]>\n" },
		{ "<!DOCTYPE baseline SYSTEM \"", "\">\n" },
		{ "<!DOCTYPE baseline [<!ENTITY % p SYSTEM \"", "\"> %p;]>\n" },
	};
	struct fx *f = *state;
	char *secret = fx_path(f, "secret.txt");
	char *path = fx_path(f, "b.xml");
	size_t i;

	write_str(secret, SECRET "\n");
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		char *doctype = xasprintf("%s%s%s", shapes[i][0], secret,
					  shapes[i][1]);
		char *doc = xasprintf(XMLDECL "%s" BASELINE("1.0.0")
				      "<title>&s;</title></baseline>\n", doctype);

		write_str(path, doc);
		refused(f, path, SECRET);
		assert_true(has_problem(f, path, 2, "DOCTYPE is not allowed"));
		free(doctype);
		free(doc);
	}
	free(path);
	free(secret);
}

/* 50 MB in one attribute: refused from its size alone, before a byte is
 * parsed, so in far less than the time reading and parsing it would take. */
static void
load__refuses_a_50mb_attribute_quickly(void **state)
{
	static const char head[] = "<?xml version=\"1.0\"?>\n<baseline "
		"xmlns=\"urn:plumb:baseline:1\" version=\"1.0.0\" id=\"";
	static const char tail[] = "\"><title>t</title></baseline>\n";
	const size_t big = 50u * 1024 * 1024;
	struct fx *f = *state;
	char *path = fx_path(f, "big.xml");
	struct timespec t0, t1;
	char *buf = xmalloc(big);
	FILE *fp;
	double secs;

	memset(buf, 'a', big);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(head, fp) >= 0, 1);
	assert_int_equal(fwrite(buf, 1, big, fp), big);
	assert_int_equal(fputs(tail, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	free(buf);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	refused(f, path, "aaaaaaaaaaaaaaaa");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs < 1.0);
	assert_non_null(strstr(f->d.lines[0], "-byte limit"));
	assert_int_equal(f->d.n, 1);
	free(path);
}

/* A NUL byte: named with its line, and nothing after it is parsed. */
static void
load__refuses_a_nul_byte_with_its_line(void **state)
{
	static const char doc[] = "<?xml version=\"1.0\"?>\n<baseline>\n\0"
		"</baseline>\n";
	struct fx *f = *state;
	char *path = fx_path(f, "nul.xml");
	struct errbuf we;

	assert_int_equal(write_file_atomic(path, doc, sizeof(doc) - 1, 0644,
					   &we), 0);
	refused(f, path, NULL);
	assert_true(has_problem(f, path, 3, "NUL byte"));
	free(path);
}

/* Messages quote values from the file, but as one printable line. */
static void
load__quotes_hostile_values_without_control_characters(void **state)
{
	struct fx *f = *state;
	char *path = fx_path(f, "esc.xml");
	size_t i;

	write_str(path,
		  XMLDECL BASELINE("1.0.0") "<title>t</title>\n"
		  "<control id=\"a\" family=\"config\" severity=\"low\" "
		  "owner=\"msp\"><title>t</title><rationale>r</rationale>\n"
		  "<check type=\"sysctl\"><param name=\"key\">k</param>"
		  "<param name=\"min\">1&#x9b;2J&#10;x</param></check>"
		  "</control></baseline>\n");
	refused(f, path, NULL);
	assert_true(has_problem(f, path, 4, "parameter 'min'"));
	/* CSI (U+009B) and a newline, shown as escapes. */
	for (i = 0; i < f->d.n; i++) {
		assert_null(strstr(f->d.lines[i], "\xc2\x9b"));
		assert_null(strchr(f->d.lines[i], '\n'));
	}
	assert_true(has_problem(f, path, 4, "'1\\u009b2J\\x0ax'"));
	free(path);
}

/* ---- semantic problems, all of them ------------------------------------- */

struct semantic {
	const char *name;
	const char *body;	/* inside <baseline>, from line 3 */
	int line;
	const char *says;
};

#define CTL(id) "<control id=\"" id "\" family=\"config\" severity=\"low\" " \
	"owner=\"msp\"><title>t</title><rationale>r</rationale>"
#define SYSCTL "<check type=\"sysctl\"><param name=\"key\">k</param>" \
	"<param name=\"equals\">1</param></check>"

static const struct semantic semantic_cases[] = {
	{ "duplicate control id", "<title>t</title>\n" CTL("a") SYSCTL
	  "</control>\n" CTL("a") SYSCTL "</control>\n", 5,
	  "duplicate control id 'a' (first defined at line 4)" },
	{ "unknown check type", "<title>t</title>\n" CTL("a")
	  "\n<check type=\"nope\"/></control>\n", 5,
	  "unknown check type 'nope' (known: " },
	{ "missing baseline title", CTL("a") SYSCTL "</control>\n", 3,
	  "Element 'control': This element is not expected. Expected is "
	  "( title )" },
	{ "missing control rationale", "<title>t</title>\n"
	  "<control id=\"a\" family=\"config\" severity=\"low\" owner=\"msp\">"
	  "<title>t</title>\n" SYSCTL "</control>\n", 5,
	  "Expected is ( rationale )" },
	{ "control without a check", "<title>t</title>\n" CTL("a")
	  "</control>\n", 4,
	  "Missing child element(s). Expected is one of ( ref, check )" },
	{ "baseline without a control", "<title>t</title>\n", 2,
	  "Expected is one of ( description, control )" },
	{ "required parameter missing", "<title>t</title>\n" CTL("a")
	  "\n<check type=\"sysctl\"/></control>\n", 5,
	  "check type 'sysctl' needs parameter 'key'" },
	{ "unknown parameter", "<title>t</title>\n" CTL("a")
	  "<check type=\"sysctl\"><param name=\"key\">k</param>\n"
	  "<param name=\"colour\">red</param></check></control>\n", 5,
	  "has no parameter 'colour'" },
	{ "bad family", "<title>t</title>\n"
	  "<control id=\"a\" family=\"astrology\" severity=\"low\" "
	  "owner=\"msp\"><title>t</title><rationale>r</rationale>" SYSCTL
	  "</control>\n", 4, "attribute 'family'" },
};

static void
load__reports_each_semantic_problem(void **state)
{
	struct fx *f = *state;
	char *path = fx_path(f, "s.xml");
	size_t i;

	for (i = 0; i < sizeof(semantic_cases) / sizeof(semantic_cases[0]); i++) {
		const struct semantic *c = &semantic_cases[i];
		char *doc = xasprintf(XMLDECL BASELINE("1.0.0") "\n%s"
				      "</baseline>\n", c->body);

		print_message("# %s\n", c->name);
		write_str(path, doc);
		refused(f, path, NULL);
		assert_true(has_problem(f, path, c->line, c->says));
		free(doc);
	}
	free(path);
}

static const char *const bad_versions[] = {
	"1.0", "1", "01.0.0", "1.02.0", "1.0.0.0", "v1.0.0", "1.0.0-", "1.0.0-01",
	"1.0.0+build", "", "1..0",
};

static void
load__refuses_each_bad_version(void **state)
{
	struct fx *f = *state;
	char *path = fx_path(f, "v.xml");
	size_t i;

	for (i = 0; i < sizeof(bad_versions) / sizeof(bad_versions[0]); i++) {
		char *doc = xasprintf(XMLDECL BASELINE("%s") "\n<title>t</title>"
				      CTL("a") SYSCTL "</control></baseline>\n",
				      bad_versions[i]);

		print_message("# '%s'\n", bad_versions[i]);
		assert_false(semver_valid(bad_versions[i]));
		write_str(path, doc);
		refused(f, path, NULL);
		assert_true(has_problem(f, path, 2, "is not a semantic version"));
		/* The schema's pattern message is left to the loader's. */
		assert_int_equal(f->d.n, 1);
		free(doc);
	}
	free(path);
}

/* One file, several mistakes: every one is listed, in line order. */
static void
lint__reports_every_problem_in_line_order(void **state)
{
	struct fx *f = *state;
	char *path = fx_path(f, "many.xml");
	size_t i;

	write_str(path,
		  XMLDECL BASELINE("1.0") "\n"
		  "<title>t</title>\n"
		  CTL("a") SYSCTL "</control>\n"
		  CTL("b") "\n<check type=\"shell\"/></control>\n"
		  CTL("a") SYSCTL "</control>\n"
		  CTL("c") "\n<check type=\"sysctl\"><param name=\"key\">k"
		  "</param><param name=\"min\">ten</param></check></control>\n"
		  "<control id=\"d\" family=\"config\" severity=\"dire\" "
		  "owner=\"msp\"><title>t</title><rationale>r</rationale>"
		  SYSCTL "</control>\n"
		  "</baseline>\n");
	refused(f, path, NULL);
	assert_true(f->d.n >= 5);
	assert_true(has_problem(f, path, 2, "is not a semantic version"));
	assert_true(has_problem(f, path, 6, "unknown check type 'shell'"));
	assert_true(has_problem(f, path, 7, "duplicate control id 'a'"));
	assert_true(has_problem(f, path, 9, "'ten' is not an integer"));
	assert_true(has_problem(f, path, 10, "attribute 'severity'"));
	/* e holds the first of them. */
	assert_non_null(strstr(f->e.msg, ":2: "));
	for (i = 1; i < f->d.n; i++)
		assert_true(line_of(f->d.lines[i - 1], path) <=
			    line_of(f->d.lines[i], path));
	free(path);
}

/* ---- resolving an id ---------------------------------------------------- */

static void
make_version(const char *dir, const char *id, const char *ver)
{
	char *sub = xasprintf("%s/%s", dir, id);
	char *path = xasprintf("%s/%s.xml", sub, ver);
	char *doc = xasprintf(XMLDECL "<baseline xmlns=\"urn:plumb:baseline:1\" "
			      "id=\"%s\" version=\"%s\"><title>t</title>"
			      CTL("a") SYSCTL "</control></baseline>\n",
			      id, ver);

	(void)mkdir(sub, 0755);
	write_str(path, doc);
	free(doc);
	free(path);
	free(sub);
}

static void
resolve__picks_the_highest_semantic_version(void **state)
{
	static const char *const versions[] = {
		"1.2.0", "1.9.0", "1.10.0", "1.10.0-rc.1", "1.9.10", "0.99.0",
	};
	struct fx *f = *state;
	char *dir = fx_path(f, "first"), *other = fx_path(f, "second");
	char *want, *path = NULL, *search;
	char *old = getenv("PLUMB_BASELINE_PATH") != NULL ?
		xstrdup(getenv("PLUMB_BASELINE_PATH")) : NULL;
	struct baseline *b = NULL;
	size_t i;

	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(mkdir(other, 0755), 0);
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		make_version(dir, "acme", versions[i]);
	/* Not versions: never picked, whatever they sort as. */
	make_version(dir, "acme", "latest");
	make_version(dir, "acme", "9.0");
	/* A higher version later in the path does not outvote the first
	 * directory that has the id. */
	make_version(other, "acme", "2.0.0");

	search = xasprintf("%s:%s", dir, other);
	assert_int_equal(setenv("PLUMB_BASELINE_PATH", search, 1), 0);
	assert_int_equal(baseline_resolve("acme", &path, &f->e), 0);
	want = xasprintf("%s/acme/1.10.0.xml", dir);
	assert_string_equal(path, want);
	assert_int_equal(baseline_load(path, &b, NULL, &f->e), 0);
	assert_string_equal(b->version, "1.10.0");
	baseline_free(b);
	free(path);
	free(want);

	/* Only the later directory has it: found there. */
	make_version(other, "other", "3.1.4");
	assert_int_equal(baseline_resolve("other", &path, &f->e), 0);
	want = xasprintf("%s/other/3.1.4.xml", other);
	assert_string_equal(path, want);
	free(path);
	free(want);

	/* An unknown id says where it looked. */
	path = (char *)1;
	assert_int_equal(baseline_resolve("missing", &path, &f->e), PLUMB_ENOENT);
	assert_null(path);
	assert_non_null(strstr(f->e.msg, dir));
	/* Not an id and not a file. */
	assert_int_equal(baseline_resolve("../acme", &path, &f->e), PLUMB_ENOENT);

	if (old != NULL)
		setenv("PLUMB_BASELINE_PATH", old, 1);
	else
		unsetenv("PLUMB_BASELINE_PATH");
	free(old);
	free(search);
	free(dir);
	free(other);
}

struct order {
	const char *lo, *hi;
};

/* semver.org 2.0.0 item 11's own example chain, and numeric fields. */
static const struct order semver_orders[] = {
	{ "1.9.0", "1.10.0" }, { "1.10.0", "1.11.0" }, { "1.0.9", "1.0.10" },
	{ "9.99.99", "10.0.0" }, { "1.0.0-alpha", "1.0.0-alpha.1" },
	{ "1.0.0-alpha.1", "1.0.0-alpha.beta" },
	{ "1.0.0-alpha.beta", "1.0.0-beta" }, { "1.0.0-beta", "1.0.0-beta.2" },
	{ "1.0.0-beta.2", "1.0.0-beta.11" }, { "1.0.0-beta.11", "1.0.0-rc.1" },
	{ "1.0.0-rc.1", "1.0.0" }, { "not-a-version", "0.0.0" },
};

static void
semver_cmp__orders_as_semver_org(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(semver_orders) / sizeof(semver_orders[0]); i++) {
		const struct order *o = &semver_orders[i];

		print_message("# %s < %s\n", o->lo, o->hi);
		assert_true(semver_cmp(o->lo, o->hi) < 0);
		assert_true(semver_cmp(o->hi, o->lo) > 0);
		assert_int_equal(semver_cmp(o->hi, o->hi), 0);
	}
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(load__accepts_the_valid_fixture),
		T(load__accepts_every_shipped_baseline),
		T(load__refuses_each_hostile_fixture),
		T(load__xxe_by_absolute_path_reveals_nothing),
		T(load__refuses_a_50mb_attribute_quickly),
		T(load__refuses_a_nul_byte_with_its_line),
		T(load__quotes_hostile_values_without_control_characters),
		T(load__reports_each_semantic_problem),
		T(load__refuses_each_bad_version),
		T(lint__reports_every_problem_in_line_order),
		T(resolve__picks_the_highest_semantic_version),
		cmocka_unit_test(semver_cmp__orders_as_semver_org),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}

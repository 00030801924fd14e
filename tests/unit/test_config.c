/*
 * test_config.c - plumb.conf: every key's values accepted and refused with
 * file:line, the whole file refused on any problem, the documented example
 * parsing with every key set, and files root must not trust.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "diags.h"

/* Parses text; returns the code and leaves the problems in *d. */
static int
parse(struct config *c, const char *text, struct diags *d)
{
	config_init(c);
	return config_parse(c, "plumb.conf", text, strlen(text), d);
}

static void
config_parse__defaults_when_empty(void **state)
{
	struct config c;
	struct diags d = { NULL, 0 };

	(void)state;
	assert_int_equal(parse(&c, "# nothing\n\n   \n", &d), PLUMB_OK);
	assert_int_equal(d.n, 0);
	assert_null(c.baseline);
	assert_null(c.push_url);
	assert_int_equal(c.memory_max_mb, 768);
	assert_int_equal(c.time_budget_s, 3600);
	assert_int_equal(c.nice, 10);
	assert_int_equal(c.io_idle, 1);
	assert_int_equal(c.lock_wait_s, 0);
	assert_int_equal(c.push_attempts, 4);
	config_release(&c);
}

static void
config_parse__every_key_is_stored(void **state)
{
	static const char text[] =
		"baseline = smb-linux-server\n"
		"owners=/etc/plumb/owners.xml\n"
		"tailoring = /etc/plumb/t.xml\n"
		"\tdb =  /var/lib/plumb/h.db  \r\n"
		"root = /mnt/image\n"
		"yara_rules = /a/rules:/b/x.yar\n"
		"memory_max_mb = 0\n"
		"time_budget_s = 600\n"
		"nice = 19\n"
		"io_idle = off\n"
		"lock_wait_s = 30\n"
		"push_url = https://c.example.net/p?x=1#frag\n"
		"push_ca_file = /etc/plumb/ca.pem\n"
		"push_client_cert = /etc/plumb/c.pem\n"
		"push_client_key = /etc/plumb/c.key\n"
		"push_timeout_s = 5\n"
		"push_connect_timeout_s = 2\n"
		"push_attempts = 10";	/* no final newline */
	struct config c;
	struct diags d = { NULL, 0 };

	(void)state;
	assert_int_equal(parse(&c, text, &d), PLUMB_OK);
	assert_int_equal(d.n, 0);
	assert_string_equal(c.baseline, "smb-linux-server");
	assert_string_equal(c.owners, "/etc/plumb/owners.xml");
	assert_string_equal(c.tailoring, "/etc/plumb/t.xml");
	assert_string_equal(c.db, "/var/lib/plumb/h.db");
	assert_string_equal(c.root, "/mnt/image");
	assert_string_equal(c.yara_rules, "/a/rules:/b/x.yar");
	assert_int_equal(c.memory_max_mb, 0);
	assert_int_equal(c.time_budget_s, 600);
	assert_int_equal(c.nice, 19);
	assert_int_equal(c.io_idle, 0);
	assert_int_equal(c.lock_wait_s, 30);
	assert_string_equal(c.push_url, "https://c.example.net/p?x=1#frag");
	assert_string_equal(c.push_ca_file, "/etc/plumb/ca.pem");
	assert_string_equal(c.push_client_cert, "/etc/plumb/c.pem");
	assert_string_equal(c.push_client_key, "/etc/plumb/c.key");
	assert_int_equal(c.push_timeout_s, 5);
	assert_int_equal(c.push_connect_timeout_s, 2);
	assert_int_equal(c.push_attempts, 10);
	config_release(&c);
}

static void
config_parse__refuses_with_file_and_line(void **state)
{
	static const struct {
		const char *text;
		const char *want;	/* the first problem line */
	} cases[] = {
		{ "frobnicate = 1\n", "plumb.conf:1: unknown key 'frobnicate'" },
		{ "\n\njust words\n", "plumb.conf:3: expected 'key = value'" },
		{ " = x\n", "plumb.conf:1: a value without a key" },
		{ "db =\n", "plumb.conf:1: db: empty value" },
		{ "db = relative/h.db\n", "plumb.conf:1: db: 'relative/h.db' "
		  "is not an absolute path" },
		{ "yara_rules = /a::/b\n", "plumb.conf:1: yara_rules: '/a::/b' "
		  "is not an absolute path list" },
		{ "baseline = Bad_Id\n", "plumb.conf:1: baseline: 'Bad_Id' is "
		  "neither a baseline id" },
		{ "push_url = ftp://x\n", "plumb.conf:1: push_url: 'ftp://x' is "
		  "not an http:// or https:// URL" },
		{ "push_url = https:///nohost\n", "plumb.conf:1: push_url:" },
		{ "push_url = https://a b\n", "plumb.conf:1: push_url:" },
		{ "nice = 20\n", "plumb.conf:1: nice: '20' is not a whole number "
		  "from 0 to 19" },
		{ "nice = -1\n", "plumb.conf:1: nice: '-1'" },
		{ "memory_max_mb = 12MB\n", "plumb.conf:1: memory_max_mb: '12MB'" },
		{ "push_attempts = 0\n", "plumb.conf:1: push_attempts: '0'" },
		{ "io_idle = maybe\n", "plumb.conf:1: io_idle: 'maybe' is not yes "
		  "or no" },
		{ "nice = 1\nnice = 2\n", "plumb.conf:2: nice is already set on "
		  "line 1" },
		{ "push_client_cert = /c.pem\n", "plumb.conf:1: push_client_cert "
		  "is set but push_client_key is not" },
		{ "\npush_client_key = /c.key\n", "plumb.conf:2: push_client_key "
		  "is set but push_client_cert is not" },
		{ "db = /a\xff\n", "plumb.conf:1: not valid UTF-8" },
		{ "root = /\x01x\n", "plumb.conf:1: root:" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config c;
		struct diags d = { NULL, 0 };

		assert_int_equal(parse(&c, cases[i].text, &d), PLUMB_EINVAL);
		assert_true(d.n >= 1);
		if (strncmp(d.lines[0], cases[i].want,
			    strlen(cases[i].want)) != 0)
			fail_msg("case %zu: got '%s', want '%s...'", i,
				 d.lines[0], cases[i].want);
		diags_release(&d);
		config_release(&c);
	}
}

static void
config_parse__reports_every_problem_and_nul(void **state)
{
	static const char text[] = "nice = 99\nok line\0x\ndb = /x\nfoo = 1\n";
	struct config c;
	struct diags d = { NULL, 0 };

	(void)state;
	config_init(&c);
	assert_int_equal(config_parse(&c, "f", text, sizeof(text) - 1, &d),
			 PLUMB_EINVAL);
	assert_int_equal(d.n, 3);
	assert_true(strncmp(d.lines[0], "f:1: nice:", 10) == 0);
	assert_true(strncmp(d.lines[1], "f:2: a NUL byte", 15) == 0);
	assert_true(strncmp(d.lines[2], "f:4: unknown key 'foo'", 22) == 0);
	diags_release(&d);
	config_release(&c);
}

/* contrib/plumb.conf.example with every "#key = value" line uncommented
 * parses, and sets every key config.c knows: nothing undocumented. */
static void
config_parse__documented_example_sets_every_key(void **state)
{
	const char *top = getenv("PLUMB_TOP");
	char *path = NULL, *text = NULL, *line, *save = NULL;
	struct dynbuf b;
	struct errbuf e;
	struct config c;
	struct diags d = { NULL, 0 };
	size_t len, nkeys = 0;

	(void)state;
	path = xasprintf("%s/contrib/plumb.conf.example",
			 top != NULL ? top : ".");
	if (read_local_file(path, 1 << 20, &text, &len, &e) != PLUMB_OK)
		fail_msg("%s", e.msg);
	dynbuf_init(&b, 1 << 20);
	for (line = text; line != NULL && *line != '\0'; line = save) {
		save = strchr(line, '\n');
		if (save != NULL)
			*save++ = '\0';
		/* A commented setting is "#key = value" without a blank. */
		if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z' &&
		    strstr(line, " = ") != NULL) {
			dynbuf_printf(&b, "%s\n", line + 1);
			nkeys++;
		}
	}
	config_init(&c);
	if (config_parse(&c, path, b.data, b.len, &d) != PLUMB_OK)
		fail_msg("%s", d.lines[0]);
	assert_int_equal(nkeys, 18);
	assert_non_null(c.baseline);
	assert_non_null(c.owners);
	assert_non_null(c.tailoring);
	assert_non_null(c.db);
	assert_non_null(c.root);
	assert_non_null(c.yara_rules);
	assert_non_null(c.push_url);
	assert_non_null(c.push_ca_file);
	assert_non_null(c.push_client_cert);
	assert_non_null(c.push_client_key);
	config_release(&c);
	dynbuf_release(&b);
	free(text);
	free(path);
}

static char *
write_tmp(const char *text, mode_t mode)
{
	char *path = xstrdup("/tmp/plumb-test-config-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

static void
config_load__reads_a_file_and_names_it(void **state)
{
	char *path = write_tmp("nice = 3\n", 0600);
	struct config *c = NULL;
	struct diags d = { NULL, 0 };
	struct errbuf e = { "" };

	(void)state;
	assert_int_equal(config_load(path, &c, &d, &e), PLUMB_OK);
	assert_int_equal(c->nice, 3);
	assert_string_equal(c->path, path);
	config_free(c);
	unlink(path);
	free(path);
}

static void
config_load__refuses_malformed_missing_and_links(void **state)
{
	char *path = write_tmp("nice = x\n", 0600);
	char *link = xasprintf("%s.link", path);
	struct config *c = NULL;
	struct diags d = { NULL, 0 };
	struct errbuf e = { "" };

	(void)state;
	assert_int_equal(config_load(path, &c, &d, &e), PLUMB_EINVAL);
	assert_null(c);
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(e.msg, "refused; nothing was done"));
	diags_release(&d);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(config_load(link, &c, &d, &e), PLUMB_EPERM);
	assert_non_null(strstr(e.msg, "symbolic link"));
	unlink(link);
	assert_int_equal(config_load(link, &c, &d, &e), PLUMB_ENOENT);
	assert_null(c);
	unlink(path);
	free(path);
	free(link);
}

static void
config_load__root_refuses_a_file_others_can_change(void **state)
{
	char *path;
	struct config *c = NULL;
	struct diags d = { NULL, 0 };
	struct errbuf e = { "" };

	(void)state;
	if (geteuid() != 0)
		skip();
	path = write_tmp("nice = 3\n", 0666);
	assert_int_equal(config_load(path, &c, &d, &e), PLUMB_EPERM);
	assert_non_null(strstr(e.msg, "writable by group or others"));
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(chown(path, 1234, 0), 0);
	assert_int_equal(config_load(path, &c, &d, &e), PLUMB_EPERM);
	assert_non_null(strstr(e.msg, "owned by uid 1234"));
	assert_null(c);
	unlink(path);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(config_parse__defaults_when_empty),
		cmocka_unit_test(config_parse__every_key_is_stored),
		cmocka_unit_test(config_parse__refuses_with_file_and_line),
		cmocka_unit_test(config_parse__reports_every_problem_and_nul),
		cmocka_unit_test(config_parse__documented_example_sets_every_key),
		cmocka_unit_test(config_load__reads_a_file_and_names_it),
		cmocka_unit_test(config_load__refuses_malformed_missing_and_links),
		cmocka_unit_test(config_load__root_refuses_a_file_others_can_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

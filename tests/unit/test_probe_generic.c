/*
 * test_probe_generic.c - the file, sysctl and systemd-unit checks over the
 * config-pass and config-fail fixture roots, and against reference tools.
 *
 * The fixtures are copied to a temporary directory first: git keeps neither
 * file modes other than 644/755 nor owners, so the copy is given the modes
 * (0640 shadow on the good host, 0666 on the bad one) and, when the tests
 * run as root, the owners each case needs.  Cases that depend on owners are
 * skipped when not root.
 *
 * Oracles: `systemctl --root=DIR is-enabled` judges the same unit trees,
 * `sysctl -n` reads the same keys of this machine, `stat` describes the
 * same files of this machine, and `grep -nE` finds the same lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "baseline.h"
#include "probe.h"
#include "support.h"

static char tmp[SUPPORT_DIR_MAX];
static struct plat_root *roots[2];	/* config-pass, config-fail copies */
static int as_root;

enum { PASS_TREE, FAIL_TREE };

/* Runs argv with stdout and stderr captured into *out (caller frees);
 * returns the exit status, or -1 when it could not be run. */
static int
run(char *const argv[], char **out)
{
	struct dynbuf b;
	char buf[4096];
	int p[2], st;
	pid_t pid;
	ssize_t n;

	*out = NULL;
	if (pipe(p) != 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	dynbuf_init(&b, 1024 * 1024);
	while ((n = read(p[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && dynbuf_add(&b, buf, (size_t)n) != 0)
			break;
	close(p[0]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) {
		dynbuf_release(&b);
		return -1;
	}
	*out = dynbuf_take(&b, NULL);
	if (WEXITSTATUS(st) == 127) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return WEXITSTATUS(st);
}

static char *
tpath(int tree, const char *rel)
{
	return xasprintf("%s/%s/%s", tmp, tree == PASS_TREE ? "pass" : "fail",
			 rel);
}

static void
tput(int tree, const char *rel, const void *data, size_t n, mode_t mode)
{
	char *p = tpath(tree, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
	assert_int_equal(chmod(p, mode), 0);
	free(p);
}

static int
chown_zero(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return lchown(p, 0, 0);
}

static int
group_setup(void **state)
{
	const char *top = getenv("PLUMB_TOP");
	static const char *const names[2] = { "pass", "fail" };
	struct errbuf e;
	char line[320];
	int i;

	(void)state;
	if (top == NULL)
		top = ".";
	support_tmpdir(tmp, sizeof(tmp), "probe");
	as_root = geteuid() == 0;
	for (i = 0; i < 2; i++) {
		char *src = xasprintf("%s/tests/fixtures/config-%s/root", top,
				      names[i]);
		char *dst = xasprintf("%s/%s", tmp, names[i]);
		char *argv[] = { "cp", "-a", src, dst, NULL };
		char *out = NULL;
		int rc = run(argv, &out);

		free(out);
		free(src);
		if (rc != 0) {
			free(dst);
			return -1;
		}
		if (as_root && nftw(dst, chown_zero, 16, FTW_PHYS) != 0)
			return -1;
		free(dst);
	}
	{
		char *s = tpath(PASS_TREE, "etc/shadow");

		if (chmod(s, 0640) != 0)
			return -1;
		free(s);
		s = tpath(FAIL_TREE, "etc/shadow");
		if (chmod(s, 0666) != 0 || (as_root && chown(s, 1000, 42) != 0))
			return -1;
		free(s);
	}
	/* Files a case needs that are better made than committed. */
	tput(PASS_TREE, "etc/unowned", "x\n", 2, 0644);
	if (as_root) {
		char *s = tpath(PASS_TREE, "etc/unowned");

		if (chown(s, 4242, 4242) != 0)
			return -1;
		free(s);
	}
	tput(PASS_TREE, "etc/binary", "ab\0cd\n", 6, 0644);
	memset(line, 'x', 300);
	line[300] = '\n';
	tput(PASS_TREE, "etc/long", line, 301, 0644);
	{
		char *l = tpath(PASS_TREE, "etc/dangling");

		if (symlink("/nonexistent", l) != 0)
			return -1;
		free(l);
	}
	for (i = 0; i < 2; i++) {
		char *d = xasprintf("%s/%s", tmp, names[i]);

		if (plat_root_open(d, &roots[i], &e) != 0)
			return -1;
		free(d);
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	plat_root_free(roots[0]);
	plat_root_free(roots[1]);
	return support_rmtree(tmp);
}

/* A check built from name/value pairs, as the baseline loader builds one. */
static void
make_check(struct check *chk, const char *type, const char *const *kv)
{
	size_t n = 0, i;

	while (kv[2 * n] != NULL)
		n++;
	memset(chk, 0, sizeof(*chk));
	chk->type = xstrdup(type);
	chk->ct = check_type_find(type);
	chk->params = xcalloc(n ? n : 1, sizeof(*chk->params));
	chk->nparams = n;
	for (i = 0; i < n; i++) {
		chk->params[i].name = xstrdup(kv[2 * i]);
		chk->params[i].value = xstrdup(kv[2 * i + 1]);
		chk->params[i].line = (int)i + 1;
	}
}

static void
free_check(struct check *chk)
{
	size_t i;

	for (i = 0; i < chk->nparams; i++) {
		free(chk->params[i].name);
		free(chk->params[i].value);
	}
	free(chk->params);
	free(chk->type);
}

/* Validates, collects and judges one check the way the engine does. */
static void
evaluate(int tree, const char *type, const char *const *kv,
	 struct check_outcome *out, json_t **facts_out)
{
	struct probe_ctx ctx = { roots[tree], 0, NULL, NULL, "test" };
	struct errbuf e = { "" };
	struct check chk;
	json_t *facts = NULL;
	int rc;

	make_check(&chk, type, kv);
	assert_non_null(chk.ct);
	if (chk.ct->validate != NULL && chk.ct->validate(&chk, &e) != 0)
		fail_msg("%s: validate refused: %s", type, e.msg);
	memset(out, 0, sizeof(*out));
	rc = chk.ct->probe->collect(&ctx, chk.ct->subject ?
				    chk.ct->subject(&chk) : NULL, &facts, &e);
	if (rc != 0) {
		check_outcome_set(out, STATUS_ERROR, "%s", e.msg);
		out->evidence = json_object();
	} else {
		chk.ct->judge(facts, &chk, &ctx, out);
	}
	assert_non_null(out->message);
	assert_true(json_is_object(out->evidence));
	if (facts_out != NULL)
		*facts_out = facts;
	else
		json_decref(facts);
	free_check(&chk);
}

struct jcase {
	const char *name;
	int tree;
	const char *type;
	const char *kv[20];
	enum status want;
	const char *msg;	/* a part of the message */
	const char *ev;		/* a part of the compact, sorted evidence */
	int needs_root;
};

static const struct jcase cases[] = {
	/* ---- file ---- */
	{ "file__shadow_0640_within_mode_max_passes", PASS_TREE, "file",
	  { "path", "/etc/shadow", "type", "file", "mode_max", "0640",
	    "not_world_writable", "true", NULL },
	  STATUS_PASS, "is as required", "\"mode\":\"0640\"", 0 },
	{ "file__world_writable_shadow_fails_twice_over", FAIL_TREE, "file",
	  { "path", "/etc/shadow", "mode_max", "0640", "not_world_writable",
	    "true", NULL },
	  STATUS_FAIL, "allows more than 0640 (extra 0026); /etc/shadow is "
	  "world-writable", "\"mode\":\"0666\"", 0 },
	{ "file__exact_mode_passes", PASS_TREE, "file",
	  { "path", "/etc/shadow", "mode", "640", NULL },
	  STATUS_PASS, NULL, NULL, 0 },
	{ "file__exact_mode_names_both_modes", FAIL_TREE, "file",
	  { "path", "/etc/shadow", "mode", "0640", NULL },
	  STATUS_FAIL, "has mode 0666, must be 0640", NULL, 0 },
	{ "file__owner_and_group_names_come_from_the_root", PASS_TREE, "file",
	  { "path", "/etc/shadow", "owner", "root", "group", "root", NULL },
	  STATUS_PASS, NULL, "\"group\":\"root\"", 1 },
	{ "file__owner_mismatch_names_the_roots_user", FAIL_TREE, "file",
	  { "path", "/etc/shadow", "owner", "root", "group", "shadow", NULL },
	  STATUS_FAIL, "owner is alice, must be root", "\"owner\":\"alice\"",
	  1 },
	{ "file__numeric_owner_compares_the_uid", PASS_TREE, "file",
	  { "path", "/etc/shadow", "owner", "0", "group", "0", NULL },
	  STATUS_PASS, NULL, "\"uid\":0", 1 },
	{ "file__unnamed_uid_stays_a_number", PASS_TREE, "file",
	  { "path", "/etc/unowned", "owner", "4242", NULL },
	  STATUS_PASS, NULL, "\"owner\":null", 1 },
	{ "file__unnamed_uid_fails_a_named_owner", PASS_TREE, "file",
	  { "path", "/etc/unowned", "owner", "root", NULL },
	  STATUS_FAIL, "owner is 4242, which the root's etc/passwd does not "
	  "name", NULL, 1 },
	{ "file__missing_file_fails", PASS_TREE, "file",
	  { "path", "/etc/nope", NULL },
	  STATUS_FAIL, "/etc/nope does not exist", "\"exists\":false", 0 },
	{ "file__missing_file_passes_when_it_must_not_exist", PASS_TREE,
	  "file", { "path", "/etc/nope", "exists", "false", NULL },
	  STATUS_PASS, "does not exist, as required", NULL, 0 },
	{ "file__present_file_fails_when_it_must_not_exist", FAIL_TREE, "file",
	  { "path", "/etc/shadow", "exists", "false", NULL },
	  STATUS_FAIL, "exists and must not", NULL, 0 },
	{ "file__type_dir_passes_on_a_directory", PASS_TREE, "file",
	  { "path", "/etc", "type", "dir", NULL },
	  STATUS_PASS, NULL, "\"type\":\"dir\"", 0 },
	{ "file__type_dir_fails_on_a_file", PASS_TREE, "file",
	  { "path", "/etc/passwd", "type", "dir", NULL },
	  STATUS_FAIL, "is a file, must be a dir", NULL, 0 },
	{ "file__type_symlink_looks_at_the_link", PASS_TREE, "file",
	  { "path", "/etc/systemd/system/debug-shell.service", "type",
	    "symlink", NULL },
	  STATUS_PASS, NULL, "\"link_target\":\"/dev/null\"", 0 },
	{ "file__absolute_symlink_is_followed_inside_the_root", PASS_TREE,
	  "file", { "path", "/etc/systemd/system/multi-user.target.wants/"
		    "auditd.service", "type", "file", "match",
		    "^ExecStart=/sbin/auditd$", NULL },
	  STATUS_PASS, NULL, "\"link_target\":\"/lib/systemd/system/"
	  "auditd.service\"", 0 },
	{ "file__type_file_fails_on_a_dangling_link", PASS_TREE, "file",
	  { "path", "/etc/systemd/system/debug-shell.service", "type",
	    "file", NULL },
	  STATUS_FAIL, "is a symlink, must be a file", NULL, 0 },
	{ "file__type_file_passes_on_a_link_to_a_file", PASS_TREE, "file",
	  { "path", "/etc/systemd/system/sshd.service", "type", "file", NULL },
	  STATUS_PASS, NULL, "\"symlink\":true", 0 },
	{ "file__every_match_pattern_must_find_a_line", PASS_TREE, "file",
	  { "path", "/etc/ssh/sshd_config", "match",
	    "^PermitRootLogin[[:space:]]+no$", "match",
	    "^PasswordAuthentication[[:space:]]+no$", NULL },
	  STATUS_PASS, NULL, "{\"line\":3,\"pattern\":\"^PermitRootLogin"
	  "[[:space:]]+no$\",\"text\":\"PermitRootLogin no\"}", 0 },
	{ "file__match_without_a_line_fails", FAIL_TREE, "file",
	  { "path", "/etc/ssh/sshd_config", "match",
	    "^PermitRootLogin[[:space:]]+no$", NULL },
	  STATUS_FAIL, "no line of /etc/ssh/sshd_config matches "
	  "^PermitRootLogin", "\"matched\":[]", 0 },
	{ "file__no_match_names_file_and_line", FAIL_TREE, "file",
	  { "path", "/etc/shadow", "no_match", "^[^:]+::", NULL },
	  STATUS_FAIL, "/etc/shadow:3 and 1 more lines match forbidden "
	  "^[^:]+::", "{\"line\":5,\"pattern\":\"^[^:]+::\",\"text\":"
	  "\"test::19700:0:99999:7:::\"}", 0 },
	{ "file__no_match_on_a_clean_file_passes", PASS_TREE, "file",
	  { "path", "/etc/shadow", "no_match", "^[^:]+::", NULL },
	  STATUS_PASS, NULL, "\"matched\":[]", 0 },
	{ "file__dangling_link_fails_attribute_checks", PASS_TREE, "file",
	  { "path", "/etc/dangling", "mode_max", "0644", NULL },
	  STATUS_FAIL, "a symlink that does not resolve", "\"dangling\":true",
	  0 },
	{ "file__dangling_link_still_exists", PASS_TREE, "file",
	  { "path", "/etc/dangling", "type", "symlink", NULL },
	  STATUS_PASS, NULL, NULL, 0 },
	{ "file__matching_a_directory_is_an_error", PASS_TREE, "file",
	  { "path", "/etc", "match", "x", NULL },
	  STATUS_ERROR, "cannot match content: not a regular file", NULL, 0 },
	{ "file__matching_binary_content_is_an_error", PASS_TREE, "file",
	  { "path", "/etc/binary", "match", "x", NULL },
	  STATUS_ERROR, "NUL byte at offset 2", NULL, 0 },
	{ "file__a_failure_outranks_an_error", PASS_TREE, "file",
	  { "path", "/etc/binary", "mode", "0600", "match", "x", NULL },
	  STATUS_FAIL, "has mode 0644, must be 0600", NULL, 0 },
	/* ---- sysctl ---- */
	{ "sysctl__equals_passes", PASS_TREE, "sysctl",
	  { "key", "kernel.randomize_va_space", "equals", "2", NULL },
	  STATUS_PASS, NULL, "{\"key\":\"kernel.randomize_va_space\","
	  "\"path\":\"/proc/sys/kernel/randomize_va_space\",\"value\":\"2\"}",
	  0 },
	{ "sysctl__equals_fails_naming_both_values", FAIL_TREE, "sysctl",
	  { "key", "kernel.randomize_va_space", "equals", "2", NULL },
	  STATUS_FAIL, "kernel.randomize_va_space is \"0\", must be \"2\"",
	  NULL, 0 },
	{ "sysctl__one_of_passes", PASS_TREE, "sysctl",
	  { "key", "kernel.kptr_restrict", "one_of", "1", "one_of", "2", NULL },
	  STATUS_PASS, NULL, NULL, 0 },
	{ "sysctl__one_of_fails_listing_the_set", FAIL_TREE, "sysctl",
	  { "key", "kernel.kptr_restrict", "one_of", "1", "one_of", "2", NULL },
	  STATUS_FAIL, "must be one of \"1\", \"2\"", NULL, 0 },
	{ "sysctl__min_passes", PASS_TREE, "sysctl",
	  { "key", "kernel.yama.ptrace_scope", "min", "1", NULL },
	  STATUS_PASS, NULL, NULL, 0 },
	{ "sysctl__max_fails", FAIL_TREE, "sysctl",
	  { "key", "net.ipv4.ip_forward", "max", "0", NULL },
	  STATUS_FAIL, "net.ipv4.ip_forward is 1, must be at most 0", NULL, 0 },
	{ "sysctl__missing_key_is_an_error_by_default", FAIL_TREE, "sysctl",
	  { "key", "kernel.yama.ptrace_scope", "min", "1", NULL },
	  STATUS_ERROR, "does not exist on this kernel", "\"value\":null", 0 },
	{ "sysctl__missing_key_can_fail", FAIL_TREE, "sysctl",
	  { "key", "kernel.yama.ptrace_scope", "min", "1", "missing", "fail",
	    NULL },
	  STATUS_FAIL, "does not exist", NULL, 0 },
	{ "sysctl__missing_key_can_be_notapplicable", FAIL_TREE, "sysctl",
	  { "key", "kernel.yama.ptrace_scope", "min", "1", "missing",
	    "notapplicable", NULL },
	  STATUS_NOTAPPLICABLE, "does not exist", NULL, 0 },
	{ "sysctl__multi_field_value_normalises_whitespace", PASS_TREE,
	  "sysctl", { "key", "net.ipv4.tcp_rmem", "equals",
		      " 4096\t131072  6291456 ", NULL },
	  STATUS_PASS, NULL, "\"value\":\"4096 131072 6291456\"", 0 },
	{ "sysctl__multi_field_value_differs", FAIL_TREE, "sysctl",
	  { "key", "net.ipv4.tcp_rmem", "equals", "4096 131072 6291456",
	    NULL },
	  STATUS_FAIL, "is \"4096 87380 6291456\"", NULL, 0 },
	{ "sysctl__min_on_a_non_integer_is_an_error", PASS_TREE, "sysctl",
	  { "key", "net.ipv4.tcp_rmem", "min", "1", NULL },
	  STATUS_ERROR, "not an integer", NULL, 0 },
	{ "sysctl__slash_separated_key", PASS_TREE, "sysctl",
	  { "key", "net/ipv4/ip_forward", "equals", "0", NULL },
	  STATUS_PASS, NULL, "\"path\":\"/proc/sys/net/ipv4/ip_forward\"", 0 },
	{ "sysctl__a_key_naming_a_directory_is_an_error", PASS_TREE, "sysctl",
	  { "key", "net.ipv4", "equals", "0", NULL },
	  STATUS_ERROR, "not a regular file", NULL, 0 },
	/* ---- systemd-unit ---- */
	{ "systemd__enabled_by_a_wants_link", PASS_TREE, "systemd-unit",
	  { "unit", "auditd.service", NULL },
	  STATUS_PASS, "enabled (wanted by multi-user.target)",
	  "\"wanted_by\":[\"multi-user.target\"]", 0 },
	{ "systemd__service_suffix_is_added", PASS_TREE, "systemd-unit",
	  { "unit", "auditd", "enabled", "true", NULL },
	  STATUS_PASS, NULL, "\"unit\":\"auditd.service\"", 0 },
	{ "systemd__evidence_names_the_unit_file", PASS_TREE, "systemd-unit",
	  { "unit", "auditd", NULL },
	  STATUS_PASS, NULL, "\"path\":\"/lib/systemd/system/auditd.service\"",
	  0 },
	{ "systemd__installed_but_not_enabled_fails", FAIL_TREE,
	  "systemd-unit", { "unit", "auditd.service", NULL },
	  STATUS_FAIL, "installed but not enabled", "\"installed\":true", 0 },
	{ "systemd__not_installed_fails", PASS_TREE, "systemd-unit",
	  { "unit", "nope.service", "enabled", "true", NULL },
	  STATUS_FAIL, "not installed", "\"installed\":false", 0 },
	{ "systemd__not_installed_passes_enabled_false", PASS_TREE,
	  "systemd-unit", { "unit", "nope", "enabled", "false", NULL },
	  STATUS_PASS, "not installed", NULL, 0 },
	{ "systemd__masked_by_a_dev_null_link", PASS_TREE, "systemd-unit",
	  { "unit", "debug-shell.service", "masked", "true", NULL },
	  STATUS_PASS, "is masked", "\"masked\":true", 0 },
	{ "systemd__not_masked_fails_masked_true", FAIL_TREE, "systemd-unit",
	  { "unit", "debug-shell.service", "masked", "true", NULL },
	  STATUS_FAIL, "not masked, and must be", NULL, 0 },
	{ "systemd__a_masked_unit_is_not_enabled", PASS_TREE, "systemd-unit",
	  { "unit", "debug-shell.service", NULL },
	  STATUS_FAIL, "is masked", "\"enabled\":false", 0 },
	{ "systemd__disabled_unit_passes_enabled_false", PASS_TREE,
	  "systemd-unit", { "unit", "rsync", "enabled", "false", NULL },
	  STATUS_PASS, "not enabled", NULL, 0 },
	{ "systemd__enabled_unit_fails_enabled_false", FAIL_TREE,
	  "systemd-unit", { "unit", "rsync", "enabled", "false", NULL },
	  STATUS_FAIL, "rsync.service is enabled (wanted by multi-user.target)"
	  ", and must not be", NULL, 0 },
	{ "systemd__static_unit_counts_as_enabled", PASS_TREE, "systemd-unit",
	  { "unit", "systemd-journald.service", NULL },
	  STATUS_PASS, "is static", "\"static\":true", 0 },
	{ "systemd__instance_found_through_its_template", PASS_TREE,
	  "systemd-unit", { "unit", "getty@tty1.service", NULL },
	  STATUS_PASS, NULL, "\"wanted_by\":[\"getty.target\"]", 0 },
	{ "systemd__other_instance_is_not_enabled", PASS_TREE, "systemd-unit",
	  { "unit", "getty@tty2.service", NULL },
	  STATUS_FAIL, "installed but not enabled", NULL, 0 },
	{ "systemd__alias_link_counts_as_enabled", PASS_TREE, "systemd-unit",
	  { "unit", "sshd", NULL },
	  STATUS_PASS, NULL, "\"alias_of\":\"ssh.service\"", 0 },
	{ "systemd__install_alias_is_recorded", PASS_TREE, "systemd-unit",
	  { "unit", "ssh", NULL },
	  STATUS_PASS, NULL, "\"aliased_as\":[\"sshd.service\"]", 0 },
};

static void
judge_case(void **state)
{
	const struct jcase *c = *state;
	struct check_outcome out;
	char *ev;

	if (c->needs_root && !as_root)
		skip();
	evaluate(c->tree, c->type, c->kv, &out, NULL);
	ev = json_dumps(out.evidence, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(ev);
	if (out.status != c->want)
		fail_msg("status %s, want %s: %s; evidence %s",
			 status_name(out.status), status_name(c->want),
			 out.message, ev);
	if (c->msg != NULL && strstr(out.message, c->msg) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", out.message, c->msg);
	if (c->ev != NULL && strstr(ev, c->ev) == NULL)
		fail_msg("evidence %s lacks %s", ev, c->ev);
	free(ev);
	free(out.message);
	json_decref(out.evidence);
}

/* ---- parameters refused at load ---------------------------------------- */

struct vcase {
	const char *type;
	const char *kv[12];
	const char *msg;
};

static const struct vcase refused[] = {
	{ "file", { "path", "etc/passwd", NULL }, "must be absolute" },
	{ "file", { "path", "/etc/passwd", "mode", "0999", NULL },
	  "not an octal mode" },
	{ "file", { "path", "/etc/passwd", "mode_max", "17777", NULL },
	  "not an octal mode" },
	{ "file", { "path", "/etc/passwd", "type", "pipe", NULL },
	  "type \"pipe\" is not one of" },
	{ "file", { "path", "/etc/passwd", "match", "(unclosed", NULL },
	  "match regex \"(unclosed\"" },
	{ "file", { "path", "/etc/passwd", "no_match", "a[", NULL },
	  "no_match regex" },
	{ "file", { "path", "/etc/passwd", "exists", "false", "mode", "0644",
		    NULL }, "mode cannot be checked when exists is false" },
	{ "file", { "path", "/etc/passwd", "owner", "a:b", NULL },
	  "not a user or group name" },
	{ "sysctl", { "key", "../../etc/passwd", "equals", "1", NULL },
	  "is not a sysctl name" },
	{ "sysctl", { "key", "kernel..x", "equals", "1", NULL },
	  "is not a sysctl name" },
	{ "sysctl", { "key", "kernel.x", NULL }, "needs equals, one_of" },
	{ "sysctl", { "key", "kernel.x", "equals", "1", "missing", "maybe",
		      NULL }, "missing must be fail" },
	{ "sysctl", { "key", "kernel.x", "min", "5", "max", "1", NULL },
	  "min 5 is above max 1" },
	{ "systemd-unit", { "unit", "../etc/passwd", NULL },
	  "is not a unit name" },
	{ "systemd-unit", { "unit", "a b.service", NULL },
	  "is not a unit name" },
	{ "systemd-unit", { "unit", "x", "masked", "true", "enabled", "true",
			    NULL }, "both masked and enabled" },
};

static void
validate__refuses_bad_parameters(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct errbuf e = { "" };
		struct check chk;

		make_check(&chk, refused[i].type, refused[i].kv);
		assert_non_null(chk.ct);
		if (chk.ct->validate(&chk, &e) == 0)
			fail_msg("%s case %zu was accepted", refused[i].type, i);
		if (strstr(e.msg, refused[i].msg) == NULL)
			fail_msg("%s case %zu: \"%s\" lacks \"%s\"",
				 refused[i].type, i, e.msg, refused[i].msg);
		free_check(&chk);
	}
}

static void
registry__lists_the_generic_check_types(void **state)
{
	static const char *const names[] = { "file", "sysctl", "systemd-unit" };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		const struct check_type *ct = check_type_find(names[i]);

		assert_non_null(ct);
		assert_non_null(ct->probe);
		assert_non_null(ct->judge);
		assert_non_null(ct->params[0].name);
		assert_true(ct->params[0].flags & CHECK_PARAM_REQUIRED);
	}
}

static void
file__evidence_text_is_truncated_to_200_characters(void **state)
{
	static const char *const kv[] = { "path", "/etc/long", "match", "^x",
					  NULL };
	struct check_outcome out;
	const char *text;

	(void)state;
	evaluate(PASS_TREE, "file", kv, &out, NULL);
	assert_int_equal(out.status, STATUS_PASS);
	text = json_string_value(json_object_get(json_array_get(
		json_object_get(out.evidence, "matched"), 0), "text"));
	assert_non_null(text);
	assert_int_equal(strlen(text), PLUMB_EVIDENCE_TEXT_MAX);
	free(out.message);
	json_decref(out.evidence);
}

/* ---- oracles ------------------------------------------------------------ */

/* systemctl --root=DIR is-enabled agrees on every unit of both trees:
 * exit 0 exactly when enabled=true passes, "masked" exactly when the probe
 * says masked, "No such file" exactly when it says not installed. */
static void
systemd__agrees_with_systemctl_is_enabled(void **state)
{
	static const char *const units[] = {
		"auditd.service", "ssh.service", "sshd.service",
		"debug-shell.service", "systemd-journald.service",
		"rsync.service", "getty@tty1.service", "getty@tty2.service",
		"nope.service",
	};
	size_t t, i, compared = 0;

	(void)state;
	for (t = 0; t < 2; t++) {
		char *rootopt = xasprintf("--root=%s/%s", tmp,
					  t == PASS_TREE ? "pass" : "fail");

		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			const char *kv[] = { "unit", units[i], NULL };
			char *argv[] = { "systemctl", rootopt, "is-enabled",
					 (char *)units[i], NULL };
			struct check_outcome out;
			json_t *facts = NULL;
			char *so = NULL;
			int rc = run(argv, &so);

			if (rc < 0) {
				free(rootopt);
				skip();
			}
			evaluate((int)t, "systemd-unit", kv, &out, &facts);
			if ((rc == 0) != (out.status == STATUS_PASS) ||
			    (strncmp(so, "masked", 6) == 0) !=
			    json_is_true(json_object_get(facts, "masked")) ||
			    (strstr(so, "No such file") != NULL) !=
			    (!json_is_true(json_object_get(facts, "installed")) &&
			     !json_is_true(json_object_get(facts, "masked"))))
				fail_msg("%s in %s: systemctl says \"%.40s\" "
					 "(exit %d), plumb says %s: %s",
					 units[i], rootopt, so, rc,
					 status_name(out.status), out.message);
			compared++;
			free(so);
			free(out.message);
			json_decref(out.evidence);
			json_decref(facts);
		}
		free(rootopt);
	}
	assert_int_equal(compared, 18);
}

/* The sysctl probe on this machine's own root reads what sysctl(8) reads,
 * multi-field values included. */
static void
sysctl__agrees_with_sysctl_on_this_host(void **state)
{
	static const char *const keys[] = {
		"kernel.ostype", "kernel.osrelease", "kernel.randomize_va_space",
		"net.ipv4.tcp_rmem", "net.ipv4.ip_local_port_range",
		"fs.protected_symlinks", "vm.overcommit_memory",
	};
	struct probe_ctx ctx = { NULL, 0, NULL, NULL, "test" };
	struct plat_root *live = NULL;
	struct errbuf e;
	size_t i;

	(void)state;
	assert_int_equal(plat_root_open("/", &live, &e), 0);
	ctx.root = live;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char *argv[] = { "sysctl", "-n", (char *)keys[i], NULL };
		char *so = NULL, *w, *o;
		json_t *facts = NULL;
		int rc = run(argv, &so);
		const char *sp;

		if (rc < 0) {
			plat_root_free(live);
			skip();
		}
		if (rc != 0) {
			free(so);
			continue;
		}
		/* Normalise sysctl's output the way the probe promises to. */
		w = xmalloc(strlen(so) + 1);
		o = w;
		for (sp = so; *sp != '\0'; sp++) {
			if (*sp == ' ' || *sp == '\t' || *sp == '\n') {
				if (o != w && o[-1] != ' ')
					*o++ = ' ';
			} else {
				*o++ = *sp;
			}
		}
		while (o > w && o[-1] == ' ')
			o--;
		*o = '\0';
		assert_int_equal(check_type_find("sysctl")->probe->collect(
					 &ctx, keys[i], &facts, &e), 0);
		assert_string_equal(json_string_value(json_object_get(facts,
								      "value")),
				    w);
		json_decref(facts);
		free(w);
		free(so);
	}
	plat_root_free(live);
}

/* The file probe on this machine's root describes files as stat(1) does:
 * permission bits (setuid and sticky included), owner, group, size. */
static void
file__agrees_with_stat_on_this_host(void **state)
{
	static const char *const paths[] = {
		"/etc/passwd", "/etc/shadow", "/usr/bin/passwd", "/tmp",
		"/usr/bin/su", "/etc/hostname",
	};
	struct plat_root *live = NULL;
	struct errbuf e;
	size_t i, compared = 0;

	(void)state;
	assert_int_equal(plat_root_open("/", &live, &e), 0);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct probe_ctx ctx = { live, 0, NULL, NULL, "test" };
		char *argv[] = { "stat", "-L", "-c", "%a %U %G %s",
				 (char *)paths[i], NULL };
		const char *kv[] = { "path", paths[i], NULL };
		struct check_outcome out;
		struct check chk;
		json_t *facts = NULL;
		char *so = NULL, *mine;
		unsigned mode;
		int rc = run(argv, &so);

		if (rc < 0) {
			plat_root_free(live);
			skip();
		}
		if (rc != 0) {
			free(so);
			continue;
		}
		make_check(&chk, "file", kv);
		assert_int_equal(chk.ct->probe->collect(&ctx, paths[i], &facts,
							&e), 0);
		memset(&out, 0, sizeof(out));
		chk.ct->judge(facts, &chk, &ctx, &out);
		assert_int_equal(sscanf(json_string_value(json_object_get(
			out.evidence, "mode")), "%o", &mode), 1);
		mine = xasprintf("%o %s %s %lld\n", mode,
				 json_string_value(json_object_get(out.evidence,
								   "owner")),
				 json_string_value(json_object_get(out.evidence,
								   "group")),
				 (long long)json_integer_value(json_object_get(
					 out.evidence, "size")));
		if (strcmp(mine, so) != 0)
			fail_msg("%s: stat says %s, plumb says %s", paths[i], so,
				 mine);
		compared++;
		free(mine);
		free(so);
		free(out.message);
		json_decref(out.evidence);
		json_decref(facts);
		free_check(&chk);
	}
	assert_true(compared >= 3);
	plat_root_free(live);
}

/* no_match lists the lines grep -nE finds, in order. */
static void
file__no_match_lines_agree_with_grep(void **state)
{
	static const struct {
		int tree;
		const char *path, *re;
	} greps[] = {
		{ FAIL_TREE, "etc/shadow", "^[^:]+::" },
		{ FAIL_TREE, "etc/ssh/sshd_config", "yes$" },
		{ PASS_TREE, "etc/passwd", "nologin$" },
		{ PASS_TREE, "etc/ssh/sshd_config", "^[A-Z][a-z]+Auth" },
		{ PASS_TREE, "etc/group", "^(root|shadow):" },
	};
	size_t k, i;

	(void)state;
	for (k = 0; k < sizeof(greps) / sizeof(greps[0]); k++) {
		char *abs = tpath(greps[k].tree, greps[k].path);
		char *lp = xasprintf("/%s", greps[k].path);
		const char *kv[] = { "path", lp, "no_match", greps[k].re, NULL };
		char *argv[] = { "grep", "-nE", (char *)greps[k].re, abs, NULL };
		struct check_outcome out;
		struct dynbuf mine;
		const json_t *m;
		char *so = NULL, *got;
		int rc = run(argv, &so);

		if (rc < 0)
			skip();
		evaluate(greps[k].tree, "file", kv, &out, NULL);
		assert_int_equal(out.status, rc == 0 ? STATUS_FAIL : STATUS_PASS);
		m = json_object_get(out.evidence, "matched");
		dynbuf_init(&mine, 1024 * 1024);
		for (i = 0; i < json_array_size(m); i++) {
			const json_t *it = json_array_get(m, i);

			assert_int_equal(dynbuf_printf(&mine, "%lld:%s\n",
				(long long)json_integer_value(json_object_get(it,
									"line")),
				json_string_value(json_object_get(it, "text"))), 0);
		}
		got = dynbuf_take(&mine, NULL);
		if (strcmp(got, so) != 0)
			fail_msg("%s /%s/: grep says\n%splumb says\n%s",
				 greps[k].path, greps[k].re, so, got);
		free(got);
		free(so);
		free(abs);
		free(lp);
		free(out.message);
		json_decref(out.evidence);
	}
}

int
main(void)
{
	size_t nc = sizeof(cases) / sizeof(cases[0]), i;
	struct CMUnitTest *tests = xcalloc(nc + 8, sizeof(*tests));
	size_t n = 0;
	int rc;

	for (i = 0; i < nc; i++) {
		tests[n].name = cases[i].name;
		tests[n].test_func = judge_case;
		tests[n].initial_state = (void *)&cases[i];
		n++;
	}
#define ADD(f) tests[n].name = #f, tests[n].test_func = f, n++
	ADD(validate__refuses_bad_parameters);
	ADD(registry__lists_the_generic_check_types);
	ADD(file__evidence_text_is_truncated_to_200_characters);
	ADD(systemd__agrees_with_systemctl_is_enabled);
	ADD(sysctl__agrees_with_sysctl_on_this_host);
	ADD(file__agrees_with_stat_on_this_host);
	ADD(file__no_match_lines_agree_with_grep);
#undef ADD
	rc = _cmocka_run_group_tests("probe_generic", tests, n, group_setup,
				     group_teardown);
	free(tests);
	return rc;
}

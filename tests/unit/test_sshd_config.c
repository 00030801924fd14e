/*
 * test_sshd_config.c - the effective sshd configuration is computed as
 * sshd computes it: first value wins, includes at their place in sorted
 * order, Match blocks per connection, quoting, defaults, and what sshd
 * would refuse.
 *
 * Each case writes a small tree to a temporary scan root, reads
 * /etc/ssh/sshd_config from it, and checks keyword values (with the
 * file:line they came from) for a connection given as "sshd -T -C" takes
 * it.  tests/e2e/sshd_oracle.sh compares the same computation with sshd -T
 * itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "plat.h"
#include "sshd_config.h"
#include "support.h"

struct expect {
	const char *key;
	const char *value;
	const char *file;	/* NULL: a compiled-in default */
	int line;
};

struct sshd_case {
	const char *name;
	struct support_file files[6];
	const char *conn;		/* "-C" spec, NULL for none */
	struct expect want[6];
	const char *error;		/* substring of a recorded error */
	const char *unknown;		/* keyword recorded as unknown */
};

#define CFG "etc/ssh/sshd_config"
#define CFGP "/etc/ssh/sshd_config"

static const struct sshd_case cases[] = {
	{
		.name = "sshd__first_value_wins",
		.files = { { CFG, "PasswordAuthentication no\n"
			     "PasswordAuthentication yes\n"
			     "MaxAuthTries 3\nMaxAuthTries 9\n" } },
		.want = { { "passwordauthentication", "no", CFGP, 1 },
			  { "maxauthtries", "3", CFGP, 3 } },
	},
	{
		.name = "sshd__dropin_included_first_wins_over_main_file",
		.files = {
			{ CFG, "Include /etc/ssh/sshd_config.d/*.conf\n"
			  "KbdInteractiveAuthentication no\n"
			  "PasswordAuthentication no\n"
			  "UsePAM yes\n" },
			{ "etc/ssh/sshd_config.d/50-cloud-init.conf",
			  "PasswordAuthentication yes\n" } },
		.want = { { "passwordauthentication", "yes",
			    "/etc/ssh/sshd_config.d/50-cloud-init.conf", 1 },
			  { "usepam", "yes", CFGP, 4 },
			  { "kbdinteractiveauthentication", "no", CFGP, 2 } },
	},
	{
		.name = "sshd__include_glob_is_read_in_lexical_order",
		.files = {
			{ CFG, "Include sshd_config.d/*.conf\n" },
			{ "etc/ssh/sshd_config.d/20-b.conf",
			  "X11Forwarding no\nPermitRootLogin yes\n" },
			{ "etc/ssh/sshd_config.d/10-a.conf",
			  "X11Forwarding yes\n" },
			{ "etc/ssh/sshd_config.d/README", "PermitRootLogin no\n" } },
		.want = { { "x11forwarding", "yes",
			    "/etc/ssh/sshd_config.d/10-a.conf", 1 },
			  { "permitrootlogin", "yes",
			    "/etc/ssh/sshd_config.d/20-b.conf", 2 } },
	},
	{
		.name = "sshd__unset_keywords_take_compiled_in_defaults",
		.files = { { CFG, "# nothing set\n\n" } },
		.want = { { "permitrootlogin", "prohibit-password", NULL, 0 },
			  { "passwordauthentication", "yes", NULL, 0 },
			  { "kbdinteractiveauthentication", "yes", NULL, 0 },
			  { "usepam", "no", NULL, 0 },
			  { "authenticationmethods", "any", NULL, 0 },
			  { "maxauthtries", "6", NULL, 0 } },
	},
	{
		.name = "sshd__match_block_overrides_for_matching_user",
		.files = { { CFG, "PasswordAuthentication no\n"
			     "Match User alice,bob\n"
			     "  PasswordAuthentication yes\n"
			     "  AuthenticationMethods publickey\n" } },
		.conn = "user=alice,host=h,addr=127.0.0.1",
		.want = { { "passwordauthentication", "yes", CFGP, 3 },
			  { "authenticationmethods", "publickey", CFGP, 4 } },
	},
	{
		.name = "sshd__match_block_leaves_other_users_alone",
		.files = { { CFG, "PasswordAuthentication no\n"
			     "Match User alice,bob\n"
			     "  PasswordAuthentication yes\n" } },
		.conn = "user=carol,host=h,addr=127.0.0.1",
		.want = { { "passwordauthentication", "no", CFGP, 1 } },
	},
	{
		.name = "sshd__global_values_ignore_user_match_blocks",
		.files = { { CFG, "Match User root\n"
			     "  PermitRootLogin yes\n" } },
		.want = { { "permitrootlogin", "prohibit-password", NULL, 0 } },
	},
	{
		.name = "sshd__match_all_overrides_earlier_global_value",
		.files = { { CFG, "PasswordAuthentication yes\n"
			     "Match all\n"
			     "PasswordAuthentication no\n" } },
		.want = { { "passwordauthentication", "no", CFGP, 3 } },
	},
	{
		.name = "sshd__negated_address_excludes_a_subnet",
		.files = { { CFG, "Match Address 10.0.0.0/8,!10.1.0.0/16\n"
			     "  X11Forwarding yes\n"
			     "Match Address 192.168.1.*\n"
			     "  MaxAuthTries 2\n" } },
		.conn = "user=u,host=h,addr=10.1.2.3",
		.want = { { "x11forwarding", "no", NULL, 0 },
			  { "maxauthtries", "6", NULL, 0 } },
	},
	{
		.name = "sshd__cidr_and_wildcard_addresses_match",
		.files = { { CFG, "Match Address 10.0.0.0/8,!10.1.0.0/16\n"
			     "  X11Forwarding yes\n"
			     "Match Address 192.168.1.*\n"
			     "  MaxAuthTries 2\n" } },
		.conn = "user=u,host=h,addr=10.2.3.4",
		.want = { { "x11forwarding", "yes", CFGP, 2 },
			  { "maxauthtries", "6", NULL, 0 } },
	},
	{
		.name = "sshd__include_inside_match_belongs_to_the_block",
		.files = {
			{ CFG, "Match User root\n"
			  "  Include /etc/ssh/m.conf\n" },
			{ "etc/ssh/m.conf", "MaxAuthTries 2\nMatch all\n"
			  "PermitRootLogin no\n" } },
		.conn = "user=root,host=h,addr=127.0.0.1",
		.want = { { "maxauthtries", "2", "/etc/ssh/m.conf", 1 },
			  { "permitrootlogin", "no", "/etc/ssh/m.conf", 3 } },
	},
	{
		.name = "sshd__match_all_inside_unmatched_block_never_applies",
		.files = {
			{ CFG, "Match User root\n"
			  "  Include /etc/ssh/m.conf\n" },
			{ "etc/ssh/m.conf", "MaxAuthTries 2\nMatch all\n"
			  "PermitRootLogin no\n" } },
		.conn = "user=bob,host=h,addr=127.0.0.1",
		.want = { { "maxauthtries", "6", NULL, 0 },
			  { "permitrootlogin", "prohibit-password", NULL, 0 } },
	},
	{
		.name = "sshd__quoted_values_and_equals_sign",
		.files = { { CFG, "Banner \"/etc/issue net\"\n"
			     "AuthorizedKeysFile \".ssh/a b\" .ssh/c\n"
			     "PermitRootLogin=no\n"
			     "MaxAuthTries = 4\n"
			     "ForceCommand /usr/sbin/login_duo -c 'a b'\n" } },
		.want = { { "banner", "/etc/issue net", CFGP, 1 },
			  { "authorizedkeysfile", ".ssh/a b .ssh/c", CFGP, 2 },
			  { "permitrootlogin", "no", CFGP, 3 },
			  { "maxauthtries", "4", CFGP, 4 },
			  { "forcecommand", "/usr/sbin/login_duo -c 'a b'", CFGP,
			    5 } },
	},
	{
		.name = "sshd__keywords_and_flags_are_case_insensitive",
		.files = { { CFG, "PASSWORDAUTHENTICATION No\n"
			     "challengeresponseauthentication NO\n"
			     "permitrootlogin Without-Password\n"
			     "LoginGraceTime 2m\n" } },
		.want = { { "passwordauthentication", "no", CFGP, 1 },
			  { "kbdinteractiveauthentication", "no", CFGP, 2 },
			  { "permitrootlogin", "prohibit-password", CFGP, 3 },
			  { "logingracetime", "120", CFGP, 4 } },
	},
	{
		.name = "sshd__unknown_keyword_is_tolerated_and_recorded",
		.files = { { CFG, "FrobnicateLogins yes\n"
			     "PermitRootLogin no\n" } },
		.want = { { "permitrootlogin", "no", CFGP, 2 } },
		.unknown = "FrobnicateLogins",
	},
	{
		.name = "sshd__invalid_flag_value_is_an_error",
		.files = { { CFG, "PasswordAuthentication maybe\n" } },
		.want = { { "passwordauthentication", "yes", NULL, 0 } },
		.error = CFGP ":1: PasswordAuthentication: unsupported option",
	},
	{
		.name = "sshd__global_only_keyword_in_match_is_an_error",
		.files = { { CFG, "Match User x\n  UsePAM yes\n" } },
		.want = { { "usepam", "no", NULL, 0 } },
		.error = "Directive 'UsePAM' is not allowed within a Match "
			"block",
	},
	{
		.name = "sshd__include_cycle_is_recorded_not_followed",
		.files = {
			{ CFG, "Include /etc/ssh/a.conf\n" },
			{ "etc/ssh/a.conf", "MaxAuthTries 5\n"
			  "Include /etc/ssh/sshd_config\n" } },
		.want = { { "maxauthtries", "5", "/etc/ssh/a.conf", 1 } },
		.error = "include cycle through /etc/ssh/sshd_config",
	},
	{
		.name = "sshd__any_must_appear_alone_in_authentication_methods",
		.files = { { CFG, "AuthenticationMethods any publickey\n" } },
		.want = { { "authenticationmethods", "any", NULL, 0 } },
		.error = "\"any\" must appear alone",
	},
	{
		.name = "sshd__no_completable_method_list_is_refused_at_startup",
		.files = { { CFG, "PubkeyAuthentication no\n"
			     "AuthenticationMethods publickey,password\n" } },
		.want = { { "authenticationmethods", "publickey,password",
			    CFGP, 2 } },
		.error = CFGP ":2: AuthenticationMethods cannot be satisfied",
	},
	{
		.name = "sshd__match_all_counts_for_the_startup_method_check",
		.files = { { CFG, "AuthenticationMethods keyboard-interactive\n"
			     "Match all\n"
			     "  KbdInteractiveAuthentication no\n" } },
		.want = { { "kbdinteractiveauthentication", "no", CFGP, 3 } },
		.error = "AuthenticationMethods cannot be satisfied",
	},
	{
		.name = "sshd__one_completable_method_list_is_enough",
		.files = { { CFG, "PubkeyAuthentication no\n"
			     "AuthenticationMethods publickey password\n" } },
		.want = { { "authenticationmethods", "publickey password", CFGP,
			    2 } },
	},
	{
		.name = "sshd__startup_method_check_ignores_match_blocks",
		.files = { { CFG, "PubkeyAuthentication no\n"
			     "Match User x\n"
			     "  AuthenticationMethods publickey\n" } },
		.conn = "user=x,host=h,addr=127.0.0.1",
		.want = { { "authenticationmethods", "publickey", CFGP, 3 } },
	},
	{
		.name = "sshd__authentication_methods_keeps_every_list",
		.files = { { CFG, "AuthenticationMethods "
			     "publickey,keyboard-interactive:pam password\n"
			     "AuthenticationMethods publickey\n" } },
		.want = { { "authenticationmethods",
			    "publickey,keyboard-interactive:pam password", CFGP,
			    1 } },
	},
	{
		.name = "sshd__accumulating_keywords_collect_every_line",
		.files = { { CFG, "AllowUsers alice\nAllowUsers bob carol\n"
			     "Port 22\nPort 2222\n" } },
		.want = { { "allowusers", "alice bob carol", CFGP, 1 },
			  { "port", "22 2222", CFGP, 3 } },
	},
};

static int
array_has(const json_t *a, const char *field, const char *needle)
{
	const json_t *v;
	size_t i;

	json_array_foreach(a, i, v) {
		const char *s = field != NULL ?
			json_string_value(json_object_get(v, field)) :
			json_string_value(v);

		if (s != NULL && strstr(s, needle) != NULL)
			return 1;
	}
	return 0;
}

static void
run_case(void **state)
{
	const struct sshd_case *c = *state;
	char dir[SUPPORT_DIR_MAX], *buf = NULL;
	struct plat_root *r = NULL;
	struct sshd_conn conn;
	json_t *facts = NULL, *eff = NULL;
	struct errbuf e;
	size_t i;

	support_tmpdir(dir, sizeof(dir), "sshd");
	support_write_tree(dir, c->files, SUPPORT_NELEM(c->files));
	assert_int_equal(plat_root_open(dir, &r, &e), 0);
	if (sshd_config_read(r, CFGP, &facts, &e) != 0)
		fail_msg("read: %s", e.msg);
	assert_true(json_is_true(json_object_get(facts, "present")));
	if (c->conn != NULL)
		assert_int_equal(sshd_conn_parse(c->conn, &conn, &buf, &e), 0);
	assert_int_equal(sshd_config_effective(facts, c->conn ? &conn : NULL,
					       &eff, &e), 0);
	for (i = 0; i < 6 && c->want[i].key != NULL; i++) {
		const struct expect *w = &c->want[i];
		json_t *v = json_object_get(eff, w->key);

		if (v == NULL)
			fail_msg("%s missing", w->key);
		assert_string_equal(json_string_value(json_object_get(v,
				    "value")), w->value);
		if (w->file == NULL) {
			assert_true(json_is_true(json_object_get(v,
							"default")));
			assert_true(json_is_null(json_object_get(v, "file")));
		} else {
			assert_true(json_is_false(json_object_get(v,
							"default")));
			assert_string_equal(json_string_value(
				json_object_get(v, "file")), w->file);
			assert_int_equal(json_integer_value(
				json_object_get(v, "line")), w->line);
		}
	}
	if (c->error != NULL &&
	    !array_has(json_object_get(facts, "errors"), NULL, c->error)) {
		char *dump = json_dumps(json_object_get(facts, "errors"), 0);

		print_message("# errors %s\n", dump);
		free(dump);
		fail_msg("no error mentions \"%s\"", c->error);
	}
	if (c->error == NULL)
		assert_int_equal(json_array_size(json_object_get(facts,
							"errors")), 0);
	if (c->unknown != NULL)
		assert_true(array_has(json_object_get(facts, "unknown"),
				      "keyword", c->unknown));
	json_decref(eff);
	json_decref(facts);
	free(buf);
	plat_root_free(r);
	assert_int_equal(support_rmtree(dir), 0);
}

static void
sshd__missing_config_is_not_present(void **state)
{
	char dir[SUPPORT_DIR_MAX];
	struct plat_root *r = NULL;
	json_t *facts = NULL;
	struct errbuf e;

	(void)state;
	support_tmpdir(dir, sizeof(dir), "sshd");
	assert_int_equal(plat_root_open(dir, &r, &e), 0);
	assert_int_equal(sshd_config_read(r, CFGP, &facts, &e), 0);
	assert_true(json_is_false(json_object_get(facts, "present")));
	json_decref(facts);
	plat_root_free(r);
	assert_int_equal(rmdir(dir), 0);
}

static void
sshd__match_line_records_block_and_parent(void **state)
{
	char dir[SUPPORT_DIR_MAX];
	static const struct support_file files[] = {
		{ CFG, "Match Group admins\n  Include /etc/ssh/inc.conf\n" },
		{ "etc/ssh/inc.conf", "Match LocalPort 2222\n"
		  "  PasswordAuthentication yes\n" },
	};
	struct plat_root *r = NULL;
	json_t *facts = NULL, *b, *l;
	struct errbuf e;

	(void)state;
	support_tmpdir(dir, sizeof(dir), "sshd");
	support_write_tree(dir, files, SUPPORT_NELEM(files));
	assert_int_equal(plat_root_open(dir, &r, &e), 0);
	assert_int_equal(sshd_config_read(r, CFGP, &facts, &e), 0);
	b = json_object_get(facts, "blocks");
	assert_int_equal(json_array_size(b), 2);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(b, 0), "criteria")), "Group admins");
	assert_int_equal(json_integer_value(json_object_get(
		json_array_get(b, 1), "parent")), 0);
	l = json_array_get(json_object_get(facts, "lines"), 0);
	assert_int_equal(json_integer_value(json_object_get(l, "block")), 1);
	json_decref(facts);
	plat_root_free(r);
	assert_int_equal(support_rmtree(dir), 0);
}

static void
sshd__blocks_that_exclude_each_other_are_not_combined(void **state)
{
	char dir[SUPPORT_DIR_MAX];
	static const struct support_file files[] = {
		{ CFG, "Match User alice\n"		/* 0 */
		  "Match User bob,carol\n"		/* 1 */
		  "Match User a*\n"			/* 2 */
		  "Match Address 198.51.100.0/24\n"	/* 3 */
		  "Match Address 198.51.100.7\n"	/* 4 */
		  "Match Address 192.0.2.1\n"		/* 5 */
		  "Match LocalPort 22\n"		/* 6 */
		  "Match LocalPort 2222\n"		/* 7 */
		  "Match Host WS1.example.org\n"	/* 8 */
		  "Match Host ws1.example.org\n"	/* 9 */
		  "Match Group admins\n"		/* 10 */
		  "Match User !alice,*\n" },		/* 11 */
	};
	static const struct {
		size_t a, b;
		int possible;
	} pairs[] = {
		{ 0, 1, 0 }, { 0, 2, 1 }, { 1, 2, 0 }, { 3, 4, 1 },
		{ 4, 5, 0 }, { 3, 5, 0 }, { 6, 7, 0 }, { 8, 9, 1 },
		{ 0, 10, 1 }, { 0, 11, 0 }, { 1, 11, 1 }, { 0, 3, 1 },
	};
	struct plat_root *r = NULL;
	json_t *facts = NULL;
	struct errbuf e;
	unsigned char sel[12];
	size_t i;

	(void)state;
	support_tmpdir(dir, sizeof(dir), "sshd");
	support_write_tree(dir, files, SUPPORT_NELEM(files));
	assert_int_equal(plat_root_open(dir, &r, &e), 0);
	assert_int_equal(sshd_config_read(r, CFGP, &facts, &e), 0);
	assert_int_equal(json_array_size(json_object_get(facts, "blocks")),
			 sizeof(sel));
	for (i = 0; i < SUPPORT_NELEM(pairs); i++) {
		memset(sel, 0, sizeof(sel));
		sel[pairs[i].a] = sel[pairs[i].b] = 1;
		if (sshd_config_sel_possible(facts, sel) != pairs[i].possible)
			fail_msg("blocks %zu and %zu: want %d", pairs[i].a,
				 pairs[i].b, pairs[i].possible);
	}
	memset(sel, 0, sizeof(sel));
	sel[0] = 1;
	assert_int_equal(sshd_config_sel_possible(facts, sel), 1);
	json_decref(facts);
	plat_root_free(r);
	assert_int_equal(support_rmtree(dir), 0);
}

static void
sshd__conn_spec_parses_like_sshd_dash_C(void **state)
{
	struct sshd_conn c;
	struct errbuf e;
	char *buf = NULL;

	(void)state;
	assert_int_equal(sshd_conn_parse("user=root,host=h,addr=::1,lport=22",
					 &c, &buf, &e), 0);
	assert_string_equal(c.user, "root");
	assert_string_equal(c.host, "h");
	assert_string_equal(c.addr, "::1");
	assert_int_equal(c.lport, 22);
	assert_null(c.laddr);
	free(buf);
	assert_int_not_equal(sshd_conn_parse("user=root,colour=red", &c, &buf,
					     &e), 0);
	assert_non_null(strstr(e.msg, "colour=red"));
	assert_null(buf);
	assert_int_not_equal(sshd_conn_parse("lport=99999", &c, &buf, &e), 0);
}

static void
sshd__values_normalize_as_sshd_reads_them(void **state)
{
	static const char *const pairs[][3] = {
		{ "passwordauthentication", "YES", "yes" },
		{ "permitrootlogin", "without-password", "prohibit-password" },
		{ "logingracetime", "1m30s", "90" },
		{ "maxauthtries", "3", "3" },
		{ "x11forwarding", "maybe", NULL },
		{ "maxauthtries", "-1", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		char *v = sshd_value_normalize(pairs[i][0], pairs[i][1]);

		if (pairs[i][2] == NULL)
			assert_null(v);
		else
			assert_string_equal(v, pairs[i][2]);
		free(v);
	}
	assert_string_equal(sshd_keyword("ChallengeResponseAuthentication"),
			    "kbdinteractiveauthentication");
	assert_null(sshd_keyword("NoSuchKeyword"));
	assert_true(sshd_keyword_numeric("maxauthtries"));
	assert_false(sshd_keyword_numeric("permitrootlogin"));
}

int
main(void)
{
	size_t n = sizeof(cases) / sizeof(cases[0]), i;
	struct CMUnitTest *tests = calloc(n + 5, sizeof(*tests));
	int rc;

	for (i = 0; i < n; i++) {
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].initial_state = (void *)&cases[i];
	}
	tests[n].name = "sshd__missing_config_is_not_present";
	tests[n].test_func = sshd__missing_config_is_not_present;
	tests[n + 1].name = "sshd__match_line_records_block_and_parent";
	tests[n + 1].test_func = sshd__match_line_records_block_and_parent;
	tests[n + 2].name = "sshd__conn_spec_parses_like_sshd_dash_C";
	tests[n + 2].test_func = sshd__conn_spec_parses_like_sshd_dash_C;
	tests[n + 3].name = "sshd__values_normalize_as_sshd_reads_them";
	tests[n + 3].test_func = sshd__values_normalize_as_sshd_reads_them;
	tests[n + 4].name = "sshd__blocks_that_exclude_each_other_are_not_combined";
	tests[n + 4].test_func = sshd__blocks_that_exclude_each_other_are_not_combined;
	rc = _cmocka_run_group_tests("sshd_config", tests, n + 5, NULL, NULL);
	free(tests);
	return rc;
}

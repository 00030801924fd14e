/*
 * test_pam.c - the PAM reader runs the auth stack as libpam does and finds
 * every successful run that skips the second factor.
 *
 * Each case is a small configuration tree written to a temporary scan root,
 * the service to analyse, and what must come out: the verdict, the second
 * factor module, the exact bypass path (or a substring of the error).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pam.h"
#include "plat.h"
#include "support.h"

struct pam_case {
	const char *name;
	struct support_file files[8];
	const char *service;
	unsigned flags;
	const char *error;		/* substring of the error, or NULL */
	enum pam_verdict verdict;
	const char *module;		/* second_factor_module or NULL */
	const char *path[8];		/* exact bypass/uncertain path */
	const char *weak;		/* substring of a weakness, or NULL */
	const char *note;		/* substring of a note, or NULL */
	/* first_factor_required: FIRST_ANY leaves it unchecked */
	enum { FIRST_ANY, FIRST_YES, FIRST_NO } first;
	const char *no_first[4];	/* exact run without a first factor */
};

#define GA "pam_google_authenticator"

static const struct pam_case cases[] = {
	{
		.name = "pam__required_second_factor_after_password_is_enforced",
		.files = { { "etc/pam.d/sshd",
			"auth required pam_unix.so\n"
			"auth required pam_google_authenticator.so\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_ENFORCED,
		.module = GA,
	},
	{
		.name = "pam__sufficient_password_before_second_factor_bypasses",
		.files = { { "etc/pam.d/sshd",
			"auth sufficient pam_unix.so\n"
			"auth required pam_google_authenticator.so\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_BYPASS,
		.module = GA,
		.path = { "/etc/pam.d/sshd:1 pam_unix(success)" },
	},
	{
		.name = "pam__optional_second_factor_is_bypassed_by_its_failure",
		.files = { { "etc/pam.d/sshd",
			"auth required pam_unix.so\n"
			"auth optional pam_google_authenticator.so\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_BYPASS,
		.module = GA,
		.path = { "/etc/pam.d/sshd:1 pam_unix(success)",
			  "/etc/pam.d/sshd:2 pam_google_authenticator(failure)" },
	},
	{
		.name = "pam__jump_over_second_factor_bypasses",
		.files = { { "etc/pam.d/sshd",
			"auth [success=1 default=ignore] pam_unix.so nullok\n"
			"auth required pam_google_authenticator.so\n"
			"auth required pam_permit.so\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_BYPASS,
		.module = GA,
		.path = { "/etc/pam.d/sshd:1 pam_unix(success)",
			  "/etc/pam.d/sshd:3 pam_permit(success)" },
	},
	{
		.name = "pam__rootok_does_not_hide_a_password_only_path",
		.files = { { "etc/pam.d/su",
			"auth sufficient pam_rootok.so\n"
			"auth required pam_unix.so\n" } },
		.service = "su",
		.verdict = PAM_VERDICT_BYPASS,
		.path = { "/etc/pam.d/su:1 pam_rootok(failure)",
			  "/etc/pam.d/su:2 pam_unix(success)" },
	},
	{
		.name = "pam__totp_alone_is_a_second_factor_without_a_first",
		.files = { { "etc/pam.d/sshd",
			"auth required pam_google_authenticator.so\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_ENFORCED,
		.module = GA,
		.first = FIRST_NO,
		.no_first = { "/etc/pam.d/sshd:1 pam_google_authenticator(success)" },
	},
	{
		.name = "pam__sufficient_u2f_before_password_skips_the_first_factor",
		.files = { { "etc/pam.d/login",
			"auth sufficient pam_u2f.so\n"
			"auth required pam_unix.so\n"
			"auth required pam_u2f.so\n" } },
		.service = "login",
		.verdict = PAM_VERDICT_ENFORCED,
		.module = "pam_u2f",
		.first = FIRST_NO,
		.no_first = { "/etc/pam.d/login:1 pam_u2f(success)" },
	},
	{
		.name = "pam__password_then_totp_has_both_factors",
		.files = { { "etc/pam.d/login",
			"auth required pam_unix.so\n"
			"auth required pam_google_authenticator.so\n" } },
		.service = "login",
		.verdict = PAM_VERDICT_ENFORCED,
		.module = GA,
		.first = FIRST_YES,
	},
	{
		.name = "pam__debian_jump_over_deny_then_second_factor_is_enforced",
		.files = { { "etc/pam.d/sshd",
			"auth [success=1 default=ignore] pam_unix.so nullok\n"
			"auth requisite pam_deny.so\n"
			"auth required pam_permit.so\n"
			"auth required pam_google_authenticator.so\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_ENFORCED,
		.module = GA,
	},
	{
		.name = "pam__at_include_common_auth_with_u2f_is_enforced",
		.files = {
			{ "etc/pam.d/sshd", "# sshd\n@include common-auth\n"
			  "account required pam_nologin.so\n"
			  "@include common-account\n" },
			{ "etc/pam.d/common-auth",
			  "auth [success=1 default=ignore] pam_unix.so\n"
			  "auth requisite pam_deny.so\n"
			  "auth required pam_permit.so\n"
			  "auth required pam_u2f.so cue\n" },
			{ "etc/pam.d/common-account",
			  "account required pam_unix.so\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_ENFORCED,
		.module = "pam_u2f",
	},
	{
		.name = "pam__at_include_common_auth_without_second_factor_bypasses",
		.files = {
			{ "etc/pam.d/login", "@include common-auth\n" },
			{ "etc/pam.d/common-auth",
			  "auth [success=1 default=ignore] pam_unix.so nullok\n"
			  "auth requisite pam_deny.so\n"
			  "auth required pam_permit.so\n" } },
		.service = "login",
		.verdict = PAM_VERDICT_BYPASS,
		.path = { "/etc/pam.d/common-auth:1 pam_unix(success)",
			  "/etc/pam.d/common-auth:3 pam_permit(success)" },
	},
	{
		.name = "pam__sufficient_in_substack_ends_only_the_substack",
		.files = {
			{ "etc/pam.d/sshd", "auth substack password-auth\n"
			  "auth required pam_google_authenticator.so\n" },
			{ "etc/pam.d/password-auth",
			  "auth sufficient pam_unix.so\n"
			  "auth required pam_deny.so\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_ENFORCED,
		.module = GA,
	},
	{
		.name = "pam__sufficient_in_include_ends_the_whole_stack",
		.files = {
			{ "etc/pam.d/sshd", "auth include password-auth\n"
			  "auth required pam_google_authenticator.so\n" },
			{ "etc/pam.d/password-auth",
			  "auth sufficient pam_unix.so\n"
			  "auth required pam_deny.so\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_BYPASS,
		.module = GA,
		.path = { "/etc/pam.d/password-auth:1 pam_unix(success)" },
	},
	{
		.name = "pam__jump_counts_a_substack_as_one_line",
		.files = {
			{ "etc/pam.d/sshd",
			  "auth [success=1 default=ignore] pam_unix.so\n"
			  "auth substack mfa\n"
			  "auth required pam_permit.so\n" },
			{ "etc/pam.d/mfa",
			  "auth required pam_google_authenticator.so\n"
			  "auth required pam_permit.so\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_BYPASS,
		.module = GA,
		.path = { "/etc/pam.d/sshd:1 pam_unix(success)",
			  "/etc/pam.d/sshd:3 pam_permit(success)" },
	},
	{
		.name = "pam__jump_past_the_end_of_a_substack_fails",
		.files = {
			{ "etc/pam.d/sshd", "auth substack s\n"
			  "auth required pam_google_authenticator.so\n" },
			{ "etc/pam.d/s",
			  "auth [success=5 default=ignore] pam_unix.so\n"
			  "auth required pam_permit.so\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_ENFORCED,
		.module = GA,
	},
	{
		.name = "pam__reset_in_substack_restores_the_entry_state",
		.files = {
			{ "etc/pam.d/sshd", "auth required pam_unix.so\n"
			  "auth substack s\n" },
			{ "etc/pam.d/s",
			  "auth required pam_google_authenticator.so\n"
			  "auth [default=reset] pam_deny.so\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_BYPASS,
		.module = GA,
		.path = { "/etc/pam.d/sshd:1 pam_unix(success)",
			  "/etc/pam.d/s:1 pam_google_authenticator(failure)",
			  "/etc/pam.d/s:2 pam_deny(failure)" },
	},
	{
		.name = "pam__include_cycle_is_an_error",
		.files = {
			{ "etc/pam.d/sshd", "auth include a\n" },
			{ "etc/pam.d/a", "auth required pam_unix.so\n"
			  "auth include b\n" },
			{ "etc/pam.d/b", "auth include a\n" } },
		.service = "sshd",
		.error = "include cycle: /etc/pam.d/a -> /etc/pam.d/b -> "
			"/etc/pam.d/a",
	},
	{
		.name = "pam__self_include_is_an_error",
		.files = { { "etc/pam.d/sshd", "@include sshd\n" } },
		.service = "sshd",
		.error = "include cycle",
	},
	{
		.name = "pam__nullok_second_factor_is_not_enforced",
		.files = { { "etc/pam.d/sshd",
			"auth required pam_unix.so\n"
			"auth required pam_google_authenticator.so nullok\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_BYPASS,
		.module = GA,
		.path = { "/etc/pam.d/sshd:1 pam_unix(success)",
			  "/etc/pam.d/sshd:2 pam_google_authenticator(success "
			  "without a second factor: nullok, no secret file)" },
		.weak = "nullok",
	},
	{
		.name = "pam__u2f_nouserok_is_not_enforced",
		.files = { { "etc/pam.d/sudo",
			"auth required pam_unix.so\n"
			"auth required pam_u2f.so nouserok\n" } },
		.service = "sudo",
		.verdict = PAM_VERDICT_BYPASS,
		.module = "pam_u2f",
		.weak = "nouserok",
	},
	{
		/* root needs no new authentication to become someone else */
		.name = "pam__rootok_sufficient_is_not_a_bypass",
		.files = { { "etc/pam.d/su",
			"auth sufficient pam_rootok.so\n"
			"auth required pam_unix.so\n"
			"auth required pam_oath.so usersfile=/etc/users.oath\n" } },
		.service = "su",
		.verdict = PAM_VERDICT_ENFORCED,
		.module = "pam_oath",
		.note = "pam_rootok: a caller that is already root",
	},
	{
		.name = "pam__succeed_if_exemption_shows_its_condition",
		.files = { { "etc/pam.d/sshd",
			"auth required pam_unix.so\n"
			"auth [success=1 default=ignore] pam_succeed_if.so "
			"user ingroup nomfa\n"
			"auth required pam_google_authenticator.so\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_BYPASS,
		.module = GA,
		.path = { "/etc/pam.d/sshd:1 pam_unix(success)",
			  "/etc/pam.d/sshd:2 pam_succeed_if(success: user "
			  "ingroup nomfa)" },
	},
	{
		.name = "pam__duo_default_failmode_fails_open",
		.files = {
			{ "etc/pam.d/sshd", "auth required pam_unix.so\n"
			  "auth required pam_duo.so\n" },
			{ "etc/duo/pam_duo.conf", "[duo]\nikey = X\nskey = Y\n"
			  "host = api.example\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_BYPASS,
		.module = "pam_duo",
		.path = { "/etc/pam.d/sshd:1 pam_unix(success)",
			  "/etc/pam.d/sshd:2 pam_duo(success without a second "
			  "factor: failmode=safe (Duo unreachable))" },
		.weak = "failmode=safe",
	},
	{
		.name = "pam__duo_failmode_secure_is_enforced",
		.files = {
			{ "etc/pam.d/sshd", "auth required pam_unix.so\n"
			  "auth required pam_duo.so conf=/etc/duo/strict.conf\n" },
			{ "etc/duo/strict.conf", "[duo]\nikey = X\n"
			  "failmode = secure\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_ENFORCED,
		.module = "pam_duo",
	},
	{
		.name = "pam__sss_alone_depends_on_its_back_end",
		.files = { { "etc/pam.d/sshd",
			"auth required pam_sss.so\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_UNCERTAIN,
		.module = "pam_sss",
		.path = { "/etc/pam.d/sshd:1 pam_sss(success)" },
		.note = "back end",
	},
	{
		.name = "pam__missing_required_second_factor_locks_out",
		.files = {
			{ "etc/pam.d/sshd", "auth required pam_unix.so\n"
			  "-auth required pam_google_authenticator.so\n" },
			{ "lib/x86_64-linux-gnu/security/pam_unix.so", "" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_NEVER,
		.module = GA,
		.weak = "pam_google_authenticator.so is not installed",
	},
	{
		.name = "pam__missing_optional_second_factor_bypasses",
		.files = {
			{ "etc/pam.d/sshd", "auth required pam_unix.so\n"
			  "-auth optional pam_google_authenticator.so\n" },
			{ "usr/lib/security/pam_unix.so", "" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_BYPASS,
		.module = GA,
		.path = { "/etc/pam.d/sshd:1 pam_unix(success)",
			  "/etc/pam.d/sshd:2 pam_google_authenticator("
			  "module_unknown: not installed)" },
	},
	{
		.name = "pam__continuation_comment_and_bracket_control_parse",
		.files = { { "etc/pam.d/sshd",
			"  # leading comment\n"
			"auth [success=ok \\\n"
			"      default=die] pam_unix.so # trailing \\\n"
			"\n"
			"AUTH\tREQUIRED\tpam_google_authenticator.so "
			"[secret=/x y]\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_ENFORCED,
		.module = GA,
	},
	{
		.name = "pam__bad_control_makes_every_outcome_bad",
		.files = { { "etc/pam.d/sshd",
			"auth [success=ok default=igonre] pam_permit.so\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_NEVER,
		.note = "expecting",
	},
	{
		.name = "pam__missing_include_target_always_fails",
		.files = { { "etc/pam.d/sshd",
			"auth optional pam_permit.so\n"
			"auth include nonexistent\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_NEVER,
		.note = "cannot open include nonexistent",
	},
	{
		.name = "pam__absent_service_is_absent",
		.files = { { "etc/pam.d/other", "auth required pam_deny.so\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_ABSENT,
	},
	{
		.name = "pam__service_without_auth_lines_runs_other",
		.files = {
			{ "etc/pam.d/cron", "account required pam_unix.so\n" },
			{ "etc/pam.d/other", "auth required pam_permit.so\n" } },
		.service = "cron",
		.verdict = PAM_VERDICT_BYPASS,
		.path = { "/etc/pam.d/other:1 pam_permit(success)" },
		.note = "libpam runs the \"other\" service",
	},
	{
		.name = "pam__fallback_to_other_for_absent_service",
		.files = { { "etc/pam.d/other", "auth required pam_unix.so\n"
			     "auth required pam_yubico.so id=1\n" } },
		.service = "sshd",
		.flags = PAM_FALLBACK_OTHER,
		.verdict = PAM_VERDICT_ENFORCED,
		.module = "pam_yubico",
	},
	{
		.name = "pam__vendor_dir_is_read_when_etc_has_no_file",
		.files = {
			{ "etc/pam.d/other", "auth required pam_deny.so\n" },
			{ "usr/lib/pam.d/sshd", "auth sufficient pam_unix.so\n"
			  "auth required pam_u2f.so\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_BYPASS,
		.module = "pam_u2f",
		.path = { "/usr/lib/pam.d/sshd:1 pam_unix(success)" },
	},
	{
		.name = "pam__pam_conf_is_read_without_pam_d",
		.files = { { "etc/pam.conf",
			"# service type control module\n"
			"login auth required pam_unix.so\n"
			"sshd  auth required pam_unix.so\n"
			"sshd  auth required pam_oath.so window=5\n"
			"other auth required pam_deny.so\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_ENFORCED,
		.module = "pam_oath",
	},
	{
		.name = "pam__pam_conf_other_service_bypasses",
		.files = { { "etc/pam.conf",
			"login auth required pam_unix.so\n"
			"sshd  auth required pam_oath.so\n" } },
		.service = "login",
		.verdict = PAM_VERDICT_BYPASS,
		.path = { "/etc/pam.conf:1 pam_unix(success)" },
	},
	{
		.name = "pam__illegal_type_line_always_fails",
		.files = { { "etc/pam.d/sshd",
			"auht sufficient pam_permit.so\n"
			"auth required pam_unix.so\n"
			"auth required pam_google_authenticator.so\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_ENFORCED,
		.module = GA,
		.note = "illegal module type auht",
	},
	{
		.name = "pam__success_done_ends_the_stack_before_second_factor",
		.files = { { "etc/pam.d/sshd",
			"auth requisite pam_unix.so\n"
			"auth [success=done default=ignore] pam_permit.so\n"
			"auth required pam_google_authenticator.so\n" } },
		.service = "sshd",
		.verdict = PAM_VERDICT_BYPASS,
		.module = GA,
		.path = { "/etc/pam.d/sshd:1 pam_unix(success)",
			  "/etc/pam.d/sshd:2 pam_permit(success)" },
	},
	{
		.name = "pam__invalid_service_name_is_refused",
		.files = { { "etc/pam.d/sshd", "auth required pam_unix.so\n" } },
		.service = "../sshd",
		.error = "invalid PAM service name",
	},
};

static int
contains(char **v, size_t n, const char *needle)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(v[i], needle) != NULL)
			return 1;
	return 0;
}

static void
run_case(void **state)
{
	const struct pam_case *c = *state;
	char dir[SUPPORT_DIR_MAX];
	struct plat_root *r = NULL;
	struct pam_result *res = NULL;
	struct errbuf e;
	size_t i, n;
	int rc;

	support_tmpdir(dir, sizeof(dir), "pam");
	support_write_tree(dir, c->files, SUPPORT_NELEM(c->files));
	assert_int_equal(plat_root_open(dir, &r, &e), 0);
	rc = pam_analyze(r, c->service, c->flags, &res, &e);
	if (c->error != NULL) {
		assert_int_not_equal(rc, 0);
		assert_null(res);
		if (strstr(e.msg, c->error) == NULL)
			fail_msg("error \"%s\" lacks \"%s\"", e.msg, c->error);
	} else {
		if (rc != 0)
			fail_msg("unexpected error: %s", e.msg);
		if (res->verdict != c->verdict)
			fail_msg("verdict %s, want %s",
				 pam_verdict_name(res->verdict),
				 pam_verdict_name(c->verdict));
		if (c->module == NULL)
			assert_null(res->second_factor_module);
		else
			assert_string_equal(res->second_factor_module,
					    c->module);
		for (n = 0; n < 8 && c->path[n] != NULL; n++)
			;
		if (n > 0 || c->verdict == PAM_VERDICT_ENFORCED ||
		    c->verdict == PAM_VERDICT_NEVER) {
			if (res->npath != n) {
				for (i = 0; i < res->npath; i++)
					print_message("# step %s\n",
						      res->path[i]);
				fail_msg("path has %zu steps, want %zu",
					 res->npath, n);
			}
			for (i = 0; i < n; i++)
				assert_string_equal(res->path[i], c->path[i]);
		}
		if (c->weak != NULL && !contains(res->weak, res->nweak, c->weak))
			fail_msg("no weakness mentions \"%s\"", c->weak);
		if (c->note != NULL &&
		    !contains(res->notes, res->nnotes, c->note))
			fail_msg("no note mentions \"%s\"", c->note);
		if (c->first != FIRST_ANY)
			assert_int_equal(res->first_factor_required,
					 c->first == FIRST_YES);
		for (n = 0; n < 4 && c->no_first[n] != NULL; n++)
			;
		if (c->first == FIRST_NO) {
			assert_int_equal(res->npath_no_first, n);
			for (i = 0; i < n; i++)
				assert_string_equal(res->path_no_first[i],
						    c->no_first[i]);
		}
	}
	pam_result_free(res);
	plat_root_free(r);
	assert_int_equal(support_rmtree(dir), 0);
}

/* The evidence object carries the names the issue asks for. */
static void
pam__json_carries_service_module_and_path(void **state)
{
	char dir[SUPPORT_DIR_MAX];
	static const struct support_file files[] = {
		{ "etc/pam.d/sshd", "auth sufficient pam_unix.so\n"
		  "auth required pam_u2f.so\n" },
		{ NULL, NULL },
	};
	struct plat_root *r = NULL;
	struct pam_result *res = NULL;
	struct errbuf e;
	json_t *j, *p;

	(void)state;
	support_tmpdir(dir, sizeof(dir), "pam");
	support_write_tree(dir, files, SUPPORT_NELEM(files));
	assert_int_equal(plat_root_open(dir, &r, &e), 0);
	assert_int_equal(pam_analyze(r, "sshd", 0, &res, &e), 0);
	j = pam_result_json(res);
	assert_string_equal(json_string_value(json_object_get(j, "service")),
			    "sshd");
	assert_string_equal(json_string_value(json_object_get(j,
			    "second_factor_module")), "pam_u2f");
	p = json_object_get(j, "path_that_bypasses");
	assert_int_equal(json_array_size(p), 1);
	assert_string_equal(json_string_value(json_array_get(p, 0)),
			    "/etc/pam.d/sshd:1 pam_unix(success)");
	assert_string_equal(json_string_value(json_object_get(j, "verdict")),
			    "bypass");
	assert_int_equal(json_array_size(json_object_get(j, "auth_stack")), 2);
	json_decref(j);
	pam_result_free(res);
	plat_root_free(r);
	assert_int_equal(support_rmtree(dir), 0);
}

/* pam_list_services names every service file once, from both dirs. */
static void
pam__list_services_merges_etc_and_vendor_dirs(void **state)
{
	char dir[SUPPORT_DIR_MAX];
	static const struct support_file files[] = {
		{ "etc/pam.d/sshd", "auth required pam_unix.so\n" },
		{ "etc/pam.d/login", "auth required pam_unix.so\n" },
		{ "usr/lib/pam.d/sshd", "auth required pam_unix.so\n" },
		{ "usr/lib/pam.d/passwd", "auth required pam_unix.so\n" },
		{ NULL, NULL },
	};
	struct plat_root *r = NULL;
	char **names = NULL;
	size_t n = 0;
	struct errbuf e;

	(void)state;
	support_tmpdir(dir, sizeof(dir), "pam");
	support_write_tree(dir, files, SUPPORT_NELEM(files));
	assert_int_equal(plat_root_open(dir, &r, &e), 0);
	assert_int_equal(pam_list_services(r, &names, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "login");
	assert_string_equal(names[1], "passwd");
	assert_string_equal(names[2], "sshd");
	plat_list_free(names, n);
	plat_root_free(r);
	assert_int_equal(support_rmtree(dir), 0);
}

/* A host with /etc/pam.d but no vendor directory is the common case. */
static void
pam__list_services_without_vendor_dir(void **state)
{
	char dir[SUPPORT_DIR_MAX];
	static const struct support_file files[] = {
		{ "etc/pam.d/sshd", "auth required pam_unix.so\n" },
		{ "etc/pam.d/su", "auth required pam_unix.so\n" },
		{ NULL, NULL },
	};
	struct plat_root *r = NULL;
	char **names = NULL;
	size_t n = 0;
	struct errbuf e;

	(void)state;
	support_tmpdir(dir, sizeof(dir), "pam");
	support_write_tree(dir, files, SUPPORT_NELEM(files));
	assert_int_equal(plat_root_open(dir, &r, &e), 0);
	assert_int_equal(pam_list_services(r, &names, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "sshd");
	assert_string_equal(names[1], "su");
	plat_list_free(names, n);
	plat_root_free(r);
	assert_int_equal(support_rmtree(dir), 0);
}

int
main(void)
{
	size_t n = sizeof(cases) / sizeof(cases[0]), i;
	struct CMUnitTest *tests = calloc(n + 3, sizeof(*tests));
	int rc;

	for (i = 0; i < n; i++) {
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].initial_state = (void *)&cases[i];
	}
	tests[n].name = "pam__json_carries_service_module_and_path";
	tests[n].test_func = pam__json_carries_service_module_and_path;
	tests[n + 1].name = "pam__list_services_merges_etc_and_vendor_dirs";
	tests[n + 1].test_func = pam__list_services_merges_etc_and_vendor_dirs;
	tests[n + 2].name = "pam__list_services_without_vendor_dir";
	tests[n + 2].test_func = pam__list_services_without_vendor_dir;
	rc = _cmocka_run_group_tests("pam", tests, n + 3, NULL, NULL);
	free(tests);
	return rc;
}

/*
 * test_sudoers.c - sudoers rules that skip authentication are found as sudo
 * reads them: includes and includedir (with sudo's file-name rules), line
 * continuations and comments, tags that carry from one command to the next,
 * Cmnd_Alias, and Defaults authenticate settings per binding.
 *
 * Each case is a small tree written to a temporary scan root and the exact
 * list of skips expected, one "kind who [commands] all|some file:line"
 * string each, or a substring of the error or of a note.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plat.h"
#include "sudoers.h"
#include "support.h"

struct sudoers_case {
	const char *name;
	struct support_file files[6];
	const char *skips[6];	/* exact, in order */
	const char *error;	/* substring of the error, or NULL */
	const char *note;	/* substring of a note, or NULL */
	int absent;		/* no /etc/sudoers: present is false */
};

static const struct sudoers_case cases[] = {
	{
		.name = "sudoers__nopasswd_all_for_a_group",
		.files = { { "etc/sudoers",
			"root ALL=(ALL:ALL) ALL\n"
			"%admin ALL=(ALL) NOPASSWD: ALL\n" } },
		.skips = { "nopasswd %admin [ALL] all /etc/sudoers:2" },
	},
	{
		.name = "sudoers__tags_carry_to_later_commands_until_passwd",
		.files = { { "etc/sudoers",
			"op ALL = (root) NOPASSWD: /bin/a, /bin/b, PASSWD: ALL\n" } },
		.skips = { "nopasswd op [/bin/a, /bin/b] some /etc/sudoers:1" },
	},
	{
		.name = "sudoers__alias_holding_all_counts_even_defined_later",
		.files = { { "etc/sudoers",
			"x ALL = SETENV: NOPASSWD:EV\n"
			"Cmnd_Alias EV = /bin/true, INNER\n"
			"Cmnd_Alias INNER = ALL\n" } },
		.skips = { "nopasswd x [EV] all /etc/sudoers:1" },
	},
	{
		.name = "sudoers__alias_cycle_ends_and_holds_nothing",
		.files = { { "etc/sudoers",
			"Cmnd_Alias A = B, /bin/a\n"
			"Cmnd_Alias B = A : C = ALL\n"
			"x ALL = NOPASSWD: A\n"
			"y ALL = NOPASSWD: C\n" } },
		.skips = { "nopasswd x [A] some /etc/sudoers:3",
			   "nopasswd y [C] all /etc/sudoers:4" },
	},
	{
		/* found by fuzzing: such a name once looped for ever */
		.name = "sudoers__alias_name_that_is_not_utf8_still_resolves",
		.files = { { "etc/sudoers",
			"Cmnd_Alias EV\377RY = ALL\n"
			"x ALL = NOPASSWD: EV\377RY\n" } },
		.skips = { "nopasswd x [EV\\xffRY] all /etc/sudoers:2" },
	},
	{
		.name = "sudoers__global_not_authenticate_skips_everything",
		.files = { { "etc/sudoers",
			"Defaults env_reset, !authenticate, use_pty\n" } },
		.skips = { "!authenticate ALL [ALL] all /etc/sudoers:1" },
	},
	{
		.name = "sudoers__later_authenticate_of_the_binding_wins",
		.files = { { "etc/sudoers",
			"Defaults:bob !authenticate\n"
			"Defaults !authenticate\n"
			"Defaults authenticate\n" } },
		.skips = { "!authenticate bob [ALL] all /etc/sudoers:1" },
	},
	{
		.name = "sudoers__command_binding_limits_the_commands",
		.files = { { "etc/sudoers",
			"Defaults!/usr/bin/id !authenticate\n" } },
		.skips = { "!authenticate !/usr/bin/id [/usr/bin/id] some "
			   "/etc/sudoers:1" },
	},
	{
		.name = "sudoers__includedir_skips_dotted_and_backup_names",
		.files = {
			{ "etc/sudoers", "@includedir /etc/sudoers.d\n" },
			{ "etc/sudoers.d/a.dpkg-old", "u ALL=NOPASSWD: ALL\n" },
			{ "etc/sudoers.d/b~", "u ALL=NOPASSWD: ALL\n" },
			{ "etc/sudoers.d/c", "# c\nu ALL=NOPASSWD: /bin/x\n" } },
		.skips = { "nopasswd u [/bin/x] some /etc/sudoers.d/c:2" },
	},
	{
		.name = "sudoers__relative_include_and_continued_lines",
		.files = {
			{ "etc/sudoers", "#include sudoers.d/x\n" },
			{ "etc/sudoers.d/x", "\nu ALL = NOPASSWD: /bin/a, \\\n"
			  "\t/bin/b\nv ALL = NOPASSWD: ALL\n" } },
		.skips = { "nopasswd u [/bin/a, /bin/b] some /etc/sudoers.d/x:2",
			   "nopasswd v [ALL] all /etc/sudoers.d/x:4" },
	},
	{
		.name = "sudoers__comments_end_lines_but_user_ids_do_not",
		.files = { { "etc/sudoers",
			"# %admin ALL=NOPASSWD: ALL\n"
			"#1000 ALL = NOPASSWD: /bin/a # ALL\n" } },
		.skips = { "nopasswd #1000 [/bin/a] some /etc/sudoers:2" },
	},
	{
		.name = "sudoers__missing_file_is_not_present",
		.files = { { "etc/hostname", "h\n" } },
		.absent = 1,
	},
	{
		.name = "sudoers__missing_include_is_noted_and_the_rest_read",
		.files = { { "etc/sudoers",
			"@include /etc/sudoers.local\n"
			"w ALL = NOPASSWD: ALL\n" } },
		.skips = { "nopasswd w [ALL] all /etc/sudoers:2" },
		.note = "/etc/sudoers:1: cannot read include",
	},
	{
		.name = "sudoers__include_loop_stops_at_the_depth_limit",
		.files = { { "etc/sudoers", "@include /etc/sudoers\n" } },
		.error = "nested deeper than",
	},
};

static void
run_case(void **state)
{
	const struct sudoers_case *c = *state;
	char dir[SUPPORT_DIR_MAX];
	struct plat_root *r = NULL;
	json_t *facts = NULL, *k;
	struct errbuf e;
	size_t i, n;
	int rc;

	support_tmpdir(dir, sizeof(dir), "sudoers");
	support_write_tree(dir, c->files, SUPPORT_NELEM(c->files));
	assert_int_equal(plat_root_open(dir, &r, &e), 0);
	rc = sudoers_read(r, "/etc/sudoers", &facts, &e);
	if (c->error != NULL) {
		assert_int_not_equal(rc, 0);
		assert_null(facts);
		if (strstr(e.msg, c->error) == NULL)
			fail_msg("error \"%s\" lacks \"%s\"", e.msg, c->error);
		goto out;
	}
	if (rc != 0)
		fail_msg("unexpected error: %s", e.msg);
	assert_int_equal(json_is_true(json_object_get(facts, "present")),
			 !c->absent);
	for (n = 0; n < 6 && c->skips[n] != NULL; n++)
		;
	assert_int_equal(json_array_size(json_object_get(facts, "skips")), n);
	json_array_foreach(json_object_get(facts, "skips"), i, k) {
		char *got = xasprintf("%s %s [%s] %s %s:%lld",
			json_string_value(json_object_get(k, "kind")),
			json_string_value(json_object_get(k, "who")),
			json_string_value(json_object_get(k, "commands")),
			json_is_true(json_object_get(k, "all")) ? "all" : "some",
			json_string_value(json_object_get(k, "file")),
			(long long)json_integer_value(json_object_get(k,
								      "line")));

		assert_string_equal(got, c->skips[i]);
		free(got);
	}
	if (c->note != NULL) {
		int found = 0;

		json_array_foreach(json_object_get(facts, "notes"), i, k)
			if (strstr(json_string_value(k), c->note) != NULL)
				found = 1;
		if (!found)
			fail_msg("no note mentions \"%s\"", c->note);
	}
out:
	json_decref(facts);
	plat_root_free(r);
	assert_int_equal(support_rmtree(dir), 0);
}

int
main(void)
{
	size_t n = sizeof(cases) / sizeof(cases[0]), i;
	struct CMUnitTest *tests = calloc(n, sizeof(*tests));
	int rc;

	for (i = 0; i < n; i++) {
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].initial_state = (void *)&cases[i];
	}
	rc = _cmocka_run_group_tests("sudoers", tests, n, NULL, NULL);
	free(tests);
	return rc;
}

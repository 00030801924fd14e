/*
 * test_drift.c - drift between two scan documents: each kind of event,
 * what does not count as drift, the baseline-changed flag, evidence
 * differences, and shared owners carried for routing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "drift.h"
#include "util.h"

/* A scan document with one result per "id=status" item of spec (space
 * separated), baseline version ver, evidence {"v": n} for item n. */
static json_t *
doc(const char *ver, const char *spec)
{
	json_t *d = json_pack("{s:{s:s, s:{s:s, s:s, s:s}}, s:[]}", "scan",
			      "id", "x", "baseline", "id", "b", "version", ver,
			      "sha256", ver, "results");
	char *s = xstrdup(spec), *tok, *eq, *sp;
	int n = 0;

	for (tok = s; tok != NULL && *tok; tok = sp ? sp + 1 : NULL) {
		if ((sp = strchr(tok, ' ')) != NULL)
			*sp = '\0';
		eq = strchr(tok, '=');
		*eq = '\0';
		json_array_append_new(json_object_get(d, "results"), json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:{s:i}}", "id", tok,
			"status", eq + 1, "owner", "msp", "family", "config",
			"severity", "low", "evidence", "v", n++));
	}
	free(s);
	return d;
}

struct kind_case {
	const char *from, *to;
	const char *want;	/* "control:kind:from:to,...", "" = none */
};

static void
events_str(const json_t *ev, char *out, size_t n)
{
	const json_t *e;
	size_t i, len = 0;

	out[0] = '\0';
	json_array_foreach(ev, i, e) {
		const char *f = json_string_value(json_object_get(e, "from"));
		const char *t = json_string_value(json_object_get(e, "to"));

		len += (size_t)snprintf(out + len, n - len, "%s%s:%s:%s:%s",
			i ? "," : "",
			json_string_value(json_object_get(e, "control")),
			json_string_value(json_object_get(e, "kind")),
			f ? f : "-", t ? t : "-");
	}
}

static void
compare__each_kind_of_change(void **state)
{
	static const struct kind_case cases[] = {
		{ "a=pass", "a=pass", "" },
		{ "a=pass", "a=fail", "a:regressed:pass:fail" },
		{ "a=waived", "a=error", "a:regressed:waived:error" },
		{ "a=notapplicable", "a=unknown", "a:regressed:notapplicable:unknown" },
		{ "a=fail", "a=pass", "a:resolved:fail:pass" },
		{ "a=fail", "a=waived", "a:resolved:fail:waived" },
		{ "a=fail", "a=error", "a:changed:fail:error" },
		{ "a=pass", "a=informational", "a:changed:pass:informational" },
		{ "a=pass", "a=pass b=fail", "b:added:-:fail" },
		{ "a=pass b=fail", "a=pass", "b:removed:fail:-" },
		{ "a=pass b=pass", "b=fail a=pass", "b:regressed:pass:fail" },
	};
	char got[512];
	json_t *a, *b, *ev;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = doc("1.0.0", cases[i].from);
		b = doc("1.0.0", cases[i].to);
		/* Identical evidence, so only status changes count here. */
		json_object_set_new(json_array_get(json_object_get(a, "results"), 0),
				    "evidence", json_object());
		json_object_set_new(json_array_get(json_object_get(b, "results"), 0),
				    "evidence", json_object());
		if (json_array_size(json_object_get(a, "results")) > 1)
			json_object_set_new(json_array_get(json_object_get(a,
				"results"), 1), "evidence", json_object());
		if (json_array_size(json_object_get(b, "results")) > 1)
			json_object_set_new(json_array_get(json_object_get(b,
				"results"), 1), "evidence", json_object());
		ev = drift_compare(a, b);
		events_str(ev, got, sizeof(got));
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("%s -> %s: got '%s', want '%s'", cases[i].from,
				 cases[i].to, got, cases[i].want);
		json_decref(ev);
		json_decref(a);
		json_decref(b);
	}
}

static void
compare__same_failure_with_new_evidence_is_changed(void **state)
{
	json_t *a = doc("1.0.0", "p=fail"), *b = doc("1.0.0", "p=fail"), *ev;
	json_t *ra = json_array_get(json_object_get(a, "results"), 0);
	json_t *rb = json_array_get(json_object_get(b, "results"), 0);
	const json_t *ch;

	(void)state;
	json_object_set_new(ra, "evidence", json_pack("{s:[i], s:i}", "open",
						      22, "seconds", 1));
	json_object_set_new(rb, "evidence", json_pack("{s:[i,i], s:i}", "open",
						      22, 8080, "seconds", 9));
	ev = drift_compare(a, b);
	assert_int_equal(json_array_size(ev), 1);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(ev, 0), "kind")), "changed");
	ch = json_object_get(json_array_get(ev, 0), "evidence_changes");
	/* "seconds" changes every scan and is not drift. */
	assert_int_equal(json_array_size(ch), 1);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(ch, 0), "path")), "/open");
	assert_int_equal(json_integer_value(json_array_get(json_object_get(
		json_array_get(ch, 0), "added"), 0)), 8080);
	json_decref(ev);
	/* Only volatile keys differ: no drift. */
	json_object_set_new(rb, "evidence", json_pack("{s:[i], s:i}", "open",
						      22, "seconds", 5));
	ev = drift_compare(a, b);
	assert_int_equal(json_array_size(ev), 0);
	json_decref(ev);
	json_decref(a);
	json_decref(b);
}

static void
compare__flags_baseline_change_on_every_event(void **state)
{
	json_t *a = doc("1.0.0", "a=pass b=pass");
	json_t *b = doc("1.1.0", "a=fail b=pass");
	json_t *ev;

	(void)state;
	assert_true(drift_baseline_changed(a, b));
	assert_false(drift_baseline_changed(a, a));
	ev = drift_compare(a, b);
	assert_int_equal(json_array_size(ev), 1);
	assert_true(json_is_true(json_object_get(json_array_get(ev, 0),
						 "baseline_changed")));
	json_decref(ev);
	json_decref(a);
	json_decref(b);
}

static void
compare__carries_owner_and_shared_parties(void **state)
{
	json_t *a = doc("1.0.0", "a=pass"), *b = doc("1.0.0", "a=fail"), *ev;
	json_t *rb = json_array_get(json_object_get(b, "results"), 0);
	const json_t *e;

	(void)state;
	json_object_set_new(rb, "owner", json_string("internal"));
	json_object_set_new(rb, "shared_with", json_pack("[s]", "msp"));
	ev = drift_compare(a, b);
	e = json_array_get(ev, 0);
	assert_string_equal(json_string_value(json_object_get(e, "owner")),
			    "internal");
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(e, "shared_with"), 0)), "msp");
	json_decref(ev);
	json_decref(a);
	json_decref(b);
}

static void
status_good__matches_the_vocabulary(void **state)
{
	static const char *const good[] = { "pass", "waived", "notapplicable",
					    "informational" };
	static const char *const bad[] = { "fail", "error", "unknown",
					   "notchecked" };
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		assert_true(drift_status_good(good[i]));
		assert_false(drift_status_good(bad[i]));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(compare__each_kind_of_change),
		cmocka_unit_test(compare__same_failure_with_new_evidence_is_changed),
		cmocka_unit_test(compare__flags_baseline_change_on_every_event),
		cmocka_unit_test(compare__carries_owner_and_shared_parties),
		cmocka_unit_test(status_good__matches_the_vocabulary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

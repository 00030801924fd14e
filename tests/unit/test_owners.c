/*
 * test_owners.c - the owners file: assignment rules (first match wins,
 * shared controls), waivers that hold and that expired, coverage hours in a
 * time zone deciding who is on duty, SLA lookup, the <smtp> server, and
 * files that must be refused.
 *
 * Each test writes its owners file into its own mkdtemp directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "owners.h"
#include "support.h"

static const char good[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<owners xmlns=\"urn:plumb:owners:1\">\n"
	"  <smtp url=\"smtp://127.0.0.1:25\" from=\"plumb@example.org\" "
	"starttls=\"try\"/>\n"
	"  <party id=\"internal\"><name>Internal IT</name>"
	"<email>it@example.org</email>"
	"<coverage days=\"mon-fri\" from=\"08:00\" to=\"18:00\" tz=\"UTC\"/>"
	"</party>\n"
	"  <party id=\"msp\"><name>MSP</name>"
	"<webhook>https://msp.example.net/h</webhook></party>\n"
	"  <assign control=\"config.aslr\" party=\"internal\"/>\n"
	"  <assign family=\"mfa\" shared=\"internal msp\"/>\n"
	"  <assign family=\"config\" party=\"msp\"/>\n"
	"  <waiver control=\"config.ssh-*\" approved-by=\"Head of IT\" "
	"expires=\"2026-03-31\"><reason>legacy</reason></waiver>\n"
	"  <sla party=\"msp\" severity=\"critical\" hours=\"48\"/>\n"
	"  <sla party=\"msp\" hours=\"336\"/>\n"
	"</owners>\n";

struct fx {
	char dir[SUPPORT_DIR_MAX];
	char *path;
	struct owners *o;
};

static int
write_owners(struct fx *f, const char *text)
{
	FILE *fp = fopen(f->path, "w");

	if (fp == NULL)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct diags d = { NULL, 0 };
	struct errbuf e;
	int r;

	support_tmpdir(f->dir, sizeof(f->dir), "owners");
	f->path = xasprintf("%s/owners.xml", f->dir);
	if (write_owners(f, good) != 0)
		return -1;
	r = owners_load(f->path, &f->o, &d, &e);
	diags_release(&d);
	if (r != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	owners_free(f->o);
	unlink(f->path);
	rmdir(f->dir);
	free(f->path);
	free(f);
	return 0;
}

static time_t
at(const char *rfc3339)
{
	time_t t = 0;

	assert_int_equal(time_parse(rfc3339, &t), 0);
	return t;
}

static json_t *
result(json_t *doc, const char *id)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(doc, "results"), i, r)
		if (strcmp(json_string_value(json_object_get(r, "id")), id) == 0)
			return r;
	fail_msg("no result %s", id);
	return NULL;
}

static const char *
str(json_t *r, const char *k)
{
	return json_string_value(json_object_get(r, k));
}

static json_t *
scan_doc(void)
{
	return json_pack("{s:{}, s:["
			 "{s:s, s:s, s:s, s:s, s:s},"
			 "{s:s, s:s, s:s, s:s, s:s},"
			 "{s:s, s:s, s:s, s:s, s:s},"
			 "{s:s, s:s, s:s, s:s, s:s},"
			 "{s:s, s:s, s:s, s:s, s:s}]}", "scan", "results",
			 "id", "config.aslr", "family", "config", "status",
			 "fail", "owner", "nobody", "message", "m",
			 "id", "mfa.ssh", "family", "mfa", "status", "pass",
			 "owner", "nobody", "message", "m",
			 "id", "config.ssh-password-auth", "family", "config",
			 "status", "fail", "owner", "nobody", "message",
			 "password login",
			 "id", "patch.pending", "family", "patch", "status",
			 "fail", "owner", "internal", "message", "m",
			 "id", "config.ssh-root", "family", "config",
			 "status", "pass", "owner", "nobody", "message", "m");
}

static void
apply__first_matching_rule_decides_and_others_keep_default(void **state)
{
	struct fx *f = *state;
	json_t *d = scan_doc();

	owners_apply(f->o, d, at("2026-01-10T12:00:00Z"));
	assert_string_equal(str(result(d, "config.aslr"), "owner"), "internal");
	assert_string_equal(str(result(d, "mfa.ssh"), "owner"), "internal");
	assert_string_equal(json_string_value(json_array_get(json_object_get(
		result(d, "mfa.ssh"), "shared_with"), 0)), "msp");
	assert_string_equal(str(result(d, "config.ssh-root"), "owner"), "msp");
	/* No rule for the patch family: the baseline's default stays. */
	assert_string_equal(str(result(d, "patch.pending"), "owner"),
			    "internal");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
		json_object_get(d, "scan"), "owners"), "sha256")),
			    f->o->sha256);
	json_decref(d);
}

static void
apply__valid_waiver_waives_failure_and_keeps_raw_status(void **state)
{
	struct fx *f = *state;
	json_t *d = scan_doc(), *r;

	owners_apply(f->o, d, at("2026-03-31T23:00:00Z"));
	r = result(d, "config.ssh-password-auth");
	assert_string_equal(str(r, "status"), "waived");
	assert_string_equal(str(r, "raw_status"), "fail");
	assert_false(json_is_true(json_object_get(json_object_get(r, "waiver"),
						  "expired")));
	/* A passing control under the same glob is left alone. */
	assert_string_equal(str(result(d, "config.ssh-root"), "status"),
			    "pass");
	assert_null(json_object_get(result(d, "config.ssh-root"), "waiver"));
	json_decref(d);
}

static void
apply__expired_waiver_fails_and_says_so(void **state)
{
	struct fx *f = *state;
	json_t *d = scan_doc(), *r;

	/* The waiver holds through its last day, not a second longer. */
	owners_apply(f->o, d, at("2026-04-01T00:00:00Z"));
	r = result(d, "config.ssh-password-auth");
	assert_string_equal(str(r, "status"), "fail");
	assert_true(json_is_true(json_object_get(json_object_get(r, "waiver"),
						 "expired")));
	assert_non_null(strstr(str(r, "message"),
			       "waiver expired on 2026-03-31"));
	assert_non_null(strstr(str(r, "message"), "password login"));
	json_decref(d);
}

struct duty_case {
	const char *when;
	int internal_on_duty;
};

static void
route__shared_control_goes_to_the_party_on_duty(void **state)
{
	static const struct duty_case cases[] = {
		{ "2026-01-12T08:00:00Z", 1 },	/* Monday, opening */
		{ "2026-01-12T17:59:00Z", 1 },
		{ "2026-01-12T18:00:00Z", 0 },	/* closing is exclusive */
		{ "2026-01-12T07:59:00Z", 0 },
		{ "2026-01-10T12:00:00Z", 0 },	/* Saturday */
		{ "2026-01-16T12:00:00Z", 1 },	/* Friday */
	};
	struct fx *f = *state;
	const struct owners_party *p;
	json_t *ev = json_pack("{s:s, s:[s]}", "owner", "internal",
			       "shared_with", "msp");
	json_t *solo = json_pack("{s:s}", "owner", "internal");
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		time_t t = at(cases[i].when);

		assert_int_equal(owners_on_duty(owners_party(f->o, "internal"),
						t), cases[i].internal_on_duty);
		p = owners_route(f->o, ev, t);
		assert_non_null(p);
		assert_string_equal(p->id, cases[i].internal_on_duty ?
				    "internal" : "msp");
		/* A control that is not shared stays with its owner. */
		assert_string_equal(owners_route(f->o, solo, t)->id,
				    "internal");
	}
	json_decref(ev);
	json_decref(solo);
}

static void
route__unknown_owner_is_null(void **state)
{
	struct fx *f = *state;
	json_t *ev = json_pack("{s:s}", "owner", "vendor");

	assert_null(owners_route(f->o, ev, 0));
	json_decref(ev);
}

static void
sla__most_specific_wins(void **state)
{
	struct fx *f = *state;

	assert_int_equal(owners_sla_hours(f->o, "msp", "critical"), 48);
	assert_int_equal(owners_sla_hours(f->o, "msp", "low"), 336);
	assert_int_equal(owners_sla_hours(f->o, "msp", NULL), 336);
	assert_int_equal(owners_sla_hours(f->o, "internal", "critical"), 0);
	assert_int_equal(owners_sla_hours(NULL, "msp", "critical"), 0);
}

static void
load__reads_smtp_server_and_contacts(void **state)
{
	struct fx *f = *state;
	const struct owners_party *p = owners_party(f->o, "internal");

	assert_string_equal(f->o->smtp_url, "smtp://127.0.0.1:25");
	assert_string_equal(f->o->smtp_from, "plumb@example.org");
	assert_int_equal(f->o->smtp_starttls_required, 0);
	assert_int_equal(p->nemails, 1);
	assert_string_equal(p->emails[0], "it@example.org");
	assert_int_equal(owners_party(f->o, "msp")->nwebhooks, 1);
	assert_null(owners_party(f->o, "nobody"));
}

struct bad_case {
	const char *name;
	const char *from, *to;	/* replaced in good[] */
};

static void
load__refuses_invalid_files(void **state)
{
	static const struct bad_case cases[] = {
		{ "shared with an unknown party", "shared=\"internal msp\"",
		  "shared=\"internal vendor\"" },
		{ "assignment to an unknown party", "party=\"internal\"/>",
		  "party=\"vendor\"/>" },
		{ "empty coverage window", "from=\"08:00\" to=\"18:00\"",
		  "from=\"18:00\" to=\"08:00\"" },
		{ "unknown time zone", "tz=\"UTC\"", "tz=\"Mars/Olympus\"" },
		{ "smtp url that is not smtp", "smtp://127.0.0.1:25",
		  "http://127.0.0.1:25" },
		{ "waiver date that is not a date", "2026-03-31", "2026-13-31" },
		{ "an entity declaration", "<owners ",
		  "<!DOCTYPE owners [<!ENTITY x \"y\">]><owners " },
	};
	struct fx *f = *state;
	struct diags d = { NULL, 0 };
	struct owners *o = (void *)1;
	struct errbuf e;
	const char *at_;
	char *text;
	size_t i, k;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		at_ = strstr(good, cases[i].from);
		assert_non_null(at_);
		k = (size_t)(at_ - good);
		text = xasprintf("%.*s%s%s", (int)k, good, cases[i].to,
				 at_ + strlen(cases[i].from));
		assert_int_equal(write_owners(f, text), 0);
		if (owners_load(f->path, &o, &d, &e) == 0)
			fail_msg("%s: accepted", cases[i].name);
		assert_null(o);
		assert_true(d.n > 0);
		diags_release(&d);
		free(text);
	}
}

/* A waiver naming accounts waives a failure that is theirs alone, never
 * one another user shares. */
static void
apply__account_waiver_covers_only_the_named_accounts(void **state)
{
	static const char text[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<owners xmlns=\"urn:plumb:owners:1\">\n"
		"  <party id=\"msp\"><name>MSP</name></party>\n"
		"  <waiver control=\"mfa.idp-*\" approved-by=\"CISO\" "
		"expires=\"2026-12-31\"><reason>break-glass</reason>"
		"<account>bg1@example.org</account>"
		"<account>bg2@example.org</account></waiver>\n"
		"</owners>\n";
	struct fx *f = *state;
	struct diags dg = { NULL, 0 };
	struct errbuf e = { "" };
	json_t *d, *r;

	owners_free(f->o);
	f->o = NULL;
	assert_int_equal(write_owners(f, text), 0);
	assert_int_equal(owners_load(f->path, &f->o, &dg, &e), 0);
	d = json_pack("{s:{}, s:["
		      "{s:s, s:s, s:s, s:{s:[{s:s, s:b}, {s:s, s:b}]}},"
		      "{s:s, s:s, s:s, s:{s:[{s:s, s:b}, {s:s, s:b}]}},"
		      "{s:s, s:s, s:s, s:{s:[{s:s, s:s, s:{s:[{s:s, s:b}]}}]}},"
		      "{s:s, s:s, s:s, s:{s:s}}]}",
		      "scan", "results",
		      "id", "mfa.idp-all", "status", "fail", "message", "m",
		      "evidence", "users", "user", "bg1@example.org",
		      "compliant", 0, "user", "alice@example.org",
		      "compliant", 1,
		      "id", "mfa.idp-admins", "status", "fail", "message", "m",
		      "evidence", "users", "user", "bg2@example.org",
		      "compliant", 0, "user", "bob@example.org",
		      "compliant", 0,
		      "id", "mfa.idp-multi", "status", "fail", "message", "m",
		      "evidence", "checks", "status", "fail", "type", "idp-mfa",
		      "evidence", "users", "user", "bg1@example.org",
		      "compliant", 0,
		      "id", "mfa.idp-policy", "status", "fail", "message", "m",
		      "evidence", "policy", "none");
	assert_non_null(d);
	owners_apply(f->o, d, at("2026-06-01T00:00:00Z"));
	r = result(d, "mfa.idp-all");
	assert_string_equal(str(r, "status"), "waived");
	assert_string_equal(json_string_value(json_array_get(json_object_get(
		json_object_get(r, "waiver"), "accounts"), 1)),
		"bg2@example.org");
	/* bob is not a break-glass account: the control still fails. */
	assert_string_equal(str(result(d, "mfa.idp-admins"), "status"),
			    "fail");
	assert_null(json_object_get(result(d, "mfa.idp-admins"), "waiver"));
	assert_string_equal(str(result(d, "mfa.idp-multi"), "status"),
			    "waived");
	/* A failure without a user list is nobody's account. */
	assert_string_equal(str(result(d, "mfa.idp-policy"), "status"),
			    "fail");
	json_decref(d);
	diags_release(&dg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(apply__first_matching_rule_decides_and_others_keep_default),
		T(apply__valid_waiver_waives_failure_and_keeps_raw_status),
		T(apply__expired_waiver_fails_and_says_so),
		T(apply__account_waiver_covers_only_the_named_accounts),
		T(route__shared_control_goes_to_the_party_on_duty),
		T(route__unknown_owner_is_null),
		T(sla__most_specific_wins),
		T(load__reads_smtp_server_and_contacts),
		T(load__refuses_invalid_files),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_output.c - the report writers over one scan document that holds
 * every status and hostile text (markup, "]]>", quotes, control
 * characters, invalid UTF-8, NUL bytes inside jansson strings): every
 * format must come out well-formed (libxml2 parses the XML and the HTML as
 * XML, jansson the JSON), the sanitiser must follow its table, the status
 * vocabulary must follow the formats reference, name-based UUIDs must match
 * Python's uuid.uuid5, and the framework view must count coverage right.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>

#include "escape.h"
#include "frameworks.h"
#include "output.h"
#include "report.h"

/* Text a hostile host might put anywhere. */
#define HOSTILE "<b>&amp;</b> ]]> \"q\" 'a' \x01\x1b[31m\x7f end"

static json_t *
str_nocheck(const char *s, size_t n)
{
	json_t *j = json_stringn_nocheck(s, n);

	assert_non_null(j);
	return j;
}

static json_t *
result(const char *id, const char *status, const char *owner,
       const char *family, const char *severity, const char *fw,
       const char *ref)
{
	json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
			      "s:{s:s, s:i, s:[s, s]}, s:[{s:s, s:s}]}",
			      "id", id, "title", "Title of " HOSTILE,
			      "family", family, "severity", severity,
			      "owner", owner, "status", status,
			      "message", "message " HOSTILE,
			      "rationale", "because",
			      "evidence", "path", "/etc/ssh/sshd_config",
			      "line", 12, "items", "a<b", "c&d",
			      "refs", "framework", fw, "id", ref);

	assert_non_null(r);
	return r;
}

/* A plumb.scan/1 document with every status, a waiver, and invalid UTF-8
 * and NUL bytes that only a _nocheck call can put into jansson. */
static json_t *
hostile_doc(void)
{
	json_t *results = json_array(), *r, *doc;

	json_array_append_new(results, result("config.aslr", "pass", "msp",
		"config", "medium", "cis-controls-v8", "4.1"));
	json_array_append_new(results, result("config.ssh-root", "fail",
		"internal", "config", "high", "cis-controls-v8", "5.4"));
	json_array_append_new(results, result("patch.pending", "error", "msp",
		"patch", "critical", "essential-eight", "ISM-1695"));
	json_array_append_new(results, result("mfa.pam", "unknown", "msp",
		"mfa", "high", "nist-800-53r5", "IA-2(1)"));
	json_array_append_new(results, result("encryption.home",
		"notapplicable", "internal", "encryption", "low",
		"cis-controls-v8", "3.6"));
	json_array_append_new(results, result("ports.listen", "notchecked",
		"internal", "ports", "info", "cis-controls-v8", "4.8"));
	json_array_append_new(results, result("malware.yara", "informational",
		"msp", "malware", "low", "cis-controls-v8", "10.1"));
	r = result("0day.waived", "waived", "msp", "config", "medium",
		   "cis-controls-v8", "99.9");
	json_object_set_new(r, "raw_status", json_string("fail"));
	json_object_set_new(r, "waiver", json_pack("{s:s, s:s, s:s}",
		"reason", "vendor fix pending " HOSTILE, "approved_by",
		"ciso <x@y>", "expires", "2031-01-01"));
	json_array_append_new(results, r);
	/* Invalid UTF-8 and an embedded NUL in the evidence and message. */
	r = json_array_get(results, 1);
	json_object_set_new(r, "message",
			    str_nocheck("bad \xff\xfe utf8 \xc0\xaf and \0 NUL",
					sizeof("bad \xff\xfe utf8 \xc0\xaf and \0 NUL") - 1));
	json_object_set_new(json_object_get(r, "evidence"), "raw",
			    str_nocheck("\xed\xa0\x80 surrogate",
					sizeof("\xed\xa0\x80 surrogate") - 1));

	doc = json_pack("{s:s, s:{s:s, s:i, s:s, s:s, s:o, s:s, "
			"s:{s:s, s:s, s:s, s:s}, s:s}, s:o}",
			"schema", "plumb.scan/1",
			"scan", "id", "1b4e28ba-2fa1-4d2b-883f-0016d3cca427",
			"seq", 3, "started", "2026-08-20T02:13:05Z",
			"finished", "2026-08-20T02:13:41Z",
			"host", json_pack("{s:o, s:s, s:{s:s, s:s, s:s}, s:s, s:s}",
				"hostname", str_nocheck("ws<&]]>\"\x01\xff", 10),
				"machine_id", "0123456789abcdef0123456789abcdef",
				"os", "id", "debian", "version", "12",
				"pretty", "Debian " HOSTILE, "kernel", "6.1",
				"arch", "x86_64"),
			"root", "/tmp/root with space",
			"baseline", "id", "test-baseline", "version", "1.0.0",
			"sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
			"title", "Test " HOSTILE,
			"plumb_version", "0.1.0",
			"results", results);
	assert_non_null(doc);
	json_object_set_new(doc, "summary", json_pack(
		"{s:i, s:{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}, s:{}, s:{}}",
		"total", 8, "statuses", "pass", 1, "fail", 1, "error", 1,
		"unknown", 1, "notapplicable", 1, "notchecked", 1,
		"informational", 1, "waived", 1, "by_family", "by_owner"));
	return doc;
}

/* Renders doc with the writer named fmt into a new buffer. */
static char *
render(const char *fmt, const json_t *doc, size_t *len)
{
	const struct output_writer *w = output_find(fmt);
	struct output_opts o = { 0, 0, NULL };
	struct errbuf e = { "" };
	char *buf = NULL;
	size_t n = 0;
	FILE *f;
	int rc;

	assert_non_null(w);
	f = open_memstream(&buf, &n);
	assert_non_null(f);
	rc = w->write(doc, f, &o, &e);
	fclose(f);
	if (rc != 0)
		fail_msg("%s: %s", fmt, e.msg);
	*len = n;
	return buf;
}

static void
xml_well_formed(const char *fmt)
{
	json_t *doc = hostile_doc();
	size_t n;
	char *out = render(fmt, doc, &n);
	xmlDoc *d;

	assert_true(utf8_valid(out, n));
	d = xmlReadMemory(out, (int)n, NULL, NULL,
			  XML_PARSE_NONET | XML_PARSE_NOERROR |
			  XML_PARSE_NOWARNING);
	if (d == NULL)
		fail_msg("%s output is not well-formed XML:\n%s", fmt, out);
	xmlFreeDoc(d);
	/* The markup the host sent is text, never markup. */
	assert_null(strstr(out, "<b>"));
	free(out);
	json_decref(doc);
}

static void
writers__xccdf_is_well_formed_xml(void **state)
{
	(void)state;
	xml_well_formed("xccdf");
}

static void
writers__arf_is_well_formed_xml(void **state)
{
	(void)state;
	xml_well_formed("arf");
}

static void
writers__junit_is_well_formed_xml(void **state)
{
	(void)state;
	xml_well_formed("junit");
}

static void
writers__html_is_well_formed_xml_without_script(void **state)
{
	json_t *doc = hostile_doc();
	size_t n;
	char *out;

	(void)state;
	xml_well_formed("html");
	out = render("html", doc, &n);
	assert_null(strstr(out, "<script"));
	assert_null(strstr(out, "http://") ? strstr(strstr(out, "http://"),
						      "src=") : NULL);
	assert_non_null(strstr(out, "<!DOCTYPE html>"));
	/* No history: the report says so instead of charting nothing. */
	assert_non_null(strstr(out, "No history was available"));
	free(out);
	json_decref(doc);
}

static json_t *
json_output(const char *fmt)
{
	json_t *doc = hostile_doc(), *j;
	json_error_t err;
	size_t n;
	char *out = render(fmt, doc, &n);

	j = json_loadb(out, n, 0, &err);
	if (j == NULL)
		fail_msg("%s output is not JSON: %s", fmt, err.text);
	free(out);
	json_decref(doc);
	return j;
}

static void
writers__sarif_has_required_fields_and_levels(void **state)
{
	json_t *log = json_output("sarif"), *run, *res;
	const char *kinds[] = { "pass", "fail", "open", "open", "notApplicable",
		"review", "informational", "fail" };
	size_t i;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(log, "version")),
			    "2.1.0");
	run = json_array_get(json_object_get(log, "runs"), 0);
	assert_string_equal(report_str(report_get(run, "tool", "driver", NULL),
				       "name"), "plumb");
	assert_int_equal(json_array_size(report_get(run, "tool", "driver",
						    "rules", NULL)), 8);
	res = json_object_get(run, "results");
	assert_int_equal(json_array_size(res), 8);
	for (i = 0; i < 8; i++) {
		const json_t *r = json_array_get(res, i);

		assert_string_equal(report_str(r, "kind"), kinds[i]);
		assert_non_null(report_get(r, "message", "text", NULL));
		if (strcmp(kinds[i], "fail") != 0)
			assert_string_equal(report_str(r, "level"), "none");
	}
	/* high fail -> error; the waived control is suppressed. */
	assert_string_equal(report_str(json_array_get(res, 1), "level"), "error");
	assert_string_equal(report_str(json_array_get(json_object_get(
		json_array_get(res, 7), "suppressions"), 0), "status"), "accepted");
	/* Evidence with a path becomes a physical location. */
	assert_string_equal(report_str(report_get(json_array_get(
		json_object_get(json_array_get(res, 0), "locations"), 0),
		"physicalLocation", "artifactLocation", NULL), "uri"),
		"etc/ssh/sshd_config");
	json_decref(log);
}

static void
writers__oscal_findings_follow_the_vocabulary(void **state)
{
	json_t *root = json_output("oscal"), *ar, *res, *findings;
	size_t i;

	(void)state;
	ar = json_object_get(root, "assessment-results");
	assert_non_null(ar);
	res = json_array_get(json_object_get(ar, "results"), 0);
	assert_int_equal(json_array_size(json_object_get(res, "observations")), 8);
	findings = json_object_get(res, "findings");
	/* pass, fail, error, unknown, waived give findings; n/a, notchecked,
	 * informational only observations. */
	assert_int_equal(json_array_size(findings), 5);
	for (i = 0; i < json_array_size(findings); i++) {
		const json_t *st = report_get(json_array_get(findings, i),
					      "target", "status", NULL);
		const char *state_ = report_str(st, "state");

		assert_true(strcmp(state_, "satisfied") == 0 ||
			    strcmp(state_, "not-satisfied") == 0);
	}
	assert_int_equal(json_array_size(json_object_get(res, "risks")), 1);
	assert_string_equal(report_str(json_array_get(json_object_get(res,
		"risks"), 0), "status"), "deviation-approved");
	/* A control id starting with a digit becomes a valid token. */
	assert_string_equal(report_str(report_get(json_array_get(findings, 4),
		"target", NULL), "target-id"), "_0day.waived");
	json_decref(root);
}

static void
writers__oscal_is_byte_identical_on_rerender(void **state)
{
	json_t *doc = hostile_doc();
	size_t n1, n2;
	char *a = render("oscal", doc, &n1), *b = render("oscal", doc, &n2);

	(void)state;
	assert_int_equal(n1, n2);
	assert_memory_equal(a, b, n1);
	free(a);
	free(b);
	json_decref(doc);
}

static void
writers__csv_quotes_every_field_and_defuses_formulas(void **state)
{
	json_t *doc = hostile_doc();
	size_t n, rows = 0, i;
	char *out = render("csv", doc, &n);
	int quoted = 0;

	(void)state;
	assert_true(utf8_valid(out, n));
	/* Records end in CRLF outside quotes: header + 8 controls. */
	for (i = 0; i < n; i++) {
		if (out[i] == '"')
			quoted = !quoted;
		else if (!quoted && out[i] == '\r' && out[i + 1] == '\n')
			rows++;
	}
	assert_int_equal(rows, 9);
	assert_false(quoted);
	assert_null(strstr(out, ",\"="));
	free(out);
	json_decref(doc);
}

static void
writers__output_names_lists_every_writer(void **state)
{
	static const char *const fmts[] = { "text", "json", "csv", "junit",
		"sarif", "html", "xccdf", "arf", "oscal" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		assert_non_null(output_find(fmts[i]));
		assert_non_null(strstr(output_names(), fmts[i]));
	}
	assert_null(output_find("yaml"));
}

struct esc_case {
	const char *in;
	size_t n;
	enum escape_lang lang;
	const char *out;
};

static void
escape__table(void **state)
{
	static const struct esc_case cases[] = {
		{ "plain", 5, ESCAPE_XML, "plain" },
		{ "a\x01" "b", 3, ESCAPE_XML, "a\xef\xbf\xbd" "b" },
		{ "a\x01" "b", 3, ESCAPE_JSON, "a\x01" "b" },
		{ "tab\tnl\n", 7, ESCAPE_XML, "tab\tnl\n" },
		{ "tab\tnl\n", 7, ESCAPE_LINE, "tab nl " },
		{ "\xff", 1, ESCAPE_JSON, "\xef\xbf\xbd" },
		{ "\xc0\xaf", 2, ESCAPE_JSON, "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xed\xa0\x80", 3, ESCAPE_XML,
		  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xef\xbf\xbe", 3, ESCAPE_XML, "\xef\xbf\xbd" },
		{ "\xef\xbf\xbe", 3, ESCAPE_JSON, "\xef\xbf\xbe" },
		{ "a\0b", 3, ESCAPE_JSON, "a\xef\xbf\xbd" "b" },
		{ "\xc2\x9b" "x", 3, ESCAPE_TERM, "\xef\xbf\xbd" "x" },
		{ "\xc2\x9b" "x", 3, ESCAPE_XML, "\xc2\x9b" "x" },
		{ "\xf0\x9f\x98\x80", 4, ESCAPE_XML, "\xf0\x9f\x98\x80" },
		{ "\xe2\x82", 2, ESCAPE_XML, "\xef\xbf\xbd\xef\xbf\xbd" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = escape_text(cases[i].in, cases[i].n, cases[i].lang);

		if (strcmp(got, cases[i].out) != 0)
			fail_msg("case %zu", i);
		assert_int_equal(escape_is_clean(cases[i].in, cases[i].n,
						 cases[i].lang),
				 cases[i].n == strlen(cases[i].out) &&
				 memcmp(cases[i].in, cases[i].out,
					cases[i].n) == 0);
		free(got);
	}
}

static void
report__uuid5_matches_python(void **state)
{
	char u[37];

	(void)state;
	/* python3 -c 'import uuid; print(uuid.uuid5(uuid.UUID(
	 * "6b2e410c-9d53-4f7a-b128-5e903cd714a6"), NAME))' */
	report_uuid5("tool plumb", u);
	assert_string_equal(u, "26262c7d-c382-5cba-8dc0-65938346cdc2");
	report_uuid5("observation 1b4e28ba-2fa1-4d2b-883f-0016d3cca427 "
		     "config.aslr", u);
	assert_string_equal(u, "369b76a1-8c38-5393-bc54-0c95da360719");
}

static void
report__status_vocabulary_follows_the_reference(void **state)
{
	(void)state;
	assert_string_equal(report_status("waived")->xccdf, "pass");
	assert_string_equal(report_status("waived")->sarif_kind, "fail");
	assert_string_equal(report_status("error")->sarif_kind, "open");
	assert_string_equal(report_status("notchecked")->sarif_kind, "review");
	assert_null(report_status("notapplicable")->oscal_state);
	assert_string_equal(report_status("fail")->junit, "failure");
	assert_string_equal(report_status("bogus")->status, "unknown");
	assert_string_equal(report_xccdf_severity("critical"), "high");
}

static void
frameworks__lists_parse_and_unknown_is_refused(void **state)
{
	struct errbuf e = { "" };
	json_t *ids = NULL;

	(void)state;
	assert_int_equal(frameworks_list("cis-controls-v8", &ids, &e), 0);
	assert_true(json_array_size(ids) > 20);
	assert_string_equal(report_str(json_array_get(ids, 0), "id"), "1.1");
	json_decref(ids);
	assert_int_equal(frameworks_list("cyber-essentials", &ids, &e), 0);
	assert_int_equal(json_array_size(ids), 5);
	json_decref(ids);
	assert_int_equal(frameworks_list("iso9001", &ids, &e), PLUMB_ENOENT);
	assert_null(ids);
	assert_non_null(strstr(e.msg, "essential-eight"));
}

static const json_t *
row(const json_t *view, const char *id)
{
	const json_t *r;
	size_t i;

	json_array_foreach(report_get(view, "framework", "coverage", NULL), i, r)
		if (strcmp(report_str(r, "id"), id) == 0)
			return r;
	fail_msg("no coverage row %s", id);
	return NULL;
}

static void
frameworks__view_filters_and_counts_coverage(void **state)
{
	struct errbuf e = { "" };
	json_t *doc = hostile_doc(), *view = NULL;
	const json_t *counts;

	(void)state;
	assert_int_equal(frameworks_view(doc, "cis-controls-v8", &view, &e), 0);
	/* Only the six results that refer to CIS are kept. */
	assert_int_equal(json_array_size(json_object_get(view, "results")), 6);
	assert_int_equal(json_integer_value(report_get(view, "summary",
		"total", NULL)), 6);
	assert_string_equal(report_str(row(view, "4.1"), "state"), "passing");
	assert_string_equal(report_str(row(view, "5.4"), "state"), "failing");
	assert_string_equal(report_str(row(view, "3.6"), "state"), "not-assessed");
	assert_string_equal(report_str(row(view, "6.5"), "state"), "not-covered");
	assert_false(json_is_true(json_object_get(row(view, "99.9"), "in_list")));
	assert_string_equal(report_str(row(view, "99.9"), "state"), "waived");
	counts = report_get(view, "framework", "counts", NULL);
	assert_int_equal(json_integer_value(json_object_get(counts, "unlisted")), 1);
	assert_int_equal(json_integer_value(json_object_get(counts, "covered")), 6);
	/* The document itself is untouched. */
	assert_int_equal(json_array_size(json_object_get(doc, "results")), 8);
	json_decref(view);
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escape__table),
		cmocka_unit_test(report__uuid5_matches_python),
		cmocka_unit_test(report__status_vocabulary_follows_the_reference),
		cmocka_unit_test(writers__output_names_lists_every_writer),
		cmocka_unit_test(writers__xccdf_is_well_formed_xml),
		cmocka_unit_test(writers__arf_is_well_formed_xml),
		cmocka_unit_test(writers__junit_is_well_formed_xml),
		cmocka_unit_test(writers__html_is_well_formed_xml_without_script),
		cmocka_unit_test(writers__sarif_has_required_fields_and_levels),
		cmocka_unit_test(writers__oscal_findings_follow_the_vocabulary),
		cmocka_unit_test(writers__oscal_is_byte_identical_on_rerender),
		cmocka_unit_test(writers__csv_quotes_every_field_and_defuses_formulas),
		cmocka_unit_test(frameworks__lists_parse_and_unknown_is_refused),
		cmocka_unit_test(frameworks__view_filters_and_counts_coverage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

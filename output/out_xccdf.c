/*
 * out_xccdf.c - XCCDF 1.2: a Benchmark generated from the scan's controls
 * (one Group per family, one Rule per control, framework references as
 * <reference> and <ident>) holding one TestResult with a rule-result per
 * control, written with libxml2's xmlTextWriter in the element order the
 * XCCDF 1.2 schema enforces.  It passes `oscap xccdf validate` and renders
 * with `oscap xccdf generate report`.
 *
 * Ids follow the schema's patterns: xccdf_org.plumb_benchmark_<baseline>,
 * xccdf_org.plumb_group_<family>, xccdf_org.plumb_rule_<control>,
 * xccdf_org.plumb_testresult_<scan id>.  Results map as report.c's table;
 * a waived control is result `pass`, with the waiver (old and new result,
 * authority, expiry, reason) in the rule-result's <metadata> as a
 * plumb:waiver element, and messages keep the raw status in words.
 * XCCDF's own <override> would say the same, but OpenSCAP's schematron
 * (1.3) then demands an override on every other rule-result of the
 * TestResult too, so `oscap xccdf validate` would refuse the report.  XCCDF
 * severities stop at high, so critical becomes high and the text says so.
 */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "frameworks.h"
#include "out_xccdf.h"
#include "output.h"
#include "report.h"

/* The namespace of plumb's own elements inside xccdf:metadata. */
#define XCCDF_PLUMB_NS REPORT_URN ":xccdf:1"
/* The check system URI for plumb's native checks. */
#define XCCDF_CHECK_SYSTEM REPORT_URN ":check:1"

char *
out_xccdf_id(const char *kind, const char *id)
{
	char *tail = report_ncname_tail(id), *s;

	s = xasprintf("xccdf_" REPORT_XCCDF_NS "_%s_%s", kind, tail);
	free(tail);
	return s;
}

/* The URI that names framework fw in XCCDF's system/href attributes. */
static char *
framework_uri(const char *fw)
{
	const char *uri = frameworks_uri(fw);
	char *tail;
	char *s;

	if (uri != NULL)
		return xstrdup(uri);
	tail = report_ncname_tail(fw);
	s = xasprintf(REPORT_URN ":framework:%s", tail);
	free(tail);
	return s;
}

static void
write_rule(struct xw *x, const json_t *r)
{
	const json_t *ref;
	char *id = out_xccdf_id("rule", report_str(r, "id"));
	const char *sev = report_str(r, "severity");
	size_t i;

	xw_start(x, "Rule");
	xw_attr(x, "id", id);
	xw_attr(x, "selected", "true");
	xw_attr(x, "severity", report_xccdf_severity(sev));
	xw_start(x, "title");
	xw_jtext(x, json_object_get(r, "title"));
	xw_end(x);
	xw_start(x, "description");
	xw_textf(x, "plumb control %s (family %s, severity %s, owner %s).",
		 report_str(r, "id"), report_str(r, "family"), sev,
		 report_str(r, "owner"));
	xw_end(x);
	json_array_foreach(json_object_get(r, "refs"), i, ref) {
		char *uri = framework_uri(report_str(ref, "framework"));

		xw_start(x, "reference");
		xw_attr(x, "href", uri);
		xw_textf(x, "%s %s", report_str(ref, "framework"),
			 report_str(ref, "id"));
		xw_end(x);
		free(uri);
	}
	if (json_is_string(json_object_get(r, "rationale"))) {
		xw_start(x, "rationale");
		xw_jtext(x, json_object_get(r, "rationale"));
		xw_end(x);
	}
	json_array_foreach(json_object_get(r, "refs"), i, ref) {
		char *uri = framework_uri(report_str(ref, "framework"));

		xw_start(x, "ident");
		xw_attr(x, "system", uri);
		xw_text(x, report_str(ref, "id"));
		xw_end(x);
		free(uri);
	}
	xw_start(x, "check");
	xw_attr(x, "system", XCCDF_CHECK_SYSTEM);
	xw_start(x, "check-content-ref");
	xw_attr(x, "href", "#plumb-baseline");
	xw_attr(x, "name", report_str(r, "id"));
	xw_end(x);
	xw_end(x);
	xw_end(x);
	free(id);
}

static void
fact(struct xw *x, const char *name, const char *value)
{
	xw_start(x, "fact");
	xw_attr(x, "name", name);
	xw_attr(x, "type", "string");
	xw_text(x, value);
	xw_end(x);
}

static void
write_rule_result(struct xw *x, const json_t *doc, const json_t *r)
{
	const char *st = report_str(r, "status");
	const char *raw = report_str(r, "raw_status");
	const char *finished = report_str(report_get(doc, "scan", NULL),
					  "finished");
	const struct report_status *map = report_status(st);
	const json_t *ref, *w = json_object_get(r, "waiver");
	char *id = out_xccdf_id("rule", report_str(r, "id")), *ev;
	size_t i;

	xw_start(x, "rule-result");
	xw_attr(x, "idref", id);
	xw_attr(x, "time", finished);
	xw_attr(x, "severity", report_xccdf_severity(report_str(r, "severity")));
	xw_attr(x, "weight", "1.0");
	xw_elem(x, "result", map->xccdf);
	json_array_foreach(json_object_get(r, "refs"), i, ref) {
		char *uri = framework_uri(report_str(ref, "framework"));

		xw_start(x, "ident");
		xw_attr(x, "system", uri);
		xw_text(x, report_str(ref, "id"));
		xw_end(x);
		free(uri);
	}
	if (strcmp(st, "waived") == 0) {
		xw_start(x, "metadata");
		xw_start(x, "plumb:waiver");
		xw_attr(x, "xmlns:plumb", XCCDF_PLUMB_NS);
		xw_attr(x, "old-result", report_status(raw[0] ? raw : "fail")->xccdf);
		xw_attr(x, "new-result", map->xccdf);
		xw_attr(x, "time", finished);
		xw_attr(x, "authority", json_is_string(json_object_get(w,
			"approved_by")) ? report_str(w, "approved_by") :
			"the owners file's waiver");
		if (json_is_string(json_object_get(w, "expires")))
			xw_attr(x, "expires", report_str(w, "expires"));
		xw_text(x, json_is_string(json_object_get(w, "reason")) ?
			report_str(w, "reason") :
			"an approved waiver covers this control");
		xw_end(x);
		xw_end(x);
	}
	xw_start(x, "message");
	xw_attr(x, "severity", strcmp(st, "error") == 0 ? "error" :
		map->open ? "warning" : "info");
	if (strcmp(st, "waived") == 0)
		xw_textf(x, "waived (raw status %s): ", raw[0] ? raw : "fail");
	xw_jtext(x, json_object_get(r, "message"));
	xw_end(x);
	if (strcmp(report_str(r, "severity"), "critical") == 0) {
		xw_start(x, "message");
		xw_attr(x, "severity", "info");
		xw_text(x, "plumb severity critical (XCCDF: high)");
		xw_end(x);
	}
	ev = escape_json_dump(json_object_get(r, "evidence"),
			JSON_COMPACT | JSON_SORT_KEYS);
	xw_start(x, "message");
	xw_attr(x, "severity", "info");
	xw_textf(x, "evidence: %s", ev);
	xw_end(x);
	free(ev);
	xw_start(x, "check");
	xw_attr(x, "system", XCCDF_CHECK_SYSTEM);
	xw_start(x, "check-content-ref");
	xw_attr(x, "href", "#plumb-baseline");
	xw_attr(x, "name", report_str(r, "id"));
	xw_end(x);
	xw_end(x);
	xw_end(x);
	free(id);
}

/* The default scoring model: pass counts 100, fail/error/unknown 0, the
 * rest is not scored (OpenSCAP's result_scoring.c). */
static double
score(const json_t *doc)
{
	const json_t *r;
	size_t i, scored = 0, passed = 0;

	json_array_foreach(json_object_get(doc, "results"), i, r) {
		const char *x = report_status(report_str(r, "status"))->xccdf;

		if (strcmp(x, "pass") == 0)
			passed++, scored++;
		else if (strcmp(x, "fail") == 0 || strcmp(x, "error") == 0 ||
			 strcmp(x, "unknown") == 0)
			scored++;
	}
	return scored ? 100.0 * (double)passed / (double)scored : 0.0;
}

void
out_xccdf_testresult(struct xw *x, const json_t *doc,
		     const char *benchmark_href, const char *asset_ref)
{
	const json_t *scan = json_object_get(doc, "scan");
	const json_t *host = json_object_get(scan, "host");
	const json_t *bl = json_object_get(scan, "baseline");
	const char *hostname = report_str(host, "hostname");
	const json_t *r;
	char *id = out_xccdf_id("testresult", report_str(scan, "id"));
	char *bid = out_xccdf_id("benchmark", report_str(bl, "id"));
	size_t i;

	xw_start(x, "TestResult");
	if (benchmark_href != NULL)
		xw_attr(x, "xmlns", XCCDF_NS);
	xw_attr(x, "id", id);
	xw_attr(x, "start-time", report_str(scan, "started"));
	xw_attr(x, "end-time", report_str(scan, "finished"));
	xw_attrf(x, "test-system", "cpe:2.3:a:plumb:plumb:%s:*:*:*:*:*:*:*",
		 report_str(scan, "plumb_version"));
	xw_attr(x, "version", report_str(bl, "version"));
	if (benchmark_href != NULL) {
		xw_start(x, "benchmark");
		xw_attr(x, "href", benchmark_href);
		xw_attr(x, "id", bid);
		xw_end(x);
	}
	xw_elemf(x, "title", "plumb scan %s", report_str(scan, "id"));
	xw_start(x, "target");
	if (hostname[0] != '\0')
		xw_jtext(x, json_object_get(host, "hostname"));
	else
		xw_text(x, "localhost");
	xw_end(x);
	xw_start(x, "target-facts");
	fact(x, "urn:xccdf:fact:asset:identifier:host_name", hostname);
	fact(x, "urn:xccdf:fact:identifier", report_str(host, "machine_id"));
	fact(x, "urn:xccdf:fact:scanner:name", "plumb");
	fact(x, "urn:xccdf:fact:scanner:version",
	     report_str(scan, "plumb_version"));
	fact(x, REPORT_URN ":fact:os",
	     report_str(json_object_get(host, "os"), "pretty"));
	fact(x, REPORT_URN ":fact:kernel", report_str(host, "kernel"));
	fact(x, REPORT_URN ":fact:arch", report_str(host, "arch"));
	fact(x, REPORT_URN ":fact:scan-id", report_str(scan, "id"));
	fact(x, REPORT_URN ":fact:baseline-sha256", report_str(bl, "sha256"));
	fact(x, REPORT_URN ":fact:root", report_str(scan, "root"));
	xw_end(x);
	if (asset_ref != NULL) {
		xw_start(x, "target-id-ref");
		xw_attr(x, "system",
			"http://scap.nist.gov/schema/asset-identification/1.1");
		xw_attr(x, "name", asset_ref);
		xw_attr(x, "href", "");
		xw_end(x);
	}
	json_array_foreach(json_object_get(doc, "results"), i, r)
		write_rule_result(x, doc, r);
	xw_start(x, "score");
	xw_attr(x, "system", "urn:xccdf:scoring:default");
	xw_attr(x, "maximum", "100");
	xw_textf(x, "%.6f", score(doc));
	xw_end(x);
	xw_end(x);
	free(id);
	free(bid);
}

void
out_xccdf_benchmark(struct xw *x, const json_t *doc, int with_result)
{
	static const char *const families[] = { "mfa", "patch", "encryption",
		"ports", "malware", "config" };
	const json_t *scan = json_object_get(doc, "scan");
	const json_t *bl = json_object_get(scan, "baseline");
	const json_t *results = json_object_get(doc, "results"), *r, *fam;
	json_t *fams = json_array();
	const char *title = report_str(bl, "title");
	char *bid = out_xccdf_id("benchmark", report_str(bl, "id"));
	size_t i, j;

	/* Known families in their usual order, then any other, each once. */
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		json_array_append_new(fams, json_string(families[i]));
	json_array_foreach(results, i, r) {
		const char *name = report_str(r, "family");
		int known = 0;

		json_array_foreach(fams, j, fam)
			known |= strcmp(json_string_value(fam), name) == 0;
		if (!known)
			json_array_append_new(fams, escape_json_string(name));
	}

	xw_start(x, "Benchmark");
	xw_attr(x, "xmlns", XCCDF_NS);
	xw_attr(x, "id", bid);
	xw_attr(x, "resolved", "true");
	xw_attr(x, "xml:lang", "en");
	xw_start(x, "status");
	xw_attrf(x, "date", "%.10s", report_str(scan, "started"));
	xw_text(x, "accepted");
	xw_end(x);
	xw_start(x, "title");
	xw_text(x, title[0] ? title : report_str(bl, "id"));
	xw_end(x);
	xw_start(x, "description");
	xw_textf(x, "Generated by plumb %s from baseline %s version %s "
		 "(sha256 %s) for scan %s.", report_str(scan, "plumb_version"),
		 report_str(bl, "id"), report_str(bl, "version"),
		 report_str(bl, "sha256"), report_str(scan, "id"));
	xw_end(x);
	/* plumb reads Linux hosts (plat_linux.c).  The CPE 2.2 URI form,
	 * because oscap 1.3 refuses a Benchmark whose platform is a CPE 2.3
	 * formatted string (its schematron then only warns that 2.3 would be
	 * preferred). */
	xw_start(x, "platform");
	xw_attr(x, "idref", "cpe:/o:linux:linux_kernel");
	xw_end(x);
	xw_elem(x, "version", report_str(bl, "version"));
	xw_start(x, "metadata");
	xw_start(x, "dc:creator");
	xw_attr(x, "xmlns:dc", "http://purl.org/dc/elements/1.1/");
	xw_textf(x, "plumb %s", report_str(scan, "plumb_version"));
	xw_end(x);
	xw_start(x, "dc:source");
	xw_attr(x, "xmlns:dc", "http://purl.org/dc/elements/1.1/");
	xw_textf(x, "baseline %s %s, sha256 %s", report_str(bl, "id"),
		 report_str(bl, "version"), report_str(bl, "sha256"));
	xw_end(x);
	xw_end(x);
	json_array_foreach(fams, i, fam) {
		const char *name = json_string_value(fam);
		int any = 0;

		json_array_foreach(results, j, r) {
			if (strcmp(report_str(r, "family"), name) != 0)
				continue;
			if (!any) {
				char *gid = out_xccdf_id("group", name);

				xw_start(x, "Group");
				xw_attr(x, "id", gid);
				xw_elemf(x, "title", "%s controls", name);
				free(gid);
				any = 1;
			}
			write_rule(x, r);
		}
		if (any)
			xw_end(x);
	}
	if (with_result)
		out_xccdf_testresult(x, doc, NULL, NULL);
	xw_end(x);
	json_decref(fams);
	free(bid);
}

int
out_xccdf_write(const json_t *doc, FILE *f, const struct output_opts *o,
		struct errbuf *e)
{
	struct xw x;
	int rc;

	(void)o;
	if ((rc = xw_open(&x, f, 1, 0, e)) != 0)
		return rc;
	xw_decl(&x);
	out_xccdf_benchmark(&x, doc, 1);
	return xw_close(&x, "XCCDF", e);
}

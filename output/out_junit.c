/*
 * out_junit.c - JUnit XML, the de-facto format of Jenkins, GitLab and Azure
 * DevOps test reports: one <testsuite> per scan, one <testcase> per control
 * named "id: title" with the family as classname.  fail becomes <failure>
 * (message = the result's message), error and unknown become <error>,
 * notapplicable, notchecked and waived become <skipped> (waived says its
 * raw status); the evidence goes to the testcase's <system-out>, which
 * Jenkins and GitLab show next to the case.  Attribute and child order
 * follow the Ant JUnit schema (formats reference 1(d)).
 */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "output.h"
#include "report.h"
#include "xw.h"

/* "2026-08-20T02:13:05Z" -> "2026-08-20T02:13:05": the schema's timestamp
 * has no zone; plumb's times are always UTC. */
static void
junit_time(const char *rfc3339, char out[20])
{
	snprintf(out, 20, "%.19s", rfc3339);
}

static long
seconds_between(const char *a, const char *b)
{
	time_t ta, tb;

	if (time_parse(a, &ta) != 0 || time_parse(b, &tb) != 0 || tb < ta)
		return 0;
	return (long)(tb - ta);
}

static void
property(struct xw *x, const char *name, const char *value)
{
	xw_start(x, "property");
	xw_attr(x, "name", name);
	xw_attr(x, "value", value);
	xw_end(x);
}

static void
testcase(struct xw *x, const json_t *r)
{
	const char *st = report_str(r, "status");
	const struct report_status *map = report_status(st);
	const char *raw = report_str(r, "raw_status");
	char *ev;

	xw_start(x, "testcase");
	xw_attrf(x, "name", "%s: %s", report_str(r, "id"), report_str(r, "title"));
	xw_attr(x, "classname", report_str(r, "family"));
	xw_attr(x, "time", "0");
	if (strcmp(map->junit, "failure") == 0 || strcmp(map->junit, "error") == 0) {
		xw_start(x, map->junit);
		xw_attr(x, "type", st);
		xw_attr(x, "message", report_str(r, "message"));
		xw_jtext(x, json_object_get(r, "message"));
		xw_end(x);
	} else if (strcmp(map->junit, "skipped") == 0) {
		xw_start(x, "skipped");
		if (strcmp(st, "waived") == 0)
			xw_attrf(x, "message", "waived (raw status %s): %s",
				 raw[0] ? raw : "fail", report_str(r, "message"));
		else
			xw_attrf(x, "message", "%s: %s", st,
				 report_str(r, "message"));
		xw_end(x);
	}
	ev = escape_json_dump(json_object_get(r, "evidence"),
			JSON_INDENT(2) | JSON_SORT_KEYS);
	xw_start(x, "system-out");
	xw_textf(x, "status: %s\nowner: %s\nseverity: %s\nmessage: ", st,
		 report_str(r, "owner"), report_str(r, "severity"));
	xw_jtext(x, json_object_get(r, "message"));
	xw_text(x, "\nevidence: ");
	xw_text(x, ev);
	xw_text(x, "\n");
	xw_end(x);
	free(ev);
	xw_end(x);
}

int
out_junit_write(const json_t *doc, FILE *f, const struct output_opts *o,
		struct errbuf *e)
{
	const json_t *scan = json_object_get(doc, "scan");
	const json_t *host = json_object_get(scan, "host");
	const json_t *bl = json_object_get(scan, "baseline");
	const json_t *results = json_object_get(doc, "results"), *r;
	const char *hostname = report_str(host, "hostname");
	long failures = 0, errors = 0, skipped = 0;
	char ts[20];
	struct xw x;
	size_t i;
	int rc;

	(void)o;
	json_array_foreach(results, i, r) {
		const char *j = report_status(report_str(r, "status"))->junit;

		failures += strcmp(j, "failure") == 0;
		errors += strcmp(j, "error") == 0;
		skipped += strcmp(j, "skipped") == 0;
	}
	if ((rc = xw_open(&x, f, 1, 0, e)) != 0)
		return rc;
	junit_time(report_str(scan, "started"), ts);
	xw_decl(&x);
	xw_start(&x, "testsuites");
	xw_attrf(&x, "name", "plumb %s %s", report_str(bl, "id"),
		 report_str(bl, "version"));
	xw_attrf(&x, "tests", "%zu", json_array_size(results));
	xw_attrf(&x, "failures", "%ld", failures);
	xw_attrf(&x, "errors", "%ld", errors);
	xw_attrf(&x, "skipped", "%ld", skipped);
	xw_start(&x, "testsuite");
	xw_attr(&x, "package", "plumb");
	xw_attr(&x, "id", "0");
	xw_attrf(&x, "name", "%s/%s", hostname[0] ? hostname : "localhost",
		 report_str(bl, "id"));
	xw_attr(&x, "timestamp", ts);
	xw_attr(&x, "hostname", hostname[0] ? hostname : "localhost");
	xw_attrf(&x, "tests", "%zu", json_array_size(results));
	xw_attrf(&x, "failures", "%ld", failures);
	xw_attrf(&x, "errors", "%ld", errors);
	xw_attrf(&x, "skipped", "%ld", skipped);
	xw_attrf(&x, "time", "%ld", seconds_between(report_str(scan, "started"),
						    report_str(scan, "finished")));
	xw_start(&x, "properties");
	property(&x, "scan_id", report_str(scan, "id"));
	property(&x, "baseline_id", report_str(bl, "id"));
	property(&x, "baseline_version", report_str(bl, "version"));
	property(&x, "baseline_sha256", report_str(bl, "sha256"));
	property(&x, "machine_id", report_str(host, "machine_id"));
	property(&x, "os", report_str(json_object_get(host, "os"), "pretty"));
	property(&x, "plumb_version", report_str(scan, "plumb_version"));
	xw_end(&x);
	json_array_foreach(results, i, r)
		testcase(&x, r);
	xw_elem(&x, "system-out", "");
	xw_elem(&x, "system-err", "");
	xw_end(&x);
	xw_end(&x);
	return xw_close(&x, "JUnit XML", e);
}

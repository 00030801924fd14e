/*
 * out_sarif.c - SARIF 2.1.0 (OASIS), built with jansson: one run whose
 * tool.driver.rules are the scan's controls and whose results are their
 * outcomes, as the formats reference 1(c) maps them:
 *   kind  pass | fail | open (error, unknown) | review (notchecked) |
 *         notApplicable | informational;
 *   level for kind fail: error (high, critical), warning (medium),
 *         note (low, info); "none" otherwise, as the spec requires (3.27.10).
 * A waived control stays kind fail with an accepted external suppression,
 * so SARIF consumers hide it without forgetting it.  Framework references
 * become a taxonomy per framework (run.taxonomies) that results point into.
 * Evidence that names a file of the host (members "path" or "file", and
 * "line") becomes a physical location relative to %SRCROOT%, the scanned
 * root; every result also has the host as a logical location.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "frameworks.h"
#include "output.h"
#include "report.h"

/* Evidence is walked this deep, and this many locations are kept. */
#define SARIF_EVIDENCE_DEPTH 6
#define SARIF_LOCATIONS_MAX 20

static const char *
sarif_level(const char *kind, const char *severity)
{
	if (strcmp(kind, "fail") != 0)
		return "none";
	switch (report_severity_rank(severity)) {
	case 4:
	case 3:
		return "error";
	case 2:
		return "warning";
	default:
		return "note";
	}
}

static json_t *
text(const char *s)
{
	return json_pack("{s:o}", "text", escape_json_string(s));
}

/* A root-relative path as a URI reference: unreserved characters and '/'
 * kept, everything else percent-encoded. */
static json_t *
path_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	struct dynbuf b;
	const unsigned char *p = (const unsigned char *)path;
	json_t *j;
	char *s;

	while (*p == '/')
		p++;
	dynbuf_init(&b, PLUMB_PATH_MAX * 3 + 1);
	for (; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p) != NULL) {
			dynbuf_add(&b, p, 1);
		} else {
			char enc[3] = { '%', hex[*p >> 4], hex[*p & 15] };

			dynbuf_add(&b, enc, 3);
		}
	}
	dynbuf_addstr(&b, "");
	s = dynbuf_take(&b, NULL);
	j = escape_json_string(s);
	free(s);
	return j;
}

/* Collects {path|file, line?} objects found in evidence as locations. */
static void
find_locations(const json_t *v, int depth, json_t *locs)
{
	const char *k;
	const json_t *m;
	size_t i;

	if (depth > SARIF_EVIDENCE_DEPTH || json_array_size(locs) >= SARIF_LOCATIONS_MAX)
		return;
	if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			find_locations(m, depth + 1, locs);
		return;
	}
	if (!json_is_object(v))
		return;
	m = json_object_get(v, "path");
	if (!json_is_string(m))
		m = json_object_get(v, "file");
	if (json_is_string(m) && json_string_value(m)[0] == '/' &&
	    strlen(json_string_value(m)) < PLUMB_PATH_MAX) {
		json_t *phys = json_pack("{s:{s:o, s:s}}", "artifactLocation",
					 "uri", path_uri(json_string_value(m)),
					 "uriBaseId", "SRCROOT");
		json_int_t line = json_integer_value(json_object_get(v, "line"));

		if (line > 0)
			json_object_set_new(phys, "region",
					    json_pack("{s:I}", "startLine", line));
		json_array_append_new(locs, json_pack("{s:o}",
						      "physicalLocation", phys));
	}
	json_object_foreach((json_t *)v, k, m)
		if (json_is_object(m) || json_is_array(m))
			find_locations(m, depth + 1, locs);
}

/* Adds framework fw's taxon id to the run's taxonomies; returns its index
 * there and the taxonomy's index in *tax. */
static size_t
taxon_index(json_t *taxonomies, const char *fw, const char *id, size_t *tax)
{
	json_t *t = NULL, *taxa, *taxon, *cand;
	size_t i, j;

	json_array_foreach(taxonomies, i, cand) {
		if (strcmp(report_str(cand, "name"), fw) == 0) {
			t = cand;
			break;
		}
	}
	if (t == NULL) {
		const char *title = frameworks_title(fw);
		const char *uri = frameworks_uri(fw);

		t = json_pack("{s:o, s:[]}", "name", escape_json_string(fw), "taxa");
		if (title != NULL)
			json_object_set_new(t, "fullName", json_string(title));
		if (uri != NULL)
			json_object_set_new(t, "informationUri", json_string(uri));
		json_array_append_new(taxonomies, t);
		i = json_array_size(taxonomies) - 1;
	}
	*tax = i;
	taxa = json_object_get(t, "taxa");
	json_array_foreach(taxa, j, taxon) {
		if (strcmp(report_str(taxon, "id"), id) == 0)
			return j;
	}
	json_array_append_new(taxa, json_pack("{s:o}", "id", escape_json_string(id)));
	return json_array_size(taxa) - 1;
}

static json_t *
rule(const json_t *r, json_t *taxonomies)
{
	const json_t *ref;
	json_t *rel = json_array();
	size_t i, tax, idx;
	json_t *j;

	json_array_foreach(json_object_get(r, "refs"), i, ref) {
		idx = taxon_index(taxonomies, report_str(ref, "framework"),
				  report_str(ref, "id"), &tax);
		json_array_append_new(rel, json_pack(
			"{s:{s:o, s:I, s:{s:o, s:I}}, s:[s]}", "target",
			"id", escape_json_string(report_str(ref, "id")),
			"index", (json_int_t)idx, "toolComponent", "name",
			escape_json_string(report_str(ref, "framework")),
			"index", (json_int_t)tax, "kinds", "relevant"));
	}
	j = json_pack("{s:o, s:o, s:{s:s}, s:o}",
		      "id", escape_json_string(report_str(r, "id")),
		      "shortDescription", text(report_str(r, "title")),
		      "defaultConfiguration", "level",
		      sarif_level("fail", report_str(r, "severity")),
		      "properties", json_pack("{s:o, s:o, s:o}",
			"family", escape_json_string(report_str(r, "family")),
			"severity", escape_json_string(report_str(r, "severity")),
			"owner", escape_json_string(report_str(r, "owner"))));
	if (json_is_string(json_object_get(r, "rationale")))
		json_object_set_new(j, "fullDescription",
				    text(report_str(r, "rationale")));
	if (json_array_size(rel) > 0)
		json_object_set_new(j, "relationships", rel);
	else
		json_decref(rel);
	return j;
}

/* s sanitised as a JSON string, from a formatted message. */
static json_t *
jfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static json_t *
jfmt(const char *fmt, ...)
{
	va_list ap;
	char *s;
	json_t *j;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	j = escape_json_string(s);
	free(s);
	return j;
}

static json_t *
result(const json_t *doc, const json_t *r, size_t index)
{
	const json_t *host = report_get(doc, "scan", "host", NULL);
	const char *hostname = report_str(host, "hostname");
	const char *st = report_str(r, "status");
	const char *kind = report_status(st)->sarif_kind;
	json_t *locs = json_array(), *j, *props, *l;
	const json_t *w;
	size_t i;

	find_locations(json_object_get(r, "evidence"), 0, locs);
	if (json_array_size(locs) == 0)
		json_array_append_new(locs, json_object());
	/* Every location also names the host, as a resource. */
	json_array_foreach(locs, i, l)
		json_object_set_new(l, "logicalLocations", json_pack(
			"[{s:o, s:s}]", "name",
			escape_json_string(hostname[0] ? hostname : "localhost"),
			"kind", "resource"));
	props = json_pack("{s:o, s:o, s:o}",
			  "status", escape_json_string(st),
			  "owner", escape_json_string(report_str(r, "owner")),
			  "evidence", escape_json_deep(json_object_get(r, "evidence")));
	/* The fingerprint is the machine and the control, so a consumer
	 * matches the same finding across scans. */
	j = json_pack("{s:o, s:I, s:s, s:s, s:o, s:o, s:{s:o}, s:o}",
		      "ruleId", escape_json_string(report_str(r, "id")),
		      "ruleIndex", (json_int_t)index, "kind", kind,
		      "level", sarif_level(kind, report_str(r, "severity")),
		      "message", text(report_str(r, "message")),
		      "locations", locs,
		      "partialFingerprints", "plumb/machine+control/v1",
		      jfmt("%s|%s", report_str(host, "machine_id"),
			   report_str(r, "id")),
		      "properties", props);
	if (strcmp(st, "waived") == 0) {
		w = json_object_get(r, "waiver");
		json_object_set_new(j, "suppressions", json_pack(
			"[{s:s, s:s, s:o}]", "kind", "external", "status",
			"accepted", "justification", escape_json_string(
				json_is_string(json_object_get(w, "reason")) ?
				report_str(w, "reason") : "waived")));
		json_object_set_new(props, "raw_status", escape_json_string(
			report_str(r, "raw_status")));
	}
	return j;
}

int
out_sarif_write(const json_t *doc, FILE *f, const struct output_opts *o,
		struct errbuf *e)
{
	const json_t *scan = json_object_get(doc, "scan");
	const json_t *host = json_object_get(scan, "host");
	const json_t *results = json_object_get(doc, "results"), *r, *ref;
	json_t *rules = json_array(), *res = json_array();
	json_t *taxonomies = json_array(), *log, *one, *taxa;
	const char *root = report_str(scan, "root");
	size_t i, j, tax, n = strlen(root);
	int exit_code = 0;

	(void)o;
	json_array_foreach(results, i, r) {
		const char *st = report_str(r, "status");

		/* As engine_exit_status: only these leave the scan at 0. */
		if (strcmp(st, "pass") != 0 && strcmp(st, "waived") != 0 &&
		    strcmp(st, "notapplicable") != 0 &&
		    strcmp(st, "informational") != 0)
			exit_code = 2;
		json_array_append_new(rules, rule(r, taxonomies));
		one = result(doc, r, i);
		taxa = json_array();
		json_array_foreach(json_object_get(r, "refs"), j, ref) {
			size_t idx = taxon_index(taxonomies,
				report_str(ref, "framework"),
				report_str(ref, "id"), &tax);

			json_array_append_new(taxa, json_pack(
				"{s:o, s:I, s:{s:o, s:I}}", "id",
				escape_json_string(report_str(ref, "id")),
				"index", (json_int_t)idx, "toolComponent",
				"name", escape_json_string(report_str(ref,
				"framework")), "index", (json_int_t)tax));
		}
		if (json_array_size(taxa) > 0)
			json_object_set_new(one, "taxa", taxa);
		else
			json_decref(taxa);
		json_array_append_new(res, one);
	}
	log = json_pack(
		"{s:s, s:s, s:[{s:{s:{s:s, s:o, s:s, s:o}}, s:{s:o}, "
		"s:{s:{s:o}}, s:[{s:b, s:i, s:o, s:o, s:o}], s:o, s:o}]}",
		"$schema", "https://json.schemastore.org/sarif-2.1.0.json",
		"version", "2.1.0", "runs",
		"tool", "driver", "name", "plumb", "version",
		escape_json_string(report_str(scan, "plumb_version")),
		"informationUri", REPORT_TOOL_URI, "rules", rules,
		"automationDetails", "id",
		jfmt("plumb/%s/%s/%s", report_str(host, "machine_id"),
		     report_str(report_get(scan, "baseline", NULL), "id"),
		     report_str(scan, "id")),
		/* SARIF base URIs end with a slash. */
		"originalUriBaseIds", "SRCROOT", "uri",
		jfmt("file://%s%s%s", root[0] == '/' ? "" : "/", root,
		     n > 0 && root[n - 1] == '/' ? "" : "/"),
		"invocations", "executionSuccessful", 1, "exitCode", exit_code,
		"startTimeUtc", escape_json_string(report_str(scan, "started")),
		"endTimeUtc", escape_json_string(report_str(scan, "finished")),
		"machine", escape_json_string(report_str(host, "hostname")),
		"results", res, "taxonomies", taxonomies);
	if (log == NULL)
		return err_set(e, PLUMB_EINVAL, "SARIF: the scan document "
			       "could not be represented");
	if (json_dumpf(log, f, JSON_INDENT(2)) != 0 || fputc('\n', f) == EOF ||
	    fflush(f) != 0 || ferror(f)) {
		json_decref(log);
		return err_set(e, PLUMB_EIO, "writing SARIF: %s", strerror(errno));
	}
	json_decref(log);
	return PLUMB_OK;
}

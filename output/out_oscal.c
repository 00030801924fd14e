/*
 * out_oscal.c - NIST OSCAL assessment results (JSON, oscal-version 1.0.6,
 * the schema CI validates against), built with jansson.
 *
 * One result per scan.  The host is an inventory item, plumb a tool
 * component used by an assessment platform.  Every control gives an
 * observation that carries its evidence (relevant-evidence) and its status,
 * owner, severity and family as props; every control that was judged
 * (pass, fail, error, unknown, waived) gives a finding whose target is the
 * control, with state and reason after report.c's table, its framework
 * references as props and links, and its owner as a link to a party of the
 * metadata, which names every owner in the role "control-owner".  A waived
 * control stays not-satisfied and gets a risk with status
 * deviation-approved.  The baseline is a back-matter resource (with its
 * sha256) that import-ap points at, since plumb has no separate assessment
 * plan: the baseline is the plan.
 *
 * UUIDs are version 5, derived from the scan id and the control id
 * (report_uuid5), so a stored scan re-renders byte for byte and the same
 * control keeps its observation and finding UUIDs across re-renders.
 * OSCAL's StringDatatype (prop values, names) allows neither line breaks
 * nor surrounding blanks, so those values are made one line and trimmed,
 * and an empty one is left out.
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

#define OSCAL_NS REPORT_URN ":oscal"

/* A v5 UUID from a formatted name. */
static json_t *
uuid(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static json_t *
uuid(const char *fmt, ...)
{
	va_list ap;
	char *name, out[37];

	va_start(ap, fmt);
	if (vasprintf(&name, fmt, ap) < 0)
		abort();
	va_end(ap);
	report_uuid5(name, out);
	free(name);
	return json_string(out);
}

/* s as an OSCAL StringDatatype (one line, trimmed), or NULL when empty. */
static json_t *
oscal_string(const char *s)
{
	char *line = escape_text(s, strlen(s), ESCAPE_LINE), *p, *end;
	json_t *j = NULL;

	for (p = line; *p == ' '; p++)
		;
	end = p + strlen(p);
	while (end > p && end[-1] == ' ')
		*--end = '\0';
	if (*p != '\0')
		j = escape_json_string(p);
	free(line);
	return j;
}

/* An OSCAL token (NCName): plumb's ids fit once a leading digit gets an
 * underscore. */
static json_t *
oscal_token(const char *id)
{
	char *tail = report_ncname_tail(id), *t;
	json_t *j;

	if ((tail[0] >= '0' && tail[0] <= '9') || tail[0] == '.' ||
	    tail[0] == '-') {
		t = xasprintf("_%s", tail);
		free(tail);
		tail = t;
	}
	j = json_string(tail);
	free(tail);
	return j;
}

/* Appends {name, ns, value[, class]} to props when value is not empty. */
static void
prop(json_t *props, const char *name, const char *value, const char *cls)
{
	json_t *v = oscal_string(value);

	if (v == NULL)
		return;
	if (cls != NULL)
		json_array_append_new(props, json_pack("{s:s, s:s, s:o, s:o}",
			"name", name, "ns", OSCAL_NS, "value", v, "class",
			oscal_token(cls)));
	else
		json_array_append_new(props, json_pack("{s:s, s:s, s:o}",
			"name", name, "ns", OSCAL_NS, "value", v));
}

/* Sets obj[key] = a when a is not empty (OSCAL arrays need an item). */
static void
set_array(json_t *obj, const char *key, json_t *a)
{
	if (json_array_size(a) > 0)
		json_object_set_new(obj, key, a);
	else
		json_decref(a);
}

/* "control.id: Title" */
static json_t *
jtitle(const json_t *r)
{
	char *t = xasprintf("%s: %s", report_str(r, "id"), report_str(r, "title"));
	json_t *j = escape_json_string(t);

	free(t);
	return j;
}

static json_t *
observation(const json_t *doc, const json_t *r, json_t *host_uuid,
	    json_t *tool_uuid)
{
	const char *scan_id = report_str(report_get(doc, "scan", NULL), "id");
	const char *st = report_str(r, "status");
	json_t *props = json_array(), *o;
	char *ev = escape_json_dump(json_object_get(r, "evidence"),
			      JSON_INDENT(2) | JSON_SORT_KEYS);
	char *desc;

	prop(props, "control-id", report_str(r, "id"), NULL);
	prop(props, "status", st, NULL);
	if (strcmp(st, "waived") == 0)
		prop(props, "raw-status", report_str(r, "raw_status"), NULL);
	prop(props, "severity", report_str(r, "severity"), NULL);
	prop(props, "family", report_str(r, "family"), NULL);
	prop(props, "control-owner", report_str(r, "owner"), NULL);
	desc = escape_json_value(json_object_get(r, "message"), ESCAPE_JSON);
	o = json_pack("{s:o, s:o, s:o, s:o, s:[s], s:[s], "
		      "s:[{s:[{s:s, s:O}]}], s:[{s:O, s:s}], "
		      "s:[{s:o}], s:o}",
		      "uuid", uuid("observation %s %s", scan_id,
				   report_str(r, "id")),
		      "title", jtitle(r),
		      "description", escape_json_string(desc[0] ? desc : st),
		      "props", props, "methods", "TEST", "types",
		      report_status(st)->open || strcmp(st, "waived") == 0 ?
		      "finding" : "control-objective",
		      "origins", "actors", "type", "tool", "actor-uuid", tool_uuid,
		      "subjects", "subject-uuid", host_uuid, "type",
		      "inventory-item",
		      "relevant-evidence", "description",
		      escape_json_string(ev),
		      "collected", escape_json_string(report_str(
			      report_get(doc, "scan", NULL), "finished")));
	free(desc);
	free(ev);
	return o;
}

static json_t *
finding(const json_t *doc, const json_t *r, const json_t *party_uuid)
{
	const char *scan_id = report_str(report_get(doc, "scan", NULL), "id");
	const char *st = report_str(r, "status");
	const struct report_status *map = report_status(st);
	json_t *props = json_array(), *links = json_array(), *status, *f;
	const json_t *ref, *w;
	char *desc;
	size_t i;

	json_array_foreach(json_object_get(r, "refs"), i, ref) {
		const char *fw = report_str(ref, "framework");
		const char *uri = frameworks_uri(fw);
		char *v = xasprintf("%s %s", fw, report_str(ref, "id"));

		prop(props, "framework-ref", v, fw);
		if (uri != NULL)
			json_array_append_new(links, json_pack("{s:s, s:s, s:o}",
				"href", uri, "rel", "reference", "text",
				escape_json_string(v)));
		free(v);
	}
	prop(props, "control-owner", report_str(r, "owner"), NULL);
	prop(props, "severity", report_str(r, "severity"), NULL);
	if (party_uuid != NULL)
		json_array_append_new(links, json_pack("{s:o, s:s, s:o}",
			"href", json_pack("s+", "#", json_string_value(party_uuid)),
			"rel", "responsible-party", "text",
			escape_json_string(report_str(r, "owner"))));
	status = json_pack("{s:s, s:s}", "state", map->oscal_state, "reason",
			   map->oscal_reason);
	if (strcmp(st, "waived") == 0) {
		char *why;

		w = json_object_get(r, "waiver");
		why = xasprintf("Waived (raw status %s): %s",
				report_str(r, "raw_status"),
				json_is_string(json_object_get(w, "reason")) ?
				report_str(w, "reason") :
				"an approved waiver covers this control");
		json_object_set_new(status, "remarks", escape_json_string(why));
		free(why);
	}
	desc = escape_json_value(json_object_get(r, "message"), ESCAPE_JSON);
	f = json_pack("{s:o, s:o, s:o, s:o, s:{s:s, s:o, s:o}, s:[{s:o}]}",
		      "uuid", uuid("finding %s %s", scan_id, report_str(r, "id")),
		      "title", jtitle(r),
		      "description", escape_json_string(desc[0] ? desc : st),
		      "props", props,
		      "target", "type", "objective-id", "target-id",
		      oscal_token(report_str(r, "id")), "status", status,
		      "related-observations", "observation-uuid",
		      uuid("observation %s %s", scan_id, report_str(r, "id")));
	free(desc);
	set_array(f, "links", links);
	if (strcmp(st, "waived") == 0)
		json_object_set_new(f, "related-risks", json_pack("[{s:o}]",
			"risk-uuid", uuid("risk %s %s", scan_id,
					  report_str(r, "id"))));
	return f;
}

/* A waived control: the accepted deviation as an OSCAL risk. */
static json_t *
risk(const json_t *doc, const json_t *r)
{
	const char *scan_id = report_str(report_get(doc, "scan", NULL), "id");
	const json_t *w = json_object_get(r, "waiver");
	json_t *props = json_array(), *k;
	char *stmt;

	prop(props, "approved-by", report_str(w, "approved_by"), NULL);
	prop(props, "expires", report_str(w, "expires"), NULL);
	prop(props, "raw-status", report_str(r, "raw_status"), NULL);
	stmt = xasprintf("The control failed (raw status %s) and an approved "
			 "waiver accepts that: %s", report_str(r, "raw_status"),
			 json_is_string(json_object_get(w, "reason")) ?
			 report_str(w, "reason") : "no reason was recorded");
	k = json_pack("{s:o, s:o, s:o, s:o, s:s, s:[{s:o}]}",
		      "uuid", uuid("risk %s %s", scan_id, report_str(r, "id")),
		      "title", jtitle(r),
		      "description", escape_json_string(report_str(r, "message")),
		      "statement", escape_json_string(stmt),
		      "status", "deviation-approved",
		      "related-observations", "observation-uuid",
		      uuid("observation %s %s", scan_id, report_str(r, "id")));
	free(stmt);
	set_array(k, "props", props);
	return k;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * metadata.parties for the owners of doc's results, sorted by name for a
 * stable document; *by_owner maps owner -> party uuid, *ids lists them.
 */
static json_t *
parties(const json_t *doc, json_t **by_owner, json_t **ids)
{
	const json_t *r, *v;
	const char *k, **names;
	json_t *out = json_array();
	size_t i, n = 0;

	*by_owner = json_object();
	*ids = json_array();
	json_array_foreach(json_object_get(doc, "results"), i, r)
		json_object_set_new(*by_owner, report_str(r, "owner"), json_null());
	names = xcalloc(json_object_size(*by_owner) + 1, sizeof(*names));
	json_object_foreach(*by_owner, k, v)
		names[n++] = k;
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		json_t *pu = uuid("party %s", names[i]);
		json_t *name = oscal_string(names[i]);

		json_array_append(*ids, pu);
		json_array_append_new(out, json_pack("{s:O, s:s, s:o}",
			"uuid", pu, "type", "organization", "name",
			name ? name : json_string("unnamed owner")));
		json_object_set_new(*by_owner, names[i], pu);
	}
	free(names);
	return out;
}

static json_t *
sformat(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static json_t *
sformat(const char *fmt, ...)
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

int
out_oscal_write(const json_t *doc, FILE *f, const struct output_opts *o,
		struct errbuf *e)
{
	const json_t *scan = json_object_get(doc, "scan");
	const json_t *host = json_object_get(scan, "host");
	const json_t *bl = json_object_get(scan, "baseline");
	const json_t *results = json_object_get(doc, "results"), *r;
	const char *scan_id = report_str(scan, "id");
	const char *sha = report_str(bl, "sha256");
	json_t *by_owner, *party_ids, *party_list, *observations, *findings;
	json_t *risks, *controls, *host_props, *meta_props, *selection;
	json_t *host_uuid, *tool_uuid, *bl_uuid, *res, *meta, *ar, *local;
	size_t i;
	int rc = PLUMB_OK;

	(void)o;
	host_uuid = uuid("host %s", report_str(host, "machine_id"));
	tool_uuid = uuid("tool plumb");
	bl_uuid = uuid("baseline %s", sha);
	party_list = parties(doc, &by_owner, &party_ids);

	observations = json_array();
	findings = json_array();
	risks = json_array();
	controls = json_array();
	json_array_foreach(results, i, r) {
		const char *st = report_str(r, "status");

		json_array_append_new(controls, json_pack("{s:o}", "control-id",
			oscal_token(report_str(r, "id"))));
		json_array_append_new(observations,
			observation(doc, r, host_uuid, tool_uuid));
		if (report_status(st)->oscal_state != NULL)
			json_array_append_new(findings, finding(doc, r,
				json_object_get(by_owner, report_str(r, "owner"))));
		if (strcmp(st, "waived") == 0)
			json_array_append_new(risks, risk(doc, r));
	}

	host_props = json_array();
	prop(host_props, "host-name", report_str(host, "hostname"), NULL);
	prop(host_props, "machine-id", report_str(host, "machine_id"), NULL);
	prop(host_props, "os-name", report_str(json_object_get(host, "os"),
					       "pretty"), NULL);
	prop(host_props, "kernel", report_str(host, "kernel"), NULL);
	prop(host_props, "arch", report_str(host, "arch"), NULL);
	prop(host_props, "is-scanned", "yes", NULL);
	meta_props = json_array();
	prop(meta_props, "scan-id", scan_id, NULL);
	prop(meta_props, "baseline-id", report_str(bl, "id"), NULL);
	prop(meta_props, "baseline-version", report_str(bl, "version"), NULL);
	prop(meta_props, "baseline-sha256", sha, NULL);

	local = json_pack("{s:[{s:O, s:s, s:s, s:s, s:{s:s}}], "
			  "s:[{s:O, s:o}], s:{s:[{s:o, s:s, s:[{s:O}]}]}}",
		"components", "uuid", tool_uuid, "type", "software", "title",
		"plumb", "description", "plumb endpoint compliance scanner",
		"status", "state", "operational",
		"inventory-items", "uuid", host_uuid, "description",
		sformat("%s", report_str(host, "hostname")),
		"assessment-assets", "assessment-platforms", "uuid",
		uuid("platform plumb %s", report_str(host, "machine_id")),
		"title", "plumb", "uses-components", "component-uuid", tool_uuid);
	set_array(json_array_get(json_object_get(local, "inventory-items"), 0),
		  "props", host_props);
	selection = json_pack("{s:s}", "description",
			      "The controls of the baseline, as plumb "
			      "evaluated them.");
	if (json_array_size(controls) > 0)
		json_object_set_new(selection, "include-controls", controls);
	else {
		json_object_set_new(selection, "include-all", json_object());
		json_decref(controls);
	}
	res = json_pack("{s:o, s:o, s:o, s:o, s:o, s:O, s:o, s:{s:[o]}}",
		"uuid", uuid("result %s", scan_id),
		"title", sformat("plumb scan %s", scan_id),
		"description", sformat("Scan of %s against baseline %s %s "
				       "(sha256 %s), root %s.",
				       report_str(host, "hostname"),
				       report_str(bl, "id"),
				       report_str(bl, "version"), sha,
				       report_str(scan, "root")),
		"start", escape_json_string(report_str(scan, "started")),
		"end", escape_json_string(report_str(scan, "finished")),
		"props", meta_props,
		"local-definitions", local,
		"reviewed-controls", "control-selections", selection);
	set_array(res, "observations", observations);
	set_array(res, "risks", risks);
	set_array(res, "findings", findings);

	meta = json_pack("{s:o, s:o, s:o, s:s, s:o, s:[{s:s, s:s}]}",
		"title", sformat("plumb assessment of %s against %s %s",
				 report_str(host, "hostname"),
				 report_str(bl, "id"), report_str(bl, "version")),
		"last-modified", escape_json_string(report_str(scan, "finished")),
		"version", escape_json_string(scan_id[0] ? scan_id : "unknown"),
		"oscal-version", "1.0.6",
		"props", meta_props,
		"roles", "id", "control-owner", "title", "Control owner");
	set_array(meta, "parties", party_list);
	if (json_array_size(party_ids) > 0)
		json_object_set_new(meta, "responsible-parties", json_pack(
			"[{s:s, s:O}]", "role-id", "control-owner",
			"party-uuids", party_ids));

	ar = json_pack("{s:{s:o, s:o, s:{s:o}, s:[o], "
		       "s:{s:[{s:O, s:o, s:s, s:[{s:o, s:[{s:s, s:o}]}]}]}}}",
		"assessment-results",
		"uuid", uuid("assessment-results %s", scan_id),
		"metadata", meta,
		"import-ap", "href", sformat("#%s", json_string_value(bl_uuid)),
		"results", res,
		"back-matter", "resources", "uuid", bl_uuid, "title",
		sformat("baseline %s %s", report_str(bl, "id"),
			report_str(bl, "version")),
		"description", "The baseline plumb evaluated, which is the "
		"assessment plan of this scan.",
		"rlinks", "href", sformat("urn:sha256:%s", sha),
		"hashes", "algorithm", "SHA-256", "value", sformat("%s", sha));
	if (ar == NULL) {
		rc = err_set(e, PLUMB_EINVAL, "OSCAL: the scan document could "
			     "not be represented");
		goto out;
	}
	if (json_dumpf(ar, f, JSON_INDENT(2)) != 0 || fputc('\n', f) == EOF ||
	    fflush(f) != 0 || ferror(f))
		rc = err_set(e, PLUMB_EIO, "writing OSCAL: %s", strerror(errno));
	json_decref(ar);
out:
	json_decref(by_owner);
	json_decref(party_ids);
	json_decref(host_uuid);
	json_decref(tool_uuid);
	json_decref(bl_uuid);
	return rc;
}

/*
 * drift.c - compares two scans control by control (see drift.h).
 */
#include <stdlib.h>
#include <string.h>

#include "drift.h"
#include "util.h"

static const char *
jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* Statuses that need nobody's action. */
int
drift_status_good(const char *s)
{
	return strcmp(s, "pass") == 0 || strcmp(s, "waived") == 0 ||
	       strcmp(s, "notapplicable") == 0 ||
	       strcmp(s, "informational") == 0;
}

/* Keys whose values change on every scan by nature. */
static int
volatile_key(const char *k)
{
	return strcmp(k, "stats") == 0 || strcmp(k, "seconds") == 0 ||
	       strncmp(k, "age", 3) == 0;
}

static char *
canon(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

	return s ? s : xstrdup("");
}

static void diff_value(json_t *out, const char *path, const json_t *a,
		       const json_t *b);

static void
add_change(json_t *out, json_t *change)
{
	if (json_array_size(out) < DRIFT_CHANGES_MAX)
		json_array_append(out, change);
	json_decref(change);
}

/* Items of a that are not in b, compared by canonical text. */
static json_t *
set_minus(const json_t *a, const json_t *b)
{
	json_t *r = json_array(), *x, *y;
	size_t i, j;

	json_array_foreach(a, i, x) {
		char *cx = canon(x);
		int found = 0;

		json_array_foreach(b, j, y) {
			char *cy = canon(y);

			found = strcmp(cx, cy) == 0;
			free(cy);
			if (found)
				break;
		}
		if (!found)
			json_array_append(r, x);
		free(cx);
	}
	return r;
}

static void
diff_object(json_t *out, const char *path, const json_t *a, const json_t *b)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)a, k, v) {
		char *p;

		if (volatile_key(k))
			continue;
		p = xasprintf("%s/%s", path, k);
		diff_value(out, p, v, json_object_get(b, k));
		free(p);
	}
	json_object_foreach((json_t *)b, k, v) {
		char *p;

		if (volatile_key(k) || json_object_get(a, k) != NULL)
			continue;
		p = xasprintf("%s/%s", path, k);
		diff_value(out, p, NULL, v);
		free(p);
	}
}

static void
diff_value(json_t *out, const char *path, const json_t *a, const json_t *b)
{
	char *ca, *cb;
	int same;

	if (json_is_object(a) && json_is_object(b)) {
		diff_object(out, path, a, b);
		return;
	}
	ca = a ? canon(a) : NULL;
	cb = b ? canon(b) : NULL;
	same = ca && cb && strcmp(ca, cb) == 0;
	free(ca);
	free(cb);
	if (same)
		return;
	/* The checks of a multi-check control keep their positions: compare
	 * them one by one rather than as a set. */
	if (json_is_array(a) && json_is_array(b) &&
	    json_array_size(a) == json_array_size(b) &&
	    strlen(path) >= 7 && strcmp(path + strlen(path) - 7, "/checks") == 0) {
		size_t i;

		for (i = 0; i < json_array_size(a); i++) {
			char *p = xasprintf("%s/%zu", path, i);

			diff_value(out, p, json_array_get(a, i),
				   json_array_get(b, i));
			free(p);
		}
		return;
	}
	if (json_is_array(a) && json_is_array(b)) {
		json_t *added = set_minus(b, a), *removed = set_minus(a, b);

		if (json_array_size(added) || json_array_size(removed))
			add_change(out, json_pack("{s:s, s:o, s:o}", "path", path,
						  "added", added, "removed",
						  removed));
		else {
			/* Same items in another order: order is not drift. */
			json_decref(added);
			json_decref(removed);
		}
		return;
	}
	add_change(out, json_pack("{s:s, s:O?, s:O?}", "path", path, "from", a,
				  "to", b));
}

json_t *
drift_evidence_changes(const json_t *from, const json_t *to)
{
	json_t *out = json_array();

	diff_value(out, "", from, to);
	return out;
}

int
drift_baseline_changed(const json_t *from, const json_t *to)
{
	const json_t *a = json_object_get(json_object_get(from, "scan"), "baseline");
	const json_t *b = json_object_get(json_object_get(to, "scan"), "baseline");

	/* A new tailoring changes what is judged just as a new baseline
	 * version does. */
	const json_t *ta = json_object_get(json_object_get(from, "scan"),
					   "tailoring");
	const json_t *tb = json_object_get(json_object_get(to, "scan"),
					   "tailoring");

	return strcmp(jstr(a, "version"), jstr(b, "version")) != 0 ||
	       strcmp(jstr(a, "sha256"), jstr(b, "sha256")) != 0 ||
	       strcmp(jstr(ta, "sha256"), jstr(tb, "sha256")) != 0;
}

static const json_t *
find_result(const json_t *doc, const char *id)
{
	const json_t *r;
	size_t i;

	json_array_foreach(json_object_get(doc, "results"), i, r)
		if (strcmp(jstr(r, "id"), id) == 0)
			return r;
	return NULL;
}

static json_t *
event(const json_t *r, const char *kind, const char *from, const char *to,
      json_t *changes, int bchanged)
{
	json_t *ev;
	const json_t *sh = json_object_get(r, "shared_with");

	ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:o, s:b}",
			 "control", jstr(r, "id"), "title", jstr(r, "title"),
			 "owner", jstr(r, "owner"), "family", jstr(r, "family"),
			 "severity", jstr(r, "severity"), "kind", kind,
			 "from", from, "to", to,
			 "evidence_changes", changes ? changes : json_array(),
			 "baseline_changed", bchanged);
	/* A shared control's other parties, so routing can pick the one on
	 * duty (owners_route). */
	if (json_is_array(sh))
		json_object_set(ev, "shared_with", (json_t *)sh);
	return ev;
}

json_t *
drift_compare(const json_t *from, const json_t *to)
{
	json_t *events = json_array();
	const json_t *r, *p;
	int bchanged = drift_baseline_changed(from, to);
	size_t i;

	json_array_foreach(json_object_get(to, "results"), i, r) {
		const char *st = jstr(r, "status"), *pst;
		json_t *changes;

		p = find_result(from, jstr(r, "id"));
		if (p == NULL) {
			json_array_append_new(events, event(r, "added", NULL, st,
							    NULL, bchanged));
			continue;
		}
		pst = jstr(p, "status");
		if (strcmp(pst, st) == 0) {
			if (drift_status_good(st))
				continue;
			changes = drift_evidence_changes(
				json_object_get(p, "evidence"),
				json_object_get(r, "evidence"));
			if (json_array_size(changes) == 0) {
				json_decref(changes);
				continue;
			}
			json_array_append_new(events, event(r, "changed", pst, st,
							    changes, bchanged));
			continue;
		}
		changes = drift_evidence_changes(json_object_get(p, "evidence"),
						 json_object_get(r, "evidence"));
		json_array_append_new(events,
			event(r, drift_status_good(pst) && !drift_status_good(st) ? "regressed" :
				 !drift_status_good(pst) && drift_status_good(st) ? "resolved" :
				 "changed", pst, st, changes, bchanged));
	}
	json_array_foreach(json_object_get(from, "results"), i, p) {
		if (find_result(to, jstr(p, "id")) == NULL)
			json_array_append_new(events,
				event(p, "removed", jstr(p, "status"), NULL, NULL,
				      bchanged));
	}
	return events;
}

json_t *
drift_scan_ref(const json_t *doc)
{
	const json_t *scan = json_object_get(doc, "scan");

	return json_pack("{s:O?, s:s, s:s, s:O?}", "seq",
			 json_object_get(scan, "seq"), "id", jstr(scan, "id"),
			 "started", jstr(scan, "started"), "baseline",
			 json_object_get(scan, "baseline"));
}

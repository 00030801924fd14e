/*
 * drift.h - what changed between two scans of the same baseline on the same
 * host, control by control, and who owns each change.
 *
 * Pure functions over plumb.scan/1 documents: no host, no database.
 */
#ifndef PLUMB_DRIFT_H
#define PLUMB_DRIFT_H

#include <jansson.h>

/*
 * Compares two scan documents and returns a new JSON array of events, in
 * the order of `to`'s results followed by removed controls:
 *   {"control", "title", "owner", "family", "severity", "kind", "from", "to",
 *    "evidence_changes": [...], "baseline_changed": bool,
 *    "shared_with": [...] (only for a shared control)}
 * kind is one of
 *   regressed  a good status (pass, waived, notapplicable, informational)
 *              became a bad one (fail, error, unknown, notchecked);
 *   resolved   a bad status became a good one;
 *   changed    any other status change, or the same bad status with
 *              different evidence (a new open port on a failing control);
 *   added / removed   the control appears in only one of the two scans.
 * baseline_changed is true when the two scans used different baseline
 * versions or contents, so the cause may be the baseline, not the host.
 * Evidence keys that change on every scan by nature ("stats", "seconds",
 * and any key beginning with "age") are ignored.
 */
json_t *drift_compare(const json_t *from, const json_t *to);

/* True for a status that needs nothing done: pass, waived, notapplicable,
 * informational.  The others (fail, error, unknown, notchecked) are drift
 * when they follow a good one. */
int drift_status_good(const char *status);

/* True when the two documents used different baselines (version or
 * sha256) or different tailorings (sha256; none counts as one). */
int drift_baseline_changed(const json_t *from, const json_t *to);

/* The differences between two evidence objects as a JSON array of
 * {"path", "from", "to"} (scalars and objects) and {"path", "added",
 * "removed"} (arrays, compared as sets), at most DRIFT_CHANGES_MAX. */
json_t *drift_evidence_changes(const json_t *from, const json_t *to);

/* Differences listed per control before the list is cut. */
#define DRIFT_CHANGES_MAX 50

/* A {"seq","id","started","baseline":{...}} summary of a scan document,
 * for diff output. */
json_t *drift_scan_ref(const json_t *doc);

#endif

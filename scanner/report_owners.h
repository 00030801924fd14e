/*
 * report_owners.h - `plumb report --owners`: per party, the drift still
 * open and its age, how long remediation took (mean and worst over every
 * regressed -> resolved pair in the history) and SLA breaches.
 *
 * The history is followed control by control on each (baseline id,
 * machine) series of scans, from the results table:
 *   - a control whose status turns from good to bad (drift_status_good)
 *     opens a regression at that scan's start time; the first good status
 *     after it resolves it, and the difference is its time to remediate,
 *     counted for the party that owned the control when it regressed
 *     (for a shared control its owner of record, the first party listed,
 *     whoever was on duty to be told);
 *   - a control bad in the newest scan of its series is open drift, aged
 *     from the scan where it turned bad ("first_seen" when it was already
 *     bad in the first scan plumb has of it: its true start is unknown);
 *   - an SLA (owners_sla_hours by party and severity) is breached by a
 *     pair that took longer and by open drift older than it.
 * --since keeps the pairs resolved at or after that date; open drift is
 * always listed.
 */
#ifndef PLUMB_REPORT_OWNERS_H
#define PLUMB_REPORT_OWNERS_H

#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "owners.h"
#include "store.h"
#include "util.h"

/*
 * Builds the report as a plumb.owners-report/1 document:
 *   {"schema", "generated", "since" (date or null), "parties": [
 *     {"party", "name" (or null), "open": [{"control", "baseline",
 *       "host", "status", "severity", "since", "first_seen",
 *       "age_seconds", "sla_hours" (or null), "breached"}],
 *      "remediated", "mttr_seconds" (or null), "worst_seconds" (or null),
 *      "worst_control" (or null), "sla_breaches"}]}
 * Parties of o (may be NULL: no names, no SLAs) come first in file order,
 * then other owners met in the history by name; a control with no owner is
 * counted under "unowned".  since 0: the whole history.  now ages open
 * drift.  *out is a new reference.
 */
int report_owners_build(struct store *s, const struct owners *o,
			time_t since, time_t now, json_t **out,
			struct errbuf *e);

/* The report for people. */
void report_owners_text(FILE *f, const json_t *rep);

/*
 * The command: `plumb report --owners [--db FILE] [--owners-file FILE]
 * [--since DATE] [--format text|json] [-o FILE]`, argv as cmd_report got
 * it.  Returns the exit status.
 */
int report_owners_cmd(int argc, char **argv);

#endif

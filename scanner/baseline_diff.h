/*
 * baseline_diff.h - `plumb baseline diff OLD NEW`: which controls a new
 * baseline version adds, removes and changes, and what changed in each, so
 * drift that follows a baseline upgrade can be told apart from drift on
 * the host.
 */
#ifndef PLUMB_BASELINE_DIFF_H
#define PLUMB_BASELINE_DIFF_H

#include <stdio.h>

#include <jansson.h>

#include "baseline.h"

/*
 * Compares two loaded baselines; a new plumb.baseline-diff/1 document:
 *   {"schema", "old": {id, version, sha256}, "new": {...},
 *    "added":   [{"control", "title", "family", "severity", "owner"}],
 *    "removed": [{same}],
 *    "changed": [{"control", "changes": [{"field", "from", "to"}]}]}
 * Controls are matched by id.  Fields compared: title, rationale, family,
 * severity, owner, refs ("refs", from/to = the references only one side
 * has, as "framework:id"), and checks by position: "checks[N].type",
 * "checks[N].params.NAME" (from or to null when the parameter is only on
 * one side), "checks[N]" (from or to null when the check is only on one
 * side).  added and changed follow NEW's order, removed OLD's.
 */
json_t *baseline_diff(const struct baseline *old, const struct baseline *new);

/* The diff for people. */
void baseline_diff_text(FILE *f, const json_t *diff);

/*
 * The command `plumb baseline diff OLD NEW [--format text|json] [-o FILE]`
 * (argv starts at "diff").  OLD and NEW are files, ids (the highest
 * version) or ID@VERSION.  Returns the exit status: 0 whether or not they
 * differ, 1 when either cannot be loaded.
 */
int baseline_diff_cmd(int argc, char **argv);

#endif

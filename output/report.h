/*
 * report.h - what the report writers share: reading a plumb.scan/1
 * document, one status vocabulary across every output format (the table of
 * the formats reference, section 1(e)), and the identifiers plumb uses in
 * other formats' namespaces.
 */
#ifndef PLUMB_REPORT_H
#define PLUMB_REPORT_H

#include <stddef.h>

#include <jansson.h>

/* The reverse-DNS namespace in XCCDF ids (xccdf_<ns>_rule_...). */
#define REPORT_XCCDF_NS "org.plumb"
/* The URI plumb's own identifiers, properties and check systems live under. */
#define REPORT_URN "urn:plumb"
/* A stable page about plumb for formats that want one. */
#define REPORT_TOOL_URI "https://github.com/plumb-scanner/plumb"

/* One status as every format names it. */
struct report_status {
	const char *status;		/* plumb: pass, fail, ... waived */
	const char *xccdf;		/* XCCDF 1.2 resultEnumType */
	const char *oscal_state;	/* finding state, or NULL: no finding */
	const char *oscal_reason;	/* pass | fail | other */
	const char *sarif_kind;		/* SARIF 2.1.0 result.kind */
	const char *junit;		/* "" passed, failure, error, skipped */
	int scored;			/* counts in a pass rate */
	int passing;			/* counts as passing in a pass rate */
	int open;			/* needs someone to act */
};

/* The row for a plumb status; an unknown name gets the "unknown" row. */
const struct report_status *report_status(const char *status);

/* The string member key of obj, or "" (borrowed; may hold NUL bytes only
 * when read with json_string_length). */
const char *report_str(const json_t *obj, const char *key);
/* obj.a.b... for a NULL-terminated path of keys, or NULL. */
const json_t *report_get(const json_t *obj, ...);

/* Sorts action first: fail, error, unknown, notchecked, waived, pass,
 * informational, notapplicable.  Lower is more urgent. */
int report_status_rank(const char *status);

/*
 * The indices of doc.results in display order: most urgent status first,
 * then higher severity, then the baseline's order.  *n is the count; the
 * caller frees the array.
 */
size_t *report_order(const json_t *doc, size_t *n);

/* critical 4, high 3, medium 2, low 1, info/unknown 0. */
int report_severity_rank(const char *severity);
/* The XCCDF severity: critical has no XCCDF value and becomes high. */
const char *report_xccdf_severity(const char *severity);

/*
 * Pass rate of a summary's counts (doc.summary.statuses): passing
 * (pass + waived) over scored controls (everything but notapplicable,
 * notchecked and informational), in percent.  Returns -1 when nothing was
 * scored.
 */
double report_pass_rate(const json_t *counts);

/*
 * A name-based (version 5) UUID, RFC 4122 section 4.3, of name in plumb's
 * namespace: the same scan and control always give the same UUID, so a
 * stored scan re-renders byte for byte.
 */
void report_uuid5(const char *name, char out[37]);

/* A copy of id keeping [A-Za-z0-9._-] and turning anything else into '_'
 * ("_" for an empty id), so it can be the tail of an NCName such as an
 * XCCDF rule id.  Baseline control ids already fit, so distinct controls
 * keep distinct ids.  The caller frees it. */
char *report_ncname_tail(const char *id);

#endif

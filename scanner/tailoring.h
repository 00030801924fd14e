/*
 * tailoring.h - an organisation's adjustments to a shipped baseline
 * (baselines/schema/tailoring.xsd, namespace urn:plumb:tailoring:1).
 *
 * A tailoring names the baseline it is for, leaves controls out
 * (<deselect control="GLOB">reason</deselect>) and sets check parameters
 * (<param control="ID" check="TYPE" name="NAME">value</param>; several
 * <param> elements with the same control, check and name give a
 * multi-valued parameter, in order).  Setting a parameter replaces every
 * value the baseline gave it in the checks it names, so the effective value
 * is always what the tailoring says, never a mix.  The baseline file and its
 * sha256 stay as shipped; the scan records the tailoring's id, version,
 * sha256 and what it changed, so an auditor sees both.
 */
#ifndef PLUMB_TAILORING_H
#define PLUMB_TAILORING_H

#include <stddef.h>

#include <jansson.h>

#include "baseline.h"
#include "diags.h"
#include "util.h"

struct tailoring_deselect {
	char *control;		/* fnmatch glob */
	char *reason;
	int line;
};

struct tailoring_param {
	char *control;		/* exact control id */
	char *check;		/* check type, or NULL: every check that has
				 * a parameter of that name */
	char *name;
	char *value;
	int line;
};

struct tailoring {
	char *id;
	char *version;
	char *baseline;		/* the baseline id it applies to */
	char *title;
	char *path;
	char sha256[65];	/* of the file's exact bytes */
	char *source;		/* the file's bytes, NUL-terminated */
	size_t source_len;
	struct tailoring_deselect *desel;
	size_t ndesel;
	struct tailoring_param *params;
	size_t nparams;
};

/*
 * Loads and validates the tailoring file at path (safe XML: no DTD, no
 * entities, no network, size-capped, checked against the built-in XSD).
 * Every problem is added to d as "file:line: message"; on any problem the
 * return is negative, *out is NULL and e holds the first one.
 */
int tailoring_load(const char *path, struct tailoring **out, struct diags *d,
		   struct errbuf *e);
void tailoring_free(struct tailoring *t);

/*
 * True when the file at path loads as XML by the same safe loader and its
 * root element is <tailoring> in the tailoring namespace: for commands that
 * take either kind of file.  Nothing is reported; a file that does not load
 * is not a tailoring, and its own loader then says why.
 */
int tailoring_sniff(const char *path);

/*
 * Applies t to b: deselected controls are removed, parameters replaced, and
 * every changed check is validated again as the baseline loader validates
 * it.  A tailoring for another baseline id, a glob or control id that names
 * no control, a check type the control does not use, a parameter its check
 * type does not know and a value it refuses are problems at the
 * tailoring's file:line.  On any problem nothing is applied and the return
 * is negative.  On success *record (when not NULL) is the scan document's
 * scan.tailoring object: {"id", "version", "sha256", "deselected":
 * [{"control", "reason"}], "params": [{"control", "check", "name",
 * "values": [...]}]}.
 */
int tailoring_apply(const struct tailoring *t, struct baseline *b,
		    json_t **record, struct diags *d, struct errbuf *e);

#endif

/*
 * baseline.h - versioned baselines: loading, validation and lookup.
 *
 * A baseline is an XML file in plumb's own format (baselines/schema/
 * baseline.xsd, namespace urn:plumb:baseline:1) with an id, a semantic
 * version, a title and controls; each control holds one or more checks whose
 * type is a registered check type (probe.h).  Files are parsed without DTD
 * loading, entity expansion or network access, and size-capped.  Shipped
 * files live at baselines/<id>/<version>.xml.
 */
#ifndef PLUMB_BASELINE_H
#define PLUMB_BASELINE_H

#include <stddef.h>

#include "diags.h"
#include "probe.h"
#include "util.h"

struct check_param {
	char *name;
	char *value;
	int line;
};

struct check {
	char *type;
	const struct check_type *ct;	/* resolved at load */
	struct check_param *params;
	size_t nparams;
	int line;
};

struct control_ref {
	char *framework;	/* e.g. "cis-controls-v8", "nist-800-53r5" */
	char *id;		/* e.g. "4.1", "AC-2" */
};

struct control {
	char *id;		/* stable, e.g. "patch.security-pending" */
	char *title;
	char *rationale;
	char *family;		/* mfa, patch, encryption, ports, malware, config */
	char *severity;		/* info, low, medium, high, critical */
	char *owner;		/* default owning party, e.g. "internal", "msp" */
	struct control_ref *refs;
	size_t nrefs;
	struct check *checks;
	size_t nchecks;
	int line;
};

struct baseline {
	char *id;
	char *version;		/* semantic version MAJOR.MINOR.PATCH */
	char *title;
	char *description;	/* may be NULL */
	char *path;		/* the file it was loaded from */
	char sha256[65];	/* of the file's exact bytes */
	char *source;		/* the file's bytes, NUL-terminated */
	size_t source_len;
	struct control *controls;
	size_t ncontrols;
};


/*
 * Loads and validates the baseline at path.  Every problem found is added
 * to d (when d is not NULL); on any problem the return is negative, *out is
 * NULL and e holds the first problem.  On success *out is the caller's, to be
 * freed with baseline_free().
 */
int baseline_load(const char *path, struct baseline **out, struct diags *d,
		  struct errbuf *e);
void baseline_free(struct baseline *b);

/*
 * Resolves a --baseline argument: an existing file is taken as is; otherwise
 * the argument is an id and the highest version of baselines/<id>/<version>.xml is
 * picked from the search path ($PLUMB_BASELINE_PATH, colon-separated, then
 * the installed data directory).  *path is the caller's to free.
 */
int baseline_resolve(const char *arg, char **path, struct errbuf *e);

/* Compares two semantic versions: <0, 0, >0.  Invalid sorts first. */
int semver_cmp(const char *a, const char *b);
/* True if s is MAJOR.MINOR.PATCH with optional -prerelease. */
int semver_valid(const char *s);

/*
 * Checks chk as the loader does (its type is known, its parameters are the
 * type's and valid, the required ones are present, the type's own
 * validation passes) and sets chk->ct.  Each problem is added to d as
 * "file:line: message" at the parameter's line or chk->line.  Returns the
 * number of problems.  For inputs that change a loaded baseline (tailoring).
 */
size_t baseline_check_validate(struct check *chk, const char *file,
			       struct diags *d);

/* Removes control i from b and frees it (a deselected control). */
void baseline_drop_control(struct baseline *b, size_t i);

/* The first value of parameter name, or NULL (borrowed). */
const char *check_param_get(const struct check *c, const char *name);
/* Parameter name as an integer, or def when absent. */
long long check_param_int(const struct check *c, const char *name,
			  long long def);
/* Parameter name as a boolean, or def when absent. */
int check_param_bool(const struct check *c, const char *name, int def);

#endif

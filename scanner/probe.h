/*
 * probe.h - probes collect facts from the host; check types judge them.
 *
 * A probe (one file per check family: probe_file.c, probe_patch.c, ...) reads
 * the host through the platform layer only and returns facts as a JSON
 * object.  It never sees a baseline's thresholds.  A check type names the
 * probe it draws on, the parameters a baseline gives it, and a judge that
 * turns facts and parameters into a status, a message and evidence, without
 * touching the host.  The engine collects each (probe, subject) once per
 * scan, so several controls may judge the same facts.
 *
 * Every check type is listed in checks.c; the baseline loader validates a
 * <check> against its parameter specs.
 */
#ifndef PLUMB_PROBE_H
#define PLUMB_PROBE_H

#include <time.h>

#include <jansson.h>

#include "plat.h"
#include "util.h"

/* Result statuses, as XCCDF names them, plus waived. */
enum status {
	STATUS_PASS,
	STATUS_FAIL,
	STATUS_ERROR,
	STATUS_UNKNOWN,
	STATUS_NOTAPPLICABLE,
	STATUS_NOTCHECKED,
	STATUS_INFORMATIONAL,
	STATUS_WAIVED,
	STATUS__COUNT
};
/* "pass", "fail", ... (static strings). */
const char *status_name(enum status s);
/* 0 and *out set, or PLUMB_EPARSE. */
int status_parse(const char *name, enum status *out);
/* Combines the statuses of a control's checks: the worst one wins
 * (fail > error > unknown > pass > informational > notapplicable > notchecked). */
enum status status_combine(enum status a, enum status b);

struct store;
struct check;

/* What a probe and a judge may see of the scan in progress (borrowed). */
struct probe_ctx {
	const struct plat_root *root;
	time_t now;		/* the scan's start, for ages and windows */
	struct store *store;	/* history (may be NULL) */
	/* The previous scan document (plumb.scan/1) of the same baseline on
	 * this host, or NULL: judges carry first-seen dates forward from it. */
	const json_t *prev;
	const char *control_id;	/* the control being judged (borrowed) */
};

struct probe {
	const char *name;	/* "file", "sysctl", "patch", "ports", ... */
	/*
	 * Collects facts about subject (a path, a sysctl key; NULL for probes
	 * that look at the whole host) into a new JSON object handed to the
	 * caller in *facts.  A failure to read the input returns a negative
	 * code with the reason in e; the control becomes `error`.
	 */
	int (*collect)(const struct probe_ctx *ctx, const char *subject,
		       json_t **facts, struct errbuf *e);
};

enum check_param_kind {
	CHECK_PARAM_STRING,
	CHECK_PARAM_INT,	/* base-10 integer */
	CHECK_PARAM_BOOL,	/* true|false */
	CHECK_PARAM_REGEX,	/* POSIX extended regex, compiled at load */
	CHECK_PARAM_MODE,	/* octal file mode, e.g. 0640 */
};

#define CHECK_PARAM_REQUIRED 0x1	/* must be given */
#define CHECK_PARAM_MULTI 0x2		/* may be given more than once */

struct check_param_spec {
	const char *name;
	enum check_param_kind kind;
	unsigned flags;
	const char *help;	/* one line for `baseline show` and docs */
};

/* What a judge hands back; evidence and message become the engine's. */
struct check_outcome {
	enum status status;
	char *message;		/* one line for people; malloc'd */
	json_t *evidence;	/* a JSON object; new reference */
};

struct check_type {
	const char *name;		/* the type="" of a <check> */
	const char *summary;		/* one line for docs */
	const struct probe *probe;
	const struct check_param_spec *params;	/* ends with {NULL} */
	/* The probe subject for this check (borrowed from chk), or NULL. */
	const char *(*subject)(const struct check *chk);
	/* Optional checks beyond the parameter kinds, run at load and lint. */
	int (*validate)(const struct check *chk, struct errbuf *e);
	/* Judges the facts (borrowed) against chk's parameters. */
	void (*judge)(const json_t *facts, const struct check *chk,
		      const struct probe_ctx *ctx, struct check_outcome *out);
};

/* The registry in checks.c: NULL if no check type has that name. */
const struct check_type *check_type_find(const char *name);
/* All check types, NULL-terminated. */
extern const struct check_type *const check_types[];

/* Sets out's status and a formatted message (helper for judges). */
void check_outcome_set(struct check_outcome *out, enum status s,
		       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif

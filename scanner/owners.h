/*
 * owners.h - who owns each control, how to reach them, and the waivers the
 * organisation approved (the owners file, baselines/schema/owners.xsd,
 * namespace urn:plumb:owners:1).
 *
 * In co-managed IT a control belongs to one party (internal IT, the MSP) or
 * is shared between parties whose coverage hours decide who is on duty.
 * Assignment rules override a baseline's default owner; the first rule that
 * matches wins.  A waiver turns a failing control into `waived` until it
 * expires; the raw status is kept.
 */
#ifndef PLUMB_OWNERS_H
#define PLUMB_OWNERS_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "baseline.h"
#include "util.h"

struct owners_coverage {
	unsigned days;		/* bit 0 = Sunday ... bit 6 = Saturday */
	int from_min;		/* minutes after local midnight */
	int to_min;		/* exclusive; 1440 = midnight */
	char *tz;		/* IANA zone, NULL = the system's */
};

struct owners_party {
	char *id;
	char *name;
	char **emails;
	size_t nemails;
	char **webhooks;
	size_t nwebhooks;
	struct owners_coverage *cov;	/* none: on duty at all times */
	size_t ncov;
};

struct owners_rule {
	char *control;		/* fnmatch glob or NULL */
	char *family;		/* or NULL */
	char *severity;		/* or NULL */
	char **parties;		/* one party, or the shared list in order */
	size_t nparties;
	int line;
};

struct owners_waiver {
	char *control;		/* fnmatch glob */
	char *approved_by;
	char *reason;
	char expires[11];	/* YYYY-MM-DD, the last day it holds */
	time_t expires_at;	/* the end of that day, UTC */
	char **accounts;	/* none: the whole control is waived */
	size_t naccounts;
	int line;
};

struct owners_sla {
	char *party;
	char *severity;		/* NULL: any severity */
	long hours;
};

struct owners {
	char *path;
	char sha256[65];
	char *source;
	size_t source_len;
	struct owners_party *parties;
	size_t nparties;
	struct owners_rule *rules;
	size_t nrules;
	struct owners_waiver *waivers;
	size_t nwaivers;
	struct owners_sla *slas;
	size_t nslas;
	/* <smtp>: the mail server for notifications, or all NULL/0. */
	char *smtp_url;
	char *smtp_from;
	int smtp_starttls_required;	/* 1 unless starttls="try" */
};

/* Loads and validates an owners file; every problem goes to d (file:line).
 * *out is the caller's (owners_free) on success, NULL otherwise. */
int owners_load(const char *path, struct owners **out, struct diags *d,
		struct errbuf *e);
void owners_free(struct owners *o);

/* The party with that id, or NULL (borrowed). */
const struct owners_party *owners_party(const struct owners *o, const char *id);

/*
 * Applies the owners file to a scan document: every result's "owner" (and
 * "shared_with" for shared controls) from the rules, waivers to failing
 * results (status "waived", "raw_status" kept, "waiver" object), expired
 * waivers named in the message; records doc.scan.owners {path, sha256}.
 * now decides expiry.  The caller recomputes the summary.
 */
void owners_apply(const struct owners *o, json_t *doc, time_t now);

/* True when party p is on duty at time t (no coverage: always). */
int owners_on_duty(const struct owners_party *p, time_t t);

/*
 * The party to notify about a result (an element of doc.results or a drift
 * event with "owner" and optional "shared_with"): for a shared control the
 * first listed party on duty at t, else its owner.  Borrowed; NULL when the
 * owner is not a party of the file.
 */
const struct owners_party *owners_route(const struct owners *o,
					const json_t *item, time_t t);

/* The SLA in hours for a party and severity (most specific wins), or 0. */
long owners_sla_hours(const struct owners *o, const char *party,
		      const char *severity);

#endif

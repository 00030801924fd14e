/*
 * engine.h - evaluates a baseline's controls on a host and builds the scan
 * document (plumb.scan/1).
 *
 * The engine is the only place where facts meet thresholds: for each check
 * it collects the probe's facts once per (probe, subject) and hands them to
 * the check type's judge.  A probe that cannot read its input makes that
 * check `error` with the reason; the scan goes on.
 */
#ifndef PLUMB_ENGINE_H
#define PLUMB_ENGINE_H

#include <time.h>

#include <jansson.h>

#include "baseline.h"
#include "plat.h"
#include "util.h"

struct store;

struct engine_opts {
	const struct plat_root *root;
	const char *root_dir;		/* as the user gave it, for the document */
	const struct plat_host *host;
	struct store *store;		/* may be NULL */
	const json_t *prev;		/* previous scan of this baseline here, or NULL */
	time_t now;			/* the scan's start */
	/* When not 0: controls not started by this time are recorded as
	 * notchecked ("time budget exhausted") and the scan ends cleanly. */
	time_t deadline;
	/* Called before each control with its index and the total, for
	 * progress on a terminal; may be NULL. */
	void (*progress)(size_t done, size_t total, const char *control_id,
			 void *arg);
	void *progress_arg;
};

/* Runs every control of b and returns the scan document in *doc (new
 * reference).  Fails only on internal errors, never on a host problem. */
int engine_run(const struct baseline *b, const struct engine_opts *o,
	       json_t **doc, struct errbuf *e);

/* Recomputes doc.summary from doc.results (used after waivers change
 * statuses). */
void engine_summarize(json_t *doc);

/* The exit status a document calls for: 0 when every result passed, was
 * waived, informational or not applicable; 2 otherwise. */
int engine_exit_status(const json_t *doc);

/* Builds a host object {hostname, machine_id, os:{id,version,pretty},
 * kernel, arch} from h. */
json_t *engine_host_json(const struct plat_host *h);

#endif

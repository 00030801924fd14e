/*
 * store_results.h - every stored result in scan order, for reports that
 * follow controls over time (time to remediate, open drift) without loading
 * whole scan documents.
 */
#ifndef PLUMB_STORE_RESULTS_H
#define PLUMB_STORE_RESULTS_H

#include <stdint.h>

#include "store.h"
#include "util.h"

/* One results row with its scan's identity; every string is borrowed for
 * the duration of the callback and is "" when the scan did not record it. */
struct store_result_row {
	int64_t seq;
	const char *started;	/* RFC 3339 UTC */
	const char *baseline_id;
	const char *machine_id;
	const char *hostname;
	const char *control_id;
	const char *status;
	const char *owner;
	const char *severity;
};

/* Called once per row; a nonzero return stops the walk and is returned. */
typedef int store_result_fn(const struct store_result_row *row, void *arg);

/*
 * Calls fn for every result of every scan, oldest scan first (by seq), then
 * by control id.  Returns 0, fn's nonzero return, or a store error.
 */
int store_each_result(struct store *s, store_result_fn *fn, void *arg,
		      struct errbuf *e);

#endif

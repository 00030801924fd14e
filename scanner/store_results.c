/*
 * store_results.c - walking the results table in scan order
 * (store_results.h).  One statement streams the rows, so memory stays flat
 * however long the history is.
 */
#include "store_int.h"
#include "store_results.h"

static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

int
store_each_result(struct store *s, store_result_fn *fn, void *arg,
		  struct errbuf *e)
{
	struct store_result_row row;
	sqlite3_stmt *st = NULL;
	int rc, r;

	if ((r = store_prepare(s, "SELECT s.seq, s.started, s.baseline_id, "
			       "s.machine_id, s.hostname, r.control_id, "
			       "r.status, r.owner, r.severity FROM results r "
			       "JOIN scans s ON s.seq = r.scan_seq ORDER BY "
			       "s.seq, r.control_id", &st, e)) != PLUMB_OK)
		return r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row.seq = sqlite3_column_int64(st, 0);
		row.started = col(st, 1);
		row.baseline_id = col(st, 2);
		row.machine_id = col(st, 3);
		row.hostname = col(st, 4);
		row.control_id = col(st, 5);
		row.status = col(st, 6);
		row.owner = col(st, 7);
		row.severity = col(st, 8);
		if ((r = fn(&row, arg)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		r = store_err(s, rc, e, "reading the stored results");
out:
	sqlite3_finalize(st);
	return r;
}

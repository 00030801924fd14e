/*
 * store.h - the scan history, in sqlite.
 *
 * Only store*.c include sqlite3.h.  Every scan is one `plumb.scan/1`
 * document recorded in one transaction together with one row per result, so
 * a scan is in the history whole or not at all.  Each scan row carries the
 * hash of the previous one: hash = sha256(prev_hash_hex || canonical
 * document), canonical = jansson's JSON_COMPACT|JSON_SORT_KEYS dump, stored
 * byte for byte as hashed.  The schema is migrated by version
 * (PRAGMA user_version); the database runs in WAL mode with
 * synchronous=FULL and a busy timeout.
 */
#ifndef PLUMB_STORE_H
#define PLUMB_STORE_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "util.h"

struct store;

/*
 * Opens (creating when missing, with its parent directory, mode 0700) the
 * history at path and migrates its schema.  A file that is not a plumb
 * history or is corrupt is refused with a clear message and never replaced.
 */
int store_open(const char *path, struct store **out, struct errbuf *e);
void store_close(struct store *s);

/*
 * Records doc (a plumb.scan/1 document) in one transaction.  Sets
 * doc.scan.seq to the new row's sequence number and returns it in *seq.
 */
int store_add_scan(struct store *s, json_t *doc, int64_t *seq,
		   struct errbuf *e);

/*
 * Loads a stored document by reference: "latest", a sequence number, or the
 * scan's id (a unique prefix of at least 8 characters).  *doc is a new
 * reference; PLUMB_ENOENT when no scan matches.
 */
int store_get_scan(struct store *s, const char *ref, json_t **doc,
		   struct errbuf *e);

/* Filters for store_list_scans; NULL / 0 fields do not filter. */
struct store_filter {
	const char *baseline_id;
	time_t since;
	time_t until;
	int limit;
};

/*
 * A JSON array, oldest first, of {seq, id, started, finished, host,
 * baseline:{id,version,sha256}, summary, hash, prev_hash} for the scans that
 * match f.  *scans is a new reference.
 */
int store_list_scans(struct store *s, const struct store_filter *f,
		     json_t **scans, struct errbuf *e);

/*
 * The latest scan before sequence number seq (0: before none, i.e. the
 * newest) of the same baseline id on the same host (machine id), or
 * PLUMB_ENOENT.
 */
int store_prev_scan(struct store *s, const char *baseline_id,
		    const char *machine_id, int64_t seq, json_t **doc,
		    struct errbuf *e);

/* The canonical text of doc as stored and hashed; the caller frees. */
char *store_canonical(const json_t *doc);

#endif

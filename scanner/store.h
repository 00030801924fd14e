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
 * A new history file is created mode 0600.  One struct store per process: a
 * child after fork() opens its own.  store_close accepts NULL.
 */
int store_open(const char *path, struct store **out, struct errbuf *e);
void store_close(struct store *s);

/*
 * Records doc (a plumb.scan/1 document) in one transaction.  Sets
 * doc.scan.seq to the new row's sequence number and returns it in *seq.
 *
 * Precisely, inside one BEGIN IMMEDIATE transaction the store
 *   1. takes prev_hash = the hash of the scan with the highest seq, or 64
 *      "0" characters for the first scan (the genesis link);
 *   2. takes seq = one more than the highest seq ever used (deleted rows'
 *      numbers are never reused);
 *   3. sets doc.scan.seq = seq (integer) and doc.scan.prev_hash = prev_hash
 *      (string), replacing any values the caller put there;
 *   4. stores canonical = store_canonical(doc) as the scan's text, and
 *      hash = sha256_hex(prev_hash || canonical), the 64 ASCII hex
 *      characters of prev_hash directly followed by the canonical bytes;
 *   5. inserts one results row per doc.results[] entry.
 * So the stored text is the whole document, nothing is added to it later,
 * and an auditor recomputes a link with `printf %s "$prev$doc" | sha256sum`.
 *
 * What the store reads from doc: scan.id (required, a non-empty string,
 * unique in the history), scan.started, scan.finished (RFC 3339 strings),
 * scan.host (object; its hostname and machine_id), scan.baseline.{id,
 * version,sha256}, summary (any JSON), and results[] objects with id
 * (required, unique within the scan), status, raw_status (defaults to
 * status), owner, family, severity, message (strings) and evidence (any
 * JSON).  A member of the wrong type is PLUMB_EINVAL.  On any failure the
 * transaction is rolled back (no partial scan is ever recorded), doc is
 * restored as it was given and *seq is 0.
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
	time_t since;	/* scans started at or after since */
	time_t until;	/* scans started before until */
	int limit;	/* the newest limit matching scans (still oldest first) */
};

/*
 * A JSON array, oldest first, of {seq, id, started, finished, host,
 * baseline:{id,version,sha256}, summary, hash, prev_hash} for the scans that
 * match f (f may be NULL).  Values the scan did not record are null.
 * *scans is a new reference.
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

/* The canonical text of doc as stored and hashed: jansson's
 * JSON_COMPACT|JSON_SORT_KEYS dump, UTF-8 (not ASCII-escaped).  The caller
 * frees it with free(). */
char *store_canonical(const json_t *doc);

/*
 * Walks the whole history oldest first and recomputes every link: each
 * scan's prev_hash must equal the previous scan's hash (64 zeros for the
 * first), its hash must equal sha256_hex(prev_hash || stored text), the
 * stored document must name the row's own seq, prev_hash and id, and its
 * results rows must say what the document's results say.  Returns 0
 * when every link holds (an empty history is valid).  At the first broken
 * link returns PLUMB_EINVAL with *bad_seq set to that scan's seq and e
 * saying what broke (an altered document; a scan removed, inserted or
 * reordered); other failures return their code with *bad_seq 0.
 * Removing the newest scans cannot be seen from inside the history: compare
 * the last hash with one kept elsewhere (an exported bundle) for that.
 */
int store_verify_chain(struct store *s, int64_t *bad_seq, struct errbuf *e);

#endif

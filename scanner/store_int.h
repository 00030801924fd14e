/*
 * store_int.h - what the store_*.c files share and nothing else may see.
 *
 * The history is one sqlite database; store.c owns its connection, schema
 * and the scan chain, and other store_<part>.c files (the YARA cache in
 * store_yara.c) add their own queries on the same connection through these
 * helpers.  Only store*.c include this header, because it includes
 * sqlite3.h.
 *
 * A struct store holds one connection for the whole process, opened
 * serialized (SQLITE_OPEN_FULLMUTEX) so a stray call from another thread
 * cannot corrupt sqlite's own state.  Transactions still span several calls,
 * so a caller that uses one struct store from several threads serialises
 * its own transactions.  A connection must never be used in a child after
 * fork(): open a new one there.
 *
 * Schema version 1 (PRAGMA user_version, application_id =
 * STORE_APPLICATION_ID):
 *
 *   scans(seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL,
 *         started TEXT, finished TEXT, hostname TEXT, machine_id TEXT,
 *         host TEXT (JSON object, doc.scan.host), baseline_id TEXT,
 *         baseline_version TEXT, baseline_sha256 TEXT, summary TEXT (JSON),
 *         doc TEXT NOT NULL (canonical JSON), prev_hash TEXT NOT NULL,
 *         hash TEXT NOT NULL UNIQUE)
 *   results(scan_seq INTEGER REFERENCES scans(seq) ON DELETE RESTRICT,
 *           control_id TEXT, status TEXT, raw_status TEXT, owner TEXT,
 *           family TEXT, severity TEXT, message TEXT, evidence TEXT (JSON),
 *           PRIMARY KEY(scan_seq, control_id))
 *   yara_cache(path BLOB PRIMARY KEY, dev INTEGER, ino INTEGER,
 *              size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER,
 *              rules_sha256 TEXT, scanned_at INTEGER, matches TEXT NOT NULL)
 *   meta(key TEXT PRIMARY KEY, value TEXT)
 *
 * Schema version 2 adds, for store_blob.c:
 *
 *   blobs(sha256 TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT,
 *         size INTEGER NOT NULL, data BLOB NOT NULL, added TEXT)
 *
 * Schema version 3 adds the outgoing delivery queue (drift notifications
 * per party, scans pushed to a collector):
 *
 *   deliveries(id INTEGER PRIMARY KEY, channel TEXT ('webhook', 'smtp',
 *              'push', ...), target TEXT (party id or URL), key TEXT (the
 *              idempotency key: event or scan id), scan_seq INTEGER,
 *              payload TEXT, state TEXT ('pending' | 'sent'), attempts
 *              INTEGER, last_error TEXT, created TEXT, last_attempt TEXT,
 *              sent TEXT, UNIQUE(channel, target, key))
 *
 * A later schema change is a new entry at the end of store.c's migration
 * list; existing entries are never edited.
 */
#ifndef PLUMB_STORE_INT_H
#define PLUMB_STORE_INT_H

#include <sys/types.h>

#include <sqlite3.h>

#include "store.h"
#include "util.h"

/* PRAGMA application_id of a plumb history: "PLMB" in ASCII. */
#define STORE_APPLICATION_ID 0x504c4d42

struct store {
	sqlite3 *db;
	char *path;	/* as given to store_open, for messages */
	pid_t pid;	/* the process that opened db */
};

/*
 * Formats "<path>: <what>: <sqlite's message>" into e and returns the
 * matching code: PLUMB_EBUSY when the database stayed locked past the busy
 * timeout, PLUMB_EDB otherwise.  rc is the sqlite result code that failed.
 */
int store_err(struct store *s, int rc, struct errbuf *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Runs constant SQL (never SQL built from data: bind that instead). */
int store_exec(struct store *s, const char *sql, struct errbuf *e);

/* Prepares one statement; *st is NULL on failure, sqlite3_finalize it. */
int store_prepare(struct store *s, const char *sql, sqlite3_stmt **st,
		  struct errbuf *e);

/*
 * BEGIN IMMEDIATE: takes the write lock now (waiting up to the busy
 * timeout), so what the transaction reads cannot change before it writes.
 * End it with store_commit or store_rollback.
 */
int store_begin(struct store *s, struct errbuf *e);
int store_commit(struct store *s, struct errbuf *e);
/* Rolls back the open transaction, if any; safe to call when none is. */
void store_rollback(struct store *s);

#endif

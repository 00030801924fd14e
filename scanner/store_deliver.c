/*
 * store_deliver.c - the outgoing delivery queue (store_deliver.h) over the
 * deliveries table (store_int.h, schema version 3):
 *
 *   deliveries(id, channel, target, key, scan_seq, payload, state,
 *              attempts, last_error, created, last_attempt, sent,
 *              UNIQUE(channel, target, key))
 *
 * The unique key makes enqueueing idempotent (INSERT OR IGNORE), and the
 * claim is a compare-and-set on the attempt count, so no lock is held
 * while the network is in use.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_deliver.h"
#include "store_int.h"

static int
deliver_field_ok(const char *what, const char *v, struct errbuf *e)
{
	size_t n;

	if (v == NULL || *v == '\0')
		return err_set(e, PLUMB_EUSAGE, "delivery %s is empty", what);
	n = strlen(v);
	if (n > PLUMB_DELIVERY_FIELD_MAX)
		return err_set(e, PLUMB_ELIMIT, "delivery %s is %zu bytes, "
			       "more than %u", what, n,
			       PLUMB_DELIVERY_FIELD_MAX);
	if (!utf8_valid(v, n))
		return err_set(e, PLUMB_EINVAL, "delivery %s is not UTF-8",
			       what);
	return PLUMB_OK;
}

int
store_deliver_enqueue(struct store *s, const char *channel,
		      const char *target, const char *key, int64_t scan_seq,
		      const char *payload, int *added, struct errbuf *e)
{
	sqlite3_stmt *st = NULL;
	char now[32];
	size_t n;
	int rc, r;

	if (added != NULL)
		*added = 0;
	if ((r = deliver_field_ok("channel", channel, e)) != PLUMB_OK ||
	    (r = deliver_field_ok("target", target, e)) != PLUMB_OK ||
	    (r = deliver_field_ok("key", key, e)) != PLUMB_OK)
		return r;
	if (payload == NULL)
		return err_set(e, PLUMB_EUSAGE, "delivery %s has no payload",
			       key);
	n = strlen(payload);
	if (n > PLUMB_SCAN_DOC_MAX)
		return err_set(e, PLUMB_ELIMIT, "delivery %s: payload of %zu "
			       "bytes is more than %u", key, n,
			       PLUMB_SCAN_DOC_MAX);
	if (!utf8_valid(payload, n))
		return err_set(e, PLUMB_EINVAL, "delivery %s: payload is not "
			       "UTF-8", key);
	if (scan_seq < 0)
		return err_set(e, PLUMB_EUSAGE, "delivery %s: scan %lld does "
			       "not exist", key, (long long)scan_seq);
	time_rfc3339(time(NULL), now);
	if ((r = store_prepare(s, "INSERT OR IGNORE INTO deliveries (channel, "
			       "target, key, scan_seq, payload, state, "
			       "attempts, created) VALUES (?, ?, ?, ?, ?, "
			       "'pending', 0, ?)", &st, e)) != PLUMB_OK)
		return r;
	sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, target, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
	if (scan_seq > 0)
		sqlite3_bind_int64(st, 4, scan_seq);
	sqlite3_bind_text(st, 5, payload, (int)n, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		/* The foreign key names a scan that is not there. */
		if ((rc & 0xff) == SQLITE_CONSTRAINT)
			r = err_set(e, PLUMB_EUSAGE, "delivery %s: scan %lld "
				    "does not exist", key,
				    (long long)scan_seq);
		else
			r = store_err(s, rc, e, "queueing delivery %s", key);
		goto out;
	}
	if (added != NULL)
		*added = sqlite3_changes(s->db) > 0;
out:
	sqlite3_finalize(st);
	return r;
}

static char *
deliver_col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}

#define DELIVER_COLUMNS "id, channel, target, key, scan_seq, payload, " \
	"attempts, last_error, created, last_attempt, sent"

/* Reads every row of a prepared, bound statement selecting
 * DELIVER_COLUMNS, at most max. */
static int
deliver_read(struct store *s, sqlite3_stmt *st, size_t max,
	     struct store_delivery **out, size_t *n, struct errbuf *e)
{
	struct store_delivery *v = NULL, *d;
	size_t len = 0;
	int rc = SQLITE_DONE, r = PLUMB_OK;

	while (len < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xreallocarray(v, len + 1, sizeof(*v));
		d = &v[len++];
		memset(d, 0, sizeof(*d));
		d->id = sqlite3_column_int64(st, 0);
		d->channel = deliver_col(st, 1);
		d->target = deliver_col(st, 2);
		d->key = deliver_col(st, 3);
		d->scan_seq = sqlite3_column_int64(st, 4);
		d->payload = deliver_col(st, 5);
		if (d->payload == NULL)
			d->payload = xstrdup("");
		d->attempts = (long)sqlite3_column_int64(st, 6);
		d->last_error = deliver_col(st, 7);
		d->created = deliver_col(st, 8);
		d->last_attempt = deliver_col(st, 9);
		d->sent = deliver_col(st, 10);
		if (d->channel == NULL || d->target == NULL ||
		    d->key == NULL) {
			r = err_set(e, PLUMB_EDB, "delivery %lld has no "
				    "channel, target or key",
				    (long long)d->id);
			goto out;
		}
	}
	if (len < max && rc != SQLITE_DONE) {
		r = store_err(s, rc, e, "reading the delivery queue");
		goto out;
	}
	*out = v;
	*n = len;
	v = NULL;
	len = 0;
out:
	store_deliveries_free(v, len);
	return r;
}

int
store_deliver_pending(struct store *s, const char *channel, size_t max,
		      struct store_delivery **out, size_t *n,
		      struct errbuf *e)
{
	sqlite3_stmt *st = NULL;
	int r;

	*out = NULL;
	*n = 0;
	if (max < 1 || max > PLUMB_DELIVERY_BATCH_MAX)
		return err_set(e, PLUMB_EUSAGE, "deliveries are listed 1 to "
			       "%u at a time, not %zu",
			       PLUMB_DELIVERY_BATCH_MAX, max);
	if ((r = store_prepare(s, "SELECT " DELIVER_COLUMNS " FROM "
			       "deliveries WHERE state = 'pending' AND (?1 "
			       "IS NULL OR channel = ?1) ORDER BY id LIMIT ?2",
			       &st, e)) != PLUMB_OK)
		return r;
	if (channel != NULL)
		sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	r = deliver_read(s, st, max, out, n, e);
	sqlite3_finalize(st);
	return r;
}

int
store_deliver_for_scan(struct store *s, int64_t scan_seq,
		       struct store_delivery **out, size_t *n,
		       struct errbuf *e)
{
	sqlite3_stmt *st = NULL;
	int r;

	*out = NULL;
	*n = 0;
	if ((r = store_prepare(s, "SELECT " DELIVER_COLUMNS " FROM deliveries"
			       " WHERE scan_seq = ? ORDER BY id LIMIT ?",
			       &st, e)) != PLUMB_OK)
		return r;
	sqlite3_bind_int64(st, 1, scan_seq);
	sqlite3_bind_int64(st, 2, PLUMB_DELIVERY_BATCH_MAX);
	r = deliver_read(s, st, PLUMB_DELIVERY_BATCH_MAX, out, n, e);
	sqlite3_finalize(st);
	return r;
}

int
store_deliver_claim(struct store *s, struct store_delivery *d, int *claimed,
		    struct errbuf *e)
{
	sqlite3_stmt *st = NULL;
	char now[32];
	int rc, r;

	*claimed = 0;
	time_rfc3339(time(NULL), now);
	if ((r = store_prepare(s, "UPDATE deliveries SET attempts = attempts "
			       "+ 1, last_attempt = ? WHERE id = ? AND state "
			       "= 'pending' AND attempts = ?", &st, e))
	    != PLUMB_OK)
		return r;
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, d->id);
	sqlite3_bind_int64(st, 3, d->attempts);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		r = store_err(s, rc, e, "claiming delivery %s", d->key);
		goto out;
	}
	if (sqlite3_changes(s->db) > 0) {
		*claimed = 1;
		d->attempts++;
		free(d->last_attempt);
		d->last_attempt = xstrdup(now);
	}
out:
	sqlite3_finalize(st);
	return r;
}

/* Runs an UPDATE whose first parameter is text (may be NULL) and second
 * the row id; PLUMB_ENOENT when the row does not exist. */
static int
deliver_update(struct store *s, const char *sql, const char *text,
	       int64_t id, struct errbuf *e)
{
	sqlite3_stmt *st = NULL;
	int64_t found = 0;
	int rc, r;

	if ((r = store_prepare(s, "SELECT id FROM deliveries WHERE id = ?",
			       &st, e)) != PLUMB_OK)
		return r;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		found = 1;
	else if (rc != SQLITE_DONE)
		r = store_err(s, rc, e, "reading delivery %lld",
			      (long long)id);
	sqlite3_finalize(st);
	st = NULL;
	if (r != PLUMB_OK)
		return r;
	if (!found)
		return err_set(e, PLUMB_ENOENT, "%s: no delivery %lld",
			       s->path, (long long)id);
	if ((r = store_prepare(s, sql, &st, e)) != PLUMB_OK)
		return r;
	if (text != NULL)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		r = store_err(s, rc, e, "updating delivery %lld",
			      (long long)id);
	sqlite3_finalize(st);
	return r;
}

int
store_deliver_sent(struct store *s, int64_t id, struct errbuf *e)
{
	char now[32];

	time_rfc3339(time(NULL), now);
	return deliver_update(s, "UPDATE deliveries SET state = 'sent', "
			      "sent = ?1, last_error = NULL WHERE id = ?2 "
			      "AND state = 'pending'", now, id, e);
}

int
store_deliver_failed(struct store *s, int64_t id, const char *error,
		     struct errbuf *e)
{
	char msg[PLUMB_ERRMSG_MAX];
	size_t n;

	snprintf(msg, sizeof(msg), "%s", error != NULL && *error ? error :
		 "failed without a message");
	/* A cut may have split a UTF-8 sequence: drop its partial tail. */
	n = strlen(msg);
	while (n > 0 && !utf8_valid(msg, n))
		msg[--n] = '\0';
	return deliver_update(s, "UPDATE deliveries SET last_error = ?1 "
			      "WHERE id = ?2 AND state = 'pending'", msg, id,
			      e);
}

void
store_deliveries_free(struct store_delivery *d, size_t n)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(d[i].channel);
		free(d[i].target);
		free(d[i].key);
		free(d[i].payload);
		free(d[i].last_error);
		free(d[i].created);
		free(d[i].last_attempt);
		free(d[i].sent);
	}
	free(d);
}

/*
 * store_deliver.h - the outgoing delivery queue in the history (the
 * deliveries table, store_int.h, schema version 3).
 *
 * Anything plumb sends over the network (a drift notification to a party's
 * webhook or mailbox, a scan pushed to a collector) is first written here
 * in the same database as the scan it is about, then attempted.  A failed
 * attempt leaves the row pending with its error, so the next run retries
 * it; a row marked sent is never attempted again.  The sending code lives
 * elsewhere (notify.c, push): this file only keeps the queue.
 *
 * A delivery is identified by (channel, target, key):
 *   channel  what kind of sending: "webhook", "smtp", "push", ...
 *   target   where to: a party id, an address or a collector URL;
 *   key      the idempotency key, stable for the same content (for drift
 *            "<scan id>/<party>/<channel>", for a push the scan id), also
 *            sent to the receiver (Idempotency-Key) so it can drop repeats.
 * Queueing the same triple again is ignored, so a caller may enqueue
 * unconditionally on every run and still send each thing once.
 *
 * How a sender uses it, per run:
 *
 *	store_deliver_enqueue(s, "push", url, scan_id, seq, body, NULL, &e);
 *	store_deliver_pending(s, "push", 20, &d, &n, &e);
 *	for (i = 0; i < n; i++) {
 *		store_deliver_claim(s, &d[i], &mine, &e);
 *		if (!mine)
 *			continue;	(another plumb is sending it)
 *		if (send(d[i].target, d[i].payload, d[i].key) == 0)
 *			store_deliver_sent(s, d[i].id, &e);
 *		else
 *			store_deliver_failed(s, d[i].id, why, &e);
 *	}
 *	store_deliveries_free(d, n);
 *
 * Claiming counts the attempt before the network is touched, so a process
 * killed mid-send leaves the row pending with that attempt counted, and two
 * plumb processes that listed the same row do not both send it.
 */
#ifndef PLUMB_STORE_DELIVER_H
#define PLUMB_STORE_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "util.h"

/* One queued delivery as read back; every string is the caller's (freed by
 * store_deliveries_free). */
struct store_delivery {
	int64_t id;		/* the row, for claim/sent/failed */
	char *channel;
	char *target;
	char *key;
	int64_t scan_seq;	/* 0 when the row names no scan */
	char *payload;		/* the exact bytes to send */
	long attempts;		/* attempts so far (claims) */
	char *last_error;	/* the last failure's message, or NULL */
	char *created;		/* RFC 3339 UTC */
	char *last_attempt;	/* RFC 3339 UTC, or NULL when never tried */
	char *sent;		/* RFC 3339 UTC, or NULL while pending */
};

/*
 * Queues one delivery.  channel, target and key are non-empty UTF-8
 * strings of at most PLUMB_DELIVERY_FIELD_MAX bytes; payload is UTF-8 text
 * of at most PLUMB_SCAN_DOC_MAX bytes (a whole scan may be pushed);
 * scan_seq is the scan it belongs to (0: none; otherwise it must exist).
 * When a row with the same (channel, target, key) already exists, pending
 * or sent, nothing changes (not even its payload) and *added is 0;
 * otherwise *added is 1.  added may be NULL.
 */
int store_deliver_enqueue(struct store *s, const char *channel,
			  const char *target, const char *key,
			  int64_t scan_seq, const char *payload, int *added,
			  struct errbuf *e);

/*
 * The pending deliveries of one channel (NULL: every channel), oldest
 * first, at most max of them (1 <= max <= PLUMB_DELIVERY_BATCH_MAX).
 * *out (an array of *n, NULL when *n is 0) is the caller's: free it with
 * store_deliveries_free.
 */
int store_deliver_pending(struct store *s, const char *channel, size_t max,
			  struct store_delivery **out, size_t *n,
			  struct errbuf *e);

/*
 * All deliveries, pending and sent, queued for one scan (by seq), oldest
 * first, at most PLUMB_DELIVERY_BATCH_MAX; for reports and tests.
 */
int store_deliver_for_scan(struct store *s, int64_t scan_seq,
			   struct store_delivery **out, size_t *n,
			   struct errbuf *e);

/*
 * Claims d for one attempt: counts the attempt and stamps last_attempt, but
 * only when the row is still pending and its attempt count is still the
 * one d was read with.  *claimed is 1 when this caller may send it now (and
 * d->attempts is updated), 0 when it was sent or claimed by someone else
 * since it was listed.  Call before each attempt.
 */
int store_deliver_claim(struct store *s, struct store_delivery *d,
			int *claimed, struct errbuf *e);

/* Marks a delivery sent (state 'sent', sent = now, last_error cleared). A
 * row already sent is left as it was.  PLUMB_ENOENT when id is unknown. */
int store_deliver_sent(struct store *s, int64_t id, struct errbuf *e);

/* Records why an attempt failed (cut to PLUMB_ERRMSG_MAX bytes); the row
 * stays pending for the next run.  PLUMB_ENOENT when id is unknown. */
int store_deliver_failed(struct store *s, int64_t id, const char *error,
			 struct errbuf *e);

/* Frees an array from store_deliver_pending/for_scan; accepts NULL. */
void store_deliveries_free(struct store_delivery *d, size_t n);

#endif

/*
 * push.h - store-and-forward of recorded scans to a collector over HTTP(S)
 * (`plumb push`, and `push_url` in scheduled runs).
 *
 * Every scan of the history is queued once per collector URL in the
 * delivery queue (store_deliver.h, channel "push", key = the scan id,
 * payload = the scan's plumb.scan/1 document exactly as stored), then each
 * queued scan is POSTed with the header Idempotency-Key: <scan id>.  Only a
 * 2xx answer marks it delivered; anything else leaves it queued for the
 * next run, so an endpoint that is offline loses nothing and a collector
 * that answered is never sent the same scan again.  Only this file and the
 * other network clients include curl.h.
 */
#ifndef PLUMB_PUSH_H
#define PLUMB_PUSH_H

#include <stddef.h>

#include "store.h"
#include "util.h"

struct push_conf {
	const char *url;		/* http:// or https:// */
	const char *ca_file;		/* PEM CAs instead of the system's, or NULL */
	const char *client_cert;	/* PEM client certificate (mTLS), or NULL */
	const char *client_key;		/* its key, or NULL */
	long timeout_s;			/* one request, connection included */
	long connect_timeout_s;
	long attempts;			/* tries per scan and run, >= 1 */
	long backoff_ms;		/* pause after the first failed try;
					 * doubled after each, at most 30 s */
};

/* What one push run did. */
struct push_stats {
	size_t queued;		/* scans newly queued for this URL */
	size_t sent;		/* delivered by this run */
	size_t left;		/* still queued for this URL afterwards */
};

/* Called after each failed try with the scan id and why (for a warning);
 * may be NULL. */
typedef void push_warn_fn(const char *scan_id, const char *why, void *arg);

/*
 * Queues every scan of the history not yet queued for c->url, then tries
 * each scan queued for c->url, oldest first: up to c->attempts tries, with
 * a growing pause, on a connection failure or an answer 408, 429 or 5xx;
 * any other answer is final for this run.  When a scan's tries all fail
 * without the collector answering, the rest waits for the next run rather
 * than repeating the same timeouts.  Returns nonzero only when the queue
 * could not be read or written; undelivered scans are counted in st->left.
 */
int push_run(struct store *s, const struct push_conf *c, push_warn_fn *warn,
	     void *arg, struct push_stats *st, struct errbuf *e);

/*
 * POSTs body (JSON) to c->url with Idempotency-Key: idem.  Returns
 * PLUMB_OK on a 2xx answer; otherwise PLUMB_ENET with e saying why and
 * *retry saying whether trying again may help: PUSH_FINAL (a 4xx other
 * than 408 and 429, a redirect, a certificate problem), PUSH_RETRY_NOANSWER
 * (the collector could not be reached or did not answer in time) or
 * PUSH_RETRY_ANSWERED (408, 429, 5xx).
 */
enum {
	PUSH_FINAL = 0,
	PUSH_RETRY_NOANSWER = 1,
	PUSH_RETRY_ANSWERED = 2,
};
int push_post(const struct push_conf *c, const char *body, const char *idem,
	      int *retry, struct errbuf *e);

#endif

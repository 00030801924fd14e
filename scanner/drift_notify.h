/*
 * drift_notify.h - routing a scan's drift to the parties that own it, through
 * the delivery queue (store_deliver.h), and sending what is queued (notify.h).
 *
 * Two steps, so nothing is lost when the network is down and nothing is
 * sent twice:
 *   1. drift_notify_enqueue, right after the scan is stored: each drift
 *      event goes to the party that owns its control (for a shared control
 *      the party on duty at the scan's time, owners_route), and each party
 *      gets one message (plumb.notify/1, notify_message) with only its own
 *      events, queued once per destination:
 *        channel "webhook", target = each of the party's webhook URLs;
 *        channel "smtp",    target = each of the party's email addresses,
 *                           only when the owners file has an <smtp> server.
 *      The key is "<scan id>/<party>/<channel>", also sent as the webhook's
 *      Idempotency-Key and the mail's Message-ID.
 *   2. drift_notify_flush: attempts every pending webhook and smtp delivery,
 *      this scan's and those earlier runs could not send, oldest first, and
 *      records each outcome.  Scheduled mode calls it on every run.
 * A queued message is self-contained: the destination and the text are
 * fixed when it is queued, so a later change to the owners file does not
 * redirect it.  Mail needs a server at flush time (struct notify_conf);
 * without one, mail stays queued with that reason.
 */
#ifndef PLUMB_DRIFT_NOTIFY_H
#define PLUMB_DRIFT_NOTIFY_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "notify.h"
#include "owners.h"
#include "store.h"
#include "util.h"

/* What one enqueue or flush did, for the command layer to show. */
struct drift_notify_stats {
	size_t queued;		/* deliveries newly queued */
	size_t unrouted;	/* events whose owner is not a party of the file */
	size_t sent;		/* deliveries sent by this flush */
	size_t failed;		/* attempts that failed (still queued) */
	size_t deferred;	/* left queued, untried: their receiver
				 * already failed in this run */
};

/*
 * Queues the notifications for doc, a stored plumb.scan/1 document (it must
 * have scan.seq and scan.id) whose doc.drift.events were computed against
 * the previous scan.  now is the time that decides who is on duty (the
 * scan's).  Enqueueing the same scan again queues nothing new.  Counts go
 * into *st (added to).
 */
int drift_notify_enqueue(struct store *s, const struct owners *o,
			 const json_t *doc, time_t now,
			 struct drift_notify_stats *st, struct errbuf *e);

/* Called once per failed attempt with the delivery's channel, target and
 * why it failed (for a warning); may be NULL. */
typedef void drift_notify_warn_fn(const char *channel, const char *target,
				  const char *why, void *arg);

/*
 * Attempts every pending "webhook" and "smtp" delivery (at most
 * PLUMB_DELIVERY_BATCH_MAX of each per call), recording each as sent or
 * failed.  A failed delivery is not an error of this function: it is
 * counted in st->failed, passed to warn and left queued for the next run.
 * Returns nonzero only when the queue itself could not be read or written.
 * c gives the SMTP server (c->smtp_url NULL: mail stays queued) and
 * timeouts.
 */
int drift_notify_flush(struct store *s, const struct notify_conf *c,
		       drift_notify_warn_fn *warn, void *arg,
		       struct drift_notify_stats *st, struct errbuf *e);

/* The notify_conf an owners file gives (its <smtp> element); the strings
 * are borrowed from o, which must outlive c.  o may be NULL. */
void drift_notify_conf(const struct owners *o, struct notify_conf *c);

#endif

/*
 * drift_notify.c - each party hears about the drift of the controls it owns,
 * through the delivery queue (see drift_notify.h).
 */
#include <stdlib.h>
#include <string.h>

#include "drift_notify.h"
#include "store_deliver.h"

static const char *
jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* Queues one message for every destination of one channel. */
static int
enqueue_channel(struct store *s, const char *channel, char *const *targets,
		size_t ntargets, const char *key, int64_t seq,
		const char *payload, struct drift_notify_stats *st,
		struct errbuf *e)
{
	size_t i;
	int added, r;

	for (i = 0; i < ntargets; i++) {
		if ((r = store_deliver_enqueue(s, channel, targets[i], key, seq,
					       payload, &added, e)) != 0)
			return r;
		st->queued += added != 0;
	}
	return PLUMB_OK;
}

int
drift_notify_enqueue(struct store *s, const struct owners *o,
		     const json_t *doc, time_t now,
		     struct drift_notify_stats *st, struct errbuf *e)
{
	const json_t *scan = json_object_get(doc, "scan");
	const json_t *events = json_object_get(json_object_get(doc, "drift"),
					       "events");
	const char *scan_id = jstr(scan, "id");
	int64_t seq = json_integer_value(json_object_get(scan, "seq"));
	json_t **mine = NULL, *ev, *msg;
	char *payload = NULL, *key = NULL;
	size_t i, k;
	int r = PLUMB_OK;

	if (*scan_id == '\0' || seq <= 0)
		return err_set(e, PLUMB_EUSAGE, "notify: the scan is not "
			       "stored yet");
	if (o == NULL || o->nparties == 0)
		return PLUMB_OK;
	mine = xcalloc(o->nparties, sizeof(*mine));
	json_array_foreach(events, i, ev) {
		const struct owners_party *p = owners_route(o, ev, now);

		if (p == NULL) {
			st->unrouted++;
			continue;
		}
		k = (size_t)(p - o->parties);
		if (mine[k] == NULL)
			mine[k] = json_array();
		json_array_append(mine[k], ev);
	}
	for (k = 0; k < o->nparties; k++) {
		const struct owners_party *p = &o->parties[k];

		if (mine[k] == NULL)
			continue;
		msg = notify_message(doc, p->id, mine[k]);
		payload = json_dumps(msg, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(msg);
		if (payload == NULL) {
			r = err_set(e, PLUMB_EINVAL, "notify: the message for "
				    "%s cannot be written as JSON", p->id);
			goto out;
		}
		free(key);
		key = xasprintf("%s/%s/webhook", scan_id, p->id);
		if ((r = enqueue_channel(s, "webhook", p->webhooks,
					 p->nwebhooks, key, seq, payload, st,
					 e)) != 0)
			goto out;
		if (o->smtp_url != NULL) {
			free(key);
			key = xasprintf("%s/%s/smtp", scan_id, p->id);
			if ((r = enqueue_channel(s, "smtp", p->emails,
						 p->nemails, key, seq, payload,
						 st, e)) != 0)
				goto out;
		}
		free(payload);
		payload = NULL;
	}
out:
	for (k = 0; k < o->nparties; k++)
		json_decref(mine[k]);
	free(mine);
	free(payload);
	free(key);
	return r;
}

/* Sends one claimed delivery; 0 or the failure in e. */
static int
send_one(const struct notify_conf *c, const struct store_delivery *d,
	 struct errbuf *e)
{
	json_error_t jerr;
	json_t *msg;
	int r;

	if (strcmp(d->channel, "webhook") == 0)
		return notify_webhook(c, d->target, d->payload, d->key, e);
	if (c->smtp_url == NULL || c->mail_from == NULL)
		return err_set(e, PLUMB_EUSAGE, "no SMTP server configured "
			       "(the owners file's <smtp> element)");
	msg = json_loads(d->payload, 0, &jerr);
	if (msg == NULL)
		return err_set(e, PLUMB_EPARSE, "queued message %s is not "
			       "JSON: %s", d->key, jerr.text);
	r = notify_mail(c, d->target, msg, d->key, e);
	json_decref(msg);
	return r;
}

static int
flush_channel(struct store *s, const struct notify_conf *c,
	      const char *channel, drift_notify_warn_fn *warn, void *arg,
	      struct drift_notify_stats *st, struct errbuf *e)
{
	struct store_delivery *d = NULL;
	struct errbuf why;
	unsigned char *dead = NULL;
	size_t n = 0, i, j;
	int claimed, r;

	if ((r = store_deliver_pending(s, channel, PLUMB_DELIVERY_BATCH_MAX,
				       &d, &n, e)) != 0)
		return r;
	dead = xcalloc(n ? n : 1, 1);
	for (i = 0; i < n; i++) {
		/* A receiver that failed once in this run is not tried again
		 * until the next run: a dead host would otherwise cost a
		 * timeout per queued message.  The rest stay queued. */
		for (j = 0; j < i; j++)
			if (dead[j] && strcmp(d[j].target, d[i].target) == 0)
				break;
		if (j < i) {
			st->deferred++;
			continue;
		}
		if ((r = store_deliver_claim(s, &d[i], &claimed, e)) != 0)
			goto out;
		if (!claimed)
			continue;
		why.msg[0] = '\0';
		if (send_one(c, &d[i], &why) == 0) {
			if ((r = store_deliver_sent(s, d[i].id, e)) != 0)
				goto out;
			st->sent++;
			continue;
		}
		st->failed++;
		if (warn != NULL)
			warn(channel, d[i].target, why.msg, arg);
		if ((r = store_deliver_failed(s, d[i].id, why.msg, e)) != 0)
			goto out;
		dead[i] = 1;
	}
out:
	free(dead);
	store_deliveries_free(d, n);
	return r;
}

int
drift_notify_flush(struct store *s, const struct notify_conf *c,
		   drift_notify_warn_fn *warn, void *arg,
		   struct drift_notify_stats *st, struct errbuf *e)
{
	int r;

	if ((r = flush_channel(s, c, "webhook", warn, arg, st, e)) != 0)
		return r;
	return flush_channel(s, c, "smtp", warn, arg, st, e);
}

void
drift_notify_conf(const struct owners *o, struct notify_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->timeout_s = 30;
	if (o == NULL)
		return;
	c->smtp_url = o->smtp_url;
	c->mail_from = o->smtp_from;
	c->smtp_tls_required = o->smtp_starttls_required;
}

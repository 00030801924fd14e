/*
 * notify.h - telling the owning party about drift: a JSON webhook POST
 * (with a Slack/Teams-compatible "text" field) and mail over SMTP, both
 * through libcurl.  Only notify.c, push and the identity-provider clients
 * include curl.h.
 */
#ifndef PLUMB_NOTIFY_H
#define PLUMB_NOTIFY_H

#include <jansson.h>

#include "util.h"

struct notify_conf {
	const char *smtp_url;	/* smtp://host:port or smtps://...; NULL: no mail */
	const char *mail_from;
	int smtp_tls_required;	/* refuse to send without STARTTLS */
	const char *ca_file;	/* extra CA bundle for HTTPS/SMTPS, or NULL */
	long timeout_s;		/* per request */
};

/*
 * Builds the message for one party: a plumb.notify/1 JSON document
 * {schema, text, party, host, scan, events} whose "text" is a readable
 * summary (what Slack and Teams webhooks display).  New reference.
 */
json_t *notify_message(const json_t *doc, const char *party, json_t *events);

/* POSTs body (JSON) to url; success only on a 2xx answer.  idem is sent as
 * the Idempotency-Key header so a receiver can drop a repeat. */
int notify_webhook(const struct notify_conf *c, const char *url,
		   const char *body, const char *idem, struct errbuf *e);

/* Mails the message's text to one address. */
int notify_mail(const struct notify_conf *c, const char *to,
		const json_t *msg, const char *idem, struct errbuf *e);

#endif

/*
 * notify.c - webhook and SMTP delivery of drift events (see notify.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "plumb_limits.h"
#include "notify.h"

static const char *
jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

json_t *
notify_message(const json_t *doc, const char *party, json_t *events)
{
	const json_t *scan = json_object_get(doc, "scan");
	const json_t *host = json_object_get(scan, "host");
	const json_t *bl = json_object_get(scan, "baseline");
	const json_t *ev;
	struct dynbuf b;
	json_t *msg;
	char *text;
	size_t i;

	dynbuf_init(&b, PLUMB_NOTIFY_TEXT_MAX);
	(void)dynbuf_printf(&b, "plumb: %zu drift event%s for %s on %s "
			    "(baseline %s %s)\n", json_array_size(events),
			    json_array_size(events) == 1 ? "" : "s", party,
			    jstr(host, "hostname"), jstr(bl, "id"),
			    jstr(bl, "version"));
	json_array_foreach(events, i, ev) {
		const json_t *from = json_object_get(ev, "from");
		const json_t *to = json_object_get(ev, "to");

		if (dynbuf_printf(&b, "- %s %s: %s -> %s (%s)%s\n",
				  jstr(ev, "kind"), jstr(ev, "control"),
				  json_is_string(from) ? json_string_value(from) : "-",
				  json_is_string(to) ? json_string_value(to) : "-",
				  jstr(ev, "title"),
				  json_is_true(json_object_get(ev, "baseline_changed")) ?
				  " [baseline changed]" : "") != 0) {
			(void)dynbuf_addstr(&b, "- ... (more in the events list)\n");
			break;
		}
	}
	text = dynbuf_take(&b, NULL);
	msg = json_pack("{s:s, s:s, s:s, s:O?, s:{s:O?, s:s, s:s, s:O?}, s:O}",
			"schema", "plumb.notify/1", "text", text ? text : "",
			"party", party, "host", host, "scan", "seq",
			json_object_get(scan, "seq"), "id", jstr(scan, "id"),
			"started", jstr(scan, "started"), "baseline", bl,
			"events", events);
	free(text);
	return msg;
}

static void
curl_common(CURL *h, const struct notify_conf *c, char *errbuf)
{
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout_s > 0 ? c->timeout_s : 30L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,smtp,smtps");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	if (c->ca_file != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
}

/* Discards a response body, keeping at most a little for the error text. */
static size_t
sink(char *p, size_t size, size_t n, void *arg)
{
	struct dynbuf *b = arg;

	(void)dynbuf_add(b, p, size * n < 200 && b->len < 200 ? size * n : 0);
	return size * n;
}

int
notify_webhook(const struct notify_conf *c, const char *url, const char *body,
	       const char *idem, struct errbuf *e)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdr = NULL;
	struct dynbuf resp;
	char *idh;
	long code = 0;
	CURL *h;
	CURLcode rc;
	int r = PLUMB_OK;

	h = curl_easy_init();
	if (h == NULL)
		return err_set(e, PLUMB_ENET, "cannot start libcurl");
	dynbuf_init(&resp, 256);
	idh = xasprintf("Idempotency-Key: %s", idem);
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	hdr = curl_slist_append(hdr, idh);
	curl_common(h, c, errbuf);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(h, CURLOPT_USERAGENT, "plumb/" PLUMB_VERSION);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		r = err_set(e, PLUMB_ENET, "webhook: %s",
			    errbuf[0] ? errbuf : curl_easy_strerror(rc));
	} else {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		if (code < 200 || code > 299)
			r = err_set(e, PLUMB_ENET, "webhook answered HTTP %ld",
				    code);
	}
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	dynbuf_release(&resp);
	free(idh);
	return r;
}

/* A header value from host-derived text: printable ASCII only, so no line
 * break can start a header of its own. */
static void
header_text(struct dynbuf *b, const char *s)
{
	for (; *s; s++)
		(void)dynbuf_add(b, (unsigned char)*s >= 0x20 &&
				 (unsigned char)*s < 0x7f ? s : "?", 1);
}

struct upload {
	const char *p;
	size_t left;
};

static size_t
read_upload(char *dst, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t k = size * n < u->left ? size * n : u->left;

	memcpy(dst, u->p, k);
	u->p += k;
	u->left -= k;
	return k;
}

int
notify_mail(const struct notify_conf *c, const char *to, const json_t *msg,
	    const char *idem, struct errbuf *e)
{
	char errbuf[CURL_ERROR_SIZE] = "", date[64];
	struct curl_slist *rcpt = NULL;
	struct dynbuf m;
	struct upload up;
	const char *text = jstr(msg, "text"), *line;
	time_t now = time(NULL);
	struct tm tm;
	CURL *h;
	CURLcode rc;
	int r = PLUMB_OK;

	if (c->smtp_url == NULL || c->mail_from == NULL)
		return err_set(e, PLUMB_EUSAGE, "mail: no SMTP server or sender "
			       "configured");
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	dynbuf_init(&m, PLUMB_NOTIFY_TEXT_MAX + 4096);
	(void)dynbuf_printf(&m, "Date: %s\r\nFrom: ", date);
	header_text(&m, c->mail_from);
	(void)dynbuf_addstr(&m, "\r\nTo: ");
	header_text(&m, to);
	(void)dynbuf_addstr(&m, "\r\nSubject: ");
	line = strchr(text, '\n');
	{
		char *first = xstrndup(text, line ? (size_t)(line - text) : strlen(text));

		header_text(&m, first);
		free(first);
	}
	(void)dynbuf_addstr(&m, "\r\nMessage-ID: <");
	header_text(&m, idem);
	(void)dynbuf_addstr(&m, "@plumb>\r\nMIME-Version: 1.0\r\n"
			    "Content-Type: text/plain; charset=utf-8\r\n"
			    "Content-Transfer-Encoding: 8bit\r\n\r\n");
	/* Body lines end in CRLF; a line starting with '.' is SMTP-safe as
	 * libcurl dot-stuffs the upload. */
	for (line = text; *line;) {
		size_t len = strcspn(line, "\r\n");

		(void)dynbuf_add(&m, line, len);
		(void)dynbuf_addstr(&m, "\r\n");
		line += len;
		if (*line == '\r')
			line++;
		if (*line == '\n')
			line++;
	}

	h = curl_easy_init();
	if (h == NULL) {
		dynbuf_release(&m);
		return err_set(e, PLUMB_ENET, "cannot start libcurl");
	}
	up.p = m.data;
	up.left = m.len;
	rcpt = curl_slist_append(rcpt, to);
	curl_common(h, c, errbuf);
	curl_easy_setopt(h, CURLOPT_URL, c->smtp_url);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, c->mail_from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_USE_SSL, c->smtp_tls_required ?
			 (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload);
	curl_easy_setopt(h, CURLOPT_READDATA, &up);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK)
		r = err_set(e, PLUMB_ENET, "mail to %s: %s", to,
			    errbuf[0] ? errbuf : curl_easy_strerror(rc));
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	dynbuf_release(&m);
	return r;
}

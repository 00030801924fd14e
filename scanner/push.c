/*
 * push.c - pushing recorded scans to a collector (see push.h).
 *
 * The queue is the history's deliveries table, so a scan is queued in the
 * same database it is recorded in and survives any crash between runs.
 * Each try is claimed in the queue before the network is touched, so two
 * plumb processes never send the same scan at once and a process killed
 * mid-send leaves the scan queued; the collector still drops a repeat by its
 * Idempotency-Key should the answer have been lost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "push.h"
#include "store_deliver.h"

#define PUSH_CHANNEL "push"

/* Longest pause between tries; a run is bounded by attempts * this. */
#define PUSH_BACKOFF_MAX_MS 30000L

/* Bytes of a collector's answer kept for the error message. */
#define PUSH_ANSWER_KEEP 200

struct push_answer {
	char text[PUSH_ANSWER_KEEP + 1];
	size_t len;
};

/* Keeps the start of the answer and drops the rest (never grows). */
static size_t
push_sink(char *p, size_t size, size_t n, void *arg)
{
	struct push_answer *a = arg;
	size_t got = size * n, room = PUSH_ANSWER_KEEP - a->len;

	if (room > got)
		room = got;
	memcpy(a->text + a->len, p, room);
	a->len += room;
	a->text[a->len] = '\0';
	return got;
}

/* The first line of an answer, made printable, for a message. */
static void
push_answer_line(struct push_answer *a)
{
	size_t i;

	a->text[strcspn(a->text, "\r\n")] = '\0';
	for (i = 0; a->text[i] != '\0'; i++)
		if ((unsigned char)a->text[i] < 0x20 ||
		    (unsigned char)a->text[i] >= 0x7f)
			a->text[i] = '?';
}

int
push_post(const struct push_conf *c, const char *body, const char *idem,
	  int *retry, struct errbuf *e)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct push_answer ans = { "", 0 };
	struct curl_slist *hdr = NULL;
	char *idh = xasprintf("Idempotency-Key: %s", idem);
	long code = 0;
	CURL *h;
	CURLcode rc;
	int r;

	*retry = PUSH_FINAL;
	if ((h = curl_easy_init()) == NULL) {
		r = err_set(e, PLUMB_ENET, "cannot start libcurl");
		goto out;
	}
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	hdr = curl_slist_append(hdr, idh);
	/* No "Expect: 100-continue" round trip for a document of a few KiB. */
	hdr = curl_slist_append(hdr, "Expect:");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout_s);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->connect_timeout_s);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_file != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	if (c->client_cert != NULL) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, c->client_cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, c->client_key);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
			 (curl_off_t)strlen(body));
	curl_easy_setopt(h, CURLOPT_USERAGENT, "plumb/" PLUMB_VERSION);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, push_sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &ans);
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		/* A certificate the collector or we got wrong will not fix
		 * itself within this run; anything else may. */
		if (rc != CURLE_PEER_FAILED_VERIFICATION &&
		    rc != CURLE_SSL_CERTPROBLEM &&
		    rc != CURLE_SSL_CACERT_BADFILE &&
		    rc != CURLE_UNSUPPORTED_PROTOCOL &&
		    rc != CURLE_URL_MALFORMAT)
			*retry = PUSH_RETRY_NOANSWER;
		r = err_set(e, PLUMB_ENET, "%s: %s", c->url,
			    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code <= 299) {
		r = PLUMB_OK;
		goto out;
	}
	if (code == 408 || code == 429 || code >= 500)
		*retry = PUSH_RETRY_ANSWERED;
	push_answer_line(&ans);
	r = err_set(e, PLUMB_ENET, "%s: HTTP %ld%s%s", c->url, code,
		    ans.text[0] != '\0' ? ": " : "", ans.text);
out:
	curl_slist_free_all(hdr);
	if (h != NULL)
		curl_easy_cleanup(h);
	free(idh);
	return r;
}

/* True when scan seq already has a push delivery to url (sent or not). */
static int
push_is_queued(struct store *s, int64_t seq, const char *url, int *queued,
	       struct errbuf *e)
{
	struct store_delivery *d = NULL;
	size_t n = 0, i;
	int r;

	*queued = 0;
	if ((r = store_deliver_for_scan(s, seq, &d, &n, e)) != PLUMB_OK)
		return r;
	for (i = 0; i < n; i++)
		if (strcmp(d[i].channel, PUSH_CHANNEL) == 0 &&
		    strcmp(d[i].target, url) == 0)
			*queued = 1;
	store_deliveries_free(d, n);
	return PLUMB_OK;
}

/* Queues, for url, every scan of the history that is not queued yet. */
static int
push_enqueue(struct store *s, const char *url, size_t *queued,
	     struct errbuf *e)
{
	json_t *scans = NULL, *row, *doc = NULL;
	char *text = NULL, ref[32];
	size_t i;
	int r, have, added;

	if ((r = store_list_scans(s, NULL, &scans, e)) != PLUMB_OK)
		goto out;
	json_array_foreach(scans, i, row) {
		json_int_t seq = json_integer_value(json_object_get(row, "seq"));
		const char *id = json_string_value(json_object_get(row, "id"));

		if ((r = push_is_queued(s, seq, url, &have, e)) != PLUMB_OK)
			goto out;
		if (have || id == NULL)
			continue;
		snprintf(ref, sizeof(ref), "%lld", (long long)seq);
		if ((r = store_get_scan(s, ref, &doc, e)) != PLUMB_OK)
			goto out;
		text = store_canonical(doc);
		if ((r = store_deliver_enqueue(s, PUSH_CHANNEL, url, id, seq,
					       text, &added, e)) != PLUMB_OK)
			goto out;
		*queued += (size_t)added;
		free(text);
		text = NULL;
		json_decref(doc);
		doc = NULL;
	}
out:
	free(text);
	json_decref(doc);
	json_decref(scans);
	return r;
}

static void
push_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

/*
 * Tries one queued scan up to c->attempts times.  *delivered says whether
 * it went through; *unreachable that every try failed without an answer.
 */
static int
push_one(struct store *s, const struct push_conf *c, struct store_delivery *d,
	 push_warn_fn *warn, void *arg, int *delivered, int *unreachable,
	 struct errbuf *e)
{
	struct errbuf why = { "" };
	long pause = c->backoff_ms, t;
	int claimed, retry = PUSH_FINAL, r;

	*delivered = 0;
	*unreachable = 0;
	for (t = 0; t < c->attempts; t++) {
		if (t > 0) {
			push_sleep_ms(pause);
			pause = pause * 2 > PUSH_BACKOFF_MAX_MS ?
				PUSH_BACKOFF_MAX_MS : pause * 2;
		}
		if ((r = store_deliver_claim(s, d, &claimed, e)) != PLUMB_OK)
			return r;
		if (!claimed)
			return PLUMB_OK;	/* another plumb has it */
		if (push_post(c, d->payload, d->key, &retry, &why) ==
		    PLUMB_OK) {
			*delivered = 1;
			return store_deliver_sent(s, d->id, e);
		}
		if (warn != NULL)
			warn(d->key, why.msg, arg);
		if ((r = store_deliver_failed(s, d->id, why.msg, e)) !=
		    PLUMB_OK)
			return r;
		if (retry == PUSH_FINAL)
			return PLUMB_OK;
	}
	*unreachable = retry == PUSH_RETRY_NOANSWER;
	return PLUMB_OK;
}

int
push_run(struct store *s, const struct push_conf *c, push_warn_fn *warn,
	 void *arg, struct push_stats *st, struct errbuf *e)
{
	struct store_delivery *d = NULL;
	size_t n = 0, i;
	int r, delivered, unreachable, stop = 0;

	st->queued = st->sent = st->left = 0;
	if ((r = push_enqueue(s, c->url, &st->queued, e)) != PLUMB_OK)
		return r;
	if ((r = store_deliver_pending(s, PUSH_CHANNEL,
				       PLUMB_DELIVERY_BATCH_MAX, &d, &n,
				       e)) != PLUMB_OK)
		return r;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		r = err_set(e, PLUMB_ENET, "cannot start libcurl");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(d[i].target, c->url) != 0)
			continue;
		if (stop) {
			st->left++;
			continue;
		}
		if ((r = push_one(s, c, &d[i], warn, arg, &delivered,
				  &unreachable, e)) != PLUMB_OK)
			break;
		if (delivered)
			st->sent++;
		else
			st->left++;
		stop = unreachable;
	}
	curl_global_cleanup();
out:
	store_deliveries_free(d, n);
	return r;
}

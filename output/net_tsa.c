/*
 * net_tsa.c - one RFC 3161 request to a time-stamp authority (net_tsa.h),
 * with libcurl: bounded in time and size, HTTP(S) only, no redirects (a TSA
 * answers where it is asked, and a redirect could lead anywhere).
 */
#include <string.h>

#include <curl/curl.h>

#include "net_tsa.h"

static size_t
tsa_collect(char *p, size_t size, size_t n, void *arg)
{
	struct dynbuf *b = arg;

	if (dynbuf_add(b, p, size * n) != PLUMB_OK)
		return 0;	/* past PLUMB_TSR_MAX: curl stops with an error */
	return size * n;
}

int
net_tsa_post(const char *url, const unsigned char *req, size_t req_len,
	     unsigned char **resp, size_t *resp_len, struct errbuf *e)
{
	struct curl_slist *h = NULL;
	struct dynbuf b;
	CURL *c;
	CURLcode cc;
	long status = 0;
	int r = PLUMB_ENET;

	*resp = NULL;
	*resp_len = 0;
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return err_set(e, PLUMB_EUSAGE, "%s: a time-stamp authority is "
			       "an http:// or https:// URL", url);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return err_set(e, PLUMB_ENET, "libcurl failed to start");
	dynbuf_init(&b, PLUMB_TSR_MAX);
	if ((c = curl_easy_init()) == NULL) {
		err_set(e, PLUMB_ENET, "libcurl failed to start");
		goto out;
	}
	h = curl_slist_append(h, "Content-Type: application/timestamp-query");
	h = curl_slist_append(h, "Accept: application/timestamp-reply");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, req);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)req_len);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)PLUMB_TSA_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, tsa_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "plumb/" PLUMB_VERSION);
	if ((cc = curl_easy_perform(c)) != CURLE_OK) {
		err_set(e, PLUMB_ENET, "%s: %s%s", url, curl_easy_strerror(cc),
			cc == CURLE_WRITE_ERROR ? " (reply too large)" : "");
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		err_set(e, PLUMB_ENET, "%s: HTTP status %ld", url, status);
		goto out;
	}
	*resp = (unsigned char *)dynbuf_take(&b, resp_len);
	r = PLUMB_OK;
out:
	dynbuf_release(&b);
	curl_slist_free_all(h);
	if (c != NULL)
		curl_easy_cleanup(c);
	curl_global_cleanup();
	return r;
}

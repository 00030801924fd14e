/*
 * idp.c - the HTTPS client the identity-provider probes share (see idp.h):
 * credentials by reference, OAuth2 tokens with one refresh on 401, 429
 * waits within a budget, capped answers, next-page links kept on the
 * configured origin, JWT (RS256) and Duo request signing, and the helpers
 * that build the per-user facts.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "idp.h"
#include "plumb_limits.h"

struct idp_client {
	struct idp_conf conf;		/* strings borrowed from the caller */
	enum idp_auth auth;
	idp_token_fn fetch_token;
	json_t *cred;			/* the credentials: secret */
	char *token;			/* the current access token: secret */
	CURL *h;
	long requests;
	long waited_s;			/* spent waiting on 429 answers */
	long last_status;		/* of the last answer */
	time_t started;			/* for PLUMB_IDP_COLLECT_MAX_S */
};

/* ---- secrets ------------------------------------------------------ */

/* Overwrites a string jansson holds before it is freed. */
static void
idp_wipe_json(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_string(j)) {
		explicit_bzero((char *)json_string_value(j), json_string_length(j));
	} else if (json_is_object(j)) {
		json_object_foreach(j, k, v)
			idp_wipe_json(v);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			idp_wipe_json(v);
	}
}

/* Replaces every occurrence of secret in msg with "[redacted]". */
static void
idp_scrub_one(char *msg, size_t cap, const char *secret)
{
	struct dynbuf b;
	const char *p = msg, *q;
	size_t n = strlen(secret);
	char *s;

	if (n < 6 || strstr(msg, secret) == NULL)
		return;
	dynbuf_init(&b, cap);
	while ((q = strstr(p, secret)) != NULL) {
		(void)dynbuf_add(&b, p, (size_t)(q - p));
		(void)dynbuf_addstr(&b, "[redacted]");
		p = q + n;
	}
	(void)dynbuf_addstr(&b, p);
	s = dynbuf_take(&b, NULL);
	snprintf(msg, cap, "%s", s ? s : "[redacted]");
	free(s);
}

/* Scrubs every credential value and the token from an error message, so a
 * provider that echoes what it was sent cannot leak a secret into a report. */
static void
idp_scrub(const struct idp_client *c, struct errbuf *e)
{
	const char *k;
	json_t *v;

	if (e == NULL || c == NULL)
		return;
	json_object_foreach(c->cred, k, v)
		if (json_is_string(v))
			idp_scrub_one(e->msg, sizeof(e->msg), json_string_value(v));
	if (c->token != NULL)
		idp_scrub_one(e->msg, sizeof(e->msg), c->token);
}

/* Reads the credentials file, refusing one others could read or change. */
static int
idp_cred_file(const char *path, char **out, struct errbuf *e)
{
	struct dynbuf b;
	struct stat st;
	char buf[4096];
	ssize_t n;
	int fd, r = PLUMB_OK;

	*out = NULL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno == ENOENT ? PLUMB_ENOENT : PLUMB_EIO,
			       "credentials file %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, PLUMB_EIO, "credentials file %s is not a "
			       "regular file", path);
	}
	if ((st.st_mode & 077) != 0 || (st.st_uid != geteuid() && st.st_uid != 0)) {
		close(fd);
		return err_set(e, PLUMB_EPERM, "credentials file %s may be read "
			       "or changed by others (mode %04o, owner %ld): it "
			       "must be mode 0600 and owned by the scanning user",
			       path, (unsigned)(st.st_mode & 07777),
			       (long)st.st_uid);
	}
	dynbuf_init(&b, PLUMB_IDP_CRED_MAX);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = err_set(e, PLUMB_EIO, "credentials file %s: %s", path,
				    strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (dynbuf_add(&b, buf, (size_t)n) != 0) {
			r = err_set(e, PLUMB_ELIMIT, "credentials file %s is "
				    "larger than %u bytes", path,
				    PLUMB_IDP_CRED_MAX);
			break;
		}
	}
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	if (r == PLUMB_OK)
		*out = dynbuf_take(&b, NULL);
	if (b.data != NULL)
		explicit_bzero(b.data, b.len);
	dynbuf_release(&b);
	return r;
}

static int
idp_cred_load(const struct idp_conf *conf, json_t **out, struct errbuf *e)
{
	const char *where;
	json_error_t je;
	char *text = NULL;
	const char *src;
	json_t *j;
	int r;

	*out = NULL;
	if (conf->credentials_file != NULL) {
		where = conf->credentials_file;
		if ((r = idp_cred_file(where, &text, e)) != PLUMB_OK)
			return r;
		src = text;
	} else if (conf->credentials_env != NULL) {
		where = conf->credentials_env;
		src = getenv(where);
		if (src == NULL || *src == '\0')
			return err_set(e, PLUMB_ENOENT, "environment variable "
				       "%s (credentials) is not set", where);
		if (strlen(src) > PLUMB_IDP_CRED_MAX)
			return err_set(e, PLUMB_ELIMIT, "environment variable "
				       "%s is longer than %u bytes", where,
				       PLUMB_IDP_CRED_MAX);
	} else {
		return err_set(e, PLUMB_EUSAGE, "no credentials_file or "
			       "credentials_env given");
	}
	j = json_loads(src, JSON_REJECT_DUPLICATES, &je);
	if (text != NULL) {
		explicit_bzero(text, strlen(text));
		free(text);
	}
	/* jansson's error text quotes the input near the error: only the
	 * position is reported, the text may be a secret. */
	if (j == NULL || !json_is_object(j)) {
		if (j != NULL) {
			idp_wipe_json(j);
			json_decref(j);
		}
		return err_set(e, PLUMB_EPARSE, "credentials in %s are not a "
			       "JSON object (line %d column %d)", where,
			       je.line, je.column);
	}
	*out = j;
	return PLUMB_OK;
}

/* ---- the client ---------------------------------------------------- */

int
idp_client_new(const struct idp_conf *conf, enum idp_auth auth,
	       idp_token_fn fetch_token, struct idp_client **out,
	       struct errbuf *e)
{
	struct idp_client *c;
	json_t *cred = NULL;
	int r;

	*out = NULL;
	if ((r = idp_cred_load(conf, &cred, e)) != PLUMB_OK)
		return r;
	c = xcalloc(1, sizeof(*c));
	c->conf = *conf;
	if (c->conf.timeout_s <= 0)
		c->conf.timeout_s = PLUMB_IDP_TIMEOUT_S;
	if (c->conf.retry_budget_s < 0)
		c->conf.retry_budget_s = PLUMB_IDP_RETRY_BUDGET_S;
	c->auth = auth;
	c->fetch_token = fetch_token;
	c->cred = cred;
	c->started = time(NULL);
	c->h = curl_easy_init();
	if (c->h == NULL) {
		idp_client_free(c);
		return err_set(e, PLUMB_ENET, "libcurl could not start");
	}
	*out = c;
	return PLUMB_OK;
}

void
idp_client_free(struct idp_client *c)
{
	if (c == NULL)
		return;
	idp_wipe_json(c->cred);
	json_decref(c->cred);
	if (c->token != NULL) {
		explicit_bzero(c->token, strlen(c->token));
		free(c->token);
	}
	if (c->h != NULL)
		curl_easy_cleanup(c->h);
	free(c);
}

const char *
idp_cred(const struct idp_client *c, const char *k)
{
	return json_string_value(json_object_get(c->cred, k));
}

const struct idp_conf *
idp_client_conf(const struct idp_client *c)
{
	return &c->conf;
}

long
idp_last_status(const struct idp_client *c)
{
	return c->last_status;
}

void
idp_client_set_token(struct idp_client *c, const char *token)
{
	if (c->token != NULL) {
		explicit_bzero(c->token, strlen(c->token));
		free(c->token);
	}
	c->token = token ? xstrdup(token) : NULL;
}

/* What one exchange brought back. */
struct idp_resp {
	long status;
	struct dynbuf body;
	struct dynbuf link;		/* every Link header, joined by ", " */
	char retry_after[64];
	char rate_reset[32];		/* Okta's X-Rate-Limit-Reset */
	int too_big;
};

static void
idp_resp_release(struct idp_resp *r)
{
	dynbuf_release(&r->body);
	dynbuf_release(&r->link);
}

static size_t
idp_write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct idp_resp *r = arg;

	if (dynbuf_add(&r->body, p, size * n) != 0) {
		r->too_big = 1;
		return 0;
	}
	return size * n;
}

/* Copies the value of header line "name: value" into out when it is name. */
static int
idp_header_value(const char *line, size_t n, const char *name, char *out,
		 size_t cap)
{
	size_t k = strlen(name), len;
	const char *v;

	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return 0;
	v = line + k + 1;
	len = n - k - 1;
	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
			   v[len - 1] == ' '))
		len--;
	if (out != NULL)
		snprintf(out, cap, "%.*s", (int)len, v);
	return 1;
}

static size_t
idp_header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct idp_resp *r = arg;
	size_t len = size * n;
	char v[PLUMB_IDP_HEADER_MAX];

	/* A new status line starts the headers of a new answer (after a
	 * 100 Continue): what was kept belongs to the old one. */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		r->body.len = 0;
		r->link.len = 0;
		if (r->link.data != NULL)
			r->link.data[0] = '\0';
		r->retry_after[0] = r->rate_reset[0] = '\0';
		return len;
	}
	idp_header_value(p, len, "Retry-After", r->retry_after,
			 sizeof(r->retry_after));
	idp_header_value(p, len, "X-Rate-Limit-Reset", r->rate_reset,
			 sizeof(r->rate_reset));
	if (idp_header_value(p, len, "Link", v, sizeof(v))) {
		if (r->link.len > 0)
			(void)dynbuf_addstr(&r->link, ", ");
		(void)dynbuf_addstr(&r->link, v);
	}
	return len;
}

/* Splits an https URL into host (authority, lower-cased), path and query.
 * Returns 0 or -1 when it is not https://host/... */
static int
idp_url_split(const char *url, char **host, char **path, char **query)
{
	const char *a, *p, *q;
	char *h;
	size_t i;

	*host = *path = *query = NULL;
	if (strncasecmp(url, "https://", 8) != 0)
		return -1;
	a = url + 8;
	p = a + strcspn(a, "/?#");
	if (p == a || memchr(a, '@', (size_t)(p - a)) != NULL)
		return -1;
	h = xstrndup(a, (size_t)(p - a));
	for (i = 0; h[i]; i++)
		if (h[i] >= 'A' && h[i] <= 'Z')
			h[i] = (char)(h[i] - 'A' + 'a');
	q = strchr(p, '?');
	if (q != NULL) {
		*path = xstrndup(p, (size_t)(q - p));
		*query = xstrndup(q + 1, strcspn(q + 1, "#"));
	} else {
		*path = xstrndup(p, strcspn(p, "#"));
		*query = xstrdup("");
	}
	if (**path == '\0') {
		free(*path);
		*path = xstrdup("/");
	}
	*host = h;
	return 0;
}

int
idp_same_origin(const char *base, const char *url)
{
	char *bh, *bp, *bq, *uh, *up, *uq;
	int same;

	if (base == NULL || url == NULL)
		return 0;
	if (idp_url_split(base, &bh, &bp, &bq) != 0)
		return 0;
	if (idp_url_split(url, &uh, &up, &uq) != 0) {
		free(bh);
		free(bp);
		free(bq);
		return 0;
	}
	same = strcmp(bh, uh) == 0;
	free(bh);
	free(bp);
	free(bq);
	free(uh);
	free(up);
	free(uq);
	return same;
}

static const char *const idp_days[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
};
static const char *const idp_months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec",
};

/* RFC 2822 date as Duo's client writes it (email.utils.formatdate),
 * independent of the locale. */
static void
idp_rfc2822(time_t t, char out[64])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 64, "%s, %02d %s %04d %02d:%02d:%02d -0000",
		 idp_days[tm.tm_wday % 7], tm.tm_mday, idp_months[tm.tm_mon % 12],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Pulls the provider's own words out of an error answer. */
static void
idp_error_text(const struct idp_resp *r, char *out, size_t cap)
{
	const json_t *err, *m = NULL;
	json_t *j;

	out[0] = '\0';
	j = r->body.data ? json_loadb(r->body.data, r->body.len, 0, NULL) : NULL;
	if (j != NULL) {
		err = json_object_get(j, "error");
		if (json_is_object(err))	/* Graph, Google */
			m = json_object_get(err, "message");
		if (m == NULL)			/* OAuth token endpoints */
			m = json_object_get(j, "error_description");
		if (m == NULL && json_is_string(err))
			m = err;
		if (m == NULL)			/* Okta */
			m = json_object_get(j, "errorSummary");
		if (m == NULL)			/* Duo */
			m = json_object_get(j, "message");
		if (json_is_string(m))
			snprintf(out, cap, "%.*s", PLUMB_EVIDENCE_TEXT_MAX,
				 json_string_value(m));
		json_decref(j);
	}
	if (out[0] == '\0')
		snprintf(out, cap, "no reason given");
}

/* One exchange: GET (body NULL) or form POST; authorized when auth. */
static int
idp_exchange(struct idp_client *c, const char *url, const char *body,
	     int auth, struct idp_resp *r, struct errbuf *e)
{
	struct curl_slist *hdr = NULL;
	char cerr[CURL_ERROR_SIZE] = "";
	char *host = NULL, *path = NULL, *query = NULL, *a = NULL;
	CURLcode cc;
	int ret = PLUMB_OK;

	memset(r, 0, sizeof(*r));
	dynbuf_init(&r->body, PLUMB_IDP_RESPONSE_MAX);
	dynbuf_init(&r->link, PLUMB_IDP_HEADER_MAX);
	c->last_status = 0;
	if (++c->requests > PLUMB_IDP_REQUESTS_MAX)
		return err_set(e, PLUMB_ELIMIT, "more than %d requests to %s",
			       PLUMB_IDP_REQUESTS_MAX, c->conf.provider);
	if (time(NULL) - c->started > PLUMB_IDP_COLLECT_MAX_S)
		return err_set(e, PLUMB_ELIMIT, "reading %s took more than %d "
			       "seconds; stopped", c->conf.provider,
			       PLUMB_IDP_COLLECT_MAX_S);
	if (idp_url_split(url, &host, &path, &query) != 0) {
		ret = err_set(e, PLUMB_EUSAGE, "not an https URL: %.200s", url);
		goto out;
	}
	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (auth && c->auth == IDP_AUTH_DUO) {
		char date[64], *sig, *h;

		idp_rfc2822(time(NULL), date);
		sig = idp_duo_sign(idp_cred(c, "ikey"), idp_cred(c, "skey"),
				   date, body ? "POST" : "GET", host, path, query);
		h = xasprintf("Date: %s", date);
		hdr = curl_slist_append(hdr, h);
		free(h);
		a = xasprintf("Authorization: %s", sig);
		free(sig);
	} else if (auth && c->token != NULL) {
		a = xasprintf("Authorization: %s %s", c->auth == IDP_AUTH_SSWS ?
			      "SSWS" : "Bearer", c->token);
	}
	if (a != NULL)
		hdr = curl_slist_append(hdr, a);
	if (body != NULL)
		hdr = curl_slist_append(hdr, "Content-Type: "
					"application/x-www-form-urlencoded");
	curl_easy_reset(c->h);
	curl_easy_setopt(c->h, CURLOPT_URL, url);
	curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->h, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c->h, CURLOPT_TIMEOUT, c->conf.timeout_s);
	curl_easy_setopt(c->h, CURLOPT_CONNECTTIMEOUT,
			 c->conf.timeout_s < 10 ? c->conf.timeout_s : 10L);
	/* Verification is not configurable: a CA file may only add anchors. */
	curl_easy_setopt(c->h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c->h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c->h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c->h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c->h, CURLOPT_MAXFILESIZE_LARGE,
			 (curl_off_t)PLUMB_IDP_RESPONSE_MAX);
	if (c->conf.ca_file != NULL)
		curl_easy_setopt(c->h, CURLOPT_CAINFO, c->conf.ca_file);
	curl_easy_setopt(c->h, CURLOPT_USERAGENT, "plumb/" PLUMB_VERSION);
	curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, idp_write_cb);
	curl_easy_setopt(c->h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c->h, CURLOPT_HEADERFUNCTION, idp_header_cb);
	curl_easy_setopt(c->h, CURLOPT_HEADERDATA, r);
	if (body != NULL) {
		curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	cc = curl_easy_perform(c->h);
	if (r->too_big || cc == CURLE_FILESIZE_EXCEEDED) {
		ret = err_set(e, PLUMB_ELIMIT, "%s answered more than %u bytes "
			      "for %s", host, PLUMB_IDP_RESPONSE_MAX, path);
		goto out;
	}
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		/* curl's own text counts milliseconds: a fixed message keeps
		 * the evidence of two scans comparable. */
		ret = err_set(e, PLUMB_ENET, "%s%s: no complete answer within "
			      "the timeout of %ld s", host, path,
			      c->conf.timeout_s);
		goto out;
	}
	if (cc != CURLE_OK) {
		/* Connection failures quote elapsed milliseconds too; TLS
		 * failures keep curl's precise reason. */
		int timed = cc == CURLE_COULDNT_CONNECT ||
			cc == CURLE_COULDNT_RESOLVE_HOST;

		ret = err_set(e, PLUMB_ENET, "%s%s: %s", host, path,
			      cerr[0] && !timed ? cerr : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &r->status);
	c->last_status = r->status;
out:
	/* The header list holds the token or signature: wiped. */
	if (a != NULL) {
		explicit_bzero(a, strlen(a));
		free(a);
	}
	curl_slist_free_all(hdr);
	curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c->h, CURLOPT_ERRORBUFFER, NULL);
	free(host);
	free(path);
	free(query);
	if (ret != PLUMB_OK) {
		idp_scrub(c, e);
		idp_resp_release(r);
	}
	return ret;
}

static int
idp_parse(const struct idp_resp *r, const char *what, json_t **out,
	  struct errbuf *e)
{
	json_error_t je;

	*out = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, &je);
	if (*out == NULL)
		return err_set(e, PLUMB_EPARSE, "%s: the answer is not JSON "
			       "(line %d column %d)", what, je.line, je.column);
	return PLUMB_OK;
}

int
idp_post_form(struct idp_client *c, const char *url, const char *body,
	      json_t **out, struct errbuf *e)
{
	struct idp_resp r;
	char why[PLUMB_EVIDENCE_TEXT_MAX + 1];
	int ret;

	*out = NULL;
	if ((ret = idp_exchange(c, url, body, 0, &r, e)) != PLUMB_OK)
		goto out;
	if (r.status < 200 || r.status > 299) {
		idp_error_text(&r, why, sizeof(why));
		ret = err_set(e, r.status == 403 ? PLUMB_EPERM : PLUMB_ENET,
			      "%s token request refused (HTTP %ld): %s",
			      c->conf.provider, r.status, why);
		idp_scrub(c, e);
		goto out;
	}
	ret = idp_parse(&r, "token endpoint", out, e);
out:
	if (r.body.data != NULL)
		explicit_bzero(r.body.data, r.body.len);
	idp_resp_release(&r);
	return ret;
}

/* Sleeps for s seconds. */
static void
idp_sleep(long s)
{
	struct timespec ts = { .tv_sec = s, .tv_nsec = 0 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* How long a 429 answer asks us to wait (at least a second). */
static long
idp_wait_for(const struct idp_resp *r)
{
	long long reset;
	long w = -1;
	time_t now = time(NULL);

	if (r->retry_after[0])
		w = idp_retry_after(r->retry_after, now);
	if (w < 0 && r->rate_reset[0] &&
	    parse_ll(r->rate_reset, 0, 1LL << 40, &reset) == 0)
		w = reset > (long long)now ? (long)(reset - now) : 0;
	return w < 1 ? 1 : w;
}

int
idp_get_json(struct idp_client *c, const char *url, json_t **out, char **next,
	     struct errbuf *e)
{
	struct idp_resp r;
	char why[PLUMB_EVIDENCE_TEXT_MAX + 1];
	int refreshed = 0, retries = 0, ret;
	long w;

	*out = NULL;
	if (next != NULL)
		*next = NULL;
	if (!idp_same_origin(c->conf.base_url, url))
		return err_set(e, PLUMB_EINVAL, "%s pointed to %.200s, outside "
			       "%s: not followed", c->conf.provider, url,
			       c->conf.base_url);
	if (c->auth == IDP_AUTH_BEARER && c->token == NULL &&
	    (ret = c->fetch_token(c, e)) != PLUMB_OK)
		return ret;
	for (;;) {
		if ((ret = idp_exchange(c, url, NULL, 1, &r, e)) != PLUMB_OK)
			return ret;
		if (r.status == 401 && c->auth == IDP_AUTH_BEARER && !refreshed) {
			/* An expired token: one new one, one more try. */
			idp_resp_release(&r);
			refreshed = 1;
			idp_client_set_token(c, NULL);
			if ((ret = c->fetch_token(c, e)) != PLUMB_OK)
				return ret;
			continue;
		}
		if (r.status == 429) {
			w = idp_wait_for(&r);
			idp_resp_release(&r);
			if (++retries > PLUMB_IDP_RETRIES_MAX ||
			    w > PLUMB_IDP_RETRY_AFTER_MAX ||
			    c->waited_s + w > c->conf.retry_budget_s)
				return err_set(e, PLUMB_ENET, "%s kept answering "
					       "429 (rate limited): asked to wait "
					       "%lds more after %lds, beyond the "
					       "budget of %lds", c->conf.provider,
					       w, c->waited_s,
					       c->conf.retry_budget_s);
			c->waited_s += w;
			idp_sleep(w);
			continue;
		}
		break;
	}
	if (r.status < 200 || r.status > 299) {
		idp_error_text(&r, why, sizeof(why));
		if (r.status == 403)
			ret = err_set(e, PLUMB_EPERM, "%s denied access (HTTP "
				      "403; missing permission or licence): %s",
				      c->conf.provider, why);
		else
			ret = err_set(e, PLUMB_ENET, "%s answered HTTP %ld: %s",
				      c->conf.provider, r.status, why);
		idp_scrub(c, e);
		goto out;
	}
	if ((ret = idp_parse(&r, c->conf.provider, out, e)) != PLUMB_OK)
		goto out;
	if (next != NULL && r.link.len > 0)
		*next = idp_link_next(r.link.data);
out:
	idp_resp_release(&r);
	return ret;
}

/* ---- small parsers ------------------------------------------------ */

char *
idp_link_next(const char *link)
{
	const char *p = link, *lt, *gt, *end;

	while (p != NULL && (lt = strchr(p, '<')) != NULL) {
		if ((gt = strchr(lt, '>')) == NULL)
			return NULL;
		end = strchr(gt, '<');
		/* The parameters of this link run up to the next '<'. */
		{
			size_t n = end ? (size_t)(end - gt) : strlen(gt);
			char *params = xstrndup(gt + 1, n > 0 ? n - 1 : 0);
			const char *rel = strstr(params, "rel=");
			int is_next = 0;

			if (rel != NULL) {
				rel += 4;
				if (*rel == '"')
					rel++;
				is_next = strncmp(rel, "next", 4) == 0 &&
					(rel[4] == '"' || rel[4] == ';' ||
					 rel[4] == ',' || rel[4] == ' ' ||
					 rel[4] == '\0');
			}
			free(params);
			if (is_next)
				return xstrndup(lt + 1, (size_t)(gt - lt - 1));
		}
		p = end;
	}
	return NULL;
}

long
idp_retry_after(const char *value, time_t now)
{
	long long n;
	struct tm tm;
	const char *rest;
	time_t t;

	if (value == NULL)
		return -1;
	if (parse_ll(value, 0, 1LL << 31, &n) == 0)
		return (long)n;
	memset(&tm, 0, sizeof(tm));
	rest = strptime(value, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (rest == NULL || *rest != '\0')
		return -1;
	t = timegm(&tm);
	return t > now ? (long)(t - now) : 0;
}

char *
idp_urlencode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct dynbuf b;
	const unsigned char *p;
	char *out;

	dynbuf_init(&b, strlen(s) * 3 + 1);
	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.' || *p == '~') {
			(void)dynbuf_add(&b, p, 1);
		} else {
			char t[3] = { '%', hex[*p >> 4], hex[*p & 15] };

			(void)dynbuf_add(&b, t, 3);
		}
	}
	out = dynbuf_take(&b, NULL);
	return out ? out : xstrdup("");
}

char *
idp_b64url(const unsigned char *p, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);
	size_t i, j = 0;

	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	for (i = 0; out[i]; i++) {
		if (out[i] == '=')
			break;
		out[j++] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	}
	out[j] = '\0';
	return out;
}

int
idp_jwt_rs256(const char *pem_key, const char *kid, const json_t *claims,
	      char **out, struct errbuf *e)
{
	EVP_PKEY *pk = NULL;
	EVP_MD_CTX *md = NULL;
	BIO *bio = NULL;
	json_t *hdr;
	char *h = NULL, *c = NULL, *hb = NULL, *cb = NULL, *input = NULL;
	char *sb = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	int r = PLUMB_OK;

	*out = NULL;
	if (pem_key == NULL)
		return err_set(e, PLUMB_EUSAGE, "the credentials hold no "
			       "private_key");
	bio = BIO_new_mem_buf(pem_key, -1);
	if (bio == NULL || (pk = PEM_read_bio_PrivateKey(bio, NULL, NULL,
							 (void *)"")) == NULL) {
		r = err_set(e, PLUMB_EPARSE, "the credentials' private_key is "
			    "not a PEM private key");
		goto out;
	}
	if (!EVP_PKEY_is_a(pk, "RSA")) {
		r = err_set(e, PLUMB_EPARSE, "the credentials' private_key is "
			    "not an RSA key (RS256 needs one)");
		goto out;
	}
	hdr = json_pack("{s:s, s:s, s:s?}", "alg", "RS256", "typ", "JWT",
			"kid", kid);
	h = json_dumps(hdr, JSON_COMPACT);
	json_decref(hdr);
	c = json_dumps(claims, JSON_COMPACT);
	if (h == NULL || c == NULL)
		abort();
	hb = idp_b64url((const unsigned char *)h, strlen(h));
	cb = idp_b64url((const unsigned char *)c, strlen(c));
	input = xasprintf("%s.%s", hb, cb);
	md = EVP_MD_CTX_new();
	if (md == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pk) != 1 ||
	    EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)input,
			   strlen(input)) != 1) {
		r = err_set(e, PLUMB_EIO, "RS256 signing failed");
		goto out;
	}
	sig = xmalloc(siglen);
	if (EVP_DigestSign(md, sig, &siglen, (const unsigned char *)input,
			   strlen(input)) != 1) {
		r = err_set(e, PLUMB_EIO, "RS256 signing failed");
		goto out;
	}
	sb = idp_b64url(sig, siglen);
	*out = xasprintf("%s.%s", input, sb);
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pk);
	BIO_free(bio);
	free(h);
	free(c);
	free(hb);
	free(cb);
	free(input);
	free(sig);
	free(sb);
	return r;
}

char *
idp_duo_canon(const char *date, const char *method, const char *host,
	      const char *path, const char *params)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	char empty[2 * EVP_MAX_MD_SIZE + 1];
	unsigned dn = 0;
	char *lh = xstrdup(host);
	char *canon;
	size_t i;

	for (i = 0; lh[i]; i++)
		if (lh[i] >= 'A' && lh[i] <= 'Z')
			lh[i] = (char)(lh[i] - 'A' + 'a');
	/* No body and no X-Duo headers: both hashes are of the empty string. */
	if (EVP_Digest("", 0, d, &dn, EVP_sha512(), NULL) != 1)
		abort();
	hex_encode(d, dn, empty);
	canon = xasprintf("%s\n%s\n%s\n%s\n%s\n%s\n%s", date, method, lh, path,
			  params, empty, empty);
	free(lh);
	return canon;
}

char *
idp_duo_sign(const char *ikey, const char *skey, const char *date,
	     const char *method, const char *host, const char *path,
	     const char *params)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	char hexmac[2 * EVP_MAX_MD_SIZE + 1];
	unsigned maclen = 0;
	char *canon, *auth, *out;
	unsigned char *b64;
	size_t n;

	if (ikey == NULL)
		ikey = "";
	if (skey == NULL)
		skey = "";
	canon = idp_duo_canon(date, method, host, path, params);
	if (HMAC(EVP_sha512(), skey, (int)strlen(skey),
		 (const unsigned char *)canon, strlen(canon), mac, &maclen) == NULL)
		abort();
	hex_encode(mac, maclen, hexmac);
	auth = xasprintf("%s:%s", ikey, hexmac);
	n = strlen(auth);
	b64 = xmalloc(4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock(b64, (const unsigned char *)auth, (int)n);
	out = xasprintf("Basic %s", (char *)b64);
	explicit_bzero(mac, sizeof(mac));
	free(canon);
	free(auth);
	free(b64);
	return out;
}

/* ---- facts -------------------------------------------------------- */

json_t *
idp_facts_new(const struct idp_conf *conf)
{
	return json_pack("{s:s, s:s?, s:s?, s:{}, s:[]}", "provider",
			 conf->provider, "tenant", conf->tenant, "base_url",
			 conf->base_url, "policy", "users");
}

json_t *
idp_user_new(const char *user, const char *id, int admin, int active,
	     int guest, const char *status)
{
	return json_pack("{s:o, s:o, s:b, s:b, s:b, s:o, s:[], s:b, s:[], "
			 "s:[]}", "user", json_host_str(user ? user : id),
			 "id", json_host_str(id), "admin", admin, "active",
			 active, "guest", guest, "status", json_host_str(status),
			 "methods", "phishing_resistant", 0, "enforced_by",
			 "bypass");
}

void
idp_user_add(json_t *user, const char *k, const char *s)
{
	json_t *a = json_object_get(user, k), *v;
	size_t i;

	if (!json_is_array(a) || s == NULL)
		return;
	json_array_foreach(a, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return;
	json_array_append_new(a, json_host_str(s));
}

static int
idp_cmp_str(const void *a, const void *b)
{
	const json_t *const *x = a, *const *y = b;
	const char *s = json_string_value(*x), *t = json_string_value(*y);

	return strcmp(s ? s : "", t ? t : "");
}

static int
idp_cmp_user(const void *a, const void *b)
{
	const json_t *const *x = a, *const *y = b;
	const char *s = json_string_value(json_object_get(*x, "user"));
	const char *t = json_string_value(json_object_get(*y, "user"));
	int c = strcmp(s ? s : "", t ? t : "");

	if (c != 0)
		return c;
	s = json_string_value(json_object_get(*x, "id"));
	t = json_string_value(json_object_get(*y, "id"));
	return strcmp(s ? s : "", t ? t : "");
}

/* Sorts a JSON array in place with cmp. */
static void
idp_sort(json_t *a, int (*cmp)(const void *, const void *))
{
	size_t n = json_array_size(a), i;
	json_t **v;

	if (n < 2)
		return;
	v = xcalloc(n, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(a, i));
	qsort(v, n, sizeof(*v), cmp);
	json_array_clear(a);
	for (i = 0; i < n; i++)
		json_array_append_new(a, v[i]);
	free(v);
}

/* The key idp_cmp_key compares by (qsort has no context argument; the
 * probes run one at a time). */
static const char *idp_sort_key;

static int
idp_cmp_key(const void *a, const void *b)
{
	const json_t *const *x = a, *const *y = b;
	const char *s = json_string_value(json_object_get(*x, idp_sort_key));
	const char *t = json_string_value(json_object_get(*y, idp_sort_key));

	return strcmp(s ? s : "", t ? t : "");
}

void
idp_sort_by(json_t *objects, const char *key)
{
	idp_sort_key = key;
	idp_sort(objects, idp_cmp_key);
	idp_sort_key = NULL;
}

void
idp_users_finish(json_t *users)
{
	static const char *const lists[] = { "methods", "enforced_by", "bypass" };
	json_t *u;
	size_t i, k;

	json_array_foreach(users, i, u) {
		for (k = 0; k < sizeof(lists) / sizeof(lists[0]); k++)
			idp_sort(json_object_get(u, lists[k]), idp_cmp_str);
		if (json_object_get(u, "registered") == NULL)
			json_object_set_new(u, "registered", json_boolean(
				json_array_size(json_object_get(u, "methods")) > 0));
		if (json_object_get(u, "enforced") == NULL)
			json_object_set_new(u, "enforced", json_boolean(
				json_array_size(json_object_get(u, "enforced_by")) > 0));
	}
	idp_sort(users, idp_cmp_user);
}

int
idp_list(struct idp_client *c, const char *url, const char *items_key,
	 const char *next_key, const char *who, json_t *acc, struct errbuf *e)
{
	char *cur = xstrdup(url), *next = NULL;
	json_t *page, *items;
	int r = PLUMB_OK;

	while (cur != NULL) {
		if ((r = idp_get_json(c, cur, &page, next_key == NULL ? &next :
				      NULL, e)) != PLUMB_OK)
			break;
		items = items_key != NULL ? json_object_get(page, items_key) :
			page;
		if (!json_is_array(items)) {
			json_decref(page);
			free(next);
			r = err_set(e, PLUMB_EPARSE, "%s answer for %.200s has "
				    "no list of items", who, cur);
			break;
		}
		json_array_extend(acc, items);
		if (next_key != NULL &&
		    json_is_string(json_object_get(page, next_key)))
			next = xstrdup(json_string_value(
				json_object_get(page, next_key)));
		json_decref(page);
		if (json_array_size(acc) > PLUMB_IDP_USERS_MAX) {
			free(next);
			r = err_set(e, PLUMB_ELIMIT, "more than %d entries in "
				    "%.200s", PLUMB_IDP_USERS_MAX, url);
			break;
		}
		if (next != NULL && strcmp(next, cur) == 0) {
			free(next);
			r = err_set(e, PLUMB_EPARSE, "%s paging did not advance "
				    "at %.200s", who, cur);
			break;
		}
		free(cur);
		cur = next;
		next = NULL;
	}
	free(cur);
	return r;
}

/*
 * idp.h - the HTTP client shared by the identity-provider probes
 * (idp_entra.c, idp_okta.c, idp_google.c, idp_duo.c) and the facts they
 * return.
 *
 * The client talks HTTPS only, with certificate and host verification
 * always on (a CA file may be named), per-request timeouts, OAuth2 tokens
 * fetched by a provider callback and refreshed once when a request is
 * answered 401, 429 answers waited out as Retry-After (or Okta's
 * X-Rate-Limit-Reset) says within a total budget, response bodies capped,
 * and every URL it follows (next-page links) checked to stay on the origin
 * of the configured base URL so a token is never sent elsewhere.
 *
 * Credentials are read by reference: a JSON object from a file that only
 * its owner may read (mode 0600 or 0400) or from an environment variable.
 * The secrets never appear in an error message: every message the client
 * hands back is scrubbed of the credential values and of the access token.
 *
 * Facts (what idp_*_collect return; probe_idp.c judges them):
 *   { "provider", "tenant", "base_url",
 *     "policy": { provider-specific summary of the policies read },
 *     "users": [ { "user", "id", "admin", "active", "guest", "status",
 *                  "methods": [..], "registered", "phishing_resistant",
 *                  "enforced", "enforced_by": [..], "bypass": [..] } ] }
 * users sorted by "user", lists sorted, so the same tenant gives the same
 * bytes on every scan.
 */
#ifndef PLUMB_IDP_H
#define PLUMB_IDP_H

#include <time.h>

#include <jansson.h>

#include "util.h"

/* Connection settings of one provider tenant (all strings borrowed). */
struct idp_conf {
	const char *provider;		/* entra, okta, google, duo */
	const char *tenant;		/* tenant id/domain, org domain, api host */
	const char *base_url;		/* API origin, https://host[:port] */
	const char *token_url;		/* OAuth2 token endpoint (not duo) */
	const char *credentials_file;	/* JSON, mode 0600/0400, or NULL */
	const char *credentials_env;	/* variable holding the JSON, or NULL */
	const char *ca_file;		/* extra trust anchors, or NULL */
	const char *impersonate;	/* google: the admin to act as */
	long timeout_s;			/* one request, connect to last byte */
	long retry_budget_s;		/* total seconds spent waiting on 429 */
};

enum idp_auth {
	IDP_AUTH_BEARER,	/* Authorization: Bearer <token from fetch_token> */
	IDP_AUTH_SSWS,		/* Okta API token: Authorization: SSWS <token> */
	IDP_AUTH_DUO,		/* Duo HMAC-SHA512 signature (v5) per request */
};

struct idp_client;

/* Fetches a new access token into the client (idp_client_set_token). */
typedef int (*idp_token_fn)(struct idp_client *c, struct errbuf *e);

/*
 * Creates a client for conf, loading its credentials.  *out is the caller's
 * (idp_client_free).  Fails with PLUMB_EPERM when the credentials file is
 * readable by others, PLUMB_ENOENT when file or variable is missing.
 */
int idp_client_new(const struct idp_conf *conf, enum idp_auth auth,
		   idp_token_fn fetch_token, struct idp_client **out,
		   struct errbuf *e);
/* Wipes the credentials and the token, and frees the client. */
void idp_client_free(struct idp_client *c);

/* The credentials object (borrowed); string member k or NULL. */
const char *idp_cred(const struct idp_client *c, const char *k);
const struct idp_conf *idp_client_conf(const struct idp_client *c);
/* Replaces the access token (copied). */
void idp_client_set_token(struct idp_client *c, const char *token);

/*
 * POSTs an application/x-www-form-urlencoded body (no Authorization) and
 * parses the JSON answer into *out: the token request.  Non-2xx answers
 * fail with the provider's error text (scrubbed).
 */
int idp_post_form(struct idp_client *c, const char *url, const char *body,
		  json_t **out, struct errbuf *e);

/*
 * GETs url with the client's authorization and parses the JSON answer into
 * *out (the caller's).  When next is not NULL it receives the Link
 * rel="next" URL of the answer, or NULL.  401 refreshes the token once and
 * retries; 429 waits as the server asks while the budget lasts; 403 fails
 * with PLUMB_EPERM and the provider's reason; other failures PLUMB_ENET.
 * url must lie on the base URL's origin.
 */
int idp_get_json(struct idp_client *c, const char *url, json_t **out,
		 char **next, struct errbuf *e);

/*
 * Follows a paged collection from url and appends every page's items to
 * acc.  items_key names the member holding a page's array ("value" for
 * Graph), or is NULL when the page itself is the array; next_key names the
 * member holding the next page's URL ("@odata.nextLink"), or is NULL to
 * follow the Link rel="next" header.  who names the provider in messages.
 * Fails past PLUMB_IDP_USERS_MAX items and when a next link repeats the
 * page it came from.
 */
int idp_list(struct idp_client *c, const char *url, const char *items_key,
	     const char *next_key, const char *who, json_t *acc,
	     struct errbuf *e);

/* The HTTP status of the client's last answer (0 before any). */
long idp_last_status(const struct idp_client *c);

/* True if url has the scheme, host and port of base (and a path after). */
int idp_same_origin(const char *base, const char *url);

/* The URL of the rel="next" relation in an RFC 8288 Link header value, or
 * NULL (malloc'd). */
char *idp_link_next(const char *link);

/* Seconds to wait from a Retry-After value (delta-seconds or HTTP date)
 * at time now; -1 if it cannot be read. */
long idp_retry_after(const char *value, time_t now);

/* Percent-encodes s as RFC 3986 unreserved-only (Duo and OAuth style). */
char *idp_urlencode(const char *s);

/* Base64url without padding of n bytes (JWT). */
char *idp_b64url(const unsigned char *p, size_t n);

/*
 * A compact JWS (RS256) over claims, signed with the PEM private key
 * (PKCS#8 or PKCS#1, as Google service-account files and Okta keys hold).
 * *out is the caller's.
 */
int idp_jwt_rs256(const char *pem_key, const char *kid, const json_t *claims,
		  char **out, struct errbuf *e);

/*
 * Duo Admin API signature v5: the Authorization header value
 * "Basic base64(ikey:hex(HMAC-SHA512(skey, canon)))" for a request without
 * body and without X-Duo headers.  params is the canonical parameter
 * string (keys sorted, idp_urlencode'd, k=v joined with &).
 */
char *idp_duo_sign(const char *ikey, const char *skey, const char *date,
		   const char *method, const char *host, const char *path,
		   const char *params);
/* The canonical string idp_duo_sign signs (for tests). */
char *idp_duo_canon(const char *date, const char *method, const char *host,
		    const char *path, const char *params);

/* ---- facts -------------------------------------------------------- */

/* A user entry with the identity fields set and the three facts empty. */
json_t *idp_user_new(const char *user, const char *id, int admin, int active,
		     int guest, const char *status);
/* Appends s to the array member k of user, once. */
void idp_user_add(json_t *user, const char *k, const char *s);
/* Sorts a list of objects by their string member key (stable evidence). */
void idp_sort_by(json_t *objects, const char *key);
/* Sorts every list of every user and the users by "user", and sets
 * "registered" to whether methods is non-empty when it was not set. */
void idp_users_finish(json_t *users);

/* The provider collectors: facts as described above. */
int idp_entra_collect(const struct idp_conf *conf, json_t **facts,
		      struct errbuf *e);
int idp_okta_collect(const struct idp_conf *conf, json_t **facts,
		     struct errbuf *e);
int idp_google_collect(const struct idp_conf *conf, json_t **facts,
		       struct errbuf *e);
int idp_duo_collect(const struct idp_conf *conf, json_t **facts,
		    struct errbuf *e);

/*
 * The policy facts of one user (an idp_user_new entry with "id" and
 * "guest" set): fills enforced_by, bypass and "enforced".
 * Entra: policies is the conditionalAccess/policies value list, groups and
 * roles map each group or role id named by them to {member id: true}.
 * Okta: sign_on and access are the ACTIVE OKTA_SIGN_ON and ACCESS_POLICY
 * policies sorted by priority, each with its rules (sorted by priority)
 * under "_rules"; members maps group ids to {user id: true}.
 */
void idp_entra_evaluate(json_t *user, const json_t *policies,
			const json_t *groups, const json_t *roles,
			int sec_defaults);
void idp_okta_evaluate(json_t *user, const json_t *sign_on,
		       const json_t *access, const json_t *members);

/* A facts object with provider, tenant, base_url and an empty users list. */
json_t *idp_facts_new(const struct idp_conf *conf);

#endif

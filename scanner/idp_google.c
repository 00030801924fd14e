/*
 * idp_google.c - Google Workspace (Admin SDK Directory API) MFA facts.
 *
 * A service account with domain-wide delegation signs a JWT (RS256, the
 * account's private_key and client_email from its JSON key file, sub = the
 * admin named by the check's impersonate parameter, scope
 * admin.directory.user.readonly) and trades it for a token (RFC 7523).
 *
 * /admin/directory/v1/users?customer=my_customer is read through
 * nextPageToken.  Per user: isEnrolledIn2Sv is "registered" (the API does
 * not name the methods, so methods is ["2sv"] and phishing resistance is
 * never claimed), isEnforcedIn2Sv is "enforced" (enforcement for the
 * user's organisational unit or group), suspended or archived users are
 * inactive, isAdmin or isDelegatedAdmin is admin.  The Directory API shows
 * no bypass (backup codes are not listed), so bypass stays empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "idp.h"
#include "plumb_limits.h"

#define GOOGLE_SCOPE "https://www.googleapis.com/auth/admin.directory.user.readonly"

static int
google_token(struct idp_client *c, struct errbuf *e)
{
	const struct idp_conf *conf = idp_client_conf(c);
	const char *iss = idp_cred(c, "client_email");
	char *jwt = NULL, *ejwt, *body;
	json_t *claims, *j = NULL;
	time_t now = time(NULL);
	const char *tok;
	int r;

	if (iss == NULL)
		return err_set(e, PLUMB_EUSAGE, "google credentials need a "
			       "service-account key (client_email, private_key)");
	claims = json_pack("{s:s, s:s?, s:s, s:s, s:I, s:I}", "iss", iss, "sub",
			   conf->impersonate, "scope", GOOGLE_SCOPE, "aud",
			   conf->token_url, "iat", (json_int_t)now, "exp",
			   (json_int_t)now + 3600);
	r = idp_jwt_rs256(idp_cred(c, "private_key"),
			  idp_cred(c, "private_key_id"), claims, &jwt, e);
	json_decref(claims);
	if (r != PLUMB_OK)
		return r;
	ejwt = idp_urlencode(jwt);
	body = xasprintf("grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3A"
			 "grant-type%%3Ajwt-bearer&assertion=%s", ejwt);
	free(jwt);
	free(ejwt);
	r = idp_post_form(c, conf->token_url, body, &j, e);
	free(body);
	if (r != PLUMB_OK)
		return r;
	tok = json_string_value(json_object_get(j, "access_token"));
	if (tok == NULL)
		r = err_set(e, PLUMB_EPARSE, "google token answer has no "
			    "access_token");
	else
		idp_client_set_token(c, tok);
	json_decref(j);
	return r;
}

int
idp_google_collect(const struct idp_conf *conf, json_t **facts,
		   struct errbuf *e)
{
	struct idp_client *c = NULL;
	json_t *f = NULL, *out_users, *page = NULL;
	char *token = NULL, *url;
	const json_t *u;
	size_t i;
	int r;

	*facts = NULL;
	if ((r = idp_client_new(conf, IDP_AUTH_BEARER, google_token, &c, e)) != 0)
		goto out;
	f = idp_facts_new(conf);
	out_users = json_object_get(f, "users");
	do {
		const char *nt;
		char *et = token ? idp_urlencode(token) : NULL;

		url = xasprintf("%s/admin/directory/v1/users?customer=my_customer"
				"&maxResults=500&projection=basic%s%s",
				conf->base_url, et ? "&pageToken=" : "",
				et ? et : "");
		free(et);
		r = idp_get_json(c, url, &page, NULL, e);
		free(url);
		if (r != PLUMB_OK)
			goto out;
		json_array_foreach(json_object_get(page, "users"), i, u) {
			const char *org = json_string_value(json_object_get(u,
							"orgUnitPath"));
			int susp = json_is_true(json_object_get(u, "suspended")) ||
				json_is_true(json_object_get(u, "archived"));
			json_t *nu;
			char *s;

			nu = idp_user_new(json_string_value(json_object_get(u,
					  "primaryEmail")),
					  json_string_value(json_object_get(u, "id")),
					  json_is_true(json_object_get(u, "isAdmin")) ||
					  json_is_true(json_object_get(u,
							"isDelegatedAdmin")),
					  !susp, 0, susp ? "suspended" : "active");
			if (json_is_true(json_object_get(u, "isEnrolledIn2Sv")))
				idp_user_add(nu, "methods", "2sv");
			if (json_is_true(json_object_get(u, "isEnforcedIn2Sv"))) {
				s = xasprintf("2-step verification enforced for "
					      "organisational unit '%s'",
					      org ? org : "/");
				idp_user_add(nu, "enforced_by", s);
				free(s);
			}
			json_array_append_new(out_users, nu);
		}
		if (json_array_size(out_users) > PLUMB_IDP_USERS_MAX) {
			r = err_set(e, PLUMB_ELIMIT, "more than %d google users",
				    PLUMB_IDP_USERS_MAX);
			goto out;
		}
		nt = json_string_value(json_object_get(page, "nextPageToken"));
		if (nt != NULL && token != NULL && strcmp(nt, token) == 0) {
			r = err_set(e, PLUMB_EPARSE, "google paging did not "
				    "advance (token repeated)");
			goto out;
		}
		free(token);
		token = nt && *nt ? xstrdup(nt) : NULL;
		json_decref(page);
		page = NULL;
	} while (token != NULL);
	idp_users_finish(out_users);
	json_object_set_new(f, "policy", json_pack("{s:s}", "source",
		"isEnforcedIn2Sv (2-step verification enforcement per "
		"organisational unit or group)"));
	*facts = f;
	f = NULL;
out:
	idp_client_free(c);
	json_decref(page);
	json_decref(f);
	free(token);
	return r;
}

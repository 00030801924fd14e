/*
 * idp_duo.c - Duo (Admin API) MFA facts.
 *
 * Every request is signed (idp.c, signature v5: HMAC-SHA512 over date,
 * method, host, path and the canonical parameters) with the Admin API
 * application's ikey and skey from the credentials object.
 *
 * /admin/v1/users is read through metadata.next_offset.  Per user:
 * is_enrolled is "registered", the methods are the phones' capabilities
 * (push, mobile_otp, sms, phone), hardware tokens, U2F tokens and WebAuthn
 * credentials; status "active" means Duo asks for a second factor on every
 * Duo-protected application ("enforced"), status "bypass" lets the user in
 * without one (a bypass); disabled, locked-out and pending-deletion users
 * are inactive.  Duo's Admin API has no notion of a user being an
 * administrator (Duo administrators are separate accounts), so admin is
 * always false and probe_idp.c refuses scope=admins for Duo.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp.h"
#include "plumb_limits.h"

#define DUO_PAGE 300

static void
duo_methods(json_t *nu, const json_t *u, int *pr)
{
	static const char *const caps[] = { "push", "mobile_otp", "sms", "phone" };
	const json_t *ph, *cap;
	size_t i, k, q;

	json_array_foreach(json_object_get(u, "phones"), i, ph) {
		if (json_is_false(json_object_get(ph, "activated")))
			continue;
		json_array_foreach(json_object_get(ph, "capabilities"), k, cap)
			for (q = 0; q < sizeof(caps) / sizeof(caps[0]); q++)
				if (json_string_value(cap) != NULL &&
				    strcmp(json_string_value(cap), caps[q]) == 0)
					idp_user_add(nu, "methods", caps[q]);
	}
	if (json_array_size(json_object_get(u, "tokens")) > 0)
		idp_user_add(nu, "methods", "hardware_token");
	if (json_array_size(json_object_get(u, "u2ftokens")) > 0) {
		idp_user_add(nu, "methods", "u2f");
		*pr = 1;
	}
	if (json_array_size(json_object_get(u, "webauthncredentials")) > 0) {
		idp_user_add(nu, "methods", "webauthn");
		*pr = 1;
	}
}

int
idp_duo_collect(const struct idp_conf *conf, json_t **facts, struct errbuf *e)
{
	struct idp_client *c = NULL;
	json_t *f = NULL, *out_users, *page = NULL;
	long long offset = 0, next;
	const json_t *u, *no;
	const char *stat;
	char *url;
	size_t i;
	int r;

	*facts = NULL;
	if ((r = idp_client_new(conf, IDP_AUTH_DUO, NULL, &c, e)) != 0)
		goto out;
	if (idp_cred(c, "ikey") == NULL || idp_cred(c, "skey") == NULL) {
		r = err_set(e, PLUMB_EUSAGE, "duo credentials need ikey and skey");
		goto out;
	}
	f = idp_facts_new(conf);
	out_users = json_object_get(f, "users");
	for (;;) {
		/* Parameters in canonical order: they are signed as written. */
		url = xasprintf("%s/admin/v1/users?limit=%d&offset=%lld",
				conf->base_url, DUO_PAGE, offset);
		r = idp_get_json(c, url, &page, NULL, e);
		free(url);
		if (r != PLUMB_OK)
			goto out;
		stat = json_string_value(json_object_get(page, "stat"));
		if (stat == NULL || strcmp(stat, "OK") != 0 ||
		    !json_is_array(json_object_get(page, "response"))) {
			r = err_set(e, PLUMB_EPARSE, "duo answered stat %s: %.200s",
				    stat ? stat : "(none)",
				    json_string_value(json_object_get(page,
						"message")) ?
				    json_string_value(json_object_get(page,
						"message")) : "no message");
			goto out;
		}
		json_array_foreach(json_object_get(page, "response"), i, u) {
			const char *st = json_string_value(json_object_get(u,
								  "status"));
			int active = st != NULL && (strcmp(st, "active") == 0 ||
						    strcmp(st, "bypass") == 0);
			int pr = 0;
			json_t *nu;

			nu = idp_user_new(json_string_value(json_object_get(u,
					  "username")),
					  json_string_value(json_object_get(u,
							"user_id")),
					  0, active, 0, st);
			duo_methods(nu, u, &pr);
			json_object_set_new(nu, "registered", json_boolean(
				json_is_true(json_object_get(u, "is_enrolled"))));
			json_object_set_new(nu, "phishing_resistant",
					    json_boolean(pr));
			if (st != NULL && strcmp(st, "active") == 0)
				idp_user_add(nu, "enforced_by", "Duo user status "
					     "active (a second factor on every "
					     "Duo-protected application)");
			if (st != NULL && strcmp(st, "bypass") == 0)
				idp_user_add(nu, "bypass", "Duo user status is "
					     "bypass (no second factor asked)");
			json_array_append_new(out_users, nu);
		}
		if (json_array_size(out_users) > PLUMB_IDP_USERS_MAX) {
			r = err_set(e, PLUMB_ELIMIT, "more than %d duo users",
				    PLUMB_IDP_USERS_MAX);
			goto out;
		}
		no = json_object_get(json_object_get(page, "metadata"),
				     "next_offset");
		if (!json_is_integer(no))
			break;
		next = json_integer_value(no);
		if (next <= offset) {
			r = err_set(e, PLUMB_EPARSE, "duo paging did not advance "
				    "(next_offset %lld after %lld)", next, offset);
			goto out;
		}
		offset = next;
		json_decref(page);
		page = NULL;
	}
	idp_users_finish(out_users);
	json_object_set_new(f, "policy", json_pack("{s:s}", "source",
		"Duo user status (active: 2FA required; bypass: none)"));
	*facts = f;
	f = NULL;
out:
	idp_client_free(c);
	json_decref(page);
	json_decref(f);
	return r;
}

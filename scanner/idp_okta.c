/*
 * idp_okta.c - Okta (Management API) MFA facts.
 *
 * Authorization: an API token ({"api_token": ...}, sent as SSWS) or an
 * OAuth2 service app ({"client_id", "private_key"[, "kid"]}: client
 * credentials with private_key_jwt against the org authorization server,
 * scopes okta.users.read okta.factors.read okta.policies.read
 * okta.groups.read okta.roles.read).
 *
 * Reads /api/v1/users, and per user /factors (ACTIVE factors only) and
 * /roles (any role = admin); the ACTIVE global session policies
 * (/api/v1/policies?type=OKTA_SIGN_ON) and, on Identity Engine orgs, the
 * authentication policies (type=ACCESS_POLICY) with their rules, and the
 * members of every group they name (/api/v1/groups/{id}/users).  Lists are
 * followed through Link rel="next".
 *
 * Okta applies the first policy (by priority) whose groups include the
 * user and, in it, the first rule that matches; a rule limited to network
 * zones decides only there.  A user is enforced when the deciding rule for
 * "anywhere" allows access and requires a factor - or, when the session
 * does not, when the deciding rule of every authentication policy demands
 * two factors (factorMode 2FA); one that lets its applications in with one
 * factor is a bypass.  A zone rule ahead of the deciding one that lets the
 * user in without a factor is a bypass; so is an exclusion from an MFA
 * rule when nothing else requires MFA.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "idp.h"
#include "plumb_limits.h"

#define OKTA_SCOPES "okta.users.read okta.factors.read okta.policies.read " \
	"okta.groups.read okta.roles.read"

static int
okta_token(struct idp_client *c, struct errbuf *e)
{
	const struct idp_conf *conf = idp_client_conf(c);
	const char *id = idp_cred(c, "client_id");
	unsigned char rnd[16];
	char jti[33], *jwt = NULL, *ejwt, *eid, *escope, *body;
	json_t *claims, *j = NULL;
	time_t now = time(NULL);
	const char *tok;
	int r;

	if (id == NULL)
		return err_set(e, PLUMB_EUSAGE, "okta credentials need api_token, "
			       "or client_id and private_key");
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return err_set(e, PLUMB_EIO, "no random bytes for a JWT id");
	hex_encode(rnd, sizeof(rnd), jti);
	claims = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "iss", id, "sub",
			   id, "aud", conf->token_url, "iat", (json_int_t)now,
			   "exp", (json_int_t)now + 300, "jti", jti);
	r = idp_jwt_rs256(idp_cred(c, "private_key"), idp_cred(c, "kid"),
			  claims, &jwt, e);
	json_decref(claims);
	if (r != PLUMB_OK)
		return r;
	ejwt = idp_urlencode(jwt);
	eid = idp_urlencode(id);
	escope = idp_urlencode(OKTA_SCOPES);
	body = xasprintf("grant_type=client_credentials&scope=%s&"
			 "client_assertion_type=urn%%3Aietf%%3Aparams%%3Aoauth"
			 "%%3Aclient-assertion-type%%3Ajwt-bearer&"
			 "client_assertion=%s", escope, ejwt);
	free(jwt);
	free(ejwt);
	free(eid);
	free(escope);
	r = idp_post_form(c, conf->token_url, body, &j, e);
	free(body);
	if (r != PLUMB_OK)
		return r;
	tok = json_string_value(json_object_get(j, "access_token"));
	if (tok == NULL)
		r = err_set(e, PLUMB_EPARSE, "okta token answer has no "
			    "access_token");
	else
		idp_client_set_token(c, tok);
	json_decref(j);
	return r;
}

/* Appends the items of every page from url to acc. */
static int
okta_list(struct idp_client *c, const char *url, json_t *acc, struct errbuf *e)
{
	return idp_list(c, url, NULL, NULL, "okta", acc, e);
}

static int
okta_has(const json_t *arr, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

static int
okta_in_groups(const json_t *members, const json_t *gids, const char *uid)
{
	const json_t *v;
	size_t i;

	json_array_foreach(gids, i, v)
		if (json_object_get(json_object_get(members,
				json_string_value(v)), uid) != NULL)
			return 1;
	return 0;
}

/* Whether a people condition ({users{include,exclude}, groups{...}})
 * takes the user: 1 yes, -1 excluded, 0 not included.  No condition
 * takes everyone. */
static int
okta_people(const json_t *people, const json_t *members, const char *uid)
{
	const json_t *u = json_object_get(people, "users");
	const json_t *g = json_object_get(people, "groups");
	int any_include = json_array_size(json_object_get(u, "include")) > 0 ||
		json_array_size(json_object_get(g, "include")) > 0;

	if (okta_has(json_object_get(u, "exclude"), uid) ||
	    okta_in_groups(members, json_object_get(g, "exclude"), uid))
		return -1;
	if (!any_include)
		return 1;
	return okta_has(json_object_get(u, "include"), uid) ||
		okta_in_groups(members, json_object_get(g, "include"), uid);
}

static int
okta_cmp_priority(const void *a, const void *b)
{
	const json_t *const *x = a, *const *y = b;
	json_int_t p = json_integer_value(json_object_get(*x, "priority"));
	json_int_t q = json_integer_value(json_object_get(*y, "priority"));

	return p < q ? -1 : p > q;
}

/* Sorts a list by "priority" (Okta's evaluation order). */
static void
okta_sort_priority(json_t *a)
{
	size_t n = json_array_size(a), i;
	json_t **v;

	if (n < 2)
		return;
	v = xcalloc(n, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(a, i));
	qsort(v, n, sizeof(*v), okta_cmp_priority);
	json_array_clear(a);
	for (i = 0; i < n; i++)
		json_array_append_new(a, v[i]);
	free(v);
}

static int
okta_active(const json_t *o)
{
	const char *s = json_string_value(json_object_get(o, "status"));

	return s != NULL && strcmp(s, "ACTIVE") == 0;
}

/* A rule's action: actions.signon (global session policy) or
 * actions.appSignOn (authentication policy). */
static const json_t *
okta_action(const json_t *rule, int *app)
{
	const json_t *a = json_object_get(rule, "actions");
	const json_t *so = json_object_get(a, "signon");

	*app = so == NULL;
	return so != NULL ? so : json_object_get(a, "appSignOn");
}

static int
okta_rule_allows(const json_t *rule)
{
	int app;
	const char *access = json_string_value(json_object_get(
		okta_action(rule, &app), "access"));

	return access == NULL || strcmp(access, "ALLOW") == 0;
}

/* The rule's MFA demand: access allowed with a factor required (session
 * rule) or with two factors (authentication policy rule). */
static int
okta_rule_mfa(const json_t *rule)
{
	int app;
	const json_t *act = okta_action(rule, &app);
	const char *mode;

	if (!okta_rule_allows(rule))
		return 0;
	if (!app)
		return json_is_true(json_object_get(act, "requireFactor"));
	mode = json_string_value(json_object_get(json_object_get(act,
				"verificationMethod"), "factorMode"));
	return mode != NULL && strcmp(mode, "2FA") == 0;
}

/* A rule limited to network zones (not "anywhere"). */
static int
okta_rule_zoned(const json_t *rule)
{
	const char *conn = json_string_value(json_object_get(json_object_get(
		json_object_get(rule, "conditions"), "network"), "connection"));

	return conn != NULL && strcmp(conn, "ANYWHERE") != 0;
}

/*
 * Walks one policy's rules for the user as Okta does and returns the rule
 * that decides outside network zones (borrowed), or NULL.  Zone rules ahead
 * of it that let the user in without MFA are added as bypasses; exclusions
 * from rules that demand MFA are appended to excluded.
 */
static const json_t *
okta_decide(json_t *user, const json_t *p, const json_t *members,
	    const char *what, json_t *excluded)
{
	const char *uid = json_string_value(json_object_get(user, "id"));
	const char *pname = json_string_value(json_object_get(p, "name"));
	const json_t *rule;
	size_t k;
	char *s;

	json_array_foreach(json_object_get(p, "_rules"), k, rule) {
		const char *rname = json_string_value(json_object_get(rule, "name"));
		int t;

		if (!okta_active(rule))
			continue;
		t = okta_people(json_object_get(json_object_get(rule,
				"conditions"), "people"), members, uid);
		if (t == -1 && okta_rule_mfa(rule)) {
			s = xasprintf("excluded from %s rule '%s' of policy '%s'",
				      what, rname, pname);
			json_array_append_new(excluded, json_host_str(s));
			free(s);
		}
		if (t != 1)
			continue;
		if (okta_rule_zoned(rule)) {
			if (okta_rule_allows(rule) && !okta_rule_mfa(rule)) {
				s = xasprintf("%s rule '%s' of policy '%s' allows "
					      "sign-in without MFA from its network "
					      "zones", what, rname, pname);
				idp_user_add(user, "bypass", s);
				free(s);
			}
			continue;
		}
		return rule;
	}
	return NULL;
}

void
idp_okta_evaluate(json_t *user, const json_t *sign_on, const json_t *access,
		  const json_t *members)
{
	const char *uid = json_string_value(json_object_get(user, "id"));
	json_t *excluded = json_array(), *ok = json_array(), *v;
	const json_t *p, *rule;
	int enforced = 0, all_mfa = 1;
	size_t i;
	char *s;

	/* The global session policy: Okta applies the first policy whose
	 * people conditions take the user. */
	json_array_foreach(sign_on, i, p) {
		if (okta_people(json_object_get(json_object_get(p, "conditions"),
						"people"), members, uid) != 1)
			continue;
		rule = okta_decide(user, p, members, "sign-on", excluded);
		if (rule != NULL && okta_rule_mfa(rule)) {
			s = xasprintf("sign-on policy '%s' rule '%s'",
				      json_string_value(json_object_get(p, "name")),
				      json_string_value(json_object_get(rule, "name")));
			idp_user_add(user, "enforced_by", s);
			free(s);
			enforced = 1;
		}
		break;
	}
	/* Without MFA for the session, every application's authentication
	 * policy must demand two factors (Identity Engine). */
	if (!enforced && json_array_size(access) > 0) {
		json_array_foreach(access, i, p) {
			const char *pname = json_string_value(json_object_get(p,
								       "name"));

			rule = okta_decide(user, p, members, "authentication",
					   excluded);
			if (rule == NULL || !okta_rule_allows(rule))
				continue;
			s = xasprintf("authentication policy '%s' rule '%s'%s",
				      pname, json_string_value(json_object_get(rule,
								       "name")),
				      okta_rule_mfa(rule) ? "" :
				      " allows its applications with one factor");
			if (okta_rule_mfa(rule)) {
				json_array_append_new(ok, json_host_str(s));
			} else {
				all_mfa = 0;
				idp_user_add(user, "bypass", s);
			}
			free(s);
		}
		if (all_mfa && json_array_size(ok) > 0) {
			json_array_foreach(ok, i, v)
				idp_user_add(user, "enforced_by",
					     json_string_value(v));
			enforced = 1;
		}
	}
	if (!enforced)
		json_array_foreach(excluded, i, v)
			idp_user_add(user, "bypass", json_string_value(v));
	json_object_set_new(user, "enforced", json_boolean(enforced));
	json_decref(excluded);
	json_decref(ok);
}

/* Factor types that are a second factor (knowledge and email are not). */
static int
okta_strong(const char *t)
{
	return strcmp(t, "question") != 0 && strcmp(t, "email") != 0 &&
		strcmp(t, "password") != 0;
}

static int
okta_phishing_resistant(const char *t)
{
	return strcmp(t, "webauthn") == 0 || strcmp(t, "u2f") == 0 ||
		strcmp(t, "signed_nonce") == 0;
}

/* Reads every group the policies and rules name, into members. */
static int
okta_groups(struct idp_client *c, const json_t *policies, json_t *members,
	    struct errbuf *e)
{
	static const char *const dirs[] = { "include", "exclude" };
	const char *base = idp_client_conf(c)->base_url;
	const json_t *p, *rule, *id;
	size_t i, k, d, j, n;
	json_t *holders;
	int r;

	json_array_foreach(policies, i, p) {
		holders = json_array();
		json_array_append(holders, json_object_get(json_object_get(p,
				  "conditions"), "people"));
		json_array_foreach(json_object_get(p, "_rules"), k, rule)
			json_array_append(holders, json_object_get(
				json_object_get(rule, "conditions"), "people"));
		json_array_foreach(holders, k, rule) {
			for (d = 0; d < 2; d++) {
				json_array_foreach(json_object_get(json_object_get(
					rule, "groups"), dirs[d]), j, id) {
					const char *gid = json_string_value(id);
					json_t *acc, *set, *m;
					char *url, *eg;

					if (gid == NULL ||
					    json_object_get(members, gid) != NULL)
						continue;
					acc = json_array();
					eg = idp_urlencode(gid);
					url = xasprintf("%s/api/v1/groups/%s/users"
							"?limit=200", base, eg);
					r = okta_list(c, url, acc, e);
					free(url);
					free(eg);
					if (r != PLUMB_OK) {
						json_decref(acc);
						json_decref(holders);
						return r;
					}
					set = json_object();
					json_array_foreach(acc, n, m)
						if (json_string_value(json_object_get(m, "id")))
							json_object_set_new(set,
								json_string_value(json_object_get(m, "id")),
								json_true());
					json_object_set_new(members, gid, set);
					json_decref(acc);
				}
			}
		}
		json_decref(holders);
	}
	return PLUMB_OK;
}

/* The ACTIVE policies of a type, each with its rules under "_rules",
 * policies and rules in priority order. */
static int
okta_policies(struct idp_client *c, const char *type, json_t *out,
	      struct errbuf *e)
{
	const char *base = idp_client_conf(c)->base_url;
	json_t *pol = json_array();
	const json_t *p;
	char *url;
	size_t i;
	int r;

	url = xasprintf("%s/api/v1/policies?type=%s", base, type);
	r = okta_list(c, url, pol, e);
	free(url);
	if (r != PLUMB_OK)
		goto out;
	json_array_foreach(pol, i, p) {
		json_t *rules = json_array(), *copy;
		const char *pid = json_string_value(json_object_get(p, "id"));
		char *ep;

		if (!okta_active(p) || pid == NULL) {
			json_decref(rules);
			continue;
		}
		ep = idp_urlencode(pid);
		url = xasprintf("%s/api/v1/policies/%s/rules", base, ep);
		free(ep);
		r = okta_list(c, url, rules, e);
		free(url);
		if (r != PLUMB_OK) {
			json_decref(rules);
			goto out;
		}
		okta_sort_priority(rules);
		copy = json_deep_copy(p);
		json_object_set_new(copy, "_rules", rules);
		json_array_append_new(out, copy);
	}
	okta_sort_priority(out);
out:
	json_decref(pol);
	return r;
}

/* A summary of policies for the evidence: name, priority, rule count. */
static json_t *
okta_summary(const json_t *policies)
{
	json_t *list = json_array();
	const json_t *p;
	size_t i;

	json_array_foreach(policies, i, p)
		json_array_append_new(list, json_pack("{s:o, s:I, s:I}",
			"name", json_host_str(json_string_value(json_object_get(p,
								"name"))),
			"priority", json_integer_value(json_object_get(p,
								"priority")),
			"rules", (json_int_t)json_array_size(json_object_get(p,
								"_rules"))));
	return list;
}

int
idp_okta_collect(const struct idp_conf *conf, json_t **facts,
		 struct errbuf *e)
{
	struct idp_client *c = NULL;
	json_t *users = json_array(), *active_pol = json_array();
	json_t *access_pol = json_array(), *members = json_object();
	json_t *f = NULL, *out_users;
	const json_t *u;
	char *url;
	size_t i;
	int r;

	*facts = NULL;
	/* The kind of credentials decides the authorization; the client is
	 * made first with SSWS to read them, then told which it is. */
	if ((r = idp_client_new(conf, IDP_AUTH_SSWS, okta_token, &c, e)) != 0)
		goto out;
	if (idp_cred(c, "api_token") != NULL) {
		idp_client_set_token(c, idp_cred(c, "api_token"));
	} else {
		idp_client_free(c);
		c = NULL;
		if ((r = idp_client_new(conf, IDP_AUTH_BEARER, okta_token, &c,
					e)) != 0)
			goto out;
	}
	url = xasprintf("%s/api/v1/users?limit=200", conf->base_url);
	r = okta_list(c, url, users, e);
	free(url);
	if (r != PLUMB_OK)
		goto out;
	if ((r = okta_policies(c, "OKTA_SIGN_ON", active_pol, e)) != PLUMB_OK)
		goto out;
	/* Identity Engine orgs also have per-application authentication
	 * policies; a Classic Engine org refuses the type with HTTP 400. */
	r = okta_policies(c, "ACCESS_POLICY", access_pol, e);
	if (r == PLUMB_ENET && idp_last_status(c) == 400) {
		json_array_clear(access_pol);
		r = PLUMB_OK;
	}
	if (r != PLUMB_OK)
		goto out;
	if ((r = okta_groups(c, active_pol, members, e)) != PLUMB_OK ||
	    (r = okta_groups(c, access_pol, members, e)) != PLUMB_OK)
		goto out;

	f = idp_facts_new(conf);
	out_users = json_object_get(f, "users");
	json_array_foreach(users, i, u) {
		const char *id = json_string_value(json_object_get(u, "id"));
		const char *st = json_string_value(json_object_get(u, "status"));
		const json_t *prof = json_object_get(u, "profile"), *fa;
		json_t *factors = json_array(), *roles = json_array(), *nu;
		int active, pr = 0, reg = 0;
		char *eid;
		size_t k;

		if (id == NULL) {
			json_decref(factors);
			json_decref(roles);
			continue;
		}
		active = st != NULL && (strcmp(st, "ACTIVE") == 0 ||
			strcmp(st, "PASSWORD_EXPIRED") == 0 ||
			strcmp(st, "LOCKED_OUT") == 0 ||
			strcmp(st, "RECOVERY") == 0);
		eid = idp_urlencode(id);
		url = xasprintf("%s/api/v1/users/%s/factors", conf->base_url, eid);
		r = okta_list(c, url, factors, e);
		free(url);
		if (r == PLUMB_OK) {
			url = xasprintf("%s/api/v1/users/%s/roles", conf->base_url,
					eid);
			r = okta_list(c, url, roles, e);
			free(url);
		}
		free(eid);
		if (r != PLUMB_OK) {
			json_decref(factors);
			json_decref(roles);
			goto out;
		}
		nu = idp_user_new(json_string_value(json_object_get(prof, "login")),
				  id, json_array_size(roles) > 0, active, 0, st);
		json_array_foreach(factors, k, fa) {
			const char *t = json_string_value(json_object_get(fa,
							"factorType"));

			if (t == NULL || !okta_active(fa))
				continue;
			idp_user_add(nu, "methods", t);
			if (okta_strong(t))
				reg = 1;
			if (okta_phishing_resistant(t))
				pr = 1;
		}
		json_object_set_new(nu, "registered", json_boolean(reg));
		json_object_set_new(nu, "phishing_resistant", json_boolean(pr));
		idp_okta_evaluate(nu, active_pol, access_pol, members);
		json_array_append_new(out_users, nu);
		json_decref(factors);
		json_decref(roles);
	}
	idp_users_finish(out_users);
	json_object_set_new(f, "policy", json_pack("{s:o, s:o}",
		"sign_on_policies", okta_summary(active_pol),
		"authentication_policies", okta_summary(access_pol)));
	*facts = f;
	f = NULL;
out:
	idp_client_free(c);
	json_decref(users);
	json_decref(active_pol);
	json_decref(access_pol);
	json_decref(members);
	json_decref(f);
	return r;
}

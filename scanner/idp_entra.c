/*
 * idp_entra.c - Microsoft Entra ID (Microsoft Graph v1.0) MFA facts.
 *
 * Reads, with an app-only token (OAuth2 client credentials: client_id and
 * client_secret in the credentials object):
 *   /v1.0/users                          active (accountEnabled), guest
 *   /v1.0/reports/authenticationMethods/userRegistrationDetails
 *                                        registered methods, isAdmin
 *   /v1.0/policies/identitySecurityDefaultsEnforcementPolicy
 *   /v1.0/identity/conditionalAccess/policies
 *   /v1.0/groups/{id}/transitiveMembers  groups named by MFA policies
 *   /v1.0/roleManagement/directory/roleAssignments   roles named by them
 * every list followed through @odata.nextLink (an empty page with a next
 * link is followed too).
 *
 * A user is enforced by a conditional access policy that is enabled,
 * targets all cloud apps and at least browser and modern clients, grants
 * only with MFA (mfa or an authentication strength; an OR with another
 * control is not MFA) and includes the user without excluding them - or by
 * security defaults.  Report-only policies (enabledForReportingButNot-
 * Enforced) and exclusions from MFA policies are reported as bypasses when
 * nothing else enforces MFA; legacy clients that no policy covers with MFA
 * or blocks are a bypass even for an enforced user.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "idp.h"
#include "plumb_limits.h"


static int
entra_token(struct idp_client *c, struct errbuf *e)
{
	const struct idp_conf *conf = idp_client_conf(c);
	const char *id = idp_cred(c, "client_id");
	const char *secret = idp_cred(c, "client_secret");
	char *eid, *esecret, *body, *scope, *escope;
	json_t *j = NULL;
	const char *tok;
	int r;

	if (id == NULL || secret == NULL)
		return err_set(e, PLUMB_EUSAGE, "entra credentials need "
			       "client_id and client_secret");
	/* All application permissions granted on the API the base URL names
	 * (graph.microsoft.com, or a national cloud's Graph). */
	scope = xasprintf("%s/.default", conf->base_url);
	escope = idp_urlencode(scope);
	eid = idp_urlencode(id);
	esecret = idp_urlencode(secret);
	body = xasprintf("client_id=%s&client_secret=%s&scope=%s&grant_type="
			 "client_credentials", eid, esecret, escope);
	explicit_bzero(esecret, strlen(esecret));
	free(esecret);
	free(eid);
	free(escope);
	free(scope);
	r = idp_post_form(c, conf->token_url, body, &j, e);
	explicit_bzero(body, strlen(body));
	free(body);
	if (r != PLUMB_OK)
		return r;
	tok = json_string_value(json_object_get(j, "access_token"));
	if (tok == NULL)
		r = err_set(e, PLUMB_EPARSE, "entra token answer has no "
			    "access_token");
	else
		idp_client_set_token(c, tok);
	json_decref(j);
	return r;
}

/* Appends the items of every page from url to acc. */
static int
entra_list(struct idp_client *c, const char *url, json_t *acc, struct errbuf *e)
{
	return idp_list(c, url, "value", "@odata.nextLink", "graph", acc, e);
}

static int
entra_has(const json_t *arr, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcasecmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

/* Whether the user is in one of ids, a list of groups or roles whose
 * member sets are in sets ({id: {member: true}}). */
static int
entra_member(const json_t *sets, const json_t *ids, const char *uid)
{
	const json_t *v;
	size_t i;

	json_array_foreach(ids, i, v)
		if (json_object_get(json_object_get(sets, json_string_value(v)),
				    uid) != NULL)
			return 1;
	return 0;
}

/* A policy that demands MFA for every way its grant can be met. */
static int
entra_requires_mfa(const json_t *p)
{
	const json_t *g = json_object_get(p, "grantControls");
	const json_t *b = json_object_get(g, "builtInControls"), *v;
	const char *op = json_string_value(json_object_get(g, "operator"));
	int mfa = entra_has(b, "mfa") ||
		json_is_object(json_object_get(g, "authenticationStrength"));
	size_t i;

	if (!mfa)
		return 0;
	if (op != NULL && strcasecmp(op, "OR") == 0)
		json_array_foreach(b, i, v)
			if (strcmp(json_string_value(v), "mfa") != 0)
				return 0;
	return 1;
}

static int
entra_blocks(const json_t *p)
{
	return entra_has(json_object_get(json_object_get(p, "grantControls"),
					 "builtInControls"), "block");
}

static int
entra_all_apps(const json_t *p)
{
	return entra_has(json_object_get(json_object_get(json_object_get(p,
			"conditions"), "applications"), "includeApplications"),
			"All");
}

/* Client app types covered: modern (browser + apps) and legacy (EAS +
 * other); an absent or empty list means all. */
static void
entra_clients(const json_t *p, int *modern, int *legacy)
{
	const json_t *t = json_object_get(json_object_get(p, "conditions"),
					  "clientAppTypes");

	if (json_array_size(t) == 0 || entra_has(t, "all")) {
		*modern = *legacy = 1;
		return;
	}
	*modern = entra_has(t, "browser") &&
		entra_has(t, "mobileAppsAndDesktopClients");
	*legacy = entra_has(t, "exchangeActiveSync") && entra_has(t, "other");
}

/* 1 included, -1 excluded, 0 not targeted. */
static int
entra_targets(const json_t *p, const json_t *groups, const json_t *roles,
	      const char *uid, int guest)
{
	const json_t *u = json_object_get(json_object_get(p, "conditions"),
					  "users");
	int in;

	in = entra_has(json_object_get(u, "includeUsers"), "All") ||
		entra_has(json_object_get(u, "includeUsers"), uid) ||
		(guest && entra_has(json_object_get(u, "includeUsers"),
				    "GuestsOrExternalUsers")) ||
		entra_member(groups, json_object_get(u, "includeGroups"), uid) ||
		entra_member(roles, json_object_get(u, "includeRoles"), uid);
	if (!in)
		return 0;
	if (entra_has(json_object_get(u, "excludeUsers"), uid) ||
	    (guest && entra_has(json_object_get(u, "excludeUsers"),
				"GuestsOrExternalUsers")) ||
	    entra_member(groups, json_object_get(u, "excludeGroups"), uid) ||
	    entra_member(roles, json_object_get(u, "excludeRoles"), uid))
		return -1;
	return 1;
}

/* Reads the members of every group and role the relevant policies name. */
static int
entra_memberships(struct idp_client *c, const json_t *policies,
		  json_t *groups, json_t *roles, struct errbuf *e)
{
	static const char *const gkeys[] = { "includeGroups", "excludeGroups" };
	static const char *const rkeys[] = { "includeRoles", "excludeRoles" };
	const char *base = idp_client_conf(c)->base_url;
	const json_t *p, *u, *id;
	size_t i, j, k;
	int r;

	json_array_foreach(policies, i, p) {
		if (!entra_requires_mfa(p) && !entra_blocks(p))
			continue;
		u = json_object_get(json_object_get(p, "conditions"), "users");
		for (k = 0; k < 2; k++) {
			json_array_foreach(json_object_get(u, gkeys[k]), j, id) {
				const char *gid = json_string_value(id);
				json_t *set, *m, *acc;
				char *url, *eg;
				size_t n;

				if (gid == NULL || json_object_get(groups, gid))
					continue;
				acc = json_array();
				eg = idp_urlencode(gid);
				url = xasprintf("%s/v1.0/groups/%s/transitiveMembers"
						"?$select=id", base, eg);
				r = entra_list(c, url, acc, e);
				free(url);
				free(eg);
				if (r != PLUMB_OK) {
					json_decref(acc);
					return r;
				}
				set = json_object();
				json_array_foreach(acc, n, m)
					if (json_string_value(json_object_get(m, "id")))
						json_object_set_new(set,
							json_string_value(json_object_get(m, "id")),
							json_true());
				json_object_set_new(groups, gid, set);
				json_decref(acc);
			}
			json_array_foreach(json_object_get(u, rkeys[k]), j, id) {
				const char *rid = json_string_value(id);
				json_t *set, *m, *acc;
				char *url, *er;
				size_t n;

				if (rid == NULL || json_object_get(roles, rid))
					continue;
				acc = json_array();
				er = idp_urlencode(rid);
				url = xasprintf("%s/v1.0/roleManagement/directory/"
						"roleAssignments?$filter=roleDefinitionId"
						"%%20eq%%20%%27%s%%27", base, er);
				r = entra_list(c, url, acc, e);
				free(url);
				free(er);
				if (r != PLUMB_OK) {
					json_decref(acc);
					return r;
				}
				set = json_object();
				json_array_foreach(acc, n, m)
					if (json_string_value(json_object_get(m, "principalId")))
						json_object_set_new(set,
							json_string_value(json_object_get(m, "principalId")),
							json_true());
				json_object_set_new(roles, rid, set);
				json_decref(acc);
			}
		}
	}
	return PLUMB_OK;
}

static const char *const entra_phishing_resistant[] = {
	"fido2", "windowsHelloForBusiness", "passKeyDeviceBound",
	"passKeyDeviceBoundAuthenticator", "passKeyDeviceBoundWindowsHello",
	"x509CertificateMultiFactor",
};

void
idp_entra_evaluate(json_t *user, const json_t *policies, const json_t *groups,
		 const json_t *roles, int sec_defaults)
{
	const char *uid = json_string_value(json_object_get(user, "id"));
	int guest = json_is_true(json_object_get(user, "guest"));
	json_t *excluded = json_array(), *report_only = json_array();
	int legacy_covered = 0, enforced = 0, modern, legacy, t;
	const json_t *p, *v;
	const char *state, *name;
	size_t i;
	char *s;

	json_array_foreach(policies, i, p) {
		state = json_string_value(json_object_get(p, "state"));
		name = json_string_value(json_object_get(p, "displayName"));
		if (state == NULL || !entra_all_apps(p))
			continue;
		t = entra_targets(p, groups, roles, uid, guest);
		entra_clients(p, &modern, &legacy);
		if (entra_blocks(p)) {
			if (t == 1 && legacy && strcmp(state, "enabled") == 0)
				legacy_covered = 1;
			continue;
		}
		if (!entra_requires_mfa(p))
			continue;
		if (t == -1 && strcmp(state, "disabled") != 0) {
			json_array_append_new(excluded, json_host_str(name));
		} else if (t == 1 && strcmp(state, "enabled") == 0 && modern) {
			s = xasprintf("conditional access policy '%s'",
				      name ? name : "(unnamed)");
			idp_user_add(user, "enforced_by", s);
			free(s);
			enforced = 1;
			if (legacy)
				legacy_covered = 1;
		} else if (t == 1 &&
			   strcmp(state, "enabledForReportingButNotEnforced") == 0) {
			json_array_append_new(report_only, json_host_str(name));
		}
	}
	if (!enforced && sec_defaults) {
		idp_user_add(user, "enforced_by", "security defaults");
		enforced = legacy_covered = 1;
	}
	if (!enforced) {
		json_array_foreach(excluded, i, v) {
			s = xasprintf("excluded from conditional access policy "
				      "'%s'", json_string_value(v));
			idp_user_add(user, "bypass", s);
			free(s);
		}
		json_array_foreach(report_only, i, v) {
			s = xasprintf("conditional access policy '%s' is "
				      "report-only (not enforced)",
				      json_string_value(v));
			idp_user_add(user, "bypass", s);
			free(s);
		}
	} else if (!legacy_covered) {
		idp_user_add(user, "bypass", "legacy authentication clients "
			     "(Exchange ActiveSync, other) are neither required "
			     "to use MFA nor blocked");
	}
	json_object_set_new(user, "enforced", json_boolean(enforced));
	json_decref(excluded);
	json_decref(report_only);
}

static json_t *
entra_policy_summary(const json_t *policies, int sec_defaults)
{
	json_t *list = json_array();
	const json_t *p;
	size_t i;

	json_array_foreach(policies, i, p) {
		if (!entra_requires_mfa(p) && !entra_blocks(p))
			continue;
		json_array_append_new(list, json_pack("{s:o, s:o, s:s, s:b}",
			"name", json_host_str(json_string_value(
				json_object_get(p, "displayName"))),
			"state", json_host_str(json_string_value(
				json_object_get(p, "state"))),
			"grant", entra_blocks(p) ? "block" : "mfa",
			"all_apps", entra_all_apps(p)));
	}
	idp_sort_by(list, "name");
	return json_pack("{s:b, s:o}", "security_defaults", sec_defaults,
			 "conditional_access", list);
}

int
idp_entra_collect(const struct idp_conf *conf, json_t **facts,
		  struct errbuf *e)
{
	struct idp_client *c = NULL;
	json_t *users = json_array(), *reg = json_array(), *pol = json_array();
	json_t *groups = json_object(), *roles = json_object();
	json_t *byid = json_object(), *sd = NULL, *f = NULL, *out_users;
	const json_t *u, *m;
	char *url;
	size_t i, k;
	int r, sec_defaults;

	*facts = NULL;
	if ((r = idp_client_new(conf, IDP_AUTH_BEARER, entra_token, &c, e)) != 0)
		goto out;
	url = xasprintf("%s/v1.0/users?$select=id,userPrincipalName,"
			"accountEnabled,userType&$top=999", conf->base_url);
	r = entra_list(c, url, users, e);
	free(url);
	if (r != PLUMB_OK)
		goto out;
	url = xasprintf("%s/v1.0/reports/authenticationMethods/"
			"userRegistrationDetails", conf->base_url);
	r = entra_list(c, url, reg, e);
	free(url);
	if (r != PLUMB_OK)
		goto out;
	url = xasprintf("%s/v1.0/policies/identitySecurityDefaults"
			"EnforcementPolicy", conf->base_url);
	r = idp_get_json(c, url, &sd, NULL, e);
	free(url);
	if (r != PLUMB_OK)
		goto out;
	sec_defaults = json_is_true(json_object_get(sd, "isEnabled"));
	url = xasprintf("%s/v1.0/identity/conditionalAccess/policies",
			conf->base_url);
	r = entra_list(c, url, pol, e);
	free(url);
	if (r != PLUMB_OK)
		goto out;
	if ((r = entra_memberships(c, pol, groups, roles, e)) != PLUMB_OK)
		goto out;

	json_array_foreach(reg, i, u)
		if (json_string_value(json_object_get(u, "id")))
			json_object_set(byid, json_string_value(
				json_object_get(u, "id")), (json_t *)u);
	f = idp_facts_new(conf);
	out_users = json_object_get(f, "users");
	json_array_foreach(users, i, u) {
		const char *id = json_string_value(json_object_get(u, "id"));
		const char *type = json_string_value(json_object_get(u, "userType"));
		const json_t *d = id ? json_object_get(byid, id) : NULL;
		int pr = 0;
		json_t *nu;

		if (id == NULL)
			continue;
		nu = idp_user_new(json_string_value(json_object_get(u,
				  "userPrincipalName")), id,
				  json_is_true(json_object_get(d, "isAdmin")),
				  !json_is_false(json_object_get(u, "accountEnabled")),
				  type != NULL && strcasecmp(type, "guest") == 0,
				  json_is_false(json_object_get(u, "accountEnabled")) ?
				  "disabled" : "enabled");
		json_array_foreach(json_object_get(d, "methodsRegistered"), k, m) {
			size_t q;

			idp_user_add(nu, "methods", json_string_value(m));
			for (q = 0; q < sizeof(entra_phishing_resistant) /
				     sizeof(entra_phishing_resistant[0]); q++)
				if (json_string_value(m) != NULL &&
				    strcmp(json_string_value(m),
					   entra_phishing_resistant[q]) == 0)
					pr = 1;
		}
		json_object_set_new(nu, "registered", json_boolean(
			json_is_true(json_object_get(d, "isMfaRegistered"))));
		json_object_set_new(nu, "phishing_resistant", json_boolean(pr));
		idp_entra_evaluate(nu, pol, groups, roles, sec_defaults);
		json_array_append_new(out_users, nu);
	}
	idp_users_finish(out_users);
	json_object_set_new(f, "policy", entra_policy_summary(pol, sec_defaults));
	*facts = f;
	f = NULL;
out:
	idp_client_free(c);
	json_decref(users);
	json_decref(reg);
	json_decref(pol);
	json_decref(groups);
	json_decref(roles);
	json_decref(byid);
	json_decref(sd);
	json_decref(f);
	return r;
}

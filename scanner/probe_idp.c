/*
 * probe_idp.c - the "idp" probe and the idp-mfa check type: MFA enforced
 * at a cloud identity provider (Entra ID, Okta, Google Workspace, Duo).
 *
 * A <check type="idp-mfa"> names the provider and how to reach it:
 *   provider          entra | okta | google | duo
 *   tenant            Entra tenant id or domain; Okta org host
 *                     (smbco.okta.com); Google primary domain; Duo API host
 *                     (api-xxxxxxxx.duosecurity.com)
 *   base_url          API origin (default per provider; tests point it at
 *                     a local server); https only
 *   token_url         OAuth2 token endpoint (default per provider)
 *   credentials_file  a JSON file, mode 0600 and owned by the scanning user,
 *   credentials_env   or an environment variable holding the same JSON:
 *                     entra {client_id, client_secret}; okta {api_token} or
 *                     {client_id, private_key[, kid]}; google a
 *                     service-account key file; duo {ikey, skey}
 *   ca_file           extra trust anchors (verification is always on)
 *   impersonate       google: the admin the service account acts as
 *   scope             all (default: every active member user) | admins
 *   include_guests    judge guest users too (default false)
 *   phishing_resistant  require a phishing-resistant method (FIDO2/WebAuthn,
 *                     Windows Hello, Okta FastPass) rather than any MFA
 *   timeout, retry_budget  seconds per request / waiting on 429 in all
 * Break-glass accounts are not a parameter: they fail here and are waived
 * by name in the owners file, so each exception is approved and expires.
 *
 * The probe's subject is the connection (provider, tenant, URLs,
 * credential reference, CA file, timeouts) as compact JSON, so two controls
 * on one tenant (all users, admins) read it once per scan.  Its facts are
 * idp.h's: per user "registered", "enforced" (+ enforced_by) and "bypass",
 * reported separately.  The judge passes a user only when all three hold:
 * registered but not required is a failure.  A 403 (missing permission or
 * licence), like any failure to read, makes the check `error`.
 *
 * Evidence: {provider, tenant, scope, requirement, counts{...}, policy,
 * users: [{user, admin, methods, registered, enforced, enforced_by, bypass,
 * compliant, problems}]} sorted by user, so a new user without MFA shows
 * as a changed result between scans.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "idp.h"
#include "plumb_limits.h"
#include "probe.h"

static const char *const idp_providers[] = { "entra", "okta", "google", "duo" };

/* ---- subject: the connection, interned ------------------------------ */

/* Subjects handed out live until exit: the engine and the baseline may
 * outlive any one check, and a tenant has few distinct connections. */
static char **idp_interned;
static size_t idp_ninterned;

static const char *
idp_intern(char *s)
{
	size_t i;

	for (i = 0; i < idp_ninterned; i++) {
		if (strcmp(idp_interned[i], s) == 0) {
			free(s);
			return idp_interned[i];
		}
	}
	idp_interned = xreallocarray(idp_interned, idp_ninterned + 1,
				     sizeof(*idp_interned));
	idp_interned[idp_ninterned++] = s;
	return s;
}

/* The default API origin and token endpoint of a provider. */
static char *
idp_default_base(const char *provider, const char *tenant)
{
	if (strcmp(provider, "entra") == 0)
		return xstrdup("https://graph.microsoft.com");
	if (strcmp(provider, "google") == 0)
		return xstrdup("https://admin.googleapis.com");
	return xasprintf("https://%s", tenant);
}

static char *
idp_default_token(const char *provider, const char *tenant, const char *base)
{
	if (strcmp(provider, "entra") == 0)
		return xasprintf("https://login.microsoftonline.com/%s/oauth2/"
				 "v2.0/token", tenant);
	if (strcmp(provider, "google") == 0)
		return xstrdup("https://oauth2.googleapis.com/token");
	if (strcmp(provider, "okta") == 0)
		return xasprintf("%s/oauth2/v1/token", base);
	return NULL;
}

static const char *
idp_subject(const struct check *chk)
{
	const char *provider = check_param_get(chk, "provider");
	const char *tenant = check_param_get(chk, "tenant");
	const char *base = check_param_get(chk, "base_url");
	const char *tok = check_param_get(chk, "token_url");
	char *dbase = NULL, *dtok = NULL, *s;
	size_t n;
	json_t *j;

	if (provider == NULL || tenant == NULL)
		return NULL;
	if (base == NULL)
		base = dbase = idp_default_base(provider, tenant);
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	if (tok == NULL)
		tok = dtok = idp_default_token(provider, tenant, base);
	j = json_pack("{s:s, s:s, s:s%, s:s?, s:s?, s:s?, s:s?, s:s?, s:I, s:I}",
		      "provider", provider, "tenant", tenant, "base_url", base, n,
		      "token_url", tok, "credentials_file",
		      check_param_get(chk, "credentials_file"), "credentials_env",
		      check_param_get(chk, "credentials_env"), "ca_file",
		      check_param_get(chk, "ca_file"), "impersonate",
		      check_param_get(chk, "impersonate"), "timeout",
		      (json_int_t)check_param_int(chk, "timeout",
						  PLUMB_IDP_TIMEOUT_S),
		      "retry_budget",
		      (json_int_t)check_param_int(chk, "retry_budget",
						  PLUMB_IDP_RETRY_BUDGET_S));
	free(dbase);
	free(dtok);
	if (j == NULL)
		return NULL;
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	if (s == NULL)
		abort();
	return idp_intern(s);
}

/* ---- the probe ------------------------------------------------------- */

static const char *
idp_jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
idp_collect(const struct probe_ctx *ctx, const char *subject, json_t **facts,
	    struct errbuf *e)
{
	struct idp_conf conf;
	json_error_t je;
	json_t *j;
	int r;

	(void)ctx;
	*facts = NULL;
	if (subject == NULL || (j = json_loads(subject, 0, &je)) == NULL)
		return err_set(e, PLUMB_EUSAGE, "idp: no connection given");
	memset(&conf, 0, sizeof(conf));
	conf.provider = idp_jstr(j, "provider");
	conf.tenant = idp_jstr(j, "tenant");
	conf.base_url = idp_jstr(j, "base_url");
	conf.token_url = idp_jstr(j, "token_url");
	conf.credentials_file = idp_jstr(j, "credentials_file");
	conf.credentials_env = idp_jstr(j, "credentials_env");
	conf.ca_file = idp_jstr(j, "ca_file");
	conf.impersonate = idp_jstr(j, "impersonate");
	conf.timeout_s = (long)json_integer_value(json_object_get(j, "timeout"));
	conf.retry_budget_s = (long)json_integer_value(json_object_get(j,
							"retry_budget"));
	if (conf.provider == NULL)
		r = err_set(e, PLUMB_EUSAGE, "idp: no provider");
	else if (strcmp(conf.provider, "entra") == 0)
		r = idp_entra_collect(&conf, facts, e);
	else if (strcmp(conf.provider, "okta") == 0)
		r = idp_okta_collect(&conf, facts, e);
	else if (strcmp(conf.provider, "google") == 0)
		r = idp_google_collect(&conf, facts, e);
	else if (strcmp(conf.provider, "duo") == 0)
		r = idp_duo_collect(&conf, facts, e);
	else
		r = err_set(e, PLUMB_EUSAGE, "idp: unknown provider %s",
			    conf.provider);
	json_decref(j);
	return r;
}

static const struct probe probe_idp = {
	.name = "idp",
	.collect = idp_collect,
};

/* ---- idp-mfa ---------------------------------------------------------- */

static const struct check_param_spec idp_mfa_params[] = {
	{ "provider", CHECK_PARAM_STRING, CHECK_PARAM_REQUIRED,
	  "entra, okta, google or duo" },
	{ "tenant", CHECK_PARAM_STRING, CHECK_PARAM_REQUIRED,
	  "Entra tenant id or domain, Okta org host, Google domain, Duo API "
	  "host" },
	{ "base_url", CHECK_PARAM_STRING, 0,
	  "the API origin, https only (default: the provider's)" },
	{ "token_url", CHECK_PARAM_STRING, 0,
	  "the OAuth2 token endpoint (default: the provider's)" },
	{ "credentials_file", CHECK_PARAM_STRING, 0,
	  "JSON credentials, mode 0600, owned by the scanning user" },
	{ "credentials_env", CHECK_PARAM_STRING, 0,
	  "an environment variable holding the JSON credentials" },
	{ "ca_file", CHECK_PARAM_STRING, 0,
	  "extra trusted CA certificates (PEM); verification stays on" },
	{ "impersonate", CHECK_PARAM_STRING, 0,
	  "google: the admin the service account acts for" },
	{ "scope", CHECK_PARAM_STRING, 0,
	  "all (every active member user, the default) or admins" },
	{ "include_guests", CHECK_PARAM_BOOL, 0,
	  "judge guest users too (default false)" },
	{ "phishing_resistant", CHECK_PARAM_BOOL, 0,
	  "require a phishing-resistant method (default false)" },
	{ "timeout", CHECK_PARAM_INT, 0,
	  "seconds one request may take (default 30)" },
	{ "retry_budget", CHECK_PARAM_INT, 0,
	  "seconds spent waiting on 429 answers in all (default 120)" },
	{ NULL, 0, 0, NULL }
};

/* Tenants end up in URLs: a host name or a tenant id, nothing else. */
static int
idp_tenant_ok(const char *s)
{
	const char *p;

	if (*s == '\0' || *s == '.' || *s == '-')
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		      *p == '_'))
			return 0;
	return 1;
}

static int
idp_mfa_validate(const struct check *chk, struct errbuf *e)
{
	const char *provider = check_param_get(chk, "provider");
	const char *tenant = check_param_get(chk, "tenant");
	const char *scope = check_param_get(chk, "scope");
	const char *cf = check_param_get(chk, "credentials_file");
	const char *ce = check_param_get(chk, "credentials_env");
	static const char *const urls[] = { "base_url", "token_url" };
	size_t i;
	int known = 0;

	for (i = 0; i < sizeof(idp_providers) / sizeof(idp_providers[0]); i++)
		if (provider != NULL && strcmp(provider, idp_providers[i]) == 0)
			known = 1;
	if (!known)
		return err_set(e, PLUMB_EINVAL, "idp-mfa: provider must be "
			       "entra, okta, google or duo");
	if (tenant == NULL || !idp_tenant_ok(tenant))
		return err_set(e, PLUMB_EINVAL, "idp-mfa: tenant must be a host "
			       "name or tenant id (letters, digits, . - _)");
	if ((cf == NULL) == (ce == NULL))
		return err_set(e, PLUMB_EINVAL, "idp-mfa: give exactly one of "
			       "credentials_file and credentials_env (the "
			       "secret itself never goes in a baseline)");
	for (i = 0; i < 2; i++) {
		const char *u = check_param_get(chk, urls[i]);

		if (u != NULL && (strncmp(u, "https://", 8) != 0 ||
				  u[8] == '\0' || u[8] == '/'))
			return err_set(e, PLUMB_EINVAL, "idp-mfa: %s must be an "
				       "https:// URL", urls[i]);
	}
	if (scope != NULL && strcmp(scope, "all") != 0 &&
	    strcmp(scope, "admins") != 0)
		return err_set(e, PLUMB_EINVAL, "idp-mfa: scope must be all or "
			       "admins");
	if (strcmp(provider, "google") == 0 &&
	    check_param_get(chk, "impersonate") == NULL)
		return err_set(e, PLUMB_EINVAL, "idp-mfa: google needs "
			       "impersonate (the admin the service account "
			       "acts for)");
	if (strcmp(provider, "google") == 0 &&
	    check_param_bool(chk, "phishing_resistant", 0))
		return err_set(e, PLUMB_EINVAL, "idp-mfa: google's Directory API "
			       "does not name 2SV methods, so phishing_resistant "
			       "cannot be judged");
	if (strcmp(provider, "duo") == 0 && scope != NULL &&
	    strcmp(scope, "admins") == 0)
		return err_set(e, PLUMB_EINVAL, "idp-mfa: duo's Admin API does "
			       "not say which users are administrators; use "
			       "scope all");
	if (check_param_int(chk, "timeout", PLUMB_IDP_TIMEOUT_S) < 1 ||
	    check_param_int(chk, "retry_budget", 0) < 0)
		return err_set(e, PLUMB_EINVAL, "idp-mfa: timeout must be at "
			       "least 1 and retry_budget not negative");
	return PLUMB_OK;
}

/* Appends "user (problem, problem)" to the message's list of names. */
static void
idp_name_problem(struct dynbuf *b, size_t shown, const char *user,
		 const json_t *problems)
{
	const json_t *p;
	size_t i;

	if (shown > 0)
		(void)dynbuf_addstr(b, ", ");
	(void)dynbuf_addstr(b, user);
	(void)dynbuf_addstr(b, " (");
	json_array_foreach(problems, i, p) {
		if (i > 0)
			(void)dynbuf_addstr(b, "; ");
		(void)dynbuf_addstr(b, json_string_value(p));
	}
	(void)dynbuf_addstr(b, ")");
}

#define IDP_MESSAGE_NAMES 5

static void
idp_mfa_judge(const json_t *facts, const struct check *chk,
	      const struct probe_ctx *ctx, struct check_outcome *out)
{
	const char *scope = check_param_get(chk, "scope");
	int admins = scope != NULL && strcmp(scope, "admins") == 0;
	int guests = check_param_bool(chk, "include_guests", 0);
	int strong = check_param_bool(chk, "phishing_resistant", 0);
	const json_t *users = json_object_get(facts, "users"), *u;
	json_int_t in_scope = 0, ok = 0, not_reg = 0, not_enf = 0, byp = 0;
	json_int_t inactive = 0, guest_skip = 0, non_admin = 0;
	json_t *list = json_array(), *bad = json_array();
	struct dynbuf names;
	size_t i, shown = 0;
	const char *who = admins ? "admins" : guests ? "active users" :
		"active member users";
	char *text;

	(void)ctx;
	json_array_foreach(users, i, u) {
		int reg, enf, has_bypass;
		json_t *problems, *entry;

		if (!json_is_true(json_object_get(u, "active"))) {
			inactive++;
			continue;
		}
		if (!guests && json_is_true(json_object_get(u, "guest"))) {
			guest_skip++;
			continue;
		}
		if (admins && !json_is_true(json_object_get(u, "admin"))) {
			non_admin++;
			continue;
		}
		in_scope++;
		reg = json_is_true(json_object_get(u, strong ?
						   "phishing_resistant" :
						   "registered"));
		enf = json_is_true(json_object_get(u, "enforced"));
		has_bypass = json_array_size(json_object_get(u, "bypass")) > 0;
		problems = json_array();
		if (!reg) {
			not_reg++;
			json_array_append_new(problems, json_string(strong ?
				"no phishing-resistant method registered" :
				"no second factor registered"));
		}
		if (!enf) {
			not_enf++;
			json_array_append_new(problems, json_string(
				"MFA not required by a policy"));
		}
		if (has_bypass) {
			const json_t *bl = json_object_get(u, "bypass");
			size_t nb = json_array_size(bl);
			char *why = xasprintf("bypass: %s%s",
					      json_string_value(json_array_get(bl, 0)),
					      nb > 1 ? " (and more)" : "");

			byp++;
			json_array_append_new(problems, json_host_str(why));
			free(why);
		}
		if (json_array_size(problems) == 0)
			ok++;
		entry = json_pack("{s:O, s:O, s:O, s:b, s:b, s:O, s:O, s:b, s:O}",
				  "user", json_object_get(u, "user"), "admin",
				  json_object_get(u, "admin"), "methods",
				  json_object_get(u, "methods"), "registered", reg,
				  "enforced", enf, "enforced_by",
				  json_object_get(u, "enforced_by"), "bypass",
				  json_object_get(u, "bypass"), "compliant",
				  json_array_size(problems) == 0, "problems",
				  problems);
		if (json_array_size(problems) > 0)
			json_array_append(bad, entry);
		json_array_append_new(list, entry);
		json_decref(problems);
	}
	/* Past the cap only the users that need action are listed. */
	if (json_array_size(list) > PLUMB_EVIDENCE_ITEMS_MAX) {
		json_decref(list);
		list = json_array();
		json_array_foreach(bad, i, u) {
			if (i >= PLUMB_EVIDENCE_ITEMS_MAX)
				break;
			json_array_append(list, (json_t *)u);
		}
	}
	out->evidence = json_pack(
		"{s:O?, s:O?, s:s, s:s, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
		"s:I, s:I}, s:O?, s:o, s:b}",
		"provider", json_object_get(facts, "provider"), "tenant",
		json_object_get(facts, "tenant"), "scope", admins ? "admins" :
		"all", "requirement", strong ? "phishing-resistant mfa" : "mfa",
		"counts", "listed", (json_int_t)json_array_size(users),
		"in_scope", in_scope, "compliant", ok, "not_registered", not_reg,
		"not_enforced", not_enf, "bypass", byp, "inactive_skipped",
		inactive, "guests_skipped", guest_skip, "non_admins_skipped",
		non_admin, "policy", json_object_get(facts, "policy"), "users",
		list, "users_truncated",
		(size_t)in_scope > json_array_size(list));
	if (in_scope == 0) {
		check_outcome_set(out, STATUS_ERROR, "%s %s listed no %s "
				  "(%zu users read): the credential may not see "
				  "the directory", idp_jstr(facts, "provider"),
				  idp_jstr(facts, "tenant"), who,
				  json_array_size(users));
		json_decref(bad);
		return;
	}
	if (ok == in_scope) {
		check_outcome_set(out, STATUS_PASS, "all %lld %s have %s "
				  "registered and required, without bypass",
				  (long long)in_scope, who, strong ?
				  "phishing-resistant MFA" : "MFA");
		json_decref(bad);
		return;
	}
	dynbuf_init(&names, PLUMB_EVIDENCE_TEXT_MAX * 4);
	json_array_foreach(bad, i, u) {
		if (shown == IDP_MESSAGE_NAMES) {
			(void)dynbuf_printf(&names, ", and %zu more",
					    json_array_size(bad) - shown);
			break;
		}
		idp_name_problem(&names, shown, json_string_value(
			json_object_get(u, "user")), json_object_get(u, "problems"));
		shown++;
	}
	text = dynbuf_take(&names, NULL);
	check_outcome_set(out, STATUS_FAIL, "%lld of %lld %s lack enforced %s: "
			  "%s", (long long)(in_scope - ok), (long long)in_scope,
			  who, strong ? "phishing-resistant MFA" : "MFA",
			  text ? text : "");
	free(text);
	json_decref(bad);
}

const struct check_type check_idp_mfa = {
	.name = "idp-mfa",
	.summary = "every active user (or admin) at a cloud identity provider "
		"(Entra ID, Okta, Google Workspace, Duo) has a second factor "
		"registered, required by policy and not bypassed",
	.probe = &probe_idp,
	.params = idp_mfa_params,
	.subject = idp_subject,
	.validate = idp_mfa_validate,
	.judge = idp_mfa_judge,
};

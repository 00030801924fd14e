/*
 * probe_mfa.c - the "pam" and "sshd" probes and the mfa family's check
 * types: pam-mfa, sshd-mfa and sshd-option.
 *
 * The "pam" probe (subject: one service, or NULL for every service on the
 * host) runs pam.c's analysis and returns {services: [...], sudoers?}, one
 * entry per service as pam_result_json gives it, or {service, error} when
 * a service cannot be read, and sudoers.c's rules that skip authentication
 * when sudo is among the services.  The "sshd" probe (subject: the
 * configuration path, /etc/ssh/sshd_config by default) returns
 * sshd_config.c's facts plus
 * "effective" (the values "sshd -T" prints without -C), "pam" (the verdict
 * on the sshd PAM service, falling back to "other" as libpam does) and,
 * when a ForceCommand runs login_duo, "login_duo" (its configuration).
 *
 * Judges read only these facts.  sshd-mfa decides, for the global
 * configuration and for every Match block that changes how users log in,
 * whether each AuthenticationMethods list a user can complete includes two
 * factors: a second factor, and a first one that is not the same thing (a
 * key, or a password the PAM stack asks for besides its code; reference
 * notes 4.1.3).  Blocks are judged one at a time and then together: a
 * connection that matches two blocks takes each keyword from the first
 * that sets it, so a login can be weaker under both than under either
 * (one names a method, the other enables it).  Blocks whose criteria
 * exclude each other (User alice, User bob) are not combined.
 * pam-mfa asks the same of each service's PAM stack, and for sudo also of
 * sudoers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "plumb_limits.h"
#include "pam.h"
#include "plat.h"
#include "probe.h"
#include "sshd_config.h"
#include "sudoers.h"
#include "util.h"

#define MFA_SSHD_CONFIG "/etc/ssh/sshd_config"
#define MFA_SUDOERS "/etc/sudoers"

/* Services pam-mfa judges when the baseline names none; the display
 * managers only where they are installed. */
static const char *const mfa_default_services[] = {
	"sshd", "login", "sudo", "su",
};
static const char *const mfa_optional_services[] = {
	"gdm-password", "lightdm",
};

#define MFA_N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the "pam" probe ------------------------------------------------ */

static json_t *
mfa_pam_service(const struct plat_root *r, const char *svc)
{
	struct pam_result *res = NULL;
	struct errbuf e;
	json_t *j;

	if (pam_analyze(r, svc, 0, &res, &e) != PLUMB_OK)
		return json_pack("{s:s,s:s}", "service", svc, "error", e.msg);
	j = pam_result_json(res);
	pam_result_free(res);
	return j;
}

static int
mfa_strv_has(char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

/* sudoers facts, or {file, error} when they cannot be read. */
static json_t *
mfa_sudoers(const struct plat_root *r)
{
	struct errbuf e;
	json_t *j = NULL;

	if (sudoers_read(r, MFA_SUDOERS, &j, &e) != PLUMB_OK)
		return json_pack("{s:s,s:s}", "file", MFA_SUDOERS, "error",
				 e.msg);
	return j;
}

static int
pam_collect(const struct probe_ctx *ctx, const char *subject, json_t **facts,
	    struct errbuf *e)
{
	json_t *f, *svcs;
	char **names = NULL;
	size_t n = 0, i;
	int rc;

	*facts = NULL;
	f = json_object();
	svcs = json_array();
	json_object_set_new(f, "services", svcs);
	if (subject == NULL || strcmp(subject, "sudo") == 0)
		json_object_set_new(f, "sudoers", mfa_sudoers(ctx->root));
	if (subject != NULL) {
		json_array_append_new(svcs, mfa_pam_service(ctx->root, subject));
		*facts = f;
		return PLUMB_OK;
	}
	rc = pam_list_services(ctx->root, &names, &n, e);
	if (rc != PLUMB_OK) {
		json_decref(f);
		return rc;
	}
	for (i = 0; i < n; i++)
		json_array_append_new(svcs, mfa_pam_service(ctx->root,
							    names[i]));
	for (i = 0; i < MFA_N(mfa_default_services); i++)
		if (!mfa_strv_has(names, n, mfa_default_services[i]))
			json_array_append_new(svcs, mfa_pam_service(
				ctx->root, mfa_default_services[i]));
	plat_list_free(names, n);
	*facts = f;
	return PLUMB_OK;
}

static const struct probe probe_pam = {
	.name = "pam",
	.collect = pam_collect,
};

/* ---- the "sshd" probe ----------------------------------------------- */

/* Whether any ForceCommand line runs Duo's login_duo. */
static int
mfa_uses_login_duo(const json_t *facts)
{
	const json_t *l;
	size_t i;

	json_array_foreach(json_object_get(facts, "lines"), i, l) {
		const char *k = json_string_value(json_object_get(l, "key"));
		const char *v = json_string_value(json_object_get(l, "value"));

		if (k != NULL && v != NULL && strcmp(k, "forcecommand") == 0 &&
		    strstr(v, "login_duo") != NULL)
			return 1;
	}
	return 0;
}

static int
sshd_collect(const struct probe_ctx *ctx, const char *subject,
	     json_t **facts, struct errbuf *e)
{
	const char *path = subject != NULL ? subject : MFA_SSHD_CONFIG;
	struct pam_result *res = NULL;
	struct errbuf pe;
	json_t *f = NULL, *eff = NULL;
	int rc;

	*facts = NULL;
	rc = sshd_config_read(ctx->root, path, &f, e);
	if (rc != PLUMB_OK)
		return rc;
	if (!json_is_true(json_object_get(f, "present"))) {
		*facts = f;
		return PLUMB_OK;
	}
	rc = sshd_config_effective(f, NULL, &eff, e);
	if (rc != PLUMB_OK) {
		json_decref(f);
		return rc;
	}
	json_object_set_new(f, "effective", eff);
	if (pam_analyze(ctx->root, "sshd", PAM_FALLBACK_OTHER, &res, &pe) ==
	    PLUMB_OK) {
		json_object_set_new(f, "pam", pam_result_json(res));
		pam_result_free(res);
	} else {
		json_object_set_new(f, "pam", json_pack("{s:s,s:s}", "service",
							"sshd", "error",
							pe.msg));
	}
	if (mfa_uses_login_duo(f))
		json_object_set_new(f, "login_duo", pam_duo_conf(ctx->root,
					"/etc/duo/login_duo.conf"));
	*facts = f;
	return PLUMB_OK;
}

static const struct probe probe_sshd = {
	.name = "sshd",
	.collect = sshd_collect,
};

/* ---- shared judge helpers ------------------------------------------- */

static const char *
mfa_config_subject(const struct check *chk)
{
	return check_param_get(chk, "config");
}

static const char *
mfa_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The value of an effective keyword ("yes", "any", ...) or NULL. */
static const char *
mfa_eff(const json_t *eff, const char *key)
{
	return mfa_str(json_object_get(eff, key), "value");
}

static int
mfa_eff_yes(const json_t *eff, const char *key)
{
	const char *v = mfa_eff(eff, key);

	return v != NULL && strcmp(v, "yes") == 0;
}

/* {value, file, line, default, match?} of one keyword for evidence. */
static json_t *
mfa_eff_item(const json_t *eff, const char *key)
{
	json_t *v = json_object_get(eff, key);

	if (v == NULL)
		return json_pack("{s:n,s:n,s:n,s:b}", "value", "file", "line",
				 "default", 1);
	return json_deep_copy(v);
}

static int
mfa_param_is(const struct check *chk, const char *name)
{
	size_t i;

	for (i = 0; i < chk->nparams; i++)
		if (strcmp(chk->params[i].name, name) == 0)
			return 1;
	return 0;
}

/* Parses the optional "match" parameter into conn; 0 when absent. */
static int
mfa_conn(const struct check *chk, struct sshd_conn *conn, char **buf,
	 struct errbuf *e)
{
	const char *spec = check_param_get(chk, "match");

	*buf = NULL;
	if (spec == NULL)
		return 0;
	if (sshd_conn_parse(spec, conn, buf, e) != PLUMB_OK)
		return -1;
	return 1;
}

/* The sshd facts a judge starts from: notapplicable when sshd is not
 * configured, error when sshd would refuse the configuration; 0 to go on. */
static int
mfa_sshd_usable(const json_t *facts, struct check_outcome *out, json_t *ev)
{
	const json_t *errors = json_object_get(facts, "errors");
	const char *config = mfa_str(facts, "config");

	json_object_set_new(ev, "config", json_string(config != NULL ? config :
						       MFA_SSHD_CONFIG));
	if (!json_is_true(json_object_get(facts, "present"))) {
		check_outcome_set(out, STATUS_NOTAPPLICABLE, "sshd is not "
				  "configured: %s does not exist",
				  config != NULL ? config : MFA_SSHD_CONFIG);
		return -1;
	}
	if (json_array_size(json_object_get(facts, "unknown")) > 0)
		json_object_set(ev, "unknown_keywords",
				json_object_get(facts, "unknown"));
	if (json_array_size(errors) > 0) {
		json_object_set(ev, "config_errors", (json_t *)errors);
		check_outcome_set(out, STATUS_ERROR, "sshd would refuse this "
				  "configuration: %s%s",
				  json_string_value(json_array_get(errors, 0)),
				  json_array_size(errors) > 1 ?
				  " (and more)" : "");
		return -1;
	}
	return 0;
}

/* ---- sshd-option ---------------------------------------------------- */

static const struct check_param_spec sshd_option_params[] = {
	{ "key", CHECK_PARAM_STRING, CHECK_PARAM_REQUIRED,
	  "the sshd_config keyword, e.g. PermitRootLogin" },
	{ "equals", CHECK_PARAM_STRING, 0,
	  "the effective value must be this (as sshd reads it: yes/no in "
	  "any case, without-password = prohibit-password)" },
	{ "one_of", CHECK_PARAM_STRING, CHECK_PARAM_MULTI,
	  "the effective value must be one of these (repeatable)" },
	{ "not", CHECK_PARAM_STRING, CHECK_PARAM_MULTI,
	  "the effective value must not be this (repeatable)" },
	{ "min", CHECK_PARAM_INT, 0,
	  "the effective value, a number, must be at least this" },
	{ "max", CHECK_PARAM_INT, 0,
	  "the effective value, a number, must be at most this" },
	{ "config", CHECK_PARAM_STRING, 0,
	  "the sshd configuration file (default /etc/ssh/sshd_config)" },
	{ "match", CHECK_PARAM_STRING, 0,
	  "judge the values for this connection, as sshd -T -C takes it: "
	  "user=,host=,addr=,laddr=,lport=,rdomain=" },
	{ NULL, 0, 0, NULL }
};

static int
sshd_option_validate(const struct check *chk, struct errbuf *e)
{
	const char *kw = check_param_get(chk, "key"), *key, *cfg;
	struct sshd_conn conn;
	char *buf = NULL;
	size_t i;

	key = kw != NULL ? sshd_keyword(kw) : NULL;
	if (key == NULL)
		return err_set(e, PLUMB_EINVAL, "key '%s' is not an sshd_config "
			       "keyword sshd knows", kw != NULL ? kw : "");
	if (strcmp(key, "match") == 0 || strcmp(key, "include") == 0)
		return err_set(e, PLUMB_EINVAL, "key '%s' has no value to "
			       "judge", kw);
	if (!mfa_param_is(chk, "equals") && !mfa_param_is(chk, "one_of") &&
	    !mfa_param_is(chk, "not") && !mfa_param_is(chk, "min") &&
	    !mfa_param_is(chk, "max"))
		return err_set(e, PLUMB_EINVAL, "give equals, one_of, not, min "
			       "or max");
	if ((mfa_param_is(chk, "min") || mfa_param_is(chk, "max")) &&
	    !sshd_keyword_numeric(key))
		return err_set(e, PLUMB_EINVAL, "min and max need a numeric "
			       "keyword; %s is not one", kw);
	for (i = 0; i < chk->nparams; i++) {
		const char *n = chk->params[i].name;
		char *v;

		if (strcmp(n, "equals") != 0 && strcmp(n, "one_of") != 0 &&
		    strcmp(n, "not") != 0)
			continue;
		v = sshd_value_normalize(key, chk->params[i].value);
		if (v == NULL)
			return err_set(e, PLUMB_EINVAL, "%s '%s' is not a value "
				       "sshd accepts for %s", n,
				       chk->params[i].value, kw);
		free(v);
	}
	cfg = check_param_get(chk, "config");
	if (cfg != NULL && cfg[0] != '/')
		return err_set(e, PLUMB_EINVAL, "config must be an absolute "
			       "path");
	if (mfa_conn(chk, &conn, &buf, e) < 0)
		return PLUMB_EINVAL;
	free(buf);
	return PLUMB_OK;
}

/* Whether value equals the baseline's expected value as sshd reads both. */
static int
mfa_value_eq(const char *key, const char *value, const char *want)
{
	char *a = sshd_value_normalize(key, value);
	char *b = sshd_value_normalize(key, want);
	int eq = a != NULL && b != NULL && strcmp(a, b) == 0;

	free(a);
	free(b);
	return eq;
}

/* Match-block lines that set key and did not decide the value. */
static json_t *
mfa_overrides(const json_t *facts, const char *key, const json_t *used)
{
	const json_t *blocks = json_object_get(facts, "blocks"), *l;
	json_t *out = json_array();
	size_t i;

	json_array_foreach(json_object_get(facts, "lines"), i, l) {
		json_int_t b = json_integer_value(json_object_get(l, "block"));
		const json_t *blk;

		if (b < 0 || strcmp(mfa_str(l, "key"), key) != 0)
			continue;
		if (used != NULL && json_equal(json_object_get(used, "file"),
					       json_object_get(l, "file")) &&
		    json_equal(json_object_get(used, "line"),
			       json_object_get(l, "line")))
			continue;
		blk = json_array_get(blocks, (size_t)b);
		json_array_append_new(out, json_pack("{s:O,s:O,s:O,s:O}",
			"match", json_object_get(blk, "criteria"),
			"value", json_object_get(l, "value"),
			"file", json_object_get(l, "file"),
			"line", json_object_get(l, "line")));
	}
	return out;
}

static void
sshd_option_judge(const json_t *facts, const struct check *chk,
		  const struct probe_ctx *ctx, struct check_outcome *out)
{
	const char *kw = check_param_get(chk, "key");
	const char *key = sshd_keyword(kw), *value, *why = NULL;
	json_t *ev = json_object(), *eff = NULL, *item, *ov;
	struct sshd_conn conn;
	struct errbuf e;
	char *buf = NULL, *whybuf = NULL;
	int has_conn, ok = 1;
	size_t i;

	(void)ctx;
	out->evidence = ev;
	json_object_set_new(ev, "key", json_string(key));
	if (mfa_sshd_usable(facts, out, ev) != 0)
		return;
	has_conn = mfa_conn(chk, &conn, &buf, &e);
	if (has_conn < 0 || sshd_config_effective(facts, has_conn ? &conn :
						  NULL, &eff, &e) != 0) {
		check_outcome_set(out, STATUS_ERROR, "%s", e.msg);
		free(buf);
		return;
	}
	if (has_conn)
		json_object_set_new(ev, "connection",
				    json_string(check_param_get(chk, "match")));
	item = json_object_get(eff, key);
	value = item != NULL ? mfa_str(item, "value") : NULL;
	json_object_set_new(ev, "value", value != NULL ? json_string(value) :
			    json_null());
	json_object_set(ev, "file", item != NULL ?
			json_object_get(item, "file") : json_null());
	json_object_set(ev, "line", item != NULL ?
			json_object_get(item, "line") : json_null());
	json_object_set_new(ev, "default", json_boolean(item == NULL ||
		json_is_true(json_object_get(item, "default"))));
	if (item != NULL && json_object_get(item, "match") != NULL)
		json_object_set(ev, "match", json_object_get(item, "match"));
	ov = mfa_overrides(facts, key, item);
	if (json_array_size(ov) > 0)
		json_object_set_new(ev, "set_in_match_blocks", ov);
	else
		json_decref(ov);

	if (value == NULL) {
		ok = 0;
		why = "is not set and has no default";
	}
	for (i = 0; ok && i < chk->nparams; i++) {
		const char *n = chk->params[i].name, *want = chk->params[i].value;

		if (strcmp(n, "equals") == 0 && !mfa_value_eq(key, value,
							      want)) {
			ok = 0;
			whybuf = xasprintf("is %s, not %s", value, want);
		} else if (strcmp(n, "not") == 0 && mfa_value_eq(key, value,
								 want)) {
			ok = 0;
			whybuf = xasprintf("is %s, which is not allowed",
					   value);
		}
	}
	if (ok && mfa_param_is(chk, "one_of")) {
		int any = 0;

		for (i = 0; i < chk->nparams; i++)
			if (strcmp(chk->params[i].name, "one_of") == 0 &&
			    mfa_value_eq(key, value, chk->params[i].value))
				any = 1;
		if (!any) {
			ok = 0;
			whybuf = xasprintf("is %s, not one of the allowed "
					   "values", value);
		}
	}
	if (ok && (mfa_param_is(chk, "min") || mfa_param_is(chk, "max"))) {
		long long n;

		if (parse_ll(value, -0x7fffffffLL, 0x7fffffffLL, &n) != 0) {
			ok = 0;
			whybuf = xasprintf("is %s, not a number", value);
		} else if (mfa_param_is(chk, "min") &&
			   n < check_param_int(chk, "min", 0)) {
			ok = 0;
			whybuf = xasprintf("is %lld, below the minimum %lld", n,
					   check_param_int(chk, "min", 0));
		} else if (mfa_param_is(chk, "max") &&
			   n > check_param_int(chk, "max", 0)) {
			ok = 0;
			whybuf = xasprintf("is %lld, above the maximum %lld", n,
					   check_param_int(chk, "max", 0));
		}
	}
	if (whybuf != NULL)
		why = whybuf;
	{
		const char *src = item == NULL ||
			json_is_true(json_object_get(item, "default")) ?
			"sshd's default" : NULL;
		char *where = src != NULL ? xstrdup(src) :
			xasprintf("%s:%lld", mfa_str(item, "file"),
				  (long long)json_integer_value(
					  json_object_get(item, "line")));

		if (ok)
			check_outcome_set(out, STATUS_PASS, "%s is %s (%s)", kw,
					  value, where);
		else
			check_outcome_set(out, STATUS_FAIL, "%s %s (%s)", kw, why,
					  where);
		free(where);
	}
	free(whybuf);
	free(buf);
	json_decref(eff);
}

const struct check_type check_sshd_option = {
	.name = "sshd-option",
	.summary = "an sshd_config keyword has an allowed effective value "
		"(first value wins, Include and Match as sshd applies them, "
		"compiled-in defaults)",
	.probe = &probe_sshd,
	.params = sshd_option_params,
	.subject = mfa_config_subject,
	.validate = sshd_option_validate,
	.judge = sshd_option_judge,
};

/* ---- sshd-mfa ------------------------------------------------------- */

static const struct check_param_spec sshd_mfa_params[] = {
	{ "config", CHECK_PARAM_STRING, 0,
	  "the sshd configuration file (default /etc/ssh/sshd_config)" },
	{ "match", CHECK_PARAM_STRING, 0,
	  "judge only this connection, as sshd -T -C takes it (default: the "
	  "global configuration, every Match block that changes logins, and "
	  "those blocks together where one connection can match them all)" },
	{ NULL, 0, 0, NULL }
};

/* Keywords that decide how a user logs in. */
static const char *const mfa_auth_keys[] = {
	"authenticationmethods", "usepam", "kbdinteractiveauthentication",
	"passwordauthentication", "pubkeyauthentication",
	"hostbasedauthentication", "gssapiauthentication",
	"permitemptypasswords", "forcecommand", "pubkeyauthoptions",
	"pubkeyacceptedalgorithms", "permitrootlogin",
};

static int
sshd_mfa_validate(const struct check *chk, struct errbuf *e)
{
	const char *cfg = check_param_get(chk, "config");
	struct sshd_conn conn;
	char *buf = NULL;

	if (cfg != NULL && cfg[0] != '/')
		return err_set(e, PLUMB_EINVAL, "config must be an absolute "
			       "path");
	if (mfa_conn(chk, &conn, &buf, e) < 0)
		return PLUMB_EINVAL;
	free(buf);
	return PLUMB_OK;
}

/* Whether only FIDO security keys are accepted, each with its PIN: one
 * publickey method is then two factors (reference notes 4.1.3). */
static int
mfa_sk_with_pin(const json_t *eff)
{
	const char *algs = mfa_eff(eff, "pubkeyacceptedalgorithms");
	const char *opts = mfa_eff(eff, "pubkeyauthoptions");
	char *copy, *p, *a;
	int ok = 1;

	if (algs == NULL || opts == NULL ||
	    strstr(opts, "verify-required") == NULL ||
	    strchr("+-^", algs[0]) != NULL)
		return 0;
	copy = xstrdup(algs);
	p = copy;
	while (ok && (a = strsep(&p, ",")) != NULL)
		ok = strncmp(a, "sk-", 3) == 0;
	free(copy);
	return ok;
}

/* What the PAM stack of sshd gives a PAM-backed method. */
enum mfa_pamv {
	MFA_PAM_SECOND,		/* enforces a second factor */
	MFA_PAM_UNCERTAIN,	/* depends on a back end */
	MFA_PAM_NONE,		/* lets a login through without one */
	MFA_PAM_DEAD,		/* never succeeds: the method cannot be used */
	MFA_PAM_ERROR,		/* could not be analysed */
};

static enum mfa_pamv
mfa_pam_verdict(const json_t *pam)
{
	const char *v = mfa_str(pam, "verdict");

	if (pam == NULL || json_object_get(pam, "error") != NULL || v == NULL)
		return MFA_PAM_ERROR;
	if (strcmp(v, "enforced") == 0)
		return MFA_PAM_SECOND;
	if (strcmp(v, "uncertain") == 0)
		return MFA_PAM_UNCERTAIN;
	if (strcmp(v, "bypass") == 0)
		return MFA_PAM_NONE;
	return MFA_PAM_DEAD;
}

static int
mfa_method_enabled(const json_t *eff, const char *m, enum mfa_pamv pv)
{
	int pam = mfa_eff_yes(eff, "usepam");

	if (strcmp(m, "publickey") == 0)
		return mfa_eff_yes(eff, "pubkeyauthentication");
	if (strcmp(m, "password") == 0)
		return mfa_eff_yes(eff, "passwordauthentication") &&
			!(pam && pv == MFA_PAM_DEAD);
	if (strcmp(m, "keyboard-interactive") == 0)
		/* on Linux PAM is the only keyboard-interactive device */
		return mfa_eff_yes(eff, "kbdinteractiveauthentication") &&
			pam && pv != MFA_PAM_DEAD;
	if (strcmp(m, "hostbased") == 0)
		return mfa_eff_yes(eff, "hostbasedauthentication");
	if (strcmp(m, "gssapi-with-mic") == 0)
		return mfa_eff_yes(eff, "gssapiauthentication");
	if (strcmp(m, "none") == 0)
		return mfa_eff_yes(eff, "permitemptypasswords") &&
			mfa_eff_yes(eff, "passwordauthentication");
	return 0;
}

struct mfa_ctx_result {
	enum status status;
	json_t *lists;		/* [{methods, usable, first_factor,
				 *   second_factor}] */
	char *failing;		/* why the first list without two factors
				 * fails ("logins with ... need ...") */
	int usable;		/* lists a user can complete */
};

/*
 * Judges one context (effective values): every AuthenticationMethods list
 * a user can complete must hold a second factor.
 */
static void
mfa_judge_context(const json_t *eff, const json_t *pam, const json_t *duo,
		  struct mfa_ctx_result *r)
{
	static const char *const any_lists[] = {
		"publickey", "password", "keyboard-interactive", "hostbased",
		"gssapi-with-mic", "none",
	};
	const char *am = mfa_eff(eff, "authenticationmethods");
	const char *fc = mfa_eff(eff, "forcecommand");
	enum mfa_pamv pv = mfa_pam_verdict(pam);
	char **lists = NULL, *copy = NULL, *p, *l;
	size_t n = 0, i;
	int uncertain = 0, error = 0, duo_ok = 0;
	const char *pam_module = mfa_str(pam, "second_factor_module");
	const char *pam_first_module = mfa_str(pam, "first_factor_module");
	int pam_first = json_is_true(json_object_get(pam,
						     "first_factor_required"));

	memset(r, 0, sizeof(*r));
	r->lists = json_array();
	if (fc != NULL && strstr(fc, "login_duo") != NULL) {
		const char *fm = mfa_str(duo, "failmode");

		duo_ok = json_is_true(json_object_get(duo, "present")) &&
			fm != NULL && strcmp(fm, "secure") == 0 &&
			json_is_null(json_object_get(duo, "groups"));
	}
	if (am == NULL || strcmp(am, "any") == 0) {
		for (i = 0; i < MFA_N(any_lists); i++) {
			lists = xreallocarray(lists, n + 1, sizeof(*lists));
			lists[n++] = xstrdup(any_lists[i]);
		}
	} else {
		copy = xstrdup(am);
		p = copy;
		while ((l = strsep(&p, " ")) != NULL) {
			if (*l == '\0')
				continue;
			lists = xreallocarray(lists, n + 1, sizeof(*lists));
			lists[n++] = xstrdup(l);
		}
	}
	for (i = 0; i < n; i++) {
		char *ms = xstrdup(lists[i]), *q = ms, *m;
		int ok = 1, second = 0, maybe = 0, err = 0, first = 0;
		json_t *sf = json_null(), *ff = json_null();

		while ((m = strsep(&q, ",")) != NULL) {
			char *colon = strchr(m, ':');
			int via_pam;

			if (colon != NULL)
				*colon = '\0';
			if (!mfa_method_enabled(eff, m, pv)) {
				ok = 0;
				break;
			}
			via_pam = mfa_eff_yes(eff, "usepam") &&
				(strcmp(m, "keyboard-interactive") == 0 ||
				 strcmp(m, "password") == 0 ||
				 strcmp(m, "none") == 0);
			/* A key, a host key, a Kerberos ticket or a password
			 * sshd checks itself is a factor of its own; a
			 * PAM-backed method gives the factors of the PAM
			 * stack, however often the list repeats it. */
			if (!first && !via_pam && strcmp(m, "none") != 0) {
				first = 1;
				json_decref(ff);
				ff = json_string(m);
			} else if (!first && via_pam && pam_first) {
				first = 1;
				json_decref(ff);
				ff = json_sprintf("%s via PAM (%s)", m,
						  pam_first_module != NULL ?
						  pam_first_module : "?");
			}
			if (via_pam && pv == MFA_PAM_SECOND && !second) {
				second = 1;
				json_decref(sf);
				sf = json_sprintf("%s via PAM (%s)", m,
						  pam_module != NULL ?
						  pam_module : "?");
			} else if (via_pam && pv == MFA_PAM_UNCERTAIN) {
				maybe = 1;
			} else if (via_pam && pv == MFA_PAM_ERROR) {
				err = 1;
			}
			if (strcmp(m, "publickey") == 0 && mfa_sk_with_pin(eff) &&
			    !second) {
				second = 1;
				json_decref(sf);
				sf = json_string("publickey with FIDO keys and "
						 "verify-required");
			}
		}
		free(ms);
		if (ok && !second && duo_ok) {
			second = 1;
			json_decref(sf);
			sf = json_string("login_duo (ForceCommand)");
		}
		if (!ok) {
			json_decref(sf);
			json_decref(ff);
			sf = json_null();
			ff = json_null();
		}
		json_array_append_new(r->lists, json_pack("{s:s,s:b,s:o,s:o}",
			"methods", lists[i], "usable", ok, "first_factor", ff,
			"second_factor", sf));
		if (!ok)
			continue;
		r->usable++;
		if (second && first)
			continue;
		if (second) {
			if (r->failing == NULL)
				r->failing = xasprintf("logins with %s need "
					"only the second factor, no password, "
					"key or other first factor", lists[i]);
			continue;
		}
		if (err)
			error = 1;
		else if (maybe)
			uncertain = 1;
		else if (r->failing == NULL)
			r->failing = xasprintf("logins with %s need no second "
					       "factor", lists[i]);
	}
	if (r->failing != NULL)
		r->status = STATUS_FAIL;
	else if (error)
		r->status = STATUS_ERROR;
	else if (uncertain)
		r->status = STATUS_UNKNOWN;
	else
		r->status = STATUS_PASS;
	for (i = 0; i < n; i++)
		free(lists[i]);
	free(lists);
	free(copy);
}

static json_t *
mfa_context_values(const json_t *eff)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < MFA_N(mfa_auth_keys); i++)
		json_object_set_new(o, mfa_auth_keys[i],
				    mfa_eff_item(eff, mfa_auth_keys[i]));
	return o;
}

/* Whether block b (not "Match all") sets a keyword that decides logins. */
static int
mfa_block_relevant(const json_t *facts, size_t b)
{
	const json_t *l;
	size_t i, k;

	json_array_foreach(json_object_get(facts, "lines"), i, l) {
		if (json_integer_value(json_object_get(l, "block")) !=
		    (json_int_t)b)
			continue;
		for (k = 0; k < MFA_N(mfa_auth_keys); k++)
			if (strcmp(mfa_str(l, "key"), mfa_auth_keys[k]) == 0)
				return 1;
	}
	return 0;
}

/*
 * Judges the blocks in members (indexes of blocks, with the blocks they
 * sit in) taken as matching one connection: r as mfa_judge_context gives
 * it, *eff the effective configuration (json_decref).  -1 when it cannot
 * be computed.
 */
static int
mfa_eval_blocks(const json_t *facts, const size_t *members, size_t n,
		const json_t *pam, const json_t *duo,
		struct mfa_ctx_result *r, json_t **eff)
{
	const json_t *blocks = json_object_get(facts, "blocks");
	unsigned char *sel = xcalloc(json_array_size(blocks) + 1, 1);
	struct errbuf e;
	json_int_t up;
	size_t k;
	int rc;

	for (k = 0; k < n; k++) {
		sel[members[k]] = 1;
		for (up = json_integer_value(json_object_get(
			     json_array_get(blocks, members[k]), "parent"));
		     up >= 0 && (size_t)up < members[k];
		     up = json_integer_value(json_object_get(
			     json_array_get(blocks, (size_t)up), "parent")))
			sel[up] = 1;
	}
	*eff = NULL;
	rc = n > 1 && !sshd_config_sel_possible(facts, sel) ? 1 :
		sshd_config_effective_sel(facts, sel, eff, &e) != 0 ? -1 : 0;
	free(sel);
	if (rc == 0)
		mfa_judge_context(*eff, pam, duo, r);
	return rc;
}

/* The state of one search through combinations of Match blocks. */
struct mfa_combo {
	const json_t *facts, *pam, *duo;
	const size_t *rel;	/* the blocks judged alone, in file order */
	const enum status *rel_st;	/* and their statuses */
	size_t checked, exclusive;
	int capped;
	json_t *weaker;		/* combinations worse than their blocks */
	enum status *st;
	char **first_fail;
};

/*
 * Judges the blocks rel[pick[0..n-1]] together and records them when the
 * result is worse than the worst of them alone.  Returns 1 when recorded.
 */
static int
mfa_combo_try(struct mfa_combo *c, const size_t *pick, size_t n)
{
	const json_t *blocks = json_object_get(c->facts, "blocks");
	size_t members[PLUMB_SSHD_COMBO_ALL], k;
	struct mfa_ctx_result r;
	enum status worst = STATUS_PASS;
	json_t *eff = NULL, *names, *where;
	char *why, *t;
	int rc;

	for (k = 0; k < n; k++) {
		members[k] = c->rel[pick[k]];
		worst = status_combine(worst, c->rel_st[pick[k]]);
	}
	rc = mfa_eval_blocks(c->facts, members, n, c->pam, c->duo, &r, &eff);
	if (rc == 1)
		c->exclusive++;
	if (rc != 0)
		return 0;
	c->checked++;
	if (status_combine(worst, r.status) == worst) {
		json_decref(r.lists);
		free(r.failing);
		json_decref(eff);
		return 0;
	}
	names = json_array();
	where = json_array();
	why = xstrdup("");
	for (k = 0; k < n; k++) {
		const json_t *b = json_array_get(blocks, members[k]);

		json_array_append(names, json_object_get(b, "criteria"));
		json_array_append_new(where, json_sprintf("%s:%lld",
			mfa_str(b, "file"), (long long)json_integer_value(
				json_object_get(b, "line"))));
		t = xasprintf("%s%sMatch %s (%s:%lld)", why,
			      k == 0 ? "" : " together with ",
			      mfa_str(b, "criteria"), mfa_str(b, "file"),
			      (long long)json_integer_value(
				      json_object_get(b, "line")));
		free(why);
		why = t;
	}
	json_array_append_new(c->weaker, json_pack("{s:o,s:o,s:s,s:o,s:o}",
		"match", names, "where", where, "status",
		status_name(r.status), "effective", mfa_context_values(eff),
		"lists", r.lists));
	*c->st = status_combine(*c->st, r.status);
	if (r.failing != NULL && *c->first_fail == NULL)
		*c->first_fail = xasprintf("for %s, %s", why, r.failing);
	free(why);
	free(r.failing);
	json_decref(eff);
	return 1;
}

/*
 * Judges the blocks judged alone (rel, nrel) in combination: every
 * combination of two or more when there are at most PLUMB_SSHD_COMBO_ALL,
 * smallest first and never a superset of one already found weaker; pairs
 * beyond that; at most PLUMB_SSHD_COMBO_MAX judged.  Worsens *st and sets
 * *first_fail as the single blocks do.  Returns the evidence {checked,
 * exclusive, capped, weaker: [{match, where, status, effective, lists}]}.
 */
static json_t *
mfa_combinations(const json_t *facts, const json_t *pam, const json_t *duo,
		 const size_t *rel, const enum status *rel_st, size_t nrel,
		 enum status *st, char **first_fail)
{
	struct mfa_combo c = { facts, pam, duo, rel, rel_st, 0, 0, 0,
			       json_array(), st, first_fail };
	unsigned found[PLUMB_SSHD_COMBO_MAX];
	size_t nfound = 0, pick[PLUMB_SSHD_COMBO_ALL], n, i, j, k;
	unsigned mask;

	if (nrel <= PLUMB_SSHD_COMBO_ALL) {
		for (n = 2; n <= nrel && !c.capped; n++) {
			for (mask = 0; mask < (1u << nrel); mask++) {
				if ((size_t)__builtin_popcount(mask) != n)
					continue;
				for (k = 0; k < nfound; k++)
					if ((mask & found[k]) == found[k])
						break;
				if (k < nfound)
					continue;
				if (c.checked >= PLUMB_SSHD_COMBO_MAX) {
					c.capped = 1;
					break;
				}
				for (i = 0, k = 0; i < nrel; i++)
					if (mask & (1u << i))
						pick[k++] = i;
				if (mfa_combo_try(&c, pick, n) &&
				    nfound < PLUMB_SSHD_COMBO_MAX)
					found[nfound++] = mask;
			}
		}
	} else {
		for (i = 0; i < nrel && !c.capped; i++) {
			for (j = i + 1; j < nrel; j++) {
				if (c.checked >= PLUMB_SSHD_COMBO_MAX) {
					c.capped = 1;
					break;
				}
				pick[0] = i;
				pick[1] = j;
				(void)mfa_combo_try(&c, pick, 2);
			}
		}
	}
	return json_pack("{s:I,s:I,s:b,s:o}", "checked", (json_int_t)c.checked,
			 "exclusive", (json_int_t)c.exclusive, "capped",
			 c.capped, "weaker", c.weaker);
}

static void
sshd_mfa_judge(const json_t *facts, const struct check *chk,
	       const struct probe_ctx *ctx, struct check_outcome *out)
{
	const json_t *pam = json_object_get(facts, "pam");
	const json_t *duo = json_object_get(facts, "login_duo");
	const json_t *blocks = json_object_get(facts, "blocks"), *b;
	json_t *ev = json_object(), *eff = NULL, *ctxs;
	struct mfa_ctx_result g;
	struct sshd_conn conn;
	struct errbuf e;
	char *buf = NULL, *first_fail = NULL;
	enum status st, *rel_st;
	size_t i, *rel, nrel = 0;
	int has_conn;

	(void)ctx;
	out->evidence = ev;
	if (mfa_sshd_usable(facts, out, ev) != 0)
		return;
	has_conn = mfa_conn(chk, &conn, &buf, &e);
	if (has_conn < 0 || sshd_config_effective(facts, has_conn ? &conn :
						  NULL, &eff, &e) != 0) {
		check_outcome_set(out, STATUS_ERROR, "%s", e.msg);
		free(buf);
		return;
	}
	mfa_judge_context(eff, pam, duo, &g);
	json_object_set_new(ev, "effective", mfa_context_values(eff));
	json_object_set_new(ev, "lists", g.lists);
	json_object_set(ev, "pam", pam != NULL ? (json_t *)pam : json_null());
	if (duo != NULL)
		json_object_set(ev, "login_duo", (json_t *)duo);
	if (has_conn)
		json_object_set_new(ev, "connection",
				    json_string(check_param_get(chk, "match")));
	st = g.status;
	if (g.failing != NULL)
		first_fail = xstrdup(g.failing);
	json_decref(eff);

	ctxs = json_array();
	rel = xcalloc(json_array_size(blocks) + 1, sizeof(*rel));
	rel_st = xcalloc(json_array_size(blocks) + 1, sizeof(*rel_st));
	json_array_foreach(blocks, i, b) {
		const char *a0 = json_string_value(json_array_get(
			json_array_get(json_object_get(b, "attrs"), 0), 0));
		struct mfa_ctx_result r;
		json_t *beff = NULL;

		if (has_conn || (a0 != NULL && strcmp(a0, "all") == 0) ||
		    json_is_true(json_object_get(b, "invalid")) ||
		    !mfa_block_relevant(facts, i))
			continue;
		if (mfa_eval_blocks(facts, &i, 1, pam, duo, &r, &beff) != 0)
			continue;
		json_array_append_new(ctxs, json_pack("{s:O,s:O,s:O,s:s,s:o,"
			"s:o}", "match", json_object_get(b, "criteria"),
			"file", json_object_get(b, "file"),
			"line", json_object_get(b, "line"),
			"status", status_name(r.status),
			"effective", mfa_context_values(beff),
			"lists", r.lists));
		st = status_combine(st, r.status);
		if (r.failing != NULL && first_fail == NULL)
			first_fail = xasprintf("for Match %s (%s:%lld), %s",
					       mfa_str(b, "criteria"),
					       mfa_str(b, "file"),
					       (long long)json_integer_value(
						       json_object_get(b,
								       "line")),
					       r.failing);
		free(r.failing);
		json_decref(beff);
		rel[nrel] = i;
		rel_st[nrel++] = r.status;
	}
	json_object_set_new(ev, "match_blocks", ctxs);
	if (!has_conn)
		json_object_set_new(ev, "match_combinations",
			mfa_combinations(facts, pam, duo, rel, rel_st, nrel,
					 &st, &first_fail));
	free(rel);
	free(rel_st);

	switch (st) {
	case STATUS_FAIL:
		check_outcome_set(out, st, "SSH second factor not enforced: %s",
				  first_fail != NULL ? first_fail : "");
		break;
	case STATUS_ERROR:
		check_outcome_set(out, st, "the sshd PAM stack could not be "
				  "analysed: %s", mfa_str(pam, "error") != NULL ?
				  mfa_str(pam, "error") : "no verdict");
		break;
	case STATUS_UNKNOWN:
		check_outcome_set(out, st, "SSH logins rely on %s, whose second "
				  "factor depends on its back end",
				  mfa_str(pam, "second_factor_module") != NULL ?
				  mfa_str(pam, "second_factor_module") : "PAM");
		break;
	default:
		if (g.usable == 0)
			check_outcome_set(out, STATUS_PASS, "no SSH login method "
					  "can succeed, so none skips a second "
					  "factor");
		else
			check_outcome_set(out, STATUS_PASS, "every SSH login "
					  "needs a second factor "
					  "(AuthenticationMethods %s)",
					  mfa_str(json_object_get(
						  json_object_get(ev,
								  "effective"),
						  "authenticationmethods"),
						  "value"));
		break;
	}
	free(g.failing);
	free(first_fail);
	free(buf);
}

const struct check_type check_sshd_mfa = {
	.name = "sshd-mfa",
	.summary = "every way to log in over SSH needs two factors "
		"(AuthenticationMethods, UsePAM and the sshd PAM stack)",
	.probe = &probe_sshd,
	.params = sshd_mfa_params,
	.subject = mfa_config_subject,
	.validate = sshd_mfa_validate,
	.judge = sshd_mfa_judge,
};

/* ---- pam-mfa -------------------------------------------------------- */

static const struct check_param_spec pam_mfa_params[] = {
	{ "service", CHECK_PARAM_STRING, CHECK_PARAM_MULTI,
	  "a PAM service to judge (repeatable; default sshd, login, sudo, su "
	  "and gdm-password, lightdm where installed); for sudo, sudoers "
	  "rules that skip authentication for every command fail it too" },
	{ "require", CHECK_PARAM_BOOL, 0,
	  "a bypassable service, or one other than sshd where the second "
	  "factor alone lets a user in, fails the check (default true; false "
	  "only reports)" },
	{ NULL, 0, 0, NULL }
};

/* One service names the probe subject; several (or none) need them all. */
static const char *
pam_mfa_subject(const struct check *chk)
{
	const char *one = NULL;
	size_t i;

	for (i = 0; i < chk->nparams; i++) {
		if (strcmp(chk->params[i].name, "service") != 0)
			continue;
		if (one != NULL)
			return NULL;
		one = chk->params[i].value;
	}
	return one;
}

static int
pam_mfa_validate(const struct check *chk, struct errbuf *e)
{
	size_t i;

	for (i = 0; i < chk->nparams; i++) {
		const char *v = chk->params[i].value;

		if (strcmp(chk->params[i].name, "service") != 0)
			continue;
		if (v[0] == '\0' || strchr(v, '/') != NULL ||
		    strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
			return err_set(e, PLUMB_EINVAL, "service '%s' is not a "
				       "PAM service name", v);
	}
	return PLUMB_OK;
}

static const json_t *
mfa_find_service(const json_t *facts, const char *svc)
{
	const json_t *s;
	size_t i;

	json_array_foreach(json_object_get(facts, "services"), i, s) {
		const char *n = mfa_str(s, "service");

		if (n != NULL && strcmp(n, svc) == 0)
			return s;
	}
	return NULL;
}

/*
 * Copies the sudoers rules that skip authentication into the sudo entry of
 * the evidence ("sudoers_without_authentication").  Returns -1 when sudoers
 * could not be read (*why says why), 1 when a rule lets someone run every
 * command without authenticating (*why names the first), else 0.
 */
static int
mfa_sudoers_judge(const json_t *facts, json_t *entry, char **why)
{
	const json_t *su = json_object_get(facts, "sudoers"), *k;
	json_t *skips = json_array();
	size_t i;
	int rc = 0;

	*why = NULL;
	json_object_set_new(entry, "sudoers_without_authentication", skips);
	if (su == NULL || (json_object_get(su, "error") == NULL &&
			   !json_is_true(json_object_get(su, "present"))))
		return 0;
	if (json_object_get(su, "error") != NULL) {
		json_object_set(entry, "sudoers_error",
				json_object_get(su, "error"));
		*why = xasprintf("sudoers: %s", mfa_str(su, "error"));
		return -1;
	}
	json_array_foreach(json_object_get(su, "skips"), i, k) {
		json_array_append(skips, (json_t *)k);
		if (rc == 0 && json_is_true(json_object_get(k, "all"))) {
			rc = 1;
			*why = xasprintf("sudo (%s %s for %s, %s:%lld)",
					 strcmp(mfa_str(k, "kind"),
						"nopasswd") == 0 ?
					 "NOPASSWD:" : "Defaults !authenticate:",
					 mfa_str(k, "commands"),
					 mfa_str(k, "who"), mfa_str(k, "file"),
					 (long long)json_integer_value(
						 json_object_get(k, "line")));
		}
	}
	return rc;
}

static void
mfa_list_add(struct dynbuf *b, const char *s)
{
	(void)dynbuf_printf(b, "%s%s", b->len ? ", " : "", s);
}

static void
pam_mfa_judge(const json_t *facts, const struct check *chk,
	      const struct probe_ctx *ctx, struct check_outcome *out)
{
	json_t *ev = json_object(), *svcs = json_array();
	const char **want = NULL;
	size_t nwant = 0, i, present = 0;
	struct dynbuf ok, bad, unk, err, absent, single, noauth;
	json_t *entry;
	char *why = NULL;
	int sudo;
	enum status st = STATUS_PASS;
	int require = check_param_bool(chk, "require", 1);

	(void)ctx;
	out->evidence = ev;
	json_object_set_new(ev, "services", svcs);
	for (i = 0; i < chk->nparams; i++) {
		if (strcmp(chk->params[i].name, "service") != 0)
			continue;
		want = xreallocarray(want, nwant + 1, sizeof(*want));
		want[nwant++] = chk->params[i].value;
	}
	if (nwant == 0) {
		for (i = 0; i < MFA_N(mfa_default_services); i++) {
			want = xreallocarray(want, nwant + 1, sizeof(*want));
			want[nwant++] = mfa_default_services[i];
		}
		for (i = 0; i < MFA_N(mfa_optional_services); i++) {
			const json_t *s = mfa_find_service(facts,
						mfa_optional_services[i]);

			if (s == NULL || !json_is_true(json_object_get(s,
								"present")))
				continue;
			want = xreallocarray(want, nwant + 1, sizeof(*want));
			want[nwant++] = mfa_optional_services[i];
		}
	}
	dynbuf_init(&ok, PLUMB_TEXT_MAX);
	dynbuf_init(&bad, PLUMB_TEXT_MAX);
	dynbuf_init(&unk, PLUMB_TEXT_MAX);
	dynbuf_init(&err, PLUMB_TEXT_MAX);
	dynbuf_init(&absent, PLUMB_TEXT_MAX);
	dynbuf_init(&single, PLUMB_TEXT_MAX);
	dynbuf_init(&noauth, PLUMB_TEXT_MAX);
	for (i = 0; i < nwant; i++) {
		const json_t *s = mfa_find_service(facts, want[i]);
		const char *v = mfa_str(s, "verdict");

		if (s == NULL || (v != NULL && strcmp(v, "absent") == 0)) {
			json_array_append_new(svcs, json_pack("{s:s,s:b,s:s,"
				"s:n,s:n}", "service", want[i], "present", 0,
				"verdict", "absent", "second_factor_module",
				"path_that_bypasses"));
			mfa_list_add(&absent, want[i]);
			continue;
		}
		entry = json_deep_copy(s);
		json_array_append_new(svcs, entry);
		present++;
		sudo = strcmp(want[i], "sudo") == 0 ?
			mfa_sudoers_judge(facts, entry, &why) : 0;
		if (sudo < 0) {
			mfa_list_add(&err, why);
			st = status_combine(st, STATUS_ERROR);
		} else if (sudo > 0) {
			mfa_list_add(&noauth, why);
			st = status_combine(st, STATUS_FAIL);
		} else if (json_object_get(s, "error") != NULL || v == NULL) {
			mfa_list_add(&err, want[i]);
			st = status_combine(st, STATUS_ERROR);
		} else if (strcmp(v, "bypass") == 0) {
			mfa_list_add(&bad, want[i]);
			st = status_combine(st, STATUS_FAIL);
		} else if (strcmp(v, "uncertain") == 0) {
			mfa_list_add(&unk, want[i]);
			st = status_combine(st, STATUS_UNKNOWN);
		} else if (strcmp(v, "enforced") == 0 &&
			   strcmp(want[i], "sshd") != 0 &&
			   json_is_false(json_object_get(s,
					"first_factor_required"))) {
			/* sshd's own methods (a key) may give the first
			 * factor; every other service has only PAM's */
			mfa_list_add(&single, want[i]);
			st = status_combine(st, STATUS_FAIL);
		} else {
			const char *m = mfa_str(s, "second_factor_module");
			char *t = xasprintf("%s (%s)", want[i],
					    strcmp(v, "never") == 0 ?
					    "no login succeeds" : m != NULL ? m :
					    "no run succeeds without one");

			mfa_list_add(&ok, t);
			free(t);
		}
		free(why);
		why = NULL;
	}
	if (present == 0) {
		check_outcome_set(out, STATUS_NOTAPPLICABLE, "none of the PAM "
				  "services %s is configured on this host",
				  absent.data != NULL ? absent.data : "");
	} else {
		struct dynbuf m;

		dynbuf_init(&m, 4 * PLUMB_TEXT_MAX);
		if (bad.len)
			(void)dynbuf_printf(&m, "no second factor needed for "
					    "%s; ", bad.data);
		if (noauth.len)
			(void)dynbuf_printf(&m, "sudoers lets every command "
					    "run without authentication: %s; ",
					    noauth.data);
		if (single.len)
			(void)dynbuf_printf(&m, "the second factor alone is "
					    "enough (no password or other "
					    "first factor) for %s; ",
					    single.data);
		if (unk.len)
			(void)dynbuf_printf(&m, "second factor depends on a "
					    "back end for %s; ", unk.data);
		if (err.len)
			(void)dynbuf_printf(&m, "cannot read the PAM "
					    "configuration of %s; ", err.data);
		if (ok.len)
			(void)dynbuf_printf(&m, "second factor enforced for "
					    "%s; ", ok.data);
		if (absent.len)
			(void)dynbuf_printf(&m, "not configured: %s; ",
					    absent.data);
		if (m.len >= 2)
			m.data[m.len - 2] = '\0';
		check_outcome_set(out, require ? st : STATUS_INFORMATIONAL,
				  "%s", m.data);
		dynbuf_release(&m);
	}
	dynbuf_release(&ok);
	dynbuf_release(&bad);
	dynbuf_release(&unk);
	dynbuf_release(&err);
	dynbuf_release(&absent);
	dynbuf_release(&single);
	dynbuf_release(&noauth);
	free(want);
}

const struct check_type check_pam_mfa = {
	.name = "pam-mfa",
	.summary = "every successful run of a service's PAM auth stack passes "
		"a second-factor module and, but for sshd, a first factor "
		"(include, substack, jumps and weakening options such as nullok "
		"taken into account; sudoers for sudo)",
	.probe = &probe_pam,
	.params = pam_mfa_params,
	.subject = pam_mfa_subject,
	.validate = pam_mfa_validate,
	.judge = pam_mfa_judge,
};

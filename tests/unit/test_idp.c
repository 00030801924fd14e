/*
 * test_idp.c - the identity-provider client's parsers and signatures, the
 * credential rules, the Entra and Okta policy evaluation, and the idp-mfa
 * judge and validation.
 *
 * The Duo signature is compared with a value computed by Python's hmac
 * module following duo_client's canonicalize() (signature v5); the JWT is
 * verified with the public half of the key it was signed with.  The HTTP
 * paths (paging, 429, 401 refresh, 403) run against the fake server in
 * tests/e2e/idp.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "baseline.h"
#include "idp.h"
#include "probe.h"
#include "support.h"

/* ---- small parsers ---------------------------------------------------- */

static const struct {
	const char *link, *next;
} link_cases[] = {
	{ "<https://o.example/api/v1/users?limit=200>; rel=\"self\", "
	  "<https://o.example/api/v1/users?after=00ub&limit=200>; rel=\"next\"",
	  "https://o.example/api/v1/users?after=00ub&limit=200" },
	{ "<https://o.example/a>; rel=\"self\"", NULL },
	{ "<https://o.example/n>; rel=next", "https://o.example/n" },
	{ "<https://o.example/x>; rel=\"nextpage\", <https://o.example/y>; "
	  "rel=\"next\"", "https://o.example/y" },
	{ "", NULL },
	{ "<https://o.example/broken; rel=\"next\"", NULL },
};

static void
link_next__finds_the_next_relation_only(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(link_cases) / sizeof(link_cases[0]); i++) {
		char *n = idp_link_next(link_cases[i].link);

		if (link_cases[i].next == NULL)
			assert_null(n);
		else
			assert_string_equal(n, link_cases[i].next);
		free(n);
	}
}

static void
retry_after__reads_seconds_and_http_dates(void **state)
{
	(void)state;
	assert_int_equal(idp_retry_after("1", 0), 1);
	assert_int_equal(idp_retry_after("120", 0), 120);
	/* Wed, 21 Oct 2015 07:28:00 GMT is 1445412480. */
	assert_int_equal(idp_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
					 1445412470), 10);
	assert_int_equal(idp_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
					 1445412490), 0);
	assert_int_equal(idp_retry_after("soon", 0), -1);
	assert_int_equal(idp_retry_after("-5", 0), -1);
}

static const struct {
	const char *base, *url;
	int same;
} origin_cases[] = {
	{ "https://graph.microsoft.com", "https://graph.microsoft.com/v1.0/users?$skiptoken=x", 1 },
	{ "https://127.0.0.1:8443/s/a", "https://127.0.0.1:8443/s/a/v1.0/users", 1 },
	{ "https://Graph.Microsoft.com", "https://graph.microsoft.com/v1.0", 1 },
	{ "https://127.0.0.1:8443", "https://127.0.0.1:9443/x", 0 },
	{ "https://graph.microsoft.com", "http://graph.microsoft.com/v1.0", 0 },
	{ "https://graph.microsoft.com", "https://graph.microsoft.com.evil.example/v1.0", 0 },
	{ "https://graph.microsoft.com", "https://graph.microsoft.com@evil.example/v1.0", 0 },
	{ "https://graph.microsoft.com", "https://evil.example/?https://graph.microsoft.com", 0 },
	{ "https://graph.microsoft.com", "graph.microsoft.com/v1.0", 0 },
};

static void
same_origin__keeps_tokens_on_the_configured_host(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(origin_cases) / sizeof(origin_cases[0]); i++) {
		if (idp_same_origin(origin_cases[i].base, origin_cases[i].url) !=
		    origin_cases[i].same)
			fail_msg("case %zu: %s vs %s", i, origin_cases[i].base,
				 origin_cases[i].url);
	}
}

static void
urlencode__keeps_only_unreserved(void **state)
{
	char *s;

	(void)state;
	s = idp_urlencode("a b~/\xc3\xa9-_.+=&");
	assert_string_equal(s, "a%20b~%2F%C3%A9-_.%2B%3D%26");
	free(s);
}

static void
b64url__has_no_padding_or_plus_slash(void **state)
{
	char *s;

	(void)state;
	s = idp_b64url((const unsigned char *)"\xfb\xff\xbf", 3);
	assert_string_equal(s, "-_-_");
	free(s);
	s = idp_b64url((const unsigned char *)"ab", 2);
	assert_string_equal(s, "YWI");
	free(s);
}

/* ---- Duo signature ----------------------------------------------------- */

static void
duo_sign__matches_duo_client_v5(void **state)
{
	char *sig, *canon;

	(void)state;
	sig = idp_duo_sign("DIWJ8X6AEYOR5OMC6TQ1",
			   "gtdfxv9YgVBYcF6dl2Eq17KUQJN2PLM2ODVTkvoT",
			   "Tue, 21 Aug 2012 17:29:18 -0000", "GET",
			   "API-xxxxxxxx.duosecurity.com", "/admin/v1/users",
			   "limit=100&offset=0");
	assert_string_equal(sig, "Basic RElXSjhYNkFFWU9SNU9NQzZUUTE6MmQwOWNkOGI5"
		"MzRlMmMyODFiMGM1Njk5OTU4MTFjM2IyYTA0ZTIwYzE1Y2JlMjg0NzE5MGVj"
		"OTI4ODljOGNlOTNjZjNlMjQ3NzRlZTExOTBlNWRlOWRjZjQ1MzQ5MWFkOTY0"
		"OGJkOGU2NjViMGQ5OGE4ZmE1Y2NkYzgyMzNiN2M=");
	free(sig);
	canon = idp_duo_canon("D", "GET", "Host.Example", "/p", "a=1");
	/* Host lower-cased; empty-body and empty-header hashes appended. */
	assert_non_null(strstr(canon, "D\nGET\nhost.example\n/p\na=1\ncf83e135"));
	free(canon);
}

/* ---- JWT ----------------------------------------------------------------- */

static char *
pem_of(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p, *out;
	long n;

	assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL,
						  NULL), 1);
	n = BIO_get_mem_data(b, &p);
	out = xstrndup(p, (size_t)n);
	BIO_free(b);
	return out;
}

static unsigned char *
b64url_decode(const char *s, size_t n, size_t *outlen)
{
	char *t = xcalloc(1, n + 4);
	unsigned char *out = xcalloc(1, n + 4);
	size_t i;
	int len;

	for (i = 0; i < n; i++)
		t[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	while (i % 4 != 0)
		t[i++] = '=';
	len = EVP_DecodeBlock(out, (unsigned char *)t, (int)i);
	assert_true(len >= 0);
	*outlen = (size_t)len - (n % 4 == 2 ? 2 : n % 4 == 3 ? 1 : 0);
	free(t);
	return out;
}

static void
jwt_rs256__verifies_with_the_public_key(void **state)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	struct errbuf e = { "" };
	json_t *claims = json_pack("{s:s, s:i}", "iss", "sa@example", "iat", 1);
	char *pem = pem_of(k), *jwt = NULL, *dot2;
	unsigned char *sig, *hdr;
	size_t siglen, hlen;

	(void)state;
	assert_int_equal(idp_jwt_rs256(pem, "k1", claims, &jwt, &e), 0);
	dot2 = strrchr(jwt, '.');
	assert_non_null(dot2);
	hdr = b64url_decode(jwt, strcspn(jwt, "."), &hlen);
	assert_non_null(strstr((char *)hdr, "\"alg\":\"RS256\""));
	assert_non_null(strstr((char *)hdr, "\"kid\":\"k1\""));
	sig = b64url_decode(dot2 + 1, strlen(dot2 + 1), &siglen);
	assert_int_equal(siglen, 256);
	assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k), 1);
	assert_int_equal(EVP_DigestVerify(md, sig, siglen,
					  (unsigned char *)jwt,
					  (size_t)(dot2 - jwt)), 1);
	/* One flipped byte of the signed part no longer verifies. */
	jwt[3] ^= 1;
	assert_int_not_equal(EVP_DigestVerify(md, sig, siglen,
					      (unsigned char *)jwt,
					      (size_t)(dot2 - jwt)), 1);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	json_decref(claims);
	free(pem);
	free(jwt);
	free(sig);
	free(hdr);
}

static void
jwt_rs256__refuses_non_rsa_and_garbage_keys(void **state)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	struct errbuf e = { "" };
	json_t *claims = json_object();
	char *pem = pem_of(k), *jwt = NULL;

	(void)state;
	assert_int_equal(idp_jwt_rs256(pem, NULL, claims, &jwt, &e),
			 PLUMB_EPARSE);
	assert_null(jwt);
	assert_non_null(strstr(e.msg, "not an RSA key"));
	assert_int_equal(idp_jwt_rs256("-----BEGIN PRIVATE KEY-----\nxx\n",
				       NULL, claims, &jwt, &e), PLUMB_EPARSE);
	assert_int_equal(idp_jwt_rs256(NULL, NULL, claims, &jwt, &e),
			 PLUMB_EUSAGE);
	EVP_PKEY_free(k);
	json_decref(claims);
	free(pem);
}

/* ---- credentials ------------------------------------------------------ */

#define SECRET "hunter2-super-secret-value"

static void
write_creds(const char *path, const char *text, mode_t mode)
{
	FILE *f;

	unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static int
client_for(const char *file, const char *env, struct idp_client **c,
	   struct errbuf *e)
{
	struct idp_conf conf = {
		.provider = "entra", .tenant = "t", .base_url = "https://x",
		.credentials_file = file, .credentials_env = env,
	};

	return idp_client_new(&conf, IDP_AUTH_BEARER, NULL, c, e);
}

static void
credentials__file_must_be_private(void **state)
{
	char dir[SUPPORT_DIR_MAX];
	char path[SUPPORT_DIR_MAX + 8], link[SUPPORT_DIR_MAX + 8];
	struct idp_client *c = NULL;
	struct errbuf e = { "" };

	(void)state;
	support_tmpdir(dir, sizeof(dir), "idp");
	snprintf(path, sizeof(path), "%s/c.json", dir);
	snprintf(link, sizeof(link), "%s/l.json", dir);
	write_creds(path, "{\"client_id\":\"a\",\"client_secret\":\"" SECRET
		    "\"}", 0644);
	assert_int_equal(client_for(path, NULL, &c, &e), PLUMB_EPERM);
	assert_null(c);
	assert_non_null(strstr(e.msg, "must be mode 0600"));
	assert_null(strstr(e.msg, SECRET));

	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(client_for(path, NULL, &c, &e), 0);
	assert_string_equal(idp_cred(c, "client_secret"), SECRET);
	idp_client_free(c);
	c = NULL;

	/* A symlink is not followed: the file named must be the file read. */
	assert_int_equal(symlink(path, link), 0);
	assert_int_not_equal(client_for(link, NULL, &c, &e), 0);
	assert_null(c);

	write_creds(path, "{\"client_secret\": " SECRET "}", 0600);
	assert_int_equal(client_for(path, NULL, &c, &e), PLUMB_EPARSE);
	assert_null(strstr(e.msg, "hunter2"));
	assert_non_null(strstr(e.msg, "line 1"));

	assert_int_equal(client_for(NULL, NULL, &c, &e), PLUMB_EUSAGE);
	unlink(link);
	unlink(path);
	rmdir(dir);
}

static void
credentials__env_is_json_and_never_quoted(void **state)
{
	struct idp_client *c = NULL;
	struct errbuf e = { "" };

	(void)state;
	unsetenv("TEST_IDP_CREDS");
	assert_int_equal(client_for(NULL, "TEST_IDP_CREDS", &c, &e),
			 PLUMB_ENOENT);
	assert_non_null(strstr(e.msg, "TEST_IDP_CREDS"));
	setenv("TEST_IDP_CREDS", SECRET, 1);
	assert_int_equal(client_for(NULL, "TEST_IDP_CREDS", &c, &e),
			 PLUMB_EPARSE);
	assert_null(strstr(e.msg, "hunter2"));
	setenv("TEST_IDP_CREDS", "{\"ikey\":\"I\",\"skey\":\"" SECRET "\"}", 1);
	assert_int_equal(client_for(NULL, "TEST_IDP_CREDS", &c, &e), 0);
	assert_string_equal(idp_cred(c, "ikey"), "I");
	idp_client_free(c);
	unsetenv("TEST_IDP_CREDS");
}

/* ---- Entra policy evaluation ------------------------------------------- */

#define CA(state, users, grant, extra) \
	"{\"displayName\":\"P\",\"state\":\"" state "\",\"conditions\":{" \
	"\"users\":" users ",\"applications\":{\"includeApplications\":" \
	"[\"All\"]}" extra "},\"grantControls\":" grant "}"
#define ALL "{\"includeUsers\":[\"All\"]}"
#define MFA "{\"operator\":\"OR\",\"builtInControls\":[\"mfa\"]}"

static const struct {
	const char *name;
	const char *policies;		/* JSON list */
	int guest, sec_defaults;
	int enforced;
	const char *bypass;		/* substring of the first bypass, or NULL */
} entra_cases[] = {
	{ "enabled policy for all users", "[" CA("enabled", ALL, MFA, "") "]",
	  0, 0, 1, NULL },
	{ "no policy, no security defaults", "[]", 0, 0, 0, NULL },
	{ "security defaults", "[]", 0, 1, 1, NULL },
	{ "report-only policy", "[" CA("enabledForReportingButNotEnforced", ALL,
				      MFA, "") "]", 0, 0, 0, "report-only" },
	{ "disabled policy", "[" CA("disabled", ALL, MFA, "") "]", 0, 0, 0,
	  NULL },
	{ "excluded user", "[" CA("enabled", "{\"includeUsers\":[\"All\"],"
				  "\"excludeUsers\":[\"u1\"]}", MFA, "") "]",
	  0, 0, 0, "excluded from conditional access policy 'P'" },
	{ "excluded through a group", "[" CA("enabled", "{\"includeUsers\":"
		"[\"All\"],\"excludeGroups\":[\"g1\"]}", MFA, "") "]", 0, 0, 0,
	  "excluded" },
	{ "included through a role", "[" CA("enabled", "{\"includeRoles\":"
		"[\"r1\"]}", MFA, "") "]", 0, 0, 1, NULL },
	{ "mfa OR compliant device is not MFA", "[" CA("enabled", ALL,
		"{\"operator\":\"OR\",\"builtInControls\":[\"mfa\","
		"\"compliantDevice\"]}", "") "]", 0, 0, 0, NULL },
	{ "mfa AND compliant device is MFA", "[" CA("enabled", ALL,
		"{\"operator\":\"AND\",\"builtInControls\":[\"mfa\","
		"\"compliantDevice\"]}", "") "]", 0, 0, 1, NULL },
	{ "authentication strength", "[" CA("enabled", ALL,
		"{\"operator\":\"OR\",\"builtInControls\":[],"
		"\"authenticationStrength\":{\"id\":\"x\"}}", "") "]", 0, 0, 1,
	  NULL },
	{ "browser only is not enforcement", "[" CA("enabled", ALL, MFA,
		",\"clientAppTypes\":[\"browser\"]") "]", 0, 0, 0, NULL },
	{ "modern clients without a legacy block", "[" CA("enabled", ALL, MFA,
		",\"clientAppTypes\":[\"browser\",\"mobileAppsAndDesktopClients\"]")
	  "]", 0, 0, 1, "legacy authentication" },
	{ "modern clients with a legacy block", "[" CA("enabled", ALL, MFA,
		",\"clientAppTypes\":[\"browser\",\"mobileAppsAndDesktopClients\"]")
	  "," CA("enabled", ALL, "{\"builtInControls\":[\"block\"]}",
		 ",\"clientAppTypes\":[\"exchangeActiveSync\",\"other\"]") "]",
	  0, 0, 1, NULL },
	{ "policy for guests, user is a guest", "[" CA("enabled",
		"{\"includeUsers\":[\"GuestsOrExternalUsers\"]}", MFA, "") "]",
	  1, 0, 1, NULL },
	{ "policy for guests, user is a member", "[" CA("enabled",
		"{\"includeUsers\":[\"GuestsOrExternalUsers\"]}", MFA, "") "]",
	  0, 0, 0, NULL },
};

static void
entra_evaluate__policies_to_facts(void **state)
{
	json_t *groups = json_loads("{\"g1\":{\"u1\":true}}", 0, NULL);
	json_t *roles = json_loads("{\"r1\":{\"u1\":true}}", 0, NULL);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(entra_cases) / sizeof(entra_cases[0]); i++) {
		json_error_t je;
		json_t *pol = json_loads(entra_cases[i].policies, 0, &je);
		json_t *u = idp_user_new("u1@x", "u1", 0, 1,
					 entra_cases[i].guest, "enabled");
		const char *b;

		if (pol == NULL)
			fail_msg("%s: bad JSON: %s", entra_cases[i].name, je.text);
		idp_entra_evaluate(u, pol, groups, roles,
				   entra_cases[i].sec_defaults);
		if (json_is_true(json_object_get(u, "enforced")) !=
		    entra_cases[i].enforced)
			fail_msg("%s: enforced should be %d", entra_cases[i].name,
				 entra_cases[i].enforced);
		b = json_string_value(json_array_get(json_object_get(u,
							"bypass"), 0));
		if (entra_cases[i].bypass == NULL ? b != NULL :
		    b == NULL || strstr(b, entra_cases[i].bypass) == NULL)
			fail_msg("%s: bypass %s, want %s", entra_cases[i].name,
				 b ? b : "(none)", entra_cases[i].bypass ?
				 entra_cases[i].bypass : "(none)");
		json_decref(pol);
		json_decref(u);
	}
	json_decref(groups);
	json_decref(roles);
}

/* ---- Okta policy evaluation ---------------------------------------------- */

#define RULE(name, prio, people, net, access, mfa) \
	"{\"name\":\"" name "\",\"priority\":" #prio ",\"status\":\"ACTIVE\"," \
	"\"conditions\":{\"people\":" people ",\"network\":{\"connection\":\"" \
	net "\"}},\"actions\":{\"signon\":{\"access\":\"" access "\"," \
	"\"requireFactor\":" mfa "}}}"
#define POLICY(people, rules) \
	"[{\"name\":\"Default\",\"priority\":1,\"status\":\"ACTIVE\"," \
	"\"conditions\":{\"people\":" people "},\"_rules\":[" rules "]}]"
#define EVERYONE "{\"groups\":{\"include\":[\"gAll\"]}}"

#define ARULE(name, prio, people, mode) \
	"{\"name\":\"" name "\",\"priority\":" #prio ",\"status\":\"ACTIVE\"," \
	"\"conditions\":{\"people\":" people ",\"network\":{\"connection\":" \
	"\"ANYWHERE\"}},\"actions\":{\"appSignOn\":{\"access\":\"ALLOW\"," \
	"\"verificationMethod\":{\"type\":\"ASSURANCE\",\"factorMode\":\"" \
	mode "\"}}}}"
#define APOLICY(name, rules) \
	"{\"name\":\"" name "\",\"priority\":1,\"status\":\"ACTIVE\"," \
	"\"_rules\":[" rules "]}"
#define NO_SESSION_MFA POLICY(EVERYONE, RULE("r", 1, "{}", "ANYWHERE", \
					     "ALLOW", "false"))

static const struct {
	const char *name;
	const char *policies;
	const char *access;		/* authentication policies, or NULL */
	int enforced;
	const char *bypass;
} okta_cases[] = {
	{ "every authentication policy demands 2FA", NO_SESSION_MFA,
	  "[" APOLICY("O365", ARULE("all", 99, "{}", "2FA")) ","
	  APOLICY("Intranet", ARULE("all", 99, "{}", "2FA")) "]", 1, NULL },
	{ "one authentication policy allows one factor", NO_SESSION_MFA,
	  "[" APOLICY("O365", ARULE("all", 99, "{}", "2FA")) ","
	  APOLICY("Intranet", ARULE("staff", 1, EVERYONE, "1FA") ","
		  ARULE("all", 99, "{}", "2FA")) "]", 0,
	  "authentication policy 'Intranet' rule 'staff' allows its "
	  "applications with one factor" },
	{ "a one-factor rule for another group does not matter", NO_SESSION_MFA,
	  "[" APOLICY("Intranet", ARULE("staff", 1, "{\"groups\":{\"include\":"
				       "[\"gOther\"]}}", "1FA") ","
		  ARULE("all", 99, "{}", "2FA")) "]", 1, NULL },
	{ "session MFA makes authentication policies moot",
	  POLICY(EVERYONE, RULE("r", 1, "{}", "ANYWHERE", "ALLOW", "true")),
	  "[" APOLICY("Intranet", ARULE("all", 99, "{}", "1FA")) "]", 1, NULL },
	{ "MFA everywhere", POLICY(EVERYONE, RULE("r", 1, "{}", "ANYWHERE",
						  "ALLOW", "true")), NULL, 1, NULL },
	{ "no factor required", POLICY(EVERYONE, RULE("r", 1, "{}", "ANYWHERE",
						      "ALLOW", "false")), NULL, 0, NULL },
	{ "zone rule without MFA first", POLICY(EVERYONE,
		RULE("office", 1, "{}", "ZONE", "ALLOW", "false") ","
		RULE("r", 2, "{}", "ANYWHERE", "ALLOW", "true")), NULL, 1,
	  "'office' of policy 'Default' allows sign-in without MFA" },
	{ "zone rule for another group", POLICY(EVERYONE,
		RULE("office", 1, "{\"groups\":{\"include\":[\"gOther\"]}}",
		     "ZONE", "ALLOW", "false") ","
		RULE("r", 2, "{}", "ANYWHERE", "ALLOW", "true")), NULL, 1, NULL },
	{ "excluded from the MFA rule, caught by a rule without", POLICY(
		EVERYONE, RULE("mfa", 1, "{\"users\":{\"exclude\":[\"00u1\"]}}",
			       "ANYWHERE", "ALLOW", "true") ","
		RULE("rest", 2, "{}", "ANYWHERE", "ALLOW", "false")), NULL, 0,
	  "excluded from sign-on rule 'mfa'" },
	{ "first rule that matches decides", POLICY(EVERYONE,
		RULE("nomfa", 1, "{}", "ANYWHERE", "ALLOW", "false") ","
		RULE("mfa", 2, "{}", "ANYWHERE", "ALLOW", "true")), NULL, 0, NULL },
	{ "policy not for the user", POLICY("{\"groups\":{\"include\":"
		"[\"gOther\"]}}", RULE("r", 1, "{}", "ANYWHERE", "ALLOW", "true")),
	  NULL, 0, NULL },
	{ "deny rule is not MFA", POLICY(EVERYONE, RULE("r", 1, "{}",
		"ANYWHERE", "DENY", "true")), NULL, 0, NULL },
};

static void
okta_evaluate__first_matching_rule_decides(void **state)
{
	json_t *members = json_loads("{\"gAll\":{\"00u1\":true},\"gOther\":{}}",
				     0, NULL);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(okta_cases) / sizeof(okta_cases[0]); i++) {
		json_error_t je;
		json_t *pol = json_loads(okta_cases[i].policies, 0, &je);
		json_t *acc = json_loads(okta_cases[i].access ?
					 okta_cases[i].access : "[]", 0, &je);
		json_t *u = idp_user_new("a@x", "00u1", 0, 1, 0, "ACTIVE"), *list;
		const char *b;

		if (pol == NULL || acc == NULL)
			fail_msg("%s: bad JSON: %s", okta_cases[i].name, je.text);
		idp_okta_evaluate(u, pol, acc, members);
		list = json_pack("[O]", u);
		idp_users_finish(list);
		json_decref(list);
		if (json_is_true(json_object_get(u, "enforced")) !=
		    okta_cases[i].enforced)
			fail_msg("%s: enforced should be %d", okta_cases[i].name,
				 okta_cases[i].enforced);
		b = json_string_value(json_array_get(json_object_get(u,
							"bypass"), 0));
		if (okta_cases[i].bypass == NULL ? b != NULL :
		    b == NULL || strstr(b, okta_cases[i].bypass) == NULL)
			fail_msg("%s: bypass %s", okta_cases[i].name,
				 b ? b : "(none)");
		json_decref(pol);
		json_decref(acc);
		json_decref(u);
	}
	json_decref(members);
}

/* ---- the idp-mfa judge ---------------------------------------------------- */

#define USER(name, admin, active, guest, reg, pr, enf, bypass) \
	"{\"user\":\"" name "\",\"id\":\"" name "\",\"admin\":" admin \
	",\"active\":" active ",\"guest\":" guest ",\"status\":\"x\"," \
	"\"methods\":[\"m\"],\"registered\":" reg ",\"phishing_resistant\":" \
	pr ",\"enforced\":" enf ",\"enforced_by\":[],\"bypass\":" bypass "}"
#define T "true"
#define F "false"
#define NONE "[]"

static const struct {
	const char *name;
	const char *users;		/* JSON list */
	const char *scope, *guests, *strong;
	enum status status;
	int in_scope, compliant;
} judge_cases[] = {
	{ "everyone compliant", "[" USER("a", T, T, F, T, F, T, NONE) ","
	  USER("b", F, T, F, T, F, T, NONE) "]", NULL, NULL, NULL,
	  STATUS_PASS, 2, 2 },
	{ "registered but not enforced fails", "[" USER("a", F, T, F, T, F, F,
	  NONE) "]", NULL, NULL, NULL, STATUS_FAIL, 1, 0 },
	{ "enforced but not registered fails", "[" USER("a", F, T, F, F, F, T,
	  NONE) "]", NULL, NULL, NULL, STATUS_FAIL, 1, 0 },
	{ "a bypass fails", "[" USER("a", F, T, F, T, F, T, "[\"b\"]") "]",
	  NULL, NULL, NULL, STATUS_FAIL, 1, 0 },
	{ "inactive and guests are skipped", "[" USER("a", F, T, F, T, F, T,
	  NONE) "," USER("g", F, T, T, F, F, F, NONE) "," USER("d", F, F, F, F,
	  F, F, NONE) "]", NULL, NULL, NULL, STATUS_PASS, 1, 1 },
	{ "guests judged when asked", "[" USER("a", F, T, F, T, F, T, NONE) ","
	  USER("g", F, T, T, F, F, F, NONE) "]", NULL, "true", NULL,
	  STATUS_FAIL, 2, 1 },
	{ "admins scope ignores users", "[" USER("a", T, T, F, T, F, T, NONE) ","
	  USER("u", F, T, F, F, F, F, NONE) "]", "admins", NULL, NULL,
	  STATUS_PASS, 1, 1 },
	{ "admin without MFA", "[" USER("a", T, T, F, F, F, F, NONE) "]",
	  "admins", NULL, NULL, STATUS_FAIL, 1, 0 },
	{ "no one in scope is an error", "[" USER("u", F, T, F, T, F, T, NONE)
	  "]", "admins", NULL, NULL, STATUS_ERROR, 0, 0 },
	{ "phishing resistance required", "[" USER("a", F, T, F, T, F, T, NONE)
	  "," USER("b", F, T, F, T, T, T, NONE) "]", NULL, NULL, "true",
	  STATUS_FAIL, 2, 1 },
};

static void
judge__three_facts_per_user(void **state)
{
	const struct check_type *ct = check_type_find("idp-mfa");
	struct probe_ctx ctx;
	size_t i;

	(void)state;
	assert_non_null(ct);
	memset(&ctx, 0, sizeof(ctx));
	for (i = 0; i < sizeof(judge_cases) / sizeof(judge_cases[0]); i++) {
		struct check_param ps[3];
		struct check chk;
		struct check_outcome out;
		json_t *facts, *users;
		const json_t *counts;
		size_t n = 0;

		users = json_loads(judge_cases[i].users, 0, NULL);
		assert_non_null(users);
		facts = json_pack("{s:s, s:s, s:{}, s:o}", "provider", "entra",
				  "tenant", "t", "policy", "users", users);
		if (judge_cases[i].scope)
			ps[n++] = (struct check_param){ "scope",
				(char *)judge_cases[i].scope, 1 };
		if (judge_cases[i].guests)
			ps[n++] = (struct check_param){ "include_guests",
				(char *)judge_cases[i].guests, 1 };
		if (judge_cases[i].strong)
			ps[n++] = (struct check_param){ "phishing_resistant",
				(char *)judge_cases[i].strong, 1 };
		memset(&chk, 0, sizeof(chk));
		chk.type = "idp-mfa";
		chk.ct = ct;
		chk.params = ps;
		chk.nparams = n;
		memset(&out, 0, sizeof(out));
		ct->judge(facts, &chk, &ctx, &out);
		if (out.status != judge_cases[i].status)
			fail_msg("%s: %s (%s)", judge_cases[i].name,
				 status_name(out.status), out.message);
		counts = json_object_get(out.evidence, "counts");
		assert_int_equal(json_integer_value(json_object_get(counts,
				"in_scope")), judge_cases[i].in_scope);
		assert_int_equal(json_integer_value(json_object_get(counts,
				"compliant")), judge_cases[i].compliant);
		assert_int_equal(json_array_size(json_object_get(out.evidence,
				"users")), judge_cases[i].in_scope);
		free(out.message);
		json_decref(out.evidence);
		json_decref(facts);
	}
}

/* ---- validation -------------------------------------------------------- */

static const struct {
	const char *name;
	const char *params[12];		/* name, value pairs */
	int ok;
	const char *why;
} validate_cases[] = {
	{ "entra with a file", { "provider", "entra", "tenant", "smbco.example",
	  "credentials_file", "/c.json" }, 1, NULL },
	{ "unknown provider", { "provider", "ping", "tenant", "t",
	  "credentials_env", "X" }, 0, "provider" },
	{ "no credentials", { "provider", "entra", "tenant", "t" }, 0,
	  "exactly one" },
	{ "both credentials", { "provider", "entra", "tenant", "t",
	  "credentials_env", "X", "credentials_file", "/c" }, 0, "exactly one" },
	{ "http base url", { "provider", "okta", "tenant", "o.example",
	  "credentials_env", "X", "base_url", "http://o.example" }, 0, "https" },
	{ "tenant with a slash", { "provider", "okta", "tenant", "evil/x",
	  "credentials_env", "X" }, 0, "tenant" },
	{ "google without impersonate", { "provider", "google", "tenant", "d",
	  "credentials_env", "X" }, 0, "impersonate" },
	{ "google with phishing_resistant", { "provider", "google", "tenant",
	  "d", "credentials_env", "X", "impersonate", "a@d",
	  "phishing_resistant", "true" }, 0, "phishing_resistant" },
	{ "duo admins", { "provider", "duo", "tenant", "api-1.duosecurity.com",
	  "credentials_env", "X", "scope", "admins" }, 0, "administrators" },
	{ "bad scope", { "provider", "duo", "tenant", "a", "credentials_env",
	  "X", "scope", "some" }, 0, "scope" },
};

static void
validate__refuses_what_cannot_be_judged(void **state)
{
	const struct check_type *ct = check_type_find("idp-mfa");
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(validate_cases) / sizeof(validate_cases[0]); i++) {
		struct check_param ps[6];
		struct check chk;
		struct errbuf e = { "" };
		int r;

		memset(&chk, 0, sizeof(chk));
		for (k = 0; validate_cases[i].params[2 * k] != NULL; k++)
			ps[k] = (struct check_param){
				(char *)validate_cases[i].params[2 * k],
				(char *)validate_cases[i].params[2 * k + 1], 1 };
		chk.type = "idp-mfa";
		chk.ct = ct;
		chk.params = ps;
		chk.nparams = k;
		r = ct->validate(&chk, &e);
		if ((r == 0) != validate_cases[i].ok ||
		    (validate_cases[i].why && !strstr(e.msg, validate_cases[i].why)))
			fail_msg("%s: %d %s", validate_cases[i].name, r, e.msg);
		/* The subject is stable and carries the reference only. */
		if (r == 0) {
			const char *s1 = ct->subject(&chk), *s2 = ct->subject(&chk);

			assert_ptr_equal(s1, s2);
			assert_non_null(strstr(s1, "\"base_url\":\"https://"));
		}
	}
}

static void
users_finish__sorts_users_and_lists(void **state)
{
	json_t *users = json_array(), *a = idp_user_new("zed", "2", 0, 1, 0, "s");
	json_t *b = idp_user_new("amy", "1", 0, 1, 0, "s");

	(void)state;
	idp_user_add(a, "methods", "sms");
	idp_user_add(a, "methods", "fido2");
	idp_user_add(a, "methods", "sms");
	json_array_append_new(users, a);
	json_array_append_new(users, b);
	idp_users_finish(users);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		users, 0), "user")), "amy");
	a = json_array_get(users, 1);
	assert_int_equal(json_array_size(json_object_get(a, "methods")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(a,
		"methods"), 0)), "fido2");
	assert_true(json_is_true(json_object_get(a, "registered")));
	assert_true(json_is_false(json_object_get(a, "enforced")));
	json_decref(users);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(link_next__finds_the_next_relation_only),
		cmocka_unit_test(retry_after__reads_seconds_and_http_dates),
		cmocka_unit_test(same_origin__keeps_tokens_on_the_configured_host),
		cmocka_unit_test(urlencode__keeps_only_unreserved),
		cmocka_unit_test(b64url__has_no_padding_or_plus_slash),
		cmocka_unit_test(duo_sign__matches_duo_client_v5),
		cmocka_unit_test(jwt_rs256__verifies_with_the_public_key),
		cmocka_unit_test(jwt_rs256__refuses_non_rsa_and_garbage_keys),
		cmocka_unit_test(credentials__file_must_be_private),
		cmocka_unit_test(credentials__env_is_json_and_never_quoted),
		cmocka_unit_test(entra_evaluate__policies_to_facts),
		cmocka_unit_test(okta_evaluate__first_matching_rule_decides),
		cmocka_unit_test(judge__three_facts_per_user),
		cmocka_unit_test(validate__refuses_what_cannot_be_judged),
		cmocka_unit_test(users_finish__sorts_users_and_lists),
	};

	return cmocka_run_group_tests_name("idp", tests, NULL, NULL);
}

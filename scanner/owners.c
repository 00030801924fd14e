/*
 * owners.c - the owners file: parties, assignment rules, waivers and SLAs,
 * and applying them to a scan (see owners.h).
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "embed.h"
#include "owners.h"
#include "xmlsafe.h"

#define OWNERS_NS "urn:plumb:owners:1"

static const char *const day_names[7] = { "sun", "mon", "tue", "wed", "thu",
					  "fri", "sat" };

static int
day_index(const char *s)
{
	int i;

	for (i = 0; i < 7; i++)
		if (strncmp(s, day_names[i], 3) == 0)
			return i;
	return -1;
}

/* "mon-fri,sun" -> bit mask; ranges may wrap ("fri-mon"). */
static unsigned
parse_days(const char *s)
{
	unsigned mask = 0;

	while (*s) {
		int a = day_index(s), b = a;

		s += 3;
		if (*s == '-') {
			b = day_index(s + 1);
			s += 4;
		}
		if (a < 0 || b < 0)
			return 0;
		for (;;) {
			mask |= 1u << a;
			if (a == b)
				break;
			a = (a + 1) % 7;
		}
		if (*s == ',')
			s++;
	}
	return mask;
}

static int
parse_hhmm(const char *s)
{
	return ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 +
	       (s[4] - '0');
}

/* Appends s to a growable array of strings. */
static void
push_str(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

static int
zone_exists(const char *tz)
{
	char *p = xasprintf("/usr/share/zoneinfo/%s", tz);
	FILE *f = strstr(tz, "..") ? NULL : fopen(p, "rb");

	free(p);
	if (f == NULL)
		return 0;
	fclose(f);
	return 1;
}

static void
parse_party(struct owners *o, const xmlNode *n, struct diags *d, int *bad)
{
	struct owners_party *p;
	const xmlNode *c;

	o->parties = xreallocarray(o->parties, o->nparties + 1, sizeof(*p));
	p = &o->parties[o->nparties++];
	memset(p, 0, sizeof(*p));
	p->id = xmlsafe_attr(n, "id");
	for (c = n->children; c != NULL; c = c->next) {
		if (xmlsafe_is(c, OWNERS_NS, "name")) {
			p->name = xmlsafe_text(c);
		} else if (xmlsafe_is(c, OWNERS_NS, "email")) {
			push_str(&p->emails, &p->nemails, xmlsafe_text(c));
		} else if (xmlsafe_is(c, OWNERS_NS, "webhook")) {
			push_str(&p->webhooks, &p->nwebhooks, xmlsafe_text(c));
		} else if (xmlsafe_is(c, OWNERS_NS, "coverage")) {
			struct owners_coverage *cv;
			char *days = xmlsafe_attr(c, "days");
			char *from = xmlsafe_attr(c, "from");
			char *to = xmlsafe_attr(c, "to");

			p->cov = xreallocarray(p->cov, p->ncov + 1, sizeof(*cv));
			cv = &p->cov[p->ncov++];
			cv->days = parse_days(days);
			cv->from_min = parse_hhmm(from);
			cv->to_min = parse_hhmm(to);
			cv->tz = xmlsafe_attr(c, "tz");
			if (cv->from_min >= cv->to_min) {
				diags_add(d, o->path, xmlGetLineNo(c),
					  "coverage from %s to %s is empty: "
					  "'to' must be later than 'from' (use two "
					  "coverage elements to span midnight)",
					  from, to);
				*bad = 1;
			}
			if (cv->tz != NULL && !zone_exists(cv->tz)) {
				diags_add(d, o->path, xmlGetLineNo(c),
					  "unknown time zone '%s'", cv->tz);
				*bad = 1;
			}
			free(days);
			free(from);
			free(to);
		}
	}
}

static void
parse_rule(struct owners *o, const xmlNode *n, struct diags *d, int *bad)
{
	struct owners_rule *r;
	char *party = xmlsafe_attr(n, "party");
	char *shared = xmlsafe_attr(n, "shared");

	o->rules = xreallocarray(o->rules, o->nrules + 1, sizeof(*r));
	r = &o->rules[o->nrules++];
	memset(r, 0, sizeof(*r));
	r->control = xmlsafe_attr(n, "control");
	r->family = xmlsafe_attr(n, "family");
	r->severity = xmlsafe_attr(n, "severity");
	r->line = xmlGetLineNo(n);
	if ((party == NULL) == (shared == NULL)) {
		diags_add(d, o->path, r->line,
			  "an assign rule names exactly one of party or shared");
		*bad = 1;
	}
	if (party != NULL) {
		push_str(&r->parties, &r->nparties, party);
		party = NULL;
	} else if (shared != NULL) {
		const char *s = shared;

		while (*s) {
			size_t len = strcspn(s, " \t\n\r");

			if (len > 0)
				push_str(&r->parties, &r->nparties,
					 xstrndup(s, len));
			s += len;
			s += strspn(s, " \t\n\r");
		}
		if (r->nparties < 2) {
			diags_add(d, o->path, r->line,
				  "a shared control names at least two parties");
			*bad = 1;
		}
	}
	free(party);
	free(shared);
}

static void
parse_waiver(struct owners *o, const xmlNode *n, struct diags *d, int *bad)
{
	struct owners_waiver *w;
	const xmlNode *c;
	char *exp = xmlsafe_attr(n, "expires");
	time_t t;

	o->waivers = xreallocarray(o->waivers, o->nwaivers + 1, sizeof(*w));
	w = &o->waivers[o->nwaivers++];
	memset(w, 0, sizeof(*w));
	w->control = xmlsafe_attr(n, "control");
	w->approved_by = xmlsafe_attr(n, "approved-by");
	w->line = xmlGetLineNo(n);
	for (c = n->children; c != NULL; c = c->next)
		if (xmlsafe_is(c, OWNERS_NS, "reason")) {
			w->reason = xmlsafe_text(c);
		} else if (xmlsafe_is(c, OWNERS_NS, "account")) {
			w->accounts = xreallocarray(w->accounts,
						    w->naccounts + 1,
						    sizeof(*w->accounts));
			w->accounts[w->naccounts++] = xmlsafe_text(c);
		}
	/* xs:date allows a time zone suffix; plumb takes the plain date. */
	if (exp == NULL || strlen(exp) < 10 ||
	    (snprintf(w->expires, sizeof(w->expires), "%.10s", exp),
	     time_parse(w->expires, &t) != 0)) {
		diags_add(d, o->path, w->line, "waiver expiry '%s' is not a date "
			  "YYYY-MM-DD", exp ? exp : "");
		*bad = 1;
	} else {
		w->expires_at = t + 86400; /* it holds through that day */
	}
	free(exp);
}

static void
parse_sla(struct owners *o, const xmlNode *n)
{
	struct owners_sla *s;
	char *hours = xmlsafe_attr(n, "hours");
	long long h = 0;

	o->slas = xreallocarray(o->slas, o->nslas + 1, sizeof(*s));
	s = &o->slas[o->nslas++];
	s->party = xmlsafe_attr(n, "party");
	s->severity = xmlsafe_attr(n, "severity");
	(void)parse_ll(hours, 1, 1000000, &h);
	s->hours = (long)h;
	free(hours);
}

static void
parse_smtp(struct owners *o, const xmlNode *n)
{
	char *tls = xmlsafe_attr(n, "starttls");

	o->smtp_url = xmlsafe_attr(n, "url");
	o->smtp_from = xmlsafe_attr(n, "from");
	o->smtp_starttls_required = tls == NULL || strcmp(tls, "try") != 0;
	free(tls);
}

int
owners_load(const char *path, struct owners **out, struct diags *d,
	    struct errbuf *e)
{
	struct owners *o;
	xmlDoc *doc = NULL;
	const xmlNode *root, *n;
	int bad = 0, r;
	size_t i, j;

	*out = NULL;
	o = xcalloc(1, sizeof(*o));
	o->path = xstrdup(path);
	r = xmlsafe_load(path, plumb_owners_xsd,
			 (size_t)(plumb_owners_xsd_end - plumb_owners_xsd), &doc,
			 &o->source, &o->source_len, d, e);
	if (r != 0) {
		owners_free(o);
		return r;
	}
	sha256_hex(o->source, o->source_len, o->sha256);
	root = xmlDocGetRootElement(doc);
	for (n = root->children; n != NULL; n = n->next) {
		if (xmlsafe_is(n, OWNERS_NS, "party"))
			parse_party(o, n, d, &bad);
		else if (xmlsafe_is(n, OWNERS_NS, "assign"))
			parse_rule(o, n, d, &bad);
		else if (xmlsafe_is(n, OWNERS_NS, "waiver"))
			parse_waiver(o, n, d, &bad);
		else if (xmlsafe_is(n, OWNERS_NS, "sla"))
			parse_sla(o, n);
		else if (xmlsafe_is(n, OWNERS_NS, "smtp"))
			parse_smtp(o, n);
	}
	/* The schema checks party= references; shared lists are checked here. */
	for (i = 0; i < o->nrules; i++)
		for (j = 0; j < o->rules[i].nparties; j++)
			if (owners_party(o, o->rules[i].parties[j]) == NULL) {
				diags_add(d, path, o->rules[i].line,
					  "unknown party '%s'",
					  o->rules[i].parties[j]);
				bad = 1;
			}
	xmlFreeDoc(doc);
	if (bad) {
		err_set(e, PLUMB_EINVAL, "%s", d && d->n ? d->lines[0] :
			"invalid owners file");
		owners_free(o);
		return PLUMB_EINVAL;
	}
	*out = o;
	return PLUMB_OK;
}

static void
free_strs(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
owners_free(struct owners *o)
{
	size_t i, j;

	if (o == NULL)
		return;
	for (i = 0; i < o->nparties; i++) {
		struct owners_party *p = &o->parties[i];

		free(p->id);
		free(p->name);
		free_strs(p->emails, p->nemails);
		free_strs(p->webhooks, p->nwebhooks);
		for (j = 0; j < p->ncov; j++)
			free(p->cov[j].tz);
		free(p->cov);
	}
	for (i = 0; i < o->nrules; i++) {
		free(o->rules[i].control);
		free(o->rules[i].family);
		free(o->rules[i].severity);
		free_strs(o->rules[i].parties, o->rules[i].nparties);
	}
	for (i = 0; i < o->nwaivers; i++) {
		free(o->waivers[i].control);
		free(o->waivers[i].approved_by);
		free(o->waivers[i].reason);
		free_strs(o->waivers[i].accounts, o->waivers[i].naccounts);
	}
	for (i = 0; i < o->nslas; i++) {
		free(o->slas[i].party);
		free(o->slas[i].severity);
	}
	free(o->parties);
	free(o->rules);
	free(o->waivers);
	free(o->slas);
	free(o->smtp_url);
	free(o->smtp_from);
	free(o->source);
	free(o->path);
	free(o);
}

const struct owners_party *
owners_party(const struct owners *o, const char *id)
{
	size_t i;

	for (i = 0; o != NULL && id != NULL && i < o->nparties; i++)
		if (strcmp(o->parties[i].id, id) == 0)
			return &o->parties[i];
	return NULL;
}

static const char *
jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static const struct owners_rule *
match_rule(const struct owners *o, const json_t *r)
{
	size_t i;

	for (i = 0; i < o->nrules; i++) {
		const struct owners_rule *x = &o->rules[i];

		if (x->control && fnmatch(x->control, jstr(r, "id"), 0) != 0)
			continue;
		if (x->family && strcmp(x->family, jstr(r, "family")) != 0)
			continue;
		if (x->severity && strcmp(x->severity, jstr(r, "severity")) != 0)
			continue;
		return x;
	}
	return NULL;
}

static int
waiver_names(const struct owners_waiver *w, const char *user)
{
	size_t i;

	for (i = 0; i < w->naccounts; i++)
		if (w->accounts[i] != NULL && strcmp(w->accounts[i], user) == 0)
			return 1;
	return 0;
}

/* True when ev (one check's evidence) lists its users and every one that
 * is not compliant is named by w. */
static int
waiver_covers_users(const struct owners_waiver *w, const json_t *ev)
{
	const json_t *users = json_object_get(ev, "users"), *u;
	size_t i;

	if (!json_is_array(users))
		return 0;
	json_array_foreach(users, i, u) {
		const json_t *c = json_object_get(u, "compliant");

		if (json_is_true(c))
			continue;
		if (!json_is_string(json_object_get(u, "user")) ||
		    !waiver_names(w, jstr(u, "user")))
			return 0;
	}
	return 1;
}

/*
 * Whether w applies to the failing result r.  A waiver naming accounts
 * holds only when the failure is theirs alone: every failing check of the
 * control lists its users and each non-compliant one is named, so a
 * break-glass exception never hides another user's missing MFA.
 */
static int
waiver_applies(const struct owners_waiver *w, const json_t *r)
{
	const json_t *ev = json_object_get(r, "evidence"), *checks, *c;
	size_t i;

	if (w->naccounts == 0)
		return 1;
	checks = json_object_get(ev, "checks");
	if (!json_is_array(checks))
		return waiver_covers_users(w, ev);
	json_array_foreach(checks, i, c)
		if (strcmp(jstr(c, "status"), "pass") != 0 &&
		    !waiver_covers_users(w, json_object_get(c, "evidence")))
			return 0;
	return 1;
}

static const struct owners_waiver *
match_waiver(const struct owners *o, const json_t *r)
{
	const char *id = jstr(r, "id");
	size_t i;

	for (i = 0; i < o->nwaivers; i++)
		if (fnmatch(o->waivers[i].control, id, 0) == 0 &&
		    waiver_applies(&o->waivers[i], r))
			return &o->waivers[i];
	return NULL;
}

void
owners_apply(const struct owners *o, json_t *doc, time_t now)
{
	json_t *r;
	size_t i, j;

	json_array_foreach(json_object_get(doc, "results"), i, r) {
		const struct owners_rule *rule = match_rule(o, r);
		const struct owners_waiver *w;

		if (rule != NULL) {
			json_object_set_new(r, "owner",
					    json_string(rule->parties[0]));
			if (rule->nparties > 1) {
				json_t *sh = json_array();

				for (j = 1; j < rule->nparties; j++)
					json_array_append_new(sh,
						json_string(rule->parties[j]));
				json_object_set_new(r, "shared_with", sh);
			}
		}
		if (strcmp(jstr(r, "status"), "fail") != 0 ||
		    (w = match_waiver(o, r)) == NULL)
			continue;
		json_object_set_new(r, "waiver",
			json_pack("{s:s, s:s, s:s, s:b}", "reason",
				  w->reason ? w->reason : "", "approved_by",
				  w->approved_by, "expires", w->expires,
				  "expired", now >= w->expires_at));
		if (w->naccounts > 0) {
			json_t *acc = json_array();

			for (j = 0; j < w->naccounts; j++)
				json_array_append_new(acc,
					json_host_str(w->accounts[j]));
			json_object_set_new(json_object_get(r, "waiver"),
					    "accounts", acc);
		}
		if (now >= w->expires_at) {
			char *m = xasprintf("waiver expired on %s (approved by "
					    "%s): %s", w->expires,
					    w->approved_by, jstr(r, "message"));

			json_object_set_new(r, "message", json_string(m));
			free(m);
			continue;
		}
		json_object_set_new(r, "raw_status", json_string("fail"));
		json_object_set_new(r, "status", json_string("waived"));
	}
	json_object_set_new(json_object_get(doc, "scan"), "owners",
			    json_pack("{s:s, s:s}", "path", o->path, "sha256",
				      o->sha256));
}

/* Local time in zone tz (NULL: the process's own). */
static void
local_time(time_t t, const char *tz, struct tm *tm)
{
	char *old = NULL;
	const char *cur;

	if (tz == NULL) {
		localtime_r(&t, tm);
		return;
	}
	cur = getenv("TZ");
	if (cur != NULL)
		old = xstrdup(cur);
	setenv("TZ", tz, 1);
	tzset();
	localtime_r(&t, tm);
	if (old != NULL)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
}

int
owners_on_duty(const struct owners_party *p, time_t t)
{
	size_t i;

	if (p->ncov == 0)
		return 1;
	for (i = 0; i < p->ncov; i++) {
		const struct owners_coverage *c = &p->cov[i];
		struct tm tm;
		int min;

		local_time(t, c->tz, &tm);
		min = tm.tm_hour * 60 + tm.tm_min;
		if ((c->days & (1u << tm.tm_wday)) && min >= c->from_min &&
		    min < c->to_min)
			return 1;
	}
	return 0;
}

const struct owners_party *
owners_route(const struct owners *o, const json_t *item, time_t t)
{
	const struct owners_party *first = owners_party(o, jstr(item, "owner"));
	const json_t *sh = json_object_get(item, "shared_with"), *v;
	size_t i;

	if (first == NULL || !json_is_array(sh) || owners_on_duty(first, t))
		return first;
	json_array_foreach(sh, i, v) {
		const struct owners_party *p = owners_party(o,
			json_string_value(v));

		if (p != NULL && owners_on_duty(p, t))
			return p;
	}
	/* Nobody on duty: the owner hears it and acts when back. */
	return first;
}

long
owners_sla_hours(const struct owners *o, const char *party,
		 const char *severity)
{
	long any = 0;
	size_t i;

	for (i = 0; o != NULL && i < o->nslas; i++) {
		const struct owners_sla *s = &o->slas[i];

		if (strcmp(s->party, party) != 0)
			continue;
		if (s->severity == NULL) {
			if (any == 0)
				any = s->hours;
		} else if (severity != NULL && strcmp(s->severity, severity) == 0) {
			return s->hours;
		}
	}
	return any;
}

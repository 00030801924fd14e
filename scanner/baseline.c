/*
 * baseline.c - loads, validates and resolves baselines (baseline.h).
 *
 * A baseline may come from anywhere.  xmlsafe.h reads it (size-capped,
 * UTF-8, no DTD, no entity expansion, no network) and validates it against
 * the schema compiled into the binary (embed.h); this file then makes the
 * checks a schema cannot express: unique control ids, known check types,
 * their parameters and parameter values, a semantic version.  Every
 * problem is collected as "file:line: message", so `plumb baseline lint`
 * fixes a file in one pass.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/tree.h>

#include "baseline.h"
#include "embed.h"
#include "plumb_limits.h"
#include "xmlsafe.h"

#define BASELINE_NS "urn:plumb:baseline:1"

/* Schema messages the loader says better itself. */
static const char *const baseline_deferred[] = {
	/* semver_valid's message names the format; the pattern does not. */
	"Element 'baseline', attribute 'version':",
	NULL,
};

static const struct xmlsafe_kind baseline_kind = {
	"baseline", BASELINE_NS, plumb_baseline_xsd, plumb_baseline_xsd_end,
	baseline_deferred,
};

/* ---- the tree ----------------------------------------------------------- */

static int
is_el(xmlNodePtr n, const char *name)
{
	return xmlsafe_is(n, BASELINE_NS, name);
}

/* Folds runs of XML white space into one space and trims both ends, as
 * xs:token does, in place. */
static void
collapse(char *s)
{
	char *w = s;
	const char *r = s;
	int space = 0;

	while (*r != '\0') {
		if (strchr(" \t\r\n", *r) != NULL) {
			space = w != s;
		} else {
			if (space)
				*w++ = ' ';
			space = 0;
			*w++ = *r;
		}
		r++;
	}
	*w = '\0';
}

/* The text of element n (what, for messages), whitespace folded when fold
 * is set; capped at PLUMB_TEXT_MAX bytes. */
static char *
text(struct xmlsafe *xs, xmlNodePtr n, int fold, const char *what)
{
	xmlChar *v = xmlNodeGetContent(n);
	char *s = xstrdup(v != NULL ? (const char *)v : "");
	size_t len;

	xmlFree(v);
	if (fold)
		collapse(s);
	len = strlen(s);
	if (len > PLUMB_TEXT_MAX && !xmlsafe_flagged(xs, xmlsafe_line(n)))
		xmlsafe_problem(xs, xmlsafe_line(n), "%s is %zu bytes, longer than the "
			"%u-byte limit", what, len, PLUMB_TEXT_MAX);
	return s;
}

/* Estimates the positions glibc's regcomp builds for an extended regex
 * once counted repetitions are expanded (an upper bound: alternatives add
 * up), saturating past PLUMB_REGEX_SIZE_MAX. */
#define RE_SAT ((unsigned long long)PLUMB_REGEX_SIZE_MAX + 1)
#define RE_DEPTH 64

static unsigned long long
re_mul(unsigned long long a, unsigned long long b)
{
	if (b != 0 && a > RE_SAT / b)
		return RE_SAT;
	return a * b > RE_SAT ? RE_SAT : a * b;
}

static const char *
re_bracket_end(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p != '\0' && *p != ']') {
		if (*p == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
			char kind = p[1];

			p += 2;
			while (*p != '\0' && !(p[0] == kind && p[1] == ']'))
				p++;
			if (*p != '\0')
				p += 2;
			continue;
		}
		p++;
	}
	return *p == ']' ? p + 1 : p;
}

/* Parses "{m}", "{m,}" or "{m,n}" at p; returns the end and the largest
 * count in *count, or NULL when it is not a bound. */
static const char *
re_bound(const char *p, unsigned long long *count)
{
	unsigned long long m = 0, n;
	int digits = 0;

	p++;
	while (*p >= '0' && *p <= '9') {
		m = m > RE_SAT ? RE_SAT : m * 10 + (unsigned)(*p - '0');
		p++;
		digits++;
	}
	if (digits == 0)
		return NULL;
	n = m;
	if (*p == ',') {
		p++;
		n = m + 1;
		digits = 0;
		if (*p >= '0' && *p <= '9') {
			n = 0;
			while (*p >= '0' && *p <= '9') {
				n = n > RE_SAT ? RE_SAT : n * 10 + (unsigned)(*p - '0');
				p++;
			}
		}
	}
	if (*p != '}')
		return NULL;
	*count = m > n ? m : n;
	return p + 1;
}

static unsigned long long
re_size(const char *p)
{
	unsigned long long sum[RE_DEPTH], last[RE_DEPTH];
	size_t d = 0;

	sum[0] = last[0] = 0;
	while (*p != '\0') {
		unsigned long long atom = 1, count;
		const char *q;

		switch (*p) {
		case '\\':
			p += p[1] != '\0' ? 2 : 1;
			break;
		case '[':
			p = re_bracket_end(p);
			break;
		case '(':
			if (d + 1 == RE_DEPTH)
				return RE_SAT;
			d++;
			sum[d] = last[d] = 0;
			p++;
			continue;
		case ')':
			p++;
			if (d == 0)
				break;
			atom = sum[d] != 0 ? sum[d] : 1;
			d--;
			break;
		case '|':
			last[d] = 0;
			p++;
			continue;
		case '*':
		case '?':
		case '+':
		case '{':
			count = *p == '+' ? 2 : 1;
			q = *p == '{' ? re_bound(p, &count) : p + 1;
			if (q == NULL) {	/* a literal brace */
				p++;
				break;
			}
			p = q;
			atom = re_mul(last[d], count);
			sum[d] = sum[d] - last[d] + atom;
			if (sum[d] > RE_SAT)
				sum[d] = RE_SAT;
			last[d] = atom;
			continue;
		default:
			p++;
			break;
		}
		sum[d] = sum[d] + atom > RE_SAT ? RE_SAT : sum[d] + atom;
		last[d] = atom;
	}
	while (d > 0) {
		sum[d - 1] = sum[d - 1] + sum[d] > RE_SAT ? RE_SAT :
			     sum[d - 1] + sum[d];
		d--;
	}
	return sum[0];
}

/* Checks an extended regex the way a judge will compile it; 0 or, in e,
 * what is wrong with it ("is not ...", "is refused: ..."). */
static int
regex_check(const char *re, struct errbuf *e)
{
	const char *p;
	regex_t rx;
	int r;

	for (p = re; *p != '\0'; p++) {
		if (*p == '\\' && p[1] >= '1' && p[1] <= '9')
			return err_set(e, PLUMB_EINVAL, "is refused: back-references "
				       "are not allowed (matching could take "
				       "exponential time)");
		if (*p == '\\' && p[1] != '\0')
			p++;
	}
	if (re_size(re) > PLUMB_REGEX_SIZE_MAX)
		return err_set(e, PLUMB_ELIMIT, "is refused: its counted "
			       "repetitions expand past %u positions",
			       PLUMB_REGEX_SIZE_MAX);
	r = regcomp(&rx, re, REG_EXTENDED | REG_NOSUB);
	if (r != 0) {
		char buf[256];

		regerror(r, &rx, buf, sizeof(buf));
		return err_set(e, PLUMB_EINVAL, "is not a valid extended regular "
			       "expression (%s)", buf);
	}
	regfree(&rx);
	return 0;
}

static int
mode_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 3 || n > 4)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '7')
			return 0;
	return 1;
}

static const char *
kind_name(enum check_param_kind k)
{
	switch (k) {
	case CHECK_PARAM_STRING:
		return "a string";
	case CHECK_PARAM_INT:
		return "an integer";
	case CHECK_PARAM_BOOL:
		return "true or false";
	case CHECK_PARAM_REGEX:
		return "an extended regular expression";
	case CHECK_PARAM_MODE:
		return "an octal file mode such as 0640";
	}
	return "a value";
}

/* Checks a value against its kind; 0 or, in e, what is wrong with it. */
static int
value_check(const struct check_param_spec *sp, const char *v, struct errbuf *e)
{
	long long ll;
	int ok = 1;

	switch (sp->kind) {
	case CHECK_PARAM_STRING:
		break;
	case CHECK_PARAM_INT:
		ok = parse_ll(v, LLONG_MIN, LLONG_MAX, &ll) == 0;
		break;
	case CHECK_PARAM_BOOL:
		ok = strcmp(v, "true") == 0 || strcmp(v, "false") == 0;
		break;
	case CHECK_PARAM_MODE:
		ok = mode_valid(v);
		break;
	case CHECK_PARAM_REGEX:
		return regex_check(v, e);
	}
	if (!ok)
		return err_set(e, PLUMB_EINVAL, "is not %s", kind_name(sp->kind));
	return 0;
}

static char *
known_types(void)
{
	struct dynbuf b;
	size_t i;

	dynbuf_init(&b, PLUMB_ERRMSG_MAX);
	for (i = 0; check_types[i] != NULL; i++)
		if (dynbuf_printf(&b, "%s%s", i ? ", " : "",
				  check_types[i]->name) != 0)
			break;
	if (i == 0)
		(void)dynbuf_addstr(&b, "none are registered");
	return dynbuf_take(&b, NULL);
}

static char *
known_params(const struct check_type *ct)
{
	struct dynbuf b;
	size_t i;

	dynbuf_init(&b, PLUMB_ERRMSG_MAX);
	for (i = 0; ct->params != NULL && ct->params[i].name != NULL; i++)
		if (dynbuf_printf(&b, "%s%s", i ? ", " : "",
				  ct->params[i].name) != 0)
			break;
	if (i == 0)
		(void)dynbuf_addstr(&b, "it takes none");
	return dynbuf_take(&b, NULL);
}

static const struct check_param_spec *
spec_find(const struct check_type *ct, const char *name)
{
	size_t i;

	for (i = 0; ct->params != NULL && ct->params[i].name != NULL; i++)
		if (strcmp(ct->params[i].name, name) == 0)
			return &ct->params[i];
	return NULL;
}

/* Resolves chk's type and checks its parameters against the type's specs. */
static void
check_validate(struct xmlsafe *xs, struct check *chk)
{
	const struct check_type *ct;
	size_t before = xs->nproblems, i, j;
	struct errbuf ve;
	int incomplete = 0;

	if (chk->type == NULL)
		return;		/* the schema reported it */
	ct = check_type_find(chk->type);
	if (ct == NULL) {
		char *q = xmlsafe_quote(chk->type), *known = known_types();

		xmlsafe_problem(xs, chk->line, "unknown check type '%s' (known: %s)", q,
			known);
		free(q);
		free(known);
		return;
	}
	chk->ct = ct;
	for (i = 0; i < chk->nparams; i++) {
		const struct check_param *p = &chk->params[i];
		const struct check_param_spec *sp;

		/* The schema reported it before this check began, so it is
		 * not counted below: remember it, since a type's validate()
		 * may rely on every parameter having a name and a value. */
		if (p->name == NULL || p->value == NULL) {
			incomplete = 1;
			continue;
		}
		sp = spec_find(ct, p->name);
		if (sp == NULL) {
			char *q = xmlsafe_quote(p->name), *known = known_params(ct);

			xmlsafe_problem(xs, p->line, "check type '%s' has no parameter "
				"'%s' (its parameters: %s)", ct->name, q, known);
			free(q);
			free(known);
			continue;
		}
		if (!(sp->flags & CHECK_PARAM_MULTI)) {
			for (j = 0; j < i; j++)
				if (chk->params[j].name != NULL &&
				    strcmp(chk->params[j].name, p->name) == 0)
					break;
			if (j < i) {
				xmlsafe_problem(xs, p->line, "parameter '%s' is given "
					"more than once (first at line %d)",
					p->name, chk->params[j].line);
				continue;
			}
		}
		if (value_check(sp, p->value, &ve) != 0) {
			char *q = xmlsafe_quote(p->value);

			xmlsafe_problem(xs, p->line, "parameter '%s' of check type '%s': "
				"'%s' %s", p->name, ct->name, q, ve.msg);
			free(q);
		}
	}
	for (i = 0; ct->params != NULL && ct->params[i].name != NULL; i++) {
		if (!(ct->params[i].flags & CHECK_PARAM_REQUIRED))
			continue;
		if (check_param_get(chk, ct->params[i].name) == NULL)
			xmlsafe_problem(xs, chk->line, "check type '%s' needs parameter "
				"'%s' (%s)", ct->name, ct->params[i].name,
				ct->params[i].help != NULL ? ct->params[i].help :
				kind_name(ct->params[i].kind));
	}
	if (xs->nproblems == before && !incomplete && ct->validate != NULL &&
	    ct->validate(chk, &ve) != 0)
		xmlsafe_problem(xs, chk->line, "check type '%s': %s", ct->name, ve.msg);
}

size_t
baseline_check_validate(struct check *chk, const char *file,
			struct diags *d)
{
	static const struct xmlsafe_kind none = { NULL, NULL, NULL, NULL,
						  NULL };
	struct xmlsafe xs;
	struct errbuf e;
	size_t n;

	xmlsafe_begin(&xs, &none, file, d, &e);
	check_validate(&xs, chk);
	n = xs.nproblems;
	(void)xmlsafe_end(&xs);
	return n;
}

static void
load_check(struct xmlsafe *xs, xmlNodePtr n, struct check *chk)
{
	xmlNodePtr c;
	int warned = 0;

	chk->line = xmlsafe_line(n);
	chk->type = xmlsafe_attr(n, "type");
	for (c = n->children; c != NULL; c = c->next) {
		struct check_param *p;

		if (!is_el(c, "param"))
			continue;
		if (chk->nparams >= PLUMB_PARAMS_MAX) {
			if (!warned)
				xmlsafe_problem(xs, xmlsafe_line(c), "more than %d parameters "
					"in one check", PLUMB_PARAMS_MAX);
			warned = 1;
			continue;
		}
		chk->params = xreallocarray(chk->params, chk->nparams + 1,
					    sizeof(*chk->params));
		p = &chk->params[chk->nparams++];
		p->line = xmlsafe_line(c);
		p->name = xmlsafe_attr(c, "name");
		p->value = text(xs, c, 0, "a parameter value");
	}
	check_validate(xs, chk);
}

static void
load_control(struct xmlsafe *xs, xmlNodePtr n, struct control *ctl)
{
	xmlNodePtr c;
	int warned_refs = 0, warned_checks = 0;

	ctl->line = xmlsafe_line(n);
	ctl->id = xmlsafe_attr(n, "id");
	ctl->family = xmlsafe_attr(n, "family");
	ctl->severity = xmlsafe_attr(n, "severity");
	ctl->owner = xmlsafe_attr(n, "owner");
	for (c = n->children; c != NULL; c = c->next) {
		if (is_el(c, "title") && ctl->title == NULL) {
			ctl->title = text(xs, c, 1, "a control title");
		} else if (is_el(c, "rationale") && ctl->rationale == NULL) {
			ctl->rationale = text(xs, c, 1, "a rationale");
		} else if (is_el(c, "ref")) {
			struct control_ref *ref;

			if (ctl->nrefs >= PLUMB_REFS_MAX) {
				if (!warned_refs)
					xmlsafe_problem(xs, xmlsafe_line(c), "more than %d "
						"references in one control",
						PLUMB_REFS_MAX);
				warned_refs = 1;
				continue;
			}
			ctl->refs = xreallocarray(ctl->refs, ctl->nrefs + 1,
						  sizeof(*ctl->refs));
			ref = &ctl->refs[ctl->nrefs++];
			ref->framework = xmlsafe_attr(c, "framework");
			ref->id = xmlsafe_attr(c, "id");
		} else if (is_el(c, "check")) {
			if (ctl->nchecks >= PLUMB_CHECKS_MAX) {
				if (!warned_checks)
					xmlsafe_problem(xs, xmlsafe_line(c), "more than %d "
						"checks in one control",
						PLUMB_CHECKS_MAX);
				warned_checks = 1;
				continue;
			}
			ctl->checks = xreallocarray(ctl->checks, ctl->nchecks + 1,
						    sizeof(*ctl->checks));
			memset(&ctl->checks[ctl->nchecks], 0,
			       sizeof(ctl->checks[0]));
			load_check(xs, c, &ctl->checks[ctl->nchecks++]);
		}
	}
}

static int
control_cmp(const void *a, const void *b)
{
	const struct control *x = *(const struct control *const *)a;
	const struct control *y = *(const struct control *const *)b;
	int r = strcmp(x->id, y->id);

	if (r != 0)
		return r;
	return (x->line > y->line) - (x->line < y->line);
}

/* Reports every control id used more than once, at each later use. */
static void
check_duplicates(struct xmlsafe *xs, struct baseline *b)
{
	const struct control **v;
	size_t i, n = 0, first = 0;

	v = xcalloc(b->ncontrols, sizeof(*v));
	for (i = 0; i < b->ncontrols; i++)
		if (b->controls[i].id != NULL)
			v[n++] = &b->controls[i];
	qsort(v, n, sizeof(*v), control_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(v[i]->id, v[first]->id) != 0) {
			first = i;
			continue;
		}
		xmlsafe_problem(xs, v[i]->line, "duplicate control id '%s' (first "
			"defined at line %d)", v[i]->id, v[first]->line);
	}
	free(v);
}

static void
load_tree(struct xmlsafe *xs, xmlNodePtr root, struct baseline *b)
{
	xmlNodePtr c;
	int warned = 0;

	b->id = xmlsafe_attr(root, "id");
	b->version = xmlsafe_attr(root, "version");
	if (b->version != NULL && !semver_valid(b->version)) {
		char *q = xmlsafe_quote(b->version);

		xmlsafe_problem(xs, xmlsafe_line(root), "version '%s' is not a semantic "
			"version MAJOR.MINOR.PATCH (e.g. 1.2.0 or 2.0.0-rc.1)", q);
		free(q);
	}
	for (c = root->children; c != NULL; c = c->next) {
		if (is_el(c, "title") && b->title == NULL) {
			b->title = text(xs, c, 1, "the baseline title");
		} else if (is_el(c, "description") && b->description == NULL) {
			b->description = text(xs, c, 1, "the description");
		} else if (is_el(c, "control")) {
			if (b->ncontrols >= PLUMB_CONTROLS_MAX) {
				if (!warned)
					xmlsafe_problem(xs, xmlsafe_line(c), "more than %d "
						"controls in one baseline",
						PLUMB_CONTROLS_MAX);
				warned = 1;
				continue;
			}
			b->controls = xreallocarray(b->controls, b->ncontrols + 1,
						    sizeof(*b->controls));
			memset(&b->controls[b->ncontrols], 0,
			       sizeof(b->controls[0]));
			load_control(xs, c, &b->controls[b->ncontrols++]);
		}
	}
	check_duplicates(xs, b);
}


int
baseline_load(const char *path, struct baseline **out, struct diags *d,
	      struct errbuf *e)
{
	struct xmlsafe x;
	struct baseline *b = NULL;
	xmlDocPtr doc = NULL;
	char *src = NULL;
	size_t len = 0;
	int r;

	*out = NULL;
	xmlsafe_begin(&x, &baseline_kind, path, d, e);
	if (xmlsafe_open(&x, &src, &len, &doc) != 0)
		goto out;
	b = xcalloc(1, sizeof(*b));
	b->path = xstrdup(path);
	sha256_hex(src, len, b->sha256);
	b->source = src;
	b->source_len = len;
	load_tree(&x, xmlDocGetRootElement(doc), b);
out:
	xmlFreeDoc(doc);
	if ((r = xmlsafe_end(&x)) != 0) {
		baseline_free(b);
		return r;
	}
	*out = b;
	return 0;
}

static void
check_release(struct check *c)
{
	size_t i;

	free(c->type);
	for (i = 0; i < c->nparams; i++) {
		free(c->params[i].name);
		free(c->params[i].value);
	}
	free(c->params);
}

static void
control_release(struct control *c)
{
	size_t j;

	free(c->id);
	free(c->title);
	free(c->rationale);
	free(c->family);
	free(c->severity);
	free(c->owner);
	for (j = 0; j < c->nrefs; j++) {
		free(c->refs[j].framework);
		free(c->refs[j].id);
	}
	free(c->refs);
	for (j = 0; j < c->nchecks; j++)
		check_release(&c->checks[j]);
	free(c->checks);
}

void
baseline_drop_control(struct baseline *b, size_t i)
{
	if (i >= b->ncontrols)
		return;
	control_release(&b->controls[i]);
	memmove(&b->controls[i], &b->controls[i + 1],
		(b->ncontrols - i - 1) * sizeof(b->controls[0]));
	b->ncontrols--;
}

void
baseline_free(struct baseline *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->ncontrols; i++)
		control_release(&b->controls[i]);
	free(b->controls);
	free(b->id);
	free(b->version);
	free(b->title);
	free(b->description);
	free(b->path);
	free(b->source);
	free(b);
}

/* ---- semantic versions -------------------------------------------------- */

/* Length of a numeric identifier at s (no leading zero unless "0"), or 0. */
static size_t
semver_num(const char *s)
{
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	if (n > 1 && s[0] == '0')
		return 0;
	return n;
}

/* Length of one prerelease identifier at s, or 0 when it is invalid. */
static size_t
semver_ident(const char *s)
{
	size_t n = 0;
	int alpha = 0;

	while ((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'z') ||
	       (s[n] >= 'A' && s[n] <= 'Z') || s[n] == '-') {
		if (!(s[n] >= '0' && s[n] <= '9'))
			alpha = 1;
		n++;
	}
	if (n == 0 || (!alpha && n > 1 && s[0] == '0'))
		return 0;
	return n;
}

int
semver_valid(const char *s)
{
	const char *p = s;
	size_t n;
	int i;

	if (strlen(s) > 64)
		return 0;
	for (i = 0; i < 3; i++) {
		if ((n = semver_num(p)) == 0)
			return 0;
		p += n;
		if (i < 2 && *p++ != '.')
			return 0;
	}
	if (*p == '\0')
		return 1;
	if (*p++ != '-')
		return 0;
	for (;;) {
		if ((n = semver_ident(p)) == 0)
			return 0;
		p += n;
		if (*p == '\0')
			return 1;
		if (*p++ != '.')
			return 0;
	}
}

/* Compares digit strings without leading zeros numerically. */
static int
num_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int r;

	if (an != bn)
		return an < bn ? -1 : 1;
	r = memcmp(a, b, an);
	return (r > 0) - (r < 0);
}

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
semver_cmp(const char *a, const char *b)
{
	size_t an, bn;
	int i, r, va = semver_valid(a), vb = semver_valid(b);

	if (!va || !vb) {
		if (va != vb)
			return va ? 1 : -1;
		r = strcmp(a, b);
		return (r > 0) - (r < 0);
	}
	/* MAJOR.MINOR.PATCH, numerically. */
	for (i = 0; i < 3; i++) {
		an = strspn(a, "0123456789");
		bn = strspn(b, "0123456789");
		if ((r = num_cmp(a, an, b, bn)) != 0)
			return r;
		a += an;
		b += bn;
		if (i < 2) {
			a++;
			b++;
		}
	}
	/* A prerelease sorts before its release. */
	if (*a == '\0' || *b == '\0')
		return (*a == '\0') - (*b == '\0');
	a++;
	b++;
	/* Identifiers left to right: numeric ones numerically and before
	 * alphanumeric ones, which compare in ASCII order; a longer list wins
	 * when all before are equal (semver.org 2.0.0, item 11). */
	for (;;) {
		int ad, bd;

		an = strcspn(a, ".");
		bn = strcspn(b, ".");
		ad = all_digits(a, an);
		bd = all_digits(b, bn);
		if (ad && bd) {
			r = num_cmp(a, an, b, bn);
		} else if (ad != bd) {
			r = ad ? -1 : 1;
		} else {
			r = memcmp(a, b, an < bn ? an : bn);
			r = r != 0 ? (r > 0) - (r < 0) : (an > bn) - (an < bn);
		}
		if (r != 0)
			return r;
		a += an;
		b += bn;
		if (*a == '\0' || *b == '\0')
			return (*a != '\0') - (*b != '\0');
		a++;
		b++;
	}
}

/* ---- finding a baseline by id ------------------------------------------- */

static int
id_valid(const char *s)
{
	size_t i;

	if (s[0] == '\0' || s[0] == '-' || strlen(s) > 64)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-'))
			return 0;
	return 1;
}

/* The highest version of dir/id/VERSION.xml, or NULL (caller frees). */
static char *
highest_in(const char *dir, const char *id)
{
	char *sub = xasprintf("%s/%s", dir, id);
	char *best = NULL;
	struct dirent *de;
	size_t seen = 0;
	DIR *dp;

	dp = opendir(sub);
	if (dp == NULL) {
		free(sub);
		return NULL;
	}
	while ((de = readdir(dp)) != NULL && seen++ < PLUMB_DIR_ENTRIES_MAX) {
		size_t n = strlen(de->d_name);
		struct stat st;
		char *ver, *file;

		if (n <= 4 || strcmp(de->d_name + n - 4, ".xml") != 0)
			continue;
		ver = xstrndup(de->d_name, n - 4);
		file = xasprintf("%s/%s", sub, de->d_name);
		if (semver_valid(ver) && stat(file, &st) == 0 &&
		    S_ISREG(st.st_mode) &&
		    (best == NULL || semver_cmp(ver, best) > 0)) {
			free(best);
			best = ver;
			ver = NULL;
		}
		free(ver);
		free(file);
	}
	closedir(dp);
	free(sub);
	return best;
}

/*
 * The search path is read in order and the first directory that holds any
 * version of the id wins, as PATH does: a directory named earlier (a test
 * tree, an organisation's own baselines) is never outvoted by a higher
 * version installed later in the path.
 */
int
baseline_resolve(const char *arg, char **path, struct errbuf *e)
{
	const char *env = getenv("PLUMB_BASELINE_PATH");
	char *dirs = xstrdup(env != NULL ? env : "");
	char *cur, *next, *ver;
	struct dynbuf searched;
	struct stat st;
	int r;

	*path = NULL;
	if (stat(arg, &st) == 0) {
		free(dirs);
		if (S_ISDIR(st.st_mode))
			return err_set(e, PLUMB_EUSAGE, "%s: is a directory, not "
				       "a baseline file or id", arg);
		*path = xstrdup(arg);
		return 0;
	}
	if (!id_valid(arg)) {
		r = err_set(e, PLUMB_ENOENT, "%s: %s (and not a baseline id: "
			    "those are [a-z0-9-]+)", arg, strerror(errno));
		free(dirs);
		return r;
	}
	dynbuf_init(&searched, PLUMB_ERRMSG_MAX);
	for (cur = dirs;; cur = next + 1) {
		next = strchr(cur, ':');
		if (next != NULL)
			*next = '\0';
		if (*cur != '\0') {
			if ((ver = highest_in(cur, arg)) != NULL) {
				*path = xasprintf("%s/%s/%s.xml", cur, arg, ver);
				free(ver);
				goto found;
			}
			(void)dynbuf_printf(&searched, "%s%s",
					    searched.len ? ", " : "", cur);
		}
		if (next == NULL)
			break;
	}
	if ((ver = highest_in(PLUMB_DATADIR "/baselines", arg)) != NULL) {
		*path = xasprintf("%s/%s/%s.xml", PLUMB_DATADIR "/baselines",
				  arg, ver);
		free(ver);
		goto found;
	}
	(void)dynbuf_printf(&searched, "%s%s", searched.len ? ", " : "",
			    PLUMB_DATADIR "/baselines");
	r = err_set(e, PLUMB_ENOENT, "no baseline '%s': no file of that name, "
		    "and no %s/VERSION.xml in %s ($PLUMB_BASELINE_PATH, then the "
		    "installed baselines)", arg, arg,
		    searched.data != NULL ? searched.data : "");
	dynbuf_release(&searched);
	free(dirs);
	return r;
found:
	dynbuf_release(&searched);
	free(dirs);
	return 0;
}

/* ---- parameters --------------------------------------------------------- */

const char *
check_param_get(const struct check *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nparams; i++)
		if (c->params[i].name != NULL &&
		    strcmp(c->params[i].name, name) == 0)
			return c->params[i].value;
	return NULL;
}

long long
check_param_int(const struct check *c, const char *name, long long def)
{
	const char *v = check_param_get(c, name);
	long long n;

	if (v == NULL || parse_ll(v, LLONG_MIN, LLONG_MAX, &n) != 0)
		return def;
	return n;
}

int
check_param_bool(const struct check *c, const char *name, int def)
{
	const char *v = check_param_get(c, name);

	if (v == NULL)
		return def;
	if (strcmp(v, "true") == 0)
		return 1;
	if (strcmp(v, "false") == 0)
		return 0;
	return def;
}

/*
 * tailoring.c - loads tailoring files and applies them to a baseline
 * (tailoring.h).
 *
 * Applying is all or nothing: the changed checks are built as copies,
 * validated with the baseline loader's own rules, and only swapped into the
 * baseline when every change is valid, so a bad tailoring never leaves a
 * half-tailored baseline behind.
 */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "embed.h"
#include "tailoring.h"
#include "xmlsafe.h"

#define TAILORING_NS "urn:plumb:tailoring:1"

static int
node_line(const xmlNode *n)
{
	long l = xmlGetLineNo(n);

	return l < 0 ? 0 : l > 0x7fffffff ? 0x7fffffff : (int)l;
}

static void
parse_deselect(struct tailoring *t, const xmlNode *n)
{
	struct tailoring_deselect *ds;

	t->desel = xreallocarray(t->desel, t->ndesel + 1, sizeof(*t->desel));
	ds = &t->desel[t->ndesel++];
	ds->control = xmlsafe_attr(n, "control");
	ds->reason = xmlsafe_text(n);
	ds->line = node_line(n);
}

static void
parse_param(struct tailoring *t, const xmlNode *n)
{
	struct tailoring_param *p;

	t->params = xreallocarray(t->params, t->nparams + 1, sizeof(*t->params));
	p = &t->params[t->nparams++];
	p->control = xmlsafe_attr(n, "control");
	p->check = xmlsafe_attr(n, "check");
	p->name = xmlsafe_attr(n, "name");
	p->value = xmlsafe_text(n);
	if (p->value == NULL)
		p->value = xstrdup("");
	p->line = node_line(n);
}

int
tailoring_load(const char *path, struct tailoring **out, struct diags *d,
	       struct errbuf *e)
{
	struct tailoring *t;
	xmlDoc *doc = NULL;
	const xmlNode *root, *n;
	int r;

	*out = NULL;
	t = xcalloc(1, sizeof(*t));
	t->path = xstrdup(path);
	r = xmlsafe_load(path, plumb_tailoring_xsd,
			 (size_t)(plumb_tailoring_xsd_end - plumb_tailoring_xsd),
			 &doc, &t->source, &t->source_len, d, e);
	if (r != 0) {
		tailoring_free(t);
		return r;
	}
	sha256_hex(t->source, t->source_len, t->sha256);
	root = xmlDocGetRootElement(doc);
	t->id = xmlsafe_attr(root, "id");
	t->version = xmlsafe_attr(root, "version");
	t->baseline = xmlsafe_attr(root, "baseline");
	for (n = root->children; n != NULL; n = n->next) {
		if (xmlsafe_is(n, TAILORING_NS, "title"))
			t->title = xmlsafe_text(n);
		else if (xmlsafe_is(n, TAILORING_NS, "deselect"))
			parse_deselect(t, n);
		else if (xmlsafe_is(n, TAILORING_NS, "param"))
			parse_param(t, n);
	}
	xmlFreeDoc(doc);
	*out = t;
	return PLUMB_OK;
}

void
tailoring_free(struct tailoring *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->ndesel; i++) {
		free(t->desel[i].control);
		free(t->desel[i].reason);
	}
	for (i = 0; i < t->nparams; i++) {
		free(t->params[i].control);
		free(t->params[i].check);
		free(t->params[i].name);
		free(t->params[i].value);
	}
	free(t->desel);
	free(t->params);
	free(t->id);
	free(t->version);
	free(t->baseline);
	free(t->title);
	free(t->path);
	free(t->source);
	free(t);
}

int
tailoring_sniff(const char *path)
{
	struct errbuf e = { "" };
	xmlDoc *doc = NULL;
	const xmlNode *root;
	char *src = NULL;
	size_t len = 0;
	int yes;

	if (xmlsafe_load(path, NULL, 0, &doc, &src, &len, NULL, &e) != 0)
		return 0;
	root = xmlDocGetRootElement(doc);
	yes = root != NULL && xmlsafe_is(root, TAILORING_NS, "tailoring");
	xmlFreeDoc(doc);
	free(src);
	return yes;
}

/* ---- applying -------------------------------------------------------- */

/* A check the tailoring changes: a copy of the baseline's, to be swapped
 * in when every change is valid. */
struct edit {
	size_t ctl, chk;	/* indexes in the baseline */
	struct check copy;
	char **replaced;	/* parameter names already replaced */
	size_t nreplaced;
	int line;		/* the first <param> that touched it */
};

struct plan {
	const struct tailoring *t;
	struct baseline *b;
	struct diags *d;
	unsigned char *drop;	/* per control: deselected */
	struct edit *edits;
	size_t nedits;
	size_t problems;
};

static void
problem(struct plan *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
problem(struct plan *p, int line, const char *fmt, ...)
{
	char msg[PLUMB_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diags_addl(p->d, p->t->path, line, msg);
	p->problems++;
}

static void
check_copy(struct check *dst, const struct check *src)
{
	size_t i;

	dst->type = xstrdup(src->type);
	dst->ct = src->ct;
	dst->line = src->line;
	dst->nparams = src->nparams;
	dst->params = xcalloc(src->nparams ? src->nparams : 1,
			      sizeof(*dst->params));
	for (i = 0; i < src->nparams; i++) {
		dst->params[i].name = xstrdup(src->params[i].name);
		dst->params[i].value = xstrdup(src->params[i].value);
		dst->params[i].line = src->params[i].line;
	}
}

static void
check_params_free(struct check *c)
{
	size_t i;

	for (i = 0; i < c->nparams; i++) {
		free(c->params[i].name);
		free(c->params[i].value);
	}
	free(c->params);
	c->params = NULL;
	c->nparams = 0;
}

static struct edit *
edit_for(struct plan *p, size_t ctl, size_t chk, int line)
{
	struct edit *ed;
	size_t i;

	for (i = 0; i < p->nedits; i++)
		if (p->edits[i].ctl == ctl && p->edits[i].chk == chk)
			return &p->edits[i];
	p->edits = xreallocarray(p->edits, p->nedits + 1, sizeof(*p->edits));
	ed = &p->edits[p->nedits++];
	memset(ed, 0, sizeof(*ed));
	ed->ctl = ctl;
	ed->chk = chk;
	ed->line = line;
	check_copy(&ed->copy, &p->b->controls[ctl].checks[chk]);
	return ed;
}

/* Sets one value of parameter name on the copy: the first time a name is
 * set on a check, the baseline's values of it are dropped. */
static void
edit_set(struct edit *ed, const struct tailoring_param *tp)
{
	struct check *c = &ed->copy;
	struct check_param *np;
	size_t i, k;

	for (i = 0; i < ed->nreplaced; i++)
		if (strcmp(ed->replaced[i], tp->name) == 0)
			break;
	if (i == ed->nreplaced) {
		for (i = k = 0; i < c->nparams; i++) {
			if (strcmp(c->params[i].name, tp->name) == 0) {
				free(c->params[i].name);
				free(c->params[i].value);
				continue;
			}
			c->params[k++] = c->params[i];
		}
		c->nparams = k;
		ed->replaced = xreallocarray(ed->replaced, ed->nreplaced + 1,
					     sizeof(*ed->replaced));
		ed->replaced[ed->nreplaced++] = tp->name;
	}
	c->params = xreallocarray(c->params, c->nparams + 1, sizeof(*c->params));
	np = &c->params[c->nparams++];
	np->name = xstrdup(tp->name);
	np->value = xstrdup(tp->value);
	np->line = tp->line;
}

static int
type_has_param(const struct check_type *ct, const char *name)
{
	size_t i;

	for (i = 0; ct != NULL && ct->params != NULL &&
		    ct->params[i].name != NULL; i++)
		if (strcmp(ct->params[i].name, name) == 0)
			return 1;
	return 0;
}

static void
plan_deselect(struct plan *p)
{
	size_t i, j, hit;

	for (i = 0; i < p->t->ndesel; i++) {
		const struct tailoring_deselect *ds = &p->t->desel[i];

		for (j = hit = 0; j < p->b->ncontrols; j++)
			if (fnmatch(ds->control, p->b->controls[j].id, 0) == 0) {
				p->drop[j] = 1;
				hit++;
			}
		if (hit == 0)
			problem(p, ds->line, "deselect '%s' matches no control "
				"of baseline %s %s", ds->control, p->b->id,
				p->b->version);
	}
}

static void
plan_param(struct plan *p, const struct tailoring_param *tp)
{
	const struct control *ctl = NULL;
	size_t ci, k, hit = 0;

	for (ci = 0; ci < p->b->ncontrols; ci++)
		if (strcmp(p->b->controls[ci].id, tp->control) == 0) {
			ctl = &p->b->controls[ci];
			break;
		}
	if (ctl == NULL) {
		problem(p, tp->line, "no control '%s' in baseline %s %s",
			tp->control, p->b->id, p->b->version);
		return;
	}
	if (p->drop[ci]) {
		problem(p, tp->line, "control '%s' is deselected; its "
			"parameters cannot be set", tp->control);
		return;
	}
	for (k = 0; k < ctl->nchecks; k++) {
		const struct check *c = &ctl->checks[k];

		if (tp->check != NULL ? strcmp(c->type, tp->check) != 0 :
		    !type_has_param(c->ct, tp->name))
			continue;
		edit_set(edit_for(p, ci, k, tp->line), tp);
		hit++;
	}
	if (hit > 0)
		return;
	if (tp->check != NULL)
		problem(p, tp->line, "control '%s' has no check of type '%s'",
			tp->control, tp->check);
	else
		problem(p, tp->line, "no check of control '%s' has a parameter "
			"'%s'", tp->control, tp->name);
}

static json_t *
record_make(const struct tailoring *t)
{
	json_t *rec = json_object(), *desel = json_array(), *params = json_array();
	size_t i, j;

	json_object_set_new(rec, "id", json_string(t->id));
	json_object_set_new(rec, "version", json_string(t->version));
	json_object_set_new(rec, "sha256", json_string(t->sha256));
	for (i = 0; i < t->ndesel; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "control",
				    json_string(t->desel[i].control));
		json_object_set_new(o, "reason", t->desel[i].reason != NULL ?
				    json_string(t->desel[i].reason) :
				    json_null());
		json_array_append_new(desel, o);
	}
	/* One entry per (control, check, name), its values in file order. */
	for (i = 0; i < t->nparams; i++) {
		const struct tailoring_param *tp = &t->params[i];
		json_t *o = NULL, *vals;

		for (j = 0; j < json_array_size(params); j++) {
			json_t *x = json_array_get(params, j);
			const char *xc = json_string_value(
				json_object_get(x, "check"));

			if (strcmp(json_string_value(json_object_get(x,
				   "control")), tp->control) == 0 &&
			    strcmp(json_string_value(json_object_get(x,
				   "name")), tp->name) == 0 &&
			    ((xc == NULL && tp->check == NULL) ||
			     (xc != NULL && tp->check != NULL &&
			      strcmp(xc, tp->check) == 0))) {
				o = x;
				break;
			}
		}
		if (o == NULL) {
			o = json_object();
			json_object_set_new(o, "control",
					    json_string(tp->control));
			json_object_set_new(o, "check", tp->check != NULL ?
					    json_string(tp->check) :
					    json_null());
			json_object_set_new(o, "name", json_string(tp->name));
			json_object_set_new(o, "values", json_array());
			json_array_append_new(params, o);
		}
		vals = json_object_get(o, "values");
		json_array_append_new(vals, json_string(tp->value));
	}
	json_object_set_new(rec, "deselected", desel);
	json_object_set_new(rec, "params", params);
	return rec;
}

static void
plan_release(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->nedits; i++) {
		check_params_free(&p->edits[i].copy);
		free(p->edits[i].copy.type);
		free(p->edits[i].replaced);
	}
	free(p->edits);
	free(p->drop);
}

int
tailoring_apply(const struct tailoring *t, struct baseline *b,
		json_t **record, struct diags *d, struct errbuf *e)
{
	struct plan p = { t, b, d, NULL, NULL, 0, 0 };
	size_t i, before = d != NULL ? d->n : 0;
	struct diags local = { NULL, 0 };

	if (record != NULL)
		*record = NULL;
	if (d == NULL)
		p.d = d = &local;
	if (strcmp(t->baseline, b->id) != 0) {
		problem(&p, 0, "tailoring %s is for baseline %s, not %s",
			t->id, t->baseline, b->id);
		goto out;
	}
	p.drop = xcalloc(b->ncontrols ? b->ncontrols : 1, 1);
	plan_deselect(&p);
	for (i = 0; i < t->nparams; i++)
		plan_param(&p, &t->params[i]);
	/* Validate each changed check as the loader would; a check-level
	 * problem is placed at the <param> that changed the check. */
	for (i = 0; i < p.nedits; i++) {
		struct edit *ed = &p.edits[i];
		int line = ed->copy.line;

		ed->copy.line = ed->line;
		p.problems += baseline_check_validate(&ed->copy, t->path, d);
		ed->copy.line = line;
	}
	if (p.problems > 0)
		goto out;
	for (i = 0; i < p.nedits; i++) {
		struct check *c = &b->controls[p.edits[i].ctl].checks[
			p.edits[i].chk];

		check_params_free(c);
		c->params = p.edits[i].copy.params;
		c->nparams = p.edits[i].copy.nparams;
		c->ct = p.edits[i].copy.ct;
		p.edits[i].copy.params = NULL;
		p.edits[i].copy.nparams = 0;
	}
	for (i = b->ncontrols; i-- > 0;)
		if (p.drop[i])
			baseline_drop_control(b, i);
	if (record != NULL)
		*record = record_make(t);
out:
	if (p.problems > 0)
		err_set(e, PLUMB_EINVAL, "%s", d->n > before ?
			d->lines[before] : "invalid tailoring");
	plan_release(&p);
	diags_release(&local);
	return p.problems > 0 ? PLUMB_EINVAL : PLUMB_OK;
}

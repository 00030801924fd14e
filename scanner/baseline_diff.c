/*
 * baseline_diff.c - what changed between two baseline versions, control by
 * control (see baseline_diff.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "baseline_diff.h"
#include "cmd.h"

static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
change(json_t *changes, const char *field, const char *from, const char *to)
{
	json_array_append_new(changes, json_pack("{s:s, s:o, s:o}", "field",
						 field, "from",
						 str_or_null(from), "to",
						 str_or_null(to)));
}

static const struct control *
find_control(const struct baseline *b, const char *id)
{
	size_t i;

	for (i = 0; i < b->ncontrols; i++)
		if (strcmp(b->controls[i].id, id) == 0)
			return &b->controls[i];
	return NULL;
}

static int
has_ref(const struct control *c, const struct control_ref *r)
{
	size_t i;

	for (i = 0; i < c->nrefs; i++)
		if (same(c->refs[i].framework, r->framework) &&
		    same(c->refs[i].id, r->id))
			return 1;
	return 0;
}

/* References only one side has, as "framework:id" joined by ", ", or NULL
 * when there are none. */
static char *
refs_missing(const struct control *from, const struct control *in)
{
	struct dynbuf b;
	size_t i;

	dynbuf_init(&b, PLUMB_TEXT_MAX);
	for (i = 0; i < from->nrefs; i++)
		if (!has_ref(in, &from->refs[i]))
			(void)dynbuf_printf(&b, "%s%s:%s", b.len ? ", " : "",
					    from->refs[i].framework,
					    from->refs[i].id);
	if (b.len == 0) {
		dynbuf_release(&b);
		return NULL;
	}
	return dynbuf_take(&b, NULL);
}

static void
diff_params(json_t *changes, size_t k, const struct check *a,
	    const struct check *b)
{
	const char *v;
	char *f;
	size_t i;

	for (i = 0; i < a->nparams; i++) {
		v = check_param_get(b, a->params[i].name);
		if (same(v, a->params[i].value))
			continue;
		f = xasprintf("checks[%zu].params.%s", k, a->params[i].name);
		change(changes, f, a->params[i].value, v);
		free(f);
	}
	for (i = 0; i < b->nparams; i++) {
		if (check_param_get(a, b->params[i].name) != NULL)
			continue;
		f = xasprintf("checks[%zu].params.%s", k, b->params[i].name);
		change(changes, f, NULL, b->params[i].value);
		free(f);
	}
}

/* A check in one line of text: "type(name=value, ...)". */
static char *
check_text(const struct check *c)
{
	struct dynbuf b;
	size_t i;

	dynbuf_init(&b, PLUMB_TEXT_MAX);
	(void)dynbuf_printf(&b, "%s(", c->type);
	for (i = 0; i < c->nparams; i++)
		(void)dynbuf_printf(&b, "%s%s=%s", i ? ", " : "",
				    c->params[i].name, c->params[i].value);
	(void)dynbuf_addstr(&b, ")");
	return dynbuf_take(&b, NULL);
}

static json_t *
diff_control(const struct control *a, const struct control *b)
{
	json_t *ch = json_array();
	char *x, *y, *f;
	size_t k, n;

	if (!same(a->title, b->title))
		change(ch, "title", a->title, b->title);
	if (!same(a->rationale, b->rationale))
		change(ch, "rationale", a->rationale, b->rationale);
	if (!same(a->family, b->family))
		change(ch, "family", a->family, b->family);
	if (!same(a->severity, b->severity))
		change(ch, "severity", a->severity, b->severity);
	if (!same(a->owner, b->owner))
		change(ch, "owner", a->owner, b->owner);
	x = refs_missing(a, b);
	y = refs_missing(b, a);
	if (x != NULL || y != NULL)
		change(ch, "refs", x, y);
	free(x);
	free(y);
	n = a->nchecks > b->nchecks ? a->nchecks : b->nchecks;
	for (k = 0; k < n; k++) {
		if (k >= a->nchecks || k >= b->nchecks) {
			x = k < a->nchecks ? check_text(&a->checks[k]) : NULL;
			y = k < b->nchecks ? check_text(&b->checks[k]) : NULL;
			f = xasprintf("checks[%zu]", k);
			change(ch, f, x, y);
			free(f);
			free(x);
			free(y);
			continue;
		}
		if (!same(a->checks[k].type, b->checks[k].type)) {
			f = xasprintf("checks[%zu].type", k);
			change(ch, f, a->checks[k].type, b->checks[k].type);
			free(f);
		}
		diff_params(ch, k, &a->checks[k], &b->checks[k]);
	}
	return ch;
}

static json_t *
control_summary(const struct control *c)
{
	return json_pack("{s:s, s:o, s:o, s:o, s:o}", "control", c->id,
			 "title", str_or_null(c->title), "family",
			 str_or_null(c->family), "severity",
			 str_or_null(c->severity), "owner",
			 str_or_null(c->owner));
}

json_t *
baseline_diff(const struct baseline *old, const struct baseline *new)
{
	json_t *added = json_array(), *removed = json_array();
	json_t *changed = json_array(), *ch;
	const struct control *c;
	size_t i;

	for (i = 0; i < new->ncontrols; i++) {
		c = find_control(old, new->controls[i].id);
		if (c == NULL) {
			json_array_append_new(added,
					      control_summary(&new->controls[i]));
			continue;
		}
		ch = diff_control(c, &new->controls[i]);
		if (json_array_size(ch) == 0) {
			json_decref(ch);
			continue;
		}
		json_array_append_new(changed, json_pack("{s:s, s:o}",
			"control", c->id, "changes", ch));
	}
	for (i = 0; i < old->ncontrols; i++)
		if (find_control(new, old->controls[i].id) == NULL)
			json_array_append_new(removed,
					      control_summary(&old->controls[i]));
	return json_pack("{s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:o, "
			 "s:o, s:o}", "schema", "plumb.baseline-diff/1",
			 "old", "id", old->id, "version", old->version,
			 "sha256", old->sha256, "new", "id", new->id,
			 "version", new->version, "sha256", new->sha256,
			 "added", added, "removed", removed, "changed",
			 changed);
}

static const char *
jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* Baseline text on a terminal: control characters shown as '?', and long
 * values (a rationale) cut. */
static void
put_safe(FILE *f, const char *s, size_t max)
{
	size_t n = 0;

	for (; *s && n < max; s++, n++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
	if (*s)
		fputs("...", f);
}

static void
put_value(FILE *f, const json_t *v)
{
	if (json_is_string(v)) {
		fputc('"', f);
		put_safe(f, json_string_value(v), 100);
		fputc('"', f);
	} else {
		fputs("(none)", f);
	}
}

void
baseline_diff_text(FILE *f, const json_t *d)
{
	const json_t *o = json_object_get(d, "old"), *n = json_object_get(d, "new");
	const json_t *c, *ch;
	size_t i, j;

	fputs("old ", f);
	put_safe(f, jstr(o, "id"), 200);
	fputc(' ', f);
	put_safe(f, jstr(o, "version"), 200);
	fputs("\nnew ", f);
	put_safe(f, jstr(n, "id"), 200);
	fputc(' ', f);
	put_safe(f, jstr(n, "version"), 200);
	fputc('\n', f);
	if (strcmp(jstr(o, "sha256"), jstr(n, "sha256")) == 0) {
		fputs("\nidentical files\n", f);
		return;
	}
	if (json_array_size(json_object_get(d, "added")) +
	    json_array_size(json_object_get(d, "removed")) +
	    json_array_size(json_object_get(d, "changed")) == 0) {
		fputs("\nno control changed\n", f);
		return;
	}
	json_array_foreach(json_object_get(d, "added"), i, c) {
		fputs("\nadded    ", f);
		put_safe(f, jstr(c, "control"), 200);
		fprintf(f, " [%s, %s, owner %s]: ", jstr(c, "family"),
			jstr(c, "severity"), jstr(c, "owner"));
		put_safe(f, jstr(c, "title"), 100);
	}
	json_array_foreach(json_object_get(d, "removed"), i, c) {
		fputs("\nremoved  ", f);
		put_safe(f, jstr(c, "control"), 200);
		fputs(": ", f);
		put_safe(f, jstr(c, "title"), 100);
	}
	json_array_foreach(json_object_get(d, "changed"), i, c) {
		fputs("\nchanged  ", f);
		put_safe(f, jstr(c, "control"), 200);
		json_array_foreach(json_object_get(c, "changes"), j, ch) {
			fputs("\n    ", f);
			put_safe(f, jstr(ch, "field"), 200);
			fputs(": ", f);
			put_value(f, json_object_get(ch, "from"));
			fputs(" -> ", f);
			put_value(f, json_object_get(ch, "to"));
		}
	}
	fputc('\n', f);
}

/*
 * A baseline argument: a file, an id (the highest version), or ID@VERSION
 * (VERSION.xml beside the id's highest version).  The caller frees *path.
 */
static int
resolve(const char *arg, char **path, struct errbuf *e)
{
	const char *at = strchr(arg, '@');
	struct stat st;
	char *id, *top = NULL, *slash;
	int r;

	*path = NULL;
	if (at == NULL || stat(arg, &st) == 0)
		return baseline_resolve(arg, path, e);
	if (!semver_valid(at + 1))
		return err_set(e, PLUMB_EUSAGE, "%s: '%s' is not a version "
			       "MAJOR.MINOR.PATCH", arg, at + 1);
	id = xstrndup(arg, (size_t)(at - arg));
	r = baseline_resolve(id, &top, e);
	if (r == 0) {
		slash = strrchr(top, '/');
		*path = xasprintf("%.*s/%s.xml", slash ? (int)(slash - top) : 1,
				  slash ? top : ".", at + 1);
		if (stat(*path, &st) != 0) {
			r = err_set(e, PLUMB_ENOENT, "no baseline %s: %s does "
				    "not exist", arg, *path);
			free(*path);
			*path = NULL;
		}
	}
	free(id);
	free(top);
	return r;
}

static int
load(const char *arg, struct baseline **b)
{
	struct diags d = { NULL, 0 };
	struct errbuf e = { "" };
	char *path = NULL;
	size_t i;
	int r;

	if ((r = resolve(arg, &path, &e)) != 0) {
		cli_error("%s", e.msg);
		return r;
	}
	if ((r = baseline_load(path, b, &d, &e)) != 0) {
		if (d.n == 0)
			cli_error("%s", e.msg);
		for (i = 0; i < d.n; i++)
			fprintf(stderr, "%s\n", d.lines[i]);
		cli_error("%s: baseline refused", path);
	}
	diags_release(&d);
	free(path);
	return r;
}

int
baseline_diff_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "text", *output = NULL;
	struct cli_out out = { NULL, NULL, NULL };
	struct baseline *a = NULL, *b = NULL;
	json_t *d = NULL;
	int c, rc = EXIT_PLUMB_ERROR;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case 'h':
			fputs("usage: plumb baseline diff OLD NEW [--format "
			      "text|json] [-o FILE]\n\n"
			      "Lists the controls NEW adds, removes and changes "
			      "(fields, references,\nchecks and parameters) "
			      "compared with OLD.  OLD and NEW are files, ids\n"
			      "(the highest version) or ID@VERSION.\n", stdout);
			return EXIT_PLUMB_OK;
		default: return cli_usage_error("baseline", "invalid option");
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("baseline", "diff needs OLD and NEW");
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return cli_usage_error("baseline", "unknown format '%s' (text or "
				       "json)", format);
	if (load(argv[optind], &a) != 0 || load(argv[optind + 1], &b) != 0)
		goto out;
	d = baseline_diff(a, b);
	if (cli_out_open(&out, output) != 0)
		goto out;
	if (strcmp(format, "json") == 0) {
		if (json_dumpf(d, out.f, JSON_INDENT(2)) != 0) {
			cli_error("writing the diff failed");
			goto out;
		}
		fputc('\n', out.f);
	} else {
		baseline_diff_text(out.f, d);
	}
	if (cli_out_close(&out, 1) == 0)
		rc = EXIT_PLUMB_OK;
out:
	if (out.f != NULL)
		cli_out_close(&out, 0);
	json_decref(d);
	baseline_free(a);
	baseline_free(b);
	return rc;
}

/*
 * cmd_baseline.c - `plumb baseline lint|show|types`: check baselines before
 * they are shipped, see exactly what a baseline asks of a host, and list the
 * check types a baseline may use.
 *
 * lint reports every problem of every file as "file:line: message" (the
 * loader collects them all), so an author fixes a file in one pass.  The
 * problems go to standard error, as a compiler's do; the "ok" line of a
 * sound file goes to standard output.  A tailoring file given to lint is
 * loaded and applied to its baseline exactly as `plumb scan --tailoring`
 * would, so it can be checked before a scheduled run meets it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "baseline.h"
#include "cmd.h"
#include "probe.h"
#include "baseline_diff.h"
#include "tailoring.h"

static void
baseline_usage(FILE *f)
{
	fprintf(f,
		"usage: plumb baseline lint [--baseline FILE|ID] FILE|ID...\n"
		"       plumb baseline show FILE|ID [--format text|json] [-o FILE]\n"
		"       plumb baseline types [--format text|json] [-o FILE]\n"
		"       plumb baseline diff OLD NEW [--format text|json] [-o FILE]\n"
		"\n"
		"  lint   validate baselines (schema, unique control ids, check\n"
		"         types and their parameters); print every problem as\n"
		"         file:line: message on standard error.  A tailoring\n"
		"         file is applied to the baseline it names (or to\n"
		"         --baseline) as a scan would apply it\n"
		"  show   print a baseline's controls, references and checks\n"
		"  types  list the check types a baseline may use, with their\n"
		"         parameters\n"
		"  diff   controls added, removed and changed between two\n"
		"         baselines (OLD and NEW may also be ID@VERSION)\n"
		"\n"
		"An ID (such as smb-linux-workstation) names the highest version of\n"
		"ID/VERSION.xml in $PLUMB_BASELINE_PATH (colon-separated\n"
		"directories), then in the installed baselines.\n"
		"\n"
		"options:\n"
		"  -f, --format text|json  output format (default text)\n"
		"  -o, --output FILE       write to FILE instead of standard output\n"
		"  -h, --help              show this help\n"
		"\n"
		"exit status: 0 no problem; 1 a problem was found or the command\n"
		"could not run.\n");
}

/* Writes s for a terminal on one line: control characters (C0, DEL and
 * the C1 range, which some terminals obey) are shown escaped. */
static void
put_text(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0)
			fprintf(f, "\\u%04x", *++p);
		else
			fputc(*p, f);
	}
}

/* The line of the root element in the file's bytes, for messages about
 * its attributes. */
static int
root_line(const struct baseline *b)
{
	const char *p = strstr(b->source, "<baseline"), *q;
	int line = 1;

	if (p == NULL)
		return 0;
	for (q = b->source; q < p; q++)
		if (*q == '\n')
			line++;
	return line;
}

/*
 * A file kept as ID/VERSION.xml (how --baseline ID finds it) must declare
 * that id and version, or `--baseline ID` would pick it by a version it
 * does not have.  Adds a problem to d and returns 1 on a mismatch.
 */
static int
lint_file_name(const struct baseline *b, struct diags *d)
{
	const char *slash = strrchr(b->path, '/'), *dirstart;
	char *ver, *id;
	size_t n;
	int bad = 0;

	if (slash == NULL)
		return 0;
	n = strlen(slash + 1);
	if (n <= 4 || strcmp(slash + 1 + n - 4, ".xml") != 0)
		return 0;
	ver = xstrndup(slash + 1, n - 4);
	for (dirstart = slash; dirstart > b->path && dirstart[-1] != '/';)
		dirstart--;
	id = xstrndup(dirstart, (size_t)(slash - dirstart));
	if (semver_valid(ver) && strcmp(id, b->id) != 0 &&
	    strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(id)) {
		diags_add(d, b->path, root_line(b), "the file is kept as %s/%s.xml "
			  "but declares id '%s'", id, ver, b->id);
		bad = 1;
	}
	if (semver_valid(ver) && strcmp(ver, b->version) != 0) {
		diags_add(d, b->path, root_line(b), "the file is named %s.xml but "
			  "declares version '%s'", ver, b->version);
		bad = 1;
	}
	free(ver);
	free(id);
	return bad;
}

/* Prints the problems of one file, or e's message when there is none. */
static void
lint_problems(const struct diags *d, const struct errbuf *e)
{
	size_t k;

	if (d->n == 0)
		fprintf(stderr, "%s\n", e->msg);
	for (k = 0; k < d->n; k++)
		fprintf(stderr, "%s\n", d->lines[k]);
}

/*
 * Lints the tailoring at path: it must load, and apply without a problem
 * to base (a file or id) or, when base is NULL, to the highest version of
 * the baseline id it names.  Returns the exit status.
 */
static int
lint_tailoring(const char *path, const char *base)
{
	struct errbuf e = { "" };
	struct diags d = { NULL, 0 };
	struct tailoring *t = NULL;
	struct baseline *b = NULL;
	char *bpath = NULL;
	int rc = EXIT_PLUMB_ERROR;

	if (tailoring_load(path, &t, &d, &e) != 0) {
		lint_problems(&d, &e);
		goto out;
	}
	if (baseline_resolve(base != NULL ? base : t->baseline, &bpath, &e) != 0) {
		fprintf(stderr, "%s\n", e.msg);
		if (base == NULL)
			fprintf(stderr, "%s: the tailoring is for baseline '%s'; "
				"name its file with --baseline\n", path,
				t->baseline);
		goto out;
	}
	if (baseline_load(bpath, &b, &d, &e) != 0) {
		lint_problems(&d, &e);
		goto out;
	}
	if (tailoring_apply(t, b, NULL, &d, &e) != 0) {
		lint_problems(&d, &e);
		goto out;
	}
	put_text(stdout, path);
	printf(": ok (tailoring %s %s of %s %s: %zu deselection%s, %zu "
	       "parameter%s; %zu control%s left)\n", t->id, t->version, b->id,
	       b->version, t->ndesel, t->ndesel == 1 ? "" : "s", t->nparams,
	       t->nparams == 1 ? "" : "s", b->ncontrols,
	       b->ncontrols == 1 ? "" : "s");
	rc = EXIT_PLUMB_OK;
out:
	baseline_free(b);
	tailoring_free(t);
	diags_release(&d);
	free(bpath);
	return rc;
}

static int
baseline_lint(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "baseline", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *base = NULL;
	int c, i, rc = EXIT_PLUMB_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b': base = optarg; break;
		case 'h': baseline_usage(stdout); return EXIT_PLUMB_OK;
		default: return cli_usage_error("baseline", "invalid option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("baseline", "lint needs at least one FILE "
				       "or ID");
	for (i = optind; i < argc; i++) {
		struct errbuf e = { "" };
		struct diags d = { NULL, 0 };
		struct baseline *b = NULL;
		char *path = NULL;

		if (baseline_resolve(argv[i], &path, &e) != 0) {
			fprintf(stderr, "%s\n", e.msg);
			rc = EXIT_PLUMB_ERROR;
			continue;
		}
		/* A baseline loads at once; only a file that does not is
		 * looked at again, in case it is a tailoring. */
		if (baseline_load(path, &b, &d, &e) != 0 &&
		    tailoring_sniff(path)) {
			if (lint_tailoring(path, base) != EXIT_PLUMB_OK)
				rc = EXIT_PLUMB_ERROR;
		} else if (b == NULL || lint_file_name(b, &d)) {
			lint_problems(&d, &e);
			rc = EXIT_PLUMB_ERROR;
		} else {
			put_text(stdout, path);
			printf(": ok (%zu control%s)\n", b->ncontrols,
			       b->ncontrols == 1 ? "" : "s");
		}
		baseline_free(b);
		diags_release(&d);
		free(path);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("writing standard output failed");
		rc = EXIT_PLUMB_ERROR;
	}
	return rc;
}

static void
show_text(FILE *f, const struct baseline *b)
{
	size_t i, j, k;

	fputs("baseline  ", f);
	put_text(f, b->id);
	fputs("\nversion   ", f);
	put_text(f, b->version);
	fputs("\ntitle     ", f);
	put_text(f, b->title);
	if (b->description != NULL) {
		fputs("\nabout     ", f);
		put_text(f, b->description);
	}
	fprintf(f, "\nsha256    %s\npath      ", b->sha256);
	put_text(f, b->path);
	fprintf(f, "\ncontrols  %zu\n", b->ncontrols);
	for (i = 0; i < b->ncontrols; i++) {
		const struct control *c = &b->controls[i];

		fputs("\n", f);
		put_text(f, c->id);
		fputs("  [", f);
		put_text(f, c->family);
		fputs(", ", f);
		put_text(f, c->severity);
		fputs(", owner ", f);
		put_text(f, c->owner);
		fputs("]\n  ", f);
		put_text(f, c->title);
		fputs("\n  why: ", f);
		put_text(f, c->rationale);
		fputs("\n", f);
		if (c->nrefs > 0) {
			fputs("  refs:", f);
			for (j = 0; j < c->nrefs; j++) {
				fputs(j ? ", " : " ", f);
				put_text(f, c->refs[j].framework);
				fputs(" ", f);
				put_text(f, c->refs[j].id);
			}
			fputs("\n", f);
		}
		for (j = 0; j < c->nchecks; j++) {
			const struct check *chk = &c->checks[j];

			fputs("  check ", f);
			put_text(f, chk->type);
			fputs("\n", f);
			for (k = 0; k < chk->nparams; k++) {
				fputs("    ", f);
				put_text(f, chk->params[k].name);
				fputs(" = ", f);
				put_text(f, chk->params[k].value);
				fputs("\n", f);
			}
		}
	}
}

static json_t *
show_json(const struct baseline *b)
{
	json_t *doc, *controls;
	size_t i, j, k;

	controls = json_array();
	for (i = 0; i < b->ncontrols; i++) {
		const struct control *c = &b->controls[i];
		json_t *refs = json_array(), *checks = json_array();

		for (j = 0; j < c->nrefs; j++)
			json_array_append_new(refs, json_pack("{s:s, s:s}",
				"framework", c->refs[j].framework,
				"id", c->refs[j].id));
		for (j = 0; j < c->nchecks; j++) {
			const struct check *chk = &c->checks[j];
			json_t *params = json_array();

			for (k = 0; k < chk->nparams; k++)
				json_array_append_new(params, json_pack(
					"{s:s, s:s}", "name", chk->params[k].name,
					"value", chk->params[k].value));
			json_array_append_new(checks, json_pack(
				"{s:s, s:i, s:o}", "type", chk->type,
				"line", chk->line, "params", params));
		}
		json_array_append_new(controls, json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:o}",
			"id", c->id, "title", c->title, "rationale", c->rationale,
			"family", c->family, "severity", c->severity,
			"owner", c->owner, "line", c->line, "refs", refs,
			"checks", checks));
	}
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s*, s:s, s:s, s:o}",
			"schema", "plumb.baseline/1", "id", b->id,
			"version", b->version, "title", b->title,
			"description", b->description, "sha256", b->sha256,
			"path", b->path, "controls", controls);
	if (doc == NULL)
		abort();
	return doc;
}

static const char *
kind_word(enum check_param_kind k)
{
	switch (k) {
	case CHECK_PARAM_STRING:
		return "string";
	case CHECK_PARAM_INT:
		return "int";
	case CHECK_PARAM_BOOL:
		return "bool";
	case CHECK_PARAM_REGEX:
		return "regex";
	case CHECK_PARAM_MODE:
		return "mode";
	}
	return "string";
}

static void
types_text(FILE *f)
{
	size_t i, j;

	if (check_types[0] == NULL)
		fputs("no check types are registered\n", f);
	for (i = 0; check_types[i] != NULL; i++) {
		const struct check_type *ct = check_types[i];

		fprintf(f, "%s%s  (probe %s)\n  %s\n", i ? "\n" : "", ct->name,
			ct->probe != NULL ? ct->probe->name : "none",
			ct->summary != NULL ? ct->summary : "");
		for (j = 0; ct->params != NULL && ct->params[j].name != NULL; j++) {
			const struct check_param_spec *sp = &ct->params[j];

			fprintf(f, "    %-14s %-6s %-8s %s\n", sp->name,
				kind_word(sp->kind),
				(sp->flags & CHECK_PARAM_REQUIRED) ? "required" :
				(sp->flags & CHECK_PARAM_MULTI) ? "repeat" : "",
				sp->help != NULL ? sp->help : "");
		}
	}
}

static json_t *
types_json(void)
{
	json_t *types = json_array(), *doc;
	size_t i, j;

	for (i = 0; check_types[i] != NULL; i++) {
		const struct check_type *ct = check_types[i];
		json_t *params = json_array();

		for (j = 0; ct->params != NULL && ct->params[j].name != NULL; j++) {
			const struct check_param_spec *sp = &ct->params[j];

			json_array_append_new(params, json_pack(
				"{s:s, s:s, s:b, s:b, s:s*}", "name", sp->name,
				"kind", kind_word(sp->kind),
				"required", (sp->flags & CHECK_PARAM_REQUIRED) != 0,
				"multi", (sp->flags & CHECK_PARAM_MULTI) != 0,
				"help", sp->help));
		}
		json_array_append_new(types, json_pack(
			"{s:s, s:s*, s:s*, s:o}", "name", ct->name,
			"summary", ct->summary,
			"probe", ct->probe != NULL ? ct->probe->name : NULL,
			"params", params));
	}
	doc = json_pack("{s:s, s:o}", "schema", "plumb.check-types/1",
			"types", types);
	if (doc == NULL)
		abort();
	return doc;
}

/* show and types: parse --format and -o, then write. */
static int
baseline_print(const char *verb, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "text", *output = NULL;
	struct cli_out out = { NULL, NULL, NULL };
	struct errbuf e = { "" };
	struct diags d = { NULL, 0 };
	struct baseline *b = NULL;
	json_t *doc = NULL;
	char *path = NULL;
	int c, ok, rc = EXIT_PLUMB_ERROR;
	int types = strcmp(verb, "types") == 0;
	size_t i;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case 'h': baseline_usage(stdout); return EXIT_PLUMB_OK;
		default: return cli_usage_error("baseline", "invalid option");
		}
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return cli_usage_error("baseline", "unknown format '%s' (text or "
				       "json)", format);
	if (types && optind != argc)
		return cli_usage_error("baseline", "types takes no argument");
	if (!types && optind + 1 != argc)
		return cli_usage_error("baseline", "show needs exactly one FILE "
				       "or ID");
	if (!types) {
		if (baseline_resolve(argv[optind], &path, &e) != 0) {
			cli_error("%s", e.msg);
			goto out;
		}
		if (baseline_load(path, &b, &d, &e) != 0) {
			if (d.n == 0)
				cli_error("%s", e.msg);
			for (i = 0; i < d.n; i++)
				fprintf(stderr, "%s\n", d.lines[i]);
			goto out;
		}
	}
	if (strcmp(format, "json") == 0)
		doc = types ? types_json() : show_json(b);
	if (cli_out_open(&out, output) != 0)
		goto out;
	if (doc != NULL) {
		ok = json_dumpf(doc, out.f, JSON_INDENT(2)) == 0 &&
		     fputc('\n', out.f) != EOF;
	} else {
		if (types)
			types_text(out.f);
		else
			show_text(out.f, b);
		ok = !ferror(out.f);
	}
	if (!ok)
		cli_error("writing %s failed", output != NULL ? output : "output");
	if (cli_out_close(&out, ok) == 0 && ok)
		rc = EXIT_PLUMB_OK;
out:
	json_decref(doc);
	baseline_free(b);
	diags_release(&d);
	free(path);
	return rc;
}

int
cmd_baseline(int argc, char **argv)
{
	const char *sub;

	if (argc < 2) {
		baseline_usage(stderr);
		return EXIT_PLUMB_ERROR;
	}
	sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 ||
	    strcmp(sub, "help") == 0) {
		baseline_usage(stdout);
		return EXIT_PLUMB_OK;
	}
	if (strcmp(sub, "lint") == 0)
		return baseline_lint(argc - 1, argv + 1);
	if (strcmp(sub, "diff") == 0)
		return baseline_diff_cmd(argc - 1, argv + 1);
	if (strcmp(sub, "show") == 0 || strcmp(sub, "types") == 0)
		return baseline_print(sub, argc - 1, argv + 1);
	return cli_usage_error("baseline", "unknown subcommand '%s' (lint, show, "
			       "types or diff)", sub);
}

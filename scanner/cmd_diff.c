/*
 * cmd_diff.c - `plumb diff`: what changed between two scans and who must
 * act on each change.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "drift.h"
#include "store.h"

static void
diff_usage(FILE *f)
{
	fputs("usage: plumb diff [--db FILE] [--format text|json] [-o FILE] "
	      "[FROM [TO]]\n\n"
	      "Shows the drift between two scans: controls that regressed, were\n"
	      "resolved, changed, were added or removed, each with its owner.\n"
	      "FROM and TO are scan references (latest, a sequence number or an id\n"
	      "prefix).  Without TO, TO is the latest scan; without FROM, FROM is\n"
	      "the scan before TO of the same baseline on the same host.\n", f);
}

static const char *
jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* Host-derived text on a terminal: control characters shown as '?'. */
static void
put_safe(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

static void
write_ref(FILE *f, const json_t *doc)
{
	const json_t *scan = json_object_get(doc, "scan");
	const json_t *bl = json_object_get(scan, "baseline");

	fprintf(f, "scan %lld (%s, ", (long long)json_integer_value(
		json_object_get(scan, "seq")), jstr(scan, "started"));
	put_safe(f, jstr(bl, "id"));
	fputc(' ', f);
	put_safe(f, jstr(bl, "version"));
	fputc(')', f);
}

static void
write_text(FILE *f, const json_t *from, const json_t *to, const json_t *events)
{
	const json_t *ev, *ch;
	size_t i, j;

	fputs("from ", f);
	write_ref(f, from);
	fputs("\n  to ", f);
	write_ref(f, to);
	fputc('\n', f);
	if (drift_baseline_changed(from, to))
		fputs("note: the baseline changed between these scans; a change "
		      "may come from the\n      baseline rather than the host.\n", f);
	if (json_array_size(events) == 0) {
		fputs("\nno drift\n", f);
		return;
	}
	fputc('\n', f);
	json_array_foreach(events, i, ev) {
		char kind[16];
		const char *k = jstr(ev, "kind");
		size_t n;

		for (n = 0; n + 1 < sizeof(kind) && k[n]; n++)
			kind[n] = (char)(k[n] >= 'a' && k[n] <= 'z' ? k[n] - 32 : k[n]);
		kind[n] = '\0';
		fprintf(f, "%-10s ", kind);
		put_safe(f, jstr(ev, "control"));
		fprintf(f, "  %s -> %s  owner ",
			json_is_string(json_object_get(ev, "from")) ? jstr(ev, "from") : "-",
			json_is_string(json_object_get(ev, "to")) ? jstr(ev, "to") : "-");
		put_safe(f, jstr(ev, "owner"));
		fputc('\n', f);
		json_array_foreach(json_object_get(ev, "evidence_changes"), j, ch) {
			char *a = json_dumps(json_object_get(ch, "added"), JSON_COMPACT | JSON_ENCODE_ANY);
			char *r = json_dumps(json_object_get(ch, "removed"), JSON_COMPACT | JSON_ENCODE_ANY);
			char *x = json_dumps(json_object_get(ch, "from"), JSON_COMPACT | JSON_ENCODE_ANY);
			char *y = json_dumps(json_object_get(ch, "to"), JSON_COMPACT | JSON_ENCODE_ANY);

			fputs("           ", f);
			put_safe(f, jstr(ch, "path")[0] ? jstr(ch, "path") : "/");
			if (a != NULL || r != NULL) {
				fputs(a ? " added " : "", f);
				put_safe(f, a ? a : "");
				fputs(r ? " removed " : "", f);
				put_safe(f, r ? r : "");
			} else {
				fputs(": ", f);
				put_safe(f, x ? x : "(none)");
				fputs(" -> ", f);
				put_safe(f, y ? y : "(none)");
			}
			fputc('\n', f);
			free(a);
			free(r);
			free(x);
			free(y);
		}
	}
}

int
cmd_diff(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db_arg = NULL, *format = "text", *output = NULL;
	struct errbuf e = { "" };
	struct store *st = NULL;
	struct cli_out out = { NULL, NULL, NULL };
	json_t *from = NULL, *to = NULL, *events = NULL, *doc = NULL;
	char *db = NULL;
	int c, r, rc = EXIT_PLUMB_ERROR;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db_arg = optarg; break;
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case 'h': diff_usage(stdout); return EXIT_PLUMB_OK;
		default: return cli_usage_error("diff", "invalid option");
		}
	}
	if (argc - optind > 2)
		return cli_usage_error("diff", "at most two scans: FROM and TO");
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return cli_usage_error("diff", "unknown format '%s' (text or json)",
				       format);
	db = cli_db_path(db_arg);
	if (access(db, F_OK) != 0) {
		cli_error("%s: no history yet (run plumb scan first)", db);
		goto out;
	}
	if (store_open(db, &st, &e) != 0 ||
	    store_get_scan(st, argc - optind == 2 ? argv[optind + 1] : "latest",
			   &to, &e) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	if (argc - optind >= 1) {
		r = store_get_scan(st, argv[optind], &from, &e);
	} else {
		const json_t *scan = json_object_get(to, "scan");

		r = store_prev_scan(st,
			jstr(json_object_get(scan, "baseline"), "id"),
			jstr(json_object_get(scan, "host"), "machine_id"),
			json_integer_value(json_object_get(scan, "seq")), &from, &e);
		if (r == PLUMB_ENOENT)
			snprintf(e.msg, sizeof(e.msg),
				 "only one scan of this baseline on this host: "
				 "nothing to compare yet");
	}
	if (r != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	events = drift_compare(from, to);
	if (cli_out_open(&out, output) != 0)
		goto out;
	if (strcmp(format, "json") == 0) {
		doc = json_pack("{s:s, s:o, s:o, s:b, s:O}", "schema", "plumb.diff/1",
				"from", drift_scan_ref(from), "to",
				drift_scan_ref(to), "baseline_changed",
				drift_baseline_changed(from, to), "events", events);
		if (json_dumpf(doc, out.f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
			goto out;
		fputc('\n', out.f);
	} else {
		write_text(out.f, from, to, events);
	}
	if (cli_out_close(&out, 1) == 0)
		rc = EXIT_PLUMB_OK;
out:
	if (out.f != NULL)
		cli_out_close(&out, 0);
	json_decref(doc);
	json_decref(events);
	json_decref(from);
	json_decref(to);
	store_close(st);
	free(db);
	return rc;
}

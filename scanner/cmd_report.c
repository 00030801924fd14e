/*
 * cmd_report.c - `plumb report`: re-render a stored scan in any format,
 * without rescanning.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "frameworks.h"
#include "output.h"
#include "report_owners.h"
#include "store.h"

static void
report_usage(FILE *f)
{
	fprintf(f,
		"usage: plumb report [--scan ID|latest] [--db FILE] [--format FMT] "
		"[--framework NAME] [-o FILE]\n\n"
		"Re-renders a scan from the history exactly as it was recorded.\n\n"
		"  --scan REF          latest (default), a sequence number or a scan id\n"
		"                      (a unique prefix of 8 or more characters)\n"
		"  --db FILE           history database\n"
		"  --format FMT        %s (default text)\n"
		"  --framework NAME    only controls referring to framework NAME, with\n"
		"                      its coverage table (%s)\n"
		"  -o, --output FILE   write to FILE instead of stdout\n"
		"  -v, --verbose       show evidence for every control (text)\n\n"
		"       plumb report --owners [--since DATE] [--format text|json]\n"
		"Per party: open drift, time to remediate, SLA breaches (report\n"
		"--owners --help).\n",
		output_names(), frameworks_names());
}

int
cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scan", required_argument, NULL, 's' },
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "framework", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ref = "latest", *db_arg = NULL, *format = "text";
	const char *output = NULL, *framework = NULL;
	const struct output_writer *w;
	struct output_opts oo = { 0, 0, NULL };
	struct errbuf e = { "" };
	struct store *st = NULL;
	struct cli_out out = { NULL, NULL, NULL };
	json_t *doc = NULL, *view = NULL;
	char *db = NULL;
	int c, rc = EXIT_PLUMB_ERROR;

	/* --owners is a report of its own, over the whole history. */
	for (c = 1; c < argc && strcmp(argv[c], "--") != 0; c++)
		if (strcmp(argv[c], "--owners") == 0)
			return report_owners_cmd(argc, argv);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 's': ref = optarg; break;
		case 'd': db_arg = optarg; break;
		case 'f': format = optarg; break;
		case 'F': framework = optarg; break;
		case 'o': output = optarg; break;
		case 'v': oo.verbose = 1; break;
		case 'h': report_usage(stdout); return EXIT_PLUMB_OK;
		default: return cli_usage_error("report", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("report", "unexpected argument '%s'",
				       argv[optind]);
	if ((w = output_find(format)) == NULL)
		return cli_usage_error("report", "unknown format '%s' (one of %s)",
				       format, output_names());
	db = cli_db_path(db_arg);
	if (access(db, F_OK) != 0) {
		cli_error("%s: no history yet (run plumb scan first)", db);
		goto out;
	}
	if (store_open(db, &st, &e) != 0 ||
	    store_get_scan(st, ref, &doc, &e) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	if (framework != NULL) {
		if (frameworks_view(doc, framework, &view, &e) != 0) {
			cli_error("%s", e.msg);
			goto out;
		}
		json_decref(doc);
		doc = view;
		view = NULL;
	}
	if (cli_out_open(&out, output) != 0)
		goto out;
	oo.color = output == NULL && strcmp(format, "text") == 0 && cli_color(stdout);
	oo.store = st;
	/* On a terminal the coverage table comes first: it is the answer to
	 * the question --framework asks. */
	if (framework != NULL && strcmp(format, "text") == 0 &&
	    frameworks_write_text(doc, out.f, &e) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	if (w->write(doc, out.f, &oo, &e) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	if (cli_out_close(&out, 1) == 0)
		rc = EXIT_PLUMB_OK;
out:
	if (out.f != NULL)
		cli_out_close(&out, 0);
	json_decref(doc);
	store_close(st);
	free(db);
	return rc;
}

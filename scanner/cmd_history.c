/*
 * cmd_history.c - `plumb history`: list the recorded scans.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "store.h"

static void
history_usage(FILE *f)
{
	fputs("usage: plumb history [--db FILE] [--baseline ID] [--since DATE] "
	      "[--until DATE]\n"
	      "                     [--limit N] [--format text|json] [-o FILE]\n\n"
	      "Lists the scans in the history, oldest first.  DATE is YYYY-MM-DD\n"
	      "or YYYY-MM-DDTHH:MM:SSZ.\n", f);
}

static const char *
jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static long long
count(const json_t *summary, const char *status)
{
	return (long long)json_integer_value(
		json_object_get(json_object_get(summary, "statuses"), status));
}

/* Control characters in host-derived names are shown as '?'. */
static void
put_safe(FILE *f, const char *s, int width)
{
	int n = 0;

	for (; *s; s++, n++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
	for (; n < width; n++)
		fputc(' ', f);
}

static void
write_text(FILE *f, const json_t *scans)
{
	const json_t *s;
	size_t i;

	if (json_array_size(scans) == 0) {
		fputs("no scans recorded\n", f);
		return;
	}
	fprintf(f, "%-5s %-20s %-20s %-32s %s\n", "SEQ", "STARTED", "HOST",
		"BASELINE", "PASS FAIL ERR  OTHER");
	json_array_foreach(scans, i, s) {
		const json_t *bl = json_object_get(s, "baseline");
		const json_t *sum = json_object_get(s, "summary");
		const json_t *host;
		long long total = json_integer_value(json_object_get(sum, "total"));
		long long p = count(sum, "pass"), fl = count(sum, "fail"),
			  er = count(sum, "error");
		char blname[128];

		snprintf(blname, sizeof(blname), "%s %s", jstr(bl, "id"),
			 jstr(bl, "version"));
		fprintf(f, "%-5lld %-20s ",
			(long long)json_integer_value(json_object_get(s, "seq")),
			jstr(s, "started"));
		host = json_object_get(s, "host");
		put_safe(f, json_is_object(host) ? jstr(host, "hostname") :
			 json_is_string(host) ? json_string_value(host) :
			 jstr(s, "hostname"), 20);
		fputc(' ', f);
		put_safe(f, blname, 32);
		fprintf(f, " %4lld %4lld %4lld %5lld\n", p, fl, er,
			total - p - fl - er);
	}
}

int
cmd_history(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "limit", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_filter flt;
	const char *db_arg = NULL, *format = "text", *output = NULL;
	struct errbuf e = { "" };
	struct store *st = NULL;
	struct cli_out out = { NULL, NULL, NULL };
	json_t *scans = NULL, *doc = NULL;
	long long n;
	char *db = NULL;
	int c, rc = EXIT_PLUMB_ERROR;

	memset(&flt, 0, sizeof(flt));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db_arg = optarg; break;
		case 'b': flt.baseline_id = optarg; break;
		case 's':
			if (time_parse(optarg, &flt.since) != 0)
				return cli_usage_error("history", "bad date '%s'", optarg);
			break;
		case 'u':
			if (time_parse(optarg, &flt.until) != 0)
				return cli_usage_error("history", "bad date '%s'", optarg);
			break;
		case 'n':
			if (parse_ll(optarg, 1, 1000000, &n) != 0)
				return cli_usage_error("history", "bad limit '%s'", optarg);
			flt.limit = (int)n;
			break;
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case 'h': history_usage(stdout); return EXIT_PLUMB_OK;
		default: return cli_usage_error("history", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("history", "unexpected argument '%s'",
				       argv[optind]);
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return cli_usage_error("history", "unknown format '%s' (text or json)",
				       format);
	db = cli_db_path(db_arg);
	if (access(db, F_OK) != 0) {
		scans = json_array();
	} else if (store_open(db, &st, &e) != 0 ||
		   store_list_scans(st, &flt, &scans, &e) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	if (cli_out_open(&out, output) != 0)
		goto out;
	if (strcmp(format, "json") == 0) {
		doc = json_pack("{s:s, s:O}", "schema", "plumb.history/1",
				"scans", scans);
		if (json_dumpf(doc, out.f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
			goto out;
		fputc('\n', out.f);
	} else {
		write_text(out.f, scans);
	}
	if (cli_out_close(&out, 1) == 0)
		rc = EXIT_PLUMB_OK;
out:
	if (out.f != NULL)
		cli_out_close(&out, 0);
	json_decref(doc);
	json_decref(scans);
	store_close(st);
	free(db);
	return rc;
}

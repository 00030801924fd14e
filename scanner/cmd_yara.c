/*
 * cmd_yara.c - `plumb yara`: the security lead's ad-hoc sweep of paths with
 * YARA rules, on the same sweep as the "yara" check type (probe_yara.h).
 *
 * Text output is yara's own ("RULE PATH" per match, so scripts written for
 * the yara command line keep working) followed by one "# " summary line;
 * --format json writes a plumb.yara/1 document.  Progress goes to stderr
 * only when stderr is a terminal.  Exit status: 0 no match, 2 a match, 1
 * the sweep could not run.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cmd.h"
#include "plumb_limits.h"
#include "probe_yara.h"
#include "store.h"
#include "util.h"

static void
yara_usage(FILE *f)
{
	fprintf(f,
		"usage: plumb yara [options] PATH...\n\n"
		"Sweeps files and directories with YARA rules.  Symbolic links below a\n"
		"PATH are never followed, other and pseudo filesystems are not entered,\n"
		"and files unchanged since a previous sweep with the same rules are\n"
		"answered from the history without being read.\n\n"
		"  --rules FILE|DIR    rule file, or directory of *.yar/*.yara (repeatable;\n"
		"                      default: plumb's shipped rules)\n"
		"  --db FILE           history database holding the cache (default\n"
		"                      /var/lib/plumb/history.db as root, else\n"
		"                      $XDG_STATE_HOME/plumb/history.db)\n"
		"  --no-cache          read and scan every file; leave the cache alone\n"
		"  --max-age SECONDS   rescan cached verdicts this old (default %d; 0: a\n"
		"                      full rescan that refreshes the cache)\n"
		"  --threads N         scanning threads (default: the CPUs available)\n"
		"  --max-size BYTES    skip larger files; K, M, G suffixes (default %llu)\n"
		"  --timeout SECONDS   give up on one file after this long (default %d,\n"
		"                      0: never)\n"
		"  --exclude GLOB      leave out entries whose name matches GLOB, or whose\n"
		"                      path does when GLOB has a / (repeatable)\n"
		"  --cross-fs          descend into other filesystems (never pseudo ones)\n"
		"  --format FMT        text or json (default text)\n"
		"  -o, --output FILE   write to FILE instead of stdout\n"
		"  -v, --verbose       list every skipped entry and why on stderr\n"
		"  -h, --help          this help\n\n"
		"Paths are shown as given; a backslash is shown as \\\\ and a byte that is\n"
		"not UTF-8 as \\xNN (text output also escapes control characters).\n\n"
		"exit status: 0 no match; 2 at least one match; 1 the sweep could not run.\n",
		PLUMB_YARA_CACHE_MAX_AGE_DEFAULT,
		(unsigned long long)PLUMB_YARA_MAX_SIZE_DEFAULT,
		PLUMB_YARA_TIMEOUT_DEFAULT);
}

/* Parses a byte count with an optional K, M or G (binary) suffix. */
static int
yara_parse_size(const char *s, uint64_t *out)
{
	char *num;
	size_t n = strlen(s);
	long long v;
	uint64_t mul = 1;
	int r;

	if (n == 0)
		return -1;
	switch (s[n - 1]) {
	case 'K': case 'k': mul = 1024; n--; break;
	case 'M': case 'm': mul = 1024 * 1024; n--; break;
	case 'G': case 'g': mul = 1024 * 1024 * 1024; n--; break;
	default: break;
	}
	num = xstrndup(s, n);
	r = parse_ll(num, 1, INT64_MAX / (long long)mul, &v);
	free(num);
	if (r != PLUMB_OK)
		return -1;
	*out = (uint64_t)v * mul;
	return 0;
}

static void
yara_human(uint64_t bytes, char *out, size_t n)
{
	const char *unit[] = { "B", "KB", "MB", "GB", "TB" };
	double v = (double)bytes;
	int i = 0;

	while (v >= 1000.0 && i < 4) {
		v /= 1000.0;
		i++;
	}
	if (i == 0)
		snprintf(out, n, "%llu B", (unsigned long long)bytes);
	else
		snprintf(out, n, "%.1f %s", v, unit[i]);
}

struct yara_ui {
	int tty;	/* stderr is a terminal: show progress */
	int verbose;
	int shown;	/* a progress line is on screen */
};

static void
yara_show_progress(void *arg, const struct probe_yara_progress *p)
{
	struct yara_ui *ui = arg;
	char size[32], rate[32];

	if (!ui->tty)
		return;
	yara_human(p->bytes, size, sizeof(size));
	yara_human(p->seconds > 0 ? (uint64_t)((double)p->bytes / p->seconds) :
		   0, rate, sizeof(rate));
	fprintf(stderr, "\r\033[K%llu files, %s, %s/s (%llu cached, %llu "
		"skipped)", (unsigned long long)p->files, size, rate,
		(unsigned long long)p->cached, (unsigned long long)p->skipped);
	fflush(stderr);
	ui->shown = 1;
}

static void
yara_clear_progress(struct yara_ui *ui)
{
	if (ui->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		ui->shown = 0;
	}
}

static void
yara_show_skip(void *arg, const char *path, size_t len, const char *reason,
	       int err)
{
	struct yara_ui *ui = arg;
	char *shown;

	if (!ui->verbose)
		return;
	yara_clear_progress(ui);
	shown = probe_yara_path_text(path, len, 1);
	if (err > 0)
		fprintf(stderr, "plumb: skipped %s: %s (%s)\n", shown, reason,
			strerror(err));
	else
		fprintf(stderr, "plumb: skipped %s: %s\n", shown, reason);
	free(shown);
}

/* The text form of a path from its JSON form (valid UTF-8, backslashes
 * already doubled): control characters escaped too, so one match stays on
 * one line.  The caller frees. */
static char *
yara_text_line(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	struct dynbuf b;

	dynbuf_init(&b, strlen(s) * 4 + 1);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		char esc[4] = { '\\', 'x', 0, 0 };

		if (ch == '\n')
			(void)dynbuf_add(&b, "\\n", 2);
		else if (ch == '\t')
			(void)dynbuf_add(&b, "\\t", 2);
		else if (ch == '\r')
			(void)dynbuf_add(&b, "\\r", 2);
		else if (ch < 0x20 || ch == 0x7f) {
			esc[2] = hex[ch >> 4];
			esc[3] = hex[ch & 0xf];
			(void)dynbuf_add(&b, esc, 4);
		} else {
			(void)dynbuf_add(&b, s, 1);
		}
	}
	return dynbuf_take(&b, NULL);
}

static void
yara_write_text(FILE *f, const json_t *doc)
{
	const json_t *matches = json_object_get(doc, "matches");
	const json_t *stats = json_object_get(doc, "stats");
	const json_t *skipped = json_object_get(stats, "skipped");
	const char *key, *sep = ": ";
	char size[32], *shown;
	json_t *m, *v;
	size_t i;

	json_array_foreach(matches, i, m) {
		const char *p = json_string_value(json_object_get(m, "path"));

		shown = yara_text_line(p);
		fprintf(f, "%s %s\n",
			json_string_value(json_object_get(m, "rule")), shown);
		free(shown);
	}
	yara_human((uint64_t)json_integer_value(json_object_get(stats, "bytes")),
		   size, sizeof(size));
	fprintf(f, "# %lld files, %s (%lld from the cache), %zu match%s, "
		"%.3f s", (long long)json_integer_value(json_object_get(stats,
								      "files")),
		size, (long long)json_integer_value(json_object_get(stats,
								  "cached")),
		json_array_size(matches), json_array_size(matches) == 1 ? "" :
		"es", json_real_value(json_object_get(stats, "seconds")));
	if (json_object_size(skipped) > 0) {
		fputs("; skipped", f);
		json_object_foreach((json_t *)skipped, key, v) {
			fprintf(f, "%s%s %lld", sep, key,
				(long long)json_integer_value(v));
			sep = ", ";
		}
	}
	fputc('\n', f);
}

int
cmd_yara(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'R' },
		{ "db", required_argument, NULL, 'd' },
		{ "no-cache", no_argument, NULL, 'N' },
		{ "max-age", required_argument, NULL, 'A' },
		{ "threads", required_argument, NULL, 't' },
		{ "max-size", required_argument, NULL, 'S' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "cross-fs", no_argument, NULL, 'X' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct probe_yara_opts o;
	struct yara_ui ui = { 0, 0, 0 };
	struct cli_out out;
	struct store *store = NULL;
	struct errbuf e;
	const char **rules = NULL, **excludes = NULL;
	const char *db_arg = NULL, *format = "text", *output = NULL;
	char *db = NULL, *warning = NULL;
	json_t *result = NULL, *doc = NULL;
	long long ll;
	int c, i, no_cache = 0, rc = EXIT_PLUMB_ERROR;

	memset(&o, 0, sizeof(o));
	o.max_age = PLUMB_YARA_CACHE_MAX_AGE_DEFAULT;
	o.timeout = PLUMB_YARA_TIMEOUT_DEFAULT;
	o.max_size = PLUMB_YARA_MAX_SIZE_DEFAULT;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'R':
			rules = xreallocarray(rules, o.nrules + 1, sizeof(*rules));
			rules[o.nrules++] = optarg;
			break;
		case 'x':
			excludes = xreallocarray(excludes, o.nexcludes + 1,
						 sizeof(*excludes));
			excludes[o.nexcludes++] = optarg;
			break;
		case 'd': db_arg = optarg; break;
		case 'N': no_cache = 1; break;
		case 'X': o.cross_fs = 1; break;
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case 'v': ui.verbose = 1; break;
		case 'A':
			if (parse_ll(optarg, 0, INT64_MAX, &ll) != PLUMB_OK) {
				rc = cli_usage_error("yara", "--max-age wants a "
						     "number of seconds");
				goto out;
			}
			o.max_age = ll;
			break;
		case 't':
			if (parse_ll(optarg, 1, PLUMB_YARA_THREADS_MAX, &ll) !=
			    PLUMB_OK) {
				rc = cli_usage_error("yara", "--threads wants 1 to "
						     "%d", PLUMB_YARA_THREADS_MAX);
				goto out;
			}
			o.threads = (unsigned)ll;
			break;
		case 'S':
			if (yara_parse_size(optarg, &o.max_size) != 0) {
				rc = cli_usage_error("yara", "--max-size wants a "
						     "positive byte count");
				goto out;
			}
			break;
		case 'T':
			if (parse_ll(optarg, 0, INT32_MAX, &ll) != PLUMB_OK) {
				rc = cli_usage_error("yara", "--timeout wants a "
						     "number of seconds");
				goto out;
			}
			o.timeout = (int)ll;
			break;
		case 'h':
			yara_usage(stdout);
			rc = EXIT_PLUMB_OK;
			goto out;
		default:
			rc = cli_usage_error("yara", "invalid option");
			goto out;
		}
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		rc = cli_usage_error("yara", "unknown format '%s' (text or json)",
				     format);
		goto out;
	}
	if (optind >= argc) {
		rc = cli_usage_error("yara", "give at least one PATH to sweep");
		goto out;
	}
	for (i = optind; i < argc; i++) {
		struct stat st;

		if (lstat(argv[i], &st) != 0) {
			cli_error("%s: %s", argv[i], strerror(errno));
			goto out;
		}
	}
	o.rules = rules;
	o.excludes = excludes;
	o.paths = (const char *const *)argv + optind;
	o.npaths = (size_t)(argc - optind);
	o.now = time(NULL);
	if (!no_cache) {
		db = cli_db_path(db_arg);
		if (store_open(db, &store, &e) != PLUMB_OK) {
			if (db_arg != NULL) {
				cli_error("%s", e.msg);
				goto out;
			}
			cli_error("warning: sweeping without the cache: %s", e.msg);
			store = NULL;
		}
	}
	o.store = store;
	ui.tty = isatty(STDERR_FILENO);
	o.progress = yara_show_progress;
	o.skipped = yara_show_skip;
	o.arg = &ui;
	if (cli_out_open(&out, output) != 0)
		goto out;
	if (probe_yara_sweep(&o, &result, &warning, &e) != PLUMB_OK) {
		yara_clear_progress(&ui);
		cli_error("%s", e.msg);
		(void)cli_out_close(&out, 0);
		goto out;
	}
	yara_clear_progress(&ui);
	if (warning != NULL)
		cli_error("warning: %s", warning);
	doc = json_pack("{s:s, s:O, s:O}", "schema", "plumb.yara/1",
			"matches", json_object_get(result, "matches"),
			"stats", json_object_get(result, "stats"));
	if (strcmp(format, "json") == 0) {
		if (json_dumpf(doc, out.f, JSON_INDENT(2) |
			       JSON_REAL_PRECISION(6)) != 0)
			cli_error("writing the result failed");
		fputc('\n', out.f);
	} else {
		yara_write_text(out.f, doc);
	}
	if (cli_out_close(&out, 1) != 0)
		goto out;
	rc = json_array_size(json_object_get(doc, "matches")) > 0 ?
	     EXIT_PLUMB_FINDINGS : EXIT_PLUMB_OK;
out:
	json_decref(doc);
	json_decref(result);
	free(warning);
	store_close(store);
	free(db);
	free(rules);
	free(excludes);
	return rc;
}

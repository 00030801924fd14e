/*
 * cmd_scan.c - `plumb scan`: evaluate a baseline on this host (or a root
 * directory), record the scan in the history, print the report.
 *
 * Everything that can be refused is checked before the history is opened,
 * so a bad baseline, format or output path never touches the database; the
 * scan is recorded in one transaction before the report is written.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "cmd.h"
#include "config.h"
#include "drift.h"
#include "drift_notify.h"
#include "engine.h"
#include "output.h"
#include "owners.h"
#include "plat.h"
#include "push.h"
#include "sched.h"
#include "store.h"
#include "store_blob.h"
#include "tailoring.h"

#define DEFAULT_BASELINE "smb-linux-workstation"
#define DEFAULT_OWNERS "/etc/plumb/owners.xml"

static void
scan_usage(FILE *f)
{
	fprintf(f,
		"usage: plumb scan [options]\n\n"
		"Evaluates a baseline on this host, records the scan in the history\n"
		"and prints a report.\n\n"
		"  --root DIR          scan the filesystem under DIR instead of / \n"
		"  --baseline FILE|ID  baseline file, or id (highest version); default "
		DEFAULT_BASELINE "\n"
		"  --db FILE           history database (default "
		"/var/lib/plumb/history.db as root,\n"
		"                      else $XDG_STATE_HOME/plumb/history.db)\n"
		"  --tailoring FILE    the organisation's adjustments to the baseline\n"
		"                      (controls left out, check parameters)\n"
		"  --owners FILE       owners, assignment rules and waivers (default\n"
		"                      " DEFAULT_OWNERS " when it exists)\n"
		"  --notify            send each party the drift of the controls it\n"
		"                      owns (webhook, mail), with what earlier runs\n"
		"                      could not send; needs an owners file\n"
		"  --format FMT        %s (default text)\n"
		"  -o, --output FILE   write the report to FILE instead of stdout\n"
		"  -v, --verbose       show evidence for every control (text)\n"
		"  --scheduled         unattended run: settings from the config file,\n"
		"                      one run at a time, low priority, bounded\n"
		"                      memory and time, no report on stdout (unless\n"
		"                      -o), one line in the system log\n"
		"  --config FILE       settings for unattended runs (default\n"
		"                      " CONFIG_DEFAULT_PATH " when it exists);\n"
		"                      options given here override them\n"
		"  -h, --help          this help\n\n"
		"exit status: 0 all controls passed, were waived or did not apply;\n"
		"             2 a control failed or could not be evaluated; 1 error.\n",
		output_names());
}

/*
 * Records in doc what drifted since the previous scan of this baseline on
 * this host, so the history keeps each scan's drift with it.
 */
static void
record_drift(json_t *doc, const json_t *prev)
{
	json_t *drift;

	if (prev == NULL) {
		drift = json_pack("{s:n, s:b, s:[]}", "from", "baseline_changed",
				  0, "events");
	} else {
		const json_t *ps = json_object_get(prev, "scan");

		drift = json_pack("{s:{s:O?, s:O?}, s:b, s:o}", "from", "seq",
				  json_object_get(ps, "seq"), "id",
				  json_object_get(ps, "id"), "baseline_changed",
				  drift_baseline_changed(prev, doc), "events",
				  drift_compare(prev, doc));
	}
	json_object_set_new(doc, "drift", drift);
}

struct progress {
	int on;
};

static void
show_progress(size_t done, size_t total, const char *id, void *arg)
{
	struct progress *p = arg;

	if (!p->on)
		return;
	if (id == NULL) {
		fputs("\r\033[K", stderr);
		return;
	}
	fprintf(stderr, "\r\033[K[%zu/%zu] %.60s", done + 1, total, id);
	fflush(stderr);
}

static void
notify_warn(const char *channel, const char *target, const char *why,
	    void *arg)
{
	(void)arg;
	cli_error("warning: %s to %s not delivered (queued for the next run): "
		  "%s", channel, target, why);
}

/* Queues this scan's drift for its owners and sends everything queued. */
static void
scan_notify(struct store *st, const struct owners *own, const json_t *doc,
	    time_t now)
{
	struct drift_notify_stats ns = { 0, 0, 0, 0, 0 };
	struct notify_conf nc;
	struct errbuf e = { "" };

	if (drift_notify_enqueue(st, own, doc, now, &ns, &e) != 0)
		cli_error("warning: queueing notifications: %s", e.msg);
	if (ns.unrouted > 0)
		cli_error("warning: %zu drift event%s name an owner that is "
			  "not a party of %s; nobody was told", ns.unrouted,
			  ns.unrouted == 1 ? "" : "s", own->path);
	drift_notify_conf(own, &nc);
	if (drift_notify_flush(st, &nc, notify_warn, NULL, &ns, &e) != 0)
		cli_error("warning: sending notifications: %s", e.msg);
}

/* The one log line of a scheduled run: what was scanned, the counts of
 * each status that occurred, the drift, the exit status and what the push
 * did (push: "" or "; pushed ..."). */
static void
scan_log(const json_t *doc, int rc, const char *push)
{
	const json_t *scan = json_object_get(doc, "scan");
	const json_t *bl = json_object_get(scan, "baseline");
	const json_t *sum = json_object_get(doc, "summary");
	const json_t *stc = json_object_get(sum, "statuses");
	const char *k, *id = json_string_value(json_object_get(scan, "id"));
	const char *bid = json_string_value(json_object_get(bl, "id"));
	const char *bver = json_string_value(json_object_get(bl, "version"));
	const json_t *v;
	struct dynbuf b;

	dynbuf_init(&b, 512);
	json_object_foreach((json_t *)stc, k, v)
		if (json_integer_value(v) > 0)
			dynbuf_printf(&b, " %s %lld", k,
				      (long long)json_integer_value(v));
	sched_log(0, "scan %s (#%lld) %s %s: %lld controls,%s; drift %zu; "
		  "exit %d%s",
		  id != NULL ? id : "?",
		  (long long)json_integer_value(json_object_get(scan, "seq")),
		  bid != NULL ? bid : "?", bver != NULL ? bver : "?",
		  (long long)json_integer_value(json_object_get(sum, "total")),
		  b.data != NULL ? b.data : "",
		  json_array_size(json_object_get(json_object_get(doc, "drift"),
						  "events")), rc, push);
	dynbuf_release(&b);
}

/* A scheduled run retries the notifications earlier runs could not send,
 * even when this one has none of its own to queue. */
static void
scan_flush(struct store *st, const struct owners *own)
{
	struct drift_notify_stats ns = { 0, 0, 0, 0, 0 };
	struct notify_conf nc;
	struct errbuf e = { "" };

	drift_notify_conf(own, &nc);
	if (drift_notify_flush(st, &nc, notify_warn, NULL, &ns, &e) != 0)
		cli_error("warning: sending notifications: %s", e.msg);
}

/* Keeps the last reason a push failed, for the log line. */
static void
scan_push_warn(const char *scan_id, const char *why, void *arg)
{
	struct errbuf *last = arg;

	snprintf(last->msg, sizeof(last->msg), "scan %s: %s", scan_id, why);
}

/* Pushes the history to push_url when plumb.conf names one; returns what
 * happened for the log line ("" when there is nothing to push to). */
static char *
scan_push(struct store *st, const struct config *cfg)
{
	struct push_conf pc;
	struct push_stats ps = { 0, 0, 0 };
	struct errbuf e = { "" }, last = { "" };

	if (cfg->push_url == NULL)
		return xstrdup("");
	cmd_push_conf(cfg, cfg->push_url, &pc);
	if (push_run(st, &pc, scan_push_warn, &last, &ps, &e) != 0)
		return xasprintf("; push failed: %s", e.msg);
	if (ps.left > 0 && last.msg[0] != '\0')
		return xasprintf("; pushed %zu, %zu queued (last failure: %s)",
				 ps.sent, ps.left, last.msg);
	return xasprintf("; pushed %zu, %zu queued", ps.sent, ps.left);
}

int
cmd_scan(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "owners", required_argument, NULL, 'O' },
		{ "tailoring", required_argument, NULL, 'T' },
		{ "notify", no_argument, NULL, 'N' },
		{ "scheduled", no_argument, NULL, 'S' },
		{ "config", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root_dir = "/", *baseline_arg = DEFAULT_BASELINE;
	const char *owners_arg = NULL, *tailoring_arg = NULL;
	struct owners *own = NULL;
	struct tailoring *tl = NULL;
	json_t *tl_record = NULL;
	const char *db_arg = NULL, *format = "text", *output = NULL;
	const struct output_writer *w;
	struct output_opts oo = { 0, 0, NULL };
	struct engine_opts eo;
	struct errbuf e = { "" };
	struct diags d = { NULL, 0 };
	struct baseline *b = NULL;
	struct plat_root *root = NULL;
	struct plat_host host;
	struct store *st = NULL;
	struct cli_out out = { NULL, NULL, NULL };
	struct progress prog = { 0 };
	json_t *doc = NULL, *prev = NULL;
	char *bpath = NULL, *db = NULL;
	int64_t seq = 0;
	int c, rc = EXIT_PLUMB_ERROR, r, notify = 0, scheduled = 0;
	int given = 0;	/* 1: --root, 2: --baseline */
	const char *config_arg = NULL;
	struct config *cfg = NULL;
	struct sched_lock lock = SCHED_LOCK_INIT;
	size_t i;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': root_dir = optarg; given |= 1; break;
		case 'b': baseline_arg = optarg; given |= 2; break;
		case 'd': db_arg = optarg; break;
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case 'v': oo.verbose = 1; break;
		case 'O': owners_arg = optarg; break;
		case 'T': tailoring_arg = optarg; break;
		case 'N': notify = 1; break;
		case 'S': scheduled = 1; break;
		case 'C': config_arg = optarg; break;
		case 'h': scan_usage(stdout); return EXIT_PLUMB_OK;
		default: return cli_usage_error("scan", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("scan", "unexpected argument '%s'",
				       argv[optind]);
	if ((w = output_find(format)) == NULL)
		return cli_usage_error("scan", "unknown format '%s' (one of %s)",
				       format, output_names());
	if (scheduled || config_arg != NULL) {
		/* Options on the command line win over the file's values. */
		if ((r = config_load(config_arg, &cfg, &d, &e)) != 0) {
			for (i = 0; i < d.n; i++)
				fprintf(stderr, "%s\n", d.lines[i]);
			cli_error("%s", e.msg);
			goto out;
		}
		if (!(given & 1) && cfg->root != NULL)
			root_dir = cfg->root;
		if (!(given & 2) && cfg->baseline != NULL)
			baseline_arg = cfg->baseline;
		if (owners_arg == NULL)
			owners_arg = cfg->owners;
		if (tailoring_arg == NULL)
			tailoring_arg = cfg->tailoring;
		if (db_arg == NULL)
			db_arg = cfg->db;
		if (cfg->yara_rules != NULL)
			setenv("PLUMB_RULES_PATH", cfg->yara_rules, 1);
		if (scheduled && (r = sched_limits(cfg, &e)) != 0) {
			cli_error("%s", e.msg);
			goto out;
		}
	}

	if ((r = baseline_resolve(baseline_arg, &bpath, &e)) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	if ((r = baseline_load(bpath, &b, &d, &e)) != 0) {
		if (d.n == 0)
			cli_error("%s", e.msg);
		for (i = 0; i < d.n; i++)
			fprintf(stderr, "%s\n", d.lines[i]);
		cli_error("%s: baseline refused; nothing was scanned", bpath);
		goto out;
	}
	if (tailoring_arg != NULL) {
		diags_release(&d);
		if ((r = tailoring_load(tailoring_arg, &tl, &d, &e)) != 0 ||
		    (r = tailoring_apply(tl, b, &tl_record, &d, &e)) != 0) {
			if (d.n == 0)
				cli_error("%s", e.msg);
			for (i = 0; i < d.n; i++)
				fprintf(stderr, "%s\n", d.lines[i]);
			cli_error("%s: tailoring refused; nothing was scanned",
				  tailoring_arg);
			goto out;
		}
	}
	/* The owners file is the organisation's, read from this machine even
	 * when --root points at another filesystem. */
	if (owners_arg == NULL && access(DEFAULT_OWNERS, F_OK) == 0)
		owners_arg = DEFAULT_OWNERS;
	if (owners_arg != NULL) {
		diags_release(&d);
		if ((r = owners_load(owners_arg, &own, &d, &e)) != 0) {
			if (d.n == 0)
				cli_error("%s", e.msg);
			for (i = 0; i < d.n; i++)
				fprintf(stderr, "%s\n", d.lines[i]);
			cli_error("%s: owners file refused; nothing was scanned",
				  owners_arg);
			goto out;
		}
	}
	if (notify && own == NULL) {
		rc = cli_usage_error("scan", "--notify needs an owners file "
				     "(--owners FILE or " DEFAULT_OWNERS ")");
		goto out;
	}
	if ((r = plat_root_open(root_dir, &root, &e)) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	if ((r = plat_host_info(root, &host, &e)) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	if (cli_out_open(&out, output) != 0)
		goto out;

	db = cli_db_path(db_arg);
	if (scheduled &&
	    (r = sched_lock_take(db, cfg->lock_wait_s, &lock, &e)) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	if ((r = store_open(db, &st, &e)) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	r = store_prev_scan(st, b->id, host.machine_id, 0, &prev, &e);
	if (r != 0 && r != PLUMB_ENOENT) {
		cli_error("%s", e.msg);
		goto out;
	}

	memset(&eo, 0, sizeof(eo));
	eo.root = root;
	eo.root_dir = root_dir;
	eo.host = &host;
	eo.store = st;
	eo.prev = prev;
	eo.now = time(NULL);
	if (scheduled)
		eo.deadline = sched_deadline(cfg, eo.now);
	prog.on = !scheduled && isatty(STDERR_FILENO) && (output != NULL || !isatty(STDOUT_FILENO) ||
					     strcmp(format, "text") == 0);
	eo.progress = show_progress;
	eo.progress_arg = &prog;
	if ((r = engine_run(b, &eo, &doc, &e)) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	if (own != NULL) {
		owners_apply(own, doc, eo.now);
		engine_summarize(doc);
	}
	if (tl_record != NULL) {
		json_object_set_new(json_object_get(doc, "scan"), "tailoring",
				    tl_record);
		tl_record = NULL;
	}
	record_drift(doc, prev);
	/* The exact inputs go into the history first, so an export or ARF
	 * report made later includes the bytes this scan judged against. */
	if ((r = store_put_blob(st, b->sha256, "baseline", b->path, b->source,
				b->source_len, &e)) != 0 ||
	    (own != NULL &&
	     (r = store_put_blob(st, own->sha256, "owners", own->path,
				 own->source, own->source_len, &e)) != 0) ||
	    (tl != NULL &&
	     (r = store_put_blob(st, tl->sha256, "tailoring", tl->path,
				 tl->source, tl->source_len, &e)) != 0)) {
		cli_error("recording the scan's inputs: %s", e.msg);
		goto out;
	}
	if ((r = store_add_scan(st, doc, &seq, &e)) != 0) {
		cli_error("recording the scan: %s", e.msg);
		goto out;
	}
	oo.color = output == NULL && strcmp(format, "text") == 0 && cli_color(stdout);
	oo.store = st;
	/* Scheduled runs keep stdout quiet: the log line says it all. */
	if ((!scheduled || output != NULL) &&
	    (r = w->write(doc, out.f, &oo, &e)) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	if (cli_out_close(&out, 1) != 0)
		goto out;
	/* The scan is stored: a delivery that fails stays queued for the next
	 * run and never changes the scan's exit status. */
	if (notify)
		scan_notify(st, own, doc, eo.now);
	else if (scheduled && own != NULL)
		scan_flush(st, own);
	rc = engine_exit_status(doc);
	if (scheduled) {
		char *pushed = scan_push(st, cfg);

		scan_log(doc, rc, pushed);
		free(pushed);
	}
out:
	if (scheduled && rc == EXIT_PLUMB_ERROR)
		sched_log(1, "scan not recorded: %s", e.msg[0] != '\0' ?
			  e.msg : "see the service's stderr");
	sched_lock_release(&lock);
	config_free(cfg);
	if (out.f != NULL)
		cli_out_close(&out, 0);
	json_decref(doc);
	json_decref(prev);
	store_close(st);
	owners_free(own);
	tailoring_free(tl);
	json_decref(tl_record);
	plat_root_free(root);
	baseline_free(b);
	diags_release(&d);
	free(bpath);
	free(db);
	return rc;
}

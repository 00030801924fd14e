/*
 * report_owners.c - open drift, time to remediate and SLA breaches per
 * party, followed through the stored results (see report_owners.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "drift.h"
#include "report_owners.h"
#include "store_results.h"

#define DEFAULT_OWNERS "/etc/plumb/owners.xml"

/* One control on one (baseline, machine) series, as last seen. */
struct track {
	char *baseline, *machine, *host, *control;
	char *owner, *severity, *status;
	int bad;
	int first_seen;		/* bad since the first scan plumb has of it */
	time_t opened;		/* when the current bad streak began */
	char opened_at[32];
	int64_t last_seq;
};

/* One (baseline, machine) series: its newest scan. */
struct series {
	char *baseline, *machine;
	int64_t last_seq;
};

/* Per party totals. */
struct party_acc {
	char *id;
	size_t remediated;
	double total_s;
	long long worst_s;
	char *worst_control;
	size_t breaches;
	json_t *open;
};

struct walk {
	const struct owners *o;
	time_t since;
	json_t *index;		/* "baseline\x1fmachine\x1fcontrol" -> n */
	struct track *t;
	size_t nt;
	struct series *s;
	size_t ns;
	struct party_acc *p;
	size_t np;
	int bad_time;		/* a scan without a start time was met */
};

static struct party_acc *
party_get(struct walk *w, const char *id)
{
	size_t i;

	if (*id == '\0')
		id = "unowned";
	for (i = 0; i < w->np; i++)
		if (strcmp(w->p[i].id, id) == 0)
			return &w->p[i];
	w->p = xreallocarray(w->p, w->np + 1, sizeof(*w->p));
	memset(&w->p[w->np], 0, sizeof(*w->p));
	w->p[w->np].id = xstrdup(id);
	w->p[w->np].open = json_array();
	return &w->p[w->np++];
}

static void
set_str(char **dst, const char *v)
{
	if (*dst != NULL && strcmp(*dst, v) == 0)
		return;
	free(*dst);
	*dst = xstrdup(v);
}

static struct series *
series_get(struct walk *w, const char *baseline, const char *machine)
{
	size_t i;

	for (i = 0; i < w->ns; i++)
		if (strcmp(w->s[i].baseline, baseline) == 0 &&
		    strcmp(w->s[i].machine, machine) == 0)
			return &w->s[i];
	w->s = xreallocarray(w->s, w->ns + 1, sizeof(*w->s));
	w->s[w->ns].baseline = xstrdup(baseline);
	w->s[w->ns].machine = xstrdup(machine);
	w->s[w->ns].last_seq = 0;
	return &w->s[w->ns++];
}

static int
on_row(const struct store_result_row *row, void *arg)
{
	struct walk *w = arg;
	struct track *t;
	json_t *ix;
	char *key;
	time_t at;
	int bad = !drift_status_good(row->status), was_bad = 0;

	if (time_parse(row->started, &at) != 0) {
		w->bad_time = 1;
		return 0;
	}
	series_get(w, row->baseline_id, row->machine_id)->last_seq = row->seq;
	key = xasprintf("%s\x1f%s\x1f%s", row->baseline_id, row->machine_id,
			row->control_id);
	ix = json_object_get(w->index, key);
	if (ix == NULL) {
		w->t = xreallocarray(w->t, w->nt + 1, sizeof(*w->t));
		t = &w->t[w->nt];
		memset(t, 0, sizeof(*t));
		t->baseline = xstrdup(row->baseline_id);
		t->machine = xstrdup(row->machine_id);
		t->control = xstrdup(row->control_id);
		json_object_set_new(w->index, key, json_integer((json_int_t)w->nt));
		w->nt++;
		if (bad) {
			t->first_seen = 1;
			t->opened = at;
			snprintf(t->opened_at, sizeof(t->opened_at), "%s",
				 row->started);
		}
	} else {
		t = &w->t[json_integer_value(ix)];
		was_bad = t->bad;
		if (bad && !t->bad) {
			t->first_seen = 0;
			t->opened = at;
			snprintf(t->opened_at, sizeof(t->opened_at), "%s",
				 row->started);
		} else if (!bad && t->bad && !t->first_seen &&
			   (w->since == 0 || at >= w->since)) {
			/* A regressed -> resolved pair, counted for the party
			 * that owned it while it was open. */
			struct party_acc *p = party_get(w, t->owner);
			long long d = (long long)(at - t->opened);
			long sla = owners_sla_hours(w->o, p->id, t->severity);

			p->remediated++;
			p->total_s += (double)d;
			if (p->worst_control == NULL || d > p->worst_s) {
				p->worst_s = d;
				set_str(&p->worst_control, t->control);
			}
			if (sla > 0 && d > (long long)sla * 3600)
				p->breaches++;
		}
	}
	free(key);
	t->bad = bad;
	t->last_seq = row->seq;
	set_str(&t->host, row->hostname);
	set_str(&t->status, row->status);
	/* While open, the owner and severity that count are the ones it had
	 * when it went bad. */
	if (!bad || !was_bad) {
		set_str(&t->owner, row->owner);
		set_str(&t->severity, row->severity);
	}
	return 0;
}

static void
add_open(struct walk *w, const struct track *t, time_t now)
{
	struct party_acc *p = party_get(w, t->owner);
	long sla = owners_sla_hours(w->o, p->id, t->severity);
	long long age = (long long)(now - t->opened);
	int breached = sla > 0 && age > (long long)sla * 3600;

	if (breached)
		p->breaches++;
	json_array_append_new(p->open, json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:o, s:b}",
		"control", t->control, "baseline", t->baseline, "host",
		t->host ? t->host : "", "status", t->status, "severity",
		t->severity ? t->severity : "", "since", t->opened_at,
		"first_seen", t->first_seen, "age_seconds", (json_int_t)age,
		"sla_hours", sla > 0 ? json_integer(sla) : json_null(),
		"breached", breached));
}

static void
walk_release(struct walk *w)
{
	size_t i;

	for (i = 0; i < w->nt; i++) {
		free(w->t[i].baseline);
		free(w->t[i].machine);
		free(w->t[i].host);
		free(w->t[i].control);
		free(w->t[i].owner);
		free(w->t[i].severity);
		free(w->t[i].status);
	}
	free(w->t);
	for (i = 0; i < w->ns; i++) {
		free(w->s[i].baseline);
		free(w->s[i].machine);
	}
	free(w->s);
	for (i = 0; i < w->np; i++) {
		free(w->p[i].id);
		free(w->p[i].worst_control);
		json_decref(w->p[i].open);
	}
	free(w->p);
	json_decref(w->index);
}

int
report_owners_build(struct store *s, const struct owners *o, time_t since,
		    time_t now, json_t **out, struct errbuf *e)
{
	struct walk w;
	json_t *parties, *rep;
	char gen[32], since_s[32];
	size_t i, j;
	int r;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	w.o = o;
	w.since = since;
	w.index = json_object();
	/* The owners file's parties first, in its order, even when they have
	 * nothing open: an empty row is an answer too. */
	for (i = 0; o != NULL && i < o->nparties; i++)
		party_get(&w, o->parties[i].id);
	if ((r = store_each_result(s, on_row, &w, e)) != 0)
		goto out;
	for (i = 0; i < w.nt; i++) {
		const struct track *t = &w.t[i];

		if (!t->bad)
			continue;
		for (j = 0; j < w.ns; j++)
			if (strcmp(w.s[j].baseline, t->baseline) == 0 &&
			    strcmp(w.s[j].machine, t->machine) == 0)
				break;
		/* Open only when still present in the newest scan of its
		 * series: a control the baseline dropped is not drift. */
		if (j < w.ns && w.s[j].last_seq == t->last_seq)
			add_open(&w, t, now);
	}
	parties = json_array();
	for (i = 0; i < w.np; i++) {
		struct party_acc *p = &w.p[i];
		const struct owners_party *op = owners_party(o, p->id);

		json_array_append_new(parties, json_pack(
			"{s:s, s:o, s:O, s:I, s:o, s:o, s:o, s:I}",
			"party", p->id, "name", op && op->name ?
			json_string(op->name) : json_null(), "open", p->open,
			"remediated", (json_int_t)p->remediated,
			"mttr_seconds", p->remediated ? json_integer(
				(json_int_t)(p->total_s / (double)p->remediated
					     + 0.5)) : json_null(),
			"worst_seconds", p->remediated ?
			json_integer((json_int_t)p->worst_s) : json_null(),
			"worst_control", p->worst_control ?
			json_string(p->worst_control) : json_null(),
			"sla_breaches", (json_int_t)p->breaches));
	}
	time_rfc3339(now, gen);
	if (since != 0)
		time_rfc3339(since, since_s);
	rep = json_pack("{s:s, s:s, s:o, s:o}", "schema",
			"plumb.owners-report/1", "generated", gen, "since",
			since != 0 ? json_string(since_s) : json_null(),
			"parties", parties);
	if (w.bad_time)
		json_object_set_new(rep, "note", json_string(
			"scans without a start time were left out"));
	*out = rep;
out:
	walk_release(&w);
	return r;
}

/* "3d 4h", "2h 5m", "40s". */
static void
put_duration(FILE *f, long long s)
{
	if (s < 0)
		s = 0;
	if (s >= 86400)
		fprintf(f, "%lldd %lldh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		fprintf(f, "%lldh %lldm", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		fprintf(f, "%lldm %llds", s / 60, s % 60);
	else
		fprintf(f, "%llds", s);
}

static const char *
jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* Text from the history (control ids are validated, host names are not):
 * control characters shown as '?'. */
static void
put_safe(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

void
report_owners_text(FILE *f, const json_t *rep)
{
	const json_t *p, *op;
	size_t i, j;

	fprintf(f, "drift and remediation per party (%s%s)\n",
		json_is_string(json_object_get(rep, "since")) ?
		"resolved since " : "whole history",
		jstr(rep, "since"));
	json_array_foreach(json_object_get(rep, "parties"), i, p) {
		const json_t *open = json_object_get(p, "open");
		json_int_t n = json_integer_value(json_object_get(p,
							"remediated"));

		fputs("\n", f);
		put_safe(f, jstr(p, "party"));
		if (*jstr(p, "name")) {
			fputs(" (", f);
			put_safe(f, jstr(p, "name"));
			fputc(')', f);
		}
		fprintf(f, "\n  open drift: %zu\n", json_array_size(open));
		json_array_foreach(open, j, op) {
			fputs("    ", f);
			put_safe(f, jstr(op, "control"));
			fputs(" on ", f);
			put_safe(f, jstr(op, "host"));
			fprintf(f, ": %s %s %s, age ", jstr(op, "status"),
				json_is_true(json_object_get(op, "first_seen")) ?
				"since the first scan," : "since",
				jstr(op, "since"));
			put_duration(f, json_integer_value(
				json_object_get(op, "age_seconds")));
			if (json_is_integer(json_object_get(op, "sla_hours")))
				fprintf(f, " (SLA %lldh%s)", (long long)
					json_integer_value(json_object_get(op,
						"sla_hours")),
					json_is_true(json_object_get(op,
						"breached")) ? ", BREACHED" : "");
			fputc('\n', f);
		}
		fprintf(f, "  remediated: %lld", (long long)n);
		if (n > 0) {
			fputs(", mean time to remediate ", f);
			put_duration(f, json_integer_value(json_object_get(p,
							"mttr_seconds")));
			fputs(", worst ", f);
			put_duration(f, json_integer_value(json_object_get(p,
							"worst_seconds")));
			fputs(" (", f);
			put_safe(f, jstr(p, "worst_control"));
			fputc(')', f);
		}
		fprintf(f, "\n  SLA breaches: %lld\n", (long long)
			json_integer_value(json_object_get(p, "sla_breaches")));
	}
	if (*jstr(rep, "note"))
		fprintf(f, "\nnote: %s\n", jstr(rep, "note"));
}

static void
owners_report_usage(FILE *f)
{
	fputs("usage: plumb report --owners [--db FILE] [--owners-file FILE] "
	      "[--since DATE]\n"
	      "                    [--format text|json] [-o FILE]\n\n"
	      "Per party: drift still open and its age, mean and worst time to\n"
	      "remediate (regressed -> resolved, from the history) and SLA "
	      "breaches.\n\n"
	      "  --owners-file FILE  names and SLAs (default " DEFAULT_OWNERS
	      "\n                      when it exists; without one, no SLAs)\n"
	      "  --since DATE        remediations resolved on or after DATE\n"
	      "                      (YYYY-MM-DD or RFC 3339 UTC)\n", f);
}

int
report_owners_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "owners", no_argument, NULL, 'w' },
		{ "owners-file", required_argument, NULL, 'O' },
		{ "since", required_argument, NULL, 'S' },
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db_arg = NULL, *format = "text", *output = NULL;
	const char *owners_arg = NULL, *since_arg = NULL;
	struct cli_out out = { NULL, NULL, NULL };
	struct diags d = { NULL, 0 };
	struct errbuf e = { "" };
	struct owners *own = NULL;
	struct store *st = NULL;
	json_t *rep = NULL;
	time_t since = 0;
	char *db = NULL;
	int c, rc = EXIT_PLUMB_ERROR;
	size_t i;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'w': break;
		case 'O': owners_arg = optarg; break;
		case 'S': since_arg = optarg; break;
		case 'd': db_arg = optarg; break;
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case 'h': owners_report_usage(stdout); return EXIT_PLUMB_OK;
		default: return cli_usage_error("report", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("report", "unexpected argument '%s'",
				       argv[optind]);
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return cli_usage_error("report", "--owners writes text or json, "
				       "not '%s'", format);
	if (since_arg != NULL && time_parse(since_arg, &since) != 0)
		return cli_usage_error("report", "--since '%s' is not a date "
				       "(YYYY-MM-DD)", since_arg);
	if (owners_arg == NULL && access(DEFAULT_OWNERS, F_OK) == 0)
		owners_arg = DEFAULT_OWNERS;
	if (owners_arg != NULL &&
	    owners_load(owners_arg, &own, &d, &e) != 0) {
		if (d.n == 0)
			cli_error("%s", e.msg);
		for (i = 0; i < d.n; i++)
			fprintf(stderr, "%s\n", d.lines[i]);
		goto out;
	}
	db = cli_db_path(db_arg);
	if (access(db, F_OK) != 0) {
		cli_error("%s: no history yet (run plumb scan first)", db);
		goto out;
	}
	if (store_open(db, &st, &e) != 0 ||
	    report_owners_build(st, own, since, time(NULL), &rep, &e) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	if (cli_out_open(&out, output) != 0)
		goto out;
	if (strcmp(format, "json") == 0) {
		if (json_dumpf(rep, out.f, JSON_INDENT(2) | JSON_SORT_KEYS) != 0) {
			cli_error("writing the report failed");
			goto out;
		}
		fputc('\n', out.f);
	} else {
		report_owners_text(out.f, rep);
	}
	if (cli_out_close(&out, 1) == 0)
		rc = EXIT_PLUMB_OK;
out:
	if (out.f != NULL)
		cli_out_close(&out, 0);
	json_decref(rep);
	store_close(st);
	owners_free(own);
	diags_release(&d);
	free(db);
	return rc;
}

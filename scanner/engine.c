/*
 * engine.c - runs a baseline's controls through the probes and judges, and
 * builds the plumb.scan/1 document that the store records and every output
 * writer renders.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include "engine.h"
#include "probe.h"

/* Facts collected once per (probe, subject) during one scan. */
struct fact {
	const char *probe;
	char *subject;		/* NULL for host-wide probes */
	json_t *facts;		/* NULL when collection failed */
	int code;
	char msg[PLUMB_ERRMSG_MAX];
};

struct fact_cache {
	struct fact *v;
	size_t n;
};

static int
subject_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Returns the cached entry for (p, subject), collecting it on first use. */
static const struct fact *
fact_get(struct fact_cache *c, const struct probe *p, const char *subject,
	 const struct probe_ctx *ctx)
{
	struct errbuf e = { "" };
	struct fact *f;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].probe, p->name) == 0 &&
		    subject_eq(c->v[i].subject, subject))
			return &c->v[i];
	c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
	f = &c->v[c->n++];
	memset(f, 0, sizeof(*f));
	f->probe = p->name;
	f->subject = subject ? xstrdup(subject) : NULL;
	f->code = p->collect(ctx, subject, &f->facts, &e);
	if (f->code != 0) {
		json_decref(f->facts);
		f->facts = NULL;
		snprintf(f->msg, sizeof(f->msg), "%s",
			 e.msg[0] ? e.msg : "the probe failed without a reason");
	} else if (f->facts == NULL) {
		f->code = PLUMB_EIO;
		snprintf(f->msg, sizeof(f->msg), "probe %s returned no facts",
			 p->name);
	}
	return f;
}

static void
fact_cache_release(struct fact_cache *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].subject);
		json_decref(c->v[i].facts);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

/* Runs one check; out is filled as a judge would fill it. */
static void
run_check(struct fact_cache *cache, const struct check *chk,
	  const struct probe_ctx *ctx, struct check_outcome *out)
{
	const struct check_type *ct = chk->ct;
	const char *subject;
	const struct fact *f;

	memset(out, 0, sizeof(*out));
	subject = ct->subject ? ct->subject(chk) : NULL;
	f = fact_get(cache, ct->probe, subject, ctx);
	if (f->facts == NULL) {
		check_outcome_set(out, STATUS_ERROR, "%s", f->msg);
		out->evidence = json_pack("{s:s, s:s?, s:s}", "probe",
					  ct->probe->name, "subject", subject,
					  "error", f->msg);
		return;
	}
	ct->judge(f->facts, chk, ctx, out);
	if (out->message == NULL)
		out->message = xstrdup(status_name(out->status));
	if (out->evidence == NULL)
		out->evidence = json_object();
}

static json_t *
refs_json(const struct control *c)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < c->nrefs; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "framework",
						   c->refs[i].framework, "id",
						   c->refs[i].id));
	return a;
}

/* Evaluates one control: the worst status of its checks wins. */
static json_t *
run_control(struct fact_cache *cache, const struct control *c,
	    struct probe_ctx *ctx)
{
	enum status st = STATUS_NOTCHECKED;
	json_t *evidence = NULL, *checks = NULL, *r;
	char *message = NULL;
	size_t i;

	ctx->control_id = c->id;
	if (c->nchecks > 1)
		checks = json_array();
	for (i = 0; i < c->nchecks; i++) {
		struct check_outcome out;
		enum status before = st;

		run_check(cache, &c->checks[i], ctx, &out);
		st = i == 0 ? out.status : status_combine(st, out.status);
		if (checks != NULL) {
			json_array_append_new(checks,
				json_pack("{s:s, s:s, s:s, s:o}", "type",
					  c->checks[i].type, "status",
					  status_name(out.status), "message",
					  out.message, "evidence",
					  out.evidence));
			/* The message of the check that decided the status
			 * speaks for the control. */
			if (message == NULL || st != before) {
				free(message);
				message = out.message;
			} else {
				free(out.message);
			}
		} else {
			evidence = out.evidence;
			message = out.message;
		}
	}
	if (checks != NULL)
		evidence = json_pack("{s:o}", "checks", checks);
	ctx->control_id = NULL;
	r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:o, s:o}",
		      "id", c->id, "title", c->title, "family", c->family,
		      "severity", c->severity, "owner", c->owner, "status",
		      status_name(st), "message", message ? message : "",
		      "rationale", c->rationale, "evidence", evidence, "refs",
		      refs_json(c));
	free(message);
	return r;
}

/* A control the scan had no time left for. */
static json_t *
skipped_control(const struct control *c)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:{}, s:o}",
			 "id", c->id, "title", c->title, "family", c->family,
			 "severity", c->severity, "owner", c->owner, "status",
			 "notchecked", "message",
			 "not checked: the scan's time budget was exhausted",
			 "rationale", c->rationale, "evidence", "refs",
			 refs_json(c));
}

json_t *
engine_host_json(const struct plat_host *h)
{
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:s}",
			 "hostname", h->hostname, "machine_id", h->machine_id,
			 "os", "id", h->os_id, "version", h->os_version,
			 "pretty", h->os_pretty, "kernel", h->kernel, "arch",
			 h->arch);
}

/* A random (version 4) UUID for the scan's id. */
static void
uuid4(char out[37])
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n <= 0)
			abort();
		got += (size_t)n;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

static void
count_into(json_t *obj, const char *key, const char *status)
{
	json_t *group = json_object_get(obj, key);
	json_int_t n;

	if (group == NULL) {
		unsigned i;

		group = json_object();
		for (i = 0; i < STATUS__COUNT; i++)
			json_object_set_new(group, status_name((enum status)i),
					    json_integer(0));
		json_object_set_new(obj, key, group);
	}
	n = json_integer_value(json_object_get(group, status));
	json_object_set_new(group, status, json_integer(n + 1));
}

void
engine_summarize(json_t *doc)
{
	json_t *results = json_object_get(doc, "results"), *r;
	json_t *summary = json_object(), *fam = json_object(), *own = json_object();
	json_t *total = json_object();
	size_t i;
	unsigned s;

	for (s = 0; s < STATUS__COUNT; s++)
		json_object_set_new(total, status_name((enum status)s),
				    json_integer(0));
	json_array_foreach(results, i, r) {
		const char *st = json_string_value(json_object_get(r, "status"));
		const char *f = json_string_value(json_object_get(r, "family"));
		const char *o = json_string_value(json_object_get(r, "owner"));

		if (st == NULL)
			continue;
		json_object_set_new(total, st, json_integer(
			json_integer_value(json_object_get(total, st)) + 1));
		count_into(fam, f ? f : "", st);
		count_into(own, o ? o : "", st);
	}
	json_object_set_new(summary, "total",
			    json_integer((json_int_t)json_array_size(results)));
	json_object_set_new(summary, "statuses", total);
	json_object_set_new(summary, "by_family", fam);
	json_object_set_new(summary, "by_owner", own);
	json_object_set_new(doc, "summary", summary);
}

int
engine_exit_status(const json_t *doc)
{
	const json_t *r;
	size_t i;

	json_array_foreach(json_object_get(doc, "results"), i, r) {
		const char *st = json_string_value(json_object_get(r, "status"));
		enum status s;

		if (st == NULL || status_parse(st, &s) != 0)
			return 2;
		switch (s) {
		case STATUS_PASS:
		case STATUS_WAIVED:
		case STATUS_NOTAPPLICABLE:
		case STATUS_INFORMATIONAL:
			break;
		default:
			return 2;
		}
	}
	return 0;
}

int
engine_run(const struct baseline *b, const struct engine_opts *o, json_t **doc,
	   struct errbuf *e)
{
	struct fact_cache cache = { NULL, 0 };
	struct probe_ctx ctx;
	json_t *results, *d;
	char started[32], finished[32], id[37];
	size_t i;

	(void)e;
	*doc = NULL;
	memset(&ctx, 0, sizeof(ctx));
	ctx.root = o->root;
	ctx.now = o->now;
	ctx.store = o->store;
	ctx.prev = o->prev;
	time_rfc3339(o->now, started);
	uuid4(id);

	results = json_array();
	for (i = 0; i < b->ncontrols; i++) {
		if (o->progress != NULL)
			o->progress(i, b->ncontrols, b->controls[i].id,
				    o->progress_arg);
		if (o->deadline != 0 && time(NULL) >= o->deadline)
			json_array_append_new(results,
					      skipped_control(&b->controls[i]));
		else
			json_array_append_new(results,
				run_control(&cache, &b->controls[i], &ctx));
	}
	if (o->progress != NULL)
		o->progress(b->ncontrols, b->ncontrols, NULL, o->progress_arg);
	fact_cache_release(&cache);
	time_rfc3339(time(NULL), finished);

	d = json_pack("{s:s, s:{s:s, s:s, s:s, s:o, s:s, s:{s:s, s:s, s:s, s:s}, s:s}, s:o}",
		      "schema", "plumb.scan/1",
		      "scan", "id", id, "started", started, "finished", finished,
		      "host", engine_host_json(o->host), "root", o->root_dir,
		      "baseline", "id", b->id, "version", b->version, "sha256",
		      b->sha256, "title", b->title, "plumb_version", PLUMB_VERSION,
		      "results", results);
	if (d == NULL)
		abort();
	engine_summarize(d);
	*doc = d;
	return PLUMB_OK;
}

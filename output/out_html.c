/*
 * out_html.c - one self-contained HTML file for people and for paper: no
 * script, no network, no external file; inline CSS with a print style.
 *
 * Order, as an auditor reads it: the scan's identity; counts by status,
 * family and owner; the framework coverage (with --framework); trend charts
 * over the history (inline SVG); every control that needs action, most
 * urgent first, with its evidence rendered as tables; the waivers; then the
 * remaining controls.
 *
 * The charts read the history (opts->store) for scans of the same baseline
 * on the same machine up to and including this one, so a stored scan
 * re-renders identically later.  They show the pass rate per scan, the
 * failing controls per owner per scan, and the open drift per party: the
 * controls whose drift events (recorded with every scan) left them worse
 * than they were and that no later event resolved.
 *
 * Everything is written through xw (libxml2's xmlTextWriter in HTML mode:
 * every element gets an end tag), so host text is escaped by the library
 * after escape_text made it representable.  The CSS holds no '<', '>' or
 * '&', which the writer would escape inside <style>.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "output.h"
#include "report.h"
#include "store.h"
#include "xw.h"

/* Evidence is rendered this deep and this many items per list. */
#define HTML_EVIDENCE_DEPTH 6
#define HTML_EVIDENCE_ITEMS 200
/* Columns of a table made from a list of objects. */
#define HTML_EVIDENCE_COLUMNS 8

static const char html_css[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
	"color:#1d232b;margin:2em auto;max-width:70em;padding:0 1em;"
	"line-height:1.4}"
	"h1{font-size:1.6em;margin-bottom:.2em}"
	"h2{font-size:1.25em;border-bottom:2px solid #d0d7de;padding-bottom:.2em;"
	"margin-top:1.8em}"
	"h3{font-size:1.05em;margin:.2em 0}"
	"table{border-collapse:collapse;margin:.5em 0}"
	"th,td{border:1px solid #d0d7de;padding:.25em .5em;text-align:left;"
	"vertical-align:top}"
	"th{background:#f3f5f7}"
	"td.n{text-align:right;font-variant-numeric:tabular-nums}"
	"code,pre{font-family:ui-monospace,'DejaVu Sans Mono',monospace;"
	"font-size:.9em}"
	".meta td,.meta th{border:none;padding:.1em .6em .1em 0}"
	".st{display:inline-block;padding:0 .45em;border-radius:.3em;"
	"font-weight:600;font-size:.85em;color:#fff;background:#6e7781}"
	".st-pass{background:#1a7f37}.st-fail{background:#cf222e}"
	".st-error,.st-unknown{background:#bf8700}"
	".st-waived{background:#8250df}"
	".st-notapplicable,.st-notchecked,.st-informational{background:#6e7781}"
	".finding{border:1px solid #d0d7de;border-left:6px solid #cf222e;"
	"padding:.5em .9em;margin:.9em 0;page-break-inside:avoid}"
	".finding.sev-error,.finding.sev-unknown{border-left-color:#bf8700}"
	".msg{margin:.3em 0;font-weight:500}"
	".small{color:#57606a;font-size:.9em}"
	".ev table{font-size:.9em}.ev th{width:1%;white-space:nowrap}"
	".ev ul{margin:0;padding-left:1.2em}"
	".chart{margin:.5em 0 1.2em 0}"
	".chart text{font-size:11px;fill:#1d232b}"
	"@media print{body{margin:0;max-width:none}"
	"h2{page-break-after:avoid}"
	".st{color:#000;background:none;border:1px solid #000}"
	"details{display:block}}";

static void
status_badge(struct xw *x, const char *st)
{
	char *cls = report_ncname_tail(st);

	xw_start(x, "span");
	xw_attrf(x, "class", "st st-%s", cls);
	xw_text(x, st);
	xw_end(x);
	free(cls);
}

static void
meta_row(struct xw *x, const char *name, const json_t *v)
{
	xw_start(x, "tr");
	xw_elem(x, "th", name);
	xw_start(x, "td");
	if (json_is_integer(v))
		xw_textf(x, "%lld", (long long)json_integer_value(v));
	else
		xw_jtext(x, v);
	xw_end(x);
	xw_end(x);
}

static void
write_meta(struct xw *x, const json_t *doc)
{
	const json_t *scan = json_object_get(doc, "scan");
	const json_t *host = json_object_get(scan, "host");
	const json_t *bl = json_object_get(scan, "baseline");
	const json_t *owners = json_object_get(scan, "owners");

	xw_start(x, "table");
	xw_attr(x, "class", "meta");
	meta_row(x, "Host", json_object_get(host, "hostname"));
	meta_row(x, "Machine id", json_object_get(host, "machine_id"));
	meta_row(x, "Operating system",
		 json_object_get(json_object_get(host, "os"), "pretty"));
	meta_row(x, "Kernel", json_object_get(host, "kernel"));
	meta_row(x, "Scanned root", json_object_get(scan, "root"));
	meta_row(x, "Baseline", json_object_get(bl, "id"));
	meta_row(x, "Baseline version", json_object_get(bl, "version"));
	meta_row(x, "Baseline sha256", json_object_get(bl, "sha256"));
	if (owners != NULL)
		meta_row(x, "Owners file sha256", json_object_get(owners, "sha256"));
	meta_row(x, "Scan id", json_object_get(scan, "id"));
	if (json_object_get(scan, "seq") != NULL)
		meta_row(x, "History sequence", json_object_get(scan, "seq"));
	meta_row(x, "Started", json_object_get(scan, "started"));
	meta_row(x, "Finished", json_object_get(scan, "finished"));
	meta_row(x, "plumb version", json_object_get(scan, "plumb_version"));
	xw_end(x);
}

static const char *const html_statuses[] = { "fail", "error", "unknown",
	"waived", "pass", "notchecked", "informational", "notapplicable" };
#define HTML_NSTATUSES (sizeof(html_statuses) / sizeof(html_statuses[0]))

/* A table of counts: one row per member of groups (name -> counts). */
static void
counts_table(struct xw *x, const char *what, const json_t *groups)
{
	const char *k;
	const json_t *v;
	size_t i;

	xw_start(x, "table");
	xw_start(x, "tr");
	xw_elem(x, "th", what);
	for (i = 0; i < HTML_NSTATUSES; i++) {
		xw_start(x, "th");
		status_badge(x, html_statuses[i]);
		xw_end(x);
	}
	xw_elem(x, "th", "pass rate");
	xw_end(x);
	json_object_foreach((json_t *)groups, k, v) {
		double rate = report_pass_rate(v);

		xw_start(x, "tr");
		xw_elem(x, "th", k);
		for (i = 0; i < HTML_NSTATUSES; i++) {
			xw_start(x, "td");
			xw_attr(x, "class", "n");
			xw_textf(x, "%lld", (long long)json_integer_value(
				json_object_get(v, html_statuses[i])));
			xw_end(x);
		}
		xw_start(x, "td");
		xw_attr(x, "class", "n");
		if (rate < 0)
			xw_text(x, "n/a");
		else
			xw_textf(x, "%.0f%%", rate);
		xw_end(x);
		xw_end(x);
	}
	xw_end(x);
}

static void
write_summary(struct xw *x, const json_t *doc)
{
	const json_t *summary = json_object_get(doc, "summary");
	const json_t *statuses = json_object_get(summary, "statuses");
	double rate = report_pass_rate(statuses);
	json_t *all;

	xw_elem(x, "h2", "Summary");
	xw_start(x, "p");
	xw_textf(x, "%lld controls; ", (long long)json_integer_value(
		json_object_get(summary, "total")));
	if (rate < 0)
		xw_text(x, "none was scored.");
	else
		xw_textf(x, "pass rate %.1f%% (passed or waived, of the controls "
			 "that were evaluated: not counting not applicable, "
			 "not checked and informational).", rate);
	xw_end(x);
	all = json_pack("{s:O}", "all controls", statuses);
	counts_table(x, "", all);
	json_decref(all);
	xw_elem(x, "h3", "By family");
	counts_table(x, "family", json_object_get(summary, "by_family"));
	xw_elem(x, "h3", "By owner");
	counts_table(x, "owner", json_object_get(summary, "by_owner"));
}

static void
write_coverage(struct xw *x, const json_t *doc)
{
	const json_t *fw = json_object_get(doc, "framework");
	const json_t *counts = json_object_get(fw, "counts"), *row, *c;
	size_t i, j;

	if (fw == NULL)
		return;
	xw_start(x, "h2");
	xw_text(x, "Framework coverage: ");
	xw_jtext(x, json_object_get(fw, "title"));
	xw_end(x);
	xw_start(x, "p");
#define N(k) ((long long)json_integer_value(json_object_get(counts, k)))
	xw_textf(x, "%lld of %lld listed ids covered: %lld failing, %lld "
		 "waived, %lld passing, %lld not assessed; %lld not covered. "
		 "The list holds ", N("covered") - N("unlisted"), N("listed"),
		 N("failing"), N("waived"), N("passing"), N("not-assessed"),
		 N("not-covered"));
#undef N
	xw_jtext(x, json_object_get(fw, "scope"));
	xw_text(x, ". Only controls that refer to this framework are shown "
		"below.");
	xw_end(x);
	xw_start(x, "table");
	xw_start(x, "tr");
	xw_elem(x, "th", "id");
	xw_elem(x, "th", "state");
	xw_elem(x, "th", "label");
	xw_elem(x, "th", "plumb controls");
	xw_end(x);
	json_array_foreach(json_object_get(fw, "coverage"), i, row) {
		const char *state = report_str(row, "state");

		xw_start(x, "tr");
		xw_start(x, "td");
		xw_jtext(x, json_object_get(row, "id"));
		xw_end(x);
		xw_start(x, "td");
		status_badge(x, state);
		xw_end(x);
		xw_start(x, "td");
		if (json_is_true(json_object_get(row, "in_list")))
			xw_jtext(x, json_object_get(row, "label"));
		else
			xw_text(x, "(not in plumb's list)");
		xw_end(x);
		xw_start(x, "td");
		json_array_foreach(json_object_get(row, "controls"), j, c) {
			if (j > 0)
				xw_text(x, ", ");
			xw_start(x, "code");
			xw_jtext(x, c);
			xw_end(x);
		}
		xw_end(x);
		xw_end(x);
	}
	xw_end(x);
}

/* ---- trend charts ---- */

struct series {
	const char *name;
	double *v;	/* one value per scan, NAN where absent */
};

static const char *const html_palette[] = { "#0969da", "#cf222e", "#8250df",
	"#1a7f37", "#bf8700", "#57606a", "#e16f24", "#0a7ea4" };

/*
 * A line chart: n scans along x (labelled by seq), series along y from 0
 * to ymax.  Empty values leave gaps.
 */
static void
line_chart(struct xw *x, const char *title, const json_t *scans, size_t n,
	   const struct series *s, size_t ns, double ymax, const char *unit)
{
	const double w = 760, h = 260, left = 48, right = 16, top = 16;
	const double bottom = 40, legend = ns > 1 ? 20.0 * (double)((ns + 3) / 4) : 0;
	double pw = w - left - right, ph = h - top - bottom;
	size_t i, j, step;
	int t;

	if (ymax <= 0)
		ymax = 1;
	xw_start(x, "svg");
	xw_attr(x, "xmlns", "http://www.w3.org/2000/svg");
	xw_attr(x, "class", "chart");
	xw_attrf(x, "width", "%.0f", w);
	xw_attrf(x, "height", "%.0f", h + legend);
	xw_attrf(x, "viewBox", "0 0 %.0f %.0f", w, h + legend);
	xw_attr(x, "role", "img");
	xw_attr(x, "aria-label", title);
	xw_elem(x, "title", title);
	/* Grid and y axis labels. */
	for (t = 0; t <= 4; t++) {
		double y = top + ph - ph * t / 4.0;

		xw_start(x, "line");
		xw_attrf(x, "x1", "%.1f", left);
		xw_attrf(x, "x2", "%.1f", left + pw);
		xw_attrf(x, "y1", "%.1f", y);
		xw_attrf(x, "y2", "%.1f", y);
		xw_attr(x, "stroke", t == 0 ? "#57606a" : "#d0d7de");
		xw_attr(x, "stroke-width", "1");
		xw_end(x);
		xw_start(x, "text");
		xw_attrf(x, "x", "%.1f", left - 6);
		xw_attrf(x, "y", "%.1f", y + 4);
		xw_attr(x, "text-anchor", "end");
		xw_textf(x, "%.4g%s", ymax * t / 4.0, unit);
		xw_end(x);
	}
	/* x labels: the scans' sequence numbers, thinned to fit. */
	step = n > 20 ? (n + 19) / 20 : 1;
	for (i = 0; i < n; i++) {
		double cx = left + (n > 1 ? pw * (double)i / (double)(n - 1) : pw / 2);

		if (i % step != 0 && i != n - 1)
			continue;
		xw_start(x, "text");
		xw_attrf(x, "x", "%.1f", cx);
		xw_attrf(x, "y", "%.1f", top + ph + 16);
		xw_attr(x, "text-anchor", "middle");
		xw_textf(x, "%lld", (long long)json_integer_value(json_object_get(
			json_array_get(scans, i), "seq")));
		xw_end(x);
	}
	xw_start(x, "text");
	xw_attrf(x, "x", "%.1f", left + pw / 2);
	xw_attrf(x, "y", "%.1f", top + ph + 32);
	xw_attr(x, "text-anchor", "middle");
	xw_text(x, "scan (history sequence number)");
	xw_end(x);
	for (j = 0; j < ns; j++) {
		const char *color = html_palette[j % (sizeof(html_palette) /
						      sizeof(html_palette[0]))];
		struct dynbuf pts;

		dynbuf_init(&pts, 64 * (n + 1));
		for (i = 0; i < n; i++) {
			double cx, cy;

			if (isnan(s[j].v[i]))
				continue;
			cx = left + (n > 1 ? pw * (double)i / (double)(n - 1) : pw / 2);
			cy = top + ph - ph * (s[j].v[i] / ymax);
			dynbuf_printf(&pts, "%s%.1f,%.1f", pts.len ? " " : "", cx, cy);
			xw_start(x, "circle");
			xw_attrf(x, "cx", "%.1f", cx);
			xw_attrf(x, "cy", "%.1f", cy);
			xw_attr(x, "r", "3");
			xw_attr(x, "fill", color);
			xw_start(x, "title");
			xw_textf(x, "scan %lld, %s: %.4g%s",
				 (long long)json_integer_value(json_object_get(
					 json_array_get(scans, i), "seq")),
				 s[j].name, s[j].v[i], unit);
			xw_end(x);
			xw_end(x);
		}
		if (pts.len > 0) {
			xw_start(x, "polyline");
			xw_attr(x, "fill", "none");
			xw_attr(x, "stroke", color);
			xw_attr(x, "stroke-width", "2");
			xw_attr(x, "points", pts.data);
			xw_end(x);
		}
		dynbuf_release(&pts);
		if (ns > 1) {
			double lx = left + (double)(j % 4) * 180;
			double ly = h + 20.0 * (double)(j / 4) + 4;

			xw_start(x, "rect");
			xw_attrf(x, "x", "%.1f", lx);
			xw_attrf(x, "y", "%.1f", ly);
			xw_attr(x, "width", "12");
			xw_attr(x, "height", "12");
			xw_attr(x, "fill", color);
			xw_end(x);
			xw_start(x, "text");
			xw_attrf(x, "x", "%.1f", lx + 18);
			xw_attrf(x, "y", "%.1f", ly + 11);
			xw_text(x, s[j].name);
			xw_end(x);
		}
	}
	xw_end(x);
}

/* The scans of doc's baseline on doc's machine, up to doc itself, newest
 * PLUMB_TREND_SCANS_MAX, oldest first (new reference), or NULL with why. */
static json_t *
trend_scans(const json_t *doc, struct store *st, struct errbuf *e)
{
	const json_t *scan = json_object_get(doc, "scan");
	const char *machine = report_str(json_object_get(scan, "host"),
					 "machine_id");
	json_int_t seq = json_integer_value(json_object_get(scan, "seq"));
	struct store_filter f;
	json_t *all = NULL, *mine;
	const json_t *s;
	size_t i;

	memset(&f, 0, sizeof(f));
	f.baseline_id = report_str(json_object_get(scan, "baseline"), "id");
	if (store_list_scans(st, &f, &all, e) != 0)
		return NULL;
	mine = json_array();
	json_array_foreach(all, i, s) {
		json_int_t sseq = json_integer_value(json_object_get(s, "seq"));

		if (strcmp(report_str(json_object_get(s, "host"), "machine_id"),
			   machine) != 0 || (seq > 0 && sseq > seq))
			continue;
		json_array_append(mine, (json_t *)s);
	}
	json_decref(all);
	while (json_array_size(mine) > PLUMB_TREND_SCANS_MAX)
		json_array_remove(mine, 0);
	return mine;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* True for the statuses drift calls bad (drift.h): someone must act. */
static int
drift_bad(const char *status)
{
	return strcmp(status, "fail") == 0 || strcmp(status, "error") == 0 ||
	       strcmp(status, "unknown") == 0 ||
	       strcmp(status, "notchecked") == 0;
}

/*
 * Open drift per party: replaying each scan's drift events oldest first, a
 * control is open from the event that left it in a bad status until one
 * that leaves it good (or removes it), and counts for the owner its event
 * named.  The first scan charted starts with nothing open, since drift is
 * change and the chart shows change within the charted window.
 */
static void
open_drift_chart(struct xw *x, struct store *st, const json_t *scans,
		 size_t n)
{
	json_t *open = json_object(), *parties = json_object();
	json_t *counts = json_array();
	const json_t *s, *ev, *c;
	struct series *per;
	const char *k;
	size_t i, j, np = 0;
	double ymax = 0;
	int unreadable = 0;

	json_array_foreach(scans, i, s) {
		struct errbuf e = { "" };
		json_t *doc = NULL, *row = json_object();
		char ref[32];
		void *tmp;

		snprintf(ref, sizeof(ref), "%lld", (long long)json_integer_value(
				 json_object_get(s, "seq")));
		if (i > 0 && store_get_scan(st, ref, &doc, &e) != 0)
			unreadable++;
		json_array_foreach(report_get(doc, "drift", "events", NULL), j,
				   ev) {
			const char *ctl = report_str(ev, "control");

			if (strcmp(report_str(ev, "kind"), "removed") != 0 &&
			    drift_bad(report_str(ev, "to")))
				json_object_set_new(open, ctl, escape_json_string(
					report_str(ev, "owner")));
			else
				json_object_del(open, ctl);
		}
		json_object_foreach_safe(open, tmp, k, c) {
			const char *owner = json_string_value(c);
			json_int_t have = json_integer_value(
				json_object_get(row, owner));

			json_object_set_new(row, owner, json_integer(have + 1));
			json_object_set_new(parties, owner, json_true());
		}
		json_array_append_new(counts, row);
		json_decref(doc);
	}

	xw_elem(x, "h3", "Open drift per party per scan");
	if (json_object_size(parties) == 0) {
		xw_elem(x, "p", "No control drifted into a failing state in "
			"these scans, so no party has open drift.");
	} else {
		const char **names = xcalloc(json_object_size(parties),
					     sizeof(*names));

		/* Sorted, so a party keeps its colour from chart to chart. */
		json_object_foreach(parties, k, c)
			names[np++] = k;
		qsort(names, np, sizeof(*names), cmp_str);
		per = xcalloc(np, sizeof(*per));
		for (np = 0; np < json_object_size(parties); np++) {
			k = names[np];
			per[np].name = k;
			per[np].v = xcalloc(n, sizeof(double));
			for (i = 0; i < n; i++) {
				per[np].v[i] = (double)json_integer_value(
					json_object_get(json_array_get(counts,
								       i), k));
				if (per[np].v[i] > ymax)
					ymax = per[np].v[i];
			}
		}
		free(names);
		line_chart(x, "Open drift per party per scan", scans, n, per, np,
			   ymax < 4 ? 4 : ceil(ymax / 4) * 4, "");
		for (i = 0; i < np; i++)
			free(per[i].v);
		free(per);
	}
	xw_start(x, "p");
	xw_text(x, "A control's drift is open from the scan that left it "
		"failing, in error or unchecked until a scan finds it good "
		"again; it counts for the owner the drift event named.");
	if (unreadable > 0)
		xw_textf(x, " %d scan%s could not be read from the history and "
			 "count as having no drift.", unreadable,
			 unreadable == 1 ? "" : "s");
	xw_end(x);
	json_decref(open);
	json_decref(parties);
	json_decref(counts);
}

static void
write_trends(struct xw *x, const json_t *doc, struct store *st)
{
	struct errbuf e = { "" };
	json_t *scans, *owners;
	const json_t *s, *v;
	struct series rate, *per = NULL;
	const char *k;
	size_t i, n, no = 0;
	double ymax = 0;

	xw_elem(x, "h2", "Compliance trend");
	if (st == NULL) {
		xw_elem(x, "p", "No history was available to this report, so "
			"there is no trend to chart.");
		return;
	}
	if ((scans = trend_scans(doc, st, &e)) == NULL) {
		xw_start(x, "p");
		xw_text(x, "The history could not be read, so there is no trend "
			"to chart: ");
		xw_text(x, e.msg);
		xw_end(x);
		return;
	}
	n = json_array_size(scans);
	xw_start(x, "p");
	xw_textf(x, "%zu scan%s of baseline ", n, n == 1 ? "" : "s");
	xw_text(x, report_str(report_get(doc, "scan", "baseline", NULL), "id"));
	xw_text(x, " on this machine");
	if (n >= PLUMB_TREND_SCANS_MAX)
		xw_textf(x, " (the newest %d)", PLUMB_TREND_SCANS_MAX);
	xw_text(x, ", oldest first, up to this scan.");
	xw_end(x);
	if (n == 0) {
		json_decref(scans);
		return;
	}

	rate.name = "pass rate";
	rate.v = xcalloc(n, sizeof(double));
	owners = json_object();
	json_array_foreach(scans, i, s) {
		double r = report_pass_rate(report_get(s, "summary", "statuses",
						       NULL));

		rate.v[i] = r < 0 ? NAN : r;
		json_object_foreach((json_t *)report_get(s, "summary", "by_owner",
							 NULL), k, v)
			json_object_set_new(owners, k, json_true());
	}
	xw_elem(x, "h3", "Pass rate per scan");
	line_chart(x, "Pass rate per scan (passed or waived, of evaluated "
		   "controls)", scans, n, &rate, 1, 100, "%");

	per = xcalloc(json_object_size(owners) ? json_object_size(owners) : 1,
		      sizeof(*per));
	json_object_foreach(owners, k, v) {
		per[no].name = k;
		per[no].v = xcalloc(n, sizeof(double));
		json_array_foreach(scans, i, s) {
			const json_t *counts = report_get(s, "summary", "by_owner",
							  k, NULL);

			per[no].v[i] = counts ? (double)json_integer_value(
				json_object_get(counts, "fail")) : 0;
			if (per[no].v[i] > ymax)
				ymax = per[no].v[i];
		}
		no++;
	}
	xw_elem(x, "h3", "Failing controls per owner per scan");
	line_chart(x, "Failing controls per owner per scan", scans, n, per, no,
		   ymax < 4 ? 4 : ceil(ymax / 4) * 4, "");
	open_drift_chart(x, st, scans, n);
	for (i = 0; i < no; i++)
		free(per[i].v);
	free(per);
	free(rate.v);
	json_decref(owners);
	json_decref(scans);
}

/* ---- evidence ---- */

static void render_value(struct xw *x, const json_t *v, int depth);

static int
is_scalar(const json_t *v)
{
	return !json_is_object(v) && !json_is_array(v);
}

static void
render_scalar(struct xw *x, const json_t *v)
{
	if (json_is_string(v)) {
		xw_jtext(x, v);
	} else if (json_is_null(v)) {
		xw_text(x, "null");
	} else {
		char *s = escape_json_dump(v, JSON_ENCODE_ANY);

		xw_text(x, s);
		free(s);
	}
}

/* A list of objects as one table, columns from the first items' keys. */
static void
render_table(struct xw *x, const json_t *a, int depth)
{
	json_t *cols = json_array();
	const json_t *item, *v;
	const char *k;
	size_t i, j, shown = 0;

	json_array_foreach(a, i, item) {
		json_object_foreach((json_t *)item, k, v) {
			int have = 0;

			json_array_foreach(cols, j, v)
				have |= strcmp(json_string_value(v), k) == 0;
			if (!have && json_array_size(cols) < HTML_EVIDENCE_COLUMNS)
				json_array_append_new(cols, escape_json_string(k));
		}
		if (i >= 20)
			break;
	}
	xw_start(x, "table");
	xw_start(x, "tr");
	json_array_foreach(cols, j, v) {
		xw_start(x, "th");
		xw_jtext(x, v);
		xw_end(x);
	}
	xw_end(x);
	json_array_foreach(a, i, item) {
		if (shown++ >= HTML_EVIDENCE_ITEMS)
			break;
		xw_start(x, "tr");
		json_array_foreach(cols, j, v) {
			xw_start(x, "td");
			render_value(x, json_object_get(item,
				json_string_value(v)), depth + 1);
			xw_end(x);
		}
		xw_end(x);
	}
	xw_end(x);
	if (json_array_size(a) > HTML_EVIDENCE_ITEMS)
		xw_elemf(x, "p", "... and %zu more", json_array_size(a) -
			 HTML_EVIDENCE_ITEMS);
	json_decref(cols);
}

static void
render_value(struct xw *x, const json_t *v, int depth)
{
	const char *k;
	const json_t *m;
	size_t i;
	int all_objects = 1, all_scalars = 1;

	if (v == NULL)
		return;
	if (is_scalar(v)) {
		render_scalar(x, v);
		return;
	}
	if (depth >= HTML_EVIDENCE_DEPTH) {
		char *s = escape_json_dump(v, JSON_COMPACT | JSON_SORT_KEYS);

		xw_start(x, "code");
		xw_text(x, s);
		xw_end(x);
		free(s);
		return;
	}
	if (json_is_object(v)) {
		if (json_object_size(v) == 0) {
			xw_text(x, "(empty)");
			return;
		}
		xw_start(x, "table");
		json_object_foreach((json_t *)v, k, m) {
			xw_start(x, "tr");
			xw_elem(x, "th", k);
			xw_start(x, "td");
			render_value(x, m, depth + 1);
			xw_end(x);
			xw_end(x);
		}
		xw_end(x);
		return;
	}
	if (json_array_size(v) == 0) {
		xw_text(x, "(none)");
		return;
	}
	json_array_foreach(v, i, m) {
		all_objects &= json_is_object(m);
		all_scalars &= is_scalar(m);
	}
	if (all_objects) {
		render_table(x, v, depth);
		return;
	}
	xw_start(x, "ul");
	json_array_foreach(v, i, m) {
		if (i >= HTML_EVIDENCE_ITEMS) {
			xw_elemf(x, "li", "... and %zu more",
				 json_array_size(v) - HTML_EVIDENCE_ITEMS);
			break;
		}
		xw_start(x, "li");
		if (all_scalars)
			render_scalar(x, m);
		else
			render_value(x, m, depth + 1);
		xw_end(x);
	}
	xw_end(x);
}

static void
write_refs(struct xw *x, const json_t *r)
{
	const json_t *ref;
	size_t i;

	json_array_foreach(json_object_get(r, "refs"), i, ref) {
		if (i > 0)
			xw_text(x, ", ");
		xw_start(x, "code");
		xw_textf(x, "%s %s", report_str(ref, "framework"),
			 report_str(ref, "id"));
		xw_end(x);
	}
}

static void
write_finding(struct xw *x, const json_t *r)
{
	const char *st = report_str(r, "status");
	char *cls = report_ncname_tail(st);

	xw_start(x, "div");
	xw_attrf(x, "class", "finding sev-%s", cls);
	free(cls);
	xw_start(x, "h3");
	status_badge(x, st);
	xw_text(x, " ");
	xw_start(x, "code");
	xw_jtext(x, json_object_get(r, "id"));
	xw_end(x);
	xw_text(x, " ");
	xw_jtext(x, json_object_get(r, "title"));
	xw_end(x);
	xw_start(x, "div");
	xw_attr(x, "class", "small");
	xw_textf(x, "severity %s, family %s, owner ", report_str(r, "severity"),
		 report_str(r, "family"));
	xw_start(x, "strong");
	xw_jtext(x, json_object_get(r, "owner"));
	xw_end(x);
	if (json_array_size(json_object_get(r, "refs")) > 0) {
		xw_text(x, "; refs: ");
		write_refs(x, r);
	}
	xw_end(x);
	xw_start(x, "p");
	xw_attr(x, "class", "msg");
	xw_jtext(x, json_object_get(r, "message"));
	xw_end(x);
	if (json_is_string(json_object_get(r, "rationale"))) {
		xw_start(x, "p");
		xw_attr(x, "class", "small");
		xw_text(x, "Why it matters: ");
		xw_jtext(x, json_object_get(r, "rationale"));
		xw_end(x);
	}
	xw_start(x, "div");
	xw_attr(x, "class", "ev");
	render_value(x, json_object_get(r, "evidence"), 0);
	xw_end(x);
	xw_end(x);
}

static void
write_waivers(struct xw *x, const json_t *doc)
{
	const json_t *r, *w;
	size_t i;
	int any = 0;

	xw_elem(x, "h2", "Waivers");
	json_array_foreach(json_object_get(doc, "results"), i, r) {
		const char *raw = report_str(r, "raw_status");

		if (strcmp(report_str(r, "status"), "waived") != 0)
			continue;
		if (!any) {
			xw_elem(x, "p", "Controls whose failure is covered by an "
				"approved, unexpired waiver. The raw status is what "
				"the check found.");
			xw_start(x, "table");
			xw_start(x, "tr");
			xw_elem(x, "th", "control");
			xw_elem(x, "th", "owner");
			xw_elem(x, "th", "raw status");
			xw_elem(x, "th", "waiver");
			xw_elem(x, "th", "result message");
			xw_end(x);
			any = 1;
		}
		w = json_object_get(r, "waiver");
		xw_start(x, "tr");
		xw_start(x, "td");
		xw_start(x, "code");
		xw_jtext(x, json_object_get(r, "id"));
		xw_end(x);
		xw_text(x, " ");
		xw_jtext(x, json_object_get(r, "title"));
		xw_end(x);
		xw_start(x, "td");
		xw_jtext(x, json_object_get(r, "owner"));
		xw_end(x);
		xw_start(x, "td");
		status_badge(x, raw[0] ? raw : "fail");
		xw_end(x);
		xw_start(x, "td");
		if (json_is_object(w)) {
			render_value(x, w, 1);
		} else {
			xw_text(x, "(the scan recorded no waiver details)");
		}
		xw_end(x);
		xw_start(x, "td");
		xw_jtext(x, json_object_get(r, "message"));
		xw_end(x);
		xw_end(x);
	}
	if (any)
		xw_end(x);
	else
		xw_elem(x, "p", "No control was waived in this scan.");
}

static void
write_others(struct xw *x, const json_t *doc, const size_t *order, size_t n)
{
	const json_t *results = json_object_get(doc, "results");
	size_t i;
	int any = 0;

	xw_elem(x, "h2", "Other controls");
	for (i = 0; i < n; i++) {
		const json_t *r = json_array_get(results, order[i]);
		const char *st = report_str(r, "status");

		if (report_status(st)->open || strcmp(st, "waived") == 0)
			continue;
		if (!any) {
			xw_start(x, "table");
			xw_start(x, "tr");
			xw_elem(x, "th", "status");
			xw_elem(x, "th", "control");
			xw_elem(x, "th", "owner");
			xw_elem(x, "th", "message and evidence");
			xw_end(x);
			any = 1;
		}
		xw_start(x, "tr");
		xw_start(x, "td");
		status_badge(x, st);
		xw_end(x);
		xw_start(x, "td");
		xw_start(x, "code");
		xw_jtext(x, json_object_get(r, "id"));
		xw_end(x);
		xw_text(x, " ");
		xw_jtext(x, json_object_get(r, "title"));
		xw_start(x, "div");
		xw_attr(x, "class", "small");
		write_refs(x, r);
		xw_end(x);
		xw_end(x);
		xw_start(x, "td");
		xw_jtext(x, json_object_get(r, "owner"));
		xw_end(x);
		xw_start(x, "td");
		xw_jtext(x, json_object_get(r, "message"));
		xw_start(x, "details");
		xw_elem(x, "summary", "evidence");
		xw_start(x, "div");
		xw_attr(x, "class", "ev");
		render_value(x, json_object_get(r, "evidence"), 0);
		xw_end(x);
		xw_end(x);
		xw_end(x);
		xw_end(x);
	}
	if (any)
		xw_end(x);
	else
		xw_elem(x, "p", "None.");
}

int
out_html_write(const json_t *doc, FILE *f, const struct output_opts *o,
	       struct errbuf *e)
{
	const json_t *scan = json_object_get(doc, "scan");
	const json_t *results = json_object_get(doc, "results");
	const char *host = report_str(json_object_get(scan, "host"), "hostname");
	struct xw x;
	size_t *order, n, i;
	int rc, any = 0;

	if ((rc = xw_open(&x, f, 1, 1, e)) != 0)
		return rc;
	order = report_order(doc, &n);
	xw_doctype(&x, "html");
	xw_start(&x, "html");
	xw_attr(&x, "lang", "en");
	xw_start(&x, "head");
	xw_start(&x, "meta");
	xw_attr(&x, "charset", "utf-8");
	xw_end(&x);
	xw_start(&x, "meta");
	xw_attr(&x, "name", "viewport");
	xw_attr(&x, "content", "width=device-width, initial-scale=1");
	xw_end(&x);
	xw_elemf(&x, "title", "plumb report: %s, %s %s", host[0] ? host : "host",
		 report_str(json_object_get(scan, "baseline"), "id"),
		 report_str(scan, "started"));
	xw_elem(&x, "style", html_css);
	xw_end(&x);
	xw_start(&x, "body");
	xw_start(&x, "h1");
	xw_text(&x, "Compliance report: ");
	xw_text(&x, host[0] ? host : "(unnamed host)");
	xw_end(&x);
	write_meta(&x, doc);
	write_summary(&x, doc);
	write_coverage(&x, doc);
	write_trends(&x, doc, o ? o->store : NULL);

	xw_elem(&x, "h2", "Controls that need action");
	for (i = 0; i < n; i++) {
		const json_t *r = json_array_get(results, order[i]);

		if (!report_status(report_str(r, "status"))->open)
			continue;
		write_finding(&x, r);
		any = 1;
	}
	if (!any)
		xw_elem(&x, "p", "None: no control failed or could not be "
			"evaluated.");
	write_waivers(&x, doc);
	write_others(&x, doc, order, n);
	xw_start(&x, "p");
	xw_attr(&x, "class", "small");
	xw_textf(&x, "Written by plumb %s from scan %s. The same scan renders "
		 "to this page byte for byte with plumb report --scan %s "
		 "--format html.", report_str(scan, "plumb_version"),
		 report_str(scan, "id"), report_str(scan, "id"));
	xw_end(&x);
	xw_end(&x);
	xw_end(&x);
	free(order);
	return xw_close(&x, "HTML", e);
}

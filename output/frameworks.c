/*
 * frameworks.c - the shipped framework identifier lists and the coverage
 * view of a scan for one framework (frameworks.h).
 *
 * The lists are CSV files under output/frameworks/, assembled into the
 * binary with .incbin (the Makefile makes this object depend on them), so
 * plumb never depends on where it was installed to answer --framework.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "escape.h"
#include "frameworks.h"
#include "report.h"

/* Each list is embedded NUL-terminated in .rodata. */
#define FRAMEWORKS_EMBED(sym, file)					\
	__asm__(".pushsection .rodata\n"				\
		".balign 16\n"						\
		#sym ":\n"						\
		".incbin \"" file "\"\n"				\
		".byte 0\n"						\
		".popsection\n");					\
	extern const char sym[]

FRAMEWORKS_EMBED(frameworks_csv_cis, "output/frameworks/cis-controls-v8.csv");
FRAMEWORKS_EMBED(frameworks_csv_nist, "output/frameworks/nist-800-53r5.csv");
FRAMEWORKS_EMBED(frameworks_csv_iso, "output/frameworks/iso27001-2022.csv");
FRAMEWORKS_EMBED(frameworks_csv_e8, "output/frameworks/essential-eight.csv");
FRAMEWORKS_EMBED(frameworks_csv_ce, "output/frameworks/cyber-essentials.csv");

struct framework {
	const char *name;
	const char *title;
	const char *uri;
	const char *csv;
};

static const struct framework frameworks[] = {
	{ "cis-controls-v8", "CIS Critical Security Controls v8",
	  "https://www.cisecurity.org/controls/v8", frameworks_csv_cis },
	{ "nist-800-53r5", "NIST SP 800-53 Rev. 5",
	  "https://csrc.nist.gov/pubs/sp/800/53/r5/upd1/final",
	  frameworks_csv_nist },
	{ "iso27001-2022", "ISO/IEC 27001:2022 Annex A",
	  "https://www.iso.org/standard/27001", frameworks_csv_iso },
	{ "essential-eight", "ASD Essential Eight (ISM controls)",
	  "https://www.cyber.gov.au/resources-business-and-government/"
	  "essential-cyber-security/essential-eight", frameworks_csv_e8 },
	{ "cyber-essentials", "UK Cyber Essentials",
	  "https://www.ncsc.gov.uk/cyberessentials/overview",
	  frameworks_csv_ce },
};
#define NFRAMEWORKS (sizeof(frameworks) / sizeof(frameworks[0]))

static const struct framework *
find(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < NFRAMEWORKS; i++)
		if (strcmp(frameworks[i].name, name) == 0)
			return &frameworks[i];
	return NULL;
}

const char *
frameworks_names(void)
{
	static char names[256];
	size_t i, off = 0;

	if (names[0] != '\0')
		return names;
	for (i = 0; i < NFRAMEWORKS; i++) {
		int n = snprintf(names + off, sizeof(names) - off, "%s%s",
				 i ? ", " : "", frameworks[i].name);

		if (n < 0 || (size_t)n >= sizeof(names) - off)
			break;
		off += (size_t)n;
	}
	return names;
}

const char *
frameworks_title(const char *name)
{
	const struct framework *fw = find(name);

	return fw ? fw->title : NULL;
}

const char *
frameworks_uri(const char *name)
{
	const struct framework *fw = find(name);

	return fw ? fw->uri : NULL;
}

/*
 * Reads one RFC 4180 field at *p (quoted or not) into a new string and
 * advances past it; *end is set to the character that ended it (',', '\n'
 * or NUL).  CR before LF is dropped.
 */
static char *
csv_field(const char **p, char *end)
{
	struct dynbuf b;
	const char *s = *p;

	dynbuf_init(&b, PLUMB_TEXT_MAX);
	if (*s == '"') {
		s++;
		while (*s != '\0') {
			if (*s == '"' && s[1] == '"') {
				dynbuf_add(&b, "\"", 1);
				s += 2;
			} else if (*s == '"') {
				s++;
				break;
			} else {
				dynbuf_add(&b, s++, 1);
			}
		}
	}
	while (*s != '\0' && *s != ',' && *s != '\n') {
		if (!(*s == '\r' && s[1] == '\n'))
			dynbuf_add(&b, s, 1);
		s++;
	}
	*end = *s;
	*p = *s ? s + 1 : s;
	if (b.data == NULL)
		dynbuf_addstr(&b, "");
	return dynbuf_take(&b, NULL);
}

int
frameworks_list(const char *name, json_t **ids, struct errbuf *e)
{
	const struct framework *fw = find(name);
	const char *p;
	json_t *a;
	int line = 0;

	*ids = NULL;
	if (fw == NULL)
		return err_set(e, PLUMB_ENOENT,
			       "unknown framework '%s' (one of %s)",
			       name ? name : "", frameworks_names());
	a = json_array();
	p = fw->csv;
	while (*p != '\0') {
		char end = '\0', *id, *label = NULL;

		id = csv_field(&p, &end);
		if (end == ',')
			label = csv_field(&p, &end);
		/* Further columns are for people reading the file. */
		while (end == ',')
			free(csv_field(&p, &end));
		if (line++ > 0 && id[0] != '\0')
			json_array_append_new(a, json_pack("{s:o, s:o}",
				"id", escape_json_string(id),
				"label", escape_json_string(label ? label : "")));
		free(id);
		free(label);
	}
	*ids = a;
	return PLUMB_OK;
}

/* True when result r has a ref (framework name, id) (id NULL: any id). */
static int
refers_to(const json_t *r, const char *name, const char *id)
{
	const json_t *ref;
	size_t i;

	json_array_foreach(json_object_get(r, "refs"), i, ref) {
		if (strcmp(report_str(ref, "framework"), name) == 0 &&
		    (id == NULL || strcmp(report_str(ref, "id"), id) == 0))
			return 1;
	}
	return 0;
}

/* The state of one framework id from the results that refer to it. */
static const char *
coverage_state(const json_t *results, const char *name, const char *id,
	       json_t *controls)
{
	int open = 0, waived = 0, passing = 0;
	const json_t *r;
	size_t i;

	json_array_foreach(results, i, r) {
		const char *st;

		if (!refers_to(r, name, id))
			continue;
		json_array_append_new(controls,
			escape_json_string(report_str(r, "id")));
		st = report_str(r, "status");
		if (report_status(st)->open)
			open = 1;
		else if (strcmp(st, "waived") == 0)
			waived = 1;
		else if (strcmp(st, "pass") == 0)
			passing = 1;
	}
	if (json_array_size(controls) == 0)
		return "not-covered";
	return open ? "failing" : waived ? "waived" : passing ? "passing" :
	       "not-assessed";
}

static void
count(json_t *counts, const char *key)
{
	json_object_set_new(counts, key, json_integer(
		json_integer_value(json_object_get(counts, key)) + 1));
}

static void
add_row(json_t *coverage, json_t *counts, const json_t *results,
	const char *name, const char *id, const char *label, int in_list)
{
	json_t *controls = json_array();
	const char *state = coverage_state(results, name, id, controls);

	json_array_append_new(coverage, json_pack("{s:o, s:o, s:b, s:s, s:o}",
		"id", escape_json_string(id), "label", escape_json_string(label),
		"in_list", in_list, "state", state, "controls", controls));
	count(counts, state);
	if (strcmp(state, "not-covered") != 0)
		count(counts, "covered");
	if (in_list)
		count(counts, "listed");
}

int
frameworks_view(const json_t *doc, const char *name, json_t **view,
		struct errbuf *e)
{
	const struct framework *fw = find(name);
	json_t *ids = NULL, *v, *kept, *coverage, *counts, *seen;
	const json_t *r, *ref, *item;
	size_t i, j;
	int rc;

	*view = NULL;
	if ((rc = frameworks_list(name, &ids, e)) != 0)
		return rc;
	v = json_deep_copy(doc);
	kept = json_array();
	json_array_foreach(json_object_get(doc, "results"), i, r) {
		if (refers_to(r, name, NULL))
			json_array_append_new(kept, json_deep_copy(r));
	}
	json_object_set_new(v, "results", kept);
	engine_summarize(v);

	coverage = json_array();
	counts = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}",
			   "listed", 0, "covered", 0, "failing", 0, "waived", 0,
			   "passing", 0, "not-assessed", 0, "not-covered", 0,
			   "unlisted", 0);
	seen = json_object();
	json_array_foreach(ids, i, item) {
		const char *id = report_str(item, "id");

		json_object_set_new(seen, id, json_true());
		add_row(coverage, counts, kept, name, id,
			report_str(item, "label"), 1);
	}
	/* Ids the baseline refers to that the shipped list lacks still
	 * count as covered, marked so, in order of first reference. */
	json_array_foreach(kept, i, r) {
		json_array_foreach(json_object_get(r, "refs"), j, ref) {
			const char *id = report_str(ref, "id");

			if (strcmp(report_str(ref, "framework"), name) != 0 ||
			    json_object_get(seen, id) != NULL)
				continue;
			json_object_set_new(seen, id, json_true());
			add_row(coverage, counts, kept, name, id, "", 0);
			count(counts, "unlisted");
		}
	}
	json_decref(seen);
	json_decref(ids);
	json_object_set_new(v, "framework", json_pack(
		"{s:s, s:s, s:s, s:s, s:o, s:o}", "id", fw->name, "title",
		fw->title, "uri", fw->uri, "scope",
		"the framework ids plumb's check families relate to, "
		"not the whole framework", "coverage", coverage,
		"counts", counts));
	*view = v;
	return PLUMB_OK;
}

static void
put(FILE *f, const char *s, int width)
{
	char *clean = escape_text(s, strlen(s), ESCAPE_TERM);

	if (width > 0)
		fprintf(f, "%-*s", width, clean);
	else
		fputs(clean, f);
	free(clean);
}

int
frameworks_write_text(const json_t *view, FILE *f, struct errbuf *e)
{
	const json_t *fw = json_object_get(view, "framework");
	const json_t *counts = json_object_get(fw, "counts"), *row, *c;
	size_t i, j;

#define N(k) ((long long)json_integer_value(json_object_get(counts, k)))
	fputs("\nFramework ", f);
	put(f, report_str(fw, "id"), 0);
	fputs(" (", f);
	put(f, report_str(fw, "title"), 0);
	fprintf(f, "): %lld of %lld listed ids covered: %lld failing, "
		"%lld waived, %lld passing, %lld not assessed; "
		"%lld not covered",
		N("covered") - N("unlisted"), N("listed"), N("failing"),
		N("waived"), N("passing"), N("not-assessed"), N("not-covered"));
	if (N("unlisted") > 0)
		fprintf(f, "; %lld referenced ids are not in plumb's list",
			N("unlisted"));
#undef N
	fputs("\n(the list holds ", f);
	put(f, report_str(fw, "scope"), 0);
	fputs(")\n\n", f);
	fprintf(f, "  %-12s %-13s %-40s %s\n", "ID", "STATE", "LABEL",
		"CONTROLS");
	json_array_foreach(json_object_get(fw, "coverage"), i, row) {
		fputs("  ", f);
		put(f, report_str(row, "id"), 12);
		fputc(' ', f);
		put(f, report_str(row, "state"), 13);
		fputc(' ', f);
		put(f, json_is_true(json_object_get(row, "in_list")) ?
		       report_str(row, "label") : "(not in plumb's list)", 40);
		fputc(' ', f);
		json_array_foreach(json_object_get(row, "controls"), j, c) {
			if (j > 0)
				fputs(", ", f);
			put(f, json_string_value(c), 0);
		}
		fputc('\n', f);
	}
	if (ferror(f))
		return err_set(e, PLUMB_EIO, "writing the coverage table: %s",
			       strerror(errno));
	return PLUMB_OK;
}

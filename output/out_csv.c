/*
 * out_csv.c - one row per control, RFC 4180: CRLF line ends, every field
 * quoted (so commas, quotes and line breaks in evidence survive), quotes
 * doubled, a header row.  CSV is not JSON or XML, so this writer quotes by
 * itself; the text of every field is sanitised to valid UTF-8 first.
 *
 * Spreadsheets run a cell that starts with = + - @ as a formula, and a
 * hostile host chooses its own evidence, so such a host-derived field gets
 * a leading apostrophe (the OWASP "CSV injection" advice): the cell shows
 * the text, and a program reading the file sees one extra character.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "output.h"
#include "report.h"

static void
field(FILE *f, const char *s, size_t n, int first)
{
	char *clean = escape_text(s, n, ESCAPE_JSON);
	const char *p;

	if (!first)
		fputc(',', f);
	fputc('"', f);
	if (strchr("=+-@\t\r", clean[0]) != NULL && clean[0] != '\0')
		fputc('\'', f);
	for (p = clean; *p != '\0'; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	fputc('"', f);
	free(clean);
}

static void
jfield(FILE *f, const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (json_is_string(v))
		field(f, json_string_value(v), json_string_length(v), 0);
	else
		field(f, "", 0, 0);
}

/* "cis-controls-v8:6.5 nist-800-53r5:IA-2(1)" */
static char *
refs_text(const json_t *r)
{
	struct dynbuf b;
	const json_t *ref;
	size_t i;

	dynbuf_init(&b, PLUMB_SCAN_DOC_MAX);
	json_array_foreach(json_object_get(r, "refs"), i, ref)
		dynbuf_printf(&b, "%s%s:%s", i ? " " : "",
			      report_str(ref, "framework"), report_str(ref, "id"));
	dynbuf_addstr(&b, "");
	return dynbuf_take(&b, NULL);
}

int
out_csv_write(const json_t *doc, FILE *f, const struct output_opts *o,
	      struct errbuf *e)
{
	static const char *const header[] = { "scan_id", "hostname",
		"control_id", "title", "family", "severity", "owner", "status",
		"raw_status", "message", "refs", "evidence" };
	const json_t *scan = json_object_get(doc, "scan");
	const json_t *host = json_object_get(scan, "host");
	const json_t *r;
	size_t i;

	(void)o;
	for (i = 0; i < sizeof(header) / sizeof(header[0]); i++)
		fprintf(f, "%s\"%s\"", i ? "," : "", header[i]);
	fputs("\r\n", f);
	json_array_foreach(json_object_get(doc, "results"), i, r) {
		const char *raw = report_str(r, "raw_status");
		char *refs = refs_text(r);
		char *ev = escape_json_dump(json_object_get(r, "evidence"),
				      JSON_COMPACT | JSON_SORT_KEYS);

		field(f, report_str(scan, "id"), strlen(report_str(scan, "id")), 1);
		jfield(f, host, "hostname");
		jfield(f, r, "id");
		jfield(f, r, "title");
		jfield(f, r, "family");
		jfield(f, r, "severity");
		jfield(f, r, "owner");
		jfield(f, r, "status");
		if (raw[0] == '\0')
			raw = report_str(r, "status");
		field(f, raw, strlen(raw), 0);
		jfield(f, r, "message");
		field(f, refs, strlen(refs), 0);
		field(f, ev, strlen(ev), 0);
		fputs("\r\n", f);
		free(refs);
		free(ev);
	}
	if (fflush(f) != 0 || ferror(f))
		return err_set(e, PLUMB_EIO, "writing CSV: %s", strerror(errno));
	return PLUMB_OK;
}

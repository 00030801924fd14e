/*
 * out_text.c - the readable terminal report: what failed first, who owns
 * it, and a summary by status and by owner.  Colour only when asked (the
 * command layer asks on a TTY).  Every host-derived string goes through
 * text_put, which neutralises control characters and invalid UTF-8 so a
 * hostile host cannot drive the terminal.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "probe.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_DIM "\033[2m"

/* Writes s with control bytes and invalid UTF-8 shown as \xNN. */
static void
text_put(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	while (*p) {
		size_t len = 1;

		if (*p >= 0x80) {
			len = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
			      (*p & 0xf8) == 0xf0 ? 4 : 0;
			if (len == 0 || strnlen((const char *)p, len) < len ||
			    !utf8_valid((const char *)p, len))
				len = 0;
		}
		if (len == 0 || *p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\x%02x", *p);
			p++;
			continue;
		}
		fwrite(p, 1, len, f);
		p += len;
	}
}

static const char *
status_color(const char *st)
{
	if (strcmp(st, "pass") == 0 || strcmp(st, "waived") == 0)
		return C_GREEN;
	if (strcmp(st, "fail") == 0)
		return C_RED;
	if (strcmp(st, "error") == 0 || strcmp(st, "unknown") == 0)
		return C_YELLOW;
	return C_DIM;
}

/* Short labels that keep the columns aligned. */
static const char *
status_label(const char *st)
{
	static const char *const map[][2] = {
		{ "pass", "PASS" }, { "fail", "FAIL" }, { "error", "ERROR" },
		{ "unknown", "UNKNOWN" }, { "notapplicable", "N/A" },
		{ "notchecked", "SKIPPED" }, { "informational", "INFO" },
		{ "waived", "WAIVED" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], st) == 0)
			return map[i][1];
	return "?";
}

/* Order of sections: what needs action first. */
static int
status_section(const char *st)
{
	static const char *const order[] = { "fail", "error", "unknown",
		"notchecked", "waived", "pass", "informational",
		"notapplicable" };
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (strcmp(order[i], st) == 0)
			return (int)i;
	return 0;
}

static const char *
str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

static void
write_result(FILE *f, const json_t *r, const struct output_opts *o)
{
	const char *st = str(r, "status");

	fprintf(f, "%s%-7s%s %-8s ", o->color ? status_color(st) : "",
		status_label(st), o->color ? C_RESET : "", str(r, "severity"));
	text_put(f, str(r, "id"));
	fputs("  ", f);
	text_put(f, str(r, "title"));
	fputs(" [", f);
	text_put(f, str(r, "owner"));
	fputs("]\n", f);
	if (strcmp(st, "pass") != 0 && strcmp(st, "notapplicable") != 0) {
		fputs("                 ", f);
		text_put(f, str(r, "message"));
		fputc('\n', f);
	}
	if (o->verbose) {
		char *ev = json_dumps(json_object_get(r, "evidence"),
				      JSON_COMPACT | JSON_PRESERVE_ORDER);

		fputs("                 evidence: ", f);
		text_put(f, ev);
		fputc('\n', f);
		free(ev);
	}
}

static void
write_counts(FILE *f, const json_t *counts)
{
	const char *k;
	const json_t *v;
	int first = 1;

	json_object_foreach((json_t *)counts, k, v) {
		if (json_integer_value(v) == 0)
			continue;
		fprintf(f, "%s%lld %s", first ? "" : ", ",
			(long long)json_integer_value(v), k);
		first = 0;
	}
	if (first)
		fputs("none", f);
}

int
out_text_write(const json_t *doc, FILE *f, const struct output_opts *o,
	       struct errbuf *e)
{
	const json_t *scan = json_object_get(doc, "scan");
	const json_t *host = json_object_get(scan, "host");
	const json_t *bl = json_object_get(scan, "baseline");
	const json_t *results = json_object_get(doc, "results");
	const json_t *summary = json_object_get(doc, "summary");
	const json_t *r;
	const char *k;
	const json_t *v;
	int section;
	size_t i;

	fprintf(f, "%splumb %s%s scan ", o->color ? C_BOLD : "",
		str(scan, "plumb_version"), o->color ? C_RESET : "");
	text_put(f, str(scan, "id"));
	fputs(" of ", f);
	text_put(f, str(host, "hostname"));
	fputs(" (", f);
	text_put(f, str(json_object_get(host, "os"), "pretty"));
	fputs(")\n", f);
	fputs("baseline ", f);
	text_put(f, str(bl, "id"));
	fputc(' ', f);
	text_put(f, str(bl, "version"));
	fprintf(f, " (sha256 %.12s), root ", str(bl, "sha256"));
	text_put(f, str(scan, "root"));
	fprintf(f, ", %s\n\n", str(scan, "started"));

	/* One pass per section keeps the baseline's order within each. */
	for (section = 0; section < 8; section++) {
		json_array_foreach(results, i, r) {
			if (status_section(str(r, "status")) == section)
				write_result(f, r, o);
		}
	}

	fprintf(f, "\n%sSummary:%s %lld controls: ", o->color ? C_BOLD : "",
		o->color ? C_RESET : "",
		(long long)json_integer_value(json_object_get(summary, "total")));
	write_counts(f, json_object_get(summary, "statuses"));
	fputc('\n', f);
	json_object_foreach((json_t *)json_object_get(summary, "by_owner"), k, v) {
		fputs("  owner ", f);
		text_put(f, k);
		fputs(": ", f);
		write_counts(f, v);
		fputc('\n', f);
	}
	if (ferror(f))
		return err_set(e, PLUMB_EIO, "writing report: %s", strerror(errno));
	return PLUMB_OK;
}

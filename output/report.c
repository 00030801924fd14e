/*
 * report.c - helpers every report writer shares (report.h), and the one
 * status vocabulary: plumb's statuses as XCCDF, OSCAL, SARIF and JUnit name
 * them, after the formats reference, section 1(e).
 *
 * Waived is the one status the formats do not have.  A waiver is an
 * approved exception to a failing control, so:
 *  - XCCDF: result `pass` with an <override> old=raw status, new=pass and
 *    the waiver as remark, which is what override exists for;
 *  - OSCAL: the objective stays `not-satisfied` (reason `other`) and a risk
 *    with status `deviation-approved` records the exception;
 *  - SARIF: kind `fail` with an accepted external suppression;
 *  - JUnit: skipped, with the raw status in the message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "report.h"
#include "util.h"

static const struct report_status statuses[] = {
	{ "pass", "pass", "satisfied", "pass", "pass", "", 1, 1, 0 },
	{ "fail", "fail", "not-satisfied", "fail", "fail", "failure", 1, 0, 1 },
	{ "error", "error", "not-satisfied", "other", "open", "error", 1, 0, 1 },
	{ "unknown", "unknown", "not-satisfied", "other", "open", "error", 1, 0, 1 },
	{ "notapplicable", "notapplicable", NULL, NULL, "notApplicable",
	  "skipped", 0, 0, 0 },
	{ "notchecked", "notchecked", NULL, NULL, "review", "skipped", 0, 0, 0 },
	{ "informational", "informational", NULL, NULL, "informational", "",
	  0, 0, 0 },
	{ "waived", "pass", "not-satisfied", "other", "fail", "skipped", 1, 1, 0 },
};

const struct report_status *
report_status(const char *status)
{
	size_t i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (status != NULL && strcmp(statuses[i].status, status) == 0)
			return &statuses[i];
	return &statuses[3];
}

const char *
report_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

const json_t *
report_get(const json_t *obj, ...)
{
	const char *key;
	va_list ap;

	va_start(ap, obj);
	while (obj != NULL && (key = va_arg(ap, const char *)) != NULL)
		obj = json_object_get(obj, key);
	va_end(ap);
	return obj;
}

int
report_status_rank(const char *status)
{
	static const char *const order[] = { "fail", "error", "unknown",
		"notchecked", "waived", "pass", "informational",
		"notapplicable" };
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (strcmp(order[i], status) == 0)
			return (int)i;
	return 2;
}

int
report_severity_rank(const char *severity)
{
	static const char *const order[] = { "info", "low", "medium", "high",
		"critical" };
	int i;

	for (i = 0; i < 5; i++)
		if (strcmp(order[i], severity) == 0)
			return i;
	return 0;
}

const char *
report_xccdf_severity(const char *severity)
{
	switch (report_severity_rank(severity)) {
	case 4:
	case 3:
		return "high";
	case 2:
		return "medium";
	case 1:
		return "low";
	default:
		return strcmp(severity, "info") == 0 ? "info" : "unknown";
	}
}

static const json_t *order_results;

static int
order_cmp(const void *a, const void *b)
{
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	const json_t *ra = json_array_get(order_results, ia);
	const json_t *rb = json_array_get(order_results, ib);
	int d;

	d = report_status_rank(report_str(ra, "status")) -
	    report_status_rank(report_str(rb, "status"));
	if (d != 0)
		return d;
	d = report_severity_rank(report_str(rb, "severity")) -
	    report_severity_rank(report_str(ra, "severity"));
	if (d != 0)
		return d;
	return ia < ib ? -1 : ia > ib;
}

size_t *
report_order(const json_t *doc, size_t *n)
{
	const json_t *results = json_object_get(doc, "results");
	size_t i, *idx;

	*n = json_array_size(results);
	idx = xcalloc(*n ? *n : 1, sizeof(*idx));
	for (i = 0; i < *n; i++)
		idx[i] = i;
	/* qsort has no context argument in C11; the writers are
	 * single-threaded, so a file-scope pointer is enough. */
	order_results = results;
	qsort(idx, *n, sizeof(*idx), order_cmp);
	order_results = NULL;
	return idx;
}

double
report_pass_rate(const json_t *counts)
{
	const char *k;
	const json_t *v;
	json_int_t scored = 0, passing = 0;

	json_object_foreach((json_t *)counts, k, v) {
		const struct report_status *st = report_status(k);

		if (!json_is_integer(v) || strcmp(st->status, k) != 0)
			continue;
		if (st->scored)
			scored += json_integer_value(v);
		if (st->passing)
			passing += json_integer_value(v);
	}
	if (scored <= 0)
		return -1;
	return 100.0 * (double)passing / (double)scored;
}

void
report_uuid5(const char *name, char out[37])
{
	/* plumb's namespace UUID, chosen once at random and never changed. */
	static const unsigned char ns[16] = {
		0x6b, 0x2e, 0x41, 0x0c, 0x9d, 0x53, 0x4f, 0x7a,
		0xb1, 0x28, 0x5e, 0x90, 0x3c, 0xd7, 0x14, 0xa6,
	};
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, ns, sizeof(ns)) != 1 ||
	    EVP_DigestUpdate(ctx, name, strlen(name)) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen < 16)
		abort();
	EVP_MD_CTX_free(ctx);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8],
		 md[9], md[10], md[11], md[12], md[13], md[14], md[15]);
}

char *
report_ncname_tail(const char *id)
{
	size_t i, n = strlen(id);
	char *out = xmalloc(n + 2);

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)id[i];

		out[i] = (char)(((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				 (c >= '0' && c <= '9') || c == '.' || c == '-' ||
				 c == '_') ? c : '_');
	}
	if (n == 0)
		out[n++] = '_';
	out[n] = '\0';
	return out;
}

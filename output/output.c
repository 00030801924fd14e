/*
 * output.c - the list of report writers.  output_names() is derived from
 * this table, so a writer added here appears in every --help and message.
 */
#include <string.h>

#include "output.h"

static const struct output_writer writers[] = {
	{ "text", "readable summary for a terminal", out_text_write },
	{ "json", "plumb.scan/1 document", out_json_write },
	{ "csv", "one row per control (RFC 4180)", out_csv_write },
	{ "junit", "JUnit XML, one testcase per control", out_junit_write },
	{ "sarif", "SARIF 2.1.0 log", out_sarif_write },
	{ "html", "self-contained HTML report with trend charts", out_html_write },
	{ "xccdf", "XCCDF 1.2 Benchmark with its TestResult", out_xccdf_write },
	{ "arf", "SCAP ARF 1.1 result data stream", out_arf_write },
	{ "oscal", "OSCAL assessment results (JSON)", out_oscal_write },
};
#define NWRITERS (sizeof(writers) / sizeof(writers[0]))

const struct output_writer *
output_find(const char *name)
{
	size_t i;

	for (i = 0; i < NWRITERS; i++)
		if (strcmp(writers[i].name, name) == 0)
			return &writers[i];
	return NULL;
}

const char *
output_names(void)
{
	/* Every name and ", " fits: the table is static and short. */
	static char names[32 * NWRITERS];
	size_t i, off = 0;

	if (names[0] != '\0')
		return names;
	for (i = 0; i < NWRITERS; i++) {
		size_t n = strlen(writers[i].name);

		if (off + n + 3 > sizeof(names))
			break;
		if (i > 0) {
			memcpy(names + off, ", ", 2);
			off += 2;
		}
		memcpy(names + off, writers[i].name, n);
		off += n;
	}
	names[off] = '\0';
	return names;
}

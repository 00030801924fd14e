/*
 * out_json.c - the plumb.scan/1 JSON document (schema in
 * output/plumb.scan.schema.json), written by jansson with sorted keys, so
 * a scan prints the same bytes when it is scanned and when it is re-rendered
 * from the history (which keeps the canonical, sorted form).
 */
#include <errno.h>
#include <string.h>

#include "output.h"

int
out_json_write(const json_t *doc, FILE *f, const struct output_opts *o,
	       struct errbuf *e)
{
	(void)o;
	if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_SORT_KEYS) != 0 ||
	    fputc('\n', f) == EOF)
		return err_set(e, PLUMB_EIO, "writing JSON: %s", strerror(errno));
	return PLUMB_OK;
}

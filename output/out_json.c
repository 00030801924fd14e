/*
 * out_json.c - the plumb.scan/1 JSON document (schema in
 * output/plumb.scan.schema.json), written by jansson.
 */
#include <errno.h>
#include <string.h>

#include "output.h"

int
out_json_write(const json_t *doc, FILE *f, const struct output_opts *o,
	       struct errbuf *e)
{
	(void)o;
	if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
	    fputc('\n', f) == EOF)
		return err_set(e, PLUMB_EIO, "writing JSON: %s", strerror(errno));
	return PLUMB_OK;
}

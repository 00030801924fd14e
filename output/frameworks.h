/*
 * frameworks.h - control frameworks a baseline's <ref>s point into, and the
 * coverage view `--framework NAME` gives of a scan.
 *
 * Each framework ships as an identifier list, output/frameworks/<name>.csv
 * (columns id,label: the framework's ids with plumb's own short labels,
 * never the framework's text), compiled into the binary.  A list holds the
 * ids in plumb's scope (what an endpoint check can speak to, after the
 * formats reference section 2), not the whole framework, and the coverage
 * table says so.
 */
#ifndef PLUMB_FRAMEWORKS_H
#define PLUMB_FRAMEWORKS_H

#include <stdio.h>

#include <jansson.h>

#include "util.h"

/* "cis-controls-v8, nist-800-53r5, ..." for messages (static). */
const char *frameworks_names(void);

/* The display title and a URI for a framework id, or NULL when plumb does
 * not ship it (static strings). */
const char *frameworks_title(const char *name);
const char *frameworks_uri(const char *name);

/*
 * The shipped identifier list of a framework as a JSON array of
 * {"id","label"} in file order (new reference), or PLUMB_ENOENT naming the
 * frameworks plumb knows.
 */
int frameworks_list(const char *name, json_t **ids, struct errbuf *e);

/*
 * The view of doc (a plumb.scan/1 document, unchanged) for one framework:
 * a copy holding only the results with a ref into that framework, with the
 * summary recomputed and a "framework" member:
 *   {"id","title","uri","scope","coverage":[{"id","label","in_list",
 *    "state","controls":[control ids]}],"counts":{...}}
 * state is one of failing, waived, passing, not-assessed, not-covered;
 * ids the results refer to that the list lacks come last with in_list
 * false.  *view is a new reference.
 */
int frameworks_view(const json_t *doc, const char *name, json_t **view,
		    struct errbuf *e);

/* Writes the coverage table of a view (made by frameworks_view) for a
 * terminal; 0 or PLUMB_EIO. */
int frameworks_write_text(const json_t *view, FILE *f, struct errbuf *e);

#endif

/*
 * xmlsafe.h - loading plumb's own XML inputs (baselines, owners files)
 * safely: size-capped, UTF-8 checked, no DTD, no entity expansion, no
 * network, validated against an XSD compiled into the binary, every problem
 * reported as "file:line: message".
 */
#ifndef PLUMB_XMLSAFE_H
#define PLUMB_XMLSAFE_H

#include <stddef.h>

#include <libxml/tree.h>

#include "baseline.h"
#include "util.h"

/*
 * Reads path (at most PLUMB_XML_MAX bytes) and parses it.  A document with a
 * DOCTYPE is refused before any declaration in it is read, so neither an
 * external entity nor an entity bomb can take effect.  When xsd is not NULL
 * the document is validated against it.  Every problem is added to d; on any
 * problem the return is negative, e holds the first one and nothing is
 * handed over.  On success *doc (free with xmlFreeDoc) and *source (the
 * file's bytes, NUL-terminated; free()) are the caller's.
 */
int xmlsafe_load(const char *path, const char *xsd, size_t xsd_len,
		 xmlDoc **doc, char **source, size_t *source_len,
		 struct diags *d, struct errbuf *e);

/* The text content of node (trimmed of surrounding whitespace), or NULL;
 * the caller frees. */
char *xmlsafe_text(const xmlNode *node);
/* The value of attribute name of node, or NULL; the caller frees. */
char *xmlsafe_attr(const xmlNode *node, const char *name);
/* True when node is an element named name in namespace ns. */
int xmlsafe_is(const xmlNode *node, const char *ns, const char *name);

#endif

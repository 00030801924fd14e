/*
 * xmlsafe.c - safe loading of plumb's XML inputs (see xmlsafe.h).
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "xmlsafe.h"

struct collect {
	const char *path;
	struct diags *d;
	struct errbuf *e;
	int count;
	int doctype;
};

static void
note(struct collect *c, int line, const char *msg)
{
	char clean[PLUMB_ERRMSG_MAX];
	size_t n;

	snprintf(clean, sizeof(clean), "%s", msg ? msg : "malformed XML");
	n = strlen(clean);
	while (n > 0 && (clean[n - 1] == '\n' || clean[n - 1] == ' '))
		clean[--n] = '\0';
	if (c->count++ == 0)
		err_set(c->e, PLUMB_EINVAL, "%s:%d: %s", c->path, line, clean);
	diags_add(c->d, c->path, line, "%s", clean);
}

static void
on_error(void *arg, xmlErrorPtr err)
{
	struct collect *c = arg;

	/* After a refused DOCTYPE the parser only reports the stop itself. */
	if (c->doctype && err->domain == XML_FROM_PARSER)
		return;
	note(c, err->line, err->message);
}

/* Called when the parser meets <!DOCTYPE, before it reads a declaration. */
static void
refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *ext,
	       const xmlChar *sys)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct collect *c = ctxt->_private;

	(void)name;
	(void)ext;
	(void)sys;
	note(c, xmlSAX2GetLineNumber(ctx),
	     "a DOCTYPE is not allowed (plumb reads no DTD and expands no entity)");
	c->doctype = 1;
	xmlStopParser(ctxt);
}

static int
validate(const xmlDoc *doc, const char *xsd, size_t xsd_len, struct collect *c)
{
	xmlSchemaParserCtxtPtr pctx;
	xmlSchemaValidCtxtPtr vctx = NULL;
	xmlSchemaPtr schema = NULL;
	int r = PLUMB_OK;

	pctx = xmlSchemaNewMemParserCtxt(xsd, (int)xsd_len);
	if (pctx == NULL)
		abort();
	schema = xmlSchemaParse(pctx);
	xmlSchemaFreeParserCtxt(pctx);
	if (schema == NULL) {
		note(c, 0, "internal error: the embedded schema does not compile");
		return PLUMB_EINVAL;
	}
	vctx = xmlSchemaNewValidCtxt(schema);
	if (vctx == NULL)
		abort();
	xmlSchemaSetValidStructuredErrors(vctx, on_error, c);
	if (xmlSchemaValidateDoc(vctx, (xmlDoc *)doc) != 0)
		r = PLUMB_EINVAL;
	xmlSchemaFreeValidCtxt(vctx);
	xmlSchemaFree(schema);
	return r;
}

int
xmlsafe_load(const char *path, const char *xsd, size_t xsd_len, xmlDoc **doc,
	     char **source, size_t *source_len, struct diags *d,
	     struct errbuf *e)
{
	struct collect c = { path, d, e, 0, 0 };
	xmlParserCtxtPtr ctxt = NULL;
	xmlDoc *x = NULL;
	char *buf = NULL;
	size_t len = 0, i, line = 1;
	int r;

	*doc = NULL;
	*source = NULL;
	*source_len = 0;
	if ((r = read_local_file(path, PLUMB_XML_MAX, &buf, &len, e)) != 0) {
		if (r == PLUMB_ELIMIT)
			err_set(e, r, "%s: larger than the %u-byte limit for XML "
				"inputs", path, PLUMB_XML_MAX);
		diags_add(d, path, 0, "%s", e->msg);
		return r;
	}
	if (len == 0) {
		note(&c, 1, "the file is empty");
		r = PLUMB_EINVAL;
		goto out;
	}
	for (i = 0; i < len; i++) {
		if (buf[i] == '\0') {
			note(&c, (int)line, "NUL byte in XML text");
			r = PLUMB_EINVAL;
			goto out;
		}
		if (buf[i] == '\n')
			line++;
	}
	if (!utf8_valid(buf, len)) {
		/* Name the first bad line. */
		size_t start = 0;

		line = 1;
		for (i = 0; i <= len; i++) {
			if (i == len || buf[i] == '\n') {
				if (!utf8_valid(buf + start, i - start))
					break;
				start = i + 1;
				line++;
			}
		}
		note(&c, (int)line, "invalid UTF-8");
		r = PLUMB_EINVAL;
		goto out;
	}

	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL)
		abort();
	ctxt->_private = &c;
	ctxt->sax->internalSubset = refuse_doctype;
	xmlSetStructuredErrorFunc(&c, on_error);
	/* No XML_PARSE_NOENT, DTDLOAD, DTDATTR or HUGE: entities are never
	 * substituted, nothing external is loaded, libxml2's size limits hold. */
	x = xmlCtxtReadMemory(ctxt, buf, (int)len, path, "UTF-8",
			      XML_PARSE_NONET | XML_PARSE_NOCDATA);
	if (x == NULL || !ctxt->wellFormed || c.count > 0) {
		if (c.count == 0)
			note(&c, 0, "malformed XML");
		r = PLUMB_EINVAL;
		goto out;
	}
	if (xsd != NULL && validate(x, xsd, xsd_len, &c) != 0) {
		r = PLUMB_EINVAL;
		goto out;
	}
	*doc = x;
	x = NULL;
	*source = buf;
	*source_len = len;
	buf = NULL;
	r = PLUMB_OK;
out:
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (ctxt != NULL)
		xmlFreeParserCtxt(ctxt);
	xmlFreeDoc(x);
	free(buf);
	return r;
}

char *
xmlsafe_text(const xmlNode *node)
{
	xmlChar *t = xmlNodeGetContent(node);
	const char *s, *end;
	char *r;

	if (t == NULL)
		return NULL;
	s = (const char *)t;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\n' || end[-1] == '\r'))
		end--;
	r = xstrndup(s, (size_t)(end - s));
	xmlFree(t);
	return r;
}

char *
xmlsafe_attr(const xmlNode *node, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)name);
	char *r;

	if (v == NULL)
		return NULL;
	r = xstrdup((const char *)v);
	xmlFree(v);
	return r;
}

int
xmlsafe_is(const xmlNode *node, const char *ns, const char *name)
{
	return node->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)node->name, name) == 0 &&
	       node->ns != NULL && node->ns->href != NULL &&
	       strcmp((const char *)node->ns->href, ns) == 0;
}

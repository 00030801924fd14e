/*
 * xmlsafe.c - safe loading of plumb's XML inputs (see xmlsafe.h).
 *
 * An input may come from anywhere, so loading is defensive in layers.  The
 * file is size-capped and must be UTF-8 without NUL before libxml2 sees it.
 * The parser runs without network, entity substitution or DTD loading, and
 * any DOCTYPE stops it on the spot, before a single entity could be
 * declared, let alone expanded or fetched.  The tree is then validated
 * against a schema compiled into the binary (embed.h); the caller makes the
 * checks a schema cannot express.  Messages never quote the file beyond a
 * short, cleaned value (diags.h), so a refused file reveals nothing else.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/entities.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "plumb_limits.h"
#include "xmlsafe.h"

/*
 * Parser options: no network, big line numbers.  Never NOENT, DTDLOAD,
 * DTDATTR, DTDVALID, XINCLUDE or HUGE: each would let the document reach
 * beyond its own bytes or past libxml2's own limits.  The encoding is forced
 * to UTF-8 (already checked) whatever the declaration says.
 */
#define XMLSAFE_OPTIONS (XML_PARSE_NONET | XML_PARSE_BIG_LINES | \
			 XML_PARSE_IGNORE_ENC)

/* ---- problems ----------------------------------------------------------- */

static void problem_v(struct xmlsafe *x, int code, int line, const char *fmt,
		      va_list ap) __attribute__((format(printf, 4, 0)));

static void
problem_v(struct xmlsafe *x, int code, int line, const char *fmt, va_list ap)
{
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	if (x->nproblems == 0) {
		char *full = line > 0 ?
			xasprintf("%s:%d: %s", x->path, line, msg) :
			xasprintf("%s: %s", x->path, msg);
		char *clean = diags_clean(full);

		err_set(x->e, code, "%s", clean);
		x->code = code;
		free(clean);
		free(full);
	}
	x->nproblems++;
	if (diags_addl(x->d, x->path, line, msg)) {
		x->lines = xreallocarray(x->lines, x->nlines + 1,
					 sizeof(*x->lines));
		x->lines[x->nlines++] = line;
	}
	free(msg);
}

void
xmlsafe_problem(struct xmlsafe *x, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	problem_v(x, PLUMB_EINVAL, line, fmt, ap);
	va_end(ap);
}

void
xmlsafe_problem_code(struct xmlsafe *x, int code, int line, const char *fmt,
		     ...)
{
	va_list ap;

	va_start(ap, fmt);
	problem_v(x, code, line, fmt, ap);
	va_end(ap);
}

int
xmlsafe_flagged(const struct xmlsafe *x, int line)
{
	size_t i;

	for (i = 0; i < x->nflagged; i++)
		if (x->flagged[i] == line)
			return 1;
	return 0;
}

/* Puts this load's problems in line order; stable, so problems on one
 * line keep the order they were found in.  A cut list is left as it is,
 * so its last line still says so.  Returns 1 when the list was sorted. */
static int
sort_problems(struct xmlsafe *x)
{
	struct diags *d = x->d;
	size_t i, j;

	if (d == NULL || x->nlines != d->n - x->first)
		return 0;
	for (i = 1; i < x->nlines; i++) {
		int line = x->lines[i];
		char *text = d->lines[x->first + i];

		for (j = i; j > 0 && x->lines[j - 1] > line; j--) {
			x->lines[j] = x->lines[j - 1];
			d->lines[x->first + j] = d->lines[x->first + j - 1];
		}
		x->lines[j] = line;
		d->lines[x->first + j] = text;
	}
	return 1;
}

/* libxml2 messages end in a newline; a few have "\n" inside. */
static char *
xml_message(const xmlError *err)
{
	const char *m = err->message != NULL ? err->message : "XML error";
	size_t n = strlen(m);

	while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	return xstrndup(m, n);
}

/* Errors of the parser, and (as the thread's catch-all while a load runs)
 * anything else libxml2 reports: all become problems, never stderr. */
static void
xml_error(struct xmlsafe *x, const xmlError *err)
{
	char *msg;

	if (x == NULL || x->dtd_refused)
		return;
	msg = xml_message(err);
	xmlsafe_problem(x, err->line, "%s", msg);
	free(msg);
}

static struct xmlsafe *
ctxt_load(void *ctx)
{
	xmlParserCtxtPtr ctxt = ctx;

	return ctxt != NULL ? ctxt->_private : NULL;
}

static void
parse_error(void *ctx, xmlErrorPtr err)
{
	xml_error(ctxt_load(ctx), err);
}

static void
global_error(void *ctx, xmlErrorPtr err)
{
	xml_error(ctx, err);
}

static void
generic_error(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

void
xmlsafe_begin(struct xmlsafe *x, const struct xmlsafe_kind *k,
	      const char *path, struct diags *d, struct errbuf *e)
{
	memset(x, 0, sizeof(*x));
	x->kind = k;
	x->path = path;
	x->d = d;
	x->e = e;
	x->code = PLUMB_EINVAL;
	x->first = d != NULL ? d->n : 0;
	xmlInitParser();
	x->old_serror = xmlStructuredError;
	x->old_sctx = xmlStructuredErrorContext;
	x->old_generic = xmlGenericError;
	x->old_gctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(x, global_error);
	xmlSetGenericErrorFunc(NULL, generic_error);
}

int
xmlsafe_end(struct xmlsafe *x)
{
	xmlSetStructuredErrorFunc(x->old_sctx, x->old_serror);
	xmlSetGenericErrorFunc(x->old_gctx, x->old_generic);
	/* e holds the first problem in line order, as the list shows it. */
	if (sort_problems(x) && x->nlines > 0)
		err_set(x->e, x->code, "%s", x->d->lines[x->first]);
	free(x->lines);
	free(x->flagged);
	x->lines = NULL;
	x->flagged = NULL;
	x->nlines = x->nflagged = 0;
	return x->nproblems > 0 ? x->code : 0;
}

/* ---- reading ------------------------------------------------------------ */

/* Offset of the first byte that is NUL or not valid UTF-8, or n. */
static size_t
utf8_first_bad(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t len;

		if (c == 0)
			return i;
		if (c < 0x80) {
			i++;
			continue;
		}
		len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
		      (c & 0xf8) == 0xf0 ? 4 : 0;
		if (len == 0 || n - i < len || !utf8_valid(s + i, len))
			return i;
		i += len;
	}
	return n;
}

static int
line_at(const char *s, size_t off)
{
	size_t i;
	int line = 1;

	for (i = 0; i < off; i++)
		if (s[i] == '\n' && line < INT_MAX)
			line++;
	return line;
}

static int
load_read(struct xmlsafe *x, char **src, size_t *len)
{
	struct errbuf re;
	struct stat st;
	size_t bad, i;
	int r;

	*src = NULL;
	*len = 0;
	if (stat(x->path, &st) != 0) {
		xmlsafe_problem_code(x, errno == ENOENT ? PLUMB_ENOENT : PLUMB_EIO,
				     0, "%s", strerror(errno));
		return x->code;
	}
	if (S_ISDIR(st.st_mode)) {
		xmlsafe_problem_code(x, PLUMB_EUSAGE, 0, "is a directory, not a "
				     "file");
		return x->code;
	}
	if (S_ISREG(st.st_mode) &&
	    (unsigned long long)st.st_size > PLUMB_XML_MAX) {
		xmlsafe_problem_code(x, PLUMB_ELIMIT, 0, "%lld bytes is larger "
				     "than the %u-byte limit for plumb's XML "
				     "inputs; refused without parsing",
				     (long long)st.st_size, PLUMB_XML_MAX);
		return x->code;
	}
	/* stat is only a hint (the file may grow, or be a pipe): the read
	 * itself is what is capped. */
	r = read_local_file(x->path, PLUMB_XML_MAX, src, len, &re);
	if (r == PLUMB_ELIMIT) {
		xmlsafe_problem_code(x, r, 0, "larger than the %u-byte limit for "
				     "plumb's XML inputs; refused without "
				     "parsing", PLUMB_XML_MAX);
		return r;
	}
	if (r != 0) {
		size_t pl = strlen(x->path);
		const char *m = re.msg;

		if (strncmp(m, x->path, pl) == 0 && strncmp(m + pl, ": ", 2) == 0)
			m += pl + 2;
		xmlsafe_problem_code(x, r, 0, "%s", m);
		return r;
	}
	bad = utf8_first_bad(*src, *len);
	if (bad < *len) {
		int line = line_at(*src, bad);

		if ((*src)[bad] == '\0')
			xmlsafe_problem(x, line, "NUL byte at offset %zu: plumb's "
					"XML inputs are UTF-8 text", bad);
		else
			xmlsafe_problem(x, line, "invalid UTF-8 (byte 0x%02x at "
					"offset %zu): plumb's XML inputs must "
					"be UTF-8", (unsigned char)(*src)[bad],
					bad);
		goto fail;
	}
	for (i = 0; i < *len; i++)
		if (strchr(" \t\r\n", (*src)[i]) == NULL)
			break;
	if (i == *len) {
		if (x->kind->root != NULL)
			xmlsafe_problem(x, 1, "the file is empty: expected an XML "
					"document with a <%s> element",
					x->kind->root);
		else
			xmlsafe_problem(x, 1, "the file is empty: expected an "
					"XML document");
		goto fail;
	}
	return 0;
fail:
	free(*src);
	*src = NULL;
	*len = 0;
	return x->code;
}

/* ---- parsing ------------------------------------------------------------ */

/*
 * Called by libxml2 as soon as it has read "<!DOCTYPE name [ids]", before
 * the internal subset: stopping here means no entity is ever declared, so
 * none can be expanded (billion laughs) or fetched (XXE).
 */
static void
refuse_dtd(void *ctx, const xmlChar *name, const xmlChar *external_id,
	   const xmlChar *system_id)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct xmlsafe *x = ctxt_load(ctx);

	(void)name;
	(void)external_id;
	(void)system_id;
	if (x != NULL && !x->dtd_refused) {
		xmlsafe_problem(x, ctxt->input != NULL ? ctxt->input->line : 0,
				"a DOCTYPE is not allowed: plumb reads no DTD "
				"and expands no entity");
		x->dtd_refused = 1;
	}
	xmlStopParser(ctxt);
}

/* Never reached once refuse_dtd stops the parser; set so that even then no
 * entity could be declared, resolved or loaded. */
static void
ignore_entity_decl(void *ctx, const xmlChar *name, int type,
		   const xmlChar *public_id, const xmlChar *system_id,
		   xmlChar *content)
{
	(void)ctx;
	(void)name;
	(void)type;
	(void)public_id;
	(void)system_id;
	(void)content;
}

static xmlEntityPtr
predefined_entity(void *ctx, const xmlChar *name)
{
	(void)ctx;
	return xmlGetPredefinedEntity(name);
}

static xmlParserInputPtr
no_external_entity(void *ctx, const xmlChar *public_id,
		   const xmlChar *system_id)
{
	(void)ctx;
	(void)public_id;
	(void)system_id;
	return NULL;
}

static void
ignore_external_subset(void *ctx, const xmlChar *name,
		       const xmlChar *external_id, const xmlChar *system_id)
{
	(void)ctx;
	(void)name;
	(void)external_id;
	(void)system_id;
}

/* Checks the root element is kind->root in kind->ns. */
static int
check_root(struct xmlsafe *x, xmlDocPtr doc)
{
	const struct xmlsafe_kind *k = x->kind;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	char *q;

	if (root == NULL) {
		xmlsafe_problem(x, 0, "the document has no root element");
		return x->code;
	}
	if (k->root == NULL)
		return 0;
	if (!xmlStrEqual(root->name, (const xmlChar *)k->root)) {
		q = xmlsafe_quote((const char *)root->name);
		xmlsafe_problem(x, xmlsafe_line(root), "the root element is <%s>; "
				"expected <%s xmlns=\"%s\">", q, k->root,
				k->ns != NULL ? k->ns : "");
		free(q);
		return x->code;
	}
	if (k->ns != NULL && !xmlsafe_is(root, k->ns, k->root)) {
		xmlsafe_problem(x, xmlsafe_line(root), "<%s> is not in namespace "
				"%s (add xmlns=\"%s\")", k->root, k->ns, k->ns);
		return x->code;
	}
	return 0;
}

static xmlDocPtr
load_parse(struct xmlsafe *x, const char *src, size_t len)
{
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;

	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL)
		abort();
	ctxt->_private = x;
	ctxt->sax->internalSubset = refuse_dtd;
	ctxt->sax->externalSubset = ignore_external_subset;
	ctxt->sax->entityDecl = ignore_entity_decl;
	ctxt->sax->getEntity = predefined_entity;
	ctxt->sax->getParameterEntity = predefined_entity;
	ctxt->sax->resolveEntity = no_external_entity;
	ctxt->sax->serror = parse_error;
	ctxt->sax->initialized = XML_SAX2_MAGIC;
	/* No base URL: nothing in the document is resolved against a path. */
	doc = xmlCtxtReadMemory(ctxt, src, (int)len, NULL, "UTF-8",
				XMLSAFE_OPTIONS);
	if (doc != NULL && (x->dtd_refused || !ctxt->wellFormed ||
			    x->nproblems > 0)) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	if (doc == NULL && x->nproblems == 0)
		xmlsafe_problem(x, 0, "not a well-formed XML document");
	xmlFreeParserCtxt(ctxt);
	if (doc != NULL && check_root(x, doc) != 0) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	return doc;
}

/* ---- schema validation -------------------------------------------------- */

static void
schema_parse_error(void *ctx, xmlErrorPtr err)
{
	struct xmlsafe *x = ctx;
	char *msg = xml_message(err);

	x->schema_broken = 1;
	xmlsafe_problem_code(x, PLUMB_EIO, 0, "plumb's built-in schema, line "
			     "%d: %s", err->line, msg);
	free(msg);
}

/* Removes every occurrence of "{ns}" from msg: the kind's namespace is the
 * only one its documents use, so naming it only adds noise. */
static void
strip_ns(char *msg, const char *ns)
{
	char *braced, *p;
	size_t n;

	if (ns == NULL)
		return;
	braced = xasprintf("{%s}", ns);
	n = strlen(braced);
	while ((p = strstr(msg, braced)) != NULL)
		memmove(p, p + n, strlen(p + n) + 1);
	free(braced);
}

static void
schema_valid_error(void *ctx, xmlErrorPtr err)
{
	struct xmlsafe *x = ctx;
	char *msg = xml_message(err);
	const char *const *dp;

	strip_ns(msg, x->kind->ns);
	for (dp = x->kind->defer; dp != NULL && *dp != NULL; dp++) {
		if (strncmp(msg, *dp, strlen(*dp)) == 0) {
			x->deferred = 1;
			free(msg);
			return;
		}
	}
	if (x->nflagged < PLUMB_DIAGS_MAX) {
		x->flagged = xreallocarray(x->flagged, x->nflagged + 1,
					   sizeof(*x->flagged));
		x->flagged[x->nflagged++] = err->line;
	}
	xmlsafe_problem(x, err->line, "%s", msg);
	free(msg);
}

static void
load_validate(struct xmlsafe *x, xmlDocPtr doc)
{
	const struct xmlsafe_kind *k = x->kind;
	xmlSchemaParserCtxtPtr pctxt;
	xmlSchemaValidCtxtPtr vctxt = NULL;
	xmlSchemaPtr schema = NULL;
	size_t before = x->nproblems;

	pctxt = xmlSchemaNewMemParserCtxt(k->xsd, (int)(k->xsd_end - k->xsd));
	if (pctxt == NULL)
		abort();
	xmlSchemaSetParserStructuredErrors(pctxt, schema_parse_error, x);
	schema = xmlSchemaParse(pctxt);
	if (schema == NULL) {
		if (!x->schema_broken)
			xmlsafe_problem_code(x, PLUMB_EIO, 0, "plumb's built-in "
					     "schema failed to compile");
		x->schema_broken = 1;
		goto out;
	}
	vctxt = xmlSchemaNewValidCtxt(schema);
	if (vctxt == NULL)
		abort();
	xmlSchemaSetValidStructuredErrors(vctxt, schema_valid_error, x);
	if (xmlSchemaValidateDoc(vctxt, doc) != 0 && x->nproblems == before &&
	    !x->deferred)
		xmlsafe_problem(x, 0, "the document does not follow its schema");
out:
	xmlSchemaFreeValidCtxt(vctxt);
	xmlSchemaFree(schema);
	xmlSchemaFreeParserCtxt(pctxt);
}

int
xmlsafe_open(struct xmlsafe *x, char **src, size_t *len, xmlDoc **doc)
{
	char *buf = NULL;
	size_t n = 0;
	xmlDocPtr d;
	int r;

	*src = NULL;
	*len = 0;
	*doc = NULL;
	if ((r = load_read(x, &buf, &n)) != 0)
		return r;
	if ((d = load_parse(x, buf, n)) == NULL) {
		free(buf);
		return x->code;
	}
	if (x->kind->xsd != NULL) {
		load_validate(x, d);
		if (x->schema_broken) {
			xmlFreeDoc(d);
			free(buf);
			return x->code;
		}
	}
	*src = buf;
	*len = n;
	*doc = d;
	return 0;
}

int
xmlsafe_load(const char *path, const char *xsd, size_t xsd_len, xmlDoc **doc,
	     char **source, size_t *source_len, struct diags *d,
	     struct errbuf *e)
{
	const struct xmlsafe_kind k = { NULL, NULL, xsd,
					xsd != NULL ? xsd + xsd_len : NULL,
					NULL };
	struct xmlsafe x;
	xmlDocPtr xd = NULL;
	char *src = NULL;
	size_t len = 0;
	int r;

	*doc = NULL;
	*source = NULL;
	*source_len = 0;
	xmlsafe_begin(&x, &k, path, d, e);
	(void)xmlsafe_open(&x, &src, &len, &xd);
	if ((r = xmlsafe_end(&x)) != 0) {
		xmlFreeDoc(xd);
		free(src);
		return r;
	}
	*doc = xd;
	*source = src;
	*source_len = len;
	return 0;
}

/* ---- reading the tree --------------------------------------------------- */

int
xmlsafe_line(const xmlNode *node)
{
	long l = xmlGetLineNo(node);

	return l < 0 ? 0 : l > INT_MAX ? INT_MAX : (int)l;
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

char *
xmlsafe_quote(const char *s)
{
	size_t n = strlen(s);

	if (n <= XMLSAFE_QUOTE_MAX)
		return xstrdup(s);
	n = XMLSAFE_QUOTE_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return xasprintf("%.*s...", (int)n, s);
}

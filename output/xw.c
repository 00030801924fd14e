/*
 * xw.c - xmlTextWriter with sanitised input and sticky errors (xw.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "xw.h"

#define X(s) ((const xmlChar *)(s))

int
xw_open(struct xw *x, FILE *f, int indent, int html, struct errbuf *e)
{
	xmlOutputBufferPtr out;

	memset(x, 0, sizeof(*x));
	x->f = f;
	x->html = html;
	out = xmlOutputBufferCreateFile(f, NULL);
	if (out == NULL || (x->w = xmlNewTextWriter(out)) == NULL) {
		if (out != NULL)
			xmlOutputBufferClose(out);
		x->failed = 1;
		return err_set(e, PLUMB_EIO, "cannot start the XML writer");
	}
	if (indent) {
		xmlTextWriterSetIndent(x->w, 1);
		xmlTextWriterSetIndentString(x->w, X("  "));
	}
	return PLUMB_OK;
}

int
xw_close(struct xw *x, const char *what, struct errbuf *e)
{
	int failed = x->failed;

	if (x->w != NULL) {
		if (!failed && !x->html && xmlTextWriterEndDocument(x->w) < 0)
			failed = 1;
		if (!failed && x->html) {
			/* EndDocument would need StartDocument, which writes
			 * an XML declaration HTML must not have. */
			while (xmlTextWriterEndElement(x->w) >= 0)
				;
			if (xmlTextWriterWriteString(x->w, X("\n")) < 0)
				failed = 1;
		}
		if (xmlTextWriterFlush(x->w) < 0)
			failed = 1;
		xmlFreeTextWriter(x->w);
		x->w = NULL;
	}
	if (x->f != NULL && (fflush(x->f) != 0 || ferror(x->f)))
		return err_set(e, PLUMB_EIO, "writing %s: %s", what,
			       strerror(errno ? errno : EIO));
	if (failed)
		return err_set(e, PLUMB_EIO, "writing %s failed", what);
	return PLUMB_OK;
}

static void
check(struct xw *x, int rc)
{
	if (rc < 0)
		x->failed = 1;
}

void
xw_decl(struct xw *x)
{
	if (!x->failed)
		check(x, xmlTextWriterStartDocument(x->w, "1.0", "UTF-8", NULL));
}

void
xw_doctype(struct xw *x, const char *name)
{
	if (!x->failed)
		check(x, xmlTextWriterWriteDTD(x->w, X(name), NULL, NULL, NULL));
}

void
xw_start(struct xw *x, const char *name)
{
	if (!x->failed)
		check(x, xmlTextWriterStartElement(x->w, X(name)));
}

void
xw_end(struct xw *x)
{
	if (x->failed)
		return;
	/* HTML parsers read <div/> as an open tag, so HTML always gets an
	 * end tag; XML may use the short form. */
	check(x, x->html ? xmlTextWriterFullEndElement(x->w) :
			   xmlTextWriterEndElement(x->w));
}

void
xw_attr(struct xw *x, const char *name, const char *value)
{
	char *clean;

	if (x->failed)
		return;
	clean = escape_text(value ? value : "", value ? strlen(value) : 0,
			    ESCAPE_XML);
	check(x, xmlTextWriterWriteAttribute(x->w, X(name), X(clean)));
	free(clean);
}

void
xw_attrf(struct xw *x, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	xw_attr(x, name, s);
	free(s);
}

static void
textn(struct xw *x, const char *s, size_t n)
{
	char *clean;

	if (x->failed || n == 0)
		return;
	clean = escape_text(s, n, ESCAPE_XML);
	check(x, xmlTextWriterWriteString(x->w, X(clean)));
	free(clean);
}

void
xw_text(struct xw *x, const char *text)
{
	if (text != NULL)
		textn(x, text, strlen(text));
}

void
xw_textf(struct xw *x, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	xw_text(x, s);
	free(s);
}

void
xw_jtext(struct xw *x, const json_t *v)
{
	if (json_is_string(v))
		textn(x, json_string_value(v), json_string_length(v));
}

void
xw_elem(struct xw *x, const char *name, const char *text)
{
	xw_start(x, name);
	xw_text(x, text);
	xw_end(x);
}

void
xw_elemf(struct xw *x, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	xw_elem(x, name, s);
	free(s);
}

void
xw_comment(struct xw *x, const char *text)
{
	if (!x->failed)
		check(x, xmlTextWriterWriteComment(x->w, X(text)));
}

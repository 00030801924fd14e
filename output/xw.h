/*
 * xw.h - a thin layer over libxml2's xmlTextWriter for the XML and HTML
 * report writers.
 *
 * Every string handed to these functions goes through escape_text first,
 * so text from the scanned host can never make a report ill-formed, and the
 * writer escapes markup.  Errors are sticky (as ferror): the writers make
 * their calls in document order and xw_close reports the first failure, so
 * the document-building code stays readable.
 */
#ifndef PLUMB_XW_H
#define PLUMB_XW_H

#include <stdio.h>

#include <jansson.h>
#include <libxml/xmlwriter.h>

#include "util.h"

struct xw {
	xmlTextWriterPtr w;
	FILE *f;
	int failed;
	int html;	/* close every element with an end tag, never <x/> */
};

/*
 * Starts writing to f.  indent: pretty-print; html: write HTML syntax (no
 * XML declaration, explicit end tags).  Returns 0 or PLUMB_EIO.
 */
int xw_open(struct xw *x, FILE *f, int indent, int html, struct errbuf *e);
/* Ends the document, flushes and frees the writer; 0 or PLUMB_EIO naming
 * what (e.g. "XCCDF") failed.  Safe after a failed xw_open. */
int xw_close(struct xw *x, const char *what, struct errbuf *e);

/* <?xml version="1.0" encoding="UTF-8"?> */
void xw_decl(struct xw *x);
/* <!DOCTYPE name> */
void xw_doctype(struct xw *x, const char *name);

/* Elements; a name may carry a prefix ("arf:report"). */
void xw_start(struct xw *x, const char *name);
void xw_end(struct xw *x);
/* <name>text</name>; text NULL writes an empty element. */
void xw_elem(struct xw *x, const char *name, const char *text);
void xw_elemf(struct xw *x, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Attributes of the element just started; value is sanitised. */
void xw_attr(struct xw *x, const char *name, const char *value);
void xw_attrf(struct xw *x, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Text content, sanitised. */
void xw_text(struct xw *x, const char *text);
void xw_textf(struct xw *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The string value of a jansson value (may hold NUL bytes); non-strings
 * write nothing. */
void xw_jtext(struct xw *x, const json_t *v);
/* A comment of fixed text from the program (never host data). */
void xw_comment(struct xw *x, const char *text);

#endif

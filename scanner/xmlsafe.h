/*
 * xmlsafe.h - the one way plumb loads its own XML inputs (baselines, owners
 * files): size-capped, UTF-8 and NUL checked before libxml2 sees a byte, no
 * DTD, no entity expansion, no network, validated against an XSD compiled
 * into the binary, and every problem collected as "file:line: message" so
 * an author sees them all in one pass.  Nothing libxml2 says reaches stderr
 * on its own while a load runs.
 *
 * A load is bracketed: xmlsafe_begin, xmlsafe_open (read, parse, validate),
 * the caller's own checks of the tree reported with xmlsafe_problem, then
 * xmlsafe_end, which says whether anything was wrong.
 */
#ifndef PLUMB_XMLSAFE_H
#define PLUMB_XMLSAFE_H

#include <stddef.h>

#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "diags.h"
#include "util.h"

/* What a kind of input looks like. */
struct xmlsafe_kind {
	const char *root;	/* local name of the root element, or NULL */
	const char *ns;		/* its namespace (and the schema's), or NULL */
	const char *xsd;	/* the schema's bytes up to xsd_end; NULL: none */
	const char *xsd_end;
	/* Prefixes of schema messages the caller says better itself (they
	 * are dropped; the caller's own check must report the problem):
	 * NULL-terminated, or NULL. */
	const char *const *defer;
};

/* One load.  The fields before "private" may be read by the caller. */
struct xmlsafe {
	const struct xmlsafe_kind *kind;
	const char *path;
	struct diags *d;
	struct errbuf *e;
	size_t nproblems;
	int code;		/* of the first problem */
	int schema_broken;	/* the built-in schema failed: a plumb bug */
	/* private */
	int deferred;
	int dtd_refused;
	int *flagged;		/* lines the schema reported */
	size_t nflagged;
	size_t first;		/* d->n when the load began */
	int *lines;		/* the line of each problem added since */
	size_t nlines;
	xmlStructuredErrorFunc old_serror;
	void *old_sctx;
	xmlGenericErrorFunc old_generic;
	void *old_gctx;
};

/*
 * Starts a load of path as kind k (borrowed until xmlsafe_end): problems go
 * to d (may be NULL), the first one also to e.  Until xmlsafe_end, libxml2's
 * error reporting on this thread is routed into the problem list.
 */
void xmlsafe_begin(struct xmlsafe *x, const struct xmlsafe_kind *k,
		   const char *path, struct diags *d, struct errbuf *e);

/*
 * Reads the file (at most PLUMB_XML_MAX bytes; a larger regular file is
 * refused before it is read), checks it is non-empty UTF-8 without NUL,
 * parses it and checks the root element, then validates it against the
 * kind's schema.  A DOCTYPE stops the parser where it starts, before a
 * single declaration is read, so no entity is ever declared, expanded or
 * fetched.  Returns 0 when there is a tree to walk: *doc (xmlFreeDoc) and
 * *src, *len (the file's bytes, NUL-terminated; free) are the caller's,
 * though schema problems may have been recorded.  Otherwise returns
 * negative with the problems recorded and nothing handed over.
 */
int xmlsafe_open(struct xmlsafe *x, char **src, size_t *len, xmlDoc **doc);

/* Records a problem at line (<= 0: the file as a whole). */
void xmlsafe_problem(struct xmlsafe *x, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same with an error code other than PLUMB_EINVAL. */
void xmlsafe_problem_code(struct xmlsafe *x, int code, int line,
			  const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* True when schema validation already reported something on line, so a
 * check restating a schema rule need not say it twice. */
int xmlsafe_flagged(const struct xmlsafe *x, int line);

/*
 * Ends the load: restores libxml2's error reporting, puts this load's
 * problems in line order (the parser, the schema and the caller find them
 * in separate passes) and frees the load's state.  Returns 0 when no
 * problem was recorded, else the code of the first one (described in e).
 */
int xmlsafe_end(struct xmlsafe *x);

/*
 * Loads path in one call, for inputs with no root or namespace check of
 * their own: xmlsafe_begin, xmlsafe_open with schema xsd (xsd_len bytes; NULL:
 * none), xmlsafe_end.  On any problem the return is negative, e holds the
 * first and nothing is handed over; on success *doc (xmlFreeDoc) and
 * *source (free) are the caller's.
 */
int xmlsafe_load(const char *path, const char *xsd, size_t xsd_len,
		 xmlDoc **doc, char **source, size_t *source_len,
		 struct diags *d, struct errbuf *e);

/* The line of node, clamped to 0..INT_MAX. */
int xmlsafe_line(const xmlNode *node);
/* The text content of node (trimmed of surrounding whitespace), or NULL;
 * the caller frees. */
char *xmlsafe_text(const xmlNode *node);
/* The value of attribute name of node, or NULL; the caller frees. */
char *xmlsafe_attr(const xmlNode *node, const char *name);
/* True when node is an element named name in namespace ns. */
int xmlsafe_is(const xmlNode *node, const char *ns, const char *name);
/* A short rendering of a value from the file for a message: at most
 * XMLSAFE_QUOTE_MAX bytes, cut on a character boundary with "..." (the
 * caller frees). */
char *xmlsafe_quote(const char *s);
#define XMLSAFE_QUOTE_MAX 80

#endif

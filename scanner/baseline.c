/*
 * baseline.c - loads, validates and resolves baselines (baseline.h).
 *
 * A baseline may come from anywhere, so loading is defensive in layers.  The
 * file is size-capped and must be UTF-8 without NUL before libxml2 sees it.
 * The parser runs without network, entity substitution or DTD loading, and
 * any DOCTYPE stops it on the spot, before a single entity could be declared,
 * let alone expanded or fetched.  The tree is then validated against the
 * schema compiled into the binary (embed.h), and finally the loader makes
 * the checks a schema cannot express: unique control ids, known check types,
 * their parameters and parameter values.  Every problem is collected as
 * "file:line: message", so `plumb baseline lint` fixes a file in one pass,
 * and nothing libxml2 says reaches stderr on its own.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/entities.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "baseline.h"
#include "embed.h"
#include "plumb_limits.h"

#define BASELINE_NS "urn:plumb:baseline:1"

/* How much of a value from the file a message quotes. */
#define QUOTE_MAX 80

/*
 * Parser options: no network, big line numbers.  Never NOENT, DTDLOAD,
 * DTDATTR, DTDVALID, XINCLUDE or HUGE: each would let the document reach
 * beyond its own bytes or past libxml2's own limits.  The encoding is forced
 * to UTF-8 (already checked) whatever the declaration says.
 */
#define BASELINE_XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_BIG_LINES | \
			      XML_PARSE_IGNORE_ENC)

/* ---- problem lists ------------------------------------------------------ */

/*
 * Makes msg one printable line of at most PLUMB_ERRMSG_MAX bytes: control
 * characters (C0, DEL and the C1 range, which some terminals obey) become
 * escapes, so text quoted from a hostile file cannot drive the terminal, and
 * a long line is cut on a character boundary with "...".
 */
static char *
diag_line(const char *msg)
{
	const unsigned char *p = (const unsigned char *)msg;
	const size_t room = PLUMB_ERRMSG_MAX - 4;
	struct dynbuf b;

	dynbuf_init(&b, PLUMB_ERRMSG_MAX);
	while (*p != '\0') {
		char esc[8];
		const char *piece = esc;
		size_t n;

		if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
			n = strlen(esc);
			p++;
		} else if (*p < 0x80) {
			piece = (const char *)p;
			n = 1;
			p++;
		} else {
			n = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
			    (*p & 0xf8) == 0xf0 ? 4 : 1;
			if (strnlen((const char *)p, n) < n ||
			    !utf8_valid((const char *)p, n)) {
				esc[0] = '?';
				piece = esc;
				p++;
				n = 1;
			} else if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
				snprintf(esc, sizeof(esc), "\\u%04x", p[1]);
				n = strlen(esc);
				p += 2;
			} else {
				piece = (const char *)p;
				p += n;
			}
		}
		if (b.len + n > room) {
			(void)dynbuf_addstr(&b, "...");
			break;
		}
		(void)dynbuf_add(&b, piece, n);
	}
	return dynbuf_take(&b, NULL);
}

/* Adds a finished message; the last slot says the list was cut.  Returns
 * 1 when msg itself was added. */
static int
diags_push(struct diags *d, const char *file, int line, const char *msg)
{
	int added = 1;
	char *full;

	if (d == NULL || d->n >= PLUMB_DIAGS_MAX)
		return 0;
	if (d->n == PLUMB_DIAGS_MAX - 1) {
		line = 0;
		msg = "too many problems; the rest are not listed";
		added = 0;
	}
	if (file == NULL)
		full = xstrdup(msg);
	else if (line > 0)
		full = xasprintf("%s:%d: %s", file, line, msg);
	else
		full = xasprintf("%s: %s", file, msg);
	d->lines = xreallocarray(d->lines, d->n + 1, sizeof(*d->lines));
	d->lines[d->n++] = diag_line(full);
	free(full);
	return added;
}

static char *
xvasprintf(const char *fmt, va_list ap)
{
	char *p;

	if (vasprintf(&p, fmt, ap) < 0)
		abort();
	return p;
}

void
diags_add(struct diags *d, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (d == NULL)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diags_push(d, file, line, msg);
	free(msg);
}

void
diags_release(struct diags *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++)
		free(d->lines[i]);
	free(d->lines);
	d->lines = NULL;
	d->n = 0;
}

/* ---- one load ----------------------------------------------------------- */

struct load {
	const char *path;
	struct diags *d;
	struct errbuf *e;
	int code;		/* of the first problem */
	size_t nproblems;
	int dtd_refused;
	int schema_broken;	/* the built-in schema failed: a plumb bug */
	int schema_deferred;	/* a schema error left to the loader to say */
	int *flagged;		/* lines the schema validation reported */
	size_t nflagged;
	size_t first;		/* d->n when the load started */
	int *lines;		/* the line of each diag added since */
	size_t nlines;
};

static void
problem_v(struct load *ld, int code, int line, const char *fmt, va_list ap)
{
	char *msg = xvasprintf(fmt, ap);

	if (ld->nproblems == 0) {
		char *full = line > 0 ?
			xasprintf("%s:%d: %s", ld->path, line, msg) :
			xasprintf("%s: %s", ld->path, msg);
		char *clean = diag_line(full);

		err_set(ld->e, code, "%s", clean);
		ld->code = code;
		free(clean);
		free(full);
	}
	ld->nproblems++;
	if (diags_push(ld->d, ld->path, line, msg)) {
		ld->lines = xreallocarray(ld->lines, ld->nlines + 1,
					  sizeof(*ld->lines));
		ld->lines[ld->nlines++] = line;
	}
	free(msg);
}

/* Puts this load's problems in line order (the parser, the schema and the
 * loader find them in separate passes); stable, so problems on one line
 * keep the order they were found in.  A cut list is left as it is, so its
 * last line still says so. */
static void
sort_problems(struct load *ld)
{
	struct diags *d = ld->d;
	size_t i, j;

	if (d == NULL || ld->nlines != d->n - ld->first)
		return;
	for (i = 1; i < ld->nlines; i++) {
		int line = ld->lines[i];
		char *text = d->lines[ld->first + i];

		for (j = i; j > 0 && ld->lines[j - 1] > line; j--) {
			ld->lines[j] = ld->lines[j - 1];
			d->lines[ld->first + j] = d->lines[ld->first + j - 1];
		}
		ld->lines[j] = line;
		d->lines[ld->first + j] = text;
	}
}

static void problem(struct load *ld, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void
problem(struct load *ld, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	problem_v(ld, PLUMB_EINVAL, line, fmt, ap);
	va_end(ap);
}

static void problem_code(struct load *ld, int code, int line, const char *fmt,
			 ...) __attribute__((format(printf, 4, 5)));
static void
problem_code(struct load *ld, int code, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	problem_v(ld, code, line, fmt, ap);
	va_end(ap);
}

/* True when schema validation already reported something on line, so a
 * loader check restating a schema rule does not say it twice. */
static int
flagged(const struct load *ld, int line)
{
	size_t i;

	for (i = 0; i < ld->nflagged; i++)
		if (ld->flagged[i] == line)
			return 1;
	return 0;
}

/* A short, single-line rendering of a value from the file for messages
 * (the caller frees). */
static char *
quote(const char *s)
{
	size_t n = strlen(s);

	if (n <= QUOTE_MAX)
		return xstrdup(s);
	n = QUOTE_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return xasprintf("%.*s...", (int)n, s);
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

/*
 * Reads the file into *src: size-capped (refused before reading when stat
 * already shows it too large), UTF-8 without NUL, not empty.
 */
static int
load_read(struct load *ld, char **src, size_t *len)
{
	struct errbuf re;
	struct stat st;
	size_t bad, i;
	int r;

	*src = NULL;
	*len = 0;
	if (stat(ld->path, &st) != 0) {
		problem_code(ld, errno == ENOENT ? PLUMB_ENOENT : PLUMB_EIO, 0,
			     "%s", strerror(errno));
		return ld->code;
	}
	if (S_ISDIR(st.st_mode)) {
		problem_code(ld, PLUMB_EUSAGE, 0, "is a directory, not a baseline file");
		return ld->code;
	}
	if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > PLUMB_XML_MAX) {
		problem_code(ld, PLUMB_ELIMIT, 0,
			     "%lld bytes is larger than the %u-byte limit for a "
			     "baseline; refused without parsing",
			     (long long)st.st_size, PLUMB_XML_MAX);
		return ld->code;
	}
	/* stat is only a hint (the file may grow, or be a pipe): the read
	 * itself is what is capped. */
	r = read_local_file(ld->path, PLUMB_XML_MAX, src, len, &re);
	if (r == PLUMB_ELIMIT) {
		problem_code(ld, r, 0, "larger than the %u-byte limit for a "
			     "baseline; refused without parsing", PLUMB_XML_MAX);
		return r;
	}
	if (r != 0) {
		size_t pl = strlen(ld->path);
		const char *m = re.msg;

		if (strncmp(m, ld->path, pl) == 0 && strncmp(m + pl, ": ", 2) == 0)
			m += pl + 2;
		problem_code(ld, r, 0, "%s", m);
		return r;
	}
	bad = utf8_first_bad(*src, *len);
	if (bad < *len) {
		int line = line_at(*src, bad);

		if ((*src)[bad] == '\0')
			problem(ld, line, "NUL byte at offset %zu: a baseline is "
				"UTF-8 text", bad);
		else
			problem(ld, line, "invalid UTF-8 (byte 0x%02x at offset "
				"%zu): a baseline must be UTF-8",
				(unsigned char)(*src)[bad], bad);
		goto fail;
	}
	for (i = 0; i < *len; i++)
		if (strchr(" \t\r\n", (*src)[i]) == NULL)
			break;
	if (i == *len) {
		problem(ld, 1, "the file is empty: a baseline is an XML document "
			"with a <baseline> element");
		goto fail;
	}
	return 0;
fail:
	free(*src);
	*src = NULL;
	*len = 0;
	return ld->code;
}

/* ---- parsing ------------------------------------------------------------ */

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

static struct load *
ctxt_load(void *ctx)
{
	xmlParserCtxtPtr ctxt = ctx;

	return ctxt != NULL ? ctxt->_private : NULL;
}

/* Errors of the parser, and (as the thread's catch-all while a load runs)
 * anything else libxml2 reports: all become problems, never stderr. */
static void
xml_error(struct load *ld, const xmlError *err)
{
	char *msg;

	if (ld == NULL || ld->dtd_refused)
		return;
	msg = xml_message(err);
	problem(ld, err->line, "%s", msg);
	free(msg);
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
	struct load *ld = ctxt_load(ctx);

	(void)name;
	(void)external_id;
	(void)system_id;
	if (ld != NULL && !ld->dtd_refused) {
		problem(ld, ctxt->input != NULL ? ctxt->input->line : 0,
			"DTDs are not allowed in baselines");
		ld->dtd_refused = 1;
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
no_external_entity(void *ctx, const xmlChar *public_id, const xmlChar *system_id)
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

static xmlDocPtr
load_parse(struct load *ld, const char *src, size_t len)
{
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;

	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL)
		abort();
	ctxt->_private = ld;
	ctxt->sax->internalSubset = refuse_dtd;
	ctxt->sax->externalSubset = ignore_external_subset;
	ctxt->sax->entityDecl = ignore_entity_decl;
	ctxt->sax->getEntity = predefined_entity;
	ctxt->sax->getParameterEntity = predefined_entity;
	ctxt->sax->resolveEntity = no_external_entity;
	ctxt->sax->serror = parse_error;
	ctxt->sax->initialized = XML_SAX2_MAGIC;
	doc = xmlCtxtReadMemory(ctxt, src, (int)len, NULL, "UTF-8",
				BASELINE_XML_OPTIONS);
	if (doc != NULL && (ld->dtd_refused || !ctxt->wellFormed ||
			    ld->nproblems > 0)) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	if (doc == NULL && ld->nproblems == 0)
		problem(ld, 0, "not a well-formed XML document");
	xmlFreeParserCtxt(ctxt);
	return doc;
}

/* ---- schema validation -------------------------------------------------- */

static void
schema_parse_error(void *ctx, xmlErrorPtr err)
{
	struct load *ld = ctx;
	char *msg = xml_message(err);

	ld->schema_broken = 1;
	problem_code(ld, PLUMB_EIO, 0, "plumb's built-in baseline schema, line "
		     "%d: %s", err->line, msg);
	free(msg);
}

/* Removes every occurrence of "{urn:plumb:baseline:1}" from msg: the
 * namespace is the only one a valid baseline uses. */
static void
strip_ns(char *msg)
{
	static const char ns[] = "{" BASELINE_NS "}";
	char *p;

	while ((p = strstr(msg, ns)) != NULL)
		memmove(p, p + sizeof(ns) - 1, strlen(p + sizeof(ns) - 1) + 1);
}

static void
schema_valid_error(void *ctx, xmlErrorPtr err)
{
	struct load *ld = ctx;
	char *msg = xml_message(err);

	strip_ns(msg);
	/* The loader's own semver check says this better than a pattern. */
	if (strncmp(msg, "Element 'baseline', attribute 'version':", 40) == 0) {
		ld->schema_deferred = 1;
		free(msg);
		return;
	}
	if (ld->nflagged < PLUMB_DIAGS_MAX) {
		ld->flagged = xreallocarray(ld->flagged, ld->nflagged + 1,
					    sizeof(*ld->flagged));
		ld->flagged[ld->nflagged++] = err->line;
	}
	problem(ld, err->line, "%s", msg);
	free(msg);
}

static void
load_validate(struct load *ld, xmlDocPtr doc)
{
	xmlSchemaParserCtxtPtr pctxt;
	xmlSchemaValidCtxtPtr vctxt = NULL;
	xmlSchemaPtr schema = NULL;
	int r;

	pctxt = xmlSchemaNewMemParserCtxt(plumb_baseline_xsd,
					  (int)(plumb_baseline_xsd_end -
						plumb_baseline_xsd));
	if (pctxt == NULL)
		abort();
	xmlSchemaSetParserStructuredErrors(pctxt, schema_parse_error, ld);
	schema = xmlSchemaParse(pctxt);
	if (schema == NULL) {
		if (!ld->schema_broken)
			problem_code(ld, PLUMB_EIO, 0, "plumb's built-in baseline "
				     "schema failed to compile");
		ld->schema_broken = 1;
		goto out;
	}
	vctxt = xmlSchemaNewValidCtxt(schema);
	if (vctxt == NULL)
		abort();
	xmlSchemaSetValidStructuredErrors(vctxt, schema_valid_error, ld);
	r = xmlSchemaValidateDoc(vctxt, doc);
	if (r != 0 && ld->nproblems == 0 && !ld->schema_deferred)
		problem(ld, 0, "the document does not follow the baseline schema");
out:
	xmlSchemaFreeValidCtxt(vctxt);
	xmlSchemaFree(schema);
	xmlSchemaFreeParserCtxt(pctxt);
}

/* ---- the tree ----------------------------------------------------------- */

static int
node_line(xmlNodePtr n)
{
	long l = xmlGetLineNo(n);

	return l < 0 ? 0 : l > INT_MAX ? INT_MAX : (int)l;
}

static int
is_el(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	       xmlStrEqual(n->ns->href, (const xmlChar *)BASELINE_NS) &&
	       xmlStrEqual(n->name, (const xmlChar *)name);
}

static char *
attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
	char *s;

	if (v == NULL)
		return NULL;
	s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

/* Folds runs of XML white space into one space and trims both ends, as
 * xs:token does, in place. */
static void
collapse(char *s)
{
	char *w = s;
	const char *r = s;
	int space = 0;

	while (*r != '\0') {
		if (strchr(" \t\r\n", *r) != NULL) {
			space = w != s;
		} else {
			if (space)
				*w++ = ' ';
			space = 0;
			*w++ = *r;
		}
		r++;
	}
	*w = '\0';
}

/* The text of element n (what, for messages), whitespace folded when fold
 * is set; capped at PLUMB_TEXT_MAX bytes. */
static char *
text(struct load *ld, xmlNodePtr n, int fold, const char *what)
{
	xmlChar *v = xmlNodeGetContent(n);
	char *s = xstrdup(v != NULL ? (const char *)v : "");
	size_t len;

	xmlFree(v);
	if (fold)
		collapse(s);
	len = strlen(s);
	if (len > PLUMB_TEXT_MAX && !flagged(ld, node_line(n)))
		problem(ld, node_line(n), "%s is %zu bytes, longer than the "
			"%u-byte limit", what, len, PLUMB_TEXT_MAX);
	return s;
}

/* Estimates the positions glibc's regcomp builds for an extended regex
 * once counted repetitions are expanded (an upper bound: alternatives add
 * up), saturating past PLUMB_REGEX_SIZE_MAX. */
#define RE_SAT ((unsigned long long)PLUMB_REGEX_SIZE_MAX + 1)
#define RE_DEPTH 64

static unsigned long long
re_mul(unsigned long long a, unsigned long long b)
{
	if (b != 0 && a > RE_SAT / b)
		return RE_SAT;
	return a * b > RE_SAT ? RE_SAT : a * b;
}

static const char *
re_bracket_end(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p != '\0' && *p != ']') {
		if (*p == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
			char kind = p[1];

			p += 2;
			while (*p != '\0' && !(p[0] == kind && p[1] == ']'))
				p++;
			if (*p != '\0')
				p += 2;
			continue;
		}
		p++;
	}
	return *p == ']' ? p + 1 : p;
}

/* Parses "{m}", "{m,}" or "{m,n}" at p; returns the end and the largest
 * count in *count, or NULL when it is not a bound. */
static const char *
re_bound(const char *p, unsigned long long *count)
{
	unsigned long long m = 0, n;
	int digits = 0;

	p++;
	while (*p >= '0' && *p <= '9') {
		m = m > RE_SAT ? RE_SAT : m * 10 + (unsigned)(*p - '0');
		p++;
		digits++;
	}
	if (digits == 0)
		return NULL;
	n = m;
	if (*p == ',') {
		p++;
		n = m + 1;
		digits = 0;
		if (*p >= '0' && *p <= '9') {
			n = 0;
			while (*p >= '0' && *p <= '9') {
				n = n > RE_SAT ? RE_SAT : n * 10 + (unsigned)(*p - '0');
				p++;
			}
		}
	}
	if (*p != '}')
		return NULL;
	*count = m > n ? m : n;
	return p + 1;
}

static unsigned long long
re_size(const char *p)
{
	unsigned long long sum[RE_DEPTH], last[RE_DEPTH];
	size_t d = 0;

	sum[0] = last[0] = 0;
	while (*p != '\0') {
		unsigned long long atom = 1, count;
		const char *q;

		switch (*p) {
		case '\\':
			p += p[1] != '\0' ? 2 : 1;
			break;
		case '[':
			p = re_bracket_end(p);
			break;
		case '(':
			if (d + 1 == RE_DEPTH)
				return RE_SAT;
			d++;
			sum[d] = last[d] = 0;
			p++;
			continue;
		case ')':
			p++;
			if (d == 0)
				break;
			atom = sum[d] != 0 ? sum[d] : 1;
			d--;
			break;
		case '|':
			last[d] = 0;
			p++;
			continue;
		case '*':
		case '?':
		case '+':
		case '{':
			count = *p == '+' ? 2 : 1;
			q = *p == '{' ? re_bound(p, &count) : p + 1;
			if (q == NULL) {	/* a literal brace */
				p++;
				break;
			}
			p = q;
			atom = re_mul(last[d], count);
			sum[d] = sum[d] - last[d] + atom;
			if (sum[d] > RE_SAT)
				sum[d] = RE_SAT;
			last[d] = atom;
			continue;
		default:
			p++;
			break;
		}
		sum[d] = sum[d] + atom > RE_SAT ? RE_SAT : sum[d] + atom;
		last[d] = atom;
	}
	while (d > 0) {
		sum[d - 1] = sum[d - 1] + sum[d] > RE_SAT ? RE_SAT :
			     sum[d - 1] + sum[d];
		d--;
	}
	return sum[0];
}

/* Checks an extended regex the way a judge will compile it; 0 or, in e,
 * what is wrong with it ("is not ...", "is refused: ..."). */
static int
regex_check(const char *re, struct errbuf *e)
{
	const char *p;
	regex_t rx;
	int r;

	for (p = re; *p != '\0'; p++) {
		if (*p == '\\' && p[1] >= '1' && p[1] <= '9')
			return err_set(e, PLUMB_EINVAL, "is refused: back-references "
				       "are not allowed (matching could take "
				       "exponential time)");
		if (*p == '\\' && p[1] != '\0')
			p++;
	}
	if (re_size(re) > PLUMB_REGEX_SIZE_MAX)
		return err_set(e, PLUMB_ELIMIT, "is refused: its counted "
			       "repetitions expand past %u positions",
			       PLUMB_REGEX_SIZE_MAX);
	r = regcomp(&rx, re, REG_EXTENDED | REG_NOSUB);
	if (r != 0) {
		char buf[256];

		regerror(r, &rx, buf, sizeof(buf));
		return err_set(e, PLUMB_EINVAL, "is not a valid extended regular "
			       "expression (%s)", buf);
	}
	regfree(&rx);
	return 0;
}

static int
mode_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 3 || n > 4)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '7')
			return 0;
	return 1;
}

static const char *
kind_name(enum check_param_kind k)
{
	switch (k) {
	case CHECK_PARAM_STRING:
		return "a string";
	case CHECK_PARAM_INT:
		return "an integer";
	case CHECK_PARAM_BOOL:
		return "true or false";
	case CHECK_PARAM_REGEX:
		return "an extended regular expression";
	case CHECK_PARAM_MODE:
		return "an octal file mode such as 0640";
	}
	return "a value";
}

/* Checks a value against its kind; 0 or, in e, what is wrong with it. */
static int
value_check(const struct check_param_spec *sp, const char *v, struct errbuf *e)
{
	long long ll;
	int ok = 1;

	switch (sp->kind) {
	case CHECK_PARAM_STRING:
		break;
	case CHECK_PARAM_INT:
		ok = parse_ll(v, LLONG_MIN, LLONG_MAX, &ll) == 0;
		break;
	case CHECK_PARAM_BOOL:
		ok = strcmp(v, "true") == 0 || strcmp(v, "false") == 0;
		break;
	case CHECK_PARAM_MODE:
		ok = mode_valid(v);
		break;
	case CHECK_PARAM_REGEX:
		return regex_check(v, e);
	}
	if (!ok)
		return err_set(e, PLUMB_EINVAL, "is not %s", kind_name(sp->kind));
	return 0;
}

static char *
known_types(void)
{
	struct dynbuf b;
	size_t i;

	dynbuf_init(&b, PLUMB_ERRMSG_MAX);
	for (i = 0; check_types[i] != NULL; i++)
		if (dynbuf_printf(&b, "%s%s", i ? ", " : "",
				  check_types[i]->name) != 0)
			break;
	if (i == 0)
		(void)dynbuf_addstr(&b, "none are registered");
	return dynbuf_take(&b, NULL);
}

static char *
known_params(const struct check_type *ct)
{
	struct dynbuf b;
	size_t i;

	dynbuf_init(&b, PLUMB_ERRMSG_MAX);
	for (i = 0; ct->params != NULL && ct->params[i].name != NULL; i++)
		if (dynbuf_printf(&b, "%s%s", i ? ", " : "",
				  ct->params[i].name) != 0)
			break;
	if (i == 0)
		(void)dynbuf_addstr(&b, "it takes none");
	return dynbuf_take(&b, NULL);
}

static const struct check_param_spec *
spec_find(const struct check_type *ct, const char *name)
{
	size_t i;

	for (i = 0; ct->params != NULL && ct->params[i].name != NULL; i++)
		if (strcmp(ct->params[i].name, name) == 0)
			return &ct->params[i];
	return NULL;
}

/* Resolves chk's type and checks its parameters against the type's specs. */
static void
check_validate(struct load *ld, struct check *chk)
{
	const struct check_type *ct;
	size_t before = ld->nproblems, i, j;
	struct errbuf ve;

	if (chk->type == NULL)
		return;		/* the schema reported it */
	ct = check_type_find(chk->type);
	if (ct == NULL) {
		char *q = quote(chk->type), *known = known_types();

		problem(ld, chk->line, "unknown check type '%s' (known: %s)", q,
			known);
		free(q);
		free(known);
		return;
	}
	chk->ct = ct;
	for (i = 0; i < chk->nparams; i++) {
		const struct check_param *p = &chk->params[i];
		const struct check_param_spec *sp;

		if (p->name == NULL || p->value == NULL)
			continue;
		sp = spec_find(ct, p->name);
		if (sp == NULL) {
			char *q = quote(p->name), *known = known_params(ct);

			problem(ld, p->line, "check type '%s' has no parameter "
				"'%s' (its parameters: %s)", ct->name, q, known);
			free(q);
			free(known);
			continue;
		}
		if (!(sp->flags & CHECK_PARAM_MULTI)) {
			for (j = 0; j < i; j++)
				if (chk->params[j].name != NULL &&
				    strcmp(chk->params[j].name, p->name) == 0)
					break;
			if (j < i) {
				problem(ld, p->line, "parameter '%s' is given "
					"more than once (first at line %d)",
					p->name, chk->params[j].line);
				continue;
			}
		}
		if (value_check(sp, p->value, &ve) != 0) {
			char *q = quote(p->value);

			problem(ld, p->line, "parameter '%s' of check type '%s': "
				"'%s' %s", p->name, ct->name, q, ve.msg);
			free(q);
		}
	}
	for (i = 0; ct->params != NULL && ct->params[i].name != NULL; i++) {
		if (!(ct->params[i].flags & CHECK_PARAM_REQUIRED))
			continue;
		if (check_param_get(chk, ct->params[i].name) == NULL)
			problem(ld, chk->line, "check type '%s' needs parameter "
				"'%s' (%s)", ct->name, ct->params[i].name,
				ct->params[i].help != NULL ? ct->params[i].help :
				kind_name(ct->params[i].kind));
	}
	if (ld->nproblems == before && ct->validate != NULL &&
	    ct->validate(chk, &ve) != 0)
		problem(ld, chk->line, "check type '%s': %s", ct->name, ve.msg);
}

static void
load_check(struct load *ld, xmlNodePtr n, struct check *chk)
{
	xmlNodePtr c;
	int warned = 0;

	chk->line = node_line(n);
	chk->type = attr(n, "type");
	for (c = n->children; c != NULL; c = c->next) {
		struct check_param *p;

		if (!is_el(c, "param"))
			continue;
		if (chk->nparams >= PLUMB_PARAMS_MAX) {
			if (!warned)
				problem(ld, node_line(c), "more than %d parameters "
					"in one check", PLUMB_PARAMS_MAX);
			warned = 1;
			continue;
		}
		chk->params = xreallocarray(chk->params, chk->nparams + 1,
					    sizeof(*chk->params));
		p = &chk->params[chk->nparams++];
		p->line = node_line(c);
		p->name = attr(c, "name");
		p->value = text(ld, c, 0, "a parameter value");
	}
	check_validate(ld, chk);
}

static void
load_control(struct load *ld, xmlNodePtr n, struct control *ctl)
{
	xmlNodePtr c;
	int warned_refs = 0, warned_checks = 0;

	ctl->line = node_line(n);
	ctl->id = attr(n, "id");
	ctl->family = attr(n, "family");
	ctl->severity = attr(n, "severity");
	ctl->owner = attr(n, "owner");
	for (c = n->children; c != NULL; c = c->next) {
		if (is_el(c, "title") && ctl->title == NULL) {
			ctl->title = text(ld, c, 1, "a control title");
		} else if (is_el(c, "rationale") && ctl->rationale == NULL) {
			ctl->rationale = text(ld, c, 1, "a rationale");
		} else if (is_el(c, "ref")) {
			struct control_ref *ref;

			if (ctl->nrefs >= PLUMB_REFS_MAX) {
				if (!warned_refs)
					problem(ld, node_line(c), "more than %d "
						"references in one control",
						PLUMB_REFS_MAX);
				warned_refs = 1;
				continue;
			}
			ctl->refs = xreallocarray(ctl->refs, ctl->nrefs + 1,
						  sizeof(*ctl->refs));
			ref = &ctl->refs[ctl->nrefs++];
			ref->framework = attr(c, "framework");
			ref->id = attr(c, "id");
		} else if (is_el(c, "check")) {
			if (ctl->nchecks >= PLUMB_CHECKS_MAX) {
				if (!warned_checks)
					problem(ld, node_line(c), "more than %d "
						"checks in one control",
						PLUMB_CHECKS_MAX);
				warned_checks = 1;
				continue;
			}
			ctl->checks = xreallocarray(ctl->checks, ctl->nchecks + 1,
						    sizeof(*ctl->checks));
			memset(&ctl->checks[ctl->nchecks], 0,
			       sizeof(ctl->checks[0]));
			load_check(ld, c, &ctl->checks[ctl->nchecks++]);
		}
	}
}

static int
control_cmp(const void *a, const void *b)
{
	const struct control *x = *(const struct control *const *)a;
	const struct control *y = *(const struct control *const *)b;
	int r = strcmp(x->id, y->id);

	if (r != 0)
		return r;
	return (x->line > y->line) - (x->line < y->line);
}

/* Reports every control id used more than once, at each later use. */
static void
check_duplicates(struct load *ld, struct baseline *b)
{
	const struct control **v;
	size_t i, n = 0, first = 0;

	v = xcalloc(b->ncontrols, sizeof(*v));
	for (i = 0; i < b->ncontrols; i++)
		if (b->controls[i].id != NULL)
			v[n++] = &b->controls[i];
	qsort(v, n, sizeof(*v), control_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(v[i]->id, v[first]->id) != 0) {
			first = i;
			continue;
		}
		problem(ld, v[i]->line, "duplicate control id '%s' (first "
			"defined at line %d)", v[i]->id, v[first]->line);
	}
	free(v);
}

static void
load_tree(struct load *ld, xmlNodePtr root, struct baseline *b)
{
	xmlNodePtr c;
	int warned = 0;

	b->id = attr(root, "id");
	b->version = attr(root, "version");
	if (b->version != NULL && !semver_valid(b->version)) {
		char *q = quote(b->version);

		problem(ld, node_line(root), "version '%s' is not a semantic "
			"version MAJOR.MINOR.PATCH (e.g. 1.2.0 or 2.0.0-rc.1)", q);
		free(q);
	}
	for (c = root->children; c != NULL; c = c->next) {
		if (is_el(c, "title") && b->title == NULL) {
			b->title = text(ld, c, 1, "the baseline title");
		} else if (is_el(c, "description") && b->description == NULL) {
			b->description = text(ld, c, 1, "the description");
		} else if (is_el(c, "control")) {
			if (b->ncontrols >= PLUMB_CONTROLS_MAX) {
				if (!warned)
					problem(ld, node_line(c), "more than %d "
						"controls in one baseline",
						PLUMB_CONTROLS_MAX);
				warned = 1;
				continue;
			}
			b->controls = xreallocarray(b->controls, b->ncontrols + 1,
						    sizeof(*b->controls));
			memset(&b->controls[b->ncontrols], 0,
			       sizeof(b->controls[0]));
			load_control(ld, c, &b->controls[b->ncontrols++]);
		}
	}
	check_duplicates(ld, b);
}

int
baseline_load(const char *path, struct baseline **out, struct diags *d,
	      struct errbuf *e)
{
	xmlStructuredErrorFunc old_serror;
	xmlGenericErrorFunc old_generic;
	void *old_sctx, *old_gctx;
	struct load ld;
	struct baseline *b = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	char *src = NULL;
	size_t len = 0;
	int r;

	*out = NULL;
	memset(&ld, 0, sizeof(ld));
	ld.path = path;
	ld.d = d;
	ld.e = e;
	ld.code = PLUMB_EINVAL;
	ld.first = d != NULL ? d->n : 0;

	if ((r = load_read(&ld, &src, &len)) != 0) {
		free(ld.lines);
		return r;
	}

	xmlInitParser();
	old_serror = xmlStructuredError;
	old_sctx = xmlStructuredErrorContext;
	old_generic = xmlGenericError;
	old_gctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(&ld, global_error);
	xmlSetGenericErrorFunc(NULL, generic_error);

	b = xcalloc(1, sizeof(*b));
	b->path = xstrdup(path);
	sha256_hex(src, len, b->sha256);
	b->source = src;
	b->source_len = len;
	src = NULL;

	if ((doc = load_parse(&ld, b->source, b->source_len)) == NULL)
		goto out;
	root = xmlDocGetRootElement(doc);
	if (root == NULL) {
		problem(&ld, 0, "the document has no root element");
		goto out;
	}
	if (!xmlStrEqual(root->name, (const xmlChar *)"baseline")) {
		char *q = quote((const char *)root->name);

		problem(&ld, node_line(root), "the root element is <%s>; a "
			"baseline starts with <baseline xmlns=\"" BASELINE_NS
			"\">", q);
		free(q);
		goto out;
	}
	if (!is_el(root, "baseline")) {
		problem(&ld, node_line(root), "<baseline> is not in namespace "
			BASELINE_NS " (add xmlns=\"" BASELINE_NS "\")");
		goto out;
	}
	load_validate(&ld, doc);
	if (ld.schema_broken)
		goto out;
	load_tree(&ld, root, b);
out:
	xmlFreeDoc(doc);
	xmlSetStructuredErrorFunc(old_sctx, old_serror);
	xmlSetGenericErrorFunc(old_gctx, old_generic);
	free(ld.flagged);
	sort_problems(&ld);
	free(ld.lines);
	if (ld.nproblems > 0) {
		baseline_free(b);
		return ld.code;
	}
	*out = b;
	return 0;
}

static void
check_release(struct check *c)
{
	size_t i;

	free(c->type);
	for (i = 0; i < c->nparams; i++) {
		free(c->params[i].name);
		free(c->params[i].value);
	}
	free(c->params);
}

void
baseline_free(struct baseline *b)
{
	size_t i, j;

	if (b == NULL)
		return;
	for (i = 0; i < b->ncontrols; i++) {
		struct control *c = &b->controls[i];

		free(c->id);
		free(c->title);
		free(c->rationale);
		free(c->family);
		free(c->severity);
		free(c->owner);
		for (j = 0; j < c->nrefs; j++) {
			free(c->refs[j].framework);
			free(c->refs[j].id);
		}
		free(c->refs);
		for (j = 0; j < c->nchecks; j++)
			check_release(&c->checks[j]);
		free(c->checks);
	}
	free(b->controls);
	free(b->id);
	free(b->version);
	free(b->title);
	free(b->description);
	free(b->path);
	free(b->source);
	free(b);
}

/* ---- semantic versions -------------------------------------------------- */

/* Length of a numeric identifier at s (no leading zero unless "0"), or 0. */
static size_t
semver_num(const char *s)
{
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	if (n > 1 && s[0] == '0')
		return 0;
	return n;
}

/* Length of one prerelease identifier at s, or 0 when it is invalid. */
static size_t
semver_ident(const char *s)
{
	size_t n = 0;
	int alpha = 0;

	while ((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'z') ||
	       (s[n] >= 'A' && s[n] <= 'Z') || s[n] == '-') {
		if (!(s[n] >= '0' && s[n] <= '9'))
			alpha = 1;
		n++;
	}
	if (n == 0 || (!alpha && n > 1 && s[0] == '0'))
		return 0;
	return n;
}

int
semver_valid(const char *s)
{
	const char *p = s;
	size_t n;
	int i;

	if (strlen(s) > 64)
		return 0;
	for (i = 0; i < 3; i++) {
		if ((n = semver_num(p)) == 0)
			return 0;
		p += n;
		if (i < 2 && *p++ != '.')
			return 0;
	}
	if (*p == '\0')
		return 1;
	if (*p++ != '-')
		return 0;
	for (;;) {
		if ((n = semver_ident(p)) == 0)
			return 0;
		p += n;
		if (*p == '\0')
			return 1;
		if (*p++ != '.')
			return 0;
	}
}

/* Compares digit strings without leading zeros numerically. */
static int
num_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int r;

	if (an != bn)
		return an < bn ? -1 : 1;
	r = memcmp(a, b, an);
	return (r > 0) - (r < 0);
}

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
semver_cmp(const char *a, const char *b)
{
	size_t an, bn;
	int i, r, va = semver_valid(a), vb = semver_valid(b);

	if (!va || !vb) {
		if (va != vb)
			return va ? 1 : -1;
		r = strcmp(a, b);
		return (r > 0) - (r < 0);
	}
	/* MAJOR.MINOR.PATCH, numerically. */
	for (i = 0; i < 3; i++) {
		an = strspn(a, "0123456789");
		bn = strspn(b, "0123456789");
		if ((r = num_cmp(a, an, b, bn)) != 0)
			return r;
		a += an;
		b += bn;
		if (i < 2) {
			a++;
			b++;
		}
	}
	/* A prerelease sorts before its release. */
	if (*a == '\0' || *b == '\0')
		return (*a == '\0') - (*b == '\0');
	a++;
	b++;
	/* Identifiers left to right: numeric ones numerically and before
	 * alphanumeric ones, which compare in ASCII order; a longer list wins
	 * when all before are equal (semver.org 2.0.0, item 11). */
	for (;;) {
		int ad, bd;

		an = strcspn(a, ".");
		bn = strcspn(b, ".");
		ad = all_digits(a, an);
		bd = all_digits(b, bn);
		if (ad && bd) {
			r = num_cmp(a, an, b, bn);
		} else if (ad != bd) {
			r = ad ? -1 : 1;
		} else {
			r = memcmp(a, b, an < bn ? an : bn);
			r = r != 0 ? (r > 0) - (r < 0) : (an > bn) - (an < bn);
		}
		if (r != 0)
			return r;
		a += an;
		b += bn;
		if (*a == '\0' || *b == '\0')
			return (*a != '\0') - (*b != '\0');
		a++;
		b++;
	}
}

/* ---- finding a baseline by id ------------------------------------------- */

static int
id_valid(const char *s)
{
	size_t i;

	if (s[0] == '\0' || s[0] == '-' || strlen(s) > 64)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-'))
			return 0;
	return 1;
}

/* The highest version of dir/id/VERSION.xml, or NULL (caller frees). */
static char *
highest_in(const char *dir, const char *id)
{
	char *sub = xasprintf("%s/%s", dir, id);
	char *best = NULL;
	struct dirent *de;
	size_t seen = 0;
	DIR *dp;

	dp = opendir(sub);
	if (dp == NULL) {
		free(sub);
		return NULL;
	}
	while ((de = readdir(dp)) != NULL && seen++ < PLUMB_DIR_ENTRIES_MAX) {
		size_t n = strlen(de->d_name);
		struct stat st;
		char *ver, *file;

		if (n <= 4 || strcmp(de->d_name + n - 4, ".xml") != 0)
			continue;
		ver = xstrndup(de->d_name, n - 4);
		file = xasprintf("%s/%s", sub, de->d_name);
		if (semver_valid(ver) && stat(file, &st) == 0 &&
		    S_ISREG(st.st_mode) &&
		    (best == NULL || semver_cmp(ver, best) > 0)) {
			free(best);
			best = ver;
			ver = NULL;
		}
		free(ver);
		free(file);
	}
	closedir(dp);
	free(sub);
	return best;
}

/*
 * The search path is read in order and the first directory that holds any
 * version of the id wins, as PATH does: a directory named earlier (a test
 * tree, an organisation's own baselines) is never outvoted by a higher
 * version installed later in the path.
 */
int
baseline_resolve(const char *arg, char **path, struct errbuf *e)
{
	const char *env = getenv("PLUMB_BASELINE_PATH");
	char *dirs = xstrdup(env != NULL ? env : "");
	char *cur, *next, *ver;
	struct dynbuf searched;
	struct stat st;
	int r;

	*path = NULL;
	if (stat(arg, &st) == 0) {
		free(dirs);
		if (S_ISDIR(st.st_mode))
			return err_set(e, PLUMB_EUSAGE, "%s: is a directory, not "
				       "a baseline file or id", arg);
		*path = xstrdup(arg);
		return 0;
	}
	if (!id_valid(arg)) {
		r = err_set(e, PLUMB_ENOENT, "%s: %s (and not a baseline id: "
			    "those are [a-z0-9-]+)", arg, strerror(errno));
		free(dirs);
		return r;
	}
	dynbuf_init(&searched, PLUMB_ERRMSG_MAX);
	for (cur = dirs;; cur = next + 1) {
		next = strchr(cur, ':');
		if (next != NULL)
			*next = '\0';
		if (*cur != '\0') {
			if ((ver = highest_in(cur, arg)) != NULL) {
				*path = xasprintf("%s/%s/%s.xml", cur, arg, ver);
				free(ver);
				goto found;
			}
			(void)dynbuf_printf(&searched, "%s%s",
					    searched.len ? ", " : "", cur);
		}
		if (next == NULL)
			break;
	}
	if ((ver = highest_in(PLUMB_DATADIR "/baselines", arg)) != NULL) {
		*path = xasprintf("%s/%s/%s.xml", PLUMB_DATADIR "/baselines",
				  arg, ver);
		free(ver);
		goto found;
	}
	(void)dynbuf_printf(&searched, "%s%s", searched.len ? ", " : "",
			    PLUMB_DATADIR "/baselines");
	r = err_set(e, PLUMB_ENOENT, "no baseline '%s': no file of that name, "
		    "and no %s/VERSION.xml in %s ($PLUMB_BASELINE_PATH, then the "
		    "installed baselines)", arg, arg,
		    searched.data != NULL ? searched.data : "");
	dynbuf_release(&searched);
	free(dirs);
	return r;
found:
	dynbuf_release(&searched);
	free(dirs);
	return 0;
}

/* ---- parameters --------------------------------------------------------- */

const char *
check_param_get(const struct check *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nparams; i++)
		if (c->params[i].name != NULL &&
		    strcmp(c->params[i].name, name) == 0)
			return c->params[i].value;
	return NULL;
}

long long
check_param_int(const struct check *c, const char *name, long long def)
{
	const char *v = check_param_get(c, name);
	long long n;

	if (v == NULL || parse_ll(v, LLONG_MIN, LLONG_MAX, &n) != 0)
		return def;
	return n;
}

int
check_param_bool(const struct check *c, const char *name, int def)
{
	const char *v = check_param_get(c, name);

	if (v == NULL)
		return def;
	if (strcmp(v, "true") == 0)
		return 1;
	if (strcmp(v, "false") == 0)
		return 0;
	return def;
}

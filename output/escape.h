/*
 * escape.h - the one place where text from the scanned host is made safe
 * for the output languages.
 *
 * Strings in a scan document come from a host that may be hostile: they may
 * hold invalid UTF-8 (a document built with jansson's _nocheck calls, or a
 * future probe that forgets), control characters that XML 1.0 cannot carry
 * even as character references, or markup.  Markup is escaped by the
 * libraries that write each format (libxml2's xmlTextWriter, jansson); this
 * module makes sure what they are handed is text they can represent, so
 * every report stays well-formed whatever the host said.
 */
#ifndef PLUMB_ESCAPE_H
#define PLUMB_ESCAPE_H

#include <stddef.h>

#include <jansson.h>

/* What the sanitised text will be written into. */
enum escape_lang {
	ESCAPE_JSON,	/* valid UTF-8; control characters are jansson's job */
	ESCAPE_XML,	/* valid UTF-8 holding only XML 1.0 Chars */
	ESCAPE_LINE,	/* as XML, and tabs, CR and LF become spaces: one line */
	ESCAPE_TERM,	/* as LINE, and DEL and C1 controls are replaced too,
			 * so text cannot drive a terminal */
};

/* The replacement for every byte or character that cannot be carried. */
#define ESCAPE_REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD */

/*
 * Returns a new NUL-terminated copy of the n bytes at s (s may be NULL when
 * n is 0) in which every byte that does not start a valid UTF-8 sequence,
 * every NUL, and (for ESCAPE_XML/LINE/TERM) every character outside XML
 * 1.0's Char production (for TERM also U+007F-U+009F) is replaced by U+FFFD.  The caller frees it.
 */
char *escape_text(const char *s, size_t n, enum escape_lang lang);

/* True when the n bytes at s would come out of escape_text unchanged. */
int escape_is_clean(const char *s, size_t n, enum escape_lang lang);

/*
 * The string value of v (a jansson string, whose length may include NUL
 * bytes) or of a NULL/non-string (""), sanitised for lang.  The caller
 * frees it.
 */
char *escape_json_value(const json_t *v, enum escape_lang lang);

/* A new jansson string holding s sanitised for JSON (NULL gives ""). */
json_t *escape_json_string(const char *s);

/* A deep copy of v whose every string and object key is sanitised for
 * JSON, so jansson can always dump it (new reference; NULL gives null). */
json_t *escape_json_deep(const json_t *v);

/* json_dumps(escape_json_deep(v), flags): never NULL; the caller frees. */
char *escape_json_dump(const json_t *v, size_t flags);

#endif

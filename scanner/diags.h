/*
 * diags.h - lists of problems found in an input file, one printable
 * "file:line: message" line each, so a command can show an author every
 * problem of a file at once (`plumb baseline lint`, owners files, plumb.conf).
 */
#ifndef PLUMB_DIAGS_H
#define PLUMB_DIAGS_H

#include <stddef.h>

/* Problems found while loading: "file:line: message" lines. */
struct diags {
	char **lines;
	size_t n;
};

/*
 * Adds "file:line: message" ("file: message" when line <= 0, the message
 * alone when file is NULL), made one printable line (see diags_clean).  A
 * NULL d is ignored.  The list holds at most PLUMB_DIAGS_MAX lines; its last
 * slot then says the rest were left out.  Returns 1 when the message itself
 * was added, 0 otherwise.
 */
int diags_addl(struct diags *d, const char *file, int line, const char *msg);
void diags_add(struct diags *d, const char *file, int line,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void diags_release(struct diags *d);

/*
 * Returns msg as one printable line of less than PLUMB_ERRMSG_MAX bytes
 * (the caller frees): control characters (C0, DEL and the C1 range, which
 * some terminals obey) become escapes, invalid UTF-8 becomes '?', and a
 * long line is cut on a character boundary with "...".
 */
char *diags_clean(const char *msg);

#endif

/*
 * diags.c - problem lists for input files (see diags.h).
 *
 * Messages quote text from files that may be hostile, so every line is
 * cleaned on the way in: nothing a file contains can drive the terminal
 * that shows the list, and no list grows without bound.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diags.h"
#include "plumb_limits.h"
#include "util.h"

char *
diags_clean(const char *msg)
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

int
diags_addl(struct diags *d, const char *file, int line, const char *msg)
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
	d->lines[d->n++] = diags_clean(full);
	free(full);
	return added;
}

void
diags_add(struct diags *d, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int r;

	if (d == NULL)
		return;
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		abort();
	(void)diags_addl(d, file, line, msg);
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

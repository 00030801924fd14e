/*
 * util.h - allocation, error messages, bounded buffers and small helpers
 * shared by every module.
 *
 * Allocation failure aborts (xmalloc and friends), so callers need no NULL
 * checks for memory.  Fallible functions return 0 or a negative PLUMB_E*
 * code and describe the failure in a struct errbuf owned by the caller.
 */
#ifndef PLUMB_UTIL_H
#define PLUMB_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "plumb_limits.h"

enum {
	PLUMB_OK = 0,
	PLUMB_EIO = -1,		/* reading or writing failed */
	PLUMB_EPARSE = -2,	/* input is malformed */
	PLUMB_ELIMIT = -3,	/* input exceeds a limit in limits.h */
	PLUMB_ENOENT = -4,	/* the thing asked for does not exist */
	PLUMB_EUSAGE = -5,	/* the caller asked for something invalid */
	PLUMB_EESCAPE = -6,	/* a path tried to leave the scan root */
	PLUMB_EDB = -7,		/* the history database failed */
	PLUMB_EPERM = -8,	/* permission denied */
	PLUMB_ENET = -9,	/* a network operation failed */
	PLUMB_EBUSY = -10,	/* another plumb holds a lock */
	PLUMB_EINVAL = -11,	/* content failed validation */
};

/* An error message, filled by the function that failed, read by the caller. */
struct errbuf {
	char msg[PLUMB_ERRMSG_MAX];
};

/* Formats a message into e (when e is not NULL) and returns code. */
int err_set(struct errbuf *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefixes e's existing message with "prefix: " and returns code. */
int err_prefix(struct errbuf *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Allocation helpers: never return NULL; abort the process on exhaustion. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A growable byte buffer with a maximum set at creation (as curl's dynbuf).
 * The data is always NUL-terminated so text can be read as a C string.
 */
struct dynbuf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};
void dynbuf_init(struct dynbuf *b, size_t max);
/* Appends n bytes; returns PLUMB_ELIMIT (buffer unchanged) past b->max. */
int dynbuf_add(struct dynbuf *b, const void *p, size_t n);
int dynbuf_addstr(struct dynbuf *b, const char *s);
int dynbuf_printf(struct dynbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Hands the data to the caller (who frees it) and resets b. */
char *dynbuf_take(struct dynbuf *b, size_t *len);
void dynbuf_release(struct dynbuf *b);

/* Parses a whole base-10 integer in [min, max]; 0 or PLUMB_EPARSE. */
int parse_ll(const char *s, long long min, long long max, long long *out);

/* True if s (length n) is valid UTF-8 without NUL bytes. */
int utf8_valid(const char *s, size_t n);

/*
 * Host text as a JSON string.  jansson takes UTF-8 only, so a byte that is
 * not part of a valid UTF-8 sequence is written as the four characters \xNN
 * instead of the field disappearing; valid sequences are kept.  NULL gives
 * JSON null.  Never returns NULL.
 */
json_t *json_host_str(const char *s);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void hex_encode(const unsigned char *in, size_t n, char *out);

/* SHA-256 of a buffer as 64 hex characters + NUL. */
void sha256_hex(const void *data, size_t n, char out[65]);

/* Current time as an RFC 3339 UTC string "2026-11-23T08:00:00Z". */
void time_rfc3339(time_t t, char out[32]);
/* Parses "YYYY-MM-DD" or RFC 3339 UTC; 0 or PLUMB_EPARSE. */
int time_parse(const char *s, time_t *out);

/* Writes data to path atomically (temp file + fsync + rename), mode 0644
 * unless mode is given. */
int write_file_atomic(const char *path, const void *data, size_t n, mode_t mode,
		      struct errbuf *e);

/* Creates the missing directories above path (not path itself), each
 * mode 0700: plumb's state holds evidence about the host that others need
 * not read.  0 or PLUMB_EPERM / PLUMB_EIO with the directory named. */
int mkdir_parents(const char *path, struct errbuf *e);

/* Reads a file of the invoking user (not the scanned host: use plat_ for
 * that) up to max bytes, NUL-terminated; the caller frees *out. */
int read_local_file(const char *path, size_t max, char **out, size_t *len,
		    struct errbuf *e);

#endif

/*
 * util.c - allocation, error messages, bounded buffers and small helpers.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "util.h"

int
err_set(struct errbuf *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

int
err_prefix(struct errbuf *e, int code, const char *fmt, ...)
{
	char joined[2 * PLUMB_ERRMSG_MAX + 2];
	size_t n;
	va_list ap;

	if (e == NULL)
		return code;
	va_start(ap, fmt);
	vsnprintf(joined, PLUMB_ERRMSG_MAX, fmt, ap);
	va_end(ap);
	n = strlen(joined);
	joined[n++] = ':';
	joined[n++] = ' ';
	memcpy(joined + n, e->msg, sizeof(e->msg));
	joined[n + sizeof(e->msg) - 1] = '\0';
	memcpy(e->msg, joined, sizeof(e->msg));
	e->msg[sizeof(e->msg) - 1] = '\0';
	return code;
}

static void
oom(void)
{
	static const char msg[] = "plumb: out of memory\n";

	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom();
	return q;
}

void *
xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		oom();
	return xrealloc(p, nmemb * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	return p;
}

void
dynbuf_init(struct dynbuf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

int
dynbuf_add(struct dynbuf *b, const void *p, size_t n)
{
	size_t need;

	if (n > b->max || b->len > b->max - n)
		return PLUMB_ELIMIT;
	need = b->len + n + 1;
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < need)
			cap = cap > SIZE_MAX / 2 ? need : cap * 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return PLUMB_OK;
}

int
dynbuf_addstr(struct dynbuf *b, const char *s)
{
	return dynbuf_add(b, s, strlen(s));
}

int
dynbuf_printf(struct dynbuf *b, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n, r;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	r = dynbuf_add(b, p, (size_t)n);
	free(p);
	return r;
}

char *
dynbuf_take(struct dynbuf *b, size_t *len)
{
	char *p = b->data;

	if (p == NULL)
		p = xstrdup("");
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void
dynbuf_release(struct dynbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int
parse_ll(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return PLUMB_EPARSE;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return PLUMB_EPARSE;
	*out = v;
	return PLUMB_OK;
}

int
utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned char c = p[i];
		size_t len, k;
		unsigned int cp;

		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			len = 2;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		/* Reject overlong forms, surrogates and values past U+10FFFF. */
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

/* The length of the valid UTF-8 sequence at s (at most n bytes), 0 if none
 * starts there. */
static size_t
utf8_seq_len(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t k = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 :
		   (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;

	return k != 0 && k <= n && utf8_valid(s, k) ? k : 0;
}

json_t *
json_host_str(const char *s)
{
	struct dynbuf b;
	json_t *j;
	size_t i = 0, n, k;

	if (s == NULL)
		return json_null();
	n = strlen(s);
	if (utf8_valid(s, n))
		return json_stringn(s, n);
	dynbuf_init(&b, 4 * n + 1);
	while (i < n) {
		if ((k = utf8_seq_len(s + i, n - i)) != 0) {
			(void)dynbuf_add(&b, s + i, k);
			i += k;
		} else {
			(void)dynbuf_printf(&b, "\\x%02x",
					    (unsigned char)s[i]);
			i++;
		}
	}
	j = json_stringn(b.data != NULL ? b.data : "", b.len);
	dynbuf_release(&b);
	return j != NULL ? j : json_string("");
}

void
hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

void
sha256_hex(const void *data, size_t n, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(data, n, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		abort();
	hex_encode(md, 32, out);
}

void
time_rfc3339(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
time_parse(const char *s, time_t *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0') {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%d", &tm);
		if (end == NULL || *end != '\0')
			return PLUMB_EPARSE;
	}
	*out = timegm(&tm);
	return PLUMB_OK;
}

int
write_file_atomic(const char *path, const void *data, size_t n, mode_t mode,
		  struct errbuf *e)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	const char *p = data;
	int fd, r = PLUMB_OK;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  mode ? mode : 0644);
	if (fd < 0) {
		r = err_set(e, PLUMB_EIO, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return r;
	}
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			r = err_set(e, PLUMB_EIO, "%s: %s", path, strerror(errno));
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	if (r == PLUMB_OK && fsync(fd) != 0)
		r = err_set(e, PLUMB_EIO, "%s: %s", path, strerror(errno));
	if (close(fd) != 0 && r == PLUMB_OK)
		r = err_set(e, PLUMB_EIO, "%s: %s", path, strerror(errno));
	if (r == PLUMB_OK && rename(tmp, path) != 0)
		r = err_set(e, PLUMB_EIO, "%s: %s", path, strerror(errno));
	if (r != PLUMB_OK)
		unlink(tmp);
	free(tmp);
	return r;
}

int
read_local_file(const char *path, size_t max, char **out, size_t *len,
		struct errbuf *e)
{
	struct dynbuf b;
	char chunk[65536];
	int fd, r = PLUMB_OK;

	*out = NULL;
	if (len != NULL)
		*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno == ENOENT ? PLUMB_ENOENT : PLUMB_EIO,
			       "%s: %s", path, strerror(errno));
	dynbuf_init(&b, max);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = err_set(e, PLUMB_EIO, "%s: %s", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (dynbuf_add(&b, chunk, (size_t)n) != PLUMB_OK) {
			r = err_set(e, PLUMB_ELIMIT, "%s: larger than %zu bytes",
				    path, max);
			break;
		}
	}
	close(fd);
	if (r != PLUMB_OK) {
		dynbuf_release(&b);
		return r;
	}
	*out = dynbuf_take(&b, len);
	return PLUMB_OK;
}

int
mkdir_parents(const char *path, struct errbuf *e)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	char *p, c;
	int r = PLUMB_OK;

	if (slash == NULL || slash == dir)
		goto out;
	*slash = '\0';
	/* Each prefix ending at a '/' (and the whole directory), top down. */
	for (p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			r = err_set(e, errno == EACCES ? PLUMB_EPERM : PLUMB_EIO,
				    "%s: cannot create directory: %s", dir,
				    strerror(errno));
			goto out;
		}
		*p = c;
		if (c == '\0')
			break;
	}
out:
	free(dir);
	return r;
}

/*
 * dpkg.c - deb822 stanzas from dpkg's status file and apt's lists, through
 * a capped, decompressing byte source.
 *
 * apt keeps its lists plain, or gzip/xz/lz4-compressed when
 * Acquire::GzipIndexes is set (Debian's container images set it, and their
 * apt picks lz4), so the source decompresses all three with zlib, liblzma
 * and liblz4.  The decompressed size is capped: a list that inflates past
 * the cap is refused, not read into memory.  The parser is streaming: it
 * holds one stanza (and only the fields asked for) at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>

#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>

#include "dpkg.h"
#include "vercmp.h"

/* Compressed bytes read from the file at a time, and decompressed bytes the
 * parser asks for at a time. */
#define DPKG_CHUNK (64u * 1024)

struct dpkg_source {
	char *name;
	enum dpkg_comp comp;
	size_t max;		/* cap on bytes produced (and read) */
	size_t produced;
	size_t consumed;	/* raw bytes taken from the file */
	int fd;			/* -1 when reading memory */
	const unsigned char *mem;
	size_t mem_len;
	unsigned char *in;	/* raw input window for the decoders */
	size_t in_len, in_off;
	int in_eof;
	int done;
	int z_init;
	z_stream z;
	int x_init;
	lzma_stream x;
	LZ4F_dctx *lz;
	size_t lz_hint;		/* 0 between LZ4 frames */
	int lz_started;		/* at least one frame header seen */
};

int
dpkg_comp_from_name(const char *name, enum dpkg_comp *out, struct errbuf *e)
{
	static const char *const unsupported[] = { ".bz2", ".lzma", ".zst",
						   NULL };
	size_t n = strlen(name), i;

	*out = DPKG_COMP_NONE;
	if (n > 3 && strcmp(name + n - 3, ".gz") == 0)
		*out = DPKG_COMP_GZIP;
	else if (n > 3 && strcmp(name + n - 3, ".xz") == 0)
		*out = DPKG_COMP_XZ;
	else if (n > 4 && strcmp(name + n - 4, ".lz4") == 0)
		*out = DPKG_COMP_LZ4;
	for (i = 0; unsupported[i] != NULL; i++) {
		size_t k = strlen(unsupported[i]);

		if (n > k && strcmp(name + n - k, unsupported[i]) == 0)
			return err_set(e, PLUMB_EINVAL, "%s: %s compression is "
				       "not read by plumb (gzip, xz and lz4 are)",
				       name, unsupported[i] + 1);
	}
	return PLUMB_OK;
}

static int
source_new(int fd, const void *mem, size_t mem_len, const char *name,
	   enum dpkg_comp comp, size_t max, struct dpkg_source **out,
	   struct errbuf *e)
{
	struct dpkg_source *s = xcalloc(1, sizeof(*s));
	int rc = PLUMB_OK;

	s->name = xstrdup(name);
	s->comp = comp;
	s->max = max;
	s->fd = fd;
	s->mem = mem;
	s->mem_len = mem_len;
	if (comp != DPKG_COMP_NONE)
		s->in = xmalloc(DPKG_CHUNK);
	switch (comp) {
	case DPKG_COMP_NONE:
		break;
	case DPKG_COMP_GZIP:
		/* 15 + 32: the largest window, gzip or zlib header detected. */
		if (inflateInit2(&s->z, 15 + 32) != Z_OK) {
			rc = err_set(e, PLUMB_EIO, "%s: cannot start gzip "
				     "decoding", name);
			goto out;
		}
		s->z_init = 1;
		break;
	case DPKG_COMP_XZ: {
		lzma_stream init = LZMA_STREAM_INIT;

		s->x = init;
		if (lzma_stream_decoder(&s->x, PLUMB_XZ_MEMLIMIT,
					LZMA_CONCATENATED) != LZMA_OK) {
			rc = err_set(e, PLUMB_EIO, "%s: cannot start xz "
				     "decoding", name);
			goto out;
		}
		s->x_init = 1;
		break;
	}
	case DPKG_COMP_LZ4:
		if (LZ4F_isError(LZ4F_createDecompressionContext(&s->lz,
								 LZ4F_VERSION))) {
			rc = err_set(e, PLUMB_EIO, "%s: cannot start lz4 "
				     "decoding", name);
			goto out;
		}
		break;
	}
out:
	if (rc != PLUMB_OK) {
		s->fd = -1;	/* the caller closes it on failure */
		dpkg_source_free(s);
		return rc;
	}
	*out = s;
	return PLUMB_OK;
}

int
dpkg_source_fd(int fd, const char *name, enum dpkg_comp comp, size_t max,
	       struct dpkg_source **out, struct errbuf *e)
{
	int rc;

	*out = NULL;
	rc = source_new(fd, NULL, 0, name, comp, max, out, e);
	if (rc != PLUMB_OK)
		close(fd);
	return rc;
}

int
dpkg_source_mem(const void *data, size_t len, const char *name,
		enum dpkg_comp comp, size_t max, struct dpkg_source **out,
		struct errbuf *e)
{
	*out = NULL;
	return source_new(-1, data, len, name, comp, max, out, e);
}

int
dpkg_source_open(const struct plat_root *r, const char *path, size_t max,
		 struct dpkg_source **out, struct errbuf *e)
{
	char *name = xasprintf("%s%s", path[0] == '/' ? "" : "/", path);
	enum dpkg_comp comp;
	struct stat st, st2;
	int fd = -1, rc;

	*out = NULL;
	if ((rc = dpkg_comp_from_name(name, &comp, e)) != 0)
		goto out;
	/* Only regular files: opening a device or FIFO of a hostile image
	 * could block or have effects.  The file opened must be the one
	 * checked. */
	if ((rc = plat_stat(r, path, 1, &st, e)) != 0)
		goto out;
	if (!S_ISREG(st.st_mode)) {
		rc = err_set(e, PLUMB_EIO, "%s: not a regular file", name);
		goto out;
	}
	if ((rc = plat_open(r, path, PLAT_NONBLOCK, &fd, e)) != 0)
		goto out;
	if (fstat(fd, &st2) != 0 || st2.st_dev != st.st_dev ||
	    st2.st_ino != st.st_ino) {
		close(fd);
		rc = err_set(e, PLUMB_EIO, "%s: changed while being opened",
			     name);
		goto out;
	}
	rc = dpkg_source_fd(fd, name, comp, max, out, e);
out:
	free(name);
	return rc;
}

const char *
dpkg_source_name(const struct dpkg_source *s)
{
	return s->name;
}

void
dpkg_source_free(struct dpkg_source *s)
{
	if (s == NULL)
		return;
	if (s->z_init)
		inflateEnd(&s->z);
	if (s->x_init)
		lzma_end(&s->x);
	if (s->lz != NULL)
		LZ4F_freeDecompressionContext(s->lz);
	if (s->fd >= 0)
		close(s->fd);
	free(s->in);
	free(s->name);
	free(s);
}

/* Raw bytes from the file or memory, at most n; *got == 0 at the end.  The
 * raw input is capped like the output: a compressed file larger than the
 * cap cannot be a legitimate list either. */
static int
raw_read(struct dpkg_source *s, unsigned char *buf, size_t n, size_t *got,
	 struct errbuf *e)
{
	ssize_t k;

	*got = 0;
	if (s->consumed >= s->max + 1)
		return err_set(e, PLUMB_ELIMIT, "%s: larger than %zu bytes",
			       s->name, s->max);
	if (n > s->max + 1 - s->consumed)
		n = s->max + 1 - s->consumed;
	if (s->fd < 0) {
		if (n > s->mem_len - s->consumed)
			n = s->mem_len - s->consumed;
		memcpy(buf, s->mem + s->consumed, n);
		*got = n;
	} else {
		do
			k = read(s->fd, buf, n);
		while (k < 0 && errno == EINTR);
		if (k < 0)
			return err_set(e, PLUMB_EIO, "%s: read: %s", s->name,
				       strerror(errno));
		*got = (size_t)k;
	}
	s->consumed += *got;
	if (s->consumed > s->max)
		return err_set(e, PLUMB_ELIMIT, "%s: larger than %zu bytes",
			       s->name, s->max);
	return PLUMB_OK;
}

/* Makes sure the input window holds bytes unless the input has ended. */
static int
fill_input(struct dpkg_source *s, struct errbuf *e)
{
	size_t got;
	int rc;

	if (s->in_off < s->in_len || s->in_eof)
		return PLUMB_OK;
	if ((rc = raw_read(s, s->in, DPKG_CHUNK, &got, e)) != 0)
		return rc;
	s->in_off = 0;
	s->in_len = got;
	if (got == 0)
		s->in_eof = 1;
	return PLUMB_OK;
}

static int
read_gzip(struct dpkg_source *s, unsigned char *buf, size_t cap, size_t *got,
	  struct errbuf *e)
{
	int rc, zr;

	while (*got == 0 && !s->done) {
		if ((rc = fill_input(s, e)) != 0)
			return rc;
		s->z.next_in = s->in + s->in_off;
		s->z.avail_in = (uInt)(s->in_len - s->in_off);
		s->z.next_out = buf;
		s->z.avail_out = (uInt)cap;
		zr = inflate(&s->z, Z_NO_FLUSH);
		s->in_off = s->in_len - s->z.avail_in;
		*got = cap - s->z.avail_out;
		if (zr == Z_STREAM_END) {
			/* Another gzip member may follow, as gzip itself
			 * reads concatenated files. */
			if ((rc = fill_input(s, e)) != 0)
				return rc;
			if (s->in_off == s->in_len && s->in_eof)
				s->done = 1;
			else
				inflateReset(&s->z);
		} else if (zr == Z_BUF_ERROR || zr == Z_OK) {
			if (*got == 0 && s->in_eof && s->in_off == s->in_len)
				return err_set(e, PLUMB_EPARSE, "%s: gzip data "
					       "is truncated", s->name);
		} else {
			return err_set(e, PLUMB_EPARSE, "%s: corrupt gzip "
				       "data (%s)", s->name,
				       s->z.msg != NULL ? s->z.msg : "error");
		}
	}
	return PLUMB_OK;
}

static const char *
lzma_error_text(lzma_ret r)
{
	switch (r) {
	case LZMA_MEM_ERROR:
		return "out of memory";
	case LZMA_MEMLIMIT_ERROR:
		return "needs more memory than plumb allows the xz decoder";
	case LZMA_FORMAT_ERROR:
		return "not xz data";
	case LZMA_OPTIONS_ERROR:
		return "unsupported xz options";
	case LZMA_DATA_ERROR:
		return "corrupt xz data";
	case LZMA_BUF_ERROR:
		return "xz data is truncated";
	default:
		return "xz decoding failed";
	}
}

static int
read_xz(struct dpkg_source *s, unsigned char *buf, size_t cap, size_t *got,
	struct errbuf *e)
{
	lzma_ret xr;
	int rc;

	while (*got == 0 && !s->done) {
		if ((rc = fill_input(s, e)) != 0)
			return rc;
		s->x.next_in = s->in + s->in_off;
		s->x.avail_in = s->in_len - s->in_off;
		s->x.next_out = buf;
		s->x.avail_out = cap;
		xr = lzma_code(&s->x, s->in_eof ? LZMA_FINISH : LZMA_RUN);
		s->in_off = s->in_len - s->x.avail_in;
		*got = cap - s->x.avail_out;
		if (xr == LZMA_STREAM_END)
			s->done = 1;
		else if (xr != LZMA_OK)
			return err_set(e, PLUMB_EPARSE, "%s: %s", s->name,
				       lzma_error_text(xr));
	}
	return PLUMB_OK;
}

static int
read_lz4(struct dpkg_source *s, unsigned char *buf, size_t cap, size_t *got,
	 struct errbuf *e)
{
	size_t r, in_n, out_n;
	int rc;

	while (*got == 0 && !s->done) {
		if ((rc = fill_input(s, e)) != 0)
			return rc;
		if (s->in_off == s->in_len) {
			/* End of input: fine only between frames. */
			if (!s->lz_started)
				return err_set(e, PLUMB_EPARSE, "%s: empty lz4 "
					       "file", s->name);
			if (s->lz_hint != 0)
				return err_set(e, PLUMB_EPARSE, "%s: lz4 data "
					       "is truncated", s->name);
			s->done = 1;
			break;
		}
		in_n = s->in_len - s->in_off;
		out_n = cap;
		r = LZ4F_decompress(s->lz, buf, &out_n, s->in + s->in_off,
				    &in_n, NULL);
		if (LZ4F_isError(r))
			return err_set(e, PLUMB_EPARSE, "%s: corrupt lz4 data "
				       "(%s)", s->name, LZ4F_getErrorName(r));
		s->lz_started = 1;
		s->lz_hint = r;
		s->in_off += in_n;
		*got = out_n;
	}
	return PLUMB_OK;
}

int
dpkg_source_read(struct dpkg_source *s, void *buf, size_t cap, size_t *got,
		 struct errbuf *e)
{
	int rc;

	*got = 0;
	if (cap == 0)
		return PLUMB_OK;
	/* Ask for at most one byte past the cap, so a bomb is caught having
	 * produced only that much. */
	if (cap > s->max + 1 - s->produced)
		cap = s->max + 1 - s->produced;
	switch (s->comp) {
	case DPKG_COMP_NONE:
		rc = raw_read(s, buf, cap, got, e);
		break;
	case DPKG_COMP_GZIP:
		rc = read_gzip(s, buf, cap, got, e);
		break;
	case DPKG_COMP_XZ:
		rc = read_xz(s, buf, cap, got, e);
		break;
	case DPKG_COMP_LZ4:
		rc = read_lz4(s, buf, cap, got, e);
		break;
	default:
		rc = err_set(e, PLUMB_EUSAGE, "%s: unknown compression",
			     s->name);
		break;
	}
	if (rc != PLUMB_OK)
		return rc;
	s->produced += *got;
	if (s->produced > s->max)
		return err_set(e, PLUMB_ELIMIT, "%s: more than %zu bytes after "
			       "decompression (a decompression bomb?)",
			       s->name, s->max);
	return PLUMB_OK;
}

int
dpkg_source_slurp(struct dpkg_source *s, char **data, size_t *len,
		  struct errbuf *e)
{
	struct dynbuf b;
	char *chunk = xmalloc(DPKG_CHUNK);
	size_t got;
	int rc;

	*data = NULL;
	if (len != NULL)
		*len = 0;
	/* The source enforces the cap; the buffer only needs room for it. */
	dynbuf_init(&b, s->max + 1);
	for (;;) {
		if ((rc = dpkg_source_read(s, chunk, DPKG_CHUNK, &got, e)) != 0)
			goto out;
		if (got == 0)
			break;
		if ((rc = dynbuf_add(&b, chunk, got)) != 0) {
			rc = err_set(e, PLUMB_ELIMIT, "%s: larger than %zu "
				     "bytes", s->name, s->max);
			goto out;
		}
	}
	if (b.data == NULL)
		dynbuf_add(&b, "", 0);
	*data = dynbuf_take(&b, len);
out:
	dynbuf_release(&b);
	free(chunk);
	return rc;
}

/* --- stanza parser ------------------------------------------------- */

struct field_ref {
	size_t name_off;
	size_t value_off;
	int line;
};

struct parser {
	struct dpkg_source *src;
	const char *const *want;
	char *buf;		/* line window */
	size_t cap, start, len;
	int eof;
	int lineno;
	/* the stanza being built */
	struct dynbuf store;	/* "name\0value\0" per kept field */
	struct field_ref *refs;
	size_t nrefs, refs_cap;
	size_t stanza_bytes;
	size_t nfields;		/* all fields, kept or not */
	int stanza_line;
	int in_stanza;
	int cur_kept;		/* the last field line is kept */
	struct dpkg_field *fields;
	size_t fields_cap;
};

static int
wanted(const struct parser *p, const char *name, size_t n)
{
	size_t i;

	if (p->want == NULL)
		return 1;
	for (i = 0; p->want[i] != NULL; i++)
		if (strlen(p->want[i]) == n &&
		    strncasecmp(p->want[i], name, n) == 0)
			return 1;
	return 0;
}

/* The next line, without its '\n', in line and n; n is (size_t)-1 at the
 * end of the input. */
static int
next_line(struct parser *p, const char **line, size_t *n, struct errbuf *e)
{
	char *nl;
	size_t got;
	int rc;

	for (;;) {
		nl = memchr(p->buf + p->start, '\n', p->len - p->start);
		if (nl != NULL) {
			*line = p->buf + p->start;
			*n = (size_t)(nl - *line);
			p->start += *n + 1;
			p->lineno++;
			return PLUMB_OK;
		}
		if (p->eof) {
			if (p->start < p->len) {
				*line = p->buf + p->start;
				*n = p->len - p->start;
				p->start = p->len;
				p->lineno++;
			} else {
				*n = (size_t)-1;
			}
			return PLUMB_OK;
		}
		if (p->start > 0) {
			memmove(p->buf, p->buf + p->start, p->len - p->start);
			p->len -= p->start;
			p->start = 0;
		}
		if (p->cap - p->len < DPKG_CHUNK) {
			if (p->cap >= PLUMB_STANZA_MAX + DPKG_CHUNK)
				return err_set(e, PLUMB_ELIMIT, "%s:%d: line "
					       "longer than %u bytes",
					       dpkg_source_name(p->src),
					       p->lineno + 1, PLUMB_STANZA_MAX);
			p->cap *= 2;
			p->buf = xrealloc(p->buf, p->cap);
		}
		if ((rc = dpkg_source_read(p->src, p->buf + p->len,
					   p->cap - p->len, &got, e)) != 0)
			return rc;
		if (got == 0)
			p->eof = 1;
		p->len += got;
	}
}

static void
stanza_reset(struct parser *p)
{
	p->store.len = 0;
	p->nrefs = 0;
	p->stanza_bytes = 0;
	p->nfields = 0;
	p->in_stanza = 0;
	p->cur_kept = 0;
}

static int
stanza_emit(struct parser *p,
	    int (*fn)(const struct dpkg_stanza *, void *, struct errbuf *),
	    void *arg, struct errbuf *e)
{
	struct dpkg_stanza st;
	size_t i;
	int rc;

	if (!p->in_stanza)
		return PLUMB_OK;
	if (p->nrefs > p->fields_cap) {
		p->fields_cap = p->nrefs;
		p->fields = xreallocarray(p->fields, p->fields_cap,
					  sizeof(*p->fields));
	}
	for (i = 0; i < p->nrefs; i++) {
		p->fields[i].name = p->store.data + p->refs[i].name_off;
		p->fields[i].value = p->store.data + p->refs[i].value_off;
		p->fields[i].line = p->refs[i].line;
	}
	st.file = dpkg_source_name(p->src);
	st.line = p->stanza_line;
	st.fields = p->fields;
	st.nfields = p->nrefs;
	rc = fn(&st, arg, e);
	stanza_reset(p);
	return rc;
}

static int
is_blank_line(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

static size_t
trim_right(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n;
}

static int
field_line(struct parser *p, const char *line, size_t n, struct errbuf *e)
{
	const char *name = dpkg_source_name(p->src);
	const char *colon = memchr(line, ':', n);
	size_t nlen, i, voff;
	const char *v;

	if (colon == NULL)
		return err_set(e, PLUMB_EPARSE, "%s:%d: expected \"Field: "
			       "value\"", name, p->lineno);
	nlen = (size_t)(colon - line);
	if (nlen == 0)
		return err_set(e, PLUMB_EPARSE, "%s:%d: empty field name",
			       name, p->lineno);
	for (i = 0; i < nlen; i++)
		if ((unsigned char)line[i] <= ' ' ||
		    (unsigned char)line[i] == 0x7f)
			return err_set(e, PLUMB_EPARSE, "%s:%d: invalid "
				       "character in field name", name,
				       p->lineno);
	if (!p->in_stanza) {
		p->in_stanza = 1;
		p->stanza_line = p->lineno;
	}
	if (++p->nfields > PLUMB_STANZA_FIELDS_MAX)
		return err_set(e, PLUMB_ELIMIT, "%s:%d: more than %d fields in "
			       "one stanza", name, p->lineno,
			       PLUMB_STANZA_FIELDS_MAX);
	p->cur_kept = wanted(p, line, nlen);
	if (!p->cur_kept)
		return PLUMB_OK;
	for (i = 0; i < p->nrefs; i++)
		if (strlen(p->store.data + p->refs[i].name_off) == nlen &&
		    strncasecmp(p->store.data + p->refs[i].name_off, line,
				nlen) == 0)
			return err_set(e, PLUMB_EPARSE, "%s:%d: field %.*s "
				       "given twice (first at line %d)", name,
				       p->lineno, (int)nlen, line,
				       p->refs[i].line);
	v = colon + 1;
	while (v < line + n && (*v == ' ' || *v == '\t'))
		v++;
	if (p->nrefs == p->refs_cap) {
		p->refs_cap = p->refs_cap ? 2 * p->refs_cap : 16;
		p->refs = xreallocarray(p->refs, p->refs_cap,
					sizeof(*p->refs));
	}
	p->refs[p->nrefs].name_off = p->store.len;
	p->refs[p->nrefs].line = p->lineno;
	/* The store's max is the stanza cap, already checked by the caller,
	 * so these additions cannot fail. */
	dynbuf_add(&p->store, line, nlen);
	dynbuf_add(&p->store, "", 1);
	voff = p->store.len;
	p->refs[p->nrefs].value_off = voff;
	dynbuf_add(&p->store, v, trim_right(v, (size_t)(line + n - v)));
	dynbuf_add(&p->store, "", 1);
	p->nrefs++;
	return PLUMB_OK;
}

static int
continuation_line(struct parser *p, const char *line, size_t n,
		  struct errbuf *e)
{
	if (!p->in_stanza)
		return err_set(e, PLUMB_EPARSE, "%s:%d: continuation line "
			       "without a field before it",
			       dpkg_source_name(p->src), p->lineno);
	if (!p->cur_kept)
		return PLUMB_OK;
	/* The kept field is the last thing in the store: replace its NUL. */
	p->store.len--;
	dynbuf_add(&p->store, "\n", 1);
	dynbuf_add(&p->store, line, trim_right(line, n));
	dynbuf_add(&p->store, "", 1);
	return PLUMB_OK;
}

int
dpkg_parse(struct dpkg_source *src, const char *const *want,
	   int (*fn)(const struct dpkg_stanza *st, void *arg,
		     struct errbuf *e),
	   void *arg, struct errbuf *e)
{
	struct parser p;
	const char *line = NULL;
	size_t n = 0;
	int rc;

	memset(&p, 0, sizeof(p));
	p.src = src;
	p.want = want;
	p.cap = 4 * DPKG_CHUNK;
	p.buf = xmalloc(p.cap);
	/* Room for the stanza cap plus the separators the store adds. */
	dynbuf_init(&p.store, 2 * (size_t)PLUMB_STANZA_MAX);
	for (;;) {
		if ((rc = next_line(&p, &line, &n, e)) != 0)
			goto out;
		if (n == (size_t)-1)
			break;
		if (memchr(line, '\0', n) != NULL) {
			rc = err_set(e, PLUMB_EPARSE, "%s:%d: NUL byte",
				     dpkg_source_name(src), p.lineno);
			goto out;
		}
		if (is_blank_line(line, n)) {
			if ((rc = stanza_emit(&p, fn, arg, e)) != 0)
				goto out;
			continue;
		}
		p.stanza_bytes += n + 1;
		if (p.stanza_bytes > PLUMB_STANZA_MAX) {
			rc = err_set(e, PLUMB_ELIMIT, "%s:%d: stanza longer "
				     "than %u bytes", dpkg_source_name(src),
				     p.lineno, PLUMB_STANZA_MAX);
			goto out;
		}
		if (line[0] == ' ' || line[0] == '\t')
			rc = continuation_line(&p, line, n, e);
		else if (line[0] == '#')
			rc = PLUMB_OK;
		else
			rc = field_line(&p, line, n, e);
		if (rc != PLUMB_OK)
			goto out;
	}
	rc = stanza_emit(&p, fn, arg, e);
out:
	free(p.buf);
	free(p.refs);
	free(p.fields);
	dynbuf_release(&p.store);
	return rc;
}

const char *
dpkg_stanza_get(const struct dpkg_stanza *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nfields; i++)
		if (strcasecmp(s->fields[i].name, name) == 0)
			return s->fields[i].value;
	return NULL;
}

int
dpkg_stanza_line(const struct dpkg_stanza *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nfields; i++)
		if (strcasecmp(s->fields[i].name, name) == 0)
			return s->fields[i].line;
	return s->line;
}

/* --- the status database ------------------------------------------- */

struct db_build {
	struct dpkg_db *db;
	size_t cap;
	size_t broken_cap;
};

static int
status_word_in(const char *w, size_t n, const char *const *set)
{
	size_t i;

	for (i = 0; set[i] != NULL; i++)
		if (strlen(set[i]) == n && memcmp(set[i], w, n) == 0)
			return 1;
	return 0;
}

/* Splits "want flag status" into three words; 0 or PLUMB_EPARSE. */
static int
split_status(const char *s, const char *w[3], size_t n[3])
{
	int i;

	for (i = 0; i < 3; i++) {
		while (*s == ' ' || *s == '\t')
			s++;
		w[i] = s;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
		n[i] = (size_t)(s - w[i]);
		if (n[i] == 0)
			return PLUMB_EPARSE;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0' ? PLUMB_OK : PLUMB_EPARSE;
}

static int
db_stanza(const struct dpkg_stanza *st, void *arg, struct errbuf *e)
{
	static const char *const wants[] = { "unknown", "install", "hold",
					     "deinstall", "purge", NULL };
	static const char *const flags[] = { "ok", "reinstreq", NULL };
	static const char *const states[] = { "not-installed",
		"config-files", "half-installed", "unpacked",
		"half-configured", "triggers-awaited", "triggers-pending",
		"installed", NULL };
	static const char *const configured[] = { "installed",
		"triggers-awaited", "triggers-pending", NULL };
	struct db_build *b = arg;
	struct dpkg_db *db = b->db;
	const char *name = dpkg_stanza_get(st, "Package");
	const char *status = dpkg_stanza_get(st, "Status");
	const char *arch = dpkg_stanza_get(st, "Architecture");
	const char *version = dpkg_stanza_get(st, "Version");
	const char *source = dpkg_stanza_get(st, "Source");
	const char *w[3];
	size_t wn[3];
	struct dpkg_pkg *pk;
	size_t k;

	if (name == NULL || *name == '\0')
		return err_set(e, PLUMB_EPARSE, "%s:%d: stanza without a "
			       "Package field", st->file, st->line);
	if (status == NULL)
		return err_set(e, PLUMB_EPARSE, "%s:%d: package %s has no "
			       "Status field", st->file, st->line, name);
	if (split_status(status, w, wn) != 0 ||
	    !status_word_in(w[0], wn[0], wants) ||
	    !status_word_in(w[1], wn[1], flags) ||
	    !status_word_in(w[2], wn[2], states))
		return err_set(e, PLUMB_EPARSE, "%s:%d: package %s: invalid "
			       "Status \"%s\"", st->file,
			       dpkg_stanza_line(st, "Status"), name, status);
	if (status_word_in(w[2], wn[2], (const char *const[]){
				   "not-installed", "config-files", NULL }))
		return PLUMB_OK;
	if (strncmp(w[1], "ok", wn[1]) != 0 || wn[1] != 2 ||
	    !status_word_in(w[2], wn[2], configured)) {
		struct dpkg_broken *bk;

		if (db->nbroken == b->broken_cap) {
			b->broken_cap = b->broken_cap ? 2 * b->broken_cap : 8;
			db->broken = xreallocarray(db->broken, b->broken_cap,
						   sizeof(*db->broken));
		}
		bk = &db->broken[db->nbroken++];
		bk->name = xstrdup(name);
		bk->arch = xstrdup(arch != NULL ? arch : "");
		bk->status = xstrdup(status);
		return PLUMB_OK;
	}
	if (arch == NULL || *arch == '\0')
		return err_set(e, PLUMB_EPARSE, "%s:%d: installed package %s "
			       "has no Architecture", st->file, st->line, name);
	if (version == NULL || !vercmp_dpkg_parses(version))
		return err_set(e, PLUMB_EPARSE, "%s:%d: installed package %s "
			       "has %s Version%s%s%s", st->file,
			       dpkg_stanza_line(st, "Version"), name,
			       version == NULL ? "no" : "an invalid",
			       version == NULL ? "" : " \"",
			       version == NULL ? "" : version,
			       version == NULL ? "" : "\"");
	if (db->n >= PLUMB_PACKAGES_MAX)
		return err_set(e, PLUMB_ELIMIT, "%s:%d: more than %d installed "
			       "packages", st->file, st->line,
			       PLUMB_PACKAGES_MAX);
	if (db->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 256;
		db->pkgs = xreallocarray(db->pkgs, b->cap, sizeof(*db->pkgs));
	}
	pk = &db->pkgs[db->n++];
	memset(pk, 0, sizeof(*pk));
	pk->name = xstrdup(name);
	pk->arch = xstrdup(arch);
	pk->version = xstrdup(version);
	/* "Source: name" or "Source: name (version)". */
	if (source != NULL && *source != '\0') {
		for (k = 0; source[k] != '\0' && source[k] != ' '; k++)
			;
		pk->source = xstrndup(source, k);
	} else {
		pk->source = xstrdup(name);
	}
	pk->want = xstrndup(w[0], wn[0]);
	pk->status = xstrndup(w[2], wn[2]);
	pk->line = st->line;
	return PLUMB_OK;
}

static int
pkg_cmp(const void *a, const void *b)
{
	const struct dpkg_pkg *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	return r != 0 ? r : strcmp(x->arch, y->arch);
}

/* dpkg's own architecture is the native one; without dpkg installed (a
 * stripped image) the most common real architecture stands in. */
static char *
native_arch(const struct dpkg_db *db)
{
	/* Few distinct architectures exist; more than this many are not
	 * worth counting. */
	enum { NARCH = 32 };
	const char *arch[NARCH];
	size_t count[NARCH], narch = 0, i, j, best = 0;

	for (i = 0; i < db->n; i++)
		if (strcmp(db->pkgs[i].name, "dpkg") == 0)
			return xstrdup(db->pkgs[i].arch);
	for (i = 0; i < db->n; i++) {
		if (strcmp(db->pkgs[i].arch, "all") == 0)
			continue;
		for (j = 0; j < narch; j++)
			if (strcmp(arch[j], db->pkgs[i].arch) == 0)
				break;
		if (j == narch) {
			if (narch == NARCH)
				continue;
			arch[narch] = db->pkgs[i].arch;
			count[narch++] = 0;
		}
		count[j]++;
	}
	for (j = 1; j < narch; j++)
		if (count[j] > count[best])
			best = j;
	return xstrdup(narch > 0 ? arch[best] : "");
}

int
dpkg_db_read(struct dpkg_source *src, struct dpkg_db **out, struct errbuf *e)
{
	static const char *const want[] = { "Package", "Status",
		"Architecture", "Version", "Source", NULL };
	struct db_build b;
	size_t i;
	int rc;

	*out = NULL;
	memset(&b, 0, sizeof(b));
	b.db = xcalloc(1, sizeof(*b.db));
	b.db->path = xstrdup(dpkg_source_name(src));
	if ((rc = dpkg_parse(src, want, db_stanza, &b, e)) != 0)
		goto out;
	if (b.db->n > 1)
		qsort(b.db->pkgs, b.db->n, sizeof(*b.db->pkgs), pkg_cmp);
	for (i = 1; i < b.db->n; i++) {
		if (pkg_cmp(&b.db->pkgs[i - 1], &b.db->pkgs[i]) == 0) {
			rc = err_set(e, PLUMB_EPARSE, "%s:%d: package %s:%s "
				     "is listed twice (also at line %d)",
				     b.db->path, b.db->pkgs[i].line,
				     b.db->pkgs[i].name, b.db->pkgs[i].arch,
				     b.db->pkgs[i - 1].line);
			goto out;
		}
	}
	b.db->native_arch = native_arch(b.db);
	*out = b.db;
	b.db = NULL;
out:
	dpkg_db_free(b.db);
	return rc;
}

int
dpkg_db_load(const struct plat_root *r, struct dpkg_db **out,
	     struct errbuf *e)
{
	struct dpkg_source *src = NULL;
	int rc;

	*out = NULL;
	if ((rc = dpkg_source_open(r, DPKG_STATUS_PATH, PLUMB_LARGE_FILE_MAX,
				   &src, e)) != 0)
		return rc;
	rc = dpkg_db_read(src, out, e);
	dpkg_source_free(src);
	return rc;
}

void
dpkg_db_free(struct dpkg_db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->n; i++) {
		free(db->pkgs[i].name);
		free(db->pkgs[i].arch);
		free(db->pkgs[i].version);
		free(db->pkgs[i].source);
		free(db->pkgs[i].want);
		free(db->pkgs[i].status);
	}
	for (i = 0; i < db->nbroken; i++) {
		free(db->broken[i].name);
		free(db->broken[i].arch);
		free(db->broken[i].status);
	}
	free(db->pkgs);
	free(db->broken);
	free(db->native_arch);
	free(db->path);
	free(db);
}

size_t
dpkg_db_find(const struct dpkg_db *db, const char *name, size_t *count)
{
	size_t lo = 0, hi = db->n, i;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(db->pkgs[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < db->n && strcmp(db->pkgs[i].name, name) == 0; i++)
		;
	*count = i - lo;
	return lo;
}

/*
 * probe_yara.c - YARA sweeps (the only file that includes yara.h): rule
 * compilation and hashing, the worker pool, the cache, the "yara" probe and
 * check type.  probe_yara.h states the result, path and rule conventions.
 *
 * Shape of a sweep.  The calling thread walks (walk.c), asks the cache about
 * each regular file, opens the ones it must scan and queues their
 * descriptors (at most PLUMB_YARA_QUEUE_MAX); worker threads, each with its
 * own YR_SCANNER over the one compiled YR_RULES, read a file whole into a
 * buffer and scan that buffer; the calling thread collects their verdicts,
 * writes them to the cache and builds the result.  Only the calling thread
 * touches the database, jansson and the caller's callbacks.
 *
 * Why read() and not libyara's yr_scanner_scan_fd: libyara maps the file,
 * and a mapped file that shrinks under the scan raises SIGBUS, which
 * libyara can only survive with a process-wide signal handler and a
 * longjmp out of the scanner.  Reading into anonymous memory makes a
 * shrinking or vanishing file an ordinary short read, keeps file pages out
 * of our RSS, and spares every file an mmap/munmap (whose TLB shootdowns
 * cost a threaded scanner dearly).  Memory stays bounded: a worker keeps a
 * PLUMB_YARA_BUF_KEEP buffer for small files and larger ones are read into
 * memory drawn, first come first served, from PLUMB_YARA_BUF_BUDGET.
 *
 * Scans run with SCAN_FLAGS_FAST_MODE (a string only tested for presence
 * stops being verified after its first match, which does not change which
 * rules match; plumb reports rules, not offsets), report matching rules
 * only, and without libyara's SIGSEGV/SIGBUS trampolines (nothing scanned is
 * mapped).  A string that reaches libyara's match limit is treated as the
 * yara command line treats it: the callback lets the scan go on, the string
 * counts as matched and no more of its matches are recorded; match data kept
 * per match is capped at PLUMB_YARA_MATCH_DATA bytes.
 *
 * Check type "yara": the probe's subject is the canonical JSON of the
 * check's collection parameters ({"cache","cache_max_age","exclude",
 * "max_size","path","rules","timeout"}), so collect sees everything that
 * shapes the facts and no threshold, and identical checks share one sweep.
 * The judge fails the check when there is any match.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <yara.h>

#include "baseline.h"
#include "plumb_limits.h"
#include "probe_yara.h"
#include "store.h"
#include "store_yara.h"
#include "util.h"
#include "walk.h"

/* Bytes of matched data libyara copies per match: plumb reports no match
 * data, so only a token amount is kept. */
#define PLUMB_YARA_MATCH_DATA 16

/* Files at least this large get sequential read-ahead advice. */
#define YARA_FADVISE_MIN (128u * 1024)

/* Depth of rule directories searched for *.yar files. */
#define YARA_RULES_DEPTH_MAX 16

/* Skip reasons beyond the walker's. */
enum {
	YSKIP_MISSING = WALK_SKIP__COUNT,
	YSKIP_DUPLICATE,
	YSKIP_TIMEOUT,
	YSKIP_SCAN_ERROR,
	YSKIP_MATCH_LIMIT,
	YSKIP__COUNT
};

static const char *
yara_skip_name(int why)
{
	static const char *const extra[] = {
		"missing", "duplicate", "timeout", "scan-error", "match-limit",
	};

	if (why >= 0 && why < WALK_SKIP__COUNT)
		return walk_skip_name((enum walk_skip)why);
	if (why >= WALK_SKIP__COUNT && why < YSKIP__COUNT)
		return extra[why - WALK_SKIP__COUNT];
	return "error";
}

/* ---- text of paths and rule strings ---- */

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t
yara_utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;

	if (s[0] < 0x80)
		return s[0] != 0;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4;
	else
		return 0;
	if (len > n || !utf8_valid((const char *)s, len))
		return 0;
	return len;
}

/*
 * Escapes raw bytes into valid UTF-8: bytes outside valid UTF-8 become
 * \xNN; with bslash a backslash becomes \\ (making the form reversible);
 * with text control characters become \n \t \r or \xNN.
 */
static char *
yara_escape(const char *raw, size_t len, int bslash, int text)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)raw;
	struct dynbuf b;
	size_t i = 0;

	dynbuf_init(&b, len * 4 + 1);
	while (i < len) {
		unsigned char c = p[i];
		size_t n;
		char esc[4] = { '\\', 'x', 0, 0 };

		if (c == '\\' && bslash) {
			(void)dynbuf_add(&b, "\\\\", 2);
			i++;
			continue;
		}
		if (text && (c < 0x20 || c == 0x7f)) {
			if (c == '\n')
				(void)dynbuf_add(&b, "\\n", 2);
			else if (c == '\t')
				(void)dynbuf_add(&b, "\\t", 2);
			else if (c == '\r')
				(void)dynbuf_add(&b, "\\r", 2);
			else {
				esc[2] = hex[c >> 4];
				esc[3] = hex[c & 0xf];
				(void)dynbuf_add(&b, esc, 4);
			}
			i++;
			continue;
		}
		n = yara_utf8_seq(p + i, len - i);
		if (n == 0) {
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 0xf];
			(void)dynbuf_add(&b, esc, 4);
			i++;
			continue;
		}
		(void)dynbuf_add(&b, p + i, n);
		i += n;
	}
	return dynbuf_take(&b, NULL);
}

char *
probe_yara_path_text(const char *raw, size_t len, int text)
{
	return yara_escape(raw, len, 1, text);
}

/* A JSON string for text from a rule (identifier, tag, meta value). */
static json_t *
yara_json_str(const char *s)
{
	size_t n = strlen(s);
	char *esc;
	json_t *j;

	if (utf8_valid(s, n))
		return json_stringn(s, n);
	esc = yara_escape(s, n, 0, 0);
	j = json_string(esc);
	free(esc);
	return j;
}

/* ---- rule files ---- */

struct yara_rulefile {
	char *path;	/* as found, for messages */
	char *ns;	/* namespace */
	char *data;	/* NUL-terminated source */
	size_t len;
};

struct yara_ruleset {
	struct yara_rulefile *files;
	size_t n;
	char sha256[65];
};

static void
yara_ruleset_release(struct yara_ruleset *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		free(rs->files[i].path);
		free(rs->files[i].ns);
		free(rs->files[i].data);
	}
	free(rs->files);
	rs->files = NULL;
	rs->n = 0;
}

static int
yara_has_rule_ext(const char *name)
{
	size_t n = strlen(name);

	return (n > 4 && strcmp(name + n - 4, ".yar") == 0) ||
	       (n > 5 && strcmp(name + n - 5, ".yara") == 0);
}

/* ns without the .yar/.yara extension. */
static char *
yara_ns_of(const char *rel)
{
	size_t n = strlen(rel);

	if (n > 5 && strcmp(rel + n - 5, ".yara") == 0)
		n -= 5;
	else if (n > 4 && strcmp(rel + n - 4, ".yar") == 0)
		n -= 4;
	return xstrndup(rel, n);
}

static int
yara_add_file(struct yara_ruleset *rs, const char *path, const char *rel,
	      struct errbuf *e)
{
	struct yara_rulefile *f;
	char *data;
	size_t len;
	int r;

	if (rs->n >= PLUMB_YARA_RULE_FILES_MAX)
		return err_set(e, PLUMB_ELIMIT, "more than %d rule files",
			       PLUMB_YARA_RULE_FILES_MAX);
	r = read_local_file(path, PLUMB_YARA_RULES_FILE_MAX, &data, &len, e);
	if (r != PLUMB_OK)
		return r;
	/* libyara reads a C string: a NUL would silently cut the rules the
	 * hash covers from the rules compiled. */
	if (memchr(data, '\0', len) != NULL) {
		free(data);
		return err_set(e, PLUMB_EPARSE, "%s: contains a NUL byte", path);
	}
	rs->files = xreallocarray(rs->files, rs->n + 1, sizeof(*rs->files));
	f = &rs->files[rs->n++];
	f->path = xstrdup(path);
	f->ns = yara_ns_of(rel);
	f->data = data;
	f->len = len;
	return PLUMB_OK;
}

static int
yara_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the rule files below dir (rel is its path below the --rules
 * directory, "" at the top). */
static int
yara_add_dir(struct yara_ruleset *rs, const char *dir, const char *rel,
	     int depth, struct errbuf *e)
{
	char **names = NULL;
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;
	int r = PLUMB_OK;

	if (depth > YARA_RULES_DEPTH_MAX)
		return err_set(e, PLUMB_ELIMIT, "%s: rule directories nested "
			       "deeper than %d", dir, YARA_RULES_DEPTH_MAX);
	d = opendir(dir);
	if (d == NULL)
		return err_set(e, errno == ENOENT ? PLUMB_ENOENT : PLUMB_EIO,
			       "%s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n >= PLUMB_DIR_ENTRIES_MAX) {
			r = err_set(e, PLUMB_ELIMIT, "%s: more than %d entries",
				    dir, PLUMB_DIR_ENTRIES_MAX);
			break;
		}
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (r == PLUMB_OK)
		qsort(names, n, sizeof(*names), yara_name_cmp);
	for (i = 0; i < n && r == PLUMB_OK; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		char *sub = rel[0] ? xasprintf("%s/%s", rel, names[i]) :
			    xstrdup(names[i]);
		struct stat st;

		if (stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				r = yara_add_dir(rs, path, sub, depth + 1, e);
			else if (S_ISREG(st.st_mode) &&
				 yara_has_rule_ext(names[i]))
				r = yara_add_file(rs, path, sub, e);
		}
		free(path);
		free(sub);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

static int
yara_file_cmp(const void *a, const void *b)
{
	const struct yara_rulefile *x = a, *y = b;
	int c = strcmp(x->ns, y->ns);

	return c != 0 ? c : strcmp(x->path, y->path);
}

/* Reads every rule file named by specs and computes the rules hash. */
static int
yara_ruleset_load(struct yara_ruleset *rs, const char *const *specs,
		  size_t nspecs, struct errbuf *e)
{
	EVP_MD_CTX *md = NULL;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	size_t i;
	int r = PLUMB_OK;

	memset(rs, 0, sizeof(*rs));
	for (i = 0; i < nspecs && r == PLUMB_OK; i++) {
		struct stat st;
		const char *base;

		if (stat(specs[i], &st) != 0) {
			r = err_set(e, errno == ENOENT ? PLUMB_ENOENT : PLUMB_EIO,
				    "rules %s: %s", specs[i], strerror(errno));
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			size_t before = rs->n;

			r = yara_add_dir(rs, specs[i], "", 0, e);
			if (r == PLUMB_OK && rs->n == before)
				r = err_set(e, PLUMB_ENOENT, "rules %s: no *.yar "
					    "or *.yara file in it", specs[i]);
			continue;
		}
		base = strrchr(specs[i], '/');
		base = base != NULL ? base + 1 : specs[i];
		r = yara_add_file(rs, specs[i], base, e);
	}
	if (r == PLUMB_OK && rs->n == 0)
		r = err_set(e, PLUMB_EUSAGE, "no rule files given");
	if (r != PLUMB_OK) {
		yara_ruleset_release(rs);
		return r;
	}
	qsort(rs->files, rs->n, sizeof(*rs->files), yara_file_cmp);
	md = EVP_MD_CTX_new();
	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		abort();
	{
		static const char head[] = "plumb-yara-rules/1\n" PLUMB_VERSION
					   "\n" YR_VERSION "\n";

		EVP_DigestUpdate(md, head, sizeof(head) - 1);
	}
	for (i = 0; i < rs->n; i++) {
		char fhash[65];

		sha256_hex(rs->files[i].data, rs->files[i].len, fhash);
		EVP_DigestUpdate(md, rs->files[i].ns, strlen(rs->files[i].ns) + 1);
		EVP_DigestUpdate(md, fhash, 64);
		EVP_DigestUpdate(md, "\n", 1);
	}
	if (EVP_DigestFinal_ex(md, digest, &dlen) != 1 || dlen != 32)
		abort();
	EVP_MD_CTX_free(md);
	hex_encode(digest, 32, rs->sha256);
	return PLUMB_OK;
}

/* What the compiler callback gathers. */
struct yara_diag {
	const char *file;	/* the file being compiled */
	char first[PLUMB_ERRMSG_MAX];
	int errors;
	int warnings;
};

static void
yara_compiler_cb(int level, const char *file_name, int line,
		 const YR_RULE *rule, const char *message, void *user)
{
	struct yara_diag *d = user;

	(void)file_name;
	if (level != YARA_ERROR_LEVEL_ERROR) {
		d->warnings++;
		return;
	}
	if (d->errors++ == 0) {
		if (rule != NULL)
			snprintf(d->first, sizeof(d->first), "%s:%d: rule %s: %s",
				 d->file, line, rule->identifier, message);
		else
			snprintf(d->first, sizeof(d->first), "%s:%d: %s",
				 d->file, line, message);
	}
}

/* Compiles rs from the very bytes that were hashed. */
static int
yara_compile(const struct yara_ruleset *rs, YR_RULES **out, struct errbuf *e)
{
	YR_COMPILER *c = NULL;
	struct yara_diag d;
	size_t i;
	int r = PLUMB_OK;

	*out = NULL;
	memset(&d, 0, sizeof(d));
	if (yr_compiler_create(&c) != ERROR_SUCCESS)
		return err_set(e, PLUMB_EIO, "cannot create a YARA compiler");
	yr_compiler_set_callback(c, yara_compiler_cb, &d);
	/* No include: the rules hash covers exactly the listed files. */
	yr_compiler_set_include_callback(c, NULL, NULL, NULL);
	for (i = 0; i < rs->n; i++) {
		d.file = rs->files[i].path;
		if (yr_compiler_add_string(c, rs->files[i].data,
					   rs->files[i].ns) != 0 || d.errors) {
			if (d.errors > 1)
				r = err_set(e, PLUMB_EPARSE, "%s (and %d more "
					    "errors)", d.first, d.errors - 1);
			else
				r = err_set(e, PLUMB_EPARSE, "%s", d.first[0] ?
					    d.first : "rules do not compile");
			goto out;
		}
	}
	if (yr_compiler_get_rules(c, out) != ERROR_SUCCESS) {
		*out = NULL;
		r = err_set(e, PLUMB_EIO, "cannot build the compiled rules");
	}
out:
	yr_compiler_destroy(c);
	return r;
}

/* ---- the sweep ---- */

struct yara_job {
	struct yara_job *next;
	int fd;
	struct stat st;		/* fstat at open */
	char *path;		/* display path (raw bytes) */
	size_t pathlen;
	char *key;		/* cache key (absolute path bytes) */
	size_t keylen;
	/* filled by the worker */
	const YR_RULE **rules;
	size_t nrules;
	uint64_t size;		/* bytes scanned */
	char sha256[65];
	int skip;		/* -1 scanned, else a skip reason */
	int err;		/* errno or libyara error behind a skip */
	int cacheable;		/* unchanged while read */
};

struct yara_sweep;

struct yara_worker {
	struct yara_sweep *s;
	pthread_t tid;
	YR_SCANNER *scanner;
	unsigned char *keep;	/* PLUMB_YARA_BUF_KEEP bytes */
	int running;
};

struct yara_sweep {
	const struct probe_yara_opts *o;
	struct yara_ruleset rs;
	YR_RULES *rules;
	uint64_t max_size;

	pthread_mutex_t mu;
	pthread_cond_t work;	/* workers: a job or closing */
	pthread_cond_t done;	/* the walker: a result or queue space */
	struct yara_job *qhead, *qtail;
	size_t qlen;
	struct yara_job *dhead, *dtail;
	size_t inflight;	/* queued or being scanned or not collected */
	int closing;

	pthread_mutex_t bmu;	/* the arena, first come first served */
	pthread_cond_t bcond;
	uint64_t bnext, bserving;
	unsigned char *arena;	/* PLUMB_YARA_BUF_BUDGET bytes, mapped once */
	struct yara_block {
		size_t off, len;
	} live[PLUMB_YARA_THREADS_MAX];	/* blocks in use, by offset */
	size_t nlive;

	struct yara_worker *workers;
	unsigned nalloc;	/* workers allocated */
	unsigned nworkers;	/* workers started */
	int started;

	/* calling thread only */
	struct store_yara *cache;
	char *warning;
	json_t *matches;
	size_t nmatches;
	uint64_t files, bytes, cached, nskipped;
	uint64_t skips[YSKIP__COUNT];
	struct timespec t0, tprog;
	const char *keyprefix;
	struct dynbuf key;
};

static double
yara_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	       (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
yara_progress(struct yara_sweep *s, int force)
{
	struct probe_yara_progress p;

	if (s->o->progress == NULL)
		return;
	if (!force && yara_since(&s->tprog) < 0.25)
		return;
	clock_gettime(CLOCK_MONOTONIC, &s->tprog);
	p.files = s->files;
	p.bytes = s->bytes;
	p.cached = s->cached;
	p.skipped = s->nskipped;
	p.seconds = yara_since(&s->t0);
	s->o->progress(s->o->arg, &p);
}

static void
yara_count_skip(struct yara_sweep *s, const char *path, size_t len, int why,
		int err)
{
	if (why < 0 || why >= YSKIP__COUNT)
		why = WALK_SKIP_ERROR;
	s->skips[why]++;
	s->nskipped++;
	if (s->o->skipped != NULL)
		s->o->skipped(s->o->arg, path, len, yara_skip_name(why), err);
}

/* The cache failed: say why once and do without it from now on. */
static void
yara_cache_fail(struct yara_sweep *s, const struct errbuf *ce)
{
	if (s->warning == NULL)
		s->warning = xasprintf("YARA cache disabled: %s", ce->msg);
	(void)store_yara_close(s->cache, 0, NULL);
	s->cache = NULL;
}

/* ---- memory budget ----
 *
 * Files larger than a worker's kept buffer are read into blocks of one
 * arena of PLUMB_YARA_BUF_BUDGET bytes, mapped once per sweep: its pages
 * are faulted in once and reused, where a mapping per file would fault
 * every page of every large file again and unmap it with a TLB shootdown
 * across the workers.  Blocks are handed out first come first served
 * (first fit; a request waits until a hole is large enough, which at
 * worst is when the arena is empty).  A file larger than the whole arena
 * (only with a size cap above the budget) gets a mapping of its own and
 * the arena to itself while it is scanned, so the budget still holds but
 * for that one file.
 */

/* First fit among the live blocks (sorted by offset); 1 and *off when n
 * bytes fit. */
static int
yara_arena_fit(const struct yara_sweep *s, size_t n, size_t *off)
{
	size_t at = 0, i;

	for (i = 0; i < s->nlive; i++) {
		if (s->live[i].off - at >= n)
			break;
		at = s->live[i].off + s->live[i].len;
	}
	if (PLUMB_YARA_BUF_BUDGET - at < n && i == s->nlive)
		return 0;
	*off = at;
	return 1;
}

/* Takes a block of n bytes (n > 0); NULL with errno when memory cannot
 * be mapped. */
static unsigned char *
yara_budget_take(struct yara_sweep *s, size_t n)
{
	unsigned char *p = NULL;
	uint64_t ticket;
	size_t off = 0, i;
	int own = n > PLUMB_YARA_BUF_BUDGET, err = ENOMEM;

	pthread_mutex_lock(&s->bmu);
	ticket = s->bnext++;
	while (ticket != s->bserving ||
	       (own ? s->nlive > 0 : !yara_arena_fit(s, n, &off)))
		pthread_cond_wait(&s->bcond, &s->bmu);
	if (own) {
		p = mmap(NULL, n, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		err = errno;
		off = 0;
		n = PLUMB_YARA_BUF_BUDGET;
	} else {
		if (s->arena == NULL) {
			void *a = mmap(NULL, PLUMB_YARA_BUF_BUDGET,
				       PROT_READ | PROT_WRITE, MAP_PRIVATE |
				       MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

			if (a != MAP_FAILED) {
				(void)madvise(a, PLUMB_YARA_BUF_BUDGET,
					      MADV_HUGEPAGE);
				s->arena = a;
			} else {
				err = errno;
			}
		}
		p = s->arena != NULL ? s->arena + off : MAP_FAILED;
	}
	if (p != MAP_FAILED) {
		for (i = s->nlive; i > 0 && s->live[i - 1].off > off; i--)
			s->live[i] = s->live[i - 1];
		s->live[i].off = off;
		s->live[i].len = n;
		s->nlive++;
	} else {
		p = NULL;
	}
	s->bserving++;
	pthread_cond_broadcast(&s->bcond);
	pthread_mutex_unlock(&s->bmu);
	if (p == NULL)
		errno = err;
	return p;
}

/* Gives back a block yara_budget_take handed out for n bytes. */
static void
yara_budget_give(struct yara_sweep *s, unsigned char *p, size_t n)
{
	size_t off, i;

	if (n > PLUMB_YARA_BUF_BUDGET) {
		munmap(p, n);
		off = 0;
	} else {
		off = (size_t)(p - s->arena);
	}
	pthread_mutex_lock(&s->bmu);
	for (i = 0; i < s->nlive && s->live[i].off != off; i++)
		;
	if (i < s->nlive) {
		s->nlive--;
		memmove(&s->live[i], &s->live[i + 1],
			(s->nlive - i) * sizeof(s->live[0]));
	}
	pthread_cond_broadcast(&s->bcond);
	pthread_mutex_unlock(&s->bmu);
}

/* ---- workers ---- */

static int
yara_scan_cb(YR_SCAN_CONTEXT *ctx, int message, void *data, void *user)
{
	struct yara_job *j = user;

	(void)ctx;
	if (message == CALLBACK_MSG_RULE_MATCHING) {
		j->rules = xreallocarray(j->rules, j->nrules + 1,
					 sizeof(*j->rules));
		j->rules[j->nrules++] = data;
	}
	/* CALLBACK_MSG_TOO_MANY_MATCHES included: go on, as yara does. */
	return CALLBACK_CONTINUE;
}

/* Reads up to want bytes; returns the count or -1 with errno set. */
static ssize_t
yara_read_all(int fd, unsigned char *buf, size_t want)
{
	size_t got = 0;
	int cleared = 0;

	while (got < want) {
		ssize_t n = read(fd, buf + got, want - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && !cleared) {
			/* Some filesystems honour O_NONBLOCK on files. */
			int fl = fcntl(fd, F_GETFL);

			cleared = 1;
			if (fl >= 0 && fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == 0)
				continue;
		}
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static void
yara_scan_job(struct yara_worker *w, struct yara_job *j)
{
	struct yara_sweep *s = w->s;
	uint64_t want = (uint64_t)j->st.st_size;
	unsigned char *buf = w->keep;
	struct stat after;
	ssize_t got;
	int big = 0, rc;

	j->skip = -1;
	if (want > s->max_size) {
		j->skip = WALK_SKIP_TOO_LARGE;
		goto out;
	}
	if (want > PLUMB_YARA_BUF_KEEP) {
		buf = yara_budget_take(s, (size_t)want);
		if (buf == NULL) {
			j->err = errno;
			j->skip = WALK_SKIP_ERROR;
			goto out;
		}
		big = 1;
	}
	if (want >= YARA_FADVISE_MIN)
		(void)posix_fadvise(j->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	/* The file as it was at open: a file growing meanwhile is scanned up
	 * to that size, one shrinking is scanned as far as it still goes. */
	got = yara_read_all(j->fd, buf, (size_t)want);
	if (got < 0) {
		j->err = errno;
		j->skip = WALK_SKIP_ERROR;
		goto out;
	}
	j->cacheable = fstat(j->fd, &after) == 0 &&
		       after.st_size == j->st.st_size &&
		       (uint64_t)got == want &&
		       after.st_mtim.tv_sec == j->st.st_mtim.tv_sec &&
		       after.st_mtim.tv_nsec == j->st.st_mtim.tv_nsec &&
		       after.st_ctim.tv_sec == j->st.st_ctim.tv_sec &&
		       after.st_ctim.tv_nsec == j->st.st_ctim.tv_nsec;
	close(j->fd);
	j->fd = -1;
	j->size = (uint64_t)got;
	yr_scanner_set_callback(w->scanner, yara_scan_cb, j);
	rc = yr_scanner_scan_mem(w->scanner, buf, (size_t)got);
	if (rc == ERROR_TOO_MANY_MATCHES) {
		/* Only if a future libyara stops honouring CALLBACK_CONTINUE:
		 * the rule whose string overflowed has matched. */
		YR_RULE *rule = yr_scanner_last_error_rule(w->scanner);

		if (rule != NULL && !RULE_IS_PRIVATE(rule))
			(void)yara_scan_cb(NULL, CALLBACK_MSG_RULE_MATCHING,
					   rule, j);
		j->cacheable = 0;
		rc = ERROR_SUCCESS;
	}
	if (rc != ERROR_SUCCESS) {
		j->skip = rc == ERROR_SCAN_TIMEOUT ? YSKIP_TIMEOUT :
			  YSKIP_SCAN_ERROR;
		j->err = rc == ERROR_SCAN_TIMEOUT ? 0 : rc;
		j->nrules = 0;
		goto out;
	}
	if (j->nrules > 0)
		sha256_hex(buf, (size_t)got, j->sha256);
out:
	if (j->fd >= 0) {
		close(j->fd);
		j->fd = -1;
	}
	if (big)
		yara_budget_give(s, buf, (size_t)want);
}

static void *
yara_worker_main(void *arg)
{
	struct yara_worker *w = arg;
	struct yara_sweep *s = w->s;
	struct yara_job *j;

	for (;;) {
		pthread_mutex_lock(&s->mu);
		while (s->qhead == NULL && !s->closing)
			pthread_cond_wait(&s->work, &s->mu);
		j = s->qhead;
		if (j == NULL) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		s->qhead = j->next;
		if (s->qhead == NULL)
			s->qtail = NULL;
		s->qlen--;
		pthread_mutex_unlock(&s->mu);

		yara_scan_job(w, j);

		pthread_mutex_lock(&s->mu);
		j->next = NULL;
		if (s->dtail != NULL)
			s->dtail->next = j;
		else
			s->dhead = j;
		s->dtail = j;
		pthread_cond_signal(&s->done);
		pthread_mutex_unlock(&s->mu);
	}
	return NULL;
}

static unsigned
yara_cpus(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

/* Compiles the rules and starts the workers, the first time a file needs
 * scanning. */
static int
yara_start(struct yara_sweep *s, struct errbuf *e)
{
	unsigned i, n;
	int r;

	if (s->started)
		return PLUMB_OK;
	if ((r = yara_compile(&s->rs, &s->rules, e)) != PLUMB_OK)
		return r;
	n = s->o->threads ? s->o->threads : yara_cpus();
	if (n > PLUMB_YARA_THREADS_MAX)
		n = PLUMB_YARA_THREADS_MAX;
	s->workers = xcalloc(n, sizeof(*s->workers));
	s->nalloc = n;
	s->started = 1;
	for (i = 0; i < n; i++) {
		struct yara_worker *w = &s->workers[i];

		w->s = s;
		if (yr_scanner_create(s->rules, &w->scanner) != ERROR_SUCCESS)
			return err_set(e, PLUMB_EIO, "cannot create a YARA "
				       "scanner");
		yr_scanner_set_flags(w->scanner, SCAN_FLAGS_FAST_MODE |
				     SCAN_FLAGS_REPORT_RULES_MATCHING |
				     SCAN_FLAGS_NO_TRYCATCH);
		yr_scanner_set_timeout(w->scanner, s->o->timeout);
		w->keep = xmalloc(PLUMB_YARA_BUF_KEEP);
		if ((r = pthread_create(&w->tid, NULL, yara_worker_main, w)) != 0)
			return err_set(e, PLUMB_EIO, "cannot start a YARA "
				       "worker: %s", strerror(r));
		w->running = 1;
		s->nworkers++;
	}
	return PLUMB_OK;
}

/* ---- results ---- */

static json_t *
yara_rule_json(const YR_RULE *rule, const char *sha256)
{
	const char *tag;
	const YR_META *meta;
	json_t *tags = json_array(), *metas = json_object();

	yr_rule_tags_foreach(rule, tag)
		json_array_append_new(tags, yara_json_str(tag));
	yr_rule_metas_foreach(rule, meta) {
		json_t *v;

		if (meta->type == META_TYPE_INTEGER)
			v = json_integer(meta->integer);
		else if (meta->type == META_TYPE_BOOLEAN)
			v = json_boolean(meta->integer);
		else
			v = yara_json_str(meta->string);
		json_object_set_new(metas, meta->identifier, v);
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:s}",
			 "rule", yara_json_str(rule->identifier),
			 "namespace", yara_json_str(rule->ns->name),
			 "tags", tags, "meta", metas, "sha256", sha256);
}

/* True when a cached verdict has the shape plumb writes. */
static int
yara_verdict_valid(const json_t *arr)
{
	size_t i;
	json_t *m;

	if (!json_is_array(arr))
		return 0;
	json_array_foreach(arr, i, m) {
		const char *sha = json_string_value(json_object_get(m, "sha256"));

		if (!json_is_string(json_object_get(m, "rule")) ||
		    !json_is_string(json_object_get(m, "namespace")) ||
		    !json_is_array(json_object_get(m, "tags")) ||
		    !json_is_object(json_object_get(m, "meta")) ||
		    sha == NULL || strlen(sha) != 64)
			return 0;
	}
	return 1;
}

/* Adds one file's verdict (a valid array) to the result. */
static void
yara_add_verdict(struct yara_sweep *s, const json_t *arr, const char *path,
		 size_t pathlen, uint64_t size)
{
	char *shown = NULL;
	size_t i;
	json_t *m;

	json_array_foreach(arr, i, m) {
		if (s->nmatches >= PLUMB_YARA_MATCHES_MAX) {
			yara_count_skip(s, path, pathlen, YSKIP_MATCH_LIMIT, 0);
			continue;
		}
		if (shown == NULL)
			shown = probe_yara_path_text(path, pathlen, 0);
		json_array_append_new(s->matches, json_pack(
			"{s:O, s:O, s:O, s:O, s:s, s:I, s:O}",
			"rule", json_object_get(m, "rule"),
			"namespace", json_object_get(m, "namespace"),
			"tags", json_object_get(m, "tags"),
			"meta", json_object_get(m, "meta"),
			"path", shown, "size", (json_int_t)size,
			"sha256", json_object_get(m, "sha256")));
		s->nmatches++;
	}
	free(shown);
}

static void
yara_job_free(struct yara_job *j)
{
	if (j == NULL)
		return;
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	free(j->key);
	free(j->rules);
	free(j);
}

/* Takes in one finished job. */
static void
yara_collect(struct yara_sweep *s, struct yara_job *j)
{
	json_t *arr;
	size_t i;

	if (j->skip >= 0) {
		yara_count_skip(s, j->path, j->pathlen, j->skip, j->err);
		return;
	}
	s->files++;
	s->bytes += j->size;
	arr = json_array();
	for (i = 0; i < j->nrules; i++)
		json_array_append_new(arr, yara_rule_json(j->rules[i],
							   j->sha256));
	if (s->cache != NULL && j->cacheable) {
		char *text = json_dumps(arr, JSON_COMPACT);
		struct errbuf ce;

		if (store_yara_put(s->cache, j->key, j->keylen, &j->st, text,
				   &ce) < 0)
			yara_cache_fail(s, &ce);
		free(text);
	}
	yara_add_verdict(s, arr, j->path, j->pathlen, j->size);
	json_decref(arr);
}

/* Collects what the workers finished; with wait, first waits until there
 * is something, or queue space, or a progress tick is due. */
static void
yara_pump(struct yara_sweep *s, int wait)
{
	struct yara_job *list, *next;

	pthread_mutex_lock(&s->mu);
	if (wait && s->dhead == NULL) {
		struct timespec until;

		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += 200 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&s->done, &s->mu, &until);
	}
	list = s->dhead;
	s->dhead = s->dtail = NULL;
	pthread_mutex_unlock(&s->mu);
	for (; list != NULL; list = next) {
		next = list->next;
		yara_collect(s, list);
		yara_job_free(list);
		s->inflight--;
	}
	yara_progress(s, 0);
}

static void
yara_enqueue(struct yara_sweep *s, struct yara_job *j)
{
	for (;;) {
		int full;

		pthread_mutex_lock(&s->mu);
		full = s->qlen >= PLUMB_YARA_QUEUE_MAX;
		if (!full) {
			j->next = NULL;
			if (s->qtail != NULL)
				s->qtail->next = j;
			else
				s->qhead = j;
			s->qtail = j;
			s->qlen++;
			s->inflight++;
			pthread_cond_signal(&s->work);
		}
		pthread_mutex_unlock(&s->mu);
		if (!full)
			break;
		yara_pump(s, 1);
	}
	yara_pump(s, 0);
}

/* Stops the workers after the queue ran dry and collects everything.
 * Safe to call again. */
static void
yara_finish(struct yara_sweep *s)
{
	unsigned i;

	while (s->inflight > 0)
		yara_pump(s, 1);
	pthread_mutex_lock(&s->mu);
	s->closing = 1;
	pthread_cond_broadcast(&s->work);
	pthread_mutex_unlock(&s->mu);
	for (i = 0; i < s->nworkers; i++) {
		if (s->workers[i].running) {
			pthread_join(s->workers[i].tid, NULL);
			s->workers[i].running = 0;
		}
	}
	yara_pump(s, 0);
}

/* ---- the walk's visitor ---- */

/* key = keyprefix joined with the part of path below the start. */
static void
yara_make_key(struct yara_sweep *s, const struct walk_file *f)
{
	const char *rel = f->path + f->startlen;
	size_t plen = strlen(s->keyprefix);

	s->key.len = 0;
	(void)dynbuf_add(&s->key, s->keyprefix, plen);
	if (rel[0] != '\0') {
		int has = plen > 0 && s->keyprefix[plen - 1] == '/';

		if (rel[0] == '/' && has)
			rel++;
		else if (rel[0] != '/' && !has)
			(void)dynbuf_add(&s->key, "/", 1);
		(void)dynbuf_addstr(&s->key, rel);
	}
}

static int
yara_visit_file(void *arg, const struct walk_file *f, struct errbuf *e)
{
	struct yara_sweep *s = arg;
	struct yara_job *j;
	enum walk_skip why;
	struct stat st;
	int fd, err, r;

	yara_make_key(s, f);
	if (s->cache != NULL) {
		struct errbuf ce;
		char *text = NULL;

		r = store_yara_seen(s->cache, s->key.data, s->key.len, &ce);
		if (r == 0) {
			yara_count_skip(s, f->path, f->pathlen, YSKIP_DUPLICATE,
					0);
			return PLUMB_OK;
		}
		if (r > 0)
			r = store_yara_get(s->cache, s->key.data, s->key.len,
					   &f->st, &text, &ce);
		if (r < 0) {
			yara_cache_fail(s, &ce);
		} else if (r > 0) {
			json_t *arr = json_loads(text, 0, NULL);

			free(text);
			if (yara_verdict_valid(arr)) {
				s->files++;
				s->bytes += (uint64_t)f->st.st_size;
				s->cached++;
				yara_add_verdict(s, arr, f->path, f->pathlen,
						 (uint64_t)f->st.st_size);
				json_decref(arr);
				yara_progress(s, 0);
				return PLUMB_OK;
			}
			json_decref(arr);
		}
	}
	if ((r = yara_start(s, e)) != PLUMB_OK)
		return r;
	if (walk_open(f, &fd, &st, &why, &err) != PLUMB_OK) {
		yara_count_skip(s, f->path, f->pathlen, (int)why, err);
		return PLUMB_OK;
	}
	j = xcalloc(1, sizeof(*j));
	j->fd = fd;
	j->st = st;
	j->path = xstrndup(f->path, f->pathlen);
	j->pathlen = f->pathlen;
	j->key = xmalloc(s->key.len + 1);
	memcpy(j->key, s->key.data, s->key.len + 1);
	j->keylen = s->key.len;
	j->skip = -1;
	yara_enqueue(s, j);
	return PLUMB_OK;
}

static void
yara_visit_skip(void *arg, const char *path, size_t len, enum walk_skip why,
		int err)
{
	struct yara_sweep *s = arg;

	yara_count_skip(s, path, len, (int)why, err);
	yara_progress(s, 0);
}

/* Opens one start path; *fd is -1 (and the skip counted) when it cannot
 * be.  *key is the cache key of the start (the caller frees). */
static void
yara_open_start(struct yara_sweep *s, const char *path, int *fd, char **key)
{
	const struct probe_yara_opts *o = s->o;
	int why = WALK_SKIP_ERROR, err = 0;

	*fd = -1;
	*key = NULL;
	if (o->root != NULL) {
		struct errbuf pe;
		char *rootreal = realpath(plat_root_dir(o->root), NULL);
		const char *rel = path;
		int r;

		while (*rel == '/')
			rel++;
		r = plat_open(o->root, path, PLAT_NONBLOCK, fd, &pe);
		if (r != PLUMB_OK) {
			why = r == PLUMB_ENOENT ? YSKIP_MISSING :
			      r == PLUMB_EPERM ? WALK_SKIP_UNREADABLE :
			      WALK_SKIP_ERROR;
			free(rootreal);
			yara_count_skip(s, path, strlen(path), why, 0);
			return;
		}
		if (rootreal == NULL)
			rootreal = xstrdup(plat_root_dir(o->root));
		*key = xasprintf("%s%s%s", rootreal,
				 rootreal[strlen(rootreal) - 1] == '/' ? "" : "/",
				 rel);
		free(rootreal);
		return;
	}
	/* A path given on the command line is opened as given (a symlink
	 * named there is followed); nothing below it ever is. */
	*fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (*fd < 0) {
		err = errno;
		why = err == ENOENT || err == ENOTDIR ? YSKIP_MISSING :
		      err == EACCES || err == EPERM ? WALK_SKIP_UNREADABLE :
		      WALK_SKIP_ERROR;
		yara_count_skip(s, path, strlen(path), why, err);
		return;
	}
	*key = realpath(path, NULL);
	if (*key == NULL) {
		char *cwd = path[0] != '/' ? getcwd(NULL, 0) : NULL;

		if (cwd != NULL)
			*key = xasprintf("%s/%s", cwd, path);
		else
			*key = xstrdup(path);
		free(cwd);
	}
}

static json_t *
yara_stats(struct yara_sweep *s)
{
	json_t *skipped = json_object();
	int i;

	for (i = 0; i < YSKIP__COUNT; i++)
		if (s->skips[i] > 0)
			json_object_set_new(skipped, yara_skip_name(i),
					    json_integer((json_int_t)s->skips[i]));
	return json_pack("{s:I, s:I, s:o, s:I, s:f}",
			 "files", (json_int_t)s->files,
			 "bytes", (json_int_t)s->bytes,
			 "skipped", skipped,
			 "cached", (json_int_t)s->cached,
			 "seconds", round(yara_since(&s->t0) * 1000.0) / 1000.0);
}

static int
yara_match_cmp(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	static const char *const keys[] = { "path", "namespace", "rule" };
	size_t i;

	for (i = 0; i < 3; i++) {
		int c = strcmp(json_string_value(json_object_get(x, keys[i])),
			       json_string_value(json_object_get(y, keys[i])));

		if (c != 0)
			return c;
	}
	return 0;
}

static json_t *
yara_sorted_matches(json_t *arr)
{
	size_t n = json_array_size(arr), i;
	json_t **v = xcalloc(n ? n : 1, sizeof(*v));
	json_t *out = json_array();

	for (i = 0; i < n; i++)
		v[i] = json_array_get(arr, i);
	qsort(v, n, sizeof(*v), yara_match_cmp);
	for (i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

int
probe_yara_sweep(const struct probe_yara_opts *o, json_t **result,
		 char **warning, struct errbuf *e)
{
	struct yara_sweep *s;
	struct walk_opts wo;
	struct walk_visitor v;
	char **defaults = NULL;
	size_t ndefaults = 0, i;
	int r = PLUMB_OK, inited = 0;

	*result = NULL;
	if (warning != NULL)
		*warning = NULL;
	if (o->npaths == 0)
		return err_set(e, PLUMB_EUSAGE, "no path to sweep");
	s = xcalloc(1, sizeof(*s));
	s->o = o;
	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	s->tprog = s->t0;
	s->max_size = o->max_size ? o->max_size : PLUMB_YARA_MAX_SIZE_DEFAULT;
	s->matches = json_array();
	dynbuf_init(&s->key, PLUMB_WALK_PATH_MAX + PLUMB_PATH_MAX + 2);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_mutex_init(&s->mu, NULL);
		pthread_cond_init(&s->work, NULL);
		pthread_cond_init(&s->done, &ca);
		pthread_mutex_init(&s->bmu, NULL);
		pthread_cond_init(&s->bcond, NULL);
		pthread_condattr_destroy(&ca);
	}
	if (o->nrules == 0) {
		defaults = probe_yara_default_rules(&ndefaults);
		r = yara_ruleset_load(&s->rs, (const char *const *)defaults,
				      ndefaults, e);
	} else {
		r = yara_ruleset_load(&s->rs, o->rules, o->nrules, e);
	}
	if (r != PLUMB_OK)
		goto out;
	if (yr_initialize() != ERROR_SUCCESS) {
		r = err_set(e, PLUMB_EIO, "cannot initialise libyara");
		goto out;
	}
	inited = 1;
	if (yr_set_configuration_uint32(YR_CONFIG_MAX_MATCH_DATA,
					PLUMB_YARA_MATCH_DATA) != ERROR_SUCCESS) {
		r = err_set(e, PLUMB_EIO, "cannot configure libyara");
		goto out;
	}
	if (o->store != NULL) {
		struct errbuf ce;

		if (store_yara_open(o->store, s->rs.sha256, o->now, o->max_age,
				    &s->cache, &ce) != PLUMB_OK)
			yara_cache_fail(s, &ce);
	}
	/* Without a cache there is nothing to spare the compiler for. */
	if (s->cache == NULL && (r = yara_start(s, e)) != PLUMB_OK)
		goto out;
	memset(&wo, 0, sizeof(wo));
	wo.max_size = s->max_size;
	wo.cross_fs = o->cross_fs;
	wo.excludes = o->excludes;
	wo.nexcludes = o->nexcludes;
	v.file = yara_visit_file;
	v.skip = yara_visit_skip;
	v.arg = s;
	for (i = 0; i < o->npaths && r == PLUMB_OK; i++) {
		struct stat st;
		char *key;
		int fd, isdir;

		yara_open_start(s, o->paths[i], &fd, &key);
		if (fd < 0)
			continue;
		isdir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
		s->keyprefix = key;
		r = walk_fd(fd, o->paths[i], &wo, &v, e);
		if (r == PLUMB_OK && isdir && s->cache != NULL) {
			struct errbuf ce;
			int64_t pruned;

			if (store_yara_prune(s->cache, key, strlen(key), &pruned,
					     &ce) != PLUMB_OK)
				yara_cache_fail(s, &ce);
		}
		s->keyprefix = NULL;
		free(key);
	}
	yara_finish(s);
	if (r == PLUMB_OK && s->cache != NULL) {
		struct errbuf ce;

		if (store_yara_close(s->cache, 1, &ce) != PLUMB_OK) {
			s->cache = NULL;
			yara_cache_fail(s, &ce);
		}
		s->cache = NULL;
	}
	if (r == PLUMB_OK) {
		json_t *sorted = yara_sorted_matches(s->matches);

		yara_progress(s, 1);
		*result = json_pack("{s:o, s:o}", "matches", sorted, "stats",
				    yara_stats(s));
	}
out:
	yara_finish(s);
	(void)store_yara_close(s->cache, 0, NULL);
	for (i = 0; i < s->nalloc; i++) {
		if (s->workers[i].scanner != NULL)
			yr_scanner_destroy(s->workers[i].scanner);
		free(s->workers[i].keep);
	}
	free(s->workers);
	if (s->rules != NULL)
		yr_rules_destroy(s->rules);
	if (inited)
		yr_finalize();
	yara_ruleset_release(&s->rs);
	for (i = 0; i < ndefaults; i++)
		free(defaults[i]);
	free(defaults);
	json_decref(s->matches);
	dynbuf_release(&s->key);
	if (warning != NULL)
		*warning = s->warning;
	else
		free(s->warning);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->done);
	if (s->arena != NULL)
		munmap(s->arena, PLUMB_YARA_BUF_BUDGET);
	pthread_mutex_destroy(&s->bmu);
	pthread_cond_destroy(&s->bcond);
	free(s);
	return r;
}

/* ---- shipped rules ---- */

static int
yara_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char **
probe_yara_default_rules(size_t *n)
{
	const char *env = getenv("PLUMB_RULES_PATH");
	char **v = NULL;
	char *exe, *slash;

	*n = 0;
	if (env != NULL && env[0] != '\0') {
		const char *p = env;

		while (*p != '\0') {
			size_t len = strcspn(p, ":");

			if (len > 0) {
				v = xreallocarray(v, *n + 1, sizeof(*v));
				v[(*n)++] = xstrndup(p, len);
			}
			p += len;
			if (*p == ':')
				p++;
		}
		if (*n > 0)
			return v;
	}
	v = xcalloc(1, sizeof(*v));
	*n = 1;
	if (yara_is_dir(PLUMB_DATADIR "/rules")) {
		v[0] = xstrdup(PLUMB_DATADIR "/rules");
		return v;
	}
	/* Not installed where it was configured to be: the rules/ of the
	 * source tree this binary was built in (build/plumb -> rules/), so a
	 * fresh checkout works as is, or the share/plumb/rules of a prefix
	 * the installed tree was moved to (bin/plumb -> share/plumb/rules). */
	exe = realpath("/proc/self/exe", NULL);
	if (exe != NULL && (slash = strrchr(exe, '/')) != NULL) {
		*slash = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			static const char *const below[] = {
				"rules", "share/plumb/rules",
			};
			size_t k;

			*slash = '\0';
			for (k = 0; k < sizeof(below) / sizeof(below[0]); k++) {
				char *cand = xasprintf("%s/%s", exe, below[k]);

				if (yara_is_dir(cand)) {
					free(exe);
					v[0] = cand;
					return v;
				}
				free(cand);
			}
		}
	}
	free(exe);
	v[0] = xstrdup(PLUMB_DATADIR "/rules");
	return v;
}

/* ---- the probe and the check type ---- */

/* Subjects built by yara_subject live until exit, like the checks they
 * belong to; identical parameter sets share one string. */
static pthread_mutex_t yara_subjects_mu = PTHREAD_MUTEX_INITIALIZER;
static char **yara_subjects;
static size_t yara_nsubjects;

static json_t *
yara_param_list(const struct check *chk, const char *name)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < chk->nparams; i++)
		if (strcmp(chk->params[i].name, name) == 0)
			json_array_append_new(a, json_string(chk->params[i].value));
	return a;
}

static const char *
yara_subject(const struct check *chk)
{
	json_t *j;
	char *text;
	const char *found = NULL;
	size_t i;

	j = json_pack("{s:o, s:o, s:o, s:I, s:I, s:b, s:I}",
		      "path", yara_param_list(chk, "path"),
		      "rules", yara_param_list(chk, "rules"),
		      "exclude", yara_param_list(chk, "exclude"),
		      "max_size", (json_int_t)check_param_int(chk, "max_size",
				(long long)PLUMB_YARA_MAX_SIZE_DEFAULT),
		      "timeout", (json_int_t)check_param_int(chk, "timeout",
				PLUMB_YARA_TIMEOUT_DEFAULT),
		      "cache", check_param_bool(chk, "cache", 1),
		      "cache_max_age", (json_int_t)check_param_int(chk,
				"cache_max_age",
				PLUMB_YARA_CACHE_MAX_AGE_DEFAULT));
	if (j == NULL)
		return NULL;
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	if (text == NULL)
		return NULL;
	pthread_mutex_lock(&yara_subjects_mu);
	for (i = 0; i < yara_nsubjects && found == NULL; i++)
		if (strcmp(yara_subjects[i], text) == 0)
			found = yara_subjects[i];
	if (found == NULL) {
		yara_subjects = xreallocarray(yara_subjects, yara_nsubjects + 1,
					      sizeof(*yara_subjects));
		yara_subjects[yara_nsubjects++] = text;
		found = text;
		text = NULL;
	}
	pthread_mutex_unlock(&yara_subjects_mu);
	free(text);
	return found;
}

static int
yara_validate(const struct check *chk, struct errbuf *e)
{
	size_t i;

	for (i = 0; i < chk->nparams; i++) {
		const struct check_param *p = &chk->params[i];
		long long v;

		if ((strcmp(p->name, "path") == 0 ||
		     strcmp(p->name, "rules") == 0 ||
		     strcmp(p->name, "exclude") == 0) && p->value[0] == '\0')
			return err_set(e, PLUMB_EINVAL, "line %d: %s must not be "
				       "empty", p->line, p->name);
		if (strcmp(p->name, "max_size") == 0 &&
		    parse_ll(p->value, 1, INT64_MAX, &v) != PLUMB_OK)
			return err_set(e, PLUMB_EINVAL, "line %d: max_size must be "
				       "a positive number of bytes", p->line);
		if ((strcmp(p->name, "timeout") == 0 ||
		     strcmp(p->name, "cache_max_age") == 0) &&
		    parse_ll(p->value, 0, INT32_MAX, &v) != PLUMB_OK)
			return err_set(e, PLUMB_EINVAL, "line %d: %s must be a "
				       "number of seconds (0 or more)", p->line,
				       p->name);
	}
	return PLUMB_OK;
}

/* A baseline's relative rules value names shipped rules. */
static int
yara_resolve_rules(const json_t *list, char ***out, size_t *nout,
		   struct errbuf *e)
{
	char **defaults = NULL;
	size_t ndefaults = 0, i, k;
	json_t *v;
	int r = PLUMB_OK;

	*out = NULL;
	*nout = 0;
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);
		char *found = NULL;

		if (s[0] == '/') {
			found = xstrdup(s);
		} else {
			if (defaults == NULL)
				defaults = probe_yara_default_rules(&ndefaults);
			for (k = 0; k < ndefaults && found == NULL; k++) {
				char *cand;
				struct stat st;

				if (!yara_is_dir(defaults[k]))
					continue;
				cand = xasprintf("%s/%s", defaults[k], s);
				if (stat(cand, &st) == 0)
					found = cand;
				else
					free(cand);
			}
		}
		if (found == NULL) {
			r = err_set(e, PLUMB_ENOENT, "rules %s: not among the "
				    "shipped rules", s);
			break;
		}
		*out = xreallocarray(*out, *nout + 1, sizeof(**out));
		(*out)[(*nout)++] = found;
	}
	for (k = 0; k < ndefaults; k++)
		free(defaults[k]);
	free(defaults);
	if (r != PLUMB_OK) {
		for (k = 0; k < *nout; k++)
			free((*out)[k]);
		free(*out);
		*out = NULL;
		*nout = 0;
	}
	return r;
}

static const char **
yara_strings(const json_t *list, size_t *n)
{
	const char **v;
	json_t *x;
	size_t i;

	*n = json_array_size(list);
	v = xcalloc(*n ? *n : 1, sizeof(*v));
	json_array_foreach(list, i, x)
		v[i] = json_string_value(x);
	return v;
}

static int
yara_collect_facts(const struct probe_ctx *ctx, const char *subject,
		   json_t **facts, struct errbuf *e)
{
	struct probe_yara_opts o;
	json_t *sub = NULL, *paths, *rules, *excl;
	const char **pathv = NULL, **exclv = NULL;
	char **rulev = NULL, *warning = NULL;
	size_t nrules = 0, i;
	json_int_t max_size = 0, timeout = 0, max_age = 0;
	int cache = 1, r;

	*facts = NULL;
	memset(&o, 0, sizeof(o));
	if (subject != NULL)
		sub = json_loads(subject, 0, NULL);
	if (sub == NULL || json_unpack(sub, "{s:o, s:o, s:o, s:I, s:I, s:b, s:I}",
				       "path", &paths, "rules", &rules,
				       "exclude", &excl, "max_size", &max_size,
				       "timeout", &timeout, "cache", &cache,
				       "cache_max_age", &max_age) != 0 ||
	    !json_is_array(paths) || !json_is_array(rules) ||
	    !json_is_array(excl)) {
		json_decref(sub);
		return err_set(e, PLUMB_EUSAGE, "yara: malformed probe subject");
	}
	if ((r = yara_resolve_rules(rules, &rulev, &nrules, e)) != PLUMB_OK)
		goto out;
	pathv = yara_strings(paths, &o.npaths);
	exclv = yara_strings(excl, &o.nexcludes);
	o.paths = pathv;
	o.excludes = exclv;
	o.rules = (const char *const *)rulev;
	o.nrules = nrules;
	o.root = ctx->root;
	o.max_size = (uint64_t)max_size;
	o.timeout = timeout > INT32_MAX ? INT32_MAX : (int)timeout;
	o.store = cache ? ctx->store : NULL;
	o.max_age = max_age;
	o.now = ctx->now;
	r = probe_yara_sweep(&o, facts, &warning, e);
out:
	free(warning);
	for (i = 0; i < nrules; i++)
		free(rulev[i]);
	free(rulev);
	free(pathv);
	free(exclv);
	json_decref(sub);
	return r;
}

static void
yara_judge(const json_t *facts, const struct check *chk,
	   const struct probe_ctx *ctx, struct check_outcome *out)
{
	const json_t *matches = json_object_get(facts, "matches");
	const json_t *stats = json_object_get(facts, "stats");
	const json_t *skipped = json_object_get(stats, "skipped");
	json_t *kept = json_array(), *v;
	const char *key;
	size_t n = json_array_size(matches), i;
	json_int_t nskipped = 0;

	(void)chk;
	(void)ctx;
	for (i = 0; i < n && i < PLUMB_EVIDENCE_ITEMS_MAX; i++)
		json_array_append(kept, json_array_get(matches, i));
	json_object_foreach((json_t *)skipped, key, v)
		nskipped += json_integer_value(v);
	out->evidence = json_pack("{s:o, s:O}", "matches", kept, "stats",
				  stats != NULL ? stats : json_null());
	if (n > PLUMB_EVIDENCE_ITEMS_MAX)
		json_object_set_new(out->evidence, "matches_truncated",
				    json_integer((json_int_t)n));
	if (n > 0) {
		const json_t *m = json_array_get(matches, 0);

		check_outcome_set(out, STATUS_FAIL, "%zu YARA match%s: %s in %s%s",
				  n, n == 1 ? "" : "es",
				  json_string_value(json_object_get(m, "rule")),
				  json_string_value(json_object_get(m, "path")),
				  n > 1 ? " and more" : "");
		return;
	}
	check_outcome_set(out, STATUS_PASS, "no YARA match in %lld files "
			  "(%lld from the cache, %lld skipped)",
			  (long long)json_integer_value(json_object_get(stats,
								       "files")),
			  (long long)json_integer_value(json_object_get(stats,
								       "cached")),
			  (long long)nskipped);
}

const struct probe probe_yara = {
	.name = "yara",
	.collect = yara_collect_facts,
};

static const struct check_param_spec yara_params[] = {
	{ "path", CHECK_PARAM_STRING, CHECK_PARAM_REQUIRED | CHECK_PARAM_MULTI,
	  "file or directory to sweep, inside the scan root" },
	{ "rules", CHECK_PARAM_STRING, CHECK_PARAM_MULTI,
	  "rule file or directory; relative names a shipped one "
	  "(default: every shipped rule)" },
	{ "exclude", CHECK_PARAM_STRING, CHECK_PARAM_MULTI,
	  "glob of entry names (of whole paths when it has a /) left out" },
	{ "max_size", CHECK_PARAM_INT, 0,
	  "skip files larger than this many bytes (default 33554432)" },
	{ "timeout", CHECK_PARAM_INT, 0,
	  "seconds libyara may spend on one file (default 60, 0: none)" },
	{ "cache", CHECK_PARAM_BOOL, 0,
	  "reuse verdicts of unchanged files from the history (default true)" },
	{ "cache_max_age", CHECK_PARAM_INT, 0,
	  "rescan cached verdicts this many seconds old (default 604800, 0: always)" },
	{ NULL, CHECK_PARAM_STRING, 0, NULL },
};

const struct check_type check_yara = {
	.name = "yara",
	.summary = "no file under the given paths matches the YARA rules",
	.probe = &probe_yara,
	.params = yara_params,
	.subject = yara_subject,
	.validate = yara_validate,
	.judge = yara_judge,
};

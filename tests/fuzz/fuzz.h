/*
 * fuzz.h - what the libFuzzer harnesses in tests/fuzz share.
 *
 * Each harness is one file defining LLVMFuzzerTestOneInput.  It is built two
 * ways: with clang -fsanitize=fuzzer by tests/fuzz/fuzz.mk (`make fuzz`), and
 * with the project's compiler against tests/fuzz/replay.c by
 * tests/e2e/fuzz_replay.sh, which feeds it every file of its corpus in
 * `make test`, so a crash input once found stays a test without libFuzzer.
 *
 * Most of plumb's parsers read the host through the root-confined platform
 * layer, never from memory, so those harnesses write the input as files of a
 * scratch scan root (made once per process and reused) and run the real
 * probe code over it.  An input that stands for several files holds them in
 * a fixed order separated by NUL bytes: the parsers refuse NUL in text, so
 * the separator takes nothing from what they could be fed.  An empty or
 * missing part means the file does not exist.
 *
 * Everything here is static (inline, so a harness that does not use a
 * helper gets no warning): each harness is its own program.
 */
#ifndef PLUMB_FUZZ_H
#define PLUMB_FUZZ_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "plat.h"
#include "probe.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The scratch directory, made on first use and removed at exit. */
static char fuzz_dir_path[4096];
static struct plat_root *fuzz_root_handle;

static inline int
fuzz_rm_one(const char *path, const struct stat *st, int flag,
	    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) != 0 && errno != ENOENT;
	return unlink(path) != 0 && errno != ENOENT;
}

static inline void
fuzz_cleanup(void)
{
	plat_root_free(fuzz_root_handle);
	fuzz_root_handle = NULL;
	if (fuzz_dir_path[0] != '\0')
		nftw(fuzz_dir_path, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Any failure of the harness itself (not of the code under test) stops
 * the run loudly, so it is never mistaken for coverage. */
static inline void
fuzz_die(const char *what)
{
	perror(what);
	abort();
}

static inline const char *
fuzz_dir(void)
{
	const char *tmp;

	if (fuzz_dir_path[0] != '\0')
		return fuzz_dir_path;
	tmp = getenv("TMPDIR");
	if (tmp == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	if ((size_t)snprintf(fuzz_dir_path, sizeof(fuzz_dir_path),
			     "%s/plumb-fuzz-XXXXXX", tmp) >=
	    sizeof(fuzz_dir_path))
		fuzz_die("TMPDIR too long");
	if (mkdtemp(fuzz_dir_path) == NULL)
		fuzz_die("mkdtemp");
	atexit(fuzz_cleanup);
	return fuzz_dir_path;
}

/* The scratch directory as a scan root. */
static inline const struct plat_root *
fuzz_root(void)
{
	struct errbuf e;

	if (fuzz_root_handle == NULL &&
	    plat_root_open(fuzz_dir(), &fuzz_root_handle, &e) != 0) {
		fprintf(stderr, "plat_root_open: %s\n", e.msg);
		abort();
	}
	return fuzz_root_handle;
}

/* Makes the parent directories of rel (relative to the scratch dir). */
static inline void
fuzz_mkdirs(const char *rel)
{
	char path[8192];
	char *p;
	size_t base;

	base = (size_t)snprintf(path, sizeof(path), "%s/", fuzz_dir());
	if (base + strlen(rel) >= sizeof(path))
		fuzz_die("path too long");
	memcpy(path + base, rel, strlen(rel) + 1);
	for (p = path + base; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			fuzz_die("mkdir");
		*p = '/';
	}
}

/* Writes rel (relative to the scratch dir) with the n bytes of d, or
 * removes it when n is 0.  Returns the file's full path (static). */
static inline const char *
fuzz_write(const char *rel, const uint8_t *d, size_t n)
{
	static char path[8192];
	size_t done = 0;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), rel) >=
	    sizeof(path))
		fuzz_die("path too long");
	if (n == 0) {
		if (unlink(path) != 0 && errno != ENOENT)
			fuzz_die("unlink");
		return path;
	}
	fuzz_mkdirs(rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0)
		fuzz_die("open");
	while (done < n) {
		ssize_t w = write(fd, d + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			fuzz_die("write");
		done += (size_t)w;
	}
	if (close(fd) != 0)
		fuzz_die("close");
	return path;
}

/*
 * Writes the NUL-separated parts of the input as the files named in paths
 * (npaths of them, in order; text after the last separator the list has
 * room for belongs to the last file).  Files without a part are removed.
 */
static inline void
fuzz_write_parts(const char *const *paths, size_t npaths, const uint8_t *d,
		 size_t n)
{
	size_t i;

	for (i = 0; i < npaths; i++) {
		const uint8_t *nul = NULL;
		size_t len = n;

		if (i + 1 < npaths && n > 0)
			nul = memchr(d, '\0', n);
		if (nul != NULL)
			len = (size_t)(nul - d);
		fuzz_write(paths[i], d, len);
		if (nul != NULL) {
			d = nul + 1;
			n -= len + 1;
		} else {
			d += len;
			n = 0;
		}
	}
}

/* Removes the directory rel when it is empty, so "no such directory" is
 * reachable too (a parser may fall back when a whole directory is gone). */
static inline void
fuzz_prune(const char *rel)
{
	char path[8192];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), rel) >=
	    sizeof(path))
		fuzz_die("path too long");
	if (rmdir(path) != 0 && errno != ENOENT && errno != ENOTEMPTY &&
	    errno != EEXIST)
		fuzz_die("rmdir");
}

/* The instant every harness scans at: 2023-11-14 22:13:20 UTC. */
#define FUZZ_NOW ((time_t)1700000000)

/*
 * Runs a check type as the engine does over the scratch root: its probe
 * collects facts, its judge judges them with the check's defaults (no
 * parameters), and facts and evidence are serialised as the store would.
 * The check type must exist and take no required parameter.
 */
static inline void
fuzz_check(const char *type)
{
	const struct check_type *ct = check_type_find(type);
	struct probe_ctx ctx;
	struct check chk;
	struct check_outcome out;
	struct errbuf e;
	json_t *facts = NULL;
	char *s;

	if (ct == NULL) {
		fprintf(stderr, "no check type %s\n", type);
		abort();
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.root = fuzz_root();
	ctx.now = FUZZ_NOW;
	ctx.control_id = "fuzz.control";
	memset(&chk, 0, sizeof(chk));
	chk.type = (char *)type;
	chk.ct = ct;
	chk.line = 1;
	if (ct->probe->collect(&ctx, ct->subject ? ct->subject(&chk) : NULL,
			       &facts, &e) != 0)
		return;
	memset(&out, 0, sizeof(out));
	ct->judge(facts, &chk, &ctx, &out);
	s = json_dumps(facts, JSON_SORT_KEYS | JSON_COMPACT);
	free(s);
	s = json_dumps(out.evidence, JSON_SORT_KEYS | JSON_COMPACT);
	free(s);
	free(out.message);
	json_decref(out.evidence);
	json_decref(facts);
}

/* A NUL-terminated copy of the input (free). */
static inline char *
fuzz_strndup(const uint8_t *d, size_t n)
{
	char *s = xmalloc(n + 1);

	if (n > 0)
		memcpy(s, d, n);
	s[n] = '\0';
	return s;
}

#endif

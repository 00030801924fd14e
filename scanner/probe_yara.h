/*
 * probe_yara.h - YARA sweeps: the "yara" probe and check type, and the
 * sweep that `plumb yara` runs.
 *
 * A sweep compiles rule sources (never precompiled rules), walks the given
 * paths with walk.c, reads each regular file into a bounded buffer and scans
 * it with libyara on a pool of worker threads, and reuses the verdicts of
 * unchanged files from the history's cache (store_yara.h).  Its result is
 *
 *   {"matches": [{"rule", "namespace", "tags": [...], "meta": {...},
 *                 "path", "size", "sha256"}, ...],
 *    "stats": {"files", "bytes", "skipped": {reason: n}, "cached",
 *              "seconds"}}
 *
 * matches sorted by path, namespace and rule; files and bytes count every
 * file with a verdict (scanned or from the cache), cached how many verdicts
 * came from the cache; a match from the cache is indistinguishable from a
 * fresh one.  The reasons in skipped are walk_skip_name()'s and "missing"
 * (a start path that does not exist), "duplicate" (a file met twice through
 * overlapping paths), "timeout", "scan-error" (libyara failed on the file)
 * and "match-limit" (match records past PLUMB_YARA_MATCHES_MAX, not kept).
 *
 * Paths in the result are shown as given (absolute stays absolute, relative
 * stays relative) with children joined by "/".  JSON strings must be UTF-8,
 * so a path is written reversibly: a backslash as "\\" and each byte that is
 * not part of valid UTF-8 as "\xNN" (two hex digits); every other character
 * as is.  probe_yara_path_text() does the same for text output and also
 * writes control characters as \n, \t, \r or \xNN so one match stays one line.
 *
 * Rule files: a --rules directory contributes every *.yar and *.yara below
 * it (sorted), each file its own namespace named after its path relative to
 * that directory without the extension ("webshells", "linux/persistence"); a
 * file given directly is namespaced by its base name.  `include` directives
 * are refused: the cache's rules hash covers exactly the files listed, so a
 * file pulled in behind its back could go stale unnoticed.  The rules hash
 * is sha256 over plumb's and libyara's versions and, in namespace order,
 * each file's namespace and the sha256 of its bytes.  Rules are compiled
 * only when some file is not answered by the cache; their hash alone
 * vouches for the cached verdicts (it was computed from the same sources).
 */
#ifndef PLUMB_PROBE_YARA_H
#define PLUMB_PROBE_YARA_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "plat.h"
#include "probe.h"
#include "util.h"

struct store;

/* How far a sweep has got (for a progress line). */
struct probe_yara_progress {
	uint64_t files;		/* files with a verdict so far */
	uint64_t bytes;		/* their bytes */
	uint64_t cached;	/* verdicts from the cache */
	uint64_t skipped;	/* entries skipped */
	double seconds;		/* since the sweep began */
};

struct probe_yara_opts {
	/* Rule files or directories; none: probe_yara_default_rules(). */
	const char *const *rules;
	size_t nrules;
	/* What to sweep: local paths (root NULL) or paths inside root. */
	const char *const *paths;
	size_t npaths;
	const struct plat_root *root;
	const char *const *excludes;	/* walk.h's exclude globs */
	size_t nexcludes;
	unsigned threads;	/* workers; 0: the CPUs this process may use */
	uint64_t max_size;	/* per-file cap; 0: PLUMB_YARA_MAX_SIZE_DEFAULT */
	int timeout;		/* seconds per file; 0: none */
	int cross_fs;		/* descend into other filesystems */
	struct store *store;	/* the cache's database; NULL: no cache */
	int64_t max_age;	/* rescan verdicts this old (s); 0: all; <0: never */
	time_t now;		/* the sweep's time (cache ages) */
	/* Optional, called on the calling thread: progress at most a few
	 * times a second, and each skipped entry (raw path bytes, reason,
	 * errno or 0). */
	void (*progress)(void *arg, const struct probe_yara_progress *p);
	void (*skipped)(void *arg, const char *path, size_t len,
			const char *reason, int err);
	void *arg;
};

/*
 * Runs a sweep.  *result (a new reference) is the object described above.
 * A problem with the cache does not fail the sweep: the cache is left alone
 * from then on and *warning (the caller frees; may be NULL) says why.
 * Failures (rules that do not compile, no rule files, bad options) return a
 * negative code with e naming the file and line.
 */
int probe_yara_sweep(const struct probe_yara_opts *o, json_t **result,
		     char **warning, struct errbuf *e);

/* The shipped rules: $PLUMB_RULES_PATH (colon-separated files or
 * directories), else PLUMB_DATADIR "/rules", else the rules/ directory of
 * the source tree the running binary was built in.  The caller frees the
 * array and its strings (n entries). */
char **probe_yara_default_rules(size_t *n);

/* A path as the result shows it (see above): JSON form when text is 0,
 * one-line text form when text is 1.  The caller frees. */
char *probe_yara_path_text(const char *raw, size_t len, int text);

extern const struct probe probe_yara;
extern const struct check_type check_yara;

#endif

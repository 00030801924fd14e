/*
 * test_vercmp.c - dpkg and rpm version ordering.
 *
 * Two kinds of test.  Hand tables document the rules (each row is a case a
 * reader can check against deb-version(7) or rpm's tests).  The oracle test
 * compares vercmp_dpkg with `dpkg --compare-versions` itself on thousands
 * of pairs built from the versions this machine really has (dpkg's status
 * and apt's lists, read through plumb's own root-confined reader) plus
 * synthetic variants with '~', '+', epochs and leading zeros; dpkg runs as
 * child processes (posix_spawnp, several at a time).  The host root read is
 * "/" unless PLUMB_VERCMP_HOST_ROOT names another.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "dpkg.h"
#include "plat.h"
#include "util.h"
#include "vercmp.h"

extern char **environ;

static int
sign(int r)
{
	return (r > 0) - (r < 0);
}

struct vcase {
	const char *a;
	const char *b;
	int want;	/* -1 a < b, 0 equal, 1 a > b */
};

/* The cases the reference notes verified with dpkg, and more of the same. */
static const struct vcase dpkg_cases[] = {
	{ "1.0~rc1", "1.0", -1 },		/* tilde before the end */
	{ "1:0.9", "2.0", 1 },			/* epoch first */
	{ "1.0", "1.0-0", 0 },			/* no revision equals "0" */
	{ "2.36-9+deb12u7", "2.36-9+deb12u10", -1 },	/* digit runs numeric */
	{ "3.0.13-1~deb12u1", "3.0.13-1", -1 },	/* backport-style ~ */
	{ "1.0a", "1.0", 1 },			/* a letter after the end */
	{ "1.0a", "1.0.1", -1 },		/* letters before non-letters */
	{ "1.0+dfsg", "1.0.1", -1 },		/* '+' sorts before '.' */
	{ "1.0~~", "1.0~", -1 },
	{ "1.0~~a", "1.0~~", 1 },
	{ "1.0-1ubuntu0.1", "1.0-1", 1 },
	{ "1.2.3-0ubuntu1", "1.2.3-1", -1 },
	{ "0:1.0", "1.0", 0 },
	{ "1.00", "1.0", 0 },			/* leading zeros ignored */
	{ "1.0.0", "1.0", 1 },
	{ "1.0+", "1.0", 1 },
	{ "1.0", "1.0", 0 },
	{ "1.0~", "1.0", -1 },
	{ "1.0~a", "1.0~b", -1 },
	{ "1.0~", "1.0~~", 1 },
	{ "1.0a", "1.0b", -1 },
	{ "1.0A", "1.0a", -1 },			/* ASCII: upper before lower */
	{ "1.0z", "1.0+", -1 },			/* letters before '+' */
	{ "1.0+", "1.0.", -1 },			/* then ASCII: '+' < '.' */
	{ "1.0.", "1.0:", -1 },			/* ':' after '.' */
	{ "1.0-a", "1.0-+", -1 },		/* same in the revision */
	{ "2:1.0", "1:9.9", 1 },
	{ "10:1", "9:1", 1 },			/* epochs numeric */
	{ "007:1", "7:1", 0 },
	{ "1.010", "1.9", 1 },			/* 010 is ten */
	{ "1.0001", "1.1", 0 },
	{ "1.2-3-4", "1.2-3", 1 },		/* revision after the last '-' */
	{ "1.2-3-4", "1.2-3-3", 1 },
	{ "1:1.0-1", "1:1.0-1", 0 },
	{ " 1.0 ", "1.0", 0 },			/* blanks around are trimmed */
	{ "9", "10", -1 },
	{ "1.0-1+b1", "1.0-1", 1 },		/* binNMU */
	{ "1.0-1~bpo12+1", "1.0-1", -1 },	/* backport */
	{ "1.0-1+deb12u1", "1.0-1~bpo12+1", 1 },
	{ "5.2.15-2+b8", "5.2.15-2+b13", -1 },
	{ "20230311+deb12u1", "20250419~deb12u2", -1 },
	{ "1.0~rc1-1", "1.0-1", -1 },
	{ "1.0-1~", "1.0-1", -1 },
	{ "1.0-0", "1.0-00", 0 },
	{ "a", "b", -1 },			/* invalid upstream still orders */
	{ "99999999999999999999", "99999999999999999998", 1 },
};

static void
vercmp__dpkg_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dpkg_cases) / sizeof(dpkg_cases[0]); i++) {
		const struct vcase *c = &dpkg_cases[i];
		int got = sign(vercmp_dpkg(c->a, c->b));
		int rev = sign(vercmp_dpkg(c->b, c->a));

		if (got != c->want || rev != -c->want)
			fail_msg("vercmp_dpkg(\"%s\", \"%s\") = %d (reverse %d), "
				 "want %d", c->a, c->b, got, rev, c->want);
	}
}

static void
vercmp__tilde_sorts_before_empty(void **state)
{
	(void)state;
	assert_true(vercmp_dpkg("1~", "1") < 0);
	assert_true(vercmp_dpkg("1~~", "1~") < 0);
	assert_true(vercmp_dpkg("1~~a", "1~") < 0);
	assert_true(vercmp_dpkg("1", "1a") < 0);
}

static void
vercmp__digit_runs_compare_numerically(void **state)
{
	(void)state;
	assert_true(vercmp_dpkg("1.9", "1.10") < 0);
	assert_true(vercmp_dpkg("1.0010", "1.9") > 0);
	assert_int_equal(vercmp_dpkg("1.000", "1.0"), 0);
	/* Longer than any integer type: compared digit by digit. */
	assert_true(vercmp_dpkg("1.123456789012345678901234567890",
				"1.123456789012345678901234567891") < 0);
}

struct valid_case {
	const char *v;
	int valid;	/* vercmp_dpkg_valid */
	int parses;	/* vercmp_dpkg_parses */
};

static const struct valid_case valid_cases[] = {
	{ "1.0", 1, 1 },
	{ "1:1.0-1", 1, 1 },
	{ "0:0", 1, 1 },
	{ "1.0~rc1+dfsg-1~bpo12+1", 1, 1 },
	{ "1.0-1-2", 1, 1 },		/* '-' allowed in upstream */
	{ "1:2:3", 1, 1 },		/* ':' allowed in upstream */
	{ " 1.0\t", 1, 1 },		/* surrounding blanks trimmed */
	{ "", 0, 0 },			/* empty */
	{ "   ", 0, 0 },		/* empty after trimming */
	{ "1.0 1", 0, 0 },		/* embedded blank */
	{ ":1.0", 0, 0 },		/* empty epoch */
	{ "a:1.0", 0, 0 },		/* epoch not a number */
	{ "-1:1.0", 0, 0 },		/* negative epoch */
	{ "2147483648:1", 0, 0 },	/* epoch above INT_MAX */
	{ "2147483647:1", 1, 1 },
	{ "1:", 0, 0 },			/* nothing after the colon */
	{ "1.0-", 0, 0 },		/* empty revision */
	{ "-1", 0, 0 },			/* empty upstream */
	{ "1:-1", 0, 0 },
	{ "a1.0", 0, 1 },		/* must start with a digit: warning */
	{ "1.0_1", 0, 1 },		/* '_' invalid: warning */
	{ "1.0-1_2", 0, 1 },		/* '_' invalid in revision: warning */
	{ "1.0-1:2", 0, 0 },		/* a ':' makes "1.0-1" an epoch */
	{ "1.0-1-", 0, 0 },
};

static void
vercmp__dpkg_valid_follows_parseversion(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++) {
		const struct valid_case *c = &valid_cases[i];

		if (vercmp_dpkg_valid(c->v) != c->valid ||
		    vercmp_dpkg_parses(c->v) != c->parses)
			fail_msg("\"%s\": valid %d parses %d, want %d %d", c->v,
				 vercmp_dpkg_valid(c->v),
				 vercmp_dpkg_parses(c->v), c->valid,
				 c->parses);
	}
}

/* rpm's own test suite (tests/rpmvercmp.at) and the reference notes. */
static const struct vcase rpm_cases[] = {
	{ "1.0", "1.0", 0 },
	{ "1.0", "2.0", -1 },
	{ "2.0.1", "2.0.1", 0 },
	{ "2.0", "2.0.1", -1 },
	{ "2.0.1a", "2.0.1", 1 },
	{ "5.5p1", "5.5p2", -1 },
	{ "5.5p10", "5.5p1", 1 },
	{ "10xyz", "10.1xyz", -1 },
	{ "xyz10", "xyz10.1", -1 },
	{ "xyz.4", "8", -1 },		/* numeric newer than alpha */
	{ "5.5p2", "5.6p1", -1 },
	{ "6.0", "6.0.rc1", -1 },
	{ "10b2", "10a1", 1 },
	{ "1.0aa", "1.0a", 1 },
	{ "10.0001", "10.1", 0 },
	{ "10.0001", "10.0039", -1 },
	{ "4.999.9", "5.0", -1 },
	{ "20101121", "20101122", -1 },
	{ "2_0", "2_0", 0 },
	{ "2.0", "2_0", 0 },		/* separators are not significant */
	{ "a", "a", 0 },
	{ "a+", "a_", 0 },
	{ "+", "_", 0 },
	{ "1.0~rc1", "1.0", -1 },
	{ "1.0~rc1", "1.0~rc2", -1 },
	{ "1.0~rc1~git123", "1.0~rc1", -1 },
	{ "1.0^", "1.0", 1 },
	{ "1.0^git1", "1.0", 1 },
	{ "1.0^git1", "1.0^git2", -1 },
	{ "1.0^git1", "1.01", -1 },
	{ "1.0^20160101", "1.0.1", -1 },
	{ "1.0^git1", "1.0.1", -1 },
	{ "1.0^git1~pre", "1.0^git1", -1 },
	{ "1.0~rc1^git1", "1.0~rc1", 1 },
	{ "1.0^git1", "1.0~rc1", 1 },
	{ "1.0a", "1.0", 1 },
	{ "1.0", "1.0.0", -1 },
	{ "1.0_1", "1.0.1", 0 },
	{ "2.02", "2.2", 0 },
	{ "1.0", "1.a", 1 },
	{ "5.1-3.el9", "5.1-3.el9_2", -1 },	/* release compared */
	{ "1:1.0", "2.0", 1 },			/* epoch */
	{ "0:1.0", "1.0", 0 },			/* missing epoch is 0 */
	{ ":1.0", "1.0", 0 },			/* empty epoch is 0 */
	{ "1.0-1", "1.0", 1 },			/* no release sorts first */
};

static void
vercmp__rpm_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rpm_cases) / sizeof(rpm_cases[0]); i++) {
		const struct vcase *c = &rpm_cases[i];
		int got = sign(vercmp_rpm(c->a, c->b));
		int rev = sign(vercmp_rpm(c->b, c->a));

		if (got != c->want || rev != -c->want)
			fail_msg("vercmp_rpm(\"%s\", \"%s\") = %d (reverse %d), "
				 "want %d", c->a, c->b, got, rev, c->want);
	}
}

/* --- the dpkg oracle ----------------------------------------------- */

#define ORACLE_PAIRS_MIN 3000
/* Real pairs asked of dpkg, at most: about 3000 in all. */
#define ORACLE_SAME_PKG 1500
#define ORACLE_NEIGHBOURS 1200
#define ORACLE_RANDOM 300
#define ORACLE_JOBS 8

struct strset {
	char **v;
	size_t n, cap;
};

static void
strset_add(struct strset *s, const char *v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n++] = xstrdup(v);
}

static void
strset_free(struct strset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* A package name and one of its versions, as found on the host. */
struct pv {
	char *pkg;
	char *ver;
};

struct pvs {
	struct pv *v;
	size_t n, cap;
};

static int
collect_stanza(const struct dpkg_stanza *st, void *arg, struct errbuf *e)
{
	struct pvs *p = arg;
	const char *pkg = dpkg_stanza_get(st, "Package");
	const char *ver = dpkg_stanza_get(st, "Version");

	(void)e;
	if (pkg == NULL || ver == NULL || !vercmp_dpkg_valid(ver))
		return 0;
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 4096;
		p->v = xreallocarray(p->v, p->cap, sizeof(*p->v));
	}
	p->v[p->n].pkg = xstrdup(pkg);
	p->v[p->n].ver = xstrdup(ver);
	p->n++;
	return 0;
}

static void
collect_file(const struct plat_root *r, const char *path, struct pvs *p)
{
	static const char *const want[] = { "Package", "Version", NULL };
	struct dpkg_source *src = NULL;
	struct errbuf e;

	if (dpkg_source_open(r, path, PLUMB_LARGE_FILE_MAX, &src, &e) != 0) {
		printf("# not read: %s\n", e.msg);
		return;
	}
	if (dpkg_parse(src, want, collect_stanza, p, &e) != 0)
		printf("# not read whole: %s\n", e.msg);
	dpkg_source_free(src);
}

static int
pv_cmp(const void *a, const void *b)
{
	const struct pv *x = a, *y = b;
	int r = strcmp(x->pkg, y->pkg);

	return r != 0 ? r : vercmp_dpkg(x->ver, y->ver);
}

/* dpkg's order, then byte order, so identical strings end up adjacent. */
static int
ver_cmp(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int r = vercmp_dpkg(x, y);

	return r != 0 ? r : strcmp(x, y);
}

/* Whether the j-th of n candidates is among k taken evenly (all when
 * n <= k). */
static int
take_evenly(size_t j, size_t n, size_t k)
{
	return n <= k || (j + 1) * k / n > j * k / n;
}

struct pair {
	char *a;
	char *b;
	int ours;
	int dpkg;	/* 2: agreed; -2: dpkg failed; else dpkg's sign */
};

struct pairs {
	struct pair *v;
	size_t n, cap;
};

static void
pair_add(struct pairs *p, const char *a, const char *b)
{
	if (!vercmp_dpkg_valid(a) || !vercmp_dpkg_valid(b))
		return;
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 4096;
		p->v = xreallocarray(p->v, p->cap, sizeof(*p->v));
	}
	p->v[p->n].a = xstrdup(a);
	p->v[p->n].b = xstrdup(b);
	p->v[p->n].ours = sign(vercmp_dpkg(a, b));
	p->v[p->n].dpkg = 0;
	p->n++;
}

/* A small deterministic generator, so a failure reproduces. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static size_t
rng(size_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? (size_t)(rng_state % n) : 0;
}

/* A variant of v that exercises one rule. */
static char *
mutate(const char *v, unsigned kind)
{
	static const char *const suffix[] = { "~", "~~", "~rc1", "~~a", "+",
		"+b1", "a", "A", ".0", ".", "+dfsg", "-0", "-1", "~0", "0" };
	size_t n = strlen(v), i;
	char *out, *d;

	switch (kind % 7) {
	case 0:	/* a suffix */
		return xasprintf("%s%s", v,
				 suffix[rng(sizeof(suffix) / sizeof(*suffix))]);
	case 1:	/* an epoch */
		if (strchr(v, ':') != NULL)
			return xasprintf("%zu%s", rng(3), strchr(v, ':'));
		return xasprintf("%zu:%s", rng(3), v);
	case 2:	/* leading zeros before a digit run */
		out = xmalloc(2 * n + 1);
		d = out;
		for (i = 0; i < n; i++) {
			if ((i == 0 || !(v[i - 1] >= '0' && v[i - 1] <= '9')) &&
			    v[i] >= '0' && v[i] <= '9' && rng(2))
				*d++ = '0';
			*d++ = v[i];
		}
		*d = '\0';
		return out;
	case 3:	/* a digit changed by one */
		out = xstrdup(v);
		for (i = n; i-- > 0;) {
			if (out[i] >= '1' && out[i] <= '8' && rng(2)) {
				out[i] = (char)(out[i] + (rng(2) ? 1 : -1));
				break;
			}
		}
		return out;
	case 4:	/* a separator swapped for another */
		out = xstrdup(v);
		for (i = n; i-- > 1;) {
			if (out[i] == '.' || out[i] == '+' || out[i] == '~') {
				out[i] = ".+~"[rng(3)];
				break;
			}
		}
		return out;
	case 5:	/* the revision dropped */
		d = strrchr(v, '-');
		return d != NULL ? xstrndup(v, (size_t)(d - v)) :
				   xasprintf("%s-0", v);
	default:	/* a letter case flipped or inserted */
		out = xstrdup(v);
		for (i = n; i-- > 0;) {
			if (out[i] >= 'a' && out[i] <= 'z') {
				out[i] = (char)(out[i] - 'a' + 'A');
				return out;
			}
		}
		free(out);
		return xasprintf("%sz", v);
	}
}

/* Synthetic versions that combine the tricky rules. */
static const char *const synthetic[] = {
	"0", "0.0", "0:0", "1", "1.0", "1.0-0", "1.0-1", "1.00", "1.0.0",
	"1.0~", "1.0~~", "1.0~~a", "1.0~a", "1.0~rc1", "1.0~rc1-1", "1.0+",
	"1.0+b1", "1.0a", "1.0A", "1.0z", "1.0.", "1.0:", "1:1.0", "1:0.9",
	"2:0", "1.0-1~", "1.0-1+b1", "1.0-1~bpo12+1", "1.0-1+deb12u1",
	"1.0-1ubuntu0.1", "1.0+dfsg-1", "1.0+dfsg1-1", "1.0.1", "1.01",
	"1.001", "1.0010", "1.10", "1.9", "10", "9", "1.0-1-1", "1.0-a",
	"1.0-+", "1.0-~", "1.0-0~", "007:1", "7:1", "1.0~~~", "1.0~~~~",
	"3.0.13-1~deb12u1", "3.0.13-1", "3.0.15-1~deb12u1", "2.36-9+deb12u7",
	"2.36-9+deb12u10", "20230311+deb12u1", "20250419~deb12u2",
	"1.2.3-0ubuntu1", "1.2.3-1", "4:5.27.5-2+b1", "1:2.38.1-5+deb12u3",
	"2.06-13+deb12u1", "1.0+really0.9-1", "0.9+really1.0-1",
	"99999999999999999999.1", "099999999999999999999.1",
};

struct job {
	pid_t pid;
	size_t idx;
	int phase;	/* 0: asked our relation; 1..: asking lt/eq/gt */
};

static const char *
rel_op(int s)
{
	return s < 0 ? "lt" : s == 0 ? "eq" : "gt";
}

static int
spawn_dpkg(const char *a, const char *op, const char *b, pid_t *pid)
{
	char *argv[] = { "dpkg", "--compare-versions", (char *)a, (char *)op,
			 (char *)b, NULL };
	posix_spawn_file_actions_t fa;
	int r;

	posix_spawn_file_actions_init(&fa);
	/* dpkg warns on stderr about odd versions; keep the TAP clean. */
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	r = posix_spawnp(pid, "dpkg", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return r;
}

/*
 * Asks dpkg about each pair.  One call per pair confirms our relation;
 * only on disagreement are lt and eq asked to learn dpkg's answer.
 */
static void
run_oracle(struct pairs *p)
{
	struct job jobs[ORACLE_JOBS];
	size_t next = 0, running = 0, j;

	memset(jobs, 0, sizeof(jobs));
	while (next < p->n || running > 0) {
		while (running < ORACLE_JOBS && next < p->n) {
			for (j = 0; jobs[j].pid != 0; j++)
				;
			jobs[j].idx = next++;
			jobs[j].phase = 0;
			if (spawn_dpkg(p->v[jobs[j].idx].a,
				       rel_op(p->v[jobs[j].idx].ours),
				       p->v[jobs[j].idx].b, &jobs[j].pid) != 0) {
				p->v[jobs[j].idx].dpkg = -2;
				jobs[j].pid = 0;
				continue;
			}
			running++;
		}
		if (running == 0)
			break;
		{
			int st;
			pid_t w = waitpid(-1, &st, 0);
			struct pair *pr;
			int code;

			if (w < 0) {
				if (errno == EINTR)
					continue;
				fail_msg("waitpid: %s", strerror(errno));
			}
			for (j = 0; j < ORACLE_JOBS && jobs[j].pid != w; j++)
				;
			if (j == ORACLE_JOBS)
				continue;
			pr = &p->v[jobs[j].idx];
			code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
			jobs[j].pid = 0;
			running--;
			if (code != 0 && code != 1) {
				pr->dpkg = -2;
				continue;
			}
			if (jobs[j].phase == 0 && code == 0) {
				pr->dpkg = 2;
				continue;
			}
			/* Disagreement: find dpkg's answer, lt then eq. */
			if (jobs[j].phase == 1 && code == 0) {
				pr->dpkg = -1;
				continue;
			}
			if (jobs[j].phase == 2) {
				pr->dpkg = code == 0 ? 0 : 1;
				continue;
			}
			jobs[j].phase++;
			if (spawn_dpkg(pr->a, jobs[j].phase == 1 ? "lt" : "eq",
				       pr->b, &jobs[j].pid) != 0) {
				pr->dpkg = -2;
				jobs[j].pid = 0;
				continue;
			}
			running++;
		}
	}
}

static int
dpkg_present(void)
{
	char *argv[] = { "dpkg", "--compare-versions", "1", "lt", "2", NULL };
	pid_t pid;
	int st;

	if (posix_spawnp(&pid, "dpkg", NULL, NULL, argv, environ) != 0)
		return 0;
	if (waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void
vercmp__dpkg_agrees_with_dpkg_compare_versions(void **state)
{
	const char *root_dir = getenv("PLUMB_VERCMP_HOST_ROOT");
	struct plat_root *root = NULL;
	struct pvs found = { 0 };
	struct strset distinct = { 0 };
	struct pairs pairs = { 0 };
	struct errbuf e;
	char **lists = NULL;
	size_t nlists = 0, i, j, same_pkg = 0, mismatches = 0, failures = 0;
	size_t s0, s1, s2, s3;

	(void)state;
	if (!dpkg_present()) {
		printf("# dpkg is not installed: the oracle comparison needs "
		       "`dpkg --compare-versions`\n");
		skip();
	}
	if (root_dir == NULL)
		root_dir = "/";
	assert_int_equal(plat_root_open(root_dir, &root, &e), 0);
	collect_file(root, DPKG_STATUS_PATH, &found);
	if (plat_glob(root, "var/lib/apt/lists/*_Packages*", &lists, &nlists,
		      &e) != 0)
		nlists = 0;
	for (i = 0; i < nlists; i++)
		collect_file(root, lists[i], &found);
	plat_list_free(lists, nlists);
	plat_root_free(root);
	printf("# %zu (package, version) entries from the host's status and "
	       "%zu apt lists\n", found.n, nlists);

	/* 1. Different versions of the same package, neighbours in order:
	 * the comparisons apt makes when picking a candidate.  At most
	 * ORACLE_SAME_PKG of them, spread evenly over the alphabet: each
	 * dpkg call costs a process. */
	qsort(found.v, found.n, sizeof(*found.v), pv_cmp);
	for (i = 1; i < found.n; i++)
		same_pkg += strcmp(found.v[i - 1].pkg, found.v[i].pkg) == 0 &&
			    strcmp(found.v[i - 1].ver, found.v[i].ver) != 0;
	for (i = 1, j = 0; i < found.n; i++) {
		if (strcmp(found.v[i - 1].pkg, found.v[i].pkg) != 0 ||
		    strcmp(found.v[i - 1].ver, found.v[i].ver) == 0)
			continue;
		if (!take_evenly(j++, same_pkg, ORACLE_SAME_PKG))
			continue;
		pair_add(&pairs, found.v[i].ver, found.v[i - 1].ver);
	}
	s0 = pairs.n;

	/* 2. Neighbours in the sorted set of every distinct version: the
	 * closest calls ("1.0" next to "1.00", "1.0~rc1" next to "1.0"),
	 * spread evenly over the whole set. */
	for (i = 0; i < found.n; i++)
		strset_add(&distinct, found.v[i].ver);
	qsort(distinct.v, distinct.n, sizeof(*distinct.v), ver_cmp);
	for (i = 1, j = 1; i < distinct.n; i++) {
		if (strcmp(distinct.v[j - 1], distinct.v[i]) == 0) {
			free(distinct.v[i]);
			continue;
		}
		distinct.v[j++] = distinct.v[i];
	}
	if (distinct.n > 1)
		distinct.n = j;
	for (i = 1; i < distinct.n; i++)
		if (take_evenly(i - 1, distinct.n - 1, ORACLE_NEIGHBOURS))
			pair_add(&pairs, distinct.v[i], distinct.v[i - 1]);
	s1 = pairs.n;

	/* 3. Random real pairs. */
	for (i = 0; distinct.n > 1 && i < ORACLE_RANDOM; i++)
		pair_add(&pairs, distinct.v[rng(distinct.n)],
			 distinct.v[rng(distinct.n)]);
	s2 = pairs.n;

	/* 4. Every pair of the synthetic set, and real versions against
	 * variants of themselves. */
	for (i = 0; i < sizeof(synthetic) / sizeof(*synthetic); i++)
		for (j = i + 1; j < sizeof(synthetic) / sizeof(*synthetic); j++)
			pair_add(&pairs, synthetic[i], synthetic[j]);
	s3 = pairs.n;
	for (i = 0; pairs.n < s3 + 600 || pairs.n < ORACLE_PAIRS_MIN; i++) {
		const char *v = distinct.n > 0 ? distinct.v[rng(distinct.n)] :
			synthetic[rng(sizeof(synthetic) / sizeof(*synthetic))];
		char *m = mutate(v, (unsigned)i);

		pair_add(&pairs, v, m);
		free(m);
		if (i > 100000)
			break;
	}
	printf("# %zu pairs: %zu same-package, %zu sorted neighbours, %zu "
	       "random, %zu synthetic, %zu variants\n", pairs.n, s0,
	       s1 - s0, s2 - s1, s3 - s2, pairs.n - s3);
	assert_true(pairs.n >= ORACLE_PAIRS_MIN);

	run_oracle(&pairs);
	for (i = 0; i < pairs.n; i++) {
		struct pair *pr = &pairs.v[i];

		if (pr->dpkg == -2) {
			if (failures++ < 10)
				printf("# dpkg failed on \"%s\" vs \"%s\"\n",
				       pr->a, pr->b);
		} else if (pr->dpkg != 2) {
			if (mismatches++ < 20)
				printf("# MISMATCH \"%s\" vs \"%s\": plumb %d, "
				       "dpkg %d\n", pr->a, pr->b, pr->ours,
				       pr->dpkg);
		}
	}
	printf("# dpkg agreed on %zu of %zu pairs\n",
	       pairs.n - mismatches - failures, pairs.n);
	for (i = 0; i < pairs.n; i++) {
		free(pairs.v[i].a);
		free(pairs.v[i].b);
	}
	free(pairs.v);
	for (i = 0; i < found.n; i++) {
		free(found.v[i].pkg);
		free(found.v[i].ver);
	}
	free(found.v);
	strset_free(&distinct);
	assert_int_equal(failures, 0);
	assert_int_equal(mismatches, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vercmp__dpkg_table),
		cmocka_unit_test(vercmp__tilde_sorts_before_empty),
		cmocka_unit_test(vercmp__digit_runs_compare_numerically),
		cmocka_unit_test(vercmp__dpkg_valid_follows_parseversion),
		cmocka_unit_test(vercmp__rpm_table),
		cmocka_unit_test(vercmp__dpkg_agrees_with_dpkg_compare_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

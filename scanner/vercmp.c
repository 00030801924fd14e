/*
 * vercmp.c - dpkg and rpm version ordering.
 *
 * Written from the rules of dpkg's lib/dpkg/version.c (verrevcmp) and
 * lib/dpkg/parsehelp.c (parseversion), and rpm's rpmio/rpmvercmp.c and
 * rpmio/rpmver.c, without copying their code.  Both work on slices of the
 * caller's strings, so no allocation happens on the hot path of candidate
 * selection (tens of thousands of comparisons per scan).
 */
#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "vercmp.h"

/* dpkg's epoch bound: an epoch must fit an int. */
#define VERCMP_EPOCH_MAX ((long long)INT_MAX)

/* A non-owning slice [p, end). */
struct vslice {
	const char *p;
	const char *end;
};

struct dpkg_ver {
	long long epoch;
	struct vslice upstream;
	struct vslice revision;
	int error;	/* dpkg would refuse it */
	int warning;	/* dpkg would accept it with a warning */
};

/* The C locale's character classes, as dpkg's c_is* helpers. */
static int
c_isdigit(int c)
{
	return c >= '0' && c <= '9';
}

static int
c_isalpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
c_isblank(int c)
{
	return c == ' ' || c == '\t';
}

/*
 * Splits v the way dpkg's parseversion does.  On a hard error the fields
 * still describe something comparable: a bad epoch leaves the whole string
 * as upstream with epoch 0.
 */
static void
dpkg_ver_parse(const char *v, struct dpkg_ver *out)
{
	const char *s = v, *end, *rest, *colon, *p, *hyphen;
	long long epoch = 0;
	int digits = 0, neg = 0;

	memset(out, 0, sizeof(*out));
	if (*s == '\0')
		out->error = 1;
	while (c_isblank((unsigned char)*s))
		s++;
	for (end = s; *end != '\0' && !c_isblank((unsigned char)*end); end++)
		;
	for (rest = end; c_isblank((unsigned char)*rest); rest++)
		;
	if (*rest != '\0')
		out->error = 1;	/* embedded blanks */

	colon = memchr(s, ':', (size_t)(end - s));
	if (colon != NULL) {
		/* strtol's grammar: an optional sign, then decimal digits. */
		p = s;
		if (*p == '+' || *p == '-')
			neg = *p++ == '-';
		for (; c_isdigit((unsigned char)*p); p++) {
			digits = 1;
			if (epoch <= VERCMP_EPOCH_MAX)
				epoch = epoch * 10 + (*p - '0');
		}
		if (!digits || p != colon || (neg && epoch != 0) ||
		    epoch > VERCMP_EPOCH_MAX || colon + 1 == end) {
			out->error = 1;
			epoch = 0;
		} else {
			s = colon + 1;
		}
	}
	out->epoch = epoch;

	hyphen = NULL;
	for (p = s; p < end; p++)
		if (*p == '-')
			hyphen = p;
	out->upstream.p = s;
	if (hyphen != NULL) {
		out->upstream.end = hyphen;
		out->revision.p = hyphen + 1;
		out->revision.end = end;
		if (hyphen + 1 == end)
			out->error = 1;	/* empty revision */
	} else {
		out->upstream.end = end;
		out->revision.p = out->revision.end = end;
	}
	if (out->upstream.p == out->upstream.end) {
		out->error = 1;
		return;
	}
	if (!c_isdigit((unsigned char)*out->upstream.p))
		out->warning = 1;
	for (p = out->upstream.p; p < out->upstream.end; p++)
		if (!c_isdigit((unsigned char)*p) && !c_isalpha((unsigned char)*p) &&
		    strchr(".-+~:", *p) == NULL)
			out->warning = 1;
	for (p = out->revision.p; p < out->revision.end; p++)
		if (!c_isdigit((unsigned char)*p) && !c_isalpha((unsigned char)*p) &&
		    strchr(".+~", *p) == NULL)
			out->warning = 1;
}

/* The character at p, or 0 at the end of the slice.  Characters are taken
 * as signed, as dpkg reads them on amd64, so bytes above 0x7f order the same
 * way dpkg orders them there (they are invalid in a version anyway). */
static int
at(const char *p, const char *end)
{
	return p < end ? (int)(signed char)*p : 0;
}

/* dpkg's weight of a character in a non-digit run: '~' below the end of
 * the string, letters next, every other character after all letters. */
static int
order(int c)
{
	if (c_isdigit(c))
		return 0;
	if (c_isalpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c != 0)
		return c + 256;
	return 0;
}

static int
verrevcmp(struct vslice a, struct vslice b)
{
	const char *pa = a.p, *pb = b.p;

	while (pa < a.end || pb < b.end) {
		int first_diff = 0;

		while ((pa < a.end && !c_isdigit(at(pa, a.end))) ||
		       (pb < b.end && !c_isdigit(at(pb, b.end)))) {
			int ac = order(at(pa, a.end));
			int bc = order(at(pb, b.end));

			if (ac != bc)
				return ac - bc;
			pa++;
			pb++;
		}
		while (at(pa, a.end) == '0')
			pa++;
		while (at(pb, b.end) == '0')
			pb++;
		while (c_isdigit(at(pa, a.end)) && c_isdigit(at(pb, b.end))) {
			if (!first_diff)
				first_diff = at(pa, a.end) - at(pb, b.end);
			pa++;
			pb++;
		}
		if (c_isdigit(at(pa, a.end)))
			return 1;
		if (c_isdigit(at(pb, b.end)))
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
}

int
vercmp_dpkg(const char *a, const char *b)
{
	struct dpkg_ver va, vb;
	int r;

	dpkg_ver_parse(a, &va);
	dpkg_ver_parse(b, &vb);
	if (va.epoch != vb.epoch)
		return va.epoch < vb.epoch ? -1 : 1;
	if ((r = verrevcmp(va.upstream, vb.upstream)) != 0)
		return r;
	return verrevcmp(va.revision, vb.revision);
}

int
vercmp_dpkg_valid(const char *v)
{
	struct dpkg_ver pv;

	dpkg_ver_parse(v, &pv);
	return !pv.error && !pv.warning;
}

int
vercmp_dpkg_parses(const char *v)
{
	struct dpkg_ver pv;

	dpkg_ver_parse(v, &pv);
	return !pv.error;
}

/* rpm's character classes (rpmstring.h), ASCII only. */
static int
r_isdigit(int c)
{
	return c >= '0' && c <= '9';
}

static int
r_isalpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
r_isalnum(int c)
{
	return r_isdigit(c) || r_isalpha(c);
}

/* strcmp of two slices: bytewise, a proper prefix sorts first. */
static int
slice_strcmp(const char *a, size_t na, const char *b, size_t nb)
{
	int r = memcmp(a, b, na < nb ? na : nb);

	if (r != 0)
		return r < 0 ? -1 : 1;
	if (na != nb)
		return na < nb ? -1 : 1;
	return 0;
}

/* rpmvercmp over two slices. */
static int
rpmvercmp(struct vslice a, struct vslice b)
{
	const char *one = a.p, *two = b.p;

	if (slice_strcmp(a.p, (size_t)(a.end - a.p), b.p,
			 (size_t)(b.end - b.p)) == 0)
		return 0;
	while (one < a.end || two < b.end) {
		const char *s1, *s2;
		int isnum, r;

		while (one < a.end && !r_isalnum(*one) && *one != '~' &&
		       *one != '^')
			one++;
		while (two < b.end && !r_isalnum(*two) && *two != '~' &&
		       *two != '^')
			two++;

		/* '~' sorts before everything, the end included. */
		if (at(one, a.end) == '~' || at(two, b.end) == '~') {
			if (at(one, a.end) != '~')
				return 1;
			if (at(two, b.end) != '~')
				return -1;
			one++;
			two++;
			continue;
		}
		/* '^' sorts after the end but before any other segment. */
		if (at(one, a.end) == '^' || at(two, b.end) == '^') {
			if (one == a.end)
				return -1;
			if (two == b.end)
				return 1;
			if (*one != '^')
				return 1;
			if (*two != '^')
				return -1;
			one++;
			two++;
			continue;
		}
		if (one == a.end || two == b.end)
			break;

		s1 = one;
		s2 = two;
		isnum = r_isdigit(*s1);
		if (isnum) {
			while (s1 < a.end && r_isdigit(*s1))
				s1++;
			while (s2 < b.end && r_isdigit(*s2))
				s2++;
		} else {
			while (s1 < a.end && r_isalpha(*s1))
				s1++;
			while (s2 < b.end && r_isalpha(*s2))
				s2++;
		}
		/* A numeric segment is newer than an alphabetic one. */
		if (two == s2)
			return isnum ? 1 : -1;
		if (isnum) {
			while (one < s1 && *one == '0')
				one++;
			while (two < s2 && *two == '0')
				two++;
			if (s1 - one != s2 - two)
				return s1 - one > s2 - two ? 1 : -1;
		}
		r = slice_strcmp(one, (size_t)(s1 - one), two,
				 (size_t)(s2 - two));
		if (r != 0)
			return r;
		one = s1;
		two = s2;
	}
	if (one == a.end && two == b.end)
		return 0;
	return one == a.end ? -1 : 1;
}

struct rpm_evr {
	struct vslice e, v, r;
	int has_e, has_r;
};

static void
rpm_evr_parse(const char *s, struct rpm_evr *out)
{
	const char *end = s + strlen(s), *p = s, *hyphen = NULL, *q;

	memset(out, 0, sizeof(*out));
	while (p < end && r_isdigit(*p))
		p++;
	for (q = p; q < end; q++)
		if (*q == '-')
			hyphen = q;
	if (p < end && *p == ':') {
		out->has_e = 1;
		out->e.p = s;
		out->e.end = p;
		out->v.p = p + 1;
	} else {
		out->v.p = s;
	}
	out->v.end = end;
	if (hyphen != NULL) {
		out->v.end = hyphen;
		out->has_r = 1;
		out->r.p = hyphen + 1;
		out->r.end = end;
	}
}

int
vercmp_rpm(const char *a, const char *b)
{
	static const char zero[] = "0";
	struct rpm_evr ea, eb;
	int r;

	rpm_evr_parse(a, &ea);
	rpm_evr_parse(b, &eb);
	/* A missing or empty epoch is "0". */
	if (!ea.has_e || ea.e.p == ea.e.end) {
		ea.e.p = zero;
		ea.e.end = zero + 1;
	}
	if (!eb.has_e || eb.e.p == eb.e.end) {
		eb.e.p = zero;
		eb.e.end = zero + 1;
	}
	if ((r = rpmvercmp(ea.e, eb.e)) != 0)
		return r;
	if ((r = rpmvercmp(ea.v, eb.v)) != 0)
		return r;
	if (ea.has_r != eb.has_r)
		return ea.has_r ? 1 : -1;
	if (!ea.has_r)
		return 0;
	return rpmvercmp(ea.r, eb.r);
}

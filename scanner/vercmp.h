/*
 * vercmp.h - package version ordering exactly as dpkg and rpm order them.
 *
 * Whether an installed package is behind its candidate is decided by these
 * two functions alone, so they follow the reference implementations rule by
 * rule (dpkg lib/dpkg/version.c + parsehelp.c, rpm rpmio/rpmvercmp.c +
 * rpmver.c) and are tested against `dpkg --compare-versions` on thousands
 * of real version pairs.
 */
#ifndef PLUMB_VERCMP_H
#define PLUMB_VERCMP_H

/*
 * Compares two Debian versions "[epoch:]upstream[-revision]" as dpkg does:
 * epoch numerically, then upstream and revision with dpkg's verrevcmp ('~'
 * sorts before everything including the end, letters before non-letters,
 * digit runs numerically ignoring leading zeros; an absent revision equals
 * "0").  Returns <0, 0 or >0.  Surrounding blanks are ignored.  A string
 * dpkg would refuse (see vercmp_dpkg_valid) still compares deterministically
 * but not meaningfully: callers validate versions taken from the host.
 */
int vercmp_dpkg(const char *a, const char *b);

/*
 * True (1) when dpkg parses v as a version without error or warning: not
 * empty, no embedded blanks, epoch a decimal in [0, INT_MAX] followed by a
 * non-empty rest, non-empty revision after the last '-' if there is one,
 * upstream starting with a digit and made of [A-Za-z0-9.+~:-], revision of
 * [A-Za-z0-9.+~].  Otherwise 0.
 */
int vercmp_dpkg_valid(const char *v);

/*
 * True (1) when dpkg's lax parser, the one it reads its own database and
 * apt lists with, accepts v: as vercmp_dpkg_valid, except that a non-digit
 * start and characters outside the allowed sets are only warnings.
 */
int vercmp_dpkg_parses(const char *v);

/*
 * Compares two RPM EVR strings "[epoch:]version[-release]" as rpm >= 4.16
 * does (rpmverCmp over rpmvercmp): a missing epoch is 0, a missing release
 * sorts before a present one; segments are maximal digit or letter runs,
 * other characters only separate, '~' sorts before everything and '^'
 * after the end but before any other segment.  Returns -1, 0 or 1.
 */
int vercmp_rpm(const char *a, const char *b);

#endif

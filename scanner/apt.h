/*
 * apt.h - what apt would install: candidate versions from apt's lists, and
 * apt's configuration.
 *
 * apt_candidates reads every var/lib/apt/lists/..._Packages list (plain, .gz,
 * .xz, .lz4) with the Release/InRelease file it belongs to, and picks for
 * each installed package the version apt's default policy picks
 * (pkgPolicy::GetCandidateVer with default pin priorities: 500 for an
 * archive, 100 for the installed version and for NotAutomatic archives
 * with ButAutomaticUpgrades such as backports, 1 for NotAutomatic ones such
 * as experimental).  A package is pending when that candidate is newer than
 * the installed version: the set `apt list --upgradable` prints.  Not
 * modelled: pins from etc/apt/preferences* and APT::Default-Release (their
 * files are reported so evidence can say so) and Ubuntu's phased updates.
 *
 * aptconf_load reads the files of etc/apt/apt.conf.d and etc/apt/apt.conf the way apt
 * does (same file selection and order, nested scopes, lists, #clear).
 */
#ifndef PLUMB_APT_H
#define PLUMB_APT_H

#include <stddef.h>

#include "dpkg.h"
#include "plat.h"
#include "util.h"

#define APT_LISTS_DIR "var/lib/apt/lists"

/* Default pin priorities (apt_preferences(5)). */
#define APT_PRIO_ARCHIVE 500
#define APT_PRIO_INSTALLED 100
#define APT_PRIO_BUT_AUTOMATIC 100
#define APT_PRIO_NOT_AUTOMATIC 1

/* One Packages list and the archive it came from. */
struct apt_list {
	char *file;		/* root-relative path */
	char *release;		/* its InRelease/Release file, or NULL */
	char *origin;		/* Release fields; "" when unknown */
	char *label;
	char *suite;		/* Suite, else Codename, else the dist part
				 * of the file name */
	char *codename;
	int priority;		/* default pin priority of the archive */
	int security;		/* a -security suite or the Debian-Security
				 * label */
	size_t stanzas;		/* packages read */
	size_t skipped;		/* stanzas without a usable name/version */
	char *error;		/* why it could not be read whole, or NULL */
};

/* An installed package whose candidate is newer. */
struct apt_pending {
	char *name;
	char *arch;		/* the installed package's */
	char *installed;
	char *candidate;
	char *candidate_arch;
	char *suites;		/* archives holding the candidate, "a,b" */
	int security;		/* the candidate is in a security archive */
	int hold;		/* dpkg selection is "hold" */
};

struct apt_state {
	struct apt_list *lists;	/* sorted by file name */
	size_t nlists;
	size_t nerrors;		/* lists (or Release files) not read whole */
	struct apt_pending *pending;	/* sorted by name, then arch */
	size_t npending;
};

/*
 * Finds the candidates for db's packages from the lists under the root.
 * A list that cannot be read is recorded with its error (nerrors counts
 * them) and the rest are still read; no lists directory is zero lists.
 * Fails only when the lists directory cannot be listed.  Free with
 * apt_state_free().
 */
int apt_candidates(const struct plat_root *r, const struct dpkg_db *db,
		   struct apt_state **out, struct errbuf *e);
void apt_state_free(struct apt_state *s);

/* The pin files apt would read (etc/apt/preferences and the files of
 * etc/apt/preferences.d it accepts), root-relative; *n may be 0. */
int apt_preferences_files(const struct plat_root *r, char ***paths,
			  size_t *n, struct errbuf *e);

/* One setting as written: "A::B::C" = value, or a list item of "A::B"
 * (key "A::B::"), or a #clear of key. */
struct aptconf_item {
	char *key;
	char *value;
	char *file;		/* root-relative */
	int line;
	int clear;
};

struct aptconf {
	struct aptconf_item *items;	/* in the order apt reads them */
	size_t n;
	char **files;			/* the files read, in order */
	size_t nfiles;
};

/* Reads apt's configuration under the root.  Missing files are no
 * settings; an unreadable or malformed one is an error naming file:line. */
int aptconf_load(const struct plat_root *r, struct aptconf **out,
		 struct errbuf *e);
/* The same from text (tests). */
int aptconf_parse(struct aptconf *c, const char *file, const char *text,
		  struct errbuf *e);
void aptconf_free(struct aptconf *c);
/* The effective value of a scalar key (case-insensitive), or NULL. */
const struct aptconf_item *aptconf_find(const struct aptconf *c,
					const char *key);
/* The effective items of list key, up to max, in order; returns how many
 * there are. */
size_t aptconf_list(const struct aptconf *c, const char *key,
		    const struct aptconf_item **out, size_t max);

#endif

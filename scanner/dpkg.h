/*
 * dpkg.h - reading Debian's package databases: deb822 stanzas from dpkg's
 * status file and apt's lists, in every compression apt stores them.
 *
 * Three layers, each usable on its own:
 * - a byte source (struct dpkg_source) that reads a file inside the scan
 *   root, or memory, and decompresses gzip, xz or lz4 on the fly, refusing
 *   to produce more than a cap (a decompression bomb stops there);
 * - a streaming stanza parser (dpkg_parse) that hands each stanza to a
 *   callback and keeps only the fields the caller asks for, so a 60 MiB
 *   Packages list is read in constant memory;
 * - the installed-package database (struct dpkg_db) read from
 *   var/lib/dpkg/status.
 * Everything read is untrusted: sizes are capped (limits.h), NUL bytes are
 * refused, and errors name file:line.
 */
#ifndef PLUMB_DPKG_H
#define PLUMB_DPKG_H

#include <stddef.h>

#include "plat.h"
#include "util.h"

enum dpkg_comp {
	DPKG_COMP_NONE,
	DPKG_COMP_GZIP,		/* .gz: gzip (or zlib), members concatenated */
	DPKG_COMP_XZ,		/* .xz: xz streams, concatenated */
	DPKG_COMP_LZ4,		/* .lz4: LZ4 frame format, as apt writes it */
};

/*
 * The compression a file name implies by its extension.  A name ending in
 * a compression apt knows but plumb does not read (.bz2, .lzma, .zst) is
 * PLUMB_EINVAL with a message; anything else is DPKG_COMP_NONE.
 */
int dpkg_comp_from_name(const char *name, enum dpkg_comp *out,
			struct errbuf *e);

struct dpkg_source;

/*
 * Opens path inside the root, decompressing as its name says.  At most max
 * bytes are produced (and at most max compressed bytes read); beyond that a
 * read fails with PLUMB_ELIMIT.  Free with dpkg_source_free().
 */
int dpkg_source_open(const struct plat_root *r, const char *path, size_t max,
		     struct dpkg_source **out, struct errbuf *e);
/* The same over an open descriptor, which the source takes over (closed by
 * dpkg_source_free, and on failure).  name is used in messages. */
int dpkg_source_fd(int fd, const char *name, enum dpkg_comp comp, size_t max,
		   struct dpkg_source **out, struct errbuf *e);
/* The same over memory the caller keeps alive while the source is used. */
int dpkg_source_mem(const void *data, size_t len, const char *name,
		    enum dpkg_comp comp, size_t max, struct dpkg_source **out,
		    struct errbuf *e);
/* Reads up to cap decompressed bytes; *got == 0 means the end. */
int dpkg_source_read(struct dpkg_source *s, void *buf, size_t cap,
		     size_t *got, struct errbuf *e);
/* Reads everything that is left into a NUL-terminated buffer the caller
 * frees (NUL bytes inside are not checked here). */
int dpkg_source_slurp(struct dpkg_source *s, char **data, size_t *len,
		      struct errbuf *e);
/* The name given at open (borrowed). */
const char *dpkg_source_name(const struct dpkg_source *s);
void dpkg_source_free(struct dpkg_source *s);

/* One field of a stanza, borrowed from the parser until the callback
 * returns.  A multi-line value keeps its continuation lines after '\n',
 * each with its leading blank; trailing blanks of every line are cut. */
struct dpkg_field {
	const char *name;
	const char *value;
	int line;
};

struct dpkg_stanza {
	const char *file;		/* the source's name */
	int line;			/* line of the stanza's first field */
	const struct dpkg_field *fields;	/* only the wanted ones */
	size_t nfields;
};

/* The value of field name (compared case-insensitively), or NULL. */
const char *dpkg_stanza_get(const struct dpkg_stanza *s, const char *name);
/* The line of field name, or the stanza's line when it is absent. */
int dpkg_stanza_line(const struct dpkg_stanza *s, const char *name);

/*
 * Parses deb822 stanzas from src and calls fn for each, in order.  want is
 * a NULL-terminated list of field names to keep (case-insensitive), or NULL
 * for all.  Stanzas are separated by blank lines (or lines of blanks);
 * lines starting with '#' are comments; a wanted field given twice in one
 * stanza, a line without "Name:", a continuation line with no field before
 * it, a NUL byte, a stanza over PLUMB_STANZA_MAX bytes or with more than
 * PLUMB_STANZA_FIELDS_MAX fields are errors naming file:line.  fn returns 0
 * to go on, or a negative code (with e filled) that stops the parse and is
 * returned.
 */
int dpkg_parse(struct dpkg_source *src, const char *const *want,
	       int (*fn)(const struct dpkg_stanza *st, void *arg,
			 struct errbuf *e),
	       void *arg, struct errbuf *e);

/* An installed package (status "installed", or configured and only
 * waiting for triggers). */
struct dpkg_pkg {
	char *name;
	char *arch;		/* "amd64", "all", ... */
	char *version;
	char *source;		/* source package name (Package when absent) */
	char *want;		/* "install", "hold", "deinstall", "purge" */
	char *status;		/* "installed", "triggers-pending", ... */
	int line;		/* of its stanza in the status file */
};

/* A package dpkg has left half-done (reinstreq, unpacked, half-*): it is
 * not counted as installed, and reported. */
struct dpkg_broken {
	char *name;
	char *arch;
	char *status;		/* the Status value as written */
};

struct dpkg_db {
	char *path;		/* the file read, root-relative */
	struct dpkg_pkg *pkgs;	/* sorted by name, then arch */
	size_t n;
	struct dpkg_broken *broken;
	size_t nbroken;
	/* The native architecture: dpkg's own Architecture (dpkg is always
	 * native), else the most common non-"all" one, else "". */
	char *native_arch;
};

#define DPKG_STATUS_PATH "var/lib/dpkg/status"

/*
 * Reads the installed packages from var/lib/dpkg/status under the root.
 * PLUMB_ENOENT when the file does not exist.  Free with dpkg_db_free().
 */
int dpkg_db_load(const struct plat_root *r, struct dpkg_db **out,
		 struct errbuf *e);
/* The same from an open source (tests, other files). */
int dpkg_db_read(struct dpkg_source *src, struct dpkg_db **out,
		 struct errbuf *e);
void dpkg_db_free(struct dpkg_db *db);
/* The index of the first package named name and how many there are (one
 * per architecture); 0 entries when it is not installed. */
size_t dpkg_db_find(const struct dpkg_db *db, const char *name, size_t *count);

#endif

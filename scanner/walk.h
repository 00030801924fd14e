/*
 * walk.h - a directory walker for sweeps over a hostile filesystem.
 *
 * The walk starts from a descriptor the caller opened (a directory or a
 * regular file: plat_open for a path inside a scan root, open(2) for a path
 * given on the command line) and goes down with openat/fdopendir relative
 * to directory descriptors, so no path string is resolved twice and a
 * renamed or swapped directory cannot redirect it.  It never follows a
 * symbolic link, stays on the starting filesystem unless asked, never enters
 * a pseudo filesystem (proc, sysfs, cgroup, debugfs, ...), and hands only
 * regular files within the size cap to its visitor.  Everything it passes
 * over is reported to the visitor's skip callback with a reason, so a sweep
 * can say exactly what it did not look at and why.
 *
 * Linux-specific (statfs magic numbers, AT_NO_AUTOMOUNT), as plat_linux.c.
 */
#ifndef PLUMB_WALK_H
#define PLUMB_WALK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "util.h"

/* Why an entry was not handed to the visitor as a file to scan. */
enum walk_skip {
	WALK_SKIP_SYMLINK,	/* a symbolic link: never followed */
	WALK_SKIP_SPECIAL,	/* FIFO, socket or device */
	WALK_SKIP_TOO_LARGE,	/* larger than the size cap */
	WALK_SKIP_EXCLUDED,	/* matched an exclude glob */
	WALK_SKIP_OTHER_FS,	/* a mount point of another filesystem */
	WALK_SKIP_PSEUDO_FS,	/* proc, sysfs, cgroup, debugfs, ... */
	WALK_SKIP_UNREADABLE,	/* permission denied */
	WALK_SKIP_VANISHED,	/* removed between listing and opening */
	WALK_SKIP_CHANGED,	/* replaced by something else while walked */
	WALK_SKIP_TOO_DEEP,	/* past the depth or path length limit */
	WALK_SKIP_LOOP,		/* a directory that is its own ancestor */
	WALK_SKIP_ERROR,	/* any other error (errno says which) */
	WALK_SKIP__COUNT
};

/* "symlink", "special", "too-large", ... (static strings). */
const char *walk_skip_name(enum walk_skip why);

struct walk_opts {
	uint64_t max_size;	/* larger regular files are skipped; 0: none */
	int cross_fs;		/* descend into other (non-pseudo) filesystems */
	/* Exclude globs (fnmatch): a pattern without '/' is matched against
	 * an entry's name, one with '/' against its whole display path. */
	const char *const *excludes;
	size_t nexcludes;
};

/* A regular file found by the walk (everything borrowed for the call). */
struct walk_file {
	int dirfd;		/* the directory holding it; -1 when fd is set */
	const char *name;	/* its name in dirfd */
	int fd;			/* the start descriptor when the start is a
				 * regular file (still owned by the walk), or -1 */
	const char *path;	/* display path: the start's display + "/" + rel */
	size_t pathlen;
	size_t startlen;	/* length of the start's display prefix */
	struct stat st;		/* lstat when listed (fstat for the start) */
};

struct walk_visitor {
	/* A regular file within the cap.  Returns 0 to go on, or a negative
	 * PLUMB_E* code (with e filled) to stop the walk with it. */
	int (*file)(void *arg, const struct walk_file *f, struct errbuf *e);
	/* An entry passed over; err is the errno behind it or 0. */
	void (*skip)(void *arg, const char *path, size_t pathlen,
		     enum walk_skip why, int err);
	void *arg;
};

/*
 * Walks from fd (a directory or regular file the caller opened; the walk
 * closes it in every case).  display is how paths are shown: children are
 * display + "/" + name (no doubled slash when display ends in one).
 * Returns 0 when the walk ran to the end, whatever it skipped, or the
 * visitor's negative code.
 */
int walk_fd(int fd, const char *display, const struct walk_opts *o,
	    const struct walk_visitor *v, struct errbuf *e);

/*
 * Opens a file the walk reported, for reading only: O_RDONLY|O_NOFOLLOW|
 * O_NONBLOCK|O_NOCTTY|O_CLOEXEC relative to its directory, so a FIFO or a
 * device swapped in since the listing neither blocks nor is read; then
 * fstat checks it is still a regular file with the listed device and inode.
 * On success *fd is the caller's and *st its fstat.  On failure *fd is -1
 * and *why (and *err, the errno) say why it is skipped.
 */
int walk_open(const struct walk_file *f, int *fd, struct stat *st,
	      enum walk_skip *why, int *err);

#endif

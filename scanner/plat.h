/*
 * plat.h - the one door to the scanned host.
 *
 * Every read of the host goes through a struct plat_root: a directory (the
 * scan root, "/" by default) that every path is confined to.  Paths are
 * given relative to the root ("etc/passwd" or "/etc/passwd" mean the same);
 * symlinks and ".." resolve inside the root, never outside it, so `--root
 * DIR` scans a mounted image, a container filesystem or a test fixture
 * exactly as it scans "/".  On Linux this is openat2(RESOLVE_IN_ROOT), with a
 * component-by-component fallback for kernels without it.
 *
 * All reads are capped (never trusting st_size: /proc reports 0) and every
 * descriptor is opened O_CLOEXEC.  Functions return 0 or a negative PLUMB_E*
 * code (PLUMB_ENOENT when the path does not exist) and fill the errbuf with a
 * message naming the path.
 */
#ifndef PLUMB_PLAT_H
#define PLUMB_PLAT_H

#include <stddef.h>
#include <sys/stat.h>

#include "util.h"

struct plat_root;

/* Opens dir as a scan root.  *out is NULL on failure; free with
 * plat_root_free(). */
int plat_root_open(const char *dir, struct plat_root **out, struct errbuf *e);
void plat_root_free(struct plat_root *r);
/* The directory as given to plat_root_open (borrowed). */
const char *plat_root_dir(const struct plat_root *r);
/* True when the root is the running system's own "/", so facts that exist
 * only for a live system (uname, the running kernel) may be used. */
int plat_root_is_live(const struct plat_root *r);

/* Flags for plat_open, besides O_RDONLY which is implied. */
#define PLAT_NOFOLLOW 0x1	/* fail if the last component is a symlink */
#define PLAT_DIRECTORY 0x2	/* the path must be a directory */
#define PLAT_NONBLOCK 0x4	/* open with O_NONBLOCK (FIFOs, devices) */

/* Opens path read-only inside the root; *fd is -1 on failure. */
int plat_open(const struct plat_root *r, const char *path, int flags, int *fd,
	      struct errbuf *e);

/* Reads the whole file at path, up to max bytes, into a NUL-terminated
 * buffer the caller frees.  PLUMB_ELIMIT when the file is larger. */
int plat_read(const struct plat_root *r, const char *path, size_t max,
	      char **data, size_t *len, struct errbuf *e);
/* As plat_read, but text is expected: a NUL byte is PLUMB_EPARSE naming the
 * offset. */
int plat_read_text(const struct plat_root *r, const char *path, size_t max,
		   char **data, size_t *len, struct errbuf *e);
/* Reads up to max bytes from an already open descriptor (same rules). */
int plat_read_fd(int fd, const char *name, size_t max, char **data,
		 size_t *len, struct errbuf *e);

/* stat (follow != 0) or lstat of path inside the root. */
int plat_stat(const struct plat_root *r, const char *path, int follow,
	      struct stat *st, struct errbuf *e);
/* The target of the symlink at path, NUL-terminated; the caller frees. */
int plat_readlink(const struct plat_root *r, const char *path, char **target,
		  struct errbuf *e);

/* The entry names of a directory (without "." and ".."), sorted bytewise.
 * Free with plat_list_free. */
int plat_list(const struct plat_root *r, const char *path, char ***names,
	      size_t *n, struct errbuf *e);
void plat_list_free(char **names, size_t n);

/* Paths (root-relative, with a leading "/") matching a glob(7) pattern whose
 * wildcards may appear in any component, sorted as glob(3) sorts them.  No
 * match is success with *n == 0. */
int plat_glob(const struct plat_root *r, const char *pattern, char ***paths,
	      size_t *n, struct errbuf *e);

/* Who the scanned host is.  Fields not found are empty strings. */
struct plat_host {
	char hostname[256];
	char machine_id[64];
	char os_id[64];		/* os-release ID, e.g. "debian" */
	char os_version[64];	/* os-release VERSION_ID, e.g. "12" */
	char os_pretty[256];	/* os-release PRETTY_NAME */
	char kernel[256];	/* running kernel release (live roots only) */
	char arch[64];		/* machine architecture (live roots only) */
};
int plat_host_info(const struct plat_root *r, struct plat_host *h,
		   struct errbuf *e);

/* ---- for tests only ---------------------------------------------------
 * With on != 0, every later resolution in this process uses the
 * component-by-component walk that stands in for openat2 on kernels (and
 * seccomp profiles) without it, so the confinement tests can run both ways.
 * Production code never calls this. */
void plat_force_fallback(int on);

#endif

/*
 * walk.c - the sweep walker: openat/fdopendir down directory descriptors,
 * no symlink followed, one filesystem, no pseudo filesystem, every skip
 * reported.  See walk.h for the contract.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <linux/magic.h>

#include "plumb_limits.h"
#include "walk.h"

/* Pseudo filesystems whose magic numbers linux/magic.h does not carry. */
#define WALK_CONFIGFS_MAGIC 0x62656570
#define WALK_FUSECTL_MAGIC 0x65735543
#define WALK_MQUEUE_MAGIC 0x19800202
#define WALK_RPC_PIPEFS_MAGIC 0x67596969

static const char *const walk_skip_names[WALK_SKIP__COUNT] = {
	[WALK_SKIP_SYMLINK] = "symlink",
	[WALK_SKIP_SPECIAL] = "special",
	[WALK_SKIP_TOO_LARGE] = "too-large",
	[WALK_SKIP_EXCLUDED] = "excluded",
	[WALK_SKIP_OTHER_FS] = "other-fs",
	[WALK_SKIP_PSEUDO_FS] = "pseudo-fs",
	[WALK_SKIP_UNREADABLE] = "unreadable",
	[WALK_SKIP_VANISHED] = "vanished",
	[WALK_SKIP_CHANGED] = "changed",
	[WALK_SKIP_TOO_DEEP] = "too-deep",
	[WALK_SKIP_LOOP] = "loop",
	[WALK_SKIP_ERROR] = "error",
};

const char *
walk_skip_name(enum walk_skip why)
{
	if ((unsigned)why >= WALK_SKIP__COUNT)
		return "error";
	return walk_skip_names[why];
}

/* Kernel interfaces, not files: their contents are generated on read
 * (some reads block or have side effects) and malware cannot be stored in
 * them.  tmpfs and devtmpfs are not here: /dev/shm and /run hold real files. */
static int
walk_pseudo_magic(unsigned long magic)
{
	switch (magic) {
	case PROC_SUPER_MAGIC:
	case SYSFS_MAGIC:
	case DEVPTS_SUPER_MAGIC:
	case CGROUP_SUPER_MAGIC:
	case CGROUP2_SUPER_MAGIC:
	case DEBUGFS_MAGIC:
	case TRACEFS_MAGIC:
	case SECURITYFS_MAGIC:
	case SELINUX_MAGIC:
	case SMACK_MAGIC:
	case BPF_FS_MAGIC:
	case PSTOREFS_MAGIC:
	case EFIVARFS_MAGIC:
	case BINFMTFS_MAGIC:
	case NSFS_MAGIC:
	case HUGETLBFS_MAGIC:
	case AUTOFS_SUPER_MAGIC:
	case USBDEVICE_SUPER_MAGIC:
	case WALK_CONFIGFS_MAGIC:
	case WALK_FUSECTL_MAGIC:
	case WALK_MQUEUE_MAGIC:
	case WALK_RPC_PIPEFS_MAGIC:
		return 1;
	default:
		return 0;
	}
}

static int
walk_is_pseudo(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) != 0)
		return 0;
	return walk_pseudo_magic((unsigned long)sf.f_type);
}

/* One directory on the way down, for loop detection. */
struct walk_level {
	dev_t dev;
	ino_t ino;
};

struct walk {
	const struct walk_opts *o;
	const struct walk_visitor *v;
	struct errbuf *e;
	dev_t dev;			/* the starting filesystem */
	char *path;			/* display path being built */
	size_t startlen;
	struct walk_level levels[PLUMB_WALK_DEPTH_MAX + 1];
	char pathbuf[PLUMB_WALK_PATH_MAX + 1];
};

static void
walk_skip(struct walk *w, size_t len, enum walk_skip why, int err)
{
	if (w->v->skip != NULL)
		w->v->skip(w->v->arg, w->path, len, why, err);
}

static int
walk_excluded(const struct walk *w, const char *name)
{
	size_t i;

	for (i = 0; i < w->o->nexcludes; i++) {
		const char *pat = w->o->excludes[i];
		const char *subject = strchr(pat, '/') != NULL ? w->path : name;

		if (fnmatch(pat, subject, 0) == 0)
			return 1;
	}
	return 0;
}

/* Maps an errno from opening or statting an entry to a skip reason. */
static enum walk_skip
walk_errno_skip(int err)
{
	switch (err) {
	case ENOENT:
		return WALK_SKIP_VANISHED;
	case EACCES:
	case EPERM:
		return WALK_SKIP_UNREADABLE;
	case ELOOP:
	case ENOTDIR:
	case ENXIO:
		return WALK_SKIP_CHANGED;
	default:
		return WALK_SKIP_ERROR;
	}
}

static int walk_dir(struct walk *w, int fd, size_t len, int depth);

/* Handles one entry of the directory dirfd; w->path holds its path. */
static int
walk_entry(struct walk *w, int dirfd, const struct dirent *de, size_t len,
	   int depth)
{
	struct walk_file f;
	struct stat st, fst;
	int fd, i;

	if (walk_excluded(w, de->d_name)) {
		walk_skip(w, len, WALK_SKIP_EXCLUDED, 0);
		return PLUMB_OK;
	}
	/* The listing's type saves a stat for what is never opened. */
	switch (de->d_type) {
	case DT_LNK:
		walk_skip(w, len, WALK_SKIP_SYMLINK, 0);
		return PLUMB_OK;
	case DT_FIFO:
	case DT_SOCK:
	case DT_CHR:
	case DT_BLK:
		walk_skip(w, len, WALK_SKIP_SPECIAL, 0);
		return PLUMB_OK;
	default:
		break;
	}
	if (fstatat(dirfd, de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT) != 0) {
		int err = errno;

		walk_skip(w, len, walk_errno_skip(err), err);
		return PLUMB_OK;
	}
	if (S_ISLNK(st.st_mode)) {
		walk_skip(w, len, WALK_SKIP_SYMLINK, 0);
		return PLUMB_OK;
	}
	if (S_ISREG(st.st_mode)) {
		if (w->o->max_size > 0 && (uint64_t)st.st_size > w->o->max_size) {
			walk_skip(w, len, WALK_SKIP_TOO_LARGE, 0);
			return PLUMB_OK;
		}
		f.dirfd = dirfd;
		f.name = de->d_name;
		f.fd = -1;
		f.path = w->path;
		f.pathlen = len;
		f.startlen = w->startlen;
		f.st = st;
		return w->v->file(w->v->arg, &f, w->e);
	}
	if (!S_ISDIR(st.st_mode)) {
		walk_skip(w, len, WALK_SKIP_SPECIAL, 0);
		return PLUMB_OK;
	}
	if (st.st_dev != w->dev && !w->o->cross_fs) {
		walk_skip(w, len, WALK_SKIP_OTHER_FS, 0);
		return PLUMB_OK;
	}
	if (depth >= PLUMB_WALK_DEPTH_MAX) {
		walk_skip(w, len, WALK_SKIP_TOO_DEEP, 0);
		return PLUMB_OK;
	}
	for (i = 0; i <= depth; i++) {
		if (w->levels[i].dev == st.st_dev && w->levels[i].ino == st.st_ino) {
			walk_skip(w, len, WALK_SKIP_LOOP, 0);
			return PLUMB_OK;
		}
	}
	fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		walk_skip(w, len, walk_errno_skip(err), err);
		return PLUMB_OK;
	}
	/* What was opened must be what was listed: a directory swapped for
	 * another one between the stat and the open is not entered. */
	if (fstat(fd, &fst) != 0 || fst.st_dev != st.st_dev ||
	    fst.st_ino != st.st_ino) {
		close(fd);
		walk_skip(w, len, WALK_SKIP_CHANGED, 0);
		return PLUMB_OK;
	}
	if (fst.st_dev != w->levels[depth].dev && walk_is_pseudo(fd)) {
		close(fd);
		walk_skip(w, len, WALK_SKIP_PSEUDO_FS, 0);
		return PLUMB_OK;
	}
	w->levels[depth + 1].dev = fst.st_dev;
	w->levels[depth + 1].ino = fst.st_ino;
	return walk_dir(w, fd, len, depth + 1);
}

/* Lists the directory fd (taken over and closed) whose path is
 * w->path[0..len). */
static int
walk_dir(struct walk *w, int fd, size_t len, int depth)
{
	struct dirent *de;
	DIR *d;
	int r = PLUMB_OK;

	d = fdopendir(fd);
	if (d == NULL) {
		int err = errno;

		close(fd);
		w->path[len] = '\0';
		walk_skip(w, len, walk_errno_skip(err), err);
		return PLUMB_OK;
	}
	for (;;) {
		size_t nlen, sep, total;

		errno = 0;
		de = readdir(d);
		if (de == NULL) {
			if (errno != 0) {
				int err = errno;

				w->path[len] = '\0';
				walk_skip(w, len, walk_errno_skip(err), err);
			}
			break;
		}
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		nlen = strlen(de->d_name);
		sep = len > 0 && w->path[len - 1] == '/' ? 0 : 1;
		total = len + sep + nlen;
		if (total > PLUMB_WALK_PATH_MAX) {
			/* Too long to show: report the directory once. */
			w->path[len] = '\0';
			walk_skip(w, len, WALK_SKIP_TOO_DEEP, ENAMETOOLONG);
			break;
		}
		if (sep)
			w->path[len] = '/';
		memcpy(w->path + len + sep, de->d_name, nlen + 1);
		r = walk_entry(w, dirfd(d), de, total, depth);
		w->path[len] = '\0';
		if (r != PLUMB_OK)
			break;
	}
	closedir(d);
	return r;
}

int
walk_fd(int fd, const char *display, const struct walk_opts *o,
	const struct walk_visitor *v, struct errbuf *e)
{
	struct walk *w;
	struct stat st;
	size_t len = strlen(display);
	int r = PLUMB_OK;

	w = xcalloc(1, sizeof(*w));
	w->o = o;
	w->v = v;
	w->e = e;
	w->path = w->pathbuf;
	if (len > PLUMB_WALK_PATH_MAX)
		len = PLUMB_WALK_PATH_MAX;
	memcpy(w->path, display, len);
	w->path[len] = '\0';
	w->startlen = len;
	if (fstat(fd, &st) != 0) {
		int err = errno;

		close(fd);
		walk_skip(w, len, walk_errno_skip(err), err);
		goto out;
	}
	if (S_ISREG(st.st_mode)) {
		struct walk_file f;

		if (o->max_size > 0 && (uint64_t)st.st_size > o->max_size) {
			walk_skip(w, len, WALK_SKIP_TOO_LARGE, 0);
		} else {
			f.dirfd = -1;
			f.name = NULL;
			f.fd = fd;
			f.path = w->path;
			f.pathlen = len;
			f.startlen = len;
			f.st = st;
			r = v->file(v->arg, &f, e);
		}
		close(fd);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		close(fd);
		walk_skip(w, len, S_ISLNK(st.st_mode) ? WALK_SKIP_SYMLINK :
			  WALK_SKIP_SPECIAL, 0);
		goto out;
	}
	if (walk_is_pseudo(fd)) {
		close(fd);
		walk_skip(w, len, WALK_SKIP_PSEUDO_FS, 0);
		goto out;
	}
	w->dev = st.st_dev;
	w->levels[0].dev = st.st_dev;
	w->levels[0].ino = st.st_ino;
	r = walk_dir(w, fd, len, 0);
out:
	free(w);
	return r;
}

int
walk_open(const struct walk_file *f, int *fd, struct stat *st,
	  enum walk_skip *why, int *err)
{
	int d;

	*fd = -1;
	*err = 0;
	if (f->fd >= 0)
		d = fcntl(f->fd, F_DUPFD_CLOEXEC, 0);
	else
		d = openat(f->dirfd, f->name, O_RDONLY | O_NOFOLLOW |
			   O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (d < 0) {
		*err = errno;
		*why = walk_errno_skip(*err);
		return PLUMB_EIO;
	}
	if (fstat(d, st) != 0) {
		*err = errno;
		*why = WALK_SKIP_ERROR;
		close(d);
		return PLUMB_EIO;
	}
	if (!S_ISREG(st->st_mode) || st->st_dev != f->st.st_dev ||
	    st->st_ino != f->st.st_ino) {
		*why = S_ISREG(st->st_mode) ? WALK_SKIP_CHANGED :
		       WALK_SKIP_SPECIAL;
		close(d);
		return PLUMB_EIO;
	}
	*fd = d;
	return PLUMB_OK;
}

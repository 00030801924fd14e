/*
 * plat_linux.c - the platform layer on Linux: every read of the scanned host,
 * confined to the scan root.
 *
 * Paths are resolved with openat2(2) and RESOLVE_IN_ROOT, so the kernel
 * treats the root descriptor as "/" for "..", absolute symlinks and
 * everything else; RESOLVE_NO_MAGICLINKS keeps /proc/<pid>/fd and
 * /proc/<pid>/root from jumping out of it.  Kernels before 5.6 and container
 * runtimes whose seccomp profile refuses openat2 get the same rules from a
 * walk that resolves one component at a time from the root, reading each
 * symlink itself and restarting absolute targets at the root.
 *
 * Reads go into a capped dynbuf until EOF: st_size is never trusted (/proc
 * and /sys report 0, a hostile file may grow while it is read).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include <linux/limits.h>
#include <linux/openat2.h>

#include "plat.h"

struct plat_root {
	char *dir;		/* as given to plat_root_open */
	int fd;			/* O_PATH descriptor of the root directory */
	int live;		/* the root is the running system's "/" */
};

/* Whether openat2 works here: 0 not yet known, 1 yes, -1 no. */
static atomic_int plat_openat2_state;
/* Set by tests to exercise the component walk on kernels with openat2. */
static atomic_int plat_fallback_forced;

void
plat_force_fallback(int on)
{
	atomic_store(&plat_fallback_forced, on != 0);
}

int
plat_root_open(const char *dir, struct plat_root **out, struct errbuf *e)
{
	struct plat_root *r;
	char *real;
	int fd;

	*out = NULL;
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno == ENOENT ? PLUMB_ENOENT : PLUMB_EIO,
			       "scan root %s: %s", dir, strerror(errno));
	r = xcalloc(1, sizeof(*r));
	r->dir = xstrdup(dir);
	r->fd = fd;
	real = realpath(dir, NULL);
	r->live = real != NULL && strcmp(real, "/") == 0;
	free(real);
	*out = r;
	return PLUMB_OK;
}

void
plat_root_free(struct plat_root *r)
{
	if (r == NULL)
		return;
	close(r->fd);
	free(r->dir);
	free(r);
}

const char *
plat_root_dir(const struct plat_root *r)
{
	return r->dir;
}

int
plat_root_is_live(const struct plat_root *r)
{
	return r->live;
}

/* openat2 with the root's rules; a descriptor or -errno.  The kernel answers
 * EAGAIN when a rename raced a ".." lookup, so that is retried. */
static int
plat_openat2(int dirfd, const char *path, int oflags)
{
	struct open_how how;
	int i;

	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(unsigned)oflags;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	for (i = 0; i < PLUMB_OPENAT2_RETRY_MAX; i++) {
		long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

		if (fd >= 0)
			return (int)fd;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
	}
	return -EAGAIN;
}

/* Decides once per process whether openat2 can be used.  ENOSYS is an old
 * kernel; EPERM on an O_PATH open of the root itself can only be a seccomp
 * filter (Docker's older default profile), as can EINVAL or E2BIG. */
static int
plat_use_openat2(const struct plat_root *r)
{
	int st;

	if (atomic_load(&plat_fallback_forced))
		return 0;
	st = atomic_load(&plat_openat2_state);
	if (st == 0) {
		int fd = plat_openat2(r->fd, ".", O_PATH | O_CLOEXEC);

		if (fd >= 0)
			close(fd);
		st = fd >= 0 ? 1 : -1;
		atomic_store(&plat_openat2_state, st);
	}
	return st > 0;
}

/* The fallback walk's stack of directories above the root; popping at the
 * root stays at the root, which is what makes ".." safe. */
struct plat_walk {
	int rootfd;
	int *fds;
	size_t n, cap;
};

static int
plat_walk_top(const struct plat_walk *w)
{
	return w->n ? w->fds[w->n - 1] : w->rootfd;
}

static void
plat_walk_push(struct plat_walk *w, int fd)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->fds = xreallocarray(w->fds, w->cap, sizeof(*w->fds));
	}
	w->fds[w->n++] = fd;
}

static void
plat_walk_pop(struct plat_walk *w)
{
	if (w->n)
		close(w->fds[--w->n]);
}

static void
plat_walk_release(struct plat_walk *w)
{
	while (w->n)
		plat_walk_pop(w);
	free(w->fds);
}

/*
 * The fallback resolver: walks path from the root one component at a time,
 * opening each with O_PATH|O_NOFOLLOW, so every symlink is read here and
 * resolved against the walk's own stack instead of the kernel's idea of "/".
 * Returns a descriptor opened with oflags, or -errno.
 */
static int
plat_walk_open(int rootfd, const char *path, int oflags)
{
	struct plat_walk w = { rootfd, NULL, 0, 0 };
	char *rem = xstrdup(path), *next;
	char comp[NAME_MAX + 1], target[PLUMB_PATH_MAX + 1];
	int follow_last = !(oflags & O_NOFOLLOW);
	int links = 0, fd = -1, r = 0;
	size_t pos = 0;

	for (;;) {
		size_t start, len, k;
		struct stat st;
		ssize_t tn;
		int last, nfd;

		while (rem[pos] == '/')
			pos++;
		if (rem[pos] == '\0') {
			/* "", ".", "..", or a trailing slash: the directory on
			 * top of the stack is the answer. */
			fd = openat(plat_walk_top(&w), ".",
				    (oflags & ~O_NOFOLLOW) | O_DIRECTORY);
			r = fd < 0 ? -errno : 0;
			goto out;
		}
		start = pos;
		while (rem[pos] != '\0' && rem[pos] != '/')
			pos++;
		len = pos - start;
		if (len > NAME_MAX) {
			r = -ENAMETOOLONG;
			goto out;
		}
		memcpy(comp, rem + start, len);
		comp[len] = '\0';
		/* A trailing slash makes the component a directory to enter,
		 * as the kernel does, so only a bare final name is "last". */
		last = rem[pos] == '\0';
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			plat_walk_pop(&w);
			continue;
		}
		nfd = openat(plat_walk_top(&w), comp,
			     O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0) {
			r = -errno;
			goto out;
		}
		if (fstat(nfd, &st) != 0) {
			r = -errno;
			close(nfd);
			goto out;
		}
		if (!S_ISLNK(st.st_mode)) {
			if (!last) {
				if (!S_ISDIR(st.st_mode)) {
					close(nfd);
					r = -ENOTDIR;
					goto out;
				}
				plat_walk_push(&w, nfd);
				continue;
			}
			if ((oflags & O_DIRECTORY) && !S_ISDIR(st.st_mode)) {
				close(nfd);
				r = -ENOTDIR;
				goto out;
			}
			if (oflags & O_PATH) {
				fd = nfd;
				r = 0;
				goto out;
			}
			close(nfd);
			/* O_NOFOLLOW: if the name became a symlink since it
			 * was looked at, fail rather than follow it. */
			fd = openat(plat_walk_top(&w), comp, oflags | O_NOFOLLOW);
			r = fd < 0 ? -errno : 0;
			goto out;
		}
		if (last && !follow_last) {
			if (oflags & O_PATH) {
				fd = nfd;
				r = 0;
			} else {
				close(nfd);
				r = -ELOOP;
			}
			goto out;
		}
		if (++links > PLUMB_SYMLINK_MAX) {
			close(nfd);
			r = -ELOOP;
			goto out;
		}
		tn = readlinkat(nfd, "", target, sizeof(target));
		k = (size_t)tn;
		r = tn < 0 ? -errno : 0;
		close(nfd);
		if (r != 0)
			goto out;
		if (k == 0 || k >= sizeof(target)) {
			r = k == 0 ? -ENOENT : -ENAMETOOLONG;
			goto out;
		}
		target[k] = '\0';
		if (target[0] == '/')
			while (w.n)
				plat_walk_pop(&w);
		/* The rest of the path (with its slash) follows the target. */
		next = xasprintf("%s%s", target, rem + pos);
		free(rem);
		rem = next;
		pos = 0;
		if (strlen(rem) > PLUMB_PATH_MAX) {
			r = -ENAMETOOLONG;
			goto out;
		}
	}
out:
	plat_walk_release(&w);
	free(rem);
	return r == 0 ? fd : r;
}

/* Resolves path inside the root with oflags (O_CLOEXEC added): a descriptor
 * or -errno. */
static int
plat_resolve(const struct plat_root *r, const char *path, int oflags)
{
	oflags |= O_CLOEXEC;
	while (*path == '/')
		path++;
	if (strlen(path) > PLUMB_PATH_MAX)
		return -ENAMETOOLONG;
	if (*path == '\0')
		path = ".";
	if (plat_use_openat2(r))
		return plat_openat2(r->fd, path, oflags);
	return plat_walk_open(r->fd, path, oflags);
}

/* Turns a resolver's -errno into a PLUMB_E* code and a message naming the
 * root-relative path. */
static int
plat_error(const char *path, int err, struct errbuf *e)
{
	const char *sep = path[0] == '/' ? "" : "/";

	switch (err) {
	case ENOENT:
		return err_set(e, PLUMB_ENOENT, "%s%s: no such file or directory",
			       sep, path);
	case ENOTDIR:
		return err_set(e, PLUMB_ENOENT, "%s%s: a path component is not "
			       "a directory", sep, path);
	case EACCES:
	case EPERM:
		return err_set(e, PLUMB_EPERM, "%s%s: permission denied", sep,
			       path);
	case EXDEV:
		return err_set(e, PLUMB_EESCAPE, "%s%s: resolution tried to "
			       "leave the scan root", sep, path);
	case ELOOP:
		return err_set(e, PLUMB_EIO, "%s%s: too many symbolic links, a "
			       "symbolic link where none may be followed, or a "
			       "/proc magic link", sep, path);
	case ENAMETOOLONG:
		return err_set(e, PLUMB_ELIMIT, "%s%s: path longer than %d bytes",
			       sep, path, PLUMB_PATH_MAX);
	default:
		return err_set(e, PLUMB_EIO, "%s%s: %s", sep, path,
			       strerror(err));
	}
}

int
plat_open(const struct plat_root *r, const char *path, int flags, int *fd,
	  struct errbuf *e)
{
	const char *sep = path[0] == '/' ? "" : "/";
	int oflags = O_RDONLY | O_NOCTTY;
	int f;

	*fd = -1;
	if (flags & PLAT_NOFOLLOW)
		oflags |= O_NOFOLLOW;
	if (flags & PLAT_DIRECTORY)
		oflags |= O_DIRECTORY;
	if (flags & PLAT_NONBLOCK)
		oflags |= O_NONBLOCK;
	f = plat_resolve(r, path, oflags);
	if (f == -ELOOP && (flags & PLAT_NOFOLLOW)) {
		/* Say plainly when the refusal is the caller's own NOFOLLOW. */
		struct stat st;
		int pf = plat_resolve(r, path, O_PATH | O_NOFOLLOW);

		if (pf >= 0) {
			int islnk = fstat(pf, &st) == 0 && S_ISLNK(st.st_mode);

			close(pf);
			if (islnk)
				return err_set(e, PLUMB_EIO, "%s%s: is a symbolic "
					       "link (not followed)", sep, path);
		}
	}
	if (f < 0)
		return plat_error(path, -f, e);
	*fd = f;
	return PLUMB_OK;
}

int
plat_read_fd(int fd, const char *name, size_t max, char **data, size_t *len,
	     struct errbuf *e)
{
	struct dynbuf b;
	char *chunk;
	int r = PLUMB_OK;

	*data = NULL;
	if (len != NULL)
		*len = 0;
	chunk = xmalloc(65536);
	dynbuf_init(&b, max);
	for (;;) {
		ssize_t n = read(fd, chunk, 65536);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			r = err_set(e, PLUMB_EIO, "%s: no data available "
				    "without blocking", name);
			break;
		}
		if (n < 0) {
			r = err_set(e, errno == EACCES || errno == EPERM ?
				    PLUMB_EPERM : PLUMB_EIO, "%s: %s", name,
				    strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (dynbuf_add(&b, chunk, (size_t)n) != PLUMB_OK) {
			r = err_set(e, PLUMB_ELIMIT, "%s: larger than %zu bytes",
				    name, max);
			break;
		}
	}
	free(chunk);
	if (r != PLUMB_OK) {
		dynbuf_release(&b);
		return r;
	}
	*data = dynbuf_take(&b, len);
	return PLUMB_OK;
}

/*
 * Reads only regular files: the type is checked on an O_PATH descriptor
 * before the file is opened for reading, because opening a device node of a
 * hostile image can have effects (a tape rewinds, a tty becomes ours) and a
 * FIFO would block.  The file opened for reading must be the one checked.
 */
int
plat_read(const struct plat_root *r, const char *path, size_t max,
	  char **data, size_t *len, struct errbuf *e)
{
	const char *sep = path[0] == '/' ? "" : "/";
	char *name = xasprintf("%s%s", sep, path);
	struct stat st, st2;
	int pf, fd = -1, rc;

	*data = NULL;
	if (len != NULL)
		*len = 0;
	pf = plat_resolve(r, path, O_PATH);
	if (pf < 0) {
		rc = plat_error(path, -pf, e);
		goto out;
	}
	rc = fstat(pf, &st);
	close(pf);
	if (rc != 0) {
		rc = plat_error(path, errno, e);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = err_set(e, PLUMB_EIO, "%s: not a regular file", name);
		goto out;
	}
	if ((rc = plat_open(r, path, PLAT_NONBLOCK, &fd, e)) != 0)
		goto out;
	if (fstat(fd, &st2) != 0 || st2.st_dev != st.st_dev ||
	    st2.st_ino != st.st_ino) {
		rc = err_set(e, PLUMB_EIO, "%s: changed while being opened",
			     name);
		goto out;
	}
	rc = plat_read_fd(fd, name, max, data, len, e);
out:
	if (fd >= 0)
		close(fd);
	free(name);
	return rc;
}

int
plat_read_text(const struct plat_root *r, const char *path, size_t max,
	       char **data, size_t *len, struct errbuf *e)
{
	const char *sep = path[0] == '/' ? "" : "/";
	const char *nul;
	size_t n;
	int rc;

	if ((rc = plat_read(r, path, max, data, &n, e)) != 0) {
		if (len != NULL)
			*len = 0;
		return rc;
	}
	if ((nul = memchr(*data, '\0', n)) != NULL) {
		rc = err_set(e, PLUMB_EPARSE, "%s%s: NUL byte at offset %zu in "
			     "a text file", sep, path, (size_t)(nul - *data));
		free(*data);
		*data = NULL;
		n = 0;
	}
	if (len != NULL)
		*len = n;
	return rc;
}

int
plat_stat(const struct plat_root *r, const char *path, int follow,
	  struct stat *st, struct errbuf *e)
{
	int fd, rc = PLUMB_OK;

	fd = plat_resolve(r, path, O_PATH | (follow ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return plat_error(path, -fd, e);
	if (fstat(fd, st) != 0)
		rc = plat_error(path, errno, e);
	close(fd);
	return rc;
}

int
plat_readlink(const struct plat_root *r, const char *path, char **target,
	      struct errbuf *e)
{
	const char *sep = path[0] == '/' ? "" : "/";
	char buf[PLUMB_PATH_MAX + 1];
	ssize_t n;
	int fd;

	*target = NULL;
	fd = plat_resolve(r, path, O_PATH | O_NOFOLLOW);
	if (fd < 0)
		return plat_error(path, -fd, e);
	/* An O_PATH descriptor of a symlink reads with an empty path. */
	n = readlinkat(fd, "", buf, sizeof(buf));
	close(fd);
	if (n < 0 && errno == EINVAL)
		return err_set(e, PLUMB_EINVAL, "%s%s: not a symbolic link",
			       sep, path);
	if (n < 0)
		return plat_error(path, errno, e);
	if ((size_t)n >= sizeof(buf))
		return err_set(e, PLUMB_ELIMIT, "%s%s: link target longer than "
			       "%d bytes", sep, path, PLUMB_PATH_MAX);
	*target = xstrndup(buf, (size_t)n);
	return PLUMB_OK;
}

static int
plat_strcmp_p(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
plat_list(const struct plat_root *r, const char *path, char ***names,
	  size_t *n, struct errbuf *e)
{
	const char *sep = path[0] == '/' ? "" : "/";
	char **v = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int fd, rc = PLUMB_OK;

	*names = NULL;
	*n = 0;
	if ((rc = plat_open(r, path, PLAT_DIRECTORY, &fd, e)) != 0)
		return rc;
	if ((d = fdopendir(fd)) == NULL) {
		rc = plat_error(path, errno, e);
		close(fd);
		return rc;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				rc = plat_error(path, errno, e);
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (cnt == PLUMB_DIR_ENTRIES_MAX) {
			rc = err_set(e, PLUMB_ELIMIT, "%s%s: more than %d "
				     "entries", sep, path, PLUMB_DIR_ENTRIES_MAX);
			break;
		}
		if (cnt == cap) {
			cap = cap ? cap * 2 : 32;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[cnt++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (rc != PLUMB_OK) {
		plat_list_free(v, cnt);
		return rc;
	}
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), plat_strcmp_p);
	*names = v;
	*n = cnt;
	return PLUMB_OK;
}

void
plat_list_free(char **names, size_t n)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* A growable list of strings for the glob expansion. */
struct plat_strv {
	char **v;
	size_t n, cap;
};

static void
plat_strv_push(struct plat_strv *s, char *p)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n++] = p;
}

static void
plat_strv_release(struct plat_strv *s)
{
	plat_list_free(s->v, s->n);
	s->v = NULL;
	s->n = s->cap = 0;
}

/* True if a glob component has an unescaped wildcard. */
static int
plat_glob_magic(const char *c)
{
	for (; *c != '\0'; c++) {
		if (*c == '\\' && c[1] != '\0')
			c++;
		else if (*c == '*' || *c == '?' || *c == '[')
			return 1;
	}
	return 0;
}

/* A literal glob component with its backslash escapes removed. */
static char *
plat_glob_unescape(const char *c)
{
	char *out = xmalloc(strlen(c) + 1), *o = out;

	for (; *c != '\0'; c++) {
		if (*c == '\\' && c[1] != '\0')
			c++;
		*o++ = *c;
	}
	*o = '\0';
	return out;
}

/*
 * Expands one component at a time: a literal component is appended as is, a
 * wildcard one lists each directory reached so far and keeps the names
 * fnmatch accepts (FNM_PERIOD: a leading dot must be matched literally, as
 * glob(3) does).  Listed names are taken as found, symlinks included and not
 * followed; directories on the way are opened through the root, so a
 * symlinked directory resolves inside it.  The final paths are lstat'ed so a
 * literal name that does not exist is dropped (a dangling symlink stays, as
 * in glob(3)).  A directory that does not exist contributes nothing; any
 * other failure to list one is an error, since silently seeing nothing would
 * hide what a check is meant to find.
 */
int
plat_glob(const struct plat_root *r, const char *pattern, char ***paths,
	  size_t *n, struct errbuf *e)
{
	struct plat_strv cur = { NULL, 0, 0 }, next = { NULL, 0, 0 };
	char *pat = xstrdup(pattern), *comp, *p = pat;
	size_t plen = strlen(pat), i, j;
	int dir_only = plen > 0 && pat[plen - 1] == '/';
	int rc = PLUMB_OK;

	*paths = NULL;
	*n = 0;
	if (plen > PLUMB_PATH_MAX) {
		rc = err_set(e, PLUMB_ELIMIT, "glob pattern longer than %d bytes",
			     PLUMB_PATH_MAX);
		goto out;
	}
	plat_strv_push(&cur, xstrdup(""));
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		comp = p;
		while (*p != '\0' && *p != '/')
			p++;
		if (*p == '/')
			*p++ = '\0';
		if (!plat_glob_magic(comp)) {
			char *lit = plat_glob_unescape(comp);

			for (i = 0; i < cur.n; i++) {
				char *joined = xasprintf("%s/%s", cur.v[i], lit);

				free(cur.v[i]);
				cur.v[i] = joined;
			}
			free(lit);
			continue;
		}
		for (i = 0; i < cur.n; i++) {
			char **names = NULL;
			size_t nn = 0;
			struct errbuf le;

			rc = plat_list(r, cur.v[i][0] ? cur.v[i] : "/", &names,
				       &nn, &le);
			if (rc == PLUMB_ENOENT) {
				rc = PLUMB_OK;
				continue;
			}
			if (rc != PLUMB_OK) {
				if (e != NULL)
					memcpy(e->msg, le.msg, sizeof(e->msg));
				goto out;
			}
			for (j = 0; j < nn; j++) {
				if (fnmatch(comp, names[j], FNM_PERIOD) != 0)
					continue;
				if (next.n == PLUMB_DIR_ENTRIES_MAX) {
					plat_list_free(names, nn);
					rc = err_set(e, PLUMB_ELIMIT, "glob %s: "
						     "more than %d matches",
						     pattern,
						     PLUMB_DIR_ENTRIES_MAX);
					goto out;
				}
				plat_strv_push(&next, xasprintf("%s/%s",
								cur.v[i],
								names[j]));
			}
			plat_list_free(names, nn);
		}
		plat_strv_release(&cur);
		cur = next;
		next.v = NULL;
		next.n = next.cap = 0;
	}
	/* Keep what exists (and, for a trailing slash, what is a directory). */
	for (i = 0; i < cur.n; i++) {
		const char *c = cur.v[i][0] ? cur.v[i] : "/";
		struct stat st;

		if (plat_stat(r, c, dir_only, &st, NULL) == PLUMB_OK &&
		    (!dir_only || S_ISDIR(st.st_mode)))
			plat_strv_push(&next, xstrdup(c));
	}
	if (next.n > 1)
		qsort(next.v, next.n, sizeof(*next.v), plat_strcmp_p);
	*paths = next.v;
	*n = next.n;
	next.v = NULL;
	next.n = 0;
out:
	plat_strv_release(&cur);
	plat_strv_release(&next);
	free(pat);
	return rc;
}

/*
 * Copies n bytes of host text into a fixed field: control characters are
 * dropped (they have no business in a host name and would reach terminals),
 * invalid UTF-8 leaves the field empty, and truncation never splits a
 * character.
 */
static void
plat_field(char *dst, size_t size, const char *src, size_t n)
{
	size_t i, o = 0;

	dst[0] = '\0';
	if (!utf8_valid(src, n))
		return;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c < 0x20 || c == 0x7f)
			continue;
		if (o + 1 >= size)
			break;
		dst[o++] = (char)c;
	}
	/* Back off a multi-byte sequence cut by the size. */
	if (i < n) {
		size_t k = o;

		while (k > 0 && ((unsigned char)dst[k - 1] & 0xc0) == 0x80)
			k--;
		if (k > 0 && ((unsigned char)dst[k - 1] & 0xc0) == 0xc0) {
			unsigned char lead = (unsigned char)dst[k - 1];
			size_t want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;

			if (o - (k - 1) < want)
				o = k - 1;
		}
	}
	dst[o] = '\0';
}

/* Reads a small text file of the host; NULL when it is absent or unusable
 * (host identity is best effort: a broken file leaves a field empty). */
static char *
plat_host_file(const struct plat_root *r, const char *path, size_t *len)
{
	char *data = NULL;

	if (plat_read_text(r, path, PLUMB_SMALL_FILE_MAX, &data, len, NULL) != 0)
		return NULL;
	return data;
}

/* The first line of s that is neither blank nor a comment, trimmed. */
static void
plat_first_line(char *dst, size_t size, const char *s)
{
	while (*s != '\0') {
		const char *eol = strchr(s, '\n');
		size_t n = eol ? (size_t)(eol - s) : strlen(s);
		const char *b = s, *end = s + n;

		while (b < end && (*b == ' ' || *b == '\t'))
			b++;
		while (end > b && (end[-1] == ' ' || end[-1] == '\t' ||
				   end[-1] == '\r'))
			end--;
		if (end > b && *b != '#') {
			plat_field(dst, size, b, (size_t)(end - b));
			return;
		}
		/* Past the whole line, not just its trimmed part: a last line
		 * of "\r" trims to nothing and would be read again forever. */
		s = eol ? eol + 1 : s + n;
	}
	dst[0] = '\0';
}

/*
 * Parses one os-release value as the shell would read it: unquoted text up
 * to whitespace, "double quotes" with backslash escapes of " \ $ and `, and
 * 'single quotes' taken literally.  Writes into out (size bytes).
 */
static void
plat_osr_value(const char *s, const char *end, char *out, size_t size)
{
	struct dynbuf b;
	char *v;
	size_t n;

	dynbuf_init(&b, PLUMB_SMALL_FILE_MAX);
	while (s < end) {
		char c = *s++;

		if (c == '"') {
			while (s < end && *s != '"') {
				if (*s == '\\' && s + 1 < end &&
				    strchr("\"\\$`", s[1]) != NULL)
					s++;
				dynbuf_add(&b, s++, 1);
			}
			s++;
		} else if (c == '\'') {
			while (s < end && *s != '\'')
				dynbuf_add(&b, s++, 1);
			s++;
		} else if (c == '\\' && s < end) {
			dynbuf_add(&b, s++, 1);
		} else if (c == ' ' || c == '\t' || c == '\r') {
			break;
		} else {
			dynbuf_add(&b, &c, 1);
		}
	}
	v = dynbuf_take(&b, &n);
	plat_field(out, size, v, n);
	free(v);
}

static void
plat_parse_os_release(const char *s, struct plat_host *h)
{
	while (*s != '\0') {
		const char *eol = strchr(s, '\n');
		const char *end = eol ? eol : s + strlen(s);
		const char *k = s, *eq;

		while (k < end && (*k == ' ' || *k == '\t'))
			k++;
		eq = memchr(k, '=', (size_t)(end - k));
		if (eq != NULL && *k != '#') {
			size_t kl = (size_t)(eq - k);

			if (kl == 2 && memcmp(k, "ID", 2) == 0)
				plat_osr_value(eq + 1, end, h->os_id,
					       sizeof(h->os_id));
			else if (kl == 10 && memcmp(k, "VERSION_ID", 10) == 0)
				plat_osr_value(eq + 1, end, h->os_version,
					       sizeof(h->os_version));
			else if (kl == 11 && memcmp(k, "PRETTY_NAME", 11) == 0)
				plat_osr_value(eq + 1, end, h->os_pretty,
					       sizeof(h->os_pretty));
		}
		s = eol ? eol + 1 : end;
	}
}

int
plat_host_info(const struct plat_root *r, struct plat_host *h,
	       struct errbuf *e)
{
	struct utsname u;
	char *s;
	size_t n, i;

	(void)e;
	memset(h, 0, sizeof(*h));
	if ((s = plat_host_file(r, "etc/hostname", &n)) != NULL) {
		plat_first_line(h->hostname, sizeof(h->hostname), s);
		free(s);
	}
	if (h->hostname[0] == '\0' &&
	    (s = plat_host_file(r, "proc/sys/kernel/hostname", &n)) != NULL) {
		plat_first_line(h->hostname, sizeof(h->hostname), s);
		free(s);
	}
	if ((s = plat_host_file(r, "etc/machine-id", &n)) != NULL) {
		/* 32 hex digits and a newline; "uninitialized" and anything
		 * else is not an identity. */
		while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
			n--;
		for (i = 0; i < n && strchr("0123456789abcdefABCDEF", s[i]); i++)
			;
		if (n == 32 && i == 32) {
			for (i = 0; i < 32; i++)
				h->machine_id[i] = (char)(s[i] >= 'A' && s[i] <= 'F'
							  ? s[i] - 'A' + 'a' : s[i]);
			h->machine_id[32] = '\0';
		}
		free(s);
	}
	if ((s = plat_host_file(r, "etc/os-release", &n)) == NULL)
		s = plat_host_file(r, "usr/lib/os-release", &n);
	if (s != NULL) {
		plat_parse_os_release(s, h);
		free(s);
	}
	if (r->live && uname(&u) == 0) {
		plat_field(h->kernel, sizeof(h->kernel), u.release,
			   strlen(u.release));
		plat_field(h->arch, sizeof(h->arch), u.machine,
			   strlen(u.machine));
		if (h->hostname[0] == '\0')
			plat_field(h->hostname, sizeof(h->hostname), u.nodename,
				   strlen(u.nodename));
	} else if ((s = plat_host_file(r, "proc/sys/kernel/osrelease",
				       &n)) != NULL) {
		plat_first_line(h->kernel, sizeof(h->kernel), s);
		free(s);
	}
	return PLUMB_OK;
}

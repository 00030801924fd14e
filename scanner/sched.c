/*
 * sched.c - the run lock, self-imposed limits and the log line of scheduled
 * scans (see sched.h).
 *
 * The lock is flock(2) on a file of its own rather than sqlite's locks: a
 * scan reads the host for minutes before it writes, and the second run must
 * learn at once that it is the second, not after the first commits.  flock
 * is released by the kernel when the holder dies, so kill -9 never leaves a
 * stale lock behind, unlike a pid file alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sched.h"

/* ioprio_set(2) has no libc wrapper; these are the kernel's values
 * (include/uapi/linux/ioprio.h). */
#define SCHED_IOPRIO_WHO_PROCESS 1
#define SCHED_IOPRIO_CLASS_IDLE 3
#define SCHED_IOPRIO_CLASS_SHIFT 13

/* Syslog priority: facility daemon (3), severity info (6) or err (3). */
#define SCHED_LOG_INFO ((3 << 3) | 6)
#define SCHED_LOG_ERR ((3 << 3) | 3)

/* Longest log line sent; syslog daemons cut longer datagrams anyway. */
#define SCHED_LOG_LINE_MAX 1024

/* The pid the holder wrote into the lock file, or 0 when unknown. */
static long
sched_lock_holder(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long long pid;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (parse_ll(buf, 1, 1LL << 30, &pid) != PLUMB_OK)
		return 0;
	return (long)pid;
}

static double
sched_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
sched_lock_take(const char *db_path, long wait_s, struct sched_lock *l,
		struct errbuf *e)
{
	const struct timespec pause = { 0, 200 * 1000 * 1000 };
	char pid[32];
	double until = sched_monotonic() + (double)wait_s;
	int fd = -1, r, n;
	char *path = xasprintf("%s.lock", db_path);

	l->fd = -1;
	l->path = NULL;
	if ((r = mkdir_parents(path, e)) != PLUMB_OK)
		goto out;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		r = err_set(e, errno == EACCES ? PLUMB_EPERM : PLUMB_EIO,
			    "%s: cannot open the run lock: %s", path,
			    strerror(errno));
		goto out;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			r = err_set(e, PLUMB_EIO, "%s: cannot lock: %s", path,
				    strerror(errno));
			goto out;
		}
		if (sched_monotonic() >= until) {
			long holder = sched_lock_holder(fd);

			if (holder > 0)
				r = err_set(e, PLUMB_EBUSY, "another plumb scan "
					    "is running (pid %ld)%s; this run "
					    "did nothing", holder, wait_s > 0 ?
					    " and did not finish in time" : "");
			else
				r = err_set(e, PLUMB_EBUSY, "another plumb scan "
					    "is running (lock %s held); this "
					    "run did nothing", path);
			goto out;
		}
		nanosleep(&pause, NULL);
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		r = err_set(e, PLUMB_EIO, "%s: cannot write the run lock: %s",
			    path, strerror(errno));
		goto out;
	}
	l->fd = fd;
	l->path = path;
	fd = -1;
	path = NULL;
	r = PLUMB_OK;
out:
	if (fd >= 0)
		close(fd);
	free(path);
	return r;
}

void
sched_lock_release(struct sched_lock *l)
{
	if (l == NULL)
		return;
	if (l->fd >= 0) {
		/* Emptied first, so nobody reads a pid that is gone. */
		if (ftruncate(l->fd, 0) != 0) {
			/* The lock itself goes with close; the stale pid only
			 * shows in a message. */
		}
		close(l->fd);
	}
	free(l->path);
	l->fd = -1;
	l->path = NULL;
}

int
sched_limits(const struct config *c, struct errbuf *e)
{
	int cur;

	if (c->memory_max_mb > 0) {
#if defined(__SANITIZE_ADDRESS__)
		/* AddressSanitizer reserves terabytes of shadow memory, which
		 * RLIMIT_DATA would count: under ASan the cap is left to the
		 * service unit's MemoryMax. */
#else
		struct rlimit rl;
		rlim_t want = (rlim_t)c->memory_max_mb * 1024 * 1024;

		if (getrlimit(RLIMIT_DATA, &rl) != 0)
			return err_set(e, PLUMB_EIO, "getrlimit: %s",
				       strerror(errno));
		/* An unprivileged run cannot raise a lower hard limit. */
		if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
			want = rl.rlim_max;
		rl.rlim_cur = want;
		rl.rlim_max = want;
		if (setrlimit(RLIMIT_DATA, &rl) != 0)
			return err_set(e, PLUMB_EPERM, "setrlimit(DATA, %ld "
				       "MiB): %s", c->memory_max_mb,
				       strerror(errno));
#endif
	}
	errno = 0;
	cur = getpriority(PRIO_PROCESS, 0);
	if (errno == 0 && cur < c->nice &&
	    setpriority(PRIO_PROCESS, 0, (int)c->nice) != 0)
		return err_set(e, PLUMB_EPERM, "setpriority(%ld): %s", c->nice,
			       strerror(errno));
	if (c->io_idle &&
	    syscall(SYS_ioprio_set, SCHED_IOPRIO_WHO_PROCESS, 0,
		    SCHED_IOPRIO_CLASS_IDLE << SCHED_IOPRIO_CLASS_SHIFT) != 0)
		return err_set(e, PLUMB_EPERM, "ioprio_set(idle): %s",
			       strerror(errno));
	return PLUMB_OK;
}

time_t
sched_deadline(const struct config *c, time_t now)
{
	return c->time_budget_s > 0 ? now + (time_t)c->time_budget_s : 0;
}

void
sched_log(int err, const char *fmt, ...)
{
	char msg[SCHED_LOG_LINE_MAX], pkt[SCHED_LOG_LINE_MAX + 64], stamp[32];
	struct sockaddr_un sa;
	const char *sock = getenv("PLUMB_LOG_SOCKET");
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;
	size_t i;
	int fd, n, sent = 0;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One line: a control character from a host string would otherwise
	 * start a forged record in a file-based log. */
	for (i = 0; msg[i] != '\0'; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = '?';
	if (sock == NULL || sock[0] == '\0')
		sock = "/dev/log";
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	n = snprintf(pkt, sizeof(pkt), "<%d>%s plumb[%ld]: %s",
		     err ? SCHED_LOG_ERR : SCHED_LOG_INFO, stamp,
		     (long)getpid(), msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(pkt))
		n = (int)sizeof(pkt) - 1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(sock) < sizeof(sa.sun_path) &&
	    (fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) >= 0) {
		memcpy(sa.sun_path, sock, strlen(sock) + 1);
		sent = sendto(fd, pkt, (size_t)n, MSG_NOSIGNAL,
			      (struct sockaddr *)&sa, sizeof(sa)) == n;
		close(fd);
	}
	if (!sent)
		fprintf(stderr, "plumb: %s\n", msg);
}

/*
 * sched.h - what makes `plumb scan --scheduled` a good citizen on an
 * endpoint it runs on every day for years: one run at a time (a lock next
 * to the history), bounded memory, the lowest CPU and I/O priority, a
 * wall-clock budget, and one line in the system log per run instead of a
 * report on stdout.
 *
 * These are process-wide settings; only the command layer calls them,
 * once, before the scan starts.
 */
#ifndef PLUMB_SCHED_H
#define PLUMB_SCHED_H

#include <time.h>

#include "config.h"
#include "util.h"

/* A held run lock; fd -1 when none.  Initialise with SCHED_LOCK_INIT. */
struct sched_lock {
	int fd;
	char *path;
};
#define SCHED_LOCK_INIT { -1, NULL }

/*
 * Takes the run lock of the history at db_path: an exclusive flock(2) on
 * "<db_path>.lock" (created mode 0600, with the history's directory when
 * missing), which then holds the holder's pid for messages.  When another
 * process holds it, waits up to wait_s seconds (0: not at all) and then
 * fails with PLUMB_EBUSY and "another plumb scan is running (pid N)".  The
 * kernel drops the lock when the process ends, however it ends, so a killed
 * run never blocks the next one.
 */
int sched_lock_take(const char *db_path, long wait_s, struct sched_lock *l,
		    struct errbuf *e);
/* Releases the lock (the file stays, empty); accepts a lock not held. */
void sched_lock_release(struct sched_lock *l);

/*
 * Applies c's limits to this process: the data segment to memory_max_mb
 * (RLIMIT_DATA, which covers malloc's mmaps too; 0 leaves it), niceness
 * to c->nice (never raising priority) and the idle I/O class when
 * c->io_idle (ioprio_set(2)).  A limit the kernel refuses is an error.
 */
int sched_limits(const struct config *c, struct errbuf *e);

/* The engine deadline for a scan starting at now: now + time_budget_s,
 * or 0 (none) when the budget is 0. */
time_t sched_deadline(const struct config *c, time_t now);

/*
 * Sends one line to the system log (facility daemon, tag "plumb", with the
 * pid): to the socket named by $PLUMB_LOG_SOCKET when set (tests), else
 * /dev/log, which journald and every syslog daemon listen on.  When no log
 * socket accepts it the line goes to stderr, so a run's outcome is never
 * lost.  err selects priority err instead of info.
 */
void sched_log(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif

/*
 * test_sched.c - the scheduled-run helpers: the run lock (taken, refused
 * naming the holder, given up after a bounded wait, free again once
 * released), the deadline, and the syslog record's format.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "sched.h"
#include "support.h"

/* A scratch directory per test; the history itself is never created. */
static char *
scratch(void)
{
	char *dir = xmalloc(SUPPORT_DIR_MAX);

	support_tmpdir(dir, SUPPORT_DIR_MAX, "sched");
	return dir;
}

static void
cleanup(char *dir, const char *db)
{
	char *lock = xasprintf("%s.lock", db);

	unlink(lock);
	rmdir(dir);
	free(lock);
	free(dir);
}

static void
sched_lock_take__second_taker_is_refused_with_the_holders_pid(void **state)
{
	char *dir = scratch();
	char *db = xasprintf("%s/h.db", dir);
	struct sched_lock a = SCHED_LOCK_INIT, b = SCHED_LOCK_INIT;
	struct errbuf e = { "" };
	char want[64];
	time_t t0;

	(void)state;
	assert_int_equal(sched_lock_take(db, 0, &a, &e), PLUMB_OK);
	assert_true(a.fd >= 0);
	/* flock belongs to the open file, so a second open in this process
	 * contends as another process would. */
	snprintf(want, sizeof(want), "another plumb scan is running (pid %ld)",
		 (long)getpid());
	assert_int_equal(sched_lock_take(db, 0, &b, &e), PLUMB_EBUSY);
	assert_int_equal(b.fd, -1);
	assert_true(strncmp(e.msg, want, strlen(want)) == 0);
	t0 = time(NULL);
	assert_int_equal(sched_lock_take(db, 1, &b, &e), PLUMB_EBUSY);
	assert_true(time(NULL) - t0 >= 1 && time(NULL) - t0 <= 3);
	assert_non_null(strstr(e.msg, "did not finish in time"));
	sched_lock_release(&a);
	assert_int_equal(a.fd, -1);
	assert_int_equal(sched_lock_take(db, 0, &b, &e), PLUMB_OK);
	sched_lock_release(&b);
	sched_lock_release(&b);	/* twice is harmless */
	cleanup(dir, db);
	free(db);
}

static void
sched_lock_take__creates_the_history_directory(void **state)
{
	char *dir = scratch();
	char *sub = xasprintf("%s/state", dir);
	char *db = xasprintf("%s/history.db", sub);
	struct sched_lock l = SCHED_LOCK_INIT;
	struct errbuf e = { "" };
	struct stat st;

	(void)state;
	assert_int_equal(sched_lock_take(db, 0, &l, &e), PLUMB_OK);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	sched_lock_release(&l);
	cleanup(sub, db);
	rmdir(dir);
	free(dir);
	free(db);
}

static void
sched_deadline__budget_or_none(void **state)
{
	struct config c;

	(void)state;
	config_init(&c);
	c.time_budget_s = 90;
	assert_int_equal(sched_deadline(&c, 1000), 1090);
	c.time_budget_s = 0;
	assert_int_equal(sched_deadline(&c, 1000), 0);
}

static void
sched_log__one_daemon_record_without_control_characters(void **state)
{
	char *dir = scratch();
	char *sock = xasprintf("%s/log", dir);
	char buf[2048], tag[64];
	struct sockaddr_un sa;
	ssize_t n;
	int fd;

	(void)state;
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	/* A long $TMPDIR could make a name a socket address cannot hold. */
	assert_true(strlen(sock) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setenv("PLUMB_LOG_SOCKET", sock, 1);
	snprintf(tag, sizeof(tag), " plumb[%ld]: ", (long)getpid());

	sched_log(0, "scan %s done", "a\nforged\x1b[0m");
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_true(strncmp(buf, "<30>", 4) == 0);
	assert_non_null(strstr(buf, tag));
	assert_non_null(strstr(buf, ": scan a?forged?[0m done"));
	assert_null(strchr(buf, '\n'));

	sched_log(1, "broken");
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_true(strncmp(buf, "<27>", 4) == 0);

	unsetenv("PLUMB_LOG_SOCKET");
	close(fd);
	unlink(sock);
	rmdir(dir);
	free(sock);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sched_lock_take__second_taker_is_refused_with_the_holders_pid),
		cmocka_unit_test(sched_lock_take__creates_the_history_directory),
		cmocka_unit_test(sched_deadline__budget_or_none),
		cmocka_unit_test(sched_log__one_daemon_record_without_control_characters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

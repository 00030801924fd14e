/*
 * test_walk.c - the sweep walker: which entries reach the visitor, which
 * are skipped and why, how display paths are built, and that walk_open
 * refuses what changed since the listing.
 *
 * Each test builds its tree in a fresh temporary directory (symlinks,
 * FIFOs and sockets do not belong in the repository) and records every
 * visit as "F path" or "S path reason", sorted, so a case is one table.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cmocka.h>

#include "plumb_limits.h"
#include "support.h"
#include "walk.h"

struct rec {
	char **lines;
	size_t n;
	int stop_at;		/* fail the walk at this file (1-based); 0 never */
	int files;
	int opened;		/* walk_open succeeded for a file */
	int open_skips;		/* walk_open refused, with why */
	enum walk_skip open_why;
	void (*before_open)(const struct walk_file *f);
};

static char top[SUPPORT_DIR_MAX];

static void
rec_add(struct rec *r, char *line)
{
	r->lines = xreallocarray(r->lines, r->n + 1, sizeof(*r->lines));
	r->lines[r->n++] = line;
}

static int
rec_file(void *arg, const struct walk_file *f, struct errbuf *e)
{
	struct rec *r = arg;
	struct stat st;
	enum walk_skip why;
	int fd, err;

	assert_int_equal(strlen(f->path), f->pathlen);
	assert_true(S_ISREG(f->st.st_mode));
	rec_add(r, xasprintf("F %s", f->path));
	r->files++;
	if (r->before_open != NULL)
		r->before_open(f);
	if (walk_open(f, &fd, &st, &why, &err) == PLUMB_OK) {
		assert_true(fd >= 0);
		assert_true(S_ISREG(st.st_mode));
		close(fd);
		r->opened++;
	} else {
		assert_int_equal(fd, -1);
		r->open_skips++;
		r->open_why = why;
	}
	if (r->stop_at > 0 && r->files == r->stop_at)
		return err_set(e, PLUMB_EIO, "stopped at %s", f->path);
	return PLUMB_OK;
}

static void
rec_skip(void *arg, const char *path, size_t len, enum walk_skip why, int err)
{
	struct rec *r = arg;

	(void)err;
	rec_add(r, xasprintf("S %.*s %s", (int)len, path, walk_skip_name(why)));
}

static int
line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
rec_release(struct rec *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->lines[i]);
	free(r->lines);
	memset(r, 0, sizeof(*r));
}

/* Walks start (relative to top, shown as display) and checks the sorted
 * visit lines equal want (NULL-terminated, sorted). */
static int
walk_check(const char *start, const char *display, const struct walk_opts *o,
	   struct rec *r, const char *const *want)
{
	struct walk_visitor v = { rec_file, rec_skip, r };
	struct errbuf e;
	char *p = xasprintf("%s/%s", top, start);
	int fd, rc;
	size_t i;

	fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	free(p);
	assert_true(fd >= 0);
	rc = walk_fd(fd, display, o, &v, &e);
	qsort(r->lines, r->n, sizeof(*r->lines), line_cmp);
	for (i = 0; want[i] != NULL; i++) {
		if (i >= r->n)
			fail_msg("missing \"%s\"", want[i]);
		assert_string_equal(r->lines[i], want[i]);
	}
	if (i < r->n)
		fail_msg("unexpected \"%s\"", r->lines[i]);
	return rc;
}

static void
mk(const char *rel, const char *data)
{
	char *p = xasprintf("%s/%s", top, rel);
	FILE *f = fopen(p, "wb");

	assert_non_null(f);
	assert_int_equal(fputs(data, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	free(p);
}

static void
mkd(const char *rel)
{
	char *p = xasprintf("%s/%s", top, rel);

	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
}

static void
mkl(const char *target, const char *rel)
{
	char *p = xasprintf("%s/%s", top, rel);

	assert_int_equal(symlink(target, p), 0);
	free(p);
}

static int
setup(void **state)
{
	(void)state;
	support_tmpdir(top, sizeof(top), "walk");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return support_rmtree(top);
}

static void
walk__lists_regular_files_with_display_paths(void **state)
{
	static const char *const want[] = {
		"F shown/a.txt", "F shown/d/b.txt", "F shown/d/e/c.txt",
		"F shown/d/e/empty", NULL,
	};
	struct walk_opts o = { 0 };
	struct rec r = { 0 };

	(void)state;
	mkd("t");
	mkd("t/d");
	mkd("t/d/e");
	mk("t/a.txt", "a");
	mk("t/d/b.txt", "b");
	mk("t/d/e/c.txt", "c");
	mk("t/d/e/empty", "");
	assert_int_equal(walk_check("t", "shown", &o, &r, want), PLUMB_OK);
	assert_int_equal(r.opened, 4);
	rec_release(&r);
}

static void
walk__trailing_slash_is_not_doubled(void **state)
{
	static const char *const want[] = { "F t/a", NULL };
	struct walk_opts o = { 0 };
	struct rec r = { 0 };

	(void)state;
	mkd("t");
	mk("t/a", "a");
	assert_int_equal(walk_check("t", "t/", &o, &r, want), PLUMB_OK);
	rec_release(&r);
}

static void
walk__never_follows_symlinks(void **state)
{
	static const char *const want[] = {
		"F t/d/real", "S t/d/loop symlink", "S t/d/up symlink",
		"S t/link-to-dir symlink", "S t/link-to-file symlink", NULL,
	};
	struct walk_opts o = { 0 };
	struct rec r = { 0 };

	(void)state;
	mkd("t");
	mkd("t/d");
	mk("t/d/real", "x");
	mkl("loop", "t/d/loop");
	mkl("..", "t/d/up");
	mkl("d", "t/link-to-dir");
	mkl("d/real", "t/link-to-file");
	assert_int_equal(walk_check("t", "t", &o, &r, want), PLUMB_OK);
	rec_release(&r);
}

static void
walk__fifo_and_socket_are_special(void **state)
{
	static const char *const want[] = {
		"F t/f", "S t/fifo special", "S t/sock special", NULL,
	};
	struct walk_opts o = { 0 };
	struct rec r = { 0 };
	struct sockaddr_un sa;
	char *p;
	int s;

	(void)state;
	mkd("t");
	mk("t/f", "f");
	p = xasprintf("%s/t/fifo", top);
	assert_int_equal(mkfifo(p, 0644), 0);
	free(p);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(s >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	/* A long $TMPDIR could make a name a socket address cannot hold. */
	assert_true(snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/t/sock",
			     top) < (int)sizeof(sa.sun_path));
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	/* Nothing writes to the FIFO: opening it for reading would block. */
	assert_int_equal(walk_check("t", "t", &o, &r, want), PLUMB_OK);
	close(s);
	rec_release(&r);
}

static void
walk__fifo_as_start_is_special(void **state)
{
	static const char *const want[] = { "S fifo special", NULL };
	struct walk_opts o = { 0 };
	struct rec r = { 0 };
	char *p;

	(void)state;
	p = xasprintf("%s/fifo", top);
	assert_int_equal(mkfifo(p, 0644), 0);
	free(p);
	assert_int_equal(walk_check("fifo", "fifo", &o, &r, want), PLUMB_OK);
	rec_release(&r);
}

static void
walk__size_cap_skips_larger_files(void **state)
{
	static const char *const want[] = {
		"F t/exact", "F t/small", "S t/large too-large", NULL,
	};
	struct walk_opts o = { 0 };
	struct rec r = { 0 };

	(void)state;
	o.max_size = 4;
	mkd("t");
	mk("t/small", "ab");
	mk("t/exact", "abcd");
	mk("t/large", "abcde");
	assert_int_equal(walk_check("t", "t", &o, &r, want), PLUMB_OK);
	rec_release(&r);
}

static void
walk__start_file_larger_than_cap_is_skipped(void **state)
{
	static const char *const want[] = { "S big too-large", NULL };
	struct walk_opts o = { 0 };
	struct rec r = { 0 };

	(void)state;
	o.max_size = 2;
	mk("big", "abc");
	assert_int_equal(walk_check("big", "big", &o, &r, want), PLUMB_OK);
	rec_release(&r);
}

static void
walk__excludes_match_names_or_whole_paths(void **state)
{
	static const char *const want[] = {
		"F t/d/keep.txt", "F t/keep.txt", "S t/cache excluded",
		"S t/d/skip.log excluded", "S t/skip.log excluded",
		"S t/x/y excluded", NULL,
	};
	static const char *const excl[] = { "*.log", "cache", "t/x/y" };
	struct walk_opts o = { 0 };
	struct rec r = { 0 };

	(void)state;
	o.excludes = excl;
	o.nexcludes = 3;
	mkd("t");
	mkd("t/d");
	mkd("t/cache");
	mkd("t/x");
	mk("t/keep.txt", "k");
	mk("t/d/keep.txt", "k");
	mk("t/skip.log", "s");
	mk("t/d/skip.log", "s");
	mk("t/cache/inside", "c");
	mk("t/x/y", "y");
	assert_int_equal(walk_check("t", "t", &o, &r, want), PLUMB_OK);
	rec_release(&r);
}

static void
walk__a_file_start_is_visited_with_its_descriptor(void **state)
{
	static const char *const want[] = { "F ./one", NULL };
	struct walk_opts o = { 0 };
	struct rec r = { 0 };

	(void)state;
	mk("one", "1");
	assert_int_equal(walk_check("one", "./one", &o, &r, want), PLUMB_OK);
	assert_int_equal(r.opened, 1);
	rec_release(&r);
}

static void
walk__visitor_error_stops_the_walk(void **state)
{
	struct walk_visitor v = { rec_file, rec_skip, NULL };
	struct walk_opts o = { 0 };
	struct rec r = { 0 };
	struct errbuf e;
	char *p;
	int fd, i;

	(void)state;
	mkd("t");
	for (i = 0; i < 10; i++) {
		char name[16];

		snprintf(name, sizeof(name), "t/f%d", i);
		mk(name, "x");
	}
	r.stop_at = 3;
	v.arg = &r;
	p = xasprintf("%s/t", top);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	free(p);
	assert_int_equal(walk_fd(fd, "t", &o, &v, &e), PLUMB_EIO);
	assert_int_equal(r.files, 3);
	assert_non_null(strstr(e.msg, "stopped at t/f"));
	rec_release(&r);
}

static void
walk__pseudo_filesystem_start_is_skipped(void **state)
{
	struct walk_visitor v = { rec_file, rec_skip, NULL };
	struct walk_opts o = { 0 };
	struct rec r = { 0 };
	struct errbuf e;
	int fd;

	(void)state;
	v.arg = &r;
	fd = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		skip();
	assert_int_equal(walk_fd(fd, "/proc/self", &o, &v, &e), PLUMB_OK);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.lines[0], "S /proc/self pseudo-fs");
	rec_release(&r);
}

/* Replaces the listed file by a FIFO of the same name before it is opened. */
static void
swap_for_fifo(const struct walk_file *f)
{
	assert_int_equal(unlinkat(f->dirfd, f->name, 0), 0);
	assert_int_equal(mkfifoat(f->dirfd, f->name, 0644), 0);
}

static void
swap_for_file(const struct walk_file *f)
{
	int fd;

	assert_int_equal(unlinkat(f->dirfd, f->name, 0), 0);
	fd = openat(f->dirfd, f->name, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static void
vanish(const struct walk_file *f)
{
	assert_int_equal(unlinkat(f->dirfd, f->name, 0), 0);
}

static void
walk__open_refuses_a_fifo_swapped_in_without_blocking(void **state)
{
	static const char *const want[] = { "F t/f", NULL };
	struct walk_opts o = { 0 };
	struct rec r = { 0 };

	(void)state;
	mkd("t");
	mk("t/f", "data");
	r.before_open = swap_for_fifo;
	assert_int_equal(walk_check("t", "t", &o, &r, want), PLUMB_OK);
	assert_int_equal(r.open_skips, 1);
	assert_int_equal(r.open_why, WALK_SKIP_SPECIAL);
	rec_release(&r);
}

static void
walk__open_refuses_another_file_of_the_same_name(void **state)
{
	static const char *const want[] = { "F t/f", NULL };
	struct walk_opts o = { 0 };
	struct rec r = { 0 };

	(void)state;
	mkd("t");
	mk("t/f", "data");
	mk("t/keep-inode-busy", "");
	r.before_open = swap_for_file;
	{
		/* Hold the old inode so the new file cannot reuse its number. */
		char *p = xasprintf("%s/t/f", top);
		int hold = open(p, O_RDONLY);
		char *k = xasprintf("%s/t/keep-inode-busy", top);

		free(p);
		assert_int_equal(unlink(k), 0);
		free(k);
		assert_int_equal(walk_check("t", "t", &o, &r, want), PLUMB_OK);
		close(hold);
	}
	assert_int_equal(r.open_skips, 1);
	assert_int_equal(r.open_why, WALK_SKIP_CHANGED);
	rec_release(&r);
}

static void
walk__open_reports_a_vanished_file(void **state)
{
	static const char *const want[] = { "F t/f", NULL };
	struct walk_opts o = { 0 };
	struct rec r = { 0 };

	(void)state;
	mkd("t");
	mk("t/f", "data");
	r.before_open = vanish;
	assert_int_equal(walk_check("t", "t", &o, &r, want), PLUMB_OK);
	assert_int_equal(r.open_skips, 1);
	assert_int_equal(r.open_why, WALK_SKIP_VANISHED);
	rec_release(&r);
}

static void
walk__names_with_newlines_and_invalid_utf8_are_kept_as_bytes(void **state)
{
	static const char *const want[] = {
		"F t/bad\xff\xfe", "F t/new\nline", NULL,
	};
	struct walk_opts o = { 0 };
	struct rec r = { 0 };

	(void)state;
	mkd("t");
	mk("t/new\nline", "n");
	mk("t/bad\xff\xfe", "b");
	assert_int_equal(walk_check("t", "t", &o, &r, want), PLUMB_OK);
	assert_int_equal(r.opened, 2);
	rec_release(&r);
}

static void
walk__too_deep_directories_are_reported_once(void **state)
{
	struct walk_visitor v = { rec_file, rec_skip, NULL };
	struct walk_opts o = { 0 };
	struct rec r = { 0 };
	struct errbuf e;
	char *p = xasprintf("%s/t", top);
	int fd, d, i, deep = 0;

	(void)state;
	v.arg = &r;
	assert_int_equal(mkdir(p, 0755), 0);
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(p);
	assert_true(fd >= 0);
	/* Built with mkdirat/openat: its full path is far past PATH_MAX. */
	d = dup(fd);
	for (i = 0; i < PLUMB_WALK_DEPTH_MAX + 5; i++) {
		int next;

		assert_int_equal(mkdirat(d, "dd", 0755), 0);
		next = openat(d, "dd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(next >= 0);
		close(d);
		d = next;
	}
	close(d);
	assert_int_equal(walk_fd(fd, "t", &o, &v, &e), PLUMB_OK);
	for (i = 0; i < (int)r.n; i++)
		if (strstr(r.lines[i], " too-deep") != NULL)
			deep++;
	assert_int_equal(deep, 1);
	assert_int_equal(r.n, 1);
	rec_release(&r);
	/* support_rmtree (nftw, by path) cannot remove a tree this deep:
	 * do it here. */
	{
		char *q = xasprintf("%s/t", top);
		int base = open(q, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int depth = PLUMB_WALK_DEPTH_MAX + 5, k;

		free(q);
		for (; depth > 0; depth--) {
			int cur = dup(base);

			for (k = 0; k < depth - 1; k++) {
				int next = openat(cur, "dd", O_RDONLY |
						  O_DIRECTORY | O_CLOEXEC);

				close(cur);
				cur = next;
			}
			assert_int_equal(unlinkat(cur, "dd", AT_REMOVEDIR), 0);
			close(cur);
		}
		close(base);
	}
}

static void
walk__skip_names_are_stable(void **state)
{
	static const struct {
		enum walk_skip why;
		const char *name;
	} cases[] = {
		{ WALK_SKIP_SYMLINK, "symlink" },
		{ WALK_SKIP_SPECIAL, "special" },
		{ WALK_SKIP_TOO_LARGE, "too-large" },
		{ WALK_SKIP_EXCLUDED, "excluded" },
		{ WALK_SKIP_OTHER_FS, "other-fs" },
		{ WALK_SKIP_PSEUDO_FS, "pseudo-fs" },
		{ WALK_SKIP_UNREADABLE, "unreadable" },
		{ WALK_SKIP_VANISHED, "vanished" },
		{ WALK_SKIP_CHANGED, "changed" },
		{ WALK_SKIP_TOO_DEEP, "too-deep" },
		{ WALK_SKIP_LOOP, "loop" },
		{ WALK_SKIP_ERROR, "error" },
		{ WALK_SKIP__COUNT, "error" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(walk_skip_name(cases[i].why), cases[i].name);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(walk__lists_regular_files_with_display_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(walk__trailing_slash_is_not_doubled, setup, teardown),
		cmocka_unit_test_setup_teardown(walk__never_follows_symlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(walk__fifo_and_socket_are_special, setup, teardown),
		cmocka_unit_test_setup_teardown(walk__fifo_as_start_is_special, setup, teardown),
		cmocka_unit_test_setup_teardown(walk__size_cap_skips_larger_files, setup, teardown),
		cmocka_unit_test_setup_teardown(walk__start_file_larger_than_cap_is_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(walk__excludes_match_names_or_whole_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(walk__a_file_start_is_visited_with_its_descriptor, setup, teardown),
		cmocka_unit_test_setup_teardown(walk__visitor_error_stops_the_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(walk__pseudo_filesystem_start_is_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(walk__open_refuses_a_fifo_swapped_in_without_blocking, setup, teardown),
		cmocka_unit_test_setup_teardown(walk__open_refuses_another_file_of_the_same_name, setup, teardown),
		cmocka_unit_test_setup_teardown(walk__open_reports_a_vanished_file, setup, teardown),
		cmocka_unit_test_setup_teardown(walk__names_with_newlines_and_invalid_utf8_are_kept_as_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(walk__too_deep_directories_are_reported_once, setup, teardown),
		cmocka_unit_test(walk__skip_names_are_stable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

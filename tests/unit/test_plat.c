/*
 * test_plat.c - the platform layer keeps every read inside the scan root.
 *
 * The fixture tree is built in a temporary directory at start-up (symlinks
 * that point out of a tree do not belong in the repository): ROOT is the
 * scan root and OUTSIDE, next to it, holds a file no resolution may reach.
 * Every confinement case runs twice, once through openat2 and once through
 * the component walk used where openat2 is missing, and both must agree.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <cmocka.h>

#include "plat.h"
#include "support.h"

static char tmp[SUPPORT_DIR_MAX];
static char rootdir[SUPPORT_DIR_MAX + sizeof("/root")];
static struct plat_root *root;

static void
put(const char *rel, const void *data, size_t n)
{
	char *p = xasprintf("%s/%s", tmp, rel);
	FILE *f = fopen(p, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	free(p);
}

static void
putstr(const char *rel, const char *s)
{
	put(rel, s, strlen(s));
}

static void
dir(const char *rel)
{
	char *p = xasprintf("%s/%s", tmp, rel);

	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
}

static void
lnk(const char *target, const char *rel)
{
	char *p = xasprintf("%s/%s", tmp, rel);

	assert_int_equal(symlink(target, p), 0);
	free(p);
}

static int
tree_setup(void **state)
{
	char big[100];

	(void)state;
	support_tmpdir(tmp, sizeof(tmp), "plat");
	snprintf(rootdir, sizeof(rootdir), "%s/root", tmp);
	dir("outside");
	putstr("outside/secret", "OUTSIDE\n");
	putstr("outside-passwd", "HOST PASSWD\n");
	dir("root");
	dir("root/etc");
	putstr("root/etc/passwd", "ROOT PASSWD\n");
	dir("root/outside");
	putstr("root/outside/secret", "INSIDE\n");
	dir("root/a");
	dir("root/a/b");
	/* An absolute link to /etc/passwd means ROOT/etc/passwd. */
	lnk("/etc/passwd", "root/abs_passwd");
	/* Climbs further than the root has levels. */
	lnk("../../../../../../outside/secret", "root/a/b/rel_escape");
	/* A link into the real directory next to the root, by its real
	 * absolute path: must be read as ROOT + that path, which is absent. */
	{
		char *t = xasprintf("%s/outside/secret", tmp);

		lnk(t, "root/host_abs");
		free(t);
	}
	lnk("/etc", "root/etcl");
	lnk("loop2", "root/loop1");
	lnk("loop1", "root/loop2");
	lnk("nonexistent", "root/dangling");
	lnk("/proc/self/root/etc/passwd", "root/via_proc");
	lnk("a/b", "root/ab");
	{
		char *f = xasprintf("%s/fifo", rootdir);
		int rc = mkfifo(f, 0644);

		free(f);
		if (rc != 0)
			return -1;
	}
	memset(big, 'x', sizeof(big));
	put("root/big", big, sizeof(big));
	put("root/nul.txt", "abc\0def\n", 8);
	dir("root/g");
	putstr("root/g/b.conf", "b\n");
	putstr("root/g/a.conf", "a\n");
	putstr("root/g/.hidden.conf", "h\n");
	putstr("root/g/c.txt", "c\n");
	dir("root/g/sub1");
	dir("root/g/sub2");
	putstr("root/g/sub1/x.conf", "1\n");
	putstr("root/g/sub2/x.conf", "2\n");
	putstr("root/g/sub2/y.conf", "2\n");
	lnk("/nonexistent", "root/g/link.conf");
	lnk("sub1", "root/g/sublink");
	return 0;
}

static int
tree_teardown(void **state)
{
	(void)state;
	plat_root_free(root);
	root = NULL;
	return support_rmtree(tmp);
}

/* Opens the fixture root and selects openat2 or the fallback walk. */
static int
mode_setup(void **state)
{
	struct errbuf e;

	plat_force_fallback(*state != NULL);
	if (root == NULL && plat_root_open(rootdir, &root, &e) != 0)
		return -1;
	return 0;
}

static int
mode_teardown(void **state)
{
	(void)state;
	plat_force_fallback(0);
	return 0;
}

/* Reads path in the fixture root and expects exactly want. */
static void
expect_content(const char *path, const char *want)
{
	struct errbuf e = { "" };
	char *data = NULL;
	size_t n = 0;
	int rc;

	rc = plat_read_text(root, path, PLUMB_SMALL_FILE_MAX, &data, &n, &e);
	if (rc != 0)
		fail_msg("%s: rc %d: %s", path, rc, e.msg);
	assert_string_equal(data, want);
	assert_int_equal(n, strlen(want));
	free(data);
}

static void
expect_error(const char *path, int want, const char *msg_part)
{
	struct errbuf e = { "" };
	char *data = NULL;
	size_t n = 7;
	int rc;

	rc = plat_read(root, path, PLUMB_SMALL_FILE_MAX, &data, &n, &e);
	assert_int_equal(rc, want);
	assert_null(data);
	assert_int_equal(n, 0);
	if (msg_part != NULL && strstr(e.msg, msg_part) == NULL)
		fail_msg("%s: message \"%s\" lacks \"%s\"", path, e.msg,
			 msg_part);
}

static void
plat__plain_read(void **state)
{
	(void)state;
	expect_content("etc/passwd", "ROOT PASSWD\n");
	expect_content("/etc/passwd", "ROOT PASSWD\n");
	expect_content("//etc//passwd", "ROOT PASSWD\n");
}

static void
plat__dotdot_stays_at_root(void **state)
{
	(void)state;
	expect_content("../../../etc/passwd", "ROOT PASSWD\n");
	expect_content("/../outside/secret", "INSIDE\n");
	expect_content("a/b/../../../../etc/passwd", "ROOT PASSWD\n");
}

static void
plat__absolute_symlink_resolves_in_root(void **state)
{
	(void)state;
	expect_content("abs_passwd", "ROOT PASSWD\n");
	expect_content("etcl/passwd", "ROOT PASSWD\n");
	expect_content("etcl/../etc/passwd", "ROOT PASSWD\n");
}

static void
plat__relative_symlink_escape_clamped_at_root(void **state)
{
	(void)state;
	expect_content("a/b/rel_escape", "INSIDE\n");
	expect_content("ab/rel_escape", "INSIDE\n");
}

static void
plat__host_absolute_path_link_not_reached(void **state)
{
	(void)state;
	expect_error("host_abs", PLUMB_ENOENT, "host_abs");
}

static void
plat__proc_self_root_link_stays_in_root(void **state)
{
	(void)state;
	expect_error("via_proc", PLUMB_ENOENT, NULL);
}

static void
plat__symlink_loop_fails(void **state)
{
	struct errbuf e;
	int fd = 5;

	(void)state;
	expect_error("loop1", PLUMB_EIO, "symbolic link");
	assert_int_equal(plat_open(root, "loop1/x", 0, &fd, &e), PLUMB_EIO);
	assert_int_equal(fd, -1);
}

static void
plat__dangling_link(void **state)
{
	struct errbuf e;
	struct stat st;
	char *t = NULL;

	(void)state;
	expect_error("dangling", PLUMB_ENOENT, "dangling");
	assert_int_equal(plat_stat(root, "dangling", 1, &st, &e), PLUMB_ENOENT);
	assert_int_equal(plat_stat(root, "dangling", 0, &st, &e), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(plat_readlink(root, "dangling", &t, &e), 0);
	assert_string_equal(t, "nonexistent");
	free(t);
}

static void
plat__nofollow_refuses_symlink(void **state)
{
	struct errbuf e = { "" };
	int fd = 5;

	(void)state;
	assert_int_equal(plat_open(root, "abs_passwd", PLAT_NOFOLLOW, &fd, &e),
			 PLUMB_EIO);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(e.msg, "is a symbolic link"));
	/* Intermediate links are still followed, inside the root. */
	assert_int_equal(plat_open(root, "etcl/passwd", PLAT_NOFOLLOW, &fd, &e),
			 0);
	assert_true(fd >= 0);
	close(fd);
}

static void
on_alarm(int sig)
{
	(void)sig;
	(void)!write(STDERR_FILENO, "FIFO open blocked\n", 18);
	_exit(3);
}

static void
plat__fifo_nonblock_does_not_block(void **state)
{
	struct errbuf e = { "" };
	struct stat st;
	char *data = NULL;
	size_t n;
	int fd = -1;

	(void)state;
	signal(SIGALRM, on_alarm);
	alarm(5);
	assert_int_equal(plat_open(root, "fifo", PLAT_NONBLOCK, &fd, &e), 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	close(fd);
	/* plat_read refuses anything but a regular file, without blocking. */
	assert_int_equal(plat_read(root, "fifo", 100, &data, &n, &e), PLUMB_EIO);
	assert_non_null(strstr(e.msg, "not a regular file"));
	assert_null(data);
	alarm(0);
	signal(SIGALRM, SIG_DFL);
}

static void
plat__cap_exceeded(void **state)
{
	struct errbuf e = { "" };
	char *data = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(plat_read(root, "big", 99, &data, &n, &e), PLUMB_ELIMIT);
	assert_null(data);
	assert_non_null(strstr(e.msg, "larger than 99 bytes"));
	assert_int_equal(plat_read(root, "big", 100, &data, &n, &e), 0);
	assert_int_equal(n, 100);
	assert_int_equal(data[100], '\0');
	free(data);
}

static void
plat__nul_in_text_names_offset(void **state)
{
	struct errbuf e = { "" };
	char *data = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(plat_read_text(root, "nul.txt", 100, &data, &n, &e),
			 PLUMB_EPARSE);
	assert_null(data);
	assert_non_null(strstr(e.msg, "/nul.txt"));
	assert_non_null(strstr(e.msg, "offset 3"));
	/* The same bytes are fine when text is not expected. */
	assert_int_equal(plat_read(root, "nul.txt", 100, &data, &n, &e), 0);
	assert_int_equal(n, 8);
	assert_memory_equal(data, "abc\0def\n", 8);
	free(data);
}

static void
plat__directory_flag(void **state)
{
	struct errbuf e;
	int fd = -1;

	(void)state;
	assert_int_equal(plat_open(root, "etcl", PLAT_DIRECTORY, &fd, &e), 0);
	close(fd);
	assert_int_not_equal(plat_open(root, "etc/passwd", PLAT_DIRECTORY, &fd,
				       &e), 0);
	assert_int_equal(fd, -1);
	assert_int_equal(plat_open(root, "etc/passwd/x", 0, &fd, &e),
			 PLUMB_ENOENT);
	assert_int_equal(plat_open(root, "", PLAT_DIRECTORY, &fd, &e), 0);
	close(fd);
	assert_int_equal(plat_open(root, "/", PLAT_DIRECTORY, &fd, &e), 0);
	close(fd);
}

static void
plat__list_sorted(void **state)
{
	static const char *const want[] = {
		".hidden.conf", "a.conf", "b.conf", "c.txt", "link.conf",
		"sub1", "sub2", "sublink",
	};
	struct errbuf e;
	char **names = NULL;
	size_t n = 0, i;

	(void)state;
	assert_int_equal(plat_list(root, "g", &names, &n, &e), 0);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < n; i++)
		assert_string_equal(names[i], want[i]);
	plat_list_free(names, n);
	assert_int_equal(plat_list(root, "nope", &names, &n, &e), PLUMB_ENOENT);
	assert_null(names);
}

/* plat_glob must give what glob(3) gives for the same tree, minus the
 * root prefix, in the same order. */
static void
plat__glob_matches_glob3(void **state)
{
	static const char *const patterns[] = {
		"g/*.conf", "/g/*/x.conf", "g/*", "g/.*", "g/[ab].conf",
		"g/nomatch*", "g/sub?/x.conf", "g/*/", "g/link.conf",
		"g/sublink/*.conf", "*/passwd", "g/*/*.conf", "missing/*",
		"g/\\a.conf", "etc/passwd",
	};
	size_t k, i, plen = strlen(rootdir);

	(void)state;
	for (k = 0; k < sizeof(patterns) / sizeof(patterns[0]); k++) {
		struct errbuf e = { "" };
		const char *p = patterns[k];
		char *full = xasprintf("%s/%s", rootdir, p[0] == '/' ? p + 1 : p);
		char **got = NULL;
		size_t n = 0;
		glob_t g;
		int grc;

		char **gv;
		size_t gn = 0;

		memset(&g, 0, sizeof(g));
		grc = glob(full, 0, NULL, &g);
		assert_true(grc == 0 || grc == GLOB_NOMATCH);
		/* glob(3) lets ".*" match "." and ".."; plat_glob lists
		 * directory entries only, so those two are left out. */
		gv = xcalloc(g.gl_pathc + 1, sizeof(*gv));
		for (i = 0; i < g.gl_pathc; i++) {
			const char *b = strrchr(g.gl_pathv[i], '/') + 1;

			if (strcmp(b, ".") != 0 && strcmp(b, "..") != 0)
				gv[gn++] = g.gl_pathv[i];
		}
		if (plat_glob(root, p, &got, &n, &e) != 0)
			fail_msg("%s: %s", p, e.msg);
		if (n != gn)
			fail_msg("%s: %zu matches, glob(3) has %zu", p, n, gn);
		for (i = 0; i < n; i++) {
			const char *want = gv[i] + plen;
			size_t wl = strlen(want);

			/* glob(3) keeps a pattern's trailing slash. */
			if (strcmp(got[i], want) != 0 &&
			    !(wl > 1 && want[wl - 1] == '/' &&
			      strncmp(got[i], want, wl - 1) == 0 &&
			      got[i][wl - 1] == '\0'))
				fail_msg("%s: [%zu] %s, glob(3) has %s", p, i,
					 got[i], want);
		}
		plat_list_free(got, n);
		free(gv);
		globfree(&g);
		free(full);
	}
}

static void
plat__glob_keeps_matched_symlink_names(void **state)
{
	struct errbuf e;
	char **got = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(plat_glob(root, "g/l*", &got, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(got[0], "/g/link.conf");
	plat_list_free(got, n);
}

#define BOTH(f)                                                         \
	{ #f "/openat2", f, mode_setup, mode_teardown, NULL },          \
	{ #f "/fallback", f, mode_setup, mode_teardown, (void *)1 }

/* ---- cases that are not about the resolver ---------------------------- */

static void
plat__magic_link_refused_by_openat2(void **state)
{
	struct plat_root *live = NULL;
	struct errbuf e = { "" };
	int fd = -1;

	(void)state;
	assert_int_equal(plat_root_open("/", &live, &e), 0);
	plat_force_fallback(0);
	assert_int_equal(plat_open(live, "proc/self/root/etc", PLAT_DIRECTORY,
				   &fd, &e), PLUMB_EIO);
	assert_non_null(strstr(e.msg, "magic link"));
	/* The fallback reads the link's text ("/"), which is the same root. */
	plat_force_fallback(1);
	assert_int_equal(plat_open(live, "proc/self/root/etc", PLAT_DIRECTORY,
				   &fd, &e), 0);
	close(fd);
	plat_force_fallback(0);
	plat_root_free(live);
}

static void
plat__proc_file_with_zero_size_is_read(void **state)
{
	struct plat_root *live = NULL;
	struct errbuf e = { "" };
	struct stat st;
	struct utsname u;
	char *data = NULL, *want;
	size_t n = 0;
	int pass;

	(void)state;
	assert_int_equal(uname(&u), 0);
	want = xasprintf("%s\n", u.release);
	assert_int_equal(plat_root_open("/", &live, &e), 0);
	for (pass = 0; pass < 2; pass++) {
		plat_force_fallback(pass);
		assert_int_equal(plat_stat(live, "/proc/sys/kernel/osrelease", 1,
					   &st, &e), 0);
		assert_int_equal(st.st_size, 0);
		assert_int_equal(plat_read_text(live, "/proc/sys/kernel/osrelease",
						PLUMB_SMALL_FILE_MAX, &data, &n,
						&e), 0);
		assert_string_equal(data, want);
		free(data);
	}
	plat_force_fallback(0);
	free(want);
	plat_root_free(live);
}

static void
plat__root_is_live_only_for_slash(void **state)
{
	struct plat_root *r = NULL;
	struct errbuf e;
	char *slash = xasprintf("%s/slash", tmp);

	(void)state;
	assert_int_equal(plat_root_open("/", &r, &e), 0);
	assert_true(plat_root_is_live(r));
	assert_string_equal(plat_root_dir(r), "/");
	plat_root_free(r);
	assert_int_equal(symlink("/", slash), 0);
	assert_int_equal(plat_root_open(slash, &r, &e), 0);
	assert_true(plat_root_is_live(r));
	plat_root_free(r);
	assert_int_equal(unlink(slash), 0);
	assert_int_equal(plat_root_open(rootdir, &r, &e), 0);
	assert_false(plat_root_is_live(r));
	plat_root_free(r);
	assert_int_equal(plat_root_open("/nonexistent-plumb", &r, &e),
			 PLUMB_ENOENT);
	assert_null(r);
	free(slash);
}

static void
plat__host_info_from_files(void **state)
{
	struct plat_root *r = NULL;
	struct plat_host h;
	struct errbuf e;
	char *hr = xasprintf("%s/hostroot", tmp);

	(void)state;
	dir("hostroot");
	dir("hostroot/etc");
	dir("hostroot/usr");
	dir("hostroot/usr/lib");
	dir("hostroot/proc");
	dir("hostroot/proc/sys");
	dir("hostroot/proc/sys/kernel");
	putstr("hostroot/etc/hostname", "# set by the installer\n\n  web-01 \n");
	putstr("hostroot/etc/machine-id", "0123456789ABCDEF0123456789abcdef\n");
	putstr("hostroot/usr/lib/os-release",
	       "# comment\nNAME=\"Debian GNU/Linux\"\nID=debian\n"
	       "VERSION_ID='12'\nPRETTY_NAME=\"Debian \\\"bookworm\\\" 12\"\n");
	lnk("../usr/lib/os-release", "hostroot/etc/os-release");
	putstr("hostroot/proc/sys/kernel/osrelease", "6.1.0-test-amd64\n");
	assert_int_equal(plat_root_open(hr, &r, &e), 0);
	assert_int_equal(plat_host_info(r, &h, &e), 0);
	assert_string_equal(h.hostname, "web-01");
	assert_string_equal(h.machine_id, "0123456789abcdef0123456789abcdef");
	assert_string_equal(h.os_id, "debian");
	assert_string_equal(h.os_version, "12");
	assert_string_equal(h.os_pretty, "Debian \"bookworm\" 12");
	assert_string_equal(h.kernel, "6.1.0-test-amd64");
	assert_string_equal(h.arch, "");
	plat_root_free(r);

	/* A bad machine-id and missing files leave fields empty. */
	putstr("hostroot/etc/machine-id", "uninitialized\n");
	{
		char *hn = xasprintf("%s/etc/hostname", hr);

		assert_int_equal(unlink(hn), 0);
		free(hn);
	}
	assert_int_equal(plat_root_open(hr, &r, &e), 0);
	assert_int_equal(plat_host_info(r, &h, &e), 0);
	assert_string_equal(h.machine_id, "");
	assert_string_equal(h.hostname, "");
	plat_root_free(r);
	free(hr);
}

static void
plat__host_info_live_uses_uname(void **state)
{
	struct plat_root *r = NULL;
	struct plat_host h;
	struct utsname u;
	struct errbuf e;

	(void)state;
	assert_int_equal(uname(&u), 0);
	assert_int_equal(plat_root_open("/", &r, &e), 0);
	assert_int_equal(plat_host_info(r, &h, &e), 0);
	assert_string_equal(h.kernel, u.release);
	assert_string_equal(h.arch, u.machine);
	assert_true(h.hostname[0] != '\0');
	plat_root_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(plat__plain_read),
		BOTH(plat__dotdot_stays_at_root),
		BOTH(plat__absolute_symlink_resolves_in_root),
		BOTH(plat__relative_symlink_escape_clamped_at_root),
		BOTH(plat__host_absolute_path_link_not_reached),
		BOTH(plat__proc_self_root_link_stays_in_root),
		BOTH(plat__symlink_loop_fails),
		BOTH(plat__dangling_link),
		BOTH(plat__nofollow_refuses_symlink),
		BOTH(plat__fifo_nonblock_does_not_block),
		BOTH(plat__cap_exceeded),
		BOTH(plat__nul_in_text_names_offset),
		BOTH(plat__directory_flag),
		BOTH(plat__list_sorted),
		BOTH(plat__glob_matches_glob3),
		BOTH(plat__glob_keeps_matched_symlink_names),
		cmocka_unit_test(plat__magic_link_refused_by_openat2),
		cmocka_unit_test(plat__proc_file_with_zero_size_is_read),
		cmocka_unit_test(plat__root_is_live_only_for_slash),
		cmocka_unit_test(plat__host_info_from_files),
		cmocka_unit_test(plat__host_info_live_uses_uname),
	};

	return cmocka_run_group_tests(tests, tree_setup, tree_teardown);
}

/*
 * support.c - scratch directories and file trees for the cmocka unit tests
 * (see support.h).  Not a test itself: the Makefile links it into every
 * binary of tests/unit.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "support.h"
#include "util.h"

void
support_tmpdir(char *dir, size_t size, const char *tag)
{
	const char *base = getenv("TMPDIR");
	size_t len;
	int n;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	/* "/tmp/" and "/tmp" name the same place: one slash in the result. */
	for (len = strlen(base); len > 0 && base[len - 1] == '/'; len--)
		;
	n = snprintf(dir, size, "%.*s/plumb-test-%s-XXXXXX", (int)len, base,
		     tag);
	if (n < 0 || (size_t)n >= size)
		fail_msg("a scratch directory under %s does not fit %zu bytes",
			 base, size);
	if (mkdtemp(dir) == NULL)
		fail_msg("cannot make %s: %s", dir, strerror(errno));
}

void
support_mkparents(const char *top, const char *rel)
{
	size_t len = strlen(top);
	char *p = xasprintf("%s/%s", top, rel), *s;

	/* A directory that is there already is the common case, and any
	 * other failure shows when the caller makes the file itself. */
	for (s = p + len + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		(void)mkdir(p, 0755);
		*s = '/';
	}
	free(p);
}

void
support_write_file(const char *top, const char *rel, const char *text)
{
	char *p = xasprintf("%s/%s", top, rel);
	FILE *f;

	support_mkparents(top, rel);
	f = fopen(p, "w");
	if (f == NULL)
		fail_msg("cannot write %s: %s", p, strerror(errno));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	free(p);
}

void
support_write_tree(const char *top, const struct support_file *files,
		   size_t max)
{
	size_t i;

	for (i = 0; i < max && files[i].path != NULL; i++)
		support_write_file(top, files[i].path, files[i].text);
}

/* nftw hands over a directory after everything in it (FTW_DP), or
 * unvisited when it could not be read (FTW_DNR): rmdir for both. */
static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_DNR)
		return rmdir(path);
	return unlink(path);
}

int
support_rmtree(const char *dir)
{
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

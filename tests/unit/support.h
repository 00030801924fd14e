/*
 * support.h - scratch directories and file trees for the cmocka unit tests.
 *
 * Many tests build a small host tree in a fresh temporary directory, read
 * it, and remove it again; these helpers are that one piece of code, linked
 * into every binary of tests/unit.  support_tmpdir and the writers fail
 * the running test (cmocka) when they cannot do what they say, so a test
 * never goes on with half a tree.
 */
#ifndef PLUMB_TEST_SUPPORT_H
#define PLUMB_TEST_SUPPORT_H

#include <limits.h>
#include <stddef.h>

/* Size of a buffer that holds any directory support_tmpdir makes. */
#define SUPPORT_DIR_MAX PATH_MAX

/* The number of elements of array a. */
#define SUPPORT_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* One file of a tree: path relative to the tree's top, and its text. */
struct support_file {
	const char *path;
	const char *text;
};

/* Makes a fresh directory "$TMPDIR/plumb-test-TAG-XXXXXX" (/tmp when
 * TMPDIR is unset or empty) and writes its path into dir, which holds
 * size bytes (SUPPORT_DIR_MAX); a path that does not fit fails the test. */
void support_tmpdir(char *dir, size_t size, const char *tag);

/* Makes the missing directories (mode 0755) between top and top/rel;
 * top itself must exist.  rel names a file, which is not made.  It does
 * not fail the test: a directory it could not make shows when the caller
 * makes the file. */
void support_mkparents(const char *top, const char *rel);

/* Writes text to top/rel, making its parent directories first. */
void support_write_file(const char *top, const char *rel, const char *text);

/* Writes each file of files under top, up to the first NULL path or max
 * files, whichever comes first. */
void support_write_tree(const char *top, const struct support_file *files,
			size_t max);

/* Removes dir and everything below it without following symlinks; 0 on
 * success, -1 when anything could not be removed.  It does not fail the
 * test, so that a teardown can report or ignore it as it sees fit. */
int support_rmtree(const char *dir);

#endif

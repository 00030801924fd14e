/*
 * replay.c - runs a fuzz harness without libFuzzer: every file named on the
 * command line (or found directly in a directory named there) is read and
 * handed to LLVMFuzzerTestOneInput once.  tests/e2e/fuzz_replay.sh links
 * each harness with this file so `make test` replays the whole corpus,
 * crash inputs included, under whatever sanitizer the build uses.
 *
 * Prints "replayed N inputs" and exits 0; a crash is the harness's own
 * abort (or the sanitizer's report), which the caller sees as a failure.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs larger than this are not corpus files but a mistake. */
#define REPLAY_MAX (16u << 20)

static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	buf = malloc(REPLAY_MAX);
	if (buf == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, REPLAY_MAX, f);
	if (ferror(f) || !feof(f)) {
		fprintf(stderr, "%s: unreadable or over %u bytes\n", path,
			REPLAY_MAX);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	/* Exactly n bytes, as libFuzzer hands them: an overread of the
	 * input is then caught by ASan here too. */
	{
		uint8_t *exact = malloc(n > 0 ? n : 1);

		if (exact == NULL) {
			free(buf);
			return -1;
		}
		memcpy(exact, buf, n);
		free(buf);
		LLVMFuzzerTestOneInput(exact, n);
		free(exact);
	}
	return 0;
}

static int
replay_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays the regular files directly inside dir, in name order. */
static int
replay_dir(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (d == NULL) {
		perror(dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn;

			cap = cap ? cap * 2 : 64;
			nn = realloc(names, cap * sizeof(*names));
			if (nn == NULL) {
				rc = -1;
				break;
			}
			names = nn;
		}
		names[n] = malloc(strlen(dir) + strlen(de->d_name) + 2);
		if (names[n] == NULL) {
			rc = -1;
			break;
		}
		snprintf(names[n], strlen(dir) + strlen(de->d_name) + 2,
			 "%s/%s", dir, de->d_name);
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), replay_cmp);
	for (i = 0; i < n; i++) {
		struct stat st;

		if (rc == 0 && stat(names[i], &st) == 0 &&
		    S_ISREG(st.st_mode)) {
			if (replay_file(names[i]) != 0)
				rc = -1;
			else
				(*count)++;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	size_t count = 0;
	int i;

	for (i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count) != 0)
				return 1;
		} else if (replay_file(argv[i]) != 0) {
			return 1;
		} else {
			count++;
		}
	}
	printf("replayed %zu inputs\n", count);
	return 0;
}

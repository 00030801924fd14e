/*
 * cli.c - helpers shared by the command layer: messages, the default
 * history path, colour, and output files that are never left half-written.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cmd.h"
#include "util.h"

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("plumb: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_usage_error(const char *verb, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "plumb %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see plumb %s --help)\n", verb);
	return EXIT_PLUMB_ERROR;
}

char *
cli_db_path(const char *arg)
{
	const char *state, *home;

	if (arg != NULL)
		return xstrdup(arg);
	if (geteuid() == 0)
		return xstrdup("/var/lib/plumb/history.db");
	state = getenv("XDG_STATE_HOME");
	if (state != NULL && state[0] == '/')
		return xasprintf("%s/plumb/history.db", state);
	home = getenv("HOME");
	if (home == NULL || home[0] != '/')
		home = ".";
	return xasprintf("%s/.local/state/plumb/history.db", home);
}

int
cli_color(FILE *f)
{
	const char *term = getenv("TERM");

	if (getenv("NO_COLOR") != NULL && getenv("NO_COLOR")[0] != '\0')
		return 0;
	if (term == NULL || strcmp(term, "dumb") == 0)
		return 0;
	return isatty(fileno(f));
}

int
cli_out_open(struct cli_out *o, const char *path)
{
	int fd;

	o->f = NULL;
	o->path = NULL;
	o->tmp = NULL;
	if (path == NULL || strcmp(path, "-") == 0) {
		o->f = stdout;
		return 0;
	}
	o->path = xstrdup(path);
	o->tmp = xasprintf("%s.tmp.XXXXXX", path);
	fd = mkstemp(o->tmp);
	if (fd < 0 || (o->f = fdopen(fd, "w")) == NULL) {
		cli_error("%s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		free(o->path);
		free(o->tmp);
		o->path = o->tmp = NULL;
		return -1;
	}
	return 0;
}

int
cli_out_close(struct cli_out *o, int ok)
{
	int r = 0;

	if (o->f == NULL)
		return ok ? 0 : -1;
	if (o->path == NULL) {
		if (fflush(stdout) != 0 || ferror(stdout)) {
			cli_error("writing standard output: %s", strerror(errno));
			r = -1;
		}
		o->f = NULL;
		return ok ? r : -1;
	}
	if (fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0) {
		if (ok)
			cli_error("%s: %s", o->path, strerror(errno));
		ok = 0;
	}
	if (fclose(o->f) != 0 && ok) {
		cli_error("%s: %s", o->path, strerror(errno));
		ok = 0;
	}
	if (ok && chmod(o->tmp, 0644) == 0 && rename(o->tmp, o->path) != 0) {
		cli_error("%s: %s", o->path, strerror(errno));
		ok = 0;
	}
	if (!ok) {
		unlink(o->tmp);
		r = -1;
	}
	free(o->path);
	free(o->tmp);
	o->f = NULL;
	o->path = o->tmp = NULL;
	return r;
}

/*
 * cmd.h - the command layer: one cmd_<verb>.c per verb, listed in main.c.
 *
 * Only this layer prints to the user and decides the exit code; everything
 * below returns a code and a message.  Each verb takes argc/argv starting at
 * its own name and returns the process exit status.
 */
#ifndef PLUMB_CMD_H
#define PLUMB_CMD_H

#include <stdio.h>

/* Exit codes, as oscap uses them (DESIGN.md). */
enum {
	EXIT_PLUMB_OK = 0,	/* every selected control passed, waived or n/a */
	EXIT_PLUMB_ERROR = 1,	/* plumb could not do what was asked */
	EXIT_PLUMB_FINDINGS = 2,/* a control failed or could not be evaluated */
};

int cmd_scan(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_yara(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_push(int argc, char **argv);

struct config;
struct push_conf;
/* The push settings plumb.conf gives for url (strings borrowed from cfg and
 * url), shared by `plumb push` and scheduled scans. */
void cmd_push_conf(const struct config *cfg, const char *url,
		   struct push_conf *pc);

/* Prints "plumb: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "plumb <verb>: <message>" and a hint to use --help on stderr;
 * returns EXIT_PLUMB_ERROR. */
int cli_usage_error(const char *verb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The history database path: arg when given, else /var/lib/plumb/history.db
 * for root, else $XDG_STATE_HOME/plumb/history.db (~/.local/state).  The
 * caller frees. */
char *cli_db_path(const char *arg);

/* True when colour may be used on f (a TTY, NO_COLOR unset, TERM not dumb). */
int cli_color(FILE *f);

/*
 * Output to -o FILE or stdout.  cli_out_open returns the stream to write to;
 * cli_out_close commits it (for a file: written to a temporary name and
 * renamed only when everything succeeded, so nothing half-written is left)
 * or discards it when ok is 0.  Returns 0 or -1 with a message printed.
 */
struct cli_out {
	FILE *f;
	char *path;	/* NULL for stdout */
	char *tmp;
};
int cli_out_open(struct cli_out *o, const char *path);
int cli_out_close(struct cli_out *o, int ok);

#endif

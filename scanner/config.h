/*
 * config.h - plumb.conf, the settings of unattended runs (`plumb scan
 * --scheduled`, `plumb push`).
 *
 * The file is plain `key = value` lines; a line whose first non-blank
 * character is '#' is a comment, blank lines are ignored, and a value runs
 * to the end of its line (surrounding blanks trimmed, no quoting, no inline
 * comments, so a URL may hold a '#').  Every key is listed in
 * contrib/plumb.conf.example with its meaning and default.  Unknown keys,
 * keys given twice, values that do not parse and lines that are not
 * `key = value` are each reported as "file:line: message"; one such problem
 * refuses the whole file, because an unattended run must not guess.
 *
 * The file tells a root process where to send evidence and which key to
 * present, so when it is read by root it must be a regular file owned by
 * root and not writable by group or others (as sshd's StrictModes).
 */
#ifndef PLUMB_CONFIG_H
#define PLUMB_CONFIG_H

#include <stddef.h>

#include "baseline.h"
#include "util.h"

/* Where `--scheduled` and `plumb push` look when no --config is given; a
 * missing file there means the defaults. */
#define CONFIG_DEFAULT_PATH "/etc/plumb/plumb.conf"

/*
 * The settings.  Strings are NULL when not set (the command's own default
 * applies); numbers hold their default after config_init.
 */
struct config {
	char *path;		/* the file read, NULL for defaults only */
	char *baseline;		/* a baseline id or an absolute file path */
	char *owners;		/* absolute path of the owners file */
	char *tailoring;	/* absolute path of a tailoring file */
	char *db;		/* absolute path of the history database */
	char *root;		/* absolute path of the scan root */
	char *yara_rules;	/* rule files/directories, ':'-separated */
	long memory_max_mb;	/* data segment cap; 0 = none */
	long time_budget_s;	/* wall-clock budget of one scan; 0 = none */
	long nice;		/* niceness a scheduled scan lowers itself to */
	int io_idle;		/* idle I/O scheduling class */
	long lock_wait_s;	/* wait for a running scan; 0 = refuse */
	char *push_url;		/* http(s) URL scans are pushed to */
	char *push_ca_file;	/* PEM CA bundle instead of the system's */
	char *push_client_cert;	/* PEM client certificate (mTLS) */
	char *push_client_key;	/* PEM key of that certificate */
	long push_timeout_s;	/* per request, connect included */
	long push_connect_timeout_s;
	long push_attempts;	/* tries per scan and run */
};

/* Fills c with the defaults (every string NULL). */
void config_init(struct config *c);

/*
 * Parses text (len bytes, need not be NUL-terminated) named name in
 * messages into c, which holds defaults or earlier values.  Every problem
 * is added to d as "name:line: message"; returns PLUMB_EINVAL when there
 * was any (c is then partly filled: config_release it), else PLUMB_OK.
 */
int config_parse(struct config *c, const char *name, const char *text,
		 size_t len, struct diags *d);

/*
 * Reads path into *out (defaults first).  When path is NULL the default
 * path is read if it exists, else *out holds the defaults.  PLUMB_ENOENT
 * when an explicit path is missing, PLUMB_EPERM for an unsafe file read by
 * root, PLUMB_EINVAL with the lines in d for a malformed file; e always
 * says what happened.  Free with config_free.
 */
int config_load(const char *path, struct config **out, struct diags *d,
		struct errbuf *e);
void config_release(struct config *c);
void config_free(struct config *c);

#endif

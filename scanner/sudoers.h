/*
 * sudoers.h - finds the sudoers rules that let a user run commands through
 * sudo without authenticating at all, so without the second factor the
 * sudo PAM stack would ask for (reference notes 4.1.4).
 *
 * /etc/sudoers and everything it includes (@include, #include and the
 * @includedir/#includedir forms, with sudo's rules for which files of a
 * directory count) are read through the platform layer.  Two things skip
 * authentication: a NOPASSWD tag on a command, and "!authenticate" in a
 * Defaults line.  Nothing is evaluated against users or hosts: every rule
 * is reported with the users it names, and whether it covers every command
 * (ALL, or a Cmnd_Alias that holds ALL).
 */
#ifndef PLUMB_SUDOERS_H
#define PLUMB_SUDOERS_H

#include <jansson.h>

#include "plat.h"
#include "util.h"

/*
 * Reads the sudoers file at path (root-relative, normally /etc/sudoers)
 * into facts: {file, present, files: [...], skips: [{file, line, kind:
 * "nopasswd"|"!authenticate", who, commands, all}], notes: [...]}.  who is
 * the rule's user list, or for Defaults the binding's users ("ALL" for a
 * plain Defaults) or its "@host", ">runas" or "!command" as written;
 * commands the commands the tag covers as written; all is true
 * when they include every command.  A missing file gives present: false;
 * an included file that cannot be read is named in notes.  Errors reading
 * path itself are returned.
 */
int sudoers_read(const struct plat_root *r, const char *path, json_t **facts,
		 struct errbuf *e);

#endif

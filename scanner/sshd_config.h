/*
 * sshd_config.h - the effective sshd configuration, computed as OpenSSH's
 * sshd (9.x, as Debian builds it) computes it.
 *
 * sshd_config_read walks the configuration and everything it includes
 * (Include globs in lexical order at the point of inclusion, relative
 * patterns under /etc/ssh) through the platform layer and records each
 * directive line with the Match block it belongs to.  sshd_config_effective
 * then applies sshd's two passes over those facts, without touching the
 * host: the first pass takes the first value of every keyword outside Match
 * blocks (and inside "Match all"), the second takes the values of the Match
 * blocks the connection satisfies and lets them override the first, and
 * keywords never set keep sshd's compiled-in defaults.  Every value carries
 * the file:line it came from.
 */
#ifndef PLUMB_SSHD_CONFIG_H
#define PLUMB_SSHD_CONFIG_H

#include <jansson.h>

#include "plat.h"
#include "util.h"

/* The connection a Match block is tested against, as "sshd -T -C" takes
 * it; NULL members (and lport -1) are not given, so criteria on them do
 * not match. */
struct sshd_conn {
	const char *user;
	const char *host;
	const char *addr;
	const char *laddr;
	const char *rdomain;
	int lport;
};

/*
 * Parses a "-C" specification ("user=root,host=h,addr=10.0.0.1,laddr=...,
 * lport=22,rdomain=..."); the strings point into *buf, which the caller
 * frees.  PLUMB_EPARSE names the bad part.
 */
int sshd_conn_parse(const char *spec, struct sshd_conn *c, char **buf,
		    struct errbuf *e);

/*
 * Reads the configuration at path (root-relative) and its includes into
 * facts: {config, present, files: [...], lines: [{key, value, file, line,
 * block}], blocks: [{criteria, attrs: [[name, arg]...], file, line,
 * parent}], unknown: [{keyword, file, line}], errors: ["file:line: ..."],
 * notes: [...]}.  key is the keyword sshd sets (lower case, aliases
 * resolved); block is the index of the Match block a line is in or -1;
 * parent is the block in effect where a block's file was included.  errors
 * are what would make sshd refuse the configuration; unknown keywords are
 * listed but tolerated.  A missing configuration gives present: false.
 * Read failures of the files themselves return an error.
 */
int sshd_config_read(const struct plat_root *r, const char *path,
		     json_t **facts, struct errbuf *e);

/*
 * The effective configuration for conn (NULL: as "sshd -T" without -C,
 * where only "Match all" applies): {keyword: {value, file, line, default,
 * match?}} for every keyword set or having a default.  value is normalised
 * as sshd prints it, except that PermitRootLogin's without-password reads
 * prohibit-password.  match names the Match block a value came from.
 */
int sshd_config_effective(const json_t *facts, const struct sshd_conn *conn,
			  json_t **eff, struct errbuf *e);

/*
 * As sshd_config_effective, with the criteria of block i taken as satisfied
 * when sel[i] is non-zero ("Match all" always is, and a block inside an
 * unsatisfied block never applies).  sel has one byte per block.
 */
int sshd_config_effective_sel(const json_t *facts, const unsigned char *sel,
			      json_t **eff, struct errbuf *e);

/*
 * Whether one connection could satisfy the criteria of every block with a
 * non-zero sel[i] together: 0 when two of them provably exclude each other
 * (a User, Host, RDomain, Address or LocalAddress list of plain names or
 * addresses, none of which the other block's list for the same criterion
 * matches; two different LocalPorts), else 1.  Wildcards, CIDR ranges and
 * Group are taken as possibly overlapping.
 */
int sshd_config_sel_possible(const json_t *facts, const unsigned char *sel);

/* The keyword sshd sets for kw (any case, aliases resolved: "ChallengeRes
 * ponseAuthentication" gives "kbdinteractiveauthentication"), or NULL when
 * sshd does not know it. */
const char *sshd_keyword(const char *kw);

/* True when the keyword's value is a number (MaxAuthTries, LoginGraceTime
 * in seconds, ...). */
int sshd_keyword_numeric(const char *key);

/*
 * Normalises a value for key as sshd would read it (yes/no in any case,
 * without-password as prohibit-password, times in seconds, ...).  Returns a
 * new string, or NULL when sshd would reject the value.
 */
char *sshd_value_normalize(const char *key, const char *value);

#endif

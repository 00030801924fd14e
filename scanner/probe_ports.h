/*
 * probe_ports.h - the "ports" probe and the listening-ports check type,
 * and the parsers unit tests reach directly.
 */
#ifndef PLUMB_PROBE_PORTS_H
#define PLUMB_PROBE_PORTS_H

#include <stddef.h>

#include "probe.h"
#include "util.h"

extern const struct probe probe_ports;
extern const struct check_type check_listening_ports;

enum ports_proto {
	PORTS_TCP = 1,
	PORTS_UDP = 2,
};

/* One listening socket from a /proc/net table. */
struct ports_sock {
	enum ports_proto proto;
	int family;			/* 4 or 6 (the socket's family) */
	unsigned char addr[16];		/* network order; IPv4 in addr[0..3] */
	unsigned port;
	unsigned long long inode;
};

/*
 * Parses one /proc/net/{tcp,tcp6,udp,udp6} table (NUL-terminated text;
 * name is used in "name:line: ..." messages) and appends the listening
 * sockets to *socks (grown with xreallocarray; the caller frees): TCP in
 * state 0A (LISTEN) and UDP in state 07 (bound, unconnected), which is the
 * set `ss -tuln` prints.  Fails with PLUMB_EPARSE on a malformed line and
 * PLUMB_ELIMIT when *n would pass max.
 */
int ports_parse_table(const char *text, const char *name,
		      enum ports_proto proto, int family,
		      struct ports_sock **socks, size_t *n, size_t max,
		      struct errbuf *e);

/* The address as inet_ntop writes it ("0.0.0.0", "::", "::ffff:1.2.3.4"). */
void ports_addr_text(int family, const unsigned char addr[16], char *buf,
		     size_t size);
/* Bound to loopback only: 127.0.0.0/8, ::1, ::ffff:127.0.0.0/104. */
int ports_addr_loopback(int family, const unsigned char addr[16]);
/* Bound to every interface: 0.0.0.0, ::, ::ffff:0.0.0.0. */
int ports_addr_any(int family, const unsigned char addr[16]);

/*
 * An allow rule: PROTO/PORT[-PORT][@SCOPE][:PROCESS] where PROTO is tcp,
 * udp, tcp4, tcp6, udp4, udp6 or *, PORT a number or *, SCOPE loopback,
 * any (bound to every interface), an IPv4 address or a [bracketed] IPv6
 * address, and PROCESS a process name (comm) or an absolute exe path.
 * Without @SCOPE every bind address matches; without :PROCESS every owner.
 */
struct ports_rule {
	int proto;		/* 0 = both, else enum ports_proto */
	int family;		/* 0 = both, 4 or 6 */
	unsigned lo, hi;	/* port range, inclusive */
	enum {
		PORTS_SCOPE_ALL,
		PORTS_SCOPE_LOOPBACK,
		PORTS_SCOPE_ANY,
		PORTS_SCOPE_ADDR,
	} scope;
	int addr_family;	/* of addr, for PORTS_SCOPE_ADDR */
	unsigned char addr[16];
	char process[256];	/* "" = any owner */
};

int ports_rule_parse(const char *text, struct ports_rule *r,
		     struct errbuf *e);
/* Whether the rule covers a listener; process and exe may be NULL. */
int ports_rule_match(const struct ports_rule *r, enum ports_proto proto,
		     int family, const unsigned char addr[16], unsigned port,
		     const char *process, const char *exe);

#endif

/*
 * probe_ports.c - the "ports" probe and the listening-ports check type.
 *
 * The probe reads proc/net/{tcp,tcp6,udp,udp6} under the scan root and
 * keeps the sockets `ss -tuln` lists: TCP in LISTEN (state 0A) and UDP in
 * state 07 (bound and unconnected; ss prints it UNCONN).  A UDP socket in
 * state 07 always has a zero remote address (connect() moves it to 01 and
 * disconnecting clears the peer), so the remote address is checked for
 * form only and the set equals ss's.  Owners are found as ss -p finds
 * them: every link in proc/<pid>/fd that reads "socket:[<inode>]", pids in
 * ascending order so a forking server is named by its parent, with bounded
 * pid and link counts.  Only the reader's network namespace is seen.
 *
 * Facts: {listening: [{proto, family, address, port, inode, pid, process,
 * exe}], owners_complete: bool, tables_missing: [...]}, sorted by protocol,
 * port, family and address.  The judge matches them against the check's
 * allow rules (syntax in probe_ports.h and the parameter help).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "plumb_limits.h"
#include "plat.h"
#include "probe.h"
#include "probe_ports.h"
#include "util.h"

/* TCP states (include/net/tcp_states.h). */
#define PORTS_ST_LISTEN 0x0A
#define PORTS_ST_CLOSE 0x07

/* Parses exactly n hex digits at s into *v (n <= 8). */
static int
ports_hex(const char *s, size_t n, uint32_t *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return -1;
		*v = (*v << 4) | (uint32_t)d;
	}
	return 0;
}

/*
 * Parses "ADDR:PORT" as the kernel prints it: the address is the __be32
 * (or the four __be32 words of an in6_addr) printed as a native integer,
 * so each 8-digit group is read as a u32 and stored back unchanged; the
 * port is already in host order.
 */
static int
ports_endpoint(const char *f, size_t n, int family, unsigned char addr[16],
	       unsigned *port)
{
	size_t alen = family == 4 ? 8 : 32, i;
	uint32_t w;

	if (n != alen + 5 || f[alen] != ':')
		return -1;
	memset(addr, 0, 16);
	for (i = 0; i < alen / 8; i++) {
		if (ports_hex(f + 8 * i, 8, &w) != 0)
			return -1;
		memcpy(addr + 4 * i, &w, 4);
	}
	if (ports_hex(f + alen + 1, 4, &w) != 0)
		return -1;
	*port = (unsigned)w;
	return 0;
}

int
ports_parse_table(const char *text, const char *name, enum ports_proto proto,
		  int family, struct ports_sock **socks, size_t *n, size_t max,
		  struct errbuf *e)
{
	const char *p = text;
	size_t cap = *n;
	int lineno = 0;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n'), *line = p;
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		const char *f[10];
		size_t fl[10], nf = 0, i = 0;
		unsigned char laddr[16], raddr[16];
		unsigned lport, rport;
		uint32_t st;
		unsigned long long inode = 0;

		p += len + (nl != NULL ? 1 : 0);
		lineno++;
		while (i < len) {
			size_t s;

			while (i < len && (line[i] == ' ' || line[i] == '\t'))
				i++;
			if (i == len)
				break;
			s = i;
			while (i < len && line[i] != ' ' && line[i] != '\t')
				i++;
			if (nf < 10) {
				f[nf] = line + s;
				fl[nf] = i - s;
			}
			nf++;
		}
		if (lineno == 1) {
			if (nf == 0 || fl[0] != 2 || strncmp(f[0], "sl", 2) != 0)
				return err_set(e, PLUMB_EPARSE, "%s:1: not a "
					       "/proc/net socket table header",
					       name);
			continue;
		}
		if (nf == 0)
			continue;
		if (nf < 10)
			return err_set(e, PLUMB_EPARSE, "%s:%d: %zu fields, "
				       "expected at least 10", name, lineno,
				       nf);
		if (ports_endpoint(f[1], fl[1], family, laddr, &lport) != 0)
			return err_set(e, PLUMB_EPARSE, "%s:%d: local address "
				       "is not %s:PORT in hex", name, lineno,
				       family == 4 ? "8 hex digits" :
				       "32 hex digits");
		if (ports_endpoint(f[2], fl[2], family, raddr, &rport) != 0)
			return err_set(e, PLUMB_EPARSE, "%s:%d: remote address "
				       "is not %s:PORT in hex", name, lineno,
				       family == 4 ? "8 hex digits" :
				       "32 hex digits");
		if (fl[3] != 2 || ports_hex(f[3], 2, &st) != 0)
			return err_set(e, PLUMB_EPARSE, "%s:%d: state is not "
				       "two hex digits", name, lineno);
		for (i = 0; i < fl[9]; i++) {
			if (!isdigit((unsigned char)f[9][i]) || i >= 19)
				return err_set(e, PLUMB_EPARSE, "%s:%d: inode "
					       "is not a decimal number",
					       name, lineno);
			inode = inode * 10 + (unsigned)(f[9][i] - '0');
		}
		if (!(proto == PORTS_TCP && st == PORTS_ST_LISTEN) &&
		    !(proto == PORTS_UDP && st == PORTS_ST_CLOSE))
			continue;
		if (*n >= max)
			return err_set(e, PLUMB_ELIMIT, "%s:%d: more than %zu "
				       "listening sockets", name, lineno, max);
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*socks = xreallocarray(*socks, cap, sizeof(**socks));
		}
		(*socks)[*n].proto = proto;
		(*socks)[*n].family = family;
		memcpy((*socks)[*n].addr, laddr, 16);
		(*socks)[*n].port = lport;
		(*socks)[*n].inode = inode;
		(*n)++;
	}
	if (lineno == 0)
		return err_set(e, PLUMB_EPARSE, "%s: empty, not a /proc/net "
			       "socket table", name);
	return PLUMB_OK;
}

static int
ports_v4_mapped(const unsigned char a[16])
{
	static const unsigned char pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					       0xff, 0xff };

	return memcmp(a, pfx, 12) == 0;
}

void
ports_addr_text(int family, const unsigned char addr[16], char *buf,
		size_t size)
{
	if (inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf,
		      (socklen_t)size) == NULL && size > 0)
		buf[0] = '\0';
}

int
ports_addr_loopback(int family, const unsigned char addr[16])
{
	static const unsigned char lo6[16] = { [15] = 1 };

	if (family == 4)
		return addr[0] == 127;
	if (memcmp(addr, lo6, 16) == 0)
		return 1;
	return ports_v4_mapped(addr) && addr[12] == 127;
}

int
ports_addr_any(int family, const unsigned char addr[16])
{
	static const unsigned char zero[16];

	if (family == 4)
		return memcmp(addr, zero, 4) == 0;
	if (memcmp(addr, zero, 16) == 0)
		return 1;
	return ports_v4_mapped(addr) && memcmp(addr + 12, zero, 4) == 0;
}

/* ---- owners ----------------------------------------------------------- */

struct ports_owner {
	int pid;		/* 0: not found */
	char *process;
	char *exe;
};

struct ports_ino {
	unsigned long long inode;
	size_t idx;
};

static int
ports_ino_cmp(const void *a, const void *b)
{
	const struct ports_ino *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int
ports_int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* The entry for inode in idx (sorted by inode; inodes are unique). */
static const struct ports_ino *
ports_ino_find(const struct ports_ino *idx, size_t n, unsigned long long ino)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (idx[mid].inode < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && idx[lo].inode == ino ? &idx[lo] : NULL;
}

/* Sets the owners of every socket whose inode a process links to. */
static void
ports_find_owners(const struct plat_root *r, const struct ports_sock *s,
		  size_t n, struct ports_owner *own, int *complete)
{
	struct ports_ino *idx = xcalloc(n + 1, sizeof(*idx));
	char **ents = NULL;
	int *pids = NULL;
	size_t nents = 0, npids = 0, nidx = 0, left, links = 0, i, j;

	*complete = 1;
	for (i = 0; i < n; i++) {
		if (s[i].inode == 0)
			continue;
		idx[nidx].inode = s[i].inode;
		idx[nidx].idx = i;
		nidx++;
	}
	left = nidx;
	if (nidx == 0)
		goto out;
	qsort(idx, nidx, sizeof(*idx), ports_ino_cmp);
	if (plat_list(r, "proc", &ents, &nents, NULL) != PLUMB_OK) {
		*complete = 0;
		goto out;
	}
	pids = xcalloc(nents + 1, sizeof(*pids));
	for (i = 0; i < nents; i++) {
		long long v;

		if (parse_ll(ents[i], 1, INT32_MAX, &v) == PLUMB_OK)
			pids[npids++] = (int)v;
	}
	qsort(pids, npids, sizeof(*pids), ports_int_cmp);
	if (npids > PLUMB_PROC_PIDS_MAX) {
		npids = PLUMB_PROC_PIDS_MAX;
		*complete = 0;
	}
	for (i = 0; i < npids && left > 0; i++) {
		char *dir = xasprintf("proc/%d/fd", pids[i]);
		char **fds = NULL, *comm = NULL, *exe = NULL;
		size_t nfds = 0;
		int got = 0, lrc;

		lrc = plat_list(r, dir, &fds, &nfds, NULL);
		if (lrc != PLUMB_OK) {
			/* A process that exited since the listing owns
			 * nothing; one we may not read (no CAP_SYS_PTRACE)
			 * or with too many descriptors leaves owners
			 * unknown, and the facts say so. */
			if (lrc != PLUMB_ENOENT)
				*complete = 0;
			free(dir);
			continue;
		}
		for (j = 0; j < nfds && left > 0; j++) {
			char *link, *target = NULL;
			unsigned long long ino = 0;
			const struct ports_ino *hit;
			size_t k;

			if (links++ >= PLUMB_PROC_FDLINKS_MAX) {
				*complete = 0;
				break;
			}
			link = xasprintf("%s/%s", dir, fds[j]);
			if (plat_readlink(r, link, &target, NULL) != PLUMB_OK) {
				free(link);
				continue;
			}
			free(link);
			if (strncmp(target, "socket:[", 8) != 0) {
				free(target);
				continue;
			}
			for (k = 8; isdigit((unsigned char)target[k]) && k < 28;
			     k++)
				ino = ino * 10 + (unsigned)(target[k] - '0');
			free(target);
			hit = ports_ino_find(idx, nidx, ino);
			if (hit == NULL || own[hit->idx].pid != 0)
				continue;
			if (!got) {
				char *p = xasprintf("proc/%d/comm", pids[i]);
				size_t cl;

				got = 1;
				if (plat_read_text(r, p, PLUMB_SYSFS_ATTR_MAX,
						   &comm, &cl, NULL) == PLUMB_OK) {
					while (cl > 0 && comm[cl - 1] == '\n')
						comm[--cl] = '\0';
				}
				free(p);
				p = xasprintf("proc/%d/exe", pids[i]);
				(void)plat_readlink(r, p, &exe, NULL);
				free(p);
			}
			own[hit->idx].pid = pids[i];
			own[hit->idx].process = comm ? xstrdup(comm) : NULL;
			own[hit->idx].exe = exe ? xstrdup(exe) : NULL;
			left--;
		}
		free(comm);
		free(exe);
		plat_list_free(fds, nfds);
		free(dir);
		if (links > PLUMB_PROC_FDLINKS_MAX)
			break;
	}
out:
	plat_list_free(ents, nents);
	free(pids);
	free(idx);
}

/* ---- the probe -------------------------------------------------------- */

struct ports_sorted {
	const struct ports_sock *s;
	const struct ports_owner *o;
};

static int
ports_sock_cmp(const void *a, const void *b)
{
	const struct ports_sorted *x = a, *y = b;

	if (x->s->proto != y->s->proto)
		return x->s->proto < y->s->proto ? -1 : 1;
	if (x->s->port != y->s->port)
		return x->s->port < y->s->port ? -1 : 1;
	if (x->s->family != y->s->family)
		return x->s->family < y->s->family ? -1 : 1;
	if (memcmp(x->s->addr, y->s->addr, 16) != 0)
		return memcmp(x->s->addr, y->s->addr, 16);
	return x->s->inode < y->s->inode ? -1 : x->s->inode > y->s->inode;
}

static int
ports_collect(const struct probe_ctx *ctx, const char *subject,
	      json_t **facts, struct errbuf *e)
{
	static const struct {
		const char *path;
		enum ports_proto proto;
		int family;
		int required;
	} tables[] = {
		{ "proc/net/tcp", PORTS_TCP, 4, 1 },
		{ "proc/net/tcp6", PORTS_TCP, 6, 0 },
		{ "proc/net/udp", PORTS_UDP, 4, 1 },
		{ "proc/net/udp6", PORTS_UDP, 6, 0 },
	};
	struct ports_sock *socks = NULL;
	struct ports_owner *own = NULL;
	struct ports_sorted *sorted = NULL;
	json_t *f = NULL, *list, *missing;
	size_t n = 0, i;
	int rc = PLUMB_OK, complete;

	(void)subject;
	*facts = NULL;
	missing = json_array();
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		char *text = NULL, *name = xasprintf("/%s", tables[i].path);

		rc = plat_read_text(ctx->root, tables[i].path,
				    PLUMB_PROC_TABLE_MAX, &text, NULL, e);
		if (rc == PLUMB_ENOENT && !tables[i].required) {
			/* IPv6 disabled: no tcp6/udp6 tables. */
			json_array_append_new(missing, json_string(name));
			free(name);
			rc = PLUMB_OK;
			continue;
		}
		if (rc == PLUMB_ENOENT) {
			rc = err_set(e, PLUMB_ENOENT, "no %s under the root: "
				     "listening sockets can be read only from "
				     "a running system", name);
			free(name);
			goto out;
		}
		if (rc == PLUMB_OK)
			rc = ports_parse_table(text, name, tables[i].proto,
					       tables[i].family, &socks, &n,
					       PLUMB_LISTENERS_MAX, e);
		free(text);
		free(name);
		if (rc != PLUMB_OK)
			goto out;
	}
	own = xcalloc(n + 1, sizeof(*own));
	ports_find_owners(ctx->root, socks, n, own, &complete);
	sorted = xcalloc(n + 1, sizeof(*sorted));
	for (i = 0; i < n; i++) {
		sorted[i].s = &socks[i];
		sorted[i].o = &own[i];
	}
	qsort(sorted, n, sizeof(*sorted), ports_sock_cmp);
	f = json_object();
	list = json_array();
	for (i = 0; i < n; i++) {
		const struct ports_sock *s = sorted[i].s;
		const struct ports_owner *o = sorted[i].o;
		char addr[INET6_ADDRSTRLEN];
		json_t *l = json_object();

		ports_addr_text(s->family, s->addr, addr, sizeof(addr));
		json_object_set_new(l, "proto", json_string(
					    s->proto == PORTS_TCP ? "tcp" :
					    "udp"));
		json_object_set_new(l, "family", json_integer(s->family));
		json_object_set_new(l, "address", json_string(addr));
		json_object_set_new(l, "port", json_integer(s->port));
		json_object_set_new(l, "inode", json_integer(
					    (json_int_t)s->inode));
		json_object_set_new(l, "pid", o->pid ? json_integer(o->pid) :
				    json_null());
		json_object_set_new(l, "process", json_host_str(o->process));
		json_object_set_new(l, "exe", json_host_str(o->exe));
		json_array_append_new(list, l);
	}
	json_object_set_new(f, "listening", list);
	json_object_set_new(f, "owners_complete", json_boolean(complete));
	json_object_set_new(f, "tables_missing", missing);
	missing = NULL;
	*facts = f;
out:
	json_decref(missing);
	if (own != NULL)
		for (i = 0; i < n; i++) {
			free(own[i].process);
			free(own[i].exe);
		}
	free(own);
	free(sorted);
	free(socks);
	return rc;
}

const struct probe probe_ports = {
	.name = "ports",
	.collect = ports_collect,
};

/* ---- allow rules ------------------------------------------------------- */

static int
ports_port(const char *s, size_t n, unsigned *v)
{
	size_t i;

	if (n == 0 || n > 5)
		return -1;
	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return *v <= 65535 ? 0 : -1;
}

int
ports_rule_parse(const char *text, struct ports_rule *r, struct errbuf *e)
{
	static const struct {
		const char *name;
		int proto, family;
	} protos[] = {
		{ "tcp", PORTS_TCP, 0 }, { "udp", PORTS_UDP, 0 },
		{ "tcp4", PORTS_TCP, 4 }, { "tcp6", PORTS_TCP, 6 },
		{ "udp4", PORTS_UDP, 4 }, { "udp6", PORTS_UDP, 6 },
		{ "*", 0, 0 },
	};
	const char *slash = strchr(text, '/'), *p, *end, *dash;
	size_t i, n;

	memset(r, 0, sizeof(*r));
	if (slash == NULL)
		return err_set(e, PLUMB_EINVAL, "allow rule \"%s\": expected "
			       "PROTO/PORT", text);
	n = (size_t)(slash - text);
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (strlen(protos[i].name) == n &&
		    strncmp(protos[i].name, text, n) == 0)
			break;
	if (i == sizeof(protos) / sizeof(protos[0]))
		return err_set(e, PLUMB_EINVAL, "allow rule \"%s\": protocol "
			       "is not tcp, udp, tcp4, tcp6, udp4, udp6 or *",
			       text);
	r->proto = protos[i].proto;
	r->family = protos[i].family;
	p = slash + 1;
	end = p + strcspn(p, "@:");
	if (end - p == 1 && *p == '*') {
		r->lo = 0;
		r->hi = 65535;
	} else if ((dash = memchr(p, '-', (size_t)(end - p))) != NULL) {
		if (ports_port(p, (size_t)(dash - p), &r->lo) != 0 ||
		    ports_port(dash + 1, (size_t)(end - dash - 1), &r->hi) != 0
		    || r->lo > r->hi)
			return err_set(e, PLUMB_EINVAL, "allow rule \"%s\": "
				       "port range is not LOW-HIGH within "
				       "0-65535", text);
	} else {
		if (ports_port(p, (size_t)(end - p), &r->lo) != 0)
			return err_set(e, PLUMB_EINVAL, "allow rule \"%s\": "
				       "port is not a number within 0-65535 "
				       "or *", text);
		r->hi = r->lo;
	}
	p = end;
	if (*p == '@') {
		char addr[INET6_ADDRSTRLEN + 1];

		p++;
		if (*p == '[') {
			end = strchr(p, ']');
			if (end == NULL)
				return err_set(e, PLUMB_EINVAL, "allow rule "
					       "\"%s\": '[' without ']'", text);
			n = (size_t)(end - p - 1);
			if (n >= sizeof(addr))
				n = sizeof(addr) - 1;
			memcpy(addr, p + 1, n);
			addr[n] = '\0';
			if (inet_pton(AF_INET6, addr, r->addr) != 1)
				return err_set(e, PLUMB_EINVAL, "allow rule "
					       "\"%s\": \"%s\" is not an IPv6 "
					       "address", text, addr);
			r->scope = PORTS_SCOPE_ADDR;
			r->addr_family = 6;
			end++;
		} else {
			end = p + strcspn(p, ":");
			n = (size_t)(end - p);
			if (n >= sizeof(addr))
				n = sizeof(addr) - 1;
			memcpy(addr, p, n);
			addr[n] = '\0';
			if (strcmp(addr, "loopback") == 0) {
				r->scope = PORTS_SCOPE_LOOPBACK;
			} else if (strcmp(addr, "any") == 0) {
				r->scope = PORTS_SCOPE_ANY;
			} else if (inet_pton(AF_INET, addr, r->addr) == 1) {
				r->scope = PORTS_SCOPE_ADDR;
				r->addr_family = 4;
			} else {
				return err_set(e, PLUMB_EINVAL, "allow rule "
					       "\"%s\": scope \"%s\" is not "
					       "loopback, any, an IPv4 address "
					       "or a [bracketed] IPv6 address",
					       text, addr);
			}
		}
		p = end;
	}
	if (*p == ':') {
		p++;
		if (*p == '\0' || strlen(p) >= sizeof(r->process))
			return err_set(e, PLUMB_EINVAL, "allow rule \"%s\": "
				       "empty or overlong process name", text);
		memcpy(r->process, p, strlen(p) + 1);
		p += strlen(p);
	}
	if (*p != '\0')
		return err_set(e, PLUMB_EINVAL, "allow rule \"%s\": unexpected "
			       "\"%s\"", text, p);
	return PLUMB_OK;
}

int
ports_rule_match(const struct ports_rule *r, enum ports_proto proto,
		 int family, const unsigned char addr[16], unsigned port,
		 const char *process, const char *exe)
{
	if (r->proto != 0 && r->proto != (int)proto)
		return 0;
	if (r->family != 0 && r->family != family)
		return 0;
	if (port < r->lo || port > r->hi)
		return 0;
	switch (r->scope) {
	case PORTS_SCOPE_ALL:
		break;
	case PORTS_SCOPE_LOOPBACK:
		if (!ports_addr_loopback(family, addr))
			return 0;
		break;
	case PORTS_SCOPE_ANY:
		if (!ports_addr_any(family, addr))
			return 0;
		break;
	case PORTS_SCOPE_ADDR:
		if (r->addr_family == 4) {
			/* An IPv6 socket bound to ::ffff:a.b.c.d is bound
			 * to that IPv4 address. */
			const unsigned char *a = addr;

			if (family == 6) {
				if (!ports_v4_mapped(addr))
					return 0;
				a = addr + 12;
			}
			if (memcmp(a, r->addr, 4) != 0)
				return 0;
		} else if (family != 6 || memcmp(addr, r->addr, 16) != 0) {
			return 0;
		}
		break;
	}
	if (r->process[0] == '/')
		return exe != NULL && strcmp(exe, r->process) == 0;
	if (r->process[0] != '\0')
		return process != NULL && strcmp(process, r->process) == 0;
	return 1;
}

/* ---- the check type ----------------------------------------------------- */

static const struct check_param_spec ports_params[] = {
	{ "allow", CHECK_PARAM_STRING, CHECK_PARAM_MULTI,
	  "an allowed listener, PROTO/PORT[-PORT][@SCOPE][:PROCESS] (repeatable): "
	  "PROTO tcp, udp, tcp4, tcp6, udp4, udp6 or *; PORT a number, a range "
	  "or *; SCOPE loopback, any (bound to all interfaces), an IPv4 "
	  "address or a [bracketed] IPv6 address, every bind address when "
	  "omitted; PROCESS the process name (comm) or an absolute exe path. "
	  "E.g. tcp/22, tcp/631@loopback, udp/68:dhclient, "
	  "tcp/8000-8100@any:python3" },
	{ "allow_loopback", CHECK_PARAM_BOOL, 0,
	  "listeners bound to 127.0.0.0/8 or ::1 are allowed without a rule "
	  "(default true)" },
	{ "deny_any", CHECK_PARAM_BOOL, 0,
	  "a listener on all interfaces (0.0.0.0, ::) needs an allow rule "
	  "(default true); false tolerates them, leaving listeners on specific "
	  "non-loopback addresses to the rules" },
	{ NULL, 0, 0, NULL }
};

static int
ports_validate(const struct check *chk, struct errbuf *e)
{
	struct ports_rule r;
	size_t i;

	for (i = 0; i < chk->nparams; i++)
		if (strcmp(chk->params[i].name, "allow") == 0 &&
		    ports_rule_parse(chk->params[i].value, &r, e) != PLUMB_OK)
			return err_prefix(e, PLUMB_EINVAL, "line %d",
					  chk->params[i].line);
	return PLUMB_OK;
}

/* "tcp 0.0.0.0:22 (sshd)" for messages. */
static char *
ports_listener_text(const json_t *l)
{
	const char *proto = json_string_value(json_object_get(l, "proto"));
	const char *addr = json_string_value(json_object_get(l, "address"));
	const char *proc = json_string_value(json_object_get(l, "process"));
	json_int_t fam = json_integer_value(json_object_get(l, "family"));
	json_int_t port = json_integer_value(json_object_get(l, "port"));

	return xasprintf("%s %s%s%s:%lld (%s)", proto != NULL ? proto : "?",
			 fam == 6 ? "[" : "", addr != NULL ? addr : "?",
			 fam == 6 ? "]" : "", (long long)port,
			 proc != NULL ? proc : "owner unknown");
}

static void
ports_judge(const json_t *facts, const struct check *chk,
	    const struct probe_ctx *ctx, struct check_outcome *out)
{
	int allow_lo = check_param_bool(chk, "allow_loopback", 1);
	int deny_any = check_param_bool(chk, "deny_any", 1);
	const json_t *listening = json_object_get(facts, "listening");
	struct ports_rule *rules = NULL;
	const char **rule_text = NULL;
	size_t nrules = 0, i, j, bad = 0, total;
	json_t *ev = json_object(), *list = json_array(), *denied = json_array();
	json_t *l;
	struct errbuf e;
	struct dynbuf msg;

	(void)ctx;
	rules = xcalloc(chk->nparams + 1, sizeof(*rules));
	rule_text = xcalloc(chk->nparams + 1, sizeof(*rule_text));
	for (i = 0; i < chk->nparams; i++) {
		if (strcmp(chk->params[i].name, "allow") != 0)
			continue;
		if (ports_rule_parse(chk->params[i].value, &rules[nrules], &e)
		    != PLUMB_OK) {
			check_outcome_set(out, STATUS_ERROR, "%s", e.msg);
			goto out;
		}
		rule_text[nrules++] = chk->params[i].value;
	}
	total = json_array_size(listening);
	json_array_foreach(listening, i, l) {
		const char *proto = json_string_value(json_object_get(l,
								      "proto"));
		const char *addr = json_string_value(json_object_get(l,
								     "address"));
		const char *proc = json_string_value(json_object_get(l,
								     "process"));
		const char *exe = json_string_value(json_object_get(l, "exe"));
		int fam = (int)json_integer_value(json_object_get(l, "family"));
		unsigned port = (unsigned)json_integer_value(
			json_object_get(l, "port"));
		enum ports_proto p = proto != NULL && strcmp(proto, "udp") == 0
			? PORTS_UDP : PORTS_TCP;
		unsigned char a[16];
		const char *why = NULL;
		json_t *c;

		memset(a, 0, sizeof(a));
		if (addr == NULL || inet_pton(fam == 6 ? AF_INET6 : AF_INET,
					      addr, a) != 1) {
			check_outcome_set(out, STATUS_ERROR, "listener %zu in the "
					  "facts has no valid address", i);
			goto out;
		}
		for (j = 0; j < nrules && why == NULL; j++)
			if (ports_rule_match(&rules[j], p, fam, a, port, proc,
					     exe))
				why = rule_text[j];
		if (why == NULL && allow_lo && ports_addr_loopback(fam, a))
			why = "allow_loopback";
		if (why == NULL && !deny_any && ports_addr_any(fam, a))
			why = "deny_any=false";
		if (why == NULL) {
			char *t = ports_listener_text(l);

			bad++;
			if (json_array_size(denied) < PLUMB_EVIDENCE_ITEMS_MAX)
				json_array_append_new(denied, json_host_str(t));
			free(t);
		}
		if (json_array_size(list) >= PLUMB_EVIDENCE_ITEMS_MAX)
			continue;
		c = json_deep_copy(l);
		/* Inodes change at every restart; they would make every scan
		 * differ from the last. */
		json_object_del(c, "inode");
		json_object_set_new(c, "allowed", json_boolean(why != NULL));
		json_object_set_new(c, "rule", why != NULL ? json_string(why) :
				    json_null());
		json_array_append_new(list, c);
	}
	json_object_set_new(ev, "listening", list);
	list = NULL;
	if (total > PLUMB_EVIDENCE_ITEMS_MAX)
		json_object_set_new(ev, "truncated", json_true());
	json_object_set(ev, "owners_complete",
			json_object_get(facts, "owners_complete"));
	if (json_array_size(json_object_get(facts, "tables_missing")) > 0)
		json_object_set(ev, "tables_missing",
				json_object_get(facts, "tables_missing"));
	json_object_set_new(ev, "not_allowed", denied);
	denied = NULL;
	if (bad == 0) {
		check_outcome_set(out, STATUS_PASS, "%zu listening socket%s, all "
				  "allowed", total, total == 1 ? "" : "s");
		goto out;
	}
	dynbuf_init(&msg, PLUMB_ERRMSG_MAX);
	json_array_foreach(json_object_get(ev, "not_allowed"), i, l) {
		if (i == 5) {
			(void)dynbuf_printf(&msg, " and %zu more", bad - 5);
			break;
		}
		(void)dynbuf_printf(&msg, "%s%s", i ? ", " : "",
				    json_string_value(l));
	}
	check_outcome_set(out, STATUS_FAIL, "%zu of %zu listening socket%s not "
			  "allowed: %s", bad, total, total == 1 ? "" : "s",
			  msg.data != NULL ? msg.data : "");
	dynbuf_release(&msg);
out:
	json_decref(list);
	json_decref(denied);
	free(rules);
	free(rule_text);
	out->evidence = ev;
}

const struct check_type check_listening_ports = {
	.name = "listening-ports",
	.summary = "every listening TCP and bound UDP socket is allowed by "
		"port, protocol, bind address and process",
	.probe = &probe_ports,
	.params = ports_params,
	.subject = NULL,
	.validate = ports_validate,
	.judge = ports_judge,
};

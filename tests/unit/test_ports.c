/*
 * test_ports.c - the ports probe and the listening-ports check type:
 * /proc/net table parsing (IPv4, IPv6, IPv4-mapped, states, malformed
 * lines, caps), address classes, allow-rule syntax and matching, and the
 * probe and judge over tests/fixtures/ports-basic.
 *
 * The tables are written as a little-endian kernel prints them (each
 * 32-bit address word in native order), as on every machine CI runs.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "baseline.h"
#include "plat.h"
#include "probe.h"
#include "probe_ports.h"
#include "util.h"

#define HDR4 "  sl  local_address rem_address   st tx_queue rx_queue tr " \
	"tm->when retrnsmt   uid  timeout inode\n"
#define HDR6 "  sl  local_address                         remote_address" \
	"                        st tx_queue rx_queue tr tm->when retrnsmt" \
	"   uid  timeout inode\n"
#define TAIL " 00000000:00000000 00:00000000 00000000     0        0 "

static const char *
top(void)
{
	const char *t = getenv("PLUMB_TOP");

	return t != NULL ? t : ".";
}

/* inet_pton with plumb's family numbers (4, 6). */
static int
inet_pton_compat(int family, const char *s, unsigned char a[16])
{
	return inet_pton(family == 4 ? AF_INET : AF_INET6, s, a);
}

/* Parses text and returns "addr:port/inode ..." of what was kept. */
static char *
parse_text(const char *text, enum ports_proto proto, int family, int *rc,
	   struct errbuf *e)
{
	struct ports_sock *s = NULL;
	struct dynbuf b;
	size_t n = 0, i;

	*rc = ports_parse_table(text, "/proc/net/t", proto, family, &s, &n,
				100, e);
	dynbuf_init(&b, 4096);
	(void)dynbuf_addstr(&b, "");
	for (i = 0; i < n; i++) {
		char a[64];

		assert_int_equal(s[i].family, family);
		assert_int_equal(s[i].proto, proto);
		ports_addr_text(s[i].family, s[i].addr, a, sizeof(a));
		assert_int_equal(dynbuf_printf(&b, "%s%s:%u/%llu", i ? " " : "",
					       a, s[i].port, s[i].inode), 0);
	}
	free(s);
	return dynbuf_take(&b, NULL);
}

static void
parse__keeps_listen_and_unconnected_udp_only(void **state)
{
	static const struct {
		const char *text;
		enum ports_proto proto;
		int family;
		const char *want;
	} cases[] = {
		{ HDR4
		  "   0: 00000000:0016 00000000:0000 0A" TAIL "1001 1 0 100\n"
		  "   1: 0100007F:0277 00000000:0000 0A" TAIL "1002 1 0 100\n"
		  "   2: 0500000A:0016 097100CB:C93A 01" TAIL "1010 1 0 100\n"
		  "   3: 0500000A:0016 0A7100CB:C93B 06" TAIL "0 1 0 100\n"
		  "   4: 0100007F:1F90 00000000:0000 07" TAIL "1011 1 0 100\n",
		  PORTS_TCP, 4, "0.0.0.0:22/1001 127.0.0.1:631/1002" },
		{ HDR4
		  "   0: 00000000:0044 00000000:0000 07" TAIL "2001 2 0 0\n"
		  "   1: 1401A8C0:9C40 08080808:0035 01" TAIL "2002 2 0 0\n"
		  "   2: 3500007F:0035 00000000:0000 07" TAIL "2003 2 0 0\n"
		  "   3: 00000000:0050 00000000:0000 0A" TAIL "2004 2 0 0\n",
		  PORTS_UDP, 4, "0.0.0.0:68/2001 127.0.0.53:53/2003" },
		{ HDR6
		  "   0: 00000000000000000000000000000000:0016 "
		  "00000000000000000000000000000000:0000 0A" TAIL "3001 1\n"
		  "   1: 00000000000000000000000001000000:0277 "
		  "00000000000000000000000000000000:0000 0A" TAIL "3002 1\n"
		  "   2: 0000000000000000FFFF00000100007F:1F91 "
		  "00000000000000000000000000000000:0000 0A" TAIL "3003 1\n"
		  "   3: 000080FE00000000FF5B0A02A0D0FEA2:0222 "
		  "00000000000000000000000000000000:0000 0A" TAIL "3004 1\n"
		  "   4: 0000000000000000FFFF00000500000A:0016 "
		  "0000000000000000FFFF0000097100CB:C93A 01" TAIL "3005 1\n",
		  PORTS_TCP, 6, ":::22/3001 ::1:631/3002 "
		  "::ffff:127.0.0.1:8081/3003 fe80::20a:5bff:a2fe:d0a0:546/3004" },
		/* Lower-case hex and extra columns are accepted; a table
		 * with only its header holds nothing. */
		{ HDR4 "   0: 0100007f:1f90 00000000:0000 0a" TAIL
		  "77 1 0 100 0 0 10 0 extra\n",
		  PORTS_TCP, 4, "127.0.0.1:8080/77" },
		{ HDR4, PORTS_TCP, 4, "" },
		{ HDR4 "\n\n", PORTS_UDP, 4, "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct errbuf e;
		int rc;
		char *got = parse_text(cases[i].text, cases[i].proto,
				       cases[i].family, &rc, &e);

		if (rc != 0)
			fail_msg("case %zu: %s", i, e.msg);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

static void
parse__malformed_lines_fail_with_file_and_line(void **state)
{
	static const struct {
		const char *text;
		int family;
		const char *want;
	} cases[] = {
		{ "", 4, "/proc/net/t: empty" },
		{ "garbage header\n", 4, "/proc/net/t:1: not a /proc/net" },
		{ HDR4 "   0: 00000000:0016 00000000:0000 0A\n", 4,
		  "/proc/net/t:2: 4 fields" },
		{ HDR4 "   0: 0000000:00016 00000000:0000 0A" TAIL "1\n", 4,
		  "/proc/net/t:2: local address" },
		{ HDR4 "   0: 0000000G:0016 00000000:0000 0A" TAIL "1\n", 4,
		  "/proc/net/t:2: local address" },
		{ HDR4 "   0: 00000000:0016 00000000:000 0A" TAIL "1\n", 4,
		  "/proc/net/t:2: remote address" },
		{ HDR4 "   0: 00000000:0016 00000000:0000 A" TAIL "1\n", 4,
		  "/proc/net/t:2: state" },
		{ HDR4 "   0: 00000000:0016 00000000:0000 0A" TAIL "12x\n", 4,
		  "/proc/net/t:2: inode" },
		{ HDR4 "   0: 00000000:0016 00000000:0000 0A" TAIL
		  "123456789012345678901\n", 4, "/proc/net/t:2: inode" },
		/* An IPv4 address in an IPv6 table, and the reverse. */
		{ HDR6 "   0: 00000000:0016 00000000:0000 0A" TAIL "1\n", 6,
		  "/proc/net/t:2: local address is not 32 hex digits" },
		{ HDR4 "\n   0: 00000000000000000000000000000000:0016 "
		  "00000000000000000000000000000000:0000 0A" TAIL "1\n", 4,
		  "/proc/net/t:3: local address is not 8 hex digits" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct errbuf e;
		int rc;
		char *got = parse_text(cases[i].text, PORTS_TCP,
				       cases[i].family, &rc, &e);

		if (rc != PLUMB_EPARSE)
			fail_msg("case %zu: rc %d", i, rc);
		if (strstr(e.msg, cases[i].want) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, e.msg,
				 cases[i].want);
		free(got);
	}
}

static void
parse__stops_at_the_listener_cap(void **state)
{
	const char *text = HDR4
		"   0: 00000000:0016 00000000:0000 0A" TAIL "1\n"
		"   1: 00000000:0017 00000000:0000 0A" TAIL "2\n"
		"   2: 00000000:0018 00000000:0000 0A" TAIL "3\n";
	struct ports_sock *s = NULL;
	struct errbuf e;
	size_t n = 0;

	(void)state;
	assert_int_equal(ports_parse_table(text, "/proc/net/tcp", PORTS_TCP, 4,
					   &s, &n, 2, &e), PLUMB_ELIMIT);
	assert_non_null(strstr(e.msg, "/proc/net/tcp:4: more than 2"));
	free(s);
	/* Appending to what earlier tables gave counts against the cap. */
	s = NULL;
	n = 0;
	assert_int_equal(ports_parse_table(text, "/proc/net/tcp", PORTS_TCP, 4,
					   &s, &n, 5, &e), 0);
	assert_int_equal(n, 3);
	assert_int_equal(ports_parse_table(text, "/proc/net/tcp6", PORTS_TCP, 4,
					   &s, &n, 5, &e), PLUMB_ELIMIT);
	free(s);
}

static void
addr__loopback_and_any_classes(void **state)
{
	static const struct {
		int family;
		const char *addr;
		int loopback, any;
	} cases[] = {
		{ 4, "127.0.0.1", 1, 0 }, { 4, "127.0.0.53", 1, 0 },
		{ 4, "127.255.255.254", 1, 0 }, { 4, "0.0.0.0", 0, 1 },
		{ 4, "10.0.0.5", 0, 0 }, { 4, "128.0.0.1", 0, 0 },
		{ 6, "::1", 1, 0 }, { 6, "::", 0, 1 },
		{ 6, "::ffff:127.0.0.1", 1, 0 }, { 6, "::ffff:0.0.0.0", 0, 1 },
		{ 6, "::ffff:10.0.0.1", 0, 0 }, { 6, "fe80::1", 0, 0 },
		{ 6, "::2", 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char a[16];

		memset(a, 0, sizeof(a));
		assert_int_equal(inet_pton_compat(cases[i].family,
						  cases[i].addr, a), 1);
		assert_int_equal(ports_addr_loopback(cases[i].family, a),
				 cases[i].loopback);
		assert_int_equal(ports_addr_any(cases[i].family, a),
				 cases[i].any);
	}
}

static void
rule__parses_the_documented_syntax(void **state)
{
	static const struct {
		const char *text;
		int proto, family;
		unsigned lo, hi;
		int scope;
		const char *process;
	} ok[] = {
		{ "tcp/22", PORTS_TCP, 0, 22, 22, PORTS_SCOPE_ALL, "" },
		{ "tcp/631@loopback", PORTS_TCP, 0, 631, 631,
		  PORTS_SCOPE_LOOPBACK, "" },
		{ "udp/68:dhclient", PORTS_UDP, 0, 68, 68, PORTS_SCOPE_ALL,
		  "dhclient" },
		{ "tcp/8000-8100@any:python3", PORTS_TCP, 0, 8000, 8100,
		  PORTS_SCOPE_ANY, "python3" },
		{ "udp6/546@[fe80::1]", PORTS_UDP, 6, 546, 546,
		  PORTS_SCOPE_ADDR, "" },
		{ "tcp4/53@127.0.0.53:systemd-resolve", PORTS_TCP, 4, 53, 53,
		  PORTS_SCOPE_ADDR, "systemd-resolve" },
		{ "*/*", 0, 0, 0, 65535, PORTS_SCOPE_ALL, "" },
		{ "tcp/0-65535:/usr/sbin/sshd", PORTS_TCP, 0, 0, 65535,
		  PORTS_SCOPE_ALL, "/usr/sbin/sshd" },
		{ "udp/5353@[::]:avahi-daemon", PORTS_UDP, 0, 5353, 5353,
		  PORTS_SCOPE_ADDR, "avahi-daemon" },
	};
	static const char *const bad[] = {
		"22", "tcp", "sctp/22", "tcp/", "tcp/65536", "tcp/22-21",
		"tcp/-5", "tcp/2a", "tcp/22@", "tcp/22@lan",
		"tcp/22@300.1.1.1", "tcp/22@[::1", "tcp/22@[nothex]",
		"tcp/22:", "tcp/22@any@any", "tcp/123456", "TCP/22",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct ports_rule r;
		struct errbuf e;

		if (ports_rule_parse(ok[i].text, &r, &e) != 0)
			fail_msg("%s: %s", ok[i].text, e.msg);
		assert_int_equal(r.proto, ok[i].proto);
		assert_int_equal(r.family, ok[i].family);
		assert_int_equal(r.lo, ok[i].lo);
		assert_int_equal(r.hi, ok[i].hi);
		assert_int_equal((int)r.scope, ok[i].scope);
		assert_string_equal(r.process, ok[i].process);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ports_rule r;
		struct errbuf e;

		if (ports_rule_parse(bad[i], &r, &e) != PLUMB_EINVAL)
			fail_msg("%s was accepted", bad[i]);
		assert_non_null(strstr(e.msg, bad[i]));
	}
}

static void
rule__matches_protocol_port_scope_and_process(void **state)
{
	static const struct {
		const char *rule;
		enum ports_proto proto;
		int family;
		const char *addr;
		unsigned port;
		const char *process, *exe;
		int match;
	} cases[] = {
		{ "tcp/22", PORTS_TCP, 4, "0.0.0.0", 22, "sshd", NULL, 1 },
		{ "tcp/22", PORTS_TCP, 6, "::", 22, "sshd", NULL, 1 },
		{ "tcp/22", PORTS_UDP, 4, "0.0.0.0", 22, "x", NULL, 0 },
		{ "tcp/22", PORTS_TCP, 4, "0.0.0.0", 23, "sshd", NULL, 0 },
		{ "tcp4/22", PORTS_TCP, 6, "::", 22, "sshd", NULL, 0 },
		{ "tcp6/22", PORTS_TCP, 6, "::", 22, "sshd", NULL, 1 },
		{ "tcp/631@loopback", PORTS_TCP, 4, "127.0.0.1", 631, NULL,
		  NULL, 1 },
		{ "tcp/631@loopback", PORTS_TCP, 6, "::1", 631, NULL, NULL, 1 },
		{ "tcp/631@loopback", PORTS_TCP, 4, "0.0.0.0", 631, NULL,
		  NULL, 0 },
		{ "tcp/8000-8100@any", PORTS_TCP, 4, "0.0.0.0", 8100, NULL,
		  NULL, 1 },
		{ "tcp/8000-8100@any", PORTS_TCP, 4, "0.0.0.0", 8101, NULL,
		  NULL, 0 },
		{ "tcp/8000-8100@any", PORTS_TCP, 4, "10.0.0.1", 8080, NULL,
		  NULL, 0 },
		{ "tcp/8000-8100@any", PORTS_TCP, 6, "::ffff:0.0.0.0", 8080,
		  NULL, NULL, 1 },
		{ "udp/68:dhclient", PORTS_UDP, 4, "0.0.0.0", 68, "dhclient",
		  NULL, 1 },
		{ "udp/68:dhclient", PORTS_UDP, 4, "0.0.0.0", 68,
		  "NetworkManager", NULL, 0 },
		/* An unknown owner never satisfies a process rule. */
		{ "udp/68:dhclient", PORTS_UDP, 4, "0.0.0.0", 68, NULL, NULL,
		  0 },
		{ "tcp/22:/usr/sbin/sshd", PORTS_TCP, 4, "0.0.0.0", 22, "sshd",
		  "/usr/sbin/sshd", 1 },
		{ "tcp/22:/usr/sbin/sshd", PORTS_TCP, 4, "0.0.0.0", 22, "sshd",
		  "/tmp/sshd", 0 },
		{ "tcp/53@127.0.0.53", PORTS_TCP, 4, "127.0.0.53", 53, NULL,
		  NULL, 1 },
		{ "tcp/53@127.0.0.53", PORTS_TCP, 6, "::ffff:127.0.0.53", 53,
		  NULL, NULL, 1 },
		{ "tcp/53@127.0.0.53", PORTS_TCP, 4, "127.0.0.1", 53, NULL,
		  NULL, 0 },
		{ "udp/546@[fe80::1]", PORTS_UDP, 6, "fe80::1", 546, NULL,
		  NULL, 1 },
		{ "udp/546@[fe80::1]", PORTS_UDP, 6, "fe80::2", 546, NULL,
		  NULL, 0 },
		{ "*/*", PORTS_UDP, 6, "fe80::2", 546, NULL, NULL, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ports_rule r;
		struct errbuf e;
		unsigned char a[16];

		memset(a, 0, sizeof(a));
		assert_int_equal(ports_rule_parse(cases[i].rule, &r, &e), 0);
		assert_int_equal(inet_pton_compat(cases[i].family,
						  cases[i].addr, a), 1);
		if (ports_rule_match(&r, cases[i].proto, cases[i].family, a,
				     cases[i].port, cases[i].process,
				     cases[i].exe) != cases[i].match)
			fail_msg("case %zu: %s vs %s:%u", i, cases[i].rule,
				 cases[i].addr, cases[i].port);
	}
}

/* ---- the fixture root ---------------------------------------------------- */

static enum status
judge_fixture(json_t **ev, char **msg, ...)
{
	char *dir = xasprintf("%s/tests/fixtures/ports-basic/root", top());
	struct plat_root *r = NULL;
	struct probe_ctx ctx;
	struct check chk;
	struct check_param params[16];
	struct check_outcome out;
	struct errbuf e;
	json_t *facts = NULL;
	const char *name;
	va_list ap;
	size_t n = 0;

	assert_int_equal(plat_root_open(dir, &r, &e), 0);
	memset(&ctx, 0, sizeof(ctx));
	ctx.root = r;
	if (probe_ports.collect(&ctx, NULL, &facts, &e) != 0)
		fail_msg("collect: %s", e.msg);
	memset(&chk, 0, sizeof(chk));
	va_start(ap, msg);
	while ((name = va_arg(ap, const char *)) != NULL && n < 16) {
		params[n].name = (char *)name;
		params[n].value = va_arg(ap, char *);
		params[n].line = 1;
		n++;
	}
	va_end(ap);
	chk.params = params;
	chk.nparams = n;
	assert_int_equal(check_listening_ports.validate(&chk, &e), 0);
	memset(&out, 0, sizeof(out));
	check_listening_ports.judge(facts, &chk, &ctx, &out);
	*ev = out.evidence;
	*msg = out.message;
	json_decref(facts);
	plat_root_free(r);
	free(dir);
	return out.status;
}

/* The evidence entry for proto/address/port. */
static json_t *
listener(json_t *ev, const char *proto, const char *addr, int port)
{
	size_t i;
	json_t *l;

	json_array_foreach(json_object_get(ev, "listening"), i, l)
		if (strcmp(json_string_value(json_object_get(l, "proto")),
			   proto) == 0 &&
		    strcmp(json_string_value(json_object_get(l, "address")),
			   addr) == 0 &&
		    json_integer_value(json_object_get(l, "port")) == port)
			return l;
	fail_msg("no %s %s:%d in the evidence", proto, addr, port);
	return NULL;
}

static void
fixture__lists_every_listener_sorted_with_owners(void **state)
{
	static const char *const order[] = {
		"tcp 0.0.0.0:22", "tcp :::22", "tcp 127.0.0.53:53",
		"tcp 127.0.0.1:631", "tcp ::1:631", "tcp 0.0.0.0:8080",
		"tcp ::ffff:127.0.0.1:8081", "udp 127.0.0.53:53",
		"udp 0.0.0.0:68", "udp fe80::20a:5bff:a2fe:d0a0:546",
		"udp 0.0.0.0:5353", "udp :::5353", "udp 0.0.0.0:51820",
	};
	json_t *ev, *l;
	char *msg;
	size_t i;

	(void)state;
	assert_int_equal(judge_fixture(&ev, &msg, "allow", "*/*", NULL),
			 STATUS_PASS);
	assert_int_equal(json_array_size(json_object_get(ev, "listening")),
			 sizeof(order) / sizeof(order[0]));
	json_array_foreach(json_object_get(ev, "listening"), i, l) {
		char *s = xasprintf("%s %s:%lld",
			json_string_value(json_object_get(l, "proto")),
			json_string_value(json_object_get(l, "address")),
			(long long)json_integer_value(json_object_get(l,
								      "port")));

		assert_string_equal(s, order[i]);
		free(s);
		/* Inodes change at each restart: not evidence. */
		assert_null(json_object_get(l, "inode"));
	}
	l = listener(ev, "tcp", "0.0.0.0", 22);
	assert_int_equal(json_integer_value(json_object_get(l, "pid")), 612);
	assert_string_equal(json_string_value(json_object_get(l, "process")),
			    "sshd");
	assert_string_equal(json_string_value(json_object_get(l, "exe")),
			    "/usr/sbin/sshd");
	/* A socket shared with a forked worker is named by the parent. */
	l = listener(ev, "tcp", "0.0.0.0", 8080);
	assert_int_equal(json_integer_value(json_object_get(l, "pid")), 1500);
	/* A kernel socket (inode 0) has no owner. */
	l = listener(ev, "udp", "0.0.0.0", 51820);
	assert_true(json_is_null(json_object_get(l, "pid")));
	assert_true(json_is_null(json_object_get(l, "process")));
	assert_true(json_is_true(json_object_get(ev, "owners_complete")));
	json_decref(ev);
	free(msg);
}

static void
fixture__unlisted_listeners_fail_with_the_rule_that_allowed_others(void **state)
{
	json_t *ev, *l, *bad;
	char *msg;

	(void)state;
	assert_int_equal(judge_fixture(&ev, &msg, "allow", "tcp/22", "allow",
				       "udp/68", "allow", "udp/546", "allow",
				       "udp/5353", NULL), STATUS_FAIL);
	assert_string_equal(msg, "2 of 13 listening sockets not allowed: "
			    "tcp 0.0.0.0:8080 (python3), "
			    "udp 0.0.0.0:51820 (owner unknown)");
	bad = json_object_get(ev, "not_allowed");
	assert_int_equal(json_array_size(bad), 2);
	l = listener(ev, "tcp", "::", 22);
	assert_true(json_is_true(json_object_get(l, "allowed")));
	assert_string_equal(json_string_value(json_object_get(l, "rule")),
			    "tcp/22");
	l = listener(ev, "tcp", "127.0.0.1", 631);
	assert_string_equal(json_string_value(json_object_get(l, "rule")),
			    "allow_loopback");
	l = listener(ev, "tcp", "0.0.0.0", 8080);
	assert_true(json_is_false(json_object_get(l, "allowed")));
	assert_true(json_is_null(json_object_get(l, "rule")));
	json_decref(ev);
	free(msg);
}

static void
fixture__allow_loopback_and_deny_any_switches(void **state)
{
	json_t *ev;
	char *msg;

	(void)state;
	/* Without the loopback allowance, the five loopback listeners
	 * (IPv4-mapped included) need rules. */
	assert_int_equal(judge_fixture(&ev, &msg, "allow_loopback", "false",
				       "allow", "tcp/22", "allow", "udp/68",
				       "allow", "udp/546", "allow", "udp/5353",
				       "allow", "tcp/8080", "allow",
				       "udp/51820", NULL), STATUS_FAIL);
	assert_non_null(strstr(msg, "5 of 13"));
	assert_non_null(strstr(msg, "tcp [::ffff:127.0.0.1]:8081"));
	json_decref(ev);
	free(msg);
	/* deny_any=false tolerates all-interface listeners; the link-local
	 * one is bound to a specific address and still needs a rule. */
	assert_int_equal(judge_fixture(&ev, &msg, "deny_any", "false", NULL),
			 STATUS_FAIL);
	assert_string_equal(msg, "1 of 13 listening sockets not allowed: "
			    "udp [fe80::20a:5bff:a2fe:d0a0]:546 (dhclient)");
	assert_string_equal(json_string_value(json_object_get(
		listener(ev, "tcp", "0.0.0.0", 8080), "rule")),
		"deny_any=false");
	json_decref(ev);
	free(msg);
}

static void
validate__rejects_a_bad_rule_with_its_line(void **state)
{
	struct check chk;
	struct check_param p = { (char *)"allow", (char *)"tcp/22@lan", 12 };
	struct errbuf e;

	(void)state;
	memset(&chk, 0, sizeof(chk));
	chk.params = &p;
	chk.nparams = 1;
	assert_int_equal(check_listening_ports.validate(&chk, &e),
			 PLUMB_EINVAL);
	assert_non_null(strstr(e.msg, "line 12"));
	assert_non_null(strstr(e.msg, "tcp/22@lan"));
}

static void
collect__a_root_without_proc_net_is_an_error(void **state)
{
	char *dir = xasprintf("%s/tests/fixtures/enc-declared/root", top());
	struct plat_root *r = NULL;
	struct probe_ctx ctx;
	struct errbuf e;
	json_t *facts = NULL;

	(void)state;
	assert_int_equal(plat_root_open(dir, &r, &e), 0);
	memset(&ctx, 0, sizeof(ctx));
	ctx.root = r;
	assert_int_equal(probe_ports.collect(&ctx, NULL, &facts, &e),
			 PLUMB_ENOENT);
	assert_null(facts);
	assert_non_null(strstr(e.msg, "/proc/net/tcp"));
	plat_root_free(r);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse__keeps_listen_and_unconnected_udp_only),
		cmocka_unit_test(parse__malformed_lines_fail_with_file_and_line),
		cmocka_unit_test(parse__stops_at_the_listener_cap),
		cmocka_unit_test(addr__loopback_and_any_classes),
		cmocka_unit_test(rule__parses_the_documented_syntax),
		cmocka_unit_test(rule__matches_protocol_port_scope_and_process),
		cmocka_unit_test(fixture__lists_every_listener_sorted_with_owners),
		cmocka_unit_test(fixture__unlisted_listeners_fail_with_the_rule_that_allowed_others),
		cmocka_unit_test(fixture__allow_loopback_and_deny_any_switches),
		cmocka_unit_test(validate__rejects_a_bad_rule_with_its_line),
		cmocka_unit_test(collect__a_root_without_proc_net_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * fuzz_ports.c - the /proc/net/{tcp,tcp6,udp,udp6} table parser
 * (ports_parse_table) and the listening-ports allow-rule parser.
 *
 * The first byte picks the table kind (protocol and family), the rest is
 * the table; every socket parsed is rendered and classified as the probe
 * does.  The table's first line also goes to ports_rule_parse, whose rules
 * come from baselines and tailoring files.
 */
#include "fuzz.h"
#include "probe_ports.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum ports_proto protos[] = { PORTS_TCP, PORTS_UDP };
	struct ports_sock *socks = NULL;
	struct ports_rule rule;
	struct errbuf e;
	size_t n = 0, i;
	char *text, *nl;
	int family;
	enum ports_proto proto;

	if (size < 1)
		return 0;
	proto = protos[data[0] & 1];
	family = (data[0] & 2) ? 6 : 4;
	text = fuzz_strndup(data + 1, size - 1);
	if (ports_parse_table(text, "tcp", proto, family, &socks, &n, 64,
			      &e) == 0) {
		for (i = 0; i < n; i++) {
			char buf[64];

			ports_addr_text(socks[i].family, socks[i].addr, buf,
					sizeof(buf));
			(void)ports_addr_loopback(socks[i].family,
						  socks[i].addr);
			(void)ports_addr_any(socks[i].family, socks[i].addr);
		}
	}
	if ((nl = strchr(text, '\n')) != NULL)
		*nl = '\0';
	if (ports_rule_parse(text, &rule, &e) == 0 && n > 0)
		(void)ports_rule_match(&rule, socks[0].proto, socks[0].family,
				       socks[0].addr, socks[0].port, text,
				       text);
	free(socks);
	free(text);
	return 0;
}

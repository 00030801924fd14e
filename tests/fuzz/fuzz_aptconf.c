/*
 * fuzz_aptconf.c - apt's configuration syntax (aptconf_parse: nested
 * scopes, lists, #clear, comments), then the lookups the patch probe makes.
 */
#include "apt.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aptconf *c = xcalloc(1, sizeof(*c));
	const struct aptconf_item *items[8];
	struct errbuf e;
	char *text = fuzz_strndup(data, size);

	if (aptconf_parse(c, "etc/apt/apt.conf", text, &e) == 0) {
		(void)aptconf_find(c, "APT::Periodic::Unattended-Upgrade");
		(void)aptconf_list(c, "Unattended-Upgrade::Origins-Pattern",
				   items, 8);
		if (c->n > 0) {
			(void)aptconf_find(c, c->items[0].key);
			(void)aptconf_list(c, c->items[c->n - 1].key, items, 8);
		}
	}
	aptconf_free(c);
	free(text);
	return 0;
}

/*
 * fuzz_config.c - plumb.conf (config_parse), fed the input as the whole
 * file.  The input is passed with its exact length and no terminating NUL,
 * as config_parse promises to take it.
 */
#include "config.h"
#include "diags.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	struct diags d = { NULL, 0 };

	config_init(&c);
	config_parse(&c, "plumb.conf", (const char *)data, size, &d);
	config_release(&c);
	diags_release(&d);
	return 0;
}

/*
 * fuzz_baseline.c - the baseline loader (baseline_load over xmlsafe: size
 * and UTF-8 checks, libxml2 without DTD or entities, XSD validation, then
 * every semantic check and each check type's parameter validation).
 *
 * baseline_load reads a path, so the input is written as one file of the
 * scratch directory and loaded from there, exactly as `plumb scan` loads it.
 */
#include "baseline.h"
#include "diags.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct baseline *b = NULL;
	struct diags d = { NULL, 0 };
	struct errbuf e;
	const char *path = fuzz_write("baseline.xml", data, size);

	if (baseline_load(path, &b, &d, &e) == 0) {
		size_t i;

		/* A loaded baseline promises one check or more per
		 * control: the engine relies on it. */
		for (i = 0; i < b->ncontrols; i++)
			if (b->controls[i].nchecks == 0)
				abort();
	}
	baseline_free(b);
	diags_release(&d);
	return 0;
}

/*
 * fuzz_owners.c - the owners file loader (owners_load over xmlsafe), then
 * what drift routing does with a loaded file: each party's coverage at a
 * few instants, SLAs, and routing of a shared result.
 */
#include "diags.h"
#include "fuzz.h"
#include "owners.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A Monday noon UTC, a Sunday midnight and a leap day. */
	static const time_t instants[] = { 1700481600, 1700352000,
					   1709164800 };
	struct owners *o = NULL;
	struct diags d = { NULL, 0 };
	struct errbuf e;
	const char *path = fuzz_write("owners.xml", data, size);
	size_t i, k;

	if (owners_load(path, &o, &d, &e) == 0) {
		json_t *item = json_array();

		for (i = 0; i < o->nparties; i++) {
			for (k = 0; k < 3; k++)
				(void)owners_on_duty(&o->parties[i],
						     instants[k]);
			(void)owners_sla_hours(o, o->parties[i].id, "high");
			json_array_append_new(item,
					      json_string(o->parties[i].id));
		}
		if (o->nparties > 0) {
			json_t *res = json_pack("{s:s,s:O}", "owner",
						o->parties[0].id,
						"shared_with", item);

			for (k = 0; k < 3; k++)
				(void)owners_route(o, res, instants[k]);
			json_decref(res);
		}
		json_decref(item);
	}
	owners_free(o);
	diags_release(&d);
	return 0;
}

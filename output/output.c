/*
 * output.c - the list of report writers.
 */
#include <string.h>

#include "output.h"

static const struct output_writer writers[] = {
	{ "text", "readable summary for a terminal", out_text_write },
	{ "json", "plumb.scan/1 document", out_json_write },
};

const struct output_writer *
output_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
		if (strcmp(writers[i].name, name) == 0)
			return &writers[i];
	return NULL;
}

const char *
output_names(void)
{
	return "text, json";
}

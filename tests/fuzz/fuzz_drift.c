/*
 * fuzz_drift.c - drift between two scan documents read back from the
 * history: the input is two JSON texts separated by a NUL byte, each
 * parsed as the store parses a stored document, then compared both ways.
 * The documents are plumb's own output, but the history file sits on the
 * scanned host and may have been edited.
 */
#include "drift.h"
#include "fuzz.h"

/* As the store reads a stored document back. */
#define FUZZ_JSON_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	json_t *a, *b, *ev;
	json_error_t je;
	size_t na;

	if (nul == NULL)
		return 0;
	na = (size_t)(nul - data);
	a = json_loadb((const char *)data, na, FUZZ_JSON_FLAGS, &je);
	b = json_loadb((const char *)nul + 1, size - na - 1, FUZZ_JSON_FLAGS,
		       &je);
	if (a != NULL && b != NULL) {
		ev = drift_compare(a, b);
		json_decref(ev);
		ev = drift_compare(b, a);
		json_decref(ev);
		(void)drift_baseline_changed(a, b);
		ev = drift_evidence_changes(a, b);
		json_decref(ev);
		ev = drift_scan_ref(b);
		json_decref(ev);
	}
	json_decref(a);
	json_decref(b);
	return 0;
}

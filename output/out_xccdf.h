/*
 * out_xccdf.h - the XCCDF 1.2 pieces the ARF writer embeds: the generated
 * Benchmark and the TestResult (out_xccdf.c).
 */
#ifndef PLUMB_OUT_XCCDF_H
#define PLUMB_OUT_XCCDF_H

#include <jansson.h>

#include "xw.h"

#define XCCDF_NS "http://checklists.nist.gov/xccdf/1.2"

/* "xccdf_org.plumb_<kind>_<id sanitised>"; the caller frees it. */
char *out_xccdf_id(const char *kind, const char *id);

/*
 * Writes a Benchmark whose Rules (grouped by family) are generated from the
 * controls of doc's results, with their framework references; with_result
 * appends the TestResult inside it, as `oscap xccdf generate report` reads.
 */
void out_xccdf_benchmark(struct xw *x, const json_t *doc, int with_result);

/*
 * Writes the TestResult of doc.  benchmark_href non-NULL makes it stand
 * alone (its own xmlns and a <benchmark> reference to that href), as in an
 * ARF report; asset_ref non-NULL adds a target-id-ref to that ARF asset id.
 */
void out_xccdf_testresult(struct xw *x, const json_t *doc,
			  const char *benchmark_href, const char *asset_ref);

#endif

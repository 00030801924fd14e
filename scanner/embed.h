/*
 * embed.h - files compiled into the plumb binary.
 *
 * plumb validates what it reads against schemas that ship inside the
 * program, so a baseline is judged by the same rules wherever plumb was
 * installed and whatever lies in its data directory.
 */
#ifndef PLUMB_EMBED_H
#define PLUMB_EMBED_H

/*
 * baselines/schema/baseline.xsd.  The bytes run from plumb_baseline_xsd up to
 * (not including) plumb_baseline_xsd_end; a NUL byte follows them, so the
 * start may also be read as a C string.
 */
extern const char plumb_baseline_xsd[];
extern const char plumb_baseline_xsd_end[];

/* baselines/schema/owners.xsd, laid out the same way. */
extern const char plumb_owners_xsd[];
extern const char plumb_owners_xsd_end[];

/* baselines/schema/tailoring.xsd, laid out the same way. */
extern const char plumb_tailoring_xsd[];
extern const char plumb_tailoring_xsd_end[];

#endif

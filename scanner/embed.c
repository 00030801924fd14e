/*
 * embed.c - compiles the XSDs of plumb's XML inputs into the binary:
 * baselines/schema/baseline.xsd, owners.xsd and tailoring.xsd.
 *
 * The assembler's .incbin copies the file's bytes into .rodata between two
 * global symbols, so no generated source file or build-time tool is needed.
 * The path is relative to the repository top, where make runs the compiler;
 * the Makefile makes this object depend on the schema so it is rebuilt when
 * the schema changes.  The end symbol sits before the NUL byte that follows
 * the data: end - start is the file's exact length.
 */
#include "embed.h"

__asm__(
	"\t.pushsection .rodata\n"
	"\t.balign 16\n"
	"\t.globl plumb_baseline_xsd\n"
	"\t.type plumb_baseline_xsd, @object\n"
	"plumb_baseline_xsd:\n"
	"\t.incbin \"baselines/schema/baseline.xsd\"\n"
	"\t.globl plumb_baseline_xsd_end\n"
	"\t.type plumb_baseline_xsd_end, @object\n"
	"plumb_baseline_xsd_end:\n"
	"\t.byte 0\n"
	"\t.size plumb_baseline_xsd, . - plumb_baseline_xsd\n"
	"\t.size plumb_baseline_xsd_end, 1\n"
	"\t.balign 16\n"
	"\t.globl plumb_owners_xsd\n"
	"\t.type plumb_owners_xsd, @object\n"
	"plumb_owners_xsd:\n"
	"\t.incbin \"baselines/schema/owners.xsd\"\n"
	"\t.globl plumb_owners_xsd_end\n"
	"\t.type plumb_owners_xsd_end, @object\n"
	"plumb_owners_xsd_end:\n"
	"\t.byte 0\n"
	"\t.size plumb_owners_xsd, . - plumb_owners_xsd\n"
	"\t.size plumb_owners_xsd_end, 1\n"
	"\t.balign 16\n"
	"\t.globl plumb_tailoring_xsd\n"
	"\t.type plumb_tailoring_xsd, @object\n"
	"plumb_tailoring_xsd:\n"
	"\t.incbin \"baselines/schema/tailoring.xsd\"\n"
	"\t.globl plumb_tailoring_xsd_end\n"
	"\t.type plumb_tailoring_xsd_end, @object\n"
	"plumb_tailoring_xsd_end:\n"
	"\t.byte 0\n"
	"\t.size plumb_tailoring_xsd, . - plumb_tailoring_xsd\n"
	"\t.size plumb_tailoring_xsd_end, 1\n"
	"\t.popsection\n");

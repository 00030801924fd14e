/*
 * fuzz_tailoring.c - the tailoring loader (tailoring_load over xmlsafe)
 * and, for a tailoring that loads, tailoring_apply to a small baseline of
 * the shipped kinds of check, which re-validates every changed check.
 *
 * The baseline is written once and loaded again only after an apply that
 * changed it.
 */
#include "baseline.h"
#include "diags.h"
#include "fuzz.h"
#include "tailoring.h"

static const char fuzz_tailoring_baseline[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<baseline xmlns=\"urn:plumb:baseline:1\" "
	"id=\"smb-linux-workstation\" version=\"1.0.0\">\n"
	" <title>t</title>\n"
	" <control id=\"patch.security-pending\" family=\"patch\" "
	"severity=\"critical\" owner=\"msp\">\n"
	"  <title>t</title><rationale>r</rationale>\n"
	"  <check type=\"patch-pending\">\n"
	"   <param name=\"security_only\">true</param>\n"
	"   <param name=\"window_days\">14</param>\n"
	"  </check>\n"
	" </control>\n"
	" <control id=\"ports.listening\" family=\"ports\" severity=\"high\" "
	"owner=\"msp\">\n"
	"  <title>t</title><rationale>r</rationale>\n"
	"  <check type=\"listening-ports\">\n"
	"   <param name=\"allow\">udp/68</param>\n"
	"  </check>\n"
	" </control>\n"
	" <control id=\"config.aslr\" family=\"config\" severity=\"medium\" "
	"owner=\"msp\">\n"
	"  <title>t</title><rationale>r</rationale>\n"
	"  <check type=\"sysctl\">\n"
	"   <param name=\"key\">kernel.randomize_va_space</param>\n"
	"   <param name=\"equals\">2</param>\n"
	"  </check>\n"
	" </control>\n"
	" <control id=\"config.auditd\" family=\"config\" severity=\"medium\" "
	"owner=\"msp\">\n"
	"  <title>t</title><rationale>r</rationale>\n"
	"  <check type=\"package\"><param name=\"name\">auditd</param>"
	"</check>\n"
	"  <check type=\"systemd-unit\">\n"
	"   <param name=\"unit\">auditd.service</param>\n"
	"   <param name=\"enabled\">true</param>\n"
	"  </check>\n"
	" </control>\n"
	"</baseline>\n";

static struct baseline *fuzz_b;

static void
fuzz_baseline_load(void)
{
	struct errbuf e;
	const char *path;

	path = fuzz_write("baseline.xml",
			  (const uint8_t *)fuzz_tailoring_baseline,
			  sizeof(fuzz_tailoring_baseline) - 1);
	baseline_free(fuzz_b);
	fuzz_b = NULL;
	if (baseline_load(path, &fuzz_b, NULL, &e) != 0) {
		fprintf(stderr, "fuzz_tailoring: its baseline: %s\n", e.msg);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tailoring *t = NULL;
	struct diags d = { NULL, 0 };
	struct errbuf e;
	const char *path;

	if (fuzz_b == NULL)
		fuzz_baseline_load();
	path = fuzz_write("tailoring.xml", data, size);
	if (tailoring_load(path, &t, &d, &e) == 0) {
		json_t *record = NULL;

		if (tailoring_apply(t, fuzz_b, &record, &d, &e) == 0) {
			json_decref(record);
			fuzz_baseline_load();
		}
	}
	tailoring_free(t);
	diags_release(&d);
	return 0;
}

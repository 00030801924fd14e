/*
 * main.c - command dispatch: one table of verbs, as git's commands[].
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

struct verb {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct verb verbs[] = {
	{ "scan", cmd_scan, "scan this host (or --root DIR) against a baseline" },
	{ "history", cmd_history, "list the scans in the history" },
	{ "diff", cmd_diff, "what changed between two scans, and who must act" },
	{ "report", cmd_report, "re-render a stored scan without rescanning" },
	{ "baseline", cmd_baseline, "lint or show baselines, list check types" },
	{ "yara", cmd_yara, "sweep paths with YARA rules" },
	{ "keygen", cmd_keygen, "make an Ed25519 key pair for signing bundles" },
	{ "export", cmd_export, "write a signed evidence bundle of a scan" },
	{ "verify", cmd_verify, "check an evidence bundle or a history's chain" },
	{ "push", cmd_push, "send recorded scans to a collector (store and forward)" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: plumb <verb> [options]\n"
		   "       plumb --version | --help | <verb> --help\n\n"
		   "verbs:\n");
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f, "\nexit status: 0 all selected controls passed, were waived "
		   "or did not apply;\n"
		   "             2 a control failed or could not be evaluated;\n"
		   "             1 plumb could not do what was asked.\n");
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_PLUMB_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_PLUMB_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("plumb %s\n", PLUMB_VERSION);
		return EXIT_PLUMB_OK;
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[1], verbs[i].name) == 0)
			return verbs[i].fn(argc - 1, argv + 1);
	cli_error("'%s' is not a plumb verb; see plumb --help", argv[1]);
	return EXIT_PLUMB_ERROR;
}

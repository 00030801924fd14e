/*
 * cmd_keygen.c - `plumb keygen -o KEY`: an Ed25519 key pair for signing
 * evidence bundles.  The private key goes to KEY (PEM PKCS#8, mode 0600),
 * the public key to KEY.pub (PEM); neither replaces an existing file.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "bundle.h"
#include "cmd.h"

static void
keygen_usage(FILE *f)
{
	fprintf(f,
		"usage: plumb keygen -o KEY\n\n"
		"Writes a new Ed25519 key pair for plumb export --key: the private\n"
		"key to KEY (PEM, mode 0600) and the public key to KEY.pub (PEM),\n"
		"which is what auditors check bundles with.  Existing files are\n"
		"never replaced.  A key made with `openssl genpkey -algorithm\n"
		"ed25519 -out KEY` works as well.\n\n"
		"  -o, --output KEY    where to write the private key\n");
}

int
cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key = NULL;
	struct errbuf e = { "" };
	char *pub;
	int c, rc = EXIT_PLUMB_ERROR;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': key = optarg; break;
		case 'h': keygen_usage(stdout); return EXIT_PLUMB_OK;
		default: return cli_usage_error("keygen", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("keygen", "unexpected argument '%s'",
				       argv[optind]);
	if (key == NULL)
		return cli_usage_error("keygen", "-o KEY is required");
	pub = xasprintf("%s.pub", key);
	if (bundle_keygen(key, pub, &e) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	printf("private key %s (keep it secret)\npublic key  %s\n", key, pub);
	rc = EXIT_PLUMB_OK;
out:
	free(pub);
	return rc;
}

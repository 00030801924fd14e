/*
 * cmd_push.c - `plumb push`: send every recorded scan a collector has not
 * acknowledged yet (push.h), and say how many are left.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "diags.h"
#include "push.h"
#include "store.h"

static void
push_usage(FILE *f)
{
	fprintf(f,
		"usage: plumb push [--db FILE] [--config FILE] [URL]\n\n"
		"Sends each scan of the history not yet delivered to URL (default:\n"
		"push_url of the config file) as its plumb.scan/1 document, an HTTP\n"
		"POST with the header Idempotency-Key: <scan id>.  A scan counts as\n"
		"delivered only on a 2xx answer; the others stay queued for the next\n"
		"run.  TLS settings (CA file, client certificate and key), timeouts\n"
		"and tries come from the config file.\n\n"
		"  --db FILE       history database (default as for plumb scan)\n"
		"  --config FILE   settings (default " CONFIG_DEFAULT_PATH " when it\n"
		"                  exists)\n"
		"  -h, --help      this help\n\n"
		"exit status: 0 nothing is left undelivered; 1 otherwise.\n");
}

static void
push_warn(const char *scan_id, const char *why, void *arg)
{
	(void)arg;
	cli_error("warning: scan %s not delivered (queued): %s", scan_id, why);
}

/* The push settings of cfg for url (strings borrowed from both). */
void
cmd_push_conf(const struct config *cfg, const char *url, struct push_conf *pc)
{
	memset(pc, 0, sizeof(*pc));
	pc->url = url;
	pc->ca_file = cfg->push_ca_file;
	pc->client_cert = cfg->push_client_cert;
	pc->client_key = cfg->push_client_key;
	pc->timeout_s = cfg->push_timeout_s;
	pc->connect_timeout_s = cfg->push_connect_timeout_s;
	pc->attempts = cfg->push_attempts > 0 ? cfg->push_attempts : 1;
	pc->backoff_ms = 1000;
}

int
cmd_push(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db_arg = NULL, *config_arg = NULL, *url;
	struct config *cfg = NULL;
	struct diags d = { NULL, 0 };
	struct errbuf e = { "" };
	struct store *st = NULL;
	struct push_conf pc;
	struct push_stats ps = { 0, 0, 0 };
	char *db = NULL;
	int c, rc = EXIT_PLUMB_ERROR;
	size_t i;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db_arg = optarg; break;
		case 'C': config_arg = optarg; break;
		case 'h': push_usage(stdout); return EXIT_PLUMB_OK;
		default: return cli_usage_error("push", "invalid option");
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("push", "unexpected argument '%s'",
				       argv[optind + 1]);
	if (config_load(config_arg, &cfg, &d, &e) != 0) {
		for (i = 0; i < d.n; i++)
			fprintf(stderr, "%s\n", d.lines[i]);
		cli_error("%s", e.msg);
		goto out;
	}
	url = optind < argc ? argv[optind] : cfg->push_url;
	if (url == NULL) {
		rc = cli_usage_error("push", "no URL given and no push_url in "
				     "%s", cfg->path != NULL ? cfg->path :
				     CONFIG_DEFAULT_PATH);
		goto out;
	}
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) {
		rc = cli_usage_error("push", "'%s' is not an http:// or "
				     "https:// URL", url);
		goto out;
	}
	cmd_push_conf(cfg, url, &pc);
	db = cli_db_path(db_arg != NULL ? db_arg : cfg->db);
	if (store_open(db, &st, &e) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	if (push_run(st, &pc, push_warn, NULL, &ps, &e) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	printf("%zu scan%s delivered to %s, %zu left queued\n", ps.sent,
	       ps.sent == 1 ? "" : "s", url, ps.left);
	rc = ps.left == 0 ? EXIT_PLUMB_OK : EXIT_PLUMB_ERROR;
out:
	store_close(st);
	config_free(cfg);
	diags_release(&d);
	free(db);
	return rc;
}

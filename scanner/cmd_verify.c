/*
 * cmd_verify.c - `plumb verify`: checks an evidence bundle (every file
 * against the MANIFEST, the MANIFEST against its signature, the time stamp
 * when there is one, the scan document against its recorded chain link),
 * or walks a history database's hash chain.  Exit 0 when everything holds,
 * 1 naming each thing that does not.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "cmd.h"
#include "store.h"

static void
verify_usage(FILE *f)
{
	fprintf(f,
		"usage: plumb verify DIR [--pubkey PEM] [--tsa-ca FILE]\n"
		"       plumb verify --db FILE\n\n"
		"Checks an evidence bundle made by plumb export: every file against\n"
		"the MANIFEST, the MANIFEST's Ed25519 signature, the RFC 3161 time\n"
		"stamp (MANIFEST.tsr) when present, and the scan document against\n"
		"its hash-chain link.  With --db, walks a history's hash chain and\n"
		"reports the first broken link.  Exit 0 when all holds, 1 otherwise.\n\n"
		"  --pubkey PEM        the key the bundle must be signed with (without\n"
		"                      it, the bundle's own signer.pem is used, which\n"
		"                      proves integrity, not who signed)\n"
		"  --tsa-ca FILE       CA certificates the time-stamp authority must\n"
		"                      chain to\n"
		"  --db FILE           verify a history database instead\n");
}

/* Reads dir/rel up to max bytes; ENOENT leaves *data NULL and returns 0. */
static int
read_member(const char *dir, const char *rel, size_t max, char **data,
	    size_t *len, struct diags *d)
{
	struct errbuf e = { "" };
	char *path = xasprintf("%s/%s", dir, rel);
	int r = read_local_file(path, max, data, len, &e);

	free(path);
	if (r == PLUMB_ENOENT)
		return 0;
	if (r != 0)
		diags_add(d, rel, 0, "cannot be read: %s", e.msg);
	return r;
}

/* The scan document must hash to the link history/chain.json records. */
static void
check_chain_link(const char *dir, struct diags *d)
{
	char *chain = NULL, *doc = NULL, *linked = NULL, hash[65];
	size_t clen = 0, dlen = 0;
	json_t *c = NULL;
	const char *prev, *want;

	if (read_member(dir, "history/chain.json", PLUMB_MANIFEST_MAX, &chain,
			&clen, d) != 0 ||
	    read_member(dir, "evidence/scan.json", PLUMB_SCAN_DOC_MAX, &doc,
			&dlen, d) != 0)
		goto out;
	if (chain == NULL || doc == NULL) {
		diags_add(d, chain == NULL ? "history/chain.json" :
			  "evidence/scan.json", 0, "missing");
		goto out;
	}
	c = json_loadb(chain, clen, JSON_REJECT_DUPLICATES, NULL);
	prev = json_string_value(json_object_get(json_object_get(c, "scan"),
						 "prev_hash"));
	want = json_string_value(json_object_get(json_object_get(c, "scan"),
						 "hash"));
	if (prev == NULL || want == NULL || strlen(prev) != 64) {
		diags_add(d, "history/chain.json", 0, "does not record the "
			  "scan's chain link");
		goto out;
	}
	linked = xmalloc(64 + dlen);
	memcpy(linked, prev, 64);
	memcpy(linked + 64, doc, dlen);
	sha256_hex(linked, 64 + dlen, hash);
	if (strcmp(hash, want) != 0)
		diags_add(d, "evidence/scan.json", 0, "does not hash to the "
			  "chain link history/chain.json records");
out:
	json_decref(c);
	free(linked);
	free(chain);
	free(doc);
}

static int
verify_bundle(const char *dir, const char *pubkey, const char *tsa_ca)
{
	struct diags d = { NULL, 0 };
	struct errbuf e = { "" };
	char *manifest = NULL, *sig = NULL, *signer = NULL, *want = NULL;
	char *tsr = NULL, fp[72] = "", when[32] = "", *tsa = NULL;
	size_t mlen = 0, slen = 0, plen = 0, wlen = 0, tlen = 0, files = 0, i;
	int sig_ok = 0, rc = EXIT_PLUMB_ERROR;

	if (access(dir, F_OK) != 0) {
		cli_error("%s: %s", dir, strerror(errno));
		return EXIT_PLUMB_ERROR;
	}
	read_member(dir, BUNDLE_MANIFEST, PLUMB_MANIFEST_MAX, &manifest, &mlen,
		    &d);
	read_member(dir, BUNDLE_SIG, BUNDLE_SIG_LEN + 1, &sig, &slen, &d);
	read_member(dir, BUNDLE_SIGNER, PLUMB_KEYFILE_MAX, &signer, &plen, &d);
	read_member(dir, BUNDLE_TSR, PLUMB_TSR_MAX, &tsr, &tlen, &d);
	if (manifest == NULL)
		diags_add(&d, BUNDLE_MANIFEST, 0, "missing");
	if (sig == NULL)
		diags_add(&d, BUNDLE_SIG, 0, "missing");
	if (signer == NULL && pubkey == NULL)
		diags_add(&d, BUNDLE_SIGNER, 0, "missing");

	if (manifest != NULL)
		bundle_check_manifest(dir, manifest, mlen, &files, &d, &e);

	/* The signature, with the key the auditor trusts when given. */
	if (pubkey != NULL) {
		char fpw[72];

		if (read_local_file(pubkey, PLUMB_KEYFILE_MAX, &want, &wlen,
				    &e) != 0)
			diags_add(&d, pubkey, 0, "%s", e.msg);
		else if (bundle_key_fingerprint(want, wlen, fpw, &e) != 0)
			diags_add(&d, pubkey, 0, "%s", e.msg);
		else if (signer != NULL &&
			 (bundle_key_fingerprint(signer, plen, fp, &e) != 0 ||
			  strcmp(fp, fpw) != 0))
			diags_add(&d, BUNDLE_SIGNER, 0, "is not the key given "
				  "with --pubkey");
		else
			memcpy(fp, fpw, sizeof(fp));
	} else if (signer != NULL &&
		   bundle_key_fingerprint(signer, plen, fp, &e) != 0) {
		diags_add(&d, BUNDLE_SIGNER, 0, "%s", e.msg);
	}
	if (manifest != NULL && sig != NULL && (want != NULL || signer != NULL)) {
		const char *k = want != NULL ? want : signer;
		size_t klen = want != NULL ? wlen : plen;
		int r = bundle_verify_sig(k, klen, manifest, mlen,
					  (unsigned char *)sig, slen, &e);

		if (r == 0)
			sig_ok = 1;
		else if (r == PLUMB_EINVAL)
			diags_add(&d, BUNDLE_SIG, 0, "%s: the Ed25519 signature "
				  "does not match MANIFEST", e.msg);
		else
			diags_add(&d, want != NULL ? pubkey : BUNDLE_SIGNER, 0,
				  "%s", e.msg);
	}

	if (tsr != NULL && manifest != NULL &&
	    bundle_ts_check((unsigned char *)tsr, tlen, manifest, mlen, NULL,
			    tsa_ca, when, &tsa, &e) != 0)
		diags_add(&d, BUNDLE_TSR, 0, "%s", e.msg);
	if (tsr == NULL && tsa_ca != NULL)
		diags_add(&d, BUNDLE_TSR, 0, "missing, but --tsa-ca asks for a "
			  "time stamp");

	check_chain_link(dir, &d);

	if (d.n > 0) {
		for (i = 0; i < d.n; i++)
			printf("FAILED %s\n", d.lines[i]);
		printf("%s: verification FAILED (%zu problem%s)\n", dir, d.n,
		       d.n == 1 ? "" : "s");
		goto out;
	}
	printf("%s: OK, %zu files match the MANIFEST\n", dir, files);
	printf("signature: valid, key %s%s\n", fp, pubkey != NULL ?
	       " (the key given)" : " (the bundle's signer.pem: check this "
	       "fingerprint against the signer's published key)");
	if (tsr != NULL)
		printf("time stamp: %s by %s%s\n", when, tsa ? tsa : "?",
		       tsa_ca != NULL ? " (chains to --tsa-ca)" :
		       " (TSA identity not checked: give --tsa-ca)");
	rc = sig_ok ? EXIT_PLUMB_OK : EXIT_PLUMB_ERROR;
out:
	diags_release(&d);
	free(manifest);
	free(sig);
	free(signer);
	free(want);
	free(tsr);
	free(tsa);
	return rc;
}

static int
verify_db(const char *path)
{
	struct errbuf e = { "" };
	struct store *st = NULL;
	json_t *scans = NULL;
	const json_t *head;
	int64_t bad = 0;
	int r, rc = EXIT_PLUMB_ERROR;

	if (access(path, F_OK) != 0) {
		cli_error("%s: %s", path, strerror(errno));
		return EXIT_PLUMB_ERROR;
	}
	if (store_open(path, &st, &e) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	r = store_verify_chain(st, &bad, &e);
	if (r == PLUMB_EINVAL) {
		printf("FAILED %s\n", e.msg);
		printf("%s: the hash chain is broken at scan %lld\n", path,
		       (long long)bad);
		goto out;
	}
	if (r != 0 || store_list_scans(st, NULL, &scans, &e) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	head = json_array_get(scans, json_array_size(scans) - 1);
	printf("%s: OK, %zu scans, every link holds", path,
	       json_array_size(scans));
	if (head != NULL)
		printf("; head scan %lld hash %s",
		       (long long)json_integer_value(json_object_get(head, "seq")),
		       json_string_value(json_object_get(head, "hash")));
	printf("\n");
	rc = EXIT_PLUMB_OK;
out:
	json_decref(scans);
	store_close(st);
	return rc;
}

int
cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pubkey", required_argument, NULL, 'p' },
		{ "tsa-ca", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pubkey = NULL, *tsa_ca = NULL, *db = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': pubkey = optarg; break;
		case 'c': tsa_ca = optarg; break;
		case 'd': db = optarg; break;
		case 'h': verify_usage(stdout); return EXIT_PLUMB_OK;
		default: return cli_usage_error("verify", "invalid option");
		}
	}
	if (db != NULL) {
		if (optind != argc || pubkey != NULL || tsa_ca != NULL)
			return cli_usage_error("verify", "--db FILE takes no "
					       "bundle options");
		return verify_db(db);
	}
	if (optind + 1 != argc)
		return cli_usage_error("verify", "give one bundle directory "
				       "or --db FILE");
	return verify_bundle(argv[optind], pubkey, tsa_ca);
}

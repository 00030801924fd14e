/*
 * cmd_export.c - `plumb export`: a signed evidence bundle of one stored
 * scan, checkable with plumb verify or with plain sha256sum and openssl.
 *
 *   reports/     the scan in every report format
 *   evidence/scan.json   the scan document exactly as the history stored
 *                and hashed it (its canonical text)
 *   inputs/      the baseline and owners files the scan judged against,
 *                from the history's copies
 *   history/chain.json   where the scan sits in the hash chain and the
 *                chain's head at export time, so an auditor holding two
 *                bundles sees the history continue between them
 *   signer.pem   the public key; MANIFEST (sha256sum format, every file);
 *   MANIFEST.sig (Ed25519 over MANIFEST's bytes); MANIFEST.tsr with --tsa
 *
 * The bundle is built in a temporary directory beside DIR and renamed into
 * place only when complete, so DIR is either the whole bundle or absent.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"
#include "cmd.h"
#include "net_tsa.h"
#include "output.h"
#include "store.h"
#include "store_blob.h"

/* Every report of the bundle: format and file name. */
static const struct {
	const char *format;
	const char *file;
} export_reports[] = {
	{ "text", "reports/report.txt" },
	{ "json", "reports/report.json" },
	{ "html", "reports/report.html" },
	{ "csv", "reports/report.csv" },
	{ "xccdf", "reports/xccdf-results.xml" },
	{ "arf", "reports/arf.xml" },
	{ "oscal", "reports/oscal-assessment-results.json" },
	{ "sarif", "reports/results.sarif" },
	{ "junit", "reports/junit.xml" },
};

static void
export_usage(FILE *f)
{
	fprintf(f,
		"usage: plumb export [--scan ID|latest] [--db FILE] --key KEY "
		"[--tsa URL] -o DIR\n\n"
		"Writes a signed evidence bundle of a stored scan into DIR (which\n"
		"must not exist): every report format, the scan document as\n"
		"stored, the baseline and owners files used, the history chain's\n"
		"head, a MANIFEST of sha256 sums, its Ed25519 signature and the\n"
		"signer's public key.  Check it with plumb verify DIR, or with\n"
		"sha256sum -c MANIFEST and openssl (see README).\n\n"
		"  --scan REF          latest (default), a sequence number or a scan id\n"
		"  --db FILE           history database\n"
		"  --key KEY           Ed25519 private key (PEM; plumb keygen)\n"
		"  --tsa URL           also time-stamp the MANIFEST at this RFC 3161\n"
		"                      time-stamp authority (MANIFEST.tsr)\n"
		"  --tsa-ca FILE       CA certificates the TSA must chain to\n"
		"  -o, --output DIR    the bundle directory to create\n");
}

/* Writes n bytes to dir/rel, making rel's directory; 0 or -1 (printed). */
static int
put_file(const char *dir, const char *rel, const void *data, size_t n)
{
	struct errbuf e = { "" };
	char *path = xasprintf("%s/%s", dir, rel), *slash;
	int r;

	slash = strrchr(path, '/');
	*slash = '\0';
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		cli_error("%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	*slash = '/';
	r = write_file_atomic(path, data, n, 0644, &e);
	if (r != 0)
		cli_error("%s", e.msg);
	free(path);
	return r == 0 ? 0 : -1;
}

/* Renders doc in format into dir/rel. */
static int
put_report(const char *dir, const char *rel, const char *format,
	   const json_t *doc, struct store *st)
{
	const struct output_writer *w = output_find(format);
	struct output_opts oo = { 0, 1, st };
	struct errbuf e = { "" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r = -1;

	if (w == NULL || (f = open_memstream(&buf, &len)) == NULL) {
		cli_error("%s: cannot render %s", rel, format);
		return -1;
	}
	if (w->write(doc, f, &oo, &e) != 0) {
		cli_error("%s: %s", rel, e.msg);
		fclose(f);
		goto out;
	}
	if (fclose(f) != 0) {
		cli_error("%s: %s", rel, strerror(errno));
		goto out;
	}
	r = put_file(dir, rel, buf, len);
out:
	free(buf);
	return r;
}

/* Copies the stored input with that sha256 to dir/rel; a missing copy (a
 * scan recorded before plumb kept its inputs) is reported in *missing. */
static int
put_input(const char *dir, const char *rel, struct store *st,
	  const char *sha256, json_t *inputs, const char *kind)
{
	struct errbuf e = { "" };
	char *data = NULL, *name = NULL;
	size_t len = 0;
	int r;

	if (sha256 == NULL || sha256[0] == '\0')
		return 0;
	r = store_get_blob(st, sha256, &data, &len, NULL, &name, &e);
	if (r == PLUMB_ENOENT) {
		fprintf(stderr, "plumb export: warning: the history holds no "
			"copy of the %s file (sha256 %s); the bundle names it "
			"only by hash\n", kind, sha256);
		json_array_append_new(inputs, json_pack("{s:s, s:s, s:n}",
			"kind", kind, "sha256", sha256, "file"));
		return 0;
	}
	if (r != 0) {
		cli_error("%s", e.msg);
		return -1;
	}
	r = put_file(dir, rel, data, len);
	json_array_append_new(inputs, json_pack("{s:s, s:s, s:s, s:s?}",
		"kind", kind, "sha256", sha256, "file", rel, "recorded_path",
		name));
	free(data);
	free(name);
	return r;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/*
 * history/chain.json: the exported scan's link and the chain's head.  The
 * chain is verified first: evidence from a broken history is refused.
 */
static int
put_chain(const char *dir, struct store *st, const json_t *doc,
	  const char *canonical, json_t *inputs)
{
	struct errbuf e = { "" };
	json_t *scans = NULL, *chain = NULL, *me = NULL;
	const json_t *s, *head;
	json_int_t seq = json_integer_value(
		json_object_get(json_object_get(doc, "scan"), "seq"));
	int64_t bad = 0;
	char now[32], hash[65], *text = NULL, *linked = NULL;
	size_t i;
	int r = -1;

	if (store_verify_chain(st, &bad, &e) != 0) {
		cli_error("the history's hash chain is broken, so its scans "
			  "cannot be exported as evidence: %s", e.msg);
		return -1;
	}
	if (store_list_scans(st, NULL, &scans, &e) != 0) {
		cli_error("%s", e.msg);
		return -1;
	}
	json_array_foreach(scans, i, s)
		if (json_integer_value(json_object_get(s, "seq")) == seq)
			me = (json_t *)s;
	head = json_array_get(scans, json_array_size(scans) - 1);
	if (me == NULL || head == NULL) {
		cli_error("scan %lld is not in the history", (long long)seq);
		goto out;
	}
	/* The link must recompute from the bytes the bundle carries. */
	linked = xasprintf("%s%s", json_string_value(json_object_get(me,
							"prev_hash")), canonical);
	sha256_hex(linked, strlen(linked), hash);
	if (strcmp(hash, json_string_value(json_object_get(me, "hash"))) != 0) {
		cli_error("scan %lld: its stored hash does not recompute from "
			  "its document", (long long)seq);
		goto out;
	}
	time_rfc3339(time(NULL), now);
	chain = json_pack("{s:s, s:s, s:{s:O, s:O, s:O, s:O}, s:{s:O, s:O, "
			  "s:O}, s:I, s:s, s:O}",
		"schema", "plumb.chain/1",
		"rule", "hash = sha256(prev_hash || evidence/scan.json), "
			"prev_hash of the first scan = 64 zeros",
		"scan", "seq", json_object_get(me, "seq"), "id",
			json_object_get(me, "id"), "prev_hash",
			json_object_get(me, "prev_hash"), "hash",
			json_object_get(me, "hash"),
		"head", "seq", json_object_get(head, "seq"), "id",
			json_object_get(head, "id"), "hash",
			json_object_get(head, "hash"),
		"scans", (json_int_t)json_array_size(scans),
		"exported", now,
		"inputs", inputs);
	text = json_dumps(chain, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (text == NULL) {
		cli_error("history/chain.json: cannot encode");
		goto out;
	}
	r = put_file(dir, "history/chain.json", text, strlen(text));
out:
	free(text);
	free(linked);
	json_decref(chain);
	json_decref(scans);
	return r;
}

/* Asks the TSA for a time stamp over the MANIFEST and checks the reply. */
static int
put_tsr(const char *dir, const char *url, const char *ca, const char *manifest,
	size_t len)
{
	struct errbuf e = { "" };
	struct bundle_nonce nonce;
	unsigned char *req = NULL, *resp = NULL;
	size_t req_len = 0, resp_len = 0;
	char when[32], *tsa = NULL;
	int r = -1;

	if (bundle_ts_request(manifest, len, &nonce, &req, &req_len, &e) != 0 ||
	    net_tsa_post(url, req, req_len, &resp, &resp_len, &e) != 0) {
		cli_error("time stamp: %s", e.msg);
		goto out;
	}
	if (bundle_ts_check(resp, resp_len, manifest, len, &nonce, ca, when,
			    &tsa, &e) != 0) {
		cli_error("time stamp from %s: %s", url, e.msg);
		goto out;
	}
	if ((r = put_file(dir, BUNDLE_TSR, resp, resp_len)) == 0)
		printf("time-stamped %s by %s\n", when, tsa ? tsa : url);
out:
	free(req);
	free(resp);
	free(tsa);
	return r;
}

int
cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scan", required_argument, NULL, 's' },
		{ "db", required_argument, NULL, 'd' },
		{ "key", required_argument, NULL, 'k' },
		{ "tsa", required_argument, NULL, 't' },
		{ "tsa-ca", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ref = "latest", *db_arg = NULL, *key = NULL, *tsa = NULL;
	const char *tsa_ca = NULL, *outdir = NULL;
	struct errbuf e = { "" };
	struct store *st = NULL;
	json_t *doc = NULL, *inputs = json_array();
	const json_t *scan;
	unsigned char sig[BUNDLE_SIG_LEN];
	char *db = NULL, *tmp = NULL, *canonical = NULL, *manifest = NULL;
	char *pub = NULL, *dcopy = NULL, *bcopy = NULL;
	size_t i, mlen = 0;
	int c, made = 0, rc = EXIT_PLUMB_ERROR;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': ref = optarg; break;
		case 'd': db_arg = optarg; break;
		case 'k': key = optarg; break;
		case 't': tsa = optarg; break;
		case 'c': tsa_ca = optarg; break;
		case 'o': outdir = optarg; break;
		case 'h': export_usage(stdout); rc = EXIT_PLUMB_OK; goto out;
		default: rc = cli_usage_error("export", "invalid option"); goto out;
		}
	}
	if (optind != argc) {
		rc = cli_usage_error("export", "unexpected argument '%s'",
				     argv[optind]);
		goto out;
	}
	if (key == NULL || outdir == NULL) {
		rc = cli_usage_error("export", "--key KEY and -o DIR are required");
		goto out;
	}
	if (access(outdir, F_OK) == 0) {
		cli_error("%s already exists; plumb export never replaces a "
			  "bundle", outdir);
		goto out;
	}
	db = cli_db_path(db_arg);
	if (access(db, F_OK) != 0) {
		cli_error("%s: no history yet (run plumb scan first)", db);
		goto out;
	}
	if (store_open(db, &st, &e) != 0 ||
	    store_get_scan(st, ref, &doc, &e) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}

	dcopy = xstrdup(outdir);
	bcopy = xstrdup(outdir);
	tmp = xasprintf("%s/.%s.tmp-XXXXXX", dirname(dcopy), basename(bcopy));
	if (mkdtemp(tmp) == NULL) {
		cli_error("%s: %s", tmp, strerror(errno));
		goto out;
	}
	made = 1;
	if (chmod(tmp, 0755) != 0) {
		cli_error("%s: %s", tmp, strerror(errno));
		goto out;
	}

	for (i = 0; i < sizeof(export_reports) / sizeof(export_reports[0]); i++)
		if (put_report(tmp, export_reports[i].file,
			       export_reports[i].format, doc, st) != 0)
			goto out;
	canonical = store_canonical(doc);
	if (put_file(tmp, "evidence/scan.json", canonical,
		     strlen(canonical)) != 0)
		goto out;
	scan = json_object_get(doc, "scan");
	if (put_input(tmp, "inputs/baseline.xml", st, json_string_value(
			json_object_get(json_object_get(scan, "baseline"),
					"sha256")), inputs, "baseline") != 0 ||
	    put_input(tmp, "inputs/owners.xml", st, json_string_value(
			json_object_get(json_object_get(scan, "owners"),
					"sha256")), inputs, "owners") != 0)
		goto out;
	if (put_chain(tmp, st, doc, canonical, inputs) != 0)
		goto out;

	/* signer.pem is listed in the MANIFEST, so it is written first; this
	 * first signing (of nothing) only derives it from the key, and proves
	 * the key usable before anything else is done with it. */
	if (bundle_sign(key, "", 0, sig, &pub, &e) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	if (put_file(tmp, BUNDLE_SIGNER, pub, strlen(pub)) != 0)
		goto out;
	if (bundle_manifest(tmp, &manifest, &mlen, &e) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	if (put_file(tmp, BUNDLE_MANIFEST, manifest, mlen) != 0)
		goto out;
	free(pub);
	pub = NULL;
	if (bundle_sign(key, manifest, mlen, sig, &pub, &e) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	if (put_file(tmp, BUNDLE_SIG, sig, sizeof(sig)) != 0)
		goto out;
	if (tsa != NULL && put_tsr(tmp, tsa, tsa_ca, manifest, mlen) != 0)
		goto out;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, outdir, RENAME_NOREPLACE) != 0) {
		cli_error("%s: %s", outdir, strerror(errno));
		goto out;
	}
	made = 0;
	printf("exported scan %lld to %s\n",
	       (long long)json_integer_value(json_object_get(scan, "seq")),
	       outdir);
	rc = EXIT_PLUMB_OK;
out:
	if (made)
		nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(tmp);
	free(dcopy);
	free(bcopy);
	free(canonical);
	free(manifest);
	free(pub);
	json_decref(inputs);
	json_decref(doc);
	store_close(st);
	free(db);
	return rc;
}

/*
 * bundle.h - the signed evidence bundle: a directory of reports and raw
 * evidence, a MANIFEST in sha256sum's format, an Ed25519 signature over the
 * MANIFEST's exact bytes (MANIFEST.sig, 64 raw bytes), the signer's public
 * key (signer.pem) and optionally an RFC 3161 time-stamp reply over the
 * MANIFEST (MANIFEST.tsr).  Everything here checks with plain tools:
 *
 *   sha256sum -c MANIFEST
 *   openssl pkeyutl -verify -pubin -inkey signer.pem -rawin -in MANIFEST \
 *       -sigfile MANIFEST.sig
 *   openssl ts -verify -data MANIFEST -in MANIFEST.tsr -CAfile tsa.pem
 *
 * This module holds the cryptography (OpenSSL) and the directory rules; it
 * never touches the network (net_tsa.c posts requests) or the history.
 */
#ifndef PLUMB_BUNDLE_H
#define PLUMB_BUNDLE_H

#include <stddef.h>

#include "diags.h"
#include "util.h"

#define BUNDLE_MANIFEST "MANIFEST"
#define BUNDLE_SIG "MANIFEST.sig"
#define BUNDLE_TSR "MANIFEST.tsr"
#define BUNDLE_SIGNER "signer.pem"
#define BUNDLE_SIG_LEN 64	/* an Ed25519 signature */

/* ---- keys ---- */

/*
 * Writes a new Ed25519 key pair: the private key to priv_path (PEM PKCS#8,
 * created with O_EXCL and mode 0600, so an existing file is never
 * replaced) and the public key to pub_path (PEM SubjectPublicKeyInfo, mode
 * 0644, also O_EXCL).  On failure nothing is left behind.
 */
int bundle_keygen(const char *priv_path, const char *pub_path,
		  struct errbuf *e);

/*
 * Signs n bytes at data with the Ed25519 private key in the PEM file at
 * key_path (as plumb keygen or `openssl genpkey -algorithm ed25519` write
 * it; an encrypted key is refused rather than prompted for).  sig gets the
 * 64-byte signature; *pub_pem (the caller frees) the public key as PEM.
 */
int bundle_sign(const char *key_path, const void *data, size_t n,
		unsigned char sig[BUNDLE_SIG_LEN], char **pub_pem,
		struct errbuf *e);

/* Checks an Ed25519 signature with a PEM public key (pem, pem_len bytes):
 * 0, PLUMB_EINVAL when it does not verify, or another code when the key is
 * not a usable Ed25519 public key. */
int bundle_verify_sig(const char *pem, size_t pem_len, const void *data,
		      size_t n, const unsigned char *sig, size_t sig_len,
		      struct errbuf *e);

/* "sha256:<hex of the DER public key>", the key's fingerprint, into out
 * (72 bytes); 0 or PLUMB_EPARSE. */
int bundle_key_fingerprint(const char *pem, size_t pem_len, char out[72],
			   struct errbuf *e);

/* ---- the directory and its MANIFEST ---- */

/*
 * The regular files under dir, as sorted relative paths ("reports/x.html"),
 * without MANIFEST, MANIFEST.sig and MANIFEST.tsr at the top.  A symlink,
 * device, FIFO or socket anywhere, more than PLUMB_BUNDLE_FILES_MAX files,
 * or a name a MANIFEST line cannot carry is a problem added to d (and the
 * entry is left out).  Free the list with bundle_list_free.
 */
int bundle_list(const char *dir, char ***paths, size_t *n, struct diags *d,
		struct errbuf *e);
void bundle_list_free(char **paths, size_t n);

/* The MANIFEST for dir: "<sha256 hex>  <path>\n" for every file of
 * bundle_list, in its order.  *text (NUL-terminated) is the caller's. */
int bundle_manifest(const char *dir, char **text, size_t *len,
		    struct errbuf *e);

/*
 * Checks dir against its MANIFEST: every line well-formed, every listed
 * file present with that sha256, no file unlisted, no symlink or special
 * file.  Each problem, naming the file, goes to d.  Returns 0 when there is
 * none, PLUMB_EINVAL when there are, another code when the MANIFEST cannot
 * be read.  *files is the number of files listed.
 */
int bundle_check_manifest(const char *dir, const char *manifest, size_t len,
			  size_t *files, struct diags *d, struct errbuf *e);

/* ---- RFC 3161 time stamps ---- */

/* A nonce for a time-stamp request (64 random bits, as OpenSSL's ts). */
struct bundle_nonce {
	unsigned char b[8];
};

/*
 * A DER TimeStampReq for the sha256 of data: version 1, a fresh random
 * nonce (returned), certReq true.  *der is the caller's (free()).
 */
int bundle_ts_request(const void *data, size_t n, struct bundle_nonce *nonce,
		      unsigned char **der, size_t *der_len, struct errbuf *e);

/*
 * Checks a DER TimeStampResp for data: status granted, the imprint is the
 * sha256 of data, the nonce is nonce (when not NULL), and the token's
 * signature holds.  With ca_file the signer must chain to a CA in it (and
 * carry the timeStamping purpose, as `openssl ts -verify -CAfile` checks);
 * without, the same checks run trusting the certificates the token
 * carries, which proves integrity but not who the TSA is.  The status must
 * be "granted".  *when (may be
 * NULL) gets the genTime ("2026-08-20T02:13:41Z"), *tsa (may be NULL, the
 * caller frees) the signer's subject.
 */
int bundle_ts_check(const unsigned char *tsr, size_t tsr_len, const void *data,
		    size_t n, const struct bundle_nonce *nonce,
		    const char *ca_file, char when[32], char **tsa,
		    struct errbuf *e);

#endif

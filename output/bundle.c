/*
 * bundle.c - the signed evidence bundle (bundle.h): Ed25519 keys and
 * signatures, the MANIFEST of a directory and its check, RFC 3161
 * time-stamp requests and replies.  OpenSSL does the cryptography; this
 * file decides what a well-formed bundle is.
 *
 * A bundle being verified may come from anyone, so its directory is walked
 * without following a symlink anywhere (openat2 with RESOLVE_BENEATH and
 * RESOLVE_NO_SYMLINKS), its MANIFEST and key files are read up to the caps
 * in plumb_limits.h, and each problem names the file it is about.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "bundle.h"

/* The last OpenSSL error as text, for messages. */
static const char *
ossl_err(void)
{
	static __thread char buf[256];
	unsigned long code = ERR_get_error();

	if (code == 0)
		return "unknown OpenSSL error";
	ERR_error_string_n(code, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

/* ---- keys ---- */

/* Creates path with O_EXCL and mode, writes n bytes and syncs; on failure
 * the file is removed. */
static int
write_new_file(const char *path, const void *data, size_t n, mode_t mode,
	       struct errbuf *e)
{
	const char *p = data;
	size_t done = 0;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  mode);
	if (fd < 0)
		return err_set(e, errno == EEXIST ? PLUMB_EUSAGE : PLUMB_EIO,
			       "%s: %s%s", path, strerror(errno),
			       errno == EEXIST ? " (a key is never replaced)" :
			       "");
	/* The umask must not widen or narrow what the caller asked for. */
	if (fchmod(fd, mode) != 0)
		goto fail;
	while (done < n) {
		ssize_t w = write(fd, p + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		done += (size_t)w;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	return PLUMB_OK;
fail:
	err_set(e, PLUMB_EIO, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(path);
	return PLUMB_EIO;
}

/* The PEM text a BIO holds, as a new string. */
static char *
bio_text(BIO *b, size_t *len)
{
	char *p = NULL;
	long n = BIO_get_mem_data(b, &p);
	char *s = xmalloc((size_t)n + 1);

	memcpy(s, p, (size_t)n);
	s[n] = '\0';
	if (len != NULL)
		*len = (size_t)n;
	return s;
}

static char *
pubkey_pem(EVP_PKEY *k, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s = NULL;

	if (b != NULL && PEM_write_bio_PUBKEY(b, k) == 1)
		s = bio_text(b, len);
	BIO_free(b);
	return s;
}

int
bundle_keygen(const char *priv_path, const char *pub_path, struct errbuf *e)
{
	EVP_PKEY *k = NULL;
	BIO *b = NULL;
	char *priv = NULL, *pub = NULL;
	size_t priv_len = 0, pub_len = 0;
	int r = PLUMB_EIO;

	if ((k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL) {
		r = err_set(e, PLUMB_EIO, "generating an Ed25519 key: %s",
			    ossl_err());
		goto out;
	}
	if ((b = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) != 1) {
		r = err_set(e, PLUMB_EIO, "encoding the key: %s", ossl_err());
		goto out;
	}
	priv = bio_text(b, &priv_len);
	if ((pub = pubkey_pem(k, &pub_len)) == NULL) {
		r = err_set(e, PLUMB_EIO, "encoding the public key: %s",
			    ossl_err());
		goto out;
	}
	if ((r = write_new_file(priv_path, priv, priv_len, 0600, e)) != 0)
		goto out;
	if ((r = write_new_file(pub_path, pub, pub_len, 0644, e)) != 0)
		unlink(priv_path);
out:
	if (priv != NULL)
		OPENSSL_cleanse(priv, priv_len);
	free(priv);
	free(pub);
	BIO_free(b);
	EVP_PKEY_free(k);
	return r;
}

/* Never prompts: an encrypted key is refused. */
static int
no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

int
bundle_sign(const char *key_path, const void *data, size_t n,
	    unsigned char sig[BUNDLE_SIG_LEN], char **pub_pem, struct errbuf *e)
{
	EVP_PKEY *k = NULL;
	EVP_MD_CTX *ctx = NULL;
	BIO *b = NULL;
	char *pem = NULL;
	size_t pem_len = 0, siglen = BUNDLE_SIG_LEN;
	int r;

	*pub_pem = NULL;
	if ((r = read_local_file(key_path, PLUMB_KEYFILE_MAX, &pem, &pem_len,
				 e)) != 0)
		return r;
	if ((b = BIO_new_mem_buf(pem, (int)pem_len)) == NULL ||
	    (k = PEM_read_bio_PrivateKey(b, NULL, no_password, NULL)) == NULL) {
		r = err_set(e, PLUMB_EPARSE, "%s: not an unencrypted PEM "
			    "private key (%s)", key_path, ossl_err());
		goto out;
	}
	if (EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
		r = err_set(e, PLUMB_EPARSE, "%s: not an Ed25519 key (make one "
			    "with plumb keygen or openssl genpkey -algorithm "
			    "ed25519)", key_path);
		goto out;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, k) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, data, n) != 1 ||
	    siglen != BUNDLE_SIG_LEN) {
		r = err_set(e, PLUMB_EIO, "%s: signing failed: %s", key_path,
			    ossl_err());
		goto out;
	}
	if ((*pub_pem = pubkey_pem(k, NULL)) == NULL) {
		r = err_set(e, PLUMB_EIO, "encoding the public key: %s",
			    ossl_err());
		goto out;
	}
	r = PLUMB_OK;
out:
	if (pem != NULL)
		OPENSSL_cleanse(pem, pem_len);
	free(pem);
	BIO_free(b);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
	return r;
}

/* The Ed25519 public key in pem, or NULL with e set. */
static EVP_PKEY *
read_pubkey(const char *pem, size_t pem_len, struct errbuf *e)
{
	BIO *b;
	EVP_PKEY *k = NULL;

	if (pem_len > PLUMB_KEYFILE_MAX ||
	    (b = BIO_new_mem_buf(pem, (int)pem_len)) == NULL) {
		err_set(e, PLUMB_EPARSE, "not a PEM public key");
		return NULL;
	}
	k = PEM_read_bio_PUBKEY(b, NULL, no_password, NULL);
	BIO_free(b);
	if (k == NULL) {
		err_set(e, PLUMB_EPARSE, "not a PEM public key (%s)",
			ossl_err());
		return NULL;
	}
	if (EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(k);
		err_set(e, PLUMB_EPARSE, "not an Ed25519 public key");
		return NULL;
	}
	return k;
}

int
bundle_verify_sig(const char *pem, size_t pem_len, const void *data,
		  size_t n, const unsigned char *sig, size_t sig_len,
		  struct errbuf *e)
{
	EVP_PKEY *k;
	EVP_MD_CTX *ctx = NULL;
	int r;

	if ((k = read_pubkey(pem, pem_len, e)) == NULL)
		return PLUMB_EPARSE;
	if (sig_len != BUNDLE_SIG_LEN) {
		r = err_set(e, PLUMB_EINVAL, "the signature is %zu bytes, not "
			    "the %d of an Ed25519 signature", sig_len,
			    BUNDLE_SIG_LEN);
		goto out;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k) != 1) {
		r = err_set(e, PLUMB_EIO, "verifying: %s", ossl_err());
		goto out;
	}
	if (EVP_DigestVerify(ctx, sig, sig_len, data, n) != 1) {
		ERR_clear_error();
		r = err_set(e, PLUMB_EINVAL, "the signature does not match");
		goto out;
	}
	r = PLUMB_OK;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
	return r;
}

int
bundle_key_fingerprint(const char *pem, size_t pem_len, char out[72],
		       struct errbuf *e)
{
	EVP_PKEY *k;
	unsigned char *der = NULL;
	char hex[65];
	int n;

	if ((k = read_pubkey(pem, pem_len, e)) == NULL)
		return PLUMB_EPARSE;
	n = i2d_PUBKEY(k, &der);
	EVP_PKEY_free(k);
	if (n <= 0)
		return err_set(e, PLUMB_EPARSE, "encoding the key: %s",
			       ossl_err());
	sha256_hex(der, (size_t)n, hex);
	OPENSSL_free(der);
	snprintf(out, 72, "sha256:%s", hex);
	return PLUMB_OK;
}

/* ---- the directory ---- */

/* Opens rel beneath dirfd without following any symlink on the way. */
static int
open_beneath(int dirfd, const char *rel, int flags)
{
	struct open_how how;
	int fd;

	memset(&how, 0, sizeof(how));
	how.flags = (unsigned long long)(flags | O_CLOEXEC | O_NOFOLLOW);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
		      RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
	if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {
		/* Without openat2 the walk has already seen every parent as
		 * a directory; O_NOFOLLOW guards the last step. */
		if (rel[0] == '/' || strstr(rel, "..") != NULL) {
			errno = EXDEV;
			return -1;
		}
		fd = openat(dirfd, rel, flags | O_CLOEXEC | O_NOFOLLOW);
	}
	return fd;
}

/* A name a MANIFEST line can carry unescaped, as sha256sum -c reads it:
 * UTF-8, no control characters, no backslash. */
static int
name_ok(const char *s)
{
	const unsigned char *p;

	if (!utf8_valid(s, strlen(s)))
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			return 0;
	return 1;
}

static int
top_special(const char *rel)
{
	return strcmp(rel, BUNDLE_MANIFEST) == 0 ||
	       strcmp(rel, BUNDLE_SIG) == 0 || strcmp(rel, BUNDLE_TSR) == 0;
}

static int
cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
bundle_list_free(char **paths, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

int
bundle_list(const char *dir, char ***paths, size_t *n, struct diags *d,
	    struct errbuf *e)
{
	char **files = NULL, **dirs = NULL;
	size_t nfiles = 0, ndirs = 0, next = 0, seen = 0;
	int rootfd, r = PLUMB_OK;

	*paths = NULL;
	*n = 0;
	rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return err_set(e, errno == ENOENT ? PLUMB_ENOENT : PLUMB_EIO,
			       "%s: %s", dir, strerror(errno));
	/* Breadth first over relative paths, one open directory at a time. */
	dirs = xreallocarray(dirs, 1, sizeof(*dirs));
	dirs[ndirs++] = xstrdup(".");
	while (next < ndirs) {
		const char *cur = dirs[next++];
		struct dirent *de;
		DIR *dh;
		int fd = open_beneath(rootfd, cur, O_RDONLY | O_DIRECTORY);

		if (fd < 0 || (dh = fdopendir(fd)) == NULL) {
			diags_add(d, cur, 0, "cannot be read: %s",
				  strerror(errno));
			if (fd >= 0)
				close(fd);
			continue;
		}
		while ((de = readdir(dh)) != NULL) {
			struct stat sb;
			char *rel;

			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			rel = strcmp(cur, ".") == 0 ? xstrdup(de->d_name) :
			      xasprintf("%s/%s", cur, de->d_name);
			if (++seen > PLUMB_BUNDLE_FILES_MAX) {
				diags_add(d, dir, 0, "more than %d entries; the "
					  "rest were not checked",
					  PLUMB_BUNDLE_FILES_MAX);
				free(rel);
				break;
			}
			if (fstatat(dirfd(dh), de->d_name, &sb,
				    AT_SYMLINK_NOFOLLOW) != 0) {
				diags_add(d, rel, 0, "cannot be read: %s",
					  strerror(errno));
				free(rel);
			} else if (!name_ok(de->d_name)) {
				diags_add(d, rel, 0, "a name a MANIFEST line "
					  "cannot carry");
				free(rel);
			} else if (S_ISDIR(sb.st_mode)) {
				dirs = xreallocarray(dirs, ndirs + 1,
						     sizeof(*dirs));
				dirs[ndirs++] = rel;
			} else if (S_ISREG(sb.st_mode)) {
				if (top_special(rel)) {
					free(rel);
					continue;
				}
				files = xreallocarray(files, nfiles + 1,
						      sizeof(*files));
				files[nfiles++] = rel;
			} else {
				diags_add(d, rel, 0, "%s, not a regular file",
					  S_ISLNK(sb.st_mode) ? "a symlink" :
					  "a special file");
				free(rel);
			}
		}
		closedir(dh);
		if (seen > PLUMB_BUNDLE_FILES_MAX)
			break;
	}
	close(rootfd);
	bundle_list_free(dirs, ndirs);
	if (nfiles > 0)
		qsort(files, nfiles, sizeof(*files), cmp_path);
	*paths = files;
	*n = nfiles;
	return r;
}

/* sha256 of the regular file rel beneath rootfd, streamed. */
static int
hash_file(int rootfd, const char *rel, char hex[65], struct errbuf *e)
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = NULL;
	struct stat sb;
	int fd, r = PLUMB_EIO;

	if ((fd = open_beneath(rootfd, rel, O_RDONLY)) < 0)
		return err_set(e, errno == ENOENT ? PLUMB_ENOENT : PLUMB_EIO,
			       "%s", strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return err_set(e, PLUMB_EINVAL, "not a regular file");
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		err_set(e, PLUMB_EIO, "%s", ossl_err());
		goto out;
	}
	for (;;) {
		ssize_t got = read(fd, buf, sizeof(buf));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err_set(e, PLUMB_EIO, "%s", strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)got);
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1) {
		err_set(e, PLUMB_EIO, "%s", ossl_err());
		goto out;
	}
	hex_encode(md, mdlen, hex);
	r = PLUMB_OK;
out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return r;
}

int
bundle_manifest(const char *dir, char **text, size_t *len, struct errbuf *e)
{
	struct diags d = { NULL, 0 };
	struct dynbuf b;
	char **paths = NULL, hex[65];
	size_t n = 0, i;
	int rootfd = -1, r;

	*text = NULL;
	*len = 0;
	dynbuf_init(&b, PLUMB_MANIFEST_MAX);
	if ((r = bundle_list(dir, &paths, &n, &d, e)) != 0)
		goto out;
	if (d.n > 0) {
		r = err_set(e, PLUMB_EINVAL, "%s", d.lines[0]);
		goto out;
	}
	if ((rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = err_set(e, PLUMB_EIO, "%s: %s", dir, strerror(errno));
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((r = hash_file(rootfd, paths[i], hex, e)) != 0) {
			err_prefix(e, r, "%s", paths[i]);
			goto out;
		}
		if ((r = dynbuf_printf(&b, "%s  %s\n", hex, paths[i])) != 0) {
			r = err_set(e, PLUMB_ELIMIT, "%s: the MANIFEST would be "
				    "larger than %u bytes", dir,
				    PLUMB_MANIFEST_MAX);
			goto out;
		}
	}
	dynbuf_addstr(&b, "");
	*text = dynbuf_take(&b, len);
out:
	if (rootfd >= 0)
		close(rootfd);
	dynbuf_release(&b);
	bundle_list_free(paths, n);
	diags_release(&d);
	return r;
}

/* A MANIFEST path: relative, no empty, "." or ".." component, a name
 * bundle_list would list. */
static int
manifest_path_ok(const char *p)
{
	const char *c = p;

	if (*p == '\0' || *p == '/' || !name_ok(p) || top_special(p))
		return 0;
	while (*c != '\0') {
		const char *slash = strchr(c, '/');
		size_t n = slash ? (size_t)(slash - c) : strlen(c);

		if (n == 0 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		c += n;
		if (*c == '/')
			c++;
		if (slash != NULL && *c == '\0')
			return 0;
	}
	return 1;
}

static int
is_hex64(const char *s)
{
	int i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int
bundle_check_manifest(const char *dir, const char *manifest, size_t len,
		      size_t *files, struct diags *d, struct errbuf *e)
{
	struct errbuf fe;
	char **listed = NULL, **paths = NULL, hex[65];
	size_t nlisted = 0, npaths = 0, i, j, before = d->n;
	const char *p = manifest, *end = manifest + len;
	int rootfd = -1, lineno = 0, r;

	*files = 0;
	if (memchr(manifest, '\0', len) != NULL)
		diags_add(d, BUNDLE_MANIFEST, 0, "holds a NUL byte");
	if (len > 0 && manifest[len - 1] != '\n')
		diags_add(d, BUNDLE_MANIFEST, 0, "does not end with a newline");
	if ((rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = err_set(e, PLUMB_EIO, "%s: %s", dir, strerror(errno));
		goto out;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *path;

		lineno++;
		if (n < 67 || !is_hex64(p) || p[64] != ' ' ||
		    (p[65] != ' ' && p[65] != '*')) {
			diags_add(d, BUNDLE_MANIFEST, lineno, "not a "
				  "\"<sha256>  <path>\" line");
			p += n + 1;
			continue;
		}
		path = xstrndup(p + 66, n - 66);
		if (strlen(path) != n - 66 || !manifest_path_ok(path)) {
			diags_add(d, BUNDLE_MANIFEST, lineno, "not a path a "
				  "bundle can hold");
			free(path);
			p += n + 1;
			continue;
		}
		for (j = 0; j < nlisted; j++)
			if (strcmp(listed[j], path) == 0)
				break;
		if (j < nlisted) {
			diags_add(d, BUNDLE_MANIFEST, lineno, "lists %s twice",
				  path);
			free(path);
			p += n + 1;
			continue;
		}
		listed = xreallocarray(listed, nlisted + 1, sizeof(*listed));
		listed[nlisted++] = path;
		fe.msg[0] = '\0';
		r = hash_file(rootfd, path, hex, &fe);
		if (r == PLUMB_ENOENT)
			diags_add(d, path, 0, "listed in MANIFEST but missing");
		else if (r != 0)
			diags_add(d, path, 0, "cannot be checked: %s", fe.msg);
		else if (memcmp(hex, p, 64) != 0)
			diags_add(d, path, 0, "its sha256 does not match "
				  "MANIFEST (the file was changed)");
		p += n + 1;
	}
	*files = nlisted;
	if ((r = bundle_list(dir, &paths, &npaths, d, e)) != 0)
		goto out;
	for (i = 0; i < npaths; i++) {
		for (j = 0; j < nlisted; j++)
			if (strcmp(listed[j], paths[i]) == 0)
				break;
		if (j == nlisted)
			diags_add(d, paths[i], 0, "not listed in MANIFEST (a "
				  "file was added)");
	}
	r = d->n > before ? PLUMB_EINVAL : PLUMB_OK;
	if (r != 0)
		err_set(e, r, "%s: the files do not match the MANIFEST", dir);
out:
	if (rootfd >= 0)
		close(rootfd);
	bundle_list_free(listed, nlisted);
	bundle_list_free(paths, npaths);
	return r;
}

/* ---- RFC 3161 ---- */

int
bundle_ts_request(const void *data, size_t n, struct bundle_nonce *nonce,
		  unsigned char **der, size_t *der_len, struct errbuf *e)
{
	unsigned char md[32];
	TS_REQ *req = NULL;
	TS_MSG_IMPRINT *imp = NULL;
	X509_ALGOR *alg = NULL;
	ASN1_INTEGER *nint = NULL;
	BIGNUM *bn = NULL;
	unsigned char *out = NULL;
	int len, r = PLUMB_EIO;

	*der = NULL;
	*der_len = 0;
	if (EVP_Digest(data, n, md, NULL, EVP_sha256(), NULL) != 1 ||
	    RAND_bytes(nonce->b, sizeof(nonce->b)) != 1)
		goto fail;
	if ((req = TS_REQ_new()) == NULL || TS_REQ_set_version(req, 1) != 1 ||
	    (imp = TS_MSG_IMPRINT_new()) == NULL ||
	    (alg = X509_ALGOR_new()) == NULL ||
	    X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL,
			    NULL) != 1 ||
	    TS_MSG_IMPRINT_set_algo(imp, alg) != 1 ||
	    TS_MSG_IMPRINT_set_msg(imp, md, sizeof(md)) != 1 ||
	    TS_REQ_set_msg_imprint(req, imp) != 1)
		goto fail;
	if ((bn = BN_bin2bn(nonce->b, sizeof(nonce->b), NULL)) == NULL ||
	    (nint = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    TS_REQ_set_nonce(req, nint) != 1 ||
	    TS_REQ_set_cert_req(req, 1) != 1)
		goto fail;
	if ((len = i2d_TS_REQ(req, &out)) <= 0)
		goto fail;
	*der = xmalloc((size_t)len);
	memcpy(*der, out, (size_t)len);
	*der_len = (size_t)len;
	r = PLUMB_OK;
	goto out;
fail:
	err_set(e, PLUMB_EIO, "building the time-stamp request: %s",
		ossl_err());
out:
	OPENSSL_free(out);
	ASN1_INTEGER_free(nint);
	BN_free(bn);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(imp);
	TS_REQ_free(req);
	return r;
}

/*
 * A store trusting the certificates the token carries, so that OpenSSL's
 * full check (signature, the ESS binding of the signer certificate, the
 * timeStamping purpose) runs without a CA: integrity, not identity.
 */
static X509_STORE *
ts_self_store(PKCS7 *token)
{
	STACK_OF(X509) *certs = PKCS7_type_is_signed(token) ?
				token->d.sign->cert : NULL;
	X509_STORE *store = X509_STORE_new();
	int i;

	if (store == NULL)
		return NULL;
	for (i = 0; i < sk_X509_num(certs); i++)
		X509_STORE_add_cert(store, sk_X509_value(certs, i));
	X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
	return store;
}

int
bundle_ts_check(const unsigned char *tsr, size_t tsr_len, const void *data,
		size_t n, const struct bundle_nonce *nonce, const char *ca_file,
		char when[32], char **tsa, struct errbuf *e)
{
	const unsigned char *q = tsr;
	unsigned char md[32];
	TS_RESP *resp = NULL;
	TS_VERIFY_CTX *ctx = NULL;
	X509_STORE *store = NULL;
	TS_TST_INFO *info;
	PKCS7 *token;
	ASN1_INTEGER *nint = NULL;
	BIGNUM *bn = NULL;
	const ASN1_GENERALIZEDTIME *gt;
	int flags, r = PLUMB_EINVAL;

	if (when != NULL)
		when[0] = '\0';
	if (tsa != NULL)
		*tsa = NULL;
	if (tsr_len > PLUMB_TSR_MAX ||
	    (resp = d2i_TS_RESP(NULL, &q, (long)tsr_len)) == NULL ||
	    q != tsr + tsr_len) {
		ERR_clear_error();
		return err_set(e, PLUMB_EPARSE, "not a DER time-stamp reply");
	}
	/* Only "granted": plumb asks for nothing a TSA should modify, and the
	 * status is outside what the TSA signs. */
	if (ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(
		    TS_RESP_get_status_info(resp))) != 0 ||
	    (token = TS_RESP_get_token(resp)) == NULL ||
	    (info = TS_RESP_get_tst_info(resp)) == NULL) {
		r = err_set(e, PLUMB_EINVAL, "the time-stamp authority did not "
			    "grant a time stamp");
		goto out;
	}
	if (EVP_Digest(data, n, md, NULL, EVP_sha256(), NULL) != 1 ||
	    (ctx = TS_VERIFY_CTX_new()) == NULL) {
		r = err_set(e, PLUMB_EIO, "%s", ossl_err());
		goto out;
	}
	flags = TS_VFY_VERSION | TS_VFY_IMPRINT;
	{
		unsigned char *imp = OPENSSL_memdup(md, sizeof(md));

		TS_VERIFY_CTX_set_imprint(ctx, imp, sizeof(md));
	}
	if (nonce != NULL) {
		if ((bn = BN_bin2bn(nonce->b, sizeof(nonce->b), NULL)) == NULL ||
		    (nint = BN_to_ASN1_INTEGER(bn, NULL)) == NULL) {
			r = err_set(e, PLUMB_EIO, "%s", ossl_err());
			goto out;
		}
		/* OpenSSL 3.0 has no setter for the context's nonce. */
		if (TS_TST_INFO_get_nonce(info) == NULL ||
		    ASN1_INTEGER_cmp(TS_TST_INFO_get_nonce(info), nint) != 0) {
			r = err_set(e, PLUMB_EINVAL, "the time stamp answers "
				    "another request (its nonce differs)");
			goto out;
		}
	}
	if (ca_file != NULL) {
		if ((store = X509_STORE_new()) == NULL ||
		    X509_STORE_load_file(store, ca_file) != 1) {
			r = err_set(e, PLUMB_EPARSE, "%s: no certificates to "
				    "trust (%s)", ca_file, ossl_err());
			goto out;
		}
	} else if ((store = ts_self_store(token)) == NULL) {
		r = err_set(e, PLUMB_EIO, "%s", ossl_err());
		goto out;
	}
	TS_VERIFY_CTX_set_store(ctx, store);
	store = NULL;
	flags |= TS_VFY_SIGNATURE;
	TS_VERIFY_CTX_add_flags(ctx, flags);
	if (TS_RESP_verify_response(ctx, resp) != 1) {
		r = err_set(e, PLUMB_EINVAL, "the time stamp does not match "
			    "(%s)", ossl_err());
		goto out;
	}
	if (when != NULL && (gt = TS_TST_INFO_get_time(info)) != NULL) {
		struct tm tm;

		if (ASN1_TIME_to_tm(gt, &tm) == 1)
			strftime(when, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	if (tsa != NULL) {
		STACK_OF(PKCS7_SIGNER_INFO) *sis = PKCS7_get_signer_info(token);
		STACK_OF(X509) *certs = token->d.sign->cert;
		PKCS7_SIGNER_INFO *si = sk_PKCS7_SIGNER_INFO_value(sis, 0);
		int i;

		for (i = 0; si != NULL && i < sk_X509_num(certs); i++) {
			X509 *c = sk_X509_value(certs, i);

			if (X509_NAME_cmp(X509_get_issuer_name(c),
					  si->issuer_and_serial->issuer) == 0 &&
			    ASN1_INTEGER_cmp(X509_get0_serialNumber(c),
					     si->issuer_and_serial->serial) == 0) {
				char *s = X509_NAME_oneline(
					X509_get_subject_name(c), NULL, 0);

				*tsa = xstrdup(s ? s : "");
				OPENSSL_free(s);
				break;
			}
		}
	}
	r = PLUMB_OK;
out:
	ASN1_INTEGER_free(nint);
	BN_free(bn);
	X509_STORE_free(store);
	TS_VERIFY_CTX_free(ctx);
	TS_RESP_free(resp);
	return r;
}

/*
 * probe_disk.c - the "disk" probe and the disk-encryption check type.
 *
 * The probe decides, for every persistent local filesystem and every swap
 * area, whether each path from it down to a physical disk passes a dm-crypt
 * layer.  On a live root it reads the mount table (proc/self/mounts),
 * proc/swaps and sysfs: each mount's block device is found by name or by
 * major:minor and its stack is walked through sys/class/block/<dev>/{dm,md,
 * slaves,partition,loop}, as lsblk reads it, so no libcryptsetup or ioctl
 * is needed and a fixture root is scanned exactly like "/".  A root with no
 * mount table (an offline image) is judged from what etc/fstab,
 * etc/crypttab and etc/lvm/backup declare, and the facts say so.
 *
 * Facts: {source: "live"|"declared", mounts: [...], swap: [...], crypttab:
 * [...], ignored: N, container?: reason, note?: text}.  Each mount and swap
 * entry: {mountpoint, device, fstype, class: "disk"|"memory"|"network",
 * dev, encrypted: true|false|null, scheme, layers: [{dev, kind, name?,
 * scheme?, dm_type?, depth}], reason?, also_mounted_at?}.  encrypted is null
 * when the answer cannot be known (reason says why).  The judge applies
 * the baseline's exemptions and selections; the probe knows none.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "baseline.h"
#include "plumb_limits.h"
#include "plat.h"
#include "probe.h"
#include "probe_disk.h"
#include "util.h"

/*
 * What a walk down a device stack found, ordered so that combining the
 * paths below a device is taking the maximum: one unencrypted path makes
 * the device unencrypted, one unknown path makes it unknown, and paths that
 * end in memory (zram, a ram disk) reach no disk at all.
 */
enum disk_enc {
	DISK_ENC_MEMORY,
	DISK_ENC_YES,
	DISK_ENC_UNKNOWN,
	DISK_ENC_NO,
};

/* How a mount's filesystem type is treated. */
enum disk_class {
	DISK_CLASS_IGNORED,	/* pseudo, memory or read-only image fs */
	DISK_CLASS_DISK,	/* lives on a block device: walk it */
	DISK_CLASS_NETWORK,	/* remote storage: not this endpoint's disk */
	DISK_CLASS_STACKED,	/* an encrypting filesystem (ecryptfs, ...) */
	DISK_CLASS_ZFS,		/* native encryption is not visible in sysfs */
};

/* Kernel and memory filesystems, and read-only images (squashfs snaps,
 * optical media) that hold no data of the endpoint's users. */
static const char *const disk_fs_ignored[] = {
	"proc", "sysfs", "tmpfs", "devtmpfs", "devpts", "cgroup", "cgroup2",
	"securityfs", "debugfs", "tracefs", "pstore", "bpf", "mqueue",
	"hugetlbfs", "configfs", "fusectl", "binfmt_misc", "autofs",
	"efivarfs", "rpc_pipefs", "nsfs", "ramfs", "selinuxfs", "overlay",
	"aufs", "squashfs", "erofs", "iso9660", "nfsd", "sockfs", "pipefs",
	"swap", "none", "devfs", "usbfs", "sysv", "cramfs",
	NULL
};

static const char *const disk_fs_network[] = {
	"nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "glusterfs",
	"fuse.glusterfs", "fuse.sshfs", "sshfs", "9p", "afs", "lustre",
	"davfs", "fuse.davfs2", "fuse.rclone", "fuse.s3fs", "virtiofs",
	"fuse.ceph-fuse", "beegfs", "gpfs",
	NULL
};

/* Filesystems that encrypt the files they hold on another filesystem. */
static const char *const disk_fs_stacked[] = {
	"ecryptfs", "fuse.gocryptfs", "fuse.encfs", "fuse.cryfs",
	NULL
};

/* cryptsetup types (dm uuid "CRYPT-<TYPE>-...") and the scheme reported;
 * every other CRYPT- type keeps data confidential too and is reported as
 * "crypt", except those in disk_dm_not_confidential. */
static const char *const disk_crypt_types[][2] = {
	{ "LUKS1", "luks1" }, { "LUKS2", "luks2" }, { "PLAIN", "plain" },
	{ "LOOPAES", "loopaes" }, { "TCRYPT", "tcrypt" }, { "BITLK", "bitlk" },
	{ "FVAULT2", "fvault2" },
};

/* dm-crypt helpers that protect integrity only, or are cryptsetup's
 * internal sub-devices and temporary mappings: the walk goes through. */
static const char *const disk_dm_not_confidential[] = {
	"VERITY", "INTEGRITY", "SUBDEV", "TEMP", NULL
};

static int
disk_in(const char *const *list, const char *s)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

static void
disk_set_str(json_t *o, const char *key, const char *s)
{
	json_object_set_new(o, key, json_host_str(s));
}

char *
disk_unescape(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n &&
		    s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' &&
		    s[i + 3] >= '0' && s[i + 3] <= '7') {
			int v = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 +
				(s[i + 3] - '0');

			if (v != 0) {
				out[o++] = (char)v;
				i += 3;
				continue;
			}
		}
		out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}

/* Splits a line of length n into whitespace-separated fields; stores up to
 * max of them and returns how many there are in all. */
static size_t
disk_fields(const char *line, size_t n, const char **f, size_t *fl,
	    size_t max)
{
	size_t i = 0, cnt = 0;

	while (i < n) {
		size_t start;

		while (i < n && (line[i] == ' ' || line[i] == '\t' ||
				 line[i] == '\r'))
			i++;
		if (i == n)
			break;
		start = i;
		while (i < n && line[i] != ' ' && line[i] != '\t' &&
		       line[i] != '\r')
			i++;
		if (cnt < max) {
			f[cnt] = line + start;
			fl[cnt] = i - start;
		}
		cnt++;
	}
	return cnt;
}

/* The next line of text at *p (without its newline); 0 at the end. */
static int
disk_next_line(const char **p, const char **line, size_t *len)
{
	const char *nl;

	if (**p == '\0')
		return 0;
	*line = *p;
	nl = strchr(*p, '\n');
	*len = nl != NULL ? (size_t)(nl - *p) : strlen(*p);
	*p += *len + (nl != NULL ? 1 : 0);
	return 1;
}

/* ---- mount tables ------------------------------------------------------ */

/* One line of a mount table (proc/self/mounts, proc/mounts, etc/fstab). */
struct disk_mnt {
	char *src;
	char *dir;
	char *type;
	char *opts;
	int line;
};

static void
disk_mnts_free(struct disk_mnt *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(m[i].src);
		free(m[i].dir);
		free(m[i].type);
		free(m[i].opts);
	}
	free(m);
}

/* Parses a mount table in the fstab(5) layout ("source dir type options
 * ..."); name is used in messages.  Comments and blank lines are skipped. */
static int
disk_parse_mounts(const char *text, const char *name, struct disk_mnt **out,
		  size_t *nout, struct errbuf *e)
{
	struct disk_mnt *v = NULL;
	size_t n = 0, cap = 0, len;
	const char *p = text, *line;
	int lineno = 0, r = PLUMB_OK;

	*out = NULL;
	*nout = 0;
	while (disk_next_line(&p, &line, &len)) {
		const char *f[4];
		size_t fl[4], nf;

		lineno++;
		nf = disk_fields(line, len, f, fl, 4);
		if (nf == 0 || f[0][0] == '#')
			continue;
		if (nf < 3) {
			r = err_set(e, PLUMB_EPARSE, "%s:%d: expected a device, "
				    "a mount point and a type", name, lineno);
			goto out;
		}
		if (n == PLUMB_MOUNTS_MAX) {
			r = err_set(e, PLUMB_ELIMIT, "%s:%d: more than %d "
				    "mounts", name, lineno, PLUMB_MOUNTS_MAX);
			goto out;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[n].src = disk_unescape(f[0], fl[0]);
		v[n].dir = disk_unescape(f[1], fl[1]);
		v[n].type = disk_unescape(f[2], fl[2]);
		v[n].opts = nf > 3 ? disk_unescape(f[3], fl[3]) :
			xstrdup("defaults");
		v[n].line = lineno;
		n++;
	}
out:
	if (r != PLUMB_OK) {
		disk_mnts_free(v, n);
		return r;
	}
	*out = v;
	*nout = n;
	return PLUMB_OK;
}

static int
disk_mnt_cmp_dir(const void *a, const void *b)
{
	const struct disk_mnt *const *x = a, *const *y = b;
	int c = strcmp((*x)->dir, (*y)->dir);

	if (c != 0)
		return c;
	return (*x < *y) ? -1 : (*x > *y);
}

/* Keeps only the mount visible at each mount point (the last one listed:
 * a later mount covers an earlier one), in mount table order. */
static void
disk_visible(struct disk_mnt *m, size_t *n)
{
	struct disk_mnt **idx;
	unsigned char *drop;
	size_t i, o = 0;

	if (*n < 2)
		return;
	idx = xreallocarray(NULL, *n, sizeof(*idx));
	drop = xcalloc(*n, 1);
	for (i = 0; i < *n; i++)
		idx[i] = &m[i];
	qsort(idx, *n, sizeof(*idx), disk_mnt_cmp_dir);
	for (i = 0; i + 1 < *n; i++)
		if (strcmp(idx[i]->dir, idx[i + 1]->dir) == 0)
			drop[idx[i] - m] = 1;
	for (i = 0; i < *n; i++) {
		if (drop[i]) {
			free(m[i].src);
			free(m[i].dir);
			free(m[i].type);
			free(m[i].opts);
			continue;
		}
		m[o++] = m[i];
	}
	*n = o;
	free(idx);
	free(drop);
}

static enum disk_class
disk_classify(const char *type, const char *src)
{
	if (disk_in(disk_fs_network, type))
		return DISK_CLASS_NETWORK;
	if (disk_in(disk_fs_stacked, type))
		return DISK_CLASS_STACKED;
	if (strcmp(type, "zfs") == 0)
		return DISK_CLASS_ZFS;
	if (disk_in(disk_fs_ignored, type))
		return DISK_CLASS_IGNORED;
	/* fuseblk (ntfs-3g) sits on a block device; other FUSE filesystems
	 * (lxcfs, gvfs, portals) are views, not storage. */
	if (strncmp(type, "fuse.", 5) == 0 || strcmp(type, "fuse") == 0)
		return DISK_CLASS_IGNORED;
	if (strncmp(src, "/dev/", 5) == 0 || strncmp(src, "UUID=", 5) == 0 ||
	    strncmp(src, "LABEL=", 6) == 0 ||
	    strncmp(src, "PARTUUID=", 9) == 0 ||
	    strncmp(src, "PARTLABEL=", 10) == 0)
		return DISK_CLASS_DISK;
	/* A known on-disk type whose source does not name a device (btrfs
	 * seen through a bind, /dev/root) is still on a disk. */
	{
		static const char *const on_disk[] = {
			"ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "vfat",
			"msdos", "exfat", "ntfs", "ntfs3", "fuseblk", "jfs",
			"reiserfs", "bcachefs", "nilfs2", "hfsplus", "udf",
			NULL
		};

		if (disk_in(on_disk, type))
			return DISK_CLASS_DISK;
	}
	return DISK_CLASS_IGNORED;
}

/* True if path is dir or below it. */
static int
disk_path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' ||
					      path[n] == '/');
}

/* The mount holding path (the longest mount point above it), or NULL. */
static const struct disk_mnt *
disk_holder(const struct disk_mnt *m, size_t n, const char *path)
{
	const struct disk_mnt *best = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (disk_path_under(path, m[i].dir) &&
		    (best == NULL || strlen(m[i].dir) > strlen(best->dir)))
			best = &m[i];
	return best;
}

/* ---- classification helpers (exported for tests) ---------------------- */

const char *
disk_dm_kind(const char *uuid, const char **scheme, char dm_type[32])
{
	const char *p, *dash;
	char type[24];
	size_t i, n;

	*scheme = NULL;
	dm_type[0] = '\0';
	dash = strchr(uuid, '-');
	n = dash != NULL ? (size_t)(dash - uuid) : strlen(uuid);
	for (i = 0; i < n && i < 31; i++)
		dm_type[i] = (char)tolower((unsigned char)uuid[i]);
	dm_type[i] = '\0';
	if (strncmp(uuid, "CRYPT-", 6) == 0) {
		p = uuid + 6;
		dash = strchr(p, '-');
		n = dash != NULL ? (size_t)(dash - p) : strlen(p);
		if (n >= sizeof(type))
			n = sizeof(type) - 1;
		memcpy(type, p, n);
		type[n] = '\0';
		(void)snprintf(dm_type, 32, "crypt-%s", type);
		for (i = 0; dm_type[i] != '\0'; i++)
			dm_type[i] = (char)tolower((unsigned char)dm_type[i]);
		if (disk_in(disk_dm_not_confidential, type))
			return "dm";
		*scheme = "crypt";
		for (i = 0; i < sizeof(disk_crypt_types) /
			     sizeof(disk_crypt_types[0]); i++)
			if (strcmp(disk_crypt_types[i][0], type) == 0)
				*scheme = disk_crypt_types[i][1];
		return "crypt";
	}
	if (strncmp(uuid, "LVM-", 4) == 0)
		return "lvm";
	/* kpartx names partitions of a dm device "part<N>-..." */
	if (strncmp(uuid, "part", 4) == 0 && isdigit((unsigned char)uuid[4]))
		return "part";
	return "dm";
}

/* Whether a crypttab options field (comma-separated) holds opt. */
static int
disk_has_opt(const char *options, const char *opt)
{
	size_t n = strlen(opt);
	const char *p = options;

	while (p != NULL && *p != '\0') {
		const char *c = strchr(p, ',');
		size_t len = c != NULL ? (size_t)(c - p) : strlen(p);

		if (len == n && strncmp(p, opt, n) == 0)
			return 1;
		/* "tcrypt-veracrypt" and the like name the same mode. */
		if (len > n && strncmp(p, opt, n) == 0 && p[n] == '-')
			return 1;
		p = c != NULL ? c + 1 : NULL;
	}
	return 0;
}

const char *
disk_crypttab_scheme(const char *keyfile, const char *options)
{
	static const char *const modes[] = {
		"luks", "plain", "tcrypt", "bitlk", "fvault2", "loop-aes", NULL
	};
	size_t i;

	if (options == NULL)
		options = "";
	for (i = 0; modes[i] != NULL; i++)
		if (disk_has_opt(options, modes[i]))
			return strcmp(modes[i], "loop-aes") == 0 ? "loopaes" :
				modes[i];
	if ((keyfile != NULL && (strcmp(keyfile, "/dev/urandom") == 0 ||
				 strcmp(keyfile, "/dev/random") == 0 ||
				 strcmp(keyfile, "/dev/hw_random") == 0)) ||
	    disk_has_opt(options, "swap") || disk_has_opt(options, "tmp"))
		return "plain";
	return "auto";
}

/* ---- crypttab ---------------------------------------------------------- */

struct disk_ct {
	char *name;
	char *device;
	char *keyfile;
	char *options;
	const char *scheme;
	int claimed;	/* a declared mount or swap uses it */
};

struct disk_cts {
	struct disk_ct *v;
	size_t n;
};

static void
disk_cts_release(struct disk_cts *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].device);
		free(c->v[i].keyfile);
		free(c->v[i].options);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

/* Reads etc/crypttab if there is one (none is an empty table). */
static int
disk_read_crypttab(const struct plat_root *r, struct disk_cts *c,
		   struct errbuf *e)
{
	char *text = NULL;
	const char *p, *line;
	size_t len, cap = 0;
	int lineno = 0, rc;

	c->v = NULL;
	c->n = 0;
	rc = plat_read_text(r, "etc/crypttab", PLUMB_SMALL_FILE_MAX, &text,
			    NULL, e);
	if (rc == PLUMB_ENOENT)
		return PLUMB_OK;
	if (rc != PLUMB_OK)
		return rc;
	p = text;
	while (disk_next_line(&p, &line, &len)) {
		const char *f[4];
		size_t fl[4], nf;
		struct disk_ct *ct;

		lineno++;
		nf = disk_fields(line, len, f, fl, 4);
		if (nf == 0 || f[0][0] == '#')
			continue;
		if (nf < 2) {
			rc = err_set(e, PLUMB_EPARSE, "/etc/crypttab:%d: "
				     "expected a name and a device", lineno);
			goto out;
		}
		if (c->n == PLUMB_MOUNTS_MAX) {
			rc = err_set(e, PLUMB_ELIMIT, "/etc/crypttab:%d: more "
				     "than %d volumes", lineno,
				     PLUMB_MOUNTS_MAX);
			goto out;
		}
		if (c->n == cap) {
			cap = cap ? cap * 2 : 8;
			c->v = xreallocarray(c->v, cap, sizeof(*c->v));
		}
		ct = &c->v[c->n++];
		ct->name = disk_unescape(f[0], fl[0]);
		ct->device = disk_unescape(f[1], fl[1]);
		ct->keyfile = nf > 2 ? disk_unescape(f[2], fl[2]) :
			xstrdup("none");
		ct->options = nf > 3 ? disk_unescape(f[3], fl[3]) :
			xstrdup("");
		ct->scheme = disk_crypttab_scheme(ct->keyfile, ct->options);
		ct->claimed = 0;
	}
	rc = PLUMB_OK;
out:
	if (rc != PLUMB_OK)
		disk_cts_release(c);
	free(text);
	return rc;
}

static struct disk_ct *
disk_ct_find(struct disk_cts *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return &c->v[i];
	return NULL;
}

static json_t *
disk_cts_json(const struct disk_cts *c)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < c->n && i < PLUMB_EVIDENCE_ITEMS_MAX; i++) {
		json_t *o = json_object();

		disk_set_str(o, "name", c->v[i].name);
		disk_set_str(o, "device", c->v[i].device);
		disk_set_str(o, "keyfile", c->v[i].keyfile);
		disk_set_str(o, "options", c->v[i].options);
		json_object_set_new(o, "scheme", json_string(c->v[i].scheme));
		json_array_append_new(a, o);
	}
	return a;
}

/* ---- sysfs ------------------------------------------------------------- */

/* A kernel device name as sysfs lists it: one path component. */
static int
disk_kname_ok(const char *k)
{
	return k[0] != '\0' && strchr(k, '/') == NULL &&
		strcmp(k, ".") != 0 && strcmp(k, "..") != 0 &&
		strlen(k) < 256;
}

/* The sysfs directory of device kname (caller frees), or PLUMB_ENOENT. */
static int
disk_sysdir(const struct plat_root *r, const char *kname, char **dir)
{
	static const char *const bases[] = { "sys/class/block", "sys/block" };
	struct stat st;
	size_t i;

	*dir = NULL;
	if (!disk_kname_ok(kname))
		return PLUMB_ENOENT;
	for (i = 0; i < 2; i++) {
		char *d = xasprintf("%s/%s", bases[i], kname);

		if (plat_stat(r, d, 1, &st, NULL) == PLUMB_OK &&
		    S_ISDIR(st.st_mode)) {
			*dir = d;
			return PLUMB_OK;
		}
		free(d);
	}
	return PLUMB_ENOENT;
}

/* Reads sysfs attribute dir/attr, trailing whitespace removed. */
static int
disk_attr(const struct plat_root *r, const char *dir, const char *attr,
	  char **val)
{
	char *path = xasprintf("%s/%s", dir, attr);
	size_t n;
	int rc;

	*val = NULL;
	rc = plat_read_text(r, path, PLUMB_SYSFS_ATTR_MAX, val, &n, NULL);
	free(path);
	if (rc != PLUMB_OK)
		return rc;
	while (n > 0 && isspace((unsigned char)(*val)[n - 1]))
		(*val)[--n] = '\0';
	return PLUMB_OK;
}

/* The last path component of a link target (a sysfs device path). */
static char *
disk_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return xstrdup(s != NULL ? s + 1 : path);
}

/* The device whose dm/name is name, by listing sysfs. */
static int
disk_by_dm_name(const struct plat_root *r, const char *name, char **kname)
{
	static const char *const bases[] = { "sys/class/block", "sys/block" };
	char **ents = NULL;
	size_t n = 0, i, b;
	int rc = PLUMB_ENOENT;

	*kname = NULL;
	for (b = 0; b < 2 && *kname == NULL; b++) {
		if (plat_list(r, bases[b], &ents, &n, NULL) != PLUMB_OK)
			continue;
		for (i = 0; i < n && *kname == NULL; i++) {
			char *dir, *val;

			if (strncmp(ents[i], "dm-", 3) != 0)
				continue;
			dir = xasprintf("%s/%s", bases[b], ents[i]);
			if (disk_attr(r, dir, "dm/name", &val) == PLUMB_OK &&
			    strcmp(val, name) == 0) {
				*kname = xstrdup(ents[i]);
				rc = PLUMB_OK;
			}
			free(val);
			free(dir);
		}
		plat_list_free(ents, n);
	}
	return rc;
}

/* The device numbered maj:min, through sys/dev/block or else by reading
 * every sys/class/block/<dev>/dev. */
static int
disk_by_devno(const struct plat_root *r, unsigned maj, unsigned min,
	      char **kname)
{
	char *link = xasprintf("sys/dev/block/%u:%u", maj, min);
	char *target = NULL, *want, **ents = NULL;
	size_t n = 0, i;
	int rc = PLUMB_ENOENT;

	*kname = NULL;
	if (plat_readlink(r, link, &target, NULL) == PLUMB_OK) {
		*kname = disk_basename(target);
		free(target);
		free(link);
		return PLUMB_OK;
	}
	free(link);
	want = xasprintf("%u:%u", maj, min);
	if (plat_list(r, "sys/class/block", &ents, &n, NULL) == PLUMB_OK) {
		for (i = 0; i < n && *kname == NULL; i++) {
			char *dir = xasprintf("sys/class/block/%s", ents[i]);
			char *val;

			if (disk_attr(r, dir, "dev", &val) == PLUMB_OK &&
			    strcmp(val, want) == 0) {
				*kname = xstrdup(ents[i]);
				rc = PLUMB_OK;
			}
			free(val);
			free(dir);
		}
		plat_list_free(ents, n);
	}
	free(want);
	return rc;
}

/* LVM's device-mapper name for vg/lv: each '-' inside a name doubled. */
static char *
disk_lvm_dm_name(const char *vg, size_t vglen, const char *lv)
{
	struct dynbuf b;
	size_t i;

	dynbuf_init(&b, PLUMB_PATH_MAX);
	for (i = 0; i < vglen; i++)
		if (dynbuf_add(&b, vg[i] == '-' ? "--" : &vg[i],
			       vg[i] == '-' ? 2 : 1) != PLUMB_OK)
			break;
	(void)dynbuf_add(&b, "-", 1);
	for (i = 0; lv[i] != '\0'; i++)
		if (dynbuf_add(&b, lv[i] == '-' ? "--" : &lv[i],
			       lv[i] == '-' ? 2 : 1) != PLUMB_OK)
			break;
	return dynbuf_take(&b, NULL);
}

/* Mount points and their major:minor, from proc/self/mountinfo (used only
 * when a mount's source does not name its device, as with /dev/root). */
struct disk_devno {
	char *dir;
	unsigned maj;
	unsigned min;
};

struct disk_live {
	const struct plat_root *r;
	struct disk_mnt *mnts;		/* visible mounts */
	size_t nmnts;
	struct disk_devno *devnos;
	size_t ndevnos;
};

/* Reads proc/self/mountinfo if present.  It only backs up the mount
 * table, so a line that does not parse is passed over. */
static void
disk_read_mountinfo(struct disk_live *L)
{
	char *text = NULL;
	const char *p, *line;
	size_t len, cap = 0;

	L->devnos = NULL;
	L->ndevnos = 0;
	if (plat_read_text(L->r, "proc/self/mountinfo", PLUMB_PROC_TABLE_MAX,
			   &text, NULL, NULL) != PLUMB_OK)
		return;
	p = text;
	while (disk_next_line(&p, &line, &len) &&
	       L->ndevnos < PLUMB_MOUNTS_MAX) {
		const char *f[5];
		size_t fl[5];
		unsigned maj, min;
		char num[32];
		int used = 0;

		if (disk_fields(line, len, f, fl, 5) < 5 || fl[2] >= sizeof(num))
			continue;
		memcpy(num, f[2], fl[2]);
		num[fl[2]] = '\0';
		if (sscanf(num, "%u:%u%n", &maj, &min, &used) != 2 ||
		    (size_t)used != fl[2])
			continue;
		if (L->ndevnos == cap) {
			cap = cap ? cap * 2 : 32;
			L->devnos = xreallocarray(L->devnos, cap,
						  sizeof(*L->devnos));
		}
		L->devnos[L->ndevnos].dir = disk_unescape(f[4], fl[4]);
		L->devnos[L->ndevnos].maj = maj;
		L->devnos[L->ndevnos].min = min;
		L->ndevnos++;
	}
	free(text);
}

/*
 * Finds the kernel name of the block device a mount source names:
 * /dev/mapper/NAME by dm name, /dev/<kname> directly, /dev/VG/LV by LVM's
 * dm naming, other /dev links by their target, a device node by its
 * st_rdev, and last the mount's major:minor from mountinfo (btrfs reports
 * an anonymous 0:N there, so it is not tried first).
 */
static int
disk_resolve(const struct disk_live *L, const char *src, const char *dir,
	     char **kname)
{
	const struct plat_root *r = L->r;
	char *tmp = NULL, *sd = NULL;
	struct stat st;
	size_t i;

	*kname = NULL;
	if (strncmp(src, "/dev/", 5) == 0) {
		const char *rest = src + 5;
		const char *slash = strchr(rest, '/');

		if (strncmp(rest, "mapper/", 7) == 0 &&
		    disk_by_dm_name(r, rest + 7, kname) == PLUMB_OK)
			return PLUMB_OK;
		if (slash == NULL && disk_sysdir(r, rest, &sd) == PLUMB_OK) {
			free(sd);
			*kname = xstrdup(rest);
			return PLUMB_OK;
		}
		if (slash != NULL && strchr(slash + 1, '/') == NULL &&
		    strncmp(rest, "mapper/", 7) != 0 &&
		    strncmp(rest, "disk/", 5) != 0) {
			tmp = disk_lvm_dm_name(rest, (size_t)(slash - rest),
					       slash + 1);
			if (disk_by_dm_name(r, tmp, kname) == PLUMB_OK) {
				free(tmp);
				return PLUMB_OK;
			}
			free(tmp);
			tmp = NULL;
		}
		if (plat_readlink(r, src, &tmp, NULL) == PLUMB_OK) {
			char *b = disk_basename(tmp);

			free(tmp);
			if (disk_sysdir(r, b, &sd) == PLUMB_OK) {
				free(sd);
				*kname = b;
				return PLUMB_OK;
			}
			free(b);
		}
		if (plat_stat(r, src, 1, &st, NULL) == PLUMB_OK &&
		    S_ISBLK(st.st_mode) &&
		    disk_by_devno(r, major(st.st_rdev), minor(st.st_rdev),
				  kname) == PLUMB_OK)
			return PLUMB_OK;
	}
	if (dir != NULL) {
		const struct disk_devno *d = NULL;

		for (i = 0; i < L->ndevnos; i++)
			if (strcmp(L->devnos[i].dir, dir) == 0)
				d = &L->devnos[i];
		if (d != NULL && d->maj != 0 &&
		    disk_by_devno(r, d->maj, d->min, kname) == PLUMB_OK)
			return PLUMB_OK;
	}
	return PLUMB_ENOENT;
}

/* ---- walking a device stack ------------------------------------------- */

struct disk_walk {
	const struct disk_live *L;
	json_t *layers;		/* the devices seen, depth-first */
	json_t *schemes;	/* distinct crypt schemes met */
	size_t nodes;
	char *reason;		/* why the answer is unknown (the first) */
	int quiet;		/* below a crypt layer: evidence only */
};

static void
disk_walk_unknown(struct disk_walk *w, char *reason)
{
	if (w->reason == NULL && !w->quiet)
		w->reason = reason;
	else
		free(reason);
}

static void
disk_add_scheme(json_t *schemes, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(schemes, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return;
	json_array_append_new(schemes, json_string(s));
}

static enum disk_enc disk_walk_dev(struct disk_walk *w, const char *kname,
				   int depth);
static enum disk_enc disk_walk_mount(struct disk_walk *w,
				     const struct disk_mnt *m, int depth);

/* Walks every device under dir/slaves; the worst path wins. */
static enum disk_enc
disk_walk_slaves(struct disk_walk *w, const char *dir, const char *kname,
		 int depth)
{
	char *sl = xasprintf("%s/slaves", dir);
	char **ents = NULL;
	size_t n = 0, i;
	enum disk_enc res = DISK_ENC_MEMORY, c;

	if (plat_list(w->L->r, sl, &ents, &n, NULL) != PLUMB_OK || n == 0) {
		free(sl);
		disk_walk_unknown(w, xasprintf("%s is a stacked device with no "
					       "readable underlying device",
					       kname));
		return DISK_ENC_UNKNOWN;
	}
	free(sl);
	for (i = 0; i < n; i++) {
		c = disk_walk_dev(w, ents[i], depth + 1);
		if (c > res)
			res = c;
	}
	plat_list_free(ents, n);
	return res;
}

/* The parent disk of partition kname: sysfs nests a partition's directory
 * in its disk's, so the link target's second-to-last component names it;
 * without a link, the name without its partition number. */
static char *
disk_part_parent(const struct plat_root *r, const char *kname)
{
	char *link = xasprintf("sys/class/block/%s", kname);
	char *target = NULL, *parent = NULL, *sd = NULL;
	size_t n;

	if (plat_readlink(r, link, &target, NULL) == PLUMB_OK) {
		char *last = strrchr(target, '/');

		if (last != NULL) {
			*last = '\0';
			parent = disk_basename(target);
		}
		free(target);
	}
	free(link);
	if (parent != NULL && disk_sysdir(r, parent, &sd) == PLUMB_OK) {
		free(sd);
		return parent;
	}
	free(parent);
	parent = xstrdup(kname);
	n = strlen(parent);
	while (n > 0 && isdigit((unsigned char)parent[n - 1]))
		n--;
	/* nvme0n1p2, mmcblk0p1, md127p1: the disk name ends in a digit and a
	 * 'p' separates the partition number. */
	if (n > 1 && parent[n - 1] == 'p' &&
	    isdigit((unsigned char)parent[n - 2]))
		n--;
	parent[n] = '\0';
	if (n > 0 && disk_sysdir(r, parent, &sd) == PLUMB_OK) {
		free(sd);
		return parent;
	}
	free(parent);
	return NULL;
}

/* A loop device's backing file: its own path, walked as the mount that
 * holds it. */
static enum disk_enc
disk_walk_file(struct disk_walk *w, const char *path, int depth)
{
	const struct disk_mnt *m;
	json_t *layer;

	m = disk_holder(w->L->mnts, w->L->nmnts, path);
	layer = json_object();
	disk_set_str(layer, "dev", path);
	json_object_set_new(layer, "kind", json_string("file"));
	if (m != NULL)
		disk_set_str(layer, "name", m->dir);
	json_object_set_new(layer, "depth", json_integer(depth));
	json_array_append_new(w->layers, layer);
	if (m == NULL) {
		disk_walk_unknown(w, xasprintf("no mounted filesystem holds "
					       "%s", path));
		return DISK_ENC_UNKNOWN;
	}
	return disk_walk_mount(w, m, depth + 1);
}

static enum disk_enc
disk_walk_dev(struct disk_walk *w, const char *kname, int depth)
{
	const struct plat_root *r = w->L->r;
	char *dir = NULL, *uuid = NULL, *name = NULL, *val = NULL;
	char dm_type[32];
	const char *scheme;
	json_t *layer;
	enum disk_enc res;

	if (depth > PLUMB_BLOCK_DEPTH_MAX || ++w->nodes > PLUMB_BLOCK_NODES_MAX) {
		disk_walk_unknown(w, xasprintf("the device stack under %s is "
					       "deeper or wider than plumb "
					       "follows", kname));
		return DISK_ENC_UNKNOWN;
	}
	if (disk_sysdir(r, kname, &dir) != PLUMB_OK) {
		disk_walk_unknown(w, xasprintf("block device %s is not in "
					       "sysfs", kname));
		return DISK_ENC_UNKNOWN;
	}
	layer = json_object();
	disk_set_str(layer, "dev", kname);
	json_array_append_new(w->layers, layer);

	if (disk_attr(r, dir, "dm/name", &name) == PLUMB_OK) {
		const char *kind;

		if (disk_attr(r, dir, "dm/uuid", &uuid) != PLUMB_OK)
			uuid = xstrdup("");
		kind = disk_dm_kind(uuid, &scheme, dm_type);
		json_object_set_new(layer, "kind", json_string(kind));
		disk_set_str(layer, "name", name);
		if (dm_type[0] != '\0')
			json_object_set_new(layer, "dm_type",
					    json_string(dm_type));
		json_object_set_new(layer, "depth", json_integer(depth));
		if (scheme != NULL) {
			int quiet = w->quiet;

			json_object_set_new(layer, "scheme",
					    json_string(scheme));
			disk_add_scheme(w->schemes, scheme);
			/* What lies below is listed for the auditor; this
			 * path is encrypted whatever it is. */
			w->quiet = 1;
			(void)disk_walk_slaves(w, dir, kname, depth);
			w->quiet = quiet;
			res = DISK_ENC_YES;
			goto out;
		}
		res = disk_walk_slaves(w, dir, kname, depth);
		goto out;
	}
	if (disk_attr(r, dir, "md/level", &val) == PLUMB_OK) {
		json_object_set_new(layer, "kind", json_string("raid"));
		disk_set_str(layer, "name", val);
		json_object_set_new(layer, "depth", json_integer(depth));
		res = disk_walk_slaves(w, dir, kname, depth);
		goto out;
	}
	if (disk_attr(r, dir, "partition", &val) == PLUMB_OK) {
		char *parent = disk_part_parent(r, kname);

		json_object_set_new(layer, "kind", json_string("part"));
		json_object_set_new(layer, "depth", json_integer(depth));
		if (parent == NULL) {
			disk_walk_unknown(w, xasprintf("the disk holding "
						       "partition %s is not "
						       "in sysfs", kname));
			res = DISK_ENC_UNKNOWN;
			goto out;
		}
		res = disk_walk_dev(w, parent, depth + 1);
		free(parent);
		goto out;
	}
	if (strncmp(kname, "loop", 4) == 0) {
		json_object_set_new(layer, "kind", json_string("loop"));
		json_object_set_new(layer, "depth", json_integer(depth));
		if (disk_attr(r, dir, "loop/backing_file", &val) != PLUMB_OK) {
			disk_walk_unknown(w, xasprintf("loop device %s has no "
						       "readable backing file",
						       kname));
			res = DISK_ENC_UNKNOWN;
			goto out;
		}
		{
			size_t n = strlen(val);

			/* The kernel marks an unlinked file so. */
			if (n > 10 && strcmp(val + n - 10, " (deleted)") == 0)
				val[n - 10] = '\0';
		}
		disk_set_str(layer, "name", val);
		res = disk_walk_file(w, val, depth + 1);
		goto out;
	}
	if (strncmp(kname, "zram", 4) == 0 ||
	    (strncmp(kname, "ram", 3) == 0 &&
	     isdigit((unsigned char)kname[3]))) {
		json_object_set_new(layer, "kind", json_string("memory"));
		json_object_set_new(layer, "depth", json_integer(depth));
		res = DISK_ENC_MEMORY;
		goto out;
	}
	{
		char *sl = xasprintf("%s/slaves", dir);
		char **ents = NULL;
		size_t n = 0;

		if (plat_list(r, sl, &ents, &n, NULL) == PLUMB_OK && n > 0) {
			/* Another stacking driver (bcache, ...). */
			plat_list_free(ents, n);
			free(sl);
			json_object_set_new(layer, "kind", json_string("stack"));
			json_object_set_new(layer, "depth",
					    json_integer(depth));
			res = disk_walk_slaves(w, dir, kname, depth);
			goto out;
		}
		free(sl);
	}
	json_object_set_new(layer, "kind", json_string("disk"));
	json_object_set_new(layer, "depth", json_integer(depth));
	res = DISK_ENC_NO;
out:
	free(dir);
	free(uuid);
	free(name);
	free(val);
	return res;
}

/* Walks the storage under mount m (a loop's or swap file's holder). */
static enum disk_enc
disk_walk_mount(struct disk_walk *w, const struct disk_mnt *m, int depth)
{
	enum disk_class cls = disk_classify(m->type, m->src);
	char *kname = NULL;
	enum disk_enc res;

	switch (cls) {
	case DISK_CLASS_IGNORED:
		/* tmpfs and the like: memory, not a disk. */
		if (strcmp(m->type, "tmpfs") == 0 ||
		    strcmp(m->type, "ramfs") == 0)
			return DISK_ENC_MEMORY;
		disk_walk_unknown(w, xasprintf("%s is on %s, which is not a "
					       "block device filesystem",
					       m->dir, m->type));
		return DISK_ENC_UNKNOWN;
	case DISK_CLASS_NETWORK:
		disk_walk_unknown(w, xasprintf("%s is a network filesystem",
					       m->dir));
		return DISK_ENC_UNKNOWN;
	case DISK_CLASS_STACKED:
		disk_add_scheme(w->schemes, m->type);
		return DISK_ENC_YES;
	case DISK_CLASS_ZFS:
		disk_walk_unknown(w, xasprintf("ZFS native encryption of %s "
					       "is not visible in sysfs",
					       m->src));
		return DISK_ENC_UNKNOWN;
	case DISK_CLASS_DISK:
		break;
	}
	if (disk_resolve(w->L, m->src, m->dir, &kname) != PLUMB_OK) {
		disk_walk_unknown(w, xasprintf("the block device of %s (%s) "
					       "is not in sysfs", m->dir,
					       m->src));
		return DISK_ENC_UNKNOWN;
	}
	res = disk_walk_dev(w, kname, depth);
	free(kname);
	return res;
}

/* ---- building entries --------------------------------------------------- */

static void
disk_entry_result(json_t *o, enum disk_enc enc, struct disk_walk *w)
{
	const char *cls = json_string_value(json_object_get(o, "class"));
	size_t i;
	json_t *v;

	if (enc == DISK_ENC_MEMORY && cls != NULL && strcmp(cls, "disk") == 0)
		json_object_set_new(o, "class", json_string("memory"));
	switch (enc) {
	case DISK_ENC_YES:
		json_object_set_new(o, "encrypted", json_true());
		break;
	case DISK_ENC_NO:
		json_object_set_new(o, "encrypted", json_false());
		break;
	case DISK_ENC_UNKNOWN:
	case DISK_ENC_MEMORY:
		json_object_set_new(o, "encrypted", json_null());
		break;
	}
	if (enc == DISK_ENC_YES && json_array_size(w->schemes) > 0) {
		struct dynbuf b;

		dynbuf_init(&b, PLUMB_ERRMSG_MAX);
		json_array_foreach(w->schemes, i, v)
			(void)dynbuf_printf(&b, "%s%s", i ? "+" : "",
					    json_string_value(v));
		json_object_set_new(o, "scheme", json_string(b.data));
		dynbuf_release(&b);
	} else {
		json_object_set_new(o, "scheme", json_null());
	}
	json_object_set_new(o, "layers", json_incref(w->layers));
	if (enc == DISK_ENC_UNKNOWN && w->reason != NULL)
		disk_set_str(o, "reason", w->reason);
	if (enc == DISK_ENC_MEMORY)
		json_object_set_new(o, "reason",
				    json_string("backed by memory, not a disk"));
}

static void
disk_walk_init(struct disk_walk *w, const struct disk_live *L)
{
	memset(w, 0, sizeof(*w));
	w->L = L;
	w->layers = json_array();
	w->schemes = json_array();
}

static void
disk_walk_release(struct disk_walk *w)
{
	json_decref(w->layers);
	json_decref(w->schemes);
	free(w->reason);
}

static json_t *
disk_entry_new(const char *dir, const char *src, const char *type,
	       const char *cls)
{
	json_t *o = json_object();

	if (dir != NULL)
		disk_set_str(o, "mountpoint", dir);
	disk_set_str(o, "device", src);
	disk_set_str(o, "fstype", type);
	json_object_set_new(o, "class", json_string(cls));
	return o;
}

/* Finds an entry already made for device kname (bind mounts, btrfs
 * subvolumes and the like show the same device more than once). */
static json_t *
disk_entry_by_dev(json_t *mounts, const char *kname)
{
	size_t i;
	json_t *v;

	json_array_foreach(mounts, i, v) {
		const char *d = json_string_value(json_object_get(v, "dev"));

		if (d != NULL && strcmp(d, kname) == 0)
			return v;
	}
	return NULL;
}

/* Adds a live mount's entry to mounts (or its mount point to the entry of
 * the same device); returns 1 if it counts as storage. */
static int
disk_live_mount(const struct disk_live *L, const struct disk_mnt *m,
		json_t *mounts)
{
	enum disk_class cls = disk_classify(m->type, m->src);
	struct disk_walk w;
	char *kname = NULL;
	struct stat st;
	json_t *o, *prev;
	enum disk_enc enc;

	if (cls == DISK_CLASS_IGNORED)
		return 0;
	/* A bind-mounted single file (a container's /etc/hosts) is part of
	 * someone else's filesystem, not a filesystem of this root.  A
	 * network mount point is never stat'ed: a dead server would hang
	 * the scan. */
	if (cls != DISK_CLASS_NETWORK &&
	    plat_stat(L->r, m->dir, 1, &st, NULL) == PLUMB_OK &&
	    !S_ISDIR(st.st_mode))
		return 0;
	if (cls == DISK_CLASS_NETWORK) {
		o = disk_entry_new(m->dir, m->src, m->type, "network");
		json_object_set_new(o, "dev", json_null());
		json_object_set_new(o, "encrypted", json_null());
		json_object_set_new(o, "scheme", json_null());
		json_object_set_new(o, "layers", json_array());
		json_object_set_new(o, "reason",
				    json_string("network filesystem: its "
						"storage is not this "
						"endpoint's disk"));
		json_array_append_new(mounts, o);
		return 1;
	}
	if (cls == DISK_CLASS_DISK &&
	    disk_resolve(L, m->src, m->dir, &kname) == PLUMB_OK &&
	    (prev = disk_entry_by_dev(mounts, kname)) != NULL) {
		json_t *also = json_object_get(prev, "also_mounted_at");

		if (also == NULL) {
			also = json_array();
			json_object_set_new(prev, "also_mounted_at", also);
		}
		if (json_array_size(also) < PLUMB_EVIDENCE_ITEMS_MAX)
			json_array_append_new(also, json_host_str(m->dir));
		free(kname);
		return 1;
	}
	o = disk_entry_new(m->dir, m->src, m->type, "disk");
	json_object_set_new(o, "dev", kname != NULL ? json_host_str(kname) :
			    json_null());
	disk_walk_init(&w, L);
	if (kname != NULL)
		enc = disk_walk_dev(&w, kname, 0);
	else
		enc = disk_walk_mount(&w, m, 0);
	disk_entry_result(o, enc, &w);
	disk_walk_release(&w);
	free(kname);
	json_array_append_new(mounts, o);
	return 1;
}

/* Parses proc/swaps ("Filename Type Size Used Priority" and a header). */
static int
disk_live_swaps(const struct disk_live *L, json_t *swap, struct errbuf *e)
{
	char *text = NULL;
	const char *p, *line;
	size_t len;
	int lineno = 0, rc;

	rc = plat_read_text(L->r, "proc/swaps", PLUMB_PROC_TABLE_MAX, &text,
			    NULL, e);
	if (rc == PLUMB_ENOENT)
		return PLUMB_OK;	/* a kernel without swap support */
	if (rc != PLUMB_OK)
		return rc;
	p = text;
	while (disk_next_line(&p, &line, &len)) {
		const char *f[2];
		size_t fl[2], nf;
		char *file, *type;
		struct disk_walk w;
		enum disk_enc enc;
		json_t *o;

		lineno++;
		nf = disk_fields(line, len, f, fl, 2);
		if (lineno == 1 || nf == 0)
			continue;
		if (nf < 2) {
			rc = err_set(e, PLUMB_EPARSE, "/proc/swaps:%d: expected "
				     "a file name and a type", lineno);
			goto out;
		}
		if (json_array_size(swap) >= PLUMB_EVIDENCE_ITEMS_MAX) {
			rc = err_set(e, PLUMB_ELIMIT, "/proc/swaps:%d: more "
				     "than %d swap areas", lineno,
				     PLUMB_EVIDENCE_ITEMS_MAX);
			goto out;
		}
		file = disk_unescape(f[0], fl[0]);
		type = xstrndup(f[1], fl[1]);
		{
			size_t n = strlen(file);

			/* The kernel marks an unlinked swap file so. */
			if (n > 10 && strcmp(file + n - 10, " (deleted)") == 0)
				file[n - 10] = '\0';
		}
		o = disk_entry_new(NULL, file, "swap", "disk");
		json_object_set_new(o, "swap_type", json_host_str(type));
		disk_walk_init(&w, L);
		if (strcmp(type, "file") == 0) {
			json_object_set_new(o, "dev", json_null());
			enc = disk_walk_file(&w, file, 0);
		} else {
			char *kname = NULL;

			if (disk_resolve(L, file, NULL, &kname) == PLUMB_OK) {
				json_object_set_new(o, "dev", json_host_str(kname));
				enc = disk_walk_dev(&w, kname, 0);
			} else {
				json_object_set_new(o, "dev", json_null());
				disk_walk_unknown(&w, xasprintf("swap device "
								"%s is not in "
								"sysfs", file));
				enc = DISK_ENC_UNKNOWN;
			}
			free(kname);
		}
		disk_entry_result(o, enc, &w);
		disk_walk_release(&w);
		json_array_append_new(swap, o);
		free(file);
		free(type);
	}
	rc = PLUMB_OK;
out:
	free(text);
	return rc;
}

static int
disk_collect_live(const struct plat_root *r, const char *table,
		  const char *text, json_t *facts, struct errbuf *e)
{
	struct disk_live L;
	json_t *mounts = json_array(), *swap = json_array();
	const struct disk_mnt *root;
	size_t i, ignored = 0, storage = 0;
	int rc;

	memset(&L, 0, sizeof(L));
	L.r = r;
	if ((rc = disk_parse_mounts(text, table, &L.mnts, &L.nmnts, e)) != 0)
		goto out;
	disk_visible(L.mnts, &L.nmnts);
	disk_read_mountinfo(&L);
	for (i = 0; i < L.nmnts; i++) {
		if (json_array_size(mounts) >= PLUMB_EVIDENCE_ITEMS_MAX) {
			rc = err_set(e, PLUMB_ELIMIT, "%s: more than %d "
				     "storage mounts", table,
				     PLUMB_EVIDENCE_ITEMS_MAX);
			goto out;
		}
		if (disk_live_mount(&L, &L.mnts[i], mounts))
			storage++;
		else
			ignored++;
	}
	if ((rc = disk_live_swaps(&L, swap, e)) != 0)
		goto out;
	json_object_set_new(facts, "source", json_string("live"));
	json_object_set_new(facts, "table", json_string(table));
	json_object_set_new(facts, "ignored", json_integer((json_int_t)ignored));
	root = disk_holder(L.mnts, L.nmnts, "/");
	if (storage == 0) {
		/* A container sees its host's swap in proc/swaps but owns
		 * none of it, so swap does not make the root a host. */
		char *why = xasprintf("the root filesystem is %s and no "
				      "block-device filesystem is mounted: a "
				      "container's storage belongs to its "
				      "host", root != NULL ? root->type :
				      "not mounted");

		json_object_set_new(facts, "container", json_host_str(why));
		free(why);
	}
	json_object_set_new(facts, "mounts", mounts);
	json_object_set_new(facts, "swap", swap);
	mounts = swap = NULL;
out:
	json_decref(mounts);
	json_decref(swap);
	disk_mnts_free(L.mnts, L.nmnts);
	for (i = 0; i < L.ndevnos; i++)
		free(L.devnos[i].dir);
	free(L.devnos);
	return rc;
}

/* ---- declared state (offline images) ----------------------------------- */

struct disk_decl {
	const struct plat_root *r;
	struct disk_cts cts;
};

/* Splits an LVM dm name "vg-lv" (a '-' inside a name doubled) into its
 * volume group; NULL when name is not of that form. */
static char *
disk_lvm_vg(const char *name)
{
	struct dynbuf b;
	size_t i;

	dynbuf_init(&b, PLUMB_PATH_MAX);
	for (i = 0; name[i] != '\0'; i++) {
		if (name[i] == '-' && name[i + 1] == '-') {
			(void)dynbuf_add(&b, "-", 1);
			i++;
			continue;
		}
		if (name[i] == '-') {
			if (i == 0 || name[i + 1] == '\0')
				break;
			return dynbuf_take(&b, NULL);
		}
		(void)dynbuf_add(&b, &name[i], 1);
	}
	dynbuf_release(&b);
	return NULL;
}

/* The physical volumes LVM's metadata backup records for volume group vg
 * (the `device = "..."` hints), or PLUMB_ENOENT. */
static int
disk_lvm_pvs(const struct plat_root *r, const char *vg, json_t **pvs)
{
	char *path, *text = NULL;
	const char *p, *line;
	size_t len, i;
	int rc;

	*pvs = NULL;
	for (i = 0; vg[i] != '\0'; i++)
		if (!isalnum((unsigned char)vg[i]) && strchr("+_.-", vg[i]) ==
		    NULL)
			return PLUMB_ENOENT;
	if (vg[0] == '\0' || vg[0] == '.')
		return PLUMB_ENOENT;
	path = xasprintf("etc/lvm/backup/%s", vg);
	rc = plat_read_text(r, path, PLUMB_SMALL_FILE_MAX, &text, NULL, NULL);
	free(path);
	if (rc != PLUMB_OK)
		return PLUMB_ENOENT;
	*pvs = json_array();
	p = text;
	while (disk_next_line(&p, &line, &len)) {
		const char *q = line, *end = line + len, *s, *t;

		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if ((size_t)(end - q) < 8 || strncmp(q, "device", 6) != 0)
			continue;
		q += 6;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (q == end || *q != '=')
			continue;
		s = memchr(q, '"', (size_t)(end - q));
		if (s == NULL)
			continue;
		t = memchr(s + 1, '"', (size_t)(end - s - 1));
		if (t == NULL || json_array_size(*pvs) >= PLUMB_BLOCK_NODES_MAX)
			continue;
		{
			char *dev = xstrndup(s + 1, (size_t)(t - s - 1));

			json_array_append_new(*pvs, json_host_str(dev));
			free(dev);
		}
	}
	free(text);
	return PLUMB_OK;
}

/* Whether a /dev name looks like a partition (sda1, nvme0n1p2). */
static int
disk_looks_partition(const char *k)
{
	size_t n = strlen(k);

	if (n == 0 || !isdigit((unsigned char)k[n - 1]))
		return 0;
	if (strncmp(k, "sd", 2) == 0 || strncmp(k, "vd", 2) == 0 ||
	    strncmp(k, "xvd", 3) == 0 || strncmp(k, "hd", 2) == 0)
		return 1;
	while (n > 0 && isdigit((unsigned char)k[n - 1]))
		n--;
	return n > 1 && k[n - 1] == 'p' && isdigit((unsigned char)k[n - 2]);
}

static void
disk_decl_layer(json_t *layers, const char *dev, const char *kind,
		const char *name, const char *scheme, int depth)
{
	json_t *l = json_object();

	disk_set_str(l, "dev", dev);
	json_object_set_new(l, "kind", json_string(kind));
	if (name != NULL)
		disk_set_str(l, "name", name);
	if (scheme != NULL)
		json_object_set_new(l, "scheme", json_string(scheme));
	json_object_set_new(l, "depth", json_integer(depth));
	json_array_append_new(layers, l);
}

/*
 * What fstab's device src is, as declared: a /dev/mapper name in crypttab
 * is encrypted; an LVM volume is as encrypted as its physical volumes in
 * etc/lvm/backup; a plain partition or disk is not.  UUID=, LABEL= and
 * names not in those files return DISK_ENC_UNKNOWN with *ambiguous set, to
 * be settled once every crypttab volume's use is known.
 */
static enum disk_enc
disk_decl_dev(struct disk_decl *d, const char *src, struct disk_walk *w,
	      int depth, int *ambiguous)
{
	const char *rest;
	struct disk_ct *ct;

	if (depth > PLUMB_BLOCK_DEPTH_MAX || ++w->nodes > PLUMB_BLOCK_NODES_MAX) {
		disk_walk_unknown(w, xasprintf("the declared stack under %s "
					       "is deeper than plumb follows",
					       src));
		return DISK_ENC_UNKNOWN;
	}
	if (strncmp(src, "/dev/", 5) != 0 ||
	    strncmp(src, "/dev/disk/", 10) == 0) {
		disk_decl_layer(w->layers, src, "disk", NULL, NULL, depth);
		*ambiguous = 1;
		return DISK_ENC_UNKNOWN;
	}
	rest = src + 5;
	if (strncmp(rest, "mapper/", 7) == 0 &&
	    (ct = disk_ct_find(&d->cts, rest + 7)) != NULL) {
		json_t *l;

		ct->claimed = 1;
		disk_decl_layer(w->layers, src, "crypt", ct->name, ct->scheme,
				depth);
		l = json_array_get(w->layers, json_array_size(w->layers) - 1);
		disk_set_str(l, "underlying", ct->device);
		disk_add_scheme(w->schemes, ct->scheme);
		return DISK_ENC_YES;
	}
	{
		const char *slash = strchr(rest, '/');
		char *vg = NULL, *name = NULL;
		json_t *pvs = NULL, *pv;
		enum disk_enc res = DISK_ENC_MEMORY, c;
		size_t i;

		if (strncmp(rest, "mapper/", 7) == 0) {
			name = xstrdup(rest + 7);
			vg = disk_lvm_vg(name);
		} else if (slash != NULL && strchr(slash + 1, '/') == NULL) {
			vg = xstrndup(rest, (size_t)(slash - rest));
			name = disk_lvm_dm_name(vg, strlen(vg), slash + 1);
		}
		if (vg != NULL) {
			disk_decl_layer(w->layers, src, "lvm", name, NULL,
					depth);
			if (disk_lvm_pvs(d->r, vg, &pvs) != PLUMB_OK ||
			    json_array_size(pvs) == 0) {
				disk_walk_unknown(w, xasprintf(
					"/etc/lvm/backup/%s does not record "
					"the physical volumes of %s", vg, src));
				res = DISK_ENC_UNKNOWN;
			}
			json_array_foreach(pvs, i, pv) {
				int amb = 0;

				c = disk_decl_dev(d, json_string_value(pv), w,
						  depth + 1, &amb);
				if (amb) {
					/* A PV hint by UUID path cannot be
					 * told apart offline. */
					disk_walk_unknown(w, xasprintf(
						"physical volume %s of %s is "
						"not named in etc/crypttab",
						json_string_value(pv), src));
				}
				if (c > res)
					res = c;
			}
			json_decref(pvs);
			free(vg);
			free(name);
			return res;
		}
		free(name);
		if (strncmp(rest, "mapper/", 7) == 0) {
			disk_decl_layer(w->layers, src, "dm", rest + 7, NULL,
					depth);
			disk_walk_unknown(w, xasprintf("%s is neither in "
						       "etc/crypttab nor an "
						       "LVM volume", src));
			return DISK_ENC_UNKNOWN;
		}
	}
	if (strncmp(rest, "zram", 4) == 0) {
		disk_decl_layer(w->layers, src, "memory", NULL, NULL, depth);
		return DISK_ENC_MEMORY;
	}
	if (strchr(rest, '/') == NULL && strncmp(rest, "md", 2) != 0 &&
	    strncmp(rest, "dm-", 3) != 0) {
		disk_decl_layer(w->layers, src, disk_looks_partition(rest) ?
				"part" : "disk", NULL, NULL, depth);
		return DISK_ENC_NO;
	}
	disk_decl_layer(w->layers, src, strncmp(rest, "md", 2) == 0 ?
			"raid" : "dm", NULL, NULL, depth);
	*ambiguous = 1;
	return DISK_ENC_UNKNOWN;
}

/* Whether crypttab holds a volume no declared mount or swap uses that
 * could carry a filesystem found by UUID= or LABEL= (a random-key swap or
 * tmp volume is re-created at each boot, so it carries none). */
static const char *
disk_decl_unclaimed(const struct disk_decl *d)
{
	size_t i;

	for (i = 0; i < d->cts.n; i++) {
		const struct disk_ct *ct = &d->cts.v[i];

		if (ct->claimed || disk_has_opt(ct->options, "swap") ||
		    disk_has_opt(ct->options, "tmp") ||
		    strcmp(ct->keyfile, "/dev/urandom") == 0)
			continue;
		return ct->name;
	}
	return NULL;
}

struct disk_pending {
	json_t *entry;
	char *src;
};

static int
disk_collect_declared(const struct plat_root *r, json_t *facts,
		      struct errbuf *e)
{
	struct disk_decl d;
	struct disk_live L;
	struct disk_mnt *m = NULL;
	struct disk_pending *amb = NULL;
	json_t *mounts = json_array(), *swap = json_array();
	size_t n = 0, i, namb = 0, ignored = 0;
	char *text = NULL;
	const char *unclaimed;
	int rc;

	memset(&d, 0, sizeof(d));
	memset(&L, 0, sizeof(L));
	d.r = r;
	L.r = r;
	rc = plat_read_text(r, "etc/fstab", PLUMB_SMALL_FILE_MAX, &text, NULL,
			    e);
	if (rc == PLUMB_ENOENT) {
		rc = err_set(e, PLUMB_ENOENT, "no mount table (/proc/self/"
			     "mounts, /proc/mounts) and no /etc/fstab under the "
			     "root: nothing says what is mounted");
		goto out;
	}
	if (rc != PLUMB_OK)
		goto out;
	if ((rc = disk_parse_mounts(text, "/etc/fstab", &m, &n, e)) != 0)
		goto out;
	if ((rc = disk_read_crypttab(r, &d.cts, e)) != 0)
		goto out;
	L.mnts = m;
	L.nmnts = n;
	amb = xcalloc(n + 1, sizeof(*amb));
	/* Mounts and swap devices first; swap files need their holder. */
	for (i = 0; i < n; i++) {
		int is_swap = strcmp(m[i].type, "swap") == 0;
		enum disk_class cls = is_swap ? DISK_CLASS_DISK :
			disk_classify(m[i].type, m[i].src);
		struct disk_walk w;
		enum disk_enc enc;
		int ambiguous = 0;
		json_t *o;

		if (cls == DISK_CLASS_IGNORED) {
			ignored++;
			continue;
		}
		if (is_swap && m[i].src[0] == '/' &&
		    strncmp(m[i].src, "/dev/", 5) != 0)
			continue;	/* a swap file: below */
		o = disk_entry_new(is_swap ? NULL : m[i].dir, m[i].src,
				   m[i].type, cls == DISK_CLASS_NETWORK ?
				   "network" : "disk");
		json_object_set_new(o, "line", json_integer(m[i].line));
		if (is_swap)
			json_object_set_new(o, "swap_type",
					    json_string("partition"));
		if (cls == DISK_CLASS_NETWORK) {
			json_object_set_new(o, "encrypted", json_null());
			json_object_set_new(o, "scheme", json_null());
			json_object_set_new(o, "layers", json_array());
			json_object_set_new(o, "reason",
					    json_string("network filesystem: "
							"its storage is not "
							"this endpoint's "
							"disk"));
			json_array_append_new(mounts, o);
			continue;
		}
		disk_walk_init(&w, &L);
		if (cls == DISK_CLASS_STACKED) {
			disk_add_scheme(w.schemes, m[i].type);
			enc = DISK_ENC_YES;
		} else if (cls == DISK_CLASS_ZFS) {
			disk_walk_unknown(&w, xasprintf("ZFS native encryption "
							"of %s is not "
							"declared in fstab",
							m[i].src));
			enc = DISK_ENC_UNKNOWN;
		} else {
			enc = disk_decl_dev(&d, m[i].src, &w, 0, &ambiguous);
		}
		disk_entry_result(o, enc, &w);
		disk_walk_release(&w);
		if (ambiguous) {
			amb[namb].entry = o;
			amb[namb].src = m[i].src;
			namb++;
		}
		json_array_append_new(is_swap ? swap : mounts, o);
	}
	/* UUID= and LABEL= name a filesystem, not the device under it: it
	 * may live inside a crypttab volume nothing else uses. */
	unclaimed = disk_decl_unclaimed(&d);
	for (i = 0; i < namb; i++) {
		json_t *o = amb[i].entry;
		char *why;

		if (unclaimed == NULL) {
			json_object_set_new(o, "encrypted", json_false());
			why = xasprintf("%s is not a crypttab mapping and no "
					"crypttab volume is left that could "
					"hold it", amb[i].src);
		} else {
			json_object_set_new(o, "encrypted", json_null());
			why = xasprintf("%s may be a filesystem inside crypttab "
					"volume %s: an offline image cannot "
					"tell", amb[i].src, unclaimed);
		}
		json_object_set_new(o, "reason", json_host_str(why));
		free(why);
	}
	for (i = 0; i < n; i++) {
		struct disk_walk w;
		const struct disk_mnt *h;
		json_t *o, *holder = NULL, *v;
		size_t k;

		if (strcmp(m[i].type, "swap") != 0 || m[i].src[0] != '/' ||
		    strncmp(m[i].src, "/dev/", 5) == 0)
			continue;
		o = disk_entry_new(NULL, m[i].src, "swap", "disk");
		json_object_set_new(o, "line", json_integer(m[i].line));
		json_object_set_new(o, "swap_type", json_string("file"));
		h = disk_holder(m, n, m[i].src);
		json_array_foreach(mounts, k, v) {
			const char *mp = json_string_value(
				json_object_get(v, "mountpoint"));

			if (h != NULL && mp != NULL && strcmp(mp, h->dir) == 0)
				holder = v;
		}
		disk_walk_init(&w, &L);
		disk_decl_layer(w.layers, m[i].src, "file",
				h != NULL ? h->dir : NULL, NULL, 0);
		if (holder == NULL) {
			disk_walk_unknown(&w, xasprintf("no declared "
							"filesystem holds "
							"swap file %s",
							m[i].src));
			disk_entry_result(o, DISK_ENC_UNKNOWN, &w);
		} else {
			json_t *enc = json_object_get(holder, "encrypted");
			json_t *hl = json_object_get(holder, "layers");

			json_array_foreach(hl, k, v) {
				json_t *c = json_deep_copy(v);
				json_int_t dp = json_integer_value(
					json_object_get(c, "depth"));

				json_object_set_new(c, "depth",
						    json_integer(dp + 1));
				json_array_append_new(w.layers, c);
			}
			json_object_set_new(o, "layers", json_incref(w.layers));
			json_object_set(o, "encrypted", enc);
			json_object_set(o, "scheme",
					json_object_get(holder, "scheme"));
			if (json_object_get(holder, "reason") != NULL)
				json_object_set(o, "reason",
						json_object_get(holder,
								"reason"));
			json_object_set(o, "class",
					json_object_get(holder, "class"));
		}
		disk_walk_release(&w);
		json_array_append_new(swap, o);
	}
	json_object_set_new(facts, "source", json_string("declared"));
	json_object_set_new(facts, "note",
			    json_string("no mount table under the root: judged "
					"from /etc/fstab, /etc/crypttab and "
					"/etc/lvm/backup as declared, not as "
					"mounted"));
	json_object_set_new(facts, "ignored", json_integer((json_int_t)ignored));
	json_object_set_new(facts, "crypttab", disk_cts_json(&d.cts));
	json_object_set_new(facts, "mounts", mounts);
	json_object_set_new(facts, "swap", swap);
	mounts = swap = NULL;
out:
	json_decref(mounts);
	json_decref(swap);
	free(amb);
	disk_mnts_free(m, n);
	disk_cts_release(&d.cts);
	free(text);
	return rc;
}

/* ---- the probe ---------------------------------------------------------- */

static int
disk_collect(const struct probe_ctx *ctx, const char *subject,
	     json_t **facts, struct errbuf *e)
{
	static const char *const tables[] = { "proc/self/mounts",
					      "proc/mounts" };
	json_t *f = NULL;
	char *text = NULL;
	size_t i;
	int rc = PLUMB_ENOENT;

	(void)subject;
	*facts = NULL;
	for (i = 0; i < 2 && rc == PLUMB_ENOENT; i++)
		rc = plat_read_text(ctx->root, tables[i], PLUMB_PROC_TABLE_MAX,
				    &text, NULL, e);
	f = json_object();
	if (rc == PLUMB_OK) {
		struct disk_cts cts;

		struct errbuf ce;

		rc = disk_collect_live(ctx->root, tables[i - 1], text, f, e);
		/* On a live host crypttab is context only: a broken one is
		 * reported, not allowed to hide what is mounted. */
		if (rc == PLUMB_OK &&
		    disk_read_crypttab(ctx->root, &cts, &ce) == PLUMB_OK) {
			json_object_set_new(f, "crypttab", disk_cts_json(&cts));
			disk_cts_release(&cts);
		} else if (rc == PLUMB_OK) {
			json_object_set_new(f, "crypttab_error",
					    json_host_str(ce.msg));
		}
	} else if (rc == PLUMB_ENOENT) {
		rc = disk_collect_declared(ctx->root, f, e);
	}
	free(text);
	if (rc != PLUMB_OK) {
		json_decref(f);
		return rc;
	}
	*facts = f;
	return PLUMB_OK;
}

const struct probe probe_disk = {
	.name = "disk",
	.collect = disk_collect,
};

/* ---- the check type ------------------------------------------------------ */

static const struct check_param_spec disk_params[] = {
	{ "exempt", CHECK_PARAM_STRING, CHECK_PARAM_MULTI,
	  "a mount point not judged, besides /boot, /boot/efi and a vfat /efi "
	  "(repeatable)" },
	{ "include_swap", CHECK_PARAM_BOOL, 0,
	  "judge swap areas too (default true); zram swap is memory and "
	  "never judged" },
	{ "mount", CHECK_PARAM_STRING, CHECK_PARAM_MULTI,
	  "judge only the filesystem holding this path (repeatable; naming "
	  "/boot overrides its default exemption)" },
	{ NULL, 0, 0, NULL }
};

static int
disk_validate(const struct check *chk, struct errbuf *e)
{
	size_t i;

	for (i = 0; i < chk->nparams; i++) {
		const struct check_param *p = &chk->params[i];

		if ((strcmp(p->name, "exempt") == 0 ||
		     strcmp(p->name, "mount") == 0) && p->value[0] != '/')
			return err_set(e, PLUMB_EINVAL, "line %d: %s \"%s\" is "
				       "not an absolute path", p->line,
				       p->name, p->value);
	}
	return PLUMB_OK;
}

/* Whether any value of parameter name is path (a trailing '/' ignored). */
static int
disk_param_is(const struct check *chk, const char *name, const char *path)
{
	size_t i, n;

	for (i = 0; i < chk->nparams; i++) {
		const char *v = chk->params[i].value;

		if (strcmp(chk->params[i].name, name) != 0)
			continue;
		n = strlen(v);
		while (n > 1 && v[n - 1] == '/')
			n--;
		if (strlen(path) == n && strncmp(v, path, n) == 0)
			return 1;
	}
	return 0;
}

static int
disk_mountpoint_is(const json_t *o, const char *dir)
{
	const char *mp = json_string_value(json_object_get(o, "mountpoint"));
	json_t *also = json_object_get(o, "also_mounted_at"), *v;
	size_t i;

	if (mp != NULL && strcmp(mp, dir) == 0)
		return 1;
	json_array_foreach(also, i, v)
		if (strcmp(json_string_value(v), dir) == 0)
			return 1;
	return 0;
}

/* The mount entry holding path: the longest mount point above it. */
static json_t *
disk_entry_holding(const json_t *mounts, const char *path)
{
	json_t *best = NULL, *v, *a;
	size_t i, j, blen = 0;

	json_array_foreach(mounts, i, v) {
		const char *mp = json_string_value(json_object_get(v,
								   "mountpoint"));

		if (mp != NULL && disk_path_under(path, mp) &&
		    (best == NULL || strlen(mp) > blen)) {
			best = v;
			blen = strlen(mp);
		}
		json_array_foreach(json_object_get(v, "also_mounted_at"), j, a) {
			const char *s = json_string_value(a);

			if (disk_path_under(path, s) &&
			    (best == NULL || strlen(s) > blen)) {
				best = v;
				blen = strlen(s);
			}
		}
	}
	return best;
}

/* The default exemption for a mount: boot files and the EFI system
 * partition cannot be encrypted without a bootloader that decrypts. */
static const char *
disk_default_exempt(const json_t *o)
{
	const char *fs = json_string_value(json_object_get(o, "fstype"));

	if (disk_mountpoint_is(o, "/boot"))
		return "boot partition (exempt by default)";
	if (disk_mountpoint_is(o, "/boot/efi"))
		return "EFI system partition (exempt by default)";
	if (disk_mountpoint_is(o, "/efi") && fs != NULL &&
	    strcmp(fs, "vfat") == 0)
		return "EFI system partition (exempt by default)";
	return NULL;
}

struct disk_tally {
	size_t pass, unknown, judged;
	json_t *unencrypted;	/* ["/ (/dev/vda)", ...] */
	json_t *unknowns;
	json_t *schemes;
};

static void
disk_tally_entry(struct disk_tally *t, json_t *o, const char *label)
{
	json_t *enc = json_object_get(o, "encrypted");
	const char *dev = json_string_value(json_object_get(o, "device"));
	const char *sch = json_string_value(json_object_get(o, "scheme"));
	char *s;

	json_object_set_new(o, "judged", json_true());
	t->judged++;
	s = xasprintf("%s (%s)", label, dev != NULL ? dev : "?");
	if (json_is_true(enc)) {
		t->pass++;
		if (sch != NULL)
			disk_add_scheme(t->schemes, sch);
	} else if (json_is_false(enc)) {
		json_array_append_new(t->unencrypted, json_host_str(s));
	} else {
		t->unknown++;
		json_array_append_new(t->unknowns, json_host_str(s));
	}
	free(s);
}

/* "a, b, c and 2 more" from a list of strings. */
static char *
disk_list_text(const json_t *a)
{
	struct dynbuf b;
	size_t i, n = json_array_size(a);

	dynbuf_init(&b, PLUMB_ERRMSG_MAX);
	for (i = 0; i < n && i < 5; i++)
		(void)dynbuf_printf(&b, "%s%s", i ? ", " : "",
				    json_string_value(json_array_get(a, i)));
	if (n > 5)
		(void)dynbuf_printf(&b, " and %zu more", n - 5);
	return dynbuf_take(&b, NULL);
}

static void
disk_judge(const json_t *facts, const struct check *chk,
	   const struct probe_ctx *ctx, struct check_outcome *out)
{
	const char *source = json_string_value(json_object_get(facts,
							       "source"));
	const char *container = json_string_value(json_object_get(facts,
								  "container"));
	int declared = source != NULL && strcmp(source, "declared") == 0;
	int include_swap = check_param_bool(chk, "include_swap", 1);
	int restrict_mounts = check_param_get(chk, "mount") != NULL;
	json_t *ev = json_object(), *mounts, *swap, *v;
	struct disk_tally t;
	const char *how = declared ? " (as declared in /etc/fstab and "
		"/etc/crypttab: no mount table under the root)" : "";
	char *list;
	size_t i;

	(void)ctx;
	memset(&t, 0, sizeof(t));
	t.unencrypted = json_array();
	t.unknowns = json_array();
	t.schemes = json_array();
	mounts = json_deep_copy(json_object_get(facts, "mounts"));
	swap = json_deep_copy(json_object_get(facts, "swap"));
	if (mounts == NULL)
		mounts = json_array();
	if (swap == NULL)
		swap = json_array();
	json_object_set_new(ev, "source", json_string(source != NULL ?
						      source : "live"));
	if (json_object_get(facts, "note") != NULL)
		json_object_set(ev, "note", json_object_get(facts, "note"));

	json_array_foreach(mounts, i, v)
		json_object_set_new(v, "judged", json_false());
	if (restrict_mounts) {
		for (i = 0; i < chk->nparams; i++) {
			const char *want = chk->params[i].value;
			json_t *h;

			if (strcmp(chk->params[i].name, "mount") != 0)
				continue;
			h = disk_entry_holding(mounts, want);
			if (h == NULL) {
				char *s = xasprintf("%s (no filesystem holds "
						    "it)", want);

				t.unknown++;
				t.judged++;
				json_array_append_new(t.unknowns, json_host_str(s));
				free(s);
				continue;
			}
			json_object_set_new(h, "selected", json_true());
		}
	}
	json_array_foreach(mounts, i, v) {
		const char *cls = json_string_value(json_object_get(v, "class"));
		const char *mp = json_string_value(json_object_get(v,
								   "mountpoint"));
		const char *ex = disk_default_exempt(v);
		int selected = json_is_true(json_object_get(v, "selected"));

		json_object_del(v, "selected");
		if (cls != NULL && strcmp(cls, "network") == 0) {
			json_object_set_new(v, "not_applicable",
					    json_string("network filesystem"));
			continue;
		}
		if (cls != NULL && strcmp(cls, "memory") == 0) {
			json_object_set_new(v, "not_applicable",
					    json_string("backed by memory"));
			continue;
		}
		if (restrict_mounts && !selected)
			continue;
		if (mp != NULL && disk_param_is(chk, "exempt", mp)) {
			json_object_set_new(v, "exempt",
					    json_string("exempt by the "
							"baseline"));
			continue;
		}
		if (ex != NULL && !selected) {
			json_object_set_new(v, "exempt", json_string(ex));
			continue;
		}
		disk_tally_entry(&t, v, mp != NULL ? mp : "?");
	}
	json_array_foreach(swap, i, v) {
		const char *cls = json_string_value(json_object_get(v, "class"));

		json_object_set_new(v, "judged", json_false());
		if (cls != NULL && strcmp(cls, "memory") == 0) {
			json_object_set_new(v, "not_applicable",
					    json_string("backed by memory "
							"(zram)"));
			continue;
		}
		if (!include_swap)
			continue;
		disk_tally_entry(&t, v, "swap");
	}
	json_object_set_new(ev, "mounts", mounts);
	json_object_set_new(ev, "swap", swap);
	if (json_object_get(facts, "crypttab") != NULL)
		json_object_set(ev, "crypttab",
				json_object_get(facts, "crypttab"));
	if (json_object_get(facts, "crypttab_error") != NULL)
		json_object_set(ev, "crypttab_error",
				json_object_get(facts, "crypttab_error"));

	if (container != NULL) {
		check_outcome_set(out, STATUS_NOTAPPLICABLE, "%s", container);
		json_object_set_new(ev, "reason", json_string(container));
	} else if (json_array_size(t.unencrypted) > 0) {
		list = disk_list_text(t.unencrypted);
		check_outcome_set(out, STATUS_FAIL, "not encrypted: %s%s", list,
				  how);
		free(list);
	} else if (t.unknown > 0) {
		list = disk_list_text(t.unknowns);
		check_outcome_set(out, STATUS_UNKNOWN, "encryption cannot be "
				  "determined for %s%s", list, how);
		free(list);
	} else if (t.pass > 0) {
		list = disk_list_text(t.schemes);
		check_outcome_set(out, STATUS_PASS, "all %zu judged filesystems "
				  "and swap areas are encrypted (%s)%s", t.pass,
				  list, how);
		free(list);
	} else {
		check_outcome_set(out, STATUS_NOTAPPLICABLE, "no persistent "
				  "local filesystem or swap to judge%s", how);
	}
	json_object_set_new(ev, "unencrypted", t.unencrypted);
	json_object_set_new(ev, "undetermined", t.unknowns);
	json_decref(t.schemes);
	out->evidence = ev;
}

const struct check_type check_disk_encryption = {
	.name = "disk-encryption",
	.summary = "every persistent local filesystem and swap area is "
		"encrypted with dm-crypt (LUKS, plain, ...) down to the disk",
	.probe = &probe_disk,
	.params = disk_params,
	.subject = NULL,
	.validate = disk_validate,
	.judge = disk_judge,
};

/*
 * test_disk.c - the disk probe and the disk-encryption check type: dm uuid
 * and crypttab classification tables, then the probe and judge over the
 * fixture roots in tests/fixtures/enc-* and over hostile roots built in a
 * temporary directory.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "baseline.h"
#include "plat.h"
#include "probe.h"
#include "probe_disk.h"
#include "support.h"
#include "util.h"

static const char *
top(void)
{
	const char *t = getenv("PLUMB_TOP");

	return t != NULL ? t : ".";
}

/* ---- tables ------------------------------------------------------------ */

static void
dm_kind__classifies_uuids_as_lsblk_does(void **state)
{
	static const struct {
		const char *uuid, *kind, *scheme, *dm_type;
	} cases[] = {
		{ "CRYPT-LUKS2-4f1c7e0c8a1b4f5e9d2a6b3c1e0f9a8b-sda3_crypt",
		  "crypt", "luks2", "crypt-luks2" },
		{ "CRYPT-LUKS1-00000000000000000000000000000000-root", "crypt",
		  "luks1", "crypt-luks1" },
		{ "CRYPT-PLAIN-cryptswap", "crypt", "plain", "crypt-plain" },
		{ "CRYPT-TCRYPT-vc", "crypt", "tcrypt", "crypt-tcrypt" },
		{ "CRYPT-BITLK-win", "crypt", "bitlk", "crypt-bitlk" },
		{ "CRYPT-LOOPAES-old", "crypt", "loopaes", "crypt-loopaes" },
		{ "CRYPT-FVAULT2-mac", "crypt", "fvault2", "crypt-fvault2" },
		/* A cryptsetup type plumb does not know still encrypts. */
		{ "CRYPT-NEWTYPE-x", "crypt", "crypt", "crypt-newtype" },
		/* Integrity and verity protect integrity only; SUBDEV and
		 * TEMP are cryptsetup's helpers: the walk goes through. */
		{ "CRYPT-VERITY-abc-usr", "dm", NULL, "crypt-verity" },
		{ "CRYPT-INTEGRITY-x", "dm", NULL, "crypt-integrity" },
		{ "CRYPT-SUBDEV-abc-data_dif", "dm", NULL, "crypt-subdev" },
		{ "CRYPT-TEMP-x", "dm", NULL, "crypt-temp" },
		{ "LVM-Xq3hXyUdg0Cgq8wN2Bz5d5sKkMLg1M6f", "lvm", NULL, "lvm" },
		{ "mpath-3600508b400105e210000900000490000", "dm", NULL,
		  "mpath" },
		{ "part1-mpath-3600508b4", "part", NULL, "part1" },
		{ "", "dm", NULL, "" },
		/* Lower case is not cryptsetup's prefix. */
		{ "crypt-LUKS2-x", "dm", NULL, "crypt" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *scheme = (const char *)1;
		char dm_type[32];
		const char *kind = disk_dm_kind(cases[i].uuid, &scheme,
						dm_type);

		assert_string_equal(kind, cases[i].kind);
		if (cases[i].scheme == NULL)
			assert_null(scheme);
		else
			assert_string_equal(scheme, cases[i].scheme);
		assert_string_equal(dm_type, cases[i].dm_type);
	}
}

static void
crypttab_scheme__explicit_mode_random_key_or_auto(void **state)
{
	static const struct {
		const char *keyfile, *options, *scheme;
	} cases[] = {
		{ "none", "luks,discard", "luks" },
		{ "none", "discard,luks", "luks" },
		{ "/etc/keys/x.key", "plain,cipher=aes-xts-plain64,size=512",
		  "plain" },
		{ "none", "tcrypt-veracrypt", "tcrypt" },
		{ "none", "tcrypt", "tcrypt" },
		{ "-", "bitlk", "bitlk" },
		{ "none", "loop-aes", "loopaes" },
		{ "/dev/urandom", "swap,cipher=aes-xts-plain64", "plain" },
		{ "/dev/urandom", "", "plain" },
		{ "none", "tmp", "plain" },
		{ "none", "", "auto" },
		{ "none", "discard,tpm2-device=auto", "auto" },
		/* "luksOpen" is not the luks option. */
		{ "none", "luksx", "auto" },
		{ NULL, NULL, "auto" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(disk_crypttab_scheme(cases[i].keyfile,
							 cases[i].options),
				    cases[i].scheme);
}

static void
unescape__undoes_mount_table_octal_escapes(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "/srv/shared\\040data", "/srv/shared data" },
		{ "a\\011b\\012c\\134d", "a\tb\nc\\d" },
		{ "\\000", "\\000" },		/* NUL is never produced */
		{ "\\04", "\\04" },		/* too short: kept */
		{ "\\089", "\\089" },		/* not octal: kept */
		{ "end\\", "end\\" },
		{ "", "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = disk_unescape(cases[i].in, strlen(cases[i].in));

		assert_string_equal(s, cases[i].out);
		free(s);
	}
}

/* ---- fixture roots --------------------------------------------------------- */

/* Collects the disk facts of a root and judges them with params (name,
 * value pairs ending in NULL).  Returns the status; *ev and *msg are the
 * caller's. */
static enum status
judge_root(const char *dir, json_t **ev, char **msg, ...)
{
	struct plat_root *r = NULL;
	struct probe_ctx ctx;
	struct check chk;
	struct check_param params[8];
	struct check_outcome out;
	struct errbuf e;
	json_t *facts = NULL;
	va_list ap;
	const char *name;
	size_t n = 0;

	assert_int_equal(plat_root_open(dir, &r, &e), 0);
	memset(&ctx, 0, sizeof(ctx));
	ctx.root = r;
	if (probe_disk.collect(&ctx, NULL, &facts, &e) != 0)
		fail_msg("collect %s: %s", dir, e.msg);
	memset(&chk, 0, sizeof(chk));
	va_start(ap, msg);
	while ((name = va_arg(ap, const char *)) != NULL && n < 8) {
		params[n].name = (char *)name;
		params[n].value = va_arg(ap, char *);
		params[n].line = 1;
		n++;
	}
	va_end(ap);
	chk.type = (char *)"disk-encryption";
	chk.ct = &check_disk_encryption;
	chk.params = params;
	chk.nparams = n;
	assert_int_equal(check_disk_encryption.validate(&chk, &e), 0);
	memset(&out, 0, sizeof(out));
	check_disk_encryption.judge(facts, &chk, &ctx, &out);
	assert_non_null(out.evidence);
	assert_non_null(out.message);
	*ev = out.evidence;
	*msg = out.message;
	json_decref(facts);
	plat_root_free(r);
	return out.status;
}

static char *
fixture(const char *c)
{
	return xasprintf("%s/tests/fixtures/%s/root", top(), c);
}

/* The mount entry at mountpoint mp in evidence ev (borrowed). */
static json_t *
mount_at(json_t *ev, const char *mp)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(ev, "mounts"), i, v) {
		const char *m = json_string_value(json_object_get(v,
								  "mountpoint"));

		if (m != NULL && strcmp(m, mp) == 0)
			return v;
	}
	fail_msg("no mount %s in the evidence", mp);
	return NULL;
}

static json_t *
swap_dev(json_t *ev, const char *dev)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(ev, "swap"), i, v)
		if (strcmp(json_string_value(json_object_get(v, "device")),
			   dev) == 0)
			return v;
	fail_msg("no swap %s in the evidence", dev);
	return NULL;
}

/* "kind:dev kind:dev ..." of an entry's layers, for stack assertions. */
static char *
layers_text(json_t *o)
{
	struct dynbuf b;
	size_t i;
	json_t *l;

	dynbuf_init(&b, 4096);
	json_array_foreach(json_object_get(o, "layers"), i, l)
		assert_int_equal(dynbuf_printf(&b, "%s%s:%s", i ? " " : "",
			json_string_value(json_object_get(l, "kind")),
			json_string_value(json_object_get(l, "dev"))), 0);
	return dynbuf_take(&b, NULL);
}

static void
assert_layers(json_t *o, const char *want)
{
	char *got = layers_text(o);

	assert_string_equal(got, want);
	free(got);
}

static void
lvm_on_luks__passes_with_boot_exempt_and_swap_through_crypt(void **state)
{
	char *root = fixture("enc-lvm-on-luks"), *msg;
	json_t *ev, *m;

	(void)state;
	assert_int_equal(judge_root(root, &ev, &msg, NULL), STATUS_PASS);
	assert_string_equal(json_string_value(json_object_get(ev, "source")),
			    "live");
	m = mount_at(ev, "/");
	assert_true(json_is_true(json_object_get(m, "encrypted")));
	assert_string_equal(json_string_value(json_object_get(m, "scheme")),
			    "luks2");
	assert_layers(m, "lvm:dm-1 crypt:dm-0 part:sda3 disk:sda");
	/* The bind mount of /home is reported once, with both places. */
	m = mount_at(ev, "/home");
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(m, "also_mounted_at"), 0)), "/srv/shared data");
	m = mount_at(ev, "/boot");
	assert_true(json_is_false(json_object_get(m, "encrypted")));
	assert_true(json_is_false(json_object_get(m, "judged")));
	assert_non_null(json_object_get(m, "exempt"));
	assert_non_null(json_object_get(mount_at(ev, "/boot/efi"), "exempt"));
	m = mount_at(ev, "/mnt/projects");
	assert_string_equal(json_string_value(json_object_get(m, "class")),
			    "network");
	assert_non_null(json_object_get(m, "not_applicable"));
	/* Pseudo and memory filesystems and read-only images are left out. */
	assert_int_equal(json_array_size(json_object_get(ev, "mounts")), 5);
	m = swap_dev(ev, "/dev/dm-2");
	assert_true(json_is_true(json_object_get(m, "encrypted")));
	assert_layers(m, "lvm:dm-2 crypt:dm-0 part:sda3 disk:sda");
	m = swap_dev(ev, "/dev/zram0");
	assert_string_equal(json_string_value(json_object_get(m, "class")),
			    "memory");
	assert_true(json_is_false(json_object_get(m, "judged")));
	json_decref(ev);
	free(msg);
	free(root);
}

static void
home_plain__fails_naming_home_only(void **state)
{
	char *root = fixture("enc-home-plain"), *msg;
	json_t *ev, *un;

	(void)state;
	assert_int_equal(judge_root(root, &ev, &msg, NULL), STATUS_FAIL);
	assert_non_null(strstr(msg, "/home (/dev/nvme0n1p3)"));
	un = json_object_get(ev, "unencrypted");
	assert_int_equal(json_array_size(un), 1);
	assert_layers(mount_at(ev, "/home"), "part:nvme0n1p3 disk:nvme0n1");
	/* LUKS on md raid1: both mirrors listed below the crypt layer. */
	assert_layers(mount_at(ev, "/srv"), "crypt:dm-1 raid:md127 part:sdb1 "
		      "disk:sdb part:sdc1 disk:sdc");
	json_decref(ev);
	free(msg);
	free(root);
}

static void
home_plain__exempt_and_mount_params_narrow_the_judgement(void **state)
{
	char *root = fixture("enc-home-plain"), *msg;
	json_t *ev;

	(void)state;
	assert_int_equal(judge_root(root, &ev, &msg, "exempt", "/home/", NULL),
			 STATUS_PASS);
	assert_string_equal(json_string_value(json_object_get(
		mount_at(ev, "/home"), "exempt")), "exempt by the baseline");
	json_decref(ev);
	free(msg);
	/* mount= judges the filesystem holding the path, nothing else. */
	assert_int_equal(judge_root(root, &ev, &msg, "mount", "/srv/www",
				    NULL), STATUS_PASS);
	assert_true(json_is_false(json_object_get(mount_at(ev, "/home"),
						  "judged")));
	json_decref(ev);
	free(msg);
	assert_int_equal(judge_root(root, &ev, &msg, "mount", "/home/alice",
				    "mount", "/", NULL), STATUS_FAIL);
	json_decref(ev);
	free(msg);
	/* Naming /boot/efi overrides its default exemption. */
	assert_int_equal(judge_root(root, &ev, &msg, "mount", "/boot/efi",
				    NULL), STATUS_FAIL);
	json_decref(ev);
	free(msg);
	free(root);
}

static void
swap_plain__fails_and_include_swap_false_passes(void **state)
{
	char *root = fixture("enc-swap-plain"), *msg;
	json_t *ev, *s;

	(void)state;
	assert_int_equal(judge_root(root, &ev, &msg, NULL), STATUS_FAIL);
	assert_string_equal(msg, "not encrypted: swap (/dev/sda3)");
	/* A swap file takes the encryption of the filesystem holding it. */
	s = swap_dev(ev, "/swapfile");
	assert_true(json_is_true(json_object_get(s, "encrypted")));
	assert_layers(s, "file:/swapfile crypt:dm-0 part:sda2 disk:sda");
	/* btrfs subvolumes of one device are one entry. */
	assert_int_equal(json_array_size(json_object_get(
		mount_at(ev, "/"), "also_mounted_at")), 1);
	json_decref(ev);
	free(msg);
	assert_int_equal(judge_root(root, &ev, &msg, "include_swap", "false",
				    NULL), STATUS_PASS);
	assert_true(json_is_false(json_object_get(swap_dev(ev, "/dev/sda3"),
						  "judged")));
	json_decref(ev);
	free(msg);
	free(root);
}

static void
declared__judges_fstab_crypttab_and_lvm_backup(void **state)
{
	char *root = fixture("enc-declared"), *msg;
	json_t *ev, *m;

	(void)state;
	assert_int_equal(judge_root(root, &ev, &msg, NULL), STATUS_PASS);
	assert_string_equal(json_string_value(json_object_get(ev, "source")),
			    "declared");
	assert_non_null(strstr(msg, "declared"));
	assert_non_null(json_object_get(ev, "note"));
	m = mount_at(ev, "/");
	assert_layers(m, "lvm:/dev/mapper/vg0-root crypt:/dev/mapper/sda3_crypt");
	assert_string_equal(json_string_value(json_object_get(m, "scheme")),
			    "luks");
	/* /dev/VG/LV is found through LVM's dm name. */
	assert_true(json_is_true(json_object_get(mount_at(ev, "/home"),
						 "encrypted")));
	m = swap_dev(ev, "/dev/mapper/cryptswap");
	assert_string_equal(json_string_value(json_object_get(m, "scheme")),
			    "plain");
	/* Every crypttab volume is accounted for, so UUID= is plain. */
	assert_true(json_is_false(json_object_get(mount_at(ev, "/boot"),
						  "encrypted")));
	assert_string_equal(json_string_value(json_object_get(
		mount_at(ev, "/mnt/backup"), "class")), "network");
	json_decref(ev);
	free(msg);
	free(root);
}

static void
luks_on_lvm__passes_through_mountinfo_and_loop(void **state)
{
	char *root = fixture("enc-luks-on-lvm"), *msg;
	json_t *ev, *m;

	(void)state;
	assert_int_equal(judge_root(root, &ev, &msg, NULL), STATUS_PASS);
	/* /dev/root has no name in sysfs: found by mountinfo's 253:1. */
	m = mount_at(ev, "/");
	assert_string_equal(json_string_value(json_object_get(m, "dev")),
			    "dm-1");
	assert_layers(m, "crypt:dm-1 lvm:dm-0 part:sda2 disk:sda");
	assert_string_equal(json_string_value(json_object_get(m, "scheme")),
			    "luks1");
	/* A loop device is as encrypted as its backing file's filesystem. */
	assert_layers(mount_at(ev, "/mnt/data"), "loop:loop0 "
		      "file:/var/lib/images/data.img crypt:dm-5 lvm:dm-4 "
		      "part:sda2 disk:sda");
	m = swap_dev(ev, "/dev/dm-3");
	assert_string_equal(json_string_value(json_object_get(m, "scheme")),
			    "plain");
	json_decref(ev);
	free(msg);
	free(root);
}

static void
container__is_not_applicable_and_says_why(void **state)
{
	char *root = fixture("enc-container"), *msg;
	json_t *ev;

	(void)state;
	assert_int_equal(judge_root(root, &ev, &msg, NULL),
			 STATUS_NOTAPPLICABLE);
	assert_non_null(strstr(msg, "overlay"));
	assert_non_null(strstr(msg, "container"));
	/* The bind-mounted files of the host are not filesystems here. */
	assert_int_equal(json_array_size(json_object_get(ev, "mounts")), 0);
	json_decref(ev);
	free(msg);
	free(root);
}

/* ---- hostile and broken roots ------------------------------------------- */

struct tmproot {
	char dir[SUPPORT_DIR_MAX];
};

static void
tmp_write(struct tmproot *t, const char *rel, const char *text)
{
	support_write_file(t->dir, rel, text);
}

static void
tmp_link(struct tmproot *t, const char *rel, const char *target)
{
	char *p = xasprintf("%s/%s", t->dir, rel);

	support_mkparents(t->dir, rel);
	assert_int_equal(symlink(target, p), 0);
	free(p);
}

static void
tmp_new(struct tmproot *t)
{
	support_tmpdir(t->dir, sizeof(t->dir), "disk");
}

static void
tmp_free(struct tmproot *t)
{
	assert_int_equal(support_rmtree(t->dir), 0);
}

static int
collect_err(const char *dir, struct errbuf *e)
{
	struct plat_root *r = NULL;
	struct probe_ctx ctx;
	json_t *facts = NULL;
	int rc;

	assert_int_equal(plat_root_open(dir, &r, e), 0);
	memset(&ctx, 0, sizeof(ctx));
	ctx.root = r;
	rc = probe_disk.collect(&ctx, NULL, &facts, e);
	json_decref(facts);
	plat_root_free(r);
	return rc;
}

static void
empty_root__is_an_error_saying_nothing_was_read(void **state)
{
	struct tmproot t;
	struct errbuf e;

	(void)state;
	tmp_new(&t);
	assert_int_equal(collect_err(t.dir, &e), PLUMB_ENOENT);
	assert_non_null(strstr(e.msg, "/etc/fstab"));
	tmp_free(&t);
}

static void
malformed_tables__name_file_and_line(void **state)
{
	struct tmproot t;
	struct errbuf e;

	(void)state;
	tmp_new(&t);
	tmp_write(&t, "proc/self/mounts", "/dev/sda1 / ext4 rw 0 0\n"
		  "garbage-without-fields\n");
	assert_int_equal(collect_err(t.dir, &e), PLUMB_EPARSE);
	assert_non_null(strstr(e.msg, "proc/self/mounts:2:"));
	tmp_free(&t);

	tmp_new(&t);
	tmp_write(&t, "etc/fstab", "# comment\n\n/dev/sda1 /\n");
	assert_int_equal(collect_err(t.dir, &e), PLUMB_EPARSE);
	assert_non_null(strstr(e.msg, "/etc/fstab:3:"));
	tmp_free(&t);

	tmp_new(&t);
	tmp_write(&t, "etc/fstab", "/dev/sda1 / ext4 defaults 0 1\n");
	tmp_write(&t, "etc/crypttab", "onlyname\n");
	assert_int_equal(collect_err(t.dir, &e), PLUMB_EPARSE);
	assert_non_null(strstr(e.msg, "/etc/crypttab:1:"));
	tmp_free(&t);

	tmp_new(&t);
	tmp_write(&t, "proc/self/mounts", "/dev/sda1 / ext4 rw 0 0\n");
	tmp_write(&t, "proc/swaps", "Filename Type Size Used Priority\n"
		  "/dev/sda2\n");
	assert_int_equal(collect_err(t.dir, &e), PLUMB_EPARSE);
	assert_non_null(strstr(e.msg, "/proc/swaps:2:"));
	tmp_free(&t);
}

static void
live_root__a_broken_crypttab_is_reported_not_fatal(void **state)
{
	struct tmproot t;
	char *msg;
	json_t *ev;

	(void)state;
	tmp_new(&t);
	tmp_write(&t, "proc/self/mounts", "/dev/sda1 / ext4 rw 0 0\n");
	tmp_write(&t, "sys/devices/pci0/block/sda/sda1/partition", "1\n");
	tmp_link(&t, "sys/class/block/sda1", "../../devices/pci0/block/sda/sda1");
	tmp_link(&t, "sys/class/block/sda", "../../devices/pci0/block/sda");
	tmp_write(&t, "etc/crypttab", "lonely\n");
	assert_int_equal(judge_root(t.dir, &ev, &msg, NULL), STATUS_FAIL);
	assert_string_equal(msg, "not encrypted: / (/dev/sda1)");
	assert_non_null(strstr(json_string_value(json_object_get(ev,
		"crypttab_error")), "/etc/crypttab:1:"));
	json_decref(ev);
	free(msg);
	tmp_free(&t);
}

static void
sysfs_cycle__stops_at_the_depth_cap_as_unknown(void **state)
{
	struct tmproot t;
	char *msg;
	json_t *ev, *m;

	(void)state;
	tmp_new(&t);
	/* dm-0 and dm-1 are each other's slaves: a hostile image. */
	tmp_write(&t, "proc/self/mounts", "/dev/dm-0 / ext4 rw 0 0\n");
	tmp_write(&t, "sys/devices/virtual/block/dm-0/dm/name", "a\n");
	tmp_write(&t, "sys/devices/virtual/block/dm-0/dm/uuid", "LVM-a\n");
	tmp_write(&t, "sys/devices/virtual/block/dm-1/dm/name", "b\n");
	tmp_write(&t, "sys/devices/virtual/block/dm-1/dm/uuid", "LVM-b\n");
	tmp_link(&t, "sys/class/block/dm-0", "../../devices/virtual/block/dm-0");
	tmp_link(&t, "sys/class/block/dm-1", "../../devices/virtual/block/dm-1");
	tmp_link(&t, "sys/devices/virtual/block/dm-0/slaves/dm-1", "../../dm-1");
	tmp_link(&t, "sys/devices/virtual/block/dm-1/slaves/dm-0", "../../dm-0");
	assert_int_equal(judge_root(t.dir, &ev, &msg, NULL), STATUS_UNKNOWN);
	m = mount_at(ev, "/");
	assert_true(json_is_null(json_object_get(m, "encrypted")));
	assert_non_null(strstr(json_string_value(json_object_get(m, "reason")),
			       "deeper"));
	json_decref(ev);
	free(msg);
	tmp_free(&t);
}

static void
missing_sysfs__is_unknown_not_pass(void **state)
{
	struct tmproot t;
	char *msg;
	json_t *ev;

	(void)state;
	tmp_new(&t);
	tmp_write(&t, "proc/self/mounts", "/dev/mapper/root / ext4 rw 0 0\n");
	assert_int_equal(judge_root(t.dir, &ev, &msg, NULL), STATUS_UNKNOWN);
	assert_non_null(strstr(msg, "/ (/dev/mapper/root)"));
	json_decref(ev);
	free(msg);
	tmp_free(&t);
}

static void
declared_uuid_with_spare_crypttab_volume__is_unknown(void **state)
{
	struct tmproot t;
	char *msg;
	json_t *ev;

	(void)state;
	tmp_new(&t);
	/* Fedora's layout: fstab names the filesystem inside the LUKS
	 * volume by its UUID, which an offline image cannot follow. */
	tmp_write(&t, "etc/fstab", "UUID=1111 / btrfs subvol=root 0 0\n"
		  "/dev/sdb1 /data ext4 defaults 0 2\n");
	tmp_write(&t, "etc/crypttab", "luks-2222 UUID=2222 none discard\n");
	assert_int_equal(judge_root(t.dir, &ev, &msg, NULL), STATUS_FAIL);
	assert_non_null(strstr(msg, "/data (/dev/sdb1)"));
	assert_true(json_is_null(json_object_get(mount_at(ev, "/"),
						 "encrypted")));
	assert_non_null(strstr(json_string_value(json_object_get(
		mount_at(ev, "/"), "reason")), "luks-2222"));
	json_decref(ev);
	free(msg);
	assert_int_equal(judge_root(t.dir, &ev, &msg, "exempt", "/data", NULL),
			 STATUS_UNKNOWN);
	json_decref(ev);
	free(msg);
	tmp_free(&t);
}

static void
validate__rejects_relative_paths(void **state)
{
	struct check chk;
	struct check_param p = { (char *)"exempt", (char *)"boot", 7 };
	struct errbuf e;

	(void)state;
	memset(&chk, 0, sizeof(chk));
	chk.params = &p;
	chk.nparams = 1;
	assert_int_equal(check_disk_encryption.validate(&chk, &e),
			 PLUMB_EINVAL);
	assert_non_null(strstr(e.msg, "line 7"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dm_kind__classifies_uuids_as_lsblk_does),
		cmocka_unit_test(crypttab_scheme__explicit_mode_random_key_or_auto),
		cmocka_unit_test(unescape__undoes_mount_table_octal_escapes),
		cmocka_unit_test(lvm_on_luks__passes_with_boot_exempt_and_swap_through_crypt),
		cmocka_unit_test(home_plain__fails_naming_home_only),
		cmocka_unit_test(home_plain__exempt_and_mount_params_narrow_the_judgement),
		cmocka_unit_test(swap_plain__fails_and_include_swap_false_passes),
		cmocka_unit_test(declared__judges_fstab_crypttab_and_lvm_backup),
		cmocka_unit_test(luks_on_lvm__passes_through_mountinfo_and_loop),
		cmocka_unit_test(container__is_not_applicable_and_says_why),
		cmocka_unit_test(empty_root__is_an_error_saying_nothing_was_read),
		cmocka_unit_test(malformed_tables__name_file_and_line),
		cmocka_unit_test(live_root__a_broken_crypttab_is_reported_not_fatal),
		cmocka_unit_test(sysfs_cycle__stops_at_the_depth_cap_as_unknown),
		cmocka_unit_test(missing_sysfs__is_unknown_not_pass),
		cmocka_unit_test(declared_uuid_with_spare_crypttab_volume__is_unknown),
		cmocka_unit_test(validate__rejects_relative_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * probe_disk.h - the "disk" probe and the disk-encryption check type, and
 * the pieces of them unit tests reach directly.
 */
#ifndef PLUMB_PROBE_DISK_H
#define PLUMB_PROBE_DISK_H

#include "probe.h"

extern const struct probe probe_disk;
extern const struct check_type check_disk_encryption;

/*
 * Classifies a device-mapper device by its dm/uuid, as lsblk does: returns
 * the layer kind ("crypt", "lvm", "part" or "dm").  For "crypt" (a layer
 * that keeps data confidential) *scheme is set to the lower-cased
 * cryptsetup type ("luks2", "plain", ...), a static string; for the other
 * kinds it is NULL.  dm_type
 * (size >= 32) receives the lower-cased owner prefix ("crypt-luks2",
 * "lvm", "crypt-verity", "mpath"; "" when the uuid is empty).
 */
const char *disk_dm_kind(const char *uuid, const char **scheme,
			 char dm_type[32]);

/*
 * The scheme a crypttab(5) entry opens its volume with: an explicit mode
 * option (luks, plain, tcrypt, bitlk, fvault2, loop-aes), "plain" for a
 * random key (/dev/urandom, swap or tmp), else "auto" (the type is detected
 * when the volume is opened).  Static string.
 */
const char *disk_crypttab_scheme(const char *keyfile, const char *options);

/* Undoes the octal escapes (\040 space, \011 tab, \012 newline, \134
 * backslash) of mount tables and fstab(5); a \000 is kept literally.
 * Returns a new string the caller frees. */
char *disk_unescape(const char *s, size_t n);

#endif

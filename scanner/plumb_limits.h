/*
 * plumb_limits.h - every size and count limit plumb enforces, in one place.
 *
 * The scanned host may be hostile and a baseline may come from anywhere, so
 * every read and every growable buffer is capped.  Each limit has one comment
 * saying why it has the value it has.  Code never uses a bare number where a
 * limit belongs: it names one of these.
 */
#ifndef PLUMB_LIMITS_H
#define PLUMB_LIMITS_H

/* Longest error message carried up to the command layer. */
#define PLUMB_ERRMSG_MAX 512

/* A baseline or owners file: real ones are tens of KiB; 8 MiB leaves room for
 * very large generated baselines while refusing a 50 MB attribute bomb. */
#define PLUMB_XML_MAX (8u * 1024 * 1024)

/* A small configuration file read from the host (sysctl value, os-release,
 * machine-id, sshd_config, a PAM file, crypttab): 1 MiB is far beyond any
 * legitimate one. */
#define PLUMB_SMALL_FILE_MAX (1u * 1024 * 1024)

/* A large host database file (dpkg status, an apt Packages list, after
 * decompression): Debian's main Packages list is about 60 MiB uncompressed. */
#define PLUMB_LARGE_FILE_MAX (256u * 1024 * 1024)

/* A /proc/net table: 64 MiB holds about 400,000 sockets. */
#define PLUMB_PROC_TABLE_MAX (64u * 1024 * 1024)

/* File content the `file` check matches a regex against. */
#define PLUMB_FILE_MATCH_MAX (4u * 1024 * 1024)

/* Path length inside the scan root (PATH_MAX on Linux). */
#define PLUMB_PATH_MAX 4096

/* Symlinks followed while resolving one path without openat2 (as the kernel's
 * own MAXSYMLINKS). */
#define PLUMB_SYMLINK_MAX 40

/* Attempts at one openat2 call that the kernel refused with EAGAIN because a
 * rename raced a ".." lookup: a few retries ride out an honest race, a bound
 * stops a hostile host from keeping us spinning. */
#define PLUMB_OPENAT2_RETRY_MAX 16

/* Lines a `file` check lists as evidence of (not) matching: enough to act on,
 * small enough to keep a report readable. */
#define PLUMB_FILE_MATCH_LINES_MAX 50

/* Characters of one host line quoted in evidence before it is truncated. */
#define PLUMB_EVIDENCE_TEXT_MAX 200

/* Entries read from one directory listing (unit directories, apt lists,
 * sshd Include globs). */
#define PLUMB_DIR_ENTRIES_MAX 65536

/* Controls in one baseline and checks in one control. */
#define PLUMB_CONTROLS_MAX 10000
#define PLUMB_CHECKS_MAX 64
#define PLUMB_PARAMS_MAX 256

/* Longest single text value in a baseline (title, rationale, parameter). */
#define PLUMB_TEXT_MAX (64u * 1024)

/* Framework references on one control: a control maps to a handful of
 * frameworks, a few ids each. */
#define PLUMB_REFS_MAX 256

/* Problems one baseline load reports before it stops listing them: enough
 * to fix a file in one pass, not a flood from a generated one. */
#define PLUMB_DIAGS_MAX 1000

/* A regex parameter's size once glibc expands its counted repetitions
 * ((a{255}){255}{255} would take gigabytes to compile): 65536 positions
 * compile in a few MiB. */
#define PLUMB_REGEX_SIZE_MAX 65536

/* A scan document stored in the history (JSON): evidence is capped by the
 * probes, so 64 MiB is a sanity bound, not a target. */
#define PLUMB_SCAN_DOC_MAX (64u * 1024 * 1024)

/* Items listed in one piece of evidence (pending packages, listeners, mounts)
 * before the list is truncated and marked so. */
#define PLUMB_EVIDENCE_ITEMS_MAX 5000

/* One sysfs attribute (dm/uuid, dev, partition): the kernel fills at most a
 * page. */
#define PLUMB_SYSFS_ATTR_MAX 4096

/* Lines of a mount table (proc/self/mounts, fstab, crypttab): container
 * hosts reach a few thousand mounts; more is a hostile table. */
#define PLUMB_MOUNTS_MAX 65536

/* Layers below one mount (LVM on LUKS on md on partitions ...): real stacks
 * are under ten deep; the bound stops a sysfs loop in a hostile image. */
#define PLUMB_BLOCK_DEPTH_MAX 16

/* Block devices visited for one mount: a raid over 64 partitioned, each
 * encrypted disks stays well under it. */
#define PLUMB_BLOCK_NODES_MAX 512

/* Listening sockets read from the /proc/net tables: two protocols, two
 * families and 65535 ports each, with room for SO_REUSEPORT groups. */
#define PLUMB_LISTENERS_MAX 262144

/* Processes whose descriptors are searched for socket owners (the default
 * 64-bit pid_max allows millions; a real host runs a few thousand). */
#define PLUMB_PROC_PIDS_MAX 65536

/* Descriptor links read while searching for socket owners, in all: about a
 * second of readlinks; past it owners are reported as incomplete. */
#define PLUMB_PROC_FDLINKS_MAX 1000000

/* Milliseconds a second writer waits for the history database lock. */
#define PLUMB_DB_BUSY_MS 30000

/* One deb822 stanza (a package in dpkg's status or an apt list) with all its
 * fields: the largest real ones (long Conffiles or Description) are a few
 * hundred KiB. */
#define PLUMB_STANZA_MAX (8u * 1024 * 1024)

/* Fields in one deb822 stanza: real packages have about 30. */
#define PLUMB_STANZA_FIELDS_MAX 1024

/* Memory the xz decoder may use for one apt list: xz -9 needs 65 MiB, apt's
 * lists are made with far less. */
#define PLUMB_XZ_MEMLIMIT (128u * 1024 * 1024)

/* An apt Release/InRelease file: Debian's main one is about 150 KiB
 * (hashes of every index). */
#define PLUMB_RELEASE_FILE_MAX (16u * 1024 * 1024)

/* A log read whole (apt history.log, dpkg.log): logrotate keeps them
 * monthly, a few MiB each. */
#define PLUMB_LOG_FILE_MAX (64u * 1024 * 1024)

/* Packages read from one dpkg status file: a large desktop has 5,000. */
#define PLUMB_PACKAGES_MAX 200000

/* The readable text of one notification (webhook "text", mail body). */
#define PLUMB_NOTIFY_TEXT_MAX (64u * 1024)

/* Directory levels a sweep descends (one open descriptor each): real trees
 * are under 40 deep; deeper ones are reported as skipped, not followed. */
#define PLUMB_WALK_DEPTH_MAX 256

/* Longest display path a sweep builds (openat needs no PATH_MAX, but a path
 * must still be printable); longer ones are skipped and reported. */
#define PLUMB_WALK_PATH_MAX (64u * 1024)

/* One YARA rule source file: the largest public rule files are about 1 MiB. */
#define PLUMB_YARA_RULES_FILE_MAX (16u * 1024 * 1024)

/* Rule source files compiled for one sweep (signature-base has about 750). */
#define PLUMB_YARA_RULE_FILES_MAX 10000

/* Default size cap of a file swept with YARA: malware droppers, web shells
 * and scripts are far smaller; disk images and databases are skipped. */
#define PLUMB_YARA_MAX_SIZE_DEFAULT (32ull * 1024 * 1024)

/* Bytes of file content all YARA workers together hold beyond their kept
 * buffers; a file larger than this waits until it can be read alone. */
#define PLUMB_YARA_BUF_BUDGET (32ull * 1024 * 1024)

/* Buffer a YARA worker keeps between files, so small files cost no
 * allocation; larger ones are read into memory taken from the budget. */
#define PLUMB_YARA_BUF_KEEP (1u * 1024 * 1024)

/* YARA worker threads (libyara's own YR_MAX_THREADS). */
#define PLUMB_YARA_THREADS_MAX 32

/* Files opened and waiting for a YARA worker: bounds descriptors in use. */
#define PLUMB_YARA_QUEUE_MAX 64

/* Match records (rule, file) a sweep keeps; further ones are counted as
 * skipped "match-limit" so memory stays bounded on a rule matching all. */
#define PLUMB_YARA_MATCHES_MAX 100000

/* Default seconds libyara may spend on one file before it is skipped. */
#define PLUMB_YARA_TIMEOUT_DEFAULT 60

/* Default age after which a cached YARA verdict is rescanned anyway: a
 * week, so a file changed with its timestamps forged is seen again. */
#define PLUMB_YARA_CACHE_MAX_AGE_DEFAULT (7 * 24 * 3600)

/* Cache rows written per transaction, and the longest a transaction of the
 * cache stays open (ms), so other plumb runs wait little for the lock. */
#define PLUMB_YARA_CACHE_BATCH 2000
#define PLUMB_YARA_CACHE_BATCH_MS 1000

/* Include and substack nesting in a PAM service (libpam's own
 * PAM_SUBSTACK_MAX_LEVEL); deeper is reported, as libpam refuses it. */
#define PLUMB_PAM_INCLUDE_DEPTH_MAX 16

/* Lines of one expanded PAM auth stack: real ones have under 30. */
#define PLUMB_PAM_ENTRIES_MAX 1024

/* (line, state) pairs the PAM bypass search visits: each is visited once,
 * real stacks need a few hundred; the bound stops a crafted blow-up. */
#define PLUMB_PAM_STATES_MAX (1u << 20)

/* PAM services read from one host's pam.d (Debian ships about 40). */
#define PLUMB_PAM_SERVICES_MAX 1024

/* Include nesting in sshd_config (sshd's own SERVCONF_MAX_DEPTH). */
#define PLUMB_SSHD_INCLUDE_DEPTH_MAX 16

/* Directive lines read from sshd_config and its includes together. */
#define PLUMB_SSHD_LINES_MAX 100000

/* sshd-mfa judges Match blocks together as well as alone: every
 * combination of up to PLUMB_SSHD_COMBO_ALL blocks that change logins,
 * pairs beyond that, and at most PLUMB_SSHD_COMBO_MAX combinations a
 * connection could satisfy (the evidence says when the cap was reached). */
#define PLUMB_SSHD_COMBO_ALL 8
#define PLUMB_SSHD_COMBO_MAX 256

/* sudoers includes nested deeper than this are refused (sudo allows 128;
 * Debian ships one level, /etc/sudoers.d). */
#define PLUMB_SUDOERS_INCLUDE_DEPTH_MAX 16

/* sudoers files read per scan, includes and includedir entries together. */
#define PLUMB_SUDOERS_FILES_MAX 1024

/* An input file kept in the history as a blob (baseline, owners file): as
 * large as the XML loader accepts, no larger. */
#define PLUMB_BLOB_MAX PLUMB_XML_MAX

/* An evidence bundle's MANIFEST: a few dozen lines of 70 bytes; 1 MiB
 * refuses a planted giant without limiting any real bundle. */
#define PLUMB_MANIFEST_MAX (1u * 1024 * 1024)

/* Files in one evidence bundle (plumb writes about twenty). */
#define PLUMB_BUNDLE_FILES_MAX 1000

/* A key file (PEM Ed25519 key, certificate chain for a TSA): 1 MiB. */
#define PLUMB_KEYFILE_MAX (1u * 1024 * 1024)

/* An RFC 3161 time-stamp reply: a token with its TSA certificate chain is
 * a few KiB; 1 MiB bounds what a hostile server can make us hold. */
#define PLUMB_TSR_MAX (1u * 1024 * 1024)

/* Seconds a time-stamp authority may take to answer (connect + reply). */
#define PLUMB_TSA_TIMEOUT_S 30

/* Scans shown in the HTML report's trend charts (the newest ones). */
#define PLUMB_TREND_SCANS_MAX 60

/* plumb.conf: a few dozen lines; 64 KiB refuses anything that is not one. */
#define PLUMB_CONFIG_MAX (64u * 1024)

/* One identity-provider API answer (a page of users, a policy list):
 * Graph and Okta pages of 999/200 users are a few MiB at most. */
#define PLUMB_IDP_RESPONSE_MAX (16u * 1024 * 1024)

/* An identity-provider credentials file or variable (a JSON object; a
 * Google service-account key is about 2 KiB). */
#define PLUMB_IDP_CRED_MAX (64u * 1024)

/* Requests one provider collection makes (Okta needs two per user): enough
 * for 50,000 users, a bound against a server that pages forever. */
#define PLUMB_IDP_REQUESTS_MAX 200000

/* Users read from one tenant: far beyond a small or mid-sized business. */
#define PLUMB_IDP_USERS_MAX 200000

/* Seconds one 429 answer may ask us to wait before the collection gives
 * up, and the default total wait over a collection (check parameter
 * retry_budget overrides it). */
#define PLUMB_IDP_RETRY_AFTER_MAX 120
#define PLUMB_IDP_RETRY_BUDGET_S 120

/* Retries of one request after 429 answers (each within the budget). */
#define PLUMB_IDP_RETRIES_MAX 8

/* Default seconds one identity-provider request may take (parameter
 * timeout overrides it). */
#define PLUMB_IDP_TIMEOUT_S 30

/* Seconds one provider collection may take in all, however the time is
 * spent (slow answers, many pages, 429 waits): a scan stays bounded. */
#define PLUMB_IDP_COLLECT_MAX_S (30 * 60)

/* Link header bytes kept from one answer (Okta sends one per relation). */
#define PLUMB_IDP_HEADER_MAX (16u * 1024)

/* Characters in a delivery's channel, target (a URL) or key. */
#define PLUMB_DELIVERY_FIELD_MAX 2048

/* Queued deliveries read at once: a run attempts at most this many. */
#define PLUMB_DELIVERY_BATCH_MAX 1000

#endif

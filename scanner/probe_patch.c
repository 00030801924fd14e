/*
 * probe_patch.c - the patch family: is the host patched, and does it keep
 * itself patched.
 *
 * Two probes.  "dpkg" reads the installed packages (var/lib/dpkg/status)
 * for the generic `package` check.  "patch" reads everything the patch
 * checks judge, once per scan: the installed packages, apt's candidates
 * from the lists (apt.c, equal to `apt list --upgradable`), whether a
 * reboot is pending, when the lists were refreshed, when packages were last
 * upgraded, and whether unattended-upgrades is on.
 *
 * Check types: `package`, `patch-pending`, `reboot-required`,
 * `apt-lists-fresh`, `unattended-upgrades`.  On a host with an RPM
 * database and no dpkg status every one of them is `error` ("RPM databases
 * are not read yet"): nothing is judged from nothing.
 *
 * Decisions, documented here because evidence and baselines rely on them:
 * - Lists are as fresh as the newest of var/lib/apt/periodic/
 *   update-success-stamp and the lists' Release/InRelease files (apt
 *   replaces a Release file whenever the archive changed, and Debian's
 *   archives change daily); the lists directory's own mtime is not used,
 *   as cleaning partial downloads changes it too.
 * - A reboot is pending when run/reboot-required exists (Debian Policy
 *   9.12), or when a linux-image-<release> package of the running kernel's
 *   flavour is newer than the running release.  The running release is
 *   uname's on the live root, else the root's proc/sys/kernel/osrelease (a
 *   host scanned from a container with its /proc mounted under the root);
 *   an offline image has no running kernel and the check says so.
 * - unattended-upgrades is enabled when all hold: the package is installed;
 *   APT::Periodic::Enable is not "0"; APT::Periodic::Unattended-Upgrade is
 *   "always" or a positive number of days (apt.systemd.daily's rules);
 *   something runs apt.systemd.daily: apt-daily-upgrade.timer enabled and
 *   not masked on a systemd host, etc/cron.daily/apt-compat elsewhere; and
 *   an Unattended-Upgrade::Origins-Pattern or Allowed-Origins entry names a
 *   security archive.
 * - patch-pending's first_seen dates come from the previous scan's result
 *   for the same control (ctx->control_id), matched by package and
 *   architecture: a package pending since January stays "since January"
 *   even when a newer fix supersedes the first one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "apt.h"
#include "baseline.h"
#include "dpkg.h"
#include "probe.h"
#include "vercmp.h"

extern const struct check_type check_systemd_unit;

#define SECONDS_PER_DAY 86400

/* The error every patch check gives when there is no dpkg database. */
static int
patch_no_db(const struct plat_root *r, struct errbuf *e)
{
	struct stat st;

	if (plat_stat(r, "var/lib/rpm", 1, &st, NULL) == 0 &&
	    S_ISDIR(st.st_mode))
		return err_set(e, PLUMB_ENOENT, "RPM databases are not read "
			       "yet: /var/lib/rpm exists but /%s does not, so "
			       "installed packages are unknown",
			       DPKG_STATUS_PATH);
	return err_set(e, PLUMB_ENOENT, "no package database: /%s not found "
		       "(and no /var/lib/rpm)", DPKG_STATUS_PATH);
}

static int
patch_load_db(const struct plat_root *r, struct dpkg_db **db,
	      struct errbuf *e)
{
	int rc = dpkg_db_load(r, db, e);

	if (rc == PLUMB_ENOENT)
		return patch_no_db(r, e);
	return rc;
}

static json_t *
time_json(time_t t)
{
	char buf[32];

	if (t <= 0)
		return json_null();
	time_rfc3339(t, buf);
	return json_string(buf);
}

static json_t *
broken_json(const struct dpkg_db *db)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < db->nbroken && i < PLUMB_EVIDENCE_ITEMS_MAX; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s}",
						   "package", db->broken[i].name,
						   "arch", db->broken[i].arch,
						   "status",
						   db->broken[i].status));
	return a;
}

/* --- probe "dpkg": the installed packages -------------------------- */

static int
dpkg_collect(const struct probe_ctx *ctx, const char *subject,
	     json_t **facts, struct errbuf *e)
{
	struct dpkg_db *db = NULL;
	json_t *pkgs;
	size_t i;
	int rc;

	(void)subject;
	*facts = NULL;
	if ((rc = patch_load_db(ctx->root, &db, e)) != 0)
		return rc;
	pkgs = json_object();
	for (i = 0; i < db->n; i++) {
		const struct dpkg_pkg *p = &db->pkgs[i];
		json_t *list = json_object_get(pkgs, p->name);

		if (list == NULL) {
			list = json_array();
			json_object_set_new(pkgs, p->name, list);
		}
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}",
						      "arch", p->arch,
						      "version", p->version,
						      "want", p->want,
						      "status", p->status));
	}
	*facts = json_pack("{s:s, s:s, s:I, s:o, s:o}", "database", db->path,
			   "native_arch", db->native_arch, "count",
			   (json_int_t)db->n, "packages", pkgs, "broken",
			   broken_json(db));
	dpkg_db_free(db);
	return PLUMB_OK;
}

static const struct probe probe_dpkg = { "dpkg", dpkg_collect };

/* --- check `package` ----------------------------------------------- */

/* Debian policy 5.6.1: lower case letters, digits, '+', '-', '.', at
 * least two characters, starting alphanumeric; an optional ":arch". */
static int
package_name_ok(const char *s)
{
	const char *colon = strchr(s, ':'), *p;
	size_t n = colon ? (size_t)(colon - s) : strlen(s);

	if (n < 2 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' &&
							   s[0] <= '9')))
		return 0;
	for (p = s; p < s + n; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '+' || *p == '-' || *p == '.'))
			return 0;
	if (colon == NULL)
		return 1;
	for (p = colon + 1; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-'))
			return 0;
	return colon[1] != '\0';
}

static int
package_validate(const struct check *chk, struct errbuf *e)
{
	const char *name = check_param_get(chk, "name");
	const char *min = check_param_get(chk, "min_version");

	if (name == NULL || !package_name_ok(name))
		return err_set(e, PLUMB_EINVAL, "package: \"%s\" is not a Debian "
			       "package name (optionally name:arch)",
			       name ? name : "");
	if (min != NULL && !vercmp_dpkg_valid(min))
		return err_set(e, PLUMB_EINVAL, "package: min_version \"%s\" is "
			       "not a valid Debian version", min);
	if (min != NULL && !check_param_bool(chk, "installed", 1))
		return err_set(e, PLUMB_EINVAL, "package: min_version cannot be "
			       "checked when installed is false");
	return PLUMB_OK;
}

static void
package_judge(const json_t *facts, const struct check *chk,
	      const struct probe_ctx *ctx, struct check_outcome *out)
{
	const char *arg = check_param_get(chk, "name");
	const char *min = check_param_get(chk, "min_version");
	int want = check_param_bool(chk, "installed", 1);
	const char *colon = strchr(arg, ':');
	char *name = colon ? xstrndup(arg, (size_t)(colon - arg)) :
		xstrdup(arg);
	const char *arch = colon ? colon + 1 : NULL;
	const json_t *list = json_object_get(json_object_get(facts,
							     "packages"), name);
	json_t *inst = json_array();
	const char *first_ver = NULL, *first_arch = NULL, *old = NULL;
	const char *old_arch = NULL;
	size_t i;

	(void)ctx;
	for (i = 0; i < json_array_size(list); i++) {
		const json_t *p = json_array_get(list, i);
		const char *a = json_string_value(json_object_get(p, "arch"));
		const char *v = json_string_value(json_object_get(p,
								  "version"));

		if (arch != NULL && strcmp(arch, a) != 0)
			continue;
		json_array_append_new(inst, json_pack("{s:s, s:s}", "arch", a,
						      "version", v));
		if (first_ver == NULL) {
			first_ver = v;
			first_arch = a;
		}
		if (min != NULL && vercmp_dpkg(v, min) < 0 && old == NULL) {
			old = v;
			old_arch = a;
		}
	}
	out->evidence = json_pack("{s:s, s:b, s:s?, s:s?, s:s?, s:s}",
				  "package", arg, "installed", first_ver != NULL,
				  "version", first_ver, "arch", first_arch,
				  "min_version", min, "database",
				  json_string_value(json_object_get(facts,
								    "database")));
	if (json_array_size(inst) > 1)
		json_object_set(out->evidence, "instances", inst);
	if (want && first_ver == NULL)
		check_outcome_set(out, STATUS_FAIL, "package %s is not installed",
				  arg);
	else if (want && old != NULL)
		check_outcome_set(out, STATUS_FAIL, "package %s:%s %s is older "
				  "than %s", name, old_arch, old, min);
	else if (want)
		check_outcome_set(out, STATUS_PASS, "package %s %s is installed%s%s",
				  arg, first_ver, min ? ", at least " : "",
				  min ? min : "");
	else if (first_ver != NULL)
		check_outcome_set(out, STATUS_FAIL, "package %s %s is installed "
				  "and should not be", arg, first_ver);
	else
		check_outcome_set(out, STATUS_PASS, "package %s is not installed",
				  arg);
	json_decref(inst);
	free(name);
}

static const char *
package_subject(const struct check *chk)
{
	(void)chk;
	return NULL;
}

static const struct check_param_spec package_params[] = {
	{ "name", CHECK_PARAM_STRING, CHECK_PARAM_REQUIRED,
	  "Debian package name, optionally name:arch" },
	{ "installed", CHECK_PARAM_BOOL, 0,
	  "whether it must be installed (default true) or must not be" },
	{ "min_version", CHECK_PARAM_STRING, 0,
	  "every installed instance must be at least this Debian version" },
	{ NULL, 0, 0, NULL },
};

const struct check_type check_package = {
	.name = "package",
	.summary = "a Debian package is installed (at a minimum version) or "
		   "absent, from var/lib/dpkg/status",
	.probe = &probe_dpkg,
	.params = package_params,
	.subject = package_subject,
	.validate = package_validate,
	.judge = package_judge,
};

/* --- probe "patch": facts ------------------------------------------ */

static json_t *
lists_json(const struct apt_state *st)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < st->nlists; i++) {
		const struct apt_list *l = &st->lists[i];

		json_array_append_new(a, json_pack(
			"{s:s, s:s?, s:s, s:s, s:s, s:s, s:i, s:b, s:I, s:I, "
			"s:s?}", "file", l->file, "release", l->release,
			"origin", l->origin, "label", l->label, "suite",
			l->suite, "codename", l->codename, "priority",
			l->priority, "security", l->security, "packages",
			(json_int_t)l->stanzas, "skipped",
			(json_int_t)l->skipped, "error", l->error));
	}
	return a;
}

static json_t *
pending_json(const struct apt_state *st)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < st->npending; i++) {
		const struct apt_pending *p = &st->pending[i];

		json_array_append_new(a, json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:b}", "package",
			p->name, "arch", p->arch, "installed", p->installed,
			"candidate", p->candidate, "candidate_arch",
			p->candidate_arch, "security", p->security, "suite",
			p->suites, "hold", p->hold));
	}
	return a;
}

/* mtime of path, or 0. */
static time_t
mtime_of(const struct plat_root *r, const char *path)
{
	struct stat st;

	if (plat_stat(r, path, 1, &st, NULL) != 0 || !S_ISREG(st.st_mode))
		return 0;
	return st.st_mtime;
}

static json_t *
lists_age_json(const struct plat_root *r, const struct apt_state *st)
{
	static const char stamp[] = "var/lib/apt/periodic/update-success-stamp";
	char **names = NULL, *source = NULL;
	size_t n = 0, i, nrel = 0;
	time_t newest = mtime_of(r, stamp), t;
	struct errbuf e;
	json_t *j;

	if (newest > 0)
		source = xasprintf("/%s", stamp);
	if (plat_list(r, APT_LISTS_DIR, &names, &n, &e) == PLUMB_OK) {
		for (i = 0; i < n; i++) {
			size_t k = strlen(names[i]);
			char *p;

			if (!(k > 10 && strcmp(names[i] + k - 10,
					       "_InRelease") == 0) &&
			    !(k > 8 && strcmp(names[i] + k - 8,
					      "_Release") == 0))
				continue;
			nrel++;
			p = xasprintf("/%s/%s", APT_LISTS_DIR, names[i]);
			if ((t = mtime_of(r, p)) > newest) {
				newest = t;
				free(source);
				source = p;
			} else {
				free(p);
			}
		}
		plat_list_free(names, n);
	}
	j = json_pack("{s:o, s:s?, s:I, s:I}", "newest", time_json(newest),
		      "source", source, "release_files", (json_int_t)nrel,
		      "lists", (json_int_t)st->nlists);
	free(source);
	return j;
}

/* "2026-11-23  05:32:10" or "2026-11-23 05:32:10" (local time, as apt
 * and dpkg write their logs); 0 when malformed. */
static time_t
log_time(const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, sec;

	if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d", &y, &mo, &d, &h, &mi,
		   &sec) != 6 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || sec > 60 || y < 1970)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

struct last_change {
	time_t when;
	char action[32];
	int line;
	char *command;
};

static int
starts(const char *line, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && memcmp(line, prefix, k) == 0;
}

/* The last apt run in history.log that installed or upgraded something:
 * its End-Date (Start-Date if it never ended). */
static void
scan_history(const char *text, size_t len, struct last_change *lc)
{
	const char *p = text, *end = text + len;
	time_t start = 0, stop = 0;
	int upgrade = 0, install = 0, lineno = 0, block_line = 0;
	char *cmd = NULL;

	for (;;) {
		const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) :
			NULL;
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		int last = p >= end;
		char buf[64];

		lineno += !last;
		if (last || n == 0 || starts(p, n, "Start-Date:")) {
			if ((upgrade || install) && (stop || start)) {
				lc->when = stop ? stop : start;
				snprintf(lc->action, sizeof(lc->action), "%s",
					 upgrade && install ? "Upgrade, Install" :
					 upgrade ? "Upgrade" : "Install");
				lc->line = block_line;
				free(lc->command);
				lc->command = cmd;
				cmd = NULL;
			}
			start = stop = 0;
			upgrade = install = 0;
			free(cmd);
			cmd = NULL;
		}
		if (last)
			break;
		if (memchr(p, '\0', n) == NULL) {
			snprintf(buf, sizeof(buf), "%.*s", (int)(n < 63 ? n : 63),
				 p);
			if (starts(p, n, "Start-Date:")) {
				start = log_time(buf + 11 + strspn(buf + 11,
								   " "));
				block_line = lineno;
			} else if (starts(p, n, "End-Date:")) {
				stop = log_time(buf + 9 + strspn(buf + 9, " "));
			} else if (starts(p, n, "Upgrade:")) {
				upgrade = 1;
			} else if (starts(p, n, "Install:")) {
				install = 1;
			} else if (starts(p, n, "Commandline:") && cmd == NULL) {
				size_t k = n - 12 < 256 ? n - 12 : 256;

				cmd = xstrndup(p + 12, k);
			}
		}
		p = nl ? nl + 1 : end;
	}
	free(cmd);
}

/* The last "install" or "upgrade" line of dpkg.log. */
static void
scan_dpkg_log(const char *text, size_t len, struct last_change *lc)
{
	const char *p = text, *end = text + len;
	int lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char buf[128];
		const char *act;
		time_t t;

		lineno++;
		snprintf(buf, sizeof(buf), "%.*s", (int)(n < 127 ? n : 127), p);
		if (memchr(p, '\0', n) == NULL && strlen(buf) > 20 &&
		    (t = log_time(buf)) != 0) {
			act = buf + 20;
			if (strncmp(act, "upgrade ", 8) == 0 ||
			    strncmp(act, "install ", 8) == 0) {
				lc->when = t;
				snprintf(lc->action, sizeof(lc->action), "%.7s",
					 act);
				lc->line = lineno;
			}
		}
		p = nl ? nl + 1 : end;
	}
}

static json_t *
last_upgrade_json(const struct plat_root *r)
{
	static const struct {
		const char *path;
		int history;
	} logs[] = {
		{ "var/log/apt/history.log", 1 },
		{ "var/log/apt/history.log.1.gz", 1 },
		{ "var/log/apt/history.log.1", 1 },
		{ "var/log/dpkg.log", 0 },
		{ "var/log/dpkg.log.1", 0 },
		{ "var/log/dpkg.log.1.gz", 0 },
	};
	struct last_change lc;
	json_t *j = NULL, *errors = json_array();
	size_t i;

	memset(&lc, 0, sizeof(lc));
	for (i = 0; i < sizeof(logs) / sizeof(logs[0]) && lc.when == 0; i++) {
		struct dpkg_source *src = NULL;
		struct errbuf e;
		char *text = NULL;
		size_t len = 0;
		int rc;

		rc = dpkg_source_open(r, logs[i].path, PLUMB_LOG_FILE_MAX, &src,
				      &e);
		if (rc == PLUMB_OK)
			rc = dpkg_source_slurp(src, &text, &len, &e);
		dpkg_source_free(src);
		if (rc != PLUMB_OK) {
			if (rc != PLUMB_ENOENT)
				json_array_append_new(errors, json_string(e.msg));
			continue;
		}
		if (logs[i].history)
			scan_history(text, len, &lc);
		else
			scan_dpkg_log(text, len, &lc);
		free(text);
		if (lc.when != 0)
			j = json_pack("{s:o, s:s, s:s, s:i, s:s?}", "time",
				      time_json(lc.when), "action", lc.action,
				      "source", logs[i].path, "line", lc.line,
				      "commandline", lc.command);
	}
	free(lc.command);
	if (j == NULL)
		j = json_pack("{s:n}", "time");
	if (json_array_size(errors) > 0)
		json_object_set(j, "errors", errors);
	json_decref(errors);
	return j;
}

/* --- reboot ---------------------------------------------------------- */

/* "6.1.0-18-amd64" -> "amd64", "6.1.0-18-rt-amd64" -> "rt-amd64": the text
 * after the ABI number, which names the kernel flavour. */
static const char *
kernel_flavour(const char *rel)
{
	const char *d = strchr(rel, '-');

	if (d != NULL)
		d = strchr(d + 1, '-');
	return d != NULL ? d + 1 : "";
}

/* The kernel release a linux-image package installs, or NULL for the
 * meta packages (linux-image-amd64) and debug symbols. */
static char *
kernel_release(const char *pkg)
{
	static const char prefix[] = "linux-image-";
	const char *rel = pkg + sizeof(prefix) - 1;
	size_t n;

	if (strncmp(pkg, prefix, sizeof(prefix) - 1) != 0 ||
	    !(rel[0] >= '0' && rel[0] <= '9'))
		return NULL;
	n = strlen(rel);
	if ((n > 4 && strcmp(rel + n - 4, "-dbg") == 0) ||
	    (n > 7 && strcmp(rel + n - 7, "-dbgsym") == 0))
		return NULL;
	if (n > 9 && strcmp(rel + n - 9, "-unsigned") == 0)
		n -= 9;
	return xstrndup(rel, n);
}

static json_t *
reboot_json(const struct plat_root *r, const struct dpkg_db *db)
{
	json_t *reasons = json_array(), *pkgs = json_array(), *j;
	char *text = NULL, *newest = NULL, *newest_pkg = NULL;
	const char *kcheck;
	struct plat_host h;
	struct errbuf e;
	size_t len, i;
	int flag = 0, rc, kernel_behind = 0;
	struct stat st;

	memset(&h, 0, sizeof(h));
	if (plat_stat(r, "run/reboot-required", 1, &st, &e) == 0) {
		flag = 1;
		json_array_append_new(reasons, json_string(
			"/run/reboot-required exists"));
		rc = plat_read_text(r, "run/reboot-required.pkgs",
				    PLUMB_SMALL_FILE_MAX, &text, &len, &e);
		if (rc == PLUMB_OK) {
			char *line = text, *nl;

			for (; *line != '\0'; line = nl ? nl + 1 : line +
			     strlen(line)) {
				json_t *s;
				size_t k;
				int dup = 0;

				nl = strchr(line, '\n');
				if (nl != NULL)
					*nl = '\0';
				if (*line == '\0')
					continue;
				for (k = 0; k < json_array_size(pkgs); k++)
					dup |= strcmp(json_string_value(
						json_array_get(pkgs, k)),
						line) == 0;
				if (dup || json_array_size(pkgs) >=
				    PLUMB_EVIDENCE_ITEMS_MAX)
					continue;
				if ((s = json_string(line)) != NULL)
					json_array_append_new(pkgs, s);
			}
		}
		free(text);
	}

	if (plat_host_info(r, &h, &e) != 0 || h.kernel[0] == '\0') {
		kcheck = plat_root_is_live(r) ?
			 "not done: the running kernel release is unknown" :
			 "not done: no running kernel under this root (no "
			 "/proc/sys/kernel/osrelease: an offline image)";
	} else {
		const char *flav = kernel_flavour(h.kernel);

		for (i = 0; i < db->n; i++) {
			char *rel = kernel_release(db->pkgs[i].name);

			if (rel == NULL || strcmp(kernel_flavour(rel), flav) != 0 ||
			    (newest != NULL && vercmp_dpkg(rel, newest) <= 0)) {
				free(rel);
				continue;
			}
			free(newest);
			newest = rel;
			newest_pkg = db->pkgs[i].name;
		}
		if (newest == NULL) {
			kcheck = "done: no linux-image package of the running "
				 "kernel's flavour is installed";
		} else if (vercmp_dpkg(h.kernel, newest) < 0) {
			kernel_behind = 1;
			kcheck = "done: the running kernel is older than the "
				 "newest installed one";
			json_array_append_new(reasons, json_sprintf(
				"running kernel %s is older than installed %s",
				h.kernel, newest));
		} else {
			kcheck = "done: the running kernel is the newest "
				 "installed one";
		}
	}
	j = json_pack("{s:b, s:o, s:s?, s:o, s:s?, s:s?, s:s?, s:s?, s:s}",
		      "required", flag || kernel_behind, "reasons", reasons,
		      "flag_file", flag ? "/run/reboot-required" : NULL,
		      "flag_packages", pkgs, "running_kernel",
		      h.kernel[0] ? h.kernel : NULL, "running_kernel_source",
		      !h.kernel[0] ? NULL : plat_root_is_live(r) ? "uname" :
		      "/proc/sys/kernel/osrelease", "newest_kernel", newest,
		      "newest_kernel_package", newest_pkg, "kernel_check",
		      kcheck);
	free(newest);
	return j;
}

/* --- unattended-upgrades ------------------------------------------- */

static json_t *
criterion(const char *name, int ok, const char *detail)
{
	return json_pack("{s:s, s:b, s:s}", "name", name, "ok", ok, "detail",
			 detail);
}

static json_t *
setting_criterion(const char *key, const struct aptconf_item *it, int ok,
		  const char *detail)
{
	json_t *c = criterion(key, ok, detail);

	json_object_set_new(c, "value", it ? json_string(it->value) :
			    json_null());
	if (it != NULL) {
		json_object_set_new(c, "file", json_sprintf("/%s", it->file));
		json_object_set_new(c, "line", json_integer(it->line));
	}
	return c;
}

/* apt.systemd.daily: an interval is "always" or a number of days. */
static int
periodic_on(const char *v)
{
	long long days;

	if (v == NULL)
		return 0;
	if (strcasecmp(v, "always") == 0)
		return 1;
	return parse_ll(v, 0, 1000000, &days) == 0 && days > 0;
}

static int
systemd_host(const struct plat_root *r)
{
	struct stat st;

	return plat_stat(r, "lib/systemd/systemd", 1, &st, NULL) == 0 ||
	       plat_stat(r, "usr/lib/systemd/systemd", 1, &st, NULL) == 0;
}

static json_t *
schedule_criterion(const struct probe_ctx *ctx)
{
	json_t *unit = NULL, *c;
	struct errbuf e;
	struct stat st;
	int ok;

	if (!systemd_host(ctx->root)) {
		ok = plat_stat(ctx->root, "etc/cron.daily/apt-compat", 1, &st,
			       NULL) == 0;
		return criterion("schedule", ok, ok ?
				 "no systemd: /etc/cron.daily/apt-compat runs "
				 "apt.systemd.daily" :
				 "no systemd and no /etc/cron.daily/apt-compat: "
				 "nothing runs apt.systemd.daily");
	}
	/* The systemd-unit check's own rules decide "enabled". */
	if (check_systemd_unit.probe->collect(ctx, "apt-daily-upgrade.timer",
					      &unit, &e) != 0) {
		c = criterion("schedule", 0, e.msg);
		return c;
	}
	ok = json_is_true(json_object_get(unit, "enabled")) &&
	     !json_is_true(json_object_get(unit, "masked"));
	c = criterion("schedule", ok,
		      json_is_true(json_object_get(unit, "masked")) ?
		      "apt-daily-upgrade.timer is masked" : ok ?
		      "apt-daily-upgrade.timer is enabled" :
		      json_is_true(json_object_get(unit, "installed")) ?
		      "apt-daily-upgrade.timer is not enabled" :
		      "apt-daily-upgrade.timer is not installed");
	json_object_set_new(c, "unit", unit);
	return c;
}

static json_t *
origins_criterion(const struct aptconf *conf)
{
	static const char *const keys[] = {
		"Unattended-Upgrade::Origins-Pattern",
		"Unattended-Upgrade::Allowed-Origins",
	};
	const struct aptconf_item *items[64];
	json_t *origins = json_array(), *c;
	int security = 0;
	size_t i, j, n;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		n = aptconf_list(conf, keys[i], items, 64);
		for (j = 0; j < n && j < 64; j++) {
			json_array_append_new(origins, json_pack(
				"{s:s, s:s, s:s, s:i}", "key", keys[i], "value",
				items[j]->value, "file", items[j]->file, "line",
				items[j]->line));
			security |= strcasestr(items[j]->value, "security") !=
				    NULL;
		}
	}
	c = criterion("origins", security, security ?
		      "a security archive is among the allowed origins" :
		      json_array_size(origins) ? "no allowed origin names a "
		      "security archive" : "no Unattended-Upgrade origins are "
		      "configured");
	json_object_set_new(c, "origins", origins);
	return c;
}

static json_t *
unattended_json(const struct probe_ctx *ctx, const struct dpkg_db *db)
{
	const struct aptconf_item *en, *uu, *upd;
	struct aptconf *conf = NULL;
	json_t *crit = json_array(), *files = json_array(), *j;
	struct errbuf e;
	size_t i, n, k;
	int all = 1, ok;
	char *d;

	if (aptconf_load(ctx->root, &conf, &e) != 0) {
		json_decref(crit);
		json_decref(files);
		return json_pack("{s:b, s:s}", "enabled", 0, "error", e.msg);
	}
	for (i = 0; i < conf->nfiles; i++)
		json_array_append_new(files, json_sprintf("/%s",
							  conf->files[i]));

	k = dpkg_db_find(db, "unattended-upgrades", &n);
	d = n ? xasprintf("unattended-upgrades %s is installed",
			  db->pkgs[k].version) :
		xstrdup("unattended-upgrades is not installed");
	json_array_append_new(crit, criterion("package", n > 0, d));
	all &= n > 0;
	free(d);

	en = aptconf_find(conf, "APT::Periodic::Enable");
	ok = en == NULL || strcmp(en->value, "0") != 0;
	json_array_append_new(crit, setting_criterion("APT::Periodic::Enable",
		en, ok, ok ? "periodic apt jobs are not disabled" :
		"periodic apt jobs are disabled"));
	all &= ok;

	uu = aptconf_find(conf, "APT::Periodic::Unattended-Upgrade");
	ok = uu != NULL && periodic_on(uu->value);
	json_array_append_new(crit, setting_criterion(
		"APT::Periodic::Unattended-Upgrade", uu, ok, ok ?
		"unattended upgrades run periodically" : uu == NULL ?
		"not set (default 0: never)" : "set to never"));
	all &= ok;

	j = schedule_criterion(ctx);
	all &= json_is_true(json_object_get(j, "ok"));
	json_array_append_new(crit, j);

	j = origins_criterion(conf);
	all &= json_is_true(json_object_get(j, "ok"));
	json_array_append_new(crit, j);

	upd = aptconf_find(conf, "APT::Periodic::Update-Package-Lists");
	j = json_pack("{s:b, s:o, s:s?, s:o}", "enabled", all, "criteria",
		      crit, "update_package_lists", upd ? upd->value : NULL,
		      "config_files", files);
	aptconf_free(conf);
	return j;
}

static int
patch_collect(const struct probe_ctx *ctx, const char *subject,
	      json_t **facts, struct errbuf *e)
{
	struct dpkg_db *db = NULL;
	struct apt_state *st = NULL;
	char **prefs = NULL;
	size_t nprefs = 0, i;
	json_t *f = NULL, *pj;
	int rc;

	(void)subject;
	*facts = NULL;
	if ((rc = patch_load_db(ctx->root, &db, e)) != 0)
		return rc;
	if ((rc = apt_candidates(ctx->root, db, &st, e)) != 0)
		goto out;
	if ((rc = apt_preferences_files(ctx->root, &prefs, &nprefs, e)) != 0)
		goto out;
	pj = json_array();
	for (i = 0; i < nprefs; i++)
		json_array_append_new(pj, json_sprintf("/%s", prefs[i]));
	f = json_pack("{s:s, s:I, s:s, s:o, s:o, s:I, s:o, s:o}",
		      "database", db->path, "installed_count",
		      (json_int_t)db->n, "native_arch", db->native_arch,
		      "broken", broken_json(db), "lists", lists_json(st),
		      "lists_errors", (json_int_t)st->nerrors, "pending",
		      pending_json(st), "apt_preferences", pj);
	json_object_set_new(f, "reboot", reboot_json(ctx->root, db));
	json_object_set_new(f, "lists_age", lists_age_json(ctx->root, st));
	json_object_set_new(f, "last_upgrade", last_upgrade_json(ctx->root));
	json_object_set_new(f, "unattended_upgrades",
			    unattended_json(ctx, db));
	*facts = f;
out:
	plat_list_free(prefs, nprefs);
	apt_state_free(st);
	dpkg_db_free(db);
	return rc;
}

static const struct probe probe_patch = { "patch", patch_collect };

static const char *
patch_subject(const struct check *chk)
{
	(void)chk;
	return NULL;
}

/* --- check `patch-pending` ----------------------------------------- */

static int
nonneg_param(const struct check *chk, const char *name, const char *type,
	     struct errbuf *e)
{
	const char *v = check_param_get(chk, name);
	long long x;

	if (v != NULL && (parse_ll(v, 0, 100000, &x) != 0))
		return err_set(e, PLUMB_EINVAL, "%s: %s must be an integer from "
			       "0 to 100000, not \"%s\"", type, name, v);
	return PLUMB_OK;
}

static int
pending_validate(const struct check *chk, struct errbuf *e)
{
	int rc;

	if ((rc = nonneg_param(chk, "window_days", "patch-pending", e)) != 0 ||
	    (rc = nonneg_param(chk, "critical_window_hours", "patch-pending",
			       e)) != 0 ||
	    (rc = nonneg_param(chk, "max_pending", "patch-pending", e)) != 0)
		return rc;
	return PLUMB_OK;
}

/* Adds "name:arch" -> first_seen from one result's evidence. */
static void
carry_from_evidence(const json_t *ev, json_t *seen)
{
	const json_t *pending = json_object_get(ev, "pending");
	const json_t *checks = json_object_get(ev, "checks");
	size_t i;

	for (i = 0; i < json_array_size(pending); i++) {
		const json_t *p = json_array_get(pending, i);
		const char *pkg = json_string_value(json_object_get(p,
								    "package"));
		const char *arch = json_string_value(json_object_get(p, "arch"));
		const json_t *fs = json_object_get(p, "first_seen");
		char *key;

		if (pkg == NULL || !json_is_string(fs))
			continue;
		key = xasprintf("%s:%s", pkg, arch ? arch : "");
		if (json_object_get(seen, key) == NULL)
			json_object_set(seen, key, (json_t *)fs);
		free(key);
	}
	/* A control with several checks nests each check's evidence. */
	for (i = 0; i < json_array_size(checks); i++)
		carry_from_evidence(json_object_get(json_array_get(checks, i),
						    "evidence"), seen);
}

/* First-seen dates from the previous scan: the result of the same control
 * when the engine names it, else any result that listed pending fixes. */
static json_t *
previous_first_seen(const struct probe_ctx *ctx)
{
	const json_t *results = json_object_get(ctx->prev, "results");
	json_t *seen = json_object();
	size_t i;

	for (i = 0; i < json_array_size(results); i++) {
		const json_t *r = json_array_get(results, i);
		const char *id = json_string_value(json_object_get(r, "id"));

		if (ctx->control_id != NULL &&
		    (id == NULL || strcmp(id, ctx->control_id) != 0))
			continue;
		carry_from_evidence(json_object_get(r, "evidence"), seen);
	}
	return seen;
}

static void
pending_judge(const json_t *facts, const struct check *chk,
	      const struct probe_ctx *ctx, struct check_outcome *out)
{
	int security_only = check_param_bool(chk, "security_only", 0);
	int has_window = check_param_get(chk, "window_days") != NULL;
	int has_max = check_param_get(chk, "max_pending") != NULL;
	int has_crit = check_param_get(chk, "critical_window_hours") != NULL;
	long long window = check_param_int(chk, "window_days", 0);
	long long max = check_param_int(chk, "max_pending", 0);
	long long crit = check_param_int(chk, "critical_window_hours", 0);
	const json_t *pending = json_object_get(facts, "pending");
	const json_t *lists = json_object_get(facts, "lists");
	json_int_t lerrors = json_integer_value(json_object_get(facts,
								"lists_errors"));
	json_t *seen = previous_first_seen(ctx), *items = json_array();
	size_t i, total = json_array_size(pending), nsec = 0, nsel = 0;
	size_t overdue = 0, crit_overdue = 0, held = 0;
	time_t oldest = 0;
	struct dynbuf msg;
	int fail, use_window;

	/* The rules every message below refers to. */
	out->evidence = json_pack("{s:b, s:I}", "security_only", security_only,
				  "lists", (json_int_t)json_array_size(lists));
	if (has_window || !has_max)
		json_object_set_new(out->evidence, "window_days",
				    json_integer(window));
	if (has_crit)
		json_object_set_new(out->evidence, "critical_window_hours",
				    json_integer(crit));
	if (has_max)
		json_object_set_new(out->evidence, "max_pending",
				    json_integer(max));
	json_object_set(out->evidence, "installed_count",
			json_object_get(facts, "installed_count"));

	if (json_array_size(lists) == 0) {
		check_outcome_set(out, STATUS_ERROR, "no apt package lists in "
				  "/%s: pending updates cannot be known (the "
				  "lists were never fetched or were deleted)",
				  APT_LISTS_DIR);
		goto out;
	}
	if (lerrors > 0) {
		for (i = 0; i < json_array_size(lists); i++) {
			const json_t *l = json_array_get(lists, i);

			if (json_is_string(json_object_get(l, "error"))) {
				json_object_set_new(out->evidence, "list_error",
						    json_deep_copy(l));
				check_outcome_set(out, STATUS_ERROR, "%lld apt "
						  "list(s) could not be read, so "
						  "pending updates are not all "
						  "known: %s", (long long)lerrors,
						  json_string_value(
						  json_object_get(l, "error")));
				break;
			}
		}
		goto out;
	}

	for (i = 0; i < total; i++) {
		const json_t *p = json_array_get(pending, i);
		const char *pkg = json_string_value(json_object_get(p,
								    "package"));
		const char *arch = json_string_value(json_object_get(p, "arch"));
		int sec = json_is_true(json_object_get(p, "security"));
		char *key = xasprintf("%s:%s", pkg, arch);
		const char *fs = json_string_value(json_object_get(seen, key));
		time_t first = ctx->now, age;
		json_t *item;

		free(key);
		nsec += sec;
		if (security_only && !sec)
			continue;
		nsel++;
		if (fs != NULL && time_parse(fs, &first) == 0 &&
		    first > ctx->now)
			first = ctx->now;	/* a clock that went back */
		if (fs == NULL)
			first = ctx->now;
		age = ctx->now - first;
		if (oldest == 0 || first < oldest)
			oldest = first;
		if (window > 0 && age > window * SECONDS_PER_DAY)
			overdue++;
		if (has_crit && sec && age > crit * 3600)
			crit_overdue++;
		held += json_is_true(json_object_get(p, "hold"));
		if (json_array_size(items) >= PLUMB_EVIDENCE_ITEMS_MAX)
			continue;
		item = json_pack("{s:O, s:O, s:O, s:O, s:b, s:O, s:o, s:I}",
				 "package", json_object_get(p, "package"),
				 "arch", json_object_get(p, "arch"),
				 "installed", json_object_get(p, "installed"),
				 "candidate", json_object_get(p, "candidate"),
				 "security", sec, "suite",
				 json_object_get(p, "suite"), "first_seen",
				 time_json(first), "age_days",
				 (json_int_t)(age / SECONDS_PER_DAY));
		if (json_is_true(json_object_get(p, "hold")))
			json_object_set_new(item, "hold", json_true());
		json_array_append_new(items, item);
	}
	json_object_set(out->evidence, "pending", items);
	json_object_set_new(out->evidence, "truncated",
			    json_boolean(nsel > json_array_size(items)));
	json_object_set_new(out->evidence, "pending_count",
			    json_integer((json_int_t)total));
	json_object_set_new(out->evidence, "security_count",
			    json_integer((json_int_t)nsec));
	json_object_set_new(out->evidence, "selected_count",
			    json_integer((json_int_t)nsel));
	json_object_set_new(out->evidence, "overdue_count",
			    json_integer((json_int_t)(window > 0 ? overdue :
						      has_window || !has_max ?
						      nsel : 0)));
	json_object_set_new(out->evidence, "held_count",
			    json_integer((json_int_t)held));
	json_object_set_new(out->evidence, "oldest_first_seen",
			    time_json(nsel ? oldest : 0));
	/* When packages last changed says how stale "pending" has got. */
	json_object_set_new(out->evidence, "last_upgrade", json_deep_copy(
		json_object_get(facts, "last_upgrade")));
	if (json_array_size(json_object_get(facts, "apt_preferences")) > 0)
		json_object_set(out->evidence, "apt_preferences_not_applied",
				json_object_get(facts, "apt_preferences"));

	/* The window applies when given, and by default when no
	 * max_pending replaces it; a window of 0 leaves no grace at all. */
	use_window = has_window || !has_max;
	dynbuf_init(&msg, PLUMB_ERRMSG_MAX);
	if (nsel == 0)
		dynbuf_printf(&msg, "no %supdates pending (%lld installed "
			      "packages, %zu lists)", security_only ?
			      "security " : "", (long long)json_integer_value(
			      json_object_get(facts, "installed_count")),
			      json_array_size(lists));
	else
		dynbuf_printf(&msg, "%zu %supdate%s pending (%zu security "
			      "among all %zu), oldest first seen %lld day%s "
			      "ago", nsel, security_only ? "security " : "",
			      nsel == 1 ? "" : "s", nsec, total,
			      (long long)((ctx->now - oldest) / SECONDS_PER_DAY),
			      (ctx->now - oldest) / SECONDS_PER_DAY == 1 ? "" :
			      "s");
	fail = 0;
	if (use_window && window == 0 && nsel > 0) {
		fail = 1;
		dynbuf_addstr(&msg, "; no patch window: any pending fix fails");
	} else if (use_window && overdue > 0) {
		fail = 1;
		dynbuf_printf(&msg, "; %zu past the %lld-day window", overdue,
			      window);
	} else if (use_window && nsel > 0) {
		dynbuf_printf(&msg, "; all within the %lld-day window", window);
	}
	if (has_crit && crit_overdue > 0) {
		fail = 1;
		dynbuf_printf(&msg, "; %zu security fix%s past %lld hours",
			      crit_overdue, crit_overdue == 1 ? "" : "es", crit);
	}
	if (has_max && (long long)nsel > max) {
		fail = 1;
		dynbuf_printf(&msg, "; more than the %lld allowed", max);
	}
	if (held > 0)
		dynbuf_printf(&msg, "; %zu held back by dpkg", held);
	check_outcome_set(out, fail ? STATUS_FAIL : STATUS_PASS, "%s",
			  msg.data ? msg.data : "");
	dynbuf_release(&msg);
out:
	json_decref(items);
	json_decref(seen);
}

static const struct check_param_spec pending_params[] = {
	{ "security_only", CHECK_PARAM_BOOL, 0,
	  "judge only fixes from security archives (default false)" },
	{ "window_days", CHECK_PARAM_INT, 0,
	  "a fix pending longer than this many days fails; 0 (the default "
	  "unless max_pending is given) fails any pending fix" },
	{ "critical_window_hours", CHECK_PARAM_INT, 0,
	  "a security-archive fix pending longer than this many hours fails "
	  "(plumb has no severity feed: every security fix counts)" },
	{ "max_pending", CHECK_PARAM_INT, 0,
	  "more pending fixes than this fails; given alone, it replaces the "
	  "default window of 0" },
	{ NULL, 0, 0, NULL },
};

const struct check_type check_patch_pending = {
	.name = "patch-pending",
	.summary = "updates apt would install (as apt list --upgradable), "
		   "judged by age since first seen and count",
	.probe = &probe_patch,
	.params = pending_params,
	.subject = patch_subject,
	.validate = pending_validate,
	.judge = pending_judge,
};

/* --- check `reboot-required` --------------------------------------- */

static void
reboot_judge(const json_t *facts, const struct check *chk,
	     const struct probe_ctx *ctx, struct check_outcome *out)
{
	const json_t *rb = json_object_get(facts, "reboot");
	const json_t *reasons = json_object_get(rb, "reasons");
	const json_t *pk = json_object_get(rb, "flag_packages");
	struct dynbuf msg;
	size_t i;

	(void)chk;
	(void)ctx;
	out->evidence = json_deep_copy(rb);
	if (!json_is_true(json_object_get(rb, "required"))) {
		check_outcome_set(out, STATUS_PASS, "no reboot pending (kernel "
				  "check %s)", json_string_value(
				  json_object_get(rb, "kernel_check")));
		return;
	}
	dynbuf_init(&msg, PLUMB_ERRMSG_MAX);
	dynbuf_addstr(&msg, "reboot required: ");
	for (i = 0; i < json_array_size(reasons); i++)
		dynbuf_printf(&msg, "%s%s", i ? "; " : "",
			      json_string_value(json_array_get(reasons, i)));
	for (i = 0; i < json_array_size(pk); i++)
		dynbuf_printf(&msg, "%s%s", i ? ", " : " (for ",
			      json_string_value(json_array_get(pk, i)));
	if (json_array_size(pk) > 0)
		dynbuf_addstr(&msg, ")");
	check_outcome_set(out, STATUS_FAIL, "%s", msg.data);
	dynbuf_release(&msg);
}

const struct check_type check_reboot_required = {
	.name = "reboot-required",
	.summary = "no reboot is pending (run/reboot-required, running kernel "
		   "older than the newest installed)",
	.probe = &probe_patch,
	.params = (const struct check_param_spec[]){ { NULL, 0, 0, NULL } },
	.subject = patch_subject,
	.judge = reboot_judge,
};

/* --- check `apt-lists-fresh` --------------------------------------- */

static int
fresh_validate(const struct check *chk, struct errbuf *e)
{
	return nonneg_param(chk, "max_age_days", "apt-lists-fresh", e);
}

static void
fresh_judge(const json_t *facts, const struct check *chk,
	    const struct probe_ctx *ctx, struct check_outcome *out)
{
	const json_t *age = json_object_get(facts, "lists_age");
	long long max = check_param_int(chk, "max_age_days", 7);
	const char *newest = json_string_value(json_object_get(age, "newest"));
	time_t t;
	long long days;

	out->evidence = json_deep_copy(age);
	json_object_set_new(out->evidence, "max_age_days", json_integer(max));
	if (newest == NULL || time_parse(newest, &t) != 0) {
		check_outcome_set(out, STATUS_FAIL, "the package lists were never "
				  "refreshed: no Release file in /%s and no "
				  "update-success-stamp", APT_LISTS_DIR);
		return;
	}
	days = t >= ctx->now ? 0 : (long long)((ctx->now - t) /
					       SECONDS_PER_DAY);
	json_object_set_new(out->evidence, "age_days", json_integer(days));
	if (ctx->now - t > max * SECONDS_PER_DAY)
		check_outcome_set(out, STATUS_FAIL, "package lists are %lld "
				  "days old (refreshed %s, from %s); the limit "
				  "is %lld", days, newest, json_string_value(
				  json_object_get(age, "source")), max);
	else
		check_outcome_set(out, STATUS_PASS, "package lists refreshed %s "
				  "(%lld day%s ago, limit %lld)", newest, days,
				  days == 1 ? "" : "s", max);
}

static const struct check_param_spec fresh_params[] = {
	{ "max_age_days", CHECK_PARAM_INT, 0,
	  "the lists must have been refreshed within this many days "
	  "(default 7)" },
	{ NULL, 0, 0, NULL },
};

const struct check_type check_apt_lists_fresh = {
	.name = "apt-lists-fresh",
	.summary = "apt's package lists were refreshed recently",
	.probe = &probe_patch,
	.params = fresh_params,
	.subject = patch_subject,
	.validate = fresh_validate,
	.judge = fresh_judge,
};

/* --- check `unattended-upgrades` ----------------------------------- */

static void
unattended_judge(const json_t *facts, const struct check *chk,
		 const struct probe_ctx *ctx, struct check_outcome *out)
{
	const json_t *uu = json_object_get(facts, "unattended_upgrades");
	const json_t *crit = json_object_get(uu, "criteria");
	const char *err = json_string_value(json_object_get(uu, "error"));
	struct dynbuf msg;
	size_t i, bad = 0;

	(void)chk;
	(void)ctx;
	out->evidence = json_deep_copy(uu);
	if (err != NULL) {
		check_outcome_set(out, STATUS_ERROR, "apt configuration could "
				  "not be read: %s", err);
		return;
	}
	if (json_is_true(json_object_get(uu, "enabled"))) {
		check_outcome_set(out, STATUS_PASS, "unattended-upgrades is "
				  "installed, scheduled and allowed to install "
				  "security updates");
		return;
	}
	dynbuf_init(&msg, PLUMB_ERRMSG_MAX);
	dynbuf_addstr(&msg, "unattended-upgrades is not enabled: ");
	for (i = 0; i < json_array_size(crit); i++) {
		const json_t *c = json_array_get(crit, i);

		if (json_is_true(json_object_get(c, "ok")))
			continue;
		dynbuf_printf(&msg, "%s%s: %s", bad++ ? "; " : "",
			      json_string_value(json_object_get(c, "name")),
			      json_string_value(json_object_get(c, "detail")));
	}
	check_outcome_set(out, STATUS_FAIL, "%s", msg.data);
	dynbuf_release(&msg);
}

const struct check_type check_unattended_upgrades = {
	.name = "unattended-upgrades",
	.summary = "unattended-upgrades is installed, scheduled and allowed to "
		   "install security updates",
	.probe = &probe_patch,
	.params = (const struct check_param_spec[]){ { NULL, 0, 0, NULL } },
	.subject = patch_subject,
	.judge = unattended_judge,
};

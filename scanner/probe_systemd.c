/*
 * probe_systemd.c - the `systemd-unit` check: whether a unit is installed,
 * enabled or masked, decided from the unit files and symlinks under the scan
 * root alone.
 *
 * No D-Bus and no systemctl: a mounted image or a container has no running
 * manager to ask, and the files are what a reboot will obey.  The rules are
 * systemd's own (systemd.unit(5), systemctl is-enabled):
 *   - the unit file is the first one found along the search path, in
 *     etc/systemd/system, run/systemd/system, usr/local/lib/systemd/system,
 *     usr/lib/systemd/system, lib/systemd/system; an instance
 *     ("getty@tty1.service") falls back to its template ("getty@.service");
 *   - masked: that first file is a symlink to /dev/null or an empty file;
 *   - enabled: a symlink named after the unit in a *.wants, *.requires or
 *     *.upholds directory of etc/systemd/system, or an [Install] Alias=
 *     symlink there; a unit name that is itself such an alias link counts
 *     as enabled too (systemctl is-enabled says "alias");
 *   - static: the unit file has no [Install] rules (WantedBy=, RequiredBy=,
 *     UpheldBy=, Alias=, Also=), so it only runs as a dependency.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "baseline.h"
#include "probe.h"

/* The unit search path, highest precedence first (systemd.unit(5)). */
static const char *const systemd_dirs[] = {
	"etc/systemd/system",
	"run/systemd/system",
	"usr/local/lib/systemd/system",
	"usr/lib/systemd/system",
	"lib/systemd/system",
	NULL,
};

/* Where `systemctl enable` puts its symlinks. */
#define SYSTEMD_ENABLE_DIR "etc/systemd/system"

/* Longest unit name systemd accepts (UNIT_NAME_MAX minus the NUL). */
#define SYSTEMD_UNIT_NAME_MAX 255

static const char *const systemd_suffixes[] = {
	".service", ".socket", ".target", ".device", ".mount", ".automount",
	".swap", ".timer", ".path", ".slice", ".scope", NULL,
};

static int
systemd_has_suffix(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	if (dot == NULL || dot == name)
		return 0;
	for (i = 0; systemd_suffixes[i] != NULL; i++)
		if (strcmp(dot, systemd_suffixes[i]) == 0)
			return 1;
	return 0;
}

/* True if name has only the characters systemd allows in a unit name. */
static int
systemd_name_ok(const char *name)
{
	size_t n = strlen(name);
	const char *c;

	if (n == 0 || n > SYSTEMD_UNIT_NAME_MAX || name[0] == '.')
		return 0;
	for (c = name; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || strchr(":_.\\@-", *c) != NULL))
			return 0;
	return 1;
}

/* The unit name as systemctl would take it: ".service" appended when the
 * name has no unit type suffix.  NULL if it is not a unit name. */
static char *
systemd_unit_name(const char *arg)
{
	char *name;

	if (arg == NULL || !systemd_name_ok(arg))
		return NULL;
	name = systemd_has_suffix(arg) ? xstrdup(arg) :
		xasprintf("%s.service", arg);
	if (strlen(name) > SYSTEMD_UNIT_NAME_MAX) {
		free(name);
		return NULL;
	}
	return name;
}

/* "getty@tty1.service" -> "getty@.service"; NULL when name is not an
 * instance. */
static char *
systemd_template(const char *name)
{
	const char *at = strchr(name, '@'), *dot = strrchr(name, '.');

	if (at == NULL || dot == NULL || dot <= at + 1)
		return NULL;
	return xasprintf("%.*s%s", (int)(at - name + 1), name, dot);
}

/* The unit file's [Install] rules. */
struct systemd_install {
	int rules;		/* any WantedBy/RequiredBy/UpheldBy/Alias/Also */
	json_t *aliases;	/* names from Alias= */
};

static void
systemd_parse_install(const char *text, struct systemd_install *in)
{
	const char *p = text;
	int in_install = 0;

	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		const char *end = eol ? eol : p + strlen(p);
		const char *b = p, *eq;

		while (b < end && (*b == ' ' || *b == '\t'))
			b++;
		if (b < end && *b == '[') {
			in_install = (size_t)(end - b) >= 9 &&
				memcmp(b, "[Install]", 9) == 0;
		} else if (in_install && b < end && *b != '#' && *b != ';' &&
			   (eq = memchr(b, '=', (size_t)(end - b))) != NULL) {
			const char *k_end = eq, *v = eq + 1;
			size_t kl;

			while (k_end > b && (k_end[-1] == ' ' || k_end[-1] == '\t'))
				k_end--;
			kl = (size_t)(k_end - b);
			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			if (v < end &&
			    ((kl == 8 && memcmp(b, "WantedBy", 8) == 0) ||
			     (kl == 10 && memcmp(b, "RequiredBy", 10) == 0) ||
			     (kl == 8 && memcmp(b, "UpheldBy", 8) == 0) ||
			     (kl == 4 && memcmp(b, "Also", 4) == 0)))
				in->rules = 1;
			if (kl == 5 && memcmp(b, "Alias", 5) == 0) {
				/* Alias= takes a space-separated list. */
				while (v < end) {
					const char *w = v;
					char *a;

					while (v < end && *v != ' ' && *v != '\t' &&
					       *v != '\r')
						v++;
					a = xstrndup(w, (size_t)(v - w));
					if (systemd_name_ok(a) &&
					    json_array_size(in->aliases) <
					    PLUMB_EVIDENCE_ITEMS_MAX) {
						json_array_append_new(in->aliases,
								      json_string(a));
						in->rules = 1;
					}
					free(a);
					while (v < end && (*v == ' ' || *v == '\t' ||
							   *v == '\r'))
						v++;
				}
			}
		}
		p = eol ? eol + 1 : end;
	}
}

/* True if path (inside the root) is a symlink whose target names unit or
 * its template as the last component, or any symlink when either is NULL. */
static int
systemd_is_link_to(const struct plat_root *r, const char *path,
		   const char *unit, const char *tmpl)
{
	struct stat st;
	char *target = NULL;
	const char *base;
	int ok;

	if (plat_stat(r, path, 0, &st, NULL) != 0 || !S_ISLNK(st.st_mode))
		return 0;
	if (plat_readlink(r, path, &target, NULL) != 0)
		return 0;
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	ok = strcmp(base, unit) == 0 || (tmpl != NULL && strcmp(base, tmpl) == 0);
	free(target);
	return ok;
}

/*
 * Finds the unit file for name along the search path.  On success *path is
 * the root-relative path of the first entry found (caller frees), or NULL
 * when there is none; *masked says whether that entry masks the unit.
 */
static int
systemd_find(const struct plat_root *r, const char *name, char **path,
	     int *masked, struct errbuf *e)
{
	size_t i;

	*path = NULL;
	*masked = 0;
	for (i = 0; systemd_dirs[i] != NULL; i++) {
		char *p = xasprintf("/%s/%s", systemd_dirs[i], name);
		struct stat st;
		char *target = NULL;
		int rc = plat_stat(r, p, 0, &st, e);

		if (rc == PLUMB_ENOENT) {
			free(p);
			continue;
		}
		if (rc != PLUMB_OK) {
			free(p);
			return rc;
		}
		if (S_ISLNK(st.st_mode)) {
			if ((rc = plat_readlink(r, p, &target, e)) != 0) {
				free(p);
				return rc;
			}
			*masked = strcmp(target, "/dev/null") == 0;
			free(target);
			if (!*masked && plat_stat(r, p, 1, &st, NULL) == 0)
				*masked = S_ISCHR(st.st_mode) ||
					(S_ISREG(st.st_mode) && st.st_size == 0);
		} else {
			*masked = S_ISREG(st.st_mode) && st.st_size == 0;
		}
		*path = p;
		return PLUMB_OK;
	}
	return PLUMB_OK;
}

/* Adds to wanted_by / required_by / upheld_by the targets in whose
 * etc/systemd/system/<target>.{wants,requires,upholds} directory a symlink
 * for the unit lives. */
static int
systemd_enable_links(const struct plat_root *r, const char *unit,
		     const char *tmpl, json_t *facts, struct errbuf *e)
{
	static const struct {
		const char *suffix;
		const char *key;
	} kinds[] = {
		{ ".wants", "wanted_by" },
		{ ".requires", "required_by" },
		{ ".upholds", "upheld_by" },
	};
	char **names = NULL;
	size_t n = 0, i, k;
	int rc;

	rc = plat_list(r, SYSTEMD_ENABLE_DIR, &names, &n, e);
	if (rc == PLUMB_ENOENT)
		return PLUMB_OK;
	if (rc != PLUMB_OK)
		return rc;
	for (i = 0; i < n; i++) {
		size_t nl = strlen(names[i]);

		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			size_t sl = strlen(kinds[k].suffix);
			json_t *arr = json_object_get(facts, kinds[k].key);
			char *p;

			if (nl <= sl || strcmp(names[i] + nl - sl,
					       kinds[k].suffix) != 0)
				continue;
			p = xasprintf("/%s/%s/%s", SYSTEMD_ENABLE_DIR, names[i],
				      unit);
			if (systemd_is_link_to(r, p, unit, tmpl) &&
			    systemd_name_ok(names[i]) &&
			    json_array_size(arr) < PLUMB_EVIDENCE_ITEMS_MAX)
				json_array_append_new(arr,
					json_stringn(names[i], nl - sl));
			free(p);
		}
	}
	plat_list_free(names, n);
	return PLUMB_OK;
}

static int
systemd_collect(const struct probe_ctx *ctx, const char *arg, json_t **facts,
		struct errbuf *e)
{
	const struct plat_root *r = ctx->root;
	struct systemd_install in = { 0, NULL };
	struct errbuf le;
	char *unit, *tmpl, *path = NULL, *text = NULL, *target = NULL;
	json_t *f = NULL, *aliased;
	int masked = 0, rc, enabled, alias_link = 0;
	size_t i, n;

	*facts = NULL;
	if ((unit = systemd_unit_name(arg)) == NULL)
		return err_set(e, PLUMB_EUSAGE, "systemd-unit: \"%s\" is not a "
			       "unit name", arg ? arg : "");
	tmpl = systemd_template(unit);
	if ((rc = systemd_find(r, unit, &path, &masked, e)) != 0)
		goto out;
	if (path == NULL && tmpl != NULL &&
	    (rc = systemd_find(r, tmpl, &path, &masked, e)) != 0)
		goto out;
	in.aliases = json_array();
	f = json_pack("{s:s, s:b, s:n, s:b, s:b, s:b, s:[], s:[], s:[], s:[]}",
		      "unit", unit, "installed", 0, "path", "enabled", 0,
		      "masked", masked, "static", 0, "wanted_by",
		      "required_by", "upheld_by", "aliased_as");
	if (path != NULL && !masked) {
		rc = plat_read_text(r, path, PLUMB_SMALL_FILE_MAX, &text, &n,
				    &le);
		if (rc == PLUMB_ENOENT || rc == PLUMB_EIO) {
			/* A link to a unit file that is gone: not installed,
			 * and systemd would say so too. */
			json_object_set_new(f, "path", json_string(path));
			json_object_set_new(f, "broken", json_string(le.msg));
			rc = PLUMB_OK;
		} else if (rc != PLUMB_OK) {
			err_set(e, rc, "%s", le.msg);
			goto out;
		} else {
			json_object_set_new(f, "installed", json_true());
			json_object_set_new(f, "path", json_string(path));
			systemd_parse_install(text, &in);
			json_object_set_new(f, "static", json_boolean(!in.rules));
		}
	} else if (path != NULL) {
		json_object_set_new(f, "path", json_string(path));
	}
	if (path != NULL && !masked &&
	    plat_readlink(r, path, &target, NULL) == PLUMB_OK) {
		const char *base = strrchr(target, '/');

		base = base ? base + 1 : target;
		/* A link under another unit's name is an alias of it; in
		 * etc/ it is what `systemctl enable` made from Alias=. */
		if (strcmp(base, unit) != 0 &&
		    (tmpl == NULL || strcmp(base, tmpl) != 0) &&
		    systemd_name_ok(base)) {
			json_object_set_new(f, "alias_of", json_string(base));
			alias_link = strncmp(path, "/" SYSTEMD_ENABLE_DIR "/",
					     sizeof(SYSTEMD_ENABLE_DIR) + 1) == 0;
		}
	}
	if ((rc = systemd_enable_links(r, unit, tmpl, f, e)) != 0)
		goto out;
	aliased = json_object_get(f, "aliased_as");
	for (i = 0; i < json_array_size(in.aliases); i++) {
		const char *a = json_string_value(json_array_get(in.aliases, i));
		char *p = xasprintf("/%s/%s", SYSTEMD_ENABLE_DIR, a);

		if (systemd_is_link_to(r, p, unit, tmpl))
			json_array_append_new(aliased, json_string(a));
		free(p);
	}
	enabled = !masked && (alias_link ||
		json_array_size(json_object_get(f, "wanted_by")) > 0 ||
		json_array_size(json_object_get(f, "required_by")) > 0 ||
		json_array_size(json_object_get(f, "upheld_by")) > 0 ||
		json_array_size(aliased) > 0);
	json_object_set_new(f, "enabled", json_boolean(enabled));
	*facts = f;
	f = NULL;
out:
	json_decref(f);
	json_decref(in.aliases);
	free(text);
	free(target);
	free(path);
	free(tmpl);
	free(unit);
	return rc;
}

/* "multi-user.target, graphical.target" from a facts array (a new string). */
static char *
systemd_join(const json_t *arr)
{
	struct dynbuf b;
	size_t i;

	dynbuf_init(&b, PLUMB_ERRMSG_MAX);
	for (i = 0; i < json_array_size(arr); i++)
		/* Bounded by the buffer: a long list is cut, not refused. */
		if (dynbuf_printf(&b, "%s%s", i ? ", " : "",
				  json_string_value(json_array_get(arr, i))) != 0)
			break;
	return dynbuf_take(&b, NULL);
}

static void
systemd_judge(const json_t *facts, const struct check *chk,
	      const struct probe_ctx *ctx, struct check_outcome *out)
{
	const char *unit = json_string_value(json_object_get(facts, "unit"));
	int installed = json_is_true(json_object_get(facts, "installed"));
	int enabled = json_is_true(json_object_get(facts, "enabled"));
	int masked = json_is_true(json_object_get(facts, "masked"));
	int is_static = json_is_true(json_object_get(facts, "static"));
	int check_masked = check_param_get(chk, "masked") != NULL;
	int want_masked = check_param_bool(chk, "masked", 0);
	/* With masked= given and enabled= not, only masking is checked:
	 * "must be masked" says nothing about links a mask overrides. */
	int check_enabled = check_param_get(chk, "enabled") != NULL ||
		!check_masked;
	int want_enabled = check_param_bool(chk, "enabled", 1);
	char *by;

	(void)ctx;
	out->evidence = json_deep_copy(facts);
	if (check_masked && masked != want_masked) {
		check_outcome_set(out, STATUS_FAIL, "%s is %s", unit,
				  masked ? "masked, and must not be" :
				  "not masked, and must be");
		return;
	}
	if (!check_enabled) {
		check_outcome_set(out, STATUS_PASS, "%s is %s", unit,
				  masked ? "masked" : "not masked");
		return;
	}
	by = systemd_join(json_object_get(facts, "wanted_by"));
	if (want_enabled) {
		if (masked)
			check_outcome_set(out, STATUS_FAIL, "%s is masked", unit);
		else if (!installed)
			check_outcome_set(out, STATUS_FAIL, "%s is not installed",
					  unit);
		else if (enabled && by[0])
			check_outcome_set(out, STATUS_PASS, "%s is enabled "
					  "(wanted by %s)", unit, by);
		else if (enabled)
			check_outcome_set(out, STATUS_PASS, "%s is enabled", unit);
		else if (is_static)
			check_outcome_set(out, STATUS_PASS, "%s is static (no "
					  "[Install] section): it runs when "
					  "another unit needs it", unit);
		else
			check_outcome_set(out, STATUS_FAIL, "%s is installed but "
					  "not enabled", unit);
	} else {
		if (enabled)
			check_outcome_set(out, STATUS_FAIL, "%s is enabled%s%s%s, "
					  "and must not be", unit,
					  by[0] ? " (wanted by " : "", by,
					  by[0] ? ")" : "");
		else
			check_outcome_set(out, STATUS_PASS, "%s is %s", unit,
					  masked ? "masked" : !installed ?
					  "not installed" : is_static ?
					  "static and not enabled" :
					  "not enabled");
	}
	free(by);
}

static const char *
systemd_subject(const struct check *chk)
{
	return check_param_get(chk, "unit");
}

static int
systemd_validate(const struct check *chk, struct errbuf *e)
{
	const char *arg = check_param_get(chk, "unit");
	char *unit = systemd_unit_name(arg);

	if (unit == NULL)
		return err_set(e, PLUMB_EINVAL, "systemd-unit: \"%s\" is not a "
			       "unit name (letters, digits, \":_.\\@-\", at most "
			       "%d characters)", arg ? arg : "",
			       SYSTEMD_UNIT_NAME_MAX);
	free(unit);
	if (check_param_bool(chk, "masked", 0) &&
	    check_param_bool(chk, "enabled", 0))
		return err_set(e, PLUMB_EINVAL, "systemd-unit: %s cannot be "
			       "both masked and enabled", arg);
	return PLUMB_OK;
}

static const struct probe probe_systemd = { "systemd", systemd_collect };

static const struct check_param_spec systemd_params[] = {
	{ "unit", CHECK_PARAM_STRING, CHECK_PARAM_REQUIRED,
	  "unit name; \".service\" is added when it has no type suffix" },
	{ "enabled", CHECK_PARAM_BOOL, 0,
	  "whether the unit must be enabled (default true unless masked is "
	  "given); a static unit counts as enabled, as systemctl is-enabled "
	  "says" },
	{ "masked", CHECK_PARAM_BOOL, 0, "whether the unit must be masked" },
	{ NULL, 0, 0, NULL },
};

const struct check_type check_systemd_unit = {
	.name = "systemd-unit",
	.summary = "a systemd unit is enabled, disabled or masked (from the "
		   "unit files under the root)",
	.probe = &probe_systemd,
	.params = systemd_params,
	.subject = systemd_subject,
	.validate = systemd_validate,
	.judge = systemd_judge,
};

/*
 * probe_sysctl.c - the `sysctl` check: a kernel parameter's value as
 * proc/sys under the scan root shows it.
 *
 * The key is read from proc/sys/<key with '.' as '/'> (sysctl(8) also takes
 * '/' as the separator, and then dots are part of a name, as in a VLAN
 * interface "eth0.1"), so a live root reads the running kernel and a fixture
 * or an image reads whatever proc/sys it carries.  Values are compared with
 * their whitespace normalised: "4096\t87380   6291456\n" equals
 * "4096 87380 6291456".
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "probe.h"

/* Collapses runs of whitespace to one space and trims the ends; a new
 * string. */
static char *
sysctl_normalise(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;
	size_t i;
	int space = 0;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\v' || c == '\f') {
			space = o != out;
			continue;
		}
		if (space)
			*o++ = ' ';
		space = 0;
		*o++ = c;
	}
	*o = '\0';
	return out;
}

/* The path under the root for key, or NULL when the key is malformed: empty
 * components, "." or "..", or characters no sysctl name has. */
static char *
sysctl_path(const char *key)
{
	int slash = strchr(key, '/') != NULL;
	char sep = slash ? '/' : '.';
	size_t i, n = strlen(key), start = 0;
	char *path;

	if (n == 0 || n > PLUMB_PATH_MAX - 16)
		return NULL;
	for (i = 0; i <= n; i++) {
		char c = key[i];

		if (c == sep || c == '\0') {
			size_t len = i - start;

			if (len == 0 || (len == 1 && key[start] == '.') ||
			    (len == 2 && key[start] == '.' && key[start + 1] == '.'))
				return NULL;
			start = i + 1;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("_-.@:+", c) != NULL))
			return NULL;
	}
	path = xasprintf("/proc/sys/%s", key);
	if (!slash)
		for (i = 10; path[i] != '\0'; i++)
			if (path[i] == '.')
				path[i] = '/';
	return path;
}

static int
sysctl_collect(const struct probe_ctx *ctx, const char *key, json_t **facts,
	       struct errbuf *e)
{
	char *path, *data = NULL, *value;
	size_t n;
	int rc;

	*facts = NULL;
	if (key == NULL || (path = sysctl_path(key)) == NULL)
		return err_set(e, PLUMB_EUSAGE, "sysctl: \"%s\" is not a sysctl "
			       "key", key ? key : "");
	rc = plat_read_text(ctx->root, path, PLUMB_SMALL_FILE_MAX, &data, &n, e);
	if (rc == PLUMB_ENOENT) {
		*facts = json_pack("{s:s, s:s, s:b, s:n}", "key", key, "path",
				   path, "exists", 0, "value");
		free(path);
		return PLUMB_OK;
	}
	if (rc != PLUMB_OK) {
		free(path);
		return rc;
	}
	if (!utf8_valid(data, n)) {
		rc = err_set(e, PLUMB_EPARSE, "%s: value is not text", path);
		free(data);
		free(path);
		return rc;
	}
	value = sysctl_normalise(data, n);
	*facts = json_pack("{s:s, s:s, s:b, s:s}", "key", key, "path", path,
			   "exists", 1, "value", value);
	free(value);
	free(data);
	free(path);
	return PLUMB_OK;
}

static void
sysctl_judge(const json_t *facts, const struct check *chk,
	     const struct probe_ctx *ctx, struct check_outcome *out)
{
	const char *key = json_string_value(json_object_get(facts, "key"));
	const char *value = json_string_value(json_object_get(facts, "value"));
	const char *equals = check_param_get(chk, "equals");
	const char *missing = check_param_get(chk, "missing");
	struct dynbuf one_of;
	int any_of = 0, in_set = 0;
	long long v = 0;
	size_t i;

	(void)ctx;
	out->evidence = json_pack("{s:s, s:O, s:O}", "key", key, "value",
				  json_object_get(facts, "value"), "path",
				  json_object_get(facts, "path"));
	if (value == NULL) {
		enum status s = STATUS_ERROR;

		if (missing != NULL && strcmp(missing, "fail") == 0)
			s = STATUS_FAIL;
		else if (missing != NULL && strcmp(missing, "notapplicable") == 0)
			s = STATUS_NOTAPPLICABLE;
		check_outcome_set(out, s, "sysctl %s does not exist on this "
				  "kernel (no %s)", key,
				  json_string_value(json_object_get(facts,
								    "path")));
		return;
	}
	if (equals != NULL) {
		char *w = sysctl_normalise(equals, strlen(equals));
		int ok = strcmp(w, value) == 0;

		free(w);
		if (!ok) {
			check_outcome_set(out, STATUS_FAIL, "%s is \"%s\", must "
					  "be \"%s\"", key, value, equals);
			return;
		}
	}
	dynbuf_init(&one_of, PLUMB_ERRMSG_MAX);
	for (i = 0; i < chk->nparams; i++) {
		char *w;

		if (strcmp(chk->params[i].name, "one_of") != 0)
			continue;
		w = sysctl_normalise(chk->params[i].value,
				     strlen(chk->params[i].value));
		in_set |= strcmp(w, value) == 0;
		/* Bounded: the list is only for the message. */
		dynbuf_printf(&one_of, "%s\"%s\"", any_of ? ", " : "", w);
		any_of = 1;
		free(w);
	}
	if (any_of && !in_set) {
		check_outcome_set(out, STATUS_FAIL, "%s is \"%s\", must be one "
				  "of %s", key, value,
				  one_of.data ? one_of.data : "");
		dynbuf_release(&one_of);
		return;
	}
	dynbuf_release(&one_of);
	if (check_param_get(chk, "min") != NULL ||
	    check_param_get(chk, "max") != NULL) {
		long long lo = check_param_int(chk, "min", INT64_MIN);
		long long hi = check_param_int(chk, "max", INT64_MAX);

		if (parse_ll(value, INT64_MIN, INT64_MAX, &v) != 0) {
			check_outcome_set(out, STATUS_ERROR, "%s is \"%s\", not "
					  "an integer to compare with min/max",
					  key, value);
			return;
		}
		if (v < lo) {
			check_outcome_set(out, STATUS_FAIL, "%s is %lld, must be "
					  "at least %lld", key, v, lo);
			return;
		}
		if (v > hi) {
			check_outcome_set(out, STATUS_FAIL, "%s is %lld, must be "
					  "at most %lld", key, v, hi);
			return;
		}
	}
	check_outcome_set(out, STATUS_PASS, "%s is \"%s\"", key, value);
}

static const char *
sysctl_subject(const struct check *chk)
{
	return check_param_get(chk, "key");
}

static int
sysctl_validate(const struct check *chk, struct errbuf *e)
{
	const char *key = check_param_get(chk, "key");
	const char *missing = check_param_get(chk, "missing");
	const char *min = check_param_get(chk, "min");
	const char *max = check_param_get(chk, "max");
	char *path;

	if (key == NULL || (path = sysctl_path(key)) == NULL)
		return err_set(e, PLUMB_EINVAL, "sysctl: key \"%s\" is not a "
			       "sysctl name (like net.ipv4.ip_forward)",
			       key ? key : "");
	free(path);
	if (missing != NULL && strcmp(missing, "fail") != 0 &&
	    strcmp(missing, "notapplicable") != 0 &&
	    strcmp(missing, "error") != 0)
		return err_set(e, PLUMB_EINVAL, "sysctl: missing must be fail, "
			       "notapplicable or error, not \"%s\"", missing);
	if (check_param_get(chk, "equals") == NULL &&
	    check_param_get(chk, "one_of") == NULL && min == NULL &&
	    max == NULL)
		return err_set(e, PLUMB_EINVAL, "sysctl: %s needs equals, one_of, "
			       "min or max", key);
	if (min != NULL && max != NULL &&
	    check_param_int(chk, "min", 0) > check_param_int(chk, "max", 0))
		return err_set(e, PLUMB_EINVAL, "sysctl: min %s is above max %s",
			       min, max);
	return PLUMB_OK;
}

static const struct probe probe_sysctl = { "sysctl", sysctl_collect };

static const struct check_param_spec sysctl_params[] = {
	{ "key", CHECK_PARAM_STRING, CHECK_PARAM_REQUIRED,
	  "sysctl name, e.g. kernel.randomize_va_space" },
	{ "equals", CHECK_PARAM_STRING, 0,
	  "the value, whitespace-normalised (\"4096 87380 6291456\")" },
	{ "one_of", CHECK_PARAM_STRING, CHECK_PARAM_MULTI,
	  "the value must equal one of these" },
	{ "min", CHECK_PARAM_INT, 0, "the value must be an integer >= this" },
	{ "max", CHECK_PARAM_INT, 0, "the value must be an integer <= this" },
	{ "missing", CHECK_PARAM_STRING, 0,
	  "status when the key does not exist: fail, notapplicable or error "
	  "(default)" },
	{ NULL, 0, 0, NULL },
};

const struct check_type check_sysctl = {
	.name = "sysctl",
	.summary = "a kernel parameter's value, from proc/sys under the root",
	.probe = &probe_sysctl,
	.params = sysctl_params,
	.subject = sysctl_subject,
	.validate = sysctl_validate,
	.judge = sysctl_judge,
};

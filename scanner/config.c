/*
 * config.c - reading plumb.conf (see config.h for the format).
 *
 * The parser is a table of keys, each with the kind of value it takes and
 * where in struct config it goes, so adding a key is one line here and one
 * paragraph in contrib/plumb.conf.example.  It reports every problem of a
 * file with its line, then refuses the file: a scheduled run that silently
 * ignored a mistyped push_url would queue evidence forever.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "plat.h"

enum config_kind {
	CONFIG_PATH,		/* an absolute path */
	CONFIG_PATHLIST,	/* absolute paths separated by ':' */
	CONFIG_BASELINE,	/* a baseline id or an absolute path */
	CONFIG_URL,		/* http:// or https:// */
	CONFIG_NUM,		/* a whole number in [min, max] */
	CONFIG_BOOL,		/* yes/no, true/false, on/off, 1/0 */
};

struct config_key {
	const char *name;
	enum config_kind kind;
	size_t off;		/* of a char * (strings) or long/int member */
	long min, max;
};

#define CONFIG_STR(name, kind) \
	{ #name, kind, offsetof(struct config, name), 0, 0 }
#define CONFIG_NUM(name, min, max) \
	{ #name, CONFIG_NUM, offsetof(struct config, name), min, max }
#define CONFIG_BOOL(name) \
	{ #name, CONFIG_BOOL, offsetof(struct config, name), 0, 1 }

/* Every key, in the order contrib/plumb.conf.example documents them. */
static const struct config_key config_keys[] = {
	CONFIG_STR(baseline, CONFIG_BASELINE),
	CONFIG_STR(owners, CONFIG_PATH),
	CONFIG_STR(tailoring, CONFIG_PATH),
	CONFIG_STR(db, CONFIG_PATH),
	CONFIG_STR(root, CONFIG_PATH),
	CONFIG_STR(yara_rules, CONFIG_PATHLIST),
	/* 64 MiB is below what loading a distribution's package lists
	 * needs; 1 TiB is beyond any endpoint. */
	CONFIG_NUM(memory_max_mb, 0, 1048576),
	/* A week: a budget is a bound, not a schedule. */
	CONFIG_NUM(time_budget_s, 0, 7 * 24 * 3600),
	CONFIG_NUM(nice, 0, 19),
	CONFIG_BOOL(io_idle),
	CONFIG_NUM(lock_wait_s, 0, 24 * 3600),
	CONFIG_STR(push_url, CONFIG_URL),
	CONFIG_STR(push_ca_file, CONFIG_PATH),
	CONFIG_STR(push_client_cert, CONFIG_PATH),
	CONFIG_STR(push_client_key, CONFIG_PATH),
	CONFIG_NUM(push_timeout_s, 1, 3600),
	CONFIG_NUM(push_connect_timeout_s, 1, 600),
	CONFIG_NUM(push_attempts, 1, 10),
};
#define CONFIG_NKEYS (sizeof(config_keys) / sizeof(config_keys[0]))

void
config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->memory_max_mb = 768;
	c->time_budget_s = 3600;
	c->nice = 10;
	c->io_idle = 1;
	c->lock_wait_s = 0;
	c->push_timeout_s = 60;
	c->push_connect_timeout_s = 10;
	c->push_attempts = 4;
}

void
config_release(struct config *c)
{
	void *field;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < CONFIG_NKEYS; i++) {
		if (config_keys[i].kind == CONFIG_NUM ||
		    config_keys[i].kind == CONFIG_BOOL)
			continue;
		/* Through void *: the offset is of a char * member, so the
		 * address is aligned for one. */
		field = (char *)c + config_keys[i].off;
		free(*(char **)field);
	}
	free(c->path);
	config_init(c);
}

void
config_free(struct config *c)
{
	config_release(c);
	free(c);
}

/* True when s is an absolute path without control characters. */
static int
config_abs_path(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] != '/' || n >= PLUMB_PATH_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* A baseline id as the schema defines it: [a-z0-9][a-z0-9-]*. */
static int
config_baseline_id(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return i <= 128;
}

static int
config_url(const char *s)
{
	size_t i, scheme;

	if (strncmp(s, "https://", 8) == 0)
		scheme = 8;
	else if (strncmp(s, "http://", 7) == 0)
		scheme = 7;
	else
		return 0;
	/* A host must follow the scheme; curl would take the rest. */
	if (s[scheme] == '\0' || s[scheme] == '/' || strlen(s) > 2048)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static int
config_bool(const char *s, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = 1;
			return 1;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = 0;
			return 1;
		}
	}
	return 0;
}

/* Checks value for key k and stores it in c; a message in d otherwise. */
static void
config_set(struct config *c, const struct config_key *k, const char *value,
	   const char *name, int line, struct diags *d, int *bad)
{
	void *dst = (char *)c + k->off;
	long long num;
	int b;
	const char *p;

	switch (k->kind) {
	case CONFIG_PATH:
		if (!config_abs_path(value, strlen(value)))
			goto bad_path;
		break;
	case CONFIG_PATHLIST:
		for (p = value;;) {
			size_t n = strcspn(p, ":");

			if (!config_abs_path(p, n))
				goto bad_path;
			if (p[n] == '\0')
				break;
			p += n + 1;
		}
		break;
	case CONFIG_BASELINE:
		if (value[0] == '/' ? !config_abs_path(value, strlen(value)) :
		    !config_baseline_id(value)) {
			diags_add(d, name, line, "baseline: '%s' is neither a "
				  "baseline id ([a-z0-9][a-z0-9-]*) nor an "
				  "absolute path", value);
			*bad = 1;
			return;
		}
		break;
	case CONFIG_URL:
		if (!config_url(value)) {
			diags_add(d, name, line, "%s: '%s' is not an http:// or "
				  "https:// URL with a host and no blanks",
				  k->name, value);
			*bad = 1;
			return;
		}
		break;
	case CONFIG_NUM:
		if (parse_ll(value, k->min, k->max, &num) != PLUMB_OK) {
			diags_add(d, name, line, "%s: '%s' is not a whole number "
				  "from %ld to %ld", k->name, value, k->min,
				  k->max);
			*bad = 1;
			return;
		}
		*(long *)dst = (long)num;
		return;
	case CONFIG_BOOL:
		if (!config_bool(value, &b)) {
			diags_add(d, name, line, "%s: '%s' is not yes or no",
				  k->name, value);
			*bad = 1;
			return;
		}
		*(int *)dst = b;
		return;
	}
	free(*(char **)dst);
	*(char **)dst = xstrdup(value);
	return;
bad_path:
	diags_add(d, name, line, "%s: '%s' is not an absolute path%s", k->name,
		  value, k->kind == CONFIG_PATHLIST ? " list (a:b:c)" : "");
	*bad = 1;
}

/* Handles one line (NUL-terminated, without its newline). */
static void
config_line(struct config *c, char *s, const char *name, int line,
	    int seen[], struct diags *d, int *bad)
{
	char *eq, *key, *value, *end;
	size_t i;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\r'))
		*--end = '\0';
	if (*s == '\0' || *s == '#')
		return;
	eq = strchr(s, '=');
	if (eq == NULL) {
		diags_add(d, name, line, "expected 'key = value'");
		*bad = 1;
		return;
	}
	key = s;
	value = eq + 1;
	for (end = eq; end > key && (end[-1] == ' ' || end[-1] == '\t');)
		end--;
	*end = '\0';
	while (*value == ' ' || *value == '\t')
		value++;
	if (*key == '\0') {
		diags_add(d, name, line, "a value without a key");
		*bad = 1;
		return;
	}
	for (i = 0; i < CONFIG_NKEYS; i++)
		if (strcmp(key, config_keys[i].name) == 0)
			break;
	if (i >= CONFIG_NKEYS) {
		/* Quoted with a cap: the key may be anything a file holds. */
		diags_add(d, name, line, "unknown key '%.64s'%s", key,
			  strlen(key) > 64 ? "..." : "");
		*bad = 1;
		return;
	}
	if (seen[i] != 0) {
		diags_add(d, name, line, "%s is already set on line %d",
			  key, seen[i]);
		*bad = 1;
		return;
	}
	seen[i] = line;
	if (*value == '\0') {
		diags_add(d, name, line, "%s: empty value (leave the line out "
			  "for the default)", key);
		*bad = 1;
		return;
	}
	config_set(c, &config_keys[i], value, name, line, d, bad);
}

/* The index of key in config_keys (which holds it). */
static size_t
config_key_index(const char *key)
{
	size_t i;

	for (i = 0; i < CONFIG_NKEYS; i++)
		if (strcmp(config_keys[i].name, key) == 0)
			break;
	return i;
}

/* Settings that only make sense together: a client certificate is useless
 * without its key and the other way round. */
static void
config_pairs(const struct config *c, const char *name, const int seen[],
	     struct diags *d, int *bad)
{
	size_t ic = config_key_index("push_client_cert");
	size_t ik = config_key_index("push_client_key");

	if ((c->push_client_cert == NULL) == (c->push_client_key == NULL))
		return;
	if (c->push_client_cert != NULL)
		diags_add(d, name, seen[ic], "push_client_cert is set but "
			  "push_client_key is not; give both or neither");
	else
		diags_add(d, name, seen[ik], "push_client_key is set but "
			  "push_client_cert is not; give both or neither");
	*bad = 1;
}

int
config_parse(struct config *c, const char *name, const char *text,
	     size_t len, struct diags *d)
{
	int seen[CONFIG_NKEYS];
	size_t pos = 0, n;
	int line = 0, bad = 0;
	char *s;

	memset(seen, 0, sizeof(seen));
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);

		n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		line++;
		if (memchr(text + pos, '\0', n) != NULL) {
			diags_add(d, name, line, "a NUL byte; plumb.conf is "
				  "text");
			bad = 1;
		} else if (!utf8_valid(text + pos, n)) {
			diags_add(d, name, line, "not valid UTF-8");
			bad = 1;
		} else {
			s = xstrndup(text + pos, n);
			config_line(c, s, name, line, seen, d, &bad);
			free(s);
		}
		pos += n + 1;
	}
	config_pairs(c, name, seen, d, &bad);
	return bad ? PLUMB_EINVAL : PLUMB_OK;
}

/* Refuses a file root would trust although someone else can change it. */
static int
config_check_owner(int fd, const char *path, struct errbuf *e)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return err_set(e, PLUMB_EIO, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return err_set(e, PLUMB_EINVAL, "%s: not a regular file", path);
	if (geteuid() != 0)
		return PLUMB_OK;
	if (st.st_uid != 0)
		return err_set(e, PLUMB_EPERM, "%s: owned by uid %u, not root; "
			       "refusing to let it direct a root process "
			       "(chown root %s)", path, (unsigned)st.st_uid,
			       path);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return err_set(e, PLUMB_EPERM, "%s: writable by group or others "
			       "(mode %04o); refusing to let it direct a root "
			       "process (chmod go-w %s)", path,
			       (unsigned)(st.st_mode & 07777), path);
	return PLUMB_OK;
}

int
config_load(const char *path, struct config **out, struct diags *d,
	    struct errbuf *e)
{
	struct config *c = xcalloc(1, sizeof(*c));
	const char *p = path != NULL ? path : CONFIG_DEFAULT_PATH;
	char *text = NULL;
	size_t len = 0;
	int fd, r;

	*out = NULL;
	config_init(c);
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT && path == NULL) {
			*out = c;
			return PLUMB_OK;
		}
		r = err_set(e, errno == ENOENT ? PLUMB_ENOENT :
			    errno == ELOOP ? PLUMB_EPERM : PLUMB_EIO,
			    "%s: %s", p, errno == ELOOP ? "is a symbolic "
			    "link; give the file itself" : strerror(errno));
		goto out;
	}
	if ((r = config_check_owner(fd, p, e)) != PLUMB_OK)
		goto out;
	if ((r = plat_read_fd(fd, p, PLUMB_CONFIG_MAX, &text, &len,
			      e)) != PLUMB_OK)
		goto out;
	c->path = xstrdup(p);
	if ((r = config_parse(c, p, text, len, d)) != PLUMB_OK) {
		err_set(e, r, "%s: refused; nothing was done", p);
		goto out;
	}
	*out = c;
	c = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(text);
	config_free(c);
	return r;
}

/*
 * probe_file.c - the `file` check: a path's existence, type, mode, owner and
 * content, as the scanned host has them.
 *
 * The probe (subject: the path) records what lstat and stat say, the owner
 * and group names from the ROOT's own etc/passwd and etc/group (never the
 * scanning machine's: an image's uid 1000 is not ours), and the content of a
 * regular file up to PLUMB_FILE_MATCH_MAX.  The judge compares that with the
 * check's parameters.  Like test(1), `type=symlink` looks at the path itself
 * and everything else at what a symlink points to (inside the root).
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "baseline.h"
#include "probe.h"

static const char *
file_type_name(mode_t m)
{
	if (S_ISREG(m))
		return "file";
	if (S_ISDIR(m))
		return "dir";
	if (S_ISLNK(m))
		return "symlink";
	if (S_ISFIFO(m))
		return "fifo";
	if (S_ISSOCK(m))
		return "socket";
	if (S_ISCHR(m))
		return "char";
	if (S_ISBLK(m))
		return "block";
	return "unknown";
}

/* Host text as a JSON string: bytes that are not UTF-8 become U+FFFD, so a
 * Latin-1 config file can still be matched and quoted. */
static json_t *
file_jstr(const char *s, size_t n)
{
	struct dynbuf b;
	json_t *j;
	char *v;
	size_t i = 0, len;

	if (utf8_valid(s, n))
		return json_stringn(s, n);
	dynbuf_init(&b, 3 * n + 1);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

		if (c != 0 && i + k <= n && utf8_valid(s + i, k)) {
			dynbuf_add(&b, s + i, k);
			i += k;
		} else {
			dynbuf_add(&b, "\xef\xbf\xbd", 3);
			i++;
		}
	}
	v = dynbuf_take(&b, &len);
	j = json_stringn(v, len);
	free(v);
	return j;
}

/*
 * The name of id in a passwd(5)/group(5) file of the root (both have the
 * name in field 1 and the id in field 3), or NULL.  A missing or unreadable
 * file is not an error: the number then stands for itself.
 */
static char *
file_id_name(const struct plat_root *r, const char *db, unsigned long id)
{
	char *data = NULL, *line, *name = NULL;
	size_t n;

	if (plat_read_text(r, db, PLUMB_SMALL_FILE_MAX, &data, &n, NULL) != 0)
		return NULL;
	for (line = data; line != NULL && *line != '\0' && name == NULL;) {
		char *eol = strchr(line, '\n'), *f1, *f2, *f3, *end;
		unsigned long v;

		if (eol != NULL)
			*eol = '\0';
		f1 = strchr(line, ':');
		f2 = f1 ? strchr(f1 + 1, ':') : NULL;
		f3 = f2 ? strchr(f2 + 1, ':') : NULL;
		if (f1 != NULL && f1 > line && f2 != NULL && f2[1] >= '0' &&
		    f2[1] <= '9') {
			v = strtoul(f2 + 1, &end, 10);
			if (v == id && (end == f3 || (f3 == NULL && *end == '\0')) &&
			    utf8_valid(line, (size_t)(f1 - line)))
				name = xstrndup(line, (size_t)(f1 - line));
		}
		line = eol ? eol + 1 : NULL;
	}
	free(data);
	return name;
}

static void
file_add_ids(json_t *o, const struct plat_root *r, const struct stat *st)
{
	char *owner = file_id_name(r, "etc/passwd", (unsigned long)st->st_uid);
	char *group = file_id_name(r, "etc/group", (unsigned long)st->st_gid);

	json_object_set_new(o, "uid", json_integer((json_int_t)st->st_uid));
	json_object_set_new(o, "gid", json_integer((json_int_t)st->st_gid));
	json_object_set_new(o, "owner", owner ? json_string(owner) : json_null());
	json_object_set_new(o, "group", group ? json_string(group) : json_null());
	free(owner);
	free(group);
}

static int
file_collect(const struct probe_ctx *ctx, const char *path, json_t **facts,
	     struct errbuf *e)
{
	struct stat lst, st;
	struct errbuf le;
	json_t *f;
	char *data = NULL, *target = NULL;
	size_t n;
	int rc;

	*facts = NULL;
	if (path == NULL || *path == '\0')
		return err_set(e, PLUMB_EUSAGE, "file check without a path");
	rc = plat_stat(ctx->root, path, 0, &lst, e);
	if (rc == PLUMB_ENOENT) {
		*facts = json_pack("{s:s, s:b}", "path", path, "exists", 0);
		return PLUMB_OK;
	}
	if (rc != PLUMB_OK)
		return rc;
	f = json_pack("{s:s, s:b}", "path", path, "exists", 1);
	if (S_ISLNK(lst.st_mode)) {
		json_object_set_new(f, "symlink", json_true());
		if ((rc = plat_readlink(ctx->root, path, &target, e)) != 0)
			goto fail;
		json_object_set_new(f, "link_target",
				    file_jstr(target, strlen(target)));
		free(target);
		rc = plat_stat(ctx->root, path, 1, &st, &le);
		if (rc == PLUMB_ENOENT || rc == PLUMB_EIO) {
			/* Dangling, or a loop: the link is all there is. */
			json_object_set_new(f, "dangling", json_true());
			json_object_set_new(f, "dangling_reason",
					    json_string(le.msg));
			st = lst;
		} else if (rc != PLUMB_OK) {
			err_set(e, rc, "%s", le.msg);
			goto fail;
		}
	} else {
		st = lst;
	}
	json_object_set_new(f, "type", json_string(file_type_name(st.st_mode)));
	json_object_set_new(f, "mode",
			    json_integer((json_int_t)(st.st_mode & 07777)));
	json_object_set_new(f, "size", json_integer((json_int_t)st.st_size));
	file_add_ids(f, ctx->root, &st);
	if (S_ISREG(st.st_mode)) {
		struct errbuf ce;

		if (plat_read_text(ctx->root, path, PLUMB_FILE_MATCH_MAX, &data,
				   &n, &ce) == PLUMB_OK) {
			json_object_set_new(f, "content", file_jstr(data, n));
			free(data);
		} else {
			json_object_set_new(f, "content_error",
					    json_string(ce.msg));
		}
	} else {
		json_object_set_new(f, "content_error",
				    json_string("not a regular file"));
	}
	*facts = f;
	return PLUMB_OK;
fail:
	json_decref(f);
	return rc;
}

/* ---- judging -------------------------------------------------------- */

static const char *const file_types[] = {
	"file", "dir", "symlink", "fifo", "socket", "char", "block", NULL
};

/* Parses an octal mode of at most 07777; 0 or PLUMB_EPARSE. */
static int
file_parse_mode(const char *s, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (s == NULL || *s == '\0' || strlen(s) > 5)
		return PLUMB_EPARSE;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '7')
			return PLUMB_EPARSE;
		v = v * 8 + (unsigned)(s[i] - '0');
	}
	if (v > 07777)
		return PLUMB_EPARSE;
	*out = v;
	return PLUMB_OK;
}

static int
file_is_number(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Problems found while judging, joined into one message. */
struct file_verdict {
	struct dynbuf fails;
	struct dynbuf errors;
};

static void
file_note(struct dynbuf *b, const char *msg)
{
	/* The message is bounded by the caps of its parts; running out of
	 * room only shortens what a person reads. */
	if (b->len > 0)
		dynbuf_addstr(b, "; ");
	dynbuf_addstr(b, msg);
}

#define FILE_FAIL(v, ...)                                               \
	do {                                                            \
		char *m_ = xasprintf(__VA_ARGS__);                      \
		file_note(&(v)->fails, m_);                             \
		free(m_);                                               \
	} while (0)

/* A line quoted in evidence: at most PLUMB_EVIDENCE_TEXT_MAX characters
 * (the content is valid UTF-8 by now, so characters are counted by their
 * lead bytes). */
static json_t *
file_quote(const char *line, size_t n)
{
	size_t i, chars = 0;

	for (i = 0; i < n; i++) {
		if (((unsigned char)line[i] & 0xc0) != 0x80 &&
		    chars++ == PLUMB_EVIDENCE_TEXT_MAX)
			break;
	}
	return json_stringn(line, i);
}

/* Calls back for each line of content, 1-based, without its newline (and a
 * trailing CR); stops when cb returns non-zero. */
static void
file_lines(const char *content, size_t len,
	   int (*cb)(void *arg, size_t no, const char *line, size_t n),
	   void *arg)
{
	const char *p = content, *end = content + len;
	size_t no = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);

		no++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (cb(arg, no, p, n))
			return;
		p = eol ? eol + 1 : end;
	}
}

struct file_match {
	regex_t re;
	const char *pattern;
	int stop_at_first;
	char *buf;
	size_t cap;
	size_t hits;
	size_t first_line;
	json_t *matched;	/* borrowed: the evidence array */
	int *truncated;
};

static int
file_match_line(void *arg, size_t no, const char *line, size_t n)
{
	struct file_match *m = arg;

	if (n + 1 > m->cap) {
		m->cap = n + 1;
		m->buf = xrealloc(m->buf, m->cap);
	}
	memcpy(m->buf, line, n);
	m->buf[n] = '\0';
	if (regexec(&m->re, m->buf, 0, NULL, 0) != 0)
		return 0;
	if (m->hits++ == 0)
		m->first_line = no;
	if (json_array_size(m->matched) < PLUMB_FILE_MATCH_LINES_MAX)
		json_array_append_new(m->matched,
				      json_pack("{s:I, s:o, s:s}", "line",
						(json_int_t)no, "text",
						file_quote(line, n), "pattern",
						m->pattern));
	else
		*m->truncated = 1;
	return m->stop_at_first;
}

/* Runs every match / no_match parameter over the content. */
static void
file_judge_content(const json_t *facts, const struct check *chk,
		   const char *path, struct file_verdict *v, json_t *ev)
{
	const json_t *content = json_object_get(facts, "content");
	json_t *matched = json_array();
	int truncated = 0;
	size_t i;

	for (i = 0; i < chk->nparams; i++) {
		const struct check_param *p = &chk->params[i];
		int negate = strcmp(p->name, "no_match") == 0;
		struct file_match m;

		if (!negate && strcmp(p->name, "match") != 0)
			continue;
		if (content == NULL) {
			const char *why = json_string_value(
				json_object_get(facts, "content_error"));
			char *msg = xasprintf("cannot match content: %s",
					      why ? why : "not read");

			file_note(&v->errors, msg);
			free(msg);
			break;
		}
		memset(&m, 0, sizeof(m));
		if (regcomp(&m.re, p->value, REG_EXTENDED | REG_NOSUB) != 0) {
			file_note(&v->errors, "a regex parameter does not "
				  "compile");
			continue;
		}
		m.pattern = p->value;
		m.stop_at_first = !negate;
		m.matched = matched;
		m.truncated = &truncated;
		file_lines(json_string_value(content), json_string_length(content),
			   file_match_line, &m);
		if (!negate && m.hits == 0)
			FILE_FAIL(v, "no line of %s matches %s", path, p->value);
		if (negate && m.hits == 1)
			FILE_FAIL(v, "%s:%zu matches forbidden %s", path,
				  m.first_line, p->value);
		else if (negate && m.hits > 1)
			FILE_FAIL(v, "%s:%zu and %zu more lines match forbidden "
				  "%s", path, m.first_line, m.hits - 1, p->value);
		regfree(&m.re);
		free(m.buf);
	}
	json_object_set_new(ev, "matched", matched);
	if (truncated)
		json_object_set_new(ev, "matched_truncated", json_true());
}

/* Compares a uid/gid with an owner/group parameter (a name from the root's
 * databases, or a number). */
static void
file_judge_id(const json_t *facts, const char *want, const char *idkey,
	      const char *namekey, const char *what, const char *path,
	      struct file_verdict *v)
{
	json_int_t id = json_integer_value(json_object_get(facts, idkey));
	const char *name = json_string_value(json_object_get(facts, namekey));

	if (file_is_number(want)) {
		long long w;

		if (parse_ll(want, 0, 0xffffffffLL, &w) != 0 || w != id)
			FILE_FAIL(v, "%s %s is %s (%lld), must be %s", path, what,
				  name ? name : "unnamed", (long long)id, want);
		return;
	}
	if (name == NULL)
		FILE_FAIL(v, "%s %s is %lld, which the root's %s does not name; "
			  "must be %s", path, what, (long long)id,
			  strcmp(what, "owner") == 0 ? "etc/passwd" :
			  "etc/group", want);
	else if (strcmp(name, want) != 0)
		FILE_FAIL(v, "%s %s is %s, must be %s", path, what, name, want);
}

static void
file_judge(const json_t *facts, const struct check *chk,
	   const struct probe_ctx *ctx, struct check_outcome *out)
{
	const char *path = json_string_value(json_object_get(facts, "path"));
	int exists = json_is_true(json_object_get(facts, "exists"));
	int is_link = json_is_true(json_object_get(facts, "symlink"));
	int dangling = json_is_true(json_object_get(facts, "dangling"));
	int want_exists = check_param_bool(chk, "exists", 1);
	const char *want_type = check_param_get(chk, "type");
	const char *s, *type;
	struct file_verdict v;
	unsigned mode = 0, want;
	json_t *ev;
	char modestr[8];

	(void)ctx;
	dynbuf_init(&v.fails, PLUMB_ERRMSG_MAX * 4);
	dynbuf_init(&v.errors, PLUMB_ERRMSG_MAX * 4);
	ev = json_pack("{s:s, s:b}", "path", path, "exists", exists);
	if (!exists) {
		if (want_exists)
			check_outcome_set(out, STATUS_FAIL, "%s does not exist",
					  path);
		else
			check_outcome_set(out, STATUS_PASS, "%s does not exist, "
					  "as required", path);
		out->evidence = ev;
		return;
	}
	if (!want_exists) {
		check_outcome_set(out, STATUS_FAIL, "%s exists and must not",
				  path);
		out->evidence = ev;
		return;
	}
	type = dangling ? "symlink" : json_string_value(json_object_get(facts,
									"type"));
	mode = (unsigned)json_integer_value(json_object_get(facts, "mode"));
	snprintf(modestr, sizeof(modestr), "%04o", mode);
	json_object_set_new(ev, "type", json_string(type));
	if (is_link) {
		json_object_set_new(ev, "symlink", json_true());
		json_object_set(ev, "link_target",
				json_object_get(facts, "link_target"));
	}
	if (dangling)
		json_object_set_new(ev, "dangling", json_true());
	json_object_set_new(ev, "mode", json_string(modestr));
	json_object_set(ev, "uid", json_object_get(facts, "uid"));
	json_object_set(ev, "gid", json_object_get(facts, "gid"));
	json_object_set(ev, "owner", json_object_get(facts, "owner"));
	json_object_set(ev, "group", json_object_get(facts, "group"));
	json_object_set(ev, "size", json_object_get(facts, "size"));

	if (want_type != NULL) {
		if (strcmp(want_type, "symlink") == 0 ? !is_link :
		    strcmp(want_type, type) != 0)
			FILE_FAIL(&v, "%s is a %s%s, must be a %s", path,
				  is_link && !dangling ? "symlink to a " : "",
				  type, want_type);
	}
	if (dangling && (check_param_get(chk, "mode") != NULL ||
			 check_param_get(chk, "mode_max") != NULL ||
			 check_param_get(chk, "owner") != NULL ||
			 check_param_get(chk, "group") != NULL ||
			 check_param_get(chk, "match") != NULL ||
			 check_param_get(chk, "no_match") != NULL ||
			 check_param_get(chk, "not_world_writable") != NULL)) {
		FILE_FAIL(&v, "%s is a symlink that does not resolve", path);
	} else {
		if ((s = check_param_get(chk, "mode")) != NULL &&
		    file_parse_mode(s, &want) == 0 && mode != want)
			FILE_FAIL(&v, "%s has mode %s, must be %04o", path,
				  modestr, want);
		if ((s = check_param_get(chk, "mode_max")) != NULL &&
		    file_parse_mode(s, &want) == 0 && (mode & ~want) != 0)
			FILE_FAIL(&v, "%s has mode %s, allows more than %04o "
				  "(extra %04o)", path, modestr, want,
				  mode & ~want);
		if (check_param_bool(chk, "not_world_writable", 0) &&
		    (mode & S_IWOTH))
			FILE_FAIL(&v, "%s is world-writable (mode %s)", path,
				  modestr);
		if ((s = check_param_get(chk, "owner")) != NULL)
			file_judge_id(facts, s, "uid", "owner", "owner", path,
				      &v);
		if ((s = check_param_get(chk, "group")) != NULL)
			file_judge_id(facts, s, "gid", "group", "group", path,
				      &v);
		if (check_param_get(chk, "match") != NULL ||
		    check_param_get(chk, "no_match") != NULL)
			file_judge_content(facts, chk, path, &v, ev);
	}
	if (v.fails.len > 0)
		check_outcome_set(out, STATUS_FAIL, "%s", v.fails.data);
	else if (v.errors.len > 0)
		check_outcome_set(out, STATUS_ERROR, "%s: %s", path,
				  v.errors.data);
	else
		check_outcome_set(out, STATUS_PASS, "%s is as required", path);
	dynbuf_release(&v.fails);
	dynbuf_release(&v.errors);
	out->evidence = ev;
}

static const char *
file_subject(const struct check *chk)
{
	return check_param_get(chk, "path");
}

static int
file_validate(const struct check *chk, struct errbuf *e)
{
	const char *path = check_param_get(chk, "path");
	const char *type = check_param_get(chk, "type");
	unsigned mode;
	size_t i;

	if (path == NULL || path[0] != '/')
		return err_set(e, PLUMB_EINVAL, "file: path must be absolute "
			       "(it is resolved inside the scan root)");
	if (strlen(path) > PLUMB_PATH_MAX)
		return err_set(e, PLUMB_EINVAL, "file: path longer than %d bytes",
			       PLUMB_PATH_MAX);
	if (type != NULL) {
		for (i = 0; file_types[i] != NULL; i++)
			if (strcmp(file_types[i], type) == 0)
				break;
		if (file_types[i] == NULL)
			return err_set(e, PLUMB_EINVAL, "file: type \"%s\" is not "
				       "one of file, dir, symlink, fifo, socket, "
				       "char, block", type);
	}
	for (i = 0; i < chk->nparams; i++) {
		const struct check_param *p = &chk->params[i];

		if (strcmp(p->name, "mode") == 0 ||
		    strcmp(p->name, "mode_max") == 0) {
			if (file_parse_mode(p->value, &mode) != 0)
				return err_set(e, PLUMB_EINVAL, "file: %s \"%s\" "
					       "is not an octal mode up to "
					       "07777", p->name, p->value);
		} else if (strcmp(p->name, "match") == 0 ||
			   strcmp(p->name, "no_match") == 0) {
			regex_t re;
			char msg[256];
			int rc = regcomp(&re, p->value, REG_EXTENDED | REG_NOSUB);

			if (rc != 0) {
				regerror(rc, &re, msg, sizeof(msg));
				return err_set(e, PLUMB_EINVAL, "file: %s "
					       "regex \"%s\": %s", p->name,
					       p->value, msg);
			}
			regfree(&re);
		} else if ((strcmp(p->name, "owner") == 0 ||
			    strcmp(p->name, "group") == 0) &&
			   (p->value[0] == '\0' || strchr(p->value, ':'))) {
			return err_set(e, PLUMB_EINVAL, "file: %s \"%s\" is not a "
				       "user or group name or number", p->name,
				       p->value);
		}
	}
	if (!check_param_bool(chk, "exists", 1)) {
		static const char *const attrs[] = {
			"type", "mode", "mode_max", "owner", "group", "match",
			"no_match", "not_world_writable", NULL
		};

		for (i = 0; attrs[i] != NULL; i++)
			if (check_param_get(chk, attrs[i]) != NULL)
				return err_set(e, PLUMB_EINVAL, "file: %s cannot "
					       "be checked when exists is false",
					       attrs[i]);
	}
	return PLUMB_OK;
}

static const struct probe probe_file = { "file", file_collect };

static const struct check_param_spec file_params[] = {
	{ "path", CHECK_PARAM_STRING, CHECK_PARAM_REQUIRED,
	  "absolute path, resolved inside the scan root" },
	{ "exists", CHECK_PARAM_BOOL, 0,
	  "whether the path must exist (default true); false passes when "
	  "it is absent" },
	{ "type", CHECK_PARAM_STRING, 0,
	  "file, dir, symlink, fifo, socket, char or block; symlink looks at "
	  "the path itself, the others at what it points to" },
	{ "mode", CHECK_PARAM_MODE, 0, "exact permission bits, e.g. 0644" },
	{ "mode_max", CHECK_PARAM_MODE, 0,
	  "no permission bits beyond these, e.g. 0640" },
	{ "owner", CHECK_PARAM_STRING, 0,
	  "user name (from the root's etc/passwd) or uid" },
	{ "group", CHECK_PARAM_STRING, 0,
	  "group name (from the root's etc/group) or gid" },
	{ "match", CHECK_PARAM_REGEX, CHECK_PARAM_MULTI,
	  "some line must match each of these extended regexes" },
	{ "no_match", CHECK_PARAM_REGEX, CHECK_PARAM_MULTI,
	  "no line may match any of these extended regexes" },
	{ "not_world_writable", CHECK_PARAM_BOOL, 0,
	  "true: the file must not be writable by others" },
	{ NULL, 0, 0, NULL },
};

const struct check_type check_file = {
	.name = "file",
	.summary = "a file's existence, type, mode, owner, group and content",
	.probe = &probe_file,
	.params = file_params,
	.subject = file_subject,
	.validate = file_validate,
	.judge = file_judge,
};

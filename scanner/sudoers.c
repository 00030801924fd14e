/*
 * sudoers.c - reads sudoers as sudo does (sudoers(5), sudo 1.9) far enough
 * to find every rule that runs a command without authentication.
 *
 * Lines: a backslash at the end joins the next line; '#' starts a comment
 * unless it begins an #include/#includedir directive or is followed by a
 * digit (a user ID such as #1000).  @include and #include read one file, a
 * relative path being taken from the directory of the including file;
 * @includedir and #includedir read the directory's files in sorted order,
 * skipping names that end in '~' or contain a '.', as sudo does, so that
 * editor backups and package leftovers (README, foo.dpkg-old) never count.
 *
 * All logical lines are gathered first, because a Cmnd_Alias may be used
 * before the line that defines it.  Then Defaults lines set and clear
 * "authenticate" per binding (the last setting of a binding wins), and
 * user specifications carry their tags from one command to the next, as
 * sudo's grammar does, so "NOPASSWD: /bin/a, /bin/b" covers both.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plumb_limits.h"
#include "plat.h"
#include "sudoers.h"
#include "util.h"

struct sudoers_line {
	char *file;
	int line;
	char *text;		/* the logical line, comment removed */
};

struct sudoers_walk {
	const struct plat_root *r;
	json_t *files, *notes;
	struct sudoers_line *lines;
	size_t nlines;
	size_t nfiles;
};

/* A Defaults "authenticate" setting: binding ("" for plain Defaults). */
struct sudoers_auth {
	char *binding;
	const struct sudoers_line *at;
	size_t order;		/* settings before this one */
	int off;		/* !authenticate */
};

static const char *const sudoers_tags[] = {
	"NOPASSWD", "PASSWD", "NOEXEC", "EXEC", "SETENV", "NOSETENV",
	"LOG_INPUT", "NOLOG_INPUT", "LOG_OUTPUT", "NOLOG_OUTPUT", "MAIL",
	"NOMAIL", "FOLLOW", "NOFOLLOW", "INTERCEPT", "NOINTERCEPT", NULL,
};

static int sudoers_file(struct sudoers_walk *w, const char *path, int depth,
			struct errbuf *e);

static void
sudoers_note(struct sudoers_walk *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
sudoers_note(struct sudoers_walk *w, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (json_array_size(w->notes) < PLUMB_EVIDENCE_ITEMS_MAX)
		json_array_append_new(w->notes, json_host_str(msg));
	free(msg);
}

static char *
sudoers_trim(char *s)
{
	char *t;

	while (*s == ' ' || *s == '\t')
		s++;
	t = s + strlen(s);
	while (t > s && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r'))
		*--t = '\0';
	return s;
}

/* Whether s starts with word followed by a blank. */
static int
sudoers_starts(const char *s, const char *word)
{
	size_t n = strlen(word);

	return strncmp(s, word, n) == 0 && (s[n] == ' ' || s[n] == '\t');
}

/* Cuts a comment off line (in place), keeping "#include" directives and
 * user IDs ("#1000"). */
static void
sudoers_uncomment(char *line)
{
	char *p = sudoers_trim(line);

	if (sudoers_starts(p, "#include") || sudoers_starts(p, "#includedir"))
		return;
	for (; *p != '\0'; p++)
		if (*p == '#' && !isdigit((unsigned char)p[1])) {
			*p = '\0';
			return;
		}
}

static void
sudoers_add_line(struct sudoers_walk *w, const char *file, int line,
		 const char *text)
{
	struct sudoers_line *l;

	w->lines = xreallocarray(w->lines, w->nlines + 1, sizeof(*w->lines));
	l = &w->lines[w->nlines++];
	l->file = xstrdup(file);
	l->line = line;
	l->text = xstrdup(text);
}

/* The include argument: quotes removed, a relative path taken from the
 * directory of the including file.  NULL when there is none. */
static char *
sudoers_include_path(const char *from, char *arg)
{
	char *a = sudoers_trim(arg), *slash;
	size_t n = strlen(a);

	if (n >= 2 && a[0] == '"' && a[n - 1] == '"') {
		a[n - 1] = '\0';
		a++;
	}
	if (*a == '\0')
		return NULL;
	if (a[0] == '/')
		return xstrdup(a);
	slash = strrchr(from, '/');
	return xasprintf("%.*s/%s", slash != NULL ? (int)(slash - from) : 0,
			 from, a);
}

static int
sudoers_dir(struct sudoers_walk *w, const char *dir, int depth,
	    struct errbuf *e)
{
	char **names = NULL;
	size_t n = 0, i;
	int rc;

	rc = plat_list(w->r, dir, &names, &n, e);
	if (rc == PLUMB_ENOENT) {
		sudoers_note(w, "includedir %s does not exist", dir);
		return PLUMB_OK;
	}
	if (rc != PLUMB_OK)
		return rc;
	for (i = 0; i < n && rc == PLUMB_OK; i++) {
		size_t len = strlen(names[i]);
		struct stat st;
		char *p;

		if (len == 0 || names[i][len - 1] == '~' ||
		    strchr(names[i], '.') != NULL)
			continue;
		p = xasprintf("%s/%s", dir, names[i]);
		if (plat_stat(w->r, p, 1, &st, NULL) == PLUMB_OK &&
		    S_ISREG(st.st_mode))
			rc = sudoers_file(w, p, depth, e);
		free(p);
	}
	plat_list_free(names, n);
	return rc;
}

/* Splits one file into logical lines and follows its includes in place. */
static int
sudoers_file(struct sudoers_walk *w, const char *path, int depth,
	     struct errbuf *e)
{
	char *data = NULL, *pos, *end;
	size_t len = 0;
	struct dynbuf buf;
	int rc, lineno = 0, start = 0;

	if (depth > PLUMB_SUDOERS_INCLUDE_DEPTH_MAX)
		return err_set(e, PLUMB_ELIMIT, "%s: sudoers includes nested "
			       "deeper than %d", path,
			       PLUMB_SUDOERS_INCLUDE_DEPTH_MAX);
	if (w->nfiles >= PLUMB_SUDOERS_FILES_MAX)
		return err_set(e, PLUMB_ELIMIT, "%s: more than %d sudoers "
			       "files", path, PLUMB_SUDOERS_FILES_MAX);
	rc = plat_read_text(w->r, path, PLUMB_SMALL_FILE_MAX, &data, &len, e);
	if (rc != PLUMB_OK)
		return rc;
	w->nfiles++;
	json_array_append_new(w->files, json_host_str(path));
	dynbuf_init(&buf, PLUMB_SMALL_FILE_MAX + 1);
	pos = data;
	end = data + len;
	while (pos < end && rc == PLUMB_OK) {
		char *nl = memchr(pos, '\n', (size_t)(end - pos));
		size_t n = nl != NULL ? (size_t)(nl - pos) : (size_t)(end - pos);
		int cont;

		lineno++;
		if (buf.len == 0)
			start = lineno;
		if (n > 0 && pos[n - 1] == '\r')
			n--;
		cont = n > 0 && pos[n - 1] == '\\';
		(void)dynbuf_add(&buf, pos, cont ? n - 1 : n);
		pos = nl != NULL ? nl + 1 : end;
		if (cont && pos < end)
			continue;
		(void)dynbuf_add(&buf, "", 1);
		sudoers_uncomment(buf.data);
		{
			char *t = sudoers_trim(buf.data);

			if (sudoers_starts(t, "@include") ||
			    sudoers_starts(t, "#include")) {
				char *inc = sudoers_include_path(path, t + 8);
				struct errbuf ie;
				int irc = inc != NULL ?
					sudoers_file(w, inc, depth + 1, &ie) :
					PLUMB_OK;

				/* a limit stops the walk; an unreadable
				 * file is noted and the rest still read */
				if (irc == PLUMB_ELIMIT)
					rc = err_set(e, irc, "%s", ie.msg);
				else if (irc != PLUMB_OK)
					sudoers_note(w, "%s:%d: cannot read "
						     "include: %s", path, start,
						     ie.msg);
				free(inc);
			} else if (sudoers_starts(t, "@includedir") ||
				   sudoers_starts(t, "#includedir")) {
				char *dir = sudoers_include_path(path, t + 11);

				if (dir != NULL)
					rc = sudoers_dir(w, dir, depth + 1, e);
				free(dir);
			} else if (*t != '\0') {
				sudoers_add_line(w, path, start, t);
			}
		}
		buf.len = 0;
	}
	dynbuf_release(&buf);
	free(data);
	return rc;
}

/* Splits s at commas outside parentheses and double quotes (in place). */
static size_t
sudoers_split(char *s, char **items, size_t max)
{
	size_t n = 0;
	int paren = 0, quote = 0;
	char *p;

	if (max == 0)
		return 0;
	items[n++] = s;
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			quote = !quote;
		else if (!quote && *p == '(')
			paren++;
		else if (!quote && *p == ')' && paren > 0)
			paren--;
		else if (!quote && paren == 0 && *p == ',' && n < max) {
			*p = '\0';
			items[n++] = p + 1;
		}
	}
	return n;
}

#define SUDOERS_ITEMS_MAX 4096

/* A Cmnd_Alias and whether it holds every command (directly or through
 * another alias). */
struct sudoers_alias {
	char *name;
	char **members;
	size_t n;
	int all;
};

struct sudoers_aliases {
	struct sudoers_alias *v;
	size_t n;
};

/* Cmnd_Alias NAME = a, b : NAME2 = ... ; records each definition. */
static void
sudoers_alias_add(const char *text, struct sudoers_aliases *al, char **items)
{
	char *copy = xstrdup(text), *p = copy + strlen("Cmnd_Alias"), *def;

	if (strncmp(copy, "Cmd_Alias", 9) == 0)
		p = copy + strlen("Cmd_Alias");
	while ((def = strsep(&p, ":")) != NULL) {
		char *eq = strchr(def, '=');
		struct sudoers_alias *a;
		size_t n, i;

		if (eq == NULL)
			continue;
		*eq = '\0';
		al->v = xreallocarray(al->v, al->n + 1, sizeof(*al->v));
		a = &al->v[al->n++];
		a->name = xstrdup(sudoers_trim(def));
		n = sudoers_split(eq + 1, items, SUDOERS_ITEMS_MAX);
		a->members = xcalloc(n, sizeof(*a->members));
		a->n = n;
		a->all = 0;
		for (i = 0; i < n; i++)
			a->members[i] = xstrdup(sudoers_trim(items[i]));
	}
	free(copy);
}

static int
sudoers_alias_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sudoers_alias *)a)->name,
		      ((const struct sudoers_alias *)b)->name);
}

static struct sudoers_alias *
sudoers_alias_find(const struct sudoers_aliases *al, const char *name)
{
	struct sudoers_alias key;

	key.name = (char *)name;
	return al->n == 0 ? NULL : bsearch(&key, al->v, al->n, sizeof(*al->v),
					   sudoers_alias_cmp);
}

/* An edge of the alias graph: member alias -> the alias that uses it. */
struct sudoers_edge {
	size_t member, user;
};

static int
sudoers_edge_cmp(const void *a, const void *b)
{
	size_t x = ((const struct sudoers_edge *)a)->member;
	size_t y = ((const struct sudoers_edge *)b)->member;

	return x < y ? -1 : x > y;
}

/*
 * Marks the aliases that hold ALL: those that name it, then (a worklist
 * over the reversed graph, so cycles and long chains cost nothing extra)
 * every alias that names a marked one.  Duplicate names: sudo refuses
 * them; here the first of the sorted copies is the one found.
 */
static void
sudoers_alias_resolve(struct sudoers_aliases *al)
{
	struct sudoers_edge *edges = NULL;
	size_t nedges = 0, *queue, head = 0, tail = 0, i, k;

	if (al->n == 0)
		return;
	qsort(al->v, al->n, sizeof(*al->v), sudoers_alias_cmp);
	queue = xcalloc(al->n + 1, sizeof(*queue));
	for (i = 0; i < al->n; i++) {
		for (k = 0; k < al->v[i].n; k++) {
			struct sudoers_alias *m;

			if (strcmp(al->v[i].members[k], "ALL") == 0) {
				if (!al->v[i].all)
					queue[tail++] = i;
				al->v[i].all = 1;
			} else if ((m = sudoers_alias_find(al,
					al->v[i].members[k])) != NULL) {
				edges = xreallocarray(edges, nedges + 1,
						      sizeof(*edges));
				edges[nedges].member = (size_t)(m - al->v);
				edges[nedges].user = i;
				nedges++;
			}
		}
	}
	if (nedges > 1)
		qsort(edges, nedges, sizeof(*edges), sudoers_edge_cmp);
	while (head < tail) {
		size_t y = queue[head++], lo = 0, hi = nedges;

		while (lo < hi) {	/* first edge with member >= y */
			size_t mid = lo + (hi - lo) / 2;

			if (edges[mid].member < y)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < nedges && edges[lo].member == y; lo++) {
			size_t x = edges[lo].user;

			if (!al->v[x].all) {
				al->v[x].all = 1;
				queue[tail++] = x;
			}
		}
	}
	free(queue);
	free(edges);
}

static int
sudoers_alias_all(const struct sudoers_aliases *al, const char *name)
{
	const struct sudoers_alias *a = sudoers_alias_find(al, name);

	return a != NULL && a->all;
}

static void
sudoers_aliases_release(struct sudoers_aliases *al)
{
	size_t i, k;

	for (i = 0; i < al->n; i++) {
		for (k = 0; k < al->v[i].n; k++)
			free(al->v[i].members[k]);
		free(al->v[i].members);
		free(al->v[i].name);
	}
	free(al->v);
}

/* The tag word at *p ("NOPASSWD:") if there is one; advances past it. */
static const char *
sudoers_tag(char **p)
{
	size_t i, n;

	for (i = 0; sudoers_tags[i] != NULL; i++) {
		n = strlen(sudoers_tags[i]);
		if (strncmp(*p, sudoers_tags[i], n) == 0 && (*p)[n] == ':') {
			*p += n + 1;
			while (**p == ' ' || **p == '\t')
				(*p)++;
			return sudoers_tags[i];
		}
	}
	return NULL;
}

/* Skips a Runas spec and command options (CWD=, CHROOT=, ROLE=, TYPE=,
 * NOTBEFORE=, NOTAFTER=, TIMEOUT=, APPARMOR_PROFILE=). */
static void
sudoers_skip_options(char **p)
{
	static const char *const opts[] = {
		"CWD=", "CHROOT=", "ROLE=", "TYPE=", "NOTBEFORE=",
		"NOTAFTER=", "TIMEOUT=", "APPARMOR_PROFILE=", NULL,
	};
	size_t i;
	int again = 1;

	while (again) {
		again = 0;
		while (**p == ' ' || **p == '\t')
			(*p)++;
		if (**p == '(') {
			char *close = strchr(*p, ')');

			*p = close != NULL ? close + 1 : *p + strlen(*p);
			again = 1;
			continue;
		}
		for (i = 0; opts[i] != NULL; i++)
			if (strncmp(*p, opts[i], strlen(opts[i])) == 0) {
				*p += strcspn(*p, " \t");
				again = 1;
				break;
			}
	}
}

static void
sudoers_skip(json_t *skips, const struct sudoers_line *l, const char *kind,
	     const char *who, const char *commands, int all)
{
	if (json_array_size(skips) >= PLUMB_EVIDENCE_ITEMS_MAX)
		return;
	json_array_append_new(skips, json_pack("{s:o,s:i,s:s,s:o,s:o,s:b}",
		"file", json_host_str(l->file), "line", l->line, "kind", kind,
		"who", json_host_str(who), "commands",
		json_host_str(commands), "all", all));
}

/* A user specification: "who host = [(runas)] [TAG:]... cmnd, ...". */
static void
sudoers_userspec(const struct sudoers_line *l,
		 const struct sudoers_aliases *al, char **items, json_t *skips)
{
	char *copy = xstrdup(l->text), *who, *rhs, *p;
	struct dynbuf cmds;
	size_t n, i;
	int nopasswd = 0, every = 0;

	p = copy;
	who = p;
	p += strcspn(p, " \t");
	if (*p == '\0')
		goto out;
	*p++ = '\0';
	rhs = strchr(p, '=');
	if (rhs == NULL)
		goto out;
	dynbuf_init(&cmds, PLUMB_EVIDENCE_TEXT_MAX);
	n = sudoers_split(rhs + 1, items, SUDOERS_ITEMS_MAX);
	for (i = 0; i < n; i++) {
		char *c = items[i];
		const char *tag;

		for (;;) {
			sudoers_skip_options(&c);
			if ((tag = sudoers_tag(&c)) == NULL)
				break;
			if (strcmp(tag, "NOPASSWD") == 0)
				nopasswd = 1;
			else if (strcmp(tag, "PASSWD") == 0)
				nopasswd = 0;
		}
		c = sudoers_trim(c);
		if (!nopasswd || *c == '\0')
			continue;
		if (strcmp(c, "ALL") == 0 || sudoers_alias_all(al, c))
			every = 1;
		(void)dynbuf_printf(&cmds, "%s%s", cmds.len ? ", " : "", c);
	}
	if (cmds.len > 0)
		sudoers_skip(skips, l, "nopasswd", who, cmds.data, every);
	dynbuf_release(&cmds);
out:
	free(copy);
}

/* "Defaults[:@!>]binding param, param...": the authenticate settings. */
static void
sudoers_defaults(const struct sudoers_line *l, char **items,
		 struct sudoers_auth **auth, size_t *nauth)
{
	char *copy = xstrdup(l->text), *p = copy + strlen("Defaults");
	char *binding = "";
	size_t n, i;

	if (strchr(":@!>", *p) != NULL && *p != '\0') {
		binding = p;
		p += strcspn(p, " \t");
		if (*p != '\0')
			*p++ = '\0';
	}
	n = sudoers_split(p, items, SUDOERS_ITEMS_MAX);
	for (i = 0; i < n; i++) {
		char *it = sudoers_trim(items[i]);
		int bangs = 0;

		while (*it == '!' || *it == ' ' || *it == '\t')
			bangs += *it++ == '!';
		if (strcmp(it, "authenticate") != 0)
			continue;
		*auth = xreallocarray(*auth, *nauth + 1, sizeof(**auth));
		(*auth)[*nauth].binding = xstrdup(binding);
		(*auth)[*nauth].at = l;
		(*auth)[*nauth].order = *nauth;
		(*auth)[*nauth].off = bangs % 2;
		(*nauth)++;
	}
	free(copy);
}

/* By binding, then in file order. */
static int
sudoers_auth_cmp(const void *a, const void *b)
{
	const struct sudoers_auth *x = a, *y = b;
	int c = strcmp(x->binding, y->binding);

	if (c != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The file order again, for the evidence. */
static int
sudoers_auth_order(const void *a, const void *b)
{
	const struct sudoers_auth *x = a, *y = b;

	return x->order < y->order ? -1 : x->order > y->order;
}

int
sudoers_read(const struct plat_root *r, const char *path, json_t **facts,
	     struct errbuf *e)
{
	struct sudoers_walk w;
	struct sudoers_auth *auth = NULL;
	struct sudoers_aliases al = { NULL, 0 };
	char **items = xcalloc(SUDOERS_ITEMS_MAX, sizeof(*items));
	size_t nauth = 0, i, k;
	json_t *f, *skips;
	int rc;

	*facts = NULL;
	memset(&w, 0, sizeof(w));
	w.r = r;
	f = json_object();
	json_object_set_new(f, "file", json_host_str(path));
	json_object_set_new(f, "files", w.files = json_array());
	json_object_set_new(f, "notes", w.notes = json_array());
	json_object_set_new(f, "skips", skips = json_array());
	rc = sudoers_file(&w, path, 0, e);
	if (rc == PLUMB_ENOENT) {
		json_object_set_new(f, "present", json_false());
		rc = PLUMB_OK;
		goto done;
	}
	if (rc != PLUMB_OK)
		goto done;
	json_object_set_new(f, "present", json_true());
	for (i = 0; i < w.nlines; i++)
		if (strncmp(w.lines[i].text, "Cmnd_Alias", 10) == 0 ||
		    strncmp(w.lines[i].text, "Cmd_Alias", 9) == 0)
			sudoers_alias_add(w.lines[i].text, &al, items);
	sudoers_alias_resolve(&al);
	for (i = 0; i < w.nlines; i++) {
		const char *t = w.lines[i].text;

		if (strncmp(t, "Defaults", 8) == 0)
			sudoers_defaults(&w.lines[i], items, &auth, &nauth);
		else if (strncmp(t, "User_Alias", 10) != 0 &&
			 strncmp(t, "Runas_Alias", 11) != 0 &&
			 strncmp(t, "Host_Alias", 10) != 0 &&
			 strncmp(t, "Cmnd_Alias", 10) != 0 &&
			 strncmp(t, "Cmd_Alias", 9) != 0)
			sudoers_userspec(&w.lines[i], &al, items, skips);
	}
	/* the last setting of each binding wins */
	if (nauth > 1)
		qsort(auth, nauth, sizeof(*auth), sudoers_auth_cmp);
	for (i = k = 0; i < nauth; i++) {
		if (i + 1 < nauth &&
		    strcmp(auth[i].binding, auth[i + 1].binding) == 0) {
			free(auth[i].binding);
			continue;
		}
		auth[k++] = auth[i];
	}
	nauth = k;
	if (nauth > 1)
		qsort(auth, nauth, sizeof(*auth), sudoers_auth_order);
	for (i = 0; i < nauth; i++) {
		const char *b = auth[i].binding;

		if (!auth[i].off)
			continue;
		/* Defaults!cmnd is the one binding that limits the
		 * commands; users, hosts and runas users do not */
		sudoers_skip(skips, auth[i].at, "!authenticate",
			     b[0] == '\0' ? "ALL" : b[0] == ':' ? b + 1 : b,
			     b[0] == '!' ? b + 1 : "ALL", b[0] != '!');
	}
done:
	for (i = 0; i < nauth; i++)
		free(auth[i].binding);
	free(auth);
	for (i = 0; i < w.nlines; i++) {
		free(w.lines[i].file);
		free(w.lines[i].text);
	}
	free(w.lines);
	sudoers_aliases_release(&al);
	free(items);
	if (rc != PLUMB_OK) {
		json_decref(f);
		return rc;
	}
	*facts = f;
	return PLUMB_OK;
}

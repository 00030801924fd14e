/*
 * apt.c - apt's candidate versions and apt's configuration, read from the
 * files apt itself reads.
 *
 * Candidate selection follows apt's pkgPolicy::GetCandidateVer with the
 * default priorities: walking a package's versions from the newest down,
 * the first version with the highest priority so far is preferred, and the
 * walk stops at the installed version, which wins only when its own
 * priority (100, or its archive's if it is still in one) is strictly
 * higher.  So a newer version in a 500 archive replaces an installed one,
 * a newer backports version (100) replaces only a version that is in no
 * archive or in backports itself, and experimental (1) never does.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apt.h"
#include "vercmp.h"

/* --- Release files ------------------------------------------------- */

struct release {
	char *name;		/* file name inside the lists directory */
	size_t prefix_len;	/* length of the part lists share with it */
	int inrelease;
	char *origin, *label, *suite, *codename;
	int not_automatic, but_automatic;
	char *error;
};

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int
yes(const char *v)
{
	return v != NULL && strcasecmp(v, "yes") == 0;
}

/*
 * The signed text of an InRelease file (RFC 4880 cleartext signature):
 * after the armor header block, up to the signature, with dash-escaping
 * undone.  A file without the armor is returned whole.
 */
static char *
clearsigned_text(const char *text, const char *name, struct errbuf *e)
{
	static const char begin[] = "-----BEGIN PGP SIGNED MESSAGE-----";
	static const char sig[] = "-----BEGIN PGP SIGNATURE-----";
	struct dynbuf out;
	const char *p = text, *nl;
	int body = 0;

	if (strncmp(text, begin, sizeof(begin) - 1) != 0)
		return xstrdup(text);
	dynbuf_init(&out, PLUMB_RELEASE_FILE_MAX + 1);
	while (*p != '\0') {
		size_t n;

		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (!body) {
			/* The armor headers end at the first empty line. */
			if (n == 0)
				body = 1;
		} else if (strncmp(p, sig, sizeof(sig) - 1) == 0) {
			break;
		} else {
			const char *l = p;

			if (n >= 2 && l[0] == '-' && l[1] == ' ') {
				l += 2;
				n -= 2;
			}
			dynbuf_add(&out, l, n);
			dynbuf_add(&out, "\n", 1);
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (!body) {
		dynbuf_release(&out);
		err_set(e, PLUMB_EPARSE, "%s: signed message without a body",
			name);
		return NULL;
	}
	dynbuf_add(&out, "", 0);
	return dynbuf_take(&out, NULL);
}

static int
release_stanza(const struct dpkg_stanza *st, void *arg, struct errbuf *e)
{
	struct release *rel = arg;
	const char *v;

	(void)e;
	if (rel->suite != NULL)
		return PLUMB_OK;	/* only the first stanza describes it */
	rel->origin = xstrdup((v = dpkg_stanza_get(st, "Origin")) ? v : "");
	rel->label = xstrdup((v = dpkg_stanza_get(st, "Label")) ? v : "");
	rel->suite = xstrdup((v = dpkg_stanza_get(st, "Suite")) ? v : "");
	rel->codename = xstrdup((v = dpkg_stanza_get(st, "Codename")) ? v :
				"");
	rel->not_automatic = yes(dpkg_stanza_get(st, "NotAutomatic"));
	rel->but_automatic = yes(dpkg_stanza_get(st, "ButAutomaticUpgrades"));
	return PLUMB_OK;
}

static void
release_read(const struct plat_root *r, struct release *rel)
{
	static const char *const want[] = { "Origin", "Label", "Suite",
		"Codename", "NotAutomatic", "ButAutomaticUpgrades", NULL };
	char *path = xasprintf("%s/%s", APT_LISTS_DIR, rel->name);
	char *text = NULL, *body = NULL;
	struct dpkg_source *src = NULL;
	struct errbuf e;
	size_t len;

	if (plat_read_text(r, path, PLUMB_RELEASE_FILE_MAX, &text, &len,
			   &e) != 0 ||
	    (body = clearsigned_text(text, path, &e)) == NULL ||
	    dpkg_source_mem(body, strlen(body), path, DPKG_COMP_NONE,
			    PLUMB_RELEASE_FILE_MAX, &src, &e) != 0 ||
	    dpkg_parse(src, want, release_stanza, rel, &e) != 0)
		rel->error = xstrdup(e.msg);
	else if (rel->suite == NULL)	/* empty, or comments only */
		rel->error = xasprintf("%s: no fields", path);
	dpkg_source_free(src);
	free(body);
	free(text);
	free(path);
}

static void
release_release(struct release *rel)
{
	free(rel->name);
	free(rel->origin);
	free(rel->label);
	free(rel->suite);
	free(rel->codename);
	free(rel->error);
}

/* --- candidate tracking -------------------------------------------- */

/* A version newer than the installed one, from one or more lists. */
struct cand {
	char *version;
	char *arch;
	int prio;
	int security;
	size_t *lists;		/* indexes into state->lists */
	size_t nlists;
};

struct track {
	int inst_prio;
	struct cand *c;
	size_t n, cap;
};

struct scan {
	const struct dpkg_db *db;
	struct apt_state *st;
	struct track *t;	/* one per db->pkgs entry */
	size_t list;		/* the list being read */
};

/* "all" packages belong to the native architecture, as in apt's cache. */
static const char *
arch_key(const char *arch, const char *native)
{
	return strcmp(arch, "all") == 0 && native[0] != '\0' ? native : arch;
}

static void
cand_add_list(struct cand *c, size_t list)
{
	size_t i;

	for (i = 0; i < c->nlists; i++)
		if (c->lists[i] == list)
			return;
	c->lists = xreallocarray(c->lists, c->nlists + 1, sizeof(*c->lists));
	c->lists[c->nlists++] = list;
}

static int
list_stanza(const struct dpkg_stanza *stz, void *arg, struct errbuf *e)
{
	struct scan *s = arg;
	struct apt_list *l = &s->st->lists[s->list];
	const char *name = dpkg_stanza_get(stz, "Package");
	const char *ver = dpkg_stanza_get(stz, "Version");
	const char *arch = dpkg_stanza_get(stz, "Architecture");
	const char *native = s->db->native_arch;
	size_t first, count, i, j;

	(void)e;
	if (name == NULL || ver == NULL || arch == NULL ||
	    !vercmp_dpkg_parses(ver)) {
		l->skipped++;
		return PLUMB_OK;
	}
	l->stanzas++;
	first = dpkg_db_find(s->db, name, &count);
	for (i = first; i < first + count; i++) {
		const struct dpkg_pkg *pk = &s->db->pkgs[i];
		struct track *t = &s->t[i];
		struct cand *c = NULL;
		int cmp;

		if (strcmp(arch_key(arch, native), arch_key(pk->arch, native)))
			continue;
		cmp = vercmp_dpkg(ver, pk->version);
		if (cmp < 0)
			continue;
		if (cmp == 0) {
			/* The installed version is still in an archive. */
			if (l->priority > t->inst_prio)
				t->inst_prio = l->priority;
			continue;
		}
		for (j = 0; j < t->n; j++) {
			if (vercmp_dpkg(t->c[j].version, ver) == 0) {
				c = &t->c[j];
				break;
			}
		}
		if (c == NULL) {
			if (t->n == t->cap) {
				t->cap = t->cap ? 2 * t->cap : 2;
				t->c = xreallocarray(t->c, t->cap,
						     sizeof(*t->c));
			}
			c = &t->c[t->n++];
			memset(c, 0, sizeof(*c));
			c->version = xstrdup(ver);
			c->arch = xstrdup(arch);
		}
		/* A version's priority is the best of its archives'. */
		if (l->priority > c->prio)
			c->prio = l->priority;
		c->security |= l->security;
		cand_add_list(c, s->list);
	}
	return PLUMB_OK;
}

static int
is_packages_list(const char *name)
{
	static const char *const ext[] = { "", ".gz", ".xz", ".lz4", ".bz2",
					   ".zst", ".lzma", NULL };
	const char *p = strstr(name, "_Packages");
	size_t i;

	while (p != NULL) {
		for (i = 0; ext[i] != NULL; i++)
			if (strcmp(p + strlen("_Packages"), ext[i]) == 0)
				return 1;
		p = strstr(p + 1, "_Packages");
	}
	return 0;
}

/* The distribution named in an apt list file name ("..._dists_X_..."),
 * for lists whose Release file is gone. */
static char *
dist_from_name(const char *name)
{
	const char *p = strstr(name, "_dists_"), *end;

	if (p == NULL)
		return xstrdup("");
	p += strlen("_dists_");
	end = strchr(p, '_');
	return end != NULL ? xstrndup(p, (size_t)(end - p)) : xstrdup(p);
}

static void
list_describe(struct apt_list *l, const char *name,
	      const struct release *rels, size_t nrels)
{
	const struct release *best = NULL;
	char *dist = dist_from_name(name);
	size_t i;

	for (i = 0; i < nrels; i++) {
		const struct release *r = &rels[i];

		if (strncmp(name, r->name, r->prefix_len) != 0)
			continue;
		if (best == NULL || r->prefix_len > best->prefix_len ||
		    (r->prefix_len == best->prefix_len && r->inrelease &&
		     !best->inrelease))
			best = r;
	}
	l->priority = APT_PRIO_ARCHIVE;
	if (best != NULL && best->error == NULL) {
		l->release = xasprintf("%s/%s", APT_LISTS_DIR, best->name);
		l->origin = xstrdup(best->origin);
		l->label = xstrdup(best->label);
		l->codename = xstrdup(best->codename);
		l->suite = xstrdup(best->suite[0] ? best->suite :
				   best->codename[0] ? best->codename : dist);
		if (best->not_automatic)
			l->priority = best->but_automatic ?
				APT_PRIO_BUT_AUTOMATIC : APT_PRIO_NOT_AUTOMATIC;
	} else {
		if (best != NULL) {
			l->release = xasprintf("%s/%s", APT_LISTS_DIR,
					       best->name);
			l->error = xasprintf("its Release file was not read: %s",
					     best->error);
		}
		l->origin = xstrdup("");
		l->label = xstrdup("");
		l->codename = xstrdup("");
		l->suite = xstrdup(dist);
	}
	l->security = ends_with(l->suite, "-security") ||
		      ends_with(l->codename, "-security") ||
		      strcasecmp(l->label, "Debian-Security") == 0 ||
		      ends_with(dist, "-security");
	free(dist);
}

static int
cand_cmp_desc(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return vercmp_dpkg(y->version, x->version);
}

static int
pending_cmp(const void *a, const void *b)
{
	const struct apt_pending *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	return r != 0 ? r : strcmp(x->arch, y->arch);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Applies the policy walk to one package's newer versions. */
static void
choose(struct apt_state *st, const struct dpkg_pkg *pk, struct track *t)
{
	struct cand *best = NULL;
	struct apt_pending *p;
	struct dynbuf suites;
	const char **names;
	size_t i, j, nnames = 0;

	if (t->n == 0)
		return;
	qsort(t->c, t->n, sizeof(*t->c), cand_cmp_desc);
	for (i = 0; i < t->n; i++)
		if (best == NULL || t->c[i].prio > best->prio)
			best = &t->c[i];
	if (best->prio < t->inst_prio)
		return;
	st->pending = xreallocarray(st->pending, st->npending + 1,
				    sizeof(*st->pending));
	p = &st->pending[st->npending++];
	p->name = xstrdup(pk->name);
	p->arch = xstrdup(pk->arch);
	p->installed = xstrdup(pk->version);
	p->candidate = xstrdup(best->version);
	p->candidate_arch = xstrdup(best->arch);
	p->security = best->security;
	p->hold = strcmp(pk->want, "hold") == 0;
	/* Each archive once, in name order (as apt list prints them). */
	names = xcalloc(best->nlists, sizeof(*names));
	for (i = 0; i < best->nlists; i++) {
		const char *s = st->lists[best->lists[i]].suite;
		int seen = 0;

		for (j = 0; j < nnames; j++)
			seen |= strcmp(names[j], s) == 0;
		if (!seen && s[0] != '\0')
			names[nnames++] = s;
	}
	qsort(names, nnames, sizeof(*names), str_cmp);
	dynbuf_init(&suites, PLUMB_TEXT_MAX);
	for (i = 0; i < nnames; i++) {
		if (i > 0)
			dynbuf_add(&suites, ",", 1);
		dynbuf_addstr(&suites, names[i]);
	}
	free(names);
	dynbuf_add(&suites, "", 0);
	p->suites = dynbuf_take(&suites, NULL);
}

int
apt_candidates(const struct plat_root *r, const struct dpkg_db *db,
	       struct apt_state **out, struct errbuf *e)
{
	static const char *const want[] = { "Package", "Version",
					    "Architecture", NULL };
	struct apt_state *st = xcalloc(1, sizeof(*st));
	struct release *rels = NULL;
	struct scan sc;
	char **names = NULL;
	size_t nnames = 0, nrels = 0, i, j;
	int rc;

	*out = NULL;
	memset(&sc, 0, sizeof(sc));
	rc = plat_list(r, APT_LISTS_DIR, &names, &nnames, e);
	if (rc == PLUMB_ENOENT) {
		*out = st;
		return PLUMB_OK;
	}
	if (rc != PLUMB_OK) {
		apt_state_free(st);
		return rc;
	}
	for (i = 0; i < nnames; i++) {
		int inrel = ends_with(names[i], "_InRelease");

		if (!inrel && !ends_with(names[i], "_Release"))
			continue;
		rels = xreallocarray(rels, nrels + 1, sizeof(*rels));
		memset(&rels[nrels], 0, sizeof(*rels));
		rels[nrels].name = xstrdup(names[i]);
		rels[nrels].inrelease = inrel;
		rels[nrels].prefix_len = strlen(names[i]) -
			strlen(inrel ? "InRelease" : "Release");
		release_read(r, &rels[nrels]);
		nrels++;
	}
	for (i = 0; i < nnames; i++) {
		struct apt_list *l;

		if (!is_packages_list(names[i]))
			continue;
		st->lists = xreallocarray(st->lists, st->nlists + 1,
					  sizeof(*st->lists));
		l = &st->lists[st->nlists++];
		memset(l, 0, sizeof(*l));
		l->file = xasprintf("%s/%s", APT_LISTS_DIR, names[i]);
		list_describe(l, names[i], rels, nrels);
	}

	sc.db = db;
	sc.st = st;
	sc.t = xcalloc(db->n ? db->n : 1, sizeof(*sc.t));
	for (i = 0; i < db->n; i++)
		sc.t[i].inst_prio = APT_PRIO_INSTALLED;
	for (i = 0; i < st->nlists; i++) {
		struct apt_list *l = &st->lists[i];
		struct dpkg_source *src = NULL;
		struct errbuf le;

		if (l->error != NULL)
			continue;
		sc.list = i;
		if (dpkg_source_open(r, l->file, PLUMB_LARGE_FILE_MAX, &src,
				     &le) != 0 ||
		    dpkg_parse(src, want, list_stanza, &sc, &le) != 0)
			l->error = xstrdup(le.msg);
		dpkg_source_free(src);
	}
	for (i = 0; i < st->nlists; i++)
		if (st->lists[i].error != NULL)
			st->nerrors++;
	/* A list that failed part-way may have left candidates behind; they
	 * stay, but nerrors tells the judge the picture is incomplete. */
	for (i = 0; i < db->n; i++)
		choose(st, &db->pkgs[i], &sc.t[i]);
	if (st->npending > 1)
		qsort(st->pending, st->npending, sizeof(*st->pending),
		      pending_cmp);
	*out = st;
	st = NULL;
	for (i = 0; i < db->n; i++) {
		for (j = 0; j < sc.t[i].n; j++) {
			free(sc.t[i].c[j].version);
			free(sc.t[i].c[j].arch);
			free(sc.t[i].c[j].lists);
		}
		free(sc.t[i].c);
	}
	free(sc.t);
	for (i = 0; i < nrels; i++)
		release_release(&rels[i]);
	free(rels);
	plat_list_free(names, nnames);
	return PLUMB_OK;
}

void
apt_state_free(struct apt_state *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nlists; i++) {
		struct apt_list *l = &s->lists[i];

		free(l->file);
		free(l->release);
		free(l->origin);
		free(l->label);
		free(l->suite);
		free(l->codename);
		free(l->error);
	}
	for (i = 0; i < s->npending; i++) {
		struct apt_pending *p = &s->pending[i];

		free(p->name);
		free(p->arch);
		free(p->installed);
		free(p->candidate);
		free(p->candidate_arch);
		free(p->suites);
	}
	free(s->lists);
	free(s->pending);
	free(s);
}

/* --- configuration files apt reads --------------------------------- */

/*
 * apt's GetListOfFilesInDir: names made of [A-Za-z0-9_.-] only, and either
 * without a '.' or ending in ".<ext>".  Backups and package-manager
 * leftovers (".dpkg-old", ".ucf-dist", "~") are so skipped.
 */
static int
apt_dir_name_ok(const char *name, const char *ext)
{
	const char *p, *dot;

	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		      *p == '.'))
			return 0;
	dot = strrchr(name, '.');
	return dot == NULL || strcmp(dot + 1, ext) == 0;
}

int
apt_preferences_files(const struct plat_root *r, char ***paths, size_t *n,
		      struct errbuf *e)
{
	char **names = NULL, **out = NULL;
	size_t nnames = 0, k = 0, i;
	struct stat sb;
	struct errbuf ignored;
	int rc;

	*paths = NULL;
	*n = 0;
	if (plat_stat(r, "etc/apt/preferences", 1, &sb, &ignored) == 0) {
		out = xreallocarray(out, k + 1, sizeof(*out));
		out[k++] = xstrdup("etc/apt/preferences");
	}
	rc = plat_list(r, "etc/apt/preferences.d", &names, &nnames, e);
	if (rc != PLUMB_OK && rc != PLUMB_ENOENT) {
		plat_list_free(out, k);
		return rc;
	}
	for (i = 0; i < nnames; i++) {
		if (!apt_dir_name_ok(names[i], "pref"))
			continue;
		out = xreallocarray(out, k + 1, sizeof(*out));
		out[k++] = xasprintf("etc/apt/preferences.d/%s", names[i]);
	}
	plat_list_free(names, nnames);
	*paths = out;
	*n = k;
	return PLUMB_OK;
}

/* --- apt.conf ------------------------------------------------------ */

struct conf_lexer {
	const char *file;
	const char *p;
	int line;
};

enum tok_kind { TOK_END, TOK_WORD, TOK_STRING, TOK_SEMI, TOK_OPEN,
		TOK_CLOSE, TOK_CLEAR, TOK_INCLUDE };

struct tok {
	enum tok_kind kind;
	char *text;		/* WORD and STRING */
	int line;
};

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/* The next token; comments ("//", "/ * * /", and '#' other than the
 * #clear and #include directives) are skipped as apt skips them. */
static int
next_tok(struct conf_lexer *lx, struct tok *t, struct errbuf *e)
{
	const char *p;

	t->text = NULL;
	for (;;) {
		while (is_space((unsigned char)*lx->p)) {
			if (*lx->p == '\n')
				lx->line++;
			lx->p++;
		}
		if (lx->p[0] == '/' && lx->p[1] == '/') {
			while (*lx->p != '\0' && *lx->p != '\n')
				lx->p++;
			continue;
		}
		if (lx->p[0] == '/' && lx->p[1] == '*') {
			int start = lx->line;

			lx->p += 2;
			while (*lx->p != '\0' &&
			       !(lx->p[0] == '*' && lx->p[1] == '/')) {
				if (*lx->p == '\n')
					lx->line++;
				lx->p++;
			}
			if (*lx->p == '\0')
				return err_set(e, PLUMB_EPARSE, "%s:%d: "
					       "unterminated comment", lx->file,
					       start);
			lx->p += 2;
			continue;
		}
		if (*lx->p == '#' && strncmp(lx->p, "#clear", 6) != 0 &&
		    strncmp(lx->p, "#include", 8) != 0) {
			while (*lx->p != '\0' && *lx->p != '\n')
				lx->p++;
			continue;
		}
		break;
	}
	t->line = lx->line;
	switch (*lx->p) {
	case '\0':
		t->kind = TOK_END;
		return PLUMB_OK;
	case ';':
		t->kind = TOK_SEMI;
		lx->p++;
		return PLUMB_OK;
	case '{':
		t->kind = TOK_OPEN;
		lx->p++;
		return PLUMB_OK;
	case '}':
		t->kind = TOK_CLOSE;
		lx->p++;
		return PLUMB_OK;
	case '"':
		p = strchr(lx->p + 1, '"');
		if (p == NULL)
			return err_set(e, PLUMB_EPARSE, "%s:%d: unterminated "
				       "string", lx->file, lx->line);
		t->kind = TOK_STRING;
		t->text = xstrndup(lx->p + 1, (size_t)(p - lx->p - 1));
		for (; lx->p < p; lx->p++)
			if (*lx->p == '\n')
				lx->line++;
		lx->p = p + 1;
		return PLUMB_OK;
	default:
		break;
	}
	p = lx->p;
	while (*p != '\0' && !is_space((unsigned char)*p) && *p != ';' &&
	       *p != '{' && *p != '}' && *p != '"' &&
	       !(p[0] == '/' && (p[1] == '/' || p[1] == '*')))
		p++;
	t->text = xstrndup(lx->p, (size_t)(p - lx->p));
	t->kind = strcmp(t->text, "#clear") == 0 ? TOK_CLEAR :
		  strcmp(t->text, "#include") == 0 ? TOK_INCLUDE : TOK_WORD;
	lx->p = p;
	return PLUMB_OK;
}

static void
conf_add(struct aptconf *c, const char *key, const char *value,
	 const char *file, int line, int clear)
{
	struct aptconf_item *it;

	c->items = xreallocarray(c->items, c->n + 1, sizeof(*c->items));
	it = &c->items[c->n++];
	it->key = xstrdup(key);
	it->value = xstrdup(value != NULL ? value : "");
	it->file = xstrdup(file);
	it->line = line;
	it->clear = clear;
}

static char *
scoped(char **stack, size_t depth, const char *tag)
{
	struct dynbuf b;
	size_t i;

	dynbuf_init(&b, 2 * PLUMB_TEXT_MAX);
	for (i = 0; i < depth; i++) {
		dynbuf_addstr(&b, stack[i]);
		dynbuf_add(&b, "::", 2);
	}
	dynbuf_addstr(&b, tag);
	dynbuf_add(&b, "", 0);
	return dynbuf_take(&b, NULL);
}

/* Scopes nest this deep at most (apt's own files use three or four). */
#define APTCONF_DEPTH_MAX 64
/* Tokens in one statement: "Tag value" or "#clear Tag" (apt allows no
 * more). */
#define APTCONF_STMT_MAX 4

int
aptconf_parse(struct aptconf *c, const char *file, const char *text,
	      struct errbuf *e)
{
	struct conf_lexer lx = { file, text, 1 };
	char *stack[APTCONF_DEPTH_MAX];
	struct tok stmt[APTCONF_STMT_MAX], t;
	size_t depth = 0, n = 0, i;
	int rc = PLUMB_OK;

	memset(&t, 0, sizeof(t));
	for (;;) {
		if ((rc = next_tok(&lx, &t, e)) != 0)
			goto out;
		if (t.kind == TOK_WORD || t.kind == TOK_STRING ||
		    t.kind == TOK_CLEAR || t.kind == TOK_INCLUDE) {
			if (n == APTCONF_STMT_MAX) {
				rc = err_set(e, PLUMB_EPARSE, "%s:%d: syntax "
					     "error (too many words before "
					     "';')", file, t.line);
				goto out;
			}
			stmt[n++] = t;
			t.text = NULL;
			continue;
		}
		if (t.kind == TOK_OPEN) {
			if (n != 1 || stmt[0].kind == TOK_CLEAR ||
			    stmt[0].kind == TOK_INCLUDE) {
				rc = err_set(e, PLUMB_EPARSE, "%s:%d: syntax "
					     "error ('{' needs one name before "
					     "it)", file, t.line);
				goto out;
			}
			if (depth == APTCONF_DEPTH_MAX) {
				rc = err_set(e, PLUMB_ELIMIT, "%s:%d: scopes "
					     "nested deeper than %d", file,
					     t.line, APTCONF_DEPTH_MAX);
				goto out;
			}
			stack[depth++] = stmt[0].text;
			stmt[0].text = NULL;
			n = 0;
			continue;
		}
		if (t.kind == TOK_SEMI || t.kind == TOK_CLOSE ||
		    t.kind == TOK_END) {
			if (n > 0 && stmt[0].kind == TOK_CLEAR) {
				for (i = 1; i < n; i++) {
					char *k = scoped(stack, depth,
							 stmt[i].text);

					conf_add(c, k, NULL, file,
						 stmt[i].line, 1);
					free(k);
				}
			} else if (n == 1 || n == 2) {
				/* "Tag value;" sets; a lone value inside a
				 * scope is a list item of the scope. */
				char *k;

				if (n == 2 && stmt[0].kind == TOK_INCLUDE) {
					rc = err_set(e, PLUMB_EINVAL, "%s:%d: "
						     "#include is not followed "
						     "by plumb", file,
						     stmt[0].line);
					goto out;
				}
				if (n == 1 && stmt[0].kind != TOK_STRING &&
				    depth == 0) {
					k = scoped(stack, depth, stmt[0].text);
					conf_add(c, k, "", file, stmt[0].line,
						 0);
				} else if (n == 1) {
					k = scoped(stack, depth, "");
					conf_add(c, k, stmt[0].text, file,
						 stmt[0].line, 0);
				} else {
					k = scoped(stack, depth, stmt[0].text);
					conf_add(c, k, stmt[1].text, file,
						 stmt[0].line, 0);
				}
				free(k);
			} else if (n > 2) {
				rc = err_set(e, PLUMB_EPARSE, "%s:%d: syntax "
					     "error (more than a name and a "
					     "value)", file, stmt[0].line);
				goto out;
			}
			for (i = 0; i < n; i++)
				free(stmt[i].text);
			n = 0;
			if (t.kind == TOK_CLOSE) {
				if (depth == 0) {
					rc = err_set(e, PLUMB_EPARSE, "%s:%d: "
						     "'}' without '{'", file,
						     t.line);
					goto out;
				}
				free(stack[--depth]);
			}
			if (t.kind == TOK_END)
				break;
		}
	}
	if (depth > 0)
		rc = err_set(e, PLUMB_EPARSE, "%s:%d: '{' not closed", file,
			     lx.line);
out:
	free(t.text);
	for (i = 0; i < n; i++)
		free(stmt[i].text);
	while (depth > 0)
		free(stack[--depth]);
	return rc;
}

static int
conf_file(const struct plat_root *r, struct aptconf *c, const char *path,
	  struct errbuf *e)
{
	char *text = NULL;
	size_t len;
	int rc;

	rc = plat_read_text(r, path, PLUMB_SMALL_FILE_MAX, &text, &len, e);
	if (rc == PLUMB_ENOENT)
		return PLUMB_OK;
	if (rc != PLUMB_OK)
		return rc;
	c->files = xreallocarray(c->files, c->nfiles + 1, sizeof(*c->files));
	c->files[c->nfiles++] = xstrdup(path);
	rc = aptconf_parse(c, path, text, e);
	free(text);
	return rc;
}

int
aptconf_load(const struct plat_root *r, struct aptconf **out,
	     struct errbuf *e)
{
	struct aptconf *c = xcalloc(1, sizeof(*c));
	char **names = NULL;
	size_t n = 0, i;
	int rc;

	*out = NULL;
	/* apt reads the parts directory first, then apt.conf over it. */
	rc = plat_list(r, "etc/apt/apt.conf.d", &names, &n, e);
	if (rc != PLUMB_OK && rc != PLUMB_ENOENT)
		goto out;
	rc = PLUMB_OK;
	for (i = 0; i < n && rc == PLUMB_OK; i++) {
		char *path;

		if (!apt_dir_name_ok(names[i], "conf"))
			continue;
		path = xasprintf("etc/apt/apt.conf.d/%s", names[i]);
		rc = conf_file(r, c, path, e);
		free(path);
	}
	if (rc == PLUMB_OK)
		rc = conf_file(r, c, "etc/apt/apt.conf", e);
out:
	plat_list_free(names, n);
	if (rc != PLUMB_OK) {
		aptconf_free(c);
		return rc;
	}
	*out = c;
	return PLUMB_OK;
}

void
aptconf_free(struct aptconf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->items[i].key);
		free(c->items[i].value);
		free(c->items[i].file);
	}
	for (i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->items);
	free(c->files);
	free(c);
}

/* True when a #clear of clear_key removes key (the key or its subtree). */
static int
clears(const char *clear_key, const char *key)
{
	size_t n = strlen(clear_key);

	return strncasecmp(clear_key, key, n) == 0 &&
	       (key[n] == '\0' || (key[n] == ':' && key[n + 1] == ':'));
}

const struct aptconf_item *
aptconf_find(const struct aptconf *c, const char *key)
{
	const struct aptconf_item *found = NULL;
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct aptconf_item *it = &c->items[i];

		if (it->clear) {
			if (found != NULL && clears(it->key, key))
				found = NULL;
		} else if (strcasecmp(it->key, key) == 0) {
			found = it;
		}
	}
	return found;
}

size_t
aptconf_list(const struct aptconf *c, const char *key,
	     const struct aptconf_item **out, size_t max)
{
	char *item_key = xasprintf("%s::", key);
	size_t i, k = 0, total = 0;

	for (i = 0; i < c->n; i++) {
		const struct aptconf_item *it = &c->items[i];

		if (it->clear && clears(it->key, key)) {
			k = 0;
			total = 0;
		} else if (!it->clear && strcasecmp(it->key, item_key) == 0) {
			if (k < max)
				out[k++] = it;
			total++;
		}
	}
	free(item_key);
	return total;
}

/*
 * pam.c - Linux-PAM configuration reader and auth-stack bypass analysis.
 *
 * Reading follows libpam (pam_handlers.c, pam_assemble_line.h, pam_misc.c):
 * a trailing backslash joins lines unless the line holds a '#'; '#' starts
 * a comment; "[...]" is one token with "\]" for ']'; types and controls are
 * case-insensitive; "include" pulls the included file's lines of the same
 * type in at the same level, "substack" adds a marker and the file's lines
 * one level deeper, and a target that cannot be opened becomes a handler
 * that always fails; a line with a bad type, no control or no module also
 * becomes one.  A control is an action per return value ("required" is
 * [success=ok new_authtok_reqd=ok ignore=ignore default=bad], a parse
 * error makes every action "bad"), and a module that is not installed
 * returns module_unknown.  A leading '-' on the type only silences libpam's
 * log; the module still returns module_unknown when it is missing.
 *
 * The analysis replays _pam_dispatch_aux: impression and status, ok/done
 * (done only ends the stack when the impression is positive), bad/die,
 * reset to the state saved on entering the substack, jumps that count a
 * whole substack as one line and fail when they run past the end of their
 * level, and done/die ending only the current substack.  Each module takes
 * every return value it can give (success, one value for each distinct
 * action among the failure codes, and ignore, which pam_unix never gives);
 * pam_permit only succeeds and pam_deny only fails.  A second-factor module
 * verifies a factor only when it succeeds as itself; weakening options
 * (nullok, nouserok, alwaysok, Duo's default failmode=safe or groups=) add
 * runs where it succeeds or is ignored without one.  A depth-first search over (line, state) pairs, each
 * visited once, finds a successful run without a factor if there is one.
 * A second search of the same kind looks for a successful run that passed
 * no first factor (a password, a smart card, ...): a second factor alone,
 * like a passwordless pam_u2f, is one factor.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "plumb_limits.h"
#include "pam.h"
#include "plat.h"
#include "util.h"

/* libpam's return values in pam_tokens.h order; "default" comes after. */
#define PAM_RET_N 32
static const char *const pam_ret_names[PAM_RET_N] = {
	"success", "open_err", "symbol_err", "service_err", "system_err",
	"buf_err", "perm_denied", "auth_err", "cred_insufficient",
	"authinfo_unavail", "user_unknown", "maxtries", "new_authtok_reqd",
	"acct_expired", "session_err", "cred_unavail", "cred_expired",
	"cred_err", "no_module_data", "conv_err", "authtok_err",
	"authtok_recover_err", "authtok_lock_busy", "authtok_disable_aging",
	"try_again", "ignore", "abort", "authtok_expired", "module_unknown",
	"bad_item", "conv_again", "incomplete",
};

enum {
	PAM_RET_SUCCESS = 0,
	PAM_RET_SERVICE_ERR = 3,
	PAM_RET_PERM_DENIED = 6,
	PAM_RET_AUTH_ERR = 7,
	PAM_RET_NEW_AUTHTOK_REQD = 12,
	PAM_RET_IGNORE = 25,
	PAM_RET_MODULE_UNKNOWN = 28,
	PAM_RET_INCOMPLETE = 31,
};

/* Actions, encoded as libpam encodes them: a jump is a positive count. */
enum {
	PAM_ACT_IGNORE = 0,
	PAM_ACT_OK = -1,
	PAM_ACT_DONE = -2,
	PAM_ACT_BAD = -3,
	PAM_ACT_DIE = -4,
	PAM_ACT_RESET = -5,
	PAM_ACT_UNDEF = -6,
};
static const char *const pam_act_names[] = {
	"ignore", "ok", "done", "bad", "die", "reset",
};

/* A jump longer than this runs past any stack PLUMB_PAM_ENTRIES_MAX allows,
 * so larger counts are clamped to it (libpam would overflow an int). */
#define PAM_JUMP_CLAMP (PLUMB_PAM_ENTRIES_MAX + 1)

enum pam_kind {
	PAM_K_MODULE,
	PAM_K_SUBSTACK,		/* marker: the substack's lines follow */
	PAM_K_MUSTFAIL,		/* a broken line: always returns perm_denied */
};

/* What succeeding as itself proves about a module's user. */
enum pam_factor {
	PAM_F_NONE,
	PAM_F_SECOND,		/* a second factor */
	PAM_F_BACKEND,		/* a second factor only if its back end says so */
};

/* Bits a run collects as it passes modules.  pam_rootok's success sets
 * PAM_RUN_SECOND too: its caller is already root, a session some earlier
 * authentication opened, so the run authenticates nobody new. */
#define PAM_RUN_SECOND 0x1	/* a second-factor module verified one */
#define PAM_RUN_BACKEND 0x2	/* a back-end-dependent module succeeded */
/* The first-factor search collects this bit alone, in place of the two
 * above, so a state still fits its 64-bit key. */
#define PAM_RUN_FIRST 0x1	/* a first-factor module succeeded */

/* Impressions, as libpam names them. */
enum { PAM_IMP_UNDEF, PAM_IMP_POSITIVE, PAM_IMP_NEGATIVE };

struct pam_outcome {
	int ret;		/* the return value */
	unsigned proves;	/* PAM_RUN_* bits this outcome sets */
	int first;		/* a first factor was verified */
	char *label;		/* for the path: "success", "user_unknown", ... */
};

struct pam_entry {
	enum pam_kind kind;
	int level;		/* substack depth */
	int actions[PAM_RET_N];
	char *file;		/* root-relative, with a leading '/' */
	int line;
	char *modpath;		/* as written; NULL for markers/broken lines */
	char *module;		/* name without ".so", or a description */
	char *cond;		/* pam_succeed_if's condition, for the path */
	char **argv;
	size_t argc;
	int silent;		/* '-' before the type */
	enum pam_factor factor;
	struct pam_outcome *out;
	size_t nout;
};

struct pam_strv {
	char **v;
	size_t n;
};

struct pam_list {
	struct pam_entry *e;
	size_t n, cap;
};

/* Second-factor and back-end-dependent modules (reference notes 4.1.2). */
static const struct {
	const char *name;
	enum pam_factor factor;
} pam_factor_modules[] = {
	{ "pam_google_authenticator", PAM_F_SECOND },
	{ "pam_u2f", PAM_F_SECOND },
	{ "pam_oath", PAM_F_SECOND },
	{ "pam_duo", PAM_F_SECOND },
	{ "pam_yubico", PAM_F_SECOND },
	{ "pam_sss", PAM_F_BACKEND },
	{ "pam_radius_auth", PAM_F_BACKEND },
	{ "pam_radius", PAM_F_BACKEND },
	{ "pam_pkcs11", PAM_F_BACKEND },
	{ "pam_p11", PAM_F_BACKEND },
};

/* Modules whose success verifies a first factor: something the user
 * knows or is, or a credential a server vouches for.  pam_rootok is here
 * because its caller, root, authenticated when that session began. */
static const char *const pam_first_modules[] = {
	"pam_unix", "pam_unix2", "pam_sss", "pam_ldap", "pam_krb5",
	"pam_winbind", "pam_userdb", "pam_pwdfile", "pam_systemd_home",
	"pam_fprintd", "pam_radius_auth", "pam_radius", "pam_pkcs11",
	"pam_p11", "pam_ssh_agent_auth", "pam_rootok",
};

static int
pam_is_first(const char *module)
{
	size_t i;

	for (i = 0; i < sizeof(pam_first_modules) /
	     sizeof(pam_first_modules[0]); i++)
		if (strcmp(pam_first_modules[i], module) == 0)
			return 1;
	return 0;
}

/* Where libpam and distributions keep module files. */
static const char *const pam_moddir_globs[] = {
	"/lib/security", "/lib64/security", "/usr/lib/security",
	"/usr/lib64/security", "/lib/*-linux-gnu/security",
	"/usr/lib/*-linux-gnu/security",
};

static const char *const pam_dirs[] = { "/etc/pam.d", "/usr/lib/pam.d" };

struct pam_ctx {
	const struct plat_root *r;
	int pamd;			/* a pam.d directory exists */
	struct pam_result *res;
	const char *chain[PLUMB_PAM_INCLUDE_DEPTH_MAX + 2];
	int depth;
	char **moddirs;			/* existing module directories */
	size_t nmoddirs;
	int moddirs_read;
	struct pam_strv listing;	/* the auth stack as read */
};

static void
pam_strv_push(struct pam_strv *s, char *p)
{
	s->v = xreallocarray(s->v, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = p;
}

static void
pam_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
pam_entry_release(struct pam_entry *e)
{
	size_t i;

	free(e->file);
	free(e->modpath);
	free(e->module);
	free(e->cond);
	pam_strv_free(e->argv, e->argc);
	for (i = 0; i < e->nout; i++)
		free(e->out[i].label);
	free(e->out);
}

static void
pam_list_release(struct pam_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		pam_entry_release(&l->e[i]);
	free(l->e);
	l->e = NULL;
	l->n = l->cap = 0;
}

static struct pam_entry *
pam_list_add(struct pam_list *l, struct pam_ctx *c, const char *file,
	     int line, struct errbuf *e)
{
	struct pam_entry *en;

	if (l->n == PLUMB_PAM_ENTRIES_MAX) {
		err_set(e, PLUMB_ELIMIT, "%s:%d: the expanded auth stack of "
			"service %s has more than %d lines", file, line,
			c->res->service, PLUMB_PAM_ENTRIES_MAX);
		return NULL;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->e = xreallocarray(l->e, l->cap, sizeof(*l->e));
	}
	en = &l->e[l->n++];
	memset(en, 0, sizeof(*en));
	en->file = xstrdup(file);
	en->line = line;
	return en;
}

static json_t *
pam_jstrv(char **v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_host_str(v[i]));
	return a;
}

/* ---- reading -------------------------------------------------------- */

/*
 * Assembles the next logical line from [*pos, end) as _pam_assemble_line
 * does: leading blanks go, '#' ends the line's text, and a line whose last
 * non-blank character is a backslash continues on the next unless it holds
 * a '#' (the backslash becomes a space).  Returns 1 with the text in out
 * and its first physical line in *start, 0 at the end.  A file that ends
 * inside a continuation gives its last part as a line and sets *cut.
 */
static int
pam_next_line(const char **pos, const char *end, int *lineno,
	      struct dynbuf *out, int *start, int *cut)
{
	int started = 0;

	out->len = 0;
	if (out->data != NULL)
		out->data[0] = '\0';
	*cut = 0;
	while (*pos < end) {
		const char *l = *pos, *nl, *le, *t, *s, *hash;
		int cont = 0;

		nl = memchr(l, '\n', (size_t)(end - l));
		le = nl != NULL ? nl : end;
		*pos = nl != NULL ? nl + 1 : end;
		(*lineno)++;
		hash = memchr(l, '#', (size_t)(le - l));
		t = le;
		while (t > l && (t[-1] == ' ' || t[-1] == '\t'))
			t--;
		if (t > l && t[-1] == '\\') {
			cont = hash == NULL;
			t--;
		} else {
			t = le;
		}
		s = l;
		while (s < t && (*s == ' ' || *s == '\t'))
			s++;
		if (hash != NULL && hash < t)
			t = hash;
		if (t < s)
			t = s;
		if (!started && t == s && !cont)
			continue;
		if (!started)
			*start = *lineno;
		started = 1;
		if (dynbuf_add(out, s, (size_t)(t - s)) != 0 ||
		    (cont && dynbuf_add(out, " ", 1) != 0))
			return -1;
		if (!cont) {
			size_t i;

			for (i = 0; i < out->len; i++)
				if (!isspace((unsigned char)out->data[i]))
					return 1;
			started = 0;
			out->len = 0;
			out->data[0] = '\0';
		}
	}
	if (started && out->len > 0) {
		*cut = 1;
		return 1;
	}
	return 0;
}

/*
 * The next token of *s as _pam_StrTok splits it on blanks: a token that
 * starts with '[' runs to the first ']' (which "\]" escapes) and loses its
 * brackets.  The line is modified in place; NULL when none is left.
 */
static char *
pam_token(char **s)
{
	char *p = *s, *tok, *to, *q;

	if (p == NULL)
		return NULL;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (*p == '\0') {
		*s = NULL;
		return NULL;
	}
	if (*p == '[') {
		tok = to = q = p + 1;
		while (*q != '\0' && *q != ']') {
			if (*q == '\\' && q[1] == ']')
				q++;
			*to++ = *q++;
		}
		if (*q == ']')
			q++;
		*to = '\0';
		*s = *q != '\0' ? q : NULL;
		return tok;
	}
	tok = p;
	while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	if (*p != '\0')
		*p++ = '\0';
	*s = *p != '\0' ? p : NULL;
	return tok;
}

static void
pam_set_default(int *actions, int act)
{
	int i;

	for (i = 0; i < PAM_RET_N; i++)
		if (actions[i] == PAM_ACT_UNDEF)
			actions[i] = act;
}

/*
 * Parses "[value=action ...]" (without brackets) as _pam_parse_control:
 * a value or action libpam would not accept makes every action "bad".
 * Returns 0, or -1 after that fallback with the reason in why.
 */
static int
pam_parse_control(int *actions, const char *tok, const char **why)
{
	const char *p = tok;
	size_t len;
	int ret, act, i;

	while (*p != '\0') {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		for (ret = 0; ret <= PAM_RET_N; ret++) {
			const char *name = ret < PAM_RET_N ?
				pam_ret_names[ret] : "default";

			len = strlen(name);
			if (strncmp(name, p, len) == 0)
				break;
		}
		if (ret > PAM_RET_N || p[len] == '\0') {
			*why = "expecting return value";
			goto bad;
		}
		p += len;
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '=') {
			*why = "expecting '='";
			goto bad;
		}
		p++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0') {
			*why = "expecting action";
			goto bad;
		}
		act = 1;
		for (i = 0; i < 6; i++) {
			len = strlen(pam_act_names[i]);
			if (strncmp(pam_act_names[i], p, len) == 0) {
				act = -i;
				p += len;
				break;
			}
		}
		if (act > 0) {
			if (!isdigit((unsigned char)*p)) {
				*why = "expecting jump number";
				goto bad;
			}
			act = 0;
			while (isdigit((unsigned char)*p)) {
				if (act < PAM_JUMP_CLAMP)
					act = act * 10 + (*p - '0');
				if (act > PAM_JUMP_CLAMP)
					act = PAM_JUMP_CLAMP;
				p++;
			}
			if (act == 0) {
				*why = "expecting non-zero";
				goto bad;
			}
		}
		if (ret < PAM_RET_N)
			actions[ret] = act;
		else
			pam_set_default(actions, act);
	}
	return 0;
bad:
	for (i = 0; i < PAM_RET_N; i++)
		actions[i] = PAM_ACT_BAD;
	return -1;
}

/* The module name libpam logs: the basename up to its last dot. */
static char *
pam_modname(const char *path)
{
	const char *b = strrchr(path, '/');
	char *name, *dot;

	name = xstrdup(b != NULL ? b + 1 : path);
	dot = strrchr(name, '.');
	if (dot != NULL && dot != name)
		*dot = '\0';
	return name;
}

/* Resolves a service or include name as _pam_open_config_file does. */
static int
pam_find_conf(const struct pam_ctx *c, const char *name, char **path,
	      struct errbuf *e)
{
	struct stat st;
	size_t i;
	int rc;

	*path = NULL;
	if (name[0] == '/') {
		rc = plat_stat(c->r, name, 1, &st, e);
		if (rc == PLUMB_OK && S_ISDIR(st.st_mode))
			rc = err_set(e, PLUMB_ENOENT, "%s is a directory", name);
		if (rc == PLUMB_OK)
			*path = xstrdup(name);
		return rc;
	}
	for (i = 0; i < sizeof(pam_dirs) / sizeof(pam_dirs[0]); i++) {
		char *p = xasprintf("%s/%s", pam_dirs[i], name);

		rc = plat_stat(c->r, p, 1, &st, e);
		if (rc == PLUMB_OK && !S_ISDIR(st.st_mode)) {
			*path = p;
			return PLUMB_OK;
		}
		free(p);
		if (rc != PLUMB_OK && rc != PLUMB_ENOENT)
			return rc;
	}
	return err_set(e, PLUMB_ENOENT, "no %s in /etc/pam.d or "
		       "/usr/lib/pam.d", name);
}

static void
pam_listing(struct pam_ctx *c, const char *file, int line, const char *text)
{
	if (c->listing.n >= PLUMB_EVIDENCE_ITEMS_MAX)
		return;
	pam_strv_push(&c->listing, xasprintf("%*s%s:%d %s", 2 * c->depth, "",
					     file, line, text));
}

static int pam_load(struct pam_ctx *c, const char *path, const char *svc,
		    int level, struct pam_list *dst, struct errbuf *e);

/*
 * Loads an included file's auth lines into dst at level.  Returns 0,
 * PLUMB_ENOENT when the file cannot be opened (the caller adds a failing
 * line, as libpam does), or an error for cycles, depth and read failures.
 */
static int
pam_include(struct pam_ctx *c, const char *from, int line, const char *name,
	    int level, struct pam_list *dst, struct errbuf *e)
{
	char *path = NULL;
	struct dynbuf chain;
	int rc, i;

	rc = pam_find_conf(c, name, &path, e);
	if (rc != PLUMB_OK) {
		if (rc != PLUMB_ENOENT)
			err_prefix(e, rc, "%s:%d: include %s", from, line, name);
		goto out;
	}
	for (i = 0; i < c->depth; i++) {
		if (strcmp(c->chain[i], path) != 0)
			continue;
		dynbuf_init(&chain, PLUMB_ERRMSG_MAX);
		for (; i < c->depth; i++)
			(void)dynbuf_printf(&chain, "%s -> ", c->chain[i]);
		(void)dynbuf_addstr(&chain, path);
		rc = err_set(e, PLUMB_EPARSE, "%s:%d: include cycle: %s", from,
			     line, chain.data);
		dynbuf_release(&chain);
		goto out;
	}
	if (c->depth >= PLUMB_PAM_INCLUDE_DEPTH_MAX) {
		rc = err_set(e, PLUMB_ELIMIT, "%s:%d: includes nested deeper "
			     "than %d (libpam's limit)", from, line,
			     PLUMB_PAM_INCLUDE_DEPTH_MAX);
		goto out;
	}
	rc = pam_load(c, path, NULL, level, dst, e);
out:
	free(path);
	return rc;
}

/* Adds text to v unless it is there already (a file included twice must
 * not repeat its findings). */
static void
pam_add_unique(char ***v, size_t *n, char *text)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (strcmp((*v)[i], text) == 0) {
			free(text);
			return;
		}
	}
	if (*n >= PLUMB_EVIDENCE_ITEMS_MAX) {
		free(text);
		return;
	}
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = text;
}

static void pam_note(struct pam_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void pam_weak(struct pam_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
pam_note(struct pam_ctx *c, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	pam_add_unique(&c->res->notes, &c->res->nnotes, s);
}

static void
pam_weak(struct pam_ctx *c, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	pam_add_unique(&c->res->weak, &c->res->nweak, s);
}

/* Adds a line that always fails (libpam's PAM_HT_MUST_FAIL handler). */
static int
pam_add_mustfail(struct pam_ctx *c, struct pam_list *dst, const char *file,
		 int line, int level, const int *actions, const char *why,
		 struct errbuf *e)
{
	struct pam_entry *en = pam_list_add(dst, c, file, line, e);

	if (en == NULL)
		return PLUMB_ELIMIT;
	en->kind = PAM_K_MUSTFAIL;
	en->level = level;
	memcpy(en->actions, actions, sizeof(en->actions));
	en->module = xstrdup(why);
	en->out = xcalloc(1, sizeof(*en->out));
	en->out[0].ret = PAM_RET_PERM_DENIED;
	en->out[0].label = xstrdup("always fails");
	en->nout = 1;
	return PLUMB_OK;
}

/* The module directories that exist in the root, read once. */
static void
pam_read_moddirs(struct pam_ctx *c)
{
	size_t i, j;

	if (c->moddirs_read)
		return;
	c->moddirs_read = 1;
	for (i = 0; i < sizeof(pam_moddir_globs) / sizeof(pam_moddir_globs[0]);
	     i++) {
		char **found = NULL;
		size_t nf = 0;

		if (plat_glob(c->r, pam_moddir_globs[i], &found, &nf, NULL) !=
		    PLUMB_OK)
			continue;
		for (j = 0; j < nf; j++) {
			struct stat st;

			if (plat_stat(c->r, found[j], 1, &st, NULL) ==
			    PLUMB_OK && S_ISDIR(st.st_mode)) {
				c->moddirs = xreallocarray(c->moddirs,
							   c->nmoddirs + 1,
							   sizeof(*c->moddirs));
				c->moddirs[c->nmoddirs++] = found[j];
				found[j] = NULL;
			}
		}
		plat_list_free(found, nf);
	}
}

/*
 * Whether the module file exists: 1 yes, 0 no, -1 cannot tell (the root has
 * no module directory, as a configuration-only fixture or image may not).
 */
static int
pam_installed(struct pam_ctx *c, const char *modpath)
{
	struct stat st;
	size_t i;

	if (strstr(modpath, "$ISA") != NULL)
		return -1;
	if (modpath[0] == '/') {
		char *dir, *slash;
		int known;

		if (plat_stat(c->r, modpath, 1, &st, NULL) == PLUMB_OK)
			return 1;
		dir = xstrdup(modpath);
		slash = strrchr(dir, '/');
		*slash = '\0';
		known = plat_stat(c->r, dir[0] ? dir : "/", 1, &st, NULL) ==
			PLUMB_OK && S_ISDIR(st.st_mode);
		free(dir);
		return known ? 0 : -1;
	}
	pam_read_moddirs(c);
	if (c->nmoddirs == 0)
		return -1;
	for (i = 0; i < c->nmoddirs; i++) {
		char *p = xasprintf("%s/%s", c->moddirs[i], modpath);
		int ok = plat_stat(c->r, p, 1, &st, NULL) == PLUMB_OK;

		free(p);
		if (ok)
			return 1;
	}
	return 0;
}

static int
pam_has_arg(const struct pam_entry *en, const char *arg)
{
	size_t i;

	for (i = 0; i < en->argc; i++)
		if (strcmp(en->argv[i], arg) == 0)
			return 1;
	return 0;
}

/* The value of a "key=value" argument, or NULL. */
static const char *
pam_arg_value(const struct pam_entry *en, const char *key)
{
	size_t i, n = strlen(key);

	for (i = 0; i < en->argc; i++)
		if (strncmp(en->argv[i], key, n) == 0 && en->argv[i][n] == '=')
			return en->argv[i] + n + 1;
	return NULL;
}

static void
pam_add_outcome(struct pam_entry *en, int ret, unsigned proves,
		const char *label)
{
	en->out = xreallocarray(en->out, en->nout + 1, sizeof(*en->out));
	en->out[en->nout].ret = ret;
	en->out[en->nout].proves = proves;
	en->out[en->nout].first = 0;
	en->out[en->nout].label = xstrdup(label);
	en->nout++;
}

/* Outcomes of a weakened second-factor module that verified nothing. */
static void
pam_add_unverified(struct pam_entry *en, const char *why, int with_ignore)
{
	char *l = xasprintf("success without a second factor: %s", why);

	pam_add_outcome(en, PAM_RET_SUCCESS, 0, l);
	free(l);
	if (with_ignore) {
		l = xasprintf("ignore: %s", why);
		pam_add_outcome(en, PAM_RET_IGNORE, 0, l);
		free(l);
	}
}

/* pam_duo's configuration: its conf= argument, else where duo_unix
 * packages put it (reference notes 4.1.2). */
static void
pam_duo_outcomes(struct pam_ctx *c, struct pam_entry *en, unsigned proves)
{
	static const char *const dflt[] = {
		"/etc/duo/pam_duo.conf", "/etc/security/pam_duo.conf",
	};
	const char *conf = pam_arg_value(en, "conf");
	json_t *j = NULL;
	const char *failmode, *groups;
	size_t i;

	if (conf != NULL) {
		j = pam_duo_conf(c->r, conf);
	} else {
		for (i = 0; i < sizeof(dflt) / sizeof(dflt[0]); i++) {
			json_decref(j);
			j = pam_duo_conf(c->r, dflt[i]);
			if (json_is_true(json_object_get(j, "present")))
				break;
		}
	}
	if (!json_is_true(json_object_get(j, "present"))) {
		pam_note(c, "%s:%d pam_duo: no configuration file (%s): pam_duo "
			 "fails every login", en->file, en->line,
			 conf != NULL ? conf : "/etc/duo/pam_duo.conf");
		pam_add_outcome(en, PAM_RET_SERVICE_ERR, 0,
				"fails: no pam_duo.conf");
		json_decref(j);
		return;
	}
	pam_add_outcome(en, PAM_RET_SUCCESS, proves, "success");
	failmode = json_string_value(json_object_get(j, "failmode"));
	groups = json_string_value(json_object_get(j, "groups"));
	if (failmode == NULL || strcmp(failmode, "secure") != 0) {
		char *why = xasprintf("failmode=%s (Duo unreachable)",
				      failmode != NULL ? failmode : "safe");

		pam_weak(c, "%s:%d pam_duo %s: failmode=%s lets logins through "
			 "without Duo when the Duo service cannot be reached",
			 en->file, en->line,
			 json_string_value(json_object_get(j, "file")),
			 failmode != NULL ? failmode : "safe");
		pam_add_unverified(en, why, 0);
		free(why);
	}
	if (groups != NULL) {
		char *why = xasprintf("user outside groups=%s", groups);

		pam_weak(c, "%s:%d pam_duo %s: groups=%s: users outside these "
			 "groups skip Duo", en->file, en->line,
			 json_string_value(json_object_get(j, "file")), groups);
		pam_add_unverified(en, why, 0);
		free(why);
	}
	json_decref(j);
}

/*
 * Gives a module line its outcomes: the return values it can give, grouped
 * so that values with the same action are tried once.
 */
static void
pam_classify(struct pam_ctx *c, struct pam_entry *en)
{
	unsigned proves = 0;
	int seen[PAM_RET_N], ret, k, inst;
	size_t i;

	en->factor = PAM_F_NONE;
	for (i = 0; i < sizeof(pam_factor_modules) /
	     sizeof(pam_factor_modules[0]); i++)
		if (strcmp(pam_factor_modules[i].name, en->module) == 0)
			en->factor = pam_factor_modules[i].factor;
	if (en->factor == PAM_F_SECOND)
		proves = PAM_RUN_SECOND;
	else if (en->factor == PAM_F_BACKEND)
		proves = PAM_RUN_BACKEND;

	inst = pam_installed(c, en->modpath);
	if (inst == 0) {
		if (en->factor != PAM_F_NONE)
			pam_weak(c, "%s:%d %s is not installed: libpam returns "
				 "module_unknown and the factor is never asked "
				 "for", en->file, en->line, en->modpath);
		else
			pam_note(c, "%s:%d %s is not installed: libpam "
				 "returns module_unknown", en->file, en->line,
				 en->modpath);
		pam_add_outcome(en, PAM_RET_MODULE_UNKNOWN, 0,
				"module_unknown: not installed");
		return;
	}
	if (strcmp(en->module, "pam_permit") == 0) {
		pam_add_outcome(en, PAM_RET_SUCCESS, 0, "success");
		return;
	}
	if (strcmp(en->module, "pam_deny") == 0) {
		pam_add_outcome(en, PAM_RET_AUTH_ERR, 0, "failure");
		return;
	}
	if (strcmp(en->module, "pam_rootok") == 0) {
		pam_note(c, "%s:%d pam_rootok: a caller that is already root "
			 "passes without authenticating; that run is not "
			 "counted as skipping the second factor", en->file,
			 en->line);
		proves = PAM_RUN_SECOND;
	}
	if (strcmp(en->module, "pam_duo") == 0) {
		pam_duo_outcomes(c, en, proves);
	} else {
		pam_add_outcome(en, PAM_RET_SUCCESS, proves, "success");
		en->out[en->nout - 1].first = pam_is_first(en->module);
	}
	if (en->nout == 1 && en->out[0].ret != PAM_RET_SUCCESS)
		return;		/* pam_duo without configuration */

	/* One failure per distinct action; auth_err names its group. */
	for (ret = 0; ret < PAM_RET_N; ret++)
		seen[ret] = 0;
	for (ret = 1; ret < PAM_RET_N; ret++) {
		int rep = ret;

		if (ret == PAM_RET_IGNORE || ret == PAM_RET_INCOMPLETE ||
		    seen[ret])
			continue;
		for (k = ret; k < PAM_RET_N; k++) {
			if (k == PAM_RET_IGNORE || k == PAM_RET_INCOMPLETE ||
			    en->actions[k] != en->actions[ret])
				continue;
			seen[k] = 1;
			if (k == PAM_RET_AUTH_ERR)
				rep = k;
		}
		pam_add_outcome(en, rep, 0, rep == PAM_RET_AUTH_ERR ?
				"failure" : pam_ret_names[rep]);
	}

	/* pam_unix's authenticate never answers PAM_IGNORE; other modules
	 * may (pam_sss and pam_ldap for unknown users, for instance). */
	if (en->factor != PAM_F_SECOND && strcmp(en->module, "pam_unix") != 0)
		pam_add_outcome(en, PAM_RET_IGNORE, 0, "ignore");
	if (strcmp(en->module, "pam_google_authenticator") == 0 &&
	    pam_has_arg(en, "nullok")) {
		pam_weak(c, "%s:%d pam_google_authenticator nullok: users "
			 "without a secret file pass without a second factor",
			 en->file, en->line);
		pam_add_unverified(en, "nullok, no secret file", 1);
	}
	if (strcmp(en->module, "pam_u2f") == 0) {
		if (pam_has_arg(en, "nouserok")) {
			pam_weak(c, "%s:%d pam_u2f nouserok: users without a "
				 "registered key pass without a second factor",
				 en->file, en->line);
			pam_add_unverified(en, "nouserok, no registered key",
					   1);
		}
		if (pam_has_arg(en, "alwaysok")) {
			pam_weak(c, "%s:%d pam_u2f alwaysok: every attempt "
				 "succeeds", en->file, en->line);
			pam_add_unverified(en, "alwaysok", 0);
		}
		if (pam_has_arg(en, "userpresence=0"))
			pam_weak(c, "%s:%d pam_u2f userpresence=0: the key "
				 "need not be touched", en->file, en->line);
	}
	if (strcmp(en->module, "pam_yubico") == 0 &&
	    pam_has_arg(en, "nullok")) {
		pam_weak(c, "%s:%d pam_yubico nullok: users without a "
			 "registered token pass without a second factor",
			 en->file, en->line);
		pam_add_unverified(en, "nullok, no registered token", 1);
	}
	if (en->factor == PAM_F_BACKEND)
		pam_note(c, "%s:%d %s is a second factor only if its back end "
			 "(SSSD, RADIUS, PKCS#11) requires one", en->file,
			 en->line, en->module);
}

/* Collapses runs of blanks so the stack listing reads as one line. */
static char *
pam_collapse(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;
	int blank = 0;

	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n') {
			blank = o != out;
			continue;
		}
		if (blank)
			*o++ = ' ';
		blank = 0;
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

/* Parses one logical line; svc is non-NULL for pam.conf lines, which start
 * with the service name. */
static int
pam_line(struct pam_ctx *c, const char *file, int line, const char *text,
	 const char *svc, int level, struct pam_list *dst, struct errbuf *e)
{
	char *copy = xstrdup(text), *s = copy, *shown = pam_collapse(text);
	char *tok, *ctl, *mod, *broken = NULL;
	int actions[PAM_RET_N], include = 0, substack = 0, silent = 0;
	int rc = PLUMB_OK, i;
	struct pam_entry *en;

	for (i = 0; i < PAM_RET_N; i++)
		actions[i] = PAM_ACT_UNDEF;
	tok = pam_token(&s);
	if (svc != NULL) {
		if (tok == NULL || strcasecmp(tok, svc) != 0)
			goto out;
		tok = pam_token(&s);
	}

	/* Debian's "@include file": every line of the file, in place. */
	if (tok != NULL && strcmp(tok, "@include") == 0) {
		size_t before = dst->n, lbefore = c->listing.n;
		char *name = pam_token(&s);

		pam_listing(c, file, line, shown);
		if (name == NULL) {
			rc = PLUMB_ENOENT;
		} else {
			c->depth++;
			rc = pam_include(c, file, line, name, level, dst, e);
			c->depth--;
		}
		if (rc == PLUMB_ENOENT) {
			pam_note(c, "%s:%d: cannot open @include %s: the line "
				 "always fails", file, line,
				 name != NULL ? name : "(no name)");
			pam_set_default(actions, PAM_ACT_BAD);
			rc = pam_add_mustfail(c, dst, file, line, level, actions,
					      "@include target missing", e);
		}
		if (rc == PLUMB_OK && dst->n == before) {
			while (c->listing.n > lbefore)
				free(c->listing.v[--c->listing.n]);
		}
		goto out;
	}

	if (tok == NULL) {
		broken = xstrdup("empty module type");
	} else {
		if (*tok == '-') {
			silent = 1;
			tok++;
		}
		if (strcasecmp(tok, "account") == 0 ||
		    strcasecmp(tok, "session") == 0 ||
		    strcasecmp(tok, "password") == 0)
			goto out;
		if (strcasecmp(tok, "auth") != 0)
			broken = xasprintf("illegal module type %s", tok);
	}

	ctl = pam_token(&s);
	if (ctl == NULL) {
		pam_set_default(actions, PAM_ACT_BAD);
		if (broken == NULL)
			broken = xstrdup("no control flag");
	} else if (strcasecmp(ctl, "required") == 0) {
		actions[PAM_RET_SUCCESS] = PAM_ACT_OK;
		actions[PAM_RET_NEW_AUTHTOK_REQD] = PAM_ACT_OK;
		actions[PAM_RET_IGNORE] = PAM_ACT_IGNORE;
		pam_set_default(actions, PAM_ACT_BAD);
	} else if (strcasecmp(ctl, "requisite") == 0) {
		actions[PAM_RET_SUCCESS] = PAM_ACT_OK;
		actions[PAM_RET_NEW_AUTHTOK_REQD] = PAM_ACT_OK;
		actions[PAM_RET_IGNORE] = PAM_ACT_IGNORE;
		pam_set_default(actions, PAM_ACT_DIE);
	} else if (strcasecmp(ctl, "optional") == 0) {
		actions[PAM_RET_SUCCESS] = PAM_ACT_OK;
		actions[PAM_RET_NEW_AUTHTOK_REQD] = PAM_ACT_OK;
		pam_set_default(actions, PAM_ACT_IGNORE);
	} else if (strcasecmp(ctl, "sufficient") == 0) {
		actions[PAM_RET_SUCCESS] = PAM_ACT_DONE;
		actions[PAM_RET_NEW_AUTHTOK_REQD] = PAM_ACT_DONE;
		pam_set_default(actions, PAM_ACT_IGNORE);
	} else if (strcasecmp(ctl, "include") == 0) {
		include = 1;
	} else if (strcasecmp(ctl, "substack") == 0) {
		include = substack = 1;
	} else {
		const char *why = NULL;

		if (pam_parse_control(actions, ctl, &why) != 0)
			pam_note(c, "%s:%d: control [%s]: %s: libpam treats "
				 "every return value as bad", file, line, ctl,
				 why);
		pam_set_default(actions, PAM_ACT_BAD);
	}
	mod = pam_token(&s);
	pam_listing(c, file, line, shown);

	if (include && broken != NULL) {
		pam_set_default(actions, PAM_ACT_BAD);
		pam_note(c, "%s:%d: %s: the line always fails", file, line,
			 broken);
		rc = pam_add_mustfail(c, dst, file, line, level, actions,
				      broken, e);
		goto out;
	}
	if (include) {
		if (substack) {
			en = pam_list_add(dst, c, file, line, e);
			if (en == NULL) {
				rc = PLUMB_ELIMIT;
				goto out;
			}
			en->kind = PAM_K_SUBSTACK;
			en->level = level;
			memcpy(en->actions, actions, sizeof(en->actions));
			en->module = xasprintf("substack %s",
					       mod != NULL ? mod : "");
		}
		if (mod == NULL) {
			rc = PLUMB_ENOENT;
		} else if (substack && level + 1 > PLUMB_PAM_INCLUDE_DEPTH_MAX) {
			rc = err_set(e, PLUMB_ELIMIT, "%s:%d: substacks nested "
				     "deeper than %d", file, line,
				     PLUMB_PAM_INCLUDE_DEPTH_MAX);
		} else {
			c->depth++;
			rc = pam_include(c, file, line, mod, level + substack,
					 dst, e);
			c->depth--;
		}
		if (rc == PLUMB_ENOENT) {
			pam_note(c, "%s:%d: cannot open %s %s: the line always "
				 "fails", file, line, ctl,
				 mod != NULL ? mod : "(no name)");
			pam_set_default(actions, PAM_ACT_BAD);
			rc = pam_add_mustfail(c, dst, file, line, level, actions,
					      "include target missing", e);
		}
		goto out;
	}
	if (broken != NULL || mod == NULL) {
		if (broken == NULL)
			broken = xstrdup("no module name");
		pam_note(c, "%s:%d: %s: the line always fails", file, line,
			 broken);
		rc = pam_add_mustfail(c, dst, file, line, level, actions, broken,
				      e);
		goto out;
	}

	en = pam_list_add(dst, c, file, line, e);
	if (en == NULL) {
		rc = PLUMB_ELIMIT;
		goto out;
	}
	en->kind = PAM_K_MODULE;
	en->level = level;
	en->silent = silent;
	memcpy(en->actions, actions, sizeof(en->actions));
	en->modpath = xstrdup(mod);
	en->module = pam_modname(mod);
	while ((tok = pam_token(&s)) != NULL) {
		en->argv = xreallocarray(en->argv, en->argc + 1,
					 sizeof(*en->argv));
		en->argv[en->argc++] = xstrdup(tok);
	}
	if (strcmp(en->module, "pam_succeed_if") == 0 && en->argc > 0) {
		struct dynbuf b;
		size_t k;

		dynbuf_init(&b, PLUMB_SMALL_FILE_MAX);
		for (k = 0; k < en->argc; k++)
			(void)dynbuf_printf(&b, "%s%s", k ? " " : "",
					    en->argv[k]);
		en->cond = dynbuf_take(&b, NULL);
	}
	pam_classify(c, en);
out:
	free(broken);
	free(shown);
	free(copy);
	return rc;
}

/* Reads one file and adds its auth lines to dst at level. */
static int
pam_load(struct pam_ctx *c, const char *path, const char *svc, int level,
	 struct pam_list *dst, struct errbuf *e)
{
	const char *pos, *end;
	char *data = NULL;
	size_t len = 0;
	struct dynbuf buf;
	int rc, lineno = 0, start = 0, cut = 0, r;

	rc = plat_read_text(c->r, path, PLUMB_SMALL_FILE_MAX, &data, &len, e);
	if (rc != PLUMB_OK)
		return rc;
	c->chain[c->depth] = path;
	dynbuf_init(&buf, len + 2);
	pos = data;
	end = data + len;
	while ((r = pam_next_line(&pos, end, &lineno, &buf, &start, &cut)) ==
	       1) {
		if (cut)
			pam_note(c, "%s:%d: the file ends inside a continued "
				 "line", path, start);
		rc = pam_line(c, path, start, buf.data, svc, level, dst, e);
		if (rc != PLUMB_OK)
			break;
	}
	if (r < 0 && rc == PLUMB_OK)
		rc = err_set(e, PLUMB_ELIMIT, "%s:%d: line too long", path,
			     lineno);
	dynbuf_release(&buf);
	free(data);
	return rc;
}

/* ---- the dispatcher replay ------------------------------------------ */

struct pam_run {
	unsigned char imp;	/* impression */
	unsigned char ok;	/* status is PAM_SUCCESS */
	unsigned char proves;	/* PAM_RUN_* */
	/* (impression << 1 | ok) saved on entering each substack level */
	unsigned char sub[PLUMB_PAM_INCLUDE_DEPTH_MAX + 1];
};

enum pam_goal {
	PAM_GOAL_BYPASS,	/* success with no factor-bearing module */
	PAM_GOAL_UNCERTAIN,	/* success with no certain second factor */
	PAM_GOAL_SUCCESS,	/* any success */
	PAM_GOAL_NO_FIRST,	/* success with no first factor */
};

struct pam_search {
	const struct pam_list *l;
	enum pam_goal goal;
	uint64_t *set;		/* visited states + 1; 0 is empty */
	size_t cap, used;
	size_t *pe, *po;	/* the run being tried: entry, outcome */
	size_t depth;
};

/*
 * A state packed in 64 bits: the entry index (11 bits), impression (2),
 * status (1), proves (2), and the saved state of each substack level from 1
 * to the entry's level (3 bits each, 16 levels): together everything the
 * rest of the run depends on.
 */
static uint64_t
pam_state_key(size_t i, const struct pam_run *run, int level)
{
	uint64_t k = (uint64_t)i | (uint64_t)run->imp << 11 |
		(uint64_t)run->ok << 13 | (uint64_t)run->proves << 14;
	int l;

	for (l = 1; l <= level; l++)
		k |= (uint64_t)run->sub[l] << (16 + 3 * (l - 1));
	return k;
}

static size_t
pam_hash(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return (size_t)x;
}

static void
pam_set_insert(uint64_t *set, size_t cap, uint64_t v)
{
	size_t h = pam_hash(v) & (cap - 1);

	while (set[h] != 0)
		h = (h + 1) & (cap - 1);
	set[h] = v;
}

/* 1 when the state is new (and now recorded), 0 when seen, or an error. */
static int
pam_visit(struct pam_search *s, uint64_t key, struct errbuf *e)
{
	uint64_t v = key + 1;
	size_t h;

	if (2 * (s->used + 1) > s->cap) {
		size_t ncap = s->cap ? 2 * s->cap : 1024, i;
		uint64_t *n = xcalloc(ncap, sizeof(*n));

		for (i = 0; i < s->cap; i++)
			if (s->set[i] != 0)
				pam_set_insert(n, ncap, s->set[i]);
		free(s->set);
		s->set = n;
		s->cap = ncap;
	}
	h = pam_hash(v) & (s->cap - 1);
	while (s->set[h] != 0) {
		if (s->set[h] == v)
			return 0;
		h = (h + 1) & (s->cap - 1);
	}
	if (s->used >= PLUMB_PAM_STATES_MAX)
		return err_set(e, PLUMB_ELIMIT, "the auth stack has more than "
			       "%u reachable states", PLUMB_PAM_STATES_MAX);
	s->set[h] = v;
	s->used++;
	return 1;
}

/*
 * Applies one outcome of entry i to run as _pam_dispatch_aux does and
 * returns the index of the next entry to run.
 */
static size_t
pam_step(const struct pam_list *l, size_t i, const struct pam_outcome *o,
	 struct pam_run *run, enum pam_goal goal)
{
	const struct pam_entry *en = &l->e[i];
	int level = en->level, act = en->actions[o->ret], decided = 0;
	size_t h = i;

	if (goal == PAM_GOAL_NO_FIRST)
		run->proves |= o->first ? PAM_RUN_FIRST : 0;
	else
		run->proves |= (unsigned char)o->proves;
	switch (act) {
	case PAM_ACT_RESET:
		run->imp = run->sub[level] >> 1;
		run->ok = run->sub[level] & 1;
		break;
	case PAM_ACT_OK:
	case PAM_ACT_DONE:
		if (run->imp == PAM_IMP_UNDEF ||
		    (run->imp == PAM_IMP_POSITIVE && run->ok)) {
			run->imp = PAM_IMP_POSITIVE;
			run->ok = o->ret == PAM_RET_SUCCESS;
		}
		if (run->imp == PAM_IMP_POSITIVE && act == PAM_ACT_DONE)
			decided = 1;
		break;
	case PAM_ACT_BAD:
	case PAM_ACT_DIE:
		if (run->imp != PAM_IMP_NEGATIVE) {
			run->imp = PAM_IMP_NEGATIVE;
			run->ok = o->ret == PAM_RET_SUCCESS;
		}
		decided = act == PAM_ACT_DIE;
		break;
	case PAM_ACT_IGNORE:
		break;
	default:
		/* A jump: skip act lines of this level, a substack counting
		 * as one; running out of them is libpam's "bad jump". */
		while (h + 1 < l->n && l->e[h + 1].level >= level && act > 0) {
			do {
				h++;
			} while (h + 1 < l->n && l->e[h + 1].level > level);
			act--;
		}
		if (act > 0) {
			run->imp = PAM_IMP_NEGATIVE;
			run->ok = 0;
		}
		break;
	}
	if (decided)
		while (h + 1 < l->n && l->e[h + 1].level >= level)
			h++;
	return h + 1;
}

static int
pam_goal_met(const struct pam_search *s, const struct pam_run *run)
{
	if (run->imp != PAM_IMP_POSITIVE || !run->ok)
		return 0;
	switch (s->goal) {
	case PAM_GOAL_BYPASS:
		return (run->proves & (PAM_RUN_SECOND | PAM_RUN_BACKEND)) == 0;
	case PAM_GOAL_UNCERTAIN:
		return (run->proves & PAM_RUN_SECOND) == 0;
	case PAM_GOAL_NO_FIRST:
		return (run->proves & PAM_RUN_FIRST) == 0;
	case PAM_GOAL_SUCCESS:
		break;
	}
	return 1;
}

/* 1 when a run reaching the goal was found (its steps in s->pe/po), 0 when
 * none exists, or an error. */
static int
pam_dfs(struct pam_search *s, size_t i, struct pam_run run, struct errbuf *e)
{
	const struct pam_list *l = s->l;

	for (;;) {
		const struct pam_entry *en;
		size_t k;
		int rc;

		if (i >= l->n)
			return pam_goal_met(s, &run);
		en = &l->e[i];
		if (i > 0 && en->level > l->e[i - 1].level)
			run.sub[en->level] = (unsigned char)(run.imp << 1 |
							     run.ok);
		rc = pam_visit(s, pam_state_key(i, &run, en->level), e);
		if (rc <= 0)
			return rc;
		if (en->kind == PAM_K_SUBSTACK) {
			i++;
			continue;
		}
		for (k = 0; k < en->nout; k++) {
			struct pam_run next = run;
			size_t ni = pam_step(l, i, &en->out[k], &next,
					     s->goal);

			s->pe[s->depth] = i;
			s->po[s->depth] = k;
			s->depth++;
			rc = pam_dfs(s, ni, next, e);
			if (rc != 0)
				return rc;
			s->depth--;
		}
		return 0;
	}
}

/* Searches for a run reaching goal; on success *path holds its steps. */
static int
pam_search_run(const struct pam_list *l, enum pam_goal goal, char ***path,
	       size_t *npath, struct errbuf *e)
{
	struct pam_search s;
	struct pam_run run;
	size_t i;
	int rc;

	*path = NULL;
	*npath = 0;
	memset(&s, 0, sizeof(s));
	memset(&run, 0, sizeof(run));
	s.l = l;
	s.goal = goal;
	s.pe = xcalloc(l->n + 1, sizeof(*s.pe));
	s.po = xcalloc(l->n + 1, sizeof(*s.po));
	rc = pam_dfs(&s, 0, run, e);
	if (rc == 1) {
		*path = xcalloc(s.depth + 1, sizeof(**path));
		for (i = 0; i < s.depth; i++) {
			const struct pam_entry *en = &l->e[s.pe[i]];
			const struct pam_outcome *o = &en->out[s.po[i]];

			if (en->cond != NULL)
				(*path)[i] = xasprintf("%s:%d %s(%s: %s)",
						       en->file, en->line,
						       en->module, o->label,
						       en->cond);
			else
				(*path)[i] = xasprintf("%s:%d %s(%s)", en->file,
						       en->line, en->module,
						       o->label);
		}
		*npath = s.depth;
	}
	free(s.set);
	free(s.pe);
	free(s.po);
	return rc;
}

/* ---- services ------------------------------------------------------- */

static int
pam_is_dir(const struct plat_root *r, const char *path)
{
	struct stat st;

	return plat_stat(r, path, 1, &st, NULL) == PLUMB_OK &&
		S_ISDIR(st.st_mode);
}

/* Whether libpam reads pam.d directories (else /etc/pam.conf). */
static int
pam_uses_pamd(const struct plat_root *r)
{
	size_t i;

	for (i = 0; i < sizeof(pam_dirs) / sizeof(pam_dirs[0]); i++)
		if (pam_is_dir(r, pam_dirs[i]))
			return 1;
	return 0;
}

/* Whether /etc/pam.conf names svc on any line. */
static int
pam_conf_names(const struct plat_root *r, const char *svc, int *found,
	       struct errbuf *e)
{
	const char *pos, *end;
	char *data = NULL;
	size_t len = 0;
	struct dynbuf buf;
	int rc, lineno = 0, start = 0, cut = 0;

	*found = 0;
	rc = plat_read_text(r, "/etc/pam.conf", PLUMB_SMALL_FILE_MAX, &data,
			    &len, e);
	if (rc != PLUMB_OK)
		return rc;
	dynbuf_init(&buf, len + 2);
	pos = data;
	end = data + len;
	while (pam_next_line(&pos, end, &lineno, &buf, &start, &cut) == 1) {
		char *s = buf.data, *tok = pam_token(&s);

		if (tok != NULL && strcasecmp(tok, svc) == 0) {
			*found = 1;
			break;
		}
	}
	dynbuf_release(&buf);
	free(data);
	return PLUMB_OK;
}

/* Loads the auth lines of svc ("other" included) into dst. *present says
 * whether the service has configuration at all. */
static int
pam_load_service(struct pam_ctx *c, const char *svc, struct pam_list *dst,
		 int *present, char **file, struct errbuf *e)
{
	char *path = NULL;
	int rc;

	*present = 0;
	if (c->pamd) {
		rc = pam_find_conf(c, svc, &path, e);
		if (rc == PLUMB_ENOENT)
			return PLUMB_OK;
		if (rc != PLUMB_OK)
			return rc;
		*present = 1;
		rc = pam_load(c, path, NULL, 0, dst, e);
		if (file != NULL && *file == NULL)
			*file = path;
		else
			free(path);
		return rc;
	}
	rc = pam_conf_names(c->r, svc, present, e);
	if (rc == PLUMB_ENOENT)
		return PLUMB_OK;
	if (rc != PLUMB_OK || !*present)
		return rc;
	if (file != NULL && *file == NULL)
		*file = xstrdup("/etc/pam.conf");
	return pam_load(c, "/etc/pam.conf", svc, 0, dst, e);
}

static int
pam_service_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 256 && strchr(s, '/') == NULL &&
		strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
		utf8_valid(s, n);
}

int
pam_analyze(const struct plat_root *r, const char *service, unsigned flags,
	    struct pam_result **out, struct errbuf *e)
{
	struct pam_result *res;
	struct pam_ctx c;
	struct pam_list conf = { NULL, 0, 0 }, other = { NULL, 0, 0 };
	const struct pam_list *stack = &conf;
	int rc, present = 0, opresent = 0;
	size_t i;

	*out = NULL;
	if (!pam_service_name_ok(service))
		return err_set(e, PLUMB_EUSAGE, "invalid PAM service name "
			       "\"%s\"", service);
	res = xcalloc(1, sizeof(*res));
	res->service = xstrdup(service);
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.res = res;
	c.pamd = pam_uses_pamd(r);

	rc = pam_load_service(&c, service, &conf, &present, &res->file, e);
	if (rc != PLUMB_OK)
		goto out;
	res->present = present;
	if (!present && !(flags & PAM_FALLBACK_OTHER)) {
		res->verdict = PAM_VERDICT_ABSENT;
		goto done;
	}
	if (conf.n == 0 && strcmp(service, "other") != 0) {
		/* libpam runs "other" when a service has no auth lines */
		rc = pam_load_service(&c, "other", &other, &opresent, NULL, e);
		if (rc != PLUMB_OK)
			goto out;
		stack = &other;
		res->used_other = 1;
		pam_note(&c, "%s: no auth lines for %s: libpam runs the "
			 "\"other\" service%s", present ? res->file : service,
			 service, opresent ? "" : ", which is missing too");
		if (!present && !opresent) {
			res->verdict = PAM_VERDICT_ABSENT;
			goto done;
		}
	}
	for (i = 0; i < stack->n; i++) {
		if (stack->e[i].kind == PAM_K_MODULE &&
		    stack->e[i].factor == PAM_F_SECOND) {
			res->second_factor_module = xstrdup(stack->e[i].module);
			break;
		}
	}
	for (i = 0; res->second_factor_module == NULL && i < stack->n; i++)
		if (stack->e[i].kind == PAM_K_MODULE &&
		    stack->e[i].factor == PAM_F_BACKEND)
			res->second_factor_module = xstrdup(stack->e[i].module);

	rc = pam_search_run(stack, PAM_GOAL_BYPASS, &res->path, &res->npath,
			    e);
	if (rc < 0)
		goto out;
	if (rc == 1) {
		res->verdict = PAM_VERDICT_BYPASS;
		goto done;
	}
	rc = pam_search_run(stack, PAM_GOAL_UNCERTAIN, &res->path, &res->npath,
			    e);
	if (rc < 0)
		goto out;
	if (rc == 1) {
		res->verdict = PAM_VERDICT_UNCERTAIN;
		goto done;
	}
	{
		char **p = NULL;
		size_t np = 0;

		rc = pam_search_run(stack, PAM_GOAL_SUCCESS, &p, &np, e);
		pam_strv_free(p, np);
		if (rc < 0)
			goto out;
		res->verdict = rc == 1 ? PAM_VERDICT_ENFORCED :
			PAM_VERDICT_NEVER;
		if (rc == 0)
			pam_note(&c, "no run of the auth stack of %s can "
				 "succeed", service);
	}
done:
	res->first_factor_required = -1;
	if (res->verdict != PAM_VERDICT_ABSENT &&
	    res->verdict != PAM_VERDICT_NEVER) {
		for (i = 0; res->first_factor_module == NULL && i < stack->n;
		     i++)
			if (stack->e[i].kind == PAM_K_MODULE &&
			    pam_is_first(stack->e[i].module))
				res->first_factor_module =
					xstrdup(stack->e[i].module);
		rc = pam_search_run(stack, PAM_GOAL_NO_FIRST,
				    &res->path_no_first,
				    &res->npath_no_first, e);
		if (rc < 0)
			goto out;
		res->first_factor_required = rc == 0;
	}
	rc = PLUMB_OK;
	res->stack = c.listing.v;
	res->nstack = c.listing.n;
	c.listing.v = NULL;
	c.listing.n = 0;
	*out = res;
	res = NULL;
out:
	if (rc != PLUMB_OK && res != NULL)
		err_prefix(e, rc, "PAM service %s", service);
	pam_list_release(&conf);
	pam_list_release(&other);
	pam_strv_free(c.listing.v, c.listing.n);
	pam_strv_free(c.moddirs, c.nmoddirs);
	pam_result_free(res);
	return rc;
}

void
pam_result_free(struct pam_result *res)
{
	if (res == NULL)
		return;
	free(res->service);
	free(res->file);
	free(res->second_factor_module);
	free(res->first_factor_module);
	pam_strv_free(res->path_no_first, res->npath_no_first);
	pam_strv_free(res->path, res->npath);
	pam_strv_free(res->weak, res->nweak);
	pam_strv_free(res->notes, res->nnotes);
	pam_strv_free(res->stack, res->nstack);
	free(res);
}

const char *
pam_verdict_name(enum pam_verdict v)
{
	switch (v) {
	case PAM_VERDICT_ENFORCED:
		return "enforced";
	case PAM_VERDICT_BYPASS:
		return "bypass";
	case PAM_VERDICT_UNCERTAIN:
		return "uncertain";
	case PAM_VERDICT_NEVER:
		return "never";
	case PAM_VERDICT_ABSENT:
		break;
	}
	return "absent";
}

json_t *
pam_result_json(const struct pam_result *res)
{
	json_t *o = json_object();

	json_object_set_new(o, "service", json_host_str(res->service));
	json_object_set_new(o, "present", json_boolean(res->present));
	json_object_set_new(o, "file", json_host_str(res->file));
	json_object_set_new(o, "verdict",
			    json_string(pam_verdict_name(res->verdict)));
	json_object_set_new(o, "second_factor_module",
			    json_host_str(res->second_factor_module));
	if (res->verdict == PAM_VERDICT_BYPASS)
		json_object_set_new(o, "path_that_bypasses",
				    pam_jstrv(res->path, res->npath));
	else
		json_object_set_new(o, "path_that_bypasses", json_null());
	if (res->verdict == PAM_VERDICT_UNCERTAIN)
		json_object_set_new(o, "path_uncertain",
				    pam_jstrv(res->path, res->npath));
	json_object_set_new(o, "first_factor_required",
			    res->first_factor_required < 0 ? json_null() :
			    json_boolean(res->first_factor_required));
	json_object_set_new(o, "first_factor_module",
			    json_host_str(res->first_factor_module));
	json_object_set_new(o, "path_without_first_factor",
			    res->first_factor_required == 0 ?
			    pam_jstrv(res->path_no_first, res->npath_no_first) :
			    json_null());
	json_object_set_new(o, "weaknesses", pam_jstrv(res->weak, res->nweak));
	json_object_set_new(o, "notes", pam_jstrv(res->notes, res->nnotes));
	json_object_set_new(o, "auth_stack",
			    pam_jstrv(res->stack, res->nstack));
	json_object_set_new(o, "used_other", json_boolean(res->used_other));
	return o;
}

static int
pam_strcmp_p(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
pam_list_services(const struct plat_root *r, char ***names, size_t *n,
		  struct errbuf *e)
{
	struct pam_strv v = { NULL, 0 };
	size_t i, j;
	int rc = PLUMB_OK;

	*names = NULL;
	*n = 0;
	if (pam_uses_pamd(r)) {
		for (i = 0; i < sizeof(pam_dirs) / sizeof(pam_dirs[0]); i++) {
			char **ls = NULL;
			size_t nl = 0;

			rc = plat_list(r, pam_dirs[i], &ls, &nl, e);
			if (rc == PLUMB_ENOENT) {
				/* one of the two directories is enough */
				rc = PLUMB_OK;
				continue;
			}
			if (rc != PLUMB_OK)
				goto out;
			for (j = 0; j < nl; j++) {
				char *p = xasprintf("%s/%s", pam_dirs[i], ls[j]);
				int dir = pam_is_dir(r, p);

				free(p);
				if (dir || !pam_service_name_ok(ls[j]))
					continue;
				pam_strv_push(&v, ls[j]);
				ls[j] = NULL;
			}
			plat_list_free(ls, nl);
		}
	} else {
		const char *pos, *end;
		char *data = NULL;
		size_t len = 0;
		struct dynbuf buf;
		int lineno = 0, start = 0, cut = 0;

		rc = plat_read_text(r, "/etc/pam.conf", PLUMB_SMALL_FILE_MAX,
				    &data, &len, e);
		if (rc == PLUMB_ENOENT) {
			rc = PLUMB_OK;
			goto out;
		}
		if (rc != PLUMB_OK)
			goto out;
		dynbuf_init(&buf, len + 2);
		pos = data;
		end = data + len;
		while (pam_next_line(&pos, end, &lineno, &buf, &start, &cut) ==
		       1) {
			char *s = buf.data, *tok = pam_token(&s);

			if (tok != NULL && pam_service_name_ok(tok))
				pam_strv_push(&v, xstrdup(tok));
		}
		dynbuf_release(&buf);
		free(data);
	}
	if (v.n > 1)
		qsort(v.v, v.n, sizeof(*v.v), pam_strcmp_p);
	for (i = j = 0; i < v.n; i++) {
		if (j > 0 && strcmp(v.v[j - 1], v.v[i]) == 0) {
			free(v.v[i]);
			continue;
		}
		v.v[j++] = v.v[i];
	}
	v.n = j;
	if (v.n > PLUMB_PAM_SERVICES_MAX) {
		rc = err_set(e, PLUMB_ELIMIT, "more than %d PAM services",
			     PLUMB_PAM_SERVICES_MAX);
		goto out;
	}
	*names = v.v;
	*n = v.n;
	v.v = NULL;
	v.n = 0;
out:
	pam_strv_free(v.v, v.n);
	return rc;
}

/* Trims blanks at both ends of s in place; returns the new start. */
static char *
pam_trim(char *s)
{
	char *t;

	while (*s == ' ' || *s == '\t')
		s++;
	t = s + strlen(s);
	while (t > s && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r'))
		*--t = '\0';
	return s;
}

json_t *
pam_duo_conf(const struct plat_root *r, const char *path)
{
	json_t *o = json_object();
	char *data = NULL, *line, *next;
	size_t len = 0;
	int in_duo = 0;
	const char *failmode = NULL;

	json_object_set_new(o, "file", json_host_str(path));
	if (plat_read_text(r, path, PLUMB_SMALL_FILE_MAX, &data, &len, NULL) !=
	    PLUMB_OK) {
		json_object_set_new(o, "present", json_false());
		return o;
	}
	json_object_set_new(o, "present", json_true());
	json_object_set_new(o, "groups", json_null());
	for (line = data; line != NULL; line = next) {
		char *eq, *key, *val;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		line = pam_trim(line);
		if (*line == '\0' || *line == ';' || *line == '#')
			continue;
		if (*line == '[') {
			char *close = strchr(line, ']');

			if (close != NULL)
				*close = '\0';
			in_duo = strcmp(pam_trim(line + 1), "duo") == 0;
			continue;
		}
		eq = strpbrk(line, "=:");
		if (!in_duo || eq == NULL)
			continue;
		*eq = '\0';
		key = pam_trim(line);
		val = pam_trim(eq + 1);
		if (strcmp(key, "failmode") == 0) {
			failmode = val;
			json_object_set_new(o, "failmode", json_host_str(val));
		} else if (strcmp(key, "groups") == 0 ||
			   strcmp(key, "group") == 0) {
			json_object_set_new(o, "groups", json_host_str(val));
		}
	}
	if (failmode == NULL)
		json_object_set_new(o, "failmode", json_string("safe"));
	free(data);
	return o;
}

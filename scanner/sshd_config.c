/*
 * sshd_config.c - reads sshd_config and its includes, and computes the
 * effective values as sshd does (servconf.c of OpenSSH 9.2, as Debian 12
 * ships it, GSSAPI key exchange keywords included).
 *
 * Reading mirrors process_server_config_line: leading " \t\r" and trailing
 * blanks are stripped, the keyword ends at a blank, a quote or one '=',
 * arguments are split as argv_split does (double and single quotes, "\"
 * escapes, '#' starting a comment at the start of an argument), keywords
 * are case-insensitive.  Include expands each glob (relative ones under
 * /etc/ssh) in sorted order right where it stands, and an included file
 * starts inside the Match block its Include line is in.
 *
 * sshd parses the file twice.  At start-up only lines outside Match blocks
 * and inside "Match all" count, the first value of a keyword winning (a few
 * take the last, some accumulate).  For a connection it parses again with
 * only the Match blocks the connection satisfies, and every keyword set
 * there overrides the first pass.  A block in a file included from inside
 * another block applies only if that block applies too.  The facts keep
 * each line with its block, so both passes can be replayed for any
 * connection without reading the host again.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "plumb_limits.h"
#include "plat.h"
#include "sshd_config.h"
#include "util.h"

#define SSHD_GLOBAL 0x1		/* allowed outside Match */
#define SSHD_MATCH 0x2		/* allowed inside Match */
#define SSHD_ALL (SSHD_GLOBAL | SSHD_MATCH)

/* sshd's SSHDIR: where relative Include patterns are looked for. */
#define SSHD_DIR "/etc/ssh"

#define SSHD_WHITESPACE " \t\r\n"

/* sshd keeps numbers and times in an int (the system <limits.h> is hidden
 * behind plumb's own limits.h on the include path). */
#define SSHD_INT_MAX 0x7fffffff

/* How a keyword's arguments are read. */
enum sshd_parse {
	SP_FLAG,		/* yes|no, any case */
	SP_CHOICE,		/* one of a list, any case */
	SP_CHOICE_CS,		/* one of a list, exact case */
	SP_INT,			/* 0..SSHD_INT_MAX */
	SP_TIME,		/* sshd's convtime, kept in seconds */
	SP_TIME_NONE,		/* "none" or a time */
	SP_PORT,		/* 1..65535 */
	SP_STR,			/* one argument */
	SP_REST,		/* the rest of the line as written */
	SP_ARGS,		/* all arguments, joined by a space */
	SP_PKOPTS,		/* PubkeyAuthOptions */
	SP_AUTHMETHODS,		/* AuthenticationMethods lists */
	SP_IGNORE,		/* deprecated or unsupported: ignored */
	SP_INCLUDE,
	SP_MATCH,
};

/* How lines of one keyword combine within a pass. */
enum sshd_combine {
	SC_FIRST,		/* the first line wins */
	SC_LAST,		/* the last line wins */
	SC_ACCUM,		/* every line adds to the value */
};

struct sshd_kw {
	const char *name;	/* as sshd's keyword table spells it */
	const char *canon;	/* the option it sets, NULL for name */
	unsigned flags;
	enum sshd_parse parse;
	enum sshd_combine combine;
	const char *const *choices;	/* input, value pairs; NULL-ended */
	const char *dflt;	/* compiled-in default as sshd -T prints it */
};

static const char *const ch_permitrootlogin[] = {
	"without-password", "prohibit-password",
	"prohibit-password", "prohibit-password",
	"forced-commands-only", "forced-commands-only",
	"yes", "yes", "no", "no", NULL,
};
static const char *const ch_ignorerhosts[] = {
	"yes", "yes", "no", "no", "shosts-only", "shosts-only", NULL,
};
static const char *const ch_addressfamily[] = {
	"inet", "inet", "inet6", "inet6", "any", "any", NULL,
};
static const char *const ch_compression[] = {
	"yes", "yes", "delayed", "yes", "no", "no", NULL,
};
static const char *const ch_gatewayports[] = {
	"clientspecified", "clientspecified", "yes", "yes", "no", "no", NULL,
};
static const char *const ch_tcpfwd[] = {
	"yes", "yes", "all", "yes", "no", "no", "remote", "remote",
	"local", "local", NULL,
};
static const char *const ch_permittunnel[] = {
	"no", "no", "point-to-point", "point-to-point", "ethernet", "ethernet",
	"yes", "yes", NULL,
};
static const char *const ch_loglevel[] = {
	"quiet", "QUIET", "fatal", "FATAL", "error", "ERROR", "info", "INFO",
	"verbose", "VERBOSE", "debug", "DEBUG", "debug1", "DEBUG",
	"debug2", "DEBUG2", "debug3", "DEBUG3", NULL,
};
static const char *const ch_facility[] = {
	"daemon", "DAEMON", "user", "USER", "auth", "AUTH",
	"authpriv", "AUTHPRIV", "local0", "LOCAL0", "local1", "LOCAL1",
	"local2", "LOCAL2", "local3", "LOCAL3", "local4", "LOCAL4",
	"local5", "LOCAL5", "local6", "LOCAL6", "local7", "LOCAL7", NULL,
};
static const char *const ch_fphash[] = {
	"md5", "MD5", "sha256", "SHA256", NULL,
};

#define KW(n, f, p, d) { n, NULL, f, p, SC_FIRST, NULL, d }
#define KWA(n, c, f, p) { n, c, f, p, SC_FIRST, NULL, NULL }
#define KWC(n, f, ch, d) { n, NULL, f, SP_CHOICE, SC_FIRST, ch, d }

static const struct sshd_kw sshd_keywords[] = {
	KW("usepam", SSHD_GLOBAL, SP_FLAG, "no"),
	KW("pamauthenticationviakbdint", SSHD_GLOBAL, SP_IGNORE, NULL),
	{ "port", NULL, SSHD_GLOBAL, SP_PORT, SC_ACCUM, NULL, "22" },
	{ "hostkey", NULL, SSHD_GLOBAL, SP_STR, SC_ACCUM, NULL, NULL },
	{ "hostdsakey", "hostkey", SSHD_GLOBAL, SP_STR, SC_ACCUM, NULL, NULL },
	KW("hostkeyagent", SSHD_GLOBAL, SP_STR, "none"),
	KW("pidfile", SSHD_GLOBAL, SP_STR, "/run/sshd.pid"),
	KW("modulifile", SSHD_GLOBAL, SP_STR, "/etc/ssh/moduli"),
	KW("serverkeybits", SSHD_GLOBAL, SP_IGNORE, NULL),
	KW("logingracetime", SSHD_GLOBAL, SP_TIME, "120"),
	KW("keyregenerationinterval", SSHD_GLOBAL, SP_IGNORE, NULL),
	KWC("permitrootlogin", SSHD_ALL, ch_permitrootlogin,
	    "prohibit-password"),
	KWC("syslogfacility", SSHD_GLOBAL, ch_facility, "AUTH"),
	KWC("loglevel", SSHD_ALL, ch_loglevel, "INFO"),
	KW("logverbose", SSHD_ALL, SP_ARGS, NULL),
	KW("rhostsauthentication", SSHD_GLOBAL, SP_IGNORE, NULL),
	KW("rhostsrsaauthentication", SSHD_ALL, SP_IGNORE, NULL),
	KW("hostbasedauthentication", SSHD_ALL, SP_FLAG, "no"),
	KW("hostbasedusesnamefrompacketonly", SSHD_ALL, SP_FLAG, "no"),
	KW("hostbasedacceptedalgorithms", SSHD_ALL, SP_STR, NULL),
	KWA("hostbasedacceptedkeytypes", "hostbasedacceptedalgorithms",
	    SSHD_ALL, SP_STR),
	KW("hostkeyalgorithms", SSHD_GLOBAL, SP_STR, NULL),
	KW("rsaauthentication", SSHD_ALL, SP_IGNORE, NULL),
	KW("pubkeyauthentication", SSHD_ALL, SP_FLAG, "yes"),
	KW("pubkeyacceptedalgorithms", SSHD_ALL, SP_STR, NULL),
	KWA("pubkeyacceptedkeytypes", "pubkeyacceptedalgorithms", SSHD_ALL,
	    SP_STR),
	KW("pubkeyauthoptions", SSHD_ALL, SP_PKOPTS, "none"),
	KWA("dsaauthentication", "pubkeyauthentication", SSHD_GLOBAL,
	    SP_FLAG),
	KW("kerberosauthentication", SSHD_ALL, SP_FLAG, "no"),
	KW("kerberosorlocalpasswd", SSHD_GLOBAL, SP_FLAG, "yes"),
	KW("kerberosticketcleanup", SSHD_GLOBAL, SP_FLAG, "yes"),
	KW("kerberosgetafstoken", SSHD_GLOBAL, SP_IGNORE, NULL),
	KW("kerberostgtpassing", SSHD_GLOBAL, SP_IGNORE, NULL),
	KW("afstokenpassing", SSHD_GLOBAL, SP_IGNORE, NULL),
	KW("gssapiauthentication", SSHD_ALL, SP_FLAG, "no"),
	KW("gssapicleanupcredentials", SSHD_GLOBAL, SP_FLAG, "yes"),
	KW("gssapistrictacceptorcheck", SSHD_GLOBAL, SP_FLAG, "yes"),
	KW("gssapikeyexchange", SSHD_GLOBAL, SP_FLAG, "no"),
	KW("gssapistorecredentialsonrekey", SSHD_GLOBAL, SP_FLAG, "no"),
	KW("gssapikexalgorithms", SSHD_GLOBAL, SP_STR, NULL),
	KW("passwordauthentication", SSHD_ALL, SP_FLAG, "yes"),
	KW("kbdinteractiveauthentication", SSHD_ALL, SP_FLAG, "yes"),
	KWA("challengeresponseauthentication",
	    "kbdinteractiveauthentication", SSHD_ALL, SP_FLAG),
	KWA("skeyauthentication", "kbdinteractiveauthentication", SSHD_ALL,
	    SP_FLAG),
	KW("checkmail", SSHD_GLOBAL, SP_IGNORE, NULL),
	{ "listenaddress", NULL, SSHD_GLOBAL, SP_ARGS, SC_ACCUM, NULL, NULL },
	KWC("addressfamily", SSHD_GLOBAL, ch_addressfamily, "any"),
	KW("printmotd", SSHD_GLOBAL, SP_FLAG, "yes"),
	KW("printlastlog", SSHD_GLOBAL, SP_FLAG, "yes"),
	KWC("ignorerhosts", SSHD_ALL, ch_ignorerhosts, "yes"),
	KW("ignoreuserknownhosts", SSHD_GLOBAL, SP_FLAG, "no"),
	KW("x11forwarding", SSHD_ALL, SP_FLAG, "no"),
	KW("x11displayoffset", SSHD_ALL, SP_INT, "10"),
	KW("x11uselocalhost", SSHD_ALL, SP_FLAG, "yes"),
	KW("xauthlocation", SSHD_GLOBAL, SP_STR, "/usr/bin/xauth"),
	KW("strictmodes", SSHD_GLOBAL, SP_FLAG, "yes"),
	KW("permitemptypasswords", SSHD_ALL, SP_FLAG, "no"),
	KW("permituserenvironment", SSHD_GLOBAL, SP_STR, "no"),
	KW("uselogin", SSHD_GLOBAL, SP_IGNORE, NULL),
	KWC("compression", SSHD_GLOBAL, ch_compression, "yes"),
	KW("rekeylimit", SSHD_ALL, SP_ARGS, "0 0"),
	KW("tcpkeepalive", SSHD_GLOBAL, SP_FLAG, "yes"),
	KWA("keepalive", "tcpkeepalive", SSHD_GLOBAL, SP_FLAG),
	KWC("allowtcpforwarding", SSHD_ALL, ch_tcpfwd, "yes"),
	KW("allowagentforwarding", SSHD_ALL, SP_FLAG, "yes"),
	{ "allowusers", NULL, SSHD_ALL, SP_ARGS, SC_ACCUM, NULL, NULL },
	{ "denyusers", NULL, SSHD_ALL, SP_ARGS, SC_ACCUM, NULL, NULL },
	{ "allowgroups", NULL, SSHD_ALL, SP_ARGS, SC_ACCUM, NULL, NULL },
	{ "denygroups", NULL, SSHD_ALL, SP_ARGS, SC_ACCUM, NULL, NULL },
	KW("ciphers", SSHD_GLOBAL, SP_STR, NULL),
	KW("macs", SSHD_GLOBAL, SP_STR, NULL),
	KW("protocol", SSHD_GLOBAL, SP_IGNORE, NULL),
	KWC("gatewayports", SSHD_ALL, ch_gatewayports, "no"),
	{ "subsystem", NULL, SSHD_GLOBAL, SP_ARGS, SC_ACCUM, NULL, NULL },
	{ "maxstartups", NULL, SSHD_GLOBAL, SP_STR, SC_LAST, NULL,
	  "10:30:100" },
	{ "persourcemaxstartups", NULL, SSHD_GLOBAL, SP_STR, SC_LAST, NULL,
	  "none" },
	{ "persourcenetblocksize", NULL, SSHD_GLOBAL, SP_STR, SC_LAST, NULL,
	  "32:128" },
	KW("maxauthtries", SSHD_ALL, SP_INT, "6"),
	KW("maxsessions", SSHD_ALL, SP_INT, "10"),
	KW("banner", SSHD_ALL, SP_STR, "none"),
	KW("usedns", SSHD_GLOBAL, SP_FLAG, "no"),
	KW("verifyreversemapping", SSHD_GLOBAL, SP_IGNORE, NULL),
	KW("reversemappingcheck", SSHD_GLOBAL, SP_IGNORE, NULL),
	KW("clientaliveinterval", SSHD_ALL, SP_TIME, "0"),
	KW("clientalivecountmax", SSHD_ALL, SP_INT, "3"),
	KW("authorizedkeysfile", SSHD_ALL, SP_ARGS,
	   ".ssh/authorized_keys .ssh/authorized_keys2"),
	KW("authorizedkeysfile2", SSHD_ALL, SP_IGNORE, NULL),
	KW("useprivilegeseparation", SSHD_GLOBAL, SP_IGNORE, NULL),
	{ "acceptenv", NULL, SSHD_ALL, SP_ARGS, SC_ACCUM, NULL, NULL },
	KW("setenv", SSHD_ALL, SP_ARGS, NULL),
	{ "permittunnel", NULL, SSHD_ALL, SP_CHOICE_CS, SC_FIRST,
	  ch_permittunnel, "no" },
	KW("permittty", SSHD_ALL, SP_FLAG, "yes"),
	KW("permituserrc", SSHD_ALL, SP_FLAG, "yes"),
	KW("match", SSHD_ALL, SP_MATCH, NULL),
	KW("permitopen", SSHD_ALL, SP_ARGS, "any"),
	KW("permitlisten", SSHD_ALL, SP_ARGS, "any"),
	KW("forcecommand", SSHD_ALL, SP_REST, "none"),
	KW("chrootdirectory", SSHD_ALL, SP_STR, "none"),
	{ "hostcertificate", NULL, SSHD_GLOBAL, SP_STR, SC_ACCUM, NULL, NULL },
	KW("revokedkeys", SSHD_ALL, SP_STR, "none"),
	KW("trustedusercakeys", SSHD_ALL, SP_STR, "none"),
	KW("authorizedprincipalsfile", SSHD_ALL, SP_STR, "none"),
	KW("kexalgorithms", SSHD_GLOBAL, SP_STR, NULL),
	KW("casignaturealgorithms", SSHD_ALL, SP_STR, NULL),
	KW("include", SSHD_ALL, SP_INCLUDE, NULL),
	{ "ipqos", NULL, SSHD_ALL, SP_ARGS, SC_LAST, NULL,
	  "lowdelay throughput" },
	KW("authorizedkeyscommand", SSHD_ALL, SP_REST, "none"),
	KW("authorizedkeyscommanduser", SSHD_ALL, SP_STR, "none"),
	KW("authorizedprincipalscommand", SSHD_ALL, SP_REST, "none"),
	KW("authorizedprincipalscommanduser", SSHD_ALL, SP_STR, "none"),
	KW("versionaddendum", SSHD_GLOBAL, SP_REST, "none"),
	KW("authenticationmethods", SSHD_ALL, SP_AUTHMETHODS, "any"),
	{ "streamlocalbindmask", NULL, SSHD_ALL, SP_STR, SC_LAST, NULL,
	  "0177" },
	KW("streamlocalbindunlink", SSHD_ALL, SP_FLAG, "no"),
	KWC("allowstreamlocalforwarding", SSHD_ALL, ch_tcpfwd, "yes"),
	{ "fingerprinthash", NULL, SSHD_GLOBAL, SP_CHOICE, SC_LAST, ch_fphash,
	  "SHA256" },
	KW("disableforwarding", SSHD_ALL, SP_FLAG, "no"),
	KW("exposeauthinfo", SSHD_ALL, SP_FLAG, "no"),
	KW("rdomain", SSHD_ALL, SP_STR, NULL),
	KW("securitykeyprovider", SSHD_GLOBAL, SP_STR, "internal"),
	KW("requiredrsasize", SSHD_ALL, SP_INT, "1024"),
	KW("channeltimeout", SSHD_ALL, SP_ARGS, NULL),
	KW("unusedconnectiontimeout", SSHD_ALL, SP_TIME_NONE, "none"),
	KW("debianbanner", SSHD_GLOBAL, SP_FLAG, "yes"),
};

#define SSHD_NKW (sizeof(sshd_keywords) / sizeof(sshd_keywords[0]))

/* Authentication method names sshd accepts in AuthenticationMethods. */
static const char *const sshd_methods[] = {
	"none", "publickey", "hostbased", "password", "keyboard-interactive",
	"gssapi-with-mic", NULL,
};

static const struct sshd_kw *
sshd_kw_find(const char *name)
{
	size_t i;

	for (i = 0; i < SSHD_NKW; i++)
		if (strcasecmp(sshd_keywords[i].name, name) == 0)
			return &sshd_keywords[i];
	return NULL;
}

static const char *
sshd_kw_canon(const struct sshd_kw *k)
{
	return k->canon != NULL ? k->canon : k->name;
}

/* The table entry that defines a canonical key (not an alias). */
static const struct sshd_kw *
sshd_kw_by_key(const char *key)
{
	size_t i;

	for (i = 0; i < SSHD_NKW; i++)
		if (sshd_keywords[i].canon == NULL &&
		    strcmp(sshd_keywords[i].name, key) == 0)
			return &sshd_keywords[i];
	return NULL;
}

const char *
sshd_keyword(const char *kw)
{
	const struct sshd_kw *k = sshd_kw_find(kw);

	return k != NULL ? sshd_kw_canon(k) : NULL;
}

int
sshd_keyword_numeric(const char *key)
{
	const struct sshd_kw *k = sshd_kw_by_key(key);

	return k != NULL && (k->parse == SP_INT || k->parse == SP_TIME ||
			     k->parse == SP_PORT);
}

/* ---- lexing as sshd does -------------------------------------------- */

/* misc.c strdelim(): the next word of *s, which ends at a blank, a double
 * quote (a quoted word runs to the next quote) or one '='. */
static char *
sshd_strdelim(char **s)
{
	char *old;
	int wspace = 0;

	if (*s == NULL)
		return NULL;
	old = *s;
	*s = strpbrk(*s, SSHD_WHITESPACE "\"=");
	if (*s == NULL)
		return old;
	if (**s == '"') {
		memmove(*s, *s + 1, strlen(*s));
		if ((*s = strpbrk(*s, "\"")) == NULL)
			return NULL;
		**s = '\0';
		*s += strspn(*s + 1, SSHD_WHITESPACE) + 1;
		return old;
	}
	if (**s == '=')
		wspace = 1;
	**s = '\0';
	*s += strspn(*s + 1, SSHD_WHITESPACE) + 1;
	if (**s == '=' && !wspace)
		*s += strspn(*s + 1, SSHD_WHITESPACE) + 1;
	return old;
}

struct sshd_argv {
	char **v;
	int n;
};

static void
sshd_argv_free(struct sshd_argv *a)
{
	int i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

/* misc.c argv_split(s, ..., terminate_on_comment=1); -1 on an unclosed
 * quote. */
static int
sshd_argv_split(const char *s, struct sshd_argv *a)
{
	size_t i, j;
	int quote;

	a->v = NULL;
	a->n = 0;
	for (i = 0; s[i] != '\0'; i++) {
		char *arg;

		if (s[i] == ' ' || s[i] == '\t')
			continue;
		if (s[i] == '#')
			break;
		quote = 0;
		arg = xcalloc(1, strlen(s + i) + 1);
		a->v = xreallocarray(a->v, (size_t)a->n + 1, sizeof(*a->v));
		a->v[a->n++] = arg;
		for (j = 0; s[i] != '\0'; i++) {
			if (s[i] == '\\') {
				if (s[i + 1] == '\'' || s[i + 1] == '"' ||
				    s[i + 1] == '\\' ||
				    (quote == 0 && s[i + 1] == ' ')) {
					i++;
					arg[j++] = s[i];
				} else {
					arg[j++] = s[i];
				}
			} else if (quote == 0 && (s[i] == ' ' || s[i] == '\t')) {
				break;
			} else if (quote == 0 && (s[i] == '"' || s[i] == '\'')) {
				quote = s[i];
			} else if (quote != 0 && s[i] == quote) {
				quote = 0;
			} else {
				arg[j++] = s[i];
			}
		}
		if (s[i] == '\0') {
			if (quote != 0) {
				sshd_argv_free(a);
				return -1;
			}
			break;
		}
	}
	return 0;
}

/* ---- values --------------------------------------------------------- */

/* misc.c convtime(): "90", "1m30s", "2h" ...; -1 when invalid. */
static long long
sshd_convtime(const char *s)
{
	long long total = 0;

	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		long long secs = 0, mult = 1;

		if (*s == '+')
			s++;
		if (!isdigit((unsigned char)*s))
			return -1;
		while (isdigit((unsigned char)*s)) {
			secs = secs * 10 + (*s++ - '0');
			if (secs > SSHD_INT_MAX)
				return -1;
		}
		switch (*s) {
		case '\0':
			break;
		case 's': case 'S':
			s++;
			break;
		case 'm': case 'M':
			mult = 60;
			s++;
			break;
		case 'h': case 'H':
			mult = 3600;
			s++;
			break;
		case 'd': case 'D':
			mult = 86400;
			s++;
			break;
		case 'w': case 'W':
			mult = 604800;
			s++;
			break;
		default:
			return -1;
		}
		if (secs > SSHD_INT_MAX / mult)
			return -1;
		total += secs * mult;
		if (total > SSHD_INT_MAX)
			return -1;
	}
	return total;
}

/* One AuthenticationMethods list ("publickey,keyboard-interactive:pam"). */
static int
sshd_methods_valid(const char *list)
{
	char *copy = xstrdup(list), *p = copy, *m;
	int ok = *list != '\0';

	while (ok && (m = strsep(&p, ",")) != NULL) {
		char *colon = strchr(m, ':');
		size_t i;

		if (colon != NULL)
			*colon = '\0';
		ok = 0;
		for (i = 0; sshd_methods[i] != NULL; i++)
			if (strcmp(sshd_methods[i], m) == 0)
				ok = 1;
	}
	free(copy);
	return ok;
}

static char *
sshd_join(char **v, int n)
{
	struct dynbuf b;
	int i;

	dynbuf_init(&b, PLUMB_SMALL_FILE_MAX);
	for (i = 0; i < n; i++)
		(void)dynbuf_printf(&b, "%s%s", i ? " " : "", v[i]);
	return b.data != NULL ? dynbuf_take(&b, NULL) : xstrdup("");
}

/*
 * The value of a keyword line as sshd would store it, or NULL with *why
 * set when sshd would refuse the line.  *why stays NULL (and NULL is
 * returned) for lines that set nothing, such as "AcceptEnv" whose only
 * argument is a comment.
 */
static char *
sshd_value(const struct sshd_kw *k, char **av, int ac, const char *rest,
	   const char **why)
{
	const char *a = ac > 0 ? av[0] : NULL;
	long long n;
	size_t i;
	int multi = k->parse == SP_ARGS || k->parse == SP_PKOPTS ||
		k->parse == SP_AUTHMETHODS || k->parse == SP_REST;

	*why = NULL;
	if (!multi) {
		if (a == NULL || *a == '\0') {
			*why = "missing argument";
			return NULL;
		}
		if (ac > 1) {
			*why = "extra arguments at end of line";
			return NULL;
		}
	}
	switch (k->parse) {
	case SP_FLAG:
		if (strcasecmp(a, "yes") == 0)
			return xstrdup("yes");
		if (strcasecmp(a, "no") == 0)
			return xstrdup("no");
		*why = "unsupported option (want yes or no)";
		return NULL;
	case SP_CHOICE:
	case SP_CHOICE_CS:
		for (i = 0; k->choices[i] != NULL; i += 2) {
			if (k->parse == SP_CHOICE ?
			    strcasecmp(k->choices[i], a) == 0 :
			    strcmp(k->choices[i], a) == 0)
				return xstrdup(k->choices[i + 1]);
		}
		*why = "unsupported option";
		return NULL;
	case SP_INT:
		if (parse_ll(a, 0, SSHD_INT_MAX, &n) != 0) {
			*why = "invalid integer value";
			return NULL;
		}
		return xasprintf("%lld", n);
	case SP_PORT:
		if (parse_ll(a, 1, 65535, &n) != 0) {
			*why = "badly formatted port number";
			return NULL;
		}
		return xasprintf("%lld", n);
	case SP_TIME_NONE:
		if (strcasecmp(a, "none") == 0)
			return xstrdup("none");
		__attribute__((fallthrough));
	case SP_TIME:
		n = sshd_convtime(a);
		if (n < 0) {
			*why = "invalid time value";
			return NULL;
		}
		return xasprintf("%lld", n);
	case SP_STR:
		return xstrdup(a);
	case SP_REST:
		rest += strspn(rest, SSHD_WHITESPACE);
		if (*rest == '\0') {
			*why = "missing argument";
			return NULL;
		}
		return xstrdup(rest);
	case SP_ARGS:
		for (i = 0; i < (size_t)ac; i++) {
			if (av[i][0] == '\0') {
				*why = "empty argument";
				return NULL;
			}
		}
		return ac > 0 ? sshd_join(av, ac) : NULL;
	case SP_PKOPTS: {
		int touch = 0, verify = 0;

		for (i = 0; i < (size_t)ac; i++) {
			if (strcasecmp(av[i], "none") == 0)
				continue;
			if (strcasecmp(av[i], "touch-required") == 0)
				touch = 1;
			else if (strcasecmp(av[i], "verify-required") == 0)
				verify = 1;
			else {
				*why = "unsupported PubkeyAuthOptions option";
				return NULL;
			}
		}
		if (!touch && !verify)
			return xstrdup("none");
		return xasprintf("%s%s%s", touch ? "touch-required" : "",
				 touch && verify ? " " : "",
				 verify ? "verify-required" : "");
	}
	case SP_AUTHMETHODS:
		if (ac == 0) {
			*why = "no AuthenticationMethods specified";
			return NULL;
		}
		for (i = 0; i < (size_t)ac; i++) {
			if (strcmp(av[i], "any") == 0) {
				if (ac > 1) {
					*why = "\"any\" must appear alone in "
						"AuthenticationMethods";
					return NULL;
				}
			} else if (!sshd_methods_valid(av[i])) {
				*why = "invalid AuthenticationMethods method "
					"list";
				return NULL;
			}
		}
		return sshd_join(av, ac);
	case SP_IGNORE:
	case SP_INCLUDE:
	case SP_MATCH:
		break;
	}
	return NULL;
}

char *
sshd_value_normalize(const char *key, const char *value)
{
	const struct sshd_kw *k = sshd_kw_by_key(key);
	struct sshd_argv a;
	const char *why;
	char *v;

	if (k == NULL)
		k = sshd_kw_find(key);
	if (k == NULL)
		return xstrdup(value);
	if (sshd_argv_split(value, &a) != 0)
		return NULL;
	v = sshd_value(k, a.v, a.n, value, &why);
	sshd_argv_free(&a);
	return v;
}

/* ---- Match criteria ------------------------------------------------- */

/* match.c match_pattern(): '*' and '?' wildcards. */
static int
sshd_wild(const char *s, const char *p)
{
	const char *star = NULL, *ss = NULL;

	while (*s != '\0') {
		if (*p == '*') {
			star = p++;
			ss = s;
			continue;
		}
		if (*p != '\0' && (*p == '?' || *p == *s)) {
			s++;
			p++;
			continue;
		}
		if (star == NULL)
			return 0;
		p = star + 1;
		s = ++ss;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/* match.c match_pattern_list(): 1 positive, -1 negated match, 0 none. */
static int
sshd_pattern_list(const char *s, const char *list, int dolower)
{
	char sub[1024];
	size_t i = 0, len = strlen(list), k;
	int neg, got = 0;

	while (i < len) {
		neg = list[i] == '!';
		if (neg)
			i++;
		for (k = 0; i < len && k < sizeof(sub) - 1 && list[i] != ',';
		     k++, i++)
			sub[k] = dolower ? (char)tolower((unsigned char)list[i])
				: list[i];
		if (k >= sizeof(sub) - 1)
			return 0;
		if (i < len && list[i] == ',')
			i++;
		sub[k] = '\0';
		if (sshd_wild(s, sub)) {
			if (neg)
				return -1;
			got = 1;
		}
	}
	return got;
}

struct sshd_addr {
	int af;
	unsigned char b[16];
};

static int
sshd_addr_parse(const char *s, struct sshd_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->b) == 1) {
		a->af = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->b) == 1) {
		a->af = AF_INET6;
		return 0;
	}
	return -1;
}

/* addrmatch.c addr_pton_cidr(): 0 parsed, -1 not an address (try it as a
 * wildcard), -2 a bad mask length. */
static int
sshd_cidr_parse(const char *s, struct sshd_addr *net, int *masklen)
{
	char buf[64], *slash;
	long long m;

	if (strlen(s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash++ = '\0';
	if (sshd_addr_parse(buf, net) != 0)
		return -1;
	if (slash == NULL) {
		*masklen = net->af == AF_INET ? 32 : 128;
		return 0;
	}
	if (parse_ll(slash, 0, net->af == AF_INET ? 32 : 128, &m) != 0)
		return -2;
	*masklen = (int)m;
	return 0;
}

static int
sshd_netmatch(const struct sshd_addr *a, const struct sshd_addr *net,
	      int masklen)
{
	int i;

	if (a->af != net->af)
		return 0;
	for (i = 0; masklen > 0; i++, masklen -= 8) {
		unsigned char mask = masklen >= 8 ? 0xff :
			(unsigned char)(0xff << (8 - masklen));

		if ((a->b[i] & mask) != (net->b[i] & mask))
			return 0;
	}
	return 1;
}

/* addrmatch.c addr_match_list(): 1 match, -1 negated match, 0 none, -2 a
 * malformed list.  addr NULL only checks the list. */
static int
sshd_addr_list(const char *addr, const char *list)
{
	struct sshd_addr a, net;
	char *copy = xstrdup(list), *p = copy, *cp;
	int ret = 0, masklen, r, neg;

	if (addr != NULL && sshd_addr_parse(addr, &a) != 0) {
		free(copy);
		return 0;
	}
	while ((cp = strsep(&p, ",")) != NULL) {
		neg = *cp == '!';
		if (neg)
			cp++;
		if (*cp == '\0') {
			ret = -2;
			break;
		}
		r = sshd_cidr_parse(cp, &net, &masklen);
		if (r == -2) {
			ret = -2;
			break;
		}
		if (addr == NULL)
			continue;
		if ((r == 0 && sshd_netmatch(&a, &net, masklen)) ||
		    (r != 0 && sshd_wild(addr, cp))) {
			if (neg) {
				ret = -1;
				break;
			}
			ret = 1;
		}
	}
	free(copy);
	return ret;
}

static const char *const sshd_match_attrs[] = {
	"user", "group", "host", "address", "localaddress", "localport",
	"rdomain", NULL,
};

/*
 * Parses the criteria of a Match line as match_cfg_line() does into
 * [[name, arg], ...] (names lower case, "all" alone).  Returns NULL with
 * *why set when sshd would reject the line.
 */
static json_t *
sshd_match_parse(const char *criteria, const char **why)
{
	char *copy = xstrdup(criteria), *cp = copy, *attrib, *arg;
	json_t *attrs = json_array();
	int n = 0;
	size_t i;

	*why = NULL;
	while ((attrib = sshd_strdelim(&cp)) != NULL && *attrib != '\0') {
		char *lower;

		if (*attrib == '#')
			break;
		n++;
		if (strcasecmp(attrib, "all") == 0) {
			arg = sshd_strdelim(&cp);
			if (n > 1 || (arg != NULL && *arg != '\0' &&
				      *arg != '#')) {
				*why = "'all' cannot be combined with other "
					"Match attributes";
				goto bad;
			}
			json_array_append_new(attrs, json_pack("[s]", "all"));
			free(copy);
			return attrs;
		}
		arg = sshd_strdelim(&cp);
		if (arg == NULL || *arg == '\0' || *arg == '#') {
			*why = "missing Match criteria";
			goto bad;
		}
		lower = xstrdup(attrib);
		for (i = 0; lower[i] != '\0'; i++)
			lower[i] = (char)tolower((unsigned char)lower[i]);
		for (i = 0; sshd_match_attrs[i] != NULL; i++)
			if (strcmp(sshd_match_attrs[i], lower) == 0)
				break;
		if (sshd_match_attrs[i] == NULL) {
			free(lower);
			*why = "unsupported Match attribute";
			goto bad;
		}
		if (strcmp(lower, "localport") == 0) {
			long long port;

			if (parse_ll(arg, 1, 65535, &port) != 0) {
				free(lower);
				*why = "invalid LocalPort on Match line";
				goto bad;
			}
		}
		if ((strcmp(lower, "address") == 0 ||
		     strcmp(lower, "localaddress") == 0) &&
		    sshd_addr_list(NULL, arg) != 0) {
			free(lower);
			*why = "invalid Match address argument";
			goto bad;
		}
		json_array_append_new(attrs, json_pack("[so]", lower,
						       json_host_str(arg)));
		free(lower);
	}
	if (n == 0) {
		*why = "one or more attributes required for Match";
		goto bad;
	}
	free(copy);
	return attrs;
bad:
	free(copy);
	json_decref(attrs);
	return NULL;
}

/* Whether a Match block's criteria hold for c, as in "sshd -T -C". */
static int
sshd_match_conn(const json_t *block, const struct sshd_conn *c)
{
	const json_t *attrs = json_object_get(block, "attrs"), *a;
	size_t i;

	if (json_is_true(json_object_get(block, "invalid")) ||
	    json_array_size(attrs) == 0)
		return 0;
	json_array_foreach(attrs, i, a) {
		const char *name = json_string_value(json_array_get(a, 0));
		const char *arg = json_string_value(json_array_get(a, 1));

		if (name == NULL)
			return 0;
		if (strcmp(name, "all") == 0)
			return 1;
		if (arg == NULL)
			return 0;
		if (strcmp(name, "user") == 0) {
			if (c->user == NULL ||
			    sshd_pattern_list(c->user, arg, 0) != 1)
				return 0;
		} else if (strcmp(name, "host") == 0) {
			char *h;
			size_t k;
			int m;

			if (c->host == NULL)
				return 0;
			h = xstrdup(c->host);
			for (k = 0; h[k] != '\0'; k++)
				h[k] = (char)tolower((unsigned char)h[k]);
			m = sshd_pattern_list(h, arg, 1);
			free(h);
			if (m != 1)
				return 0;
		} else if (strcmp(name, "address") == 0) {
			if (c->addr == NULL || sshd_addr_list(c->addr, arg) != 1)
				return 0;
		} else if (strcmp(name, "localaddress") == 0) {
			if (c->laddr == NULL ||
			    sshd_addr_list(c->laddr, arg) != 1)
				return 0;
		} else if (strcmp(name, "localport") == 0) {
			long long port;

			if (c->lport < 0 || parse_ll(arg, 1, 65535, &port) != 0 ||
			    port != c->lport)
				return 0;
		} else if (strcmp(name, "rdomain") == 0) {
			if (c->rdomain == NULL ||
			    sshd_pattern_list(c->rdomain, arg, 0) != 1)
				return 0;
		} else {
			/* Group needs the host's group database: a
			 * connection spec alone cannot satisfy it. */
			return 0;
		}
	}
	return 1;
}

int
sshd_conn_parse(const char *spec, struct sshd_conn *c, char **buf,
		struct errbuf *e)
{
	char *p, *item;
	long long port;

	memset(c, 0, sizeof(*c));
	c->lport = -1;
	*buf = xstrdup(spec);
	p = *buf;
	while ((item = strsep(&p, ",")) != NULL && *item != '\0') {
		if (strncmp(item, "user=", 5) == 0) {
			c->user = item + 5;
		} else if (strncmp(item, "host=", 5) == 0) {
			c->host = item + 5;
		} else if (strncmp(item, "addr=", 5) == 0) {
			c->addr = item + 5;
		} else if (strncmp(item, "laddr=", 6) == 0) {
			c->laddr = item + 6;
		} else if (strncmp(item, "rdomain=", 8) == 0) {
			c->rdomain = item + 8;
		} else if (strncmp(item, "lport=", 6) == 0) {
			if (parse_ll(item + 6, 1, 65535, &port) != 0)
				goto bad;
			c->lport = (int)port;
		} else {
			goto bad;
		}
	}
	return PLUMB_OK;
bad:
	err_set(e, PLUMB_EPARSE, "invalid connection specification \"%s\" "
		"(want user=,host=,addr=,laddr=,lport=,rdomain=)", item);
	free(*buf);
	*buf = NULL;
	memset(c, 0, sizeof(*c));
	return PLUMB_EPARSE;
}

/* ---- the walk ------------------------------------------------------- */

struct sshd_walk {
	const struct plat_root *r;
	json_t *files, *lines, *blocks, *unknown, *errors, *notes;
	const char *stack[PLUMB_SSHD_INCLUDE_DEPTH_MAX + 2];
	int depth;
	unsigned char *pass1;	/* per block: applies at start-up */
	size_t nblocks;
	int fatal;		/* a limit stopped the walk */
};

static void sshd_error(struct sshd_walk *w, const char *file, int line,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
sshd_error(struct sshd_walk *w, const char *file, int line, const char *fmt,
	   ...)
{
	va_list ap;
	char *msg, *full;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	full = xasprintf("%s:%d: %s", file, line, msg);
	if (json_array_size(w->errors) < PLUMB_EVIDENCE_ITEMS_MAX)
		json_array_append_new(w->errors, json_host_str(full));
	free(full);
	free(msg);
}

static int sshd_read_file(struct sshd_walk *w, const char *path, int block,
			  struct errbuf *e);

static int
sshd_include(struct sshd_walk *w, const char *file, int line, char **av,
	     int ac, int cur, struct errbuf *e)
{
	int i, k, rc;

	if (ac == 0) {
		sshd_error(w, file, line, "Include missing filename argument");
		return PLUMB_OK;
	}
	for (i = 0; i < ac; i++) {
		char *pattern, **paths = NULL;
		size_t np = 0, j;
		struct errbuf ge;

		if (av[i][0] == '\0') {
			sshd_error(w, file, line, "keyword Include empty "
				   "argument");
			continue;
		}
		if (av[i][0] == '~') {
			char *note = xasprintf("%s:%d: Include %s: sshd does "
					       "not expand '~' here; nothing "
					       "is included", file, line,
					       av[i]);

			json_array_append_new(w->notes, json_host_str(note));
			free(note);
			continue;
		}
		pattern = av[i][0] == '/' ? xstrdup(av[i]) :
			xasprintf("%s/%s", SSHD_DIR, av[i]);
		if (plat_glob(w->r, pattern, &paths, &np, &ge) != PLUMB_OK) {
			sshd_error(w, file, line, "include \"%s\" glob failed: "
				   "%s", pattern, ge.msg);
			free(pattern);
			continue;
		}
		for (j = 0; j < np; j++) {
			for (k = 0; k <= w->depth; k++)
				if (strcmp(w->stack[k], paths[j]) == 0)
					break;
			if (k <= w->depth) {
				sshd_error(w, file, line, "include cycle "
					   "through %s: sshd stops with too "
					   "many recursive includes",
					   paths[j]);
				continue;
			}
			if (w->depth + 1 > PLUMB_SSHD_INCLUDE_DEPTH_MAX) {
				sshd_error(w, file, line, "too many recursive "
					   "configuration includes");
				continue;
			}
			w->depth++;
			rc = sshd_read_file(w, paths[j], cur, &ge);
			w->depth--;
			if (w->fatal) {
				if (e != NULL)
					*e = ge;
				plat_list_free(paths, np);
				free(pattern);
				return rc;
			}
			if (rc != PLUMB_OK)
				sshd_error(w, file, line, "cannot read "
					   "included file: %s", ge.msg);
		}
		plat_list_free(paths, np);
		free(pattern);
	}
	return PLUMB_OK;
}

static int
sshd_add_block(struct sshd_walk *w, const char *file, int line,
	       const char *criteria, int parent)
{
	const char *why = NULL;
	json_t *attrs = sshd_match_parse(criteria, &why), *b;
	int all = 0;

	b = json_object();
	json_object_set_new(b, "criteria", json_host_str(criteria));
	json_object_set_new(b, "file", json_host_str(file));
	json_object_set_new(b, "line", json_integer(line));
	json_object_set_new(b, "parent", json_integer(parent));
	if (attrs == NULL) {
		sshd_error(w, file, line, "bad Match condition: %s", why);
		json_object_set_new(b, "attrs", json_array());
		json_object_set_new(b, "invalid", json_true());
	} else {
		const char *a0 = json_string_value(json_array_get(
			json_array_get(attrs, 0), 0));

		all = a0 != NULL && strcmp(a0, "all") == 0;
		json_object_set_new(b, "attrs", attrs);
	}
	json_array_append_new(w->blocks, b);
	w->pass1 = xreallocarray(w->pass1, w->nblocks + 1, 1);
	w->pass1[w->nblocks] = (unsigned char)(all &&
		(parent < 0 || w->pass1[parent]));
	return (int)w->nblocks++;
}

/* Processes one line; *cur is the block the file is in so far. */
static int
sshd_line(struct sshd_walk *w, const char *file, int lineno, char *text,
	  int incblock, int *cur, struct errbuf *e)
{
	const struct sshd_kw *k;
	struct sshd_argv a = { NULL, 0 };
	char *str = text, *kw, *value;
	const char *why;
	int rc = PLUMB_OK, active;
	json_t *l;

	kw = sshd_strdelim(&str);
	if (kw != NULL && *kw == '\0')
		kw = sshd_strdelim(&str);
	if (kw == NULL || *kw == '\0' || *kw == '#')
		return PLUMB_OK;
	if (str == NULL || *str == '\0') {
		sshd_error(w, file, lineno, "no argument after keyword \"%s\"",
			   kw);
		return PLUMB_OK;
	}
	k = sshd_kw_find(kw);
	if (sshd_argv_split(str, &a) != 0) {
		sshd_error(w, file, lineno, "invalid quotes");
		return PLUMB_OK;
	}
	if (k == NULL) {
		if (json_array_size(w->unknown) < PLUMB_EVIDENCE_ITEMS_MAX)
			json_array_append_new(w->unknown, json_pack(
				"{s:o,s:o,s:i}", "keyword", json_host_str(kw),
				"file", json_host_str(file), "line", lineno));
		goto out;
	}
	active = *cur < 0 || w->pass1[*cur];
	if (!active && !(k->flags & SSHD_MATCH)) {
		sshd_error(w, file, lineno, "Directive '%s' is not allowed "
			   "within a Match block", kw);
		goto out;
	}
	switch (k->parse) {
	case SP_MATCH:
		*cur = sshd_add_block(w, file, lineno, str, incblock);
		goto out;
	case SP_INCLUDE:
		rc = sshd_include(w, file, lineno, a.v, a.n, *cur, e);
		goto out;
	case SP_IGNORE:
		goto out;
	default:
		break;
	}
	value = sshd_value(k, a.v, a.n, str, &why);
	if (value == NULL) {
		if (why != NULL)
			sshd_error(w, file, lineno, "%s: %s", kw, why);
		goto out;
	}
	if (json_array_size(w->lines) >= PLUMB_SSHD_LINES_MAX) {
		free(value);
		w->fatal = 1;
		rc = err_set(e, PLUMB_ELIMIT, "%s:%d: more than %d sshd "
			     "directives", file, lineno, PLUMB_SSHD_LINES_MAX);
		goto out;
	}
	l = json_object();
	json_object_set_new(l, "key", json_string(sshd_kw_canon(k)));
	json_object_set_new(l, "value", json_host_str(value));
	json_object_set_new(l, "file", json_host_str(file));
	json_object_set_new(l, "line", json_integer(lineno));
	json_object_set_new(l, "block", json_integer(*cur));
	json_array_append_new(w->lines, l);
	free(value);
out:
	sshd_argv_free(&a);
	return rc;
}

static int
sshd_read_file(struct sshd_walk *w, const char *path, int block,
	       struct errbuf *e)
{
	char *data = NULL, *p, *nl;
	size_t len = 0;
	int rc, lineno = 0, cur = block;

	rc = plat_read_text(w->r, path, PLUMB_SMALL_FILE_MAX, &data, &len, e);
	if (rc != PLUMB_OK)
		return rc;
	json_array_append_new(w->files, json_host_str(path));
	w->stack[w->depth] = path;
	for (p = data; p != NULL && rc == PLUMB_OK; p = nl) {
		char *t;
		size_t n;

		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		else if (*p == '\0')
			break;
		lineno++;
		p += strspn(p, " \t\r");
		n = strlen(p);
		for (t = p + n; t > p && strchr(SSHD_WHITESPACE "\f", t[-1]);)
			*--t = '\0';
		rc = sshd_line(w, path, lineno, p, block, &cur, e);
	}
	free(data);
	return rc;
}

static int sshd_passes(const json_t *facts, const unsigned char *sel,
		       int with_pass2, json_t **eff, struct errbuf *e);

/* The option that enables an authentication method, as auth2.c's method
 * table has it; NULL for "none", which is always enabled. */
static const char *
sshd_method_option(const char *m)
{
	static const char *const map[] = {
		"publickey", "pubkeyauthentication",
		"password", "passwordauthentication",
		"keyboard-interactive", "kbdinteractiveauthentication",
		"hostbased", "hostbasedauthentication",
		"gssapi-with-mic", "gssapiauthentication",
		NULL,
	};
	size_t i;

	for (i = 0; map[i] != NULL; i += 2)
		if (strcmp(map[i], m) == 0)
			return map[i + 1];
	return NULL;
}

/*
 * sshd refuses to start when no AuthenticationMethods list of the start-up
 * configuration can be completed with the methods it enables (sshd.c,
 * auth2_methods_valid with need_enable).  Match blocks are not consulted.
 */
static void
sshd_check_startup(struct sshd_walk *w, const json_t *f)
{
	struct errbuf e;
	json_t *eff = NULL;
	const json_t *am;
	const char *lists;
	char *copy = NULL, *p, *l;
	int any_ok = 0;

	if (sshd_passes(f, NULL, 0, &eff, &e) != PLUMB_OK)
		return;
	am = json_object_get(eff, "authenticationmethods");
	lists = json_string_value(json_object_get(am, "value"));
	if (lists == NULL || strcmp(lists, "any") == 0 ||
	    json_is_true(json_object_get(am, "default")))
		goto out;
	copy = xstrdup(lists);
	p = copy;
	while (!any_ok && (l = strsep(&p, " ")) != NULL) {
		char *q = l, *m;
		int ok = *l != '\0';

		while (ok && (m = strsep(&q, ",")) != NULL) {
			const char *opt, *v;
			char *colon = strchr(m, ':');

			if (colon != NULL)
				*colon = '\0';
			opt = sshd_method_option(m);
			v = opt != NULL ? json_string_value(json_object_get(
				json_object_get(eff, opt), "value")) : NULL;
			ok = opt == NULL || (v != NULL && strcmp(v, "yes") == 0);
		}
		any_ok = ok;
	}
	if (!any_ok)
		sshd_error(w, json_string_value(json_object_get(am, "file")),
			   (int)json_integer_value(json_object_get(am, "line")),
			   "AuthenticationMethods cannot be satisfied by "
			   "enabled authentication methods");
out:
	free(copy);
	json_decref(eff);
}

int
sshd_config_read(const struct plat_root *r, const char *path,
		 json_t **facts, struct errbuf *e)
{
	struct sshd_walk w;
	json_t *f;
	int rc;

	*facts = NULL;
	memset(&w, 0, sizeof(w));
	w.r = r;
	f = json_object();
	json_object_set_new(f, "config", json_host_str(path));
	json_object_set_new(f, "files", w.files = json_array());
	json_object_set_new(f, "lines", w.lines = json_array());
	json_object_set_new(f, "blocks", w.blocks = json_array());
	json_object_set_new(f, "unknown", w.unknown = json_array());
	json_object_set_new(f, "errors", w.errors = json_array());
	json_object_set_new(f, "notes", w.notes = json_array());
	rc = sshd_read_file(&w, path, -1, e);
	if (rc == PLUMB_ENOENT) {
		json_object_set_new(f, "present", json_false());
		rc = PLUMB_OK;
	} else if (rc == PLUMB_OK) {
		json_object_set_new(f, "present", json_true());
		sshd_check_startup(&w, f);
	}
	free(w.pass1);
	if (rc != PLUMB_OK) {
		json_decref(f);
		return rc;
	}
	*facts = f;
	return PLUMB_OK;
}

/* ---- the two passes ------------------------------------------------- */

static void
sshd_apply(json_t *pass, const struct sshd_kw *k, const json_t *line,
	   const json_t *block)
{
	const char *key = json_string_value(json_object_get(line, "key"));
	const char *val = json_string_value(json_object_get(line, "value"));
	json_t *cur = json_object_get(pass, key), *v;

	if (cur != NULL && k->combine == SC_FIRST)
		return;
	if (cur != NULL && k->combine == SC_ACCUM) {
		char *joined = xasprintf("%s %s", json_string_value(
			json_object_get(cur, "value")), val);

		json_object_set_new(cur, "value", json_string(joined));
		free(joined);
		return;
	}
	v = json_object();
	json_object_set_new(v, "value", json_string(val));
	json_object_set(v, "file", json_object_get(line, "file"));
	json_object_set(v, "line", json_object_get(line, "line"));
	json_object_set_new(v, "default", json_false());
	if (block != NULL)
		json_object_set_new(v, "match", json_pack("{s:O,s:O,s:O}",
			"criteria", json_object_get(block, "criteria"),
			"file", json_object_get(block, "file"),
			"line", json_object_get(block, "line")));
	json_object_set_new(pass, key, v);
}

/*
 * The values of pass 1 (with_pass2 0: what sshd holds at start-up) or of
 * both passes for the blocks sel selects; defaults fill the rest.
 */
static int
sshd_passes(const json_t *facts, const unsigned char *sel, int with_pass2,
	    json_t **eff, struct errbuf *e)
{
	const json_t *blocks = json_object_get(facts, "blocks");
	const json_t *lines = json_object_get(facts, "lines"), *l, *b;
	size_t nb = json_array_size(blocks), i;
	unsigned char *p1, *p2;
	json_t *pass1, *pass2, *out;
	const char *key;

	*eff = NULL;
	if (!json_is_array(blocks) || !json_is_array(lines))
		return err_set(e, PLUMB_EINVAL, "sshd facts lack lines or "
			       "blocks");
	p1 = xcalloc(nb + 1, 1);
	p2 = xcalloc(nb + 1, 1);
	json_array_foreach(blocks, i, b) {
		json_int_t parent = json_integer_value(json_object_get(b,
							"parent"));
		const char *a0 = json_string_value(json_array_get(
			json_array_get(json_object_get(b, "attrs"), 0), 0));
		int all = a0 != NULL && strcmp(a0, "all") == 0 &&
			!json_is_true(json_object_get(b, "invalid"));
		int up1 = parent < 0 || (parent < (json_int_t)i && p1[parent]);
		int up2 = parent < 0 || (parent < (json_int_t)i && p2[parent]);

		p1[i] = (unsigned char)(up1 && all);
		p2[i] = (unsigned char)(up2 && (all || (sel != NULL && sel[i] &&
			!json_is_true(json_object_get(b, "invalid")))));
	}
	pass1 = json_object();
	pass2 = json_object();
	json_array_foreach(lines, i, l) {
		const struct sshd_kw *k;
		json_int_t blk = json_integer_value(json_object_get(l, "block"));

		key = json_string_value(json_object_get(l, "key"));
		if (key == NULL || (k = sshd_kw_by_key(key)) == NULL ||
		    json_string_value(json_object_get(l, "value")) == NULL)
			continue;
		if (blk >= (json_int_t)nb)
			continue;
		if (blk < 0 || p1[blk])
			sshd_apply(pass1, k, l, NULL);
		if (with_pass2 && blk >= 0 && p2[blk] &&
		    (k->flags & SSHD_MATCH))
			sshd_apply(pass2, k, l, json_array_get(blocks,
							       (size_t)blk));
	}
	out = json_object();
	for (i = 0; i < SSHD_NKW; i++) {
		const struct sshd_kw *k = &sshd_keywords[i];

		if (k->canon != NULL || k->dflt == NULL)
			continue;
		json_object_set_new(out, k->name, json_pack(
			"{s:s,s:n,s:n,s:b}", "value", k->dflt, "file", "line",
			"default", 1));
	}
	json_object_update(out, pass1);
	json_object_update(out, pass2);
	json_decref(pass1);
	json_decref(pass2);
	free(p1);
	free(p2);
	*eff = out;
	return PLUMB_OK;
}

/* True when every item of the list is a plain value: no wildcard, no
 * negation and, for addresses, no CIDR length. */
static int
sshd_list_literal(const char *list, int addr)
{
	return list[0] != '\0' && strpbrk(list, addr ? "*?!/" : "*?!") == NULL;
}

/*
 * Whether some connection satisfies criterion name with both lists a and
 * b: decided when one list is literal (each of its values is tried against
 * the other list as sshd would match it), else taken as possible.
 */
static int
sshd_lists_overlap(const char *name, const char *a, const char *b)
{
	int addr = strcmp(name, "address") == 0 ||
		   strcmp(name, "localaddress") == 0;
	int host = strcmp(name, "host") == 0;
	const char *lit, *other;
	char *copy, *p, *v;
	int hit = 0;

	if (strcmp(name, "localport") == 0) {
		long long pa, pb;

		return parse_ll(a, 1, 65535, &pa) != 0 ||
		       parse_ll(b, 1, 65535, &pb) != 0 || pa == pb;
	}
	if (strcmp(name, "user") != 0 && !host && !addr &&
	    strcmp(name, "rdomain") != 0)
		return 1;
	if (sshd_list_literal(a, addr)) {
		lit = a;
		other = b;
	} else if (sshd_list_literal(b, addr)) {
		lit = b;
		other = a;
	} else {
		return 1;
	}
	copy = xstrdup(lit);
	p = copy;
	while (!hit && (v = strsep(&p, ",")) != NULL) {
		size_t k;

		if (*v == '\0')
			continue;
		if (host)
			for (k = 0; v[k] != '\0'; k++)
				v[k] = (char)tolower((unsigned char)v[k]);
		hit = addr ? sshd_addr_list(v, other) == 1 :
			sshd_pattern_list(v, other, host) == 1;
	}
	free(copy);
	return hit;
}

int
sshd_config_sel_possible(const json_t *facts, const unsigned char *sel)
{
	const json_t *blocks = json_object_get(facts, "blocks");
	const json_t *x, *y, *ax, *ay;
	size_t i, j, k, l;

	json_array_foreach(blocks, i, x) {
		if (!sel[i])
			continue;
		for (j = i + 1; j < json_array_size(blocks); j++) {
			if (!sel[j])
				continue;
			y = json_array_get(blocks, j);
			json_array_foreach(json_object_get(x, "attrs"), k, ax) {
				const char *n = json_string_value(
					json_array_get(ax, 0));
				const char *va = json_string_value(
					json_array_get(ax, 1));

				if (n == NULL || va == NULL)
					continue;
				json_array_foreach(json_object_get(y, "attrs"),
						   l, ay) {
					const char *m = json_string_value(
						json_array_get(ay, 0));
					const char *vb = json_string_value(
						json_array_get(ay, 1));

					if (m != NULL && vb != NULL &&
					    strcmp(n, m) == 0 &&
					    !sshd_lists_overlap(n, va, vb))
						return 0;
				}
			}
		}
	}
	return 1;
}

int
sshd_config_effective_sel(const json_t *facts, const unsigned char *sel,
			  json_t **eff, struct errbuf *e)
{
	return sshd_passes(facts, sel, 1, eff, e);
}

int
sshd_config_effective(const json_t *facts, const struct sshd_conn *conn,
		      json_t **eff, struct errbuf *e)
{
	const json_t *blocks = json_object_get(facts, "blocks"), *b;
	size_t nb = json_array_size(blocks), i;
	unsigned char *sel = xcalloc(nb + 1, 1);
	struct sshd_conn blank;
	int rc;

	if (conn == NULL) {
		memset(&blank, 0, sizeof(blank));
		blank.lport = -1;
		conn = &blank;
	}
	json_array_foreach(blocks, i, b)
		sel[i] = (unsigned char)sshd_match_conn(b, conn);
	rc = sshd_config_effective_sel(facts, sel, eff, e);
	free(sel);
	return rc;
}

/*
 * pam.h - reads a Linux-PAM service configuration and decides whether its
 * "auth" stack enforces a second factor.
 *
 * The service's files (/etc/pam.d/<service>, the vendor directory
 * /usr/lib/pam.d, or /etc/pam.conf where no pam.d directory exists) are read
 * through the platform layer and expanded as libpam expands them: include,
 * substack and Debian's @include, '-' types, line continuations, comments
 * and every control value.  The expanded auth stack is then run the way
 * libpam's dispatcher runs it, with every module taking each return value
 * it can give, and the analysis asks whether any run that ends in success
 * never passed a successful second-factor module.  Such a run is reported
 * step by step ("file:line module(outcome)").  It also asks whether every
 * successful run passed a first factor, so that a second factor alone (a
 * passwordless key, a TOTP-only sshd stack) is told apart from two.
 */
#ifndef PLUMB_PAM_H
#define PLUMB_PAM_H

#include <stddef.h>

#include <jansson.h>

#include "plat.h"
#include "util.h"

enum pam_verdict {
	PAM_VERDICT_ENFORCED,	/* every successful run passed a 2nd factor */
	PAM_VERDICT_BYPASS,	/* some successful run passed none */
	PAM_VERDICT_UNCERTAIN,	/* some successful run relied on a module
				 * whose factors depend on its back end */
	PAM_VERDICT_NEVER,	/* no run can end in success */
	PAM_VERDICT_ABSENT,	/* the service has no configuration */
};

/* What pam_analyze found for one service. */
struct pam_result {
	char *service;
	int present;		/* the service has configuration of its own */
	char *file;		/* the service's own file, NULL when absent */
	enum pam_verdict verdict;
	/* The first second-factor module of the expanded auth stack (name
	 * without ".so"), or NULL when there is none. */
	char *second_factor_module;
	/* For BYPASS: the steps of one successful run without a second factor
	 * ("file:line module(outcome)"); for UNCERTAIN: one run that relied
	 * on a back-end-dependent module; NULL (npath 0) otherwise. */
	char **path;
	size_t npath;
	/* Whether every successful run also passed a first-factor module
	 * (pam_unix, pam_sss, pam_krb5, ...; pam_rootok counts, its caller
	 * being root already); -1 when no run succeeds or there is no stack.
	 * first_factor_module is the first such module of the stack or NULL;
	 * path_no_first one successful run without one (npath_no_first 0
	 * when there is none). */
	int first_factor_required;
	char *first_factor_module;
	char **path_no_first;
	size_t npath_no_first;
	char **weak;		/* weakening options and missing modules */
	size_t nweak;
	char **notes;		/* how the stack was read (fallbacks, ...) */
	size_t nnotes;
	char **stack;		/* the expanded auth stack, one line each */
	size_t nstack;
	int used_other;		/* libpam would run the "other" service */
};

/* Flags for pam_analyze. */
#define PAM_FALLBACK_OTHER 0x1	/* analyse "other" when the service has no
				 * file, as libpam would run it */

/*
 * Analyses the auth stack of service (a name without '/').  A service
 * without configuration is PAM_VERDICT_ABSENT (unless PAM_FALLBACK_OTHER
 * finds "other").  Unreadable files, include cycles, includes nested deeper
 * than PLUMB_PAM_INCLUDE_DEPTH_MAX and stacks beyond the limits in limits.h
 * return an error naming file:line.  On success *out is the caller's, to be
 * freed with pam_result_free.
 */
int pam_analyze(const struct plat_root *r, const char *service,
		unsigned flags, struct pam_result **out, struct errbuf *e);
void pam_result_free(struct pam_result *res);

/* "enforced", "bypass", "uncertain", "never", "absent". */
const char *pam_verdict_name(enum pam_verdict v);

/*
 * The result as evidence: {service, present, file, verdict,
 * second_factor_module|null, path_that_bypasses|null, path_uncertain?,
 * first_factor_required (bool|null), first_factor_module|null,
 * path_without_first_factor|null, weaknesses, notes, auth_stack,
 * used_other}.  A new reference.
 */
json_t *pam_result_json(const struct pam_result *res);

/*
 * The service names configured on the host: the entries of /etc/pam.d and
 * /usr/lib/pam.d (sorted, without duplicates), or the services named in
 * /etc/pam.conf when neither directory exists.  Free with plat_list_free.
 */
int pam_list_services(const struct plat_root *r, char ***names, size_t *n,
		      struct errbuf *e);

/*
 * Reads a Duo Unix configuration file (pam_duo.conf, login_duo.conf: an
 * INI file with a [duo] section) and describes how it fails open:
 * {file, present, failmode ("safe" when unset, as Duo defaults),
 * groups|null}.  A missing file gives present: false.  A new reference.
 */
json_t *pam_duo_conf(const struct plat_root *r, const char *path);

#endif

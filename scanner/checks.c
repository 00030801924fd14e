/*
 * checks.c - the registry of check types, and status helpers.
 *
 * Each probe file defines its check types; this list is the one place that
 * names them all, as libyara's module list does.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

extern const struct check_type check_disk_encryption;
extern const struct check_type check_listening_ports;
extern const struct check_type check_file;
extern const struct check_type check_sysctl;
extern const struct check_type check_systemd_unit;
extern const struct check_type check_yara;
extern const struct check_type check_package;
extern const struct check_type check_patch_pending;
extern const struct check_type check_reboot_required;
extern const struct check_type check_apt_lists_fresh;
extern const struct check_type check_unattended_upgrades;
extern const struct check_type check_pam_mfa;
extern const struct check_type check_sshd_mfa;
extern const struct check_type check_sshd_option;
extern const struct check_type check_idp_mfa;

const struct check_type *const check_types[] = {
	&check_disk_encryption,
	&check_listening_ports,
	&check_file,
	&check_sysctl,
	&check_systemd_unit,
	&check_yara,
	&check_package,
	&check_patch_pending,
	&check_reboot_required,
	&check_apt_lists_fresh,
	&check_unattended_upgrades,
	&check_pam_mfa,
	&check_sshd_mfa,
	&check_sshd_option,
	&check_idp_mfa,
	NULL
};

const struct check_type *
check_type_find(const char *name)
{
	size_t i;

	for (i = 0; check_types[i] != NULL; i++)
		if (strcmp(check_types[i]->name, name) == 0)
			return check_types[i];
	return NULL;
}

static const char *const status_names[STATUS__COUNT] = {
	[STATUS_PASS] = "pass",
	[STATUS_FAIL] = "fail",
	[STATUS_ERROR] = "error",
	[STATUS_UNKNOWN] = "unknown",
	[STATUS_NOTAPPLICABLE] = "notapplicable",
	[STATUS_NOTCHECKED] = "notchecked",
	[STATUS_INFORMATIONAL] = "informational",
	[STATUS_WAIVED] = "waived",
};

const char *
status_name(enum status s)
{
	if ((unsigned)s >= STATUS__COUNT)
		return "unknown";
	return status_names[s];
}

int
status_parse(const char *name, enum status *out)
{
	unsigned i;

	for (i = 0; i < STATUS__COUNT; i++) {
		if (strcmp(status_names[i], name) == 0) {
			*out = (enum status)i;
			return PLUMB_OK;
		}
	}
	return PLUMB_EPARSE;
}

/* Higher rank wins when a control's checks are combined. */
static int
status_rank(enum status s)
{
	switch (s) {
	case STATUS_FAIL:
		return 7;
	case STATUS_ERROR:
		return 6;
	case STATUS_UNKNOWN:
		return 5;
	case STATUS_WAIVED:
		return 4;
	case STATUS_PASS:
		return 3;
	case STATUS_INFORMATIONAL:
		return 2;
	case STATUS_NOTAPPLICABLE:
		return 1;
	case STATUS_NOTCHECKED:
	case STATUS__COUNT:
		break;
	}
	return 0;
}

enum status
status_combine(enum status a, enum status b)
{
	return status_rank(a) >= status_rank(b) ? a : b;
}

void
check_outcome_set(struct check_outcome *out, enum status s, const char *fmt,
		  ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		abort();
	free(out->message);
	out->message = msg;
	out->status = s;
}

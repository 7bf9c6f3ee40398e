/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "parser/ids.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

static bool
parse_number(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	/* (uid_t)-1 means "no change" to chown(2): never a real id */
	if (errno || v >= UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool
valid_name(const char *s)
{
	const unsigned char *p;

	if (!*s || *s == '-')
		return false;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == ':' || *p == '/' || *p == ',' || *p == 0x7f)
			return false;
	return true;
}

int
cg_id_parse(struct cg_id *id, enum cg_id_kind kind, const char *text, const struct cg_srcloc *loc,
	    bool must_exist, struct cg_diags *d)
{
	const char *what = kind == CG_ID_USER ? "user" : "group";
	uint32_t num;

	if (parse_number(text, &num)) {
		cg_id_release(id);
		id->set = true;
		id->name = xstrdup(text);
		id->resolved = true;
		id->id = num;
		id->loc = *loc;
		return 0;
	}
	if (!valid_name(text) || strspn(text, "0123456789") == strlen(text)) {
		char *shown = cg_diag_shown(text);

		/* all digits but not a valid id: too large, never a name */
		cg_diag_error(d, loc,
			      "invalid %s '%s', expected a %s name or a number below 4294967295",
			      what, shown, what);
		free(shown);
		return -1;
	}
	cg_id_release(id);
	id->set = true;
	id->name = xstrdup(text);
	id->loc = *loc;
	if (kind == CG_ID_USER) {
		struct passwd *pw = getpwnam(text);

		if (pw) {
			id->resolved = true;
			id->id = pw->pw_uid;
		}
	} else {
		struct group *gr = getgrnam(text);

		if (gr) {
			id->resolved = true;
			id->id = gr->gr_gid;
		}
	}
	if (!id->resolved) {
		if (must_exist) {
			cg_diag_error(
				d, loc,
				"unknown %s '%s' on this machine, expected an existing %s or a number",
				what, text, what);
			return -1;
		}
		cg_diag_warning(
			d, loc,
			"unknown %s '%s' on this machine; it must exist where the configuration is applied",
			what, text);
	}
	return 0;
}

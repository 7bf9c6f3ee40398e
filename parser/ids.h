/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Users and groups by name or number. `0` is root (cgconfig.conf wrongly treats 0 as
 * unset). A name that is not known on this machine is a warning for `validate` (CI
 * machines lack the users) and an error for plan and apply.
 */
#ifndef CGAPPLY_PARSER_IDS_H
#define CGAPPLY_PARSER_IDS_H

#include <stdbool.h>

#include "parser/diag.h"
#include "parser/model.h"

struct yn;

enum cg_id_kind {
	CG_ID_USER,
	CG_ID_GROUP,
};

/*
 * Fills `id` from `text` at `loc`: a decimal number, or a name looked up with
 * getpwnam/getgrnam. A malformed text is an error; an unknown name is a warning, or an
 * error when `must_exist`. Returns -1 only on an error.
 */
int cg_id_parse(struct cg_id *id, enum cg_id_kind kind, const char *text,
		const struct cg_srcloc *loc, bool must_exist, struct cg_diags *d);

#endif

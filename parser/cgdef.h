/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One YAML configuration document → the model: `version`, `defaults`, `groups` (with
 * `perm` and per-controller values) and `rules`. Every problem found is added to the
 * diagnostics and the walk goes on, so that one run reports them all.
 */
#ifndef CGAPPLY_PARSER_CGDEF_H
#define CGAPPLY_PARSER_CGDEF_H

#include <stdbool.h>

#include "parser/diag.h"
#include "parser/model.h"

struct yn;

struct cg_cgdef_opts {
	bool ids_must_exist; /* unknown users and groups: errors (plan, apply) or warnings */
};

/*
 * Adds the document `root` to `m`. Groups defined in an earlier document are errors
 * naming both places. `defaults_loc` tracks where defaults were first given.
 */
void cg_cgdef_load(struct cg_model *m, const struct yn *root, const struct cg_cgdef_opts *o,
		   struct cg_srcloc *defaults_loc, struct cg_diags *d);

/* Fills every group's unset perm fields from the model's defaults. */
void cg_cgdef_apply_defaults(struct cg_model *m);

/* The top-level, group, perm and controller-map keys the parser accepts (for the schema test). */
extern const char *const cg_cgdef_top_keys[];
extern const char *const cg_cgdef_perm_keys[];
extern const char *const cg_cgdef_task_keys[];
extern const char *const cg_cgdef_admin_keys[];
#define CG_CGDEF_UNCHECKED_KEY "unchecked"

#endif

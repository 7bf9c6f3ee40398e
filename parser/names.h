/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Group path rules: what a cgroup name may be. A path is relative to each hierarchy
 * root, with '/' between components. Refused: empty components, `.` and `..`, a
 * leading or trailing '/', control characters (the kernel refuses a newline), backslashes,
 * and components that collide with control files (`tasks`, `cgroup.procs`,
 * `memory.limit_in_bytes`...). `%u %U %g %G %p %P` make a template group, created on
 * demand by the rules.
 */
#ifndef CGAPPLY_PARSER_NAMES_H
#define CGAPPLY_PARSER_NAMES_H

#include <stdbool.h>

#include "parser/diag.h"

/* Checks `path` written at `loc`; adds an error and returns -1 when it is not valid. */
int cg_group_path_check(const char *path, const struct cg_srcloc *loc, bool *is_template,
			struct cg_diags *d);

#endif

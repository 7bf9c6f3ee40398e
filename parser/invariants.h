/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Checks of the desired end state as a whole, after all files are merged: what the
 * kernel would refuse however the writes are ordered (memsw below limit, a child cpuset
 * outside its parent's, a child CFS ratio above its parent's, RT budgets that do not add
 * up, overlapping exclusive cpusets), and warnings for what is legal but likely not meant
 * (a soft limit at or above the hard limit, kmem limits, oom_control 1).
 * Every finding is located at the value that causes it, naming the other place involved.
 */
#ifndef CGAPPLY_PARSER_INVARIANTS_H
#define CGAPPLY_PARSER_INVARIANTS_H

#include "parser/diag.h"
#include "parser/model.h"

void cg_invariants_check(const struct cg_model *m, struct cg_diags *d);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The target state of an apply: the live snapshot with the configuration laid over it.
 *   - Every layout directory exists in the target (missing implied parents, --parent
 *     components and the --parent directory are created); directories the snapshot holds
 *     beyond the layout are copied unchanged.
 *   - A group's settings go to the directory of the hierarchy holding their controller
 *     (a `cgroup:` block's v2 files to the v2 tree, its v1 files to the v1 ones, as
 *     apply/layout places them), normalized as the kernel will store them
 *     (cg_readback_normalize_file) and marked managed; every other file keeps its live
 *     value, unmanaged. devices.allow/deny are the configured rules: the planner turns
 *     them into writes against the live devices.list, which stays unmanaged.
 *   - perm: admin uid/gid and dperm give the directory's owner and mode, admin uid/gid
 *     and fperm those of every other file, task uid/gid and fperm those of the task
 *     files. An id left unset is (uid_t)-1 ("leave it"); a name unknown on this host is
 *     an error.
 *   - v1 cpuset: a directory that cgapply creates and that holds others (an implied
 *     parent, a --parent component) without cpus/mems of its own gets those of its
 *     nearest ancestor (as runc does), so its children fit.
 *   - v2: every ancestor of a group that uses a controller, up to but excluding the
 *     hierarchy root, has it in cgroup.subtree_control (managed; words in the kernel's
 *     order). cgapply never writes a root: a controller the root does not enable is an
 *     error ("enable it on the root first or use --parent").
 *   - A configured file that an existing group lacks (memsw without swap accounting)
 *     is an error, located at the setting.
 * Anchors and the dirs above them are otherwise copied unchanged (never written).
 */
#ifndef CGAPPLY_APPLY_DESIRED_H
#define CGAPPLY_APPLY_DESIRED_H

#include "apply/layout.h"
#include "apply/state.h"
#include "parser/diag.h"
#include "parser/model.h"

/*
 * `target` holds nothing (it is overwritten; the caller releases it even on failure).
 * Problems go to `d` as located errors; returns -1 when any was added.
 */
int cg_desired_build(const struct cg_model *m, const struct cg_layout *l,
		     const struct cg_state *cur, struct cg_state *target, struct cg_diags *d);

#endif

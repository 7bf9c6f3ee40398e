/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reads the live state of exactly what the layout names: whether each directory exists
 * and holds tasks, the owners and modes, and each listed file parsed into its typed,
 * normalized value (apply/readback). A file that does not exist is recorded as absent,
 * not as an error (a controller feature the kernel lacks, or a group not yet created).
 *
 * Per directory (ANCHOR and ABOVE layout dirs get `anchor` set):
 *   exists     lstat of the directory (missing: every listed file is recorded absent)
 *   dir        the directory's uid, gid and permission bits
 *   tasks      those of `tasks` (v1) or `cgroup.procs` (v2)
 *   ctlfiles   those of the first listed file (in sorted order) that the control-file
 *              table does not mark read-only, forbidden or an action, else of
 *              cgroup.clone_children (v1) or cgroup.max.depth (v2); unset when none exists
 *   populated  v1: `tasks` is not empty; v2: cgroup.events says "populated 1" (with no
 *              cgroup.events: cgroup.procs is not empty)
 *   files      each listed file read and parsed with cg_readback_parse (so devices.list
 *              is CG_VT_DEVRULE, memory.usage_in_bytes CG_VT_SIZE...), present = true;
 *              ENOENT: present = false. Any other error fails the snapshot, wrapped as
 *              "cannot read the state of 'DIR': ...".
 * Write-only files (v1 devices.allow/deny) are never read: apply/layout lists devices.list
 * instead, and a state that names them (a target being verified) records them absent.
 */
#ifndef CGAPPLY_APPLY_SNAPSHOT_H
#define CGAPPLY_APPLY_SNAPSHOT_H

#include "apply/layout.h"
#include "apply/state.h"
#include "lib/error.h"

struct cg_fs;

int cg_snapshot_read(struct cg_fs *fs, const struct cg_layout *l, struct cg_state *out,
		     struct cg_error **err);
/*
 * Re-reads the directories of `like` (the same dirs, hierarchies, groups, anchor flags and
 * files) into `out`: for verify and rollback.
 */
int cg_snapshot_reread(struct cg_fs *fs, const struct cg_state *like, struct cg_state *out,
		       struct cg_error **err);

#endif

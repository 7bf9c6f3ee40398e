/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Coexistence with systemd. Where systemd is PID 1 it is the single writer of the
 * cgroups of its units (CGROUP_DELEGATION.md: "each cgroup only has a single writer"):
 * the slices (system.slice, user.slice, machine.slice, any *.slice), init.scope, and the
 * cgroup of every service, scope, socket, mount or swap unit. What it writes back on
 * daemon-reload or a unit restart undoes ours, and what we write can break its units.
 *
 * A unit started with Delegate=yes hands the inside of its cgroup to its payload, and
 * systemd marks that cgroup with the extended attribute trusted.delegate=1 (user.delegate
 * for a user manager's units, and both since systemd 252). Below such a cgroup we may
 * write; the rule applies again to unit-named cgroups further down (a user manager's
 * own slices inside user@UID.service). On the delegated cgroup itself, only its
 * cgroup.subtree_control belongs to the payload.
 *
 * The check looks at the directories a plan writes (each step's dir, and its file),
 * so it covers --parent too:
 *
 *   if (cg_systemd_booted(NULL) && cg_systemd_check_plan(fs, hosts, plan, &err) < 0)
 *           refuse (exit 4) and explain how to delegate
 *
 * On v1 and hybrid hosts systemd puts its xattrs on its own hierarchy (the v2 tree
 * "unified", or the named "systemd" one); the same relative path there is consulted
 * too, so that a delegated service's cgroup in the memory hierarchy counts as delegated.
 */
#ifndef CGAPPLY_APPLY_SYSTEMD_H
#define CGAPPLY_APPLY_SYSTEMD_H

#include <stdbool.h>

#include "apply/fs.h"
#include "apply/hierarchy.h"
#include "apply/plan.h"
#include "lib/error.h"

/* Whether systemd is PID 1, as sd_booted(3) tells: `rundir` NULL is /run/systemd/system. */
bool cg_systemd_booted(const char *rundir);

/* Whether a cgroup's name is a unit's (ends in .slice, .service, .scope, ...). */
bool cg_systemd_unit_name(const char *name, size_t len);

/*
 * Which systemd cgroup `dir` (relative to the cgroup root, "memory/system.slice/x") lies
 * in, for a step writing `file` there (NULL for the directory itself): *owner gets that
 * cgroup's path ("memory/system.slice"), or NULL when we may write. -1 only when an
 * extended attribute cannot be read for another reason than its absence.
 */
int cg_systemd_owner(struct cg_fs *fs, const struct cg_hosttree *hosts, const char *hier,
		     const char *dir, const char *file, char **owner, struct cg_error **err);

/*
 * Refuses (CG_E_PRECOND, the first directory and how many more) a plan that writes in
 * systemd's cgroups.
 */
int cg_systemd_check_plan(struct cg_fs *fs, const struct cg_hosttree *hosts, const struct plan *p,
			  struct cg_error **err);

#endif

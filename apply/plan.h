/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The planner: a pure function of (current state, target state) → an ordered list of
 * steps such that the kernel accepts every single write, given the rules measured in
 * ../shared/reference/kernel-v1-constraints.md. DESIGN.md "Safe order", with one change:
 *   rmdir bottom-up → mkdir top-down (each new group's owners, then its devices rules,
 *   then its v2 controller enables, before its children are made) → widening writes
 *   parent-first → per-group writes in constraint order (RT budgets lowered child-first,
 *   then raised parent-first) → narrowing writes child-first → exclusive flags set
 *   parent-first → (v2) disable controllers bottom-up → freezer last.
 * Removal comes first because a group about to go still counts in every check the
 * kernel makes of its parent (cpuset subsets, CFS ratios, RT sums, the devices default);
 * rmdir itself only needs the group empty, which is checked. Devices go with the
 * mkdirs because the `a` default is refused once a child exists and a new child copies
 * its parent's list. apply/plan-int.h lists the files that implement each concern.
 *
 * Per group: memory limit ≤ memsw after every write; CFS burst ≤ quota and child
 * quota/period ≤ the parent's after every write; RT parent ≥ sum of children; cpuset
 * child ⊆ parent (parents widen to old∪new first, narrow last); exclusive flags set
 * parent-first and cleared child-first; devices one rule per write, the `a` default only
 * while the group has no children; idle before shares.
 *
 * What is written: a file the target marks present and managed whose value differs
 * (cg_value_equal, after normalization) from the current one, or, in a group the plan
 * creates, from the value the kernel gives a new group. A plan to an equal state has no
 * step. Two files are not values but intents:
 *   - devices.allow/devices.deny (configured rules): they are emulated on the current
 *     devices.list; when they change nothing it shows, nothing is written, otherwise
 *     the deny rules and then the allow rules are written, one per step;
 *   - devices.list, when the target manages it (a rollback to a recorded list): reached
 *     by the fewest deny and allow rules.
 * A target for rollback (the state recorded before an apply) must mark as managed the
 * files to restore; unmanaged files are never written, nor is anything in a hierarchy
 * root (a directory whose fspath is its mount), whatever the target says.
 *
 * Preflight problems (a populated group to remove, a cpuset shrink below a child that is
 * not managed, a memory limit below current usage, an order the kernel would refuse
 * whatever is done...) are reported to `problems`, unlocated: errors refuse the plan,
 * warnings are shown with it, notes explain a choice.
 *
 * Steps own copies of their strings, so a plan outlives the states it came from.
 */
#ifndef CGAPPLY_APPLY_PLAN_H
#define CGAPPLY_APPLY_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "apply/state.h"
#include "parser/diag.h"

enum plan_op {
	PLAN_OP_MKDIR,
	PLAN_OP_WRITE,
	PLAN_OP_CHOWN,
	PLAN_OP_CHMOD,
	PLAN_OP_RMDIR,
};

/*
 * MKDIR: mode = the target's dperm, else 0755 (a CHMOD of the dir follows when the
 *   target sets the mode, since mkdir(2) applies the umask).
 * WRITE: `new_text` is one record, exactly the bytes to write ("" for an empty value,
 *   which the executor writes as "\n"); `old_text` the current value formatted the
 *   same way, NULL when there is none or it is not known (devices.allow/deny are
 *   write-only). Multi-record files (DEVLIMIT, KEYED): one step per record that
 *   differs, with the current record of the same key as `old_text`, then one removing
 *   each key the target drops ("8:0 0" on a v1 throttle, "8:0 rbps=max ..." on io.max).
 * CHOWN/CHMOD: `file` NULL is the directory itself; "tasks", "cgroup.procs" (v1) or
 *   "cgroup.procs", "cgroup.threads" (v2) a task file; "*" every regular file of the
 *   directory but the task files (the plan does not know the file list of a new group,
 *   so the executor expands it). uid or gid (uid_t)-1/(gid_t)-1: leave it as it is;
 *   old_uid/old_gid (uid_t)-1 and old_mode 0: not known (a new group).
 */
struct plan_step {
	enum plan_op op;
	char *dir;	/* the directory, relative to the cgroup root */
	char *file;	/* WRITE: the file; CHOWN/CHMOD: see above */
	char *group;	/* model group path, for reports (NULL for an anchor) */
	char *hier;	/* hierarchy mount name, for reports ("memory", "cpu,cpuacct", "unified") */
	char *old_text; /* WRITE: the live value as the kernel shows it, normalized; NULL if none */
	char *new_text; /* WRITE: exactly the bytes to write (one record) */
	uid_t uid;	/* CHOWN */
	gid_t gid;
	uid_t old_uid;
	gid_t old_gid;
	mode_t mode; /* MKDIR, CHMOD */
	mode_t old_mode;
	/* a step on the way (a cpuset union, a temporary quota), not an end value */
	bool transitional;
	/* cannot be fully undone (rmdir of a group, a v1 deny rule in allow-all mode) */
	bool irreversible;
};

struct plan {
	struct plan_step *steps;
	size_t n, alloc;
	/* MKDIR steps; distinct (dir, file) pairs of non-transitional WRITEs; RMDIR steps */
	size_t dirs_created, values_changed, dirs_removed;
};

struct plan_opts {
	bool prune; /* remove directories the target marks as not existing */
	/* turn refusals that only risk the workload (memory below usage) into warnings */
	bool force;
};

void plan_init(struct plan *p);
void plan_release(struct plan *p);

/*
 * `out` holds nothing (it is overwritten); `o` NULL means no prune, no force. Returns -1
 * when `problems` got an error (the plan is then empty).
 */
int plan_build(const struct cg_state *cur, const struct cg_state *target, const struct plan_opts *o,
	       struct plan *out, struct cg_diags *problems);

/*
 * What the live state is checked against once a plan from `cur` to `target` has run: a
 * copy of `target` (`want` holds nothing) where devices.allow/devices.deny, write-only
 * intents, are unmanaged, and devices.list of each directory that configures rules holds,
 * managed, the list the plan's steps leave (the planner's simulation, parents' denies
 * included). Where that list cannot be known (no current list and no `a` rule first),
 * devices.list stays unmanaged. Returns -1 when the planner refuses (`want` is then the
 * copy with only the intents unmanaged).
 */
int plan_expected(const struct cg_state *cur, const struct cg_state *target,
		  const struct plan_opts *o, struct cg_state *want);

/*
 * devices.list equality as the kernel means it: the same entries in any order, and every
 * allow-all list ("a *:* rwm", whatever its deny exceptions) equal to every other.
 */
bool plan_devlist_equal(const struct cg_value *a, const struct cg_value *b);
/* devices.allow/devices.deny on v1: rules to write, never read back (write-only files). */
bool plan_devices_intent(const char *file, enum cg_version ver);

/* "mkdir", "write", ... for reports and the journal. */
const char *plan_op_name(enum plan_op op);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The preflight of task affinity against a plan's cpuset.cpus writes (cgroup v1).
 *
 * A task can pin itself (sched_setaffinity, taskset) to some CPUs of its cpuset. The
 * kernel keeps that request across cpuset changes and applies what of it the cpuset
 * still has (since Linux 6.2; measured on this host's kernel): a task pinned only to
 * CPUs its cpuset loses runs on the cpuset's other CPUs until those come back, and one
 * pinned to some of them keeps only the rest. Legal, but rarely what the admin means
 * (an RT thread or a packet loop pinned to a core): the plan says so, as a warning.
 *
 *   cg_affinity_check(fs, "/proc", &cur, &plan, &diags);
 *
 * For each directory of `cur` that holds tasks and whose cpuset.cpus some step of `p`
 * writes, it reads the directory's `tasks` (through `fs`) and each task's
 * Cpus_allowed_list (PROC_ROOT/TID/status), follows the directory's cpus step by step,
 * and adds one warning per directory naming the pinned tasks that a write takes CPUs
 * from. A task that exits meanwhile is skipped. Reads only; nothing is written. The proc
 * root must describe the tasks of `fs` (the system's cgroup root and "/proc").
 */
#ifndef CGAPPLY_APPLY_AFFINITY_H
#define CGAPPLY_APPLY_AFFINITY_H

#include "apply/plan.h"
#include "apply/state.h"
#include "parser/diag.h"

struct cg_fs;

void cg_affinity_check(struct cg_fs *fs, const char *proc_root, const struct cg_state *cur,
		       const struct plan *p, struct cg_diags *d);

#endif

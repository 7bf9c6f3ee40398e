/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The executor: the only code that changes cgroup trees. It runs a plan step by step
 * through a struct cg_fs, journaling each step before it runs, then reads back and
 * verifies every written value. On any failure it plans from the live state back to the
 * state before the apply with the same planner, runs that, removes the directories this
 * run created, and verifies again.
 *
 * A step is one mutating call, except: a WRITE whose text holds several '\n'-separated
 * records (devices rules, per-device limits) is one write(2) per record; a CHOWN/CHMOD
 * whose file is "*" applies to every regular file of the directory but the task files
 * (tasks, cgroup.procs, cgroup.threads); an RMDIR that fails with EBUSY is retried a few
 * times over about a third of a second (a killed task may not have been reaped yet).
 *
 *   struct exec_result res;
 *   exec_result_init(&res);
 *   cg_exec_restore_goal(&cur, &target, &goal);
 *   cg_journal_begin(state_dir, &goal, &j, &err);
 *   if (cg_exec_run(fs, &plan, &cur, &target, j, &res) < 0) report res.error, and
 *           res.rollback_complete ? exit 1 : exit 5 (res.rollback_error says why)
 *   exec_result_release(&res);
 */
#ifndef CGAPPLY_APPLY_EXEC_H
#define CGAPPLY_APPLY_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "apply/journal.h"
#include "apply/plan.h"
#include "apply/state.h"
#include "lib/error.h"
#include "lib/strbuf.h"
#include "parser/diag.h"

struct cg_fs;

struct exec_result {
	size_t steps_done; /* steps of the plan that completed */
	bool failed;
	size_t failed_step;	/* index, when failed; the plan's length when verification failed */
	bool rolled_back;	/* a rollback ran */
	bool rollback_complete; /* the live state equals `before` again */
	struct cg_error *error; /* what failed first (owned) */
	struct cg_error *rollback_error; /* what kept the rollback from completing (owned) */
	struct plan rollback; /* the plan the (last attempt of the) rollback ran, for reports */
	size_t rollback_done; /* its steps that completed */
};

void exec_result_init(struct exec_result *r);
void exec_result_release(struct exec_result *r);

/*
 * Runs `p` from `before` (the snapshot the plan was computed from) towards `target`.
 * `j` may be NULL (no journal: tests). Returns 0 on success; -1 with `res` saying what
 * failed and how far the rollback went. `res` must have been initialized.
 * The journal is ended in every case, and freed: committed (last-apply written with the
 * verified live state as "after") on success, aborted after a complete rollback, kept
 * (for `cgapply rollback`) when the rollback is incomplete. A failure to commit is a
 * failure of the run, rolled back like any other.
 */
int cg_exec_run(struct cg_fs *fs, const struct plan *p, const struct cg_state *before,
		const struct cg_state *target, struct cg_journal *j, struct exec_result *res);

/* Runs a plan without journal or rollback (the rollback's own plan), stopping at the first error.
 */
int cg_exec_steps(struct cg_fs *fs, const struct plan *p, size_t *done, struct cg_error **err);

/*
 * The state that undoes an apply from `before` towards `target`: `before` with each file
 * it read marked managed (to be restored; not the read-only ones, such as usage), plus
 * every directory only `target` has,
 * marked as not existing (so that the rollback removes what the apply created). This is
 * what the journal records and what cgapply rollback restores.
 */
void cg_exec_restore_goal(const struct cg_state *before, const struct cg_state *target,
			  struct cg_state *goal);

/*
 * Reads the live state of goal's directories into `live` and plans from it to `goal`
 * (prune and force on: the planner's rollback mode). Planner errors become `err`
 * (CG_E_PRECOND, the first problem quoted); `problems` (may be NULL) gets them all.
 */
int cg_exec_plan_restore(struct cg_fs *fs, const struct cg_state *goal, struct cg_state *live,
			 struct plan *out, struct cg_diags *problems, struct cg_error **err);
/*
 * The same, with `adjust` (when not NULL) called on the live state before planning: a dry
 * run that assumes something done first (rollback's moves back, cg_place_assume_undone).
 */
typedef void (*cg_exec_adjust_fn)(void *ctx, struct cg_state *live);
int cg_exec_plan_restore_adjusted(struct cg_fs *fs, const struct cg_state *goal,
				  cg_exec_adjust_fn adjust, void *ctx, struct cg_state *live,
				  struct plan *out, struct cg_diags *problems,
				  struct cg_error **err);

/*
 * Makes the live state equal `goal`: plan (cg_exec_plan_restore), run, re-read and
 * compare; a second attempt re-plans from where the first stopped. Returns 0 when the
 * live state equals `goal` at the end. `rp`/`done` (may be NULL) get the last attempt's
 * plan and the number of its steps that ran.
 */
int cg_exec_restore(struct cg_fs *fs, const struct cg_state *goal, struct plan *rp, size_t *done,
		    struct cg_error **err);

/*
 * Compares the live state `live` with `want`: directory existence; the values of want's
 * present files (all of them, or only the managed ones), except read-only ones (usage,
 * statistics) that the kernel changes by itself; owners and modes set on both sides. Appends one
 * line per difference to `why` (may be NULL), at most `max` lines and then "... and N more".
 * Returns the number of differences.
 */
size_t cg_exec_compare(const struct cg_state *want, const struct cg_state *live, bool managed_only,
		       struct strbuf *why, size_t max);

#endif

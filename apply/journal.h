/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The apply lock and journal, in the state directory (default /var/lib/cgapply):
 *   lock          flock(2)ed for the whole run; holds the holder's pid and command
 *   journal       while an apply runs: the state before it (apply/state text form),
 *                 then one record per step, appended and fsync'd BEFORE the step runs,
 *                 and one after it completes
 *   last-apply    after a successful apply: the states before and after it, for rollback
 * A journal found at start means an apply died mid-way: plan and apply refuse (exit 4)
 * and `cgapply rollback` restores the recorded state and removes the journal.
 * The state directory is created (mode 0700) when missing. The journal appears complete
 * or not at all (written aside, synced, then linked into place); last-apply is replaced
 * atomically (written aside, synced, renamed).
 *
 *   cg_lock_acquire(dir, 5000, "cgapply apply", &lock, &err);
 *   cg_journal_begin(dir, &before, &j, &err);
 *   for each step i: cg_journal_step(j, p, i, &err); run it; cg_journal_step_done(j, i, &err);
 *   cg_journal_commit(j, &after, &err)   or, after a failure, cg_journal_abort / cg_journal_keep
 *   cg_lock_release(lock);
 */
#ifndef CGAPPLY_APPLY_JOURNAL_H
#define CGAPPLY_APPLY_JOURNAL_H

#include <stdbool.h>

#include "apply/plan.h"
#include "apply/state.h"
#include "lib/error.h"
#include "lib/strbuf.h"

struct cg_lock;

/*
 * Waits up to timeout_ms (polling; < 0: for ever) for the lock; CG_E_PRECOND naming the
 * holder ("pid 1234 (cgapply apply)") when it times out. `what` is written into the lock
 * file beside our pid, for the message of a waiter.
 */
int cg_lock_acquire(const char *state_dir, int timeout_ms, const char *what, struct cg_lock **out,
		    struct cg_error **err);
/* NULL-safe. */
void cg_lock_release(struct cg_lock *l);
/* Whether another process holds the lock (without waiting or creating anything); *holder
 * (when not NULL) gets its description, or NULL. free() it. */
bool cg_lock_held(const char *state_dir, char **holder);

struct cg_journal;

/*
 * Creates the journal (refusing with CG_E_PRECOND/EEXIST if one exists) and records
 * `before`, the state a rollback restores (see cg_exec_restore_goal()).
 */
int cg_journal_begin(const char *state_dir, const struct cg_state *before, struct cg_journal **out,
		     struct cg_error **err);
/*
 * For a run that undoes the last apply: commit removes last-apply instead of writing it.
 * The journal records it (synced), so that a rollback killed midway can be told from an
 * apply: cg_journal_pending_rollback().
 */
int cg_journal_no_last(struct cg_journal *j, struct cg_error **err);
const char *cg_journal_path(const struct cg_journal *j);
/* Records step `i` of `p` before it runs (fsync'd). */
int cg_journal_step(struct cg_journal *j, const struct plan *p, size_t i, struct cg_error **err);
int cg_journal_step_done(struct cg_journal *j, size_t i, struct cg_error **err);
/*
 * Success: writes last-apply (before and after) and removes the journal; frees `j` on
 * success only (on failure the caller still aborts or keeps it).
 */
int cg_journal_commit(struct cg_journal *j, const struct cg_state *after, struct cg_error **err);
/* Failure that was fully rolled back: removes the journal. Always frees `j`. */
int cg_journal_abort(struct cg_journal *j, struct cg_error **err);
/* Failure with an incomplete rollback: closes it, keeping the file for `rollback`. Frees `j`. */
void cg_journal_keep(struct cg_journal *j);

/* Whether an unfinished journal exists. */
bool cg_journal_pending(const char *state_dir);
/* Reads the unfinished journal's before-state (none, for an empty journal: no step ran). */
int cg_journal_read_pending(const char *state_dir, const struct cg_hier *hiers, size_t nhiers,
			    struct cg_state *before, struct cg_error **err);
/* Whether last-apply exists. */
bool cg_journal_has_last(const char *state_dir);
/* Whether the pending journal is that of a rollback (of the apply in last-apply). */
bool cg_journal_pending_rollback(const char *state_dir);
/* Reads last-apply; ENOENT (CG_E_PRECOND) when there is none. */
int cg_journal_read_last(const char *state_dir, const struct cg_hier *hiers, size_t nhiers,
			 struct cg_state *before, struct cg_state *after, struct cg_error **err);
int cg_journal_clear_pending(const char *state_dir, struct cg_error **err);
int cg_journal_clear_last(const char *state_dir, struct cg_error **err);

/*
 * Small files of the state directory, replaced atomically (written aside, synced,
 * renamed). A missing file reads as not found, not as an error.
 */
int cg_statedir_write(const char *state_dir, const char *name, const struct strbuf *data,
		      struct cg_error **err);
int cg_statedir_read(const char *state_dir, const char *name, struct strbuf *out, bool *found,
		     struct cg_error **err);

#endif

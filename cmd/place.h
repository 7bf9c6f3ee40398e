/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What apply, rollback, classify and watch share about task moves (apply/place): their
 * reports, the creation of template groups on demand, and the record in the state
 * directory ("moves") that lets rollback move the processes back.
 *
 *   apply:    apply_run_plan (scan) → steps → place_apply_moves (record, move, record)
 *   rollback: place_rollback_moves (before the groups are restored)
 *   classify, watch: cg_place_scan → place_create_groups → cg_place_run
 */
#ifndef CGAPPLY_CMD_PLACE_H
#define CGAPPLY_CMD_PLACE_H

#include <stdbool.h>
#include <stdio.h>

#include "apply/place.h"
#include "cmd/apply-common.h"
#include "cmd/report.h"
#include "lib/strbuf.h"

#define PLACE_RECORD "moves"

/* "user zorro" when the move's uid has a name, else "uid 4300854". */
void place_move_who(const struct cg_move *m, struct strbuf *sb);
/* "Task moves:" and one line per move (pid, user, executable, hierarchy, from → to). */
void report_text_moves(const struct cg_moves *mv, const struct report_opts *o, FILE *out);
/* "2 processes to move" / "2 moved, 1 gone" (nothing for no moves). */
void report_moves_summary(const struct cg_moves *mv, bool ran, struct strbuf *sb);
/*
 * `"moves":[{pid, uid, user, exe, hierarchy, from, to, status}...]` with a leading comma;
 * user is the name of the uid, null when it has none.
 */
void report_json_moves(const struct cg_moves *mv, struct strbuf *sb);

/*
 * Creates the missing destinations of `mv` that are template groups (with their perm
 * and values) or configured groups, through a plan of just those groups run without a
 * journal (as cgrulesengd creates template groups), under the lock when take_lock and
 * something is to be created (waiting --lock-timeout, else 5 s). Returns -1 on failure.
 */
int place_create_groups(struct apply_run *r, const struct cg_moves *mv, bool take_lock,
			struct cg_error **err);

/*
 * apply: after the steps, records the moves, runs them and records what was done. On a
 * failure, moves back what was moved and returns -1 with *err. `add` (an apply that only
 * moves processes): the record keeps the moves it had, which rollback then undoes too,
 * with the groups of the last apply that changed groups; else the record is replaced.
 */
int place_apply_moves(struct apply_run *r, bool add, struct cg_error **err);
/* Forgets the record (an apply that changed groups and moved nothing). */
void place_forget_moves(const struct apply_opts *o);
/*
 * rollback: moves the recorded processes back (those still where the apply put them) and
 * forgets the record. *found: there was a record. Returns -1 when a move back failed.
 */
int place_rollback_moves(struct apply_run *r, bool *found, size_t *undone, struct cg_error **err);
/* The task moves of the last apply, as recorded (for rollback --dry-run); *found false when
 * there are none. */
int place_read_moves(struct apply_run *r, struct cg_moves *out, bool *found, struct cg_error **err);

#endif

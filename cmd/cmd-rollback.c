/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cgapply rollback: restore the state from before the last successful apply (recorded in
 * last-apply), or finish restoring after an apply that died mid-way (its journal). The
 * way back is planned by the same planner, from the live state to the recorded one.
 * After a successful apply, it refuses when a value changed since that apply, unless
 * --force. It runs under the lock with its own journal, so a failure restores the state
 * it started from; once done, there is nothing left to roll back.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "apply/exec.h"
#include "apply/fs.h"
#include "apply/journal.h"
#include "apply/place.h"
#include "apply/snapshot.h"
#include "cmd/apply-common.h"
#include "cmd/cli.h"
#include "cmd/place.h"

const char cmd_rollback_usage[] =
	"Usage: cgapply rollback [OPTIONS]\n"
	"\n"
	"Restore the cgroups to the state from before the last successful apply, or finish\n"
	"restoring after an apply that was interrupted (a journal is left in the state\n"
	"directory). Refuses when a value changed since the last apply, unless --force.\n"
	"\n"
	"Options:\n"
	"      --dry-run            only show the plan of the rollback\n"
	"      --force              roll back even if values changed since the last apply\n"
	"      --cgroup-root DIR    the cgroup trees (default " CG_DEFAULT_CGROUP_ROOT ")\n"
	"      --state-dir DIR      journal and lock (default " CG_DEFAULT_STATE_DIR ")\n"
	"      --lock-timeout SECS  wait that long for another cgapply to finish (default 0)\n"
	"      --json               print one JSON object on stdout, nothing else\n"
	"      --detailed-exitcode  exit 2 when something was changed (or would be, --dry-run)\n"
	"      --no-color           never colour the output\n"
	"  -q, --quiet              print errors only\n"
	"  -v, --verbose            say what is read and locked\n"
	"      --syslog             send messages to syslog(3) instead of stderr\n"
	"  -h, --help               show this help\n"
	"\n"
	"Exit status: 0 done (or nothing to do), 2 changed (--detailed-exitcode), 1 failed and\n"
	"the state from before the rollback was restored, 4 precondition failed (no apply to\n"
	"roll back, values changed since it, lock held, hierarchy missing), 5 failed and the\n"
	"restore is incomplete, 64 usage error.\n";

struct rollback {
	struct apply_run r;
	bool resume;	       /* finishing an interrupted apply or rollback (its journal) */
	bool resume_rollback;  /* ... a rollback: its goal is last-apply's "before" */
	struct cg_state goal;  /* the state to restore */
	struct cg_state after; /* last-apply: the state the apply left */
	struct cg_state live;  /* read now */
	struct exec_result res;
	bool moves_found;  /* the last apply recorded task moves */
	size_t moved_back; /* processes moved back where they were */
};

/*
 * Moves the processes of the last apply back where they were, before the groups are
 * restored (a group to remove must be empty).
 */
static int
move_back(struct rollback *rb)
{
	struct cg_error *e = NULL;

	if (place_rollback_moves(&rb->r, &rb->moves_found, &rb->moved_back, &e) < 0)
		return apply_run_set_error(&rb->r, e);
	if (rb->moves_found)
		cg_diag_note(&rb->r.diags, NULL, "%zu task%s moved back where %s were",
			     rb->moved_back, rb->moved_back == 1 ? "" : "s",
			     rb->moved_back == 1 ? "it" : "they");
	return 0;
}

static void
print_json(struct rollback *rb, bool ran, bool ok, const char *msg)
{
	struct report_result rr = { .msg = msg };
	struct strbuf sb = STRBUF_INIT;

	rr.failed = !ok;
	rr.changed = ran && (ok ? rb->r.plan.n > 0 : !rb->res.rollback_complete);
	rr.plan = &rb->r.plan;
	rr.res = ran ? &rb->res : NULL;
	rr.diags = &rb->r.diags;
	if (!ok) {
		rr.errors[0] = rb->res.error;
		rr.errors[1] = rb->res.rollback_error;
	}
	report_json_result(&rr, &sb);
	fputs(sb.buf, stdout);
	strbuf_release(&sb);
}

/* Reads the state to restore: the interrupted apply's journal, or last-apply. */
static int
load_goal(struct rollback *rb)
{
	const struct apply_opts *o = rb->r.o;
	struct cg_error *e = NULL;
	char *holder = NULL;

	rb->resume = cg_journal_pending(o->state_dir);
	if (rb->resume) {
		if (!rb->r.lock && cg_lock_held(o->state_dir, &holder)) {
			cg_error_set(
				&e, CG_E_PRECOND, 0,
				"an apply is running: %s holds '%s/lock'; try again when it has finished",
				holder, o->state_dir);
			free(holder);
			return apply_run_set_error(&rb->r, e);
		}
		/*
		 * A rollback was interrupted: finish it (the state from before the last apply),
		 * rather than undo it back to what the apply left, which would only leave the
		 * admin to run the rollback again.
		 */
		if (cg_journal_pending_rollback(o->state_dir) &&
		    cg_journal_has_last(o->state_dir)) {
			if (cg_journal_read_last(o->state_dir, rb->r.hosts.hiers, rb->r.hosts.n,
						 &rb->goal, &rb->after, &e) < 0)
				return apply_run_set_error(&rb->r, e);
			rb->resume_rollback = true;
			apply_verbose(o, "finishing the interrupted rollback of '%s/last-apply'",
				      o->state_dir);
			return 0;
		}
		if (cg_journal_read_pending(o->state_dir, rb->r.hosts.hiers, rb->r.hosts.n,
					    &rb->goal, &e) < 0)
			return apply_run_set_error(&rb->r, e);
		apply_verbose(o, "finishing the interrupted apply of '%s/journal'", o->state_dir);
		return 0;
	}
	if (cg_journal_read_last(o->state_dir, rb->r.hosts.hiers, rb->r.hosts.n, &rb->goal,
				 &rb->after, &e) < 0) {
		/* "does not exist" says it all; no ": No such file or directory" after it */
		if (e->kind == CG_E_PRECOND && e->errnum == ENOENT)
			e->errnum = 0;
		return apply_run_set_error(&rb->r, e);
	}
	apply_verbose(o, "rolling back the apply recorded in '%s/last-apply'", o->state_dir);
	return 0;
}

/* Refuses (exit 4) when the live state is not what the last apply left, unless --force. */
static int
check_drift(struct rollback *rb)
{
	const struct apply_opts *o = rb->r.o;
	struct cg_error *e = NULL;
	struct strbuf why = STRBUF_INIT;
	struct cg_state now;
	size_t n;

	if (rb->resume)
		return 0;
	if (cg_snapshot_reread(rb->r.fs, &rb->after, &now, &e) < 0) {
		cg_error_wrap(&e, "cannot read the live state");
		return apply_run_set_error(&rb->r, e);
	}
	n = cg_exec_compare(&rb->after, &now, false, &why, 10);
	cg_state_release(&now);
	if (!n) {
		strbuf_release(&why);
		return 0;
	}
	if (o->force) {
		size_t i;

		/* one line for a diagnostic */
		for (i = 0; i < why.len; i++)
			if (why.buf[i] == '\n')
				why.buf[i] = ';';
		cg_diag_warning(
			&rb->r.diags, NULL,
			"%zu value%s changed since the last apply; rolling back anyway (--force): %s",
			n, n == 1 ? "" : "s", why.buf);
		strbuf_release(&why);
		return 0;
	}
	{
		struct strbuf list = STRBUF_INIT;
		size_t i;

		/* one difference per line, indented under the message */
		for (i = 0; i < why.len; i++) {
			if (i == 0 || why.buf[i - 1] == '\n')
				strbuf_adds(&list, "  ");
			strbuf_addch(&list, why.buf[i]);
		}
		cg_error_set(
			&e, CG_E_PRECOND, 0,
			"%zu value%s changed since the last apply; refusing to roll back without --force:\n%s",
			n, n == 1 ? "" : "s", list.buf);
		strbuf_release(&list);
	}
	strbuf_release(&why);
	return apply_run_set_error(&rb->r, e);
}

/* A dry run does not move the processes back first: the plan assumes it did. */
struct dry_moves {
	struct cg_fs *fs;
	const struct cg_moves *mv;
	size_t here;
};

static void
assume_moved_back(void *ctx, struct cg_state *live)
{
	struct dry_moves *dm = ctx;

	dm->here = cg_place_assume_undone(dm->fs, dm->mv, live);
}

static int
plan_back(struct rollback *rb)
{
	struct cg_error *e = NULL;
	struct cg_moves mv;
	struct dry_moves dm = { rb->r.fs, &mv, 0 };
	bool found = false;
	int r;

	cg_moves_init(&mv);
	if (rb->r.o->dry_run && place_read_moves(&rb->r, &mv, &found, &e) < 0) {
		cg_error_wrap(&e, "cannot read the task moves of the last apply");
		return apply_run_set_error(&rb->r, e);
	}
	r = cg_exec_plan_restore_adjusted(rb->r.fs, &rb->goal, found ? assume_moved_back : NULL,
					  &dm, &rb->live, &rb->r.plan, &rb->r.diags, &e);
	cg_moves_release(&mv);
	if (r < 0)
		return apply_run_set_error(&rb->r, e);
	if (dm.here)
		cg_diag_note(&rb->r.diags, NULL,
			     "%zu task%s would be moved back where %s were, before these steps",
			     dm.here, dm.here == 1 ? "" : "s", dm.here == 1 ? "it" : "they");
	return 0;
}

/* Nothing to change: the record has served its purpose. */
static int
finish_empty(struct rollback *rb)
{
	const struct apply_opts *o = rb->r.o;
	struct cg_error *e = NULL;
	int r = rb->resume ? cg_journal_clear_pending(o->state_dir, &e)
			   : cg_journal_clear_last(o->state_dir, &e);

	if (r == 0 && rb->resume_rollback)
		r = cg_journal_clear_last(o->state_dir, &e);
	if (r < 0)
		return apply_run_set_error(&rb->r, e);
	return 0;
}

/* Finishes an interrupted apply: no journal of our own (the old one stays until done). */
static int
run_resume(struct rollback *rb)
{
	const struct apply_opts *o = rb->r.o;
	struct exec_result *res = &rb->res;
	struct cg_error *e = NULL;

	if (cg_exec_steps(rb->r.fs, &rb->r.plan, &res->steps_done, &e) < 0) {
		res->failed = true;
		res->failed_step = res->steps_done;
		res->error = e;
		e = NULL;
	}
	/* re-plans from wherever the steps stopped, and verifies */
	res->rolled_back = res->failed;
	if (cg_exec_restore(rb->r.fs, &rb->goal, NULL, NULL, &e) < 0) {
		if (!res->failed) {
			res->failed = true;
			res->failed_step = rb->r.plan.n;
			res->error = e;
		} else {
			res->rollback_error = e;
		}
		res->rollback_complete = false;
		return -1;
	}
	res->rollback_complete = true;
	/* a finished rollback has nothing left to roll back: last-apply goes first */
	if ((rb->resume_rollback && cg_journal_clear_last(o->state_dir, &e) < 0) ||
	    cg_journal_clear_pending(o->state_dir, &e) < 0) {
		res->failed = true;
		res->failed_step = rb->r.plan.n;
		if (res->error)
			res->rollback_error = e;
		else
			res->error = e;
		return -1;
	}
	/* a step failed but the second pass got there: the result is what counts */
	res->steps_done = rb->r.plan.n;
	if (res->failed) {
		cg_error_free(res->error);
		res->error = NULL;
		res->failed = false;
		res->rolled_back = false;
	}
	return 0;
}

static int
run_back(struct rollback *rb)
{
	const struct apply_opts *o = rb->r.o;
	struct cg_journal *j = NULL;
	struct cg_error *e = NULL;
	struct cg_state jgoal;

	if (rb->resume)
		return run_resume(rb);
	cg_exec_restore_goal(&rb->live, &rb->goal, &jgoal);
	if (cg_journal_begin(o->state_dir, &jgoal, &j, &e) < 0) {
		cg_state_release(&jgoal);
		rb->res.failed = true;
		rb->res.error = e;
		rb->res.rolled_back = true;
		rb->res.rollback_complete = true;
		return -1;
	}
	cg_state_release(&jgoal);
	if (cg_journal_no_last(j, &e) < 0) {
		cg_journal_abort(j, NULL);
		rb->res.failed = true;
		rb->res.error = e;
		rb->res.rolled_back = true;
		rb->res.rollback_complete = true;
		return -1;
	}
	return cg_exec_run(rb->r.fs, &rb->r.plan, &rb->live, &rb->goal, j, &rb->res);
}

static int
report_failure(struct rollback *rb, struct strbuf *msg)
{
	const struct apply_opts *o = rb->r.o;
	const struct exec_result *res = &rb->res;
	struct report_opts eo = o->err;
	char *what = report_error_text(res->error);
	char *why = res->rollback_error ? report_error_text(res->rollback_error) : NULL;
	int code;

	eo.quiet = false;
	strbuf_adds(msg, what);
	if (!rb->resume && res->rollback_complete) {
		code = CG_EXIT_FAILED;
		strbuf_adds(msg, "; the state from before the rollback is restored");
	} else {
		code = CG_EXIT_ROLLBACK_INCOMPLETE;
		strbuf_addf(msg, "; the restore is incomplete%s%s%s; the journal is kept in '%s'",
			    why ? " (" : "", why ? why : "", why ? ")" : "", o->state_dir);
	}
	if (!o->json) {
		report_text_error("error", what, &eo, stderr);
		if (code == CG_EXIT_FAILED) {
			fputs("cgapply: the state from before the rollback is restored\n", stderr);
		} else {
			struct strbuf sb = STRBUF_INIT;

			if (why)
				report_text_error("error", why, &eo, stderr);
			strbuf_addf(
				&sb,
				"the restore is incomplete; the journal is kept in '%s/journal': fix the cause and run 'cgapply rollback' again",
				o->state_dir);
			report_text_error("note", sb.buf, &eo, stderr);
			strbuf_release(&sb);
		}
	}
	free(what);
	free(why);
	return code;
}

static int
run_rollback(const struct apply_opts *o)
{
	struct rollback rb;
	struct strbuf msg = STRBUF_INIT;
	int code;

	apply_run_init(&rb.r, o);
	cg_state_init(&rb.goal);
	cg_state_init(&rb.after);
	cg_state_init(&rb.live);
	exec_result_init(&rb.res);
	rb.resume = false;
	rb.resume_rollback = false;
	rb.moves_found = false;
	rb.moved_back = 0;
	if (apply_run_open(&rb.r) < 0 || (!o->dry_run && apply_run_lock(&rb.r) < 0) ||
	    (!o->dry_run && move_back(&rb) < 0)) {
		code = apply_run_fail(&rb.r);
		goto out;
	}
	if (rb.moves_found && !cg_journal_pending(o->state_dir) &&
	    !cg_journal_has_last(o->state_dir)) {
		/* the last apply only moved processes */
		strbuf_addf(&msg, "Rollback complete: %zu task%s moved back.", rb.moved_back,
			    rb.moved_back == 1 ? "" : "s");
		if (o->json)
			print_json(&rb, false, true, msg.buf);
		else if (!o->quiet)
			printf("%s\n", msg.buf);
		code = o->detailed && rb.moved_back ? CG_EXIT_CHANGES : CG_EXIT_OK;
		goto out;
	}
	if (load_goal(&rb) < 0 || check_drift(&rb) < 0 || plan_back(&rb) < 0) {
		code = apply_run_fail(&rb.r);
		goto out;
	}
	if (o->dry_run || !rb.r.plan.n) {
		if (!o->dry_run && finish_empty(&rb) < 0) {
			code = apply_run_fail(&rb.r);
			goto out;
		}
		report_plan_summary(&rb.r.plan, &msg);
		if (!o->dry_run)
			strbuf_adds(&msg, " The cgroups already match the state to restore.");
		if (o->json) {
			print_json(&rb, false, true, msg.buf);
		} else if (!o->quiet) {
			apply_run_print_diags(&rb.r);
			report_text_plan(&rb.r.plan, NULL, &o->out, stdout);
			printf("%s%s\n", rb.r.plan.n ? "\n" : "", msg.buf);
		}
		code = o->detailed && o->dry_run && rb.r.plan.n ? CG_EXIT_CHANGES : CG_EXIT_OK;
		goto out;
	}
	if (!o->json)
		apply_run_print_diags(&rb.r);
	if (run_back(&rb) == 0) {
		if (!rb.resume || rb.resume_rollback)
			apply_record_created(o, &rb.live, &rb.goal);
		strbuf_adds(&msg, "Rollback complete: ");
		report_done_summary(&rb.r.plan, &msg);
		strbuf_addch(&msg, '.');
		if (o->json) {
			print_json(&rb, true, true, msg.buf);
		} else if (!o->quiet) {
			report_text_plan(&rb.r.plan, &rb.res, &o->out, stdout);
			printf("\n%s\n", msg.buf);
		}
		code = o->detailed ? CG_EXIT_CHANGES : CG_EXIT_OK;
		goto out;
	}
	if (!o->json && !o->quiet)
		report_text_plan(&rb.r.plan, &rb.res, &o->out, stdout);
	code = report_failure(&rb, &msg);
	if (o->json)
		print_json(&rb, true, false, msg.buf);
out:
	strbuf_release(&msg);
	exec_result_release(&rb.res);
	cg_state_release(&rb.live);
	cg_state_release(&rb.after);
	cg_state_release(&rb.goal);
	apply_run_release(&rb.r);
	return code;
}

int
cmd_rollback(int argc, char **argv)
{
	struct apply_opts o;
	int code;

	if (apply_opts_parse(&o, "rollback", cmd_rollback_usage,
			     AO_LOCK | AO_DRY_RUN | AO_FORCE | AO_DETAILED, argc, argv,
			     &code) < 0) {
		apply_opts_release(&o);
		return code;
	}
	code = run_rollback(&o);
	apply_opts_release(&o);
	return code;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cgapply apply: make the live hierarchy match the configuration. Under the lock: refuse
 * an unfinished journal, plan, journal the state to restore, run the plan step by step
 * (apply/exec), verify, and on any failure restore the state from before.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/exec.h"
#include "apply/journal.h"
#include "apply/planfile.h"
#include "cmd/apply-common.h"
#include "cmd/cli.h"
#include "cmd/place.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

const char cmd_apply_usage[] =
	"Usage: cgapply apply [OPTIONS]\n"
	"       cgapply apply [OPTIONS] PLANFILE\n"
	"\n"
	"Make the live cgroups match the configuration: plan, then run each step under a lock\n"
	"with a journal, read every written value back, and on any failure restore the state\n"
	"from before the apply. Prints what it did as plan shows it.\n"
	"With PLANFILE (from 'cgapply plan --out'), run exactly that plan instead, without\n"
	"reading the configuration; refuse (exit 4) when the live state changed since. Its task\n"
	"moves are made for the processes that are still the same (start time, executable,\n"
	"user); the others are skipped as gone.\n"
	"\n"
	"Options:\n"
	"  -f, --file FILE|DIR      configuration (repeatable; default " SYSCONFDIR "/cgapply)\n"
	"      --parent PATH        place every group under PATH in each hierarchy\n"
	"      --prune              also remove groups that the configuration no longer has\n"
	"      --allow-systemd-cgroups  write in cgroups that systemd owns (see cgapply(8))\n"
	"      --force              allow a v2 memory.max below the current usage\n"
	"      --dry-run            only show the plan (the same as cgapply plan)\n"
	"      --cgroup-root DIR    the cgroup trees (default " CG_DEFAULT_CGROUP_ROOT ")\n"
	"      --state-dir DIR      journal and lock (default " CG_DEFAULT_STATE_DIR ")\n"
	"      --lock-timeout SECS  wait that long for another cgapply to finish (default 0)\n"
	"      --json               print one JSON object on stdout, nothing else\n"
	"      --detailed-exitcode  exit 2 when something was changed\n"
	"      --no-color           never colour the output\n"
	"  -q, --quiet              print errors only\n"
	"  -v, --verbose            say what is read and locked\n"
	"      --syslog             send messages to syslog(3) instead of stderr\n"
	"  -h, --help               show this help\n"
	"\n"
	"Exit status: 0 done (or nothing to do), 2 changed (--detailed-exitcode), 1 failed and\n"
	"everything was restored, 3 invalid configuration, 4 precondition failed (lock held,\n"
	"hierarchy missing, unfinished journal, plan refused), 5 failed and the restore is\n"
	"incomplete (the journal is kept: run cgapply rollback), 64 usage error. A stale or\n"
	"unusable PLANFILE is a failed precondition (4).\n";

static void
print_json(const struct apply_run *r, const struct exec_result *res, bool ok, const char *msg)
{
	struct report_result rr = { .msg = msg };
	struct strbuf sb = STRBUF_INIT;

	rr.changed = ok ? r->plan.n > 0 || cg_moves_count(&r->moves, CG_MOVE_DONE) > 0
			: !res->rollback_complete;
	rr.failed = !ok;
	rr.plan = &r->plan;
	rr.moves = r->placing ? &r->moves : NULL;
	rr.res = res;
	rr.diags = &r->diags;
	if (!ok) {
		rr.errors[0] = res->error;
		rr.errors[1] = res->rollback_error;
	}
	report_json_result(&rr, &sb);
	fputs(sb.buf, stdout);
	strbuf_release(&sb);
}

/* After a failed run: what failed, and whether everything was restored. */
static int
report_failure(const struct apply_run *r, const struct exec_result *res, struct strbuf *msg)
{
	const struct apply_opts *o = r->o;
	struct report_opts eo = o->err;
	char *what = report_error_text(res->error);
	char *why = res->rollback_error ? report_error_text(res->rollback_error) : NULL;
	int code;

	eo.quiet = false;
	strbuf_adds(msg, what);
	if (res->rollback_complete) {
		code = CG_EXIT_FAILED;
		strbuf_addf(msg, "; rolled back: the state from before the apply is restored");
	} else {
		code = CG_EXIT_ROLLBACK_INCOMPLETE;
		strbuf_addf(
			msg,
			"; the rollback is incomplete (%s); the journal is kept in '%s': run 'cgapply rollback'",
			why ? why : "unknown reason", o->state_dir);
	}
	if (!o->json) {
		report_text_error("error", what, &eo, stderr);
		if (res->rollback_complete) {
			fprintf(stderr,
				"cgapply: rolled back: %zu step%s undone, the state from before the apply is restored\n",
				res->steps_done, res->steps_done == 1 ? "" : "s");
			if (why)
				report_text_error("warning", why, &eo, stderr);
		} else {
			struct strbuf sb = STRBUF_INIT;

			strbuf_addf(&sb, "the rollback is incomplete: %s",
				    why ? why : "unknown reason");
			report_text_error("error", sb.buf, &eo, stderr);
			strbuf_reset(&sb);
			strbuf_addf(
				&sb,
				"the journal is kept in '%s/journal'; run 'cgapply rollback' to finish restoring",
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
stale_error(struct apply_run *r, struct cg_error *e, const char *fix)
{
	apply_run_set_error(r, e);
	r->code = CG_EXIT_PRECONDITION;
	free(r->hint);
	r->hint = xstrdup(fix);
	return -1;
}

/*
 * apply PLANFILE: the plan and its states from the file, instead of the configuration;
 * refused unless the live state still is the one the plan was made from.
 */
static int
load_planfile(struct apply_run *r)
{
	const struct apply_opts *o = r->o;
	CG_AUTOFREE char *fix = xasprintf(
		"nothing was changed; make a new plan with 'cgapply plan --out %s'", o->planfile);
	struct cg_planfile pf;
	struct strbuf text = STRBUF_INIT, why = STRBUF_INIT;
	struct cg_state live;
	struct cg_error *e = NULL;
	size_t i, ndiff = 0;
	int ret = -1;

	cg_planfile_init(&pf);
	if (cg_planfile_read(o->planfile, &text, &e) < 0 ||
	    cg_planfile_parse(o->planfile, text.buf, text.len, o->cgroup_root, r->hosts.hiers,
			      r->hosts.n, &pf, &r->diags, &e) < 0) {
		stale_error(r, e, fix);
		goto out;
	}
	if (o->parent_set &&
	    (o->parent ? !pf.parent || strcmp(o->parent, pf.parent) : pf.parent != NULL)) {
		if (pf.parent && o->parent)
			cg_error_set(&e, CG_E_PRECOND, 0,
				     "plan file '%s' was made with --parent '%s', not '%s'",
				     o->planfile, pf.parent, o->parent);
		else if (pf.parent)
			cg_error_set(&e, CG_E_PRECOND, 0,
				     "plan file '%s' was made with --parent '%s', not without",
				     o->planfile, pf.parent);
		else
			cg_error_set(&e, CG_E_PRECOND, 0,
				     "plan file '%s' was made without --parent, not with '%s'",
				     o->planfile, o->parent);
		stale_error(r, e, fix);
		goto out;
	}
	for (i = 0; i < pf.nconfigs; i++)
		apply_verbose(o, "plan made by cgapply %s from '%s' (fnv1a64:%016llx)",
			      pf.version ? pf.version : "unknown", pf.configs[i].path,
			      (unsigned long long)pf.configs[i].hash);
	if (cg_planfile_check_live(r->fs, &pf, &live, &why, &ndiff, &e) < 0) {
		apply_run_set_error(r, e);
		goto out;
	}
	if (ndiff) {
		cg_state_release(&live);
		cg_error_set(
			&e, CG_E_PRECOND, 0,
			"the plan in '%s' is stale: the live state changed in %zu place%s since it was made:\n%s",
			o->planfile, ndiff, ndiff == 1 ? "" : "s", why.buf);
		stale_error(r, e, fix);
		goto out;
	}
	apply_verbose(o, "the live state is the one the plan was made from (%zu director%s)",
		      live.n, live.n == 1 ? "y" : "ies");
	/* the run takes the states and the plan over */
	r->cur = live;
	r->target = pf.target;
	cg_state_init(&pf.target);
	r->plan = pf.plan;
	plan_init(&pf.plan);
	/* the saved task moves, each only if its process still is the one the plan saw */
	r->moves = pf.moves;
	cg_moves_init(&pf.moves);
	r->placing = r->moves.n > 0;
	cg_place_recheck(NULL, &r->hosts, &r->moves);
	ret = 0;
out:
	cg_planfile_release(&pf);
	strbuf_release(&text);
	strbuf_release(&why);
	return ret;
}

/*
 * The task moves, after the steps succeeded (the journal is committed). A move the
 * kernel refuses undoes the moves, then restores the groups to the state from before the
 * apply and forgets last-apply, as a failed step would.
 */
static int
run_moves_after(struct apply_run *r, struct exec_result *res)
{
	struct cg_error *e = NULL, *re = NULL;
	struct cg_state goal;

	if (!r->moves.n) {
		place_forget_moves(r->o);
		return 0;
	}
	if (place_apply_moves(r, false, &e) == 0)
		return 0;
	res->failed = true;
	res->failed_step = r->plan.n;
	res->error = e;
	res->rolled_back = true;
	cg_exec_restore_goal(&r->cur, &r->target, &goal);
	if (cg_exec_restore(r->fs, &goal, NULL, NULL, &re) < 0) {
		res->rollback_complete = false;
		res->rollback_error = re;
	} else {
		res->rollback_complete = true;
		if (cg_journal_clear_last(r->o->state_dir, &re) < 0)
			cg_error_free(re);
	}
	cg_state_release(&goal);
	return -1;
}

/* No group changes, only processes to move: no journal, the record of the moves only. */
static int
run_moves_only(struct apply_run *r, struct exec_result *res, struct strbuf *msg)
{
	const struct apply_opts *o = r->o;
	struct cg_error *e = NULL;

	if (!o->json)
		apply_run_print_diags(r);
	if (place_apply_moves(r, true, &e) < 0) {
		res->failed = true;
		res->error = e;
		res->rolled_back = true;
		res->rollback_complete = true;
		if (!o->json && !o->quiet)
			report_text_moves(&r->moves, &o->out, stdout);
		return report_failure(r, res, msg);
	}
	strbuf_adds(msg, "Apply complete: ");
	report_moves_summary(&r->moves, true, msg);
	strbuf_addch(msg, '.');
	if (o->json) {
		print_json(r, res, true, msg->buf);
	} else if (!o->quiet) {
		report_text_moves(&r->moves, &o->out, stdout);
		printf("\n%s\n", msg->buf);
	}
	return o->detailed && cg_moves_count(&r->moves, CG_MOVE_DONE) ? CG_EXIT_CHANGES
								      : CG_EXIT_OK;
}

static int
run_apply(const struct apply_opts *o)
{
	struct apply_run r;
	struct exec_result res;
	struct cg_state goal;
	struct cg_journal *j = NULL;
	struct cg_error *e = NULL;
	struct strbuf msg = STRBUF_INIT;
	int code;

	apply_run_init(&r, o);
	exec_result_init(&res);
	if (o->planfile) {
		if (apply_run_open(&r) < 0 || apply_run_lock(&r) < 0 ||
		    apply_run_check_journal(&r) < 0 || load_planfile(&r) < 0 ||
		    apply_run_check_systemd(&r) < 0)
			goto fail;
	} else if (apply_run_config(&r) < 0 || apply_run_open(&r) < 0 || apply_run_lock(&r) < 0 ||
		   apply_run_check_journal(&r) < 0 || apply_run_plan(&r) < 0) {
		goto fail;
	}
	if (!r.plan.n && r.moves.n) {
		code = run_moves_only(&r, &res, &msg);
		goto out;
	}
	if (!r.plan.n) {
		report_plan_summary(&r.plan, &msg);
		if (o->json) {
			print_json(&r, &res, true, msg.buf);
		} else if (!o->quiet) {
			apply_run_print_diags(&r);
			printf("%s\n", msg.buf);
		}
		code = CG_EXIT_OK;
		goto out;
	}
	cg_exec_restore_goal(&r.cur, &r.target, &goal);
	if (cg_journal_begin(o->state_dir, &goal, &j, &e) < 0) {
		cg_state_release(&goal);
		cg_error_wrap(&e, "cannot start the journal");
		apply_run_set_error(&r, e);
		goto fail;
	}
	cg_state_release(&goal);
	apply_verbose(o, "journal '%s' started; running %zu step%s", cg_journal_path(j), r.plan.n,
		      r.plan.n == 1 ? "" : "s");
	if (!o->json)
		apply_run_print_diags(&r);
	if (cg_exec_run(r.fs, &r.plan, &r.cur, &r.target, j, &res) == 0 &&
	    run_moves_after(&r, &res) == 0) {
		apply_record_created(o, &r.cur, &r.target);
		strbuf_adds(&msg, "Apply complete: ");
		report_done_summary(&r.plan, &msg);
		if (r.moves.n)
			strbuf_adds(&msg, "; ");
		report_moves_summary(&r.moves, true, &msg);
		strbuf_addch(&msg, '.');
		if (o->json) {
			print_json(&r, &res, true, msg.buf);
		} else if (!o->quiet) {
			report_text_plan(&r.plan, &res, &o->out, stdout);
			report_text_moves(&r.moves, &o->out, stdout);
			printf("\n%s\n", msg.buf);
		}
		code = o->detailed ? CG_EXIT_CHANGES : CG_EXIT_OK;
		goto out;
	}
	if (!o->json && !o->quiet) {
		report_text_plan(&r.plan, &res, &o->out, stdout);
		report_text_moves(&r.moves, &o->out, stdout);
	}
	code = report_failure(&r, &res, &msg);
	if (o->json)
		print_json(&r, &res, false, msg.buf);
	goto out;

fail:
	code = apply_run_fail(&r);
out:
	strbuf_release(&msg);
	exec_result_release(&res);
	apply_run_release(&r);
	return code;
}

int
cmd_apply(int argc, char **argv)
{
	struct apply_opts o;
	int code;

	if (apply_opts_parse(&o, "apply", cmd_apply_usage,
			     AO_CONFIG | AO_PRUNE | AO_LOCK | AO_DRY_RUN | AO_FORCE | AO_DETAILED |
				     AO_PLANFILE,
			     argc, argv, &code) < 0) {
		apply_opts_release(&o);
		return code;
	}
	code = o.dry_run ? apply_plan_main(&o) : run_apply(&o);
	apply_opts_release(&o);
	return code;
}

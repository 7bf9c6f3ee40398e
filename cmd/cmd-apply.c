/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cgapply apply: make the live hierarchy match the configuration. Under the lock: refuse
 * an unfinished journal, plan, journal the state to restore, run the plan step by step
 * (apply/exec), verify, and on any failure restore the state from before.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "apply/exec.h"
#include "apply/journal.h"
#include "cmd/apply-common.h"
#include "cmd/cli.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

const char cmd_apply_usage[] =
	"Usage: cgapply apply [OPTIONS]\n"
	"\n"
	"Make the live cgroups match the configuration: plan, then run each step under a lock\n"
	"with a journal, read every written value back, and on any failure restore the state\n"
	"from before the apply. Prints what it did as plan shows it.\n"
	"\n"
	"Options:\n"
	"  -f, --file FILE|DIR      configuration (repeatable; default " SYSCONFDIR "/cgapply)\n"
	"      --parent PATH        place every group under PATH in each hierarchy\n"
	"      --prune              also remove groups that the configuration no longer has\n"
	"      --force              allow memory limits below the current usage\n"
	"      --dry-run            only show the plan (the same as cgapply plan)\n"
	"      --cgroup-root DIR    the cgroup trees (default " CG_DEFAULT_CGROUP_ROOT ")\n"
	"      --state-dir DIR      journal and lock (default " CG_DEFAULT_STATE_DIR ")\n"
	"      --lock-timeout SECS  wait that long for another cgapply to finish (default 0)\n"
	"      --json               print one JSON object on stdout, nothing else\n"
	"      --detailed-exitcode  exit 2 when something was changed\n"
	"      --no-color           never colour the output\n"
	"  -q, --quiet              print errors only\n"
	"  -v, --verbose            say what is read and locked\n"
	"  -h, --help               show this help\n"
	"\n"
	"Exit status: 0 done (or nothing to do), 2 changed (--detailed-exitcode), 1 failed and\n"
	"everything was restored, 3 invalid configuration, 4 precondition failed (lock held,\n"
	"hierarchy missing, unfinished journal, plan refused), 5 failed and the restore is\n"
	"incomplete (the journal is kept: run cgapply rollback), 64 usage error.\n";

static void
print_json(const struct apply_run *r, const struct exec_result *res, bool ok, const char *msg)
{
	struct report_result rr = { .msg = msg };
	struct strbuf sb = STRBUF_INIT;

	rr.changed = ok ? r->plan.n > 0 : !res->rollback_complete;
	rr.failed = !ok;
	rr.plan = &r->plan;
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
	if (apply_run_config(&r) < 0 || apply_run_open(&r) < 0 || apply_run_lock(&r) < 0 ||
	    apply_run_check_journal(&r) < 0 || apply_run_plan(&r) < 0)
		goto fail;
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
	if (cg_exec_run(r.fs, &r.plan, &r.cur, &r.target, j, &res) == 0) {
		apply_record_created(o, &r.cur, &r.target);
		strbuf_adds(&msg, "Apply complete: ");
		report_done_summary(&r.plan, &msg);
		strbuf_addch(&msg, '.');
		if (o->json) {
			print_json(&r, &res, true, msg.buf);
		} else if (!o->quiet) {
			report_text_plan(&r.plan, &res, &o->out, stdout);
			printf("\n%s\n", msg.buf);
		}
		code = o->detailed ? CG_EXIT_CHANGES : CG_EXIT_OK;
		goto out;
	}
	if (!o->json && !o->quiet)
		report_text_plan(&r.plan, &res, &o->out, stdout);
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
			     AO_CONFIG | AO_LOCK | AO_DRY_RUN | AO_FORCE | AO_DETAILED, argc, argv,
			     &code) < 0) {
		apply_opts_release(&o);
		return code;
	}
	code = o.dry_run ? apply_plan_main(&o) : run_apply(&o);
	apply_opts_release(&o);
	return code;
}

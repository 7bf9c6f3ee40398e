/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cgapply plan: the dry run. Reads the configuration and the live hierarchy, and shows
 * the steps that apply would run, in order, without changing anything (it takes no
 * lock and writes nothing, not even in the state directory). `apply --dry-run` is this.
 */
#include "config.h"

#include <stdio.h>

#include "cmd/apply-common.h"
#include "cmd/cli.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

const char cmd_plan_usage[] =
	"Usage: cgapply plan [OPTIONS]\n"
	"\n"
	"Show what apply would change, in the order it would run, without changing anything:\n"
	"'+' create, '~' change (old -> new), '-' remove, grouped by group, and a summary.\n"
	"\n"
	"Options:\n"
	"  -f, --file FILE|DIR      configuration (repeatable; default " SYSCONFDIR "/cgapply)\n"
	"      --parent PATH        place every group under PATH in each hierarchy\n"
	"      --prune              also remove groups that the configuration no longer has\n"
	"      --force              allow memory limits below the current usage\n"
	"      --cgroup-root DIR    the cgroup trees (default " CG_DEFAULT_CGROUP_ROOT ")\n"
	"      --state-dir DIR      journal and lock (default " CG_DEFAULT_STATE_DIR ")\n"
	"      --lock-timeout SECS  accepted for apply's sake; plan takes no lock\n"
	"      --json               print one JSON object on stdout, nothing else\n"
	"      --detailed-exitcode  exit 2 when changes are pending\n"
	"      --no-color           never colour the output\n"
	"  -q, --quiet              print errors only\n"
	"  -v, --verbose            say what is read\n"
	"  -h, --help               show this help\n"
	"\n"
	"Exit status: 0 in sync (or changes pending, without --detailed-exitcode), 2 changes\n"
	"pending (--detailed-exitcode), 1 error, 3 invalid configuration, 4 precondition failed\n"
	"(hierarchy missing, unfinished journal, plan refused), 64 usage error.\n";

int
apply_plan_main(const struct apply_opts *o)
{
	struct apply_run r;
	struct strbuf summary = STRBUF_INIT;
	int code;

	apply_run_init(&r, o);
	if (apply_run_config(&r) < 0 || apply_run_open(&r) < 0 || apply_run_check_journal(&r) < 0 ||
	    apply_run_plan(&r) < 0) {
		code = apply_run_fail(&r);
		apply_run_release(&r);
		return code;
	}
	report_plan_summary(&r.plan, &summary);
	if (o->json) {
		struct report_result rr = { .changed = r.plan.n > 0, .msg = summary.buf };
		struct strbuf sb = STRBUF_INIT;

		rr.plan = &r.plan;
		rr.diags = &r.diags;
		report_json_result(&rr, &sb);
		fputs(sb.buf, stdout);
		strbuf_release(&sb);
	} else if (!o->quiet) {
		apply_run_print_diags(&r);
		report_text_plan(&r.plan, NULL, &o->out, stdout);
		printf("%s%s\n", r.plan.n ? "\n" : "", summary.buf);
	}
	code = o->detailed && r.plan.n ? CG_EXIT_CHANGES : CG_EXIT_OK;
	strbuf_release(&summary);
	apply_run_release(&r);
	return code;
}

int
cmd_plan(int argc, char **argv)
{
	struct apply_opts o;
	int code;

	if (apply_opts_parse(&o, "plan", cmd_plan_usage,
			     AO_CONFIG | AO_LOCK | AO_FORCE | AO_DETAILED, argc, argv, &code) < 0) {
		apply_opts_release(&o);
		return code;
	}
	code = apply_plan_main(&o);
	apply_opts_release(&o);
	return code;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cgapply plan: the dry run. Reads the configuration and the live hierarchy, and shows
 * the steps that apply would run, in order, without changing anything (it takes no
 * lock and writes nothing, not even in the state directory). `apply --dry-run` is this.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "apply/planfile.h"
#include "cmd/apply-common.h"
#include "cmd/cli.h"
#include "cmd/place.h"
#include "lib/xalloc.h"

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
	"      --allow-systemd-cgroups  write in cgroups that systemd owns (see cgapply(8))\n"
	"      --force              allow a v2 memory.max below the current usage\n"
	"      --out FILE           also save the plan, bound to the live state it was made\n"
	"                           from, for 'cgapply apply FILE'\n"
	"      --cgroup-root DIR    the cgroup trees (default " CG_DEFAULT_CGROUP_ROOT ")\n"
	"      --state-dir DIR      journal and lock (default " CG_DEFAULT_STATE_DIR ")\n"
	"      --lock-timeout SECS  accepted for apply's sake; plan takes no lock\n"
	"      --json               print one JSON object on stdout, nothing else\n"
	"      --detailed-exitcode  exit 2 when changes are pending\n"
	"      --no-color           never colour the output\n"
	"  -q, --quiet              print errors only\n"
	"  -v, --verbose            say what is read\n"
	"      --syslog             send messages to syslog(3) instead of stderr\n"
	"  -h, --help               show this help\n"
	"\n"
	"Exit status: 0 in sync (or changes pending, without --detailed-exitcode), 2 changes\n"
	"pending (--detailed-exitcode), 1 error, 3 invalid configuration, 4 precondition failed\n"
	"(hierarchy missing, unfinished journal, plan refused), 64 usage error.\n";

/* plan --out: the plan, the states it was made from and to, and the configuration's hashes. */
static int
save_plan(struct apply_run *r)
{
	const struct apply_opts *o = r->o;
	struct cg_planfile pf;
	struct strbuf sb = STRBUF_INIT;
	struct cg_error *e = NULL;
	size_t i;
	int ret = -1;

	cg_planfile_init(&pf);
	pf.version = xstrdup(PACKAGE_VERSION);
	pf.cgroup_root = xstrdup(o->cgroup_root);
	pf.parent = o->parent ? xstrdup(o->parent) : NULL;
	pf.prune = o->prune;
	pf.force = o->force;
	for (i = 0; i < r->model->nfiles; i++) {
		uint64_t h;

		if (cg_planfile_hash_file(r->model->files[i], &h, &e) < 0)
			goto out;
		cg_planfile_add_config(&pf, r->model->files[i], h);
	}
	/* the plan file owns copies: the run keeps its own states and plan */
	cg_state_copy(&pf.cur, &r->cur);
	cg_state_copy(&pf.target, &r->target);
	pf.plan = r->plan;
	pf.moves = r->moves;
	ret = cg_planfile_serialize(&pf, &sb, &e);
	plan_init(&pf.plan);
	cg_moves_init(&pf.moves);
	if (ret == 0)
		ret = cg_planfile_write(o->out_path, &sb, &e);
out:
	if (ret < 0) {
		cg_error_wrap(&e, "cannot save the plan to '%s'", o->out_path);
		apply_run_set_error(r, e);
	}
	strbuf_release(&sb);
	cg_planfile_release(&pf);
	return ret;
}

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
	if (o->out_path && save_plan(&r) < 0) {
		code = apply_run_fail(&r);
		apply_run_release(&r);
		return code;
	}
	report_plan_summary(&r.plan, &summary);
	if (r.moves.n) {
		strbuf_adds(&summary, " Plus ");
		report_moves_summary(&r.moves, false, &summary);
		strbuf_addch(&summary, '.');
	}
	if (o->out_path && o->json)
		strbuf_addf(&summary, " Saved the plan to '%s'.", o->out_path);
	if (o->json) {
		struct report_result rr = { .changed = r.plan.n > 0 || r.moves.n > 0,
					    .msg = summary.buf };
		struct strbuf sb = STRBUF_INIT;

		rr.plan = &r.plan;
		rr.moves = r.placing ? &r.moves : NULL;
		rr.diags = &r.diags;
		report_json_result(&rr, &sb);
		fputs(sb.buf, stdout);
		strbuf_release(&sb);
	} else if (!o->quiet) {
		apply_run_print_diags(&r);
		report_text_plan(&r.plan, NULL, &o->out, stdout);
		report_text_moves(&r.moves, &o->out, stdout);
		printf("%s%s\n", r.plan.n || r.moves.n ? "\n" : "", summary.buf);
		if (o->out_path)
			printf("\nSaved the plan to '%s'. To apply exactly this plan, run:\n"
			       "    cgapply apply %s\n",
			       o->out_path, o->out_path);
		if (o->out_path && r.moves.n)
			printf("Its task moves are made for the processes that are still the same then\n"
			       "(start time, executable, user); the others are skipped as gone.\n");
	}
	code = o->detailed && (r.plan.n || r.moves.n) ? CG_EXIT_CHANGES : CG_EXIT_OK;
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
			     AO_CONFIG | AO_PRUNE | AO_LOCK | AO_FORCE | AO_DETAILED | AO_OUT, argc,
			     argv, &code) < 0) {
		apply_opts_release(&o);
		return code;
	}
	code = apply_plan_main(&o);
	apply_opts_release(&o);
	return code;
}

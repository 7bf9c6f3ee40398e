/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cgapply classify: place existing processes by the rules, once (cgclassify). The
 * processes named, or every process; each goes, per hierarchy, where the first matching
 * rule says. Template destinations are created on demand with their perm and values.
 * A process that exits meanwhile is gone, not a failure; kernel threads are never moved.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/fs.h"
#include "cmd/apply-common.h"
#include "cmd/cli.h"
#include "cmd/place.h"
#include "lib/xalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

const char cmd_classify_usage[] =
	"Usage: cgapply classify [OPTIONS] [PID...]\n"
	"\n"
	"Place running processes where the rules of the configuration say (as cgclassify\n"
	"does): the PIDs given, or every process. Each process (all its threads) goes, in\n"
	"each hierarchy, to the destination of the first rule that matches it; template\n"
	"groups are created on demand. Kernel threads are never moved; processes matched by\n"
	"an ignore rule stay where they are.\n"
	"\n"
	"Options:\n"
	"  -f, --file FILE|DIR      configuration (repeatable; default " SYSCONFDIR "/cgapply)\n"
	"      --parent PATH        the groups are under PATH in each hierarchy\n"
	"      --dry-run            only show where the processes would go\n"
	"      --cgroup-root DIR    the cgroup trees (default " CG_DEFAULT_CGROUP_ROOT ")\n"
	"      --state-dir DIR      lock (default " CG_DEFAULT_STATE_DIR ")\n"
	"      --lock-timeout SECS  wait that long for the lock to create a group (default 5)\n"
	"      --json               print one JSON object on stdout, nothing else\n"
	"      --no-color           never colour the output\n"
	"  -q, --quiet              print errors only\n"
	"  -v, --verbose            say what is read\n"
	"      --syslog             send messages to syslog(3) instead of stderr\n"
	"      --allow-systemd-cgroups  move processes into cgroups that systemd owns\n"
	"  -h, --help               show this help\n"
	"\n"
	"Exit status: 0 done, 1 a process could not be moved (the others were), 3 invalid\n"
	"configuration, 4 precondition failed, 64 usage error.\n";

static bool
all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static bool
takes_value(const char *opt)
{
	static const char *const with[] = {
		"-f", "--file", "--parent", "--cgroup-root", "--state-dir", "--lock-timeout", NULL
	};
	size_t i;

	for (i = 0; with[i]; i++)
		if (strcmp(opt, with[i]) == 0)
			return true;
	return false;
}

static void
print_json(const struct apply_run *r, bool ok, const char *msg, const struct cg_error *e)
{
	struct report_result rr = { .msg = msg };
	struct strbuf sb = STRBUF_INIT;

	rr.changed = cg_moves_count(&r->moves, CG_MOVE_DONE) > 0;
	rr.failed = !ok;
	rr.moves = &r->moves;
	rr.diags = &r->diags;
	rr.errors[0] = e;
	report_json_result(&rr, &sb);
	fputs(sb.buf, stdout);
	strbuf_release(&sb);
}

static int
run_classify(const struct apply_opts *o, const pid_t *pids, size_t npids)
{
	const struct cg_place_opts po = { .parent = o->parent };
	struct apply_run r;
	struct strbuf msg = STRBUF_INIT;
	struct cg_error *e = NULL;
	int code;

	apply_run_init(&r, o);
	if (apply_run_config(&r) < 0 || apply_run_open(&r) < 0)
		goto fail;
	if (strcmp(o->cgroup_root, CG_DEFAULT_CGROUP_ROOT) != 0) {
		cg_error_set(
			&e, CG_E_PRECOND, 0,
			"classify places processes in the system's cgroups ('%s'), not in '%s'",
			CG_DEFAULT_CGROUP_ROOT, o->cgroup_root);
		apply_run_set_error(&r, e);
		goto fail;
	}
	r.placing = true;
	if (cg_place_scan(r.model, &r.hosts, pids, npids, &po, &r.moves, &r.diags, &e) < 0) {
		apply_run_set_error(&r, e);
		goto fail;
	}
	/* as apply: no moves into cgroups systemd owns (exit 4, nothing moved) */
	if (!o->dry_run && apply_run_check_systemd(&r) < 0)
		goto fail;
	if (o->dry_run) {
		strbuf_adds(&msg, r.moves.n ? "Would make " : "Nothing to move.");
		if (r.moves.n) {
			report_moves_summary(&r.moves, false, &msg);
			strbuf_addch(&msg, '.');
		}
		if (o->json) {
			print_json(&r, true, msg.buf, NULL);
		} else if (!o->quiet) {
			apply_run_print_diags(&r);
			report_text_moves(&r.moves, &o->out, stdout);
			printf("%s%s\n", r.moves.n ? "\n" : "", msg.buf);
		}
		code = CG_EXIT_OK;
		goto out;
	}
	if (place_create_groups(&r, &r.moves, true, &e) < 0) {
		apply_run_set_error(&r, e);
		goto fail;
	}
	code = CG_EXIT_OK;
	if (cg_place_run(r.fs, NULL, &r.moves, &e) < 0)
		code = CG_EXIT_FAILED;
	if (r.moves.n) {
		report_moves_summary(&r.moves, true, &msg);
		strbuf_addch(&msg, '.');
		msg.buf[0] = (char)(msg.buf[0] >= 'a' && msg.buf[0] <= 'z' ? msg.buf[0] - 32
									   : msg.buf[0]);
	} else {
		strbuf_adds(&msg, "Nothing to move.");
	}
	if (o->json) {
		print_json(&r, code == CG_EXIT_OK, msg.buf, e);
	} else {
		if (!o->quiet) {
			apply_run_print_diags(&r);
			report_text_moves(&r.moves, &o->out, stdout);
		}
		if (e) {
			char *t = report_error_text(e);
			struct report_opts eo = o->err;

			eo.quiet = false;
			report_text_error("error", t, &eo, stderr);
			free(t);
		}
		if (!o->quiet)
			printf("%s%s\n", r.moves.n ? "\n" : "", msg.buf);
	}
	cg_error_free(e);
	goto out;
fail:
	code = apply_run_fail(&r);
out:
	strbuf_release(&msg);
	apply_run_release(&r);
	return code;
}

int
cmd_classify(int argc, char **argv)
{
	struct apply_opts o;
	char **args = xcalloc((size_t)argc + 1, sizeof(*args));
	pid_t *pids = xcalloc((size_t)argc + 1, sizeof(*pids));
	size_t npids = 0;
	int nargs = 0, i, code;

	/* the PIDs are the numeric arguments that are no option's value */
	for (i = 0; i < argc; i++) {
		if (i > 0 && all_digits(argv[i]) && !takes_value(argv[i - 1])) {
			long v = strtol(argv[i], NULL, 10);

			if (v <= 0 || v > 0x7fffffffL) {
				code = cli_usage_error("classify", "'%s' is not a process id",
						       argv[i]);
				free(args);
				free(pids);
				return code;
			}
			pids[npids++] = (pid_t)v;
			continue;
		}
		args[nargs++] = argv[i];
	}
	if (apply_opts_parse(&o, "classify", cmd_classify_usage, AO_CONFIG | AO_LOCK | AO_DRY_RUN,
			     nargs, args, &code) < 0) {
		apply_opts_release(&o);
		free(args);
		free(pids);
		return code;
	}
	code = run_classify(&o, pids, npids);
	apply_opts_release(&o);
	free(args);
	free(pids);
	return code;
}

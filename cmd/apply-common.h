/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What plan, apply and rollback share: their options, and the pipeline from the
 * configuration to a plan, each stage mapping its failure to an exit status:
 *
 *   apply_opts_parse → apply_run_config (parse, ids_must_exist) → apply_run_open (cgroup
 *   root, hierarchies) → [apply_run_lock] → apply_run_check_journal → apply_run_plan
 *   (layout, snapshot, desired, plan, overcommit notes)
 *
 * A stage that fails leaves r->code (an enum cg_exit) and either r->error or errors in
 * r->diags; apply_run_fail() prints them (text on stderr, or the JSON object on stdout)
 * and returns the code.
 */
#ifndef CGAPPLY_CMD_APPLY_COMMON_H
#define CGAPPLY_CMD_APPLY_COMMON_H

#include <stdbool.h>
#include <stddef.h>

#include "apply/hierarchy.h"
#include "apply/layout.h"
#include "apply/place.h"
#include "apply/plan.h"
#include "apply/state.h"
#include "cmd/report.h"
#include "lib/error.h"
#include "parser/diag.h"
#include "parser/model.h"

#define CG_DEFAULT_CGROUP_ROOT "/sys/fs/cgroup"
#define CG_DEFAULT_STATE_DIR   "/var/lib/cgapply"

/* Which options a command takes (the output options, --cgroup-root and --state-dir always). */
enum apply_optmask {
	AO_CONFIG = 1 << 0,   /* -f, --parent, --allow-systemd-cgroups */
	AO_LOCK = 1 << 1,     /* --lock-timeout */
	AO_DRY_RUN = 1 << 2,  /* --dry-run */
	AO_FORCE = 1 << 3,    /* --force */
	AO_DETAILED = 1 << 4, /* --detailed-exitcode */
	AO_OUT = 1 << 5,      /* plan --out FILE */
	AO_PLANFILE = 1 << 6, /* apply PLANFILE */
	AO_EVENTS = 1 << 7,   /* watch --event-buffer SIZE */
	AO_PRUNE = 1 << 8,    /* plan, apply --prune */
};

struct apply_opts {
	const char *cmd; /* "plan", "apply", "rollback" */
	const char **paths;
	size_t npaths, paths_alloc;
	char *parent;	   /* normalized: no leading or trailing '/'; NULL for none */
	char *cgroup_root; /* absolute */
	const char *state_dir;
	int lock_timeout_ms;
	bool prune, force, dry_run, json, detailed, no_color, quiet;
	bool allow_systemd; /* --allow-systemd-cgroups */
	int verbose;
	char *what;		/* "cgapply apply -f x.yaml": the lock holder's description */
	const char *out_path;	/* plan --out FILE */
	const char *planfile;	/* apply PLANFILE (then no configuration is read) */
	bool parent_set;	/* --parent was given */
	size_t event_buffer;	/* watch --event-buffer: bytes; 0 for the default */
	struct report_opts out; /* stdout: colour when a terminal */
	struct report_opts err; /* stderr */
};

/*
 * Parses argv (argv[0] is the command name). Returns 0 to go on; -1 when the run is
 * over, with *code the exit status (0 after --help, 64 after a usage error, printed).
 */
int apply_opts_parse(struct apply_opts *o, const char *cmd, const char *usage, unsigned mask,
		     int argc, char **argv, int *code);
void apply_opts_release(struct apply_opts *o);

struct cg_fs;
struct cg_lock;

struct apply_run {
	const struct apply_opts *o;
	struct cg_diags diags;
	struct cg_model *model;
	struct cg_fs *fs;
	struct cg_hosttree hosts;
	struct cg_layout layout;
	struct cg_state cur, target;
	struct plan plan;
	struct cg_moves moves; /* task moves by the rules, run after the plan's steps */
	bool placing;	       /* the rules place processes (the system's cgroup root) */
	struct cg_lock *lock;
	struct cg_error *error;
	char *hint; /* what to do about the error, printed after it (a note in JSON) */
	int code;
};

void apply_run_init(struct apply_run *r, const struct apply_opts *o);
void apply_run_release(struct apply_run *r);

int apply_run_config(struct apply_run *r);
int apply_run_open(struct apply_run *r);
int apply_run_lock(struct apply_run *r);
/* A journal left by an interrupted apply: refuse (exit 4) with what to do. */
int apply_run_check_journal(struct apply_run *r);
int apply_run_plan(struct apply_run *r);
/*
 * The task moves of the rules (apply/place), run by apply_run_plan before the layout:
 * scans every process and instantiates the template groups used. Only on the system's
 * cgroup root, whose hierarchies /proc/PID/cgroup describes.
 */
int apply_run_scan(struct apply_run *r);
/*
 * Where systemd is PID 1, refuses (exit 4, with a hint on delegation) a plan that writes
 * in its cgroups, unless --allow-systemd-cgroups (apply/systemd.h). apply_run_plan runs it.
 */
int apply_run_check_systemd(struct apply_run *r);

/* Sets r->error and r->code (from the error's kind); returns -1. */
int apply_run_set_error(struct apply_run *r, struct cg_error *e);
/* The exit status for an error of this kind. */
int apply_exit_for(const struct cg_error *e);
/* Prints the failure and returns r->code. */
int apply_run_fail(struct apply_run *r);
/* After a successful apply or rollback: records the groups it created and removed (--prune). */
void apply_record_created(const struct apply_opts *o, const struct cg_state *from,
			  const struct cg_state *to);

/* Prints the diagnostics (warnings, notes) on stderr, unless --json or -q. */
void apply_run_print_diags(const struct apply_run *r);
/* -v: "cgapply: MSG" on stderr. */
void apply_verbose(const struct apply_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The plan command's body, also `apply --dry-run`. */
int apply_plan_main(const struct apply_opts *o);

#endif

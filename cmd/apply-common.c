/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "cmd/apply-common.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "apply/affinity.h"
#include "apply/desired.h"
#include "apply/fs.h"
#include "apply/journal.h"
#include "apply/registry.h"
#include "apply/snapshot.h"
#include "apply/systemd.h"
#include "cmd/cli.h"
#include "cmd/log.h"
#include "cmd/report.h"
#include "lib/xalloc.h"
#include "parser/parse.h"
#include "parser/value.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

/* the read-back of an unlimited v1 memory limit and above */
#define V1_UNLIMITED 9223372036854771712ULL

/* watch --event-buffer: what the kernel takes for a socket's receive buffer, roughly */
#define EVENT_BUFFER_MIN 4096
#define EVENT_BUFFER_MAX (UINT64_C(1) << 30)

enum {
	OPT_PARENT = 256,
	OPT_CGROUP_ROOT,
	OPT_STATE_DIR,
	OPT_LOCK_TIMEOUT,
	OPT_PRUNE,
	OPT_FORCE,
	OPT_DRY_RUN,
	OPT_JSON,
	OPT_DETAILED,
	OPT_NO_COLOR,
	OPT_OUT,
	OPT_SYSLOG,
	OPT_ALLOW_SYSTEMD,
	OPT_EVENT_BUFFER,
};

static const struct option apply_options[] = {
	{ "file", required_argument, NULL, 'f' },
	{ "parent", required_argument, NULL, OPT_PARENT },
	{ "cgroup-root", required_argument, NULL, OPT_CGROUP_ROOT },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT },
	{ "prune", no_argument, NULL, OPT_PRUNE },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "detailed-exitcode", no_argument, NULL, OPT_DETAILED },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "allow-systemd-cgroups", no_argument, NULL, OPT_ALLOW_SYSTEMD },
	{ "event-buffer", required_argument, NULL, OPT_EVENT_BUFFER },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The option mask bit an option needs, 0 for those every command takes. */
static unsigned
option_needs(int c)
{
	switch (c) {
	case 'f':
	case OPT_PARENT:
	case OPT_ALLOW_SYSTEMD:
		return AO_CONFIG;
	case OPT_PRUNE:
		return AO_PRUNE;
	case OPT_LOCK_TIMEOUT:
		return AO_LOCK;
	case OPT_DRY_RUN:
		return AO_DRY_RUN;
	case OPT_FORCE:
		return AO_FORCE;
	case OPT_DETAILED:
		return AO_DETAILED;
	case OPT_OUT:
		return AO_OUT;
	case OPT_EVENT_BUFFER:
		return AO_EVENTS;
	}
	return 0;
}

/* "--parent /a/b/" → "a/b"; NULL for "" or "/"; -1 for ".." or "." components. */
static int
normalize_parent(const char *in, char **out)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = in;

	while (*p) {
		const char *slash;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.') ||
		    memchr(p, '\n', n)) {
			strbuf_release(&sb);
			return -1;
		}
		if (sb.len)
			strbuf_addch(&sb, '/');
		strbuf_add(&sb, p, n);
		p += n;
	}
	*out = sb.len ? strbuf_detach(&sb) : NULL;
	strbuf_release(&sb);
	return 0;
}

static int
parse_timeout(const char *s, int *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0))
		return -1;
	*ms = v * 1000 >= INT_MAX ? INT_MAX : (int)(v * 1000 + 0.5);
	return 0;
}

int
apply_opts_parse(struct apply_opts *o, const char *cmd, const char *usage, unsigned mask, int argc,
		 char **argv, int *code)
{
	struct strbuf what = STRBUF_INIT;
	const char *root = CG_DEFAULT_CGROUP_ROOT;
	char *real;
	int c, i;

	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->state_dir = CG_DEFAULT_STATE_DIR;
	optind = 1;
	opterr = 0;
	for (;;) {
		int li = -1;

		c = getopt_long(argc, argv, ":f:qvh", apply_options, &li);
		if (c == -1)
			break;
		if (c == '?' || c == ':') {
			*code = c == ':' ? cli_usage_error(cmd, "option '%s' needs a value",
							   argv[optind - 1])
					 : cli_usage_error(cmd, "unknown option '%s'",
							   argv[optind - 1]);
			return -1;
		}
		if (option_needs(c) & ~mask) {
			if (li >= 0)
				*code = cli_usage_error(cmd, "option '--%s' does not apply to '%s'",
							apply_options[li].name, cmd);
			else
				*code = cli_usage_error(cmd, "option '-%c' does not apply to '%s'",
							c, cmd);
			return -1;
		}
		switch (c) {
		case 'f':
			o->paths =
				xgrow(o->paths, sizeof(*o->paths), o->npaths + 1, &o->paths_alloc);
			o->paths[o->npaths++] = optarg;
			break;
		case OPT_PARENT:
			free(o->parent);
			o->parent = NULL;
			o->parent_set = true;
			if (normalize_parent(optarg, &o->parent) < 0) {
				*code = cli_usage_error(
					cmd,
					"--parent '%s' must not contain '.' or '..' components",
					optarg);
				return -1;
			}
			break;
		case OPT_CGROUP_ROOT:
			root = optarg;
			break;
		case OPT_STATE_DIR:
			o->state_dir = optarg;
			break;
		case OPT_LOCK_TIMEOUT:
			if (parse_timeout(optarg, &o->lock_timeout_ms) < 0) {
				*code = cli_usage_error(
					cmd, "--lock-timeout '%s' is not a number of seconds",
					optarg);
				return -1;
			}
			break;
		case OPT_PRUNE:
			o->prune = true;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_DETAILED:
			o->detailed = true;
			break;
		case OPT_NO_COLOR:
			o->no_color = true;
			break;
		case OPT_OUT:
			o->out_path = optarg;
			break;
		case OPT_SYSLOG:
			log_setup(LOG_TARGET_SYSLOG);
			break;
		case OPT_ALLOW_SYSTEMD:
			o->allow_systemd = true;
			break;
		case OPT_EVENT_BUFFER: {
			bool unlimited = false;
			uint64_t bytes = 0;

			if (cg_size_parse(optarg, &unlimited, &bytes) < 0 || unlimited ||
			    bytes < EVENT_BUFFER_MIN || bytes > EVENT_BUFFER_MAX) {
				*code = cli_usage_error(
					cmd,
					"--event-buffer '%s' is not a size from 4K to 1G (suffixes K, M, G)",
					optarg);
				return -1;
			}
			o->event_buffer = (size_t)bytes;
			break;
		}
		case 'q':
			o->quiet = true;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			fputs(usage, stdout);
			*code = CG_EXIT_OK;
			return -1;
		}
	}
	if (optind < argc && (mask & AO_PLANFILE) && optind + 1 == argc) {
		/* a saved plan fixes the configuration and the plan's options */
		if (o->npaths || o->prune || o->force || o->dry_run) {
			*code = cli_usage_error(
				cmd,
				"%s cannot go with a plan file: it was fixed when the plan was made",
				o->npaths  ? "-f"
				: o->prune ? "--prune"
				: o->force ? "--force"
					   : "--dry-run");
			return -1;
		}
		o->planfile = argv[optind++];
		mask &= ~(unsigned)AO_CONFIG; /* no default configuration path */
	}
	if (optind < argc) {
		if (mask & AO_PLANFILE)
			*code = cli_usage_error(cmd,
						"unexpected argument '%s' (one plan file at most)",
						argv[optind]);
		else if (mask & AO_CONFIG)
			*code = cli_usage_error(
				cmd, "unexpected argument '%s' (name configuration files with -f)",
				argv[optind]);
		else
			*code = cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (!o->npaths && (mask & AO_CONFIG)) {
		o->paths = xgrow(o->paths, sizeof(*o->paths), 1, &o->paths_alloc);
		o->paths[o->npaths++] = SYSCONFDIR "/cgapply";
	}
	if (o->quiet && o->verbose) {
		*code = cli_usage_error(cmd, "-q and -v cannot go together");
		return -1;
	}
	real = realpath(root, NULL);
	o->cgroup_root = real ? real : xstrdup(root);
	strbuf_adds(&what, "cgapply");
	for (i = 0; i < argc && what.len < 200; i++)
		strbuf_addf(&what, " %s", argv[i]);
	/* one line in the lock file */
	for (i = 0; (size_t)i < what.len; i++)
		if (what.buf[i] == '\n')
			what.buf[i] = ' ';
	o->what = strbuf_detach(&what);
	o->out.color = !o->json && cli_use_color(1, o->no_color);
	o->out.quiet = o->quiet;
	o->err.color = cli_use_color(2, o->no_color);
	o->err.quiet = o->quiet;
	return 0;
}

void
apply_opts_release(struct apply_opts *o)
{
	free(o->paths);
	free(o->parent);
	free(o->cgroup_root);
	free(o->what);
	memset(o, 0, sizeof(*o));
}

void
apply_verbose(const struct apply_opts *o, const char *fmt, ...)
{
	va_list ap;

	if (!o->verbose || o->json)
		return;
	log_next_priority(LOG_INFO);
	fputs("cgapply: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- the run ---- */

void
apply_run_init(struct apply_run *r, const struct apply_opts *o)
{
	memset(r, 0, sizeof(*r));
	r->o = o;
	cg_diags_init(&r->diags);
	cg_state_init(&r->cur);
	cg_state_init(&r->target);
	plan_init(&r->plan);
	cg_moves_init(&r->moves);
	r->code = CG_EXIT_OK;
}

void
apply_run_release(struct apply_run *r)
{
	plan_release(&r->plan);
	cg_moves_release(&r->moves);
	cg_state_release(&r->target);
	cg_state_release(&r->cur);
	cg_layout_release(&r->layout);
	cg_hosttree_release(&r->hosts);
	cg_lock_release(r->lock);
	cg_fs_free(r->fs);
	cg_model_free(r->model);
	cg_diags_release(&r->diags);
	cg_error_free(r->error);
	free(r->hint);
	memset(r, 0, sizeof(*r));
}

int
apply_exit_for(const struct cg_error *e)
{
	if (!e)
		return CG_EXIT_FAILED;
	switch (e->kind) {
	case CG_E_CONFIG:
		return CG_EXIT_INVALID;
	case CG_E_USAGE:
		return CG_EXIT_USAGE;
	case CG_E_PRECOND:
		return CG_EXIT_PRECONDITION;
	case CG_E_SYSTEM:
	case CG_E_INTERNAL:
		break;
	}
	return CG_EXIT_FAILED;
}

int
apply_run_set_error(struct apply_run *r, struct cg_error *e)
{
	cg_error_free(r->error);
	r->error = e;
	r->code = apply_exit_for(e);
	return -1;
}

static int
set_precond(struct apply_run *r, struct cg_error *e)
{
	apply_run_set_error(r, e);
	r->code = CG_EXIT_PRECONDITION;
	return -1;
}

void
apply_run_print_diags(const struct apply_run *r)
{
	if (r->o->json || r->o->quiet)
		return;
	report_text_diags(&r->diags, &r->o->err, stderr);
}

/* The first error diagnostic's message, for msg in JSON. */
static const char *
first_error(const struct cg_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->items[i].severity == CG_SEV_ERROR)
			return d->items[i].msg;
	return NULL;
}

int
apply_run_fail(struct apply_run *r)
{
	const struct apply_opts *o = r->o;
	struct strbuf msg = STRBUF_INIT;
	char *etext = r->error ? report_error_text(r->error) : NULL;

	if (r->code == CG_EXIT_OK)
		r->code = CG_EXIT_FAILED;
	if (etext)
		strbuf_adds(&msg, etext);
	else if (r->code == CG_EXIT_INVALID)
		strbuf_addf(&msg, "configuration is invalid: %zu error%s, %zu warning%s",
			    r->diags.errors, r->diags.errors == 1 ? "" : "s", r->diags.warnings,
			    r->diags.warnings == 1 ? "" : "s");
	else if (first_error(&r->diags))
		strbuf_adds(&msg, first_error(&r->diags));
	else
		strbuf_adds(&msg, "failed");
	if (o->json) {
		struct report_result rr = { .changed = false, .failed = true, .msg = msg.buf };
		struct strbuf sb = STRBUF_INIT;

		if (r->hint)
			cg_diag_note(&r->diags, NULL, "%s", r->hint);
		rr.diags = &r->diags;
		rr.errors[0] = r->error;
		report_json_result(&rr, &sb);
		fputs(sb.buf, stdout);
		strbuf_release(&sb);
	} else {
		struct report_opts eo = o->err;

		eo.quiet = false;
		report_text_diags(&r->diags, &eo, stderr);
		if (etext || r->code == CG_EXIT_INVALID || !first_error(&r->diags))
			report_text_error("error", msg.buf, &eo, stderr);
		if (r->hint)
			fprintf(stderr, "hint: %s\n", r->hint);
	}
	free(etext);
	strbuf_release(&msg);
	return r->code;
}

int
apply_run_config(struct apply_run *r)
{
	const struct cg_parse_opts popts = { .ids_must_exist = true };

	if (cg_parse_paths(r->o->paths, r->o->npaths, &popts, &r->model, &r->diags) < 0) {
		r->code = CG_EXIT_INVALID;
		return -1;
	}
	apply_verbose(r->o, "configuration: %zu group%s in %zu file%s", r->model->ngroups,
		      r->model->ngroups == 1 ? "" : "s", r->model->nfiles,
		      r->model->nfiles == 1 ? "" : "s");
	return 0;
}

int
apply_run_open(struct apply_run *r)
{
	const struct apply_opts *o = r->o;
	struct cg_error *e = NULL;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	r->fs = cg_fs_open(o->cgroup_root, &e);
	if (!r->fs)
		return set_precond(r, e);
	if (cg_hier_discover(r->fs, o->cgroup_root, NULL, &r->hosts, &e) < 0) {
		cg_error_wrap(&e, "cannot find the cgroup hierarchies under '%s'", o->cgroup_root);
		return set_precond(r, e);
	}
	if (!r->hosts.n) {
		cg_error_set(&e, CG_E_PRECOND, 0, "no cgroup hierarchy is mounted under '%s'",
			     o->cgroup_root);
		return set_precond(r, e);
	}
	for (i = 0; i < r->hosts.n; i++)
		strbuf_addf(&sb, "%s%s (v%d)", i ? ", " : "",
			    *r->hosts.hiers[i].mount ? r->hosts.hiers[i].mount : ".",
			    (int)r->hosts.hiers[i].version);
	apply_verbose(o, "hierarchies under '%s': %s", o->cgroup_root, sb.buf);
	strbuf_release(&sb);
	return 0;
}

int
apply_run_lock(struct apply_run *r)
{
	struct cg_error *e = NULL;

	if (cg_lock_acquire(r->o->state_dir, r->o->lock_timeout_ms, r->o->what, &r->lock, &e) < 0) {
		if (e->kind == CG_E_PRECOND)
			cg_error_wrap(&e, "cannot take the lock");
		return set_precond(r, e);
	}
	apply_verbose(r->o, "locked '%s/lock'", r->o->state_dir);
	return 0;
}

int
apply_run_check_journal(struct apply_run *r)
{
	const char *dir = r->o->state_dir;
	struct cg_error *e = NULL;
	char *holder = NULL;
	bool rollback;

	if (!cg_journal_pending(dir))
		return 0;
	if (!r->lock && cg_lock_held(dir, &holder)) {
		cg_error_set(
			&e, CG_E_PRECOND, 0,
			"an apply is running: %s holds '%s/lock'; try again when it has finished",
			holder, dir);
		free(holder);
		return set_precond(r, e);
	}
	rollback = cg_journal_pending_rollback(dir);
	free(r->hint);
	r->hint = xasprintf(
		"run 'cgapply rollback%s%s%s%s' to %s, then run 'cgapply %s' again",
		strcmp(r->o->cgroup_root, CG_DEFAULT_CGROUP_ROOT) ? " --cgroup-root " : "",
		strcmp(r->o->cgroup_root, CG_DEFAULT_CGROUP_ROOT) ? r->o->cgroup_root : "",
		strcmp(dir, CG_DEFAULT_STATE_DIR) ? " --state-dir " : "",
		strcmp(dir, CG_DEFAULT_STATE_DIR) ? dir : "",
		rollback ? "finish the interrupted rollback"
			 : "restore the state from before the interrupted apply",
		r->o->cmd);
	cg_error_set(
		&e, CG_E_PRECOND, 0,
		"an interrupted %s left its journal '%s/journal': the cgroups may be half-changed; nothing was done now",
		rollback ? "rollback" : "apply", dir);
	return set_precond(r, e);
}

/* ---- memory overcommit notes ---- */

static bool
hier_has(const struct cg_hier *h, const char *controller)
{
	size_t i;

	if (!h)
		return false;
	for (i = 0; i < h->ncontrollers; i++)
		if (strcmp(h->controllers[i], controller) == 0)
			return true;
	return false;
}

/* The hard limit of a dir, in bytes; false when unlimited or not known. */
static bool
dir_limit(const struct cg_state_dir *d, bool managed_only, uint64_t *bytes)
{
	const char *name =
		d->hier && d->hier->version == CG_V2 ? "memory.max" : "memory.limit_in_bytes";
	const struct cg_state_file *f = cg_state_file(d, name);

	if (!f || !f->present || (managed_only && !f->managed) || f->value.type != CG_VT_SIZE)
		return false;
	if (f->value.u.size.unlimited || f->value.u.size.bytes >= V1_UNLIMITED)
		return false;
	*bytes = f->value.u.size.bytes;
	return true;
}

static uint64_t
host_ram(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);

	if (pages <= 0 || size <= 0)
		return 0;
	return (uint64_t)pages * (uint64_t)size;
}

static void
overcommit_notes(struct apply_run *r)
{
	const struct cg_state *t = &r->target;
	uint64_t ram = host_ram(), lim, *sum;
	size_t *nkids, *kids, i, k;

	if (!t->n)
		return;
	/* one pass to give each limited group's limit to its parent, three kids named each */
	sum = xcalloc(t->n, sizeof(*sum));
	nkids = xcalloc(t->n, sizeof(*nkids));
	kids = xcalloc(t->n * 3, sizeof(*kids));
	for (k = 0; k < t->n; k++) {
		const struct cg_state_dir *c = &t->dirs[k];
		const struct cg_state_dir *p;

		if (!c->exists || !hier_has(c->hier, "memory") || !dir_limit(c, true, &lim))
			continue;
		p = cg_state_parent(t, c);
		if (!p)
			continue;
		i = (size_t)(p - t->dirs);
		sum[i] += lim;
		if (nkids[i] < 3)
			kids[i * 3 + nkids[i]] = k;
		nkids[i]++;
	}
	for (i = 0; i < t->n; i++) {
		const struct cg_state_dir *p = &t->dirs[i];
		struct strbuf names = STRBUF_INIT, a = STRBUF_INIT, b = STRBUF_INIT;
		uint64_t cap = 0;
		bool parent_limited;

		if (!nkids[i] || !p->exists)
			continue;
		parent_limited = dir_limit(p, false, &cap);
		if (!parent_limited)
			cap = ram;
		if (!cap || sum[i] <= cap)
			continue;
		for (k = 0; k < nkids[i] && k < 3; k++) {
			const struct cg_state_dir *c = &t->dirs[kids[i * 3 + k]];

			strbuf_addf(&names, "%s'%s'", k ? ", " : "",
				    c->group ? c->group : c->fspath);
		}
		if (nkids[i] > 3)
			strbuf_addf(&names, " and %zu more", nkids[i] - 3);
		cg_size_human(sum[i], &a);
		cg_size_human(cap, &b);
		if (parent_limited)
			cg_diag_note(
				&r->diags, NULL,
				"memory overcommit: the limits of %s under '%s' add up to %s, more than its own limit of %s",
				names.buf, p->fspath, a.buf, b.buf);
		else
			cg_diag_note(
				&r->diags, NULL,
				"memory overcommit: the limits of %s under '%s' add up to %s, more than the host's %s of RAM",
				names.buf, p->fspath, a.buf, b.buf);
		strbuf_release(&names);
		strbuf_release(&a);
		strbuf_release(&b);
	}
	free(sum);
	free(nkids);
	free(kids);
}

int
apply_run_check_systemd(struct apply_run *r)
{
	struct cg_error *e = NULL;

	if (r->o->allow_systemd || (!r->plan.n && !r->moves.n) || !cg_systemd_booted(NULL))
		return 0;
	/* the steps, and the task moves' destinations (a moves-only apply, classify) */
	if (cg_systemd_check_plan(r->fs, &r->hosts, &r->plan, &e) < 0 ||
	    cg_place_check_systemd(r->fs, &r->hosts, &r->moves, &e) < 0) {
		if (e->kind == CG_E_PRECOND) {
			free(r->hint);
			r->hint = xstrdup(
				"systemd rewrites the cgroups of its units, so keep out of them: give the service the groups are for Delegate=yes (systemd.resource-control(5)) and point --parent inside its cgroup (e.g. --parent system.slice/NAME.service/groups), or pass --allow-systemd-cgroups to write there anyway");
		}
		return set_precond(r, e);
	}
	return 0;
}

int
apply_run_scan(struct apply_run *r)
{
	const struct cg_place_opts po = { .parent = r->o->parent, .instantiate = true };
	struct cg_error *e = NULL;

	if (!r->model || !r->model->nrules)
		return 0;
	/* /proc/PID/cgroup describes the system's hierarchies, not another tree's */
	if (strcmp(r->o->cgroup_root, CG_DEFAULT_CGROUP_ROOT) != 0) {
		cg_diag_note(
			&r->diags, NULL,
			"processes are not placed by the rules: '%s' is not the system's cgroup root",
			r->o->cgroup_root);
		return 0;
	}
	r->placing = true;
	if (cg_place_scan(r->model, &r->hosts, NULL, 0, &po, &r->moves, &r->diags, &e) < 0)
		return apply_run_set_error(r, e);
	apply_verbose(r->o, "read %zu process%s: %zu task move%s", r->moves.scanned,
		      r->moves.scanned == 1 ? "" : "es", r->moves.n, r->moves.n == 1 ? "" : "s");
	return 0;
}

int
apply_run_plan(struct apply_run *r)
{
	const struct apply_opts *o = r->o;
	const struct plan_opts popts = { .prune = o->prune, .force = o->force };
	struct cg_error *e = NULL;

	if (apply_run_scan(r) < 0)
		return -1;
	if (cg_layout_build(r->model, &r->hosts, o->parent, &r->layout, &e) < 0)
		return apply_run_set_error(r, e);
	if (cg_snapshot_read(r->fs, &r->layout, &r->cur, &e) < 0) {
		cg_error_wrap(&e, "cannot read the live state");
		return apply_run_set_error(r, e);
	}
	apply_verbose(o, "read %zu director%s under '%s'", r->cur.n, r->cur.n == 1 ? "y" : "ies",
		      o->cgroup_root);
	if (cg_desired_build(r->model, &r->layout, &r->cur, &r->target, &r->diags) < 0 ||
	    r->diags.errors) {
		r->code = CG_EXIT_INVALID;
		return -1;
	}
	if (o->prune && cg_registry_prune(r->fs, o->state_dir, &r->hosts, o->parent, &r->cur,
					  &r->target, &r->diags, &e) < 0)
		return apply_run_set_error(r, e);
	if (plan_build(&r->cur, &r->target, &popts, &r->plan, &r->diags) < 0 || r->diags.errors) {
		cg_error_set(&e, CG_E_PRECOND, 0,
			     "the plan was refused (%zu problem%s); nothing was changed",
			     r->diags.errors, r->diags.errors == 1 ? "" : "s");
		return set_precond(r, e);
	}
	if (apply_run_check_systemd(r) < 0)
		return -1;
	/* /proc describes the tasks of the system's hierarchies, not another tree's */
	if (strcmp(o->cgroup_root, CG_DEFAULT_CGROUP_ROOT) == 0)
		cg_affinity_check(r->fs, "/proc", &r->cur, &r->plan, &r->diags);
	overcommit_notes(r);
	return 0;
}

void
apply_record_created(const struct apply_opts *o, const struct cg_state *from,
		     const struct cg_state *to)
{
	struct cg_error *e = NULL;

	if (cg_registry_update(o->state_dir, from, to, &e) < 0) {
		char *what = report_error_text(e);

		fprintf(stderr,
			"cgapply: warning: %s; --prune will not know the groups this run created\n",
			what);
		free(what);
		cg_error_free(e);
	}
}

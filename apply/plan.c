/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "apply/plan.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "apply/hierarchy.h"
#include "apply/plan-int.h"
#include "lib/cleanup.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "parser/schema.h"

/*
 * Phases, in the order DESIGN.md "Safe order" gives them, but for rmdir (below); each
 * per-controller pass is in its own file (plan-int.h). Why this order:
 *   1. bottom-up: rmdir. A group about to go still counts in every check the kernel
 *      makes of its parent (cpuset children within the parent, CFS ratios, RT sums, the
 *      devices default only while childless), so it goes before any write; all rmdir
 *      needs is no tasks (refused here otherwise) and no children (bottom-up);
 *   2. top-down: mkdir, the new dir's owners and modes, then its devices rules (the `a`
 *      default is refused once a child exists, and a child copies its parent's list at
 *      mkdir), then v2 controller enables (a child's controller files appear only then);
 *   3. bottom-up: transitional clears of cpuset exclusive flags (children first);
 *   4. top-down: widening writes (cpusets to old ∪ new, CFS ratios that rise);
 *   5. per group: memory limit/memsw, idle before shares, every other file; then RT
 *      budgets, lowered bottom-up and then raised top-down;
 *   6. bottom-up: narrowing writes (cpusets to their final value, CFS ratios that fall);
 *   7. top-down: cpuset exclusive flags set (parents first);
 *   8. bottom-up: v2 controller disables;
 *   9. freezer last: thaws top-down, then freezes.
 */

#define DEFAULT_DIR_MODE 0755

void
plan_init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
}

static void
step_release(struct plan_step *s)
{
	free(s->dir);
	free(s->file);
	free(s->group);
	free(s->hier);
	free(s->old_text);
	free(s->new_text);
}

void
plan_release(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		step_release(&p->steps[i]);
	free(p->steps);
	memset(p, 0, sizeof(*p));
}

const char *
plan_op_name(enum plan_op op)
{
	switch (op) {
	case PLAN_OP_MKDIR:
		return "mkdir";
	case PLAN_OP_WRITE:
		return "write";
	case PLAN_OP_CHOWN:
		return "chown";
	case PLAN_OP_CHMOD:
		return "chmod";
	case PLAN_OP_RMDIR:
		return "rmdir";
	}
	return "?";
}

/* ---- shared helpers (plan-int.h) ---- */

struct cg_state_dir *
pctx_sim(const struct pctx *c, size_t i)
{
	return &c->sim.dirs[i];
}

const char *
pctx_path(const struct pctx *c, size_t i)
{
	return c->sim.dirs[i].fspath;
}

bool
pctx_exists(const struct pctx *c, size_t i)
{
	return c->sim.dirs[i].exists;
}

bool
pctx_has_controller(const struct pctx *c, size_t i, const char *controller)
{
	const struct cg_hier *h = c->sim.dirs[i].hier;
	size_t k;

	if (!h)
		return false;
	for (k = 0; k < h->ncontrollers; k++)
		if (strcmp(h->controllers[k], controller) == 0)
			return true;
	return false;
}

const struct cg_value *
pctx_value(const struct pctx *c, size_t i, const char *file)
{
	const struct cg_state_file *f = cg_state_file(&c->sim.dirs[i], file);

	return f && f->present ? &f->value : NULL;
}

/* A hierarchy root: shared by the whole system, never written whatever a target says. */
static bool
is_root(const struct cg_state_dir *d)
{
	return d->hier && d->hier->mount && strcmp(d->fspath, d->hier->mount) == 0;
}

bool
pctx_foreign(const struct pctx *c, size_t i)
{
	return c->sim.dirs[i].foreign || (c->d[i].tgt && c->d[i].tgt->foreign);
}

const struct cg_state_file *
pctx_target(const struct pctx *c, size_t i, const char *file)
{
	const struct cg_state_file *f;

	if (pctx_foreign(c, i) || !c->d[i].tgt || !c->d[i].tgt->exists || c->d[i].remove ||
	    is_root(&c->sim.dirs[i]))
		return NULL;
	f = cg_state_file(c->d[i].tgt, file);
	return f && f->present && f->managed ? f : NULL;
}

const struct cg_value *
pctx_wanted(const struct pctx *c, size_t i, const char *file)
{
	const struct cg_state_file *f = pctx_target(c, i, file);
	const struct cg_value *now;

	if (!f || !pctx_exists(c, i))
		return NULL;
	now = pctx_value(c, i, file);
	if (now && cg_value_equal(now, &f->value))
		return NULL;
	return &f->value;
}

int64_t
pctx_int(const struct pctx *c, size_t i, const char *file, int64_t dflt)
{
	const struct cg_value *v = pctx_value(c, i, file);

	if (!v || (v->type != CG_VT_INT && v->type != CG_VT_BOOL) || v->u.num.is_max)
		return dflt;
	return v->u.num.v;
}

uint64_t
plan_ratio(uint64_t period, uint64_t runtime)
{
	if (period == 0)
		return 0;
	/* runtime is below 2^44 (cfs) or 2^31 (rt) µs: the shift cannot overflow */
	return (runtime << PLAN_BW_SHIFT) / period;
}

void
plan_int_value(struct cg_value *v, int64_t n)
{
	memset(v, 0, sizeof(*v));
	v->type = CG_VT_INT;
	v->u.num.v = n;
}

static void
problem(struct pctx *c, enum cg_severity sev, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	strbuf_vaddf(&sb, fmt, ap);
	/* a problem found from several directories (a parent's, seen from each child) once */
	for (i = 0; i < c->problems->n; i++)
		if (c->problems->items[i].severity == sev &&
		    strcmp(c->problems->items[i].msg, sb.buf) == 0)
			break;
	if (i == c->problems->n)
		cg_diag_add(c->problems, sev, NULL, "%s", sb.buf);
	strbuf_release(&sb);
}

void
pctx_error(struct pctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	problem(c, CG_SEV_ERROR, fmt, ap);
	va_end(ap);
}

void
pctx_warning(struct pctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	problem(c, CG_SEV_WARNING, fmt, ap);
	va_end(ap);
}

void
pctx_note(struct pctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	problem(c, CG_SEV_NOTE, fmt, ap);
	va_end(ap);
}

/* ---- steps ---- */

static struct plan_step *
step_new(struct pctx *c, enum plan_op op, size_t i, const char *file)
{
	const struct cg_state_dir *d = &c->sim.dirs[i];
	struct plan_step *s;

	c->p->steps = xgrow(c->p->steps, sizeof(*c->p->steps), c->p->n + 1, &c->p->alloc);
	s = &c->p->steps[c->p->n++];
	memset(s, 0, sizeof(*s));
	s->op = op;
	s->dir = xstrdup(d->fspath);
	s->file = file ? xstrdup(file) : NULL;
	s->group = d->group ? xstrdup(d->group) : NULL;
	s->hier = d->hier && d->hier->mount ? xstrdup(d->hier->mount) : NULL;
	s->uid = (uid_t)-1;
	s->gid = (gid_t)-1;
	s->old_uid = (uid_t)-1;
	s->old_gid = (gid_t)-1;
	return s;
}

struct plan_step *
pctx_write_text(struct pctx *c, size_t i, const char *file, const char *old, const char *text,
		bool transitional)
{
	struct plan_step *s = step_new(c, PLAN_OP_WRITE, i, file);

	s->old_text = old ? xstrdup(old) : NULL;
	s->new_text = xstrdup(text);
	s->transitional = transitional;
	return s;
}

static bool
multi_record(enum cg_vtype t)
{
	switch (t) {
	case CG_VT_DEVLIMIT:
	case CG_VT_DEVRULE:
	case CG_VT_KEYED:
		return true;
	case CG_VT_SIZE:
	case CG_VT_INT:
	case CG_VT_BOOL:
	case CG_VT_CPULIST:
	case CG_VT_ENUM:
	case CG_VT_CPUMAX:
	case CG_VT_RAW:
		return false;
	}
	return false;
}

/* Splits formatted multi-record text into its lines (the array owns copies). */
static char **
split_records(const char *text, size_t *n)
{
	char **out = NULL;
	size_t alloc = 0;
	const char *p = text;

	*n = 0;
	if (!*text)
		return NULL;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		out = xgrow(out, sizeof(*out), *n + 1, &alloc);
		out[(*n)++] = xstrndup(p, len);
		if (!nl)
			break;
		p = nl + 1;
	}
	return out;
}

static void
free_records(char **r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(r[i]);
	free(r);
}

/* The key of a record: its first field ("8:0", "default", "rdma0"). */
static size_t
record_key_len(const char *rec)
{
	const char *sp = strchr(rec, ' ');

	return sp ? (size_t)(sp - rec) : strlen(rec);
}

static const char *
find_record(char **recs, size_t n, const char *rec)
{
	size_t k, len = record_key_len(rec), i;

	for (i = 0; i < n; i++) {
		k = record_key_len(recs[i]);
		if (k == len && memcmp(recs[i], rec, len) == 0)
			return recs[i];
	}
	return NULL;
}

/* The record that removes a key the target no longer has, or NULL when there is none. */
static char *
removal_record(const struct cg_filedef *def, enum cg_version ver, const char *key, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	size_t k;

	if (!def || !(def->flags & CG_FF_MAX_WORD))
		return NULL;
	strbuf_add(&sb, key, len);
	if (def->type == CG_VT_DEVLIMIT) {
		/* v1 throttles delete the rule on 0; v2 io files take max */
		strbuf_adds(&sb, ver == CG_V1 ? " 0" : " max");
		return strbuf_detach(&sb);
	}
	if (def->type == CG_VT_KEYED && def->words) {
		for (k = 0; def->words[k]; k++)
			strbuf_addf(&sb, " %s=max", def->words[k]);
		return strbuf_detach(&sb);
	}
	strbuf_release(&sb);
	return NULL;
}

static bool
is_removal(const struct cg_filedef *def, enum cg_version ver, const char *rec)
{
	CG_AUTOFREE char *rm = removal_record(def, ver, rec, record_key_len(rec));

	return rm && strcmp(rm, rec) == 0;
}

/*
 * One step per record that differs (kernel files of this kind take one record per
 * write), then one removal per record the target drops, when the file has a form for it.
 */
static void
write_records(struct pctx *c, size_t i, const char *file, const struct cg_filedef *def,
	      const struct cg_value *now, const struct cg_value *v, bool transitional)
{
	struct strbuf nt = STRBUF_INIT, ot = STRBUF_INIT;
	char **nr, ** or = NULL;
	size_t nn, on = 0, k;

	cg_value_format(v, c->d[i].ver, &nt);
	nr = split_records(nt.buf, &nn);
	if (now) {
		cg_value_format(now, c->d[i].ver, &ot);
		or = split_records(ot.buf, &on);
	}
	for (k = 0; k < nn; k++) {
		const char *old = find_record(or, on, nr[k]);

		if (old && strcmp(old, nr[k]) == 0)
			continue;
		if (!old && is_removal(def, c->d[i].ver, nr[k]))
			continue; /* no limit on a device that has none (v1 throttle 0) */
		pctx_write_text(c, i, file, old, nr[k], transitional);
	}
	for (k = 0; k < on; k++) {
		size_t len = record_key_len(or [k]);
		CG_AUTOFREE char *rm = NULL;

		if (find_record(nr, nn, or [k]))
			continue;
		rm = removal_record(def, c->d[i].ver, or [k], len);
		if (rm)
			pctx_write_text(c, i, file, or [k], rm, transitional);
		else
			pctx_warning(
				c,
				"cannot remove the record '%.*s' from '%s/%s': the file has no form for it, the record stays",
				(int)len, or [k], pctx_path(c, i), file);
	}
	free_records(nr, nn);
	free_records(or, on);
	strbuf_release(&nt);
	strbuf_release(&ot);
}

void
pctx_write(struct pctx *c, size_t i, const char *file, const struct cg_value *v, bool transitional)
{
	struct cg_state_dir *sd = &c->sim.dirs[i];
	const struct cg_state_file *tf = c->d[i].tgt ? cg_state_file(c->d[i].tgt, file) : NULL;
	const struct cg_state_file *sf = cg_state_file(sd, file);
	const struct cg_filedef *def = tf ? tf->def : sf ? sf->def : cg_schema_file_any(file);
	const struct cg_value *now = sf && sf->present ? &sf->value : NULL;
	struct strbuf nt = STRBUF_INIT, ot = STRBUF_INIT;

	if (multi_record(v->type)) {
		write_records(c, i, file, def, now, v, transitional);
	} else {
		cg_value_format(v, c->d[i].ver, &nt);
		if (now)
			cg_value_format(now, c->d[i].ver, &ot);
		pctx_write_text(c, i, file, now ? ot.buf : NULL, nt.buf, transitional);
	}
	/* after the step took its copies: v may point into sim */
	cg_state_set(sd, file, def, v);
	strbuf_release(&nt);
	strbuf_release(&ot);
}

/* ---- the context ---- */

static void
pctx_init(struct pctx *c, const struct cg_state *cur, const struct cg_state *target,
	  const struct plan_opts *o, struct plan *out, struct cg_diags *problems)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	c->o = o;
	c->p = out;
	c->problems = problems;
	cg_state_copy(&c->sim, cur);
	for (i = 0; i < target->n; i++) {
		const struct cg_state_dir *t = &target->dirs[i];
		struct cg_state_dir *d;

		if (cg_state_find(&c->sim, t->fspath))
			continue;
		d = cg_state_add_dir(&c->sim, t->fspath);
		d->group = t->group ? xstrdup(t->group) : NULL;
		d->hier = t->hier;
		d->anchor = t->anchor;
		d->foreign = t->foreign;
	}
	c->n = c->sim.n;
	c->d = c->n ? xcalloc(c->n, sizeof(*c->d)) : NULL;
	for (i = 0; i < c->n; i++) {
		struct cg_state_dir *sd = &c->sim.dirs[i];
		struct cg_state_dir *par = cg_state_parent(&c->sim, sd);
		struct pdir *pd = &c->d[i];

		pd->cur = cg_state_find(cur, sd->fspath);
		pd->tgt = cg_state_find(target, sd->fspath);
		pd->parent = par ? (size_t)(par - c->sim.dirs) : PDIR_NONE;
		pd->ver = sd->hier ? sd->hier->version : CG_V1;
		pd->create = pd->tgt && pd->tgt->exists && !sd->exists;
		pd->remove = o->prune && pd->tgt && !pd->tgt->exists && sd->exists;
		/* not the configuration's: only what it constrains counts */
		if (sd->foreign || (pd->tgt && pd->tgt->foreign))
			pd->create = pd->remove = false;
	}
}

static void
pctx_release(struct pctx *c)
{
	cg_state_release(&c->sim);
	free(c->d);
}

/* ---- the values the kernel gives a new group ---- */

struct fresh {
	const char *name;
	enum cg_version ver;
	enum cg_vtype type;
	int64_t n; /* INT/BOOL value; SIZE: -1 unlimited */
	bool is_max;
	bool inherit; /* copies the parent's value at mkdir */
};

/* kernel-v1-constraints.md (new group rows) and cgroup-v2.rst defaults */
static const struct fresh fresh_values[] = {
	{ "memory.limit_in_bytes", CG_V1, CG_VT_SIZE, -1, false, false },
	{ "memory.memsw.limit_in_bytes", CG_V1, CG_VT_SIZE, -1, false, false },
	{ "memory.soft_limit_in_bytes", CG_V1, CG_VT_SIZE, -1, false, false },
	{ "memory.kmem.limit_in_bytes", CG_V1, CG_VT_SIZE, -1, false, false },
	{ "memory.kmem.tcp.limit_in_bytes", CG_V1, CG_VT_SIZE, -1, false, false },
	{ "memory.swappiness", CG_V1, CG_VT_INT, 0, false, true },
	{ "memory.oom_control", CG_V1, CG_VT_INT, 0, false, true },
	{ "memory.use_hierarchy", CG_V1, CG_VT_INT, 1, false, false },
	{ "memory.move_charge_at_immigrate", CG_V1, CG_VT_INT, 0, false, false },
	{ "cpu.cfs_period_us", CG_V1, CG_VT_INT, 100000, false, false },
	{ "cpu.cfs_quota_us", CG_V1, CG_VT_INT, -1, false, false },
	{ "cpu.cfs_burst_us", CG_V1, CG_VT_INT, 0, false, false },
	{ "cpu.shares", CG_V1, CG_VT_INT, 1024, false, false },
	{ "cpu.idle", CG_V1, CG_VT_INT, 0, false, false },
	{ "cpu.rt_runtime_us", CG_V1, CG_VT_INT, 0, false, false },
	{ "cpu.rt_period_us", CG_V1, CG_VT_INT, 1000000, false, false },
	{ "cpuset.cpus", CG_V1, CG_VT_CPULIST, 0, false, false },
	{ "cpuset.mems", CG_V1, CG_VT_CPULIST, 0, false, false },
	{ "cpuset.cpu_exclusive", CG_V1, CG_VT_BOOL, 0, false, false },
	{ "cpuset.mem_exclusive", CG_V1, CG_VT_BOOL, 0, false, false },
	{ "devices.list", CG_V1, CG_VT_DEVRULE, 0, false, true },
	{ "freezer.state", CG_V1, CG_VT_ENUM, 0, false, true },
	{ "notify_on_release", CG_V1, CG_VT_BOOL, 0, false, true },
	{ "cgroup.clone_children", CG_V1, CG_VT_BOOL, 0, false, false },
	{ "pids.max", CG_V1, CG_VT_INT, 0, true, false },
	{ "pids.max", CG_V2, CG_VT_INT, 0, true, false },
	{ "memory.max", CG_V2, CG_VT_SIZE, -1, false, false },
	{ "memory.high", CG_V2, CG_VT_SIZE, -1, false, false },
	{ "memory.swap.max", CG_V2, CG_VT_SIZE, -1, false, false },
	{ "memory.low", CG_V2, CG_VT_SIZE, 0, false, false },
	{ "memory.min", CG_V2, CG_VT_SIZE, 0, false, false },
	{ "cpu.weight", CG_V2, CG_VT_INT, 100, false, false },
	{ "cpu.idle", CG_V2, CG_VT_INT, 0, false, false },
	{ "cpu.max.burst", CG_V2, CG_VT_INT, 0, false, false },
	{ "cgroup.subtree_control", CG_V2, CG_VT_RAW, 0, false, false },
	{ "cgroup.freeze", CG_V2, CG_VT_BOOL, 0, false, false },
};

static bool
fresh_value(const struct pctx *c, size_t i, const struct fresh *f, struct cg_value *v)
{
	const struct cg_value *pv;
	size_t par = c->d[i].parent;

	memset(v, 0, sizeof(*v));
	if (f->inherit) {
		if (par == PDIR_NONE || !(pv = pctx_value(c, par, f->name)))
			return false;
		cg_value_copy(v, pv);
		return true;
	}
	v->type = f->type;
	switch (f->type) {
	case CG_VT_SIZE:
		v->u.size.unlimited = f->n < 0;
		return true;
	case CG_VT_INT:
	case CG_VT_BOOL:
		v->u.num.v = f->n;
		v->u.num.is_max = f->is_max;
		return true;
	case CG_VT_CPULIST:
		return true;
	case CG_VT_RAW:
		v->u.raw = xstrdup("");
		return true;
	case CG_VT_CPUMAX:
	case CG_VT_ENUM:
	case CG_VT_DEVLIMIT:
	case CG_VT_DEVRULE:
	case CG_VT_KEYED:
		return false;
	}
	return false;
}

/*
 * After mkdir, the simulated directory holds the kernel's values for a new group, for the
 * files the target lists (a file not on the host stays absent). A cpuset child of a
 * parent with cgroup.clone_children 1 copies its cpus and mems.
 */
static void
set_fresh(struct pctx *c, size_t i)
{
	const struct cg_state_dir *t = c->d[i].tgt;
	struct cg_state_dir *sd = &c->sim.dirs[i];
	size_t k, par = c->d[i].parent;
	bool clone = par != PDIR_NONE && pctx_int(c, par, "cgroup.clone_children", 0) == 1;

	for (k = 0; k < sizeof(fresh_values) / sizeof(fresh_values[0]); k++) {
		const struct fresh *f = &fresh_values[k];
		const struct cg_state_file *tf = cg_state_file(t, f->name);
		struct cg_value v;

		if (f->ver != c->d[i].ver || !tf)
			continue;
		if (clone && f->type == CG_VT_CPULIST && pctx_value(c, par, f->name)) {
			cg_value_copy(&v, pctx_value(c, par, f->name));
		} else if (!fresh_value(c, i, f, &v)) {
			continue;
		}
		cg_state_set(sd, f->name, tf->def, &v);
		cg_value_release(&v);
	}
}

/* ---- directories and owners ---- */

static const char *const v1_task_files[] = { "tasks", "cgroup.procs", NULL };
static const char *const v2_task_files[] = { "cgroup.procs", "cgroup.threads", NULL };

static bool
same_id(unsigned long want, unsigned long have, bool have_known)
{
	/* (uid_t)-1 in a target means "leave it" */
	return want == (unsigned long)(uid_t)-1 || (have_known && want == have);
}

/* CHOWN/CHMOD of one file (NULL: the dir, "*": every other file) when the target differs. */
static void
owner_steps(struct pctx *c, size_t i, const char *file, const struct cg_state_owner *want,
	    const struct cg_state_owner *have)
{
	struct plan_step *s;

	if (want->owner_set && (!same_id(want->uid, have->uid, have->owner_set) ||
				!same_id(want->gid, have->gid, have->owner_set))) {
		s = step_new(c, PLAN_OP_CHOWN, i, file);
		s->uid = want->uid;
		s->gid = want->gid;
		s->old_uid = have->owner_set ? have->uid : (uid_t)-1;
		s->old_gid = have->owner_set ? have->gid : (gid_t)-1;
	}
	if (want->mode_set && (!have->mode_set || have->mode != want->mode)) {
		s = step_new(c, PLAN_OP_CHMOD, i, file);
		s->mode = want->mode;
		s->old_mode = have->mode_set ? have->mode : 0;
	}
}

static void
merge_owner(struct cg_state_owner *have, const struct cg_state_owner *want)
{
	if (want->owner_set) {
		if (want->uid != (uid_t)-1)
			have->uid = want->uid;
		if (want->gid != (gid_t)-1)
			have->gid = want->gid;
		have->owner_set = true;
	}
	if (want->mode_set) {
		have->mode = want->mode;
		have->mode_set = true;
	}
}

static void
plan_owners(struct pctx *c, size_t i)
{
	const struct cg_state_dir *t = c->d[i].tgt;
	struct cg_state_dir *sd = &c->sim.dirs[i];
	const char *const *tf = c->d[i].ver == CG_V2 ? v2_task_files : v1_task_files;
	size_t k;

	if (!t || !t->exists || (sd->anchor && !c->d[i].create))
		return;
	owner_steps(c, i, NULL, &t->dir, &sd->dir);
	for (k = 0; tf[k]; k++)
		owner_steps(c, i, tf[k], &t->tasks, &sd->tasks);
	owner_steps(c, i, "*", &t->ctlfiles, &sd->ctlfiles);
	merge_owner(&sd->dir, &t->dir);
	merge_owner(&sd->tasks, &t->tasks);
	merge_owner(&sd->ctlfiles, &t->ctlfiles);
}

static void
plan_mkdir(struct pctx *c, size_t i)
{
	const struct cg_state_dir *t = c->d[i].tgt;
	struct cg_state_dir *sd = &c->sim.dirs[i];
	size_t par = c->d[i].parent;
	struct plan_step *s;

	if (par != PDIR_NONE && !pctx_exists(c, par)) {
		pctx_error(c,
			   "cannot create '%s': its parent '%s' does not exist and is not created",
			   sd->fspath, pctx_path(c, par));
		return;
	}
	s = step_new(c, PLAN_OP_MKDIR, i, NULL);
	s->mode = t->dir.mode_set ? t->dir.mode : DEFAULT_DIR_MODE;
	c->p->dirs_created++;
	sd->exists = true;
	sd->populated = false;
	/* a new group's files belong to whoever made it: unknown to the plan */
	memset(&sd->dir, 0, sizeof(sd->dir));
	memset(&sd->tasks, 0, sizeof(sd->tasks));
	memset(&sd->ctlfiles, 0, sizeof(sd->ctlfiles));
	set_fresh(c, i);
}

static void
plan_rmdir(struct pctx *c, size_t i)
{
	struct cg_state_dir *sd = &c->sim.dirs[i];
	struct plan_step *s;
	size_t j;

	if (sd->populated) {
		pctx_error(c, "cannot remove '%s': it holds tasks; move them out first",
			   sd->fspath);
		return;
	}
	for (j = i + 1; j < c->n; j++) {
		if (c->d[j].parent == i && pctx_exists(c, j)) {
			pctx_error(c, "cannot remove '%s': its child '%s' stays", sd->fspath,
				   pctx_path(c, j));
			return;
		}
	}
	s = step_new(c, PLAN_OP_RMDIR, i, NULL);
	/* its values are gone with it; a new mkdir gives the kernel's defaults */
	s->irreversible = true;
	sd->exists = false;
	c->p->dirs_removed++;
}

/* ---- plain writes ---- */

static bool
not_writable(const struct cg_filedef *def)
{
	return def && (def->flags & (CG_FF_READONLY | CG_FF_ACTION | CG_FF_FORBIDDEN));
}

static bool
special_file(const char *name, enum cg_version ver)
{
	return plan_memory_handles(name, ver) || plan_cpu_handles(name, ver) ||
	       plan_cpuset_handles(name, ver) || plan_devices_handles(name, ver) ||
	       plan_v2_handles(name, ver) || strcmp(name, "freezer.state") == 0 ||
	       (ver == CG_V2 && strcmp(name, "cgroup.freeze") == 0);
}

static void
plan_plain(struct pctx *c, size_t i)
{
	const struct cg_state_dir *t = c->d[i].tgt;
	size_t k;

	if (!t || !pctx_exists(c, i))
		return;
	for (k = 0; k < t->nfiles; k++) {
		const struct cg_state_file *f = &t->files[k];
		const struct cg_value *v;

		if (special_file(f->name, c->d[i].ver) || not_writable(f->def))
			continue;
		v = pctx_wanted(c, i, f->name);
		if (v)
			pctx_write(c, i, f->name, v, false);
	}
}

/* v1 freezer.state FROZEN/THAWED, v2 cgroup.freeze 1/0: `freeze` picks which pass. */
static void
plan_freezer(struct pctx *c, size_t i, bool freeze)
{
	const char *file = c->d[i].ver == CG_V2 ? "cgroup.freeze" : "freezer.state";
	const struct cg_value *v = pctx_wanted(c, i, file);
	bool frozen;

	if (!v)
		return;
	if (v->type == CG_VT_ENUM)
		frozen = v->u.word && strcmp(v->u.word, "FROZEN") == 0;
	else
		frozen = v->u.num.v != 0;
	if (frozen == freeze)
		pctx_write(c, i, file, v, false);
}

/* ---- counts ---- */

static int
step_target_cmp(const void *a, const void *b)
{
	const struct plan_step *x = *(const struct plan_step *const *)a;
	const struct plan_step *y = *(const struct plan_step *const *)b;
	int r = strcmp(x->dir, y->dir);

	return r ? r : strcmp(x->file, y->file);
}

/* Distinct (dir, file) pairs written to their final value: sorted, so O(n log n). */
static void
count_values(struct plan *p)
{
	const struct plan_step **w = xcalloc(p->n + 1, sizeof(*w));
	size_t i, n = 0;

	for (i = 0; i < p->n; i++)
		if (p->steps[i].op == PLAN_OP_WRITE && !p->steps[i].transitional)
			w[n++] = &p->steps[i];
	if (n > 1)
		qsort(w, n, sizeof(*w), step_target_cmp);
	p->values_changed = 0;
	for (i = 0; i < n; i++)
		if (i == 0 || step_target_cmp(&w[i - 1], &w[i]) != 0)
			p->values_changed++;
	free(w);
}

/* A directory that goes away while a child stays, or stays absent under a removal. */
static void
check_shape(struct pctx *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		size_t par = c->d[i].parent;

		if (par == PDIR_NONE || !c->d[i].tgt || !c->d[i].tgt->exists)
			continue;
		if (c->d[par].tgt && !c->d[par].tgt->exists)
			pctx_error(c, "'%s' is to exist but its parent '%s' is not",
				   pctx_path(c, i), pctx_path(c, par));
	}
}

/* A directory the phases plan for: there, staying, and the configuration's. */
static bool
active(const struct pctx *c, size_t i)
{
	return pctx_exists(c, i) && !c->d[i].remove && !pctx_foreign(c, i);
}

/* `want` non-NULL: plan_expected's copy of the target, to fill from the final sim */
static int
plan_run(const struct cg_state *cur, const struct cg_state *target, const struct plan_opts *o,
	 struct plan *out, struct cg_diags *problems, struct cg_state *want)
{
	static const struct plan_opts defaults;
	size_t errors = problems->errors, i;
	struct pctx c;

	plan_init(out);
	pctx_init(&c, cur, target, o ? o : &defaults, out, problems);
	check_shape(&c);

	for (i = c.n; i-- > 0;)
		if (c.d[i].remove)
			plan_rmdir(&c, i);
	for (i = 0; i < c.n; i++) {
		if (c.d[i].create)
			plan_mkdir(&c, i);
		if (!active(&c, i))
			continue;
		plan_owners(&c, i);
		plan_devices_dir(&c, i);
		plan_v2_enable(&c, i);
	}
	for (i = c.n; i-- > 0;)
		if (active(&c, i))
			plan_cpuset_clear_flags(&c, i);
	for (i = 0; i < c.n; i++) {
		if (!active(&c, i))
			continue;
		plan_cpuset_widen(&c, i);
		plan_cfs_raise(&c, i);
	}
	for (i = 0; i < c.n; i++) {
		if (!active(&c, i))
			continue;
		plan_memory_preflight(&c, i);
		plan_memory_dir(&c, i);
		plan_cpu_other(&c, i);
		plan_plain(&c, i);
	}
	for (i = c.n; i-- > 0;)
		if (active(&c, i))
			plan_rt_lower(&c, i);
	for (i = 0; i < c.n; i++)
		if (active(&c, i))
			plan_rt_raise(&c, i);
	for (i = c.n; i-- > 0;) {
		if (!active(&c, i))
			continue;
		plan_cpuset_narrow(&c, i);
		plan_cfs_lower(&c, i);
	}
	for (i = 0; i < c.n; i++)
		if (active(&c, i))
			plan_cpuset_set_flags(&c, i);
	for (i = c.n; i-- > 0;)
		if (active(&c, i))
			plan_v2_disable(&c, i);
	for (i = 0; i < c.n; i++)
		if (pctx_exists(&c, i) && !pctx_foreign(&c, i))
			plan_freezer(&c, i, false);
	for (i = 0; i < c.n; i++)
		if (pctx_exists(&c, i) && !pctx_foreign(&c, i))
			plan_freezer(&c, i, true);

	if (want && problems->errors == errors)
		plan_devices_expect(&c, want);
	pctx_release(&c);
	if (problems->errors > errors) {
		plan_release(out);
		return -1;
	}
	count_values(out);
	return 0;
}

int
plan_build(const struct cg_state *cur, const struct cg_state *target, const struct plan_opts *o,
	   struct plan *out, struct cg_diags *problems)
{
	return plan_run(cur, target, o, out, problems, NULL);
}

int
plan_expected(const struct cg_state *cur, const struct cg_state *target, const struct plan_opts *o,
	      struct cg_state *want)
{
	struct cg_diags d;
	struct plan p;
	size_t i, k;
	int r;

	cg_state_copy(want, target);
	for (i = 0; i < want->n; i++)
		for (k = 0; k < want->dirs[i].nfiles; k++)
			if (plan_devices_intent(want->dirs[i].files[k].name,
						want->dirs[i].hier ? want->dirs[i].hier->version
								   : CG_V1))
				want->dirs[i].files[k].managed = false;
	cg_diags_init(&d);
	r = plan_run(cur, target, o, &p, &d, want);
	if (r == 0)
		plan_release(&p);
	cg_diags_release(&d);
	return r;
}

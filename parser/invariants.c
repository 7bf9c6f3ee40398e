/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "parser/invariants.h"

#include <stdint.h>
#include <string.h>

#include "lib/strbuf.h"
#include "parser/schema.h"

#define PAGE_SIZE_BYTES	   4096u
#define CFS_DEFAULT_PERIOD 100000
#define RT_DEFAULT_PERIOD  1000000
/* The kernel's fixed-point shift for bandwidth ratios (kernel/sched: BW_SHIFT). */
#define BW_SHIFT 20

static const struct cg_setting *
setting(const struct cg_group *g, const char *file)
{
	return cg_group_setting(g, file);
}

static int64_t
int_or(const struct cg_group *g, const char *file, int64_t dflt)
{
	const struct cg_setting *s = setting(g, file);

	return s ? s->value.u.num.v : dflt;
}

static uint64_t
page_down(uint64_t bytes)
{
	return bytes / PAGE_SIZE_BYTES * PAGE_SIZE_BYTES;
}

static void
size_text(const struct cg_value *v, struct strbuf *sb)
{
	if (v->u.size.unlimited) {
		strbuf_adds(sb, "unlimited");
		return;
	}
	cg_size_human(v->u.size.bytes, sb);
}

static void
check_memory(const struct cg_group *g, struct cg_diags *d)
{
	const struct cg_setting *lim = setting(g, "memory.limit_in_bytes");
	const struct cg_setting *sw = setting(g, "memory.memsw.limit_in_bytes");
	const struct cg_setting *soft = setting(g, "memory.soft_limit_in_bytes");
	const struct cg_setting *oom = setting(g, "memory.oom_control");

	if (sw && !sw->value.u.size.unlimited) {
		if (!lim)
			cg_diag_error(
				d, &sw->loc,
				"a finite 'memory.memsw.limit_in_bytes' in group '%s' needs 'memory.limit_in_bytes' too: the kernel refuses a finite memsw while the memory limit is unlimited",
				g->path);
		else if (lim->value.u.size.unlimited)
			cg_diag_error(
				d, &sw->loc,
				"'memory.memsw.limit_in_bytes' is finite while 'memory.limit_in_bytes' (line %u) is unlimited in group '%s'; expected memsw >= limit, so set a finite limit or make memsw -1",
				lim->loc.line, g->path);
		else if (page_down(sw->value.u.size.bytes) < page_down(lim->value.u.size.bytes)) {
			struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

			size_text(&sw->value, &a);
			size_text(&lim->value, &b);
			cg_diag_error(
				d, &sw->loc,
				"'memory.memsw.limit_in_bytes' (%s) is below 'memory.limit_in_bytes' (%s, line %u) in group '%s'; memsw counts memory plus swap, expected memsw >= limit",
				a.buf, b.buf, lim->loc.line, g->path);
			strbuf_release(&a);
			strbuf_release(&b);
		}
	}
	if (soft && lim && !lim->value.u.size.unlimited &&
	    (soft->value.u.size.unlimited ||
	     page_down(soft->value.u.size.bytes) >= page_down(lim->value.u.size.bytes)))
		cg_diag_warning(
			d, &soft->loc,
			"'memory.soft_limit_in_bytes' is at or above the hard limit (line %u) in group '%s'; a soft limit only acts below the hard limit",
			lim->loc.line, g->path);
	if (oom && oom->value.u.num.v == 1)
		cg_diag_warning(
			d, &oom->loc,
			"'memory.oom_control: 1' disables the OOM killer in group '%s': on OOM its tasks hang in D state until memory is freed or the limit raised, instead of being killed",
			g->path);
}

static void
check_cpu(const struct cg_group *g, struct cg_diags *d)
{
	const struct cg_setting *quota = setting(g, "cpu.cfs_quota_us");
	const struct cg_setting *burst = setting(g, "cpu.cfs_burst_us");
	const struct cg_setting *rt = setting(g, "cpu.rt_runtime_us");
	const struct cg_setting *shares = setting(g, "cpu.shares");
	const struct cg_setting *idle = setting(g, "cpu.idle");
	int64_t rt_period = int_or(g, "cpu.rt_period_us", RT_DEFAULT_PERIOD);

	/* the kernel fixes an idle group's weight: shares read back 3, so apply never settles */
	if (shares && idle && idle->value.u.num.v == 1)
		cg_diag_error(
			d, &shares->loc,
			"'cpu.shares' is ignored in group '%s' because it sets 'cpu.idle: 1' (line %u): an idle group's weight is fixed at 3; expected one of them, drop 'cpu.shares' or 'cpu.idle'",
			g->path, idle->loc.line);

	if (burst && quota && quota->value.u.num.v >= 0 &&
	    burst->value.u.num.v > quota->value.u.num.v)
		cg_diag_error(
			d, &burst->loc,
			"'cpu.cfs_burst_us' (%lld) is above 'cpu.cfs_quota_us' (%lld, line %u) in group '%s'; expected burst <= quota",
			(long long)burst->value.u.num.v, (long long)quota->value.u.num.v,
			quota->loc.line, g->path);
	if (rt && rt->value.u.num.v > rt_period)
		cg_diag_error(
			d, &rt->loc,
			"'cpu.rt_runtime_us' (%lld) is above the RT period (%lld) in group '%s'; expected runtime <= period",
			(long long)rt->value.u.num.v, (long long)rt_period, g->path);
}

/* The nearest ancestor of `g` in the model that sets `file`, or NULL. */
static const struct cg_group *
ancestor_with(const struct cg_model *m, const struct cg_group *g, const char *file)
{
	const struct cg_group *p;

	for (p = cg_model_parent(m, g); p; p = cg_model_parent(m, p))
		if (setting(p, file))
			return p;
	return NULL;
}

static void
check_cfs_ratio(const struct cg_model *m, const struct cg_group *g, struct cg_diags *d)
{
	const struct cg_setting *q = setting(g, "cpu.cfs_quota_us"), *pq;
	const struct cg_group *p;
	int64_t period, pperiod;

	if (!q || q->value.u.num.v < 0)
		return;
	p = ancestor_with(m, g, "cpu.cfs_quota_us");
	if (!p)
		return;
	pq = setting(p, "cpu.cfs_quota_us");
	if (pq->value.u.num.v < 0)
		return;
	period = int_or(g, "cpu.cfs_period_us", CFS_DEFAULT_PERIOD);
	pperiod = int_or(p, "cpu.cfs_period_us", CFS_DEFAULT_PERIOD);
	/* q/period > pq/pperiod, without division: both sides are below 2^44 * 2^20 */
	if ((unsigned __int128)q->value.u.num.v * (unsigned __int128)pperiod >
	    (unsigned __int128)pq->value.u.num.v * (unsigned __int128)period)
		cg_diag_error(
			d, &q->loc,
			"CFS bandwidth of group '%s' (%lld/%lld us) exceeds that of its ancestor '%s' (%lld/%lld us, %s:%u:%u); the kernel refuses a child quota/period ratio above its parent's",
			g->path, (long long)q->value.u.num.v, (long long)period, p->path,
			(long long)pq->value.u.num.v, (long long)pperiod, pq->loc.file,
			pq->loc.line, pq->loc.col);
}

static uint64_t
rt_ratio(const struct cg_group *g)
{
	int64_t runtime = int_or(g, "cpu.rt_runtime_us", 0);
	int64_t period = int_or(g, "cpu.rt_period_us", RT_DEFAULT_PERIOD);

	if (period <= 0 || runtime <= 0)
		return 0;
	return ((uint64_t)runtime << BW_SHIFT) / (uint64_t)period;
}

static bool
is_child_of(const char *child, const char *parent)
{
	size_t n = strlen(parent);

	return strncmp(child, parent, n) == 0 && child[n] == '/' && !strchr(child + n + 1, '/');
}

static void
check_rt(const struct cg_model *m, const struct cg_group *g, struct cg_diags *d)
{
	const struct cg_setting *rt = setting(g, "cpu.rt_runtime_us");
	const struct cg_group *parent = cg_model_parent(m, g);
	uint64_t sum = 0, mine;
	size_t i;

	if (rt && rt->value.u.num.v > 0 && parent && !setting(parent, "cpu.rt_runtime_us"))
		cg_diag_error(
			d, &rt->loc,
			"group '%s' sets 'cpu.rt_runtime_us' but its parent '%s' does not: new groups get an RT budget of 0 and a child's budget must fit in its parent's, so set 'cpu.rt_runtime_us' on '%s'",
			g->path, parent->path, parent->path);
	if (!rt)
		return;
	mine = rt_ratio(g);
	for (i = 0; i < m->ngroups; i++) {
		const struct cg_group *c = &m->groups[i];

		if (is_child_of(c->path, g->path) && setting(c, "cpu.rt_runtime_us"))
			sum += rt_ratio(c);
	}
	if (sum > mine)
		cg_diag_error(
			d, &rt->loc,
			"the RT budgets of the children of group '%s' add up to more than its own (%.1f%% > %.1f%% of a period); expected the children's runtime/period ratios to sum to at most the parent's",
			g->path, 100.0 * (double)sum / (double)(1u << BW_SHIFT),
			100.0 * (double)mine / (double)(1u << BW_SHIFT));
}

static void
check_cpuset_subset(const struct cg_model *m, const struct cg_group *g, const char *file,
		    struct cg_diags *d)
{
	const struct cg_setting *s = setting(g, file), *ps;
	const struct cg_group *p;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

	if (!s || s->value.type != CG_VT_CPULIST)
		return;
	p = ancestor_with(m, g, file);
	if (!p)
		return;
	ps = setting(p, file);
	if (ps->value.type != CG_VT_CPULIST ||
	    cg_cpuset_subset(&s->value.u.cpus, &ps->value.u.cpus))
		return;
	cg_cpuset_format(&s->value.u.cpus, &a);
	cg_cpuset_format(&ps->value.u.cpus, &b);
	cg_diag_error(
		d, &s->loc,
		"'%s' of group '%s' (%s) is not within that of its ancestor '%s' (%s, %s:%u:%u); a child cpuset must be a subset of its parent's",
		file, g->path, a.buf, p->path, b.buf, ps->loc.file, ps->loc.line, ps->loc.col);
	strbuf_release(&a);
	strbuf_release(&b);
}

static bool
flag_set(const struct cg_group *g, const char *file)
{
	const struct cg_setting *s = setting(g, file);

	return s && s->value.u.num.v == 1;
}

static void
check_exclusive(const struct cg_model *m, const struct cg_group *g, const char *flag,
		const char *file, struct cg_diags *d)
{
	const struct cg_group *parent = cg_model_parent(m, g);
	const struct cg_setting *mine = setting(g, file), *pflag;
	bool exclusive = flag_set(g, flag);
	size_t i;

	pflag = parent ? setting(parent, flag) : NULL;
	if (exclusive && pflag && pflag->value.u.num.v != 1)
		cg_diag_error(
			d, &setting(g, flag)->loc,
			"group '%s' sets '%s' but its parent '%s' clears it (line %u); an exclusive cpuset needs an exclusive parent",
			g->path, flag, parent->path, pflag->loc.line);
	else if (exclusive && parent && !parent->implied && !pflag)
		/*
		 * A parent the configuration lists is created with the flag at 0 when it is
		 * new, and the kernel refuses (EACCES) an exclusive child of a non-exclusive
		 * parent. A parent outside the configuration may be exclusive: not checked.
		 */
		cg_diag_error(
			d, &setting(g, flag)->loc,
			"group '%s' sets '%s' but its parent '%s' (%s:%u:%u) does not; new groups start at 0 and an exclusive cpuset needs an exclusive parent, so set '%s: 1' on '%s'",
			g->path, flag, parent->path, parent->loc.file, parent->loc.line,
			parent->loc.col, flag, parent->path);
	if (!mine || mine->value.type != CG_VT_CPULIST)
		return;
	/*
	 * The kernel refuses any overlap with a sibling when either of the two is exclusive.
	 * Report each overlapping pair once, at the later sibling.
	 */
	for (i = 0; i < m->ngroups && &m->groups[i] != g; i++) {
		const struct cg_group *o = &m->groups[i];
		const struct cg_group *op = cg_model_parent(m, o);
		const struct cg_setting *theirs = setting(o, file);
		bool theirs_exclusive = flag_set(o, flag);

		if (op != parent || !theirs || theirs->value.type != CG_VT_CPULIST ||
		    (!exclusive && !theirs_exclusive))
			continue;
		if (cg_cpuset_intersects(&mine->value.u.cpus, &theirs->value.u.cpus)) {
			struct strbuf who = STRBUF_INIT;

			if (exclusive && theirs_exclusive)
				strbuf_adds(&who, "both are exclusive");
			else
				strbuf_addf(&who, "'%s' is exclusive",
					    exclusive ? g->path : o->path);
			cg_diag_error(
				d, &mine->loc,
				"'%s' of group '%s' overlaps that of its sibling '%s' (%s:%u:%u) and %s; a cpuset must not share %s with an exclusive sibling",
				file, g->path, o->path, theirs->loc.file, theirs->loc.line,
				theirs->loc.col, who.buf,
				strcmp(file, "cpuset.cpus") == 0 ? "CPUs" : "memory nodes");
			strbuf_release(&who);
		}
	}
}

/* A group whose one controller block mixes v1-only and v2-only files cannot be applied. */
static void
check_versions(const struct cg_group *g, struct cg_diags *d)
{
	size_t i, j;

	for (i = 0; i < g->nctls; i++) {
		const struct cg_ctlblock *c = &g->ctls[i];
		const struct cg_setting *v1 = NULL, *v2 = NULL;

		for (j = 0; j < c->n; j++) {
			const struct cg_filedef *def = c->settings[j].def;

			if (!def || (def->flags & CG_FF_CORE))
				continue;
			if ((def->flags & (CG_FF_V1 | CG_FF_V2)) == CG_FF_V1 && !v1)
				v1 = &c->settings[j];
			if ((def->flags & (CG_FF_V1 | CG_FF_V2)) == CG_FF_V2 && !v2)
				v2 = &c->settings[j];
		}
		if (v1 && v2) {
			const struct cg_setting *later =
				v1->key_loc.line > v2->key_loc.line ? v1 : v2;
			const struct cg_setting *first = later == v1 ? v2 : v1;

			cg_diag_error(
				d, &later->key_loc,
				"group '%s' mixes the cgroup %s file '%s' with the cgroup %s file '%s' (line %u) under '%s'; a controller is mounted as one version, use one version's files",
				g->path, later == v1 ? "v1" : "v2", later->file,
				first == v1 ? "v1" : "v2", first->file, first->key_loc.line,
				c->name);
		}
	}
}

static bool
has_controller_in_subtree(const struct cg_model *m, const struct cg_group *g)
{
	size_t n = strlen(g->path), i;

	if (g->nctls)
		return true;
	for (i = 0; i < m->ngroups; i++) {
		const struct cg_group *c = &m->groups[i];

		if (c->nctls && strncmp(c->path, g->path, n) == 0 && c->path[n] == '/')
			return true;
	}
	return false;
}

/*
 * v1 freezer: a group under a FROZEN ancestor is frozen with it and reads FROZEN whatever
 * it was told (parent_freezing), so a THAWED child of a FROZEN group never settles.
 */
static void
check_freezer(const struct cg_model *m, const struct cg_group *g, struct cg_diags *d)
{
	const struct cg_setting *s = setting(g, "freezer.state"), *ps;
	const struct cg_group *p;

	if (!s || strcmp(s->value.u.word, "THAWED") != 0)
		return;
	for (p = ancestor_with(m, g, "freezer.state"); p;
	     p = ancestor_with(m, p, "freezer.state")) {
		ps = setting(p, "freezer.state");
		if (strcmp(ps->value.u.word, "FROZEN") != 0)
			continue;
		cg_diag_error(
			d, &s->loc,
			"'freezer.state' THAWED in group '%s' cannot hold under '%s', which is FROZEN (line %u): the kernel freezes every group below a frozen one; expected FROZEN here, or THAWED in '%s'",
			g->path, p->path, ps->loc.line, p->path);
		return;
	}
}

void
cg_invariants_check(const struct cg_model *m, struct cg_diags *d)
{
	size_t i;

	for (i = 0; i < m->ngroups; i++) {
		const struct cg_group *g = &m->groups[i];

		/* after an error this is mostly noise: a misspelt controller, a bad body */
		if (!g->implied && d->errors == 0 && !has_controller_in_subtree(m, g))
			cg_diag_warning(
				d, &g->loc,
				"group '%s' names no controller, so it is created in no hierarchy; add e.g. 'memory: {}'",
				g->path);
		check_versions(g, d);
		check_memory(g, d);
		check_cpu(g, d);
		check_cfs_ratio(m, g, d);
		check_rt(m, g, d);
		check_cpuset_subset(m, g, "cpuset.cpus", d);
		check_cpuset_subset(m, g, "cpuset.mems", d);
		check_exclusive(m, g, "cpuset.cpu_exclusive", "cpuset.cpus", d);
		check_exclusive(m, g, "cpuset.mem_exclusive", "cpuset.mems", d);
		check_freezer(m, g, d);
	}
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apply/hierarchy.h"
#include "apply/plan-int.h"
#include "lib/xalloc.h"

/*
 * The cpu controller (kernel-v1-constraints.md §2, kernel/sched/core.c):
 *
 * CFS. Every write of cfs_period_us, cfs_quota_us or cfs_burst_us sets the group's whole
 * (period, quota, burst) and is refused (EINVAL) unless period is 1000..1000000, quota
 * -1 or at least 1000, burst ≤ quota, and the tree stays schedulable: each group with a
 * quota has quota/period ≤ the ratio of its nearest limited ancestor (an unlimited group
 * passes its parent's on). Groups whose ratio rises are written top-down before any
 * lowering, groups whose ratio falls bottom-up after: then the group's current and
 * target ratios both fit between its children's and its parent's at the time of its
 * writes. Within the group the order of its 1-3 writes is searched (each intermediate
 * state checked as the kernel would); when none works (period and quota move in
 * crossing directions against a tight parent and child), quota goes to -1 first, which
 * is always accepted: a transitional step.
 *
 * RT. Each group's runtime/period must not exceed the global one, runtime ≤ period, and
 * the children's ratios must add up to at most their parent's. Budgets are lowered
 * bottom-up first, then raised top-down (the opposite of CFS: it is a shared budget, not
 * a cap). A period change under a tight budget goes through an intermediate runtime.
 *
 * Foreign directories (not in the configuration, state.h) are never written: a CFS or
 * RT change that no order can make because of the values one holds is refused naming it
 * (a foreign child's quota/period above the group's new ratio; a foreign sibling's or
 * child's RT budget that leaves no room), and the RT last resort leaves them alone.
 *
 * cpu.idle is written before cpu.shares: turning idle off resets shares to 1024, and
 * shares cannot be written while idle is 1 (it reads 3).
 */

#define PERIOD	   "cpu.cfs_period_us"
#define QUOTA	   "cpu.cfs_quota_us"
#define BURST	   "cpu.cfs_burst_us"
#define RT_PERIOD  "cpu.rt_period_us"
#define RT_RUNTIME "cpu.rt_runtime_us"

#define CFS_PERIOD_DEFAULT 100000
#define CFS_PERIOD_MIN	   1000
#define CFS_PERIOD_MAX	   1000000
#define CFS_QUOTA_MIN	   1000
#define CFS_MAX		   ((INT64_C(1) << 44) - 1)
#define RT_PERIOD_DEFAULT  1000000
#define RT_GLOBAL_RUNTIME  950000
#define RATIO_INF	   UINT64_MAX

static const char *const v1_files[] = {
	PERIOD, QUOTA, BURST, RT_PERIOD, RT_RUNTIME, "cpu.idle", "cpu.shares", NULL,
};
static const char *const v2_files[] = {
	"cpu.idle", "cpu.weight", "cpu.weight.nice", "cpu.max", "cpu.max.burst", NULL,
};

bool
plan_cpu_handles(const char *file, enum cg_version ver)
{
	const char *const *f = ver == CG_V1 ? v1_files : v2_files;

	for (; *f; f++)
		if (strcmp(*f, file) == 0)
			return true;
	return false;
}

static bool
cpu_dir(const struct pctx *c, size_t j)
{
	return c->d[j].ver == CG_V1 && pctx_exists(c, j) && pctx_has_controller(c, j, "cpu");
}

static bool
is_int(const struct cg_value *v)
{
	return v && (v->type == CG_VT_INT || v->type == CG_VT_BOOL) && !v->u.num.is_max;
}

/* One write of a sequence: `file` := `v`. */
struct wr {
	const char *file;
	int64_t v;
	bool transitional;
};

static void
emit(struct pctx *c, size_t i, const struct wr *seq, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++) {
		const struct cg_state_file *tf = pctx_target(c, i, seq[k].file);
		struct cg_value v;

		/* the final value is the target's own (its def and exact form) */
		if (!seq[k].transitional && tf && is_int(&tf->value) &&
		    tf->value.u.num.v == seq[k].v) {
			pctx_write(c, i, seq[k].file, &tf->value, false);
			continue;
		}
		plan_int_value(&v, seq[k].v);
		pctx_write(c, i, seq[k].file, &v, seq[k].transitional);
	}
}

/* All orders of up to 3 writes, the given order first. */
static const unsigned char perms[6][3] = {
	{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
};

static size_t
permute(const struct wr *w, size_t n, size_t k, struct wr *out)
{
	size_t j, m = 0;

	for (j = 0; j < 3; j++)
		if (perms[k][j] < n)
			out[m++] = w[perms[k][j]];
	return m;
}

static bool is_below(const struct pctx *c, size_t j, size_t i);

/* ---- CFS ---- */

struct cfs {
	int64_t p, q, b; /* q < 0: unlimited */
};

static struct cfs
cfs_now(const struct pctx *c, size_t j)
{
	struct cfs s;

	s.p = pctx_int(c, j, PERIOD, CFS_PERIOD_DEFAULT);
	s.q = pctx_int(c, j, QUOTA, -1);
	s.b = pctx_int(c, j, BURST, 0);
	if (s.q < 0)
		s.q = -1;
	return s;
}

static void
cfs_set(struct cfs *s, const char *file, int64_t v)
{
	if (strcmp(file, PERIOD) == 0)
		s->p = v;
	else if (strcmp(file, QUOTA) == 0)
		s->q = v < 0 ? -1 : v;
	else
		s->b = v;
}

static bool
cfs_local_ok(const struct cfs *s)
{
	if (s->p < CFS_PERIOD_MIN || s->p > CFS_PERIOD_MAX)
		return false;
	if (s->b < 0 || s->b > CFS_MAX)
		return false;
	if (s->q < 0)
		return true;
	return s->q >= CFS_QUOTA_MIN && s->q <= CFS_MAX && s->b <= s->q && s->b + s->q <= CFS_MAX;
}

static uint64_t
cfs_ratio(const struct cfs *s)
{
	return s->q < 0 ? RATIO_INF : plan_ratio((uint64_t)s->p, (uint64_t)s->q);
}

/* tg_cfs_schedulable_down over the whole tree, with directory i at *s. */
static bool
cfs_tree_ok(const struct pctx *c, size_t i, const struct cfs *s)
{
	uint64_t *eff = xcalloc(c->n ? c->n : 1, sizeof(*eff));
	bool ok = true;
	size_t j;

	for (j = 0; j < c->n && ok; j++) {
		struct cfs v;
		size_t par = c->d[j].parent;
		uint64_t pe, own;

		eff[j] = RATIO_INF;
		if (!cpu_dir(c, j))
			continue;
		v = j == i ? *s : cfs_now(c, j);
		pe = par != PDIR_NONE && cpu_dir(c, par) ? eff[par] : RATIO_INF;
		if (v.q < 0) {
			eff[j] = pe;
			continue;
		}
		own = cfs_ratio(&v);
		if (pe != RATIO_INF && own > pe)
			ok = false;
		eff[j] = own;
	}
	free(eff);
	return ok;
}

static bool
cfs_try(const struct pctx *c, size_t i, struct cfs s, const struct wr *seq, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++) {
		cfs_set(&s, seq[k].file, seq[k].v);
		if (!cfs_local_ok(&s) || !cfs_tree_ok(c, i, &s))
			return false;
	}
	return true;
}

/* The writes the target asks for, in the preferred order; false if none. */
static bool
cfs_wanted(const struct pctx *c, size_t i, struct wr *w, size_t *n, struct cfs *t)
{
	static const char *const files[] = { PERIOD, QUOTA, BURST };
	size_t k;

	*n = 0;
	*t = cfs_now(c, i);
	for (k = 0; k < 3; k++) {
		const struct cg_value *v = pctx_wanted(c, i, files[k]);

		if (!is_int(v))
			continue;
		w[*n].file = files[k];
		w[*n].v = v->u.num.v;
		w[*n].transitional = false;
		cfs_set(t, files[k], v->u.num.v);
		(*n)++;
	}
	return *n > 0;
}

/*
 * Why no order works, when the reason is a foreign directory below i: its quota/period
 * is above the ratio i is to have. Reported; false when there is none.
 */
static bool
cfs_foreign_error(struct pctx *c, size_t i, const struct cfs *t)
{
	uint64_t want = cfs_ratio(t);
	size_t j;

	if (t->q < 0)
		want = RATIO_INF;
	for (j = i + 1; j < c->n; j++) {
		struct cfs v;

		if (!cpu_dir(c, j) || !pctx_foreign(c, j) || !is_below(c, j, i))
			continue;
		v = cfs_now(c, j);
		if (v.q < 0 || cfs_ratio(&v) <= want)
			continue;
		pctx_error(
			c,
			"cannot set the CFS bandwidth of '%s' to quota %lld, period %lld: '%s', which the configuration does not manage, has 'cpu.cfs_quota_us' %lld with 'cpu.cfs_period_us' %lld, a larger share; lower or remove it first",
			pctx_path(c, i), (long long)t->q, (long long)t->p, pctx_path(c, j),
			(long long)v.q, (long long)v.p);
		return true;
	}
	return false;
}

static void
cfs_plan(struct pctx *c, size_t i, bool raising)
{
	struct wr w[3], seq[5];
	struct cfs now, t;
	size_t n, m, k;

	if (!cpu_dir(c, i) || !cfs_wanted(c, i, w, &n, &t))
		return;
	now = cfs_now(c, i);
	if ((cfs_ratio(&t) >= cfs_ratio(&now)) != raising)
		return;
	for (k = 0; k < 6; k++) {
		m = permute(w, n, k, seq);
		if (cfs_try(c, i, now, seq, m)) {
			emit(c, i, seq, m);
			return;
		}
	}
	/*
	 * Unlimited first: never refused, whatever the parent and children hold. Burst is
	 * written again after it, as kernels that reset burst with an unlimited quota would
	 * otherwise lose it.
	 */
	m = 0;
	seq[m++] = (struct wr){ QUOTA, -1, true };
	if (t.p != now.p)
		seq[m++] = (struct wr){ PERIOD, t.p, false };
	if (t.b != now.b || t.b != 0)
		seq[m++] = (struct wr){ BURST, t.b, t.b == now.b };
	seq[m++] = (struct wr){ QUOTA, t.q, t.q == now.q };
	if (t.q >= 0 && cfs_try(c, i, now, seq, m)) {
		emit(c, i, seq, m);
		return;
	}
	if (cfs_foreign_error(c, i, &t))
		return;
	pctx_error(
		c,
		"no safe order for the CFS bandwidth of '%s' (period %lld, quota %lld, burst %lld to %lld, %lld, %lld): check it against its parent's and its children's quota/period ratios",
		pctx_path(c, i), (long long)now.p, (long long)now.q, (long long)now.b,
		(long long)t.p, (long long)t.q, (long long)t.b);
}

void
plan_cfs_raise(struct pctx *c, size_t i)
{
	cfs_plan(c, i, true);
}

void
plan_cfs_lower(struct pctx *c, size_t i)
{
	cfs_plan(c, i, false);
}

/* ---- RT ---- */

struct rt {
	int64_t p, r; /* r < 0: unlimited (only a root shows it) */
};

static struct rt
rt_now(const struct pctx *c, size_t j)
{
	struct rt s;

	s.p = pctx_int(c, j, RT_PERIOD, RT_PERIOD_DEFAULT);
	s.r = pctx_int(c, j, RT_RUNTIME, 0);
	return s;
}

static uint64_t
rt_ratio(const struct rt *s)
{
	if (s->r < 0)
		return PLAN_BW_UNIT;
	return s->p <= 0 ? 0 : plan_ratio((uint64_t)s->p, (uint64_t)s->r);
}

static bool
is_root(const struct pctx *c, size_t j)
{
	const struct cg_state_dir *d = pctx_sim(c, j);

	return c->d[j].parent == PDIR_NONE && d->hier && d->hier->mount &&
	       strcmp(d->fspath, d->hier->mount) == 0;
}

/* tg_rt_schedulable over the whole tree, with directory i at *s. */
static bool
rt_tree_ok(const struct pctx *c, size_t i, const struct rt *s)
{
	uint64_t *sum = xcalloc(c->n ? c->n : 1, sizeof(*sum));
	uint64_t *own = xcalloc(c->n ? c->n : 1, sizeof(*own));
	uint64_t global = plan_ratio(RT_PERIOD_DEFAULT, RT_GLOBAL_RUNTIME);
	bool ok = true;
	size_t j;

	for (j = 0; j < c->n; j++)
		if (cpu_dir(c, j) && is_root(c, j)) {
			struct rt r = rt_now(c, j);

			global = rt_ratio(&r);
		}
	for (j = 0; j < c->n && ok; j++) {
		struct rt v;
		size_t par = c->d[j].parent;

		if (!cpu_dir(c, j))
			continue;
		v = j == i ? *s : rt_now(c, j);
		if (v.p <= 0 || (v.r >= 0 && v.r > v.p))
			ok = false;
		own[j] = rt_ratio(&v);
		if (own[j] > global)
			ok = false;
		if (par != PDIR_NONE && cpu_dir(c, par))
			sum[par] += own[j];
	}
	for (j = 0; j < c->n && ok; j++)
		if (cpu_dir(c, j) && sum[j] > own[j])
			ok = false;
	free(sum);
	free(own);
	return ok;
}

static void
rt_set(struct rt *s, const char *file, int64_t v)
{
	if (strcmp(file, RT_PERIOD) == 0)
		s->p = v;
	else
		s->r = v;
}

/* Sets the simulated runtime without a step (to try a sequence). */
static void
side_effect_rt(struct pctx *c, size_t j, int64_t v)
{
	struct cg_state_file *f = cg_state_file(pctx_sim(c, j), RT_RUNTIME);
	struct cg_value val;

	plan_int_value(&val, v);
	cg_state_set(pctx_sim(c, j), RT_RUNTIME, f ? f->def : NULL, &val);
}

static bool
rt_try(const struct pctx *c, size_t i, struct rt s, const struct wr *seq, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++) {
		rt_set(&s, seq[k].file, seq[k].v);
		if (!rt_tree_ok(c, i, &s))
			return false;
	}
	return true;
}

static bool
is_below(const struct pctx *c, size_t j, size_t i)
{
	size_t p;

	for (p = c->d[j].parent; p != PDIR_NONE; p = c->d[p].parent)
		if (p == i)
			return true;
	return false;
}

/*
 * The last resort when the period changes under budgets that leave no room (the ratio
 * jumps past the children's sum or the parent's share whichever write goes first): the
 * descendants' budgets go to 0 (bottom-up), the group gets its values through a runtime
 * of 0, and the descendants get theirs back (top-down). All transitional but the group's
 * own values. Returns false (nothing emitted) when even that is refused.
 */
static bool
rt_through_zero(struct pctx *c, size_t i, struct rt now, struct rt t, bool tp, bool tr)
{
	struct wr seq[3];
	size_t j, m = 0;
	int64_t *saved;
	bool ok;

	seq[m++] = (struct wr){ RT_RUNTIME, 0, true };
	if (tp)
		seq[m++] = (struct wr){ RT_PERIOD, t.p, false };
	seq[m++] = (struct wr){ RT_RUNTIME, t.r, !tr };
	saved = xcalloc(c->n ? c->n : 1, sizeof(*saved));
	for (j = 0; j < c->n; j++)
		saved[j] = cpu_dir(c, j) && !pctx_foreign(c, j) && is_below(c, j, i)
				   ? pctx_int(c, j, RT_RUNTIME, 0)
				   : 0;
	/* try it on the simulation's numbers: zero the subtree, then the group's writes */
	for (j = 0; j < c->n; j++)
		if (saved[j])
			side_effect_rt(c, j, 0);
	ok = rt_try(c, i, now, seq, m);
	for (j = 0; j < c->n; j++)
		if (saved[j])
			side_effect_rt(c, j, saved[j]);
	if (!ok) {
		free(saved);
		return false;
	}
	for (j = c->n; j-- > 0;) {
		struct wr z = { RT_RUNTIME, 0, true };

		if (!saved[j])
			continue;
		if (pctx_sim(c, j)->populated)
			pctx_warning(
				c,
				"'%s' of '%s' goes to 0 for a moment while the group holds tasks: the write fails if any of them is a realtime task",
				RT_RUNTIME, pctx_path(c, j));
		emit(c, j, &z, 1);
	}
	emit(c, i, seq, m);
	for (j = 0; j < c->n; j++) {
		struct wr back = { RT_RUNTIME, saved[j], true };

		if (saved[j])
			emit(c, j, &back, 1);
	}
	free(saved);
	return true;
}

/* A sibling's budget as the configuration leaves it (its target, else its value now). */
static struct rt
rt_target(const struct pctx *c, size_t j)
{
	const struct cg_value *tp = pctx_wanted(c, j, RT_PERIOD),
			      *tr = pctx_wanted(c, j, RT_RUNTIME);
	struct rt s = rt_now(c, j);

	if (is_int(tp))
		s.p = tp->u.num.v;
	if (is_int(tr))
		s.r = tr->u.num.v;
	return s;
}

/*
 * Why no order works, when the reason is the parent: its budget is below what its
 * children are to get in the end (typically a parent with no values of its own, as an
 * implied parent or the --parent directory, whose runtime is 0). Says which ancestor needs
 * cpu.rt_runtime_us and how much; false when the parent is not the reason.
 */
static bool
rt_parent_error(struct pctx *c, size_t i, struct rt t)
{
	size_t par = c->d[i].parent, j;
	uint64_t sum = 0, need = 0;
	struct rt pr;

	if (par == PDIR_NONE || !cpu_dir(c, par))
		return false;
	pr = rt_target(c, par);
	if (pr.p <= 0)
		return false;
	for (j = 0; j < c->n; j++) {
		struct rt v;

		if (c->d[j].parent != par || !cpu_dir(c, j))
			continue;
		v = j == i ? t : rt_target(c, j);
		if (v.r <= 0 || v.p <= 0)
			continue;
		sum += rt_ratio(&v);
		/* runtime and period are below 2^31: the product fits */
		need += ((uint64_t)v.r * (uint64_t)pr.p + (uint64_t)v.p - 1) / (uint64_t)v.p;
	}
	if (sum <= rt_ratio(&pr))
		return false;
	pctx_error(
		c,
		"the RT budgets of the children of '%s' do not fit in its own (runtime %lld/%lld): give '%s' a 'cpu.rt_runtime_us' of at least %llu (%s)",
		pctx_path(c, par), (long long)pr.r, (long long)pr.p, pctx_path(c, par),
		(unsigned long long)need,
		pctx_target(c, par, RT_RUNTIME)
			? "its configured value is too small"
			: "in the configuration, or by hand when it is outside it");
	return true;
}

/*
 * Why no order works, when foreign directories hold RT budget: children of i that leave
 * less than they need (i lowered), or siblings that leave no room in the parent's
 * budget (i raised). Reported naming the one holding the most; false when none holds any.
 */
static bool
rt_foreign_error(struct pctx *c, size_t i, struct rt t)
{
	size_t par = c->d[i].parent, j, best = PDIR_NONE, of;
	uint64_t own[2] = { 0, 0 }, foreign[2] = { 0, 0 }, best_ratio = 0, room;
	struct rt v, pr;
	bool child;
	int w;

	/* [0]: the children of i; [1]: those of its parent, i at its target */
	for (j = 0; j < c->n; j++) {
		uint64_t r;

		if (!cpu_dir(c, j) || j == i)
			continue;
		if (c->d[j].parent == i)
			w = 0;
		else if (par != PDIR_NONE && c->d[j].parent == par)
			w = 1;
		else
			continue;
		v = rt_target(c, j);
		r = v.r > 0 && v.p > 0 ? rt_ratio(&v) : 0;
		if (pctx_foreign(c, j))
			foreign[w] += r;
		else
			own[w] += r;
	}
	own[1] += t.r > 0 && t.p > 0 ? rt_ratio(&t) : 0;
	pr = par != PDIR_NONE && cpu_dir(c, par) ? rt_target(c, par) : t;
	room = rt_ratio(&pr);
	/* the foreign dirs are the reason: without them the budgets would fit */
	if (own[0] <= rt_ratio(&t) && own[0] + foreign[0] > rt_ratio(&t))
		child = true;
	else if (par != PDIR_NONE && cpu_dir(c, par) && own[1] <= room &&
		 own[1] + foreign[1] > room)
		child = false;
	else
		return false;
	of = child ? i : par;
	for (j = 0; j < c->n; j++) {
		uint64_t r;

		if (j == i || !cpu_dir(c, j) || !pctx_foreign(c, j) || c->d[j].parent != of)
			continue;
		v = rt_now(c, j);
		r = v.r > 0 && v.p > 0 ? rt_ratio(&v) : 0;
		if (r > best_ratio) {
			best_ratio = r;
			best = j;
		}
	}
	if (best == PDIR_NONE)
		return false;
	v = rt_now(c, best);
	if (child) {
		pctx_error(
			c,
			"cannot lower the RT budget of '%s' to runtime %lld/%lld: its child '%s', which the configuration does not manage, holds 'cpu.rt_runtime_us' %lld/%lld; lower or remove it first",
			pctx_path(c, i), (long long)t.r, (long long)t.p, pctx_path(c, best),
			(long long)v.r, (long long)v.p);
		return true;
	}
	pctx_error(
		c,
		"'cpu.rt_runtime_us' %lld/%lld of '%s' does not fit in the RT budget of its parent '%s' (%lld/%lld): its child '%s', which the configuration does not manage, holds %lld/%lld; lower or remove it first, or give '%s' more",
		(long long)t.r, (long long)t.p, pctx_path(c, i), pctx_path(c, par), (long long)pr.r,
		(long long)pr.p, pctx_path(c, best), (long long)v.r, (long long)v.p,
		pctx_path(c, par));
	return true;
}

static void
rt_plan(struct pctx *c, size_t i, bool raising)
{
	const struct cg_value *tp, *tr;
	struct rt now, t;
	struct wr w[2], seq[3];
	int64_t mids[4];
	size_t n = 0, m, k;

	if (!cpu_dir(c, i))
		return;
	tp = pctx_wanted(c, i, RT_PERIOD);
	tr = pctx_wanted(c, i, RT_RUNTIME);
	if (!is_int(tp))
		tp = NULL;
	if (!is_int(tr))
		tr = NULL;
	if (!tp && !tr)
		return;
	now = t = rt_now(c, i);
	if (tp) {
		w[n++] = (struct wr){ RT_PERIOD, tp->u.num.v, false };
		t.p = tp->u.num.v;
	}
	if (tr) {
		w[n++] = (struct wr){ RT_RUNTIME, tr->u.num.v, false };
		t.r = tr->u.num.v;
	}
	if ((rt_ratio(&t) >= rt_ratio(&now)) != raising)
		return;
	if (t.r == 0 && now.r > 0 && pctx_sim(c, i)->populated)
		pctx_warning(
			c,
			"'%s' of '%s' goes to 0 while the group holds tasks: the write fails if any of them is a realtime task",
			RT_RUNTIME, pctx_path(c, i));
	for (k = 0; k < 6; k++) {
		m = permute(w, n, k, seq);
		if (rt_try(c, i, now, seq, m)) {
			emit(c, i, seq, m);
			return;
		}
	}
	/* a period change under a tight budget: through an intermediate runtime */
	mids[0] = 0;
	mids[1] = now.r < t.r ? now.r : t.r;
	mids[2] = now.p > 0 ? now.r * t.p / now.p : 0;
	mids[3] = t.p > 0 ? t.r * now.p / t.p : 0;
	for (k = 0; k < 4 && tp; k++) {
		seq[0] = (struct wr){ RT_RUNTIME, mids[k], true };
		seq[1] = (struct wr){ RT_PERIOD, t.p, false };
		seq[2] = (struct wr){ RT_RUNTIME, t.r, !tr };
		if (rt_try(c, i, now, seq, 3)) {
			emit(c, i, seq, 3);
			return;
		}
	}
	if (rt_through_zero(c, i, now, t, tp != NULL, tr != NULL))
		return;
	if (rt_foreign_error(c, i, t))
		return;
	if (rt_parent_error(c, i, t))
		return;
	pctx_error(
		c,
		"no safe order for the RT budget of '%s' (runtime %lld/%lld to %lld/%lld): the children's budgets must fit in their parent's after every write",
		pctx_path(c, i), (long long)now.r, (long long)now.p, (long long)t.r,
		(long long)t.p);
}

void
plan_rt_lower(struct pctx *c, size_t i)
{
	rt_plan(c, i, false);
}

void
plan_rt_raise(struct pctx *c, size_t i)
{
	rt_plan(c, i, true);
}

/* ---- idle, shares, and the v2 files ---- */

/* The kernel changes a value as a side effect (idle → shares): the sim follows. */
static void
side_effect(struct pctx *c, size_t i, const char *file, int64_t n)
{
	struct cg_state_file *f = cg_state_file(pctx_sim(c, i), file);
	struct cg_value v;

	if (!f || !f->present)
		return;
	plan_int_value(&v, n);
	cg_state_set(pctx_sim(c, i), file, f->def, &v);
}

static void
skip_while_idle(struct pctx *c, size_t i, const char *file)
{
	if (pctx_wanted(c, i, file))
		pctx_warning(
			c,
			"'%s' of '%s' is not written: the kernel refuses it while 'cpu.idle' is 1",
			file, pctx_path(c, i));
}

static void
cpu_v1(struct pctx *c, size_t i)
{
	const struct cg_value *idle = pctx_wanted(c, i, "cpu.idle");
	const struct cg_value *shares;

	if (is_int(idle)) {
		int64_t on = idle->u.num.v != 0;

		pctx_write(c, i, "cpu.idle", idle, false);
		side_effect(c, i, "cpu.shares", on ? 3 : 1024);
	}
	shares = pctx_wanted(c, i, "cpu.shares");
	if (!shares)
		return;
	if (pctx_int(c, i, "cpu.idle", 0) != 0)
		skip_while_idle(c, i, "cpu.shares");
	else
		pctx_write(c, i, "cpu.shares", shares, false);
}

static void
cpu_v2(struct pctx *c, size_t i)
{
	const struct cg_value *idle = pctx_wanted(c, i, "cpu.idle");
	const struct cg_value *max, *burst, *cur;
	static const char *const weights[] = { "cpu.weight", "cpu.weight.nice" };
	size_t k;

	if (idle)
		pctx_write(c, i, "cpu.idle", idle, false);
	for (k = 0; k < 2; k++) {
		const struct cg_value *v = pctx_wanted(c, i, weights[k]);

		if (!v)
			continue;
		if (pctx_int(c, i, "cpu.idle", 0) != 0)
			skip_while_idle(c, i, weights[k]);
		else
			pctx_write(c, i, weights[k], v, false);
	}
	/* burst ≤ quota after each write: a lower burst first, a higher one after cpu.max */
	max = pctx_wanted(c, i, "cpu.max");
	burst = pctx_wanted(c, i, "cpu.max.burst");
	cur = pctx_value(c, i, "cpu.max.burst");
	if (max && max->type == CG_VT_CPUMAX && !max->u.cpumax.unlimited) {
		int64_t b = burst && is_int(burst) ? burst->u.num.v
			    : is_int(cur)	   ? cur->u.num.v
						   : 0;
		int64_t bnow = is_int(cur) ? cur->u.num.v : 0;

		if (b > max->u.cpumax.quota) {
			pctx_error(
				c,
				"'cpu.max' of '%s' (quota %lld) would be below 'cpu.max.burst' (%lld); lower the burst too",
				pctx_path(c, i), (long long)max->u.cpumax.quota, (long long)b);
			return;
		}
		if (burst && bnow > max->u.cpumax.quota) {
			pctx_write(c, i, "cpu.max.burst", burst, false);
			burst = NULL;
		}
	}
	if (max)
		pctx_write(c, i, "cpu.max", max, false);
	if (burst)
		pctx_write(c, i, "cpu.max.burst", burst, false);
}

void
plan_cpu_other(struct pctx *c, size_t i)
{
	if (c->d[i].ver == CG_V1)
		cpu_v1(c, i);
	else
		cpu_v2(c, i);
}

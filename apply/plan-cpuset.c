/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "apply/plan-int.h"
#include "lib/strbuf.h"

/*
 * v1 cpuset (kernel-v1-constraints.md §3, kernel/cgroup/cpuset-v1.c validate_change):
 * every write must leave each child within its parent (cpus, mems, and the exclusive
 * flags: a child may be exclusive only under an exclusive parent), and no two siblings
 * may overlap where either is exclusive. A new group starts with no cpus and no mems.
 *
 * Lists: parents widen first, top-down, to old ∪ new (transitional unless that is the
 * target; a group without children goes straight to its target); then every list is
 * narrowed to its target bottom-up. At each write the parent holds a superset of both
 * the old and the new value and the children hold subsets of both, so the kernel
 * accepts it.
 *
 * Exclusive flags: an exclusive group whose list widens, or into whose cpus a sibling
 * widens, loses its flag for the duration (bottom-up, so its exclusive children first),
 * as does every exclusive group below one that does; flags are set (and restored)
 * top-down at the end, once every list is final.
 *
 * Foreign children and siblings (directories the configuration does not list) are never
 * written, so what the kernel would refuse because of them is refused here, naming
 * them: narrowing a group below a foreign child's list, widening a group into an
 * exclusive foreign sibling, making a group exclusive over a foreign sibling's list,
 * clearing a group's flag under which a foreign child is exclusive.
 */

#define CPUS "cpuset.cpus"
#define MEMS "cpuset.mems"
#define CX   "cpuset.cpu_exclusive"
#define MX   "cpuset.mem_exclusive"

bool
plan_cpuset_handles(const char *file, enum cg_version ver)
{
	return ver == CG_V1 && (strcmp(file, CPUS) == 0 || strcmp(file, MEMS) == 0 ||
				strcmp(file, CX) == 0 || strcmp(file, MX) == 0);
}

static bool
cpuset_dir(const struct pctx *c, size_t j)
{
	return c->d[j].ver == CG_V1 && pctx_exists(c, j) && pctx_has_controller(c, j, "cpuset");
}

static const struct cg_cpuset empty_set;

static const struct cg_cpuset *
list_now(const struct pctx *c, size_t j, const char *file)
{
	const struct cg_value *v = pctx_value(c, j, file);

	return v && v->type == CG_VT_CPULIST ? &v->u.cpus : &empty_set;
}

/* The list the target asks to write, or NULL. */
static const struct cg_cpuset *
list_wanted(const struct pctx *c, size_t j, const char *file)
{
	const struct cg_value *v = pctx_wanted(c, j, file);

	return v && v->type == CG_VT_CPULIST ? &v->u.cpus : NULL;
}

/* The final list: the target's when it sets one, else the current one. */
static const struct cg_cpuset *
list_final(const struct pctx *c, size_t j, const char *file)
{
	const struct cg_cpuset *t = list_wanted(c, j, file);

	return t ? t : list_now(c, j, file);
}

static const char *
flag_of(const char *list)
{
	return strcmp(list, CPUS) == 0 ? CX : MX;
}

/* The value the flag ends with: the target's record (configured or kept), else the current. */
static int64_t
flag_final(const struct pctx *c, size_t j, const char *flag)
{
	const struct cg_state_file *f = c->d[j].tgt ? cg_state_file(c->d[j].tgt, flag) : NULL;

	if (f && f->present && (f->value.type == CG_VT_BOOL || f->value.type == CG_VT_INT))
		return f->value.u.num.v != 0;
	return pctx_int(c, j, flag, 0) != 0;
}

static bool
widens(const struct pctx *c, size_t j, const char *list)
{
	const struct cg_cpuset *t = list_wanted(c, j, list);

	return t && !cg_cpuset_subset(t, list_now(c, j, list));
}

/* A sibling whose target reaches into j's current list. */
static bool
sibling_reaches(const struct pctx *c, size_t j, const char *list)
{
	size_t k;

	for (k = 0; k < c->n; k++) {
		if (k == j || c->d[k].parent != c->d[j].parent || !c->d[k].tgt ||
		    !c->d[k].tgt->exists || c->d[k].remove)
			continue;
		if (cg_cpuset_intersects(list_final(c, k, list), list_now(c, j, list)))
			return true;
	}
	return false;
}

static bool
must_clear(const struct pctx *c, size_t j, const char *list)
{
	const char *flag = flag_of(list);
	size_t par = c->d[j].parent;

	if (!cpuset_dir(c, j) || pctx_int(c, j, flag, 0) == 0)
		return false;
	if (flag_final(c, j, flag) == 0 || widens(c, j, list) || sibling_reaches(c, j, list))
		return true;
	return par != PDIR_NONE && must_clear(c, par, list);
}

static void
write_flag(struct pctx *c, size_t i, const char *flag, int64_t on, bool transitional)
{
	const struct cg_state_file *tf = pctx_target(c, i, flag);
	struct cg_value v;

	if (!transitional && tf && tf->value.u.num.v == on) {
		pctx_write(c, i, flag, &tf->value, false);
		return;
	}
	memset(&v, 0, sizeof(v));
	v.type = CG_VT_BOOL;
	v.u.num.v = on;
	pctx_write(c, i, flag, &v, transitional);
}

/*
 * A foreign child that is exclusive too: the kernel refuses to clear i's flag (a child
 * may be exclusive only under an exclusive parent). Reported; true when there is one.
 */
static bool
foreign_exclusive_child(struct pctx *c, size_t i, const char *flag)
{
	size_t j;

	for (j = i + 1; j < c->n; j++) {
		if (c->d[j].parent != i || !cpuset_dir(c, j) || !pctx_foreign(c, j) ||
		    pctx_int(c, j, flag, 0) == 0)
			continue;
		pctx_error(
			c,
			"cannot clear '%s' of '%s'%s: its child '%s', which the configuration does not manage, is exclusive ('%s' 1); clear its flag or remove it first",
			flag, pctx_path(c, i),
			flag_final(c, i, flag) ? " for a moment (its list or a sibling's widens)"
					       : "",
			pctx_path(c, j), flag);
		return true;
	}
	return false;
}

void
plan_cpuset_clear_flags(struct pctx *c, size_t i)
{
	static const char *const lists[] = { CPUS, MEMS };
	size_t k;

	for (k = 0; k < 2; k++) {
		const char *flag = flag_of(lists[k]);

		if (must_clear(c, i, lists[k]) && !foreign_exclusive_child(c, i, flag))
			write_flag(c, i, flag, 0, flag_final(c, i, flag) != 0);
	}
}

static void
list_value(struct cg_value *v, const struct cg_cpuset *s)
{
	memset(v, 0, sizeof(*v));
	v->type = CG_VT_CPULIST;
	cg_cpuset_copy(&v->u.cpus, s);
}

static void
refuse_outside(struct pctx *c, size_t i, const char *list, const struct cg_cpuset *t, size_t par)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

	cg_cpuset_format(t, &a);
	cg_cpuset_format(list_final(c, par, list), &b);
	pctx_error(
		c,
		"'%s' of '%s' (%s) is not within that of its parent '%s' (%s); a child cpuset must be a subset of its parent's",
		list, pctx_path(c, i), a.buf, pctx_path(c, par), b.buf);
	strbuf_release(&a);
	strbuf_release(&b);
}

static bool
has_children(const struct pctx *c, size_t i)
{
	size_t j;

	for (j = i + 1; j < c->n; j++)
		if (c->d[j].parent == i && cpuset_dir(c, j))
			return true;
	return false;
}

/*
 * A foreign sibling that is exclusive and holds some of `t`: the kernel refuses to widen
 * i into it, and the planner cannot clear its flag. Reported; true when there is one.
 */
static bool
foreign_exclusive_sibling(struct pctx *c, size_t i, const char *list, const struct cg_cpuset *t)
{
	size_t k;

	for (k = 0; k < c->n; k++) {
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

		if (k == i || c->d[k].parent != c->d[i].parent || !cpuset_dir(c, k) ||
		    !pctx_foreign(c, k) || pctx_int(c, k, flag_of(list), 0) == 0 ||
		    !cg_cpuset_intersects(list_now(c, k, list), t))
			continue;
		cg_cpuset_format(t, &a);
		cg_cpuset_format(list_now(c, k, list), &b);
		pctx_error(
			c,
			"cannot widen '%s' of '%s' to %s: its sibling '%s', which the configuration does not manage, is exclusive ('%s' 1) and has %s; clear its flag, narrow or remove it first",
			list, pctx_path(c, i), a.buf, pctx_path(c, k), flag_of(list), b.buf);
		strbuf_release(&a);
		strbuf_release(&b);
		return true;
	}
	return false;
}

void
plan_cpuset_widen(struct pctx *c, size_t i)
{
	static const char *const lists[] = { CPUS, MEMS };
	size_t k, par = c->d[i].parent;

	if (!cpuset_dir(c, i))
		return;
	for (k = 0; k < 2; k++) {
		const struct cg_cpuset *t = list_wanted(c, i, lists[k]);
		struct cg_value u;

		if (!t || cg_cpuset_subset(t, list_now(c, i, lists[k])))
			continue;
		if (par != PDIR_NONE && cpuset_dir(c, par) &&
		    !cg_cpuset_subset(t, list_now(c, par, lists[k]))) {
			refuse_outside(c, i, lists[k], t, par);
			continue;
		}
		if (foreign_exclusive_sibling(c, i, lists[k], t))
			continue;
		list_value(&u, list_now(c, i, lists[k]));
		cg_cpuset_union(&u.u.cpus, t);
		/* without children to keep within it, a group goes straight to its target */
		if (cg_cpuset_equal(&u.u.cpus, t) || !has_children(c, i))
			pctx_write(c, i, lists[k], pctx_wanted(c, i, lists[k]), false);
		else
			pctx_write(c, i, lists[k], &u, true);
		cg_value_release(&u);
	}
}

void
plan_cpuset_narrow(struct pctx *c, size_t i)
{
	static const char *const lists[] = { CPUS, MEMS };
	size_t k, j;

	if (!cpuset_dir(c, i))
		return;
	for (k = 0; k < 2; k++) {
		const struct cg_value *tv = pctx_wanted(c, i, lists[k]);
		const struct cg_cpuset *t = list_wanted(c, i, lists[k]);
		bool blocked = false;

		if (!t)
			continue;
		for (j = i + 1; j < c->n && !blocked; j++) {
			struct strbuf a = STRBUF_INIT;

			if (c->d[j].parent != i || !cpuset_dir(c, j) ||
			    cg_cpuset_subset(list_now(c, j, lists[k]), t))
				continue;
			cg_cpuset_format(list_now(c, j, lists[k]), &a);
			if (pctx_foreign(c, j)) {
				struct strbuf b = STRBUF_INIT;

				cg_cpuset_format(t, &b);
				pctx_error(
					c,
					"cannot narrow '%s' of '%s' to %s: its child '%s', which the configuration does not manage, has %s; narrow or remove it first",
					lists[k], pctx_path(c, i), b.len ? b.buf : "nothing",
					pctx_path(c, j), a.len ? a.buf : "none");
				strbuf_release(&b);
			} else {
				pctx_error(
					c,
					"cannot narrow '%s' of '%s': its child '%s' keeps %s; narrow the child too",
					lists[k], pctx_path(c, i), pctx_path(c, j), a.buf);
			}
			strbuf_release(&a);
			blocked = true;
		}
		if (blocked)
			continue;
		if (cg_cpuset_empty(t) && pctx_sim(c, i)->populated) {
			pctx_error(c, "cannot empty '%s' of '%s': it holds tasks", lists[k],
				   pctx_path(c, i));
			continue;
		}
		if (pctx_sim(c, i)->populated && c->d[i].cur &&
		    !cg_cpuset_subset(list_now(c, i, lists[k]), t))
			pctx_warning(
				c,
				"'%s' of '%s' shrinks while it holds tasks: they move to what remains",
				lists[k], pctx_path(c, i));
		pctx_write(c, i, lists[k], tv, false);
	}
}

static bool
flag_allowed(struct pctx *c, size_t i, const char *list)
{
	const char *flag = flag_of(list);
	size_t par = c->d[i].parent, k;
	bool ok = true;

	/*
	 * and the siblings too: each reason is one to fix. A parent the configuration makes
	 * exclusive, whose own flag was refused, has its own error: this one would only echo it.
	 */
	if (par != PDIR_NONE && cpuset_dir(c, par) && pctx_int(c, par, flag, 0) == 0) {
		const struct cg_state_file *pt = pctx_target(c, par, flag);

		if (!(pt && pt->value.u.num.v == 1))
			pctx_error(c, "'%s' of '%s' needs its parent '%s' exclusive too", flag,
				   pctx_path(c, i), pctx_path(c, par));
		ok = false;
	}
	for (k = 0; k < c->n; k++) {
		if (k == i || c->d[k].parent != par || !cpuset_dir(c, k))
			continue;
		if (!cg_cpuset_intersects(list_now(c, k, list), list_now(c, i, list)))
			continue;
		if (pctx_foreign(c, k)) {
			struct strbuf a = STRBUF_INIT;

			cg_cpuset_format(list_now(c, k, list), &a);
			pctx_error(
				c,
				"cannot set '%s' of '%s': its sibling '%s', which the configuration does not manage, has '%s' %s, which an exclusive cpuset cannot overlap; narrow or remove it first",
				flag, pctx_path(c, i), pctx_path(c, k), list, a.buf);
			strbuf_release(&a);
		} else {
			pctx_error(
				c,
				"'%s' of '%s' overlaps its sibling '%s', which an exclusive cpuset cannot",
				list, pctx_path(c, i), pctx_path(c, k));
		}
		return false;
	}
	return ok;
}

void
plan_cpuset_set_flags(struct pctx *c, size_t i)
{
	static const char *const lists[] = { CPUS, MEMS };
	size_t k;

	if (!cpuset_dir(c, i))
		return;
	for (k = 0; k < 2; k++) {
		const char *flag = flag_of(lists[k]);
		const struct cg_state_file *was;

		if (flag_final(c, i, flag) == 0 || pctx_int(c, i, flag, 0) != 0)
			continue;
		if (!flag_allowed(c, i, lists[k]))
			continue;
		/* set back after a transitional clear: not a change */
		was = c->d[i].cur && c->d[i].cur->exists ? cg_state_file(c->d[i].cur, flag) : NULL;
		write_flag(c, i, flag, 1,
			   was && was->present && was->value.type != CG_VT_SIZE &&
				   was->value.u.num.v != 0);
	}
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apply/plan-int.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "parser/schema.h"

/*
 * v1 devices (kernel-v1-constraints.md §6, security/device_cgroup.c). devices.allow and
 * devices.deny are write-only; what can be read is devices.list, the allow entries of a
 * deny-by-default group, or "a *:* rwm" for an allow-by-default one (whose deny
 * exceptions are invisible). So the configured rules (target devices.allow/deny) are
 * emulated on the simulated list: when they change nothing visible, nothing is
 * written (a rule that only adds or drops an invisible deny exception of an existing
 * allow-all group is a warning); when the group is deny-by-default before and after, only
 * the differences are written (step_to: no moment without every device, and possible
 * with children); otherwise, when the default changes, the deny rules are written and
 * then the allow rules, one rule per write. An `a` rule (switching the default) is
 * refused by the kernel once the group has children: it is planned right after the
 * group's mkdir, before its children's, and refused here for an existing group that has
 * children.
 *
 * Without configured rules, a target devices.list that is managed (rollback's target)
 * is reached by a minimal transition: deny the entries and access bits the target
 * lacks and allow what it adds (step_to).
 *
 * A deny reaches the group's descendants (their matching entries go, and entries their
 * parent no longer covers are dropped); the simulation follows that, so a child's
 * rules are compared with the list it will have by then.
 */

#define ACC_ALL 7u
#define ALLOW	"devices.allow"
#define DENY	"devices.deny"
#define LIST	"devices.list"

bool
plan_devices_handles(const char *file, enum cg_version ver)
{
	return ver == CG_V1 &&
	       (strcmp(file, ALLOW) == 0 || strcmp(file, DENY) == 0 || strcmp(file, LIST) == 0);
}

bool
plan_devices_intent(const char *file, enum cg_version ver)
{
	return ver == CG_V1 && (strcmp(file, ALLOW) == 0 || strcmp(file, DENY) == 0);
}

/* ---- emulation ---- */

static bool
same_key(const struct cg_devrule *a, const struct cg_devrule *b)
{
	return a->type == b->type && a->dev.major == b->dev.major && a->dev.minor == b->dev.minor;
}

bool
plan_devlist_allow_all(const struct cg_value *list)
{
	size_t k;

	for (k = 0; k < list->u.devrules.n; k++)
		if (list->u.devrules.items[k].type == 'a')
			return true;
	return false;
}

static void
list_clear(struct cg_value *list)
{
	free(list->u.devrules.items);
	list->u.devrules.items = NULL;
	list->u.devrules.n = 0;
}

static void
list_append(struct cg_value *list, const struct cg_devrule *r)
{
	size_t n = list->u.devrules.n;

	list->u.devrules.items =
		xrealloc(list->u.devrules.items, (n + 1) * sizeof(*list->u.devrules.items));
	list->u.devrules.items[n] = *r;
	list->u.devrules.n = n + 1;
}

/* dev_exception_rm: takes `access` away from the entries of the same key. */
static void
list_remove(struct cg_value *list, const struct cg_devrule *r)
{
	size_t k, m = 0;

	for (k = 0; k < list->u.devrules.n; k++) {
		struct cg_devrule e = list->u.devrules.items[k];

		if (same_key(&e, r))
			e.access &= ~r->access;
		if (e.access)
			list->u.devrules.items[m++] = e;
	}
	list->u.devrules.n = m;
}

void
plan_devlist_apply(struct cg_value *list, const struct cg_devrule *r, bool allow)
{
	size_t k;

	if (r->type == 'a') {
		list_clear(list);
		if (allow) {
			struct cg_devrule all = { 'a', { -1, -1 }, ACC_ALL };

			list_append(list, &all);
		}
		return;
	}
	/* allow-all mode: a rule adds or removes an invisible deny exception */
	if (plan_devlist_allow_all(list))
		return;
	if (!allow) {
		list_remove(list, r);
		return;
	}
	for (k = 0; k < list->u.devrules.n; k++) {
		if (same_key(&list->u.devrules.items[k], r)) {
			list->u.devrules.items[k].access |= r->access;
			return;
		}
	}
	list_append(list, r);
}

static bool
list_has(const struct cg_value *list, const struct cg_devrule *r)
{
	size_t k;

	for (k = 0; k < list->u.devrules.n; k++)
		if (same_key(&list->u.devrules.items[k], r) &&
		    list->u.devrules.items[k].access == r->access)
			return true;
	return false;
}

bool
plan_devlist_equal(const struct cg_value *a, const struct cg_value *b)
{
	size_t k;

	if (plan_devlist_allow_all(a) || plan_devlist_allow_all(b))
		return plan_devlist_allow_all(a) == plan_devlist_allow_all(b);
	if (a->u.devrules.n != b->u.devrules.n)
		return false;
	for (k = 0; k < a->u.devrules.n; k++)
		if (!list_has(b, &a->u.devrules.items[k]))
			return false;
	return true;
}

/* match_exception: an entry of `list` covers all of r (type, numbers, access). */
static bool
covers(const struct cg_value *list, const struct cg_devrule *r)
{
	size_t k;

	if (plan_devlist_allow_all(list))
		return true;
	for (k = 0; k < list->u.devrules.n; k++) {
		const struct cg_devrule *e = &list->u.devrules.items[k];

		if (e->type != r->type)
			continue;
		if (e->dev.major >= 0 && e->dev.major != r->dev.major)
			continue;
		if (e->dev.minor >= 0 && e->dev.minor != r->dev.minor)
			continue;
		if (r->access & ~e->access)
			continue;
		return true;
	}
	return false;
}

/* match_exception_partial: r and e overlap in type, numbers and access. */
static bool
overlaps(const struct cg_devrule *e, const struct cg_devrule *r)
{
	if (e->type != r->type)
		return false;
	if (r->dev.major >= 0 && e->dev.major >= 0 && e->dev.major != r->dev.major)
		return false;
	if (r->dev.minor >= 0 && e->dev.minor >= 0 && e->dev.minor != r->dev.minor)
		return false;
	return (r->access & e->access) != 0;
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
 * propagate_exception + revalidate_active_exceptions: a deny written to group i reaches
 * its (existing) descendants, parents first.
 */
static void
propagate(struct pctx *c, size_t i, const struct cg_devrule *r)
{
	size_t j, k;

	for (j = i + 1; j < c->n; j++) {
		const struct cg_value *pv, *now;
		struct cg_value list;
		size_t m = 0;

		if (!pctx_exists(c, j) || !is_below(c, j, i) || c->d[j].parent == PDIR_NONE)
			continue;
		now = pctx_value(c, j, LIST);
		pv = pctx_value(c, c->d[j].parent, LIST);
		if (!now || now->type != CG_VT_DEVRULE || plan_devlist_allow_all(now))
			continue;
		cg_value_copy(&list, now);
		list_remove(&list, r);
		for (k = 0; k < list.u.devrules.n; k++) {
			const struct cg_devrule *e = &list.u.devrules.items[k];
			bool keep;

			if (pv && pv->type == CG_VT_DEVRULE && !plan_devlist_allow_all(pv))
				keep = covers(pv, e);
			else
				keep = !overlaps(r, e);
			if (keep)
				list.u.devrules.items[m++] = *e;
		}
		list.u.devrules.n = m;
		cg_state_set(pctx_sim(c, j), LIST, cg_state_file(pctx_sim(c, j), LIST)->def, &list);
		cg_value_release(&list);
	}
}

static bool
has_children(const struct pctx *c, size_t i)
{
	size_t j;

	for (j = i + 1; j < c->n; j++)
		if (c->d[j].parent == i && pctx_exists(c, j))
			return true;
	return false;
}

static void
rule_text(const struct cg_devrule *r, struct strbuf *sb)
{
	struct cg_value v;

	memset(&v, 0, sizeof(v));
	v.type = CG_VT_DEVRULE;
	v.u.devrules.items = (struct cg_devrule *)r;
	v.u.devrules.n = 1;
	cg_value_format(&v, CG_V1, sb);
}

static void
write_rule(struct pctx *c, size_t i, const struct cg_devrule *r, bool allow)
{
	const struct cg_value *now = pctx_value(c, i, LIST);
	struct strbuf sb = STRBUF_INIT;
	struct plan_step *s;

	rule_text(r, &sb);
	s = pctx_write_text(c, i, allow ? ALLOW : DENY, NULL, sb.buf, false);
	strbuf_release(&sb);
	if (now && now->type == CG_VT_DEVRULE) {
		struct cg_value list;
		struct cg_state_file *f = cg_state_file(pctx_sim(c, i), LIST);

		/* in allow-all mode a deny exception cannot be read back, nor told from an older
		 * one */
		s->irreversible = !allow && r->type != 'a' && plan_devlist_allow_all(now);
		cg_value_copy(&list, now);
		plan_devlist_apply(&list, r, allow);
		cg_state_set(pctx_sim(c, i), LIST, f->def, &list);
		cg_value_release(&list);
	}
	if (!allow)
		propagate(c, i, r);
}

static const struct cg_value *
rules(const struct pctx *c, size_t i, const char *file)
{
	const struct cg_state_file *f = pctx_target(c, i, file);

	return f && f->value.type == CG_VT_DEVRULE ? &f->value : NULL;
}

static bool
any_a(const struct cg_value *v)
{
	size_t k;

	for (k = 0; v && k < v->u.devrules.n; k++)
		if (v->u.devrules.items[k].type == 'a')
			return true;
	return false;
}

static bool
refuse_default(struct pctx *c, size_t i)
{
	if (!has_children(c, i))
		return false;
	pctx_error(
		c,
		"the devices default of '%s' (an 'a' rule) cannot change while it has child groups: the kernel refuses it; remove the children or set the default before creating them",
		pctx_path(c, i));
	return true;
}

/* parent_has_perm as far as the parent's devices.list shows: whether it can give r. */
static bool
parent_gives(const struct pctx *c, size_t i, const struct cg_devrule *r)
{
	size_t par = c->d[i].parent;
	const struct cg_value *pv = par == PDIR_NONE ? NULL : pctx_value(c, par, LIST);

	if (!pv || pv->type != CG_VT_DEVRULE || plan_devlist_allow_all(pv))
		return true;
	return r->type != 'a' && covers(pv, r);
}

static bool
refuse_gain(struct pctx *c, size_t i, const struct cg_devrule *r)
{
	struct strbuf sb = STRBUF_INIT;

	if (parent_gives(c, i, r))
		return false;
	rule_text(r, &sb);
	pctx_error(
		c,
		"'%s' cannot allow '%s': its parent '%s' does not, and a group never gets more devices than its parent",
		pctx_path(c, i), sb.buf, pctx_path(c, c->d[i].parent));
	strbuf_release(&sb);
	return true;
}

/* Whether every allow rule is one the parent can give, where the kernel checks it. */
static bool
allows_ok(struct pctx *c, size_t i, const struct cg_value *deny, const struct cg_value *allow)
{
	const struct cg_value *now = pctx_value(c, i, LIST);
	struct cg_value e;
	bool ok = true;
	size_t k;

	memset(&e, 0, sizeof(e));
	e.type = CG_VT_DEVRULE;
	if (now && now->type == CG_VT_DEVRULE)
		cg_value_copy(&e, now);
	for (k = 0; deny && k < deny->u.devrules.n; k++)
		plan_devlist_apply(&e, &deny->u.devrules.items[k], false);
	for (k = 0; ok && allow && k < allow->u.devrules.n; k++) {
		const struct cg_devrule *r = &allow->u.devrules.items[k];

		/* in allow-all mode an allow only drops an exception: nothing to check here */
		if ((r->type == 'a' || !plan_devlist_allow_all(&e)) && refuse_gain(c, i, r))
			ok = false;
		plan_devlist_apply(&e, r, true);
	}
	cg_value_release(&e);
	return ok;
}

static const struct cg_devrule *
find_key(const struct cg_value *list, const struct cg_devrule *r)
{
	size_t k;

	for (k = 0; k < list->u.devrules.n; k++)
		if (same_key(&list->u.devrules.items[k], r))
			return &list->u.devrules.items[k];
	return NULL;
}

/*
 * From the deny-by-default list the group has to the deny-by-default list t, without
 * touching the default (so with children too, and no moment without every device): an
 * allow of the bits each entry gains, then a deny of the bits each entry loses, one rule
 * per write. Allows first: the group then never has less than both lists share, and its
 * children (planned after it) never lose an entry that t still covers while a deny
 * revalidates them (propagate; a deny of the very key of a child's entry still takes it
 * away there, and the child's own rules then give it back). Every allow is checked against
 * the parent, which is already in its final state, before anything is written.
 */
static void
step_to(struct pctx *c, size_t i, const struct cg_value *t)
{
	struct cg_value cur, gain;
	size_t k;

	cg_value_copy(&cur, pctx_value(c, i, LIST));
	memset(&gain, 0, sizeof(gain));
	gain.type = CG_VT_DEVRULE;
	for (k = 0; k < t->u.devrules.n; k++) {
		struct cg_devrule r = t->u.devrules.items[k];
		const struct cg_devrule *have = find_key(&cur, &r);

		r.access &= have ? ~have->access : ACC_ALL;
		if (r.access)
			list_append(&gain, &r);
	}
	for (k = 0; k < gain.u.devrules.n; k++)
		if (refuse_gain(c, i, &gain.u.devrules.items[k]))
			goto out;
	for (k = 0; k < gain.u.devrules.n; k++)
		write_rule(c, i, &gain.u.devrules.items[k], true);
	for (k = 0; k < cur.u.devrules.n; k++) {
		struct cg_devrule r = cur.u.devrules.items[k];
		const struct cg_devrule *want = find_key(t, &r);

		r.access &= want ? ~want->access : ACC_ALL;
		if (r.access)
			write_rule(c, i, &r, false);
	}
out:
	cg_value_release(&gain);
	cg_value_release(&cur);
}

/*
 * A rule that acts in allow-all mode adds (deny) or drops (allow) an exception that
 * devices.list never shows, so whether the kernel holds it cannot be told: on an existing
 * group it is not written, and the plan says so.
 */
static void
warn_invisible(struct pctx *c, size_t i, const struct cg_devrule *r, bool allow)
{
	struct strbuf sb = STRBUF_INIT;

	rule_text(r, &sb);
	pctx_warning(
		c,
		"'%s' in %s of '%s' is not written: the group exists and allows all devices, and devices.list does not show the deny exceptions of such a group, so whether the kernel %s cannot be checked (cgapply writes it only when it creates the group); to have it applied, remove the group and apply again, or make the group deny every device ('a' in devices.deny) and allow only what it needs",
		sb.buf, allow ? ALLOW : DENY, pctx_path(c, i),
		allow ? "still holds the deny exception it removes" : "already holds it");
	strbuf_release(&sb);
}

/* The rules that act while the emulated list is allow-all, when none is written. */
static void
invisible_rules(struct pctx *c, size_t i, const struct cg_value *now, const struct cg_value *deny,
		const struct cg_value *allow)
{
	struct cg_value e;
	size_t k;

	cg_value_copy(&e, now);
	for (k = 0; deny && k < deny->u.devrules.n; k++) {
		const struct cg_devrule *r = &deny->u.devrules.items[k];

		if (r->type != 'a' && plan_devlist_allow_all(&e))
			warn_invisible(c, i, r, false);
		plan_devlist_apply(&e, r, false);
	}
	for (k = 0; allow && k < allow->u.devrules.n; k++) {
		const struct cg_devrule *r = &allow->u.devrules.items[k];

		if (r->type != 'a' && plan_devlist_allow_all(&e))
			warn_invisible(c, i, r, true);
		plan_devlist_apply(&e, r, true);
	}
	cg_value_release(&e);
}

/*
 * The configured rules: nothing when they change nothing devices.list shows (unless the
 * group is new); the differences only, when the group is deny-by-default before and after
 * (step_to); every rule in order otherwise, that is when the default changes.
 */
/*
 * The configured rules in the order the kernel needs them: an `a` rule first (it sets
 * the default and clears every exception written before it), then the deny rules, then
 * the allow rules, each in the order written. Calls fn for each; `allow` says which file.
 */
typedef void (*rule_fn)(void *ctx, const struct cg_devrule *r, bool allow);

static void
each_rule(const struct cg_value *deny, const struct cg_value *allow, rule_fn fn, void *ctx)
{
	size_t k;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (k = 0; deny && k < deny->u.devrules.n; k++)
			if ((deny->u.devrules.items[k].type == 'a') == (pass == 0))
				fn(ctx, &deny->u.devrules.items[k], false);
		for (k = 0; allow && k < allow->u.devrules.n; k++)
			if ((allow->u.devrules.items[k].type == 'a') == (pass == 0))
				fn(ctx, &allow->u.devrules.items[k], true);
	}
}

static void
apply_to_list(void *ctx, const struct cg_devrule *r, bool allow)
{
	plan_devlist_apply(ctx, r, allow);
}

struct write_ctx {
	struct pctx *c;
	size_t i;
};

static void
write_to_dir(void *ctx, const struct cg_devrule *r, bool allow)
{
	struct write_ctx *w = ctx;

	write_rule(w->c, w->i, r, allow);
}

static void
rules_mode(struct pctx *c, size_t i, const struct cg_value *deny, const struct cg_value *allow)
{
	const struct cg_value *now = pctx_value(c, i, LIST);
	struct cg_value e;

	if (now && now->type == CG_VT_DEVRULE && !c->d[i].create) {
		bool changed, same_default;

		cg_value_copy(&e, now);
		each_rule(deny, allow, apply_to_list, &e);
		changed = !plan_devlist_equal(&e, now);
		same_default = !plan_devlist_allow_all(now) && !plan_devlist_allow_all(&e);
		if (changed && same_default)
			step_to(c, i, &e);
		cg_value_release(&e);
		if (!changed)
			invisible_rules(c, i, now, deny, allow);
		if (!changed || same_default)
			return;
	}
	if ((any_a(deny) || any_a(allow)) && refuse_default(c, i))
		return;
	if (!allows_ok(c, i, deny, allow))
		return;
	each_rule(deny, allow, write_to_dir, &(struct write_ctx){ c, i });
}

/*
 * A recorded devices.list to return to: the smallest set of rules from the current one;
 * a group the plan creates with no known list gets `a` denied (or allowed) and each entry.
 */
static void
list_mode(struct pctx *c, size_t i, const struct cg_value *t)
{
	const struct cg_value *now = pctx_value(c, i, LIST);
	struct cg_devrule all = { 'a', { -1, -1 }, ACC_ALL };
	size_t k;

	if ((!now || now->type != CG_VT_DEVRULE) && c->d[i].create) {
		/* a new group under a parent whose list was not read: set it outright */
		if (plan_devlist_allow_all(t)) {
			write_rule(c, i, &all, true);
			return;
		}
		write_rule(c, i, &all, false);
		for (k = 0; k < t->u.devrules.n; k++)
			write_rule(c, i, &t->u.devrules.items[k], true);
		return;
	}
	if (!now || now->type != CG_VT_DEVRULE || plan_devlist_equal(now, t))
		return;
	if (plan_devlist_allow_all(t)) {
		if (!refuse_default(c, i) && !refuse_gain(c, i, &all))
			write_rule(c, i, &all, true);
		return;
	}
	if (plan_devlist_allow_all(now)) {
		for (k = 0; k < t->u.devrules.n; k++)
			if (refuse_gain(c, i, &t->u.devrules.items[k]))
				return;
		if (refuse_default(c, i))
			return;
		write_rule(c, i, &all, false);
	}
	step_to(c, i, t);
}

void
plan_devices_dir(struct pctx *c, size_t i)
{
	const struct cg_value *deny, *allow, *list;

	if (c->d[i].ver != CG_V1)
		return;
	deny = rules(c, i, DENY);
	allow = rules(c, i, ALLOW);
	if (deny || allow) {
		rules_mode(c, i, deny, allow);
		return;
	}
	list = pctx_wanted(c, i, LIST);
	if (list && list->type == CG_VT_DEVRULE)
		list_mode(c, i, list);
}

/* Whether a configured rule sets the default (written first), so the list is known from
 * nothing. */
static bool
has_a(const struct cg_value *deny, const struct cg_value *allow)
{
	return any_a(deny) || any_a(allow);
}

void
plan_devices_expect(const struct pctx *c, struct cg_state *want)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct cg_value *deny, *allow, *now;
		struct cg_state_dir *wd;
		struct cg_state_file *f;
		struct cg_value e;

		if (c->d[i].ver != CG_V1 || !pctx_exists(c, i))
			continue;
		deny = rules(c, i, DENY);
		allow = rules(c, i, ALLOW);
		wd = cg_state_find(want, pctx_path(c, i));
		if ((!deny && !allow) || !wd)
			continue;
		now = pctx_value(c, i, LIST);
		memset(&e, 0, sizeof(e));
		e.type = CG_VT_DEVRULE;
		if (now && now->type == CG_VT_DEVRULE) {
			cg_value_copy(&e, now);
		} else if (has_a(deny, allow)) {
			/* no list was read (a group the plan creates under an unread parent) */
			each_rule(deny, allow, apply_to_list, &e);
		} else {
			continue;
		}
		f = cg_state_set(wd, LIST, cg_schema_file_any(LIST), &e);
		f->managed = true;
		cg_value_release(&e);
	}
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "apply/plan-int.h"
#include "lib/strbuf.h"

/*
 * v1 memory: the kernel checks limit ≤ memsw on every write of either file (EINVAL
 * otherwise, kernel-v1-constraints.md §1), so the pair is ordered by the values the
 * kernel holds at that moment: memsw goes first when the new memsw is at least the
 * current limit (growing, unlimiting), else the limit goes first (shrinking, a first
 * finite memsw). When only one of the two is configured, the other keeps its current
 * value, and a write that would break the rule is refused here rather than by the kernel.
 */

#define LIMIT "memory.limit_in_bytes"
#define MEMSW "memory.memsw.limit_in_bytes"

bool
plan_memory_handles(const char *file, enum cg_version ver)
{
	return ver == CG_V1 && (strcmp(file, LIMIT) == 0 || strcmp(file, MEMSW) == 0);
}

static bool
is_size(const struct cg_value *v)
{
	return v && v->type == CG_VT_SIZE;
}

/* a ≤ b, unlimited being above every size */
static bool
size_le(const struct cg_value *a, const struct cg_value *b)
{
	if (b->u.size.unlimited)
		return true;
	if (a->u.size.unlimited)
		return false;
	return a->u.size.bytes <= b->u.size.bytes;
}

static void
size_text(const struct cg_value *v, struct strbuf *sb)
{
	if (v->u.size.unlimited)
		strbuf_adds(sb, "unlimited");
	else
		cg_size_human(v->u.size.bytes, sb);
}

static void
refuse(struct pctx *c, size_t i, const char *file, const struct cg_value *v, const char *rel,
       const char *other, const struct cg_value *ov, const char *fix)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

	size_text(v, &a);
	size_text(ov, &b);
	pctx_error(c, "'%s' of '%s' (%s) would %s the current '%s' (%s); %s", file, pctx_path(c, i),
		   a.buf, rel, other, b.buf, fix);
	strbuf_release(&a);
	strbuf_release(&b);
}

void
plan_memory_dir(struct pctx *c, size_t i)
{
	const struct cg_value *tl, *ts, *cl, *cs;

	if (c->d[i].ver != CG_V1)
		return;
	tl = pctx_wanted(c, i, LIMIT);
	ts = pctx_wanted(c, i, MEMSW);
	if (!tl && !ts)
		return;
	cl = pctx_value(c, i, LIMIT);
	cs = pctx_value(c, i, MEMSW);
	if ((tl && !is_size(tl)) || (ts && !is_size(ts)) || (cl && !is_size(cl)) ||
	    (cs && !is_size(cs))) {
		/* not sizes: nothing to order by (an unchecked file), write as configured */
		if (tl)
			pctx_write(c, i, LIMIT, tl, false);
		if (ts)
			pctx_write(c, i, MEMSW, ts, false);
		return;
	}
	if (!ts) {
		if (cs && !size_le(tl, cs)) {
			refuse(c, i, LIMIT, tl, "exceed", MEMSW, cs,
			       "the kernel keeps the limit at or below memsw, so manage memory.memsw.limit_in_bytes too");
			return;
		}
		pctx_write(c, i, LIMIT, tl, false);
		return;
	}
	if (!tl) {
		if (cl && !size_le(cl, ts)) {
			refuse(c, i, MEMSW, ts, "be below", LIMIT, cl,
			       "the kernel keeps memsw at or above the limit, so manage memory.limit_in_bytes too");
			return;
		}
		pctx_write(c, i, MEMSW, ts, false);
		return;
	}
	if (!size_le(tl, ts)) {
		refuse(c, i, MEMSW, ts, "be below", LIMIT, tl,
		       "expected memsw >= limit in the target");
		return;
	}
	/* memsw first when it stays at or above the current limit; the limit then fits */
	if (!cl || size_le(cl, ts)) {
		pctx_write(c, i, MEMSW, ts, false);
		pctx_write(c, i, LIMIT, tl, false);
	} else {
		pctx_write(c, i, LIMIT, tl, false);
		pctx_write(c, i, MEMSW, ts, false);
	}
}

/* A v1 memsw limit below the group's memory+swap usage fails the same way (EBUSY). */
static void
memsw_preflight(struct pctx *c, size_t i)
{
	const struct cg_value *want = pctx_wanted(c, i, MEMSW);
	const struct cg_state_file *uf;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

	if (!is_size(want) || want->u.size.unlimited || !c->d[i].cur)
		return;
	uf = cg_state_file(c->d[i].cur, "memory.memsw.usage_in_bytes");
	if (!uf || !uf->present || !is_size(&uf->value) || uf->value.u.size.unlimited ||
	    uf->value.u.size.bytes <= want->u.size.bytes)
		return;
	size_text(want, &a);
	size_text(&uf->value, &b);
	pctx_warning(
		c,
		"'%s' of '%s' (%s) is below its current memory+swap usage (%s): the kernel cannot reclaim swap, so the write may fail and the apply roll back",
		MEMSW, pctx_path(c, i), a.buf, b.buf);
	strbuf_release(&a);
	strbuf_release(&b);
}

/*
 * A limit below the current usage: v1 reclaims page cache but fails with EBUSY on
 * anonymous memory (the executor then rolls back), so it is a warning; v2 reclaims and
 * then OOM-kills inside the group, so it is refused unless forced.
 */
void
plan_memory_preflight(struct pctx *c, size_t i)
{
	bool v1 = c->d[i].ver == CG_V1;
	const char *file = v1 ? LIMIT : "memory.max";
	const struct cg_value *want = pctx_wanted(c, i, file), *use;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	const struct cg_state_file *uf;

	if (v1)
		memsw_preflight(c, i);
	if (!is_size(want) || want->u.size.unlimited || !c->d[i].cur)
		return;
	uf = cg_state_file(c->d[i].cur, v1 ? "memory.usage_in_bytes" : "memory.current");
	if (!uf || !uf->present || !is_size(&uf->value) || uf->value.u.size.unlimited)
		return;
	use = &uf->value;
	if (use->u.size.bytes <= want->u.size.bytes)
		return;
	size_text(want, &a);
	size_text(use, &b);
	if (v1)
		pctx_warning(
			c,
			"'%s' of '%s' (%s) is below its current usage (%s): the kernel reclaims page cache, but anonymous memory makes the write fail and the apply roll back",
			file, pctx_path(c, i), a.buf, b.buf);
	else if (c->o->force)
		pctx_warning(
			c,
			"'%s' of '%s' (%s) is below its current usage (%s): the kernel reclaims and then kills tasks in the group",
			file, pctx_path(c, i), a.buf, b.buf);
	else
		pctx_error(
			c,
			"'%s' of '%s' (%s) is below its current usage (%s): the kernel would reclaim and then kill tasks in the group; use --force to do it anyway",
			file, pctx_path(c, i), a.buf, b.buf);
	strbuf_release(&a);
	strbuf_release(&b);
}

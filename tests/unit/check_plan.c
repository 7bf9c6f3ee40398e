/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The planner: (a) one table case per rule of DESIGN.md "Safe order", asserting the
 * exact steps and that the kernel model (tests/lib/kmodel) takes each of them; (b) the
 * model check: thousands of generated transitions from a random valid state to a random
 * valid target, every step applied to the kernel model, which must accept it, the end
 * state equal to the target on every managed file, and the plan from there empty;
 * (c) apply/desired on configurations parsed from YAML.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/desired.h"
#include "apply/hierarchy.h"
#include "apply/layout.h"
#include "apply/plan.h"
#include "apply/readback.h"
#include "apply/state.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "parser/parse.h"
#include "parser/schema.h"
#include "tests/lib/kmodel.h"
#include "tests/lib/testutil.h"

/* ---- hierarchies ---- */

static char s_memory[] = "memory", s_cpu[] = "cpu", s_cpuacct[] = "cpuacct",
	    s_cpumnt[] = "cpu,cpuacct", s_cpuset[] = "cpuset", s_devices[] = "devices",
	    s_freezer[] = "freezer", s_unified[] = "unified", s_pids[] = "pids";
static char *c_memory[] = { s_memory };
static char *c_cpu[] = { s_cpu, s_cpuacct };
static char *c_cpuset[] = { s_cpuset };
static char *c_devices[] = { s_devices };
static char *c_freezer[] = { s_freezer };
static char *c_v2[] = { s_memory, s_pids };
static struct cg_hier hiers[] = {
	{ CG_V1, s_memory, c_memory, 1 },   { CG_V1, s_cpumnt, c_cpu, 2 },
	{ CG_V1, s_cpuset, c_cpuset, 1 },   { CG_V1, s_devices, c_devices, 1 },
	{ CG_V1, s_freezer, c_freezer, 1 }, { CG_V2, s_unified, c_v2, 2 },
};
#define NHIERS (sizeof(hiers) / sizeof(hiers[0]))

static const struct cg_hier *
hier_of(const char *fspath)
{
	size_t i, n;

	for (i = 0; i < NHIERS; i++) {
		n = strlen(hiers[i].mount);
		if (strncmp(fspath, hiers[i].mount, n) == 0 && (!fspath[n] || fspath[n] == '/'))
			return &hiers[i];
	}
	ck_abort_msg("no hierarchy for '%s'", fspath);
	return NULL;
}

/* ---- building states ---- */

static struct cg_state_dir *
dir(struct cg_state *s, const char *fspath, bool exists)
{
	struct cg_state_dir *d = cg_state_add_dir(s, fspath);
	const char *slash = strchr(fspath, '/');

	d->hier = hier_of(fspath);
	d->exists = exists;
	d->anchor = !slash;
	free(d->group);
	d->group = slash ? xstrdup(slash + 1) : NULL;
	return d;
}

/* A value as the kernel shows it (parsed by apply/readback). */
static struct cg_state_file *
val(struct cg_state *s, const char *fspath, const char *file, const char *text)
{
	struct cg_state_dir *d = cg_state_find(s, fspath);
	const struct cg_filedef *def = cg_schema_file_any(file);
	struct cg_error *err = NULL;
	struct cg_state_file *f;
	struct cg_value v;

	ck_assert_msg(d != NULL, "no dir '%s'", fspath);
	if (cg_readback_parse(def, file, text, d->hier->version, &v, &err) < 0) {
		ck_abort_msg("%s: '%s': %s", file, text, err ? err->msg : "?");
		cg_error_free(err);
	}
	f = cg_state_set(d, file, def, &v);
	cg_value_release(&v);
	return f;
}

/* A value the target manages. */
static void
want(struct cg_state *s, const char *fspath, const char *file, const char *text)
{
	val(s, fspath, file, text)->managed = true;
}

/* Sets a file in both states: the same value, unmanaged in the target. */
static void
both(struct cg_state *cur, struct cg_state *t, const char *fspath, const char *file,
     const char *text)
{
	val(cur, fspath, file, text);
	val(t, fspath, file, text);
}

/* ---- plans as text ---- */

static char *
dump(const struct plan *p)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct plan_step *s = &p->steps[i];

		switch (s->op) {
		case PLAN_OP_MKDIR:
			strbuf_addf(&sb, "mkdir %s %04o\n", s->dir, (unsigned)s->mode);
			break;
		case PLAN_OP_WRITE:
			strbuf_addf(&sb, "write %s %s %s%s\n", s->dir, s->file, s->new_text,
				    s->transitional ? " ~" : "");
			break;
		case PLAN_OP_CHOWN:
			strbuf_addf(&sb, "chown %s %s %d:%d\n", s->dir, s->file ? s->file : ".",
				    (int)s->uid, (int)s->gid);
			break;
		case PLAN_OP_CHMOD:
			strbuf_addf(&sb, "chmod %s %s %04o\n", s->dir, s->file ? s->file : ".",
				    (unsigned)s->mode);
			break;
		case PLAN_OP_RMDIR:
			strbuf_addf(&sb, "rmdir %s\n", s->dir);
			break;
		}
	}
	return strbuf_detach(&sb);
}

static char *
diags_text(const struct cg_diags *d)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < d->n; i++)
		strbuf_addf(&sb, "%s: %s\n", cg_severity_name(d->items[i].severity),
			    d->items[i].msg);
	return strbuf_detach(&sb);
}

/* Check limits message lengths: a long plan that differs goes to stderr. */
#define expect_text(got, expected) expect_text_at(__LINE__, got, expected)

static void
expect_text_at(int line, const char *got, const char *expected)
{
	if (strcmp(got, expected) == 0)
		return;
	fprintf(stderr, "line %d: got:\n%s-- expected:\n%s--\n", line, got, expected);
	ck_abort_msg("line %d: the plan differs (both on stderr)", line);
}

/* ---- the kernel model from a state ---- */

static void
controllers_of(const struct cg_hier *h, struct strbuf *sb)
{
	size_t i;

	for (i = 0; i < h->ncontrollers; i++) {
		if (i)
			strbuf_addch(sb, ',');
		strbuf_adds(sb, h->controllers[i]);
	}
}

static struct km *
km_from_state(const struct cg_state *s)
{
	struct km *k = km_new(8, 2);
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		const struct cg_state_dir *d = &s->dirs[i];

		if (!d->exists || d->hier->version != CG_V1)
			continue;
		if (!strchr(d->fspath, '/')) {
			struct strbuf c = STRBUF_INIT;

			controllers_of(d->hier, &c);
			km_add_root(k, d->fspath, c.buf);
			strbuf_release(&c);
		} else {
			ck_assert_msg(km_mkdir(k, d->fspath) == 0, "model mkdir '%s'", d->fspath);
		}
		km_set_populated(k, d->fspath, d->populated);
		for (j = 0; j < d->nfiles; j++) {
			const struct cg_state_file *f = &d->files[j];
			struct strbuf t = STRBUF_INIT;

			if (!f->present || strcmp(f->name, "devices.allow") == 0 ||
			    strcmp(f->name, "devices.deny") == 0)
				continue;
			cg_value_format(&f->value, CG_V1, &t);
			ck_assert_msg(km_force(k, d->fspath, f->name, t.buf) == 0,
				      "model: %s/%s '%s'", d->fspath, f->name, t.buf);
			strbuf_release(&t);
		}
	}
	return k;
}

/* The value the model shows, parsed as the snapshot would. */
static void
km_value(const struct km *k, const struct cg_state_dir *d, const struct cg_state_file *f,
	 struct cg_value *out)
{
	struct strbuf sb = STRBUF_INIT;
	struct cg_error *err = NULL;
	int r;

	r = km_read(k, d->fspath, f->name, &sb);
	ck_assert_msg(r == 0, "model read %s/%s: %s", d->fspath, f->name, strerror(r));
	if (cg_readback_parse(f->def, f->name, sb.buf, CG_V1, out, &err) < 0) {
		ck_abort_msg("parse %s/%s '%s': %s", d->fspath, f->name, sb.buf, err->msg);
		cg_error_free(err);
	}
	strbuf_release(&sb);
}

/* Devices lists compared as sets of entries. */
static bool
devlist_equal(const struct cg_value *a, const struct cg_value *b)
{
	size_t i, j;

	if (a->type != CG_VT_DEVRULE || b->type != CG_VT_DEVRULE ||
	    a->u.devrules.n != b->u.devrules.n)
		return false;
	for (i = 0; i < a->u.devrules.n; i++) {
		const struct cg_devrule *x = &a->u.devrules.items[i];
		bool found = false;

		for (j = 0; j < b->u.devrules.n && !found; j++) {
			const struct cg_devrule *y = &b->u.devrules.items[j];

			found = x->type == y->type && x->dev.major == y->dev.major &&
				x->dev.minor == y->dev.minor && x->access == y->access;
		}
		if (!found)
			return false;
	}
	return true;
}

/*
 * The model's state matches the target: directories exist or not, every managed file
 * holds the target value (devices.list as a set; devices.allow/deny are write-only).
 * Returns a message, or NULL.
 */
static char *
km_mismatch(const struct km *k, const struct cg_state *t, bool prune)
{
	size_t i, j;

	for (i = 0; i < t->n; i++) {
		const struct cg_state_dir *d = &t->dirs[i];

		if (d->hier->version != CG_V1)
			continue;
		if (!d->exists) {
			if (prune && km_exists(k, d->fspath))
				return xasprintf("'%s' still exists", d->fspath);
			continue;
		}
		if (!km_exists(k, d->fspath))
			return xasprintf("'%s' does not exist", d->fspath);
		for (j = 0; j < d->nfiles; j++) {
			const struct cg_state_file *f = &d->files[j];
			struct cg_value v;
			bool eq;

			if (!f->present || !f->managed || strcmp(f->name, "devices.allow") == 0 ||
			    strcmp(f->name, "devices.deny") == 0)
				continue;
			km_value(k, d, f, &v);
			eq = f->value.type == CG_VT_DEVRULE ? devlist_equal(&v, &f->value)
							    : cg_value_equal(&v, &f->value);
			if (!eq) {
				struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
				char *m;

				cg_value_format(&v, CG_V1, &a);
				cg_value_format(&f->value, CG_V1, &b);
				m = xasprintf("%s/%s is '%s', expected '%s'", d->fspath, f->name,
					      a.buf, b.buf);
				strbuf_release(&a);
				strbuf_release(&b);
				cg_value_release(&v);
				return m;
			}
			cg_value_release(&v);
		}
	}
	return NULL;
}

/* Applies every step; returns a message for the first the model refuses, or NULL. */
static char *
km_run(struct km *k, const struct plan *p)
{
	const char *why = NULL;
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct plan_step *s = &p->steps[i];
		int r = km_apply(k, s);

		if (r)
			return xasprintf("step %zu (%s %s %s '%s') refused: %s", i + 1,
					 plan_op_name(s->op), s->dir, s->file ? s->file : "",
					 s->new_text ? s->new_text : "", strerror(r));
		if (!km_valid(k, &why))
			return xasprintf("after step %zu the model is invalid: %s", i + 1, why);
	}
	return NULL;
}

/* ---- table cases ---- */

struct pcase {
	struct cg_state cur, t;
	struct plan_opts o;
	struct plan p;
	struct cg_diags d;
};

static void
pc_init(struct pcase *c)
{
	memset(c, 0, sizeof(*c));
	cg_state_init(&c->cur);
	cg_state_init(&c->t);
	cg_diags_init(&c->d);
	plan_init(&c->p);
}

static void
pc_release(struct pcase *c)
{
	cg_state_release(&c->cur);
	cg_state_release(&c->t);
	cg_diags_release(&c->d);
	plan_release(&c->p);
}

/* A directory in both states: existing in the current one iff `cur_exists`. */
static void
pc_dir(struct pcase *c, const char *fspath, bool cur_exists, bool t_exists)
{
	dir(&c->cur, fspath, cur_exists);
	dir(&c->t, fspath, t_exists);
}

/* Plans, checks the steps, runs them on the kernel model and checks the end state. */
static void
pc_expect(struct pcase *c, const char *expected)
{
	char *got, *msg, *probs;
	struct km *k;
	struct plan again;
	struct cg_diags d2;

	if (plan_build(&c->cur, &c->t, &c->o, &c->p, &c->d) < 0) {
		probs = diags_text(&c->d);
		ck_abort_msg("plan refused:\n%s", probs);
		free(probs);
	}
	got = dump(&c->p);
	expect_text(got, expected);
	free(got);
	k = km_from_state(&c->cur);
	msg = km_run(k, &c->p);
	ck_assert_msg(msg == NULL, "%s", msg);
	msg = km_mismatch(k, &c->t, c->o.prune);
	ck_assert_msg(msg == NULL, "%s", msg);
	km_free(k);
	/* the same plan twice is the same plan */
	plan_init(&again);
	cg_diags_init(&d2);
	ck_assert_int_eq(plan_build(&c->cur, &c->t, &c->o, &again, &d2), 0);
	ck_assert_uint_eq(again.n, c->p.n);
	plan_release(&again);
	cg_diags_release(&d2);
}

static void
pc_refused(struct pcase *c, const char *part)
{
	char *probs;

	ck_assert_int_eq(plan_build(&c->cur, &c->t, &c->o, &c->p, &c->d), -1);
	ck_assert_uint_eq(c->p.n, 0);
	probs = diags_text(&c->d);
	ck_assert_msg(strstr(probs, part) != NULL, "expected '%s' in:\n%s", part, probs);
	free(probs);
}

static bool
has_diag(const struct cg_diags *d, enum cg_severity sev, const char *part)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->items[i].severity == sev && strstr(d->items[i].msg, part))
			return true;
	return false;
}

#define G   "1073741824"
#define G2  "2147483648"
#define G3  "3221225472"
#define G4  "4294967296"
#define UNL "9223372036854771712"

/* memory.limit_in_bytes / memsw of memory/a: current (l, s) → target (tl, ts); NULL keeps */
static void
mem_case(const char *l, const char *s, const char *tl, const char *ts, const char *expected)
{
	struct pcase c;

	pc_init(&c);
	pc_dir(&c, "memory", true, true);
	pc_dir(&c, "memory/a", true, true);
	both(&c.cur, &c.t, "memory/a", "memory.limit_in_bytes", l);
	both(&c.cur, &c.t, "memory/a", "memory.memsw.limit_in_bytes", s);
	if (tl)
		want(&c.t, "memory/a", "memory.limit_in_bytes", tl);
	if (ts)
		want(&c.t, "memory/a", "memory.memsw.limit_in_bytes", ts);
	if (expected)
		pc_expect(&c, expected);
	pc_release(&c);
}

#define WL(v) "write memory/a memory.limit_in_bytes " v "\n"
#define WS(v) "write memory/a memory.memsw.limit_in_bytes " v "\n"

START_TEST(memory_order)
{
	/* grow: memsw, then limit */
	mem_case(G, G, G2, G2, WS(G2) WL(G2));
	/* shrink: limit, then memsw */
	mem_case(G2, G2, G, G, WL(G) WS(G));
	/* limit up, memsw down: the new memsw is above the current limit, memsw first */
	mem_case(G, G4, G2, G3, WS(G3) WL(G2));
	/* limit down, memsw up */
	mem_case(G2, G2, G, G4, WS(G4) WL(G));
	/* memsw below the current limit: limit first */
	mem_case(G3, G4, G, G2, WL(G) WS(G2));
	/* to unlimited: memsw -1 first */
	mem_case(G, G2, UNL, UNL, WS("-1") WL("-1"));
	/* from unlimited: limit first (memsw cannot be finite while the limit is not) */
	mem_case(UNL, UNL, G, G2, WL(G) WS(G2));
	/* a first finite memsw under an existing limit */
	mem_case(G, UNL, NULL, G2, WS(G2));
	/* only the limit, within the current memsw */
	mem_case(G, G4, G2, NULL, WL(G2));
	/* equal values after page rounding: nothing */
	mem_case(G, G2, "1073741824", NULL, "");
}
END_TEST

START_TEST(memory_refused)
{
	struct pcase c;

	pc_init(&c);
	pc_dir(&c, "memory", true, true);
	pc_dir(&c, "memory/a", true, true);
	both(&c.cur, &c.t, "memory/a", "memory.limit_in_bytes", G);
	both(&c.cur, &c.t, "memory/a", "memory.memsw.limit_in_bytes", G);
	want(&c.t, "memory/a", "memory.limit_in_bytes", G2);
	pc_refused(
		&c,
		"'memory.limit_in_bytes' of 'memory/a' (2 GiB) would exceed the current 'memory.memsw.limit_in_bytes' (1 GiB)");
	pc_release(&c);

	pc_init(&c);
	pc_dir(&c, "memory", true, true);
	pc_dir(&c, "memory/a", true, true);
	both(&c.cur, &c.t, "memory/a", "memory.limit_in_bytes", G2);
	both(&c.cur, &c.t, "memory/a", "memory.memsw.limit_in_bytes", G2);
	want(&c.t, "memory/a", "memory.memsw.limit_in_bytes", G);
	pc_refused(&c, "manage memory.limit_in_bytes too");
	pc_release(&c);
}
END_TEST

START_TEST(memory_usage_warning)
{
	struct pcase c;

	pc_init(&c);
	pc_dir(&c, "memory", true, true);
	pc_dir(&c, "memory/a", true, true);
	c.cur.dirs[1].populated = true;
	both(&c.cur, &c.t, "memory/a", "memory.limit_in_bytes", G2);
	both(&c.cur, &c.t, "memory/a", "memory.memsw.limit_in_bytes", G2);
	val(&c.cur, "memory/a", "memory.usage_in_bytes", G);
	want(&c.t, "memory/a", "memory.limit_in_bytes", "536870912");
	pc_expect(&c, WL("536870912"));
	ck_assert(has_diag(&c.d, CG_SEV_WARNING, "is below its current usage (1 GiB)"));
	pc_release(&c);

	/* memsw below memory+swap usage: the limit itself fits */
	pc_init(&c);
	pc_dir(&c, "memory", true, true);
	pc_dir(&c, "memory/a", true, true);
	c.cur.dirs[1].populated = true;
	both(&c.cur, &c.t, "memory/a", "memory.limit_in_bytes", "268435456");
	both(&c.cur, &c.t, "memory/a", "memory.memsw.limit_in_bytes", G2);
	val(&c.cur, "memory/a", "memory.usage_in_bytes", "201326592");
	val(&c.cur, "memory/a", "memory.memsw.usage_in_bytes", G);
	want(&c.t, "memory/a", "memory.memsw.limit_in_bytes", "536870912");
	pc_expect(&c, WS("536870912"));
	ck_assert(has_diag(&c.d, CG_SEV_WARNING, "is below its current memory+swap usage (1 GiB)"));
	ck_assert(!has_diag(&c.d, CG_SEV_WARNING, "is below its current usage"));
	pc_release(&c);
}
END_TEST

/* cpu/p (parent) and cpu/p/c (child): CFS triples as "period quota burst". */
static void
cfs_vals(struct pcase *c, const char *dirp, const char *p, const char *q, const char *b,
	 bool target)
{
	static const char *const files[] = { "cpu.cfs_period_us", "cpu.cfs_quota_us",
					     "cpu.cfs_burst_us" };
	const char *v[3] = { p, q, b };
	size_t k;

	for (k = 0; k < 3; k++) {
		if (!v[k])
			continue;
		if (target)
			want(&c->t, dirp, files[k], v[k]);
		else
			val(&c->cur, dirp, files[k], v[k]);
	}
}

static void
cfs_tree(struct pcase *c)
{
	pc_init(c);
	pc_dir(c, "cpu,cpuacct", true, true);
	pc_dir(c, "cpu,cpuacct/p", true, true);
	pc_dir(c, "cpu,cpuacct/p/c", true, true);
	cfs_vals(c, "cpu,cpuacct", "100000", "-1", "0", false);
	val(&c->t, "cpu,cpuacct", "cpu.cfs_quota_us", "-1");
}

#define CP "cpu,cpuacct/p"
#define CC "cpu,cpuacct/p/c"

START_TEST(cfs_within_group)
{
	struct pcase c;

	/* lower the burst before the quota */
	cfs_tree(&c);
	cfs_vals(&c, CP, "100000", "50000", "20000", false);
	cfs_vals(&c, CC, "100000", "-1", "0", false);
	cfs_vals(&c, CP, NULL, "10000", "5000", true);
	pc_expect(&c, "write " CP " cpu.cfs_burst_us 5000\nwrite " CP " cpu.cfs_quota_us 10000\n");
	pc_release(&c);

	/* raise the quota before the burst */
	cfs_tree(&c);
	cfs_vals(&c, CP, "100000", "10000", "5000", false);
	cfs_vals(&c, CC, "100000", "-1", "0", false);
	cfs_vals(&c, CP, NULL, "50000", "20000", true);
	pc_expect(&c, "write " CP " cpu.cfs_quota_us 50000\nwrite " CP " cpu.cfs_burst_us 20000\n");
	pc_release(&c);

	/* a burst with an unlimited quota, then a quota below the old burst */
	cfs_tree(&c);
	cfs_vals(&c, CP, "100000", "-1", "30000", false);
	cfs_vals(&c, CC, "100000", "-1", "0", false);
	cfs_vals(&c, CP, NULL, "20000", "10000", true);
	pc_expect(&c, "write " CP " cpu.cfs_burst_us 10000\nwrite " CP " cpu.cfs_quota_us 20000\n");
	pc_release(&c);
}
END_TEST

START_TEST(cfs_ratio)
{
	struct pcase c;

	/* lowered: the child first, then the parent */
	cfs_tree(&c);
	cfs_vals(&c, CP, "100000", "50000", "0", false);
	cfs_vals(&c, CC, "100000", "50000", "0", false);
	cfs_vals(&c, CP, NULL, "25000", NULL, true);
	cfs_vals(&c, CC, NULL, "20000", NULL, true);
	pc_expect(&c, "write " CC " cpu.cfs_quota_us 20000\nwrite " CP " cpu.cfs_quota_us 25000\n");
	pc_release(&c);

	/* raised: the parent first */
	cfs_tree(&c);
	cfs_vals(&c, CP, "100000", "25000", "0", false);
	cfs_vals(&c, CC, "100000", "25000", "0", false);
	cfs_vals(&c, CP, NULL, "50000", NULL, true);
	cfs_vals(&c, CC, NULL, "50000", NULL, true);
	pc_expect(&c, "write " CP " cpu.cfs_quota_us 50000\nwrite " CC " cpu.cfs_quota_us 50000\n");
	pc_release(&c);

	/* a parent's period raised lowers its ratio: after the child's quota */
	cfs_tree(&c);
	cfs_vals(&c, CP, "100000", "50000", "0", false);
	cfs_vals(&c, CC, "100000", "50000", "0", false);
	cfs_vals(&c, CP, "200000", NULL, NULL, true);
	cfs_vals(&c, CC, NULL, "25000", NULL, true);
	pc_expect(&c,
		  "write " CC " cpu.cfs_quota_us 25000\nwrite " CP " cpu.cfs_period_us 200000\n");
	pc_release(&c);

	/* crossing: the child's period and quota both double under a tight parent and child */
	cfs_tree(&c);
	dir(&c.cur, CC "/g", true);
	dir(&c.t, CC "/g", true);
	cfs_vals(&c, CP, "100000", "50000", "0", false);
	cfs_vals(&c, CC, "100000", "50000", "0", false);
	cfs_vals(&c, CC "/g", "100000", "50000", "0", false);
	cfs_vals(&c, CC, "200000", "100000", NULL, true);
	pc_expect(&c, "write " CC " cpu.cfs_quota_us -1 ~\n"
		      "write " CC " cpu.cfs_period_us 200000\n"
		      "write " CC " cpu.cfs_quota_us 100000\n");
	ck_assert_uint_eq(c.p.values_changed, 2);
	pc_release(&c);

	/* an unlimited middle group passes the grandparent's ratio on */
	cfs_tree(&c);
	dir(&c.cur, CC "/g", true);
	dir(&c.t, CC "/g", true);
	cfs_vals(&c, CP, "100000", "50000", "0", false);
	cfs_vals(&c, CC, "100000", "-1", "0", false);
	cfs_vals(&c, CC "/g", "100000", "50000", "0", false);
	cfs_vals(&c, CP, NULL, "20000", NULL, true);
	cfs_vals(&c, CC "/g", NULL, "10000", NULL, true);
	pc_expect(&c,
		  "write " CC "/g cpu.cfs_quota_us 10000\nwrite " CP " cpu.cfs_quota_us 20000\n");
	pc_release(&c);
}
END_TEST

static void
rt_tree(struct pcase *c)
{
	pc_init(c);
	pc_dir(c, "cpu,cpuacct", true, true);
	pc_dir(c, CP, true, true);
	pc_dir(c, CP "/a", true, true);
	pc_dir(c, CP "/b", true, true);
	both(&c->cur, &c->t, "cpu,cpuacct", "cpu.rt_runtime_us", "950000");
	both(&c->cur, &c->t, "cpu,cpuacct", "cpu.rt_period_us", "1000000");
	val(&c->cur, CP, "cpu.rt_period_us", "1000000");
	val(&c->cur, CP "/a", "cpu.rt_period_us", "1000000");
	val(&c->cur, CP "/b", "cpu.rt_period_us", "1000000");
}

START_TEST(rt_budgets)
{
	struct pcase c;

	/* siblings trade budget: the one that shrinks goes first */
	rt_tree(&c);
	val(&c.cur, CP, "cpu.rt_runtime_us", "100000");
	val(&c.cur, CP "/a", "cpu.rt_runtime_us", "50000");
	val(&c.cur, CP "/b", "cpu.rt_runtime_us", "50000");
	want(&c.t, CP "/b", "cpu.rt_runtime_us", "80000");
	want(&c.t, CP "/a", "cpu.rt_runtime_us", "20000");
	pc_expect(&c, "write " CP "/a cpu.rt_runtime_us 20000\nwrite " CP
		      "/b cpu.rt_runtime_us 80000\n");
	pc_release(&c);

	/* growing: the parent first */
	rt_tree(&c);
	val(&c.cur, CP, "cpu.rt_runtime_us", "100000");
	val(&c.cur, CP "/a", "cpu.rt_runtime_us", "50000");
	val(&c.cur, CP "/b", "cpu.rt_runtime_us", "50000");
	want(&c.t, CP, "cpu.rt_runtime_us", "300000");
	want(&c.t, CP "/a", "cpu.rt_runtime_us", "250000");
	pc_expect(&c, "write " CP " cpu.rt_runtime_us 300000\nwrite " CP
		      "/a cpu.rt_runtime_us 250000\n");
	pc_release(&c);

	/* shrinking: the children first; a budget of 0 needs the children at 0 */
	rt_tree(&c);
	val(&c.cur, CP, "cpu.rt_runtime_us", "300000");
	val(&c.cur, CP "/a", "cpu.rt_runtime_us", "250000");
	val(&c.cur, CP "/b", "cpu.rt_runtime_us", "50000");
	want(&c.t, CP, "cpu.rt_runtime_us", "0");
	want(&c.t, CP "/a", "cpu.rt_runtime_us", "0");
	want(&c.t, CP "/b", "cpu.rt_runtime_us", "0");
	pc_expect(&c, "write " CP "/b cpu.rt_runtime_us 0\nwrite " CP
		      "/a cpu.rt_runtime_us 0\nwrite " CP " cpu.rt_runtime_us 0\n");
	pc_release(&c);

	/* a period change under a tight budget: through an intermediate runtime */
	rt_tree(&c);
	val(&c.cur, CP, "cpu.rt_runtime_us", "100000");
	val(&c.cur, CP "/a", "cpu.rt_runtime_us", "100000");
	val(&c.cur, CP "/b", "cpu.rt_runtime_us", "0");
	want(&c.t, CP "/a", "cpu.rt_period_us", "500000");
	want(&c.t, CP "/a", "cpu.rt_runtime_us", "50000");
	pc_expect(&c, "write " CP "/a cpu.rt_runtime_us 50000\nwrite " CP
		      "/a cpu.rt_period_us 500000\n");
	pc_release(&c);

	/* a parent without a budget (a --parent directory): the error names it and the
	 * runtime it needs for both children */
	rt_tree(&c);
	val(&c.cur, CP, "cpu.rt_runtime_us", "0");
	val(&c.cur, CP "/a", "cpu.rt_runtime_us", "0");
	val(&c.cur, CP "/b", "cpu.rt_runtime_us", "0");
	want(&c.t, CP "/a", "cpu.rt_runtime_us", "10000");
	want(&c.t, CP "/b", "cpu.rt_runtime_us", "20000");
	pc_refused(&c, "the RT budgets of the children of '" CP
		       "' do not fit in its own (runtime 0/1000000): give '" CP
		       "' a 'cpu.rt_runtime_us' of at least 30000 (in the configuration");
	ck_assert_uint_eq(c.d.n, 1);
	pc_release(&c);

	/* a configured parent budget that is too small says so */
	rt_tree(&c);
	val(&c.cur, CP, "cpu.rt_runtime_us", "0");
	val(&c.cur, CP "/a", "cpu.rt_runtime_us", "0");
	want(&c.t, CP, "cpu.rt_runtime_us", "5000");
	want(&c.t, CP "/a", "cpu.rt_runtime_us", "10000");
	pc_refused(&c, "at least 10000 (its configured value is too small)");
	pc_release(&c);
}
END_TEST

START_TEST(idle_and_shares)
{
	struct pcase c;

	pc_init(&c);
	pc_dir(&c, "cpu,cpuacct", true, true);
	pc_dir(&c, CP, true, true);
	val(&c.cur, CP, "cpu.idle", "1");
	val(&c.cur, CP, "cpu.shares", "3");
	want(&c.t, CP, "cpu.idle", "0");
	want(&c.t, CP, "cpu.shares", "2048");
	pc_expect(&c, "write " CP " cpu.idle 0\nwrite " CP " cpu.shares 2048\n");
	pc_release(&c);

	/* turning idle off gives 1024 back: nothing more to write */
	pc_init(&c);
	pc_dir(&c, "cpu,cpuacct", true, true);
	pc_dir(&c, CP, true, true);
	val(&c.cur, CP, "cpu.idle", "1");
	val(&c.cur, CP, "cpu.shares", "3");
	want(&c.t, CP, "cpu.idle", "0");
	want(&c.t, CP, "cpu.shares", "1024");
	pc_expect(&c, "write " CP " cpu.idle 0\n");
	pc_release(&c);
}
END_TEST

#define S(p) "cpuset/" p

static void
cpuset_tree(struct pcase *c)
{
	pc_init(c);
	pc_dir(c, "cpuset", true, true);
	both(&c->cur, &c->t, "cpuset", "cpuset.cpus", "0-7");
	both(&c->cur, &c->t, "cpuset", "cpuset.mems", "0-1");
	both(&c->cur, &c->t, "cpuset", "cpuset.cpu_exclusive", "1");
	both(&c->cur, &c->t, "cpuset", "cpuset.mem_exclusive", "1");
}

static void
cs(struct pcase *c, const char *p, const char *cpus, const char *cx, bool target)
{
	if (target) {
		if (cpus)
			want(&c->t, p, "cpuset.cpus", cpus);
		if (cx)
			want(&c->t, p, "cpuset.cpu_exclusive", cx);
		return;
	}
	val(&c->cur, p, "cpuset.cpus", cpus);
	val(&c->cur, p, "cpuset.mems", "0");
	val(&c->cur, p, "cpuset.cpu_exclusive", cx);
	val(&c->cur, p, "cpuset.mem_exclusive", "0");
}

START_TEST(cpuset_lists)
{
	struct pcase c;

	/* moving a parent and its child to other cpus: widen top-down, narrow bottom-up */
	cpuset_tree(&c);
	pc_dir(&c, S("p"), true, true);
	pc_dir(&c, S("p/c"), true, true);
	pc_dir(&c, S("p/c/g"), true, true);
	cs(&c, S("p"), "0-3", "0", false);
	cs(&c, S("p/c"), "0-1", "0", false);
	cs(&c, S("p/c/g"), "0", "0", false);
	cs(&c, S("p"), "4-7", NULL, true);
	cs(&c, S("p/c"), "4-5", NULL, true);
	cs(&c, S("p/c/g"), "4", NULL, true);
	pc_expect(&c, "write cpuset/p cpuset.cpus 0-7 ~\n"
		      "write cpuset/p/c cpuset.cpus 0-1,4-5 ~\n"
		      "write cpuset/p/c/g cpuset.cpus 4\n"
		      "write cpuset/p/c cpuset.cpus 4-5\n"
		      "write cpuset/p cpuset.cpus 4-7\n");
	ck_assert_uint_eq(c.p.values_changed, 3);
	pc_release(&c);

	/* narrowing only: children first */
	cpuset_tree(&c);
	pc_dir(&c, S("p"), true, true);
	pc_dir(&c, S("p/c"), true, true);
	cs(&c, S("p"), "0-3", "0", false);
	cs(&c, S("p/c"), "0-3", "0", false);
	cs(&c, S("p"), "0-1", NULL, true);
	cs(&c, S("p/c"), "0", NULL, true);
	pc_expect(&c, "write cpuset/p/c cpuset.cpus 0\nwrite cpuset/p cpuset.cpus 0-1\n");
	pc_release(&c);

	/* new groups start empty: the parent's values first, then the child's */
	cpuset_tree(&c);
	pc_dir(&c, S("n"), false, true);
	pc_dir(&c, S("n/c"), false, true);
	want(&c.t, S("n"), "cpuset.cpus", "2-5");
	want(&c.t, S("n"), "cpuset.mems", "0");
	want(&c.t, S("n/c"), "cpuset.cpus", "3");
	want(&c.t, S("n/c"), "cpuset.mems", "0");
	pc_expect(&c, "mkdir cpuset/n 0755\n"
		      "mkdir cpuset/n/c 0755\n"
		      "write cpuset/n cpuset.cpus 2-5\n"
		      "write cpuset/n cpuset.mems 0\n"
		      "write cpuset/n/c cpuset.cpus 3\n"
		      "write cpuset/n/c cpuset.mems 0\n");
	ck_assert_uint_eq(c.p.dirs_created, 2);
	pc_release(&c);

	/* a child that is not managed keeps cpus the parent would drop */
	cpuset_tree(&c);
	pc_dir(&c, S("p"), true, true);
	pc_dir(&c, S("p/c"), true, true);
	cs(&c, S("p"), "0-3", "0", false);
	cs(&c, S("p/c"), "2-3", "0", false);
	both(&c.cur, &c.t, S("p/c"), "cpuset.cpus", "2-3");
	cs(&c, S("p"), "0-1", NULL, true);
	pc_refused(&c,
		   "cannot narrow 'cpuset.cpus' of 'cpuset/p': its child 'cpuset/p/c' keeps 2-3");
	pc_release(&c);

	/* a populated group that shrinks: a warning */
	cpuset_tree(&c);
	pc_dir(&c, S("p"), true, true);
	c.cur.dirs[1].populated = true;
	cs(&c, S("p"), "0-3", "0", false);
	cs(&c, S("p"), "0-1", NULL, true);
	pc_expect(&c, "write cpuset/p cpuset.cpus 0-1\n");
	ck_assert(has_diag(&c.d, CG_SEV_WARNING, "shrinks while it holds tasks"));
	pc_release(&c);
}
END_TEST

START_TEST(cpuset_exclusive)
{
	struct pcase c;

	/* set: parent first */
	cpuset_tree(&c);
	pc_dir(&c, S("p"), true, true);
	pc_dir(&c, S("p/c"), true, true);
	cs(&c, S("p"), "0-3", "0", false);
	cs(&c, S("p/c"), "0-1", "0", false);
	cs(&c, S("p"), NULL, "1", true);
	cs(&c, S("p/c"), NULL, "1", true);
	pc_expect(
		&c,
		"write cpuset/p cpuset.cpu_exclusive 1\nwrite cpuset/p/c cpuset.cpu_exclusive 1\n");
	pc_release(&c);

	/* clear: child first */
	cpuset_tree(&c);
	pc_dir(&c, S("p"), true, true);
	pc_dir(&c, S("p/c"), true, true);
	cs(&c, S("p"), "0-3", "1", false);
	cs(&c, S("p/c"), "0-1", "1", false);
	cs(&c, S("p"), NULL, "0", true);
	cs(&c, S("p/c"), NULL, "0", true);
	pc_expect(
		&c,
		"write cpuset/p/c cpuset.cpu_exclusive 0\nwrite cpuset/p cpuset.cpu_exclusive 0\n");
	pc_release(&c);

	/* set under a parent that is not exclusive (a --parent directory): one error, for the
	 * group whose parent is the reason, not a second one for its child */
	cpuset_tree(&c);
	pc_dir(&c, S("q"), true, true);
	pc_dir(&c, S("q/p"), true, true);
	pc_dir(&c, S("q/p/c"), true, true);
	cs(&c, S("q"), "0-3", "0", false);
	cs(&c, S("q/p"), "0-3", "0", false);
	cs(&c, S("q/p/c"), "0-1", "0", false);
	cs(&c, S("q/p"), NULL, "1", true);
	cs(&c, S("q/p/c"), NULL, "1", true);
	pc_refused(&c, "'cpuset.cpu_exclusive' of 'cpuset/q/p' needs its parent 'cpuset/q' "
		       "exclusive too");
	ck_assert_uint_eq(c.d.errors, 1);
	pc_release(&c);

	/* exclusive siblings swap cpus: cleared for the move, set back at the end */
	cpuset_tree(&c);
	pc_dir(&c, S("a"), true, true);
	pc_dir(&c, S("b"), true, true);
	cs(&c, S("a"), "0-1", "1", false);
	cs(&c, S("b"), "2-3", "1", false);
	both(&c.cur, &c.t, S("a"), "cpuset.cpu_exclusive", "1");
	both(&c.cur, &c.t, S("b"), "cpuset.cpu_exclusive", "1");
	cs(&c, S("a"), "2-3", NULL, true);
	cs(&c, S("b"), "0-1", NULL, true);
	pc_expect(&c, "write cpuset/b cpuset.cpu_exclusive 0 ~\n"
		      "write cpuset/a cpuset.cpu_exclusive 0 ~\n"
		      "write cpuset/a cpuset.cpus 2-3\n"
		      "write cpuset/b cpuset.cpus 0-1\n"
		      "write cpuset/a cpuset.cpu_exclusive 1 ~\n"
		      "write cpuset/b cpuset.cpu_exclusive 1 ~\n");
	ck_assert_uint_eq(c.p.values_changed, 2);
	pc_release(&c);
}
END_TEST

/* A directory the configuration does not list, in both states (as the snapshot reads it). */
static void
pc_foreign(struct pcase *c, const char *fspath)
{
	pc_dir(c, fspath, true, true);
	cg_state_find(&c->cur, fspath)->foreign = true;
	cg_state_find(&c->t, fspath)->foreign = true;
	free(cg_state_find(&c->cur, fspath)->group);
	cg_state_find(&c->cur, fspath)->group = NULL;
	free(cg_state_find(&c->t, fspath)->group);
	cg_state_find(&c->t, fspath)->group = NULL;
}

/* The kernel model refuses the single write the plan refused: the refusal is real. */
static void
km_refuses(const struct pcase *c, const char *path, const char *file, const char *text, int errnum)
{
	struct km *k = km_from_state(&c->cur);

	if (!km_exists(k, path))
		ck_assert_int_eq(km_mkdir(k, path), 0);
	ck_assert_int_eq(km_write(k, path, file, text), errnum);
	km_free(k);
}

START_TEST(foreign_dirs)
{
	struct pcase c;
	size_t i;

	/* cpuset: a hand-made child keeps cpus its parent is to drop (the kernel: EBUSY) */
	cpuset_tree(&c);
	pc_dir(&c, S("p"), true, true);
	cs(&c, S("p"), "0-1", "0", false);
	pc_foreign(&c, S("p/x"));
	cs(&c, S("p/x"), "0-1", "0", false);
	both(&c.cur, &c.t, S("p/x"), "cpuset.cpus", "0-1");
	cs(&c, S("p"), "0", NULL, true);
	pc_refused(&c, "cannot narrow 'cpuset.cpus' of 'cpuset/p' to 0: its child 'cpuset/p/x', "
		       "which the configuration does not manage, has 0-1; narrow or remove it "
		       "first");
	km_refuses(&c, S("p"), "cpuset.cpus", "0", EBUSY);
	pc_release(&c);

	/* ... and one that fits changes nothing: the same plan as without it */
	cpuset_tree(&c);
	pc_dir(&c, S("p"), true, true);
	cs(&c, S("p"), "0-3", "0", false);
	pc_foreign(&c, S("p/x"));
	cs(&c, S("p/x"), "1", "0", false);
	cs(&c, S("p"), "0-1", NULL, true);
	pc_expect(&c, "write cpuset/p cpuset.cpus 0-1\n");
	pc_release(&c);

	/* CFS: a hand-made child at 90000/100000 under a parent lowered to 50000 (EINVAL) */
	cfs_tree(&c);
	cfs_vals(&c, CP, "100000", "100000", "0", false);
	cfs_vals(&c, CC, "100000", "-1", "0", false);
	pc_foreign(&c, CP "/y");
	cfs_vals(&c, CP "/y", "100000", "90000", NULL, false);
	cfs_vals(&c, CP, NULL, "50000", NULL, true);
	pc_refused(&c, "'" CP "/y', which the configuration does not manage, has "
		       "'cpu.cfs_quota_us' 90000 with 'cpu.cfs_period_us' 100000");
	km_refuses(&c, CP, "cpu.cfs_quota_us", "50000", EINVAL);
	pc_release(&c);

	/* ... at 40000 it fits: the parent is lowered as usual */
	cfs_tree(&c);
	cfs_vals(&c, CP, "100000", "100000", "0", false);
	cfs_vals(&c, CC, "100000", "-1", "0", false);
	pc_foreign(&c, CP "/y");
	cfs_vals(&c, CP "/y", "100000", "40000", NULL, false);
	cfs_vals(&c, CP, NULL, "50000", NULL, true);
	pc_expect(&c, "write " CP " cpu.cfs_quota_us 50000\n");
	pc_release(&c);

	/* RT: a sibling outside the configuration holds the parent's budget (EINVAL); the
	 * last resort (children through 0) does not touch it */
	rt_tree(&c);
	val(&c.cur, CP, "cpu.rt_runtime_us", "100000");
	val(&c.cur, CP "/a", "cpu.rt_runtime_us", "0");
	val(&c.cur, CP "/b", "cpu.rt_runtime_us", "0");
	pc_foreign(&c, CP "/other");
	val(&c.cur, CP "/other", "cpu.rt_period_us", "1000000");
	val(&c.cur, CP "/other", "cpu.rt_runtime_us", "60000");
	want(&c.t, CP "/a", "cpu.rt_runtime_us", "50000");
	pc_refused(&c, "'cpu.rt_runtime_us' 50000/1000000 of '" CP "/a' does not fit in the RT "
		       "budget of its parent '" CP "' (100000/1000000): its child '" CP
		       "/other', which the configuration does not manage, holds 60000/1000000");
	km_refuses(&c, CP "/a", "cpu.rt_runtime_us", "50000", EINVAL);
	pc_release(&c);

	/* ... a budget that fits next to it is planned */
	rt_tree(&c);
	val(&c.cur, CP, "cpu.rt_runtime_us", "100000");
	val(&c.cur, CP "/a", "cpu.rt_runtime_us", "0");
	val(&c.cur, CP "/b", "cpu.rt_runtime_us", "0");
	pc_foreign(&c, CP "/other");
	val(&c.cur, CP "/other", "cpu.rt_period_us", "1000000");
	val(&c.cur, CP "/other", "cpu.rt_runtime_us", "60000");
	want(&c.t, CP "/a", "cpu.rt_runtime_us", "40000");
	pc_expect(&c, "write " CP "/a cpu.rt_runtime_us 40000\n");
	pc_release(&c);

	/* RT: lowering a parent below a foreign child's budget */
	rt_tree(&c);
	val(&c.cur, CP, "cpu.rt_runtime_us", "100000");
	val(&c.cur, CP "/a", "cpu.rt_runtime_us", "0");
	val(&c.cur, CP "/b", "cpu.rt_runtime_us", "0");
	pc_foreign(&c, CP "/other");
	val(&c.cur, CP "/other", "cpu.rt_period_us", "1000000");
	val(&c.cur, CP "/other", "cpu.rt_runtime_us", "60000");
	want(&c.t, CP, "cpu.rt_runtime_us", "50000");
	pc_refused(&c, "cannot lower the RT budget of '" CP "' to runtime 50000/1000000: its "
		       "child '" CP "/other', which the configuration does not manage, holds "
		       "'cpu.rt_runtime_us' 60000/1000000");
	pc_release(&c);

	/* exclusive: a leftover sibling holds the cpu a group is to own (EINVAL) */
	cpuset_tree(&c);
	pc_dir(&c, S("e"), true, true);
	cs(&c, S("e"), "0-3", "1", false);
	pc_foreign(&c, S("e/b"));
	cs(&c, S("e/b"), "1", "0", false);
	pc_dir(&c, S("e/a"), false, true);
	want(&c.t, S("e/a"), "cpuset.cpus", "1");
	want(&c.t, S("e/a"), "cpuset.mems", "0");
	want(&c.t, S("e/a"), "cpuset.cpu_exclusive", "1");
	pc_refused(&c, "cannot set 'cpuset.cpu_exclusive' of 'cpuset/e/a': its sibling "
		       "'cpuset/e/b', which the configuration does not manage, has 'cpuset.cpus' "
		       "1, which an exclusive cpuset cannot overlap");
	{
		struct km *k = km_from_state(&c.cur);

		ck_assert_int_eq(km_mkdir(k, S("e/a")), 0);
		ck_assert_int_eq(km_write(k, S("e/a"), "cpuset.cpus", "1"), 0);
		ck_assert_int_eq(km_write(k, S("e/a"), "cpuset.mems", "0"), 0);
		ck_assert_int_eq(km_write(k, S("e/a"), "cpuset.cpu_exclusive", "1"), EINVAL);
		km_free(k);
	}
	pc_release(&c);

	/* exclusive: widening into an exclusive foreign sibling; clearing a flag above one */
	cpuset_tree(&c);
	pc_dir(&c, S("a"), true, true);
	cs(&c, S("a"), "0-1", "0", false);
	pc_foreign(&c, S("f"));
	cs(&c, S("f"), "2-3", "1", false);
	cs(&c, S("a"), "0-2", NULL, true);
	pc_refused(&c, "cannot widen 'cpuset.cpus' of 'cpuset/a' to 0-2: its sibling 'cpuset/f', "
		       "which the configuration does not manage, is exclusive");
	km_refuses(&c, S("a"), "cpuset.cpus", "0-2", EINVAL);
	pc_release(&c);
	cpuset_tree(&c);
	pc_dir(&c, S("a"), true, true);
	cs(&c, S("a"), "0-3", "1", false);
	pc_foreign(&c, S("a/f"));
	cs(&c, S("a/f"), "2-3", "1", false);
	cs(&c, S("a"), NULL, "0", true);
	pc_refused(&c, "cannot clear 'cpuset.cpu_exclusive' of 'cpuset/a': its child 'cpuset/a/f', "
		       "which the configuration does not manage, is exclusive");
	km_refuses(&c, S("a"), "cpuset.cpu_exclusive", "0", EBUSY);
	pc_release(&c);

	/* never written, created or removed, even by a target that says otherwise (a
	 * rollback goal marks every recorded value managed; the dir went away meanwhile) */
	cpuset_tree(&c);
	c.o.prune = true;
	pc_dir(&c, S("p"), true, true);
	cs(&c, S("p"), "0-3", "0", false);
	pc_foreign(&c, S("p/x"));
	cs(&c, S("p/x"), "1", "0", false);
	want(&c.t, S("p/x"), "cpuset.cpus", "2");
	pc_foreign(&c, S("p/gone"));
	cg_state_find(&c.cur, S("p/gone"))->exists = false;
	pc_foreign(&c, S("p/stale"));
	cg_state_find(&c.t, S("p/stale"))->exists = false;
	ck_assert_int_eq(plan_build(&c.cur, &c.t, &c.o, &c.p, &c.d), 0);
	for (i = 0; i < c.p.n; i++)
		ck_assert_msg(strncmp(c.p.steps[i].dir, S("p/"), strlen(S("p/"))) != 0,
			      "a step in a foreign dir: %s", c.p.steps[i].dir);
	ck_assert_uint_eq(c.p.n, 0);
	pc_release(&c);
}
END_TEST

#define DV(p) "devices/" p

START_TEST(devices_rules)
{
	struct pcase c;

	/* new groups: the default right after mkdir, before the child exists */
	pc_init(&c);
	pc_dir(&c, "devices", true, true);
	both(&c.cur, &c.t, "devices", "devices.list", "a *:* rwm");
	pc_dir(&c, DV("p"), false, true);
	pc_dir(&c, DV("p/c"), false, true);
	want(&c.t, DV("p"), "devices.deny", "a *:* rwm");
	want(&c.t, DV("p"), "devices.allow", "c 1:3 rwm\nc 1:5 rw");
	want(&c.t, DV("p/c"), "devices.deny", "c 1:5 w");
	pc_expect(&c, "mkdir devices/p 0755\n"
		      "write devices/p devices.deny a *:* rwm\n"
		      "write devices/p devices.allow c 1:3 rwm\n"
		      "write devices/p devices.allow c 1:5 rw\n"
		      "mkdir devices/p/c 0755\n"
		      "write devices/p/c devices.deny c 1:5 w\n");
	pc_release(&c);

	/* allow-all with deny exceptions: the `a` rule first, or it would clear the denies */
	pc_init(&c);
	pc_dir(&c, "devices", true, true);
	both(&c.cur, &c.t, "devices", "devices.list", "a *:* rwm");
	pc_dir(&c, DV("q"), false, true);
	want(&c.t, DV("q"), "devices.deny", "c 1:3 rwm\nc 1:5 w");
	want(&c.t, DV("q"), "devices.allow", "a *:* rwm");
	pc_expect(&c, "mkdir devices/q 0755\n"
		      "write devices/q devices.allow a *:* rwm\n"
		      "write devices/q devices.deny c 1:3 rwm\n"
		      "write devices/q devices.deny c 1:5 w\n");
	pc_release(&c);

	/* in sync (the list shows what the rules give): nothing, even with children */
	pc_init(&c);
	pc_dir(&c, "devices", true, true);
	pc_dir(&c, DV("p"), true, true);
	pc_dir(&c, DV("p/c"), true, true);
	both(&c.cur, &c.t, "devices", "devices.list", "a *:* rwm");
	both(&c.cur, &c.t, DV("p"), "devices.list", "c 1:3 rwm\nc 1:5 rw");
	both(&c.cur, &c.t, DV("p/c"), "devices.list", "c 1:3 rwm");
	want(&c.t, DV("p"), "devices.deny", "a *:* rwm");
	want(&c.t, DV("p"), "devices.allow", "c 1:5 rw\nc 1:3 rwm");
	pc_expect(&c, "");
	pc_release(&c);

	/* the default cannot change once children exist */
	pc_init(&c);
	pc_dir(&c, "devices", true, true);
	pc_dir(&c, DV("p"), true, true);
	pc_dir(&c, DV("p/c"), true, true);
	both(&c.cur, &c.t, "devices", "devices.list", "a *:* rwm");
	both(&c.cur, &c.t, DV("p"), "devices.list", "a *:* rwm");
	both(&c.cur, &c.t, DV("p/c"), "devices.list", "a *:* rwm");
	want(&c.t, DV("p"), "devices.deny", "a *:* rwm");
	want(&c.t, DV("p"), "devices.allow", "c 1:3 rwm");
	pc_refused(
		&c,
		"the devices default of 'devices/p' (an 'a' rule) cannot change while it has child groups");
	pc_release(&c);

	/* rules without a default on a group with children: written; the deny reaches the child */
	pc_init(&c);
	pc_dir(&c, "devices", true, true);
	pc_dir(&c, DV("p"), true, true);
	pc_dir(&c, DV("p/c"), true, true);
	both(&c.cur, &c.t, "devices", "devices.list", "a *:* rwm");
	both(&c.cur, &c.t, DV("p"), "devices.list", "c 1:3 rwm\nc 1:5 rw");
	both(&c.cur, &c.t, DV("p/c"), "devices.list", "c 1:5 r");
	want(&c.t, DV("p"), "devices.deny", "c 1:5 rw");
	want(&c.t, DV("p"), "devices.allow", "c 1:8 r");
	want(&c.t, DV("p/c"), "devices.allow", "c 1:8 r");
	pc_expect(&c, "write devices/p devices.allow c 1:8 r\n"
		      "write devices/p devices.deny c 1:5 rw\n"
		      "write devices/p/c devices.allow c 1:8 r\n");
	pc_release(&c);
}
END_TEST

/* The audit's case: a deny-all group with a child, its allow list edited. */
static void
pc_devices_edit(struct pcase *c, const char *allow)
{
	pc_init(c);
	pc_dir(c, "devices", true, true);
	pc_dir(c, DV("d"), true, true);
	pc_dir(c, DV("d/sub"), true, true);
	both(&c->cur, &c->t, "devices", "devices.list", "a *:* rwm");
	both(&c->cur, &c->t, DV("d"), "devices.list", "c 1:3 rwm\nc 1:5 rw\nb 254:* r\nc *:* m");
	val(&c->cur, DV("d/sub"), "devices.list", "c 1:3 rwm\nc 1:5 rw\nb 254:* r\nc *:* m");
	want(&c->t, DV("d"), "devices.deny", "a *:* rwm");
	want(&c->t, DV("d"), "devices.allow", allow);
}

START_TEST(devices_edit_in_place)
{
	struct pcase c;

	/*
	 * Same default before and after: only the differences, never `a` (which would deny
	 * every device for a moment and which the kernel refuses with a child); allows
	 * first, in the configured order, then the denies, one rule per write.
	 */
	pc_devices_edit(&c, "c 1:3 rwm\nc 1:5 rw\nb 254:* r\nc *:* m\nc 1:7 rw");
	pc_expect(&c, "write devices/d devices.allow c 1:7 rw\n");
	pc_release(&c);

	pc_devices_edit(&c, "c 1:3 rwm\nb 254:* r\nc *:* m");
	pc_expect(&c, "write devices/d devices.deny c 1:5 rw\n");
	pc_release(&c);

	/* fewer bits on one entry, more on another, one new, one gone */
	pc_devices_edit(&c, "c 1:3 r\nc 1:5 rwm\nb 7:0 r\nc *:* m");
	pc_expect(&c, "write devices/d devices.allow c 1:5 m\n"
		      "write devices/d devices.allow b 7:0 r\n"
		      "write devices/d devices.deny c 1:3 wm\n"
		      "write devices/d devices.deny b 254:* r\n");
	pc_release(&c);

	/*
	 * The child's rules are compared with its list after the parent's denies reached
	 * it: the parent drops c 1:5 (so does the child, by the kernel) and the child gives
	 * up w on c 1:3 itself. The parent's allow comes first, so the child's b 254:0,
	 * covered by the new b 254:0 of the parent, survives the deny of b 254:*.
	 */
	pc_devices_edit(&c, "c 1:3 rwm\nb 254:0 r\nc *:* m");
	pc_dir(&c, DV("d/sub"), true, true);
	val(&c.cur, DV("d/sub"), "devices.list", "c 1:3 rwm\nc 1:5 rw\nb 254:0 r");
	want(&c.t, DV("d/sub"), "devices.deny", "a *:* rwm");
	want(&c.t, DV("d/sub"), "devices.allow", "c 1:3 rm\nb 254:0 r");
	pc_expect(&c, "write devices/d devices.allow b 254:0 r\n"
		      "write devices/d devices.deny c 1:5 rw\n"
		      "write devices/d devices.deny b 254:* r\n"
		      "write devices/d/sub devices.deny c 1:3 w\n");
	pc_release(&c);

	/* a child gaining what its parent lacks is still refused */
	pc_devices_edit(&c, "c 1:3 rwm\nc 1:5 rw\nb 254:* r\nc *:* m");
	want(&c.t, DV("d/sub"), "devices.deny", "a *:* rwm");
	want(&c.t, DV("d/sub"), "devices.allow", "c 1:3 rwm\nc 1:8 r");
	pc_refused(&c, "'devices/d/sub' cannot allow 'c 1:8 r': its parent 'devices/d' does not");
	pc_release(&c);
}
END_TEST

START_TEST(devices_allow_all_deny_warned)
{
	struct pcase c;

	/* an existing allow-all group: the deny exception cannot be read back, so it is not
	 * written, and the plan says so by name */
	pc_init(&c);
	pc_dir(&c, "devices", true, true);
	pc_dir(&c, DV("p"), true, true);
	both(&c.cur, &c.t, "devices", "devices.list", "a *:* rwm");
	both(&c.cur, &c.t, DV("p"), "devices.list", "a *:* rwm");
	want(&c.t, DV("p"), "devices.deny", "c 1:3 rwm");
	pc_expect(&c, "");
	ck_assert(has_diag(&c.d, CG_SEV_WARNING,
			   "'c 1:3 rwm' in devices.deny of 'devices/p' is not written"));
	ck_assert(has_diag(&c.d, CG_SEV_WARNING, "remove the group and apply again"));
	pc_release(&c);

	/* a group the plan creates gets it written, with no warning */
	pc_init(&c);
	pc_dir(&c, "devices", true, true);
	pc_dir(&c, DV("p"), false, true);
	both(&c.cur, &c.t, "devices", "devices.list", "a *:* rwm");
	want(&c.t, DV("p"), "devices.deny", "c 1:3 rwm");
	pc_expect(&c, "mkdir devices/p 0755\n"
		      "write devices/p devices.deny c 1:3 rwm\n");
	ck_assert(!has_diag(&c.d, CG_SEV_WARNING, "is not written"));
	pc_release(&c);
}

END_TEST

START_TEST(devices_gain_refused)
{
	struct pcase c;

	/* a child cannot get what its parent lacks (EPERM): refused before anything runs */
	pc_init(&c);
	pc_dir(&c, "devices", true, true);
	pc_dir(&c, DV("p"), true, true);
	pc_dir(&c, DV("p/c"), false, true);
	both(&c.cur, &c.t, "devices", "devices.list", "a *:* rwm");
	both(&c.cur, &c.t, DV("p"), "devices.list", "c 1:3 rwm");
	want(&c.t, DV("p/c"), "devices.deny", "a *:* rwm");
	want(&c.t, DV("p/c"), "devices.allow", "c 1:3 r\nc 1:5 r");
	pc_refused(&c, "'devices/p/c' cannot allow 'c 1:5 r': its parent 'devices/p' does not");
	pc_release(&c);
}
END_TEST

START_TEST(devices_list_transition)
{
	struct pcase c;

	/* rollback's target is a recorded devices.list: add, then take away */
	pc_init(&c);
	pc_dir(&c, "devices", true, true);
	pc_dir(&c, DV("p"), true, true);
	pc_dir(&c, DV("p/c"), true, true);
	both(&c.cur, &c.t, "devices", "devices.list", "a *:* rwm");
	val(&c.cur, DV("p"), "devices.list", "c 1:3 rwm\nc 1:5 rw\nb 7:0 r");
	val(&c.cur, DV("p/c"), "devices.list", "c 1:3 r");
	want(&c.t, DV("p"), "devices.list", "c 1:3 r\nc 1:8 rwm\nb 7:0 r");
	want(&c.t, DV("p/c"), "devices.list", "c 1:3 r\nc 1:8 m");
	pc_expect(&c, "write devices/p devices.allow c 1:8 rwm\n"
		      "write devices/p devices.deny c 1:3 wm\n"
		      "write devices/p devices.deny c 1:5 rw\n"
		      "write devices/p/c devices.allow c 1:8 m\n");
	pc_release(&c);
}
END_TEST

START_TEST(mkdir_perms)
{
	struct pcase c;
	struct cg_state_dir *d;

	pc_init(&c);
	pc_dir(&c, "memory", true, true);
	pc_dir(&c, "memory/a", false, true);
	pc_dir(&c, "memory/a/b", false, true);
	d = cg_state_find(&c.t, "memory/a");
	d->dir = (struct cg_state_owner){ true, 0, 100, true, 0775 };
	d->tasks = (struct cg_state_owner){ true, 1000, 1000, true, 0660 };
	d->ctlfiles = (struct cg_state_owner){ true, 0, 100, true, 0664 };
	want(&c.t, "memory/a/b", "memory.limit_in_bytes", G);
	pc_expect(&c, "mkdir memory/a 0775\n"
		      "chown memory/a . 0:100\n"
		      "chmod memory/a . 0775\n"
		      "chown memory/a tasks 1000:1000\n"
		      "chmod memory/a tasks 0660\n"
		      "chown memory/a cgroup.procs 1000:1000\n"
		      "chmod memory/a cgroup.procs 0660\n"
		      "chown memory/a * 0:100\n"
		      "chmod memory/a * 0664\n"
		      "mkdir memory/a/b 0755\n"
		      "write memory/a/b memory.limit_in_bytes " G "\n");
	ck_assert_uint_eq(c.p.dirs_created, 2);
	ck_assert_uint_eq(c.p.values_changed, 1);
	pc_release(&c);

	/* an existing dir: only what differs */
	pc_init(&c);
	pc_dir(&c, "memory", true, true);
	pc_dir(&c, "memory/a", true, true);
	d = cg_state_find(&c.cur, "memory/a");
	d->dir = (struct cg_state_owner){ true, 0, 0, true, 0755 };
	d->tasks = (struct cg_state_owner){ true, 0, 0, true, 0644 };
	d = cg_state_find(&c.t, "memory/a");
	d->dir = (struct cg_state_owner){ true, 0, 0, true, 0755 };
	d->tasks = (struct cg_state_owner){ true, 1000, (gid_t)-1, true, 0644 };
	pc_expect(&c, "chown memory/a tasks 1000:-1\nchown memory/a cgroup.procs 1000:-1\n");
	pc_release(&c);
}
END_TEST

START_TEST(rmdir_order)
{
	struct pcase c;

	/* without prune, a dir the target does not want stays */
	pc_init(&c);
	pc_dir(&c, "memory", true, true);
	pc_dir(&c, "memory/a", true, false);
	pc_dir(&c, "memory/a/b", true, false);
	pc_expect(&c, "");
	pc_release(&c);

	/* with prune: bottom-up */
	pc_init(&c);
	c.o.prune = true;
	pc_dir(&c, "memory", true, true);
	pc_dir(&c, "memory/a", true, false);
	pc_dir(&c, "memory/a/b", true, false);
	pc_dir(&c, "memory/c", true, true);
	pc_expect(&c, "rmdir memory/a/b\nrmdir memory/a\n");
	ck_assert_uint_eq(c.p.dirs_removed, 2);
	ck_assert(c.p.steps[0].irreversible);
	pc_release(&c);

	/* a populated dir is not removed */
	pc_init(&c);
	c.o.prune = true;
	pc_dir(&c, "memory", true, true);
	pc_dir(&c, "memory/a", true, false);
	cg_state_find(&c.cur, "memory/a")->populated = true;
	pc_refused(&c, "cannot remove 'memory/a': it holds tasks");
	pc_release(&c);

	/* nor one whose child stays */
	pc_init(&c);
	c.o.prune = true;
	pc_dir(&c, "memory", true, true);
	pc_dir(&c, "memory/a", true, false);
	pc_dir(&c, "memory/a/b", true, true);
	pc_refused(&c, "'memory/a/b' is to exist but its parent 'memory/a' is not");
	pc_release(&c);
}
END_TEST

START_TEST(freezer_last)
{
	struct pcase c;

	pc_init(&c);
	c.o.prune = true;
	pc_dir(&c, "freezer", true, true);
	pc_dir(&c, "freezer/a", true, true);
	pc_dir(&c, "freezer/b", true, false);
	pc_dir(&c, "freezer/c", false, true);
	val(&c.cur, "freezer/a", "freezer.state", "THAWED");
	want(&c.t, "freezer/a", "freezer.state", "FROZEN");
	want(&c.t, "freezer/a", "notify_on_release", "1");
	want(&c.t, "freezer/c", "freezer.state", "FROZEN");
	pc_expect(&c, "rmdir freezer/b\n"
		      "mkdir freezer/c 0755\n"
		      "write freezer/a notify_on_release 1\n"
		      "write freezer/a freezer.state FROZEN\n"
		      "write freezer/c freezer.state FROZEN\n");
	pc_release(&c);
}
END_TEST

START_TEST(v2_subtree_control)
{
	struct pcase c;
	char *got;

	pc_init(&c);
	pc_dir(&c, "unified", true, true);
	pc_dir(&c, "unified/p", true, true);
	pc_dir(&c, "unified/p/c", false, true);
	pc_dir(&c, "unified/q", true, true);
	pc_dir(&c, "unified/q/r", true, true);
	both(&c.cur, &c.t, "unified", "cgroup.subtree_control", "memory pids");
	val(&c.cur, "unified/p", "cgroup.subtree_control", "");
	want(&c.t, "unified/p", "cgroup.subtree_control", "memory pids");
	val(&c.cur, "unified/q", "cgroup.subtree_control", "memory pids");
	want(&c.t, "unified/q", "cgroup.subtree_control", "");
	val(&c.cur, "unified/q/r", "cgroup.subtree_control", "pids");
	want(&c.t, "unified/q/r", "cgroup.subtree_control", "");
	want(&c.t, "unified/p/c", "memory.max", G);
	ck_assert_int_eq(plan_build(&c.cur, &c.t, &c.o, &c.p, &c.d), 0);
	got = dump(&c.p);
	expect_text(got, "write unified/p cgroup.subtree_control +memory\n"
			 "write unified/p cgroup.subtree_control +pids\n"
			 "mkdir unified/p/c 0755\n"
			 "write unified/p/c memory.max " G "\n"
			 "write unified/q/r cgroup.subtree_control -pids\n"
			 "write unified/q cgroup.subtree_control -memory\n"
			 "write unified/q cgroup.subtree_control -pids\n");
	free(got);
	pc_release(&c);
}
END_TEST

START_TEST(noop_and_counts)
{
	struct pcase c;

	/* managed values equal to the live ones (after normalization): no steps */
	pc_init(&c);
	pc_dir(&c, "memory", true, true);
	pc_dir(&c, "memory/a", true, true);
	pc_dir(&c, "cpuset", true, true);
	pc_dir(&c, "cpuset/a", true, true);
	val(&c.cur, "memory/a", "memory.limit_in_bytes", UNL);
	want(&c.t, "memory/a", "memory.limit_in_bytes", "-1");
	val(&c.cur, "cpuset/a", "cpuset.cpus", "0-3");
	want(&c.t, "cpuset/a", "cpuset.cpus", "0,1,2,3");
	pc_expect(&c, "");
	ck_assert_uint_eq(c.p.values_changed, 0);
	pc_release(&c);
}
END_TEST

/* ---- the kernel model against the measured rows ---- */

/*
 * Rows of kernel-v1-constraints.md, replayed on the model: an op ("mkdir", "rmdir",
 * "w" write, "r" read, "task" to populate), and the errno (writes) or the text read.
 */
struct krow {
	const char *op, *path, *file, *text;
	int err;
};

/* clang-format off */
#define MK(p)		{ "mkdir", p, NULL, NULL, 0 }
#define MKE(p, e)	{ "mkdir", p, NULL, NULL, e }
#define RM(p, e)	{ "rmdir", p, NULL, NULL, e }
#define W(p, f, t, e)	{ "w", p, f, t, e }
#define R(p, f, t)	{ "r", p, f, t, 0 }
#define TASK(p)		{ "task", p, NULL, NULL, 0 }
#define M100		"104857600"

static const struct krow krows[] = {
	/* memory: limit ≤ memsw after every write */
	MK("memory/g"),
	R("memory/g", "memory.limit_in_bytes", UNL),
	W("memory/g", "memory.memsw.limit_in_bytes", M100, EINVAL),
	W("memory/g", "memory.limit_in_bytes", M100, 0),
	W("memory/g", "memory.memsw.limit_in_bytes", "209715200", 0),
	W("memory/g", "memory.limit_in_bytes", "314572800", EINVAL),
	R("memory/g", "memory.limit_in_bytes", M100),
	W("memory/g", "memory.memsw.limit_in_bytes", "314572800", 0),
	W("memory/g", "memory.limit_in_bytes", "314572800", 0),
	W("memory/g", "memory.memsw.limit_in_bytes", "209715200", EINVAL),
	W("memory/g", "memory.limit_in_bytes", "209715200", 0),
	W("memory/g", "memory.memsw.limit_in_bytes", "209711104", EINVAL),
	W("memory/g", "memory.limit_in_bytes", "-1", EINVAL),
	W("memory/g", "memory.limit_in_bytes", "4097", 0),
	R("memory/g", "memory.limit_in_bytes", "4096"),
	W("memory/g", "memory.limit_in_bytes", "max", EINVAL),
	W("memory/g", "memory.limit_in_bytes", "0100M", EINVAL),
	W("memory/g", "memory.memsw.limit_in_bytes", "-1", 0),
	W("memory/g", "memory.limit_in_bytes", "-1", 0),
	/* cfs: ranges, burst ≤ quota, ratios */
	MK("cpu,cpuacct/p"),
	R("cpu,cpuacct/p", "cpu.cfs_period_us", "100000"),
	R("cpu,cpuacct/p", "cpu.rt_runtime_us", "0"),
	W("cpu,cpuacct/p", "cpu.cfs_period_us", "999", EINVAL),
	W("cpu,cpuacct/p", "cpu.cfs_period_us", "1000001", EINVAL),
	W("cpu,cpuacct/p", "cpu.cfs_quota_us", "999", EINVAL),
	W("cpu,cpuacct/p", "cpu.cfs_quota_us", "-2", 0),
	R("cpu,cpuacct/p", "cpu.cfs_quota_us", "-1"),
	W("cpu,cpuacct/p", "cpu.cfs_burst_us", "1000", 0),
	W("cpu,cpuacct/p", "cpu.cfs_burst_us", "0", 0),
	W("cpu,cpuacct/p", "cpu.cfs_quota_us", "50000", 0),
	W("cpu,cpuacct/p", "cpu.cfs_burst_us", "50000", 0),
	W("cpu,cpuacct/p", "cpu.cfs_burst_us", "50001", EINVAL),
	W("cpu,cpuacct/p", "cpu.cfs_burst_us", "20000", 0),
	W("cpu,cpuacct/p", "cpu.cfs_quota_us", "10000", EINVAL),
	W("cpu,cpuacct/p", "cpu.cfs_burst_us", "0", 0),
	MK("cpu,cpuacct/p/c"),
	W("cpu,cpuacct/p/c", "cpu.cfs_quota_us", "60000", EINVAL),
	W("cpu,cpuacct/p/c", "cpu.cfs_quota_us", "40000", 0),
	W("cpu,cpuacct/p/c", "cpu.cfs_period_us", "50000", EINVAL),
	W("cpu,cpuacct/p/c", "cpu.cfs_quota_us", "20000", 0),
	W("cpu,cpuacct/p/c", "cpu.cfs_period_us", "50000", 0),
	W("cpu,cpuacct/p/c", "cpu.cfs_quota_us", "25001", EINVAL),
	W("cpu,cpuacct/p/c", "cpu.cfs_quota_us", "25000", 0),
	W("cpu,cpuacct/p", "cpu.cfs_quota_us", "30000", EINVAL),
	W("cpu,cpuacct/p", "cpu.cfs_period_us", "200000", EINVAL),
	W("cpu,cpuacct/p", "cpu.cfs_period_us", "99999", 0),
	W("cpu,cpuacct/p/c", "cpu.cfs_quota_us", "-1", 0),
	W("cpu,cpuacct/p", "cpu.cfs_quota_us", "20000", 0),
	/* shares and idle */
	W("cpu,cpuacct/p", "cpu.shares", "0", 0),
	R("cpu,cpuacct/p", "cpu.shares", "2"),
	W("cpu,cpuacct/p", "cpu.shares", "1000000", 0),
	R("cpu,cpuacct/p", "cpu.shares", "262144"),
	W("cpu,cpuacct/p", "cpu.shares", "2048", 0),
	W("cpu,cpuacct/p", "cpu.idle", "2", EINVAL),
	W("cpu,cpuacct/p", "cpu.idle", "1", 0),
	R("cpu,cpuacct/p", "cpu.shares", "3"),
	W("cpu,cpuacct/p", "cpu.shares", "512", EINVAL),
	W("cpu,cpuacct/p", "cpu.idle", "0", 0),
	R("cpu,cpuacct/p", "cpu.shares", "1024"),
	/* rt budgets */
	W("cpu,cpuacct/p/c", "cpu.rt_runtime_us", "10000", EINVAL),
	W("cpu,cpuacct/p", "cpu.rt_runtime_us", "950001", EINVAL),
	W("cpu,cpuacct/p", "cpu.rt_runtime_us", "100000", 0),
	W("cpu,cpuacct/p/c", "cpu.rt_runtime_us", "50000", 0),
	MK("cpu,cpuacct/p/d"),
	W("cpu,cpuacct/p/d", "cpu.rt_runtime_us", "60000", EINVAL),
	W("cpu,cpuacct/p/d", "cpu.rt_runtime_us", "50000", 0),
	W("cpu,cpuacct/p", "cpu.rt_runtime_us", "90000", EINVAL),
	W("cpu,cpuacct/p", "cpu.rt_runtime_us", "0", EINVAL),
	W("cpu,cpuacct/p/d", "cpu.rt_period_us", "500000", EINVAL),
	W("cpu,cpuacct/p/d", "cpu.rt_period_us", "0", EINVAL),
	/* cpuset */
	MK("cpuset/p"),
	R("cpuset/p", "cpuset.cpus", ""),
	R("cpuset/p", "cpuset.mems", ""),
	W("cpuset/p", "cpuset.cpus", "0-1", 0),
	W("cpuset/p", "cpuset.mems", "0", 0),
	W("cpuset/p", "cpuset.cpus", "8", ERANGE),
	W("cpuset/p", "cpuset.cpus", "1-0", EINVAL),
	MK("cpuset/p/c"),
	W("cpuset/p/c", "cpuset.cpus", "0-1", 0),
	W("cpuset/p", "cpuset.cpus", "0", EBUSY),
	W("cpuset/p", "cpuset.cpus", "", EBUSY),
	W("cpuset/p/c", "cpuset.cpus", "0", 0),
	W("cpuset/p", "cpuset.cpus", "0", 0),
	W("cpuset/p/c", "cpuset.cpus", "0-1", EACCES),
	W("cpuset/p/c", "cpuset.mems", "1", EACCES),
	W("cpuset/p/c", "cpuset.cpu_exclusive", "1", EACCES),
	W("cpuset/p", "cpuset.cpu_exclusive", "1", 0),
	W("cpuset/p/c", "cpuset.cpu_exclusive", "1", 0),
	W("cpuset/p", "cpuset.cpu_exclusive", "0", EBUSY),
	W("cpuset/p", "cpuset.cpus", "0-3", 0),
	MK("cpuset/p/s"),
	W("cpuset/p/s", "cpuset.cpus", "0", EINVAL),
	W("cpuset/p/s", "cpuset.cpus", "1", 0),
	W("cpuset/p/s", "cpuset.mems", "0", 0),
	TASK("cpuset/p/s"),
	W("cpuset/p/s", "cpuset.cpus", "", ENOSPC),
	RM("cpuset/p/s", EBUSY),
	RM("cpuset/p", EBUSY),
	MKE("cpuset/p", EEXIST),
	MKE("cpuset/x/y", ENOENT),
	/* devices */
	MK("devices/g"),
	R("devices/g", "devices.list", "a *:* rwm"),
	W("devices/g", "devices.deny", "a", 0),
	R("devices/g", "devices.list", ""),
	W("devices/g", "devices.allow", "c 1:3 rwm", 0),
	W("devices/g", "devices.allow", "c 1:5 rw", 0),
	W("devices/g", "devices.allow", "b 254:* r", 0),
	W("devices/g", "devices.deny", "c 1:3 w", 0),
	W("devices/g", "devices.deny", "c *:* w", 0),
	W("devices/g", "devices.allow", "x 1:3 rwm", EINVAL),
	W("devices/g", "devices.allow", "c 1:3", EINVAL),
	R("devices/g", "devices.list", "c 1:3 rm\nc 1:5 rw\nb 254:* r"),
	MK("devices/g/c"),
	R("devices/g/c", "devices.list", "c 1:3 rm\nc 1:5 rw\nb 254:* r"),
	W("devices/g/c", "devices.allow", "c 1:8 r", EPERM),
	W("devices/g/c", "devices.allow", "c 1:3 w", EPERM),
	W("devices/g/c", "devices.allow", "a", EPERM),
	W("devices/g/c", "devices.deny", "c 1:5 w", 0),
	W("devices/g/c", "devices.allow", "b 254:0 r", 0),
	W("devices/g", "devices.deny", "b 254:* r", 0),
	R("devices/g/c", "devices.list", "c 1:3 rm\nc 1:5 r"),
	W("devices/g", "devices.deny", "c 1:3 m", 0),
	W("devices/g", "devices.allow", "c 1:3 m", 0),
	R("devices/g/c", "devices.list", "c 1:3 r\nc 1:5 r"),
	W("devices/g", "devices.allow", "a", EINVAL),
	W("devices/g", "devices.deny", "a", EINVAL),
	/* freezer */
	MK("freezer/g"),
	W("freezer/g", "freezer.state", "FROZEN", 0),
	W("freezer/g", "freezer.state", "FREEZING", EINVAL),
	W("freezer/g", "freezer.state", "frozen", EINVAL),
};
/* clang-format on */

START_TEST(kmodel_rows)
{
	struct km *k = km_new(8, 2);
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	km_add_root(k, "memory", "memory");
	km_add_root(k, "cpu,cpuacct", "cpu,cpuacct");
	km_add_root(k, "cpuset", "cpuset");
	km_add_root(k, "devices", "devices");
	km_add_root(k, "freezer", "freezer");
	for (i = 0; i < sizeof(krows) / sizeof(krows[0]); i++) {
		const struct krow *r = &krows[i];
		int got = 0;

		if (!strcmp(r->op, "mkdir")) {
			got = km_mkdir(k, r->path);
		} else if (!strcmp(r->op, "rmdir")) {
			got = km_rmdir(k, r->path);
		} else if (!strcmp(r->op, "task")) {
			km_set_populated(k, r->path, true);
		} else if (!strcmp(r->op, "w")) {
			got = km_write(k, r->path, r->file, r->text);
		} else {
			ck_assert_int_eq(km_read(k, r->path, r->file, &sb), 0);
			if (sb.len && sb.buf[sb.len - 1] == '\n')
				sb.buf[--sb.len] = '\0';
			ck_assert_msg(strcmp(sb.buf, r->text) == 0,
				      "row %zu: %s/%s reads '%s', expected '%s'", i, r->path,
				      r->file, sb.buf, r->text);
			continue;
		}
		ck_assert_msg(got == r->err, "row %zu: %s %s %s '%s': %s, expected %s", i, r->op,
			      r->path, r->file ? r->file : "", r->text ? r->text : "",
			      got ? strerror(got) : "ok", r->err ? strerror(r->err) : "ok");
	}
	strbuf_release(&sb);
	km_free(k);
}
END_TEST

/* ---- the model check ---- */

/* splitmix64: small, seedable, the same on every platform */
struct rng {
	uint64_t s;
};

static uint64_t
rnd(struct rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static unsigned
below(struct rng *r, unsigned n)
{
	return (unsigned)(rnd(r) % n);
}

static bool
chance(struct rng *r, unsigned pct)
{
	return below(r, 100) < pct;
}

#define MC_MAX	      6
#define MC_NCPUS      8
#define MC_NMEMS      2
#define MC_PAGE	      4096u
#define MC_BW_SHIFT   20
#define MC_ITERATIONS 5000
#define MC_SEED	      UINT64_C(20241203)

static const char *const mc_mounts[] = { "memory", "cpu,cpuacct", "cpuset", "devices" };
#define MC_NH 4

static const char *const mc_memory_files[] = {
	"memory.limit_in_bytes",
	"memory.memsw.limit_in_bytes",
	NULL,
};
static const char *const mc_cpu_files[] = {
	"cpu.cfs_burst_us", "cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.idle",
	"cpu.rt_period_us", "cpu.rt_runtime_us", "cpu.shares",	     NULL,
};
static const char *const mc_cpuset_files[] = {
	"cpuset.cpu_exclusive", "cpuset.cpus", "cpuset.mem_exclusive", "cpuset.mems", NULL,
};
static const char *const mc_devices_files[] = { "devices.list", NULL };
static const char *const *const mc_files[MC_NH] = {
	mc_memory_files,
	mc_cpu_files,
	mc_cpuset_files,
	mc_devices_files,
};

/* a device entry of the generated lists */
struct mc_dev {
	char type;
	int major, minor; /* -1: * */
	unsigned access;
};

static const struct mc_dev mc_universe[] = {
	{ 'c', 1, 3, 0 }, { 'c', 1, 5, 0 }, { 'c', 1, 8, 0 }, { 'b', 7, 0, 0 }, { 'c', 136, -1, 0 },
};
#define MC_NDEV (sizeof(mc_universe) / sizeof(mc_universe[0]))

/* One generated world: a group tree and, per group, its values in every hierarchy. */
struct mc_group {
	char path[64];
	int parent;
	bool exists, populated;
	/* not in the configuration: a leaf in cpu and cpuset only, never written */
	bool foreign;
	/* memory (text as written) */
	char limit[24], memsw[24];
	/* cpu */
	int64_t period, quota, burst, shares, idle, rt_period, rt_runtime;
	/* cpuset */
	uint64_t cpus, mems;
	int cx, mx;
	/* devices: allow-all, or the entries */
	bool allow_all;
	struct mc_dev dev[MC_NDEV];
	unsigned ndev;
};

struct mc_world {
	unsigned n;
	struct mc_group g[MC_MAX];
};

static uint64_t
mc_ratio(int64_t period, int64_t runtime)
{
	return ((uint64_t)runtime << MC_BW_SHIFT) / (uint64_t)period;
}

/* The ratio a group's children are held to: its own, else its nearest limited ancestor's. */
static uint64_t
mc_eff(const struct mc_world *w, int i)
{
	for (; i >= 0; i = w->g[i].parent)
		if (w->g[i].quota >= 0)
			return mc_ratio(w->g[i].period, w->g[i].quota);
	return UINT64_MAX;
}

static void
mc_memory(struct rng *r, struct mc_group *g)
{
	static const unsigned pages[] = { 256, 512, 1024, 4096, 65536 };
	static const unsigned extra[] = { 0, 256, 1024 };
	uint64_t limit;

	if (chance(r, 30)) {
		strcpy(g->limit, "-1");
		strcpy(g->memsw, "-1");
		return;
	}
	limit = (uint64_t)pages[below(r, 5)] * MC_PAGE;
	snprintf(g->limit, sizeof(g->limit), "%" PRIu64, limit);
	if (chance(r, 30))
		strcpy(g->memsw, "-1");
	else
		snprintf(g->memsw, sizeof(g->memsw), "%" PRIu64,
			 limit + (uint64_t)extra[below(r, 3)] * MC_PAGE);
}

static void
mc_cpu(struct rng *r, struct mc_world *w, int i)
{
	static const int64_t periods[] = { 1000, 50000, 100000, 200000, 1000000 };
	static const int64_t quotas[] = { 1000, 10000, 25000, 50000, 100000, 200000, 400000 };
	static const int64_t shares[] = { 2, 512, 1024, 2048, 262144 };
	static const int64_t rt_periods[] = { 100000, 500000, 1000000 };
	static const unsigned rt_parts[] = { 0, 20, 10, 4, 2, 1 };
	struct mc_group *g = &w->g[i];
	uint64_t pe = mc_eff(w, g->parent), budget;
	int64_t ok[7];
	unsigned n = 0, k;
	int s;

	g->period = periods[below(r, 5)];
	g->quota = -1;
	/* ratios of 1/4, 1/2 and 1 recur, so parents and children are often tight */
	if (chance(r, 50)) {
		int64_t q = g->period / (int64_t)(1u << below(r, 3));

		if (q >= 1000 && (pe == UINT64_MAX || mc_ratio(g->period, q) <= pe))
			g->quota = q;
	} else {
		for (k = 0; k < 7; k++)
			if (pe == UINT64_MAX || mc_ratio(g->period, quotas[k]) <= pe)
				ok[n++] = quotas[k];
		if (n && chance(r, 65))
			g->quota = ok[below(r, n)];
	}
	g->burst = 0;
	if (chance(r, 50)) {
		if (g->quota < 0)
			g->burst = chance(r, 50) ? 1000 : 5000;
		else
			g->burst = chance(r, 50) ? g->quota / 2 : g->quota;
	}
	g->idle = chance(r, 15);
	g->shares = shares[below(r, 5)];
	/* RT: what the parent has left after the siblings before this one */
	g->rt_period = rt_periods[below(r, 3)];
	budget = g->parent < 0 ? mc_ratio(1000000, 950000)
			       : mc_ratio(w->g[g->parent].rt_period, w->g[g->parent].rt_runtime);
	for (s = 0; s < i; s++)
		if (w->g[s].exists && w->g[s].parent == g->parent)
			budget -= mc_ratio(w->g[s].rt_period, w->g[s].rt_runtime);
	g->rt_runtime = 0;
	k = below(r, 6);
	if (rt_parts[k] && mc_ratio(g->rt_period, g->rt_period / rt_parts[k]) <= budget)
		g->rt_runtime = g->rt_period / rt_parts[k];
}

static uint64_t
mc_subset(struct rng *r, uint64_t of)
{
	uint64_t m = 0;
	unsigned b;

	for (b = 0; b < 64; b++)
		if ((of >> b & 1) && chance(r, 50))
			m |= UINT64_C(1) << b;
	return m;
}

static uint64_t
mc_one(struct rng *r, uint64_t of)
{
	unsigned b, n = 0, pick;

	for (b = 0; b < 64; b++)
		n += (unsigned)(of >> b & 1);
	if (!n)
		return 0;
	pick = below(r, n);
	for (b = 0; b < 64; b++)
		if ((of >> b & 1) && pick-- == 0)
			return UINT64_C(1) << b;
	return 0;
}

/* false when the group cannot be given cpus and mems it needs (populated) */
static bool
mc_cpuset(struct rng *r, struct mc_world *w, int i)
{
	struct mc_group *g = &w->g[i];
	uint64_t pc = g->parent < 0 ? (UINT64_C(1) << MC_NCPUS) - 1 : w->g[g->parent].cpus;
	uint64_t pm = g->parent < 0 ? (UINT64_C(1) << MC_NMEMS) - 1 : w->g[g->parent].mems;
	int pcx = g->parent < 0 ? 1 : w->g[g->parent].cx;
	int pmx = g->parent < 0 ? 1 : w->g[g->parent].mx;
	uint64_t taken_c = 0, taken_m = 0, all_c = 0, all_m = 0;
	int s;

	for (s = 0; s < i; s++) {
		const struct mc_group *o = &w->g[s];

		if (!o->exists || o->parent != g->parent)
			continue;
		all_c |= o->cpus;
		all_m |= o->mems;
		if (o->cx)
			taken_c |= o->cpus;
		if (o->mx)
			taken_m |= o->mems;
	}
	g->cpus = mc_subset(r, pc & ~taken_c);
	g->mems = chance(r, 80) ? mc_one(r, pm & ~taken_m) : mc_subset(r, pm & ~taken_m);
	if (g->populated && !g->cpus)
		g->cpus = mc_one(r, pc & ~taken_c);
	if (g->populated && !g->mems)
		g->mems = mc_one(r, pm & ~taken_m);
	if (g->populated && (!g->cpus || !g->mems))
		return false;
	g->cx = pcx && !(g->cpus & all_c) && chance(r, 35);
	g->mx = pmx && !(g->mems & all_m) && chance(r, 25);
	return true;
}

/* `mode`: -1 free, 0 deny-by-default, 1 allow-all (kept: the group has children) */
static void
mc_devices(struct rng *r, struct mc_world *w, int i, int mode)
{
	struct mc_group *g = &w->g[i];
	const struct mc_group *p = g->parent < 0 ? NULL : &w->g[g->parent];
	bool parent_all = !p || p->allow_all;
	unsigned k;

	g->ndev = 0;
	g->allow_all = parent_all && (mode == 1 || (mode < 0 && chance(r, 35)));
	if (g->allow_all)
		return;
	if (parent_all) {
		for (k = 0; k < MC_NDEV; k++) {
			if (!chance(r, 50))
				continue;
			g->dev[g->ndev] = mc_universe[k];
			g->dev[g->ndev++].access = 1 + below(r, 7);
		}
		return;
	}
	for (k = 0; k < p->ndev; k++) {
		unsigned acc;

		if (!chance(r, 60))
			continue;
		acc = p->dev[k].access & (1 + below(r, 7));
		if (!acc)
			continue;
		g->dev[g->ndev] = p->dev[k];
		g->dev[g->ndev++].access = acc;
	}
}

static void
mc_devtext(const struct mc_group *g, struct strbuf *sb)
{
	unsigned k;

	if (g->allow_all) {
		strbuf_adds(sb, "a *:* rwm");
		return;
	}
	for (k = 0; k < g->ndev; k++) {
		const struct mc_dev *d = &g->dev[k];

		if (k)
			strbuf_addch(sb, '\n');
		strbuf_addf(sb, "%c %d:", d->type, d->major);
		if (d->minor < 0)
			strbuf_addch(sb, '*');
		else
			strbuf_addf(sb, "%d", d->minor);
		strbuf_addf(sb, " %s%s%s", d->access & 1 ? "r" : "", d->access & 2 ? "w" : "",
			    d->access & 4 ? "m" : "");
	}
}

static bool
mc_has_children(const struct mc_world *w, int i)
{
	unsigned j;

	for (j = 0; j < w->n; j++)
		if (w->g[j].exists && w->g[j].parent == i)
			return true;
	return false;
}

/*
 * Values for every existing group, parents first. `keep` (the current world, for a
 * target) holds the device mode of groups that have children there: the kernel cannot
 * change it, so a valid target keeps it.
 */
static bool
mc_values(struct rng *r, struct mc_world *w, const struct mc_world *keep)
{
	unsigned i;

	for (i = 0; i < w->n; i++) {
		struct mc_group *g = &w->g[i];
		int mode = -1;

		if (!g->exists)
			continue;
		mc_memory(r, g);
		mc_cpu(r, w, (int)i);
		if (!mc_cpuset(r, w, (int)i))
			return false;
		if (keep && keep->g[i].exists && mc_has_children(keep, (int)i))
			mode = keep->g[i].allow_all;
		mc_devices(r, w, (int)i, mode);
	}
	return true;
}

static void
mc_shape(struct rng *r, struct mc_world *w)
{
	unsigned i;

	memset(w, 0, sizeof(*w));
	w->n = 1 + below(r, MC_MAX);
	for (i = 0; i < w->n; i++) {
		struct mc_group *g = &w->g[i];

		g->parent = i == 0 || chance(r, 35) ? -1 : (int)below(r, i);
		if (g->parent < 0)
			snprintf(g->path, sizeof(g->path), "g%u", i);
		else
			snprintf(g->path, sizeof(g->path), "%s/g%u", w->g[g->parent].path, i);
	}
}

/* Random existence, closed under parents; `must` groups (and their parents) exist. */
static void
mc_exist(struct rng *r, struct mc_world *w, const bool *must)
{
	int i;

	for (i = 0; i < (int)w->n; i++) {
		struct mc_group *g = &w->g[i];

		g->exists = chance(r, 75) && (g->parent < 0 || w->g[g->parent].exists);
	}
	for (i = (int)w->n - 1; i >= 0; i--) {
		int a;

		if (!must || !must[i])
			continue;
		for (a = i; a >= 0; a = w->g[a].parent)
			w->g[a].exists = true;
	}
}

static void
mc_fspath(char *buf, size_t n, unsigned h, const char *group)
{
	snprintf(buf, n, "%s/%s", mc_mounts[h], group);
}

static void
mc_force(struct km *k, const char *p, const char *file, const char *text)
{
	ck_assert_msg(km_force(k, p, file, text) == 0, "model: %s/%s '%s'", p, file, text);
}

static void
mc_force_int(struct km *k, const char *p, const char *file, int64_t v)
{
	char t[32];

	snprintf(t, sizeof(t), "%" PRId64, v);
	mc_force(k, p, file, t);
}

static void
mc_force_list(struct km *k, const char *p, const char *file, uint64_t m)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned b;

	for (b = 0; b < 64; b++)
		if (m >> b & 1)
			strbuf_addf(&sb, "%s%u", sb.len ? "," : "", b);
	mc_force(k, p, file, sb.buf);
	strbuf_release(&sb);
}

/* The world in the kernel model: every group in the four hierarchies. */
static struct km *
mc_km(const struct mc_world *w)
{
	struct km *k = km_new(MC_NCPUS, MC_NMEMS);
	struct strbuf sb = STRBUF_INIT;
	unsigned h, i;
	char p[96];

	for (h = 0; h < MC_NH; h++)
		km_add_root(k, mc_mounts[h], mc_mounts[h]);
	for (h = 0; h < MC_NH; h++) {
		for (i = 0; i < w->n; i++) {
			const struct mc_group *g = &w->g[i];

			if (!g->exists || (g->foreign && h != 1 && h != 2))
				continue;
			mc_fspath(p, sizeof(p), h, g->path);
			ck_assert_int_eq(km_mkdir(k, p), 0);
			km_set_populated(k, p, g->populated);
			switch (h) {
			case 0:
				mc_force(k, p, "memory.limit_in_bytes", g->limit);
				mc_force(k, p, "memory.memsw.limit_in_bytes", g->memsw);
				break;
			case 1:
				mc_force_int(k, p, "cpu.cfs_period_us", g->period);
				mc_force_int(k, p, "cpu.cfs_quota_us", g->quota);
				mc_force_int(k, p, "cpu.cfs_burst_us", g->burst);
				mc_force_int(k, p, "cpu.shares", g->shares);
				mc_force_int(k, p, "cpu.idle", g->idle);
				mc_force_int(k, p, "cpu.rt_period_us", g->rt_period);
				mc_force_int(k, p, "cpu.rt_runtime_us", g->rt_runtime);
				break;
			case 2:
				mc_force_list(k, p, "cpuset.cpus", g->cpus);
				mc_force_list(k, p, "cpuset.mems", g->mems);
				mc_force_int(k, p, "cpuset.cpu_exclusive", g->cx);
				mc_force_int(k, p, "cpuset.mem_exclusive", g->mx);
				break;
			default:
				strbuf_reset(&sb);
				mc_devtext(g, &sb);
				mc_force(k, p, "devices.list", sb.buf);
				break;
			}
		}
	}
	strbuf_release(&sb);
	return k;
}

/*
 * The state a snapshot would read: the hierarchy roots (anchors) and a directory per
 * group listed (`listed`), existing or not, with the files of its hierarchy.
 */
static void
mc_state(const struct km *k, const struct mc_world *w, const bool *listed, struct cg_state *s)
{
	unsigned h, i, f;
	char p[96];

	cg_state_init(s);
	for (h = 0; h < MC_NH; h++) {
		for (i = 0; i <= w->n; i++) {
			struct cg_state_dir *d;

			if (i == 0)
				snprintf(p, sizeof(p), "%s", mc_mounts[h]);
			else if (listed[i - 1] && (!w->g[i - 1].foreign || h == 1 || h == 2))
				mc_fspath(p, sizeof(p), h, w->g[i - 1].path);
			else
				continue;
			d = dir(s, p, km_exists(k, p));
			d->populated = i > 0 && d->exists && w->g[i - 1].populated;
			if (i > 0 && w->g[i - 1].foreign) {
				d->foreign = true;
				free(d->group);
				d->group = NULL;
			}
			for (f = 0; mc_files[h][f]; f++) {
				const char *name = mc_files[h][f];
				struct strbuf sb = STRBUF_INIT;

				if (!d->exists) {
					cg_state_add_file(d, name, cg_schema_file_any(name));
					continue;
				}
				ck_assert_int_eq(km_read(k, p, name, &sb), 0);
				val(s, p, name, sb.buf);
				strbuf_release(&sb);
			}
		}
	}
}

struct mc_stats {
	unsigned runs, skipped, steps, transitional, mkdirs, rmdirs, warnings;
	/* runs with a foreign dir; of them, plans refused naming one */
	unsigned foreign, foreign_refused;
	/* transitional steps: CFS quota -1, RT runtime, cpuset lists, exclusive flags */
	unsigned t_quota, t_rt, t_list, t_flag;
};

/* the states of the failing run, shown with the failure */
static const struct cg_state *mc_cur, *mc_tgt;

static void
mc_fail(uint64_t seed, const char *what, const char *detail, const struct plan *p,
	const struct cg_diags *d)
{
	char *steps = p ? dump(p) : NULL;
	char *probs = d ? diags_text(d) : NULL;
	struct strbuf st = STRBUF_INIT;

	if (getenv("CG_PLAN_VERBOSE") && mc_cur && mc_tgt) {
		strbuf_adds(&st, "current:\n");
		cg_state_serialize(mc_cur, &st);
		strbuf_adds(&st, "target:\n");
		cg_state_serialize(mc_tgt, &st);
	}
	/* Check limits the message length: the states go to stderr */
	fprintf(stderr, "%s", st.buf);
	ck_abort_msg("model check seed %" PRIu64 " (rerun: CG_PLAN_SEED=%" PRIu64
		     " CG_PLAN_RUNS=1 CG_PLAN_VERBOSE=1): %s: %s\nplan:\n%sproblems:\n%s",
		     seed, seed, what, detail ? detail : "", steps ? steps : "",
		     probs ? probs : "");
	free(steps);
	free(probs);
	strbuf_release(&st);
}

/* One transition; false when the generated target is not one the kernel can hold. */
static bool
mc_one_run(uint64_t seed, struct mc_stats *st)
{
	struct rng r = { seed };
	struct mc_world cur, tgt;
	bool populated[MC_MAX], listed[MC_MAX], must[MC_MAX], any_foreign = false;
	struct cg_state cs, ts, same, after;
	struct km *kcur, *ktgt, *keff, *k;
	struct cg_diags d;
	struct plan p;
	struct plan_opts o = { .prune = true };
	const char *why;
	char *msg;
	unsigned i, h, f;
	size_t j;
	bool ok = true;

	/* the current world */
	mc_shape(&r, &cur);
	mc_exist(&r, &cur, NULL);
	for (i = 0; i < cur.n; i++) {
		unsigned q;
		bool leaf = true;

		cur.g[i].populated = cur.g[i].exists && chance(&r, 20);
		populated[i] = cur.g[i].populated;
		/* some existing leaves are not the configuration's (made by hand, left over) */
		for (q = 0; q < cur.n; q++)
			leaf = leaf && cur.g[q].parent != (int)i;
		cur.g[i].foreign = leaf && cur.g[i].exists && !cur.g[i].populated && chance(&r, 12);
		any_foreign = any_foreign || cur.g[i].foreign;
		must[i] = populated[i] || cur.g[i].foreign;
	}
	if (!mc_values(&r, &cur, NULL))
		return false;
	/* the target: same tree, other groups, other values; populated groups stay, and
	 * foreign ones stay as they are */
	tgt = cur;
	mc_exist(&r, &tgt, must);
	if (!mc_values(&r, &tgt, &cur))
		return false;
	for (i = 0; i < cur.n; i++)
		if (cur.g[i].foreign)
			tgt.g[i] = cur.g[i];
	for (i = 0; i < cur.n; i++)
		listed[i] = cur.g[i].exists || tgt.g[i].exists;

	kcur = mc_km(&cur);
	ktgt = mc_km(&tgt);
	if (!km_valid(kcur, &why))
		mc_fail(seed, "generated current world is invalid", why, NULL, NULL);
	mc_state(kcur, &cur, listed, &cs);

	/* the target state: each file managed (85%) with the target world's value */
	mc_state(kcur, &cur, listed, &ts);
	for (h = 0; h < MC_NH; h++) {
		for (i = 0; i < cur.n; i++) {
			char pth[96];
			struct cg_state_dir *td;
			bool fresh = !cur.g[i].exists;
			bool manage_cpu_pair = chance(&r, 85);

			if (!listed[i] || cur.g[i].foreign)
				continue;
			mc_fspath(pth, sizeof(pth), h, cur.g[i].path);
			td = cg_state_find(&ts, pth);
			td->exists = tgt.g[i].exists;
			if (!td->exists)
				continue;
			for (f = 0; mc_files[h][f]; f++) {
				const char *name = mc_files[h][f];
				struct strbuf sb = STRBUF_INIT;
				bool manage = chance(&r, 85);

				/* idle and shares go together: shares cannot be set while idle */
				if (!strcmp(name, "cpu.idle") || !strcmp(name, "cpu.shares"))
					manage = manage_cpu_pair;
				if (fresh && h == 2 && strstr(name, "cpuset.") &&
				    !strstr(name, "excl"))
					manage = true;
				if (h == 3) {
					/* devices: the recorded list, or the rules that give it */
					mc_devtext(&tgt.g[i], &sb);
					/* with children only for the same default (kept) */
					if ((!mc_has_children(&cur, (int)i) ||
					     cur.g[i].allow_all == tgt.g[i].allow_all) &&
					    chance(&r, 50)) {
						if (tgt.g[i].allow_all) {
							want(&ts, pth, "devices.allow",
							     "a *:* rwm");
						} else {
							want(&ts, pth, "devices.deny", "a *:* rwm");
							if (tgt.g[i].ndev)
								want(&ts, pth, "devices.allow",
								     sb.buf);
						}
					} else {
						want(&ts, pth, "devices.list", sb.buf);
					}
					strbuf_release(&sb);
					continue;
				}
				if (!manage) {
					strbuf_release(&sb);
					continue;
				}
				ck_assert_int_eq(km_read(ktgt, pth, name, &sb), 0);
				want(&ts, pth, name, sb.buf);
				strbuf_release(&sb);
			}
		}
	}

	/* what the kernel would hold at the end: a state it must be able to hold */
	keff = km_from_state(&ts);
	for (i = 0; i < cur.n; i++) {
		char pth[96];
		struct strbuf sb = STRBUF_INIT;

		if (!tgt.g[i].exists || tgt.g[i].foreign)
			continue;
		mc_fspath(pth, sizeof(pth), 3, cur.g[i].path);
		mc_devtext(&tgt.g[i], &sb);
		km_force(keff, pth, "devices.list", sb.buf);
		strbuf_release(&sb);
	}
	if (!km_valid(keff, &why)) {
		if (getenv("CG_PLAN_WHY"))
			fprintf(stderr, "skip: %s\n", why);
		ok = false;
		goto out_states;
	}

	mc_cur = &cs;
	mc_tgt = &ts;
	/* a target equal to the current state, every file managed: no step */
	cg_state_copy(&same, &cs);
	for (j = 0; j < same.n; j++) {
		size_t q;

		for (q = 0; q < same.dirs[j].nfiles; q++)
			same.dirs[j].files[q].managed = same.dirs[j].files[q].present;
	}
	cg_diags_init(&d);
	plan_init(&p);
	if (plan_build(&cs, &same, &o, &p, &d) < 0 || p.n)
		mc_fail(seed, "a plan to the same state is not empty", NULL, &p, &d);
	plan_release(&p);
	cg_diags_release(&d);
	cg_state_release(&same);

	/* the transition */
	st->foreign += any_foreign;
	cg_diags_init(&d);
	plan_init(&p);
	if (plan_build(&cs, &ts, &o, &p, &d) < 0) {
		char *probs = diags_text(&d);

		/* what a foreign dir holds may leave no way there: then the plan says so */
		if (!any_foreign || !strstr(probs, "which the configuration does not manage"))
			mc_fail(seed, "plan refused", NULL, &p, &d);
		free(probs);
		st->foreign_refused++;
		cg_diags_release(&d);
		goto out_states;
	}
	for (j = 0; j < p.n; j++)
		for (i = 0; i < cur.n; i++) {
			char pth[96];

			if (!cur.g[i].foreign)
				continue;
			for (h = 1; h <= 2; h++) {
				mc_fspath(pth, sizeof(pth), h, cur.g[i].path);
				if (strcmp(p.steps[j].dir, pth) == 0)
					mc_fail(seed, "a step in a foreign dir", pth, &p, &d);
			}
		}
	k = km_clone(kcur);
	msg = km_run(k, &p);
	if (msg)
		mc_fail(seed, "the kernel model refused a step", msg, &p, &d);
	msg = km_mismatch(k, &ts, true);
	if (msg)
		mc_fail(seed, "the end state differs from the target", msg, &p, &d);
	for (i = 0; i < cur.n; i++) {
		char pth[96];
		struct strbuf want_sb = STRBUF_INIT, got_sb = STRBUF_INIT;
		struct cg_value a, b;
		struct cg_error *err = NULL;

		if (!tgt.g[i].exists || tgt.g[i].foreign)
			continue;
		mc_fspath(pth, sizeof(pth), 3, cur.g[i].path);
		mc_devtext(&tgt.g[i], &want_sb);
		ck_assert_int_eq(km_read(k, pth, "devices.list", &got_sb), 0);
		ck_assert_int_eq(cg_readback_parse(cg_schema_file_any("devices.list"),
						   "devices.list", want_sb.buf, CG_V1, &a, &err),
				 0);
		ck_assert_int_eq(cg_readback_parse(cg_schema_file_any("devices.list"),
						   "devices.list", got_sb.buf, CG_V1, &b, &err),
				 0);
		if (!devlist_equal(&a, &b)) {
			char *m = xasprintf("%s devices.list is '%s', expected '%s'", pth,
					    got_sb.buf, want_sb.buf);

			mc_fail(seed, "the end state differs from the target", m, &p, &d);
			free(m);
		}
		cg_value_release(&a);
		cg_value_release(&b);
		strbuf_release(&want_sb);
		strbuf_release(&got_sb);
	}
	st->steps += (unsigned)p.n;
	for (j = 0; j < p.n; j++) {
		const char *file = p.steps[j].file ? p.steps[j].file : "";

		if (p.steps[j].transitional) {
			st->t_quota += strcmp(file, "cpu.cfs_quota_us") == 0;
			st->t_rt += strcmp(file, "cpu.rt_runtime_us") == 0;
			st->t_list += !strcmp(file, "cpuset.cpus") || !strcmp(file, "cpuset.mems");
			st->t_flag += strstr(file, "_exclusive") != NULL;
		}
		st->transitional += p.steps[j].transitional;
		st->mkdirs += p.steps[j].op == PLAN_OP_MKDIR;
		st->rmdirs += p.steps[j].op == PLAN_OP_RMDIR;
	}
	st->warnings += (unsigned)d.warnings;
	if (p.dirs_created + p.dirs_removed > p.n)
		mc_fail(seed, "counts above the steps", NULL, &p, &d);
	plan_release(&p);
	cg_diags_release(&d);

	/* planning again from what the kernel now holds: nothing left to do */
	mc_state(k, &cur, listed, &after);
	for (i = 0; i < cur.n; i++)
		for (h = 0; h < MC_NH; h++) {
			char pth[96];
			struct cg_state_dir *ad;

			mc_fspath(pth, sizeof(pth), h, cur.g[i].path);
			ad = cg_state_find(&after, pth);
			if (ad && ad->exists)
				ad->populated = populated[i];
		}
	cg_diags_init(&d);
	plan_init(&p);
	if (plan_build(&after, &ts, &o, &p, &d) < 0 || p.n)
		mc_fail(seed, "the plan after the apply is not empty", NULL, &p, &d);
	plan_release(&p);
	cg_diags_release(&d);
	cg_state_release(&after);
	km_free(k);

out_states:
	mc_cur = mc_tgt = NULL;
	km_free(keff);
	cg_state_release(&cs);
	cg_state_release(&ts);
	km_free(kcur);
	km_free(ktgt);
	return ok;
}

START_TEST(model_check)
{
	const char *env_seed = getenv("CG_PLAN_SEED");
	const char *env_n = getenv("CG_PLAN_RUNS");
	uint64_t base = env_seed ? strtoull(env_seed, NULL, 0) : MC_SEED;
	unsigned n = env_n ? (unsigned)strtoul(env_n, NULL, 0) : MC_ITERATIONS, i;
	struct mc_stats st;

	memset(&st, 0, sizeof(st));
	for (i = 0; i < n; i++) {
		if (mc_one_run(base + i, &st))
			st.runs++;
		else
			st.skipped++;
	}
	fprintf(stderr,
		"model check: seeds %" PRIu64 "..%" PRIu64
		": %u transitions checked, %u generated targets the kernel could not hold skipped; %u steps (%u mkdir, %u rmdir, %u transitional: %u cfs quota, %u rt runtime, %u cpuset list, %u exclusive flag), %u warnings; %u runs with a foreign dir, %u of them refused naming it\n",
		base, base + n - 1, st.runs, st.skipped, st.steps, st.mkdirs, st.rmdirs,
		st.transitional, st.t_quota, st.t_rt, st.t_list, st.t_flag, st.warnings, st.foreign,
		st.foreign_refused);
	/* most generated targets must be valid, or the check proves little */
	if (n >= 100)
		ck_assert_uint_ge(st.runs * 2, n);
}
END_TEST

static void
add_model_tests(Suite *s)
{
	TCase *t = tcase_create("model");

	tcase_set_timeout(t, 120);
	tcase_add_test(t, model_check);
	suite_add_tcase(s, t);
}

/* ---- apply/desired ---- */

static struct cg_model *
parse_model(const char *yaml)
{
	struct cg_parse_opts o = { .ids_must_exist = false };
	struct cg_model *m = NULL;
	struct cg_diags d;

	cg_diags_init(&d);
	if (cg_parse_buffer("t.yaml", yaml, strlen(yaml), &o, &m, &d) < 0) {
		char *t = tu_diags_text(&d);

		ck_abort_msg("%s", t);
		free(t);
	}
	cg_diags_release(&d);
	return m;
}

/* What apply/snapshot would read from the kernel model: each layout dir and its files. */
static void
snapshot_km(const struct km *k, const struct cg_layout *l, struct cg_state *s)
{
	size_t i, j;

	cg_state_init(s);
	for (i = 0; i < l->n; i++) {
		const struct cg_layout_dir *ld = &l->dirs[i];
		struct cg_state_dir *d = cg_state_add_dir(s, ld->fspath);

		d->hier = ld->hier;
		d->group = ld->group ? xstrdup(ld->group) : NULL;
		d->anchor = ld->kind != CG_LAYOUT_GROUP;
		d->exists = km_exists(k, ld->fspath);
	}
	for (i = 0; i < l->n; i++) {
		const struct cg_layout_dir *ld = &l->dirs[i];
		struct cg_state_dir *d = cg_state_find(s, ld->fspath);

		for (j = 0; j < ld->nfiles; j++) {
			const struct cg_filedef *def = cg_schema_file_any(ld->files[j]);
			struct strbuf sb = STRBUF_INIT;

			if (!d->exists || km_read(k, ld->fspath, ld->files[j], &sb) != 0)
				cg_state_add_file(d, ld->files[j], def);
			else
				val(s, ld->fspath, ld->files[j], sb.buf);
			strbuf_release(&sb);
		}
	}
}

static const char desired_v1_yaml[] =
	"version: 1\n"
	"groups:\n"
	"  web/front:\n"
	"    perm:\n"
	"      task: { uid: root, gid: root, fperm: \"0660\" }\n"
	"      admin: { uid: root, gid: root, dperm: \"0775\", fperm: \"0664\" }\n"
	"    cpuset: { cpuset.cpus: \"2-3\", cpuset.mems: \"0\" }\n"
	"    memory: { memory.limit_in_bytes: 1G, memory.memsw.limit_in_bytes: 2G }\n"
	"    cpu: { cpu.cfs_quota_us: 50000, cpu.shares: 2048, cpu.idle: 0 }\n"
	"  web:\n"
	"    devices: { devices.deny: a, devices.allow: [\"c 1:3 rwm\", \"c 1:5 rw\"] }\n";

START_TEST(desired_v1)
{
	const struct cg_hosttree ht = { hiers, NHIERS };
	struct cg_model *m = parse_model(desired_v1_yaml);
	struct cg_layout l;
	struct cg_error *err = NULL;
	struct cg_state cur, t, after;
	const struct cg_state_file *f;
	struct cg_diags d;
	struct plan p = { 0 }, p2 = { 0 };
	struct plan_opts o = { 0 };
	struct km *k = km_new(8, 2);
	char *got, *msg;
	size_t i;

	km_add_root(k, "memory", "memory");
	km_add_root(k, "cpu,cpuacct", "cpu,cpuacct");
	km_add_root(k, "cpuset", "cpuset");
	km_add_root(k, "devices", "devices");
	km_add_root(k, "freezer", "freezer");
	ck_assert_int_eq(cg_layout_build(m, &ht, NULL, &l, &err), 0);
	snapshot_km(k, &l, &cur);
	cg_diags_init(&d);
	if (cg_desired_build(m, &l, &cur, &t, &d) < 0) {
		char *probs = diags_text(&d);

		ck_abort_msg("%s", probs);
		free(probs);
	}
	/* the implied parent takes the root's cpus and mems, so its child fits */
	f = cg_state_file(cg_state_find(&t, "cpuset/web"), "cpuset.cpus");
	ck_assert(f && f->present && f->managed);
	got = NULL;
	{
		struct strbuf sb = STRBUF_INIT;

		cg_value_format(&f->value, CG_V1, &sb);
		ck_assert_str_eq(sb.buf, "0-7");
		strbuf_release(&sb);
	}
	f = cg_state_file(cg_state_find(&t, "cpu,cpuacct/web/front"), "cpu.shares");
	ck_assert(f && f->managed && f->value.u.num.v == 2048);
	ck_assert(cg_state_find(&t, "cpuset/web/front")->dir.mode == 0775);

	ck_assert_int_eq(plan_build(&cur, &t, &o, &p, &d), 0);
	got = dump(&p);
	expect_text(got, "mkdir cpu,cpuacct/web 0755\n"
			 "mkdir cpu,cpuacct/web/front 0775\n"
			 "chown cpu,cpuacct/web/front . 0:0\n"
			 "chmod cpu,cpuacct/web/front . 0775\n"
			 "chown cpu,cpuacct/web/front tasks 0:0\n"
			 "chmod cpu,cpuacct/web/front tasks 0660\n"
			 "chown cpu,cpuacct/web/front cgroup.procs 0:0\n"
			 "chmod cpu,cpuacct/web/front cgroup.procs 0660\n"
			 "chown cpu,cpuacct/web/front * 0:0\n"
			 "chmod cpu,cpuacct/web/front * 0664\n"
			 "mkdir cpuset/web 0755\n"
			 "mkdir cpuset/web/front 0775\n"
			 "chown cpuset/web/front . 0:0\n"
			 "chmod cpuset/web/front . 0775\n"
			 "chown cpuset/web/front tasks 0:0\n"
			 "chmod cpuset/web/front tasks 0660\n"
			 "chown cpuset/web/front cgroup.procs 0:0\n"
			 "chmod cpuset/web/front cgroup.procs 0660\n"
			 "chown cpuset/web/front * 0:0\n"
			 "chmod cpuset/web/front * 0664\n"
			 "mkdir devices/web 0755\n"
			 "write devices/web devices.deny a *:* rwm\n"
			 "write devices/web devices.allow c 1:3 rwm\n"
			 "write devices/web devices.allow c 1:5 rw\n"
			 "mkdir memory/web 0755\n"
			 "mkdir memory/web/front 0775\n"
			 "chown memory/web/front . 0:0\n"
			 "chmod memory/web/front . 0775\n"
			 "chown memory/web/front tasks 0:0\n"
			 "chmod memory/web/front tasks 0660\n"
			 "chown memory/web/front cgroup.procs 0:0\n"
			 "chmod memory/web/front cgroup.procs 0660\n"
			 "chown memory/web/front * 0:0\n"
			 "chmod memory/web/front * 0664\n"
			 "write cpuset/web cpuset.cpus 0-7\n"
			 "write cpuset/web cpuset.mems 0-1\n"
			 "write cpuset/web/front cpuset.cpus 2-3\n"
			 "write cpuset/web/front cpuset.mems 0\n"
			 "write cpu,cpuacct/web/front cpu.shares 2048\n"
			 "write memory/web/front memory.limit_in_bytes 1073741824\n"
			 "write memory/web/front memory.memsw.limit_in_bytes 2147483648\n"
			 /* from unlimited, the ratio falls: with the narrowing writes */
			 "write cpu,cpuacct/web/front cpu.cfs_quota_us 50000\n");
	free(got);
	msg = km_run(k, &p);
	ck_assert_msg(msg == NULL, "%s", msg);
	msg = km_mismatch(k, &t, false);
	ck_assert_msg(msg == NULL, "%s", msg);
	/* a second plan, from what the kernel now holds: nothing */
	snapshot_km(k, &l, &after);
	for (i = 0; i < after.n; i++) {
		/* the model keeps no owners: they are what the steps set */
		const struct cg_state_dir *td = cg_state_find(&t, after.dirs[i].fspath);

		after.dirs[i].dir = td->dir;
		after.dirs[i].tasks = td->tasks;
		after.dirs[i].ctlfiles = td->ctlfiles;
	}
	ck_assert_int_eq(plan_build(&after, &t, &o, &p2, &d), 0);
	got = dump(&p2);
	expect_text(got, "");
	free(got);

	plan_release(&p);
	plan_release(&p2);
	cg_state_release(&cur);
	cg_state_release(&t);
	cg_state_release(&after);
	cg_diags_release(&d);
	cg_layout_release(&l);
	cg_model_free(m);
	km_free(k);
}
END_TEST

static char v2_mount[] = "unified";
static struct cg_hier v2_only = { CG_V2, v2_mount, c_v2, 2 };

static void
v2_case(const char *root_subtree, const char *expected, const char *error)
{
	const struct cg_hosttree ht = { &v2_only, 1 };
	struct cg_model *m = parse_model("version: 1\n"
					 "groups:\n"
					 "  a/b:\n"
					 "    memory: { memory.max: 1G }\n"
					 "  a/c:\n"
					 "    pids: { pids.max: 100 }\n");
	struct cg_layout l;
	struct cg_error *err = NULL;
	struct cg_state cur, t;
	struct cg_diags d;
	struct plan p = { 0 };
	size_t i;

	ck_assert_int_eq(cg_layout_build(m, &ht, NULL, &l, &err), 0);
	cg_state_init(&cur);
	for (i = 0; i < l.n; i++) {
		struct cg_state_dir *sd = cg_state_add_dir(&cur, l.dirs[i].fspath);

		sd->hier = l.dirs[i].hier;
		sd->group = l.dirs[i].group ? xstrdup(l.dirs[i].group) : NULL;
		sd->anchor = l.dirs[i].kind != CG_LAYOUT_GROUP;
		sd->exists = sd->anchor;
	}
	val(&cur, "unified", "cgroup.subtree_control", root_subtree);
	cg_diags_init(&d);
	if (error) {
		char *probs;

		ck_assert_int_eq(cg_desired_build(m, &l, &cur, &t, &d), -1);
		probs = diags_text(&d);
		ck_assert_msg(strstr(probs, error), "%s", probs);
		free(probs);
	} else {
		char *got;

		ck_assert_int_eq(cg_desired_build(m, &l, &cur, &t, &d), 0);
		ck_assert_int_eq(plan_build(&cur, &t, NULL, &p, &d), 0);
		got = dump(&p);
		expect_text(got, expected);
		free(got);
	}
	plan_release(&p);
	cg_state_release(&cur);
	cg_state_release(&t);
	cg_diags_release(&d);
	cg_layout_release(&l);
	cg_model_free(m);
}

START_TEST(desired_v2)
{
	v2_case("memory pids",
		"mkdir unified/a 0755\n"
		"write unified/a cgroup.subtree_control +memory\n"
		"write unified/a cgroup.subtree_control +pids\n"
		"mkdir unified/a/b 0755\n"
		"mkdir unified/a/c 0755\n"
		"write unified/a/b memory.max 1073741824\n"
		"write unified/a/c pids.max 100\n",
		NULL);
	v2_case("pids", "",
		"controller 'memory' of group 'a/b' is not enabled in the cgroup v2 root's cgroup.subtree_control; enable it on the root first or use --parent");
}
END_TEST

static void
add_desired_tests(Suite *s)
{
	TCase *t = tcase_create("desired");

	tcase_add_test(t, desired_v1);
	tcase_add_test(t, desired_v2);
	suite_add_tcase(s, t);
}

static Suite *
plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *t = tcase_create("order");

	tcase_add_test(t, memory_order);
	tcase_add_test(t, memory_refused);
	tcase_add_test(t, memory_usage_warning);
	tcase_add_test(t, cfs_within_group);
	tcase_add_test(t, cfs_ratio);
	tcase_add_test(t, rt_budgets);
	tcase_add_test(t, idle_and_shares);
	tcase_add_test(t, cpuset_lists);
	tcase_add_test(t, cpuset_exclusive);
	tcase_add_test(t, foreign_dirs);
	tcase_add_test(t, devices_rules);
	tcase_add_test(t, devices_gain_refused);
	tcase_add_test(t, devices_edit_in_place);
	tcase_add_test(t, devices_allow_all_deny_warned);
	tcase_add_test(t, devices_list_transition);
	tcase_add_test(t, mkdir_perms);
	tcase_add_test(t, rmdir_order);
	tcase_add_test(t, freezer_last);
	tcase_add_test(t, v2_subtree_control);
	tcase_add_test(t, noop_and_counts);
	suite_add_tcase(s, t);
	t = tcase_create("kmodel");
	tcase_add_test(t, kmodel_rows);
	suite_add_tcase(s, t);
	add_model_tests(s);
	add_desired_tests(s);
	return s;
}

int
main(void)
{
	return tu_run_suite(plan_suite());
}

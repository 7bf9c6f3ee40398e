/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "tests/lib/kmodel.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

/*
 * Written from the kernel's rules as the reference states them, in its own terms
 * (pages, bitmasks, a recursive walk like the scheduler's), and deliberately sharing no
 * code with apply/: a mistake in one is not repeated in the other.
 */

#define PAGE	       4096u
#define PAGES_UNLIM    (UINT64_MAX / 2 / PAGE) /* PAGE_COUNTER_MAX: reads 9223372036854771712 */
#define BW_SHIFT       20
#define RUNTIME_INF    INT64_MAX
#define CFS_PERIOD_MIN 1000
#define CFS_PERIOD_MAX 1000000
#define CFS_QUOTA_MIN  1000
#define CFS_MAX	       ((INT64_C(1) << 44) - 1)
#define DEV_WILD       (-1)
#define ACC_R	       1u
#define ACC_W	       2u
#define ACC_M	       4u
#define ACC_ALL	       7u

struct km_ex {
	char type; /* 'b' or 'c' */
	int64_t major, minor;
	unsigned access;
};

struct km_file {
	char *name;
	char *text;
};

struct km_dir {
	char *path;
	int root;   /* index of its hierarchy root */
	int parent; /* -1 for a root */
	bool exists;
	bool populated;
	/* memory, in pages */
	uint64_t limit, memsw;
	/* cpu */
	int64_t period, quota, burst, shares, idle, rt_period, rt_runtime;
	/* cpuset */
	uint64_t cpus, mems;
	int cpu_excl, mem_excl, clone_children;
	/* devices */
	bool allow_all;
	struct km_ex *ex;
	size_t nex;
	/* freezer and every other file */
	struct km_file *files;
	size_t nfiles;
};

struct km {
	unsigned ncpus, nmems;
	struct km_dir *d;
	size_t n, alloc;
	/* per root: its controllers */
	char **ctls;
};

/* ---- the world ---- */

struct km *
km_new(unsigned ncpus, unsigned nmems)
{
	struct km *k = xcalloc(1, sizeof(*k));

	k->ncpus = ncpus;
	k->nmems = nmems;
	return k;
}

static void
dir_free(struct km_dir *d)
{
	size_t i;

	free(d->path);
	free(d->ex);
	for (i = 0; i < d->nfiles; i++) {
		free(d->files[i].name);
		free(d->files[i].text);
	}
	free(d->files);
}

void
km_free(struct km *k)
{
	size_t i;

	if (!k)
		return;
	for (i = 0; i < k->n; i++) {
		dir_free(&k->d[i]);
		free(k->ctls[i]);
	}
	free(k->d);
	free(k->ctls);
	free(k);
}

struct km *
km_clone(const struct km *k)
{
	struct km *c = km_new(k->ncpus, k->nmems);
	size_t i, j;

	c->n = c->alloc = k->n;
	c->d = xcalloc(k->n ? k->n : 1, sizeof(*c->d));
	c->ctls = xcalloc(k->n ? k->n : 1, sizeof(*c->ctls));
	for (i = 0; i < k->n; i++) {
		struct km_dir *d = &c->d[i];

		*d = k->d[i];
		d->path = xstrdup(k->d[i].path);
		c->ctls[i] = k->ctls[i] ? xstrdup(k->ctls[i]) : NULL;
		d->ex = NULL;
		if (d->nex) {
			d->ex = xcalloc(d->nex, sizeof(*d->ex));
			memcpy(d->ex, k->d[i].ex, d->nex * sizeof(*d->ex));
		}
		d->files = d->nfiles ? xcalloc(d->nfiles, sizeof(*d->files)) : NULL;
		for (j = 0; j < d->nfiles; j++) {
			d->files[j].name = xstrdup(k->d[i].files[j].name);
			d->files[j].text = xstrdup(k->d[i].files[j].text);
		}
	}
	return c;
}

size_t
km_ndirs(const struct km *k)
{
	return k->n;
}

const char *
km_dir_path(const struct km *k, size_t i)
{
	return k->d[i].path;
}

static int
find(const struct km *k, const char *path)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->d[i].path, path) == 0)
			return (int)i;
	return -1;
}

static int
find_live(const struct km *k, const char *path)
{
	int i = find(k, path);

	return i >= 0 && k->d[i].exists ? i : -1;
}

bool
km_exists(const struct km *k, const char *path)
{
	return find_live(k, path) >= 0;
}

void
km_set_populated(struct km *k, const char *path, bool on)
{
	int i = find_live(k, path);

	if (i >= 0)
		k->d[i].populated = on;
}

static bool
has_ctl(const struct km *k, const struct km_dir *d, const char *ctl)
{
	const char *c = k->ctls[d->root];
	size_t n = strlen(ctl);

	while (c && *c) {
		size_t len = strcspn(c, ",");

		if (len == n && memcmp(c, ctl, n) == 0)
			return true;
		c += len;
		if (*c == ',')
			c++;
	}
	return false;
}

static struct km_dir *
add(struct km *k, const char *path)
{
	struct km_dir *d;

	k->d = xgrow(k->d, sizeof(*k->d), k->n + 1, &k->alloc);
	k->ctls = xrealloc(k->ctls, k->alloc * sizeof(*k->ctls));
	k->ctls[k->n] = NULL;
	d = &k->d[k->n++];
	memset(d, 0, sizeof(*d));
	d->path = xstrdup(path);
	return d;
}

static void
fresh(struct km_dir *d)
{
	d->limit = d->memsw = PAGES_UNLIM;
	d->period = 100000;
	d->quota = -1;
	d->burst = 0;
	d->shares = 1024;
	d->idle = 0;
	d->rt_period = 1000000;
	d->rt_runtime = 0;
	d->cpus = d->mems = 0;
	d->cpu_excl = d->mem_excl = 0;
	d->clone_children = 0;
	d->allow_all = true;
}

void
km_add_root(struct km *k, const char *mount, const char *controllers)
{
	struct km_dir *d = add(k, mount);

	k->ctls[k->n - 1] = xstrdup(controllers);
	d->root = (int)(k->n - 1);
	d->parent = -1;
	d->exists = true;
	fresh(d);
	d->rt_runtime = 950000;
	d->cpus = k->ncpus >= 64 ? UINT64_MAX : (UINT64_C(1) << k->ncpus) - 1;
	d->mems = (UINT64_C(1) << k->nmems) - 1;
	/* the top cpuset is exclusive */
	d->cpu_excl = d->mem_excl = 1;
}

static int
parent_of(const struct km *k, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *p;
	int i;

	if (!slash)
		return -1;
	p = xstrndup(path, (size_t)(slash - path));
	i = find_live(k, p);
	free(p);
	return i;
}

static bool
has_children(const struct km *k, int i)
{
	size_t j;

	for (j = 0; j < k->n; j++)
		if (k->d[j].exists && k->d[j].parent == i)
			return true;
	return false;
}

int
km_mkdir(struct km *k, const char *path)
{
	int par = parent_of(k, path), i;
	struct km_dir *d, *p;

	if (find_live(k, path) >= 0)
		return EEXIST;
	if (par < 0)
		return ENOENT;
	if (strchr(strrchr(path, '/'), '\n'))
		return EINVAL;
	i = find(k, path);
	if (i >= 0) {
		dir_free(&k->d[i]);
		memset(&k->d[i], 0, sizeof(k->d[i]));
		k->d[i].path = xstrdup(path);
		d = &k->d[i];
	} else {
		d = add(k, path);
	}
	p = &k->d[par];
	d->root = p->root;
	d->parent = par;
	d->exists = true;
	fresh(d);
	if (p->clone_children) {
		d->cpus = p->cpus;
		d->mems = p->mems;
	}
	/* devcgroup_online: the parent's behavior and exceptions */
	d->allow_all = p->allow_all;
	if (p->nex) {
		d->ex = xcalloc(p->nex, sizeof(*d->ex));
		memcpy(d->ex, p->ex, p->nex * sizeof(*d->ex));
		d->nex = p->nex;
	}
	return 0;
}

int
km_rmdir(struct km *k, const char *path)
{
	int i = find_live(k, path);

	if (i < 0)
		return ENOENT;
	if (k->d[i].parent < 0)
		return EBUSY;
	if (has_children(k, i) || k->d[i].populated)
		return EBUSY;
	k->d[i].exists = false;
	return 0;
}

/* ---- parsing what is written ---- */

static char *
trimmed(const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		n--;
	return xstrndup(s, n);
}

/* A decimal integer with an optional '-', no leading zeros, nothing around it. */
static int
parse_int(const char *s, int64_t *out)
{
	bool neg = *s == '-';
	int64_t v = 0;
	const char *p = s + neg;

	if (!*p || (*p == '0' && p[1]) || (neg && *p == '0'))
		return EINVAL;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return EINVAL;
		if (v > (INT64_MAX - 9) / 10)
			return ERANGE;
		v = v * 10 + (*p - '0');
	}
	*out = neg ? -v : v;
	return 0;
}

/*
 * memparse as the planner may use it: "-1" or plain decimal bytes. Suffixes, hex, octal,
 * "max" and empty text are refused here (the kernel would take some of them, meaning
 * something else: the planner must never write them).
 */
static int
parse_mem(const char *s, uint64_t *pages)
{
	int64_t v;

	if (parse_int(s, &v))
		return EINVAL;
	if (v == -1) {
		*pages = PAGES_UNLIM;
		return 0;
	}
	if (v < 0)
		return EINVAL;
	*pages = (uint64_t)v / PAGE;
	if (*pages > PAGES_UNLIM)
		*pages = PAGES_UNLIM;
	return 0;
}

/* A cpu/node list: "" or ids and ranges, comma separated. */
static int
parse_list(const char *s, unsigned max, uint64_t *out, int too_big)
{
	uint64_t m = 0;

	while (*s) {
		int64_t a, b;
		char *end;

		if (*s < '0' || *s > '9')
			return EINVAL;
		a = strtoll(s, &end, 10);
		b = a;
		s = end;
		if (*s == '-') {
			s++;
			if (*s < '0' || *s > '9')
				return EINVAL;
			b = strtoll(s, &end, 10);
			s = end;
		}
		if (a > b)
			return EINVAL;
		if (b >= (int64_t)max)
			return too_big;
		for (; a <= b; a++)
			m |= UINT64_C(1) << a;
		if (*s == ',')
			s++;
		else if (*s)
			return EINVAL;
	}
	*out = m;
	return 0;
}

static void
format_list(uint64_t m, struct strbuf *sb)
{
	unsigned i = 0;
	bool first = true;

	while (i < 64) {
		unsigned j;

		if (!(m >> i & 1)) {
			i++;
			continue;
		}
		for (j = i; j + 1 < 64 && (m >> (j + 1) & 1); j++)
			;
		if (!first)
			strbuf_addch(sb, ',');
		first = false;
		if (i == j)
			strbuf_addf(sb, "%u", i);
		else
			strbuf_addf(sb, "%u-%u", i, j);
		i = j + 1;
	}
}

/* ---- memory ---- */

static int
write_memory(struct km_dir *d, bool memsw, const char *text)
{
	uint64_t pages;

	if (d->parent < 0)
		return EINVAL;
	if (parse_mem(text, &pages))
		return EINVAL;
	/* mem_cgroup_resize_max: limit ≤ memsw, always */
	if (memsw ? pages < d->limit : pages > d->memsw)
		return EINVAL;
	if (memsw)
		d->memsw = pages;
	else
		d->limit = pages;
	return 0;
}

/* ---- cpu ---- */

static uint64_t
to_ratio(int64_t period, int64_t runtime)
{
	if (runtime == RUNTIME_INF)
		return UINT64_C(1) << BW_SHIFT;
	if (period <= 0)
		return 0;
	return ((uint64_t)runtime << BW_SHIFT) / (uint64_t)period;
}

struct cfs_trial {
	int who;
	int64_t period, quota;
};

/* tg_cfs_schedulable_down, recursively from group i; hq: the parent's hierarchical quota. */
static int
cfs_walk(const struct km *k, int i, uint64_t parent_hq, const struct cfs_trial *t)
{
	const struct km_dir *d = &k->d[i];
	int64_t period = i == t->who ? t->period : d->period;
	int64_t quota = i == t->who ? t->quota : d->quota;
	uint64_t hq;
	size_t j;

	if (d->parent < 0) {
		hq = UINT64_MAX;
	} else if (quota < 0) {
		hq = parent_hq;
	} else {
		hq = to_ratio(period, quota);
		if (parent_hq != UINT64_MAX && hq > parent_hq)
			return EINVAL;
	}
	for (j = 0; j < k->n; j++)
		if (k->d[j].exists && k->d[j].parent == i) {
			int r = cfs_walk(k, (int)j, hq, t);

			if (r)
				return r;
		}
	return 0;
}

/* tg_set_cfs_bandwidth */
static int
set_cfs(struct km *k, int i, int64_t period, int64_t quota, int64_t burst)
{
	struct km_dir *d = &k->d[i];
	struct cfs_trial t = { i, period, quota };

	if (d->parent < 0)
		return EINVAL;
	if (period < CFS_PERIOD_MIN || period > CFS_PERIOD_MAX)
		return EINVAL;
	if (quota >= 0 && (quota < CFS_QUOTA_MIN || quota > CFS_MAX))
		return EINVAL;
	if (burst < 0 || burst > CFS_MAX)
		return EINVAL;
	if (quota >= 0 && (burst > quota || burst + quota > CFS_MAX))
		return EINVAL;
	if (cfs_walk(k, d->root, UINT64_MAX, &t))
		return EINVAL;
	d->period = period;
	d->quota = quota;
	d->burst = burst;
	return 0;
}

struct rt_trial {
	int who;
	int64_t period, runtime;
};

static void
rt_of(const struct km *k, int i, const struct rt_trial *t, int64_t *period, int64_t *runtime)
{
	*period = i == t->who ? t->period : k->d[i].rt_period;
	*runtime = i == t->who ? t->runtime : k->d[i].rt_runtime;
}

/* tg_rt_schedulable for every group of the hierarchy */
static int
rt_check(const struct km *k, int root, const struct rt_trial *t)
{
	int64_t gp, gr;
	uint64_t global;
	size_t i, j;

	rt_of(k, root, t, &gp, &gr);
	global = to_ratio(gp, gr);
	for (i = 0; i < k->n; i++) {
		const struct km_dir *d = &k->d[i];
		int64_t period, runtime;
		uint64_t total, sum = 0;

		if (!d->exists || d->root != root)
			continue;
		rt_of(k, (int)i, t, &period, &runtime);
		if (runtime != RUNTIME_INF && runtime > period)
			return EINVAL;
		total = to_ratio(period, runtime);
		if (total > global)
			return EINVAL;
		for (j = 0; j < k->n; j++) {
			int64_t cp, cr;

			if (!k->d[j].exists || k->d[j].parent != (int)i)
				continue;
			rt_of(k, (int)j, t, &cp, &cr);
			sum += to_ratio(cp, cr);
		}
		if (sum > total)
			return EINVAL;
	}
	return 0;
}

static int
set_rt(struct km *k, int i, int64_t period, int64_t runtime)
{
	struct rt_trial t = { i, period, runtime };

	if (k->d[i].parent < 0 || period <= 0)
		return EINVAL;
	if (rt_check(k, k->d[i].root, &t))
		return EINVAL;
	k->d[i].rt_period = period;
	k->d[i].rt_runtime = runtime;
	return 0;
}

static int
write_cpu(struct km *k, int i, const char *file, const char *text)
{
	struct km_dir *d = &k->d[i];
	int64_t v;

	if (parse_int(text, &v))
		return EINVAL;
	if (strcmp(file, "cpu.cfs_period_us") == 0)
		return set_cfs(k, i, v, d->quota, d->burst);
	if (strcmp(file, "cpu.cfs_quota_us") == 0)
		return set_cfs(k, i, d->period, v < 0 ? -1 : v, d->burst);
	if (strcmp(file, "cpu.cfs_burst_us") == 0)
		return set_cfs(k, i, d->period, d->quota, v);
	if (strcmp(file, "cpu.rt_period_us") == 0)
		return set_rt(k, i, v, d->rt_runtime);
	if (strcmp(file, "cpu.rt_runtime_us") == 0)
		return set_rt(k, i, d->rt_period, v < 0 ? RUNTIME_INF : v);
	if (strcmp(file, "cpu.shares") == 0) {
		if (v < 0 || d->idle)
			return EINVAL;
		d->shares = v < 2 ? 2 : v > 262144 ? 262144 : v;
		return 0;
	}
	/* cpu.idle */
	if (v != 0 && v != 1)
		return EINVAL;
	if (d->idle && !v)
		d->shares = 1024;
	d->idle = v;
	return 0;
}

/* ---- cpuset ---- */

struct cs {
	uint64_t cpus, mems;
	int cx, mx;
};

static struct cs
cs_of(const struct km_dir *d)
{
	struct cs c = { d->cpus, d->mems, d->cpu_excl, d->mem_excl };

	return c;
}

/* is_cpuset_subset(p, q): cpus, mems and both flags */
static bool
cs_subset(const struct cs *p, const struct cs *q)
{
	return (p->cpus & ~q->cpus) == 0 && (p->mems & ~q->mems) == 0 && p->cx <= q->cx &&
	       p->mx <= q->mx;
}

/* validate_change (legacy hierarchy) */
static int
cs_validate(const struct km *k, int i, const struct cs *trial)
{
	const struct km_dir *d = &k->d[i];
	size_t j;

	for (j = 0; j < k->n; j++) {
		struct cs c = cs_of(&k->d[j]);

		if (k->d[j].exists && k->d[j].parent == i && !cs_subset(&c, trial))
			return EBUSY;
	}
	if (d->parent >= 0) {
		struct cs p = cs_of(&k->d[d->parent]);

		if (!cs_subset(trial, &p))
			return EACCES;
	}
	if (d->parent < 0)
		return 0;
	if (d->populated && ((d->cpus && !trial->cpus) || (d->mems && !trial->mems)))
		return ENOSPC;
	for (j = 0; j < k->n; j++) {
		const struct km_dir *s = &k->d[j];

		if (!s->exists || (int)j == i || s->parent != d->parent)
			continue;
		if ((trial->cx || s->cpu_excl) && (trial->cpus & s->cpus))
			return EINVAL;
		if ((trial->mx || s->mem_excl) && (trial->mems & s->mems))
			return EINVAL;
	}
	return 0;
}

static int
write_cpuset(struct km *k, int i, const char *file, const char *text)
{
	struct km_dir *d = &k->d[i];
	struct cs trial = cs_of(d);
	int64_t v;
	int r;

	if (strcmp(file, "cpuset.cpus") == 0 || strcmp(file, "cpuset.mems") == 0) {
		bool cpus = strcmp(file, "cpuset.cpus") == 0;
		uint64_t m;

		r = parse_list(text, cpus ? k->ncpus : k->nmems, &m, cpus ? ERANGE : EINVAL);
		if (r)
			return r;
		/* "nothing to do if the cpus didn't change" comes before the checks */
		if (m == (cpus ? d->cpus : d->mems))
			return 0;
		if (cpus)
			trial.cpus = m;
		else
			trial.mems = m;
	} else {
		if (parse_int(text, &v) || v < 0)
			return EINVAL;
		if (strcmp(file, "cpuset.cpu_exclusive") == 0)
			trial.cx = v != 0;
		else
			trial.mx = v != 0;
	}
	r = cs_validate(k, i, &trial);
	if (r)
		return r;
	d->cpus = trial.cpus;
	d->mems = trial.mems;
	d->cpu_excl = trial.cx;
	d->mem_excl = trial.mx;
	return 0;
}

/* ---- devices ---- */

static int
parse_devnum(const char **p, int64_t *out)
{
	const char *s = *p;
	int64_t v = 0;

	if (*s == '*') {
		*out = DEV_WILD;
		*p = s + 1;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > UINT32_MAX)
			return EINVAL;
	}
	*out = v;
	*p = s;
	return 0;
}

/* "a..." (all), or exactly "T MAJ:MIN ACC" */
static int
parse_rule(const char *s, struct km_ex *ex, bool *all)
{
	unsigned acc = 0;

	*all = s[0] == 'a';
	if (*all)
		return 0;
	if ((s[0] != 'b' && s[0] != 'c') || s[1] != ' ')
		return EINVAL;
	ex->type = s[0];
	s += 2;
	if (parse_devnum(&s, &ex->major) || *s++ != ':' || parse_devnum(&s, &ex->minor) ||
	    *s++ != ' ')
		return EINVAL;
	if (!*s)
		return EINVAL;
	for (; *s; s++) {
		switch (*s) {
		case 'r':
			acc |= ACC_R;
			break;
		case 'w':
			acc |= ACC_W;
			break;
		case 'm':
			acc |= ACC_M;
			break;
		default:
			return EINVAL;
		}
	}
	ex->access = acc;
	return 0;
}

static bool
ex_same(const struct km_ex *a, const struct km_ex *b)
{
	return a->type == b->type && a->major == b->major && a->minor == b->minor;
}

static void
ex_add(struct km_dir *d, const struct km_ex *ex)
{
	size_t i;

	for (i = 0; i < d->nex; i++)
		if (ex_same(&d->ex[i], ex)) {
			d->ex[i].access |= ex->access;
			return;
		}
	d->ex = xrealloc(d->ex, (d->nex + 1) * sizeof(*d->ex));
	d->ex[d->nex++] = *ex;
}

static void
ex_rm(struct km_dir *d, const struct km_ex *ex)
{
	size_t i, m = 0;

	for (i = 0; i < d->nex; i++) {
		struct km_ex e = d->ex[i];

		if (ex_same(&e, ex))
			e.access &= ~ex->access;
		if (e.access)
			d->ex[m++] = e;
	}
	d->nex = m;
}

/* match_exception */
static bool
match_full(const struct km_dir *d, const struct km_ex *r)
{
	size_t i;

	for (i = 0; i < d->nex; i++) {
		const struct km_ex *e = &d->ex[i];

		if (e->type != r->type)
			continue;
		if (e->major != DEV_WILD && e->major != r->major)
			continue;
		if (e->minor != DEV_WILD && e->minor != r->minor)
			continue;
		if (r->access & ~e->access)
			continue;
		return true;
	}
	return false;
}

/* match_exception_partial */
static bool
match_partial(const struct km_dir *d, const struct km_ex *r)
{
	size_t i;

	for (i = 0; i < d->nex; i++) {
		const struct km_ex *e = &d->ex[i];

		if (e->type != r->type)
			continue;
		if (r->major != DEV_WILD && e->major != DEV_WILD && e->major != r->major)
			continue;
		if (r->minor != DEV_WILD && e->minor != DEV_WILD && e->minor != r->minor)
			continue;
		if (!(r->access & e->access))
			continue;
		return true;
	}
	return false;
}

/* parent_has_perm / verify_new_ex */
static bool
parent_has_perm(const struct km *k, const struct km_dir *d, const struct km_ex *ex)
{
	const struct km_dir *p;

	if (d->parent < 0)
		return true;
	p = &k->d[d->parent];
	if (p->allow_all)
		return d->allow_all || !match_partial(p, ex);
	return match_full(p, ex);
}

static void
propagate(struct km *k, int root, const struct km_ex *ex)
{
	size_t j;

	/* css_for_each_descendant_pre: the array holds parents before children */
	for (j = 0; j < k->n; j++) {
		struct km_dir *d = &k->d[j];
		size_t e, m = 0;
		int a;

		if (!d->exists || (int)j == root)
			continue;
		for (a = d->parent; a >= 0 && a != root; a = k->d[a].parent)
			;
		if (a != root)
			continue;
		if (k->d[root].allow_all && d->allow_all)
			ex_add(d, ex);
		else
			ex_rm(d, ex);
		/* revalidate_active_exceptions */
		for (e = 0; e < d->nex; e++)
			if (parent_has_perm(k, d, &d->ex[e]))
				d->ex[m++] = d->ex[e];
		d->nex = m;
	}
}

/* devcgroup_update_access */
static int
write_devices(struct km *k, int i, bool allow, const char *text)
{
	struct km_dir *d = &k->d[i];
	const struct km_dir *p = d->parent >= 0 ? &k->d[d->parent] : NULL;
	struct km_ex ex;
	bool all;

	if (parse_rule(text, &ex, &all))
		return EINVAL;
	if (all) {
		if (has_children(k, i))
			return EINVAL;
		if (allow) {
			if (p && !p->allow_all)
				return EPERM;
			d->nex = 0;
			if (p && p->nex) {
				d->ex = xrealloc(d->ex, p->nex * sizeof(*d->ex));
				memcpy(d->ex, p->ex, p->nex * sizeof(*d->ex));
				d->nex = p->nex;
			}
			d->allow_all = true;
		} else {
			d->nex = 0;
			d->allow_all = false;
		}
		return 0;
	}
	if (allow) {
		if (d->allow_all) {
			/* parent_allows_removal */
			if (p && match_partial(p, &ex))
				return EPERM;
			ex_rm(d, &ex);
			return 0;
		}
		if (!parent_has_perm(k, d, &ex))
			return EPERM;
		ex_add(d, &ex);
		return 0;
	}
	if (d->allow_all)
		ex_add(d, &ex);
	else
		ex_rm(d, &ex);
	propagate(k, i, &ex);
	return 0;
}

static void
format_devices(const struct km_dir *d, struct strbuf *sb)
{
	size_t i;

	if (d->allow_all) {
		strbuf_adds(sb, "a *:* rwm\n");
		return;
	}
	for (i = 0; i < d->nex; i++) {
		const struct km_ex *e = &d->ex[i];

		strbuf_addf(sb, "%c ", e->type);
		if (e->major == DEV_WILD)
			strbuf_addch(sb, '*');
		else
			strbuf_addf(sb, "%" PRId64, e->major);
		strbuf_addch(sb, ':');
		if (e->minor == DEV_WILD)
			strbuf_addch(sb, '*');
		else
			strbuf_addf(sb, "%" PRId64, e->minor);
		strbuf_addf(sb, " %s%s%s\n", e->access & ACC_R ? "r" : "",
			    e->access & ACC_W ? "w" : "", e->access & ACC_M ? "m" : "");
	}
}

/* ---- other files ---- */

static struct km_file *
other(struct km_dir *d, const char *name, bool create)
{
	size_t i;

	for (i = 0; i < d->nfiles; i++)
		if (strcmp(d->files[i].name, name) == 0)
			return &d->files[i];
	if (!create)
		return NULL;
	d->files = xrealloc(d->files, (d->nfiles + 1) * sizeof(*d->files));
	d->files[d->nfiles].name = xstrdup(name);
	d->files[d->nfiles].text = xstrdup("");
	return &d->files[d->nfiles++];
}

/* ---- dispatch ---- */

enum kind {
	K_NONE,
	K_MEMORY,
	K_CPU,
	K_CPUSET,
	K_DEVICES,
	K_CLONE,
	K_FREEZER,
	K_OTHER,
};

static enum kind
kind_of(const struct km *k, const struct km_dir *d, const char *file)
{
	if (strcmp(file, "memory.limit_in_bytes") == 0 ||
	    strcmp(file, "memory.memsw.limit_in_bytes") == 0)
		return has_ctl(k, d, "memory") ? K_MEMORY : K_NONE;
	if (strncmp(file, "cpu.", 4) == 0 &&
	    (strstr(file, "cfs_") || strstr(file, "rt_") || strcmp(file, "cpu.shares") == 0 ||
	     strcmp(file, "cpu.idle") == 0))
		return has_ctl(k, d, "cpu") ? K_CPU : K_NONE;
	if (strcmp(file, "cpuset.cpus") == 0 || strcmp(file, "cpuset.mems") == 0 ||
	    strcmp(file, "cpuset.cpu_exclusive") == 0 || strcmp(file, "cpuset.mem_exclusive") == 0)
		return has_ctl(k, d, "cpuset") ? K_CPUSET : K_NONE;
	if (strncmp(file, "devices.", 8) == 0)
		return has_ctl(k, d, "devices") ? K_DEVICES : K_NONE;
	if (strcmp(file, "cgroup.clone_children") == 0)
		return K_CLONE;
	if (strcmp(file, "freezer.state") == 0)
		return has_ctl(k, d, "freezer") ? K_FREEZER : K_NONE;
	return K_OTHER;
}

static int
do_write(struct km *k, int i, const char *file, const char *raw, bool force)
{
	struct km_dir *d = &k->d[i];
	char *text = trimmed(raw);
	int64_t v;
	int r = 0;

	switch (kind_of(k, d, file)) {
	case K_NONE:
		r = ENOENT;
		break;
	case K_MEMORY:
		if (force) {
			uint64_t pages;

			r = parse_mem(text, &pages);
			if (!r && strcmp(file, "memory.limit_in_bytes") == 0)
				d->limit = pages;
			else if (!r)
				d->memsw = pages;
		} else {
			r = write_memory(d, strcmp(file, "memory.memsw.limit_in_bytes") == 0, text);
		}
		break;
	case K_CPU:
		if (!force) {
			r = write_cpu(k, i, file, text);
			break;
		}
		r = parse_int(text, &v);
		if (r)
			break;
		if (strcmp(file, "cpu.cfs_period_us") == 0)
			d->period = v;
		else if (strcmp(file, "cpu.cfs_quota_us") == 0)
			d->quota = v < 0 ? -1 : v;
		else if (strcmp(file, "cpu.cfs_burst_us") == 0)
			d->burst = v;
		else if (strcmp(file, "cpu.rt_period_us") == 0)
			d->rt_period = v;
		else if (strcmp(file, "cpu.rt_runtime_us") == 0)
			d->rt_runtime = v < 0 ? RUNTIME_INF : v;
		else if (strcmp(file, "cpu.shares") == 0)
			d->shares = v;
		else
			d->idle = v;
		break;
	case K_CPUSET:
		if (!force) {
			r = write_cpuset(k, i, file, text);
		} else if (strcmp(file, "cpuset.cpus") == 0) {
			r = parse_list(text, k->ncpus, &d->cpus, ERANGE);
		} else if (strcmp(file, "cpuset.mems") == 0) {
			r = parse_list(text, k->nmems, &d->mems, EINVAL);
		} else {
			r = parse_int(text, &v);
			if (!r && strcmp(file, "cpuset.cpu_exclusive") == 0)
				d->cpu_excl = v != 0;
			else if (!r)
				d->mem_excl = v != 0;
		}
		break;
	case K_DEVICES:
		if (strcmp(file, "devices.list") == 0 && force) {
			/* the list as devices.list shows it */
			const char *p = raw;

			d->nex = 0;
			d->allow_all = false;
			while (*p && !r) {
				size_t len = strcspn(p, "\n");
				char *line = xstrndup(p, len);
				struct km_ex ex;
				bool all;

				r = parse_rule(line, &ex, &all);
				if (!r && all)
					d->allow_all = true;
				else if (!r)
					ex_add(d, &ex);
				free(line);
				p += len;
				if (*p)
					p++;
			}
			if (d->allow_all)
				d->nex = 0;
		} else if (strcmp(file, "devices.allow") == 0) {
			r = write_devices(k, i, true, text);
		} else if (strcmp(file, "devices.deny") == 0) {
			r = write_devices(k, i, false, text);
		} else {
			r = EINVAL;
		}
		break;
	case K_CLONE:
		r = parse_int(text, &v);
		if (!r && v != 0 && v != 1)
			r = EINVAL;
		if (!r)
			d->clone_children = (int)v;
		break;
	case K_FREEZER:
		if (strcmp(text, "FROZEN") != 0 && strcmp(text, "THAWED") != 0) {
			r = EINVAL;
			break;
		}
		__attribute__((fallthrough));
	case K_OTHER:
		if (d->parent < 0 && !force) {
			r = EINVAL;
			break;
		}
		free(other(d, file, true)->text);
		other(d, file, false)->text = xstrdup(text);
		break;
	}
	free(text);
	return r;
}

int
km_write(struct km *k, const char *path, const char *file, const char *text)
{
	int i = find_live(k, path);

	if (i < 0)
		return ENOENT;
	/* one record per write: the kernel parses the first line only (devices), or refuses */
	if (strchr(text, '\n') && text[strlen(text) - 1] != '\n')
		return EINVAL;
	/* an empty value goes as "\n" (apply/exec): empty after trimming, as the kernel sees it */
	return do_write(k, i, file, text, false);
}

int
km_force(struct km *k, const char *path, const char *file, const char *text)
{
	int i = find_live(k, path);

	if (i < 0)
		return ENOENT;
	return do_write(k, i, file, text, true);
}

int
km_read(const struct km *k, const char *path, const char *file, struct strbuf *out)
{
	int i = find_live(k, path);
	const struct km_dir *d;
	const struct km_file *f;

	strbuf_reset(out);
	if (i < 0)
		return ENOENT;
	d = &k->d[i];
	switch (kind_of(k, d, file)) {
	case K_NONE:
		return ENOENT;
	case K_MEMORY:
		strbuf_addf(out, "%" PRIu64 "\n",
			    (strcmp(file, "memory.limit_in_bytes") == 0 ? d->limit : d->memsw) *
				    PAGE);
		return 0;
	case K_CPU:
		if (strcmp(file, "cpu.cfs_period_us") == 0)
			strbuf_addf(out, "%" PRId64 "\n", d->period);
		else if (strcmp(file, "cpu.cfs_quota_us") == 0)
			strbuf_addf(out, "%" PRId64 "\n", d->quota);
		else if (strcmp(file, "cpu.cfs_burst_us") == 0)
			strbuf_addf(out, "%" PRId64 "\n", d->burst);
		else if (strcmp(file, "cpu.rt_period_us") == 0)
			strbuf_addf(out, "%" PRId64 "\n", d->rt_period);
		else if (strcmp(file, "cpu.rt_runtime_us") == 0)
			strbuf_addf(out, "%" PRId64 "\n",
				    d->rt_runtime == RUNTIME_INF ? -1 : d->rt_runtime);
		else if (strcmp(file, "cpu.shares") == 0)
			strbuf_addf(out, "%" PRId64 "\n", d->idle ? 3 : d->shares);
		else
			strbuf_addf(out, "%" PRId64 "\n", d->idle);
		return 0;
	case K_CPUSET:
		if (strcmp(file, "cpuset.cpus") == 0)
			format_list(d->cpus, out);
		else if (strcmp(file, "cpuset.mems") == 0)
			format_list(d->mems, out);
		else
			strbuf_addf(out, "%d",
				    strcmp(file, "cpuset.cpu_exclusive") == 0 ? d->cpu_excl
									      : d->mem_excl);
		strbuf_addch(out, '\n');
		return 0;
	case K_DEVICES:
		if (strcmp(file, "devices.list") != 0)
			return EINVAL;
		format_devices(d, out);
		return 0;
	case K_CLONE:
		strbuf_addf(out, "%d\n", d->clone_children);
		return 0;
	case K_FREEZER:
		f = other((struct km_dir *)d, file, false);
		strbuf_addf(out, "%s\n", f ? f->text : "THAWED");
		return 0;
	case K_OTHER:
		f = other((struct km_dir *)d, file, false);
		if (!f)
			return ENOENT;
		strbuf_addf(out, "%s\n", f->text);
		return 0;
	}
	return EINVAL;
}

int
km_apply(struct km *k, const struct plan_step *s)
{
	struct strbuf sb = STRBUF_INIT;
	int r;

	switch (s->op) {
	case PLAN_OP_MKDIR:
		return km_mkdir(k, s->dir);
	case PLAN_OP_RMDIR:
		return km_rmdir(k, s->dir);
	case PLAN_OP_WRITE:
		return km_write(k, s->dir, s->file, s->new_text);
	case PLAN_OP_CHOWN:
	case PLAN_OP_CHMOD:
		if (!km_exists(k, s->dir))
			return ENOENT;
		if (!s->file || strcmp(s->file, "*") == 0 || strcmp(s->file, "tasks") == 0 ||
		    strcmp(s->file, "cgroup.procs") == 0)
			return 0;
		r = km_read(k, s->dir, s->file, &sb);
		strbuf_release(&sb);
		return r;
	}
	return EINVAL;
}

/* ---- whole-world invariants ---- */

bool
km_valid(const struct km *k, const char **why)
{
	struct cfs_trial nocfs = { -1, 0, 0 };
	struct rt_trial nort = { -1, 0, 0 };
	size_t i, j;

	for (i = 0; i < k->n; i++) {
		const struct km_dir *d = &k->d[i];
		struct cs c;

		if (!d->exists)
			continue;
		if (d->parent >= 0 && !k->d[d->parent].exists) {
			*why = "a group's parent does not exist";
			return false;
		}
		if (has_ctl(k, d, "memory") && d->limit > d->memsw) {
			*why = "memory limit above memsw";
			return false;
		}
		if (has_ctl(k, d, "cpu") && d->parent >= 0) {
			if (d->period < CFS_PERIOD_MIN || d->period > CFS_PERIOD_MAX ||
			    (d->quota >= 0 && (d->quota < CFS_QUOTA_MIN || d->burst > d->quota))) {
				*why = "cfs period, quota or burst out of range";
				return false;
			}
		}
		if (has_ctl(k, d, "cpu") && d->parent < 0) {
			if (cfs_walk(k, (int)i, UINT64_MAX, &nocfs)) {
				*why = "a cfs quota/period ratio above its ancestor's";
				return false;
			}
			if (rt_check(k, (int)i, &nort)) {
				*why = "rt budgets do not fit";
				return false;
			}
		}
		if (has_ctl(k, d, "cpuset") && d->parent >= 0) {
			struct cs p = cs_of(&k->d[d->parent]);

			c = cs_of(d);
			if (!cs_subset(&c, &p)) {
				*why = "a cpuset outside its parent's";
				return false;
			}
			if (d->populated && (!d->cpus || !d->mems)) {
				*why = "a populated cpuset without cpus or mems";
				return false;
			}
			for (j = 0; j < k->n; j++) {
				const struct km_dir *s = &k->d[j];

				if (j == i || !s->exists || s->parent != d->parent)
					continue;
				if (((d->cpu_excl || s->cpu_excl) && (d->cpus & s->cpus)) ||
				    ((d->mem_excl || s->mem_excl) && (d->mems & s->mems))) {
					*why = "exclusive siblings overlap";
					return false;
				}
			}
		}
		if (has_ctl(k, d, "devices") && d->parent >= 0) {
			const struct km_dir *p = &k->d[d->parent];

			if (d->allow_all && !p->allow_all) {
				*why = "an allow-all device group under a deny-all parent";
				return false;
			}
			for (j = 0; j < d->nex && !d->allow_all; j++) {
				if (!parent_has_perm(k, d, &d->ex[j])) {
					*why = "a device exception the parent does not allow";
					return false;
				}
			}
		}
	}
	return true;
}

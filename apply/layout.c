/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "apply/layout.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "apply/hierarchy.h"
#include "lib/cleanup.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "parser/schema.h"

/* Files that come as a set: when one is listed, all of its set are. */
static const char *const partner_sets[][5] = {
	{ "memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.usage_in_bytes",
	  "memory.memsw.usage_in_bytes", NULL },
	{ "cpu.cfs_quota_us", "cpu.cfs_period_us", "cpu.cfs_burst_us", NULL },
	{ "cpu.rt_runtime_us", "cpu.rt_period_us", NULL },
	{ "cpuset.cpu_exclusive", "cpuset.mem_exclusive", NULL },
};

/* v1 partners by version: shares/idle on v1, weight/idle and cpu.max on v2 */
static const char *const v1_sets[][3] = {
	{ "cpu.shares", "cpu.idle", NULL },
};
static const char *const v2_sets[][3] = {
	{ "cpu.weight", "cpu.idle", NULL },
	{ "cpu.max", "cpu.max.burst", NULL },
};

/* Files an anchor reads when a group of its hierarchy lists them (the kernel checks
 * children against them). */
static const char *const constraint_files[] = {
	"cpuset.cpus",
	"cpuset.mems",
	"cpuset.cpu_exclusive",
	"cpuset.mem_exclusive",
	"cpu.cfs_quota_us",
	"cpu.cfs_period_us",
	"cpu.cfs_burst_us",
	"cpu.rt_runtime_us",
	"cpu.rt_period_us",
	"devices.list",
	NULL,
};

static int
path_cmp(const char *a, const char *b)
{
	for (; *a && *a == *b; a++, b++)
		;
	if (*a == *b)
		return 0;
	if (*a == '/')
		return *b ? -1 : 1;
	if (*b == '/')
		return *a ? 1 : -1;
	return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
}

static void
dir_release(struct cg_layout_dir *d)
{
	size_t i;

	for (i = 0; i < d->nfiles; i++)
		free(d->files[i]);
	free(d->files);
	for (i = 0; i < d->nchild_files; i++)
		free(d->child_files[i]);
	free(d->child_files);
	free(d->fspath);
	free(d->group);
	memset(d, 0, sizeof(*d));
}

void
cg_layout_release(struct cg_layout *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		dir_release(&l->dirs[i]);
	free(l->dirs);
	strmap_release(&l->index);
	memset(l, 0, sizeof(*l));
}

const struct cg_layout_dir *
cg_layout_find(const struct cg_layout *l, const char *fspath)
{
	size_t i;

	if (!strmap_get(&l->index, fspath, strlen(fspath), &i))
		return NULL;
	return &l->dirs[i];
}

static bool
has_file(const struct cg_layout_dir *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->nfiles; i++)
		if (strcmp(d->files[i], name) == 0)
			return true;
	return false;
}

/* Adds a name once to a sorted list. */
static void
add_name(char ***list, size_t *n, size_t *alloc, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		int c = strcmp((*list)[i], name);

		if (c == 0)
			return;
		if (c > 0)
			break;
	}
	*list = xgrow(*list, sizeof(**list), *n + 1, alloc);
	memmove(&(*list)[i + 1], &(*list)[i], (*n - i) * sizeof(**list));
	(*list)[i] = xstrdup(name);
	(*n)++;
}

/* Adds a file once, keeping the list sorted. */
static void
add_file(struct cg_layout_dir *d, const char *name)
{
	add_name(&d->files, &d->nfiles, &d->files_alloc, name);
}

static void
add_child_file(struct cg_layout_dir *d, const char *name)
{
	add_name(&d->child_files, &d->nchild_files, &d->child_files_alloc, name);
}

static void
add_sets(struct cg_layout_dir *d, const char *const *set, size_t width, size_t nsets)
{
	size_t i, j;

	for (i = 0; i < nsets; i++) {
		const char *const *s = set + i * width;
		bool any = false;

		for (j = 0; s[j]; j++)
			if (has_file(d, s[j]))
				any = true;
		if (!any)
			continue;
		for (j = 0; s[j]; j++)
			add_file(d, s[j]);
	}
}

static bool
hier_has(const struct cg_hier *h, const char *controller)
{
	size_t i;

	for (i = 0; i < h->ncontrollers; i++)
		if (strcmp(h->controllers[i], controller) == 0)
			return true;
	return false;
}

/* Partners and the files always read in a group's directory. */
static void
add_partners(struct cg_layout_dir *d)
{
	add_sets(d, &partner_sets[0][0], sizeof(partner_sets[0]) / sizeof(partner_sets[0][0]),
		 sizeof(partner_sets) / sizeof(partner_sets[0]));
	if (d->hier->version == CG_V1) {
		add_sets(d, &v1_sets[0][0], 3, sizeof(v1_sets) / sizeof(v1_sets[0]));
		if (hier_has(d->hier, "cpuset")) {
			add_file(d, "cpuset.cpus");
			add_file(d, "cpuset.mems");
		}
	} else {
		add_sets(d, &v2_sets[0][0], 3, sizeof(v2_sets) / sizeof(v2_sets[0]));
		if (has_file(d, "memory.max"))
			add_file(d, "memory.current");
		add_file(d, "cgroup.subtree_control");
	}
}

/* Adds a setting's file: devices.allow/deny are write-only, devices.list shows them. */
static void
add_setting(struct cg_layout_dir *d, const char *file)
{
	if (strcmp(file, "devices.allow") == 0 || strcmp(file, "devices.deny") == 0)
		add_file(d, "devices.list");
	else
		add_file(d, file);
}

/* "a//b/" → "a/b"; NULL for a "." or ".." component. */
static char *
clean_parent(const char *parent)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = parent ? parent : "";

	for (;;) {
		const char *slash;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
			strbuf_release(&sb);
			return NULL;
		}
		if (sb.len)
			strbuf_addch(&sb, '/');
		strbuf_add(&sb, p, n);
		p += n;
	}
	return strbuf_detach(&sb);
}

static char *
join(const char *a, const char *b, const char *c)
{
	struct strbuf sb = STRBUF_INIT;
	const char *parts[3] = { a, b, c };
	size_t i;

	for (i = 0; i < 3; i++) {
		if (!parts[i] || !*parts[i])
			continue;
		if (sb.len)
			strbuf_addch(&sb, '/');
		strbuf_adds(&sb, parts[i]);
	}
	return strbuf_detach(&sb);
}

struct build {
	const struct cg_model *m;
	const struct cg_hosttree *t;
	bool *present; /* [group][hier] */
	struct cg_layout groups;
};

static size_t
hier_index(const struct build *b, const struct cg_hier *h)
{
	return (size_t)(h - b->t->hiers);
}

static bool *
cell(const struct build *b, size_t gi, size_t hi)
{
	return &b->present[gi * b->t->n + hi];
}

/* A configuration this host cannot take (exit status 3), located at the controller's key. */
static int
not_mounted(const struct cg_group *g, const struct cg_ctlblock *blk, struct cg_error **err)
{
	if (blk->loc.file && blk->loc.line)
		return cg_error_set(
			err, CG_E_CONFIG, 0,
			"%s:%u:%u: group '%s' uses controller '%s', which is not mounted on this host",
			blk->loc.file, blk->loc.line, blk->loc.col, g->path, blk->name);
	return cg_error_set(err, CG_E_CONFIG, 0,
			    "group '%s' uses controller '%s', which is not mounted on this host",
			    g->path, blk->name);
}

/*
 * Whether a setting of a `cgroup:` block goes to the v2 tree (a v2 or unchecked file),
 * else to the group's v1 dirs (v1-only core files, which the parser refuses there today).
 */
static bool
core_to_v2(const struct cg_setting *s)
{
	return !s->def || (s->def->flags & CG_FF_V2);
}

/* Where each group is, from its own blocks. */
static int
mark_own(struct build *b, struct cg_error **err)
{
	const struct cg_hier *v2 = cg_hier_for_controller(b->t, "cgroup");
	size_t gi, c, k;

	for (gi = 0; gi < b->m->ngroups; gi++) {
		const struct cg_group *g = &b->m->groups[gi];

		for (c = 0; c < g->nctls; c++) {
			const struct cg_ctlblock *blk = &g->ctls[c];
			const struct cg_hier *h;

			if (strcmp(blk->name, "cgroup") == 0) {
				for (k = 0; k < blk->n; k++) {
					if (!core_to_v2(&blk->settings[k]))
						continue;
					if (!v2)
						return not_mounted(g, blk, err);
					*cell(b, gi, hier_index(b, v2)) = true;
				}
				continue;
			}
			h = cg_hier_for_controller(b->t, blk->name);
			if (!h)
				return not_mounted(g, blk, err);
			*cell(b, gi, hier_index(b, h)) = true;
		}
	}
	return 0;
}

/* A parent is wherever its descendants are (groups are sorted parents first). */
static void
propagate(struct build *b)
{
	size_t gi = b->m->ngroups, hi;

	while (gi-- > 0) {
		const struct cg_group *p = cg_model_parent(b->m, &b->m->groups[gi]);
		size_t pi;

		if (!p)
			continue;
		pi = (size_t)(p - b->m->groups);
		for (hi = 0; hi < b->t->n; hi++)
			if (*cell(b, gi, hi))
				*cell(b, pi, hi) = true;
	}
}

static struct cg_layout_dir *
new_dir(struct cg_layout *l, const char *fspath, const struct cg_hier *h, enum cg_layout_kind kind)
{
	struct cg_layout_dir *d;

	l->dirs = xgrow(l->dirs, sizeof(*l->dirs), l->n + 1, &l->alloc);
	d = &l->dirs[l->n++];
	memset(d, 0, sizeof(*d));
	d->fspath = xstrdup(fspath);
	d->hier = h;
	d->kind = kind;
	return d;
}

static int
group_dirs(struct build *b, const char *parent, struct cg_error **err)
{
	size_t gi, hi, c, k;

	for (gi = 0; gi < b->m->ngroups; gi++) {
		const struct cg_group *g = &b->m->groups[gi];
		bool placed_v1 = false, wants_v1 = false;

		for (hi = 0; hi < b->t->n; hi++) {
			const struct cg_hier *h = &b->t->hiers[hi];
			struct cg_layout_dir *d;
			CG_AUTOFREE char *fspath = NULL;

			if (!*cell(b, gi, hi) || g->is_template)
				continue;
			fspath = join(h->mount, parent, g->path);
			d = new_dir(&b->groups, fspath, h, CG_LAYOUT_GROUP);
			d->group = xstrdup(g->path);
			d->g = g;
			for (c = 0; c < g->nctls; c++) {
				const struct cg_ctlblock *blk = &g->ctls[c];
				bool core = strcmp(blk->name, "cgroup") == 0;

				if (!core && cg_hier_for_controller(b->t, blk->name) != h)
					continue;
				for (k = 0; k < blk->n; k++) {
					const struct cg_setting *s = &blk->settings[k];

					if (core && core_to_v2(s) != (h->version == CG_V2))
						continue;
					add_setting(d, s->file);
				}
			}
			add_partners(d);
			if (h->version == CG_V1)
				placed_v1 = true;
		}
		/* v1-only core files need a v1 directory of the group */
		for (c = 0; c < g->nctls && !g->is_template; c++) {
			const struct cg_ctlblock *blk = &g->ctls[c];

			if (strcmp(blk->name, "cgroup") != 0)
				continue;
			for (k = 0; k < blk->n; k++)
				if (!core_to_v2(&blk->settings[k]))
					wants_v1 = true;
			if (wants_v1 && !placed_v1)
				return not_mounted(g, blk, err);
		}
	}
	return 0;
}

static int
dir_cmp(const void *a, const void *b)
{
	return path_cmp(((const struct cg_layout_dir *)a)->fspath,
			((const struct cg_layout_dir *)b)->fspath);
}

/* The anchor and the dirs above it, for each hierarchy that holds a group. */
static void
anchor_dirs(struct build *b, const char *parent, struct cg_layout *out)
{
	size_t hi, gi, i, k;

	for (hi = 0; hi < b->t->n; hi++) {
		const struct cg_hier *h = &b->t->hiers[hi];
		CG_AUTOFREE char *anchor = join(h->mount, parent, NULL);
		struct cg_layout_dir proto;
		bool used = false;
		const char *p;

		for (gi = 0; gi < b->m->ngroups && !used; gi++)
			used = *cell(b, gi, hi);
		if (!used)
			continue;
		/* the files the groups of this hierarchy are checked against */
		memset(&proto, 0, sizeof(proto));
		proto.hier = h;
		for (i = 0; i < b->groups.n; i++) {
			const struct cg_layout_dir *g = &b->groups.dirs[i];

			if (g->hier != h)
				continue;
			for (k = 0; constraint_files[k]; k++)
				if (has_file(g, constraint_files[k]))
					add_file(&proto, constraint_files[k]);
		}
		if (h->version == CG_V1 && hier_has(h, "cpuset")) {
			add_file(&proto, "cpuset.cpus");
			add_file(&proto, "cpuset.mems");
		}
		if (h->version == CG_V2) {
			add_file(&proto, "cgroup.controllers");
			add_file(&proto, "cgroup.subtree_control");
		}
		/* the hierarchy root and each --parent component above the anchor */
		for (p = parent; *parent; p++) {
			CG_AUTOFREE char *prefix = NULL;
			CG_AUTOFREE char *above = NULL;
			struct cg_layout_dir *d;

			if (p != parent && *p != '/' && *p != '\0')
				continue;
			if (*p == '\0')
				break;
			prefix = xstrndup(parent, (size_t)(p - parent));
			above = join(h->mount, prefix, NULL);
			d = new_dir(out, above, h, CG_LAYOUT_ABOVE);
			for (k = 0; k < proto.nfiles; k++)
				add_file(d, proto.files[k]);
		}
		{
			struct cg_layout_dir *d = new_dir(out, anchor, h, CG_LAYOUT_ANCHOR);

			for (k = 0; k < proto.nfiles; k++)
				add_file(d, proto.files[k]);
		}
		dir_release(&proto);
	}
}

/* The child files that `from`'s list of files calls for in `d`'s unlisted children. */
static void
child_files_for(struct cg_layout_dir *d, const struct cg_layout_dir *from)
{
	static const char *const cfs[] = { "cpu.cfs_quota_us", "cpu.cfs_period_us",
					   "cpu.cfs_burst_us", NULL };
	static const char *const rt[] = { "cpu.rt_runtime_us", "cpu.rt_period_us", NULL };
	size_t k;

	if (!hier_has(d->hier, "cpu"))
		return;
	for (k = 0; cfs[k]; k++)
		if (has_file(from, cfs[k])) {
			add_child_file(d, "cpu.cfs_period_us");
			add_child_file(d, "cpu.cfs_quota_us");
		}
	for (k = 0; rt[k]; k++)
		if (has_file(from, rt[k])) {
			add_child_file(d, "cpu.rt_period_us");
			add_child_file(d, "cpu.rt_runtime_us");
		}
}

/* `child_files` of GROUP and ANCHOR dirs of v1 cpuset and cpu hierarchies (layout.h). */
static void
foreign_files(struct cg_layout *l)
{
	size_t i, pi;

	for (i = 0; i < l->n; i++) {
		struct cg_layout_dir *d = &l->dirs[i];

		if (d->kind == CG_LAYOUT_ABOVE || d->hier->version != CG_V1)
			continue;
		if (hier_has(d->hier, "cpuset")) {
			add_child_file(d, "cpuset.cpu_exclusive");
			add_child_file(d, "cpuset.cpus");
			add_child_file(d, "cpuset.mem_exclusive");
			add_child_file(d, "cpuset.mems");
		}
		child_files_for(d, d);
	}
	/* a listed child's files count for its parent's other children (its siblings) */
	for (i = 0; i < l->n; i++) {
		struct cg_layout_dir *d = &l->dirs[i];
		const char *slash = strrchr(d->fspath, '/');
		CG_AUTOFREE char *parent = NULL;

		if (d->kind != CG_LAYOUT_GROUP || !slash)
			continue;
		parent = xstrndup(d->fspath, (size_t)(slash - d->fspath));
		if (!strmap_get(&l->index, parent, strlen(parent), &pi) ||
		    l->dirs[pi].kind == CG_LAYOUT_ABOVE || l->dirs[pi].hier->version != CG_V1)
			continue;
		child_files_for(&l->dirs[pi], d);
	}
}

int
cg_layout_build(const struct cg_model *m, const struct cg_hosttree *t, const char *parent,
		struct cg_layout *out, struct cg_error **err)
{
	CG_AUTOFREE char *par = clean_parent(parent);
	struct build b;
	struct cg_layout l;
	size_t i;

	if (!par)
		return cg_error_set(err, CG_E_USAGE, 0,
				    "invalid parent path '%s', '.' and '..' are not allowed",
				    parent);
	memset(&b, 0, sizeof(b));
	memset(&l, 0, sizeof(l));
	b.m = m;
	b.t = t;
	b.present = xcalloc(m->ngroups * t->n + 1, sizeof(bool));
	if (mark_own(&b, err) < 0)
		goto fail;
	propagate(&b);
	if (group_dirs(&b, par, err) < 0)
		goto fail;
	anchor_dirs(&b, par, &l);
	if (l.n > 1)
		qsort(l.dirs, l.n, sizeof(*l.dirs), dir_cmp);
	if (b.groups.n > 1)
		qsort(b.groups.dirs, b.groups.n, sizeof(*b.groups.dirs), dir_cmp);
	for (i = 0; i < b.groups.n; i++) {
		l.dirs = xgrow(l.dirs, sizeof(*l.dirs), l.n + 1, &l.alloc);
		l.dirs[l.n++] = b.groups.dirs[i];
	}
	free(b.groups.dirs);
	free(b.present);
	for (i = 0; i < l.n; i++)
		strmap_set(&l.index, l.dirs[i].fspath, strlen(l.dirs[i].fspath), i);
	foreign_files(&l);
	*out = l;
	return 0;
fail:
	cg_layout_release(&b.groups);
	cg_layout_release(&l);
	free(b.present);
	return -1;
}

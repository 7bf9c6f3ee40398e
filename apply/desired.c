/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "apply/desired.h"

#include <stdlib.h>
#include <string.h>

#include "apply/hierarchy.h"
#include "apply/readback.h"
#include "lib/cleanup.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "parser/schema.h"

/* The kernel lists controllers in cgroup.subtree_control in this order. */
static const char *const v2_order[] = {
	"cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc", "perf_event", NULL,
};

static bool
hier_has(const struct cg_hier *h, const char *controller)
{
	size_t k;

	for (k = 0; h && k < h->ncontrollers; k++)
		if (strcmp(h->controllers[k], controller) == 0)
			return true;
	return false;
}

static bool
is_root(const struct cg_state_dir *d)
{
	return d->hier && d->hier->mount && strcmp(d->fspath, d->hier->mount) == 0;
}

/* Whether a `cgroup:` block's setting goes to the v2 tree (else to v1 dirs): as layout.c. */
static bool
core_to_v2(const struct cg_setting *s)
{
	return !s->def || (s->def->flags & CG_FF_V2);
}

static bool
block_here(const struct cg_ctlblock *b, const struct cg_setting *s, const struct cg_hier *h)
{
	if (strcmp(b->name, "cgroup") == 0)
		return core_to_v2(s) == (h->version == CG_V2);
	return hier_has(h, b->name);
}

static void
set_value(struct cg_state_dir *td, bool live, const struct cg_setting *s, struct cg_diags *d)
{
	enum cg_version ver = td->hier ? td->hier->version : CG_V1;
	const struct cg_state_file *was = cg_state_file(td, s->file);
	struct cg_state_file *f;
	struct cg_value v;

	/* a file the live group lacks: a kernel feature this host does not have */
	if (live && was && !was->present)
		cg_diag_error(
			d, &s->key_loc,
			"'%s' does not exist in '%s' on this host (a kernel feature it lacks, such as swap accounting for memsw)",
			s->file, td->fspath);
	else if (!live && was && was->lacking)
		cg_diag_error(
			d, &s->key_loc,
			"'%s' would not exist in '%s': the groups of this host have no such file (a kernel feature it lacks, such as swap accounting for memsw)",
			s->file, td->fspath);
	cg_value_copy(&v, &s->value);
	cg_readback_normalize_file(s->def, s->file, ver, &v);
	f = cg_state_set(td, s->file, s->def, &v);
	f->managed = true;
	cg_value_release(&v);
}

static bool
id_ok(const struct cg_id *id, const char *what, struct cg_diags *d)
{
	if (!id->set)
		return false;
	if (!id->resolved) {
		cg_diag_error(d, &id->loc, "%s '%s' does not exist on this host", what, id->name);
		return false;
	}
	return true;
}

/* uid/gid set ones, the other one (uid_t)-1: "leave it". */
static void
owner_from(struct cg_state_owner *o, const struct cg_id *uid, const struct cg_id *gid,
	   const struct cg_mode *mode, struct cg_diags *d)
{
	bool u = id_ok(uid, "user", d), g = id_ok(gid, "group", d);

	if (u || g) {
		o->owner_set = true;
		o->uid = u ? (uid_t)uid->id : (uid_t)-1;
		o->gid = g ? (gid_t)gid->id : (gid_t)-1;
	}
	if (mode->set) {
		o->mode_set = true;
		o->mode = mode->mode & 07777;
	}
}

static void
set_perms(struct cg_state_dir *td, const struct cg_perm *p, struct cg_diags *d)
{
	struct cg_state_owner dir, tasks, files;

	memset(&dir, 0, sizeof(dir));
	memset(&tasks, 0, sizeof(tasks));
	memset(&files, 0, sizeof(files));
	owner_from(&dir, &p->admin_uid, &p->admin_gid, &p->admin_dperm, d);
	owner_from(&files, &p->admin_uid, &p->admin_gid, &p->admin_fperm, d);
	owner_from(&tasks, &p->task_uid, &p->task_gid, &p->task_fperm, d);
	td->dir = dir;
	td->ctlfiles = files;
	td->tasks = tasks;
}

static void
apply_group(struct cg_state_dir *td, bool live, const struct cg_layout_dir *ld, struct cg_diags *d)
{
	const struct cg_group *g = ld->g;
	size_t c, k;

	for (c = 0; c < g->nctls; c++) {
		const struct cg_ctlblock *b = &g->ctls[c];

		for (k = 0; k < b->n; k++)
			if (block_here(b, &b->settings[k], ld->hier))
				set_value(td, live, &b->settings[k], d);
	}
	set_perms(td, &g->perm, d);
}

/* Whether another layout dir lies below `ld` (so `ld` is a parent). */
static bool
has_below(const struct cg_layout *l, const struct cg_layout_dir *ld)
{
	size_t n = strlen(ld->fspath), i;

	for (i = 0; i < l->n; i++) {
		const char *p = l->dirs[i].fspath;

		if (l->dirs[i].hier == ld->hier && strncmp(p, ld->fspath, n) == 0 &&
		    (n == 0 ? *p != '\0' : p[n] == '/'))
			return true;
	}
	return false;
}

/*
 * A v1 cpuset directory that cgapply creates to hold others starts with no cpus and no
 * mems, so no child could get any: it takes its nearest ancestor's (as runc does).
 */
static void
fill_cpuset(struct cg_state *t, struct cg_state_dir *td, struct cg_diags *d)
{
	static const char *const lists[] = { "cpuset.cpus", "cpuset.mems" };
	size_t k;

	for (k = 0; k < 2; k++) {
		const struct cg_state_file *f = cg_state_file(td, lists[k]);
		const struct cg_state_dir *a;
		const struct cg_state_file *af = NULL;
		struct cg_state_file *nf;

		if (f && f->present && f->managed)
			continue;
		for (a = cg_state_parent(t, td); a; a = cg_state_parent(t, a)) {
			af = cg_state_file(a, lists[k]);
			if (af && af->present && af->value.type == CG_VT_CPULIST &&
			    !cg_cpuset_empty(&af->value.u.cpus))
				break;
			af = NULL;
		}
		if (!af) {
			cg_diag_error(
				d, NULL,
				"cannot give '%s' a '%s': no ancestor's value is known; create it with its cpus and mems first",
				td->fspath, lists[k]);
			continue;
		}
		nf = cg_state_set(td, lists[k], af->def, &af->value);
		nf->managed = true;
	}
}

/* A new leaf cpuset left without cpus or mems: no task can join it. */
static void
warn_empty_cpuset(const struct cg_state_dir *td, const struct cg_group *g, struct cg_diags *d)
{
	static const char *const lists[] = { "cpuset.cpus", "cpuset.mems" };
	size_t k;

	for (k = 0; k < 2; k++) {
		const struct cg_state_file *f = cg_state_file(td, lists[k]);

		if (f && f->present && f->managed && f->value.type == CG_VT_CPULIST &&
		    !cg_cpuset_empty(&f->value.u.cpus))
			continue;
		cg_diag_warning(
			d, &g->loc,
			"group '%s' gets no '%s' in '%s': a new cpuset starts empty, and no task can join it until both cpuset.cpus and cpuset.mems are set",
			g->path, lists[k], td->fspath);
	}
}

static size_t
order_of(const char *w, size_t n)
{
	size_t k;

	for (k = 0; v2_order[k]; k++)
		if (strlen(v2_order[k]) == n && memcmp(v2_order[k], w, n) == 0)
			return k;
	return k;
}

static bool
has_word(const char *set, const char *w)
{
	size_t n = strlen(w);
	const char *p = set;

	while (*p) {
		size_t len;

		while (*p == ' ')
			p++;
		len = strcspn(p, " ");
		if (len == n && memcmp(p, w, n) == 0)
			return true;
		p += len;
	}
	return false;
}

/* `set` plus `w`, words in the kernel's order (unknown ones last). */
static char *
add_word(const char *set, const char *w)
{
	struct strbuf sb = STRBUF_INIT;
	size_t pass;

	for (pass = 0; pass <= 9; pass++) {
		const char *p = set;

		while (*p) {
			size_t len;

			while (*p == ' ' || *p == '\n')
				p++;
			len = strcspn(p, " \n");
			if (len && order_of(p, len) == pass) {
				if (sb.len)
					strbuf_addch(&sb, ' ');
				strbuf_add(&sb, p, len);
			}
			p += len;
		}
		if (order_of(w, strlen(w)) == pass) {
			if (sb.len)
				strbuf_addch(&sb, ' ');
			strbuf_adds(&sb, w);
		}
	}
	return strbuf_detach(&sb);
}

static const char *
subtree_text(const struct cg_state_dir *dir)
{
	const struct cg_state_file *f = cg_state_file(dir, "cgroup.subtree_control");

	return f && f->present && f->value.type == CG_VT_RAW && f->value.u.raw ? f->value.u.raw
									       : "";
}

/*
 * v2: every ancestor of a group that uses a controller enables it for its children,
 * up to the root, which cgapply never writes: there it must be enabled already.
 */
static void
enable_v2(struct cg_state *t, const struct cg_layout_dir *ld, struct cg_diags *d)
{
	const struct cg_group *g = ld->g;
	size_t c;

	for (c = 0; c < g->nctls; c++) {
		const char *ctl = g->ctls[c].name;
		struct cg_state_dir *a = cg_state_find(t, ld->fspath);

		if (strcmp(ctl, "cgroup") == 0 || !hier_has(ld->hier, ctl))
			continue;
		for (a = a ? cg_state_parent(t, a) : NULL; a; a = cg_state_parent(t, a)) {
			struct cg_state_file *f;
			struct cg_value v;

			if (has_word(subtree_text(a), ctl))
				continue;
			if (is_root(a)) {
				cg_diag_error(
					d, &g->ctls[c].loc,
					"controller '%s' of group '%s' is not enabled in the cgroup v2 root's cgroup.subtree_control; enable it on the root first or use --parent",
					ctl, g->path);
				break;
			}
			memset(&v, 0, sizeof(v));
			v.type = CG_VT_RAW;
			v.u.raw = add_word(subtree_text(a), ctl);
			f = cg_state_set(a, "cgroup.subtree_control",
					 cg_schema_file_any("cgroup.subtree_control"), &v);
			f->managed = true;
			cg_value_release(&v);
		}
	}
}

int
cg_desired_build(const struct cg_model *m, const struct cg_layout *l, const struct cg_state *cur,
		 struct cg_state *target, struct cg_diags *d)
{
	size_t errors = d->errors, i;

	/* the layout carries the model's groups (ld->g) */
	(void)m;
	cg_state_copy(target, cur);
	/* every layout dir is in the target; the state may lack some (a partial snapshot) */
	for (i = 0; i < l->n; i++) {
		const struct cg_layout_dir *ld = &l->dirs[i];
		struct cg_state_dir *td;

		if (cg_state_find(target, ld->fspath))
			continue;
		td = cg_state_add_dir(target, ld->fspath);
		td->hier = ld->hier;
		td->group = ld->group ? xstrdup(ld->group) : NULL;
		td->anchor = ld->kind != CG_LAYOUT_GROUP;
	}
	/* target dirs keep their place: the layout adds no more from here */
	for (i = 0; i < target->n; i++)
		target->dirs[i].populated = target->dirs[i].populated && target->dirs[i].exists;
	for (i = 0; i < l->n; i++) {
		const struct cg_layout_dir *ld = &l->dirs[i];
		struct cg_state_dir *td = cg_state_find(target, ld->fspath);
		bool live = td->exists;

		td->exists = true;
		if (ld->kind == CG_LAYOUT_GROUP)
			apply_group(td, live, ld, d);
	}
	/* parents first (the target is sorted so), for the cpus/mems of created parents */
	for (i = 0; i < target->n; i++) {
		struct cg_state_dir *td = &target->dirs[i];
		const struct cg_state_dir *cd = cg_state_find(cur, td->fspath);
		const struct cg_layout_dir *ld = cg_layout_find(l, td->fspath);

		if (!ld || (cd && cd->exists) || !td->hier || td->hier->version != CG_V1 ||
		    !hier_has(td->hier, "cpuset"))
			continue;
		if (has_below(l, ld))
			fill_cpuset(target, td, d);
		else if (ld->g)
			warn_empty_cpuset(td, ld->g, d);
	}
	for (i = 0; i < l->n; i++) {
		const struct cg_layout_dir *ld = &l->dirs[i];

		if (ld->kind == CG_LAYOUT_GROUP && ld->hier && ld->hier->version == CG_V2)
			enable_v2(target, ld, d);
	}
	return d->errors > errors ? -1 : 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "apply/place.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/fs.h"
#include "apply/match.h"
#include "apply/systemd.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "parser/rules.h"

#define PROC_ROOT "/proc"

void
cg_moves_init(struct cg_moves *mv)
{
	memset(mv, 0, sizeof(*mv));
}

static void
move_release(struct cg_move *m)
{
	free(m->exe);
	free(m->mount);
	free(m->from);
	free(m->to);
	free(m->group);
}

void
cg_moves_release(struct cg_moves *mv)
{
	size_t i;

	for (i = 0; i < mv->n; i++)
		move_release(&mv->items[i]);
	free(mv->items);
	memset(mv, 0, sizeof(*mv));
}

size_t
cg_moves_count(const struct cg_moves *mv, enum cg_move_status st)
{
	size_t i, n = 0;

	for (i = 0; i < mv->n; i++)
		n += mv->items[i].status == st;
	return n;
}

/* "a" + "b" → "a/b", skipping empty parts. */
static char *
join(const char *a, const char *b)
{
	if (!a || !*a)
		return xstrdup(b ? b : "");
	if (!b || !*b)
		return xstrdup(a);
	return xasprintf("%s/%s", a, b);
}

/* ---- templates ---- */

static void
id_copy(struct cg_id *dst, const struct cg_id *src)
{
	*dst = *src;
	dst->name = src->name ? xstrdup(src->name) : NULL;
}

static void
group_copy(struct cg_group *dst, const struct cg_group *src, const char *path)
{
	size_t i, k;

	memset(dst, 0, sizeof(*dst));
	dst->path = xstrdup(path);
	dst->loc = src->loc;
	dst->implied = src->implied;
	dst->perm = src->perm;
	id_copy(&dst->perm.task_uid, &src->perm.task_uid);
	id_copy(&dst->perm.task_gid, &src->perm.task_gid);
	id_copy(&dst->perm.admin_uid, &src->perm.admin_uid);
	id_copy(&dst->perm.admin_gid, &src->perm.admin_gid);
	dst->nctls = dst->ctls_alloc = src->nctls;
	dst->ctls = src->nctls ? xcalloc(src->nctls, sizeof(*dst->ctls)) : NULL;
	for (i = 0; i < src->nctls; i++) {
		const struct cg_ctlblock *sb = &src->ctls[i];
		struct cg_ctlblock *db = &dst->ctls[i];

		db->name = xstrdup(sb->name);
		db->loc = sb->loc;
		db->n = db->alloc = sb->n;
		db->settings = sb->n ? xcalloc(sb->n, sizeof(*db->settings)) : NULL;
		for (k = 0; k < sb->n; k++) {
			db->settings[k] = sb->settings[k];
			db->settings[k].file = xstrdup(sb->settings[k].file);
			cg_value_copy(&db->settings[k].value, &sb->settings[k].value);
		}
	}
}

/*
 * An implied group ("x" above "x/y", or "users/%u" above "users/%u/db") has no blocks
 * of its own: it exists where its descendants have blocks. A copy made for a move,
 * without those descendants, gets an empty block for each such controller, so that it
 * is made in the same hierarchies (where the move goes).
 */
static void
add_subtree_blocks(struct cg_group *g, const struct cg_model *src, const char *tpath)
{
	size_t len = strlen(tpath), i, k;

	for (i = 0; i < src->ngroups; i++) {
		const struct cg_group *d = &src->groups[i];

		if (strncmp(d->path, tpath, len) != 0 || d->path[len] != '/')
			continue;
		for (k = 0; k < d->nctls; k++) {
			struct cg_ctlblock *b;

			if (cg_group_controller(g, d->ctls[k].name))
				continue;
			g->ctls = xgrow(g->ctls, sizeof(*g->ctls), g->nctls + 1, &g->ctls_alloc);
			b = &g->ctls[g->nctls++];
			memset(b, 0, sizeof(*b));
			b->name = xstrdup(d->ctls[k].name);
			b->loc = d->ctls[k].loc;
		}
	}
}

/* Splits a destination at the '/' that are not escaped: the end offset of component k. */
static size_t
component_end(const char *s, size_t from)
{
	size_t i;

	for (i = from; s[i]; i++) {
		if (s[i] == '\\' && s[i + 1])
			i++;
		else if (s[i] == '/')
			return i;
	}
	return i;
}

void
cg_place_instantiate(struct cg_model *dst, const struct cg_model *src, const char *dest_raw,
		     const char *dest)
{
	/* the group names the destination's prefixes stand for (`w\eb` names web) */
	CG_AUTOFREE char *dest_text = cg_rule_dest_group(dest_raw);
	size_t ti = 0, di = 0;
	bool added = false;

	if (dst == src && !cg_rule_dest_has_tokens(dest_text))
		return;
	for (;;) {
		size_t te = component_end(dest_text, ti);
		const char *de_slash = strchr(dest + di, '/');
		size_t de = de_slash ? (size_t)(de_slash - dest) : strlen(dest);
		CG_AUTOFREE char *tpre = xstrndup(dest_text, te);
		CG_AUTOFREE char *dpre = xstrndup(dest, de);
		const struct cg_group *t = cg_model_find_group(src, tpre);
		const struct cg_group *c = cg_model_find_group(src, dpre);

		if (!(t && t->is_template) && dst != src && c && !c->is_template)
			t = c;
		else if (!(t && t->is_template))
			t = NULL;
		if (t && !cg_model_find_group(dst, dpre)) {
			struct cg_group copy;
			struct cg_group *g;

			group_copy(&copy, t, dpre);
			if (t->implied)
				add_subtree_blocks(&copy, src, t->path);
			g = cg_model_add_group(dst, dpre);
			/* the group index points at the path the model allocated: keep that one */
			free(copy.path);
			copy.path = g->path;
			*g = copy;
			added = true;
		}
		if (!dest_text[te] || !dest[de])
			break;
		ti = te + 1;
		di = de + 1;
	}
	if (added)
		cg_model_finish_groups(dst);
}

/* ---- scan ---- */

/* The executable as a move records it: tabs and newlines (the record's separators) as '?'. */
static char *
record_exe(const struct cg_proc *p)
{
	char *exe = xstrdup(p->exe ? p->exe : "");

	for (char *c = exe; *c; c++)
		if (*c == '\t' || *c == '\n')
			*c = '?';
	return exe;
}

static void
add_move(struct cg_moves *out, const struct cg_proc *p, const struct cg_hier *h, const char *from,
	 const char *to, const char *group, const struct cg_rule *r)
{
	struct cg_move *mv;

	out->items = xgrow(out->items, sizeof(*out->items), out->n + 1, &out->alloc);
	mv = &out->items[out->n++];
	memset(mv, 0, sizeof(*mv));
	mv->pid = p->pid;
	mv->start = p->start;
	mv->uid = p->euid;
	mv->exe = record_exe(p);
	mv->mount = xstrdup(h->mount);
	mv->from = xstrdup(from);
	mv->to = xstrdup(to);
	mv->group = xstrdup(group);
	mv->loc = r->loc;
	mv->rule = r;
	mv->status = CG_MOVE_PLANNED;
}

/*
 * Whether the destination group has a directory in hierarchy `h`, as apply/layout places
 * groups: where its blocks are and where its descendants' blocks are. A destination not
 * instantiated (yet) is looked up as the template the rule names. The anchor (the root
 * destination) is everywhere without --parent, else where any group is.
 */
static bool
dest_in_hier(const struct cg_model *m, const struct cg_hosttree *hosts, const char *parent,
	     const struct cg_rule *r, const char *group, const struct cg_hier *h)
{
	CG_AUTOFREE char *tmpl = NULL;
	const char *path = group;
	size_t len, i, k;

	if (!*group && (!parent || !*parent))
		return true;
	if (*group && !cg_model_find_group(m, group) && cg_rule_dest_has_tokens(r->destination))
		path = tmpl = cg_rule_dest_group(r->destination);
	len = strlen(path);
	for (i = 0; i < m->ngroups; i++) {
		const struct cg_group *g = &m->groups[i];

		if (len &&
		    (strncmp(g->path, path, len) != 0 || (g->path[len] && g->path[len] != '/')))
			continue;
		for (k = 0; k < g->nctls; k++) {
			const char *c = g->ctls[k].name;

			if (strcmp(c, "cgroup") == 0 ? h->version == CG_V2
						     : cg_hier_for_controller(hosts, c) == h)
				return true;
		}
	}
	return false;
}

static bool
path_ok(const char *s)
{
	return !strpbrk(s, "\t\n");
}

static void
scan_one(struct cg_model *m, const struct cg_hosttree *hosts, pid_t pid, bool explicit,
	 const struct cg_place_opts *o, struct cg_moves *out, struct cg_diags *d)
{
	const char *proc_root = o->proc_root ? o->proc_root : PROC_ROOT;
	struct cg_error *e = NULL;
	struct cg_proc p;
	struct cg_match mt;
	size_t i;
	int r = cg_proc_read(proc_root, pid, &p, &e);

	if (r == CG_PROC_READ_GONE) {
		if (explicit)
			cg_diag_warning(d, NULL, "process %ld does not exist", (long)pid);
		return;
	}
	if (r < 0) {
		if (explicit || e->errnum != EACCES)
			cg_diag_warning(d, NULL, "process %ld: %s%s%s", (long)pid, e->msg,
					e->errnum ? ": " : "",
					e->errnum ? strerror(e->errnum) : "");
		cg_error_free(e);
		return;
	}
	out->scanned++;
	if (p.kthread && explicit)
		cg_diag_note(d, NULL, "process %ld is a kernel thread: never moved", (long)pid);
	cg_match_process(m, hosts, o->parent, &p, &mt);
	if (mt.bad_rule)
		cg_diag_warning(
			d, &mt.bad_rule->loc,
			"process %ld ('%s'): the destination '%s' does not expand to a usable cgroup name; not placed by this rule",
			(long)pid, p.exe ? p.exe : p.comm, mt.bad_rule->destination);
	for (i = 0; i < mt.n; i++) {
		const struct cg_match_item *it = &mt.items[i];
		const char *from;
		CG_AUTOFREE char *to = NULL;

		if (it->stay) {
			out->stay++;
			continue;
		}
		from = cg_proc_cgroup_in(&p, it->hier);
		if (!from)
			continue;
		/*
		 * `*` places in every hierarchy where the group is (cgrulesengd's every mounted
		 * controller, over the groups we manage); a named controller the group lacks
		 * is a validation error, unless it is co-mounted elsewhere than usual.
		 */
		if (!dest_in_hier(m, hosts, o->parent, it->rule, it->dest, it->hier)) {
			if (!it->rule->all_controllers)
				cg_diag_warning(
					d, &it->rule->loc,
					"process %ld ('%s') goes to '%s' in hierarchy '%s', where the group has no directory; not moved there",
					(long)pid, p.exe ? p.exe : p.comm, it->dest,
					*it->hier->mount ? it->hier->mount : "/");
			continue;
		}
		to = join(o->parent, it->dest);
		if (strcmp(from, to) == 0)
			continue;
		if (!path_ok(to) || !path_ok(from)) {
			cg_diag_warning(
				d, &it->rule->loc,
				"process %ld: a cgroup path holds a tab or newline; not moved",
				(long)pid);
			continue;
		}
		if (o->instantiate)
			cg_place_instantiate(m, m, it->rule->destination, it->dest);
		add_move(out, &p, it->hier, from, to, it->dest, it->rule);
	}
	cg_match_release(&mt);
	cg_proc_release(&p);
}

int
cg_place_scan(struct cg_model *m, const struct cg_hosttree *hosts, const pid_t *pids, size_t npids,
	      const struct cg_place_opts *o, struct cg_moves *out, struct cg_diags *d,
	      struct cg_error **err)
{
	const char *proc_root = o->proc_root ? o->proc_root : PROC_ROOT;
	pid_t *all = NULL;
	size_t n = 0, i;

	if (!m->nrules)
		return 0;
	if (npids) {
		for (i = 0; i < npids; i++)
			scan_one(m, hosts, pids[i], true, o, out, d);
		return 0;
	}
	if (cg_proc_list(proc_root, &all, &n, err) < 0)
		return -1;
	for (i = 0; i < n; i++)
		scan_one(m, hosts, all[i], false, o, out, d);
	free(all);
	return 0;
}

/* ---- moving ---- */

static int
write_pid(struct cg_fs *fs, const char *mount, const char *dir, pid_t pid, struct cg_error **err)
{
	CG_AUTOFREE char *d = join(mount, dir);
	CG_AUTOFREE char *path = join(d, "cgroup.procs");
	char buf[32];
	int len;

	if (pid <= 0)
		return cg_error_set(err, CG_E_INTERNAL, 0, "refusing to move pid %ld", (long)pid);
	len = snprintf(buf, sizeof(buf), "%ld", (long)pid);
	return cg_fs_write(fs, path, buf, (size_t)len, err);
}

static bool
same_process(const char *proc_root, const struct cg_move *m)
{
	uint64_t start;

	return cg_proc_start_time(proc_root, m->pid, &start) && start == m->start;
}

int
cg_place_run(struct cg_fs *fs, const char *proc_root, struct cg_moves *mv, struct cg_error **err)
{
	struct cg_error *first = NULL;
	size_t i;

	if (!proc_root)
		proc_root = PROC_ROOT;
	for (i = 0; i < mv->n; i++) {
		struct cg_move *m = &mv->items[i];
		struct cg_error *e = NULL;

		if (m->status != CG_MOVE_PLANNED)
			continue;
		if (!same_process(proc_root, m)) {
			m->status = CG_MOVE_GONE;
			continue;
		}
		if (write_pid(fs, m->mount, m->to, m->pid, &e) == 0) {
			m->status = CG_MOVE_DONE;
			continue;
		}
		if (e->errnum == ESRCH || !same_process(proc_root, m)) {
			m->status = CG_MOVE_GONE;
			cg_error_free(e);
			continue;
		}
		m->status = CG_MOVE_FAILED;
		m->errnum = e->errnum;
		if (!first) {
			cg_error_wrap(&e, "cannot move process %ld to '%s%s%s'", (long)m->pid,
				      m->mount, *m->mount ? "/" : "", m->to);
			first = e;
		} else {
			cg_error_free(e);
		}
	}
	if (first) {
		*err = first;
		return -1;
	}
	return 0;
}

static const struct cg_hier *
hier_by_mount(const struct cg_hosttree *hosts, const char *mount)
{
	size_t i;

	for (i = 0; i < hosts->n; i++)
		if (strcmp(hosts->hiers[i].mount, mount) == 0)
			return &hosts->hiers[i];
	return NULL;
}

size_t
cg_place_undo(struct cg_fs *fs, const char *proc_root, const struct cg_hosttree *hosts,
	      struct cg_moves *mv, struct cg_error **err)
{
	size_t i, undone = 0;

	if (!proc_root)
		proc_root = PROC_ROOT;
	for (i = mv->n; i-- > 0;) {
		struct cg_move *m = &mv->items[i];
		const struct cg_hier *h = hier_by_mount(hosts, m->mount);
		struct cg_error *e = NULL;
		struct cg_proc p;
		const char *cur;
		int r;

		if (m->status != CG_MOVE_DONE || !h)
			continue;
		r = cg_proc_read(proc_root, m->pid, &p, &e);
		if (r != CG_PROC_READ_OK) {
			cg_error_free(e);
			m->status = CG_MOVE_GONE;
			continue;
		}
		cur = cg_proc_cgroup_in(&p, h);
		if (p.start != m->start || !cur || strcmp(cur, m->to) != 0) {
			/* exited and reused, or moved since: leave it */
			cg_proc_release(&p);
			continue;
		}
		cg_proc_release(&p);
		if (write_pid(fs, m->mount, m->from, m->pid, &e) < 0) {
			if (e->errnum == ESRCH) {
				cg_error_free(e);
				m->status = CG_MOVE_GONE;
				continue;
			}
			if (err && !*err)
				*err = e;
			else
				cg_error_free(e);
			continue;
		}
		m->status = CG_MOVE_UNDONE;
		undone++;
	}
	return undone;
}

/* ---- systemd's cgroups ---- */

int
cg_place_check_systemd(struct cg_fs *fs, const struct cg_hosttree *hosts, const struct cg_moves *mv,
		       struct cg_error **err)
{
	CG_AUTOFREE char *first = NULL;
	CG_AUTOFREE char *first_owner = NULL;
	size_t i, k, n = 0;

	for (i = 0; i < mv->n; i++) {
		const struct cg_move *m = &mv->items[i];
		CG_AUTOFREE char *dir = NULL;
		char *owner = NULL;

		if (m->status != CG_MOVE_PLANNED)
			continue;
		/* each refused directory once */
		for (k = 0; k < i; k++)
			if (mv->items[k].status == CG_MOVE_PLANNED &&
			    strcmp(mv->items[k].mount, m->mount) == 0 &&
			    strcmp(mv->items[k].to, m->to) == 0)
				break;
		if (k < i)
			continue;
		dir = join(m->mount, m->to);
		if (cg_systemd_owner(fs, hosts, m->mount, dir, "cgroup.procs", &owner, err) < 0)
			return -1;
		if (!owner)
			continue;
		if (!n++) {
			first = dir;
			dir = NULL;
			first_owner = owner;
		} else {
			free(owner);
		}
	}
	if (n > 1)
		return cg_error_set(
			err, CG_E_PRECOND, 0,
			"refusing to move processes into '%s' (and %zu more director%s): the cgroup '%s' belongs to systemd, which runs as PID 1 and has not delegated it",
			first, n - 1, n == 2 ? "y" : "ies", first_owner);
	if (n)
		return cg_error_set(
			err, CG_E_PRECOND, 0,
			"refusing to move processes into '%s': the cgroup '%s' belongs to systemd, which runs as PID 1 and has not delegated it",
			first, first_owner);
	return 0;
}

/* ---- a saved plan's moves ---- */

void
cg_place_recheck(const char *proc_root, const struct cg_hosttree *hosts, struct cg_moves *mv)
{
	size_t i, k = 0;

	if (!proc_root)
		proc_root = PROC_ROOT;
	for (i = 0; i < mv->n; i++) {
		struct cg_move *m = &mv->items[i];
		const struct cg_hier *h = hier_by_mount(hosts, m->mount);
		struct cg_error *e = NULL;
		struct cg_proc p;
		CG_AUTOFREE char *exe = NULL;
		const char *cur;

		if (m->status != CG_MOVE_PLANNED)
			goto keep;
		if (!h || cg_proc_read(proc_root, m->pid, &p, &e) != CG_PROC_READ_OK) {
			cg_error_free(e);
			m->status = CG_MOVE_GONE;
			goto keep;
		}
		exe = record_exe(&p);
		cur = cg_proc_cgroup_in(&p, h);
		/* not the process the plan was made for: a reused pid, an exec, a setuid */
		if (p.start != m->start || p.euid != m->uid || strcmp(exe, m->exe) != 0 || !cur ||
		    !path_ok(cur)) {
			m->status = CG_MOVE_GONE;
		} else if (strcmp(cur, m->to) == 0) {
			/* already there: nothing to do, nothing to move back */
			cg_proc_release(&p);
			move_release(m);
			continue;
		} else if (strcmp(cur, m->from) != 0) {
			/* moved since: it goes from where it is, and rollback brings it back there
			 */
			free(m->from);
			m->from = xstrdup(cur);
		}
		cg_proc_release(&p);
keep:
		mv->items[k++] = *m;
	}
	mv->n = k;
}

/* ---- the record ---- */

static void
serialize_items(const struct cg_moves *mv, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < mv->n; i++) {
		const struct cg_move *m = &mv->items[i];

		if (m->status != CG_MOVE_DONE && m->status != CG_MOVE_PLANNED)
			continue;
		strbuf_addf(out, "move %ld %" PRIu64 " %lu %s\t%s\t%s\t%s\n", (long)m->pid,
			    m->start, (unsigned long)m->uid, m->mount, m->from, m->to, m->exe);
	}
}

void
cg_moves_serialize_after(const struct cg_moves *earlier, const struct cg_moves *mv,
			 struct strbuf *out)
{
	strbuf_adds(out, "moves 1\n");
	if (earlier)
		serialize_items(earlier, out);
	serialize_items(mv, out);
	strbuf_adds(out, "end\n");
}

void
cg_moves_serialize(const struct cg_moves *mv, struct strbuf *out)
{
	cg_moves_serialize_after(NULL, mv, out);
}

int
cg_moves_parse(const char *text, size_t len, struct cg_moves *out, struct cg_error **err)
{
	CG_AUTOFREE char *copy = xstrndup(text, len);
	char *line = copy, *nl;
	size_t lineno = 0;
	struct cg_moves mv;

	cg_moves_init(&mv);
	while (line && *line) {
		char *f[4];
		long pid;
		unsigned long uid;
		uint64_t start;
		int used = 0;
		size_t k;
		char *s;

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		if (lineno == 1) {
			if (strcmp(line, "moves 1") != 0)
				goto bad;
		} else if (strcmp(line, "end") == 0) {
			*out = mv;
			return 0;
		} else {
			struct cg_move *m;

			if (sscanf(line, "move %ld %" SCNu64 " %lu %n", &pid, &start, &uid, &used) <
				    3 ||
			    !used || pid <= 0)
				goto bad;
			s = line + used;
			for (k = 0; k < 4; k++) {
				f[k] = s;
				s = strchr(s, '\t');
				if (k < 3) {
					if (!s)
						goto bad;
					*s++ = '\0';
				}
			}
			mv.items = xgrow(mv.items, sizeof(*mv.items), mv.n + 1, &mv.alloc);
			m = &mv.items[mv.n++];
			memset(m, 0, sizeof(*m));
			m->pid = (pid_t)pid;
			m->start = start;
			m->uid = (uid_t)uid;
			m->mount = xstrdup(f[0]);
			m->from = xstrdup(f[1]);
			m->to = xstrdup(f[2]);
			m->exe = xstrdup(f[3]);
			m->group = xstrdup("");
			m->status = CG_MOVE_DONE;
		}
		line = nl ? nl + 1 : NULL;
	}
bad:
	cg_moves_release(&mv);
	return cg_error_set(err, CG_E_PRECOND, 0, "cannot read the saved moves: line %zu", lineno);
}

/* Whether every pid listed in `procs` (cgroup.procs) is that of a done move into `dir`. */
static bool
all_moved_here(const struct cg_moves *mv, const char *dir, const char *procs, size_t *here)
{
	const char *s = procs;
	char *end;
	bool all = true;

	for (; *s; s = end) {
		long pid = strtol(s, &end, 10);
		bool moved = false;
		size_t i;

		if (end == s) {
			end = (char *)s + 1;
			continue;
		}
		for (i = 0; i < mv->n && !moved; i++) {
			const struct cg_move *m = &mv->items[i];
			CG_AUTOFREE char *to = join(m->mount, m->to);

			moved = m->status == CG_MOVE_DONE && m->pid == pid && strcmp(to, dir) == 0;
		}
		if (moved)
			(*here)++;
		else
			all = false;
	}
	return all;
}

size_t
cg_place_assume_undone(struct cg_fs *fs, const struct cg_moves *mv, struct cg_state *live)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, here = 0;

	for (i = 0; i < live->n; i++) {
		struct cg_state_dir *d = &live->dirs[i];
		CG_AUTOFREE char *path = NULL;
		struct cg_error *e = NULL;
		size_t n = 0;

		if (!d->exists || !d->populated)
			continue;
		path = xasprintf("%s/cgroup.procs", d->fspath);
		if (cg_fs_read(fs, path, &sb, &e) < 0) {
			cg_error_free(e);
			continue;
		}
		if (all_moved_here(mv, d->fspath, sb.buf, &n) && n)
			d->populated = false;
		here += n;
	}
	strbuf_release(&sb);
	return here;
}

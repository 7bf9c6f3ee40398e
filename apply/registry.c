/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "apply/registry.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apply/fs.h"
#include "apply/hierarchy.h"
#include "apply/journal.h"
#include "apply/plan.h"
#include "apply/snapshot.h"
#include "lib/cleanup.h"
#include "lib/strbuf.h"
#include "lib/strmap.h"
#include "lib/xalloc.h"
#include "parser/schema.h"

#define REGISTRY_NAME  "created"
#define REGISTRY_MAGIC "cgapply created 1\n"

static int
path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
cg_registry_free(char **paths, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

int
cg_registry_read(const char *state_dir, char ***paths, size_t *n, struct cg_error **err)
{
	struct strbuf sb = STRBUF_INIT;
	char **v = NULL;
	size_t count = 0, alloc = 0;
	const char *p, *end;
	bool found;

	if (cg_statedir_read(state_dir, REGISTRY_NAME, &sb, &found, err) < 0)
		return -1;
	if (found && strncmp(sb.buf, REGISTRY_MAGIC, strlen(REGISTRY_MAGIC)) != 0) {
		strbuf_release(&sb);
		return cg_error_set(err, CG_E_PRECOND, 0,
				    "'%s/" REGISTRY_NAME "' is not a cgapply registry", state_dir);
	}
	p = found ? sb.buf + strlen(REGISTRY_MAGIC) : sb.buf;
	end = sb.buf + sb.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (len) {
			v = xgrow(v, sizeof(*v), count + 1, &alloc);
			v[count++] = xstrndup(p, len);
		}
		p += len + 1;
	}
	strbuf_release(&sb);
	if (count > 1)
		qsort(v, count, sizeof(*v), path_cmp);
	*paths = v;
	*n = count;
	return 0;
}

static bool
existed(const struct cg_state *s, const char *fspath)
{
	const struct cg_state_dir *d = cg_state_find(s, fspath);

	return d && d->exists;
}

int
cg_registry_update(const char *state_dir, const struct cg_state *from, const struct cg_state *to,
		   struct cg_error **err)
{
	struct strbuf out = STRBUF_INIT;
	char **old = NULL;
	size_t n = 0, i;
	bool changed = false;
	int r;

	if (cg_registry_read(state_dir, &old, &n, err) < 0)
		return -1;
	strbuf_adds(&out, REGISTRY_MAGIC);
	/* what stays recorded: not removed by this run */
	for (i = 0; i < n; i++) {
		const struct cg_state_dir *d = cg_state_find(to, old[i]);

		if (d && !d->exists && existed(from, old[i])) {
			changed = true;
			continue;
		}
		strbuf_addf(&out, "%s\n", old[i]);
	}
	/* what this run created (never an anchor: those cgapply only reads) */
	for (i = 0; i < to->n; i++) {
		const struct cg_state_dir *d = &to->dirs[i];
		size_t k;
		bool known = false;

		if (!d->exists || existed(from, d->fspath) || !cg_state_find(from, d->fspath))
			continue;
		for (k = 0; k < n && !known; k++)
			known = strcmp(old[k], d->fspath) == 0;
		if (known)
			continue;
		strbuf_addf(&out, "%s\n", d->fspath);
		changed = true;
	}
	cg_registry_free(old, n);
	r = changed ? cg_statedir_write(state_dir, REGISTRY_NAME, &out, err) : 0;
	strbuf_release(&out);
	return r;
}

/*
 * The hierarchy `fspath` is in, when it lies below that hierarchy's --parent directory;
 * *group gets the path below that directory.
 */
static const struct cg_hier *
below_parent(const struct cg_hosttree *hosts, const char *parent, const char *fspath,
	     const char **group)
{
	const struct cg_hier *best = NULL;
	size_t best_len = 0, i;

	for (i = 0; i < hosts->n; i++) {
		const struct cg_hier *h = &hosts->hiers[i];
		CG_AUTOFREE char *base = NULL;
		size_t len;

		if (*h->mount && parent && *parent)
			base = xasprintf("%s/%s", h->mount, parent);
		else
			base = xstrdup(*h->mount ? h->mount : parent ? parent : "");
		len = strlen(base);
		if (len == 0 ? *fspath == '\0'
			     : strncmp(fspath, base, len) != 0 || fspath[len] != '/')
			continue;
		if (!best || len > best_len) {
			best = h;
			best_len = len;
		}
	}
	if (best)
		*group = fspath + best_len + (best_len ? 1 : 0);
	return best;
}

static bool
is_populated(struct cg_fs *fs, const char *fspath, enum cg_version ver)
{
	CG_AUTOFREE char *path =
		xasprintf("%s/%s", fspath, ver == CG_V2 ? "cgroup.procs" : "tasks");
	struct strbuf sb = STRBUF_INIT;
	struct cg_error *e = NULL;
	bool populated = false;
	size_t i;

	if (cg_fs_read(fs, path, &sb, &e) < 0) {
		cg_error_free(e);
		strbuf_release(&sb);
		return true; /* unreadable: assume the worst, the planner then refuses */
	}
	for (i = 0; i < sb.len && !populated; i++)
		populated = sb.buf[i] >= '0' && sb.buf[i] <= '9';
	strbuf_release(&sb);
	return populated;
}

/*
 * The files of a pruned group whose values a rollback restores: the control-file table's
 * state files (what cgapply can set, not statistics, actions or files the kernel
 * ignores), and v1 devices.list, the effective devices rules.
 */
static bool
restorable(const char *name, enum cg_version ver)
{
	const struct cg_filedef *def = cg_schema_file_any(name);

	if (ver == CG_V1 && strcmp(name, "devices.list") == 0)
		return true;
	if (!def || plan_devices_intent(name, ver))
		return false;
	return !(def->flags & (CG_FF_READONLY | CG_FF_ACTION | CG_FF_FORBIDDEN | CG_FF_IGNORED));
}

static int
read_one(struct cg_fs *fs, const struct cg_hier *h, const char *fspath, char *const *names,
	 size_t n, struct cg_state *out, struct cg_error **err)
{
	struct cg_state like;
	struct cg_state_dir *ld;
	size_t k;
	int r;

	cg_state_init(&like);
	ld = cg_state_add_dir(&like, fspath);
	ld->hier = h;
	for (k = 0; k < n; k++)
		cg_state_add_file(ld, names[k], cg_schema_file_any(names[k]));
	r = cg_snapshot_reread(fs, &like, out, err);
	cg_state_release(&like);
	return r;
}

/*
 * The values of a group about to be pruned, so that the state from before the apply
 * (and a rollback to it) holds them, not only the directory. A file that cannot be
 * read is left out with a warning: a rollback would recreate the group without it.
 */
static void
read_values(struct cg_fs *fs, const struct cg_hier *h, const char *fspath, struct cg_state_dir *c,
	    struct cg_diags *d)
{
	struct cg_error *e = NULL;
	char **names = NULL;
	size_t n = 0, k, f;
	struct cg_state one;
	const struct cg_state_dir *rd;

	if (cg_fs_list(fs, fspath, false, &names, &n, &e) < 0) {
		cg_diag_warning(
			d, NULL,
			"cannot list '%s' before pruning it (%s): a rollback would recreate it without its values",
			fspath, e->msg);
		cg_error_free(e);
		return;
	}
	/* the owners and modes, from a read of the directory alone */
	if (read_one(fs, h, fspath, NULL, 0, &one, &e) < 0) {
		cg_diag_warning(d, NULL, "cannot read '%s' before pruning it (%s)", fspath, e->msg);
		cg_error_free(e);
		e = NULL;
	} else {
		if ((rd = cg_state_find(&one, fspath)) && rd->exists) {
			if (!c->dir.owner_set)
				c->dir = rd->dir;
			if (!c->tasks.owner_set)
				c->tasks = rd->tasks;
			if (!c->ctlfiles.owner_set)
				c->ctlfiles = rd->ctlfiles;
		}
		cg_state_release(&one);
	}
	/* then each file on its own, so that one that cannot be read is all that is lost */
	for (k = 0; k < n; k++) {
		if (!restorable(names[k], h->version))
			continue;
		if (read_one(fs, h, fspath, &names[k], 1, &one, &e) < 0) {
			cg_diag_warning(
				d, NULL,
				"cannot read '%s/%s' before pruning it (%s): a rollback would not restore it",
				fspath, names[k], e->msg);
			cg_error_free(e);
			e = NULL;
			continue;
		}
		rd = cg_state_find(&one, fspath);
		for (f = 0; rd && rd->exists && f < rd->nfiles; f++)
			if (rd->files[f].present && !cg_state_file(c, rd->files[f].name))
				cg_state_set(c, rd->files[f].name, rd->files[f].def,
					     &rd->files[f].value);
		cg_state_release(&one);
	}
	cg_registry_free(names, n);
}

static void
add_prunable(struct cg_fs *fs, const struct cg_hier *h, const char *group, const char *fspath,
	     struct cg_state *cur, struct cg_state *target, struct cg_diags *d)
{
	struct cg_state_dir *c = cg_state_find(cur, fspath);
	struct cg_state_dir *t;

	if (!c) {
		c = cg_state_add_dir(cur, fspath);
		c->hier = h;
		c->group = xstrdup(group);
	}
	c->exists = true;
	c->foreign = false;
	read_values(fs, h, fspath, c, d);
	c->populated = is_populated(fs, fspath, h->version);
	t = cg_state_find(target, fspath);
	if (!t) {
		t = cg_state_add_dir(target, fspath);
		t->hier = h;
		t->group = xstrdup(group);
	}
	t->exists = false;
	t->foreign = false;
}

int
cg_registry_prune(struct cg_fs *fs, const char *state_dir, const struct cg_hosttree *hosts,
		  const char *parent, struct cg_state *cur, struct cg_state *target,
		  struct cg_diags *d, struct cg_error **err)
{
	struct strmap recorded = STRMAP_INIT;
	char **paths = NULL;
	size_t n = 0, i, k;

	if (cg_registry_read(state_dir, &paths, &n, err) < 0)
		return -1;
	for (i = 0; i < n; i++)
		strmap_put(&recorded, paths[i], strlen(paths[i]), i);
	for (i = 0; i < n; i++) {
		const char *group = NULL;
		const struct cg_hier *h = below_parent(hosts, parent, paths[i], &group);
		const struct cg_state_dir *t = cg_state_find(target, paths[i]);
		struct cg_error *e = NULL;
		struct stat st;
		char **kids = NULL;
		size_t nkids = 0;

		/* a foreign dir is one the snapshot found unlisted: this one is cgapply's */
		if (!h || !*group || (t && t->exists && !t->foreign))
			continue;
		if (cg_fs_stat(fs, paths[i], &st, &e) < 0) {
			cg_error_free(e); /* gone already: nothing to remove */
			continue;
		}
		if (cg_fs_list(fs, paths[i], true, &kids, &nkids, &e) < 0) {
			cg_error_free(e);
			nkids = 0;
		}
		for (k = 0; k < nkids; k++) {
			CG_AUTOFREE char *kid = xasprintf("%s/%s", paths[i], kids[k]);
			size_t idx;

			if (!strmap_get(&recorded, kid, strlen(kid), &idx))
				cg_diag_error(
					d, NULL,
					"cannot prune '%s': it holds '%s', which cgapply did not create; remove or move that group first",
					paths[i], kids[k]);
		}
		cg_registry_free(kids, nkids);
		add_prunable(fs, h, group, paths[i], cur, target, d);
	}
	strmap_release(&recorded);
	cg_registry_free(paths, n);
	return 0;
}

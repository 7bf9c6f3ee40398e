/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "apply/snapshot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apply/fs.h"
#include "apply/hierarchy.h"
#include "apply/plan.h"
#include "apply/readback.h"
#include "lib/cleanup.h"
#include "lib/strbuf.h"
#include "lib/strmap.h"
#include "lib/xalloc.h"
#include "parser/schema.h"

/*
 * For each directory:
 *   exists     lstat of the directory (ENOENT: not there; every file is then absent)
 *   dir        its uid, gid and permission bits
 *   tasks      those of `tasks` (v1) or `cgroup.procs` (v2), when the file exists
 *   ctlfiles   those of the first listed file that the kernel makes writable (not a
 *              read-only or forbidden table entry), else of cgroup.clone_children (v1) or
 *              cgroup.max.depth (v2), when one exists
 *   populated  v1: `tasks` is not empty; v2: cgroup.events says "populated 1" (or, with
 *              no cgroup.events, cgroup.procs is not empty)
 *   files      each listed file read and parsed (apply/readback); ENOENT: absent
 * A foreign directory (an unlisted child, apply/layout.h) gets only `exists` and its
 * files: nothing else of it matters to the planner, which never writes it, and reading
 * its tasks would cost a read per child for nothing.
 */

static char *
in_dir(const char *dir, const char *name)
{
	return *dir ? xasprintf("%s/%s", dir, name) : xstrdup(name);
}

/* lstat of dir/name; 1 when it exists, 0 on ENOENT, -1 on another error */
static int
stat_opt(struct cg_fs *fs, const char *path, struct stat *st, struct cg_error **err)
{
	struct cg_error *e = NULL;

	if (cg_fs_stat(fs, path, st, &e) == 0)
		return 1;
	if (e->errnum == ENOENT) {
		cg_error_free(e);
		return 0;
	}
	*err = e;
	return -1;
}

/* reads dir/name; 1 when read, 0 on ENOENT, -1 on another error */
static int
read_opt(struct cg_fs *fs, const char *path, struct strbuf *sb, struct cg_error **err)
{
	struct cg_error *e = NULL;

	if (cg_fs_read(fs, path, sb, &e) == 0)
		return 1;
	if (e->errnum == ENOENT) {
		cg_error_free(e);
		return 0;
	}
	*err = e;
	return -1;
}

static void
set_owner(struct cg_state_owner *o, const struct stat *st)
{
	o->owner_set = true;
	o->uid = st->st_uid;
	o->gid = st->st_gid;
	o->mode_set = true;
	o->mode = st->st_mode & 07777;
}

static int
owner_of(struct cg_fs *fs, const char *dir, const char *name, struct cg_state_owner *o,
	 struct cg_error **err)
{
	CG_AUTOFREE char *path = in_dir(dir, name);
	struct stat st;
	int r = stat_opt(fs, path, &st, err);

	if (r > 0)
		set_owner(o, &st);
	return r;
}

static bool
writable_file(const char *name)
{
	const struct cg_filedef *def = cg_schema_file_any(name);

	return !def || !(def->flags & (CG_FF_READONLY | CG_FF_FORBIDDEN | CG_FF_ACTION));
}

static bool
only_blanks(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n')
			return false;
	return true;
}

static int
read_populated(struct cg_fs *fs, struct cg_state_dir *sd, struct cg_error **err)
{
	struct strbuf sb = STRBUF_INIT;
	CG_AUTOFREE char *path = NULL;
	int r;

	if (!sd->hier || sd->hier->version == CG_V1) {
		path = in_dir(sd->fspath, "tasks");
		r = read_opt(fs, path, &sb, err);
		sd->populated = r > 0 && !only_blanks(sb.buf);
		strbuf_release(&sb);
		return r < 0 ? -1 : 0;
	}
	path = in_dir(sd->fspath, "cgroup.events");
	r = read_opt(fs, path, &sb, err);
	if (r > 0) {
		const char *p = strstr(sb.buf, "populated ");

		sd->populated = p && (p == sb.buf || p[-1] == '\n') && p[10] == '1';
		strbuf_release(&sb);
		return 0;
	}
	if (r < 0) {
		strbuf_release(&sb);
		return -1;
	}
	free(path);
	path = in_dir(sd->fspath, "cgroup.procs");
	r = read_opt(fs, path, &sb, err);
	sd->populated = r > 0 && !only_blanks(sb.buf);
	strbuf_release(&sb);
	return r < 0 ? -1 : 0;
}

static int
read_file(struct cg_fs *fs, struct cg_state_dir *sd, const char *name, struct cg_error **err)
{
	const struct cg_filedef *def = cg_schema_file_any(name);
	CG_AUTOFREE char *path = in_dir(sd->fspath, name);
	struct strbuf sb = STRBUF_INIT;
	struct cg_value v;
	int r;

	/* write-only (EINVAL on read): the rules show in devices.list */
	if (plan_devices_intent(name, sd->hier ? sd->hier->version : CG_V1)) {
		cg_state_add_file(sd, name, def);
		return 0;
	}
	r = read_opt(fs, path, &sb, err);
	if (r <= 0) {
		strbuf_release(&sb);
		if (r == 0)
			cg_state_add_file(sd, name, def);
		return r;
	}
	r = cg_readback_parse(def, name, sb.buf, sd->hier ? sd->hier->version : CG_V1, &v, err);
	strbuf_release(&sb);
	if (r < 0)
		return cg_error_wrap(err, "cannot read the state of '%s'", sd->fspath);
	cg_state_set(sd, name, def, &v);
	cg_value_release(&v);
	return 0;
}

/* Fills sd (fspath, hier, group and anchor set) from the tree. */
static int
read_dir(struct cg_fs *fs, struct cg_state_dir *sd, char *const *names, size_t n,
	 struct cg_error **err)
{
	bool v2 = sd->hier && sd->hier->version == CG_V2;
	const char *const *fallback;
	static const char *const v1_fallback[] = { "cgroup.clone_children", NULL };
	static const char *const v2_fallback[] = { "cgroup.max.depth", NULL };
	struct stat st;
	size_t i;
	int r;

	r = stat_opt(fs, sd->fspath, &st, err);
	if (r < 0)
		return -1;
	if (r > 0 && !S_ISDIR(st.st_mode))
		return cg_error_set(err, CG_E_SYSTEM, ENOTDIR, "cannot read the state of '%s'",
				    sd->fspath);
	if (r == 0) {
		for (i = 0; i < n; i++)
			cg_state_add_file(sd, names[i], cg_schema_file_any(names[i]));
		return 0;
	}
	sd->exists = true;
	if (sd->foreign) {
		for (i = 0; i < n; i++)
			if (read_file(fs, sd, names[i], err) < 0)
				return -1;
		return 0;
	}
	set_owner(&sd->dir, &st);
	if (owner_of(fs, sd->fspath, v2 ? "cgroup.procs" : "tasks", &sd->tasks, err) < 0)
		return -1;
	for (i = 0; i < n && !sd->ctlfiles.owner_set; i++) {
		if (!writable_file(names[i]))
			continue;
		if (owner_of(fs, sd->fspath, names[i], &sd->ctlfiles, err) < 0)
			return -1;
	}
	for (fallback = v2 ? v2_fallback : v1_fallback; *fallback && !sd->ctlfiles.owner_set;
	     fallback++)
		if (owner_of(fs, sd->fspath, *fallback, &sd->ctlfiles, err) < 0)
			return -1;
	if (read_populated(fs, sd, err) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (read_file(fs, sd, names[i], err) < 0)
			return -1;
	return 0;
}

/*
 * The subdirectories of layout dir `d` (which exists) that the layout does not list, each
 * read as a foreign dir with d's child_files. A directory that goes away meanwhile is
 * simply not there.
 */
static int
read_foreign(struct cg_fs *fs, const struct cg_layout *l, const struct cg_layout_dir *d,
	     struct cg_state *s, struct cg_error **err)
{
	struct cg_error *e = NULL;
	char **names = NULL;
	size_t n = 0, k;
	int r = 0;

	if (cg_fs_list(fs, d->fspath, true, &names, &n, &e) < 0) {
		if (e->errnum == ENOENT || e->errnum == ENOTDIR) {
			cg_error_free(e);
			return 0;
		}
		*err = e;
		return cg_error_wrap(err, "cannot read the state of '%s'", d->fspath);
	}
	for (k = 0; k < n && r == 0; k++) {
		CG_AUTOFREE char *path = in_dir(d->fspath, names[k]);
		struct cg_state_dir *sd;

		if (cg_layout_find(l, path) || cg_state_find(s, path))
			continue;
		sd = cg_state_add_dir(s, path);
		sd->hier = d->hier;
		sd->foreign = true;
		r = read_dir(fs, sd, d->child_files, d->nchild_files, err);
	}
	for (k = 0; k < n; k++)
		free(names[k]);
	free(names);
	return r;
}

/* The nearest ancestor of `d` in `s` that exists and is not its hierarchy's root. */
static const struct cg_state_dir *
existing_ancestor(const struct cg_state *s, const struct cg_state_dir *d)
{
	const struct cg_state_dir *p;

	for (p = cg_state_parent(s, d); p; p = cg_state_parent(s, p)) {
		if (p->hier && p->hier->mount && strcmp(p->fspath, p->hier->mount) == 0)
			return NULL; /* the root lacks files every other group has */
		if (p->exists && !p->foreign)
			return p;
	}
	return NULL;
}

/*
 * The files of a directory to create are checked against its nearest existing ancestor:
 * the kernel gives every non-root group of a hierarchy the same files, so one the
 * ancestor lacks is one this kernel does not have (blkio.weight without BFQ...), which
 * the write after the mkdir would meet as ENOENT. One stat per ancestor and file.
 */
static void
probe_new_dirs(struct cg_fs *fs, struct cg_state *s)
{
	struct strmap seen = STRMAP_INIT; /* "ancestor/file" -> lacking; keys in `paths` */
	char **paths = NULL;
	size_t npaths = 0, alloc = 0, i, k, v;

	for (i = 0; i < s->n; i++) {
		struct cg_state_dir *d = &s->dirs[i];
		const struct cg_state_dir *a;

		if (d->exists || d->foreign || !(a = existing_ancestor(s, d)))
			continue;
		for (k = 0; k < d->nfiles; k++) {
			char *path = in_dir(a->fspath, d->files[k].name);
			struct cg_error *e = NULL;
			struct stat st;

			if (strmap_get(&seen, path, strlen(path), &v)) {
				free(path);
			} else {
				v = stat_opt(fs, path, &st, &e) == 0;
				cg_error_free(e);
				paths = xgrow(paths, sizeof(*paths), npaths + 1, &alloc);
				paths[npaths++] = path;
				strmap_set(&seen, path, strlen(path), v);
			}
			d->files[k].lacking = v;
		}
	}
	strmap_release(&seen);
	for (i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
}

int
cg_snapshot_read(struct cg_fs *fs, const struct cg_layout *l, struct cg_state *out,
		 struct cg_error **err)
{
	struct cg_state s;
	size_t i;

	cg_state_init(&s);
	for (i = 0; i < l->n; i++) {
		const struct cg_layout_dir *d = &l->dirs[i];
		struct cg_state_dir *sd = cg_state_add_dir(&s, d->fspath);

		sd->hier = d->hier;
		sd->group = d->group ? xstrdup(d->group) : NULL;
		sd->anchor = d->kind != CG_LAYOUT_GROUP;
		if (read_dir(fs, sd, d->files, d->nfiles, err) < 0) {
			cg_state_release(&s);
			return -1;
		}
	}
	probe_new_dirs(fs, &s);
	/* after the listed dirs: adding moves the array */
	for (i = 0; i < l->n; i++) {
		const struct cg_layout_dir *d = &l->dirs[i];
		const struct cg_state_dir *sd = cg_state_find(&s, d->fspath);

		if (!d->nchild_files || !sd || !sd->exists)
			continue;
		if (read_foreign(fs, l, d, &s, err) < 0) {
			cg_state_release(&s);
			return -1;
		}
	}
	*out = s;
	return 0;
}

int
cg_snapshot_reread(struct cg_fs *fs, const struct cg_state *like, struct cg_state *out,
		   struct cg_error **err)
{
	struct cg_state s;
	size_t i, j;

	cg_state_init(&s);
	for (i = 0; i < like->n; i++) {
		const struct cg_state_dir *d = &like->dirs[i];
		struct cg_state_dir *sd = cg_state_add_dir(&s, d->fspath);
		char **names = xcalloc(d->nfiles + 1, sizeof(*names));
		int r;

		for (j = 0; j < d->nfiles; j++)
			names[j] = d->files[j].name;
		sd->hier = d->hier;
		sd->group = d->group ? xstrdup(d->group) : NULL;
		sd->anchor = d->anchor;
		sd->foreign = d->foreign;
		r = read_dir(fs, sd, names, d->nfiles, err);
		free(names);
		if (r < 0) {
			cg_state_release(&s);
			return -1;
		}
	}
	*out = s;
	return 0;
}

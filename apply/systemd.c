/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "apply/systemd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"

bool
cg_systemd_booted(const char *rundir)
{
	return access(rundir ? rundir : "/run/systemd/system", F_OK) == 0;
}

bool
cg_systemd_unit_name(const char *name, size_t len)
{
	/* the unit types that get a cgroup (systemd.unit(5)) */
	static const char *const suffixes[] = { ".slice",  ".service", ".scope",
						".socket", ".mount",   ".swap" };
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t n = strlen(suffixes[i]);

		if (len > n && memcmp(name + len - n, suffixes[i], n) == 0)
			return true;
	}
	return false;
}

/* The absence of an attribute, of xattrs, or of the directory: not delegated. */
static bool
absent(int errnum)
{
	return errnum == ENODATA || errnum == ENOTSUP || errnum == EOPNOTSUPP || errnum == ENOENT ||
	       errnum == ENOTDIR;
}

/* 1 when `path` carries a delegate mark (a value other than "0"), 0 when not, -1 on error. */
static int
marked(struct cg_fs *fs, const char *path, struct cg_error **err)
{
	static const char *const names[] = { "trusted.delegate", "user.delegate" };
	struct strbuf val = STRBUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct cg_error *e = NULL;

		if (cg_fs_getxattr(fs, path, names[i], &val, &e) < 0) {
			if (absent(e->errnum)) {
				cg_error_free(e);
				continue;
			}
			strbuf_release(&val);
			*err = e;
			return -1;
		}
		if (strcmp(val.buf, "0") != 0) {
			strbuf_release(&val);
			return 1;
		}
	}
	strbuf_release(&val);
	return 0;
}

/* The cgroup at `rel` (inside hierarchy `mount`) is delegated: looked up in systemd's own tree too.
 */
static int
delegated(struct cg_fs *fs, const struct cg_hosttree *hosts, const char *mount, const char *rel,
	  struct cg_error **err)
{
	const char *v2 = NULL;
	size_t i;
	int r;

	for (i = 0; i < hosts->n; i++)
		if (hosts->hiers[i].version == CG_V2)
			v2 = hosts->hiers[i].mount ? hosts->hiers[i].mount : "";
	{
		CG_AUTOFREE char *p = *mount ? xasprintf("%s/%s", mount, rel) : xstrdup(rel);

		r = marked(fs, p, err);
		if (r != 0)
			return r;
	}
	/* systemd's own hierarchy: the v2 tree, else the named "systemd" one (legacy) */
	if (!v2 || strcmp(v2, mount) != 0) {
		const char *sys = v2 ? v2 : "systemd";
		CG_AUTOFREE char *p = *sys ? xasprintf("%s/%s", sys, rel) : xstrdup(rel);

		if (strcmp(sys, mount) != 0)
			return marked(fs, p, err);
	}
	return 0;
}

int
cg_systemd_owner(struct cg_fs *fs, const struct cg_hosttree *hosts, const char *hier,
		 const char *dir, const char *file, char **owner, struct cg_error **err)
{
	const char *mount = hier ? hier : "";
	size_t mlen = strlen(mount), start;
	struct strbuf rel = STRBUF_INIT;
	bool subtree = file && strcmp(file, "cgroup.subtree_control") == 0;
	size_t owned = 0; /* length of the owning prefix of dir; 0: none */
	const char *p;

	if (mlen && (strncmp(dir, mount, mlen) != 0 || (dir[mlen] && dir[mlen] != '/')))
		mlen = 0, mount = ""; /* not under its hierarchy's mount: judge the whole path */
	start = mlen && dir[mlen] == '/' ? mlen + 1 : mlen;
	p = dir + start;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		bool last = !slash;

		if (rel.len)
			strbuf_addch(&rel, '/');
		strbuf_add(&rel, p, n);
		if (cg_systemd_unit_name(p, n))
			owned = (size_t)(p - dir) + n;
		if (owned && (!last || subtree)) {
			int r = delegated(fs, hosts, mount, rel.buf, err);

			if (r < 0) {
				strbuf_release(&rel);
				return -1;
			}
			if (r > 0)
				owned = 0;
		}
		if (last)
			break;
		p = slash + 1;
	}
	strbuf_release(&rel);
	*owner = owned ? xstrndup(dir, owned) : NULL;
	return 0;
}

int
cg_systemd_check_plan(struct cg_fs *fs, const struct cg_hosttree *hosts, const struct plan *p,
		      struct cg_error **err)
{
	CG_AUTOFREE char *first_owner = NULL;
	const char **dirs = NULL; /* the refused directories, each once */
	size_t ndirs = 0, alloc = 0, i, k;
	int r = 0;

	for (i = 0; i < p->n; i++) {
		const struct plan_step *s = &p->steps[i];
		const char *file = s->op == PLAN_OP_WRITE ? s->file : NULL;
		char *owner = NULL;

		for (k = 0; k < ndirs && strcmp(dirs[k], s->dir) != 0; k++)
			;
		if (k < ndirs)
			continue;
		if (cg_systemd_owner(fs, hosts, s->hier, s->dir, file, &owner, err) < 0) {
			free(dirs);
			return -1;
		}
		if (!owner)
			continue;
		dirs = xgrow(dirs, sizeof(*dirs), ndirs + 1, &alloc);
		dirs[ndirs++] = s->dir;
		if (!first_owner)
			first_owner = owner;
		else
			free(owner);
	}
	if (ndirs > 1)
		r = cg_error_set(
			err, CG_E_PRECOND, 0,
			"refusing to write in '%s' (and %zu more director%s): the cgroup '%s' belongs to systemd, which runs as PID 1 and has not delegated it",
			dirs[0], ndirs - 1, ndirs == 2 ? "y" : "ies", first_owner);
	else if (ndirs)
		r = cg_error_set(
			err, CG_E_PRECOND, 0,
			"refusing to write in '%s': the cgroup '%s' belongs to systemd, which runs as PID 1 and has not delegated it",
			dirs[0], first_owner);
	free(dirs);
	return r;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "apply/hierarchy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/fs.h"
#include "lib/cleanup.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "parser/schema.h"

/*
 * mountinfo(5): "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE
 * SUPER_OPTIONS", with space, tab, newline and backslash in paths written as \040,
 * \011, \012 and \134. A v1 hierarchy's super options name its controllers ("rw,cpu,
 * cpuacct"); named hierarchies ("name=systemd") with no controller carry nothing we
 * manage and are skipped.
 */

static void
hier_release(struct cg_hier *h)
{
	size_t i;

	for (i = 0; i < h->ncontrollers; i++)
		free(h->controllers[i]);
	free(h->controllers);
	free(h->mount);
	memset(h, 0, sizeof(*h));
}

void
cg_hosttree_release(struct cg_hosttree *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		hier_release(&t->hiers[i]);
	free(t->hiers);
	memset(t, 0, sizeof(*t));
}

static void
add_controller(struct cg_hier *h, const char *name, size_t n)
{
	h->controllers = xrealloc(h->controllers, (h->ncontrollers + 1) * sizeof(char *));
	h->controllers[h->ncontrollers++] = xstrndup(name, n);
}

/* The v1 controllers in a comma list ("rw,cpu,cpuacct"); false if there are none. */
static bool
v1_controllers(const char *list, struct cg_hier *h)
{
	const char *p = list;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		CG_AUTOFREE char *name = xstrndup(p, n);
		const struct cg_controllerdef *c = cg_schema_controller(name);

		if (c && (c->flags & CG_FF_V1) && strcmp(name, "cgroup") != 0)
			add_controller(h, name, n);
		if (!comma)
			break;
		p = comma + 1;
	}
	return h->ncontrollers > 0;
}

/* Every part of a directory name is a v1 controller ("cpu,cpuacct"). */
static bool
is_controller_dir(const char *name)
{
	const char *p = name;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		CG_AUTOFREE char *part = xstrndup(p, n);
		const struct cg_controllerdef *c = cg_schema_controller(part);

		if (!c || !(c->flags & CG_FF_V1) || strcmp(part, "cgroup") == 0)
			return false;
		if (!comma)
			return true;
		p = comma + 1;
	}
}

static bool
is_octal(char c)
{
	return c >= '0' && c <= '7';
}

static char *
unescape_mount(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	while (*s) {
		if (s[0] == '\\' && is_octal(s[1]) && is_octal(s[2]) && is_octal(s[3])) {
			strbuf_addch(&sb,
				     (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0')));
			s += 4;
			continue;
		}
		strbuf_addch(&sb, *s++);
	}
	return strbuf_detach(&sb);
}

/* The path of `mnt` relative to `root` (both without a trailing '/'), or NULL if outside. */
static char *
relative_to(const char *root, const char *mnt)
{
	size_t n = strlen(root);

	if (strcmp(root, "/") == 0)
		return xstrdup(mnt[0] == '/' ? mnt + 1 : mnt);
	if (strncmp(mnt, root, n) != 0)
		return NULL;
	if (mnt[n] == '\0')
		return xstrdup("");
	if (mnt[n] != '/')
		return NULL;
	return xstrdup(mnt + n + 1);
}

static char *
strip_slashes(const char *p)
{
	size_t n = strlen(p);

	while (n > 1 && p[n - 1] == '/')
		n--;
	return xstrndup(p, n);
}

static struct cg_hier *
add_hier(struct cg_hosttree *t, enum cg_version v, const char *mount)
{
	size_t i;
	struct cg_hier *h;

	/* a mount point mounted over again: the last mount is the one seen */
	for (i = 0; i < t->n; i++) {
		if (strcmp(t->hiers[i].mount, mount) == 0) {
			hier_release(&t->hiers[i]);
			memmove(&t->hiers[i], &t->hiers[i + 1], (t->n - i - 1) * sizeof(*t->hiers));
			t->n--;
			break;
		}
	}
	t->hiers = xrealloc(t->hiers, (t->n + 1) * sizeof(*t->hiers));
	h = &t->hiers[t->n++];
	memset(h, 0, sizeof(*h));
	h->version = v;
	h->mount = xstrdup(mount);
	return h;
}

static int
read_text_file(const char *path, struct strbuf *out, struct cg_error **err)
{
	CG_AUTOCLOSE int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[4096];

	if (fd < 0)
		return cg_error_set(err, CG_E_SYSTEM, errno, "cannot read '%s'", path);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cg_error_set(err, CG_E_SYSTEM, errno, "cannot read '%s'", path);
		if (n == 0)
			return 0;
		strbuf_add(out, buf, (size_t)n);
	}
}

/* Splits a line at single spaces into a NULL-terminated array (in place). */
static size_t
split_spaces(char *line, char ***out)
{
	size_t n = 0;
	char **v = NULL;
	char *p = line;

	for (;;) {
		char *sp = strchr(p, ' ');

		v = xrealloc(v, (n + 2) * sizeof(*v));
		v[n++] = p;
		if (!sp)
			break;
		*sp = '\0';
		p = sp + 1;
	}
	v[n] = NULL;
	*out = v;
	return n;
}

static void
parse_mountinfo(char *text, const char *root, struct cg_hosttree *t)
{
	char *line = text;

	while (line && *line) {
		char *nl = strchr(line, '\n');
		CG_AUTOFREE char **f = NULL;
		CG_AUTOFREE char *mnt = NULL;
		CG_AUTOFREE char *rel = NULL;
		size_t n, i;

		if (nl)
			*nl = '\0';
		n = split_spaces(line, &f);
		line = nl ? nl + 1 : NULL;
		for (i = 6; i < n && strcmp(f[i], "-") != 0; i++)
			;
		if (i + 3 >= n)
			continue;
		if (strcmp(f[i + 1], "cgroup") != 0 && strcmp(f[i + 1], "cgroup2") != 0)
			continue;
		mnt = unescape_mount(f[4]);
		rel = relative_to(root, mnt);
		if (!rel)
			continue;
		if (strcmp(f[i + 1], "cgroup2") == 0) {
			add_hier(t, CG_V2, rel);
		} else {
			struct cg_hier tmp, *h;

			memset(&tmp, 0, sizeof(tmp));
			if (!v1_controllers(f[i + 3], &tmp)) {
				hier_release(&tmp);
				continue;
			}
			h = add_hier(t, CG_V1, rel);
			h->controllers = tmp.controllers;
			h->ncontrollers = tmp.ncontrollers;
		}
	}
}

/* The layout of a --cgroup-root tree that is no mount point of its own. */
static int
infer_layout(struct cg_fs *fs, struct cg_hosttree *t, struct cg_error **err)
{
	char **names = NULL;
	size_t n = 0, i;
	struct stat st;
	struct cg_error *e = NULL;

	if (cg_fs_stat(fs, "cgroup.controllers", &st, &e) == 0) {
		add_hier(t, CG_V2, "");
		return 0;
	}
	cg_error_free(e);
	e = NULL;
	if (cg_fs_list(fs, "", true, &names, &n, err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		CG_AUTOFREE char *ctl = xasprintf("%s/cgroup.controllers", names[i]);

		if (is_controller_dir(names[i])) {
			struct cg_hier *h = add_hier(t, CG_V1, names[i]);

			v1_controllers(names[i], h);
		} else if (cg_fs_stat(fs, ctl, &st, &e) == 0) {
			add_hier(t, CG_V2, names[i]);
		} else {
			cg_error_free(e);
			e = NULL;
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return 0;
}

/* A v2 tree's controllers: what its root's cgroup.controllers lists. */
static int
read_v2_controllers(struct cg_fs *fs, struct cg_hier *h, struct cg_error **err)
{
	CG_AUTOFREE char *path = *h->mount ? xasprintf("%s/cgroup.controllers", h->mount)
					   : xstrdup("cgroup.controllers");
	struct strbuf sb = STRBUF_INIT;
	struct cg_error *e = NULL;
	char *p, *save = NULL;

	if (cg_fs_read(fs, path, &sb, &e) < 0) {
		if (e->errnum == ENOENT) {
			cg_error_free(e);
			return 0;
		}
		*err = e;
		return -1;
	}
	for (p = strtok_r(sb.buf, " \t\n", &save); p; p = strtok_r(NULL, " \t\n", &save))
		add_controller(h, p, strlen(p));
	strbuf_release(&sb);
	return 0;
}

static int
hier_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cg_hier *)a)->mount, ((const struct cg_hier *)b)->mount);
}

int
cg_hier_discover(struct cg_fs *fs, const char *root, const char *mountinfo, struct cg_hosttree *out,
		 struct cg_error **err)
{
	struct cg_hosttree t = { NULL, 0 };
	struct strbuf text = STRBUF_INIT;
	CG_AUTOFREE char *r = strip_slashes(root);
	size_t i;

	if (read_text_file(mountinfo ? mountinfo : "/proc/self/mountinfo", &text, err) < 0) {
		strbuf_release(&text);
		return -1;
	}
	parse_mountinfo(text.buf, r, &t);
	strbuf_release(&text);
	if (t.n == 0 && infer_layout(fs, &t, err) < 0) {
		cg_hosttree_release(&t);
		return -1;
	}
	for (i = 0; i < t.n; i++) {
		if (t.hiers[i].version == CG_V2 && read_v2_controllers(fs, &t.hiers[i], err) < 0) {
			cg_hosttree_release(&t);
			return -1;
		}
	}
	if (t.n == 0)
		return cg_error_set(err, CG_E_PRECOND, 0, "no cgroup hierarchy found under '%s'",
				    root);
	qsort(t.hiers, t.n, sizeof(*t.hiers), hier_cmp);
	*out = t;
	return 0;
}

static bool
lists(const struct cg_hier *h, const char *controller)
{
	size_t i;

	for (i = 0; i < h->ncontrollers; i++)
		if (strcmp(h->controllers[i], controller) == 0)
			return true;
	return false;
}

const struct cg_hier *
cg_hier_for_controller(const struct cg_hosttree *t, const char *controller)
{
	const struct cg_hier *v2 = NULL;
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct cg_hier *h = &t->hiers[i];

		if (h->version == CG_V2) {
			if (!v2)
				v2 = h;
			continue;
		}
		if (lists(h, controller))
			return h;
	}
	if (!v2)
		return NULL;
	if (strcmp(controller, "cgroup") == 0 || lists(v2, controller))
		return v2;
	return NULL;
}

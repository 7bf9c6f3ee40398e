/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where each controller lives: the cgroup hierarchies mounted under the cgroup root.
 * v1 (one hierarchy per controller, or co-mounted like "cpu,cpuacct"), v2 (one unified
 * tree, possibly at the root itself) and hybrid hosts (v1 controllers plus a v2 tree at
 * "unified"). Mount paths are relative to the cgroup root that the struct cg_fs uses.
 *
 * For the real root (/sys/fs/cgroup) the mounts come from /proc/self/mountinfo; for a
 * --cgroup-root tree that is not a mount point they are inferred from its layout: a
 * subdirectory named after controllers ("memory", "cpu,cpuacct") is a v1 hierarchy, a
 * directory holding cgroup.controllers is a v2 one. When the root itself holds
 * cgroup.controllers it is one v2 tree (mount ""), whatever its subdirectories are named.
 *
 * Only cgroup and cgroup2 mounts at or below `root` count; a mount point mounted over
 * again counts once (the last mount); v1 mounts with no controller of the table
 * ("name=systemd") are skipped. A v2 tree's controllers are read from its
 * cgroup.controllers through the fs (missing file: none). Hierarchies are sorted by
 * mount. No hierarchy at all is a CG_E_PRECOND error "no cgroup hierarchy found under
 * 'ROOT'".
 */
#ifndef CGAPPLY_APPLY_HIERARCHY_H
#define CGAPPLY_APPLY_HIERARCHY_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"
#include "parser/value.h"

struct cg_fs;

struct cg_hier {
	enum cg_version version;
	char *mount; /* relative to the cgroup root: "memory", "cpu,cpuacct", "unified", "" */
	char **controllers; /* v1: the mounted controllers; v2: those the root's cgroup.controllers
			       lists */
	size_t ncontrollers;
};

struct cg_hosttree {
	struct cg_hier *hiers;
	size_t n;
};

/*
 * Discovers the hierarchies. `mountinfo` is the path of a mountinfo file (NULL:
 * /proc/self/mountinfo); `root` the absolute cgroup root the fs is opened at.
 */
int cg_hier_discover(struct cg_fs *fs, const char *root, const char *mountinfo,
		     struct cg_hosttree *out, struct cg_error **err);
void cg_hosttree_release(struct cg_hosttree *t);

/*
 * The hierarchy that holds `controller` (v1 preferred on hybrid hosts, as the kernel binds
 * a controller to one of them), or NULL. The pseudo-controller "cgroup" (core files) maps
 * to the v2 tree when there is one.
 */
const struct cg_hier *cg_hier_for_controller(const struct cg_hosttree *t, const char *controller);

#endif

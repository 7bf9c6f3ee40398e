/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where the model's groups go: for each group and each hierarchy it is present in, the
 * directory (relative to the cgroup root) and the control files the planner must know,
 * which are those the group sets plus the ones the kernel checks them against
 * (memory.memsw.limit_in_bytes next to memory.limit_in_bytes, cfs period next to quota,
 * cpuset.cpus/mems, the RT pair...). Also the anchor of each hierarchy: the --parent
 * directory (or the hierarchy root), read but never written.
 *
 * A group is present in the hierarchies of its controller blocks; an implied parent in
 * those of its descendants; co-mounted controllers (cpu,cpuacct) share one directory.
 * Template groups (names with % tokens) get no directory: rules create them on demand;
 * their hierarchies still count for their parents and anchors. A `cgroup:` block's
 * files go to the v2 tree when the file exists on v2 and there is one, else (v1-only
 * core files such as notify_on_release) to every v1 directory of the group.
 *
 * Directories per hierarchy that holds any group, with --parent "a/b" (mount "memory"):
 *   memory        CG_LAYOUT_ABOVE   the hierarchy root: read only, never written
 *   memory/a      CG_LAYOUT_ABOVE   a --parent component: read; created if missing
 *   memory/a/b    CG_LAYOUT_ANCHOR  the --parent directory: read; created if missing
 *   memory/a/b/web ...              CG_LAYOUT_GROUP, one per group, parents first
 * Without --parent there is one CG_LAYOUT_ANCHOR per hierarchy, its root (fspath =
 * mount, "" for a v2 tree at the cgroup root) and no ABOVE dirs. ANCHOR and ABOVE dirs
 * have group NULL and g NULL; apply/snapshot marks them `anchor` in the state. Whether
 * they exist is only known from the snapshot: a missing ANCHOR/ABOVE dir is for
 * apply/desired to create (and, on v1 cpuset, to give the cpus/mems of the nearest
 * existing ancestor, which is why ABOVE dirs list the same files as the anchor).
 *
 * Files listed (sorted, each once) for a GROUP dir:
 *   - every file its blocks set on that hierarchy, except devices.allow/devices.deny,
 *     which are write-only: devices.list is listed instead;
 *   - partners: memory.limit_in_bytes <-> memory.memsw.limit_in_bytes, plus
 *     memory.usage_in_bytes (preflight); cpu.cfs_quota_us <-> cpu.cfs_period_us <->
 *     cpu.cfs_burst_us; cpu.rt_runtime_us <-> cpu.rt_period_us; cpu.shares <-> cpu.idle;
 *     cpuset.cpu_exclusive <-> cpuset.mem_exclusive; v2: cpu.max <-> cpu.max.burst,
 *     cpu.weight <-> cpu.idle, memory.max -> memory.current;
 *   - always on a v1 cpuset hierarchy: cpuset.cpus and cpuset.mems (a new child starts
 *     empty); always on v2: cgroup.subtree_control.
 * Files listed for ANCHOR and ABOVE dirs: the constraint files of the groups in that
 * hierarchy (cpuset.cpus/mems/cpu_exclusive/mem_exclusive, cpu.cfs_quota_us/
 * cfs_period_us/cfs_burst_us, cpu.rt_runtime_us/rt_period_us, devices.list), and always
 * cpuset.cpus/mems on v1 cpuset, cgroup.subtree_control and cgroup.controllers on v2.
 *
 * Unlisted children (`child_files`): the kernel checks a write against the written
 * group's children and siblings too, including directories the configuration does not
 * have (made by hand, left over). So GROUP and ANCHOR dirs of v1 hierarchies with
 * cpuset or cpu name the files apply/snapshot reads in each of their immediate
 * subdirectories that the layout does not list (state dirs marked `foreign`, never
 * written):
 *   cpuset  cpuset.cpus, cpuset.mems, cpuset.cpu_exclusive, cpuset.mem_exclusive;
 *   cpu     cpu.cfs_quota_us and cpu.cfs_period_us when the dir or one of its listed
 *           children lists a CFS file, cpu.rt_runtime_us and cpu.rt_period_us when
 *           one lists an RT file.
 * No other hierarchy, no ABOVE dir, and nothing deeper is listed.
 */
#ifndef CGAPPLY_APPLY_LAYOUT_H
#define CGAPPLY_APPLY_LAYOUT_H

#include <stddef.h>

#include "lib/error.h"
#include "lib/strmap.h"
#include "parser/model.h"

struct cg_hier;
struct cg_hosttree;

enum cg_layout_kind {
	CG_LAYOUT_GROUP,  /* a model group's directory */
	CG_LAYOUT_ANCHOR, /* the --parent directory, or the hierarchy root without --parent */
	CG_LAYOUT_ABOVE,  /* above the anchor: the hierarchy root, a --parent component */
};

struct cg_layout_dir {
	char *fspath;		  /* "memory/cgapply-test-1/web" */
	char *group;		  /* model path; NULL for ANCHOR and ABOVE dirs */
	const struct cg_group *g; /* NULL for ANCHOR and ABOVE dirs */
	enum cg_layout_kind kind;
	const struct cg_hier *hier;
	char **files; /* files to read: managed plus constraint partners, sorted */
	size_t nfiles, files_alloc;
	/* files to read in unlisted subdirectories, sorted; none: they are not looked for */
	char **child_files;
	size_t nchild_files, child_files_alloc;
};

struct cg_layout {
	struct cg_layout_dir *dirs; /* ABOVE and ANCHOR dirs first, then groups; each part
				       sorted by fspath, so parents come first */
	size_t n, alloc;
	struct strmap index; /* fspath -> index in dirs, once built */
};

/*
 * `parent` is the --parent path ("" or NULL for the hierarchy roots; leading and trailing
 * '/' are ignored; "." or ".." components are a CG_E_USAGE error). A controller the host
 * does not have is a CG_E_PRECOND error: "group 'x' uses controller 'y', which is not
 * mounted on this host". `out` is written only on success.
 */
int cg_layout_build(const struct cg_model *m, const struct cg_hosttree *t, const char *parent,
		    struct cg_layout *out, struct cg_error **err);
void cg_layout_release(struct cg_layout *l);
/* The dir with that fspath, or NULL. */
const struct cg_layout_dir *cg_layout_find(const struct cg_layout *l, const char *fspath);

#endif

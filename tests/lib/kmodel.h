/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A model of what the Linux kernel accepts on cgroup v1 writes, written from
 * ../shared/reference/kernel-v1-constraints.md (measured on 6.18) and the kernel
 * functions it cites, independently of the planner: the planner's tests apply each plan
 * step to it and require every one to succeed.
 *
 * The world is a set of v1 hierarchies (a root per mount: "memory", "cpu,cpuacct",
 * "cpuset", "devices", ...), each a tree of directories named by path relative to the
 * cgroup root ("memory/a/b"). A write either succeeds, changing the values as the kernel
 * does (side effects included: idle resets shares, a deny reaches the children's device
 * lists), or fails with the errno the kernel gives, changing nothing:
 *   memory   limit ≤ memsw after every write (EINVAL); sizes are "-1" or plain decimal
 *            bytes, rounded down to 4 KiB pages; -1 reads 9223372036854771712
 *   cfs      period 1000..1000000, quota -1 (any negative) or 1000..2^44-1, 0 ≤ burst ≤
 *            quota (when limited); every group's quota/period (kernel fixed point) ≤ its
 *            nearest limited ancestor's, checked over the tree on every write (EINVAL)
 *   rt       runtime ≤ period, each ratio ≤ the root's (global), the children's ratios
 *            summing to at most their parent's (EINVAL)
 *   shares   clamped to 2..262144; EINVAL while idle; idle 1 shows 3, idle 0 resets 1024
 *   cpuset   a new child has no cpus and mems (unless the parent's clone_children is 1);
 *            children ⊆ trial (EBUSY), trial ⊆ parent (EACCES), flags included (a child
 *            exclusive only under an exclusive parent); a populated group cannot become
 *            empty (ENOSPC); siblings may not overlap where either is exclusive (EINVAL);
 *            cpus beyond the machine ERANGE, mems beyond it EINVAL
 *   devices  behavior (allow/deny by default) plus exceptions, as security/device_cgroup.c:
 *            a child copies its parent's at mkdir, can never gain what the parent lacks
 *            (EPERM), `a` rules only while the group has no children (EINVAL), a deny
 *            propagates to the descendants; devices.list shows "a *:* rwm" or the
 *            allow exceptions
 *   dirs     mkdir needs the parent (ENOENT) and a new name (EEXIST); rmdir needs no
 *            children and no tasks (EBUSY)
 *   freezer  FROZEN or THAWED (EINVAL otherwise)
 * Other files keep the text written (trimmed) and read it back.
 *
 * Not modelled: memory usage and reclaim (EBUSY below anonymous usage), RT tasks
 * (EBUSY when their runtime goes to 0), SCHED_DEADLINE bandwidth, blkio devices,
 * freezer propagation, ownership (chown/chmod only check that the path exists).
 */
#ifndef CGAPPLY_TESTS_LIB_KMODEL_H
#define CGAPPLY_TESTS_LIB_KMODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "apply/plan.h"
#include "lib/strbuf.h"

struct km;

/* A machine with `ncpus` cpus (at most 64) and `nmems` memory nodes. */
struct km *km_new(unsigned ncpus, unsigned nmems);
struct km *km_clone(const struct km *k);
void km_free(struct km *k);

/* Adds a hierarchy root at `mount` for the comma-separated v1 `controllers`. */
void km_add_root(struct km *k, const char *mount, const char *controllers);

/* Each returns 0 or the errno the kernel gives. */
int km_mkdir(struct km *k, const char *path);
int km_rmdir(struct km *k, const char *path);
int km_write(struct km *k, const char *path, const char *file, const char *text);
/* The text the kernel shows (with its newline); ENOENT for a file the group lacks. */
int km_read(const struct km *k, const char *path, const char *file, struct strbuf *out);
/* One plan step: mkdir, rmdir, write; chown/chmod need the path (and file) to exist. */
int km_apply(struct km *k, const struct plan_step *s);

bool km_exists(const struct km *k, const char *path);
void km_set_populated(struct km *k, const char *path, bool on);

/*
 * For building worlds without ordering constraints: sets a file as if it had always held
 * `text` (parsed as a write is; no rule checked). Returns 0 or EINVAL for bad text.
 * km_valid then says whether the world is one the kernel could be in (*why: the rule
 * broken, static text).
 */
int km_force(struct km *k, const char *path, const char *file, const char *text);
bool km_valid(const struct km *k, const char **why);

size_t km_ndirs(const struct km *k);
const char *km_dir_path(const struct km *k, size_t i);

#endif

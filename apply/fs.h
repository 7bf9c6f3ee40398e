/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one narrow door to the filesystem. Every read and write of a cgroup tree goes
 * through a struct cg_fs rooted at a directory (the real /sys/fs/cgroup, a --cgroup-root
 * tree, or a test's temp dir). Paths are relative to that root ("memory/web/tasks"),
 * never absolute, never containing "." or ".." components; each component is opened
 * with O_NOFOLLOW, so a symlink planted in a cgroup tree is never followed.
 *
 *   struct cg_fs *fs = cg_fs_open("/sys/fs/cgroup", &err);
 *   cg_fs_write(fs, "memory/web/memory.limit_in_bytes", "1073741824", 10, &err);
 *   cg_fs_free(fs);
 *
 * A write is exactly one write(2) of the given bytes (the kernel parses one record per
 * write). Counters of the mutating calls serve the benchmark and the "no-op apply
 * writes nothing" tests. cg_fs_fail_after() makes the Nth mutating call fail with a
 * chosen errno, after jq's inject_errors, for the executor's rollback tests.
 */
#ifndef CGAPPLY_APPLY_FS_H
#define CGAPPLY_APPLY_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "lib/error.h"
#include "lib/strbuf.h"

struct cg_fs;

struct cg_fs_counters {
	size_t reads, writes, mkdirs, rmdirs, chowns, chmods;
};

struct cg_fs *cg_fs_open(const char *root, struct cg_error **err);
void cg_fs_free(struct cg_fs *fs);
void cg_fs_freep(struct cg_fs **fs);
const char *cg_fs_root(const struct cg_fs *fs);

/* Reads a whole file into `out` (replacing its contents). ENOENT is an error like others. */
int cg_fs_read(struct cg_fs *fs, const char *path, struct strbuf *out, struct cg_error **err);
/* One write(2) of `len` bytes; a short write is an error (EIO). */
int cg_fs_write(struct cg_fs *fs, const char *path, const char *data, size_t len,
		struct cg_error **err);
int cg_fs_mkdir(struct cg_fs *fs, const char *path, mode_t mode, struct cg_error **err);
int cg_fs_rmdir(struct cg_fs *fs, const char *path, struct cg_error **err);
int cg_fs_chown(struct cg_fs *fs, const char *path, uid_t uid, gid_t gid, struct cg_error **err);
int cg_fs_chmod(struct cg_fs *fs, const char *path, mode_t mode, struct cg_error **err);
/* lstat(2) of path; a missing path is an error with errnum ENOENT. */
int cg_fs_stat(struct cg_fs *fs, const char *path, struct stat *st, struct cg_error **err);
/*
 * The value of extended attribute `name` of `path` (a directory or a file, not followed
 * if a symlink) into `out`. A missing attribute is an error with errnum ENODATA (or
 * ENOTSUP where the filesystem has none).
 */
int cg_fs_getxattr(struct cg_fs *fs, const char *path, const char *name, struct strbuf *out,
		   struct cg_error **err);
/* Names in directory `path` (no "." or ".."), sorted; *dirs_only keeps directories only. */
int cg_fs_list(struct cg_fs *fs, const char *path, bool dirs_only, char ***names, size_t *n,
	       struct cg_error **err);

const struct cg_fs_counters *cg_fs_counters(const struct cg_fs *fs);
/* Test hook: the `n`th mutating call from now (1-based) fails with `errnum`; 0 disables. */
void cg_fs_fail_after(struct cg_fs *fs, size_t n, int errnum);
/*
 * Test hook, so that a plain temp tree can act like cgroupfs files (tests/lib: write-only
 * devices.allow, devices.list, throttle entries). Asked on every read (`wdata` NULL) and
 * write after the fault injection, with the path relative to the root: it returns -errno
 * to fail the call, 1 when it did a write itself (counted as one), 0 to go on as usual.
 */
typedef int (*cg_fs_hook_fn)(void *data, const char *path, const char *wdata, size_t len);
void cg_fs_set_hook(struct cg_fs *fs, cg_fs_hook_fn fn, void *data);

#endif

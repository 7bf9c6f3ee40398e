/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared helpers for the Check unit tests: reading files of the source tree, and a
 * main() that runs one suite and returns Check's verdict as the exit status.
 */
#ifndef CGAPPLY_TESTS_LIB_TESTUTIL_H
#define CGAPPLY_TESTS_LIB_TESTUTIL_H

#include <check.h>
#include <stddef.h>

#include "parser/diag.h"
#include "parser/model.h"

/* Path of a file in the source tree (TEST_SRCDIR/rel); free() the result. */
char *tu_srcpath(const char *rel);
/* Reads a whole file; aborts the test on failure. free() the result. */
char *tu_read_file(const char *path, size_t *len);
/* All diagnostics as "file:line:col: severity: msg" lines; free() the result. */
char *tu_diags_text(const struct cg_diags *d);
/* The first diagnostic as "line:col: msg" (no file, no severity); free() the result. */
char *tu_first_diag(const struct cg_diags *d);
/* A stable text dump of a model (groups, perms, values as the kernel would be written, rules). */
char *tu_model_dump(const struct cg_model *m);
/* Sorted names of the files in directory `dir` ending in `suffix`; *n set; free each and the array.
 */
char **tu_list_dir(const char *dir, const char *suffix, size_t *n);
/* Removes a directory tree (no symlink is followed); a missing path is fine. Returns 0 or -1. */
int tu_rm_rf(const char *path);
/* Runs `s` and returns 0 when every test passed, 1 otherwise. */
int tu_run_suite(Suite *s);

/*
 * A cg_fs hook (apply/fs.h cg_fs_set_hook; `data` is the tree's root directory) that
 * gives a plain temp tree the v1 semantics the executor depends on: devices.allow and
 * devices.deny cannot be read (EINVAL) and each write of one rule updates devices.list
 * in the same directory (an `a` rule sets allow-all or empties it; otherwise, unless
 * allow-all, access bits are added to or taken from the entry of the same type and
 * numbers; no propagation to children); a blkio.throttle.* write of "MAJ:MIN V"
 * replaces that device's line, and V 0 deletes it.
 */
int tu_v1_files_hook(void *data, const char *path, const char *wdata, size_t len);

#endif

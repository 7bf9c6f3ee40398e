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

#endif

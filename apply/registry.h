/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The directories cgapply created, recorded in STATE_DIR/created (one path per line,
 * relative to the cgroup root), so that `--prune` removes only groups that cgapply made
 * and that the configuration no longer has — never one an admin or another tool made.
 *
 *   after a successful apply or rollback:  cg_registry_update(dir, &from, &to, &err)
 *   planning with --prune:                 cg_registry_prune(fs, dir, &hosts, parent, &cur, ...)
 */
#ifndef CGAPPLY_APPLY_REGISTRY_H
#define CGAPPLY_APPLY_REGISTRY_H

#include <stddef.h>

#include "apply/hierarchy.h"
#include "apply/state.h"
#include "lib/error.h"
#include "parser/diag.h"

struct cg_fs;

/* The recorded paths, sorted; a missing registry is empty. cg_registry_free() them. */
int cg_registry_read(const char *state_dir, char ***paths, size_t *n, struct cg_error **err);
void cg_registry_free(char **paths, size_t n);

/* Records the directories `to` has and `from` had not, and forgets those `to` removed. */
int cg_registry_update(const char *state_dir, const struct cg_state *from,
		       const struct cg_state *to, struct cg_error **err);

/*
 * Adds to `cur` (as found on disk) and to `target` (as not existing) every recorded
 * directory below the --parent directory (`parent`, NULL for the roots) of any hierarchy
 * that the target does not have and that still exists, so that the planner removes it
 * bottom-up. A recorded directory that holds a subdirectory cgapply did not create is an
 * error in `d` (removing it would fail). `cur` gets the directory's owners and the values
 * of its state files (the control-file table's settable files and v1 devices.list), so
 * that a rollback recreates the group as it was; a file that cannot be read is a warning.
 */
int cg_registry_prune(struct cg_fs *fs, const char *state_dir, const struct cg_hosttree *hosts,
		      const char *parent, struct cg_state *cur, struct cg_state *target,
		      struct cg_diags *d, struct cg_error **err);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A state of (part of) the cgroup trees: a set of directories, each with the typed
 * values of some of its control files and its ownership. The same shape serves
 *   - the live snapshot (what the kernel holds, read through apply/snapshot),
 *   - the target (the snapshot with the configuration laid over it, apply/desired),
 *   - the journal's record of the state before an apply (rollback's target).
 * The planner is a pure function of two states (current, target), so rollback is the
 * same planner run from the live state back to the recorded one.
 *
 * Values are normalized the way the kernel stores them (memory rounded down to the page,
 * one form of "unlimited", cpu lists as bitmaps), so equal means "no write needed".
 */
#ifndef CGAPPLY_APPLY_STATE_H
#define CGAPPLY_APPLY_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/error.h"
#include "lib/strbuf.h"
#include "parser/value.h"

struct cg_filedef;
struct cg_hier;

struct cg_state_file {
	char *name;		      /* "memory.limit_in_bytes" */
	const struct cg_filedef *def; /* NULL for an unchecked (raw) file */
	bool present;		      /* current: the file exists and was read; target: to be set */
	bool managed;		      /* target: the configuration sets it (else kept as found) */
	/*
	 * current, of a directory that does not exist yet: the nearest existing ancestor in
	 * its hierarchy (not the root) lacks the file, so this kernel has no such file
	 * (apply/snapshot; not kept in the text form)
	 */
	bool lacking;
	struct cg_value value;
};

/* Owner and mode of the directory, of the task files, or of the other files. */
struct cg_state_owner {
	bool owner_set;
	uid_t uid;
	gid_t gid;
	bool mode_set;
	mode_t mode; /* permission bits only */
};

struct cg_state_dir {
	char *fspath;		    /* relative to the cgroup root: "memory/parent/web" */
	char *group;		    /* model path "web"; NULL for an anchor */
	const struct cg_hier *hier; /* the hierarchy it is in */
	bool exists;
	bool populated; /* current: it holds tasks */
	/*
	 * Never written: the --parent directory, a hierarchy root, or a --parent component
	 * between them (apply/layout's ANCHOR and ABOVE dirs). It may be created.
	 */
	bool anchor;
	/*
	 * Never written, created or removed either: a directory the configuration does not
	 * list, read only because the kernel checks writes to its parent or siblings
	 * against it (apply/snapshot's unlisted children of v1 cpu and cpuset dirs).
	 */
	bool foreign;
	struct cg_state_owner dir;   /* admin uid/gid, dperm */
	struct cg_state_owner tasks; /* task uid/gid/fperm: tasks or cgroup.procs */
	/* admin uid/gid/fperm: every other control file (`files` is the values' array) */
	struct cg_state_owner ctlfiles;
	struct cg_state_file *files;
	size_t nfiles, files_alloc;
};

struct cg_state {
	struct cg_state_dir *dirs; /* parents before children (sorted by fspath, '/' first) */
	size_t n, alloc;
};

void cg_state_init(struct cg_state *s);
void cg_state_release(struct cg_state *s);
/* Deep copy; `dst` holds nothing (it is overwritten, not released). */
void cg_state_copy(struct cg_state *dst, const struct cg_state *src);

/*
 * Adds a directory (kept sorted, parents first); returns it, zeroed but for fspath. An
 * fspath already present returns that directory unchanged. Adding moves the array:
 * pointers to other directories of `s` are invalidated.
 */
struct cg_state_dir *cg_state_add_dir(struct cg_state *s, const char *fspath);
struct cg_state_dir *cg_state_find(const struct cg_state *s, const char *fspath);
/* The nearest existing-or-not directory of `s` that is an ancestor of `d`, or NULL. */
struct cg_state_dir *cg_state_parent(const struct cg_state *s, const struct cg_state_dir *d);

struct cg_state_file *cg_state_file(const struct cg_state_dir *d, const char *name);
/*
 * Adds or replaces a file's value (copied; `v` may be the file's own value) and marks it
 * present. `managed` is left as it was (false for a new file).
 */
struct cg_state_file *cg_state_set(struct cg_state_dir *d, const char *name,
				   const struct cg_filedef *def, const struct cg_value *v);
/* Adds a file record that is not present (no value), or returns the existing one. */
struct cg_state_file *cg_state_add_file(struct cg_state_dir *d, const char *name,
					const struct cg_filedef *def);

/*
 * A text form for the journal: one line per directory, owner record and file, values in
 * the kernel's write format (records of multi-record values joined by an escaped \n).
 * It starts with a "state 1" line and ends with an "end" line; cg_state_serialize
 * appends to `out`. cg_state_parse reads it back (the hierarchy pointers are resolved
 * against `hiers` by mount name; a mount that is not there is an error): it stops at the
 * "end" line, so a state can head a larger file, and cg_state_text_end() returns where
 * it ends (just past "end\n"), or NULL when there is no end line. Values are re-parsed
 * with apply/readback as the type recorded on each line, so a round trip is exact.
 * Errors are CG_E_PRECOND ("cannot read saved state: line N: ...").
 */
void cg_state_serialize(const struct cg_state *s, struct strbuf *out);
int cg_state_parse(const char *text, size_t len, const struct cg_hier *hiers, size_t nhiers,
		   struct cg_state *out, struct cg_error **err);
const char *cg_state_text_end(const char *text, size_t len);

#endif

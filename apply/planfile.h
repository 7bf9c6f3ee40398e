/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Saved plans: `cgapply plan --out FILE` writes one, `cgapply apply FILE` runs exactly
 * it (terraform's plan -out / apply FILE). A plan file binds the plan to the live state
 * it was computed from: it holds that state itself (the fingerprint), the target, and
 * the steps. Applying it re-reads the same directories and files and refuses when
 * anything the plan depends on changed since (a value, an owner or mode, a directory
 * appearing or going, a group to remove that got tasks), saying what changed.
 *
 * Text form (the states are apply/state's; paths never hold a newline):
 *   cgapply-plan 1
 *   version 0.1.0                     the cgapply that made it (informational)
 *   cgroup-root /sys/fs/cgroup        where the fspaths are rooted
 *   parent a/b                        only with --parent
 *   options prune force               or "options -"
 *   config fnv1a64:HEX PATH           one per configuration file read, in order
 *   current                           then the state the plan was computed from
 *   state 1 ... end
 *   target
 *   state 1 ... end
 *   steps N                           then N step lines (JSON-quoted strings)
 *   moves 1 ... end                   the task moves (apply/place's record), when any
 *   checksum fnv1a64:HEX              of every byte before this line
 *
 * Reading a plan file checks the checksum (a truncated or hand-edited file is refused),
 * re-runs the planner on (current, target), which is a pure function, and refuses unless
 * it yields exactly the saved steps (a plan made by another cgapply version, say). So
 * what is applied is what was shown. The task moves come back PLANNED; the process of
 * each is checked again when the plan is applied (cg_place_recheck). Errors are CG_E_PRECOND (exit
 * 4): a plan file that cannot be used is a stale plan, and nothing has been touched.
 *
 *   cg_planfile_init(&pf); fill it; cg_planfile_serialize(&pf, &sb); cg_planfile_write(path, &sb)
 *   cg_planfile_read(path, &sb); cg_planfile_parse(path, sb.buf, sb.len, hiers, n, &pf, ...)
 *   cg_planfile_check_live(fs, &pf, &live, &why, &ndiff, &err); ndiff > 0: stale
 */
#ifndef CGAPPLY_APPLY_PLANFILE_H
#define CGAPPLY_APPLY_PLANFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apply/place.h"
#include "apply/plan.h"
#include "apply/state.h"
#include "lib/error.h"
#include "lib/strbuf.h"
#include "parser/diag.h"

struct cg_fs;
struct cg_hier;

struct cg_planfile_config {
	char *path;
	uint64_t hash; /* FNV-1a 64 of the file's bytes */
};

struct cg_planfile {
	char *version;
	char *cgroup_root;
	char *parent; /* NULL: none */
	bool prune, force;
	struct cg_planfile_config *configs;
	size_t nconfigs, configs_alloc;
	struct cg_state cur, target;
	struct plan plan;
	struct cg_moves moves; /* the task moves (pid, start time, uid, exe, from, to) */
};

void cg_planfile_init(struct cg_planfile *pf);
void cg_planfile_release(struct cg_planfile *pf);
void cg_planfile_add_config(struct cg_planfile *pf, const char *path, uint64_t hash);

/* FNV-1a, 64 bits, continuing from `h` (start with CG_FNV1A64_INIT). */
#define CG_FNV1A64_INIT 0xcbf29ce484222325ULL
uint64_t cg_fnv1a64(uint64_t h, const void *data, size_t len);
/* The FNV-1a 64 hash of a whole file. */
int cg_planfile_hash_file(const char *path, uint64_t *out, struct cg_error **err);

/*
 * Appends the text form. The paths (cgroup root, parent, configs) must not hold a
 * newline: CG_E_USAGE otherwise, and nothing is appended.
 */
int cg_planfile_serialize(const struct cg_planfile *pf, struct strbuf *out, struct cg_error **err);
/*
 * Parses a plan file's text (`name` for messages); the states' hierarchies resolve
 * against `hiers`. A plan made for another cgroup root than `root` (when not NULL) is
 * refused. The plan is rebuilt and must equal the saved steps; the planner's warnings
 * and notes go to `problems` (may be NULL). `out` is written only on success.
 */
int cg_planfile_parse(const char *name, const char *text, size_t len, const char *root,
		      const struct cg_hier *hiers, size_t nhiers, struct cg_planfile *out,
		      struct cg_diags *problems, struct cg_error **err);

/* Writes the file atomically (FILE.tmp, then rename). */
int cg_planfile_write(const char *path, const struct strbuf *text, struct cg_error **err);
int cg_planfile_read(const char *path, struct strbuf *out, struct cg_error **err);

/*
 * Re-reads the directories of pf->cur into `live` and compares: every difference of what
 * cgapply sets (values, owners and modes, existence) and, for the directories the plan
 * removes, whether they now hold tasks. *ndiff gets the count; `why` (may be NULL) one
 * line per difference, at most 10. `live` is set on success (the caller releases it).
 */
int cg_planfile_check_live(struct cg_fs *fs, const struct cg_planfile *pf, struct cg_state *live,
			   struct strbuf *why, size_t *ndiff, struct cg_error **err);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Placing processes by the rules: the task moves of plan and apply, of classify, and of
 * the watch daemon.
 *
 *   cg_place_scan()       reads processes (all of the proc root, or a list), matches
 *                         them (apply/match) and lists the moves: pid, user, executable,
 *                         from → to, per hierarchy. A destination that is a template
 *                         group (a name with % tokens) is instantiated into the model:
 *                         its concrete group (with the template's perm and values, and
 *                         each template prefix likewise) is added, so the ordinary
 *                         layout/plan creates it. Processes matched by an ignore rule,
 *                         and those already in place, produce no move; nor does a
 *                         hierarchy where the destination group has no directory (no
 *                         block of it or of a descendant there): silently for a `*`
 *                         rule, with a warning for a named controller.
 *   cg_place_run()        writes each pid to the destination's cgroup.procs (v1 and v2:
 *                         the whole thread group moves), after checking that the pid
 *                         still is the process that was matched (its start time). A
 *                         process that has exited is "gone", not a failure.
 *   cg_place_check_systemd() refuses moves into cgroups systemd has not delegated.
 *   cg_place_recheck()    checks the moves of a saved plan again before they run.
 *   cg_place_undo()       moves the processes that were moved back where they were, if
 *                         they still are where they were put.
 *   cg_moves_serialize()  / cg_moves_parse(): the record kept in the state directory
 *                         ("moves") so that rollback can move them back.
 *
 * Never moves kernel threads, never writes pid 0 or a negative pid.
 */
#ifndef CGAPPLY_APPLY_PLACE_H
#define CGAPPLY_APPLY_PLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "apply/hierarchy.h"
#include "apply/state.h"
#include "lib/error.h"
#include "lib/strbuf.h"
#include "parser/diag.h"
#include "parser/model.h"

struct cg_fs;

enum cg_move_status {
	CG_MOVE_PLANNED,
	CG_MOVE_DONE,
	CG_MOVE_GONE,	/* the process exited (or was replaced) before it was moved */
	CG_MOVE_FAILED, /* the write was refused */
	CG_MOVE_UNDONE, /* moved, then moved back */
};

struct cg_move {
	pid_t pid;
	uint64_t start; /* start time: a reused pid is not the same process */
	uid_t uid;
	char *exe;
	char *mount; /* the hierarchy's mount ("cpu,cpuacct", "unified", "") */
	char *from;  /* the cgroup it was in, relative to the hierarchy root ("" root) */
	char *to;    /* the destination, relative to the hierarchy root (with --parent) */
	char *group; /* model group path of the destination ("" the root/anchor) */
	struct cg_srcloc
		loc; /* of the rule (points into the model's files; NULL file when parsed) */
	const struct cg_rule *rule; /* the rule that placed it (NULL when parsed) */
	enum cg_move_status status;
	int errnum; /* CG_MOVE_FAILED */
};

struct cg_moves {
	struct cg_move *items; /* by pid, then hierarchy */
	size_t n, alloc;
	size_t scanned, stay; /* processes read; hierarchies kept by an ignore rule */
};

void cg_moves_init(struct cg_moves *mv);
void cg_moves_release(struct cg_moves *mv);

struct cg_place_opts {
	const char *proc_root; /* NULL: "/proc" */
	const char *parent;    /* --parent, NULL for none */
	bool instantiate;      /* add the template groups used to the model */
};

/*
 * Scans `pids` (all processes when npids is 0) and appends the moves to `out`. A pid
 * given explicitly that does not exist is a warning in `d`; a process that is a kernel
 * thread matches nothing. Returns -1 only when the proc root cannot be read.
 */
int cg_place_scan(struct cg_model *m, const struct cg_hosttree *hosts, const pid_t *pids,
		  size_t npids, const struct cg_place_opts *o, struct cg_moves *out,
		  struct cg_diags *d, struct cg_error **err);

/*
 * Adds to `dst` the concrete groups a rule's destination needs: each prefix of `dest`
 * whose counterpart in `dest_text` is a template group of `src` becomes a copy of it
 * (perm and values) under the concrete name; when dst is not src, each prefix that is
 * a configured group of `src` is copied too. dst may be src. Re-sorts dst's groups.
 */
void cg_place_instantiate(struct cg_model *dst, const struct cg_model *src, const char *dest_text,
			  const char *dest);

/*
 * Runs the planned moves through `fs` (the fspath of a destination is mount/to).
 * Returns 0 when none failed; -1 with *err the first failure (the others are still
 * tried; each move's status says what happened).
 */
int cg_place_run(struct cg_fs *fs, const char *proc_root, struct cg_moves *mv,
		 struct cg_error **err);
/*
 * Refuses (CG_E_PRECOND, the first directory and how many more) planned moves into
 * cgroups that systemd owns and has not delegated (apply/systemd), as a plan's steps
 * are refused. The caller checks cg_systemd_booted() and --allow-systemd-cgroups.
 */
int cg_place_check_systemd(struct cg_fs *fs, const struct cg_hosttree *hosts,
			   const struct cg_moves *mv, struct cg_error **err);

/*
 * The moves of a saved plan, before they run: a move whose process is no longer the one
 * the plan was made for (gone, another start time, executable or euid) becomes GONE; one
 * already in its destination is dropped; one that moved since goes from where it is.
 */
void cg_place_recheck(const char *proc_root, const struct cg_hosttree *hosts, struct cg_moves *mv);
/* Moves back what is DONE and still where it was put. Returns the number moved back. */
/*
 * For a dry run of rollback: marks as holding no tasks each directory of `live` whose
 * every process (its cgroup.procs) is one that cg_place_undo() would move back out of it
 * (a done move of `mv` into that directory). Reads only; returns how many processes of
 * `mv` are still in their destinations.
 */
size_t cg_place_assume_undone(struct cg_fs *fs, const struct cg_moves *mv, struct cg_state *live);
size_t cg_place_undo(struct cg_fs *fs, const char *proc_root, const struct cg_hosttree *hosts,
		     struct cg_moves *mv, struct cg_error **err);

/* One line per DONE or PLANNED move (one that may have run): "move PID START MOUNT\tFROM\tTO\n"
 * after a "moves 1" line. */
void cg_moves_serialize(const struct cg_moves *mv, struct strbuf *out);
/* The same with the moves of `earlier` (a record read back) first: undone in reverse. */
void cg_moves_serialize_after(const struct cg_moves *earlier, const struct cg_moves *mv,
			      struct strbuf *out);
int cg_moves_parse(const char *text, size_t len, struct cg_moves *out, struct cg_error **err);

size_t cg_moves_count(const struct cg_moves *mv, enum cg_move_status st);

#endif

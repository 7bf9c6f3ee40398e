/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The rules matcher: where the cgrules-style rules put one process.
 *
 * A process is read from procfs (a proc root parameter, "/proc" on a real system, a
 * temp dir in tests): euid, egid and supplementary groups from status, the executable
 * (readlink of exe; for a script, whose comm differs from the basename of exe, the
 * script's path taken from cmdline, as cgrulesengd does), the flags, parent and
 * scheduling policy from stat, and its cgroups from the cgroup file. A process that
 * is gone (or a zombie) midway is reported as gone, never as an error. Kernel threads
 * (PF_KTHREAD, or kthreadd and its children) are read but never matched.
 *
 * Matching (cgrulesengd's cached mode, per hierarchy): the rules are tried in order; a
 * rule whose user, @group (egid or a supplementary group) or `*` matches and whose
 * process (full path, basename, or a prefix ending in '*' compared with the full path)
 * matches, is executed together with its `%` lines; each of their controllers decides
 * the hierarchy that holds it, unless an earlier rule decided it already. `*` means
 * every hierarchy that holds a controller. An `ignore` rule (for tasks that are not
 * real-time; `ignore_rt` for real-time ones; both for all) decides "stay" when the
 * process already is in the rule's destination or below it (`*`: anywhere), in that
 * hierarchy, v1 or v2; otherwise it is skipped. Destinations are expanded with
 * cg_rule_expand(); %p is the executable's basename.
 *
 *   struct cg_proc p;
 *   if (cg_proc_read("/proc", pid, &p, &err) == CG_PROC_READ_OK) {
 *           struct cg_match mt;
 *           cg_match_process(model, hosts, &p, &mt);
 *           ... mt.items ...
 *           cg_match_release(&mt);
 *           cg_proc_release(&p);
 *   }
 */
#ifndef CGAPPLY_APPLY_MATCH_H
#define CGAPPLY_APPLY_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "apply/hierarchy.h"
#include "lib/error.h"
#include "lib/strbuf.h"
#include "parser/model.h"

/* One line of /proc/PID/cgroup. */
struct cg_proc_cgroup {
	char *controllers; /* "cpu,cpuacct"; "" for the v2 line "0::/path" */
	char *path;	   /* without the leading '/': "" is the root */
};

struct cg_proc {
	pid_t pid, ppid;
	uid_t euid;
	gid_t egid;
	gid_t *groups; /* supplementary */
	size_t ngroups;
	char *comm;	/* Name: */
	char *exe;	/* the process name matched: full path of the executable or script */
	bool kthread;	/* never matched */
	bool rt;	/* SCHED_FIFO or SCHED_RR */
	uint64_t start; /* start time (stat field 22): tells a reused pid apart */
	struct cg_proc_cgroup *cgroups;
	size_t ncgroups;
};

enum cg_proc_read_status {
	CG_PROC_READ_OK = 0,
	CG_PROC_READ_GONE = 1, /* exited (or a zombie): not an error */
};

/* Returns CG_PROC_READ_OK, CG_PROC_READ_GONE, or -1 with *err. `out` is set on OK only. */
int cg_proc_read(const char *proc_root, pid_t pid, struct cg_proc *out, struct cg_error **err);
void cg_proc_release(struct cg_proc *p);
/* The process's cgroup in hierarchy `h` ("" for the root), or NULL when not listed. */
const char *cg_proc_cgroup_in(const struct cg_proc *p, const struct cg_hier *h);
/* Every numeric entry of the proc root, sorted. */
int cg_proc_list(const char *proc_root, pid_t **pids, size_t *n, struct cg_error **err);
/* The start time of a pid, false when it is gone. */
bool cg_proc_start_time(const char *proc_root, pid_t pid, uint64_t *start);

/* What the rules decide for one hierarchy. */
struct cg_match_item {
	const struct cg_hier *hier;
	const struct cg_rule *rule; /* the rule (or `%` line) that decided */
	bool stay;		    /* an ignore rule: leave the process where it is */
	char *dest; /* expanded destination (model path, "" the root); NULL if stay */
};

struct cg_match {
	struct cg_match_item *items; /* in the order decided */
	size_t n, alloc;
	/* a destination that could not be expanded (a name unusable as a path component) */
	const struct cg_rule *bad_rule;
};

/*
 * Matches `p` against `m`'s rules. Kernel threads match nothing. `parent` is the
 * --parent path (NULL or "" for none), prefixed to destinations when an ignore rule
 * compares them with the process's cgroups.
 */
void cg_match_process(const struct cg_model *m, const struct cg_hosttree *hosts, const char *parent,
		      const struct cg_proc *p, struct cg_match *out);
void cg_match_release(struct cg_match *mt);

/* Whether a rule's user part matches the process (uid, @group incl. supplementary, `*`). */
bool cg_match_user(const struct cg_rule *r, const struct cg_proc *p);
/* Whether a rule's process part matches the process name (NULL rule process: any). */
bool cg_match_procname(const char *rule_process, const char *procname);

/* Reads a procfs file (at most 1 MiB of it) into `out`; 0, or -1 with errno. */
int cg_proc_read_file(const char *path, struct strbuf *out);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The planner's insides, shared by plan.c (phases, directories, permissions, plain
 * writes) and the per-controller files that order the constrained writes:
 *   plan-memory.c   v1 memory.limit_in_bytes / memory.memsw.limit_in_bytes, usage checks
 *   plan-cpu.c      v1 CFS quota/period/burst and RT budgets, idle before shares; v2 cpu
 *   plan-cpuset.c   v1 cpus/mems (widen parents, narrow children), exclusive flags
 *   plan-devices.c  v1 devices rules, emulated on devices.list
 *   plan-v2.c       cgroup.subtree_control, one controller per write
 *
 * The planner keeps `sim`, a copy of the current state that every emitted step updates,
 * so each concern decides its next write from the values the kernel will hold at that
 * moment (including what earlier phases changed), not from the plan's start. A directory
 * created by the plan gets the values the kernel gives a new group (apply/plan.c
 * pctx_fresh_value); a value the planner does not know is absent and written anyway.
 *
 * Directories are indexed as in `sim` (parents before children), so a top-down pass is
 * an ascending loop and a bottom-up pass a descending one.
 */
#ifndef CGAPPLY_APPLY_PLAN_INT_H
#define CGAPPLY_APPLY_PLAN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apply/plan.h"
#include "apply/state.h"
#include "parser/diag.h"
#include "parser/value.h"

#define PDIR_NONE ((size_t)-1)

/* The kernel's fixed-point bandwidth ratios (kernel/sched: to_ratio, BW_SHIFT). */
#define PLAN_BW_SHIFT 20
#define PLAN_BW_UNIT  (UINT64_C(1) << PLAN_BW_SHIFT)

struct pdir {
	const struct cg_state_dir *cur; /* NULL when the current state does not list it */
	const struct cg_state_dir *tgt; /* NULL when the target does not list it */
	size_t parent;			/* nearest ancestor in sim, or PDIR_NONE */
	enum cg_version ver;
	bool create; /* the plan makes it */
	bool remove; /* the plan removes it */
};

struct pctx {
	const struct plan_opts *o;
	struct cg_state sim; /* the values as the steps so far leave them */
	struct pdir *d;	     /* parallel to sim.dirs */
	size_t n;
	struct plan *p;
	struct cg_diags *problems;
};

/* ---- plan.c: shared helpers ---- */

struct cg_state_dir *pctx_sim(const struct pctx *c, size_t i);
const char *pctx_path(const struct pctx *c, size_t i);
/* Whether the directory exists at this point of the plan (sim). */
bool pctx_exists(const struct pctx *c, size_t i);
/*
 * A directory the configuration does not list (state.h `foreign`): it counts in every
 * check of its parent and siblings, but no step is ever planned in it.
 */
bool pctx_foreign(const struct pctx *c, size_t i);
/* Whether the dir's hierarchy holds `controller` (v1 mounts, v2 root controllers). */
bool pctx_has_controller(const struct pctx *c, size_t i, const char *controller);
/* The simulated value of a file, or NULL when unknown/absent. */
const struct cg_value *pctx_value(const struct pctx *c, size_t i, const char *file);
/* The target file when the target sets it (present and managed), else NULL. */
const struct cg_state_file *pctx_target(const struct pctx *c, size_t i, const char *file);
/* The target file's value when it is managed and differs from the simulated one. */
const struct cg_value *pctx_wanted(const struct pctx *c, size_t i, const char *file);
/* An integer value (INT/BOOL), or `dflt` when unknown. */
int64_t pctx_int(const struct pctx *c, size_t i, const char *file, int64_t dflt);

/*
 * Emits a WRITE of `v` to `file` (one step per record for multi-record values) and sets
 * the simulated value. A non-transitional write counts towards values_changed.
 */
void pctx_write(struct pctx *c, size_t i, const char *file, const struct cg_value *v,
		bool transitional);
/* Emits one WRITE step of exactly `text` (devices rules, "+memory"); sim is the caller's. */
struct plan_step *pctx_write_text(struct pctx *c, size_t i, const char *file, const char *old,
				  const char *text, bool transitional);

void pctx_error(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pctx_warning(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pctx_note(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Kernel to_ratio(): runtime/period in 1/2^20 units (the caller handles "unlimited"). */
uint64_t plan_ratio(uint64_t period, uint64_t runtime);

/* An INT value. */
void plan_int_value(struct cg_value *v, int64_t n);

/* ---- per-concern passes ---- */

/* plan-memory.c */
bool plan_memory_handles(const char *file, enum cg_version ver);
void plan_memory_dir(struct pctx *c, size_t i);
void plan_memory_preflight(struct pctx *c, size_t i);

/* plan-cpu.c */
bool plan_cpu_handles(const char *file, enum cg_version ver);
void plan_cfs_raise(struct pctx *c, size_t i); /* top-down */
void plan_cfs_lower(struct pctx *c, size_t i); /* bottom-up */
void plan_rt_lower(struct pctx *c, size_t i);  /* bottom-up */
void plan_rt_raise(struct pctx *c, size_t i);  /* top-down */
void plan_cpu_other(struct pctx *c, size_t i); /* idle, shares; v2 idle/weight/max */

/* plan-cpuset.c */
bool plan_cpuset_handles(const char *file, enum cg_version ver);
void plan_cpuset_clear_flags(struct pctx *c, size_t i); /* bottom-up */
void plan_cpuset_widen(struct pctx *c, size_t i);	/* top-down */
void plan_cpuset_narrow(struct pctx *c, size_t i);	/* bottom-up */
void plan_cpuset_set_flags(struct pctx *c, size_t i);	/* top-down */

/* plan-devices.c */
bool plan_devices_handles(const char *file, enum cg_version ver);
void plan_devices_dir(struct pctx *c, size_t i); /* top-down, right after the dir's mkdir */
/* After every phase: devices.list as the steps leave it, into `want` (plan_expected). */
void plan_devices_expect(const struct pctx *c, struct cg_state *want);

/* plan-v2.c */
bool plan_v2_handles(const char *file, enum cg_version ver);
void plan_v2_enable(struct pctx *c, size_t i);	/* top-down */
void plan_v2_disable(struct pctx *c, size_t i); /* bottom-up */

/*
 * Devices emulation (plan-devices.c), on the allow entries that devices.list shows: a
 * list holding "a *:* rwm" is allow-all mode (whose deny exceptions are invisible).
 * Applying a rule follows security/device_cgroup.c on the visible list.
 */
struct cg_devrule;
bool plan_devlist_allow_all(const struct cg_value *list);
void plan_devlist_apply(struct cg_value *list, const struct cg_devrule *r, bool allow);

#endif

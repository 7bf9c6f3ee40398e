/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "parser/schema.h"

#include <string.h>

#include "lib/strbuf.h"
#include "parser/diag.h"

/*
 * Ranges come from ../shared/reference/kernel-v1-constraints.md (measured on 6.18) and,
 * for v2 files, from cgroup-v2.rst. Each name appears once: a file that exists on both
 * versions with the same meaning is one entry with CG_FF_V1 | CG_FF_V2.
 */

#define V1   CG_FF_V1
#define V2   CG_FF_V2
#define V12  (CG_FF_V1 | CG_FF_V2)
#define CORE CG_FF_CORE

/* 2^44 - 1 µs: the kernel's bound on CFS quota and burst (max_cfs_quota_period math) */
#define CFS_MAX ((INT64_C(1) << 44) - 1)
#define US	"microseconds"

/* clang-format off */
#define SIZE(c, n, fl) { c, n, (fl), CG_VT_SIZE, 0, 0, NULL, NULL, NULL }
#define INT(c, n, fl, lo, hi, unit, why) { c, n, (fl), CG_VT_INT, (lo), (hi), NULL, why, unit }
#define BOOL(c, n, fl) { c, n, (fl), CG_VT_BOOL, 0, 1, NULL, NULL, NULL }
#define ENUM(c, n, fl, words) { c, n, (fl), CG_VT_ENUM, 0, 0, words, NULL, NULL }
#define LIST(c, n, fl) { c, n, (fl), CG_VT_CPULIST, 0, 0, NULL, NULL, NULL }
#define DEVLIM(c, n, fl, lo, hi, unit) { c, n, (fl), CG_VT_DEVLIMIT, (lo), (hi), NULL, NULL, unit }
#define KEYED(c, n, fl, lo, hi, fields) { c, n, (fl), CG_VT_KEYED, (lo), (hi), fields, NULL, NULL }
#define TYPED(c, n, fl, type) { c, n, (fl), type, 0, 0, NULL, NULL, NULL }
/* Files configuration may not hold: the value type is irrelevant, RAW is a placeholder. */
#define RO(c, n, fl) { c, n, (fl) | CG_FF_READONLY, CG_VT_RAW, 0, 0, NULL, NULL, NULL }
#define ACTION(c, n, fl, why) { c, n, (fl) | CG_FF_ACTION, CG_VT_RAW, 0, 0, NULL, why, NULL }
#define FORBID(c, n, fl, why) { c, n, (fl) | CG_FF_FORBIDDEN, CG_VT_RAW, 0, 0, NULL, why, NULL }

/* The why texts complete "'x' is a write-only action, not state: <why>". */
#define RESETS "writing it resets the counter"

static const char *const freezer_words[] = { "FROZEN", "THAWED", NULL };
static const char *const partition_words[] = { "member", "root", "isolated", NULL };
static const char *const cgtype_words[] = { "domain", "threaded", NULL };
static const char *const iomax_fields[] = { "rbps", "wbps", "riops", "wiops", NULL };
static const char *const iolat_fields[] = { "target", NULL };
static const char *const rdma_fields[] = { "hca_handle", "hca_object", NULL };

static const struct cg_controllerdef controllers[] = {
	{ "cgroup", V12 },   { "cpu", V12 },     { "cpuacct", V1 },    { "cpuset", V12 },
	{ "memory", V12 },   { "devices", V1 },  { "freezer", V1 },    { "net_cls", V1 },
	{ "net_prio", V1 },  { "blkio", V1 },    { "perf_event", V12 }, { "hugetlb", V12 },
	{ "pids", V12 },     { "rdma", V12 },    { "misc", V12 },      { "io", V2 },
};

static const struct cg_filedef files[] = {
	/* core files (controller "cgroup"), valid under any controller of their version */
	BOOL("cgroup", "notify_on_release", V1 | CORE),
	BOOL("cgroup", "cgroup.clone_children", V1 | CORE),
	FORBID("cgroup", "tasks", V1 | CORE,
	       "processes are placed by rules, not written as configuration"),
	FORBID("cgroup", "cgroup.procs", V12 | CORE,
	       "processes are placed by rules, not written as configuration"),
	FORBID("cgroup", "cgroup.threads", V2 | CORE,
	       "threads are placed by rules, not written as configuration"),
	FORBID("cgroup", "release_agent", V1 | CORE,
	       "it exists only in a hierarchy's root, and a release agent runs as root (a security hazard)"),
	FORBID("cgroup", "cgroup.sane_behavior", V1 | CORE, "it is a read-only flag of the hierarchy's root"),
	FORBID("cgroup", "cgroup.kill", V2 | CORE, "it is an action that kills every task in the group"),
	FORBID("cgroup", "cgroup.subtree_control", V2 | CORE,
	       "cgapply manages it from the controllers the groups use"),
	FORBID("cgroup", "cgroup.event_control", V1 | CORE,
	       "it registers event notifications, which is not state"),
	INT("cgroup", "cgroup.max.depth", V2 | CORE | CG_FF_MAX_WORD, 0, INT32_MAX, NULL, NULL),
	INT("cgroup", "cgroup.max.descendants", V2 | CORE | CG_FF_MAX_WORD, 0, INT32_MAX, NULL, NULL),
	BOOL("cgroup", "cgroup.freeze", V2 | CORE),
	BOOL("cgroup", "cgroup.pressure", V2 | CORE),
	ENUM("cgroup", "cgroup.type", V2 | CORE, cgtype_words),
	RO("cgroup", "cgroup.controllers", V2 | CORE),
	RO("cgroup", "cgroup.events", V2 | CORE),
	RO("cgroup", "cgroup.stat", V2 | CORE),
	RO("cgroup", "cgroup.stat.local", V2 | CORE),

	/* memory v1 */
	SIZE("memory", "memory.limit_in_bytes", V1),
	SIZE("memory", "memory.memsw.limit_in_bytes", V1),
	SIZE("memory", "memory.soft_limit_in_bytes", V1 | CG_FF_DEPRECATED),
	SIZE("memory", "memory.kmem.tcp.limit_in_bytes", V1 | CG_FF_DEPRECATED),
	{ "memory", "memory.kmem.limit_in_bytes", V1 | CG_FF_IGNORED | CG_FF_DEPRECATED, CG_VT_SIZE,
	  0, 0, NULL, "accepted and ignored by current kernels", NULL },
	INT("memory", "memory.swappiness", V1 | CG_FF_DEPRECATED, 0, 200, NULL, NULL),
	INT("memory", "memory.oom_control", V1 | CG_FF_DEPRECATED, 0, 1, NULL,
	    "1 disables the OOM killer"),
	INT("memory", "memory.move_charge_at_immigrate", V1 | CG_FF_DEPRECATED, 0, 0, NULL,
	    "charge moving was removed from the kernel, only 0 is accepted"),
	INT("memory", "memory.use_hierarchy", V1, 1, 1, NULL,
	    "hierarchical accounting is always on, only 1 is accepted"),
	ACTION("memory", "memory.force_empty", V1, "writing it reclaims the group's page cache"),
	ACTION("memory", "memory.max_usage_in_bytes", V1, RESETS),
	ACTION("memory", "memory.memsw.max_usage_in_bytes", V1, RESETS),
	ACTION("memory", "memory.failcnt", V1, RESETS),
	ACTION("memory", "memory.memsw.failcnt", V1, RESETS),
	ACTION("memory", "memory.kmem.failcnt", V1, RESETS),
	ACTION("memory", "memory.kmem.max_usage_in_bytes", V1, RESETS),
	ACTION("memory", "memory.kmem.tcp.failcnt", V1, RESETS),
	ACTION("memory", "memory.kmem.tcp.max_usage_in_bytes", V1, RESETS),
	RO("memory", "memory.usage_in_bytes", V1),
	RO("memory", "memory.memsw.usage_in_bytes", V1),
	RO("memory", "memory.kmem.usage_in_bytes", V1),
	RO("memory", "memory.kmem.tcp.usage_in_bytes", V1),
	RO("memory", "memory.stat", V12),
	RO("memory", "memory.numa_stat", V12),
	FORBID("memory", "memory.pressure_level", V1,
	       "it registers event notifications, which is not state"),

	/* memory v2 */
	SIZE("memory", "memory.max", V2),
	SIZE("memory", "memory.high", V2),
	SIZE("memory", "memory.low", V2),
	SIZE("memory", "memory.min", V2),
	SIZE("memory", "memory.swap.max", V2),
	SIZE("memory", "memory.swap.high", V2),
	SIZE("memory", "memory.zswap.max", V2),
	BOOL("memory", "memory.oom.group", V2),
	BOOL("memory", "memory.zswap.writeback", V2),
	ACTION("memory", "memory.reclaim", V2, "writing it reclaims memory once"),
	RO("memory", "memory.current", V2),
	RO("memory", "memory.peak", V2),
	RO("memory", "memory.events", V2),
	RO("memory", "memory.events.local", V2),
	RO("memory", "memory.swap.current", V2),
	RO("memory", "memory.swap.peak", V2),
	RO("memory", "memory.swap.events", V2),
	RO("memory", "memory.zswap.current", V2),
	RO("memory", "memory.pressure", V2),

	/* cpu v1 */
	INT("cpu", "cpu.shares", V1, 2, 262144, NULL,
	    "the kernel would silently clamp it into this range"),
	INT("cpu", "cpu.cfs_period_us", V1, 1000, 1000000, US, NULL),
	INT("cpu", "cpu.cfs_quota_us", V1 | CG_FF_NEG1_OR_MIN, 1000, CFS_MAX, US, NULL),
	INT("cpu", "cpu.cfs_burst_us", V1, 0, CFS_MAX, US, NULL),
	INT("cpu", "cpu.rt_period_us", V1, 1, 1000000000, US, NULL),
	/* -1 (no limit) is refused for groups below the root: only 0..max */
	INT("cpu", "cpu.rt_runtime_us", V1, 0, INT32_MAX, US, NULL),
	INT("cpu", "cpu.idle", V12, 0, 1, NULL, NULL),
	RO("cpu", "cpu.stat", V12),
	RO("cpu", "cpu.stat.local", V12),

	/* cpu v2 */
	TYPED("cpu", "cpu.max", V2, CG_VT_CPUMAX),
	INT("cpu", "cpu.max.burst", V2, 0, CFS_MAX, US, NULL),
	INT("cpu", "cpu.weight", V2, 1, 10000, NULL, NULL),
	INT("cpu", "cpu.weight.nice", V2, -20, 19, NULL, NULL),
	RO("cpu", "cpu.pressure", V2),

	/* cpuacct v1 */
	ACTION("cpuacct", "cpuacct.usage", V1, "writing 0 resets the counter"),
	RO("cpuacct", "cpuacct.stat", V1),
	RO("cpuacct", "cpuacct.usage_all", V1),
	RO("cpuacct", "cpuacct.usage_percpu", V1),
	RO("cpuacct", "cpuacct.usage_percpu_user", V1),
	RO("cpuacct", "cpuacct.usage_percpu_sys", V1),
	RO("cpuacct", "cpuacct.usage_user", V1),
	RO("cpuacct", "cpuacct.usage_sys", V1),

	/* cpuset */
	LIST("cpuset", "cpuset.cpus", V12),
	LIST("cpuset", "cpuset.mems", V12),
	BOOL("cpuset", "cpuset.cpu_exclusive", V1),
	BOOL("cpuset", "cpuset.mem_exclusive", V1),
	BOOL("cpuset", "cpuset.mem_hardwall", V1),
	BOOL("cpuset", "cpuset.memory_migrate", V1),
	BOOL("cpuset", "cpuset.memory_spread_page", V1),
	BOOL("cpuset", "cpuset.memory_spread_slab", V1),
	BOOL("cpuset", "cpuset.sched_load_balance", V1),
	/* the upper bound depends on the machine's topology; 5 is the largest level */
	INT("cpuset", "cpuset.sched_relax_domain_level", V1, -1, 5, NULL, NULL),
	FORBID("cpuset", "cpuset.memory_pressure_enabled", V1, "it exists only in the root cpuset"),
	RO("cpuset", "cpuset.effective_cpus", V1),
	RO("cpuset", "cpuset.effective_mems", V1),
	RO("cpuset", "cpuset.memory_pressure", V1),
	ENUM("cpuset", "cpuset.cpus.partition", V2, partition_words),
	LIST("cpuset", "cpuset.cpus.exclusive", V2),
	RO("cpuset", "cpuset.cpus.effective", V2),
	RO("cpuset", "cpuset.mems.effective", V2),
	RO("cpuset", "cpuset.cpus.exclusive.effective", V2),
	RO("cpuset", "cpuset.cpus.isolated", V2),

	/* pids: PID_MAX_LIMIT is 4194304 */
	INT("pids", "pids.max", V12 | CG_FF_MAX_WORD, 0, 4194304, NULL, NULL),
	RO("pids", "pids.current", V12),
	RO("pids", "pids.events", V12),
	RO("pids", "pids.peak", V12),
	RO("pids", "pids.events.local", V2),

	/* blkio v1; 0 in a throttle file deletes the rule, hence MAX_WORD (no limit) */
	DEVLIM("blkio", "blkio.throttle.read_bps_device", V1 | CG_FF_SUFFIX | CG_FF_MAX_WORD, 0,
	       INT64_MAX, "bytes per second"),
	DEVLIM("blkio", "blkio.throttle.write_bps_device", V1 | CG_FF_SUFFIX | CG_FF_MAX_WORD, 0,
	       INT64_MAX, "bytes per second"),
	DEVLIM("blkio", "blkio.throttle.read_iops_device", V1 | CG_FF_MAX_WORD, 0, INT64_MAX,
	       "operations per second"),
	DEVLIM("blkio", "blkio.throttle.write_iops_device", V1 | CG_FF_MAX_WORD, 0, INT64_MAX,
	       "operations per second"),
	INT("blkio", "blkio.bfq.weight", V1, 1, 1000, NULL, NULL),
	DEVLIM("blkio", "blkio.bfq.weight_device", V1 | CG_FF_DEFAULT_KEY, 1, 1000, NULL),
	/* CFQ's files, on kernels before 5.0 */
	INT("blkio", "blkio.weight", V1, 10, 1000, NULL, NULL),
	DEVLIM("blkio", "blkio.weight_device", V1, 10, 1000, NULL),
	INT("blkio", "blkio.leaf_weight", V1, 10, 1000, NULL, NULL),
	ACTION("blkio", "blkio.reset_stats", V1, "writing it resets the statistics"),
	RO("blkio", "blkio.throttle.io_serviced", V1),
	RO("blkio", "blkio.throttle.io_service_bytes", V1),
	RO("blkio", "blkio.throttle.io_serviced_recursive", V1),
	RO("blkio", "blkio.throttle.io_service_bytes_recursive", V1),
	RO("blkio", "blkio.io_serviced", V1),
	RO("blkio", "blkio.io_service_bytes", V1),
	RO("blkio", "blkio.bfq.io_serviced", V1),
	RO("blkio", "blkio.bfq.io_service_bytes", V1),
	RO("blkio", "blkio.time", V1),
	RO("blkio", "blkio.sectors", V1),

	/* io v2 */
	KEYED("io", "io.max", V2 | CG_FF_DEVKEY | CG_FF_MAX_WORD, 1, INT64_MAX, iomax_fields),
	KEYED("io", "io.latency", V2 | CG_FF_DEVKEY | CG_FF_MAX_WORD, 0, INT64_MAX, iolat_fields),
	DEVLIM("io", "io.weight", V2 | CG_FF_DEFAULT_KEY, 1, 10000, NULL),
	DEVLIM("io", "io.bfq.weight", V2 | CG_FF_DEFAULT_KEY, 1, 1000, NULL),
	RO("io", "io.stat", V2),
	RO("io", "io.pressure", V2),

	/* devices v1 */
	TYPED("devices", "devices.allow", V1, CG_VT_DEVRULE),
	TYPED("devices", "devices.deny", V1, CG_VT_DEVRULE),
	RO("devices", "devices.list", V1),

	/* freezer v1; FREEZING is a transition state that can only be read */
	ENUM("freezer", "freezer.state", V1, freezer_words),
	RO("freezer", "freezer.self_freezing", V1),
	RO("freezer", "freezer.parent_freezing", V1),

	/* net_cls takes a decimal u32, but cgconfig.conf users write 0xAAAABBBB handles */
	INT("net_cls", "net_cls.classid", V1 | CG_FF_HEX, 0, UINT32_MAX, NULL, NULL),
	KEYED("net_prio", "net_prio.ifpriomap", V1, 0, UINT32_MAX, NULL),
	RO("net_prio", "net_prio.prioidx", V1),

	/* hugetlb: <size> is the page size as the kernel names it ("2MB", "1GB") */
	SIZE("hugetlb", "hugetlb.*.limit_in_bytes", V1 | CG_FF_PATTERN),
	SIZE("hugetlb", "hugetlb.*.rsvd.limit_in_bytes", V1 | CG_FF_PATTERN),
	ACTION("hugetlb", "hugetlb.*.max_usage_in_bytes", V1 | CG_FF_PATTERN, RESETS),
	ACTION("hugetlb", "hugetlb.*.rsvd.max_usage_in_bytes", V1 | CG_FF_PATTERN, RESETS),
	ACTION("hugetlb", "hugetlb.*.failcnt", V1 | CG_FF_PATTERN, RESETS),
	ACTION("hugetlb", "hugetlb.*.rsvd.failcnt", V1 | CG_FF_PATTERN, RESETS),
	RO("hugetlb", "hugetlb.*.usage_in_bytes", V1 | CG_FF_PATTERN),
	RO("hugetlb", "hugetlb.*.rsvd.usage_in_bytes", V1 | CG_FF_PATTERN),
	SIZE("hugetlb", "hugetlb.*.max", V2 | CG_FF_PATTERN),
	SIZE("hugetlb", "hugetlb.*.rsvd.max", V2 | CG_FF_PATTERN),
	RO("hugetlb", "hugetlb.*.current", V2 | CG_FF_PATTERN),
	RO("hugetlb", "hugetlb.*.rsvd.current", V2 | CG_FF_PATTERN),
	RO("hugetlb", "hugetlb.*.events", V2 | CG_FF_PATTERN),
	RO("hugetlb", "hugetlb.*.events.local", V2 | CG_FF_PATTERN),
	RO("hugetlb", "hugetlb.*.numa_stat", V12 | CG_FF_PATTERN),

	/* rdma: hca_handle and hca_object are ints in the kernel */
	KEYED("rdma", "rdma.max", V12 | CG_FF_MAX_WORD, 0, INT32_MAX, rdma_fields),
	RO("rdma", "rdma.current", V12),

	/* misc: "RESOURCE N|max" */
	KEYED("misc", "misc.max", V12 | CG_FF_MAX_WORD, 0, INT64_MAX, NULL),
	RO("misc", "misc.current", V12),
	RO("misc", "misc.events", V12),
	RO("misc", "misc.capacity", V12),
	RO("misc", "misc.peak", V12),
};
/* clang-format on */

const struct cg_filedef *
cg_schema_files(size_t *n)
{
	*n = sizeof(files) / sizeof(files[0]);
	return files;
}

const struct cg_controllerdef *
cg_schema_controllers(size_t *n)
{
	*n = sizeof(controllers) / sizeof(controllers[0]);
	return controllers;
}

static bool
is_pattern_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* `*` in pat matches a non-empty run of [0-9A-Za-z]; the rest must be equal. */
static bool
pattern_match(const char *pat, const char *name)
{
	const char *star = strchr(pat, '*');
	size_t pre, post, len = strlen(name), i;

	if (!star)
		return strcmp(pat, name) == 0;
	pre = (size_t)(star - pat);
	post = strlen(star + 1);
	if (len < pre + post + 1 || strncmp(pat, name, pre) != 0 ||
	    strcmp(star + 1, name + len - post) != 0)
		return false;
	for (i = pre; i < len - post; i++)
		if (!is_pattern_char(name[i]))
			return false;
	return true;
}

static bool
name_matches(const struct cg_filedef *f, const char *file)
{
	if (f->flags & CG_FF_PATTERN)
		return pattern_match(f->name, file);
	return strcmp(f->name, file) == 0;
}

bool
cg_schema_core_placeable(const struct cg_filedef *def, const char *controller)
{
	unsigned v = def->flags & (CG_FF_V1 | CG_FF_V2);
	const struct cg_controllerdef *c;

	if (strcmp(controller, "cgroup") == 0)
		return v != CG_FF_V1;
	c = cg_schema_controller(controller);
	return !(v == CG_FF_V2 && c && !(c->flags & CG_FF_V2));
}

const struct cg_controllerdef *
cg_schema_controller(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(controllers) / sizeof(controllers[0]); i++)
		if (strcmp(controllers[i].name, name) == 0)
			return &controllers[i];
	return NULL;
}

const struct cg_filedef *
cg_schema_file_any(const char *file)
{
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (name_matches(&files[i], file))
			return &files[i];
	return NULL;
}

const struct cg_filedef *
cg_schema_file(const char *controller, const char *file)
{
	const struct cg_filedef *f = cg_schema_file_any(file);

	if (!f)
		return NULL;
	if (strcmp(f->controller, controller) == 0)
		return f;
	if ((f->flags & CG_FF_CORE) && cg_schema_controller(controller))
		return f;
	return NULL;
}

const char *
cg_schema_suggest_controller(const char *name)
{
	const char *best = NULL;
	size_t best_d = 3, i;

	for (i = 0; i < sizeof(controllers) / sizeof(controllers[0]); i++) {
		const char *c = controllers[i].name;
		size_t dist = cg_edit_distance(name, c);

		/* "ab" is 2 edits from "io" but no typo of it: keep one letter in common */
		if (dist < best_d && dist < strlen(c)) {
			best = c;
			best_d = dist;
		}
	}
	return best;
}

/*
 * The distance from `file` to a pattern entry: the `*` is taken as the part of `file` at
 * the same place (its second dot-separated field), so that "hugetlb.2MB.limit_in_byte"
 * is one edit from "hugetlb.*.limit_in_bytes".
 */
static size_t
distance_to(const struct cg_filedef *f, const char *file)
{
	struct strbuf sb = STRBUF_INIT;
	const char *star, *dot, *end;
	size_t dist;

	if (!(f->flags & CG_FF_PATTERN))
		return cg_edit_distance(file, f->name);
	star = strchr(f->name, '*');
	dot = strchr(file, '.');
	end = dot ? strchr(dot + 1, '.') : NULL;
	strbuf_add(&sb, f->name, (size_t)(star - f->name));
	if (end)
		strbuf_add(&sb, dot + 1, (size_t)(end - dot - 1));
	else
		strbuf_addch(&sb, '*');
	strbuf_adds(&sb, star + 1);
	dist = cg_edit_distance(file, sb.buf);
	strbuf_release(&sb);
	return dist;
}

const char *
cg_schema_suggest_file(const char *controller, const char *file)
{
	size_t limit = strlen(file) / 3, best_d, i;
	const char *best = NULL;

	if (limit < 3)
		limit = 3;
	best_d = limit + 1;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const struct cg_filedef *f = &files[i];
		size_t dist;

		if (strcmp(f->controller, controller) != 0 && !(f->flags & CG_FF_CORE))
			continue;
		dist = distance_to(f, file);
		if (dist < best_d) {
			best = f->name;
			best_d = dist;
		}
	}
	return best;
}

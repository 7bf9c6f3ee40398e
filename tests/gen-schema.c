/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * gen-schema: writes schemas/cgapply.schema.json (JSON Schema draft-07, for editors)
 * from the control-file table of parser/schema.c, the key lists of parser/cgdef.c and
 * the descriptions below. `make check` builds it and tests/schema-fresh.sh fails when
 * the committed schema differs from its output; after a table change run
 *
 *   make tests/gen-schema && tests/gen-schema > schemas/cgapply.schema.json
 *
 * It fails, naming the entry, when a configurable file or a controller has no
 * description here: describe it rather than ship an undocumented key.
 */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strbuf.h"
#include "parser/cgdef.h"
#include "parser/schema.h"

/* JSON numbers above 2^53 lose precision in most validators: such bounds are left out. */
#define JSON_SAFE_INT ((INT64_C(1) << 53) - 1)
#define MAX_DEPTH     32

struct desc {
	const char *name;
	const char *text;
};

static const struct desc controller_descs[] = {
	{ "cgroup",
	  "The cgroup v2 core files of the group itself rather than of a controller (cgroup.max.depth, cgroup.freeze...); they may also be written under a v2 controller's key. The v1 core files (notify_on_release, cgroup.clone_children) go under the controller whose hierarchy they are for." },
	{ "cpu",
	  "CPU scheduling: weights and CFS bandwidth (v1 cpu.shares, cpu.cfs_*; v2 cpu.weight, cpu.max) and real-time budgets." },
	{ "cpuacct",
	  "CPU accounting (cgroup v1). It has no configurable files: list it, e.g. as 'cpuacct: {}', to create the group in its hierarchy." },
	{ "cpuset", "CPUs and memory nodes the group's tasks may use." },
	{ "memory",
	  "Memory limits and protection (v1 memory.limit_in_bytes...; v2 memory.max...)." },
	{ "devices", "Device access rules (cgroup v1)." },
	{ "freezer", "Freezing and thawing the group's tasks (cgroup v1; v2 uses cgroup.freeze)." },
	{ "net_cls", "Class id of the group's network packets (cgroup v1)." },
	{ "net_prio", "Network priority per interface (cgroup v1)." },
	{ "blkio", "Block I/O weights and throttling (cgroup v1)." },
	{ "perf_event",
	  "perf monitoring per group. It has no configurable files: list it, e.g. as 'perf_event: {}', to create the group in its hierarchy." },
	{ "hugetlb", "Huge page limits, one file per page size." },
	{ "pids", "Limit on the number of tasks." },
	{ "rdma", "RDMA/IB resource limits per device." },
	{ "misc", "Limits of miscellaneous scalar resources (such as AMD SEV address space ids)." },
	{ "io", "Block I/O weights, limits and latency targets (cgroup v2)." },
};

static const struct desc file_descs[] = {
	/* core */
	{ "notify_on_release",
	  "When 1, the hierarchy's release agent runs when the group becomes empty (the release agent itself cannot be configured). New children copy the flag." },
	{ "cgroup.clone_children",
	  "When 1, a new child group copies this group's cpuset.cpus and cpuset.mems when it is created (only cpuset uses it)." },
	{ "cgroup.max.depth", "Maximum depth of the groups below this one." },
	{ "cgroup.max.descendants", "Maximum number of groups below this one." },
	{ "cgroup.freeze", "1 freezes every task of the group and its descendants, 0 thaws them." },
	{ "cgroup.pressure",
	  "Whether pressure stall information (PSI) is accounted for the group." },
	{ "cgroup.type",
	  "The group's type: a threaded group belongs to a threaded subtree and cannot become a domain again." },
	/* memory v1 */
	{ "memory.limit_in_bytes",
	  "Hard limit of the group's memory use (anonymous memory and page cache). Must not exceed memory.memsw.limit_in_bytes; the kernel rounds it down to a page." },
	{ "memory.memsw.limit_in_bytes",
	  "Hard limit of memory plus swap. Must be at least memory.limit_in_bytes, and memory.limit_in_bytes must be set when it is finite. Exists only when the kernel accounts swap." },
	{ "memory.soft_limit_in_bytes",
	  "Under memory pressure, groups above their soft limit are reclaimed first. Only useful below the hard limit." },
	{ "memory.kmem.tcp.limit_in_bytes",
	  "Hard limit of the memory held by the group's TCP socket buffers." },
	{ "memory.kmem.limit_in_bytes", "Hard limit of kernel memory." },
	{ "memory.swappiness",
	  "How readily the group's anonymous memory is swapped out (the system default is 60). New children copy it." },
	{ "memory.oom_control",
	  "Whether the OOM killer may act in the group (0, the default). With 1, tasks that hit the limit wait in D state until memory is freed or the limit is raised." },
	{ "memory.move_charge_at_immigrate",
	  "Whether a task's memory charges follow it into the group." },
	{ "memory.use_hierarchy", "Hierarchical accounting." },
	/* memory v2 */
	{ "memory.max",
	  "Hard limit of the group's memory use: above it the group is reclaimed, then OOM-killed." },
	{ "memory.high",
	  "Throttling limit: above it the group is reclaimed hard and slowed down, but not OOM-killed." },
	{ "memory.low",
	  "Best-effort protection: memory below it is reclaimed only when no unprotected memory is left." },
	{ "memory.min", "Hard protection: memory below it is never reclaimed." },
	{ "memory.swap.max", "Hard limit of the group's swap use." },
	{ "memory.swap.high", "Swap use above which the group is throttled." },
	{ "memory.zswap.max",
	  "Hard limit of the group's use of the compressed swap cache (zswap)." },
	{ "memory.oom.group",
	  "When 1, the OOM killer kills every task of the group together, or none." },
	{ "memory.zswap.writeback",
	  "When 0, pages in zswap are never written back to the swap device." },
	/* cpu v1 */
	{ "cpu.shares", "CPU weight relative to sibling groups (the default is 1024)." },
	{ "cpu.cfs_period_us", "Length of the CFS bandwidth period (the default is 100000)." },
	{ "cpu.cfs_quota_us",
	  "CPU time the group may use in each period, over all CPUs (200000 with a period of 100000 is two CPUs). A child's quota/period ratio must not exceed its ancestor's." },
	{ "cpu.cfs_burst_us",
	  "Unused quota that may be carried over into a burst. At most cpu.cfs_quota_us." },
	{ "cpu.rt_period_us",
	  "Length of the real-time scheduling period (the default is 1000000)." },
	{ "cpu.rt_runtime_us",
	  "Real-time CPU time per period. New groups get 0, which keeps real-time tasks out; the children's runtime/period ratios must add up to at most their parent's." },
	{ "cpu.idle",
	  "When 1, the group's tasks are scheduled as SCHED_IDLE against its siblings." },
	/* cpu v2 */
	{ "cpu.max",
	  "CPU bandwidth limit: QUOTA microseconds of CPU time in each PERIOD microseconds." },
	{ "cpu.max.burst", "Unused quota that may be carried over into a burst." },
	{ "cpu.weight", "CPU weight relative to sibling groups (the default is 100)." },
	{ "cpu.weight.nice",
	  "The CPU weight written as a nice value: an alternative to cpu.weight." },
	/* cpuset */
	{ "cpuset.cpus",
	  "CPUs the group's tasks may run on. A child's set must be within its ancestor's." },
	{ "cpuset.mems",
	  "Memory nodes the group's tasks may allocate from. A child's set must be within its ancestor's." },
	{ "cpuset.cpu_exclusive",
	  "When 1, no sibling may share the group's CPUs. The parent must be exclusive too." },
	{ "cpuset.mem_exclusive",
	  "When 1, no sibling may share the group's memory nodes. The parent must be exclusive too." },
	{ "cpuset.mem_hardwall",
	  "When 1, kernel allocations on behalf of the group's tasks are confined to its memory nodes too." },
	{ "cpuset.memory_migrate",
	  "When 1, a task's pages move to the group's nodes when it joins the group or when cpuset.mems changes." },
	{ "cpuset.memory_spread_page",
	  "When 1, the page cache of the group's tasks is spread over its memory nodes." },
	{ "cpuset.memory_spread_slab",
	  "When 1, slab caches of the group's tasks are spread over its memory nodes." },
	{ "cpuset.sched_load_balance",
	  "When 0, the scheduler does not balance load across the group's CPUs." },
	{ "cpuset.sched_relax_domain_level",
	  "How widely the scheduler looks for an idle CPU when balancing; -1 is the system default. The largest level the kernel accepts depends on the machine's topology." },
	{ "cpuset.cpus.partition",
	  "Whether the group is a partition root with its own scheduling domain." },
	{ "cpuset.cpus.exclusive",
	  "CPUs reserved for the group when it is, or becomes, a partition root." },
	/* pids */
	{ "pids.max",
	  "Maximum number of tasks (processes and threads) in the group and its descendants. Forks beyond it fail; moving tasks in is not limited." },
	/* blkio */
	{ "blkio.throttle.read_bps_device", "Read bandwidth limit per device." },
	{ "blkio.throttle.write_bps_device", "Write bandwidth limit per device." },
	{ "blkio.throttle.read_iops_device", "Read operations per second limit per device." },
	{ "blkio.throttle.write_iops_device", "Write operations per second limit per device." },
	{ "blkio.bfq.weight",
	  "Proportional I/O weight under the BFQ scheduler (the default is 100)." },
	{ "blkio.bfq.weight_device",
	  "BFQ weight per device; 'default N' sets the weight of every device. Per-device weights work only on disks that use BFQ." },
	{ "blkio.weight", "Proportional I/O weight under the CFQ scheduler (kernels before 5.0)." },
	{ "blkio.weight_device", "CFQ weight per device (kernels before 5.0)." },
	{ "blkio.leaf_weight",
	  "CFQ weight of the group's own tasks against its children (kernels before 5.0)." },
	/* io */
	{ "io.max",
	  "Bandwidth (rbps, wbps: bytes per second) and IOPS (riops, wiops) limits per device." },
	{ "io.latency", "Latency target per device, in microseconds: 'MAJ:MIN target=N'." },
	{ "io.weight",
	  "Proportional I/O weight (the default is 100): 'default N' for every device, 'MAJ:MIN N' for one." },
	{ "io.bfq.weight",
	  "Proportional I/O weight under the BFQ scheduler: 'default N' for every device, 'MAJ:MIN N' for one." },
	/* devices */
	{ "devices.allow",
	  "Device access the group's tasks get, as rules applied in order. Write 'a' alone to allow every device first." },
	{ "devices.deny",
	  "Device access taken from the group's tasks, as rules applied in order. Write 'a' alone to deny every device first, then allow what is needed under devices.allow." },
	/* freezer */
	{ "freezer.state", "FROZEN stops every task of the group, THAWED lets them run." },
	/* net_cls, net_prio */
	{ "net_cls.classid",
	  "Class id given to the group's network packets, for tc and iptables: 0xAAAABBBB is the handle AAAA:BBBB." },
	{ "net_prio.ifpriomap",
	  "Network priority of the group's traffic per interface: 'IFNAME PRIO'." },
	/* hugetlb */
	{ "hugetlb.*.limit_in_bytes",
	  "Limit of huge pages of one size, named as the kernel names it (hugetlb.2MB.limit_in_bytes, hugetlb.1GB.limit_in_bytes)." },
	{ "hugetlb.*.rsvd.limit_in_bytes",
	  "Limit of huge pages of one size, reservations included (hugetlb.2MB.rsvd.limit_in_bytes)." },
	{ "hugetlb.*.max",
	  "Limit of huge pages of one size, named as the kernel names it (hugetlb.2MB.max, hugetlb.1GB.max)." },
	{ "hugetlb.*.rsvd.max",
	  "Limit of huge pages of one size, reservations included (hugetlb.2MB.rsvd.max)." },
	/* rdma, misc */
	{ "rdma.max", "RDMA resource limits per device: 'DEVICE hca_handle=N hca_object=N'." },
	{ "misc.max", "Limit of a miscellaneous resource: 'RESOURCE N' (such as 'sev 16')." },
};

/* Descriptions of the words of enumerated files. */
static const struct desc word_descs[] = {
	{ "FROZEN", "every task of the group is stopped" },
	{ "THAWED", "the group's tasks run" },
	{ "member", "an ordinary member of its parent's partition" },
	{ "root", "a partition root: its CPUs form a scheduling domain of their own" },
	{ "isolated", "a partition root whose CPUs are not load-balanced" },
	{ "domain", "a normal group (the default)" },
	{ "threaded", "a member of a threaded subtree: its threads may be split among groups" },
};

/* ---- a small JSON writer with indentation ---- */

struct jw {
	struct strbuf sb;
	int depth;
	bool first[MAX_DEPTH];
	bool after_key;
};

static void
jw_sep(struct jw *w)
{
	int i;

	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (!w->first[w->depth])
			strbuf_addch(&w->sb, ',');
		w->first[w->depth] = false;
		strbuf_addch(&w->sb, '\n');
		for (i = 0; i < w->depth; i++)
			strbuf_adds(&w->sb, "  ");
	}
}

static void
jw_open(struct jw *w, char c)
{
	jw_sep(w);
	strbuf_addch(&w->sb, c);
	if (++w->depth >= MAX_DEPTH) {
		fputs("gen-schema: nesting too deep\n", stderr);
		exit(1);
	}
	w->first[w->depth] = true;
}

static void
jw_close(struct jw *w, char c)
{
	bool empty = w->first[w->depth];
	int i;

	w->depth--;
	if (!empty) {
		strbuf_addch(&w->sb, '\n');
		for (i = 0; i < w->depth; i++)
			strbuf_adds(&w->sb, "  ");
	}
	strbuf_addch(&w->sb, c);
}

static void
jw_key(struct jw *w, const char *key)
{
	jw_sep(w);
	strbuf_add_json_string(&w->sb, key);
	strbuf_adds(&w->sb, ": ");
	w->after_key = true;
}

static void
jw_str(struct jw *w, const char *s)
{
	jw_sep(w);
	strbuf_add_json_string(&w->sb, s);
}

static void
jw_raw(struct jw *w, const char *s)
{
	jw_sep(w);
	strbuf_adds(&w->sb, s);
}

static void
jw_int(struct jw *w, int64_t v)
{
	jw_sep(w);
	strbuf_addf(&w->sb, "%" PRId64, v);
}

static void
jw_kstr(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

static void
jw_kraw(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_raw(w, s);
}

static void
jw_kint(struct jw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_int(w, v);
}

static void
jw_kobj(struct jw *w, const char *key)
{
	jw_key(w, key);
	jw_open(w, '{');
}

static void
jw_karr(struct jw *w, const char *key)
{
	jw_key(w, key);
	jw_open(w, '[');
}

/* "key": ["a", "b"] on one line */
static void
jw_kwords(struct jw *w, const char *key, const char *const *words)
{
	size_t i;

	jw_key(w, key);
	jw_sep(w);
	strbuf_addch(&w->sb, '[');
	for (i = 0; words[i]; i++) {
		if (i)
			strbuf_adds(&w->sb, ", ");
		strbuf_add_json_string(&w->sb, words[i]);
	}
	strbuf_addch(&w->sb, ']');
}

static void
jw_ref(struct jw *w, const char *key, const char *def)
{
	struct strbuf ref = STRBUF_INIT;

	strbuf_addf(&ref, "#/definitions/%s", def);
	jw_kobj(w, key);
	jw_kstr(w, "$ref", ref.buf);
	jw_close(w, '}');
	strbuf_release(&ref);
}

/* ---- descriptions ---- */

static const char *
lookup(const struct desc *t, size_t n, const char *name, const char *what)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return t[i].text;
	fprintf(stderr, "gen-schema: no description for %s '%s'; add one\n", what, name);
	exit(1);
}

#define LOOKUP(t, name, what) lookup(t, sizeof(t) / sizeof(t[0]), name, what)

static bool
configurable(const struct cg_filedef *f)
{
	return !(f->flags & (CG_FF_FORBIDDEN | CG_FF_READONLY | CG_FF_ACTION));
}

static void
add_version(struct strbuf *sb, unsigned flags)
{
	unsigned v = flags & (CG_FF_V1 | CG_FF_V2);

	strbuf_adds(sb, v == CG_FF_V1	? " cgroup v1."
			: v == CG_FF_V2 ? " cgroup v2."
					: " cgroup v1 and v2.");
	if (flags & CG_FF_CORE)
		strbuf_adds(
			sb,
			(flags & (CG_FF_V1 | CG_FF_V2)) == CG_FF_V1
				? " A core file: written under the key of the controller whose hierarchy it is for."
				: " A core file: written under 'cgroup' or a cgroup v2 controller's key.");
}

static void
add_bound(struct strbuf *sb, int64_t v)
{
	if (v == INT64_MAX)
		strbuf_adds(sb, "2^63-1");
	else if (v == UINT32_MAX)
		strbuf_adds(sb, "2^32-1");
	else if (v == INT32_MAX)
		strbuf_adds(sb, "2^31-1");
	else if (v == (INT64_C(1) << 44) - 1)
		strbuf_adds(sb, "2^44-1");
	else
		strbuf_addf(sb, "%" PRId64, v);
}

static void
add_range(struct strbuf *sb, const struct cg_filedef *f)
{
	if (f->min == f->max) {
		strbuf_adds(sb, "only ");
		add_bound(sb, f->min);
	} else {
		add_bound(sb, f->min);
		strbuf_adds(sb, " to ");
		add_bound(sb, f->max);
	}
}

static void
add_value_text(struct strbuf *sb, const struct cg_filedef *f)
{
	const char *key;

	switch (f->type) {
	case CG_VT_SIZE:
		strbuf_adds(
			sb,
			" A size: bytes, or a number with a K, M, G, T, P or E suffix (powers of 1024, either case); -1 or max for no limit.");
		break;
	case CG_VT_INT:
		strbuf_adds(sb, " An integer, ");
		if (f->flags & CG_FF_NEG1_OR_MIN)
			strbuf_adds(sb, "-1 (no limit) or ");
		add_range(sb, f);
		if (f->unit)
			strbuf_addf(sb, " %s", f->unit);
		if (f->flags & CG_FF_MAX_WORD)
			strbuf_adds(sb, ", or max for no limit");
		if (f->flags & CG_FF_HEX)
			strbuf_adds(sb, "; hexadecimal with 0x is accepted");
		strbuf_adds(sb, ".");
		if (f->why && !(f->flags & CG_FF_IGNORED))
			strbuf_addf(sb, " Note: %s.", f->why);
		break;
	case CG_VT_BOOL:
		strbuf_adds(sb, " 0 or 1 (true/false, yes/no and on/off are accepted too).");
		break;
	case CG_VT_CPULIST:
		strbuf_addf(
			sb,
			" A list of ids and ranges such as \"0-7,12-19\" (ids up to %d); \"\" is the empty set.",
			CG_CPUSET_MAX_ID);
		break;
	case CG_VT_ENUM:
		strbuf_adds(sb, " One of the words listed, exact case.");
		break;
	case CG_VT_DEVLIMIT:
		strbuf_adds(sb, " One record or a list of records 'MAJ:MIN VALUE'");
		if (f->flags & CG_FF_DEFAULT_KEY)
			strbuf_adds(sb, ", 'default VALUE' or a bare VALUE for every device");
		if (f->flags & CG_FF_SUFFIX)
			strbuf_addf(sb, "; VALUE in %s, with K, M, G, T, P or E suffixes allowed",
				    f->unit ? f->unit : "bytes");
		else if (f->unit)
			strbuf_addf(sb, "; VALUE in %s", f->unit);
		else {
			strbuf_adds(sb, "; VALUE from ");
			add_range(sb, f);
		}
		if (f->flags & CG_FF_MAX_WORD)
			strbuf_adds(sb, "; 0, -1, max or unlimited for no limit");
		strbuf_adds(sb, ". Each device once.");
		break;
	case CG_VT_DEVRULE:
		strbuf_adds(
			sb,
			" One rule or a list of rules 'TYPE MAJ:MIN ACCESS' (TYPE b or c; MAJ and MIN numbers or *; ACCESS letters of rwm), or 'a' for all devices.");
		break;
	case CG_VT_KEYED:
		key = f->flags & CG_FF_DEVKEY ? "MAJ:MIN" : "NAME";
		if (f->words) {
			size_t i;

			strbuf_addf(sb, " One record or a list of records '%s KEY=N...' with KEY ",
				    key);
			for (i = 0; f->words[i]; i++)
				strbuf_addf(sb, "%s%s",
					    i == 0	      ? ""
					    : f->words[i + 1] ? ", "
							      : " or ",
					    f->words[i]);
			strbuf_adds(sb, " and N ");
		} else {
			strbuf_addf(sb, " One record or a list of records '%s N' with N ", key);
		}
		add_range(sb, f);
		if (f->flags & CG_FF_MAX_WORD)
			strbuf_adds(sb, " or max");
		strbuf_addf(sb, ". Each %s once.", f->flags & CG_FF_DEVKEY ? "device" : "name");
		break;
	case CG_VT_CPUMAX:
		strbuf_adds(
			sb,
			" 'QUOTA PERIOD' in microseconds (QUOTA 1000 to 2^44-1, PERIOD 1000 to 1000000), 'max PERIOD' or 'max' for no limit, or QUOTA alone to keep the current period.");
		break;
	case CG_VT_RAW:
		break;
	}
}

static char *
file_description(const struct cg_filedef *f)
{
	struct strbuf sb = STRBUF_INIT;

	if (f->flags & CG_FF_DEPRECATED)
		strbuf_adds(&sb, "DEPRECATED (the kernel logs a warning). ");
	if (f->flags & CG_FF_IGNORED)
		strbuf_addf(&sb, "IGNORED: %s. ", f->why ? f->why : "the kernel ignores it");
	strbuf_adds(&sb, LOOKUP(file_descs, f->name, "file"));
	add_version(&sb, f->flags);
	add_value_text(&sb, f);
	return strbuf_detach(&sb);
}

/* ---- regular expressions ---- */

/* "hugetlb.*.max" → "^hugetlb\.[0-9A-Za-z]+\.max$", the match of schema.c's pattern_match */
static char *
pattern_regex(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	strbuf_addch(&sb, '^');
	for (p = name; *p; p++) {
		if (*p == '*')
			strbuf_adds(&sb, "[0-9A-Za-z]+");
		else if (*p == '.')
			strbuf_adds(&sb, "\\.");
		else
			strbuf_addch(&sb, *p);
	}
	strbuf_addch(&sb, '$');
	return strbuf_detach(&sb);
}

/* "true" → "[Tt][Rr][Uu][Ee]": the parser compares these words without case */
static void
add_nocase(struct strbuf *sb, const char *word)
{
	for (; *word; word++) {
		char c = *word;

		if (c >= 'a' && c <= 'z')
			strbuf_addf(sb, "[%c%c]", (char)(c - 'a' + 'A'), c);
		else
			strbuf_addch(sb, c);
	}
}

#define NUM	 "(0|[1-9][0-9]*)"
#define SUFFIXED NUM "[KMGTPEkmgtpe]?"
#define DEVNUM	 "[0-9]+:[0-9]+"

static char *
record_regex(const struct cg_filedef *f)
{
	struct strbuf sb = STRBUF_INIT, val = STRBUF_INIT;
	size_t i;

	switch (f->type) {
	case CG_VT_DEVLIMIT:
		strbuf_adds(&val, f->flags & CG_FF_SUFFIX ? SUFFIXED : NUM);
		if (f->flags & CG_FF_MAX_WORD)
			strbuf_adds(&val, "|-1|max|unlimited");
		strbuf_addf(&sb, "^((" DEVNUM "%s) (%s)%s)$",
			    f->flags & CG_FF_DEFAULT_KEY ? "|default" : "", val.buf,
			    f->flags & CG_FF_DEFAULT_KEY ? "|" NUM : "");
		break;
	case CG_VT_DEVRULE:
		strbuf_adds(&sb, "^(a|a \\*:\\* rwm|[bc] ([0-9]+|\\*):([0-9]+|\\*) [rwm]{1,3})$");
		break;
	case CG_VT_KEYED:
		strbuf_adds(&val, NUM);
		if (f->flags & CG_FF_MAX_WORD)
			strbuf_adds(&val, "|max");
		strbuf_addf(&sb, "^%s", f->flags & CG_FF_DEVKEY ? DEVNUM : "[^\\s=/]{1,64}");
		if (f->words) {
			strbuf_adds(&sb, "( (");
			for (i = 0; f->words[i]; i++)
				strbuf_addf(&sb, "%s%s", i ? "|" : "", f->words[i]);
			strbuf_addf(&sb, ")=(%s))+$", val.buf);
		} else {
			strbuf_addf(&sb, " (%s)$", val.buf);
		}
		break;
	case CG_VT_SIZE:
	case CG_VT_INT:
	case CG_VT_BOOL:
	case CG_VT_CPULIST:
	case CG_VT_ENUM:
	case CG_VT_CPUMAX:
	case CG_VT_RAW:
		break;
	}
	strbuf_release(&val);
	return strbuf_detach(&sb);
}

/* ---- value schemas ---- */

static void
int_schema(struct jw *w, int64_t lo, int64_t hi)
{
	jw_open(w, '{');
	jw_kstr(w, "type", "integer");
	jw_kint(w, "minimum", lo);
	if (hi <= JSON_SAFE_INT)
		jw_kint(w, "maximum", hi);
	jw_close(w, '}');
}

static void
string_schema(struct jw *w, const char *pattern)
{
	jw_open(w, '{');
	jw_kstr(w, "type", "string");
	jw_kstr(w, "pattern", pattern);
	jw_close(w, '}');
}

static void
const_schema(struct jw *w, const char *word)
{
	jw_open(w, '{');
	jw_kstr(w, "const", word);
	jw_close(w, '}');
}

static void
records_schema(struct jw *w, const struct cg_filedef *f)
{
	char *re = record_regex(f);

	jw_karr(w, "anyOf");
	string_schema(w, re);
	if (f->type == CG_VT_DEVLIMIT && (f->flags & CG_FF_DEFAULT_KEY))
		int_schema(w, f->min, f->max);
	jw_open(w, '{');
	jw_kstr(w, "type", "array");
	jw_kint(w, "minItems", 1);
	jw_kobj(w, "items");
	jw_kstr(w, "type", "string");
	jw_kstr(w, "pattern", re);
	jw_close(w, '}');
	jw_close(w, '}');
	jw_close(w, ']');
	free(re);
}

static void
file_schema(struct jw *w, const char *key, const struct cg_filedef *f)
{
	char *desc = file_description(f);
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	jw_kobj(w, key);
	jw_kstr(w, "description", desc);
	switch (f->type) {
	case CG_VT_SIZE:
		jw_karr(w, "anyOf");
		int_schema(w, -1, INT64_MAX);
		string_schema(w, "^(-1|max|" SUFFIXED ")$");
		jw_close(w, ']');
		break;
	case CG_VT_INT:
		jw_karr(w, "anyOf");
		if (f->flags & CG_FF_NEG1_OR_MIN) {
			jw_open(w, '{');
			jw_kint(w, "const", -1);
			jw_close(w, '}');
		}
		int_schema(w, f->min, f->max);
		/* the parser reads "512" as 512: quoting changes nothing, so allow it here too
		 * (the range of a quoted number is the parser's to check) */
		string_schema(w, f->min < 0			? "^(0|-?[1-9][0-9]*)$"
				 : f->flags & CG_FF_NEG1_OR_MIN ? "^(-1|0|[1-9][0-9]*)$"
								: "^(0|[1-9][0-9]*)$");
		if (f->flags & CG_FF_MAX_WORD)
			const_schema(w, "max");
		if (f->flags & CG_FF_HEX)
			string_schema(w, "^0[xX][0-9A-Fa-f]{1,8}$");
		jw_close(w, ']');
		break;
	case CG_VT_BOOL:
		strbuf_adds(&sb, "^([01]|");
		add_nocase(&sb, "true|false|yes|no|on|off");
		strbuf_adds(&sb, ")$");
		jw_karr(w, "anyOf");
		jw_open(w, '{');
		jw_kstr(w, "type", "boolean");
		jw_close(w, '}');
		int_schema(w, 0, 1);
		string_schema(w, sb.buf);
		jw_close(w, ']');
		break;
	case CG_VT_CPULIST:
		jw_karr(w, "anyOf");
		int_schema(w, 0, CG_CPUSET_MAX_ID);
		string_schema(w, "^([0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*)?$");
		jw_close(w, ']');
		break;
	case CG_VT_ENUM:
		jw_kstr(w, "type", "string");
		jw_karr(w, "oneOf");
		for (i = 0; f->words[i]; i++) {
			jw_open(w, '{');
			jw_kstr(w, "const", f->words[i]);
			jw_kstr(w, "description", LOOKUP(word_descs, f->words[i], "word"));
			jw_close(w, '}');
		}
		jw_close(w, ']');
		break;
	case CG_VT_DEVLIMIT:
	case CG_VT_DEVRULE:
	case CG_VT_KEYED:
		records_schema(w, f);
		break;
	case CG_VT_CPUMAX:
		jw_karr(w, "anyOf");
		int_schema(w, 1000, (INT64_C(1) << 44) - 1);
		string_schema(w, "^(max|[1-9][0-9]*)( [1-9][0-9]*)?$");
		jw_close(w, ']');
		break;
	case CG_VT_RAW:
		jw_kstr(w, "type", "string");
		break;
	}
	jw_close(w, '}');
	strbuf_release(&sb);
	free(desc);
}

/* ---- the document ---- */

static void
id_schema(struct jw *w, const char *key, bool group)
{
	jw_kobj(w, key);
	jw_kstr(w, "description",
		group ? "A group, by name or number (0 is root). An unknown name is a warning for validate and an error for plan and apply."
		      : "A user, by name or number (0 is root). An unknown name is a warning for validate and an error for plan and apply.");
	jw_karr(w, "anyOf");
	int_schema(w, 0, UINT32_MAX - 1);
	string_schema(w, "^([0-9]+|[^\\s:/,-][^\\s:/,]*)$");
	jw_close(w, ']');
	jw_close(w, '}');
}

static void
mode_schema(struct jw *w, const char *key, const char *what)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(
		&sb,
		"%s: an octal mode from 0 to 07777, such as \"0644\". Quote it: the digits are read as octal whatever the YAML type (an unquoted number must use only the digits 0 to 7, which this schema cannot check).",
		what);
	jw_kobj(w, key);
	jw_kstr(w, "description", sb.buf);
	jw_karr(w, "anyOf");
	string_schema(w, "^[0-7]{1,5}$");
	int_schema(w, 0, 7777);
	jw_close(w, ']');
	jw_close(w, '}');
	strbuf_release(&sb);
}

static void
key_check(const char *const *keys, const char *const *expect, const char *what)
{
	size_t i;

	for (i = 0; keys[i] || expect[i]; i++) {
		if (!keys[i] || !expect[i] || strcmp(keys[i], expect[i]) != 0) {
			fprintf(stderr,
				"gen-schema: the %s keys of parser/cgdef.c changed; update gen-schema.c\n",
				what);
			exit(1);
		}
	}
}

static void
emit_perm_defs(struct jw *w)
{
	static const char *const task[] = { "uid", "gid", "fperm", NULL };
	static const char *const admin[] = { "uid", "gid", "dperm", "fperm", NULL };
	static const char *const perm[] = { "task", "admin", NULL };

	/* the properties below are written out by hand: fail if the parser's lists moved */
	key_check(cg_cgdef_task_keys, task, "task");
	key_check(cg_cgdef_admin_keys, admin, "admin");
	key_check(cg_cgdef_perm_keys, perm, "perm");

	jw_kobj(w, "perm");
	jw_kstr(w, "description",
		"Owners and modes of the group's directory and files. Unset fields are filled from defaults.perm; fields left unset everywhere are not managed.");
	jw_kwords(w, "type", (const char *const[]){ "object", "null", NULL });
	jw_kraw(w, "additionalProperties", "false");
	jw_kobj(w, "properties");
	jw_ref(w, "task", "task");
	jw_ref(w, "admin", "admin");
	jw_close(w, '}');
	jw_close(w, '}');

	jw_kobj(w, "task");
	jw_kstr(w, "description",
		"Who may move tasks into the group: owner and mode of its tasks and cgroup.procs files (and cgroup.threads on v2).");
	jw_kwords(w, "type", (const char *const[]){ "object", "null", NULL });
	jw_kraw(w, "additionalProperties", "false");
	jw_kobj(w, "properties");
	id_schema(w, "uid", false);
	id_schema(w, "gid", true);
	mode_schema(w, "fperm", "Mode of the task files");
	jw_close(w, '}');
	jw_close(w, '}');

	jw_kobj(w, "admin");
	jw_kstr(w, "description",
		"Who may change the group: owner of its directory and control files, and their modes.");
	jw_kwords(w, "type", (const char *const[]){ "object", "null", NULL });
	jw_kraw(w, "additionalProperties", "false");
	jw_kobj(w, "properties");
	id_schema(w, "uid", false);
	id_schema(w, "gid", true);
	mode_schema(w, "dperm", "Mode of the group's directory");
	mode_schema(w, "fperm", "Mode of the group's control files");
	jw_close(w, '}');
	jw_close(w, '}');
}

static void
emit_core_defs(struct jw *w)
{
	const struct cg_filedef *files;
	size_t n, i;

	files = cg_schema_files(&n);
	for (i = 0; i < n; i++) {
		struct strbuf key = STRBUF_INIT;

		if (!(files[i].flags & CG_FF_CORE) || !configurable(&files[i]))
			continue;
		strbuf_addf(&key, "core.%s", files[i].name);
		file_schema(w, key.buf, &files[i]);
		strbuf_release(&key);
	}
}

static void
emit_unchecked(struct jw *w, const char *ctl)
{
	struct strbuf re = STRBUF_INIT;
	const char *p;

	if (strcmp(ctl, "cgroup") == 0) {
		strbuf_adds(&re, "^[^./][^/]*$");
	} else {
		strbuf_addch(&re, '^');
		for (p = ctl; *p; p++)
			strbuf_addch(&re, *p);
		strbuf_adds(&re, "\\.[^/]*$");
	}
	jw_kobj(w, CG_CGDEF_UNCHECKED_KEY);
	jw_kstr(w, "description",
		strcmp(ctl, "cgroup") == 0
			? "Control files cgapply does not know, mapped to the exact text to write (one non-empty line, written as it is, unchecked). A file the table knows is refused here."
			: "Control files cgapply does not know, mapped to the exact text to write (one non-empty line, written as it is, unchecked). Names must start with the controller's name and a dot; a file the table knows is refused here.");
	jw_kwords(w, "type", (const char *const[]){ "object", "null", NULL });
	jw_kobj(w, "propertyNames");
	jw_kstr(w, "pattern", re.buf);
	jw_close(w, '}');
	jw_kobj(w, "additionalProperties");
	jw_kstr(w, "description", "The text to write, as it is.");
	jw_kwords(w, "type", (const char *const[]){ "string", "number", NULL });
	jw_kint(w, "minLength", 1);
	jw_kstr(w, "pattern", "^[^\\n\\r]+$");
	jw_close(w, '}');
	jw_close(w, '}');
	strbuf_release(&re);
}

static void
emit_controller_def(struct jw *w, const struct cg_controllerdef *c)
{
	const struct cg_filedef *files;
	struct strbuf key = STRBUF_INIT, desc = STRBUF_INIT;
	size_t n, i;
	bool patterns = false;
	unsigned v = c->flags & (CG_FF_V1 | CG_FF_V2);

	files = cg_schema_files(&n);
	strbuf_addf(&key, "controller.%s", c->name);
	strbuf_adds(&desc, LOOKUP(controller_descs, c->name, "controller"));
	strbuf_adds(&desc, v == CG_FF_V1   ? " cgroup v1."
			   : v == CG_FF_V2 ? " cgroup v2."
					   : " cgroup v1 and v2.");
	strbuf_adds(
		&desc,
		" A mapping of control files to values; {} or an empty value only creates the group in this controller's hierarchy.");
	jw_kobj(w, key.buf);
	jw_kstr(w, "description", desc.buf);
	jw_kwords(w, "type", (const char *const[]){ "object", "null", NULL });
	jw_kraw(w, "additionalProperties", "false");
	jw_kobj(w, "properties");
	for (i = 0; i < n; i++) {
		const struct cg_filedef *f = &files[i];

		if (!configurable(f))
			continue;
		if (f->flags & CG_FF_PATTERN) {
			patterns = patterns || strcmp(f->controller, c->name) == 0;
			continue;
		}
		if (f->flags & CG_FF_CORE) {
			struct strbuf ref = STRBUF_INIT;

			if (!cg_schema_core_placeable(f, c->name))
				continue;
			strbuf_addf(&ref, "core.%s", f->name);
			jw_ref(w, f->name, ref.buf);
			strbuf_release(&ref);
		} else if (strcmp(f->controller, c->name) == 0) {
			file_schema(w, f->name, f);
		}
	}
	emit_unchecked(w, c->name);
	jw_close(w, '}');
	if (patterns) {
		jw_kobj(w, "patternProperties");
		for (i = 0; i < n; i++) {
			const struct cg_filedef *f = &files[i];
			char *re;

			if (!configurable(f) || !(f->flags & CG_FF_PATTERN) ||
			    strcmp(f->controller, c->name) != 0)
				continue;
			re = pattern_regex(f->name);
			file_schema(w, re, f);
			free(re);
		}
		jw_close(w, '}');
	}
	jw_close(w, '}');
	strbuf_release(&key);
	strbuf_release(&desc);
}

static void
emit_group_def(struct jw *w)
{
	const struct cg_controllerdef *ctls = NULL;
	size_t n, i;

	ctls = cg_schema_controllers(&n);
	jw_kobj(w, "group");
	jw_kstr(w, "description",
		"A group: its permissions and, for each controller whose hierarchy it is created in, the control files cgapply manages. Files not listed are left alone. An empty group names no controller and is created nowhere.");
	jw_kwords(w, "type", (const char *const[]){ "object", "null", NULL });
	jw_kraw(w, "additionalProperties", "false");
	jw_kobj(w, "properties");
	jw_ref(w, "perm", "perm");
	for (i = 0; i < n; i++) {
		struct strbuf ref = STRBUF_INIT;

		strbuf_addf(&ref, "controller.%s", ctls[i].name);
		jw_ref(w, ctls[i].name, ref.buf);
		strbuf_release(&ref);
	}
	jw_close(w, '}');
	jw_close(w, '}');
	for (i = 0; i < n; i++)
		emit_controller_def(w, &ctls[i]);
}

static void
emit_rule_defs(struct jw *w)
{
	const struct cg_controllerdef *ctls;
	size_t n, i;

	ctls = cg_schema_controllers(&n);
	jw_kobj(w, "rule");
	jw_kstr(w, "description",
		"A cgrules-style rule: processes of 'user' (and 'process', when given) go to 'destination' in the hierarchies of 'controllers'. The first matching rule wins.");
	jw_kstr(w, "type", "object");
	jw_kraw(w, "additionalProperties", "false");
	jw_kwords(w, "required",
		  (const char *const[]){ "user", "controllers", "destination", NULL });
	jw_kobj(w, "properties");

	jw_kobj(w, "user");
	jw_kstr(w, "description",
		"Whose processes: a user name or uid, '@group' or '@gid' (primary or supplementary membership), or '*' for every user. A rule naming an unknown user or group is left out with a warning (an error for plan and apply).");
	jw_karr(w, "anyOf");
	int_schema(w, 0, UINT32_MAX - 1);
	string_schema(w, "^(\\*|@?[^\\s:/,*%@-][^\\s:/,]*)$");
	jw_close(w, ']');
	jw_close(w, '}');

	jw_kobj(w, "process");
	jw_kstr(w, "description",
		"Which processes of the user: a full executable path, a name (compared with the path's last component), or a prefix of the full path ending in '*' such as '/usr/bin/gcc*'. Leave it out to match every process.");
	jw_kstr(w, "type", "string");
	jw_kint(w, "minLength", 1);
	jw_kstr(w, "pattern", "^[^*\\x00-\\x1f\\x7f]*\\*?$");
	jw_close(w, '}');

	jw_kobj(w, "controllers");
	jw_kstr(w, "description",
		"The controllers whose hierarchies the process is moved in, or \"*\" for all of them.");
	jw_karr(w, "anyOf");
	const_schema(w, "*");
	jw_open(w, '{');
	jw_kstr(w, "type", "array");
	jw_kint(w, "minItems", 1);
	jw_kraw(w, "uniqueItems", "true");
	jw_kobj(w, "items");
	jw_kstr(w, "description", "A controller name.");
	jw_karr(w, "enum");
	for (i = 0; i < n; i++)
		if (strcmp(ctls[i].name, "cgroup") != 0)
			jw_str(w, ctls[i].name);
	jw_close(w, ']');
	jw_close(w, '}');
	jw_close(w, '}');
	jw_close(w, ']');
	jw_close(w, '}');

	jw_kobj(w, "destination");
	jw_kstr(w, "description",
		"The group to move the process to, relative to each hierarchy root ('/' is the root). %u %U %g %G %p %P stand for the user name, uid, group name, gid, process name and pid; '\\' escapes the next character.");
	jw_kstr(w, "type", "string");
	jw_kint(w, "minLength", 1);
	jw_close(w, '}');

	jw_kobj(w, "options");
	jw_kstr(w, "description",
		"ignore: leave a matching process where it is when it already is in the destination's subtree (non-real-time tasks); ignore_rt: the same for real-time tasks. A list, or one comma-separated string.");
	jw_karr(w, "anyOf");
	string_schema(w, "^(ignore|ignore_rt)(,(ignore|ignore_rt))?$");
	jw_open(w, '{');
	jw_kstr(w, "type", "array");
	jw_kraw(w, "uniqueItems", "true");
	jw_kobj(w, "items");
	jw_kstr(w, "type", "string");
	jw_kstr(w, "pattern", "^(ignore|ignore_rt)(,(ignore|ignore_rt))?$");
	jw_close(w, '}');
	jw_close(w, '}');
	jw_open(w, '{');
	jw_kstr(w, "type", "null");
	jw_close(w, '}');
	jw_close(w, ']');
	jw_close(w, '}');

	jw_close(w, '}');
	jw_close(w, '}');

	jw_kobj(w, "include");
	jw_kstr(w, "description",
		"Rules read from a file in cgrules.conf syntax, inserted at this place of the list.");
	jw_kstr(w, "type", "object");
	jw_kraw(w, "additionalProperties", "false");
	jw_kwords(w, "required", (const char *const[]){ "include", NULL });
	jw_kobj(w, "properties");
	jw_kobj(w, "include");
	jw_kstr(w, "description",
		"Path of a cgrules.conf file; a relative path is taken from the directory of this YAML file.");
	jw_kstr(w, "type", "string");
	jw_kint(w, "minLength", 1);
	jw_close(w, '}');
	jw_close(w, '}');
	jw_close(w, '}');
}

int
main(void)
{
	static const char *const top[] = { "version", "defaults", "groups", "rules", NULL };
	struct jw w;

	memset(&w, 0, sizeof(w));
	strbuf_init(&w.sb);
	key_check(cg_cgdef_top_keys, top, "top-level");

	jw_open(&w, '{');
	jw_kstr(&w, "$schema", "http://json-schema.org/draft-07/schema#");
	jw_kstr(&w, "$comment",
		"Generated by tests/gen-schema.c from parser/schema.c; tests/unit/check_schemafile keeps the two in agreement. See cgapply.yaml(5).");
	jw_kstr(&w, "title", "cgapply configuration");
	jw_kstr(&w, "description",
		"A cgapply configuration (version 1): cgroups with their permissions and control-file values, and cgrules-style rules that place processes. See cgapply.yaml(5).");
	jw_kstr(&w, "type", "object");
	jw_kraw(&w, "additionalProperties", "false");
	jw_kwords(&w, "required", (const char *const[]){ "version", NULL });
	jw_kobj(&w, "properties");

	jw_kobj(&w, "version");
	jw_kstr(&w, "description", "The version of the configuration format: 1.");
	jw_karr(&w, "enum");
	jw_int(&w, 1);
	jw_str(&w, "1");
	jw_close(&w, ']');
	jw_close(&w, '}');

	jw_kobj(&w, "defaults");
	jw_kstr(&w, "description",
		"Values for what groups leave unset. Given at most once over all files.");
	jw_kwords(&w, "type", (const char *const[]){ "object", "null", NULL });
	jw_kraw(&w, "additionalProperties", "false");
	jw_kobj(&w, "properties");
	jw_ref(&w, "perm", "perm");
	jw_close(&w, '}');
	jw_close(&w, '}');

	jw_kobj(&w, "groups");
	jw_kstr(&w, "description",
		"The groups, by path relative to each hierarchy root ('a/b' is b below a; missing parents are created). Each group is defined once over all files. %u %U %g %G %p %P in a name make a template, created on demand by rules.");
	jw_kwords(&w, "type", (const char *const[]){ "object", "null", NULL });
	jw_kobj(&w, "propertyNames");
	jw_kstr(&w, "pattern",
		"^(?!/)(?!.*/$)(?!.*//)(?!(.*/)?\\.\\.?(/|$))(?!.*%([^uUgGpP]|$))[^\\\\\\x00-\\x1f\\x7f]+$");
	jw_close(&w, '}');
	jw_kobj(&w, "additionalProperties");
	jw_kstr(&w, "$ref", "#/definitions/group");
	jw_close(&w, '}');
	jw_close(&w, '}');

	jw_kobj(&w, "rules");
	jw_kstr(&w, "description",
		"cgrules-style rules that place processes into groups, in order: the first matching rule wins.");
	jw_kwords(&w, "type", (const char *const[]){ "array", "null", NULL });
	jw_kobj(&w, "items");
	jw_karr(&w, "oneOf");
	jw_open(&w, '{');
	jw_kstr(&w, "$ref", "#/definitions/rule");
	jw_close(&w, '}');
	jw_open(&w, '{');
	jw_kstr(&w, "$ref", "#/definitions/include");
	jw_close(&w, '}');
	jw_close(&w, ']');
	jw_close(&w, '}');
	jw_close(&w, '}');
	jw_close(&w, '}');

	jw_kobj(&w, "definitions");
	emit_perm_defs(&w);
	emit_group_def(&w);
	emit_core_defs(&w);
	emit_rule_defs(&w);
	jw_close(&w, '}');
	jw_close(&w, '}');

	fputs(w.sb.buf, stdout);
	fputc('\n', stdout);
	strbuf_release(&w.sb);
	return 0;
}

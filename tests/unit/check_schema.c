/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The schema table: its own invariants (every entry well formed, names unique), lookups
 * by controller and by name, patterns, core files, and "did you mean" suggestions.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strbuf.h"
#include "parser/schema.h"
#include "tests/lib/testutil.h"

#define REFUSED (CG_FF_FORBIDDEN | CG_FF_READONLY | CG_FF_ACTION)

static size_t
count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

/* Each entry on its own: flags, ranges and words that value.c relies on. */
START_TEST(test_entry_well_formed)
{
	size_t n;
	const struct cg_filedef *f = &cg_schema_files(&n)[_i];
	const struct cg_controllerdef *c = cg_schema_controller(f->controller);
	unsigned ver = f->flags & (CG_FF_V1 | CG_FF_V2);
	unsigned refused = f->flags & REFUSED;
	size_t len = strlen(f->controller);

	ck_assert_msg(c != NULL, "'%s': unknown controller '%s'", f->name, f->controller);
	ck_assert_msg(ver != 0, "'%s': neither v1 nor v2", f->name);
	ck_assert_msg((ver & ~c->flags) == 0, "'%s': version not offered by '%s'", f->name,
		      c->name);
	/* at most one of forbidden, read-only, action */
	ck_assert_msg((refused & (refused - 1)) == 0, "'%s': several refusal flags", f->name);
	if (f->flags & (CG_FF_FORBIDDEN | CG_FF_ACTION | CG_FF_IGNORED))
		ck_assert_msg(f->why && *f->why, "'%s': refused or ignored without a reason",
			      f->name);
	if (f->why)
		ck_assert_msg(f->why[strlen(f->why) - 1] != '.', "'%s': reason ends in a period",
			      f->name);

	if (f->flags & CG_FF_CORE) {
		ck_assert_str_eq(f->controller, "cgroup");
	} else {
		ck_assert_msg(strncmp(f->name, f->controller, len) == 0 && f->name[len] == '.',
			      "'%s' does not start with '%s.'", f->name, f->controller);
	}
	if (f->flags & CG_FF_PATTERN)
		ck_assert_uint_eq(count_char(f->name, '*'), 1);
	else
		ck_assert_uint_eq(count_char(f->name, '*'), 0);

	if (refused)
		return;
	switch (f->type) {
	case CG_VT_INT:
	case CG_VT_DEVLIMIT:
		ck_assert_msg(f->min <= f->max, "'%s': empty range", f->name);
		break;
	case CG_VT_BOOL:
		ck_assert(f->min == 0 && f->max == 1);
		break;
	case CG_VT_ENUM:
		ck_assert_msg(f->words && f->words[0], "'%s': no words", f->name);
		break;
	case CG_VT_KEYED:
		ck_assert_msg(f->min <= f->max, "'%s': empty range", f->name);
		if (f->words)
			ck_assert(f->words[0] != NULL);
		break;
	case CG_VT_SIZE:
	case CG_VT_CPULIST:
	case CG_VT_DEVRULE:
	case CG_VT_CPUMAX:
	case CG_VT_RAW:
		break;
	}
	if (f->flags & (CG_FF_NEG1_OR_MIN | CG_FF_HEX))
		ck_assert_int_eq(f->type, CG_VT_INT);
	if (f->flags & (CG_FF_SUFFIX | CG_FF_DEFAULT_KEY))
		ck_assert_int_eq(f->type, CG_VT_DEVLIMIT);
	if (f->flags & CG_FF_DEVKEY)
		ck_assert_int_eq(f->type, CG_VT_KEYED);
	/* a file configuration may hold is found under its own controller */
	if (f->flags & CG_FF_PATTERN) {
		const char *star = strchr(f->name, '*');
		struct strbuf sb = STRBUF_INIT;

		strbuf_add(&sb, f->name, (size_t)(star - f->name));
		strbuf_addf(&sb, "2MB%s", star + 1);
		ck_assert_ptr_eq(cg_schema_file(f->controller, sb.buf), f);
		strbuf_release(&sb);
	} else {
		ck_assert_ptr_eq(cg_schema_file(f->controller, f->name), f);
	}
}
END_TEST

START_TEST(test_names_unique)
{
	size_t n, i, j;
	const struct cg_filedef *f = cg_schema_files(&n);
	size_t nc;
	const struct cg_controllerdef *c = cg_schema_controllers(&nc);

	ck_assert_uint_gt(n, 150);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			ck_assert_msg(strcmp(f[i].name, f[j].name) != 0, "'%s' listed twice",
				      f[i].name);
	for (i = 0; i < nc; i++)
		for (j = i + 1; j < nc; j++)
			ck_assert_msg(strcmp(c[i].name, c[j].name) != 0, "'%s' listed twice",
				      c[i].name);
}
END_TEST

struct ctlcase {
	const char *name;
	unsigned flags; /* 0: unknown */
};

static const struct ctlcase ctl_cases[] = {
	{ "cgroup", CG_FF_V1 | CG_FF_V2 },
	{ "cpu", CG_FF_V1 | CG_FF_V2 },
	{ "cpuacct", CG_FF_V1 },
	{ "cpuset", CG_FF_V1 | CG_FF_V2 },
	{ "memory", CG_FF_V1 | CG_FF_V2 },
	{ "devices", CG_FF_V1 },
	{ "freezer", CG_FF_V1 },
	{ "net_cls", CG_FF_V1 },
	{ "net_prio", CG_FF_V1 },
	{ "blkio", CG_FF_V1 },
	{ "perf_event", CG_FF_V1 | CG_FF_V2 },
	{ "hugetlb", CG_FF_V1 | CG_FF_V2 },
	{ "pids", CG_FF_V1 | CG_FF_V2 },
	{ "rdma", CG_FF_V1 | CG_FF_V2 },
	{ "misc", CG_FF_V1 | CG_FF_V2 },
	{ "io", CG_FF_V2 },
	{ "name=systemd", 0 },
	{ "Memory", 0 },
	{ "", 0 },
	{ "net_cls,net_prio", 0 },
};

START_TEST(test_controller)
{
	const struct ctlcase *c = &ctl_cases[_i];
	const struct cg_controllerdef *def = cg_schema_controller(c->name);

	if (!c->flags) {
		ck_assert_ptr_null(def);
		return;
	}
	ck_assert_ptr_nonnull(def);
	ck_assert_str_eq(def->name, c->name);
	ck_assert_uint_eq(def->flags, c->flags);
}
END_TEST

START_TEST(test_controller_count)
{
	size_t n;

	cg_schema_controllers(&n);
	ck_assert_uint_eq(n, 16);
}
END_TEST

struct lookcase {
	const char *controller;
	const char *file;
	const char *entry; /* the entry's name, or NULL: not found under that controller */
	const char *owner; /* cg_schema_file_any's controller, or NULL: unknown anywhere */
};

static const struct lookcase look_cases[] = {
	{ "memory", "memory.limit_in_bytes", "memory.limit_in_bytes", "memory" },
	{ "cpu", "memory.limit_in_bytes", NULL, "memory" },
	{ "cpuacct", "cpu.shares", NULL, "cpu" },
	{ "memory", "memory.max", "memory.max", "memory" },
	{ "cpu", "cpu.idle", "cpu.idle", "cpu" },
	{ "cpuset", "cpuset.cpus", "cpuset.cpus", "cpuset" },
	{ "io", "io.max", "io.max", "io" },
	{ "blkio", "io.max", NULL, "io" },
	/* core files: under any known controller, but not an unknown one */
	{ "memory", "cgroup.procs", "cgroup.procs", "cgroup" },
	{ "cpu", "tasks", "tasks", "cgroup" },
	{ "cgroup", "cgroup.max.depth", "cgroup.max.depth", "cgroup" },
	{ "pids", "notify_on_release", "notify_on_release", "cgroup" },
	{ "nosuch", "cgroup.procs", NULL, "cgroup" },
	/* patterns */
	{ "hugetlb", "hugetlb.2MB.limit_in_bytes", "hugetlb.*.limit_in_bytes", "hugetlb" },
	{ "hugetlb", "hugetlb.1GB.rsvd.limit_in_bytes", "hugetlb.*.rsvd.limit_in_bytes",
	  "hugetlb" },
	{ "hugetlb", "hugetlb.64KB.max", "hugetlb.*.max", "hugetlb" },
	{ "hugetlb", "hugetlb.2MB.rsvd.max", "hugetlb.*.rsvd.max", "hugetlb" },
	{ "hugetlb", "hugetlb.2MB.events.local", "hugetlb.*.events.local", "hugetlb" },
	{ "hugetlb", "hugetlb..limit_in_bytes", NULL, NULL },
	{ "hugetlb", "hugetlb.2_MB.limit_in_bytes", NULL, NULL },
	{ "hugetlb", "hugetlb.2MB.x.limit_in_bytes", NULL, NULL },
	{ "hugetlb", "hugetlb.2MB.limit_in_bytesx", NULL, NULL },
	{ "hugetlb", "hugetlb.*.limit_in_bytes", NULL, NULL },
	{ "memory", "hugetlb.2MB.limit_in_bytes", NULL, "hugetlb" },
	/* unknown */
	{ "memory", "memory.foo", NULL, NULL },
	{ "memory", "memory", NULL, NULL },
	{ "memory", "", NULL, NULL },
	{ "memory", "MEMORY.MAX", NULL, NULL },
};

START_TEST(test_lookup)
{
	const struct lookcase *c = &look_cases[_i];
	const struct cg_filedef *f = cg_schema_file(c->controller, c->file);
	const struct cg_filedef *any = cg_schema_file_any(c->file);

	if (c->entry) {
		ck_assert_msg(f != NULL, "'%s' not found under '%s'", c->file, c->controller);
		ck_assert_str_eq(f->name, c->entry);
	} else {
		ck_assert_msg(f == NULL, "'%s' found under '%s'", c->file, c->controller);
	}
	if (c->owner) {
		ck_assert_ptr_nonnull(any);
		ck_assert_str_eq(any->controller, c->owner);
	} else {
		ck_assert_ptr_null(any);
	}
}
END_TEST

/* Entries whose details the rest of the program leans on. */
START_TEST(test_key_entries)
{
	const struct cg_filedef *f;

	f = cg_schema_file_any("cpu.cfs_quota_us");
	ck_assert_int_eq(f->type, CG_VT_INT);
	ck_assert(f->flags & CG_FF_NEG1_OR_MIN);
	ck_assert_int_eq(f->min, 1000);
	ck_assert_int_eq(f->max, (INT64_C(1) << 44) - 1);

	f = cg_schema_file_any("memory.kmem.limit_in_bytes");
	ck_assert(f->flags & CG_FF_IGNORED);
	ck_assert_str_eq(f->why, "accepted and ignored by current kernels");

	f = cg_schema_file_any("freezer.state");
	ck_assert_str_eq(f->words[0], "FROZEN");
	ck_assert_str_eq(f->words[1], "THAWED");
	ck_assert_ptr_null(f->words[2]);

	f = cg_schema_file_any("pids.max");
	ck_assert(f->flags & CG_FF_MAX_WORD);
	ck_assert(f->flags & CG_FF_V1 && f->flags & CG_FF_V2);

	ck_assert(cg_schema_file_any("net_cls.classid")->flags & CG_FF_HEX);
	ck_assert(cg_schema_file_any("memory.swappiness")->flags & CG_FF_DEPRECATED);
	ck_assert(cg_schema_file_any("cgroup.procs")->flags & CG_FF_FORBIDDEN);
	ck_assert(cg_schema_file_any("cgroup.subtree_control")->flags & CG_FF_FORBIDDEN);
	ck_assert(cg_schema_file_any("release_agent")->flags & CG_FF_FORBIDDEN);
	ck_assert(cg_schema_file_any("memory.force_empty")->flags & CG_FF_ACTION);
	ck_assert(cg_schema_file_any("cpuacct.usage")->flags & CG_FF_ACTION);
	ck_assert(cg_schema_file_any("memory.reclaim")->flags & CG_FF_ACTION);
	ck_assert(cg_schema_file_any("memory.usage_in_bytes")->flags & CG_FF_READONLY);
	ck_assert(cg_schema_file_any("devices.list")->flags & CG_FF_READONLY);
	ck_assert_int_eq(cg_schema_file_any("cpu.max")->type, CG_VT_CPUMAX);
	ck_assert_int_eq(cg_schema_file_any("devices.deny")->type, CG_VT_DEVRULE);
	ck_assert_int_eq(cg_schema_file_any("io.weight")->type, CG_VT_DEVLIMIT);
	ck_assert_int_eq(cg_schema_file_any("rdma.max")->type, CG_VT_KEYED);
	ck_assert_int_eq(cg_schema_file_any("cpuset.mems")->type, CG_VT_CPULIST);
	ck_assert_int_eq(cg_schema_file_any("memory.memsw.limit_in_bytes")->type, CG_VT_SIZE);
}
END_TEST

struct suggestcase {
	const char *controller; /* NULL: suggest a controller */
	const char *name;
	const char *expect; /* NULL: no suggestion */
};

static const struct suggestcase suggest_cases[] = {
	{ NULL, "memroy", "memory" },
	{ NULL, "cpu_set", "cpuset" },
	{ NULL, "blkoi", "blkio" },
	{ NULL, "pid", "pids" },
	{ NULL, "devcies", "devices" },
	{ NULL, "ab", NULL },
	{ NULL, "xyzzy", NULL },
	{ NULL, "networking", NULL },
	{ "memory", "memory.limit_in_byte", "memory.limit_in_bytes" },
	{ "memory", "memory.limt_in_bytes", "memory.limit_in_bytes" },
	{ "memory", "memory.memsw.limit_in_byts", "memory.memsw.limit_in_bytes" },
	{ "cpu", "cpu.cfs_quota", "cpu.cfs_quota_us" },
	{ "cpu", "cpu.share", "cpu.shares" },
	{ "cpuset", "cpuset.cpu", "cpuset.cpus" },
	{ "memory", "cgroup.proc", "cgroup.procs" },
	{ "hugetlb", "hugetlb.2MB.limit_in_byte", "hugetlb.*.limit_in_bytes" },
	{ "hugetlb", "hugetlb.2MB", NULL },
	{ "memory", "memory.xyzzyqwerty", NULL },
	{ "cpu", "memory.limit_in_bytes", NULL },
};

START_TEST(test_suggest)
{
	const struct suggestcase *c = &suggest_cases[_i];
	const char *got = c->controller ? cg_schema_suggest_file(c->controller, c->name)
					: cg_schema_suggest_controller(c->name);

	if (c->expect) {
		ck_assert_msg(got != NULL, "no suggestion for '%s'", c->name);
		ck_assert_str_eq(got, c->expect);
	} else {
		ck_assert_msg(got == NULL, "'%s' suggested for '%s'", got, c->name);
	}
}
END_TEST

static Suite *
schema_suite(void)
{
	Suite *s = suite_create("schema");
	TCase *tc;
	size_t n;

	cg_schema_files(&n);
	tc = tcase_create("table");
	tcase_add_loop_test(tc, test_entry_well_formed, 0, (int)n);
	tcase_add_test(tc, test_names_unique);
	tcase_add_test(tc, test_key_entries);
	suite_add_tcase(s, tc);

	tc = tcase_create("lookup");
	tcase_add_loop_test(tc, test_controller, 0, sizeof(ctl_cases) / sizeof(ctl_cases[0]));
	tcase_add_test(tc, test_controller_count);
	tcase_add_loop_test(tc, test_lookup, 0, sizeof(look_cases) / sizeof(look_cases[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("suggest");
	tcase_add_loop_test(tc, test_suggest, 0, sizeof(suggest_cases) / sizeof(suggest_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(schema_suite());
}

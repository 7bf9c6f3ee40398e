/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apply/layout: where groups go, which files are read, the anchors and --parent. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "apply/hierarchy.h"
#include "apply/layout.h"
#include "lib/strbuf.h"
#include "parser/parse.h"
#include "tests/lib/testutil.h"

static char *ctl_cpu[] = { (char *)"cpu" };
static char *ctl_cpuacct[] = { (char *)"cpuacct" };
static char *ctl_cpuset[] = { (char *)"cpuset" };
static char *ctl_memory[] = { (char *)"memory" };
static char *ctl_devices[] = { (char *)"devices" };
static char *ctl_hugetlb[] = { (char *)"hugetlb" };
static char *ctl_cpu_cpuacct[] = { (char *)"cpu", (char *)"cpuacct" };
static char *ctl_v2[] = { (char *)"cpuset", (char *)"cpu", (char *)"io", (char *)"memory",
			  (char *)"pids" };

/* this host, less a few */
static struct cg_hier hybrid_h[] = {
	{ CG_V1, (char *)"cpu", ctl_cpu, 1 },	    { CG_V1, (char *)"cpuacct", ctl_cpuacct, 1 },
	{ CG_V1, (char *)"cpuset", ctl_cpuset, 1 }, { CG_V1, (char *)"devices", ctl_devices, 1 },
	{ CG_V1, (char *)"memory", ctl_memory, 1 }, { CG_V2, (char *)"unified", ctl_hugetlb, 1 },
};
static const struct cg_hosttree hybrid = { hybrid_h, 6 };

static struct cg_hier comounted_h[] = {
	{ CG_V1, (char *)"cpu,cpuacct", ctl_cpu_cpuacct, 2 },
	{ CG_V1, (char *)"memory", ctl_memory, 1 },
};
static const struct cg_hosttree comounted = { comounted_h, 2 };

static struct cg_hier v2_h[] = {
	{ CG_V2, (char *)"", ctl_v2, 5 },
};
static const struct cg_hosttree v2root = { v2_h, 1 };

static struct cg_model *
model(const char *yaml)
{
	struct cg_parse_opts o = { .ids_must_exist = false };
	struct cg_model *m = NULL;
	struct cg_diags d;

	cg_diags_init(&d);
	if (cg_parse_buffer("t.yaml", yaml, strlen(yaml), &o, &m, &d) < 0) {
		char *t = tu_diags_text(&d);

		ck_abort_msg("%s", t);
	}
	cg_diags_release(&d);
	return m;
}

static const char *const kinds[] = { "group", "anchor", "above" };

static char *
dump(const struct cg_layout *l)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		const struct cg_layout_dir *d = &l->dirs[i];

		strbuf_addf(&sb, "%s '%s' %s [", kinds[d->kind], d->fspath,
			    d->group ? d->group : "-");
		for (j = 0; j < d->nfiles; j++)
			strbuf_addf(&sb, "%s%s", j ? " " : "", d->files[j]);
		strbuf_adds(&sb, "]\n");
		ck_assert_int_eq(d->group == NULL, d->kind != CG_LAYOUT_GROUP);
		ck_assert_int_eq(d->g == NULL, d->kind != CG_LAYOUT_GROUP);
		ck_assert_ptr_eq(cg_layout_find(l, d->fspath), d);
	}
	return strbuf_detach(&sb);
}

static char *
build_dump(const char *yaml, const struct cg_hosttree *t, const char *parent)
{
	struct cg_model *m = model(yaml);
	struct cg_error *err = NULL;
	struct cg_layout l;
	char *s;

	if (cg_layout_build(m, t, parent, &l, &err) < 0)
		ck_abort_msg("layout: %s", err->msg);
	s = dump(&l);
	cg_layout_release(&l);
	cg_model_free(m);
	return s;
}

static const char web_yaml[] = "version: 1\n"
			       "groups:\n"
			       "  web:\n"
			       "    cpu: { cpu.shares: 512, cpu.cfs_quota_us: 50000 }\n"
			       "    cpuset: { cpuset.cpus: '0', cpuset.mems: '0' }\n"
			       "    memory: { memory.limit_in_bytes: 1G, memory.swappiness: 1 }\n"
			       "    devices: { devices.deny: a, devices.allow: ['c 1:3 rwm'] }\n"
			       "  web/batch:\n"
			       "    memory: {}\n"
			       "  db/main:\n"
			       "    cpuset: { cpuset.cpu_exclusive: 1 }\n"
			       "  students/%u:\n"
			       "    cpu: { cpu.cfs_burst_us: 1000 }\n";

START_TEST(test_hybrid_no_parent)
{
	char *s = build_dump(web_yaml, &hybrid, NULL);

	ck_assert_str_eq(
		s,
		"anchor 'cpu' - [cpu.cfs_burst_us cpu.cfs_period_us cpu.cfs_quota_us]\n"
		"anchor 'cpuset' - [cpuset.cpu_exclusive cpuset.cpus cpuset.mem_exclusive cpuset.mems]\n"
		"anchor 'devices' - [devices.list]\n"
		"anchor 'memory' - []\n"
		"group 'cpu/students' students []\n"
		"group 'cpu/web' web [cpu.cfs_burst_us cpu.cfs_period_us cpu.cfs_quota_us cpu.idle cpu.shares]\n"
		"group 'cpuset/db' db [cpuset.cpus cpuset.mems]\n"
		"group 'cpuset/db/main' db/main [cpuset.cpu_exclusive cpuset.cpus cpuset.mem_exclusive cpuset.mems]\n"
		"group 'cpuset/web' web [cpuset.cpus cpuset.mems]\n"
		"group 'devices/web' web [devices.list]\n"
		"group 'memory/web' web [memory.limit_in_bytes memory.memsw.limit_in_bytes "
		"memory.memsw.usage_in_bytes memory.swappiness memory.usage_in_bytes]\n"
		"group 'memory/web/batch' web/batch []\n");
	free(s);
}
END_TEST

START_TEST(test_hybrid_parent)
{
	char *s = build_dump("version: 1\ngroups:\n  web:\n    cpuset: { cpuset.cpus: '0' }\n"
			     "    memory: { memory.limit_in_bytes: 1G }\n",
			     &hybrid, "/cgapply-test-1/sub/");

	ck_assert_str_eq(s, "above 'cpuset' - [cpuset.cpus cpuset.mems]\n"
			    "above 'cpuset/cgapply-test-1' - [cpuset.cpus cpuset.mems]\n"
			    "anchor 'cpuset/cgapply-test-1/sub' - [cpuset.cpus cpuset.mems]\n"
			    "above 'memory' - []\n"
			    "above 'memory/cgapply-test-1' - []\n"
			    "anchor 'memory/cgapply-test-1/sub' - []\n"
			    "group 'cpuset/cgapply-test-1/sub/web' web [cpuset.cpus cpuset.mems]\n"
			    "group 'memory/cgapply-test-1/sub/web' web [memory.limit_in_bytes "
			    "memory.memsw.limit_in_bytes memory.memsw.usage_in_bytes "
			    "memory.usage_in_bytes]\n");
	free(s);
}
END_TEST

START_TEST(test_core_block)
{
	char *s = build_dump("version: 1\ngroups:\n  web:\n"
			     "    memory: { memory.swappiness: 10 }\n"
			     "    cgroup: { cgroup.max.depth: 3 }\n",
			     &hybrid, "");

	ck_assert_str_eq(s, "anchor 'memory' - []\n"
			    "anchor 'unified' - [cgroup.controllers cgroup.subtree_control]\n"
			    "group 'memory/web' web [memory.swappiness]\n"
			    "group 'unified/web' web [cgroup.max.depth cgroup.subtree_control]\n");
	free(s);
}
END_TEST

START_TEST(test_comounted)
{
	char *s = build_dump("version: 1\ngroups:\n  a/b:\n"
			     "    cpu: { cpu.rt_period_us: 100000, notify_on_release: 1 }\n"
			     "    cpuacct: {}\n",
			     &comounted, NULL);

	ck_assert_str_eq(s, "anchor 'cpu,cpuacct' - [cpu.rt_period_us cpu.rt_runtime_us]\n"
			    "group 'cpu,cpuacct/a' a []\n"
			    "group 'cpu,cpuacct/a/b' a/b [cpu.rt_period_us cpu.rt_runtime_us "
			    "notify_on_release]\n");
	free(s);
}
END_TEST

/* Each dir's child_files: what is read in its unlisted subdirectories. */
static char *
child_dump(const char *yaml, const struct cg_hosttree *t, const char *parent)
{
	struct cg_model *m = model(yaml);
	struct cg_error *err = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct cg_layout l;
	size_t i, j;

	if (cg_layout_build(m, t, parent, &l, &err) < 0)
		ck_abort_msg("layout: %s", err->msg);
	for (i = 0; i < l.n; i++) {
		strbuf_addf(&sb, "%s [", l.dirs[i].fspath);
		for (j = 0; j < l.dirs[i].nchild_files; j++)
			strbuf_addf(&sb, "%s%s", j ? " " : "", l.dirs[i].child_files[j]);
		strbuf_adds(&sb, "]\n");
	}
	cg_layout_release(&l);
	cg_model_free(m);
	return strbuf_detach(&sb);
}

START_TEST(test_child_files)
{
	/* cpuset: always the lists and flags; not above the anchor, not in memory */
	char *s = child_dump("version: 1\ngroups:\n  web:\n    cpuset: { cpuset.cpus: '0' }\n"
			     "    memory: { memory.limit_in_bytes: 1G }\n",
			     &hybrid, "cgapply-test-1");

	ck_assert_str_eq(
		s, "cpuset []\n"
		   "cpuset/cgapply-test-1 [cpuset.cpu_exclusive cpuset.cpus cpuset.mem_exclusive "
		   "cpuset.mems]\n"
		   "memory []\n"
		   "memory/cgapply-test-1 []\n"
		   "cpuset/cgapply-test-1/web [cpuset.cpu_exclusive cpuset.cpus "
		   "cpuset.mem_exclusive cpuset.mems]\n"
		   "memory/cgapply-test-1/web []\n");
	free(s);
	/* cpu: the RT pair where the dir or a listed child has RT, CFS likewise; shares
	 * alone read nothing below */
	s = child_dump("version: 1\ngroups:\n"
		       "  a: { cpu: { cpu.shares: 10 } }\n"
		       "  a/b: { cpu: { cpu.rt_period_us: 100000 } }\n"
		       "  c: { cpu: { cpu.cfs_quota_us: 50000 } }\n"
		       "  d: { cpu: { cpu.shares: 100 } }\n",
		       &comounted, NULL);
	ck_assert_str_eq(s, "cpu,cpuacct [cpu.cfs_period_us cpu.cfs_quota_us cpu.rt_period_us "
			    "cpu.rt_runtime_us]\n"
			    "cpu,cpuacct/a [cpu.rt_period_us cpu.rt_runtime_us]\n"
			    "cpu,cpuacct/a/b [cpu.rt_period_us cpu.rt_runtime_us]\n"
			    "cpu,cpuacct/c [cpu.cfs_period_us cpu.cfs_quota_us]\n"
			    "cpu,cpuacct/d []\n");
	free(s);
}
END_TEST

START_TEST(test_v2_root)
{
	char *s = build_dump("version: 1\ngroups:\n  web:\n"
			     "    cpu: { cpu.weight: 200 }\n"
			     "    memory: { memory.max: 1G }\n"
			     "  web/api:\n"
			     "    cpu: { cpu.max: '50000 100000' }\n",
			     &v2root, NULL);

	ck_assert_str_eq(
		s, "anchor '' - [cgroup.controllers cgroup.subtree_control]\n"
		   "group 'web' web [cgroup.subtree_control cpu.idle cpu.weight memory.current "
		   "memory.max]\n"
		   "group 'web/api' web/api [cgroup.subtree_control cpu.max cpu.max.burst]\n");
	free(s);
	s = build_dump("version: 1\ngroups:\n  web:\n    pids: { pids.max: 10 }\n", &v2root, "a");
	ck_assert_str_eq(s, "above '' - [cgroup.controllers cgroup.subtree_control]\n"
			    "anchor 'a' - [cgroup.controllers cgroup.subtree_control]\n"
			    "group 'a/web' web [cgroup.subtree_control pids.max]\n");
	free(s);
}
END_TEST

static const struct {
	const char *yaml;
	const struct cg_hosttree *t;
	const char *parent;
	enum cg_errkind kind;
	const char *msg;
} bad[] = {
	{ "version: 1\ngroups:\n  web:\n    freezer: {}\n", &hybrid, NULL, CG_E_CONFIG,
	  ":4:5: group 'web' uses controller 'freezer', which is not mounted on this host" },
	{ "version: 1\ngroups:\n  a/%u:\n    pids: {}\n", &hybrid, NULL, CG_E_CONFIG,
	  ":4:5: group 'a/%u' uses controller 'pids', which is not mounted on this host" },
	{ "version: 1\ngroups:\n  web:\n    cgroup: { cgroup.max.depth: 1 }\n", &comounted, NULL,
	  CG_E_CONFIG,
	  ":4:5: group 'web' uses controller 'cgroup', which is not mounted on this host" },
	{ "version: 1\ngroups:\n  web:\n    devices: {}\n", &v2root, NULL, CG_E_CONFIG,
	  "controller 'devices'" },
	{ "version: 1\ngroups:\n  web:\n    memory: {}\n", &hybrid, "a/../b", CG_E_USAGE,
	  "invalid parent path 'a/../b'" },
};

START_TEST(test_errors)
{
	struct cg_model *m = model(bad[_i].yaml);
	struct cg_error *err = NULL;
	struct cg_layout l;

	ck_assert_int_eq(cg_layout_build(m, bad[_i].t, bad[_i].parent, &l, &err), -1);
	ck_assert_int_eq(err->kind, bad[_i].kind);
	ck_assert_msg(strstr(err->msg, bad[_i].msg), "'%s' lacks '%s'", err->msg, bad[_i].msg);
	cg_error_free(err);
	cg_model_free(m);
}
END_TEST

static Suite *
layout_suite(void)
{
	Suite *s = suite_create("layout");
	TCase *tc = tcase_create("layout");

	tcase_add_test(tc, test_hybrid_no_parent);
	tcase_add_test(tc, test_hybrid_parent);
	tcase_add_test(tc, test_core_block);
	tcase_add_test(tc, test_comounted);
	tcase_add_test(tc, test_v2_root);
	tcase_add_test(tc, test_child_files);
	tcase_add_loop_test(tc, test_errors, 0, sizeof(bad) / sizeof(bad[0]));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(layout_suite());
}

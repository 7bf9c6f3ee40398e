/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The rules matcher on fake procfs entries (a temp dir as the proc root): users, @groups
 * (primary and supplementary), `*`, the process forms, `%` lines, first match per
 * hierarchy, ignore/ignore_rt on v1 and v2, kernel threads, gone processes, scripts;
 * template instantiation, destination validation, and the moves record.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/fs.h"
#include "apply/match.h"
#include "apply/place.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "parser/parse.h"
#include "tests/lib/testutil.h"

#define PF_KTHREAD 0x00200000u

static char *proc_root;

static void
proc_setup(void)
{
	char tmpl[] = "/tmp/cgapply-match-XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	proc_root = xstrdup(tmpl);
}

static void
proc_teardown(void)
{
	ck_assert_int_eq(tu_rm_rf(proc_root), 0);
	free(proc_root);
	proc_root = NULL;
}

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
}

struct fake {
	long pid;
	const char *comm;
	unsigned uid, gid;
	const char *groups; /* "1 2 3" */
	const char *exe;    /* NULL: no exe link (a kernel thread, a zombie) */
	const char *cgroup; /* /proc/PID/cgroup text */
	long ppid;
	unsigned flags;
	int policy;
	const char *state; /* NULL: "S (sleeping)" */
	const char *cmdline;
	size_t cmdline_len;
	const char *cwd;
};

static const char V1_ROOT_CGROUPS[] = "12:memory:/\n11:cpu,cpuacct:/user.slice\n10:cpuset:/\n"
				      "0::/user.slice/user-0.slice\n";

static void
fake_proc(const struct fake *f)
{
	char *dir = xasprintf("%s/%ld", proc_root, f->pid);
	char *p;
	struct strbuf sb = STRBUF_INIT;

	ck_assert_int_eq(mkdir(dir, 0755), 0);
	strbuf_addf(&sb,
		    "Name:\t%s\nUmask:\t0022\nState:\t%s\nTgid:\t%ld\nPid:\t%ld\nPPid:\t%ld\n"
		    "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nGroups:\t%s\n",
		    f->comm, f->state ? f->state : "S (sleeping)", f->pid, f->pid, f->ppid,
		    f->uid + 7, f->uid, f->uid, f->uid, f->gid + 7, f->gid, f->gid, f->gid,
		    f->groups ? f->groups : "");
	p = xasprintf("%s/status", dir);
	write_file(p, sb.buf, sb.len);
	free(p);
	strbuf_reset(&sb);
	/* fields 3..: state ppid pgrp session tty tpgid flags ... starttime(22) ... policy(41) */
	strbuf_addf(&sb, "%ld (%s) S %ld 1 1 0 -1 %u", f->pid, f->comm, f->ppid, f->flags);
	for (int i = 10; i <= 52; i++)
		strbuf_addf(&sb, " %d", i == 22 ? 4242 : i == 41 ? f->policy : 0);
	strbuf_addch(&sb, '\n');
	p = xasprintf("%s/stat", dir);
	write_file(p, sb.buf, sb.len);
	free(p);
	p = xasprintf("%s/cgroup", dir);
	write_file(p, f->cgroup ? f->cgroup : V1_ROOT_CGROUPS,
		   strlen(f->cgroup ? f->cgroup : V1_ROOT_CGROUPS));
	free(p);
	p = xasprintf("%s/cmdline", dir);
	write_file(p, f->cmdline ? f->cmdline : "", f->cmdline ? f->cmdline_len : 0);
	free(p);
	if (f->exe) {
		p = xasprintf("%s/exe", dir);
		ck_assert_int_eq(symlink(f->exe, p), 0);
		free(p);
	}
	if (f->cwd) {
		p = xasprintf("%s/cwd", dir);
		ck_assert_int_eq(symlink(f->cwd, p), 0);
		free(p);
	}
	strbuf_release(&sb);
	free(dir);
}

/* Hierarchies of a hybrid host ("cpu,cpuacct", memory, cpuset, unified) or a v2 one. */
static char n_cpu[] = "cpu", n_cpuacct[] = "cpuacct", n_memory[] = "memory", n_cpuset[] = "cpuset";
static char m_cpu[] = "cpu,cpuacct", m_cpuset[] = "cpuset", m_memory[] = "memory",
	    m_unified[] = "unified", m_root[] = "";
static char *cpu_ctls[] = { n_cpu, n_cpuacct }, *mem_ctls[] = { n_memory },
	    *cpuset_ctls[] = { n_cpuset }, *v2_ctls[] = { n_cpu, n_cpuset, n_memory };
static struct cg_hier v1_hiers[] = {
	{ CG_V1, m_cpu, cpu_ctls, 2 },
	{ CG_V1, m_cpuset, cpuset_ctls, 1 },
	{ CG_V1, m_memory, mem_ctls, 1 },
	{ CG_V2, m_unified, NULL, 0 },
};
static struct cg_hier v2_hiers[] = { { CG_V2, m_root, v2_ctls, 3 } };
static const struct cg_hosttree V1 = { v1_hiers, 4 }, V2 = { v2_hiers, 1 };

static const char GROUPS[] = "version: 1\n"
			     "groups:\n"
			     "  a: { cpu: {}, memory: {} }\n"
			     "  b: { cpu: {}, memory: {} }\n"
			     "  c: { cpu: {}, memory: {} }\n"
			     "  students: { cpu: { cpu.shares: 512 } }\n"
			     "  students/%u: { cpu: { cpu.shares: 100 }, memory: {} }\n"
			     "  daemons/%p-%P: { cpu: {}, memory: {} }\n";

static struct cg_model *
model(const char *rules_yaml)
{
	const struct cg_parse_opts o = { .ids_must_exist = false };
	char *text = xasprintf("%srules:\n%s", GROUPS, rules_yaml);
	struct cg_model *m = NULL;
	struct cg_diags d;

	cg_diags_init(&d);
	if (cg_parse_buffer("t.yaml", text, strlen(text), &o, &m, &d) < 0) {
		char *t = tu_diags_text(&d);

		ck_abort_msg("parse failed:\n%s", t);
	}
	cg_diags_release(&d);
	free(text);
	return m;
}

/* "hier=dest" or "hier=stay" for each decision, joined by ' '; "" for no match. */
static char *
decide(const struct cg_model *m, const struct cg_hosttree *h, const char *parent, long pid)
{
	struct cg_error *e = NULL;
	struct cg_proc p;
	struct cg_match mt;
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int r = cg_proc_read(proc_root, (pid_t)pid, &p, &e);

	if (r == CG_PROC_READ_GONE)
		return xstrdup("gone");
	ck_assert_msg(r == 0, "read: %s", e ? e->msg : "?");
	cg_match_process(m, h, parent, &p, &mt);
	for (i = 0; i < mt.n; i++)
		strbuf_addf(&sb, "%s%s=%s", i ? " " : "", mt.items[i].hier->mount,
			    mt.items[i].stay ? "stay" : mt.items[i].dest);
	cg_match_release(&mt);
	cg_proc_release(&p);
	return strbuf_detach(&sb);
}

#define CHECK_DECIDE(m, h, parent, pid, want)           \
	do {                                            \
		char *got_ = decide(m, h, parent, pid); \
		ck_assert_str_eq(got_, want);           \
		free(got_);                             \
	} while (0)

/* ---- users and groups ---- */

START_TEST(test_user_uid)
{
	struct cg_model *m = model("  - { user: 4000001, controllers: [cpu], destination: a }\n");

	fake_proc(&(struct fake){ .pid = 100,
				  .comm = "sleep",
				  .uid = 4000001,
				  .gid = 4000001,
				  .exe = "/usr/bin/sleep",
				  .ppid = 1 });
	fake_proc(&(struct fake){ .pid = 101,
				  .comm = "sleep",
				  .uid = 4000002,
				  .gid = 4000001,
				  .exe = "/usr/bin/sleep",
				  .ppid = 1 });
	/* the effective uid counts: status has real = uid + 7 */
	CHECK_DECIDE(m, &V1, NULL, 100, "cpu,cpuacct=a");
	CHECK_DECIDE(m, &V1, NULL, 101, "");
	cg_model_free(m);
}
END_TEST

START_TEST(test_group_primary_and_supplementary)
{
	struct cg_model *m =
		model("  - { user: \"@4000100\", controllers: [memory], destination: b }\n");

	fake_proc(&(struct fake){
		.pid = 200, .comm = "x", .uid = 4000001, .gid = 4000100, .exe = "/x", .ppid = 1 });
	fake_proc(&(struct fake){ .pid = 201,
				  .comm = "x",
				  .uid = 4000001,
				  .gid = 4000001,
				  .groups = "4000050 4000100 4000200",
				  .exe = "/x",
				  .ppid = 1 });
	fake_proc(&(struct fake){ .pid = 202,
				  .comm = "x",
				  .uid = 4000001,
				  .gid = 4000001,
				  .groups = "4000050 4000101",
				  .exe = "/x",
				  .ppid = 1 });
	CHECK_DECIDE(m, &V1, NULL, 200, "memory=b");
	CHECK_DECIDE(m, &V1, NULL, 201, "memory=b");
	CHECK_DECIDE(m, &V1, NULL, 202, "");
	cg_model_free(m);
}
END_TEST

/* ---- process forms ---- */

START_TEST(test_process_forms)
{
	struct cg_model *m = model(
		"  - { user: \"*\", process: /opt/t/bin/full, controllers: [cpu], destination: a }\n"
		"  - { user: \"*\", process: base, controllers: [cpu], destination: b }\n"
		"  - { user: \"*\", process: \"/opt/t/py*\", controllers: [cpu], destination: c }\n"
		"  - { user: \"*\", process: \"py*\", controllers: [memory], destination: c }\n");

	fake_proc(&(struct fake){ .pid = 300,
				  .comm = "full",
				  .uid = 4000001,
				  .gid = 1,
				  .exe = "/opt/t/bin/full",
				  .ppid = 1 });
	fake_proc(&(struct fake){ .pid = 301,
				  .comm = "base",
				  .uid = 4000001,
				  .gid = 1,
				  .exe = "/somewhere/else/base",
				  .ppid = 1 });
	fake_proc(&(struct fake){ .pid = 302,
				  .comm = "python3",
				  .uid = 4000001,
				  .gid = 1,
				  .exe = "/opt/t/python3",
				  .ppid = 1 });
	fake_proc(&(struct fake){ .pid = 303,
				  .comm = "full2",
				  .uid = 4000001,
				  .gid = 1,
				  .exe = "/opt/t/bin/full2",
				  .ppid = 1 });
	CHECK_DECIDE(m, &V1, NULL, 300, "cpu,cpuacct=a");
	CHECK_DECIDE(m, &V1, NULL, 301, "cpu,cpuacct=b");
	/* the prefix compares with the full path: "py*" does not match /opt/t/python3 */
	CHECK_DECIDE(m, &V1, NULL, 302, "cpu,cpuacct=c");
	CHECK_DECIDE(m, &V1, NULL, 303, "");
	cg_model_free(m);
}
END_TEST

START_TEST(test_script_path)
{
	static const char cmd1[] = "/bin/sh\0/opt/t/job.sh\0arg\0";
	static const char cmd2[] = "/bin/sh\0./job.sh\0";
	struct cg_model *m = model(
		"  - { user: \"*\", process: /opt/t/job.sh, controllers: [cpu], destination: a }\n");
	struct cg_proc p;
	struct cg_error *e = NULL;

	fake_proc(&(struct fake){ .pid = 400,
				  .comm = "job.sh",
				  .uid = 4000001,
				  .gid = 1,
				  .exe = "/usr/bin/dash",
				  .ppid = 1,
				  .cmdline = cmd1,
				  .cmdline_len = sizeof(cmd1) - 1 });
	fake_proc(&(struct fake){ .pid = 401,
				  .comm = "job.sh",
				  .uid = 4000001,
				  .gid = 1,
				  .exe = "/usr/bin/dash",
				  .ppid = 1,
				  .cmdline = cmd2,
				  .cmdline_len = sizeof(cmd2) - 1,
				  .cwd = "/opt/t" });
	fake_proc(&(struct fake){ .pid = 402,
				  .comm = "dash",
				  .uid = 4000001,
				  .gid = 1,
				  .exe = "/usr/bin/dash",
				  .ppid = 1,
				  .cmdline = cmd1,
				  .cmdline_len = sizeof(cmd1) - 1 });
	CHECK_DECIDE(m, &V1, NULL, 400, "cpu,cpuacct=a");
	CHECK_DECIDE(m, &V1, NULL, 401, "cpu,cpuacct=a");
	CHECK_DECIDE(m, &V1, NULL, 402, "");
	ck_assert_int_eq(cg_proc_read(proc_root, 402, &p, &e), 0);
	ck_assert_str_eq(p.exe, "/usr/bin/dash");
	cg_proc_release(&p);
	cg_model_free(m);
}
END_TEST

/* ---- order, % lines, ignore ---- */

START_TEST(test_first_match_per_hierarchy)
{
	struct cg_model *m =
		model("  - { user: 4000001, process: nope, controllers: \"*\", destination: c }\n"
		      "  - { user: 4000001, controllers: [cpuacct], destination: a }\n"
		      "  - { user: \"*\", controllers: \"*\", destination: b }\n");

	fake_proc(&(struct fake){
		.pid = 500, .comm = "x", .uid = 4000001, .gid = 1, .exe = "/x", .ppid = 1 });
	/* cpuacct shares cpu's hierarchy; `*` does the rest but not the controller-less v2 */
	CHECK_DECIDE(m, &V1, NULL, 500, "cpu,cpuacct=a cpuset=b memory=b");
	/* v2 has no cpuacct: the second rule decides nothing there */
	CHECK_DECIDE(m, &V2, NULL, 500, "=b");
	cg_model_free(m);
}
END_TEST

START_TEST(test_ditto_lines)
{
	struct cg_model *m = NULL;
	const struct cg_parse_opts o = { .ids_must_exist = false };
	struct cg_diags d;
	char dir[] = "/tmp/cgapply-ditto-XXXXXX";
	char *conf, *yaml;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	conf = xasprintf("%s/r.conf", dir);
	write_file(conf,
		   "4000009  cpu     a   # not this user\n"
		   "%        memory  c\n"
		   "4000001  cpu     a\n"
		   "%        memory  b   \n",
		   strlen("4000009  cpu     a   # not this user\n"
			  "%        memory  c\n"
			  "4000001  cpu     a\n"
			  "%        memory  b   \n"));
	yaml = xasprintf("%srules:\n  - { include: %s }\n", GROUPS, conf);
	cg_diags_init(&d);
	ck_assert_int_eq(cg_parse_buffer("t.yaml", yaml, strlen(yaml), &o, &m, &d), 0);
	fake_proc(&(struct fake){
		.pid = 600, .comm = "x", .uid = 4000001, .gid = 1, .exe = "/x", .ppid = 1 });
	CHECK_DECIDE(m, &V1, NULL, 600, "cpu,cpuacct=a memory=b");
	cg_model_free(m);
	cg_diags_release(&d);
	unlink(conf);
	rmdir(dir);
	free(conf);
	free(yaml);
}
END_TEST

START_TEST(test_ignore_v1_and_v2)
{
	struct cg_model *m = model(
		"  - { user: 4000001, controllers: [cpu, memory], destination: a, options: ignore }\n"
		"  - { user: 4000001, controllers: [cpu, memory], destination: b }\n");

	/* in a (below the sandbox parent) for cpu, elsewhere for memory */
	fake_proc(&(struct fake){ .pid = 700,
				  .comm = "x",
				  .uid = 4000001,
				  .gid = 1,
				  .exe = "/x",
				  .ppid = 1,
				  .cgroup = "12:memory:/sb/c\n11:cpu,cpuacct:/sb/a/deeper\n"
					    "0::/sb/a\n" });
	CHECK_DECIDE(m, &V1, "sb", 700, "cpu,cpuacct=stay memory=b");
	/* on v2 the 0:: line counts (libcgroup#510) */
	CHECK_DECIDE(m, &V2, "sb", 700, "=stay");
	/* "sb/ab" is not below "sb/a" */
	fake_proc(&(struct fake){ .pid = 701,
				  .comm = "x",
				  .uid = 4000001,
				  .gid = 1,
				  .exe = "/x",
				  .ppid = 1,
				  .cgroup = "0::/sb/ab\n" });
	CHECK_DECIDE(m, &V2, "sb", 701, "=b");
	cg_model_free(m);
}
END_TEST

START_TEST(test_ignore_rt)
{
	struct cg_model *m = model(
		"  - { user: 4000001, controllers: [cpu], destination: a, options: ignore_rt }\n"
		"  - { user: 4000001, controllers: [cpu], destination: b, options: ignore }\n"
		"  - { user: 4000001, controllers: [cpu], destination: c }\n");
	const char *cg = "11:cpu,cpuacct:/a\n";

	fake_proc(&(struct fake){ .pid = 800,
				  .comm = "x",
				  .uid = 4000001,
				  .gid = 1,
				  .exe = "/x",
				  .ppid = 1,
				  .policy = 1,
				  .cgroup = cg });
	fake_proc(&(struct fake){ .pid = 801,
				  .comm = "x",
				  .uid = 4000001,
				  .gid = 1,
				  .exe = "/x",
				  .ppid = 1,
				  .policy = 0,
				  .cgroup = cg });
	fake_proc(&(struct fake){ .pid = 802,
				  .comm = "x",
				  .uid = 4000001,
				  .gid = 1,
				  .exe = "/x",
				  .ppid = 1,
				  .policy = 0,
				  .cgroup = "11:cpu,cpuacct:/b\n" });
	CHECK_DECIDE(m, &V1, NULL, 800, "cpu,cpuacct=stay"); /* RT, in a */
	CHECK_DECIDE(m, &V1, NULL, 801, "cpu,cpuacct=c");    /* not RT: ignore_rt skipped */
	CHECK_DECIDE(m, &V1, NULL, 802, "cpu,cpuacct=stay"); /* not RT, in b */
	cg_model_free(m);
}
END_TEST

/* ---- what is never matched ---- */

START_TEST(test_kernel_threads_and_gone)
{
	struct cg_model *m = model("  - { user: \"*\", controllers: \"*\", destination: a }\n");

	fake_proc(&(struct fake){
		.pid = 2, .comm = "kthreadd", .uid = 0, .gid = 0, .ppid = 0, .flags = PF_KTHREAD });
	fake_proc(&(struct fake){ .pid = 900,
				  .comm = "kworker/0:1",
				  .uid = 0,
				  .gid = 0,
				  .ppid = 2,
				  .flags = PF_KTHREAD });
	/* a kthread flag with a parent other than kthreadd still counts */
	fake_proc(&(struct fake){ .pid = 901,
				  .comm = "odd",
				  .uid = 0,
				  .gid = 0,
				  .ppid = 1,
				  .flags = PF_KTHREAD,
				  .exe = "/x" });
	fake_proc(&(struct fake){
		.pid = 902, .comm = "z", .uid = 0, .gid = 0, .ppid = 1, .state = "Z (zombie)" });
	/* no exe link and not a kernel thread: exited while we looked */
	fake_proc(&(struct fake){ .pid = 903, .comm = "y", .uid = 0, .gid = 0, .ppid = 1 });
	CHECK_DECIDE(m, &V1, NULL, 2, "");
	CHECK_DECIDE(m, &V1, NULL, 900, "");
	CHECK_DECIDE(m, &V1, NULL, 901, "");
	CHECK_DECIDE(m, &V1, NULL, 902, "gone");
	CHECK_DECIDE(m, &V1, NULL, 903, "gone");
	CHECK_DECIDE(m, &V1, NULL, 99999, "gone");
	cg_model_free(m);
}
END_TEST

/* ---- templates ---- */

START_TEST(test_template_expansion)
{
	struct cg_model *m = model(
		"  - { user: 4000001, controllers: [cpu], destination: \"students/%u\" }\n"
		"  - { user: 4000001, controllers: [memory], destination: \"daemons/%p-%P\" }\n");
	const struct cg_group *g;

	fake_proc(&(struct fake){ .pid = 1000,
				  .comm = "worker",
				  .uid = 4000001,
				  .gid = 1,
				  .exe = "/opt/t/worker",
				  .ppid = 1 });
	/* uid 4000001 has no name: %u is the number, as libcgroup does; %p the basename */
	CHECK_DECIDE(m, &V1, NULL, 1000, "cpu,cpuacct=students/4000001 memory=daemons/worker-1000");

	cg_place_instantiate(m, m, "students/%u", "students/4000001");
	g = cg_model_find_group(m, "students/4000001");
	ck_assert_ptr_nonnull(g);
	ck_assert(!g->is_template);
	ck_assert_ptr_nonnull(cg_group_setting(g, "cpu.shares"));
	ck_assert_uint_eq(cg_group_setting(g, "cpu.shares")->value.u.num.v, 100);
	ck_assert_ptr_nonnull(cg_group_controller(g, "memory"));
	/* the template itself stays a template */
	ck_assert(cg_model_find_group(m, "students/%u")->is_template);
	cg_model_free(m);
}
END_TEST

START_TEST(test_instantiate_into_another_model)
{
	struct cg_model *m = model("  - { user: 4000001, controllers: [cpu], destination: a }\n");
	struct cg_model *mini = cg_model_new();

	cg_place_instantiate(mini, m, "students/%u", "students/zed");
	ck_assert_uint_eq(mini->ngroups, 2);
	ck_assert_str_eq(mini->groups[0].path, "students");
	ck_assert_uint_eq(cg_group_setting(&mini->groups[0], "cpu.shares")->value.u.num.v, 512);
	ck_assert_str_eq(mini->groups[1].path, "students/zed");
	ck_assert_uint_eq(cg_group_setting(&mini->groups[1], "cpu.shares")->value.u.num.v, 100);
	cg_model_free(mini);
	cg_model_free(m);
}
END_TEST

/* ---- validation ---- */

START_TEST(test_destination_validation)
{
	const struct cg_parse_opts o = { .ids_must_exist = false };
	static const char text[] =
		"version: 1\n"
		"groups:\n"
		"  a: { cpu: {} }\n"
		"  t/%u: { cpu: {} }\n"
		"rules:\n"
		"  - { user: \"*\", controllers: [cpu], destination: a }\n"
		"  - { user: \"*\", controllers: [cpu], destination: nothere }\n"
		"  - { user: \"*\", controllers: [cpu], destination: \"t/%g\" }\n"
		"  - { user: \"*\", controllers: [cpu], destination: \"t/%u\" }\n"
		"  - { user: \"*\", controllers: [cpu], destination: /, options: ignore }\n"
		"  - { user: \"*\", controllers: [cpu], destination: elsewhere, options: ignore }\n";
	struct cg_model *m = NULL;
	struct cg_diags d;
	char *t;

	cg_diags_init(&d);
	ck_assert_int_eq(cg_parse_buffer("v.yaml", text, strlen(text), &o, &m, &d), -1);
	ck_assert_uint_eq(d.errors, 2);
	t = tu_diags_text(&d);
	ck_assert_msg(
		strstr(t, "v.yaml:7:51: error: destination 'nothere' is not a configured group"),
		"%s", t);
	ck_assert_msg(
		strstr(t, "v.yaml:8:51: error: destination 't/%g' has % tokens but no template"),
		"%s", t);
	free(t);
	cg_diags_release(&d);
}
END_TEST

/* A named controller must be one the destination group has a directory for. */
START_TEST(test_destination_controllers)
{
	const struct cg_parse_opts o = { .ids_must_exist = false };
	char *conf = xasprintf("%s/r.conf", proc_root);
	char *text;
	struct cg_model *m = NULL;
	struct cg_diags d;
	char *t, *want;

	write_file(conf, "4000001 cpu,memory a\n4000001 * a\n", 33);
	text = xasprintf("version: 1\n"
			 "groups:\n"
			 "  a: { cpu: {} }\n"
			 "  p: { memory: {} }\n"
			 "  p/c: { cpu: {} }\n"
			 "  t/%%u: { cpu: {} }\n"
			 "  web: { cpu: {} }\n"
			 "rules:\n"
			 "  - { user: \"*\", controllers: [cpu, cpuacct], destination: a }\n"
			 "  - { user: \"*\", controllers: [cpu, memory], destination: a }\n"
			 "  - { user: \"*\", controllers: [cpu, memory], destination: p }\n"
			 "  - { user: \"*\", controllers: [memory], destination: \"t/%%u\" }\n"
			 "  - { user: \"*\", controllers: [cpu], destination: \"w\\\\eb\" }\n"
			 "  - { user: \"*\", controllers: \"*\", destination: a }\n"
			 "  - { include: %s }\n",
			 conf);
	cg_diags_init(&d);
	ck_assert_int_eq(cg_parse_buffer("c.yaml", text, strlen(text), &o, &m, &d), -1);
	t = tu_diags_text(&d);
	ck_assert_msg(d.errors == 3, "%s", t);
	ck_assert_msg(
		strstr(t,
		       "c.yaml:10:37: error: controller 'memory' is not in the destination group 'a' (it has no 'memory' block, so no directory there): add 'memory: {}' to group 'a', or drop 'memory' from the rule"),
		"%s", t);
	ck_assert_msg(
		strstr(t,
		       "c.yaml:12:32: error: controller 'memory' is not in the destination group 't/%u'"),
		"%s", t);
	want = xasprintf("%s:1:13: error: controller 'memory' is not in the destination group 'a'",
			 conf);
	ck_assert_msg(strstr(t, want), "%s", t);
	/* the escaped destination names web: no error about it */
	ck_assert_msg(!strstr(t, "w\\eb"), "%s", t);
	free(want);
	free(t);
	free(text);
	free(conf);
	cg_diags_release(&d);
}
END_TEST

static char *
scan_text(struct cg_model *m, long pid, bool instantiate, char **warnings)
{
	const struct cg_place_opts po = { .proc_root = proc_root, .instantiate = instantiate };
	const pid_t pids[] = { (pid_t)pid };
	struct cg_moves mv;
	struct cg_diags d;
	struct cg_error *e = NULL;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	cg_moves_init(&mv);
	cg_diags_init(&d);
	ck_assert_int_eq(cg_place_scan(m, &V1, pids, 1, &po, &mv, &d, &e), 0);
	for (i = 0; i < mv.n; i++)
		strbuf_addf(&sb, "%s%s=%s", i ? " " : "", mv.items[i].mount, mv.items[i].to);
	*warnings = tu_diags_text(&d);
	cg_diags_release(&d);
	cg_moves_release(&mv);
	return strbuf_detach(&sb);
}

/* `*` moves into the hierarchies where the destination group has a directory only. */
START_TEST(test_scan_star_where_the_group_is)
{
	struct cg_model *m = model(
		"  - { user: \"*\", process: /opt/t/one, controllers: \"*\", destination: students }\n"
		"  - { user: \"*\", process: /opt/t/two, controllers: \"*\", destination: \"students/%u\" }\n");
	char *got, *w;

	fake_proc(&(struct fake){ .pid = 1000,
				  .comm = "one",
				  .uid = 4000001,
				  .gid = 1,
				  .exe = "/opt/t/one",
				  .ppid = 1 });
	fake_proc(&(struct fake){ .pid = 1001,
				  .comm = "two",
				  .uid = 4000001,
				  .gid = 1,
				  .exe = "/opt/t/two",
				  .ppid = 1 });
	/*
	 * students has cpu, and memory through its template child: not cpuset (nor the v2
	 * tree, which holds no controller here); no warning for `*`
	 */
	got = scan_text(m, 1000, false, &w);
	ck_assert_str_eq(got, "cpu,cpuacct=students memory=students");
	ck_assert_str_eq(w, "");
	free(got);
	free(w);
	/* the template has cpu and memory; not instantiated, it is looked up as the template */
	got = scan_text(m, 1001, false, &w);
	ck_assert_str_eq(got, "cpu,cpuacct=students/4000001 memory=students/4000001");
	free(got);
	free(w);
	got = scan_text(m, 1001, true, &w);
	ck_assert_str_eq(got, "cpu,cpuacct=students/4000001 memory=students/4000001");
	free(got);
	free(w);
	cg_model_free(m);
}
END_TEST

/* A saved plan's moves: only for the process the plan saw. */
START_TEST(test_recheck_saved_moves)
{
	static const struct {
		long pid;
		unsigned uid;
		const char *exe, *from, *to;
	} in[] = {
		{ 1000, 4000001, "/opt/t/a", "", "a" },		 /* the same: kept */
		{ 1001, 4000001, "/opt/t/other", "", "a" },	 /* another exe: gone */
		{ 1002, 4000002, "/opt/t/a", "", "a" },		 /* another uid: gone */
		{ 1003, 4000001, "/opt/t/a", "", "a" },		 /* exited: gone */
		{ 1004, 4000001, "/opt/t/a", "", "" },		 /* already there: dropped */
		{ 1005, 4000001, "/opt/t/a", "elsewhere", "a" }, /* moved since: from updated */
	};
	static const char *const want[] = { "1000 planned  a", "1001 gone  a", "1002 gone  a",
					    "1003 gone  a", "1005 planned  a" };
	struct cg_moves mv;
	size_t i;
	long pid;

	for (pid = 1000; pid <= 1005; pid++)
		if (pid != 1003)
			fake_proc(&(struct fake){ .pid = pid,
						  .comm = "a",
						  .uid = 4000001,
						  .gid = 1,
						  .exe = "/opt/t/a",
						  .ppid = 1,
						  .cgroup = "3:memory:/\n" });
	cg_moves_init(&mv);
	mv.items = xcalloc(6, sizeof(*mv.items));
	mv.n = mv.alloc = 6;
	for (i = 0; i < 6; i++) {
		struct cg_move *m = &mv.items[i];

		*m = (struct cg_move){ .pid = (pid_t)in[i].pid,
				       .start = 4242,
				       .uid = in[i].uid,
				       .status = CG_MOVE_PLANNED };
		m->exe = xstrdup(in[i].exe);
		m->mount = xstrdup("memory");
		m->from = xstrdup(in[i].from);
		m->to = xstrdup(in[i].to);
		m->group = xstrdup("");
	}
	cg_place_recheck(proc_root, &V1, &mv);
	ck_assert_uint_eq(mv.n, 5);
	for (i = 0; i < mv.n; i++) {
		char *got = xasprintf("%ld %s %s %s", (long)mv.items[i].pid,
				      mv.items[i].status == CG_MOVE_PLANNED ? "planned" : "gone",
				      mv.items[i].from, mv.items[i].to);

		ck_assert_str_eq(got, want[i]);
		free(got);
	}
	cg_moves_release(&mv);
}
END_TEST

/* Moves into a cgroup systemd owns are refused, as steps writing there are. */
START_TEST(test_moves_into_systemd_cgroups)
{
	static const char *const to[] = { "sb/web", "sb/x.service", "sb/x.service", "sb/y.scope" };
	struct cg_error *e = NULL;
	struct cg_fs *fs = cg_fs_open(proc_root, &e);
	struct cg_moves mv;
	size_t i;

	ck_assert_ptr_nonnull(fs);
	cg_moves_init(&mv);
	mv.items = xcalloc(4, sizeof(*mv.items));
	mv.n = mv.alloc = 4;
	for (i = 0; i < 4; i++) {
		struct cg_move *m = &mv.items[i];

		*m = (struct cg_move){ .pid = (pid_t)(1000 + i), .status = CG_MOVE_PLANNED };
		m->exe = xstrdup("/x");
		m->mount = xstrdup(i == 2 ? "memory" : "cpu,cpuacct");
		m->from = xstrdup("");
		m->to = xstrdup(to[i]);
		m->group = xstrdup("");
	}
	mv.n = 1;
	ck_assert_int_eq(cg_place_check_systemd(fs, &V1, &mv, &e), 0);
	mv.n = 4;
	ck_assert_int_eq(cg_place_check_systemd(fs, &V1, &mv, &e), -1);
	ck_assert_int_eq(e->kind, CG_E_PRECOND);
	ck_assert_str_eq(
		e->msg,
		"refusing to move processes into 'cpu,cpuacct/sb/x.service' (and 2 more directories): the cgroup 'cpu,cpuacct/sb/x.service' belongs to systemd, which runs as PID 1 and has not delegated it");
	cg_error_free(e);
	/* a move already made (or gone) is not checked */
	for (i = 1; i < 4; i++)
		mv.items[i].status = CG_MOVE_GONE;
	e = NULL;
	ck_assert_int_eq(cg_place_check_systemd(fs, &V1, &mv, &e), 0);
	cg_moves_release(&mv);
	cg_fs_free(fs);
}
END_TEST

/* ---- the record ---- */

START_TEST(test_moves_roundtrip)
{
	struct cg_moves mv, back;
	struct cg_move *m;
	struct cg_error *e = NULL;
	struct strbuf sb = STRBUF_INIT, again = STRBUF_INIT;

	cg_moves_init(&mv);
	mv.items = xcalloc(2, sizeof(*mv.items));
	mv.n = mv.alloc = 2;
	m = &mv.items[0];
	*m = (struct cg_move){ .pid = 42, .start = 99, .uid = 4000001, .status = CG_MOVE_DONE };
	m->exe = xstrdup("/opt/a b/exe");
	m->mount = xstrdup("cpu,cpuacct");
	m->from = xstrdup("");
	m->to = xstrdup("sb/a b");
	m->group = xstrdup("a b");
	m = &mv.items[1];
	*m = (struct cg_move){ .pid = 43, .status = CG_MOVE_GONE };
	m->exe = xstrdup("/x");
	m->mount = xstrdup("");
	m->from = xstrdup("x");
	m->to = xstrdup("y");
	m->group = xstrdup("y");
	cg_moves_serialize(&mv, &sb);
	ck_assert_str_eq(sb.buf,
			 "moves 1\nmove 42 99 4000001 cpu,cpuacct\t\tsb/a b\t/opt/a b/exe\nend\n");
	ck_assert_int_eq(cg_moves_parse(sb.buf, sb.len, &back, &e), 0);
	ck_assert_uint_eq(back.n, 1);
	cg_moves_serialize(&back, &again);
	ck_assert_str_eq(again.buf, sb.buf);
	ck_assert_int_eq(cg_moves_parse("moves 1\nmove x\nend\n", 19, &back, &e), -1);
	cg_error_free(e);
	strbuf_release(&sb);
	strbuf_release(&again);
	cg_moves_release(&back);
	cg_moves_release(&mv);
}
END_TEST

static Suite *
match_suite(void)
{
	Suite *s = suite_create("match");
	TCase *tc;

	tc = tcase_create("users");
	tcase_add_checked_fixture(tc, proc_setup, proc_teardown);
	tcase_add_test(tc, test_user_uid);
	tcase_add_test(tc, test_group_primary_and_supplementary);
	suite_add_tcase(s, tc);
	tc = tcase_create("processes");
	tcase_add_checked_fixture(tc, proc_setup, proc_teardown);
	tcase_add_test(tc, test_process_forms);
	tcase_add_test(tc, test_script_path);
	tcase_add_test(tc, test_kernel_threads_and_gone);
	suite_add_tcase(s, tc);
	tc = tcase_create("order");
	tcase_add_checked_fixture(tc, proc_setup, proc_teardown);
	tcase_add_test(tc, test_first_match_per_hierarchy);
	tcase_add_test(tc, test_ditto_lines);
	tcase_add_test(tc, test_ignore_v1_and_v2);
	tcase_add_test(tc, test_ignore_rt);
	suite_add_tcase(s, tc);
	tc = tcase_create("templates");
	tcase_add_checked_fixture(tc, proc_setup, proc_teardown);
	tcase_add_test(tc, test_template_expansion);
	tcase_add_test(tc, test_instantiate_into_another_model);
	suite_add_tcase(s, tc);
	tc = tcase_create("validation");
	tcase_add_test(tc, test_destination_validation);
	tcase_add_checked_fixture(tc, proc_setup, proc_teardown);
	tcase_add_test(tc, test_destination_controllers);
	tcase_add_test(tc, test_scan_star_where_the_group_is);
	tcase_add_test(tc, test_recheck_saved_moves);
	tcase_add_test(tc, test_moves_into_systemd_cgroups);
	tcase_add_test(tc, test_moves_roundtrip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(match_suite());
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apply/affinity: pinned tasks against a plan's cpuset.cpus writes, on a temp tree and a
 * fake proc root. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/affinity.h"
#include "apply/fs.h"
#include "apply/hierarchy.h"
#include "apply/plan.h"
#include "apply/state.h"
#include "lib/xalloc.h"
#include "parser/cpuset.h"
#include "parser/diag.h"
#include "parser/value.h"
#include "tests/lib/testutil.h"

static char tmpl[64];
static char *cgroot, *procroot;
static char cpuset_name[] = "cpuset", no_mount[] = "";
static char *controllers[] = { cpuset_name };
static struct cg_hier v1_cpuset = { CG_V1, cpuset_name, controllers, 1 };

static void
setup(void)
{
	snprintf(tmpl, sizeof(tmpl), "/tmp/cgapply-affinity.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	cgroot = xasprintf("%s/cg", tmpl);
	procroot = xasprintf("%s/proc", tmpl);
	ck_assert_int_eq(mkdir(cgroot, 0755), 0);
	ck_assert_int_eq(mkdir(procroot, 0755), 0);
}

static void
teardown(void)
{
	tu_rm_rf(tmpl);
	free(cgroot);
	free(procroot);
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* A cgroup directory cpuset/G with the given tasks file. */
static void
fake_group(const char *group, const char *tasks)
{
	char *dir = xasprintf("%s/cpuset", cgroot), *path;

	mkdir(dir, 0755);
	free(dir);
	dir = xasprintf("%s/cpuset/%s", cgroot, group);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	path = xasprintf("%s/tasks", dir);
	write_text(path, tasks);
	free(path);
	free(dir);
}

/* PROC/TID/status with Cpus_allowed_list: cpus */
static void
fake_task(long tid, const char *cpus)
{
	char *dir = xasprintf("%s/%ld", procroot, tid), *path, *text;

	ck_assert_int_eq(mkdir(dir, 0755), 0);
	path = xasprintf("%s/status", dir);
	text = xasprintf("Name:\tsleep\nCpus_allowed:\t3\nCpus_allowed_list:\t%s\n"
			 "Mems_allowed_list:\t0\n",
			 cpus);
	write_text(path, text);
	free(text);
	free(path);
	free(dir);
}

/* The live state: cpuset/G holding tasks, with cpuset.cpus = cpus. */
static void
state_with(struct cg_state *st, const char *group, const char *cpus, bool populated)
{
	char *fspath = xasprintf("cpuset/%s", group);
	struct cg_state_dir *d;
	struct cg_value v;

	cg_state_init(st);
	d = cg_state_add_dir(st, fspath);
	d->hier = &v1_cpuset;
	d->exists = true;
	d->populated = populated;
	memset(&v, 0, sizeof(v));
	v.type = CG_VT_CPULIST;
	ck_assert_int_eq(cg_cpuset_parse(cpus, CG_CPUSET_MAX_ID, &v.u.cpus), 0);
	cg_state_set(d, "cpuset.cpus", NULL, &v);
	cg_value_release(&v);
	free(fspath);
}

static void
add_write(struct plan *p, const char *dir, const char *file, const char *text)
{
	struct plan_step *s;

	p->steps = xgrow(p->steps, sizeof(*p->steps), p->n + 1, &p->alloc);
	s = &p->steps[p->n++];
	memset(s, 0, sizeof(*s));
	s->op = PLAN_OP_WRITE;
	s->dir = xstrdup(dir);
	s->file = xstrdup(file);
	s->hier = xstrdup("cpuset");
	s->new_text = xstrdup(text);
}

/* The warnings of cg_affinity_check, one a line. */
static char *
run_check(const struct cg_state *st, const struct plan *p)
{
	struct cg_error *err = NULL;
	struct cg_fs *fs = cg_fs_open(cgroot, &err);
	struct cg_diags d;
	char *text;

	ck_assert_ptr_nonnull(fs);
	cg_diags_init(&d);
	cg_affinity_check(fs, procroot, st, p, &d);
	text = tu_diags_text(&d);
	cg_diags_release(&d);
	cg_fs_free(fs);
	return text;
}

START_TEST(pinned_task_named)
{
	struct cg_state st;
	struct plan p;
	char *w;

	/* 10 pinned to 3, 11 to 2-3, 12 not pinned, 13 exited (no proc entry) */
	fake_group("g", "10\n11\n12\n13\n");
	fake_task(10, "3");
	fake_task(11, "2-3");
	fake_task(12, "0-3");
	state_with(&st, "g", "0-3", true);
	plan_init(&p);
	add_write(&p, "cpuset/g", "cpuset.cpus", "0-2");
	w = run_check(&st, &p);
	ck_assert_msg(strstr(w, "'cpuset.cpus' of 'cpuset/g' takes CPUs from 2 tasks pinned to "
				"them (10 on 3, 11 on 2-3)") != NULL,
		      "got: %s", w);
	ck_assert_msg(strstr(w, "12 on") == NULL && strstr(w, "13 on") == NULL, "got: %s", w);
	free(w);
	plan_release(&p);
	cg_state_release(&st);
}
END_TEST

START_TEST(no_warning_when_pins_kept)
{
	struct cg_state st;
	struct plan p;
	char *w;

	/* widening, and a narrowing that keeps every pinned cpu */
	fake_group("g", "10\n");
	fake_task(10, "1");
	state_with(&st, "g", "0-1", true);
	plan_init(&p);
	add_write(&p, "cpuset/g", "cpuset.cpus", "0-3");
	add_write(&p, "cpuset/g", "cpuset.cpus", "1-2");
	add_write(&p, "cpuset/g", "cpuset.mems", "0");
	w = run_check(&st, &p);
	ck_assert_str_eq(w, "");
	free(w);
	plan_release(&p);
	cg_state_release(&st);
}
END_TEST

START_TEST(transitional_steps_followed)
{
	struct cg_state st;
	struct plan p;
	char *w;

	/* on the way through 0-3 to 0: the last write takes cpu 1 from task 10 */
	fake_group("g", "10\n");
	fake_task(10, "1");
	state_with(&st, "g", "0-1", true);
	plan_init(&p);
	add_write(&p, "cpuset/g", "cpuset.cpus", "0-3");
	add_write(&p, "cpuset/g", "cpuset.cpus", "0");
	w = run_check(&st, &p);
	ck_assert_msg(strstr(w, "takes CPUs from 1 task pinned to them (10 on 1)") != NULL,
		      "got: %s", w);
	free(w);
	plan_release(&p);
	cg_state_release(&st);
}
END_TEST

START_TEST(empty_or_v2_groups_skipped)
{
	struct cg_state st;
	struct plan p;
	struct cg_hier v2 = { CG_V2, no_mount, controllers, 1 };
	char *w;

	/* a group that holds no tasks is not read at all (its tasks file lists a stale pid) */
	fake_group("g", "10\n");
	fake_task(10, "1");
	state_with(&st, "g", "0-1", false);
	plan_init(&p);
	add_write(&p, "cpuset/g", "cpuset.cpus", "0");
	w = run_check(&st, &p);
	ck_assert_str_eq(w, "");
	free(w);
	/* nor is a v2 directory */
	st.dirs[0].populated = true;
	st.dirs[0].hier = &v2;
	w = run_check(&st, &p);
	ck_assert_str_eq(w, "");
	free(w);
	plan_release(&p);
	cg_state_release(&st);
}
END_TEST

static Suite *
affinity_suite(void)
{
	Suite *s = suite_create("affinity");
	TCase *t = tcase_create("pinned");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, pinned_task_named);
	tcase_add_test(t, no_warning_when_pins_kept);
	tcase_add_test(t, transitional_steps_followed);
	tcase_add_test(t, empty_or_v2_groups_skipped);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return tu_run_suite(affinity_suite());
}

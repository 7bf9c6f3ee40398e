/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Coexistence with systemd (apply/systemd.c): which directories belong to systemd, how
 * the delegate marks (trusted.delegate, user.delegate, here or in systemd's own v2
 * tree) hand a subtree over, and the refusal of a plan that writes in systemd's cgroups,
 * with and without a --parent. A temp directory stands for the cgroup root; the real
 * hierarchy is never touched.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "apply/fs.h"
#include "apply/hierarchy.h"
#include "apply/plan.h"
#include "apply/systemd.h"
#include "lib/xalloc.h"
#include "tests/lib/testutil.h"

static char treedir[64];
static struct cg_fs *fs;
static struct cg_hier hiers[2];
static struct cg_hosttree hosts;
static bool have_trusted; /* trusted.* xattrs need CAP_SYS_ADMIN */

static void
mk(const char *rel)
{
	char *cmd = xasprintf("mkdir -p '%s/%s'", treedir, rel);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static bool
mark(const char *rel, const char *name, const char *value)
{
	char *p = xasprintf("%s/%s", treedir, rel);
	int r = setxattr(p, name, value, strlen(value), 0);

	free(p);
	return r == 0;
}

static void
setup(void)
{
	struct cg_error *e = NULL;

	strcpy(treedir, "/tmp/cgapply-sd-tree.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(treedir));
	mk("memory/mine");
	mk("memory/system.slice/plain.service");
	mk("memory/system.slice/del.service/app.slice");
	mk("memory/system.slice/udel.service");
	mk("memory/system.slice/zero.service");
	mk("memory/system.slice/del2.service");
	mk("memory/user.slice");
	mk("memory/init.scope");
	mk("memory/machine.slice");
	mk("unified/system.slice/del2.service");
	have_trusted = mark("memory/system.slice/del.service", "trusted.delegate", "1");
	if (!have_trusted) /* not root: the user. mark stands in */
		ck_assert(mark("memory/system.slice/del.service", "user.delegate", "1"));
	ck_assert(mark("memory/system.slice/udel.service", "user.delegate", "1"));
	ck_assert(mark("memory/system.slice/zero.service", "user.delegate", "0"));
	ck_assert(mark("unified/system.slice/del2.service", "user.delegate", "1"));
	fs = cg_fs_open(treedir, &e);
	ck_assert_ptr_nonnull(fs);
	hiers[0] = (struct cg_hier){ .version = CG_V1, .mount = (char *)"memory" };
	hiers[1] = (struct cg_hier){ .version = CG_V2, .mount = (char *)"unified" };
	hosts.hiers = hiers;
	hosts.n = 2;
}

static void
teardown(void)
{
	cg_fs_free(fs);
	fs = NULL;
	ck_assert_int_eq(tu_rm_rf(treedir), 0);
}

static const struct {
	const char *hier, *dir, *file;
	const char *owner; /* NULL: we may write */
} owner_cases[] = {
	{ "memory", "memory/mine", NULL, NULL },
	{ "memory", "memory/mine/a/b", "memory.limit_in_bytes", NULL },
	{ "memory", "memory/system.slice", NULL, "memory/system.slice" },
	{ "memory", "memory/system.slice/web", NULL, "memory/system.slice" },
	{ "memory", "memory/user.slice/u", NULL, "memory/user.slice" },
	{ "memory", "memory/init.scope", "tasks", "memory/init.scope" },
	{ "memory", "memory/machine.slice/vm", NULL, "memory/machine.slice" },
	{ "memory", "memory/system.slice/plain.service/sub", NULL,
	  "memory/system.slice/plain.service" },
	/* not there yet: not delegated either */
	{ "memory", "memory/system.slice/new.service/sub", NULL,
	  "memory/system.slice/new.service" },
	/* delegated: the inside is ours, the cgroup itself is not, but its subtree_control */
	{ "memory", "memory/system.slice/del.service/sub", NULL, NULL },
	{ "memory", "memory/system.slice/del.service/sub/deeper", "memory.limit_in_bytes", NULL },
	{ "memory", "memory/system.slice/del.service", "memory.limit_in_bytes",
	  "memory/system.slice/del.service" },
	{ "memory", "memory/system.slice/del.service", "cgroup.subtree_control", NULL },
	{ "memory", "memory/system.slice/del.service", NULL, "memory/system.slice/del.service" },
	/* a nested manager's slice inside a delegated cgroup is that manager's */
	{ "memory", "memory/system.slice/del.service/app.slice/x", NULL,
	  "memory/system.slice/del.service/app.slice" },
	{ "memory", "memory/system.slice/udel.service/sub", NULL, NULL },
	{ "memory", "memory/system.slice/zero.service/sub", NULL,
	  "memory/system.slice/zero.service" },
	/* marked in systemd's own tree only (hybrid) */
	{ "memory", "memory/system.slice/del2.service/sub", NULL, NULL },
	{ "unified", "unified/system.slice/del2.service/sub", NULL, NULL },
	{ "unified", "unified/user.slice", NULL, "unified/user.slice" },
	/* names that only look alike */
	{ "memory", "memory/slice/service", NULL, NULL },
	{ "memory", "memory/my.slices/x", NULL, NULL },
	{ "memory", "memory/.service", NULL, NULL },
};

START_TEST(test_owner)
{
	struct cg_error *e = NULL;
	char *owner = (char *)"unset";

	ck_assert_int_eq(cg_systemd_owner(fs, &hosts, owner_cases[_i].hier, owner_cases[_i].dir,
					  owner_cases[_i].file, &owner, &e),
			 0);
	if (owner_cases[_i].owner)
		ck_assert_msg(owner && strcmp(owner, owner_cases[_i].owner) == 0,
			      "%s: owner '%s', expected '%s'", owner_cases[_i].dir,
			      owner ? owner : "(none)", owner_cases[_i].owner);
	else
		ck_assert_msg(!owner, "%s: owner '%s', expected none", owner_cases[_i].dir, owner);
	free(owner);
}
END_TEST

START_TEST(test_pure_v2)
{
	struct cg_hier v2 = { .version = CG_V2, .mount = (char *)"" };
	struct cg_hosttree h = { .hiers = &v2, .n = 1 };
	struct cg_error *e = NULL;
	char *owner = NULL;

	ck_assert_int_eq(cg_systemd_owner(fs, &h, "", "system.slice/x", NULL, &owner, &e), 0);
	ck_assert_str_eq(owner, "system.slice");
	free(owner);
	ck_assert_int_eq(cg_systemd_owner(fs, &h, "", "mine/x", NULL, &owner, &e), 0);
	ck_assert_ptr_null(owner);
}
END_TEST

START_TEST(test_trusted_mark)
{
	struct cg_error *e = NULL;
	char *owner = NULL;

	if (!have_trusted)
		return; /* covered by user.delegate above; trusted.* needs root */
	ck_assert(mark("memory/system.slice/plain.service", "trusted.delegate", "1"));
	ck_assert_int_eq(cg_systemd_owner(fs, &hosts, "memory",
					  "memory/system.slice/plain.service/sub", NULL, &owner,
					  &e),
			 0);
	ck_assert_ptr_null(owner);
}
END_TEST

static void
add_step(struct plan *p, enum plan_op op, const char *dir, const char *file)
{
	struct plan_step *s;

	p->steps = xgrow(p->steps, sizeof(*p->steps), p->n + 1, &p->alloc);
	s = &p->steps[p->n++];
	memset(s, 0, sizeof(*s));
	s->op = op;
	s->dir = xstrdup(dir);
	s->file = file ? xstrdup(file) : NULL;
	s->hier = xstrdup("memory");
	s->new_text = op == PLAN_OP_WRITE ? xstrdup("1") : NULL;
}

START_TEST(test_plan_refused)
{
	struct plan p;
	struct cg_error *e = NULL;

	plan_init(&p);
	/* no --parent: groups at the top, one of them named like systemd's */
	add_step(&p, PLAN_OP_MKDIR, "memory/mine/a", NULL);
	add_step(&p, PLAN_OP_MKDIR, "memory/system.slice/b", NULL);
	add_step(&p, PLAN_OP_WRITE, "memory/system.slice/b", "memory.limit_in_bytes");
	add_step(&p, PLAN_OP_MKDIR, "memory/user.slice/c", NULL);
	ck_assert_int_eq(cg_systemd_check_plan(fs, &hosts, &p, &e), -1);
	ck_assert_int_eq(e->kind, CG_E_PRECOND);
	ck_assert_str_eq(
		e->msg,
		"refusing to write in 'memory/system.slice/b' (and 1 more directory): the cgroup 'memory/system.slice' belongs to systemd, which runs as PID 1 and has not delegated it");
	cg_error_free(e);
	plan_release(&p);
}
END_TEST

START_TEST(test_plan_parent)
{
	struct plan p;
	struct cg_error *e = NULL;

	/* --parent system.slice/del.service: everything below the delegated cgroup */
	plan_init(&p);
	add_step(&p, PLAN_OP_MKDIR, "memory/system.slice/del.service/web", NULL);
	add_step(&p, PLAN_OP_WRITE, "memory/system.slice/del.service/web", "memory.limit_in_bytes");
	add_step(&p, PLAN_OP_CHOWN, "memory/system.slice/del.service/web", "tasks");
	ck_assert_int_eq(cg_systemd_check_plan(fs, &hosts, &p, &e), 0);
	plan_release(&p);

	/* --parent system.slice/plain.service: not delegated */
	plan_init(&p);
	add_step(&p, PLAN_OP_MKDIR, "memory/system.slice/plain.service/web", NULL);
	ck_assert_int_eq(cg_systemd_check_plan(fs, &hosts, &p, &e), -1);
	ck_assert_str_eq(
		e->msg,
		"refusing to write in 'memory/system.slice/plain.service/web': the cgroup 'memory/system.slice/plain.service' belongs to systemd, which runs as PID 1 and has not delegated it");
	cg_error_free(e);
	plan_release(&p);

	/* an empty plan writes nothing */
	plan_init(&p);
	ck_assert_int_eq(cg_systemd_check_plan(fs, &hosts, &p, &e), 0);
}
END_TEST

START_TEST(test_booted)
{
	ck_assert(!cg_systemd_booted("/nonexistent/cgapply/run/systemd/system"));
	ck_assert(cg_systemd_booted(treedir));
}
END_TEST

static Suite *
systemd_suite(void)
{
	Suite *s = suite_create("systemd");
	TCase *tc = tcase_create("owner");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_owner, 0, sizeof(owner_cases) / sizeof(owner_cases[0]));
	tcase_add_test(tc, test_pure_v2);
	tcase_add_test(tc, test_trusted_mark);
	suite_add_tcase(s, tc);
	tc = tcase_create("plan");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_plan_refused);
	tcase_add_test(tc, test_plan_parent);
	tcase_add_test(tc, test_booted);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(systemd_suite());
}

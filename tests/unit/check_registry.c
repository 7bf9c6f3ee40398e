/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The registry of created groups: what a successful run records and forgets, and which
 * recorded groups --prune plans to remove (only below the --parent directory, never a
 * group holding one cgapply did not create). Temp directories only.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/fs.h"
#include "apply/hierarchy.h"
#include "apply/registry.h"
#include "apply/state.h"
#include "lib/xalloc.h"
#include "tests/lib/testutil.h"

static char statedir[64], treedir[64];

static void
setup(void)
{
	strcpy(statedir, "/tmp/cgapply-reg-state.XXXXXX");
	strcpy(treedir, "/tmp/cgapply-reg-tree.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(statedir));
	ck_assert_ptr_nonnull(mkdtemp(treedir));
}

static void
teardown(void)
{
	ck_assert_int_eq(tu_rm_rf(statedir), 0);
	ck_assert_int_eq(tu_rm_rf(treedir), 0);
}

static void
add(struct cg_state *s, const char *fspath, bool exists)
{
	cg_state_add_dir(s, fspath)->exists = exists;
}

static char *
registry_text(void)
{
	char **paths = NULL;
	size_t n = 0, i;
	struct cg_error *e = NULL;
	char *out = xstrdup("");

	ck_assert_int_eq(cg_registry_read(statedir, &paths, &n, &e), 0);
	for (i = 0; i < n; i++) {
		char *t = xasprintf("%s%s;", out, paths[i]);

		free(out);
		out = t;
	}
	cg_registry_free(paths, n);
	return out;
}

START_TEST(test_update_records_and_forgets)
{
	struct cg_state from, to;
	struct cg_error *e = NULL;
	char *text;

	text = registry_text();
	ck_assert_str_eq(text, "");
	free(text);

	cg_state_init(&from);
	cg_state_init(&to);
	add(&from, "cpu/p", true); /* existed before: never recorded */
	add(&from, "cpu/p/a", false);
	add(&from, "cpu/p/a/b", false);
	add(&to, "cpu/p", true);
	add(&to, "cpu/p/a", true);
	add(&to, "cpu/p/a/b", true);
	ck_assert_int_eq(cg_registry_update(statedir, &from, &to, &e), 0);
	text = registry_text();
	ck_assert_str_eq(text, "cpu/p/a;cpu/p/a/b;");
	free(text);

	/* a later run removes b and creates c */
	cg_state_release(&from);
	cg_state_release(&to);
	cg_state_init(&from);
	cg_state_init(&to);
	add(&from, "cpu/p/a/b", true);
	add(&from, "cpu/p/c", false);
	add(&to, "cpu/p/a/b", false);
	add(&to, "cpu/p/c", true);
	ck_assert_int_eq(cg_registry_update(statedir, &from, &to, &e), 0);
	text = registry_text();
	ck_assert_str_eq(text, "cpu/p/a;cpu/p/c;");
	free(text);
	cg_state_release(&from);
	cg_state_release(&to);
}
END_TEST

/* mkdir -p, with an empty tasks file at every level, as in a v1 hierarchy */
static void
mkdirs(const char *rel)
{
	char *path = xstrdup(rel), *slash = path;

	do {
		char *cmd;

		slash = strchr(slash + 1, '/');
		if (slash)
			*slash = '\0';
		cmd = xasprintf("mkdir -p '%s/%s' && : > '%s/%s/tasks'", treedir, path, treedir,
				path);
		ck_assert_int_eq(system(cmd), 0);
		free(cmd);
		if (slash)
			*slash = '/';
	} while (slash);
	free(path);
}

static void
record(const char *const *paths)
{
	struct cg_state from, to;
	struct cg_error *e = NULL;

	cg_state_init(&from);
	cg_state_init(&to);
	for (; *paths; paths++) {
		add(&from, *paths, false);
		add(&to, *paths, true);
	}
	ck_assert_int_eq(cg_registry_update(statedir, &from, &to, &e), 0);
	cg_state_release(&from);
	cg_state_release(&to);
}

START_TEST(test_prune_below_parent_only)
{
	static const char *const created[] = { "cpu/p/x", "cpu/p/x/y", "cpu/p/keep", "cpu/q/z",
					       NULL };
	struct cg_hier h = { .version = CG_V1, .mount = (char *)"cpu" };
	struct cg_hosttree hosts = { .hiers = &h, .n = 1 };
	struct cg_state cur, target;
	struct cg_error *e = NULL;
	struct cg_diags d;
	struct cg_fs *fs;

	mkdirs("cpu/p/x/y");
	mkdirs("cpu/p/keep");
	mkdirs("cpu/q/z");
	record(created);
	fs = cg_fs_open(treedir, &e);
	ck_assert_ptr_nonnull(fs);
	cg_state_init(&cur);
	cg_state_init(&target);
	cg_diags_init(&d);
	add(&cur, "cpu/p/keep", true);
	add(&target, "cpu/p/keep", true);
	ck_assert_int_eq(cg_registry_prune(fs, statedir, &hosts, "p", &cur, &target, &d, &e), 0);
	ck_assert_uint_eq(d.errors, 0);
	ck_assert(cg_state_find(&cur, "cpu/p/x")->exists);
	ck_assert(!cg_state_find(&cur, "cpu/p/x")->populated);
	ck_assert(!cg_state_find(&target, "cpu/p/x")->exists);
	ck_assert(!cg_state_find(&target, "cpu/p/x/y")->exists);
	ck_assert_str_eq(cg_state_find(&target, "cpu/p/x/y")->group, "x/y");
	ck_assert(cg_state_find(&target, "cpu/p/keep")->exists);
	ck_assert_ptr_null(cg_state_find(&target, "cpu/q/z"));
	cg_state_release(&cur);
	cg_state_release(&target);
	cg_diags_release(&d);
	cg_fs_free(fs);
}
END_TEST

START_TEST(test_prune_refuses_foreign_child)
{
	static const char *const created[] = { "cpu/p/x", NULL };
	struct cg_hier h = { .version = CG_V1, .mount = (char *)"cpu" };
	struct cg_hosttree hosts = { .hiers = &h, .n = 1 };
	struct cg_state cur, target;
	struct cg_error *e = NULL;
	struct cg_diags d;
	struct cg_fs *fs;
	char *text;

	mkdirs("cpu/p/x/by-hand");
	record(created);
	fs = cg_fs_open(treedir, &e);
	cg_state_init(&cur);
	cg_state_init(&target);
	cg_diags_init(&d);
	ck_assert_int_eq(cg_registry_prune(fs, statedir, &hosts, "p", &cur, &target, &d, &e), 0);
	ck_assert_uint_eq(d.errors, 1);
	text = tu_first_diag(&d);
	ck_assert_str_eq(
		text,
		"0:0: cannot prune 'cpu/p/x': it holds 'by-hand', which cgapply did not create; remove or move that group first");
	free(text);
	cg_state_release(&cur);
	cg_state_release(&target);
	cg_diags_release(&d);
	cg_fs_free(fs);
}
END_TEST

static Suite *
registry_suite(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("registry");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_update_records_and_forgets);
	tcase_add_test(tc, test_prune_below_parent_only);
	tcase_add_test(tc, test_prune_refuses_foreign_child);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(registry_suite());
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Golden tests of the whole parser. Each tests/golden/bad/NAME.yaml must be refused with
 * exactly the diagnostics in NAME.err; each tests/golden/good/NAME.yaml must be accepted,
 * give the model dump in NAME.model and exactly the warnings in NAME.err (empty if none).
 * A case whose name starts with "strict-" is parsed as plan and apply do (unknown users
 * are errors). CG_GOLDEN_UPDATE=1 rewrites the expected files instead of comparing.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "parser/parse.h"
#include "tests/lib/testutil.h"

static char **bad_names, **good_names;
static size_t nbad, ngood;

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "cannot write '%s'", path);
	fputs(text, f);
	fclose(f);
}

static char *
expected_path(const char *dir, const char *name, const char *ext)
{
	return xasprintf("%s/%.*s%s", dir, (int)(strlen(name) - 5), name, ext);
}

static void
compare_or_update(const char *path, const char *got)
{
	char *want;

	if (getenv("CG_GOLDEN_UPDATE")) {
		write_file(path, got);
		return;
	}
	want = tu_read_file(path, NULL);
	ck_assert_msg(strcmp(got, want) == 0, "%s differs.\n--- expected:\n%s--- got:\n%s", path,
		      want, got);
	free(want);
}

static int
parse_case(const char *dir, const char *name, struct cg_model **m, struct cg_diags *d)
{
	struct cg_parse_opts o = { .ids_must_exist = strncmp(name, "strict-", 7) == 0 };
	char *path = xasprintf("%s/%s", dir, name);
	const char *paths[] = { path };
	int r;

	ck_assert_int_eq(chdir(TEST_SRCDIR), 0);
	cg_diags_init(d);
	r = cg_parse_paths(paths, 1, &o, m, d);
	free(path);
	return r;
}

START_TEST(test_bad)
{
	const char *dir = "tests/golden/bad";
	struct cg_model *m = NULL;
	struct cg_diags d;
	char *got, *err;

	if (parse_case(dir, bad_names[_i], &m, &d) != -1 || d.errors == 0) {
		/* name the case: the loop index alone does not say which file was accepted */
		got = tu_diags_text(&d);
		ck_abort_msg("%s/%s was accepted, expected errors; diagnostics:\n%s", dir,
			     bad_names[_i], got);
	}
	got = tu_diags_text(&d);
	err = expected_path(dir, bad_names[_i], ".err");
	compare_or_update(err, got);
	free(err);
	free(got);
	cg_diags_release(&d);
}
END_TEST

START_TEST(test_good)
{
	const char *dir = "tests/golden/good";
	struct cg_model *m = NULL;
	struct cg_diags d;
	char *got, *path;

	if (parse_case(dir, good_names[_i], &m, &d) != 0) {
		got = tu_diags_text(&d);
		ck_abort_msg("%s/%s was refused:\n%s", dir, good_names[_i], got);
	}
	got = tu_model_dump(m);
	path = expected_path(dir, good_names[_i], ".model");
	compare_or_update(path, got);
	free(path);
	free(got);
	got = tu_diags_text(&d);
	path = expected_path(dir, good_names[_i], ".err");
	compare_or_update(path, got);
	free(path);
	free(got);
	cg_model_free(m);
	cg_diags_release(&d);
}
END_TEST

static Suite *
golden_suite(void)
{
	Suite *s = suite_create("golden");
	TCase *bad = tcase_create("bad");
	TCase *good = tcase_create("good");
	char *dir;

	dir = tu_srcpath("tests/golden/bad");
	bad_names = tu_list_dir(dir, ".yaml", &nbad);
	free(dir);
	dir = tu_srcpath("tests/golden/good");
	good_names = tu_list_dir(dir, ".yaml", &ngood);
	free(dir);
	tcase_add_loop_test(bad, test_bad, 0, (int)nbad);
	tcase_add_loop_test(good, test_good, 0, (int)ngood);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, good);
	return s;
}

int
main(void)
{
	int r = tu_run_suite(golden_suite());
	size_t i;

	if (nbad == 0 || ngood == 0) {
		fprintf(stderr, "no golden cases found under %s/tests/golden\n", TEST_SRCDIR);
		r = 1;
	}
	for (i = 0; i < nbad; i++)
		free(bad_names[i]);
	for (i = 0; i < ngood; i++)
		free(good_names[i]);
	free(bad_names);
	free(good_names);
	return r;
}

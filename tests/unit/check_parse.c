/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Several files merged into one configuration (parser/parse.c): what is defined twice
 * is an error naming both places, a directory stands for its *.yaml and *.yml files in
 * byte order of their names, and a directory without one is an error.
 * Each case writes its files into a fresh temp directory and runs there, so that the
 * expected diagnostics hold short relative paths.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "parser/parse.h"
#include "tests/lib/testutil.h"

#define MAX_FILES 6
#define MAX_ARGS  4

struct file {
	const char *name; /* relative to the temp directory; "DIR/" creates DIR */
	const char *text;
};

struct merge_case {
	const char *what;
	struct file files[MAX_FILES];
	const char *args[MAX_ARGS];
	const char *expected; /* every diagnostic, as tu_diags_text prints them */
	size_t ngroups;	      /* when valid: the merged model's groups */
};

#define V1 "version: 1\n"

static const struct merge_case cases[] = {
	{
		.what = "a group defined in two files names both places",
		.files = { { "a.yaml", V1 "groups:\n  web:\n    memory: {}\n" },
			   { "b.yaml", V1 "groups:\n  db:\n    cpu: {}\n  web:\n    cpu: {}\n" } },
		.args = { "a.yaml", "b.yaml" },
		.expected =
			"b.yaml:5:3: error: group 'web' is already defined at a.yaml:3:3; define each group once\n",
	},
	{
		.what = "files on the command line are read in the order given",
		.files = { { "a.yaml", V1 "groups:\n  web:\n    memory: {}\n" },
			   { "b.yaml", V1 "groups:\n  web:\n    cpu: {}\n" } },
		.args = { "b.yaml", "a.yaml" },
		.expected =
			"a.yaml:3:3: error: group 'web' is already defined at b.yaml:3:3; define each group once\n",
	},
	{
		.what = "a value given in two files is its group defined twice",
		.files = { { "a.yaml",
			     V1 "groups:\n  web:\n    memory: { memory.limit_in_bytes: 1G }\n" },
			   { "b.yaml",
			     V1 "groups:\n  web:\n    memory: { memory.limit_in_bytes: 2G }\n" } },
		.args = { "a.yaml", "b.yaml" },
		.expected =
			"b.yaml:3:3: error: group 'web' is already defined at a.yaml:3:3; define each group once\n",
	},
	{
		.what = "a value given twice in one group is a duplicate key",
		.files = { { "a.yaml",
			     V1 "groups:\n  web:\n    memory:\n      memory.limit_in_bytes: 1G\n"
				"      memory.limit_in_bytes: 2G\n" } },
		.args = { "a.yaml" },
		.expected =
			"a.yaml:6:7: error: duplicate key 'memory.limit_in_bytes', first defined at line 5, column 7; each key may appear once\n",
	},
	{
		.what = "defaults given in two files names both places",
		.files = { { "a.yaml", V1 "defaults:\n  perm: { admin: { dperm: \"0755\" } }\n"
					  "groups:\n  web:\n    memory: {}\n" },
			   { "b.yaml", V1 "groups:\n  db:\n    memory: {}\n"
					  "defaults:\n  perm: { task: { fperm: \"0660\" } }\n" } },
		.args = { "a.yaml", "b.yaml" },
		.expected =
			"b.yaml:6:3: error: 'defaults' are already given at a.yaml:3:3; give them once\n",
	},
	{
		/* byte order: "10-" before "9-"; hidden and other names are not read */
		.what = "a directory is read in byte order of its names",
		.files = { { "conf/", NULL },
			   { "conf/9-late.yaml", V1 "groups:\n  web:\n    cpu: {}\n" },
			   { "conf/10-early.yaml", V1 "groups:\n  web:\n    memory: {}\n" },
			   { "conf/.hidden.yaml", "not: [valid\n" },
			   { "conf/notes.txt", "not: [valid\n" },
			   { "conf/x.yml", V1 "groups:\n  x:\n    cpu: {}\n" } },
		.args = { "conf" },
		.expected =
			"conf/9-late.yaml:3:3: error: group 'web' is already defined at conf/10-early.yaml:3:3; define each group once\n",
	},
	{
		.what = "a directory merges with no clash",
		.files = { { "conf/", NULL },
			   { "conf/b.yaml", V1 "groups:\n  web/batch:\n    memory: {}\n" },
			   { "conf/a.yaml", V1 "groups:\n  web:\n    memory: {}\n" },
			   { "extra.yaml", V1 "groups:\n  db:\n    cpu: {}\n" } },
		.args = { "conf", "extra.yaml" },
		.expected = "",
		.ngroups = 3,
	},
	{
		.what = "an empty directory is an error, not an empty configuration",
		.files = { { "conf/", NULL } },
		.args = { "conf" },
		.expected =
			"conf:0:0: error: no configuration file in the directory, expected files named *.yaml or *.yml\n",
	},
	{
		.what = "a directory without *.yaml files is an error",
		.files = { { "conf/", NULL },
			   { "conf/README", "see cgapply.yaml(5)\n" },
			   { "conf/web.yaml.dpkg-old", V1 "groups:\n  web:\n    memory: {}\n" } },
		.args = { "conf" },
		.expected =
			"conf:0:0: error: no configuration file in the directory, expected files named *.yaml or *.yml\n",
	},
};

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "cannot write '%s'", path);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_merge)
{
	const struct merge_case *c = &cases[_i];
	char tmpl[] = "/tmp/cgapply-check-parse-XXXXXX";
	const char *paths[MAX_ARGS];
	struct cg_parse_opts o = { .ids_must_exist = false };
	struct cg_model *m = NULL;
	struct cg_diags d;
	size_t i, n = 0;
	char *got;
	int r;

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	ck_assert_int_eq(chdir(tmpl), 0);
	for (i = 0; i < MAX_FILES && c->files[i].name; i++) {
		const char *name = c->files[i].name;

		if (name[strlen(name) - 1] == '/')
			ck_assert_int_eq(mkdir(name, 0755), 0);
		else
			write_file(name, c->files[i].text);
	}
	for (n = 0; n < MAX_ARGS && c->args[n]; n++)
		paths[n] = c->args[n];
	cg_diags_init(&d);
	r = cg_parse_paths(paths, n, &o, &m, &d);
	got = tu_diags_text(&d);
	ck_assert_msg(strcmp(got, c->expected) == 0, "%s:\n--- expected:\n%s--- got:\n%s", c->what,
		      c->expected, got);
	if (*c->expected) {
		ck_assert_msg(r == -1, "%s: accepted", c->what);
	} else {
		ck_assert_msg(r == 0, "%s: refused", c->what);
		ck_assert_uint_eq(m->ngroups, c->ngroups);
		cg_model_free(m);
	}
	free(got);
	cg_diags_release(&d);
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert_int_eq(tu_rm_rf(tmpl), 0);
}
END_TEST

static Suite *
parse_suite(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("merge");

	tcase_add_loop_test(tc, test_merge, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(parse_suite());
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The YAML node tree: locations, kinds, duplicate keys and refused YAML features. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "parser/yaml.h"
#include "tests/lib/testutil.h"

static struct yn *
load_ok(const char *text, struct cg_diags *d)
{
	struct yn *root = NULL;

	cg_diags_init(d);
	ck_assert_int_eq(yn_load("t.yaml", text, strlen(text), &root, d), 0);
	return root;
}

START_TEST(test_locations_block_and_flow)
{
	struct cg_diags d;
	struct yn *root = load_ok(
		"version: 1\ngroups:\n  web:\n    memory: { memory.limit_in_bytes: 1G }\n", &d);
	const struct yn *groups = yn_map_get(root, "groups");
	const struct yn *web = yn_map_get(groups, "web");
	const struct yn *mem = yn_map_get(web, "memory");
	const struct yn *val = yn_map_get(mem, "memory.limit_in_bytes");

	ck_assert_int_eq(d.errors, 0);
	ck_assert_int_eq(root->kind, YN_MAP);
	ck_assert_int_eq(groups->pairs[0].key->loc.line, 3);
	ck_assert_int_eq(groups->pairs[0].key->loc.col, 3);
	ck_assert_int_eq(mem->kind, YN_MAP);
	ck_assert_int_eq(mem->loc.line, 4);
	ck_assert_int_eq(mem->loc.col, 13);
	ck_assert_str_eq(val->str, "1G");
	ck_assert_int_eq(val->loc.line, 4);
	ck_assert_int_eq(val->loc.col, 38);
	ck_assert(!val->quoted);
	yn_free(root);
	cg_diags_release(&d);
}
END_TEST

START_TEST(test_scalar_kinds)
{
	struct cg_diags d;
	struct yn *root = load_ok("a: ~\nb: \"\"\nc:\nd: null\ne: '0755'\nf: [1, 2]\n", &d);

	ck_assert_int_eq(yn_map_get(root, "a")->kind, YN_NULL);
	ck_assert_int_eq(yn_map_get(root, "b")->kind, YN_SCALAR);
	ck_assert(yn_map_get(root, "b")->quoted);
	ck_assert_int_eq(yn_map_get(root, "c")->kind, YN_NULL);
	ck_assert_int_eq(yn_map_get(root, "d")->kind, YN_NULL);
	ck_assert_str_eq(yn_map_get(root, "e")->str, "0755");
	ck_assert_int_eq(yn_map_get(root, "f")->kind, YN_SEQ);
	ck_assert_int_eq(yn_map_get(root, "f")->n, 2);
	ck_assert_str_eq(yn_map_get(root, "f")->items[1]->str, "2");
	yn_free(root);
	cg_diags_release(&d);
}
END_TEST

START_TEST(test_empty_stream)
{
	struct cg_diags d;
	struct yn *root = load_ok("# only a comment\n", &d);

	ck_assert_int_eq(root->kind, YN_NULL);
	yn_free(root);
	cg_diags_release(&d);
}
END_TEST

struct bad_case {
	const char *text;
	const char *expected; /* the first diagnostic, "line:col: msg" */
};

static const struct bad_case bad_cases[] = {
	{ "a: 1\nb: 2\na: 3\n",
	  "3:1: duplicate key 'a', first defined at line 1, column 1; each key may appear once" },
	{ "m: {x: 1, x: 2}\n",
	  "1:11: duplicate key 'x', first defined at line 1, column 5; each key may appear once" },
	{ "a: &anchor 1\n", "1:4: anchors ('&anchor') are not supported, write the value out" },
	{ "a: !!str 1\n",
	  "1:4: tags ('tag:yaml.org,2002:str') are not supported, write a plain value" },
	{ "[1]: 2\n", "1:1: a key must be a plain name, not a list" },
	{ "a: 1\n---\nb: 2\n",
	  "2:1: a second YAML document; put each configuration in its own file" },
	{ "a: [1, 2\n",
	  "1:4: invalid YAML: did not find expected ',' or ']' while parsing a flow sequence" },
	{ "a:\n\t- 1\n", "2:1: invalid YAML: tabs are not allowed for indentation, use spaces" },
	/* bad UTF-8 carries only an offset: the location is worked out from the text */
	{ "a: 1\nb: w\xe9"
	  "b\n",
	  "2:5: invalid YAML: invalid trailing UTF-8 octet at byte 10, expected UTF-8 text" },
	{ "a: 1\nb: \xc3\xa9\x80\n",
	  "2:5: invalid YAML: invalid leading UTF-8 octet at byte 10, expected UTF-8 text" },
	{ "a: 'open\n",
	  "1:4: invalid YAML: found unexpected end of stream while scanning a quoted scalar" },
};

START_TEST(test_bad_yaml)
{
	const struct bad_case *c = &bad_cases[_i];
	struct yn *root = NULL;
	struct cg_diags d;
	char *got;

	cg_diags_init(&d);
	yn_load("t.yaml", c->text, strlen(c->text), &root, &d);
	ck_assert_uint_ge(d.errors, 1);
	got = tu_first_diag(&d);
	ck_assert_str_eq(got, c->expected);
	free(got);
	yn_free(root);
	cg_diags_release(&d);
}
END_TEST

START_TEST(test_alias_refused)
{
	struct yn *root = NULL;
	struct cg_diags d;
	const char *text = "a: 1\nb: *x\n";

	cg_diags_init(&d);
	ck_assert_int_eq(yn_load("t.yaml", text, strlen(text), &root, &d), 0);
	ck_assert_uint_eq(d.errors, 1);
	ck_assert_uint_eq(d.items[0].line, 2);
	ck_assert_uint_eq(d.items[0].col, 4);
	/* the alias stands in as an invalid empty node, the rest is loaded */
	ck_assert_int_eq(yn_map_get(root, "b")->kind, YN_NULL);
	ck_assert(yn_map_get(root, "b")->invalid);
	ck_assert_str_eq(yn_map_get(root, "a")->str, "1");
	yn_free(root);
	cg_diags_release(&d);
}
END_TEST

/* `~` or nothing before ':' is an empty name, not a key: two of them are no duplicate. */
START_TEST(test_null_keys_not_duplicates)
{
	struct cg_diags d;
	struct yn *root = load_ok("~: 1\nnull: 3\n\"\": 4\n\"\": 5\n", &d);

	/* only the quoted "" is a key given twice */
	ck_assert_uint_eq(d.errors, 1);
	ck_assert_uint_eq(d.items[0].line, 4);
	ck_assert(strstr(d.items[0].msg, "duplicate key ''") != NULL);
	ck_assert_uint_eq(root->n, 3);
	ck_assert_str_eq(root->pairs[0].key->str, "");
	ck_assert_int_eq(root->pairs[0].key->kind, YN_SCALAR);
	ck_assert_str_eq(root->pairs[1].val->str, "3");
	yn_free(root);
	cg_diags_release(&d);
}
END_TEST

/* Anchors, tags and aliases do not stop the load: every later problem is reported too. */
START_TEST(test_refused_features_keep_loading)
{
	struct yn *root = NULL;
	struct cg_diags d;
	const char *text = "a: &x 1\n"
			   "b: !!str 2\n"
			   "c: [*x, 3]\n"
			   "*x : 4\n"
			   "d: {e: 5, e: 6}\n";
	const struct yn *c;

	cg_diags_init(&d);
	ck_assert_int_eq(yn_load("t.yaml", text, strlen(text), &root, &d), 0);
	ck_assert_uint_eq(d.errors, 5);
	ck_assert_uint_eq(d.items[0].line, 1);
	ck_assert(strstr(d.items[0].msg, "anchors ('&x')") != NULL);
	ck_assert_uint_eq(d.items[1].line, 2);
	ck_assert(strstr(d.items[1].msg, "tags (") != NULL);
	ck_assert_uint_eq(d.items[2].line, 3);
	ck_assert_uint_eq(d.items[2].col, 5);
	ck_assert(strstr(d.items[2].msg, "aliases ('*x')") != NULL);
	ck_assert_uint_eq(d.items[3].line, 4);
	ck_assert(strstr(d.items[3].msg, "aliases ('*x')") != NULL);
	ck_assert_uint_eq(d.items[4].line, 5);
	ck_assert(strstr(d.items[4].msg, "duplicate key 'e'") != NULL);
	/* the anchored and tagged values are kept, the alias item and alias key left out */
	ck_assert_str_eq(yn_map_get(root, "a")->str, "1");
	ck_assert_str_eq(yn_map_get(root, "b")->str, "2");
	c = yn_map_get(root, "c");
	ck_assert_uint_eq(c->n, 1);
	ck_assert_str_eq(c->items[0]->str, "3");
	ck_assert_uint_eq(root->n, 4);
	yn_free(root);
	cg_diags_release(&d);
}
END_TEST

START_TEST(test_depth_limit)
{
	struct yn *root = NULL;
	struct cg_diags d;
	char text[400];
	size_t i;

	for (i = 0; i < 100; i++)
		text[i] = '[';
	text[100] = '\0';
	cg_diags_init(&d);
	ck_assert_int_eq(yn_load("t.yaml", text, strlen(text), &root, &d), -1);
	ck_assert_ptr_null(root);
	ck_assert_uint_eq(d.errors, 1);
	ck_assert(strstr(d.items[0].msg, "nesting deeper than") != NULL);
	cg_diags_release(&d);
}
END_TEST

static Suite *
yaml_suite(void)
{
	Suite *s = suite_create("yaml");
	TCase *tc = tcase_create("tree");

	tcase_add_test(tc, test_locations_block_and_flow);
	tcase_add_test(tc, test_scalar_kinds);
	tcase_add_test(tc, test_empty_stream);
	tcase_add_loop_test(tc, test_bad_yaml, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_alias_refused);
	tcase_add_test(tc, test_null_keys_not_duplicates);
	tcase_add_test(tc, test_refused_features_keep_loading);
	tcase_add_test(tc, test_depth_limit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(yaml_suite());
}

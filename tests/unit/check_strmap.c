/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The string → index hash map: lookups, duplicates, growth, keys with NUL bytes. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strmap.h"
#include "lib/xalloc.h"
#include "tests/lib/testutil.h"

START_TEST(test_put_get_many)
{
	enum {
		N = 20000
	};
	struct strmap m = STRMAP_INIT;
	char **keys = xcalloc(N, sizeof(*keys));
	size_t i, v;

	for (i = 0; i < N; i++) {
		keys[i] = xasprintf("memory/parent/g%05zu", i);
		ck_assert(strmap_put(&m, keys[i], strlen(keys[i]), i));
	}
	ck_assert_uint_eq(m.n, N);
	for (i = 0; i < N; i++) {
		ck_assert(strmap_get(&m, keys[i], strlen(keys[i]), &v));
		ck_assert_uint_eq(v, i);
	}
	ck_assert(!strmap_get(&m, "memory/parent/g20000", 20, &v));
	ck_assert(!strmap_get(&m, "memory/parent/g0000", 19, &v));
	for (i = 0; i < N; i++)
		free(keys[i]);
	free(keys);
	strmap_release(&m);
}
END_TEST

START_TEST(test_put_keeps_first_set_replaces)
{
	struct strmap m = STRMAP_INIT;
	size_t v = 99;

	ck_assert(!strmap_get(&m, "a", 1, &v));
	ck_assert_uint_eq(v, 99);
	ck_assert(strmap_put(&m, "a", 1, 1));
	ck_assert(!strmap_put(&m, "a", 1, 2));
	ck_assert(strmap_get(&m, "a", 1, &v));
	ck_assert_uint_eq(v, 1);
	strmap_set(&m, "a", 1, 3);
	ck_assert(strmap_get(&m, "a", 1, &v));
	ck_assert_uint_eq(v, 3);
	ck_assert_uint_eq(m.n, 1);
	strmap_release(&m);
}
END_TEST

START_TEST(test_length_matters)
{
	struct strmap m = STRMAP_INIT;
	const char k[] = "ab\0c";
	size_t v;

	ck_assert(strmap_put(&m, k, 4, 1));
	ck_assert(strmap_put(&m, k, 2, 2));
	ck_assert(strmap_put(&m, "", 0, 3));
	ck_assert(strmap_get(&m, k, 4, &v) && v == 1);
	ck_assert(strmap_get(&m, "ab", 2, &v) && v == 2);
	ck_assert(strmap_get(&m, "", 0, &v) && v == 3);
	ck_assert(!strmap_get(&m, k, 3, &v));
	strmap_release(&m);
}
END_TEST

static Suite *
strmap_suite(void)
{
	Suite *s = suite_create("strmap");
	TCase *tc = tcase_create("map");

	tcase_add_test(tc, test_put_get_many);
	tcase_add_test(tc, test_put_keeps_first_set_replaces);
	tcase_add_test(tc, test_length_matters);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(strmap_suite());
}

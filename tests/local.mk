# SPDX-License-Identifier: LGPL-2.1-or-later
# Unit tests: one Check binary per module, each linked against the core library.
if ENABLE_TESTS
TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -DTEST_SRCDIR='"$(abs_top_srcdir)"'
TEST_LDADD = lib/libcgapply.a $(CHECK_LIBS) $(YAML_LIBS) $(LIBCGROUP_LIBS)
TEST_HELPERS = %D%/lib/testutil.c %D%/lib/testutil.h

### check_yaml
check_PROGRAMS += %D%/unit/check_yaml
%C%_unit_check_yaml_SOURCES = %D%/unit/check_yaml.c $(TEST_HELPERS)
%C%_unit_check_yaml_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_yaml_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_yaml

### check_golden
check_PROGRAMS += %D%/unit/check_golden
%C%_unit_check_golden_SOURCES = %D%/unit/check_golden.c $(TEST_HELPERS)
%C%_unit_check_golden_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_golden_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_golden

### the JSON Schema is generated from the table: it must be up to date
check_PROGRAMS += %D%/gen-schema
%C%_gen_schema_SOURCES = %D%/gen-schema.c
%C%_gen_schema_LDADD = lib/libcgapply.a $(YAML_LIBS) $(LIBCGROUP_LIBS)
TESTS += %D%/schema-fresh.sh
EXTRA_DIST += %D%/schema-fresh.sh

### check_strmap
check_PROGRAMS += %D%/unit/check_strmap
%C%_unit_check_strmap_SOURCES = %D%/unit/check_strmap.c $(TEST_HELPERS)
%C%_unit_check_strmap_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_strmap_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_strmap

### (helpers add their test blocks below this line, one block each)

### check_parse
check_PROGRAMS += %D%/unit/check_parse
%C%_unit_check_parse_SOURCES = %D%/unit/check_parse.c $(TEST_HELPERS)
%C%_unit_check_parse_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_parse_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_parse

### check_schemafile
check_PROGRAMS += %D%/unit/check_schemafile
%C%_unit_check_schemafile_SOURCES = %D%/unit/check_schemafile.c $(TEST_HELPERS)
%C%_unit_check_schemafile_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_schemafile_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_schemafile

### check_value
check_PROGRAMS += %D%/unit/check_value
%C%_unit_check_value_SOURCES = %D%/unit/check_value.c $(TEST_HELPERS)
%C%_unit_check_value_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_value_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_value

### check_schema
check_PROGRAMS += %D%/unit/check_schema
%C%_unit_check_schema_SOURCES = %D%/unit/check_schema.c $(TEST_HELPERS)
%C%_unit_check_schema_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_schema_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_schema

### check_rules
check_PROGRAMS += %D%/unit/check_rules
%C%_unit_check_rules_SOURCES = %D%/unit/check_rules.c $(TEST_HELPERS)
%C%_unit_check_rules_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_rules_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_rules
endif

# libFuzzer harnesses (configure --enable-fuzzing, clang): built on demand, not run by make check.
if ENABLE_FUZZING
EXTRA_PROGRAMS = %D%/fuzz/fuzz_parser %D%/fuzz/fuzz_rules
%C%_fuzz_fuzz_parser_SOURCES = %D%/fuzz/fuzz_parser.c
%C%_fuzz_fuzz_parser_LDFLAGS = -fsanitize=fuzzer
%C%_fuzz_fuzz_parser_LDADD = lib/libcgapply.a $(YAML_LIBS) $(LIBCGROUP_LIBS)
%C%_fuzz_fuzz_rules_SOURCES = %D%/fuzz/fuzz_rules.c
%C%_fuzz_fuzz_rules_LDFLAGS = -fsanitize=fuzzer
%C%_fuzz_fuzz_rules_LDADD = lib/libcgapply.a $(YAML_LIBS) $(LIBCGROUP_LIBS)
CLEANFILES += $(EXTRA_PROGRAMS)
endif
EXTRA_DIST += %D%/golden
EXTRA_DIST += %D%/fuzz/fuzz_parser.c %D%/fuzz/fuzz_rules.c

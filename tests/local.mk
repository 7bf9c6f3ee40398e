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

### (helpers add their test blocks below this line, one block each)
endif

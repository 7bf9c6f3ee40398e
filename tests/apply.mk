# SPDX-License-Identifier: LGPL-2.1-or-later
# Tests of apply/ and of the plan/apply/rollback commands (one block per binary).
if ENABLE_TESTS
### (apply helpers add their test blocks below this line, one block each)

### check_registry
check_PROGRAMS += %D%/unit/check_registry
%C%_unit_check_registry_SOURCES = %D%/unit/check_registry.c $(TEST_HELPERS)
%C%_unit_check_registry_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_registry_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_registry

### check_plan
check_PROGRAMS += %D%/unit/check_plan
%C%_unit_check_plan_SOURCES = %D%/unit/check_plan.c %D%/lib/kmodel.c %D%/lib/kmodel.h \
	$(TEST_HELPERS)
%C%_unit_check_plan_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_plan_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_plan

### check_snapshot
check_PROGRAMS += %D%/unit/check_snapshot
%C%_unit_check_snapshot_SOURCES = %D%/unit/check_snapshot.c $(TEST_HELPERS)
%C%_unit_check_snapshot_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_snapshot_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_snapshot

### check_layout
check_PROGRAMS += %D%/unit/check_layout
%C%_unit_check_layout_SOURCES = %D%/unit/check_layout.c $(TEST_HELPERS)
%C%_unit_check_layout_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_layout_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_layout

### check_readback
check_PROGRAMS += %D%/unit/check_readback
%C%_unit_check_readback_SOURCES = %D%/unit/check_readback.c $(TEST_HELPERS)
%C%_unit_check_readback_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_readback_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_readback

### check_hierarchy
check_PROGRAMS += %D%/unit/check_hierarchy
%C%_unit_check_hierarchy_SOURCES = %D%/unit/check_hierarchy.c $(TEST_HELPERS)
%C%_unit_check_hierarchy_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_hierarchy_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_hierarchy

### check_fs
check_PROGRAMS += %D%/unit/check_fs
%C%_unit_check_fs_SOURCES = %D%/unit/check_fs.c $(TEST_HELPERS)
%C%_unit_check_fs_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_fs_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_fs

### check_state
check_PROGRAMS += %D%/unit/check_state
%C%_unit_check_state_SOURCES = %D%/unit/check_state.c $(TEST_HELPERS)
%C%_unit_check_state_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_state_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_state

### check_journal
check_PROGRAMS += %D%/unit/check_journal
%C%_unit_check_journal_SOURCES = %D%/unit/check_journal.c $(TEST_HELPERS)
%C%_unit_check_journal_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_journal_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_journal

### check_exec
check_PROGRAMS += %D%/unit/check_exec
%C%_unit_check_exec_SOURCES = %D%/unit/check_exec.c $(TEST_HELPERS)
%C%_unit_check_exec_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_exec_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_exec
endif

# Integration: the real binary on the real cgroupfs, as root, inside sandbox parents
# (tests/integration/lib.sh); each script exits 77 (SKIP) with a reason elsewhere.
if ENABLE_TESTS
check_PROGRAMS += %D%/integration/memhog
%C%_integration_memhog_SOURCES = %D%/integration/memhog.c
TESTS += %D%/integration/apply-v1.sh %D%/integration/rollback-v1.sh
endif
EXTRA_DIST += %D%/integration/lib.sh %D%/integration/apply-v1.sh %D%/integration/rollback-v1.sh

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

### check_planfile (saved plans)
check_PROGRAMS += %D%/unit/check_planfile
%C%_unit_check_planfile_SOURCES = %D%/unit/check_planfile.c $(TEST_HELPERS)
%C%_unit_check_planfile_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_planfile_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_planfile

# saved plans and stable plan output on a temp tree (no root needed)
TESTS += %D%/planfile-tree.sh
endif
EXTRA_DIST += %D%/planfile-tree.sh

# Integration: the real binary on the real cgroupfs, as root, inside sandbox parents
# (tests/integration/lib.sh); each script exits 77 (SKIP) with a reason elsewhere.
if ENABLE_TESTS
check_PROGRAMS += %D%/integration/memhog
%C%_integration_memhog_SOURCES = %D%/integration/memhog.c
TESTS += %D%/integration/apply-v1.sh %D%/integration/rollback-v1.sh %D%/integration/devices-v1.sh \
	%D%/integration/prune-v1.sh %D%/integration/foreign-v1.sh
endif
EXTRA_DIST += %D%/integration/lib.sh %D%/integration/apply-v1.sh %D%/integration/rollback-v1.sh \
	%D%/integration/devices-v1.sh \
	%D%/integration/prune-v1.sh %D%/integration/foreign-v1.sh

# Saved plans on the real cgroupfs, and the Ansible role and Puppet manifest of
# examples/ run for real against localhost (root; SKIP without ansible-playbook/puppet).
if ENABLE_TESTS
TESTS += %D%/integration/planfile-v1.sh %D%/integration/ansible.sh %D%/integration/puppet.sh
endif
EXTRA_DIST += %D%/integration/planfile-v1.sh %D%/integration/ansible.sh \
	%D%/integration/puppet.sh

# Boot and coexistence (issue 5): where messages go, systemd's cgroups, the unit and the
# init script.
if ENABLE_TESTS
### check_systemd
check_PROGRAMS += %D%/unit/check_systemd
%C%_unit_check_systemd_SOURCES = %D%/unit/check_systemd.c $(TEST_HELPERS)
%C%_unit_check_systemd_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_systemd_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_systemd

### check_log (cmd/log.c is not in the library: linked in here)
check_PROGRAMS += %D%/unit/check_log
%C%_unit_check_log_SOURCES = %D%/unit/check_log.c cmd/log.c cmd/log.h $(TEST_HELPERS)
%C%_unit_check_log_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_log_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_log

TESTS += %D%/dist-files.sh %D%/integration/initscript.sh
endif
EXTRA_DIST += %D%/dist-files.sh %D%/integration/initscript.sh

# Rules: the matcher on fake procfs entries, template instantiation, the moves record;
# and processes placed for real (rules-v1.sh: root only, rules matching only its own).
if ENABLE_TESTS
check_PROGRAMS += %D%/unit/check_match
%C%_unit_check_match_SOURCES = %D%/unit/check_match.c $(TEST_HELPERS)
%C%_unit_check_match_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_match_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_match
check_PROGRAMS += %D%/integration/runas
%C%_integration_runas_SOURCES = %D%/integration/runas.c
TESTS += %D%/integration/rules-v1.sh
endif
EXTRA_DIST += %D%/integration/rules-v1.sh

# The affinity preflight: pinned tasks against cpuset.cpus writes (fake tree and procfs).
if ENABLE_TESTS
check_PROGRAMS += %D%/unit/check_affinity
%C%_unit_check_affinity_SOURCES = %D%/unit/check_affinity.c $(TEST_HELPERS)
%C%_unit_check_affinity_CFLAGS = $(TEST_CFLAGS)
%C%_unit_check_affinity_LDADD = $(TEST_LDADD)
TESTS += %D%/unit/check_affinity
endif

# cgroup v2 end to end: a throw-away VM (qemu, a Debian kernel booted with
# cgroup_no_v1=all) runs tests/v2/guest.sh with this build's binary. SKIP without qemu,
# busybox-static or the kernel package; CG_V2_VM=skip skips it (distcheck in test.sh).
if ENABLE_TESTS
TESTS += %D%/v2/run.sh
endif
EXTRA_DIST += %D%/v2/run.sh %D%/v2/vm.sh %D%/v2/guest.sh %D%/v2/init

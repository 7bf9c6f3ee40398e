# SPDX-License-Identifier: LGPL-2.1-or-later
# apply/: live hierarchy, diff, planner, executor.
lib_libcgapply_a_SOURCES += %D%/state.c %D%/state.h %D%/readback.c %D%/readback.h
lib_libcgapply_a_SOURCES += %D%/exec.c %D%/exec.h %D%/journal.c %D%/journal.h
lib_libcgapply_a_SOURCES += %D%/fs.c %D%/fs.h
lib_libcgapply_a_SOURCES += %D%/hierarchy.c %D%/hierarchy.h
lib_libcgapply_a_SOURCES += %D%/layout.c %D%/layout.h
lib_libcgapply_a_SOURCES += %D%/snapshot.c %D%/snapshot.h
lib_libcgapply_a_SOURCES += %D%/desired.c %D%/desired.h %D%/plan.c %D%/plan.h \
	%D%/plan-int.h %D%/plan-cpu.c %D%/plan-cpuset.c %D%/plan-devices.c \
	%D%/plan-memory.c %D%/plan-v2.c
lib_libcgapply_a_SOURCES += %D%/registry.c %D%/registry.h
lib_libcgapply_a_SOURCES += %D%/planfile.c %D%/planfile.h
lib_libcgapply_a_SOURCES += %D%/systemd.c %D%/systemd.h
lib_libcgapply_a_SOURCES += %D%/match.c %D%/match.h %D%/place.c %D%/place.h
lib_libcgapply_a_SOURCES += %D%/affinity.c %D%/affinity.h

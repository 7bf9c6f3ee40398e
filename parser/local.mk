# SPDX-License-Identifier: LGPL-2.1-or-later
lib_libcgapply_a_SOURCES += \
	%D%/cgdef.c %D%/cgdef.h \
	%D%/cpuset.c %D%/cpuset.h \
	%D%/diag.c %D%/diag.h \
	%D%/ids.c %D%/ids.h \
	%D%/invariants.c %D%/invariants.h \
	%D%/model.c %D%/model.h \
	%D%/names.c %D%/names.h \
	%D%/parse.c %D%/parse.h \
	%D%/rules.c %D%/rules.h \
	%D%/schema.c %D%/schema.h \
	%D%/value.c %D%/value.h \
	%D%/yaml.c %D%/yaml.h

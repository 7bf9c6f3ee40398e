# SPDX-License-Identifier: LGPL-2.1-or-later
lib_libcgapply_a_SOURCES += \
	%D%/chars.h \
	%D%/cleanup.h \
	%D%/error.c %D%/error.h \
	%D%/strbuf.c %D%/strbuf.h \
	%D%/strmap.c %D%/strmap.h \
	%D%/xalloc.c %D%/xalloc.h

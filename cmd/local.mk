# SPDX-License-Identifier: LGPL-2.1-or-later
sbin_PROGRAMS += cgapply
cgapply_SOURCES = \
	%D%/cli.h \
	%D%/cmd-validate.c \
	%D%/exitcode.h \
	%D%/main.c \
	%D%/report-json.c \
	%D%/report-text.c \
	%D%/report.h
cgapply_LDADD = lib/libcgapply.a $(YAML_LIBS) $(LIBCGROUP_LIBS)

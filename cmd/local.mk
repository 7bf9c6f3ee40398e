# SPDX-License-Identifier: LGPL-2.1-or-later
sbin_PROGRAMS += cgapply
cgapply_SOURCES = \
	%D%/apply-common.c \
	%D%/apply-common.h \
	%D%/cli.h \
	%D%/cmd-apply.c \
	%D%/cmd-classify.c \
	%D%/cmd-watch.c \
	%D%/place.c \
	%D%/place.h \
	%D%/cmd-plan.c \
	%D%/cmd-rollback.c \
	%D%/cmd-validate.c \
	%D%/exitcode.h \
	%D%/log.c \
	%D%/log.h \
	%D%/main.c \
	%D%/report-json.c \
	%D%/report-plan.c \
	%D%/report-text.c \
	%D%/report.h
cgapply_LDADD = lib/libcgapply.a $(YAML_LIBS) $(LIBCGROUP_LIBS)

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The exit statuses of cgapply: one table, documented in cgapply(8) and DESIGN.md.
 * Library error numbers never leak out as exit codes.
 */
#ifndef CGAPPLY_CMD_EXITCODE_H
#define CGAPPLY_CMD_EXITCODE_H

enum cg_exit {
	CG_EXIT_OK = 0,			 /* success, or in sync */
	CG_EXIT_FAILED = 1,		 /* failed; everything was rolled back */
	CG_EXIT_CHANGES = 2,		 /* --detailed-exitcode: changes pending or made */
	CG_EXIT_INVALID = 3,		 /* invalid configuration; nothing touched */
	CG_EXIT_PRECONDITION = 4,	 /* a precondition failed; nothing touched */
	CG_EXIT_ROLLBACK_INCOMPLETE = 5, /* failed and the rollback is incomplete */
	CG_EXIT_USAGE = 64,		 /* the command line is wrong (EX_USAGE) */
};

#endif

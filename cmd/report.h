/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The printers: text for people (stderr, colour on a terminal) and JSON for machines
 * (stdout, nothing else there). Nothing below cmd/ prints.
 */
#ifndef CGAPPLY_CMD_REPORT_H
#define CGAPPLY_CMD_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "lib/error.h"
#include "lib/strbuf.h"
#include "parser/diag.h"

struct plan;
struct exec_result;
struct cg_moves;

#define CG_JSON_FORMAT_VERSION 1

struct report_opts {
	bool color;
	bool quiet; /* errors only */
};

/* "file:line:col: error: msg", then the source line and a caret under the column. */
void report_text_diags(const struct cg_diags *d, const struct report_opts *o, FILE *out);
/* Appends `"diagnostics": [...]` members' array value (the brackets included). */
void report_json_diags(const struct cg_diags *d, struct strbuf *sb);

/* An error's message with ": strerror(errnum)" when it carries an errno; free() it. */
char *report_error_text(const struct cg_error *e);
/* "cgapply: error: MSG" (or another severity word) on `out`, coloured like diagnostics. */
void report_text_error(const char *severity, const char *msg, const struct report_opts *o,
		       FILE *out);

/*
 * Plans and apply results (report-plan.c). A step's status: planned (no result), done,
 * failed, not run (after the failure), or undone (done, then rolled back completely).
 */
const char *report_step_status(const struct exec_result *res, size_t i);
/*
 * The steps in the order they run, grouped by group (groups in the order of their first
 * step): `+` create, `~` change (old → new, sizes also in human units), `-` remove. With
 * a result, a step that is not done carries its status. Nothing for an empty plan.
 */
void report_text_plan(const struct plan *p, const struct exec_result *res,
		      const struct report_opts *o, FILE *out);
/* "Plan: 1 to create, 2 to change, 0 to remove." or "No changes." */
void report_plan_summary(const struct plan *p, struct strbuf *sb);
/* "1 created, 2 changed, 0 removed" */
void report_done_summary(const struct plan *p, struct strbuf *sb);

/* The one JSON object of plan, apply and rollback. */
struct report_result {
	bool changed, failed;
	const char *msg;
	const struct plan *plan;	  /* NULL: no actions */
	const struct exec_result *res;	  /* NULL: the plan was not run (status "planned") */
	const struct cg_diags *diags;	  /* NULL: none */
	const struct cg_error *errors[2]; /* shown as unlocated error diagnostics after diags */
	const struct cg_moves *moves;	  /* task moves (a "moves" array); NULL: none */
};

/* {format_version, changed, failed, msg, actions[], diagnostics[]} and a newline. */
void report_json_result(const struct report_result *r, struct strbuf *sb);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Located diagnostics for configuration problems, collected rather than thrown so that
 * one run reports every problem at once (tmux's cfg causes).
 *
 * Every item of the model carries a struct cg_srcloc: the file name (owned by the model's
 * file table, or by the diags' source table), and a 1-based line and column.
 * cg_diags also keeps the text of each source file, so that a reporter can print the
 * offending line with a caret under the column. Nothing here prints.
 */
#ifndef CGAPPLY_PARSER_DIAG_H
#define CGAPPLY_PARSER_DIAG_H

#include <stdbool.h>
#include <stddef.h>

struct cg_srcloc {
	const char *file; /* NULL: no location (e.g. a command-line problem) */
	unsigned line;	  /* 1-based; 0 when only the file is known */
	unsigned col;	  /* 1-based */
};

enum cg_severity {
	CG_SEV_ERROR,
	CG_SEV_WARNING,
	CG_SEV_NOTE,
};

struct cg_diag {
	enum cg_severity severity;
	char *file; /* owned copy, NULL when unlocated */
	unsigned line, col;
	char *msg; /* lowercase, no final period: "what is wrong, and what is expected" */
};

struct cg_source {
	char *name;
	char *text;
	size_t len;
};

struct cg_diags {
	struct cg_diag *items;
	size_t n, alloc;
	size_t errors, warnings;
	struct cg_source *sources;
	size_t nsources, sources_alloc;
};

void cg_diags_init(struct cg_diags *d);
void cg_diags_release(struct cg_diags *d);

/* Keeps a copy of a file's text so that reporters can quote its lines. */
void cg_diags_add_source(struct cg_diags *d, const char *name, const char *text, size_t len);
/* The text of line `line` (1-based) of `file`, without its newline; NULL if unknown. */
const char *cg_diags_source_line(const struct cg_diags *d, const char *file, unsigned line,
				 size_t *len);

void cg_diag_add(struct cg_diags *d, enum cg_severity sev, const struct cg_srcloc *loc,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#define cg_diag_error(d, loc, ...)   cg_diag_add((d), CG_SEV_ERROR, (loc), __VA_ARGS__)
#define cg_diag_warning(d, loc, ...) cg_diag_add((d), CG_SEV_WARNING, (loc), __VA_ARGS__)
#define cg_diag_note(d, loc, ...)    cg_diag_add((d), CG_SEV_NOTE, (loc), __VA_ARGS__)

/* Sorts diagnostics by file order of appearance, then line, then column (stable). */
void cg_diags_sort(struct cg_diags *d);
const char *cg_severity_name(enum cg_severity sev);

/*
 * User text made safe for a one-line message: newline, tab and other control
 * characters escaped (\n, \t, \x01), text past 80 characters cut with "...". free() it.
 */
char *cg_diag_shown(const char *s);

/* Edit distance, for "did you mean" suggestions. */
size_t cg_edit_distance(const char *a, const char *b);

#endif

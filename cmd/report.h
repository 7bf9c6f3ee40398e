/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The printers: text for people (stderr, colour on a terminal) and JSON for machines
 * (stdout, nothing else there). Nothing below cmd/ prints.
 */
#ifndef CGAPPLY_CMD_REPORT_H
#define CGAPPLY_CMD_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "lib/strbuf.h"
#include "parser/diag.h"

#define CG_JSON_FORMAT_VERSION 1

struct report_opts {
	bool color;
	bool quiet; /* errors only */
};

/* "file:line:col: error: msg", then the source line and a caret under the column. */
void report_text_diags(const struct cg_diags *d, const struct report_opts *o, FILE *out);
/* Appends `"diagnostics": [...]` members' array value (the brackets included). */
void report_json_diags(const struct cg_diags *d, struct strbuf *sb);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The parser's entry points: configuration files and directories → one model.
 *
 *   struct cg_diags d; cg_diags_init(&d);
 *   struct cg_model *m = NULL;
 *   if (cg_parse_paths(paths, n, &opts, &m, &d) < 0) report d, exit 3
 *
 * A directory stands for its `*.yaml` and `*.yml` files in sorted (C locale) order.
 * Files merge into one model; the desired state's invariants are checked at the end.
 * All problems are collected in `d`; the function fails when any is an error.
 */
#ifndef CGAPPLY_PARSER_PARSE_H
#define CGAPPLY_PARSER_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "parser/diag.h"
#include "parser/model.h"

struct cg_parse_opts {
	bool ids_must_exist; /* plan and apply: unknown users and groups are errors */
};

int cg_parse_paths(const char *const *paths, size_t n, const struct cg_parse_opts *o,
		   struct cg_model **out, struct cg_diags *d);

/* Parses one in-memory document named `name` (the fuzz harness and tests use this). */
int cg_parse_buffer(const char *name, const char *buf, size_t len, const struct cg_parse_opts *o,
		    struct cg_model **out, struct cg_diags *d);

#endif

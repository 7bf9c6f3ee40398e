/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The command table and what every subcommand shares: output settings, and usage
 * errors. Each subcommand lives in its own cmd-<name>.c and returns an enum cg_exit.
 */
#ifndef CGAPPLY_CMD_CLI_H
#define CGAPPLY_CMD_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "cmd/exitcode.h"

struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage; /* the full help text of the command */
};

const struct cli_cmd *cli_find(const char *name);

/* Prints "cgapply: MSG" and a hint to stderr; returns CG_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the help text of `cmd` to `out`. */
void cli_print_help(const struct cli_cmd *cmd, FILE *out);

/* Colour on stderr: only on a terminal, never with --no-color or NO_COLOR set. */
bool cli_use_color(int fd, bool no_color);

int cmd_validate(int argc, char **argv);
extern const char cmd_validate_usage[];
int cmd_plan(int argc, char **argv);
extern const char cmd_plan_usage[];
int cmd_apply(int argc, char **argv);
extern const char cmd_apply_usage[];
int cmd_rollback(int argc, char **argv);
extern const char cmd_rollback_usage[];
int cmd_classify(int argc, char **argv);
extern const char cmd_classify_usage[];
int cmd_watch(int argc, char **argv);
extern const char cmd_watch_usage[];

#endif

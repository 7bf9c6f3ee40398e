/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cgapply: make the live cgroup hierarchy match a declared configuration.
 * main() handles the global options and dispatches to one subcommand.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/log.h"
#include "parser/diag.h"

static int cmd_help(int argc, char **argv);

static const char cmd_help_usage[] = "Usage: cgapply help [COMMAND]\n"
				     "\n"
				     "Show the list of commands, or the help of one command.\n";

static const struct cli_cmd commands[] = {
	{ "validate", cmd_validate, "check configuration files offline (no root, no cgroupfs)",
	  cmd_validate_usage },
	{ "plan", cmd_plan, "show what apply would change, in order, without changing it",
	  cmd_plan_usage },
	{ "apply", cmd_apply, "make the live cgroups match the configuration (journal, rollback)",
	  cmd_apply_usage },
	{ "rollback", cmd_rollback, "restore the state from before the last apply",
	  cmd_rollback_usage },
	{ "classify", cmd_classify, "place running processes by the rules, once (cgclassify)",
	  cmd_classify_usage },
	{ "watch", cmd_watch, "the rules daemon: place processes as they start (cgrulesengd)",
	  cmd_watch_usage },
	{ "help", cmd_help, "show help for a command", cmd_help_usage },
};

static void
print_main_help(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: cgapply [--help] [--version] COMMAND [OPTIONS] [ARGS]\n"
		     "\n"
		     "Make the live cgroup hierarchy match a declared YAML configuration.\n"
		     "\n"
		     "Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"Options:\n"
		"  -h, --help     show this help (cgapply help COMMAND for a command's own)\n"
		"  -V, --version  show the version\n"
		"\n"
		"Exit status: 0 success, 1 failed (rolled back), 2 changes (--detailed-exitcode),\n"
		"3 invalid configuration, 4 precondition failed, 5 rollback incomplete, 64 usage.\n"
		"See cgapply(8) and cgapply.yaml(5).\n");
}

const struct cli_cmd *
cli_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	log_next_priority(LOG_ERR);
	fputs("cgapply: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "\nTry 'cgapply help %s'.\n", cmd);
	else
		fputs("\nTry 'cgapply --help'.\n", stderr);
	return CG_EXIT_USAGE;
}

void
cli_print_help(const struct cli_cmd *cmd, FILE *out)
{
	fputs(cmd->usage, out);
}

bool
cli_use_color(int fd, bool no_color)
{
	const char *term = getenv("TERM");

	if (no_color || getenv("NO_COLOR"))
		return false;
	/* the journal and syslog get plain text */
	if (fd == 2 && log_current_target() != LOG_TARGET_STDERR)
		return false;
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return isatty(fd);
}

static int
cmd_help(int argc, char **argv)
{
	const struct cli_cmd *cmd;

	if (argc < 2) {
		print_main_help(stdout);
		return CG_EXIT_OK;
	}
	if (argc > 2)
		return cli_usage_error("help", "'help' takes one command name");
	cmd = cli_find(argv[1]);
	if (!cmd)
		return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
	cli_print_help(cmd, stdout);
	return CG_EXIT_OK;
}

static const char *
suggest_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (cg_edit_distance(name, commands[i].name) <= 2)
			return commands[i].name;
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	const char *near;

	log_setup(log_detect());
	if (argc < 2) {
		print_main_help(stderr);
		return CG_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		print_main_help(stdout);
		return CG_EXIT_OK;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("cgapply %s\n", PACKAGE_VERSION);
		return CG_EXIT_OK;
	}
	if (argv[1][0] == '-')
		return cli_usage_error(NULL, "unknown option '%s' (options go after the command)",
				       argv[1]);
	cmd = cli_find(argv[1]);
	if (!cmd) {
		near = suggest_command(argv[1]);
		if (near)
			return cli_usage_error(NULL, "unknown command '%s', did you mean '%s'?",
					       argv[1], near);
		return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
	}
	return cmd->fn(argc - 1, argv + 1);
}

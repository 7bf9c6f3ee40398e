/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cgapply validate: the offline check that CI jobs, Ansible's `validate:` and Puppet's
 * `validate_cmd` run. Needs no root and no cgroupfs; unknown users are warnings here.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "cmd/cli.h"
#include "cmd/log.h"
#include "cmd/report.h"
#include "parser/parse.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

const char cmd_validate_usage[] =
	"Usage: cgapply validate [OPTIONS] [FILE|DIR...]\n"
	"\n"
	"Check configuration files without touching the system: syntax, keys, names, values\n"
	"and ranges, and the invariants of the desired state. A directory stands for its\n"
	"*.yaml and *.yml files in sorted order; all files merge into one configuration.\n"
	"With no argument, " SYSCONFDIR "/cgapply is read.\n"
	"\n"
	"Options:\n"
	"      --json             print {format_version, valid, diagnostics} on stdout only\n"
	"      --strict           unknown users and groups are errors (as for plan and apply)\n"
	"  -q, --quiet            print errors only\n"
	"  -v, --verbose          name each file read\n"
	"      --no-color         never colour the output\n"
	"      --syslog           send messages to syslog(3) instead of stderr\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: 0 valid, 3 invalid, 64 usage error.\n";

enum {
	OPT_JSON = 256,
	OPT_STRICT,
	OPT_NO_COLOR,
	OPT_SYSLOG,
};

static const struct option validate_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
print_json(const struct cg_diags *d, bool valid)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb,
		    "{\"format_version\":%d,\"valid\":%s,\"diagnostics\":", CG_JSON_FORMAT_VERSION,
		    valid ? "true" : "false");
	report_json_diags(d, &sb);
	strbuf_adds(&sb, "}\n");
	fputs(sb.buf, stdout);
	strbuf_release(&sb);
}

int
cmd_validate(int argc, char **argv)
{
	static const char *const default_paths[] = { SYSCONFDIR "/cgapply" };
	struct cg_parse_opts popts = { .ids_must_exist = false };
	struct report_opts ropts = { 0 };
	struct cg_model *m = NULL;
	struct cg_diags d;
	bool json = false, no_color = false;
	int verbose = 0;
	const char *const *paths;
	size_t npaths;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qvh", validate_options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_STRICT:
			popts.ids_must_exist = true;
			break;
		case 'q':
			ropts.quiet = true;
			break;
		case 'v':
			verbose++;
			break;
		case OPT_NO_COLOR:
			no_color = true;
			break;
		case OPT_SYSLOG:
			log_setup(LOG_TARGET_SYSLOG);
			break;
		case 'h':
			fputs(cmd_validate_usage, stdout);
			return CG_EXIT_OK;
		default:
			return cli_usage_error("validate", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (ropts.quiet && verbose)
		return cli_usage_error("validate", "-q and -v cannot go together");
	if (optind < argc) {
		paths = (const char *const *)&argv[optind];
		npaths = (size_t)(argc - optind);
	} else {
		paths = default_paths;
		npaths = 1;
	}
	ropts.color = cli_use_color(2, no_color);
	cg_diags_init(&d);
	r = cg_parse_paths(paths, npaths, &popts, &m, &d);
	if (verbose && !json && m) {
		size_t i;

		for (i = 0; i < m->nfiles; i++) {
			log_next_priority(LOG_INFO);
			fprintf(stderr, "cgapply: read '%s'\n", m->files[i]);
		}
	}
	if (json) {
		print_json(&d, r == 0);
	} else {
		report_text_diags(&d, &ropts, stderr);
		if (r == 0 && !ropts.quiet)
			printf("valid: %zu group%s, %zu rule%s in %zu file%s\n", m->ngroups,
			       m->ngroups == 1 ? "" : "s", m->nrules, m->nrules == 1 ? "" : "s",
			       m->nfiles, m->nfiles == 1 ? "" : "s");
		else if (r < 0) {
			log_next_priority(LOG_ERR);
			fprintf(stderr,
				"cgapply: configuration is invalid: %zu error%s, %zu warning%s\n",
				d.errors, d.errors == 1 ? "" : "s", d.warnings,
				d.warnings == 1 ? "" : "s");
		}
	}
	cg_model_free(m);
	cg_diags_release(&d);
	return r == 0 ? CG_EXIT_OK : CG_EXIT_INVALID;
}

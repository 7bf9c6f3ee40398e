/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "cmd/report.h"

#define C_RESET	  "\033[0m"
#define C_BOLD	  "\033[1m"
#define C_RED	  "\033[1;31m"
#define C_MAGENTA "\033[1;35m"
#define C_CYAN	  "\033[1;36m"
#define C_GREEN	  "\033[1;32m"

static const char *
sev_color(enum cg_severity sev)
{
	switch (sev) {
	case CG_SEV_ERROR:
		return C_RED;
	case CG_SEV_WARNING:
		return C_MAGENTA;
	case CG_SEV_NOTE:
		return C_CYAN;
	}
	return C_RED;
}

static void
print_caret(const struct cg_diags *d, const struct cg_diag *g, const struct report_opts *o,
	    FILE *out)
{
	const char *line;
	size_t len, i;

	line = cg_diags_source_line(d, g->file, g->line, &len);
	if (!line || g->col == 0)
		return;
	fprintf(out, "%.*s\n", (int)len, line);
	/* copy tabs so that the caret lines up whatever the tab width */
	for (i = 0; i + 1 < g->col && i < len; i++)
		fputc(line[i] == '\t' ? '\t' : ' ', out);
	fprintf(out, "%s^%s\n", o->color ? C_GREEN : "", o->color ? C_RESET : "");
}

void
report_text_diags(const struct cg_diags *d, const struct report_opts *o, FILE *out)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct cg_diag *g = &d->items[i];

		if (o->quiet && g->severity != CG_SEV_ERROR)
			continue;
		if (o->color)
			fputs(C_BOLD, out);
		if (g->file && g->line)
			fprintf(out, "%s:%u:%u: ", g->file, g->line, g->col);
		else if (g->file)
			fprintf(out, "%s: ", g->file);
		else
			fputs("cgapply: ", out);
		if (o->color)
			fprintf(out, "%s%s:%s " C_BOLD "%s" C_RESET "\n", sev_color(g->severity),
				cg_severity_name(g->severity), C_RESET, g->msg);
		else
			fprintf(out, "%s: %s\n", cg_severity_name(g->severity), g->msg);
		print_caret(d, g, o, out);
	}
}

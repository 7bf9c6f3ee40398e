/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "cmd/report.h"

void
report_json_diags(const struct cg_diags *d, struct strbuf *sb)
{
	size_t i;

	strbuf_addch(sb, '[');
	for (i = 0; i < d->n; i++) {
		const struct cg_diag *g = &d->items[i];

		strbuf_adds(sb, i ? ",{\"file\":" : "{\"file\":");
		if (g->file)
			strbuf_add_json_string(sb, g->file);
		else
			strbuf_adds(sb, "null");
		strbuf_addf(sb, ",\"line\":%u,\"column\":%u,\"severity\":", g->line, g->col);
		strbuf_add_json_string(sb, cg_severity_name(g->severity));
		strbuf_adds(sb, ",\"message\":");
		strbuf_add_json_string(sb, g->msg);
		strbuf_addch(sb, '}');
	}
	strbuf_addch(sb, ']');
}

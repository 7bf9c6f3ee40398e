/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "tests/lib/testutil.h"

#include <stdio.h>
#include <stdlib.h>

#include "lib/strbuf.h"
#include "lib/xalloc.h"

char *
tu_srcpath(const char *rel)
{
	return xasprintf("%s/%s", TEST_SRCDIR, rel);
}

char *
tu_read_file(const char *path, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	ck_assert_msg(f != NULL, "cannot open '%s'", path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	if (len)
		*len = sb.len;
	return strbuf_detach(&sb);
}

char *
tu_diags_text(const struct cg_diags *d)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct cg_diag *g = &d->items[i];

		strbuf_addf(&sb, "%s:%u:%u: %s: %s\n", g->file ? g->file : "-", g->line, g->col,
			    cg_severity_name(g->severity), g->msg);
	}
	return strbuf_detach(&sb);
}

char *
tu_first_diag(const struct cg_diags *d)
{
	if (d->n == 0)
		return xstrdup("(no diagnostic)");
	return xasprintf("%u:%u: %s", d->items[0].line, d->items[0].col, d->items[0].msg);
}

int
tu_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

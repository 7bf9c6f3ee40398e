/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "parser/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strbuf.h"
#include "lib/xalloc.h"

void
cg_diags_init(struct cg_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void
cg_diags_release(struct cg_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->items[i].file);
		free(d->items[i].msg);
	}
	free(d->items);
	for (i = 0; i < d->nsources; i++) {
		free(d->sources[i].name);
		free(d->sources[i].text);
	}
	free(d->sources);
	cg_diags_init(d);
}

void
cg_diags_add_source(struct cg_diags *d, const char *name, const char *text, size_t len)
{
	struct cg_source *s;

	d->sources = xgrow(d->sources, sizeof(*d->sources), d->nsources + 1, &d->sources_alloc);
	s = &d->sources[d->nsources++];
	s->name = xstrdup(name);
	s->text = xstrndup(text, len);
	s->len = len;
}

const char *
cg_diags_source_line(const struct cg_diags *d, const char *file, unsigned line, size_t *len)
{
	const struct cg_source *src = NULL;
	const char *p, *end, *nl;
	size_t i;

	if (!file || line == 0)
		return NULL;
	/* the last source of that name wins: a file read twice is the same text */
	for (i = d->nsources; i-- > 0;) {
		if (strcmp(d->sources[i].name, file) == 0) {
			src = &d->sources[i];
			break;
		}
	}
	if (!src)
		return NULL;
	p = src->text;
	end = src->text + src->len;
	while (--line > 0) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return NULL;
		p = nl + 1;
	}
	nl = memchr(p, '\n', (size_t)(end - p));
	*len = (size_t)((nl ? nl : end) - p);
	if (*len > 0 && p[*len - 1] == '\r')
		(*len)--;
	return p;
}

/* A message is one line: user text quoted in it must not break it (or a terminal). */
static void
escape_controls(struct strbuf *sb)
{
	struct strbuf out = STRBUF_INIT;
	size_t i;

	for (i = 0; i < sb->len; i++)
		if ((unsigned char)sb->buf[i] < 0x20 || sb->buf[i] == 0x7f)
			break;
	if (i == sb->len)
		return;
	for (i = 0; i < sb->len; i++) {
		unsigned char c = (unsigned char)sb->buf[i];

		if (c == '\n')
			strbuf_adds(&out, "\\n");
		else if (c == '\t')
			strbuf_adds(&out, "\\t");
		else if (c < 0x20 || c == 0x7f)
			strbuf_addf(&out, "\\x%02x", c);
		else
			strbuf_addch(&out, (char)c);
	}
	strbuf_release(sb);
	*sb = out;
}

void
cg_diag_add(struct cg_diags *d, enum cg_severity sev, const struct cg_srcloc *loc, const char *fmt,
	    ...)
{
	struct strbuf sb = STRBUF_INIT;
	struct cg_diag *g;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	escape_controls(&sb);
	d->items = xgrow(d->items, sizeof(*d->items), d->n + 1, &d->alloc);
	g = &d->items[d->n++];
	g->severity = sev;
	g->file = loc && loc->file ? xstrdup(loc->file) : NULL;
	g->line = loc ? loc->line : 0;
	g->col = loc ? loc->col : 0;
	g->msg = strbuf_detach(&sb);
	if (sev == CG_SEV_ERROR)
		d->errors++;
	else if (sev == CG_SEV_WARNING)
		d->warnings++;
}

static size_t
source_rank(const struct cg_diags *d, const char *file)
{
	size_t i;

	if (!file)
		return 0;
	for (i = 0; i < d->nsources; i++)
		if (strcmp(d->sources[i].name, file) == 0)
			return i + 1;
	return d->nsources + 1;
}

void
cg_diags_sort(struct cg_diags *d)
{
	size_t i, j;

	/* insertion sort: stable, and the lists are short */
	for (i = 1; i < d->n; i++) {
		struct cg_diag tmp = d->items[i];
		size_t rt = source_rank(d, tmp.file);

		for (j = i; j > 0; j--) {
			const struct cg_diag *p = &d->items[j - 1];
			size_t rp = source_rank(d, p->file);

			if (rp < rt || (rp == rt && (p->line < tmp.line ||
						     (p->line == tmp.line && p->col <= tmp.col))))
				break;
			d->items[j] = d->items[j - 1];
		}
		d->items[j] = tmp;
	}
}

const char *
cg_severity_name(enum cg_severity sev)
{
	switch (sev) {
	case CG_SEV_ERROR:
		return "error";
	case CG_SEV_WARNING:
		return "warning";
	case CG_SEV_NOTE:
		return "note";
	}
	return "error";
}

char *
cg_diag_shown(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n;

	for (n = 0; n < 80 && s[n]; n++) {
		unsigned char c = (unsigned char)s[n];

		if (c == '\n')
			strbuf_adds(&sb, "\\n");
		else if (c == '\t')
			strbuf_adds(&sb, "\\t");
		else if (c < 0x20 || c == 0x7f)
			strbuf_addf(&sb, "\\x%02x", c);
		else
			strbuf_addch(&sb, (char)c);
	}
	if (s[n])
		strbuf_adds(&sb, "...");
	return strbuf_detach(&sb);
}

size_t
cg_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t *row = xcalloc(lb + 1, sizeof(*row));
	size_t result;

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	result = row[lb];
	free(row);
	return result;
}

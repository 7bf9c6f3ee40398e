/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "apply/plan-int.h"
#include "lib/cleanup.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"

/*
 * cgroup v2 cgroup.subtree_control (cgroup-v2.rst "Controlling Controllers"): a
 * controller can be enabled only where the parent has it enabled, and disabled only
 * where no child has, so enables go top-down and disables bottom-up, one controller per
 * write so that a partial failure is plain. Values compare as sets of words. A group
 * that holds tasks of its own cannot enable domain controllers (no internal processes).
 */

#define SUBTREE "cgroup.subtree_control"

bool
plan_v2_handles(const char *file, enum cg_version ver)
{
	return ver == CG_V2 && strcmp(file, SUBTREE) == 0;
}

static const char *
text_of(const struct cg_value *v)
{
	return v && v->type == CG_VT_RAW && v->u.raw ? v->u.raw : "";
}

/* Whether the space-separated `set` holds the word w[0..n). */
static bool
has_word(const char *set, const char *w, size_t n)
{
	const char *p = set;

	while (*p) {
		size_t len;

		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		len = strcspn(p, " \n\t");
		if (len == n && memcmp(p, w, n) == 0)
			return true;
		p += len;
	}
	return false;
}

/* The words of `from` that `other` lacks, one step each ("+memory" or "-memory"). */
static void
diff_steps(struct pctx *c, size_t i, const char *from, const char *other, char sign)
{
	const char *p = from;

	while (*p) {
		struct strbuf w = STRBUF_INIT, next = STRBUF_INIT;
		const char *now = text_of(pctx_value(c, i, SUBTREE));
		struct cg_value v;
		size_t len;

		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		len = strcspn(p, " \n\t");
		if (!len)
			break;
		if (!has_word(other, p, len)) {
			strbuf_addf(&w, "%c%.*s", sign, (int)len, p);
			pctx_write_text(c, i, SUBTREE, now, w.buf, false);
			/* the simulated set after this one write */
			if (sign == '+') {
				strbuf_adds(&next, now);
				if (next.len)
					strbuf_addch(&next, ' ');
				strbuf_add(&next, p, len);
			} else {
				const char *q = now;

				while (*q) {
					size_t l;

					while (*q == ' ')
						q++;
					l = strcspn(q, " ");
					if (l && !(l == len && memcmp(q, p, len) == 0)) {
						if (next.len)
							strbuf_addch(&next, ' ');
						strbuf_add(&next, q, l);
					}
					q += l;
				}
			}
			memset(&v, 0, sizeof(v));
			v.type = CG_VT_RAW;
			v.u.raw = next.buf;
			cg_state_set(pctx_sim(c, i), SUBTREE, NULL, &v);
		}
		strbuf_release(&w);
		strbuf_release(&next);
		p += len;
	}
}

void
plan_v2_enable(struct pctx *c, size_t i)
{
	const struct cg_state_file *t = pctx_target(c, i, SUBTREE);
	CG_AUTOFREE char *now = NULL;
	const char *p;
	bool adds = false;

	if (!t || c->d[i].ver != CG_V2)
		return;
	now = xstrdup(text_of(pctx_value(c, i, SUBTREE)));
	for (p = text_of(&t->value); *p;) {
		size_t len;

		while (*p == ' ')
			p++;
		len = strcspn(p, " ");
		if (len && !has_word(now, p, len))
			adds = true;
		p += len;
	}
	if (!adds)
		return;
	/* v2 "populated" also counts the children's tasks: only its own ones are refused */
	if (pctx_sim(c, i)->populated && c->d[i].parent != PDIR_NONE)
		pctx_warning(
			c,
			"'%s' or its children hold tasks: if it holds some itself, cgroup v2 refuses to enable controllers in it (no internal processes)",
			pctx_path(c, i));
	diff_steps(c, i, text_of(&t->value), now, '+');
}

void
plan_v2_disable(struct pctx *c, size_t i)
{
	const struct cg_state_file *t = pctx_target(c, i, SUBTREE);
	CG_AUTOFREE char *now = NULL;

	if (!t || c->d[i].ver != CG_V2)
		return;
	now = xstrdup(text_of(pctx_value(c, i, SUBTREE)));
	diff_steps(c, i, now, text_of(&t->value), '-');
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "parser/cpuset.h"

#include <stdlib.h>
#include <string.h>

#include "lib/chars.h"
#include "lib/xalloc.h"

static bool
has_space(const char *s)
{
	for (; *s; s++)
		if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
			return true;
	return false;
}

static void
cpuset_grow(struct cg_cpuset *s, size_t nwords)
{
	if (nwords <= s->nwords)
		return;
	s->words = xrealloc(s->words, nwords * sizeof(*s->words));
	memset(s->words + s->nwords, 0, (nwords - s->nwords) * sizeof(*s->words));
	s->nwords = nwords;
}

/* Drops zero words at the top, so that the empty set owns no memory. */
static void
cpuset_trim(struct cg_cpuset *s)
{
	while (s->nwords > 0 && s->words[s->nwords - 1] == 0)
		s->nwords--;
	if (s->nwords == 0) {
		free(s->words);
		s->words = NULL;
	}
}

static void
cpuset_add_range(struct cg_cpuset *s, size_t a, size_t b)
{
	size_t i;

	cpuset_grow(s, b / 64 + 1);
	for (i = a; i <= b; i++)
		s->words[i / 64] |= UINT64_C(1) << (i % 64);
}

static bool
cpuset_test(const struct cg_cpuset *s, size_t i)
{
	return i / 64 < s->nwords && (s->words[i / 64] >> (i % 64) & 1);
}

/* Reads a decimal id; saturates far above any max_id instead of overflowing. */
static uint64_t
read_id(const char **p)
{
	uint64_t v = 0;

	for (; is_digit(**p); (*p)++)
		if (v < UINT64_C(1) << 40)
			v = v * 10 + (uint64_t)(**p - '0');
	return v;
}

enum cg_cpuset_err
cg_cpuset_parse_err(const char *s, size_t max_id, struct cg_cpuset *out, uint64_t *bad_a,
		    uint64_t *bad_b)
{
	struct cg_cpuset set = { NULL, 0 };
	const char *p = s;
	enum cg_cpuset_err e = CG_CPUSET_OK;

	if (has_space(s))
		return CG_CPUSET_SPACE;
	while (*p) {
		uint64_t a, b;

		if (*p == ',') {
			e = CG_CPUSET_EMPTY_ITEM;
			break;
		}
		if (!is_digit(*p)) {
			e = CG_CPUSET_SYNTAX;
			break;
		}
		a = b = read_id(&p);
		if (*p == '-') {
			p++;
			if (!is_digit(*p)) {
				e = CG_CPUSET_SYNTAX;
				break;
			}
			b = read_id(&p);
		}
		if (*p == ':') {
			e = CG_CPUSET_STRIDE;
			break;
		}
		*bad_a = a;
		*bad_b = b;
		if (a > b) {
			e = CG_CPUSET_REVERSED;
			break;
		}
		if (b > max_id) {
			*bad_a = b;
			e = CG_CPUSET_TOO_LARGE;
			break;
		}
		if (*p == ',') {
			p++;
			if (!*p) {
				e = CG_CPUSET_EMPTY_ITEM;
				break;
			}
		} else if (*p) {
			e = CG_CPUSET_SYNTAX;
			break;
		}
		cpuset_add_range(&set, (size_t)a, (size_t)b);
	}
	if (e != CG_CPUSET_OK) {
		cg_cpuset_release(&set);
		return e;
	}
	cpuset_trim(&set);
	*out = set;
	return CG_CPUSET_OK;
}

int
cg_cpuset_parse(const char *s, size_t max_id, struct cg_cpuset *out)
{
	uint64_t a, b;

	return cg_cpuset_parse_err(s, max_id, out, &a, &b) == CG_CPUSET_OK ? 0 : -1;
}

void
cg_cpuset_format(const struct cg_cpuset *s, struct strbuf *sb)
{
	size_t n = s->nwords * 64, i = 0, j;
	bool first = true;

	while (i < n) {
		if (!cpuset_test(s, i)) {
			i++;
			continue;
		}
		for (j = i; j + 1 < n && cpuset_test(s, j + 1); j++)
			;
		if (!first)
			strbuf_addch(sb, ',');
		first = false;
		if (j == i)
			strbuf_addf(sb, "%zu", i);
		else
			strbuf_addf(sb, "%zu-%zu", i, j);
		i = j + 1;
	}
}

void
cg_cpuset_copy(struct cg_cpuset *dst, const struct cg_cpuset *src)
{
	dst->words = NULL;
	dst->nwords = 0;
	if (src->nwords == 0)
		return;
	dst->words = xmalloc(src->nwords * sizeof(*dst->words));
	memcpy(dst->words, src->words, src->nwords * sizeof(*dst->words));
	dst->nwords = src->nwords;
}

void
cg_cpuset_union(struct cg_cpuset *dst, const struct cg_cpuset *src)
{
	size_t i;

	cpuset_grow(dst, src->nwords);
	for (i = 0; i < src->nwords; i++)
		dst->words[i] |= src->words[i];
	cpuset_trim(dst);
}

static uint64_t
word_at(const struct cg_cpuset *s, size_t i)
{
	return i < s->nwords ? s->words[i] : 0;
}

bool
cg_cpuset_subset(const struct cg_cpuset *a, const struct cg_cpuset *b)
{
	size_t i;

	for (i = 0; i < a->nwords; i++)
		if (a->words[i] & ~word_at(b, i))
			return false;
	return true;
}

bool
cg_cpuset_intersects(const struct cg_cpuset *a, const struct cg_cpuset *b)
{
	size_t i;

	for (i = 0; i < a->nwords && i < b->nwords; i++)
		if (a->words[i] & b->words[i])
			return true;
	return false;
}

bool
cg_cpuset_equal(const struct cg_cpuset *a, const struct cg_cpuset *b)
{
	size_t n = a->nwords > b->nwords ? a->nwords : b->nwords, i;

	for (i = 0; i < n; i++)
		if (word_at(a, i) != word_at(b, i))
			return false;
	return true;
}

bool
cg_cpuset_empty(const struct cg_cpuset *s)
{
	size_t i;

	for (i = 0; i < s->nwords; i++)
		if (s->words[i])
			return false;
	return true;
}

void
cg_cpuset_release(struct cg_cpuset *s)
{
	free(s->words);
	s->words = NULL;
	s->nwords = 0;
}

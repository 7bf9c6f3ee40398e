/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sets of cpus or memory nodes as bitmaps (cpuset.cpus, cpuset.mems). The kernel
 * normalizes lists ("0,1" reads back as "0-1"), so values are compared as sets, never as
 * strings; the invariants and the planner use the set operations (child ⊆ parent,
 * disjoint exclusive siblings, old ∪ new while widening).
 *
 * A set owns its words; the zero value { NULL, 0 } is the empty set. Every function that
 * builds a set keeps it trimmed: no zero words above the highest set bit, so the empty
 * set owns no memory.
 */
#ifndef CGAPPLY_PARSER_CPUSET_H
#define CGAPPLY_PARSER_CPUSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/strbuf.h"

struct cg_cpuset {
	uint64_t *words;
	size_t nwords; /* words[] holds nwords*64 bits; bits above the highest set one are 0 */
};

/* ids above CG_CPUSET_MAX_ID are refused in configuration */
#define CG_CPUSET_MAX_ID 8191

enum cg_cpuset_err {
	CG_CPUSET_OK,
	CG_CPUSET_SYNTAX,     /* not a list of ids and FIRST-LAST ranges */
	CG_CPUSET_SPACE,      /* whitespace anywhere */
	CG_CPUSET_EMPTY_ITEM, /* ",," or a comma at either end */
	CG_CPUSET_STRIDE,     /* the kernel's FIRST-LAST:USED/GROUP form */
	CG_CPUSET_REVERSED,   /* FIRST > LAST: *a and *b hold them */
	CG_CPUSET_TOO_LARGE,  /* an id above max_id: *a holds it */
};

/*
 * Parses "0-7,12-19" (single ids and FIRST-LAST ranges, comma separated, no spaces; ""
 * is the empty set) with every id <= max_id (which also bounds the memory used). Returns
 * -1 on anything else (out untouched).
 * cg_cpuset_parse_err says what is wrong instead, for messages.
 */
int cg_cpuset_parse(const char *s, size_t max_id, struct cg_cpuset *out);
enum cg_cpuset_err cg_cpuset_parse_err(const char *s, size_t max_id, struct cg_cpuset *out,
				       uint64_t *a, uint64_t *b);
void cg_cpuset_format(const struct cg_cpuset *s, struct strbuf *sb);	 /* canonical "0-7,12-19" */
void cg_cpuset_copy(struct cg_cpuset *dst, const struct cg_cpuset *src); /* dst holds nothing */
void cg_cpuset_union(struct cg_cpuset *dst, const struct cg_cpuset *src);    /* dst |= src */
bool cg_cpuset_subset(const struct cg_cpuset *a, const struct cg_cpuset *b); /* a ⊆ b */
bool cg_cpuset_intersects(const struct cg_cpuset *a, const struct cg_cpuset *b);
bool cg_cpuset_equal(const struct cg_cpuset *a, const struct cg_cpuset *b);
bool cg_cpuset_empty(const struct cg_cpuset *s);
void cg_cpuset_release(struct cg_cpuset *s); /* leaves the empty set */

#endif

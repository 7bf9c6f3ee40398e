/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A small YAML node tree built from libyaml's event API, so that every key and value
 * keeps its 1-based location, duplicate keys are caught (libyaml does not), and
 * anchors, aliases, tags and multi-document streams are refused with a located message
 * (all but the last without stopping the load, so that the rest is checked too).
 *
 * Scalars stay strings: the schema decides what `0755`, `1G`, `max` or `yes` mean.
 */
#ifndef CGAPPLY_PARSER_YAML_H
#define CGAPPLY_PARSER_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "parser/diag.h"

enum yn_kind {
	YN_NULL, /* an empty value, `~` or `null` */
	YN_SCALAR,
	YN_SEQ,
	YN_MAP,
};

struct yn_pair;

struct yn {
	enum yn_kind kind;
	struct cg_srcloc loc;
	bool quoted;  /* scalar written in quotes or as a block: never a number or null */
	bool invalid; /* YN_NULL standing for a refused alias: already reported, skip it */
	char *str;    /* YN_SCALAR: the text (may hold NUL bytes: see len) */
	size_t len;
	struct yn **items;     /* YN_SEQ */
	struct yn_pair *pairs; /* YN_MAP, in document order */
	size_t n, alloc;
};

struct yn_pair {
	struct yn *key; /* always a YN_SCALAR once loaded */
	struct yn *val;
};

/*
 * Parses one YAML document. `file` must outlive the tree (locations point at it).
 * On a syntax error, a located diagnostic is added and -1 returned. Problems that still
 * allow a tree (duplicate keys, non-scalar keys, anchors, tags, aliases) are added as
 * errors and the tree is returned; the caller checks d->errors. An anchor or tag is
 * ignored after its error; an alias becomes a YN_NULL node marked `invalid`, and a list item or
 * a pair whose key is an alias is left out. An empty stream gives a YN_NULL root.
 */
int yn_load(const char *file, const char *buf, size_t len, struct yn **out, struct cg_diags *d);
void yn_free(struct yn *n);
void yn_freep(struct yn **n);

/* The value of key `key` in map `map`, or NULL. */
const struct yn *yn_map_get(const struct yn *map, const char *key);
/* "a mapping", "a list", "a scalar", "an empty value": for messages */
const char *yn_kind_name(enum yn_kind kind);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "parser/yaml.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lib/strmap.h"
#include "lib/xalloc.h"

/* Deeper nesting than any configuration needs; bounds the recursion on hostile input. */
#define YN_MAX_DEPTH 64

struct loader {
	yaml_parser_t parser;
	const char *file;
	const char *buf;
	size_t len;
	struct cg_diags *d;
	int depth;
};

static struct cg_srcloc
mark_loc(const struct loader *l, yaml_mark_t m)
{
	struct cg_srcloc loc = { l->file, (unsigned)m.line + 1, (unsigned)m.column + 1 };

	return loc;
}

/*
 * The location of byte `off` of the input, for reader errors (bad UTF-8), which carry an
 * offset but no mark. The column counts characters, as libyaml's marks do. An invalid
 * `trailing` byte is reported at the start of its sequence, where the bad character begins.
 */
static struct cg_srcloc
offset_loc(const struct loader *l, size_t off, bool trailing)
{
	struct cg_srcloc loc = { l->file, 1, 1 };
	const unsigned char *b = (const unsigned char *)l->buf;
	size_t i, start = 0, p;

	if (off > l->len)
		off = l->len;
	p = off;
	if (trailing) {
		/* libyaml gives the offset of the bad byte: back over the lead and the good ones */
		while (p > 0 && off - p < 3 && (b[p - 1] & 0xc0) == 0x80)
			p--;
		if (p > 0 && b[p - 1] >= 0xc0)
			p--;
		else
			p = off;
	}
	for (i = 0; i < p; i++) {
		if (b[i] == '\n') {
			loc.line++;
			start = i + 1;
		}
	}
	for (i = start; i < p; i++)
		if ((b[i] & 0xc0) != 0x80)
			loc.col++;
	return loc;
}

static int
next_event(struct loader *l, yaml_event_t *ev)
{
	struct cg_srcloc loc;

	if (yaml_parser_parse(&l->parser, ev))
		return 0;
	loc = mark_loc(l, l->parser.problem_mark);
	/* at the end of the input, the place where the unclosed construct began says more */
	if (l->parser.context && l->parser.problem_mark.index >= l->len)
		loc = mark_loc(l, l->parser.context_mark);
	if (l->parser.error == YAML_READER_ERROR) {
		/* the reader sets no mark, only the offset: find its line and column */
		loc = offset_loc(l, l->parser.problem_offset,
				 l->parser.problem && strstr(l->parser.problem, "trailing"));
		cg_diag_error(l->d, &loc, "invalid YAML: %s at byte %zu, expected UTF-8 text",
			      l->parser.problem ? l->parser.problem : "unreadable input",
			      l->parser.problem_offset);
	} else if (l->parser.problem_mark.index < l->len &&
		   l->buf[l->parser.problem_mark.index] == '\t') {
		cg_diag_error(l->d, &loc,
			      "invalid YAML: tabs are not allowed for indentation, use spaces");
	} else if (l->parser.context) {
		cg_diag_error(l->d, &loc, "invalid YAML: %s %s",
			      l->parser.problem ? l->parser.problem : "syntax error",
			      l->parser.context);
	} else {
		cg_diag_error(l->d, &loc, "invalid YAML: %s",
			      l->parser.problem ? l->parser.problem : "syntax error");
	}
	return -1;
}

static bool
is_plain_null(const char *s, size_t len)
{
	return len == 0 || (len == 1 && s[0] == '~') || (len == 4 && memcmp(s, "null", 4) == 0) ||
	       (len == 4 && memcmp(s, "Null", 4) == 0) || (len == 4 && memcmp(s, "NULL", 4) == 0);
}

static void
yn_append_item(struct yn *seq, struct yn *item)
{
	seq->items = xgrow(seq->items, sizeof(*seq->items), seq->n + 1, &seq->alloc);
	seq->items[seq->n++] = item;
}

static void
yn_append_pair(struct yn *map, struct yn *key, struct yn *val)
{
	map->pairs = xgrow(map->pairs, sizeof(*map->pairs), map->n + 1, &map->alloc);
	map->pairs[map->n].key = key;
	map->pairs[map->n].val = val;
	map->n++;
}

static int load_node(struct loader *l, yaml_event_t *ev, struct yn **out);

/*
 * Anchors and tags are reported, and the node is still loaded as if they were not there:
 * the rest of the file is checked too, so that one run reports every problem.
 */
static void
refuse_features(struct loader *l, const yaml_event_t *ev)
{
	struct cg_srcloc loc = mark_loc(l, ev->start_mark);
	const yaml_char_t *anchor = NULL, *tag = NULL;
	bool implicit = true;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		implicit = ev->data.scalar.plain_implicit || ev->data.scalar.quoted_implicit;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		implicit = ev->data.sequence_start.implicit;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		implicit = ev->data.mapping_start.implicit;
		break;
	default:
		break;
	}
	if (anchor)
		cg_diag_error(l->d, &loc, "anchors ('&%s') are not supported, write the value out",
			      (const char *)anchor);
	if (tag && !implicit)
		cg_diag_error(l->d, &loc, "tags ('%s') are not supported, write a plain value",
			      (const char *)tag);
}

static int
load_scalar(struct loader *l, yaml_event_t *ev, struct yn **out)
{
	struct yn *n = xcalloc(1, sizeof(*n));
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;

	n->loc = mark_loc(l, ev->start_mark);
	n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	if (!n->quoted && is_plain_null(s, len)) {
		n->kind = YN_NULL;
	} else {
		n->kind = YN_SCALAR;
		n->str = xstrndup(s, len);
		n->len = len;
	}
	*out = n;
	return 0;
}

static int
load_seq(struct loader *l, yaml_event_t *start, struct yn **out)
{
	struct yn *n = xcalloc(1, sizeof(*n));
	yaml_event_t ev;

	n->kind = YN_SEQ;
	n->loc = mark_loc(l, start->start_mark);
	for (;;) {
		struct yn *item = NULL;

		if (next_event(l, &ev) < 0)
			goto fail;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (load_node(l, &ev, &item) < 0)
			goto fail;
		/* a refused alias in a list is left out: it was reported and holds nothing */
		if (item->invalid) {
			yn_free(item);
			continue;
		}
		yn_append_item(n, item);
	}
	*out = n;
	return 0;
fail:
	yn_free(n);
	return -1;
}

static int
load_map(struct loader *l, yaml_event_t *start, struct yn **out)
{
	struct yn *n = xcalloc(1, sizeof(*n));
	struct strmap seen = STRMAP_INIT; /* key text -> index in n->pairs */
	yaml_event_t ev;

	n->kind = YN_MAP;
	n->loc = mark_loc(l, start->start_mark);
	for (;;) {
		struct yn *key = NULL, *val = NULL;
		bool keep = true, null_key = false;

		if (next_event(l, &ev) < 0)
			goto fail;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (load_node(l, &ev, &key) < 0)
			goto fail;
		if (next_event(l, &ev) < 0 || load_node(l, &ev, &val) < 0) {
			yn_free(key);
			goto fail;
		}
		if (key->kind == YN_SCALAR && !key->quoted && strcmp(key->str, "<<") == 0) {
			cg_diag_error(l->d, &key->loc,
				      "merge keys ('<<') are not supported, write the values out");
			keep = false;
		} else if (key->kind == YN_SEQ || key->kind == YN_MAP) {
			cg_diag_error(l->d, &key->loc, "a key must be a plain name, not %s",
				      yn_kind_name(key->kind));
			keep = false;
		} else if (key->invalid) {
			/* an alias as a key: already reported */
			keep = false;
		} else if (key->kind == YN_NULL) {
			/*
			 * `: x` or `~: x`: give the key its text back so messages can quote it.
			 * It is no name, so two of them are two empty names, each reported where
			 * it is used (an empty group name...), not a duplicate.
			 */
			key->kind = YN_SCALAR;
			key->str = xstrdup("");
			key->len = 0;
			null_key = true;
		}
		if (keep && !null_key) {
			size_t first;

			if (strmap_get(&seen, key->str, key->len, &first)) {
				const struct yn *prev = n->pairs[first].key;
				char *shown = cg_diag_shown(key->str);

				cg_diag_error(
					l->d, &key->loc,
					"duplicate key '%s', first defined at line %u, column %u; each key may appear once",
					shown, prev->loc.line, prev->loc.col);
				free(shown);
				keep = false;
			}
		}
		if (keep && !null_key)
			strmap_put(&seen, key->str, key->len, n->n);
		if (keep) {
			yn_append_pair(n, key, val);
		} else {
			yn_free(key);
			yn_free(val);
		}
	}
	strmap_release(&seen);
	*out = n;
	return 0;
fail:
	strmap_release(&seen);
	yn_free(n);
	return -1;
}

/* Consumes `ev` (and the events of its children); on return it has been deleted. */
static int
load_node(struct loader *l, yaml_event_t *ev, struct yn **out)
{
	int r = -1;

	refuse_features(l, ev);
	if (ev->type == YAML_ALIAS_EVENT) {
		/*
		 * An alias has no text of its own: it stands in as an invalid empty node,
		 * which the consumers skip without a second message, and loading goes on.
		 */
		struct yn *n = xcalloc(1, sizeof(*n));

		n->kind = YN_NULL;
		n->invalid = true;
		n->loc = mark_loc(l, ev->start_mark);
		cg_diag_error(l->d, &n->loc,
			      "aliases ('*%s') are not supported, write the value out",
			      (const char *)ev->data.alias.anchor);
		yaml_event_delete(ev);
		*out = n;
		return 0;
	}
	if (++l->depth > YN_MAX_DEPTH) {
		struct cg_srcloc loc = mark_loc(l, ev->start_mark);

		cg_diag_error(l->d, &loc, "nesting deeper than %d levels", YN_MAX_DEPTH);
		yaml_event_delete(ev);
		return -1;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		r = load_scalar(l, ev, out);
		break;
	case YAML_SEQUENCE_START_EVENT:
		r = load_seq(l, ev, out);
		break;
	case YAML_MAPPING_START_EVENT:
		r = load_map(l, ev, out);
		break;
	default: {
		struct cg_srcloc loc = mark_loc(l, ev->start_mark);

		cg_diag_error(l->d, &loc, "invalid YAML: unexpected event");
		break;
	}
	}
	l->depth--;
	yaml_event_delete(ev);
	return r;
}

int
yn_load(const char *file, const char *buf, size_t len, struct yn **out, struct cg_diags *d)
{
	struct loader l = { .file = file, .buf = buf, .len = len, .d = d };
	struct yn *root = NULL;
	yaml_event_t ev;
	bool done = false;
	int docs = 0;

	if (!yaml_parser_initialize(&l.parser))
		abort();
	yaml_parser_set_input_string(&l.parser, (const unsigned char *)buf, len);
	while (!done) {
		if (next_event(&l, &ev) < 0)
			goto fail;
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			yaml_event_delete(&ev);
			break;
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				struct cg_srcloc loc = mark_loc(&l, ev.start_mark);

				cg_diag_error(
					d, &loc,
					"a second YAML document; put each configuration in its own file");
				yaml_event_delete(&ev);
				goto fail;
			}
			yaml_event_delete(&ev);
			break;
		default:
			if (root) {
				yaml_event_delete(&ev);
				goto fail;
			}
			if (load_node(&l, &ev, &root) < 0)
				goto fail;
			break;
		}
	}
	yaml_parser_delete(&l.parser);
	if (!root) {
		root = xcalloc(1, sizeof(*root));
		root->kind = YN_NULL;
		root->loc.file = file;
		root->loc.line = 1;
		root->loc.col = 1;
	}
	*out = root;
	return 0;
fail:
	yaml_parser_delete(&l.parser);
	yn_free(root);
	return -1;
}

void
yn_free(struct yn *n)
{
	size_t i;

	if (!n)
		return;
	if (n->kind == YN_SEQ)
		for (i = 0; i < n->n; i++)
			yn_free(n->items[i]);
	if (n->kind == YN_MAP)
		for (i = 0; i < n->n; i++) {
			yn_free(n->pairs[i].key);
			yn_free(n->pairs[i].val);
		}
	free(n->items);
	free(n->pairs);
	free(n->str);
	free(n);
}

void
yn_freep(struct yn **n)
{
	yn_free(*n);
}

const struct yn *
yn_map_get(const struct yn *map, const char *key)
{
	size_t i;

	if (!map || map->kind != YN_MAP)
		return NULL;
	for (i = 0; i < map->n; i++)
		if (strcmp(map->pairs[i].key->str, key) == 0)
			return map->pairs[i].val;
	return NULL;
}

const char *
yn_kind_name(enum yn_kind kind)
{
	switch (kind) {
	case YN_NULL:
		return "an empty value";
	case YN_SCALAR:
		return "a scalar";
	case YN_SEQ:
		return "a list";
	case YN_MAP:
		return "a mapping";
	}
	return "a value";
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The shipped files against the parser: schemas/cgapply.schema.json must name exactly
 * the keys the parser accepts (top level, perm, controllers, and per controller the
 * configurable files of parser/schema.c, patterned ones as patternProperties), and every
 * examples/NAME.yaml must be a valid configuration. The schema is JSON, read with the
 * project's own YAML loader (JSON is YAML flow syntax).
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "parser/cgdef.h"
#include "parser/cpuset.h"
#include "parser/parse.h"
#include "parser/schema.h"
#include "parser/yaml.h"
#include "tests/lib/testutil.h"

#define SCHEMA_FILE  "schemas/cgapply.schema.json"
#define EXAMPLES_DIR "examples"
#define MODELINE     "# yaml-language-server: $schema=../schemas/cgapply.schema.json\n"
#define GIB	     (UINT64_C(1) << 30)
#define MIB	     (UINT64_C(1) << 20)

struct schemafile {
	char *path; /* locations in the tree point at it */
	char *text;
	struct yn *root;
	struct cg_diags d;
};

static void
schemafile_load(struct schemafile *s)
{
	size_t len;
	char *diags;

	memset(s, 0, sizeof(*s));
	s->path = tu_srcpath(SCHEMA_FILE);
	s->text = tu_read_file(s->path, &len);
	cg_diags_init(&s->d);
	ck_assert_int_eq(yn_load(s->path, s->text, len, &s->root, &s->d), 0);
	diags = tu_diags_text(&s->d);
	ck_assert_msg(s->d.errors == 0, "%s does not load:\n%s", SCHEMA_FILE, diags);
	free(diags);
	ck_assert_int_eq(s->root->kind, YN_MAP);
}

static void
schemafile_release(struct schemafile *s)
{
	yn_free(s->root);
	cg_diags_release(&s->d);
	free(s->text);
	free(s->path);
}

/* Follows "$ref": "#/a/b" (possibly several times) from `n` within the document `root`. */
static const struct yn *
resolve(const struct yn *root, const struct yn *n)
{
	int hops;

	for (hops = 0; n && hops < 8; hops++) {
		const struct yn *ref = yn_map_get(n, "$ref");
		const char *p;

		if (!ref)
			return n;
		ck_assert_msg(ref->kind == YN_SCALAR && strncmp(ref->str, "#/", 2) == 0,
			      "%u:%u: only local references are expected", ref->loc.line,
			      ref->loc.col);
		n = root;
		for (p = ref->str + 2; n && *p;) {
			const char *slash = strchr(p, '/');
			size_t len = slash ? (size_t)(slash - p) : strlen(p);
			char *key = xstrndup(p, len);

			n = yn_map_get(n, key);
			ck_assert_msg(n != NULL, "dangling reference '%s' (no '%s')", ref->str,
				      key);
			free(key);
			p += len + (slash ? 1 : 0);
		}
	}
	ck_assert_msg(n != NULL, "reference loop");
	return n;
}

/* resolve(map[key]); fails the test when the key is missing. */
static const struct yn *
member(const struct yn *root, const struct yn *map, const char *key)
{
	const struct yn *n = yn_map_get(resolve(root, map), key);

	ck_assert_msg(n != NULL, "%u:%u: no '%s' in this schema object", map->loc.line,
		      map->loc.col, key);
	return resolve(root, n);
}

static bool
in_list(const char *const *list, const char *key)
{
	size_t i;

	for (i = 0; list[i]; i++)
		if (strcmp(list[i], key) == 0)
			return true;
	return false;
}

/* The keys of `props` (a "properties" object) must be exactly `expected` (NULL-ended). */
static void
assert_keys(const struct yn *props, const char *const *expected, const char *what)
{
	size_t i;

	ck_assert_msg(props->kind == YN_MAP, "%s: 'properties' is not an object", what);
	for (i = 0; expected[i]; i++)
		ck_assert_msg(yn_map_get(props, expected[i]) != NULL,
			      "%s: the parser accepts '%s', the schema lacks it", what,
			      expected[i]);
	for (i = 0; i < props->n; i++)
		ck_assert_msg(in_list(expected, props->pairs[i].key->str),
			      "%s: the schema has '%s' (line %u), the parser does not accept it",
			      what, props->pairs[i].key->str, props->pairs[i].key->loc.line);
}

START_TEST(test_top_and_perm_keys)
{
	struct schemafile s;
	const struct yn *props, *defaults, *perm, *group;

	schemafile_load(&s);
	props = member(s.root, s.root, "properties");
	assert_keys(props, cg_cgdef_top_keys, "top level");
	defaults = member(s.root, props, "defaults");
	perm = member(s.root, member(s.root, defaults, "properties"), "perm");
	assert_keys(member(s.root, perm, "properties"), cg_cgdef_perm_keys, "perm");
	assert_keys(member(s.root, member(s.root, member(s.root, perm, "properties"), "task"),
			   "properties"),
		    cg_cgdef_task_keys, "perm.task");
	assert_keys(member(s.root, member(s.root, member(s.root, perm, "properties"), "admin"),
			   "properties"),
		    cg_cgdef_admin_keys, "perm.admin");

	/* a group's perm is the same object as the defaults' */
	group = member(s.root, member(s.root, props, "groups"), "additionalProperties");
	ck_assert_ptr_eq(member(s.root, member(s.root, group, "properties"), "perm"), perm);
	schemafile_release(&s);
}
END_TEST

static const struct yn *
group_props(const struct schemafile *s)
{
	const struct yn *groups = member(s->root, member(s->root, s->root, "properties"), "groups");

	return member(s->root, member(s->root, groups, "additionalProperties"), "properties");
}

START_TEST(test_group_controllers)
{
	const struct cg_controllerdef *ctls;
	struct schemafile s;
	const char **expected;
	size_t n, i;

	ctls = cg_schema_controllers(&n);
	expected = xcalloc(n + 2, sizeof(*expected));
	expected[0] = "perm";
	for (i = 0; i < n; i++)
		expected[i + 1] = ctls[i].name;
	schemafile_load(&s);
	assert_keys(group_props(&s), expected, "group");
	free(expected);
	schemafile_release(&s);
}
END_TEST

static bool
configurable(const struct cg_filedef *f)
{
	return !(f->flags & (CG_FF_FORBIDDEN | CG_FF_READONLY | CG_FF_ACTION));
}

/* "hugetlb.*.max" → "^hugetlb\.[0-9A-Za-z]+\.max$": what schema.c's `*` matches */
static char *
pattern_regex(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	strbuf_addch(&sb, '^');
	for (p = name; *p; p++) {
		if (*p == '*')
			strbuf_adds(&sb, "[0-9A-Za-z]+");
		else if (*p == '.')
			strbuf_adds(&sb, "\\.");
		else
			strbuf_addch(&sb, *p);
	}
	strbuf_addch(&sb, '$');
	return strbuf_detach(&sb);
}

/* A name the pattern entry matches: "hugetlb.*.max" → "hugetlb.2MB.max". */
static char *
pattern_sample(const char *name)
{
	const char *star = strchr(name, '*');

	return xasprintf("%.*s2MB%s", (int)(star - name), name, star + 1);
}

/*
 * Whether the parser takes `f` under controller `ctl`: looked up the way cgdef.c does
 * (cg_schema_file, then cg_schema_core_placeable for core files), and an entry shadowed
 * by an earlier one does not count.
 */
static bool
valid_under(const struct cg_filedef *f, const char *ctl)
{
	char *name;
	bool ok;

	if (!configurable(f))
		return false;
	if ((f->flags & CG_FF_CORE) && !cg_schema_core_placeable(f, ctl))
		return false;
	if (!(f->flags & CG_FF_PATTERN))
		return cg_schema_file(ctl, f->name) == f;
	name = pattern_sample(f->name);
	ok = cg_schema_file(ctl, name) == f;
	free(name);
	return ok;
}

static void
assert_described(const struct schemafile *s, const struct yn *n, const char *ctl, const char *key)
{
	const struct yn *desc = yn_map_get(resolve(s->root, n), "description");

	ck_assert_msg(desc && desc->kind == YN_SCALAR && desc->len > 0,
		      "controller '%s': '%s' has no description", ctl, key);
}

static void
check_controller(const struct schemafile *s, const char *ctl)
{
	const struct yn *c = member(s->root, group_props(s), ctl);
	const struct yn *props = member(s->root, c, "properties");
	const struct yn *pats = yn_map_get(c, "patternProperties");
	const struct cg_filedef *files, *def;
	size_t n, i, j;

	files = cg_schema_files(&n);
	ck_assert_msg(yn_map_get(c, "description") != NULL, "controller '%s' has no description",
		      ctl);
	ck_assert_msg(yn_map_get(props, CG_CGDEF_UNCHECKED_KEY) != NULL,
		      "controller '%s' lacks '%s'", ctl, CG_CGDEF_UNCHECKED_KEY);

	/* table → schema */
	for (i = 0; i < n; i++) {
		char *re;

		if (!valid_under(&files[i], ctl))
			continue;
		if (!(files[i].flags & CG_FF_PATTERN)) {
			ck_assert_msg(
				yn_map_get(props, files[i].name) != NULL,
				"controller '%s': the parser accepts '%s', the schema lacks it",
				ctl, files[i].name);
			continue;
		}
		re = pattern_regex(files[i].name);
		ck_assert_msg(
			pats && yn_map_get(pats, re) != NULL,
			"controller '%s': the parser accepts '%s', the schema lacks the pattern '%s'",
			ctl, files[i].name, re);
		free(re);
	}

	/* schema → table */
	for (i = 0; i < props->n; i++) {
		const char *key = props->pairs[i].key->str;

		if (strcmp(key, CG_CGDEF_UNCHECKED_KEY) == 0)
			continue;
		def = cg_schema_file(ctl, key);
		ck_assert_msg(
			def != NULL && valid_under(def, ctl) && !(def->flags & CG_FF_PATTERN),
			"controller '%s': the schema has '%s' (line %u), the parser does not accept it there",
			ctl, key, props->pairs[i].key->loc.line);
		assert_described(s, props->pairs[i].val, ctl, key);
	}
	for (i = 0; pats && i < pats->n; i++) {
		const char *key = pats->pairs[i].key->str;
		bool found = false;

		for (j = 0; j < n && !found; j++) {
			char *re;

			if (!(files[j].flags & CG_FF_PATTERN) || !valid_under(&files[j], ctl))
				continue;
			re = pattern_regex(files[j].name);
			found = strcmp(re, key) == 0;
			free(re);
		}
		ck_assert_msg(
			found,
			"controller '%s': the schema has the pattern '%s' (line %u), the parser has no such file",
			ctl, key, pats->pairs[i].key->loc.line);
		assert_described(s, pats->pairs[i].val, ctl, key);
	}
}

START_TEST(test_controller_files)
{
	const struct cg_controllerdef *ctls;
	struct schemafile s;
	size_t n;

	ctls = cg_schema_controllers(&n);
	ck_assert_uint_lt((size_t)_i, n);
	schemafile_load(&s);
	check_controller(&s, ctls[_i].name);
	schemafile_release(&s);
}
END_TEST

START_TEST(test_rule_controllers)
{
	const struct cg_controllerdef *ctls;
	struct schemafile s;
	const struct yn *rule, *any, *list;
	size_t n, i, j;

	ctls = cg_schema_controllers(&n);
	schemafile_load(&s);
	rule = member(s.root, member(s.root, s.root, "definitions"), "rule");
	assert_keys(member(s.root, rule, "properties"),
		    (const char *const[]){ "user", "process", "controllers", "destination",
					   "options", NULL },
		    "rule");
	any = member(s.root, member(s.root, member(s.root, rule, "properties"), "controllers"),
		     "anyOf");
	ck_assert_int_eq(any->kind, YN_SEQ);
	ck_assert_uint_eq(any->n, 2);
	list = member(s.root, member(s.root, any->items[1], "items"), "enum");
	ck_assert_int_eq(list->kind, YN_SEQ);
	/* rules may name every controller but "cgroup", which has no hierarchy */
	for (i = 0; i < n; i++) {
		bool found = false;

		for (j = 0; j < list->n; j++)
			found = found || strcmp(list->items[j]->str, ctls[i].name) == 0;
		ck_assert_msg(found == (strcmp(ctls[i].name, "cgroup") != 0),
			      "rule controllers: '%s' is %s the schema's list", ctls[i].name,
			      found ? "wrongly in" : "missing from");
	}
	ck_assert_uint_eq(list->n, n - 1);
	schemafile_release(&s);
}
END_TEST

/* ---- examples ---- */

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.yaml files of examples/, sorted. */
static char **
example_names(size_t *n)
{
	char *dir = tu_srcpath(EXAMPLES_DIR);
	DIR *dh = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t alloc = 0, len;

	ck_assert_msg(dh != NULL, "cannot open '%s'", dir);
	*n = 0;
	while ((de = readdir(dh))) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		names = xgrow(names, sizeof(*names), *n + 1, &alloc);
		names[(*n)++] = xstrdup(de->d_name);
	}
	closedir(dh);
	free(dir);
	if (*n)
		qsort(names, *n, sizeof(*names), name_cmp);
	return names;
}

static struct cg_model *
parse_example(const char *name, struct cg_diags *d)
{
	char *rel = xasprintf("%s/%s", EXAMPLES_DIR, name);
	char *path = tu_srcpath(rel);
	const char *paths[] = { path };
	struct cg_parse_opts o = { .ids_must_exist = false };
	struct cg_model *m = NULL;
	char *text;
	int r;

	cg_diags_init(d);
	r = cg_parse_paths(paths, 1, &o, &m, d);
	text = tu_diags_text(d);
	ck_assert_msg(r == 0 && d->errors == 0, "%s is not valid:\n%s", rel, text);
	free(text);
	free(path);
	free(rel);
	return m;
}

START_TEST(test_examples_valid)
{
	size_t n, i;
	char **names = example_names(&n);

	ck_assert_uint_ge(n, 5);
	for (i = 0; i < n; i++) {
		char *rel = xasprintf("%s/%s", EXAMPLES_DIR, names[i]);
		char *path = tu_srcpath(rel);
		char *text = tu_read_file(path, NULL);
		struct cg_diags d;
		struct cg_model *m;

		ck_assert_msg(strncmp(text, MODELINE, strlen(MODELINE)) == 0,
			      "%s does not start with the schema modeline", rel);
		m = parse_example(names[i], &d);
		ck_assert_uint_ge(m->ngroups, 1);
		cg_model_free(m);
		cg_diags_release(&d);
		free(text);
		free(path);
		free(rel);
		free(names[i]);
	}
	free(names);
}
END_TEST

/* README's quick start validates them all in one run: they must merge (no clashes). */
START_TEST(test_examples_merge)
{
	char *dir = tu_srcpath(EXAMPLES_DIR);
	const char *paths[] = { dir };
	struct cg_parse_opts o = { .ids_must_exist = false };
	struct cg_model *m = NULL;
	struct cg_diags d;
	char *text;
	int r;

	cg_diags_init(&d);
	r = cg_parse_paths(paths, 1, &o, &m, &d);
	text = tu_diags_text(&d);
	ck_assert_msg(r == 0 && d.errors == 0, "the examples do not merge:\n%s", text);
	free(text);
	cg_model_free(m);
	cg_diags_release(&d);
	free(dir);
}
END_TEST

/*
 * ---- a small JSON Schema validator: the subset of draft-07 that the schema uses ----
 *
 * It reads YAML values the way yaml-language-server does (YAML 1.2 core schema: a plain
 * 512 or -1 is an integer, a quoted "512" a string), so that a value form the parser
 * accepts but the schema refuses (quoted integers, say) fails here, not in an editor.
 */

enum jtype {
	JT_NULL,
	JT_BOOL,
	JT_INT,
	JT_NUMBER,
	JT_STRING,
	JT_ARRAY,
	JT_OBJECT
};

static bool
full_match(const char *re, const char *s)
{
	regex_t r;
	int rc;

	ck_assert_msg(regcomp(&r, re, REG_EXTENDED | REG_NOSUB) == 0, "bad regex '%s'", re);
	rc = regexec(&r, s, 0, NULL, 0);
	regfree(&r);
	return rc == 0;
}

static enum jtype
jtype_of(const struct yn *n)
{
	switch (n->kind) {
	case YN_NULL:
		return JT_NULL;
	case YN_SEQ:
		return JT_ARRAY;
	case YN_MAP:
		return JT_OBJECT;
	case YN_SCALAR:
		break;
	}
	if (n->quoted)
		return JT_STRING;
	if (full_match("^(true|True|TRUE|false|False|FALSE)$", n->str))
		return JT_BOOL;
	if (full_match("^([-+]?[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+)$", n->str))
		return JT_INT;
	if (full_match("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$", n->str) ||
	    full_match("^([-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$", n->str))
		return JT_NUMBER;
	return JT_STRING;
}

static bool
jtype_is(enum jtype t, const char *name)
{
	switch (t) {
	case JT_NULL:
		return strcmp(name, "null") == 0;
	case JT_BOOL:
		return strcmp(name, "boolean") == 0;
	case JT_INT:
		return strcmp(name, "integer") == 0 || strcmp(name, "number") == 0;
	case JT_NUMBER:
		return strcmp(name, "number") == 0;
	case JT_STRING:
		return strcmp(name, "string") == 0;
	case JT_ARRAY:
		return strcmp(name, "array") == 0;
	case JT_OBJECT:
		return strcmp(name, "object") == 0;
	}
	return false;
}

static bool
is_xdigit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* JSON Schema (ECMA) regex → POSIX ERE: \s and \S are no POSIX escapes, least of all in []. */
static char *
posix_regex(const char *re)
{
	struct strbuf sb = STRBUF_INIT;
	bool in_class = false;
	const char *p;

	for (p = re; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			if (*p == 's')
				strbuf_adds(&sb, in_class ? "[:space:]" : "[[:space:]]");
			else if (*p == 'S' && !in_class)
				strbuf_adds(&sb, "[^[:space:]]");
			else if (*p == 'd')
				strbuf_adds(&sb, in_class ? "0-9" : "[0-9]");
			else if (*p == 'x' && is_xdigit(p[1]) && is_xdigit(p[2])) {
				/* the byte itself; NUL cannot be in a C string, so \x01 for it */
				char hex[3] = { p[1], p[2], '\0' };
				long c = strtol(hex, NULL, 16);

				strbuf_addch(&sb, (char)(c ? c : 1));
				p += 2;
			} else if (in_class)
				strbuf_addch(&sb, *p);
			else
				strbuf_addf(&sb, "\\%c", *p);
			continue;
		}
		if (*p == '[' && !in_class) {
			in_class = true;
			strbuf_addch(&sb, '[');
			if (p[1] == '^')
				strbuf_addch(&sb, *++p);
			if (p[1] == ']')
				strbuf_addch(&sb, *++p);
			continue;
		}
		if (*p == ']' && in_class)
			in_class = false;
		strbuf_addch(&sb, *p);
	}
	return strbuf_detach(&sb);
}

static long double
num_of(const struct yn *n)
{
	return strtold(n->str, NULL);
}

/* JSON equality of a value and a schema constant (both as loaded YAML nodes). */
static bool
json_equal(const struct yn *a, const struct yn *b)
{
	enum jtype ta = jtype_of(a), tb = jtype_of(b);

	if ((ta == JT_INT || ta == JT_NUMBER) && (tb == JT_INT || tb == JT_NUMBER))
		return num_of(a) == num_of(b);
	if (ta != tb || ta == JT_ARRAY || ta == JT_OBJECT)
		return ta == tb && ta == JT_NULL;
	return ta == JT_NULL || strcmp(a->str, b->str) == 0;
}

static bool validate(const struct yn *root, const struct yn *schema, const struct yn *v,
		     struct strbuf *why);

static bool
validate_object(const struct yn *root, const struct yn *schema, const struct yn *v,
		struct strbuf *why)
{
	const struct yn *props = yn_map_get(schema, "properties");
	const struct yn *pattern = yn_map_get(schema, "patternProperties");
	const struct yn *extra = yn_map_get(schema, "additionalProperties");
	const struct yn *names = yn_map_get(schema, "propertyNames");
	const struct yn *req = yn_map_get(schema, "required");
	size_t i, j;

	for (i = 0; req && i < req->n; i++)
		if (!yn_map_get(v, req->items[i]->str)) {
			strbuf_addf(why, "%u:%u: '%s' is required", v->loc.line, v->loc.col,
				    req->items[i]->str);
			return false;
		}
	for (i = 0; i < v->n; i++) {
		const struct yn *key = v->pairs[i].key, *val = v->pairs[i].val;
		const struct yn *sub = props ? yn_map_get(props, key->str) : NULL;
		bool matched = sub != NULL;

		if (names && !validate(root, names, key, why))
			return false;
		if (sub && !validate(root, sub, val, why))
			return false;
		for (j = 0; pattern && j < pattern->n; j++) {
			CG_AUTOFREE char *re = posix_regex(pattern->pairs[j].key->str);

			if (!full_match(re, key->str))
				continue;
			matched = true;
			if (!validate(root, pattern->pairs[j].val, val, why))
				return false;
		}
		if (matched || !extra)
			continue;
		if (extra->kind == YN_SCALAR && strcmp(extra->str, "false") == 0) {
			strbuf_addf(why, "%u:%u: key '%s' is not allowed", key->loc.line,
				    key->loc.col, key->str);
			return false;
		}
		if (extra->kind == YN_MAP && !validate(root, extra, val, why))
			return false;
	}
	return true;
}

static bool
validate(const struct yn *root, const struct yn *schema, const struct yn *v, struct strbuf *why)
{
	const struct yn *k;
	enum jtype t = jtype_of(v);
	size_t i, n;

	schema = resolve(root, schema);
	if ((k = yn_map_get(schema, "type"))) {
		bool ok = false;

		if (k->kind == YN_SEQ)
			for (i = 0; i < k->n; i++)
				ok = ok || jtype_is(t, k->items[i]->str);
		else
			ok = jtype_is(t, k->str);
		if (!ok) {
			strbuf_addf(why, "%u:%u: '%s' is not of type %s", v->loc.line, v->loc.col,
				    v->str ? v->str : yn_kind_name(v->kind),
				    k->kind == YN_SCALAR ? k->str : "(list)");
			return false;
		}
	}
	if ((k = yn_map_get(schema, "const")) && !json_equal(v, k)) {
		strbuf_addf(why, "%u:%u: '%s' is not '%s'", v->loc.line, v->loc.col,
			    v->str ? v->str : yn_kind_name(v->kind), k->str);
		return false;
	}
	if ((k = yn_map_get(schema, "enum"))) {
		bool ok = false;

		for (i = 0; i < k->n; i++)
			ok = ok || json_equal(v, k->items[i]);
		if (!ok) {
			strbuf_addf(why, "%u:%u: '%s' is not one of the enum", v->loc.line,
				    v->loc.col, v->str ? v->str : yn_kind_name(v->kind));
			return false;
		}
	}
	if (t == JT_STRING) {
		/* lookaheads (the group name pattern) have no POSIX form: names are the
		 * parser's tests' business, the value forms are this test's */
		if ((k = yn_map_get(schema, "pattern")) && !strstr(k->str, "(?")) {
			CG_AUTOFREE char *re = posix_regex(k->str);

			if (!full_match(re, v->str)) {
				strbuf_addf(why, "%u:%u: '%s' does not match '%s'", v->loc.line,
					    v->loc.col, v->str, k->str);
				return false;
			}
		}
		if ((k = yn_map_get(schema, "minLength")) &&
		    strlen(v->str) < strtoul(k->str, 0, 10)) {
			strbuf_addf(why, "%u:%u: '%s' is too short", v->loc.line, v->loc.col,
				    v->str);
			return false;
		}
	}
	if (t == JT_INT || t == JT_NUMBER) {
		if (((k = yn_map_get(schema, "minimum")) && num_of(v) < num_of(k)) ||
		    ((k = yn_map_get(schema, "maximum")) && num_of(v) > num_of(k))) {
			strbuf_addf(why, "%u:%u: %s is out of range", v->loc.line, v->loc.col,
				    v->str);
			return false;
		}
	}
	if (t == JT_ARRAY) {
		if ((k = yn_map_get(schema, "minItems")) && v->n < strtoul(k->str, 0, 10)) {
			strbuf_addf(why, "%u:%u: too few items", v->loc.line, v->loc.col);
			return false;
		}
		if ((k = yn_map_get(schema, "items")))
			for (i = 0; i < v->n; i++)
				if (!validate(root, k, v->items[i], why))
					return false;
	}
	if (t == JT_OBJECT && !validate_object(root, schema, v, why))
		return false;
	if ((k = yn_map_get(schema, "allOf")))
		for (i = 0; i < k->n; i++)
			if (!validate(root, k->items[i], v, why))
				return false;
	if ((k = yn_map_get(schema, "anyOf")) || (k = yn_map_get(schema, "oneOf"))) {
		bool one = yn_map_get(schema, "oneOf") == k;
		struct strbuf sub = STRBUF_INIT;

		for (i = 0, n = 0; i < k->n; i++) {
			strbuf_reset(&sub);
			n += validate(root, k->items[i], v, &sub);
		}
		strbuf_release(&sub);
		if (n == 0 || (one && n != 1)) {
			strbuf_addf(why, "%u:%u: '%s' is valid under %zu of the %s alternatives",
				    v->loc.line, v->loc.col,
				    v->str ? v->str : yn_kind_name(v->kind), n,
				    one ? "oneOf" : "anyOf");
			return false;
		}
	}
	return true;
}

/* Every golden good case and every example validates against the schema, value forms too. */
START_TEST(test_valid_files_match_schema)
{
	static const char *const dirs[] = { "tests/golden/good", EXAMPLES_DIR };
	struct schemafile s;
	size_t d, i, n, total = 0;

	schemafile_load(&s);
	for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		char *dir = tu_srcpath(dirs[d]);
		char **names = tu_list_dir(dir, ".yaml", &n);

		for (i = 0; i < n; i++) {
			char *path = xasprintf("%s/%s", dir, names[i]);
			size_t len;
			char *text = tu_read_file(path, &len);
			struct strbuf why = STRBUF_INIT;
			struct yn *doc = NULL;
			struct cg_diags diags;

			cg_diags_init(&diags);
			ck_assert_int_eq(yn_load(path, text, len, &doc, &diags), 0);
			ck_assert_msg(validate(s.root, s.root, doc, &why),
				      "%s/%s does not validate against %s: %s", dirs[d], names[i],
				      SCHEMA_FILE, why.buf);
			strbuf_release(&why);
			yn_free(doc);
			cg_diags_release(&diags);
			free(text);
			free(path);
			free(names[i]);
			total++;
		}
		free(names);
		free(dir);
	}
	ck_assert_uint_ge(total, 10);
	schemafile_release(&s);
}
END_TEST

/* The same validator refuses what the parser refuses, or the test above proves nothing. */
START_TEST(test_schema_value_forms)
{
	static const struct {
		const char *text;
		bool valid;
	} cases[] = {
		{ "cpu.shares: \"512\"", true },      { "cpu.shares: 512", true },
		{ "cpu.cfs_quota_us: \"-1\"", true }, { "cpu.cfs_period_us: \"100000\"", true },
		{ "cpu.shares: \"5x\"", false },      { "cpu.shares: \"0512\"", false },
		{ "cpu.shares: \"-0\"", false },      { "cpu.shares: 1.5", false },
		{ "cpu.shares: [1]", false },	      { "cpu.cfs_quota_us: -1", true },
		{ "cpu.idle: \"1\"", true },	      { "cpu.nosuch: 1", false },
	};
	struct schemafile s;
	size_t i;

	schemafile_load(&s);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text =
			xasprintf("version: 1\ngroups:\n  g:\n    cpu: { %s }\n", cases[i].text);
		struct strbuf why = STRBUF_INIT;
		struct yn *doc = NULL;
		struct cg_diags diags;

		cg_diags_init(&diags);
		ck_assert_int_eq(yn_load("t.yaml", text, strlen(text), &doc, &diags), 0);
		ck_assert_msg(validate(s.root, s.root, doc, &why) == cases[i].valid,
			      "'%s': expected %s by the schema (%s)", cases[i].text,
			      cases[i].valid ? "valid" : "invalid", why.buf);
		strbuf_release(&why);
		yn_free(doc);
		cg_diags_release(&diags);
		free(text);
	}
	schemafile_release(&s);
}
END_TEST

static const struct cg_group *
group(const struct cg_model *m, const char *path)
{
	const struct cg_group *g = cg_model_find_group(m, path);

	ck_assert_msg(g != NULL, "no group '%s'", path);
	return g;
}

static const struct cg_value *
value(const struct cg_group *g, const char *file)
{
	const struct cg_setting *s = cg_group_setting(g, file);

	ck_assert_msg(s != NULL, "group '%s' does not set '%s'", g->path, file);
	return &s->value;
}

static void
assert_cpus(const struct cg_group *g, const char *file, const char *want)
{
	const struct cg_value *v = value(g, file);
	struct strbuf sb = STRBUF_INIT;

	ck_assert_int_eq(v->type, CG_VT_CPULIST);
	cg_cpuset_format(&v->u.cpus, &sb);
	ck_assert_str_eq(sb.buf, want);
	strbuf_release(&sb);
}

static void
assert_bytes(const struct cg_group *g, const char *file, uint64_t want)
{
	const struct cg_value *v = value(g, file);

	ck_assert_int_eq(v->type, CG_VT_SIZE);
	ck_assert(!v->u.size.unlimited);
	ck_assert_uint_eq(v->u.size.bytes, want);
}

START_TEST(test_three_users_model)
{
	struct cg_diags d;
	struct cg_model *m = parse_example("three-users.yaml", &d);
	const struct cg_group *zorro, *jerry, *shrek;
	const struct cg_rule *r;

	ck_assert_uint_eq(m->ngroups, 3);
	ck_assert_uint_eq(m->nrules, 3);
	ck_assert_uint_eq(d.warnings, 0);
	zorro = group(m, "zorro");
	jerry = group(m, "jerry");
	shrek = group(m, "shrek");

	ck_assert_uint_eq(zorro->nctls, 4);
	assert_bytes(zorro, "memory.limit_in_bytes", 4 * GIB);
	assert_bytes(zorro, "memory.memsw.limit_in_bytes", 6 * GIB);
	assert_cpus(zorro, "cpuset.cpus", "0-7,12-19");
	assert_cpus(zorro, "cpuset.mems", "0-1");
	ck_assert_int_eq(value(zorro, "cpu.shares")->u.num.v, 6000);
	ck_assert_int_eq(value(zorro, "cpu.cfs_quota_us")->u.num.v, 600000);
	assert_cpus(jerry, "cpuset.cpus", "0-1");
	assert_cpus(jerry, "cpuset.mems", "0");
	assert_bytes(shrek, "memory.limit_in_bytes", 1536 * MIB);

	/* perms: task files owned by the user, the rest by root */
	ck_assert(zorro->perm.task_uid.set && zorro->perm.task_uid.resolved);
	ck_assert_uint_eq(zorro->perm.task_uid.id, 1001);
	ck_assert_uint_eq(zorro->perm.task_fperm.mode, 0660);
	ck_assert_uint_eq(zorro->perm.admin_dperm.mode, 0775);
	ck_assert(jerry->perm.admin_dperm.set);
	ck_assert_uint_eq(jerry->perm.admin_dperm.mode, 0755);
	ck_assert_uint_eq(jerry->perm.admin_uid.id, 0);

	r = &m->rules[0];
	ck_assert_int_eq(r->who, CG_RULE_USER);
	ck_assert_uint_eq(r->id.id, 1001);
	ck_assert(!r->all_controllers);
	ck_assert_uint_eq(r->ncontrollers, 4);
	ck_assert_str_eq(r->destination, "zorro");
	ck_assert_str_eq(m->rules[2].destination, "shrek");

	cg_model_free(m);
	cg_diags_release(&d);
}
END_TEST

static Suite *
schemafile_suite(void)
{
	Suite *s = suite_create("schemafile");
	TCase *tc = tcase_create("schema");
	size_t n;

	cg_schema_controllers(&n);
	tcase_add_test(tc, test_top_and_perm_keys);
	tcase_add_test(tc, test_group_controllers);
	tcase_add_loop_test(tc, test_controller_files, 0, (int)n);
	tcase_add_test(tc, test_rule_controllers);
	tcase_add_test(tc, test_schema_value_forms);
	tcase_add_test(tc, test_valid_files_match_schema);
	suite_add_tcase(s, tc);

	tc = tcase_create("examples");
	tcase_add_test(tc, test_examples_valid);
	tcase_add_test(tc, test_examples_merge);
	tcase_add_test(tc, test_three_users_model);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(schemafile_suite());
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "parser/cgdef.h"

#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "parser/ids.h"
#include "parser/names.h"
#include "parser/rules.h"
#include "parser/schema.h"
#include "parser/yaml.h"

const char *const cg_cgdef_top_keys[] = { "version", "defaults", "groups", "rules", NULL };
const char *const cg_cgdef_perm_keys[] = { "task", "admin", NULL };
const char *const cg_cgdef_task_keys[] = { "uid", "gid", "fperm", NULL };
const char *const cg_cgdef_admin_keys[] = { "uid", "gid", "dperm", "fperm", NULL };
static const char *const defaults_keys[] = { "perm", NULL };

static const char *
suggest_key(const char *key, const char *const *keys)
{
	const char *best = NULL;
	size_t best_d = 3, i;

	for (i = 0; keys[i]; i++) {
		size_t dist = cg_edit_distance(key, keys[i]);

		if (dist < best_d) {
			best_d = dist;
			best = keys[i];
		}
	}
	return best;
}

static void
list_keys(struct strbuf *sb, const char *const *keys)
{
	size_t i;

	for (i = 0; keys[i]; i++)
		strbuf_addf(sb, "%s'%s'", i == 0 ? "" : keys[i + 1] ? ", " : " or ", keys[i]);
}

/* Reports every key of `map` that is not in `keys`. */
static void
check_keys(const struct yn *map, const char *const *keys, const char *where, struct cg_diags *d)
{
	size_t i, j;

	for (i = 0; i < map->n; i++) {
		const struct yn *key = map->pairs[i].key;
		struct strbuf sb = STRBUF_INIT;
		const char *near;
		char *shown;
		bool known = false;

		for (j = 0; keys[j]; j++)
			if (strcmp(key->str, keys[j]) == 0)
				known = true;
		if (known)
			continue;
		if (key->str[0] == '\0') {
			list_keys(&sb, keys);
			cg_diag_error(d, &key->loc, "empty key in %s, expected %s", where, sb.buf);
			strbuf_release(&sb);
			continue;
		}
		near = suggest_key(key->str, keys);
		shown = cg_diag_shown(key->str);
		if (near)
			cg_diag_error(d, &key->loc, "unknown key '%s' in %s, did you mean '%s'?",
				      shown, where, near);
		else {
			list_keys(&sb, keys);
			cg_diag_error(d, &key->loc, "unknown key '%s' in %s, expected %s", shown,
				      where, sb.buf);
		}
		free(shown);
		strbuf_release(&sb);
	}
}

static bool
expect_kind(const struct yn *n, enum yn_kind kind, const char *what, struct cg_diags *d)
{
	if (n->kind == kind)
		return true;
	if (n->invalid) /* a refused alias, already reported */
		return false;
	cg_diag_error(d, &n->loc, "%s must be %s, got %s", what, yn_kind_name(kind),
		      yn_kind_name(n->kind));
	return false;
}

static bool
scalar_text(const struct yn *n, const char *what, struct cg_diags *d)
{
	if (n->kind == YN_SCALAR && strlen(n->str) == n->len)
		return true;
	if (n->invalid)
		return false;
	if (n->kind == YN_SCALAR)
		cg_diag_error(d, &n->loc, "%s must not contain NUL characters", what);
	else
		cg_diag_error(d, &n->loc, "%s must be a scalar, got %s", what,
			      yn_kind_name(n->kind));
	return false;
}

static void
parse_mode(struct cg_mode *m, const struct yn *n, const char *what, struct cg_diags *d)
{
	const char *s;
	unsigned long v = 0;

	if (!scalar_text(n, what, d))
		return;
	s = n->str;
	if (*s == '\0' || strlen(s) > 5 || strspn(s, "01234567") != strlen(s)) {
		cg_diag_error(d, &n->loc,
			      "invalid %s '%s', expected an octal mode such as \"0644\"", what, s);
		return;
	}
	v = strtoul(s, NULL, 8);
	if (v > 07777) {
		cg_diag_error(d, &n->loc, "invalid %s '%s', expected an octal mode from 0 to 07777",
			      what, s);
		return;
	}
	m->set = true;
	m->mode = (mode_t)v;
	m->loc = n->loc;
}

static void
parse_id(struct cg_id *id, enum cg_id_kind kind, const struct yn *n, const char *what,
	 const struct cg_cgdef_opts *o, struct cg_diags *d)
{
	if (!scalar_text(n, what, d))
		return;
	cg_id_parse(id, kind, n->str, &n->loc, o->ids_must_exist, d);
}

static void
parse_perm_part(struct cg_perm *p, bool admin, const struct yn *n, const struct cg_cgdef_opts *o,
		struct cg_diags *d)
{
	const struct yn *v;

	if (n->kind == YN_NULL)
		return;
	if (!expect_kind(n, YN_MAP, admin ? "'admin'" : "'task'", d))
		return;
	check_keys(n, admin ? cg_cgdef_admin_keys : cg_cgdef_task_keys,
		   admin ? "'perm.admin'" : "'perm.task'", d);
	if ((v = yn_map_get(n, "uid")))
		parse_id(admin ? &p->admin_uid : &p->task_uid, CG_ID_USER, v, "uid", o, d);
	if ((v = yn_map_get(n, "gid")))
		parse_id(admin ? &p->admin_gid : &p->task_gid, CG_ID_GROUP, v, "gid", o, d);
	if ((v = yn_map_get(n, "fperm")))
		parse_mode(admin ? &p->admin_fperm : &p->task_fperm, v, "fperm", d);
	if (admin && (v = yn_map_get(n, "dperm")))
		parse_mode(&p->admin_dperm, v, "dperm", d);
}

static void
parse_perm(struct cg_perm *p, const struct yn *n, const struct cg_cgdef_opts *o, struct cg_diags *d)
{
	const struct yn *v;

	if (n->kind == YN_NULL)
		return;
	if (!expect_kind(n, YN_MAP, "'perm'", d))
		return;
	check_keys(n, cg_cgdef_perm_keys, "'perm'", d);
	if ((v = yn_map_get(n, "task")))
		parse_perm_part(p, false, v, o, d);
	if ((v = yn_map_get(n, "admin")))
		parse_perm_part(p, true, v, o, d);
}

static struct cg_setting *
block_add(struct cg_ctlblock *c)
{
	struct cg_setting *s;

	c->settings = xgrow(c->settings, sizeof(*c->settings), c->n + 1, &c->alloc);
	s = &c->settings[c->n++];
	memset(s, 0, sizeof(*s));
	return s;
}

/* A configurable file named `ctl.name`, or NULL. */
static const struct cg_filedef *
prefixed_file(const char *ctl, const char *name)
{
	CG_AUTOFREE char *full = xasprintf("%s.%s", ctl, name);
	const struct cg_filedef *def = cg_schema_file(ctl, full);

	if (def && (def->flags & (CG_FF_FORBIDDEN | CG_FF_READONLY | CG_FF_ACTION)))
		return NULL;
	return def;
}

/*
 * `shares` for `cpu.shares`: kernel file names keep their controller prefix, and the
 * edit distance of the whole name is too large for the general suggestion to find it.
 * The file may belong to another controller (`cpus` under 'cpu' is cpuset.cpus).
 */
static bool
suggest_prefixed(const char *ctl, const struct yn *key, struct cg_diags *d)
{
	CG_AUTOFREE char *file = cg_diag_shown(key->str);
	const struct cg_controllerdef *all;
	size_t n, i;

	/* the name as typed with its prefix, so a patterned one reads hugetlb.2MB... */
	if (prefixed_file(ctl, key->str)) {
		cg_diag_error(d, &key->loc,
			      "unknown file '%s' for controller '%s', did you mean '%s.%s'?", file,
			      ctl, ctl, file);
		return true;
	}
	all = cg_schema_controllers(&n);
	for (i = 0; i < n; i++) {
		if (strcmp(all[i].name, ctl) == 0 || !prefixed_file(all[i].name, key->str))
			continue;
		cg_diag_error(
			d, &key->loc,
			"unknown file '%s' for controller '%s', did you mean '%s.%s' under '%s'?",
			file, ctl, all[i].name, file, all[i].name);
		return true;
	}
	return false;
}

static void
report_unknown_file(const char *ctl, const struct yn *key, struct cg_diags *d)
{
	const struct cg_filedef *other = cg_schema_file_any(key->str);
	CG_AUTOFREE char *file = cg_diag_shown(key->str);
	const char *near;

	if (key->str[0] == '\0') {
		cg_diag_error(d, &key->loc,
			      "empty key under controller '%s', expected a control file name", ctl);
		return;
	}
	if (other) {
		cg_diag_error(d, &key->loc,
			      "'%s' belongs to controller '%s', not '%s'; move it under '%s'",
			      key->str, other->controller, ctl, other->controller);
		return;
	}
	if (suggest_prefixed(ctl, key, d))
		return;
	near = cg_schema_suggest_file(ctl, key->str);
	if (near)
		cg_diag_error(d, &key->loc,
			      "unknown file '%s' for controller '%s', did you mean '%s'?", file,
			      ctl, near);
	else
		cg_diag_error(
			d, &key->loc,
			"unknown file '%s' for controller '%s', expected a known control file (files cgapply does not know go under '%s')",
			file, ctl, CG_CGDEF_UNCHECKED_KEY);
}

/* A file the table knows but that configuration must not hold: say why. */
static bool
refuse_file(const struct cg_filedef *def, const struct yn *key, struct cg_diags *d)
{
	const char *why = def->why ? def->why : "";

	if (def->flags & CG_FF_FORBIDDEN) {
		cg_diag_error(d, &key->loc, "'%s' cannot be configured%s%s", def->name,
			      *why ? ": " : "", why);
		return true;
	}
	if (def->flags & CG_FF_READONLY) {
		cg_diag_error(d, &key->loc,
			      "'%s' is read-only (the kernel reports it), not configuration",
			      def->name);
		return true;
	}
	if (def->flags & CG_FF_ACTION) {
		cg_diag_error(d, &key->loc,
			      "'%s' is a write-only action, not state%s%s; run it by hand instead",
			      def->name, *why ? ": " : "", why);
		return true;
	}
	return false;
}

/*
 * A v1 core file (notify_on_release) lives in every v1 hierarchy, so it goes under the
 * controller whose hierarchy it is for; the `cgroup` key stands for the v2 tree's own
 * core files (cgroup.max.depth), which no v1 controller block can hold.
 */
static bool
misplaced_core_file(const char *ctl, const struct cg_filedef *def, const struct yn *key,
		    struct cg_diags *d)
{
	if (!(def->flags & CG_FF_CORE) || cg_schema_core_placeable(def, ctl))
		return false;
	if (strcmp(ctl, "cgroup") == 0)
		cg_diag_error(
			d, &key->loc,
			"'%s' is a cgroup v1 file that every v1 hierarchy has; write it under the controller whose hierarchy it is for, such as 'memory'",
			def->name);
	else
		cg_diag_error(
			d, &key->loc,
			"'%s' is a cgroup v2 core file and '%s' is a v1-only controller; write it under 'cgroup'",
			def->name, ctl);
	return true;
}

static void
parse_unchecked(struct cg_ctlblock *c, const struct yn *map, struct cg_diags *d)
{
	size_t i;

	if (map->kind == YN_NULL)
		return;
	if (!expect_kind(map, YN_MAP, "'" CG_CGDEF_UNCHECKED_KEY "'", d))
		return;
	for (i = 0; i < map->n; i++) {
		const struct yn *key = map->pairs[i].key, *val = map->pairs[i].val;
		const struct cg_filedef *def = cg_schema_file_any(key->str);
		size_t plen = strlen(c->name);
		struct cg_value v;
		struct cg_setting *s;

		if (def && (def->flags & (CG_FF_FORBIDDEN | CG_FF_READONLY | CG_FF_ACTION))) {
			refuse_file(def, key, d);
			continue;
		}
		if (def) {
			cg_diag_error(
				d, &key->loc,
				"'%s' is a known file; write it under '%s' itself so that its value is checked",
				key->str, def->controller);
			continue;
		}
		if (strchr(key->str, '/') || key->str[0] == '\0' || key->str[0] == '.' ||
		    (strcmp(c->name, "cgroup") != 0 &&
		     (strncmp(key->str, c->name, plen) != 0 || key->str[plen] != '.'))) {
			CG_AUTOFREE char *shown = cg_diag_shown(key->str);

			cg_diag_error(d, &key->loc,
				      "invalid unchecked file name '%s', expected '%s.<name>'",
				      shown, c->name);
			continue;
		}
		if (val->invalid || cg_value_parse_unchecked(key->str, val, &v, d) < 0)
			continue;
		s = block_add(c);
		s->file = xstrdup(key->str);
		s->def = NULL;
		s->value = v;
		s->key_loc = key->loc;
		s->loc = val->loc;
	}
}

static void
parse_controller(struct cg_group *g, const struct yn *key, const struct yn *map, struct cg_diags *d)
{
	struct cg_ctlblock *c;
	size_t i;

	g->ctls = xgrow(g->ctls, sizeof(*g->ctls), g->nctls + 1, &g->ctls_alloc);
	c = &g->ctls[g->nctls++];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(key->str);
	c->loc = key->loc;
	if (map->kind == YN_NULL)
		return;
	if (map->kind != YN_MAP) {
		cg_diag_error(
			d, &map->loc,
			"controller '%s' must be a mapping of control files to values ({} to only create the group), got %s",
			key->str, yn_kind_name(map->kind));
		return;
	}
	for (i = 0; i < map->n; i++) {
		const struct yn *fkey = map->pairs[i].key, *val = map->pairs[i].val;
		const struct cg_filedef *def;
		struct cg_value v;
		struct cg_setting *s;

		if (strcmp(fkey->str, CG_CGDEF_UNCHECKED_KEY) == 0) {
			parse_unchecked(c, val, d);
			continue;
		}
		def = cg_schema_file(c->name, fkey->str);
		if (!def) {
			report_unknown_file(c->name, fkey, d);
			continue;
		}
		if (refuse_file(def, fkey, d) || misplaced_core_file(c->name, def, fkey, d))
			continue;
		if (def->flags & CG_FF_IGNORED)
			cg_diag_warning(d, &fkey->loc, "'%s' is %s", def->name,
					def->why ? def->why : "ignored by the kernel");
		/* a refused alias has no value to check, and was reported already */
		if (val->invalid || cg_value_parse(def, val, &v, d) < 0)
			continue;
		s = block_add(c);
		s->file = xstrdup(fkey->str);
		s->def = def;
		s->value = v;
		s->key_loc = fkey->loc;
		s->loc = val->loc;
	}
}

static void
report_unknown_group_key(const struct yn *key, struct cg_diags *d)
{
	const char *near = cg_schema_suggest_controller(key->str);
	CG_AUTOFREE char *shown = cg_diag_shown(key->str);

	if (key->str[0] == '\0') {
		cg_diag_error(
			d, &key->loc,
			"empty key in a group, expected 'perm' or a controller name such as 'cpu', 'memory' or 'cpuset'");
		return;
	}
	if (!near && cg_edit_distance(key->str, "perm") <= 2)
		near = "perm";
	if (near)
		cg_diag_error(d, &key->loc, "unknown controller '%s', did you mean '%s'?", shown,
			      near);
	else
		cg_diag_error(
			d, &key->loc,
			"unknown controller '%s', expected 'perm' or a controller name such as 'cpu', 'memory' or 'cpuset'",
			shown);
}

static void
parse_group_body(struct cg_group *g, const struct yn *body, const struct cg_cgdef_opts *o,
		 struct cg_diags *d)
{
	size_t i;

	if (body->kind == YN_NULL)
		return;
	if (body->kind != YN_MAP) {
		CG_AUTOFREE char *shown = cg_diag_shown(g->path);

		cg_diag_error(d, &body->loc,
			      "group '%s' must be a mapping of 'perm' and controllers, got %s",
			      shown, yn_kind_name(body->kind));
		return;
	}
	for (i = 0; i < body->n; i++) {
		const struct yn *k = body->pairs[i].key, *v = body->pairs[i].val;

		if (strcmp(k->str, "perm") == 0)
			parse_perm(&g->perm, v, o, d);
		else if (cg_schema_controller(k->str))
			parse_controller(g, k, v, d);
		else
			report_unknown_group_key(k, d);
	}
}

static void
parse_group(struct cg_model *m, const struct yn *key, const struct yn *body,
	    const struct cg_cgdef_opts *o, struct cg_diags *d)
{
	struct cg_group *g;
	bool is_template = false;

	if (cg_group_path_check(key->str, &key->loc, &is_template, d) < 0) {
		/* still check the body, so that one run reports its problems too */
		struct cg_group scratch = { .path = xstrdup(key->str), .loc = key->loc };

		parse_group_body(&scratch, body, o, d);
		cg_group_release(&scratch);
		return;
	}
	g = cg_model_find_group(m, key->str);
	if (g) {
		cg_diag_error(d, &key->loc,
			      "group '%s' is already defined at %s:%u:%u; define each group once",
			      key->str, g->loc.file, g->loc.line, g->loc.col);
		return;
	}
	g = cg_model_add_group(m, key->str);
	g->loc = key->loc;
	g->is_template = is_template;
	parse_group_body(g, body, o, d);
}

static void
parse_version(const struct yn *root, struct cg_diags *d)
{
	const struct yn *v = yn_map_get(root, "version");

	if (!v) {
		cg_diag_error(d, &root->loc,
			      "missing 'version', expected 'version: 1' at the top of the file");
		return;
	}
	if (v->invalid)
		return;
	if (v->kind != YN_SCALAR || strcmp(v->str, "1") != 0) {
		CG_AUTOFREE char *shown =
			cg_diag_shown(v->kind == YN_SCALAR ? v->str : yn_kind_name(v->kind));

		cg_diag_error(d, &v->loc, "unsupported version '%s', expected 1", shown);
	}
}

void
cg_cgdef_load(struct cg_model *m, const struct yn *root, const struct cg_cgdef_opts *o,
	      struct cg_srcloc *defaults_loc, struct cg_diags *d)
{
	const struct yn *v;
	size_t i;

	if (root->invalid)
		return;
	if (root->kind == YN_NULL) {
		cg_diag_error(d, &root->loc, "empty configuration, expected at least 'version: 1'");
		return;
	}
	if (!expect_kind(root, YN_MAP, "the configuration", d))
		return;
	check_keys(root, cg_cgdef_top_keys, "the configuration", d);
	parse_version(root, d);
	if ((v = yn_map_get(root, "defaults")) && v->kind != YN_NULL &&
	    expect_kind(v, YN_MAP, "'defaults'", d)) {
		const struct yn *perm = yn_map_get(v, "perm");

		check_keys(v, defaults_keys, "'defaults'", d);
		if (defaults_loc->file && perm) {
			cg_diag_error(d, &v->loc,
				      "'defaults' are already given at %s:%u:%u; give them once",
				      defaults_loc->file, defaults_loc->line, defaults_loc->col);
		} else if (perm) {
			*defaults_loc = v->loc;
			parse_perm(&m->defaults, perm, o, d);
		}
	}
	if ((v = yn_map_get(root, "groups")) && v->kind != YN_NULL &&
	    expect_kind(v, YN_MAP, "'groups'", d)) {
		for (i = 0; i < v->n; i++)
			parse_group(m, v->pairs[i].key, v->pairs[i].val, o, d);
	}
	if ((v = yn_map_get(root, "rules"))) {
		struct cg_rules_opts ro = { .ids_must_exist = o->ids_must_exist };

		cg_rules_parse_yaml(m, v, &ro, d);
	}
}

static void
fill_id(struct cg_id *dst, const struct cg_id *src)
{
	if (dst->set || !src->set)
		return;
	*dst = *src;
	dst->name = xstrdup(src->name);
}

static void
fill_mode(struct cg_mode *dst, const struct cg_mode *src)
{
	if (!dst->set && src->set)
		*dst = *src;
}

void
cg_cgdef_apply_defaults(struct cg_model *m)
{
	const struct cg_perm *def = &m->defaults;
	size_t i;

	for (i = 0; i < m->ngroups; i++) {
		struct cg_perm *p = &m->groups[i].perm;

		fill_id(&p->task_uid, &def->task_uid);
		fill_id(&p->task_gid, &def->task_gid);
		fill_mode(&p->task_fperm, &def->task_fperm);
		fill_id(&p->admin_uid, &def->admin_uid);
		fill_id(&p->admin_gid, &def->admin_gid);
		fill_mode(&p->admin_dperm, &def->admin_dperm);
		fill_mode(&p->admin_fperm, &def->admin_fperm);
	}
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "parser/model.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

struct cg_model *
cg_model_new(void)
{
	return xcalloc(1, sizeof(struct cg_model));
}

void
cg_id_release(struct cg_id *id)
{
	free(id->name);
	memset(id, 0, sizeof(*id));
}

void
cg_perm_release(struct cg_perm *p)
{
	cg_id_release(&p->task_uid);
	cg_id_release(&p->task_gid);
	cg_id_release(&p->admin_uid);
	cg_id_release(&p->admin_gid);
}

void
cg_rule_release(struct cg_rule *r)
{
	size_t i;

	cg_id_release(&r->id);
	free(r->process);
	for (i = 0; i < r->ncontrollers; i++)
		free(r->controllers[i]);
	free(r->controllers);
	free(r->controller_locs);
	free(r->destination);
}

void
cg_group_release(struct cg_group *g)
{
	size_t i, j;

	for (i = 0; i < g->nctls; i++) {
		struct cg_ctlblock *c = &g->ctls[i];

		for (j = 0; j < c->n; j++) {
			free(c->settings[j].file);
			cg_value_release(&c->settings[j].value);
		}
		free(c->settings);
		free(c->name);
	}
	free(g->ctls);
	cg_perm_release(&g->perm);
	free(g->path);
}

void
cg_model_free(struct cg_model *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->ngroups; i++)
		cg_group_release(&m->groups[i]);
	free(m->groups);
	strmap_release(&m->group_index);
	for (i = 0; i < m->nrules; i++)
		cg_rule_release(&m->rules[i]);
	free(m->rules);
	cg_perm_release(&m->defaults);
	for (i = 0; i < m->nfiles; i++)
		free(m->files[i]);
	free(m->files);
	free(m);
}

void
cg_model_freep(struct cg_model **m)
{
	cg_model_free(*m);
}

const char *
cg_model_intern_file(struct cg_model *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nfiles; i++)
		if (strcmp(m->files[i], name) == 0)
			return m->files[i];
	m->files = xgrow(m->files, sizeof(*m->files), m->nfiles + 1, &m->files_alloc);
	m->files[m->nfiles] = xstrdup(name);
	return m->files[m->nfiles++];
}

struct cg_group *
cg_model_find_group(const struct cg_model *m, const char *path)
{
	size_t i;

	if (!strmap_get(&m->group_index, path, strlen(path), &i))
		return NULL;
	return &m->groups[i];
}

struct cg_group *
cg_model_add_group(struct cg_model *m, const char *path)
{
	struct cg_group *g;

	m->groups = xgrow(m->groups, sizeof(*m->groups), m->ngroups + 1, &m->groups_alloc);
	g = &m->groups[m->ngroups++];
	memset(g, 0, sizeof(*g));
	g->path = xstrdup(path);
	strmap_set(&m->group_index, g->path, strlen(g->path), m->ngroups - 1);
	return g;
}

/* Orders paths so that a parent sorts right before its subtree: '/' sorts first. */
static int
path_cmp(const char *a, const char *b)
{
	for (; *a && *a == *b; a++, b++)
		;
	if (*a == *b)
		return 0;
	if (*a == '/')
		return *b ? -1 : 1;
	if (*b == '/')
		return *a ? 1 : -1;
	return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
}

static int
group_cmp(const void *a, const void *b)
{
	return path_cmp(((const struct cg_group *)a)->path, ((const struct cg_group *)b)->path);
}

void
cg_model_finish_groups(struct cg_model *m)
{
	size_t i, n = m->ngroups;

	for (i = 0; i < n; i++) {
		char *parent = xstrdup(m->groups[i].path);
		char *slash;

		while ((slash = strrchr(parent, '/'))) {
			struct cg_group *g;
			struct cg_srcloc loc;

			*slash = '\0';
			if (cg_model_find_group(m, parent))
				continue;
			loc = m->groups[i].loc;
			g = cg_model_add_group(m, parent);
			g->implied = true;
			/* "a/%u" above "a/%u/b": a template too, made for each instance, never as
			 * such (group names hold '%' only in tokens) */
			g->is_template = strchr(parent, '%') != NULL;
			g->loc = loc;
		}
		free(parent);
	}
	if (m->ngroups > 1)
		qsort(m->groups, m->ngroups, sizeof(*m->groups), group_cmp);
	strmap_release(&m->group_index);
	for (i = 0; i < m->ngroups; i++)
		strmap_set(&m->group_index, m->groups[i].path, strlen(m->groups[i].path), i);
}

const struct cg_group *
cg_model_parent(const struct cg_model *m, const struct cg_group *g)
{
	const char *slash = strrchr(g->path, '/');
	struct cg_group *p;
	char *parent;

	if (!slash)
		return NULL;
	parent = xstrndup(g->path, (size_t)(slash - g->path));
	p = cg_model_find_group(m, parent);
	free(parent);
	return p;
}

const struct cg_ctlblock *
cg_group_controller(const struct cg_group *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->nctls; i++)
		if (strcmp(g->ctls[i].name, name) == 0)
			return &g->ctls[i];
	return NULL;
}

const struct cg_setting *
cg_group_setting(const struct cg_group *g, const char *file)
{
	size_t i, j;

	for (i = 0; i < g->nctls; i++)
		for (j = 0; j < g->ctls[i].n; j++)
			if (strcmp(g->ctls[i].settings[j].file, file) == 0)
				return &g->ctls[i].settings[j];
	return NULL;
}

struct cg_rule *
cg_model_add_rule(struct cg_model *m)
{
	struct cg_rule *r;

	m->rules = xgrow(m->rules, sizeof(*m->rules), m->nrules + 1, &m->rules_alloc);
	r = &m->rules[m->nrules++];
	memset(r, 0, sizeof(*r));
	return r;
}

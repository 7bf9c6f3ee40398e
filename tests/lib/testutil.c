/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "tests/lib/testutil.h"

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "parser/schema.h"
#include "parser/value.h"

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

static void
dump_id(struct strbuf *sb, const char *name, const struct cg_id *id)
{
	if (id->set)
		strbuf_addf(sb, " %s=%s", name, id->name);
}

static void
dump_mode(struct strbuf *sb, const char *name, const struct cg_mode *m)
{
	if (m->set)
		strbuf_addf(sb, " %s=%04o", name, (unsigned)m->mode);
}

static void
dump_value(struct strbuf *sb, const struct cg_value *v, enum cg_version version)
{
	struct strbuf val = STRBUF_INIT;
	size_t i;

	cg_value_format(v, version, &val);
	for (i = 0; i < val.len; i++) {
		if (val.buf[i] == '\n')
			strbuf_adds(sb, "\\n");
		else
			strbuf_addch(sb, val.buf[i]);
	}
	strbuf_release(&val);
}

char *
tu_model_dump(const struct cg_model *m)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, j, k;

	for (i = 0; i < m->ngroups; i++) {
		const struct cg_group *g = &m->groups[i];
		const struct cg_perm *p = &g->perm;

		strbuf_addf(&sb, "group %s%s%s\n", g->path, g->implied ? " (implied)" : "",
			    g->is_template ? " (template)" : "");
		if (p->task_uid.set || p->task_gid.set || p->task_fperm.set || p->admin_uid.set ||
		    p->admin_gid.set || p->admin_dperm.set || p->admin_fperm.set) {
			strbuf_adds(&sb, "  perm");
			dump_id(&sb, "task.uid", &p->task_uid);
			dump_id(&sb, "task.gid", &p->task_gid);
			dump_mode(&sb, "task.fperm", &p->task_fperm);
			dump_id(&sb, "admin.uid", &p->admin_uid);
			dump_id(&sb, "admin.gid", &p->admin_gid);
			dump_mode(&sb, "admin.dperm", &p->admin_dperm);
			dump_mode(&sb, "admin.fperm", &p->admin_fperm);
			strbuf_addch(&sb, '\n');
		}
		for (j = 0; j < g->nctls; j++) {
			const struct cg_ctlblock *c = &g->ctls[j];

			strbuf_addf(&sb, "  %s:%s\n", c->name, c->n ? "" : " (no values)");
			for (k = 0; k < c->n; k++) {
				strbuf_addf(&sb, "    %s%s = ", c->settings[k].file,
					    c->settings[k].def ? "" : " (unchecked)");
				const struct cg_filedef *def = c->settings[k].def;
				bool v2_only =
					def && (def->flags & (CG_FF_V1 | CG_FF_V2)) == CG_FF_V2;

				dump_value(&sb, &c->settings[k].value, v2_only ? CG_V2 : CG_V1);
				strbuf_addch(&sb, '\n');
			}
		}
	}
	for (i = 0; i < m->nrules; i++) {
		const struct cg_rule *r = &m->rules[i];
		static const char *const who[] = { "user", "group", "any", "ditto" };

		strbuf_addf(&sb, "rule %s %s process=%s controllers=", who[r->who],
			    r->id.set ? r->id.name : "-", r->process ? r->process : "-");
		if (r->all_controllers)
			strbuf_adds(&sb, "*");
		for (j = 0; j < r->ncontrollers; j++)
			strbuf_addf(&sb, "%s%s", j ? "," : "", r->controllers[j]);
		strbuf_addf(&sb, " destination=%s%s%s\n", r->destination ? r->destination : "-",
			    r->ignore ? " ignore" : "", r->ignore_rt ? " ignore_rt" : "");
	}
	return strbuf_detach(&sb);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
tu_list_dir(const char *dir, const char *suffix, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t alloc = 0, slen = strlen(suffix);

	*n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len <= slen || strcmp(de->d_name + len - slen, suffix) != 0)
			continue;
		names = xgrow(names, sizeof(*names), *n + 1, &alloc);
		names[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof(*names), name_cmp);
	return names;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
tu_rm_rf(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return 0;
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
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

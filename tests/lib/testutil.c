/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "tests/lib/testutil.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
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

/* ---- v1 file semantics for temp trees ---- */

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0 && (n == m || s[n - m - 1] == '/');
}

static char *
sibling(const char *root, const char *path, const char *name)
{
	const char *slash = strrchr(path, '/');
	int dlen = slash ? (int)(slash - path) : 0;

	return xasprintf("%s/%.*s%s%s", root, dlen, path, dlen ? "/" : "", name);
}

static int
slurp_lines(const char *abs, char ***lines, size_t *n)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	FILE *f = fopen(abs, "r");
	size_t k, alloc = 0;
	const char *p;

	*lines = NULL;
	*n = 0;
	if (!f)
		return -errno;
	while ((k = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, k);
	fclose(f);
	for (p = sb.buf; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len) {
			*lines = xgrow(*lines, sizeof(**lines), *n + 1, &alloc);
			(*lines)[(*n)++] = xstrndup(p, len);
		}
		p += len;
		if (*p)
			p++;
	}
	strbuf_release(&sb);
	return 0;
}

static int
put_lines(const char *abs, char **lines, size_t n)
{
	FILE *f = fopen(abs, "w");
	size_t k;

	if (!f)
		return -errno;
	for (k = 0; k < n; k++)
		if (lines[k])
			fprintf(f, "%s\n", lines[k]);
	fclose(f);
	return 0;
}

static void
free_lines(char **lines, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		free(lines[k]);
	free(lines);
}

static unsigned
access_bits(const char *s)
{
	unsigned a = 0;

	for (; *s; s++)
		a |= *s == 'r' ? 1u : *s == 'w' ? 2u : *s == 'm' ? 4u : 0u;
	return a;
}

static char *
rule_line(char type, const char *nums, unsigned acc)
{
	return xasprintf("%c %s %s%s%s", type, nums, acc & 1 ? "r" : "", acc & 2 ? "w" : "",
			 acc & 4 ? "m" : "");
}

static int
devices_write(const char *root, const char *path, const char *rec, bool allow)
{
	char *list = sibling(root, path, "devices.list");
	char type, nums[64], acc[8] = "rwm";
	char **lines;
	size_t n, k;
	unsigned bits;
	int r;

	if (sscanf(rec, " %c %63s %7s", &type, nums, acc) < 1 || !strchr("abc", type)) {
		free(list);
		return -EINVAL;
	}
	if (type == 'a') {
		char *all = xstrdup("a *:* rwm");

		r = put_lines(list, &all, allow ? 1 : 0);
		free(all);
		free(list);
		return r < 0 ? r : 1;
	}
	bits = access_bits(acc);
	r = slurp_lines(list, &lines, &n);
	if (r < 0) {
		free(list);
		return r;
	}
	for (k = 0; k < n && lines[k][0] != 'a'; k++)
		;
	if (k == n) {
		size_t klen = strlen(nums);

		for (k = 0; k < n; k++)
			if (lines[k][0] == type && strncmp(lines[k] + 2, nums, klen) == 0 &&
			    lines[k][2 + klen] == ' ')
				break;
		if (k < n) {
			unsigned have = access_bits(lines[k] + 3 + klen);

			have = allow ? have | bits : have & ~bits;
			free(lines[k]);
			lines[k] = have ? rule_line(type, nums, have) : NULL;
		} else if (allow) {
			lines = xrealloc(lines, (n + 1) * sizeof(*lines));
			lines[n++] = rule_line(type, nums, bits);
		}
	}
	r = put_lines(list, lines, n);
	free_lines(lines, n);
	free(list);
	return r < 0 ? r : 1;
}

static int
throttle_write(const char *root, const char *path, const char *rec)
{
	char *abs = xasprintf("%s/%s", root, path);
	char key[64], val[64];
	char **lines;
	size_t n, k, klen;
	int r;

	if (sscanf(rec, " %63s %63s", key, val) != 2 || !strchr(key, ':')) {
		free(abs);
		return -EINVAL;
	}
	r = slurp_lines(abs, &lines, &n);
	if (r < 0) {
		free(abs);
		return r;
	}
	klen = strlen(key);
	for (k = 0; k < n; k++) {
		if (lines[k] && strncmp(lines[k], key, klen) == 0 && lines[k][klen] == ' ') {
			free(lines[k]);
			lines[k] = NULL;
		}
	}
	if (strcmp(val, "0") != 0) {
		lines = xrealloc(lines, (n + 1) * sizeof(*lines));
		lines[n++] = xasprintf("%s %s", key, val);
	}
	r = put_lines(abs, lines, n);
	free_lines(lines, n);
	free(abs);
	return r < 0 ? r : 1;
}

int
tu_v1_files_hook(void *data, const char *path, const char *wdata, size_t len)
{
	const char *root = data;
	bool allow = ends_with(path, "devices.allow"), deny = ends_with(path, "devices.deny");
	const char *base = strrchr(path, '/');
	char *rec;
	int r;

	base = base ? base + 1 : path;
	if (!wdata)
		return allow || deny ? -EINVAL : 0;
	if (!allow && !deny && strncmp(base, "blkio.throttle.", 15) != 0)
		return 0;
	rec = xstrndup(wdata, len);
	r = allow || deny ? devices_write(root, path, rec, allow) : throttle_write(root, path, rec);
	free(rec);
	return r;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "parser/parse.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "parser/cgdef.h"
#include "parser/invariants.h"
#include "parser/rules.h"
#include "parser/yaml.h"

/* Larger than any sane configuration; refuses to slurp a device or a huge file by mistake. */
#define CG_MAX_CONFIG_BYTES (64u << 20)

struct parse_state {
	struct cg_model *m;
	struct cg_cgdef_opts cgdef;
	struct cg_srcloc defaults_loc;
	struct cg_diags *d;
};

/* Returns -1 with errno set, or -2 when the path is not a regular file. */
static int
read_all(const char *path, struct strbuf *sb)
{
	CG_AUTOCLOSE int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	char buf[65536];
	ssize_t n;

	struct stat st;

	if (fd < 0)
		return -1;
	/* a FIFO or a device would block or never end: configuration is a regular file */
	if (fstat(fd, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode))
		return -2;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		strbuf_add(sb, buf, (size_t)n);
		if (sb->len > CG_MAX_CONFIG_BYTES) {
			errno = EFBIG;
			return -1;
		}
	}
	return 0;
}

static void
load_document(struct parse_state *st, const char *name, const char *buf, size_t len)
{
	const char *file = cg_model_intern_file(st->m, name);
	struct yn *root = NULL;

	cg_diags_add_source(st->d, file, buf, len);
	if (memchr(buf, '\0', len)) {
		struct cg_srcloc loc = { file, 0, 0 };

		cg_diag_error(st->d, &loc, "the file holds NUL bytes, expected YAML text");
		return;
	}
	if (yn_load(file, buf, len, &root, st->d) < 0)
		return;
	cg_cgdef_load(st->m, root, &st->cgdef, &st->defaults_loc, st->d);
	yn_free(root);
}

static void
load_file(struct parse_state *st, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	int r = read_all(path, &sb);

	if (r < 0) {
		struct cg_srcloc loc = { cg_model_intern_file(st->m, path), 0, 0 };

		if (r == -2)
			cg_diag_error(st->d, &loc, "cannot read configuration: not a regular file");
		else
			cg_diag_error(st->d, &loc, "cannot read configuration: %s",
				      strerror(errno));
	} else {
		load_document(st, path, sb.buf, sb.len);
	}
	strbuf_release(&sb);
}

static bool
is_config_name(const char *name)
{
	size_t len = strlen(name);

	if (name[0] == '.')
		return false;
	return (len > 5 && strcmp(name + len - 5, ".yaml") == 0) ||
	       (len > 4 && strcmp(name + len - 4, ".yml") == 0);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
load_dir(struct parse_state *st, const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, alloc = 0, i;

	if (!dir) {
		struct cg_srcloc loc = { cg_model_intern_file(st->m, path), 0, 0 };

		cg_diag_error(st->d, &loc, "cannot read directory: %s", strerror(errno));
		return;
	}
	while ((de = readdir(dir))) {
		if (!is_config_name(de->d_name))
			continue;
		names = xgrow(names, sizeof(*names), n + 1, &alloc);
		names[n++] = xasprintf("%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/",
				       de->d_name);
	}
	closedir(dir);
	if (n > 1)
		qsort(names, n, sizeof(*names), name_cmp);
	if (n == 0) {
		/*
		 * An error, not "valid: 0 groups": a wrong path or a misnamed file would
		 * otherwise pass validate, and apply would silently manage nothing.
		 */
		struct cg_srcloc loc = { cg_model_intern_file(st->m, path), 0, 0 };

		cg_diag_error(
			st->d, &loc,
			"no configuration file in the directory, expected files named *.yaml or *.yml");
	}
	for (i = 0; i < n; i++) {
		load_file(st, names[i]);
		free(names[i]);
	}
	free(names);
}

static int
finish(struct parse_state *st, struct cg_model **out)
{
	cg_model_finish_groups(st->m);
	cg_cgdef_apply_defaults(st->m);
	cg_invariants_check(st->m, st->d);
	cg_rules_check_destinations(st->m, st->d);
	cg_diags_sort(st->d);
	if (st->d->errors) {
		cg_model_free(st->m);
		return -1;
	}
	*out = st->m;
	return 0;
}

int
cg_parse_paths(const char *const *paths, size_t n, const struct cg_parse_opts *o,
	       struct cg_model **out, struct cg_diags *d)
{
	struct parse_state st = { .m = cg_model_new(), .d = d };
	size_t i;

	st.cgdef.ids_must_exist = o->ids_must_exist;
	for (i = 0; i < n; i++) {
		struct stat sb;

		if (stat(paths[i], &sb) == 0 && S_ISDIR(sb.st_mode))
			load_dir(&st, paths[i]);
		else
			load_file(&st, paths[i]);
	}
	return finish(&st, out);
}

int
cg_parse_buffer(const char *name, const char *buf, size_t len, const struct cg_parse_opts *o,
		struct cg_model **out, struct cg_diags *d)
{
	struct parse_state st = { .m = cg_model_new(), .d = d };

	st.cgdef.ids_must_exist = o->ids_must_exist;
	load_document(&st, name, buf, len);
	return finish(&st, out);
}

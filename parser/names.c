/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "parser/names.h"

#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "parser/schema.h"

static const char *const core_names[] = {
	"tasks",
	"notify_on_release",
	"release_agent",
	NULL,
};

static bool
collides_with_control_file(const char *comp)
{
	const char *dot = strchr(comp, '.');
	size_t i;

	for (i = 0; core_names[i]; i++)
		if (strcmp(comp, core_names[i]) == 0)
			return true;
	if (cg_schema_file_any(comp))
		return true;
	if (dot) {
		/* "memory.anything" or "cgroup.anything" may one day be a control file */
		char *prefix = xstrndup(comp, (size_t)(dot - comp));
		bool known = cg_schema_controller(prefix) != NULL;

		free(prefix);
		return known;
	}
	return false;
}

/* `path` is the whole name as shown in messages (escaped by the caller). */
static int
check_component(const char *comp, size_t len, const char *path, struct cg_srcloc loc,
		bool *is_template, struct cg_diags *d)
{
	char *c = xstrndup(comp, len);
	char *shown = NULL;
	size_t i;
	int r = -1;

	if (len == 0) {
		cg_diag_error(
			d, &loc,
			"invalid group name '%s': empty path component, expected names separated by single '/'",
			path);
		goto out;
	}
	shown = cg_diag_shown(c);
	if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0) {
		cg_diag_error(d, &loc,
			      "invalid group name '%s': '%s' is not allowed as a path component",
			      path, shown);
		goto out;
	}
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)c[i];

		if (ch < 0x20 || ch == 0x7f) {
			cg_diag_error(
				d, &loc,
				"invalid group name '%s': control character 0x%02x, expected printable characters",
				path, ch);
			goto out;
		}
		if (ch == '\\') {
			cg_diag_error(
				d, &loc,
				"invalid group name '%s': backslash is not allowed in group names",
				path);
			goto out;
		}
		if (ch == '%') {
			if (i + 1 >= len) {
				cg_diag_error(
					d, &loc,
					"invalid group name '%s': incomplete template token '%%', expected one of %%u %%U %%g %%G %%p %%P",
					path);
				goto out;
			}
			if (!strchr("uUgGpP", c[i + 1])) {
				CG_AUTOFREE char *tok = cg_diag_shown((char[]){ c[i + 1], '\0' });

				cg_diag_error(
					d, &loc,
					"invalid group name '%s': unknown template token '%%%s', expected one of %%u %%U %%g %%G %%p %%P",
					path, tok);
				goto out;
			}
			*is_template = true;
			i++;
		}
	}
	if (collides_with_control_file(c)) {
		cg_diag_error(
			d, &loc,
			"invalid group name '%s': '%s' collides with a control file name, choose another name",
			path, shown);
		goto out;
	}
	r = 0;
out:
	free(shown);
	free(c);
	return r;
}

int
cg_group_path_check(const char *raw, const struct cg_srcloc *loc, bool *is_template,
		    struct cg_diags *d)
{
	CG_AUTOFREE char *path = cg_diag_shown(raw);
	const char *p = raw, *slash;

	*is_template = false;
	if (*raw == '\0') {
		cg_diag_error(
			d, loc,
			"invalid group name: empty, expected a path such as 'web' or 'web/batch'");
		return -1;
	}
	if (*raw == '/') {
		cg_diag_error(
			d, loc,
			"invalid group name '%s': a leading '/' is not allowed, paths are relative to each hierarchy root (use --parent to place them deeper)",
			path);
		return -1;
	}
	if (raw[strlen(raw) - 1] == '/') {
		cg_diag_error(d, loc, "invalid group name '%s': a trailing '/' is not allowed",
			      path);
		return -1;
	}
	for (;;) {
		slash = strchr(p, '/');
		if (check_component(p, slash ? (size_t)(slash - p) : strlen(p), path, *loc,
				    is_template, d) < 0)
			return -1;
		if (!slash)
			break;
		p = slash + 1;
	}
	return 0;
}

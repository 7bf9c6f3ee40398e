/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "apply/affinity.h"

#include <stdlib.h>
#include <string.h>

#include "apply/fs.h"
#include "apply/hierarchy.h"
#include "apply/match.h"
#include "lib/cleanup.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "parser/cpuset.h"
#include "parser/value.h"

#define CPUS	     "cpuset.cpus"
#define SHOWN_MAX    5 /* tasks named in one warning; the rest are counted */
#define STATUS_FIELD "Cpus_allowed_list:"

struct pinned {
	long tid;
	struct cg_cpuset cpus; /* its affinity now: a strict subset of the group's cpus */
	bool hit;	       /* a write of the plan takes CPUs from it */
};

/* A task's affinity from PROC_ROOT/TID/status; -1 when it is gone or unreadable. */
static int
read_affinity(const char *proc_root, long tid, struct cg_cpuset *out)
{
	CG_AUTOFREE char *path = xasprintf("%s/%ld/status", proc_root, tid);
	struct strbuf sb = STRBUF_INIT;
	const char *line;
	char *end;
	int r = -1;

	if (cg_proc_read_file(path, &sb) < 0)
		goto out;
	line = strstr(sb.buf, "\n" STATUS_FIELD);
	if (!line)
		goto out;
	line += strlen("\n" STATUS_FIELD);
	line += strspn(line, " \t");
	end = strchr(line, '\n');
	if (end)
		*end = '\0';
	r = cg_cpuset_parse(line, CG_CPUSET_MAX_ID, out);
out:
	strbuf_release(&sb);
	return r;
}

/* The tasks of `d` pinned to fewer CPUs than its cpuset `cpus` has. */
static void
read_pinned(struct cg_fs *fs, const char *proc_root, const struct cg_state_dir *d,
	    const struct cg_cpuset *cpus, struct pinned **out, size_t *n)
{
	CG_AUTOFREE char *path = xasprintf("%s/tasks", d->fspath);
	struct strbuf sb = STRBUF_INIT;
	struct cg_error *e = NULL;
	size_t alloc = 0;
	char *s, *end;

	*out = NULL;
	*n = 0;
	if (cg_fs_read(fs, path, &sb, &e) < 0) {
		/* the group went away meanwhile: nothing of it to warn about */
		cg_error_free(e);
		strbuf_release(&sb);
		return;
	}
	for (s = sb.buf; *s; s = end) {
		struct cg_cpuset a = { NULL, 0 };
		long tid = strtol(s, &end, 10);

		if (end == s) {
			end = s + 1;
			continue;
		}
		if (tid <= 0 || read_affinity(proc_root, tid, &a) < 0)
			continue;
		if (cg_cpuset_equal(&a, cpus)) {
			cg_cpuset_release(&a);
			continue;
		}
		*out = xgrow(*out, sizeof(**out), *n + 1, &alloc);
		(*out)[(*n)++] = (struct pinned){ tid, a, false };
	}
	strbuf_release(&sb);
}

static bool
is_cpus_write(const struct plan_step *s, const char *dir)
{
	return s->op == PLAN_OP_WRITE && strcmp(s->file, CPUS) == 0 &&
	       (!dir || strcmp(s->dir, dir) == 0);
}

static void
warn_dir(struct cg_diags *d, const char *dir, const struct pinned *pins, size_t n)
{
	struct strbuf list = STRBUF_INIT;
	size_t i, hits = 0;

	for (i = 0; i < n; i++) {
		if (!pins[i].hit)
			continue;
		if (++hits > SHOWN_MAX)
			continue;
		strbuf_addf(&list, "%s%ld on ", hits > 1 ? ", " : "", pins[i].tid);
		cg_cpuset_format(&pins[i].cpus, &list);
	}
	if (hits > SHOWN_MAX)
		strbuf_addf(&list, " and %zu more", hits - SHOWN_MAX);
	if (hits)
		cg_diag_warning(
			d, NULL,
			"'%s' of '%s' takes CPUs from %zu task%s pinned to them (%s): the kernel runs a task pinned only to CPUs the group loses on its other CPUs until they come back, and narrows the pin of the others",
			CPUS, dir, hits, hits == 1 ? "" : "s", list.buf);
	strbuf_release(&list);
}

/* Follows the cpus of directory `dir` through the plan, marking the pins a write hits. */
static void
check_dir(struct cg_fs *fs, const char *proc_root, const struct cg_state_dir *sd,
	  const struct plan *p, struct cg_diags *d)
{
	const struct cg_state_file *f = cg_state_file(sd, CPUS);
	struct pinned *pins;
	size_t n, i, k;

	if (!f || !f->present || f->value.type != CG_VT_CPULIST)
		return;
	read_pinned(fs, proc_root, sd, &f->value.u.cpus, &pins, &n);
	for (i = 0; i < p->n && n; i++) {
		struct cg_cpuset next = { NULL, 0 };

		if (!is_cpus_write(&p->steps[i], sd->fspath) ||
		    cg_cpuset_parse(p->steps[i].new_text, CG_CPUSET_MAX_ID, &next) < 0)
			continue;
		for (k = 0; k < n; k++)
			if (!cg_cpuset_subset(&pins[k].cpus, &next))
				pins[k].hit = true;
		cg_cpuset_release(&next);
	}
	warn_dir(d, sd->fspath, pins, n);
	for (k = 0; k < n; k++)
		cg_cpuset_release(&pins[k].cpus);
	free(pins);
}

void
cg_affinity_check(struct cg_fs *fs, const char *proc_root, const struct cg_state *cur,
		  const struct plan *p, struct cg_diags *d)
{
	size_t i, j;

	for (i = 0; i < p->n; i++) {
		const struct plan_step *s = &p->steps[i];
		const struct cg_state_dir *sd;
		bool seen = false;

		if (!is_cpus_write(s, NULL))
			continue;
		sd = cg_state_find(cur, s->dir);
		if (!sd || !sd->exists || !sd->populated || !sd->hier || sd->hier->version != CG_V1)
			continue;
		/* each directory once, at its first write (few directories hold tasks) */
		for (j = 0; j < i && !seen; j++)
			seen = is_cpus_write(&p->steps[j], s->dir);
		if (!seen)
			check_dir(fs, proc_root, sd, p, d);
	}
}

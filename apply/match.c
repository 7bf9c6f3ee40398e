/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "apply/match.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "parser/rules.h"

#define PF_KTHREAD_FLAG 0x00200000u
#define KTHREADD_PID	2
#define TASK_COMM_LEN	16
#define PROC_MAX_READ	(1u << 20)

/* Reads a procfs file; returns 0, or -1 with errno. */
static int
read_proc_file(const char *path, struct strbuf *out)
{
	CG_AUTOCLOSE int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[4096];
	ssize_t n;

	strbuf_reset(out);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		strbuf_add(out, buf, (size_t)n);
		if (out->len > PROC_MAX_READ)
			break;
	}
	return 0;
}

/* ENOENT and ESRCH: the process went away while we looked. */
static bool
is_gone_errno(int e)
{
	return e == ENOENT || e == ESRCH;
}

/* The value of "Key:\t..." in a status text (up to the end of line), or NULL. */
static char *
status_field(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':') {
			const char *v = p + klen + 1, *end;

			while (*v == '\t' || *v == ' ')
				v++;
			end = strchr(v, '\n');
			return xstrndup(v, end ? (size_t)(end - v) : strlen(v));
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* The second number of "real effective saved fs". */
static bool
second_number(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	strtoul(s, &end, 10);
	if (errno || end == s)
		return false;
	s = end;
	v = strtoul(s, &end, 10);
	if (errno || end == s || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static void
parse_groups(const char *s, struct cg_proc *p)
{
	size_t alloc = 0;

	while (*s) {
		char *end;
		unsigned long v;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || end == s)
			break;
		p->groups = xgrow(p->groups, sizeof(*p->groups), p->ngroups + 1, &alloc);
		p->groups[p->ngroups++] = (gid_t)v;
		s = end;
	}
}

/* Fields of stat after "(comm)": ppid, flags, start time, policy. */
static bool
parse_stat(const char *text, struct cg_proc *p)
{
	const char *s = strrchr(text, ')');
	unsigned long long v;
	unsigned field = 2; /* the ')' ends field 2 */
	char *end;

	if (!s)
		return false;
	s++;
	for (;;) {
		while (*s == ' ')
			s++;
		if (!*s || *s == '\n')
			break;
		field++;
		if (field == 4 || field == 9 || field == 22 || field == 41) {
			errno = 0;
			v = strtoull(s, &end, 10);
			if (errno || end == s)
				return false;
			if (field == 4)
				p->ppid = (pid_t)v;
			else if (field == 9)
				p->kthread = (v & PF_KTHREAD_FLAG) != 0;
			else if (field == 22)
				p->start = v;
			else
				p->rt = v == 1 || v == 2; /* SCHED_FIFO, SCHED_RR */
		}
		while (*s && *s != ' ' && *s != '\n')
			s++;
	}
	return field >= 22;
}

static void
parse_cgroups(const char *text, struct cg_proc *p)
{
	const char *line = text;
	size_t alloc = 0;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *c1 = memchr(line, ':', len), *c2;

		if (c1) {
			c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line));
			if (c2) {
				struct cg_proc_cgroup *cg;
				const char *path = c2 + 1;
				size_t plen = len - (size_t)(path - line);

				while (plen && *path == '/') {
					path++;
					plen--;
				}
				p->cgroups = xgrow(p->cgroups, sizeof(*p->cgroups), p->ncgroups + 1,
						   &alloc);
				cg = &p->cgroups[p->ncgroups++];
				cg->controllers = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
				cg->path = xstrndup(path, plen);
			}
		}
		line = nl ? nl + 1 : NULL;
	}
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* For a script: the argument of cmdline whose basename is the comm, made absolute. */
static char *
script_path(const char *proc_root, pid_t pid, const char *comm)
{
	struct strbuf sb = STRBUF_INIT;
	CG_AUTOFREE char *path = xasprintf("%s/%ld/cmdline", proc_root, (long)pid);
	char *found = NULL;
	size_t off = 0;

	if (read_proc_file(path, &sb) < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	while (off < sb.len && !found) {
		const char *arg = sb.buf + off;
		size_t alen = strnlen(arg, sb.len - off);

		if (alen && strncmp(base_name(arg), comm, TASK_COMM_LEN - 1) == 0) {
			if (arg[0] == '/') {
				found = xstrndup(arg, alen);
			} else {
				CG_AUTOFREE char *cwdl =
					xasprintf("%s/%ld/cwd", proc_root, (long)pid);
				char cwd[4096];
				ssize_t n = readlink(cwdl, cwd, sizeof(cwd) - 1);
				const char *a = arg;

				if (n > 0) {
					cwd[n] = '\0';
					while (strncmp(a, "./", 2) == 0)
						a += 2;
					found = xasprintf("%s%s%s", cwd,
							  cwd[n - 1] == '/' ? "" : "/", a);
				}
			}
		}
		off += alen + 1;
	}
	strbuf_release(&sb);
	return found;
}

static char *
read_link(const char *path, int *e)
{
	size_t size = 256;

	for (;;) {
		char *buf = xmalloc(size);
		ssize_t n = readlink(path, buf, size);

		if (n < 0) {
			*e = errno;
			free(buf);
			return NULL;
		}
		if ((size_t)n < size) {
			buf[n] = '\0';
			return buf;
		}
		free(buf);
		size *= 2;
	}
}

int
cg_proc_read(const char *proc_root, pid_t pid, struct cg_proc *out, struct cg_error **err)
{
	struct cg_proc p;
	struct strbuf sb = STRBUF_INIT;
	CG_AUTOFREE char *path = NULL;
	CG_AUTOFREE char *uid = NULL;
	CG_AUTOFREE char *gid = NULL;
	CG_AUTOFREE char *groups = NULL;
	CG_AUTOFREE char *state = NULL;
	uint32_t v;
	int e = 0;

	if (pid <= 0)
		return cg_error_set(err, CG_E_USAGE, 0, "'%ld' is not a process id", (long)pid);
	memset(&p, 0, sizeof(p));
	p.pid = pid;
	path = xasprintf("%s/%ld/status", proc_root, (long)pid);
	if (read_proc_file(path, &sb) < 0) {
		e = errno;
		goto fail;
	}
	p.comm = status_field(sb.buf, "Name");
	uid = status_field(sb.buf, "Uid");
	gid = status_field(sb.buf, "Gid");
	groups = status_field(sb.buf, "Groups");
	state = status_field(sb.buf, "State");
	if (!p.comm || !uid || !gid) {
		cg_error_set(err, CG_E_SYSTEM, 0, "cannot parse '%s'", path);
		goto err;
	}
	if (state && state[0] == 'Z') {
		e = ESRCH;
		goto fail;
	}
	if (!second_number(uid, &v)) {
		cg_error_set(err, CG_E_SYSTEM, 0, "cannot parse the Uid line of '%s'", path);
		goto err;
	}
	p.euid = v;
	if (!second_number(gid, &v)) {
		cg_error_set(err, CG_E_SYSTEM, 0, "cannot parse the Gid line of '%s'", path);
		goto err;
	}
	p.egid = v;
	if (groups)
		parse_groups(groups, &p);

	free(path);
	path = xasprintf("%s/%ld/stat", proc_root, (long)pid);
	if (read_proc_file(path, &sb) < 0) {
		e = errno;
		goto fail;
	}
	if (!parse_stat(sb.buf, &p)) {
		cg_error_set(err, CG_E_SYSTEM, 0, "cannot parse '%s'", path);
		goto err;
	}
	if (pid == KTHREADD_PID || p.ppid == KTHREADD_PID)
		p.kthread = true;

	free(path);
	path = xasprintf("%s/%ld/cgroup", proc_root, (long)pid);
	if (read_proc_file(path, &sb) < 0) {
		e = errno;
		goto fail;
	}
	parse_cgroups(sb.buf, &p);

	if (!p.kthread) {
		free(path);
		path = xasprintf("%s/%ld/exe", proc_root, (long)pid);
		p.exe = read_link(path, &e);
		if (!p.exe) {
			/* a zombie, or gone; kernel threads have no exe either */
			if (is_gone_errno(e))
				goto fail;
			cg_error_set(err, CG_E_SYSTEM, e, "cannot read the link '%s'", path);
			goto err;
		}
		if (strncmp(base_name(p.exe), p.comm, TASK_COMM_LEN - 1) != 0) {
			char *script = script_path(proc_root, pid, p.comm);

			if (script) {
				free(p.exe);
				p.exe = script;
			}
		}
	}
	strbuf_release(&sb);
	*out = p;
	return CG_PROC_READ_OK;
fail:
	strbuf_release(&sb);
	cg_proc_release(&p);
	if (is_gone_errno(e))
		return CG_PROC_READ_GONE;
	return cg_error_set(err, CG_E_SYSTEM, e, "cannot read '%s'", path);
err:
	strbuf_release(&sb);
	cg_proc_release(&p);
	return -1;
}

void
cg_proc_release(struct cg_proc *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->ncgroups; i++) {
		free(p->cgroups[i].controllers);
		free(p->cgroups[i].path);
	}
	free(p->cgroups);
	free(p->groups);
	free(p->comm);
	free(p->exe);
	memset(p, 0, sizeof(*p));
}

static bool
list_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *s = list;

	while (*s) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);

		if (len == n && strncmp(s, name, n) == 0)
			return true;
		if (!comma)
			break;
		s = comma + 1;
	}
	return false;
}

const char *
cg_proc_cgroup_in(const struct cg_proc *p, const struct cg_hier *h)
{
	size_t i;

	for (i = 0; i < p->ncgroups; i++) {
		const struct cg_proc_cgroup *c = &p->cgroups[i];

		if (h->version == CG_V2) {
			if (!*c->controllers)
				return c->path;
		} else if (h->ncontrollers && *c->controllers &&
			   list_has(c->controllers, h->controllers[0])) {
			return c->path;
		}
	}
	return NULL;
}

static int
pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

int
cg_proc_list(const char *proc_root, pid_t **pids, size_t *n, struct cg_error **err)
{
	DIR *dir = opendir(proc_root);
	struct dirent *de;
	pid_t *out = NULL;
	size_t cnt = 0, alloc = 0;

	if (!dir)
		return cg_error_set(err, CG_E_SYSTEM, errno, "cannot list '%s'", proc_root);
	while ((de = readdir(dir))) {
		const char *s = de->d_name;
		long v;
		char *end;

		if (!isdigit((unsigned char)*s))
			continue;
		errno = 0;
		v = strtol(s, &end, 10);
		if (errno || *end || v <= 0)
			continue;
		out = xgrow(out, sizeof(*out), cnt + 1, &alloc);
		out[cnt++] = (pid_t)v;
	}
	closedir(dir);
	if (cnt > 1)
		qsort(out, cnt, sizeof(*out), pid_cmp);
	*pids = out;
	*n = cnt;
	return 0;
}

bool
cg_proc_start_time(const char *proc_root, pid_t pid, uint64_t *start)
{
	struct strbuf sb = STRBUF_INIT;
	CG_AUTOFREE char *path = xasprintf("%s/%ld/stat", proc_root, (long)pid);
	struct cg_proc p;
	bool ok;

	memset(&p, 0, sizeof(p));
	ok = pid > 0 && read_proc_file(path, &sb) == 0 && parse_stat(sb.buf, &p);
	strbuf_release(&sb);
	if (ok)
		*start = p.start;
	return ok;
}

/* ---- matching ---- */

bool
cg_match_user(const struct cg_rule *r, const struct cg_proc *p)
{
	size_t i;

	switch (r->who) {
	case CG_RULE_ANY:
		return true;
	case CG_RULE_USER:
		return r->id.resolved && r->id.id == p->euid;
	case CG_RULE_GROUP:
		if (!r->id.resolved)
			return false;
		if (r->id.id == p->egid)
			return true;
		for (i = 0; i < p->ngroups; i++)
			if (p->groups[i] == r->id.id)
				return true;
		return false;
	case CG_RULE_DITTO:
		return false;
	}
	return false;
}

bool
cg_match_procname(const char *rule_process, const char *procname)
{
	size_t len;

	if (!rule_process)
		return true;
	if (!procname)
		return false;
	if (strcmp(rule_process, procname) == 0)
		return true;
	if (strcmp(rule_process, base_name(procname)) == 0)
		return true;
	len = strlen(rule_process);
	if (len && rule_process[len - 1] == '*')
		return strncmp(rule_process, procname, len - 1) == 0;
	return false;
}

static bool
decided(const struct cg_match *mt, const struct cg_hier *h)
{
	size_t i;

	for (i = 0; i < mt->n; i++)
		if (mt->items[i].hier == h)
			return true;
	return false;
}

/* Whether `path` is `dir` or below it (both without leading '/'). */
static bool
path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!n)
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static char *
join_parent(const char *parent, const char *dest)
{
	if (!parent || !*parent)
		return xstrdup(dest);
	if (!*dest)
		return xstrdup(parent);
	return xasprintf("%s/%s", parent, dest);
}

static void
add_item(struct cg_match *mt, const struct cg_hier *h, const struct cg_rule *r, bool stay,
	 const char *dest)
{
	struct cg_match_item *it;

	mt->items = xgrow(mt->items, sizeof(*mt->items), mt->n + 1, &mt->alloc);
	it = &mt->items[mt->n++];
	it->hier = h;
	it->rule = r;
	it->stay = stay;
	it->dest = dest ? xstrdup(dest) : NULL;
}

/* Runs one rule (or `%` line) for every hierarchy of its controllers not decided yet. */
static void
run_rule(const struct cg_hosttree *hosts, const char *parent, const struct cg_proc *p,
	 const struct cg_rule *r, const struct cg_rule_subst *s, struct cg_match *mt)
{
	const struct cg_hier *hs[64];
	size_t nh = 0, i, k;
	CG_AUTOFREE char *dest = NULL;
	bool ignore = p->rt ? r->ignore_rt : r->ignore;

	if (r->all_controllers) {
		for (i = 0; i < hosts->n && nh < 64; i++)
			if (hosts->hiers[i].ncontrollers)
				hs[nh++] = &hosts->hiers[i];
	} else {
		for (i = 0; i < r->ncontrollers && nh < 64; i++) {
			const struct cg_hier *h = cg_hier_for_controller(hosts, r->controllers[i]);

			if (!h)
				continue;
			for (k = 0; k < nh && hs[k] != h; k++)
				;
			if (k == nh)
				hs[nh++] = h;
		}
	}
	if (r->ignore || r->ignore_rt) {
		CG_AUTOFREE char *full = NULL;
		bool any = strcmp(r->destination, "*") == 0;

		/* an ignore rule that does not apply to this kind of task is skipped */
		if (!ignore)
			return;
		if (!any) {
			dest = cg_rule_expand(r->destination, s);
			if (!dest)
				return;
			full = join_parent(parent, dest);
		}
		for (i = 0; i < nh; i++) {
			const char *cur;

			if (decided(mt, hs[i]))
				continue;
			cur = cg_proc_cgroup_in(p, hs[i]);
			if (cur && (any || path_within(cur, full)))
				add_item(mt, hs[i], r, true, NULL);
		}
		return;
	}
	dest = cg_rule_expand(r->destination, s);
	if (!dest) {
		if (!mt->bad_rule)
			mt->bad_rule = r;
		return;
	}
	for (i = 0; i < nh; i++)
		if (!decided(mt, hs[i]))
			add_item(mt, hs[i], r, false, dest);
}

void
cg_match_process(const struct cg_model *m, const struct cg_hosttree *hosts, const char *parent,
		 const struct cg_proc *p, struct cg_match *out)
{
	struct cg_match mt = { 0 };
	struct cg_rule_subst s = { 0 };
	struct passwd *pw;
	struct group *gr;
	CG_AUTOFREE char *user = NULL;
	CG_AUTOFREE char *group = NULL;
	size_t i, k;

	*out = mt;
	if (p->kthread || !p->exe || p->pid <= 0)
		return;
	pw = getpwuid(p->euid);
	if (pw)
		user = xstrdup(pw->pw_name);
	gr = getgrgid(p->egid);
	if (gr)
		group = xstrdup(gr->gr_name);
	s.user = user;
	s.uid = p->euid;
	s.group = group;
	s.gid = p->egid;
	s.procname = base_name(p->exe);
	s.pid = p->pid;
	for (i = 0; i < m->nrules; i++) {
		const struct cg_rule *r = &m->rules[i];

		if (r->who == CG_RULE_DITTO)
			continue;
		if (!cg_match_user(r, p) || !cg_match_procname(r->process, p->exe))
			continue;
		run_rule(hosts, parent, p, r, &s, &mt);
		for (k = i + 1; k < m->nrules && m->rules[k].who == CG_RULE_DITTO; k++)
			run_rule(hosts, parent, p, &m->rules[k], &s, &mt);
	}
	*out = mt;
}

void
cg_match_release(struct cg_match *mt)
{
	size_t i;

	for (i = 0; i < mt->n; i++)
		free(mt->items[i].dest);
	free(mt->items);
	memset(mt, 0, sizeof(*mt));
}

int
cg_proc_read_file(const char *path, struct strbuf *out)
{
	return read_proc_file(path, out);
}

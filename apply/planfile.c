/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "apply/planfile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/exec.h"
#include "apply/fs.h"
#include "apply/snapshot.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

#define PLANFILE_MAGIC "cgapply-plan 1\n"
#define MAX_WHY	       10

void
cg_planfile_init(struct cg_planfile *pf)
{
	memset(pf, 0, sizeof(*pf));
	cg_state_init(&pf->cur);
	cg_state_init(&pf->target);
	plan_init(&pf->plan);
	cg_moves_init(&pf->moves);
}

void
cg_planfile_release(struct cg_planfile *pf)
{
	size_t i;

	free(pf->version);
	free(pf->cgroup_root);
	free(pf->parent);
	for (i = 0; i < pf->nconfigs; i++)
		free(pf->configs[i].path);
	free(pf->configs);
	cg_state_release(&pf->cur);
	cg_state_release(&pf->target);
	plan_release(&pf->plan);
	cg_moves_release(&pf->moves);
	memset(pf, 0, sizeof(*pf));
}

void
cg_planfile_add_config(struct cg_planfile *pf, const char *path, uint64_t hash)
{
	pf->configs =
		xgrow(pf->configs, sizeof(*pf->configs), pf->nconfigs + 1, &pf->configs_alloc);
	pf->configs[pf->nconfigs].path = xstrdup(path);
	pf->configs[pf->nconfigs].hash = hash;
	pf->nconfigs++;
}

uint64_t
cg_fnv1a64(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int
cg_planfile_read(const char *path, struct strbuf *out, struct cg_error **err)
{
	CG_AUTOCLOSE int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[8192];
	ssize_t n;

	if (fd < 0)
		return cg_error_set(err, CG_E_PRECOND, errno, "cannot read '%s'", path);
	strbuf_reset(out);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return cg_error_set(err, CG_E_PRECOND, errno, "cannot read '%s'", path);
		}
		strbuf_add(out, buf, (size_t)n);
	}
	return 0;
}

int
cg_planfile_hash_file(const char *path, uint64_t *out, struct cg_error **err)
{
	struct strbuf sb = STRBUF_INIT;

	if (cg_planfile_read(path, &sb, err) < 0) {
		strbuf_release(&sb);
		(*err)->kind = CG_E_SYSTEM;
		return -1;
	}
	*out = cg_fnv1a64(CG_FNV1A64_INIT, sb.buf, sb.len);
	strbuf_release(&sb);
	return 0;
}

int
cg_planfile_write(const char *path, const struct strbuf *text, struct cg_error **err)
{
	CG_AUTOFREE char *tmp = xasprintf("%s.tmp", path);
	const char *p = text->buf;
	size_t left = text->len;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0)
		return cg_error_set(err, CG_E_SYSTEM, errno, "cannot create '%s'", tmp);
	while (left) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			cg_error_set(err, CG_E_SYSTEM, n < 0 ? errno : EIO, "cannot write '%s'",
				     tmp);
			close(fd);
			unlink(tmp);
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		cg_error_set(err, CG_E_SYSTEM, errno, "cannot write '%s'", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		cg_error_set(err, CG_E_SYSTEM, errno, "cannot rename '%s' to '%s'", tmp, path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* ---- steps: written to be compared, never parsed ---- */

static void
add_string(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, ' ');
	if (s)
		strbuf_add_json_string(sb, s);
	else
		strbuf_adds(sb, "null");
}

static void
add_steps(const struct plan *p, struct strbuf *sb)
{
	size_t i;

	strbuf_addf(sb, "steps %zu\n", p->n);
	for (i = 0; i < p->n; i++) {
		const struct plan_step *s = &p->steps[i];

		strbuf_addf(sb, "step %s", plan_op_name(s->op));
		add_string(sb, s->dir);
		add_string(sb, s->file);
		add_string(sb, s->group);
		add_string(sb, s->hier);
		add_string(sb, s->old_text);
		add_string(sb, s->new_text);
		strbuf_addf(sb, " %ld:%ld %ld:%ld %04lo %04lo%s%s\n", (long)(int)s->uid,
			    (long)(int)s->gid, (long)(int)s->old_uid, (long)(int)s->old_gid,
			    (unsigned long)s->mode, (unsigned long)s->old_mode,
			    s->transitional ? " transitional" : "",
			    s->irreversible ? " irreversible" : "");
	}
}

static bool
has_newline(const char *s)
{
	return s && strchr(s, '\n');
}

int
cg_planfile_serialize(const struct cg_planfile *pf, struct strbuf *out, struct cg_error **err)
{
	size_t i, start = out->len;

	if (has_newline(pf->cgroup_root) || has_newline(pf->parent))
		return cg_error_set(err, CG_E_USAGE, 0,
				    "a plan file cannot record a path that holds a newline");
	for (i = 0; i < pf->nconfigs; i++)
		if (has_newline(pf->configs[i].path))
			return cg_error_set(
				err, CG_E_USAGE, 0,
				"a plan file cannot record a path that holds a newline");
	strbuf_adds(out, PLANFILE_MAGIC);
	strbuf_addf(out, "version %s\n", pf->version ? pf->version : "unknown");
	strbuf_addf(out, "cgroup-root %s\n", pf->cgroup_root ? pf->cgroup_root : "");
	if (pf->parent)
		strbuf_addf(out, "parent %s\n", pf->parent);
	strbuf_addf(out, "options%s%s%s\n", pf->prune ? " prune" : "", pf->force ? " force" : "",
		    pf->prune || pf->force ? "" : " -");
	for (i = 0; i < pf->nconfigs; i++)
		strbuf_addf(out, "config fnv1a64:%016" PRIx64 " %s\n", pf->configs[i].hash,
			    pf->configs[i].path);
	strbuf_adds(out, "current\n");
	cg_state_serialize(&pf->cur, out);
	strbuf_adds(out, "target\n");
	cg_state_serialize(&pf->target, out);
	add_steps(&pf->plan, out);
	if (pf->moves.n)
		cg_moves_serialize(&pf->moves, out);
	strbuf_addf(out, "checksum fnv1a64:%016" PRIx64 "\n",
		    cg_fnv1a64(CG_FNV1A64_INIT, out->buf + start, out->len - start));
	return 0;
}

/* ---- parsing ---- */

struct cursor {
	const char *name;
	const char *p, *end;
	size_t lineno;
};

/* The next line, without its newline, in *line and *n; false at the end. */
static bool
next_line(struct cursor *c, const char **line, size_t *n)
{
	const char *nl;

	if (c->p >= c->end)
		return false;
	nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	if (!nl)
		return false;
	*line = c->p;
	*n = (size_t)(nl - c->p);
	c->p = nl + 1;
	c->lineno++;
	return true;
}

/* Whether the line is `key` alone, or `key` and a space; *rest gets what follows. */
static bool
keyword(const char *line, size_t n, const char *key, const char **rest, size_t *restn)
{
	size_t k = strlen(key);

	if (n < k || memcmp(line, key, k) != 0)
		return false;
	if (n == k) {
		*rest = line + n;
		*restn = 0;
		return true;
	}
	if (line[k] != ' ')
		return false;
	*rest = line + k + 1;
	*restn = n - k - 1;
	return true;
}

static int
bad_line(const struct cursor *c, const char *what, struct cg_error **err)
{
	return cg_error_set(err, CG_E_PRECOND, 0, "plan file '%s': line %zu: %s", c->name,
			    c->lineno, what);
}

static bool
parse_hash(const char *s, size_t n, uint64_t *out)
{
	uint64_t h = 0;
	size_t i;

	if (n != 8 + 16 || memcmp(s, "fnv1a64:", 8) != 0)
		return false;
	for (i = 8; i < n; i++) {
		int d;

		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else
			return false;
		h = h << 4 | (uint64_t)d;
	}
	*out = h;
	return true;
}

/* Checks the last line, "checksum fnv1a64:HEX", against the bytes before it. */
static int
check_checksum(const char *name, const char *text, size_t len, struct cg_error **err)
{
	const char *last;
	uint64_t want;

	if (!len || text[len - 1] != '\n')
		return cg_error_set(err, CG_E_PRECOND, 0,
				    "plan file '%s' is truncated (no checksum line)", name);
	last = text + len - 1;
	while (last > text && last[-1] != '\n')
		last--;
	if (strncmp(last, "checksum ", 9) != 0 ||
	    !parse_hash(last + 9, (size_t)(text + len - 1 - last - 9), &want))
		return cg_error_set(err, CG_E_PRECOND, 0,
				    "plan file '%s' is truncated (no checksum line)", name);
	if (cg_fnv1a64(CG_FNV1A64_INIT, text, (size_t)(last - text)) != want)
		return cg_error_set(
			err, CG_E_PRECOND, 0,
			"plan file '%s' does not match its checksum: it was changed or damaged since cgapply wrote it",
			name);
	return 0;
}

static int
parse_state(struct cursor *c, const char *section, const struct cg_hier *hiers, size_t nhiers,
	    struct cg_state *out, struct cg_error **err)
{
	const char *line, *rest, *stop;
	size_t n, rn;

	if (!next_line(c, &line, &n) || !keyword(line, n, section, &rest, &rn) || rn)
		return bad_line(c, section[0] == 'c' ? "expected 'current'" : "expected 'target'",
				err);
	stop = cg_state_text_end(c->p, (size_t)(c->end - c->p));
	if (!stop)
		return bad_line(c, "the state does not end", err);
	if (cg_state_parse(c->p, (size_t)(stop - c->p), hiers, nhiers, out, err) < 0)
		return cg_error_wrap(err, "plan file '%s', '%s' section", c->name, section);
	while (c->p < stop) {
		if (!next_line(c, &line, &n))
			break;
	}
	return 0;
}

static int
parse_header(struct cursor *c, struct cg_planfile *pf, struct cg_error **err)
{
	const char *line, *rest;
	size_t n, rn;

	if ((size_t)(c->end - c->p) < strlen(PLANFILE_MAGIC) ||
	    memcmp(c->p, PLANFILE_MAGIC, strlen(PLANFILE_MAGIC)) != 0)
		return cg_error_set(
			err, CG_E_PRECOND, 0,
			"'%s' is not a cgapply plan file (expected 'cgapply-plan 1' on its first line)",
			c->name);
	next_line(c, &line, &n);
	for (;;) {
		const char *save = c->p;
		size_t savel = c->lineno;

		if (!next_line(c, &line, &n))
			return bad_line(c, "the file ends before the 'current' section", err);
		if (keyword(line, n, "version", &rest, &rn)) {
			free(pf->version);
			pf->version = xstrndup(rest, rn);
		} else if (keyword(line, n, "cgroup-root", &rest, &rn)) {
			free(pf->cgroup_root);
			pf->cgroup_root = xstrndup(rest, rn);
		} else if (keyword(line, n, "parent", &rest, &rn) && rn) {
			free(pf->parent);
			pf->parent = xstrndup(rest, rn);
		} else if (keyword(line, n, "options", &rest, &rn)) {
			pf->prune = memmem(rest, rn, "prune", 5) != NULL;
			pf->force = memmem(rest, rn, "force", 5) != NULL;
		} else if (keyword(line, n, "config", &rest, &rn)) {
			const char *sp = memchr(rest, ' ', rn);
			uint64_t h;
			char *path;

			if (!sp || !parse_hash(rest, (size_t)(sp - rest), &h))
				return bad_line(c, "expected 'config fnv1a64:HEX PATH'", err);
			path = xstrndup(sp + 1, (size_t)(rest + rn - sp - 1));
			cg_planfile_add_config(pf, path, h);
			free(path);
		} else if (keyword(line, n, "current", &rest, &rn)) {
			c->p = save;
			c->lineno = savel;
			break;
		} else {
			return bad_line(c, "unknown line", err);
		}
	}
	if (!pf->cgroup_root)
		return bad_line(c, "no 'cgroup-root' line before 'current'", err);
	return 0;
}

/* Parses "steps N" and the N lines after it; *saved gets their text. */
static int
parse_steps(struct cursor *c, struct strbuf *saved, struct cg_error **err)
{
	const char *line, *rest, *start = c->p;
	size_t n, rn, count, i;
	char *num;

	if (!next_line(c, &line, &n) || !keyword(line, n, "steps", &rest, &rn) || !rn)
		return bad_line(c, "expected 'steps N'", err);
	num = xstrndup(rest, rn);
	errno = 0;
	count = (size_t)strtoull(num, NULL, 10);
	free(num);
	for (i = 0; i < count; i++)
		if (!next_line(c, &line, &n) || !keyword(line, n, "step", &rest, &rn))
			return bad_line(c, "expected a 'step' line", err);
	strbuf_add(saved, start, (size_t)(c->p - start));
	return 0;
}

/* The optional "moves 1" ... "end" section, then the checksum line, last. */
static int
parse_moves(struct cursor *c, struct cg_moves *out, struct cg_error **err)
{
	const char *line, *rest, *start = c->p;
	size_t n, rn, i;

	if (!next_line(c, &line, &n))
		return bad_line(c, "expected the 'checksum' line, last", err);
	if (keyword(line, n, "moves", &rest, &rn)) {
		while (next_line(c, &line, &n) && !(n == 3 && memcmp(line, "end", 3) == 0))
			;
		if (cg_moves_parse(start, (size_t)(c->p - start), out, err) < 0)
			return cg_error_wrap(err, "plan file '%s', 'moves' section", c->name);
		/* read back as the record of what was done: here, what is to be done */
		for (i = 0; i < out->n; i++)
			out->items[i].status = CG_MOVE_PLANNED;
		if (!next_line(c, &line, &n))
			return bad_line(c, "expected the 'checksum' line, last", err);
	}
	if (!keyword(line, n, "checksum", &rest, &rn) || c->p != c->end)
		return bad_line(c, "expected the 'checksum' line, last", err);
	return 0;
}

int
cg_planfile_parse(const char *name, const char *text, size_t len, const char *root,
		  const struct cg_hier *hiers, size_t nhiers, struct cg_planfile *out,
		  struct cg_diags *problems, struct cg_error **err)
{
	struct cursor c = { .name = name, .p = text, .end = text + len, .lineno = 0 };
	struct strbuf saved = STRBUF_INIT, rebuilt = STRBUF_INIT;
	struct cg_diags own;
	struct plan_opts po;
	struct cg_planfile pf;
	int r = -1;

	cg_planfile_init(&pf);
	cg_diags_init(&own);
	if (check_checksum(name, text, len, err) < 0 || parse_header(&c, &pf, err) < 0)
		goto out;
	if (root && strcmp(root, pf.cgroup_root) != 0) {
		cg_error_set(err, CG_E_PRECOND, 0,
			     "plan file '%s' was made for the cgroup root '%s', not '%s'", name,
			     pf.cgroup_root, root);
		goto out;
	}
	if (parse_state(&c, "current", hiers, nhiers, &pf.cur, err) < 0 ||
	    parse_state(&c, "target", hiers, nhiers, &pf.target, err) < 0 ||
	    parse_steps(&c, &saved, err) < 0 || parse_moves(&c, &pf.moves, err) < 0)
		goto out;
	po.prune = pf.prune;
	po.force = pf.force;
	if (plan_build(&pf.cur, &pf.target, &po, &pf.plan, problems ? problems : &own) < 0) {
		cg_error_set(
			err, CG_E_PRECOND, 0,
			"plan file '%s' (made by cgapply %s): this cgapply refuses its plan; make a new one with 'cgapply plan --out'",
			name, pf.version ? pf.version : "unknown");
		goto out;
	}
	add_steps(&pf.plan, &rebuilt);
	if (rebuilt.len != saved.len || memcmp(rebuilt.buf, saved.buf, saved.len) != 0) {
		cg_error_set(
			err, CG_E_PRECOND, 0,
			"plan file '%s' (made by cgapply %s): this cgapply would run other steps from the same states; make a new one with 'cgapply plan --out'",
			name, pf.version ? pf.version : "unknown");
		goto out;
	}
	*out = pf;
	cg_planfile_init(&pf);
	r = 0;
out:
	cg_planfile_release(&pf);
	cg_diags_release(&own);
	strbuf_release(&saved);
	strbuf_release(&rebuilt);
	return r;
}

/* ---- staleness ---- */

static bool
plan_removes(const struct plan *p, const char *dir)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->steps[i].op == PLAN_OP_RMDIR && strcmp(p->steps[i].dir, dir) == 0)
			return true;
	return false;
}

/*
 * A directory made since the plan inside one it removes (by hand, or by another program):
 * the rmdir would fail with EBUSY. Counts them, each one said in `why` after `shown`.
 */
static size_t
new_subdirs(struct cg_fs *fs, const struct plan *p, struct strbuf *why, size_t shown)
{
	size_t i, k, n = 0;

	for (i = 0; i < p->n; i++) {
		struct cg_error *e = NULL;
		char **kids = NULL;
		size_t nkids = 0;

		if (p->steps[i].op != PLAN_OP_RMDIR)
			continue;
		if (cg_fs_list(fs, p->steps[i].dir, true, &kids, &nkids, &e) < 0) {
			/* gone already, or unreadable: the rmdir itself will say */
			cg_error_free(e);
			continue;
		}
		for (k = 0; k < nkids; k++) {
			CG_AUTOFREE char *sub = xasprintf("%s/%s", p->steps[i].dir, kids[k]);

			if (!plan_removes(p, sub)) {
				n++;
				if (why && shown + n <= MAX_WHY)
					strbuf_addf(
						why,
						"%s'%s' now holds the directory '%s', which the plan does not remove",
						why->len ? "\n" : "", p->steps[i].dir, kids[k]);
			}
			free(kids[k]);
		}
		free(kids);
	}
	return n;
}

int
cg_planfile_check_live(struct cg_fs *fs, const struct cg_planfile *pf, struct cg_state *live,
		       struct strbuf *why, size_t *ndiff, struct cg_error **err)
{
	struct cg_state l;
	size_t n, i;

	if (cg_snapshot_reread(fs, &pf->cur, &l, err) < 0)
		return cg_error_wrap(err, "cannot read the live state");
	n = cg_exec_compare(&pf->cur, &l, false, why, MAX_WHY);
	for (i = 0; i < pf->cur.n; i++) {
		const struct cg_state_dir *d = &pf->cur.dirs[i];
		const struct cg_state_dir *h = cg_state_find(&l, d->fspath);

		if (!h || !d->exists || !h->exists || d->populated == h->populated ||
		    !plan_removes(&pf->plan, d->fspath))
			continue;
		n++;
		if (why && n <= MAX_WHY)
			strbuf_addf(why, "%s'%s' %s", why->len ? "\n" : "", d->fspath,
				    h->populated ? "now holds tasks" : "no longer holds tasks");
	}
	n += new_subdirs(fs, &pf->plan, why, n);
	*ndiff = n;
	*live = l;
	return 0;
}

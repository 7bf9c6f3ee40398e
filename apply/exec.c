/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "apply/exec.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "apply/fs.h"
#include "apply/hierarchy.h"
#include "apply/snapshot.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "parser/schema.h"

/* rmdir EBUSY: a killed task is not reaped at once (kernel-v1-constraints.md §8) */
#define RMDIR_TRIES	    6
#define RMDIR_FIRST_WAIT_MS 10

static const char *const task_files[] = { "tasks", "cgroup.procs", "cgroup.threads" };

void
exec_result_init(struct exec_result *r)
{
	memset(r, 0, sizeof(*r));
	plan_init(&r->rollback);
}

void
exec_result_release(struct exec_result *r)
{
	cg_error_free(r->error);
	cg_error_free(r->rollback_error);
	plan_release(&r->rollback);
	exec_result_init(r);
}

static char *
join(const char *dir, const char *file)
{
	if (!dir || !*dir)
		return xstrdup(file);
	return xasprintf("%s/%s", dir, file);
}

/* "1000:1000"; an id of -1 (left alone) is "-" */
static char *
owner_text(uid_t uid, gid_t gid)
{
	struct strbuf sb = STRBUF_INIT;

	if (uid == (uid_t)-1)
		strbuf_addch(&sb, '-');
	else
		strbuf_addf(&sb, "%lu", (unsigned long)uid);
	if (gid == (gid_t)-1)
		strbuf_adds(&sb, ":-");
	else
		strbuf_addf(&sb, ":%lu", (unsigned long)gid);
	return strbuf_detach(&sb);
}

static bool
is_task_file(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(task_files) / sizeof(task_files[0]); i++)
		if (strcmp(name, task_files[i]) == 0)
			return true;
	return false;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Replaces the fs layer's message by one that says what the step meant to do, keeping
 * its errno (the reporter appends strerror); a message without errno is kept as context.
 */
static int step_error(struct cg_error **err, struct cg_error *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
step_error(struct cg_error **err, struct cg_error *e, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	int errnum = e ? e->errnum : 0;
	enum cg_errkind kind = e ? e->kind : CG_E_INTERNAL;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (e && !errnum)
		strbuf_addf(&sb, ": %s", e->msg);
	cg_error_free(e);
	cg_error_set(err, kind, errnum, "%s", sb.buf);
	strbuf_release(&sb);
	return -1;
}

/*
 * One write(2) per '\n'-separated record, each ending in a newline as `echo` writes it
 * (the form the kernel's rules were measured with); an empty text is written as "\n".
 */
static int
do_write(struct cg_fs *fs, const struct plan_step *s, struct cg_error **err)
{
	CG_AUTOFREE char *path = join(s->dir, s->file);
	const char *text = s->new_text ? s->new_text : "";
	const char *p = text;
	struct cg_error *e = NULL;
	struct strbuf rec_nl = STRBUF_INIT;
	int r = 0;

	if (!*text) {
		if (cg_fs_write(fs, path, "\n", 1, &e) < 0) {
			return step_error(err, e, "cannot write an empty value to '%s'", path);
		}
		return 0;
	}
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		strbuf_reset(&rec_nl);
		strbuf_add(&rec_nl, p, len);
		strbuf_addch(&rec_nl, '\n');
		if (len && cg_fs_write(fs, path, rec_nl.buf, rec_nl.len, &e) < 0) {
			CG_AUTOFREE char *shown = cg_diag_shown(text);
			CG_AUTOFREE char *rec = xstrndup(p, len);
			CG_AUTOFREE char *rec_shown = cg_diag_shown(rec);

			if (nl || p != text)
				r = step_error(err, e, "cannot write '%s' (of '%s') to '%s'",
					       rec_shown, shown, path);
			else
				r = step_error(err, e, "cannot write '%s' to '%s'", shown, path);
			break;
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	strbuf_release(&rec_nl);
	return r;
}

/* A CHOWN/CHMOD of "*": every regular file of the directory but the task files. */
static int
do_each_file(struct cg_fs *fs, const struct plan_step *s, struct cg_error **err)
{
	char **names = NULL;
	size_t n = 0, i;
	struct cg_error *e = NULL;
	int r = 0;

	if (cg_fs_list(fs, s->dir, false, &names, &n, &e) < 0)
		return step_error(err, e, "cannot list '%s'", s->dir);
	for (i = 0; i < n && r == 0; i++) {
		CG_AUTOFREE char *path = NULL;
		struct stat st;

		if (is_task_file(names[i]))
			continue;
		path = join(s->dir, names[i]);
		if (cg_fs_stat(fs, path, &st, &e) < 0) {
			r = step_error(err, e, "cannot inspect '%s'", path);
			break;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (s->op == PLAN_OP_CHOWN) {
			if (cg_fs_chown(fs, path, s->uid, s->gid, &e) < 0) {
				CG_AUTOFREE char *who = owner_text(s->uid, s->gid);

				r = step_error(err, e, "cannot change the owner of '%s' to %s",
					       path, who);
			}
		} else if (cg_fs_chmod(fs, path, s->mode, &e) < 0) {
			r = step_error(err, e, "cannot change the mode of '%s' to %04lo", path,
				       (unsigned long)s->mode);
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

static int
do_rmdir(struct cg_fs *fs, const struct plan_step *s, struct cg_error **err)
{
	struct cg_error *e = NULL;
	long wait = RMDIR_FIRST_WAIT_MS;
	int i;

	for (i = 0;; i++) {
		if (cg_fs_rmdir(fs, s->dir, &e) == 0)
			return 0;
		if (e->errnum != EBUSY || i + 1 >= RMDIR_TRIES)
			break;
		cg_error_free(e);
		e = NULL;
		sleep_ms(wait);
		wait *= 2;
	}
	return step_error(err, e, "cannot remove '%s'", s->dir);
}

static int
run_step(struct cg_fs *fs, const struct plan_step *s, struct cg_error **err)
{
	struct cg_error *e = NULL;
	CG_AUTOFREE char *path = NULL;

	switch (s->op) {
	case PLAN_OP_MKDIR:
		if (cg_fs_mkdir(fs, s->dir, s->mode, &e) < 0)
			return step_error(err, e, "cannot create '%s'", s->dir);
		return 0;
	case PLAN_OP_WRITE:
		return do_write(fs, s, err);
	case PLAN_OP_CHOWN:
		if (s->file && strcmp(s->file, "*") == 0)
			return do_each_file(fs, s, err);
		path = s->file ? join(s->dir, s->file) : xstrdup(s->dir);
		if (cg_fs_chown(fs, path, s->uid, s->gid, &e) < 0) {
			CG_AUTOFREE char *who = owner_text(s->uid, s->gid);

			return step_error(err, e, "cannot change the owner of '%s' to %s", path,
					  who);
		}
		return 0;
	case PLAN_OP_CHMOD:
		if (s->file && strcmp(s->file, "*") == 0)
			return do_each_file(fs, s, err);
		path = s->file ? join(s->dir, s->file) : xstrdup(s->dir);
		if (cg_fs_chmod(fs, path, s->mode, &e) < 0)
			return step_error(err, e, "cannot change the mode of '%s' to %04lo", path,
					  (unsigned long)s->mode);
		return 0;
	case PLAN_OP_RMDIR:
		return do_rmdir(fs, s, err);
	}
	return cg_error_set(err, CG_E_INTERNAL, 0, "unknown plan step %d", (int)s->op);
}

int
cg_exec_steps(struct cg_fs *fs, const struct plan *p, size_t *done, struct cg_error **err)
{
	size_t i;

	if (done)
		*done = 0;
	for (i = 0; i < p->n; i++) {
		if (run_step(fs, &p->steps[i], err) < 0)
			return -1;
		if (done)
			*done = i + 1;
	}
	return 0;
}

/*
 * The rollback's own run: a step that fails does not stop the others, since restoring
 * as much as possible beats stopping half-way; the first error is kept.
 */
static int
steps_best_effort(struct cg_fs *fs, const struct plan *p, size_t *done, struct cg_error **err)
{
	struct cg_error *first = NULL;
	size_t i;

	*done = 0;
	for (i = 0; i < p->n; i++) {
		struct cg_error *e = NULL;

		if (run_step(fs, &p->steps[i], &e) < 0) {
			if (first)
				cg_error_free(e);
			else
				first = e;
			continue;
		}
		(*done)++;
	}
	if (first) {
		*err = first;
		return -1;
	}
	return 0;
}

/* ---- comparison ---- */

/*
 * Whether a file holds state that cgapply sets (a limit), as opposed to what the kernel
 * reports (usage, the files the planner reads for its preflight): only those are
 * restored and compared.
 */
static enum cg_version
dir_version(const struct cg_state_dir *d)
{
	return d->hier ? d->hier->version : CG_V1;
}

/* v1 devices.list: read-only, but it is the effective rule set the rules write to */
static bool
devices_list(const struct cg_state_dir *d, const struct cg_state_file *f)
{
	return dir_version(d) == CG_V1 && strcmp(f->name, "devices.list") == 0;
}

/*
 * devices.list counts (rollback writes the rules that bring it back); devices.allow and
 * devices.deny do not: they are write-only, so there is nothing to read or compare.
 */
static bool
state_file(const struct cg_state_dir *d, const struct cg_state_file *f)
{
	if (devices_list(d, f))
		return true;
	if (plan_devices_intent(f->name, dir_version(d)))
		return false;
	return !f->def || !(f->def->flags & (CG_FF_READONLY | CG_FF_ACTION | CG_FF_FORBIDDEN));
}

static bool
same_value(const struct cg_state_dir *d, const struct cg_state_file *wf,
	   const struct cg_value *have)
{
	if (devices_list(d, wf) && wf->value.type == CG_VT_DEVRULE && have->type == CG_VT_DEVRULE)
		return plan_devlist_equal(&wf->value, have);
	return cg_value_equal(&wf->value, have);
}

static char *
value_text(const struct cg_state_dir *d, const struct cg_value *v)
{
	struct strbuf sb = STRBUF_INIT;
	char *shown;

	cg_value_format(v, dir_version(d), &sb);
	shown = cg_diag_shown(sb.buf);
	strbuf_release(&sb);
	return shown;
}

struct mismatches {
	struct strbuf *why;
	size_t max, n;
};

static void mismatch(struct mismatches *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
mismatch(struct mismatches *m, const char *fmt, ...)
{
	va_list ap;

	m->n++;
	if (!m->why || m->n > m->max)
		return;
	if (m->why->len)
		strbuf_addch(m->why, '\n');
	va_start(ap, fmt);
	strbuf_vaddf(m->why, fmt, ap);
	va_end(ap);
}

static void
compare_owner(struct mismatches *m, const char *path, const char *what,
	      const struct cg_state_owner *want, const struct cg_state_owner *have)
{
	/* (uid_t)-1 and (gid_t)-1 in a target mean "leave it": only a uid or only a gid */
	if (want->owner_set && have->owner_set &&
	    ((want->uid != (uid_t)-1 && want->uid != have->uid) ||
	     (want->gid != (gid_t)-1 && want->gid != have->gid)))
		mismatch(m, "the owner of %s '%s' is %lu:%lu, expected %lu:%lu", what, path,
			 (unsigned long)have->uid, (unsigned long)have->gid,
			 (unsigned long)want->uid, (unsigned long)want->gid);
	if (want->mode_set && have->mode_set && (want->mode & 07777) != (have->mode & 07777))
		mismatch(m, "the mode of %s '%s' is %04lo, expected %04lo", what, path,
			 (unsigned long)(have->mode & 07777), (unsigned long)(want->mode & 07777));
}

static void
compare_dir(struct mismatches *m, const struct cg_state_dir *w, const struct cg_state_dir *h,
	    bool managed_only)
{
	size_t i;

	if (w->exists != h->exists) {
		mismatch(m, w->exists ? "'%s' does not exist" : "'%s' still exists", w->fspath);
		return;
	}
	if (!w->exists)
		return;
	compare_owner(m, w->fspath, "directory", &w->dir, &h->dir);
	compare_owner(m, w->fspath, "the task files of", &w->tasks, &h->tasks);
	compare_owner(m, w->fspath, "the control files of", &w->ctlfiles, &h->ctlfiles);
	for (i = 0; i < w->nfiles; i++) {
		const struct cg_state_file *wf = &w->files[i];
		const struct cg_state_file *hf;

		if (!wf->present || (managed_only && !wf->managed) || !state_file(w, wf))
			continue;
		hf = cg_state_file(h, wf->name);
		if (!hf || !hf->present) {
			mismatch(m, "'%s/%s' cannot be read back", w->fspath, wf->name);
		} else if (!same_value(w, wf, &hf->value)) {
			CG_AUTOFREE char *want = value_text(w, &wf->value);
			CG_AUTOFREE char *have = value_text(h, &hf->value);

			mismatch(m, "'%s/%s' reads '%s', expected '%s'", w->fspath, wf->name, have,
				 want);
		}
	}
}

size_t
cg_exec_compare(const struct cg_state *want, const struct cg_state *live, bool managed_only,
		struct strbuf *why, size_t max)
{
	struct mismatches m = { .why = why, .max = max, .n = 0 };
	size_t i;

	for (i = 0; i < want->n; i++) {
		const struct cg_state_dir *w = &want->dirs[i];
		const struct cg_state_dir *h = cg_state_find(live, w->fspath);

		/* not the configuration's: whatever happens to it is not cgapply's doing */
		if (w->foreign)
			continue;
		if (!h) {
			mismatch(&m, "'%s' was not read back", w->fspath);
			continue;
		}
		compare_dir(&m, w, h, managed_only);
	}
	if (why && m.n > max)
		strbuf_addf(why, "\n... and %zu more", m.n - max);
	return m.n;
}

/* ---- rollback ---- */

void
cg_exec_restore_goal(const struct cg_state *before, const struct cg_state *target,
		     struct cg_state *goal)
{
	size_t i, k;

	cg_state_copy(goal, before);
	for (i = 0; i < goal->n; i++)
		for (k = 0; k < goal->dirs[i].nfiles && !goal->dirs[i].foreign; k++)
			if (goal->dirs[i].files[k].present &&
			    state_file(&goal->dirs[i], &goal->dirs[i].files[k]))
				goal->dirs[i].files[k].managed = true;
	for (i = 0; i < target->n; i++) {
		const struct cg_state_dir *t = &target->dirs[i];
		struct cg_state_dir *d;

		if (cg_state_find(goal, t->fspath))
			continue;
		d = cg_state_add_dir(goal, t->fspath);
		d->group = t->group ? xstrdup(t->group) : NULL;
		d->hier = t->hier;
		d->anchor = t->anchor;
		d->exists = false;
		/* the same files, absent, so that a re-read looks where the apply wrote */
		for (k = 0; k < t->nfiles; k++)
			cg_state_add_file(d, t->files[k].name, t->files[k].def);
	}
}

int
cg_exec_plan_restore(struct cg_fs *fs, const struct cg_state *goal, struct cg_state *live,
		     struct plan *out, struct cg_diags *problems, struct cg_error **err)
{
	return cg_exec_plan_restore_adjusted(fs, goal, NULL, NULL, live, out, problems, err);
}

int
cg_exec_plan_restore_adjusted(struct cg_fs *fs, const struct cg_state *goal,
			      cg_exec_adjust_fn adjust, void *ctx, struct cg_state *live,
			      struct plan *out, struct cg_diags *problems, struct cg_error **err)
{
	const struct plan_opts o = { .prune = true, .force = true };
	struct cg_diags own;
	struct cg_diags *d;
	struct cg_state l;
	size_t i;
	int r = 0;

	cg_diags_init(&own);
	d = problems ? problems : &own;
	if (cg_snapshot_reread(fs, goal, &l, err) < 0) {
		cg_diags_release(&own);
		return cg_error_wrap(err, "cannot read the live state");
	}
	if (adjust)
		adjust(ctx, &l);
	if (plan_build(&l, goal, &o, out, d) < 0) {
		for (i = 0; i < d->n; i++)
			if (d->items[i].severity == CG_SEV_ERROR)
				break;
		r = cg_error_set(err, CG_E_PRECOND, 0, "cannot plan the way back: %s",
				 i < d->n ? d->items[i].msg : "the planner refused");
		cg_state_release(&l);
	} else {
		*live = l;
	}
	cg_diags_release(&own);
	return r;
}

/* One attempt: plan from the live state to `goal`, and run the plan. */
static int
restore_once(struct cg_fs *fs, const struct cg_state *goal, struct plan *rp, size_t *done,
	     struct cg_error **err)
{
	struct cg_state live;
	int r;

	plan_release(rp);
	plan_init(rp);
	*done = 0;
	if (cg_exec_plan_restore(fs, goal, &live, rp, NULL, err) < 0)
		return -1;
	cg_state_release(&live);
	r = steps_best_effort(fs, rp, done, err);
	return r;
}

static int
verify(struct cg_fs *fs, const struct cg_state *want, bool managed_only, struct cg_state *live,
       const char *what, struct cg_error **err)
{
	struct strbuf why = STRBUF_INIT;
	struct cg_state l;
	size_t n;

	if (cg_snapshot_reread(fs, want, &l, err) < 0)
		return cg_error_wrap(err, "cannot read back the %s", what);
	n = cg_exec_compare(want, &l, managed_only, &why, 5);
	if (n) {
		cg_error_set(err, CG_E_SYSTEM, 0, "the %s differs in %zu place%s: %s", what, n,
			     n == 1 ? "" : "s", why.buf);
		strbuf_release(&why);
		cg_state_release(&l);
		return -1;
	}
	strbuf_release(&why);
	if (live)
		*live = l;
	else
		cg_state_release(&l);
	return 0;
}

int
cg_exec_restore(struct cg_fs *fs, const struct cg_state *goal, struct plan *rp, size_t *done,
		struct cg_error **err)
{
	struct plan own;
	struct plan *pl;
	struct cg_error *e = NULL;
	size_t d = 0;
	int attempt, r = -1;

	plan_init(&own);
	pl = rp ? rp : &own;
	/* a second attempt starts from wherever the first stopped */
	for (attempt = 0; attempt < 2 && r < 0; attempt++) {
		cg_error_free(e);
		e = NULL;
		r = restore_once(fs, goal, pl, &d, &e);
		if (r == 0)
			r = verify(fs, goal, true, NULL, "restored state", &e);
	}
	if (done)
		*done = d;
	plan_release(&own);
	if (r < 0) {
		*err = e;
		return -1;
	}
	return 0;
}

static void
rollback(struct cg_fs *fs, const struct cg_state *before, const struct cg_state *target,
	 struct exec_result *res)
{
	struct cg_state goal;

	cg_exec_restore_goal(before, target, &goal);
	res->rolled_back = true;
	res->rollback_complete = cg_exec_restore(fs, &goal, &res->rollback, &res->rollback_done,
						 &res->rollback_error) == 0;
	cg_state_release(&goal);
}

static void
fail(struct exec_result *res, size_t step, struct cg_error *e)
{
	res->failed = true;
	res->failed_step = step;
	res->error = e;
}

int
cg_exec_run(struct cg_fs *fs, const struct plan *p, const struct cg_state *before,
	    const struct cg_state *target, struct cg_journal *j, struct exec_result *res)
{
	const struct plan_opts po = { .prune = true, .force = true };
	struct cg_error *e = NULL;
	struct cg_state live, want;
	size_t i;
	int r;

	for (i = 0; i < p->n; i++) {
		if (j && cg_journal_step(j, p, i, &e) < 0) {
			fail(res, i, e);
			goto failed;
		}
		if (run_step(fs, &p->steps[i], &e) < 0) {
			cg_error_wrap(&e, "step %zu of %zu", i + 1, p->n);
			fail(res, i, e);
			goto failed;
		}
		res->steps_done = i + 1;
		if (j && cg_journal_step_done(j, i, &e) < 0) {
			fail(res, i, e);
			goto failed;
		}
	}
	/* devices rules are checked by the devices.list they leave (plan_expected) */
	plan_expected(before, target, &po, &want);
	r = verify(fs, &want, true, &live, "result", &e);
	cg_state_release(&want);
	if (r < 0) {
		cg_error_wrap(&e, "verification failed");
		fail(res, p->n, e);
		goto failed;
	}
	if (j && cg_journal_commit(j, &live, &e) < 0) {
		cg_state_release(&live);
		fail(res, p->n, e);
		goto failed;
	}
	cg_state_release(&live);
	return 0;

failed:
	rollback(fs, before, target, res);
	if (j) {
		if (res->rollback_complete) {
			/* the state is restored; a journal that cannot be removed is only in the
			 * way */
			struct cg_error *tmp_err = NULL;

			if (cg_journal_abort(j, &tmp_err) < 0) {
				if (!res->rollback_error)
					res->rollback_error = tmp_err;
				else
					cg_error_free(tmp_err);
			}
		} else {
			cg_journal_keep(j);
		}
	}
	return -1;
}

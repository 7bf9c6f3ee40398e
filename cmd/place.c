/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "cmd/place.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/desired.h"
#include "apply/exec.h"
#include "apply/fs.h"
#include "apply/journal.h"
#include "apply/layout.h"
#include "apply/snapshot.h"
#include "apply/systemd.h"
#include "lib/xalloc.h"

static const char *
status_word(enum cg_move_status st)
{
	switch (st) {
	case CG_MOVE_PLANNED:
		return "planned";
	case CG_MOVE_DONE:
		return "done";
	case CG_MOVE_GONE:
		return "gone";
	case CG_MOVE_FAILED:
		return "failed";
	case CG_MOVE_UNDONE:
		return "undone";
	}
	return "?";
}

/* The uid's user name, or NULL when it has none. */
static const char *
user_name(uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	return pw && pw->pw_name && *pw->pw_name ? pw->pw_name : NULL;
}

/* "user zorro" when the uid has a name, else "uid 4300854". */
static void
who(uid_t uid, struct strbuf *sb)
{
	const char *name = user_name(uid);

	if (name)
		strbuf_addf(sb, "user %s", name);
	else
		strbuf_addf(sb, "uid %lu", (unsigned long)uid);
}

void
place_move_who(const struct cg_move *m, struct strbuf *sb)
{
	who(m->uid, sb);
}

void
report_text_moves(const struct cg_moves *mv, const struct report_opts *o, FILE *out)
{
	size_t i;

	if (!mv->n)
		return;
	fprintf(out, "%sTask moves:%s\n", o->color ? "\033[1m" : "", o->color ? "\033[0m" : "");
	for (i = 0; i < mv->n; i++) {
		const struct cg_move *m = &mv->items[i];

		struct strbuf u = STRBUF_INIT;

		who(m->uid, &u);
		fprintf(out, "  > pid %ld (%s, %s) %s: /%s -> /%s", (long)m->pid, u.buf, m->exe,
			*m->mount ? m->mount : "/", m->from, m->to);
		strbuf_release(&u);
		if (m->status == CG_MOVE_FAILED)
			fprintf(out, "  (failed: %s)", strerror(m->errnum));
		else if (m->status != CG_MOVE_PLANNED && m->status != CG_MOVE_DONE)
			fprintf(out, "  (%s)", status_word(m->status));
		fputc('\n', out);
	}
}

void
report_moves_summary(const struct cg_moves *mv, bool ran, struct strbuf *sb)
{
	size_t done = cg_moves_count(mv, CG_MOVE_DONE), gone = cg_moves_count(mv, CG_MOVE_GONE);
	size_t failed = cg_moves_count(mv, CG_MOVE_FAILED);

	if (!mv->n)
		return;
	if (!ran) {
		strbuf_addf(sb, "%zu task move%s", mv->n, mv->n == 1 ? "" : "s");
		return;
	}
	strbuf_addf(sb, "%zu task%s moved", done, done == 1 ? "" : "s");
	if (gone)
		strbuf_addf(sb, ", %zu gone", gone);
	if (failed)
		strbuf_addf(sb, ", %zu failed", failed);
}

void
report_json_moves(const struct cg_moves *mv, struct strbuf *sb)
{
	size_t i;

	strbuf_adds(sb, ",\"moves\":[");
	for (i = 0; i < mv->n; i++) {
		const struct cg_move *m = &mv->items[i];

		const char *name = user_name(m->uid);

		strbuf_addf(sb, "%s{\"pid\":%ld,\"uid\":%lu,\"user\":", i ? "," : "", (long)m->pid,
			    (unsigned long)m->uid);
		if (name)
			strbuf_add_json_string(sb, name);
		else
			strbuf_adds(sb, "null");
		strbuf_adds(sb, ",\"exe\":");
		strbuf_add_json_string(sb, m->exe);
		strbuf_adds(sb, ",\"hierarchy\":");
		strbuf_add_json_string(sb, m->mount);
		strbuf_adds(sb, ",\"from\":");
		strbuf_add_json_string(sb, m->from);
		strbuf_adds(sb, ",\"to\":");
		strbuf_add_json_string(sb, m->to);
		strbuf_addf(sb, ",\"status\":\"%s\"}", status_word(m->status));
	}
	strbuf_addch(sb, ']');
}

/* ---- groups on demand ---- */

static char *
join(const char *a, const char *b)
{
	if (!*a)
		return xstrdup(b);
	if (!*b)
		return xstrdup(a);
	return xasprintf("%s/%s", a, b);
}

int
place_create_groups(struct apply_run *r, const struct cg_moves *mv, bool take_lock,
		    struct cg_error **err)
{
	struct cg_lock *lock = NULL;
	struct cg_model *mini = cg_model_new();
	struct cg_layout layout = { 0 };
	struct cg_state cur, target;
	struct plan plan;
	struct cg_diags diags;
	size_t i, done = 0;
	int ret = -1;

	cg_state_init(&cur);
	cg_state_init(&target);
	plan_init(&plan);
	cg_diags_init(&diags);
	for (i = 0; i < mv->n; i++) {
		const struct cg_move *m = &mv->items[i];
		char *fspath = join(m->mount, m->to);
		struct cg_error *e = NULL;
		struct stat st;
		bool missing = cg_fs_stat(r->fs, fspath, &st, &e) < 0;

		free(fspath);
		cg_error_free(e);
		if (missing && m->rule && m->status == CG_MOVE_PLANNED)
			cg_place_instantiate(mini, r->model, m->rule->destination, m->group);
	}
	if (!mini->ngroups) {
		ret = 0;
		goto out;
	}
	if (take_lock &&
	    cg_lock_acquire(r->o->state_dir, r->o->lock_timeout_ms ? r->o->lock_timeout_ms : 5000,
			    r->o->what, &lock, err) < 0)
		goto out;
	if (cg_layout_build(mini, &r->hosts, r->o->parent, &layout, err) < 0 ||
	    cg_snapshot_read(r->fs, &layout, &cur, err) < 0)
		goto out;
	if (cg_desired_build(mini, &layout, &cur, &target, &diags) < 0 || diags.errors ||
	    plan_build(&cur, &target, NULL, &plan, &diags) < 0 || diags.errors) {
		cg_error_set(err, CG_E_PRECOND, 0, "cannot plan the groups to create%s%s",
			     diags.n ? ": " : "", diags.n ? diags.items[0].msg : "");
		goto out;
	}
	/* as apply does for its steps: not in cgroups systemd owns */
	if (!r->o->allow_systemd && cg_systemd_booted(NULL) &&
	    cg_systemd_check_plan(r->fs, &r->hosts, &plan, err) < 0)
		goto out;
	if (cg_exec_steps(r->fs, &plan, &done, err) < 0) {
		cg_error_wrap(err, "cannot create the groups of the rules");
		goto out;
	}
	for (i = 0; i < plan.n; i++)
		if (plan.steps[i].op == PLAN_OP_MKDIR)
			apply_verbose(r->o, "created '%s'", plan.steps[i].dir);
	ret = 0;
out:
	cg_lock_release(lock);
	cg_diags_release(&diags);
	plan_release(&plan);
	cg_state_release(&target);
	cg_state_release(&cur);
	cg_layout_release(&layout);
	cg_model_free(mini);
	return ret;
}

/* ---- apply and rollback ---- */

static int
write_record(const struct apply_opts *o, const struct cg_moves *earlier, const struct cg_moves *mv,
	     struct cg_error **err)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	cg_moves_serialize_after(earlier, mv, &sb);
	ret = cg_statedir_write(o->state_dir, PLACE_RECORD, &sb, err);
	strbuf_release(&sb);
	return ret;
}

/* The record in the state directory; *found false (and `out` empty) when there is none. */
static int
read_record(const struct apply_opts *o, struct cg_moves *out, bool *found, struct cg_error **err)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = 0;

	cg_moves_init(out);
	*found = false;
	if (cg_statedir_read(o->state_dir, PLACE_RECORD, &sb, found, err) < 0)
		ret = -1;
	else if (*found && cg_moves_parse(sb.buf, sb.len, out, err) < 0)
		ret = -1;
	strbuf_release(&sb);
	return ret;
}

void
place_forget_moves(const struct apply_opts *o)
{
	char *path = xasprintf("%s/%s", o->state_dir, PLACE_RECORD);

	if (access(path, F_OK) == 0)
		unlink(path);
	free(path);
}

int
place_apply_moves(struct apply_run *r, bool add, struct cg_error **err)
{
	struct cg_error *e = NULL, *tmp = NULL;
	struct cg_moves earlier;
	bool found;
	int ret = 0;

	cg_moves_init(&earlier);
	if (!r->moves.n)
		return 0;
	/*
	 * A moves-only apply adds to the record: rollback undoes it together with the apply
	 * before it, whose groups the processes are in, instead of forgetting how to move
	 * those back (and then failing to remove their groups).
	 */
	if (add && read_record(r->o, &earlier, &found, err) < 0) {
		cg_error_wrap(err, "cannot read the task moves of the last apply");
		return -1;
	}
	/* what may be moved is on disk before the first move */
	if (write_record(r->o, &earlier, &r->moves, err) < 0) {
		cg_error_wrap(err, "cannot record the task moves");
		ret = -1;
		goto out;
	}
	if (cg_place_run(r->fs, NULL, &r->moves, &e) < 0) {
		cg_place_undo(r->fs, NULL, &r->hosts, &r->moves, &tmp);
		cg_error_free(tmp);
		tmp = NULL;
		if (write_record(r->o, &earlier, &r->moves, &tmp) < 0)
			cg_error_free(tmp);
		*err = e;
		ret = -1;
		goto out;
	}
	if (write_record(r->o, &earlier, &r->moves, &tmp) < 0)
		cg_error_free(tmp);
out:
	cg_moves_release(&earlier);
	return ret;
}

int
place_read_moves(struct apply_run *r, struct cg_moves *out, bool *found, struct cg_error **err)
{
	return read_record(r->o, out, found, err);
}

int
place_rollback_moves(struct apply_run *r, bool *found, size_t *undone, struct cg_error **err)
{
	struct cg_moves mv;
	struct cg_error *e = NULL;

	*undone = 0;
	if (read_record(r->o, &mv, found, err) < 0)
		return -1;
	if (!*found)
		return 0;
	*undone = cg_place_undo(r->fs, NULL, &r->hosts, &mv, &e);
	cg_moves_release(&mv);
	if (e) {
		cg_error_wrap(&e, "cannot move a process back");
		*err = e;
		return -1;
	}
	place_forget_moves(r->o);
	return 0;
}

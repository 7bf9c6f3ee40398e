/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Plans and apply results, as text for people and as the JSON object of plan, apply and
 * rollback. A plan runs in the planner's order (mkdir top-down ... rmdir bottom-up); the
 * text shows each group's steps together, groups in the order of their first step, so
 * that within a group the order is the one the steps run in; each step carries its
 * number in the run, since the steps of parents and children interleave (a cpuset
 * widened in the parent, narrowed in the child, then narrowed in the parent).
 */
#include "config.h"
#include "cmd/report.h"

#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "apply/exec.h"
#include "apply/plan.h"
#include "cmd/place.h"
#include "lib/xalloc.h"
#include "parser/schema.h"
#include "parser/value.h"

#define C_RESET	  "\033[0m"
#define C_BOLD	  "\033[1m"
#define C_RED	  "\033[1;31m"
#define C_GREEN	  "\033[32m"
#define C_YELLOW  "\033[33m"
#define C_DRED	  "\033[31m"
#define C_MAGENTA "\033[1;35m"
#define C_DIM	  "\033[2m"

/* the v1 read-back of an unlimited memory limit (PAGE_COUNTER_MAX pages) and above */
#define V1_UNLIMITED 9223372036854771712ULL

/* widest subject column before the detail; longer subjects push their detail right */
#define SUBJECT_MAX 56

char *
report_error_text(const struct cg_error *e)
{
	if (!e)
		return xstrdup("unknown error");
	if (e->errnum)
		return xasprintf("%s: %s", e->msg, strerror(e->errnum));
	return xstrdup(e->msg);
}

void
report_text_error(const char *severity, const char *msg, const struct report_opts *o, FILE *out)
{
	if (o->color)
		fprintf(out,
			C_BOLD "cgapply: " C_RESET "%s%s:" C_RESET " " C_BOLD "%s" C_RESET "\n",
			strcmp(severity, "error") == 0 ? C_RED : C_MAGENTA, severity, msg);
	else
		fprintf(out, "cgapply: %s: %s\n", severity, msg);
}

const char *
report_step_status(const struct exec_result *res, size_t i)
{
	if (!res)
		return "planned";
	if (res->failed && i == res->failed_step)
		return "failed";
	if (i >= res->steps_done)
		return "not run";
	if (res->failed && res->rolled_back && res->rollback_complete)
		return "undone";
	return "done";
}

/* ---- text ---- */

/* The directories a plan creates, sorted, to tell '+' steps from '~' ones in O(log n). */
struct created {
	const char **dirs;
	size_t n;
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
created_init(struct created *c, const struct plan *p)
{
	size_t i;

	c->dirs = xcalloc(p->n ? p->n : 1, sizeof(*c->dirs));
	c->n = 0;
	for (i = 0; i < p->n; i++)
		if (p->steps[i].op == PLAN_OP_MKDIR)
			c->dirs[c->n++] = p->steps[i].dir;
	qsort(c->dirs, c->n, sizeof(*c->dirs), cmp_str);
}

static bool
created_has(const struct created *c, const char *dir)
{
	return bsearch(&dir, c->dirs, c->n, sizeof(*c->dirs), cmp_str) != NULL;
}

static char
step_symbol(const struct created *c, const struct plan_step *s)
{
	switch (s->op) {
	case PLAN_OP_MKDIR:
		return '+';
	case PLAN_OP_RMDIR:
		return '-';
	case PLAN_OP_WRITE:
	case PLAN_OP_CHOWN:
	case PLAN_OP_CHMOD:
		break;
	}
	return created_has(c, s->dir) ? '+' : '~';
}

static const char *
symbol_color(char c)
{
	return c == '+' ? C_GREEN : c == '-' ? C_DRED : C_YELLOW;
}

/* "zorro:zorro", numbers for unknown ids, "-" for an id left alone or not known (-1) */
static void
add_user(struct strbuf *sb, uid_t uid, gid_t gid)
{
	struct passwd *pw = uid == (uid_t)-1 ? NULL : getpwuid(uid);
	struct group *gr = gid == (gid_t)-1 ? NULL : getgrgid(gid);

	if (uid == (uid_t)-1)
		strbuf_addch(sb, '-');
	else if (pw)
		strbuf_adds(sb, pw->pw_name);
	else
		strbuf_addf(sb, "%lu", (unsigned long)uid);
	strbuf_addch(sb, ':');
	if (gid == (gid_t)-1)
		strbuf_addch(sb, '-');
	else if (gr)
		strbuf_adds(sb, gr->gr_name);
	else
		strbuf_addf(sb, "%lu", (unsigned long)gid);
}

/* JSON form of an owner: "1000:1000", with -1 (unknown, or left alone) as "-" */
static void
json_owner(struct strbuf *sb, uid_t uid, gid_t gid)
{
	strbuf_addch(sb, '"');
	if (uid == (uid_t)-1)
		strbuf_addch(sb, '-');
	else
		strbuf_addf(sb, "%lu", (unsigned long)uid);
	strbuf_addch(sb, ':');
	if (gid == (gid_t)-1)
		strbuf_addch(sb, '-');
	else
		strbuf_addf(sb, "%lu", (unsigned long)gid);
	strbuf_addch(sb, '"');
}

static void
add_shown(struct strbuf *sb, const char *text)
{
	char *shown;

	if (!*text) {
		strbuf_adds(sb, "\"\"");
		return;
	}
	shown = cg_diag_shown(text);
	strbuf_adds(sb, shown);
	free(shown);
}

/* "1 GiB" or "unlimited" for a size file's text; false when `file` holds no size. */
static bool
add_human(struct strbuf *sb, const char *file, const char *text)
{
	const struct cg_filedef *def = file ? cg_schema_file_any(file) : NULL;
	bool unlimited = false;
	uint64_t bytes = 0;

	if (!def || def->type != CG_VT_SIZE || !text || cg_size_parse(text, &unlimited, &bytes) < 0)
		return false;
	if (unlimited || bytes >= V1_UNLIMITED)
		strbuf_adds(sb, "unlimited");
	else
		cg_size_human(bytes, sb);
	return true;
}

static bool
is_size_file(const char *file)
{
	const struct cg_filedef *def = file ? cg_schema_file_any(file) : NULL;

	return def && def->type == CG_VT_SIZE;
}

static void
step_subject(const struct plan_step *s, struct strbuf *sb)
{
	strbuf_adds(sb, s->dir);
	switch (s->op) {
	case PLAN_OP_MKDIR:
	case PLAN_OP_RMDIR:
		return;
	case PLAN_OP_WRITE:
		strbuf_addf(sb, "/%s", s->file ? s->file : "?");
		return;
	case PLAN_OP_CHOWN:
	case PLAN_OP_CHMOD:
		if (s->file && strcmp(s->file, "*") == 0)
			strbuf_adds(sb, "/* (control files)");
		else if (s->file)
			strbuf_addf(sb, "/%s", s->file);
		strbuf_adds(sb, s->op == PLAN_OP_CHOWN ? " owner" : " mode");
		return;
	}
}

static void
step_detail(const struct plan_step *s, char sym, struct strbuf *sb)
{
	struct strbuf h = STRBUF_INIT;

	switch (s->op) {
	case PLAN_OP_MKDIR:
		strbuf_addf(sb, "create (mode %04lo)", (unsigned long)(s->mode & 07777));
		break;
	case PLAN_OP_RMDIR:
		strbuf_adds(sb, "remove");
		break;
	case PLAN_OP_WRITE:
		if (sym == '+' || !s->old_text) {
			strbuf_adds(sb, "= ");
			add_shown(sb, s->new_text ? s->new_text : "");
			if (add_human(&h, s->file, s->new_text))
				strbuf_addf(sb, " (%s)", h.buf);
			break;
		}
		add_shown(sb, s->old_text);
		strbuf_adds(sb, " → ");
		add_shown(sb, s->new_text ? s->new_text : "");
		if (is_size_file(s->file)) {
			struct strbuf a = STRBUF_INIT;

			if (add_human(&a, s->file, s->old_text) &&
			    add_human(&h, s->file, s->new_text))
				strbuf_addf(sb, " (%s → %s)", a.buf, h.buf);
			strbuf_release(&a);
		}
		break;
	case PLAN_OP_CHOWN:
		if (sym == '~') {
			add_user(sb, s->old_uid, s->old_gid);
			strbuf_adds(sb, " → ");
		} else {
			strbuf_adds(sb, "= ");
		}
		add_user(sb, s->uid, s->gid);
		break;
	case PLAN_OP_CHMOD:
		if (sym == '~')
			strbuf_addf(sb, "%04lo → %04lo", (unsigned long)(s->old_mode & 07777),
				    (unsigned long)(s->mode & 07777));
		else
			strbuf_addf(sb, "= %04lo", (unsigned long)(s->mode & 07777));
		break;
	}
	if (s->transitional)
		strbuf_adds(sb, " (on the way)");
	if (s->irreversible)
		strbuf_adds(sb, " (cannot be undone)");
	strbuf_release(&h);
}

/* Column width of the subjects (display width: the subjects are ASCII or escaped). */
static size_t
subject_width(const struct plan *p)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, w = 0;

	for (i = 0; i < p->n; i++) {
		strbuf_reset(&sb);
		step_subject(&p->steps[i], &sb);
		if (sb.len > w && sb.len <= SUBJECT_MAX)
			w = sb.len;
	}
	strbuf_release(&sb);
	return w;
}

static int
group_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return a ? 1 : b ? -1 : 0;
	return strcmp(a, b);
}

struct step_ref {
	const struct plan *p;
	size_t i;
};

/* By group (the --parent directory first), then by position in the plan. */
static int
cmp_by_group(const void *a, const void *b)
{
	const struct step_ref *x = a, *y = b;
	int c = group_cmp(x->p->steps[x->i].group, y->p->steps[y->i].group);

	if (c)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* A group's steps: refs[start .. start+len), the first of them at plan index `first`. */
struct run {
	size_t start, len, first;
};

static int
cmp_run(const void *a, const void *b)
{
	const struct run *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

static char
run_symbol(const struct plan *p, const struct step_ref *refs, const struct run *r)
{
	bool mk = false, rm = false;
	size_t k;

	for (k = r->start; k < r->start + r->len; k++) {
		if (p->steps[refs[k].i].op == PLAN_OP_MKDIR)
			mk = true;
		else if (p->steps[refs[k].i].op == PLAN_OP_RMDIR)
			rm = true;
	}
	if (mk && !rm)
		return '+';
	if (rm && !mk)
		return '-';
	return '~';
}

/* Digits of the highest step number. */
static int
number_width(size_t n)
{
	int w = 1;

	while (n >= 10) {
		n /= 10;
		w++;
	}
	return w;
}

/* A step: its number in the run order (the groups' steps interleave), symbol, subject,
 * detail and, after an apply, its status when not "done". */
static void
print_step(const struct plan *p, size_t i, const struct created *cr, const struct exec_result *res,
	   size_t width, const struct report_opts *o, FILE *out)
{
	const struct plan_step *s = &p->steps[i];
	struct strbuf subj = STRBUF_INIT, detail = STRBUF_INIT;
	char sym = step_symbol(cr, s);
	const char *status = report_step_status(res, i);
	bool shown_status = res && strcmp(status, "done") != 0;

	step_subject(s, &subj);
	step_detail(s, sym, &detail);
	fprintf(out, "  %*zu ", number_width(p->n), i + 1);
	if (o->color)
		fprintf(out, "%s%c%s %-*s  %s", symbol_color(sym), sym, C_RESET, (int)width,
			subj.buf, detail.buf);
	else
		fprintf(out, "%c %-*s  %s", sym, (int)width, subj.buf, detail.buf);
	if (shown_status) {
		if (o->color)
			fprintf(out, "  %s[%s]%s", strcmp(status, "failed") == 0 ? C_RED : C_DIM,
				status, C_RESET);
		else
			fprintf(out, "  [%s]", status);
	}
	fputc('\n', out);
	strbuf_release(&subj);
	strbuf_release(&detail);
}

void
report_text_plan(const struct plan *p, const struct exec_result *res, const struct report_opts *o,
		 FILE *out)
{
	struct step_ref *refs;
	struct run *runs;
	struct created cr;
	size_t i, k, nruns = 0, width;

	if (!p->n)
		return;
	width = subject_width(p);
	created_init(&cr, p);
	refs = xcalloc(p->n, sizeof(*refs));
	for (i = 0; i < p->n; i++)
		refs[i] = (struct step_ref){ p, i };
	qsort(refs, p->n, sizeof(*refs), cmp_by_group);
	runs = xcalloc(p->n, sizeof(*runs));
	for (i = 0; i < p->n; i++) {
		if (i && group_cmp(p->steps[refs[i].i].group, p->steps[refs[i - 1].i].group) == 0) {
			runs[nruns - 1].len++;
			continue;
		}
		runs[nruns++] = (struct run){ i, 1, refs[i].i };
	}
	qsort(runs, nruns, sizeof(*runs), cmp_run);
	for (k = 0; k < nruns; k++) {
		const char *group = p->steps[runs[k].first].group;
		char sym = run_symbol(p, refs, &runs[k]);

		if (o->color)
			fprintf(out, "%s%c%s " C_BOLD, symbol_color(sym), sym, C_RESET);
		else
			fprintf(out, "%c ", sym);
		if (group)
			fprintf(out, "group %s", group);
		else
			fprintf(out, "parent directory");
		fputs(o->color ? C_RESET "\n" : "\n", out);
		for (i = runs[k].start; i < runs[k].start + runs[k].len; i++)
			print_step(p, refs[i].i, &cr, res, width, o, out);
	}
	free(runs);
	free(refs);
	free(cr.dirs);
}

/* Directories created and removed; values, owners and modes changed in the others. */
static void
counts(const struct plan *p, size_t *create, size_t *change, size_t *remove)
{
	struct created cr;
	size_t i, owners = 0;

	created_init(&cr, p);
	for (i = 0; i < p->n; i++) {
		const struct plan_step *s = &p->steps[i];

		if ((s->op == PLAN_OP_CHOWN || s->op == PLAN_OP_CHMOD) && !created_has(&cr, s->dir))
			owners++;
	}
	free(cr.dirs);
	*create = p->dirs_created;
	*change = p->values_changed + owners;
	*remove = p->dirs_removed;
}

void
report_plan_summary(const struct plan *p, struct strbuf *sb)
{
	size_t create, change, remove;

	if (!p->n) {
		strbuf_adds(sb, "No changes.");
		return;
	}
	counts(p, &create, &change, &remove);
	strbuf_addf(sb, "Plan: %zu to create, %zu to change, %zu to remove.", create, change,
		    remove);
}

void
report_done_summary(const struct plan *p, struct strbuf *sb)
{
	size_t create, change, remove;

	counts(p, &create, &change, &remove);
	strbuf_addf(sb, "%zu created, %zu changed, %zu removed", create, change, remove);
}

/* ---- JSON ---- */

static void
json_opt(struct strbuf *sb, const char *s)
{
	if (s)
		strbuf_add_json_string(sb, s);
	else
		strbuf_adds(sb, "null");
}

/* The controller a step concerns: the file's (writes), else the hierarchy's name. */
static const char *
step_controller(const struct plan_step *s)
{
	const struct cg_filedef *def;

	if (s->op == PLAN_OP_WRITE && s->file) {
		def = cg_schema_file_any(s->file);
		if (def && def->controller)
			return def->controller;
	}
	return s->hier && *s->hier ? s->hier : NULL;
}

static void
json_action(const struct plan *p, size_t i, const struct exec_result *res, struct strbuf *sb)
{
	const struct plan_step *s = &p->steps[i];

	strbuf_adds(sb, "{\"op\":");
	strbuf_add_json_string(sb, plan_op_name(s->op));
	strbuf_adds(sb, ",\"group\":");
	json_opt(sb, s->group);
	strbuf_adds(sb, ",\"controller\":");
	json_opt(sb, step_controller(s));
	strbuf_adds(sb, ",\"path\":");
	json_opt(sb, s->dir);
	strbuf_adds(sb, ",\"file\":");
	json_opt(sb, s->op == PLAN_OP_MKDIR || s->op == PLAN_OP_RMDIR ? NULL : s->file);
	switch (s->op) {
	case PLAN_OP_WRITE:
		strbuf_adds(sb, ",\"before\":");
		json_opt(sb, s->old_text);
		strbuf_adds(sb, ",\"after\":");
		json_opt(sb, s->new_text);
		break;
	case PLAN_OP_CHOWN:
		strbuf_adds(sb, ",\"before\":");
		if (s->old_uid == (uid_t)-1 && s->old_gid == (gid_t)-1)
			strbuf_adds(sb, "null");
		else
			json_owner(sb, s->old_uid, s->old_gid);
		strbuf_adds(sb, ",\"after\":");
		json_owner(sb, s->uid, s->gid);
		break;
	case PLAN_OP_CHMOD:
		strbuf_addf(sb, ",\"before\":\"%04lo\",\"after\":\"%04lo\"",
			    (unsigned long)(s->old_mode & 07777), (unsigned long)(s->mode & 07777));
		break;
	case PLAN_OP_MKDIR:
		strbuf_addf(sb, ",\"before\":null,\"after\":\"%04lo\"",
			    (unsigned long)(s->mode & 07777));
		break;
	case PLAN_OP_RMDIR:
		strbuf_adds(sb, ",\"before\":null,\"after\":null");
		break;
	}
	strbuf_adds(sb, ",\"status\":");
	strbuf_add_json_string(sb, report_step_status(res, i));
	strbuf_addch(sb, '}');
}

static void
json_error_diag(struct strbuf *sb, const struct cg_error *e, bool first)
{
	char *text = report_error_text(e);

	strbuf_adds(sb, first ? "{" : ",{");
	strbuf_adds(sb,
		    "\"file\":null,\"line\":0,\"column\":0,\"severity\":\"error\",\"message\":");
	strbuf_add_json_string(sb, text);
	strbuf_addch(sb, '}');
	free(text);
}

void
report_json_result(const struct report_result *r, struct strbuf *sb)
{
	struct cg_diags empty;
	struct strbuf diags = STRBUF_INIT;
	bool first;
	size_t i;

	strbuf_addf(sb, "{\"format_version\":%d,\"changed\":%s,\"failed\":%s,\"msg\":",
		    CG_JSON_FORMAT_VERSION, r->changed ? "true" : "false",
		    r->failed ? "true" : "false");
	strbuf_add_json_string(sb, r->msg ? r->msg : "");
	strbuf_adds(sb, ",\"actions\":[");
	for (i = 0; r->plan && i < r->plan->n; i++) {
		if (i)
			strbuf_addch(sb, ',');
		json_action(r->plan, i, r->res, sb);
	}
	strbuf_addch(sb, ']');
	if (r->moves)
		report_json_moves(r->moves, sb);
	strbuf_adds(sb, ",\"diagnostics\":");
	cg_diags_init(&empty);
	report_json_diags(r->diags ? r->diags : &empty, &diags);
	cg_diags_release(&empty);
	/* splice the unlocated errors in before the closing bracket */
	strbuf_add(sb, diags.buf, diags.len - 1);
	first = diags.len == 2;
	for (i = 0; i < 2; i++) {
		if (!r->errors[i])
			continue;
		json_error_diag(sb, r->errors[i], first);
		first = false;
	}
	strbuf_adds(sb, "]}\n");
	strbuf_release(&diags);
}

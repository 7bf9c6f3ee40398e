/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Saved plans (apply/planfile) on a temp tree laid out like a v1 cgroupfs: the text form
 * round-trips to the same plan; a damaged, truncated or foreign file and a plan the
 * planner does not reproduce are refused; the staleness check finds a value changed by
 * hand, a directory that appeared, and tasks in a group the plan removes, and nothing
 * when the tree is as it was (usage counters may move).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/fs.h"
#include "apply/hierarchy.h"
#include "apply/plan.h"
#include "apply/planfile.h"
#include "apply/readback.h"
#include "apply/snapshot.h"
#include "apply/state.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "parser/schema.h"
#include "tests/lib/testutil.h"

static char *tmpdir;  /* holds root/ */
static char *rootdir; /* the cgroup root */

static char s_memory[] = "memory", s_cpu[] = "cpu";
static char *mem_ctl[] = { s_memory };
static char *cpu_ctl[] = { s_cpu };
static struct cg_hier hiers[2];

static void
mk(const char *rel)
{
	char *p = xasprintf("%s/%s", rootdir, rel);

	ck_assert_msg(mkdir(p, 0755) == 0, "mkdir '%s': %s", p, strerror(errno));
	ck_assert_int_eq(chmod(p, 0755), 0);
	free(p);
}

static void
put(const char *rel, const char *text)
{
	char *p = xasprintf("%s/%s", rootdir, rel);
	FILE *f = fopen(p, "w");

	ck_assert_msg(f != NULL, "create '%s': %s", p, strerror(errno));
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(p, 0644), 0);
	free(p);
}

/*
 *   memory/            memory.limit_in_bytes (unlimited)
 *   memory/web/        limit 1G, memsw 2G, usage 50M, tasks
 *   cpu/               cpu.shares 1024
 *   cpu/web/           cpu.shares 1024, tasks
 *   cpu/old/           cpu.shares 1024, tasks (empty: to be removed)
 */
static void
setup(void)
{
	char tmpl[] = "/tmp/cgapply-planfile-XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	tmpdir = xstrdup(tmpl);
	rootdir = xasprintf("%s/root", tmpdir);
	ck_assert_int_eq(mkdir(rootdir, 0755), 0);
	hiers[0] = (struct cg_hier){ CG_V1, s_memory, mem_ctl, 1 };
	hiers[1] = (struct cg_hier){ CG_V1, s_cpu, cpu_ctl, 1 };
	mk("memory");
	put("memory/memory.limit_in_bytes", "9223372036854771712\n");
	mk("memory/web");
	put("memory/web/memory.limit_in_bytes", "1073741824\n");
	put("memory/web/memory.memsw.limit_in_bytes", "2147483648\n");
	put("memory/web/memory.usage_in_bytes", "52428800\n");
	put("memory/web/tasks", "");
	mk("cpu");
	put("cpu/cpu.shares", "1024\n");
	mk("cpu/web");
	put("cpu/web/cpu.shares", "1024\n");
	put("cpu/web/tasks", "");
	mk("cpu/old");
	put("cpu/old/cpu.shares", "1024\n");
	put("cpu/old/tasks", "");
}

static void
teardown(void)
{
	tu_rm_rf(tmpdir);
	free(rootdir);
	free(tmpdir);
	rootdir = tmpdir = NULL;
}

static void
like_dir(struct cg_state *s, const char *path, int hier, const char *group, bool anchor,
	 const char *const *files)
{
	struct cg_state_dir *d = cg_state_add_dir(s, path);

	d->hier = &hiers[hier];
	d->group = group ? xstrdup(group) : NULL;
	d->anchor = anchor;
	for (; files && *files; files++)
		cg_state_add_file(d, *files, cg_schema_file_any(*files));
}

static void
set_value(struct cg_state *s, const char *dir, const char *file, const char *text)
{
	struct cg_state_dir *d = cg_state_find(s, dir);
	const struct cg_filedef *def = cg_schema_file_any(file);
	struct cg_error *e = NULL;
	struct cg_state_file *f;
	struct cg_value v;

	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(cg_readback_parse(def, file, text, CG_V1, &v, &e), 0);
	f = cg_state_set(d, file, def, &v);
	f->managed = true;
	cg_value_release(&v);
}

/*
 * A saved plan from the live tree: memory/web grows (memsw first), cpu/web's shares
 * double, cpu/new is created, cpu/old is removed (prune).
 */
static void
make_planfile(struct cg_fs *fs, struct cg_planfile *pf)
{
	static const char *const mem[] = { "memory.limit_in_bytes", "memory.memsw.limit_in_bytes",
					   "memory.usage_in_bytes", NULL };
	static const char *const root_mem[] = { "memory.limit_in_bytes", NULL };
	static const char *const shares[] = { "cpu.shares", NULL };
	const struct plan_opts o = { .prune = true };
	struct cg_state like;
	struct cg_error *e = NULL;
	struct cg_diags d;

	cg_state_init(&like);
	like_dir(&like, "memory", 0, NULL, true, root_mem);
	like_dir(&like, "memory/web", 0, "web", false, mem);
	like_dir(&like, "cpu", 1, NULL, true, shares);
	like_dir(&like, "cpu/web", 1, "web", false, shares);
	like_dir(&like, "cpu/old", 1, "old", false, shares);
	like_dir(&like, "cpu/new", 1, "new", false, shares);
	cg_planfile_init(pf);
	ck_assert_int_eq(cg_snapshot_reread(fs, &like, &pf->cur, &e), 0);
	cg_state_release(&like);
	cg_state_copy(&pf->target, &pf->cur);
	set_value(&pf->target, "memory/web", "memory.limit_in_bytes", "2147483648");
	set_value(&pf->target, "memory/web", "memory.memsw.limit_in_bytes", "3221225472");
	set_value(&pf->target, "cpu/web", "cpu.shares", "2048");
	cg_state_find(&pf->target, "cpu/new")->exists = true;
	cg_state_find(&pf->target, "cpu/old")->exists = false;
	cg_diags_init(&d);
	ck_assert_int_eq(plan_build(&pf->cur, &pf->target, &o, &pf->plan, &d), 0);
	cg_diags_release(&d);
	ck_assert_int_ge(pf->plan.n, 5);
	pf->version = xstrdup("0.1.0");
	pf->cgroup_root = xstrdup(rootdir);
	pf->prune = true;
	cg_planfile_add_config(pf, "/etc/cgapply/a.yaml", 0x0123456789abcdefULL);
}

static struct cg_fs *
open_fs(void)
{
	struct cg_error *e = NULL;
	struct cg_fs *fs = cg_fs_open(rootdir, &e);

	ck_assert_ptr_nonnull(fs);
	return fs;
}

static char *
serialize(const struct cg_planfile *pf)
{
	struct strbuf sb = STRBUF_INIT;
	struct cg_error *e = NULL;

	ck_assert_int_eq(cg_planfile_serialize(pf, &sb, &e), 0);
	return strbuf_detach(&sb);
}

/* Parses `text`; on failure returns the message (free it), on success NULL. */
static char *
parse(const char *text, const char *root, struct cg_planfile *out)
{
	struct cg_error *e = NULL;
	char *msg;

	if (cg_planfile_parse("p.plan", text, strlen(text), root, hiers, 2, out, NULL, &e) == 0)
		return NULL;
	ck_assert_int_eq(e->kind, CG_E_PRECOND);
	msg = xstrdup(e->msg);
	cg_error_free(e);
	return msg;
}

/* Replaces the checksum line of `text` with the right one for the rest. */
static void
reseal(char *text)
{
	char *last = strstr(text, "checksum fnv1a64:");

	ck_assert_ptr_nonnull(last);
	sprintf(last, "checksum fnv1a64:%016llx\n",
		(unsigned long long)cg_fnv1a64(CG_FNV1A64_INIT, text, (size_t)(last - text)));
}

START_TEST(test_fnv1a64)
{
	ck_assert_uint_eq(cg_fnv1a64(CG_FNV1A64_INIT, "", 0), 0xcbf29ce484222325ULL);
	ck_assert_uint_eq(cg_fnv1a64(CG_FNV1A64_INIT, "a", 1), 0xaf63dc4c8601ec8cULL);
	ck_assert_uint_eq(cg_fnv1a64(CG_FNV1A64_INIT, "foobar", 6), 0x85944171f73967e8ULL);
}
END_TEST

START_TEST(test_round_trip)
{
	struct cg_fs *fs = open_fs();
	struct cg_planfile pf, back;
	char *text, *again, *msg;
	size_t i;

	make_planfile(fs, &pf);
	text = serialize(&pf);
	ck_assert_str_eq(strstr(text, "cgapply-plan 1\n") == text ? "magic" : text, "magic");
	msg = parse(text, rootdir, &back);
	ck_assert_msg(msg == NULL, "%s", msg);
	ck_assert_uint_eq(back.plan.n, pf.plan.n);
	for (i = 0; i < pf.plan.n; i++) {
		ck_assert_int_eq(back.plan.steps[i].op, pf.plan.steps[i].op);
		ck_assert_str_eq(back.plan.steps[i].dir, pf.plan.steps[i].dir);
	}
	ck_assert(back.prune);
	ck_assert(!back.force);
	ck_assert_ptr_null(back.parent);
	ck_assert_str_eq(back.version, "0.1.0");
	ck_assert_uint_eq(back.nconfigs, 1);
	ck_assert_str_eq(back.configs[0].path, "/etc/cgapply/a.yaml");
	ck_assert_uint_eq(back.configs[0].hash, 0x0123456789abcdefULL);
	/* the same text again: nothing is lost */
	again = serialize(&back);
	ck_assert_str_eq(again, text);
	free(again);
	cg_planfile_release(&back);
	/* with --parent */
	pf.parent = xstrdup("sandbox/x");
	free(text);
	text = serialize(&pf);
	msg = parse(text, NULL, &back);
	ck_assert_msg(msg == NULL, "%s", msg);
	ck_assert_str_eq(back.parent, "sandbox/x");
	cg_planfile_release(&back);
	free(text);
	cg_planfile_release(&pf);
	cg_fs_free(fs);
}
END_TEST

/* The task moves travel in the plan file and come back planned. */
START_TEST(test_round_trip_moves)
{
	struct cg_fs *fs = open_fs();
	struct cg_planfile pf, back;
	struct cg_move *m;
	char *text, *again, *msg;

	make_planfile(fs, &pf);
	pf.moves.items = xcalloc(1, sizeof(*pf.moves.items));
	pf.moves.n = pf.moves.alloc = 1;
	m = &pf.moves.items[0];
	*m = (struct cg_move){ .pid = 42, .start = 99, .uid = 4000001, .status = CG_MOVE_PLANNED };
	m->exe = xstrdup("/opt/a b/exe");
	m->mount = xstrdup("cpu");
	m->from = xstrdup("");
	m->to = xstrdup("web");
	m->group = xstrdup("web");
	text = serialize(&pf);
	ck_assert_ptr_nonnull(strstr(
		text, "\nmoves 1\nmove 42 99 4000001 cpu\t\tweb\t/opt/a b/exe\nend\nchecksum "));
	msg = parse(text, rootdir, &back);
	ck_assert_msg(msg == NULL, "%s", msg);
	ck_assert_uint_eq(back.moves.n, 1);
	ck_assert_int_eq(back.moves.items[0].status, CG_MOVE_PLANNED);
	ck_assert_int_eq(back.moves.items[0].pid, 42);
	ck_assert_str_eq(back.moves.items[0].to, "web");
	again = serialize(&back);
	ck_assert_str_eq(again, text);
	free(again);
	cg_planfile_release(&back);
	/* a damaged moves section is refused, even with a good checksum */
	*strstr(text, "move 42") = 'X';
	reseal(text);
	msg = parse(text, rootdir, &back);
	ck_assert_ptr_nonnull(msg);
	free(msg);
	free(text);
	cg_planfile_release(&pf);
	cg_fs_free(fs);
}
END_TEST

START_TEST(test_refused)
{
	struct cg_fs *fs = open_fs();
	struct cg_planfile pf, back;
	char *text, *bad, *msg, *p;

	make_planfile(fs, &pf);
	text = serialize(&pf);

	/* one byte changed */
	bad = xstrdup(text);
	p = strstr(bad, "2147483648");
	ck_assert_ptr_nonnull(p);
	p[0] = '3';
	msg = parse(bad, NULL, &back);
	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_nonnull(strstr(msg, "does not match its checksum"));
	free(msg);
	free(bad);

	/* truncated */
	bad = xstrndup(text, strlen(text) / 2);
	msg = parse(bad, NULL, &back);
	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_nonnull(strstr(msg, "truncated"));
	free(msg);
	free(bad);

	/* not a plan file */
	msg = parse("state 1\nend\n", NULL, &back);
	ck_assert_ptr_nonnull(msg);
	free(msg);

	/* another cgroup root */
	msg = parse(text, "/sys/fs/cgroup", &back);
	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_nonnull(strstr(msg, "was made for the cgroup root"));
	free(msg);

	/* steps that the planner does not make from these states, checksum fixed up */
	bad = xstrdup(text);
	p = strstr(bad, "\"2048\"");
	ck_assert_ptr_nonnull(p);
	memcpy(p, "\"4096\"", 6);
	reseal(bad);
	msg = parse(bad, NULL, &back);
	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_nonnull(strstr(msg, "would run other steps"));
	free(msg);
	free(bad);

	/* a step line missing, checksum fixed up */
	bad = xstrdup(text);
	p = strstr(bad, "\nstep ");
	ck_assert_ptr_nonnull(p);
	memmove(p + 1, strchr(p + 1, '\n') + 1, strlen(strchr(p + 1, '\n') + 1) + 1);
	reseal(bad);
	msg = parse(bad, NULL, &back);
	ck_assert_ptr_nonnull(msg);
	free(msg);
	free(bad);

	free(text);
	cg_planfile_release(&pf);
	cg_fs_free(fs);
}
END_TEST

static size_t
stale(struct cg_fs *fs, const struct cg_planfile *pf, char **why_out)
{
	struct strbuf why = STRBUF_INIT;
	struct cg_error *e = NULL;
	struct cg_state live;
	size_t n = 99;

	ck_assert_int_eq(cg_planfile_check_live(fs, pf, &live, &why, &n, &e), 0);
	cg_state_release(&live);
	*why_out = strbuf_detach(&why);
	return n;
}

START_TEST(test_stale)
{
	struct cg_fs *fs = open_fs();
	struct cg_planfile pf;
	char *why;

	make_planfile(fs, &pf);
	ck_assert_uint_eq(stale(fs, &pf, &why), 0);
	free(why);
	/* usage moves by itself: not a change */
	put("memory/web/memory.usage_in_bytes", "62914560\n");
	ck_assert_uint_eq(stale(fs, &pf, &why), 0);
	free(why);
	/* a value changed by hand */
	put("memory/web/memory.memsw.limit_in_bytes", "4294967296\n");
	ck_assert_uint_eq(stale(fs, &pf, &why), 1);
	ck_assert_str_eq(
		why,
		"'memory/web/memory.memsw.limit_in_bytes' reads '4294967296', expected '2147483648'");
	free(why);
	put("memory/web/memory.memsw.limit_in_bytes", "2147483648\n");
	/* the group to remove got a task */
	put("cpu/old/tasks", "4242\n");
	ck_assert_uint_eq(stale(fs, &pf, &why), 1);
	ck_assert_str_eq(why, "'cpu/old' now holds tasks");
	free(why);
	put("cpu/old/tasks", "");
	/* the group to create appeared */
	mk("cpu/new");
	ck_assert_uint_eq(stale(fs, &pf, &why), 1);
	ck_assert_str_eq(why, "'cpu/new' still exists");
	free(why);
	cg_planfile_release(&pf);
	cg_fs_free(fs);
}
END_TEST

START_TEST(test_file_io)
{
	struct strbuf sb = STRBUF_INIT, back = STRBUF_INIT;
	struct cg_error *e = NULL;
	char *path = xasprintf("%s/p.plan", tmpdir);
	uint64_t h = 0;

	strbuf_adds(&sb, "foobar");
	ck_assert_int_eq(cg_planfile_write(path, &sb, &e), 0);
	ck_assert_int_eq(cg_planfile_read(path, &back, &e), 0);
	ck_assert_str_eq(back.buf, "foobar");
	ck_assert_int_eq(cg_planfile_hash_file(path, &h, &e), 0);
	ck_assert_uint_eq(h, 0x85944171f73967e8ULL);
	free(path);
	path = xasprintf("%s/none/p.plan", tmpdir);
	ck_assert_int_eq(cg_planfile_read(path, &back, &e), -1);
	ck_assert_int_eq(e->kind, CG_E_PRECOND);
	ck_assert_int_eq(e->errnum, ENOENT);
	cg_error_free(e);
	e = NULL;
	ck_assert_int_eq(cg_planfile_write(path, &sb, &e), -1);
	cg_error_free(e);
	free(path);
	strbuf_release(&sb);
	strbuf_release(&back);
}
END_TEST

static Suite *
planfile_suite(void)
{
	Suite *s = suite_create("planfile");
	TCase *tc = tcase_create("planfile");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_fnv1a64);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_round_trip_moves);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_stale);
	tcase_add_test(tc, test_file_io);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(planfile_suite());
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The executor on a temp tree laid out like a v1 cgroupfs (plain files and directories
 * under mkdtemp): a clean run; the Nth mutating call failing, for every N, leaves the
 * whole tree (every file's bytes, every mode and owner, the set of directories)
 * byte-identical to before; verification failures roll back too; an rmdir EBUSY is
 * retried; a rollback that cannot finish says so and keeps the journal; a run killed
 * mid-way leaves a journal from which cg_exec_restore() gets the tree back.
 *
 * Plain files have no cgroup semantics: a new directory has no control files, so the
 * plans only create, own and remove directories. The v1 cases (devices, a blkio throttle,
 * cpuset, freezer) add tests/lib's emulation of the files whose semantics the executor
 * relies on (tu_v1_files_hook): write-only devices.allow/deny feeding devices.list, and
 * throttle entries deleted by a 0.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apply/exec.h"
#include "apply/fs.h"
#include "apply/hierarchy.h"
#include "apply/journal.h"
#include "apply/plan.h"
#include "apply/readback.h"
#include "apply/snapshot.h"
#include "apply/state.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "parser/schema.h"
#include "tests/lib/testutil.h"

#define OWNER 1234

static char *tmpdir;   /* holds root/ and state/ */
static char *rootdir;  /* the cgroup root */
static char *statedir; /* the journal's */

static char s_memory[] = "memory", s_cpu[] = "cpu", s_devices[] = "devices", s_blkio[] = "blkio",
	    s_cpuset[] = "cpuset", s_freezer[] = "freezer";
static char *mem_ctl[] = { s_memory };
static char *cpu_ctl[] = { s_cpu };
static char *devices_ctl[] = { s_devices };
static char *blkio_ctl[] = { s_blkio };
static char *cpuset_ctl[] = { s_cpuset };
static char *freezer_ctl[] = { s_freezer };
static struct cg_hier hiers[6];

/* ---- the tree ---- */

static void
mk(const char *rel, mode_t mode)
{
	char *p = xasprintf("%s/%s", rootdir, rel);

	ck_assert_msg(mkdir(p, mode) == 0, "mkdir '%s': %s", p, strerror(errno));
	ck_assert_int_eq(chmod(p, mode), 0);
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

static char *
slurp(const char *rel)
{
	char *p = xasprintf("%s/%s", rootdir, rel);
	char *text = tu_read_file(p, NULL);

	free(p);
	return text;
}

static struct stat
stat_of(const char *rel)
{
	char *p = xasprintf("%s/%s", rootdir, rel);
	struct stat st;

	ck_assert_int_eq(lstat(p, &st), 0);
	free(p);
	return st;
}

static bool
present(const char *rel)
{
	char *p = xasprintf("%s/%s", rootdir, rel);
	struct stat st;
	bool r = lstat(p, &st) == 0;

	free(p);
	return r;
}

/*
 *   memory/                       memory.limit_in_bytes (unlimited)
 *   memory/web/                   limit 1G, memsw 2G, tasks, cgroup.procs
 *   cpu/                          cpu.shares 1024
 *   cpu/web/                      cpu.shares 1024, tasks, cgroup.procs
 *   cpu/old/                      empty (to be pruned)
 *   cpu/web/fifo                  a named pipe (the kill test blocks on it)
 */
static void
make_tree(void)
{
	char *fifo;

	rootdir = xasprintf("%s/root", tmpdir);
	ck_assert_int_eq(mkdir(rootdir, 0755), 0);
	mk("memory", 0755);
	put("memory/memory.limit_in_bytes", "9223372036854771712\n");
	mk("memory/web", 0755);
	put("memory/web/memory.limit_in_bytes", "1073741824\n");
	put("memory/web/memory.memsw.limit_in_bytes", "2147483648\n");
	put("memory/web/memory.usage_in_bytes", "52428800\n");
	put("memory/web/tasks", "");
	put("memory/web/cgroup.procs", "");
	mk("cpu", 0755);
	put("cpu/cpu.shares", "1024\n");
	mk("cpu/web", 0755);
	put("cpu/web/cpu.shares", "1024\n");
	put("cpu/web/tasks", "");
	put("cpu/web/cgroup.procs", "");
	mk("cpu/old", 0755);
	fifo = xasprintf("%s/cpu/web/fifo", rootdir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	free(fifo);
}

static void
setup(void)
{
	char tmpl[] = "/tmp/cgapply-exec-XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	tmpdir = xstrdup(tmpl);
	statedir = xasprintf("%s/state", tmpdir);
	hiers[0] = (struct cg_hier){ CG_V1, s_memory, mem_ctl, 1 };
	hiers[1] = (struct cg_hier){ CG_V1, s_cpu, cpu_ctl, 1 };
	hiers[2] = (struct cg_hier){ CG_V1, s_devices, devices_ctl, 1 };
	hiers[3] = (struct cg_hier){ CG_V1, s_blkio, blkio_ctl, 1 };
	hiers[4] = (struct cg_hier){ CG_V1, s_cpuset, cpuset_ctl, 1 };
	hiers[5] = (struct cg_hier){ CG_V1, s_freezer, freezer_ctl, 1 };
	make_tree();
}

static void
teardown(void)
{
	tu_rm_rf(tmpdir);
	free(rootdir);
	free(statedir);
	free(tmpdir);
	rootdir = statedir = tmpdir = NULL;
}

/* Rebuilds the tree from scratch (between the runs of one test). */
static void
remake_tree(void)
{
	tu_rm_rf(rootdir);
	free(rootdir);
	make_tree();
}

static void
dump_into(struct strbuf *sb, const char *abs, const char *rel)
{
	struct dirent **ents;
	int n, i;

	n = scandir(abs, &ents, NULL, alphasort);
	ck_assert_int_ge(n, 0);
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		char *a, *r;
		struct stat st;

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			free(ents[i]);
			continue;
		}
		a = xasprintf("%s/%s", abs, name);
		r = *rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
		ck_assert_int_eq(lstat(a, &st), 0);
		strbuf_addf(sb, "%c %s %04o %u:%u",
			    S_ISDIR(st.st_mode)	   ? 'd'
			    : S_ISREG(st.st_mode)  ? 'f'
			    : S_ISFIFO(st.st_mode) ? 'p'
						   : '?',
			    r, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
			    (unsigned)st.st_gid);
		if (S_ISREG(st.st_mode)) {
			char *text = tu_read_file(a, NULL);

			strbuf_adds(sb, " [");
			strbuf_adds(sb, text);
			strbuf_adds(sb, "]");
			free(text);
		}
		strbuf_addch(sb, '\n');
		if (S_ISDIR(st.st_mode))
			dump_into(sb, a, r);
		free(a);
		free(r);
		free(ents[i]);
	}
	free(ents);
}

/* Every entry with its type, mode, owner and (files) bytes, in sorted order. */
static char *
tree_dump(void)
{
	struct strbuf sb = STRBUF_INIT;

	dump_into(&sb, rootdir, "");
	return strbuf_detach(&sb);
}

/* ---- states ---- */

static struct cg_state_dir *
like_dir(struct cg_state *s, const char *path, int hier, const char *group, bool anchor,
	 const char *const *files)
{
	struct cg_state_dir *d = cg_state_add_dir(s, path);

	d->hier = &hiers[hier];
	d->group = group ? xstrdup(group) : NULL;
	d->anchor = anchor;
	for (; files && *files; files++)
		cg_state_add_file(d, *files, cg_schema_file_any(*files));
	return d;
}

/* The directories and files the tests look at. */
static void
make_like(struct cg_state *s)
{
	static const char *const mem[] = { "memory.limit_in_bytes", "memory.memsw.limit_in_bytes",
					   "memory.usage_in_bytes", NULL };
	static const char *const root_mem[] = { "memory.limit_in_bytes", NULL };
	static const char *const shares[] = { "cpu.shares", NULL };

	cg_state_init(s);
	like_dir(s, "memory", 0, NULL, true, root_mem);
	like_dir(s, "memory/web", 0, "web", false, mem);
	like_dir(s, "cpu", 1, NULL, true, shares);
	like_dir(s, "cpu/web", 1, "web", false, shares);
	like_dir(s, "cpu/old", 1, "old", false, shares);
	like_dir(s, "cpu/new", 1, "new", false, shares);
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
 * The live state, and the target: memory/web grows (memsw first) and changes owner and
 * mode, cpu/web's shares double, cpu/new is created 0700 for OWNER, cpu/old removed.
 */
static void
make_states(struct cg_fs *fs, struct cg_state *cur, struct cg_state *target)
{
	struct cg_state like;
	struct cg_state_dir *d;
	struct cg_error *e = NULL;

	make_like(&like);
	ck_assert_int_eq(cg_snapshot_reread(fs, &like, cur, &e), 0);
	cg_state_release(&like);
	ck_assert(cg_state_find(cur, "cpu/old")->exists);
	ck_assert(!cg_state_find(cur, "cpu/new")->exists);
	cg_state_copy(target, cur);
	set_value(target, "memory/web", "memory.limit_in_bytes", "2147483648");
	set_value(target, "memory/web", "memory.memsw.limit_in_bytes", "3221225472");
	d = cg_state_find(target, "memory/web");
	d->dir = (struct cg_state_owner){ true, OWNER, OWNER, true, 0750 };
	set_value(target, "cpu/web", "cpu.shares", "2048");
	d = cg_state_find(target, "cpu/new");
	d->exists = true;
	d->dir = (struct cg_state_owner){ true, OWNER, OWNER, true, 0700 };
	cg_state_find(target, "cpu/old")->exists = false;
}

static void
make_plan(const struct cg_state *cur, const struct cg_state *target, struct plan *p)
{
	const struct plan_opts o = { .prune = true };
	struct cg_diags d;

	cg_diags_init(&d);
	plan_init(p);
	if (plan_build(cur, target, &o, p, &d) < 0) {
		char *text = tu_diags_text(&d);

		ck_abort_msg("plan refused: %s", text);
	}
	cg_diags_release(&d);
}

static struct cg_fs *
open_fs(void)
{
	struct cg_error *e = NULL;
	struct cg_fs *fs = cg_fs_open(rootdir, &e);

	ck_assert_ptr_nonnull(fs);
	return fs;
}

static size_t
mutations(const struct cg_fs *fs)
{
	const struct cg_fs_counters *c = cg_fs_counters(fs);

	return c->writes + c->mkdirs + c->rmdirs + c->chowns + c->chmods;
}

/* Appends a hand-made step (the strings are copied). */
static struct plan_step *
add_step(struct plan *p, enum plan_op op, const char *dir, const char *file, const char *text)
{
	struct plan_step *s;

	p->steps = xgrow(p->steps, sizeof(*p->steps), p->n + 1, &p->alloc);
	s = &p->steps[p->n++];
	memset(s, 0, sizeof(*s));
	s->op = op;
	s->dir = xstrdup(dir);
	s->file = file ? xstrdup(file) : NULL;
	s->new_text = text ? xstrdup(text) : NULL;
	s->mode = 0755;
	return s;
}

static size_t
find_step(const struct plan *p, enum plan_op op, const char *dir, const char *file)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->steps[i].op == op && strcmp(p->steps[i].dir, dir) == 0 &&
		    (!file || (p->steps[i].file && strcmp(p->steps[i].file, file) == 0)))
			return i;
	ck_abort_msg("no %s step for '%s' '%s'", plan_op_name(op), dir, file ? file : "");
	return 0;
}

/*
 * The other v1 controllers, with tests/lib's emulation of their files (tu_v1_files_hook):
 *   devices/web    devices.list "a *:* rwm", write-only devices.allow/deny
 *   blkio/web      blkio.throttle.write_iops_device "254:0 100"
 *   cpuset/web     cpuset.cpus 0-1, cpuset.mems 0
 *   freezer/web    freezer.state THAWED
 */
static void
make_tree_v1(void)
{
	mk("devices", 0755);
	put("devices/devices.list", "a *:* rwm\n");
	mk("devices/web", 0755);
	put("devices/web/devices.list", "a *:* rwm\n");
	put("devices/web/devices.allow", "");
	put("devices/web/devices.deny", "");
	put("devices/web/tasks", "");
	mk("blkio", 0755);
	mk("blkio/web", 0755);
	put("blkio/web/blkio.throttle.write_iops_device", "254:0 100\n");
	put("blkio/web/tasks", "");
	mk("cpuset", 0755);
	put("cpuset/cpuset.cpus", "0-1\n");
	put("cpuset/cpuset.mems", "0\n");
	mk("cpuset/web", 0755);
	put("cpuset/web/cpuset.cpus", "0-1\n");
	put("cpuset/web/cpuset.mems", "0\n");
	put("cpuset/web/tasks", "");
	mk("freezer", 0755);
	mk("freezer/web", 0755);
	put("freezer/web/freezer.state", "THAWED\n");
	put("freezer/web/tasks", "");
}

static struct cg_fs *
open_fs_v1(void)
{
	struct cg_fs *fs = open_fs();

	cg_fs_set_hook(fs, tu_v1_files_hook, rootdir);
	return fs;
}

/*
 * devices/web: deny all, allow two devices; blkio/web: 254:0 to 200, 7:0 limited, 8:0
 * unlimited (no entry); cpuset/web narrowed to cpu 0; freezer/web frozen.
 */
static void
make_states_v1(struct cg_fs *fs, struct cg_state *cur, struct cg_state *target)
{
	static const char *const devices[] = { "devices.list", NULL };
	static const char *const blkio[] = { "blkio.throttle.write_iops_device", NULL };
	static const char *const cpuset[] = { "cpuset.cpus", "cpuset.mems", NULL };
	static const char *const freezer[] = { "freezer.state", NULL };
	struct cg_state like;
	struct cg_error *e = NULL;

	cg_state_init(&like);
	like_dir(&like, "devices", 2, NULL, true, devices);
	like_dir(&like, "devices/web", 2, "web", false, devices);
	like_dir(&like, "blkio", 3, NULL, true, NULL);
	like_dir(&like, "blkio/web", 3, "web", false, blkio);
	like_dir(&like, "cpuset", 4, NULL, true, cpuset);
	like_dir(&like, "cpuset/web", 4, "web", false, cpuset);
	like_dir(&like, "freezer", 5, NULL, true, NULL);
	like_dir(&like, "freezer/web", 5, "web", false, freezer);
	ck_assert_int_eq(cg_snapshot_reread(fs, &like, cur, &e), 0);
	cg_state_release(&like);
	cg_state_copy(target, cur);
	/* as the configuration gives them (apply/desired); 8:0 0 reads as unlimited */
	set_value(target, "devices/web", "devices.deny", "a *:* rwm");
	set_value(target, "devices/web", "devices.allow", "c 1:3 rwm\nc 1:5 rw");
	set_value(target, "blkio/web", "blkio.throttle.write_iops_device",
		  "254:0 200\n7:0 50\n8:0 0");
	set_value(target, "cpuset/web", "cpuset.cpus", "0");
	set_value(target, "freezer/web", "freezer.state", "FROZEN");
}

/* ---- tests ---- */

START_TEST(test_clean_run)
{
	struct cg_fs *fs = open_fs();
	struct cg_state cur, target, again;
	struct exec_result res;
	struct plan p, p2;
	struct stat st;
	struct cg_error *e = NULL;
	char *text;

	make_states(fs, &cur, &target);
	make_plan(&cur, &target, &p);
	ck_assert_uint_ge(p.n, 8);
	/* memsw grows before the limit */
	ck_assert_uint_lt(find_step(&p, PLAN_OP_WRITE, "memory/web", "memory.memsw.limit_in_bytes"),
			  find_step(&p, PLAN_OP_WRITE, "memory/web", "memory.limit_in_bytes"));
	exec_result_init(&res);
	ck_assert_int_eq(cg_exec_run(fs, &p, &cur, &target, NULL, &res), 0);
	ck_assert(!res.failed);
	ck_assert(!res.rolled_back);
	ck_assert_uint_eq(res.steps_done, p.n);
	ck_assert_ptr_null(res.error);
	/* one mutating call per step here */
	ck_assert_uint_eq(mutations(fs), p.n);

	text = slurp("memory/web/memory.limit_in_bytes");
	ck_assert_str_eq(text, "2147483648\n");
	free(text);
	text = slurp("memory/web/memory.memsw.limit_in_bytes");
	ck_assert_str_eq(text, "3221225472\n");
	free(text);
	text = slurp("cpu/web/cpu.shares");
	ck_assert_str_eq(text, "2048\n");
	free(text);
	ck_assert(!present("cpu/old"));
	st = stat_of("cpu/new");
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	ck_assert_uint_eq(st.st_uid, OWNER);
	st = stat_of("memory/web");
	ck_assert_uint_eq(st.st_mode & 07777, 0750);
	ck_assert_uint_eq(st.st_gid, OWNER);

	/* a second plan from the live state has nothing to do */
	ck_assert_int_eq(cg_snapshot_reread(fs, &target, &again, &e), 0);
	make_plan(&again, &target, &p2);
	ck_assert_uint_eq(p2.n, 0);
	plan_release(&p2);
	cg_state_release(&again);

	exec_result_release(&res);
	plan_release(&p);
	cg_state_release(&cur);
	cg_state_release(&target);
	cg_fs_free(fs);
}
END_TEST

/*
 * The Nth mutating call fails, for every N, on the tree `open_tree` opens and the
 * transition `states` reads: the run fails at step N, is rolled back completely, the
 * tree is byte-identical to before and the journal is gone. Returns the plan's length.
 */
static size_t
fail_each_step(struct cg_fs *(*open_tree)(void),
	       void (*states)(struct cg_fs *, struct cg_state *, struct cg_state *))
{
	char *orig = tree_dump();
	size_t n, total = 0;

	for (n = 1;; n++) {
		struct cg_fs *fs = open_tree();
		struct cg_state cur, target, goal;
		struct cg_journal *j = NULL;
		struct cg_error *e = NULL;
		struct exec_result res;
		struct plan p;
		char *now;

		states(fs, &cur, &target);
		make_plan(&cur, &target, &p);
		total = p.n;
		cg_exec_restore_goal(&cur, &target, &goal);
		ck_assert_int_eq(cg_journal_begin(statedir, &goal, &j, &e), 0);
		cg_state_release(&goal);
		exec_result_init(&res);
		cg_fs_fail_after(fs, n, EINVAL);
		ck_assert_int_eq(cg_exec_run(fs, &p, &cur, &target, j, &res), -1);
		ck_assert(res.failed);
		ck_assert_uint_eq(res.failed_step, n - 1);
		ck_assert_uint_eq(res.steps_done, n - 1);
		ck_assert_int_eq(res.error->errnum, EINVAL);
		ck_assert_msg(strstr(res.error->msg, "step ") == res.error->msg, "%s",
			      res.error->msg);
		ck_assert(res.rolled_back);
		ck_assert_msg(res.rollback_complete, "step %zu: rollback incomplete: %s", n,
			      res.rollback_error ? res.rollback_error->msg : "?");
		ck_assert_ptr_null(res.rollback_error);
		ck_assert(!cg_journal_pending(statedir));
		ck_assert(!cg_journal_has_last(statedir));
		now = tree_dump();
		ck_assert_msg(
			strcmp(orig, now) == 0,
			"failure at step %zu (%s %s %s): tree differs\nbefore:\n%s\nafter:\n%s", n,
			plan_op_name(p.steps[n - 1].op), p.steps[n - 1].dir,
			p.steps[n - 1].file ? p.steps[n - 1].file : "", orig, now);
		free(now);
		exec_result_release(&res);
		plan_release(&p);
		cg_state_release(&cur);
		cg_state_release(&target);
		cg_fs_free(fs);
		if (n == total)
			break;
	}
	free(orig);
	return total;
}

/* memory limits, cpu.shares, new groups, owners and modes */
START_TEST(test_fail_each_step)
{
	ck_assert_uint_ge(fail_each_step(open_fs, make_states), 8);
}
END_TEST

/* devices, a throttle, cpuset and freezer: a clean run converges, a second plan is empty */
START_TEST(test_v1_clean_run)
{
	struct cg_fs *fs;
	struct cg_state cur, target, again;
	struct exec_result res;
	struct cg_error *e = NULL;
	struct plan p, p2;
	char *text;

	make_tree_v1();
	fs = open_fs_v1();
	make_states_v1(fs, &cur, &target);
	make_plan(&cur, &target, &p);
	exec_result_init(&res);
	ck_assert_msg(cg_exec_run(fs, &p, &cur, &target, NULL, &res) == 0, "%s",
		      res.error ? res.error->msg : "?");
	text = slurp("devices/web/devices.list");
	ck_assert_str_eq(text, "c 1:3 rwm\nc 1:5 rw\n");
	free(text);
	text = slurp("blkio/web/blkio.throttle.write_iops_device");
	ck_assert_str_eq(text, "7:0 50\n254:0 200\n");
	free(text);
	text = slurp("freezer/web/freezer.state");
	ck_assert_str_eq(text, "FROZEN\n");
	free(text);
	ck_assert_int_eq(cg_snapshot_reread(fs, &cur, &again, &e), 0);
	make_plan(&again, &target, &p2);
	ck_assert_msg(p2.n == 0, "second plan: %zu steps, first '%s' '%s'", p2.n,
		      p2.n ? p2.steps[0].dir : "", p2.n ? p2.steps[0].file : "");
	plan_release(&p2);
	cg_state_release(&again);
	exec_result_release(&res);
	plan_release(&p);
	cg_state_release(&cur);
	cg_state_release(&target);
	cg_fs_free(fs);
}
END_TEST

/* The same with devices (devices.list included), a throttle, cpuset and freezer. */
START_TEST(test_v1_fail_each_step)
{
	make_tree_v1();
	/* deny a, two allows, two throttle records, cpus, freezer */
	ck_assert_uint_eq(fail_each_step(open_fs_v1, make_states_v1), 7);
}
END_TEST

START_TEST(test_journal_lifecycle)
{
	struct cg_fs *fs = open_fs();
	struct cg_state cur, target, goal, b, a;
	struct cg_journal *j = NULL;
	struct cg_error *e = NULL;
	struct exec_result res;
	struct plan p;
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;

	make_states(fs, &cur, &target);
	make_plan(&cur, &target, &p);
	cg_exec_restore_goal(&cur, &target, &goal);
	ck_assert_int_eq(cg_journal_begin(statedir, &goal, &j, &e), 0);
	exec_result_init(&res);
	ck_assert_int_eq(cg_exec_run(fs, &p, &cur, &target, j, &res), 0);
	ck_assert(!cg_journal_pending(statedir));
	ck_assert(cg_journal_has_last(statedir));
	ck_assert_int_eq(cg_journal_read_last(statedir, hiers, 2, &b, &a, &e), 0);
	ck_assert(!cg_state_file(cg_state_find(&goal, "memory/web"), "memory.usage_in_bytes")
			   ->managed);
	ck_assert(cg_state_file(cg_state_find(&goal, "memory/web"), "memory.limit_in_bytes")
			  ->managed);
	cg_state_serialize(&goal, &x);
	cg_state_serialize(&b, &y);
	ck_assert_str_eq(x.buf, y.buf);
	/* after: the verified live values */
	ck_assert_uint_eq(cg_exec_compare(&target, &a, true, NULL, 0), 0);
	ck_assert_uint_ne(cg_exec_compare(&goal, &a, true, NULL, 0), 0);

	/* and restoring last-apply's before gets the original tree back */
	ck_assert_int_eq(cg_exec_restore(fs, &b, NULL, NULL, &e), 0);
	ck_assert_msg(!present("cpu/new"), "cpu/new is still there");
	ck_assert(present("cpu/old"));
	{
		char *text = slurp("memory/web/memory.limit_in_bytes");

		ck_assert_str_eq(text, "1073741824\n");
		free(text);
	}

	strbuf_release(&x);
	strbuf_release(&y);
	cg_state_release(&a);
	cg_state_release(&b);
	cg_state_release(&goal);
	exec_result_release(&res);
	plan_release(&p);
	cg_state_release(&cur);
	cg_state_release(&target);
	cg_fs_free(fs);
}
END_TEST

/* Waits until the journal holds a record for step i (written before the step runs). */
static void
wait_for_step(size_t i)
{
	char *path = xasprintf("%s/journal", statedir);
	char *want = xasprintf("\nstep %zu ", i);
	int tries;

	for (tries = 0; tries < 500; tries++) {
		struct timespec ts = { 0, 10 * 1000000L };

		if (access(path, F_OK) == 0) {
			char *text = tu_read_file(path, NULL);
			bool found = strstr(text, want) != NULL;

			free(text);
			if (found)
				break;
		}
		nanosleep(&ts, NULL);
	}
	ck_assert_int_lt(tries, 500);
	free(want);
	free(path);
}

/* kill -9 in the middle of a run: the journal stays and restores the tree. */
START_TEST(test_killed_run)
{
	char *orig = tree_dump();
	struct cg_fs *fs = open_fs();
	struct cg_state cur, target, goal;
	struct cg_error *e = NULL;
	struct plan p;
	size_t block;
	pid_t pid;
	char *now;

	make_states(fs, &cur, &target);
	make_plan(&cur, &target, &p);
	/* the last step blocks: opening a fifo for writing waits for a reader */
	block = p.n;
	add_step(&p, PLAN_OP_WRITE, "cpu/web", "fifo", "1");
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct cg_journal *j = NULL;
		struct exec_result res;

		cg_exec_restore_goal(&cur, &target, &goal);
		if (cg_journal_begin(statedir, &goal, &j, &e) < 0)
			_exit(3);
		exec_result_init(&res);
		cg_exec_run(fs, &p, &cur, &target, j, &res);
		_exit(4);
	}
	wait_for_step(block);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);

	/* changed, and the next run would refuse */
	now = tree_dump();
	ck_assert_str_ne(orig, now);
	free(now);
	ck_assert(cg_journal_pending(statedir));

	/* what `cgapply rollback` does with it */
	ck_assert_int_eq(cg_journal_read_pending(statedir, hiers, 2, &goal, &e), 0);
	ck_assert_int_eq(cg_exec_restore(fs, &goal, NULL, NULL, &e), 0);
	ck_assert_int_eq(cg_journal_clear_pending(statedir, &e), 0);
	now = tree_dump();
	ck_assert_str_eq(orig, now);
	free(now);

	cg_state_release(&goal);
	plan_release(&p);
	cg_state_release(&cur);
	cg_state_release(&target);
	cg_fs_free(fs);
	free(orig);
}
END_TEST

/* A value that does not read back as the target: a failure, rolled back. */
START_TEST(test_verify_failure)
{
	char *orig = tree_dump(), *now;
	struct cg_fs *fs = open_fs();
	struct cg_state cur, target;
	struct exec_result res;
	struct plan p;
	size_t i;

	make_states(fs, &cur, &target);
	make_plan(&cur, &target, &p);
	/* drop the shares write: the result then reads 1024 where 2048 is wanted */
	i = find_step(&p, PLAN_OP_WRITE, "cpu/web", "cpu.shares");
	free(p.steps[i].dir);
	free(p.steps[i].file);
	free(p.steps[i].group);
	free(p.steps[i].hier);
	free(p.steps[i].old_text);
	free(p.steps[i].new_text);
	memmove(&p.steps[i], &p.steps[i + 1], (p.n - i - 1) * sizeof(p.steps[0]));
	p.n--;
	exec_result_init(&res);
	ck_assert_int_eq(cg_exec_run(fs, &p, &cur, &target, NULL, &res), -1);
	ck_assert(res.failed);
	ck_assert_uint_eq(res.failed_step, p.n);
	ck_assert_uint_eq(res.steps_done, p.n);
	ck_assert_msg(strstr(res.error->msg, "verification failed") &&
			      strstr(res.error->msg,
				     "'cpu/web/cpu.shares' reads '1024', expected '2048'"),
		      "%s", res.error->msg);
	ck_assert(res.rollback_complete);
	now = tree_dump();
	ck_assert_str_eq(orig, now);
	free(now);
	free(orig);
	exec_result_release(&res);
	plan_release(&p);
	cg_state_release(&cur);
	cg_state_release(&target);
	cg_fs_free(fs);
}
END_TEST

/* rmdir's EBUSY (a task not yet reaped) is retried. */
START_TEST(test_rmdir_busy_retried)
{
	struct cg_fs *fs = open_fs();
	struct cg_state cur, target;
	struct exec_result res;
	struct plan p;
	size_t i;

	make_states(fs, &cur, &target);
	make_plan(&cur, &target, &p);
	i = find_step(&p, PLAN_OP_RMDIR, "cpu/old", NULL);
	cg_fs_fail_after(fs, i + 1, EBUSY);
	exec_result_init(&res);
	ck_assert_int_eq(cg_exec_run(fs, &p, &cur, &target, NULL, &res), 0);
	ck_assert(!present("cpu/old"));
	ck_assert_uint_eq(cg_fs_counters(fs)->rmdirs, 1);
	exec_result_release(&res);
	plan_release(&p);
	cg_state_release(&cur);
	cg_state_release(&target);
	cg_fs_free(fs);
}
END_TEST

/*
 * The rollback cannot remove a directory the run created (something else is in it): the
 * primary error stays, the rollback's is its own, and the journal is kept.
 */
START_TEST(test_rollback_incomplete)
{
	struct cg_fs *fs = open_fs();
	struct cg_state cur, target, goal;
	struct cg_journal *j = NULL;
	struct cg_error *e = NULL;
	struct exec_result res;
	struct plan p;

	make_states(fs, &cur, &target);
	make_plan(&cur, &target, &p);
	add_step(&p, PLAN_OP_MKDIR, "cpu/new/stray", NULL, NULL);
	add_step(&p, PLAN_OP_WRITE, "memory/web", "memory.no_such_file", "1");
	cg_exec_restore_goal(&cur, &target, &goal);
	ck_assert_int_eq(cg_journal_begin(statedir, &goal, &j, &e), 0);
	exec_result_init(&res);
	ck_assert_int_eq(cg_exec_run(fs, &p, &cur, &target, j, &res), -1);
	ck_assert(res.failed);
	ck_assert_uint_eq(res.failed_step, p.n - 1);
	ck_assert_int_eq(res.error->errnum, ENOENT);
	ck_assert_msg(strstr(res.error->msg, "memory/web/memory.no_such_file"), "%s",
		      res.error->msg);
	ck_assert(res.rolled_back);
	ck_assert(!res.rollback_complete);
	ck_assert_ptr_nonnull(res.rollback_error);
	ck_assert_msg(strstr(res.rollback_error->msg, "cpu/new"), "%s", res.rollback_error->msg);
	ck_assert(cg_journal_pending(statedir));
	/* everything else was restored */
	{
		char *text = slurp("memory/web/memory.limit_in_bytes");

		ck_assert_str_eq(text, "1073741824\n");
		free(text);
		ck_assert(present("cpu/old"));
	}
	cg_state_release(&goal);
	exec_result_release(&res);
	plan_release(&p);
	cg_state_release(&cur);
	cg_state_release(&target);
	cg_fs_free(fs);
}
END_TEST

/* CHOWN "*": every regular file but the task files; a failure half-way is undone. */
START_TEST(test_chown_each_file)
{
	char *orig = tree_dump(), *now;
	int round;

	for (round = 0; round < 2; round++) {
		struct cg_fs *fs = open_fs();
		struct cg_state cur, target;
		struct exec_result res;
		struct plan p;

		make_states(fs, &cur, &target);
		cg_state_release(&target);
		cg_state_copy(&target, &cur);
		cg_state_find(&target, "memory/web")->ctlfiles =
			(struct cg_state_owner){ true, OWNER, OWNER, false, 0 };
		make_plan(&cur, &target, &p);
		ck_assert_uint_eq(p.n, 1);
		ck_assert_str_eq(p.steps[0].file, "*");
		exec_result_init(&res);
		if (round == 0) {
			ck_assert_int_eq(cg_exec_run(fs, &p, &cur, &target, NULL, &res), 0);
			ck_assert_uint_eq(stat_of("memory/web/memory.limit_in_bytes").st_uid,
					  OWNER);
			ck_assert_uint_eq(stat_of("memory/web/memory.memsw.limit_in_bytes").st_gid,
					  OWNER);
			ck_assert_uint_eq(stat_of("memory/web/tasks").st_uid, 0);
			ck_assert_uint_eq(stat_of("memory/web/cgroup.procs").st_uid, 0);
			ck_assert_uint_eq(stat_of("memory/web").st_uid, 0);
			remake_tree();
		} else {
			/* the second file fails: the first is given back */
			cg_fs_fail_after(fs, 2, EIO);
			ck_assert_int_eq(cg_exec_run(fs, &p, &cur, &target, NULL, &res), -1);
			ck_assert_uint_eq(res.failed_step, 0);
			ck_assert(res.rollback_complete);
			now = tree_dump();
			ck_assert_str_eq(orig, now);
			free(now);
		}
		exec_result_release(&res);
		plan_release(&p);
		cg_state_release(&cur);
		cg_state_release(&target);
		cg_fs_free(fs);
	}
	free(orig);
}
END_TEST

/* A text of several records is one write(2) each; an empty text is one "\n". */
START_TEST(test_write_records)
{
	struct cg_fs *fs = open_fs();
	struct cg_error *e = NULL;
	struct plan p;
	size_t done = 0;
	char *text;

	plan_init(&p);
	add_step(&p, PLAN_OP_WRITE, "cpu/web", "cpu.shares", "2000\n3000\n");
	ck_assert_int_eq(cg_exec_steps(fs, &p, &done, &e), 0);
	ck_assert_uint_eq(done, 1);
	ck_assert_uint_eq(cg_fs_counters(fs)->writes, 2);
	plan_release(&p);

	plan_init(&p);
	add_step(&p, PLAN_OP_WRITE, "memory/web", "tasks", "");
	ck_assert_int_eq(cg_exec_steps(fs, &p, &done, &e), 0);
	text = slurp("memory/web/tasks");
	ck_assert_str_eq(text, "\n");
	free(text);
	plan_release(&p);

	/* stops at the first failure, saying which step */
	plan_init(&p);
	add_step(&p, PLAN_OP_MKDIR, "cpu/a", NULL, NULL);
	add_step(&p, PLAN_OP_MKDIR, "cpu/a", NULL, NULL);
	add_step(&p, PLAN_OP_MKDIR, "cpu/b", NULL, NULL);
	ck_assert_int_eq(cg_exec_steps(fs, &p, &done, &e), -1);
	ck_assert_uint_eq(done, 1);
	ck_assert_int_eq(e->errnum, EEXIST);
	ck_assert_str_eq(e->msg, "cannot create 'cpu/a'");
	ck_assert(!present("cpu/b"));
	cg_error_free(e);
	plan_release(&p);
	cg_fs_free(fs);
}
END_TEST

START_TEST(test_compare)
{
	struct cg_fs *fs = open_fs();
	struct cg_state cur, target;
	struct strbuf why = STRBUF_INIT;

	make_states(fs, &cur, &target);
	ck_assert_uint_eq(cg_exec_compare(&cur, &cur, false, &why, 10), 0);
	ck_assert_uint_eq(cg_exec_compare(&target, &cur, true, &why, 10), 7);
	ck_assert_str_eq(
		why.buf,
		"'cpu/new' does not exist\n"
		"'cpu/old' still exists\n"
		"'cpu/web/cpu.shares' reads '1024', expected '2048'\n"
		"the owner of directory 'memory/web' is 0:0, expected 1234:1234\n"
		"the mode of directory 'memory/web' is 0755, expected 0750\n"
		"'memory/web/memory.limit_in_bytes' reads '1073741824', expected '2147483648'\n"
		"'memory/web/memory.memsw.limit_in_bytes' reads '2147483648', expected '3221225472'");
	strbuf_reset(&why);
	ck_assert_uint_eq(cg_exec_compare(&target, &cur, true, &why, 2), 7);
	ck_assert_str_eq(why.buf,
			 "'cpu/new' does not exist\n'cpu/old' still exists\n... and 5 more");
	/* usage is the kernel's: never a difference, managed or not */
	set_value(&cur, "memory/web", "memory.usage_in_bytes", "1048576");
	ck_assert_uint_eq(cg_exec_compare(&target, &cur, false, NULL, 0), 7);
	/* unmanaged values are compared only when asked */
	cg_state_find(&target, "cpu/web")->files[0].managed = false;
	ck_assert_uint_eq(cg_exec_compare(&target, &cur, true, NULL, 0), 6);
	ck_assert_uint_eq(cg_exec_compare(&target, &cur, false, NULL, 0), 7);
	strbuf_release(&why);
	cg_state_release(&cur);
	cg_state_release(&target);
	cg_fs_free(fs);
}
END_TEST

static Suite *
exec_suite(void)
{
	Suite *s = suite_create("exec");
	TCase *tc;

	tc = tcase_create("run");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_clean_run);
	tcase_add_test(tc, test_fail_each_step);
	tcase_add_test(tc, test_v1_clean_run);
	tcase_add_test(tc, test_v1_fail_each_step);
	tcase_add_test(tc, test_verify_failure);
	tcase_add_test(tc, test_rmdir_busy_retried);
	tcase_add_test(tc, test_chown_each_file);
	tcase_add_test(tc, test_write_records);
	tcase_add_test(tc, test_compare);
	suite_add_tcase(s, tc);

	tc = tcase_create("journal");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_journal_lifecycle);
	tcase_add_test(tc, test_killed_run);
	tcase_add_test(tc, test_rollback_incomplete);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(exec_suite());
}

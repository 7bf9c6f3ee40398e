/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The apply lock and the journal files: a lock held by another process (a forked child)
 * times out naming it, waits succeed when it is released, a dead holder frees it; the
 * state directory is created 0700; the journal and last-apply round-trip a state
 * exactly; the lifecycle (begin, step, commit / abort / keep) leaves the right files.
 */
#include "config.h"

#include <check.h>
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

#include "apply/hierarchy.h"
#include "apply/journal.h"
#include "apply/state.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "parser/schema.h"
#include "tests/lib/testutil.h"

static char *tmpdir;
static char *statedir;

static char s_memory[] = "memory", s_cpu[] = "cpu", s_cpuacct[] = "cpuacct";
static char s_cpu_cpuacct[] = "cpu,cpuacct";
static char *mem_ctl[] = { s_memory };
static char *cpu_ctl[] = { s_cpu, s_cpuacct };
static struct cg_hier hiers[2];

static void
setup(void)
{
	char tmpl[] = "/tmp/cgapply-journal-XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	tmpdir = xstrdup(tmpl);
	statedir = xasprintf("%s/var/lib/cgapply", tmpdir);
	hiers[0] = (struct cg_hier){ CG_V1, s_memory, mem_ctl, 1 };
	hiers[1] = (struct cg_hier){ CG_V1, s_cpu_cpuacct, cpu_ctl, 2 };
}

static void
teardown(void)
{
	tu_rm_rf(tmpdir);
	free(statedir);
	free(tmpdir);
	statedir = tmpdir = NULL;
}

static bool
exists(const char *name)
{
	char *p = xasprintf("%s/%s", statedir, name);
	struct stat st;
	bool r = lstat(p, &st) == 0;

	free(p);
	return r;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- a state with every kind of record ---- */

static void
set_size(struct cg_state_dir *d, const char *name, bool unlimited, uint64_t bytes, bool managed)
{
	struct cg_value v = { .type = CG_VT_SIZE };
	struct cg_state_file *f;

	v.u.size.unlimited = unlimited;
	v.u.size.bytes = bytes;
	f = cg_state_set(d, name, cg_schema_file_any(name), &v);
	f->managed = managed;
}

static void
set_int(struct cg_state_dir *d, const char *name, int64_t n)
{
	struct cg_value v = { .type = CG_VT_INT };

	v.u.num.v = n;
	cg_state_set(d, name, cg_schema_file_any(name), &v);
}

static void
make_state(struct cg_state *s, uint64_t limit)
{
	struct cg_state_dir *d;
	struct cg_value raw = { .type = CG_VT_RAW };

	cg_state_init(s);
	d = cg_state_add_dir(s, "memory");
	d->hier = &hiers[0];
	d->exists = true;
	d->anchor = true;
	set_size(d, "memory.limit_in_bytes", true, 0, false);
	d = cg_state_add_dir(s, "memory/web app");
	d->hier = &hiers[0];
	d->group = xstrdup("web app");
	d->exists = true;
	d->populated = true;
	d->dir = (struct cg_state_owner){ true, 0, 0, true, 0755 };
	d->tasks = (struct cg_state_owner){ true, 1000, 1000, true, 0660 };
	d->ctlfiles = (struct cg_state_owner){ true, 0, 0, false, 0 };
	set_size(d, "memory.limit_in_bytes", false, limit, true);
	set_size(d, "memory.memsw.limit_in_bytes", false, limit * 2, false);
	d = cg_state_add_dir(s, "cpu,cpuacct/web app/new");
	d->hier = &hiers[1];
	d->group = xstrdup("web app/new");
	d->exists = false;
	cg_state_add_file(d, "cpu.shares", cg_schema_file_any("cpu.shares"));
	d = cg_state_add_dir(s, "cpu,cpuacct/web app");
	d->hier = &hiers[1];
	d->group = xstrdup("web app");
	d->exists = true;
	set_int(d, "cpu.shares", 2048);
	raw.u.raw = xstrdup("some\ttext with \\ and\nnewline");
	cg_state_set(d, "vendor.knob", NULL, &raw);
	cg_value_release(&raw);
}

static char *
dump(const struct cg_state *s)
{
	struct strbuf sb = STRBUF_INIT;

	cg_state_serialize(s, &sb);
	return strbuf_detach(&sb);
}

static void
assert_same(const struct cg_state *a, const struct cg_state *b)
{
	char *x = dump(a), *y = dump(b);

	ck_assert_str_eq(x, y);
	free(x);
	free(y);
}

/* ---- lock ---- */

/*
 * A child that takes the lock, says so on `ready`, then holds it until `go` is readable
 * (or for hold_ms if go < 0), and exits without releasing when die is set.
 */
static pid_t
holder(int ready, int go, int hold_ms)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct cg_lock *l = NULL;
		struct cg_error *e = NULL;
		char c = 'x';

		if (cg_lock_acquire(statedir, 0, "test holder --apply", &l, &e) < 0)
			_exit(3);
		if (write(ready, &c, 1) != 1)
			_exit(4);
		if (go >= 0) {
			if (read(go, &c, 1) < 0)
				_exit(5);
		} else {
			struct timespec ts = { hold_ms / 1000, (hold_ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
		}
		cg_lock_release(l);
		_exit(0);
	}
	return pid;
}

static void
wait_ready(int fd)
{
	char c;

	ck_assert_int_eq(read(fd, &c, 1), 1);
}

static void
reap(pid_t pid, int want)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), want);
}

START_TEST(test_lock_timeout_names_holder)
{
	int ready[2], go[2];
	struct cg_lock *l = NULL;
	struct cg_error *e = NULL;
	char *who = NULL, *pidtext;
	long long t0, dt;
	pid_t pid;

	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(go), 0);
	pid = holder(ready[1], go[0], 0);
	wait_ready(ready[0]);
	pidtext = xasprintf("pid %ld (test holder --apply)", (long)pid);

	t0 = now_ms();
	ck_assert_int_eq(cg_lock_acquire(statedir, 300, "me", &l, &e), -1);
	dt = now_ms() - t0;
	ck_assert_ptr_null(l);
	ck_assert_int_eq(e->kind, CG_E_PRECOND);
	ck_assert_msg(strstr(e->msg, pidtext), "message does not name the holder: %s", e->msg);
	ck_assert_msg(strstr(e->msg, "after 0.3 s"), "message: %s", e->msg);
	ck_assert_int_ge(dt, 300);
	ck_assert_int_lt(dt, 2000);
	cg_error_free(e);
	e = NULL;

	/* no wait at all */
	t0 = now_ms();
	ck_assert_int_eq(cg_lock_acquire(statedir, 0, "me", &l, &e), -1);
	ck_assert_int_lt(now_ms() - t0, 200);
	ck_assert(strstr(e->msg, pidtext));
	cg_error_free(e);
	e = NULL;

	ck_assert(cg_lock_held(statedir, &who));
	ck_assert_str_eq(who, pidtext);
	free(who);

	ck_assert_int_eq(write(go[1], "g", 1), 1);
	reap(pid, 0);
	ck_assert(!cg_lock_held(statedir, NULL));
	ck_assert_int_eq(cg_lock_acquire(statedir, 1000, "me", &l, &e), 0);
	ck_assert_ptr_nonnull(l);
	cg_lock_release(l);
	free(pidtext);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}
END_TEST

START_TEST(test_lock_wait_succeeds)
{
	int ready[2];
	struct cg_lock *l = NULL;
	struct cg_error *e = NULL;
	long long t0, dt;
	pid_t pid;

	ck_assert_int_eq(pipe(ready), 0);
	pid = holder(ready[1], -1, 300);
	wait_ready(ready[0]);
	t0 = now_ms();
	ck_assert_int_eq(cg_lock_acquire(statedir, 5000, "waiter", &l, &e), 0);
	dt = now_ms() - t0;
	ck_assert_int_ge(dt, 150);
	ck_assert_int_lt(dt, 3000);
	/* we hold it now, and say so */
	{
		char *lock = xasprintf("%s/lock", statedir);
		char *text = tu_read_file(lock, NULL);
		char *want = xasprintf("%ld waiter\n", (long)getpid());

		ck_assert_str_eq(text, want);
		free(want);
		free(text);
		free(lock);
	}
	cg_lock_release(l);
	reap(pid, 0);
	close(ready[0]);
	close(ready[1]);
}
END_TEST

START_TEST(test_lock_dead_holder)
{
	pid_t pid = fork();
	struct cg_lock *l = NULL;
	struct cg_error *e = NULL;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct cg_lock *cl = NULL;
		struct cg_error *ce = NULL;

		/* dies holding it: the kernel drops the lock with the process */
		if (cg_lock_acquire(statedir, 0, "crashing", &cl, &ce) < 0)
			_exit(3);
		kill(getpid(), SIGKILL);
		_exit(4);
	}
	{
		int status;

		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFSIGNALED(status));
	}
	ck_assert(!cg_lock_held(statedir, NULL));
	ck_assert_int_eq(cg_lock_acquire(statedir, 0, "after", &l, &e), 0);
	cg_lock_release(l);
}
END_TEST

START_TEST(test_state_dir_created_private)
{
	struct cg_lock *l = NULL;
	struct cg_error *e = NULL;
	struct stat st;

	ck_assert_int_ne(access(statedir, F_OK), 0);
	ck_assert_int_eq(cg_lock_acquire(statedir, 0, "x", &l, &e), 0);
	ck_assert_int_eq(stat(statedir, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	cg_lock_release(l);
	ck_assert(!cg_lock_held(statedir, NULL));
	ck_assert(!cg_journal_pending(statedir));
	/* a file where the directory should be */
	{
		char *f = xasprintf("%s/file", tmpdir);
		int fd = open(f, O_CREAT | O_WRONLY, 0600);

		ck_assert_int_ge(fd, 0);
		close(fd);
		ck_assert_int_eq(cg_lock_acquire(f, 0, "x", &l, &e), -1);
		ck_assert_int_eq(e->errnum, ENOTDIR);
		cg_error_free(e);
		free(f);
	}
}
END_TEST

/* ---- journal ---- */

START_TEST(test_round_trip)
{
	struct cg_state s, back;
	struct cg_error *e = NULL;
	struct strbuf sb = STRBUF_INIT;

	make_state(&s, 1073741824);
	cg_state_serialize(&s, &sb);
	ck_assert_int_eq(cg_state_parse(sb.buf, sb.len, hiers, 2, &back, &e), 0);
	assert_same(&s, &back);
	ck_assert_ptr_eq(cg_state_find(&back, "cpu,cpuacct/web app")->hier, &hiers[1]);
	ck_assert_str_eq(cg_state_find(&back, "memory/web app")->group, "web app");
	strbuf_release(&sb);
	cg_state_release(&back);
	cg_state_release(&s);
}
END_TEST

START_TEST(test_commit_writes_last_apply)
{
	struct cg_state before, after, b2, a2, p;
	struct cg_journal *j = NULL;
	struct cg_error *e = NULL;
	struct plan pl;
	struct plan_step st = { .op = PLAN_OP_WRITE };
	char *jtext, *path;

	make_state(&before, 1073741824);
	make_state(&after, 2147483648);
	ck_assert(!cg_journal_has_last(statedir));
	ck_assert_int_eq(cg_journal_begin(statedir, &before, &j, &e), 0);
	ck_assert(cg_journal_pending(statedir));
	ck_assert(!exists("journal.tmp"));

	/* a step record names the step and both values, before the step runs */
	plan_init(&pl);
	st.dir = (char *)"memory/web app";
	st.file = (char *)"memory.limit_in_bytes";
	st.old_text = (char *)"1073741824";
	st.new_text = (char *)"2147483648";
	pl.steps = &st;
	pl.n = 1;
	ck_assert_int_eq(cg_journal_step(j, &pl, 0, &e), 0);
	ck_assert_int_eq(cg_journal_step_done(j, 0, &e), 0);
	path = xasprintf("%s/journal", statedir);
	jtext = tu_read_file(path, NULL);
	ck_assert_msg(strstr(jtext,
			     "\nstep 0 write \"memory/web app\" \"memory.limit_in_bytes\" old "
			     "\"1073741824\" new \"2147483648\"\ndone 0\n"),
		      "journal: %s", jtext);
	free(jtext);

	/* the pending journal reads back as the state before */
	ck_assert_int_eq(cg_journal_read_pending(statedir, hiers, 2, &p, &e), 0);
	assert_same(&before, &p);
	cg_state_release(&p);

	ck_assert_int_eq(cg_journal_commit(j, &after, &e), 0);
	ck_assert(!cg_journal_pending(statedir));
	ck_assert(cg_journal_has_last(statedir));
	ck_assert(!exists("last-apply.tmp"));
	ck_assert_int_eq(cg_journal_read_last(statedir, hiers, 2, &b2, &a2, &e), 0);
	assert_same(&before, &b2);
	assert_same(&after, &a2);
	cg_state_release(&b2);
	cg_state_release(&a2);

	/* a second apply replaces last-apply */
	ck_assert_int_eq(cg_journal_begin(statedir, &after, &j, &e), 0);
	ck_assert_int_eq(cg_journal_commit(j, &before, &e), 0);
	ck_assert_int_eq(cg_journal_read_last(statedir, hiers, 2, &b2, &a2, &e), 0);
	assert_same(&after, &b2);
	assert_same(&before, &a2);
	cg_state_release(&b2);
	cg_state_release(&a2);

	/* a rollback run's journal says so (an apply's does not); its commit removes it */
	ck_assert_int_eq(cg_journal_begin(statedir, &after, &j, &e), 0);
	ck_assert(!cg_journal_pending_rollback(statedir));
	ck_assert_int_eq(cg_journal_no_last(j, &e), 0);
	ck_assert(cg_journal_pending_rollback(statedir));
	/* still a journal its readers take: the state before it */
	ck_assert_int_eq(cg_journal_read_pending(statedir, hiers, 2, &b2, &e), 0);
	assert_same(&after, &b2);
	cg_state_release(&b2);
	ck_assert_int_eq(cg_journal_commit(j, &before, &e), 0);
	ck_assert(!cg_journal_pending_rollback(statedir));
	ck_assert(!cg_journal_has_last(statedir));
	ck_assert(!cg_journal_pending(statedir));
	ck_assert_int_eq(cg_journal_read_last(statedir, hiers, 2, &b2, &a2, &e), -1);
	ck_assert_int_eq(e->kind, CG_E_PRECOND);
	ck_assert_int_eq(e->errnum, ENOENT);
	cg_error_free(e);

	free(path);
	cg_state_release(&before);
	cg_state_release(&after);
}
END_TEST

START_TEST(test_abort_and_keep)
{
	struct cg_state before, p;
	struct cg_journal *j = NULL, *j2 = NULL;
	struct cg_error *e = NULL;

	make_state(&before, 1073741824);
	ck_assert_int_eq(cg_journal_begin(statedir, &before, &j, &e), 0);
	ck_assert_int_eq(cg_journal_abort(j, &e), 0);
	ck_assert(!cg_journal_pending(statedir));
	ck_assert(!cg_journal_has_last(statedir));

	/* kept: the next begin refuses, rollback reads it, clearing removes it */
	ck_assert_int_eq(cg_journal_begin(statedir, &before, &j, &e), 0);
	cg_journal_keep(j);
	ck_assert(cg_journal_pending(statedir));
	ck_assert_int_eq(cg_journal_begin(statedir, &before, &j2, &e), -1);
	ck_assert_ptr_null(j2);
	ck_assert_int_eq(e->kind, CG_E_PRECOND);
	ck_assert_int_eq(e->errnum, EEXIST);
	cg_error_free(e);
	e = NULL;
	ck_assert_int_eq(cg_journal_read_pending(statedir, hiers, 2, &p, &e), 0);
	assert_same(&before, &p);
	cg_state_release(&p);
	ck_assert_int_eq(cg_journal_clear_pending(statedir, &e), 0);
	ck_assert(!cg_journal_pending(statedir));
	/* clearing what is not there is fine */
	ck_assert_int_eq(cg_journal_clear_pending(statedir, &e), 0);
	ck_assert_int_eq(cg_journal_clear_last(statedir, &e), 0);
	cg_state_release(&before);
}
END_TEST

/* A process killed mid-apply leaves the journal, with what it had recorded. */
START_TEST(test_killed_leaves_journal)
{
	struct cg_state before, p;
	struct cg_error *e = NULL;
	int ready[2];
	pid_t pid;

	make_state(&before, 1073741824);
	ck_assert_int_eq(pipe(ready), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct cg_journal *j = NULL;
		struct cg_lock *l = NULL;
		struct cg_error *ce = NULL;

		if (cg_lock_acquire(statedir, 0, "cgapply apply", &l, &ce) < 0 ||
		    cg_journal_begin(statedir, &before, &j, &ce) < 0)
			_exit(3);
		if (write(ready[1], "r", 1) != 1)
			_exit(4);
		pause();
		_exit(5);
	}
	wait_ready(ready[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ck_assert(cg_journal_pending(statedir));
	ck_assert(!cg_lock_held(statedir, NULL));
	ck_assert_int_eq(cg_journal_read_pending(statedir, hiers, 2, &p, &e), 0);
	assert_same(&before, &p);
	cg_state_release(&p);
	cg_state_release(&before);
	close(ready[0]);
	close(ready[1]);
}
END_TEST

static void
write_state_file(const char *name, const char *text)
{
	char *path;
	FILE *f;

	ck_assert_int_eq(mkdir(tmpdir, 0700) == 0 || errno == EEXIST, 1);
	path = xasprintf("%s/var", tmpdir);
	mkdir(path, 0755);
	free(path);
	path = xasprintf("%s/var/lib", tmpdir);
	mkdir(path, 0755);
	free(path);
	mkdir(statedir, 0700);
	path = xasprintf("%s/%s", statedir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

START_TEST(test_bad_files)
{
	struct cg_state a, b;
	struct cg_error *e = NULL;

	/* an empty journal: nothing ran, nothing to restore */
	write_state_file("journal", "");
	ck_assert_int_eq(cg_journal_read_pending(statedir, hiers, 2, &a, &e), 0);
	ck_assert_uint_eq(a.n, 0);
	cg_state_release(&a);

	write_state_file("journal", "not a journal\n");
	ck_assert_int_eq(cg_journal_read_pending(statedir, hiers, 2, &a, &e), -1);
	ck_assert_int_eq(e->kind, CG_E_PRECOND);
	ck_assert(strstr(e->msg, "is not a cgapply state file"));
	cg_error_free(e);
	e = NULL;

	write_state_file("journal", "cgapply journal 1\nstate 1\ndir /memory/x /memory - e\n");
	ck_assert_int_eq(cg_journal_read_pending(statedir, hiers, 2, &a, &e), -1);
	ck_assert_int_eq(e->kind, CG_E_PRECOND);
	cg_error_free(e);
	e = NULL;

	/* a hierarchy that is gone */
	write_state_file("journal", "cgapply journal 1\nstate 1\ndir /blkio/x /blkio - e\nend\n");
	ck_assert_int_eq(cg_journal_read_pending(statedir, hiers, 2, &a, &e), -1);
	ck_assert_msg(strstr(e->msg, "'blkio' is not mounted"), "%s", e->msg);
	cg_error_free(e);
	e = NULL;

	write_state_file("last-apply", "cgapply last-apply 1\nbefore\nstate 1\nend\n");
	ck_assert_int_eq(cg_journal_read_last(statedir, hiers, 2, &a, &b, &e), -1);
	ck_assert_msg(strstr(e->msg, "'after'"), "%s", e->msg);
	cg_error_free(e);
	e = NULL;

	write_state_file("last-apply",
			 "cgapply last-apply 1\nbefore\nstate 1\nend\nafter\nstate 1\nend\n");
	ck_assert_int_eq(cg_journal_read_last(statedir, hiers, 2, &a, &b, &e), 0);
	ck_assert_uint_eq(a.n, 0);
	ck_assert_uint_eq(b.n, 0);
	cg_state_release(&a);
	cg_state_release(&b);
}
END_TEST

static Suite *
journal_suite(void)
{
	Suite *s = suite_create("journal");
	TCase *tc;

	tc = tcase_create("lock");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_lock_timeout_names_holder);
	tcase_add_test(tc, test_lock_wait_succeeds);
	tcase_add_test(tc, test_lock_dead_holder);
	tcase_add_test(tc, test_state_dir_created_private);
	suite_add_tcase(s, tc);

	tc = tcase_create("journal");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_commit_writes_last_apply);
	tcase_add_test(tc, test_abort_and_keep);
	tcase_add_test(tc, test_killed_leaves_journal);
	tcase_add_test(tc, test_bad_files);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(journal_suite());
}

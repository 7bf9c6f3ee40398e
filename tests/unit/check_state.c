/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apply/state: ordering, parents, copies and the journal's text form. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "apply/hierarchy.h"
#include "apply/readback.h"
#include "apply/state.h"
#include "lib/strbuf.h"
#include "parser/schema.h"
#include "tests/lib/testutil.h"

static char *mem_ctl[] = { (char *)"memory" };
static char *cpu_ctl[] = { (char *)"cpu", (char *)"cpuacct" };
static struct cg_hier hiers[] = {
	{ CG_V1, (char *)"memory", mem_ctl, 1 },
	{ CG_V1, (char *)"cpu,cpuacct", cpu_ctl, 2 },
	{ CG_V2, (char *)"unified", NULL, 0 },
	{ CG_V2, (char *)"", NULL, 0 },
};

START_TEST(test_sorted_parents_first)
{
	static const char *const add[] = { "memory/b",	 "memory", "memory/a/x", "memory/a",
					   "memory/a-b", "cpu",	   "memory/a b" };
	static const char *const want[] = { "cpu",	  "memory",	"memory/a", "memory/a/x",
					    "memory/a b", "memory/a-b", "memory/b" };
	struct cg_state s;
	struct cg_state_dir *d;
	size_t i;

	cg_state_init(&s);
	for (i = 0; i < sizeof(add) / sizeof(add[0]); i++) {
		d = cg_state_add_dir(&s, add[i]);
		ck_assert_str_eq(d->fspath, add[i]);
		ck_assert(!d->exists);
	}
	/* adding again returns the same directory */
	d = cg_state_add_dir(&s, "memory/a");
	d->exists = true;
	ck_assert_ptr_eq(cg_state_add_dir(&s, "memory/a"), d);
	ck_assert_uint_eq(s.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < s.n; i++)
		ck_assert_str_eq(s.dirs[i].fspath, want[i]);

	ck_assert_ptr_eq(cg_state_find(&s, "memory/a/x"), &s.dirs[3]);
	ck_assert_ptr_null(cg_state_find(&s, "memory/c"));
	ck_assert_ptr_null(cg_state_find(&s, "memory/a/"));

	ck_assert_str_eq(cg_state_parent(&s, cg_state_find(&s, "memory/a/x"))->fspath, "memory/a");
	ck_assert_str_eq(cg_state_parent(&s, cg_state_find(&s, "memory/a-b"))->fspath, "memory");
	ck_assert_ptr_null(cg_state_parent(&s, cg_state_find(&s, "memory")));
	/* the nearest one present, skipping missing levels */
	d = cg_state_add_dir(&s, "memory/b/c/d");
	ck_assert_str_eq(cg_state_parent(&s, d)->fspath, "memory/b");
	cg_state_release(&s);
	cg_state_release(&s);
}
END_TEST

START_TEST(test_root_dir)
{
	struct cg_state s;
	struct cg_state_dir *d;

	cg_state_init(&s);
	cg_state_add_dir(&s, "web/batch");
	cg_state_add_dir(&s, "web");
	cg_state_add_dir(&s, "");
	ck_assert_str_eq(s.dirs[0].fspath, "");
	d = cg_state_find(&s, "web");
	ck_assert_str_eq(cg_state_parent(&s, d)->fspath, "");
	ck_assert_ptr_null(cg_state_parent(&s, &s.dirs[0]));
	cg_state_release(&s);
}
END_TEST

static void
set_text(struct cg_state_dir *d, const char *name, const char *text)
{
	const struct cg_filedef *def = cg_schema_file_any(name);
	struct cg_error *err = NULL;
	struct cg_value v;

	if (cg_readback_parse(def, name, text, d->hier ? d->hier->version : CG_V1, &v, &err) < 0)
		ck_abort_msg("%s: %s", name, err->msg);
	cg_state_set(d, name, def, &v);
	cg_value_release(&v);
}

static void
build(struct cg_state *s)
{
	struct cg_state_dir *d;
	struct cg_state_file *f;
	struct cg_value raw;

	cg_state_init(s);
	d = cg_state_add_dir(s, "memory");
	d->hier = &hiers[0];
	d->anchor = d->exists = d->populated = true;
	set_text(d, "memory.limit_in_bytes", "9223372036854771712\n");
	set_text(d, "memory.usage_in_bytes", "123456\n");

	d = cg_state_add_dir(s, "memory/web app");
	d->hier = &hiers[0];
	d->group = strdup("web app");
	d->exists = true;
	d->dir.owner_set = true;
	d->dir.uid = 0;
	d->dir.gid = 1000;
	d->dir.mode_set = true;
	d->dir.mode = 02775;
	d->tasks.owner_set = true;
	d->tasks.uid = 1000;
	d->tasks.gid = 1000;
	d->ctlfiles.mode_set = true;
	d->ctlfiles.mode = 0644;
	set_text(d, "memory.limit_in_bytes", "1073741824\n");
	set_text(d, "memory.memsw.limit_in_bytes", "max");
	set_text(d, "memory.oom_control", "oom_kill_disable 1\nunder_oom 0\noom_kill 0\n");
	set_text(d, "memory.swappiness", "60\n");
	f = cg_state_file(d, "memory.limit_in_bytes");
	f->managed = true;
	f = cg_state_add_file(d, "memory.kmem.tcp.limit_in_bytes",
			      cg_schema_file_any("memory.kmem.tcp.limit_in_bytes"));
	ck_assert(!f->present);

	d = cg_state_add_dir(s, "cpu,cpuacct/web");
	d->hier = &hiers[1];
	d->group = strdup("web");
	set_text(d, "cpu.cfs_quota_us", "-1\n");
	set_text(d, "cpu.cfs_period_us", "100000\n");
	set_text(d, "cpuset.cpus", "0-3,8\n");
	set_text(d, "cpuset.mems", "\n");
	set_text(d, "cpuset.cpu_exclusive", "1\n");
	set_text(d, "freezer.state", "FREEZING\n");
	set_text(d, "blkio.throttle.read_bps_device", "8:16 2000\n8:0 1048576\n");
	set_text(d, "devices.list", "c 1:3 rwm\nb 8:* r\nc *:* m\n");
	set_text(d, "net_prio.ifpriomap", "lo 0\neth0 5\n");
	/* an unchecked file with text that needs escapes */
	memset(&raw, 0, sizeof(raw));
	raw.type = CG_VT_RAW;
	raw.u.raw = (char *)" a\\b c\x01\xc3\xa9 ";
	f = cg_state_set(d, "x.custom file", NULL, &raw);
	f->managed = true;

	d = cg_state_add_dir(s, "unified/web");
	d->hier = &hiers[2];
	d->group = strdup("web");
	set_text(d, "pids.max", "max\n");
	set_text(d, "cpu.max", "max 100000\n");
	set_text(d, "cpu.weight", "100\n");
	set_text(d, "io.weight", "default 100\n8:0 200\n");
	set_text(d, "io.max",
		 "8:16 rbps=max wbps=1000 riops=max wiops=max\n"
		 "8:0 rbps=1 wbps=max riops=max wiops=max\n");
	set_text(d, "memory.max", "max\n");
	set_text(d, "cgroup.type", "domain threaded\n");
	set_text(d, "freezer.state", "FROZEN");
	set_text(d, "misc.max", "res_a max\nres_b 10\n");

	d = cg_state_add_dir(s, "unified/q");
	d->hier = &hiers[2];
	set_text(d, "cpu.max", "50000\n");
	set_text(d, "devices.list", "");
	set_text(d, "devices.allow", "a *:* rwm");
}

static void
assert_states_equal(const struct cg_state *a, const struct cg_state *b)
{
	size_t i, j;

	ck_assert_uint_eq(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		const struct cg_state_dir *x = &a->dirs[i], *y = &b->dirs[i];

		ck_assert_str_eq(x->fspath, y->fspath);
		ck_assert_pstr_eq(x->group, y->group);
		ck_assert_ptr_eq(x->hier, y->hier);
		ck_assert_int_eq(x->exists, y->exists);
		ck_assert_int_eq(x->populated, y->populated);
		ck_assert_int_eq(x->anchor, y->anchor);
		ck_assert(memcmp(&x->dir, &y->dir, sizeof(x->dir)) == 0);
		ck_assert(memcmp(&x->tasks, &y->tasks, sizeof(x->tasks)) == 0);
		ck_assert(memcmp(&x->ctlfiles, &y->ctlfiles, sizeof(x->ctlfiles)) == 0);
		ck_assert_uint_eq(x->nfiles, y->nfiles);
		for (j = 0; j < x->nfiles; j++) {
			const struct cg_state_file *f = &x->files[j], *g = &y->files[j];

			ck_assert_str_eq(f->name, g->name);
			ck_assert_ptr_eq(f->def, g->def);
			ck_assert_int_eq(f->present, g->present);
			ck_assert_int_eq(f->managed, g->managed);
			ck_assert_int_eq(f->value.type, g->value.type);
			ck_assert_msg(cg_value_equal(&f->value, &g->value), "%s/%s differs",
				      x->fspath, f->name);
		}
	}
}

START_TEST(test_copy)
{
	struct cg_state s, c;

	build(&s);
	cg_state_copy(&c, &s);
	assert_states_equal(&s, &c);
	ck_assert_ptr_ne(c.dirs[1].files, s.dirs[1].files);
	cg_state_release(&s);
	ck_assert_str_eq(c.dirs[2].fspath, "memory/web app");
	cg_state_release(&c);
}
END_TEST

START_TEST(test_values_read)
{
	struct cg_state s;
	const struct cg_state_dir *d;
	const struct cg_state_file *f;

	build(&s);
	d = cg_state_find(&s, "memory");
	f = cg_state_file(d, "memory.limit_in_bytes");
	ck_assert(f->present && f->value.type == CG_VT_SIZE && f->value.u.size.unlimited);
	d = cg_state_find(&s, "memory/web app");
	ck_assert_int_eq(cg_state_file(d, "memory.oom_control")->value.u.num.v, 1);
	d = cg_state_find(&s, "cpu,cpuacct/web");
	f = cg_state_file(d, "blkio.throttle.read_bps_device");
	ck_assert_uint_eq(f->value.u.devlimits.n, 2);
	ck_assert_int_eq(f->value.u.devlimits.items[0].dev.minor, 0);
	cg_state_release(&s);
}
END_TEST

START_TEST(test_round_trip)
{
	struct cg_state s, p;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct cg_error *err = NULL;
	const struct cg_state_file *f;

	build(&s);
	cg_state_serialize(&s, &a);
	ck_assert(strncmp(a.buf, "state 1\n", 8) == 0);
	ck_assert(strstr(a.buf, "\nend\n"));
	ck_assert_ptr_null(strchr(a.buf, '\x01'));
	/* every record is one line */
	ck_assert_ptr_nonnull(
		strstr(a.buf, "file /devices.list p devrule c 1:3 rwm\\nb 8:* r\\nc *:* m\n"));
	ck_assert_ptr_nonnull(strstr(a.buf, "dir /memory/web\\x20app /memory /web\\x20app e\n"));
	ck_assert_ptr_nonnull(strstr(a.buf, "own dir 0 1000 2775\n"));
	ck_assert_ptr_nonnull(strstr(a.buf, "own tasks 1000 1000 -\n"));
	ck_assert_ptr_nonnull(strstr(a.buf, "own files - - 0644\n"));
	ck_assert_ptr_nonnull(strstr(a.buf, "file /memory.memsw.limit_in_bytes p size -1\n"));
	ck_assert_ptr_nonnull(strstr(a.buf, "file /cpu.max p cpumax max 100000\n"));

	if (cg_state_parse(a.buf, a.len, hiers, 4, &p, &err) < 0)
		ck_abort_msg("%s", err->msg);
	assert_states_equal(&s, &p);
	f = cg_state_file(cg_state_find(&p, "cpu,cpuacct/web"), "x.custom file");
	ck_assert_ptr_null(f->def);
	ck_assert_str_eq(f->value.u.raw, " a\\b c\x01\xc3\xa9 ");
	f = cg_state_file(cg_state_find(&p, "cpu,cpuacct/web"), "freezer.state");
	ck_assert_str_eq(f->value.u.word, "FREEZING");
	f = cg_state_file(cg_state_find(&p, "unified/web"), "freezer.state");
	ck_assert_ptr_eq(f->value.u.word, cg_schema_file_any("freezer.state")->words[0]);
	cg_state_serialize(&p, &b);
	ck_assert_str_eq(a.buf, b.buf);

	/* text after the end line is not looked at */
	strbuf_adds(&a, "step 1 garbage\n");
	ck_assert_ptr_eq(cg_state_text_end(a.buf, a.len), a.buf + b.len);
	cg_state_release(&p);
	ck_assert_int_eq(cg_state_parse(a.buf, a.len, hiers, 4, &p, &err), 0);
	cg_state_release(&p);

	cg_state_release(&s);
	strbuf_release(&a);
	strbuf_release(&b);
}
END_TEST

START_TEST(test_empty_round_trip)
{
	struct cg_state s, p;
	struct strbuf a = STRBUF_INIT;
	struct cg_error *err = NULL;

	cg_state_init(&s);
	cg_state_add_dir(&s, "")->hier = &hiers[3];
	cg_state_serialize(&s, &a);
	ck_assert_str_eq(a.buf, "state 1\ndir / / - -\nown dir - - -\nown tasks - - -\n"
				"own files - - -\nend\n");
	ck_assert_int_eq(cg_state_parse(a.buf, a.len, hiers, 4, &p, &err), 0);
	assert_states_equal(&s, &p);
	cg_state_release(&p);
	cg_state_release(&s);
	strbuf_release(&a);
}
END_TEST

static const struct {
	const char *text;
	const char *msg;
} bad_cases[] = {
	{ "", "truncated" },
	{ "state 2\nend\n", "line 1: expected 'state 1'" },
	{ "state 1\n", "truncated" },
	{ "state 1\ndir /memory/x /nosuch - e\nend\n", "hierarchy 'nosuch' is not mounted" },
	{ "state 1\ndir memory - - e\nend\n", "line 2: bad path field" },
	{ "state 1\ndir /x - - e\ndir /x - - e\nend\n", "line 3: directory given twice" },
	{ "state 1\ndir /x - - z\nend\n", "unknown directory flag" },
	{ "state 1\nfile /a p raw x\nend\n", "file record before any dir" },
	{ "state 1\ndir /x - - -\nfile /a p raw x\\q\nend\n", "bad escape" },
	{ "state 1\ndir /x - - -\nfile /a p raw x\\x0\nend\n", "bad escape" },
	{ "state 1\ndir /x - - -\nfile /a p nosuch x\nend\n", "unknown value type" },
	{ "state 1\ndir /x - - -\nfile /memory.limit_in_bytes p size abc\nend\n",
	  "line 3: unexpected value 'abc'" },
	{ "state 1\ndir /x - - -\nown dir 0 - -\nend\n", "bad owner record" },
	{ "state 1\ndir /x - - -\nown dir 0 0 9999\nend\n", "bad owner record" },
	{ "state 1\ndir /x - - -\nown who 0 0 0755\nend\n", "bad owner record" },
	{ "state 1\nbogus\nend\n", "unknown record" },
};

START_TEST(test_parse_errors)
{
	struct cg_state p;
	struct cg_error *err = NULL;
	const char *t = bad_cases[_i].text;

	ck_assert_int_eq(cg_state_parse(t, strlen(t), hiers, 4, &p, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err->msg, bad_cases[_i].msg), "'%s' lacks '%s'", err->msg,
		      bad_cases[_i].msg);
	ck_assert_int_eq(err->kind, CG_E_PRECOND);
	cg_error_free(err);
}
END_TEST

START_TEST(test_set_replaces)
{
	struct cg_state s;
	struct cg_state_dir *d;
	struct cg_state_file *f;
	struct cg_value v;

	cg_state_init(&s);
	d = cg_state_add_dir(&s, "cpuset/a");
	set_text(d, "cpuset.cpus", "0-3");
	set_text(d, "cpuset.cpus", "1");
	ck_assert_uint_eq(d->nfiles, 1);
	f = cg_state_file(d, "cpuset.cpus");
	/* setting a file to its own value */
	cg_state_set(d, "cpuset.cpus", f->def, &f->value);
	memset(&v, 0, sizeof(v));
	v.type = CG_VT_CPULIST;
	ck_assert(!cg_value_equal(&f->value, &v));
	ck_assert_ptr_eq(cg_state_file(d, "cpuset.cpus"), f);
	cg_state_release(&s);
}
END_TEST

static Suite *
state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("dirs");

	tcase_add_test(tc, test_sorted_parents_first);
	tcase_add_test(tc, test_root_dir);
	tcase_add_test(tc, test_copy);
	tcase_add_test(tc, test_set_replaces);
	suite_add_tcase(s, tc);
	tc = tcase_create("text");
	tcase_add_test(tc, test_values_read);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_empty_round_trip);
	tcase_add_loop_test(tc, test_parse_errors, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(state_suite());
}

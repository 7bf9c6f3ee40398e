/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apply/snapshot: reading a fake v1 tree (plus a v2 one) laid out from a model. */
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
#include "apply/layout.h"
#include "apply/snapshot.h"
#include "apply/state.h"
#include "parser/parse.h"
#include "parser/schema.h"
#include "tests/lib/testutil.h"

static char tmpl[64];
static char mountinfo[96];
static struct cg_fs *fs;
static struct cg_hosttree tree;
static struct cg_model *model;
static struct cg_layout layout;

static const char config[] = "version: 1\n"
			     "groups:\n"
			     "  web:\n"
			     "    memory: { memory.limit_in_bytes: 1G, memory.swappiness: 10 }\n"
			     "    cpuset: { cpuset.cpus: '0', cpuset.mems: '0' }\n"
			     "    devices: { devices.allow: 'c 1:3 rwm' }\n"
			     "    cgroup: { cgroup.max.depth: 2 }\n"
			     "  web/batch:\n"
			     "    memory: {}\n"
			     "    pids: { pids.max: 10 }\n";

static void
put_mode(const char *rel, const char *text, mode_t mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpl, rel);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static void
put(const char *rel, const char *text)
{
	put_mode(rel, text, 0644);
}

static void
mk(const char *rel, mode_t mode)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpl, rel);
	ck_assert_int_eq(mkdir(path, mode), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* a v1 cgroup directory's core files */
static void
v1_dir(const char *rel, mode_t mode, const char *tasks)
{
	char p[200];

	mk(rel, mode);
	snprintf(p, sizeof(p), "%s/tasks", rel);
	put(p, tasks);
	snprintf(p, sizeof(p), "%s/cgroup.procs", rel);
	put(p, tasks);
	snprintf(p, sizeof(p), "%s/cgroup.clone_children", rel);
	put(p, "0\n");
	snprintf(p, sizeof(p), "%s/notify_on_release", rel);
	put(p, "0\n");
}

static void
setup(void)
{
	struct cg_parse_opts o = { .ids_must_exist = false };
	struct cg_error *err = NULL;
	struct cg_diags d;
	FILE *f;

	strcpy(tmpl, "/tmp/check_snap.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	snprintf(mountinfo, sizeof(mountinfo), "%s.mountinfo", tmpl);
	f = fopen(mountinfo, "w");
	ck_assert_ptr_nonnull(f);
	fputs("22 1 0:21 / /sys rw - sysfs sysfs rw\n", f);
	fclose(f);

	/* memory: the root and web (web/batch does not exist yet) */
	v1_dir("memory", 0755, "1\n2\n");
	put("memory/memory.limit_in_bytes", "9223372036854771712\n");
	put("memory/memory.usage_in_bytes", "123456789\n");
	v1_dir("memory/web", 0750, "");
	put("memory/web/memory.limit_in_bytes", "1073741824\n");
	put("memory/web/memory.memsw.limit_in_bytes", "9223372036854771712\n");
	put_mode("memory/web/memory.usage_in_bytes", "4096\n", 0444);
	/* no memory.swappiness: absent */

	v1_dir("cpuset", 0755, "1\n");
	put("cpuset/cpuset.cpus", "0-1\n");
	put("cpuset/cpuset.mems", "0\n");
	v1_dir("cpuset/web", 0755, "4242\n");
	put("cpuset/web/cpuset.cpus", "\n");
	put("cpuset/web/cpuset.mems", "");

	v1_dir("devices", 0755, "1\n");
	put_mode("devices/devices.list", "a *:* rwm\n", 0444);
	v1_dir("devices/web", 0755, "");
	put_mode("devices/web/devices.list", "c 1:3 rwm\nb 8:* r\n", 0444);
	/* write-only: reading it would fail, it must not be read */
	put_mode("devices/web/devices.allow", "", 0200);

	mk("unified", 0755);
	put("unified/cgroup.controllers", "pids\n");
	put("unified/cgroup.subtree_control", "\n");
	put("unified/cgroup.procs", "1\n");
	mk("unified/web", 0755);
	put("unified/web/cgroup.controllers", "\n");
	put("unified/web/cgroup.subtree_control", "\n");
	put("unified/web/cgroup.procs", "");
	put("unified/web/cgroup.events", "populated 1\nfrozen 0\n");
	put("unified/web/cgroup.max.depth", "max\n");

	/* pids is not mounted as v1 here: it is the v2 tree's */
	mk("notes", 0755);

	fs = cg_fs_open(tmpl, &err);
	ck_assert_ptr_nonnull(fs);
	if (cg_hier_discover(fs, tmpl, mountinfo, &tree, &err) < 0)
		ck_abort_msg("%s", err->msg);
	cg_diags_init(&d);
	ck_assert_int_eq(cg_parse_buffer("t.yaml", config, strlen(config), &o, &model, &d), 0);
	cg_diags_release(&d);
	if (cg_layout_build(model, &tree, NULL, &layout, &err) < 0)
		ck_abort_msg("%s", err->msg);
}

static void
teardown(void)
{
	cg_layout_release(&layout);
	cg_model_free(model);
	model = NULL;
	cg_hosttree_release(&tree);
	cg_fs_free(fs);
	fs = NULL;
	tu_rm_rf(tmpl);
	unlink(mountinfo);
}

static struct cg_state
snap_ok(void)
{
	struct cg_error *err = NULL;
	struct cg_state s;

	if (cg_snapshot_read(fs, &layout, &s, &err) < 0)
		ck_abort_msg("snapshot: %s", err->msg);
	return s;
}

static const struct cg_state_file *
file(const struct cg_state *s, const char *dir, const char *name)
{
	const struct cg_state_dir *d = cg_state_find(s, dir);

	ck_assert_msg(d != NULL, "no dir '%s'", dir);
	ck_assert_msg(cg_state_file(d, name) != NULL, "no file '%s' in '%s'", name, dir);
	return cg_state_file(d, name);
}

START_TEST(test_dirs)
{
	struct cg_state s = snap_ok();
	static const char *const want[] = {
		"cpuset",     "cpuset/web",	  "devices", "devices/web", "memory",
		"memory/web", "memory/web/batch", "unified", "unified/web", "unified/web/batch",
	};
	const struct cg_state_dir *d;
	size_t i;

	ck_assert_uint_eq(s.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < s.n; i++)
		ck_assert_str_eq(s.dirs[i].fspath, want[i]);

	d = cg_state_find(&s, "memory");
	ck_assert(d->anchor && d->exists && d->populated);
	ck_assert_ptr_null(d->group);
	ck_assert_str_eq(d->hier->mount, "memory");

	d = cg_state_find(&s, "memory/web");
	ck_assert(!d->anchor && d->exists && !d->populated);
	ck_assert_str_eq(d->group, "web");
	ck_assert(d->dir.owner_set && d->dir.mode_set);
	ck_assert_uint_eq(d->dir.uid, getuid());
	ck_assert_uint_eq(d->dir.mode, 0750);
	ck_assert(d->tasks.owner_set);
	ck_assert_uint_eq(d->tasks.mode, 0644);
	/* the first writable listed file: memory.limit_in_bytes, not usage (0444) */
	ck_assert(d->ctlfiles.mode_set);
	ck_assert_uint_eq(d->ctlfiles.mode, 0644);

	d = cg_state_find(&s, "memory/web/batch");
	ck_assert(!d->exists && !d->populated);
	ck_assert(!d->dir.owner_set && !d->tasks.owner_set && !d->ctlfiles.owner_set);

	ck_assert(cg_state_find(&s, "cpuset/web")->populated);
	ck_assert(cg_state_find(&s, "unified/web")->populated);
	ck_assert(cg_state_find(&s, "unified")->anchor);
	cg_state_release(&s);
}
END_TEST

START_TEST(test_values)
{
	struct cg_state s = snap_ok();
	const struct cg_state_file *f;

	f = file(&s, "memory/web", "memory.limit_in_bytes");
	ck_assert(f->present && !f->managed);
	ck_assert_ptr_eq(f->def, cg_schema_file_any("memory.limit_in_bytes"));
	ck_assert_uint_eq(f->value.u.size.bytes, 1073741824);
	f = file(&s, "memory/web", "memory.memsw.limit_in_bytes");
	ck_assert(f->present && f->value.u.size.unlimited);
	f = file(&s, "memory/web", "memory.usage_in_bytes");
	ck_assert_int_eq(f->value.type, CG_VT_SIZE);
	ck_assert_uint_eq(f->value.u.size.bytes, 4096);
	f = file(&s, "memory/web", "memory.swappiness");
	ck_assert(!f->present);

	f = file(&s, "cpuset", "cpuset.cpus");
	ck_assert(f->present);
	f = file(&s, "cpuset/web", "cpuset.cpus");
	ck_assert(f->present && cg_cpuset_empty(&f->value.u.cpus));
	f = file(&s, "cpuset/web", "cpuset.mems");
	ck_assert(f->present && cg_cpuset_empty(&f->value.u.cpus));

	f = file(&s, "devices/web", "devices.list");
	ck_assert_int_eq(f->value.type, CG_VT_DEVRULE);
	ck_assert_uint_eq(f->value.u.devrules.n, 2);
	ck_assert_ptr_null(cg_state_file(cg_state_find(&s, "devices/web"), "devices.allow"));
	f = file(&s, "devices", "devices.list");
	ck_assert_int_eq(f->value.u.devrules.items[0].type, 'a');

	f = file(&s, "unified/web", "cgroup.max.depth");
	ck_assert(f->value.u.num.is_max);
	f = file(&s, "unified", "cgroup.controllers");
	ck_assert_str_eq(f->value.u.raw, "pids");
	/* web/batch does not exist: its files are recorded as absent; those its existing
	 * parent web lacks too are ones this kernel does not have */
	f = file(&s, "unified/web/batch", "pids.max");
	ck_assert(!f->present);
	ck_assert(f->lacking);
	f = file(&s, "unified/web/batch", "cgroup.subtree_control");
	ck_assert(!f->present && !f->lacking);
	cg_state_release(&s);
}
END_TEST

START_TEST(test_reread)
{
	struct cg_state s = snap_ok(), r;
	struct cg_error *err = NULL;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	const struct cg_state_file *f;

	cg_state_serialize(&s, &a);
	ck_assert_int_eq(cg_snapshot_reread(fs, &s, &r, &err), 0);
	cg_state_serialize(&r, &b);
	ck_assert_str_eq(a.buf, b.buf);
	cg_state_release(&r);
	strbuf_release(&b);

	put("memory/web/memory.limit_in_bytes", "2147483648\n");
	mk("memory/web/batch", 0755);
	put("memory/web/batch/tasks", "7\n");
	ck_assert_int_eq(cg_snapshot_reread(fs, &s, &r, &err), 0);
	f = file(&r, "memory/web", "memory.limit_in_bytes");
	ck_assert_uint_eq(f->value.u.size.bytes, 2147483648);
	ck_assert(cg_state_find(&r, "memory/web/batch")->exists);
	ck_assert(cg_state_find(&r, "memory/web/batch")->populated);
	ck_assert(cg_state_find(&r, "memory")->anchor);
	ck_assert_uint_eq(r.n, s.n);
	cg_state_release(&r);
	cg_state_release(&s);
	strbuf_release(&a);
}
END_TEST

static const char *
cpus_text(const struct cg_value *v)
{
	static char buf[64];
	struct strbuf sb = STRBUF_INIT;

	cg_cpuset_format(&v->u.cpus, &sb);
	snprintf(buf, sizeof(buf), "%s", sb.buf);
	strbuf_release(&sb);
	return buf;
}

/* Unlisted children of a v1 cpuset dir: read as foreign, only their constraint files. */
START_TEST(test_foreign)
{
	struct cg_state s, r;
	struct cg_error *err = NULL;
	const struct cg_state_dir *d;
	const struct cg_state_file *f;
	struct strbuf a = STRBUF_INIT;

	v1_dir("cpuset/web/x", 0700, "77\n");
	put("cpuset/web/x/cpuset.cpus", "0-1\n");
	put("cpuset/web/x/cpuset.mems", "0\n");
	put("cpuset/web/x/cpuset.cpu_exclusive", "1\n");
	put("cpuset/web/x/cpuset.mem_exclusive", "0\n");
	put("cpuset/web/x/cpuset.sched_load_balance", "1\n");
	/* deeper, and other hierarchies: not looked for */
	v1_dir("cpuset/web/x/deep", 0755, "");
	v1_dir("memory/web/y", 0755, "");
	v1_dir("cpuset/other", 0755, "");
	put("cpuset/other/cpuset.cpus", "1\n");
	s = snap_ok();
	d = cg_state_find(&s, "cpuset/web/x");
	ck_assert_ptr_nonnull(d);
	ck_assert(d->foreign && d->exists && !d->anchor);
	ck_assert_ptr_null(d->group);
	ck_assert_str_eq(d->hier->mount, "cpuset");
	/* not its tasks nor its owners: only what the kernel checks writes against */
	ck_assert(!d->populated && !d->dir.owner_set && !d->tasks.owner_set);
	ck_assert_uint_eq(d->nfiles, 4);
	f = file(&s, "cpuset/web/x", "cpuset.cpus");
	ck_assert(f->present && !f->managed);
	ck_assert_str_eq(cpus_text(&f->value), "0-1");
	f = file(&s, "cpuset/web/x", "cpuset.cpu_exclusive");
	ck_assert_int_eq(f->value.u.num.v, 1);
	ck_assert_ptr_null(cg_state_find(&s, "cpuset/web/x/deep"));
	ck_assert_ptr_null(cg_state_find(&s, "memory/web/y"));
	/* the anchor's unlisted children too, but never a listed dir */
	ck_assert(cg_state_find(&s, "cpuset/other")->foreign);
	ck_assert(!file(&s, "cpuset/other", "cpuset.mems")->present);
	ck_assert(!cg_state_find(&s, "cpuset/web")->foreign);
	ck_assert(!cg_state_find(&s, "memory/web/batch")->foreign);

	/* the journal keeps the flag; a re-read keeps it and sees the change */
	cg_state_serialize(&s, &a);
	ck_assert_ptr_nonnull(strstr(a.buf, "dir /cpuset/web/x /cpuset - ef\n"));
	put("cpuset/web/x/cpuset.cpus", "1\n");
	ck_assert_int_eq(cg_snapshot_reread(fs, &s, &r, &err), 0);
	d = cg_state_find(&r, "cpuset/web/x");
	ck_assert(d->foreign && d->exists);
	f = file(&r, "cpuset/web/x", "cpuset.cpus");
	ck_assert_str_eq(cpus_text(&f->value), "1");
	cg_state_release(&r);
	cg_state_release(&s);
	strbuf_release(&a);
}
END_TEST

START_TEST(test_errors)
{
	struct cg_error *err = NULL;
	struct cg_state s;

	put("memory/web/memory.limit_in_bytes", "abc\n");
	ck_assert_int_eq(cg_snapshot_read(fs, &layout, &s, &err), -1);
	ck_assert_msg(strstr(err->msg, "cannot read the state of 'memory/web': unexpected value "
				       "'abc' read from 'memory.limit_in_bytes'"),
		      "%s", err->msg);
	cg_error_free(err);
	err = NULL;
	put("memory/web/memory.limit_in_bytes", "4096\n");

	/* a read error other than ENOENT */
	mk("memory/web/memory.swappiness", 0755);
	ck_assert_int_eq(cg_snapshot_read(fs, &layout, &s, &err), -1);
	ck_assert_int_eq(err->errnum, EISDIR);
	ck_assert(strstr(err->msg, "memory/web/memory.swappiness'"));
	cg_error_free(err);
	err = NULL;

	/* a file where a group directory belongs */
	put("cpuset/web/cpuset.cpus", "0\n");
	{
		char p[200];

		snprintf(p, sizeof(p), "%s/unified/web", tmpl);
		ck_assert_int_eq(tu_rm_rf(p), 0);
	}
	put("unified/web", "x");
	{
		char p[200];

		snprintf(p, sizeof(p), "%s/memory/web/memory.swappiness", tmpl);
		ck_assert_int_eq(rmdir(p), 0);
	}
	ck_assert_int_eq(cg_snapshot_read(fs, &layout, &s, &err), -1);
	ck_assert_int_eq(err->errnum, ENOTDIR);
	cg_error_free(err);
}
END_TEST

static Suite *
snapshot_suite(void)
{
	Suite *s = suite_create("snapshot");
	TCase *tc = tcase_create("v1 tree");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dirs);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_reread);
	tcase_add_test(tc, test_foreign);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(snapshot_suite());
}

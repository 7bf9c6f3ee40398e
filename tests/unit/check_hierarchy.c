/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apply/hierarchy: mountinfo parsing and the layout of a --cgroup-root tree. */
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
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "tests/lib/testutil.h"

static char tmpl[64];
static char mountinfo[96];
static struct cg_fs *fs;

static void
put_abs(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void
put(const char *rel, const char *text)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpl, rel);
	put_abs(path, text);
}

static void
mk(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpl, rel);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

/* Writes the mountinfo fixture with every "@" replaced by the temp root. */
static void
put_mountinfo(const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	for (p = text; *p; p++) {
		if (*p == '@')
			strbuf_adds(&sb, tmpl);
		else
			strbuf_addch(&sb, *p);
	}
	put_abs(mountinfo, sb.buf);
	strbuf_release(&sb);
}

static void
setup(void)
{
	struct cg_error *err = NULL;
	char *dir;

	strcpy(tmpl, "/tmp/check_hier.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	mk("root");
	snprintf(mountinfo, sizeof(mountinfo), "%s/mountinfo", tmpl);
	/* the cgroup root is tmpl/root; mountinfo lies beside it */
	dir = xasprintf("%s/root", tmpl);
	fs = cg_fs_open(dir, &err);
	ck_assert_ptr_nonnull(fs);
	free(dir);
	strcat(tmpl, "/root");
}

static void
teardown(void)
{
	char *slash = strrchr(tmpl, '/');

	cg_fs_free(fs);
	fs = NULL;
	*slash = '\0';
	tu_rm_rf(tmpl);
}

static struct cg_hosttree
discover_ok(const char *root)
{
	struct cg_hosttree t;
	struct cg_error *err = NULL;

	if (cg_hier_discover(fs, root, mountinfo, &t, &err) < 0)
		ck_abort_msg("discover: %s", err->msg);
	return t;
}

/* "memory=v1:memory" lines for every hierarchy, sorted by mount */
static char *
dump(const struct cg_hosttree *t)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, j;

	for (i = 0; i < t->n; i++) {
		const struct cg_hier *h = &t->hiers[i];

		strbuf_addf(&sb, "'%s'=v%d:", h->mount, (int)h->version);
		for (j = 0; j < h->ncontrollers; j++)
			strbuf_addf(&sb, "%s%s", j ? "," : "", h->controllers[j]);
		strbuf_addch(&sb, '\n');
	}
	return strbuf_detach(&sb);
}

static const char *
for_ctl(const struct cg_hosttree *t, const char *ctl)
{
	const struct cg_hier *h = cg_hier_for_controller(t, ctl);

	return h ? h->mount : "(none)";
}

/* this host: hybrid, one v1 hierarchy per controller, name=systemd, cgroup2 at unified */
static const char hybrid[] =
	"22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
	"31 23 0:28 / @ rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / @/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"33 31 0:30 / @/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
	"34 31 0:31 / @/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
	"35 31 0:32 / @/memory rw,relatime - cgroup cgroup rw,memory\n"
	"36 31 0:33 / @/devices rw,relatime - cgroup cgroup rw,devices\n"
	"37 31 0:34 / @/freezer rw,relatime - cgroup cgroup rw,freezer\n"
	"38 31 0:35 / @/blkio rw,relatime - cgroup cgroup rw,blkio\n"
	"39 31 0:36 / @/pids rw,relatime - cgroup cgroup rw,pids\n"
	"40 31 0:37 / @/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
	"41 31 0:38 / @/unified rw,relatime - cgroup2 cgroup2 rw\n"
	"50 1 0:40 / /elsewhere/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"51 1 0:41 / @x/memory rw,relatime - cgroup cgroup rw,memory\n";

START_TEST(test_hybrid)
{
	struct cg_hosttree t;
	char *d;

	mk("unified");
	put("unified/cgroup.controllers", "hugetlb\n");
	put_mountinfo(hybrid);
	t = discover_ok(tmpl);
	d = dump(&t);
	ck_assert_str_eq(d, "'blkio'=v1:blkio\n'cpu'=v1:cpu\n'cpuacct'=v1:cpuacct\n"
			    "'cpuset'=v1:cpuset\n'devices'=v1:devices\n'freezer'=v1:freezer\n"
			    "'memory'=v1:memory\n'pids'=v1:pids\n'unified'=v2:hugetlb\n");
	free(d);
	ck_assert_str_eq(for_ctl(&t, "cpu"), "cpu");
	ck_assert_str_eq(for_ctl(&t, "memory"), "memory");
	ck_assert_str_eq(for_ctl(&t, "hugetlb"), "unified");
	ck_assert_str_eq(for_ctl(&t, "cgroup"), "unified");
	ck_assert_str_eq(for_ctl(&t, "io"), "(none)");
	ck_assert_str_eq(for_ctl(&t, "rdma"), "(none)");
	ck_assert_str_eq(for_ctl(&t, "net_cls"), "(none)");
	ck_assert_str_eq(for_ctl(&t, "systemd"), "(none)");
	cg_hosttree_release(&t);

	/* the same with a trailing slash on the root */
	{
		char *r = xasprintf("%s/", tmpl);

		t = discover_ok(r);
		ck_assert_uint_eq(t.n, 9);
		free(r);
		cg_hosttree_release(&t);
	}
}
END_TEST

/* a distro with co-mounted controllers, an escaped mount point, optional fields */
static const char comounted[] =
	"25 20 0:22 / @ ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
	"26 25 0:23 / @/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
	"27 25 0:24 / @/systemd rw shared:11 - cgroup cgroup rw,xattr,name=systemd\n"
	"30 25 0:27 / @/cpu,cpuacct rw shared:14 master:3 - cgroup cgroup rw,cpu,cpuacct\n"
	"31 25 0:28 / @/net_cls,net_prio rw shared:15 - cgroup cgroup rw,net_cls,net_prio\n"
	"32 25 0:29 / @/cpuset rw shared:16 - cgroup cgroup rw,cpuset,noprefix\n"
	"33 25 0:30 / @/my\\040memory rw - cgroup cgroup rw,memory\n"
	"34 25 0:31 / @/perf_event rw - cgroup cgroup rw,perf_event\n"
	"35 25 0:31 / @/perf_event rw - cgroup cgroup rw,pids\n";

START_TEST(test_comounted)
{
	struct cg_hosttree t;
	char *d;

	/* no cgroup.controllers in unified: an empty list */
	mk("unified");
	put_mountinfo(comounted);
	t = discover_ok(tmpl);
	d = dump(&t);
	ck_assert_str_eq(d, "'cpu,cpuacct'=v1:cpu,cpuacct\n'cpuset'=v1:cpuset\n"
			    "'my memory'=v1:memory\n'net_cls,net_prio'=v1:net_cls,net_prio\n"
			    "'perf_event'=v1:pids\n'unified'=v2:\n");
	free(d);
	ck_assert_str_eq(for_ctl(&t, "cpu"), "cpu,cpuacct");
	ck_assert_str_eq(for_ctl(&t, "cpuacct"), "cpu,cpuacct");
	ck_assert_str_eq(for_ctl(&t, "net_prio"), "net_cls,net_prio");
	ck_assert_str_eq(for_ctl(&t, "memory"), "my memory");
	ck_assert_str_eq(for_ctl(&t, "perf_event"), "(none)");
	ck_assert_str_eq(for_ctl(&t, "cgroup"), "unified");
	ck_assert_str_eq(for_ctl(&t, "devices"), "(none)");
	cg_hosttree_release(&t);
}
END_TEST

static const char pure_v2[] = "20 1 0:19 / /proc rw - proc proc rw\n"
			      "30 25 0:26 / @ rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";

START_TEST(test_pure_v2_at_root)
{
	struct cg_hosttree t;
	char *d;

	put("cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
	put_mountinfo(pure_v2);
	t = discover_ok(tmpl);
	d = dump(&t);
	ck_assert_str_eq(d, "''=v2:cpuset,cpu,io,memory,hugetlb,pids,rdma,misc\n");
	free(d);
	ck_assert_ptr_eq(cg_hier_for_controller(&t, "memory"), &t.hiers[0]);
	ck_assert_ptr_eq(cg_hier_for_controller(&t, "cgroup"), &t.hiers[0]);
	ck_assert_ptr_eq(cg_hier_for_controller(&t, "io"), &t.hiers[0]);
	ck_assert_ptr_null(cg_hier_for_controller(&t, "devices"));
	ck_assert_ptr_null(cg_hier_for_controller(&t, "freezer"));
	ck_assert_ptr_null(cg_hier_for_controller(&t, "cpuacct"));
	cg_hosttree_release(&t);
}
END_TEST

START_TEST(test_v1_only_has_no_core_tree)
{
	struct cg_hosttree t;

	put_mountinfo("35 31 0:32 / @/memory rw - cgroup cgroup rw,memory\n");
	t = discover_ok(tmpl);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_ptr_null(cg_hier_for_controller(&t, "cgroup"));
	ck_assert_ptr_eq(cg_hier_for_controller(&t, "memory"), &t.hiers[0]);
	cg_hosttree_release(&t);
}
END_TEST

START_TEST(test_remount_last_wins)
{
	struct cg_hosttree t;
	char *d;

	put_mountinfo("35 31 0:32 / @/memory rw - cgroup cgroup rw,memory\n"
		      "36 35 0:33 / @/memory rw - cgroup cgroup rw,cpu\n");
	t = discover_ok(tmpl);
	d = dump(&t);
	ck_assert_str_eq(d, "'memory'=v1:cpu\n");
	free(d);
	cg_hosttree_release(&t);
}
END_TEST

START_TEST(test_infer_layout)
{
	struct cg_hosttree t;
	char *d;

	mk("memory");
	mk("memory/web");
	mk("cpu,cpuacct");
	mk("systemd");
	mk("foo");
	mk("cpu,nosuch");
	mk("unified");
	put("unified/cgroup.controllers", "hugetlb\n");
	put("notes", "not a directory\n");
	/* no cgroup mount under the root */
	put_abs(mountinfo, "22 1 0:21 / /sys rw - sysfs sysfs rw\n"
			   "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n");
	t = discover_ok(tmpl);
	d = dump(&t);
	ck_assert_str_eq(
		d, "'cpu,cpuacct'=v1:cpu,cpuacct\n'memory'=v1:memory\n'unified'=v2:hugetlb\n");
	free(d);
	ck_assert_str_eq(for_ctl(&t, "cpuacct"), "cpu,cpuacct");
	ck_assert_str_eq(for_ctl(&t, "cgroup"), "unified");
	cg_hosttree_release(&t);
}
END_TEST

START_TEST(test_infer_v2_root)
{
	struct cg_hosttree t;
	char *d;

	put("cgroup.controllers", "memory pids\n");
	/* a v2 group that happens to be named after a controller */
	mk("memory");
	put_mountinfo("22 1 0:21 / /sys rw - sysfs sysfs rw\n");
	t = discover_ok(tmpl);
	d = dump(&t);
	ck_assert_str_eq(d, "''=v2:memory,pids\n");
	free(d);
	cg_hosttree_release(&t);
}
END_TEST

START_TEST(test_nothing_found)
{
	struct cg_hosttree t;
	struct cg_error *err = NULL;

	mk("foo");
	put_mountinfo("22 1 0:21 / /sys rw - sysfs sysfs rw\n");
	ck_assert_int_eq(cg_hier_discover(fs, tmpl, mountinfo, &t, &err), -1);
	ck_assert_int_eq(err->kind, CG_E_PRECOND);
	ck_assert(strstr(err->msg, "no cgroup hierarchy found under '"));
	cg_error_free(err);
	err = NULL;

	ck_assert_int_eq(cg_hier_discover(fs, tmpl, "/nonexistent/mountinfo", &t, &err), -1);
	ck_assert_int_eq(err->errnum, ENOENT);
	ck_assert_str_eq(err->msg, "cannot read '/nonexistent/mountinfo'");
	cg_error_free(err);
}
END_TEST

START_TEST(test_malformed_lines_skipped)
{
	struct cg_hosttree t;
	char *d;

	put_mountinfo("garbage\n"
		      "\n"
		      "1 2 3 4 @/cpu 6 - cgroup\n"
		      "1 2 3 4 @/cpu 6 7 8 9 10 11\n"
		      "35 31 0:32 / @/memory rw - cgroup cgroup rw,memory");
	t = discover_ok(tmpl);
	d = dump(&t);
	ck_assert_str_eq(d, "'memory'=v1:memory\n");
	free(d);
	cg_hosttree_release(&t);
}
END_TEST

/* read-only: this host's own mounts */
START_TEST(test_this_host)
{
	struct cg_error *err = NULL;
	struct cg_fs *real = cg_fs_open("/sys/fs/cgroup", &err);
	struct cg_hosttree t;

	if (!real) {
		cg_error_free(err);
		return;
	}
	if (cg_hier_discover(real, "/sys/fs/cgroup", NULL, &t, &err) == 0) {
		ck_assert_uint_gt(t.n, 0);
		cg_hosttree_release(&t);
	} else {
		ck_assert_int_eq(err->kind, CG_E_PRECOND);
		cg_error_free(err);
	}
	cg_fs_free(real);
}
END_TEST

static Suite *
hierarchy_suite(void)
{
	Suite *s = suite_create("hierarchy");
	TCase *tc = tcase_create("mountinfo");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_hybrid);
	tcase_add_test(tc, test_comounted);
	tcase_add_test(tc, test_pure_v2_at_root);
	tcase_add_test(tc, test_v1_only_has_no_core_tree);
	tcase_add_test(tc, test_remount_last_wins);
	tcase_add_test(tc, test_malformed_lines_skipped);
	tcase_add_test(tc, test_this_host);
	suite_add_tcase(s, tc);
	tc = tcase_create("layout");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_infer_layout);
	tcase_add_test(tc, test_infer_v2_root);
	tcase_add_test(tc, test_nothing_found);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(hierarchy_suite());
}

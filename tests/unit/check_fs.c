/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apply/fs: the rooted, no-symlink door to the filesystem, on a temp tree. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/fs.h"
#include "lib/strbuf.h"
#include "tests/lib/testutil.h"

static char tmpl[64];
static struct cg_fs *fs;

static void
put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpl, rel);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static char *
get(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpl, rel);
	return tu_read_file(path, NULL);
}

static void
mk(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpl, rel);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

static void
setup(void)
{
	struct cg_error *err = NULL;

	strcpy(tmpl, "/tmp/check_fs.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	mk("memory");
	mk("memory/web");
	put("memory/web/memory.limit_in_bytes", "9223372036854771712\n");
	put("memory/web/tasks", "");
	mk("real");
	put("real/file", "secret\n");
	{
		char link[256], target[256];

		snprintf(link, sizeof(link), "%s/memory/link", tmpl);
		snprintf(target, sizeof(target), "%s/real", tmpl);
		ck_assert_int_eq(symlink(target, link), 0);
		snprintf(link, sizeof(link), "%s/memory/web/flink", tmpl);
		snprintf(target, sizeof(target), "%s/real/file", tmpl);
		ck_assert_int_eq(symlink(target, link), 0);
	}
	fs = cg_fs_open(tmpl, &err);
	ck_assert_ptr_nonnull(fs);
}

static void
teardown(void)
{
	cg_fs_free(fs);
	fs = NULL;
	tu_rm_rf(tmpl);
}

static void
expect_errno(int r, struct cg_error **errp, int errnum, const char *msg_part)
{
	struct cg_error *err = *errp;

	*errp = NULL;
	ck_assert_int_eq(r, -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->kind, CG_E_SYSTEM);
	ck_assert_msg(err->errnum == errnum, "errnum %d, expected %d (%s)", err->errnum, errnum,
		      err->msg);
	if (msg_part)
		ck_assert_msg(strstr(err->msg, msg_part), "'%s' lacks '%s'", err->msg, msg_part);
	cg_error_free(err);
}

START_TEST(test_open_missing_root)
{
	struct cg_error *err = NULL;

	ck_assert_ptr_null(cg_fs_open("/nonexistent/cgroup", &err));
	ck_assert_int_eq(err->errnum, ENOENT);
	ck_assert_str_eq(err->msg, "cannot open cgroup root '/nonexistent/cgroup'");
	cg_error_free(err);
	ck_assert_str_eq(cg_fs_root(fs), tmpl);
}
END_TEST

START_TEST(test_read_write)
{
	struct strbuf sb = STRBUF_INIT;
	struct cg_error *err = NULL;
	char *text;

	ck_assert_int_eq(cg_fs_read(fs, "memory/web/memory.limit_in_bytes", &sb, &err), 0);
	ck_assert_str_eq(sb.buf, "9223372036854771712\n");
	ck_assert_int_eq(cg_fs_write(fs, "memory/web/memory.limit_in_bytes", "1024", 4, &err), 0);
	/* no O_TRUNC: the kernel replaces a value, a plain file is overwritten in place */
	text = get("memory/web/memory.limit_in_bytes");
	ck_assert(strncmp(text, "1024", 4) == 0);
	free(text);
	ck_assert_int_eq(cg_fs_read(fs, "memory/web/tasks", &sb, &err), 0);
	ck_assert_str_eq(sb.buf, "");
	ck_assert_uint_eq(sb.len, 0);
	ck_assert_uint_eq(cg_fs_counters(fs)->reads, 2);
	ck_assert_uint_eq(cg_fs_counters(fs)->writes, 1);

	expect_errno(cg_fs_read(fs, "memory/web/nosuch", &sb, &err), &err, ENOENT, NULL);
	/* no O_CREAT */
	expect_errno(cg_fs_write(fs, "memory/web/nosuch", "1", 1, &err), &err, ENOENT,
		     "cannot write '");
	expect_errno(cg_fs_read(fs, "memory/web", &sb, &err), &err, EISDIR, NULL);
	ck_assert_uint_eq(cg_fs_counters(fs)->reads, 2);
	ck_assert_uint_eq(cg_fs_counters(fs)->writes, 1);
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_big_read)
{
	struct strbuf sb = STRBUF_INIT, big = STRBUF_INIT;
	struct cg_error *err = NULL;
	size_t i;

	for (i = 0; i < 5000; i++)
		strbuf_addf(&big, "line %zu\n", i);
	put("memory/web/memory.stat", big.buf);
	ck_assert_int_eq(cg_fs_read(fs, "memory/web/memory.stat", &sb, &err), 0);
	ck_assert_uint_eq(sb.len, big.len);
	ck_assert_str_eq(sb.buf, big.buf);
	strbuf_release(&sb);
	strbuf_release(&big);
}
END_TEST

START_TEST(test_mkdir_rmdir)
{
	struct cg_error *err = NULL;
	struct stat st;

	ck_assert_int_eq(cg_fs_mkdir(fs, "memory/web/batch", 0750, &err), 0);
	ck_assert_int_eq(cg_fs_stat(fs, "memory/web/batch", &st, &err), 0);
	ck_assert(S_ISDIR(st.st_mode));
	expect_errno(cg_fs_mkdir(fs, "memory/web/batch", 0755, &err), &err, EEXIST,
		     "cannot create directory '");
	expect_errno(cg_fs_mkdir(fs, "memory/none/batch", 0755, &err), &err, ENOENT, NULL);
	ck_assert_int_eq(cg_fs_rmdir(fs, "memory/web/batch", &err), 0);
	expect_errno(cg_fs_stat(fs, "memory/web/batch", &st, &err), &err, ENOENT, "cannot stat '");
	expect_errno(cg_fs_rmdir(fs, "memory/web", &err), &err, ENOTEMPTY,
		     "cannot remove directory '");
	ck_assert_uint_eq(cg_fs_counters(fs)->mkdirs, 1);
	ck_assert_uint_eq(cg_fs_counters(fs)->rmdirs, 1);
}
END_TEST

/* A directory removed and made again is reached anew, not through a handle kept from before. */
START_TEST(test_dir_made_again)
{
	struct cg_error *err = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	char path[256];

	/* "top" at the root: its removal walks to the root, not to a directory of its own */
	ck_assert_int_eq(cg_fs_mkdir(fs, "top", 0755, &err), 0);
	ck_assert_int_eq(cg_fs_mkdir(fs, "top/a", 0755, &err), 0);
	ck_assert_int_eq(cg_fs_mkdir(fs, "top/a/x", 0755, &err), 0);
	ck_assert_int_eq(cg_fs_rmdir(fs, "top/a/x", &err), 0);
	ck_assert_int_eq(cg_fs_rmdir(fs, "top/a", &err), 0);
	ck_assert_int_eq(cg_fs_rmdir(fs, "top", &err), 0);
	ck_assert_int_eq(cg_fs_mkdir(fs, "top", 0755, &err), 0);
	ck_assert_int_eq(cg_fs_mkdir(fs, "top/b", 0755, &err), 0);
	snprintf(path, sizeof(path), "%s/top/b", tmpl);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(cg_fs_rmdir(fs, "top/b", &err), 0);
	ck_assert_int_eq(cg_fs_rmdir(fs, "top", &err), 0);
	/* the same done behind our back (another program): the kept handle is not used */
	ck_assert_int_eq(cg_fs_mkdir(fs, "top", 0755, &err), 0);
	ck_assert_int_eq(cg_fs_mkdir(fs, "top/c", 0755, &err), 0);
	ck_assert_int_eq(cg_fs_mkdir(fs, "top/c/d", 0755, &err), 0);
	snprintf(path, sizeof(path), "%s/top/c/d", tmpl);
	ck_assert_int_eq(rmdir(path), 0);
	snprintf(path, sizeof(path), "%s/top/c", tmpl);
	ck_assert_int_eq(rmdir(path), 0);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(cg_fs_mkdir(fs, "top/c/e", 0755, &err), 0);
	snprintf(path, sizeof(path), "%s/top/c/e", tmpl);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(cg_fs_rmdir(fs, "top/c/e", &err), 0);
	ck_assert_int_eq(cg_fs_rmdir(fs, "top/c", &err), 0);
	ck_assert_int_eq(cg_fs_rmdir(fs, "top", &err), 0);
	/* files of one directory in a row, then of another, then of the first again */
	put("memory/web/f1", "1");
	put("memory/f2", "2");
	ck_assert_int_eq(cg_fs_read(fs, "memory/web/f1", &sb, &err), 0);
	ck_assert_str_eq(sb.buf, "1");
	ck_assert_int_eq(cg_fs_read(fs, "memory/f2", &sb, &err), 0);
	ck_assert_str_eq(sb.buf, "2");
	ck_assert_int_eq(cg_fs_write(fs, "memory/web/f1", "3", 1, &err), 0);
	ck_assert_int_eq(cg_fs_read(fs, "memory/web/f1", &sb, &err), 0);
	ck_assert_str_eq(sb.buf, "3");
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_chown_chmod)
{
	struct cg_error *err = NULL;
	struct stat st;

	ck_assert_int_eq(cg_fs_chmod(fs, "memory/web/tasks", 0640, &err), 0);
	ck_assert_int_eq(cg_fs_stat(fs, "memory/web/tasks", &st, &err), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	ck_assert_int_eq(cg_fs_chmod(fs, "memory/web", 02775, &err), 0);
	ck_assert_int_eq(cg_fs_stat(fs, "memory/web", &st, &err), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 02775);
	ck_assert_int_eq(cg_fs_chown(fs, "memory/web/tasks", getuid(), getgid(), &err), 0);
	ck_assert_int_eq(cg_fs_chown(fs, "memory/web", getuid(), getgid(), &err), 0);
	ck_assert_uint_eq(cg_fs_counters(fs)->chmods, 2);
	ck_assert_uint_eq(cg_fs_counters(fs)->chowns, 2);
	expect_errno(cg_fs_chmod(fs, "memory/web/nosuch", 0644, &err), &err, ENOENT,
		     "cannot change the mode of '");
	expect_errno(cg_fs_chown(fs, "memory/web/nosuch", 0, 0, &err), &err, ENOENT,
		     "cannot change the owner of '");
}
END_TEST

START_TEST(test_stat_root_and_list)
{
	struct cg_error *err = NULL;
	struct stat st;
	char **names = NULL;
	size_t n = 0, i;

	ck_assert_int_eq(cg_fs_stat(fs, "", &st, &err), 0);
	ck_assert(S_ISDIR(st.st_mode));
	/* lstat: the link itself */
	ck_assert_int_eq(cg_fs_stat(fs, "memory/link", &st, &err), 0);
	ck_assert(S_ISLNK(st.st_mode));

	ck_assert_int_eq(cg_fs_list(fs, "", false, &names, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(names[0], "memory");
	ck_assert_str_eq(names[1], "real");
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);

	mk("memory/web/b");
	mk("memory/web/a");
	ck_assert_int_eq(cg_fs_list(fs, "memory/web", false, &names, &n, &err), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_str_eq(names[0], "a");
	ck_assert_str_eq(names[1], "b");
	ck_assert_str_eq(names[2], "flink");
	ck_assert_str_eq(names[3], "memory.limit_in_bytes");
	ck_assert_str_eq(names[4], "tasks");
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	/* directories only: not the symlink to a directory */
	ck_assert_int_eq(cg_fs_list(fs, "memory", true, &names, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(names[0], "web");
	free(names[0]);
	free(names);

	expect_errno(cg_fs_list(fs, "memory/nosuch", false, &names, &n, &err), &err, ENOENT,
		     "cannot list directory '");
	/* counted: neither stat nor list */
	ck_assert_uint_eq(cg_fs_counters(fs)->reads, 0);
}
END_TEST

START_TEST(test_symlinks_refused)
{
	struct strbuf sb = STRBUF_INIT;
	struct cg_error *err = NULL;
	struct stat st;
	char **names = NULL;
	size_t n = 0;
	char *text;
	int r;

	/* an intermediate symlink: O_PATH|O_NOFOLLOW|O_DIRECTORY gives ENOTDIR */
	r = cg_fs_read(fs, "memory/link/file", &sb, &err);
	ck_assert_int_eq(r, -1);
	ck_assert_msg(err->errnum == ENOTDIR || err->errnum == ELOOP, "%s", err->msg);
	cg_error_free(err);
	err = NULL;
	r = cg_fs_write(fs, "memory/link/file", "x", 1, &err);
	ck_assert_int_eq(r, -1);
	ck_assert_msg(err->errnum == ENOTDIR || err->errnum == ELOOP, "%s", err->msg);
	cg_error_free(err);
	err = NULL;
	r = cg_fs_mkdir(fs, "memory/link/x", 0755, &err);
	ck_assert_int_eq(r, -1);
	cg_error_free(err);
	err = NULL;
	r = cg_fs_stat(fs, "memory/link/file", &st, &err);
	ck_assert_int_eq(r, -1);
	cg_error_free(err);
	err = NULL;
	r = cg_fs_list(fs, "memory/link", false, &names, &n, &err);
	ck_assert_int_eq(r, -1);
	cg_error_free(err);
	err = NULL;

	/* a symlink as the last component */
	expect_errno(cg_fs_read(fs, "memory/web/flink", &sb, &err), &err, ELOOP, NULL);
	expect_errno(cg_fs_write(fs, "memory/web/flink", "x", 1, &err), &err, ELOOP, NULL);
	expect_errno(cg_fs_chmod(fs, "memory/web/flink", 0666, &err), &err, ELOOP, NULL);
	expect_errno(cg_fs_chown(fs, "memory/web/flink", getuid(), getgid(), &err), &err, ELOOP,
		     NULL);
	expect_errno(cg_fs_chmod(fs, "memory/link", 0777, &err), &err, ELOOP, NULL);
	r = cg_fs_rmdir(fs, "memory/link", &err);
	ck_assert_int_eq(r, -1);
	cg_error_free(err);
	err = NULL;

	text = get("real/file");
	ck_assert_str_eq(text, "secret\n");
	free(text);
	ck_assert_int_eq(stat(tmpl, &st), 0);
	strbuf_release(&sb);
}
END_TEST

static const char *const bad_paths[] = {
	"/memory/web/tasks", "memory//web", "memory/web/", "./memory", "memory/./web",
	"memory/../real",    "..",	    ".",	   "",
};

START_TEST(test_bad_paths)
{
	struct strbuf sb = STRBUF_INIT;
	struct cg_error *err = NULL;
	const char *p = bad_paths[_i];

	expect_errno(cg_fs_read(fs, p, &sb, &err), &err, EINVAL, NULL);
	expect_errno(cg_fs_write(fs, p, "1", 1, &err), &err, EINVAL, NULL);
	expect_errno(cg_fs_mkdir(fs, p, 0755, &err), &err, EINVAL, NULL);
	expect_errno(cg_fs_rmdir(fs, p, &err), &err, EINVAL, NULL);
	expect_errno(cg_fs_chmod(fs, p, 0755, &err), &err, EINVAL, NULL);
	expect_errno(cg_fs_chown(fs, p, 0, 0, &err), &err, EINVAL, NULL);
	if (*p) {
		struct stat st;
		char **names;
		size_t n;

		expect_errno(cg_fs_stat(fs, p, &st, &err), &err, EINVAL, NULL);
		expect_errno(cg_fs_list(fs, p, false, &names, &n, &err), &err, EINVAL, NULL);
	}
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_fail_after)
{
	struct cg_error *err = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	char *text;

	cg_fs_fail_after(fs, 3, EBUSY);
	ck_assert_int_eq(cg_fs_mkdir(fs, "memory/web/a", 0755, &err), 0);
	/* reads and stats are not mutating calls */
	ck_assert_int_eq(cg_fs_read(fs, "memory/web/memory.limit_in_bytes", &sb, &err), 0);
	ck_assert_int_eq(cg_fs_stat(fs, "memory/web/a", &st, &err), 0);
	ck_assert_int_eq(cg_fs_chmod(fs, "memory/web/a", 0700, &err), 0);
	expect_errno(cg_fs_write(fs, "memory/web/memory.limit_in_bytes", "4096", 4, &err), &err,
		     EBUSY, "cannot write '");
	/* nothing was done */
	text = get("memory/web/memory.limit_in_bytes");
	ck_assert_str_eq(text, "9223372036854771712\n");
	free(text);
	ck_assert_uint_eq(cg_fs_counters(fs)->writes, 0);
	/* once only */
	ck_assert_int_eq(cg_fs_write(fs, "memory/web/memory.limit_in_bytes", "4096", 4, &err), 0);
	ck_assert_uint_eq(cg_fs_counters(fs)->writes, 1);

	/* the first call; a failing mkdir creates nothing */
	cg_fs_fail_after(fs, 1, ENOSPC);
	expect_errno(cg_fs_mkdir(fs, "memory/web/b", 0755, &err), &err, ENOSPC, NULL);
	expect_errno(cg_fs_stat(fs, "memory/web/b", &st, &err), &err, ENOENT, NULL);
	cg_fs_fail_after(fs, 1, EPERM);
	expect_errno(cg_fs_rmdir(fs, "memory/web/a", &err), &err, EPERM, NULL);
	ck_assert_int_eq(cg_fs_stat(fs, "memory/web/a", &st, &err), 0);
	cg_fs_fail_after(fs, 1, EPERM);
	expect_errno(cg_fs_chown(fs, "memory/web/a", getuid(), getgid(), &err), &err, EPERM, NULL);
	/* disabled */
	cg_fs_fail_after(fs, 2, EPERM);
	cg_fs_fail_after(fs, 0, 0);
	ck_assert_int_eq(cg_fs_rmdir(fs, "memory/web/a", &err), 0);
	ck_assert_int_eq(cg_fs_mkdir(fs, "memory/web/a", 0755, &err), 0);
	ck_assert_uint_eq(cg_fs_counters(fs)->mkdirs, 2);
	ck_assert_uint_eq(cg_fs_counters(fs)->rmdirs, 1);
	ck_assert_uint_eq(cg_fs_counters(fs)->chmods, 1);
	ck_assert_uint_eq(cg_fs_counters(fs)->chowns, 0);
	strbuf_release(&sb);
}
END_TEST

static Suite *
fs_suite(void)
{
	Suite *s = suite_create("fs");
	TCase *tc = tcase_create("ops");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_missing_root);
	tcase_add_test(tc, test_read_write);
	tcase_add_test(tc, test_big_read);
	tcase_add_test(tc, test_mkdir_rmdir);
	tcase_add_test(tc, test_dir_made_again);
	tcase_add_test(tc, test_chown_chmod);
	tcase_add_test(tc, test_stat_root_and_list);
	suite_add_tcase(s, tc);
	tc = tcase_create("safety");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_symlinks_refused);
	tcase_add_loop_test(tc, test_bad_paths, 0, sizeof(bad_paths) / sizeof(bad_paths[0]));
	tcase_add_test(tc, test_fail_after);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(fs_suite());
}

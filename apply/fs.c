/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "apply/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

/*
 * Every operation walks its path from the root handle one component at a time with
 * O_PATH|O_NOFOLLOW|O_DIRECTORY, so that neither a symlink nor a rename racing with
 * us can lead a write out of the tree. The last component is opened with O_NOFOLLOW
 * too (chown and chmod go through an O_PATH handle of it, refusing a symlink).
 */

struct cg_fs {
	int rootfd;
	char *root;
	struct cg_fs_counters counters;
	size_t fail_countdown; /* 0: off; else the mutating call that fails, counting down */
	int fail_errnum;
	cg_fs_hook_fn hook; /* tests only */
	void *hook_data;
};

enum op {
	OP_READ,
	OP_WRITE,
	OP_MKDIR,
	OP_RMDIR,
	OP_CHOWN,
	OP_CHMOD,
	OP_STAT,
	OP_LIST,
	OP_XATTR,
};

static const char *const op_text[] = {
	[OP_READ] = "cannot read '%s'",
	[OP_WRITE] = "cannot write '%s'",
	[OP_MKDIR] = "cannot create directory '%s'",
	[OP_RMDIR] = "cannot remove directory '%s'",
	[OP_CHOWN] = "cannot change the owner of '%s'",
	[OP_CHMOD] = "cannot change the mode of '%s'",
	[OP_STAT] = "cannot stat '%s'",
	[OP_LIST] = "cannot list directory '%s'",
	[OP_XATTR] = "cannot read the extended attributes of '%s'",
};

struct cg_fs *
cg_fs_open(const char *root, struct cg_error **err)
{
	struct cg_fs *fs;
	int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		cg_error_set(err, CG_E_SYSTEM, errno, "cannot open cgroup root '%s'", root);
		return NULL;
	}
	fs = xcalloc(1, sizeof(*fs));
	fs->rootfd = fd;
	fs->root = xstrdup(root);
	return fs;
}

void
cg_fs_free(struct cg_fs *fs)
{
	if (!fs)
		return;
	close(fs->rootfd);
	free(fs->root);
	free(fs);
}

void
cg_fs_freep(struct cg_fs **fs)
{
	cg_fs_free(*fs);
}

const char *
cg_fs_root(const struct cg_fs *fs)
{
	return fs->root;
}

const struct cg_fs_counters *
cg_fs_counters(const struct cg_fs *fs)
{
	return &fs->counters;
}

void
cg_fs_fail_after(struct cg_fs *fs, size_t n, int errnum)
{
	fs->fail_countdown = n;
	fs->fail_errnum = errnum;
}

void
cg_fs_set_hook(struct cg_fs *fs, cg_fs_hook_fn fn, void *data)
{
	fs->hook = fn;
	fs->hook_data = data;
}

/* The root and path joined, for messages. */
static char *
full_path(const struct cg_fs *fs, const char *path)
{
	size_t n = strlen(fs->root);

	if (!*path)
		return xstrdup(fs->root);
	if (n > 0 && fs->root[n - 1] == '/')
		return xasprintf("%s%s", fs->root, path);
	return xasprintf("%s/%s", fs->root, path);
}

static int
fail(struct cg_fs *fs, enum op op, const char *path, int errnum, struct cg_error **err)
{
	CG_AUTOFREE char *full = full_path(fs, path);

	return cg_error_set(err, CG_E_SYSTEM, errnum, op_text[op], full);
}

/* The injected failure, when this mutating call is the chosen one. */
static bool
injected(struct cg_fs *fs, enum op op, const char *path, struct cg_error **err)
{
	if (fs->fail_countdown == 0)
		return false;
	if (--fs->fail_countdown > 0)
		return false;
	fail(fs, op, path, fs->fail_errnum, err);
	return true;
}

/* Relative, no empty, "." or ".." components; "" only when allowed (the root itself). */
static bool
valid_path(const char *path, bool root_ok)
{
	const char *p = path;

	if (!*path)
		return root_ok;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (!slash)
			return true;
		p = slash + 1;
	}
}

/*
 * Opens the directory holding the last component of `path` (O_PATH) into *dfd (which
 * the caller closes when it is not the root fd) and points *last at that component.
 */
static int
walk(struct cg_fs *fs, enum op op, const char *path, int *dfd, const char **last,
     struct cg_error **err)
{
	const char *p = path;
	int fd = fs->rootfd;

	for (;;) {
		const char *slash = strchr(p, '/');
		CG_AUTOFREE char *comp = NULL;
		int nfd;

		if (!slash)
			break;
		comp = xstrndup(p, (size_t)(slash - p));
		nfd = openat(fd, comp, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
		if (nfd < 0) {
			int e = errno;

			if (fd != fs->rootfd)
				close(fd);
			return fail(fs, op, path, e, err);
		}
		if (fd != fs->rootfd)
			close(fd);
		fd = nfd;
		p = slash + 1;
	}
	*dfd = fd;
	*last = p;
	return 0;
}

static void
put_dir(struct cg_fs *fs, int fd)
{
	if (fd >= 0 && fd != fs->rootfd)
		close(fd);
}

/* Checks the path and walks to its directory; "" (root_ok) gives the root and ".". */
static int
begin(struct cg_fs *fs, enum op op, const char *path, bool root_ok, int *dfd, const char **last,
      struct cg_error **err)
{
	if (!valid_path(path, root_ok))
		return fail(fs, op, path, EINVAL, err);
	if (!*path) {
		*dfd = fs->rootfd;
		*last = ".";
		return 0;
	}
	return walk(fs, op, path, dfd, last, err);
}

int
cg_fs_read(struct cg_fs *fs, const char *path, struct strbuf *out, struct cg_error **err)
{
	CG_AUTOCLOSE int fd = -1;
	struct strbuf sb = STRBUF_INIT;
	const char *last;
	struct stat st;
	int dfd;

	if (fs->hook) {
		int h = fs->hook(fs->hook_data, path, NULL, 0);

		if (h < 0)
			return fail(fs, OP_READ, path, -h, err);
	}
	if (begin(fs, OP_READ, path, false, &dfd, &last, err) < 0)
		return -1;
	fd = openat(dfd, last, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	put_dir(fs, dfd);
	if (fd < 0)
		return fail(fs, OP_READ, path, errno, err);
	if (fstat(fd, &st) < 0)
		return fail(fs, OP_READ, path, errno, err);
	if (!S_ISREG(st.st_mode))
		return fail(fs, OP_READ, path, S_ISDIR(st.st_mode) ? EISDIR : EINVAL, err);
	for (;;) {
		ssize_t n;

		strbuf_grow(&sb, 4096);
		n = read(fd, sb.buf + sb.len, sb.alloc - sb.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			strbuf_release(&sb);
			return fail(fs, OP_READ, path, e, err);
		}
		if (n == 0)
			break;
		sb.len += (size_t)n;
	}
	sb.buf[sb.len] = '\0';
	strbuf_release(out);
	*out = sb;
	fs->counters.reads++;
	return 0;
}

int
cg_fs_write(struct cg_fs *fs, const char *path, const char *data, size_t len, struct cg_error **err)
{
	CG_AUTOCLOSE int fd = -1;
	const char *last;
	ssize_t n;
	int dfd;

	if (injected(fs, OP_WRITE, path, err))
		return -1;
	if (fs->hook) {
		int h = fs->hook(fs->hook_data, path, data, len);

		if (h < 0)
			return fail(fs, OP_WRITE, path, -h, err);
		if (h > 0) {
			fs->counters.writes++;
			return 0;
		}
	}
	if (begin(fs, OP_WRITE, path, false, &dfd, &last, err) < 0)
		return -1;
	/* O_TRUNC is a no-op on cgroupfs (as for a shell's `echo v > file`) and keeps test trees
	 * exact */
	fd = openat(dfd, last, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	put_dir(fs, dfd);
	if (fd < 0)
		return fail(fs, OP_WRITE, path, errno, err);
	do
		n = write(fd, data, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return fail(fs, OP_WRITE, path, errno, err);
	if ((size_t)n != len)
		return fail(fs, OP_WRITE, path, EIO, err);
	fs->counters.writes++;
	return 0;
}

int
cg_fs_mkdir(struct cg_fs *fs, const char *path, mode_t mode, struct cg_error **err)
{
	const char *last;
	int dfd, r;

	if (injected(fs, OP_MKDIR, path, err))
		return -1;
	if (begin(fs, OP_MKDIR, path, false, &dfd, &last, err) < 0)
		return -1;
	r = mkdirat(dfd, last, mode);
	if (r < 0) {
		int e = errno;

		put_dir(fs, dfd);
		return fail(fs, OP_MKDIR, path, e, err);
	}
	put_dir(fs, dfd);
	fs->counters.mkdirs++;
	return 0;
}

int
cg_fs_rmdir(struct cg_fs *fs, const char *path, struct cg_error **err)
{
	const char *last;
	int dfd, r;

	if (injected(fs, OP_RMDIR, path, err))
		return -1;
	if (begin(fs, OP_RMDIR, path, false, &dfd, &last, err) < 0)
		return -1;
	r = unlinkat(dfd, last, AT_REMOVEDIR);
	if (r < 0) {
		int e = errno;

		put_dir(fs, dfd);
		return fail(fs, OP_RMDIR, path, e, err);
	}
	put_dir(fs, dfd);
	fs->counters.rmdirs++;
	return 0;
}

/* An O_PATH handle of the path itself, refusing a symlink (ELOOP). */
static int
open_target(struct cg_fs *fs, enum op op, const char *path, struct cg_error **err)
{
	const char *last;
	struct stat st;
	int dfd, fd;

	if (begin(fs, op, path, false, &dfd, &last, err) < 0)
		return -1;
	fd = openat(dfd, last, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		put_dir(fs, dfd);
		return fail(fs, op, path, e, err);
	}
	put_dir(fs, dfd);
	if (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode)) {
		int e = S_ISLNK(st.st_mode) ? ELOOP : errno;

		close(fd);
		return fail(fs, op, path, e, err);
	}
	return fd;
}

int
cg_fs_chown(struct cg_fs *fs, const char *path, uid_t uid, gid_t gid, struct cg_error **err)
{
	CG_AUTOCLOSE int fd = -1;

	if (injected(fs, OP_CHOWN, path, err))
		return -1;
	fd = open_target(fs, OP_CHOWN, path, err);
	if (fd < 0)
		return -1;
	if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0)
		return fail(fs, OP_CHOWN, path, errno, err);
	fs->counters.chowns++;
	return 0;
}

int
cg_fs_chmod(struct cg_fs *fs, const char *path, mode_t mode, struct cg_error **err)
{
	CG_AUTOCLOSE int fd = -1;
	CG_AUTOFREE char *proc = NULL;

	if (injected(fs, OP_CHMOD, path, err))
		return -1;
	fd = open_target(fs, OP_CHMOD, path, err);
	if (fd < 0)
		return -1;
	/*
	 * fchmod() refuses O_PATH handles and fchmodat() cannot take AT_EMPTY_PATH before
	 * fchmodat2; an O_RDONLY open is refused by kernfs for write-only control files.
	 * The handle's /proc link names exactly the file we opened.
	 */
	proc = xasprintf("/proc/self/fd/%d", fd);
	if (chmod(proc, mode & 07777) < 0)
		return fail(fs, OP_CHMOD, path, errno, err);
	fs->counters.chmods++;
	return 0;
}

int
cg_fs_stat(struct cg_fs *fs, const char *path, struct stat *st, struct cg_error **err)
{
	const char *last;
	int dfd, r;

	if (begin(fs, OP_STAT, path, true, &dfd, &last, err) < 0)
		return -1;
	if (!*path)
		r = fstat(dfd, st);
	else
		r = fstatat(dfd, last, st, AT_SYMLINK_NOFOLLOW);
	if (r < 0) {
		int e = errno;

		put_dir(fs, dfd);
		return fail(fs, OP_STAT, path, e, err);
	}
	put_dir(fs, dfd);
	return 0;
}

int
cg_fs_getxattr(struct cg_fs *fs, const char *path, const char *name, struct strbuf *out,
	       struct cg_error **err)
{
	CG_AUTOCLOSE int fd = -1;
	CG_AUTOFREE char *proc = NULL;
	ssize_t n;

	fd = open_target(fs, OP_XATTR, path, err);
	if (fd < 0)
		return -1;
	/* fgetxattr() refuses O_PATH handles; the /proc link names exactly this inode */
	proc = xasprintf("/proc/self/fd/%d", fd);
	n = getxattr(proc, name, NULL, 0);
	if (n < 0)
		return fail(fs, OP_XATTR, path, errno, err);
	strbuf_reset(out);
	strbuf_grow(out, (size_t)n + 1);
	n = getxattr(proc, name, out->buf, (size_t)n);
	if (n < 0)
		return fail(fs, OP_XATTR, path, errno, err);
	out->len = (size_t)n;
	out->buf[n] = '\0';
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
cg_fs_list(struct cg_fs *fs, const char *path, bool dirs_only, char ***names, size_t *n,
	   struct cg_error **err)
{
	const char *last;
	char **v = NULL;
	size_t count = 0, alloc = 0;
	struct dirent *de;
	DIR *dir;
	int dfd, fd;

	if (begin(fs, OP_LIST, path, true, &dfd, &last, err) < 0)
		return -1;
	fd = openat(dfd, last, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		put_dir(fs, dfd);
		return fail(fs, OP_LIST, path, e, err);
	}
	put_dir(fs, dfd);
	dir = fdopendir(fd);
	if (!dir) {
		int e = errno;

		close(fd);
		return fail(fs, OP_LIST, path, e, err);
	}
	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de) {
			if (errno) {
				int e = errno;

				closedir(dir);
				free_names(v, count);
				return fail(fs, OP_LIST, path, e, err);
			}
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (dirs_only) {
			bool is_dir = de->d_type == DT_DIR;

			if (de->d_type == DT_UNKNOWN) {
				struct stat st;

				is_dir = fstatat(dirfd(dir), de->d_name, &st,
						 AT_SYMLINK_NOFOLLOW) == 0 &&
					 S_ISDIR(st.st_mode);
			}
			if (!is_dir)
				continue;
		}
		v = xgrow(v, sizeof(*v), count + 1, &alloc);
		v[count++] = xstrdup(de->d_name);
	}
	closedir(dir);
	if (count > 1)
		qsort(v, count, sizeof(*v), name_cmp);
	*names = v;
	*n = count;
	return 0;
}

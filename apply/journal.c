/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "apply/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apply/hierarchy.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

/*
 * Files of the state directory:
 *
 *   lock        "PID COMMAND\n" of the holder, rewritten by each holder; flock(2)ed
 *   journal     "cgapply journal 1\n", the state to restore (apply/state text form,
 *               ending with "end\n"), then records:
 *                 step N OP "DIR" "FILE" old "OLD" new "NEW" [owner U:G] [mode 0755]\n
 *                 done N\n
 *               (strings as JSON literals; FILE null when none; a step record is
 *               fdatasync'd before the step runs, a done record is not synced)
 *   last-apply  "cgapply last-apply 1\n", "before\n", a state, "after\n", a state
 *
 * The journal appears complete or not at all: it is written to journal.tmp, synced and
 * then linked to its name (link(2) refuses an existing journal), and the directory is
 * synced. last-apply is replaced by rename(2) from last-apply.tmp.
 */

#define LOCK_NAME     "lock"
#define JOURNAL_NAME  "journal"
#define LAST_NAME     "last-apply"
#define JOURNAL_MAGIC "cgapply journal 1\n"
/* right after the state: the journal is a rollback's (of the apply in last-apply) */
#define ROLLBACK_MARK "of rollback\n"
#define LAST_MAGIC    "cgapply last-apply 1\n"
#define LOCK_POLL_MS  50

struct cg_lock {
	int fd;
	char *path;
};

struct cg_journal {
	char *dir;
	char *path;
	int fd;
	bool no_last;
	struct cg_state before;
};

static char *
state_path(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* Creates `dir` (mode 0700) and its missing parents (0755), like mkdir -p. */
static int
ensure_dir(const char *dir, struct cg_error **err)
{
	CG_AUTOFREE char *p = xstrdup(dir);
	struct stat st;
	char *s;

	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return cg_error_set(err, CG_E_SYSTEM, ENOTDIR,
					    "cannot use state directory '%s'", dir);
		return 0;
	}
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return cg_error_set(err, CG_E_SYSTEM, errno,
					    "cannot create state directory '%s'", p);
		*s = '/';
	}
	if (mkdir(p, 0700) < 0 && errno != EEXIST)
		return cg_error_set(err, CG_E_SYSTEM, errno, "cannot create state directory '%s'",
				    dir);
	return 0;
}

static int
sync_dir(const char *dir, struct cg_error **err)
{
	CG_AUTOCLOSE int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) < 0)
		return cg_error_set(err, CG_E_SYSTEM, errno, "cannot sync state directory '%s'",
				    dir);
	return 0;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads a whole file; ENOENT is reported as such so that callers can tell "none". */
static int
read_all(const char *path, struct strbuf *out, struct cg_error **err)
{
	CG_AUTOCLOSE int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char buf[8192];
	ssize_t n;

	if (fd < 0)
		return cg_error_set(err, errno == ENOENT ? CG_E_PRECOND : CG_E_SYSTEM, errno,
				    "cannot read '%s'", path);
	strbuf_reset(out);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return cg_error_set(err, CG_E_SYSTEM, errno, "cannot read '%s'", path);
		}
		strbuf_add(out, buf, (size_t)n);
	}
	return 0;
}

/* Writes `data` to dir/name.tmp and syncs it; returns the fd (kept open) or -1. */
static int
write_tmp(const char *dir, const char *name, const struct strbuf *data, char **tmp_out,
	  struct cg_error **err)
{
	char *tmp = xasprintf("%s/%s.tmp", dir, name);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0) {
		cg_error_set(err, CG_E_SYSTEM, errno, "cannot create '%s'", tmp);
		free(tmp);
		return -1;
	}
	if (write_all(fd, data->buf, data->len) < 0 || fsync(fd) < 0) {
		cg_error_set(err, CG_E_SYSTEM, errno, "cannot write '%s'", tmp);
		close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	*tmp_out = tmp;
	return fd;
}

static int
remove_file(const char *dir, const char *name, struct cg_error **err)
{
	CG_AUTOFREE char *path = state_path(dir, name);

	if (unlink(path) < 0) {
		if (errno == ENOENT)
			return 0;
		return cg_error_set(err, CG_E_SYSTEM, errno, "cannot remove '%s'", path);
	}
	return sync_dir(dir, err);
}

int
cg_statedir_write(const char *state_dir, const char *name, const struct strbuf *data,
		  struct cg_error **err)
{
	CG_AUTOFREE char *tmp = NULL;
	CG_AUTOFREE char *path = state_path(state_dir, name);
	int fd;

	if (ensure_dir(state_dir, err) < 0)
		return -1;
	fd = write_tmp(state_dir, name, data, &tmp, err);
	if (fd < 0)
		return -1;
	close(fd);
	if (rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return cg_error_set(err, CG_E_SYSTEM, e, "cannot replace '%s'", path);
	}
	return sync_dir(state_dir, err);
}

int
cg_statedir_read(const char *state_dir, const char *name, struct strbuf *out, bool *found,
		 struct cg_error **err)
{
	CG_AUTOFREE char *path = state_path(state_dir, name);
	struct cg_error *e = NULL;

	if (read_all(path, out, &e) < 0) {
		if (e->errnum == ENOENT) {
			cg_error_free(e);
			strbuf_reset(out);
			*found = false;
			return 0;
		}
		*err = e;
		return -1;
	}
	*found = true;
	return 0;
}

/* ---- lock ---- */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The holder's "PID COMMAND" line, without its newline; NULL when it is empty. */
static char *
read_holder(int fd)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[512];
	ssize_t n;
	off_t off = 0;

	while ((n = pread(fd, buf, sizeof(buf), off)) > 0 && sb.len < 4096) {
		strbuf_add(&sb, buf, (size_t)n);
		off += n;
	}
	while (sb.len && (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == ' '))
		sb.buf[--sb.len] = '\0';
	if (!sb.len) {
		strbuf_release(&sb);
		return NULL;
	}
	if (memchr(sb.buf, '\n', sb.len))
		*(char *)memchr(sb.buf, '\n', sb.len) = '\0';
	return strbuf_detach(&sb);
}

/* "pid 1234 (cgapply apply)" from "1234 cgapply apply", or a neutral phrase. */
static char *
describe_holder(const char *line)
{
	const char *sp;

	if (!line)
		return xstrdup("another process");
	sp = strchr(line, ' ');
	if (!sp)
		return xasprintf("pid %s", line);
	return xasprintf("pid %.*s (%s)", (int)(sp - line), line, sp + 1);
}

int
cg_lock_acquire(const char *state_dir, int timeout_ms, const char *what, struct cg_lock **out,
		struct cg_error **err)
{
	CG_AUTOFREE char *path = NULL;
	CG_AUTOCLOSE int fd = -1;
	long long start = now_ms();
	struct cg_lock *l;
	struct strbuf line = STRBUF_INIT;

	if (ensure_dir(state_dir, err) < 0)
		return -1;
	path = state_path(state_dir, LOCK_NAME);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return cg_error_set(err, CG_E_SYSTEM, errno, "cannot open lock file '%s'", path);
	for (;;) {
		long long waited;

		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return cg_error_set(err, CG_E_SYSTEM, errno, "cannot lock '%s'", path);
		waited = now_ms() - start;
		if (timeout_ms >= 0 && waited >= timeout_ms) {
			CG_AUTOFREE char *holder = read_holder(fd);
			CG_AUTOFREE char *who = describe_holder(holder);

			if (timeout_ms == 0)
				return cg_error_set(
					err, CG_E_PRECOND, 0,
					"'%s' is held by %s: another cgapply is running", path,
					who);
			return cg_error_set(
				err, CG_E_PRECOND, 0,
				"'%s' is still held by %s after %d.%01d s: another cgapply is running",
				path, who, timeout_ms / 1000, timeout_ms % 1000 / 100);
		}
		if (timeout_ms >= 0 && timeout_ms - waited < LOCK_POLL_MS)
			sleep_ms(timeout_ms - waited);
		else
			sleep_ms(LOCK_POLL_MS);
	}
	/* name ourselves, so that a waiter can say who holds the lock */
	strbuf_addf(&line, "%ld %s\n", (long)getpid(), what ? what : "cgapply");
	if (ftruncate(fd, 0) < 0 || pwrite(fd, line.buf, line.len, 0) != (ssize_t)line.len) {
		int e = errno;

		strbuf_release(&line);
		return cg_error_set(err, CG_E_SYSTEM, e, "cannot write lock file '%s'", path);
	}
	strbuf_release(&line);
	l = xcalloc(1, sizeof(*l));
	l->fd = fd;
	fd = -1;
	l->path = path;
	path = NULL;
	*out = l;
	return 0;
}

void
cg_lock_release(struct cg_lock *l)
{
	if (!l)
		return;
	/* the file stays (unlinking it would race with a waiter); only its text goes */
	if (ftruncate(l->fd, 0) < 0) {
		/* nothing to do: the text of a released lock is never read */
	}
	close(l->fd);
	free(l->path);
	free(l);
}

bool
cg_lock_held(const char *state_dir, char **holder)
{
	CG_AUTOFREE char *path = state_path(state_dir, LOCK_NAME);
	CG_AUTOCLOSE int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (holder)
		*holder = NULL;
	if (fd < 0)
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		flock(fd, LOCK_UN);
		return false;
	}
	if (errno != EWOULDBLOCK)
		return false;
	if (holder) {
		CG_AUTOFREE char *line = read_holder(fd);

		*holder = describe_holder(line);
	}
	return true;
}

/* ---- journal ---- */

static void
journal_free(struct cg_journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	cg_state_release(&j->before);
	free(j->dir);
	free(j->path);
	free(j);
}

int
cg_journal_begin(const char *state_dir, const struct cg_state *before, struct cg_journal **out,
		 struct cg_error **err)
{
	struct strbuf sb = STRBUF_INIT;
	CG_AUTOFREE char *path = NULL;
	CG_AUTOFREE char *tmp = NULL;
	struct cg_journal *j;
	int fd;

	if (ensure_dir(state_dir, err) < 0)
		return -1;
	path = state_path(state_dir, JOURNAL_NAME);
	if (access(path, F_OK) == 0)
		return cg_error_set(err, CG_E_PRECOND, EEXIST,
				    "an unfinished journal '%s' is in the way", path);
	strbuf_adds(&sb, JOURNAL_MAGIC);
	cg_state_serialize(before, &sb);
	fd = write_tmp(state_dir, JOURNAL_NAME, &sb, &tmp, err);
	strbuf_release(&sb);
	if (fd < 0)
		return -1;
	if (link(tmp, path) < 0) {
		int e = errno;

		close(fd);
		unlink(tmp);
		if (e == EEXIST)
			return cg_error_set(err, CG_E_PRECOND, e,
					    "an unfinished journal '%s' is in the way", path);
		return cg_error_set(err, CG_E_SYSTEM, e, "cannot create journal '%s'", path);
	}
	unlink(tmp);
	if (sync_dir(state_dir, err) < 0) {
		close(fd);
		unlink(path);
		return -1;
	}
	j = xcalloc(1, sizeof(*j));
	j->dir = xstrdup(state_dir);
	j->path = path;
	path = NULL;
	j->fd = fd;
	cg_state_copy(&j->before, before);
	*out = j;
	return 0;
}

int
cg_journal_no_last(struct cg_journal *j, struct cg_error **err)
{
	j->no_last = true;
	if (write_all(j->fd, ROLLBACK_MARK, strlen(ROLLBACK_MARK)) < 0 || fdatasync(j->fd) < 0)
		return cg_error_set(err, CG_E_SYSTEM, errno, "cannot write journal '%s'", j->path);
	return 0;
}

bool
cg_journal_pending_rollback(const char *state_dir)
{
	CG_AUTOFREE char *path = state_path(state_dir, JOURNAL_NAME);
	struct strbuf sb = STRBUF_INIT;
	struct cg_error *e = NULL;
	const char *p, *end;
	bool yes = false;

	if (read_all(path, &sb, &e) < 0) {
		cg_error_free(e);
		strbuf_release(&sb);
		return false;
	}
	if (sb.len >= strlen(JOURNAL_MAGIC) &&
	    memcmp(sb.buf, JOURNAL_MAGIC, strlen(JOURNAL_MAGIC)) == 0) {
		p = sb.buf + strlen(JOURNAL_MAGIC);
		end = cg_state_text_end(p, (size_t)(sb.buf + sb.len - p));
		yes = end && (size_t)(sb.buf + sb.len - end) >= strlen(ROLLBACK_MARK) &&
		      memcmp(end, ROLLBACK_MARK, strlen(ROLLBACK_MARK)) == 0;
	}
	strbuf_release(&sb);
	return yes;
}

static void
add_opt_string(struct strbuf *sb, const char *s)
{
	if (s)
		strbuf_add_json_string(sb, s);
	else
		strbuf_adds(sb, "null");
}

int
cg_journal_step(struct cg_journal *j, const struct plan *p, size_t i, struct cg_error **err)
{
	const struct plan_step *s = &p->steps[i];
	struct strbuf sb = STRBUF_INIT;
	int r = 0;

	strbuf_addf(&sb, "step %zu %s ", i, plan_op_name(s->op));
	add_opt_string(&sb, s->dir);
	strbuf_addch(&sb, ' ');
	add_opt_string(&sb, s->file);
	switch (s->op) {
	case PLAN_OP_WRITE:
		strbuf_adds(&sb, " old ");
		add_opt_string(&sb, s->old_text);
		strbuf_adds(&sb, " new ");
		add_opt_string(&sb, s->new_text);
		break;
	case PLAN_OP_CHOWN:
		strbuf_addf(&sb, " old %lu:%lu new %lu:%lu", (unsigned long)s->old_uid,
			    (unsigned long)s->old_gid, (unsigned long)s->uid,
			    (unsigned long)s->gid);
		break;
	case PLAN_OP_CHMOD:
		strbuf_addf(&sb, " old %04lo new %04lo", (unsigned long)s->old_mode,
			    (unsigned long)s->mode);
		break;
	case PLAN_OP_MKDIR:
		strbuf_addf(&sb, " mode %04lo", (unsigned long)s->mode);
		break;
	case PLAN_OP_RMDIR:
		break;
	}
	strbuf_addch(&sb, '\n');
	if (write_all(j->fd, sb.buf, sb.len) < 0 || fdatasync(j->fd) < 0)
		r = cg_error_set(err, CG_E_SYSTEM, errno, "cannot write journal '%s'", j->path);
	strbuf_release(&sb);
	return r;
}

int
cg_journal_step_done(struct cg_journal *j, size_t i, struct cg_error **err)
{
	struct strbuf sb = STRBUF_INIT;
	int r = 0;

	/* not synced: after a crash, an unrecorded "done" only means one more step to check */
	strbuf_addf(&sb, "done %zu\n", i);
	if (write_all(j->fd, sb.buf, sb.len) < 0)
		r = cg_error_set(err, CG_E_SYSTEM, errno, "cannot write journal '%s'", j->path);
	strbuf_release(&sb);
	return r;
}

static int
write_last(const char *dir, const struct cg_state *before, const struct cg_state *after,
	   struct cg_error **err)
{
	struct strbuf sb = STRBUF_INIT;
	CG_AUTOFREE char *tmp = NULL;
	CG_AUTOFREE char *path = state_path(dir, LAST_NAME);
	int fd;

	strbuf_adds(&sb, LAST_MAGIC "before\n");
	cg_state_serialize(before, &sb);
	strbuf_adds(&sb, "after\n");
	cg_state_serialize(after, &sb);
	fd = write_tmp(dir, LAST_NAME, &sb, &tmp, err);
	strbuf_release(&sb);
	if (fd < 0)
		return -1;
	close(fd);
	if (rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return cg_error_set(err, CG_E_SYSTEM, e, "cannot replace '%s'", path);
	}
	return sync_dir(dir, err);
}

int
cg_journal_commit(struct cg_journal *j, const struct cg_state *after, struct cg_error **err)
{
	if (j->no_last) {
		if (remove_file(j->dir, LAST_NAME, err) < 0)
			return -1;
	} else if (write_last(j->dir, &j->before, after, err) < 0) {
		return -1;
	}
	if (remove_file(j->dir, JOURNAL_NAME, err) < 0)
		return -1;
	journal_free(j);
	return 0;
}

int
cg_journal_abort(struct cg_journal *j, struct cg_error **err)
{
	int r = remove_file(j->dir, JOURNAL_NAME, err);

	journal_free(j);
	return r;
}

void
cg_journal_keep(struct cg_journal *j)
{
	if (j && j->fd >= 0)
		fsync(j->fd);
	journal_free(j);
}

const char *
cg_journal_path(const struct cg_journal *j)
{
	return j->path;
}

bool
cg_journal_pending(const char *state_dir)
{
	CG_AUTOFREE char *path = state_path(state_dir, JOURNAL_NAME);
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Checks that text starts with `magic`; returns what follows it. */
static const char *
skip_magic(const char *path, const struct strbuf *sb, const char *magic, struct cg_error **err)
{
	size_t n = strlen(magic);

	if (sb->len < n || memcmp(sb->buf, magic, n) != 0) {
		cg_error_set(err, CG_E_PRECOND, 0,
			     "'%s' is not a cgapply state file (expected '%.*s' on its first line)",
			     path, (int)(n - 1), magic);
		return NULL;
	}
	return sb->buf + n;
}

int
cg_journal_read_pending(const char *state_dir, const struct cg_hier *hiers, size_t nhiers,
			struct cg_state *before, struct cg_error **err)
{
	CG_AUTOFREE char *path = state_path(state_dir, JOURNAL_NAME);
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	int r;

	if (read_all(path, &sb, err) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	/* an empty journal recorded nothing, so no step ran: nothing to restore */
	if (!sb.len) {
		cg_state_init(before);
		return 0;
	}
	p = skip_magic(path, &sb, JOURNAL_MAGIC, err);
	if (!p) {
		strbuf_release(&sb);
		return -1;
	}
	r = cg_state_parse(p, (size_t)(sb.buf + sb.len - p), hiers, nhiers, before, err);
	strbuf_release(&sb);
	if (r < 0)
		return cg_error_wrap(err, "journal '%s'", path);
	return 0;
}

/* Parses "NAME\n" then a state at *p; advances *p past it. */
static int
parse_section(const char *path, const char *name, const char **p, const char *end,
	      const struct cg_hier *hiers, size_t nhiers, struct cg_state *out,
	      struct cg_error **err)
{
	size_t n = strlen(name);
	const char *stop;

	if ((size_t)(end - *p) < n + 1 || memcmp(*p, name, n) != 0 || (*p)[n] != '\n')
		return cg_error_set(err, CG_E_PRECOND, 0, "'%s' has no '%s' section", path, name);
	*p += n + 1;
	stop = cg_state_text_end(*p, (size_t)(end - *p));
	if (!stop)
		return cg_error_set(err, CG_E_PRECOND, 0, "'%s' is truncated in its '%s' section",
				    path, name);
	if (cg_state_parse(*p, (size_t)(stop - *p), hiers, nhiers, out, err) < 0)
		return cg_error_wrap(err, "'%s', '%s' section", path, name);
	*p = stop;
	return 0;
}

int
cg_journal_read_last(const char *state_dir, const struct cg_hier *hiers, size_t nhiers,
		     struct cg_state *before, struct cg_state *after, struct cg_error **err)
{
	CG_AUTOFREE char *path = state_path(state_dir, LAST_NAME);
	struct strbuf sb = STRBUF_INIT;
	struct cg_state b, a;
	const char *p, *end;

	if (read_all(path, &sb, err) < 0) {
		strbuf_release(&sb);
		if ((*err)->errnum == ENOENT) {
			cg_error_free(*err);
			*err = NULL;
			return cg_error_set(err, CG_E_PRECOND, ENOENT,
					    "there is no apply to roll back ('%s' does not exist)",
					    path);
		}
		return -1;
	}
	end = sb.buf + sb.len;
	p = skip_magic(path, &sb, LAST_MAGIC, err);
	if (!p) {
		strbuf_release(&sb);
		return -1;
	}
	if (parse_section(path, "before", &p, end, hiers, nhiers, &b, err) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	if (parse_section(path, "after", &p, end, hiers, nhiers, &a, err) < 0) {
		cg_state_release(&b);
		strbuf_release(&sb);
		return -1;
	}
	strbuf_release(&sb);
	*before = b;
	*after = a;
	return 0;
}

bool
cg_journal_has_last(const char *state_dir)
{
	CG_AUTOFREE char *path = state_path(state_dir, LAST_NAME);
	struct stat st;

	return lstat(path, &st) == 0;
}

int
cg_journal_clear_pending(const char *state_dir, struct cg_error **err)
{
	return remove_file(state_dir, JOURNAL_NAME, err);
}

int
cg_journal_clear_last(const char *state_dir, struct cg_error **err)
{
	return remove_file(state_dir, LAST_NAME, err);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "cmd/log.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "lib/strbuf.h"

/*
 * The one piece of process state in cmd/: stderr itself is process state, and so is
 * the syslog connection. Everything here is only touched from the main thread.
 */
static struct {
	enum log_target target;
	FILE *orig;   /* the stderr from before, while ours is installed */
	FILE *stream; /* ours (fopencookie), or NULL */
	struct strbuf line;
	int prev; /* the priority of the line before */
	int next; /* log_next_priority(), or -1 */
	bool tty; /* fd 2 is a terminal: syslog lines are copied there */
	bool syslog_open, atexit_done;
	int test_fd;
	log_syslog_fn test_fn;
} st = { .target = LOG_TARGET_STDERR, .prev = LOG_INFO, .next = -1, .test_fd = -1 };

static bool
has_word_at(const char *s, size_t len, size_t i, const char *word)
{
	size_t n = strlen(word);

	return i + n <= len && memcmp(s + i, word, n) == 0;
}

int
log_line_priority(const char *line, size_t len, int prev)
{
	static const struct {
		const char *word;
		int prio;
	} words[] = {
		{ "error: ", LOG_ERR },
		{ "warning: ", LOG_WARNING },
		{ "note: ", LOG_NOTICE },
		{ "hint: ", LOG_NOTICE },
	};
	struct strbuf sb = STRBUF_INIT;
	int prio = -1;
	size_t i, k;

	/* without colour: ESC [ ... m */
	for (i = 0; i < len; i++) {
		if (line[i] == '\033' && i + 1 < len && line[i + 1] == '[') {
			i += 2;
			while (i < len && line[i] != 'm')
				i++;
			continue;
		}
		strbuf_addch(&sb, line[i]);
	}
	/* the first severity word that starts the line or follows ": " */
	for (i = 0; i < sb.len && prio < 0; i++) {
		if (i != 0 && !(i >= 2 && sb.buf[i - 2] == ':' && sb.buf[i - 1] == ' '))
			continue;
		for (k = 0; k < sizeof(words) / sizeof(words[0]); k++)
			if (has_word_at(sb.buf, sb.len, i, words[k].word)) {
				prio = words[k].prio;
				break;
			}
	}
	if (prio < 0)
		prio = has_word_at(sb.buf, sb.len, 0, "cgapply: ") ? LOG_INFO : prev;
	strbuf_release(&sb);
	return prio;
}

static void
write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n <= 0)
			return; /* nowhere left to say it */
		buf += n;
		len -= (size_t)n;
	}
}

/* A caret line ("    ^"), or an empty one: nothing for syslog. */
static bool
only_caret(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '^')
			return false;
	return true;
}

static void
emit_line(const char *line, size_t len)
{
	int fd = st.test_fd >= 0 ? st.test_fd : 2;
	struct strbuf out = STRBUF_INIT;
	int prio;

	prio = st.next >= 0 ? st.next : log_line_priority(line, len, st.prev);
	st.next = -1;
	st.prev = prio;
	switch (st.target) {
	case LOG_TARGET_STDERR:
		strbuf_add(&out, line, len);
		strbuf_addch(&out, '\n');
		write_all(fd, out.buf, out.len);
		break;
	case LOG_TARGET_JOURNAL:
		strbuf_addf(&out, "<%d>", prio);
		strbuf_add(&out, line, len);
		strbuf_addch(&out, '\n');
		write_all(fd, out.buf, out.len);
		break;
	case LOG_TARGET_SYSLOG:
		if (st.tty) {
			strbuf_add(&out, line, len);
			strbuf_addch(&out, '\n');
			write_all(fd, out.buf, out.len);
		}
		if (only_caret(line, len))
			break;
		/* the ident already says cgapply */
		if (len >= 9 && memcmp(line, "cgapply: ", 9) == 0) {
			line += 9;
			len -= 9;
		}
		strbuf_reset(&out);
		strbuf_add(&out, line, len);
		if (st.test_fn)
			st.test_fn(prio, out.buf);
		else
			syslog(prio, "%s", out.buf);
		break;
	}
	strbuf_release(&out);
}

static ssize_t
stream_write(void *cookie, const char *buf, size_t size)
{
	size_t i, start = 0;

	(void)cookie;
	for (i = 0; i < size; i++) {
		if (buf[i] != '\n')
			continue;
		strbuf_add(&st.line, buf + start, i - start);
		emit_line(st.line.buf, st.line.len);
		strbuf_reset(&st.line);
		start = i + 1;
	}
	strbuf_add(&st.line, buf + start, size - start);
	return (ssize_t)size;
}

static int
stream_close(void *cookie)
{
	(void)cookie;
	if (st.line.len)
		emit_line(st.line.buf, st.line.len);
	strbuf_release(&st.line);
	return 0;
}

enum log_target
log_detect(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;
	char end;

	if (js) {
		/* "DEV:INODE" of the journal socket; our stderr may have been redirected since */
		if (sscanf(js, "%llu:%llu%c", &dev, &ino, &end) == 2 && fstat(2, &sb) == 0 &&
		    (unsigned long long)sb.st_dev == dev && (unsigned long long)sb.st_ino == ino)
			return LOG_TARGET_JOURNAL;
		return LOG_TARGET_STDERR;
	}
	/* before systemd 231, or StandardError=kmsg: still a service, still not a terminal */
	if (getenv("INVOCATION_ID") && !isatty(2))
		return LOG_TARGET_JOURNAL;
	return LOG_TARGET_STDERR;
}

enum log_target
log_current_target(void)
{
	return st.target;
}

void
log_next_priority(int prio)
{
	if (st.stream) {
		/* a partial line already written belongs to the line before */
		fflush(st.stream);
		st.next = prio;
	}
}

void
log_close(void)
{
	FILE *f = st.stream;

	if (!f)
		return;
	fflush(f);
	stderr = st.orig;
	st.stream = NULL;
	st.orig = NULL;
	fclose(f);
	if (st.syslog_open) {
		closelog();
		st.syslog_open = false;
	}
	st.next = -1;
	st.prev = LOG_INFO;
}

void
log_setup(enum log_target t)
{
	static const cookie_io_functions_t io = {
		.write = stream_write,
		.close = stream_close,
	};

	if (t == LOG_TARGET_STDERR) {
		log_close();
		st.target = t;
		return;
	}
	if (!st.stream) {
		FILE *f = fopencookie(NULL, "w", io);

		if (!f)
			return; /* plain stderr is still better than nothing */
		/* our own line assembly is the buffer */
		setvbuf(f, NULL, _IONBF, 0);
		fflush(stderr);
		st.orig = stderr;
		st.stream = f;
		stderr = f;
		if (!st.atexit_done) {
			atexit(log_close);
			st.atexit_done = true;
		}
	}
	st.tty = isatty(st.test_fd >= 0 ? st.test_fd : 2);
	if (t == LOG_TARGET_SYSLOG && !st.syslog_open && !st.test_fn) {
		openlog("cgapply", LOG_PID, LOG_DAEMON);
		st.syslog_open = true;
	}
	st.target = t;
}

void
log_set_test_sinks(int fd, log_syslog_fn fn)
{
	st.test_fd = fd;
	st.test_fn = fn;
}

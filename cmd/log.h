/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where the messages on stderr end up. The reporters print to stderr, line by line, in
 * the git style ("cgapply: error: msg", "file:1:2: warning: msg", "hint: ..."); this
 * module sends those lines to one of three targets:
 *   - LOG_TARGET_STDERR: as they are (a terminal, a file, a pipe): the default;
 *   - LOG_TARGET_JOURNAL: started by systemd ($JOURNAL_STREAM names our stderr, or
 *     $INVOCATION_ID is set and stderr is no terminal): each line gets an sd-daemon(3)
 *     "<N>" prefix, so that journald stores it with that priority;
 *   - LOG_TARGET_SYSLOG (--syslog, for SysV init scripts): one syslog(3) message per
 *     line (ident "cgapply", facility daemon), also copied to stderr on a terminal.
 *
 * For the last two, log_setup() replaces stderr with a stream (fopencookie) that
 * assembles lines and gives each the priority of the severity word in it: error → 3,
 * warning → 4, note and hint → 5, otherwise 6 for a "cgapply: " line, and the
 * priority of the line before for a continuation (a diagnostic's source line and
 * caret, "Try 'cgapply help'"). A print site with no severity word says its priority
 * with log_next_priority() first. This is process state (stderr is), set up once
 * in main() and by --syslog; it is flushed at exit.
 *
 *   log_setup(log_detect());      (main)
 *   log_setup(LOG_TARGET_SYSLOG); (--syslog)
 */
#ifndef CGAPPLY_CMD_LOG_H
#define CGAPPLY_CMD_LOG_H

#include <stddef.h>

enum log_target {
	LOG_TARGET_STDERR,
	LOG_TARGET_JOURNAL,
	LOG_TARGET_SYSLOG,
};

/* The journal when systemd started us with stderr connected to it, else stderr. */
enum log_target log_detect(void);
/* Sends stderr to `t` from now on; a later call switches. Lines go to file descriptor 2. */
void log_setup(enum log_target t);
enum log_target log_current_target(void);
/* The priority (LOG_ERR ... LOG_DEBUG) of the next complete line; ignored for stderr. */
void log_next_priority(int prio);
/* Flushes a partial line and puts the original stderr back (also run at exit). */
void log_close(void);

/*
 * The priority of one line (no newline), `prev` that of the line before. ANSI colour
 * sequences are skipped.
 */
int log_line_priority(const char *line, size_t len, int prev);

/* Test hooks: where the lines go instead of fd 2 and syslog(3); NULL/-1 restore. */
typedef void (*log_syslog_fn)(int prio, const char *msg);
void log_set_test_sinks(int fd, log_syslog_fn fn);

#endif

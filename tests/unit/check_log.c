/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where messages go (cmd/log.c): the priority of each line, the sd-daemon "<N>" prefix
 * under systemd, one syslog(3) message per line with --syslog, and when the journal is
 * detected ($JOURNAL_STREAM naming our stderr, or $INVOCATION_ID).
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "cmd/log.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "tests/lib/testutil.h"

static const struct {
	const char *line;
	int prev, want;
} prio_cases[] = {
	{ "cgapply: error: cannot write 'x': Permission denied", LOG_INFO, LOG_ERR },
	{ "a.yaml:3:41: error: invalid value '1Q'", LOG_INFO, LOG_ERR },
	{ "a.yaml:3:1: warning: unknown user 'bob'", LOG_INFO, LOG_WARNING },
	{ "a.yaml: warning: no *.yaml files in the directory", LOG_INFO, LOG_WARNING },
	{ "cgapply: note: memory overcommit", LOG_INFO, LOG_NOTICE },
	{ "hint: run 'cgapply rollback'", LOG_ERR, LOG_NOTICE },
	{ "cgapply: rolled back: 3 steps undone", LOG_ERR, LOG_INFO },
	{ "cgapply: warning: x: error: y", LOG_INFO, LOG_WARNING },
	/* colour does not hide the word */
	{ "\033[1ma.yaml:1:2: \033[1;31merror:\033[0m \033[1mbad\033[0m", LOG_INFO, LOG_ERR },
	/* continuation lines (source line, caret, "Try ...") keep the line before's */
	{ "  a: { memory: { memory.limit_in_bytes: 1Q } }", LOG_ERR, LOG_ERR },
	{ "                                        ^", LOG_WARNING, LOG_WARNING },
	{ "Try 'cgapply help plan'.", LOG_ERR, LOG_ERR },
	/* a severity word not at a field start */
	{ "  terror: x", LOG_INFO, LOG_INFO },
	{ "", LOG_NOTICE, LOG_NOTICE },
};

START_TEST(test_priority)
{
	const char *l = prio_cases[_i].line;

	ck_assert_int_eq(log_line_priority(l, strlen(l), prio_cases[_i].prev), prio_cases[_i].want);
}
END_TEST

static char *
read_fd(int fd)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[256];
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(&sb, buf, (size_t)n);
	return strbuf_detach(&sb);
}

static int
temp_fd(void)
{
	char path[] = "/tmp/cgapply-log.XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	unlink(path);
	return fd;
}

START_TEST(test_journal_prefix)
{
	int fd = temp_fd();
	FILE *before = stderr;
	char *got;

	log_set_test_sinks(fd, NULL);
	log_setup(LOG_TARGET_JOURNAL);
	ck_assert_int_eq(log_current_target(), LOG_TARGET_JOURNAL);
	ck_assert_ptr_ne(stderr, before);
	fprintf(stderr, "a.yaml:3:41: error: invalid value\n  a: 1Q\n     ^\n");
	fputs("cgapply: wa", stderr);
	fputs("rning: split ", stderr);
	fprintf(stderr, "over %d writes\n", 3);
	log_next_priority(LOG_ERR);
	fprintf(stderr, "cgapply: unknown option '--x'\nTry 'cgapply help'.\n");
	log_next_priority(LOG_INFO);
	fprintf(stderr, "cgapply: configuration: 2 groups\n");
	fputs("hint: no newline at the end", stderr);
	log_close();
	ck_assert_ptr_eq(stderr, before);
	got = read_fd(fd);
	ck_assert_str_eq(got, "<3>a.yaml:3:41: error: invalid value\n"
			      "<3>  a: 1Q\n"
			      "<3>     ^\n"
			      "<4>cgapply: warning: split over 3 writes\n"
			      "<3>cgapply: unknown option '--x'\n"
			      "<3>Try 'cgapply help'.\n"
			      "<6>cgapply: configuration: 2 groups\n"
			      "<5>hint: no newline at the end\n");
	free(got);
	close(fd);
	log_set_test_sinks(-1, NULL);
	log_setup(LOG_TARGET_STDERR);
}
END_TEST

static struct strbuf syslogged = STRBUF_INIT;

static void
fake_syslog(int prio, const char *msg)
{
	strbuf_addf(&syslogged, "%d|%s\n", prio, msg);
}

START_TEST(test_syslog)
{
	int fd = temp_fd(); /* not a terminal: nothing is copied there */
	char *got;

	strbuf_reset(&syslogged);
	log_set_test_sinks(fd, fake_syslog);
	log_setup(LOG_TARGET_SYSLOG);
	fprintf(stderr, "a.yaml:1:7: error: bad\n  x: y\n      ^\n");
	fprintf(stderr, "cgapply: warning: careful\n");
	fprintf(stderr, "cgapply: the state is restored\n");
	log_close();
	ck_assert_str_eq(syslogged.buf, "3|a.yaml:1:7: error: bad\n"
					"3|  x: y\n"
					"4|warning: careful\n"
					"6|the state is restored\n");
	got = read_fd(fd);
	ck_assert_str_eq(got, "");
	free(got);
	close(fd);
	strbuf_release(&syslogged);
	log_set_test_sinks(-1, NULL);
	log_setup(LOG_TARGET_STDERR);
}
END_TEST

/* Runs log_detect() with fd 2 on a temp file, then puts fd 2 back. */
static enum log_target
detect_with_file_stderr(const char *journal_stream, const char *invocation_id)
{
	int fd = temp_fd(), saved = dup(2);
	enum log_target t;
	struct stat st;
	char *js = NULL;

	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(fstat(fd, &st), 0);
	if (journal_stream && strcmp(journal_stream, "self") == 0)
		js = xasprintf("%llu:%llu", (unsigned long long)st.st_dev,
			       (unsigned long long)st.st_ino);
	else if (journal_stream)
		js = xstrdup(journal_stream);
	if (js)
		setenv("JOURNAL_STREAM", js, 1);
	else
		unsetenv("JOURNAL_STREAM");
	if (invocation_id)
		setenv("INVOCATION_ID", invocation_id, 1);
	else
		unsetenv("INVOCATION_ID");
	fflush(stderr);
	dup2(fd, 2);
	t = log_detect();
	dup2(saved, 2);
	close(saved);
	close(fd);
	free(js);
	unsetenv("JOURNAL_STREAM");
	unsetenv("INVOCATION_ID");
	return t;
}

START_TEST(test_detect)
{
	ck_assert_int_eq(detect_with_file_stderr("self", NULL), LOG_TARGET_JOURNAL);
	/* redirected since systemd started us (a pipe in a service's shell script) */
	ck_assert_int_eq(detect_with_file_stderr("1:2", "abc"), LOG_TARGET_STDERR);
	ck_assert_int_eq(detect_with_file_stderr("garbage", NULL), LOG_TARGET_STDERR);
	ck_assert_int_eq(detect_with_file_stderr(NULL, "0123456789abcdef"), LOG_TARGET_JOURNAL);
	ck_assert_int_eq(detect_with_file_stderr(NULL, NULL), LOG_TARGET_STDERR);
}
END_TEST

static Suite *
log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("priority");

	tcase_add_loop_test(tc, test_priority, 0, sizeof(prio_cases) / sizeof(prio_cases[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("targets");
	tcase_add_test(tc, test_journal_prefix);
	tcase_add_test(tc, test_syslog);
	tcase_add_test(tc, test_detect);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(log_suite());
}

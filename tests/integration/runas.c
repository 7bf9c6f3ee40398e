/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * runas [--delay-uid SECS] UID GID[,SUPP...] PROGRAM [ARGS...]: for the rules tests.
 * Started as root (by the shell's fork), it drops to ids that only the test uses (never
 * uid or gid 0) and execs PROGRAM. With --delay-uid it first waits SECS, so that the
 * watch daemon sees a uid change of a process that already runs.
 */
#include "config.h"

#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	gid_t groups[16];
	size_t ngroups = 0;
	char *s, *end;
	unsigned long uid, gid;
	int argi = 1;
	double delay = 0;

	if (argc > 2 && strcmp(argv[1], "--delay-uid") == 0) {
		delay = strtod(argv[2], NULL);
		argi = 3;
	}
	if (argc - argi < 3) {
		fprintf(stderr,
			"usage: runas [--delay-uid SECS] UID GID[,SUPP...] PROGRAM [ARGS...]\n");
		return 64;
	}
	uid = strtoul(argv[argi], &end, 10);
	if (*end || uid == 0) {
		fprintf(stderr, "runas: refusing uid '%s'\n", argv[argi]);
		return 64;
	}
	s = argv[argi + 1];
	gid = strtoul(s, &end, 10);
	if (gid == 0 || (*end && *end != ',')) {
		fprintf(stderr, "runas: refusing gid '%s'\n", s);
		return 64;
	}
	while (*end == ',' && ngroups < 16) {
		s = end + 1;
		groups[ngroups++] = (gid_t)strtoul(s, &end, 10);
	}
	if (delay > 0)
		usleep((useconds_t)(delay * 1e6));
	if (setgroups(ngroups, groups) < 0 || setgid((gid_t)gid) < 0 || setuid((uid_t)uid) < 0) {
		perror("runas");
		return 1;
	}
	execv(argv[argi + 2], argv + argi + 2);
	perror("runas: exec");
	return 127;
}

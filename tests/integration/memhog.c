/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memhog MIB: allocates MIB mebibytes of anonymous memory, touches every page so that it
 * is charged to the memory cgroup the process is in, prints "ready" and sleeps until
 * killed. The integration tests use it to make the kernel refuse a memory limit below a
 * group's anonymous usage (EBUSY: no swap on the test host).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	size_t len = mib << 20, i;
	volatile char *p;

	/* wait to be moved into the test's group, so the pages are charged there */
	if (argc > 2)
		raise(SIGSTOP);
	p = malloc(len);
	if (!p)
		return 1;
	/* volatile stores: the compiler must not drop memory that is never read */
	for (i = 0; i < len; i += 4096)
		p[i] = 0x5a;
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

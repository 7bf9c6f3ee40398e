/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Allocation that cannot fail: on out-of-memory the process aborts with a message
 * (as crun and tmux do), so callers never carry an allocation error path.
 */
#ifndef CGAPPLY_LIB_XALLOC_H
#define CGAPPLY_LIB_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grows an array to hold at least `need` elements of `elem` bytes; *alloc is updated. */
void *xgrow(void *ptr, size_t elem, size_t need, size_t *alloc);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

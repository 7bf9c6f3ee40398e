/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scope-bound cleanup for locals (gcc/clang `cleanup` attribute). Never use these on
 * struct members or statics. To hand a value out, copy it and set the local to NULL/-1.
 */
#ifndef CGAPPLY_LIB_CLEANUP_H
#define CGAPPLY_LIB_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void
cleanup_freep(void *p)
{
	free(*(void **)p);
}

static inline void
cleanup_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static inline void
cleanup_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define CG_AUTOFREE   __attribute__((cleanup(cleanup_freep)))
#define CG_AUTOCLOSE  __attribute__((cleanup(cleanup_closep)))
#define CG_AUTOFCLOSE __attribute__((cleanup(cleanup_fclosep)))
/* CG_AUTO(model) struct cg_model *m = NULL; calls cg_model_freep(&m). */
#define CG_AUTO(type) __attribute__((cleanup(type##_freep)))

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The error type that carries errno and a message up to the CLI.
 *
 * A fallible function returns 0/-1 (or a pointer, NULL on failure) and takes
 * `struct cg_error **err` as its last parameter. On failure it sets *err exactly once;
 * on success it leaves *err alone. Callers add context with cg_error_wrap() on the way up.
 * Only cmd/ prints an error; it appends strerror(errnum) when errnum is not 0.
 */
#ifndef CGAPPLY_LIB_ERROR_H
#define CGAPPLY_LIB_ERROR_H

enum cg_errkind {
	CG_E_SYSTEM,  /* a system call failed: errnum says why */
	CG_E_CONFIG,  /* the configuration is invalid */
	CG_E_USAGE,   /* the command line is wrong */
	CG_E_PRECOND, /* a precondition does not hold (lock held, hierarchy missing) */
	CG_E_INTERNAL,
};

struct cg_error {
	int errnum;
	enum cg_errkind kind;
	char *msg;
};

int cg_error_set(struct cg_error **err, enum cg_errkind kind, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int cg_error_wrap(struct cg_error **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cg_error_free(struct cg_error *err);
void cg_error_freep(struct cg_error **err);

#endif

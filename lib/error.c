/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "lib/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/xalloc.h"

static char *
vformat(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		return xstrdup("(error message lost: out of memory)");
	return s;
}

int
cg_error_set(struct cg_error **err, enum cg_errkind kind, int errnum, const char *fmt, ...)
{
	struct cg_error *e;
	va_list ap;

	if (!err)
		return -1;
	e = xcalloc(1, sizeof(*e));
	e->kind = kind;
	e->errnum = errnum;
	va_start(ap, fmt);
	e->msg = vformat(fmt, ap);
	va_end(ap);
	*err = e;
	return -1;
}

int
cg_error_wrap(struct cg_error **err, const char *fmt, ...)
{
	char *ctx, *msg;
	va_list ap;

	if (!err || !*err)
		return -1;
	va_start(ap, fmt);
	ctx = vformat(fmt, ap);
	va_end(ap);
	msg = xasprintf("%s: %s", ctx, (*err)->msg);
	free(ctx);
	free((*err)->msg);
	(*err)->msg = msg;
	return -1;
}

void
cg_error_free(struct cg_error *err)
{
	if (!err)
		return;
	free(err->msg);
	free(err);
}

void
cg_error_freep(struct cg_error **err)
{
	cg_error_free(*err);
}

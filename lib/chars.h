/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ASCII character classes for parsing kernel and configuration text. Unlike <ctype.h>
 * they ignore the locale and take a plain char (no cast to unsigned char needed).
 */
#ifndef CGAPPLY_LIB_CHARS_H
#define CGAPPLY_LIB_CHARS_H

#include <stdbool.h>

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

#endif

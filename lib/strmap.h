/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A hash map from strings to indexes, for lookups that would otherwise scan a list
 * (10,000 groups make a scan per group quadratic). Keys are borrowed: the caller keeps
 * them alive and unchanged while they are in the map. Keys carry a length, so they may
 * hold NUL bytes.
 *
 *   struct strmap m = STRMAP_INIT;
 *   if (!strmap_put(&m, name, len, i)) ... already there
 *   if (strmap_get(&m, name, len, &i)) ... found at i
 *   strmap_release(&m);
 */
#ifndef CGAPPLY_LIB_STRMAP_H
#define CGAPPLY_LIB_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct strmap_slot {
	const char *key; /* NULL: empty */
	size_t len;
	size_t hash;
	size_t value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

#define STRMAP_INIT        \
	{                  \
		NULL, 0, 0 \
	}

void strmap_release(struct strmap *m);
/* Adds key → value; false (and the map unchanged) when the key is already there. */
bool strmap_put(struct strmap *m, const char *key, size_t len, size_t value);
/* Sets key → value, adding or replacing. */
void strmap_set(struct strmap *m, const char *key, size_t len, size_t value);
bool strmap_get(const struct strmap *m, const char *key, size_t len, size_t *value);

#endif

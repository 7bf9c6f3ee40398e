/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "lib/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

/* FNV-1a: simple, and good enough for path-like keys */
static size_t
hash_key(const char *key, size_t len)
{
	uint64_t h = UINT64_C(14695981039346656037);
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= UINT64_C(1099511628211);
	}
	return (size_t)h;
}

void
strmap_release(struct strmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = 0;
	m->n = 0;
}

/* The slot holding `key`, or the empty slot where it would go. */
static struct strmap_slot *
probe(const struct strmap *m, const char *key, size_t len, size_t h)
{
	size_t i = h & (m->cap - 1);

	for (;;) {
		struct strmap_slot *s = &m->slots[i];

		if (!s->key || (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0))
			return s;
		i = (i + 1) & (m->cap - 1);
	}
}

static void
grow(struct strmap *m)
{
	struct strmap old = *m;
	size_t i;

	m->cap = old.cap ? old.cap * 2 : 16;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].key)
			*probe(m, old.slots[i].key, old.slots[i].len, old.slots[i].hash) =
				old.slots[i];
	free(old.slots);
}

static struct strmap_slot *
find_or_add(struct strmap *m, const char *key, size_t len, bool *added)
{
	size_t h = hash_key(key, len);
	struct strmap_slot *s;

	/* keep the load at most 1/2: probes stay short */
	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	s = probe(m, key, len, h);
	*added = !s->key;
	if (*added) {
		s->key = key;
		s->len = len;
		s->hash = h;
		m->n++;
	}
	return s;
}

bool
strmap_put(struct strmap *m, const char *key, size_t len, size_t value)
{
	bool added;
	struct strmap_slot *s = find_or_add(m, key, len, &added);

	if (added)
		s->value = value;
	return added;
}

void
strmap_set(struct strmap *m, const char *key, size_t len, size_t value)
{
	bool added;

	find_or_add(m, key, len, &added)->value = value;
}

bool
strmap_get(const struct strmap *m, const char *key, size_t len, size_t *value)
{
	const struct strmap_slot *s;

	if (!m->cap)
		return false;
	s = probe(m, key, len, hash_key(key, len));
	if (!s->key)
		return false;
	*value = s->value;
	return true;
}

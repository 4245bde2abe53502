/* A keyed hash map of 32-byte ids (idmap.h). */
#include "idmap.h"

#include <stdlib.h>
#include <string.h>

#define CAP_MIN	64

/* splitmix64's finaliser: every bit of x reaches every bit out */
static uint64_t
mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t
load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static size_t
slot_of(const idmap *m, const uint8_t id[static 32])
{
	uint64_t h = mix(load64(id) ^ m->k0) ^ mix(load64(id + 8) ^ m->k1) ^
	    mix(load64(id + 16) + m->k0) ^ mix(load64(id + 24) + m->k1);

	return (size_t)h & (m->cap - 1);
}

void
idmap_init(idmap *m, uint64_t k0, uint64_t k1)
{
	memset(m, 0, sizeof *m);
	m->k0 = k0;
	m->k1 = k1 | 1;
}

void
idmap_free(idmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

/* The slot holding id, or the free slot where it would go. */
static size_t
find(const idmap *m, const uint8_t id[static 32])
{
	size_t i = slot_of(m, id);

	while (m->slots[i].v != NULL && memcmp(m->slots[i].id, id, 32) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *
idmap_get(const idmap *m, const uint8_t id[static 32])
{
	return m->cap == 0 ? NULL : m->slots[find(m, id)].v;
}

static int
grow(idmap *m)
{
	size_t cap = m->cap ? 2 * m->cap : CAP_MIN;
	idmap_slot *old = m->slots, *s = calloc(cap, sizeof *s);
	size_t old_cap = m->cap;

	if (s == NULL)
		return -1;
	m->slots = s;
	m->cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].v != NULL)
			m->slots[find(m, old[i].id)] = old[i];
	free(old);
	return 0;
}

int
idmap_put(idmap *m, const uint8_t id[static 32], void *v)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap && grow(m) != 0)
		return -1;
	i = find(m, id);
	if (m->slots[i].v == NULL) {
		memcpy(m->slots[i].id, id, 32);
		m->n++;
	}
	m->slots[i].v = v;
	return 0;
}

void *
idmap_del(idmap *m, const uint8_t id[static 32])
{
	size_t i, j, k, mask = m->cap - 1;
	void *v;

	if (m->cap == 0 || (v = m->slots[i = find(m, id)].v) == NULL)
		return NULL;
	/* shift back the entries after i that probing would no longer find */
	for (j = i;;) {
		m->slots[i].v = NULL;
		for (;;) {
			j = (j + 1) & mask;
			if (m->slots[j].v == NULL) {
				m->n--;
				return v;
			}
			k = slot_of(m, m->slots[j].id);
			/* j's entry stays unless its home k lies cyclically in (i, j] */
			if (i <= j ? (k <= i || k > j) : (k <= i && k > j))
				break;
		}
		m->slots[i] = m->slots[j];
		i = j;
	}
}

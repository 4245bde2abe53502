/* node/daemon/idmap.h — a hash map from 32-byte ids (task ids, chunk
 * hashes, authors) to pointers, for the daemon's indexes.
 *
 * Ids come from peers, and a peer can grind an id cheaply, so the slot
 * of an id is a keyed mix of its bytes with a key the caller draws at
 * random (em_rand): without the key, ids cannot be chosen to pile into
 * one run of slots. Open addressing with linear probing, at most half
 * full; deletion shifts the run back, so no tombstones pile up.
 *
 * The map keeps the pointers, never what they point to. */
#ifndef EM_DAEMON_IDMAP_H
#define EM_DAEMON_IDMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct idmap_slot {
	uint8_t		 id[32];
	void		*v;		/* NULL: the slot is free */
} idmap_slot;

typedef struct idmap {
	idmap_slot	*slots;
	size_t		 cap, n;	/* cap: 0 or a power of two */
	uint64_t	 k0, k1;
} idmap;

/* An empty map keyed by the two random numbers (nothing allocated). */
void	idmap_init(idmap *m, uint64_t k0, uint64_t k1);
/* Frees the slots (not the values) and leaves an empty map. */
void	idmap_free(idmap *m);
/* The value under id, or NULL. */
void	*idmap_get(const idmap *m, const uint8_t id[static 32]);
/* Puts v (not NULL) under id, replacing what was there. 0, or -1 when
 * out of memory (the map is as it was). */
int	idmap_put(idmap *m, const uint8_t id[static 32], void *v);
/* Takes id out; its value, or NULL if it was not there. */
void	*idmap_del(idmap *m, const uint8_t id[static 32]);

/* Every value: for (i = 0; i < m->cap; i++) if (m->slots[i].v) ...
 * (do not put or delete while walking). */

#endif

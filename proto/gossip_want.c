/* Ids awaited (Plumtree's lazy side): ids peers announced that this node
 * does not hold, each with the peers that announced it; overdue ones are
 * asked of the next announcer (a graft), or given up. */
#include "gossip_impl.h"

#include <stdlib.h>
#include <string.h>

/* --- ids awaited: an open-addressing table keyed by the id's first bytes
 * (ids are hashes, so those are uniform) */

static uint32_t
slot_of(const gossip *g, const uint8_t id[static 32])
{
	uint32_t h;

	memcpy(&h, id, sizeof h);
	return h & (g->miss_cap - 1);
}

missing *
miss_find(gossip *g, const uint8_t id[static 32])
{
	for (uint32_t i = slot_of(g, id), k = 0; k < g->miss_cap; k++, i = (i + 1) & (g->miss_cap - 1)) {
		if (!g->miss[i].used)
			return NULL;
		if (memcmp(g->miss[i].id, id, 32) == 0)
			return &g->miss[i];
	}
	return NULL;
}

static int
miss_grow(gossip *g)
{
	missing *old = g->miss, *nt;
	uint32_t cap = g->miss_cap;

	if ((nt = calloc((size_t)cap * 2, sizeof *nt)) == NULL)
		return -1;
	g->miss = nt;
	g->miss_cap = cap * 2;
	for (uint32_t i = 0; i < cap; i++) {
		if (!old[i].used)
			continue;
		for (uint32_t s = slot_of(g, old[i].id); ; s = (s + 1) & (g->miss_cap - 1))
			if (!nt[s].used) {
				nt[s] = old[i];
				break;
			}
	}
	free(old);
	return 0;
}

static missing *
miss_add(gossip *g, const uint8_t id[static 32])
{
	uint32_t i;

	if (g->miss_n >= MISSING_MAX)
		return NULL;	/* anti-entropy will bring the rest */
	if (2 * (g->miss_n + 1) > g->miss_cap && miss_grow(g) != 0)
		return NULL;
	for (i = slot_of(g, id); g->miss[i].used; i = (i + 1) & (g->miss_cap - 1))
		;
	memset(&g->miss[i], 0, sizeof g->miss[i]);
	memcpy(g->miss[i].id, id, 32);
	g->miss[i].used = 1;
	g->miss_n++;
	return &g->miss[i];
}

/* Backward-shift deletion keeps every probe chain unbroken. */
void
miss_del(gossip *g, missing *e)
{
	uint32_t mask = g->miss_cap - 1, i = (uint32_t)(e - g->miss), j = i;

	g->miss[i].used = 0;
	g->miss_n--;
	for (;;) {
		uint32_t home;

		j = (j + 1) & mask;
		if (!g->miss[j].used)
			return;
		home = slot_of(g, g->miss[j].id);
		/* move j back to i unless its home lies cyclically in (i, j] */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			g->miss[i] = g->miss[j];
			g->miss[j].used = 0;
			i = j;
		}
	}
}

int
miss_announced(const missing *e, uint32_t peer)
{
	for (uint8_t i = 0; i < e->n_ann; i++)
		if (e->ann[i] == peer)
			return 1;
	return 0;
}

void
want_have(gossip *g, uint32_t peer, const wire_msg *m, uint64_t now)
{
	for (uint32_t i = 0; i < m->u.ids.n; i++) {
		const uint8_t *id = m->u.ids.ids + (size_t)i * 32;
		missing *e;

		sync_peer_has(g, id, peer, now);	/* no push of it to it */
		if (g->h.has(g->h.ctx, id))
			continue;
		if ((e = miss_find(g, id)) == NULL) {
			if ((e = miss_add(g, id)) == NULL)
				continue;
			e->deadline = now + g->o.graft_ms;
			if (e->deadline < g->miss_next || g->miss_n == 1)
				g->miss_next = e->deadline;
		}
		if (e->n_ann < ANNOUNCERS && !miss_announced(e, peer))
			e->ann[e->n_ann++] = peer;
	}
}

/* Overdue ids: ask the next announcer (a graft), or give up on the id. */
void
want_tick(gossip *g, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	if (g->miss_n == 0 || now < g->miss_next)
		return;
	for (uint32_t i = 0; i < g->miss_cap; i++) {
		missing *e = &g->miss[i];
		gpeer *p;

		if (!e->used)
			continue;
		if (e->deadline > now) {
			next = e->deadline < next ? e->deadline : next;
			continue;
		}
		if (e->next > 0)	/* the last want went unanswered */
			gossip_penalize(g, e->ann[e->next - 1], PENALTY_UNANSWERED,
			    "unanswered wants");
		while (e->next < e->n_ann && (p = gp_find(g, e->ann[e->next])) == NULL)
			e->next++;
		if (e->next >= e->n_ann || g->h.has(g->h.ctx, e->id)) {
			miss_del(g, e);
			i--;	/* backward shift may have moved an entry here */
			continue;
		}
		want_push(p, e->id);
		e->next++;
		e->deadline = now + g->o.want_ms;
		next = e->deadline < next ? e->deadline : next;
	}
	g->miss_next = next;
}

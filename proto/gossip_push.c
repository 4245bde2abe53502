/* Late binding of eager pushes (see gossip_impl.h): a push waits as an
 * id while the host holds enough for the peer, and the record is read
 * and framed only when there is room, by what is known then. */
#include "gossip_impl.h"

#include <stdlib.h>
#include <string.h>

#include "record.h"

void
push_clear(gpeer *p)
{
	free(p->push.ids);
	memset(&p->push, 0, sizeof p->push);
}

static int
pushq_add(pushq *q, const uint8_t id[static 32])
{
	if (q->head > 0 && q->n == q->cap) {	/* reuse the drained front */
		memmove(q->ids, q->ids + (size_t)q->head * 32, (size_t)(q->n - q->head) * 32);
		q->n -= q->head;
		q->head = 0;
	}
	if (q->n == q->cap) {
		uint32_t cap = q->cap ? q->cap * 2 : 64;
		uint8_t *ids;

		if (cap > PUSHQ_MAX || (ids = realloc(q->ids, (size_t)cap * 32)) == NULL)
			return 0;
		q->ids = ids;
		q->cap = cap;
	}
	memcpy(q->ids + (size_t)q->n++ * 32, id, 32);
	return 1;
}

int
push_later(gossip *g, gpeer *p, const uint8_t id[static 32])
{
	if (g->h.backlog == NULL)
		return 0;
	if (p->push.head == p->push.n &&
	    g->h.backlog(g->h.ctx, p->handle) < GOSSIP_PUSH_BACKLOG)
		return 0;
	if (!pushq_add(&p->push, id))
		have_push(p, id);	/* full: announced, wanted if need be */
	return 1;
}

/* Takes waiting ids off p's queue while the host has room for them,
 * into b: those the peer holds by now are dropped, those of an author
 * whose link it pruned announced. Returns 1 if it stopped for room. */
static int
drain_one(gossip *g, gpeer *p, batch *b)
{
	size_t room = GOSSIP_PUSH_BACKLOG - g->h.backlog(g->h.ctx, p->handle);

	while (p->push.head < p->push.n) {
		const uint8_t *id = p->push.ids + (size_t)p->push.head * 32;
		uint8_t *rec, author[32];
		size_t len;

		if (b->bytes >= room)
			return 1;
		p->push.head++;
		if (sync_peer_holds(g, id, p->handle, g->now) ||
		    g->h.get(g->h.ctx, id, &rec, &len) != 0)
			continue;
		if (rec_author(rec, len, author) != EM_OK || !tree_eager(p, author)) {
			have_push(p, id);
			free(rec);
			continue;
		}
		sync_peer_has(g, id, p->handle, g->now);
		batch_take(b, rec, len);	/* a full message goes at once */
	}
	p->push.head = p->push.n = 0;
	return 0;
}

void
push_drain(gossip *g)
{
	if (g->h.backlog == NULL)
		return;
	for (uint32_t i = 0; i < g->n_peers; i++) {
		gpeer *p = &g->peers[i];
		uint32_t handle = p->handle;
		batch b;

		if (p->push.head == p->push.n ||
		    g->h.backlog(g->h.ctx, handle) >= GOSSIP_PUSH_BACKLOG)
			continue;
		batch_init(&b, g, handle, WIRE_PUSH, UINT32_MAX, g->now);
		drain_one(g, p, &b);
		batch_send(&b);
		/* a failed send may have dropped the peer and moved another
		 * here: that one waits for the next flush */
		if (gp_find(g, handle) == NULL)
			break;
	}
}

/* Fetching the item chunks of tasks: asked for by hash, checked against
 * the hash before they are kept. A task record names its chunks; when one
 * arrives, its chunks are asked of the peer that sent it (it announced
 * the task, so it should hold them), else of any peer. A peer that lacks
 * a chunk says so at once (a chunk message with no bytes) — it may still
 * be fetching it itself — and the chunk is asked again shortly, of another
 * peer if there is one; requests that go unanswered are asked again
 * elsewhere after a timeout; a scan of the stored tasks now and then picks
 * up what a restart or a lost peer left missing. */
#include "daemon_impl.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "hex.h"
#include "log.h"

_Static_assert(WIRE_CHUNK_MAX == STORE_BLOB_MAX, "a chunk must fit a blob and a message");

static chunk_want *
want_find(daemon_state *d, const uint8_t hash[static 32])
{
	for (size_t i = 0; i < FETCH_MAX; i++)
		if (d->wants[i].used && memcmp(d->wants[i].hash, hash, 32) == 0)
			return &d->wants[i];
	return NULL;
}

static void
want_add(daemon_state *d, const uint8_t hash[static 32], uint32_t hint)
{
	chunk_want *w;

	if (want_find(d, hash) != NULL || store_blob_has(d->st, hash))
		return;
	for (size_t i = 0; i < FETCH_MAX; i++)
		if (!d->wants[i].used) {
			w = &d->wants[i];
			memset(w, 0, sizeof *w);
			w->used = 1;
			memcpy(w->hash, hash, 32);
			w->hint = hint;
			d->n_wants++;
			return;
		}
	/* full: the periodic scan asks again once some have come */
}

static int
can_ask(const conn *c)
{
	return c->ready && !c->closing && c->chunks_asked < FETCH_PER_PEER;
}

/* A ready peer to ask: first the hint (the peer that sent the task), then
 * the others in turn — the tries-th that can take a request — so a chunk
 * two peers lack is, sooner or later, asked of every peer. */
static conn *
pick(daemon_state *d, chunk_want *w)
{
	conn *c = w->tries == 0 && w->hint ? conn_by_handle(d, w->hint) : NULL;
	unsigned n = 0, k;

	if (c != NULL && can_ask(c))
		return c;
	for (c = d->conns; c != NULL; c = c->next)
		n += (unsigned)can_ask(c);
	if (n == 0)
		return NULL;
	k = w->tries % n;
	for (c = d->conns; c != NULL; c = c->next)
		if (can_ask(c) && k-- == 0)
			return c;
	return NULL;
}

void
fetch_send(daemon_state *d)
{
	uint64_t now = daemon_mono(d);
	wire_msg m = { .type = WIRE_CHUNK_WANT };

	/* what each peer has been asked and not answered yet, counted once */
	for (conn *c = d->conns; c != NULL; c = c->next) {
		c->chunks_asked = 0;
		for (size_t i = 0; i < FETCH_MAX; i++)
			c->chunks_asked += d->wants[i].used && d->wants[i].peer == c->handle;
	}
	for (size_t i = 0; i < FETCH_MAX; i++) {
		chunk_want *w = &d->wants[i];
		conn *c;

		if (!w->used || !timing_fetch_due(w->peer != 0, w->asked_at, w->again_at, now))
			continue;
		w->peer = 0;
		if ((c = pick(d, w)) == NULL)
			continue;
		w->tries++;
		w->peer = c->handle;
		c->chunks_asked++;
		w->asked_at = now;
		m.u.ids.n = 1;
		m.u.ids.ids = w->hash;
		conn_send(c, &m);
	}
}

static int
scan_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	daemon_state *d = ctx;

	(void)env;
	(void)flags;
	for (uint32_t i = 0; i < b->u.task.n_chunks && d->n_wants < FETCH_MAX; i++)
		want_add(d, b->u.task.chunks + 32 * i, 0);
	return d->n_wants >= FETCH_MAX;
}

void
fetch_scan(daemon_state *d)
{

	store_tasks(d->st, NULL, scan_fn, d);
	fetch_send(d);
}

void
fetch_task(daemon_state *d, const rec_env *env, uint32_t from)
{
	body_any b;

	if (rec_body(env, &b) != EM_OK)
		return;
	for (uint32_t i = 0; i < b.u.task.n_chunks; i++)
		want_add(d, b.u.task.chunks + 32 * i, from);
	fetch_send(d);
}

void
fetch_on_want(daemon_state *d, conn *c, const wire_msg *m)
{
	wire_msg out = { .type = WIRE_CHUNK };

	for (uint32_t i = 0; i < m->u.ids.n && !c->closing; i++) {
		uint8_t *bytes;
		size_t len;

		memcpy(out.u.chunk.hash, m->u.ids.ids + 32 * i, 32);
		if (store_blob_get(d->st, m->u.ids.ids + 32 * i, &bytes, &len) != EM_OK) {
			static const uint8_t none[1];

			out.u.chunk.data = none;	/* not here (yet): say so */
			out.u.chunk.len = 0;
			conn_send(c, &out);
			continue;
		}
		out.u.chunk.data = bytes;
		out.u.chunk.len = len;
		conn_send(c, &out);
		d->chunks_out++;
		free(bytes);
	}
}

void
fetch_on_chunk(daemon_state *d, conn *c, const wire_msg *m)
{
	chunk_want *w = want_find(d, m->u.chunk.hash);
	uint8_t h[32];
	char hex[ID_HEX_LEN + 1];
	em_err err;

	if (w == NULL)
		return;		/* late or unasked: dropped, never stored */
	if (m->u.chunk.len == 0) {	/* "I lack it": ask again soon */
		if (w->peer == c->handle) {
			w->peer = 0;
			w->again_at = timing_fetch_again(daemon_mono(d));
		}
		return;
	}
	hash_blake2b(h, m->u.chunk.data, m->u.chunk.len);
	if (memcmp(h, m->u.chunk.hash, 32) != 0) {
		gossip_penalize(d->g, c->handle, PENALTY_INVALID, "a chunk that does not match its hash");
		w->peer = 0;	/* ask someone else */
		return;
	}
	if ((err = store_blob_put(d->st, m->u.chunk.hash, m->u.chunk.data,
	    m->u.chunk.len)) != EM_OK) {
		hex_encode(hex, m->u.chunk.hash, 32);
		log_error("cannot store chunk %.16s: %s", hex, em_strerror(err));
		return;
	}
	w->used = 0;
	d->n_wants--;
	d->chunks_in++;
	fetch_send(d);
}

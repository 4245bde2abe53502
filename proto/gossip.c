/* Eager/lazy dissemination (see gossip.h). */
#include "gossip_impl.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "record.h"

static const gossip_opts defaults = {
	.eager_max = 4, .graft_ms = 150, .want_ms = 1000, .ae_ms = 1000,
	.ae_max_ms = 30000, .ae_bytes = 1024 * 1024, .msg_rate = 2000,
	.msg_burst = 8000, .author_rate = 20000, .answer_rate = 4u << 20,
	.answer_burst = 8u << 20,
};

/* opts with every field left 0 at its default. */
static gossip_opts
opts_or_defaults(const gossip_opts *o)
{
	gossip_opts r = o != NULL ? *o : defaults;

#define DEF(f)	if (r.f == 0) r.f = defaults.f
	DEF(eager_max); DEF(graft_ms); DEF(want_ms); DEF(ae_ms); DEF(ae_max_ms);
	DEF(ae_bytes); DEF(msg_rate); DEF(msg_burst); DEF(author_rate);
	DEF(answer_rate); DEF(answer_burst);
#undef DEF
	return r;
}

em_err
gossip_new(const gossip_host *host, const gossip_opts *opts, gossip **out)
{
	gossip *g;

	*out = NULL;
	if (host->has == NULL || host->ingest == NULL || host->get == NULL ||
	    host->keys_open == NULL || host->keys_seek == NULL || host->keys_next == NULL ||
	    host->keys_count == NULL || host->keys_close == NULL || host->send == NULL ||
	    host->drop == NULL || host->rand == NULL)
		return EM_EINVAL;
	if ((g = calloc(1, sizeof *g)) == NULL)
		return EM_ENOMEM;
	g->h = *host;
	g->o = opts_or_defaults(opts);
	g->ae_period = g->st.ae_period_ms = g->o.ae_ms;
	g->miss_cap = 64;
	g->miss = calloc(g->miss_cap, sizeof *g->miss);
	g->rbuf = malloc(WIRE_RECON_MAX);
	g->lacks = malloc((size_t)LACKS_MAX * 32);
	g->out = calloc(1, sizeof *g->out);
	g->recent_cap = host->backlog != NULL ? RECENT_CAP_LATE : RECENT_CAP;
	g->recent = calloc(g->recent_cap, sizeof *g->recent);
	if (g->o.ae_max_ms < g->o.ae_ms || g->miss == NULL || g->rbuf == NULL ||
	    g->lacks == NULL || g->out == NULL || g->recent == NULL) {
		em_err err = g->o.ae_max_ms < g->o.ae_ms ? EM_EINVAL : EM_ENOMEM;

		gossip_free(g);
		return err;
	}
	*out = g;
	return EM_OK;
}

static void
peer_clear(gpeer *p)
{
	sync_peer_clear(p);
	free(p->have.ids);
	free(p->want.ids);
	free(p->owed.ids);
	free(p->trees);
	push_clear(p);
}

/* --- per-author trees: each link is eager or lazy for each author, so
 * every author's records travel down a tree of their own, shaped by where
 * that author publishes */

static tree *
tree_slot(tree *t, uint32_t cap, const uint8_t author[static 32])
{
	uint32_t i;

	memcpy(&i, author + 4, sizeof i);
	for (i &= cap - 1; t[i].used && memcmp(t[i].author, author, 32) != 0;
	    i = (i + 1) & (cap - 1))
		;
	return &t[i];
}

int
tree_eager(const gpeer *p, const uint8_t author[static 32])
{
	const tree *t;

	if (p->tree_cap == 0)
		return p->eager;
	t = tree_slot(p->trees, p->tree_cap, author);
	return t->used ? t->eager : p->eager;
}

static void
tree_set(gpeer *p, const uint8_t author[static 32], int eager)
{
	tree *t;

	if (2 * (p->tree_n + 1) > p->tree_cap) {
		uint32_t cap = p->tree_cap ? p->tree_cap * 2 : 16;
		tree *nt;

		if (cap > TREES_MAX) {		/* start afresh: trees regrow */
			memset(p->trees, 0, (size_t)p->tree_cap * sizeof *p->trees);
			p->tree_n = 0;
		} else if ((nt = calloc(cap, sizeof *nt)) != NULL) {
			for (uint32_t i = 0; i < p->tree_cap; i++)
				if (p->trees[i].used)
					*tree_slot(nt, cap, p->trees[i].author) = p->trees[i];
			free(p->trees);
			p->trees = nt;
			p->tree_cap = cap;
		} else {
			return;
		}
	}
	t = tree_slot(p->trees, p->tree_cap, author);
	if (!t->used) {
		memcpy(t->author, author, 32);
		t->used = 1;
		p->tree_n++;
	}
	t->eager = (uint8_t)eager;
}

void
gossip_free(gossip *g)
{
	if (g == NULL)
		return;
	for (uint32_t i = 0; i < g->n_peers; i++)
		peer_clear(&g->peers[i]);
	free(g->miss);
	free(g->authors);
	free(g->rbuf);
	free(g->lacks);
	free(g->out);
	free(g->recent);
	free(g);
}

gpeer *
gp_find(gossip *g, uint32_t handle)
{
	for (uint32_t i = 0; i < g->n_peers; i++)
		if (g->peers[i].handle == handle)
			return &g->peers[i];
	return NULL;
}

void
gp_send(gossip *g, uint32_t peer, const wire_msg *m)
{
	uint8_t *buf;
	size_t len;

	/* Our own messages are built within the limits; a failure here is
	 * out of memory, and the message is lost like one on the wire. */
	if (wire_encode(m, &buf, &len) == EM_OK) {
		g->h.send(g->h.ctx, peer, buf, len);
		free(buf);
	}
}

static uint32_t
eager_count(const gossip *g)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < g->n_peers; i++)
		n += g->peers[i].eager != 0;
	return n;
}

em_err
gossip_peer_up(gossip *g, uint32_t peer, uint64_t now_ms)
{
	gpeer *p;

	if (gp_find(g, peer) != NULL)
		return EM_EEXIST;
	if (g->n_peers == PEERS_MAX)
		return EM_ETOOBIG;
	p = &g->peers[g->n_peers++];
	memset(p, 0, sizeof *p);
	p->handle = peer;
	p->eager = eager_count(g) < g->o.eager_max;
	p->tokens = g->o.msg_burst;
	p->refill_ms = p->decay_ms = p->work_ms = now_ms;
	/* one round's work to begin with, as for answers */
	p->work = GOSSIP_WORK_RATE;
	/* one second's answers to begin with: a peer that reconnects to
	 * start afresh gets no more than one that stays */
	bucket_start(&p->answer, g->o.answer_rate < g->o.answer_burst ?
	    g->o.answer_rate : g->o.answer_burst, now_ms);
	if (g->next_ae == 0)
		g->next_ae = now_ms;	/* first exchange right away */
	else if (g->next_ae > now_ms + g->o.ae_ms)
		g->next_ae = now_ms + g->o.ae_ms;	/* a new peer: sync soon */
	return EM_OK;
}

void
gossip_peer_down(gossip *g, uint32_t peer)
{
	gpeer *p = gp_find(g, peer);

	if (p == NULL)
		return;
	peer_clear(p);
	*p = g->peers[--g->n_peers];
	/* Announcers that left stay in missing entries: asking them fails
	 * quietly and the next one is tried. */
}

void
gossip_penalize(gossip *g, uint32_t peer, int points, const char *why)
{
	gpeer *p = gp_find(g, peer);

	if (p == NULL)
		return;
	p->score += points;
	if (p->score >= GOSSIP_BAN_SCORE) {
		gossip_peer_down(g, peer);
		g->h.drop(g->h.ctx, peer, why, 1);
	}
}

/* --- records messages built from copies */

int
gossip_answer(gossip *g, uint32_t peer, size_t bytes, uint64_t now_ms)
{
	gpeer *p = gp_find(g, peer);

	return p != NULL && bucket_take(&p->answer, g->o.answer_rate, g->o.answer_burst,
	    bytes, now_ms);
}

void
batch_init(batch *b, gossip *g, uint32_t peer, int how, uint32_t budget, uint64_t now)
{
	b->g = g;
	b->peer = peer;
	b->how = how;
	b->n = 0;
	b->bytes = 0;
	b->budget = budget;
	b->now = now;
}

void
batch_send(batch *b)
{
	wire_msg m;

	if (b->n == 0)
		return;
	m.type = WIRE_RECORDS;
	m.u.records.how = b->how;
	m.u.records.n = b->n;
	for (uint32_t i = 0; i < b->n; i++) {
		m.u.records.rec[i] = b->rec[i];
		m.u.records.len[i] = b->len[i];
	}
	gp_send(b->g, b->peer, &m);
	for (uint32_t i = 0; i < b->n; i++)
		free(b->rec[i]);
	b->n = 0;
	b->bytes = 0;
}

void
batch_take(batch *b, uint8_t *rec, size_t len)
{
	if (b->budget == 0) {
		free(rec);
		return;
	}
	if (b->n == WIRE_RECORDS_MAX || (b->n > 0 && b->bytes + len > BATCH_BYTES))
		batch_send(b);
	b->rec[b->n] = rec;
	b->len[b->n++] = len;
	b->bytes += len;
	b->budget--;
}

int
batch_add(batch *b, const uint8_t *rec, size_t len)
{
	uint8_t *copy;

	if (b->budget == 0)
		return 0;
	if (!gossip_answer(b->g, b->peer, len, b->now)) {
		b->budget = 0;	/* in order: nothing after the first that waits */
		return 0;
	}
	if ((copy = malloc(len)) == NULL)
		return 1;	/* lost like a message on the wire */
	memcpy(copy, rec, len);
	batch_take(b, copy, len);
	return 1;
}

/* --- queued announcements */

static void
idbuf_push(idbuf *b, const uint8_t id[static 32])
{
	if (b->n == b->cap) {
		uint32_t cap = b->cap ? b->cap * 2 : 16;
		uint8_t *ids;

		if (cap > WIRE_IDS_MAX || (ids = realloc(b->ids, (size_t)cap * 32)) == NULL)
			return;	/* full: anti-entropy covers what is not announced */
		b->ids = ids;
		b->cap = cap;
	}
	memcpy(b->ids + (size_t)b->n++ * 32, id, 32);
}

void
have_push(gpeer *p, const uint8_t id[static 32])
{
	idbuf_push(&p->have, id);
}

void
want_push(gpeer *p, const uint8_t id[static 32])
{
	idbuf_push(&p->want, id);
}

static void
idbuf_send(gossip *g, uint32_t peer, idbuf *b, uint8_t type)
{
	wire_msg m;

	if (b->n == 0)
		return;
	m.type = type;
	m.u.ids.n = b->n;
	m.u.ids.ids = b->ids;
	gp_send(g, peer, &m);
	b->n = 0;
}

void
gossip_flush(gossip *g)
{
	push_drain(g);
	for (uint32_t i = 0; i < g->n_peers; i++) {
		idbuf_send(g, g->peers[i].handle, &g->peers[i].have, WIRE_HAVE);
		idbuf_send(g, g->peers[i].handle, &g->peers[i].want, WIRE_WANT);
	}
}

/* --- dissemination */

/* Pushes a new record to the eager peers and queues its id for the lazy
 * ones — for every peer when lazy is set; from is the peer it came from
 * (not sent back), or UINT32_MAX. */
static void
spread(gossip *g, const uint8_t *rec, size_t len, const uint8_t id[static 32],
    const uint8_t author[static 32], uint32_t from, int lazy, const missing *e)
{
	wire_msg m;
	uint8_t *enc = NULL;
	size_t elen = 0;

	m.type = WIRE_RECORDS;
	m.u.records.how = WIRE_PUSH;
	m.u.records.n = 1;
	m.u.records.rec[0] = rec;
	m.u.records.len[0] = len;
	for (uint32_t i = 0; i < g->n_peers; i++) {
		gpeer *p = &g->peers[i];

		if (p->handle == from || (e != NULL && miss_announced(e, p->handle)))
			continue;
		if (lazy || !tree_eager(p, author)) {
			idbuf_push(&p->have, id);
			continue;
		}
		if (push_later(g, p, id))
			continue;
		/* one encoding serves every eager peer; out of memory, the push
		 * is lost like a message on the wire and the haves repair it */
		if (enc == NULL && wire_encode(&m, &enc, &elen) != EM_OK)
			continue;
		g->h.send(g->h.ctx, p->handle, enc, elen);
	}
	free(enc);
}

void
gossip_publish(gossip *g, const rec_env *env, uint64_t now_ms)
{
	missing *e;

	g->now = now_ms;
	e = miss_find(g, env->id);
	sync_arrived(g, env->id, now_ms);
	spread(g, env->bytes, env->len, env->id, env->author, UINT32_MAX, 0, e);
	if (e != NULL)
		miss_del(g, e);
}

static author_rate *
author_slot(author_rate *t, uint32_t cap, const uint8_t author[static 32])
{
	uint32_t i;

	memcpy(&i, author, sizeof i);	/* node ids are public keys: uniform */
	for (i &= cap - 1; t[i].used && memcmp(t[i].author, author, 32) != 0;
	    i = (i + 1) & (cap - 1))
		;
	return &t[i];
}

/* Doubles the table, or at AUTHORS_MAX starts it afresh (counts restart:
 * the limit is a brake on floods, not an account). */
static int
authors_grow(gossip *g)
{
	uint32_t cap = g->auth_cap ? g->auth_cap * 2 : 64;
	author_rate *nt;

	if (cap > AUTHORS_MAX) {
		memset(g->authors, 0, (size_t)g->auth_cap * sizeof *g->authors);
		g->auth_n = 0;
		return 0;
	}
	if ((nt = calloc(cap, sizeof *nt)) == NULL)
		return -1;
	for (uint32_t i = 0; i < g->auth_cap; i++)
		if (g->authors[i].used)
			*author_slot(nt, cap, g->authors[i].author) = g->authors[i];
	free(g->authors);
	g->authors = nt;
	g->auth_cap = cap;
	return 0;
}

/* Whether an author may add another record this minute. */
static int
author_allows(gossip *g, const uint8_t author[static 32], uint64_t now)
{
	uint64_t window = now / 60000;
	author_rate *a;

	if (2 * (g->auth_n + 1) > g->auth_cap && authors_grow(g) != 0)
		return 1;	/* out of memory: do not hold records back */
	a = author_slot(g->authors, g->auth_cap, author);
	if (!a->used) {
		memcpy(a->author, author, 32);
		a->used = 1;
		g->auth_n++;
	}
	if (a->window != window) {
		a->window = window;
		a->count = 0;
	}
	return ++a->count <= g->o.author_rate;
}

/* One record from peer, come as how. Returns 1 if it was a duplicate
 * (its author then in dup_author). */
static int
take_record(gossip *g, gpeer *p, const uint8_t *rec, size_t len, int how,
    uint64_t now, uint8_t dup_author[static 32])
{
	uint8_t id[32];
	rec_env env;
	missing *e;
	int v;

	g->st.received[how]++;
	hash_blake2b(id, rec, len);
	sync_peer_has(g, id, p->handle, now);	/* not pushed back to it */
	if (g->h.has(g->h.ctx, id)) {	/* dropped before it is decoded */
		g->st.duplicates[how]++;
		return rec_author(rec, len, dup_author) == EM_OK;
	}
	/* the one parse: the host gets env and checks the signature */
	if (rec_parse(rec, len, &env, NULL) != EM_OK) {
		gossip_penalize(g, p->handle, PENALTY_INVALID, "malformed record");
		return 0;
	}
	if (!author_allows(g, env.author, now))
		return 0;	/* over the author's rate: anti-entropy retries later */
	v = g->h.ingest(g->h.ctx, &env, how);
	if (v == GOSSIP_INVALID) {
		gossip_penalize(g, p->handle, PENALTY_INVALID, "invalid record");
		return 0;
	}
	if (v == GOSSIP_DUP) {
		g->st.duplicates[how]++;
		memcpy(dup_author, env.author, 32);
		return 1;
	}
	if (v == GOSSIP_LATER)
		return 0;
	/* pushed or grafted, p is upstream in the author's tree: pushing
	 * that author's records back to it would send them where they are */
	if (how != WIRE_SYNC)
		tree_set(p, env.author, 0);
	/* equivocation evidence too; what reconciliation brought, most peers
	 * hold already: announced, not pushed (and the round stays short) */
	if (how == WIRE_SYNC)
		sync_found(g, 1, now);
	sync_arrived(g, id, now);
	if (v == GOSSIP_HELD)	/* spread when it is durable: gossip_stored */
		return 0;
	e = miss_find(g, id);
	spread(g, rec, len, id, env.author, p->handle, how == WIRE_SYNC, e);
	if (e != NULL)
		miss_del(g, e);
	return 0;
}

void
gossip_stored(gossip *g, const rec_env *env, uint32_t from, int how)
{
	missing *e = miss_find(g, env->id);

	spread(g, env->bytes, env->len, env->id, env->author, from, how == WIRE_SYNC, e);
	if (e != NULL)
		miss_del(g, e);
}

/* A pushed duplicate: this link is redundant in the author's tree. The
 * peer pushes to us by its own view of the link, whatever ours is, so it
 * is told in any case; and we stop pushing that author's records to it. */
static void
prune(gossip *g, gpeer *p, const uint8_t author[static 32])
{
	wire_msg m = { .type = WIRE_PRUNE };

	tree_set(p, author, 0);
	memcpy(m.u.author, author, 32);
	gp_send(g, p->handle, &m);
}

static void
recv_records(gossip *g, uint32_t peer, const wire_msg *m, uint64_t now)
{
	uint8_t author[32];
	gpeer *p;

	for (uint32_t i = 0; i < m->u.records.n; i++) {
		/* a penalty may have dropped the peer mid-message */
		if ((p = gp_find(g, peer)) == NULL)
			return;
		if (take_record(g, p, m->u.records.rec[i], m->u.records.len[i],
		    m->u.records.how, now, author) && m->u.records.how == WIRE_PUSH)
			prune(g, p, author);
	}
}

/* Sends peer the records it wanted, oldest want first, while its answer
 * budget holds them; the rest wait in its owed list for a later call.
 * Ids no longer held are passed over (it asks another announcer). */
static void
answer_owed(gossip *g, uint32_t peer, uint64_t now)
{
	uint32_t done = 0;
	gpeer *p;
	batch b;

	batch_init(&b, g, peer, WIRE_GRAFT, WIRE_IDS_MAX, now);
	/* sending may drop a peer and move others: found again each time */
	while ((p = gp_find(g, peer)) != NULL && done < p->owed.n) {
		uint8_t *rec, author[32];
		size_t len;

		if (g->h.get(g->h.ctx, p->owed.ids + (size_t)done * 32, &rec, &len) != 0) {
			done++;
			continue;
		}
		if (!batch_add(&b, rec, len)) {
			free(rec);
			break;
		}
		/* a graft: the link carries this author's pushes again (and
		 * this record is not pushed to it as well) */
		if ((p = gp_find(g, peer)) == NULL) {
			free(rec);
			break;
		}
		sync_peer_has(g, p->owed.ids + (size_t)done * 32, peer, now);
		if (rec_author(rec, len, author) == EM_OK)
			tree_set(p, author, 1);
		free(rec);
		done++;
	}
	batch_send(&b);
	if ((p = gp_find(g, peer)) != NULL && done > 0) {
		p->owed.n -= done;
		memmove(p->owed.ids, p->owed.ids + (size_t)done * 32, (size_t)p->owed.n * 32);
	}
}

/* Wanted ids join the peer's owed list and are answered as its budget
 * allows. An honest peer wants what it was told of and waits for it;
 * one whose wants pile up beyond OWED_MAX asks for more than it can
 * receive, and pays for it. */
static void
recv_want(gossip *g, uint32_t peer, const wire_msg *m, uint64_t now)
{
	gpeer *p = gp_find(g, peer);
	uint32_t over = 0;

	for (uint32_t i = 0; i < m->u.ids.n; i++) {
		uint32_t had = p->owed.n;

		if (had < OWED_MAX)
			idbuf_push(&p->owed, m->u.ids.ids + (size_t)i * 32);
		over += had == OWED_MAX;	/* out of memory is not its fault */
	}
	if (over > 0)
		gossip_penalize(g, peer, PENALTY_FLOOD, "wants for more than it can receive");
	answer_owed(g, peer, now);
}

/* Token bucket per peer: messages beyond the rate cost it points. */
static int
within_rate(gossip *g, gpeer *p, uint64_t now)
{
	if (now > p->refill_ms) {
		p->tokens += (double)(now - p->refill_ms) * g->o.msg_rate / 1000.0;
		if (p->tokens > g->o.msg_burst)
			p->tokens = g->o.msg_burst;
		p->refill_ms = now;
	}
	if (p->tokens < 1.0)
		return 0;
	p->tokens -= 1.0;
	return 1;
}

int
gossip_admit(gossip *g, uint32_t peer, uint64_t now_ms)
{
	gpeer *p = gp_find(g, peer);

	if (p == NULL)
		return 0;
	if (within_rate(g, p, now_ms))
		return 1;
	gossip_penalize(g, peer, PENALTY_FLOOD, "message flood");
	return 0;
}

void
gossip_recv(gossip *g, uint32_t peer, const wire_msg *m, uint64_t now_ms)
{
	gpeer *p = gp_find(g, peer);

	if (p == NULL)
		return;
	g->now = now_ms;
	switch (m->type) {
	case WIRE_RECORDS:	recv_records(g, peer, m, now_ms); break;
	case WIRE_HAVE:		want_have(g, peer, m, now_ms); break;
	case WIRE_WANT:		recv_want(g, peer, m, now_ms); break;
	case WIRE_RECON:	sync_recv(g, peer, m, now_ms); break;
	case WIRE_PRUNE:	tree_set(p, m->u.author, 0); break;
	default:		break;	/* the host's messages */
	}
}

void
gossip_tick(gossip *g, uint64_t now_ms)
{
	g->now = now_ms;
	for (uint32_t i = 0; i < g->n_peers; i++) {
		gpeer *p = &g->peers[i];

		/* scores fade: a point a second, so only a steady fault bans */
		if (now_ms >= p->decay_ms + 1000) {
			p->score = p->score > 0 ? p->score - 1 : 0;
			p->decay_ms = now_ms;
		}
	}
	for (uint32_t i = 0; i < g->n_peers; i++)	/* a drop reorders: a peer
							 * missed waits a tick */
		if (g->peers[i].owed.n > 0)
			answer_owed(g, g->peers[i].handle, now_ms);
	want_tick(g, now_ms);
	sync_tick(g, now_ms);
	if (g->n_peers > 0 && now_ms >= g->next_ae)
		sync_start(g, now_ms);
	gossip_flush(g);
}

uint32_t
gossip_peers(const gossip *g, gossip_peer_info *out, uint32_t cap)
{
	for (uint32_t i = 0; i < g->n_peers && i < cap; i++) {
		out[i].peer = g->peers[i].handle;
		out[i].eager = g->peers[i].eager;
		out[i].score = g->peers[i].score;
	}
	return g->n_peers;
}

uint64_t
gossip_last_sync(const gossip *g)
{
	return g->last_sync;
}

void
gossip_get_stats(const gossip *g, gossip_stats *out)
{
	*out = g->st;
}

/* The network simulator (see sim.h). */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gossip.h"
#include "hash.h"
#include "netkey.h"
#include "record.h"
#include "testutil.h"

#define TICK_MS		50
#define NOBODY		UINT32_MAX

typedef struct node {
	struct sim	*s;
	uint32_t	 idx;
	gossip		*g;
	uint32_t	*adj, *lat, deg;
	uint8_t		*held;		/* bit per pool record */
	uint64_t	*by_id;		/* ... bit per record in id order */
	uint32_t	 n_held;
	uint32_t	 pos;		/* the key view's cursor: a rank */
	int		 at_end;
	uint64_t	*contig, *max;	/* per author */
	uint64_t	 rng;
	int		 dead;
} node;

typedef struct event {
	uint64_t	 t, seq;
	uint32_t	 dst, src;
	uint8_t		*msg;
	size_t		 len;
} event;

struct sim {
	sim_opts	 o;
	node		*nodes;
	uint64_t	 now, next_tick, seq, rng;
	event		*heap;
	size_t		 heap_n, heap_cap;
	int		 partitioned;
	/* the record pool */
	uint8_t		**rec;
	size_t		*len;
	uint8_t		(*id)[32];
	uint8_t		(*author)[32];
	uint32_t	*idmap;		/* open addressing: id -> pool index + 1 */
	uint32_t	 idmap_cap;
	uint32_t	*rank;		/* pool index -> rank in id order */
	uint8_t		(*sorted)[32];	/* the ids in id order: walked in order,
					 * they stay in cache */
	/* tracking */
	uint32_t	 cur_src;
	uint64_t	*pub_t, *first, *copies, *pushed;
	uint32_t	*pub_node;
	uint16_t	*hops;
	uint64_t	 drops, messages, bytes;
};

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p == NULL) {
		fprintf(stderr, "sim: out of memory\n");
		exit(1);
	}
	return p;
}

static uint64_t
rnd(uint64_t *state)	/* splitmix64: small, fast, reproducible */
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int
bit(const uint8_t *set, uint32_t i)
{
	return set[i / 8] >> (i % 8) & 1;
}

static uint32_t
pool_index(const sim *s, const uint8_t id[static 32])
{
	uint32_t h;

	memcpy(&h, id, sizeof h);
	for (h &= s->idmap_cap - 1; s->idmap[h]; h = (h + 1) & (s->idmap_cap - 1))
		if (memcmp(s->id[s->idmap[h] - 1], id, 32) == 0)
			return s->idmap[h] - 1;
	return NOBODY;
}

/* Marks record r held at node n, as the store would. */
static void
hold(sim *s, node *n, uint32_t r)
{
	uint32_t a = r % s->o.authors, R = s->o.records;

	n->held[r / 8] |= (uint8_t)(1u << (r % 8));
	n->by_id[s->rank[r] / 64] |= 1ull << (s->rank[r] % 64);
	n->n_held++;
	if (r / s->o.authors + 1 > n->max[a])
		n->max[a] = r / s->o.authors + 1;
	/* seq k of author a is pool record (k - 1) * authors + a */
	while (n->contig[a] < n->max[a] &&
	    bit(n->held, (uint32_t)(n->contig[a] * s->o.authors + a)))
		n->contig[a]++;
	s->first[(size_t)n->idx * R + r] = s->now;
	s->hops[(size_t)n->idx * R + r] = s->cur_src == NOBODY ? 0 :
	    (uint16_t)(s->hops[(size_t)s->cur_src * R + r] + 1);
}

/* --- the host callbacks */

static int
h_has(void *ctx, const uint8_t id[static 32])
{
	node *n = ctx;
	uint32_t r = pool_index(n->s, id);

	return r != NOBODY && bit(n->held, r);
}

/* env is gossip's parse of the bytes received: it must describe them
 * whole, its id theirs (gossip.h), so the sim checks that and does not
 * parse again. */
static int
h_ingest(void *ctx, const rec_env *env, int how)
{
	node *n = ctx;
	uint8_t id[32];
	uint32_t r;

	(void)how;
	hash_blake2b(id, env->bytes, env->len);
	if (memcmp(id, env->id, 32) != 0 || env->body < env->bytes ||
	    env->body + env->body_len > env->sig || env->sig + 64 != env->bytes + env->len)
		abort();	/* gossip handed over an envelope not of these bytes */
	if ((r = pool_index(n->s, env->id)) == NOBODY)
		return GOSSIP_INVALID;	/* only pool records are valid here */
	if (bit(n->held, r))
		return GOSSIP_DUP;
	hold(n->s, n, r);
	return GOSSIP_NEW;
}

static int
h_get(void *ctx, const uint8_t id[static 32], uint8_t **rec, size_t *len)
{
	node *n = ctx;
	uint32_t r = pool_index(n->s, id);

	if (r == NOBODY || !bit(n->held, r))
		return -1;
	*rec = xcalloc(1, n->s->len[r]);
	memcpy(*rec, n->s->rec[r], n->s->len[r]);
	*len = n->s->len[r];
	return 0;
}

/* The node's record ids as reconciliation's key set: the pool's ids in
 * id order (s->sorted), those the node holds marked in n->by_id. */

static int
h_keys_open(void *ctx)
{
	(void)ctx;
	return 0;
}

static void
h_keys_close(void *ctx)
{
	(void)ctx;
}

/* The first rank >= from that the node holds, or NOBODY. */
static uint32_t
held_from(const node *n, uint64_t from)
{
	uint64_t R = n->s->o.records, w = from / 64, bits;

	if (from >= R)
		return NOBODY;
	for (bits = n->by_id[w] & (~0ull << (from % 64)); bits == 0; bits = n->by_id[w])
		if (++w >= (R + 63) / 64)
			return NOBODY;
	return (uint32_t)(w * 64 + (uint64_t)__builtin_ctzll(bits));
}

static int
at_rank(node *n, uint32_t rank, uint8_t key[static 32])
{
	n->at_end = rank == NOBODY;
	if (n->at_end)
		return 0;
	n->pos = rank;
	memcpy(key, n->s->sorted[rank], 32);
	return 1;
}

static int
h_keys_seek(void *ctx, const uint8_t from[static 32], uint8_t key[static 32])
{
	node *n = ctx;
	sim *s = n->s;
	uint32_t lo = 0, hi = s->o.records;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (memcmp(s->sorted[mid], from, 32) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return at_rank(n, held_from(n, lo), key);
}

static int
h_keys_next(void *ctx, uint8_t key[static 32])
{
	node *n = ctx;

	if (n->at_end)
		return 0;
	return at_rank(n, held_from(n, (uint64_t)n->pos + 1), key);
}

static int
h_keys_count(void *ctx, uint64_t *count)
{
	*count = ((node *)ctx)->n_held;
	return 0;
}

static int
half(const sim *s, uint32_t i)
{
	return i < s->o.nodes / 2;
}

static uint32_t
link_latency(const node *n, uint32_t peer)
{
	for (uint32_t i = 0; i < n->deg; i++)
		if (n->adj[i] == peer)
			return n->lat[i];
	return 0;
}

static void
heap_push(sim *s, event e)
{
	size_t i;

	if (s->heap_n == s->heap_cap) {
		s->heap_cap = s->heap_cap ? s->heap_cap * 2 : 4096;
		if ((s->heap = realloc(s->heap, s->heap_cap * sizeof *s->heap)) == NULL)
			exit(1);
	}
	for (i = s->heap_n++; i > 0; i = (i - 1) / 2) {
		event *p = &s->heap[(i - 1) / 2];

		if (p->t < e.t || (p->t == e.t && p->seq < e.seq))
			break;
		s->heap[i] = *p;
	}
	s->heap[i] = e;
}

static event
heap_pop(sim *s)
{
	event top = s->heap[0], last = s->heap[--s->heap_n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= s->heap_n)
			break;
		if (c + 1 < s->heap_n && (s->heap[c + 1].t < s->heap[c].t ||
		    (s->heap[c + 1].t == s->heap[c].t && s->heap[c + 1].seq < s->heap[c].seq)))
			c++;
		if (last.t < s->heap[c].t || (last.t == s->heap[c].t && last.seq < s->heap[c].seq))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (s->heap_n > 0)
		s->heap[i] = last;
	return top;
}

static void
h_send(void *ctx, uint32_t peer, const uint8_t *msg, size_t len)
{
	node *n = ctx;
	sim *s = n->s;
	event e;

	s->messages++;
	s->bytes += len;
	if ((double)(rnd(&s->rng) >> 11) / 9007199254740992.0 < s->o.loss)
		return;
	if (s->partitioned && half(s, n->idx) != half(s, peer))
		return;
	e.t = s->now + link_latency(n, peer);
	e.seq = s->seq++;
	e.dst = peer;
	e.src = n->idx;
	e.len = len;
	e.msg = xcalloc(1, len);
	memcpy(e.msg, msg, len);
	heap_push(s, e);
}

static void
h_drop(void *ctx, uint32_t peer, const char *reason, int ban)
{
	node *n = ctx;

	(void)reason;
	(void)ban;
	n->s->drops++;
	gossip_peer_down(n->s->nodes[peer].g, n->idx);	/* the other end sees it close */
}

static uint64_t
h_rand(void *ctx)
{
	return rnd(&((node *)ctx)->rng);
}

/* --- construction */

static void
add_link(sim *s, uint32_t a, uint32_t b, uint32_t lat)
{
	node *x = &s->nodes[a], *y = &s->nodes[b];

	x->adj = realloc(x->adj, (x->deg + 1) * sizeof *x->adj);
	x->lat = realloc(x->lat, (x->deg + 1) * sizeof *x->lat);
	y->adj = realloc(y->adj, (y->deg + 1) * sizeof *y->adj);
	y->lat = realloc(y->lat, (y->deg + 1) * sizeof *y->lat);
	if (!x->adj || !x->lat || !y->adj || !y->lat)
		exit(1);
	x->adj[x->deg] = b;
	x->lat[x->deg++] = lat;
	y->adj[y->deg] = a;
	y->lat[y->deg++] = lat;
}

static int
linked(const sim *s, uint32_t a, uint32_t b)
{
	return link_latency(&s->nodes[a], b) != 0 || a == b;
}

/* A ring (so the mesh is connected) plus random links up to the degree. */
static void
make_mesh(sim *s)
{
	uint32_t n = s->o.nodes, span = s->o.lat_max_ms - s->o.lat_min_ms + 1;
	uint64_t want = (uint64_t)n * s->o.degree / 2, have = 0;

	for (uint32_t i = 0; i < n && n > 1; i++, have++)
		if (!linked(s, i, (i + 1) % n))
			add_link(s, i, (i + 1) % n, s->o.lat_min_ms + (uint32_t)(rnd(&s->rng) % span));
	for (uint64_t tries = 0; have < want && tries < 100 * want; tries++) {
		uint32_t a = (uint32_t)(rnd(&s->rng) % n), b = (uint32_t)(rnd(&s->rng) % n);

		if (linked(s, a, b))
			continue;
		add_link(s, a, b, s->o.lat_min_ms + (uint32_t)(rnd(&s->rng) % span));
		have++;
	}
}

/* A small record: a revocation (about 150 bytes instead of a result's
 * 850), for runs with a million of them. */
static void
small_record(const ident *who, const uint8_t netid[static 32], uint64_t seq,
    uint32_t r, uint8_t **rec, size_t *len)
{
	body_any b;
	uint8_t *enc;
	size_t elen;

	memset(&b, 0, sizeof b);
	b.kind = REC_REVOKE;
	memcpy(b.u.ref.target, &r, sizeof r);
	if (body_encode(&b, &enc, &elen) != EM_OK ||
	    rec_seal(who, netid, REC_REVOKE, seq, 1700000000000ULL + seq, enc, elen,
	    rec, len, NULL) != EM_OK) {
		fprintf(stderr, "sim: cannot build a record\n");
		exit(1);
	}
	free(enc);
}

typedef struct ranked {
	uint8_t		id[32];
	uint32_t	r;
} ranked;

static int
cmp_ranked(const void *a, const void *b)
{
	return memcmp(((const ranked *)a)->id, ((const ranked *)b)->id, 32);
}

/* The pool in id order: rank[r] and the ids sorted. */
static void
rank_pool(sim *s)
{
	uint32_t R = s->o.records;
	ranked *t = xcalloc(R, sizeof *t);

	for (uint32_t r = 0; r < R; r++) {
		memcpy(t[r].id, s->id[r], 32);
		t[r].r = r;
	}
	qsort(t, R, sizeof *t, cmp_ranked);
	s->rank = xcalloc(R, sizeof *s->rank);
	s->sorted = xcalloc(R, sizeof *s->sorted);
	for (uint32_t k = 0; k < R; k++) {
		s->rank[t[k].r] = k;
		memcpy(s->sorted[k], t[k].id, 32);
	}
	free(t);
}

/* The pool: record r is seq r / authors + 1 of author r % authors. Each
 * author's key lives (in guarded memory) only while its records are
 * signed: a run may have a hundred thousand authors. */
static void
make_pool(sim *s)
{
	uint8_t key[32], netid[32];
	uint32_t R = s->o.records;

	hash_init();
	netkey_open(key);
	netkey_id(key, netid);
	s->rec = xcalloc(R, sizeof *s->rec);
	s->len = xcalloc(R, sizeof *s->len);
	s->id = xcalloc(R, sizeof *s->id);
	s->author = xcalloc(s->o.authors, sizeof *s->author);
	for (uint32_t a = 0; a < s->o.authors; a++) {
		uint8_t seed[32];
		ident *who;

		/* keys, and so every id, come from the run's seed */
		for (int k = 0; k < 32; k += 8) {
			uint64_t v = rnd(&s->rng);

			memcpy(seed + k, &v, 8);
		}
		if (ident_from_seed(seed, &who) != EM_OK)
			exit(1);
		memcpy(s->author[a], ident_pk(who), 32);
		for (uint32_t r = a; r < R; r += s->o.authors) {
			if (s->o.small)
				small_record(who, netid, r / s->o.authors + 1, r, &s->rec[r],
				    &s->len[r]);
			else
				tu_record(who, netid, r / s->o.authors + 1, r, &s->rec[r],
				    &s->len[r]);
			hash_blake2b(s->id[r], s->rec[r], s->len[r]);
		}
		ident_free(who);
	}
	for (s->idmap_cap = 64; s->idmap_cap < 4 * R; s->idmap_cap *= 2)
		;
	s->idmap = xcalloc(s->idmap_cap, sizeof *s->idmap);
	for (uint32_t r = 0; r < R; r++) {
		uint32_t h;

		memcpy(&h, s->id[r], sizeof h);
		for (h &= s->idmap_cap - 1; s->idmap[h]; h = (h + 1) & (s->idmap_cap - 1))
			;
		s->idmap[h] = r + 1;
	}
	rank_pool(s);
}

sim *
sim_new(const sim_opts *opts)
{
	sim *s = xcalloc(1, sizeof *s);
	gossip_host h = { .has = h_has, .ingest = h_ingest, .get = h_get,
	    .keys_open = h_keys_open, .keys_seek = h_keys_seek, .keys_next = h_keys_next,
	    .keys_count = h_keys_count, .keys_close = h_keys_close, .send = h_send,
	    .drop = h_drop, .rand = h_rand };
	uint32_t n, R;

	s->o = *opts;
	n = s->o.nodes;
	R = s->o.records;
	s->rng = s->o.seed;
	s->cur_src = NOBODY;
	s->nodes = xcalloc(n, sizeof *s->nodes);
	make_pool(s);
	s->pub_t = xcalloc(R, sizeof *s->pub_t);
	s->pub_node = xcalloc(R, sizeof *s->pub_node);
	s->copies = xcalloc(R, sizeof *s->copies);
	s->pushed = xcalloc(R, sizeof *s->pushed);
	s->first = xcalloc((size_t)n * R, sizeof *s->first);
	s->hops = xcalloc((size_t)n * R, sizeof *s->hops);
	for (uint32_t i = 0; i < n; i++) {
		node *x = &s->nodes[i];

		x->s = s;
		x->idx = i;
		x->rng = s->o.seed * 1000003 + i;
		x->held = xcalloc((R + 7) / 8, 1);
		x->by_id = xcalloc((R + 63) / 64, sizeof *x->by_id);
		x->contig = xcalloc(s->o.authors, sizeof *x->contig);
		x->max = xcalloc(s->o.authors, sizeof *x->max);
		h.ctx = x;
		if (gossip_new(&h, s->o.gossip, &x->g) != EM_OK)
			exit(1);
	}
	make_mesh(s);
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t k = 0; k < s->nodes[i].deg; k++)
			gossip_peer_up(s->nodes[i].g, s->nodes[i].adj[k], 0);
	s->next_tick = TICK_MS;
	return s;
}

void
sim_free(sim *s)
{
	if (s == NULL)
		return;
	for (uint32_t i = 0; i < s->o.nodes; i++) {
		node *x = &s->nodes[i];

		gossip_free(x->g);
		free(x->adj);
		free(x->lat);
		free(x->held);
		free(x->by_id);
		free(x->contig);
		free(x->max);
	}
	while (s->heap_n > 0)
		free(heap_pop(s).msg);
	for (uint32_t r = 0; r < s->o.records; r++)
		free(s->rec[r]);
	free(s->heap); free(s->nodes); free(s->rec); free(s->len); free(s->id);
	free(s->author); free(s->idmap); free(s->pub_t); free(s->pub_node);
	free(s->copies); free(s->pushed); free(s->first); free(s->hops);
	free(s->rank); free(s->sorted);
	free(s);
}

/* --- running */

uint64_t
sim_now(const sim *s)
{
	return s->now;
}

void
sim_preload(sim *s, uint32_t node_idx, uint32_t r)
{
	node *x = &s->nodes[node_idx];

	if (bit(x->held, r))
		return;
	s->pub_node[r] = node_idx;
	s->cur_src = NOBODY;
	hold(s, x, r);
}

void
sim_node_stats(sim *s, uint32_t node_idx, struct gossip_stats *out)
{
	gossip_get_stats(s->nodes[node_idx].g, out);
}

void
sim_publish(sim *s, uint32_t node_idx, uint32_t r)
{
	node *x = &s->nodes[node_idx];
	rec_env env;

	s->pub_t[r] = s->now;
	s->pub_node[r] = node_idx;
	s->cur_src = NOBODY;
	hold(s, x, r);
	/* the pool's records are built well formed: a failure is the sim's bug */
	if (rec_parse(s->rec[r], s->len[r], &env, NULL) != EM_OK)
		abort();
	gossip_publish(x->g, &env, s->now);
	gossip_flush(x->g);
}

static void
deliver(sim *s, event *e)
{
	node *x = &s->nodes[e->dst];
	wire_msg m;

	if (x->dead || s->nodes[e->src].dead)
		return;
	if (wire_decode(e->msg, e->len, &m) != EM_OK) {
		fprintf(stderr, "sim: a node sent a message that does not decode\n");
		abort();
	}
	if (m.type == WIRE_RECORDS)
		for (uint32_t i = 0; i < m.u.records.n; i++) {
			uint8_t id[32];
			uint32_t r;

			hash_blake2b(id, m.u.records.rec[i], m.u.records.len[i]);
			if ((r = pool_index(s, id)) != NOBODY) {
				s->copies[r]++;
				s->pushed[r] += m.u.records.how == WIRE_PUSH;
			}
		}
	s->cur_src = e->src;
	if (gossip_admit(x->g, e->src, s->now))
		gossip_recv(x->g, e->src, &m, s->now);
	gossip_flush(x->g);
	s->cur_src = NOBODY;
}

void
sim_run_until(sim *s, uint64_t t_ms)
{
	while (s->now < t_ms) {
		uint64_t next = s->next_tick;

		if (s->heap_n > 0 && s->heap[0].t < next)
			next = s->heap[0].t;
		if (next > t_ms) {
			s->now = t_ms;
			break;
		}
		s->now = next;
		if (s->heap_n > 0 && s->heap[0].t == next) {
			event e = heap_pop(s);

			deliver(s, &e);
			free(e.msg);
			continue;
		}
		for (uint32_t i = 0; i < s->o.nodes; i++)
			if (!s->nodes[i].dead)
				gossip_tick(s->nodes[i].g, s->now);
		s->next_tick += TICK_MS;
	}
}

void
sim_crash(sim *s, uint32_t node_idx)
{
	s->nodes[node_idx].dead = 1;
}

void
sim_partition(sim *s, int on)
{
	s->partitioned = on;
}

/* Marks the live nodes reachable from start over live, uncut links. */
static uint32_t
reach(sim *s, uint32_t start, uint8_t *seen)
{
	uint32_t *queue = xcalloc(s->o.nodes, sizeof *queue), head = 0, tail = 0;

	memset(seen, 0, s->o.nodes);
	seen[start] = 1;
	queue[tail++] = start;
	while (head < tail) {
		node *x = &s->nodes[queue[head++]];

		for (uint32_t k = 0; k < x->deg; k++) {
			uint32_t y = x->adj[k];

			if (seen[y] || s->nodes[y].dead ||
			    (s->partitioned && half(s, x->idx) != half(s, y)))
				continue;
			seen[y] = 1;
			queue[tail++] = y;
		}
	}
	free(queue);
	return tail;
}

int
sim_run_until_held(sim *s, uint32_t r, uint64_t deadline_ms)
{
	sim_stats st;

	while (s->now < deadline_ms) {
		sim_run_until(s, s->now + TICK_MS);
		sim_stats_of(s, r, &st);
		if (st.holders == st.reachable)
			return 1;
	}
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void
sim_stats_of(sim *s, uint32_t r, sim_stats *out)
{
	uint8_t *seen = xcalloc(s->o.nodes, 1);
	uint64_t *times = xcalloc(s->o.nodes, sizeof *times);
	uint32_t R = s->o.records, n = 0;

	memset(out, 0, sizeof *out);
	out->reachable = reach(s, s->pub_node[r], seen);
	for (uint32_t i = 0; i < s->o.nodes; i++) {
		out->live += !s->nodes[i].dead;
		if (!seen[i] || !bit(s->nodes[i].held, r))
			continue;
		/* time and hops packed: hops are small, time dominates the order */
		times[n++] = (s->first[(size_t)i * R + r] - s->pub_t[r]) << 16 |
		    s->hops[(size_t)i * R + r];
	}
	out->holders = n;
	qsort(times, n, sizeof *times, cmp_u64);
	for (uint32_t k = 0; k < n; k++) {
		uint32_t hops = (uint32_t)(times[k] & 0xffff);

		if (k < (out->reachable * 99 + 99) / 100) {
			out->t99_ms = times[k] >> 16;
			out->hops99 = hops > out->hops99 ? hops : out->hops99;
		}
		out->t100_ms = times[k] >> 16;
		out->hops100 = hops > out->hops100 ? hops : out->hops100;
	}
	out->copies = s->copies[r];
	out->pushed = s->pushed[r];
	out->drops = s->drops;
	out->messages = s->messages;
	out->bytes = s->bytes;
	free(seen);
	free(times);
}

int
sim_converged(sim *s)
{
	const node *ref = NULL;
	size_t bytes = (s->o.records + 7) / 8;

	for (uint32_t i = 0; i < s->o.nodes; i++) {
		if (s->nodes[i].dead)
			continue;
		if (ref == NULL)
			ref = &s->nodes[i];
		else if (memcmp(ref->held, s->nodes[i].held, bytes) != 0)
			return 0;
	}
	return 1;
}

uint32_t
sim_held(sim *s, uint32_t node_idx)
{
	uint32_t n = 0;

	for (uint32_t r = 0; r < s->o.records; r++)
		n += bit(s->nodes[node_idx].held, r);
	return n;
}

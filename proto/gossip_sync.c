/* Anti-entropy: reconciliation sessions over record ids (see gossip.h,
 * recon.h). A session step runs with the host's key view open and sends
 * nothing; what it found is sent afterwards, the answer first, then the
 * records, because a send may close the connection and take the peer (and
 * its slots) with it. */
#include "gossip_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the host's key view, as recon_host, counted: g is the ctx */

static int
k_seek(void *ctx, const uint8_t from[static RECON_KEY], uint8_t key[static RECON_KEY])
{
	gossip *g = ctx;

	g->steps++;
	return g->h.keys_seek(g->h.ctx, from, key);
}

static int
k_next(void *ctx, uint8_t key[static RECON_KEY])
{
	gossip *g = ctx;

	g->steps++;
	return g->h.keys_next(g->h.ctx, key);
}

static int
k_count(void *ctx, uint64_t *n)
{
	gossip *g = ctx;

	return g->h.keys_count(g->h.ctx, n);
}

static uint64_t
lacks_rand(gossip *g)		/* xorshift64: a draw per key is cheap */
{
	uint64_t x = g->lacks_rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return g->lacks_rng = x;
}

/* The peer lacks key. A peer that lacks much (a node that just joined)
 * is told of every key: a uniform sample of LACKS_MAX of them is kept
 * (reservoir sampling), so that the peers it syncs with at once push it
 * different records rather than all the lowest ids. */
static void
k_lacks(void *ctx, const uint8_t key[static RECON_KEY])
{
	gossip *g = ctx;
	uint64_t i = g->lacks_seen++;

	if (i < LACKS_MAX) {
		memcpy(g->lacks + (size_t)g->lacks_n++ * 32, key, 32);
		return;
	}
	if ((i = lacks_rand(g) % (i + 1)) < LACKS_MAX)
		memcpy(g->lacks + (size_t)i * 32, key, 32);
}

static void
sess_free(rsess *s)
{
	recon_free(s->r);
	s->r = NULL;
}

void
sync_peer_clear(gpeer *p)
{
	sess_free(&p->mine);
	sess_free(&p->theirs);
}

static em_err
sess_new(gossip *g, rsess *s, uint64_t now)
{
	recon_host h = { g, k_seek, k_next, k_count, k_lacks };
	recon_opts o = { .frame_max = WIRE_RECON_MAX, .rounds_max = 64, .split = 16,
	    .ids_max = 32 };
	em_err err;

	if ((err = recon_new(&h, &o, &s->r)) != EM_OK)
		return err;
	s->last = now;
	s->budget = g->o.ae_bytes;
	return EM_OK;
}

/* --- what was pushed to whom, and what just arrived: a small cache, so
 * that two sessions with one peer (ours and its) do not push it the same
 * records, and a session does not push what push and graft are carrying
 * at that moment. Forgetting early costs a duplicate, never a record. */

static uint64_t
recent_key(const uint8_t id[static 32], uint32_t peer)
{
	uint64_t k;

	memcpy(&k, id, sizeof k);	/* ids are hashes: uniform */
	k ^= ((uint64_t)peer + 1) * 0x9e3779b97f4a7c15ULL;
	return k != 0 ? k : 1;
}

static recent *
recent_slot(gossip *g, uint64_t key, int *hit)
{
	recent *oldest = NULL;

	for (uint32_t i = 0; i < RECENT_PROBE; i++) {
		recent *e = &g->recent[(key + i) & (g->recent_cap - 1)];

		if (e->key == key) {
			*hit = 1;
			return e;
		}
		if (oldest == NULL || e->t < oldest->t)
			oldest = e;	/* empty slots have t 0: taken first */
	}
	*hit = 0;
	return oldest;
}

static void
recent_note(gossip *g, const uint8_t id[static 32], uint32_t peer, uint64_t now)
{
	int hit;
	uint64_t key = recent_key(id, peer);
	recent *e = recent_slot(g, key, &hit);

	e->key = key;
	e->t = now;
}

static int
recent_within(gossip *g, const uint8_t id[static 32], uint32_t peer, uint64_t now,
    uint64_t ms)
{
	int hit;
	recent *e = recent_slot(g, recent_key(id, peer), &hit);

	return hit && now < e->t + ms;
}

#define ARRIVED	UINT32_MAX	/* the peer an arrival is noted under */

void
sync_peer_has(gossip *g, const uint8_t id[static 32], uint32_t peer, uint64_t now)
{
	recent_note(g, id, peer, now);
}

int
sync_peer_holds(gossip *g, const uint8_t id[static 32], uint32_t peer, uint64_t now)
{
	return recent_within(g, id, peer, now, PUSHED_MS);
}

void
sync_arrived(gossip *g, const uint8_t id[static 32], uint64_t now)
{
	recent_note(g, id, ARRIVED, now);
}

/* A difference found: rounds come every ae_ms again, the next one soon. */
void
sync_found(gossip *g, uint64_t n, uint64_t now)
{
	uint64_t next;

	if (n == 0)
		return;
	g->found += n;
	if (g->ae_period > g->o.ae_ms) {
		g->ae_period = g->st.ae_period_ms = g->o.ae_ms;
		next = now + g->o.ae_ms / 2 + g->h.rand(g->h.ctx) % (g->o.ae_ms + 1);
		if (next < g->next_ae)
			g->next_ae = next;
	}
}

/* --- the work a peer causes: a token bucket of walks of the set */

static void
work_refill(gossip *g, gpeer *p, uint64_t now)
{
	if (now > p->work_ms) {
		p->work += (double)(now - p->work_ms) * GOSSIP_WORK_RATE / g->o.ae_ms;
		if (p->work > GOSSIP_WORK_BURST)
			p->work = GOSSIP_WORK_BURST;
		p->work_ms = now;
	}
}

static void
work_charge(gossip *g, gpeer *p, uint64_t steps, uint64_t n)
{
	double walks = (double)steps / (double)(n > WORK_MIN_SET ? n : WORK_MIN_SET);

	p->work -= walks;
	g->st.walks_milli += (uint64_t)(walks * 1000.0);
}

/* --- one step */

/* Opens the host's key view. The host may do work of its own first (the
 * daemon commits what it took, which may close connections and so drop
 * peers): peers are looked up only after this. *n: the set's size. No
 * other callback is called until the view closes (the sampler is seeded
 * here, on first use, before it opens). */
static em_err
view_open(gossip *g, uint64_t *n)
{
	int rc;

	*n = 0;
	if (g->lacks_rng == 0)		/* xorshift: never 0 */
		g->lacks_rng = g->h.rand(g->h.ctx) | 1;
	if ((rc = g->h.keys_open(g->h.ctx)) < 0)
		return (em_err)rc;
	if ((rc = g->h.keys_count(g->h.ctx, n)) < 0) {
		g->h.keys_close(g->h.ctx);
		return (em_err)rc;
	}
	return EM_OK;
}

/* Runs s's start (msg NULL) or one message from the peer, the view open
 * (n keys); the answer goes to g->rbuf (*len), the keys the peer lacks to
 * g->lacks. Sends nothing. */
static em_err
sess_step(gossip *g, gpeer *p, rsess *s, const uint8_t *msg, size_t mlen,
    uint64_t n, size_t *len)
{
	recon_stats a, b;
	em_err err;

	*len = 0;
	g->lacks_n = 0;
	g->lacks_seen = 0;
	g->steps = 0;
	g->step_found = 0;
	recon_get_stats(s->r, &a);
	err = msg == NULL ? recon_start(s->r, g->rbuf, WIRE_RECON_MAX, len) :
	    recon_recv(s->r, msg, mlen, g->rbuf, WIRE_RECON_MAX, len);
	recon_get_stats(s->r, &b);
	work_charge(g, p, g->steps, n);
	g->step_found = (b.lacks - a.lacks) + (b.needs - a.needs);
	g->st.recon_bytes_in += mlen;
	g->st.recon_bytes_out += *len;
	return err;
}

/* Copies out the records the peer lacks, up to s's budget (the first one
 * always, however big) and as its answer budget allows (charged here),
 * but those pushed to it or arrived here lately; *n of them. When the
 * answer budget runs out, so does s's. Sends nothing. */
static void
take_lacks(gossip *g, rsess *s, uint32_t peer, uint64_t now, uint8_t **rec,
    size_t *len, uint32_t *n)
{
	*n = 0;
	for (uint32_t i = 0; i < g->lacks_n && s->budget > 0; i++) {
		const uint8_t *id = g->lacks + (size_t)i * 32;

		if (recent_within(g, id, peer, now, PUSHED_MS) ||
		    recent_within(g, id, ARRIVED, now, ARRIVED_MS))
			continue;
		if (g->h.get(g->h.ctx, id, &rec[*n], &len[*n]) != 0)
			continue;	/* gone since the view closed */
		if (!gossip_answer(g, peer, len[*n], now)) {
			free(rec[*n]);
			s->budget = 0;	/* a later session pushes the rest */
			break;
		}
		recent_note(g, id, peer, now);
		s->budget = len[*n] >= s->budget ? 0 : s->budget - len[*n];
		(*n)++;
	}
}

static int
format_error(em_err err)
{
	return err == EM_ETRUNC || err == EM_EFORMAT || err == EM_ETOOBIG ||
	    err == EM_ETRAILING || err == EM_EVERSION;
}

static void
outbox_send(gossip *g, outbox *o)
{
	wire_msg m;
	batch b;

	if (o->len > 0) {
		m.type = WIRE_RECON;
		m.u.recon.started = o->started;
		m.u.recon.data = o->msg;
		m.u.recon.len = o->len;
		gp_send(g, o->peer, &m);
	}
	batch_init(&b, g, o->peer, WIRE_SYNC, UINT32_MAX, 0);	/* charged already */
	for (uint32_t i = 0; i < o->n; i++)
		batch_take(&b, o->rec[i], o->rlen[i]);
	batch_send(&b);
	g->st.sync_pushed += o->n;
}

/* After a step that went well: the records to push, and the answer — or,
 * when the push budget, the peer's answer budget (which our answers in
 * its sessions are charged to as well) or its work share is spent, a
 * stop. A session that is over is freed (one of mine: a completed sync). */
static void
sess_after(gossip *g, gpeer *p, rsess *s, size_t len, outbox *o, uint64_t now)
{
	int spent;

	sync_found(g, g->step_found, now);
	take_lacks(g, s, o->peer, now, o->rec, o->rlen, &o->n);
	o->msg = g->rbuf;
	o->len = len;
	spent = s->budget == 0 || p->work < 0 ||
	    (s == &p->theirs && len > 0 && !gossip_answer(g, o->peer, len, now));
	if (!recon_done(s->r) && spent &&
	    recon_stop(s->r, o->stop, sizeof o->stop, &o->len) == EM_OK) {
		o->msg = o->stop;
		g->st.sessions_stopped++;
	}
	if (!recon_done(s->r))
		return;
	if (s == &p->mine) {
		g->last_sync = now;
		g->st.sessions_completed++;
	}
	sess_free(s);
}

/* A step that failed: the session goes; a message that breaks the format
 * costs the peer (which may drop it). */
static void
sess_failed(gossip *g, uint32_t peer, rsess *s, em_err err)
{
	const char *why = recon_why(s->r);	/* static: outlives the session */

	sess_free(s);
	g->st.sessions_failed++;
	if (format_error(err)) {
		snprintf(g->why, sizeof g->why, "malformed reconciliation message: %s", why);
		gossip_penalize(g, peer, PENALTY_MALFORMED, g->why);
	}
}

/* --- rounds */

/* The next period: back to ae_ms when the last one found something,
 * else twice as long, up to ae_max_ms. */
static void
adapt(gossip *g)
{
	if (g->found > 0)
		g->ae_period = g->o.ae_ms;
	else if (g->ae_period < g->o.ae_max_ms)
		g->ae_period = g->ae_period > g->o.ae_max_ms / 2 ? g->o.ae_max_ms :
		    2 * g->ae_period;
	g->found = 0;
	g->st.ae_period_ms = g->ae_period;
}

/* A peer we have not synced with yet, else a random one (from r); never
 * one our last session with is still open, or that has no work left. */
static gpeer *
pick(gossip *g, uint64_t r)
{
	uint32_t start;

	if (g->n_peers == 0)
		return NULL;	/* the host dropped them as the view opened */
	start = (uint32_t)(r % g->n_peers);

	for (uint32_t k = 0; k < g->n_peers; k++) {
		gpeer *p = &g->peers[k];

		if (!p->synced && p->mine.r == NULL && p->work >= WORK_TO_BEGIN)
			return p;
	}
	for (uint32_t k = 0; k < g->n_peers; k++) {
		gpeer *p = &g->peers[(start + k) % g->n_peers];

		if (p->mine.r == NULL && p->work >= WORK_TO_BEGIN)
			return p;
	}
	return NULL;
}

void
sync_start(gossip *g, uint64_t now)
{
	outbox *o = g->out;
	uint64_t n, r;
	gpeer *p;
	size_t len;
	em_err err;

	adapt(g);
	/* jitter keeps nodes from falling into step */
	g->next_ae = now + g->ae_period / 2 + g->h.rand(g->h.ctx) % (g->ae_period + 1);
	r = g->h.rand(g->h.ctx);
	if (view_open(g, &n) != EM_OK)
		return;
	if ((p = pick(g, r)) == NULL || sess_new(g, &p->mine, now) != EM_OK) {
		g->h.keys_close(g->h.ctx);
		return;
	}
	p->synced = 1;
	g->st.sessions_started++;
	err = sess_step(g, p, &p->mine, NULL, 0, n, &len);
	g->h.keys_close(g->h.ctx);
	if (err != EM_OK) {
		sess_failed(g, p->handle, &p->mine, err);
		return;
	}
	o->peer = p->handle;
	o->started = 1;
	sess_after(g, p, &p->mine, len, o, now);
	outbox_send(g, o);
}

/* The slot a message from the peer belongs to: theirs (begun now if none
 * is open, at most one per ae_ms/2 and only with work left), or mine.
 * NULL: the message is not taken. */
static rsess *
slot_for(gossip *g, gpeer *p, int started, uint64_t now)
{
	if (!started)
		return p->mine.r != NULL ? &p->mine : NULL;	/* else a late answer */
	if (p->theirs.r != NULL)
		return &p->theirs;
	if ((p->theirs_any && now < p->theirs_at + g->o.ae_ms / 2) ||
	    p->work < WORK_TO_BEGIN ||
	    sess_new(g, &p->theirs, now) != EM_OK) {
		g->st.sessions_refused++;
		return NULL;
	}
	p->theirs_any = 1;
	p->theirs_at = now;
	g->st.sessions_answered++;
	return &p->theirs;
}

/* A message no session takes (one too soon, or a late answer) is still
 * checked: a malformed one costs the same as in a session. */
static void
not_taken(gossip *g, uint32_t peer, const wire_msg *m)
{
	const char *why;
	em_err err = recon_check(m->u.recon.data, m->u.recon.len, WIRE_RECON_MAX, &why);

	if (format_error(err)) {
		g->st.sessions_failed++;
		snprintf(g->why, sizeof g->why, "malformed reconciliation message: %s", why);
		gossip_penalize(g, peer, PENALTY_MALFORMED, g->why);
	}
}

void
sync_recv(gossip *g, uint32_t peer, const wire_msg *m, uint64_t now)
{
	outbox *o = g->out;
	uint64_t n;
	gpeer *p;
	rsess *s;
	size_t len;
	em_err err;

	if (view_open(g, &n) != EM_OK)
		return;
	if ((p = gp_find(g, peer)) == NULL) {
		g->h.keys_close(g->h.ctx);
		return;
	}
	work_refill(g, p, now);
	if ((s = slot_for(g, p, m->u.recon.started, now)) == NULL) {
		g->h.keys_close(g->h.ctx);
		not_taken(g, peer, m);
		return;
	}
	s->last = now;
	err = sess_step(g, p, s, m->u.recon.data, m->u.recon.len, n, &len);
	g->h.keys_close(g->h.ctx);
	if (err != EM_OK) {
		sess_failed(g, peer, s, err);
		return;
	}
	o->peer = peer;
	o->started = s == &p->mine;
	sess_after(g, p, s, len, o, now);
	outbox_send(g, o);
}

/* Sessions gone silent: one of ours costs the peer; theirs just goes. */
void
sync_tick(gossip *g, uint64_t now)
{
	for (uint32_t i = 0; i < g->n_peers; i++) {
		gpeer *p = &g->peers[i];
		uint32_t handle = p->handle, n = g->n_peers;

		work_refill(g, p, now);
		if (p->theirs.r != NULL && now >= p->theirs.last + GOSSIP_RECON_IDLE_MS)
			sess_free(&p->theirs);
		if (p->mine.r == NULL || now < p->mine.last + GOSSIP_RECON_IDLE_MS)
			continue;
		sess_free(&p->mine);
		g->st.sessions_unanswered++;
		gossip_penalize(g, handle, PENALTY_UNANSWERED, "reconciliation unanswered");
		if (g->n_peers < n)
			i--;	/* dropped: another peer moved into slot i */
	}
}

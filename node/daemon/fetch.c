/* Fetching the item chunks of tasks: asked for by hash, checked against
 * the hash before they are kept. A task record names its chunks; when one
 * arrives, its chunks are asked of the peer that sent it (it announced
 * the task, so it should hold them), else of any peer. A peer that lacks
 * a chunk says so at once (a chunk message with no bytes) — it may still
 * be fetching it itself — and the chunk is asked again shortly, of another
 * peer if there is one; requests that go unanswered are asked again
 * elsewhere after a timeout; a chunk no peer has after
 * FETCH_GIVE_UP_TRIES asks rests a while, so that its slot serves
 * another; a scan of the stored tasks picks up what a restart or a lost
 * peer left missing, when something changed and now and then.
 *
 * Only the chunks of tasks this node will use are fetched: its own, its
 * trusted authors', those auto-eval took up (auto_fetches), and those
 * the operator asked for (fetch_ask, `evalmesh task fetch`). Each author
 * but this node has a quota of chunk bytes fetched unasked (the node's
 * fetch_quota): every chunk counts as STORE_BLOB_MAX, its most, since
 * its size is not known before it comes, and the tasks whose chunks are
 * all here count first. */
#include "daemon_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "hex.h"
#include "idmap.h"
#include "log.h"

_Static_assert(WIRE_CHUNK_MAX == STORE_BLOB_MAX, "a chunk must fit a blob and a message");

#define FETCH_ASKED_MAX	64	/* tasks asked for by the operator, remembered */

struct fetch_state {
	idmap		 authors;	/* author -> uint64_t: chunk bytes counted */
	idmap		 counted;	/* task id -> its chunks are counted */
	idmap		 over;		/* task id -> not fetched for the quota (logged) */
	idmap		 rest;		/* chunk hash -> uint64_t: given up on until */
	uint8_t		 asked[FETCH_ASKED_MAX][32];
	size_t		 n_asked;
	uint64_t	 seen_in, seen_announced, seen_chunks, trust_fp;
	uint32_t	 rounds, last_scan;
	int		 changed;	/* asked for, or given up on: scan again */
	uint64_t	 n_unused;	/* last scan: tasks lacking chunks, not used */
};

static int mark;	/* the value of the idmaps that are sets */

static struct fetch_state *
fs_of(daemon_state *d)
{
	struct fetch_state *fs = d->fs;

	if (fs == NULL && (fs = d->fs = calloc(1, sizeof *fs)) != NULL) {
		idmap_init(&fs->authors, em_rand(d->clock), em_rand(d->clock));
		idmap_init(&fs->counted, em_rand(d->clock), em_rand(d->clock));
		idmap_init(&fs->over, em_rand(d->clock), em_rand(d->clock));
		idmap_init(&fs->rest, em_rand(d->clock), em_rand(d->clock));
	}
	return fs;
}

static void
free_values(idmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].v != &mark)
			free(m->slots[i].v);
	idmap_free(m);
}

void
fetch_free(daemon_state *d)
{
	struct fetch_state *fs = d->fs;

	if (fs == NULL)
		return;
	free_values(&fs->authors);
	idmap_free(&fs->counted);
	idmap_free(&fs->over);
	free_values(&fs->rest);
	free(fs);
	d->fs = NULL;
}

static chunk_want *
want_find(daemon_state *d, const uint8_t hash[static 32])
{
	for (size_t i = 0; i < FETCH_MAX; i++)
		if (d->wants[i].used && memcmp(d->wants[i].hash, hash, 32) == 0)
			return &d->wants[i];
	return NULL;
}

/* Whether a chunk given up on rests still (one whose rest is over is
 * forgotten). */
static int
resting(daemon_state *d, struct fetch_state *fs, const uint8_t hash[static 32])
{
	uint64_t *until = idmap_get(&fs->rest, hash);

	if (until == NULL)
		return 0;
	if (timing_left(*until, daemon_mono(d)) > 0)
		return 1;
	free(idmap_del(&fs->rest, hash));
	return 0;
}

static void
want_add(daemon_state *d, const uint8_t hash[static 32], uint32_t hint)
{
	chunk_want *w;

	if (want_find(d, hash) != NULL || store_blob_has(d->st, hash) ||
	    (d->fs != NULL && resting(d, d->fs, hash)))
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

/* No peer had w's chunk after FETCH_GIVE_UP_TRIES asks: its slot is freed
 * and the chunk rests (out of memory: it is simply dropped, and the next
 * scan may want it again at once). */
static void
give_up(daemon_state *d, chunk_want *w)
{
	struct fetch_state *fs = fs_of(d);
	uint64_t *until = malloc(sizeof *until);
	char hex[ID_HEX_LEN + 1];

	hex_encode(hex, w->hash, 32);
	log_debug("no peer has chunk %.16s after %u asks; asking again later", hex, w->tries);
	if (fs != NULL && until != NULL) {
		*until = timing_fetch_rest_end(daemon_mono(d));
		free(idmap_get(&fs->rest, w->hash));
		if (idmap_put(&fs->rest, w->hash, until) != 0)
			free(until);
		fs->changed = 1;
	} else {
		free(until);
	}
	w->used = 0;
	d->n_wants--;
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
		if (timing_fetch_give_up(w->tries)) {
			give_up(d, w);
			continue;
		}
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

/* --- which tasks: the policy and the quota */

static int
asked(const struct fetch_state *fs, const uint8_t task[static 32])
{
	for (size_t i = 0; fs != NULL && i < fs->n_asked; i++)
		if (memcmp(fs->asked[i], task, 32) == 0)
			return 1;
	return 0;
}

enum use { USE_NOT, USE_QUOTA, USE_FREE };

/* Whether this node uses the task, and whether its author's quota holds. */
static enum use
use_of(daemon_state *d, const uint8_t task[static 32], const uint8_t author[static 32])
{
	if (memcmp(author, d->pk, 32) == 0 || asked(d->fs, task))
		return USE_FREE;
	if (store_trusted(d->st, author) || auto_fetches(d, task))
		return USE_QUOTA;
	return USE_NOT;
}

/* Adds the task's chunks to its author's count, once per task. -1 when out
 * of memory (not counted). */
static int
count(struct fetch_state *fs, const uint8_t task[static 32], const uint8_t author[static 32],
    uint32_t n_chunks)
{
	uint64_t *bytes;

	if (idmap_get(&fs->counted, task) != NULL)
		return 0;
	if ((bytes = idmap_get(&fs->authors, author)) == NULL) {
		if ((bytes = calloc(1, sizeof *bytes)) == NULL)
			return -1;
		if (idmap_put(&fs->authors, author, bytes) != 0) {
			free(bytes);
			return -1;
		}
	}
	if (idmap_put(&fs->counted, task, &mark) != 0)
		return -1;
	*bytes += (uint64_t)n_chunks * STORE_BLOB_MAX;
	return 0;
}

/* Whether the task's chunks fit its author's quota, counted if so; a task
 * that does not is logged once. */
static int
fits(daemon_state *d, struct fetch_state *fs, const uint8_t task[static 32],
    const rec_env *env, const body_task *t)
{
	uint64_t *bytes = idmap_get(&fs->authors, env->author), held = bytes ? *bytes : 0;
	uint64_t need = (uint64_t)t->n_chunks * STORE_BLOB_MAX, quota = d->o.autocfg.fetch_quota;
	char hex[ID_HEX_LEN + 1];

	if (idmap_get(&fs->counted, task) != NULL)
		return 1;
	if (quota > 0 && (held > quota || need > quota - held)) {
		if (idmap_get(&fs->over, task) == NULL && idmap_put(&fs->over, task, &mark) == 0) {
			hex_encode(hex, env->author, 32);
			log_debug("not fetching the items of %s@%s: its author %.16s would hold %llu MiB "
			    "of chunks here, over the quota of %llu MiB (evalmesh task fetch asks for "
			    "them)", t->name, t->version, hex,
			    (unsigned long long)((held + need) >> 20), (unsigned long long)(quota >> 20));
		}
		return 0;
	}
	return count(fs, task, env->author, t->n_chunks) == 0;
}

static int
complete(daemon_state *d, const body_task *t)
{
	for (uint32_t i = 0; i < t->n_chunks; i++)
		if (!store_blob_has(d->st, t->chunks + 32 * i))
			return 0;
	return 1;
}

/* The task's missing chunks are wanted if this node uses it and its
 * author's quota holds (the quota needs fs: without it, only the free).
 * Whether it uses the task. */
static enum use
consider(daemon_state *d, const uint8_t id[static 32], const rec_env *env, const body_task *t,
    uint32_t hint)
{
	enum use u = use_of(d, id, env->author);
	struct fetch_state *fs = fs_of(d);

	if (u == USE_NOT || (u == USE_QUOTA && (fs == NULL || !fits(d, fs, id, env, t))))
		return u;
	if (u == USE_FREE && fs != NULL)
		count(fs, id, env->author, t->n_chunks);
	for (uint32_t i = 0; i < t->n_chunks && d->n_wants < FETCH_MAX; i++)
		want_add(d, t->chunks + 32 * i, hint);
	return u;
}

void
fetch_task(daemon_state *d, const rec_env *env, uint32_t from)
{
	body_any b;
	uint8_t id[32];

	if (env->kind != REC_TASK || rec_body(env, &b) != EM_OK)
		return;
	body_task_id(&b.u.task, id);
	consider(d, id, env, &b.u.task, from);
	fetch_send(d);
}

/* --- the scan */

struct scan {
	daemon_state	 *d;
	struct fetch_state *fs;
	uint8_t		  last[32];	/* the task visited last */
	int		  any;
	int		  best;		/* second pass: the best use seen, or -1 */
	uint8_t		(*todo)[32];	/* tasks lacking chunks */
	size_t		  n_todo, cap_todo;
};

/* Whether this record is its task's first here (records of one task id
 * say the same: body_task_id); its id into id. */
static int
first(struct scan *sc, const body_task *t, uint8_t id[static 32])
{
	body_task_id(t, id);
	if (sc->any && memcmp(id, sc->last, 32) == 0)
		return 0;
	memcpy(sc->last, id, 32);
	sc->any = 1;
	return 1;
}

static void
unask(struct fetch_state *fs, const uint8_t task[static 32])
{
	for (size_t i = 0; i < fs->n_asked; i++)
		if (memcmp(fs->asked[i], task, 32) == 0) {
			memmove(fs->asked[i], fs->asked[i + 1], (fs->n_asked - i - 1) * 32);
			fs->n_asked--;
			return;
		}
}

/* First pass: the tasks whose chunks are all here count for their
 * authors; the others are listed for the second. */
static int
held_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	struct scan *sc = ctx;
	uint8_t id[32], (*n)[32];

	(void)flags;
	if (!first(sc, &b->u.task, id))
		return 0;
	if (complete(sc->d, &b->u.task)) {
		unask(sc->fs, id);
		return count(sc->fs, id, env->author, b->u.task.n_chunks) != 0;
	}
	if (sc->n_todo == sc->cap_todo) {
		size_t cap = sc->cap_todo ? 2 * sc->cap_todo : 64;

		if ((n = realloc(sc->todo, cap * sizeof *n)) == NULL)
			return 1;
		sc->todo = n;
		sc->cap_todo = cap;
	}
	memcpy(sc->todo[sc->n_todo++], id, 32);
	return 0;
}

/* Second pass, one task lacking chunks: wanted if used and within quota.
 * Every publisher of it counts, not the first: a member who signed a
 * trusted lab's task again does not stop its items coming. */
static int
lacking_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	struct scan *sc = ctx;
	uint8_t id[32];
	enum use u;

	(void)flags;
	body_task_id(&b->u.task, id);
	if ((int)use_of(sc->d, id, env->author) <= sc->best)
		return 0;
	u = consider(sc->d, id, env, &b->u.task, 0);
	sc->best = (int)u;
	return u == USE_FREE;	/* none better */
}

static int
trust_fn(void *ctx, const uint8_t id[static 32], const char *name)
{
	uint64_t *fp = ctx, v;

	(void)name;
	memcpy(&v, id, 8);
	*fp = (*fp ^ v) * 0x100000001b3ull;
	return 0;
}

/* Whether anything that decides what to fetch changed since the last
 * scan: records, chunks, the trust list, what was asked or given up. */
static int
changed(daemon_state *d, struct fetch_state *fs)
{
	uint64_t fp = 0xcbf29ce484222325ull;
	int c;

	store_trust_list(d->st, trust_fn, &fp);
	c = fs->changed || fp != fs->trust_fp || d->records_in != fs->seen_in ||
	    d->announced != fs->seen_announced || d->chunks_in != fs->seen_chunks;
	fs->changed = 0;
	fs->trust_fp = fp;
	fs->seen_in = d->records_in;
	fs->seen_announced = d->announced;
	fs->seen_chunks = d->chunks_in;
	return c;
}

void
fetch_scan(daemon_state *d)
{
	struct fetch_state *fs = fs_of(d);
	struct scan sc = { .d = d, .fs = fs };

	if (fs == NULL || !timing_fetch_rescan(changed(d, fs), d->maints, fs->last_scan)) {
		fetch_send(d);
		return;
	}
	fs->last_scan = d->maints ? d->maints : 1;
	free_values(&fs->authors);
	idmap_free(&fs->counted);
	fs->n_unused = 0;
	store_tasks(d->st, NULL, held_fn, &sc);
	for (size_t i = 0; i < sc.n_todo; i++) {
		sc.best = -1;
		store_tasks(d->st, sc.todo[i], lacking_fn, &sc);
		if (sc.best == USE_NOT)
			fs->n_unused++;
	}
	free(sc.todo);
	fetch_send(d);
}

/* --- on demand */

struct ask {
	daemon_state	*d;
	uint32_t	 chunks, held;
	char		 name[BODY_NAME_MAX + BODY_SHORT_MAX + 2];
	int		 found;
};

static int
ask_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	struct ask *a = ctx;
	const body_task *t = &b->u.task;
	uint8_t id[32];

	(void)flags;
	body_task_id(t, id);
	a->found = 1;
	a->chunks = t->n_chunks;
	for (uint32_t i = 0; i < t->n_chunks; i++)
		a->held += (uint32_t)store_blob_has(a->d->st, t->chunks + 32 * i);
	snprintf(a->name, sizeof a->name, "%s@%s", t->name, t->version);
	consider(a->d, id, env, t, 0);
	return 1;
}

json_t *
fetch_ask(daemon_state *d, const uint8_t task[static 32])
{
	struct fetch_state *fs = fs_of(d);
	struct ask a = { .d = d };

	if (fs == NULL)
		return json_pack("{s:s}", "error", "out of memory");
	if (!asked(fs, task)) {
		if (fs->n_asked == FETCH_ASKED_MAX)	/* the oldest ask gives way */
			unask(fs, fs->asked[0]);
		memcpy(fs->asked[fs->n_asked++], task, 32);
	}
	fs->changed = 1;
	store_tasks(d->st, task, ask_fn, &a);
	if (!a.found) {
		unask(fs, task);
		return json_pack("{s:s}", "error", "no such task here");
	}
	fetch_send(d);
	return json_pack("{s:o, s:s, s:I, s:I}", "task", daemon_json_id(task), "name", a.name,
	    "chunks", (json_int_t)a.chunks, "held", (json_int_t)a.held);
}

json_t *
fetch_status(daemon_state *d)
{
	struct fetch_state *fs = d->fs;

	return json_pack("{s:I, s:I, s:I, s:I, s:I}",
	    "quota_mb", (json_int_t)(d->o.autocfg.fetch_quota >> 20),
	    "tasks_over_quota", (json_int_t)(fs ? fs->over.n : 0),
	    "tasks_not_used", (json_int_t)(fs ? fs->n_unused : 0),
	    "tasks_asked", (json_int_t)(fs ? fs->n_asked : 0),
	    "chunks_resting", (json_int_t)(fs ? fs->rest.n : 0));
}

/* --- serving and receiving chunks */

/* Whether c was sent the chunk hash within CHUNK_REPEAT_MS of now. */
static int
served_lately(const conn *c, const uint8_t hash[static 32], uint64_t now)
{
	for (uint32_t i = 0; i < c->n_served; i++)
		if (memcmp(c->served[i].hash, hash, 32) == 0 &&
		    timing_chunk_repeat(c->served[i].at, now))
			return 1;
	return 0;
}

static int
waiting(const conn *c, const uint8_t hash[static 32])
{
	for (uint32_t i = 0; i < c->n_asks; i++)
		if (memcmp(c->asks[i], hash, 32) == 0)
			return 1;
	return 0;
}

void
fetch_on_want(daemon_state *d, conn *c, const wire_msg *m)
{
	uint64_t now = daemon_mono(d);
	uint32_t again = 0, over = 0;

	for (uint32_t i = 0; i < m->u.ids.n; i++) {
		const uint8_t *h = m->u.ids.ids + 32 * i;

		if (served_lately(c, h, now))
			again++;
		else if (waiting(c, h))
			continue;	/* asked again while it waits: once is enough */
		else if (c->n_asks == CHUNK_ASKS_MAX)
			over++;
		else
			memcpy(c->asks[c->n_asks++], h, 32);
	}
	if (again > 0)
		gossip_penalize(d->g, c->handle, PENALTY_FLOOD, "asks again for chunks it was sent");
	if (over > 0 && !c->closing)
		gossip_penalize(d->g, c->handle, PENALTY_FLOOD,
		    "asks for more chunks than it can receive");
	fetch_answer(d, c);
}

/* Sends c the chunk hash (len bytes) at now, and remembers it. */
static void
serve(daemon_state *d, conn *c, const uint8_t hash[static 32], const uint8_t *bytes,
    size_t len, uint64_t now)
{
	wire_msg out = { .type = WIRE_CHUNK };
	uint32_t k = c->next_served;

	memcpy(out.u.chunk.hash, hash, 32);
	out.u.chunk.data = bytes;
	out.u.chunk.len = len;
	conn_send(c, &out);
	memcpy(c->served[k].hash, hash, 32);
	c->served[k].at = now;
	c->next_served = (k + 1) % CHUNK_SERVED_MAX;
	if (c->n_served < CHUNK_SERVED_MAX)
		c->n_served++;
	d->chunks_out++;
}

void
fetch_answer(daemon_state *d, conn *c)
{
	static const uint8_t none[1];
	uint64_t now = daemon_mono(d);
	uint32_t done = 0;

	for (; done < c->n_asks && !c->closing; done++) {
		wire_msg lack = { .type = WIRE_CHUNK };
		uint8_t *bytes;
		size_t len;

		if (store_blob_get(d->st, c->asks[done], &bytes, &len) != EM_OK) {
			memcpy(lack.u.chunk.hash, c->asks[done], 32);
			lack.u.chunk.data = none;	/* not here (yet): say so */
			conn_send(c, &lack);
			continue;
		}
		if (!gossip_answer(d->g, c->handle, len, now)) {
			free(bytes);	/* over its budget: it waits */
			break;
		}
		serve(d, c, c->asks[done], bytes, len, now);
		free(bytes);
	}
	c->n_asks -= done;
	memmove(c->asks, c->asks + done, (size_t)c->n_asks * 32);
}

void
fetch_answer_all(daemon_state *d)
{
	for (conn *c = d->conns, *next; c != NULL; c = next) {
		next = c->next;		/* a write that fails closes c */
		if (c->n_asks > 0 && !c->closing)
			fetch_answer(d, c);
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
	auto_chunk(d, m->u.chunk.hash);
	fetch_send(d);
}

/* The gossip host: records from peers are checked at once and stored in
 * batches (one transaction, one fsync), and forwarded once committed; and
 * records that CLI commands stored while the node runs are found and
 * spread. */
#include "daemon_impl.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hex.h"
#include "log.h"

static daemon_pending *
pending_find(daemon_state *d, const uint8_t id[static 32])
{
	for (size_t i = 0; i < d->n_pend; i++)
		if (memcmp(d->pend[i].env.id, id, 32) == 0)
			return &d->pend[i];
	return NULL;
}

static void
remember_ours(daemon_state *d, const uint8_t id[static 32])
{
	if (d->n_ours == d->cap_ours) {
		size_t cap = d->cap_ours ? d->cap_ours * 2 : 1024;
		uint8_t (*n)[32] = realloc(d->ours, cap * sizeof *n);

		if (n == NULL)
			return;	/* it may be announced twice: harmless */
		d->ours = n;
		d->cap_ours = cap;
	}
	memcpy(d->ours[d->n_ours++], id, 32);
}

/* A batch of n the store refused with err: dropped, neither stored nor
 * forwarded; records from peers are refused until the backoff ends. */
static void
store_failed(daemon_state *d, em_err err, size_t n)
{
	uint64_t now = daemon_mono(d);

	if (d->sfail.err == EM_OK) {
		d->sfail.err = err;
		d->sfail.since = now;
		log_error("cannot store %zu records in %s: %s; records from peers are refused "
		    "for a while and tried again less and less often (peers keep them)", n,
		    store_dir(d->st), em_strerror(err));
	} else {
		log_debug("still cannot store records: %s", em_strerror(err));
	}
	d->sfail.lost += n;
	if (d->sfail.fails < 32)
		d->sfail.fails++;
	d->sfail.again = timing_store_retry(now, d->sfail.fails, em_rand(d->clock));
}

/* The store took a batch again after failing. */
static void
store_back(daemon_state *d)
{
	log_info("storing records again in %s: %llu records from peers could not be "
	    "stored over %llu s (%s); peers send them again", store_dir(d->st),
	    (unsigned long long)d->sfail.lost,
	    (unsigned long long)((daemon_mono(d) - d->sfail.since) / 1000),
	    em_strerror(d->sfail.err));
	memset(&d->sfail, 0, sizeof d->sfail);
}

/* One stored record: forwarded now that it is durable (and not if it
 * was there already), its equivocation told, its task's chunks fetched. */
static void
stored(daemon_state *d, const rec_env *env, const daemon_pending *p, int status)
{
	char hex[ID_HEX_LEN + 1];

	if (status == STORE_EQUIV) {
		hex_encode(hex, env->author, 32);
		log_warn("author %s equivocated at seq %llu; both records kept",
		    hex, (unsigned long long)env->seq);
	}
	remember_ours(d, env->id);
	if (status != STORE_DUP)
		gossip_stored(d->g, env, p->from, p->how);
	if (status == STORE_NEW && env->kind == REC_TASK)
		fetch_task(d, env, p->from);
}

void
host_commit(daemon_state *d)
{
	rec_env envs[PENDING_MAX];
	int status[PENDING_MAX];
	size_t n = d->n_pend;
	em_err err;

	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++)
		envs[i] = d->pend[i].env;
	if ((err = store_put_batch(d->st, envs, n, status)) != EM_OK)
		store_failed(d, err, n);
	else if (d->sfail.err != EM_OK)
		store_back(d);
	for (size_t i = 0; i < n; i++) {
		if (err == EM_OK)
			stored(d, &envs[i], &d->pend[i], status[i]);
		free(d->pend[i].bytes);
	}
	d->records_in += err == EM_OK ? n : 0;
	d->n_pend = 0;
}

static int
h_has(void *ctx, const uint8_t id[static 32])
{
	daemon_state *d = ctx;

	return pending_find(d, id) != NULL || store_has(d->st, id);
}

/* Whether another record of env's author and seq is held or pending. */
static int
equivocates(daemon_state *d, const rec_env *env)
{
	uint8_t id[32];

	for (size_t i = 0; i < d->n_pend; i++)
		if (d->pend[i].env.seq == env->seq &&
		    memcmp(d->pend[i].env.author, env->author, 32) == 0)
			return 1;
	return store_feed_id(d->st, env->author, env->seq, id) == EM_OK &&
	    memcmp(id, env->id, 32) != 0;
}

/* env is gossip's decoding of the bytes received (see gossip.h), lent for
 * the call: its signature is checked here, once, and a copy is kept. */
static int
h_ingest(void *ctx, const rec_env *env, int how)
{
	daemon_state *d = ctx;
	daemon_pending *p;
	int v;

	/* a store that refused the last batch is left alone for a while */
	if (d->sfail.err != EM_OK && daemon_mono(d) < d->sfail.again)
		return GOSSIP_LATER;
	if (rec_verify(env, d->netid) != EM_OK)
		return GOSSIP_INVALID;
	if ((v = intake_task(d, env)) != GOSSIP_NEW)
		return v;
	if (d->n_pend == PENDING_MAX) {
		host_commit(d);
		if (d->sfail.err != EM_OK)
			return GOSSIP_LATER;	/* that batch failed: the backoff begins */
	}
	p = &d->pend[d->n_pend];
	if ((p->bytes = malloc(env->len)) == NULL)
		return GOSSIP_LATER;
	memcpy(p->bytes, env->bytes, env->len);
	p->len = env->len;
	p->env = *env;
	rec_rebase(&p->env, p->bytes);
	p->from = d->cur != NULL ? d->cur->handle : 0;
	p->how = how;
	if (d->cur != NULL && d->cur->ready && memcmp(p->env.author, d->cur->id, 32) == 0 &&
	    equivocates(d, &p->env))
		d->cur_equivocated = 1;	/* kept as evidence; the peer pays */
	d->n_pend++;
	return GOSSIP_HELD;
}

/* Only what is committed is handed out: a pending record may yet be
 * lost, and is not forwarded (gossip_stored does, once it is durable). */
static int
h_get(void *ctx, const uint8_t id[static 32], uint8_t **rec, size_t *len)
{
	daemon_state *d = ctx;

	return store_get(d->st, id, rec, len) == EM_OK ? 0 : -1;
}

/* The key set reconciliation walks: the store's ids, in a view that
 * holds one read transaction for one session step (gossip.h). What was
 * just taken is committed first, so the view counts it. */
static int
h_keys_open(void *ctx)
{
	daemon_state *d = ctx;

	host_commit(d);
	return store_ids_open(d->st, &d->ids);
}

static int
h_keys_seek(void *ctx, const uint8_t from[static 32], uint8_t key[static 32])
{
	return store_ids_seek(((daemon_state *)ctx)->ids, from, key);
}

static int
h_keys_next(void *ctx, uint8_t key[static 32])
{
	return store_ids_next(((daemon_state *)ctx)->ids, key);
}

static int
h_keys_count(void *ctx, uint64_t *n)
{
	return store_ids_count(((daemon_state *)ctx)->ids, n);
}

static void
h_keys_close(void *ctx)
{
	daemon_state *d = ctx;

	store_ids_close(d->ids);
	d->ids = NULL;
}

static void
h_send(void *ctx, uint32_t peer, const uint8_t *msg, size_t len)
{
	conn *c = conn_by_handle(ctx, peer);
	em_err err;

	if (c == NULL || c->closing)
		return;
	if ((err = session_send(c->sess, msg, len)) != EM_OK) {
		conn_close(c, em_strerror(err));
		return;
	}
	conn_send(c, NULL);	/* write what the session queued */
}

/* What is written to peer and not yet taken by it: libuv's queue, and
 * the socket's bytes not yet acknowledged (TIOCOUTQ, Linux's SIOCOUTQ).
 * With the receive buffers kept small (conn.c), a peer slow to read
 * shows here, and gossip holds its pushes back (late binding). */
static size_t
h_backlog(void *ctx, uint32_t peer)
{
	conn *c = conn_by_handle(ctx, peer);
	uv_os_fd_t fd;
	size_t n;
	int out = 0;

	if (c == NULL || c->closing)
		return 0;
	n = uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp);
#ifdef TIOCOUTQ
	if (uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0 && ioctl(fd, TIOCOUTQ, &out) == 0 &&
	    out > 0)
		n += (size_t)out;
#else
	(void)fd;
	(void)out;
#endif
	return n;
}

static void
h_drop(void *ctx, uint32_t peer, const char *reason, int ban)
{
	daemon_state *d = ctx;
	conn *c = conn_by_handle(d, peer);

	if (c == NULL)
		return;
	if (ban)
		dial_ban(d, c->addr, c->ready ? c->id : NULL);
	c->gossip_up = 0;	/* gossip already forgot it */
	conn_close(c, reason);
}

static uint64_t
h_rand(void *ctx)
{
	daemon_state *d = ctx;

	return em_rand(d->clock);
}

void
host_init(daemon_state *d, gossip_host *h)
{
	h->ctx = d;
	h->has = h_has;
	h->ingest = h_ingest;
	h->get = h_get;
	h->keys_open = h_keys_open;
	h->keys_seek = h_keys_seek;
	h->keys_next = h_keys_next;
	h->keys_count = h_keys_count;
	h->keys_close = h_keys_close;
	h->send = h_send;
	h->backlog = h_backlog;
	h->drop = h_drop;
	h->rand = h_rand;
}

static int
poll_visit(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	daemon_state *d = ctx;

	(void)b;
	(void)flags;
	for (size_t i = 0; i < d->n_ours; i++)
		if (memcmp(d->ours[i], env->id, 32) == 0)
			return 0;	/* came from a peer: already spread */
	gossip_publish(d->g, env, daemon_mono(d));
	d->records_out++;
	return 0;
}

/* Records another process (a CLI command) stored since the last look. */
void
host_poll(daemon_state *d)
{
	uint64_t last = d->announced;
	char num[32];

	host_commit(d);
	if (store_since(d->st, d->announced, UINT32_MAX, poll_visit, d, &last) != EM_OK)
		return;
	d->n_ours = 0;
	if (last != d->announced) {
		d->announced = last;
		snprintf(num, sizeof num, "%llu", (unsigned long long)last);
		store_meta_set(d->st, "announced", num);
		gossip_flush(d->g);
	}
}

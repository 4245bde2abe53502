/* Known peers: who to dial, when to try again, who is banned, and what we
 * tell others in peer exchange. */
#include "daemon_impl.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "hex.h"
#include "log.h"

#define EXCHANGE_MAX	32	/* addresses per peers message */
/* Host names resolved at once: each lookup holds one of libuv's few pool
 * threads for as long as the resolver waits (seconds, when a name server
 * does not answer), and a stop waits for the lookups under way. */
#define RESOLVE_MAX	2

/* Splits "host:port" or "[v6]:port". 0, or -1 if malformed. */
static int
split(const char *text, char *host, size_t cap, int *port)
{
	const char *colon, *end;
	char *stop;
	long p;
	size_t n;

	if (text[0] == '[') {
		if ((end = strchr(text, ']')) == NULL || end[1] != ':')
			return -1;
		n = (size_t)(end - text - 1);
		text++;
		colon = end + 1;
	} else {
		if ((colon = strrchr(text, ':')) == NULL)
			return -1;
		n = (size_t)(colon - text);
	}
	if (n == 0 || n >= cap)
		return -1;
	memcpy(host, text, n);
	host[n] = 0;
	p = strtol(colon + 1, &stop, 10);
	if (*stop != '\0' || colon[1] == '\0' || p < 1 || p > 65535)
		return -1;
	*port = (int)p;
	return 0;
}

int
addr_host(const char *addr, char *host, size_t cap)
{
	int port;

	return split(addr, host, cap, &port);
}

int
addr_parse(const char *text, struct sockaddr_storage *out)
{
	char host[256];
	int port;

	memset(out, 0, sizeof *out);
	if (split(text, host, sizeof host, &port) != 0)
		return -1;
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	if (uv_ip4_addr(host, port, (struct sockaddr_in *)out) == 0)
		return 0;
	return uv_ip6_addr(host, port, (struct sockaddr_in6 *)out) == 0 ? 0 : -1;
}

/* RFC 1123's host name: LDH labels of 1 to 63 bytes, 253 in all, the
 * last not all digits (it would read as an address). */
static int
host_name(const char *h)
{
	size_t n = strlen(h), label = 0;
	int digits = 1;

	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		char c = h[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || h[i - 1] == '-')
				return 0;
			if (c == '\0')
				break;
			label = 0;
			digits = 1;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    (c == '-' && label > 0)))
			return 0;
		digits &= c >= '0' && c <= '9';
		label++;
	}
	return !digits;
}

int
addr_valid(const char *text)
{
	char host[256];
	int port;

	if (addr_dialable(text))
		return 1;
	return text[0] != '[' && split(text, host, sizeof host, &port) == 0 &&
	    host_name(host) && strcmp(host, "localhost") != 0;
}

int
addr_dialable(const char *text)
{
	struct sockaddr_storage ss;
	uint8_t g[AB_GROUP_LEN];

	return addr_parse(text, &ss) == 0 && addrbook_group((struct sockaddr *)&ss, 0, g) == 0;
}

/* The group of addr ("HOST:PORT", numeric) as an address or a source
 * (addrbook_group). 0, or -1 if it is not numeric or is refused. */
static int
group_of(const char *addr, int as_source, uint8_t g[static AB_GROUP_LEN])
{
	struct sockaddr_storage ss;

	if (addr_parse(addr, &ss) != 0)
		return -1;
	return addrbook_group((struct sockaddr *)&ss, as_source, g);
}

/* Writes what changed in the book since the last call, in one
 * transaction. */
static void
persist(daemon_state *d)
{
	static const store_peer *put[AB_MAX];
	static const char *del[AB_GONE_MAX];
	addrbook *b = &d->book;
	size_t n_put = 0;
	em_err err;

	for (size_t i = 0; i < AB_MAX; i++)
		if (b->e[i].used && b->e[i].dirty)
			put[n_put++] = &b->e[i].p;
	for (size_t i = 0; i < b->n_gone; i++)
		del[i] = b->gone[i];
	if ((err = store_peer_write(d->st, put, n_put, del, b->n_gone)) != EM_OK)
		log_error("cannot store the peer table: %s", em_strerror(err));
	addrbook_clean(b);
}

int
dial_self(daemon_state *d, const char *addr, const uint8_t *id)
{
	return (id != NULL && memcmp(id, d->pk, 32) == 0) ||
	    strcmp(addr, d->o.listen) == 0 ||
	    (d->o.advertise[0] && strcmp(addr, d->o.advertise) == 0);
}

known *
dial_add(daemon_state *d, const char *addr, const char **why)
{
	uint8_t g[AB_GROUP_LEN] = { AB_G_NONE };
	char host[256];
	struct sockaddr_storage ss;
	const char *w = NULL;
	known *k = NULL;
	int i = -1;

	if (addr_host(addr, host, sizeof host) != 0)
		w = "not a HOST:PORT address";
	else if (dial_self(d, addr, NULL))
		w = "that is this node";
	else if (addr_parse(addr, &ss) == 0 && addrbook_group((struct sockaddr *)&ss, 0, g) != 0)
		w = "an address no node listens on";
	else if ((i = addrbook_add_operator(&d->book, addr, g, daemon_now(d))) < 0)
		w = "the operator's list of peers is full";
	if (i >= 0) {
		k = &d->book.e[i];
		k->next_dial = 0;
		k->p.fails = 0;
		k->dirty = 1;
		persist(d);
	}
	if (why != NULL)
		*why = w;
	return k;
}

int
dial_remove(daemon_state *d, const char *addr)
{
	int i = addrbook_find(&d->book, addr);

	if (i < 0)
		return -1;
	for (conn *c = d->conns; c != NULL; c = c->next)
		if (!c->closing && c->outbound && strcmp(c->addr, addr) == 0)
			conn_close(c, "removed by the operator");
	addrbook_remove(&d->book, i);
	persist(d);
	return 0;
}

/* dial_heard, without writing to the store. */
static known *
heard(daemon_state *d, const char *from, const char *addr, const uint8_t *id)
{
	uint8_t g[AB_GROUP_LEN], src[AB_GROUP_LEN];
	known *k;
	int i;

	if (dial_self(d, addr, id) || group_of(addr, 0, g) != 0 || group_of(from, 1, src) != 0 ||
	    (i = addrbook_add(&d->book, addr, g, src, daemon_now(d))) < 0)
		return NULL;
	k = &d->book.e[i];
	if (id != NULL && !k->p.has_id) {	/* a known id is never replaced by a claim */
		k->p.has_id = 1;
		memcpy(k->p.id, id, 32);
		k->dirty = 1;
	}
	return k;
}

known *
dial_heard(daemon_state *d, const char *from, const char *addr, const uint8_t *id)
{
	known *k = heard(d, from, addr, id);

	persist(d);	/* a stale entry may have gone, even if addr was not taken */
	return k;
}

/* Whether m names address i earlier than i. */
static int
repeated(const wire_msg *m, uint32_t i)
{
	for (uint32_t j = 0; j < i; j++)
		if (strcmp(m->u.peers.p[j].addr, m->u.peers.p[i].addr) == 0)
			return 1;
	return 0;
}

void
dial_on_peers(daemon_state *d, conn *c, const wire_msg *m)
{
	const char *why = NULL;
	uint32_t i;

	c->addr_tokens = addrbook_refill(c->addr_tokens, &c->addr_at, daemon_mono(d));
	for (i = 0; i < m->u.peers.n; i++) {
		const wire_peer *p = &m->u.peers.p[i];

		if (c->addr_tokens == 0) {
			why = "more peer addresses than a node passes on";
			break;
		}
		c->addr_tokens--;
		if (repeated(m, i)) {
			why = "one peer address twice in a message";
			continue;
		}
		heard(d, c->addr, p->addr, p->has_id ? p->id : NULL);
	}
	persist(d);
	if (why != NULL) {
		log_debug("peer %s: %s (%u of %u read)", c->addr, why, i, m->u.peers.n);
		gossip_penalize(d->g, c->handle, PENALTY_FLOOD, why);
	}
}

/* The bucket key: the store's, or a new one from the CSPRNG, stored. */
static void
load_key(daemon_state *d, uint8_t key[static 32])
{
	char hex[2 * 32 + 1];

	if (store_meta_get(d->st, "peers_key", hex, sizeof hex) == EM_OK &&
	    hex_decode(key, 32, hex) == EM_OK)
		return;
	hash_random(key, 32);
	hex_encode(hex, key, 32);
	if (store_meta_set(d->st, "peers_key", hex) != EM_OK)
		log_error("cannot store the peer table's key: peers are placed anew next time");
	hash_wipe(hex, sizeof hex);
}

struct load {
	daemon_state	*d;
	int		 pass;	/* 0 the operator's, 1 tried, 2 the rest */
	uint64_t	 now;
};

static int
load_one(void *ctx, const store_peer *p)
{
	struct load *l = ctx;
	uint8_t g[AB_GROUP_LEN] = { AB_G_NONE };
	char host[256];
	int pass = p->table == STORE_PEER_OPERATOR ? 0 : p->table == STORE_PEER_TRIED ||
	    (p->table == STORE_PEER_UNKNOWN && p->last_ok != 0) ? 1 : 2;

	if (pass != l->pass)
		return 0;
	/* a name for a host stays ungrouped: only the operator gives one */
	if (group_of(p->addr, 0, g) != 0 &&
	    (pass != 0 || addr_host(p->addr, host, sizeof host) != 0 ||
	    addr_parse(p->addr, &(struct sockaddr_storage){ 0 }) == 0))
		return 0;
	if (addrbook_load(&l->d->book, p, g, l->now) < 0 && pass == 0)
		log_warn("stored peer '%s' not kept: the operator's list holds %d addresses",
		    p->addr, AB_OPERATOR_MAX);
	return 0;
}

static int
load_keep(void *ctx, const char *addr)
{
	return addrbook_find(&((daemon_state *)ctx)->book, addr) >= 0;
}

void
dial_load(daemon_state *d)
{
	struct load l = { d, 0, daemon_now(d) };
	uint8_t key[32];
	const char *why;
	size_t gone = 0;
	em_err err = EM_OK;

	load_key(d, key);
	addrbook_init(&d->book, key);
	hash_wipe(key, sizeof key);
	for (l.pass = 0; l.pass < 3 && err == EM_OK; l.pass++)
		err = store_peer_each(d->st, load_one, &l);
	if (err == EM_OK)
		err = store_peer_prune(d->st, load_keep, d, &gone);
	if (err != EM_OK)
		log_error("cannot read the stored peers: %s", em_strerror(err));
	else if (gone > 0)
		log_info("peer table: %zu stored addresses not kept (no room in their buckets)",
		    gone);
	persist(d);	/* entries an older evalmesh stored, in the new form */
	for (size_t i = 0; i < d->o.n_peers; i++)
		if (dial_add(d, d->o.peers[i], &why) == NULL)
			log_warn("--peer '%s': %s", d->o.peers[i], why);
}

void
dial_good(daemon_state *d, const char *addr, const uint8_t id[static 32])
{
	int i = addrbook_find(&d->book, addr);

	if (i < 0)
		return;
	if (!d->book.e[i].p.has_id) {
		d->book.e[i].p.has_id = 1;
		memcpy(d->book.e[i].p.id, id, 32);
	}
	addrbook_good(&d->book, i, daemon_now(d));
	persist(d);
}

/* The next dial is a monotonic time (in memory only); last_ok is stored
 * with the peer, so it is a wall time, which outlives the process. */
void
dial_result(daemon_state *d, known *k, int ok, const uint8_t *id)
{
	(void)id;
	if (ok) {
		k->p.fails = 0;
		k->p.last_ok = daemon_now(d);
	} else {
		k->p.fails = timing_dial_fails(k->p.fails);
	}
	k->next_dial = timing_dial_next(daemon_mono(d), ok, k->p.fails,
	    ok ? 0 : em_rand(d->clock));
	store_peer_put(d->st, &k->p);
}

void
dial_ban(daemon_state *d, const char *addr, const uint8_t *id)
{
	ban_entry *b;
	char host[256] = "";

	if (addr != NULL && addr_host(addr, host, sizeof host) != 0)
		host[0] = 0;
	if (d->n_bans == sizeof d->bans / sizeof d->bans[0])
		memmove(d->bans, d->bans + 1, --d->n_bans * sizeof *d->bans);
	b = &d->bans[d->n_bans++];
	memset(b, 0, sizeof *b);
	snprintf(b->host, sizeof b->host, "%s", host);
	if ((b->has_id = id != NULL))
		memcpy(b->id, id, 32);
	b->ends = timing_ban_end(daemon_mono(d));
	b->until = timing_ban_end(daemon_now(d));	/* shown in `evalmesh peers` */
	log_warn("banned %s for %d minutes", host[0] ? host : "a peer", BAN_MS / 60000);
}

int
dial_ban_holds(daemon_state *d, const ban_entry *b)
{
	return timing_ban_holds(b->ends, daemon_mono(d));
}

/* host_or_addr: a bare host, or "host:port" (the host is what counts). */
int
dial_banned(daemon_state *d, const char *host_or_addr, const uint8_t *id)
{
	char host[256] = "";
	uint64_t now = daemon_mono(d);

	if (host_or_addr != NULL && addr_host(host_or_addr, host, sizeof host) != 0)
		snprintf(host, sizeof host, "%s", host_or_addr);
	for (size_t i = 0; i < d->n_bans; i++) {
		ban_entry *b = &d->bans[i];

		if (!timing_ban_holds(b->ends, now))
			continue;
		if ((id != NULL && b->has_id && memcmp(b->id, id, 32) == 0) ||
		    (host[0] && b->host[0] && strcmp(b->host, host) == 0))
			return 1;
	}
	return 0;
}

static int
connected_to(daemon_state *d, const known *k)
{
	for (conn *c = d->conns; c != NULL; c = c->next)
		if (!c->closing && (strcmp(c->addr, k->p.addr) == 0 ||
		    (k->p.has_id && c->ready && memcmp(c->id, k->p.id, 32) == 0)))
			return 1;
	return 0;
}

/* A host name being resolved for entry i, whose address is copied: the
 * entry may be another's by the time the answer comes. */
typedef struct resolving {
	uv_getaddrinfo_t req;
	daemon_state	*d;
	size_t		 i;
	char		 addr[sizeof ((known *)0)->p.addr];
} resolving;

static void
on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	resolving *r = req->data;
	daemon_state *d = r->d;
	known *k = &d->book.e[r->i];
	const struct addrinfo *a, *pick = NULL;
	uint8_t g[AB_GROUP_LEN];
	size_t n = 0, want;

	d->n_resolving--;
	if (!k->used || strcmp(k->p.addr, r->addr) != 0)
		goto out;	/* forgotten meanwhile */
	k->dialing = 0;
	if (d->stopping)
		goto out;
	if (d->n_out >= d->o.max_out) {	/* numeric peers took the slots meanwhile */
		k->next_dial = daemon_mono(d) + 1000;
		goto out;
	}
	for (a = status == 0 ? res : NULL; a != NULL; a = a->ai_next)
		n += addrbook_group(a->ai_addr, 0, g) == 0;
	/* several addresses: each redial the next */
	want = n ? k->p.fails % n : 0;
	for (a = status == 0 ? res : NULL; a != NULL && pick == NULL; a = a->ai_next)
		if (addrbook_group(a->ai_addr, 0, g) == 0 && want-- == 0)
			pick = a;
	if (pick == NULL) {
		log_info("peer %s: cannot resolve its name: %s", r->addr, status ?
		    uv_strerror(status) : "no address a node can be dialed at");
		dial_result(d, k, 0, NULL);
		goto out;
	}
	k->dialing = 1;
	log_debug("dialing %s", r->addr);
	conn_dial(d, k, pick->ai_addr);
out:
	uv_freeaddrinfo(res);
	free(r);
}

/* Resolves k's host name (entry i) off the loop, then dials it: on every
 * dial, since addresses change. */
static void
resolve(daemon_state *d, known *k, size_t i)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	char host[256], port[8];
	resolving *r;
	int p;

	if (split(k->p.addr, host, sizeof host, &p) != 0 || (r = calloc(1, sizeof *r)) == NULL) {
		dial_result(d, k, 0, NULL);
		return;
	}
	snprintf(port, sizeof port, "%d", p);
	r->d = d;
	r->i = i;
	r->req.data = r;
	snprintf(r->addr, sizeof r->addr, "%s", k->p.addr);
	k->dialing = 1;
	if (uv_getaddrinfo(d->loop, &r->req, on_resolved, host, port, &hints) != 0) {
		k->dialing = 0;
		free(r);
		dial_result(d, k, 0, NULL);
		return;
	}
	d->n_resolving++;
}

/* Dials known peers of table t until the outbound target is met. */
static void
dial_table(daemon_state *d, uint8_t t, uint64_t now)
{
	for (size_t i = 0; i < AB_MAX && d->n_out < d->o.max_out; i++) {
		known *k = &d->book.e[i];
		struct sockaddr_storage ss;

		if (!k->used || k->p.table != t || k->dialing ||
		    !timing_dial_due(k->next_dial, now) || connected_to(d, k) ||
		    dial_banned(d, k->p.addr, k->p.has_id ? k->p.id : NULL))
			continue;
		if (addr_parse(k->p.addr, &ss) != 0) {
			if (addr_valid(k->p.addr)) {
				if (d->n_resolving < RESOLVE_MAX)
					resolve(d, k, i);	/* else on a later round */
			} else {
				/* neither an address nor a host name */
				dial_result(d, k, 0, NULL);
			}
			continue;
		}
		k->dialing = 1;
		log_debug("dialing %s", k->p.addr);
		conn_dial(d, k, (struct sockaddr *)&ss);
	}
}

/* The operator's first: what peers told us cannot crowd them out. */
void
dial_maintain(daemon_state *d)
{
	uint64_t now = daemon_mono(d);

	dial_table(d, STORE_PEER_OPERATOR, now);
	dial_table(d, STORE_PEER_TRIED, now);
	dial_table(d, STORE_PEER_NEW, now);
}

void
dial_peers_msg(daemon_state *d, wire_msg *m)
{
	size_t start = (size_t)(em_rand(d->clock) % AB_MAX);
	uint32_t n = 0;

	m->type = WIRE_PEERS;
	for (size_t j = 0; j < AB_MAX && n < EXCHANGE_MAX; j++) {
		known *k = &d->book.e[(start + j) % AB_MAX];

		/* pass on only addresses that worked or are live now */
		if (!k->used || (k->p.last_ok == 0 && !connected_to(d, k)) ||
		    dial_banned(d, k->p.addr, NULL))
			continue;
		snprintf(m->u.peers.p[n].addr, sizeof m->u.peers.p[n].addr, "%s", k->p.addr);
		m->u.peers.p[n].has_id = k->p.has_id;
		memcpy(m->u.peers.p[n].id, k->p.id, 32);
		n++;
	}
	m->u.peers.n = n;
}

/* Known peers: who to dial, when to try again, who is banned, and what we
 * tell others in peer exchange. */
#include "daemon_impl.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

#define EXCHANGE_MAX	32	/* addresses per peers message */

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

static known *
find(daemon_state *d, const char *addr)
{
	for (size_t i = 0; i < d->n_known; i++)
		if (strcmp(d->known[i].p.addr, addr) == 0)
			return &d->known[i];
	return NULL;
}

/* Our own address is not worth dialing. */
static int
is_self(daemon_state *d, const char *addr, const uint8_t *id)
{
	return (id != NULL && memcmp(id, d->pk, 32) == 0) ||
	    strcmp(addr, d->o.listen) == 0 ||
	    (d->o.advertise[0] && strcmp(addr, d->o.advertise) == 0);
}

known *
dial_learn(daemon_state *d, const char *addr, const uint8_t *id)
{
	struct sockaddr_storage ss;
	char host[256];
	known *k;

	if (addr_host(addr, host, sizeof host) != 0 || is_self(d, addr, id))
		return NULL;
	/* "0.0.0.0:port" from a peer's hello says nothing about where it is */
	if (addr_parse(addr, &ss) == 0 &&
	    (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0))
		return NULL;
	if ((k = find(d, addr)) == NULL) {
		if (d->n_known == KNOWN_MAX)
			return NULL;
		k = &d->known[d->n_known++];
		memset(k, 0, sizeof *k);
		snprintf(k->p.addr, sizeof k->p.addr, "%s", addr);
	} else if (!id || k->p.has_id) {
		return k;	/* a known id is never replaced by a claim */
	}
	if (id != NULL) {
		k->p.has_id = 1;
		memcpy(k->p.id, id, 32);
	}
	store_peer_put(d->st, &k->p);
	return k;
}

void
dial_load(daemon_state *d)
{
	static store_peer list[KNOWN_MAX];
	size_t n = 0;

	store_peer_list(d->st, list, KNOWN_MAX, &n);
	for (size_t i = 0; i < n && d->n_known < KNOWN_MAX; i++) {
		known *k = &d->known[d->n_known++];

		memset(k, 0, sizeof *k);
		k->p = list[i];
	}
	for (size_t i = 0; i < d->o.n_peers; i++)
		if (dial_learn(d, d->o.peers[i], NULL) == NULL && !find(d, d->o.peers[i]))
			log_warn("--peer '%s': not a HOST:PORT address, or this node", d->o.peers[i]);
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

/* Dials known peers until the outbound target is met. */
void
dial_maintain(daemon_state *d)
{
	uint64_t now = daemon_mono(d);

	for (size_t i = 0; i < d->n_known && d->n_out < d->o.max_out; i++) {
		known *k = &d->known[i];
		struct sockaddr_storage ss;

		if (k->dialing || !timing_dial_due(k->next_dial, now) || connected_to(d, k) ||
		    dial_banned(d, k->p.addr, k->p.has_id ? k->p.id : NULL))
			continue;
		if (addr_parse(k->p.addr, &ss) != 0) {
			dial_result(d, k, 0, NULL);	/* names are not resolved (yet) */
			continue;
		}
		k->dialing = 1;
		log_debug("dialing %s", k->p.addr);
		conn_dial(d, k, (struct sockaddr *)&ss);
	}
}

void
dial_peers_msg(daemon_state *d, wire_msg *m)
{
	uint32_t n = 0;

	m->type = WIRE_PEERS;
	for (size_t i = 0; i < d->n_known && n < EXCHANGE_MAX; i++) {
		known *k = &d->known[i];

		/* pass on only addresses that worked or are live now */
		if ((k->p.last_ok == 0 && !connected_to(d, k)) ||
		    dial_banned(d, k->p.addr, NULL))
			continue;
		snprintf(m->u.peers.p[n].addr, sizeof m->u.peers.p[n].addr, "%s", k->p.addr);
		m->u.peers.p[n].has_id = k->p.has_id;
		memcpy(m->u.peers.p[n].id, k->p.id, 32);
		n++;
	}
	m->u.peers.n = n;
}

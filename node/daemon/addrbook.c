/* The peer table's rules (addrbook.h): groups, keyed buckets, the new,
 * tried and operator tables, staleness, and a peer's address budget. */
#include "addrbook.h"

#include <assert.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "hash.h"

/* A time since t at now; 0 if t is after now (a clock stepped back). */
static uint64_t
since(uint64_t now, uint64_t t)
{
	return now > t ? now - t : 0;
}

static int
addr_fits(const char *addr)
{
	size_t n = strnlen(addr, 256);

	return n > 0 && n < 256;
}

/* The first 8 bytes of BLAKE2b keyed with the book's secret over in. */
static uint64_t
keyed(const addrbook *b, const uint8_t *in, size_t len)
{
	uint8_t out[HASH_LEN];

	hash_keyed(out, b->key, in, len);
	return be_get(out, 8);
}

void
addrbook_init(addrbook *b, const uint8_t key[static 32])
{
	memset(b, 0, sizeof *b);
	memcpy(b->key, key, 32);
}

static void
loopback(uint8_t out[static AB_GROUP_LEN], int as_source, const uint8_t ip[16],
    uint16_t port)
{
	if (as_source) {
		out[0] = AB_G_LOOP_HOST;
		memcpy(out + 1, ip, 16);
	} else {
		out[0] = AB_G_LOOP_PORT;
		out[1] = (uint8_t)(port >> 8);
		out[2] = (uint8_t)port;
	}
}

/* ip holds an IPv4 address as ::ffff:a.b.c.d. */
static int
group_v4(uint8_t out[static AB_GROUP_LEN], int as_source, const uint8_t ip[16],
    uint16_t port)
{
	const uint8_t *a = ip + 12;

	if (a[0] == 0 || a[0] >= 224)	/* "this network", multicast, 240/4 */
		return -1;
	if (a[0] == 127) {
		loopback(out, as_source, ip, port);
		return 0;
	}
	out[0] = AB_G_IPV4;
	out[1] = a[0];
	out[2] = a[1];
	return 0;
}

int
addrbook_group(const struct sockaddr *sa, int as_source, uint8_t out[static AB_GROUP_LEN])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t zero[16], one[16] = { [15] = 1 };
	uint8_t ip[16];
	uint16_t port;

	memset(out, 0, AB_GROUP_LEN);
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		memcpy(ip, mapped, 12);
		memcpy(ip + 12, &s4->sin_addr, 4);
		port = ntohs(s4->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		memcpy(ip, &s6->sin6_addr, 16);
		port = ntohs(s6->sin6_port);
	} else {
		return -1;
	}
	if (port == 0 && !as_source)
		return -1;
	if (memcmp(ip, mapped, 12) == 0)
		return group_v4(out, as_source, ip, port);
	if (memcmp(ip, zero, 16) == 0 || ip[0] == 0xff ||
	    (ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80))	/* ::, ff00::/8, fe80::/10 */
		return -1;
	if (memcmp(ip, one, 16) == 0) {
		loopback(out, as_source, ip, port);
		return 0;
	}
	out[0] = AB_G_IPV6;
	memcpy(out + 1, ip, 4);
	return 0;
}

int
addrbook_is_loopback(const uint8_t g[static AB_GROUP_LEN])
{
	return g[0] == AB_G_LOOP_PORT || g[0] == AB_G_LOOP_HOST;
}

/* A source group reaches AB_NEW_PER_SOURCE distinct buckets, drawn
 * under the key without repeats; which of them an address takes follows
 * from its group, so one group of addresses from one source fills one
 * bucket at most. */
unsigned
addrbook_new_bucket(const addrbook *b, const uint8_t src[static AB_GROUP_LEN],
    const uint8_t g[static AB_GROUP_LEN])
{
	uint8_t in[2 + 2 * AB_GROUP_LEN], taken[AB_NEW_BUCKETS] = { 0 };
	unsigned pick, bucket = 0;

	in[0] = 'N';
	memcpy(in + 1, src, AB_GROUP_LEN);
	memcpy(in + 1 + AB_GROUP_LEN, g, AB_GROUP_LEN);
	pick = (unsigned)(keyed(b, in, 1 + 2 * AB_GROUP_LEN) % AB_NEW_PER_SOURCE);
	in[0] = 'n';
	for (unsigned k = 0; k <= pick; k++) {
		/* the r-th of the buckets not drawn yet */
		unsigned r;

		in[1 + AB_GROUP_LEN] = (uint8_t)k;
		r = (unsigned)(keyed(b, in, 2 + AB_GROUP_LEN) % (AB_NEW_BUCKETS - k));
		for (bucket = 0; taken[bucket] || r-- > 0; bucket++)
			;
		taken[bucket] = 1;
	}
	return bucket;
}

/* An address group reaches AB_TRIED_PER_GROUP buckets; the address
 * itself picks one. */
unsigned
addrbook_tried_bucket(const addrbook *b, const char *addr, const uint8_t g[static AB_GROUP_LEN])
{
	uint8_t in[1 + 256];
	size_t n = strnlen(addr, 255);
	uint64_t pick;

	in[0] = 'T';
	memcpy(in + 1, addr, n);
	pick = keyed(b, in, 1 + n) % AB_TRIED_PER_GROUP;
	in[0] = 't';
	memcpy(in + 1, g, AB_GROUP_LEN);
	in[1 + AB_GROUP_LEN] = (uint8_t)pick;
	return (unsigned)(keyed(b, in, 2 + AB_GROUP_LEN) % AB_TRIED_BUCKETS);
}

int
addrbook_find(const addrbook *b, const char *addr)
{
	for (int i = 0; i < AB_MAX; i++)
		if (b->e[i].used && strcmp(b->e[i].p.addr, addr) == 0)
			return i;
	return -1;
}

size_t
addrbook_count(const addrbook *b)
{
	return b->n_new + b->n_tried + b->n_operator;
}

int
addrbook_stale(const store_peer *p, uint64_t now)
{
	if (p->table == STORE_PEER_OPERATOR)
		return 0;
	if (p->last_ok == 0 && p->fails >= AB_RETRIES)
		return 1;
	if (p->last_ok != 0 && p->fails >= AB_FAILS_MAX && since(now, p->last_ok) > AB_FAIL_MS)
		return 1;
	return since(now, p->heard) > AB_HORIZON_MS && since(now, p->last_ok) > AB_HORIZON_MS;
}

/* --- the tables' bookkeeping */

/* Enters entry e in table t (bucket: its bucket there, -1 for the
 * operator's), counted. */
static void
enter(addrbook *b, ab_entry *e, uint8_t t, int bucket)
{
	e->p.table = t;
	e->bucket = bucket;
	e->dirty = 1;
	if (t == STORE_PEER_NEW) {
		b->fill_new[bucket]++;
		b->n_new++;
	} else if (t == STORE_PEER_TRIED) {
		b->fill_tried[bucket]++;
		b->n_tried++;
	} else {
		b->n_operator++;
	}
}

/* Takes e out of its table's counts (it stays used). */
static void
leave(addrbook *b, ab_entry *e)
{
	if (e->p.table == STORE_PEER_NEW) {
		b->fill_new[e->bucket]--;
		b->n_new--;
	} else if (e->p.table == STORE_PEER_TRIED) {
		b->fill_tried[e->bucket]--;
		b->n_tried--;
	} else {
		b->n_operator--;
	}
	e->bucket = -1;
}

/* Forgets entry i, out of every table already: its address goes to
 * gone (while there is room: beyond it, the next load's prune removes it
 * from the store). */
static void
forget(addrbook *b, int i)
{
	ab_entry *e = &b->e[i];

	if (b->n_gone < AB_GONE_MAX)
		memcpy(b->gone[b->n_gone++], e->p.addr, sizeof e->p.addr);
	memset(e, 0, sizeof *e);
}

static void
drop(addrbook *b, int i)
{
	leave(b, &b->e[i]);
	forget(b, i);
}

void
addrbook_remove(addrbook *b, int i)
{
	drop(b, i);
}

/* A free index: there is one whenever a table has room. */
static int
slot(addrbook *b, const char *addr, const uint8_t g[static AB_GROUP_LEN])
{
	for (int i = 0; i < AB_MAX; i++)
		if (!b->e[i].used) {
			ab_entry *e = &b->e[i];

			memset(e, 0, sizeof *e);
			e->used = 1;
			e->bucket = -1;
			snprintf(e->p.addr, sizeof e->p.addr, "%s", addr);
			memcpy(e->group, g, AB_GROUP_LEN);
			return i;
		}
	assert(!"a table had room but no index was free");
	return -1;
}

/* The entry of new bucket nb (other than not) that is stale at now and
 * was told of longest ago, or -1. */
static int
stale_in(const addrbook *b, unsigned nb, int not, uint64_t now)
{
	int best = -1;

	for (int i = 0; i < AB_MAX; i++) {
		const ab_entry *e = &b->e[i];

		if (!e->used || i == not || e->p.table != STORE_PEER_NEW ||
		    e->bucket != (int)nb || !addrbook_stale(&e->p, now))
			continue;
		if (best < 0 || e->p.heard < b->e[best].p.heard)
			best = i;
	}
	return best;
}

/* Room in new bucket nb at now, for an entry other than not: 0 if there
 * is (a stale entry may have been dropped for it), -1 if not. */
static int
room_new(addrbook *b, unsigned nb, int not, uint64_t now)
{
	int v;

	if (b->fill_new[nb] < AB_BUCKET_SLOTS)
		return 0;
	if ((v = stale_in(b, nb, not, now)) < 0)
		return -1;
	drop(b, v);
	return 0;
}

/* --- what happens to addresses */

int
addrbook_add_operator(addrbook *b, const char *addr, const uint8_t g[static AB_GROUP_LEN],
    uint64_t now)
{
	int i;

	if (!addr_fits(addr))
		return -1;
	if ((i = addrbook_find(b, addr)) >= 0 && b->e[i].p.table == STORE_PEER_OPERATOR)
		return i;
	if (b->n_operator == AB_OPERATOR_MAX)
		return -1;
	if (i >= 0) {
		leave(b, &b->e[i]);	/* its record comes along */
	} else {
		i = slot(b, addr, g);
		b->e[i].p.heard = now;
	}
	enter(b, &b->e[i], STORE_PEER_OPERATOR, -1);
	return i;
}

int
addrbook_add(addrbook *b, const char *addr, const uint8_t g[static AB_GROUP_LEN],
    const uint8_t src[static AB_GROUP_LEN], uint64_t now)
{
	unsigned nb;
	int i;

	if (!addr_fits(addr) || (addrbook_is_loopback(g) && !addrbook_is_loopback(src)))
		return -1;
	if ((i = addrbook_find(b, addr)) >= 0) {
		ab_entry *e = &b->e[i];

		if (since(now, e->p.heard) >= AB_HEARD_EVERY || e->p.heard > now) {
			e->p.heard = now;
			e->dirty = 1;
		}
		return i;
	}
	nb = addrbook_new_bucket(b, src, g);
	if (room_new(b, nb, -1, now) != 0)
		return -1;
	i = slot(b, addr, g);
	memcpy(b->e[i].p.source, src, AB_GROUP_LEN);
	b->e[i].p.heard = now;
	enter(b, &b->e[i], STORE_PEER_NEW, (int)nb);
	return i;
}

/* The entry of tried bucket tb that may give way at now — it worked
 * over AB_TRIED_KEEP_MS ago and failed since; the one that worked
 * longest ago — or -1. */
static int
tried_victim(const addrbook *b, unsigned tb, uint64_t now)
{
	int best = -1;

	for (int i = 0; i < AB_MAX; i++) {
		const ab_entry *e = &b->e[i];

		if (!e->used || e->p.table != STORE_PEER_TRIED || e->bucket != (int)tb ||
		    e->p.fails == 0 || since(now, e->p.last_ok) <= AB_TRIED_KEEP_MS)
			continue;
		if (best < 0 || e->p.last_ok < b->e[best].p.last_ok)
			best = i;
	}
	return best;
}

/* Entry v leaves tried for its new bucket, or is dropped if that has no
 * room. */
static void
demote(addrbook *b, int v, uint64_t now)
{
	ab_entry *e = &b->e[v];
	unsigned nb = addrbook_new_bucket(b, e->p.source, e->group);

	leave(b, e);
	if (room_new(b, nb, v, now) != 0) {
		forget(b, v);
		return;
	}
	enter(b, e, STORE_PEER_NEW, (int)nb);
}

void
addrbook_good(addrbook *b, int i, uint64_t now)
{
	ab_entry *e;
	unsigned tb;
	int v = -1;

	if (i < 0 || i >= AB_MAX || !b->e[i].used)
		return;
	e = &b->e[i];
	e->p.last_ok = now;
	e->p.fails = 0;
	e->dirty = 1;
	if (e->p.table != STORE_PEER_NEW)
		return;
	tb = addrbook_tried_bucket(b, e->p.addr, e->group);
	if (b->fill_tried[tb] == AB_BUCKET_SLOTS && (v = tried_victim(b, tb, now)) < 0)
		return;	/* stays in new, its success recorded */
	leave(b, e);
	if (v >= 0)
		demote(b, v, now);
	enter(b, e, STORE_PEER_TRIED, (int)tb);
}

int
addrbook_load(addrbook *b, const store_peer *p, const uint8_t g[static AB_GROUP_LEN],
    uint64_t now)
{
	uint8_t t = p->table, src[AB_GROUP_LEN];
	int i, changed = 0;
	unsigned bucket;

	if (!addr_fits(p->addr) || addrbook_find(b, p->addr) >= 0)
		return -1;
	memcpy(src, p->source, AB_GROUP_LEN);
	if (t == STORE_PEER_UNKNOWN) {
		t = p->last_ok != 0 ? STORE_PEER_TRIED : STORE_PEER_NEW;
		memset(src, 0, AB_GROUP_LEN);
		src[0] = AB_G_LEGACY;
		changed = 1;
	}
	if (t == STORE_PEER_OPERATOR) {
		if (b->n_operator == AB_OPERATOR_MAX)
			return -1;
		bucket = 0;
	} else if (addrbook_is_loopback(g) && !addrbook_is_loopback(src) &&
	    src[0] != AB_G_LEGACY) {
		return -1;	/* an older build's: who told it is not known */
	} else if (t == STORE_PEER_TRIED &&
	    b->fill_tried[bucket = addrbook_tried_bucket(b, p->addr, g)] < AB_BUCKET_SLOTS) {
		;
	} else {
		changed |= t != STORE_PEER_NEW;
		t = STORE_PEER_NEW;
		if (room_new(b, bucket = addrbook_new_bucket(b, src, g), -1, now) != 0)
			return -1;
	}
	i = slot(b, p->addr, g);
	b->e[i].p = *p;
	memcpy(b->e[i].p.source, src, AB_GROUP_LEN);
	enter(b, &b->e[i], t, t == STORE_PEER_OPERATOR ? -1 : (int)bucket);
	b->e[i].dirty = changed;
	return i;
}

void
addrbook_clean(addrbook *b)
{
	for (int i = 0; i < AB_MAX; i++)
		b->e[i].dirty = 0;
	b->n_gone = 0;
}

uint32_t
addrbook_refill(uint32_t tokens, uint64_t *at, uint64_t now)
{
	uint64_t steps;

	if (now <= *at)
		return tokens;
	steps = (now - *at) / AB_PEER_EVERY_MS;
	if (steps >= AB_PEER_BURST || tokens + steps >= AB_PEER_BURST) {
		*at = now;
		return AB_PEER_BURST;
	}
	*at += steps * AB_PEER_EVERY_MS;
	return tokens + (uint32_t)steps;
}

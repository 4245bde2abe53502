/* The peer table's rules (node/daemon/addrbook.h) as pure functions:
 * groups, keyed buckets, what a flood from one source can take, the
 * operator's addresses, tried ones, staleness, and putting a stored
 * table back. Times are wall ms, passed in. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "addrbook.h"
#include "daemon.h"

#define T0	1764000000000ull	/* 2025-11-24, in ms */
#define HOUR	3600000ull
#define DAY	(24 * HOUR)

static const uint8_t key1[32] = { 1 }, key2[32] = { 2 };

/* The group of addr (a numeric HOST:PORT) as an address or a source;
 * the test fails if it has none. Each call has its own buffer, 8 deep. */
static const uint8_t *
grp(const char *addr, int as_source)
{
	static uint8_t g[8][AB_GROUP_LEN];
	static int next;
	struct sockaddr_storage ss;
	uint8_t *out = g[next++ % 8];

	assert_int_equal(addr_parse(addr, &ss), 0);
	assert_int_equal(addrbook_group((struct sockaddr *)&ss, as_source, out), 0);
	return out;
}

static int
refused(const char *addr)
{
	struct sockaddr_storage ss;
	uint8_t g[AB_GROUP_LEN];

	assert_int_equal(addr_parse(addr, &ss), 0);
	return addrbook_group((struct sockaddr *)&ss, 0, g) != 0;
}

/* addr told by the peer at src (both numeric HOST:PORT). */
static int
add(addrbook *b, const char *addr, const char *src, uint64_t now)
{
	return addrbook_add(b, addr, grp(addr, 0), grp(src, 1), now);
}

static addrbook *
book(const uint8_t key[32])
{
	addrbook *b = malloc(sizeof *b);

	assert_non_null(b);
	addrbook_init(b, key);
	return b;
}

/* How many entries came from source group src (of the source src). */
static size_t
from(const addrbook *b, const char *src)
{
	const uint8_t *g = grp(src, 1);
	size_t n = 0;

	for (int i = 0; i < AB_MAX; i++)
		n += b->e[i].used && b->e[i].p.table == STORE_PEER_NEW &&
		    memcmp(b->e[i].p.source, g, AB_GROUP_LEN) == 0;
	return n;
}

/* The counts agree with the entries, and no bucket is over its size. */
static void
consistent(const addrbook *b)
{
	size_t n[4] = { 0 }, fn[AB_NEW_BUCKETS] = { 0 }, ft[AB_TRIED_BUCKETS] = { 0 };

	for (int i = 0; i < AB_MAX; i++) {
		const ab_entry *e = &b->e[i];

		if (!e->used)
			continue;
		assert_in_range(e->p.table, STORE_PEER_NEW, STORE_PEER_OPERATOR);
		n[e->p.table]++;
		if (e->p.table == STORE_PEER_NEW)
			fn[e->bucket]++;
		else if (e->p.table == STORE_PEER_TRIED)
			ft[e->bucket]++;
		else
			assert_int_equal(e->bucket, -1);
	}
	assert_int_equal(n[STORE_PEER_NEW], b->n_new);
	assert_int_equal(n[STORE_PEER_TRIED], b->n_tried);
	assert_int_equal(n[STORE_PEER_OPERATOR], b->n_operator);
	for (int i = 0; i < AB_NEW_BUCKETS; i++)
		assert_true(fn[i] == b->fill_new[i] && fn[i] <= AB_BUCKET_SLOTS);
	for (int i = 0; i < AB_TRIED_BUCKETS; i++)
		assert_true(ft[i] == b->fill_tried[i] && ft[i] <= AB_BUCKET_SLOTS);
}

/* IPv4 by /16, IPv6 by /32, a mapped IPv4 as itself; loopback by port as
 * an address and by IP as a source; addresses nobody listens on refused. */
static void
test_groups(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	uint8_t g[AB_GROUP_LEN];

	(void)state;
	assert_memory_equal(grp("1.2.3.4:7", 0), grp("1.2.200.1:9", 0), AB_GROUP_LEN);
	assert_memory_not_equal(grp("1.2.3.4:7", 0), grp("1.3.3.4:7", 0), AB_GROUP_LEN);
	assert_memory_equal(grp("1.2.3.4:7", 0), grp("1.2.3.4:7", 1), AB_GROUP_LEN);
	assert_memory_equal(grp("[2001:db8:1::1]:7", 0), grp("[2001:db8:ffff::2]:7", 0),
	    AB_GROUP_LEN);
	assert_memory_not_equal(grp("[2001:db8::1]:7", 0), grp("[2001:db9::1]:7", 0),
	    AB_GROUP_LEN);
	assert_memory_equal(grp("[::ffff:1.2.3.4]:7", 0), grp("1.2.9.9:7", 0), AB_GROUP_LEN);
	/* loopback: an address by its port, a source by its IP */
	assert_memory_equal(grp("127.0.0.1:7000", 0), grp("127.0.0.5:7000", 0), AB_GROUP_LEN);
	assert_memory_not_equal(grp("127.0.0.1:7000", 0), grp("127.0.0.1:7001", 0),
	    AB_GROUP_LEN);
	assert_memory_equal(grp("127.0.0.1:1", 1), grp("127.0.0.1:2", 1), AB_GROUP_LEN);
	assert_memory_not_equal(grp("127.0.0.1:1", 1), grp("127.0.0.2:1", 1), AB_GROUP_LEN);
	assert_memory_equal(grp("localhost:7000", 0), grp("127.0.0.1:7000", 0), AB_GROUP_LEN);
	assert_true(addrbook_is_loopback(grp("[::1]:7", 0)));
	assert_true(addrbook_is_loopback(grp("[::1]:7", 1)));
	assert_true(addrbook_is_loopback(grp("127.9.9.9:7", 1)));
	assert_false(addrbook_is_loopback(grp("10.0.0.1:7", 1)));
	assert_true(refused("0.0.0.0:7"));
	assert_true(refused("0.1.2.3:7"));
	assert_true(refused("224.0.0.1:7"));
	assert_true(refused("240.0.0.1:7"));
	assert_true(refused("255.255.255.255:7"));
	assert_true(refused("[::]:7"));
	assert_true(refused("[ff02::1]:7"));
	assert_true(refused("[fe80::1]:7"));
	assert_true(refused("[::ffff:0.0.0.0]:7"));
	assert_false(refused("10.0.0.1:7"));
	sa.sin_addr.s_addr = htonl(0x01020304);
	assert_int_equal(addrbook_group((struct sockaddr *)&sa, 0, g), -1);	/* port 0 */
	sa.sin_family = AF_UNIX;
	assert_int_equal(addrbook_group((struct sockaddr *)&sa, 1, g), -1);
}

/* One source sends 5,000 addresses over 2,500 groups: it keeps at most
 * its share, in at most AB_NEW_PER_SOURCE buckets; one group of
 * addresses from one source fills one bucket at most. Any other
 * source's address whose bucket the flood did not fill is still taken. */
static void
test_flood_bounded(void **state)
{
	addrbook *b = book(key1);
	char addr[64], src[64];
	int buckets[AB_NEW_BUCKETS] = { 0 }, used = 0, taken = 0, room = 0;

	(void)state;
	for (int i = 0; i < 5000; i++) {
		snprintf(addr, sizeof addr, "%d.%d.0.%d:7000", 20 + i % 50, i / 50 % 50, i / 2500 + 1);
		add(b, addr, "203.0.113.9:5000", T0);
	}
	assert_int_equal(from(b, "203.0.113.9:1"), AB_SOURCE_SHARE);
	assert_int_equal(addrbook_count(b), AB_SOURCE_SHARE);
	for (int i = 0; i < AB_MAX; i++)
		if (b->e[i].used)
			buckets[b->e[i].bucket]++;
	for (int i = 0; i < AB_NEW_BUCKETS; i++)
		used += buckets[i] > 0;
	assert_int_equal(used, AB_NEW_PER_SOURCE);
	/* one /16 from another source: one bucket */
	for (int i = 0; i < 1000; i++) {
		snprintf(addr, sizeof addr, "99.1.%d.%d:7000", i / 200, i % 200 + 1);
		add(b, addr, "198.51.100.1:5000", T0);
	}
	assert_int_equal(from(b, "198.51.100.7:1"), AB_BUCKET_SLOTS);
	/* honest sources, one address each */
	for (int i = 0; i < 200; i++) {
		unsigned nb;

		snprintf(src, sizeof src, "%d.%d.1.1:7000", 100 + i / 100, i % 100);
		snprintf(addr, sizeof addr, "%d.%d.2.2:7000", 100 + i / 100, i % 100);
		nb = addrbook_new_bucket(b, grp(src, 1), grp(addr, 0));
		room += b->fill_new[nb] < AB_BUCKET_SLOTS;
		if (b->fill_new[nb] < AB_BUCKET_SLOTS)
			assert_true(add(b, addr, src, T0) >= 0);
		else
			assert_int_equal(add(b, addr, src, T0), -1);
		taken += addrbook_find(b, addr) >= 0;
	}
	assert_int_equal(taken, room);
	assert_true(taken >= 150);	/* the flood holds 5 of 32 buckets */
	consistent(b);
	free(b);
}

/* The operator's addresses survive any flood: they are not in the
 * buckets at all. Their list has a size; an address the operator gives
 * that peers told of already moves to it, with its record. */
static void
test_operator_survives(void **state)
{
	addrbook *b = book(key1);
	char addr[64], src[64];
	int i;

	(void)state;
	i = add(b, "30.0.0.1:7000", "40.0.0.1:1", T0);
	assert_true(i >= 0);
	b->e[i].p.fails = 2;
	assert_int_equal(addrbook_add_operator(b, "30.0.0.1:7000", grp("30.0.0.1:7000", 0), T0), i);
	assert_int_equal(b->e[i].p.table, STORE_PEER_OPERATOR);
	assert_int_equal(b->e[i].p.fails, 2);
	for (int k = 1; k < AB_OPERATOR_MAX; k++) {
		snprintf(addr, sizeof addr, "30.%d.0.1:7000", k);
		assert_true(addrbook_add_operator(b, addr, grp(addr, 0), T0) >= 0);
	}
	assert_int_equal(addrbook_add_operator(b, "31.0.0.1:7000", grp("31.0.0.1:7000", 0), T0),
	    -1);
	assert_int_equal(addrbook_add_operator(b, "30.5.0.1:7000", grp("30.5.0.1:7000", 0), T0),
	    addrbook_find(b, "30.5.0.1:7000"));	/* already theirs: fine */
	/* 1,000 sources, 40 addresses each, some of them the operator's */
	for (int s = 0; s < 1000; s++) {
		snprintf(src, sizeof src, "%d.%d.9.9:1", 50 + s / 200, s % 200);
		for (int k = 0; k < 40; k++) {
			if (k == 0)
				snprintf(addr, sizeof addr, "30.%d.0.1:7000", s % AB_OPERATOR_MAX);
			else
				snprintf(addr, sizeof addr, "%d.%d.%d.1:7000", 60 + k, s % 250, k);
			add(b, addr, src, T0 + (uint64_t)s * DAY);	/* time passes too */
		}
	}
	assert_int_equal(b->n_operator, AB_OPERATOR_MAX);
	assert_int_equal(b->n_new, AB_NEW_MAX);
	for (int k = 0; k < AB_OPERATOR_MAX; k++) {
		snprintf(addr, sizeof addr, "30.%d.0.1:7000", k);
		i = addrbook_find(b, addr);
		assert_true(i >= 0);
		assert_int_equal(b->e[i].p.table, STORE_PEER_OPERATOR);
		assert_false(addrbook_stale(&b->e[i].p, T0 + 5000 * DAY));
	}
	consistent(b);
	free(b);
}

/* A handshake moves an address to tried; no number of new addresses,
 * from any number of sources, displaces it, however stale they are. */
static void
test_tried_not_displaced(void **state)
{
	addrbook *b = book(key1);
	char addr[64], src[64];
	int tried[20];

	(void)state;
	for (int k = 0; k < 20; k++) {
		snprintf(addr, sizeof addr, "70.%d.0.1:7000", k);
		tried[k] = add(b, addr, "80.0.0.1:1", T0);
		assert_true(tried[k] >= 0);
		addrbook_good(b, tried[k], T0 + 1);
		assert_int_equal(b->e[tried[k]].p.table, STORE_PEER_TRIED);
		assert_int_equal(b->e[tried[k]].p.last_ok, T0 + 1);
	}
	assert_int_equal(b->n_tried, 20);
	assert_int_equal(b->n_new, 0);
	for (int s = 0; s < 500; s++) {
		snprintf(src, sizeof src, "%d.%d.9.9:1", 90 + s / 250, s % 250);
		for (int k = 0; k < 100; k++) {
			snprintf(addr, sizeof addr, "%d.%d.%d.1:7000", 100 + k, s % 250, s / 250);
			add(b, addr, src, T0 + 40 * DAY);
		}
	}
	assert_int_equal(b->n_tried, 20);
	for (int k = 0; k < 20; k++) {
		snprintf(addr, sizeof addr, "70.%d.0.1:7000", k);
		assert_int_equal(addrbook_find(b, addr), tried[k]);
		assert_int_equal(b->e[tried[k]].p.table, STORE_PEER_TRIED);
	}
	consistent(b);
	free(b);
}

/* 17 addresses of one group from one source: the 17th finds the bucket
 * full and is dropped, until an entry there is stale (failed AB_RETRIES
 * times and never worked; or neither told of nor working for the
 * horizon). The newcomer takes its place and the stale one is gone. */
static void
test_stale_gives_way(void **state)
{
	addrbook *b = book(key1);
	char addr[64];
	int idx[AB_BUCKET_SLOTS], i;

	(void)state;
	for (int k = 0; k < AB_BUCKET_SLOTS; k++) {
		snprintf(addr, sizeof addr, "5.6.7.%d:7000", k + 1);
		assert_true((idx[k] = add(b, addr, "9.9.9.9:1", T0)) >= 0);
	}
	assert_int_equal(add(b, "5.6.8.1:7000", "9.9.9.9:1", T0), -1);
	b->e[idx[3]].p.fails = AB_RETRIES - 1;
	assert_int_equal(add(b, "5.6.8.1:7000", "9.9.9.9:1", T0), -1);
	b->e[idx[3]].p.fails = AB_RETRIES;
	assert_true(addrbook_stale(&b->e[idx[3]].p, T0));
	assert_int_equal(add(b, "5.6.8.1:7000", "9.9.9.9:1", T0), idx[3]);
	assert_int_equal(b->n_gone, 1);
	assert_string_equal(b->gone[0], "5.6.7.4:7000");
	assert_int_equal(addrbook_find(b, "5.6.7.4:7000"), -1);
	addrbook_clean(b);
	/* one that worked and fails now: stale after AB_FAILS_MAX failures
	 * and a week without success */
	b->e[idx[0]].p.last_ok = T0;
	b->e[idx[0]].p.fails = AB_FAILS_MAX;
	assert_false(addrbook_stale(&b->e[idx[0]].p, T0 + AB_FAIL_MS));
	assert_true(addrbook_stale(&b->e[idx[0]].p, T0 + AB_FAIL_MS + 1));
	b->e[idx[0]].p.fails = AB_FAILS_MAX - 1;
	assert_false(addrbook_stale(&b->e[idx[0]].p, T0 + 20 * DAY));
	/* the horizon: re-told within the hour is not renewed, after it is */
	assert_int_equal(add(b, "5.6.7.2:7000", "1.1.1.1:1", T0 + HOUR - 1), idx[1]);
	assert_int_equal(b->e[idx[1]].p.heard, T0);
	assert_int_equal(add(b, "5.6.7.2:7000", "1.1.1.1:1", T0 + 2 * HOUR), idx[1]);
	assert_int_equal(b->e[idx[1]].p.heard, T0 + 2 * HOUR);
	assert_true(b->e[idx[1]].dirty);
	assert_false(addrbook_stale(&b->e[idx[2]].p, T0 + AB_HORIZON_MS));
	assert_true(addrbook_stale(&b->e[idx[2]].p, T0 + AB_HORIZON_MS + 1));
	assert_false(addrbook_stale(&b->e[idx[1]].p, T0 + AB_HORIZON_MS + 1));
	assert_false(addrbook_stale(&b->e[idx[2]].p, T0 - DAY));	/* a clock stepped back */
	i = add(b, "5.6.9.1:7000", "9.9.9.9:1", T0 + AB_HORIZON_MS + 1);
	assert_true(i >= 0);
	assert_int_equal(addrbook_find(b, "5.6.7.1:7000"), -1);	/* heard longest ago */
	consistent(b);
	free(b);
}

/* 17 addresses that share a tried bucket. The 17th to work stays in new
 * while every occupant worked within AB_TRIED_KEEP_MS or has not failed
 * since; then the one that worked longest ago and failed gives way and
 * goes back to new. */
static void
test_tried_collision(void **state)
{
	addrbook *b = book(key1);
	char addr[64], src[64];
	int idx[AB_BUCKET_SLOTS + 1], n = 0;
	unsigned tb = 0;

	(void)state;
	for (int k = 0; n <= AB_BUCKET_SLOTS && k < 10000; k++) {
		const uint8_t *g;

		snprintf(addr, sizeof addr, "44.1.%d.%d:7000", k / 200, k % 200 + 1);
		g = grp(addr, 0);
		if (n == 0)
			tb = addrbook_tried_bucket(b, addr, g);
		if (addrbook_tried_bucket(b, addr, g) != tb)
			continue;
		snprintf(src, sizeof src, "%d.0.0.1:1", 100 + n);	/* a source each: room */
		assert_true((idx[n] = add(b, addr, src, T0)) >= 0);
		n++;
	}
	assert_int_equal(n, AB_BUCKET_SLOTS + 1);
	for (int k = 0; k < AB_BUCKET_SLOTS; k++)
		addrbook_good(b, idx[k], T0 + (uint64_t)k);
	assert_int_equal(b->fill_tried[tb], AB_BUCKET_SLOTS);
	addrbook_good(b, idx[16], T0 + 5 * HOUR);
	assert_int_equal(b->e[idx[16]].p.table, STORE_PEER_NEW);	/* none failed */
	assert_int_equal(b->e[idx[16]].p.last_ok, T0 + 5 * HOUR);
	b->e[idx[7]].p.fails = 1;
	b->e[idx[9]].p.fails = 1;
	addrbook_good(b, idx[16], T0 + 7 + AB_TRIED_KEEP_MS);	/* idx[7]: not yet */
	assert_int_equal(b->e[idx[16]].p.table, STORE_PEER_NEW);
	addrbook_good(b, idx[16], T0 + 8 + AB_TRIED_KEEP_MS);
	assert_int_equal(b->e[idx[16]].p.table, STORE_PEER_TRIED);
	assert_int_equal(b->e[idx[7]].p.table, STORE_PEER_NEW);	/* back to new */
	assert_int_equal(b->e[idx[9]].p.table, STORE_PEER_TRIED);
	assert_int_equal(b->n_tried, AB_BUCKET_SLOTS);
	consistent(b);
	free(b);
}

/* Buckets follow the key: the same inputs land alike under one key and
 * mostly elsewhere under another, so a peer that does not know the key
 * cannot aim at a bucket. */
static void
test_keyed(void **state)
{
	addrbook *a = book(key1), *c = book(key1), *o = book(key2);
	char src[64];
	int differ = 0;

	(void)state;
	for (int s = 0; s < 200; s++) {
		const uint8_t *g = grp("1.2.3.4:7000", 0), *sg;

		snprintf(src, sizeof src, "%d.%d.0.1:1", 10 + s / 100, s % 100);
		sg = grp(src, 1);
		assert_int_equal(addrbook_new_bucket(a, sg, g), addrbook_new_bucket(c, sg, g));
		differ += addrbook_new_bucket(a, sg, g) != addrbook_new_bucket(o, sg, g);
		assert_int_equal(addrbook_tried_bucket(a, src, sg),
		    addrbook_tried_bucket(c, src, sg));
	}
	assert_true(differ > 150);	/* 1 in 32 would agree by chance */
	free(a);
	free(c);
	free(o);
}

/* A loopback address is taken only from a loopback source. */
static void
test_loopback(void **state)
{
	addrbook *b = book(key1);

	(void)state;
	assert_int_equal(add(b, "127.0.0.1:22", "8.8.8.8:1", T0), -1);
	assert_int_equal(add(b, "[::1]:22", "[2001:db8::1]:1", T0), -1);
	assert_true(add(b, "127.0.0.1:30001", "127.0.0.1:40000", T0) >= 0);
	assert_true(add(b, "8.8.4.4:7000", "127.0.0.1:40000", T0) >= 0);
	assert_int_equal(addrbook_count(b), 2);
	free(b);
}

/* Copies b's entries as the store would hold them. */
static size_t
stored(const addrbook *b, store_peer *out)
{
	size_t n = 0;

	for (int i = 0; i < AB_MAX; i++)
		if (b->e[i].used)
			out[n++] = b->e[i].p;
	return n;
}

/* Puts them back, the operator's, then tried, then new. */
static void
reload(addrbook *b, const store_peer *list, size_t n)
{
	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < n; i++) {
			uint8_t t = list[i].table;

			if ((pass == 0) != (t == STORE_PEER_OPERATOR) ||
			    (pass == 1) != (t == STORE_PEER_TRIED))
				continue;
			addrbook_load(b, &list[i], grp(list[i].addr, 0), T0);
		}
}

/* A table put back under its key is the same, entry by entry; under
 * another key the bounds hold all the same. */
static void
test_reload(void **state)
{
	static store_peer list[AB_MAX];
	addrbook *b = book(key1), *same = book(key1), *other = book(key2);
	char addr[64], src[64];
	size_t n;

	(void)state;
	for (int k = 0; k < 10; k++) {
		snprintf(addr, sizeof addr, "30.%d.0.1:7000", k);
		addrbook_add_operator(b, addr, grp(addr, 0), T0);
	}
	for (int s = 0; s < 40; s++)
		for (int k = 0; k < 300; k++) {
			snprintf(src, sizeof src, "%d.0.0.1:1", 100 + s);
			snprintf(addr, sizeof addr, "%d.%d.0.1:7000", 10 + k % 90, s);
			if (add(b, addr, src, T0) >= 0 && k == 0)
				addrbook_good(b, addrbook_find(b, addr), T0);
		}
	consistent(b);
	n = stored(b, list);
	assert_int_equal(n, addrbook_count(b));
	reload(same, list, n);
	consistent(same);
	assert_int_equal(same->n_new, b->n_new);
	assert_int_equal(same->n_tried, b->n_tried);
	assert_int_equal(same->n_operator, 10);
	for (size_t i = 0; i < n; i++) {
		int j = addrbook_find(same, list[i].addr), k = addrbook_find(b, list[i].addr);

		assert_true(j >= 0);
		assert_int_equal(same->e[j].p.table, b->e[k].p.table);
		assert_int_equal(same->e[j].bucket, b->e[k].bucket);
		assert_false(same->e[j].dirty);
	}
	reload(other, list, n);
	consistent(other);
	assert_int_equal(other->n_operator, 10);
	for (int s = 0; s < 40; s++) {
		snprintf(src, sizeof src, "%d.0.0.1:1", 100 + s);
		assert_true(from(other, src) <= AB_SOURCE_SHARE);
	}
	free(b);
	free(same);
	free(other);
}

/* What an older evalmesh stored after the flood of issue 13 (1,024
 * addresses, no table, no source) is put back as one source's share;
 * those that ever worked go to tried. */
static void
test_reload_legacy(void **state)
{
	addrbook *b = book(key1);
	store_peer p;
	size_t tried = 0;

	(void)state;
	for (int k = 0; k < 1024; k++) {
		memset(&p, 0, sizeof p);
		snprintf(p.addr, sizeof p.addr, "%d.%d.%d.1:7000", 11 + k % 200, k / 200, k % 7);
		p.last_ok = k % 100 == 0 ? T0 - DAY : 0;
		if (addrbook_load(b, &p, grp(p.addr, 0), T0) >= 0) {
			int i = addrbook_find(b, p.addr);

			assert_true(b->e[i].dirty);	/* to be stored in the new form */
			assert_int_equal(b->e[i].p.source[0], AB_G_LEGACY);
			tried += b->e[i].p.table == STORE_PEER_TRIED;
		}
	}
	assert_int_equal(tried, 11);
	assert_true(b->n_new <= AB_SOURCE_SHARE);
	/* a loopback one too (a test's or a developer's node) */
	memset(&p, 0, sizeof p);
	snprintf(p.addr, sizeof p.addr, "127.0.0.1:7400");
	p.last_ok = T0 - DAY;
	assert_true(addrbook_load(b, &p, grp(p.addr, 0), T0) >= 0);
	snprintf(p.addr, sizeof p.addr, "127.0.0.1:7401");
	p.last_ok = 0;
	assert_true(addrbook_load(b, &p, grp(p.addr, 0), T0) >= 0);
	consistent(b);
	free(b);
}

/* A peer's budget: AB_PEER_BURST at once, one more each
 * AB_PEER_EVERY_MS, nothing lost to rounding, nothing for a clock that
 * stepped back. */
static void
test_refill(void **state)
{
	uint64_t at = 1000;

	(void)state;
	assert_int_equal(addrbook_refill(0, &at, 1000 + AB_PEER_EVERY_MS - 1), 0);
	assert_int_equal(at, 1000);
	assert_int_equal(addrbook_refill(0, &at, 1000 + AB_PEER_EVERY_MS), 1);
	assert_int_equal(at, 1000 + AB_PEER_EVERY_MS);
	assert_int_equal(addrbook_refill(1, &at, 1000 + 2 * AB_PEER_EVERY_MS + 100), 2);
	assert_int_equal(at, 1000 + 2 * AB_PEER_EVERY_MS);
	assert_int_equal(addrbook_refill(2, &at, 500), 2);
	assert_int_equal(addrbook_refill(5, &at, UINT64_MAX), AB_PEER_BURST);
	assert_int_equal(at, UINT64_MAX);
	at = 0;
	assert_int_equal(addrbook_refill(AB_PEER_BURST - 1, &at, 10 * AB_PEER_EVERY_MS),
	    AB_PEER_BURST);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_flood_bounded),
		cmocka_unit_test(test_operator_survives),
		cmocka_unit_test(test_tried_not_displaced),
		cmocka_unit_test(test_stale_gives_way),
		cmocka_unit_test(test_tried_collision),
		cmocka_unit_test(test_keyed),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_reload),
		cmocka_unit_test(test_reload_legacy),
		cmocka_unit_test(test_refill),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

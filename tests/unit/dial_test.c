/* The daemon's peer table (node/daemon/dial.c) on a fake clock: dial
 * backoff after failures, what is stored, and bans, through the daemon's
 * own functions and a real store, hours of waiting in milliseconds.
 *
 * The peers here have addresses that are neither numeric nor host names
 * ("peer_a.invalid:7000": RFC 1123 has no '_'), which the daemon does not
 * try to resolve: dial_maintain counts a due dial to one as a failure at
 * once, so the schedule runs without a socket or a resolver. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon_fixture.h"

/* The stored copy of the peer at addr (it must be there). */
static store_peer
stored(fixture *fx, const char *addr)
{
	static store_peer list[AB_MAX];
	size_t n = 0;

	assert_int_equal(store_peer_list(fx->d->st, list, AB_MAX, &n), EM_OK);
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].addr, addr) == 0)
			return list[i];
	fail_msg("%s is not stored", addr);
	return list[0];
}

/* With r fixed at 0 every wait is its fixed half: after the k-th failure
 * in a row the next dial comes 2^k / 2 s later, up to 30 s from the sixth
 * on; never a millisecond early, and the count stops at 16. */
static void
test_backoff_after_failures(void **state)
{
	static const uint64_t half[] = { 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000 };
	fixture *fx = *state;
	known *k = dial_add(fx->d, "peer_a.invalid:7000", NULL);

	assert_non_null(k);
	assert_int_equal(k->next_dial, 0);
	fx->f.fixed = 1;
	fx->f.r = 0;
	dial_maintain(fx->d);		/* due at once: fails */
	assert_int_equal(k->p.fails, 1);
	for (uint32_t n = 1; n < 20; n++) {
		uint32_t fails = n < 16 ? n : 16;
		uint64_t gap = half[fails - 1 < 7 ? fails - 1 : 7];

		assert_int_equal(k->next_dial, fx->f.mono + gap);
		fx->f.mono = k->next_dial - 1;
		dial_maintain(fx->d);
		assert_int_equal(k->p.fails, fails);	/* not yet */
		fx->f.mono = k->next_dial;
		dial_maintain(fx->d);
		assert_int_equal(k->p.fails, fails < 16 ? fails + 1 : 16);
		assert_int_equal(stored(fx, "peer_a.invalid:7000").fails, k->p.fails);
	}
	assert_int_equal(fx->f.draws, 20);	/* one random number a failure */
	assert_int_equal(stored(fx, "peer_a.invalid:7000").last_ok, 0);
}

/* With random jitter, each wait lies between half and all of its backoff,
 * read on the monotonic clock: the wall clock stepping back a day or on
 * a year changes nothing. */
static void
test_backoff_jitter_on_mono(void **state)
{
	fixture *fx = *state;
	known *k = dial_add(fx->d, "peer_a.invalid:7000", NULL);
	uint64_t w = 2000;

	assert_non_null(k);
	dial_maintain(fx->d);
	for (int i = 0; i < 40; i++) {
		assert_in_range(k->next_dial - fx->f.mono, w / 2, w);
		fx->f.wall = i % 2 ? WALL0 - 86400000ull : WALL0 + 365 * 86400000ull;
		fx->f.mono = k->next_dial;
		dial_maintain(fx->d);
		w = w * 2 < 60000 ? w * 2 : 60000;
	}
	assert_int_equal(k->p.fails, 16);
}

/* A dial that worked: failures forgotten, last_ok stored as a wall time
 * (it outlives the process), the next dial a second later on the
 * monotonic clock. */
static void
test_success(void **state)
{
	fixture *fx = *state;
	known *k = dial_add(fx->d, "peer_a.invalid:7000", NULL);

	assert_non_null(k);
	dial_maintain(fx->d);
	dial_maintain(fx->d);	/* not due: unchanged */
	assert_int_equal(k->p.fails, 1);
	fx->f.mono = 5000;
	fx->f.wall = WALL0 + 42;
	dial_result(fx->d, k, 1, NULL);
	assert_int_equal(k->p.fails, 0);
	assert_int_equal(k->p.last_ok, WALL0 + 42);
	assert_int_equal(k->next_dial, 6000);
	assert_int_equal(stored(fx, "peer_a.invalid:7000").last_ok, WALL0 + 42);
	assert_int_equal(stored(fx, "peer_a.invalid:7000").fails, 0);
	/* and the next failure starts the backoff over: 1-2 s */
	dial_result(fx->d, k, 0, NULL);
	assert_int_equal(k->p.fails, 1);
	assert_in_range(k->next_dial, 6000, 7000);
}

/* A ban by host and id lasts exactly BAN_MS on the monotonic clock,
 * whatever the wall clock does meanwhile; its end as shown is a wall
 * time. A banned peer is not dialed; once the ban ends it is. */
static void
test_ban(void **state)
{
	fixture *fx = *state;
	uint8_t id[32], other[32];
	known *k = dial_add(fx->d, "peer_a.invalid:7000", NULL);
	uint64_t t0 = 250000;

	assert_non_null(k);
	memset(id, 0xab, sizeof id);
	memset(other, 0xcd, sizeof other);
	fx->f.mono = t0;
	dial_ban(fx->d, "peer_a.invalid:9999", id);
	assert_int_equal(fx->d->n_bans, 1);
	assert_int_equal(fx->d->bans[0].until, WALL0 + BAN_MS);
	assert_true(dial_banned(fx->d, "peer_a.invalid:1", NULL));	/* the host */
	assert_true(dial_banned(fx->d, "peer_a.invalid", NULL));
	assert_true(dial_banned(fx->d, NULL, id));
	assert_true(dial_banned(fx->d, "10.0.0.1:7000", id));
	assert_false(dial_banned(fx->d, "10.0.0.1:7000", other));
	assert_false(dial_banned(fx->d, NULL, NULL));
	/* the wall clock jumps a day ahead: the ban holds to its last ms */
	fx->f.wall = WALL0 + 86400000ull;
	fx->f.mono = t0 + BAN_MS - 1;
	assert_true(dial_banned(fx->d, NULL, id));
	assert_true(dial_ban_holds(fx->d, &fx->d->bans[0]));
	dial_maintain(fx->d);
	assert_int_equal(k->p.fails, 0);	/* banned: not dialed */
	fx->f.mono = t0 + BAN_MS;
	fx->f.wall = WALL0 - 3600000ull;	/* and an hour back: ends all the same */
	assert_false(dial_banned(fx->d, NULL, id));
	assert_false(dial_banned(fx->d, "peer_a.invalid:1", NULL));
	assert_false(dial_ban_holds(fx->d, &fx->d->bans[0]));
	dial_maintain(fx->d);
	assert_int_equal(k->p.fails, 1);	/* dialed */
}


/* A connection from src ("HOST:PORT") that gossip knows as handle, with
 * a full address budget; not in d->conns, so a ban only forgets it. */
static conn *
peer_from(fixture *fx, const char *src, uint32_t handle)
{
	conn *c = calloc(1, sizeof *c);

	assert_non_null(c);
	c->d = fx->d;
	c->handle = handle;
	c->ready = 1;
	c->addr_tokens = AB_PEER_BURST;
	c->addr_at = fx->f.mono;
	snprintf(c->addr, sizeof c->addr, "%s", src);
	assert_int_equal(gossip_peer_up(fx->d->g, handle, fx->f.mono), EM_OK);
	return c;
}

/* handle's misbehaviour score, or -1 once gossip dropped it. */
static int
score(fixture *fx, uint32_t handle)
{
	gossip_peer_info info[64];
	uint32_t n = gossip_peers(fx->d->g, info, 64);

	for (uint32_t i = 0; i < n && i < 64; i++)
		if (info[i].peer == handle)
			return info[i].score;
	return -1;
}

/* A peers message of n addresses 127.0.0.1:(first + i). */
static wire_msg *
peers_msg(uint32_t n, unsigned first)
{
	static wire_msg m;

	memset(&m, 0, sizeof m);
	m.type = WIRE_PEERS;
	m.u.peers.n = n;
	for (uint32_t i = 0; i < n; i++)
		snprintf(m.u.peers.p[i].addr, sizeof m.u.peers.p[i].addr, "127.0.0.1:%u",
		    first + i);
	return &m;
}

static size_t
stored_count(fixture *fx)
{
	static store_peer list[AB_MAX + 1];
	size_t n = 0;

	assert_int_equal(store_peer_list(fx->d->st, list, AB_MAX + 1, &n), EM_OK);
	return n;
}

/* new entries whose source is the loopback host of src */
static size_t
from(daemon_state *d, const char *src)
{
	struct sockaddr_storage ss;
	uint8_t g[AB_GROUP_LEN];
	size_t n = 0;

	assert_int_equal(addr_parse(src, &ss), 0);
	assert_int_equal(addrbook_group((struct sockaddr *)&ss, 1, g), 0);
	for (int i = 0; i < AB_MAX; i++)
		n += d->book.e[i].used && memcmp(d->book.e[i].p.source, g, AB_GROUP_LEN) == 0;
	return n;
}

/* Issue 13: 18 peers messages of 64 addresses from one member filled the
 * table (1,024), stored, full after a restart, and `peers add` failed.
 * Now: the flooder is scored and dropped after its budget, each source
 * keeps at most its share whatever it sends, the operator's address
 * stays, `peers add` works, and a restart puts back the same table. */
static void
test_flood_bounded_across_restart(void **state)
{
	fixture *fx = *state;
	daemon_state *d = fx->d, *d2;
	conn *c;
	char src[64];
	size_t n;

	dial_load(d);
	assert_non_null(dial_add(d, "10.9.9.9:7000", NULL));
	c = peer_from(fx, "127.0.0.40:5555", 7);
	for (unsigned k = 0; k < 18; k++)
		dial_on_peers(d, c, peers_msg(64, 20000 + 64 * k));
	assert_int_equal(score(fx, 7), -1);	/* scored to a ban: dropped */
	assert_int_equal(from(d, "127.0.0.40:1"), AB_SOURCE_SHARE);
	free(c);
	for (uint32_t s = 0; s < 20; s++) {	/* others, each within its budget */
		snprintf(src, sizeof src, "127.0.0.%u:6000", 41 + s);
		c = peer_from(fx, src, 100 + s);
		dial_on_peers(d, c, peers_msg(64, 30000 + 64 * s));
		dial_on_peers(d, c, peers_msg(64, 40000 + 64 * s));
		assert_int_equal(score(fx, 100 + s), 0);
		assert_true(from(d, src) <= AB_SOURCE_SHARE);
		free(c);
	}
	n = addrbook_count(&d->book);
	assert_true(n <= AB_NEW_MAX + 1);
	assert_int_equal(stored_count(fx), n);
	assert_int_equal(d->book.e[addrbook_find(&d->book, "10.9.9.9:7000")].p.table,
	    STORE_PEER_OPERATOR);
	assert_non_null(dial_add(d, "10.9.9.10:7000", NULL));	/* `peers add` */
	n++;
	/* restart: the same store, a new daemon */
	assert_non_null(d2 = calloc(1, sizeof *d2));
	d2->clock = d->clock;
	d2->st = d->st;
	snprintf(d2->o.listen, sizeof d2->o.listen, "%s", d->o.listen);
	dial_load(d2);
	assert_int_equal(addrbook_count(&d2->book), n);
	assert_memory_equal(d2->book.key, d->book.key, 32);
	for (int i = 0; i < AB_MAX; i++) {
		const known *k = &d->book.e[i];
		int j;

		if (!k->used)
			continue;
		assert_true((j = addrbook_find(&d2->book, k->p.addr)) >= 0);
		assert_int_equal(d2->book.e[j].p.table, k->p.table);
		assert_int_equal(d2->book.e[j].bucket, k->bucket);
	}
	assert_int_equal(from(d2, "127.0.0.40:1"), AB_SOURCE_SHARE);
	assert_int_equal(stored_count(fx), n);
	free(d2);
}

/* What today's main left in a store after the flood: 1,024 addresses
 * with no table and no source. Put back, they are one source's share
 * (those that ever worked go to tried), the rest leave the store, and
 * the operator can add peers again. */
static void
test_flooded_store_pruned(void **state)
{
	fixture *fx = *state;
	store_peer p;
	size_t n;

	for (unsigned k = 0; k < 1024; k++) {
		memset(&p, 0, sizeof p);
		snprintf(p.addr, sizeof p.addr, "%u.%u.0.1:7000", 11 + k % 200, k / 200);
		p.last_ok = k == 5 ? WALL0 - 1000 : 0;
		assert_int_equal(store_peer_put(fx->d->st, &p), EM_OK);
	}
	fx->d->o.peers[0] = "10.9.9.9:7000";
	fx->d->o.n_peers = 1;
	dial_load(fx->d);
	n = addrbook_count(&fx->d->book);
	assert_int_equal(fx->d->book.n_operator, 1);
	assert_int_equal(fx->d->book.n_tried, 1);
	assert_true(fx->d->book.n_new <= AB_SOURCE_SHARE);
	assert_int_equal(stored_count(fx), n);
	assert_int_equal(stored(fx, "16.0.0.1:7000").table, STORE_PEER_TRIED);
	assert_int_equal(stored(fx, "10.9.9.9:7000").table, STORE_PEER_OPERATOR);
	assert_non_null(dial_add(fx->d, "10.9.9.10:7000", NULL));
}

/* An honest peer's pace — 32 addresses at its handshake and 32 every
 * 10 s — is never scored. A message that names an address twice, or
 * goes over the budget, is scored once, and what is over is not read. */
static void
test_peers_budget(void **state)
{
	fixture *fx = *state;
	conn *c;

	dial_load(fx->d);
	c = peer_from(fx, "127.0.0.2:5000", 1);
	dial_on_peers(fx->d, c, peers_msg(32, 20000));	/* at the handshake */
	for (int i = 0; i < 360; i++) {			/* an hour */
		dial_on_peers(fx->d, c, peers_msg(32, 20000 + (unsigned)i % 7));
		fx->f.mono += 10000;
	}
	assert_int_equal(score(fx, 1), 0);
	free(c);
	c = peer_from(fx, "127.0.0.3:5000", 2);
	{
		wire_msg *m = peers_msg(3, 21000);

		snprintf(m->u.peers.p[2].addr, sizeof m->u.peers.p[2].addr, "127.0.0.1:21000");
		dial_on_peers(fx->d, c, m);
	}
	assert_int_equal(score(fx, 2), PENALTY_FLOOD);
	assert_true(addrbook_find(&fx->d->book, "127.0.0.1:21001") >= 0);
	dial_on_peers(fx->d, c, peers_msg(64, 22000));
	assert_int_equal(score(fx, 2), PENALTY_FLOOD);	/* 3 + 64 <= 128 */
	dial_on_peers(fx->d, c, peers_msg(64, 23000));	/* 61 are read */
	assert_int_equal(score(fx, 2), 2 * PENALTY_FLOOD);
	assert_int_equal(c->addr_tokens, 0);
	assert_int_equal(addrbook_find(&fx->d->book, "127.0.0.1:23061"), -1);
	fx->f.mono += 10 * AB_PEER_EVERY_MS;	/* ten more */
	dial_on_peers(fx->d, c, peers_msg(10, 24000));
	assert_int_equal(score(fx, 2), 2 * PENALTY_FLOOD);
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backoff_after_failures, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_backoff_jitter_on_mono, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_success, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_ban, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_flood_bounded_across_restart, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_flooded_store_pruned, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_peers_budget, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The gossip host (node/daemon/host.c) with a real store and a gossip
 * core, on a fake clock: a record from a peer is forwarded only once it is
 * committed, and never when the commit fails; a store that fails is left
 * alone for a backoff (records from peers refused, GOSSIP_LATER), then
 * tried again, and when it takes records again the node is storing and
 * forwarding as before. The core's sends are caught here: what was sent
 * to which peer, by message type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon_fixture.h"
#include "ident.h"

#define FROM	1	/* the peer records come from */
#define OTHER	2	/* a peer they may be forwarded to */

/* Messages the core sent to OTHER, by wire type. */
static unsigned sent_to_other[WIRE_TYPE_LAST + 1];

static void
catch_send(void *ctx, uint32_t peer, const uint8_t *msg, size_t len)
{
	wire_msg m;

	(void)ctx;
	if (peer == OTHER && wire_decode(msg, len, &m) == EM_OK && m.type < WIRE_TYPE_LAST + 1)
		sent_to_other[m.type]++;
}

static unsigned
forwarded(void)
{
	return sent_to_other[WIRE_RECORDS] + sent_to_other[WIRE_HAVE];
}

/* The fixture's daemon, its gossip core sending to catch_send, with the
 * peers FROM and OTHER up; the network is the fixture's. */
static int
host_setup(void **state)
{
	fixture *fx;
	gossip_host gh;

	fx_setup(state);
	fx = *state;
	memcpy(fx->d->netid, netid, 32);
	gossip_free(fx->d->g);
	host_init(fx->d, &gh);
	gh.send = catch_send;
	assert_int_equal(gossip_new(&gh, NULL, &fx->d->g), EM_OK);
	assert_int_equal(gossip_peer_up(fx->d->g, FROM, fx->f.mono), EM_OK);
	assert_int_equal(gossip_peer_up(fx->d->g, OTHER, fx->f.mono), EM_OK);
	memset(sent_to_other, 0, sizeof sent_to_other);
	return 0;
}

/* Record seq of a fresh author, pushed by FROM; *id gets its id. */
static void
push(fixture *fx, const ident *who, uint64_t seq, uint8_t id[static 32])
{
	wire_msg m = { .type = WIRE_RECORDS };
	uint8_t *rec;
	size_t len;
	rec_env env;

	tu_record(who, netid, seq, (uint32_t)seq, &rec, &len);
	open_rec(rec, len, &env);
	memcpy(id, env.id, 32);
	m.u.records.how = WIRE_PUSH;
	m.u.records.n = 1;
	m.u.records.rec[0] = rec;
	m.u.records.len[0] = len;
	gossip_recv(fx->d->g, FROM, &m, fx->f.mono);
	free(rec);
}

/* The fixture's store again, opened read-only (every commit then fails)
 * or to write. */
static void
reopen(fixture *fx, int rdonly)
{
	store_opts o = { .flags = rdonly ? STORE_RDONLY : 0 };

	store_free(fx->d->st);
	assert_int_equal(store_open(fx->dir, netid, &o, &fx->d->st), EM_OK);
}

/* Taken, the record is pending and nothing is forwarded; committed, it is
 * forwarded to OTHER (pushed or announced), never back to FROM. */
static void
test_forwarded_after_commit(void **state)
{
	fixture *fx = *state;
	uint8_t id[32];
	ident *who;

	assert_int_equal(ident_generate(&who), EM_OK);
	push(fx, who, 1, id);
	gossip_flush(fx->d->g);
	assert_int_equal(fx->d->n_pend, 1);
	assert_int_equal(forwarded(), 0);
	host_commit(fx->d);
	gossip_flush(fx->d->g);
	assert_true(store_has(fx->d->st, id));
	assert_int_equal(forwarded(), 1);
	ident_free(who);
}

/* A commit that fails forwards nothing, and the store is left alone for
 * the backoff: records from peers are refused, not taken. After it, with
 * the store writable again, records are stored and forwarded. */
static void
test_failed_commit_forwards_nothing(void **state)
{
	fixture *fx = *state;
	uint8_t id[32], id2[32], id3[32];
	ident *who;

	assert_int_equal(ident_generate(&who), EM_OK);
	reopen(fx, 1);
	push(fx, who, 1, id);
	assert_int_equal(fx->d->n_pend, 1);
	host_commit(fx->d);
	gossip_flush(fx->d->g);
	assert_int_equal(fx->d->n_pend, 0);
	assert_false(store_has(fx->d->st, id));
	assert_int_equal(forwarded(), 0);
	assert_int_not_equal(fx->d->sfail.err, EM_OK);
	assert_int_equal(fx->d->sfail.lost, 1);
	/* within the backoff, a record is refused, not taken */
	assert_true(fx->d->sfail.again > fx->f.mono);
	assert_true(fx->d->sfail.again <= fx->f.mono + STORE_RETRY_MS);
	push(fx, who, 2, id2);
	assert_int_equal(fx->d->n_pend, 0);
	/* after it, and with room again, taken, stored and forwarded */
	reopen(fx, 0);
	fx->f.mono = fx->d->sfail.again;
	push(fx, who, 3, id3);
	assert_int_equal(fx->d->n_pend, 1);
	host_commit(fx->d);
	gossip_flush(fx->d->g);
	assert_true(store_has(fx->d->st, id3));
	assert_int_equal(forwarded(), 1);
	assert_int_equal(fx->d->sfail.err, EM_OK);
	assert_int_equal(fx->d->sfail.lost, 0);
	ident_free(who);
}

/* Failures in a row back off from STORE_RETRY_MS, doubling, to at most
 * STORE_RETRY_MAX_MS (jitter takes up to half away). */
static void
test_backoff_bounded(void **state)
{
	fixture *fx = *state;
	uint8_t id[32];
	uint64_t wait = 0;
	ident *who;

	assert_int_equal(ident_generate(&who), EM_OK);
	reopen(fx, 1);
	for (unsigned i = 1; i <= 12; i++) {
		push(fx, who, i, id);
		assert_int_equal(fx->d->n_pend, 1);
		host_commit(fx->d);
		wait = fx->d->sfail.again - fx->f.mono;
		assert_true(wait <= STORE_RETRY_MAX_MS);
		if (i == 1)
			assert_true(wait >= STORE_RETRY_MS / 2 && wait <= STORE_RETRY_MS);
		fx->f.mono = fx->d->sfail.again;
	}
	assert_true(wait >= STORE_RETRY_MAX_MS / 2);
	assert_int_equal(fx->d->sfail.lost, 12);
	assert_int_equal(forwarded(), 0);
	ident_free(who);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_forwarded_after_commit, host_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_failed_commit_forwards_nothing,
		    host_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_backoff_bounded, host_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

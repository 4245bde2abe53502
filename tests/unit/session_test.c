/* The secure channel: two sessions back to back in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "session.h"

static ident *ia, *ib;
static uint8_t key[32], other_key[32];

/* messages that arrived, concatenated, for checking */
static uint8_t got[1 << 20];
static size_t got_len, got_n;

static int
setup(void **state)
{
	(void)state;
	hash_init();
	ident_generate(&ia);
	ident_generate(&ib);
	memset(key, 7, 32);
	memset(other_key, 8, 32);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	ident_free(ia);
	ident_free(ib);
	return 0;
}

/* Moves everything from's pending bytes into to, step bytes at a time. */
static em_err
pump(session *from, session *to, size_t step)
{
	size_t len, used;
	const uint8_t *p = session_pending(from, &len);
	uint8_t *copy = malloc(len ? len : 1);
	em_err err = EM_OK;

	memcpy(copy, p, len);
	session_written(from, len);
	for (size_t off = 0; off < len && err == EM_OK; ) {
		size_t n = len - off < step ? len - off : step;
		const uint8_t *m;
		size_t mlen;

		err = session_feed(to, copy + off, n, &used);
		off += used;
		while (err == EM_OK && session_next(to, &m, &mlen)) {
			memcpy(got + got_len, m, mlen);
			got_len += mlen;
			got_n++;
		}
	}
	free(copy);
	return err;
}

static em_err
connect_pair(session **a, session **b, const uint8_t *bkey, size_t step)
{
	em_err err = EM_OK;

	assert_int_equal(session_new(1, ia, key, NULL, 1 << 19, a), EM_OK);
	assert_int_equal(session_new(0, ib, bkey, NULL, 1 << 19, b), EM_OK);
	for (int i = 0; i < 4 && err == EM_OK; i++)
		err = pump(i % 2 ? *b : *a, i % 2 ? *a : *b, step);
	return err;
}

static void
test_handshake_and_messages(void **state)
{
	static uint8_t big[300000];
	session *a, *b;

	(void)state;
	for (size_t step = 1; step <= 4096; step *= 64) {
		got_len = got_n = 0;
		assert_int_equal(connect_pair(&a, &b, key, step), EM_OK);
		assert_true(session_ready(a) && session_ready(b));
		assert_memory_equal(session_peer(a), ident_pk(ib), 32);
		assert_memory_equal(session_peer(b), ident_pk(ia), 32);
		for (size_t i = 0; i < sizeof big; i++)
			big[i] = (uint8_t)(i * 31 + step);
		assert_int_equal(session_send(a, (const uint8_t *)"hello", 5), EM_OK);
		assert_int_equal(session_send(a, big, sizeof big), EM_OK);	/* 5 frames */
		assert_int_equal(session_send(a, NULL, 0), EM_OK);
		assert_int_equal(pump(a, b, step * 7 + 3), EM_OK);
		assert_int_equal(got_n, 3);
		assert_int_equal(got_len, 5 + sizeof big);
		assert_memory_equal(got + 5, big, sizeof big);
		assert_int_equal(session_send(b, (const uint8_t *)"back", 4), EM_OK);
		assert_int_equal(pump(b, a, step), EM_OK);
		assert_int_equal(got_n, 4);
		session_free(a);
		session_free(b);
	}
}

static void
test_rekey_in_step(void **state)
{
	session *a, *b;
	uint8_t msg[40];

	(void)state;
	got_len = got_n = 0;
	assert_int_equal(connect_pair(&a, &b, key, 1000), EM_OK);
	session_set_rekey(a, 3);
	session_set_rekey(b, 3);
	for (int i = 0; i < 100; i++) {
		memset(msg, i, sizeof msg);
		assert_int_equal(session_send(i % 2 ? b : a, msg, sizeof msg), EM_OK);
		assert_int_equal(pump(i % 2 ? b : a, i % 2 ? a : b, 1000), EM_OK);
	}
	assert_int_equal(got_n, 100);
	/* one side rekeying alone breaks the channel */
	session_set_rekey(b, 1000);
	for (int i = 0; i < 3; i++)
		session_send(a, msg, sizeof msg);
	session_send(a, msg, sizeof msg);
	assert_int_equal(pump(a, b, 1000), EM_ECRYPTO);
	session_free(a);
	session_free(b);
}

static void
test_wrong_network_key(void **state)
{
	session *a, *b;

	(void)state;
	got_n = 0;
	/* the responder fails on message 3, before any identity is known */
	assert_int_equal(connect_pair(&a, &b, other_key, 64), EM_ECRYPTO);
	assert_false(session_ready(a));
	assert_false(session_ready(b));
	assert_null(session_peer(b));
	assert_int_equal(got_n, 0);
	session_free(a);
	session_free(b);
}

static void
test_expected_peer_and_self(void **state)
{
	session *a, *b;
	em_err err = EM_OK;
	uint8_t someone[32];

	(void)state;
	/* the initiator dials an address it knows as another node's */
	memset(someone, 0x5a, sizeof someone);
	assert_int_equal(session_new(1, ia, key, someone, 1024, &a), EM_OK);
	assert_int_equal(session_new(0, ib, key, NULL, 1024, &b), EM_OK);
	for (int i = 0; i < 4 && err == EM_OK; i++)
		err = pump(i % 2 ? b : a, i % 2 ? a : b, 64);
	assert_int_equal(err, EM_EINVAL);
	session_free(a);
	session_free(b);
	/* talking to ourselves is refused too */
	assert_int_equal(session_new(1, ia, key, NULL, 1024, &a), EM_OK);
	assert_int_equal(session_new(0, ia, key, NULL, 1024, &b), EM_OK);
	err = EM_OK;
	for (int i = 0; i < 4 && err == EM_OK; i++)
		err = pump(i % 2 ? b : a, i % 2 ? a : b, 64);
	assert_int_equal(err, EM_EINVAL);
	session_free(a);
	session_free(b);
}

static void
test_garbage_and_limits(void **state)
{
	static const uint8_t junk[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	uint8_t msg[2048] = { 0 };
	session *a, *b, *small;
	size_t used, len;
	const uint8_t *p;

	(void)state;
	assert_int_equal(session_new(0, ib, key, NULL, 1024, &b), EM_OK);
	assert_int_equal(session_feed(b, junk, sizeof junk, &used), EM_EFORMAT);
	session_free(b);
	/* a message above the receiver's limit ends the session */
	assert_int_equal(session_new(1, ia, key, NULL, 1 << 16, &a), EM_OK);
	assert_int_equal(session_new(0, ib, key, NULL, 1024, &small), EM_OK);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pump(i % 2 ? small : a, i % 2 ? a : small, 4096), EM_OK);
	assert_int_equal(session_send(a, msg, sizeof msg), EM_OK);
	assert_int_equal(pump(a, small, 4096), EM_ETOOBIG);
	assert_int_equal(session_send(small, msg, sizeof msg), EM_ETOOBIG);
	session_free(small);
	/* a flipped bit in a data frame */
	session_free(a);
	assert_int_equal(connect_pair(&a, &b, key, 4096), EM_OK);
	session_send(a, msg, 100);
	p = session_pending(a, &len);
	((uint8_t *)p)[len - 5] ^= 1;
	assert_int_equal(pump(a, b, 4096), EM_ECRYPTO);
	session_free(a);
	session_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_and_messages),
		cmocka_unit_test(test_rekey_in_step),
		cmocka_unit_test(test_wrong_network_key),
		cmocka_unit_test(test_expected_peer_and_self),
		cmocka_unit_test(test_garbage_and_limits),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

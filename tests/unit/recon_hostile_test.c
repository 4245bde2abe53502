/* Range-based reconciliation against hostile messages: each refused with
 * the rule it breaks before anything is acted on; every cut and flipped
 * byte of real messages; the host's and the session's rules; stops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hash.h"
#include "recon.h"
#include "testutil.h"
#include "recon_side.h"

typedef struct bad {
	const char	*name;
	uint8_t		 bytes[96];
	size_t		 len;
	em_err		 err;
	const char	*why;
} bad;

#define FP16 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, \
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11
#define ID16(b) b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

static const bad bads[] = {
	{ "empty", { 0 }, 0, EM_ETRUNC, "empty message" },
	{ "version", { 2 }, 1, EM_EVERSION, "version" },
	{ "bound too long", { 1, 0x40 | 33 }, 2, EM_EFORMAT, "bound length" },
	{ "bound empty", { 1, 0x40 }, 2, EM_EFORMAT, "bound length" },
	{ "bound ends in zero", { 1, 0x42, 5, 0, FP16 }, 20, EM_EFORMAT, "zero byte" },
	{ "bound cut", { 1, 0x43, 5, 6 }, 4, EM_ETRUNC, "bound cut short" },
	{ "fingerprint cut", { 1, 0x41, 5, 0x11 }, 4, EM_ETRUNC, "fingerprint cut" },
	{ "bounds equal", { 1, 0x41, 5, FP16, 0x41, 5, FP16 }, 37, EM_EFORMAT,
	    "not ascending" },
	{ "bounds down", { 1, 0x41, 5, FP16, 0x41, 4, FP16 }, 37, EM_EFORMAT,
	    "not ascending" },
	{ "after the end", { 1, 0x7f, FP16, 0x41, 5, FP16 }, 36, EM_ETRAILING, "after" },
	{ "two skips", { 1, 0x01, 5, 0x01, 6, 0x7f, FP16 }, 22, EM_EFORMAT, "two skip" },
	{ "ends with skip", { 1, 0x41, 5, FP16, 0x01, 6 }, 21, EM_EFORMAT,
	    "ends with a skip" },
	{ "list count missing", { 1, 0xbf }, 2, EM_ETRUNC, "count missing" },
	{ "list too long", { 1, 0xbf, 65 }, 3, EM_ETOOBIG, "longer than 64" },
	{ "list cut", { 1, 0xbf, 2, ID16(3) }, 19, EM_ETRUNC, "id list cut" },
	{ "list unsorted", { 1, 0xbf, 2, ID16(4), ID16(3) }, 35, EM_EFORMAT,
	    "not strictly ascending" },
	{ "list repeats", { 1, 0xbf, 2, ID16(4), ID16(4) }, 35, EM_EFORMAT,
	    "not strictly ascending" },
	{ "listed above range", { 1, 0x81, 5, 1, ID16(5) }, 20, EM_EFORMAT,
	    "outside its range" },
	{ "listed below range", { 1, 0x41, 5, FP16, 0xbf, 1, ID16(4) }, 37, EM_EFORMAT,
	    "outside its range" },
	{ "need empty", { 1, 0xff, 0 }, 3, EM_EFORMAT, "empty need" },
	/* a valid list first, whose answer would tell lacks, then garbage:
	 * refused whole, nothing told */
	{ "good then bad", { 1, 0x81, 0x80, 0, 0x40 | 40 }, 5, EM_EFORMAT,
	    "bound length" },
};

static void
recv_expect(const recon_host *h, const uint8_t *msg, size_t len, em_err want,
    const char *why)
{
	static uint8_t out[60 * 1024];
	size_t out_len = 99;
	const char *cwhy;
	recon *r;

	/* the check without a session says the same */
	assert_int_equal(recon_check(msg, len, 60 * 1024, &cwhy), want);
	assert_non_null(strstr(cwhy, why));
	assert_int_equal(recon_new(h, NULL, &r), EM_OK);
	assert_int_equal(recon_recv(r, msg, len, out, sizeof out, &out_len), want);
	assert_non_null(strstr(recon_why(r), why));
	assert_int_equal(out_len, 0);
	assert_false(recon_done(r));
	/* dead from then on */
	assert_int_equal(recon_recv(r, (const uint8_t[]){ 1 }, 1, out, sizeof out,
	    &out_len), EM_EINVAL);
	recon_free(r);
}

static void
test_malformed(void **state)
{
	static uint8_t big[70 * 1024];
	uint64_t rng = 71;
	recon_host h;
	side s;
	size_t n = 1;

	(void)state;
	side_random(&s, 1000, &rng);
	h = host_of(&s);
	for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		print_message("%s\n", bads[i].name);
		recv_expect(&h, bads[i].bytes, bads[i].len, bads[i].err, bads[i].why);
		assert_int_equal(s.n_lack, 0);
	}
	/* over the frame limit */
	big[0] = 1;
	recv_expect(&h, big, 60 * 1024 + 1, EM_ETOOBIG, "frame limit");
	/* more ranges than allowed: 4097 empty lists with 2-byte bounds */
	big[0] = 1;
	for (uint32_t i = 0; i <= RECON_RANGES_MAX; i++) {
		big[n++] = 0x80 | 2;
		big[n++] = (uint8_t)(1 + i / 255);
		big[n++] = (uint8_t)(1 + i % 255);
		big[n++] = 0;
	}
	recv_expect(&h, big, n, EM_ETOOBIG, "more ranges");
	assert_int_equal(s.n_lack, 0);
	side_free(&s);
}

/* Every cut and every flipped byte of real messages: an answer or an
 * error, never a crash, and a session that keeps its word. */
static void
test_mutations(void **state)
{
	static uint8_t msgs[4][60 * 1024], out[60 * 1024];
	size_t lens[4], n_msgs = 0, len;
	uint64_t rng = 81;
	recon_host ha, hb;
	recon *ra, *rb, *r;
	side a, b;

	(void)state;
	side_random(&a, 3000, &rng);
	side_random(&b, 2900, &rng);
	memcpy(b.keys, a.keys, 2000 * RECON_KEY);	/* some shared, some not */
	side_sort(&b);
	ha = host_of(&a);
	hb = host_of(&b);
	assert_int_equal(recon_new(&ha, NULL, &ra), EM_OK);
	assert_int_equal(recon_new(&hb, NULL, &rb), EM_OK);
	assert_int_equal(recon_start(ra, msgs[0], sizeof msgs[0], &lens[0]), EM_OK);
	for (n_msgs = 1; n_msgs < 4; n_msgs++) {
		r = n_msgs % 2 ? rb : ra;
		assert_int_equal(recon_recv(r, msgs[n_msgs - 1], lens[n_msgs - 1],
		    msgs[n_msgs], sizeof msgs[n_msgs], &lens[n_msgs]), EM_OK);
		if (lens[n_msgs] == 0)
			break;
	}
	recon_free(ra);
	recon_free(rb);
	for (size_t m = 0; m < n_msgs; m++) {
		for (size_t cut = 0; cut <= lens[m]; cut += 1 + cut / 64) {
			assert_int_equal(recon_new(&hb, NULL, &r), EM_OK);
			(void)recon_recv(r, msgs[m], cut, out, sizeof out, &len);
			recon_free(r);
		}
		for (size_t at = 0; at < lens[m]; at += 1 + at / 64) {
			msgs[m][at] ^= 0x5a;
			assert_int_equal(recon_new(&hb, NULL, &r), EM_OK);
			if (recon_recv(r, msgs[m], lens[m], out, sizeof out, &len) == EM_OK)
				assert_true(len <= sizeof out);
			recon_free(r);
			msgs[m][at] ^= 0x5a;
		}
	}
	side_free(&a);
	side_free(&b);
}

static int
bad_next(void *ctx, uint8_t key[static RECON_KEY])
{
	(void)ctx;
	memset(key, 0, RECON_KEY);	/* below anything sought but zero */
	return 1;
}

static void
test_host_and_session_rules(void **state)
{
	static uint8_t out[60 * 1024];
	uint64_t rng = 91;
	recon_host h;
	recon_opts o = { .frame_max = RECON_FRAME_MIN - 1, .rounds_max = 1, .split = 16,
	    .ids_max = 32 };
	side s;
	recon *r;
	size_t len;

	(void)state;
	side_random(&s, 100, &rng);
	h = host_of(&s);
	/* options out of range, callbacks missing */
	assert_int_equal(recon_new(&h, &o, &r), EM_EINVAL);
	o.frame_max = RECON_FRAME_MIN;
	o.split = 1;
	assert_int_equal(recon_new(&h, &o, &r), EM_EINVAL);
	o.split = RECON_SPLIT_MAX + 1;
	assert_int_equal(recon_new(&h, &o, &r), EM_EINVAL);
	o.split = 16;
	o.ids_max = RECON_IDS_MAX + 1;
	assert_int_equal(recon_new(&h, &o, &r), EM_EINVAL);
	o.ids_max = 0;
	assert_int_equal(recon_new(&h, &o, &r), EM_EINVAL);
	h.lacks = NULL;
	assert_int_equal(recon_new(&h, NULL, &r), EM_EINVAL);
	/* a buffer below the frame */
	h = host_of(&s);
	assert_int_equal(recon_new(&h, NULL, &r), EM_OK);
	assert_int_equal(recon_start(r, out, 1000, &len), EM_EINVAL);
	recon_free(r);
	/* a set that does not ascend */
	h.next = bad_next;
	assert_int_equal(recon_new(&h, NULL, &r), EM_OK);
	assert_int_equal(recon_start(r, out, sizeof out, &len), EM_EINVAL);
	assert_non_null(strstr(recon_why(r), "not strictly ascending"));
	recon_free(r);
	/* an empty message asks nothing: no answer, done; then nothing more */
	h = host_of(&s);
	assert_int_equal(recon_new(&h, NULL, &r), EM_OK);
	assert_int_equal(recon_recv(r, (const uint8_t[]){ 1 }, 1, out, sizeof out, &len),
	    EM_OK);
	assert_int_equal(len, 0);
	assert_true(recon_done(r));
	assert_int_equal(recon_recv(r, (const uint8_t[]){ 1 }, 1, out, sizeof out, &len),
	    EM_EINVAL);
	assert_non_null(strstr(recon_why(r), "after the session ended"));
	recon_free(r);
	side_free(&s);
}

/* A session stopped early on either side: the peer takes the stop as the
 * end of its session; a fresh or ended session has nothing to stop. (And
 * a real message passes the check without a session.) */
static void
test_stop(void **state)
{
	static uint8_t out[60 * 1024], back[60 * 1024];
	uint64_t rng = 111;
	recon_host ha, hb;
	side a, b;
	recon *ra, *rb;
	size_t len, blen;
	const char *why;

	(void)state;
	side_random(&a, 3000, &rng);
	side_random(&b, 3000, &rng);
	ha = host_of(&a);
	hb = host_of(&b);
	assert_int_equal(recon_new(&ha, NULL, &ra), EM_OK);
	assert_int_equal(recon_new(&hb, NULL, &rb), EM_OK);
	assert_int_equal(recon_stop(ra, out, sizeof out, &len), EM_EINVAL);	/* fresh */
	assert_int_equal(recon_start(ra, out, sizeof out, &len), EM_OK);
	assert_int_equal(recon_check(out, len, sizeof out, &why), EM_OK);
	assert_string_equal(why, "");
	assert_int_equal(recon_check(out, len, len - 1, &why), EM_ETOOBIG);
	assert_int_equal(recon_recv(rb, out, len, back, sizeof back, &blen), EM_OK);
	assert_true(blen > 1 && !recon_done(rb));
	/* the responder stops: its one byte ends the initiator's session */
	assert_int_equal(recon_stop(rb, back, sizeof back, &blen), EM_OK);
	assert_int_equal(blen, 1);
	assert_true(recon_done(rb));
	assert_int_equal(recon_recv(ra, back, blen, out, sizeof out, &len), EM_OK);
	assert_int_equal(len, 0);
	assert_true(recon_done(ra));
	assert_int_equal(recon_stop(ra, out, sizeof out, &len), EM_EINVAL);	/* over */
	assert_int_equal(recon_stop(rb, out, sizeof out, &len), EM_EINVAL);
	recon_free(ra);
	recon_free(rb);
	/* the initiator stops after an answer: the responder's session ends */
	assert_int_equal(recon_new(&ha, NULL, &ra), EM_OK);
	assert_int_equal(recon_new(&hb, NULL, &rb), EM_OK);
	assert_int_equal(recon_start(ra, out, sizeof out, &len), EM_OK);
	assert_int_equal(recon_recv(rb, out, len, back, sizeof back, &blen), EM_OK);
	assert_int_equal(recon_recv(ra, back, blen, out, sizeof out, &len), EM_OK);
	assert_true(len > 1 && !recon_done(ra));
	assert_int_equal(recon_stop(ra, out, 1, &len), EM_OK);
	assert_int_equal(recon_recv(rb, out, len, back, sizeof back, &blen), EM_OK);
	assert_int_equal(blen, 0);
	assert_true(recon_done(rb));
	recon_free(ra);
	recon_free(rb);
	side_free(&a);
	side_free(&b);
}

/* A NEED naming keys we never had: nothing told, nothing refused. */
static void
test_need_unknown(void **state)
{
	static uint8_t out[60 * 1024];
	uint8_t msg[1 + 1 + 1 + 2 * RECON_PREFIX] = { 1, 0xff, 2 };
	uint64_t rng = 101;
	recon_host h;
	recon_stats st;
	side s;
	recon *r;
	size_t len;

	(void)state;
	side_random(&s, 100, &rng);
	h = host_of(&s);
	memcpy(msg + 3, s.keys + 5 * RECON_KEY, RECON_PREFIX);	/* ours */
	msg[3 + RECON_PREFIX - 1] ^= 1;				/* ... not quite */
	memset(msg + 3 + RECON_PREFIX, 0xfe, RECON_PREFIX);
	if (memcmp(msg + 3, msg + 3 + RECON_PREFIX, RECON_PREFIX) > 0)
		memset(msg + 3 + RECON_PREFIX, 0xff, RECON_PREFIX);
	assert_int_equal(recon_new(&h, NULL, &r), EM_OK);
	assert_int_equal(recon_recv(r, msg, sizeof msg, out, sizeof out, &len), EM_OK);
	assert_int_equal(len, 0);
	recon_get_stats(r, &st);
	assert_int_equal(st.ignored, 2);
	assert_int_equal(s.n_lack, 0);
	recon_free(r);
	/* the real prefix: told */
	memcpy(msg + 3, s.keys + 5 * RECON_KEY, RECON_PREFIX);
	assert_int_equal(recon_new(&h, NULL, &r), EM_OK);
	assert_int_equal(recon_recv(r, msg, sizeof msg, out, sizeof out, &len), EM_OK);
	recon_get_stats(r, &st);
	assert_int_equal(st.ignored, 1);
	assert_int_equal(s.n_lack, 1);
	assert_memory_equal(s.lack, s.keys + 5 * RECON_KEY, RECON_KEY);
	recon_free(r);
	side_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_host_and_session_rules),
		cmocka_unit_test(test_need_unknown),
		cmocka_unit_test(test_stop),
	};

	assert_int_equal(hash_init(), EM_OK);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Public audits: the item draw (against an independent implementation of
 * its rule), the challenge and response bodies (through msgpack-c's
 * packer and unpacker and our reader, and every limit), and the checks a
 * response must pass without the task's items. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "hash.h"
#include "merkle.h"
#include "pack.h"
#include "record.h"

/* The draws below were computed by a separate Python program that
 * follows audit.h's words (hashlib.blake2b, digest_size 32), not this
 * code: challenge id 32 x 0xc1, result id 32 x 0x5e. */
static void
test_draw_known(void **state)
{
	static const uint32_t d1000[16] = { 595, 273, 666, 493, 499, 67, 926, 258, 199, 97,
	    891, 828, 45, 308, 953, 632 };
	static const uint32_t d16[16] = { 3, 9, 6, 14, 7, 4, 8, 1, 15, 5, 2, 0, 13, 11, 10, 12 };
	static const uint32_t d3[3] = { 2, 1, 0 };
	static const uint32_t dbig[5] = { 742627, 685284, 769374, 844071, 111847 };
	uint8_t chal[32], res[32];
	uint32_t out[BODY_AUDIT_K_MAX];

	(void)state;
	assert_int_equal(hash_init(), EM_OK);
	memset(chal, 0xc1, 32);
	memset(res, 0x5e, 32);
	assert_int_equal(audit_draw(chal, res, 1000, 16, out), 16);
	assert_memory_equal(out, d1000, sizeof d1000);
	assert_int_equal(audit_draw(chal, res, 16, 16, out), 16);
	assert_memory_equal(out, d16, sizeof d16);
	/* k above n: every item, once */
	assert_int_equal(audit_draw(chal, res, 3, 9, out), 3);
	assert_memory_equal(out, d3, sizeof d3);
	assert_int_equal(audit_draw(chal, res, 1u << 20, 5, out), 5);
	assert_memory_equal(out, dbig, sizeof dbig);
	/* k above the limit counts as the limit; no items, no draw */
	assert_int_equal(audit_draw(chal, res, 1000, 99, out), 16);
	assert_memory_equal(out, d1000, sizeof d1000);
	assert_int_equal(audit_draw(chal, res, 0, 3, out), 0);
}

/* Distinct, in range, the same twice, a prefix of a larger k's draw; and
 * spread: over 3,000 challenges each of 10 items is drawn first about
 * 300 times. */
static void
test_draw_rules(void **state)
{
	uint8_t chal[32] = { 0 }, res[32] = { 7 };
	uint32_t a[BODY_AUDIT_K_MAX], b[BODY_AUDIT_K_MAX], first[10] = { 0 };

	(void)state;
	for (uint64_t n = 1; n <= 40; n++)
		for (uint32_t k = 1; k <= BODY_AUDIT_K_MAX; k++) {
			uint32_t got;

			chal[0] = (uint8_t)n;
			chal[1] = (uint8_t)k;
			got = audit_draw(chal, res, n, k, a);
			assert_int_equal(got, n < k ? n : k);
			for (uint32_t i = 0; i < got; i++) {
				assert_true(a[i] < n);
				for (uint32_t j = 0; j < i; j++)
					assert_int_not_equal(a[i], a[j]);
			}
			assert_int_equal(audit_draw(chal, res, n, k, b), got);
			assert_memory_equal(a, b, got * sizeof *a);
			assert_int_equal(audit_draw(chal, res, n, BODY_AUDIT_K_MAX, b),
			    n < BODY_AUDIT_K_MAX ? n : BODY_AUDIT_K_MAX);
			assert_memory_equal(a, b, got * sizeof *a);
		}
	memset(chal, 0, 32);
	for (uint32_t c = 0; c < 3000; c++) {
		chal[0] = (uint8_t)c;
		chal[1] = (uint8_t)(c >> 8);
		audit_draw(chal, res, 10, 1, a);
		first[a[0]]++;
	}
	for (int i = 0; i < 10; i++)
		assert_true(first[i] > 220 && first[i] < 380);
	/* another result, another draw */
	audit_draw(chal, res, 1000000, 16, a);
	res[5] ^= 1;
	audit_draw(chal, res, 1000000, 16, b);
	assert_memory_not_equal(a, b, sizeof a);
}

/* A result of N items with a root over real leaves, a challenge of K
 * and its honest response, built as an author's node would. */
enum { N = 37, K = 5 };
typedef struct fixture {
	uint8_t		 chal_id[32], res_id[32];
	uint8_t		 leaves[N][32], item[N][32], outh[N][32], scores[2 * N];
	char		 out[N][16];
	uint8_t		 proofs[K][32 * BODY_PROOF_MAX];
	body_any	 res, chal, resp;
} fixture;

static void
make_fixture(fixture *f)
{
	merkle_tree *t = NULL;
	uint32_t idx[BODY_AUDIT_K_MAX];

	memset(f, 0, sizeof *f);
	memset(f->chal_id, 0xab, 32);
	memset(f->res_id, 0xcd, 32);
	for (uint32_t i = 0; i < N; i++) {
		uint16_t s = (uint16_t)(i % 3 ? BODY_SCORE_SCALE : 0);

		snprintf(f->out[i], sizeof f->out[i], "answer %u", i);
		hash_blake2b(f->outh[i], (const uint8_t *)f->out[i], strlen(f->out[i]));
		merkle_item(f->item[i], (const uint8_t *)f->out[i], 3);
		merkle_result_leaf(f->leaves[i], i, f->item[i], f->outh[i], s);
		f->scores[2 * i] = (uint8_t)(s >> 8);
		f->scores[2 * i + 1] = (uint8_t)s;
	}
	assert_int_equal(merkle_tree_new(&f->leaves[0][0], N, &t), EM_OK);
	f->res.kind = REC_RESULT;
	f->res.u.result.n_items = N;
	f->res.u.result.has_merkle = 1;
	merkle_tree_root(t, f->res.u.result.merkle);
	f->res.u.result.scores = f->scores;
	f->res.u.result.scores_len = sizeof f->scores;
	f->chal.kind = REC_CHALLENGE;
	memcpy(f->chal.u.challenge.result, f->res_id, 32);
	f->chal.u.challenge.k = K;
	f->chal.u.challenge.within_s = 3600;
	f->resp.kind = REC_RESPONSE;
	memcpy(f->resp.u.response.challenge, f->chal_id, 32);
	memcpy(f->resp.u.response.result, f->res_id, 32);
	f->resp.u.response.n = audit_draw(f->chal_id, f->res_id, N, K, idx);
	assert_int_equal(f->resp.u.response.n, K);
	for (uint32_t j = 0; j < K; j++) {
		body_opened *o = &f->resp.u.response.items[j];
		uint32_t i = idx[j];

		o->index = i;
		memcpy(o->item_hash, f->item[i], 32);
		o->has_output = 1;
		o->output = (const uint8_t *)f->out[i];
		o->output_len = strlen(f->out[i]);
		memcpy(o->output_hash, f->outh[i], 32);
		o->score = (uint16_t)(f->scores[2 * i] << 8 | f->scores[2 * i + 1]);
		assert_int_equal(merkle_tree_proof(t, i, f->proofs[j], &o->proof_len), EM_OK);
		o->proof = f->proofs[j];
	}
	merkle_tree_free(t);
}

static em_err
check(const fixture *f, char *why)
{
	return audit_check(f->chal_id, &f->chal.u.challenge, f->res_id, &f->res.u.result,
	    &f->resp.u.response, why, 200);
}

static void
test_check(void **state)
{
	fixture *f = malloc(sizeof *f);
	char why[200];
	body_opened *o;

	(void)state;
	assert_non_null(f);
	make_fixture(f);
	assert_int_equal(check(f, why), EM_OK);
	o = &f->resp.u.response.items[2];
	/* an output that is not the one committed */
	o->output = (const uint8_t *)"answer 999";
	o->output_len = 10;
	assert_int_equal(check(f, why), EM_EMISMATCH);
	assert_non_null(strstr(why, "does not hash"));
	/* ... with its hash too: the proof fails */
	hash_blake2b(o->output_hash, o->output, 10);
	assert_int_equal(check(f, why), EM_EMISMATCH);
	assert_non_null(strstr(why, "proof"));
	make_fixture(f);
	/* a score that is not the leaf's */
	o->score ^= 1;
	assert_int_equal(check(f, why), EM_EMISMATCH);
	assert_non_null(strstr(why, "proof"));
	make_fixture(f);
	/* a withheld output still proves, by its hash */
	o->has_output = 0;
	assert_int_equal(check(f, why), EM_OK);
	/* the leaf's score not in the result's vector */
	make_fixture(f);
	f->scores[2 * o->index + 1] ^= 1;
	assert_int_equal(check(f, why), EM_EMISMATCH);
	assert_non_null(strstr(why, "not the result's"));
	/* items in another order, or one left out */
	make_fixture(f);
	f->resp.u.response.items[0] = f->resp.u.response.items[1];
	assert_int_equal(check(f, why), EM_EMISMATCH);
	assert_non_null(strstr(why, "draws item"));
	make_fixture(f);
	f->resp.u.response.n--;
	assert_int_equal(check(f, why), EM_EMISMATCH);
	/* a flipped proof byte */
	make_fixture(f);
	f->proofs[3][5] ^= 1;
	assert_int_equal(check(f, why), EM_EMISMATCH);
	/* another challenge's response, another result */
	make_fixture(f);
	f->chal_id[0] ^= 1;
	assert_int_equal(check(f, why), EM_EINVAL);
	make_fixture(f);
	f->res.u.result.has_merkle = 0;
	assert_int_equal(check(f, why), EM_EFORMAT);
	free(f);
}

static void
assert_same(const body_any *a, const body_any *b)
{
	assert_int_equal(a->kind, b->kind);
	if (a->kind == REC_CHALLENGE) {
		assert_memory_equal(&a->u.challenge, &b->u.challenge, sizeof a->u.challenge);
		return;
	}
	assert_memory_equal(a->u.response.challenge, b->u.response.challenge, 32);
	assert_memory_equal(a->u.response.result, b->u.response.result, 32);
	assert_int_equal(a->u.response.n, b->u.response.n);
	for (uint32_t i = 0; i < a->u.response.n; i++) {
		const body_opened *x = &a->u.response.items[i], *y = &b->u.response.items[i];

		assert_int_equal(x->index, y->index);
		assert_memory_equal(x->item_hash, y->item_hash, 32);
		assert_int_equal(x->has_output, y->has_output);
		assert_int_equal(x->output_len, y->output_len);
		if (x->output_len)
			assert_memory_equal(x->output, y->output, x->output_len);
		assert_memory_equal(x->output_hash, y->output_hash, 32);
		assert_int_equal(x->score, y->score);
		assert_int_equal(x->proof_len, y->proof_len);
		if (x->proof_len)
			assert_memory_equal(x->proof, y->proof, x->proof_len);
	}
}

/* msgpack-c's unpacker reads what we packed as the documented shape. */
static void
check_with_msgpack_c(const uint8_t *buf, size_t len, const body_any *b)
{
	msgpack_unpacked u;
	msgpack_object *a;
	size_t off = 0;

	msgpack_unpacked_init(&u);
	assert_int_equal(msgpack_unpack_next(&u, (const char *)buf, len, &off),
	    MSGPACK_UNPACK_SUCCESS);
	assert_int_equal(off, len);
	assert_int_equal(u.data.type, MSGPACK_OBJECT_ARRAY);
	assert_int_equal(u.data.via.array.size, 3);
	a = u.data.via.array.ptr;
	assert_int_equal(a[0].type, MSGPACK_OBJECT_BIN);
	assert_int_equal(a[0].via.bin.size, 32);
	if (b->kind == REC_CHALLENGE) {
		assert_int_equal(a[1].via.u64, b->u.challenge.k);
		assert_int_equal(a[2].via.u64, b->u.challenge.within_s);
	} else {
		msgpack_object *it = a[2].via.array.ptr;

		assert_int_equal(a[2].via.array.size, b->u.response.n);
		for (uint32_t i = 0; i < b->u.response.n; i++) {
			assert_int_equal(it[i].via.array.size, 6);
			assert_int_equal(it[i].via.array.ptr[0].via.u64,
			    b->u.response.items[i].index);
			assert_int_equal(it[i].via.array.ptr[2].type,
			    b->u.response.items[i].has_output ? MSGPACK_OBJECT_BIN :
			    MSGPACK_OBJECT_NIL);
			assert_int_equal(it[i].via.array.ptr[5].via.bin.size,
			    b->u.response.items[i].proof_len);
		}
	}
	msgpack_unpacked_destroy(&u);
}

static void
roundtrip(const body_any *b)
{
	uint8_t *enc;
	size_t len;
	body_any out;

	assert_int_equal(body_encode(b, &enc, &len), EM_OK);
	assert_true(len <= REC_BODY_MAX);
	assert_int_equal(body_decode(b->kind, enc, len, &out, NULL, NULL), EM_OK);
	assert_same(b, &out);
	check_with_msgpack_c(enc, len, b);
	/* every prefix is cut short, one byte more is trailing */
	for (size_t n = 0; n < len; n += 1 + len / 64)
		assert_int_not_equal(body_decode(b->kind, enc, n, &out, NULL, NULL), EM_OK);
	free(enc);
}

/* The largest response there can be: sixteen outputs at the limit, with
 * proofs of a full tree of BODY_ITEMS_MAX items, fits a record. */
static void
test_bodies(void **state)
{
	fixture *f = malloc(sizeof *f);
	static uint8_t big[BODY_AUDIT_OUT_MAX], proof[32 * BODY_PROOF_MAX];
	body_any b;

	(void)state;
	assert_non_null(f);
	make_fixture(f);
	roundtrip(&f->chal);
	roundtrip(&f->resp);
	f->resp.u.response.items[1].has_output = 0;
	f->resp.u.response.items[1].output_len = 0;
	f->resp.u.response.items[2].output_len = 0;
	roundtrip(&f->resp);
	b = f->resp;
	b.u.response.n = BODY_AUDIT_K_MAX;
	for (uint32_t i = 0; i < BODY_AUDIT_K_MAX; i++) {
		body_opened *o = &b.u.response.items[i];

		o->index = BODY_ITEMS_MAX - 1 - i;
		o->has_output = 1;
		o->output = big;
		o->output_len = sizeof big;
		o->score = BODY_SCORE_SCALE;
		o->proof = proof;
		o->proof_len = sizeof proof;
	}
	roundtrip(&b);
	free(f);
}

/* Hand-packed bodies our reader must refuse, each at its field. */
static void
refuse(uint8_t kind, void (*fill)(msgpack_packer *pk, pack *p), em_err want, const char *field)
{
	pack p;
	uint8_t *buf;
	size_t len;
	body_any out;
	const char *got = NULL;

	pack_init(&p);
	fill(&p.pk, &p);
	assert_int_equal(pack_finish(&p, &buf, &len), EM_OK);
	assert_int_equal(body_decode(kind, buf, len, &out, &got, NULL), want);
	assert_string_equal(got, field);
	free(buf);
}

static const uint8_t zeros[64 * 1024];

static void
chal_k(msgpack_packer *pk, pack *p, uint64_t k, uint64_t within)
{
	msgpack_pack_array(pk, 3);
	pack_bin(p, zeros, 32);
	msgpack_pack_uint64(pk, k);
	msgpack_pack_uint64(pk, within);
}
static void c_k0(msgpack_packer *pk, pack *p) { chal_k(pk, p, 0, 60); }
static void c_k17(msgpack_packer *pk, pack *p) { chal_k(pk, p, 17, 60); }
static void c_w0(msgpack_packer *pk, pack *p) { chal_k(pk, p, 3, 0); }
static void c_wbig(msgpack_packer *pk, pack *p) { chal_k(pk, p, 3, BODY_AUDIT_WITHIN_MAX + 1); }
static void
c_short_hash(msgpack_packer *pk, pack *p)
{
	msgpack_pack_array(pk, 3);
	pack_bin(p, zeros, 31);
	msgpack_pack_uint8(pk, 3);
	msgpack_pack_uint8(pk, 60);
}

/* A response with one item; what each part is, set by the globals. */
static uint32_t g_items = 1;
static uint64_t g_index, g_score;
static size_t g_out = 4, g_proof = 32;
static void
resp(msgpack_packer *pk, pack *p)
{
	msgpack_pack_array(pk, 3);
	pack_bin(p, zeros, 32);
	pack_bin(p, zeros, 32);
	msgpack_pack_array(pk, g_items);
	for (uint32_t i = 0; i < g_items; i++) {
		msgpack_pack_array(pk, 6);
		msgpack_pack_uint64(pk, g_index);
		pack_bin(p, zeros, 32);
		pack_bin(p, zeros, g_out);
		pack_bin(p, zeros, 32);
		msgpack_pack_uint64(pk, g_score);
		pack_bin(p, zeros, g_proof);
	}
}

static void
test_bad_bodies(void **state)
{
	(void)state;
	refuse(REC_CHALLENGE, c_k0, EM_ERANGE, "challenge.k");
	refuse(REC_CHALLENGE, c_k17, EM_ERANGE, "challenge.k");
	refuse(REC_CHALLENGE, c_w0, EM_ERANGE, "challenge.within_s");
	refuse(REC_CHALLENGE, c_wbig, EM_ERANGE, "challenge.within_s");
	refuse(REC_CHALLENGE, c_short_hash, EM_EFORMAT, "challenge.result");
	refuse(REC_RESPONSE, resp, EM_OK, "response.items[].proof");
	g_items = 0;
	refuse(REC_RESPONSE, resp, EM_ERANGE, "response.items");
	g_items = 17;
	refuse(REC_RESPONSE, resp, EM_ETOOBIG, "response.items");
	g_items = 1;
	g_index = BODY_ITEMS_MAX;
	refuse(REC_RESPONSE, resp, EM_ERANGE, "response.items[].index");
	g_index = 0;
	g_score = BODY_SCORE_SCALE + 1;
	refuse(REC_RESPONSE, resp, EM_ERANGE, "response.items[].score");
	g_score = 0;
	g_out = BODY_AUDIT_OUT_MAX + 1;
	refuse(REC_RESPONSE, resp, EM_ETOOBIG, "response.items[].output");
	g_out = 4;
	g_proof = 33;
	refuse(REC_RESPONSE, resp, EM_EFORMAT, "response.items[].proof");
	g_proof = 32 * BODY_PROOF_MAX + 32;
	refuse(REC_RESPONSE, resp, EM_ETOOBIG, "response.items[].proof");
	g_proof = 32;
	/* a challenge's bytes are no response, and the other way round */
	refuse(REC_RESPONSE, c_w0, EM_EFORMAT, "response.result");
	refuse(REC_CHALLENGE, resp, EM_EFORMAT, "challenge.k");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_draw_known),
		cmocka_unit_test(test_draw_rules),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_bodies),
		cmocka_unit_test(test_bad_bodies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

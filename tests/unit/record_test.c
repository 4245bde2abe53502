/* Records: every kind through msgpack-c's packer and our reader, network
 * binding, and every way a record can be damaged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "netkey.h"
#include "record.h"
#include "hex.h"
#include "testutil.h"

static ident *me;
static uint8_t netid[32], other_net[32];

static int
setup(void **state)
{
	uint8_t key[32];

	(void)state;
	assert_int_equal(hash_init(), EM_OK);
	assert_int_equal(ident_generate(&me), EM_OK);
	netkey_open(key);
	netkey_id(key, netid);
	netkey_generate(key);
	netkey_id(key, other_net);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	ident_free(me);
	return 0;
}

static void
make_bodies(body_any b[5])
{
	static const uint8_t manifest[] = "{\"name\":\"arith-en\",\"metric\":\"exact_match\"}";
	static uint8_t chunks[3 * 32];

	memset(b, 0, 5 * sizeof *b);
	b[0].kind = REC_NODE;
	strcpy(b[0].u.node.name, "lab-北京");
	strcpy(b[0].u.node.org, "Example Lab");
	b[0].u.node.n_addrs = 2;
	strcpy(b[0].u.node.addrs[0], "192.0.2.1:7400");
	strcpy(b[0].u.node.addrs[1], "[2001:db8::1]:7400");
	b[1].kind = REC_TASK;
	strcpy(b[1].u.task.name, "arith-en");
	strcpy(b[1].u.task.version, "1");
	memset(b[1].u.task.items_root, 0x11, 32);
	b[1].u.task.n_items = 200;
	b[1].u.task.manifest = manifest;
	b[1].u.task.manifest_len = sizeof manifest - 1;
	memset(chunks, 0x22, sizeof chunks);
	b[1].u.task.chunks = chunks;
	b[1].u.task.n_chunks = 3;
	tu_result(&b[2], 3);
	b[3].kind = REC_ATTEST;
	memset(b[3].u.ref.target, 0x33, 32);
	b[3].u.ref.verdict = VERDICT_DISPUTED;
	strcpy(b[3].u.ref.text, "could not reproduce: 0.61 here");
	b[4].kind = REC_REVOKE;
	memset(b[4].u.ref.target, 0x44, 32);
	strcpy(b[4].u.ref.text, "wrong prompt template");
}

static void
assert_same(const body_any *a, const body_any *b)
{
	assert_int_equal(a->kind, b->kind);
	switch (a->kind) {
	case REC_NODE:
		assert_string_equal(a->u.node.name, b->u.node.name);
		assert_string_equal(a->u.node.org, b->u.node.org);
		assert_int_equal(a->u.node.n_addrs, b->u.node.n_addrs);
		assert_string_equal(a->u.node.addrs[1], b->u.node.addrs[1]);
		break;
	case REC_TASK:
		assert_string_equal(a->u.task.name, b->u.task.name);
		assert_memory_equal(a->u.task.items_root, b->u.task.items_root, 32);
		assert_int_equal(a->u.task.n_items, b->u.task.n_items);
		assert_int_equal(a->u.task.manifest_len, b->u.task.manifest_len);
		assert_memory_equal(a->u.task.manifest, b->u.task.manifest, a->u.task.manifest_len);
		assert_int_equal(a->u.task.n_chunks, b->u.task.n_chunks);
		break;
	case REC_RESULT: {
		const body_result *x = &a->u.result, *y = &b->u.result;

		assert_memory_equal(x->task, y->task, 32);
		assert_string_equal(x->model, y->model);
		assert_string_equal(x->revision, y->revision);
		assert_int_equal(x->access, y->access);
		assert_memory_equal(x->weights, y->weights, 32);
		assert_string_equal(x->params, y->params);
		assert_int_equal(x->has_items, y->has_items);
		assert_memory_equal(&x->items, &y->items, sizeof x->items);
		assert_int_equal(x->n_metrics, y->n_metrics);
		assert_true(x->metrics[0].value == y->metrics[0].value);
		assert_true(x->std_err == y->std_err && x->ci_lo == y->ci_lo);
		assert_int_equal(x->scores_len, y->scores_len);
		assert_memory_equal(x->scores, y->scores, x->scores_len);
		assert_true(x->t_end == y->t_end);
		break;
	}
	default:
		assert_memory_equal(a->u.ref.target, b->u.ref.target, 32);
		assert_int_equal(a->u.ref.verdict, b->u.ref.verdict);
		assert_string_equal(a->u.ref.text, b->u.ref.text);
	}
}

/* msgpack-c's own unpacker may read bytes we made ourselves; it confirms
 * our envelope is plain MessagePack of the documented shape. */
static void
check_with_msgpack_c(const uint8_t *buf, size_t len, uint8_t kind)
{
	msgpack_unpacked u;
	size_t off = 0;

	msgpack_unpacked_init(&u);
	assert_int_equal(msgpack_unpack_next(&u, (const char *)buf, len, &off),
	    MSGPACK_UNPACK_SUCCESS);
	assert_int_equal(off, len);
	assert_int_equal(u.data.type, MSGPACK_OBJECT_ARRAY);
	assert_int_equal(u.data.via.array.size, 7);
	assert_int_equal(u.data.via.array.ptr[0].via.u64, REC_VERSION);
	assert_int_equal(u.data.via.array.ptr[1].via.u64, kind);
	assert_int_equal(u.data.via.array.ptr[2].via.bin.size, 32);
	assert_int_equal(u.data.via.array.ptr[6].via.bin.size, 64);
	msgpack_unpacked_destroy(&u);
}

/* Encodes b with msgpack-c's packer and signs it as seq 7 at time 1234. */
static void
seal(const body_any *b, uint8_t **rec, size_t *len)
{
	uint8_t *enc;
	size_t elen;

	assert_int_equal(body_encode(b, &enc, &elen), EM_OK);
	assert_int_equal(rec_seal(me, netid, b->kind, 7, 1234, enc, elen, rec, len,
	    NULL), EM_OK);
	free(enc);
}

static void
test_every_kind_roundtrip(void **state)
{
	body_any in[5], out;
	uint8_t *rec;
	size_t rlen;
	rec_env env;

	(void)state;
	make_bodies(in);
	for (int i = 0; i < 5; i++) {
		seal(&in[i], &rec, &rlen);
		assert_int_equal(rec_open(rec, rlen, netid, &env, NULL), EM_OK);
		assert_int_equal(env.kind, in[i].kind);
		assert_true(env.seq == 7 && env.ts == 1234);
		assert_memory_equal(env.author, ident_pk(me), 32);
		assert_int_equal(rec_body(&env, &out), EM_OK);
		assert_same(&in[i], &out);
		check_with_msgpack_c(rec, rlen, in[i].kind);
		if (in[i].kind == REC_RESULT) {
			uint8_t task[32];
			char model[BODY_NAME_MAX + 1], rev[BODY_NAME_MAX + 1];

			assert_int_equal(body_result_keys(env.body, env.body_len, task,
			    model, rev), EM_OK);
			assert_memory_equal(task, out.u.result.task, 32);
			assert_string_equal(model, out.u.result.model);
			assert_string_equal(rev, out.u.result.revision);
		}
		free(rec);
	}
}

static void
test_network_binding(void **state)
{
	uint8_t *rec;
	size_t len;
	rec_env env;
	rec_why why;

	(void)state;
	tu_record(me, netid, 1, 1, &rec, &len);
	assert_int_equal(rec_open(rec, len, netid, &env, &why), EM_OK);
	assert_int_equal(rec_open(rec, len, other_net, &env, &why), EM_ESIG);
	assert_string_equal(why.field, "signature");
	free(rec);
}

/* An envelope moved onto a copy of its bytes is the copy's parse: it
 * verifies and decodes with the original gone. */
static void
test_rebase(void **state)
{
	uint8_t *rec, *copy;
	size_t len;
	rec_env env, want;
	body_any b;

	(void)state;
	tu_record(me, netid, 7, 1, &rec, &len);
	assert_int_equal(rec_parse(rec, len, &env, NULL), EM_OK);
	assert_non_null(copy = malloc(len));
	memcpy(copy, rec, len);
	rec_rebase(&env, copy);
	memset(rec, 0, len);		/* the original is gone */
	free(rec);
	assert_int_equal(rec_parse(copy, len, &want, NULL), EM_OK);
	assert_memory_equal(&env, &want, sizeof env);
	assert_int_equal(rec_verify(&env, netid), EM_OK);
	assert_int_equal(rec_body(&env, &b), EM_OK);
	free(copy);
}

/* Every proper prefix of every valid record is an error, never a crash. */
static void
test_truncated_prefixes(void **state)
{
	body_any in[5];
	uint8_t *rec;
	size_t rlen;
	rec_env env;

	(void)state;
	make_bodies(in);
	for (int i = 0; i < 5; i++) {
		seal(&in[i], &rec, &rlen);
		for (size_t cut = 0; cut < rlen; cut++) {
			/* a heap copy of exactly cut bytes, so ASan sees overreads */
			uint8_t *p = malloc(cut ? cut : 1);

			memcpy(p, rec, cut);
			assert_int_not_equal(rec_open(p, cut, netid, &env, NULL), EM_OK);
			free(p);
		}
		free(rec);
	}
}

static void
test_damage(void **state)
{
	static const uint8_t issue_1013[] = { 0xdd, 0xff, 0x00, 0x00, 0x00 };
	uint8_t *rec, *big;
	size_t len;
	rec_env env;
	rec_why why;

	(void)state;
	assert_int_not_equal(rec_open(issue_1013, sizeof issue_1013, netid, &env, &why), EM_OK);
	tu_record(me, netid, 1, 2, &rec, &len);
	/* trailing bytes */
	big = malloc(len + 1);
	memcpy(big, rec, len);
	big[len] = 0xc0;
	assert_int_equal(rec_open(big, len + 1, netid, &env, &why), EM_ETRAILING);
	free(big);
	/* any single bit flipped anywhere is caught */
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			rec[i] ^= (uint8_t)(1 << bit);
			assert_int_not_equal(rec_open(rec, len, netid, &env, NULL), EM_OK);
			rec[i] ^= (uint8_t)(1 << bit);
		}
	}
	assert_int_equal(rec_open(rec, len, netid, &env, NULL), EM_OK);
	/* oversize input is refused before it is read */
	big = calloc(1, REC_MAX + 1);
	assert_int_equal(rec_open(big, REC_MAX + 1, netid, &env, NULL), EM_ETOOBIG);
	free(big);
	free(rec);
}

/* Hand-made envelopes with one field wrong each. */
static void
envelope(msgpack_sbuffer *sb, uint64_t version, uint64_t kind, uint64_t seq,
    const uint8_t *body_bytes, size_t blen)
{
	msgpack_packer pk;
	uint8_t sig[64] = { 0 }, author[32] = { 0 };

	msgpack_sbuffer_clear(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 7);
	msgpack_pack_uint64(&pk, version);
	msgpack_pack_uint64(&pk, kind);
	msgpack_pack_bin(&pk, 32);
	msgpack_pack_bin_body(&pk, author, 32);
	msgpack_pack_uint64(&pk, seq);
	msgpack_pack_uint64(&pk, 0);
	msgpack_pack_bin(&pk, blen);
	msgpack_pack_bin_body(&pk, body_bytes, blen);
	msgpack_pack_bin(&pk, 64);
	msgpack_pack_bin_body(&pk, sig, 64);
}

static void
test_bad_envelopes(void **state)
{
	msgpack_sbuffer sb;
	body_any b;
	uint8_t *enc;
	size_t elen;
	rec_env env;
	rec_why why;

	(void)state;
	msgpack_sbuffer_init(&sb);
	tu_result(&b, 1);
	assert_int_equal(body_encode(&b, &enc, &elen), EM_OK);
	envelope(&sb, 1, REC_RESULT, 1, enc, elen);
	assert_int_equal(rec_parse((uint8_t *)sb.data, sb.size, &env, &why), EM_OK);
	envelope(&sb, 2, REC_RESULT, 1, enc, elen);
	assert_int_equal(rec_parse((uint8_t *)sb.data, sb.size, &env, &why), EM_EVERSION);
	envelope(&sb, 1, 9, 1, enc, elen);
	assert_int_equal(rec_parse((uint8_t *)sb.data, sb.size, &env, &why), EM_EKIND);
	envelope(&sb, 1, REC_RESULT, 0, enc, elen);
	assert_int_equal(rec_parse((uint8_t *)sb.data, sb.size, &env, &why), EM_ERANGE);
	assert_string_equal(why.field, "seq");
	/* a result body under the node kind */
	envelope(&sb, 1, REC_NODE, 1, enc, elen);
	assert_int_not_equal(rec_parse((uint8_t *)sb.data, sb.size, &env, &why), EM_OK);
	free(enc);
	msgpack_sbuffer_destroy(&sb);
}

static void
test_bad_bodies(void **state)
{
	body_any b;
	uint8_t *enc;
	size_t elen;
	const char *field;
	static const char bad[] = { 'q', (char)0xc3, 0 };

	(void)state;
	tu_result(&b, 1);
	b.u.result.metrics[0].value = NAN;
	assert_int_equal(body_encode(&b, &enc, &elen), EM_ERANGE);
	tu_result(&b, 1);
	b.u.result.scores_len -= 2;	/* one score short of n_items */
	assert_int_equal(body_encode(&b, &enc, &elen), EM_EFORMAT);
	tu_result(&b, 1);
	strcpy(b.u.result.model, bad);
	assert_int_equal(body_encode(&b, &enc, &elen), EM_EUTF8);
	tu_result(&b, 1);
	strcpy(b.u.result.metrics[1].name, "accuracy");	/* repeated */
	assert_int_equal(body_encode(&b, &enc, &elen), EM_EFORMAT);
	tu_result(&b, 1);
	b.u.result.ci_lo = 0.9;
	b.u.result.ci_hi = 0.1;
	assert_int_equal(body_encode(&b, &enc, &elen), EM_ERANGE);
	tu_result(&b, 1);
	b.u.result.model[0] = '\0';
	assert_int_equal(body_encode(&b, &enc, &elen), EM_EFORMAT);
	/* text every node prints may not rewrite its terminal line */
	tu_result(&b, 1);
	strcpy(b.u.result.model, "evil\x1b[2J");
	assert_int_equal(body_encode(&b, &enc, &elen), EM_EFORMAT);
	tu_result(&b, 1);
	strcpy(b.u.result.revision, "r\n2");
	assert_int_equal(body_encode(&b, &enc, &elen), EM_EFORMAT);
	tu_result(&b, 1);
	strcpy(b.u.result.items.notes, "HTTP 400: \xe2\x80\xae reversed");	/* U+202E */
	assert_int_equal(body_encode(&b, &enc, &elen), EM_EFORMAT);
	tu_result(&b, 1);
	strcpy(b.u.result.model, "m\xe2\x80\x8b" "1");	/* a zero-width space: looks like "m1" */
	assert_int_equal(body_encode(&b, &enc, &elen), EM_EFORMAT);
	tu_result(&b, 1);
	strcpy(b.u.result.model, "\xd9\x85\xd8\xaf\xd9\x84\xe2\x80\x8c\xd9\x87\xd8\xa7");	/* ZWNJ spells */
	assert_int_equal(body_encode(&b, &enc, &elen), EM_OK);
	free(enc);
	tu_result(&b, 1);
	strcpy(b.u.result.model, "模型 ＡＢＣ");	/* any printable text is fine */
	assert_int_equal(body_encode(&b, &enc, &elen), EM_OK);
	free(enc);
	tu_result(&b, 1);
	b.u.result.items.refused = 201;	/* more items refused than the run had */
	assert_int_equal(body_encode(&b, &enc, &elen), EM_ERANGE);
	/* without item counts (a result from before them): four harness
	 * elements, read back as has_items 0 */
	tu_result(&b, 2);
	assert_int_equal(body_encode(&b, &enc, &elen), EM_OK);
	memset(&b, 0xee, sizeof b);
	assert_int_equal(body_decode(REC_RESULT, enc, elen, &b, NULL, NULL), EM_OK);
	assert_int_equal(b.u.result.has_items, 0);
	assert_int_equal(b.u.result.items.truncated + b.u.result.items.failed, 0);
	free(enc);
	/* the reader names the field */
	tu_result(&b, 1);
	assert_int_equal(body_encode(&b, &enc, &elen), EM_OK);
	assert_int_equal(body_decode(REC_RESULT, enc, elen - 1, &b, &field, NULL), EM_ETRUNC);
	assert_string_equal(field, "result.t_end");
	free(enc);
}

static void
test_task_id_commits(void **state)
{
	body_any b[5];
	uint8_t a[32], c[32];

	(void)state;
	make_bodies(b);
	body_task_id(&b[1].u.task, a);
	b[1].u.task.items_root[5] ^= 1;
	body_task_id(&b[1].u.task, c);
	assert_memory_not_equal(a, c, 32);
}

/* Issue 13: version 1 ids bound only the manifest and the items root, so
 * a member could sign a lab's task again with n_items 10, another chunk
 * list or another name under the same id, and the record a node met
 * first decided what it showed, evaluated and ranked. Now every field
 * the body says is bound: two task records with one id say the same. */
static void
test_task_id_binds_record(void **state)
{
	body_any b[5];
	body_task t;
	uint8_t base[32], c[32], chunks[3 * 32];
	char hex[ID_HEX_LEN + 1];

	(void)state;
	make_bodies(b);
	body_task_id(&b[1].u.task, base);
	/* the same id computed apart from this code, with Python's hashlib:
	 * blake2b(digest_size=32) over "evalmesh/task/v2" || H(manifest) ||
	 * root || be64(200) || be64(3) || H(chunks) || be64(8) "arith-en" ||
	 * be64(1) "1". A change to what the id hashes is a new version. */
	hex_encode(hex, base, 32);
	assert_string_equal(hex, "45a03a9e3cfe0f8667e6550b9c46381b253d164dcb2c3d94fb3fe4dce9840acb");
	t = b[1].u.task;
	t.n_items = 10;
	body_task_id(&t, c);
	assert_memory_not_equal(base, c, 32);
	t = b[1].u.task;
	memcpy(chunks, t.chunks, sizeof chunks);
	chunks[40] ^= 1;
	t.chunks = chunks;
	body_task_id(&t, c);
	assert_memory_not_equal(base, c, 32);
	t = b[1].u.task;
	t.n_chunks = 2;
	body_task_id(&t, c);
	assert_memory_not_equal(base, c, 32);
	t = b[1].u.task;
	strcpy(t.name, "arith-en2");
	body_task_id(&t, c);
	assert_memory_not_equal(base, c, 32);
	t = b[1].u.task;
	strcpy(t.version, "2");
	body_task_id(&t, c);
	assert_memory_not_equal(base, c, 32);
	/* name and version are length-prefixed: no text moves across */
	t = b[1].u.task;
	strcpy(t.name, "arith-en1");
	t.version[0] = '\0';
	body_task_id(&t, c);
	assert_memory_not_equal(base, c, 32);
	t = b[1].u.task;
	t.manifest_len--;
	body_task_id(&t, c);
	assert_memory_not_equal(base, c, 32);
}

/* A task record checked against itself: its item count must be one its
 * chunks can hold (each at least one item, at most a chunk of "{}" lines). */
static void
test_task_counts_checked(void **state)
{
	static const uint64_t bad[] = { 0, 2, 3ull * (BODY_CHUNK_BYTES / BODY_ITEM_LINE_MIN) + 1 };
	body_any b[5];
	const char *field = NULL;
	uint8_t *enc = NULL;
	size_t elen;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		make_bodies(b);
		b[1].u.task.n_items = bad[i];
		assert_int_equal(body_encode(&b[1], &enc, &elen), EM_ERANGE);
		assert_null(enc);
	}
	make_bodies(b);
	b[1].u.task.n_chunks = 0;
	assert_int_equal(body_encode(&b[1], &enc, &elen), EM_ERANGE);
	/* the most and the least a list of three can hold */
	make_bodies(b);
	b[1].u.task.n_items = 3;
	assert_int_equal(body_encode(&b[1], &enc, &elen), EM_OK);
	free(enc);
	b[1].u.task.n_items = 3ull * (BODY_CHUNK_BYTES / BODY_ITEM_LINE_MIN);
	assert_int_equal(body_encode(&b[1], &enc, &elen), EM_OK);
	assert_int_equal(body_decode(REC_TASK, enc, elen, &b[0], &field, NULL), EM_OK);
	free(enc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind_roundtrip),
		cmocka_unit_test(test_network_binding),
		cmocka_unit_test(test_rebase),
		cmocka_unit_test(test_truncated_prefixes),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_bad_envelopes),
		cmocka_unit_test(test_bad_bodies),
		cmocka_unit_test(test_task_id_commits),
		cmocka_unit_test(test_task_id_binds_record),
		cmocka_unit_test(test_task_counts_checked),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* Bundles: framing, truncation at every byte, trailing bytes, counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "hash.h"
#include "netkey.h"
#include "record.h"
#include "testutil.h"

static uint8_t *bundle;
static size_t bundle_len;
static uint8_t netid[32];

static void
append(const uint8_t *p, size_t n)
{
	bundle = realloc(bundle, bundle_len + n);
	memcpy(bundle + bundle_len, p, n);
	bundle_len += n;
}

static int
setup(void **state)
{
	uint8_t key[32], hdr[BUNDLE_HDR_LEN], fr[BUNDLE_FRAME_LEN], tr[BUNDLE_TRAILER_LEN];
	ident *me;

	(void)state;
	hash_init();
	netkey_open(key);
	netkey_id(key, netid);
	ident_generate(&me);
	bundle_header(hdr, netid);
	append(hdr, sizeof hdr);
	for (uint64_t s = 1; s <= 3; s++) {
		uint8_t *rec;
		size_t len;

		tu_record(me, netid, s, (uint32_t)s, &rec, &len);
		bundle_frame(fr, (uint32_t)len);
		append(fr, sizeof fr);
		append(rec, len);
		free(rec);
	}
	bundle_trailer(tr, 3);
	append(tr, sizeof tr);
	ident_free(me);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(bundle);
	return 0;
}

/* Walks a bundle to its end; returns the final error and record count. */
static em_err
walk(const uint8_t *buf, size_t len, uint64_t *n)
{
	bundle_reader br;
	const uint8_t *nid, *rec;
	size_t rlen;
	em_err err;

	*n = 0;
	if ((err = bundle_open(&br, buf, len, &nid)) != EM_OK)
		return err;
	while ((err = bundle_next(&br, &rec, &rlen)) == EM_OK && rec != NULL) {
		rec_env env;

		assert_int_equal(rec_open(rec, rlen, netid, &env, NULL), EM_OK);
		(*n)++;
	}
	return err;
}

static void
test_roundtrip(void **state)
{
	uint64_t n;

	(void)state;
	assert_int_equal(walk(bundle, bundle_len, &n), EM_OK);
	assert_int_equal(n, 3);
}

static void
test_every_truncation(void **state)
{
	uint64_t n;

	(void)state;
	for (size_t cut = 0; cut < bundle_len; cut++) {
		uint8_t *p = malloc(cut ? cut : 1);
		em_err err;

		memcpy(p, bundle, cut);
		err = walk(p, cut, &n);
		assert_true(err == EM_ETRUNC || (cut < 8 && err == EM_EFORMAT));
		free(p);
	}
}

static void
test_trailing_and_count(void **state)
{
	uint8_t *p = malloc(bundle_len + 1);
	uint64_t n;

	(void)state;
	memcpy(p, bundle, bundle_len);
	p[bundle_len] = 0;
	assert_int_equal(walk(p, bundle_len + 1, &n), EM_ETRAILING);
	p[bundle_len - 1] = 4;	/* trailer claims 4 records */
	assert_int_equal(walk(p, bundle_len, &n), EM_EFORMAT);
	p[0] = 'X';
	assert_int_equal(walk(p, bundle_len, &n), EM_EFORMAT);
	free(p);
}

static void
test_oversize_frame(void **state)
{
	uint8_t buf[BUNDLE_HDR_LEN + BUNDLE_FRAME_LEN + 8] = { 0 };
	uint64_t n;

	(void)state;
	bundle_header(buf, netid);
	bundle_frame(buf + BUNDLE_HDR_LEN, 0xffffffffu);
	assert_int_equal(walk(buf, sizeof buf, &n), EM_ETOOBIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_trailing_and_count),
		cmocka_unit_test(test_oversize_frame),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

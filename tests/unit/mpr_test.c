/* The bounded reader against msgpack-c's packer, and hostile inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <msgpack.h>
#include <string.h>

#include "mpr.h"

static msgpack_sbuffer sb;
static msgpack_packer pk;

static void
reset(void)
{
	msgpack_sbuffer_clear(&sb);
}

static mpr
reader(void)
{
	mpr r;

	mpr_init(&r, (const uint8_t *)sb.data, sb.size);
	return r;
}

/* msgpack-c issue #1013: an array32 header claiming 4 billion elements in
 * five bytes. The reader must refuse it without allocating. */
static void
test_issue_1013(void **state)
{
	static const uint8_t payload[] = { 0xdd, 0xff, 0x00, 0x00, 0x00 };
	static const uint8_t bin32[] = { 0xc6, 0xff, 0xff, 0xff, 0xff, 0x00 };
	static const uint8_t str32[] = { 0xdb, 0x7f, 0xff, 0xff, 0xff };
	uint32_t n = 0;
	const uint8_t *p;
	size_t len;
	char s[16];
	mpr r;

	(void)state;
	mpr_init(&r, payload, sizeof payload);
	assert_int_equal(mpr_array(&r, &n, UINT32_MAX), EM_ETRUNC);
	mpr_init(&r, bin32, sizeof bin32);
	assert_int_equal(mpr_bin(&r, &p, &len, SIZE_MAX), EM_ETRUNC);
	mpr_init(&r, str32, sizeof str32);
	assert_int_equal(mpr_str(&r, s, sizeof s), EM_ETRUNC);
}

static void
test_uint_forms(void **state)
{
	static const uint64_t vals[] = { 0, 1, 127, 128, 255, 256, 65535, 65536,
	    4294967295ULL, 4294967296ULL, UINT64_MAX };
	uint64_t v;
	mpr r;

	(void)state;
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		reset();
		msgpack_pack_uint64(&pk, vals[i]);
		r = reader();
		assert_int_equal(mpr_uint(&r, &v, UINT64_MAX), EM_OK);
		assert_true(v == vals[i]);
		assert_true(mpr_done(&r));
		/* every proper prefix is truncated */
		for (size_t cut = 0; cut < sb.size; cut++) {
			mpr_init(&r, (const uint8_t *)sb.data, cut);
			assert_int_equal(mpr_uint(&r, &v, UINT64_MAX), EM_ETRUNC);
		}
	}
	reset();
	msgpack_pack_uint64(&pk, 300);
	r = reader();
	assert_int_equal(mpr_uint(&r, &v, 299), EM_ERANGE);
	reset();
	msgpack_pack_int64(&pk, -1);
	r = reader();
	assert_int_equal(mpr_uint(&r, &v, UINT64_MAX), EM_ERANGE);
	reset();
	msgpack_pack_int64(&pk, 5);	/* signed packer, positive value */
	r = reader();
	assert_int_equal(mpr_uint(&r, &v, UINT64_MAX), EM_OK);
	assert_true(v == 5);
	reset();
	msgpack_pack_true(&pk);
	r = reader();
	assert_int_equal(mpr_uint(&r, &v, UINT64_MAX), EM_EFORMAT);
}

static void
test_arrays(void **state)
{
	static const uint32_t counts[] = { 0, 3, 15, 16, 65535, 65536 };
	uint32_t n;
	mpr r;

	(void)state;
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		reset();
		msgpack_pack_array(&pk, counts[i]);
		for (uint32_t k = 0; k < counts[i]; k++)
			msgpack_pack_nil(&pk);
		r = reader();
		assert_int_equal(mpr_array(&r, &n, UINT32_MAX), EM_OK);
		assert_int_equal(n, counts[i]);
		for (uint32_t k = 0; k < n; k++)
			assert_true(mpr_nil(&r));
		assert_true(mpr_done(&r));
		r = reader();
		if (counts[i] > 0)
			assert_int_equal(mpr_array(&r, &n, counts[i] - 1), EM_ETOOBIG);
	}
	/* a count above the bytes that follow is refused before the max */
	reset();
	msgpack_pack_array(&pk, 10);
	msgpack_pack_nil(&pk);
	r = reader();
	assert_int_equal(mpr_array(&r, &n, UINT32_MAX), EM_ETRUNC);
	reset();
	msgpack_pack_array(&pk, 2);
	msgpack_pack_nil(&pk);
	msgpack_pack_nil(&pk);
	r = reader();
	assert_int_equal(mpr_array_exact(&r, 3), EM_EFORMAT);
	r = reader();
	assert_int_equal(mpr_array_exact(&r, 2), EM_OK);
}

static void
test_str(void **state)
{
	char big[400], out[512];
	static const char bad_utf8[] = { 'a', (char)0xff, 'b' };
	static const char nul[] = { 'a', 0, 'b' };
	static const char overlong[] = { (char)0xc0, (char)0xaf };
	static const char surrogate[] = { (char)0xed, (char)0xa0, (char)0x80 };
	static const char chinese[] = "答案是４２。";
	mpr r;

	(void)state;
	memset(big, 'x', sizeof big);
	for (size_t len = 0; len < sizeof big; len += 37) {
		reset();
		msgpack_pack_str(&pk, len);
		msgpack_pack_str_body(&pk, big, len);
		r = reader();
		assert_int_equal(mpr_str(&r, out, sizeof out), EM_OK);
		assert_int_equal(strlen(out), len);
		r = reader();
		if (len > 0)
			assert_int_equal(mpr_str(&r, out, len), EM_ETOOBIG);
	}
	reset();
	msgpack_pack_str(&pk, strlen(chinese));
	msgpack_pack_str_body(&pk, chinese, strlen(chinese));
	r = reader();
	assert_int_equal(mpr_str(&r, out, sizeof out), EM_OK);
	assert_string_equal(out, chinese);
	{
		const char *cases[] = { bad_utf8, nul, overlong, surrogate };
		size_t lens[] = { sizeof bad_utf8, sizeof nul, sizeof overlong, sizeof surrogate };

		for (size_t i = 0; i < 4; i++) {
			reset();
			msgpack_pack_str(&pk, lens[i]);
			msgpack_pack_str_body(&pk, cases[i], lens[i]);
			r = reader();
			assert_int_equal(mpr_str(&r, out, sizeof out), EM_EUTF8);
		}
	}
	reset();
	msgpack_pack_bin(&pk, 3);
	msgpack_pack_bin_body(&pk, "abc", 3);
	r = reader();
	assert_int_equal(mpr_str(&r, out, sizeof out), EM_EFORMAT);
}

static void
test_bin_and_float(void **state)
{
	uint8_t data[300], fixed[32];
	const uint8_t *p;
	size_t len;
	double d;
	mpr r;

	(void)state;
	memset(data, 7, sizeof data);
	reset();
	msgpack_pack_bin(&pk, sizeof data);
	msgpack_pack_bin_body(&pk, data, sizeof data);
	r = reader();
	assert_int_equal(mpr_bin(&r, &p, &len, sizeof data), EM_OK);
	assert_int_equal(len, sizeof data);
	assert_memory_equal(p, data, len);
	r = reader();
	assert_int_equal(mpr_bin(&r, &p, &len, sizeof data - 1), EM_ETOOBIG);
	r = reader();
	assert_int_equal(mpr_bin_fixed(&r, fixed, 32), EM_EFORMAT);
	for (size_t cut = 0; cut < sb.size; cut++) {
		mpr_init(&r, (const uint8_t *)sb.data, cut);
		assert_int_equal(mpr_bin(&r, &p, &len, SIZE_MAX), EM_ETRUNC);
	}
	reset();
	msgpack_pack_double(&pk, 0.8125);
	msgpack_pack_float(&pk, 0.25f);
	r = reader();
	assert_int_equal(mpr_f64(&r, &d), EM_OK);
	assert_true(d == 0.8125);
	assert_int_equal(mpr_f64(&r, &d), EM_OK);
	assert_true(d == 0.25);
	assert_true(mpr_done(&r));
	reset();
	msgpack_pack_uint8(&pk, 1);
	r = reader();
	assert_int_equal(mpr_f64(&r, &d), EM_EFORMAT);
	assert_false(mpr_nil(&r));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_1013),
		cmocka_unit_test(test_uint_forms),
		cmocka_unit_test(test_arrays),
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_bin_and_float),
	};
	int rc;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

/* Merkle roots: checked against the tree computed by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hash.h"
#include "merkle.h"

static void
node(uint8_t out[32], uint8_t tag, const uint8_t *a, const uint8_t *b)
{
	uint8_t in[65] = { tag };

	memcpy(in + 1, a, 32);
	if (b != NULL)
		memcpy(in + 33, b, 32);
	hash_blake2b(out, in, b != NULL ? 65 : 33);
}

static void
test_roots_by_hand(void **state)
{
	uint8_t leaves[5 * 32], h[5][32], ab[32], cd[32], abcd[32], want[32], got[32];
	uint8_t two = 2;

	(void)state;
	assert_int_equal(hash_init(), EM_OK);
	for (int i = 0; i < 5; i++) {
		memset(leaves + 32 * i, 'a' + i, 32);
		node(h[i], 0, leaves + 32 * i, NULL);
	}
	hash_blake2b(want, &two, 1);
	assert_int_equal(merkle_root(got, leaves, 0), EM_OK);
	assert_memory_equal(got, want, 32);
	assert_int_equal(merkle_root(got, leaves, 1), EM_OK);
	assert_memory_equal(got, h[0], 32);
	/* three: the odd one moves up unchanged */
	node(ab, 1, h[0], h[1]);
	node(want, 1, ab, h[2]);
	assert_int_equal(merkle_root(got, leaves, 3), EM_OK);
	assert_memory_equal(got, want, 32);
	/* five: ((ab cd) e) */
	node(cd, 1, h[2], h[3]);
	node(abcd, 1, ab, cd);
	node(want, 1, abcd, h[4]);
	assert_int_equal(merkle_root(got, leaves, 5), EM_OK);
	assert_memory_equal(got, want, 32);
	/* one changed byte changes the root */
	leaves[3 * 32 + 7] ^= 1;
	assert_int_equal(merkle_root(got, leaves, 5), EM_OK);
	assert_memory_not_equal(got, want, 32);
}

static void
test_leaves_commit_to_every_field(void **state)
{
	uint8_t item[32] = { 1 }, out[32] = { 2 }, a[32], b[32];

	(void)state;
	merkle_result_leaf(a, 5, item, out, 10000);
	merkle_result_leaf(b, 6, item, out, 10000);
	assert_memory_not_equal(a, b, 32);
	merkle_result_leaf(b, 5, item, out, 9999);
	assert_memory_not_equal(a, b, 32);
	out[31] = 1;
	merkle_result_leaf(b, 5, item, out, 10000);
	assert_memory_not_equal(a, b, 32);
	merkle_item(a, (const uint8_t *)"{\"id\":\"1\"}", 10);
	merkle_item(b, (const uint8_t *)"{\"id\":\"2\"}", 10);
	assert_memory_not_equal(a, b, 32);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roots_by_hand),
		cmocka_unit_test(test_leaves_commit_to_every_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

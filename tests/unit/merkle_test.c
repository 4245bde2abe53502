/* Merkle roots: checked against the tree computed by hand, and the root
 * built one leaf at a time against merkle_root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
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

/* The root built one leaf at a time is merkle_root's for every count
 * up to 600 (every shape of odd widths up to height 9), and at 2^k - 1,
 * 2^k and 2^k + 1 up to 2^14 + 1; a changed leaf changes it. */
static void
test_acc_is_merkle_root(void **state)
{
	static const size_t edges[] = { 1023, 1024, 1025, 4095, 4096, 4097, 16383, 16384, 16385 };
	enum { MAX = 16385 };
	uint8_t *leaves = malloc(32 * MAX), want[32], got[32], before[32];
	merkle_acc a;
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	(void)state;
	assert_non_null(leaves);
	for (size_t i = 0; i < 32 * MAX; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		leaves[i] = (uint8_t)x;
	}
	merkle_acc_start(&a);
	for (size_t n = 0; n <= 600; n++) {
		assert_int_equal(merkle_root(want, leaves, n), EM_OK);
		merkle_acc_root(&a, got);
		assert_memory_equal(got, want, 32);
		merkle_acc_add(&a, leaves + 32 * n);
	}
	for (size_t e = 0; e < sizeof edges / sizeof edges[0]; e++) {
		merkle_acc_start(&a);
		for (size_t i = 0; i < edges[e]; i++)
			merkle_acc_add(&a, leaves + 32 * i);
		assert_int_equal(merkle_root(want, leaves, edges[e]), EM_OK);
		merkle_acc_root(&a, got);
		assert_memory_equal(got, want, 32);
	}
	assert_int_equal(merkle_root(before, leaves, 1025), EM_OK);
	leaves[32 * 700 + 3] ^= 1;
	merkle_acc_start(&a);
	for (size_t i = 0; i < 1025; i++)
		merkle_acc_add(&a, leaves + 32 * i);
	merkle_acc_root(&a, got);
	assert_memory_not_equal(got, before, 32);
	assert_int_equal(merkle_root(want, leaves, 1025), EM_OK);
	assert_memory_equal(got, want, 32);
	free(leaves);
}

/* The sides a leaf's partners are on, bottom up ('L': the partner is on
 * the left), the levels without one left out: all that n changes in how
 * a proof is checked. The root does not commit to n (merkle.h), so a
 * proof checks against another n exactly when this path is the same. */
static void
path(size_t i, size_t n, char *out)
{
	for (size_t w = n; w > 1; w = (w + 1) / 2, i >>= 1)
		if ((i ^ 1) < w)
			*out++ = i & 1 ? 'L' : 'R';
	*out = '\0';
}

static void
check_n(const uint8_t root[32], const uint8_t *lf, size_t i, size_t n, size_t n2,
    const uint8_t *proof, size_t len)
{
	char p1[MERKLE_PROOF_MAX + 1], p2[MERKLE_PROOF_MAX + 1];
	em_err err = merkle_verify(root, lf, i, n2, proof, len);

	if (i >= n2) {
		assert_int_equal(err, EM_ERANGE);
		return;
	}
	path(i, n, p1);
	path(i, n2, p2);
	if (strlen(p1) != strlen(p2))
		assert_int_equal(err, EM_EFORMAT);
	else if (strcmp(p1, p2) != 0)
		assert_int_equal(err, EM_EMISMATCH);
	else
		assert_int_equal(err, EM_OK);
}

/* Every leaf of every tree of 1 to 1,000 leaves proves against its root,
 * with a proof of the length merkle_proof_len says; and is refused with
 * a flipped byte (in the proof, the leaf or the root), another index, a
 * proof cut or grown by a hash, or against the root of another tree of
 * as many leaves; another n as path() says. */
static void
check_tree(const uint8_t *leaves, size_t n, const uint8_t *other_root)
{
	uint8_t root[32], want[32], proof[32 * MERKLE_PROOF_MAX + 32], bad[32 * MERKLE_PROOF_MAX + 32];
	uint8_t leaf[32], r2[32];
	merkle_tree *t = NULL;
	size_t len;

	assert_int_equal(merkle_tree_new(leaves, n, &t), EM_OK);
	merkle_tree_root(t, root);
	assert_int_equal(merkle_root(want, leaves, n), EM_OK);
	assert_memory_equal(root, want, 32);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *lf = leaves + 32 * i;

		assert_int_equal(merkle_tree_proof(t, i, proof, &len), EM_OK);
		assert_int_equal(len, 32 * merkle_proof_len(i, n));
		assert_int_equal(merkle_verify(root, lf, i, n, proof, len), EM_OK);
		/* the root of another tree of as many leaves */
		assert_int_not_equal(merkle_verify(other_root, lf, i, n, proof, len), EM_OK);
		/* tampered: every leaf of the small trees, a spread of the
		 * large ones' (all of them take minutes under ASan) */
		if (n > 128 && i % 13 != 0 && i != n - 1)
			continue;
		memcpy(leaf, lf, 32);
		leaf[i % 32] ^= 0x80;
		assert_int_equal(merkle_verify(root, leaf, i, n, proof, len), EM_EMISMATCH);
		memcpy(r2, root, 32);
		r2[(i * 7) % 32] ^= 1;
		assert_int_equal(merkle_verify(r2, lf, i, n, proof, len), EM_EMISMATCH);
		for (size_t b = 0; b < len; b += 1 + len / 8) {
			memcpy(bad, proof, len);
			bad[b] ^= 0x01;
			assert_int_equal(merkle_verify(root, lf, i, n, bad, len), EM_EMISMATCH);
		}
		for (size_t d = 1; d < n && d < 4; d++)
			assert_int_not_equal(merkle_verify(root, lf, (i + d) % n, n, proof, len),
			    EM_OK);
		check_n(root, lf, i, n, n + 1, proof, len);
		check_n(root, lf, i, n, n - 1, proof, len);
		check_n(root, lf, i, n, 2 * n, proof, len);
		assert_int_equal(merkle_verify(root, lf, n, n, proof, len), EM_ERANGE);
		if (len > 0)
			assert_int_equal(merkle_verify(root, lf, i, n, proof, len - 32), EM_EFORMAT);
		memcpy(bad, proof, len);
		memset(bad + len, 0, 32);
		assert_int_equal(merkle_verify(root, lf, i, n, bad, len + 32), EM_EFORMAT);
	}
	assert_int_equal(merkle_tree_proof(t, n, proof, &len), EM_ERANGE);
	assert_int_equal(len, 0);
	merkle_tree_free(t);
}

static void
test_proofs(void **state)
{
	enum { MAX = 1001 };
	uint8_t *leaves = malloc(32 * MAX), other[32];
	uint64_t x = 0x2545f4914f6cdd1dULL;
	merkle_tree *t = NULL;

	(void)state;
	assert_non_null(leaves);
	for (size_t i = 0; i < 32 * MAX; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		leaves[i] = (uint8_t)x;
	}
	for (size_t n = 1; n <= 1000; n++) {
		assert_int_equal(merkle_root(other, leaves + 32, n), EM_OK);
		check_tree(leaves, n, other);
	}
	/* lengths: a power of two is full; the odd last leaf of 5 has one */
	assert_int_equal(merkle_proof_len(0, 1), 0);
	assert_int_equal(merkle_proof_len(3, 8), 3);
	assert_int_equal(merkle_proof_len(4, 5), 1);
	assert_int_equal(merkle_proof_len(0, 5), 3);
	assert_int_equal(merkle_proof_len(5, 5), 0);
	assert_int_equal(merkle_tree_new(leaves, 0, &t), EM_ERANGE);
	assert_null(t);
	free(leaves);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roots_by_hand),
		cmocka_unit_test(test_leaves_commit_to_every_field),
		cmocka_unit_test(test_acc_is_merkle_root),
		cmocka_unit_test(test_proofs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Merkle roots over item hashes and result leaves. */
#include "merkle.h"

#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "hash.h"

static const char item_tag[] = "evalmesh/item/v1";
static const char leaf_tag[] = "evalmesh/result-leaf/v1";

void
merkle_item(uint8_t out[static 32], const uint8_t *bytes, size_t len)
{
	hash_state st;

	hash_start(&st);
	hash_update(&st, (const uint8_t *)item_tag, sizeof item_tag - 1);
	hash_update(&st, bytes, len);
	hash_finish(&st, out);
}

void
merkle_result_leaf(uint8_t out[static 32], uint32_t index,
    const uint8_t item_hash[static 32], const uint8_t output_hash[static 32],
    uint16_t score)
{
	uint8_t buf[sizeof leaf_tag - 1 + 4 + 32 + 32 + 2], *p = buf;

	memcpy(p, leaf_tag, sizeof leaf_tag - 1);
	p += sizeof leaf_tag - 1;
	be_put(p, index, 4);
	memcpy(p + 4, item_hash, 32);
	memcpy(p + 36, output_hash, 32);
	be_put(p + 68, score, 2);
	hash_blake2b(out, buf, sizeof buf);
}

em_err
merkle_root(uint8_t out[static 32], const uint8_t *leaves, size_t n)
{
	uint8_t in[65], *level;
	size_t w;

	if (n == 0) {
		in[0] = 2;
		hash_blake2b(out, in, 1);
		return EM_OK;
	}
	if (n > SIZE_MAX / 32 || (level = malloc(n * 32)) == NULL)
		return EM_ENOMEM;
	in[0] = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(in + 1, leaves + 32 * i, 32);
		hash_blake2b(level + 32 * i, in, 33);
	}
	in[0] = 1;
	for (w = n; w > 1; w = (w + 1) / 2) {
		for (size_t i = 0; i < w / 2; i++) {
			memcpy(in + 1, level + 64 * i, 64);
			hash_blake2b(level + 32 * i, in, 65);
		}
		if (w % 2)
			memmove(level + 32 * (w / 2), level + 32 * (w - 1), 32);
	}
	memcpy(out, level, 32);
	free(level);
	return EM_OK;
}

void
merkle_acc_start(merkle_acc *a)
{
	a->n = 0;
}

/* H(0x01 || left || right) into out (which may be right). */
static void
inner(uint8_t out[static 32], const uint8_t left[static 32], const uint8_t right[static 32])
{
	uint8_t in[65];

	in[0] = 1;
	memcpy(in + 1, left, 32);
	memcpy(in + 33, right, 32);
	hash_blake2b(out, in, sizeof in);
}

void
merkle_acc_add(merkle_acc *a, const uint8_t leaf[static 32])
{
	uint8_t in[33], h[32];
	unsigned k;

	in[0] = 0;
	memcpy(in + 1, leaf, 32);
	hash_blake2b(h, in, sizeof in);
	/* carry: each full subtree of the height reached joins the new one */
	for (k = 0; a->n >> k & 1; k++)
		inner(h, a->node[k], h);
	memcpy(a->node[k], h, 32);
	a->n++;
}

void
merkle_acc_root(const merkle_acc *a, uint8_t out[static 32])
{
	uint8_t h[32], two = 2;
	unsigned k = 0;

	if (a->n == 0) {
		hash_blake2b(out, &two, 1);
		return;
	}
	while (!(a->n >> k & 1))
		k++;
	memcpy(h, a->node[k], 32);
	for (k++; k < MERKLE_ACC_HEIGHT; k++)
		if (a->n >> k & 1)
			inner(h, a->node[k], h);
	memcpy(out, h, 32);
}

size_t
merkle_proof_len(uint64_t index, uint64_t n)
{
	size_t len = 0;

	if (index >= n)
		return 0;
	/* a node has a partner unless it is the odd last one of its level */
	for (uint64_t w = n; w > 1; w = w / 2 + w % 2, index >>= 1)
		if ((index ^ 1) < w)
			len++;
	return len;
}

struct merkle_tree {
	size_t		 n;		/* leaves */
	size_t		 levels;	/* level k starts at node off[k] */
	size_t		 off[MERKLE_PROOF_MAX + 1];
	uint8_t		*node;		/* every level, the leaves' hashes first */
};

em_err
merkle_tree_new(const uint8_t *leaves, size_t n, merkle_tree **out)
{
	merkle_tree *t = NULL;
	uint8_t in[33];
	size_t w, total = 0, k = 0;
	em_err err = EM_ENOMEM;

	*out = NULL;
	if (n == 0)
		return EM_ERANGE;
	for (w = n; ; w = (w + 1) / 2) {	/* at most 2n nodes: no overflow */
		total += w;
		if (w == 1)
			break;
	}
	if (n > SIZE_MAX / 64 || (t = calloc(1, sizeof *t)) == NULL ||
	    (t->node = malloc(total * 32)) == NULL)
		goto out;
	t->n = n;
	in[0] = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(in + 1, leaves + 32 * i, 32);
		hash_blake2b(t->node + 32 * i, in, 33);
	}
	t->off[0] = 0;
	for (w = n; w > 1; w = (w + 1) / 2, k++) {
		uint8_t *lo = t->node + 32 * t->off[k], *up = lo + 32 * w;

		for (size_t i = 0; i < w / 2; i++)
			inner(up + 32 * i, lo + 64 * i, lo + 64 * i + 32);
		if (w % 2)
			memcpy(up + 32 * (w / 2), lo + 32 * (w - 1), 32);
		t->off[k + 1] = t->off[k] + w;
	}
	t->levels = k + 1;
	*out = t;
	t = NULL;
	err = EM_OK;
out:
	merkle_tree_free(t);
	return err;
}

void
merkle_tree_free(merkle_tree *t)
{
	if (t == NULL)
		return;
	free(t->node);
	free(t);
}

void
merkle_tree_root(const merkle_tree *t, uint8_t out[static 32])
{
	memcpy(out, t->node + 32 * t->off[t->levels - 1], 32);
}

em_err
merkle_tree_proof(const merkle_tree *t, size_t index, uint8_t *proof, size_t *len)
{
	size_t w = t->n, k = 0;

	*len = 0;
	if (index >= t->n)
		return EM_ERANGE;
	for (size_t lv = 0; w > 1; lv++, w = (w + 1) / 2, index >>= 1)
		if ((index ^ 1) < w)
			memcpy(proof + 32 * k++, t->node + 32 * (t->off[lv] + (index ^ 1)), 32);
	*len = 32 * k;
	return EM_OK;
}

em_err
merkle_verify(const uint8_t root[static 32], const uint8_t leaf[static 32],
    uint64_t index, uint64_t n, const uint8_t *proof, size_t len)
{
	uint8_t in[33], h[32];
	size_t k = 0;

	if (index >= n)
		return EM_ERANGE;
	/* the length follows from index and n: checked before any hashing */
	if (len != 32 * merkle_proof_len(index, n))
		return EM_EFORMAT;
	in[0] = 0;
	memcpy(in + 1, leaf, 32);
	hash_blake2b(h, in, sizeof in);
	for (uint64_t w = n; w > 1; w = w / 2 + w % 2, index >>= 1) {
		if ((index ^ 1) >= w)
			continue;	/* the odd last node moves up as it is */
		if (index & 1)
			inner(h, proof + 32 * k, h);
		else
			inner(h, h, proof + 32 * k);
		k++;
	}
	return memcmp(h, root, 32) == 0 ? EM_OK : EM_EMISMATCH;
}

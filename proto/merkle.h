/* proto/merkle.h — the hashes that make a task and a result checkable.
 *
 * An item's hash commits to its canonical bytes; a task's items root is
 * the Merkle root over its item hashes in order; a result's root is the
 * Merkle root over one leaf per item, H(index, item hash, H(output),
 * score), so a lab can later prove what it answered for any item without
 * publishing the others.
 *
 * Tree: leaves are hashed as H(0x00 || leaf), inner nodes as
 * H(0x01 || left || right); an odd node at the end of a level moves up
 * unchanged. The root of no leaves is H(0x02). Domain bytes keep a leaf
 * from ever passing for an inner node.
 *
 * Its shape, level by level: a level of w nodes (the leaves' hashes
 * first) pairs nodes 2j and 2j + 1 into node j of the next level, of
 * (w + 1) / 2 nodes; when w is odd its last node (w - 1) has no partner
 * and becomes the next level's last node as it is, not hashed again (it
 * is not paired with itself, as Bitcoin's tree does, which lets two leaf
 * lists share a root). So five leaves a b c d e give ((ab)(cd))e, and
 * the root of one leaf is that leaf's hash H(0x00 || leaf).
 *
 * An inclusion proof for leaf i of n is the partners met on the way up,
 * from the leaves' level to the root's, one 32-byte hash for each level
 * where the node has one: none where it is the odd last node. Its length
 * follows from i and n alone, so a proof of the wrong length is refused
 * before any hash is computed. */
#ifndef EM_MERKLE_H
#define EM_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* H("evalmesh/item/v1" || bytes[0..len)): the hash of one item's
 * canonical bytes. H is BLAKE2b-256 here and below. */
void merkle_item(uint8_t out[static 32], const uint8_t *bytes, size_t len);

/* The per-item leaf of a result: H("evalmesh/result-leaf/v1" ||
 * index(4) || item_hash || output_hash || score(2)), integers big-endian.
 * score is the item's score scaled by BODY_SCORE_SCALE (body.h). */
void merkle_result_leaf(uint8_t out[static 32], uint32_t index,
    const uint8_t item_hash[static 32], const uint8_t output_hash[static 32],
    uint16_t score);

/* The root over n leaves of 32 bytes each, leaf i at leaves + 32 * i
 * (only read). Allocates 32 * n bytes of scratch for the call: EM_ENOMEM
 * if it cannot be had. */
em_err merkle_root(uint8_t out[static 32], const uint8_t *leaves, size_t n);

/* The same root built one leaf at a time, in a fixed 2 KiB whatever the
 * number of leaves: for a task of a million items, whose leaves would
 * take 32 MB to hold. merkle_acc_start, merkle_acc_add for each leaf in
 * order, merkle_acc_root: the root merkle_root gives over those leaves.
 *
 * Why it is the same tree: the node at height k covering leaves
 * [j * 2^k, (j + 1) * 2^k) is made when its last leaf comes, from the two
 * below it, so the full subtrees so far are one per set bit of the count,
 * the higher bits to the left (a binary counter). A level of odd width
 * ends in the rightmost of them, which moves up unchanged until it meets
 * the next subtree to its left: the root folds them from the right. */
#define MERKLE_ACC_HEIGHT	64
typedef struct merkle_acc {
	uint64_t	n;				/* leaves added */
	uint8_t		node[MERKLE_ACC_HEIGHT][32];	/* node[k]: the full subtree
							 * of 2^k leaves, while bit k
							 * of n is set */
} merkle_acc;

void merkle_acc_start(merkle_acc *a);
void merkle_acc_add(merkle_acc *a, const uint8_t leaf[static 32]);
/* The root over the leaves added (H(0x02) for none); a is left as it is. */
void merkle_acc_root(const merkle_acc *a, uint8_t out[static 32]);

/* The most hashes a proof can hold: the height of a tree of 2^64 leaves. */
#define MERKLE_PROOF_MAX	64

/* The number of hashes in the proof for leaf index of n (index < n; 0
 * otherwise). At most ceil(log2 n). */
size_t merkle_proof_len(uint64_t index, uint64_t n);

/* A whole tree held in memory, every level of it (64 * n bytes for n
 * leaves), to give proofs of several leaves for one pass of hashing. */
typedef struct merkle_tree merkle_tree;

/* Builds the tree over the n >= 1 leaves at leaves (as merkle_root takes
 * them; only read). On success *out is yours: merkle_tree_free(). EM_ERANGE
 * for n = 0 (no leaf has a proof), EM_ENOMEM. */
em_err merkle_tree_new(const uint8_t *leaves, size_t n, merkle_tree **out);
void merkle_tree_free(merkle_tree *t);	/* NULL is fine */

/* The tree's root: merkle_root's over its leaves. */
void merkle_tree_root(const merkle_tree *t, uint8_t out[static 32]);

/* Writes the inclusion proof of leaf index to proof, which holds
 * 32 * merkle_proof_len(index, n) bytes (32 * MERKLE_PROOF_MAX always
 * suffice); *len gets its size in bytes (0 on failure). EM_ERANGE if
 * index >= n. */
em_err merkle_tree_proof(const merkle_tree *t, size_t index, uint8_t *proof, size_t *len);

/* Checks that leaf is leaf index of a tree of n leaves whose root is
 * root, by the proof proof[0..len) (only read): EM_OK, or EM_ERANGE if
 * index >= n, EM_EFORMAT if len is not 32 * merkle_proof_len(index, n),
 * EM_EMISMATCH if the hashes do not lead to root. */
em_err merkle_verify(const uint8_t root[static 32], const uint8_t leaf[static 32],
    uint64_t index, uint64_t n, const uint8_t *proof, size_t len);

#endif

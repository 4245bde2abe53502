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
 * from ever passing for an inner node. */
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

#endif

/* proto/audit.h — public audits: which items a challenge opens, and
 * whether a response opens them as its result committed.
 *
 * A challenge record (body_challenge) names a result and a count k. The
 * items it opens are drawn from H("evalmesh/audit-draw/v1" || the
 * challenge record's id || the result's id): neither the result's author
 * (who signed its root before the challenge existed) nor the challenger
 * (whose record id is known only once it is signed) picks them by hand.
 * A challenger can still sign many challenges and publish the one it
 * likes; each costs it a record, and all of them are seen.
 *
 * The draw: min(k, n) distinct indices in [0, n), in the order drawn: a
 * partial Fisher-Yates shuffle of 0..n-1, the j-th swap at a position
 * taken uniformly from [j, n) from the j-th 64-bit number of the stream
 * (BLAKE2b-256 over the seed and a counter, the first eight bytes
 * big-endian, numbers below 2^64 mod m redrawn so every position is as
 * likely).
 *
 * A response (body_response) is checked in two parts: here, what needs
 * only the records (it names the challenge and its result, opens exactly
 * the drawn items in order, each output hashes to its output_hash, each
 * leaf proves against the result's root, each score is the one in the
 * result's score vector); in node/audit, what needs the task's items
 * (each item hash is the item's, each output scores what the leaf says
 * by the task's metric). */
#ifndef EM_AUDIT_H
#define EM_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "body.h"
#include "err.h"

#define AUDIT_K_DEFAULT		3
#define AUDIT_WITHIN_DEFAULT	86400	/* seconds an author has to answer */

/* Draws the items challenge chal_id opens of result result_id, which has
 * n items, k asked: min(k, n) indices into out (BODY_AUDIT_K_MAX of
 * them always fit), their count returned. k above BODY_AUDIT_K_MAX counts
 * as BODY_AUDIT_K_MAX; n = 0 draws none. */
uint32_t audit_draw(const uint8_t chal_id[static 32], const uint8_t result_id[static 32],
    uint64_t n, uint32_t k, uint32_t *out);

/* Checks response r (by the result's author: the caller's to check)
 * against challenge c, whose record id is chal_id, and result res (id
 * result_id): the checks above that need no task item. EM_OK;
 * EM_EINVAL when the response is not to this challenge (another
 * challenge or result named); EM_EMISMATCH for a response to it that
 * does not hold (the first problem, one line, in why: "item 7: its
 * proof does not lead to the result's root"); EM_EFORMAT when the result
 * has no Merkle root (it cannot be audited). */
em_err audit_check(const uint8_t chal_id[static 32], const body_challenge *c,
    const uint8_t result_id[static 32], const body_result *res,
    const body_response *r, char *why, size_t cap);

#endif

/* Public audits: the item draw and the checks a response must pass
 * without the task's items (audit.h). */
#include "audit.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "hash.h"
#include "merkle.h"

static const char draw_tag[] = "evalmesh/audit-draw/v1";

typedef struct draw_stream {
	uint8_t		seed[sizeof draw_tag - 1 + 64 + 4];
	uint32_t	counter;
} draw_stream;

static uint64_t
next_u64(draw_stream *s)
{
	uint8_t h[32];

	be_put(s->seed + sizeof s->seed - 4, s->counter++, 4);
	hash_blake2b(h, s->seed, sizeof s->seed);
	return be_get(h, 8);
}

/* Uniform in [0, m), m >= 1: numbers below 2^64 mod m are redrawn. A
 * redraw happens with odds below m / 2^64 (2^-44 for the largest task);
 * after 64 in a row the last is taken, so the draw always ends. */
static uint64_t
uniform(draw_stream *s, uint64_t m)
{
	uint64_t low = (0 - m) % m, x = next_u64(s);

	for (int tries = 0; x < low && tries < 64; tries++)
		x = next_u64(s);
	return x % m;
}

uint32_t
audit_draw(const uint8_t chal_id[static 32], const uint8_t result_id[static 32],
    uint64_t n, uint32_t k, uint32_t *out)
{
	/* the positions at or after j whose value is no longer their own:
	 * one more per swap at most (position j is never read again) */
	uint64_t pos[BODY_AUDIT_K_MAX], val[BODY_AUDIT_K_MAX];
	uint32_t n_moved = 0, want;
	draw_stream s;

	if (k > BODY_AUDIT_K_MAX)
		k = BODY_AUDIT_K_MAX;
	want = n < k ? (uint32_t)n : k;
	memcpy(s.seed, draw_tag, sizeof draw_tag - 1);
	memcpy(s.seed + sizeof draw_tag - 1, chal_id, 32);
	memcpy(s.seed + sizeof draw_tag - 1 + 32, result_id, 32);
	s.counter = 0;
	for (uint32_t j = 0; j < want; j++) {
		uint64_t r = j + uniform(&s, n - j), vj = j, vr = r;
		uint32_t ir = n_moved;

		for (uint32_t m = 0; m < n_moved; m++) {
			if (pos[m] == j)
				vj = val[m];
			if (pos[m] == r)
				vr = val[ir = m];
		}
		out[j] = (uint32_t)vr;
		/* swap: position r now holds what j held (j is never read again) */
		if (ir == n_moved) {
			pos[n_moved] = r;
			val[n_moved++] = vj;
		} else {
			val[ir] = vj;
		}
	}
	return want;
}

static em_err bad(char *why, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static em_err
bad(char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
	return EM_EMISMATCH;
}

static em_err
check_item(const body_opened *o, const body_result *res, char *why, size_t cap)
{
	uint8_t h[32], leaf[32];

	if (o->has_output) {
		hash_blake2b(h, o->output, o->output_len);
		if (memcmp(h, o->output_hash, 32) != 0)
			return bad(why, cap, "item %u: its output does not hash to its "
			    "output hash", o->index);
	}
	merkle_result_leaf(leaf, o->index, o->item_hash, o->output_hash, o->score);
	if (merkle_verify(res->merkle, leaf, o->index, res->n_items, o->proof,
	    o->proof_len) != EM_OK)
		return bad(why, cap, "item %u: its proof does not lead to the result's "
		    "Merkle root", o->index);
	if (res->scores != NULL &&
	    (res->scores[2 * o->index] << 8 | res->scores[2 * o->index + 1]) != o->score)
		return bad(why, cap, "item %u: the score opened (%u) is not the result's (%u)",
		    o->index, o->score,
		    res->scores[2 * o->index] << 8 | res->scores[2 * o->index + 1]);
	return EM_OK;
}

em_err
audit_check(const uint8_t chal_id[static 32], const body_challenge *c,
    const uint8_t result_id[static 32], const body_result *res,
    const body_response *r, char *why, size_t cap)
{
	uint32_t idx[BODY_AUDIT_K_MAX], n;
	em_err err;

	if (why != NULL && cap > 0)
		why[0] = '\0';
	if (memcmp(r->challenge, chal_id, 32) != 0 || memcmp(r->result, result_id, 32) != 0 ||
	    memcmp(c->result, result_id, 32) != 0)
		return EM_EINVAL;
	if (!res->has_merkle) {
		snprintf(why, cap, "the result has no Merkle root");
		return EM_EFORMAT;
	}
	n = audit_draw(chal_id, result_id, res->n_items, c->k, idx);
	if (r->n != n)
		return bad(why, cap, "it opens %u items where the challenge draws %u", r->n, n);
	for (uint32_t i = 0; i < n; i++) {
		if (r->items[i].index != idx[i])
			return bad(why, cap, "it opens item %u where the challenge draws item %u",
			    r->items[i].index, idx[i]);
		if ((err = check_item(&r->items[i], res, why, cap)) != EM_OK)
			return err;
	}
	return EM_OK;
}

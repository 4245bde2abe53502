/* The bodies of audits: a challenge and its response (body.h). Only the
 * shape and each field's limits are checked here; whether a response
 * answers its challenge, and truly, is audit.h's. */
#include "body_audit.h"

#include <msgpack.h>


static em_err
decode_challenge(mpr *r, body_challenge *c)
{
	uint64_t k, within;
	em_err err;

	TRY(r, "challenge", mpr_array_exact(r, 3));
	TRY(r, "challenge.result", mpr_bin_fixed(r, c->result, 32));
	TRY(r, "challenge.k", mpr_uint(r, &k, BODY_AUDIT_K_MAX));
	TRY(r, "challenge.within_s", mpr_uint(r, &within, BODY_AUDIT_WITHIN_MAX));
	c->k = (uint32_t)k;
	c->within_s = (uint32_t)within;
	if (k == 0) {
		r->field = "challenge.k";
		return EM_ERANGE;
	}
	r->field = "challenge.within_s";
	return within > 0 ? EM_OK : EM_ERANGE;
}

static em_err
decode_opened(mpr *r, body_opened *o)
{
	uint64_t index, score;
	em_err err;

	TRY(r, "response.items[]", mpr_array_exact(r, 6));
	TRY(r, "response.items[].index", mpr_uint(r, &index, BODY_ITEMS_MAX - 1));
	o->index = (uint32_t)index;
	TRY(r, "response.items[].item_hash", mpr_bin_fixed(r, o->item_hash, 32));
	r->field = "response.items[].output";
	o->output = NULL;
	o->output_len = 0;
	if ((o->has_output = !mpr_nil(r)))
		TRY(r, "response.items[].output", mpr_bin(r, &o->output, &o->output_len,
		    BODY_AUDIT_OUT_MAX));
	TRY(r, "response.items[].output_hash", mpr_bin_fixed(r, o->output_hash, 32));
	TRY(r, "response.items[].score", mpr_uint(r, &score, BODY_SCORE_SCALE));
	o->score = (uint16_t)score;
	TRY(r, "response.items[].proof", mpr_bin(r, &o->proof, &o->proof_len,
	    32 * BODY_PROOF_MAX));
	return o->proof_len % 32 == 0 ? EM_OK : EM_EFORMAT;
}

static em_err
decode_response(mpr *r, body_response *resp)
{
	em_err err;

	TRY(r, "response", mpr_array_exact(r, 3));
	TRY(r, "response.challenge", mpr_bin_fixed(r, resp->challenge, 32));
	TRY(r, "response.result", mpr_bin_fixed(r, resp->result, 32));
	TRY(r, "response.items", mpr_array(r, &resp->n, BODY_AUDIT_K_MAX));
	if (resp->n == 0)
		return EM_ERANGE;
	for (uint32_t i = 0; i < resp->n; i++)
		if ((err = decode_opened(r, &resp->items[i])) != EM_OK)
			return err;
	return EM_OK;
}

em_err
body_audit_decode(mpr *r, body_any *out)
{
	if (out->kind == REC_CHALLENGE)
		return decode_challenge(r, &out->u.challenge);
	return decode_response(r, &out->u.response);
}

void
body_audit_pack(pack *pp, const body_any *b)
{
	msgpack_packer *pk = &pp->pk;
	const body_response *resp = &b->u.response;
	static const uint8_t none[1];	/* what an empty bin points to */

	if (b->kind == REC_CHALLENGE) {
		msgpack_pack_array(pk, 3);
		pack_bin(pp, b->u.challenge.result, 32);
		msgpack_pack_uint32(pk, b->u.challenge.k);
		msgpack_pack_uint32(pk, b->u.challenge.within_s);
		return;
	}
	msgpack_pack_array(pk, 3);
	pack_bin(pp, resp->challenge, 32);
	pack_bin(pp, resp->result, 32);
	msgpack_pack_array(pk, resp->n);
	for (uint32_t i = 0; i < resp->n && i < BODY_AUDIT_K_MAX; i++) {
		const body_opened *o = &resp->items[i];

		msgpack_pack_array(pk, 6);
		msgpack_pack_uint32(pk, o->index);
		pack_bin(pp, o->item_hash, 32);
		if (o->has_output)
			pack_bin(pp, o->output_len ? o->output : none, o->output_len);
		else
			msgpack_pack_nil(pk);
		pack_bin(pp, o->output_hash, 32);
		msgpack_pack_uint16(pk, o->score);
		pack_bin(pp, o->proof_len ? o->proof : none, o->proof_len);
	}
}

/* libFuzzer: the record decoder (envelope, every body kind, signature). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "netkey.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
same_audit(const body_any *a, const body_any *b)
{
	if (a->kind == REC_CHALLENGE) {
		if (memcmp(&a->u.challenge, &b->u.challenge, sizeof a->u.challenge) != 0)
			abort();
		return;
	}
	if (memcmp(a->u.response.challenge, b->u.response.challenge, 32) != 0 ||
	    memcmp(a->u.response.result, b->u.response.result, 32) != 0)
		abort();
	if (a->u.response.n != b->u.response.n)
		abort();
	for (uint32_t i = 0; i < a->u.response.n; i++) {
		const body_opened *x = &a->u.response.items[i], *y = &b->u.response.items[i];

		if (x->index != y->index || x->has_output != y->has_output ||
		    x->output_len != y->output_len || x->score != y->score ||
		    x->proof_len != y->proof_len ||
		    memcmp(x->item_hash, y->item_hash, 32) != 0 ||
		    memcmp(x->output_hash, y->output_hash, 32) != 0 ||
		    (x->output_len && memcmp(x->output, y->output, x->output_len) != 0) ||
		    (x->proof_len && memcmp(x->proof, y->proof, x->proof_len) != 0))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t netid[32];
	static int ready;
	rec_env env;
	rec_why why;
	body_any b;
	char msg[256];
	em_err err;

	if (!ready) {
		uint8_t key[32];

		hash_init();
		netkey_open(key);
		netkey_id(key, netid);
		ready = 1;
	}
	err = rec_open(data, size, netid, &env, &why);
	rec_strerror(err, &why, msg, sizeof msg);
	/* Whatever parsed must decode again to the same thing. */
	if (rec_parse(data, size, &env, NULL) == EM_OK) {
		if (rec_body(&env, &b) != EM_OK || env.len != size)
			abort();
		if (env.kind == REC_TASK) {
			uint8_t id[32];

			body_task_id(&b.u.task, id);
		}
		if (env.kind == REC_CHALLENGE || env.kind == REC_RESPONSE) {
			/* what our reader took, msgpack-c's packer packs again,
			 * and our reader reads back the same */
			uint8_t *enc;
			size_t elen;
			body_any again;

			if (body_encode(&b, &enc, &elen) != EM_OK ||
			    body_decode(env.kind, enc, elen, &again, NULL, NULL) != EM_OK)
				abort();
			same_audit(&b, &again);
			free(enc);
		}
		if (env.kind == REC_RESULT) {
			uint8_t task[32];
			char model[BODY_NAME_MAX + 1], rev[BODY_NAME_MAX + 1];

			if (body_result_keys(env.body, env.body_len, task, model, rev) != EM_OK ||
			    memcmp(task, b.u.result.task, 32) != 0 ||
			    strcmp(model, b.u.result.model) != 0 ||
			    strcmp(rev, b.u.result.revision) != 0)
				abort();
		}
	}
	return 0;
}

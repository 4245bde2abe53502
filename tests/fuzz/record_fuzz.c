/* libFuzzer: the record decoder (envelope, every body kind, signature). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "netkey.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

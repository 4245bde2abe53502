/* libFuzzer: the wire message decoder; what decodes must encode again.
 * A recon message's payload goes on to a reconciliation session, as the
 * gossip core hands it (recon_recv checks it): refused, or answered with
 * a payload that fits a recon message of ours. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "recon.h"
#include "wire.h"

#define N_KEYS	200

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t keys[N_KEYS * RECON_KEY];

static int
cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, RECON_KEY);
}

static void
ignore(void *ctx, const uint8_t key[static RECON_KEY])
{
	(void)ctx;
	(void)key;
}

static void
to_session(const wire_msg *m)
{
	static uint8_t answer[WIRE_RECON_MAX];
	static int ready;
	recon_array arr = { keys, N_KEYS, 0 };
	recon_host h = { &arr, recon_array_seek, recon_array_next, recon_array_count, ignore };
	wire_msg back;
	recon *r;
	uint8_t *out;
	size_t len;

	if (!ready) {
		hash_init();
		for (size_t i = 0; i < N_KEYS; i++)
			hash_blake2b(keys + i * RECON_KEY, (const uint8_t *)&i, sizeof i);
		qsort(keys, N_KEYS, RECON_KEY, cmp_key);
		ready = 1;
	}
	if (recon_new(&h, NULL, &r) != EM_OK)
		abort();
	if (recon_recv(r, m->u.recon.data, m->u.recon.len, answer, sizeof answer,
	    &len) == EM_OK && len > 0) {
		memset(&back, 0, sizeof back);
		back.type = WIRE_RECON;
		back.u.recon.started = !m->u.recon.started;
		back.u.recon.data = answer;
		back.u.recon.len = len;
		if (wire_encode(&back, &out, &len) != EM_OK)
			abort();	/* an answer that does not fit the wire */
		free(out);
	}
	recon_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static wire_msg m;
	uint8_t *out;
	size_t len;

	if (wire_decode(data, size, &m) != EM_OK)
		return 0;
	if (wire_encode(&m, &out, &len) != EM_OK)
		abort();
	free(out);
	if (m.type == WIRE_RECON)
		to_session(&m);
	return 0;
}

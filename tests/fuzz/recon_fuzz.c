/* libFuzzer: the reconciliation reader (proto/recon). Any bytes to a fresh
 * session over a fixed key set: refused, or answered with a message that
 * a session over another set takes as well formed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "recon.h"

#define N_KEYS	300
#define FRAME	8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t keys_a[N_KEYS * RECON_KEY], keys_b[N_KEYS * RECON_KEY];

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

/* Two sets sharing two thirds of their keys; two of a's keys share their
 * first 16 bytes (the lists' limit). */
static void
setup(void)
{
	uint64_t x = 88172645463325252ULL;

	hash_init();
	for (size_t i = 0; i < sizeof keys_a; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		keys_a[i] = (uint8_t)x;
		keys_b[i] = (uint8_t)(x >> 8);
	}
	memcpy(keys_b, keys_a, 2 * N_KEYS / 3 * RECON_KEY);
	memcpy(keys_a + RECON_KEY, keys_a, RECON_PREFIX);
	qsort(keys_a, N_KEYS, RECON_KEY, cmp_key);
	qsort(keys_b, N_KEYS, RECON_KEY, cmp_key);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[FRAME], out2[FRAME];
	static int ready;
	recon_array aa = { keys_a, N_KEYS, 0 }, ab = { keys_b, N_KEYS, 0 };
	recon_host ha = { &aa, recon_array_seek, recon_array_next, recon_array_count, ignore };
	recon_host hb = { &ab, recon_array_seek, recon_array_next, recon_array_count, ignore };
	recon_opts o = { .frame_max = FRAME, .rounds_max = 4, .split = 16, .ids_max = 32 };
	recon *ra, *rb;
	size_t len, len2;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (recon_new(&ha, &o, &ra) != EM_OK || recon_new(&hb, &o, &rb) != EM_OK)
		abort();
	if (recon_recv(ra, data, size, out, sizeof out, &len) == EM_OK && len > 0 &&
	    recon_recv(rb, out, len, out2, sizeof out2, &len2) != EM_OK)
		abort();	/* we wrote something malformed */
	recon_free(ra);
	recon_free(rb);
	return 0;
}

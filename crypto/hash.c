#include "hash.h"

#include <sodium.h>

em_err
hash_init(void)
{
	return sodium_init() < 0 ? EM_ECRYPTO : EM_OK;
}

void
hash_blake2b(uint8_t out[static HASH_LEN], const uint8_t *in, size_t len)
{
	crypto_generichash(out, HASH_LEN, in, len, NULL, 0);
}

void
hash_keyed(uint8_t out[static HASH_LEN], const uint8_t key[static 32],
    const uint8_t *in, size_t len)
{
	crypto_generichash(out, HASH_LEN, in, len, key, 32);
}

void
hash_random(uint8_t *buf, size_t len)
{
	randombytes_buf(buf, len);
}

void
hash_wipe(void *p, size_t len)
{
	sodium_memzero(p, len);
}

_Static_assert(sizeof(crypto_generichash_state) <= sizeof(hash_state),
    "hash_state too small for libsodium's state");

void
hash_start(hash_state *st)
{
	crypto_generichash_init((crypto_generichash_state *)(void *)st, NULL, 0, HASH_LEN);
}

void
hash_update(hash_state *st, const uint8_t *in, size_t len)
{
	crypto_generichash_update((crypto_generichash_state *)(void *)st, in, len);
}

void
hash_finish(hash_state *st, uint8_t out[static HASH_LEN])
{
	crypto_generichash_final((crypto_generichash_state *)(void *)st, out, HASH_LEN);
}

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

#include "ident.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct ident {
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t sk[crypto_sign_SECRETKEYBYTES];	/* seed || pk, as libsodium keeps it */
};

em_err
ident_from_seed(const uint8_t seed[static IDENT_SEED_LEN], ident **out)
{
	ident *id;

	*out = NULL;
	/* sodium_malloc: guard pages and no swap for the secret key */
	if ((id = sodium_malloc(sizeof *id)) == NULL)
		return EM_ENOMEM;
	if (crypto_sign_seed_keypair(id->pk, id->sk, seed) != 0) {
		sodium_free(id);
		return EM_ECRYPTO;
	}
	*out = id;
	return EM_OK;
}

em_err
ident_generate(ident **out)
{
	uint8_t seed[IDENT_SEED_LEN];
	em_err err;

	randombytes_buf(seed, sizeof seed);
	err = ident_from_seed(seed, out);
	sodium_memzero(seed, sizeof seed);
	return err;
}

void
ident_free(ident *id)
{
	if (id != NULL)
		sodium_free(id);	/* wipes before freeing */
}

const uint8_t *
ident_pk(const ident *id)
{
	return id->pk;
}

void
ident_seed(const ident *id, uint8_t seed[static IDENT_SEED_LEN])
{
	crypto_sign_ed25519_sk_to_seed(seed, id->sk);
}

void
ident_sign(const ident *id, const uint8_t *msg, size_t len,
    uint8_t sig[static IDENT_SIG_LEN])
{
	crypto_sign_detached(sig, NULL, msg, len, id->sk);
}

em_err
ident_verify(const uint8_t pk[static IDENT_PK_LEN], const uint8_t *msg,
    size_t len, const uint8_t sig[static IDENT_SIG_LEN])
{
	return crypto_sign_verify_detached(sig, msg, len, pk) == 0 ? EM_OK : EM_ESIG;
}

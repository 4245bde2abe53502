/* crypto/ident.h — a node's identity: an Ed25519 key pair.
 *
 * The node id is the 32-byte public key, written as 64 lowercase hex digits
 * everywhere. The secret half lives in memory that ident_free() wipes. */
#ifndef EM_IDENT_H
#define EM_IDENT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define IDENT_PK_LEN	32
#define IDENT_SEED_LEN	32
#define IDENT_SIG_LEN	64

typedef struct ident ident;

/* A fresh random identity. On success *out is yours: ident_free(); on
 * failure it is NULL. EM_ENOMEM (the secure allocation failed),
 * EM_ECRYPTO. */
em_err ident_generate(ident **out);

/* The identity a 32-byte seed determines (used by key files); the seed is
 * only read. *out and errors as for ident_generate. */
em_err ident_from_seed(const uint8_t seed[static IDENT_SEED_LEN], ident **out);

/* Wipes and frees. NULL is fine. */
void ident_free(ident *id);

/* The 32-byte public key, borrowed for as long as id lives. */
const uint8_t *ident_pk(const ident *id);

/* Copies the seed out, for writing a key file. The caller wipes it
 * (hash_wipe). */
void ident_seed(const ident *id, uint8_t seed[static IDENT_SEED_LEN]);

/* sig = Ed25519 signature of msg[0..len) by id. */
void ident_sign(const ident *id, const uint8_t *msg, size_t len,
    uint8_t sig[static IDENT_SIG_LEN]);

/* EM_OK if sig is pk's signature of msg[0..len), EM_ESIG otherwise (a
 * public key that is not a valid point included). */
em_err ident_verify(const uint8_t pk[static IDENT_PK_LEN], const uint8_t *msg,
    size_t len, const uint8_t sig[static IDENT_SIG_LEN]);

#endif

/* crypto/hash.h — BLAKE2b-256 and randomness (libsodium). */
#ifndef EM_HASH_H
#define EM_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define HASH_LEN 32

/* Initialises libsodium. Call once before anything else in crypto/;
 * EM_ECRYPTO if the library cannot start. Safe to call again. */
em_err hash_init(void);

/* out = BLAKE2b-256(in[0..len)). */
void hash_blake2b(uint8_t out[static HASH_LEN], const uint8_t *in, size_t len);

/* out = BLAKE2b-256 of in[0..len), keyed with a 32-byte key. */
void hash_keyed(uint8_t out[static HASH_LEN], const uint8_t key[static 32],
    const uint8_t *in, size_t len);

/* BLAKE2b-256 over data given in pieces: hash_start, any number of
 * hash_update, then hash_finish, which ends the state (hash_start it again
 * to reuse it). The state holds nothing to free. */
typedef struct hash_state {
	_Alignas(64) uint8_t opaque[384];
} hash_state;

void hash_start(hash_state *st);
void hash_update(hash_state *st, const uint8_t *in, size_t len);
void hash_finish(hash_state *st, uint8_t out[static HASH_LEN]);

/* Fills buf[0..len) from the system's CSPRNG (libsodium's randombytes:
 * it does not fail). */
void hash_random(uint8_t *buf, size_t len);

/* Overwrites len bytes at p with zeros in a way the compiler keeps. */
void hash_wipe(void *p, size_t len);

#endif

/* tests/unit/testutil.h — helpers shared by the unit tests. */
#ifndef EM_TESTUTIL_H
#define EM_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "body.h"
#include "ident.h"
#include "record.h"
#include "store.h"

/* A fresh directory under $TMPDIR (or /tmp); exits the test on failure.
 * The returned string is static storage reused by the next call. */
const char *tu_tmpdir(void);

/* Removes a directory tree (for tu_tmpdir's directories). */
void tu_rmtree(const char *dir);

/* A result body with every field set, seeded so that different i give
 * different bodies (task and model chosen from i). */
void tu_result(body_any *b, uint32_t i);

/* Signs a result body i as author with seq; *out is yours (free()). */
void tu_record(const ident *author, const uint8_t netid[static 32], uint64_t seq,
    uint32_t i, uint8_t **out, size_t *len);

/* The next number of a fixed xorshift64 stream (state: nonzero; tests use
 * it for data that is the same on every run). */
uint64_t tu_next(uint64_t *state);

/* The open network's id (the one tests use), hashing set up; exits on
 * failure. */
void tu_netid(uint8_t out[static 32]);

/* A store in a fresh directory (its path into dir, 512 bytes) for netid,
 * with map bytes to start (0: the default); exits on failure. */
store *tu_store(char *dir, size_t map, const uint8_t netid[static 32]);

/* Opens a record for netid into env; exits on failure. */
void tu_open(const uint8_t *buf, size_t len, const uint8_t netid[static 32], rec_env *env);

#endif

/* crypto/noise.h — the Noise handshake, pattern XX with an optional psk3:
 * Noise_XX_25519_ChaChaPoly_BLAKE2b and Noise_XXpsk3_25519_ChaChaPoly_BLAKE2b
 * (Noise Protocol Framework, revision 34), on libsodium's X25519,
 * ChaCha20-Poly1305 (IETF) and BLAKE2b.
 *
 *   XX(psk3):
 *     -> e
 *     <- e, ee, s, es
 *     -> s, se(, psk)
 *
 * With the network key as the PSK, a party without the key cannot produce
 * or read the third message, so no payload of ours is parsed for it. After
 * three messages noise_split() gives the two transport cipher states.
 * Everything is fixed-size and caller-allocated; secrets are wiped by
 * noise_hs_wipe() and noise_cs_wipe(). */
#ifndef EM_NOISE_H
#define EM_NOISE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define NOISE_DHLEN	32
#define NOISE_HASHLEN	64
#define NOISE_TAGLEN	16
#define NOISE_MSG_MAX	65535	/* the Noise limit on any message */
#define NOISE_NONCE_MAX	UINT64_MAX	/* reserved by the spec: never used */

typedef struct noise_cs {	/* a CipherState */
	uint8_t		k[32];
	uint64_t	n;
	int		has_key;
} noise_cs;

typedef struct noise_hs {	/* a HandshakeState */
	noise_cs	cs;
	uint8_t		ck[NOISE_HASHLEN];
	uint8_t		h[NOISE_HASHLEN];
	uint8_t		s[32], s_pub[32];	/* our static key pair */
	uint8_t		e[32], e_pub[32];	/* our ephemeral key pair */
	uint8_t		rs[32], re[32];		/* the peer's keys */
	uint8_t		psk[32];
	int		has_psk;
	int		initiator;
	int		step;			/* messages done, 0..3 */
	int		fixed_e;		/* e was given (test vectors) */
} noise_hs;

/* Starts a handshake in hs (caller-allocated; the keys are copied in, so
 * s, psk and e need not outlive the call). s: our static X25519 private
 * key. psk NULL selects plain XX, else XXpsk3 with that 32-byte key. e
 * NULL draws a fresh ephemeral key per handshake (only test vectors pass
 * one). The prologue is hashed, not kept. Always EM_OK. */
em_err noise_hs_init(noise_hs *hs, int initiator, const uint8_t *prologue,
    size_t prologue_len, const uint8_t s[static 32], const uint8_t *psk,
    const uint8_t *e);

/* Writes the next handshake message, carrying payload[0..len), into
 * out[0..cap) and its length into *out_len (0 on failure). Errors:
 * EM_EINVAL if it is not our turn or the handshake is done, EM_ETOOBIG if
 * the message would pass NOISE_MSG_MAX or cap, EM_ECRYPTO when a
 * Diffie-Hellman result is all zeros (a low-order peer key). After
 * EM_ECRYPTO hs cannot go on: wipe it. */
em_err noise_write(noise_hs *hs, const uint8_t *payload, size_t len,
    uint8_t *out, size_t cap, size_t *out_len);

/* Reads the peer's next handshake message msg[0..len); its payload goes to
 * out[0..cap), its length to *out_len (0 on failure); cap must hold the
 * payload as sent (with its tag once keys are mixed in). Errors:
 * EM_EINVAL (not the peer's turn, or done), EM_ETOOBIG (len above
 * NOISE_MSG_MAX, or the payload above cap), EM_ETRUNC (shorter than its pattern), EM_ECRYPTO
 * (authentication fails: wrong PSK, tampering, a low-order key). After
 * any error but EM_EINVAL, hs cannot go on: wipe it. */
em_err noise_read(noise_hs *hs, const uint8_t *msg, size_t len, uint8_t *out,
    size_t cap, size_t *out_len);

/* 1 after the third message, else 0. */
int noise_done(const noise_hs *hs);

/* The transport keys, send and recv for this side, written over *send and
 * *recv. Call once, when done; then wipe hs. */
void noise_split(noise_hs *hs, noise_cs *send, noise_cs *recv);

/* Encrypts in[0..len) with the next nonce into out, which receives
 * len + NOISE_TAGLEN bytes; ad[0..ad_len) is authenticated. EM_ERANGE
 * once the nonces are spent (the caller rekeys long before). */
em_err noise_encrypt(noise_cs *cs, const uint8_t *ad, size_t ad_len,
    const uint8_t *in, size_t len, uint8_t *out);

/* Decrypts in[0..len) (tag included) with the next nonce into out, which
 * receives len - NOISE_TAGLEN bytes. EM_ETRUNC when len < NOISE_TAGLEN,
 * EM_ECRYPTO if forged (the nonce then does not advance), EM_ERANGE once
 * the nonces are spent. */
em_err noise_decrypt(noise_cs *cs, const uint8_t *ad, size_t ad_len,
    const uint8_t *in, size_t len, uint8_t *out);

/* REKEY(): k = ENCRYPT(k, maxnonce, zeros). The nonce counter stays. */
void noise_rekey(noise_cs *cs);

/* The X25519 public key of a private one. */
void noise_pubkey(const uint8_t priv[static 32], uint8_t pub[static 32]);

/* A fresh X25519 private key. */
void noise_keygen(uint8_t priv[static 32]);

/* Overwrite a handshake or cipher state with zeros. */
void noise_hs_wipe(noise_hs *hs);
void noise_cs_wipe(noise_cs *cs);

#endif

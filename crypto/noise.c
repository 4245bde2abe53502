/* The Noise framework's CipherState, SymmetricState and HandshakeState
 * for XX and XXpsk3 (see noise.h). Section numbers are the spec's. */
#include "noise.h"

#include <sodium.h>
#include <string.h>

#define BLOCKLEN 128	/* BLAKE2b's block, for HMAC */

/* 4.2: HASH, and 4.3: HMAC-HASH over the concatenation of up to 3 parts */
static void
hmac(uint8_t out[static NOISE_HASHLEN], const uint8_t key[static NOISE_HASHLEN],
    const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	crypto_generichash_state st;
	uint8_t pad[BLOCKLEN], inner[NOISE_HASHLEN];

	memset(pad, 0x36, sizeof pad);
	for (int i = 0; i < NOISE_HASHLEN; i++)
		pad[i] ^= key[i];
	crypto_generichash_init(&st, NULL, 0, NOISE_HASHLEN);
	crypto_generichash_update(&st, pad, sizeof pad);
	crypto_generichash_update(&st, a, alen);
	crypto_generichash_update(&st, b, blen);
	crypto_generichash_final(&st, inner, sizeof inner);
	memset(pad, 0x5c, sizeof pad);
	for (int i = 0; i < NOISE_HASHLEN; i++)
		pad[i] ^= key[i];
	crypto_generichash_init(&st, NULL, 0, NOISE_HASHLEN);
	crypto_generichash_update(&st, pad, sizeof pad);
	crypto_generichash_update(&st, inner, sizeof inner);
	crypto_generichash_final(&st, out, NOISE_HASHLEN);
	sodium_memzero(pad, sizeof pad);
	sodium_memzero(inner, sizeof inner);
}

/* 4.3: HKDF(chaining_key, input_key_material, num_outputs) */
static void
hkdf(const uint8_t ck[static NOISE_HASHLEN], const uint8_t *ikm, size_t len,
    uint8_t *o1, uint8_t *o2, uint8_t *o3)
{
	uint8_t tk[NOISE_HASHLEN], one = 1, two = 2, three = 3;

	hmac(tk, ck, ikm, len, NULL, 0);
	hmac(o1, tk, &one, 1, NULL, 0);
	hmac(o2, tk, o1, NOISE_HASHLEN, &two, 1);
	if (o3 != NULL)
		hmac(o3, tk, o2, NOISE_HASHLEN, &three, 1);
	sodium_memzero(tk, sizeof tk);
}

/* 5.1: the nonce is 32 zero bits then n, little-endian */
static void
nonce(uint8_t out[12], uint64_t n)
{
	memset(out, 0, 4);
	for (int i = 0; i < 8; i++)
		out[4 + i] = (uint8_t)(n >> (8 * i));
}

em_err
noise_encrypt(noise_cs *cs, const uint8_t *ad, size_t ad_len,
    const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t nb[12];

	if (cs->n == NOISE_NONCE_MAX)
		return EM_ERANGE;
	nonce(nb, cs->n);
	crypto_aead_chacha20poly1305_ietf_encrypt(out, NULL, in, len, ad, ad_len,
	    NULL, nb, cs->k);
	cs->n++;
	return EM_OK;
}

em_err
noise_decrypt(noise_cs *cs, const uint8_t *ad, size_t ad_len,
    const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t nb[12];

	if (cs->n == NOISE_NONCE_MAX)
		return EM_ERANGE;
	if (len < NOISE_TAGLEN)
		return EM_ETRUNC;
	nonce(nb, cs->n);
	if (crypto_aead_chacha20poly1305_ietf_decrypt(out, NULL, NULL, in, len,
	    ad, ad_len, nb, cs->k) != 0)
		return EM_ECRYPTO;	/* n does not advance on failure */
	cs->n++;
	return EM_OK;
}

void
noise_rekey(noise_cs *cs)
{
	uint8_t zeros[32] = { 0 }, out[32 + NOISE_TAGLEN], nb[12];

	nonce(nb, NOISE_NONCE_MAX);
	crypto_aead_chacha20poly1305_ietf_encrypt(out, NULL, zeros, 32, NULL, 0,
	    NULL, nb, cs->k);
	memcpy(cs->k, out, 32);
	sodium_memzero(out, sizeof out);
}

/* 5.2: SymmetricState */
static void
mix_hash(noise_hs *hs, const uint8_t *data, size_t len)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, NOISE_HASHLEN);
	crypto_generichash_update(&st, hs->h, NOISE_HASHLEN);
	crypto_generichash_update(&st, data, len);
	crypto_generichash_final(&st, hs->h, NOISE_HASHLEN);
}

/* InitializeKey(temp_k): HASHLEN is 64, so truncate to 32 */
static void
set_key(noise_hs *hs, const uint8_t tk[static NOISE_HASHLEN])
{
	memcpy(hs->cs.k, tk, 32);
	hs->cs.n = 0;
	hs->cs.has_key = 1;
}

static void
mix_key(noise_hs *hs, const uint8_t *ikm, size_t len)
{
	uint8_t tk[NOISE_HASHLEN];

	hkdf(hs->ck, ikm, len, hs->ck, tk, NULL);
	set_key(hs, tk);
	sodium_memzero(tk, sizeof tk);
}

static void
mix_key_and_hash(noise_hs *hs, const uint8_t *ikm, size_t len)
{
	uint8_t th[NOISE_HASHLEN], tk[NOISE_HASHLEN];

	hkdf(hs->ck, ikm, len, hs->ck, th, tk);
	mix_hash(hs, th, NOISE_HASHLEN);
	set_key(hs, tk);
	sodium_memzero(th, sizeof th);
	sodium_memzero(tk, sizeof tk);
}

/* EncryptAndHash: out gets len (+ tag once keyed) bytes */
static em_err
encrypt_and_hash(noise_hs *hs, const uint8_t *in, size_t len, uint8_t *out,
    size_t *out_len)
{
	em_err err;

	if (!hs->cs.has_key) {
		memmove(out, in, len);
		*out_len = len;
	} else {
		if ((err = noise_encrypt(&hs->cs, hs->h, NOISE_HASHLEN, in, len, out)) != EM_OK)
			return err;
		*out_len = len + NOISE_TAGLEN;
	}
	mix_hash(hs, out, *out_len);
	return EM_OK;
}

static em_err
decrypt_and_hash(noise_hs *hs, const uint8_t *in, size_t len, uint8_t *out,
    size_t *out_len)
{
	uint8_t h[NOISE_HASHLEN];
	em_err err;

	memcpy(h, hs->h, sizeof h);
	mix_hash(hs, in, len);	/* h covers the ciphertext */
	if (!hs->cs.has_key) {
		memmove(out, in, len);
		*out_len = len;
		return EM_OK;
	}
	if ((err = noise_decrypt(&hs->cs, h, sizeof h, in, len, out)) != EM_OK)
		return err;
	*out_len = len - NOISE_TAGLEN;
	return EM_OK;
}

void
noise_pubkey(const uint8_t priv[static 32], uint8_t pub[static 32])
{
	crypto_scalarmult_base(pub, priv);
}

void
noise_keygen(uint8_t priv[static 32])
{
	randombytes_buf(priv, 32);
}

/* DH, then MixKey of the result; a low-order peer key (all-zero output)
 * is refused. */
static em_err
mix_dh(noise_hs *hs, const uint8_t priv[static 32], const uint8_t pub[static 32])
{
	uint8_t shared[32];

	if (crypto_scalarmult(shared, priv, pub) != 0)
		return EM_ECRYPTO;
	mix_key(hs, shared, sizeof shared);
	sodium_memzero(shared, sizeof shared);
	return EM_OK;
}

em_err
noise_hs_init(noise_hs *hs, int initiator, const uint8_t *prologue,
    size_t prologue_len, const uint8_t s[static 32], const uint8_t *psk,
    const uint8_t *e)
{
	const char *name = psk ? "Noise_XXpsk3_25519_ChaChaPoly_BLAKE2b"
	    : "Noise_XX_25519_ChaChaPoly_BLAKE2b";

	memset(hs, 0, sizeof *hs);
	/* 5.2 InitializeSymmetric: the name fits in HASHLEN, so pad it */
	memcpy(hs->h, name, strlen(name));
	memcpy(hs->ck, hs->h, NOISE_HASHLEN);
	mix_hash(hs, prologue, prologue_len);
	hs->initiator = initiator;
	memcpy(hs->s, s, 32);
	noise_pubkey(hs->s, hs->s_pub);
	if ((hs->has_psk = psk != NULL))
		memcpy(hs->psk, psk, 32);
	if ((hs->fixed_e = e != NULL))
		memcpy(hs->e, e, 32);
	return EM_OK;
}

int
noise_done(const noise_hs *hs)
{
	return hs->step == 3;
}

void
noise_split(noise_hs *hs, noise_cs *send, noise_cs *recv)
{
	uint8_t k1[NOISE_HASHLEN], k2[NOISE_HASHLEN];

	hkdf(hs->ck, NULL, 0, k1, k2, NULL);
	memset(send, 0, sizeof *send);
	memset(recv, 0, sizeof *recv);
	memcpy(hs->initiator ? send->k : recv->k, k1, 32);
	memcpy(hs->initiator ? recv->k : send->k, k2, 32);
	send->has_key = recv->has_key = 1;
	sodium_memzero(k1, sizeof k1);
	sodium_memzero(k2, sizeof k2);
}

void
noise_hs_wipe(noise_hs *hs)
{
	sodium_memzero(hs, sizeof *hs);
}

void
noise_cs_wipe(noise_cs *cs)
{
	sodium_memzero(cs, sizeof *cs);
}

/* The bytes a handshake message takes at this step, around a payload. */
static size_t
overhead(const noise_hs *hs)
{
	switch (hs->step) {
	case 0:	return 32 + (hs->has_psk ? NOISE_TAGLEN : 0);	/* e, payload */
	case 1:	return 32 + 32 + NOISE_TAGLEN + NOISE_TAGLEN;	/* e, s, payload */
	default: return 32 + NOISE_TAGLEN + NOISE_TAGLEN;		/* s, payload */
	}
}

/* 7.x: the tokens of XX(psk3), message by message. */
static em_err
write_tokens(noise_hs *hs, uint8_t *out, size_t *pos)
{
	size_t n;
	em_err err;

	if (hs->step < 2) {					/* e */
		if (!hs->fixed_e)
			noise_keygen(hs->e);
		noise_pubkey(hs->e, hs->e_pub);
		memcpy(out, hs->e_pub, 32);
		*pos = 32;
		mix_hash(hs, hs->e_pub, 32);
		if (hs->has_psk)
			mix_key(hs, hs->e_pub, 32);
	}
	if (hs->step == 1 && (err = mix_dh(hs, hs->e, hs->re)) != EM_OK)	/* ee */
		return err;
	if (hs->step >= 1) {					/* s */
		if ((err = encrypt_and_hash(hs, hs->s_pub, 32, out + *pos, &n)) != EM_OK)
			return err;
		*pos += n;
	}
	if (hs->step == 1)					/* es (responder) */
		return mix_dh(hs, hs->s, hs->re);
	if (hs->step == 2) {
		if ((err = mix_dh(hs, hs->s, hs->re)) != EM_OK)	/* se (initiator) */
			return err;
		if (hs->has_psk)				/* psk */
			mix_key_and_hash(hs, hs->psk, 32);
	}
	return EM_OK;
}

static em_err
read_tokens(noise_hs *hs, const uint8_t *msg, size_t len, size_t *pos)
{
	size_t slen, n;
	em_err err;

	if (hs->step < 2) {					/* e */
		memcpy(hs->re, msg, 32);
		*pos = 32;
		mix_hash(hs, hs->re, 32);
		if (hs->has_psk)
			mix_key(hs, hs->re, 32);
	}
	if (hs->step == 1 && (err = mix_dh(hs, hs->e, hs->re)) != EM_OK)	/* ee */
		return err;
	if (hs->step >= 1) {					/* s */
		slen = 32 + (hs->cs.has_key ? NOISE_TAGLEN : 0);
		if (len - *pos < slen)
			return EM_ETRUNC;
		if ((err = decrypt_and_hash(hs, msg + *pos, slen, hs->rs, &n)) != EM_OK)
			return err;
		*pos += slen;
	}
	if (hs->step == 1)					/* es (initiator) */
		return mix_dh(hs, hs->e, hs->rs);
	if (hs->step == 2) {
		if ((err = mix_dh(hs, hs->e, hs->rs)) != EM_OK)	/* se (responder) */
			return err;
		if (hs->has_psk)				/* psk */
			mix_key_and_hash(hs, hs->psk, 32);
	}
	return EM_OK;
}

em_err
noise_write(noise_hs *hs, const uint8_t *payload, size_t len, uint8_t *out,
    size_t cap, size_t *out_len)
{
	size_t pos = 0, n;
	em_err err;

	*out_len = 0;
	if (hs->step >= 3 || (hs->step % 2 == 0) != (hs->initiator != 0))
		return EM_EINVAL;
	if (len > NOISE_MSG_MAX - overhead(hs) || cap < overhead(hs) + len)
		return EM_ETOOBIG;
	if ((err = write_tokens(hs, out, &pos)) != EM_OK ||
	    (err = encrypt_and_hash(hs, payload, len, out + pos, &n)) != EM_OK)
		return err;
	*out_len = pos + n;
	hs->step++;
	return EM_OK;
}

em_err
noise_read(noise_hs *hs, const uint8_t *msg, size_t len, uint8_t *out,
    size_t cap, size_t *out_len)
{
	size_t pos = 0, tail;
	em_err err;

	*out_len = 0;
	if (hs->step >= 3 || (hs->step % 2 == 0) == (hs->initiator != 0))
		return EM_EINVAL;
	if (len > NOISE_MSG_MAX)
		return EM_ETOOBIG;
	if (len < overhead(hs))
		return EM_ETRUNC;
	if ((err = read_tokens(hs, msg, len, &pos)) != EM_OK)
		return err;
	tail = len - pos;
	if (cap < tail)
		return EM_ETOOBIG;
	if ((err = decrypt_and_hash(hs, msg + pos, tail, out, out_len)) != EM_OK)
		return err;
	hs->step++;
	return EM_OK;
}

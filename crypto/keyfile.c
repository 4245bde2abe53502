#include "keyfile.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "file.h"

#define MAGIC		"EMKEY\x01"
#define MAGIC_LEN	6
#define HDR_LEN		(MAGIC_LEN + 1 + 32)
#define PLAIN_LEN	(HDR_LEN + 32 + 32)
#define SEAL_BODY	(8 + 8 + crypto_pwhash_SALTBYTES + \
			 crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + \
			 IDENT_SEED_LEN + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define SEALED_LEN	(HDR_LEN + SEAL_BODY + 32)

/* Argon2id costs above these in a file are refused: a damaged or hostile
 * file must not make us allocate gigabytes or spin for minutes. */
#define OPS_MAX		16
#define MEM_MAX		(1024ULL << 20)

static em_err
derive(uint8_t key[static 32], const char *pass, const uint8_t *salt,
    uint64_t ops, uint64_t mem)
{
	if (crypto_pwhash(key, 32, pass, strlen(pass), salt, ops, (size_t)mem,
	    crypto_pwhash_ALG_ARGON2ID13) != 0)
		return EM_ENOMEM;	/* libsodium fails here only for memory */
	return EM_OK;
}

em_err
keyfile_create(const char *path, const ident *id, const char *passphrase)
{
	uint8_t buf[SEALED_LEN], seed[IDENT_SEED_LEN], key[32];
	size_t len;
	em_err err = EM_OK;

	memcpy(buf, MAGIC, MAGIC_LEN);
	buf[MAGIC_LEN] = passphrase != NULL;
	memcpy(buf + MAGIC_LEN + 1, ident_pk(id), 32);
	ident_seed(id, seed);
	if (passphrase == NULL) {
		memcpy(buf + HDR_LEN, seed, 32);
		len = PLAIN_LEN;
	} else {
		uint8_t *p = buf + HDR_LEN, *salt, *nonce;
		uint64_t ops = crypto_pwhash_OPSLIMIT_MODERATE;
		uint64_t mem = crypto_pwhash_MEMLIMIT_MODERATE;

		be_put(p, ops, 8);
		be_put(p + 8, mem, 8);
		salt = p + 16;
		nonce = salt + crypto_pwhash_SALTBYTES;
		randombytes_buf(salt, crypto_pwhash_SALTBYTES);
		randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
		if ((err = derive(key, passphrase, salt, ops, mem)) != EM_OK)
			goto out;
		/* The header is the associated data: editing it breaks the seal. */
		crypto_aead_xchacha20poly1305_ietf_encrypt(
		    nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL,
		    seed, sizeof seed, buf, HDR_LEN, NULL, nonce, key);
		len = SEALED_LEN;
	}
	crypto_generichash(buf + len - 32, 32, buf, len - 32, NULL, 0);
	err = file_create(path, 0600, buf, len);
out:
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(key, sizeof key);
	sodium_memzero(buf, sizeof buf);
	return err;
}

/* Reads and checks the outer structure: permissions, size, magic, checksum. */
static em_err
read_checked(const char *path, uint8_t **buf, size_t *len)
{
	uint8_t sum[32];
	em_err err;

	*buf = NULL;
	if ((err = file_check_private(path)) != EM_OK)
		return err;
	if ((err = file_read(path, SEALED_LEN, buf, len)) != EM_OK)
		return err == EM_ETOOBIG ? EM_EKEYFILE : err;
	if (*len < HDR_LEN || memcmp(*buf, MAGIC, MAGIC_LEN) != 0 ||
	    (*buf)[MAGIC_LEN] > 1 ||
	    *len != ((*buf)[MAGIC_LEN] ? SEALED_LEN : PLAIN_LEN))
		goto bad;
	crypto_generichash(sum, 32, *buf, *len - 32, NULL, 0);
	if (sodium_memcmp(sum, *buf + *len - 32, 32) != 0)
		goto bad;
	return EM_OK;
bad:
	sodium_memzero(*buf, *len);
	free(*buf);
	*buf = NULL;
	return EM_EKEYFILE;
}

em_err
keyfile_public(const char *path, uint8_t pk[static IDENT_PK_LEN], int *sealed)
{
	uint8_t *buf;
	size_t len;
	em_err err;

	if ((err = read_checked(path, &buf, &len)) != EM_OK)
		return err;
	memcpy(pk, buf + MAGIC_LEN + 1, IDENT_PK_LEN);
	*sealed = buf[MAGIC_LEN];
	sodium_memzero(buf, len);
	free(buf);
	return EM_OK;
}

static em_err
unseal(const uint8_t *buf, const char *pass, uint8_t seed[static IDENT_SEED_LEN])
{
	const uint8_t *p = buf + HDR_LEN;
	const uint8_t *salt = p + 16;
	const uint8_t *nonce = salt + crypto_pwhash_SALTBYTES;
	const uint8_t *ct = nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
	uint64_t ops = be_get(p, 8), mem = be_get(p + 8, 8);
	uint8_t key[32];
	em_err err;

	if (pass == NULL)
		return EM_ELOCKED;
	if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > OPS_MAX ||
	    mem < crypto_pwhash_MEMLIMIT_MIN || mem > MEM_MAX)
		return EM_EKEYFILE;
	if ((err = derive(key, pass, salt, ops, mem)) != EM_OK)
		return err;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(seed, NULL, NULL, ct,
	    IDENT_SEED_LEN + crypto_aead_xchacha20poly1305_ietf_ABYTES,
	    buf, HDR_LEN, nonce, key) != 0)
		err = EM_EPASS;	/* the checksum passed, so the file is intact */
	sodium_memzero(key, sizeof key);
	return err;
}

em_err
keyfile_load(const char *path, const char *passphrase, ident **out)
{
	uint8_t *buf = NULL, seed[IDENT_SEED_LEN];
	size_t len = 0;
	ident *id = NULL;
	em_err err;

	*out = NULL;
	if ((err = read_checked(path, &buf, &len)) != EM_OK)
		return err;
	if (buf[MAGIC_LEN] == 0)
		memcpy(seed, buf + HDR_LEN, sizeof seed);
	else if ((err = unseal(buf, passphrase, seed)) != EM_OK)
		goto out;
	if ((err = ident_from_seed(seed, &id)) != EM_OK)
		goto out;
	if (sodium_memcmp(ident_pk(id), buf + MAGIC_LEN + 1, IDENT_PK_LEN) != 0) {
		err = EM_EKEYFILE;
		goto out;
	}
	*out = id;
	id = NULL;
out:
	ident_free(id);
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(buf, len);
	free(buf);
	return err;
}

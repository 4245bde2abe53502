/* crypto/keyfile.h — the identity key file, plain or sealed with a passphrase.
 *
 * Layout (binary, big-endian integers):
 *   "EMKEY" 0x01 | mode (0 plain, 1 sealed) | public key (32)
 *   plain:  seed (32)
 *   sealed: opslimit (8) | memlimit (8) | salt (16) | nonce (24)
 *           | XChaCha20-Poly1305(seed) (48), key = Argon2id(passphrase, salt)
 *   | BLAKE2b-256 of everything before it (32)
 * The trailing checksum tells a damaged file from a wrong passphrase, and the
 * public key lets us check a decrypted seed before it is ever used. */
#ifndef EM_KEYFILE_H
#define EM_KEYFILE_H

#include "ident.h"

/* Writes id to a new file at path, mode 0600 (file_create: fsynced).
 * passphrase NULL writes it plain; otherwise sealed with Argon2id at
 * libsodium's moderate limits (3 passes over 256 MiB). EM_EEXIST if path
 * exists (never overwrites an identity); EM_ENOMEM if Argon2id cannot have
 * its memory; EM_EIO. Nothing secret is left in memory. */
em_err keyfile_create(const char *path, const ident *id, const char *passphrase);

/* Loads the identity at path; on success *out is yours (ident_free()), on
 * failure NULL. passphrase is needed only for a sealed file (NULL
 * otherwise is fine). Errors: EM_EPERM (group or others can access the
 * file: the caller should say "chmod 600"), EM_ENOTFOUND, EM_EINVAL (not a
 * regular file), EM_EKEYFILE (damaged, truncated, not a key file, or
 * Argon2id costs out of bounds: above 16 passes or 1 GiB), EM_ELOCKED (sealed,
 * passphrase NULL), EM_EPASS (wrong passphrase), EM_ENOMEM, EM_ECRYPTO,
 * EM_EIO. Never creates anything. */
em_err keyfile_load(const char *path, const char *passphrase, ident **out);

/* Reads only the public part, with the same checks of the file
 * (permissions, size, checksum) but no passphrase: the node id into pk
 * and whether the file is sealed (1) or plain (0) into *sealed. EM_EPERM,
 * EM_ENOTFOUND, EM_EINVAL, EM_EKEYFILE, EM_ENOMEM, EM_EIO as for
 * keyfile_load. */
em_err keyfile_public(const char *path, uint8_t pk[static IDENT_PK_LEN], int *sealed);

#endif

/* crypto/netkey.h — the 32-byte network key and the network id.
 *
 * The key is a secret shared by a network's members (the Noise PSK). The
 * network id is derived from it one way, BLAKE2b keyed with the key, so it
 * can be shown and signed over without revealing the key. Key files hold
 * 64 hex digits and a newline. */
#ifndef EM_NETKEY_H
#define EM_NETKEY_H

#include <stdint.h>

#include "err.h"

#define NETKEY_LEN 32

/* The well-known key of the open network: BLAKE2b-256 of a public phrase. */
void netkey_open(uint8_t key[static NETKEY_LEN]);

/* A fresh random key for a consortium. */
void netkey_generate(uint8_t key[static NETKEY_LEN]);

/* The public network id of key. */
void netkey_id(const uint8_t key[static NETKEY_LEN], uint8_t id[static 32]);

/* Reads the key file at path into key: 64 hex digits (either case), then
 * optional spaces, CRs and newlines. Errors: EM_ENOTFOUND, EM_EINVAL (not
 * a regular file), EM_EFORMAT (anything else, or a file over 256 bytes),
 * EM_ENOMEM, EM_EIO; with private set, also EM_EPERM when group or others
 * can access it (file_check_private). key may be partly written on
 * failure. */
em_err netkey_read(const char *path, int private, uint8_t key[static NETKEY_LEN]);

/* Creates the key file at path, mode 0600, fsynced (file_create):
 * 64 lowercase hex digits and a newline. EM_EEXIST if path exists (never
 * overwritten), EM_EIO. */
em_err netkey_create(const char *path, const uint8_t key[static NETKEY_LEN]);

#endif

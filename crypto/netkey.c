#include "netkey.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "hex.h"

static const char open_phrase[] = "evalmesh open network v1";
static const char id_phrase[] = "evalmesh network id v1";

void
netkey_open(uint8_t key[static NETKEY_LEN])
{
	crypto_generichash(key, NETKEY_LEN, (const uint8_t *)open_phrase,
	    sizeof open_phrase - 1, NULL, 0);
}

void
netkey_generate(uint8_t key[static NETKEY_LEN])
{
	randombytes_buf(key, NETKEY_LEN);
}

void
netkey_id(const uint8_t key[static NETKEY_LEN], uint8_t id[static 32])
{
	crypto_generichash(id, 32, (const uint8_t *)id_phrase,
	    sizeof id_phrase - 1, key, NETKEY_LEN);
}

em_err
netkey_read(const char *path, int private, uint8_t key[static NETKEY_LEN])
{
	uint8_t *buf = NULL;
	size_t len;
	em_err err;

	if (private && (err = file_check_private(path)) != EM_OK)
		return err;
	if ((err = file_read(path, 256, &buf, &len)) != EM_OK)
		return err == EM_ETOOBIG ? EM_EFORMAT : err;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
	    buf[len - 1] == ' '))
		buf[--len] = 0;
	err = hex_decode(key, NETKEY_LEN, (const char *)buf);
	sodium_memzero(buf, len);
	free(buf);
	return err;
}

em_err
netkey_create(const char *path, const uint8_t key[static NETKEY_LEN])
{
	char text[2 * NETKEY_LEN + 2];
	em_err err;

	hex_encode(text, key, NETKEY_LEN);
	text[2 * NETKEY_LEN] = '\n';
	err = file_create(path, 0600, (const uint8_t *)text, sizeof text - 1);
	sodium_memzero(text, sizeof text);
	return err;
}

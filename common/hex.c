#include "hex.h"

#include <string.h>

static int
nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void
hex_encode(char *out, const uint8_t *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

em_err
hex_decode(uint8_t *out, size_t len, const char *text)
{
	if (strlen(text) != 2 * len)
		return EM_EFORMAT;
	for (size_t i = 0; i < len; i++) {
		int hi = nibble(text[2 * i]), lo = nibble(text[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return EM_EFORMAT;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return EM_OK;
}

em_err
hex_prefix(const char *text, uint8_t bytes[static ID_LEN], size_t *nibbles)
{
	size_t n = strlen(text);

	if (n < ID_PREFIX_MIN || n > ID_HEX_LEN)
		return EM_EFORMAT;
	memset(bytes, 0, ID_LEN);
	for (size_t i = 0; i < n; i++) {
		int v = nibble(text[i]);

		if (v < 0)
			return EM_EFORMAT;
		bytes[i / 2] |= (uint8_t)(i % 2 ? v : v << 4);
	}
	*nibbles = n;
	return EM_OK;
}

int
hex_prefix_match(const uint8_t id[static ID_LEN],
    const uint8_t prefix[static ID_LEN], size_t nibbles)
{
	size_t whole = nibbles / 2;

	if (memcmp(id, prefix, whole) != 0)
		return 0;
	if (nibbles % 2)
		return (id[whole] & 0xf0) == (prefix[whole] & 0xf0);
	return 1;
}

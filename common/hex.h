/* common/hex.h — the one text form of every id: lowercase hexadecimal. */
#ifndef EM_HEX_H
#define EM_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define ID_LEN		32
#define ID_HEX_LEN	64
#define ID_PREFIX_MIN	8	/* shortest id prefix a command accepts */

/* Writes 2*len lowercase hex digits and a NUL to out, which holds at
 * least 2*len + 1 bytes. */
void hex_encode(char *out, const uint8_t *in, size_t len);

/* Decodes exactly 2*len hex digits (either case), the whole of text, into
 * out[0..len). EM_EFORMAT if text has another length or a non-hex
 * character; out may then be partly written. */
em_err hex_decode(uint8_t *out, size_t len, const char *text);

/* Checks that text is an id prefix, ID_PREFIX_MIN..ID_HEX_LEN hex digits
 * (either case), and fills bytes with them (zero-padded to ID_LEN bytes)
 * and *nibbles with their count. EM_EFORMAT for a shorter or longer text
 * or a non-hex character. */
em_err hex_prefix(const char *text, uint8_t bytes[static ID_LEN], size_t *nibbles);

/* Whether the first nibbles hex digits of id equal those of prefix. */
int hex_prefix_match(const uint8_t id[static ID_LEN],
    const uint8_t prefix[static ID_LEN], size_t nibbles);

#endif

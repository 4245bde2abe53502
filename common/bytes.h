/* common/bytes.h — big-endian integers in byte buffers, the one way every
 * format of ours (records, bundles, key files, the store) writes them. */
#ifndef EM_BYTES_H
#define EM_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Writes the low width bytes of v (1..8) to p[0..width), most
 * significant first. */
static inline void
be_put(uint8_t *p, uint64_t v, size_t width)
{
	for (size_t i = width; i-- > 0; v >>= 8)
		p[i] = (uint8_t)v;
}

/* The unsigned number in p[0..width) (width 1..8), most significant byte
 * first. */
static inline uint64_t
be_get(const uint8_t *p, size_t width)
{
	uint64_t v = 0;

	if (width == 8) {
		memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		v = __builtin_bswap64(v);
#endif
		return v;
	}
	for (size_t i = 0; i < width; i++)
		v = v << 8 | p[i];
	return v;
}

#endif

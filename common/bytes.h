/* common/bytes.h — big-endian integers in byte buffers, the one way every
 * format of ours (records, bundles, key files, the store) writes them; and
 * short byte strings compared and copied without a call. */
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

/* Short byte strings — names, 32-byte ids — compared and copied inline,
 * without a call. None reads or writes a byte outside its operands:
 * lengths between whole words are covered by overlapping words. */

/* The byte-wise order of a[0..al) and b[0..bl), shorter first on a tie. */
static inline int
bytes_order(const char *a, size_t al, const char *b, size_t bl)
{
	size_t n = al < bl ? al : bl, i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t x = be_get((const uint8_t *)a + i, 8), y = be_get((const uint8_t *)b + i, 8);

		if (x != y)
			return x < y ? -1 : 1;
	}
	for (; i < n; i++)
		if (a[i] != b[i])
			return (uint8_t)a[i] < (uint8_t)b[i] ? -1 : 1;
	return (al > bl) - (al < bl);
}

/* Whether a[0..n) and b[0..n) are equal. */
static inline int
bytes_same(const char *a, const char *b, size_t n)
{
	uint64_t x, y, x2, y2;
	uint32_t u, w, u2, w2;

	if (n >= 8) {
		for (; n > 16; n -= 8, a += 8, b += 8) {
			memcpy(&x, a, 8);
			memcpy(&y, b, 8);
			if (x != y)
				return 0;
		}
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		memcpy(&x2, a + n - 8, 8);
		memcpy(&y2, b + n - 8, 8);
		return ((x ^ y) | (x2 ^ y2)) == 0;
	}
	if (n >= 4) {
		memcpy(&u, a, 4);
		memcpy(&w, b, 4);
		memcpy(&u2, a + n - 4, 4);
		memcpy(&w2, b + n - 4, 4);
		return ((u ^ w) | (u2 ^ w2)) == 0;
	}
	return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

/* Copies src[0..n) to dst[0..n); the two must not overlap. */
static inline void
bytes_copy_short(char *dst, const char *src, size_t n)
{
	uint64_t x, x2;
	uint32_t u, u2;

	if (n >= 8) {
		for (; n > 16; n -= 8, src += 8, dst += 8) {
			memcpy(&x, src, 8);
			memcpy(dst, &x, 8);
		}
		memcpy(&x, src, 8);
		memcpy(&x2, src + n - 8, 8);
		memcpy(dst, &x, 8);
		memcpy(dst + n - 8, &x2, 8);
	} else if (n >= 4) {
		memcpy(&u, src, 4);
		memcpy(&u2, src + n - 4, 4);
		memcpy(dst, &u, 4);
		memcpy(dst + n - 4, &u2, 4);
	} else {
		for (size_t i = 0; i < n; i++)
			dst[i] = src[i];
	}
}

/* The byte-wise order of two 32-byte ids. */
static inline int
bytes_order32(const uint8_t *a, const uint8_t *b)
{
	for (size_t i = 0; i < 32; i += 8) {
		uint64_t x = be_get(a + i, 8), y = be_get(b + i, 8);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

/* Whether the two 32-byte ids are equal. */
static inline int
bytes_same32(const uint8_t *a, const uint8_t *b)
{
	uint64_t d = 0;

	/* word by word into scalars: gcc moves 32-byte arrays through the
	 * stack in halves and reads them back in words it cannot forward */
	for (size_t i = 0; i < 32; i += 8) {
		uint64_t x, y;

		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		d |= x ^ y;
	}
	return d == 0;
}

#endif

/* proto/mpr.h — the bounded MessagePack reader for bytes from outside.
 *
 * msgpack-c's unpacker allocates from a declared count before checking it
 * (msgpack-c issue #1013: "dd ff 00 00 00" asks for gigabytes), so it never
 * sees a peer's or a file's bytes. This reader is driven by the schema: the
 * caller asks for exactly the type it expects, every read names a maximum,
 * a declared length or count is checked against the bytes left before
 * anything is touched, and nothing is allocated. Nesting depth is the
 * schema's own (records nest at most three arrays deep), so no input can
 * make it recurse.
 *
 * All pointers it returns borrow from the buffer given to mpr_init. */
#ifndef EM_MPR_H
#define EM_MPR_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct mpr {
	const uint8_t	*p;		/* next byte */
	size_t		 left;		/* bytes from p to the end */
	const uint8_t	*start;
	const char	*field;		/* what is being read, for errors: set by
					 * the caller (mpr_init makes it ""),
					 * a static string */
} mpr;

/* Starts reading buf[0..len), which r borrows: buf must outlive r. */
void	mpr_init(mpr *r, const uint8_t *buf, size_t len);

/* Offset of the next byte from the start of the buffer. */
size_t	mpr_offset(const mpr *r);

/* 1 when every byte has been read. Callers treat trailing bytes as an error. */
int	mpr_done(const mpr *r);

/* Every reader below takes the next value, which must be of the type it
 * reads: EM_EFORMAT for another type, EM_ETRUNC when the buffer ends
 * inside the value. After an error the position is undefined: stop
 * reading. */

/* An array header, its count in *n. EM_ETRUNC when the count exceeds the
 * bytes left (each element takes at least one), EM_ETOOBIG above max. */
em_err	mpr_array(mpr *r, uint32_t *n, uint32_t max);
/* An array header of exactly n elements, else EM_EFORMAT (or EM_ETRUNC). */
em_err	mpr_array_exact(mpr *r, uint32_t n);

/* An unsigned integer in any MessagePack int form; EM_ERANGE if negative or
 * above max. */
em_err	mpr_uint(mpr *r, uint64_t *v, uint64_t max);

/* A float32 or float64, returned as a double (NaN and infinities pass:
 * the schema decides). An integer is EM_EFORMAT. */
em_err	mpr_f64(mpr *r, double *v);

/* A bin of at most max bytes (EM_ETOOBIG above): *p borrows from the
 * buffer, *len its size. */
em_err	mpr_bin(mpr *r, const uint8_t **p, size_t *len, size_t max);
/* A bin of exactly n bytes, copied to out; EM_EFORMAT for another size. */
em_err	mpr_bin_fixed(mpr *r, uint8_t *out, size_t n);

/* A str of at most cap-1 bytes (EM_ETOOBIG above), valid UTF-8 without
 * NUL (else EM_EUTF8), copied to out and NUL-terminated. */
em_err	mpr_str(mpr *r, char *out, size_t cap);

/* If the next value is nil, consumes it and returns 1; else 0 (nothing is
 * consumed, the buffer's end included). */
int	mpr_nil(mpr *r);

#endif

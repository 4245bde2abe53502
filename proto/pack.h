/* proto/pack.h — encoding with msgpack-c's packer into a growing buffer.
 * Shared by the encoders of records, bodies and wire messages. */
#ifndef EM_PACK_H
#define EM_PACK_H

#include <msgpack.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct pack {
	msgpack_sbuffer	sb;
	msgpack_packer	pk;	/* pass &p->pk to msgpack_pack_* */
	int		failed;	/* an allocation failed somewhere */
} pack;

/* Starts an empty buffer; p is then pack_finish()ed, which frees it. */
void	pack_init(pack *p);
/* Appends the NUL-terminated s as a str, and b[0..n) as a bin (copied). */
void	pack_str(pack *p, const char *s);
void	pack_bin(pack *p, const uint8_t *b, size_t n);

/* Hands the bytes over: *out is yours (free()), *len their count.
 * EM_ENOMEM if any write failed (or nothing was written), and then
 * nothing is handed over (*out NULL, *len 0). Either way p is finished:
 * it holds nothing more to free. */
em_err	pack_finish(pack *p, uint8_t **out, size_t *len);

#endif

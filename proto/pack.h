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

void	pack_init(pack *p);
void	pack_str(pack *p, const char *s);
void	pack_bin(pack *p, const uint8_t *b, size_t n);

/* Hands the bytes over: *out is yours (free()). EM_ENOMEM if any write
 * failed, and then nothing is handed over. Either way p is finished. */
em_err	pack_finish(pack *p, uint8_t **out, size_t *len);

#endif

#include "pack.h"

#include <stdlib.h>
#include <string.h>

/* msgpack-c's sbuffer reports a failed allocation only through the return
 * of each call; this writer remembers it so one check at the end suffices. */
static int
pack_write(void *data, const char *buf, size_t len)
{
	pack *p = data;

	if (!p->failed && msgpack_sbuffer_write(&p->sb, buf, len) != 0)
		p->failed = 1;
	return p->failed ? -1 : 0;
}

void
pack_init(pack *p)
{
	p->failed = 0;
	msgpack_sbuffer_init(&p->sb);
	msgpack_packer_init(&p->pk, p, pack_write);
}

void
pack_str(pack *p, const char *s)
{
	size_t n = strlen(s);

	msgpack_pack_str(&p->pk, n);
	msgpack_pack_str_body(&p->pk, s, n);
}

void
pack_bin(pack *p, const uint8_t *b, size_t n)
{
	msgpack_pack_bin(&p->pk, n);
	msgpack_pack_bin_body(&p->pk, b, n);
}

em_err
pack_finish(pack *p, uint8_t **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (p->failed || p->sb.data == NULL) {
		msgpack_sbuffer_destroy(&p->sb);
		return EM_ENOMEM;
	}
	*out = (uint8_t *)p->sb.data;	/* sbuffer data is malloc'd */
	*len = p->sb.size;
	return EM_OK;
}

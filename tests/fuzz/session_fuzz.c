/* libFuzzer: a session (responder, then initiator) fed hostile bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "hash.h"
#include "session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
drive(int initiator, const ident *me, const uint8_t *data, size_t size)
{
	static const uint8_t key[32] = { 1 };
	session *s;
	size_t used;
	const uint8_t *m;
	size_t mlen;

	if (session_new(initiator, me, key, NULL, 4096, &s) != EM_OK)
		return;
	while (size > 0) {
		if (session_feed(s, data, size, &used) != EM_OK)
			break;
		if (used == 0 && !session_next(s, &m, &mlen))
			abort();	/* no progress and nothing to drain */
		while (session_next(s, &m, &mlen))
			;
		data += used;
		size -= used;
	}
	session_free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ident *me;

	if (me == NULL) {
		hash_init();
		ident_generate(&me);
	}
	drive(0, me, data, size);
	drive(1, me, data, size);
	return 0;
}

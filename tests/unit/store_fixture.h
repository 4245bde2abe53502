/* tests/unit/store_fixture.h — what the store's test programs share: the
 * network their records belong to, set up once, and short names for a
 * fresh store and an opened record in it. Include once, after cmocka. */
#ifndef EM_STORE_FIXTURE_H
#define EM_STORE_FIXTURE_H

#include "testutil.h"

static uint8_t netid[32];

static int
setup(void **state)
{
	(void)state;
	tu_netid(netid);
	return 0;
}

#define fresh(dir, map)		tu_store(dir, map, netid)
#define open_rec(buf, len, env)	tu_open(buf, len, netid, env)

#endif

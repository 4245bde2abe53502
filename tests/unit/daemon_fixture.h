/* tests/unit/daemon_fixture.h — what the daemon's test programs share
 * (dial_test, fetch_test, control_test): a daemon_state on a fake clock
 * (fake_clock.h) with a real store and a gossip core, but no loop, no
 * sockets and no connections, so that the daemon's own functions run
 * hours of timing in milliseconds. Include once, after cmocka. */
#ifndef EM_DAEMON_FIXTURE_H
#define EM_DAEMON_FIXTURE_H

#include <stdlib.h>

#include "daemon_impl.h"
#include "fake_clock.h"
#include "store_fixture.h"

#define MONO0	1000ull			/* where the monotonic clock starts */
#define WALL0	1764000000000ull	/* 2025-11-24, in ms */

typedef struct fixture {
	char		 dir[512];
	fake_clock	 f;
	daemon_state	*d;
} fixture;

static int
fx_setup(void **state)
{
	fixture *fx = calloc(1, sizeof *fx);
	gossip_host gh;

	assert_non_null(fx);
	setup(NULL);
	fake_clock_init(&fx->f, MONO0, WALL0, 11);
	assert_non_null(fx->d = calloc(1, sizeof *fx->d));
	fx->d->clock = &fx->f.c;
	fx->d->st = fresh(fx->dir, 0);
	fx->d->o.max_out = 8;
	fx->d->started = MONO0;
	snprintf(fx->d->o.listen, sizeof fx->d->o.listen, "127.0.0.1:1");
	host_init(fx->d, &gh);
	assert_int_equal(gossip_new(&gh, NULL, &fx->d->g), EM_OK);
	*state = fx;
	return 0;
}

static int
fx_teardown(void **state)
{
	fixture *fx = *state;

	fetch_free(fx->d);
	gossip_free(fx->d->g);
	store_free(fx->d->st);
	tu_rmtree(fx->dir);
	free(fx->d->ours);	/* host_commit's (daemon_run frees it) */
	intake_free(fx->d);	/* task records taken in (daemon_run frees it) */
	free(fx->d);
	free(fx);
	return 0;
}

#endif

/* Every author reaches every node, at scale, on the simulator: a node
 * that joins late gets a million records of a hundred thousand authors
 * from the three it joins, by reconciliation alone (the per-author
 * summaries this replaced stopped at 8,192 authors). Few nodes, since the
 * simulator keeps a row per record per node; small records (revocations
 * of ~150 bytes), since it keeps each record once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <time.h>

#include "gossip.h"
#include "sim.h"

static double
secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_late_joiner_million(void **state)
{
	const sim_opts o = {
		.nodes = 4, .degree = 3, .loss = 0.01, .lat_min_ms = 20, .lat_max_ms = 80,
		.records = 1000000, .authors = 100000, .seed = 13, .small = 1,
	};
	double t0 = secs(), t1;
	uint64_t pushed = 0, dups = 0, bytes_in = 0;
	gossip_stats st;
	sim_stats ss;
	sim *s;

	(void)state;
	s = sim_new(&o);
	t1 = secs();
	for (uint32_t r = 0; r < o.records; r++)	/* imported before the run */
		for (uint32_t n = 0; n < 3; n++)
			sim_preload(s, n, r);
	assert_int_equal(sim_held(s, 3), 0);
	while (sim_held(s, 3) < o.records && sim_now(s) < 3600000)
		sim_run_until(s, sim_now(s) + 10000);
	assert_int_equal(sim_held(s, 3), o.records);
	assert_true(sim_converged(s));
	sim_stats_of(s, 0, &ss);
	assert_int_equal(ss.drops, 0);		/* nobody was banned for it */
	sim_node_stats(s, 3, &st);
	dups = st.duplicates[WIRE_SYNC];
	bytes_in = st.recon_bytes_in;
	for (uint32_t n = 0; n < 3; n++) {
		gossip_stats p;

		sim_node_stats(s, n, &p);
		pushed += p.sync_pushed;
	}
	print_message("late joiner: %u records of %u authors in %.0f s simulated "
	    "(%.0f s to sign them, %.0f s to run); %llu pushed to it, %llu of them "
	    "twice; %.1f MiB of reconciliation messages in, %llu sessions started, "
	    "%llu answered\n", o.records, o.authors, sim_now(s) / 1000.0, t1 - t0,
	    secs() - t1, (unsigned long long)pushed, (unsigned long long)dups,
	    bytes_in / 1048576.0, (unsigned long long)st.sessions_started,
	    (unsigned long long)st.sessions_answered);
	assert_true(dups * 10 <= o.records);	/* under 10% twice (4.7% at seed 13) */
	sim_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_late_joiner_million),
	};

#ifdef EM_SANITIZED
	/* the scale is the point here, not memory safety, which the sim test
	 * checks on the same code at a size the sanitizers can carry */
	printf("sim_large: skipped under the sanitizers: a million records need about "
	    "10 GB of shadow memory and over 20 minutes on 2 cores (the gcc pass runs it)\n");
	return 77;
#endif
	return cmocka_run_group_tests(tests, NULL, NULL);
}

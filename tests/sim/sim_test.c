/* The gossip state machines on a simulated network of 1,000 nodes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "sim.h"

static const sim_opts base = {
	.nodes = 1000, .degree = 8, .loss = 0.01, .lat_min_ms = 20,
	.lat_max_ms = 80, .records = 64, .authors = 8, .seed = 1,
};

static void
test_one_record_reaches_every_node(void **state)
{
	sim *s = sim_new(&base);
	sim_stats st;

	(void)state;
	sim_run_until(s, 1000);
	sim_publish(s, 17, 0);
	assert_true(sim_run_until_held(s, 0, 60000));
	sim_stats_of(s, 0, &st);
	assert_int_equal(st.reachable, 1000);
	assert_int_equal(st.holders, 1000);
	assert_int_equal(st.drops, 0);	/* loss never gets an honest peer banned */
	print_message("1000 nodes: 100%% in %llu ms, %u hops\n",
	    (unsigned long long)st.t100_ms, st.hops100);
	sim_free(s);
}

static void
test_thirty_percent_crash(void **state)
{
	sim_opts o = base;
	sim *s;
	sim_stats st;
	uint64_t rng = 99;
	uint32_t crashed = 0;
	static uint8_t dead[1000];

	(void)state;
	o.seed = 2;
	s = sim_new(&o);
	sim_run_until(s, 1000);
	sim_publish(s, 0, 0);	/* the tree forms over the whole mesh */
	assert_true(sim_run_until_held(s, 0, 60000));
	while (crashed < 300) {	/* then 30% die at once */
		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		uint32_t victim = 1 + (uint32_t)(rng >> 33) % 999;

		if (!dead[victim]) {
			dead[victim] = 1;
			sim_crash(s, victim);
			crashed++;
		}
	}
	sim_publish(s, 0, 1);
	assert_true(sim_run_until_held(s, 1, sim_now(s) + 60000));
	sim_stats_of(s, 1, &st);
	assert_int_equal(st.live, 700);
	/* every live node the publisher can still reach has it, and the
	 * crash cut off hardly anyone */
	assert_int_equal(st.holders, st.reachable);
	assert_true(st.reachable * 100 >= st.live * 99);
	print_message("30%% crashed: %u of %u live nodes reachable, all hold it, %llu ms\n",
	    st.reachable, st.live, (unsigned long long)st.t100_ms);
	sim_free(s);
}

static void
test_partition_then_heal(void **state)
{
	sim_opts o = base;
	sim *s;
	uint64_t t;

	(void)state;
	o.seed = 3;
	o.records = 16;
	s = sim_new(&o);
	sim_run_until(s, 500);
	sim_partition(s, 1);
	for (uint32_t r = 0; r < 16; r++)	/* even records in one half, odd in the other */
		sim_publish(s, r % 2 ? 999 - r : r, r);
	sim_run_until(s, 10000);
	assert_false(sim_converged(s));
	assert_int_equal(sim_held(s, 0), 8);
	assert_int_equal(sim_held(s, 999), 8);
	sim_partition(s, 0);
	for (t = sim_now(s); t < 120000 && !sim_converged(s); t += 100)
		sim_run_until(s, t);
	assert_true(sim_converged(s));
	for (uint32_t i = 0; i < 1000; i += 111)
		assert_int_equal(sim_held(s, i), 16);
	print_message("partition healed: converged %llu ms after healing\n",
	    (unsigned long long)(sim_now(s) - 10000));
	sim_free(s);
}

/* One workload on 200 nodes: 20 records published 50 ms apart, then the
 * network left to settle; the last record's statistics. */
static void
workload(uint64_t seed, sim_stats *out)
{
	sim_opts o = base;
	sim *s;

	o.nodes = 200;
	o.seed = seed;
	s = sim_new(&o);
	for (uint32_t r = 0; r < 20; r++) {
		sim_publish(s, r * 7 % 200, r);
		sim_run_until(s, sim_now(s) + 50);
	}
	sim_run_until(s, 8000);
	sim_stats_of(s, 19, out);
	sim_free(s);
}

/* One seed reproduces a run; another seed, on the same workload, gives
 * another (a simulator that ignored its seed would fail the second). */
static void
test_seed_reproduces_run(void **state)
{
	sim_stats a, b, c;

	(void)state;
	workload(7, &a);
	workload(7, &b);
	assert_true(a.t100_ms == b.t100_ms && a.copies == b.copies &&
	    a.messages == b.messages && a.bytes == b.bytes);
	workload(8, &c);
	assert_false(a.t100_ms == c.t100_ms && a.copies == c.copies &&
	    a.messages == c.messages && a.bytes == c.bytes);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_record_reaches_every_node),
		cmocka_unit_test(test_thirty_percent_crash),
		cmocka_unit_test(test_partition_then_heal),
		cmocka_unit_test(test_seed_reproduces_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

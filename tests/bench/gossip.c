/* tests/bench/gossip — dissemination on the simulated network.
 *
 * 1,000 nodes on a random mesh (mean degree 8), 1% message loss, 20-80 ms
 * links. R records by A authors are published, one every 100 ms, each at
 * its author's node (a lab publishes its own results); for each we
 * measure the time and hops to 99% and 100% of the nodes, and the
 * relative message redundancy: payload copies received per node per
 * record, minus one; and the wire traffic per node per record beside the
 * records' real size. Prints only; asserts nothing about speed.
 * For reference: a flood over an 8-regular mesh gives ~6, gossipsub ~3,
 * SSB's naive replication 8.9; Plumtree's eager/lazy push approaches 0. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "netkey.h"
#include "sim.h"
#include "testutil.h"

/* The mean size of the records the simulator publishes, and the least and
 * most: the same records as its pool (tests/sim/sim.c, make_pool: result
 * body r, signed as seq r / authors + 1 on the open network). The signing
 * key does not change a record's size, so any key will do. */
static double
record_size(const sim_opts *o, size_t *least, size_t *most)
{
	uint8_t key[32], netid[32], *rec;
	size_t len, sum = 0;
	ident *who;

	hash_init();
	netkey_open(key);
	netkey_id(key, netid);
	if (ident_generate(&who) != EM_OK)
		exit(1);
	*least = SIZE_MAX;
	*most = 0;
	for (uint32_t r = 0; r < o->records; r++) {
		tu_record(who, netid, r / o->authors + 1, r, &rec, &len);
		sum += len;
		*least = len < *least ? len : *least;
		*most = len > *most ? len : *most;
		free(rec);
	}
	ident_free(who);
	return (double)sum / o->records;
}

int
main(int argc, char **argv)
{
	sim_opts o = { .nodes = 1000, .degree = 8, .loss = 0.01, .lat_min_ms = 20,
	    .lat_max_ms = 80, .records = 100, .authors = 10, .seed = 42 };
	sim *s;
	sim_stats st, first;
	double red_sum = 0, push_sum = 0, t99 = 0, t100 = 0, h99 = 0, h100 = 0;
	uint64_t rng = 7, msgs0, bytes0;
	uint32_t R, missed = 0, home[64];
	size_t least, most;
	double size, per_node;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--nodes") == 0)
			o.nodes = (uint32_t)strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--records") == 0)
			o.records = (uint32_t)strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--seed") == 0)
			o.seed = strtoull(argv[i + 1], NULL, 10);
	}
	if (o.nodes < 2 || o.records < 1 || o.records < o.authors) {
		fprintf(stderr, "usage: gossip [--nodes N>=2] [--records R>=10] [--seed S]\n");
		return 2;
	}
	R = o.records;
	s = sim_new(&o);
	sim_run_until(s, 2000);	/* a first anti-entropy round everywhere */
	sim_stats_of(s, 0, &st);
	msgs0 = st.messages;
	bytes0 = st.bytes;
	for (uint32_t a = 0; a < o.authors && a < 64; a++) {
		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		home[a] = (uint32_t)(rng >> 33) % o.nodes;
	}
	for (uint32_t r = 0; r < R; r++) {
		sim_publish(s, home[r % o.authors], r);
		sim_run_until(s, sim_now(s) + 100);
	}
	sim_run_until(s, sim_now(s) + 20000);
	for (uint32_t r = 0; r < R; r++) {
		sim_stats_of(s, r, &st);
		if (r == 0)
			first = st;
		missed += st.holders != st.reachable;
		red_sum += (double)st.copies / st.holders - 1.0;
		push_sum += (double)st.pushed / st.holders;
		t99 += st.t99_ms;
		t100 += st.t100_ms;
		h99 += st.hops99;
		h100 += st.hops100;
	}
	printf("gossip simulation: %u nodes, mean degree %u, %.0f%% loss, %u-%u ms links, "
	    "%u records, seed %llu\n", o.nodes, o.degree, o.loss * 100, o.lat_min_ms,
	    o.lat_max_ms, R, (unsigned long long)o.seed);
	printf("first record:   99%% in %llu ms (%u hops), 100%% in %llu ms (%u hops), "
	    "redundancy %.2f\n", (unsigned long long)first.t99_ms, first.hops99,
	    (unsigned long long)first.t100_ms, first.hops100,
	    (double)first.copies / first.holders - 1.0);
	printf("mean of all:    99%% in %.0f ms (%.1f hops), 100%% in %.0f ms (%.1f hops), "
	    "redundancy %.3f\n", t99 / R, h99 / R, t100 / R, h100 / R, red_sum / R);
	printf("payload copies per node per record: %.3f by eager push, %.3f by want "
	    "or anti-entropy\n", push_sum / R, (red_sum + R - push_sum) / R);
	printf("records not at every reachable node: %u; peers dropped: %llu\n", missed,
	    (unsigned long long)st.drops);
	size = record_size(&o, &least, &most);
	per_node = (double)(st.bytes - bytes0) / o.nodes / R;
	printf("wire traffic per node per record: %.1f messages, %.0f bytes = %.2f x the record "
	    "(%.0f bytes on average, %zu-%zu)\n", (double)(st.messages - msgs0) / o.nodes / R,
	    per_node, per_node / size, size, least, most);
	printf("reference redundancy: flood on 8-regular ~6, gossipsub ~3, SSB 8.9, "
	    "target <= 0.5\n");
	sim_free(s);
	return missed != 0;
}

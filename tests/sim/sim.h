/* tests/sim/sim.h — a simulated network for the gossip state machines.
 *
 * The same proto/gossip.c the daemon runs, driven by a simulated clock and
 * network: N nodes on a random mesh, a latency per link, message loss,
 * crashes and partitions. Messages travel as real encoded wire messages and
 * records are real signed records. One seed reproduces a run exactly. */
#ifndef EM_SIM_H
#define EM_SIM_H

#include <stdint.h>

struct gossip_opts;
struct gossip_stats;

typedef struct sim_opts {
	uint32_t	nodes;		/* default 1000 */
	uint32_t	degree;		/* mean links per node (default 8) */
	double		loss;		/* probability a message is lost (0.01) */
	uint32_t	lat_min_ms;	/* link latency, uniform (20..80) */
	uint32_t	lat_max_ms;
	uint32_t	records;	/* records in the pool to publish (64) */
	uint32_t	authors;	/* authors signing them (8) */
	int		small;		/* revocations of ~150 bytes, not results
					 * of ~850: for a million records */
	uint64_t	seed;
	const struct gossip_opts *gossip;	/* NULL: the defaults */
} sim_opts;

typedef struct sim sim;

/* A network, connected by construction. Exits the process on OOM. */
sim	*sim_new(const sim_opts *opts);
void	 sim_free(sim *s);

uint64_t sim_now(const sim *s);

/* Node publishes pool record r (records are taken in each author's order). */
void	 sim_publish(sim *s, uint32_t node, uint32_t r);

/* Node holds pool record r as if it had it before the run (imported
 * while offline): nothing is sent. */
void	 sim_preload(sim *s, uint32_t node, uint32_t r);

/* The gossip core's counters of a node (gossip.h). */
void	 sim_node_stats(sim *s, uint32_t node, struct gossip_stats *out);

/* Advances the clock to t, delivering messages and ticking the nodes. */
void	 sim_run_until(sim *s, uint64_t t_ms);

/* Runs until every live node reachable from node holds record r, or until
 * the deadline; returns 1 if it got there. */
int	 sim_run_until_held(sim *s, uint32_t r, uint64_t deadline_ms);

/* Stops a node for good: it neither sends nor receives. */
void	 sim_crash(sim *s, uint32_t node);

/* Cuts (on) or heals (off) every link between the two halves of the nodes. */
void	 sim_partition(sim *s, int on);

typedef struct sim_stats {
	uint32_t	live, reachable;	/* live nodes; those reachable from the publisher */
	uint32_t	holders;		/* reachable live nodes holding the record */
	uint64_t	t99_ms, t100_ms;	/* from publication to 99% and 100% of reachable */
	uint32_t	hops99, hops100;	/* the most hops among the first 99% / all */
	uint64_t	copies;			/* payload copies received, duplicates included */
	uint64_t	pushed;			/* ... of them by eager push */
	uint64_t	drops;			/* peers dropped by a node (honest: 0) */
	uint64_t	messages, bytes;	/* wire messages sent, all kinds */
} sim_stats;

/* Statistics of pool record r. */
void	 sim_stats_of(sim *s, uint32_t r, sim_stats *out);

/* 1 if every live node holds exactly the same set of records. */
int	 sim_converged(sim *s);

/* Records held by a node. */
uint32_t sim_held(sim *s, uint32_t node);

#endif

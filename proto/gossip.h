/* proto/gossip.h — dissemination and anti-entropy as a pure state machine.
 *
 * No sockets, no event loop, no database, no clock: the host (the daemon,
 * or the simulator in tests/sim) passes decoded messages and the time in,
 * and the state machine answers through the host's callbacks: messages to
 * send, peers to drop, records to check and store.
 *
 * Dissemination is Plumtree-like (Leitão et al., "Epidemic Broadcast
 * Trees"): a new record is pushed at once to the eager peers and announced
 * by id (have) to the lazy ones. A duplicate pushed by an eager peer is
 * answered with prune, which makes that link lazy, so the eager links thin
 * out towards a spanning tree and payload redundancy towards zero. An id
 * announced but not received within a timeout is asked for (want) from the
 * peer that announced it, and that link turns eager again: the tree heals
 * around lost messages and dead nodes. Links are eager or lazy per author
 * and per direction: a peer that pushed us (or answered a want with) a
 * record we lacked is upstream in its author's tree, and that author's
 * records are not pushed back to it; nor is a record pushed or announced
 * to a peer that announced it to us. Under a burst, when the host says
 * a peer is slow to take what we write (gossip_host's backlog), pushes
 * to it wait as ids and are decided when there is room (late binding).
 *
 * Anti-entropy is range-based set reconciliation of record ids (recon.h):
 * each round a node starts a session with one peer (one it has not yet
 * synced with, else a random one), and the two exchange recon messages
 * (wire.h) until every range of the id space is settled, each side
 * pushing the records the other lacks (WIRE_SYNC, at most ae_bytes of
 * them a session; the next session finds the rest). Cost follows the
 * difference, never the number of authors or records: identical stores
 * settle in one round trip of a few hundred bytes, and two that differ by
 * ten records in about three. Rounds back off while sessions find
 * nothing, doubling from ae_ms up to ae_max_ms, and come back to ae_ms,
 * the next one soon, as soon as one finds a difference or brings a
 * record: a session walks the id set on both sides, and an idle node
 * with a large store should not pay that every second (a million ids in
 * LMDB: about 75 ms a walk, so 15-20% of a core at 1 s rounds, where
 * each node starts a session and answers one; under 1% at 30 s;
 * tests/bench/idle.sh). A peer that lacks many
 * records is pushed a uniform sample of them, so that the peers it syncs
 * with at once push it different ones; a record already pushed to that
 * peer in the last PUSHED_MS, or that arrived here in the last ARRIVED_MS
 * (push and graft are carrying it), is left out. A record that came by
 * reconciliation is announced (have), not pushed: most peers hold it.
 *
 * Each peer has two session slots: mine (the session this node started
 * with it) and theirs (the one it started: at most one begins per ae_ms/2,
 * sooner ones go unanswered). A session of mine that stays unanswered for
 * GOSSIP_RECON_IDLE_MS is dropped and the peer pays PENALTY_UNANSWERED; theirs,
 * dropped silently. A message the reconciliation reader refuses costs
 * PENALTY_MALFORMED (the reason is recon_why's). The work a peer's
 * messages cause (keys walked, in walks of the whole set) comes from a
 * bucket per peer, GOSSIP_WORK_RATE walks per ae_ms up to
 * GOSSIP_WORK_BURST (a new peer starts with GOSSIP_WORK_RATE: one that
 * reconnects gets no more than one that stays): when it is empty the
 * peer's session is stopped (recon_stop), and no session with it begins,
 * either way, until a whole walk has refilled. A session is stopped too
 * once its push budget is spent (it would find only what it cannot push).
 * A new peer brings the next round to within ae_ms, and is the first
 * one synced with.
 *
 * Each peer has limits (message rate, outstanding wants) and a misbehaviour
 * score; at GOSSIP_BAN_SCORE the host is told to drop and ban it.
 *
 * What a peer's asks make us send is bounded in bytes, not messages: a
 * want or a reconciliation message of a few bytes can ask for megabytes.
 * Each peer has an answer budget, a token bucket of bytes (answer_rate
 * per second, up to answer_burst; a new peer starts with one second's
 * worth), which every answer to its asks is charged: records it wanted,
 * records a session pushes to it, our messages in the sessions it starts,
 * and what the host sends in answer to its asks (task chunks:
 * gossip_answer). Eager pushes of new records are not answers and are not
 * charged. When the budget runs out, a session pushes the rest later (it
 * is stopped: a later one finds them), and wanted ids wait (at most
 * WIRE_IDS_MAX of them) until it refills; wants beyond those waiting are
 * asks no honest node makes ("more than it can receive") and cost the
 * peer PENALTY_FLOOD.
 *
 * A record from a peer is checked in this order, each step once: the
 * message's rate (gossip_admit) and size (wire_decode, by the host); a
 * duplicate by id (a hash, has), dropped before anything else is read;
 * its decoding (rec_parse, here, the only parse); its author's rate; then
 * the host's ingest, which checks the signature over the exact bytes
 * received (rec_verify) and equivocation, and takes it. A record is
 * forwarded only once it is durable where it was taken (GOSSIP_HELD,
 * then gossip_stored): a node never passes on what it may lose. */
#ifndef EM_GOSSIP_H
#define EM_GOSSIP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "record.h"
#include "wire.h"

#define GOSSIP_BAN_SCORE	100
#define GOSSIP_RECON_IDLE_MS	10000	/* a session silent this long is dropped */
#define GOSSIP_WORK_RATE	2	/* walks of the id set a peer may cause per ae_ms */
#define GOSSIP_WORK_BURST	16	/* ... and at once */
#define GOSSIP_PUSH_BACKLOG	(16 * 1024)	/* bytes the host may hold for a
						 * peer before pushes to it wait */

/* What the host's ingest callback says of a record. */
enum gossip_verdict {
	GOSSIP_NEW = 0,		/* valid and stored */
	GOSSIP_DUP = 1,		/* already held */
	GOSSIP_EQUIV = 2,	/* valid, stored as new evidence of equivocation */
	GOSSIP_INVALID = 3,	/* malformed or badly signed: the sender pays */
	GOSSIP_LATER = 4,	/* not taken now (busy, limits, a store that
				 * fails): ask again later */
	GOSSIP_HELD = 5,	/* valid and taken, not yet durable: spread
				 * only when the host says it is
				 * (gossip_stored), never if it is not */
};

/* Penalties added to a peer's score. */
enum gossip_penalty {
	PENALTY_MALFORMED = 50,		/* a frame or message that does not decode */
	PENALTY_INVALID = 25,		/* a record that fails verification */
	PENALTY_FLOOD = 10,		/* over a rate limit */
	PENALTY_UNANSWERED = 2,		/* a want or a session left unanswered */
};

/* The host's side. Every pointer passed to a callback is borrowed for
 * that call only. */
typedef struct gossip_host {
	void	*ctx;
	/* 1 if the record with this id is held. */
	int	(*has)(void *ctx, const uint8_t id[static 32]);
	/* A record from a peer, not held (has said so), decoded: env is
	 * rec_parse's (envelope and body well formed, the id computed), its
	 * signature not yet checked. The host verifies the signature
	 * (rec_verify: GOSSIP_INVALID if it fails) and takes the record;
	 * returns an enum gossip_verdict. env and what it borrows (bytes,
	 * body, sig) belong to the message and last only for the call: a host
	 * that keeps the record copies env->bytes and rec_rebase()s its copy
	 * of env onto them, with no second parse. how is the way it came
	 * (enum wire_how): a host that answers GOSSIP_HELD keeps it for
	 * gossip_stored. GOSSIP_NEW and GOSSIP_EQUIV mean the record is
	 * durable already, and it is spread at once. */
	int	(*ingest)(void *ctx, const rec_env *env, int how);
	/* A copy of a held record: 0 with *rec (malloc()ed; the state machine
	 * frees it) and *len, or -1 if not held. */
	int	(*get)(void *ctx, const uint8_t id[static 32], uint8_t **rec,
		    size_t *len);
	/* The ids of the records held, as reconciliation's sorted key set
	 * (recon.h's recon_host). keys_open begins a view that stays as it
	 * is until keys_close (a store: one read transaction); seek, next
	 * and count read it and are called only between the two, with no
	 * other callback in between. keys_open returns 0, or a negative
	 * em_err (then the round, or the message, is skipped; a session
	 * left waiting times out). The host may do work of its own in
	 * keys_open, even drop peers. The others are recon_host's (count
	 * is required here). */
	int	(*keys_open)(void *ctx);
	int	(*keys_seek)(void *ctx, const uint8_t from[static 32],
		    uint8_t key[static 32]);
	int	(*keys_next)(void *ctx, uint8_t key[static 32]);
	int	(*keys_count)(void *ctx, uint64_t *n);
	void	(*keys_close)(void *ctx);
	/* Queues an encoded wire message for a peer (copy msg to keep it). */
	void	(*send)(void *ctx, uint32_t peer, const uint8_t *msg, size_t len);
	/* Disconnects a peer, already gone from the state machine; ban asks
	 * the host to refuse it for a while. reason: gossip_penalize's why. */
	void	(*drop)(void *ctx, uint32_t peer, const char *reason, int ban);
	/* Uniform random 64 bits (seeded by the host, for reproducible runs). */
	uint64_t (*rand)(void *ctx);
	/* Optional (NULL: pushes go out at once). The bytes sent to a peer
	 * that it has not taken yet (the host's queue and the socket's).
	 * While that is GOSSIP_PUSH_BACKLOG or more, eager pushes to the
	 * peer wait as ids and are made later (gossip_flush, gossip_tick),
	 * as late as possible: dropped if the peer shows meanwhile that it
	 * holds the record (it sent it, or announced it), announced instead
	 * if it pruned the link. A push that waits in a slow link's queue
	 * is the duplicate a prune would have stopped. */
	size_t	(*backlog)(void *ctx, uint32_t peer);
} gossip_host;

typedef struct gossip_opts {
	uint32_t	eager_max;	/* eager peers at most (default 4) */
	uint32_t	graft_ms;	/* have without the record: want after (150) */
	uint32_t	want_ms;	/* want unanswered: try the next announcer (1000) */
	uint32_t	ae_ms;		/* anti-entropy round every (1000) ... */
	uint32_t	ae_max_ms;	/* ... backing off to (30000) while idle */
	uint32_t	ae_bytes;	/* record bytes pushed per session (1 MiB) */
	uint32_t	msg_rate;	/* messages per second per peer (2000) */
	uint32_t	msg_burst;	/* ... and the burst allowed (8000) */
	uint32_t	author_rate;	/* new records per author per minute (20000) */
	uint32_t	answer_rate;	/* bytes per second a peer's asks may make
					 * us send (4 MiB) */
	uint32_t	answer_burst;	/* ... and the burst allowed (8 MiB) */
} gossip_opts;

typedef struct gossip gossip;

/* A state machine. host is copied (the callbacks and ctx must stay valid
 * until gossip_free). opts NULL gives the defaults above; a field of opts
 * left 0 takes its default. On success *out is yours: gossip_free().
 * EM_EINVAL if a callback is NULL or ae_max_ms < ae_ms; EM_ENOMEM. Times
 * (now_ms below) are ms on one clock of the host's; one that steps back
 * delays timers and rate refills until it catches up. */
em_err	gossip_new(const gossip_host *host, const gossip_opts *opts, gossip **out);
void	gossip_free(gossip *g);		/* NULL is fine */

/* A connection to peer (the host's handle) is up. EM_EEXIST if that
 * handle is up already, EM_ETOOBIG with 256 peers up. */
em_err	gossip_peer_up(gossip *g, uint32_t peer, uint64_t now_ms);
/* The connection is gone; an unknown handle is ignored. */
void	gossip_peer_down(gossip *g, uint32_t peer);

/* A record this node just stored (published here or imported): spread it.
 * env is as rec_parse gave it (the store's copy: not parsed again here);
 * it and its bytes are read during the call only. */
void	gossip_publish(gossip *g, const rec_env *env, uint64_t now_ms);

/* A record ingest answered GOSSIP_HELD for is durable now (committed):
 * spread it on as it would have been at once, to every peer up but from
 * (the peer it came from; one gone since is fine) — pushed to the eager
 * ones and announced to the lazy, or announced to all when how (ingest's)
 * is WIRE_SYNC. env as gossip_publish's. A held record that never
 * becomes durable is simply never given here: nothing is forwarded that
 * this node may have lost. */
void	gossip_stored(gossip *g, const rec_env *env, uint32_t from, int how);

/* Call for every message a peer sends, of any type, before handling it:
 * 1 if it is within the peer's rate, 0 if over (the peer is penalized,
 * and may be dropped: drop the message) or the peer is unknown. */
int	gossip_admit(gossip *g, uint32_t peer, uint64_t now_ms);

/* A decoded message from peer (m is read during the call only): have,
 * want, records, recon or prune; other types are the host's (hello,
 * peers, ping, pong, bye, chunks) and ignored here, as is an unknown peer. */
void	gossip_recv(gossip *g, uint32_t peer, const wire_msg *m, uint64_t now_ms);

/* Charges bytes the host is about to send peer in answer to its asks
 * (task chunks) to its answer budget at now_ms: 1 if the budget holds
 * them (they are taken), 0 if not (nothing is taken: send nothing now,
 * and try again later, as the budget refills) or peer is not known. An
 * answer over answer_burst is allowed once the budget is full. */
int	gossip_answer(gossip *g, uint32_t peer, size_t bytes, uint64_t now_ms);

/* Adds points to peer's score; at GOSSIP_BAN_SCORE the peer is taken out
 * (as gossip_peer_down) and the host's drop called with why and ban set.
 * An unknown peer is ignored. */
void	gossip_penalize(gossip *g, uint32_t peer, int points, const char *why);

/* Timers: overdue wants, anti-entropy, wants that waited for a peer's
 * answer budget; also sends queued announcements.
 * Call it at least every 50 ms or so. */
void	gossip_tick(gossip *g, uint64_t now_ms);

/* Sends the announcements queued since the last flush, and the pushes
 * that waited for room (gossip_host's backlog). Call after each batch of
 * input, so several new records share one have. */
void	gossip_flush(gossip *g);

typedef struct gossip_peer_info {
	uint32_t	peer;
	int		eager;
	int		score;
} gossip_peer_info;

/* Fills out[0..min(cap, n)) with the peers up; returns n, their number. */
uint32_t gossip_peers(const gossip *g, gossip_peer_info *out, uint32_t cap);

/* The time (a now_ms given) a reconciliation session this node started
 * last ended; 0: none. */
uint64_t gossip_last_sync(const gossip *g);

/* Counters since gossip_new. */
typedef struct gossip_stats {
	uint64_t	received[3];	/* records received, by enum wire_how */
	uint64_t	duplicates[3];	/* ... of them held already */
	uint64_t	sync_pushed;	/* records we pushed in sessions */
	uint64_t	sessions_started;	/* mine */
	uint64_t	sessions_answered;	/* theirs begun */
	uint64_t	sessions_completed;	/* mine that ended */
	uint64_t	sessions_stopped;	/* ended early: budget or work */
	uint64_t	sessions_refused;	/* theirs begun too soon, or no work left */
	uint64_t	sessions_failed;	/* a message refused, or the key set failed */
	uint64_t	sessions_unanswered;	/* mine dropped after GOSSIP_RECON_IDLE_MS */
	uint64_t	recon_bytes_in, recon_bytes_out;	/* payloads */
	uint64_t	walks_milli;	/* keys walked, in thousandths of the set */
	uint32_t	ae_period_ms;	/* the round period now */
} gossip_stats;

void	gossip_get_stats(const gossip *g, gossip_stats *out);

#endif

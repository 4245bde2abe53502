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
 * around lost messages and dead nodes.
 *
 * Anti-entropy: periodically each node sends a random peer its per-author
 * summary (highest contiguous and highest seq per author). The receiver
 * pushes what the sender lacks and, if it lacks something itself, answers
 * with its own summary, so any two nodes converge, and the cost follows the
 * difference (plus one entry per author), not the number of records.
 *
 * Each peer has limits (message rate, outstanding wants) and a misbehaviour
 * score; at GOSSIP_BAN_SCORE the host is told to drop and ban it.
 *
 * A record from a peer is checked in this order, each step once: the
 * message's rate (gossip_admit) and size (wire_decode, by the host); a
 * duplicate by id (a hash, has), dropped before anything else is read;
 * its decoding (rec_parse, here, the only parse); its author's rate; then
 * the host's ingest, which checks the signature over the exact bytes
 * received (rec_verify) and equivocation, and takes it. */
#ifndef EM_GOSSIP_H
#define EM_GOSSIP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "record.h"
#include "wire.h"

#define GOSSIP_BAN_SCORE	100

/* What the host's ingest callback says of a record. */
enum gossip_verdict {
	GOSSIP_NEW = 0,		/* valid and stored */
	GOSSIP_DUP = 1,		/* already held */
	GOSSIP_EQUIV = 2,	/* valid, stored as new evidence of equivocation */
	GOSSIP_INVALID = 3,	/* malformed or badly signed: the sender pays */
	GOSSIP_LATER = 4,	/* not taken now (busy, limits): ask again later */
};

/* Penalties added to a peer's score. */
enum gossip_penalty {
	PENALTY_MALFORMED = 50,		/* a frame or message that does not decode */
	PENALTY_INVALID = 25,		/* a record that fails verification */
	PENALTY_FLOOD = 10,		/* over a rate limit */
	PENALTY_UNANSWERED = 2,		/* a want left unanswered */
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
	 * of env onto them, with no second parse. */
	int	(*ingest)(void *ctx, const rec_env *env);
	/* A copy of a held record: 0 with *rec (malloc()ed; the state machine
	 * frees it) and *len, or -1 if not held. */
	int	(*get)(void *ctx, const uint8_t id[static 32], uint8_t **rec,
		    size_t *len);
	/* Writes up to cap summary entries (wire_entry_put); returns how many. */
	uint32_t (*summary)(void *ctx, uint8_t *entries, uint32_t cap);
	/* Calls fn with author's records of seq from..to, ascending, at most
	 * max of them; rec is borrowed for fn's call. */
	void	(*feed)(void *ctx, const uint8_t author[static 32], uint64_t from,
		    uint64_t to, uint32_t max,
		    void (*fn)(void *arg, const uint8_t *rec, size_t len), void *arg);
	/* Queues an encoded wire message for a peer (copy msg to keep it). */
	void	(*send)(void *ctx, uint32_t peer, const uint8_t *msg, size_t len);
	/* Disconnects a peer, already gone from the state machine; ban asks
	 * the host to refuse it for a while. reason: gossip_penalize's why. */
	void	(*drop)(void *ctx, uint32_t peer, const char *reason, int ban);
	/* Uniform random 64 bits (seeded by the host, for reproducible runs). */
	uint64_t (*rand)(void *ctx);
} gossip_host;

typedef struct gossip_opts {
	uint32_t	eager_max;	/* eager peers at most (default 4) */
	uint32_t	graft_ms;	/* have without the record: want after (150) */
	uint32_t	want_ms;	/* want unanswered: try the next announcer (1000) */
	uint32_t	ae_ms;		/* anti-entropy round every (1000) */
	uint32_t	ae_records;	/* records pushed per summary at most (512) */
	uint32_t	msg_rate;	/* messages per second per peer (2000) */
	uint32_t	msg_burst;	/* ... and the burst allowed (8000) */
	uint32_t	author_rate;	/* new records per author per minute (20000) */
} gossip_opts;

typedef struct gossip gossip;

/* A state machine. host is copied (the callbacks and ctx must stay valid
 * until gossip_free). opts NULL gives the defaults above; given, it is
 * taken whole (a 0 is 0, not its default). On success *out is yours:
 * gossip_free(). EM_ENOMEM. Times (now_ms below) are ms on one clock of
 * the host's; one that steps back delays timers and rate refills until it
 * catches up. */
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

/* Call for every message a peer sends, of any type, before handling it:
 * 1 if it is within the peer's rate, 0 if over (the peer is penalized,
 * and may be dropped: drop the message) or the peer is unknown. */
int	gossip_admit(gossip *g, uint32_t peer, uint64_t now_ms);

/* A decoded message from peer (m is read during the call only): have,
 * want, records, summary or prune; other types are the host's (hello,
 * peers, ping, pong, bye) and ignored here, as is an unknown peer. */
void	gossip_recv(gossip *g, uint32_t peer, const wire_msg *m, uint64_t now_ms);

/* Adds points to peer's score; at GOSSIP_BAN_SCORE the peer is taken out
 * (as gossip_peer_down) and the host's drop called with why and ban set.
 * An unknown peer is ignored. */
void	gossip_penalize(gossip *g, uint32_t peer, int points, const char *why);

/* Timers: overdue wants, anti-entropy; also sends queued announcements.
 * Call it at least every 50 ms or so. */
void	gossip_tick(gossip *g, uint64_t now_ms);

/* Sends the announcements queued since the last flush. Call after each
 * batch of input, so several new records share one have. */
void	gossip_flush(gossip *g);

typedef struct gossip_peer_info {
	uint32_t	peer;
	int		eager;
	int		score;
} gossip_peer_info;

/* Fills out[0..min(cap, n)) with the peers up; returns n, their number. */
uint32_t gossip_peers(const gossip *g, gossip_peer_info *out, uint32_t cap);

/* The time (a now_ms given) of the last completed anti-entropy exchange;
 * 0: none. */
uint64_t gossip_last_sync(const gossip *g);

#endif

/* proto/gossip_impl.h — shared by the gossip files only: gossip.c (peers,
 * dissemination), gossip_want.c (ids awaited), gossip_sync.c (anti-entropy),
 * gossip_push.c (late binding). */
#ifndef EM_GOSSIP_IMPL_H
#define EM_GOSSIP_IMPL_H

#include "bucket.h"
#include "gossip.h"
#include "recon.h"

#define PEERS_MAX	256
#define ANNOUNCERS	4		/* peers remembered per missing id */
#define MISSING_MAX	65536		/* ids awaited at once */
#define AUTHORS_MAX	4096		/* authors tracked for the rate limit */
#define BATCH_BYTES	(256 * 1024)	/* records message payload aimed at */
#define TREES_MAX	65536		/* per-author link states per peer */
#define LACKS_MAX	4096		/* ids a session step may push, sampled */
#define WORK_MIN_SET	65536		/* a smaller set counts as this big */
#define WORK_TO_BEGIN	1.0		/* walks a peer needs left to begin a session */
#define RECENT_CAP	16384		/* pushes and arrivals remembered (a cache) */
#define RECENT_CAP_LATE	65536		/* ... with a backlog to wait on: also ids
					 * each peer has shown it holds */
#define RECENT_PROBE	8
#define PUSHED_MS	10000		/* a record pushed to a peer is not pushed
					 * to it again by a session for this long */
#define ARRIVED_MS	3000		/* ... nor one that arrived here this recently:
					 * push and graft are carrying it */

/* A push or an arrival: key is an id's first 8 bytes mixed with the peer
 * (0: empty slot). */
typedef struct recent {
	uint64_t	key, t;
} recent;
#define OWED_MAX	WIRE_IDS_MAX	/* wanted ids waiting for a peer's budget */
#define PUSHQ_MAX	8192		/* ids waiting to be pushed to one peer;
					 * beyond, announced */

typedef struct idbuf {			/* ids queued for one have or want */
	uint8_t		*ids;
	uint32_t	 n, cap;
} idbuf;

typedef struct pushq {			/* ids to push when the host has room */
	uint8_t		*ids;
	uint32_t	 head, n, cap;
} pushq;

typedef struct tree {			/* this link in one author's tree */
	uint8_t		author[32];
	uint8_t		eager;
	uint8_t		used;
} tree;

/* A reconciliation session with one peer, in one of its two slots. */
typedef struct rsess {
	recon		*r;		/* NULL: no session */
	uint64_t	 last;		/* when a message last came or went */
	uint64_t	 budget;	/* record bytes we may still push */
} rsess;

typedef struct gpeer {
	uint32_t	handle;
	int		eager;		/* for authors not in trees */
	tree		*trees;		/* open addressing, grown on demand */
	uint32_t	tree_cap, tree_n;
	int		score;
	double		tokens;		/* message budget (token bucket) */
	uint64_t	refill_ms, decay_ms;
	idbuf		have, want;	/* queued until the next flush */
	rsess		mine, theirs;	/* sessions we started, it started */
	uint64_t	theirs_at;	/* when its last session began */
	int		theirs_any;	/* ... if one ever did */
	int		synced;		/* a session of ours ran with it */
	double		work;		/* walks it may still cause (bucket) */
	uint64_t	work_ms;	/* last refill */
	idbuf		owed;		/* ids it wanted, waiting for its budget */
	bucket		answer;		/* bytes its asks may make us send */
	pushq		push;		/* pushes waiting for the host's room */
} gpeer;

typedef struct missing {		/* an id announced but not yet held */
	uint8_t		id[32];
	uint64_t	deadline;
	uint32_t	ann[ANNOUNCERS];
	uint8_t		n_ann, next;	/* announcers known; next to ask */
	uint8_t		used;
} missing;

typedef struct author_rate {
	uint8_t		author[32];
	uint64_t	window;		/* minute number */
	uint32_t	count;
	uint8_t		used;
} author_rate;

/* A records message being filled, for want answers and sync pushes. */
typedef struct batch {
	gossip		*g;
	uint32_t	 peer;
	int		 how;	/* enum wire_how */
	uint32_t	 n, budget;	/* records it may still take */
	uint64_t	 now;		/* when the answer budget is charged */
	size_t		 bytes;
	uint8_t		*rec[WIRE_RECORDS_MAX];
	size_t		 len[WIRE_RECORDS_MAX];
} batch;

/* What a session step leaves to send: its answer (or a stop), then the
 * records the peer lacks, each malloc()ed. */
typedef struct outbox {
	uint32_t	 peer;
	int		 started;	/* the answer's flag */
	const uint8_t	*msg;
	size_t		 len;
	uint8_t		 stop[1];
	uint8_t		*rec[LACKS_MAX];
	size_t		 rlen[LACKS_MAX];
	uint32_t	 n;
} outbox;

struct gossip {
	gossip_host	 h;
	gossip_opts	 o;
	gpeer		 peers[PEERS_MAX];
	uint32_t	 n_peers;
	missing		*miss;		/* open addressing, linear probing */
	uint32_t	 miss_cap, miss_n;
	uint64_t	 miss_next;	/* earliest deadline, a lower bound */
	author_rate	*authors;	/* open addressing, grown on demand */
	uint32_t	 auth_cap, auth_n;
	uint64_t	 next_ae, last_sync;
	uint32_t	 ae_period;	/* the round period now (backs off) */
	uint64_t	 found;		/* differences found since the last round */
	/* one session step at a time: its answer, and the keys the peer
	 * lacks, sampled (reservoir) down to LACKS_MAX */
	uint8_t		*rbuf;		/* WIRE_RECON_MAX bytes */
	outbox		*out;
	uint8_t		*lacks;		/* LACKS_MAX ids */
	uint32_t	 lacks_n;
	uint64_t	 lacks_seen, lacks_rng, steps;
	uint64_t	 step_found;	/* differences the last step found */
	recent		*recent;	/* recent_cap slots */
	uint32_t	 recent_cap;
	uint64_t	 now;		/* the latest time given */
	char		 why[160];	/* a penalty's reason, kept for the call */
	gossip_stats	 st;
};

/* The peer with this handle, or NULL; valid until the peer table changes
 * (gossip_peer_up, gossip_peer_down, a ban by gossip_penalize). */
gpeer	*gp_find(gossip *g, uint32_t handle);
/* Encodes m and hands it to the host's send; a message that does not
 * encode (out of memory) is lost, as one on the wire may be. */
void	 gp_send(gossip *g, uint32_t peer, const wire_msg *m);

/* A batch of answers to peer's asks, at most budget records, charged to
 * the peer's answer budget at now. */
void	 batch_init(batch *b, gossip *g, uint32_t peer, int how, uint32_t budget,
	    uint64_t now);
/* Copies a record into the batch (each message up to WIRE_RECORDS_MAX
 * records or about BATCH_BYTES), sending a full one first: 1, or 0 if
 * the batch takes no more (its record budget, or the peer's answer
 * budget, is spent: then it takes nothing more at all). */
int	 batch_add(batch *b, const uint8_t *rec, size_t len);
/* Sends what the batch holds (if anything) and frees its copies. */
void	 batch_send(batch *b);

/* Takes a record the caller malloc()ed (and charged to the peer's answer
 * budget, if an answer) into the batch, sending a full one first. */
void	 batch_take(batch *b, uint8_t *rec, size_t len);

/* Anti-entropy (gossip_sync.c): a round (a session of ours with a peer);
 * a recon message from peer; timeouts and work refills; a peer's
 * sessions freed. */
void	 sync_start(gossip *g, uint64_t now);
void	 sync_recv(gossip *g, uint32_t peer, const wire_msg *m, uint64_t now);
void	 sync_tick(gossip *g, uint64_t now);
/* A record just arrived or published here (not pushed by sessions for a
 * while); n differences found (rounds come back to ae_ms at once). */
void	 sync_arrived(gossip *g, const uint8_t id[static 32], uint64_t now);
void	 sync_found(gossip *g, uint64_t n, uint64_t now);
void	 sync_peer_clear(gpeer *p);
/* Peer has shown it holds this id (sent it, announced it), or a session
 * pushed it there: noted, and asked within PUSHED_MS. */
void	 sync_peer_has(gossip *g, const uint8_t id[static 32], uint32_t peer, uint64_t now);
int	 sync_peer_holds(gossip *g, const uint8_t id[static 32], uint32_t peer, uint64_t now);

/* Whether we push this author's records to p (gossip.c). */
int	 tree_eager(const gpeer *p, const uint8_t author[static 32]);
/* Queues an id for the lazy announcement to p, or for a want of p
 * (gossip.c). */
void	 have_push(gpeer *p, const uint8_t id[static 32]);
void	 want_push(gpeer *p, const uint8_t id[static 32]);

/* Ids awaited (gossip_want.c), g->miss: the entry for id, or NULL;
 * removing one (the table may move others: rescan from the same slot);
 * whether peer announced it; a peer's announcements taken in; the
 * overdue ones asked of their next announcer, or given up. */
missing	*miss_find(gossip *g, const uint8_t id[static 32]);
void	 miss_del(gossip *g, missing *e);
int	 miss_announced(const missing *e, uint32_t peer);
void	 want_have(gossip *g, uint32_t peer, const wire_msg *m, uint64_t now);
void	 want_tick(gossip *g, uint64_t now);

/* Late binding (gossip_push.c): with the host's backlog callback, a push
 * to a peer the host already holds GOSSIP_PUSH_BACKLOG bytes for waits as
 * an id, and is made only when there is room: dropped if the peer has
 * meanwhile shown it holds the record, announced instead if it has
 * meanwhile pruned the link. push_later: 1 if the id waits (or was announced: the
 * queue is full), 0 if the push may go now. */
int	 push_later(gossip *g, gpeer *p, const uint8_t id[static 32]);
void	 push_drain(gossip *g);
void	 push_clear(gpeer *p);

#endif

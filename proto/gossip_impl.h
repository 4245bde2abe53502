/* proto/gossip_impl.h — shared by gossip.c and gossip_sync.c only. */
#ifndef EM_GOSSIP_IMPL_H
#define EM_GOSSIP_IMPL_H

#include "gossip.h"

#define PEERS_MAX	256
#define ANNOUNCERS	4		/* peers remembered per missing id */
#define MISSING_MAX	65536		/* ids awaited at once */
#define AUTHORS_MAX	4096		/* authors tracked for the rate limit */
#define BATCH_BYTES	(256 * 1024)	/* records message payload aimed at */
#define TREES_MAX	65536		/* per-author link states per peer */

typedef struct idbuf {			/* ids queued for one have or want */
	uint8_t		*ids;
	uint32_t	 n, cap;
} idbuf;

typedef struct tree {			/* this link in one author's tree */
	uint8_t		author[32];
	uint8_t		eager;
	uint8_t		used;
} tree;

typedef struct gpeer {
	uint32_t	handle;
	int		eager;		/* for authors not in trees */
	tree		*trees;		/* open addressing, grown on demand */
	uint32_t	tree_cap, tree_n;
	int		score;
	double		tokens;		/* message budget (token bucket) */
	uint64_t	refill_ms, decay_ms;
	idbuf		have, want;	/* queued until the next flush */
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
	uint32_t	 n, budget;
	size_t		 bytes;
	uint8_t		*rec[WIRE_RECORDS_MAX];
	size_t		 len[WIRE_RECORDS_MAX];
} batch;

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
};

/* The peer with this handle, or NULL; valid until the peer table changes
 * (gossip_peer_up, gossip_peer_down, a ban by gossip_penalize). */
gpeer	*gp_find(gossip *g, uint32_t handle);
/* Encodes m and hands it to the host's send; a message that does not
 * encode (out of memory) is lost, as one on the wire may be. */
void	 gp_send(gossip *g, uint32_t peer, const wire_msg *m);

/* A records message to peer, sent how, taking at most budget records in
 * all (each message up to WIRE_RECORDS_MAX records or about BATCH_BYTES). */
void	 batch_init(batch *b, gossip *g, uint32_t peer, int how, uint32_t budget);
/* Copies a record into the batch, sending a full one first; a record past
 * the budget, or with no memory for its copy, is left out. */
void	 batch_add(batch *b, const uint8_t *rec, size_t len);
/* Sends what the batch holds (if anything) and frees its copies. */
void	 batch_send(batch *b);

/* Anti-entropy (gossip_sync.c): sends our summary to a random peer (at
 * least one must be up) and sets the next round's time; answers a peer's
 * summary m by pushing what it lacks and, unless m is a reply, our own
 * summary when we lack something. */
void	 sync_start(gossip *g, uint64_t now);
void	 sync_recv(gossip *g, uint32_t peer, const wire_msg *m, uint64_t now);

#endif

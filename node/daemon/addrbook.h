/* node/daemon/addrbook.h — which peer addresses a node keeps, and which
 * it lets go: the rules of the peer table, without sockets, a loop, a
 * store or a clock (times are passed in, in ms on the wall clock, as
 * they are stored with the peers).
 *
 * The anchor is Bitcoin Core's address manager (addrman, src/addrman.cpp),
 * written again here, smaller. What it takes from addrman:
 *   - two tables: "new" (addresses peers told us of) and "tried" (ones a
 *     handshake of ours worked with);
 *   - buckets picked by a keyed hash under a secret key of the node's,
 *     so that no peer can aim its addresses at a bucket: a new address
 *     goes to one of AB_NEW_PER_SOURCE buckets of the group of the peer
 *     that told us (its source), picked by the address's own group; a
 *     tried one to one of AB_TRIED_PER_GROUP buckets of its group;
 *   - groups: an IPv4 address's /16, an IPv6 address's /32;
 *   - an address moves to tried when a handshake with it works, and a
 *     tried address that has not worked for AB_TRIED_KEEP_MS and failed
 *     since gives way to one that just did, going back to new;
 *   - a full new bucket takes a newcomer only in place of a stale entry
 *     (addrman's "terrible": never worked after AB_RETRIES dials, failed
 *     AB_FAILS_MAX times with no success for AB_FAIL_MS, or not told of
 *     nor working for AB_HORIZON_MS); otherwise the newcomer is dropped,
 *     so what is there stays;
 *   - a limit on how many addresses one peer may tell us per second.
 * What it leaves out: one address in up to 8 new buckets (here one entry,
 * in the bucket of the first peer that told us); fixed places inside a
 * bucket (here a bucket is a set of AB_BUCKET_SLOTS: no entry is lost
 * to a collision while its bucket has room); the feeler connections
 * that test a tried address before evicting it (here its own dial record
 * decides); timestamps carried in the messages (ours carry none: we keep
 * when we were told, AB_HEARD_EVERY at most once an hour); the AS map;
 * selection by chance (dial.c dials the operator's, then tried, then new
 * addresses in order; backoff spaces out the failing ones); tables of
 * 1024 and 256 buckets of 64 (here 32 and 16 buckets of 16: a
 * consortium's network, not the world's).
 *
 * Added here: the operator's addresses (--peer, `peers add`) are a third
 * table of their own, up to AB_OPERATOR_MAX, never evicted by anything
 * peers say; and loopback. A loopback address (127/8, ::1) as an address
 * is grouped by its port alone, and a loopback source by its whole IP:
 * every test runs its nodes on 127.0.0.1 at different ports and sets
 * attackers on 127.0.0.x, so with one loopback group every node of a
 * test would share one bucket and the tests would measure that squeeze,
 * not the rules. No security is lost: a packet with a loopback source
 * never comes from another machine (the kernel drops such "martians"),
 * so loopback peers are processes on this machine, which can read the
 * node's files anyway. A loopback address told by a peer that is not on
 * loopback is refused: it would make us dial our own machine's ports.
 *
 * Private to the daemon's files and their tests. */
#ifndef EM_DAEMON_ADDRBOOK_H
#define EM_DAEMON_ADDRBOOK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "store.h"

#define AB_NEW_BUCKETS		32
#define AB_TRIED_BUCKETS	16
#define AB_BUCKET_SLOTS		16	/* entries a bucket holds */
#define AB_NEW_PER_SOURCE	4	/* new buckets one source group reaches */
#define AB_TRIED_PER_GROUP	2	/* tried buckets one address group reaches */
#define AB_OPERATOR_MAX		128	/* the operator's addresses */
#define AB_NEW_MAX		(AB_NEW_BUCKETS * AB_BUCKET_SLOTS)
#define AB_TRIED_MAX		(AB_TRIED_BUCKETS * AB_BUCKET_SLOTS)
#define AB_MAX			(AB_NEW_MAX + AB_TRIED_MAX + AB_OPERATOR_MAX)
/* The most new entries from one source group: its share. */
#define AB_SOURCE_SHARE		(AB_NEW_PER_SOURCE * AB_BUCKET_SLOTS)

#define AB_RETRIES		3	/* failed dials, never a success: stale */
#define AB_FAILS_MAX		10	/* failed dials in a row ... */
#define AB_FAIL_MS		(7 * 86400000ull)	/* ... over this since a success: stale */
#define AB_HORIZON_MS		(30 * 86400000ull)	/* neither told of nor worked: stale */
#define AB_TRIED_KEEP_MS	(4 * 3600000ull)	/* a tried address that worked this
							 * lately is never displaced */
#define AB_HEARD_EVERY		3600000ull	/* heard is updated at most this often */

/* What one peer may tell us: AB_PEER_BURST addresses at once, then one
 * more every AB_PEER_EVERY_MS. A node passes on at most 32 addresses at
 * its handshake and 32 every 10 s (dial.c), so an honest peer stays
 * well inside it. */
#define AB_PEER_BURST		128
#define AB_PEER_EVERY_MS	250

#define AB_GROUP_LEN		STORE_PEER_SOURCE_LEN
#define AB_GONE_MAX		256	/* addresses dropped between two addrbook_clean */

/* A group, AB_GROUP_LEN bytes: a kind, then its bytes, zero padded. */
enum ab_group_kind {
	AB_G_NONE = 0,		/* no source: the operator */
	AB_G_IPV4,		/* the /16: 2 bytes */
	AB_G_IPV6,		/* the /32: 4 bytes */
	AB_G_LOOP_PORT,		/* a loopback address: its port, 2 bytes */
	AB_G_LOOP_HOST,		/* a loopback source: its IP, 16 bytes (v4 mapped) */
	AB_G_LEGACY,		/* the source of an entry an older evalmesh stored */
};

typedef struct ab_entry {
	store_peer	 p;		/* as stored: p.table is where it is, p.source
					 * who told us first */
	int		 used;
	uint8_t		 group[AB_GROUP_LEN];	/* the address's */
	int		 bucket;	/* in p.table's buckets; -1 for the operator's */
	int		 dirty;		/* p differs from what is stored */
	/* The dialer's (dial.c), never read here; zeroed when the entry is
	 * made, kept when it moves between tables. */
	uint64_t	 next_dial;	/* daemon_mono; 0: at once */
	int		 dialing;	/* a connection is being made or is up */
} ab_entry;

/* All in place, no allocation: a daemon_state holds one. Fields are read
 * by the daemon's files (e[i] with used set, gone, the counts); only
 * these functions change them. */
typedef struct addrbook {
	uint8_t		 key[32];	/* the secret that picks buckets */
	ab_entry	 e[AB_MAX];	/* an index stays the entry's while it is here */
	uint16_t	 fill_new[AB_NEW_BUCKETS], fill_tried[AB_TRIED_BUCKETS];
	size_t		 n_new, n_tried, n_operator;
	char		 gone[AB_GONE_MAX][256];	/* dropped since addrbook_clean */
	size_t		 n_gone;
} addrbook;

/* Empties b and sets its key (32 bytes, copied; keep it secret and the
 * same across restarts, so that entries go back to their buckets). */
void	addrbook_init(addrbook *b, const uint8_t key[static 32]);

/* The group of address sa (an AF_INET or AF_INET6 sockaddr, read during
 * the call) into out: as an address (as_source 0) or as the source of
 * what we were told (1); they differ only for loopback (see above). An
 * IPv4-mapped IPv6 address is its IPv4 one. 0, or -1 for an address no
 * peer should be told of or dialed at: another family, port 0, 0/8,
 * multicast, 240/4 and broadcast, ::, IPv6 multicast or link-local. */
int	addrbook_group(const struct sockaddr *sa, int as_source,
    uint8_t out[static AB_GROUP_LEN]);
/* Whether group g is a loopback one (AB_G_LOOP_PORT or AB_G_LOOP_HOST). */
int	addrbook_is_loopback(const uint8_t g[static AB_GROUP_LEN]);

/* The new bucket of an address of group g told by source group src, and
 * the tried bucket of address addr of group g: pure functions of the key
 * and their arguments. */
unsigned addrbook_new_bucket(const addrbook *b, const uint8_t src[static AB_GROUP_LEN],
    const uint8_t g[static AB_GROUP_LEN]);
unsigned addrbook_tried_bucket(const addrbook *b, const char *addr,
    const uint8_t g[static AB_GROUP_LEN]);

/* The index of the entry for addr, or -1. */
int	addrbook_find(const addrbook *b, const char *addr);
/* How many entries there are. */
size_t	addrbook_count(const addrbook *b);

/* Whether p may give way to a newcomer at now (see above): never for the
 * operator's; a time after now (a clock stepped back) counts as now. */
int	addrbook_stale(const store_peer *p, uint64_t now);

/* The operator gives addr (at most 255 bytes; group g, its address group,
 * or AB_G_NONE for a name): an entry of the operator's, made or taken
 * from new or tried with its record. Its index, or -1 if there are
 * AB_OPERATOR_MAX already (or addr is too long). */
int	addrbook_add_operator(addrbook *b, const char *addr,
    const uint8_t g[static AB_GROUP_LEN], uint64_t now);

/* Forgets entry i (used) at the operator's word, whatever table it is
 * in: its address goes to gone, so the store forgets it too. */
void	addrbook_remove(addrbook *b, int i);

/* A peer of source group src told us of addr, of address group g, at
 * now. Known: its heard time is renewed (at most every AB_HEARD_EVERY)
 * and nothing else changes. Else it goes into its new bucket, in place
 * of a stale entry there if the bucket is full (that one is dropped, to
 * gone). Its index, or -1 if it is not taken: a full bucket with no
 * stale entry, a loopback address from a source not on loopback, or addr
 * over 255 bytes. */
int	addrbook_add(addrbook *b, const char *addr, const uint8_t g[static AB_GROUP_LEN],
    const uint8_t src[static AB_GROUP_LEN], uint64_t now);

/* A handshake with entry i worked at now: its failures are forgotten,
 * its last_ok is now, and a new entry moves to its tried bucket — when
 * that is full, in place of the entry there that worked longest ago if
 * that was over AB_TRIED_KEEP_MS ago and it failed since (it goes back
 * to new, or is dropped if its new bucket has no room); otherwise it
 * stays in new, its success recorded. Nothing for a free index. */
void	addrbook_good(addrbook *b, int i, uint64_t now);

/* Puts back an entry as stored (p, read during the call; g its address
 * group) by the same rules: the operator's to theirs (while there is
 * room), tried to its tried bucket (else to new), new to its new bucket.
 * One an older evalmesh stored (STORE_PEER_UNKNOWN) is tried if it ever
 * worked, else new from one source group, AB_G_LEGACY: together they
 * get one source's share (a loopback one among them is taken: who told
 * it is not known). Its index, or -1 if not taken (as addrbook_add; also
 * an address already here). An entry whose table or source changed on
 * the way is dirty. */
int	addrbook_load(addrbook *b, const store_peer *p, const uint8_t g[static AB_GROUP_LEN],
    uint64_t now);

/* Marks the entries' stored copies up to date and empties gone. */
void	addrbook_clean(addrbook *b);

/* How many addresses a peer that had tokens at time at (ms on one clock)
 * may still tell us at now: one more every AB_PEER_EVERY_MS, up to
 * AB_PEER_BURST. *at moves on by the whole steps counted, so no fraction
 * of a step is lost; a now before *at changes nothing. */
uint32_t addrbook_refill(uint32_t tokens, uint64_t *at, uint64_t now);

#endif

/* proto/recon.h — range-based set reconciliation of record ids.
 *
 * Two nodes find which records one holds and the other lacks, at a cost
 * that follows the difference between them, whatever the number of authors
 * or records (A. Meyer, "Range-Based Set Reconciliation", arXiv:2212.13567;
 * the negentropy protocol, github.com/hoytech/negentropy, works the same
 * way). Both sides sort their keys. A message is a list of adjacent ranges
 * of the key space; for each, the receiver compares the sender's summary
 * with its own keys there: equal fingerprints end the range; otherwise the
 * receiver splits its keys in the range into buckets of equal count and
 * sends a fingerprint for each, or, when it holds few keys there, lists
 * them. A list settles its range: the receiver knows which of its keys the
 * sender lacks, and answers with the listed ones it lacks itself. So each
 * side learns which of its own keys the other lacks and pushes those
 * records: no record is asked for by id.
 *
 * Keys are record ids (32 bytes, BLAKE2b-256 of the signed record), not
 * (author, seq):
 *   - two records an author signed with one seq (equivocation, kept as
 *     evidence) share (author, seq) but not an id, so both reach everyone;
 *   - ids are uniform: an author who grinds low author ids gains nothing,
 *     and buckets split by count cost log_split(n) levels whatever the
 *     keys;
 *   - ids are already hashes: a fingerprint sums them as they are, with no
 *     hash per key per round;
 *   - the store already keeps a table sorted by id (its `ids` database),
 *     which a cursor walks for this module's seek and next.
 *
 * Fingerprint of a set S of keys (each read as a 256-bit big-endian
 * number): the first 16 bytes of
 *     BLAKE2b-256("evalmesh/recon/v1" || (sum of S mod 2^256) || |S|)
 * with the sum as 32 bytes and |S| as 8, big-endian (negentropy v1 does
 * the same with SHA-256, little-endian ids and a varint count). Order does
 * not matter and a sum of sums is the sum of the union, so a store may
 * keep partial sums (recon_acc) and combine them.
 * Collisions: two different sets of random keys share a fingerprint with
 * probability 2^-128 per comparison. Against an adversary the weak part
 * is the plain sum: Wagner's generalized-birthday algorithm (CRYPTO 2002)
 * finds two sets of its own records with equal sums and counts in about
 * 2^32 steps, each step a signed record, when the sets hold some 2^15
 * records each, and in about 2^48 when they hold 16. Such a pair stays
 * hidden only inside one range that holds all of its members (the
 * splitter draws boundaries from its own keys at every level), and it
 * hides only the attacker's own records, which eager push still spreads.
 * A per-session salt (a keyed hash of each key) would close it at the
 * cost of a hash per key per round and of cached sums.
 * Lists carry 16-byte id prefixes: two different ids with one prefix
 * (2^64 work for an adversary to make) look alike to the other side.
 *
 * Message (all of it checked before any of it is acted on):
 *   message = version(1 byte, RECON_VERSION) range*
 *   range   = head bound payload
 *   head    = mode << 6 | blen: blen 1..32 bytes of bound follow, or 63
 *             for the end of the key space (no bytes)
 *   bound   = the range's upper bound (exclusive): the first blen bytes of
 *             a key, the rest zero; the last byte is not zero. The lower
 *             bound is the previous range's upper bound (all zeros for the
 *             first). Bounds strictly ascend; nothing follows the end.
 *   payload = mode 0 SKIP: nothing more to do in the range; never two in a
 *                           row, never last (the rest of the key space
 *                           after the last range is an implied skip)
 *             mode 1 FP:   fingerprint(16) of the sender's keys in range
 *             mode 2 IDS:  n(1 byte, 0..64) then n 16-byte key prefixes,
 *                           strictly ascending, each of a key in range:
 *                           every key the sender holds in the range
 *             mode 3 NEED: the same with n 1..64: keys listed to the
 *                           sender (IDS) in this range that it lacks
 * A message holding FP or a non-empty IDS asks for an answer, which is
 * sent even when it holds no range (one byte: "all settled"); a message
 * that asks nothing gets none, and the session is over for both.
 *
 * Limits: a message is at most frame_max bytes and RECON_RANGES_MAX
 * ranges; when an answer would not fit, the rest of the key space after
 * the last range answered goes back as one FP range, resolved in later
 * rounds. A session answers at most rounds_max messages; the last answer
 * settles what it can (NEED, lists) and skips the rest (counted as
 * abandoned), so a session always ends. Work per message received: at
 * most three passes over the keys in its ranges (hence over the set) and
 * one seek per range; memory: the session (a few hundred bytes) and one
 * output buffer of the caller's.
 *
 * Not thread-safe; the host's callbacks must not call back into the same
 * session. Pure: no sockets, no clock, no randomness. */
#ifndef EM_RECON_H
#define EM_RECON_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define RECON_VERSION		1
#define RECON_KEY		32	/* key length: a record id */
#define RECON_PREFIX		16	/* bytes of a key in IDS and NEED lists */
#define RECON_FP		16	/* fingerprint length */
#define RECON_IDS_MAX		64	/* entries in one list, at most */
#define RECON_SPLIT_MAX		32	/* buckets a range is split into, at most */
#define RECON_RANGES_MAX	4096	/* ranges in one message, at most */
#define RECON_FRAME_MIN		2048	/* the smallest frame_max allowed */

/* The host's key set, sorted ascending, no key twice, unchanged during
 * any one call into a session (a store keeps one read transaction across
 * a recon_start or recon_recv); it may change between calls. */
typedef struct recon_host {
	void	*ctx;
	/* Positions at the first key >= from and copies it to key: 1; 0 if
	 * there is none; a negative em_err if the set failed. */
	int	(*seek)(void *ctx, const uint8_t from[static RECON_KEY],
		    uint8_t key[static RECON_KEY]);
	/* Moves to the next key and copies it: 1; 0 at the end (after which
	 * only seek is called); a negative em_err. */
	int	(*next)(void *ctx, uint8_t key[static RECON_KEY]);
	/* The number of keys: 0 or a negative em_err. May be NULL (then
	 * counted by walking the set). */
	int	(*count)(void *ctx, uint64_t *n);
	/* The peer lacks this key of ours: push it the record. Called in
	 * ascending key order within a message; a key may come again in a
	 * later session (or, after a fold, a later round) until the peer has
	 * it. A peer that lacks much gets a call per key (an empty peer: one
	 * per key we hold): a host with a push budget sends the first ones
	 * and leaves the rest to later sessions, which then find less. */
	void	(*lacks)(void *ctx, const uint8_t key[static RECON_KEY]);
} recon_host;

typedef struct recon_opts {
	uint32_t	frame_max;	/* bytes per message, both ways (61440) */
	uint32_t	rounds_max;	/* messages answered per session (64) */
	uint32_t	split;		/* buckets per split range, 2..32 (16) */
	uint32_t	ids_max;	/* keys sent as a list, 1..64 (32) */
} recon_opts;

typedef struct recon_stats {
	uint32_t	received;	/* messages received */
	uint32_t	sent;		/* messages produced (recon_start included) */
	uint64_t	bytes_in, bytes_out;
	uint64_t	lacks;		/* lacks calls */
	uint64_t	needs;		/* prefixes we asked for (NEED entries) */
	uint64_t	ignored;	/* NEED entries matching no key of ours */
	uint32_t	folded;		/* answers cut at the frame limit */
	uint32_t	abandoned;	/* ranges skipped at the round limit */
} recon_stats;

typedef struct recon recon;

/* A session with one peer, on either side. host is copied; opts may be
 * NULL for the defaults. EM_EINVAL if an option is outside its range or
 * a host callback (other than count) is NULL; EM_ENOMEM. On success *out
 * is yours: recon_free(). */
em_err	recon_new(const recon_host *host, const recon_opts *opts, recon **out);
void	recon_free(recon *r);		/* NULL is fine */

/* The initiator's first message, written to out (cap >= frame_max);
 * *len its length. Only on a fresh session (else EM_EINVAL). Errors of
 * the host's set are passed on. An empty set's message asks nothing:
 * the session is then done at once. */
em_err	recon_start(recon *r, uint8_t *out, size_t cap, size_t *len);

/* One message from the peer (on a fresh session: the initiator's first).
 * Calls lacks for keys the peer lacks and writes the answer to out (cap
 * >= frame_max); *out_len is 0 when nothing is to be sent. Errors, with
 * recon_why saying which rule was broken, after which the session is
 * dead (free it; the host may penalize the peer for the format errors):
 *   EM_ETRUNC, EM_EFORMAT, EM_ETOOBIG, EM_ETRAILING, EM_EVERSION: the
 *     message breaks the format above (nothing was acted on);
 *   EM_EINVAL: a message after the session ended, out too small, or a
 *     host set not in ascending order;
 *   the host's own errors from seek, next, count. */
em_err	recon_recv(recon *r, const uint8_t *msg, size_t len, uint8_t *out,
    size_t cap, size_t *out_len);

/* 1 once the session is over: no message is expected or to be sent. */
int	recon_done(const recon *r);

/* A short static description of the last error ("" if none). */
const char *recon_why(const recon *r);

void	recon_get_stats(const recon *r, recon_stats *out);

/* Fingerprint arithmetic, for tests and for a store that caches sums. */
typedef struct recon_acc {
	uint64_t	w[4];		/* the sum, least significant word first */
	uint64_t	n;
} recon_acc;

void	recon_acc_init(recon_acc *a);
void	recon_acc_add(recon_acc *a, const uint8_t key[static RECON_KEY]);
void	recon_acc_merge(recon_acc *a, const recon_acc *b);
void	recon_acc_fp(const recon_acc *a, uint8_t fp[static RECON_FP]);

/* An in-memory key set for recon_host: n sorted keys of RECON_KEY bytes
 * at keys, borrowed. ctx is a recon_array (or a struct that begins with
 * one). */
typedef struct recon_array {
	const uint8_t	*keys;
	size_t		 n, pos;
} recon_array;

int	recon_array_seek(void *ctx, const uint8_t from[static RECON_KEY],
    uint8_t key[static RECON_KEY]);
int	recon_array_next(void *ctx, uint8_t key[static RECON_KEY]);
int	recon_array_count(void *ctx, uint64_t *n);

#endif

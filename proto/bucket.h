/* proto/bucket.h — a token bucket, as arithmetic on the caller's clock.
 *
 * Tokens (bytes, messages: whatever the caller counts) come back at rate
 * per second up to burst, and each thing done takes its cost. The gossip
 * core keeps one per peer for the bytes a peer's asks may make us send
 * (gossip.h: answer_rate) and one for its summaries.
 *
 * Pure: every function takes the time (ms, on a clock that never steps
 * back — the same clock for every call on one bucket) and reads no clock,
 * allocates nothing and cannot fail. Tokens are kept in thousandths, so a
 * rate of a few per second refills by the millisecond without losing the
 * fractions. tests/unit/gossip_test.c runs it on a fake clock. */
#ifndef EM_BUCKET_H
#define EM_BUCKET_H

#include <stdint.h>

typedef struct bucket {
	int64_t		milli;	/* tokens in thousandths; below 0 after a
				 * cost over burst (a debt the refill pays) */
	uint64_t	at;	/* ms: the time it was last refilled to */
} bucket;

/* A bucket holding tokens (at most burst: the caller's to keep so) at now. */
static inline void
bucket_start(bucket *b, uint64_t tokens, uint64_t now)
{
	b->milli = (int64_t)(tokens * 1000);
	b->at = now;
}

/* Adds what rate per second gives from b->at to now, up to burst. A now
 * before b->at (a clock read out of order) adds nothing and moves
 * nothing. burst must be below 2^53 (the thousandths fit an int64). */
static inline void
bucket_refill(bucket *b, uint32_t rate, uint64_t burst, uint64_t now)
{
	int64_t full = (int64_t)(burst * 1000);
	uint64_t dt;

	if (now <= b->at)
		return;
	dt = now - b->at;
	b->at = now;
	if (b->milli >= full)
		return;
	/* ms * tokens/s = thousandths; past what fills it, it is full (and
	 * the product is never formed, so a long silence cannot overflow) */
	if (rate == 0)
		return;
	if (dt >= (uint64_t)(full - b->milli) / rate + 1)
		b->milli = full;
	else
		b->milli += (int64_t)(dt * rate);
	if (b->milli > full)
		b->milli = full;
}

/* Whole tokens held at now (after the refill); 0 while in debt. */
static inline uint64_t
bucket_level(bucket *b, uint32_t rate, uint64_t burst, uint64_t now)
{
	bucket_refill(b, rate, burst, now);
	return b->milli > 0 ? (uint64_t)b->milli / 1000 : 0;
}

/* Takes cost tokens at now (after the refill) if the bucket holds them:
 * 1, or 0 with nothing taken. A cost over burst could never fit: it is
 * taken from a full bucket, which goes into debt by the difference, so
 * one large thing waits for a full bucket instead of forever. */
static inline int
bucket_take(bucket *b, uint32_t rate, uint64_t burst, uint64_t cost, uint64_t now)
{
	int64_t full = (int64_t)(burst * 1000);

	bucket_refill(b, rate, burst, now);
	if (cost <= burst ? b->milli < (int64_t)(cost * 1000) : b->milli < full)
		return 0;
	b->milli -= (int64_t)(cost * 1000);
	return 1;
}

#endif

/* tests/unit/fake_clock.h — an em_clock (common/clock.h) a test sets by
 * hand: both clocks are counters in ms that move only when the test moves
 * them, and the random numbers are a fixed stream (splitmix64 from a
 * seed) or, when fixed is set, one number over and over. */
#ifndef EM_FAKE_CLOCK_H
#define EM_FAKE_CLOCK_H

#include <stdint.h>

#include "clock.h"

typedef struct fake_clock {
	uint64_t	mono, wall;	/* what mono_ms and wall_ms read */
	uint64_t	state;		/* the random stream's */
	int		fixed;		/* rand returns r, not the stream */
	uint64_t	r;
	unsigned	draws;		/* rand calls so far */
	em_clock	c;		/* give &f->c to the code under test */
} fake_clock;

static inline uint64_t
fake_mono(void *ctx)
{
	return ((fake_clock *)ctx)->mono;
}

static inline uint64_t
fake_wall(void *ctx)
{
	return ((fake_clock *)ctx)->wall;
}

static inline uint64_t
fake_rand(void *ctx)
{
	fake_clock *f = ctx;
	uint64_t z;

	f->draws++;
	if (f->fixed)
		return f->r;
	z = (f->state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void
fake_clock_init(fake_clock *f, uint64_t mono, uint64_t wall, uint64_t seed)
{
	*f = (fake_clock){ .mono = mono, .wall = wall, .state = seed };
	f->c = (em_clock){ fake_mono, fake_wall, fake_rand, f };
}

#endif

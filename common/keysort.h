/* common/keysort.h — sorting doubles, and counting those at or below a
 * number, in time that grows with n rather than n log n for the values
 * real data has.
 *
 * The values go to buckets by where they lie between the least and the
 * greatest, one bucket per value: the mapping never decreases, so the
 * buckets follow the values' order, sorting each (a few values, usually
 * one) sorts all, and a count looks only into the bucket its number falls
 * in — exact, though the mapping rounds. Values bunched into one bucket
 * (ties, or an adversary's choice) cost what a comparison sort costs: a
 * bucket is sorted by quicksort, past a depth only adversarial orders
 * reach by libc's qsort. The order is total: -0 is 0, and NaNs go below
 * -inf (negative) or above +inf; equal values go by their index, so the
 * result depends on nothing but the items. */
#ifndef EM_KEYSORT_H
#define EM_KEYSORT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct ks_item {
	uint64_t	key;	/* keysort_key(the value): set by keysort_build */
	double		v;
	uint32_t	idx;	/* the caller's: what the value belongs to */
} ks_item;

typedef struct keysort {
	ks_item		*a;	/* n items in order, then by idx */
	size_t		 n;
	uint32_t	*start;	/* bucket b holds a[start[b] .. start[b+1]) */
	size_t		 nb;
	double		 min, scale, top;
	void		*mem;
} keysort;

/* Sorts the n items (v and idx set; left as they were) into ks, lowest
 * first (negate the values for highest first). EM_ENOMEM, EM_ETOOBIG (n
 * 2^32 or more). keysort_free() after, whatever it returned. */
em_err	keysort_build(keysort *ks, const ks_item *items, size_t n);

/* Sorts a[0..n) in place by value (v set; key is set here) when they are
 * nearly in order already — in time close to n — and says so (1). When
 * they are not (insertion would move more than 2n), gives up early and
 * returns 0, a[] a permutation of what it was: keysort_build then. For
 * values that follow another order closely, like intervals' ends after
 * their centres. Equal values keep their order. */
int	keysort_nearly(ks_item *a, size_t n);

/* How many of the values are <= x. */
size_t	keysort_count_le(const keysort *ks, double x);

void	keysort_free(keysort *ks);

/* A key whose unsigned order is the order above. */
static inline uint64_t
keysort_key(double v)
{
	union { double d; uint64_t u; } x;

	x.d = v == 0 ? 0 : v;
	return (x.u >> 63) ? ~x.u : x.u | (1ULL << 63);
}

#endif

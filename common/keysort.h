/* common/keysort.h — sorting doubles, and counting those at or below a
 * number, in time that grows with n rather than n log n for the values
 * real data has.
 *
 * The values go to buckets by where they lie between the least and the
 * greatest, one bucket per value: the mapping never decreases, so the
 * buckets follow the values' order, and sorting each (a few values,
 * usually one) sorts all. A count searches the sorted items out from where
 * the caller expects its answer. Values bunched into one bucket
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

/* Sorts the n items (v and idx set; items is only read) into ks, lowest
 * first (negate the values for highest first). ks owns what it holds
 * until keysort_free(), to be called whatever this returned (a failure
 * leaves ks zeroed). EM_ENOMEM; EM_ETOOBIG for n of UINT32_MAX (2^32 - 1)
 * or more. */
em_err	keysort_build(keysort *ks, const ks_item *items, size_t n);

/* Sorts a[0..n) in place by value (v set; key is set here) when they are
 * nearly in order already — in time close to n — and says so (1). When
 * they are not (insertion would move more than 2n), gives up early and
 * returns 0, a[] a permutation of what it was: keysort_build then. For
 * values that follow another order closely, like intervals' ends after
 * their centres. Equal values keep their order. */
int	keysort_nearly(ks_item *a, size_t n);

/* Frees what ks holds and zeroes it; a zeroed ks is fine. */
void	keysort_free(keysort *ks);

/* A key whose unsigned order is the order above. */
static inline uint64_t
keysort_key(double v)
{
	union { double d; uint64_t u; } x;

	x.d = v == 0 ? 0 : v;
	return (x.u >> 63) ? ~x.u : x.u | (1ULL << 63);
}

/* How many of a[0..n), sorted (keys set, as keysort_nearly leaves them
 * or ks.a), are <= x, searched out from p (at most n), where the answer
 * is thought to lie: in steps that double, then halving, so the cost grows
 * with how far the answer is from p (log of it), never with n. For
 * numbers counted one after another that change little. */
static inline size_t
keysort_count_from(const ks_item *a, size_t n, size_t p, double x)
{
	uint64_t key = keysort_key(x);
	size_t lo, hi, step = 1;

	if (p > n)
		p = n;
	if (p < n && a[p].key <= key) {	/* further up: the count is in (lo, hi] */
		lo = p;
		while (lo + step < n && a[lo + step].key <= key) {
			lo += step;
			step *= 2;
		}
		hi = lo + step < n ? lo + step : n;
		lo++;
	} else {			/* further down: the count is in [lo, hi] */
		hi = p;
		while (hi > step && a[hi - step - 1].key > key) {
			hi -= step;
			step *= 2;
		}
		lo = hi > step ? hi - step : 0;
	}
	while (lo < hi) {	/* the first of a[lo..hi) above x, or hi */
		size_t mid = lo + (hi - lo) / 2;

		if (a[mid].key <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

#endif

/* Bucket sort of doubles: see keysort.h. */
#include "keysort.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static inline int
less(ks_item a, ks_item b)
{
	return a.key != b.key ? a.key < b.key : a.idx < b.idx;
}

static int
cmp_q(const void *pa, const void *pb)
{
	ks_item a = *(const ks_item *)pa, b = *(const ks_item *)pb;

	return less(a, b) ? -1 : less(b, a);
}

static void
insertion(ks_item *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		ks_item x = a[i];
		size_t k = i;

		for (; k > 0 && less(x, a[k - 1]); k--)
			a[k] = a[k - 1];
		a[k] = x;
	}
}

/* Quicksort (Hoare's partition on the median of three), recursing into
 * the smaller side; qsort once depth runs out. */
static void
quick(ks_item *a, size_t n, unsigned depth)
{
	while (n > 16) {
		size_t i = 0, j = n - 1, mid = n / 2;
		ks_item p, t;

		if (depth-- == 0) {
			qsort(a, n, sizeof *a, cmp_q);
			return;
		}
		if (less(a[mid], a[0]))
			t = a[mid], a[mid] = a[0], a[0] = t;
		if (less(a[n - 1], a[mid]))
			t = a[n - 1], a[n - 1] = a[mid], a[mid] = t;
		if (less(a[mid], a[0]))
			t = a[mid], a[mid] = a[0], a[0] = t;
		p = a[mid];
		for (;;) {
			while (less(a[i], p))
				i++;
			while (less(p, a[j]))
				j--;
			if (i >= j)
				break;
			t = a[i], a[i] = a[j], a[j] = t;
			i++, j--;
		}
		if (j + 1 < n - j - 1) {
			quick(a, j + 1, depth);
			a += j + 1;
			n -= j + 1;
		} else {
			quick(a + j + 1, n - j - 1, depth);
			n = j + 1;
		}
	}
	insertion(a, n);
}

static void
sort_run(ks_item *a, size_t n)
{
	unsigned depth = 0;

	if (n <= 16) {
		insertion(a, n);
		return;
	}
	for (size_t m = n; m > 1; m >>= 1)
		depth += 2;
	quick(a, n, depth);
}

/* The bucket of a value whose place is not inside the range: below it,
 * above it, or NaN. */
static size_t
edge(const keysort *ks, double v, double x)
{
	if (isnan(v))
		return signbit(v) ? 0 : ks->nb - 1;
	if (isinf(v))
		return v < 0 ? 0 : ks->nb - 1;
	return ks->scale > 0 && x >= ks->top ? ks->nb - 1 : 0;
}

/* A value's bucket: never decreasing in the order of keysort.h. */
static inline size_t
bucket(const keysort *ks, double v)
{
	double x = (v - ks->min) * ks->scale;

	if (x >= 0 && x < ks->top)	/* false for NaN */
		return (size_t)x;
	return edge(ks, v, x);
}

em_err
keysort_build(keysort *ks, const ks_item *items, size_t n)
{
	double max = 0;
	size_t nb = 1;
	uint32_t *bk;
	int any = 0;
	char *m;

	memset(ks, 0, sizeof *ks);
	if (n >= UINT32_MAX)
		return EM_ETOOBIG;
	while (nb < n)
		nb <<= 1;
	/* the items, the buckets' starts, each item's bucket */
	if ((m = malloc(n * sizeof *ks->a + (nb + 1 + n) * sizeof *ks->start + 1)) == NULL)
		return EM_ENOMEM;
	ks->mem = m;
	ks->a = (ks_item *)(void *)m;
	ks->start = (uint32_t *)(void *)(ks->a + n);
	bk = ks->start + nb + 1;
	ks->n = n;
	ks->nb = nb;
	memset(ks->start, 0, (nb + 1) * sizeof *ks->start);
	for (size_t i = 0; i < n; i++) {
		double v = items[i].v;

		if (!isfinite(v))
			continue;
		if (!any || v < ks->min)
			ks->min = v;
		if (!any || v > max)
			max = v;
		any = 1;
	}
	ks->scale = any && max > ks->min && isfinite(max - ks->min) ?
	    (double)nb / (max - ks->min) : 0;
	ks->top = (double)(nb - 1);
	/* count each bucket's values into the next one's start, sum, place */
	for (size_t i = 0; i < n; i++)
		ks->start[(bk[i] = (uint32_t)bucket(ks, items[i].v)) + 1]++;
	for (size_t b = 1; b <= nb; b++)
		ks->start[b] += ks->start[b - 1];
	for (size_t i = 0; i < n; i++) {
		ks_item *to = &ks->a[ks->start[bk[i]]++];

		to->key = keysort_key(items[i].v);
		to->v = items[i].v;
		to->idx = items[i].idx;
	}
	/* each start now is the next bucket's: move them back */
	memmove(ks->start + 1, ks->start, nb * sizeof *ks->start);
	ks->start[0] = 0;
	for (size_t b = 0; b < nb; b++)
		if (ks->start[b + 1] - ks->start[b] > 1)
			sort_run(ks->a + ks->start[b], ks->start[b + 1] - ks->start[b]);
	return EM_OK;
}

int
keysort_nearly(ks_item *a, size_t n)
{
	size_t budget = 2 * n;

	for (size_t i = 0; i < n; i++)
		a[i].key = keysort_key(a[i].v);
	for (size_t i = 1; i < n; i++) {
		ks_item x = a[i];
		size_t k = i;

		if (a[i - 1].key <= x.key)	/* in order: the usual case */
			continue;
		for (; k > 0 && a[k - 1].key > x.key; k--) {
			if (budget-- == 0) {	/* not nearly sorted after all */
				a[k] = x;	/* a[0..i] holds its items again */
				return 0;
			}
			a[k] = a[k - 1];
		}
		a[k] = x;
	}
	return 1;
}

void
keysort_free(keysort *ks)
{
	free(ks->mem);
	memset(ks, 0, sizeof *ks);
}

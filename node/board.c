/* A task's leaderboard: the rules are in board.h. */
#include "board.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "stats.h"

/* Byte-wise order of two texts that are not NUL-terminated. */
static int
cmp_text(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);

	return c != 0 ? c : (al > bl) - (al < bl);
}

#define TEXT(r, f) (r)->f, (r)->f##_len

/* Authors as numbers first: most differ in their first eight bytes. */
static int
cmp_author32(const uint8_t *a, const uint8_t *b)
{
	uint64_t x = be_get(a, 8), y = be_get(b, 8);

	if (x != y)
		return x < y ? -1 : 1;
	return memcmp(a + 8, b + 8, 24);
}

static int
same_bytes(const char *a, const char *b, size_t n)
{
	while (n >= 8) {	/* names are short: compare in words, no call */
		uint64_t x, y;

		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return 0;
		a += 8, b += 8, n -= 8;
	}
	while (n > 0 && *a == *b)
		a++, b++, n--;
	return n == 0;
}

static int
same_group(const store_view *a, const store_view *b)
{
	return ((a->flags & RESULT_REVOKED) != 0) == ((b->flags & RESULT_REVOKED) != 0) &&
	    a->model_len == b->model_len && a->revision_len == b->revision_len &&
	    same_bytes(a->model, b->model, a->model_len) &&
	    same_bytes(a->revision, b->revision, a->revision_len);
}

/* Within one group: author, then the latest first. */
static int
cmp_author(const store_view *a, const store_view *b)
{
	int c = cmp_author32(a->author, b->author);

	if (c != 0)
		return c;
	if (a->seq != b->seq)
		return a->seq > b->seq ? -1 : 1;
	return -memcmp(a->id, b->id, 32);
}

static int
cmp_author_q(const void *a, const void *b)
{
	return cmp_author(*(const store_view *const *)a, *(const store_view *const *)b);
}

static uint64_t
group_hash(const store_view *r)
{
	return r->name_hash ^ ((r->flags & RESULT_REVOKED) ? 0x9e3779b97f4a7c15ULL : 0);
}

/* Orders v by group (revoked or not, model, revision), and within a group
 * by author, the latest first, without comparing all n against each other:
 * rows go to their group through a hash table (groups lie in the order
 * first seen: the rows are sorted at the end), then each group is sorted
 * on its own. */
static em_err
group_sort(const store_view **v, size_t n, uint8_t *first, size_t *groups)
{
	size_t cap = 16, ng = 0, *gid, *count, *at;
	const store_view **rep, **tmp;
	uint64_t *gh = NULL;
	int32_t *slot;
	em_err err = EM_ENOMEM;

	while (cap < 2 * n)
		cap <<= 1;
	slot = malloc(cap * sizeof *slot);
	gid = malloc((n + 1) * sizeof *gid);
	count = calloc(n + 1, sizeof *count);
	at = malloc((n + 1) * sizeof *at);
	rep = malloc((n + 1) * sizeof *rep);
	tmp = malloc((n + 1) * sizeof *tmp);
	gh = malloc((n + 1) * sizeof *gh);
	if (!slot || !gid || !count || !at || !rep || !tmp || !gh)
		goto out;
	memset(slot, 0xff, cap * sizeof *slot);
	for (size_t i = 0; i < n; i++) {
		uint64_t hv = group_hash(v[i]);
		size_t h = (size_t)hv & (cap - 1);

		while (slot[h] >= 0 && (gh[slot[h]] != hv || !same_group(rep[slot[h]], v[i])))
			h = (h + 1) & (cap - 1);
		if (slot[h] < 0) {
			slot[h] = (int32_t)ng;
			gh[ng] = hv;
			rep[ng++] = v[i];
		}
		gid[i] = (size_t)slot[h];
		count[gid[i]]++;
	}
	/* groups lie in the order first seen: the rows are sorted at the end */
	memset(first, 0, n);
	for (size_t g = 0, pos = 0; g < ng; g++) {
		at[g] = pos;
		first[pos] = 1;
		pos += count[g];
	}
	for (size_t i = 0; i < n; i++)
		tmp[at[gid[i]]++] = v[i];
	memcpy(v, tmp, n * sizeof *v);
	/* each group in author, latest-first order */
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && !first[j]; j++)
			;
		if (j - i > 16) {
			qsort(v + i, j - i, sizeof *v, cmp_author_q);
			continue;
		}
		for (size_t a = i + 1; a < j; a++) {	/* a few reporters: insertion */
			const store_view *x = v[a];
			size_t b = a;

			for (; b > i && cmp_author(v[b - 1], x) > 0; b--)
				v[b] = v[b - 1];
			v[b] = x;
		}
	}
	*groups = ng;
	err = EM_OK;
out:
	free(slot);
	free(gid);
	free(count);
	free(at);
	free(rep);
	free(tmp);
	free(gh);
	return err;
}

static inline int
row_cmp(const board_row *a, const board_row *b)
{
	int c;

	if (a->ranked != b->ranked)
		return b->ranked - a->ranked;
	if (a->value != b->value)
		return a->value > b->value ? -1 : 1;
	if ((c = cmp_text(a->model, a->model_len, b->model, b->model_len)) != 0)
		return c;
	return cmp_text(a->revision, a->revision_len, b->revision, b->revision_len);
}

static void
interval(const store_view *r, double *lo, double *hi)
{
	if (r->has_ci) {
		*lo = r->lo;
		*hi = r->hi;
	} else {
		stats_wilson(r->value < 0 ? 0 : r->value > 1 ? 1 : r->value, (size_t)r->n_items,
		    STATS_Z95, lo, hi);
	}
}

static int
cmp_metric(const void *pa, const void *pb)
{
	const store_view *a = *(const store_view *const *)pa, *b = *(const store_view *const *)pb;

	return cmp_text(TEXT(a, metric), TEXT(b, metric));
}

/* The metric most results report (the least name among equals). */
static void
commonest(const store_view **v, size_t n, char *out, size_t cap)
{
	const store_view **s;
	size_t best = 0, i = 1;

	out[0] = '\0';
	while (i < n && cmp_text(TEXT(v[i], metric), TEXT(v[0], metric)) == 0)
		i++;
	if (n > 0 && i == n) {	/* the usual case: one metric */
		snprintf(out, cap, "%.*s", (int)v[0]->metric_len, v[0]->metric);
		return;
	}
	if ((s = malloc((n ? n : 1) * sizeof *s)) == NULL)
		return;
	memcpy(s, v, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_metric);
	i = 0;
	for (size_t j; i < n; i = j) {
		for (j = i; j < n && cmp_text(TEXT(s[j], metric), TEXT(s[i], metric)) == 0; j++)
			;
		if (j - i > best) {
			best = j - i;
			snprintf(out, cap, "%.*s", (int)s[i]->metric_len, s[i]->metric);
		}
	}
	free(s);
}

/* One row from the reporters reps[0..n), one per author. Intervals on a
 * line that overlap two by two share a point (Helly), so the reporters
 * agree exactly when the highest low is at most the lowest high. */
static void
make_row(board_row *row, const store_view **reps, size_t n)
{
	double wsum = 0, w = 0, max_lo = 0, min_hi = 0;

	memset(row, 0, sizeof *row);
	row->model = reps[0]->model;
	row->model_len = reps[0]->model_len;
	row->revision = reps[0]->revision;
	row->revision_len = reps[0]->revision_len;
	row->reporters = (unsigned)n;
	row->ranked = !(reps[0]->flags & RESULT_REVOKED);
	row->reps = reps;
	for (size_t i = 0; i < n; i++) {
		double lo, hi, weight = reps[i]->n_items ? (double)reps[i]->n_items : 1;

		interval(reps[i], &lo, &hi);
		wsum += weight * reps[i]->value;
		w += weight;
		if (i == 0) {
			row->lo = max_lo = lo;
			row->hi = min_hi = hi;
		} else {
			row->lo = lo < row->lo ? lo : row->lo;
			row->hi = hi > row->hi ? hi : row->hi;
			max_lo = lo > max_lo ? lo : max_lo;
			min_hi = hi < min_hi ? hi : min_hi;
		}
		if (reps[i]->n_items > row->n_items)
			row->n_items = reps[i]->n_items;
		row->closed |= reps[i]->access == ACCESS_CLOSED;
		row->flags |= reps[i]->flags;
	}
	row->agree = n == 1 ? -1 : max_lo <= min_hi;
	row->value = wsum / w;
}

/* Ascending, in place: insertion for short runs, else quicksort on the
 * median of three (no comparison through a function pointer). */
static void
sort_doubles(double *a, size_t n)
{
	while (n > 16) {
		double p = a[n / 2], t;
		size_t i = 0, j = n - 1;

		if (a[0] > p && a[n - 1] > p)
			p = a[0] < a[n - 1] ? a[0] : a[n - 1];
		else if (a[0] < p && a[n - 1] < p)
			p = a[0] > a[n - 1] ? a[0] : a[n - 1];
		for (;;) {
			while (a[i] < p)
				i++;
			while (a[j] > p)
				j--;
			if (i >= j)
				break;
			t = a[i], a[i] = a[j], a[j] = t;
			i++, j--;
		}
		sort_doubles(a, j + 1);	/* the smaller side would bound the depth; */
		a += j + 1;		/* n halves on average, and n <= rows */
		n -= j + 1;
	}
	for (size_t i = 1; i < n; i++) {
		double x = a[i];
		size_t k = i;

		for (; k > 0 && a[k - 1] > x; k--)
			a[k] = a[k - 1];
		a[k] = x;
	}
}

/* rank = 1 + the ranked rows whose lo lies above this row's hi: counted
 * by binary search in the sorted lows. */
static em_err
rank_rows(board *b)
{
	double *lows = malloc((b->n_rows + 1) * sizeof *lows);
	size_t m = 0;

	if (lows == NULL)
		return EM_ENOMEM;
	for (size_t i = 0; i < b->n_rows; i++)
		if (b->rows[i].ranked)
			lows[m++] = b->rows[i].lo;
	sort_doubles(lows, m);
	for (size_t i = 0; i < b->n_rows; i++) {
		board_row *r = &b->rows[i];
		size_t lo = 0, hi = m;

		if (!r->ranked)
			continue;
		while (lo < hi) {	/* the first low above r->hi */
			size_t mid = (lo + hi) / 2;

			if (lows[mid] > r->hi)
				hi = mid;
			else
				lo = mid + 1;
		}
		r->rank = (unsigned)(1 + m - lo);
	}
	free(lows);
	return EM_OK;
}

/* Sorts row pointers by row_cmp: insertion for short runs, else
 * quicksort on the middle element, the comparison inlined. */
static void
sort_ptrs(board_row **a, size_t n)
{
	while (n > 12) {
		board_row *p = a[n / 2], *t;
		size_t i = 0, j = n - 1;

		for (;;) {
			while (row_cmp(a[i], p) < 0)
				i++;
			while (row_cmp(a[j], p) > 0)
				j--;
			if (i >= j)
				break;
			t = a[i], a[i] = a[j], a[j] = t;
			i++, j--;
		}
		sort_ptrs(a, j + 1);
		a += j + 1;
		n -= j + 1;
	}
	for (size_t i = 1; i < n; i++) {
		board_row *x = a[i];
		size_t k = i;

		for (; k > 0 && row_cmp(a[k - 1], x) > 0; k--)
			a[k] = a[k - 1];
		a[k] = x;
	}
}

/* Puts the rows in their printed order. */
static em_err
sort_rows(board *b)
{
	board_row **p = malloc((b->n_rows + 1) * sizeof *p), *out;

	if (p == NULL || (out = malloc((b->n_rows + 1) * sizeof *out)) == NULL) {
		free(p);
		board_free(b);
		return EM_ENOMEM;
	}
	for (size_t i = 0; i < b->n_rows; i++)
		p[i] = &b->rows[i];
	sort_ptrs(p, b->n_rows);
	for (size_t i = 0; i < b->n_rows; i++)
		out[i] = *p[i];
	free(p);
	free(b->rows);
	b->rows = out;
	return EM_OK;
}

/* Copies what the rows borrow from the map (names, result ids) into one
 * block the board owns. */
static em_err
own(board *b, int ids)
{
	size_t need = 0, at = 0;
	char *arena;

	for (size_t i = 0; i < b->n_rows; i++)
		need += b->rows[i].model_len + b->rows[i].revision_len + 2 +
		    (ids ? 32 * (size_t)b->rows[i].reporters : 0);
	if ((arena = malloc(need + 1)) == NULL)
		return EM_ENOMEM;
	for (size_t i = 0; i < b->n_rows; i++) {
		board_row *r = &b->rows[i];

		memcpy(arena + at, r->model, r->model_len);
		arena[at + r->model_len] = '\0';
		r->model = arena + at;
		at += r->model_len + 1;
		memcpy(arena + at, r->revision, r->revision_len);
		arena[at + r->revision_len] = '\0';
		r->revision = arena + at;
		at += r->revision_len + 1;
		r->result_ids = NULL;
		if (ids) {
			for (unsigned k = 0; k < r->reporters; k++)
				memcpy(arena + at + 32 * k, r->reps[k]->id, 32);
			r->result_ids = (const uint8_t *)arena + at;
			at += 32 * (size_t)r->reporters;
		}
		r->reps = NULL;
	}
	b->arena = arena;
	return EM_OK;
}

em_err
board_build(const store_view *rows, size_t n, const uint8_t *trusted,
    const uint8_t digest[static 32], const board_opts *o, board *b)
{
	const store_view **v;
	uint8_t *first = NULL;
	size_t m = 0, kept = 0, mlen, ng = 0;

	memset(b, 0, sizeof *b);
	b->n_results = n;
	if ((v = malloc((n ? n : 1) * sizeof *v)) == NULL)
		return EM_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (o->trusted_only && (trusted == NULL || !trusted[i]))
			b->left_untrusted++;
		else
			v[m++] = &rows[i];
	}
	/* nothing below depends on the order of v: groups are ordered by key,
	 * reporters by author, rows by value and name */
	memcpy(b->digest, digest, 32);
	if (o->metric != NULL)
		snprintf(b->metric, sizeof b->metric, "%s", o->metric);
	else
		commonest(v, m, b->metric, sizeof b->metric);
	mlen = strlen(b->metric);
	for (size_t i = 0; i < m; i++) {
		if (v[i]->metric_len != mlen || memcmp(v[i]->metric, b->metric, mlen) != 0)
			b->left_metric++;
		else
			v[kept++] = v[i];
	}
	if ((first = malloc(kept + 1)) == NULL || group_sort(v, kept, first, &ng) != EM_OK ||
	    (b->rows = malloc((ng + 1) * sizeof *b->rows)) == NULL) {
		free(first);
		free(v);
		free(b->rows);
		b->rows = NULL;
		return EM_ENOMEM;
	}
	/* v becomes, group by group, each group's latest result per author */
	for (size_t i = 0, w = 0, j; i < kept; i = j) {
		size_t start = w;

		for (j = i; j < kept && (j == i || !first[j]); j++) {
			if (j > i && cmp_author32(v[j]->author, v[j - 1]->author) == 0) {
				b->left_superseded++;
				continue;
			}
			v[w++] = v[j];
		}
		if ((v[start]->flags & RESULT_REVOKED) && !o->all) {
			b->left_revoked += w - start;
			continue;
		}
		if (w - start < o->min_reporters) {
			b->left_min_reporters += w - start;
			continue;
		}
		make_row(&b->rows[b->n_rows++], v + start, w - start);
		b->used += w - start;
	}
	free(first);
	if (rank_rows(b) != EM_OK || own(b, o->result_ids) != EM_OK) {
		free(v);
		board_free(b);
		return EM_ENOMEM;
	}
	free(v);
	return sort_rows(b);
}

void
board_free(board *b)
{
	free(b->rows);
	free(b->arena);
	memset(b, 0, sizeof *b);
}

const char *
board_flags(uint32_t flags, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s%s%s%s", flags & RESULT_EQUIVOCATED ? "equivocating," : "",
	    flags & RESULT_DISPUTED ? "disputed," : "", flags & RESULT_REVOKED ? "revoked," : "",
	    flags ? "" : "-");
	if (flags && strlen(buf) > 0)
		buf[strlen(buf) - 1] = '\0';	/* the last comma */
	return buf;
}

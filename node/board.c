/* A task's leaderboard: the rules are in board.h. */
#include "board.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "stats.h"

static int
cmp_id(const void *a, const void *b)
{
	return memcmp((*(const store_row *const *)a)->id, (*(const store_row *const *)b)->id, 32);
}

/* Groups: revoked last, then model, revision; within, author, then the
 * latest first (seq, then id, descending). */
static int
cmp_group(const void *pa, const void *pb)
{
	const store_row *a = *(const store_row *const *)pa, *b = *(const store_row *const *)pb;
	int ra = (a->flags & RESULT_REVOKED) != 0, rb = (b->flags & RESULT_REVOKED) != 0, c;

	if (ra != rb)
		return ra - rb;
	if ((c = strcmp(a->model, b->model)) != 0 || (c = strcmp(a->revision, b->revision)) != 0)
		return c;
	if ((c = memcmp(a->author, b->author, 32)) != 0)
		return c;
	if (a->seq != b->seq)
		return a->seq > b->seq ? -1 : 1;
	return -memcmp(a->id, b->id, 32);
}

static int
same_group(const store_row *a, const store_row *b)
{
	return ((a->flags & RESULT_REVOKED) != 0) == ((b->flags & RESULT_REVOKED) != 0) &&
	    strcmp(a->model, b->model) == 0 && strcmp(a->revision, b->revision) == 0;
}

static int
cmp_rows(const void *pa, const void *pb)
{
	const board_row *a = pa, *b = pb;
	int c;

	if (a->ranked != b->ranked)
		return b->ranked - a->ranked;
	if (a->value != b->value)
		return a->value > b->value ? -1 : 1;
	if ((c = strcmp(a->model, b->model)) != 0)
		return c;
	return strcmp(a->revision, b->revision);
}

static void
interval(const store_row *r, double *lo, double *hi)
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
	return strcmp((*(const store_row *const *)pa)->metric, (*(const store_row *const *)pb)->metric);
}

/* The metric most results report (the least name among equals). */
static void
commonest(const store_row **v, size_t n, char *out, size_t cap)
{
	const store_row **s = malloc((n ? n : 1) * sizeof *s);
	size_t best = 0;

	out[0] = '\0';
	if (s == NULL)
		return;
	memcpy(s, v, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_metric);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && strcmp(s[j]->metric, s[i]->metric) == 0; j++)
			;
		if (j - i > best) {
			best = j - i;
			snprintf(out, cap, "%s", s[i]->metric);
		}
	}
	free(s);
}

/* One row from the reporters reps[0..n), one per author. */
static void
make_row(board_row *row, const store_row **reps, size_t n)
{
	double wsum = 0, w = 0;

	memset(row, 0, sizeof *row);
	snprintf(row->model, sizeof row->model, "%s", reps[0]->model);
	snprintf(row->revision, sizeof row->revision, "%s", reps[0]->revision);
	row->reporters = (unsigned)n;
	row->agree = n == 1 ? -1 : 1;
	row->ranked = !(reps[0]->flags & RESULT_REVOKED);
	row->reps = reps;
	for (size_t i = 0; i < n; i++) {
		double lo, hi, weight = reps[i]->n_items ? (double)reps[i]->n_items : 1;

		interval(reps[i], &lo, &hi);
		wsum += weight * reps[i]->value;
		w += weight;
		row->lo = i == 0 || lo < row->lo ? lo : row->lo;
		row->hi = i == 0 || hi > row->hi ? hi : row->hi;
		if (reps[i]->n_items > row->n_items)
			row->n_items = reps[i]->n_items;
		row->closed |= reps[i]->access == ACCESS_CLOSED;
		row->flags |= reps[i]->flags;
		for (size_t j = 0; j < i; j++) {
			double lo2, hi2;

			interval(reps[j], &lo2, &hi2);
			if (lo > hi2 || lo2 > hi)
				row->agree = 0;
		}
	}
	row->value = wsum / w;
}

static void
rank_rows(board *b)
{
	for (size_t i = 0; i < b->n_rows; i++) {
		board_row *r = &b->rows[i];

		if (!r->ranked)
			continue;
		r->rank = 1;
		for (size_t j = 0; j < b->n_rows; j++)
			if (b->rows[j].ranked && b->rows[j].lo > r->hi)
				r->rank++;
	}
}

em_err
board_build(const store_row *rows, size_t n, const uint8_t *trusted,
    const board_opts *o, board *b)
{
	const store_row **v;
	hash_state hs;
	size_t m = 0, kept = 0;

	memset(b, 0, sizeof *b);
	b->n_results = n;
	if ((v = malloc((n ? n : 1) * sizeof *v)) == NULL ||
	    (b->rows = calloc(n ? n : 1, sizeof *b->rows)) == NULL) {
		free(v);
		return EM_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (o->trusted_only && (trusted == NULL || !trusted[i]))
			b->left_untrusted++;
		else
			v[m++] = &rows[i];
	}
	qsort(v, m, sizeof *v, cmp_id);
	hash_start(&hs);
	for (size_t i = 0; i < m; i++)
		hash_update(&hs, v[i]->id, 32);
	hash_finish(&hs, b->digest);
	if (o->metric != NULL)
		snprintf(b->metric, sizeof b->metric, "%s", o->metric);
	else
		commonest(v, m, b->metric, sizeof b->metric);
	for (size_t i = 0; i < m; i++) {
		if (strcmp(v[i]->metric, b->metric) != 0)
			b->left_metric++;
		else
			v[kept++] = v[i];
	}
	qsort(v, kept, sizeof *v, cmp_group);
	/* v becomes, group by group, each group's latest result per author */
	for (size_t i = 0, w = 0, j; i < kept; i = j) {
		size_t start = w;

		for (j = i; j < kept && same_group(v[j], v[i]); j++) {
			if (j > i && memcmp(v[j]->author, v[j - 1]->author, 32) == 0) {
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
	rank_rows(b);
	qsort(b->rows, b->n_rows, sizeof *b->rows, cmp_rows);
	b->rows_mem = v;
	return EM_OK;
}

void
board_free(board *b)
{
	free(b->rows);
	free(b->rows_mem);
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

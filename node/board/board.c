/* A task's leaderboard: the rules are in board.h.
 *
 * Done the plain way. The results that count are kept as the scan lends
 * them; at the end they are sorted once so that each model's results lie
 * together, revoked ones after the others, each author's together, its
 * standing result first. The rows are made from that order (their
 * reporters already by author, the order their values are summed in), then
 * sorted, named and ranked with qsort. The board is a small part of what
 * `evalmesh leaderboard` costs: the README (Benchmarks) has the figures. */
#include "board.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "hash.h"
#include "stats.h"

struct board_acc {
	board_opts	 o;
	char		 metric[BODY_SHORT_MAX + 1];
	size_t		 metric_len;
	store_view	*kept;		/* the results that count, as they came */
	size_t		 n_kept, max, n;	/* kept; announced; read */
	size_t		 left_untrusted, left_metric, left_items, left_range;
};

em_err
board_begin(size_t n, const char *metric, const board_opts *o, board_acc **out)
{
	board_acc *a;

	*out = NULL;
	if (n > SIZE_MAX / sizeof(store_view) - 1 || (a = calloc(1, sizeof *a)) == NULL)
		return EM_ENOMEM;
	if ((a->kept = malloc((n ? n : 1) * sizeof *a->kept)) == NULL) {
		free(a);
		return EM_ENOMEM;
	}
	a->o = *o;
	a->o.metric = NULL;
	snprintf(a->metric, sizeof a->metric, "%s", metric);
	a->metric_len = strlen(a->metric);
	a->max = n;
	*out = a;
	return EM_OK;
}

/* Rule 2: a proportion's value, and its interval when it has one, inside
 * [0, 1], the interval holding the value. Written so NaN fails. */
static int
in_unit(const store_view *r)
{
	if (!(r->value >= 0 && r->value <= 1))
		return 0;
	return !r->has_ci || (r->lo >= 0 && r->lo <= r->value && r->hi >= r->value &&
	    r->hi <= 1);
}

enum board_left
board_counts(const store_view *r, const char *metric, const board_opts *o)
{
	if (metric != NULL && (r->metric_len != strlen(metric) ||
	    memcmp(r->metric, metric, r->metric_len) != 0))
		return BOARD_LEFT_METRIC;
	if (o->task_items != 0 && r->n_items != o->task_items)
		return BOARD_LEFT_ITEMS;
	if (o->proportion && !in_unit(r))
		return BOARD_LEFT_RANGE;
	return BOARD_KEPT;
}

int
board_newer(const store_view *a, const store_view *b)
{
	if (a->seq != b->seq)
		return a->seq > b->seq;
	return memcmp(a->id, b->id, 32) > 0;
}

/* The views are the caller's only during the call; what they point to
 * (ids, authors, names) stays until board_end returns, so a copy of each
 * view will do. */
void
board_add(board_acc *a, const store_view *rows, size_t n, const uint8_t *trusted)
{
	if (n > a->max - a->n)	/* more than announced: not counted at all */
		n = a->max - a->n;
	for (size_t i = 0; i < n; i++) {
		const store_view *r = &rows[i];

		if (a->o.trusted_only && (trusted == NULL || !trusted[i])) {
			a->left_untrusted++;
			continue;
		}
		switch (board_counts(r, a->metric, &a->o)) {
		case BOARD_KEPT:
			a->kept[a->n_kept++] = *r;
			break;
		case BOARD_LEFT_METRIC:
			a->left_metric++;
			break;
		case BOARD_LEFT_ITEMS:
			a->left_items++;
			break;
		case BOARD_LEFT_RANGE:
			a->left_range++;
			break;
		}
	}
	a->n += n;
}

void
board_acc_free(board_acc *a)
{
	if (a != NULL)
		free(a->kept);
	free(a);
}

static int
is_revoked(const store_view *r)
{
	return (r->flags & RESULT_REVOKED) != 0;
}

/* The order results are grouped in: by model (its number), revoked ones
 * after the others, by author; then an author's standing result first
 * (highest seq, then highest id) and, between two alike, the one that came
 * first (the pointers are into kept, in arrival order). */
static int
cmp_result(const void *pa, const void *pb)
{
	const store_view *a = *(const store_view *const *)pa, *b = *(const store_view *const *)pb;
	int c;

	if (a->name_id != b->name_id)
		return a->name_id < b->name_id ? -1 : 1;
	if (is_revoked(a) != is_revoked(b))
		return is_revoked(a) - is_revoked(b);
	if ((c = memcmp(a->author, b->author, 32)) != 0)
		return c;
	if (board_newer(a, b) || board_newer(b, a))
		return board_newer(a, b) ? -1 : 1;
	return a < b ? -1 : a > b;
}

static int
same_row(const store_view *a, const store_view *b)
{
	return a->name_id == b->name_id && is_revoked(a) == is_revoked(b);
}

/* Sorts the kept results into p and moves each author's standing result
 * to the front, one per author and row: returns how many stand. */
static size_t
standing(board_acc *a, const store_view **p)
{
	size_t m = 0;

	for (size_t i = 0; i < a->n_kept; i++)
		p[i] = &a->kept[i];
	qsort(p, a->n_kept, sizeof *p, cmp_result);
	for (size_t i = 0; i < a->n_kept; i++)	/* the first of each author's stands */
		if (m == 0 || !same_row(p[i], p[m - 1]) ||
		    memcmp(p[i]->author, p[m - 1]->author, 32) != 0)
			p[m++] = p[i];
	return m;
}

/* A result's 95% interval: its published one, else Wilson's. */
static void
interval(const store_view *r, double *lo, double *hi)
{
	if (r->has_ci) {
		*lo = r->lo;
		*hi = r->hi;
		return;
	}
	stats_wilson(r->value < 0 ? 0 : r->value > 1 ? 1 : r->value, (size_t)r->n_items, STATS_Z95,
	    lo, hi);
}

/* A row and where its reporters are in the standing results. */
struct pending {
	board_row	 r;
	size_t		 first;
};

/* A row's numbers from its reporters s[0..n), by author: the order their
 * values are summed in, so the same bits on every node. One reporter's
 * numbers are its own, exactly (w * v / w need not give v back).
 * Intervals on a line that overlap two by two share a point (Helly), so
 * the reporters agree exactly when the highest low is at most the lowest
 * high. */
static void
combine(board_row *r, const store_view *const *s, size_t n)
{
	double wsum = 0, w = 0, lo, hi, max_lo, min_hi;

	interval(s[0], &r->lo, &r->hi);
	max_lo = r->lo;
	min_hi = r->hi;
	r->reporters = (unsigned)n;
	for (size_t i = 0; i < n; i++) {
		double weight = s[i]->n_items ? (double)s[i]->n_items : 1;

		interval(s[i], &lo, &hi);
		wsum += weight * s[i]->value;
		w += weight;
		r->lo = lo < r->lo ? lo : r->lo;
		r->hi = hi > r->hi ? hi : r->hi;
		max_lo = lo > max_lo ? lo : max_lo;
		min_hi = hi < min_hi ? hi : min_hi;
		r->n_items = s[i]->n_items > r->n_items ? s[i]->n_items : r->n_items;
		r->closed |= s[i]->access == ACCESS_CLOSED;
		r->flags |= s[i]->flags;
		r->items_sum += s[i]->n_items;
		r->cut[CUT_TRUNCATED] += s[i]->truncated;
		r->cut[CUT_EMPTY] += s[i]->empty;
		r->cut[CUT_REFUSED] += s[i]->refused;
		r->cut[CUT_FAILED] += s[i]->failed;
	}
	r->value = n == 1 ? s[0]->value : wsum / w;
	r->agree = n == 1 ? -1 : max_lo <= min_hi;
}

/* The rows from the standing results s[0..m), into t (one row at most per
 * result); the rows the reader's options leave out are counted. Returns
 * how many rows. */
static size_t
make_rows(const board_acc *a, const store_view **s, size_t m, struct pending *t, board *b)
{
	size_t nr = 0;

	for (size_t i = 0, j; i < m; i = j) {
		size_t n;

		for (j = i + 1; j < m && same_row(s[j], s[i]); j++)
			;
		n = j - i;
		if (is_revoked(s[i]) && !a->o.all) {
			b->left_revoked += n;
			continue;
		}
		if (n < a->o.min_reporters) {
			b->left_min_reporters += n;
			continue;
		}
		memset(&t[nr], 0, sizeof t[nr]);
		t[nr].first = i;
		t[nr].r.ranked = !is_revoked(s[i]);
		t[nr].r.model = s[i]->model;	/* borrowed until lay_out copies it */
		t[nr].r.model_len = s[i]->model_len;
		t[nr].r.revision = s[i]->revision;
		t[nr].r.revision_len = s[i]->revision_len;
		combine(&t[nr].r, s + i, n);
		b->used += n;
		nr++;
	}
	return nr;
}

/* A number's place in the one order values are sorted and compared in:
 * as numbers, -0 equal to 0; a NaN (a mean whose sum overflowed) below
 * -inf when its sign bit is set, above +inf when not. */
static uint64_t
order_key(double v)
{
	uint64_t u;

	if (v == 0)
		v = 0;
	memcpy(&u, &v, 8);
	return (u >> 63) ? ~u : u | (1ULL << 63);
}

static int
cmp_text(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c != 0 ? c : (alen > blen) - (alen < blen);
}

/* The printed order: ranked rows first, then by value, high first, then
 * model name, then revision, byte-wise. */
static int
cmp_row(const void *pa, const void *pb)
{
	const board_row *a = pa, *b = pb;
	uint64_t ka = order_key(a->value), kb = order_key(b->value);
	int c;

	if (a->ranked != b->ranked)
		return b->ranked - a->ranked;
	if (ka != kb)
		return ka > kb ? -1 : 1;
	if ((c = cmp_text(a->model, a->model_len, b->model, b->model_len)) != 0)
		return c;
	return cmp_text(a->revision, a->revision_len, b->revision, b->revision_len);
}

/* The sorted rows t[0..n) into b, each with copies of its names (one
 * block, b->arena) and, when asked for, its reporters' result ids (by
 * author; another block, b->ids). */
static em_err
lay_out(const board_acc *a, const store_view **s, const struct pending *t, size_t n, board *b)
{
	size_t names = 1, ids = 1;
	char *at;
	uint8_t *id;

	for (size_t i = 0; i < n; i++) {
		names += (size_t)t[i].r.model_len + t[i].r.revision_len + 2;
		ids += 32 * (size_t)t[i].r.reporters;
	}
	if ((b->rows = malloc((n + 1) * sizeof *b->rows)) == NULL ||
	    (b->arena = malloc(names)) == NULL ||
	    (a->o.result_ids && (b->ids = malloc(ids)) == NULL))
		return EM_ENOMEM;
	at = b->arena;
	id = b->ids;
	for (size_t i = 0; i < n; i++) {
		board_row *r = &b->rows[i];

		*r = t[i].r;
		memcpy(at, r->model, r->model_len);
		at[r->model_len] = '\0';
		r->model = at;
		at += r->model_len + 1;
		memcpy(at, r->revision, r->revision_len);
		at[r->revision_len] = '\0';
		r->revision = at;
		at += r->revision_len + 1;
		if (id == NULL)
			continue;
		r->result_ids = id;
		for (size_t x = 0; x < r->reporters; x++, id += 32)
			memcpy(id, s[t[i].first + x]->id, 32);
	}
	b->n_rows = n;
	return EM_OK;
}

static int
cmp_key(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return (a > b) - (a < b);
}

/* rank = 1 + the ranked rows whose low lies above this row's high: the
 * lows sorted, the count of those at or below the high found by binary
 * search. The ranked rows are b->rows[0..m). */
static em_err
rank_rows(board *b)
{
	size_t m = 0;
	uint64_t *lows;

	while (m < b->n_rows && b->rows[m].ranked)
		m++;
	if ((lows = malloc((m ? m : 1) * sizeof *lows)) == NULL)
		return EM_ENOMEM;
	for (size_t i = 0; i < m; i++)
		lows[i] = order_key(b->rows[i].lo);
	qsort(lows, m, sizeof *lows, cmp_key);
	for (size_t i = 0; i < m; i++) {
		uint64_t hi = order_key(b->rows[i].hi);
		size_t lo = 0, top = m;

		while (lo < top) {	/* the first low above hi */
			size_t mid = lo + (top - lo) / 2;

			if (lows[mid] <= hi)
				lo = mid + 1;
			else
				top = mid;
		}
		b->rows[i].rank = (unsigned)(1 + m - lo);
	}
	free(lows);
	return EM_OK;
}

/* A kept result in the digest's order: ids are hashes, so their first
 * eight bytes as a number nearly always tell two apart, and compare
 * faster than 32 bytes do. */
struct by_id {
	uint64_t		 key;
	const store_view	*v;
};

static int
cmp_id(const void *pa, const void *pb)
{
	const struct by_id *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return memcmp(a->v->id, b->v->id, 32);
}

/* The digest of what was ranked (board.h): the kept results by id, each
 * with its flags, then the trust set with trusted_only. */
static em_err
digest(const board_acc *a, uint8_t out[static 32])
{
	static const char tag[] = "evalmesh/board/v1";
	uint8_t count[8], yes = a->o.trusted_only ? 1 : 0, buf[33 * 64];
	struct by_id *s = malloc((a->n_kept ? a->n_kept : 1) * sizeof *s);
	size_t n = a->n_kept, len = 0;
	hash_state hs;

	if (s == NULL)
		return EM_ENOMEM;
	for (size_t i = 0; i < n; i++)
		s[i] = (struct by_id){ be_get(a->kept[i].id, 8), &a->kept[i] };
	qsort(s, n, sizeof *s, cmp_id);
	hash_start(&hs);
	hash_update(&hs, (const uint8_t *)tag, sizeof tag);
	for (size_t i = 0; i < n; i++) {	/* in blocks: a call per result costs */
		memcpy(buf + len, s[i].v->id, 32);
		buf[len + 32] = s[i].v->flags;
		if ((len += 33) == sizeof buf || i + 1 == n) {
			hash_update(&hs, buf, len);
			len = 0;
		}
	}
	free(s);
	hash_update(&hs, &yes, 1);
	if (yes) {
		be_put(count, a->o.n_trust, 8);
		hash_update(&hs, count, 8);
		if (a->o.n_trust > 0)
			hash_update(&hs, a->o.trust, 32 * a->o.n_trust);
	}
	hash_finish(&hs, out);
	return EM_OK;
}

em_err
board_end(board_acc *a, board *b)
{
	size_t n = a->n_kept ? a->n_kept : 1, m, nr;
	const store_view **s = malloc(n * sizeof *s);
	struct pending *t = malloc(n * sizeof *t);
	em_err err = EM_ENOMEM;

	memset(b, 0, sizeof *b);
	snprintf(b->metric, sizeof b->metric, "%s", a->metric);
	b->n_results = a->n;
	b->left_untrusted = a->left_untrusted;
	b->left_metric = a->left_metric;
	b->left_items = a->left_items;
	b->left_range = a->left_range;
	if (s == NULL || t == NULL || (err = digest(a, b->digest)) != EM_OK)
		goto out;
	m = standing(a, s);
	b->left_superseded = a->n_kept - m;
	nr = make_rows(a, s, m, t, b);
	qsort(t, nr, sizeof *t, cmp_row);
	if ((err = lay_out(a, s, t, nr, b)) == EM_OK)	/* names, ids: borrowed until here */
		err = rank_rows(b);
out:
	free(s);
	free(t);
	board_acc_free(a);
	if (err != EM_OK)
		board_free(b);
	return err;
}

static int
cmp_metric(const void *pa, const void *pb)
{
	const store_view *a = *(const store_view *const *)pa, *b = *(const store_view *const *)pb;

	return cmp_text(a->metric, a->metric_len, b->metric, b->metric_len);
}

em_err
board_metric(const store_view *rows, size_t n, const uint8_t *trusted, int trusted_only,
    char *out, size_t cap)
{
	const store_view **v = malloc((n ? n : 1) * sizeof *v);
	size_t m = 0, best = 0;

	if (cap > 0)
		out[0] = '\0';
	if (v == NULL)
		return EM_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!trusted_only || (trusted != NULL && trusted[i]))
			v[m++] = &rows[i];
	qsort(v, m, sizeof *v, cmp_metric);
	for (size_t i = 0, j; i < m; i = j) {	/* the first longest run: the least name */
		for (j = i + 1; j < m && cmp_metric(&v[j], &v[i]) == 0; j++)
			;
		if (j - i > best) {
			best = j - i;
			snprintf(out, cap, "%.*s", (int)v[i]->metric_len, v[i]->metric);
		}
	}
	free(v);
	return EM_OK;
}

em_err
board_build(const store_view *rows, size_t n, const uint8_t *trusted, const board_opts *o,
    board *b)
{
	char metric[BODY_SHORT_MAX + 1];
	board_acc *a = NULL;
	em_err err;

	memset(b, 0, sizeof *b);
	if (o->metric != NULL)
		snprintf(metric, sizeof metric, "%s", o->metric);
	else if ((err = board_metric(rows, n, trusted, o->trusted_only, metric, sizeof metric)) !=
	    EM_OK)
		return err;
	if ((err = board_begin(n, metric, o, &a)) != EM_OK)
		return err;
	board_add(a, rows, n, trusted);
	return board_end(a, b);
}

void
board_free(board *b)
{
	free(b->rows);
	free(b->arena);
	free(b->ids);
	memset(b, 0, sizeof *b);
}

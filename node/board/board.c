/* A task's leaderboard: the rules are in board.h.
 *
 * Built as the rows are read. The store gives a task's results for one
 * model and revision one after another (a run), so a result is grouped by
 * comparing one number with the last one's; within its run it is matched
 * to its author's earlier result by looking through the run's few
 * reporters (a table, past a handful), and what a row needs is copied out
 * of it then, while it is in cache. No array of results is made, sorted or
 * walked again: only the rows are sorted — each one's reporters by author,
 * the rows by value, the intervals' lows for the ranks — by a bucket sort
 * (common/keysort.h). */
#include "board.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "keysort.h"
#include "stats.h"

#define TEXT(r, f) (r)->f, (r)->f##_len

/* A run: the results for one model and revision (the store's number for
 * them), which come one after another. Its members are m[first..end);
 * its names are copied when it starts, while they are in cache. */
typedef struct board_run {
	uint64_t	 nid;
	uint32_t	 name_at;	/* model NUL revision NUL in names */
	uint8_t		 model_len, revision_len;
	uint8_t		 big;		/* its members are in the table */
	uint8_t		 revoked;	/* some of its results are revoked */
	uint32_t	 first, end;
} board_run;

/* One author's standing result for one model, revoked or not: its key,
 * then what its row needs of it. */
struct board_member {
	uint8_t		 author[32];
	uint32_t	 run;
	uint8_t		 revoked, flags, access;
	uint64_t	 seq, n_items;
	uint32_t	 cut[BOARD_CUTS];	/* its run's item counts */
	double		 value, lo, hi;	/* the published interval, or Wilson's */
	const uint8_t	*id;		/* borrowed, like the names */
	const store_view *cur;		/* its result while its batch lasts:
					 * copied in when the batch ends */
};
typedef struct board_member member;

/* Whether r supersedes the member's result: a higher seq, then id. */
static inline int
later(const store_view *r, const member *m)
{
	uint64_t seq = m->cur ? m->cur->seq : m->seq;
	const uint8_t *id = m->cur ? m->cur->id : m->id;

	return r->seq != seq ? r->seq > seq : memcmp(r->id, id, 32) > 0;
}

static inline void
take(member *m, const store_view *r)
{
	m->seq = r->seq;
	m->n_items = r->n_items;
	m->cut[CUT_TRUNCATED] = r->truncated;
	m->cut[CUT_EMPTY] = r->empty;
	m->cut[CUT_REFUSED] = r->refused;
	m->cut[CUT_FAILED] = r->failed;
	m->value = r->value;
	if (r->has_ci) {
		m->lo = r->lo;
		m->hi = r->hi;
	} else {
		stats_wilson(r->value < 0 ? 0 : r->value > 1 ? 1 : r->value, (size_t)r->n_items,
		    STATS_Z95, &m->lo, &m->hi);
	}
	m->id = r->id;
	m->flags = r->flags;
	m->access = r->access;
}

/* A run with more members than this finds them through a table; fewer
 * are looked through one by one, which costs less than any probe. */
#define RUN_LINEAR	8

struct board_acc {
	board_opts	 o;
	char		 metric[BODY_SHORT_MAX + 1];
	size_t		 mlen;
	board_run	*r;
	member		*m;
	int32_t		*slot;		/* members of big runs: index or -1 */
	int32_t		 held[STORE_SCAN_BATCH];	/* members with a cur */
	size_t		 nheld;
	char		*names;		/* the runs' names, for the board */
	size_t		 names_len, names_cap;
	int		 oom, table_ready;
	int32_t		 last;		/* the member the last result went to */
	size_t		 cap, max, nr, nm, n;
	size_t		 left_untrusted, left_metric, left_superseded;
	void		*mem;
};

em_err
board_begin(size_t n, const char *metric, const board_opts *o, board_acc **out)
{
	size_t cap = 16, np = n ? n : 1;
	board_acc *a;
	char *m;

	*out = NULL;
	while (cap < 2 * np)
		cap <<= 1;
	if ((a = calloc(1, sizeof *a)) == NULL)
		return EM_ENOMEM;
	/* the widest first: members, runs, then the table */
	if ((m = malloc(np * (sizeof *a->m + sizeof *a->r) + cap * sizeof *a->slot)) == NULL) {
		free(a);
		return EM_ENOMEM;
	}
	a->o = *o;
	a->o.metric = NULL;
	snprintf(a->metric, sizeof a->metric, "%s", metric);
	a->mlen = strlen(a->metric);
	a->mem = m;
	a->m = (member *)(void *)m;
	a->r = (board_run *)(void *)(a->m + np);
	a->slot = (int32_t *)(void *)(a->r + np);
	a->cap = cap;
	a->max = n;
	a->last = -1;
	*out = a;	/* the table is cleared when a run first needs it */
	return EM_OK;
}

/* r stands for member s until its batch ends, when it is copied in: a
 * result superseded within a batch is never copied. */
static inline void
hold(board_acc *a, int32_t s, const store_view *r)
{
	member *m = &a->m[s];

	if (m->cur == NULL)
		a->held[a->nheld++] = s;
	m->cur = r;
}

/* The table's slot for a key: the name number (a hash already) and the
 * author's first word, mixed. */
static inline size_t
slot_of(uint64_t nid, uint8_t revoked, const uint8_t *author, size_t mask)
{
	uint64_t x;

	memcpy(&x, author, 8);
	x = (x ^ nid ^ revoked) * 0x9e3779b97f4a7c15ULL;
	return (size_t)(x >> 40) & mask;
}

static inline int
is_member(const member *m, const store_view *r, uint8_t revoked)
{
	return m->revoked == revoked && bytes_same32(m->author, r->author);
}

/* Where member s goes in the table, or where r's member is (-1: none). */
static inline int32_t
probe(const board_acc *a, const store_view *r, uint8_t revoked, size_t *h)
{
	size_t mask = a->cap - 1;
	uint32_t k = (uint32_t)a->nr - 1;
	int32_t s;

	*h = slot_of(r->name_id, revoked, r->author, mask);
	while ((s = a->slot[*h]) >= 0 && (a->m[s].run != k || !is_member(&a->m[s], r, revoked)))
		*h = (*h + 1) & mask;
	return s;
}

/* A new run for r, its names copied. NULL when out of memory (the board
 * then fails). */
static board_run *
start_run(board_acc *a, const store_view *r)
{
	size_t need = (size_t)r->model_len + r->revision_len + 2;
	char *at;
	board_run *u;

	if (a->names_cap - a->names_len < need) {
		size_t cap = a->names_cap ? 2 * a->names_cap : 4096;
		char *nn;

		while (cap - a->names_len < need)
			cap *= 2;
		if (cap > UINT32_MAX || (nn = realloc(a->names, cap)) == NULL) {
			a->oom = 1;
			return NULL;
		}
		a->names = nn;
		a->names_cap = cap;
	}
	at = a->names + a->names_len;
	bytes_copy_short(at, r->model, r->model_len);
	at[r->model_len] = '\0';
	bytes_copy_short(at + r->model_len + 1, r->revision, r->revision_len);
	at[r->model_len + 1 + r->revision_len] = '\0';
	u = &a->r[a->nr++];
	*u = (board_run){ r->name_id, (uint32_t)a->names_len, r->model_len, r->revision_len, 0, 0,
	    (uint32_t)a->nm, (uint32_t)a->nm };
	a->names_len += need;
	return u;
}

static inline void
table_put(board_acc *a, int32_t s)
{
	size_t mask = a->cap - 1;
	size_t h = slot_of(a->r[a->m[s].run].nid, a->m[s].revoked, a->m[s].author, mask);

	while (a->slot[h] >= 0)
		h = (h + 1) & mask;
	a->slot[h] = s;
}

/* r in its run: it starts one, or stands for its author there (revoked or
 * not), or it or the author's earlier result there is superseded. */
static inline void
add_one(board_acc *a, const store_view *r, int trusted)
{
	uint8_t revoked = (r->flags & RESULT_REVOKED) != 0;
	board_run *u = a->nr > 0 ? &a->r[a->nr - 1] : NULL;
	int32_t s = -1;
	size_t h = 0;
	member *m;

	if (a->o.trusted_only && !trusted) {
		a->left_untrusted++;
		return;
	}
	if (r->metric_len != a->mlen || !bytes_same(r->metric, a->metric, a->mlen)) {
		a->left_metric++;
		return;
	}
	if (u == NULL || u->nid != r->name_id) {
		if ((u = start_run(a, r)) == NULL)
			return;
	} else if (a->last >= 0 && (uint32_t)a->last >= u->first &&
	    is_member(&a->m[a->last], r, revoked)) {
		s = a->last;	/* the last result's author again: often so */
	} else if (u->big) {
		s = probe(a, r, revoked, &h);
	} else {
		for (uint32_t i = u->first; i < u->end && s < 0; i++)
			if (is_member(&a->m[i], r, revoked))
				s = (int32_t)i;
	}
	if (s >= 0) {
		a->left_superseded++;
		if (later(r, &a->m[s]))
			hold(a, s, r);
		a->last = s;
		return;
	}
	a->last = s = (int32_t)a->nm++;
	m = &a->m[s];
	m->run = (uint32_t)(a->nr - 1);
	m->revoked = revoked;
	u->revoked |= revoked;
	memcpy(m->author, r->author, 32);
	m->cur = NULL;
	hold(a, s, r);
	u->end = (uint32_t)a->nm;
	if (u->big) {
		a->slot[h] = s;
	} else if (u->end - u->first > RUN_LINEAR) {
		if (!a->table_ready) {
			memset(a->slot, 0xff, a->cap * sizeof *a->slot);
			a->table_ready = 1;
		}
		u->big = 1;
		for (uint32_t i = u->first; i < u->end; i++)
			table_put(a, (int32_t)i);
	}
}

void
board_add(board_acc *a, const store_view *rows, size_t n, const uint8_t *trusted)
{
	if (n > a->max - a->n)	/* more than announced: not counted at all */
		n = a->max - a->n;
	for (size_t at = 0; at < n; at += STORE_SCAN_BATCH) {
		size_t k = n - at < STORE_SCAN_BATCH ? n - at : STORE_SCAN_BATCH;

		for (size_t i = 0; i < k; i++)
			add_one(a, &rows[at + i], trusted != NULL && trusted[at + i]);
		for (size_t i = 0; i < a->nheld; i++) {	/* the batch's views go */
			member *m = &a->m[a->held[i]];

			take(m, m->cur);
			m->cur = NULL;
		}
		a->nheld = 0;
	}
	a->n += n;
}

void
board_acc_free(board_acc *a)
{
	if (a != NULL) {
		free(a->mem);
		free(a->names);
	}
	free(a);
}

/* A row before it is laid out: what ranking and ordering need, in a
 * compact array of its own, and where the rest is. */
typedef struct board_row_stat {
	double		 value, lo, hi;
	uint64_t	 n_items;
	uint32_t	 run, reps;	/* its run; its reporters at reps[reps..] */
	uint32_t	 reporters;
	int8_t		 agree;
	uint8_t		 closed, flags, revoked;
} board_row_stat;

/* A row's numbers from its reporters reps[0..n), one per author, by
 * author: the order their values are summed in, so the same on every
 * node. Intervals on a line that overlap two by two share a point (Helly),
 * so the reporters agree exactly when the highest low is at most the
 * lowest high. */
static inline void
combine(board_row_stat *t, const member *const *reps, size_t n)
{
	double wsum = 0, w = 0, max_lo = reps[0]->lo, min_hi = reps[0]->hi;

	if (n == 1) {	/* its own numbers, exactly */
		const member *m = reps[0];

		t->value = m->value;
		t->lo = m->lo;
		t->hi = m->hi;
		t->n_items = m->n_items;
		t->closed = m->access == ACCESS_CLOSED;
		t->flags = m->flags;
		t->reporters = 1;
		t->agree = -1;
		return;
	}
	t->lo = reps[0]->lo;
	t->hi = reps[0]->hi;
	t->n_items = 0;
	t->closed = 0;
	t->flags = 0;
	t->reporters = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		const member *m = reps[i];
		double weight = m->n_items ? (double)m->n_items : 1;

		wsum += weight * m->value;
		w += weight;
		t->lo = m->lo < t->lo ? m->lo : t->lo;
		t->hi = m->hi > t->hi ? m->hi : t->hi;
		max_lo = m->lo > max_lo ? m->lo : max_lo;
		min_hi = m->hi < min_hi ? m->hi : min_hi;
		t->n_items = m->n_items > t->n_items ? m->n_items : t->n_items;
		t->closed |= m->access == ACCESS_CLOSED;
		t->flags |= m->flags;
	}
	t->agree = max_lo <= min_hi;
	t->value = wsum / w;
}

static int
cmp_member_q(const void *a, const void *b)
{
	return bytes_order32((*(const member *const *)a)->author, (*(const member *const *)b)->author);
}

/* The rows before they are laid out, with what ordering and ranking them
 * needs: the values of the ranked rows from the front of vals, of the
 * unranked from its back; once ordered, the ranked rows' lows in their
 * place. Every row has a reporter of its own, so there are no more rows
 * than members. */
typedef struct board_pending {
	board_row_stat	*st;
	const member	**reps;		/* every row's reporters, by author */
	ks_item		*vals;
	uint32_t	*order;
	size_t		 cap, n, ranked, others, ids;	/* ids: bytes of result ids */
	void		*mem;
} board_pending;

static em_err
pending_alloc(board_pending *t, size_t nrows, size_t nreps)
{
	size_t n = nrows ? nrows : 1;
	char *m = malloc(n * (sizeof(board_row_stat) + sizeof(ks_item) + sizeof(uint32_t)) +
	    (nreps + 1) * sizeof(member *));

	memset(t, 0, sizeof *t);
	if (m == NULL)
		return EM_ENOMEM;
	t->mem = m;
	t->cap = n;
	t->st = (board_row_stat *)(void *)m;
	t->vals = (ks_item *)(void *)(t->st + n);
	t->reps = (const member **)(void *)(t->vals + n);
	t->order = (uint32_t *)(void *)(t->reps + nreps + 1);
	return EM_OK;
}

/* Each run's reporters, revoked and not apart, by author, into rows; rows
 * the reader's options leave out are counted. */
static void
make_rows(board_acc *a, board *b, board_pending *t)
{
	const member **s = t->reps;

	for (size_t k = 0; k < a->nr; k++) {
		const board_run *u = &a->r[k];

		for (int revoked = 0; revoked <= u->revoked; revoked++) {
			size_t n = 0;
			uint32_t at;
			board_row_stat *st;

			if (u->end - u->first == 1) {	/* one reporter: the common case */
				s[0] = &a->m[u->first];
				n = s[0]->revoked == revoked;
			} else {
				for (uint32_t i = u->first; i < u->end; i++)
					if (a->m[i].revoked == revoked)
						s[n++] = &a->m[i];
			}
			if (n == 0)
				continue;
			if (n > 16) {
				qsort(s, n, sizeof *s, cmp_member_q);
			} else {
				for (size_t x = 1; x < n; x++) {	/* a few: insertion */
					const member *y = s[x];
					size_t c = x;

					for (; c > 0 && bytes_order32(s[c - 1]->author, y->author) > 0; c--)
						s[c] = s[c - 1];
					s[c] = y;
				}
			}
			if (revoked && !a->o.all) {
				b->left_revoked += n;
				continue;
			}
			if (n < a->o.min_reporters) {
				b->left_min_reporters += n;
				continue;
			}
			at = (uint32_t)t->n++;
			st = &t->st[at];
			combine(st, s, n);
			st->run = (uint32_t)k;
			st->reps = (uint32_t)(s - t->reps);
			st->revoked = (uint8_t)revoked;
			if (revoked) {
				t->vals[t->cap - ++t->others] = (ks_item){ 0, -st->value, at };
			} else {
				t->vals[t->ranked++] = (ks_item){ 0, -st->value, at };	/* high first */
			}
			t->ids += a->o.result_ids ? 32 * n : 0;
			b->used += n;
			s += n;
		}
	}
}

static inline int
name_cmp(const board_acc *a, const board_row_stat *x, const board_row_stat *y)
{
	const board_run *u = &a->r[x->run], *v = &a->r[y->run];
	const char *p = a->names + u->name_at, *q = a->names + v->name_at;
	int c = bytes_order(p, u->model_len, q, v->model_len);

	return c != 0 ? c : bytes_order(p + u->model_len + 1, u->revision_len,
	    q + v->model_len + 1, v->revision_len);
}

/* Appends to order the rows of k[0..m) by value (k holds them negated:
 * high first), then by name: the values alone leave equal ones in the
 * order their runs were met, which differs from node to node, so runs of
 * them are ordered by name after. */
static em_err
order_some(const board_acc *a, board_pending *t, const ks_item *k, size_t m, size_t *at)
{
	keysort ks;
	em_err err;

	if (m == 0)
		return EM_OK;
	if ((err = keysort_build(&ks, k, m)) == EM_OK) {
		for (size_t i = 0, j; i < m; i = j) {
			for (j = i + 1; j < m && ks.a[j].key == ks.a[i].key; j++)
				;
			for (size_t x = i + 1; x < j; x++) {	/* equal values: by name */
				ks_item y = ks.a[x];
				size_t c = x;

				for (; c > i && name_cmp(a, &t->st[ks.a[c - 1].idx], &t->st[y.idx]) > 0;
				    c--)
					ks.a[c] = ks.a[c - 1];
				ks.a[c] = y;
			}
		}
		for (size_t i = 0; i < m; i++)
			t->order[(*at)++] = ks.a[i].idx;
	}
	keysort_free(&ks);
	return err;
}

/* Writes the rows in their printed order — the ranked ones, then the
 * others — and the ranked ones' lows for rank_rows, where their values
 * were (ordered now). Their names are in the builder's block, which the board
 * takes; their result ids, when asked for, get a block of their own. */
static em_err
lay_out(board_acc *a, board_pending *t, board *b)
{
	int ids = a->o.result_ids;
	uint8_t *idb = ids ? malloc(t->ids + 1) : NULL;
	size_t at = 0;
	em_err err = EM_ENOMEM;

	if ((ids && idb == NULL) || (b->rows = malloc((t->n + 1) * sizeof *b->rows)) == NULL) {
		free(idb);
		return err;
	}
	for (size_t i = 0; i < t->n; i++) {
		const board_row_stat *st = &t->st[t->order[i]];
		const board_run *u = &a->r[st->run];
		board_row *r = &b->rows[i];

		r->model = a->names + u->name_at;
		r->model_len = u->model_len;
		r->revision = r->model + u->model_len + 1;
		r->revision_len = u->revision_len;
		r->value = st->value;
		r->lo = st->lo;
		r->hi = st->hi;
		r->n_items = st->n_items;
		r->reporters = st->reporters;
		r->agree = st->agree;
		r->closed = st->closed;
		r->flags = st->flags;
		r->ranked = !st->revoked;
		r->rank = 0;
		r->result_ids = NULL;
		r->items_sum = 0;
		memset(r->cut, 0, sizeof r->cut);
		for (uint32_t x = 0; x < st->reporters; x++) {
			const member *m = t->reps[st->reps + x];

			r->items_sum += m->n_items;
			for (int k = 0; k < BOARD_CUTS; k++)
				r->cut[k] += m->cut[k];
		}
		if (i < t->ranked) {	/* low values first */
			t->vals[t->ranked - 1 - i] = (ks_item){ 0, st->lo, (uint32_t)i };	/* lows */
		}
		if (ids) {
			for (uint32_t x = 0; x < st->reporters; x++)
				memcpy(idb + at + 32 * x, t->reps[st->reps + x]->id, 32);
			r->result_ids = idb + at;
			at += 32 * (size_t)st->reporters;
		}
	}
	b->n_rows = t->n;
	b->arena = a->names;
	a->names = NULL;
	b->ids = idb;
	return EM_OK;
}

/* rank = 1 + the ranked rows whose lo lies above this row's hi. The lows
 * taken in the order of the values (low first) are nearly in order already
 * when an interval lies around its value with a width that changes slowly,
 * as Wilson's do: sorting them then costs little more than reading them;
 * else they are bucket-sorted. The highs, in the rows' order, change
 * little from one to the next in the same case, so each is counted among
 * the lows by searching out from where the last one's count fell. vals
 * holds the ranked rows' lows (lay_out put them there, low values
 * first). */
static em_err
rank_rows(board *b, board_pending *t)
{
	size_t m = t->ranked, at = 0;
	const ks_item *lows = t->vals;
	keysort ks = { 0 };

	if (!keysort_nearly(t->vals, m)) {
		if (keysort_build(&ks, t->vals, m) != EM_OK) {
			keysort_free(&ks);
			return EM_ENOMEM;
		}
		lows = ks.a;
	}
	for (size_t k = 0; k < m; k++) {
		at = keysort_count_from(lows, m, at, b->rows[k].hi);
		b->rows[k].rank = (uint32_t)(1 + m - at);
	}
	keysort_free(&ks);
	return EM_OK;
}

em_err
board_end(board_acc *a, const uint8_t digest[static 32], board *b)
{
	board_pending t = { 0 };
	em_err err = EM_ENOMEM;

	memset(b, 0, sizeof *b);
	snprintf(b->metric, sizeof b->metric, "%s", a->metric);
	memcpy(b->digest, digest, 32);
	b->n_results = a->n;
	b->left_untrusted = a->left_untrusted;
	b->left_metric = a->left_metric;
	b->left_superseded = a->left_superseded;
	if (!a->oom && pending_alloc(&t, a->nm, a->nm) == EM_OK) {
		size_t at = 0;

		make_rows(a, b, &t);
		if ((err = order_some(a, &t, t.vals, t.ranked, &at)) == EM_OK &&
		    (err = order_some(a, &t, t.vals + t.cap - t.others, t.others, &at)) == EM_OK &&
		    (err = lay_out(a, &t, b)) == EM_OK)	/* names, ids: borrowed until here */
			err = rank_rows(b, &t);
	}
	free(t.mem);
	board_acc_free(a);
	if (err != EM_OK)
		board_free(b);
	return err;
}

static int
cmp_metric(const void *pa, const void *pb)
{
	const store_view *a = *(const store_view *const *)pa, *b = *(const store_view *const *)pb;

	return bytes_order(TEXT(a, metric), TEXT(b, metric));
}

em_err
board_metric(const store_view *rows, size_t n, const uint8_t *trusted, int trusted_only,
    char *out, size_t cap)
{
	const store_view **v = malloc((n ? n : 1) * sizeof *v);
	size_t m = 0, same = 0, best = 0;

	out[0] = '\0';
	if (v == NULL)
		return EM_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const store_view *r = &rows[i];

		if (trusted_only && (trusted == NULL || !trusted[i]))
			continue;
		v[m++] = r;
		same += r->metric_len == v[0]->metric_len &&
		    bytes_same(r->metric, v[0]->metric, r->metric_len);
	}
	if (m > 0 && same == m) {	/* the usual case: one metric */
		snprintf(out, cap, "%.*s", (int)v[0]->metric_len, v[0]->metric);
		free(v);
		return EM_OK;
	}
	qsort(v, m, sizeof *v, cmp_metric);
	for (size_t i = 0, j; i < m; i = j) {
		for (j = i; j < m && bytes_order(TEXT(v[j], metric), TEXT(v[i], metric)) == 0; j++)
			;
		if (j - i > best) {
			best = j - i;
			snprintf(out, cap, "%.*s", (int)v[i]->metric_len, v[i]->metric);
		}
	}
	free(v);
	return EM_OK;
}

static int
cmp_nid(const void *pa, const void *pb)
{
	const store_view *a = *(const store_view *const *)pa, *b = *(const store_view *const *)pb;

	return (a->name_id > b->name_id) - (a->name_id < b->name_id);
}

em_err
board_build(const store_view *rows, size_t n, const uint8_t *trusted,
    const uint8_t digest[static 32], const board_opts *o, board *b)
{
	char metric[BODY_SHORT_MAX + 1];
	const store_view **p = malloc((n ? n : 1) * sizeof *p);
	store_view *v = malloc((n ? n : 1) * sizeof *v);
	uint8_t *t = malloc(n ? n : 1);
	board_acc *a = NULL;
	em_err err = EM_ENOMEM;

	memset(b, 0, sizeof *b);
	if (p == NULL || v == NULL || t == NULL)
		goto out;
	if (o->metric != NULL)
		snprintf(metric, sizeof metric, "%s", o->metric);
	else if (board_metric(rows, n, trusted, o->trusted_only, metric, sizeof metric) != EM_OK)
		goto out;
	/* the builder takes each model's results together, as a scan gives them */
	for (size_t i = 0; i < n; i++)
		p[i] = &rows[i];
	qsort(p, n, sizeof *p, cmp_nid);
	for (size_t i = 0; i < n; i++) {
		v[i] = *p[i];
		t[i] = trusted != NULL && trusted[p[i] - rows];
	}
	if (board_begin(n, metric, o, &a) != EM_OK)
		goto out;
	board_add(a, v, n, t);
	err = board_end(a, digest, b);
out:
	free(p);
	free(v);
	free(t);
	return err;
}

void
board_free(board *b)
{
	free(b->rows);
	free(b->arena);
	free(b->ids);
	memset(b, 0, sizeof *b);
}

/* Range-based set reconciliation: one session with one peer (see recon.h). */
#include "recon_impl.h"

#include <stdlib.h>
#include <string.h>

enum { ST_FRESH, ST_OPEN, ST_DONE, ST_FAILED };

struct recon {
	recon_host	 h;
	recon_opts	 o;
	int		 state;
	recon_stats	 st;
	const char	*why;
};

static const recon_opts defaults = {
	.frame_max = 60 * 1024, .rounds_max = 64, .split = 16, .ids_max = 32,
};

/* A walk over the host's keys, checking that they ascend. */
typedef struct cur {
	recon		*r;
	uint8_t		 key[RECON_KEY];
	int		 have;		/* key holds a key */
} cur;

static em_err
fail(recon *r, em_err err, const char *why)
{
	r->state = ST_FAILED;
	r->why = why;
	return err;
}

static em_err
host_err(recon *r, int rc)
{
	return fail(r, (em_err)rc, "the key set failed");
}

static em_err
cur_seek(cur *c, recon *r, const rbound *lo)
{
	int rc;

	c->r = r;
	c->have = 0;
	if ((rc = r->h.seek(r->h.ctx, lo->k, c->key)) < 0)
		return host_err(r, rc);
	if (rc > 0 && memcmp(c->key, lo->k, RECON_KEY) < 0)
		return fail(r, EM_EINVAL, "the key set sought below its bound");
	c->have = rc > 0;
	return EM_OK;
}

static em_err
cur_next(cur *c)
{
	uint8_t prev[RECON_KEY];
	int rc;

	memcpy(prev, c->key, RECON_KEY);
	if ((rc = c->r->h.next(c->r->h.ctx, c->key)) < 0)
		return host_err(c->r, rc);
	if (rc > 0 && memcmp(prev, c->key, RECON_KEY) >= 0)
		return fail(c->r, EM_EINVAL, "the key set is not strictly ascending");
	c->have = rc > 0;
	return EM_OK;
}

static int
cur_in(const cur *c, const rbound *hi)
{
	return c->have && key_below(c->key, hi);
}

em_err
recon_new(const recon_host *host, const recon_opts *opts, recon **out)
{
	recon *r;

	*out = NULL;
	if (opts == NULL)
		opts = &defaults;
	if (host->seek == NULL || host->next == NULL || host->lacks == NULL ||
	    opts->frame_max < RECON_FRAME_MIN || opts->rounds_max < 1 ||
	    opts->split < 2 || opts->split > RECON_SPLIT_MAX ||
	    opts->ids_max < 1 || opts->ids_max > RECON_IDS_MAX)
		return EM_EINVAL;
	if ((r = calloc(1, sizeof *r)) == NULL)
		return EM_ENOMEM;
	r->h = *host;
	r->o = *opts;
	r->why = "";
	*out = r;
	return EM_OK;
}

void
recon_free(recon *r)
{
	free(r);
}

int
recon_done(const recon *r)
{
	return r->state == ST_DONE;
}

const char *
recon_why(const recon *r)
{
	return r->why;
}

void
recon_get_stats(const recon *r, recon_stats *out)
{
	*out = r->st;
}

/* --- what we hold in a range */

static em_err
sum_range(recon *r, const rbound *lo, const rbound *hi, recon_acc *a)
{
	cur c;
	em_err err;

	recon_acc_init(a);
	if ((err = cur_seek(&c, r, lo)) != EM_OK)
		return err;
	while (cur_in(&c, hi)) {
		recon_acc_add(a, c.key);
		if ((err = cur_next(&c)) != EM_OK)
			return err;
	}
	return EM_OK;
}

/* Lists our keys in [lo, hi) (at most ids_max of them: the caller counted). */
static em_err
send_ids(recon *r, rwriter *w, const rbound *lo, const rbound *hi)
{
	uint8_t ids[RECON_IDS_MAX * RECON_PREFIX];
	uint32_t n = 0;
	cur c;
	em_err err;

	if ((err = cur_seek(&c, r, lo)) != EM_OK)
		return err;
	while (cur_in(&c, hi) && n < r->o.ids_max) {
		uint8_t *e = ids + (size_t)n * RECON_PREFIX;

		/* two keys with one prefix go out as one entry */
		if (n == 0 || memcmp(e - RECON_PREFIX, c.key, RECON_PREFIX) != 0) {
			memcpy(e, c.key, RECON_PREFIX);
			n++;
		}
		if ((err = cur_next(&c)) != EM_OK)
			return err;
	}
	wr_list(w, MODE_IDS, hi, ids, n);
	return EM_OK;
}

/* Splits our n keys in [lo, hi) into buckets of equal count, one FP range
 * each; the last ends at hi, the others just above their last key. */
static em_err
send_split(recon *r, rwriter *w, const rbound *lo, const rbound *hi, uint64_t n)
{
	uint64_t nb = n < r->o.split ? n : r->o.split, i = 0;
	uint8_t prev[RECON_KEY], fp[RECON_FP];
	cur c;
	em_err err;

	if ((err = cur_seek(&c, r, lo)) != EM_OK)
		return err;
	for (uint64_t b = 0; b < nb; b++) {
		uint64_t end = (b + 1) * n / nb;
		recon_acc a;
		rbound ub;

		recon_acc_init(&a);
		for (; i < end && cur_in(&c, hi); i++) {
			recon_acc_add(&a, c.key);
			memcpy(prev, c.key, RECON_KEY);
			if ((err = cur_next(&c)) != EM_OK)
				return err;
		}
		recon_acc_fp(&a, fp);
		if (b + 1 == nb || !cur_in(&c, hi)) {
			wr_fp(w, hi, fp);	/* the set ran out early: close the range */
			break;
		}
		bound_between(&ub, prev, c.key);
		wr_fp(w, &ub, fp);
	}
	return EM_OK;
}

/* Our answer to a range where the peer's keys differ from ours (or our
 * whole set, at the start). */
static em_err
send_range(recon *r, rwriter *w, const rbound *lo, const rbound *hi, uint64_t n)
{
	if (n <= r->o.ids_max)
		return send_ids(r, w, lo, hi);
	return send_split(r, w, lo, hi, n);
}

/* --- answering each mode */

/* Bytes our answer to a differing range takes, holding n keys there. */
static size_t
answer_bytes(const recon *r, uint64_t n)
{
	if (n <= r->o.ids_max)
		return RANGE_HEAD_MAX + 1 + (size_t)n * RECON_PREFIX;
	return (size_t)(n < r->o.split ? n : r->o.split) * (RANGE_HEAD_MAX + RECON_FP);
}

/* The rest of the key space from lo, as one FP range, when the answer
 * is full: later rounds take it up. */
static em_err
fold(recon *r, rwriter *w, const rbound *lo)
{
	uint8_t fp[RECON_FP];
	recon_acc a;
	rbound end;
	em_err err;

	bound_end(&end);
	if ((err = sum_range(r, lo, &end, &a)) != EM_OK)
		return err;
	recon_acc_fp(&a, fp);
	wr_fp(w, &end, fp);
	r->st.folded++;
	return EM_OK;
}

/* Equal fingerprints settle the range; else we split it or list it, or,
 * when that does not fit, fold the rest (*cut). */
static em_err
on_fp(recon *r, rwriter *w, const rrange *g, int *cut)
{
	uint8_t fp[RECON_FP];
	recon_acc a;
	em_err err;

	if ((err = sum_range(r, &g->lo, &g->hi, &a)) != EM_OK)
		return err;
	recon_acc_fp(&a, fp);
	if (memcmp(fp, g->fp, RECON_FP) == 0) {
		wr_skip(w, &g->hi);
		return EM_OK;
	}
	if (!wr_room(w, answer_bytes(r, a.n), r->o.split)) {
		*cut = 1;
		return fold(r, w, &g->lo);
	}
	return send_range(r, w, &g->lo, &g->hi, a.n);
}

static void
tell_lacks(recon *r, const uint8_t key[static RECON_KEY])
{
	r->st.lacks++;
	r->h.lacks(r->h.ctx, key);
}

/* Adds the listed prefixes from *j up to (not including) the first at or
 * above key — all of them if key is NULL — to need, but for the one a
 * key of ours matched already. */
static void
unmatched(const rrange *g, uint32_t *j, int *matched, const uint8_t *key,
    uint8_t *need, uint32_t *nn)
{
	for (; *j < g->n; ++*j, *matched = 0) {
		const uint8_t *e = g->ids + (size_t)*j * RECON_PREFIX;

		if (key != NULL && memcmp(e, key, RECON_PREFIX) >= 0)
			return;
		if (!*matched)
			memcpy(need + (size_t)(*nn)++ * RECON_PREFIX, e, RECON_PREFIX);
	}
}

/* The peer listed all its keys in the range: ours missing from the list
 * it lacks; listed ones we lack go back as NEED. */
static em_err
on_ids(recon *r, rwriter *w, const rrange *g)
{
	uint8_t need[RECON_IDS_MAX * RECON_PREFIX];
	uint32_t nn = 0, j = 0;
	int matched = 0;
	cur c;
	em_err err;

	if ((err = cur_seek(&c, r, &g->lo)) != EM_OK)
		return err;
	while (cur_in(&c, &g->hi)) {
		unmatched(g, &j, &matched, c.key, need, &nn);
		if (j < g->n && memcmp(g->ids + (size_t)j * RECON_PREFIX, c.key,
		    RECON_PREFIX) == 0)
			matched = 1;
		else
			tell_lacks(r, c.key);
		if ((err = cur_next(&c)) != EM_OK)
			return err;
	}
	unmatched(g, &j, &matched, NULL, need, &nn);
	r->st.needs += nn;
	if (nn > 0)
		wr_list(w, MODE_NEED, &g->hi, need, nn);
	else
		wr_skip(w, &g->hi);
	return EM_OK;
}

/* The peer lacks the keys of ours its NEED names (every key with a named
 * prefix, should two share one). */
static em_err
on_need(recon *r, const rrange *g)
{
	uint32_t j = 0;
	int matched = 0;
	cur c;
	em_err err;

	if ((err = cur_seek(&c, r, &g->lo)) != EM_OK)
		return err;
	while (j < g->n && cur_in(&c, &g->hi)) {
		int d = memcmp(g->ids + (size_t)j * RECON_PREFIX, c.key, RECON_PREFIX);

		if (d < 0) {		/* past it: next entry */
			r->st.ignored += !matched;
			matched = 0;
			j++;
			continue;
		}
		if (d == 0) {
			matched = 1;
			tell_lacks(r, c.key);
		}
		if ((err = cur_next(&c)) != EM_OK)
			return err;
	}
	/* entries naming no key of ours (not ours any more, or never were) */
	r->st.ignored += g->n - j - (j < g->n && matched);
	return EM_OK;
}

/* --- a whole message */

/* Reads the message through once, acting on nothing: is it well formed,
 * and does it ask for an answer? */
static em_err
check(recon *r, const uint8_t *msg, size_t len, int *asks)
{
	rreader rd;
	rrange g;
	int got;
	em_err err;

	*asks = 0;
	if (len > r->o.frame_max)
		return fail(r, EM_ETOOBIG, "message over the frame limit");
	if ((err = rd_init(&rd, msg, len)) != EM_OK)
		return fail(r, err, rd.why);
	for (;;) {
		if ((err = rd_next(&rd, &g, &got)) != EM_OK)
			return fail(r, err, rd.why);
		if (!got)
			return EM_OK;
		/* an empty list asks nothing: no key of the sender's to need */
		*asks |= g.mode == MODE_FP || (g.mode == MODE_IDS && g.n > 0);
	}
}

/* One range; *cut is set once the answer is full (later ranges then only
 * get their NEEDs acted on, which take no room). At the round limit (last)
 * we settle what a list settles and ask nothing more. */
static em_err
answer_range(recon *r, rwriter *w, const rrange *g, int last, int *cut)
{
	if (g->mode == MODE_NEED) {
		if (!*cut)
			wr_skip(w, &g->hi);
		return on_need(r, g);
	}
	if (*cut)
		return EM_OK;
	if (g->mode == MODE_SKIP) {
		wr_skip(w, &g->hi);
		return EM_OK;
	}
	if (g->mode == MODE_FP && !last)
		return on_fp(r, w, g, cut);
	if (g->mode == MODE_IDS &&
	    wr_room(w, RANGE_HEAD_MAX + 1 + (size_t)g->n * RECON_PREFIX, 1))
		return on_ids(r, w, g);
	if (last) {
		r->st.abandoned++;
		wr_skip(w, &g->hi);
		return EM_OK;
	}
	*cut = 1;
	return fold(r, w, &g->lo);
}

em_err
recon_recv(recon *r, const uint8_t *msg, size_t len, uint8_t *out, size_t cap,
    size_t *out_len)
{
	rreader rd;
	rwriter w;
	rrange g;
	int asks, got, cut = 0, last;
	em_err err;

	*out_len = 0;
	if (r->state != ST_FRESH && r->state != ST_OPEN)
		return fail(r, EM_EINVAL, "message after the session ended");
	if (cap < r->o.frame_max)
		return fail(r, EM_EINVAL, "output buffer below the frame limit");
	if ((err = check(r, msg, len, &asks)) != EM_OK)
		return err;
	r->state = ST_OPEN;
	r->st.received++;
	r->st.bytes_in += len;
	last = r->st.received >= r->o.rounds_max;
	wr_init(&w, out, r->o.frame_max);
	rd_init(&rd, msg, len);
	while ((err = rd_next(&rd, &g, &got)) == EM_OK && got)
		if ((err = answer_range(r, &w, &g, last, &cut)) != EM_OK)
			return err;
	if (err != EM_OK)		/* check() read it all: our bug */
		return fail(r, err, rd.why);
	*out_len = wr_finish(&w);
	if (w.ranges == 0 && !asks)
		*out_len = 0;		/* nothing asked, nothing to say */
	if (!w.asks)
		r->state = ST_DONE;
	if (*out_len > 0) {
		r->st.sent++;
		r->st.bytes_out += *out_len;
	}
	return EM_OK;
}

em_err
recon_start(recon *r, uint8_t *out, size_t cap, size_t *len)
{
	rbound lo, hi;
	rwriter w;
	recon_acc a;
	uint64_t n;
	int rc;
	em_err err;

	*len = 0;
	if (r->state != ST_FRESH || cap < r->o.frame_max)
		return fail(r, EM_EINVAL, "start on a used session or a small buffer");
	bound_zero(&lo);
	bound_end(&hi);
	if (r->h.count != NULL) {
		if ((rc = r->h.count(r->h.ctx, &n)) < 0)
			return host_err(r, rc);
	} else {
		if ((err = sum_range(r, &lo, &hi, &a)) != EM_OK)
			return err;
		n = a.n;
	}
	wr_init(&w, out, r->o.frame_max);
	if ((err = send_range(r, &w, &lo, &hi, n)) != EM_OK)
		return err;
	*len = wr_finish(&w);
	r->state = w.asks ? ST_OPEN : ST_DONE;	/* an empty list asks nothing */
	r->st.sent++;
	r->st.bytes_out += *len;
	return EM_OK;
}

/* --- an in-memory key set */

int
recon_array_seek(void *ctx, const uint8_t from[static RECON_KEY],
    uint8_t key[static RECON_KEY])
{
	recon_array *a = ctx;
	size_t lo = 0, hi = a->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(a->keys + mid * RECON_KEY, from, RECON_KEY) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	a->pos = lo;
	if (lo == a->n)
		return 0;
	memcpy(key, a->keys + lo * RECON_KEY, RECON_KEY);
	return 1;
}

int
recon_array_next(void *ctx, uint8_t key[static RECON_KEY])
{
	recon_array *a = ctx;

	if (a->pos >= a->n || ++a->pos == a->n)
		return 0;
	memcpy(key, a->keys + a->pos * RECON_KEY, RECON_KEY);
	return 1;
}

int
recon_array_count(void *ctx, uint64_t *n)
{
	*n = ((recon_array *)ctx)->n;
	return 0;
}

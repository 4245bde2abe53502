/* Reconciliation messages and fingerprints (see recon.h): the bounded
 * reader every peer's message goes through, and the writer of ours. */
#include "recon_impl.h"

#include <assert.h>
#include <string.h>

#include "bytes.h"
#include "hash.h"

static const char fp_tag[] = "evalmesh/recon/v1";

void
recon_acc_init(recon_acc *a)
{
	memset(a, 0, sizeof *a);
}

/* Adds x (four words, least significant first) to the sum, mod 2^256. */
static void
acc_add_words(recon_acc *a, const uint64_t x[4])
{
	uint64_t carry = 0;

	for (int i = 0; i < 4; i++) {
		uint64_t s = a->w[i] + x[i], t = s + carry;

		carry = (uint64_t)(s < x[i]) | (uint64_t)(t < s);
		a->w[i] = t;
	}
}

void
recon_acc_add(recon_acc *a, const uint8_t key[static RECON_KEY])
{
	uint64_t x[4];

	for (int i = 0; i < 4; i++)
		x[i] = be_get(key + 24 - 8 * i, 8);
	acc_add_words(a, x);
	a->n++;
}

void
recon_acc_merge(recon_acc *a, const recon_acc *b)
{
	acc_add_words(a, b->w);
	a->n += b->n;
}

void
recon_acc_fp(const recon_acc *a, uint8_t fp[static RECON_FP])
{
	uint8_t buf[sizeof fp_tag - 1 + 32 + 8], h[32], *p = buf + sizeof fp_tag - 1;

	memcpy(buf, fp_tag, sizeof fp_tag - 1);
	for (int i = 0; i < 4; i++)
		be_put(p + 8 * i, a->w[3 - i], 8);
	be_put(p + 32, a->n, 8);
	hash_blake2b(h, buf, sizeof buf);
	memcpy(fp, h, RECON_FP);
}

/* --- bounds */

void
bound_zero(rbound *b)
{
	memset(b, 0, sizeof *b);
}

void
bound_end(rbound *b)
{
	memset(b, 0, sizeof *b);
	b->inf = 1;
}

void
bound_between(rbound *b, const uint8_t a[static RECON_KEY],
    const uint8_t c[static RECON_KEY])
{
	size_t n = 0;

	while (n < RECON_KEY - 1 && a[n] == c[n])
		n++;
	/* c[n] > a[n] >= 0: the bound ends in a non-zero byte, as the wire
	 * wants, and lies above a and at or below c. */
	memset(b, 0, sizeof *b);
	memcpy(b->k, c, n + 1);
	b->len = (uint8_t)(n + 1);
}

int
key_below(const uint8_t key[static RECON_KEY], const rbound *b)
{
	return b->inf || memcmp(key, b->k, RECON_KEY) < 0;
}

static int
bound_cmp(const rbound *a, const rbound *b)
{
	if (a->inf || b->inf)
		return (int)a->inf - (int)b->inf;
	return memcmp(a->k, b->k, RECON_KEY);
}

/* 1 if some key in [lo, hi) begins with the prefix p. */
static int
prefix_in(const uint8_t p[static RECON_PREFIX], const rbound *lo, const rbound *hi)
{
	static const uint8_t zero[RECON_KEY - RECON_PREFIX];
	int c;

	if (memcmp(p, lo->k, RECON_PREFIX) < 0)
		return 0;
	if (hi->inf || (c = memcmp(p, hi->k, RECON_PREFIX)) < 0)
		return 1;
	/* p || 0... must lie below hi */
	return c == 0 && memcmp(hi->k + RECON_PREFIX, zero, sizeof zero) != 0;
}

/* --- the reader */

em_err
rd_init(rreader *rd, const uint8_t *msg, size_t len)
{
	memset(rd, 0, sizeof *rd);
	bound_zero(&rd->lo);
	rd->prev = -1;
	rd->why = "";
	if (len < 1) {
		rd->why = "empty message (no version byte)";
		return EM_ETRUNC;
	}
	if (msg[0] != RECON_VERSION) {
		rd->why = "unknown reconciliation version";
		return EM_EVERSION;
	}
	rd->p = msg + 1;
	rd->left = len - 1;
	return EM_OK;
}

static em_err
rd_fail(rreader *rd, em_err err, const char *why)
{
	rd->why = why;
	return err;
}

static em_err
rd_bound(rreader *rd, unsigned blen, rbound *b)
{
	if (blen == HEAD_END) {
		bound_end(b);
		return EM_OK;
	}
	if (blen == 0 || blen > RECON_KEY)
		return rd_fail(rd, EM_EFORMAT, "bound length not 1..32 or 63");
	if (rd->left < blen)
		return rd_fail(rd, EM_ETRUNC, "bound cut short");
	if (rd->p[blen - 1] == 0)
		return rd_fail(rd, EM_EFORMAT, "bound ends in a zero byte");
	memset(b, 0, sizeof *b);
	memcpy(b->k, rd->p, blen);
	b->len = (uint8_t)blen;
	rd->p += blen;
	rd->left -= blen;
	return EM_OK;
}

/* An IDS or NEED list: a count, then that many prefixes, ascending, each
 * of a key within the range. */
static em_err
rd_list(rreader *rd, rrange *g)
{
	if (rd->left < 1)
		return rd_fail(rd, EM_ETRUNC, "id list count missing");
	g->n = *rd->p++;
	rd->left--;
	if (g->n > RECON_IDS_MAX)
		return rd_fail(rd, EM_ETOOBIG, "id list longer than 64");
	if (g->mode == MODE_NEED && g->n == 0)
		return rd_fail(rd, EM_EFORMAT, "empty need list");
	/* the count is checked against the bytes left before any is read */
	if (rd->left < (size_t)g->n * RECON_PREFIX)
		return rd_fail(rd, EM_ETRUNC, "id list cut short");
	g->ids = rd->p;
	for (uint32_t i = 0; i < g->n; i++) {
		const uint8_t *e = g->ids + (size_t)i * RECON_PREFIX;

		if (i > 0 && memcmp(e - RECON_PREFIX, e, RECON_PREFIX) >= 0)
			return rd_fail(rd, EM_EFORMAT, "id list not strictly ascending");
		if (!prefix_in(e, &g->lo, &g->hi))
			return rd_fail(rd, EM_EFORMAT, "listed id outside its range");
	}
	rd->p += (size_t)g->n * RECON_PREFIX;
	rd->left -= (size_t)g->n * RECON_PREFIX;
	return EM_OK;
}

static em_err
rd_payload(rreader *rd, rrange *g)
{
	switch (g->mode) {
	case MODE_SKIP:
		if (rd->prev == MODE_SKIP)
			return rd_fail(rd, EM_EFORMAT, "two skip ranges in a row");
		if (rd->left == 0)
			return rd_fail(rd, EM_EFORMAT, "message ends with a skip range");
		return EM_OK;
	case MODE_FP:
		if (rd->left < RECON_FP)
			return rd_fail(rd, EM_ETRUNC, "fingerprint cut short");
		g->fp = rd->p;
		rd->p += RECON_FP;
		rd->left -= RECON_FP;
		return EM_OK;
	default:
		return rd_list(rd, g);
	}
}

em_err
rd_next(rreader *rd, rrange *g, int *got)
{
	unsigned head;
	em_err err;

	*got = 0;
	if (rd->left == 0)
		return EM_OK;
	if (rd->lo.inf)
		return rd_fail(rd, EM_ETRAILING, "bytes after the range that ends the key space");
	if (++rd->ranges > RECON_RANGES_MAX)
		return rd_fail(rd, EM_ETOOBIG, "more ranges than a message may hold");
	memset(g, 0, sizeof *g);
	head = *rd->p++;
	rd->left--;
	g->mode = (int)(head >> 6);
	g->lo = rd->lo;
	if ((err = rd_bound(rd, head & 63, &g->hi)) != EM_OK)
		return err;
	if (bound_cmp(&g->hi, &g->lo) <= 0)
		return rd_fail(rd, EM_EFORMAT, "range bounds not ascending");
	if ((err = rd_payload(rd, g)) != EM_OK)
		return err;
	rd->lo = g->hi;
	rd->prev = g->mode;
	*got = 1;
	return EM_OK;
}

/* --- the writer */

void
wr_init(rwriter *w, uint8_t *buf, size_t cap)
{
	memset(w, 0, sizeof *w);
	w->p = buf;
	w->cap = cap;
	w->p[w->len++] = RECON_VERSION;
}

int
wr_room(const rwriter *w, size_t bytes, uint32_t ranges)
{
	size_t pending = w->skip ? RANGE_HEAD_MAX : 0;

	return w->len + pending + bytes + FOLD_BYTES <= w->cap &&
	    (size_t)w->ranges + (w->skip ? 1 : 0) + ranges + FOLD_RANGES <= RECON_RANGES_MAX;
}

static void
put_head(rwriter *w, int mode, const rbound *hi)
{
	size_t blen = hi->inf ? 0 : hi->len;

	/* the callers made room (wr_room): past it is our bug */
	assert(w->len + 1 + blen <= w->cap && w->ranges < RECON_RANGES_MAX);
	w->p[w->len++] = (uint8_t)(mode << 6 | (hi->inf ? HEAD_END : hi->len));
	memcpy(w->p + w->len, hi->k, blen);
	w->len += blen;
	w->ranges++;
}

static void
flush_skip(rwriter *w)
{
	if (w->skip) {
		w->skip = 0;
		put_head(w, MODE_SKIP, &w->skip_hi);
	}
}

void
wr_skip(rwriter *w, const rbound *hi)
{
	w->skip = 1;		/* adjacent skips merge into the last */
	w->skip_hi = *hi;
}

void
wr_fp(rwriter *w, const rbound *hi, const uint8_t fp[static RECON_FP])
{
	flush_skip(w);
	put_head(w, MODE_FP, hi);
	assert(w->len + RECON_FP <= w->cap);
	memcpy(w->p + w->len, fp, RECON_FP);
	w->len += RECON_FP;
	w->asks = 1;
}

void
wr_list(rwriter *w, int mode, const rbound *hi, const uint8_t *ids, uint32_t n)
{
	assert(n <= RECON_IDS_MAX && (mode == MODE_IDS || n > 0));
	flush_skip(w);
	put_head(w, mode, hi);
	assert(w->len + 1 + (size_t)n * RECON_PREFIX <= w->cap);
	w->p[w->len++] = (uint8_t)n;
	if (n > 0)
		memcpy(w->p + w->len, ids, (size_t)n * RECON_PREFIX);
	w->len += (size_t)n * RECON_PREFIX;
	if (mode == MODE_IDS && n > 0)
		w->asks = 1;
}

size_t
wr_finish(rwriter *w)
{
	w->skip = 0;
	return w->len;
}

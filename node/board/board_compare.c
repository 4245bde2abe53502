/* compare: two rows of a task's board and the difference between them
 * (board.h: the rows are the leaderboard's, every reporter's standing
 * result in each). */
#include "board.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "name.h"
#include "stats.h"

em_err
board_find(const board *b, const char *name, const char *revision, const board_row **out,
    const board_row **other)
{
	*out = *other = NULL;
	for (size_t i = 0; i < b->n_rows; i++) {
		const board_row *r = &b->rows[i];

		if (!r->ranked || !name_same(r->model, name) ||
		    (revision != NULL && !name_same(r->revision, revision)))
			continue;
		if (*out != NULL) {
			*other = r;
			return EM_EAMBIGUOUS;
		}
		*out = r;
	}
	return *out != NULL ? EM_OK : EM_ENOTFOUND;
}

/* What a row's reporters published that compare reads: the sum of their
 * per-item scores (units), when every one of them gave a vector of one
 * length, and their standard errors weighted as rule 4 weighs values. */
struct side {
	uint32_t	*sum;		/* n items; NULL when some reporter gave none */
	size_t		 n;
	unsigned	 k;		/* reporters summed */
	double		 se;
};

/* A binomial standard error for a result that gave none. */
static double
se_of(const body_result *r)
{
	double v = r->metrics[0].value;

	if (r->has_stderr)
		return r->std_err;
	v = !(v > 0) ? 0 : v > 1 ? 1 : v;
	return r->n_items ? sqrt(v * (1 - v) / (double)r->n_items) : 0;
}

/* Adds reporter r's vector (n items) to s. */
static em_err
add_scores(struct side *s, const body_result *r)
{
	size_t n = r->scores_len / 2;

	if (r->scores == NULL || n == 0 || (s->sum != NULL && n != s->n) ||
	    (s->k > 0 && s->sum == NULL)) {
		free(s->sum);
		s->sum = NULL;
		return EM_OK;
	}
	if (s->sum == NULL && (s->sum = calloc(n, sizeof *s->sum)) == NULL)
		return EM_ENOMEM;
	s->n = n;
	for (size_t i = 0; i < n; i++)
		s->sum[i] += (uint32_t)be_get(r->scores + 2 * i, 2);
	return EM_OK;
}

/* Reads the records of row's reporters into s. */
static em_err
side_load(store *st, const board_row *row, struct side *s)
{
	double w = 0, wse = 0;
	em_err err = EM_OK;

	memset(s, 0, sizeof *s);
	if (row->result_ids == NULL)
		return EM_EINVAL;	/* a board built without result_ids */
	for (unsigned i = 0; i < row->reporters && err == EM_OK; i++) {
		uint8_t *bytes = NULL;
		size_t len;
		rec_env env;
		body_any b;

		if ((err = store_get(st, row->result_ids + 32 * i, &bytes, &len)) != EM_OK)
			break;
		if (rec_parse(bytes, len, &env, NULL) != EM_OK || rec_body(&env, &b) != EM_OK ||
		    b.kind != REC_RESULT) {
			err = EM_ESTORE;	/* the store held it as a result */
		} else {
			double weight = b.u.result.n_items ? (double)b.u.result.n_items : 1;

			w += weight;
			wse += weight * se_of(&b.u.result);
			err = add_scores(s, &b.u.result);
			s->k++;
		}
		free(bytes);
	}
	/* reporters ran the same items: their errors go together, and the
	 * error of their weighted mean is the weighted mean of theirs */
	s->se = w > 0 ? wse / w : 0;
	return err;
}

static void
paired(const struct side *a, const struct side *b, board_cmp *c)
{
	double *sa = malloc(a->n * sizeof *sa), *sb = malloc(a->n * sizeof *sb);

	if (sa == NULL || sb == NULL) {
		free(sa);
		free(sb);
		return;		/* unpaired, then */
	}
	for (size_t i = 0; i < a->n; i++) {
		sa[i] = a->sum[i] / ((double)a->k * BODY_SCORE_SCALE);
		sb[i] = b->sum[i] / ((double)b->k * BODY_SCORE_SCALE);
		c->a_only += sa[i] >= 0.5 && sb[i] < 0.5;
		c->b_only += sb[i] >= 0.5 && sa[i] < 0.5;
	}
	c->paired = 1;
	c->n = a->n;
	stats_paired(sa, sb, a->n, &c->diff, &c->se, &c->lo, &c->hi);
	c->p = stats_mcnemar(c->a_only, c->b_only);
	free(sa);
	free(sb);
}

em_err
board_compare(store *st, const board_row *a, const board_row *b, board_cmp *c)
{
	struct side sa = { 0 }, sb = { 0 };
	em_err err;

	memset(c, 0, sizeof *c);
	if ((err = side_load(st, a, &sa)) == EM_OK && (err = side_load(st, b, &sb)) == EM_OK) {
		if (sa.sum != NULL && sb.sum != NULL && sa.n == sb.n)
			paired(&sa, &sb, c);
		if (!c->paired) {
			c->diff = a->value - b->value;
			c->se = sqrt(sa.se * sa.se + sb.se * sb.se);
			c->lo = c->diff - STATS_Z95 * c->se;
			c->hi = c->diff + STATS_Z95 * c->se;
			c->p = c->se > 0 ? stats_normal_p(c->diff / c->se) : (c->diff == 0 ? 1 : 0);
		}
	}
	free(sa.sum);
	free(sb.sum);
	return err;
}

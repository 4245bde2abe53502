/* Reading a task's results for the leaderboard: one scan of the board. */
#include "board.h"

#include <stdlib.h>
#include <string.h>

struct load {
	store_row	*rows;
	size_t		 n;
	int		 oom;
};

static int
load_fn(void *ctx, const store_view *rows, size_t n, const uint8_t digest[static 32])
{
	struct load *l = ctx;

	(void)digest;
	if ((l->rows = malloc((n ? n : 1) * sizeof *l->rows)) == NULL) {
		l->oom = 1;
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		store_view_copy(&rows[i], &l->rows[i]);
	l->n = n;
	return 0;
}

struct trust_set {
	uint8_t	(*ids)[32];
	size_t	 n, cap;
	int	 oom;
};

static int
trust_fn(void *ctx, const uint8_t id[static 32], const char *name)
{
	struct trust_set *t = ctx;

	(void)name;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		uint8_t (*ni)[32] = realloc(t->ids, cap * sizeof *ni);

		if (ni == NULL) {
			t->oom = 1;
			return 1;
		}
		t->ids = ni;
		t->cap = cap;
	}
	memcpy(t->ids[t->n++], id, 32);	/* the list comes in id order */
	return 0;
}

static int
cmp32(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* The reader's trust list, sorted (the store lists it in id order). */
static em_err
trust_load(store *st, struct trust_set *t)
{
	em_err err = store_trust_list(st, trust_fn, t);

	return err != EM_OK ? err : t->oom ? EM_ENOMEM : EM_OK;
}

static uint8_t
trust_has(const struct trust_set *t, const uint8_t author[static 32])
{
	return t->n > 0 && bsearch(author, t->ids, t->n, 32, cmp32) != NULL;
}

em_err
board_load(store *st, const uint8_t task[static 32], store_row **rows,
    uint8_t **trusted, size_t *n)
{
	struct load l = { 0 };
	struct trust_set t = { 0 };
	em_err err;

	*rows = NULL;
	*trusted = NULL;
	*n = 0;
	if ((err = store_board_view(st, task, load_fn, &l)) != EM_OK || l.oom) {
		free(l.rows);
		return err != EM_OK ? err : EM_ENOMEM;
	}
	if ((err = trust_load(st, &t)) != EM_OK || (*trusted = malloc(l.n ? l.n : 1)) == NULL) {
		free(l.rows);
		free(t.ids);
		return err != EM_OK ? err : EM_ENOMEM;
	}
	for (size_t i = 0; i < l.n; i++)
		(*trusted)[i] = trust_has(&t, l.rows[i].author);
	free(t.ids);
	*rows = l.rows;
	*n = l.n;
	return EM_OK;
}

struct compute {
	struct trust_set	 t;
	const board_opts	*o;
	board			*b;
	board_acc		*acc;
	em_err			 err;
};

/* With the metric unknown until every result is seen: all of them at once. */
static int
compute_fn(void *ctx, const store_view *rows, size_t n, const uint8_t digest[static 32])
{
	struct compute *c = ctx;
	uint8_t *trusted = NULL;

	if (c->o->trusted_only) {
		if ((trusted = malloc(n ? n : 1)) == NULL) {
			c->err = EM_ENOMEM;
			return 1;
		}
		for (size_t i = 0; i < n; i++)
			trusted[i] = trust_has(&c->t, rows[i].author);
	}
	c->err = board_build(rows, n, trusted, digest, c->o, c->b);
	free(trusted);
	return 0;
}

/* With the metric known (the task's): the results as they are read. */
static int
compute_rows(void *ctx, const store_view *rows, size_t n, size_t count)
{
	struct compute *c = ctx;
	uint8_t trusted[STORE_SCAN_BATCH];

	if (c->acc == NULL && (c->err = board_begin(count, c->o->metric, c->o, &c->acc)) != EM_OK)
		return 1;
	if (c->o->trusted_only)
		for (size_t i = 0; i < n && i < STORE_SCAN_BATCH; i++)
			trusted[i] = trust_has(&c->t, rows[i].author);
	board_add(c->acc, rows, n, c->o->trusted_only ? trusted : NULL);
	return 0;
}

static int
compute_done(void *ctx, size_t n, const uint8_t digest[static 32])
{
	struct compute *c = ctx;

	(void)n;
	if (c->acc == NULL && (c->err = board_begin(0, c->o->metric, c->o, &c->acc)) != EM_OK)
		return 1;
	c->err = board_end(c->acc, digest, c->b);
	c->acc = NULL;
	return 0;
}

em_err
board_compute(store *st, const uint8_t task[static 32], const board_opts *o, board *b)
{
	struct compute c = { { 0 }, o, b, NULL, EM_OK };
	em_err err;

	memset(b, 0, sizeof *b);
	if (o->trusted_only && (err = trust_load(st, &c.t)) != EM_OK) {
		free(c.t.ids);
		return err;
	}
	if (o->metric != NULL)
		err = store_board_scan(st, task, STORE_SCAN_RANKING, compute_rows, compute_done, &c);
	else
		err = store_board_view(st, task, compute_fn, &c);
	board_acc_free(c.acc);	/* a scan that stopped early */
	free(c.t.ids);
	return err != EM_OK ? err : c.err;
}

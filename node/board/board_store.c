/* Reading a task's results for the leaderboard: one scan of the board. */
#include "board.h"

#include <stdlib.h>
#include <string.h>

#include "name.h"

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

/* The reader's trust set: its trust list (the store lists it in id
 * order) and itself (self: NULL for none), sorted. */
static em_err
trust_load(store *st, const uint8_t *self, struct trust_set *t)
{
	em_err err = store_trust_list(st, trust_fn, t);

	if (err != EM_OK)
		return err;
	if (!t->oom && self != NULL &&
	    (t->n == 0 || bsearch(self, t->ids, t->n, 32, cmp32) == NULL)) {
		trust_fn(t, self, NULL);
		qsort(t->ids, t->n, 32, cmp32);
	}
	return t->oom ? EM_ENOMEM : EM_OK;
}

static uint8_t
trust_has(const struct trust_set *t, const uint8_t author[static 32])
{
	return t->n > 0 && bsearch(author, t->ids, t->n, 32, cmp32) != NULL;
}

struct compute {
	struct trust_set	 t;
	const board_opts	*o;	/* the caller's, with the trust set */
	board			*b;
	board_acc		*acc;
	em_err			 err;
};

/* With the metric unknown until every result is seen: all of them at once. */
static int
compute_fn(void *ctx, const store_view *rows, size_t n)
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
	c->err = board_build(rows, n, trusted, c->o, c->b);
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
compute_done(void *ctx, size_t n)
{
	struct compute *c = ctx;

	(void)n;
	if (c->acc == NULL && (c->err = board_begin(0, c->o->metric, c->o, &c->acc)) != EM_OK)
		return 1;
	c->err = board_end(c->acc, c->b);
	c->acc = NULL;
	return 0;
}

em_err
board_compute(store *st, const uint8_t task[static 32], const board_opts *opts, board *b)
{
	board_opts o = *opts;
	struct compute c = { { 0 }, &o, b, NULL, EM_OK };
	em_err err;

	memset(b, 0, sizeof *b);
	o.trust = NULL;
	o.n_trust = 0;
	if (o.trusted_only) {
		if ((err = trust_load(st, o.self, &c.t)) != EM_OK) {
			free(c.t.ids);
			return err;
		}
		o.trust = c.t.n > 0 ? c.t.ids[0] : NULL;
		o.n_trust = c.t.n;
	}
	if (o.metric != NULL)
		err = store_board_scan(st, task, STORE_SCAN_RANKING, compute_rows, compute_done, &c);
	else
		err = store_board_view(st, task, compute_fn, &c);
	board_acc_free(c.acc);	/* a scan that stopped early */
	free(c.t.ids);
	return err != EM_OK ? err : c.err;
}

struct standing {
	const uint8_t		*author;
	const char		*model, *revision;
	const board_opts	*o;
	store_view		 best;
	uint8_t			 id[32];
	int			 found;
};

/* Views lend their texts unterminated: a copy to compare names by. */
static int
same_name(const char *text, size_t len, const char *name)
{
	char buf[BODY_NAME_MAX + 1];

	if (len > BODY_NAME_MAX)
		return 0;
	memcpy(buf, text, len);
	buf[len] = '\0';
	return name_same(buf, name);
}

static int
standing_rows(void *ctx, const store_view *rows, size_t n, size_t count)
{
	struct standing *s = ctx;

	(void)count;
	for (size_t i = 0; i < n; i++) {
		const store_view *r = &rows[i];

		if (memcmp(r->author, s->author, 32) != 0 || (r->flags & RESULT_REVOKED) ||
		    board_counts(r, s->o->metric, s->o) != BOARD_KEPT ||
		    !same_name(r->model, r->model_len, s->model) ||
		    !same_name(r->revision, r->revision_len, s->revision) ||
		    (s->found && !board_newer(r, &s->best)))
			continue;
		s->best = *r;	/* its id is lent only for the batch: copied */
		memcpy(s->id, r->id, 32);
		s->best.id = s->id;
		s->found = 1;
	}
	return 0;
}

static int
standing_done(void *ctx, size_t n)
{
	(void)ctx;
	(void)n;
	return 0;
}

em_err
board_standing(store *st, const uint8_t task[static 32], const uint8_t author[static 32],
    const char *model, const char *revision, const board_opts *o, uint8_t id[static 32])
{
	struct standing s = { .author = author, .model = model, .revision = revision, .o = o };
	em_err err;

	if ((err = store_board_scan(st, task, 0, standing_rows, standing_done, &s)) != EM_OK)
		return err;
	if (!s.found)
		return EM_ENOTFOUND;
	memcpy(id, s.id, 32);
	return EM_OK;
}

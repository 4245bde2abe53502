/* Which tasks auto-eval runs (auto_impl.h): each task record is looked at
 * once and given a verdict kept in a small entry — not ours (the mode),
 * refused (a limit of the task alone), put off (not today: the requests
 * left, its author's tasks for the day), done, or a job. Only jobs are
 * fetched and run. A job waiting for items is indexed by the first chunk
 * it lacks and moves on when that chunk is stored (auto_chunk), not by
 * rechecking every job every round; the stored tasks are scanned again
 * only when something may have changed, and at least every
 * AUTO_RESCAN_EVERY rounds. */
#include "auto_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "hex.h"
#include "log.h"
#include "name.h"
#include "task.h"

void
auto_save_day(daemon_state *d)
{
	struct auto_state *au = d->au;
	em_err err;

	if (!au->day_dirty)
		return;
	if ((err = budget_save(d->st, &au->day)) != EM_OK) {
		log_error("auto-eval: cannot save the budget's ledger: %s", em_strerror(err));
		return;
	}
	au->day_dirty = 0;
}

/* The one rule of which result speaks (board.h), asked of our own
 * results alone, whatever they measured: ours for this model revision. */
int
auto_mine(daemon_state *d, const uint8_t task[static 32], uint8_t rec[static 32])
{
	const board_opts any = { 0 };
	em_err err;

	memset(rec, 0, 32);
	err = board_standing(d->st, task, d->pk, d->au->cfg.model, d->au->cfg.revision, &any, rec);
	if (err != EM_OK && err != EM_ENOTFOUND)
		log_warn("auto-eval: cannot read our results: %s", em_strerror(err));
	return err == EM_OK;
}

void
auto_note(struct auto_state *au, const uint8_t task[static 32], const char *name,
    uint8_t state, enum budget_limit limit, const char *why, const uint8_t *result)
{
	note *n = state == T_DONE ? &au->done[au->n_done++ % AUTO_NOTES_MAX] :
	    &au->off[au->n_off++ % AUTO_NOTES_MAX];

	memset(n, 0, sizeof *n);
	memcpy(n->task, task, 32);
	if (result != NULL)
		memcpy(n->result, result, 32);
	snprintf(n->name, sizeof n->name, "%s", name);
	n->state = state;
	n->limit = (uint8_t)limit;
	snprintf(n->why, sizeof n->why, "%s", why);
}

/* --- the waiting index: chunk hash -> the jobs waiting for it, chained */

static void
unindex(struct auto_state *au, job *j)
{
	job *head, *p;

	if (!j->indexed)
		return;
	j->indexed = 0;
	head = idmap_get(&au->waiting, j->wait_hash);
	if (head == j) {
		if (j->wait_next != NULL)
			idmap_put(&au->waiting, j->wait_hash, j->wait_next);	/* replaces: no memory */
		else
			idmap_del(&au->waiting, j->wait_hash);
	} else {
		for (p = head; p != NULL && p->wait_next != j; p = p->wait_next)
			;
		if (p != NULL)
			p->wait_next = j->wait_next;
	}
	j->wait_next = NULL;
}

/* j waits for chunk hash. Out of memory: not indexed, and picked up by a
 * later scan instead. */
static void
index_at(struct auto_state *au, job *j, const uint8_t hash[static 32])
{
	job *head;

	if (j->indexed && memcmp(j->wait_hash, hash, 32) == 0)
		return;
	unindex(au, j);
	head = idmap_get(&au->waiting, hash);
	j->wait_next = head;
	if (idmap_put(&au->waiting, hash, j) != 0) {
		j->wait_next = NULL;
		return;
	}
	memcpy(j->wait_hash, hash, 32);
	j->indexed = 1;
}

/* A waiting job and its task's record: the chunks held from where it
 * stopped looking; all here, it is queued, else it waits for the first
 * missing one. */
static void
settle(daemon_state *d, job *j, const body_task *t)
{
	while (j->next_chunk < t->n_chunks && store_blob_has(d->st, t->chunks + 32 * j->next_chunk))
		j->next_chunk++;
	if (j->next_chunk < t->n_chunks) {
		index_at(d->au, j, t->chunks + 32 * j->next_chunk);
		return;
	}
	unindex(d->au, j);
	j->state = JOB_QUEUED;
}

struct settle_ctx { daemon_state *d; job *j; };

static int
settle_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	struct settle_ctx *s = ctx;

	(void)env;
	(void)flags;
	settle(s->d, s->j, &b->u.task);
	return 1;	/* the first record of the task is enough */
}

void
auto_chunk(daemon_state *d, const uint8_t hash[static 32])
{
	struct auto_state *au = d->au;
	job *j, *next;

	if (au == NULL || (j = idmap_del(&au->waiting, hash)) == NULL)
		return;
	for (; j != NULL; j = next) {
		struct settle_ctx s = { d, j };

		next = j->wait_next;
		j->wait_next = NULL;
		j->indexed = 0;
		store_tasks(d->st, j->task, settle_fn, &s);
	}
}

int
auto_fetches(daemon_state *d, const uint8_t task[static 32])
{
	tentry *e;

	if (d->au == NULL || (e = idmap_get(&d->au->tasks, task)) == NULL)
		return 0;
	return e->state == T_JOB && e->j->state == JOB_WAITING;
}

void
auto_job_free(struct auto_state *au, job *j)
{
	unindex(au, j);
	if (j->run != NULL)
		j->run->j = NULL;
	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		au->head = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	else
		au->tail = j->prev;
	au->n_jobs--;
	free(j);
}

void
auto_job_end(daemon_state *d, job *j, uint8_t state, enum budget_limit limit,
    const char *why, const uint8_t *result)
{
	struct auto_state *au = d->au;
	tentry *e = idmap_get(&au->tasks, j->task);

	if (e != NULL) {
		e->state = state;
		e->limit = (uint8_t)limit;
		e->j = NULL;
	}
	auto_note(au, j->task, j->name, state, limit, why, result);
	auto_job_free(au, j);
	au->rescan = 1;		/* what was put off for it may go ahead */
}

/* --- the verdicts */

/* The max_tokens the task's runs would ask: the operator's, or the
 * manifest's (its default when it has none). */
static uint64_t
max_tokens_of(const auto_cfg *c, const body_task *t)
{
	json_t *m, *v;
	uint64_t n = AUTO_TASK_MAX_TOKENS;

	if (c->max_tokens)
		return c->max_tokens;
	m = json_loadb((const char *)t->manifest, t->manifest_len, 0, NULL);
	v = json_object_get(m, "max_tokens");
	if (json_is_integer(v) && json_integer_value(v) > 0)
		n = (uint64_t)json_integer_value(v);
	json_decref(m);
	return n;
}

void
auto_why(const struct auto_state *au, enum budget_limit lim, const budget_task *t,
    uint64_t pending, char *why, size_t cap)
{
	const auto_budget *l = &au->cfg.budget;

	switch (lim) {
	case BUDGET_ITEMS:
		snprintf(why, cap, "%llu items, over the limit of %llu a task",
		    (unsigned long long)t->items, (unsigned long long)l->items);
		break;
	case BUDGET_MAX_TOKENS:
		snprintf(why, cap, "max_tokens %llu, over the limit of %llu a request",
		    (unsigned long long)t->max_tokens, (unsigned long long)l->max_tokens);
		break;
	case BUDGET_REQUESTS:
		snprintf(why, cap, "%llu items; %llu of %llu requests left today, %llu items "
		    "already taken up", (unsigned long long)t->items,
		    (unsigned long long)budget_left(l, &au->day),
		    (unsigned long long)l->requests_per_day, (unsigned long long)pending);
		break;
	case BUDGET_AUTHOR:
		snprintf(why, cap, "%llu tasks of its author taken up today, the most a day",
		    (unsigned long long)l->tasks_per_author);
		break;
	default:
		snprintf(why, cap, "%d tasks taken up today, the most the node counts a day",
		    BUDGET_TAKEN_MAX);
		break;
	}
}

struct scan {
	daemon_state	*d;
	uint64_t	 pending;	/* items of jobs not running */
	uint8_t		 last[32];	/* the task visited last */
	int		 any;
	uint32_t	 ord;		/* the record's place among its task's */
	size_t		 refused, deferred;	/* newly so in this scan */
};

static job *
job_new(struct auto_state *au, const uint8_t id[static 32], const body_task *t,
    const budget_task *bt)
{
	job *j = calloc(1, sizeof *j);

	if (j == NULL)
		return NULL;
	memcpy(j->task, id, 32);
	snprintf(j->name, sizeof j->name, "%s@%s", t->name, t->version);
	j->items = bt->items;
	j->state = JOB_WAITING;
	j->prev = au->tail;
	if (au->tail != NULL)
		au->tail->next = j;
	else
		au->head = j;
	au->tail = j;
	au->n_jobs++;
	return j;
}

/* e is put off or refused by lim: noted (and logged) when that is news. */
static void
put_off(struct scan *sc, tentry *e, uint8_t state, enum budget_limit lim,
    const uint8_t id[static 32], const body_task *t, const budget_task *bt)
{
	struct auto_state *au = sc->d->au;
	char why[AUTO_WHY_MAX], name[AUTO_NAME_MAX];

	if (e->state == state && e->limit == lim)
		return;
	e->state = state;
	e->limit = (uint8_t)lim;
	auto_why(au, lim, bt, sc->pending, why, sizeof why);
	snprintf(name, sizeof name, "%s@%s", t->name, t->version);
	auto_note(au, id, name, state, lim, why, NULL);
	/* a line each at debug: thousands may come at once; the scan sums
	 * them up at info */
	log_debug("auto-eval: %s %s: %s", name, state == T_REFUSED ? "refused" : "not today", why);
	if (state == T_REFUSED)
		sc->refused++;
	else
		sc->deferred++;
}

/* Takes the task up: counted on the day, a job, its chunks fetched if
 * they are not all here. */
static void
take(struct scan *sc, tentry *e, const uint8_t id[static 32], const rec_env *env,
    const body_task *t, const budget_task *bt)
{
	daemon_state *d = sc->d;
	struct auto_state *au = d->au;
	job *j;

	if (budget_take(&au->day, bt) != 0 || (j = job_new(au, id, t, bt)) == NULL)
		return;		/* the ledger is full, or out of memory: a later scan */
	au->day_dirty = 1;
	e->state = T_JOB;
	e->j = j;
	sc->pending += j->items;
	settle(d, j, t);
	if (j->state == JOB_WAITING)
		fetch_task(d, env, 0);
}

/* The verdict on a task, new or not decided for good (not ours, put off). */
static void
decide(struct scan *sc, tentry *e, const uint8_t id[static 32], const rec_env *env,
    const body_task *t)
{
	daemon_state *d = sc->d;
	struct auto_state *au = d->au;
	budget_task bt = { .task = id, .author = env->author, .items = t->n_items };
	enum budget_limit lim;
	uint8_t rec[32];
	char name[AUTO_NAME_MAX];

	bt.own = memcmp(env->author, d->pk, 32) == 0;
	if (!bt.own && au->cfg.mode == AUTO_TRUSTED && !store_trusted(d->st, env->author)) {
		e->state = T_NOT_OURS;
		return;
	}
	if (e->state == 0 || e->state == T_NOT_OURS)
		e->max_tokens = max_tokens_of(&au->cfg, t);
	e->items = t->n_items;
	bt.max_tokens = e->max_tokens;
	if (auto_mine(d, id, rec)) {
		e->state = T_DONE;
		snprintf(name, sizeof name, "%s@%s", t->name, t->version);
		auto_note(au, id, name, T_DONE, BUDGET_OK, "", rec);
	} else if ((lim = budget_check(&au->cfg.budget, &bt)) != BUDGET_OK) {
		put_off(sc, e, T_REFUSED, lim, id, t, &bt);
	} else if ((lim = budget_admit(&au->cfg.budget, &au->day, &bt, sc->pending)) != BUDGET_OK) {
		put_off(sc, e, T_DEFERRED, lim, id, t, &bt);
	} else {
		take(sc, e, id, env, t, &bt);
	}
}

/* The record's task id into id, and its place among the task's records
 * (they come by task id, then arrival) into sc->ord. */
static void
place(struct scan *sc, const body_task *t, uint8_t id[static 32])
{
	body_task_id(t, id);
	sc->ord = sc->any && memcmp(id, sc->last, 32) == 0 ? sc->ord + 1 : 0;
	memcpy(sc->last, id, 32);
	sc->any = 1;
}

/* First pass: which record speaks for each task (task_rank): a member
 * who signed a lab's task again, first, neither hides the lab's record
 * from `--auto-eval trusted` nor withdraws it by revoking their own. */
static int
pick_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	struct scan *sc = ctx;
	struct auto_state *au = sc->d->au;
	unsigned rank = task_rank(sc->d->st, sc->d->pk, env->author, flags);
	uint8_t id[32];
	tentry *e;

	place(sc, &b->u.task, id);
	if ((e = idmap_get(&au->tasks, id)) == NULL) {
		if ((e = calloc(1, sizeof *e)) == NULL)
			return 1;
		if (idmap_put(&au->tasks, id, e) != 0) {
			free(e);
			return 1;
		}
	}
	if (sc->ord == 0 || rank > e->pick_rank) {
		e->pick = sc->ord;
		e->pick_rank = rank;
	}
	return 0;
}

/* Second pass: each task decided on the record that speaks for it. */
static int
scan_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	struct scan *sc = ctx;
	struct auto_state *au = sc->d->au;
	uint8_t id[32];
	tentry *e;

	place(sc, &b->u.task, id);
	/* a task that came between the passes waits for the next scan */
	if ((e = idmap_get(&au->tasks, id)) == NULL || e->pick != sc->ord)
		return 0;
	if (e->state == T_REVOKED && !(flags & RESULT_REVOKED))
		e->state = 0;	/* published again, by someone who stands by it */
	if (flags & RESULT_REVOKED) {	/* a withdrawn task is not run */
		if (e->state == T_JOB && e->j->state == JOB_RUNNING)
			return 0;	/* it ends by itself */
		if (e->state == T_JOB)
			auto_job_free(au, e->j);
		*e = (tentry){ .state = T_REVOKED };
		return 0;
	}
	switch (e->state) {
	case T_JOB:
		if (e->j->state == JOB_WAITING)
			settle(sc->d, e->j, &b->u.task);	/* chunks stored by others */
		break;
	case 0: case T_NOT_OURS: case T_DEFERRED:
		decide(sc, e, id, env, &b->u.task);
		break;
	default:
		break;
	}
	return 0;
}

static int
trust_fn(void *ctx, const uint8_t id[static 32], const char *name)
{
	uint64_t *fp = ctx, v;

	(void)name;
	memcpy(&v, id, 8);
	*fp = (*fp ^ v) * 0x100000001b3ull;
	return 0;
}

void
auto_scan(daemon_state *d)
{
	struct auto_state *au = d->au;
	struct scan sc = { .d = d };
	uint64_t fp = 0xcbf29ce484222325ull;
	uint32_t since = au->rounds - au->last_scan;
	int changed;

	store_trust_list(d->st, trust_fn, &fp);
	changed = au->rescan || fp != au->trust_fp || d->records_in != au->seen_in ||
	    d->announced != au->seen_announced;
	if ((!changed && since < AUTO_RESCAN_EVERY) || (au->last_scan != 0 && since < AUTO_SCAN_EVERY))
		return;
	au->rescan = 0;
	au->trust_fp = fp;
	au->seen_in = d->records_in;
	au->seen_announced = d->announced;
	au->last_scan = au->rounds;
	sc.pending = auto_pending(au);
	store_tasks(d->st, NULL, pick_fn, &sc);
	sc.any = 0;
	store_tasks(d->st, NULL, scan_fn, &sc);
	if (sc.refused + sc.deferred > 0)
		log_info("auto-eval: %zu tasks refused and %zu put off to a later day by the budget "
		    "('evalmesh status' says which limit)", sc.refused, sc.deferred);
}

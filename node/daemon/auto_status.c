/* What auto-eval tells `evalmesh status` (auto_status in daemon_impl.h):
 * the budget and the day's spend, how many tasks are in each state, and
 * a bounded list — jobs first, then the tasks done and those refused or
 * put off lately — so that status answers at once whatever the number
 * of tasks held. */
#include "auto_impl.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"

/* Requests reserved by the runs going on: spent or not, not yet known. */
static uint64_t
reserved(const struct auto_state *au)
{
	uint64_t n = 0;

	for (const job *j = au->head; j != NULL; j = j->next)
		if (j->run != NULL && !j->run->settled && j->run->day == au->day.day)
			n += j->run->reserved;
	return n;
}

static json_t *
budget_json(daemon_state *d)
{
	const struct auto_state *au = d->au;
	const auto_budget *l = &au->cfg.budget;
	uint64_t held = reserved(au), spent = au->day.requests > held ? au->day.requests - held : 0;
	char t[32];

	em_time_iso(au->day.day * BUDGET_DAY_MS, t, sizeof t);
	t[10] = '\0';		/* the date */
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "day", t,
	    "requests_per_day", (json_int_t)l->requests_per_day,
	    "requests_spent", (json_int_t)spent, "requests_reserved", (json_int_t)held,
	    "requests_left", (json_int_t)budget_left(l, &au->day),
	    "resets_in_s", (json_int_t)(budget_day_left_ms(daemon_now(d)) / 1000),
	    "prompt_bytes", (json_int_t)l->prompt_bytes, "max_tokens", (json_int_t)l->max_tokens,
	    "items", (json_int_t)l->items, "tasks_per_author", (json_int_t)l->tasks_per_author,
	    "tasks_taken_today", (json_int_t)au->day.n_taken);
}

static const char *
job_state_name(const struct auto_state *au, const job *j)
{
	if (j->state == JOB_WAITING)
		return "waiting for items";
	if (j->state == JOB_RUNNING)
		return "running";
	if (j->attempts > 0)
		return "failed";
	return budget_left(&au->cfg.budget, &au->day) == 0 ? "held" : "queued";
}

static json_t *
job_json(daemon_state *d, const job *j, uint64_t now)
{
	const struct auto_state *au = d->au;
	const char *state = job_state_name(au, j);
	json_t *o = json_pack("{s:o, s:s, s:s, s:I}", "task", daemon_json_id(j->task),
	    "name", j->name, "state", state, "attempts", (json_int_t)j->attempts);
	char why[AUTO_WHY_MAX];

	if (o == NULL)
		return NULL;
	if (j->attempts > 0 && j->state != JOB_RUNNING) {
		json_object_set_new(o, "error", json_string(j->error));
		json_object_set_new(o, "retry_in_s",
		    json_integer((json_int_t)(timing_left(j->next_try, now) / 1000)));
	}
	if (strcmp(state, "held") == 0) {
		snprintf(why, sizeof why, "%llu of %llu requests spent today",
		    (unsigned long long)au->day.requests,
		    (unsigned long long)au->cfg.budget.requests_per_day);
		json_object_set_new(o, "limit", json_string(budget_limit_key(BUDGET_REQUESTS)));
		json_object_set_new(o, "why", json_string(why));
	}
	return o;
}

/* Whether note n still says what the node makes of its task, and is
 * the first such note of that task in this listing. */
static int
current(const struct auto_state *au, const note *ring, size_t count, size_t k)
{
	const note *n = &ring[k % AUTO_NOTES_MAX];
	const tentry *e = idmap_get(&au->tasks, n->task);

	if (e == NULL || e->state != n->state || (n->state != T_DONE && e->limit != n->limit))
		return 0;
	for (size_t i = count; i-- > k + 1 && i + AUTO_NOTES_MAX >= count;)
		if (memcmp(ring[i % AUTO_NOTES_MAX].task, n->task, 32) == 0)
			return 0;	/* a later note of it is listed */
	return 1;
}

/* Why a task is put off for the day's requests, in today's numbers (the
 * note has those of when it was put off). */
static void
why_now(const struct auto_state *au, const note *n, uint64_t pending, char *why, size_t cap)
{
	const tentry *e = idmap_get(&au->tasks, n->task);
	budget_task t = { .task = n->task, .items = e->items, .max_tokens = e->max_tokens };

	if (n->state == T_DEFERRED && n->limit == BUDGET_REQUESTS)
		auto_why(au, BUDGET_REQUESTS, &t, pending, why, cap);
	else
		snprintf(why, cap, "%s", n->why);
}

/* The notes of one ring, newest first, into arr. */
static void
notes_json(const struct auto_state *au, const note *ring, size_t count, json_t *arr)
{
	uint64_t pending = auto_pending(au);
	char why[AUTO_WHY_MAX];

	for (size_t k = count; k-- > 0 && k + AUTO_NOTES_MAX >= count;) {
		const note *n = &ring[k % AUTO_NOTES_MAX];
		json_t *o;

		if (!current(au, ring, count, k))
			continue;
		o = json_pack("{s:o, s:s, s:s}", "task", daemon_json_id(n->task), "name", n->name,
		    "state", n->state == T_DONE ? "done" : n->state == T_REFUSED ? "refused" :
		    "deferred");
		if (o == NULL)
			continue;
		if (n->state == T_DONE) {
			json_object_set_new(o, "result", daemon_json_id(n->result));
		} else {
			why_now(au, n, pending, why, sizeof why);
			json_object_set_new(o, "limit", json_string(budget_limit_key(n->limit)));
			json_object_set_new(o, "why", json_string(why));
		}
		json_array_append_new(arr, o);
	}
}

static json_t *
counts_json(const struct auto_state *au)
{
	size_t n[T_REVOKED + 1] = { 0 }, waiting = 0, queued = 0, held = 0, failed = 0, running = 0;
	int spent = budget_left(&au->cfg.budget, &au->day) == 0;

	for (const job *j = au->head; j != NULL; j = j->next) {
		waiting += j->state == JOB_WAITING;
		running += j->state == JOB_RUNNING;
		failed += j->state == JOB_QUEUED && j->attempts > 0;
		held += j->state == JOB_QUEUED && j->attempts == 0 && spent;
		queued += j->state == JOB_QUEUED && j->attempts == 0 && !spent;
	}
	for (size_t i = 0; i < au->tasks.cap; i++) {
		const tentry *e = au->tasks.slots[i].v;

		if (e != NULL && e->state <= T_REVOKED)
			n[e->state]++;
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "waiting", (json_int_t)waiting, "queued", (json_int_t)queued, "held", (json_int_t)held,
	    "failed", (json_int_t)failed, "running", (json_int_t)running,
	    "done", (json_int_t)n[T_DONE], "refused", (json_int_t)n[T_REFUSED],
	    "deferred", (json_int_t)n[T_DEFERRED], "not_ours", (json_int_t)n[T_NOT_OURS]);
}

json_t *
auto_status(daemon_state *d)
{
	struct auto_state *au = d->au;
	uint64_t now = daemon_mono(d);
	json_t *tasks;
	size_t listed = 0;

	if (au == NULL)
		return json_pack("{s:s}", "mode", "off");
	tasks = json_array();
	for (const job *j = au->head; j != NULL && listed < AUTO_STATUS_JOBS; j = j->next, listed++)
		json_array_append_new(tasks, job_json(d, j, now));
	notes_json(au, au->done, au->n_done, tasks);
	notes_json(au, au->off, au->n_off, tasks);
	return json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:I}",
	    "mode", au->cfg.mode == AUTO_ALL ? "all" : "trusted", "model", au->cfg.model,
	    "revision", au->cfg.revision, "running", (json_int_t)au->running,
	    "budget", budget_json(d), "counts", counts_json(au), "tasks", tasks,
	    "jobs_not_listed", (json_int_t)(au->n_jobs - listed));
}

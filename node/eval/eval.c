/* The evaluation runner: dispatch, retries, scoring, the cache, progress. */
#include "eval_impl.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "clock.h"
#include "eval_timing.h"
#include "hash.h"
#include "log.h"
#include "merkle.h"
#include "score.h"
#include "utf8.h"

static double
cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

unsigned
eval_max_tokens(const eval_opts *o)
{
	return o->max_tokens ? o->max_tokens : o->task->spec.max_tokens;
}

em_err
eval_run_key(const eval_opts *o, uint8_t key[static 32])
{
	static const char tag[] = "evalmesh/run/v2";
	const char *api = model_api_name(o->model.api);
	char max_tokens[24], *extra = NULL;
	hash_state hs;

	snprintf(max_tokens, sizeof max_tokens, "%u", eval_max_tokens(o));
	/* no extra fields and an empty object ask alike: one run */
	if (json_object_size(o->model.extra_body) > 0 &&
	    (extra = json_dumps(o->model.extra_body, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		return EM_ENOMEM;
	{
		const char *parts[] = { o->model_name, o->revision, api,
		    o->model.served_model ? o->model.served_model : "", max_tokens,
		    extra ? extra : "" };

		hash_start(&hs);
		hash_update(&hs, (const uint8_t *)tag, sizeof tag);
		hash_update(&hs, o->task->id, 32);
		for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
			hash_update(&hs, (const uint8_t *)parts[i], strlen(parts[i]) + 1);
		hash_finish(&hs, key);
	}
	free(extra);
	return EM_OK;
}

/* The notes name the distinct reasons, not every item's. */
void
eval_note(eval_out *out, const char *why)
{
	size_t len = strlen(out->notes), n = strlen(why);

	if (n == 0 || strstr(out->notes, why) != NULL)
		return;
	if (len + (len ? 2 : 0) + n < sizeof out->notes)
		snprintf(out->notes + len, sizeof out->notes - len, "%s%s", len ? "; " : "", why);
}

void
eval_count(eval_out *out, uint8_t flags)
{
	out->truncated += (flags & STORE_EVAL_TRUNCATED) != 0;
	out->empty += (flags & STORE_EVAL_EMPTY) != 0;
	out->refused += (flags & STORE_EVAL_REFUSED) != 0;
}

uint8_t
eval_text_flags(const char *text)
{
	const char *a = score_answer(text);
	size_t n = score_answer_len(a);
	char *part;
	int blank;

	if (a[n] == '\0')
		return score_blank(a) ? STORE_EVAL_EMPTY : 0;
	if ((part = strndup(a, n)) == NULL)
		return 0;
	blank = score_blank(part);
	free(part);
	return blank ? STORE_EVAL_EMPTY : 0;
}

static void
flush(eval_runner *r)
{
	em_err err;

	if (r->n_batch == 0)
		return;
	if ((err = store_eval_put(r->st, r->out->run_key, r->batch, r->n_batch)) != EM_OK)
		log_error("eval: cannot write the evaluation cache: %s", em_strerror(err));
	for (size_t i = 0; i < r->n_batch; i++)
		free((char *)(uintptr_t)r->batch[i].output);
	r->n_batch = 0;
}

static void
show_progress(eval_runner *r, int final)
{
	eval_out *out = r->out;
	eval_progress p = { .scored = out->scored, .n = out->n, .eta_s = -1,
	    .retrying = r->n_retries > 0, .elapsed_ms = em_mono_ms(r->clock) - r->t0 };
	size_t left = out->n - out->scored - out->failed;

	if (r->o->progress == NULL)
		return;
	p.rate = p.elapsed_ms > 0 ? (double)r->asked / ((double)p.elapsed_ms / 1000.0) : 0;
	for (int k = 1; k <= MF_FATAL; k++)
		p.errors += out->fails[k];
	if (left == 0)
		p.eta_s = 0;
	else if (p.rate > 0)
		p.eta_s = (double)left / p.rate;
	r->o->progress(r->o->progress_ctx, &p, final);
}

static void dispatch(eval_runner *r);
static void maybe_done(eval_runner *r);

/* Stops sending; what is in flight is abandoned (an unscored item is
 * simply not cached) and the loop winds down. */
static void
stop(eval_runner *r, const char *why)
{
	if (r->stopping)
		return;
	r->stopping = 1;
	if (why != NULL && r->out->stopped[0] == '\0')
		snprintf(r->out->stopped, sizeof r->out->stopped, "%s", why);
	flush(r);
	model_close(r->m);
	uv_timer_stop(&r->wake);
	uv_close((uv_handle_t *)&r->wake, NULL);
	uv_close((uv_handle_t *)&r->flush, NULL);
	uv_close((uv_handle_t *)&r->sigint, NULL);
	uv_close((uv_handle_t *)&r->sigterm, NULL);
	show_progress(r, 1);
}

/* Item i goes to the cache: its score, flags, and what is kept as its
 * output (hash over what the item's leaf commits to). */
static void
cache_put(eval_runner *r, size_t i, uint16_t s, uint8_t flags, const char *output, size_t len,
    const uint8_t hash[static 32])
{
	store_eval *e = &r->batch[r->n_batch];
	char *copy = malloc(len + 1);

	if (copy == NULL)
		return;
	memcpy(copy, output, len);
	copy[len] = '\0';
	*e = (store_eval){ .index = (uint32_t)i, .flags = flags,
	    .score = s, .output = copy, .output_len = len };
	memcpy(e->output_hash, hash, 32);
	if (++r->n_batch == EVAL_FLUSH_BATCH)
		flush(r);
}

/* Item i (its hash item_hash) is scored: s (score_units), flags, its
 * leaf, and its output as cache_put keeps it. */
static void
keep(eval_runner *r, size_t i, const uint8_t item_hash[static 32], uint16_t s, uint8_t flags,
    const char *output, size_t len, const uint8_t hash[static 32])
{
	eval_out *out = r->out;

	out->score[i] = s;
	out->have[i] = 1;
	out->flags[i] = flags;
	merkle_result_leaf(out->leaf[i], (uint32_t)i, item_hash, hash, s);
	out->scored++;
	eval_count(out, flags);
	r->asked++;
	cache_put(r, i, s, flags, output, len, hash);
}

/* A refused item: it scores 0, its output is none, and the cache keeps
 * the reason (reason_of's, which names no endpoint). */
static void
keep_refused(eval_runner *r, size_t i, const uint8_t item_hash[static 32], const char *why)
{
	uint8_t none[32];

	hash_blake2b(none, (const uint8_t *)"", 0);
	eval_note(r->out, why);
	keep(r, i, item_hash, 0, STORE_EVAL_REFUSED, why, strlen(why), none);
}

static void
answered(eval_runner *r, eval_slot *sl, const model_reply *rep)
{
	size_t len = strlen(rep->text);
	uint8_t hash[32], flags = eval_text_flags(rep->text);

	if (rep->truncated)
		flags |= STORE_EVAL_TRUNCATED;
	hash_blake2b(hash, (const uint8_t *)rep->text, len);
	r->streak = 0;
	r->busy = 0;
	r->answered++;
	keep(r, sl->index, sl->hash, score_units(task_score(&r->o->task->spec, sl->item, rep->text)),
	    flags, rep->text, len, hash);
	eval_release(r, sl);
	/* the server answers: the refusals before are about their items */
	for (size_t k = 0; k < r->n_early; k++)
		keep_refused(r, r->early[k].index, r->early[k].hash, r->early[k].why);
	r->n_early = 0;
}

/* Why an item was refused or failed, as a result may carry it: the
 * server's status and its own words, or the kind of failure — never the
 * endpoint's URL (a lab's inside address) or a body that is not an error
 * (it could hold the model's output). */
static void
reason_of(const model_reply *rep, char *buf, size_t cap)
{
	char q[MODEL_WHY_MAX - 32];
	long code;

	if (rep->status >= 400 && rep->body != NULL) {
		model_error_quote(rep->body, rep->body_len, q, sizeof q, &code);
		snprintf(buf, cap, "HTTP %ld: %s", rep->status, q);
	} else if (rep->fail == MF_TIMEOUT) {
		snprintf(buf, cap, "no answer within the timeout");
	} else if (rep->fail == MF_CONNECT) {
		snprintf(buf, cap, "the connection failed");
	} else if (rep->fail == MF_MALFORMED || rep->status > 0) {
		snprintf(buf, cap, "a malformed response");
	} else {
		snprintf(buf, cap, "%s", rep->why);	/* the exec program's words */
	}
}

/* The server will not answer item i: it scores 0 and is counted. Until
 * some item is answered, refusals are only held: a server that refuses
 * every item is set wrong (a field it does not take, a model it does not
 * have), and the run stops at the tenth without keeping them, so that the
 * fixed server is asked again. */
static void
refused(eval_runner *r, eval_slot *sl, const model_reply *rep)
{
	char why[MODEL_WHY_MAX];
	eval_early *e = &r->early[r->n_early];

	reason_of(rep, why, sizeof why);
	if (r->answered > 0) {
		keep_refused(r, sl->index, sl->hash, why);
		eval_release(r, sl);
		return;
	}
	e->index = sl->index;
	memcpy(e->hash, sl->hash, 32);
	memcpy(e->why, why, sizeof why);
	eval_release(r, sl);
	if (++r->n_early == EVAL_FAIL_STREAK) {
		char msg[MODEL_WHY_MAX], fit[128];

		snprintf(msg, sizeof msg, "the server refused each of the first %d items, so none "
		    "was kept (check the model and its settings); last: %s", EVAL_FAIL_STREAK,
		    utf8_fit(rep->why, 120, fit, sizeof fit));
		stop(r, msg);
	}
}

static void
failed(eval_runner *r, eval_slot *sl, const model_reply *rep)
{
	size_t i = sl->index;
	uint64_t now = em_mono_ms(r->clock);

	if (rep->fail == MF_FATAL) {
		stop(r, rep->why);
		return;
	}
	/* "not now" (429, 503 Loading model) is waited on without spending
	 * retries for up to patience_s since the server last answered; then
	 * the run stops (with no patience, "not now" spends retries) */
	if (rep->fail == MF_RATE && r->o->patience_s > 0) {
		if (!r->busy) {
			char why[MODEL_WHY_MAX], fit[168];

			r->busy = 1;
			r->busy_since = now;
			reason_of(rep, why, sizeof why);
			if (r->o->progress != NULL)
				log_info("eval: the server says not now (%s); waiting for it up to %u s",
				    utf8_fit(why, 160, fit, sizeof fit), r->o->patience_s);
		}
		if (eval_patience_over(r->busy_since, now, r->o->patience_s)) {
			char why[MODEL_WHY_MAX], fit[168];

			snprintf(why, sizeof why, "the server said \"not now\" for %u s (--patience); "
			    "last: %s", r->o->patience_s, utf8_fit(rep->why, 160, fit, sizeof fit));
			stop(r, why);
			return;
		}
		if (sl->waits < UINT8_MAX / 2)
			sl->waits++;
	}
	if (sl->attempts - sl->waits > (int)r->o->retries) {
		char why[MODEL_WHY_MAX];
		uint8_t none[32];

		r->out->failed++;
		reason_of(rep, why, sizeof why);
		eval_note(r->out, why);
		hash_blake2b(none, (const uint8_t *)"", 0);
		cache_put(r, i, 0, STORE_EVAL_FAILED, why, strlen(why), none);
		/* the leaf it has if count_failed scores it 0 (score_failed) */
		merkle_result_leaf(r->out->leaf[i], (uint32_t)i, sl->hash, none, 0);
		r->mark[i] |= EVAL_MARK_FAILED;
		eval_release(r, sl);
		/* a server that broke must not become a run of items scored 0:
		 * items failing in a row stop the run — but not items that
		 * failed in an earlier run too (a server that always errs on
		 * them: they may be all that is left to ask) */
		if (!(r->mark[i] & EVAL_MARK_FAILED_BEFORE) && ++r->streak >= EVAL_FAIL_STREAK) {
			char fit[168];

			snprintf(why, sizeof why, "%d items in a row failed after %u retries; "
			    "last: %s", EVAL_FAIL_STREAK, r->o->retries,
			    utf8_fit(rep->why, 160, fit, sizeof fit));
			stop(r, why);
		}
	} else {
		retry *rt = &r->retries[r->n_retries++];
		uint64_t rnd = rep->retry_after_ms >= 0 ? 0 : em_rand(r->clock);

		rt->item = i;
		rt->due = eval_retry_due(now, eval_retry_wait(sl->attempts, rep->retry_after_ms, rnd),
		    rep->fail == MF_RATE, r->busy, r->busy_since, r->o->patience_s);
		/* a server that says "slow down" gets no new requests either */
		if (rep->fail == MF_RATE && rt->due > r->pause_until)
			r->pause_until = rt->due;
	}
}

static void
on_reply(void *ctx, const model_reply *rep)
{
	eval_runner *r = ctx;
	eval_out *out = r->out;
	eval_slot *sl = eval_slot_of(r, rep->id);

	if (sl == NULL || !sl->flying || out->have[sl->index])
		return;		/* not an item being asked */
	sl->flying = 0;
	if (rep->fail == MF_NONE) {
		dispatch(r);	/* the slot is free: the next request first, then the score */
		answered(r, sl, rep);
	} else {
		out->fails[rep->fail]++;
		snprintf(out->last_why[rep->fail], sizeof out->last_why[rep->fail], "%s", rep->why);
		log_debug("eval: item %zu: %s", sl->index, rep->why);
		if (rep->fail == MF_REFUSED)
			refused(r, sl, rep);
		else
			failed(r, sl, rep);
	}
	dispatch(r);
	maybe_done(r);
}

static void
on_wake(uv_timer_t *t)
{
	dispatch(t->data);
}

static void
on_flush(uv_timer_t *t)
{
	eval_runner *r = t->data;

	flush(r);
	show_progress(r, 0);
}

static void
on_signal(uv_signal_t *s, int sig)
{
	eval_runner *r = s->data;

	r->out->interrupted = sig;
	stop(r, "interrupted");
}

/* Whether the run has sent all that max_requests allows. */
static int
capped(const eval_runner *r)
{
	return r->o->max_requests > 0 && r->out->requests >= r->o->max_requests;
}

/* At the cap: what is in flight ends, then the run stops, keeping what
 * it scored (the next run goes on from there). */
static void
stop_capped(eval_runner *r)
{
	if (model_in_flight(r->m) == 0 && (r->left > 0 || r->n_retries > 0)) {
		r->out->capped = 1;
		stop(r, EVAL_CAPPED_WHY);
	}
}

/* The item to send next: a due retry first, then a new item, in a slot;
 * NULL for none now (or after a stop, when the items cannot be read). */
static eval_slot *
next_to_send(eval_runner *r, uint64_t now)
{
	char why[TASK_WHY_MAX], msg[MODEL_WHY_MAX], fit[200];
	eval_slot *sl;
	em_err err;

	for (size_t k = 0; k < r->n_retries; k++)
		if (r->retries[k].due <= now) {
			sl = eval_slot_of(r, r->retries[k].item);
			r->retries[k] = r->retries[--r->n_retries];
			return sl;
		}
	/* items waiting to be retried hold their place: a failing endpoint
	 * sees at most concurrency items, not the whole task */
	if (r->left == 0 || model_in_flight(r->m) + r->n_retries >= r->o->model.concurrency)
		return NULL;
	if ((sl = eval_take(r, &err, why, sizeof why)) == NULL && err != EM_OK) {
		snprintf(msg, sizeof msg, "cannot read the task's items: %s",
		    utf8_fit(why, 180, fit, sizeof fit));
		stop(r, msg);
	}
	return sl;
}

/* Sends item sl holds; EM_OK, or why it could not be sent. */
static em_err
send_item(eval_runner *r, eval_slot *sl)
{
	json_t *msgs = task_messages(&r->o->task->spec, r->o->shots, sl->item, sl->index);
	/* the flattened prompt is for completions and exec only */
	char *prompt = msgs && r->o->model.api != MODEL_CHAT ? task_flatten(msgs) : NULL;
	model_req req = { .id = (uint32_t)sl->index, .messages = msgs, .prompt = prompt,
	    .max_tokens = eval_max_tokens(r->o), .temperature = r->o->task->spec.temperature };
	em_err err = EM_ENOMEM;

	sl->flying = 1;		/* before: a reply finds its slot whenever it comes */
	if (msgs && (prompt || r->o->model.api == MODEL_CHAT))
		err = model_submit(r->m, &req);
	json_decref(msgs);
	free(prompt);
	if (err != EM_OK) {
		sl->flying = 0;
		return err;
	}
	sl->attempts++;
	r->out->requests++;
	return EM_OK;
}

/* Sends what may be sent: due retries first, then new items. */
static void
dispatch(eval_runner *r)
{
	uint64_t now = em_mono_ms(r->clock), next_due = UINT64_MAX;
	eval_slot *sl;
	em_err err;

	/* the timers wait on the loop's time, the due times are on the run's
	 * clock: a wake that comes early by it only sets the timer again */
	if (!r->stopping && eval_ms_until(r->pause_until, now) > 0) {
		uv_timer_start(&r->wake, on_wake, eval_ms_until(r->pause_until, now), 0);
		return;
	}
	while (!r->stopping && !capped(r) && model_in_flight(r->m) < r->o->model.concurrency &&
	    (sl = next_to_send(r, now)) != NULL)
		if ((err = send_item(r, sl)) != EM_OK) {
			stop(r, err == EM_ENOMEM ? "out of memory" : "the model adapter failed");
			return;
		}
	if (r->stopping)
		return;
	if (capped(r)) {
		stop_capped(r);
		return;
	}
	for (size_t k = 0; k < r->n_retries; k++)
		if (r->retries[k].due < next_due)
			next_due = r->retries[k].due;
	if (next_due != UINT64_MAX)
		uv_timer_start(&r->wake, on_wake, eval_ms_until(next_due, now), 0);
}

static void
maybe_done(eval_runner *r)
{
	if (r->stopping || r->left > 0 || r->n_retries > 0 || model_in_flight(r->m) > 0)
		return;
	if (r->n_early > 0)	/* refusals held to the end: none was answered */
		stop(r, "the server refused every item it was asked, so none was kept (check "
		    "the model and its settings)");
	else
		stop(r, NULL);
}

/* A run that went to its end with items that failed every attempt: with
 * count_failed they score 0 (no output; their leaves were made as they
 * failed), counted and with their reasons already in the notes; without,
 * the run stays incomplete. */
static void
score_failed(eval_runner *r)
{
	eval_out *out = r->out;

	if (!r->o->count_failed || out->interrupted || out->stopped[0] != '\0')
		return;
	for (size_t i = 0; i < out->n; i++)
		if (!out->have[i] && (r->mark[i] & EVAL_MARK_FAILED)) {
			out->have[i] = 1;
			out->score[i] = 0;
			out->scored++;
			out->failed_scored++;
		}
}

em_err
eval_run(store *st, const eval_opts *o, eval_out *out, char *why, size_t cap)
{
	eval_runner r = { 0 };
	double cpu0 = cpu_now();
	uint64_t mono0;
	em_err err;

	r.clock = o->clock != NULL ? o->clock : em_clock_system();
	mono0 = em_mono_ms(r.clock);
	if ((err = eval_prepare(&r, st, o, out, why, cap)) != EM_OK ||
	    (err = eval_prompts_fit(&r, why, cap)) != EM_OK)
		goto out;
	out->t_start = em_wall_ms(r.clock);
	if (uv_loop_init(&r.loop) != 0) {
		err = EM_EIO;
		snprintf(why, cap, "cannot start an event loop");
		goto out;
	}
	if ((err = model_open(&r.loop, &o->model, on_reply, &r, &r.m, why, cap)) != EM_OK) {
		uv_loop_close(&r.loop);
		goto out;
	}
	uv_timer_init(&r.loop, &r.wake);
	uv_timer_init(&r.loop, &r.flush);
	uv_signal_init(&r.loop, &r.sigint);
	uv_signal_init(&r.loop, &r.sigterm);
	r.wake.data = r.flush.data = r.sigint.data = r.sigterm.data = &r;
	uv_timer_start(&r.flush, on_flush, EVAL_FLUSH_MS, EVAL_FLUSH_MS);
	uv_signal_start(&r.sigint, on_signal, SIGINT);
	uv_signal_start(&r.sigterm, on_signal, SIGTERM);
	r.t0 = em_mono_ms(r.clock);
	dispatch(&r);
	maybe_done(&r);
	uv_run(&r.loop, UV_RUN_DEFAULT);
	flush(&r);
	score_failed(&r);
	model_free(r.m);
	out->wall_s = (double)(em_mono_ms(r.clock) - mono0) / 1e3;
	if (uv_loop_close(&r.loop) != 0)
		log_warn("eval: the event loop closed with handles open");
	out->t_end = em_wall_ms(r.clock);
	err = EM_OK;
out:
	out->cpu_s = cpu_now() - cpu0;
	eval_runner_free(&r);
	return err;
}

void
eval_out_free(eval_out *out)
{
	free(out->score);
	free(out->have);
	free(out->flags);
	free(out->leaf);
	memset(out, 0, sizeof *out);
}

void
eval_fail_summary(const eval_out *out, char *buf, size_t cap)
{
	static const char *const names[] = {
		[MF_TIMEOUT] = "timeouts", [MF_CONNECT] = "connection failures",
		[MF_RATE] = "rate limits (429/503)", [MF_SERVER] = "server errors",
		[MF_MALFORMED] = "malformed responses", [MF_REFUSED] = "refused by the server",
		[MF_FATAL] = "fatal errors",
	};
	size_t len = 0;

	buf[0] = '\0';
	/* a fatal error is the reason the run stopped, told on its own */
	for (int k = 1; k < MF_FATAL && len < cap; k++) {
		int w;

		if (out->fails[k] == 0)
			continue;
		w = snprintf(buf + len, cap - len, "%s%llu %s (last: %s)", len ? "; " : "",
		    (unsigned long long)out->fails[k], names[k], out->last_why[k]);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

/* Evaluating new tasks in the background: the runs, each a child
 * `evalmesh eval` (see auto.h), paid for from the day's budget: before a
 * run starts its cap is reserved on the ledger (and the ledger saved, so
 * a crash mid-run counts the whole cap), the child gets it as
 * --max-requests, and when it ends what it did not send is given back.
 * The child says what it sent on stdout (`eval --json`, also when it
 * publishes nothing); a child that says nothing (killed, crashed) is
 * taken to have sent its whole cap. Which tasks become jobs is
 * auto_task.c's. */
#include "auto_impl.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hex.h"
#include "log.h"
#include "utf8.h"

uint64_t
auto_pending(const struct auto_state *au)
{
	uint64_t n = 0;

	for (const job *j = au->head; j != NULL; j = j->next)
		if (j->state != JOB_RUNNING)
			n += j->items;
	return n;
}

static void
on_closed(uv_handle_t *h)
{
	run *r = h->data;

	if (--r->open == 0)
		free(r);
}

static void
close_run(run *r)
{
	uv_close((uv_handle_t *)&r->proc, on_closed);
	uv_close((uv_handle_t *)&r->out, on_closed);
	uv_close((uv_handle_t *)&r->err, on_closed);
}

static void
on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	run *r = h->data;
	int is_out = h == (uv_handle_t *)&r->out;
	char *b = is_out ? r->obuf : r->ebuf;
	size_t *len = is_out ? &r->olen : &r->elen;

	(void)hint;
	if (*len >= AUTO_OUT_MAX - 1) {	/* keep the tail of long output */
		memmove(b, b + AUTO_OUT_MAX / 2, *len - AUTO_OUT_MAX / 2);
		*len -= AUTO_OUT_MAX / 2;
	}
	*buf = uv_buf_init(b + *len, (unsigned)(AUTO_OUT_MAX - 1 - *len));
}

/* The last line the child wrote to stderr, without the program's name,
 * as j's error. */
static void
last_line(job *j, run *r)
{
	char *e = r->ebuf, *line, fit[AUTO_WHY_MAX];
	size_t n = r->elen;

	while (n > 0 && (e[n - 1] == '\n' || e[n - 1] == '\r'))
		n--;
	e[n] = '\0';
	line = strrchr(e, '\n') ? strrchr(e, '\n') + 1 : e;
	if (strncmp(line, "evalmesh: ", 10) == 0)
		line += 10;
	if (*line == '\0')
		snprintf(j->error, sizeof j->error, "eval %s %lld",
		    r->signal ? "killed by signal" : "exited with status",
		    (long long)(r->signal ? r->signal : r->status));
	else
		snprintf(j->error, sizeof j->error, "%s",
		    utf8_fit(line, AUTO_WHY_MAX - 1, fit, sizeof fit));
}

/* One more failed run of j (j->error says why): queued again after the
 * retry wait (timing_auto_retry), on daemon_mono; the log line gives the
 * wait used. */
static void
failed(daemon_state *d, job *j)
{
	uint64_t wait;

	j->attempts++;
	j->state = JOB_QUEUED;
	wait = timing_auto_retry(j->attempts, em_rand(d->clock));
	j->next_try = daemon_mono(d) + wait;
	if (!d->au->stopping)
		log_warn("auto-eval: %s failed (attempt %u): %s; trying again in %llu s",
		    j->name, j->attempts, j->error, (unsigned long long)(wait / 1000));
}

/* What the child said on stdout: the requests it sent (its cap if it
 * said nothing), whether it completed, the limit that stopped it, and
 * the result's record. */
struct said {
	uint64_t	 requests;
	int		 complete;
	char		 limit[32];
	uint8_t		 record[32];
};

static void
read_said(run *r, struct said *s)
{
	json_t *o, *v;
	const char *rec;

	memset(s, 0, sizeof *s);
	s->requests = r->reserved;
	r->obuf[r->olen] = '\0';
	if ((o = json_loads(r->obuf, 0, NULL)) == NULL)
		return;
	v = json_object_get(o, "requests");
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		s->requests = (uint64_t)json_integer_value(v);
	s->complete = json_is_true(json_object_get(o, "complete"));
	snprintf(s->limit, sizeof s->limit, "%s",
	    json_string_value(json_object_get(o, "limit")) ? json_string_value(json_object_get(o,
	    "limit")) : "");
	if ((rec = json_string_value(json_object_get(o, "record"))) == NULL ||
	    hex_decode(s->record, 32, rec) != EM_OK)
		memset(s->record, 0, 32);
	json_decref(o);
}

/* What j's run came to, as the child said it. */
static void
outcome(daemon_state *d, job *j, run *r, const struct said *s)
{
	char hex[ID_HEX_LEN + 1];

	if (r->status == 0 && r->signal == 0 && s->complete) {
		hex_encode(hex, s->record, 32);
		log_info("auto-eval: %s done: result %.16s", j->name, hex);
		auto_job_end(d, j, T_DONE, BUDGET_OK, "", s->record);
	} else if (strcmp(s->limit, "max_prompt_bytes") == 0) {
		last_line(j, r);
		log_warn("auto-eval: %s refused: %s", j->name, j->error);
		auto_job_end(d, j, T_REFUSED, BUDGET_PROMPT_BYTES, j->error, NULL);
	} else if (strcmp(s->limit, "max_requests") == 0) {
		/* its share of the budget is spent: it goes on when there is more */
		j->state = JOB_QUEUED;
		log_info("auto-eval: %s sent the %llu requests it was allowed; it goes on "
		    "when the budget allows", j->name, (unsigned long long)r->reserved);
	} else {
		last_line(j, r);
		failed(d, j);
	}
}

/* The run ended and its pipes said what they will: the budget settled
 * with what it sent, the job told, the handles closed (r freed by the
 * last close). */
static void
finish(run *r)
{
	daemon_state *d = r->d;
	struct auto_state *au = d->au;
	struct said s;
	job *j = r->j;

	if (r->settled)
		return;
	r->settled = 1;
	au->running--;
	read_said(r, &s);
	budget_settle(&au->day, r->day, r->reserved, s.requests);
	au->day_dirty = 1;
	if (j != NULL) {
		j->run = NULL;
		r->j = NULL;
		if (au->stopping)
			j->state = JOB_QUEUED;
		else
			outcome(d, j, r, &s);
	}
	auto_save_day(d);
	close_run(r);
}

static void
on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	run *r = s->data;

	(void)buf;
	if (n < 0) {
		uv_read_stop(s);
		if (++r->eofs == 2 && r->exited)
			finish(r);
		return;
	}
	if (s == (uv_stream_t *)&r->out)
		r->olen += (size_t)n;
	else
		r->elen += (size_t)n;
}

/* The child exited: its last words may still be in the pipes, read to
 * their end (or for a round more, if something else holds them open). */
static void
on_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	run *r = p->data;

	r->status = status;
	r->signal = sig;
	r->exited = 1;
	r->exit_round = r->d->au->rounds;
	if (r->eofs == 2 || r->d->au->stopping)
		finish(r);
}

/* The child's command line: `evalmesh eval TASK --json ...` with the
 * node's model settings, and the budget's caps. */
static size_t
child_args(daemon_state *d, job *j, run *r, char **argv, char (*num)[ID_HEX_LEN + 1])
{
	const auto_cfg *c = &d->au->cfg;
	char *task = num[4];
	size_t n = 0;

	hex_encode(task, j->task, 32);
	snprintf(num[0], sizeof num[0], "%u", c->concurrency);
	snprintf(num[1], sizeof num[1], "%u", c->max_tokens);
	snprintf(num[2], sizeof num[2], "%llu", (unsigned long long)r->reserved);
	snprintf(num[3], sizeof num[3], "%llu", (unsigned long long)c->budget.prompt_bytes);
#define ARG(s) (argv[n++] = (char *)(uintptr_t)(s))
	ARG(d->au->exe); ARG("eval"); ARG(task); ARG("--home"); ARG(d->home);
	ARG("--model"); ARG(c->model); ARG("--quiet"); ARG("--json");
	ARG("--concurrency"); ARG(num[0]); ARG("--retries"); ARG(AUTO_RUN_RETRIES_S);
	ARG("--max-requests"); ARG(num[2]); ARG("--max-prompt-bytes"); ARG(num[3]);
	if (c->revision[0]) { ARG("--revision"); ARG(c->revision); }
	if (c->access[0]) { ARG("--access"); ARG(c->access); }
	if (c->api[0]) { ARG("--api"); ARG(c->api); }
	if (c->served_model[0]) { ARG("--served-model"); ARG(c->served_model); }
	if (c->api_key_env[0]) { ARG("--api-key-env"); ARG(c->api_key_env); }
	if (c->passphrase_env[0]) { ARG("--passphrase-env"); ARG(c->passphrase_env); }
	if (c->api_key_header[0]) { ARG("--api-key-header"); ARG(c->api_key_header); }
	if (c->max_tokens) { ARG("--max-tokens"); ARG(num[1]); }
	if (c->extra_body[0]) { ARG("--extra-body"); ARG(c->extra_body); }
	if (c->exec[0]) { ARG("--exec"); ARG(c->exec); }
	for (size_t i = 0; i < c->n_endpoints; i++) { ARG("--endpoint"); ARG(c->endpoints[i]); }
#undef ARG
	argv[n] = NULL;
	return n;
}

/* Starts the child for j with the cap reserved in r. 0, or -1 (the job
 * failed, r freed by its handles' close). */
static int
spawn(daemon_state *d, job *j, run *r)
{
	struct auto_state *au = d->au;
	char *argv[56 + 2 * AUTO_ENDPOINTS_MAX], num[5][ID_HEX_LEN + 1];
	uv_process_options_t po = { 0 };
	uv_stdio_container_t io[3];
	int rc;

	child_args(d, j, r, argv, num);
	uv_pipe_init(d->loop, &r->out, 0);
	uv_pipe_init(d->loop, &r->err, 0);
	r->proc.data = r->out.data = r->err.data = r;
	r->open = 3;
	io[0].flags = UV_IGNORE;
	io[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	io[1].data.stream = (uv_stream_t *)&r->out;
	io[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	io[2].data.stream = (uv_stream_t *)&r->err;
	po.file = au->exe;
	po.args = argv;
	po.env = au->env;
	po.stdio = io;
	po.stdio_count = 3;
	po.exit_cb = on_exit_cb;
	if ((rc = uv_spawn(d->loop, &r->proc, &po)) != 0) {
		snprintf(j->error, sizeof j->error, "cannot start %.160s: %.60s", au->exe, uv_strerror(rc));
		budget_settle(&au->day, r->day, r->reserved, 0);
		au->day_dirty = 1;
		failed(d, j);
		close_run(r);
		return -1;
	}
	uv_read_start((uv_stream_t *)&r->out, on_alloc, on_read);
	uv_read_start((uv_stream_t *)&r->err, on_alloc, on_read);
	j->run = r;
	j->state = JOB_RUNNING;
	au->running++;
	log_info("auto-eval: evaluating %s with %s%s%s (at most %llu requests)", j->name,
	    au->cfg.model, au->cfg.revision[0] ? "@" : "", au->cfg.revision,
	    (unsigned long long)r->reserved);
	return 0;
}

/* Runs queued job j if the budget has requests left: its cap (the
 * requests left shared among the `ready` runs that may start now)
 * reserved and saved first. 0 if it started or ended (done already); -1
 * if the budget is spent (it stays queued: held) or it could not start. */
static int
start(daemon_state *d, job *j, unsigned ready)
{
	struct auto_state *au = d->au;
	uint8_t rec[32];
	uint64_t cap;
	run *r;

	if (auto_mine(d, j->task, rec)) {	/* evaluated meanwhile, by hand */
		auto_job_end(d, j, T_DONE, BUDGET_OK, "", rec);
		return 0;
	}
	if (budget_left(&au->cfg.budget, &au->day) == 0 || (r = calloc(1, sizeof *r)) == NULL)
		return -1;
	/* the most it can send: each item's first attempt and its retries */
	cap = budget_reserve(&au->cfg.budget, &au->day, ready,
	    j->items > UINT64_MAX / (AUTO_RUN_RETRIES + 1) ? 0 : j->items * (AUTO_RUN_RETRIES + 1));
	r->d = d;
	r->j = j;
	r->reserved = cap;
	r->day = au->day.day;
	au->day_dirty = 1;
	auto_save_day(d);	/* before it runs: a crash counts the whole cap */
	return spawn(d, j, r);
}

/* A run's environment: this process's, with EVALMESH_EVAL_PARENT set to
 * its pid (into own, cap bytes), so that the run ends with the node
 * (cmd_eval.c): a node killed with -9 leaves no run behind to race the
 * next node's. The array is yours (free()); its strings are environ's and
 * own. NULL when out of memory. */
static char **
child_env(char *own, size_t cap)
{
	extern char **environ;
	static const char var[] = "EVALMESH_EVAL_PARENT=";
	size_t n, k = 0;
	char **env;

	for (n = 0; environ[n] != NULL; n++)
		;
	if ((env = calloc(n + 2, sizeof *env)) == NULL)
		return NULL;
	snprintf(own, cap, "%s%ld", var, (long)getpid());
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], var, sizeof var - 1) != 0)
			env[k++] = environ[i];
	env[k] = own;
	return env;
}

int
auto_start(daemon_state *d, const auto_cfg *cfg)
{
	struct auto_state *au;
	size_t len;
	em_err err;

	if (cfg->mode == AUTO_OFF)
		return 0;
	if ((d->au = au = calloc(1, sizeof *d->au)) == NULL) {
		log_error("auto-eval: out of memory");
		return -1;
	}
	au->cfg = *cfg;
	idmap_init(&au->tasks, em_rand(d->clock), em_rand(d->clock));
	idmap_init(&au->waiting, em_rand(d->clock), em_rand(d->clock));
	au->rescan = 1;
	len = sizeof au->exe;
	if (uv_exepath(au->exe, &len) != 0) {
		log_error("auto-eval: cannot find this program's path");
		return -1;
	}
	if ((au->env = child_env(au->parent, sizeof au->parent)) == NULL) {
		log_error("auto-eval: out of memory");
		return -1;
	}
	if ((err = budget_load(d->st, &au->day)) == EM_ENOTFOUND) {
		budget_init(&au->day, daemon_now(d));
	} else if (err != EM_OK) {
		/* unknown spend: today counts as spent, never as unspent */
		log_warn("auto-eval: the budget's ledger cannot be read (%s): today counts as spent",
		    em_strerror(err));
		budget_init(&au->day, daemon_now(d));
		au->day.requests = cfg->budget.requests_per_day;
		au->day_dirty = 1;
	}
	budget_roll(&au->day, daemon_now(d));
	log_info("auto-eval: %s tasks with %s%s%s; %llu of %llu requests spent today",
	    cfg->mode == AUTO_ALL ? "all" : "trusted", cfg->model, cfg->revision[0] ? "@" : "",
	    cfg->revision, (unsigned long long)au->day.requests,
	    (unsigned long long)cfg->budget.requests_per_day);
	return 0;
}

void
auto_tick(daemon_state *d)
{
	struct auto_state *au = d->au;
	uint64_t now = daemon_mono(d);
	unsigned ready = 0;
	job *j, *next;

	if (au == NULL || au->stopping)
		return;
	au->rounds++;
	if (budget_roll(&au->day, daemon_now(d))) {
		au->day_dirty = 1;
		au->rescan = 1;		/* what was put off to today */
		log_info("auto-eval: a new day: %llu requests to spend",
		    (unsigned long long)au->cfg.budget.requests_per_day);
	}
	/* a run whose pipes something else holds open is ended a round on */
	for (j = au->head; j != NULL; j = next) {
		next = j->next;
		if (j->run != NULL && j->run->exited && au->rounds > j->run->exit_round + 1)
			finish(j->run);
	}
	auto_scan(d);
	/* the runs that may start now share what is left of the day */
	for (j = au->head; j != NULL && ready < au->cfg.jobs - au->running; j = j->next)
		ready += j->state == JOB_QUEUED && timing_left(j->next_try, now) == 0;
	for (j = au->head; j != NULL && ready > 0; j = next) {
		next = j->next;
		if (j->state != JOB_QUEUED || timing_left(j->next_try, now) > 0)
			continue;
		if (start(d, j, ready--) != 0 && budget_left(&au->cfg.budget, &au->day) == 0)
			break;	/* held until the budget allows */
	}
	auto_save_day(d);
}

void
auto_stop(daemon_state *d)
{
	struct auto_state *au = d->au;

	if (au == NULL)
		return;
	au->stopping = 1;
	/* the runner keeps what it scored, says what it sent and exits; its
	 * exit settles the budget and closes the handles */
	for (job *j = au->head; j != NULL; j = j->next)
		if (j->run != NULL && !j->run->exited)
			uv_process_kill(&j->run->proc, SIGTERM);
}

void
auto_free(daemon_state *d)
{
	struct auto_state *au = d->au;

	if (au == NULL)
		return;
	auto_save_day(d);
	while (au->head != NULL)
		auto_job_free(au, au->head);
	for (size_t i = 0; i < au->tasks.cap; i++)
		free(au->tasks.slots[i].v);
	idmap_free(&au->tasks);
	idmap_free(&au->waiting);
	free(au->env);
	free(au);
	d->au = NULL;
}

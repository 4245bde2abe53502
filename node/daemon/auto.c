/* Evaluating new tasks in the background: one job per task, each run as a
 * child `evalmesh eval` (see auto.h). */
#include "daemon_impl.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "log.h"
#include "name.h"
#include "utf8.h"

#define SCAN_EVERY	3		/* maintenance rounds between task scans */
#define OUT_MAX		8192

enum job_state { JOB_WAITING, JOB_QUEUED, JOB_RUNNING, JOB_DONE };

typedef struct job {
	uint8_t		 task[32];
	char		 name[BODY_NAME_MAX + BODY_SHORT_MAX + 2];
	enum job_state	 state;
	unsigned	 attempts;
	uint64_t	 next_try;	/* daemon_mono: not run again before */
	char		 error[256];	/* why the last run failed */
	uint8_t		 record[32];	/* the result, once done */
	uv_process_t	 proc;
	uv_pipe_t	 out, err;
	int		 open;		/* handles not yet closed */
	char		 obuf[OUT_MAX], ebuf[OUT_MAX];
	size_t		 olen, elen;
	int64_t		 status;
	int		 signal;
} job;

struct auto_state {
	auto_cfg	 cfg;
	job		**jobs;
	size_t		 n, cap;
	unsigned	 running;
	unsigned	 rounds;
	char		 exe[4096];
	int		 stopping;
};

static job *
job_find(struct auto_state *au, const uint8_t task[static 32])
{
	for (size_t i = 0; i < au->n; i++)
		if (memcmp(au->jobs[i]->task, task, 32) == 0)
			return au->jobs[i];
	return NULL;
}

static int
scan_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	daemon_state *d = ctx;
	struct auto_state *au = d->au;
	uint8_t id[32];
	job *j, **nj;

	if (flags & RESULT_REVOKED)
		return 0;	/* a withdrawn task is not run */
	body_task_id(&b->u.task, id);
	if (job_find(au, id) != NULL)
		return 0;
	if (au->cfg.mode == AUTO_TRUSTED && memcmp(env->author, d->pk, 32) != 0 &&
	    !store_trusted(d->st, env->author))
		return 0;
	if (au->n == au->cap) {
		size_t cap = au->cap ? 2 * au->cap : 16;

		if ((nj = realloc(au->jobs, cap * sizeof *nj)) == NULL)
			return 1;
		au->jobs = nj;
		au->cap = cap;
	}
	if ((j = calloc(1, sizeof *j)) == NULL)
		return 1;
	memcpy(j->task, id, 32);
	snprintf(j->name, sizeof j->name, "%s@%s", b->u.task.name, b->u.task.version);
	j->state = JOB_WAITING;
	au->jobs[au->n++] = j;
	return 0;
}

struct mine { const auto_cfg *cfg; uint8_t id[32]; int found; };

static int
mine_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	struct mine *m = ctx;

	/* signed in NFC, configured as typed: one name when their keys are */
	if (!(flags & RESULT_REVOKED) && name_same(b->u.result.model, m->cfg->model) &&
	    name_same(b->u.result.revision, m->cfg->revision)) {
		memcpy(m->id, env->id, 32);
		m->found = 1;
		return 1;
	}
	return 0;
}

/* Whether every item chunk the task record names is here (read from the
 * record's body: no manifest parsed, as this runs every second). */
struct ready { store *st; int ready; };

static int
chunks_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	struct ready *c = ctx;

	(void)env;
	(void)flags;
	c->ready = 1;
	for (uint32_t i = 0; i < b->u.task.n_chunks && c->ready; i++)
		c->ready = store_blob_has(c->st, b->u.task.chunks + 32 * i);
	return 1;	/* the first record of the task is enough */
}

/* Waiting jobs: done already (a result of ours for this model revision),
 * ready (every item chunk here), or still waiting for chunks. */
static void
settle(daemon_state *d, job *j)
{
	struct mine m = { &d->au->cfg, { 0 }, 0 };
	struct ready c = { d->st, 0 };

	store_results(d->st, j->task, d->pk, mine_fn, &m);
	if (m.found) {
		memcpy(j->record, m.id, 32);
		j->state = JOB_DONE;
		return;
	}
	store_tasks(d->st, j->task, chunks_fn, &c);
	if (c.ready)
		j->state = JOB_QUEUED;
}

static void
on_closed(uv_handle_t *h)
{
	job *j = h->data;

	j->open--;
}

static void
on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	job *j = h->data;
	int is_out = h == (uv_handle_t *)&j->out;
	char *b = is_out ? j->obuf : j->ebuf;
	size_t *len = is_out ? &j->olen : &j->elen;

	(void)hint;
	if (*len >= OUT_MAX - 1) {	/* keep the tail of long output */
		memmove(b, b + OUT_MAX / 2, *len - OUT_MAX / 2);
		*len -= OUT_MAX / 2;
	}
	*buf = uv_buf_init(b + *len, (unsigned)(OUT_MAX - 1 - *len));
}

static void
on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	job *j = s->data;

	(void)buf;
	if (n < 0) {
		uv_read_stop(s);
		return;
	}
	if (s == (uv_stream_t *)&j->out)
		j->olen += (size_t)n;
	else
		j->elen += (size_t)n;
}

/* The last line the child wrote to stderr, without the program's name. */
static void
last_line(job *j)
{
	char *e = j->ebuf, *line, fit[256];
	size_t n = j->elen;

	while (n > 0 && (e[n - 1] == '\n' || e[n - 1] == '\r'))
		n--;
	e[n] = '\0';
	line = strrchr(e, '\n') ? strrchr(e, '\n') + 1 : e;
	if (strncmp(line, "evalmesh: ", 10) == 0)
		line += 10;
	if (*line == '\0')
		snprintf(j->error, sizeof j->error, "eval %s %lld",
		    j->signal ? "killed by signal" : "exited with status",
		    (long long)(j->signal ? j->signal : j->status));
	else
		snprintf(j->error, sizeof j->error, "%s", utf8_fit(line, 255, fit, sizeof fit));
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

static void
on_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	job *j = p->data;
	daemon_state *d = j->proc.loop->data;
	struct auto_state *au = d->au;
	char hex[ID_HEX_LEN + 1];

	j->status = status;
	j->signal = sig;
	au->running--;
	/* the pipes may hold the last words: read what is there, then close */
	j->obuf[j->olen] = '\0';
	if (status == 0) {
		json_t *o = json_loads(j->obuf, 0, NULL);
		const char *rec = json_string_value(json_object_get(o, "record"));

		if (rec == NULL || hex_decode(j->record, 32, rec) != EM_OK)
			memset(j->record, 0, 32);
		json_decref(o);
		j->state = JOB_DONE;
		hex_encode(hex, j->record, 32);
		log_info("auto-eval: %s done: result %.16s", j->name, hex);
	} else {
		last_line(j);
		failed(d, j);
	}
	uv_close((uv_handle_t *)&j->proc, on_closed);
	uv_close((uv_handle_t *)&j->out, on_closed);
	uv_close((uv_handle_t *)&j->err, on_closed);
}

/* Starts `evalmesh eval TASK ...` for job j. */
static int
spawn(daemon_state *d, job *j)
{
	struct auto_state *au = d->au;
	const auto_cfg *c = &au->cfg;
	char task[ID_HEX_LEN + 1], conc[16], max_tokens[16];
	char *argv[48 + 2 * AUTO_ENDPOINTS_MAX];
	uv_process_options_t po = { 0 };
	uv_stdio_container_t io[3];
	size_t n = 0;
	int rc;

	hex_encode(task, j->task, 32);
	snprintf(conc, sizeof conc, "%u", c->concurrency);
	snprintf(max_tokens, sizeof max_tokens, "%u", c->max_tokens);
#define ARG(s) (argv[n++] = (char *)(uintptr_t)(s))
	ARG(au->exe); ARG("eval"); ARG(task); ARG("--home"); ARG(d->home);
	ARG("--model"); ARG(c->model); ARG("--quiet"); ARG("--json");
	ARG("--concurrency"); ARG(conc);
	if (c->revision[0]) { ARG("--revision"); ARG(c->revision); }
	if (c->access[0]) { ARG("--access"); ARG(c->access); }
	if (c->api[0]) { ARG("--api"); ARG(c->api); }
	if (c->served_model[0]) { ARG("--served-model"); ARG(c->served_model); }
	if (c->api_key_env[0]) { ARG("--api-key-env"); ARG(c->api_key_env); }
	if (c->passphrase_env[0]) { ARG("--passphrase-env"); ARG(c->passphrase_env); }
	if (c->api_key_header[0]) { ARG("--api-key-header"); ARG(c->api_key_header); }
	if (c->max_tokens) { ARG("--max-tokens"); ARG(max_tokens); }
	if (c->extra_body[0]) { ARG("--extra-body"); ARG(c->extra_body); }
	if (c->exec[0]) { ARG("--exec"); ARG(c->exec); }
	for (size_t i = 0; i < c->n_endpoints; i++) { ARG("--endpoint"); ARG(c->endpoints[i]); }
	argv[n] = NULL;
#undef ARG
	j->olen = j->elen = 0;
	uv_pipe_init(d->loop, &j->out, 0);
	uv_pipe_init(d->loop, &j->err, 0);
	j->proc.data = j->out.data = j->err.data = j;
	j->open = 3;
	io[0].flags = UV_IGNORE;
	io[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	io[1].data.stream = (uv_stream_t *)&j->out;
	io[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	io[2].data.stream = (uv_stream_t *)&j->err;
	po.file = au->exe;
	po.args = argv;
	po.stdio = io;
	po.stdio_count = 3;
	po.exit_cb = on_exit_cb;
	if ((rc = uv_spawn(d->loop, &j->proc, &po)) != 0) {
		snprintf(j->error, sizeof j->error, "cannot start %.160s: %.60s", au->exe, uv_strerror(rc));
		failed(d, j);
		uv_close((uv_handle_t *)&j->proc, on_closed);
		uv_close((uv_handle_t *)&j->out, on_closed);
		uv_close((uv_handle_t *)&j->err, on_closed);
		return -1;
	}
	uv_read_start((uv_stream_t *)&j->out, on_alloc, on_read);
	uv_read_start((uv_stream_t *)&j->err, on_alloc, on_read);
	j->state = JOB_RUNNING;
	au->running++;
	log_info("auto-eval: evaluating %s with %s%s%s", j->name, c->model,
	    c->revision[0] ? "@" : "", c->revision);
	return 0;
}

int
auto_start(daemon_state *d, const auto_cfg *cfg)
{
	size_t len;

	if (cfg->mode == AUTO_OFF)
		return 0;
	if ((d->au = calloc(1, sizeof *d->au)) == NULL) {
		log_error("auto-eval: out of memory");
		return -1;
	}
	d->au->cfg = *cfg;
	len = sizeof d->au->exe;
	if (uv_exepath(d->au->exe, &len) != 0) {
		log_error("auto-eval: cannot find this program's path");
		return -1;
	}
	d->loop->data = d;
	log_info("auto-eval: %s tasks with %s%s%s", cfg->mode == AUTO_ALL ? "all" : "trusted",
	    cfg->model, cfg->revision[0] ? "@" : "", cfg->revision);
	return 0;
}

void
auto_tick(daemon_state *d)
{
	struct auto_state *au = d->au;
	uint64_t now = daemon_mono(d);

	if (au == NULL || au->stopping)
		return;
	if (au->rounds++ % SCAN_EVERY == 0)
		store_tasks(d->st, NULL, scan_fn, d);
	for (size_t i = 0; i < au->n; i++)
		if (au->jobs[i]->state == JOB_WAITING)
			settle(d, au->jobs[i]);
	for (size_t i = 0; i < au->n && au->running < au->cfg.jobs; i++) {
		job *j = au->jobs[i];

		if (j->state == JOB_QUEUED && timing_left(j->next_try, now) == 0 && j->open == 0)
			spawn(d, j);
	}
}

void
auto_stop(daemon_state *d)
{
	struct auto_state *au = d->au;

	if (au == NULL)
		return;
	au->stopping = 1;
	/* the runner keeps what it scored and exits; its exit closes the handles */
	for (size_t i = 0; i < au->n; i++)
		if (au->jobs[i]->state == JOB_RUNNING)
			uv_process_kill(&au->jobs[i]->proc, SIGTERM);
}

void
auto_free(daemon_state *d)
{
	struct auto_state *au = d->au;

	if (au == NULL)
		return;
	for (size_t i = 0; i < au->n; i++)
		free(au->jobs[i]);
	free(au->jobs);
	free(au);
	d->au = NULL;
}

json_t *
auto_status(daemon_state *d)
{
	static const char *const names[] = { "waiting for items", "queued", "running", "done" };
	struct auto_state *au = d->au;
	uint64_t now = daemon_mono(d);
	json_t *jobs;

	if (au == NULL)
		return json_pack("{s:s}", "mode", "off");
	jobs = json_array();
	for (size_t i = 0; i < au->n; i++) {
		job *j = au->jobs[i];
		json_t *o = json_pack("{s:o, s:s, s:s, s:I}", "task", daemon_json_id(j->task),
		    "name", j->name, "state", j->attempts && j->state == JOB_QUEUED ? "failed" :
		    names[j->state], "attempts", (json_int_t)j->attempts);

		if (j->state == JOB_DONE)
			json_object_set_new(o, "result", daemon_json_id(j->record));
		if (j->attempts && j->state != JOB_DONE) {
			json_object_set_new(o, "error", json_string(j->error));
			json_object_set_new(o, "retry_in_s",
			    json_integer((json_int_t)(timing_left(j->next_try, now) / 1000)));
		}
		json_array_append_new(jobs, o);
	}
	return json_pack("{s:s, s:s, s:s, s:I, s:o}",
	    "mode", au->cfg.mode == AUTO_ALL ? "all" : "trusted", "model", au->cfg.model,
	    "revision", au->cfg.revision, "running", (json_int_t)au->running, "tasks", jobs);
}

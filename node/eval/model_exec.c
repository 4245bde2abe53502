/* The exec adapter: a local program speaking JSON lines on its stdin and
 * stdout. It is started once, with /bin/sh -c CMD; its stderr is ours. A
 * program that exits, or writes a line we cannot read, ends the run with
 * a message that says so; an answer that is late is a timeout. */
#include "model_impl.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

typedef struct slot {
	int		 used;
	uint32_t	 id;
	uint64_t	 deadline;	/* loop time, ms */
} slot;

struct execad {
	model		*m;
	uv_process_t	 proc;
	uv_pipe_t	 in, out;
	uv_timer_t	 tick;
	slot		*slots;		/* concurrency of them */
	char		*line;		/* the partial line read so far */
	size_t		 len, cap;
	int		 running;	/* the process has not exited */
	int		 eof;		/* its stdout is closed */
	uint64_t	 broken_at;	/* loop time a write to it failed, or 0 */
	uint64_t	 eof_at;	/* loop time of that */
	char		 exit_why[64];	/* how it ended, once it has */
	int		 dead;		/* failed for good: no more requests */
	char		 dead_why[MODEL_WHY_MAX];
	unsigned	 strays;	/* answers for ids not waiting */
};

#define STRAYS_TOLD	3	/* stray answers warned of, one line each */

typedef struct wreq {
	uv_write_t	 req;
	char		*buf;
} wreq;

/* The program runs in a process group of its own (it is spawned as its
 * leader): SIGTERM to the group ends what it started too — `sh -c CMD`
 * leaves CMD a child of the shell, and a grandchild left behind kept
 * running and held our stderr open. Gone already: nothing to do. */
static void
kill_group(struct execad *x)
{
	if (x->proc.pid > 0)
		uv_kill(-x->proc.pid, SIGTERM);
}

/* Every request in flight fails with the reason the program is gone. */
static void die(struct execad *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
die(struct execad *x, const char *fmt, ...)
{
	model *m = x->m;
	va_list ap;

	if (!x->dead) {
		x->dead = 1;
		va_start(ap, fmt);
		vsnprintf(x->dead_why, sizeof x->dead_why, fmt, ap);
		va_end(ap);
		kill_group(x);
	}
	for (unsigned i = 0; i < m->o.concurrency; i++)
		if (x->slots[i].used) {
			x->slots[i].used = 0;
			model_fail(m, x->slots[i].id, MF_FATAL, -1, "%s", x->dead_why);
		}
}

static slot *
find(struct execad *x, uint32_t id)
{
	for (unsigned i = 0; i < x->m->o.concurrency; i++)
		if (x->slots[i].used && x->slots[i].id == id)
			return &x->slots[i];
	return NULL;
}

static void
one_line(struct execad *x, const char *line, size_t len)
{
	model_reply r = { .retry_after_ms = -1 };
	char *text = NULL;
	slot *s;

	if (model_parse_exec(line, len, &r, &text) != EM_OK) {
		char why[MODEL_WHY_MAX];

		snprintf(why, sizeof why, "%s", r.why);
		die(x, "the model program wrote %s", why);
		return;
	}
	if ((s = find(x, r.id)) == NULL) {
		/* late (its request timed out), twice for one id, or an id it
		 * was never sent: a program that mixes ids up would otherwise
		 * only time out, silently */
		if (++x->strays <= STRAYS_TOLD)
			log_warn("exec: the model program answered id %u, which is not waiting "
			    "(answered late or twice, or never asked: answers must carry the "
			    "request's id)%s", r.id, x->strays == STRAYS_TOLD ? "; no more of these "
			    "are told" : "");
		free(text);
		return;
	}
	s->used = 0;
	if (r.fail != MF_NONE) {
		char why[MODEL_WHY_MAX];

		snprintf(why, sizeof why, "%s", r.why);
		model_fail(x->m, r.id, r.fail, -1, "the model program %s: %s",
		    r.fail == MF_REFUSED ? "refused this item" : "answered an error", why);
		return;
	}
	r.text = text;
	model_deliver(x->m, &r);
	free(text);
}

static void
on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct execad *x = h->data;

	(void)hint;
	if (x->cap - x->len < 65536) {
		size_t cap = x->cap ? x->cap * 2 : 131072;
		char *nl = realloc(x->line, cap);

		if (nl == NULL) {
			*buf = uv_buf_init(NULL, 0);
			return;
		}
		x->line = nl;
		x->cap = cap;
	}
	*buf = uv_buf_init(x->line + x->len, (unsigned)(x->cap - x->len));
}

static void
on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct execad *x = s->data;
	size_t start = 0;

	(void)buf;
	if (n < 0) {
		/* Every answer it wrote has been read. If it has exited, say how;
		 * if not, on_tick gives it a moment to. */
		uv_read_stop(s);
		x->eof = 1;
		x->eof_at = uv_now(x->m->loop);
		if (!x->running && !x->dead && !x->m->closing)
			die(x, "the model program %s", x->exit_why);
		return;
	}
	x->len += (size_t)n;
	for (size_t i = x->len - (size_t)n; i < x->len && !x->dead; i++)
		if (x->line[i] == '\n') {
			one_line(x, x->line + start, i - start);
			start = i + 1;
		}
	if (x->dead)
		return;
	memmove(x->line, x->line + start, x->len - start);
	x->len -= start;
	if (x->len > MODEL_REPLY_MAX)
		die(x, "the model program wrote a line longer than %u bytes", MODEL_REPLY_MAX);
}

static void
on_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	struct execad *x = p->data;
	char d[64];

	x->running = 0;
	if (sig)
		snprintf(d, sizeof d, "was killed by signal %d", sig);
	else
		snprintf(d, sizeof d, "exited with status %lld", (long long)status);
	snprintf(x->exit_why, sizeof x->exit_why, "%s", d);
	/* answers it wrote before exiting may still be in the pipe */
	if ((x->eof || x->broken_at) && !x->dead && !x->m->closing)
		die(x, "the model program %s", d);
}

static void
on_tick(uv_timer_t *t)
{
	struct execad *x = t->data;
	uint64_t now = uv_now(x->m->loop);

	if (x->broken_at && !x->dead && x->running && now - x->broken_at > 1000) {
		die(x, "the model program stopped reading its input");
		return;
	}
	if (x->eof && !x->dead && now - x->eof_at > 1000) {
		if (x->running)
			die(x, "the model program closed its output");
		else
			die(x, "the model program %s", x->exit_why);
		return;
	}

	for (unsigned i = 0; i < x->m->o.concurrency; i++)
		if (x->slots[i].used && now >= x->slots[i].deadline) {
			x->slots[i].used = 0;
			model_fail(x->m, x->slots[i].id, MF_TIMEOUT, -1,
			    "the model program did not answer within %u ms", x->m->o.timeout_ms);
		}
}

static void
on_written(uv_write_t *req, int status)
{
	wreq *w = (wreq *)req;
	struct execad *x = req->data;

	free(w->buf);
	free(w);
	if (status < 0 && !x->dead && !x->m->closing && x->broken_at == 0) {
		/* it stopped reading, most likely because it is exiting: its exit
		 * status says more than EPIPE (on_exit_cb, on_tick) */
		x->broken_at = uv_now(x->m->loop);
		if (!x->running)
			die(x, "the model program %s", x->exit_why);
	}
}

static em_err
exec_submit(model *m, const model_req *r)
{
	struct execad *x = m->impl;
	wreq *w;
	char *body;
	size_t n;
	slot *s = NULL;
	uv_buf_t b;

	if (x->dead)
		return EM_EIO;
	for (unsigned i = 0; i < m->o.concurrency && s == NULL; i++)
		if (!x->slots[i].used)
			s = &x->slots[i];
	if (s == NULL)
		return EM_ERANGE;
	if ((body = model_body(m, r)) == NULL || (w = calloc(1, sizeof *w)) == NULL) {
		free(body);
		return EM_ENOMEM;
	}
	n = strlen(body);
	body[n] = '\n';		/* json_dumps leaves room: replace the NUL */
	w->buf = body;
	w->req.data = x;
	b = uv_buf_init(body, (unsigned)(n + 1));
	if (uv_write(&w->req, (uv_stream_t *)&x->in, &b, 1, on_written) != 0) {
		free(body);
		free(w);
		return EM_EIO;
	}
	s->used = 1;
	s->id = r->id;
	s->deadline = uv_now(m->loop) + m->o.timeout_ms;
	return EM_OK;
}

static void
exec_close(model *m)
{
	struct execad *x = m->impl;

	kill_group(x);
	uv_close((uv_handle_t *)&x->in, NULL);
	uv_close((uv_handle_t *)&x->out, NULL);
	uv_close((uv_handle_t *)&x->tick, NULL);
	uv_close((uv_handle_t *)&x->proc, NULL);
}

static void
exec_free(model *m)
{
	struct execad *x = m->impl;

	free(x->slots);
	free(x->line);
	free(x);
}

static const struct model_ops exec_ops = { exec_submit, exec_close, exec_free };

em_err
model_exec_open(model *m, char *why, size_t cap)
{
	struct execad *x;
	uv_process_options_t po = { 0 };
	uv_stdio_container_t io[3];
	char *argv[4];
	int rc;

	if (m->o.exec_cmd == NULL || *m->o.exec_cmd == '\0') {
		snprintf(why, cap, "--exec: empty command");
		return EM_EINVAL;
	}
	if ((x = calloc(1, sizeof *x)) == NULL ||
	    (x->slots = calloc(m->o.concurrency, sizeof *x->slots)) == NULL) {
		free(x);
		return EM_ENOMEM;
	}
	x->m = m;
	uv_pipe_init(m->loop, &x->in, 0);
	uv_pipe_init(m->loop, &x->out, 0);
	uv_timer_init(m->loop, &x->tick);
	x->in.data = x->out.data = x->tick.data = x->proc.data = x;
	io[0].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
	io[0].data.stream = (uv_stream_t *)&x->in;
	io[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	io[1].data.stream = (uv_stream_t *)&x->out;
	io[2].flags = UV_INHERIT_FD;
	io[2].data.fd = 2;
	argv[0] = "/bin/sh";
	argv[1] = "-c";
	argv[2] = (char *)(uintptr_t)m->o.exec_cmd;
	argv[3] = NULL;
	po.file = argv[0];
	po.args = argv;
	po.stdio = io;
	po.stdio_count = 3;
	po.exit_cb = on_exit_cb;
	po.flags = UV_PROCESS_DETACHED;	/* its own process group: kill_group */
	m->impl = x;
	m->ops = &exec_ops;
	if ((rc = uv_spawn(m->loop, &x->proc, &po)) != 0) {
		snprintf(why, cap, "--exec: cannot start /bin/sh: %s", uv_strerror(rc));
		uv_close((uv_handle_t *)&x->in, NULL);
		uv_close((uv_handle_t *)&x->out, NULL);
		uv_close((uv_handle_t *)&x->tick, NULL);
		uv_close((uv_handle_t *)&x->proc, NULL);
		uv_run(m->loop, UV_RUN_NOWAIT);
		exec_free(m);
		return EM_EIO;
	}
	x->running = 1;
	uv_read_start((uv_stream_t *)&x->out, on_alloc, on_read);
	uv_timer_start(&x->tick, on_tick, 100, 100);
	return EM_OK;
}

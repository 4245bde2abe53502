/* The control socket: the CLI asks, the node answers (see control.h). */
#include "daemon_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "clock.h"
#include "control.h"
#include "hex.h"
#include "log.h"


/* A connection being answered, in d->clients (at most
 * CONTROL_CLIENTS_MAX). Its memory goes when both handles have closed. */
struct ctl_client {
	uv_pipe_t	 pipe;
	uv_timer_t	 timer;		/* the idle deadline */
	uv_write_t	 wreq;
	daemon_state	*d;
	uint64_t	 last;		/* daemon_mono: when it connected */
	int		 closing, handles;
	char		*answer;
	size_t		 len;
	struct ctl_client *next;
	char		 buf[CONTROL_REQUEST_MAX];
};
typedef struct ctl_client client;

#define STR_(x)	#x
#define STR(x)	STR_(x)

/* What a connection over the cap is told, before it is closed. */
static const char busy[] = "{\"error\": \"busy: " STR(CONTROL_CLIENTS_MAX)
    " control connections are open, the most it answers at once; try again when they close\"}";

/* The gossip core's counters (gossip.h): records and duplicates by the
 * path they came by, and reconciliation sessions. */
static json_t *
gossip_json(daemon_state *d)
{
	gossip_stats g;

	gossip_get_stats(d->g, &g);
	return json_pack("{s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I}, s:I, s:{s:I, s:I, s:I, "
	    "s:I, s:I, s:I, s:I}, s:I, s:I, s:f, s:I}",
	    "received", "push", (json_int_t)g.received[WIRE_PUSH],
	    "graft", (json_int_t)g.received[WIRE_GRAFT], "sync", (json_int_t)g.received[WIRE_SYNC],
	    "duplicates", "push", (json_int_t)g.duplicates[WIRE_PUSH],
	    "graft", (json_int_t)g.duplicates[WIRE_GRAFT],
	    "sync", (json_int_t)g.duplicates[WIRE_SYNC],
	    "sync_pushed", (json_int_t)g.sync_pushed,
	    "sessions", "started", (json_int_t)g.sessions_started,
	    "answered", (json_int_t)g.sessions_answered,
	    "completed", (json_int_t)g.sessions_completed,
	    "stopped", (json_int_t)g.sessions_stopped, "refused", (json_int_t)g.sessions_refused,
	    "failed", (json_int_t)g.sessions_failed,
	    "unanswered", (json_int_t)g.sessions_unanswered,
	    "recon_bytes_in", (json_int_t)g.recon_bytes_in,
	    "recon_bytes_out", (json_int_t)g.recon_bytes_out,
	    "walks", g.walks_milli / 1000.0, "ae_period_ms", (json_int_t)g.ae_period_ms);
}

static json_t *
status(daemon_state *d)
{
	uint8_t digest[32];
	uint64_t records = 0, sync = gossip_last_sync(d->g), mono = daemon_mono(d);
	uint32_t connected = 0;
	char t[32];
	json_t *o;

	/* the gossip core runs on daemon_mono; its last sync is shown as a
	 * wall time, converted here for the display only */
	if (sync != 0)
		sync = timing_wall_of(sync, mono, daemon_now(d));
	host_commit(d);
	for (conn *c = d->conns; c != NULL; c = c->next)
		connected += c->ready && !c->closing;
	store_count(d->st, &records);
	store_digest(d->st, digest);
	o = json_pack("{s:o, s:o, s:s, s:b, s:I, s:I, s:I, s:o, s:s*, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o}",
	    "id", daemon_json_id(d->pk), "network", daemon_json_id(d->netid),
	    "listen", d->o.listen, "running", 1,
	    "peers_connected", (json_int_t)connected, "peers_known", (json_int_t)addrbook_count(&d->book),
	    "records", (json_int_t)records, "digest", daemon_json_id(digest),
	    "last_sync", sync ? em_time_iso(sync, t, sizeof t) : NULL,
	    "uptime_s", (json_int_t)timing_uptime_s(d->started, mono),
	    "records_received", (json_int_t)d->records_in,
	    "records_announced", (json_int_t)d->records_out,
	    "chunks_wanted", (json_int_t)d->n_wants, "chunks_received", (json_int_t)d->chunks_in,
	    "chunks_served", (json_int_t)d->chunks_out, "auto_eval", auto_status(d),
	    "fetch", fetch_status(d), "task_records", intake_status(d));
	if (o != NULL)
		json_object_set_new(o, "gossip", gossip_json(d));
	return o;
}

static json_t *
bans(daemon_state *d)
{
	json_t *arr = json_array();
	char t[32];

	/* the bans that hold, as dial_banned decides (on daemon_mono); each
	 * with its end as a wall time */
	for (size_t i = 0; i < d->n_bans; i++) {
		ban_entry *b = &d->bans[i];

		if (!dial_ban_holds(d, b))
			continue;
		json_array_append_new(arr, json_pack("{s:s, s:o, s:s}", "host", b->host,
		    "id", b->has_id ? daemon_json_id(b->id) : json_null(),
		    "until", em_time_iso(b->until, t, sizeof t)));
	}
	return arr;
}

static json_t *
peers(daemon_state *d)
{
	gossip_peer_info info[256];
	uint32_t n = gossip_peers(d->g, info, 256);
	json_t *arr = json_array();

	for (conn *c = d->conns; c != NULL; c = c->next) {
		json_t *o = json_pack("{s:s, s:s, s:b, s:I, s:I}", "addr", c->addr,
		    "state", c->ready ? "connected" : "handshake", "outbound", c->outbound,
		    "bytes_in", (json_int_t)c->bytes_in, "bytes_out", (json_int_t)c->bytes_out);

		if (c->ready)
			json_object_set_new(o, "id", daemon_json_id(c->id));
		for (uint32_t i = 0; i < n && i < 256; i++)
			if (info[i].peer == c->handle)
				json_object_set_new(o, "score", json_integer(info[i].score));
		json_array_append_new(arr, o);
	}
	for (size_t i = 0; i < AB_MAX; i++) {
		known *k = &d->book.e[i];
		int live = 0;

		if (!k->used)
			continue;
		for (conn *c = d->conns; c != NULL; c = c->next)
			live |= strcmp(c->addr, k->p.addr) == 0;
		if (live)
			continue;
		json_array_append_new(arr, json_pack("{s:s, s:o, s:s, s:s, s:I}",
		    "addr", k->p.addr, "id", k->p.has_id ? daemon_json_id(k->p.id) : json_null(),
		    "state", dial_banned(d, k->p.addr, NULL) ? "banned" : "known",
		    "table", store_peer_table_name(k->p.table), "fails", (json_int_t)k->p.fails));
	}
	return json_pack("{s:o, s:o}", "peers", arr, "bans", bans(d));
}

static json_t *
peers_add(daemon_state *d, json_t *req)
{
	const char *addr = json_string_value(json_object_get(req, "addr"));
	const char *why;

	if (addr == NULL || !addr_valid(addr))
		return json_pack("{s:s}", "error", "expected HOST:PORT");
	if (dial_add(d, addr, &why) == NULL)
		return json_pack("{s:s}", "error", why);
	dial_maintain(d);
	return json_pack("{s:b, s:s}", "ok", 1, "addr", addr);
}

static json_t *
peers_remove(daemon_state *d, json_t *req)
{
	const char *addr = json_string_value(json_object_get(req, "addr"));

	if (addr == NULL || dial_remove(d, addr) != 0)
		return json_pack("{s:s}", "error", "not a known peer's address (see 'evalmesh "
		    "peers')");
	return json_pack("{s:b, s:s}", "ok", 1, "addr", addr);
}

static json_t *
task_fetch(daemon_state *d, json_t *req)
{
	const char *hex = json_string_value(json_object_get(req, "task"));
	uint8_t id[32];

	if (hex == NULL || hex_decode(id, 32, hex) != EM_OK)
		return json_pack("{s:s}", "error", "expected a task id of 64 hex digits");
	return fetch_ask(d, id);
}

json_t *
control_answer(daemon_state *d, const char *line)
{
	json_error_t jerr;
	json_t *req = json_loads(line, 0, &jerr), *resp;
	const char *cmd = json_string_value(json_object_get(req, "cmd"));

	if (cmd == NULL)
		resp = json_pack("{s:s}", "error", "expected {\"cmd\": ...}");
	else if (strcmp(cmd, "status") == 0)
		resp = status(d);
	else if (strcmp(cmd, "peers") == 0)
		resp = peers(d);
	else if (strcmp(cmd, "peers_add") == 0)
		resp = peers_add(d, req);
	else if (strcmp(cmd, "peers_remove") == 0)
		resp = peers_remove(d, req);
	else if (strcmp(cmd, "task_fetch") == 0)
		resp = task_fetch(d, req);
	else
		resp = json_pack("{s:s}", "error", "unknown command");
	json_decref(req);
	return resp;
}

static void
on_client_closed(uv_handle_t *h)
{
	client *cl = h->data;

	if (--cl->handles > 0)
		return;
	free(cl->answer);
	free(cl);
}

/* Closes cl once (later calls do nothing), and takes it out of the
 * count: its descriptor goes with the pipe's close. */
static void
client_close(client *cl)
{
	daemon_state *d = cl->d;

	if (cl->closing)
		return;
	cl->closing = 1;
	for (client **p = &d->clients; *p != NULL; p = &(*p)->next)
		if (*p == cl) {
			*p = cl->next;
			break;
		}
	d->n_clients--;
	cl->handles = 2;
	uv_close((uv_handle_t *)&cl->pipe, on_client_closed);
	uv_close((uv_handle_t *)&cl->timer, on_client_closed);
}

/* The timer waits on the loop's time, the deadline is kept on the
 * daemon's clock: early by that clock, it waits the rest. */
static void
on_client_idle(uv_timer_t *t)
{
	client *cl = t->data;
	uint64_t left = timing_control_left(cl->last, daemon_mono(cl->d));

	if (left > 0)
		uv_timer_start(&cl->timer, on_client_idle, left, 0);
	else
		client_close(cl);
}

static void
on_answered(uv_write_t *req, int status)
{
	client *cl = req->data;

	(void)status;	/* written, failed or cancelled: done with it */
	client_close(cl);
}

static void
on_client_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	client *cl = h->data;

	(void)suggested;
	buf->base = cl->buf + cl->len;
	buf->len = sizeof cl->buf - 1 - cl->len;
}

static void
on_client_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	client *cl = s->data;
	json_t *resp;
	uv_buf_t out;

	(void)buf;
	if (n < 0 || (n == 0 && cl->len == sizeof cl->buf - 1)) {
		client_close(cl);
		return;
	}
	/* no new deadline for a byte: a client that drips its request a
	 * byte at a time (a slowloris) would hold its slot for ever */
	cl->len += (size_t)n;
	cl->buf[cl->len] = 0;
	if (strchr(cl->buf, '\n') == NULL) {
		if (cl->len == sizeof cl->buf - 1)	/* a request that never ends */
			client_close(cl);
		return;
	}
	uv_read_stop(s);
	resp = control_answer(cl->d, cl->buf);
	cl->answer = json_dumps(resp, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(resp);
	if (cl->answer == NULL) {
		client_close(cl);
		return;
	}
	/* the idle deadline runs on while the answer is written: a client
	 * that does not read it is closed like one that does not ask */
	out = uv_buf_init(cl->answer, (unsigned)strlen(cl->answer));
	cl->wreq.data = cl;
	if (uv_write(&cl->wreq, s, &out, 1, on_answered) != 0)
		client_close(cl);
}

/* Over the cap: accepted (a connection left waiting in the backlog would
 * hold the listener), told why, and closed at once. The answer is short
 * and the socket new: it fits the socket's buffer, or is not sent. */
static void
refuse(daemon_state *d, uv_stream_t *server)
{
	uv_pipe_t *p = malloc(sizeof *p);
	uv_buf_t b = uv_buf_init((char *)busy, sizeof busy - 1);

	if (p == NULL)
		return;
	uv_pipe_init(d->loop, p, 0);
	if (uv_accept(server, (uv_stream_t *)p) == 0 &&
	    uv_try_write((uv_stream_t *)p, &b, 1) != (int)b.len)
		log_debug("control: a refused client was not told why");
	uv_close((uv_handle_t *)p, (uv_close_cb)free);
}

static void
on_control(uv_stream_t *server, int status)
{
	daemon_state *d = server->data;
	client *cl;

	if (status < 0)
		return;
	if (d->n_clients >= CONTROL_CLIENTS_MAX) {
		log_debug("control: %d connections open, refusing one", CONTROL_CLIENTS_MAX);
		refuse(d, server);
		return;
	}
	if ((cl = calloc(1, sizeof *cl)) == NULL) {
		refuse(d, server);	/* told it is busy: near enough */
		return;
	}
	cl->d = d;
	cl->last = daemon_mono(d);
	uv_pipe_init(d->loop, &cl->pipe, 0);
	uv_timer_init(d->loop, &cl->timer);
	cl->pipe.data = cl->timer.data = cl;
	cl->next = d->clients;
	d->clients = cl;
	d->n_clients++;
	if (uv_accept(server, (uv_stream_t *)&cl->pipe) != 0) {
		client_close(cl);
		return;
	}
	uv_timer_start(&cl->timer, on_client_idle, CONTROL_IDLE_MS, 0);
	uv_read_start((uv_stream_t *)&cl->pipe, on_client_alloc, on_client_read);
}

/* The home's lock for the life of the node: 0, or -1 logged. */
static int
lock_home(daemon_state *d)
{
	char path[sizeof d->control_path];
	int fd;

	if ((size_t)snprintf(path, sizeof path, "%s/%s", d->home, CONTROL_LOCK) >= sizeof path) {
		log_error("home path too long: %s", d->home);
		return -1;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
		log_error("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			log_error("a node is already running for %s (%s is locked)", d->home, path);
		else
			log_error("cannot lock %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	d->lock_fd = fd;
	return 0;
}

int
control_start(daemon_state *d)
{
	mode_t old;
	int err;

	d->lock_fd = -1;
	snprintf(d->control_path, sizeof d->control_path, "%s/%s", d->home, CONTROL_SOCKET);
	if (strlen(d->control_path) >= 100) {
		log_error("home path too long for a control socket: %s", d->control_path);
		return -1;
	}
	if (lock_home(d) != 0)
		return -1;
	/* a node of an older build holds no lock: its socket still answers */
	if (control_alive(d->control_path)) {
		log_error("a node is already running for %s", d->home);
		return -1;
	}
	unlink(d->control_path);	/* left by a node that died */
	uv_pipe_init(d->loop, &d->control, 0);
	d->control.data = d;
	old = umask(077);	/* the socket is born 0600 */
	err = uv_pipe_bind(&d->control, d->control_path);
	umask(old);
	if (err == 0)
		err = uv_listen((uv_stream_t *)&d->control, 16, on_control);
	if (err != 0 || chmod(d->control_path, 0600) != 0) {
		log_error("cannot open the control socket %s: %s", d->control_path,
		    err ? uv_strerror(err) : "chmod failed");
		return -1;
	}
	return 0;
}

void
control_stop(daemon_state *d)
{
	if (!uv_is_closing((uv_handle_t *)&d->control))
		uv_close((uv_handle_t *)&d->control, NULL);
	while (d->clients != NULL)
		client_close(d->clients);
	if (d->lock_fd < 0)
		return;		/* another node's socket, or none */
	unlink(d->control_path);
	close(d->lock_fd);	/* the lock goes with it */
	d->lock_fd = -1;
}

int
control_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { CONTROL_TIMEOUT_S, 0 };
	int fd, e;

	if (strlen(path) >= sizeof sa.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
control_alive(const char *path)
{
	int fd = control_connect(path);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

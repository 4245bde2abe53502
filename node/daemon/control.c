/* The control socket: the CLI asks, the node answers (see control.h). */
#include "daemon_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
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


typedef struct client {
	uv_pipe_t	 pipe;
	uv_write_t	 wreq;
	daemon_state	*d;
	char		*answer;
	size_t		 len;
	char		 buf[CONTROL_REQUEST_MAX];
} client;

static json_t *
status(daemon_state *d)
{
	uint8_t digest[32];
	uint64_t records = 0, sync = gossip_last_sync(d->g), mono = daemon_mono(d);
	uint32_t connected = 0;
	char t[32];

	/* the gossip core runs on daemon_mono; its last sync is shown as a
	 * wall time, converted here for the display only */
	if (sync != 0)
		sync = timing_wall_of(sync, mono, daemon_now(d));
	host_commit(d);
	for (conn *c = d->conns; c != NULL; c = c->next)
		connected += c->ready && !c->closing;
	store_count(d->st, &records);
	store_digest(d->st, digest);
	return json_pack("{s:o, s:o, s:s, s:b, s:I, s:I, s:I, s:o, s:s*, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
	    "id", daemon_json_id(d->pk), "network", daemon_json_id(d->netid),
	    "listen", d->o.listen, "running", 1,
	    "peers_connected", (json_int_t)connected, "peers_known", (json_int_t)addrbook_count(&d->book),
	    "records", (json_int_t)records, "digest", daemon_json_id(digest),
	    "last_sync", sync ? em_time_iso(sync, t, sizeof t) : NULL,
	    "uptime_s", (json_int_t)timing_uptime_s(d->started, mono),
	    "records_received", (json_int_t)d->records_in,
	    "records_announced", (json_int_t)d->records_out,
	    "chunks_wanted", (json_int_t)d->n_wants, "chunks_received", (json_int_t)d->chunks_in,
	    "chunks_served", (json_int_t)d->chunks_out, "auto_eval", auto_status(d));
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
	struct sockaddr_storage ss;
	const char *why;

	if (addr == NULL || addr_parse(addr, &ss) != 0)
		return json_pack("{s:s}", "error", "expected HOST:PORT with a numeric host");
	if (dial_add(d, addr, &why) == NULL)
		return json_pack("{s:s}", "error", why);
	dial_maintain(d);
	return json_pack("{s:b, s:s}", "ok", 1, "addr", addr);
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
	else
		resp = json_pack("{s:s}", "error", "unknown command");
	json_decref(req);
	return resp;
}

static void
on_client_closed(uv_handle_t *h)
{
	client *cl = h->data;

	free(cl->answer);
	free(cl);
}

static void
on_answered(uv_write_t *req, int status)
{
	client *cl = req->data;

	(void)status;
	uv_close((uv_handle_t *)&cl->pipe, on_client_closed);
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
		uv_close((uv_handle_t *)&cl->pipe, on_client_closed);
		return;
	}
	cl->len += (size_t)n;
	cl->buf[cl->len] = 0;
	if (strchr(cl->buf, '\n') == NULL) {
		if (cl->len == sizeof cl->buf - 1)	/* a request that never ends */
			uv_close((uv_handle_t *)&cl->pipe, on_client_closed);
		return;
	}
	uv_read_stop(s);
	resp = control_answer(cl->d, cl->buf);
	cl->answer = json_dumps(resp, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(resp);
	if (cl->answer == NULL) {
		uv_close((uv_handle_t *)&cl->pipe, on_client_closed);
		return;
	}
	out = uv_buf_init(cl->answer, (unsigned)strlen(cl->answer));
	cl->wreq.data = cl;
	if (uv_write(&cl->wreq, s, &out, 1, on_answered) != 0)
		uv_close((uv_handle_t *)&cl->pipe, on_client_closed);
}

static void
on_control(uv_stream_t *server, int status)
{
	daemon_state *d = server->data;
	client *cl;

	if (status < 0 || (cl = calloc(1, sizeof *cl)) == NULL)
		return;
	cl->d = d;
	uv_pipe_init(d->loop, &cl->pipe, 0);
	cl->pipe.data = cl;
	if (uv_accept(server, (uv_stream_t *)&cl->pipe) != 0) {
		uv_close((uv_handle_t *)&cl->pipe, on_client_closed);
		return;
	}
	uv_read_start((uv_stream_t *)&cl->pipe, on_client_alloc, on_client_read);
}

int
control_start(daemon_state *d)
{
	mode_t old;
	int err;

	snprintf(d->control_path, sizeof d->control_path, "%s/%s", d->home, CONTROL_SOCKET);
	if (strlen(d->control_path) >= 100) {
		log_error("home path too long for a control socket: %s", d->control_path);
		return -1;
	}
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
	unlink(d->control_path);
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

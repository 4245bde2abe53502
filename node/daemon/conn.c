/* Peer connections: TCP, the secure session, message dispatch, limits.
 * A connection that sends garbage, stalls or exceeds a limit is closed
 * without touching the others. */
#include "daemon_impl.h"

#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "log.h"

#define READ_CHUNK	(64 * 1024)

struct wreq {
	uv_write_t	 req;
	conn		*c;
	size_t		 len;
	uint8_t		 data[];
};

conn *
conn_by_handle(daemon_state *d, uint32_t handle)
{
	for (conn *c = d->conns; c != NULL; c = c->next)
		if (c->handle == handle)
			return c;
	return NULL;
}

static void
unlink_conn(conn *c)
{
	for (conn **p = &c->d->conns; *p != NULL; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			return;
		}
}

/* Both handles (tcp, timer) close before the memory goes. */
static void
on_closed(uv_handle_t *h)
{
	conn *c = h->data;

	if (--c->handles > 0)
		return;
	session_free(c->sess);
	free(c);
}

void
conn_close(conn *c, const char *why)
{
	daemon_state *d = c->d;

	if (c->closing)
		return;
	c->closing = 1;
	if (c->ready)
		log_info("peer %s: closed: %s", c->addr, why);
	else
		log_debug("peer %s: closed before the handshake finished: %s", c->addr, why);
	if (c->gossip_up)
		gossip_peer_down(d->g, c->handle);
	if (c->outbound) {
		d->n_out--;
		int i = addrbook_find(&d->book, c->addr);

		if (i >= 0) {
			dial_result(d, &d->book.e[i], c->ready, NULL);
			d->book.e[i].dialing = 0;
		}
	} else {
		d->n_in--;
	}
	unlink_conn(c);
	c->gossip_up = 0;
	c->handles = 2;
	uv_close((uv_handle_t *)&c->tcp, on_closed);
	uv_close((uv_handle_t *)&c->timer, on_closed);
}

static void
on_written(uv_write_t *req, int status)
{
	struct wreq *w = (struct wreq *)req;

	w->c->queued -= w->len;
	if (status < 0 && status != UV_ECANCELED)
		conn_close(w->c, uv_strerror(status));
	free(w);
}

/* Encodes m (if not NULL) into the session, then writes what it queued. */
void
conn_send(conn *c, const wire_msg *m)
{
	const uint8_t *p;
	size_t len;
	struct wreq *w;
	uv_buf_t buf;
	em_err err;

	if (c->closing)
		return;
	if (m != NULL) {
		uint8_t *enc;
		size_t elen;

		if (wire_encode(m, &enc, &elen) != EM_OK)
			return;
		err = session_send(c->sess, enc, elen);
		free(enc);
		if (err != EM_OK) {
			conn_close(c, em_strerror(err));
			return;
		}
	}
	p = session_pending(c->sess, &len);
	if (len == 0)
		return;
	/* a peer that does not read costs itself, not our memory */
	if (c->queued + len > WRITE_QUEUE_MAX) {
		conn_close(c, "peer does not read: write queue full");
		return;
	}
	if ((w = malloc(sizeof *w + len)) == NULL) {
		conn_close(c, "out of memory");
		return;
	}
	w->c = c;
	w->len = len;
	memcpy(w->data, p, len);
	session_written(c->sess, len);
	buf = uv_buf_init((char *)w->data, (unsigned)len);
	c->queued += len;
	c->bytes_out += len;
	if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, on_written) != 0) {
		c->queued -= len;
		free(w);
		conn_close(c, "write failed");
	}
}

static void
send_hello(conn *c)
{
	static wire_msg m;	/* a peers message is large for the stack */

	memset(&m, 0, sizeof m);
	m.type = WIRE_HELLO;
	m.u.hello.version = WIRE_VERSION;
	m.u.hello.caps = 0;
	snprintf(m.u.hello.listen, sizeof m.u.hello.listen, "%s",
	    c->d->o.advertise[0] ? c->d->o.advertise : c->d->o.listen);
	conn_send(c, &m);
	dial_peers_msg(c->d, &m);
	if (m.u.peers.n > 0)
		conn_send(c, &m);
}

/* The handshake finished: the peer's node id is proven. */
static void
on_ready(conn *c)
{
	daemon_state *d = c->d;
	char hex[ID_HEX_LEN + 1];

	c->ready = 1;
	memcpy(c->id, session_peer(c->sess), 32);
	hex_encode(hex, c->id, 32);
	uv_timer_stop(&c->timer);
	if (dial_banned(d, NULL, c->id)) {
		conn_close(c, "banned");
		return;
	}
	for (conn *o = d->conns; o != NULL; o = o->next)
		if (o != c && o->ready && !o->closing && memcmp(o->id, c->id, 32) == 0) {
			conn_close(c, "already connected to this node");
			return;
		}
	log_info("peer %s: connected, node %s (%s)", c->addr, hex,
	    c->outbound ? "outbound" : "inbound");
	if (c->outbound)
		dial_good(d, c->addr, c->id);
	if (gossip_peer_up(d->g, c->handle, daemon_mono(d)) == EM_OK)
		c->gossip_up = 1;
	send_hello(c);
}

/* A peer that speaks another wire version (wire.h) is not misbehaving:
 * both ends are told which versions met, and the connection closes
 * without a penalty or a ban. */
static void
other_version(conn *c, uint32_t theirs)
{
	wire_msg *bye = calloc(1, sizeof *bye);
	char why[WIRE_REASON_MAX + 1];

	snprintf(why, sizeof why, "wire version %u expected, got %u", WIRE_VERSION,
	    (unsigned)theirs);
	log_warn("peer %s: speaks wire version %u, this node %u: upgrade the older one",
	    c->addr, (unsigned)theirs, WIRE_VERSION);
	if (bye != NULL) {
		bye->type = WIRE_BYE;
		snprintf(bye->u.reason, sizeof bye->u.reason, "%s", why);
		conn_send(c, bye);
		free(bye);
	}
	conn_close(c, why);
}

static void
on_message(conn *c, const uint8_t *msg, size_t len)
{
	daemon_state *d = c->d;
	wire_msg *m = malloc(sizeof *m);	/* large: keep it off the stack */

	if (m == NULL)
		return;
	if (!gossip_admit(d->g, c->handle, daemon_mono(d))) {
		free(m);	/* over its rate: dropped, and the peer pays */
		return;
	}
	if (wire_decode(msg, len, m) != EM_OK) {
		gossip_penalize(d->g, c->handle, PENALTY_MALFORMED, "malformed message");
		free(m);
		return;
	}
	switch (m->type) {
	case WIRE_HELLO:
		if (m->u.hello.version != WIRE_VERSION) {
			other_version(c, m->u.hello.version);
			break;
		}
		if (m->u.hello.listen[0] && !c->outbound)
			dial_heard(d, c->addr, m->u.hello.listen, c->id);
		snprintf(c->listen, sizeof c->listen, "%s", m->u.hello.listen);
		break;
	case WIRE_PEERS:
		dial_on_peers(d, c, m);
		break;
	case WIRE_PING:
		m->type = WIRE_PONG;
		conn_send(c, m);
		break;
	case WIRE_PONG:
		break;
	case WIRE_CHUNK_WANT:
		fetch_on_want(d, c, m);
		break;
	case WIRE_CHUNK:
		fetch_on_chunk(d, c, m);
		break;
	case WIRE_BYE:
		conn_close(c, m->u.reason[0] ? m->u.reason : "peer said bye");
		break;
	default:
		d->cur = c;
		d->cur_equivocated = 0;
		gossip_recv(d->g, c->handle, m, daemon_mono(d));
		d->cur = NULL;
		/* an author that signs two records for one seq and sends both
		 * itself is not relaying evidence: it is lying */
		if (d->cur_equivocated)
			gossip_penalize(d->g, c->handle, GOSSIP_BAN_SCORE, "equivocated");
	}
	free(m);
}

static void
on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)h;
	(void)suggested;
	buf->base = malloc(READ_CHUNK);
	buf->len = buf->base ? READ_CHUNK : 0;
}

/* A session error before the handshake is a stranger (wrong network key,
 * garbage); after it, a peer breaking the protocol, which is banned. */
static void
session_failed(conn *c, em_err err)
{
	if (c->ready)
		dial_ban(c->d, c->addr, c->id);
	conn_close(c, err == EM_EINVAL ? "not the node known at this address, or ourselves"
	    : err == EM_ECRYPTO && !c->ready ? "handshake failed (another network key?)"
	    : em_strerror(err));
}

static void
on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	conn *c = s->data;
	size_t off = 0;

	if (n < 0) {
		conn_close(c, n == UV_EOF ? "connection closed" : uv_strerror((int)n));
		free(buf->base);
		return;
	}
	c->bytes_in += (size_t)n;
	c->last_rx = daemon_mono(c->d);
	while (off < (size_t)n && !c->closing) {
		const uint8_t *msg;
		size_t used, mlen;
		em_err err = session_feed(c->sess, (uint8_t *)buf->base + off, (size_t)n - off, &used);
		int was_ready = c->ready;

		off += used;
		if (err != EM_OK) {
			session_failed(c, err);
			break;
		}
		conn_send(c, NULL);	/* handshake replies */
		if (!was_ready && session_ready(c->sess) && !c->closing)
			on_ready(c);
		while (!c->closing && session_next(c->sess, &msg, &mlen))
			on_message(c, msg, mlen);
	}
	free(buf->base);
	host_commit(c->d);
	gossip_flush(c->d->g);
}

/* The timer waits on the loop's time, the deadline is kept on the
 * daemon's clock: if the timer is early by that clock, it waits the rest. */
static void
on_deadline(uv_timer_t *t)
{
	conn *c = t->data;
	uint64_t left;

	if (c->ready || c->closing)
		return;
	if ((left = timing_handshake_left(c->since, daemon_mono(c->d), c->d->o.handshake_ms)) > 0)
		uv_timer_start(&c->timer, on_deadline, left, 0);
	else
		conn_close(c, "handshake deadline passed");
}

static conn *
conn_new(daemon_state *d, int outbound, const uint8_t *expect)
{
	conn *c = calloc(1, sizeof *c);

	if (c == NULL)
		return NULL;
	c->d = d;
	c->outbound = outbound;
	c->handle = ++d->next_handle;
	c->since = c->last_rx = c->addr_at = daemon_mono(d);
	c->addr_tokens = AB_PEER_BURST;
	if (session_new(outbound, d->me, d->netkey, expect, WIRE_MSG_MAX, &c->sess) != EM_OK) {
		free(c);
		return NULL;
	}
	uv_tcp_init(d->loop, &c->tcp);
	uv_timer_init(d->loop, &c->timer);
	c->tcp.data = c->timer.data = c;
	c->next = d->conns;
	d->conns = c;
	if (outbound)
		d->n_out++;
	else
		d->n_in++;
	uv_timer_start(&c->timer, on_deadline, d->o.handshake_ms, 0);
	return c;
}

/* No delay for small messages; a receive buffer of o.recv_buffer (32 KiB
 * unless --recv-buffer-kb says otherwise), not the
 * megabytes the kernel would grow it to, so that a peer that is slow to
 * read holds our data back at our end (host.c's backlog), where pushes
 * can still be dropped, rather than in its buffer, where it reads them
 * all seconds later as duplicates. */
static void
peer_socket(conn *c)
{
	int size = (int)c->d->o.recv_buffer;

	uv_tcp_nodelay(&c->tcp, 1);
	if (size > 0)	/* 0: the kernel's autotuning, for long round trips */
		uv_recv_buffer_size((uv_handle_t *)&c->tcp, &size);
}

static void
on_accept(uv_stream_t *server, int status)
{
	daemon_state *d = server->data;
	struct sockaddr_storage ss;
	int len = sizeof ss;
	char ip[64] = "?";
	conn *c;

	if (status < 0)
		return;
	if (d->n_in >= d->o.max_in || (c = conn_new(d, 0, NULL)) == NULL) {
		uv_tcp_t *t = malloc(sizeof *t);	/* take it, then hang up */

		if (t == NULL)
			return;
		uv_tcp_init(d->loop, t);
		if (uv_accept(server, (uv_stream_t *)t) == 0)
			log_debug("inbound limit (%u) reached: refusing a connection", d->o.max_in);
		uv_close((uv_handle_t *)t, (uv_close_cb)free);
		return;
	}
	if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
		conn_close(c, "accept failed");
		return;
	}
	peer_socket(c);
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
		int port;

		if (ss.ss_family == AF_INET6) {
			uv_ip6_name((struct sockaddr_in6 *)&ss, ip, sizeof ip);
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
			snprintf(c->addr, sizeof c->addr, "[%s]:%d", ip, port);
		} else {
			uv_ip4_name((struct sockaddr_in *)&ss, ip, sizeof ip);
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
			snprintf(c->addr, sizeof c->addr, "%s:%d", ip, port);
		}
	}
	if (dial_banned(d, ip, NULL)) {
		conn_close(c, "address banned");
		return;
	}
	uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

static void
on_connect(uv_connect_t *req, int status)
{
	conn *c = req->data;

	free(req);
	if (c->closing)
		return;
	if (status < 0) {
		conn_close(c, uv_strerror(status));
		return;
	}
	peer_socket(c);
	uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
	conn_send(c, NULL);	/* -> e */
}

void
conn_dial(daemon_state *d, known *k, const struct sockaddr *sa)
{
	uv_connect_t *req = malloc(sizeof *req);
	conn *c = req ? conn_new(d, 1, k->p.has_id ? k->p.id : NULL) : NULL;

	if (c == NULL) {
		free(req);
		k->dialing = 0;
		return;
	}
	snprintf(c->addr, sizeof c->addr, "%s", k->p.addr);
	req->data = c;
	if (uv_tcp_connect(req, &c->tcp, sa, on_connect) != 0) {
		free(req);
		conn_close(c, "cannot connect");
	}
}

int
conn_listen(daemon_state *d)
{
	struct sockaddr_storage ss;
	int err;

	if (addr_parse(d->o.listen, &ss) != 0) {
		log_error("--listen '%s': expected HOST:PORT with a numeric host", d->o.listen);
		return -1;
	}
	uv_tcp_init(d->loop, &d->listener);
	d->listener.data = d;
	if ((err = uv_tcp_bind(&d->listener, (struct sockaddr *)&ss, 0)) != 0 ||
	    (err = uv_listen((uv_stream_t *)&d->listener, 128, on_accept)) != 0) {
		log_error("cannot listen on %s: %s", d->o.listen, uv_strerror(err));
		return -1;
	}
	return 0;
}

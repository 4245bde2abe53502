/* The node daemon's loop: setup, timers, signals, shutdown. */
#include "daemon_impl.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "hex.h"
#include "log.h"

#define TICK_MS		50
#define MAINT_MS	1000

uint64_t
daemon_mono(daemon_state *d)
{
	return em_mono_ms(d->clock);
}

uint64_t
daemon_now(daemon_state *d)
{
	return em_wall_ms(d->clock);
}

json_t *
daemon_json_id(const uint8_t id[static 32])
{
	char hex[ID_HEX_LEN + 1];

	hex_encode(hex, id, 32);
	return json_string(hex);
}

static void
on_tick(uv_timer_t *t)
{
	daemon_state *d = t->data;

	gossip_tick(d->g, daemon_mono(d));
	fetch_answer_all(d);	/* chunks that waited for a peer's budget */
	host_commit(d);
	if (++d->ticks % 4 == 0) {	/* records CLI commands stored: out within 200 ms */
		answer_tick(d);
		host_poll(d);
	}
}

/* Peer exchange: besides the one at each handshake, now and then, so
 * that addresses learnt later spread too. */
static void
exchange(daemon_state *d)
{
	wire_msg *m = malloc(sizeof *m);

	if (m == NULL)
		return;
	dial_peers_msg(d, m);
	for (conn *c = d->conns; c != NULL && m->u.peers.n > 0; c = c->next)
		if (c->ready && !c->closing)
			conn_send(c, m);
	free(m);
}

static void
on_maint(uv_timer_t *t)
{
	daemon_state *d = t->data;
	uint64_t now = daemon_mono(d);
	wire_msg ping = { .type = WIRE_PING };

	dial_maintain(d);
	if (timing_exchange_due(++d->maints))
		exchange(d);
	if (timing_scan_due(d->maints))
		fetch_scan(d);
	else
		fetch_send(d);
	auto_tick(d);
	for (conn *c = d->conns, *next; c != NULL; c = next) {
		next = c->next;
		if (!c->ready || c->closing)
			continue;
		switch (timing_idle(c->last_rx, now)) {
		case TIMING_IDLE_DROP:
			conn_close(c, "silent for too long");
			break;
		case TIMING_IDLE_PING:
			ping.u.nonce = now;
			conn_send(c, &ping);
			break;
		case TIMING_IDLE_OK:
			break;
		}
	}
}

static void
on_walk_close(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void
stop(daemon_state *d, const char *why)
{
	wire_msg bye = { .type = WIRE_BYE };

	if (d->stopping)
		return;
	d->stopping = 1;
	log_info("stopping (%s)", why);
	auto_stop(d);	/* evaluations keep what they scored; their exit ends them */
	snprintf(bye.u.reason, sizeof bye.u.reason, "node shutting down");
	host_commit(d);
	host_poll(d);
	for (conn *c = d->conns, *next; c != NULL; c = next) {
		next = c->next;
		if (c->ready)
			conn_send(c, &bye);
		conn_close(c, "shutting down");
	}
	control_stop(d);
	uv_timer_stop(&d->tick);
	uv_timer_stop(&d->maint);
	uv_close((uv_handle_t *)&d->tick, NULL);
	uv_close((uv_handle_t *)&d->maint, NULL);
	uv_close((uv_handle_t *)&d->listener, NULL);
	uv_close((uv_handle_t *)&d->sigint, NULL);
	uv_close((uv_handle_t *)&d->sigterm, NULL);
}

static void
on_signal(uv_signal_t *s, int signum)
{
	stop(s->data, signum == SIGINT ? "SIGINT" : "SIGTERM");
}

static int
start(daemon_state *d)
{
	gossip_host gh;
	char num[32] = "0";

	host_init(d, &gh);
	if (gossip_new(&gh, NULL, &d->g) != EM_OK) {
		log_error("out of memory");
		return -1;
	}
	if (store_meta_get(d->st, "announced", num, sizeof num) == EM_OK)
		d->announced = strtoull(num, NULL, 10);
	if (conn_listen(d) != 0 || control_start(d) != 0 || auto_start(d, &d->o.autocfg) != 0)
		return -1;
	dial_load(d);
	uv_timer_init(d->loop, &d->tick);
	uv_timer_init(d->loop, &d->maint);
	d->tick.data = d->maint.data = d;
	uv_timer_start(&d->tick, on_tick, TICK_MS, TICK_MS);
	uv_timer_start(&d->maint, on_maint, 10, MAINT_MS);
	uv_signal_init(d->loop, &d->sigint);
	uv_signal_init(d->loop, &d->sigterm);
	d->sigint.data = d->sigterm.data = d;
	uv_signal_start(&d->sigint, on_signal, SIGINT);
	uv_signal_start(&d->sigterm, on_signal, SIGTERM);
	return 0;
}

em_err
daemon_run(const daemon_env *env, const daemon_opts *o)
{
	daemon_state *d = calloc(1, sizeof *d);
	char id[ID_HEX_LEN + 1], net[ID_HEX_LEN + 1];
	em_err err = EM_OK;

	if (d == NULL)
		return EM_ENOMEM;
	d->loop = uv_default_loop();
	d->lock_fd = -1;
	d->o = *o;
	d->home = env->home;
	d->st = env->st;
	d->me = env->me;
	d->clock = env->clock;
	memcpy(d->pk, env->pk, 32);
	memcpy(d->netid, env->netid, 32);
	memcpy(d->netkey, env->netkey, 32);
	d->started = daemon_mono(d);
	if (start(d) != 0) {
		err = EM_EIO;
		d->stopping = 1;
		uv_walk(d->loop, on_walk_close, NULL);
	} else {
		hex_encode(id, d->pk, 32);
		hex_encode(net, d->netid, 32);
		log_info("node %s listening on %s, network %s", id, o->listen, net);
		uv_run(d->loop, UV_RUN_DEFAULT);
	}
	uv_run(d->loop, UV_RUN_DEFAULT);	/* let close callbacks finish */
	host_commit(d);
	gossip_free(d->g);
	auto_free(d);
	fetch_free(d);
	intake_free(d);
	uv_loop_close(d->loop);
	hash_wipe(d->netkey, sizeof d->netkey);
	free(d->ours);
	free(d);
	if (err == EM_OK)
		log_info("stopped");
	return err;
}

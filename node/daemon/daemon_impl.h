/* node/daemon/daemon_impl.h — the daemon's insides, for its own files only.
 *
 *   daemon.c   setup, timers, signals, new local records, shutdown
 *   conn.c     TCP connections: secure session, framing, dispatch, limits
 *   dial.c     known peers: dialing with backoff, bans, peer exchange
 *   host.c     the gossip host: records checked and stored in batches
 *   fetch.c    task item chunks asked of peers and served to them
 *   control.c  the control socket the CLI talks to (control.h)
 *   auto.c     evaluating new tasks by itself (auto.h)
 *
 * Everything runs on the loop's thread. */
#ifndef EM_DAEMON_IMPL_H
#define EM_DAEMON_IMPL_H

#include <jansson.h>
#include <stdint.h>
#include <uv.h>

#include "daemon.h"
#include "gossip.h"
#include "session.h"
#include "timing.h"
#include "wire.h"

#define KNOWN_MAX	1024		/* addresses remembered */
#define PENDING_MAX	1024		/* records checked but not yet committed */
#define WRITE_QUEUE_MAX	(16u << 20)	/* bytes queued to one peer before it is dropped */
#define FETCH_MAX	256		/* task chunks wanted at once */
#define FETCH_PER_PEER	4		/* chunks asked of one peer at once */
#define FETCH_TIMEOUT_MS 10000		/* then asked of another peer */
#define FETCH_AGAIN_MS	500		/* after a peer said it lacks a chunk */

typedef struct conn conn;
typedef struct daemon_state daemon_state;

struct conn {
	daemon_state	*d;
	uv_tcp_t	 tcp;
	uv_timer_t	 timer;		/* handshake deadline */
	session		*sess;
	uint32_t	 handle;	/* the gossip peer handle */
	int		 outbound, ready, closing;
	int		 gossip_up;	/* gossip knows this peer */
	int		 handles;	/* open uv handles, while closing */
	char		 addr[256];	/* dialed address, or the remote ip:port */
	char		 listen[256];	/* the address the peer says it listens on */
	uint8_t		 id[32];
	uint64_t	 bytes_in, bytes_out;
	uint64_t	 since, last_rx;	/* daemon_mono: opened, last heard from */
	size_t		 queued;	/* bytes handed to uv_write, not yet written */
	uint32_t	 chunks_asked;	/* fetch.c: chunks asked of it, pending */
	conn		*next;
};

typedef struct known {			/* a peer address we may dial */
	store_peer	 p;
	uint64_t	 next_dial;	/* daemon_mono; 0: at once */
	int		 dialing;	/* a connection is being made or is up */
} known;

typedef struct ban_entry {	/* refused for a while, by host and by id */
	char		 host[256];
	uint8_t		 id[32];
	int		 has_id;
	uint64_t	 until;		/* daemon_now: its end, as shown */
	uint64_t	 ends;		/* daemon_mono: its end, as decided */
} ban_entry;

typedef struct daemon_pending {		/* checked, awaiting the batch commit */
	uint32_t	 from;		/* the peer that sent it, 0 if none */
	uint8_t		*bytes;
	size_t		 len;
	rec_env		 env;
} daemon_pending;

typedef struct chunk_want {		/* a task chunk we lack */
	int		 used;
	uint8_t		 hash[32];
	uint32_t	 hint;		/* the peer that sent the task record */
	uint32_t	 peer;		/* asked of, 0 if not asked yet */
	uint32_t	 tries;		/* asks so far: which peer is next */
	uint64_t	 asked_at;	/* ms */
	uint64_t	 again_at;	/* ms: not before, after a "lack" answer */
} chunk_want;

struct daemon_state {
	uv_loop_t	*loop;
	daemon_opts	 o;
	const char	*home;		/* env->home */
	store		*st;		/* env->st */
	const ident	*me;		/* env->me */
	uint8_t		 pk[32], netid[32];
	uint8_t		 netkey[32];	/* wiped at the end */
	const em_clock	*clock;
	gossip		*g;
	uv_tcp_t	 listener;
	uv_pipe_t	 control;
	uv_timer_t	 tick, maint;
	uv_signal_t	 sigint, sigterm;
	char		 control_path[128];	/* HOME/control.sock: a socket
						 * address holds 108 bytes */
	conn		*conns;
	uint32_t	 next_handle, n_in, n_out;
	known		 known[KNOWN_MAX];
	size_t		 n_known;
	ban_entry	 bans[256];
	size_t		 n_bans;
	daemon_pending	 pend[PENDING_MAX];
	size_t		 n_pend;
	uint8_t		 (*ours)[32];	/* ids we stored since the last poll */
	size_t		 n_ours, cap_ours;
	uint64_t	 announced;	/* local number announced up to */
	uint64_t	 started, records_in, records_out;
	uint32_t	 ticks, maints;
	chunk_want	 wants[FETCH_MAX];
	size_t		 n_wants;
	uint64_t	 chunks_in, chunks_out;
	struct auto_state *au;		/* auto-eval jobs, NULL when off */
	conn		*cur;		/* whose messages are being handled */
	int		 cur_equivocated;	/* ... and it signed two records for one seq */
	int		 stopping;
};

/* The two clocks, in ms, read from d->clock. daemon_mono never steps
 * back: dial backoff, bans, idle peers and the handshake deadline are
 * measured on it (timing.h). daemon_now is the wall clock: for what is
 * stored or shown (a peer's last_ok, a ban's until, uptime), and what
 * the gossip core runs on, since its last sync is shown. */
uint64_t daemon_mono(daemon_state *d);
uint64_t daemon_now(daemon_state *d);

/* An id as a JSON string of 64 hex digits (a new reference). */
json_t	*daemon_json_id(const uint8_t id[static 32]);

/* conn.c */
int	conn_listen(daemon_state *d);
void	conn_dial(daemon_state *d, known *k, const struct sockaddr *sa);
void	conn_send(conn *c, const wire_msg *m);
void	conn_close(conn *c, const char *why);
conn	*conn_by_handle(daemon_state *d, uint32_t handle);

/* fetch.c: task item chunks */
void	fetch_task(daemon_state *d, const rec_env *env, uint32_t from);
void	fetch_scan(daemon_state *d);
void	fetch_send(daemon_state *d);
void	fetch_on_want(daemon_state *d, conn *c, const wire_msg *m);
void	fetch_on_chunk(daemon_state *d, conn *c, const wire_msg *m);

/* dial.c */
int	addr_host(const char *addr, char *host, size_t cap);
void	dial_load(daemon_state *d);
known	*dial_learn(daemon_state *d, const char *addr, const uint8_t *id);
void	dial_maintain(daemon_state *d);
void	dial_result(daemon_state *d, known *k, int ok, const uint8_t *id);
void	dial_ban(daemon_state *d, const char *addr, const uint8_t *id);
int	dial_banned(daemon_state *d, const char *addr, const uint8_t *id);
/* Whether b still holds now (what dial_banned decides on; a list of the
 * bans shows those that hold). */
int	dial_ban_holds(daemon_state *d, const ban_entry *b);
void	dial_peers_msg(daemon_state *d, wire_msg *m);

/* host.c */
void	host_init(daemon_state *d, gossip_host *h);
void	host_commit(daemon_state *d);
void	host_poll(daemon_state *d);

/* control.c: the server end of control.h */
int	control_start(daemon_state *d);
void	control_stop(daemon_state *d);

/* auto.c: start, a maintenance step, stop (asks the children to stop;
 * they keep what they scored), and a status object (a new reference). */
int	auto_start(daemon_state *d, const auto_cfg *cfg);
void	auto_tick(daemon_state *d);
void	auto_stop(daemon_state *d);
void	auto_free(daemon_state *d);
json_t	*auto_status(daemon_state *d);

#endif

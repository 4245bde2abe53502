/* node/daemon/daemon.h — the node daemon: one libuv loop around the gossip
 * state machine, the store and the peer connections (the map of its files
 * is in daemon_impl.h). Everything runs on the calling thread.
 *
 * What the daemon writes to the user are log lines (common/log.h); it
 * never exits the process. */
#ifndef EM_DAEMON_H
#define EM_DAEMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "auto.h"
#include "clock.h"
#include "err.h"
#include "ident.h"
#include "store.h"

#define DAEMON_PEERS_MAX	64	/* --peer addresses */
#define DAEMON_ADDR_MAX		256	/* bytes of a "host:port", NUL included */
#define PEER_RCVBUF_KB		32	/* --recv-buffer-kb's default */

typedef struct daemon_opts {
	char		 listen[DAEMON_ADDR_MAX];	/* "host:port" */
	char		 advertise[DAEMON_ADDR_MAX];	/* what peers should dial, "" = listen */
	const char	*peers[DAEMON_PEERS_MAX];	/* --peer addresses (the caller's) */
	size_t		 n_peers;
	uint32_t	 max_in, max_out;	/* connection limits */
	uint32_t	 handshake_ms;		/* deadline for a handshake */
	/* each peer connection's receive buffer, bytes; 0: the kernel's own,
	 * which grows to megabytes (see conn.c's peer_socket) */
	uint32_t	 recv_buffer;
	auto_cfg	 autocfg;		/* evaluating by itself (auto.h) */
	int		 no_answer_audits;	/* 1: leave audits of our results
						 * unanswered (task_audit.h) */
} daemon_opts;

/* What the node runs on, all the caller's for the whole run. */
typedef struct daemon_env {
	const char	*home;		/* the home directory: its control socket
					 * (control.h) and auto-eval children's --home */
	store		*st;		/* the open store */
	const ident	*me;		/* the identity, with its secret key */
	const uint8_t	*pk;		/* our node id, 32 bytes */
	const uint8_t	*netid;		/* the network's id, 32 bytes */
	const uint8_t	*netkey;	/* the network key, 32 bytes (copied, and the
					 * copy wiped at the end) */
	const em_clock	*clock;		/* time and randomness (common/clock.h) */
} daemon_env;

/* Runs the node on libuv's default loop, blocking the calling thread
 * until SIGINT or SIGTERM (handlers installed for the run): one node per
 * process at a time. env and what it points to are borrowed for the
 * whole run (the network key is copied and the copy wiped at the end); o
 * is copied, its peers read at the start only. It listens on o->listen,
 * makes HOME/control.sock (removed at the end), writes records, chunks,
 * peers and its place in the store, and with o->autocfg on starts
 * `evalmesh eval` children (auto.h).
 *
 * Timing: every interval is read on env->clock's mono_ms, what is stored
 * or shown on its wall_ms, jitter from its rand. The loop's timers wait
 * real time for due times read on mono_ms, so that clock must advance
 * with real time.
 *
 * EM_OK after a clean stop. EM_ENOMEM if the node's state cannot be
 * allocated. EM_EIO if it cannot start — o->listen is not a numeric
 * address or the port is taken, another node runs on this home, the
 * control socket cannot be made, auto-eval cannot find this program, or
 * memory ran out while starting — with the reason logged as an error
 * line. */
em_err	daemon_run(const daemon_env *env, const daemon_opts *o);

/* Parses "HOST:PORT" (text, NUL-terminated, read during the call) into
 * *out, a sockaddr_in or sockaddr_in6 with the port set: HOST an IPv4 or
 * IPv6 address (a v6 one in brackets) or "localhost" (127.0.0.1); no
 * name lookups; PORT 1-65535. 0, or -1 if text is not such an address
 * (*out is then not to be used). */
int	addr_parse(const char *text, struct sockaddr_storage *out);

/* Whether text is an address a node can dial: addr_parse's form, and not
 * one that names no single host — 0.0.0.0/8, ::, multicast, 240.0.0.0/4
 * and the broadcast address, IPv6 link-local (which needs an interface)
 * (addrbook_group's rules for a peer's address). 1 if so, else 0. */
int	addr_dialable(const char *text);

/* Whether text is an address a peer may be given as: addr_dialable, or
 * a host name and a port — "eval.lab-b.example:7400": labels of letters,
 * digits and '-' (not first or last), 1 to 63 bytes each, 253 in all,
 * not all digits (RFC 1123) — resolved when it is dialed. 1 if so. */
int	addr_valid(const char *text);

#endif

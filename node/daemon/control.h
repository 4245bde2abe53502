/* node/daemon/control.h — the control protocol between the CLI and a
 * running node: both ends' contract.
 *
 * A Unix socket HOME/control.sock (mode 0600, so only the home's owner may
 * ask) carries one request per connection: a JSON object on one line of
 * at most CONTROL_REQUEST_MAX bytes; the node answers with one JSON object
 * (at most CONTROL_ANSWER_MAX bytes) and closes. Requests:
 *   {"cmd": "status"}              the node's id, network, listen address,
 *                                  counters, auto-eval jobs
 *   {"cmd": "peers"}               connections, known addresses (and
 *                                  their tables), bans
 *   {"cmd": "peers_add", "addr": "HOST:PORT"}   dial that address now
 * Every error comes back as {"error": "one line"}.
 *
 * The server end is the daemon's (control.c); the client end is the CLI's
 * (cli/ctl.c). */
#ifndef EM_CONTROL_H
#define EM_CONTROL_H

#define CONTROL_SOCKET		"control.sock"
#define CONTROL_REQUEST_MAX	65536		/* bytes in a request line */
#define CONTROL_ANSWER_MAX	(16u << 20)	/* bytes in an answer */
#define CONTROL_TIMEOUT_S	10		/* a client's send and receive timeouts */

/* Connects to the control socket at path (read during the call),
 * blocking, with send and receive timeouts of CONTROL_TIMEOUT_S (the
 * connect too waits no longer). The descriptor, close-on-exec (yours to
 * close), or -1 with errno set: ENAMETOOLONG for a path longer than a
 * socket address holds, ECONNREFUSED or ENOENT when no node listens
 * there, EACCES for a socket not ours, EAGAIN when the node does not
 * accept in time, or socket(2)'s errors. */
int	control_connect(const char *path);

/* 1 if a node accepts a connection on the socket at path (read during
 * the call), else 0 — for every error of control_connect. It connects
 * and closes at once, asking nothing; blocks at most CONTROL_TIMEOUT_S.
 * errno may change. */
int	control_alive(const char *path);

#endif

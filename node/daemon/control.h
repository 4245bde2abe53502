/* node/daemon/control.h — the control protocol between the CLI and a
 * running node: both ends' contract.
 *
 * A Unix socket HOME/control.sock (mode 0600, so only the home's owner may
 * ask) carries one request per connection: a JSON object on one line of
 * at most CONTROL_REQUEST_MAX bytes; the node answers with one JSON object
 * (at most CONTROL_ANSWER_MAX bytes) and closes. Requests:
 *   {"cmd": "status"}              the node's id, network, listen address,
 *                                  counters, auto-eval jobs and budget,
 *                                  fetching
 *   {"cmd": "peers"}               connections, known addresses (and
 *                                  their tables), bans
 *   {"cmd": "peers_add", "addr": "HOST:PORT"}   dial that address now
 *   {"cmd": "task_fetch", "task": "ID"}   fetch that task's item chunks
 *                                  (ID: 64 hex digits), whoever wrote it
 * Every error comes back as {"error": "one line"}.
 *
 * The node answers at most CONTROL_CLIENTS_MAX connections at once: one
 * over that is answered at once, before its request is read, with
 * {"error": "busy: ..."} and closed. A connection is closed
 * CONTROL_IDLE_MS (node/daemon/timing.h) after it connected, unless its
 * answer has been written by then, however many bytes it sent meanwhile:
 * a request not sent, sent a byte at a time, or an answer not read,
 * holds nothing for long. So a client sends
 * its request as soon as it connects, and reads the answer.
 *
 * The server end is the daemon's (control.c); the client end is the CLI's
 * (cli/ctl.c). */
#ifndef EM_CONTROL_H
#define EM_CONTROL_H

#define CONTROL_SOCKET		"control.sock"
#define CONTROL_LOCK		"node.lock"	/* flock'd for the life of a node */
#define CONTROL_REQUEST_MAX	65536		/* bytes in a request line */
#define CONTROL_ANSWER_MAX	(16u << 20)	/* bytes in an answer */
#define CONTROL_TIMEOUT_S	10		/* a client's send and receive timeouts */
#define CONTROL_CLIENTS_MAX	32		/* connections answered at once */

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

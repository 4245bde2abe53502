/* node/ctl.h — the control protocol between the CLI and a running node.
 *
 * A Unix socket HOME/control.sock (mode 0600) carries one request per
 * connection: a JSON object on one line, {"cmd": "status" | "peers" |
 * "peers_add", ...}; the node answers with one JSON object and closes.
 * Errors come back as {"error": "one line"}. */
#ifndef EM_CTL_H
#define EM_CTL_H

#include <jansson.h>

#define CTL_SOCKET	"control.sock"
#define CTL_MAX		(16u << 20)	/* largest answer read */

/* Sends req (not consumed) to the node whose home is dir. Returns 0 with
 * *resp (yours: json_decref), 1 if no node is running there, -1 on any
 * other failure with a message printed. */
int ctl_request(const char *dir, json_t *req, json_t **resp);

struct home;

/* The status and peers commands' common path: asks the node in home h for
 * cmd, or, when none runs, takes offline(h); prints the answer as JSON
 * (json set) or with text(). Returns the exit code. */
int ctl_show(struct home *h, const char *cmd, json_t *(*offline)(struct home *),
    void (*text)(json_t *), int json);

/* 1 if a node answers on the socket at path. */
int ctl_alive(const char *path);

#endif

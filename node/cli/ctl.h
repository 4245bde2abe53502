/* node/cli/ctl.h — the CLI end of the control protocol (its contract is
 * daemon/control.h): ask a running node, print what it says. */
#ifndef EM_CTL_H
#define EM_CTL_H

#include <jansson.h>

/* Sends req (not consumed) to the node whose home is dir and waits for its
 * whole answer. Returns 0 with *resp (yours: json_decref), 1 if no node is
 * running there (no socket, or nobody listening), -1 on any other failure
 * with a message printed (*resp NULL). */
int ctl_request(const char *dir, json_t *req, json_t **resp);

struct home_ctx;

/* The status and peers commands' common path: asks the node in home h for
 * cmd, or, when none runs, takes offline(h) (a new reference; NULL makes
 * the exit code 1 with nothing more printed); closes h (home_close) either way, then prints the
 * answer as JSON (json set) or with text(), which borrows it. Returns the
 * exit code: 0, or 1 (a message printed, the node's error included). */
int ctl_show(struct home_ctx *h, const char *cmd, json_t *(*offline)(struct home_ctx *),
    void (*text)(json_t *), int json);

#endif

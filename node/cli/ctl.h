/* node/cli/ctl.h — the CLI end of the control protocol (its contract is
 * daemon/control.h): ask a running node, print what it says. */
#ifndef EM_CTL_H
#define EM_CTL_H

#include <jansson.h>

/* Sends req (not consumed) to the node whose home is dir. Returns 0 with
 * *resp (yours: json_decref), 1 if no node is running there, -1 on any
 * other failure with a message printed. */
int ctl_request(const char *dir, json_t *req, json_t **resp);

struct home_ctx;

/* The status and peers commands' common path: asks the node in home h for
 * cmd, or, when none runs, takes offline(h); prints the answer as JSON
 * (json set) or with text(). Returns the exit code. */
int ctl_show(struct home_ctx *h, const char *cmd, json_t *(*offline)(struct home_ctx *),
    void (*text)(json_t *), int json);

#endif

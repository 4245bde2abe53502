/* The CLI end of the control socket (see daemon/control.h). Plain blocking
 * I/O with a timeout: a command asks once and exits. */
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "control.h"
#include "home.h"

int
ctl_show(struct home_ctx *h, const char *cmd, json_t *(*offline)(struct home_ctx *),
    void (*text)(json_t *), int json)
{
	json_t *req = json_pack("{s:s}", "cmd", cmd), *resp = NULL;
	int rc = ctl_request(h->dir, req, &resp);

	json_decref(req);
	if (rc == 1)
		resp = offline(h);
	home_close(h);
	if (rc < 0 || resp == NULL)
		return 1;
	if (json_object_get(resp, "error")) {
		rc = cli_fail("node: %s", json_string_value(json_object_get(resp, "error")));
		json_decref(resp);
		return rc;
	}
	if (json)
		return cli_json_print(resp);
	text(resp);
	json_decref(resp);
	return 0;
}

static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
ctl_request(const char *dir, json_t *req, json_t **resp)
{
	char path[4200], *text = NULL, *buf = NULL;
	size_t len = 0, cap = 0;
	json_error_t jerr;
	int fd, sent, rc = -1;

	*resp = NULL;
	snprintf(path, sizeof path, "%s/%s", dir, CONTROL_SOCKET);
	if ((fd = control_connect(path)) < 0) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			return 1;
		cli_fail("cannot reach the node at '%s': %s", path, strerror(errno));
		return -1;
	}
	if ((text = json_dumps(req, JSON_COMPACT)) == NULL) {
		cli_fail("out of memory");
		goto out;
	}
	/* a node too busy to answer says so and hangs up, maybe before the
	 * request is written: what it said is read all the same */
	sent = write_all(fd, text, strlen(text)) == 0 && write_all(fd, "\n", 1) == 0;
	for (;;) {
		ssize_t n;

		if (len + 65536 > cap) {
			char *nb;

			if (cap >= CONTROL_ANSWER_MAX || (nb = realloc(buf, cap ? cap * 2 : 65536)) == NULL) {
				cli_fail("the node's answer is too large");
				goto out;
			}
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		if ((n = read(fd, buf + len, cap - len - 1)) < 0 && errno == EINTR)
			continue;
		if (n < 0 && !sent && len == 0) {
			cli_fail("cannot send to the node at '%s'", path);
			goto out;
		}
		/* a node that hangs up on a request it did not read (too busy
		 * to) resets the connection after what it said */
		if (n < 0 && errno == ECONNRESET && len > 0)
			break;
		if (n < 0) {
			cli_fail("no answer from the node: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = 0;
	if (len == 0 && !sent)
		cli_fail("cannot send to the node at '%s'", path);
	else if ((*resp = json_loads(buf, 0, &jerr)) == NULL)
		cli_fail("the node's answer is not JSON: %s",
		    cli_shown(jerr.text, (char[CLI_SHOWN_CAP]){ 0 }, CLI_SHOWN_CAP));
	else
		rc = 0;
out:
	free(text);
	free(buf);
	close(fd);
	return rc;
}

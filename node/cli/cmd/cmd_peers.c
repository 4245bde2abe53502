/* evalmesh peers — the node's peers; peers add — one more to dial. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ctl.h"
#include "daemon.h"
#include "hex.h"
#include "home.h"

static const char help[] =
"usage: evalmesh peers [--home DIR] [--json]\n"
"       evalmesh peers add HOST:PORT [--home DIR]\n\n"
"Lists the running node's peers: address, node id, state (connected,\n"
"handshake, known, banned), misbehaviour score, bytes in and out. Without\n"
"a running node, lists the peers the store remembers. 'peers add' gives\n"
"the node another address to dial (remembered for its next start too).\n";

static const opt opts[] = { { "home", OPT_VALUE, 0 }, { "json", OPT_FLAG, 0 } };

static json_t *
offline(home *h)
{
	static store_peer list[1024];
	json_t *arr = json_array();
	size_t n = 0;

	store_peer_list(h->st, list, 1024, &n);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:o, s:s, s:I}",
		    "addr", list[i].addr, "id", list[i].has_id ? cli_json_id(list[i].id)
		    : json_null(), "state", "known", "fails", (json_int_t)list[i].fails));
	return json_pack("{s:o}", "peers", arr);
}

static void
text(json_t *resp)
{
	json_t *p;
	size_t i;

	if (json_array_size(json_object_get(resp, "peers")) == 0) {
		printf("no peers\n");
		return;
	}
	json_array_foreach(json_object_get(resp, "peers"), i, p) {
		const char *id = json_string_value(json_object_get(p, "id"));

		printf("%-22s %-9s %s", json_string_value(json_object_get(p, "addr")),
		    json_string_value(json_object_get(p, "state")), id ? id : "-");
		if (json_object_get(p, "bytes_in"))
			printf("  score %lld  in %lld  out %lld",
			    (long long)json_integer_value(json_object_get(p, "score")),
			    (long long)json_integer_value(json_object_get(p, "bytes_in")),
			    (long long)json_integer_value(json_object_get(p, "bytes_out")));
		printf("\n");
	}
}

/* peers add: through the node when it runs, else straight into the store. */
static int
add(home *h, const char *addr)
{
	store_peer sp = { .addr = "" };
	struct sockaddr_storage ss;
	json_t *req = json_pack("{s:s, s:s}", "cmd", "peers_add", "addr", addr), *resp = NULL;
	int rc = ctl_request(h->dir, req, &resp);

	json_decref(req);
	if (rc == 0) {
		const char *err = json_string_value(json_object_get(resp, "error"));

		rc = err ? cli_fail("peers add '%.64s': %s", addr, err) : 0;
		if (!err)
			printf("added %s (the node is dialing it)\n", addr);
		json_decref(resp);
		return rc;
	}
	if (rc < 0)
		return 1;
	if (addr_parse(addr, &ss) != 0 || strlen(addr) >= sizeof sp.addr)
		return cli_fail("peers add '%.64s': expected HOST:PORT with a numeric host", addr);
	snprintf(sp.addr, sizeof sp.addr, "%s", addr);
	if (store_peer_put(h->st, &sp) != EM_OK)
		return cli_fail("cannot store the peer");
	printf("added %s (dialed when the node starts)\n", addr);
	return 0;
}

int
cmd_peers(int argc, char **argv)
{
	char why[256];
	args a;
	home h;
	int rc;

	if (args_parse(&a, opts, sizeof opts / sizeof opts[0], argc, argv, 2, why, sizeof why))
		return cli_usage("peers", why);
	if (args_help(&a))
		return cli_help(help);
	if (a.n_pos > 0 && (strcmp(a.pos[0], "add") != 0 || a.n_pos != 2))
		return cli_usage("peers", "expected 'peers' or 'peers add HOST:PORT'");
	if (home_open(&h, &a, 0))
		return 1;
	if (a.n_pos == 2) {
		rc = add(&h, a.pos[1]);
		home_close(&h);
		return rc;
	}
	return ctl_show(&h, "peers", offline, text, args_get(&a, "json") != NULL);
}

/* evalmesh peers — the node's peers; peers add — one more to dial. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ctl.h"
#include "daemon.h"
#include "hex.h"
#include "home.h"

static const char about[] =
"Lists the running node's peers: address, node id, state (connected,\n"
"handshake, known, banned), misbehaviour score, bytes in and out, and for\n"
"an address not connected its table: operator (given with --peer or\n"
"'peers add', always kept), tried (a handshake there worked) or new (told\n"
"by a peer). Without a running node, lists the peers the store remembers.\n"
"'peers add' gives the node another address to dial (remembered for its\n"
"next start too).\n";

static const opt list_opts[] = { { "home", OPT_VALUE, 0 }, { "json", OPT_FLAG, 0 } };
static const opt add_opts[] = { { "home", OPT_VALUE, 0 } };

static json_t *
offline(home_ctx *h)
{
	static store_peer list[1024];
	json_t *arr = json_array();
	size_t n = 0;

	store_peer_list(h->st, list, 1024, &n);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:o, s:s, s:s, s:I}",
		    "addr", list[i].addr, "id", list[i].has_id ? cli_json_id(list[i].id)
		    : json_null(), "state", "known", "table", store_peer_table_name(list[i].table),
		    "fails", (json_int_t)list[i].fails));
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
		char a[NAME_SHOW_CAP(256)];

		/* an address a peer told us */
		printf("%-22s %-9s %s", cli_show(json_string_value(json_object_get(p, "addr")), a,
		    sizeof a),
		    json_string_value(json_object_get(p, "state")), id ? id : "-");
		if (json_object_get(p, "table"))
			printf("  %s", json_string_value(json_object_get(p, "table")));
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
add_to(home_ctx *h, const char *addr)
{
	store_peer sp = { .addr = "" };
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
	snprintf(sp.addr, sizeof sp.addr, "%s", addr);	/* fits: add() checked */
	sp.table = STORE_PEER_OPERATOR;	/* the node keeps it whatever peers say */
	if (store_peer_put(h->st, &sp) != EM_OK)
		return cli_fail("cannot store the peer");
	printf("added %s (dialed when the node starts)\n", addr);
	return 0;
}

static int
add(const args_parsed *a)
{
	store_peer sp;
	struct sockaddr_storage ss;
	home_ctx h;
	int rc;

	if (strlen(a->pos[0]) >= sizeof sp.addr || (addr_parse(a->pos[0], &ss) != 0 &&
	    !addr_valid(a->pos[0])))
		return cli_bad("peers add", "HOST:PORT", a->pos[0], "expected a host (an address or "
		    "a name) and a port");
	if (!addr_valid(a->pos[0]))
		return cli_bad("peers add", "HOST:PORT", a->pos[0], "expected the address of one "
		    "host (not 0.0.0.0, ::, a broadcast, multicast or link-local one)");
	if (home_open(&h, a, 0))
		return 1;
	rc = add_to(&h, a->pos[0]);
	home_close(&h);
	return rc;
}

struct find {
	const char	*addr;
	int		 found;
};

static int
find_fn(void *ctx, const store_peer *p)
{
	struct find *f = ctx;

	f->found |= strcmp(p->addr, f->addr) == 0;
	return f->found;
}

/* Whether the store knows addr as a peer's. */
static int
known_here(store *st, const char *addr)
{
	struct find f = { addr, 0 };

	return store_peer_each(st, find_fn, &f) == EM_OK && f.found;
}

/* peers remove: through the node when it runs, else straight from the
 * store. */
static int
remove_peer(const args_parsed *a)
{
	const char *addr = a->pos[0];
	json_t *req = json_pack("{s:s, s:s}", "cmd", "peers_remove", "addr", addr), *resp = NULL;
	const char *del[1] = { addr };
	store_peer sp;
	home_ctx h;
	int rc;

	if (strlen(addr) >= sizeof sp.addr || !addr_valid(addr)) {
		json_decref(req);
		return cli_bad("peers remove", "HOST:PORT", addr, "expected a host (an address or a "
		    "name) and a port");
	}
	if (home_open(&h, a, 0)) {
		json_decref(req);
		return 1;
	}
	if ((rc = ctl_request(h.dir, req, &resp)) == 0) {
		const char *err = json_string_value(json_object_get(resp, "error"));

		rc = err ? cli_fail("peers remove '%s': %s", addr, err) : 0;
		if (!err)
			printf("removed %s (the node forgot it, and closed a connection to it)\n",
			    addr);
		json_decref(resp);
	} else if (rc > 0) {
		if (!known_here(h.st, addr))
			rc = cli_fail("peers remove '%s': not a known peer's address (see 'evalmesh "
			    "peers')", addr);
		else if (store_peer_write(h.st, NULL, 0, del, 1) != EM_OK)
			rc = cli_fail("cannot remove the peer from the store");
		else {
			printf("removed %s\n", addr);
			rc = 0;
		}
	} else {
		rc = 1;
	}
	json_decref(req);
	home_close(&h);
	return rc;
}

static int
list(const args_parsed *a)
{
	home_ctx h;

	if (home_open_read(&h, a))
		return 1;
	return ctl_show(&h, "peers", offline, text, args_get(a, "json") != NULL);
}

static const cli_verb verbs[] = {
	{ "", list_opts, sizeof list_opts / sizeof list_opts[0], 0, NULL, "[--home DIR] [--json]",
	    about, list },
	{ "add", add_opts, sizeof add_opts / sizeof add_opts[0], 1, "give the HOST:PORT to add",
	    "HOST:PORT [--home DIR]",
	    "Gives the node another address to dial: the running node dials it now,\n"
	    "and it is remembered for the node's next start. The host is an address\n"
	    "(127.0.0.1:7400, [2001:db8::1]:7400) or a name (eval.lab-b.example:7400),\n"
	    "resolved each time it is dialed, off the node's loop, since addresses\n"
	    "change; several addresses are tried in turn.\n", add },
	{ "remove", add_opts, sizeof add_opts / sizeof add_opts[0], 1,
	    "give the HOST:PORT to remove", "HOST:PORT [--home DIR]",
	    "Forgets a known peer's address: the running node closes a connection it\n"
	    "made there and stops dialing it, and the store forgets it.\n", remove_peer },
};

int
cmd_peers(int argc, char **argv)
{
	static const cli_verbs c = { "peers", verbs, sizeof verbs / sizeof verbs[0], about,
	    "expected 'peers', 'peers add HOST:PORT' or 'peers remove HOST:PORT'" };

	return cli_verbs_run(&c, argc, argv);
}

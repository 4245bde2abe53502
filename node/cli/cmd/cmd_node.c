/* evalmesh node — run the node: join the mesh and replicate records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auto_cfg.h"
#include "cli.h"
#include "daemon.h"
#include "home.h"
#include "log.h"

static const char help[] =
"usage: evalmesh node [--listen HOST:PORT] [--peer HOST:PORT]... [--home DIR]\n"
"           [--advertise HOST:PORT] [--max-inbound N] [--max-outbound N]\n"
"           [--handshake-timeout MS] [--recv-buffer-kb N]\n"
"           [--log-level error|warn|info|debug]\n"
"           [--passphrase-env VAR] [--no-answer-audits]\n"
"           [--model NAME [--revision R] [--access open|closed]\n"
"            (--endpoint URL... | --exec CMD) [--api chat|completions]\n"
"            [--served-model NAME] [--api-key-env VAR] [--api-key-header H]\n"
"            [--concurrency N] [--max-tokens N] [--extra-body JSON]\n"
"            [--auto-eval trusted|all|off] [--eval-jobs N]\n"
"            [--budget-requests N] [--budget-prompt-bytes N]\n"
"            [--budget-max-tokens N] [--budget-items N]\n"
"            [--budget-tasks-per-author N]] [--fetch-quota-mb N]\n"
"            [--task-records-per-author N]\n\n"
"Runs this node in the foreground until SIGINT or SIGTERM: accepts and makes\n"
"encrypted connections (Noise XXpsk3 under the network key), and replicates\n"
"every signed record with its peers. Known peers are kept in the store and\n"
"redialled with backoff; more are learnt from peers. Records that other\n"
"commands store while it runs go out within a second. Logs go to stderr.\n\n"
"  --listen HOST:PORT      where to accept peers (default 0.0.0.0:7400);\n"
"                          open this port to the other members\n"
"  --peer HOST:PORT        a bootstrap peer (numeric address); repeatable\n"
"  --advertise HOST:PORT   the address peers should dial (default --listen)\n"
"  --max-inbound N         inbound connections at most (default 64)\n"
"  --max-outbound N        outbound connections aimed at (default 8)\n"
"  --handshake-timeout MS  drop a peer that has not finished (default 10000)\n"
"  --recv-buffer-kb N      each peer connection's receive buffer (default 32;\n"
"                          0: the kernel's, which grows to megabytes). Small,\n"
"                          a slow peer's backlog stays here, where copies it\n"
"                          got meanwhile are dropped; but one connection moves\n"
"                          at most N KiB a round trip (32: ~320 KB/s at 100 ms)\n"
"  --no-answer-audits      leave audits of this node's results unanswered. By\n"
"                          default the node answers each challenge ('evalmesh\n"
"                          audit') of a result it published from a run whose\n"
"                          cache it holds: the drawn items' outputs, with their\n"
"                          Merkle proofs, become visible to every member\n\n"
"Given a model, the node evaluates every task it holds by itself, once per\n"
"task and model revision, in the background (as 'evalmesh eval' would, with\n"
"the same flags), and publishes each complete result; 'evalmesh status' shows\n"
"what it is evaluating and what it finished. A failed evaluation is retried\n"
"after a backoff (1 minute, doubling to an hour). The same settings may live\n"
"in HOME/node.json (keys model, revision, access, endpoint, exec, api,\n"
"served_model, api_key_env, api_key_header, concurrency, max_tokens,\n"
"extra_body (a JSON object), auto_eval, eval_jobs, and the budget's keys:\n"
"budget_requests, ..., fetch_quota_mb, task_records_per_author); flags win.\n"
"  --auto-eval MODE        trusted: tasks from this node and trusted authors\n"
"                          (the default with --model); all: any task; off\n"
"  --eval-jobs N           tasks evaluated at once (default 1)\n\n"
"What evaluating by itself may spend (a task over a limit is not run, and\n"
"'evalmesh status' names the limit; the day is a UTC day, and what was spent\n"
"is kept in the store across restarts):\n"
"  --budget-requests N     requests to the model a day, retries included\n"
"                          (default 5000); when spent, runs wait for the next day\n"
"  --budget-prompt-bytes N one request's prompt at most (default 65536)\n"
"  --budget-max-tokens N   one request's max_tokens at most (default 4096, or\n"
"                          --max-tokens if larger)\n"
"  --budget-items N        one task's items at most (default 5000)\n"
"  --budget-tasks-per-author N\n"
"                          tasks taken up from one author a day (default 5;\n"
"                          this node's own are not counted)\n\n"
"Task items are fetched only for the tasks this node will use: its own, its\n"
"trusted authors', and those auto-eval would run; others with\n"
"'evalmesh task fetch TASK'.\n"
"  --fetch-quota-mb N      item chunks fetched unasked for one author, in MiB\n"
"                          (default 64; this node's own and 'task fetch' aside)\n"
"  --task-records-per-author N\n"
"                          task records taken in from peers for one author a\n"
"                          UTC day (default 100; a task record is up to about\n"
"                          100 KB; this node's own and trusted authors' aside).\n"
"                          More wait for the next day; 'evalmesh status' counts\n"
"                          them, and the task records refused as inconsistent\n";

static const opt opts[] = {
	{ "home", OPT_VALUE, 0 }, { "passphrase-env", OPT_VALUE, 0 },
	{ "listen", OPT_VALUE, 0 }, { "peer", OPT_MULTI, 0 },
	{ "advertise", OPT_VALUE, 0 }, { "max-inbound", OPT_VALUE, 0 },
	{ "max-outbound", OPT_VALUE, 0 }, { "handshake-timeout", OPT_VALUE, 0 },
	{ "recv-buffer-kb", OPT_VALUE, 0 }, { "no-answer-audits", OPT_FLAG, 0 },
	{ "log-level", OPT_VALUE, 0 }, AUTO_OPTS,
};
_Static_assert(sizeof opts / sizeof opts[0] < ARGS_OPTS_MAX,
    "node's options outgrew ARGS_OPTS_MAX (args.h): every start would be refused");

/* A HOST:PORT flag into out. 0, or 2 after the usage line. */
static int
addr(const char *v, const char *flag, char *out, size_t cap)
{
	struct sockaddr_storage ss;

	if (addr_parse(v, &ss) != 0 || strlen(v) >= cap)
		return cli_bad("node", flag, v, "expected HOST:PORT with a numeric host");
	snprintf(out, cap, "%s", v);
	return 0;
}

/* The node's own flags into o. 0, or 2 after the usage line. */
static int
parse(const args_parsed *a, daemon_opts *o)
{
	const char *const *peers;
	const char *v;
	struct sockaddr_storage ss;
	uint64_t n;
	int lvl, rc;

	memset(o, 0, sizeof *o);
	v = args_get(a, "listen") ? args_get(a, "listen") : "0.0.0.0:7400";
	if ((rc = addr(v, "--listen", o->listen, sizeof o->listen)) != 0)
		return rc;
	/* what others dial: an address of one host, or a name */
	if ((v = args_get(a, "advertise")) != NULL && strlen(v) < sizeof o->advertise &&
	    addr_parse(v, &ss) != 0 && !addr_valid(v))
		return cli_bad("node", "--advertise", v, "expected HOST:PORT, the host an address "
		    "or a name");
	if (v != NULL && (strlen(v) >= sizeof o->advertise || !addr_valid(v)))
		return cli_bad("node", "--advertise", v, "expected the address of one host (not "
		    "0.0.0.0, ::, a broadcast, multicast or link-local one)");
	if (v != NULL)
		snprintf(o->advertise, sizeof o->advertise, "%s", v);
	o->n_peers = args_all(a, "peer", &peers);
	for (size_t i = 0; i < o->n_peers; i++) {
		if (addr_parse(peers[i], &ss) != 0 && !addr_valid(peers[i]))
			return cli_bad("node", "--peer", peers[i],
			    "expected HOST:PORT, the host an address or a name");
		if (!addr_valid(peers[i]))
			return cli_bad("node", "--peer", peers[i], "expected the address of one "
			    "host (not 0.0.0.0, ::, a broadcast, multicast or link-local one)");
		o->peers[i] = peers[i];
	}
	if ((rc = cli_number("node", a, "max-inbound", 0, 4096, 64, &n)) != 0)
		return rc;
	o->max_in = (uint32_t)n;
	if ((rc = cli_number("node", a, "max-outbound", 0, 256, 8, &n)) != 0)
		return rc;
	o->max_out = (uint32_t)n;
	if ((rc = cli_number("node", a, "recv-buffer-kb", 0, 65536, PEER_RCVBUF_KB, &n)) != 0)
		return rc;
	o->recv_buffer = (uint32_t)n * 1024;
	if ((rc = cli_number("node", a, "handshake-timeout", 100, 600000, 10000, &n)) != 0)
		return rc;
	o->handshake_ms = (uint32_t)n;
	o->no_answer_audits = args_get(a, "no-answer-audits") != NULL;
	if ((v = args_get(a, "log-level")) != NULL) {
		if ((lvl = log_parse_level(v)) < 0)
			return cli_bad("node", "--log-level", v,
			    "expected error, warn, info or debug");
		log_set_level((log_level)lvl);
	}
	return 0;
}

int
cmd_node(int argc, char **argv)
{
	char dir[HOME_PATH_MAX];
	static daemon_opts o;	/* large: the model settings */
	daemon_env env;
	args_parsed a;
	home_ctx h;
	em_err err;
	int rc;

	if ((rc = cli_args("node", &a, opts, sizeof opts / sizeof opts[0], argc, argv, 0)) != 0)
		return rc;
	if (args_help(&a))
		return cli_help(help);
	if ((rc = parse(&a, &o)) != 0)
		return rc;
	if (home_dir(&a, dir, sizeof dir))
		return 1;
	if ((rc = auto_config(&a, dir, &o.autocfg)) != 0)
		return rc;
	if (home_open(&h, &a, 1))
		return 1;
	env = (daemon_env){ .home = h.dir, .st = h.st, .me = h.me, .pk = h.pk,
	    .netid = h.netid, .netkey = h.netkey, .clock = em_clock_system() };
	if ((err = daemon_run(&env, &o)) == EM_ENOMEM)
		cli_fail("out of memory");
	rc = err == EM_OK ? 0 : 1;	/* else the reason was logged */
	home_close(&h);
	return rc;
}

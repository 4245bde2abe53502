/* evalmesh — compare AI models across labs without sharing them.
 * The command table; each subcommand lives in cmd_<name>.c. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "guard.h"


static const cli_cmd cmds[] = {
	{ "init",	cmd_init,	"create a node home: identity, network key, store" },
	{ "id",		cmd_id,		"print this node's id, name, organisation and network" },
	{ "node",	cmd_node,	"run the node: join the mesh, replicate records" },
	{ "status",	cmd_status,	"what the node holds, its peers, its last sync" },
	{ "peers",	cmd_peers,	"list the node's peers; peers add HOST:PORT" },
	{ "labs",	cmd_labs,	"every node whose records are here: name, organisation, counts" },
	{ "task",	cmd_task,	"task publish|import|list|show|fetch: benchmark tasks" },
	{ "eval",	cmd_eval,	"run a task against your model; publish the result" },
	{ "model",	cmd_model,	"model check: does an endpoint answer, and how" },
	{ "result",	cmd_result,	"result publish: sign and store a score summary" },
	{ "results",	cmd_results,	"list stored results" },
	{ "leaderboard", cmd_leaderboard, "who is best at a task, and how sure are we" },
	{ "compare",	cmd_compare,	"two models on one task: the difference and its interval" },
	{ "trust",	cmd_trust,	"trust add|list|remove: whose results you count" },
	{ "revoke",	cmd_revoke,	"withdraw one of your own records" },
	{ "audit",	cmd_audit,	"ask a result's author to open items; audit show" },
	{ "store",	cmd_store,	"store check|rebuild: is the store sound; the way back" },
	{ "verify",	cmd_verify,	"re-verify a stored record, a record file or a bundle" },
	{ "export",	cmd_export,	"write signed records to a bundle file" },
	{ "import",	cmd_import,	"verify and store the records of a bundle file" },
};

static int
usage(FILE *f)
{
	fprintf(f, "usage: evalmesh COMMAND [OPTIONS]\n\n"
	    "Compare AI models across institutions without handing them over.\n\n"
	    "Commands:\n");
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		fprintf(f, "  %-12s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\nEvery command takes --home DIR (default $EVALMESH_HOME, else "
	    "~/.evalmesh) and --help.\n");
	return f == stdout ? 0 : 2;
}

int
main(int argc, char **argv)
{
	/* A peer or a model program that goes away mid-write is an error to
	 * handle (EPIPE), not a reason for the process to die. */
	signal(SIGPIPE, SIG_IGN);
	/* A damaged store ends a command with one line, never a signal. */
	guard_install();
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(stdout);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("evalmesh %s\n", EM_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].run(argc - 2, argv + 2);
	fprintf(stderr, "evalmesh: unknown command '%.64s' (see 'evalmesh --help')\n", argv[1]);
	return 2;
}

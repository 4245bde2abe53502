/* evalmesh trust add|list|remove — whose results this reader counts. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hex.h"
#include "home.h"

static const char help[] =
"usage: evalmesh trust add NODE_ID [--name NAME] [--home DIR]\n"
"       evalmesh trust list [--json] [--home DIR]\n"
"       evalmesh trust remove NODE_ID [--home DIR]\n\n"
"Trust is the reader's choice and stays on this node: it is never published.\n"
"'evalmesh leaderboard --trusted' counts only results by these nodes and says\n"
"how many it left out. NODE_ID is 64 hex digits, or a unique prefix of a node\n"
"whose records this node holds.\n";

static const opt opts[] = {
	{ "home", OPT_VALUE, 0 }, { "json", OPT_FLAG, 0 }, { "name", OPT_VALUE, 0 },
};

static int
list_fn(void *ctx, const uint8_t id[static 32], const char *name)
{
	char hex[ID_HEX_LEN + 1];
	json_t *arr = ctx;

	hex_encode(hex, id, 32);
	if (arr != NULL)
		json_array_append_new(arr, json_pack("{s:s, s:s}", "id", hex, "name", name));
	else
		printf("%s  %s\n", hex, name);
	return 0;
}

int
cmd_trust(int argc, char **argv)
{
	const char *sub, *name, *node;
	char why[256];
	uint8_t id[32];
	json_t *arr;
	args a;
	home h;
	int rc = 0, add, rm;
	em_err err;

	if (args_parse(&a, opts, sizeof opts / sizeof opts[0], argc, argv, 2, why, sizeof why))
		return cli_usage("trust", why);
	if (args_help(&a))
		return cli_help(help);
	sub = a.n_pos > 0 ? a.pos[0] : "";
	add = strcmp(sub, "add") == 0;
	rm = strcmp(sub, "remove") == 0;
	if (!add && !rm && strcmp(sub, "list") != 0)
		return cli_usage("trust", a.n_pos == 0 ? "expected add, list or remove" :
		    "unknown subcommand; expected add, list or remove");
	if ((add || rm) != (a.n_pos == 2))
		return cli_usage("trust", add || rm ? "give the NODE_ID" : "list takes no arguments");
	node = add || rm ? a.pos[1] : NULL;
	name = args_get(&a, "name") ? args_get(&a, "name") : "";
	if (cli_text("--name", name, STORE_TRUST_NAME_MAX))
		return 1;
	if (home_open(&h, &a, 0))
		return 1;
	if (add || rm) {
		/* a full id of a node not heard from yet is fine to trust */
		if (strlen(node) == ID_HEX_LEN && hex_decode(id, 32, node) == EM_OK)
			rc = 0;
		else
			rc = home_resolve(&h, SPACE_AUTHOR, node, id, "node");
		if (rc == 0 && add) {
			if ((err = store_trust_put(h.st, id, name)) != EM_OK)
				rc = cli_fail("cannot add to the trust list: %s", em_strerror(err));
			else
				printf("trusting %.*s%s%s\n", ID_HEX_LEN, node, name[0] ? " as " : "", name);
		} else if (rc == 0) {
			if ((err = store_trust_del(h.st, id)) == EM_ENOTFOUND)
				rc = cli_fail("node %.80s is not in the trust list", node);
			else if (err != EM_OK)
				rc = cli_fail("cannot remove from the trust list: %s", em_strerror(err));
			else
				printf("no longer trusting %.*s\n", ID_HEX_LEN, node);
		}
	} else {
		arr = args_get(&a, "json") ? json_array() : NULL;
		if ((err = store_trust_list(h.st, list_fn, arr)) != EM_OK) {
			json_decref(arr);
			rc = cli_fail("cannot read the trust list: %s", em_strerror(err));
		} else if (arr != NULL) {
			rc = cli_json_print(arr);
		}
	}
	home_close(&h);
	return rc;
}

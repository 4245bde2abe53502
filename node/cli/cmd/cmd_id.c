/* evalmesh id — print this node's id, name, organisation and network. */
#include <stdio.h>

#include "cli.h"
#include "hex.h"
#include "home.h"

static const char help[] =
"usage: evalmesh id [--home DIR] [--json]\n\n"
"Prints the node id (the Ed25519 public key), name, organisation and the\n"
"network id. Needs no passphrase.\n";

static const opt opts[] = { { "home", OPT_VALUE, 0 }, { "json", OPT_FLAG, 0 } };

int
cmd_id(int argc, char **argv)
{
	char name[BODY_NAME_MAX + 1] = "", org[BODY_ORG_MAX + 1] = "";
	char id[ID_HEX_LEN + 1], net[ID_HEX_LEN + 1];
	args_parsed a;
	home_ctx h;
	json_t *j;
	int rc;

	if ((rc = cli_args("id", &a, opts, sizeof opts / sizeof opts[0], argc, argv, 0)) != 0)
		return rc;
	if (args_help(&a))
		return cli_help(help);
	if (home_open_read(&h, &a))
		return 1;
	store_meta_get(h.st, "name", name, sizeof name);
	store_meta_get(h.st, "org", org, sizeof org);
	hex_encode(id, h.pk, 32);
	hex_encode(net, h.netid, 32);
	home_close(&h);
	if (!args_get(&a, "json")) {
		char sn[CLI_SHOW_CAP], so[NAME_SHOW_CAP(BODY_ORG_MAX)];

		printf("id       %s\nname     %s\norg      %s\nnetwork  %s%s\nsealed   %s\nhome     %s\n",
		    id, cli_show(name, sn, sizeof sn), cli_show(org, so, sizeof so), net, h.open_network ? " (open network)" : "",
		    h.sealed ? "yes" : "no", h.dir);
		return 0;
	}
	j = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:s}", "id", id, "name", name,
	    "org", org, "network", net, "open_network", h.open_network,
	    "sealed", h.sealed, "home", h.dir);
	return cli_json_print(j);
}

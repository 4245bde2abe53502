/* evalmesh trust add|list|remove — whose results this reader counts. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hex.h"
#include "home.h"
#include "name.h"

static const char about[] =
"Trust is the reader's choice and stays on this node: it is never published.\n"
"'evalmesh leaderboard --trusted' counts only results by these nodes and says\n"
"how many it left out. NODE_ID is 64 hex digits, or a unique prefix of a node\n"
"whose records this node holds.\n";

static const opt add_opts[] = { { "home", OPT_VALUE, 0 }, { "name", OPT_VALUE, 0 } };
static const opt list_opts[] = { { "home", OPT_VALUE, 0 }, { "json", OPT_FLAG, 0 } };
static const opt remove_opts[] = { { "home", OPT_VALUE, 0 } };

static int
list_fn(void *ctx, const uint8_t id[static 32], const char *name)
{
	char hex[ID_HEX_LEN + 1], buf[CLI_SHOW_CAP];
	json_t *arr = ctx;

	hex_encode(hex, id, 32);
	if (arr != NULL)
		json_array_append_new(arr, json_pack("{s:s, s:s}", "id", hex, "name", name));
	else
		printf("%s  %s\n", hex, cli_show(name, buf, sizeof buf));
	return 0;
}

/* The node NODE_ID names: a full id of a node not heard from yet is fine
 * to trust; a prefix must name one this store knows. */
static int
node_id(home_ctx *h, const char *node, uint8_t id[static 32])
{
	if (strlen(node) == ID_HEX_LEN && hex_decode(id, 32, node) == EM_OK)
		return 0;
	return home_resolve(h, SPACE_AUTHOR, node, id, "node");
}

/* The name a trusted node already has, for a visit of store_trust_list. */
typedef struct known {
	const uint8_t	*id;
	char		 name[STORE_TRUST_NAME_MAX + 1];
} known;

static int
known_fn(void *ctx, const uint8_t id[static 32], const char *name)
{
	known *k = ctx;

	if (memcmp(id, k->id, 32) == 0)
		snprintf(k->name, sizeof k->name, "%s", name);
	return 0;
}

/* cli_text's rule for --name, with the reason that holds here: a trust
 * name is never signed or published, but 'trust list' prints it. 0, with
 * the name in NFC (as names are compared) in out; else 1 or 2. */
static int
name_ok(const char *name, char *out, size_t cap)
{
	char why[160];
	size_t n;

	if (cli_text_check(name, STORE_TRUST_NAME_MAX, why, sizeof why) == 0)
		return name_nfc(name, out, cap) == EM_OK ? 0 : cli_fail("out of memory");
	n = strcspn(why, ":");	/* the rule's reason without its explanation */
	return cli_bad("trust add", "--name", name, "%.*s%s", (int)n, why,
	    strncmp(why, "holds", 5) == 0 ? ": 'trust list' would print it" : "");
}

/* Without --name, a node trusted already keeps the name it has. */
static int
add(const args_parsed *a)
{
	const char *node = a->pos[0], *given = args_get(a, "name");
	char name[STORE_TRUST_NAME_MAX + 1] = "";
	known k = { .name = "" };
	uint8_t id[32];
	home_ctx h;
	int rc;
	em_err err;

	if ((rc = cli_id("trust add", "NODE_ID", node, "node")) != 0 ||
	    (given != NULL && (rc = name_ok(given, name, sizeof name)) != 0))
		return rc;
	if (home_open(&h, a, 0))
		return 1;
	if ((rc = node_id(&h, node, id)) != 0)
		goto out;
	k.id = id;
	if (given == NULL && (err = store_trust_list(h.st, known_fn, &k)) != EM_OK) {
		rc = cli_fail("cannot read the trust list: %s", em_strerror(err));
		goto out;
	}
	if (given == NULL)
		snprintf(name, sizeof name, "%s", k.name);
	if ((err = store_trust_put(h.st, id, name)) != EM_OK)
		rc = cli_fail("cannot add to the trust list: %s", em_strerror(err));
	else
		printf("trusting %.*s%s%s\n", ID_HEX_LEN, node, name[0] ? " as " : "", name);
out:
	home_close(&h);
	return rc;
}

static int
remove_(const args_parsed *a)
{
	const char *node = a->pos[0];
	uint8_t id[32];
	home_ctx h;
	int rc;
	em_err err;

	if ((rc = cli_id("trust remove", "NODE_ID", node, "node")) != 0)
		return rc;
	if (home_open(&h, a, 0))
		return 1;
	if ((rc = node_id(&h, node, id)) == 0) {
		if ((err = store_trust_del(h.st, id)) == EM_ENOTFOUND)
			rc = cli_fail("node %.80s is not in the trust list", node);
		else if (err != EM_OK)
			rc = cli_fail("cannot remove from the trust list: %s", em_strerror(err));
		else
			printf("no longer trusting %.*s\n", ID_HEX_LEN, node);
	}
	home_close(&h);
	return rc;
}

static int
list(const args_parsed *a)
{
	json_t *arr;
	home_ctx h;
	int rc = 0;
	em_err err;

	if (home_open_read(&h, a))
		return 1;
	arr = args_get(a, "json") ? json_array() : NULL;
	if ((err = store_trust_list(h.st, list_fn, arr)) != EM_OK) {
		json_decref(arr);
		rc = cli_fail("cannot read the trust list: %s", em_strerror(err));
	} else if (arr != NULL) {
		rc = cli_json_print(arr);
	}
	home_close(&h);
	return rc;
}

static const cli_verb verbs[] = {
	{ "add", add_opts, sizeof add_opts / sizeof add_opts[0], 1, "give the NODE_ID",
	    "NODE_ID [--name NAME] [--home DIR]",
	    "Adds a node to this node's trust list: 'evalmesh leaderboard --trusted'\n"
	    "counts its results. NODE_ID is 64 hex digits, or a unique prefix of a node\n"
	    "whose records this node holds. Trust stays on this node.\n\n"
	    "  --name NAME  a name to show for it (at most 128 bytes); without it, a node\n"
	    "               trusted already keeps its name, and '--name \"\"' clears it\n", add },
	{ "list", list_opts, sizeof list_opts / sizeof list_opts[0], 0, NULL,
	    "[--json] [--home DIR]",
	    "The nodes this node trusts: id and name.\n", list },
	{ "remove", remove_opts, sizeof remove_opts / sizeof remove_opts[0], 1, "give the NODE_ID",
	    "NODE_ID [--home DIR]",
	    "Takes a node off this node's trust list (NODE_ID as for 'trust add').\n",
	    remove_ },
};

int
cmd_trust(int argc, char **argv)
{
	static const cli_verbs c = { "trust", verbs, sizeof verbs / sizeof verbs[0], about,
	    "expected add, list or remove" };

	return cli_verbs_run(&c, argc, argv);
}

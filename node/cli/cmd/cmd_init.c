/* evalmesh init — create a node home: identity, network key, store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "cli.h"
#include "hash.h"
#include "hex.h"
#include "home.h"
#include "keyfile.h"
#include "netkey.h"

static const char help[] =
"usage: evalmesh init [--home DIR] [--name NAME] [--org ORG]\n"
"                     [--network-key FILE | --new-network FILE]\n"
"                     [--passphrase-env VAR]\n\n"
"Creates a node home: an Ed25519 identity (identity.key, mode 0600), the\n"
"network key (network.key) and the record store, and signs the node's\n"
"profile. Refuses to touch a home that already exists.\n\n"
"  --home DIR            where (default $EVALMESH_HOME, else ~/.evalmesh)\n"
"  --name NAME           this node's name (default: the host name)\n"
"  --org ORG             the organisation running it\n"
"  --network-key FILE    join the network whose key is in FILE (64 hex digits)\n"
"  --new-network FILE    make a new random network key and also write it to\n"
"                        FILE, to hand to the other members\n"
"                        (default: the well-known open network)\n"
"  --passphrase-env VAR  seal the identity with the passphrase in $VAR\n"
"                        (Argon2id); later commands read it from $VAR\n";

static const opt opts[] = {
	{ "home", OPT_VALUE, 0 }, { "name", OPT_VALUE, 0 }, { "org", OPT_VALUE, 0 },
	{ "network-key", OPT_VALUE, 0 }, { "new-network", OPT_VALUE, 0 },
	{ "passphrase-env", OPT_VALUE, 0 },
};

struct plan {
	char		 dir[HOME_PATH_MAX];
	char		 name[BODY_NAME_MAX + 1], org[BODY_ORG_MAX + 1];	/* NFC */
	const char	*new_net, *pass_var, *pass;
	uint8_t		 netkey[NETKEY_LEN];
	int		 made_dir;
};

/* Everything is checked before anything is created. */
static int
check(struct plan *p, const args_parsed *a)
{
	const char *netfile = args_get(a, "network-key");
	struct stat sb;
	char path[HOME_PATH_MAX + 32];
	em_err err;
	int rc;

	if (home_dir(a, p->dir, sizeof p->dir))
		return 1;
	if (args_get(a, "name") != NULL) {
		if ((rc = cli_name("init", "--name", args_get(a, "name"), BODY_NAME_MAX, p->name,
		    sizeof p->name)) != 0)
			return rc;
	} else if (gethostname(p->name, sizeof p->name - 1) != 0) {
		p->name[0] = '\0';
	}
	if ((rc = cli_name("init", "--org", args_get(a, "org") ? args_get(a, "org") : "",
	    BODY_ORG_MAX, p->org, sizeof p->org)) != 0)
		return rc;
	p->new_net = args_get(a, "new-network");
	if (netfile != NULL && p->new_net != NULL)
		return cli_usage("init", "--network-key and --new-network exclude each other");
	for (const char **f = (const char *[]){ "identity.key", "network.key", "store", NULL }; *f; f++) {
		if (home_path(p->dir, *f, path, sizeof path))
			return 1;
		if (lstat(path, &sb) == 0)
			return cli_fail("'%s' already holds an evalmesh home (%s exists); "
			    "refusing to change it", p->dir, *f);
	}
	if (p->new_net != NULL && lstat(p->new_net, &sb) == 0)
		return cli_fail("--new-network: '%s' exists; refusing to overwrite it", p->new_net);
	if ((p->pass_var = args_get(a, "passphrase-env")) != NULL) {
		p->pass = getenv(p->pass_var);
		if (p->pass == NULL || *p->pass == '\0')
			return cli_fail("--passphrase-env: $%s is not set or empty", p->pass_var);
	}
	if (netfile != NULL && (err = netkey_read(netfile, 0, p->netkey)) != EM_OK)
		return cli_fail("--network-key: '%s': %s", netfile, err == EM_EFORMAT ?
		    "not a network key (64 hex digits)" : em_strerror(err));
	if (netfile == NULL && p->new_net == NULL)
		netkey_open(p->netkey);
	else if (p->new_net != NULL)
		netkey_generate(p->netkey);
	return 0;
}

static int
sign_profile(home_ctx *h, const struct plan *p)
{
	body_any b = { .kind = REC_NODE };
	uint8_t *enc = NULL, id[32];
	size_t len;
	em_err err;

	snprintf(b.u.node.name, sizeof b.u.node.name, "%s", p->name);
	snprintf(b.u.node.org, sizeof b.u.node.org, "%s", p->org);
	if ((err = body_encode(&b, &enc, &len)) == EM_OK)
		err = store_publish(h->st, h->me, REC_NODE, enc, len, em_wall_ms(em_clock_system()), id, NULL);
	free(enc);
	if (err == EM_OK && (err = store_meta_set(h->st, "name", p->name)) == EM_OK &&
	    (err = store_meta_set(h->st, "org", p->org)) == EM_OK && p->pass_var)
		err = store_meta_set(h->st, "passphrase_env", p->pass_var);
	return err == EM_OK ? 0 : cli_fail("cannot write the store: %s", em_strerror(err));
}

static int
create(struct plan *p)
{
	char path[HOME_PATH_MAX + 32];
	struct home_files f;
	store_opts o;
	home_ctx h;
	em_err err;

	memset(&h, 0, sizeof h);
	if (mkdir(p->dir, 0700) == 0)
		p->made_dir = 1;
	else if (errno != EEXIST)
		return cli_fail("cannot create '%s': %s", p->dir, strerror(errno));
	if (p->new_net && (err = netkey_create(p->new_net, p->netkey)) != EM_OK)
		return cli_fail("--new-network: cannot write '%s': %s", p->new_net, em_strerror(err));
	if (home_path(p->dir, "network.key", path, sizeof path))
		return 1;
	if ((err = netkey_create(path, p->netkey)) != EM_OK)
		return cli_fail("cannot write '%s': %s", path, em_strerror(err));
	if ((err = ident_generate(&h.me)) != EM_OK)
		return cli_fail("cannot make an identity: %s", em_strerror(err));
	if (home_path(p->dir, "identity.key", path, sizeof path) ||
	    (err = keyfile_create(path, h.me, p->pass)) != EM_OK) {
		ident_free(h.me);
		return cli_fail("cannot write '%s': %s", path, em_strerror(err));
	}
	netkey_id(p->netkey, h.netid);
	if (home_store_opts(p->dir, &f, &o)) {
		ident_free(h.me);
		return 1;
	}
	if ((err = store_open(f.store, h.netid, &o, &h.st)) != EM_OK) {
		ident_free(h.me);
		return cli_fail("cannot create the store: %s", em_strerror(err));
	}
	err = sign_profile(&h, p);
	memcpy(h.pk, ident_pk(h.me), 32);
	home_close(&h);
	return err != EM_OK;
}

/* Removes what a failed create() made, so a retry starts clean. */
static void
undo(const struct plan *p)
{
	char path[HOME_PATH_MAX + 32];

	for (const char **f = (const char *[]){ "identity.key", "network.key",
	    "store/data.mdb", "store/lock.mdb", "store", HOME_SEQ_FILE, NULL }; *f; f++) {
		if (home_path(p->dir, *f, path, sizeof path) == 0)
			remove(path);
	}
	if (p->made_dir)
		rmdir(p->dir);
}

int
cmd_init(int argc, char **argv)
{
	struct plan p;
	args_parsed a;
	char hex[ID_HEX_LEN + 1];
	uint8_t pk[32], netid[32];
	int sealed, rc;

	memset(&p, 0, sizeof p);
	if ((rc = cli_args("init", &a, opts, sizeof opts / sizeof opts[0], argc, argv, 0)) != 0)
		return rc;
	if (args_help(&a))
		return cli_help(help);
	if (hash_init() != EM_OK)
		return cli_fail("cannot initialise libsodium");
	if ((rc = check(&p, &a)) != 0)
		return rc;
	if (create(&p) != 0) {
		undo(&p);
		hash_wipe(p.netkey, sizeof p.netkey);
		return 1;
	}
	{
		char kp[HOME_PATH_MAX + 32];

		home_path(p.dir, "identity.key", kp, sizeof kp);
		keyfile_public(kp, pk, &sealed);
	}
	netkey_id(p.netkey, netid);
	hash_wipe(p.netkey, sizeof p.netkey);
	hex_encode(hex, pk, 32);
	printf("initialised %s\nnode id  %s\n", p.dir, hex);
	hex_encode(hex, netid, 32);
	printf("network  %s%s\n", hex, args_get(&a, "network-key") || p.new_net ? "" : " (open network)");
	if (p.new_net)
		printf("network key written to %s: give it to the other members over a safe channel\n", p.new_net);
	return 0;
}

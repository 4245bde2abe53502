/* evalmesh revoke — withdraw one of your own records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cli.h"
#include "hex.h"
#include "home.h"

static const char help[] =
"usage: evalmesh revoke RECORD_ID [--reason TEXT] [--home DIR]\n"
"           [--passphrase-env VAR] [--json]\n\n"
"Signs and publishes a revoke record for one of this node's own records (a\n"
"result, a task, ...). It reaches every node by gossip; a revoked result\n"
"leaves every leaderboard's ranking (shown, marked, with --all). The record\n"
"itself stays, as signed history. Revoking another node's record is refused;\n"
"revoking a record again signs nothing and names the first revocation.\n";

struct prior {
	const uint8_t	*target;
	uint8_t		 id[32];	/* our revocation of it, once found */
	int		 found;
};

static int
prior_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	struct prior *p = ctx;

	(void)flags;
	if (env->kind == REC_REVOKE && memcmp(b->u.ref.target, p->target, 32) == 0) {
		memcpy(p->id, env->id, 32);
		p->found = 1;
		return 1;	/* stop */
	}
	return 0;
}

static const opt opts[] = {
	{ "home", OPT_VALUE, 0 }, { "passphrase-env", OPT_VALUE, 0 }, { "json", OPT_FLAG, 0 },
	{ "reason", OPT_VALUE, 0 },
};

int
cmd_revoke(int argc, char **argv)
{
	char hex[ID_HEX_LEN + 1], ahex[ID_HEX_LEN + 1];
	const char *reason;
	uint8_t target[32], *bytes = NULL, *enc = NULL, id[32];
	size_t len;
	rec_env env;
	body_any b = { .kind = REC_REVOKE };
	struct prior prior = { .target = target };
	args_parsed a;
	home_ctx h;
	int rc = 0;
	em_err err;

	if ((rc = cli_args("revoke", &a, opts, sizeof opts / sizeof opts[0], argc, argv, 1)) != 0)
		return rc;
	if (args_help(&a))
		return cli_help(help);
	if (a.n_pos != 1)
		return cli_usage("revoke", "give the RECORD_ID to revoke");
	reason = args_get(&a, "reason") ? args_get(&a, "reason") : "";
	if ((rc = cli_id("revoke", "RECORD_ID", a.pos[0], "record")) != 0 ||
	    (rc = cli_text("revoke", "--reason", reason, BODY_TEXT_MAX)) != 0)
		return rc;
	if (home_open(&h, &a, 1))
		return 1;
	if (home_resolve(&h, SPACE_RECORD, a.pos[0], target, "record")) {
		home_close(&h);
		return 1;
	}
	hex_encode(hex, target, 32);
	if ((err = store_get(h.st, target, &bytes, &len)) != EM_OK ||
	    (err = rec_parse(bytes, len, &env, NULL)) != EM_OK) {
		rc = cli_fail("cannot read record %.16s: %s", hex, em_strerror(err));
	} else if (memcmp(env.author, h.pk, 32) != 0) {
		hex_encode(ahex, env.author, 32);
		rc = cli_fail("record %.16s is by node %.16s, not this node: only its author can "
		    "revoke it", hex, ahex);
	} else if (env.kind == REC_REVOKE) {
		rc = cli_fail("record %.16s is itself a revocation; revocations are final", hex);
	} else if ((err = store_records(h.st, h.pk, 0, prior_fn, &prior)) != EM_OK) {
		rc = cli_fail("cannot read this node's records: %s", em_strerror(err));
	} else if (prior.found) {	/* once is final: a second would say nothing more */
		hex_encode(ahex, prior.id, 32);
		if (args_get(&a, "json"))
			rc = cli_json_print(json_pack("{s:s, s:s, s:b}", "id", ahex, "revokes", hex,
			    "already", 1));
		else
			printf("%s %s was revoked already\n  revocation %s\n",
			    body_kind_name(env.kind), hex, ahex);
	} else {
		memcpy(b.u.ref.target, target, 32);
		snprintf(b.u.ref.text, sizeof b.u.ref.text, "%s", reason);
		if ((err = body_encode(&b, &enc, &len)) == EM_OK)
			err = store_publish(h.st, h.me, REC_REVOKE, enc, len, em_wall_ms(em_clock_system()), id, NULL);
		if (err != EM_OK) {
			rc = cli_fail("cannot publish the revocation: %s", em_strerror(err));
		} else {
			hex_encode(ahex, id, 32);
			if (args_get(&a, "json"))
				rc = cli_json_print(json_pack("{s:s, s:s}", "id", ahex, "revokes", hex));
			else
				printf("revoked %s %s\n  revocation %s\n", body_kind_name(env.kind), hex, ahex);
		}
	}
	free(bytes);
	free(enc);
	home_close(&h);
	return rc;
}

/* evalmesh audit — ask a result's author to open some of its items, and
 * show what the audits of a result came to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "board.h"
#include "clock.h"
#include "cli.h"
#include "hex.h"
#include "home.h"
#include "task_audit.h"

static const char help[] =
"usage: evalmesh audit RESULT_ID [--items K] [--within SECONDS] [--home DIR]\n"
"           [--passphrase-env VAR] [--json]\n"
"       evalmesh audit show RESULT_ID [--home DIR] [--json]\n\n"
"Publishes a challenge record asking the author of a result to open K of its\n"
"items (default 3, at most 16). Which items is drawn from a hash of the\n"
"challenge record and the result, so neither side picks them. The author's\n"
"node answers by itself with each item's output and its Merkle proof against\n"
"the root the result committed to; every node checks the proofs, scores the\n"
"outputs again by the task's metric and compares them with the result's\n"
"scores. 'results' and 'leaderboard' then show the result as audited, or\n"
"failed-audit (the author's own signed response is the evidence), or\n"
"audit-unanswered once SECONDS (default 86400) have passed without an answer.\n\n"
"THE OPENED OUTPUTS BECOME VISIBLE TO EVERY MEMBER of the network: the\n"
"model's answers to the drawn items are published in the response record.\n\n"
"  --items K          items to open, 1 to 16 (default 3)\n"
"  --within SECONDS   the time the author has to answer (default 86400, at\n"
"                     most 30 days)\n\n"
"'audit show RESULT_ID' lists the result's challenges and what each came to:\n"
"passed, failed (and why), unverified (the task's items are not here yet, or\n"
"an output was too long to open), unanswered, or pending.\n";

static const opt opts[] = {
	{ "home", OPT_VALUE, 0 }, { "passphrase-env", OPT_VALUE, 0 }, { "json", OPT_FLAG, 0 },
	{ "items", OPT_VALUE, 0 }, { "within", OPT_VALUE, 0 },
};

/* The result named by text, checked to be one that can be audited. */
static int
find_result(home_ctx *h, const char *text, uint8_t id[static 32], int need_root)
{
	char hex[ID_HEX_LEN + 1];
	uint8_t *bytes = NULL;
	size_t len;
	rec_env env;
	body_any b;
	int rc = 0;

	if (home_resolve(h, SPACE_RECORD, text, id, "record"))
		return 1;
	hex_encode(hex, id, 32);
	if (store_get(h->st, id, &bytes, &len) != EM_OK ||
	    rec_parse(bytes, len, &env, NULL) != EM_OK || rec_body(&env, &b) != EM_OK)
		rc = cli_fail("cannot read record %.16s", hex);
	else if (env.kind != REC_RESULT)
		rc = cli_fail("record %.16s is a %s, not a result", hex, body_kind_name(env.kind));
	else if (need_root && !b.u.result.has_merkle)
		rc = cli_fail("result %.16s commits to no per-item Merkle root (published by hand?): "
		    "there is nothing its author could open", hex);
	free(bytes);
	return rc;
}

static int
challenge(home_ctx *h, const args_parsed *a)
{
	body_any b = { .kind = REC_CHALLENGE };
	char hex[ID_HEX_LEN + 1], rhex[ID_HEX_LEN + 1];
	uint8_t *enc = NULL, id[32];
	uint64_t k, within;
	size_t len;
	em_err err;
	int rc;

	if ((rc = cli_number("audit", a, "items", 1, BODY_AUDIT_K_MAX, AUDIT_K_DEFAULT, &k)) ||
	    (rc = cli_number("audit", a, "within", 1, BODY_AUDIT_WITHIN_MAX,
	    AUDIT_WITHIN_DEFAULT, &within)))
		return rc;
	if ((rc = find_result(h, a->pos[0], b.u.challenge.result, 1)) != 0)
		return rc;
	b.u.challenge.k = (uint32_t)k;
	b.u.challenge.within_s = (uint32_t)within;
	if ((err = body_encode(&b, &enc, &len)) == EM_OK)
		err = store_publish(h->st, h->me, REC_CHALLENGE, enc, len,
		    em_wall_ms(em_clock_system()), id, NULL);
	free(enc);
	if (err != EM_OK)
		return cli_fail("cannot publish the challenge: %s", em_strerror(err));
	hex_encode(hex, id, 32);
	hex_encode(rhex, b.u.challenge.result, 32);
	if (args_get(a, "json"))
		return cli_json_print(json_pack("{s:s, s:s, s:i, s:i}", "id", hex, "result", rhex,
		    "items", (int)k, "within_s", (int)within));
	printf("challenged result %s\n  challenge %s\n  items %llu, to be answered within "
	    "%llu s; the opened outputs will be visible to every member\n", rhex, hex,
	    (unsigned long long)k, (unsigned long long)within);
	return 0;
}

static json_t *
one_json(const task_audit_one *o)
{
	char c[ID_HEX_LEN + 1], by[ID_HEX_LEN + 1], r[ID_HEX_LEN + 1], t[32];
	int answered = o->state != AUDIT_PENDING && o->state != AUDIT_UNANSWERED;

	hex_encode(c, o->challenge, 32);
	hex_encode(by, o->challenger, 32);
	hex_encode(r, o->response, 32);
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:s?, s:s}", "challenge", c,
	    "challenger", by, "state", task_audit_state_name(o->state), "items", (int)o->k,
	    "due", em_time_iso(o->due, t, sizeof t), "response", answered ? r : NULL,
	    "why", o->why);
}

static int
show(home_ctx *h, const args_parsed *a, const char *text)
{
	task_audit *au = malloc(sizeof *au);
	uint8_t id[32];
	char hex[ID_HEX_LEN + 1], c[ID_HEX_LEN + 1], by[ID_HEX_LEN + 1];
	const char *w[BOARD_FLAG_WORDS];
	json_t *arr;
	em_err err;
	int rc;

	if (au == NULL)
		return cli_fail("out of memory");
	if ((rc = find_result(h, text, id, 0)) != 0)
		goto out;
	if ((err = task_audit_of(h->st, id, em_wall_ms(em_clock_system()), au)) != EM_OK) {
		rc = cli_fail("cannot read the audits: %s", em_strerror(err));
		goto out;
	}
	hex_encode(hex, id, 32);
	if (args_get(a, "json")) {
		size_t n = board_flag_words(au->flags, w);
		json_t *fl = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(fl, json_string(w[i]));
		arr = json_array();
		for (size_t i = 0; i < au->n; i++)
			json_array_append_new(arr, one_json(&au->one[i]));
		rc = cli_json_print(json_pack("{s:s, s:o, s:o}", "result", hex, "flags", fl,
		    "audits", arr));
		goto out;
	}
	printf("result %s: %zu audit%s\n", hex, au->n, au->n == 1 ? "" : "s");
	for (size_t i = 0; i < au->n; i++) {
		const task_audit_one *o = &au->one[i];

		hex_encode(c, o->challenge, 32);
		hex_encode(by, o->challenger, 32);
		printf("  %.16s by %.16s, %u items: %s%s%s\n", c, by, o->k,
		    task_audit_state_name(o->state), o->why[0] ? ": " : "", o->why);
	}
out:
	free(au);
	return rc;
}

int
cmd_audit(int argc, char **argv)
{
	args_parsed a;
	home_ctx h;
	int rc, is_show;

	if ((rc = cli_args("audit", &a, opts, sizeof opts / sizeof opts[0], argc, argv, 2)) != 0)
		return rc;
	if (args_help(&a))
		return cli_help(help);
	is_show = a.n_pos == 2 && strcmp(a.pos[0], "show") == 0;
	if (a.n_pos != 1 && !is_show)
		return cli_usage("audit", "give the RESULT_ID to audit, or 'show RESULT_ID'");
	if ((rc = cli_id("audit", "RESULT_ID", a.pos[is_show], "result")) != 0)
		return rc;
	if (home_open(&h, &a, !is_show))
		return 1;
	rc = is_show ? show(&h, &a, a.pos[1]) : challenge(&h, &a);
	home_close(&h);
	return rc;
}

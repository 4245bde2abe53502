/* evalmesh import — verify and store the records of a bundle file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "cli.h"
#include "file.h"
#include "hex.h"
#include "home.h"
#include "log.h"
#include "task.h"

#define FILE_MAX	((size_t)1 << 30)
#define BATCH		512	/* records per write transaction */

static const char help[] =
"usage: evalmesh import FILE [--home DIR]\n\n"
"Reads a bundle written by 'evalmesh export', verifies every record (its\n"
"encoding and its signature for this node's network) and stores the good\n"
"ones. Each bad record is reported with its position and reason; the rest\n"
"still go in. A bundle for another network, or one cut short or damaged in\n"
"its framing, is refused whole and nothing is stored. Importing the same\n"
"bundle again changes nothing. Exits 1 if any record was rejected.\n";

static const opt opts[] = { { "home", OPT_VALUE, 0 } };

struct tally {
	uint64_t new_, dup, equiv, bad;
};

/* Checks the framing of the whole bundle before any record is stored, so a
 * truncated or foreign file changes nothing. */
static int
check_frames(const home_ctx *h, const char *path, const uint8_t *buf, size_t len)
{
	bundle_reader br;
	const uint8_t *netid, *rec;
	char a[ID_HEX_LEN + 1], b[ID_HEX_LEN + 1];
	size_t rlen;
	em_err err;

	if ((err = bundle_open(&br, buf, len, &netid)) != EM_OK)
		return cli_fail("'%s' is not an evalmesh bundle (%s)", path,
		    err == EM_ETRUNC ? "truncated header" : "bad magic");
	if (memcmp(netid, h->netid, 32) != 0) {
		hex_encode(a, netid, 32);
		hex_encode(b, h->netid, 32);
		return cli_fail("'%s' is a bundle for network %s; this node is on network %s",
		    path, a, b);
	}
	while ((err = bundle_next(&br, &rec, &rlen)) == EM_OK && rec != NULL)
		;
	if (err != EM_OK)
		return cli_fail("'%s': %s at byte %zu after %llu records; nothing imported",
		    path, err == EM_ETRUNC ? "bundle is truncated" : em_strerror(err),
		    br.offset, (unsigned long long)br.seen);
	return 0;
}

static int
flush(home_ctx *h, rec_env *envs, size_t n, struct tally *t)
{
	int status[BATCH];
	char hex[ID_HEX_LEN + 1];
	em_err err = store_put_batch(h->st, envs, n, status);

	if (err != EM_OK)
		return cli_fail("cannot store records: %s", em_strerror(err));
	for (size_t i = 0; i < n; i++) {
		if (status[i] == STORE_DUP) {
			t->dup++;
			continue;
		}
		t->new_++;
		if (status[i] == STORE_EQUIV) {
			t->equiv++;
			hex_encode(hex, envs[i].author, 32);
			log_warn("author %s signed two records with seq %llu; both kept "
			    "as evidence", hex, (unsigned long long)envs[i].seq);
		}
	}
	return 0;
}

/* A task record that disagrees with itself (task_body_check), as a node
 * refuses it from a peer: 1 with the reason in why. */
static int
task_bad(const rec_env *env, char *why, size_t cap)
{
	body_any b;

	if (env->kind != REC_TASK)
		return 0;
	if (rec_body(env, &b) != EM_OK) {
		snprintf(why, cap, "task: body unreadable");
		return 1;
	}
	return task_body_check(&b.u.task, why, cap) != EM_OK;
}

static int
import_all(home_ctx *h, const char *path, const uint8_t *buf, size_t len, struct tally *t)
{
	static rec_env envs[BATCH];
	bundle_reader br;
	const uint8_t *netid, *rec;
	char msg[256];
	size_t rlen, n = 0;

	bundle_open(&br, buf, len, &netid);
	while (bundle_next(&br, &rec, &rlen) == EM_OK && rec != NULL) {
		rec_why why;
		em_err err = rec_open(rec, rlen, h->netid, &envs[n], &why);

		if (err != EM_OK) {
			t->bad++;
			fprintf(stderr, "evalmesh: %s: record %llu at byte %zu rejected: %s\n",
			    path, (unsigned long long)br.seen, br.offset,
			    rec_strerror(err, &why, msg, sizeof msg));
			continue;
		}
		if (task_bad(&envs[n], msg, sizeof msg)) {
			t->bad++;
			fprintf(stderr, "evalmesh: %s: record %llu at byte %zu rejected: %s\n",
			    path, (unsigned long long)br.seen, br.offset, msg);
			continue;
		}
		if (++n == BATCH) {
			if (flush(h, envs, n, t))
				return 1;
			n = 0;
		}
	}
	return flush(h, envs, n, t);
}

int
cmd_import(int argc, char **argv)
{
	uint8_t *buf = NULL;
	size_t len;
	struct tally t = { 0, 0, 0, 0 };
	args_parsed a;
	home_ctx h;
	em_err err;
	int rc;

	if ((rc = cli_args("import", &a, opts, sizeof opts / sizeof opts[0], argc, argv, 1)) != 0)
		return rc;
	if (args_help(&a))
		return cli_help(help);
	if (a.n_pos != 1)
		return cli_usage("import", "expected the bundle FILE");
	if ((err = file_read(a.pos[0], FILE_MAX, &buf, &len)) != EM_OK)
		return cli_fail("cannot read '%s': %s", a.pos[0], file_strerror(err));
	if (home_open(&h, &a, 0)) {
		free(buf);
		return 1;
	}
	rc = check_frames(&h, a.pos[0], buf, len);
	if (rc == 0)
		rc = import_all(&h, a.pos[0], buf, len, &t);
	home_close(&h);
	free(buf);
	if (rc != 0)
		return rc;
	printf("imported %llu new records (%llu already present, %llu equivocations, "
	    "%llu rejected)\n", (unsigned long long)t.new_, (unsigned long long)t.dup,
	    (unsigned long long)t.equiv, (unsigned long long)t.bad);
	return t.bad != 0;
}

/* evalmesh verify — re-verify a stored record, a record file or a bundle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "cli.h"
#include "file.h"
#include "hex.h"
#include "home.h"
#include "netkey.h"

#define FILE_MAX ((size_t)1 << 30)

static const char help[] =
"usage: evalmesh verify RECORD_ID [--home DIR]\n"
"       evalmesh verify --file FILE [--home DIR]\n\n"
"Checks a record completely: its encoding, every field of its body, and\n"
"its signature for this node's network. RECORD_ID (or a unique prefix of 8\n"
"or more hex digits) names a stored record; FILE holds one record's signed\n"
"bytes or a bundle written by 'evalmesh export'. Says exactly what is wrong\n"
"with an invalid record, and exits 1 if any record is invalid.\n";

static const opt opts[] = { { "home", OPT_VALUE, 0 }, { "file", OPT_VALUE, 0 } };

/* One line for one record; returns 1 if valid. want, if not NULL, is the
 * id the record is stored under: the bytes must hash to it. */
static int
check_one(const home_ctx *h, const uint8_t *buf, size_t len, const char *where,
    const uint8_t *want)
{
	char msg[256], hex[ID_HEX_LEN + 1], ahex[ID_HEX_LEN + 1];
	uint8_t open_key[32], open_id[32];
	rec_env env;
	rec_why why;
	em_err err = rec_open(buf, len, h->netid, &env, &why);

	if (err == EM_ESIG) {
		/* Say whether it is a record of the open network brought here. */
		netkey_open(open_key);
		netkey_id(open_key, open_id);
		hex_encode(hex, h->netid, 32);
		if (!h->open_network && rec_verify(&env, open_id) == EM_OK)
			printf("%sinvalid: signed for the open network, not this node's network %s\n",
			    where, hex);
		else
			printf("%sinvalid: signature does not verify for network %s "
			    "(altered, or signed for another network)\n", where, hex);
		return 0;
	}
	if (err != EM_OK) {
		printf("%sinvalid: %s\n", where, rec_strerror(err, &why, msg, sizeof msg));
		return 0;
	}
	hex_encode(hex, env.id, 32);
	if (want != NULL && memcmp(want, env.id, 32) != 0) {
		printf("%sinvalid: stored bytes hash to %s, not to the id they are "
		    "stored under (the store is damaged)\n", where, hex);
		return 0;
	}
	hex_encode(ahex, env.author, 32);
	printf("%svalid: %s record %s by %s seq %llu\n", where,
	    body_kind_name(env.kind), hex, ahex, (unsigned long long)env.seq);
	return 1;
}

static int
verify_bundle(const home_ctx *h, const uint8_t *buf, size_t len)
{
	bundle_reader br;
	const uint8_t *netid, *rec;
	char where[64], hex[ID_HEX_LEN + 1];
	size_t rlen;
	uint64_t bad = 0, n = 0;
	em_err err;

	bundle_open(&br, buf, len, &netid);
	if (memcmp(netid, h->netid, 32) != 0) {
		hex_encode(hex, netid, 32);
		printf("bundle is for network %s, not this node's\n", hex);
	}
	while ((err = bundle_next(&br, &rec, &rlen)) == EM_OK && rec != NULL) {
		snprintf(where, sizeof where, "record %llu at byte %zu: ",
		    (unsigned long long)++n, br.offset);
		bad += !check_one(h, rec, rlen, where, NULL);
	}
	if (err != EM_OK) {
		printf("bundle: %s at byte %zu (after %llu records)\n", em_strerror(err),
		    br.offset, (unsigned long long)n);
		return 1;
	}
	printf("%llu records, %llu invalid\n", (unsigned long long)n, (unsigned long long)bad);
	return bad != 0;
}

static int
verify_file(const home_ctx *h, const char *path)
{
	uint8_t *buf;
	size_t len;
	bundle_reader br;
	const uint8_t *netid;
	em_err err;
	int rc;

	if ((err = file_read(path, FILE_MAX, &buf, &len)) != EM_OK)
		return cli_fail("--file '%s': %s", path, file_strerror(err));
	if (bundle_open(&br, buf, len, &netid) == EM_OK)
		rc = verify_bundle(h, buf, len);
	else
		rc = !check_one(h, buf, len, "", NULL);
	free(buf);
	return rc;
}

int
cmd_verify(int argc, char **argv)
{
	const char *file;
	uint8_t id[32], *buf = NULL;
	size_t len;
	args_parsed a;
	home_ctx h;
	int rc;

	if ((rc = cli_args("verify", &a, opts, sizeof opts / sizeof opts[0], argc, argv, 1)) != 0)
		return rc;
	if (args_help(&a))
		return cli_help(help);
	file = args_get(&a, "file");
	if ((file == NULL) == (a.n_pos == 0))
		return cli_usage("verify", "give either a RECORD_ID or --file FILE");
	if (file == NULL && (rc = cli_id("verify", "RECORD_ID", a.pos[0], "record")) != 0)
		return rc;
	if (home_open_read(&h, &a))
		return 1;
	if (file != NULL) {
		rc = verify_file(&h, file);
	} else if ((rc = home_resolve(&h, SPACE_RECORD, a.pos[0], id, "record")) == 0) {
		if (store_get(h.st, id, &buf, &len) != EM_OK)
			rc = cli_fail("cannot read record from the store");
		else
			rc = !check_one(&h, buf, len, "", id);
		free(buf);
	}
	home_close(&h);
	return rc;
}

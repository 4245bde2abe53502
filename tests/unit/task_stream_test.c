/* A task's items, streamed, come to what they came to when every item
 * was held: for each case of task_cases.h, as an author publishes it (the
 * task id, items root and chunk count, or the error, word for word) and
 * as a node reads the chunks from its store (a digest of every item's
 * prompt: chat messages, completion prompt and the size a budget counts;
 * or the error, word for word). The texts were recorded from main before
 * items were streamed (see task_cases.h). Also: a file that changes
 * between the check and the store is refused, storing no chunk that was
 * not checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "task.h"
#include "testutil.h"
#include "task_cases.h"

/* What main's build gave, case by case: publishing the files, then
 * reading the published chunks (NULL when publishing failed). The ids
 * are version 2 task ids (body_task_id), printed by this test's own build
 * when the id came to bind n_items, the chunk list, name and version
 * (issue 13); roots and digests are main's, unchanged. */
static const struct { const char *name, *file, *stored; } pinned[] = {
	{ "one",
	    "file ok n=1 chunks=1 root=0c89fbc15f27e2ef8aa88de51823deaedaefd36f8728719df9bd1c3e8d81b986 id=6cd021af1da53998ee20cf99314b77e1457c9c9b6edcda001c8fc15050efd42b",
	    "store ok n=1 digest=87147819a50b8b0c93c5776e990a65397b940c43e07aca510a66c0e936d9c7e9" },
	{ "fewshot3",
	    "file ok n=10 chunks=1 root=c4d80b6b2540187ad8286b47392df37eb7d4531bd64a07d9657367d0a8706995 id=3d0cc77c5cafafea666f1a2642464663fd78b0bec40d85924adfb278ff49f4a7",
	    "store ok n=10 digest=a708d85605cc58a88c19af0e35b51f110f7439d0eeac48fc923aad0a5ce4a371" },
	{ "fewshot-all",
	    "file ok n=5 chunks=1 root=b8c5b562e8c9b42550d526f7060e7c27b759908605a83f9ef207d06a22666dae id=c1d0a5d3a4df06fd4224d18682d2e00052c538c94875314b9d3475d68130f8ff",
	    "store ok n=5 digest=20762c5f1b7f45a1b5ce81edb8e7b2eeaff1225445105fc3d0acb5d6380247fc" },
	{ "fewshot-over",
	    "file err=-3 DIR/fewshot-over/manifest.json:1: fewshot: 5 examples need at least 6 items (an item is never its own example); the task has 3",
	    NULL },
	{ "chunks",
	    "file ok n=700 chunks=3 root=3602d1c5c4c51c4e9df85df8fe8a2a425ee46a0b64fee5ee10bf90df6451462e id=3e84e3a856cd6fd7e40f43f9af4bca171b80cfea171f5bf5a30adfb1adec4f79",
	    "store ok n=700 digest=2ff065acbb86587f8fc2ca3eb30a77370fcd43c658891c62c2e1a9d42898a225" },
	{ "blank-ids",
	    "file ok n=20 chunks=1 root=98ede3b6528a72934c6706e22040cd06ef990ddd34efb32c5a3ec98ea6ec4637 id=f3ba15f31aefb04856da06d6c29ed1378b18a030e6f12a0a30827f6ed740c0c5",
	    "store ok n=20 digest=617040494d04590ef879b003adaf91d58a22d5a5d93ba771116449d65d49caf3" },
	{ "dup",
	    "file err=-3 DIR/dup/items.jsonl:9: id already used on line 5",
	    NULL },
	{ "bad-last",
	    "file err=-3 DIR/bad-last/items.jsonl:697: a: the target field is missing or not a string or number",
	    NULL },
};

/* ... and reading records a peer could send (tc_peers, in order). */
static const char *const pinned_peers[] = {
	"store ok n=1 digest=87147819a50b8b0c93c5776e990a65397b940c43e07aca510a66c0e936d9c7e9",
	"store ok n=3 digest=6cb221eb7a80f09cdd1149dd6c9880daa742d8e4c02ecf8b23aa25604a0bf612",
	"store err=-3 items 3 and 6 have the same id",
	"store err=-3 item 697: a: the target field is missing or not a string or number",
	"store err=-3 the chunks hold 10 items, the record says 11",
	"store err=-3 the items do not hash to the record's items root",
	"store err=-14 1 of 3 item chunks are not here yet",
};

static uint8_t netid[32];

/* Reads the record's chunks from st as eval does, into out: the digest
 * of every item's prompt, or the error. */
static void
stored(store *st, const char *manifest, const body_task *b, char *out, size_t cap)
{
	char why[TASK_WHY_MAX], hex[65];
	uint8_t h[32];
	hash_state hs;
	task_spec s;
	task_shots sh;
	task_reader *rd;
	task_item it;
	size_t n = 0;
	em_err err;

	if ((err = task_spec_parse((const uint8_t *)manifest, strlen(manifest), &s, why,
	    sizeof why)) != EM_OK)
		fail_msg("%s", why);
	if ((err = task_items_check(st, &s, b, &sh, why, sizeof why)) != EM_OK) {
		snprintf(out, cap, "store err=%d %s", err, why);
		task_spec_free(&s);
		return;
	}
	assert_true(sh.n_kept <= s.fewshot + 1);
	hash_start(&hs);
	assert_int_equal(task_reader_open(st, &s, b, &rd), EM_OK);
	while ((err = task_reader_next(rd, &it, why, sizeof why)) == EM_OK && it.item != NULL) {
		json_t *m = task_messages(&s, &sh, it.item, it.index);
		char *d = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS), *f = task_flatten(m);

		assert_int_equal(it.index, n++);
		assert_non_null(d);
		assert_non_null(f);
		/* counted without building it, the same size */
		assert_int_equal(task_prompt_size(&s, &sh, it.item, it.index), task_prompt_bytes(m));
		tc_digest_add(&hs, d, f, task_prompt_bytes(m));
		free(d);
		free(f);
		json_decref(m);
	}
	assert_int_equal(err, EM_OK);
	assert_int_equal(n, sh.n);
	task_reader_free(rd);
	hash_finish(&hs, h);
	hex_encode(hex, h, 32);
	snprintf(out, cap, "store ok n=%zu digest=%s", sh.n, hex);
	task_shots_free(&sh);
	task_spec_free(&s);
}

/* Publishes case c from files in base into st as `task publish` does
 * (st NULL: only checks it); what it came to into out, and the record's
 * body into *b (its pointers into *t, which the caller frees). */
static em_err
publish(const struct tcase *c, const char *base, store *st, task_built *t, body_task *b,
    char *out, size_t cap)
{
	char dir[1024], why[TASK_WHY_MAX], root[65], idh[65];
	uint8_t tid[32];
	em_err err;

	snprintf(dir, sizeof dir, "%s/%s", base, c->name);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(tc_write(c, dir), 0);
	strcat(dir, "/manifest.json");
	if ((err = task_load(dir, t, why, sizeof why)) != EM_OK) {
		tc_undir(why, base);
		snprintf(out, cap, "file err=%d %s", err, why);
		return err;
	}
	task_built_body(t, b);
	body_task_id(b, tid);
	hex_encode(root, t->items_root, 32);
	hex_encode(idh, tid, 32);
	snprintf(out, cap, "file ok n=%zu chunks=%zu root=%s id=%s", t->n_items, t->n_chunks, root,
	    idh);
	if (st != NULL && (err = task_built_store(t, st, why, sizeof why)) != EM_OK)
		fail_msg("%s", why);
	return EM_OK;
}

static void
test_published_cases(void **state)
{
	char sdir[512], got[1024], *base;
	store *st;

	(void)state;
	tu_netid(netid);
	st = tu_store(sdir, 0, netid);
	base = strdup(tu_tmpdir());
	assert_int_equal(TC_N, sizeof pinned / sizeof pinned[0]);
	for (size_t c = 0; c < TC_N; c++) {
		task_built t;
		body_task b;

		assert_string_equal(tc_cases[c].name, pinned[c].name);
		if (publish(&tc_cases[c], base, st, &t, &b, got, sizeof got) != EM_OK) {
			assert_string_equal(got, pinned[c].file);
			assert_null(pinned[c].stored);
			continue;
		}
		assert_string_equal(got, pinned[c].file);
		stored(st, t.manifest, &b, got, sizeof got);
		assert_string_equal(got, pinned[c].stored);
		task_built_free(&t);
	}
	store_free(st);
	tu_rmtree(sdir);
	tu_rmtree(base);
	free(base);
}

static void
test_peer_records(void **state)
{
	char got[1024];

	(void)state;
	tu_netid(netid);
	assert_int_equal(TC_PEERS, sizeof pinned_peers / sizeof pinned_peers[0]);
	for (size_t p = 0; p < TC_PEERS; p++) {
		struct tc_record r;
		char sdir[512];
		store *st = tu_store(sdir, 0, netid);

		assert_int_equal(tc_record(&tc_cases[tc_peers[p].c], tc_peers[p].manifest, &r), 0);
		if (tc_peers[p].lie == TC_COUNT)
			r.body.n_items++;
		if (tc_peers[p].lie == TC_ROOT)
			r.body.items_root[5] ^= 1;
		for (size_t i = 0; i < r.n_chunks; i++)
			if (!(tc_peers[p].lie == TC_MISSING && i == 1))
				assert_int_equal(store_blob_put(st, r.hashes[i], (uint8_t *)r.chunk[i],
				    r.len[i]), EM_OK);
		stored(st, r.manifest, &r.body, got, sizeof got);
		assert_string_equal(got, pinned_peers[p]);
		tc_record_free(&r);
		store_free(st);
		tu_rmtree(sdir);
	}
}

/* A line added to the items file between the check and the store (a
 * file being edited): refused, and only the chunks before the one that
 * changed are stored — those the check hashed. */
static void
test_changed_file(void **state)
{
	char sdir[512], got[1024], why[TASK_WHY_MAX], path[1100], *base;
	task_built t;
	body_task b;
	FILE *f;
	store *st;

	(void)state;
	tu_netid(netid);
	st = tu_store(sdir, 0, netid);
	base = strdup(tu_tmpdir());
	assert_int_equal(publish(&tc_cases[4], base, NULL, &t, &b, got, sizeof got), EM_OK);
	assert_int_equal(t.n_chunks, 3);
	snprintf(path, sizeof path, "%s/%s/items.jsonl", base, tc_cases[4].name);
	f = fopen(path, "a");
	assert_non_null(f);
	fputs("{\"id\": \"late\", \"q\": \"?\", \"c\": [\"x\", \"y\"], \"a\": \"A\"}\n", f);
	fclose(f);
	assert_int_equal(task_built_store(&t, st, why, sizeof why), EM_EIO);
	assert_non_null(strstr(why, "changed while it was being published"));
	assert_true(store_blob_has(st, t.chunk_hashes));
	assert_true(store_blob_has(st, t.chunk_hashes + 32));
	assert_false(store_blob_has(st, t.chunk_hashes + 64));
	task_built_free(&t);
	store_free(st);
	tu_rmtree(sdir);
	tu_rmtree(base);
	free(base);
}

/* A prompt bomb: a template repeating its placeholder 5,000 times over a
 * field of 60,000 bytes renders 300 MB per item; its size is counted
 * exactly, without building it (a fresh attacker's task made the
 * prompt-size check of auto-eval's run allocate gigabytes). */
static void
test_prompt_size_counted(void **state)
{
	char manifest[20000 + 256], why[TASK_WHY_MAX], *prompt, *q;
	task_spec s;
	task_shots sh = { 0 };
	json_t *item;
	struct rusage ru0, ru1;

	(void)state;
	prompt = malloc(5000 * 3 + 1);
	q = malloc(60001);
	assert_non_null(prompt);
	assert_non_null(q);
	for (int i = 0; i < 5000; i++)
		memcpy(prompt + 3 * i, "{q}", 3);
	prompt[5000 * 3] = '\0';
	memset(q, 'x', 60000);
	q[60000] = '\0';
	snprintf(manifest, sizeof manifest, "{\"metric\":\"exact_match\",\"name\":\"bomb\","
	    "\"prompt\":\"%s\",\"target\":\"a\",\"version\":\"1\"}", prompt);
	if (task_spec_parse((const uint8_t *)manifest, strlen(manifest), &s, why, sizeof why) !=
	    EM_OK)
		fail_msg("%s", why);
	item = json_pack("{s:i, s:s, s:s}", "id", 1, "q", q, "a", "x");
	assert_non_null(item);
	getrusage(RUSAGE_SELF, &ru0);
	assert_int_equal(task_prompt_size(&s, &sh, item, 0), (size_t)5000 * 60000);
	getrusage(RUSAGE_SELF, &ru1);
	assert_true(ru1.ru_maxrss - ru0.ru_maxrss < 16 * 1024);	/* KiB: nothing built */
	json_decref(item);
	task_spec_free(&s);
	free(prompt);
	free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_published_cases),
		cmocka_unit_test(test_peer_records),
		cmocka_unit_test(test_changed_file),
		cmocka_unit_test(test_prompt_size_counted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

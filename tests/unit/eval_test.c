/* The runner's numbers (node/eval/eval.h): a run stopped and resumed
 * publishes the same result, bit for bit, as one that ran straight
 * through, and the published mean is the mean of the published vector.
 *
 * The task is scored by token F1, whose scores (2/7, 1/3, 2/9, ...) are
 * not whole numbers of 1/BODY_SCORE_SCALE, and one item's answer is
 * longer than the evaluation cache keeps (STORE_EVAL_OUT_MAX), so that a
 * resumed run takes that item's score from the cache instead of scoring
 * it again. The model is this program run again as an exec model
 * ("--model"): JSON lines in, JSON lines out, no other process needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "eval.h"
#include "netkey.h"
#include "stats.h"
#include "testutil.h"

#define ITEMS		24
#define LONG_WORDS	20000	/* "alpha " each: 120 KB, over STORE_EVAL_OUT_MAX */

static uint8_t netid[32];
static char self[PATH_MAX];

/* The exec model: "alpha beta gamma" to every prompt, and "alpha" said
 * LONG_WORDS times to one that asks for it. Returns the exit status. */
static int
model_main(void)
{
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, stdin) > 0) {
		json_t *req = json_loads(line, 0, NULL), *ans;
		const char *prompt = json_string_value(json_object_get(req, "prompt"));
		char *text, *out;

		if (req == NULL || prompt == NULL)
			return 2;
		if (strstr(prompt, "LONG") != NULL) {
			if ((text = malloc(6 * LONG_WORDS + 1)) == NULL)
				return 2;
			for (size_t i = 0; i < LONG_WORDS; i++)
				memcpy(text + 6 * i, "alpha ", 6);
			text[6 * LONG_WORDS] = '\0';
		} else if ((text = strdup("alpha beta gamma")) == NULL) {
			return 2;
		}
		ans = json_pack("{s:O, s:s}", "id", json_object_get(req, "id"), "text", text);
		if (ans == NULL || (out = json_dumps(ans, JSON_COMPACT)) == NULL)
			return 2;
		printf("%s\n", out);
		fflush(stdout);
		free(out);
		free(text);
		json_decref(ans);
		json_decref(req);
	}
	free(line);
	return 0;
}

/* The task: item 0 asks for the long answer (target "alpha beta": F1 about
 * 1e-4), item k > 0 has "alpha" and k - 1 other words as its target (F1
 * 2 / (k + 3) against "alpha beta gamma"). */
static void
write_task(const char *dir, task_built *t)
{
	char path[600], why[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/items.jsonl", dir);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "{\"id\": \"i0\", \"question\": \"LONG\", \"answer\": \"alpha beta\"}\n");
	for (int k = 1; k < ITEMS; k++) {
		fprintf(f, "{\"id\": \"i%d\", \"question\": \"q%d\", \"answer\": \"alpha", k, k);
		for (int w = 1; w < k; w++)
			fprintf(f, " w%d", w);
		fprintf(f, "\"}\n");
	}
	fclose(f);
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "{\"name\": \"f1-numbers\", \"version\": \"1\", \"metric\": \"f1\", "
	    "\"prompt\": \"{question}\", \"target\": \"answer\", \"max_tokens\": 16, "
	    "\"items\": \"items.jsonl\"}\n");
	fclose(f);
	if (task_load(path, t, why, sizeof why) != EM_OK)
		fail_msg("task_load: %s", why);
	assert_int_equal(t->n_items, ITEMS);
}

/* t's record as a task publish makes it (b borrows from t), its id in
 * tr, and its chunks stored in st. */
static void
store_task(store *st, const task_built *t, body_task *b, task_rec *tr)
{
	char why[256];

	memset(b, 0, sizeof *b);
	snprintf(b->name, sizeof b->name, "%s", t->spec.name);
	snprintf(b->version, sizeof b->version, "%s", t->spec.version);
	memcpy(b->items_root, t->items_root, 32);
	b->n_items = t->n_items;
	b->manifest = (const uint8_t *)t->manifest;
	b->manifest_len = t->manifest_len;
	b->n_chunks = (uint32_t)t->n_chunks;
	b->chunks = t->chunk_hashes;
	memset(tr, 0, sizeof *tr);
	body_task_id(b, tr->id);
	tr->body = *b;
	tr->spec = t->spec;	/* borrowed: t frees it */
	if (task_built_store(t, st, why, sizeof why) != EM_OK)
		fail_msg("task_built_store: %s", why);
}

struct published {
	body_any	 b;
	uint8_t		*scores;
	size_t		 cached;	/* items the last run took from the cache */
};

/* One run of o on st, to its end: complete, with its result body. */
static void
run(store *st, const eval_opts *o, struct published *p)
{
	char why[256];
	eval_out out;

	if (eval_run(st, o, &out, why, sizeof why) != EM_OK)
		fail_msg("eval_run: %s", why);
	assert_int_equal(out.scored, ITEMS);
	assert_int_equal(eval_result_body(o, &out, ACCESS_OPEN, &p->b, &p->scores), EM_OK);
	p->cached = out.cached;
	eval_out_free(&out);
}

static void
test_resumed_run_publishes_the_same(void **state)
{
	char dir[512], sa[512], sb[512], cmd[PATH_MAX + 16], why[256];
	task_built t = { 0 };
	task_shots shots;
	body_task body;
	task_rec tr;
	eval_opts o;
	eval_out out;
	struct published once, resumed;
	store *a, *b;
	uint64_t sum = 0;
	double mean;

	(void)state;
	snprintf(dir, sizeof dir, "%s", tu_tmpdir());
	write_task(dir, &t);
	a = tu_store(sa, 0, netid);
	b = tu_store(sb, 0, netid);
	store_task(a, &t, &body, &tr);
	store_task(b, &t, &body, &tr);
	if (task_items_check(a, &tr.spec, &tr.body, &shots, why, sizeof why) != EM_OK)
		fail_msg("task_items_check: %s", why);
	snprintf(cmd, sizeof cmd, "'%s' --model", self);
	o = (eval_opts){ .task = &tr, .shots = &shots, .model_name = "m", .revision = "r1",
	    .model = { .api = MODEL_EXEC, .exec_cmd = cmd, .timeout_ms = 30000,
	    .concurrency = 1 } };

	/* straight through */
	run(a, &o, &once);
	assert_int_equal(once.cached, 0);
	/* stopped after 5 requests (the long item among them), then resumed */
	o.max_requests = 5;
	assert_int_equal(eval_run(b, &o, &out, why, sizeof why), EM_OK);
	assert_true(out.capped);
	assert_int_equal(out.scored, 5);
	assert_true(out.have[0]);
	eval_out_free(&out);
	o.max_requests = 0;
	run(b, &o, &resumed);
	assert_int_equal(resumed.cached, 5);

	/* the same value, interval, root and vector, bit for bit */
	assert_memory_equal(&once.b.u.result.metrics[0].value, &resumed.b.u.result.metrics[0].value,
	    sizeof(double));
	assert_memory_equal(&once.b.u.result.std_err, &resumed.b.u.result.std_err, sizeof(double));
	assert_memory_equal(&once.b.u.result.ci_lo, &resumed.b.u.result.ci_lo, sizeof(double));
	assert_memory_equal(&once.b.u.result.ci_hi, &resumed.b.u.result.ci_hi, sizeof(double));
	assert_memory_equal(once.b.u.result.merkle, resumed.b.u.result.merkle, 32);
	assert_int_equal(once.b.u.result.scores_len, 2 * ITEMS);
	assert_int_equal(resumed.b.u.result.scores_len, 2 * ITEMS);
	assert_memory_equal(once.scores, resumed.scores, 2 * ITEMS);

	/* the mean is the vector's: its whole sum over n * scale */
	for (size_t i = 0; i < ITEMS; i++)
		sum += be_get(once.scores + 2 * i, 2);
	mean = (double)sum / ((double)ITEMS * BODY_SCORE_SCALE);
	assert_memory_equal(&mean, &once.b.u.result.metrics[0].value, sizeof mean);
	/* and the vector holds F1 rounded once: 2/7 is 0.2857, the long
	 * answer about 1e-4 */
	assert_int_equal(be_get(once.scores + 2 * 4, 2), 2857);
	assert_int_equal(be_get(once.scores, 2), 1);

	free(once.scores);
	free(resumed.scores);
	task_shots_free(&shots);
	store_free(a);
	store_free(b);
	tu_rmtree(sa);
	tu_rmtree(sb);
	task_built_free(&t);
	tu_rmtree(dir);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resumed_run_publishes_the_same),
	};
	ssize_t n;

	if (argc > 1 && strcmp(argv[1], "--model") == 0)
		return model_main();
	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) <= 0)
		return 1;
	self[n] = '\0';
	tu_netid(netid);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

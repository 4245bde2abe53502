/* Task manifests and items (node/task/task.h): what the header promises
 * when memory runs out — a reason in why for every failure, EM_ENOMEM
 * said as such, nothing leaked — and the prompt hash a result signs. The
 * allocations are jansson's, failed one at a time through
 * json_set_alloc_funcs; and the first repeat of an id among keys of ids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hash.h"
#include "json_oom.h"
#include "task.h"

/* A numeric task: its target, a number, is turned into text by
 * json_dumps when an item is checked. */
static const char manifest[] = "{\"metric\":\"numeric\",\"name\":\"t\",\"prompt\":\"{q}\","
    "\"target\":\"a\",\"version\":\"1\"}";
static const char chunk[] = "{\"a\":18,\"id\":1,\"q\":\"x\"}\n{\"a\":\"7\",\"id\":2,\"q\":\"y\"}\n";

static void
spec(task_spec *s)
{
	char why[TASK_WHY_MAX];

	if (task_spec_parse((const uint8_t *)manifest, strlen(manifest), s, why,
	    sizeof why) != EM_OK)
		fail_msg("%s", why);
}

/* Each allocation jansson makes while a chunk is parsed fails in turn:
 * every failure says why, in a terminated string, and the one that is out
 * of memory as such (not as a malformed item) says so. */
static void
test_items_out_of_memory(void **state)
{
	char why[TASK_WHY_MAX];
	unsigned nomem = 0, k;
	task_spec s;
	em_err err;

	(void)state;
	spec(&s);
	for (k = 1; k < 1000; k++) {
		task_reader *rd;
		task_item it;
		size_t n = 0;

		memset(why, 'x', sizeof why);	/* no NUL: an unwritten why shows */
		assert_int_equal(task_reader_chunk(&s, (const uint8_t *)chunk, sizeof chunk - 1, &rd),
		    EM_OK);
		arm(k);
		while ((err = task_reader_next(rd, &it, why, sizeof why)) == EM_OK && it.item != NULL)
			n++;
		disarm();
		task_reader_free(rd);
		if (err == EM_OK) {
			assert_int_equal(n, 2);
			break;
		}
		assert_true(err == EM_ENOMEM || err == EM_EFORMAT);
		assert_non_null(memchr(why, '\0', sizeof why));
		assert_true(strncmp(why, "item ", 5) == 0);
		if (err == EM_ENOMEM) {
			assert_non_null(strstr(why, "out of memory"));
			nomem++;
		}
	}
	assert_true(k < 1000);		/* a run with every allocation granted */
	assert_true(nomem > 0);		/* the target's text could not be made */
	task_spec_free(&s);
}

/* The hash covers the tag and the whole canonical manifest; without the
 * memory to write the manifest out it fails rather than hash the tag. */
static void
test_prompt_hash(void **state)
{
	static const char tag[] = "evalmesh/prompt/v1";
	uint8_t got[32], want[32], before[32];
	hash_state hs;
	task_spec s;
	char *m;

	(void)state;
	assert_int_equal(hash_init(), EM_OK);
	spec(&s);
	m = json_dumps(s.manifest, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(m);
	hash_start(&hs);
	hash_update(&hs, (const uint8_t *)tag, sizeof tag - 1);
	hash_update(&hs, (const uint8_t *)m, strlen(m));
	hash_finish(&hs, want);
	free(m);
	assert_int_equal(task_prompt_hash(&s, got), EM_OK);
	assert_memory_equal(got, want, 32);

	memset(got, 0xa5, sizeof got);
	memcpy(before, got, sizeof got);
	arm(1);
	assert_int_equal(task_prompt_hash(&s, got), EM_ENOMEM);
	disarm();
	assert_memory_equal(got, before, 32);	/* untouched */
	task_spec_free(&s);
}

static json_t *
with_id(json_t *id)
{
	return json_pack("{s:o}", "id", id);
}

/* The first repeat of an id, by the position of its second use: typed ids
 * ("7" and 7 differ), several ids used twice or three times, positions
 * given out of order. */
static void
test_ids_first_repeat(void **state)
{
	task_ids ids = { 0 };
	uint32_t a, b;
	json_t *it;

	(void)state;
	assert_int_equal(hash_init(), EM_OK);
	assert_int_equal(task_ids_dup(&ids, &a, &b), EM_OK);	/* none at all */
	for (uint32_t i = 0; i < 3000; i++) {
		char text[16];

		snprintf(text, sizeof text, "%u", i / 2);
		it = with_id(i % 2 ? json_string(text) : json_integer(i / 2));
		assert_int_equal(task_ids_add(&ids, it, 7 * i + 1), EM_OK);
		json_decref(it);
	}
	assert_int_equal(task_ids_dup(&ids, &a, &b), EM_OK);
	assert_int_equal(a + b, 0);
	task_ids_free(&ids);

	/* "x" at 10, 500 and 900; 42 at 200 and 100 (added in that order) */
	for (uint32_t i = 0; i < 1000; i++) {
		char text[16];

		snprintf(text, sizeof text, "n%u", i);
		it = with_id(i == 10 || i == 500 || i == 900 ? json_string("x") :
		    i == 100 || i == 200 ? json_integer(42) : json_string(text));
		assert_int_equal(task_ids_add(&ids, it, i == 100 ? 200 : i == 200 ? 100 : i), EM_OK);
		json_decref(it);
	}
	assert_int_equal(task_ids_dup(&ids, &a, &b), EM_EEXIST);
	assert_int_equal(a, 100);
	assert_int_equal(b, 200);
	task_ids_free(&ids);
	task_ids_free(&ids);	/* a zeroed one is fine */
}

/* A task record against itself (issue 13): the name and version it shows
 * are its manifest's, when the manifest has them. */
static void
test_body_check(void **state)
{
	static const struct { const char *manifest, *name, *version; em_err want; } c[] = {
		{ "{\"name\":\"arith-en\",\"version\":\"1\"}", "arith-en", "1", EM_OK },
		{ "{\"metric\":\"f1\"}", "arith-en", "1", EM_OK },
		{ "{\"name\":\"arith-en\",\"version\":\"1\"}", "arith-xx", "1", EM_EFORMAT },
		{ "{\"name\":\"arith-en\",\"version\":\"1\"}", "arith-en", "2", EM_EFORMAT },
		{ "{\"name\":7}", "arith-en", "1", EM_EFORMAT },
		{ "[1]", "arith-en", "1", EM_EFORMAT },
		{ "{\"name\":", "arith-en", "1", EM_EFORMAT },
		{ "{\"name\":\"a\",\"name\":\"b\"}", "a", "1", EM_EFORMAT },
	};
	char why[TASK_WHY_MAX];
	body_task u = { .name = "arith-xx", .version = "1" };

	(void)state;
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		body_task t = { 0 };

		strcpy(t.name, c[i].name);
		strcpy(t.version, c[i].version);
		t.manifest = (const uint8_t *)c[i].manifest;
		t.manifest_len = strlen(c[i].manifest);
		why[0] = '\0';
		assert_int_equal(task_body_check(&t, why, sizeof why), c[i].want);
		if (c[i].want != EM_OK)
			assert_true(why[0] != '\0');
	}
	u.manifest = (const uint8_t *)"{\"name\":\"arith-en\"}";
	u.manifest_len = strlen((const char *)u.manifest);
	assert_int_equal(task_body_check(&u, why, sizeof why), EM_EFORMAT);
	assert_string_equal(why, "the record's name is not the manifest's (a task signed again "
	    "under another name)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_items_out_of_memory),
		cmocka_unit_test(test_prompt_hash),
		cmocka_unit_test(test_ids_first_repeat),
		cmocka_unit_test(test_body_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The daemon's id map (node/daemon/idmap.h): every id put is found, every
 * id deleted is gone and the others stay, through growth and deletions
 * that shift runs back; ids that share their first bytes (cheap for a
 * peer to grind) spread all the same. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "idmap.h"
#include "testutil.h"

#define N	20000

static void
id_of(uint8_t id[static 32], uint64_t i, int same_prefix)
{
	uint64_t s = i + 1;

	for (int k = 0; k < 4; k++) {
		uint64_t v = tu_next(&s);

		memcpy(id + 8 * k, &v, 8);
	}
	if (same_prefix)
		memset(id, 0xab, 24);	/* only the last 8 bytes differ */
}

static void
run(int same_prefix)
{
	static int vals[N];
	idmap m;
	uint8_t id[32];
	size_t longest = 0, run_len = 0;

	idmap_init(&m, 0x1234, 0x5678);
	assert_null(idmap_get(&m, (uint8_t[32]){ 0 }));
	assert_null(idmap_del(&m, (uint8_t[32]){ 0 }));
	for (uint64_t i = 0; i < N; i++) {
		id_of(id, i, same_prefix);
		assert_int_equal(idmap_put(&m, id, &vals[i]), 0);
	}
	assert_int_equal(m.n, N);
	id_of(id, 7, same_prefix);
	assert_int_equal(idmap_put(&m, id, &vals[7]), 0);	/* again: replaced, not added */
	assert_int_equal(m.n, N);
	for (uint64_t i = 0; i < N; i += 2) {
		id_of(id, i, same_prefix);
		assert_ptr_equal(idmap_del(&m, id), &vals[i]);
	}
	assert_int_equal(m.n, N / 2);
	for (uint64_t i = 0; i < N; i++) {
		id_of(id, i, same_prefix);
		if (i % 2)
			assert_ptr_equal(idmap_get(&m, id), &vals[i]);
		else
			assert_null(idmap_get(&m, id));
	}
	/* no long runs: the slots are a keyed mix of every byte */
	for (size_t i = 0; i < m.cap; i++) {
		run_len = m.slots[i].v != NULL ? run_len + 1 : 0;
		if (run_len > longest)
			longest = run_len;
	}
	assert_true(longest < 64);
	idmap_free(&m);
	assert_null(idmap_get(&m, id));
}

static void
test_random_ids(void **state)
{
	(void)state;
	run(0);
}

static void
test_ground_ids(void **state)
{
	(void)state;
	run(1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_ids),
		cmocka_unit_test(test_ground_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

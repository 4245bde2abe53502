/* Auto-eval's budget (node/daemon/budget.h) on a fake clock: the day is a
 * UTC day of the wall clock, to the millisecond; a clock stepped back
 * gives no second allowance; runs reserve their cap and give back what
 * they did not send, on the day they started; the limits on a task and
 * on a day; and the ledger kept in a real store survives a restart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "budget.h"
#include "daemon_fixture.h"

static const auto_budget limits = {
	.requests_per_day = 1000, .prompt_bytes = 65536, .max_tokens = 4096, .items = 5000,
	.tasks_per_author = 2,
};

/* The first ms of the day after WALL0's. */
static uint64_t
next_midnight(void)
{
	return (WALL0 / BUDGET_DAY_MS + 1) * BUDGET_DAY_MS;
}

static budget_task
task(uint8_t t, uint8_t a, uint64_t items)
{
	static uint8_t ids[256][32], authors[256][32];

	memset(ids[t], t, 32);
	memset(authors[a], a, 32);
	return (budget_task){ .task = ids[t], .author = authors[a], .items = items,
	    .max_tokens = 256 };
}

/* The counts are the day's until its last millisecond; the next one
 * starts from nothing, whatever was spent or taken up. */
static void
test_day_boundary(void **state)
{
	fixture *fx = *state;
	budget_day b;
	budget_task t = task(1, 1, 10);

	fx->f.wall = next_midnight() - 1000;
	budget_init(&b, daemon_now(fx->d));
	assert_int_equal(budget_reserve(&limits, &b, 1, 0), 1000);
	assert_int_equal(budget_take(&b, &t), 0);
	assert_int_equal(budget_left(&limits, &b), 0);
	assert_int_equal(budget_day_left_ms(daemon_now(fx->d)), 1000);
	fx->f.wall = next_midnight() - 1;
	assert_int_equal(budget_roll(&b, daemon_now(fx->d)), 0);
	assert_int_equal(budget_left(&limits, &b), 0);
	assert_int_equal(budget_reserve(&limits, &b, 1, 0), 0);
	fx->f.wall = next_midnight();
	assert_int_equal(budget_day_left_ms(daemon_now(fx->d)), BUDGET_DAY_MS);
	assert_int_equal(budget_roll(&b, daemon_now(fx->d)), 1);
	assert_int_equal(b.day, next_midnight() / BUDGET_DAY_MS);
	assert_int_equal(budget_left(&limits, &b), 1000);
	assert_int_equal(b.n_taken, 0);
	assert_false(budget_was_taken(&b, t.task));
	/* the monotonic clock has nothing to do with it */
	fx->f.mono += 10 * BUDGET_DAY_MS;
	assert_int_equal(budget_roll(&b, daemon_now(fx->d)), 0);
}

/* A wall clock that steps back a day keeps counting on the ledger's day:
 * stepping back and forth again never resets what was spent. */
static void
test_clock_back_no_second_allowance(void **state)
{
	fixture *fx = *state;
	budget_day b;

	fx->f.wall = next_midnight() + 5000;
	budget_init(&b, daemon_now(fx->d));
	assert_int_equal(budget_reserve(&limits, &b, 1, 0), 1000);
	fx->f.wall = next_midnight() - 3600000;	/* an hour back, into yesterday */
	assert_int_equal(budget_roll(&b, daemon_now(fx->d)), 0);
	assert_int_equal(budget_left(&limits, &b), 0);
	fx->f.wall = next_midnight() + 6000;
	assert_int_equal(budget_roll(&b, daemon_now(fx->d)), 0);
	assert_int_equal(budget_left(&limits, &b), 0);
}

/* A run reserves its cap; what it did not send comes back the same day,
 * and not on the next (its requests count on the day it started). The
 * requests left are shared among the runs that may start. */
static void
test_reserve_settle(void **state)
{
	fixture *fx = *state;
	budget_day b;
	uint64_t day;

	budget_init(&b, daemon_now(fx->d));
	assert_int_equal(budget_reserve(&limits, &b, 4, 0), 250);
	assert_int_equal(budget_reserve(&limits, &b, 3, 0), 250);
	assert_int_equal(budget_reserve(&limits, &b, 2, 0), 250);
	assert_int_equal(budget_reserve(&limits, &b, 0, 0), 250);	/* 0 slots counts as 1 */
	assert_int_equal(budget_left(&limits, &b), 0);
	budget_settle(&b, b.day, 250, 100);
	assert_int_equal(budget_left(&limits, &b), 150);
	budget_settle(&b, b.day, 250, 900);	/* more than its cap counts as its cap */
	assert_int_equal(budget_left(&limits, &b), 150);
	assert_int_equal(budget_reserve(&limits, &b, 1000, 0), 1);	/* at least one */
	/* no more than the run can send: a run that dies saying nothing
	 * costs the day what it could have spent, not the whole share */
	budget_init(&b, daemon_now(fx->d));
	assert_int_equal(budget_reserve(&limits, &b, 1, 35), 35);
	assert_int_equal(budget_left(&limits, &b), 965);
	assert_int_equal(budget_reserve(&limits, &b, 4, 500), 241);	/* the share is less */
	budget_settle(&b, b.day, 35, 0);
	budget_settle(&b, b.day, 241, 0);
	assert_int_equal(budget_left(&limits, &b), 1000);
	budget_reserve(&limits, &b, 1, 1000);
	budget_settle(&b, b.day, 1000, 1000);
	assert_int_equal(budget_reserve(&limits, &b, 1, 5), 0);	/* none left */
	day = b.day;
	fx->f.wall = next_midnight();
	assert_int_equal(budget_roll(&b, daemon_now(fx->d)), 1);
	budget_settle(&b, day, 250, 0);	/* yesterday's run: nothing back today */
	assert_int_equal(budget_left(&limits, &b), 1000);
}

/* The limits on a task alone: its items, the max_tokens its runs ask. */
static void
test_check(void **state)
{
	budget_task t = task(1, 1, 5000);

	(void)state;
	assert_int_equal(budget_check(&limits, &t), BUDGET_OK);
	t.items = 5001;
	assert_int_equal(budget_check(&limits, &t), BUDGET_ITEMS);
	t.items = 10;
	t.max_tokens = 4097;
	assert_int_equal(budget_check(&limits, &t), BUDGET_MAX_TOKENS);
	assert_string_equal(budget_limit_key(BUDGET_ITEMS), "budget_items");
	assert_string_equal(budget_limit_key(BUDGET_REQUESTS), "budget_requests");
	assert_string_equal(budget_limit_key(BUDGET_AUTHOR), "budget_tasks_per_author");
	assert_null(budget_limit_key(BUDGET_OK));
}

/* Taking up tasks today: an author's count, the requests they would need
 * beside those already taken up (one at a time goes ahead however large),
 * and the node's own tasks exempt from both. */
static void
test_admit(void **state)
{
	fixture *fx = *state;
	budget_day b;
	budget_task a1 = task(1, 1, 3000), a2 = task(2, 1, 300), a3 = task(3, 1, 10);
	budget_task b1 = task(4, 2, 700), own = task(5, 3, 3000);

	budget_init(&b, daemon_now(fx->d));
	assert_int_equal(budget_admit(&limits, &b, &a1, 0), BUDGET_OK);	/* alone: goes ahead */
	assert_int_equal(budget_take(&b, &a1), 0);
	assert_int_equal(budget_take(&b, &a1), 0);	/* once */
	assert_int_equal(b.n_taken, 1);
	assert_int_equal(budget_admit(&limits, &b, &a2, 3000), BUDGET_REQUESTS);
	assert_int_equal(budget_admit(&limits, &b, &a2, 700), BUDGET_OK);
	assert_int_equal(budget_admit(&limits, &b, &a2, 701), BUDGET_REQUESTS);
	assert_int_equal(budget_take(&b, &a2), 0);
	assert_int_equal(budget_admit(&limits, &b, &a3, 0), BUDGET_AUTHOR);	/* 2 a day */
	assert_int_equal(budget_admit(&limits, &b, &a1, 5000), BUDGET_OK);	/* taken today */
	assert_int_equal(budget_admit(&limits, &b, &b1, 0), BUDGET_OK);
	own.own = 1;
	assert_int_equal(budget_reserve(&limits, &b, 1, 0), 1000);
	assert_int_equal(budget_admit(&limits, &b, &b1, 0), BUDGET_REQUESTS);	/* none left */
	assert_int_equal(budget_admit(&limits, &b, &own, 99999), BUDGET_OK);
	assert_int_equal(budget_author_taken(&b, a1.author), 2);
	assert_int_equal(budget_author_taken(&b, b1.author), 0);
}

/* The ledger holds at most BUDGET_TAKEN_MAX tasks a day: then no other
 * is taken up that day. */
static void
test_ledger_full(void **state)
{
	fixture *fx = *state;
	auto_budget many = limits;
	budget_day *b = malloc(sizeof *b);
	budget_task t;

	assert_non_null(b);
	many.tasks_per_author = BUDGET_TAKEN_MAX + 1;
	budget_init(b, daemon_now(fx->d));
	for (size_t i = 0; i < BUDGET_TAKEN_MAX; i++) {
		t = task(1, 1, 0);
		memcpy((uint8_t *)(uintptr_t)t.task, &i, sizeof i);
		assert_int_equal(budget_take(b, &t), 0);
	}
	t = task(2, 1, 0);
	assert_int_equal(budget_admit(&many, b, &t, 0), BUDGET_FULL);
	assert_int_equal(budget_take(b, &t), -1);
	assert_int_equal(b->n_taken, BUDGET_TAKEN_MAX);
	free(b);
}

/* Saved in the store, the ledger is what a restarted node reads: the
 * spend and the tasks taken up today; nothing kept is ENOTFOUND, and a
 * ledger that is not one is EFORMAT. */
static void
test_ledger_survives_restart(void **state)
{
	fixture *fx = *state;
	budget_day *b = calloc(1, sizeof *b), *again = calloc(1, sizeof *again);
	budget_task t = task(7, 8, 40);

	assert_non_null(b);
	assert_non_null(again);
	assert_int_equal(budget_load(fx->d->st, again), EM_ENOTFOUND);
	budget_init(b, daemon_now(fx->d));
	assert_int_equal(budget_reserve(&limits, b, 1, 0), 1000);
	budget_settle(b, b->day, 1000, 613);
	assert_int_equal(budget_take(b, &t), 0);
	assert_int_equal(budget_save(fx->d->st, b), EM_OK);
	assert_int_equal(budget_load(fx->d->st, again), EM_OK);
	assert_int_equal(again->day, b->day);
	assert_int_equal(again->requests, 613);
	assert_int_equal(again->n_taken, 1);
	assert_true(budget_was_taken(again, t.task));
	assert_int_equal(budget_author_taken(again, t.author), 1);
	assert_int_equal(budget_left(&limits, again), 387);
	assert_int_equal(store_meta_set(fx->d->st, BUDGET_META_KEY,
	    "{\"day\": 1, \"requests\": -5, \"taken\": []}"), EM_OK);
	assert_int_equal(budget_load(fx->d->st, again), EM_EFORMAT);
	assert_int_equal(store_meta_set(fx->d->st, BUDGET_META_KEY,
	    "{\"day\": 1, \"requests\": 5, \"taken\": [[\"00\", \"11\"]]}"), EM_OK);
	assert_int_equal(budget_load(fx->d->st, again), EM_EFORMAT);
	assert_int_equal(store_meta_set(fx->d->st, BUDGET_META_KEY, "not json"), EM_OK);
	assert_int_equal(budget_load(fx->d->st, again), EM_EFORMAT);
	free(b);
	free(again);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_day_boundary, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_clock_back_no_second_allowance, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_reserve_settle, fx_setup, fx_teardown),
		cmocka_unit_test(test_check),
		cmocka_unit_test_setup_teardown(test_admit, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_ledger_full, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_ledger_survives_restart, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

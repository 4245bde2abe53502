/* node/daemon/budget.h — what auto-eval may spend, and what it spent
 * today: the rules as arithmetic on a ledger, and the ledger kept in the
 * store so that a restart does not give a second allowance.
 *
 * A day is a UTC day of the wall clock (daemon_now): the one the operator
 * reads a bill by. The ledger holds the day it counts, the requests runs
 * started that day were allowed (reserved before each run, the rest
 * given back when it ends), and the tasks taken up that day with their
 * authors. A clock that steps back to an earlier day keeps counting on
 * the ledger's day: only a later day starts again from zero.
 *
 * Pure: none of these reads a clock or keeps anything but what it is
 * given, except budget_load and budget_save, which read and write the
 * store's meta ("auto_budget"). Private to the daemon's files and their
 * tests (tests/unit/budget_test.c). */
#ifndef EM_DAEMON_BUDGET_H
#define EM_DAEMON_BUDGET_H

#include <stddef.h>
#include <stdint.h>

#include "auto.h"
#include "err.h"
#include "store.h"

#define BUDGET_DAY_MS		86400000ull
#define BUDGET_TAKEN_MAX	1024	/* tasks taken up in one day, at most */
#define BUDGET_META_KEY		"auto_budget"

/* Why a task is not run, or not now; each has the node.json key that
 * raises it (budget_limit_key). */
enum budget_limit {
	BUDGET_OK,
	BUDGET_ITEMS,		/* the task has more items than a task may */
	BUDGET_MAX_TOKENS,	/* it asks more tokens per request than allowed */
	BUDGET_PROMPT_BYTES,	/* an item's prompt is larger than allowed */
	BUDGET_REQUESTS,	/* not today: the requests left are spoken for */
	BUDGET_AUTHOR,		/* not today: its author's tasks for the day */
	BUDGET_FULL,		/* not today: BUDGET_TAKEN_MAX tasks taken up */
};

typedef struct budget_taken {
	uint8_t		task[32], author[32];
} budget_taken;

typedef struct budget_day {
	uint64_t	day;		/* UTC days since the epoch */
	uint64_t	requests;	/* allowed to runs started this day */
	size_t		n_taken;
	budget_taken	taken[BUDGET_TAKEN_MAX];
} budget_day;

/* What a task asks, read from its record. */
typedef struct budget_task {
	const uint8_t	*task, *author;	/* 32 bytes each */
	uint64_t	 items;
	uint64_t	 max_tokens;	/* what its runs ask: the operator's
					 * --max-tokens if set, else the task's */
	int		 own;		/* published by this node */
} budget_task;

/* The UTC day of a wall time, and the ms from it to the next day. */
uint64_t	budget_day_of(uint64_t wall_ms);
uint64_t	budget_day_left_ms(uint64_t wall_ms);

/* A fresh ledger for the day of wall_ms. */
void	budget_init(budget_day *b, uint64_t wall_ms);
/* Moves the ledger to the day of wall_ms if that is later: nothing spent,
 * nothing taken. 1 if it moved, else 0 (the same day, or an earlier one
 * after the clock stepped back: counted on the ledger's day). */
int	budget_roll(budget_day *b, uint64_t wall_ms);

/* Requests still allowed on the ledger's day (0 when spent). */
uint64_t budget_left(const auto_budget *l, const budget_day *b);
/* Tasks of author taken up on the ledger's day. */
size_t	budget_author_taken(const budget_day *b, const uint8_t author[static 32]);
/* Whether task was taken up on the ledger's day. */
int	budget_was_taken(const budget_day *b, const uint8_t task[static 32]);

/* The limits on the task alone, which no later day changes: BUDGET_OK,
 * BUDGET_ITEMS or BUDGET_MAX_TOKENS. */
enum budget_limit budget_check(const auto_budget *l, const budget_task *t);
/* Whether t may be taken up today, its own limits aside: BUDGET_OK, or
 * why not today. pending is the items of the tasks taken up and not yet
 * run; the node's own tasks are taken whatever the day (their runs wait
 * for requests like any other). Others need requests left today that
 * cover the pending items and theirs (unless nothing is pending: one task
 * at a time goes ahead, however large, and runs over days), their
 * author under tasks_per_author today, and room in the ledger. A task
 * taken up today already is BUDGET_OK. */
enum budget_limit budget_admit(const auto_budget *l, const budget_day *b, const budget_task *t,
    uint64_t pending);
/* Records t as taken up today, once. 0, or -1 when the ledger is full
 * (BUDGET_TAKEN_MAX): not recorded. */
int	budget_take(budget_day *b, const budget_task *t);

/* The cap for a run about to start, reserved on the ledger: the requests
 * left shared among free_slots runs that may start (0 counts as 1), at
 * least 1 while any is left, and no more than need, the most the run can
 * send (its items times the attempts each may take; 0: no bound), so that
 * a run that dies without saying what it sent costs the day no more than
 * it could have spent. 0 when none is left: nothing reserved. */
uint64_t budget_reserve(const auto_budget *l, budget_day *b, unsigned free_slots,
    uint64_t need);
/* A run that reserved `reserved` on day `day` sent `used`: what it did
 * not use is given back if the ledger still counts that day (a run's
 * requests count on the day it started). used over reserved counts as
 * reserved. */
void	budget_settle(budget_day *b, uint64_t day, uint64_t reserved, uint64_t used);

/* The node.json key that raises a limit ("budget_requests"), or NULL for
 * BUDGET_OK and BUDGET_FULL; static strings. */
const char *budget_limit_key(enum budget_limit w);

/* The ledger as the store keeps it, under BUDGET_META_KEY: JSON text,
 * {"day": D, "requests": R, "taken": [["TASK", "AUTHOR"], ...]}.
 * budget_load: EM_OK with *b filled; EM_ENOTFOUND if none is kept;
 * EM_EFORMAT if what is kept is not such a ledger (*b is then not to be
 * used); EM_ENOMEM; the store's errors. budget_save: EM_OK, EM_ENOMEM,
 * the store's errors. */
em_err	budget_load(store *st, budget_day *b);
em_err	budget_save(store *st, const budget_day *b);

#endif

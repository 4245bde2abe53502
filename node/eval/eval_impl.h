/* node/eval/eval_impl.h — the runner's state, shared by eval.c (the loop:
 * dispatch, replies, retries) and eval_items.c (the task's items: where
 * the next comes from, those being asked, the cache read back). Private
 * to node/eval. */
#ifndef EM_EVAL_IMPL_H
#define EM_EVAL_IMPL_H

#include "eval.h"

#define EVAL_FLUSH_MS		100	/* the cache written, progress told */
#define EVAL_FLUSH_BATCH	256	/* ... or when this many are scored */

typedef struct retry {
	size_t		item;
	uint64_t	due;	/* the run's monotonic clock, ms */
} retry;

/* An item being asked: sent and not answered yet, or waiting to be sent
 * again. Only these items are held (a reference each): at most the
 * concurrency of them, since an item waiting for a retry holds its place. */
typedef struct eval_slot {
	json_t		*item;		/* NULL: the slot is free */
	size_t		 index;
	uint8_t		 hash[32];	/* merkle_item of its line */
	uint8_t		 attempts;	/* sent */
	uint8_t		 waits;		/* of them "not now" (429/503) answers
					 * forgiven: not counted against
					 * --retries */
	uint8_t		 flying;	/* sent, no reply yet */
} eval_slot;

/* An item refused before any was answered: held to the end, or to the
 * first answer (eval.h). */
typedef struct eval_early {
	size_t		 index;
	uint8_t		 hash[32];
	char		 why[MODEL_WHY_MAX];
} eval_early;

enum eval_mark {
	EVAL_MARK_FAILED_BEFORE = 1,	/* failed for good in an earlier run
					 * (the cache says) */
	EVAL_MARK_FAILED = 2,		/* failed for good in this one: its
					 * leaf is made, for count_failed */
};

typedef struct eval_runner {
	uv_loop_t	 loop;
	store		*st;
	const eval_opts	*o;
	eval_out	*out;
	model		*m;
	task_reader	*feed;		/* the items in order: the next to ask */
	size_t		 left;		/* items neither scored nor taken from feed */
	eval_slot	*slots;
	size_t		 n_slots;
	uint16_t	*slot_of;	/* per item: its slot + 1; 0: none */
	retry		*retries;	/* waiting to be sent again: n_slots at most */
	size_t		 n_retries;
	uint8_t		*mark;		/* per item: EVAL_MARK_* */
	store_eval	*batch;		/* scored, not yet committed */
	size_t		 n_batch;
	size_t		 streak;	/* items in a row that failed for good */
	size_t		 answered;	/* items with an answer, cache included */
	eval_early	 early[EVAL_FAIL_STREAK];
	size_t		 n_early;
	int		 busy;		/* "not now" since the last answer */
	uint64_t	 busy_since;	/* ... first said then (monotonic ms) */
	size_t		 asked;		/* items scored by this run */
	int		 stopping;
	int		 cache_err;	/* the cache failed a write: said, and
					 * nothing more is kept */
	uint64_t	 pause_until;	/* monotonic ms: a server asked us to wait */
	uv_timer_t	 wake, flush;	/* flush also draws the progress line */
	uv_signal_t	 sigint, sigterm;
	uint64_t	 t0;		/* monotonic ms at the start */
	const em_clock	*clock;		/* o->clock, or the system's: all the
					 * run's times are read on it */
} eval_runner;

/* eval.c */

/* Adds a reason to the run's notes unless it is there already or would
 * not fit. */
void	eval_note(eval_out *out, const char *why);
/* Counts an item's flags into out's truncated, empty and refused. */
void	eval_count(eval_out *out, uint8_t flags);
/* The flags an output earns by itself: STORE_EVAL_EMPTY when the answer
 * in it (score_answer) is only white space. */
uint8_t	eval_text_flags(const char *text);

/* eval_items.c */

/* Sets up r for o: out's arrays (per item: score, have, flags, leaf),
 * the slots, the cache read back (each cached item scored again by
 * today's rules against its item, read from the task's chunks), and the
 * feed of items to ask. EM_OK, or an error with a reason in why. */
em_err	eval_prepare(eval_runner *r, store *st, const eval_opts *o, eval_out *out,
    char *why, size_t cap);
/* max_prompt_bytes: every item still to ask is rendered as it would be
 * sent, before anything is; the first over the limit refuses the run
 * (EM_ETOOBIG), as does an item that cannot be read. */
em_err	eval_prompts_fit(const eval_runner *r, char *why, size_t cap);
/* The next item to ask from the feed, in a free slot: its slot, NULL when
 * none is left; *err set (with a reason in why) when the items cannot be
 * read. */
eval_slot *eval_take(eval_runner *r, em_err *err, char *why, size_t cap);
/* Item i's slot; NULL if it has none. */
eval_slot *eval_slot_of(const eval_runner *r, size_t i);
/* Frees item i's slot. */
void	eval_release(eval_runner *r, eval_slot *sl);
/* Frees what eval_prepare set up in r (not out). */
void	eval_runner_free(eval_runner *r);

#endif

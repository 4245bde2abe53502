/* node/eval/eval.h — running a task against a model, resumably.
 *
 * The runner owns a libuv loop with the model adapter on it. It keeps up
 * to concurrency attempts in flight, retries failed attempts with
 * exponential backoff and full jitter (or after the server's Retry-After),
 * scores each answer as it arrives, and writes every scored item to the
 * store's evaluation cache in batches (at least every 100 ms). Items
 * already in the cache under the same run key are not asked again, so a
 * run stopped by Ctrl-C, kill -9 or a dead endpoint resumes where it
 * stopped; their kept outputs are scored again by today's rules (an
 * output kept only in part keeps its cached score). Every score is
 * rounded once, to 1/BODY_SCORE_SCALE (score_units), the moment it is
 * made: what is cached, summed, hashed and published is that number, so a
 * run stopped and resumed publishes the same result, bit for bit, as one
 * that was not.
 *
 * What items can come to besides an answer:
 *  - refused: the server would not answer the item (model.h, MF_REFUSED:
 *    a prompt over its context, say). Scored 0, counted, cached with the
 *    server's words; not asked again. Refusals are kept only once some
 *    item has been answered: a server that refuses the first
 *    EVAL_FAIL_STREAK items, or every item, is set wrong, not a model's
 *    result, and the run stops keeping none of them.
 *  - failed: every attempt failed. The run is then incomplete (never
 *    published) unless count_failed is set: then each is scored 0 and
 *    counted, with the servers' reasons. EVAL_FAIL_STREAK items failing
 *    in a row stop the run (a server that broke must not become a run of
 *    zeros) — except items the cache says failed in an earlier run too,
 *    which a server that always errs on them leaves for the end.
 *  - "not now" (429, 503 — llama.cpp while loading a model): waited on,
 *    after Retry-After or the backoff, without counting against retries,
 *    for up to patience_s seconds since the server last answered.
 * The reasons a result carries are the servers' status and own words, or
 * the kind of failure: never an endpoint's URL.
 *  - truncated (the token limit cut the answer) and empty (no answer text
 *    once any reasoning block is set aside): scored as the metric scores
 *    their text, and counted.
 * The counts and reasons go into the result (body_items).
 *
 * The run key is BLAKE2b over the task id, model name, revision, adapter
 * kind, served model name, the max_tokens asked for and the extra request
 * fields: two runs that asked differently never share answers. Endpoints
 * are not in it: replicas of one model may change between runs. */
#ifndef EM_EVAL_H
#define EM_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "model.h"
#include "store.h"
#include "task.h"

#define EVAL_FAIL_STREAK	10	/* items in a row failed for good: stop */
#define EVAL_PATIENCE_S		600	/* default patience: "not now" waited on */

/* Where a run stands, for a progress line. */
typedef struct eval_progress {
	size_t		 scored;	/* items with a score, cache included */
	size_t		 n;		/* items in the run */
	double		 rate;		/* requests per second since the start */
	double		 eta_s;		/* seconds left at that rate; -1 unknown */
	uint64_t	 errors;	/* failed attempts so far, of every kind */
	int		 retrying;	/* items wait for a retry */
	uint64_t	 elapsed_ms;	/* since the run started (monotonic) */
} eval_progress;

/* A run's settings: read during eval_run only (with what they point to,
 * the model's settings included). */
typedef struct eval_opts {
	const task_rec		*task;
	/* The task's count and few-shot examples, from task_items_check
	 * over task's record: the items themselves are read from the store's
	 * chunks as the run goes, one chunk at a time (task_reader), and
	 * those being asked are the only ones held. */
	const task_shots	*shots;
	model_opts		 model;
	const char		*model_name;
	const char		*revision;
	size_t			 limit;		/* 0: every item */
	unsigned		 retries;	/* further attempts per item */
	unsigned		 max_tokens;	/* 0: the task's */
	unsigned		 patience_s;	/* "not now" waited on, seconds */
	int			 fresh;		/* ignore cached answers */
	int			 count_failed;	/* failed items score 0 */
	/* A budget's caps (a node that evaluates by itself passes them to
	 * its `eval` children); 0: none. max_requests: at most this many
	 * requests are sent, retries included; once that many are, nothing
	 * more is, and the run stops when those in flight end (capped,
	 * EVAL_CAPPED_WHY), keeping what it scored. max_prompt_bytes: before
	 * anything is sent every item still to ask is rendered, and if one's
	 * prompt (task_prompt_bytes) is over this, eval_run sends nothing and
	 * returns EM_ETOOBIG naming the first such item (a pass over the
	 * items, one chunk at a time, before the run). */
	uint64_t		 max_requests;
	size_t			 max_prompt_bytes;
	/* Time and randomness; NULL for the system's. Retry waits, the
	 * patience and the elapsed time are read on its mono_ms, the
	 * result's t_start and t_end on its wall_ms, retry jitter from its
	 * rand. The loop's timers wait real time for a due time read on
	 * mono_ms, so that clock must advance with real time. */
	const em_clock		*clock;
	/* Progress, told from the loop every FLUSH_MS (100 ms) and once
	 * more, final set, when the run stops; NULL for none. The caller
	 * decides how often to show it. */
	void			(*progress)(void *ctx, const struct eval_progress *p, int final);
	void			*progress_ctx;
} eval_opts;

typedef struct eval_out {
	size_t		 n;		/* items in the run (the task's, or the limit) */
	size_t		 scored;	/* items with a score, cache included */
	size_t		 cached;	/* of them, found in the cache at the start */
	size_t		 failed;	/* items that failed after every retry */
	size_t		 truncated, empty, refused;	/* of the scored items */
	size_t		 failed_scored;	/* failed items scored 0 (count_failed) */
	/* The arrays below hold n entries each and are out's: eval_out_free.
	 * They are what a run keeps of each item: 42 bytes (and 3 more while
	 * it runs), 42 MB for a million items. */
	char		 notes[BODY_TEXT_MAX + 1];	/* reasons of refused and
							 * failed items, distinct */
	uint64_t	 requests;	/* attempts sent */
	uint16_t	*score;		/* per item, in units of 1/BODY_SCORE_SCALE:
					 * rounded once, as it was scored
					 * (score_units), and so cached */
	uint8_t		*have;		/* per item: 1 if scored */
	uint8_t		*flags;		/* per item: STORE_EVAL_* */
	uint8_t		(*leaf)[32];	/* per item: its result leaf,
					 * merkle_result_leaf(index, item hash,
					 * H(output), score), once scored */
	uint64_t	 fails[MF_FATAL + 1];	/* failed attempts by kind */
	char		 last_why[MF_FATAL + 1][MODEL_WHY_MAX];
	int		 interrupted;	/* 0, or the signal that stopped the run:
					 * SIGINT or SIGTERM */
	int		 capped;	/* stopped at max_requests */
	char		 stopped[MODEL_WHY_MAX];	/* why the run stopped early, or "" */
	uint8_t		 run_key[32];
	uint64_t	 t_start, t_end;	/* ms since the epoch (the clock's wall_ms) */
	double		 wall_s, cpu_s;	/* seconds: this process, during the run */
} eval_out;

/* The max_tokens a run asks for: the override, else the task's. */
unsigned eval_max_tokens(const eval_opts *o);

/* The run key for these settings (see above) into key. EM_ENOMEM. */
em_err	eval_run_key(const eval_opts *o, uint8_t key[static 32]);

/* What out->stopped says of a run that reached max_requests. */
#define EVAL_CAPPED_WHY	"the request cap was reached (--max-requests)"

/* Runs the evaluation on an event loop of its own, blocking until the run
 * stops: every item scored, a stop (out->stopped says why; at
 * max_requests, out->capped too), or SIGINT or SIGTERM, which are caught
 * meanwhile (out->interrupted). Scored items go to st's evaluation cache
 * as they come. out is filled from the start: eval_out_free() it whatever
 * this returns (out->requests is 0 if nothing was sent). EM_OK when the
 * loop ran to its end (check out->scored == out->n for a complete run).
 * Else, with a one-line reason in why (cap bytes): EM_ETOOBIG, nothing
 * sent, when an item's prompt is over max_prompt_bytes; and when it could
 * not start: EM_ENOMEM; the store's errors when a fresh run cannot clear
 * the cache; task_reader_next's when the task's items cannot be read back
 * (a chunk gone from the store since they were checked); EM_EIO when no
 * event loop can be made; model_open's errors (a bad endpoint, a program
 * that will not start). A cache that cannot be read is logged and every
 * item asked. Items that cannot be read once the run is under way stop it
 * (out->stopped says so). */
em_err	eval_run(store *st, const eval_opts *o, eval_out *out, char *why, size_t cap);
/* Frees out's arrays and zeroes it; a zeroed out is fine. */
void	eval_out_free(eval_out *out);

/* The failed attempts by kind, fatal ones aside (the reason a run stopped
 * is told on its own), "; "-separated ("3 timeouts (last: ...)"), into
 * buf (cap bytes, cut to fit); "" when there were none. */
void	eval_fail_summary(const eval_out *out, char *buf, size_t cap);

/* The result body of a complete run, into b: metric (the mean of the
 * score vector: stats_summarize over r->score), interval, Merkle root
 * over the per-item leaves (out->leaf, folded one at a time: merkle_acc),
 * the score vector, harness settings (texts copied). *scores is the
 * vector's buffer (yours: free()) that b borrows; NULL, with no vector in
 * b, for a task of more than BODY_SCORES_MAX items, and after an error.
 * access: enum body_access. Errors: EM_EINVAL for a partial run (an item
 * unscored, or a limit that left items out: o->shots->n is not r->n;
 * never published), EM_ETOOBIG when the generation parameters do not fit
 * BODY_TEXT_MAX, EM_ENOMEM. */
em_err	eval_result_body(const eval_opts *o, const eval_out *r, int access,
    body_any *b, uint8_t **scores);

#endif

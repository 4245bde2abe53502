/* node/board/board.h — a task's leaderboard from the results this node holds.
 *
 * Pure: rows in, ranking out; the same rows give the same board on every
 * node, whatever order they arrived in: nothing depends on the order of
 * the input — groups are found by the names' number (equal exactly when
 * the names are), reporters ordered by author, rows by value then name,
 * byte-wise.
 *
 * The rules, in order:
 *  1. With trusted_only, results by authors outside the reader's trust
 *     set are left out (and counted). The trust set is the reader's trust
 *     list and the reader itself: a node always trusts its own results
 *     (board_compute puts opts.self in it).
 *  2. Only results whose headline metric is the task's count; others are
 *     left out (and counted). So are results that cannot be compared
 *     with the others (issue 13): over another number of items than the
 *     task's (opts.task_items), or, for a proportion (opts.proportion), a
 *     value or an interval end outside [0, 1] or not a number, or an
 *     interval that does not hold its value. One such result left out
 *     leaves its author's earlier one standing (rule 3).
 *  3. One model is a name and revision. Each author counts once per model:
 *     its latest result (highest seq, then highest id, byte-wise; of two
 *     alike, the one given first: board_newer) stands, earlier ones are
 *     superseded. Revoked results form rows of their own, outside the
 *     ranking, shown only with `all`.
 *  4. A row's value is the mean of its reporters' values weighted by their
 *     item counts (a count of 0 weighs 1), summed in the order of their
 *     authors (byte-wise), so every node gets the same bits; a row of one
 *     reporter has that reporter's value exactly. Its interval is the hull
 *     of the reporters' 95% intervals (each its published one, else
 *     Wilson's): reporters ran the same items, so more of them does not
 *     narrow what the items allow, and reporters who disagree widen it.
 *  5. Agreement: every two reporters' intervals overlap ("yes"), some do
 *     not ("no"), or one reporter ("-").
 *  6. Flags (board_flag_words): equivocating-author (an author caught
 *     signing two records for one sequence number), disputed (a result
 *     attested as disputed), revoked. Flagged rows other than revoked ones
 *     stay ranked, marked.
 *  7. Rows with fewer than min_reporters reporters are left out.
 *     A row also sums what its reporters' runs met on their items
 *     (truncated, empty, refused, failed: body_items) over all their
 *     items, shown beside it; it does not change the ranking.
 *  8. Ranks are tie groups: one plus the number of ranked rows whose
 *     interval lies wholly above this row's (lo above its hi).
 *  9. Sorted by value, high first, then model name, then revision,
 *     byte-wise. Values compare as numbers, -0 equal to 0; a value that is
 *     not a number (a mean whose sum overflowed: only values near the
 *     largest double do that) goes first when its sign bit is clear, last
 *     when it is set. Revoked rows (with `all`) follow the ranked ones, in
 *     the same order.
 *
 * Which result speaks for a model — the one rule the leaderboard, compare
 * and auto-eval go by:
 *  - A result speaks for its author about one model (name and revision)
 *    when it is not revoked and no later result of that author for that
 *    model stands before it: the highest seq, then the highest id
 *    (board_newer). Never the time it says its run ended: that is the
 *    author's own word, and any author could claim a later one.
 *  - A model's row speaks with every reporter's standing result, combined
 *    (rule 4), among the results rules 1 and 2 keep: all authors, or with
 *    trusted_only the reader's trust set (itself included); the task's
 *    metric, item count and range.
 *  - `evalmesh compare` compares two such rows (board_compare): the same
 *    results, the same values and intervals the leaderboard shows.
 *  - Auto-eval's "already done" is the first rule asked of its own
 *    results alone (board_standing with the node's id): a result of ours
 *    for this model revision, whatever it measured.
 *
 * The digest (board.digest) covers exactly what was ranked: BLAKE2b-256
 * over the tag "evalmesh/board/v1", then each result rules 1 and 2 kept
 * (revoked and superseded ones included), in id order, as its id and its
 * flags byte (RESULT_*: revoked, equivocating author, disputed), then with
 * trusted_only a 1 and the trust set (the ids, in id order; the reader's
 * own among them), else a 0. Two boards with one digest ranked the same
 * results with the same flags, and two nodes that hold the same records
 * and flags print the same digest; a revocation, a dispute or another
 * trust set changes it. */
#ifndef EM_BOARD_H
#define EM_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* What the reader asks of a board. */
typedef struct board_opts {
	int		 trusted_only;	/* rule 1 */
	int		 all;		/* show revoked rows too (unranked) */
	unsigned	 min_reporters;	/* rule 7; 0 and 1: every row */
	const char	*metric;	/* the task's metric (NUL-terminated, read
					 * during the call, cut to BODY_SHORT_MAX
					 * bytes); NULL: the commonest
					 * (board_metric) */
	int		 result_ids;	/* keep each row's result ids (for --json) */
	uint64_t	 task_items;	/* rule 2: the task's item count; 0: not
					 * known, not checked */
	int		 proportion;	/* rule 2: the metric is a fraction of
					 * items, in [0, 1] */
	/* rule 1: the reader's own id (32 bytes), in its trust set whatever
	 * its trust list says (board_compute); NULL: none. */
	const uint8_t	*self;
	/* rule 1's trust set, hashed into the digest with trusted_only:
	 * n_trust ids of 32 bytes in id order, self among them
	 * (board_compute fills these in; its caller's are not read). Read
	 * until board_end returns. */
	const uint8_t	*trust;
	size_t		 n_trust;
} board_opts;

/* What a run met on its items, in the order of board_row.cut. */
enum board_cut { CUT_TRUNCATED, CUT_EMPTY, CUT_REFUSED, CUT_FAILED, BOARD_CUTS };

/* One row: a model and revision, revoked or not. Its pointers are into
 * the board and live until board_free. value, lo and hi are in the
 * metric's own units (a fraction of items for exact_match); counts are
 * of items. */
typedef struct board_row {
	const char	*model;		/* NUL-terminated, owned by the board */
	const char	*revision;
	size_t		 model_len, revision_len;	/* bytes, without the NUL */
	double		 value, lo, hi;	/* rule 4 */
	uint64_t	 n_items;	/* the largest reporter's */
	uint64_t	 items_sum;	/* all its reporters' items together, and
					 * of them, as their results counted
					 * (body_items): */
	uint64_t	 cut[BOARD_CUTS];	/* truncated, empty, refused, failed */
	unsigned	 reporters;	/* authors whose results stand in it */
	int		 agree;		/* 1 yes, 0 no, -1 one reporter */
	int		 closed;	/* a reporter said closed weights */
	uint32_t	 flags;		/* RESULT_* of any of its results */
	int		 ranked;	/* 0: a revoked row (with opts.all) */
	unsigned	 rank;		/* when ranked (rule 8); else 0 */
	const uint8_t	*result_ids;	/* with opts.result_ids: its reporters'
					 * result ids, 32 bytes each, by author;
					 * else NULL */
} board_row;

/* A board: its rows in their printed order (rule 9, ranked rows first,
 * then revoked ones), and what was left out, counted in results. The
 * caller owns it once a function below filled it: board_free(). */
typedef struct board {
	char		 metric[BODY_SHORT_MAX + 1];	/* the one ranked */
	board_row	*rows;
	size_t		 n_rows;
	size_t		 n_results;		/* results read */
	size_t		 used;			/* results behind the rows shown */
	size_t		 left_untrusted, left_metric, left_superseded;
	size_t		 left_revoked, left_min_reporters;
	size_t		 left_items, left_range;	/* rule 2: another item
							 * count; out of [0, 1] */
	uint8_t		 digest[32];		/* of what was ranked (above) */
	char		*arena;			/* the rows' names */
	uint8_t		*ids;			/* their result ids */
} board;

/* Building a board as its results are read: begin, add them a batch at a
 * time, end.
 *
 * board_begin: n is how many results will come (a scan's count); results
 * beyond n are ignored, not counted. metric (NUL-terminated, copied; cut
 * to BODY_SHORT_MAX bytes) is the one ranked; o is copied, o->metric
 * ignored. The builder keeps a copy of each result that counts (about
 * 140 bytes each), so it asks for n of them at once. On success *out is
 * the caller's: board_end() or board_acc_free(). EM_ENOMEM (also for an n
 * too large to hold); *out is NULL then.
 *
 * board_add: rows[0..n) in any order, in batches of any size. The views
 * are borrowed only during the call; what they point to (ids, authors,
 * names) must stay valid until board_end returns. trusted[i] says whether
 * rows[i]'s author is in the trust set; NULL: none is. Cannot fail.
 *
 * board_end: frees the builder, whatever it returns, and computes the
 * digest. On success *b is the caller's: board_free(). EM_ENOMEM; *b is
 * then empty (zeroed, nothing to free). */
typedef struct board_acc board_acc;
em_err	board_begin(size_t n, const char *metric, const board_opts *o, board_acc **out);
void	board_add(board_acc *a, const store_view *rows, size_t n, const uint8_t *trusted);
em_err	board_end(board_acc *a, board *b);

/* Frees a builder that board_end was not given; NULL is fine. */
void	board_acc_free(board_acc *a);

/* The metric most of the rows[0..n) report (only those whose trusted[i]
 * is set with trusted_only; trusted may be NULL: none is), the least name
 * byte-wise among equals; "" when none. Into out (cap bytes, cut to fit,
 * NUL-terminated when cap > 0). The rows are read during the call only.
 * EM_ENOMEM (out is "" then). */
em_err	board_metric(const store_view *rows, size_t n, const uint8_t *trusted, int trusted_only,
    char *out, size_t cap);

/* The board of n results in memory, in any order: board_begin, board_add
 * and board_end in one call, with o->metric NULL meaning board_metric's.
 * trusted as for board_add. The rows and what they point to are read
 * during the call only. On success *b is the caller's: board_free().
 * EM_ENOMEM; *b is then empty (zeroed). */
em_err	board_build(const store_view *rows, size_t n, const uint8_t *trusted,
    const board_opts *o, board *b);

/* The board of task (its 32-byte id) from the store: its rows read in one
 * read transaction; with o->trusted_only the trust set, the reader's trust
 * list and o->self (board_store.c). A task with no results gives an empty
 * board. On success *b is the caller's: board_free(). EM_ENOMEM; EM_EIO or
 * EM_ESTORE when the store cannot be read, EM_EDAMAGED when a row in it is
 * damaged (store.h). *b is empty (zeroed) on every error. */
em_err	board_compute(store *st, const uint8_t task[static 32], const board_opts *o, board *b);

/* Rule 3's order between two results of one author for one model: 1 when
 * a stands before b (a higher seq, or the same seq and a higher id,
 * byte-wise), else 0. */
int	board_newer(const store_view *a, const store_view *b);

/* Rule 2: why r would be left out of a board ranking metric (NUL-
 * terminated; NULL: any metric) with o's task_items and proportion:
 * BOARD_KEPT if it counts. */
enum board_left { BOARD_KEPT, BOARD_LEFT_METRIC, BOARD_LEFT_ITEMS, BOARD_LEFT_RANGE };
enum board_left board_counts(const store_view *r, const char *metric, const board_opts *o);

/* The result that speaks for model@revision (NUL-terminated; one name
 * with another when name_same says so) by author on task: of author's
 * unrevoked results for it that rule 2 keeps as o says (o->metric NULL:
 * any metric; o->task_items 0: any count), the one that stands
 * (board_newer), its id into id. EM_ENOTFOUND when there is none; the
 * store's errors (EM_ENOMEM, EM_EIO, EM_ESTORE); id is untouched on every
 * error. */
em_err	board_standing(store *st, const uint8_t task[static 32], const uint8_t author[static 32],
    const char *model, const char *revision, const board_opts *o, uint8_t id[static 32]);

/* Frees what a board holds and zeroes it; a zeroed board is fine (b is
 * not NULL). */
void	board_free(board *b);

/* Compare (board_compare.c): two models' rows of one board, which must
 * have been built with result_ids.
 *
 * board_find: the ranked row of b for model name and, when revision is not
 * NULL, that revision (name_same: one name with another when their keys
 * are one). EM_OK with *out; EM_ENOTFOUND; EM_EAMBIGUOUS when revision is
 * NULL and the name has rows for two revisions (*out and *other are two
 * of them, to name in a message). The rows are b's.
 *
 * board_compare: the difference a - b. Paired when every reporter of both
 * rows published a score vector, all of one length: each model's score
 * on an item is the mean of its reporters' scores for it, the difference
 * is the mean of the item differences with its standard error and normal
 * 95% interval (stats_paired), and p is McNemar's exact test on right and
 * wrong (a score of 0.5 or more is right; a_only and b_only count the
 * items only one got right). Else unpaired: the rows' values, each row's
 * standard error the mean of its reporters' (their published one, else
 * the binomial sqrt(v (1 - v) / n)) weighted by item count as rule 4
 * weighs values — reporters ran the same items, so their errors are not
 * independent and more of them do not narrow it — the two combined as
 * independent, a normal interval and the z test's two-sided p. Reads the
 * reporters' records from st. Errors: EM_EINVAL for rows without result
 * ids, the store's (EM_ENOTFOUND, EM_EIO, EM_ESTORE, EM_ENOMEM), EM_ESTORE
 * for a record that does not read as a result; *c is zeroed then. */
typedef struct board_cmp {
	int		 paired;
	size_t		 n;		/* items paired */
	double		 diff, se, lo, hi;
	double		 p;		/* McNemar's (paired), else the z test's */
	unsigned long	 a_only, b_only;	/* paired: right/wrong discordant items */
} board_cmp;

em_err	board_find(const board *b, const char *name, const char *revision,
    const board_row **out, const board_row **other);
em_err	board_compare(store *st, const board_row *a, const board_row *b, board_cmp *c);

/* "12/240 truncated, 2/240 refused" (or "-") for a row's item counts,
 * into buf (cap bytes, at least 1; cut to fit, NUL-terminated): of all its
 * reporters' items, how many each kind took (board_text.c). Returns
 * buf. */
const char *board_cuts(const board_row *r, char *buf, size_t cap);

/* A result's flags (RESULT_*, store.h) in words (board_text.c): the one
 * vocabulary every command shows them in, as text and as JSON. In order:
 *   equivocating-author  its author was caught signing two records with
 *                        one sequence number (RESULT_EQUIVOCATED)
 *   disputed             someone attested it as disputed (RESULT_DISPUTED)
 *   revoked              its author withdrew it (RESULT_REVOKED)
 *   failed-audit         a response its author signed to an audit failed
 *                        (RESULT_FAILED_AUDIT; node/task/task_audit.h)
 *   audited              a response passed, none failed (RESULT_AUDITED)
 *   audit-unverified     a response this node cannot score yet: the task's
 *                        items not here, outputs withheld
 *   audit-unanswered     a challenge's time passed without a response
 *   audit-pending        a challenge waits for its answer, in its time
 * The audit words are not in the store: a command adds them
 * (task_audit_flags) for results flagged RESULT_CHALLENGED.
 * Bits without a word are not shown. */
#define BOARD_FLAG_WORDS	8
#define BOARD_FLAGS_LEN		112	/* all the words, commas and the NUL */

/* Points words[0..n) at the words of the flags set (static strings) and
 * returns n, at most BOARD_FLAG_WORDS. */
size_t	board_flag_words(uint32_t flags, const char *words[static BOARD_FLAG_WORDS]);

/* The words joined by commas ("equivocating-author,disputed"), or "-" when
 * none, into buf (cap bytes, BOARD_FLAGS_LEN hold any; cut short to fit
 * a smaller one). Returns buf. */
const char *board_flags(uint32_t flags, char *buf, size_t cap);

#endif

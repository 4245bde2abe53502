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
 *     list are left out (and counted).
 *  2. Only results whose headline metric is the task's count; others are
 *     left out (and counted).
 *  3. One model is a name and revision. Each author counts once per model:
 *     its latest result (highest seq, then highest id, byte-wise; of two
 *     alike, the one given first) stands, earlier ones are superseded.
 *     Revoked results form rows of their own, outside the ranking, shown
 *     only with `all`.
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
 *     the same order. */
#ifndef EM_BOARD_H
#define EM_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef struct board_opts {
	int		 trusted_only;
	int		 all;		/* show revoked rows too */
	unsigned	 min_reporters;
	const char	*metric;	/* the task's metric; NULL: the commonest */
	int		 result_ids;	/* keep each row's result ids (for --json) */
} board_opts;

/* What a run met on its items, in the order of board_row.cut. */
enum board_cut { CUT_TRUNCATED, CUT_EMPTY, CUT_REFUSED, CUT_FAILED, BOARD_CUTS };

typedef struct board_row {
	const char	*model;		/* NUL-terminated, owned by the board */
	const char	*revision;
	size_t		 model_len, revision_len;
	double		 value, lo, hi;
	uint64_t	 n_items;	/* the largest reporter's */
	uint64_t	 items_sum;	/* all its reporters' items together, and
					 * of them, as their results counted
					 * (body_items): */
	uint64_t	 cut[BOARD_CUTS];	/* truncated, empty, refused, failed */
	unsigned	 reporters;
	int		 agree;		/* 1 yes, 0 no, -1 one reporter */
	int		 closed;	/* a reporter said closed weights */
	uint32_t	 flags;		/* RESULT_* of any of its results */
	int		 ranked;
	unsigned	 rank;		/* when ranked */
	const uint8_t	*result_ids;	/* with opts.result_ids: its reporters'
					 * result ids, 32 bytes each, by author */
} board_row;

typedef struct board {
	char		 metric[BODY_SHORT_MAX + 1];
	board_row	*rows;
	size_t		 n_rows;
	size_t		 n_results;		/* results read */
	size_t		 used;			/* results behind the rows shown */
	size_t		 left_untrusted, left_metric, left_superseded;
	size_t		 left_revoked, left_min_reporters;
	uint8_t		 digest[32];		/* over the ids of all the task's
						 * results held, in id order
						 * (store_board_view) */
	char		*arena;			/* the rows' names */
	uint8_t		*ids;			/* their result ids */
} board;

/* Building a board as its results are read: begin with how many will come
 * and the task's metric, add them a batch at a time, in any order
 * (trusted[i] says whether rows[i]'s author is trusted; NULL: none is),
 * end. The views are borrowed only during board_add; what they point to
 * (ids, authors, names) until board_end returns; the board keeps copies of
 * what it shows. board_begin and board_end: EM_ENOMEM (board_end frees the
 * builder either way; board_acc_free() one that is not ended). Results
 * beyond n are ignored. */
typedef struct board_acc board_acc;
em_err	board_begin(size_t n, const char *metric, const board_opts *o, board_acc **out);
void	board_add(board_acc *a, const store_view *rows, size_t n, const uint8_t *trusted);
em_err	board_end(board_acc *a, const uint8_t digest[static 32], board *b);
void	board_acc_free(board_acc *a);

/* The metric most of the results (the trusted ones with trusted_only)
 * report, the least name among equals; "" when none. EM_ENOMEM. */
em_err	board_metric(const store_view *rows, size_t n, const uint8_t *trusted, int trusted_only,
    char *out, size_t cap);

/* All of the above over n results in memory, in any order; trusted[i]
 * says whether rows[i]'s author is trusted (may be NULL when
 * !trusted_only); digest is the store's over the task's results;
 * o->metric NULL: board_metric's. EM_ENOMEM. */
em_err	board_build(const store_view *rows, size_t n, const uint8_t *trusted,
    const uint8_t digest[static 32], const board_opts *o, board *b);

/* Reads the task's rows in one read transaction and builds the board
 * (board_store.c). */
em_err	board_compute(store *st, const uint8_t task[static 32], const board_opts *o, board *b);
void	board_free(board *b);

/* Reads a task's rows from the store as copies (for compare, which goes
 * back to the records), with whether each author is in the trust list.
 * *rows and *trusted are yours (free()). */
em_err	board_load(store *st, const uint8_t task[static 32], store_row **rows,
    uint8_t **trusted, size_t *n);

/* "12/240 truncated, 2/240 refused" (or "-") for a row's item counts,
 * into buf: of all its reporters' items, how many each kind took
 * (board_text.c). */
const char *board_cuts(const board_row *r, char *buf, size_t cap);

/* A result's flags (RESULT_*, store.h) in words (board_text.c): the one
 * vocabulary every command shows them in, as text and as JSON. In order:
 *   equivocating-author  its author was caught signing two records with
 *                        one sequence number (RESULT_EQUIVOCATED)
 *   disputed             someone attested it as disputed (RESULT_DISPUTED)
 *   revoked              its author withdrew it (RESULT_REVOKED)
 * Bits without a word are not shown. */
#define BOARD_FLAG_WORDS	3
#define BOARD_FLAGS_LEN		40	/* all the words, commas and the NUL */

/* Points words[0..n) at the words of the flags set (static strings) and
 * returns n, at most BOARD_FLAG_WORDS. */
size_t	board_flag_words(uint32_t flags, const char *words[static BOARD_FLAG_WORDS]);

/* The words joined by commas ("equivocating-author,disputed"), or "-" when
 * none, into buf (cap bytes, BOARD_FLAGS_LEN hold any; cut short to fit
 * a smaller one). Returns buf. */
const char *board_flags(uint32_t flags, char *buf, size_t cap);

#endif

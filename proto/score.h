/* proto/score.h — scoring a model's output against a reference answer.
 *
 * Pure functions over UTF-8 text. Normalisation goes through utf8proc:
 * NFKC folds full-width digits, letters and punctuation to their plain
 * forms, so "４２" scores as "42". Every function bounds its input
 * (SCORE_TEXT_MAX bytes) and allocates nothing the caller must free unless
 * it says so. Scores are in [0, 1]. */
#ifndef EM_SCORE_H
#define EM_SCORE_H

#include <stddef.h>

#include "err.h"

#define SCORE_TEXT_MAX	(1u << 20)	/* longer outputs are cut here */

enum score_norm {
	NORM_NFKC = 1,		/* Unicode compatibility composition */
	NORM_LOWER = 2,		/* case folding */
	NORM_STRIP_PUNCT = 4,	/* drop punctuation (Unicode P* categories) */
	NORM_COLLAPSE_SPACE = 8	/* runs of white space to one space, trimmed */
};

/* Parses a normalisation name ("nfkc", "lower", "strip_punct",
 * "collapse_space") to its flag; 0 if unknown. */
unsigned score_norm_flag(const char *name);

/* Normalises in by flags. On success *out is yours (free()). EM_EUTF8 if
 * in is not UTF-8, EM_ETOOBIG above SCORE_TEXT_MAX. */
em_err score_normalize(const char *in, unsigned flags, char **out);

/* 1 if output equals target once both are normalised by flags. */
double score_exact(const char *output, const char *target, unsigned flags);

/* The last number in output (after NFKC: full-width digits, signs, "1,234"
 * thousands separators, decimals) against the number in target: 1 if they
 * differ by at most tolerance. 0 if either has no number. */
double score_numeric(const char *output, const char *target, double tolerance);

/* Multiple choice. target is a letter ("B") or the text of a choice; the
 * answer is the last standalone option letter in output, else the choice
 * whose normalised text output equals or contains. */
double score_choice(const char *output, const char *target,
    const char *const *choices, size_t n_choices);

/* Checks that pattern is a valid POSIX extended regular expression that
 * compiles to a bounded size (it is a task author's, a peer's): no
 * quantifier on a quantifier, no back-reference, repeat bounds up to 255
 * and their products held small. EM_EFORMAT with a reason in why (cap
 * bytes) if not. */
em_err score_regex_check(const char *pattern, char *why, size_t cap);

/* The first group of pattern's first match in output (after NFKC when
 * flags has it), or the whole match when it has no group. On success *out
 * is yours (free()). EM_ENOTFOUND if it does not match, EM_EFORMAT for a
 * bad pattern. */
em_err score_extract(const char *output, const char *pattern, unsigned flags,
    char **out);

/* Applies pattern to output (after NFKC when flags has it) and compares
 * its first group (or the whole match) to target by score_exact. */
double score_regex(const char *output, const char *pattern, const char *target,
    unsigned flags);

/* Token F1 (as in SQuAD) over normalised tokens: runs of letters and
 * digits, and each CJK character on its own. */
double score_f1(const char *output, const char *target, unsigned flags);

#endif

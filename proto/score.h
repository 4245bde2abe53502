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

/* The answer part of a model's output: what follows the last closing
 * reasoning tag, white space after it skipped, or all of output when it
 * has none; "" when a reasoning block was opened and never closed (the
 * model ran out of tokens while thinking). A pointer into output (same
 * lifetime), never NULL. One pass over output, no allocation.
 *
 * The tags, opening ... closing:
 *   <think> ... </think>, <thinking>, <thought>, <reasoning>,
 *     <seed:think> ... </seed:think>: any ASCII case, up to two spaces or
 *     tabs inside ("</Think >")
 *   [THINK] ... [/THINK] (Magistral), ◁think▷ ... ◁/think▷ (Kimi)
 *   <|begin_of_thought|> ... <|end_of_thought|> (Sky-T1, OpenThinker);
 *     a <|begin_of_solution|> right after is skipped too
 *   gpt-oss harmony passed through as text: <|channel|>analysis<|message|>
 *     (or with <|start|>assistant before it) ... <|channel|>final<|message|>,
 *     and "assistantfinal" (the same with the special tokens dropped)
 * The rules:
 *   - A closing tag counts without its opening one: templates that open
 *     the block themselves (DeepSeek-R1 distills, QwQ, Qwen3 thinking)
 *     leave only the closing tag in the output. So an output without
 *     reasoning that mentions "</think>" loses what comes before it.
 *   - Several blocks, or text between them: the last closing tag wins.
 *   - A closing tag with a quotation mark right before and right after it
 *     (` " ' “ ” ‘ ’ 「 」 « ») is a mention, not a tag: "use `</think>`".
 *   - After the last closing tag (or from the start when there is none),
 *     an opening tag as the first thing but white space means the model
 *     never closed it: "". An opening tag elsewhere is text.
 * White space is as score_blank counts it. */
const char *score_answer(const char *output);

/* The length of answer (from score_answer) up to the marker that ends a
 * solution or a harmony message when it has one — <|end_of_solution|>,
 * <|return|>, <|end|> — without the white space before it; strlen(answer)
 * otherwise. */
size_t score_answer_len(const char *answer);

/* 1 if text holds nothing but white space (Unicode Z* and controls). */
int score_blank(const char *text);

/* Extraction patterns are PCRE2 (Perl-style, close to Python's re) in
 * UTF mode with Unicode properties: \d, \w, \s, \b and [[:digit:]]
 * cover every script, \p{Han} and the like work. A pattern is a task
 * author's, so a peer's: at most SCORE_PATTERN_MAX bytes, no
 * back-references, and every match runs under a work budget (proportional
 * to the output's length) and PCRE2's match, depth and heap limits; a
 * match that reaches one finds nothing. See score_pattern.c for why. */
#define SCORE_PATTERN_MAX	1024

/* Checks that pattern compiles under those rules. EM_EFORMAT with a
 * reason in why (cap bytes) if not: PCRE2's message and the offset ("missing
 * closing parenthesis at offset 7"), the length, a back-reference. */
em_err score_regex_check(const char *pattern, char *why, size_t cap);

/* The answer pattern finds in output (NFKC-folded first when flags has
 * NORM_NFKC; the pattern itself is not folded): of the matches found left
 * to right without overlap (as Python's re.finditer), the LAST one — its
 * first group when that group took part, else the whole match. After an
 * empty match the next may start at the same place only if it is not
 * empty. On success *out is yours (free()). EM_ENOTFOUND if it does not
 * match, EM_EFORMAT for a bad pattern, EM_ETOOBIG when a limit stopped
 * the match (or output is above SCORE_TEXT_MAX), EM_EUTF8, EM_ENOMEM. */
em_err score_extract(const char *output, const char *pattern, unsigned flags,
    char **out);

/* Applies pattern to output as score_extract does and compares what it
 * finds to target by score_exact; 0 when it finds nothing. */
double score_regex(const char *output, const char *pattern, const char *target,
    unsigned flags);

/* Token F1 (as in SQuAD) over normalised tokens: runs of letters and
 * digits, and each CJK character on its own. */
double score_f1(const char *output, const char *target, unsigned flags);

#endif

/* proto/score_number_impl.h — shared by score_number.c and
 * score_number_cue.c only: the folded text, a number as read, and the
 * byte-level helpers both use. */
#ifndef EM_SCORE_NUMBER_IMPL_H
#define EM_SCORE_NUMBER_IMPL_H

#include <stddef.h>
#include <string.h>

/* The response after fold (score_number.c): ASCII digits, signs and
 * spaces, read up to len. */
struct text {
	const char *s;
	size_t len;
};

/* A number as read. When whole (an integer written without a decimal
 * point, fraction, exponent, power or percent sign) its digits are
 * s[int_a..int_b) of the text it was read from, separators included, and
 * neg its sign: such numbers are compared exactly, not as doubles. */
struct num {
	double v;
	int pct;	/* written as a percentage */
	int whole;
	int neg;
	size_t int_a, int_b;
	size_t pos, end;	/* where it starts (its sign) and ends */
};

static inline unsigned char
at(const struct text *t, size_t i)
{
	return i < t->len ? (unsigned char)t->s[i] : 0;
}

static inline unsigned char
before(const struct text *t, size_t i)
{
	return i > 0 && i <= t->len ? (unsigned char)t->s[i - 1] : 0;
}

static inline int
digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline int
alpha(unsigned char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static inline int
has(const struct text *t, size_t i, const char *p)
{
	size_t n = strlen(p);

	return i <= t->len && t->len - i >= n && memcmp(t->s + i, p, n) == 0;
}

/* From score_number.c. A number at k: its end, 0 if none (depth is 0
 * outside a fraction). */
size_t	number_at(const struct text *t, size_t k, struct num *out, int depth);
/* A number may start at i (not inside a word, a date, "5-3"). */
int	number_starts(const struct text *t, size_t i);
/* The number at i is ruled out: "not 15", "isn't 15", "不是15". */
int	number_negated(const struct text *t, size_t i);
/* The number s[a..b) holds: the first after its last "=", else its
 * first; ruled-out numbers passed over. 1 if there is one. */
int	number_first_in(const struct text *t, size_t a, size_t b, struct num *out);

/* The number n is one of alternatives: "5 or 6", "between 10 and 20",
 * "5或6", and with range, "12-13" (not "12-13 = -1"). */
int	number_hedged(const struct text *t, const struct num *n, int range);

/* From score_number_last.c. Rule 3: the last number that is not ruled
 * out, passing over working after the answer in its sentence and checks;
 * *count (when not NULL) is how many numbers there are, ruled out or not.
 * 1 if there is one. */
int	number_last(const struct text *t, struct num *out, size_t *count);
/* The number after the last result word ("还剩", "一共", "需要") in
 * s[a..w), read to the end of its clause. 1 if there is one. */
int	number_result(const struct text *t, size_t a, size_t w, struct num *out);

/* From score_number_cue.c. Rule 2: the number of the last statement that
 * holds one and is not a question, a hypothesis or another's view; its v
 * is NaN when it names alternatives. 1 if there is one. 0 also when a
 * retraction ("No wait, that's wrong") withdrew the last: *withdrawn is
 * then where, and only a number after it answers. */
int	number_stated(const struct text *t, struct num *out, size_t *withdrawn);

#endif

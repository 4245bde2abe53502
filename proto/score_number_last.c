/* Numbers: rule 3 of score_numeric (see score.h), the last number, and
 * the result words of a Chinese answer sentence ("还剩 12 个").
 *
 * The last number is read the way a grader reads a response that never
 * states its answer: working shown after the answer in its sentence is
 * not the answer ("780 books (20 boxes × 39 books)", "共有780本书，即每盒
 * 39本乘以20盒"), nor is a check after it ("Check: 780 ÷ 20 = 39 ✓"). One
 * pass with a little state; every look-ahead is bounded (ASIDE_MAX,
 * WINDOW_MAX), so reading stays linear. */
#include "score.h"

#include <math.h>
#include <strings.h>

#include "score_number_impl.h"

#define ASIDE_MAX	160	/* bytes in a bracketed aside of working */
#define WINDOW_MAX	256	/* bytes of a sentence read for result words */

/* Result words: what a Chinese answer sentence says its quantity is. */
static const char *const RESULTS[] = { "一共", "总共", "共有", "共需", "共用",
	"共计", "合计", "总计", "还剩", "剩下", "剩余", "还有", "还需", "需要",
	"现在有", "最后有", "最终", NULL };

/* Words that open a conclusion: 所以 因此 故 综上. */
static const char *const CONCLUSIONS[] = { "所以", "因此", "故", "综上", NULL };

/* Words that open working after a number: because, since, i.e., that is,
 * namely; 因为, 由于, 也就是, and 即 after a comma or a space. */
static const char *const EXPLAINS[] = { "because", "since", "i.e.", "that is",
	"namely", NULL };
static const char *const ZH_EXPLAINS[] = { "因为", "由于", "也就是", "因為",
	"由於", NULL };

/* Sentences passed over once a number is read before them: pleasantries
 * and offers ("I hope this helps! Let me know if you have 2 more
 * questions."), anywhere; a recap of the givens ("原来有780本",
 * "Originally") unless it holds a result word; a comparison with a given
 * ("That is 80 fewer than the 780 she started with."). */
static const char *const PLEASANTRIES[] = { "i hope", "hope this", "hope that",
	"let me know", "feel free", "if you have", "if you need", "if you'd like",
	"happy to help", "glad to help", "good luck", "thanks", "thank you",
	"have a", NULL };
static const char *const ZH_PLEASANTRIES[] = { "希望", "如有", "如果你还有",
	"如果还有", "祝你", NULL };
static const char *const RECAPS[] = { "originally", "initially", "at first",
	"in the beginning", NULL };
static const char *const ZH_RECAPS[] = { "原来", "原本", "本来", "起初", "最初",
	"一开始", NULL };
static const char *const EN_RESULTS[] = { "so", "left", "remain", "remains",
	"remaining", "total", "now", "therefore", NULL };
static const char *const COMPARES[] = { "that is", "that's", "this is", NULL };

/* Headers of a check: at a line start. */
static const char *const CHECKS[] = { "check", "checking", "verification",
	"verify", "verifying", "double-check", "double check", "sanity check",
	"let's check", "let's verify", "let us check", "let us verify",
	"to check", "to verify", NULL };
static const char *const ZH_CHECKS[] = { "验算", "检验", "验证", "检查", "驗算",
	"檢驗", NULL };

static size_t
any_at(const struct text *t, size_t k, const char *const *list)
{
	for (; *list != NULL; list++)
		if (has(t, k, *list))
			return strlen(*list);
	return 0;
}

/* An English word or phrase of list at k, any case, at word bounds: its
 * length, else 0. */
static size_t
word_at(const struct text *t, size_t k, const char *const *list)
{
	if (alpha(before(t, k)))
		return 0;
	for (; *list != NULL; list++) {
		size_t n = strlen(*list);

		if (t->len - k >= n && strncasecmp(t->s + k, *list, n) == 0 &&
		    !alpha(at(t, k + n)))
			return n;
	}
	return 0;
}

/* A sentence ends at k: a line break, ". " (not a decimal point), "!",
 * "?", ";", "。", "！", "？", "；". */
static int
sentence_end(const struct text *t, size_t k)
{
	unsigned char c = at(t, k), n = at(t, k + 1);

	if (c == '\n')
		return 1;
	if (c == '.' || c == '!' || c == '?' || c == ';')
		return n == 0 || n == ' ' || n == '\n' || n == '\r' || n >= 0x80;
	return has(t, k, "。") || has(t, k, "！") || has(t, k, "？") || has(t, k, "；");
}

/* A bracket at k opens an aside of working: "(20 boxes × 39 books per
 * box)" — an operator inside, and no term of an equation ("4(5)", "+ ("
 * before it). Its closing bracket, else 0. */
static size_t
working_aside(const struct text *t, size_t k)
{
	unsigned char p = before(t, k);
	int op = 0;

	if (at(t, k) != '(' || digit(p) || (p != 0 && strchr("+-*/=^(", p) != NULL))
		return 0;
	op = word_at(t, k + 1, EXPLAINS) > 0 || word_at(t, k + 1, COMPARES) > 0;
	for (size_t e = k + 1; e < t->len && e - k < ASIDE_MAX; e++) {
		unsigned char c = at(t, e);

		if (c == ')')
			return op ? e : 0;
		if (c == '\n' || c == '(')
			return 0;
		op |= c == '*' || c == '+' || c == '/' || c == '=' ||
		    has(t, e, "\xc3\xb7") || has(t, e, "\\times") || has(t, e, "\\cdot") ||
		    (c == ' ' && (at(t, e + 1) == 'x' || at(t, e + 1) == '-') && at(t, e + 2) == ' ');
	}
	return 0;
}

/* A check's header at the line start k (blanks, '*', '#', '-' skipped):
 * "Check:", "Let's verify", "验算". */
static int
check_header(const struct text *t, size_t k)
{
	while (at(t, k) == ' ' || at(t, k) == '*' || at(t, k) == '#' || at(t, k) == '-')
		k++;
	return word_at(t, k, CHECKS) > 0 || any_at(t, k, ZH_CHECKS) > 0;
}

/* Working opens at k after a number of its sentence: "because", "即". */
static int
explains(const struct text *t, size_t k)
{
	unsigned char p = before(t, k);

	if (alpha(at(t, k)))
		return word_at(t, k, EXPLAINS) > 0;
	if (any_at(t, k, ZH_EXPLAINS) > 0)
		return 1;
	return has(t, k, "即") && (p == ' ' || p == ',' ||
	    (k >= 3 && memcmp(t->s + k - 3, "，", 3) == 0));
}

int
number_result(const struct text *t, size_t a, size_t w, struct num *out)
{
	size_t m = 0, n, c;

	for (size_t k = a; k < w; k++)
		if (at(t, k) >= 0xe4 && (n = any_at(t, k, RESULTS)) > 0)
			m = k + n;
	if (m == 0)
		return 0;
	for (c = m; c < w && !has(t, c, "，") && !(at(t, c) == ',' && !digit(at(t, c + 1))); c++)
		;
	return number_first_in(t, m, c, out);
}

/* The last number's sentence opens with a conclusion and holds a result
 * word ("所以共需要 7 天，比原计划少 3 天"): the number after it. */
static void
conclusion(const struct text *t, size_t s, struct num *out)
{
	size_t w;

	while (at(t, s) == ' ' || at(t, s) == '*' || at(t, s) == '\n')
		s++;
	if (any_at(t, s, CONCLUSIONS) == 0)
		return;
	for (w = s; w < t->len && w - s < WINDOW_MAX && !sentence_end(t, w); w++)
		;
	(void)number_result(t, s, w, out);
}

/* The sentence s[k..) holds a word of list (English) or zh before its
 * end; WINDOW_MAX bytes at most. */
static int
sentence_holds(const struct text *t, size_t k, const char *const *list,
    const char *const *zh)
{
	for (size_t e = k; e < t->len && e - k < WINDOW_MAX && !sentence_end(t, e); e++)
		if ((list != NULL && alpha(at(t, e)) && word_at(t, e, list) > 0) ||
		    (zh != NULL && at(t, e) >= 0xe4 && any_at(t, e, zh) > 0))
			return 1;
	return 0;
}

/* "than" then a number ("than the 780") in the sentence s[k..). */
static int
compares_given(const struct text *t, size_t k)
{
	static const char *const than[] = { "than", NULL };

	for (size_t e = k; e < t->len && e - k < WINDOW_MAX && !sentence_end(t, e); e++) {
		size_t f = e + 4;

		if (!alpha(at(t, e)) || word_at(t, e, than) == 0)
			continue;
		while (at(t, f) == ' ')
			f++;
		if (strncasecmp(t->s + f, "the ", 4) == 0)
			f += 4;
		while (at(t, f) == ' ' || at(t, f) == '$')
			f++;
		return digit(at(t, f));
	}
	return 0;
}

/* The sentence opening at k is passed over (see PLEASANTRIES); kept says
 * whether a number is read before it. */
static int
aside_sentence(const struct text *t, size_t k, int kept)
{
	if (word_at(t, k, PLEASANTRIES) > 0 || any_at(t, k, ZH_PLEASANTRIES) > 0)
		return 1;
	if (!kept)
		return 0;
	if (word_at(t, k, RECAPS) > 0 || any_at(t, k, ZH_RECAPS) > 0)
		return !sentence_holds(t, k, EN_RESULTS, RESULTS);
	return word_at(t, k, COMPARES) > 0 && compares_given(t, k);
}

/* State of the walk: what the sentence so far holds, and whether what is
 * read now is working or a check. */
struct walk {
	size_t	sentence;	/* where the current sentence starts */
	int	begun;		/* it has text */
	int	kept;		/* a number read, outside working */
	int	numbered;	/* a number read in it, outside working */
	size_t	aside_end;	/* inside an aside of working up to here */
	int	explaining;	/* after "because", "即", to the sentence's end */
	int	checking;	/* in a check, to a blank line after its text */
	int	check_text;
};

/* Steps the walk over the byte at k (no number starts there). */
static void
step(const struct text *t, size_t k, struct walk *w)
{
	size_t e;

	if (at(t, k) == '\n') {
		size_t j = k + 1;

		while (at(t, j) == ' ' || at(t, j) == '\t' || at(t, j) == '\r')
			j++;
		if (at(t, j) == '\n' && w->check_text)
			w->checking = 0;
		if (check_header(t, k + 1))
			w->checking = 1, w->check_text = 0;
	} else if (at(t, k) != ' ' && at(t, k) != '\r') {
		w->check_text |= w->checking && at(t, k) != ':' && at(t, k) != '*';
	}
	if (sentence_end(t, k)) {
		w->sentence = k + 1;
		w->numbered = w->explaining = w->begun = 0;
	} else if (!w->begun && at(t, k) != ' ' && at(t, k) != '*' && at(t, k) != '\r' &&
	    (at(t, k) & 0xc0) != 0x80) {
		w->begun = 1;
		w->explaining = aside_sentence(t, k, w->kept);
	} else if (w->numbered && k >= w->aside_end && (e = working_aside(t, k)) > 0) {
		w->aside_end = e;
	} else if (w->numbered && explains(t, k)) {
		w->explaining = 1;
	}
}

int
number_last(const struct text *t, struct num *out, size_t *count)
{
	struct walk w = { 0 };
	struct num n, passed;
	size_t e, c = 0, sentence = 0;
	int kept = 0, any = 0;

	w.checking = check_header(t, 0);
	for (size_t i = 0; i < t->len; i++) {
		if (has(t, i, "百分之") && (e = number_at(t, i + 9, &n, 0)) > 0) {
			n.pct = 1;
			n.whole = 0;
		} else if (!number_starts(t, i) || (e = number_at(t, i, &n, 0)) == 0) {
			step(t, i, &w);
			continue;
		}
		c++;
		w.check_text |= w.checking;
		w.begun = 1;
		if (!number_negated(t, i)) {
			if (w.checking || w.explaining || i < w.aside_end) {
				passed = n;
				any = 1;
			} else {
				*out = n;
				kept = 1;
				sentence = w.sentence;
				w.numbered = w.kept = 1;
			}
		}
		i = e - 1;
	}
	if (count != NULL)
		*count = c;
	if (kept)
		conclusion(t, sentence, out);
	else if (any)
		*out = passed;
	if (kept && number_hedged(t, out, 0)) {	/* "either 5 or 6" */
		out->v = NAN;
		out->whole = 0;
	}
	return kept || any;
}

/* Numbers: statements of an answer ("####", "the answer is", "Answer:",
 * "答案是", "答："), rule 2 of score_numeric (see score.h).
 *
 * A statement's sentence runs to its end (window_end); its number is read
 * from its first clause only (clause_end): "The answer is 7 because
 * 7 × 2 = 14" states 7, and the explanation after it, with its own "=",
 * is not the answer. Only an equation that is the statement itself ("The
 * answer is 3 + 4 = 7") is read after its last "=". A statement inside a
 * question ("Is the answer 3? No.") states nothing. Every look-around is
 * bounded (WINDOW_MAX after a cue, a few words before it), and windows
 * never overlap, so reading every statement is linear. */
#include "score.h"

#include <math.h>
#include <string.h>
#include <strings.h>

#include "score_number_impl.h"

#define WINDOW_MAX	256	/* bytes after a cue where its number may start */
#define WORD_MAX	12	/* longest word looked at before a cue */

/* Words that open an explanation after a statement's number. Not "and",
 * "or", "then": they also chain an answer's own steps ("Answer: 12 + 3 =
 * 15 and 15 × 2 = 30"). */
static const char *const CONNECTIVES[] = { "because", "since", "as",
	"which", "so", "where", "given", "when", "if", "but", "thus", "hence",
	"therefore", "while", "whereas", "for", "from", "with", "via", NULL };

/* The same in Chinese: 因为 所以 即 由于 因此 故 其中 则 而 且 验算 检验. */
static const char *const ZH_CONNECTIVES[] = { "因为", "所以", "即", "由于",
	"因此", "故", "其中", "则", "而", "且", "验算", "检验", "因為", "由於",
	NULL };

/* Words that ask when they open a sentence before "(the) answer": "Is
 * the answer 3", "Could the final answer be 4". */
static const char *const ASKING[] = { "is", "was", "could", "would",
	"should", "can", "might", "will", "does", "did", "isn't", "wasn't",
	"shouldn't", "wouldn't", "couldn't", NULL };
static const char *const ASK_DETS[] = { "the", "my", "our", "your", "this",
	"that", "final", "correct", "right", "real", "true", NULL };
static const char *const OPENERS[] = { "so", "but", "and", "or", "then",
	"wait", "now", "hmm", "ok", "okay", "well", NULL };

/* A statement after these in its sentence is a hypothesis or someone
 * else's view ("if the question meant weeks, the answer would be 84",
 * "Some might say the answer is 12"): it states nothing. The views are
 * the response's own after "I" or "we" ("I'd say the answer is 12"). */
static const char *const HYPOTHESES[] = { "if", "suppose", "supposing",
	"assuming", "assume", "unless", "whether", "otherwise", NULL };
static const char *const VIEWS[] = { "say", "says", "said", "claim", "claims",
	"claimed", "argue", "argues", "argued", "think", "thinks", "thought",
	"believe", "believes", "believed", "suggest", "suggests", "suggested",
	NULL };
static const char *const SELVES[] = { "i", "we", "i'd", "we'd", "i'll",
	"we'll", "i'm", "we're", "let's", NULL };
static const char *const ZH_HYPOTHESES[] = { "如果", "假如", "假设", "若",
	"有人", "别人", "有些人", NULL };

/* What withdraws a statement when it opens the next sentence, after
 * "No,", "Hmm,", "Oh," and the like ("No wait, that's wrong: ...",
 * "Hmm, I made a mistake"; after whisper-catch #48's marked corrections
 * and platx-ai/Talk #14's "不对"). */
static const char *const RETRACTS[] = { "that's wrong", "that is wrong",
	"that's not right", "that is not right", "that's incorrect",
	"that is incorrect", "that's not correct", "that is not correct",
	"i made a mistake", "i made an error", "my mistake", "scratch that",
	"i miscalculated", "let me recalculate", "let me redo", "no wait",
	"no, wait", "wait, no", "sorry, i meant", NULL };
static const char *const ZH_RETRACTS[] = { "不对", "错了", "算错", "我算错",
	NULL };
static const char *const HESITATIONS[] = { "no", "wait", "hmm", "oh", "oops",
	"ah", "um", "sorry", "hold", "on", "actually", NULL };

/* "answer" after these is no statement of this response's answer. */
static const char *const RULED[] = { "each", "every", "other", "possible",
	"wrong", "incorrect", "an", "any", "which", "no", "your", NULL };

static int
in_list(const struct text *t, size_t a, size_t n, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == n && strncasecmp(t->s + a, *list, n) == 0)
			return 1;
	return 0;
}

/* The ASCII word (letters, an apostrophe inside) ending at k, spaces
 * before k skipped: its start in *s and its length; 0 if there is none. */
static size_t
word_before(const struct text *t, size_t k, size_t *s)
{
	while (k > 0 && before(t, k) == ' ')
		k--;
	for (*s = k; *s > 0 && k - *s < WORD_MAX && (alpha(before(t, *s)) ||
	    (before(t, *s) == '\'' && alpha(before(t, *s - 1)))); (*s)--)
		;
	if (*s == k || alpha(before(t, *s)))
		return 0;
	return k - *s;
}

/* A statement starts at k (see cue_at): a window stops there, since the
 * later statement is read and wins anyway. */
static int
cue_start(const struct text *t, size_t k)
{
	unsigned char c = at(t, k);

	if (c == '#')
		return has(t, k, "####");
	if (c == 0xe7)
		return has(t, k, "答案") || has(t, k, "答:");
	return (c | 0x20) == 'a' && !alpha(before(t, k)) &&
	    strncasecmp(t->s + k, "answer", 6) == 0 && !alpha(at(t, k + 6));
}

/* Where a statement's sentence ends, from a: at a line break after some
 * text, ". " (not "... "), "!", "?", ";", "。" and the like, or the next
 * statement;
 * WINDOW_MAX at most. Windows so never overlap: reading them all is
 * linear. */
static size_t
window_end(const struct text *t, size_t a)
{
	int seen = 0;
	size_t k;

	for (k = a; k < t->len && k - a < WINDOW_MAX; k++) {
		unsigned char c = at(t, k), n = at(t, k + 1);

		if (c == '\n' && seen)
			break;
		if ((c == '.' || c == '!' || c == '?' || c == ';') &&
		    (n == 0 || n == ' ' || n == '\n' || n == '\r' || n >= 0x80) &&
		    !(c == '.' && before(t, k) == '.'))
			break;	/* an ellipsis ("3 + ... = 81") goes on */
		if (has(t, k, "。") || has(t, k, "；") || has(t, k, "！") ||
		    (k > a && cue_start(t, k)))
			break;
		seen |= c != ' ' && c != '\n' && c != '\r' && c != '\t';
	}
	return k;
}

/* An operator ends just before k (spaces skipped): "+ (", "\times (". */
static int
operator_before(const struct text *t, size_t k)
{
	while (k > 0 && before(t, k) == ' ')
		k--;
	if (k > 0 && strchr("+-*/=^", before(t, k)) != NULL)
		return 1;
	return (k >= 6 && memcmp(t->s + k - 6, "\\times", 6) == 0) ||
	    (k >= 5 && (memcmp(t->s + k - 5, "\\cdot", 5) == 0 ||
	    memcmp(t->s + k - 4, "\\div", 4) == 0));
}

/* A parenthesis at k opens an aside ("7 (check: 7 × 2 = 14)", "7（因为…）"),
 * not a term of the equation ("4(5) = 20", "3 + (4 × 2) = 11"). */
static int
aside(const struct text *t, size_t k)
{
	size_t n = k + 1;
	unsigned char c;

	while (at(t, n) == ' ')
		n++;
	c = at(t, n);
	if (!digit(c) && c != '-' && c != '+' && c != '.' && c != '\\')
		return 1;
	return before(t, k) == ' ' && !operator_before(t, k);
}

/* A clause ends at k, after a statement's number: ", " (not a separator
 * inside a number: numbers are stepped over whole), "，", ";", ": ", an
 * aside in brackets, a dash, a connective. */
static int
clause_stop(const struct text *t, size_t k)
{
	unsigned char c = at(t, k);
	size_t n;

	if (c == ',' || c == ':')
		return !digit(at(t, k + 1));
	if (c == ';' || (c == '(' && aside(t, k)) || has(t, k, "—"))
		return 1;
	if (alpha(c) && !alpha(before(t, k))) {
		for (n = 0; n < WORD_MAX && alpha(at(t, k + n)); n++)
			;
		return in_list(t, k, n, CONNECTIVES);
	}
	if (c >= 0xe4 && c <= 0xe9)
		for (const char *const *z = ZH_CONNECTIVES; *z != NULL; z++)
			if (has(t, k, *z))
				return 1;
	return 0;
}

/* The end of a statement's first clause in s[a..w): its first number
 * (numbers ruled out do not count), then up to a clause_stop or w. *ask
 * is set when the clause asks ("3吗", or it ends with "?"). */
static size_t
clause_end(const struct text *t, size_t a, size_t w, int *ask)
{
	struct num n;
	size_t k = a, e;
	int found = 0;

	*ask = 0;
	while (k < w) {
		if (has(t, k, "百分之") && (e = number_at(t, k + 9, &n, 0)) > 0) {
			found = 1;
			k = e;
		} else if (number_starts(t, k) && (e = number_at(t, k, &n, 0)) > 0) {
			found |= !number_negated(t, k);
			k = e;
		} else if (found && clause_stop(t, k)) {
			return k;
		} else {
			*ask |= has(t, k, "吗");
			k++;
		}
	}
	*ask |= at(t, w) == '?';
	return w < k ? w : k;
}

/* The statement at i opens a question: "Is the answer 3", "So could the
 * final answer be 4". */
static int
inverted(const struct text *t, size_t i)
{
	size_t k = i, s, n;
	int dets = 0;

	while ((n = word_before(t, k, &s)) > 0 && dets < 2 &&
	    in_list(t, s, n, ASK_DETS)) {
		k = s;
		dets++;
	}
	if (n == 0 || !in_list(t, s, n, ASKING))
		return 0;
	for (k = s; k > 0 && strchr(" *_\"", before(t, k)) != NULL; k--)
		;
	if ((n = word_before(t, k - (before(t, k) == ','), &s)) > 0 &&
	    in_list(t, s, n, OPENERS))
		for (k = s; k > 0 && strchr(" *_\"", before(t, k)) != NULL; k--)
			;
	return k == 0 || strchr("\n.!?:", before(t, k)) != NULL ||
	    (k >= 3 && memcmp(t->s + k - 3, "。", 3) == 0);
}

static int
ruled(const struct text *t, size_t i)
{
	size_t s, n = word_before(t, i, &s);

	return n > 0 && in_list(t, s, n, RULED);
}

/* The word at k (spaces skipped) is "I", "we" or "you". */
static int
selves_after(const struct text *t, size_t k)
{
	size_t n;

	while (at(t, k) == ' ')
		k++;
	for (n = 0; n < WORD_MAX && (alpha(at(t, k + n)) || at(t, k + n) == '\''); n++)
		;
	return in_list(t, k, n, SELVES) || (n == 3 && strncasecmp(t->s + k, "you", 3) == 0);
}

/* The sentence before the statement at i holds a hypothesis or another's
 * view (HYPOTHESES, VIEWS). Looks back WINDOW_MAX bytes at most. */
static int
hearsay(const struct text *t, size_t i)
{
	size_t k = i, s, n, s2, n2;

	while (k > 0 && i - k < WINDOW_MAX) {
		unsigned char p = before(t, k);

		if (p == '\n' || ((p == '.' || p == '!' || p == '?') &&
		    (at(t, k) == ' ' || at(t, k) == '\n')))
			return 0;
		if (k >= 3 && (memcmp(t->s + k - 3, "。", 3) == 0 ||
		    memcmp(t->s + k - 3, "！", 3) == 0))
			return 0;
		for (const char *const *z = ZH_HYPOTHESES; *z != NULL; z++)
			if (k >= strlen(*z) && memcmp(t->s + k - strlen(*z), *z,
			    strlen(*z)) == 0)
				return 1;
		if (!alpha(p)) {
			k--;
			continue;
		}
		if ((n = word_before(t, k, &s)) == 0) {
			k--;
			continue;
		}
		if (in_list(t, s, n, HYPOTHESES) && !selves_after(t, s + n))
			return 1;	/* not "If we add them, the answer is 12" */
		if (in_list(t, s, n, VIEWS)) {
			/* "I'd say", "we might say": the response's own */
			size_t a = s;

			for (int w = 0; w < 2 && (n2 = word_before(t, a, &s2)) > 0; w++) {
				if (in_list(t, s2, n2, SELVES))
					return 0;
				a = s2;
			}
			return 1;
		}
		k = s;
	}
	return 0;
}

/* A retraction opens at i: RETRACTS or ZH_RETRACTS at the start of a
 * sentence, hesitations before it skipped ("Hmm, that's wrong"). */
static int
retraction_at(const struct text *t, size_t i)
{
	size_t k = i, n = 0, s;
	int words = 0;

	if (at(t, i) >= 0xe4) {
		for (const char *const *z = ZH_RETRACTS; *z != NULL && n == 0; z++)
			if (has(t, i, *z))
				n = 1;
		if (n == 0)
			return 0;
		while (k > 0 && before(t, k) == ' ')
			k--;
		return k == 0 || strchr("\n.!?:,", before(t, k)) != NULL || (k >= 3 &&
		    (memcmp(t->s + k - 3, "。", 3) == 0 || memcmp(t->s + k - 3, "，", 3) == 0 ||
		    memcmp(t->s + k - 3, "！", 3) == 0 || memcmp(t->s + k - 3, "？", 3) == 0));
	}
	if (!alpha(at(t, i)) || alpha(before(t, i)))
		return 0;
	for (const char *const *p = RETRACTS; *p != NULL && n == 0; p++)
		if (t->len - i >= strlen(*p) && strncasecmp(t->s + i, *p, strlen(*p)) == 0 &&
		    !alpha(at(t, i + strlen(*p))))
			n = strlen(*p);
	if (n == 0)
		return 0;
	for (;;) {
		while (k > 0 && strchr(" ,!*", before(t, k)) != NULL)
			k--;
		if (words >= 3 || (n = word_before(t, k, &s)) == 0 ||
		    !in_list(t, s, n, HESITATIONS))
			break;
		k = s;
		words++;
	}
	return k == 0 || strchr("\n.!?:", before(t, k)) != NULL ||
	    (k >= 3 && memcmp(t->s + k - 3, "。", 3) == 0) ||
	    (k >= 3 && memcmp(t->s + k - 3, "—", 3) == 0);
}

/* A statement at i ("####", "the answer is", "Answer:", "答案是", "答："):
 * where its number may start, *a. *tight when it must come at once
 * ("Answer 42", "答案42": no linking word). 0 if there is none. */
static int
cue_at(const struct text *t, size_t i, size_t *a, int *tight)
{
	static const char *const links[] = { "is", "was", "would", "should", "will",
		"must", "becomes", "equals", NULL };
	static const char *const zh[] = { "应该是", "应为", "應為", "就是", "是",
		"为", "為", ":", "=", NULL };
	size_t k;

	if (has(t, i, "####") || has(t, i, "答:")) {
		*a = i + 4;
		*tight = 0;
		return 1;
	}
	if (has(t, i, "答案")) {
		for (k = i + 6; at(t, k) == ' ' || at(t, k) == '*'; k++)
			;
		*a = k;
		for (const char *const *z = zh; *z != NULL && *a == k; z++)
			if (has(t, k, *z))
				*a = k + strlen(*z);
		*tight = *a == k;
		return 1;
	}
	if (strncasecmp(t->s + i, "answer", 6) != 0 || i + 6 > t->len ||
	    alpha(before(t, i)) || alpha(at(t, i + 6)) || ruled(t, i))
		return 0;
	for (k = i + 6; k < t->len && strchr(" \t*_`", at(t, k)) && at(t, k); k++)
		;
	*a = k + (at(t, k) == ':' || at(t, k) == '=');
	for (const char *const *l = links; *a == k && *l != NULL; l++)
		if (strncasecmp(t->s + k, *l, strlen(*l)) == 0 &&
		    !alpha(at(t, k + strlen(*l))))
			*a = k + strlen(*l);
	*tight = *a == k;
	return 1;
}

/* A clause s[a..b) is an expression: an operator between its numbers and
 * no "=" ("2 × 3"). */
static int
expression(const struct text *t, size_t a, size_t b)
{
	int op = 0, num = 0;

	for (size_t k = a; k < b; k++) {
		unsigned char c = at(t, k);

		if (c == '=')
			return 0;
		if (digit(c))
			num = 1;
		else if (num && (c == '*' || c == '+' || c == '/' || c == '^' ||
		    has(t, k, "\xc3\xb7") || has(t, k, "\\times") || has(t, k, "\\cdot") ||
		    (c == '-' && before(t, k) == ' ')))
			op = 1;
	}
	return op;
}

/* After an expression's clause ending at b: its value, given at once by
 * ", which is 6", ", that is 6", "，等于6", "，得6", "，即6". 1 if read. */
static int
value_after(const struct text *t, size_t b, size_t w, struct num *out)
{
	static const char *const words[] = { "which is", "which equals",
		"which gives", "that is", "i.e.", "equals", "giving", "or", NULL };
	static const char *const zh[] = { "等于", "得", "即", "也就是", "结果是",
		"為", "为", NULL };
	size_t k = b, n = 0;

	if (at(t, k) == ',' || at(t, k) == ':')
		k++;
	else if (has(t, k, "，"))
		k += 3;
	while (at(t, k) == ' ')
		k++;
	for (const char *const *p = words; *p != NULL && n == 0; p++)
		if (t->len - k >= strlen(*p) && strncasecmp(t->s + k, *p, strlen(*p)) == 0 &&
		    !alpha(at(t, k + strlen(*p))))
			n = strlen(*p);
	for (const char *const *p = zh; *p != NULL && n == 0; p++)
		if (has(t, k, *p))
			n = strlen(*p);
	if (n == 0 && at(t, k) == '=')
		n = 1;
	if (n == 0)
		return 0;
	for (k += n; at(t, k) == ' ' || at(t, k) == '$'; k++)
		;
	return k < w && number_starts(t, k) && !number_negated(t, k) &&
	    number_at(t, k, out, 0) > 0;
}

/* A self-correction after a statement, at i: "it should be 8", "actually,
 * it's 8", "correction: 8", "应该是8", "更正：8". Where its number may
 * start, *a; *tight when it must come at once. 0 if there is none. */
static int
correction_at(const struct text *t, size_t i, size_t *a, int *tight)
{
	static const char *const subjects[] = { "it", "that", "this", NULL };
	static const char *const zh[] = { "应该是", "應該是", "应为", "應為", NULL };
	static const char *const zh_loose[] = { "更正:", "更正为", "更正為", NULL };
	static const char *const its[] = { "it's ", "it is ", "it was ", "that's ",
		"that is ", NULL };
	size_t k, n, s;

	*tight = 1;
	if (at(t, i) >= 0xe4) {
		for (const char *const *z = zh; *z != NULL; z++)
			if (has(t, i, *z)) {
				*a = i + strlen(*z);
				return 1;
			}
		for (const char *const *z = zh_loose; *z != NULL; z++)
			if (has(t, i, *z)) {
				*a = i + strlen(*z);
				*tight = 0;
				return 1;
			}
		return 0;
	}
	if (!alpha(at(t, i)) || alpha(before(t, i)))
		return 0;
	if (strncasecmp(t->s + i, "correction:", 11) == 0 ||
	    strncasecmp(t->s + i, "corrected:", 10) == 0) {
		*a = i + (at(t, i + 9) == ':' ? 10 : 11);
		*tight = 0;
		return 1;
	}
	if (strncasecmp(t->s + i, "actually", 8) == 0 && !alpha(at(t, i + 8))) {
		for (k = i + 8; at(t, k) == ',' || at(t, k) == ' '; k++)
			;
		for (const char *const *p = its; *p != NULL; p++)
			if (strncasecmp(t->s + k, *p, strlen(*p)) == 0 &&
			    t->len - k >= strlen(*p)) {
				k += strlen(*p);
				break;
			}
		*a = k;
		return 1;
	}
	if (strncasecmp(t->s + i, "should", 6) != 0 || alpha(at(t, i + 6)) ||
	    (n = word_before(t, i, &s)) == 0 || !in_list(t, s, n, subjects))
		return 0;
	for (k = i + 6; at(t, k) == ' '; k++)
		;
	if (strncasecmp(t->s + k, "actually ", 9) == 0)
		k += 9;
	if (strncasecmp(t->s + k, "be ", 3) == 0)
		*a = k + 3;
	else if (strncasecmp(t->s + k, "have been ", 10) == 0)
		*a = k + 10;
	else
		return 0;
	return 1;
}

int
number_stated(const struct text *t, struct num *out, size_t *withdrawn)
{
	size_t a, b, w;
	int found = 0, tight, ask, seen = 0, corr;
	struct num n;

	*withdrawn = 0;
	for (size_t i = 0; i < t->len; i++) {
		corr = 0;
		if (found && retraction_at(t, i)) {
			found = 0;	/* "No wait, that's wrong: ..." */
			*withdrawn = i;
			continue;
		}
		if (cue_at(t, i, &a, &tight)) {
			seen = 1;
			if (!has(t, i, "####") && hearsay(t, i))
				continue;	/* "Some might say the answer is 12" */
		} else if (seen && correction_at(t, i, &a, &tight)) {
			corr = 1;	/* it corrects a statement before it */
		} else {
			continue;
		}
		/* "Answer 42", "答案$42": the number comes at once */
		while (tight && (at(t, a) == '$' || at(t, a) == '*' || has(t, a, "\\$")))
			a += at(t, a) == '\\' ? 2 : 1;
		while (corr && tight && at(t, a) == ' ')
			a++;
		w = window_end(t, a);
		b = clause_end(t, a, w, &ask);
		if (ask || (!corr && (at(t, i) | 0x20) == 'a' && inverted(t, i)))
			continue;	/* a question states nothing */
		if (!number_first_in(t, a, tight ? a + 1 : b, &n))
			continue;
		/* "答：小明原来有 15 个，吃掉 3 个后还剩 12 个": the result word's */
		if (has(t, i, "答:"))
			(void)number_result(t, a, w, &n);
		else if (!tight && expression(t, a, b))
			(void)value_after(t, b, w, &n);	/* "2 × 3, which is 6" */
		if (number_hedged(t, &n, 1)) {	/* "5 or 6", "12-13" */
			n.v = NAN;
			n.whole = 0;
		}
		*out = n;
		found = 1;
	}
	return found;
}

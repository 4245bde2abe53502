/* Multiple choice: whether a standalone letter in a response picks an
 * option, from the few words around it (see score_choice.c). */
#include "score.h"

#include <string.h>

#include "score_choice_impl.h"

/* Words after which "A" is a letter, not an article, and "I" a letter, not
 * a pronoun. THIRD holds what may follow either; OTHER only "A". */
static const char *const THIRD[] = { "is", "isn't", "seems", "appears",
	"states", "says", "mentions", "talks", "suggests", "describes", "refers",
	"claims", "implies", "involves", "includes", "contains", "represents",
	"shows", "gives", "lists", "matches", "fits", "correctly", "incorrectly",
	"remains", "becomes", "has", "hasn't", "does", "doesn't", "looks",
	"sounds", "focuses", "discusses", "proposes", "argues", "relates",
	"deals", "addresses", "offers", "provides", "uses", "requires", "assumes",
	"makes", "explains", "defines", "violates", "fails", "lacks", "concerns",
	NULL };

static const char *const OTHER[] = { "was", "wasn't", "are", "aren't",
	"were", "have", "had", "did", "didn't", "can", "can't", "cannot",
	"could", "couldn't", "would", "wouldn't", "should", "shouldn't", "will",
	"won't", "may", "might", "must", "seem", "appear", "state", "say",
	"describe", "also", "only", "alone", NULL };

static const char *const CONJ[] = { "and", "or", "nor", "vs", "versus", NULL };

/* A letter after these names a thing, not an option. */
static const char *const NAMES[] = { "statement", "statements", "vitamin",
	"type", "class", "grade", "group", "phase", "stage", "step", "part",
	"level", "hepatitis", "plan", "section", "chapter", "appendix", "figure",
	"fig", "table", "model", "point", "points", "line", "segment", "angle",
	"set", "sets", "matrix", "vector", "node", "vertex", "region", "zone",
	"category", "factor", "element", "compound", "species", "person",
	"player", "team", "company", "country", "city", "box", "urn", "bag",
	"machine", "product", "drug", "patient", "student", "strain", "gene",
	"column", "row", "item", "variable", "event", "events", "case",
	"scenario", "hypothesis", "plane", "circle", "triangle", "square",
	"site", "population", "firm", "worker", "project", "house", "town",
	"island", "star", "planet", "room", "building", "school", "train", "car",
	"tank", "pipe", "mr", "mrs", "ms", "dr", "sample", "solution", "tube",
	"flask", "beaker", "plate", "allele", "blood", "protein", "enzyme",
	"cell", "roman", NULL };

static const char *const NEGATIONS[] = { "not", "never", "neither", "except",
	"excluding", "eliminate", "eliminates", "eliminated", "eliminating",
	"exclude", "excludes", "excluded", "than", "against", NULL };

static const char *const RULE[] = { "rule", "rules", "ruled", "ruling", NULL };

const char *const choice_fillers[] = { "option", "choice", "answer",
	"letter", "the", NULL };

/* After a verdict these make it a condition, not a pick: "A is correct
 * only for even numbers", "A would be correct if ...". */
const char *const choice_conditions[] = { "if", "only", "unless", "provided",
	"assuming", "except", "when", "whenever", "had", "were", NULL };
/* Before a statement in its clause these make it a hypothesis or someone
 * else's view: "Some might think the answer is A", "If the answer is A",
 * "a common mistake is to answer A". */
static const char *const HYPOTHESES[] = { "if", "whether", "unless",
	"suppose", "supposing", "assume", "assuming", "imagine", "might", "may",
	"could", "some", "someone", "others", "people", "students", "many",
	"mistake", "mistaken", "mistakenly", "wrongly", "erroneously",
	"incorrectly", "tempting", "trap", "misconception", "common", "naively",
	NULL };
/* A clause opened by these is the response's own again. */
static const char *const TURNS[] = { "but", "so", "thus", "hence",
	"therefore", "however", "actually", "instead", NULL };
/* The same as HYPOTHESES in Chinese: 如果 假如 假设 若 以为 有人 容易 误. */
static const char *const ZH_HYPOTHESES[] = { "如果", "假如", "假设", "若",
	"以为", "有人", "容易", "误选", "错选", NULL };
static const char *const ZH_CLAUSE_ENDS[] = { "，", "。", "；", "：", "！",
	"？", NULL };

static const char *const ZH_NEGATIONS[] = { "不是", "排除", "而非", "并非",
	"並非", "不选", "不選", "除了", "不可能是", "不可能为", "不可能為",
	"不会是", "不會是", "不应是", "不應是", NULL };

/* Between a negation and "be": "cannot possibly be C". */
static const char *const ADVERBS[] = { "possibly", "really", "definitely",
	"ever", "actually", "even", NULL };

/* Before a letter these make it a guess: "maybe A, maybe C" is several. */
static const char *const HEDGES[] = { "maybe", "perhaps", "possibly", NULL };

/* An apostrophe at i ("'" or U+2019): its length, else 0. */
static size_t
apos(const struct resp *r, size_t i)
{
	if (at(r, i) == '\'')
		return 1;
	return has(r, i, "\xe2\x80\x99") ? 3 : 0;
}

/* The ASCII word at i (letters, an apostrophe inside), lower case into w.
 * Returns the bytes it spans, 0 if none; a word longer than WORD_MAX is
 * cut short in w and reported as its first WORD_MAX + 8 bytes at most. */
size_t
choice_word_at(const struct resp *r, size_t i, char w[WORD_MAX])
{
	size_t k = i, o = 0, a;

	while (k < r->len && k - i < WORD_MAX + 8) {
		if (alpha(at(r, k))) {
			if (o < WORD_MAX - 1)
				w[o++] = (char)(at(r, k) | 0x20);
			k++;
		} else if (k > i && (a = apos(r, k)) > 0 && alpha(at(r, k + a))) {
			if (o < WORD_MAX - 1)
				w[o++] = '\'';
			k += a;
		} else {
			break;
		}
	}
	w[o] = 0;
	return k - i;
}

/* The word ending before i (spaces skipped), into w; its start in *start.
 * Returns 0 if there is none. */
int
choice_word_before(const struct resp *r, size_t i, char w[WORD_MAX], size_t *start)
{
	size_t k = i;

	while (k > 0 && (before(r, k) == ' ' || before(r, k) == '\t'))
		k--;
	*start = k;
	while (*start > 0 && k - *start < WORD_MAX && (alpha(before(r, *start)) ||
	    before(r, *start) == '\''))
		(*start)--;
	if (*start == k || (*start > 0 && alpha(before(r, *start))))
		return 0;
	return choice_word_at(r, *start, w) == k - *start;
}

/* The word after i (spaces and closing marks skipped) into w. */
static size_t
word_after(const struct resp *r, size_t i, char w[WORD_MAX])
{
	while (at(r, i) == ' ' || at(r, i) == ')' || at(r, i) == ']' ||
	    at(r, i) == '*' || at(r, i) == '"')
		i++;
	return choice_word_at(r, i, w);
}

/* A lone ASCII letter at i: no letter or digit beside it, not inside
 * "I'd", "X-ray", "U.S." or "don't". */
int
choice_standalone(const struct resp *r, size_t i)
{
	unsigned char p = before(r, i), nx = at(r, i + 1);
	size_t a = apos(r, i + 1);

	if (!alpha(at(r, i)) || alnum(p) || alnum(nx))
		return 0;
	if (a > 0 && alpha(at(r, i + 1 + a)))
		return 0;
	if ((nx == '-' || nx == '.') && alpha(at(r, i + 2)))
		return 0;
	if (i >= 2 && (p == '-' || p == '.' || p == '\'') && alpha(before(r, i - 1)))
		return 0;
	return !(i >= 4 && has(r, i - 3, "\xe2\x80\x99") && alpha(before(r, i - 3)));
}

/* "A"/"a" or "I"/"i" before a lower-case word that is not a verb: an
 * article or a pronoun ("A good guess", "I think"). "I" takes only verbs
 * that agree with a third person ("I is wrong"); "I would" is a pronoun. */
static int
is_word(const struct resp *r, size_t i)
{
	unsigned char c = at(r, i) | 0x20;
	char w[WORD_MAX];
	size_t k = i + 1;

	if (c != 'a' && c != 'i')
		return 0;
	while (at(r, k) == ' ')
		k++;
	if (k == i + 1 || at(r, k) < 'a' || at(r, k) > 'z' || choice_word_at(r, k, w) == 0)
		return 0;
	if (in_list(w, THIRD) || in_list(w, CONJ))
		return 0;
	return c == 'i' || !in_list(w, OTHER);
}

/* A symbol in a formula: after "=", "_", "^", "\" or a LaTeX command
 * ("\Delta E"), or before "=", "+", "_", "^". Only what lies at or after
 * from (a cue's window start) counts before the letter: "Answer = C". */
static int
is_math(const struct resp *r, size_t i, size_t from)
{
	char w[WORD_MAX];
	size_t k = i + 1, s;

	while (at(r, k) == ' ')
		k++;
	if (one_of(at(r, k), "=+^_") || one_of(at(r, i + 1), "^_"))
		return 1;
	for (k = i; k > from && before(r, k) == ' '; k--)
		;
	if (k > from && one_of(before(r, k), "=+^_\\"))
		return 1;
	if (k > from + 1 && before(r, k) == '{' && one_of(before(r, k - 1), "_^"))
		return 1;
	return choice_word_before(r, i, w, &s) && s > 0 && before(r, s) == '\\';
}

/* A word that negates what follows: "not", "never", "cannot", "isn't". */
static int
negation(const char *w)
{
	size_t n = strlen(w);

	return in_list(w, NEGATIONS) || strcmp(w, "cannot") == 0 ||
	    (n > 3 && strcmp(w + n - 3, "n't") == 0);
}

/* Ruled out: "not B", "isn't C", "rather than D", "rules out A",
 * "instead of option B", "不是A", "排除B". */
int
choice_negated(const struct resp *r, size_t i)
{
	char w[WORD_MAX], w2[WORD_MAX];
	size_t k = i, s, s2;

	for (int m = 0; m < 3; m++) {
		while (k > 0 && one_of(before(r, k), " ([*\""))
			k--;
		if (!choice_word_before(r, k, w, &s) || !in_list(w, choice_fillers))
			break;
		k = s;
	}
	if (ends_any(r, k, ZH_NEGATIONS) || ((ends_any(r, k, (const char *const[]){ "选",
	    "選", NULL }) && ends_any(r, k - 3, ZH_NEGATIONS))))
		return 1;
	if (!choice_word_before(r, k, w, &s))
		return 0;
	if (negation(w))
		return 1;
	if (!choice_word_before(r, s, w2, &s2))
		return 0;
	if (strcmp(w, "be") == 0) {
		/* "can't be C", "cannot possibly be C", "may not be C" */
		if (in_list(w2, ADVERBS) && !choice_word_before(r, s2, w2, &s2))
			return 0;
		return negation(w2);
	}
	return (strcmp(w, "out") == 0 && in_list(w2, RULE)) ||
	    (strcmp(w, "of") == 0 && strcmp(w2, "instead") == 0);
}

/* The subject of a verb, or of a Chinese clause: "B is wrong", "C states",
 * "C项错误". Such a letter is discussed, not picked. */
int
choice_subject(const struct resp *r, size_t i)
{
	char w[WORD_MAX];
	size_t k = i + 1;

	if (word_after(r, k, w) > 0)
		return in_list(w, THIRD) || in_list(w, OTHER);
	while (one_of(at(r, k), " )]*\""))
		k++;
	return ideograph(r, k);
}

/* A joiner at k (",", "/", "&", "and", "or", "和", "、" ...): its length. */
static size_t
joiner(const struct resp *r, size_t k, int *comma)
{
	static const char *const zh[] = { "和", "或", "与", "與", "及", "、", NULL };
	char w[WORD_MAX];
	size_t n;

	*comma = at(r, k) == ',';
	if (one_of(at(r, k), ",/&"))
		return 1;
	if ((n = choice_word_at(r, k, w)) > 0 && in_list(w, CONJ))
		return n;
	return has_any(r, k, zh, &n) != NULL ? n : 0;
}

/* A Roman numeral of two letters or more ("II", "IV") at k, or ending
 * before k when back is set. */
static int
roman(const struct resp *r, size_t k, int back)
{
	size_t n = 0;

	if (back)
		while (n < k && one_of(before(r, k - n), "IVX"))
			n++;
	else
		while (one_of(at(r, k + n), "IVX"))
			n++;
	return n >= 2 && !alnum(back ? before(r, k - n) : at(r, k + n));
}

/* The letter at i is one of several: "A and B", "A, B", "C/D", "A和B",
 * or a numeral among numerals: "I and II". After a comma a letter that
 * starts a clause is no partner: in "B, A is wrong" B stands alone. */
static int
is_grouped(const struct resp *r, size_t i)
{
	char w[WORD_MAX];
	size_t k = i + 1, n, s;
	int comma, upper = at(r, i) < 'a';

	while (one_of(at(r, k), " )]*\""))
		k++;
	if ((n = joiner(r, k, &comma)) > 0) {
		for (k += n; one_of(at(r, k), " ([*\""); k++)
			;
		if (comma && (n = choice_word_at(r, k, w)) > 0 && in_list(w, CONJ))
			for (k += n; one_of(at(r, k), " ([*\""); k++)
				;	/* "A, or C" */
		if ((n = choice_word_at(r, k, w)) > 0 && in_list(w, HEDGES))
			for (k += n; one_of(at(r, k), " ([*\""); k++)
				;	/* "A, maybe C", "A or perhaps C" */
		if ((choice_standalone(r, k) && (at(r, k) < 'a') == upper &&
		    !(comma && choice_subject(r, k))) || roman(r, k, 0))
			return 1;
	}
	for (k = i; k > 0 && one_of(before(r, k), " ([*\""); k--)
		;
	if (choice_word_before(r, k, w, &s) && in_list(w, HEDGES))
		for (k = s; k > 0 && one_of(before(r, k), " ([*\""); k--)
			;	/* "maybe A, maybe C" */
	if (one_of(before(r, k), ",/&")) {
		comma = before(r, k) == ',';
		k--;
	} else if (choice_word_before(r, k, w, &s) && in_list(w, CONJ)) {
		for (k = s; k > 0 && before(r, k) == ' '; k--)
			;
		comma = before(r, k) == ',';	/* "A, or C" */
		k -= (size_t)comma;
	} else if (ends_any(r, k, (const char *const[]){ "和", "或", "与", "與",
	    "及", "、", NULL })) {
		comma = 0;
		k -= 3;
	} else {
		return 0;
	}
	while (k > 0 && one_of(before(r, k), " )]*\""))
		k--;
	if (roman(r, k, 1))
		return 1;
	return k > 0 && choice_standalone(r, k - 1) && (before(r, k) < 'a') == upper &&
	    !(comma && choice_subject(r, i));
}

/* An option's label at a line start, before its text: "A. red",
 * "B) blue", "(C) green", "**D.** yellow", "A: Let's think". */
static int
is_label(const struct resp *r, size_t i)
{
	size_t k = i;
	int paren = 0;

	while (k > 0 && one_of(before(r, k), " \t*#>-(")) {
		paren |= before(r, k) == '(';
		k--;
	}
	if (k > 0 && before(r, k) != '\n')
		return 0;
	for (k = i + 1; at(r, k) == '*'; k++)
		;
	if (paren ? at(r, k) != ')' : !one_of(at(r, k), ".):"))
		return 0;
	for (k++; at(r, k) == '*'; k++)
		;
	if (at(r, k) != ' ' && at(r, k) != '\t')
		return 0;
	while (at(r, k) == ' ' || at(r, k) == '\t')
		k++;
	return at(r, k) != 0 && at(r, k) != '\n' && at(r, k) != '\r';
}

/* What the standalone letter at i is doing (see enum role). */
enum role
choice_role(const struct resp *r, size_t i, size_t from)
{
	char w[WORD_MAX];
	size_t s;

	if (is_word(r, i))
		return R_WORD;
	if (is_math(r, i, from))
		return R_MATH;
	if (choice_word_before(r, i, w, &s) && in_list(w, NAMES))
		return R_NAME;
	if (choice_negated(r, i))
		return R_NEGATED;
	if (is_grouped(r, i))
		return R_GROUPED;
	if (is_label(r, i))
		return R_LABEL;
	return choice_subject(r, i) ? R_SUBJECT : R_PICK;
}

/* The option a stated letter names: NONE if it is no pick at all (a
 * pronoun, a name, a symbol, ruled out), INVALID for several options or a
 * letter past the last option. */
int
choice_take(const struct resp *r, size_t i, size_t from)
{
	switch (choice_role(r, i, from)) {
	case R_WORD:
	case R_MATH:
	case R_NAME:
	case R_NEGATED:
		return NONE;
	case R_GROUPED:
		return INVALID;
	default:
		return letter(r, i) < (int)r->n ? letter(r, i) : INVALID;
	}
}

/* The clause before i holds a hypothesis or someone else's view ("Some
 * might think the answer is A", "If A is correct", "如果答案是A"): at most
 * a dozen words back, to a mark that ends a clause or a word that turns
 * back to the response's own voice ("but", "so"). */
int
choice_hypothetical(const struct resp *r, size_t i)
{
	char w[WORD_MAX];
	size_t k = i, s;
	int m;

	for (m = 0; m < 12; m++) {
		while (k > 0 && one_of(before(r, k), " \t*\"_`"))
			k--;
		if (k == 0 || one_of(before(r, k), "\n\r,;:.!?()"))
			return 0;
		if (before(r, k) >= 0x80)
			break;	/* Chinese: read below */
		if (!choice_word_before(r, k, w, &s))
			return 0;
		if (in_list(w, HYPOTHESES))
			return 1;
		if (in_list(w, TURNS))
			return 0;
		k = s;
	}
	if (m == 12)
		return 0;
	for (m = 0; k > 0 && m < 48; k--, m++) {
		if (one_of(before(r, k), "\n,;:.!?") || ends_any(r, k, ZH_CLAUSE_ENDS))
			return 0;
		if (ends_any(r, k, ZH_HYPOTHESES))
			return 1;
	}
	return 0;
}

/* A verdict ending at k goes on as a condition: "A is correct only for
 * even numbers", "A would be correct if ...", and after "would" also "but"
 * ("A would be correct, but the question asks ..."). */
int
choice_conditional(const struct resp *r, size_t k, int would)
{
	char w[WORD_MAX];

	while (one_of(at(r, k), " \t,*"))
		k++;
	if (choice_word_at(r, k, w) == 0)
		return 0;
	return in_list(w, choice_conditions) || (would && strcmp(w, "but") == 0);
}

/* The sentence from i is a question: it ends with "?" or holds "吗"
 * ("Is the answer C? No, it is A."). A statement inside a question states
 * nothing, and a letter in one picks nothing. */
int
choice_asked(const struct resp *r, size_t i)
{
	for (size_t k = i; k < r->len && k - i < WINDOW_MAX; k++) {
		if (has(r, k, "吗") || has(r, k, "嗎"))
			return 1;
		if (stops(r, k))
			return at(r, k) == '?' || has(r, k, "？");
	}
	return 0;
}

/* Verdicts on an option, read at a word start: against first, so "not
 * correct", "incorrect" and "不正确" are against. "yes", "no", "对" and
 * "错" count only where their clause ends. */
static const char *const AGAINST[] = { "wrong", "incorrect", "false",
	"untrue", "invalid", "not", "isn't", "aren't", "doesn't", "cannot",
	"can't", "fails", "too", "distractor", "eliminated", "impossible",
	"implausible", NULL };
static const char *const FOR[] = { "correct", "right", "true", "valid", NULL };
static const char *const ZH_AGAINST[] = { "错误", "錯誤", "不正确", "不正確",
	"不对", "不對", "不符合", "✗", "✘", "❌", "×", "✕", "❎", NULL };
static const char *const ZH_FOR[] = { "正确", "正確", "符合", "✓", "✔", "✅",
	"☑", NULL };
static const char *const ZH_SHORT_AGAINST[] = { "错", "錯", NULL };
static const char *const ZH_SHORT_FOR[] = { "对", "對", NULL };

enum verdict { V_NONE, V_AGAINST, V_FOR };

/* A clause ends at k: a mark, a line end, the end. */
static int
clause_end(const struct resp *r, size_t k)
{
	return at(r, k) == 0 || one_of(at(r, k), ".,;:!?)\n\r") || has(r, k, "。") ||
	    has(r, k, "、");
}

/* The verdict a word or mark at k gives, its length in *n. */
static enum verdict
verdict_at(const struct resp *r, size_t k, size_t *n)
{
	char w[WORD_MAX], w2[WORD_MAX];

	if (alpha(at(r, k)) && !alpha(before(r, k))) {
		*n = choice_word_at(r, k, w);
		if ((strcmp(w, "yes") == 0 || strcmp(w, "no") == 0) && clause_end(r, k + *n))
			return w[0] == 'y' ? V_FOR : V_AGAINST;
		if (strcmp(w, "not") == 0 && (choice_word_at(r, k + *n + 1, w2) == 1 ||
		    strcmp(w2, "only") == 0))
			return V_NONE;	/* "not B" rules B out; "not only" */
		if (in_list(w, AGAINST))
			return V_AGAINST;
		if (!in_list(w, FOR))
			return V_NONE;
		/* "right only if ...", "correct when ...": a condition */
		return choice_conditional(r, k + *n, 0) ? V_NONE : V_FOR;
	}
	*n = 1;
	if (has_any(r, k, ZH_AGAINST, n) != NULL)
		return V_AGAINST;
	if (has_any(r, k, ZH_FOR, n) != NULL)
		return V_FOR;
	if (has_any(r, k, ZH_SHORT_AGAINST, n) != NULL && clause_end(r, k + *n))
		return V_AGAINST;
	if (has_any(r, k, ZH_SHORT_FOR, n) != NULL && clause_end(r, k + *n))
		return V_FOR;
	*n = 1;
	return V_NONE;
}

/* A letter that opens a verdict on its option: a capital in range that
 * is a pick, a subject or a label, in the response's own voice and not
 * asked about. */
static int
verdict_anchor(const struct resp *r, size_t i)
{
	enum role ro;

	if (at(r, i) < 'A' || at(r, i) > 'Z' || !choice_standalone(r, i) ||
	    letter(r, i) >= (int)r->n)
		return 0;
	ro = choice_role(r, i, 0);
	return ro == R_PICK || ro == R_SUBJECT || ro == R_LABEL;
}

/* The verdict on the option whose letter is at i: the first verdict word
 * after it, up to the next anchor (its index in *next), the sentence's
 * end (not one right after the option's text: "A. 3. Too small.") or
 * WINDOW_MAX bytes. */
static enum verdict
verdict_of(const struct resp *r, size_t i, size_t *next)
{
	enum verdict v = V_NONE;
	size_t k = i + 1, from, n;
	int ended = 0;

	while (one_of(at(r, k), ".):*"))
		k++;
	while (one_of(at(r, k), " \t*"))
		k++;
	for (from = k; k < r->len && k - i < WINDOW_MAX; k += n) {
		n = 1;
		if (verdict_anchor(r, k))
			break;
		if (ended || at(r, k) == '\n')
			continue;	/* on to the next anchor */
		if (stops(r, k) && !choice_text_is(r->ct, letter(r, i), r->s, from, k)) {
			ended = 1;
			continue;
		}
		if ((v = verdict_at(r, k, &n)) != V_NONE)
			ended = 1;
	}
	*next = k;
	if (choice_hypothetical(r, i) || choice_asked(r, i))
		return V_NONE;
	return v;
}

/* Options judged one by one ("A. 3 — wrong\nB. 5 — wrong\nC. 7 —
 * correct", "A ✗ B ✗ C ✓ D ✗", "选项A：3，错误；选项C：7，正确", "C is the
 * only correct option; D is a distractor"): each option's last verdict
 * counts; when exactly one option is judged right and another wrong, it
 * is the pick. Each byte is read in one segment: linear. */
int
choice_verdict_pick(const struct resp *r)
{
	enum verdict last[CHOICES_MAX] = { V_NONE };
	size_t i = 0, next;
	int pick = NONE, n_for = 0, n_against = 0;

	while (i < r->len) {
		if (!verdict_anchor(r, i)) {
			i++;
			continue;
		}
		enum verdict v = verdict_of(r, i, &next);

		if (v != V_NONE)
			last[letter(r, i)] = v;
		i = next > i ? next : i + 1;
	}
	for (size_t j = 0; j < r->n; j++) {
		n_against += last[j] == V_AGAINST;
		if (last[j] == V_FOR) {
			pick = (int)j;
			n_for++;
		}
	}
	return n_for == 1 && n_against > 0 ? pick : NONE;
}

/* Multiple choice (see score.h, score_choice for the rules in order).
 *
 * The response (NFKC-folded, so "Ｃ" is "C" and "（C）" is "(C)") is read
 * for the option it picks the way a careful grader reads it: what it
 * states as its answer, else a bare letter, else a letter it marks, else
 * the last letter it names as a pick, else an option's text it repeats.
 * Whether a standalone letter is a pick at all is decided from a few words
 * around it (choice_role, score_choice_role.c): "I think", "A good guess",
 * "vitamin C", "\Delta E", "not B", "A and B", "B is wrong" are no picks.
 *
 * Every look-around is bounded (WINDOW_MAX bytes after a cue, WORD_MAX per
 * word, BOX_MAX per box), so a response of SCORE_TEXT_MAX bytes is read in
 * time linear in its length. */
#include "score.h"

#include <stdlib.h>
#include <string.h>

#include "score_choice_impl.h"

/* An answer noun after these is not this response's answer. */
static const char *const DETERMINERS[] = { "each", "every", "other",
	"possible", "which", "an", "any", "all", "no", "some", "potential",
	"candidate", "these", "those", "wrong", "incorrect", "your", NULL };
static const char *const NOUNS[] = { "answer", "correct option",
	"correct choice", "right option", "right choice", "best option",
	"best choice", "final choice", "final option", "my choice",
	"correct letter", NULL };
static const char *const LINKS[] = { "is", "was", "would", "should", "must",
	"will", "seems", "seem", "appears", "becomes", "remains", NULL };
static const char *const VERBS[] = { "choose", "chose", "select",
	"selected", "pick", "picked", "go with", "going with", "opt for",
	"settle on", NULL };
static const char *const SUBJECTS[] = { "i", "we", "i'll", "i'd", "i'm",
	"we'll", "we'd", "would", "will", "should", "must", "shall", "let's",
	"to", "am", NULL };
static const char *const POST[] = { "is the correct", "is the right",
	"is the best", "is the answer", "is correct", "is right", "is true",
	"would be the correct", "would be correct", "is indeed correct",
	"is the most appropriate", "is better", "is the better", "is best",
	"is preferable", "is more appropriate", "is more accurate",
	"is the most accurate", "is the most likely", "is most likely",
	"is more likely", "fits best", NULL };
static const char *const ZH_POST[] = { "是正确的", "是正确答案", "为正确答案",
	"是正确", "正确", "是对的", "是对", "是最合适的", "最合适", "是最佳",
	"符合题意", "是正確", "正確", "為正確答案", "更好", "更合适", "更准确",
	"更恰当", "最准确", "最恰当", NULL };
static const char *const ZH_NOUNS[] = { "答案", "正确选项", "正確選項",
	"正确的选项", "最佳选项", NULL };
static const char *const ZH_LINKS[] = { "应该是", "應該是", "应该为", "應該為",
	"应当是", "只能是", "应是", "应为", "應為", "就是", "是", "为", "為", ":",
	"=", "选", "選", "】", "]", NULL };
static const char *const ZH_SKIP[] = { "选项", "選項", "。", "、", "！", "？",
	"【", "】", "「", "」", "『", "』", "《", "》", "“", "”", "‘", "’", "—",
	NULL };

/* An entry of list (lower-case words; a space matches any run of spaces)
 * starting at i, case-insensitively and ending at a word's end: the index
 * after it, else 0. */
static size_t
phrase_at(const struct resp *r, size_t i, const char *const *list)
{
	for (; *list != NULL; list++) {
		const char *p = *list;
		size_t k = i;

		while (*p != 0) {
			if (*p == ' ' && at(r, k) == ' ') {
				while (at(r, k) == ' ')
					k++;
				p++;
			} else if (alpha(at(r, k)) && (at(r, k) | 0x20) == (unsigned char)*p) {
				k++;
				p++;
			} else {
				break;
			}
		}
		if (*p == 0 && !alpha(at(r, k)))
			return k;
	}
	return 0;
}

/* After "the answer is", "Answer:", "答案是": the first letter in the rest
 * of the sentence that is a pick; line breaks before it are passed. The
 * window ends at the next answer noun, whose own window is read and wins
 * anyway: windows never overlap, and reading them all is linear. */
static int
loose(const struct resp *r, size_t from)
{
	char w[WORD_MAX];
	size_t k = from, n;
	int seen = 0, p;

	while (k < r->len && k - from < WINDOW_MAX) {
		unsigned char c = at(r, k);

		if (c == '\n' ? seen : stops(r, k))
			break;
		if (k > from && ((alpha(c) && !alpha(before(r, k)) &&
		    phrase_at(r, k, NOUNS) > 0) || has_any(r, k, ZH_NOUNS, &n) != NULL))
			break;
		if (choice_standalone(r, k) && (p = choice_take(r, k, from)) != NONE)
			return p;
		seen |= alnum(c) || c >= 0x80;
		k += alpha(c) && !choice_standalone(r, k) ? choice_word_at(r, k, w) : 1;
	}
	return NONE;
}

/* After "Answer", "I choose", "选": the letter must come at once, behind
 * nothing but marks, brackets and "option". */
static int
tight(const struct resp *r, size_t from)
{
	char w[WORD_MAX];
	size_t k = from, n;

	while (k < r->len && k - from < WINDOW_MAX) {
		if (one_of(at(r, k), " \t\r\n*_`#:([{\"'$-"))
			k++;
		else if (has_any(r, k, ZH_SKIP, &n) != NULL)
			k += n;
		else if (choice_standalone(r, k))
			return choice_take(r, k, from);
		else if ((n = choice_word_at(r, k, w)) > 0 && in_list(w, choice_fillers))
			k += n;
		else
			return NONE;
	}
	return NONE;
}

/* "The answer to this question is ...": the window opens at its "is". */
static int
after_to(const struct resp *r, size_t k)
{
	char w[WORD_MAX];
	size_t end = k + 64, n;

	for (; k < end && !stops(r, k); k++) {
		if (at(r, k) == ':')
			return loose(r, k + 1);
		if (alpha(at(r, k)) && !alpha(before(r, k)) && (n = choice_word_at(r, k, w)) > 0) {
			if (strcmp(w, "is") == 0)
				return loose(r, k + n);
			k += n - 1;
		}
	}
	return NONE;
}

/* The sentence from k holds a condition: "would be A if ...". */
static int
would_if(const struct resp *r, size_t k)
{
	char w[WORD_MAX];
	size_t n;

	for (size_t from = k; k < r->len && k - from < WINDOW_MAX && !stops(r, k); k += n) {
		n = 1;
		if (alpha(at(r, k)) && !alpha(before(r, k)) &&
		    (n = choice_word_at(r, k, w)) > 0 && in_list(w, choice_conditions))
			return 1;
		n += n == 0;
	}
	return 0;
}

/* After an answer noun ending at end: ":" or a linking verb opens a loose
 * window ("the answer is ...", "Answer: ..."), else the letter must follow
 * at once ("Answer C", "Final Answer\n\n**C**"). */
static int
after_noun(const struct resp *r, size_t end)
{
	char w[WORD_MAX];
	size_t k = end, n;

	while (one_of(at(r, k), " \t*_`"))
		k++;
	n = choice_word_at(r, k, w);
	if (n > 0 && (strcmp(w, "choice") == 0 || strcmp(w, "option") == 0 ||
	    strcmp(w, "letter") == 0)) {
		for (k += n; one_of(at(r, k), " \t*_`"); k++)
			;
		n = choice_word_at(r, k, w);
	}
	if (n > 0 && strcmp(w, "to") == 0)
		return after_to(r, k + n);
	if (at(r, k) == ':' || at(r, k) == '=')
		return loose(r, k + 1);
	if (n > 0 && in_list(w, LINKS)) {
		/* "the answer would be A if ..." is a hypothesis */
		if (strcmp(w, "would") == 0 && would_if(r, k + n))
			return NONE;
		return loose(r, k + n);
	}
	return tight(r, end);
}

/* An English cue at the word start i: "the answer is", "Answer:", "the
 * correct option is", "I choose", "I'd go with". */
static int
en_cue(const struct resp *r, size_t i)
{
	char w[WORD_MAX];
	size_t end, s;

	if ((end = phrase_at(r, i, NOUNS)) > 0)
		return (choice_word_before(r, i, w, &s) && in_list(w, DETERMINERS)) ||
		    choice_hypothetical(r, i) || choice_asked(r, i) ? NONE : after_noun(r, end);
	if ((end = phrase_at(r, i, VERBS)) > 0 && choice_word_before(r, i, w, &s) &&
	    in_list(w, SUBJECTS) && !choice_asked(r, i))
		return tight(r, end);
	return NONE;
}

/* A Chinese cue at i: "答案是", "答案：", "正确选项为", "故选", "应选",
 * "我选择", "答：". "选项" is "option", no cue. */
static int
zh_cue(const struct resp *r, size_t i)
{
	static const char *const not_pick[] = { "项", "項", "择", "擇", NULL };
	size_t n, k;

	if (has_any(r, i, ZH_NOUNS, &n) != NULL) {
		if (choice_hypothetical(r, i) || choice_asked(r, i))
			return NONE;	/* "如果答案是A", "有人以为答案是A", "答案是A吗" */
		for (k = i + n; at(r, k) == ' ' || at(r, k) == '*'; k++)
			;
		return has_any(r, k, ZH_LINKS, &n) != NULL ? loose(r, k + n) :
		    tight(r, i + n);
	}
	if (has(r, i, "选择") || has(r, i, "選擇"))
		return tight(r, i + 6);
	if ((has(r, i, "选") || has(r, i, "選")) && has_any(r, i + 3, not_pick, &n) == NULL)
		return tight(r, i + 3);
	return has(r, i, "答:") ? loose(r, i + 4) : NONE;
}

/* "C是。", "C对，": a bare "is" or "right" that ends its clause, as in
 * "A不是，C是。" (only C is). "C是A的..." goes on, and states nothing. */
static int
zh_verdict(const struct resp *r, size_t k)
{
	static const char *const verdicts[] = { "是", "对", "對", NULL };
	static const char *const ends[] = { "。", "、", "；", "！", NULL };
	size_t n;

	if (has_any(r, k, verdicts, &n) == NULL)
		return 0;
	k += n;
	return at(r, k) == 0 || one_of(at(r, k), ".,;!\n\r") ||
	    has_any(r, k, ends, &n) != NULL;
}

/* A label's letter followed by its option's text and then a verdict:
 * "C) 7 is right", "(C) 7 is correct". Where the verdict starts, else 0. */
static size_t
text_verdict(const struct resp *r, size_t i, size_t k)
{
	if (!one_of(at(r, i + 1), ".):"))
		return 0;
	for (size_t j = k + 1; j < r->len && j - k < TEXT_SPAN && !stops(r, j); j++)
		if (at(r, j) == ' ' && phrase_at(r, j + 1, POST) > 0 &&
		    choice_text_is(r->ct, letter(r, i), r->s, k, j))
			return j + 1;
	return 0;
}

/* A letter stated correct after it: "C is the correct answer", "B is
 * correct", "C) 7 is right", "C项正确", "只有选项B是对的", "C是。" — unless
 * the verdict is a condition ("A is correct only if ...") or the clause
 * a hypothesis ("If A is correct, ..."). */
static int
post_cue(const struct resp *r, size_t i)
{
	size_t k = i + 1, n, v;

	while (one_of(at(r, k), " )]*\""))
		k++;
	if (has(r, k, "选项") || has(r, k, "選項"))
		k += 6;
	else if (has(r, k, "项") || has(r, k, "項"))
		k += 3;
	v = phrase_at(r, k, POST);
	if (v == 0 && has_any(r, k, ZH_POST, &n) == NULL && !zh_verdict(r, k)) {
		if ((k = text_verdict(r, i, k)) == 0)
			return NONE;
		v = phrase_at(r, k, POST);
	}
	if ((v > 0 && choice_conditional(r, v, at(r, k) == 'w' || at(r, k) == 'W')) ||
	    choice_hypothetical(r, i) || choice_asked(r, i))
		return NONE;
	return choice_take(r, i, 0);
}

/* The end of a box opened at i ("\boxed{", "\fbox{", GLM's
 * "<|begin_of_box|>"), its content starting at *from; 0 if there is none
 * or it does not close within BOX_MAX bytes. */
static size_t
box_at(const struct resp *r, size_t i, size_t *from)
{
	size_t k;
	int depth = 1;

	if (has(r, i, "<|begin_of_box|>")) {
		*from = i + 16;
		for (k = *from; k < r->len && k - *from < BOX_MAX; k++)
			if (has(r, k, "<|end_of_box|>"))
				return k;
		return 0;
	}
	if (!has(r, i, "\\boxed{") && !has(r, i, "\\fbox{"))
		return 0;
	*from = i + (at(r, i + 1) == 'b' ? 7 : 6);
	for (k = *from; k < r->len && k - *from < BOX_MAX; k++) {
		if (at(r, k) == '\\')
			k++;	/* an escaped brace is text */
		else if (at(r, k) == '{')
			depth++;
		else if (at(r, k) == '}' && --depth == 0)
			return k;
	}
	return 0;
}

/* A box's pick: its first letter that is a pick, else the option whose
 * text it holds ("\boxed{32}" for the option "32 degrees"). */
static int
box_pick(const struct resp *r, size_t i)
{
	struct resp box = *r;
	size_t from, end = box_at(r, i, &from);
	int p;

	if (end == 0)
		return NONE;
	box.len = end;	/* nothing past the box is looked at */
	for (size_t k = from; k < end; k++)
		if (choice_standalone(&box, k) && (p = choice_take(&box, k, from)) != NONE)
			return p;
	return choice_text_named(r->ct, r->s, from, end);
}

/* Rule 1: the last explicit statement. */
static int
stated_pick(const struct resp *r)
{
	int last = NONE, p;

	for (size_t i = 0; i < r->len; i++) {
		unsigned char c = at(r, i);

		p = NONE;
		if (c == '\\' || c == '<')
			p = box_pick(r, i);
		else if (alpha(c) && !alpha(before(r, i)))
			p = c <= 'Z' && choice_standalone(r, i) ? post_cue(r, i) : en_cue(r, i);
		else if (c >= 0xe0)
			p = zh_cue(r, i);
		if (p != NONE)
			last = p;
	}
	return last;
}

/* Rule 2: the response is one letter dressed at most in marks, brackets,
 * quotes and "option"/"选项": "C", "(c)", "**B.**", "Option D". */
static int
bare_pick(const struct resp *r)
{
	char w[WORD_MAX];
	int got = NONE;
	size_t i = 0, n;

	while (i < r->len) {
		unsigned char c = at(r, i);

		if (alpha(c)) {
			n = choice_word_at(r, i, w);
			if (n == 1 && got == NONE)
				got = letter(r, i);
			else if (n == 1 || (strcmp(w, "option") != 0 && strcmp(w, "choice") != 0))
				return NONE;
			i += n;
		} else if (c < 0x80 && !digit(c)) {
			i++;
		} else if (has_any(r, i, ZH_SKIP, &n) != NULL) {
			i += n;
		} else {
			return NONE;
		}
	}
	if (got == NONE)
		return NONE;
	return got < (int)r->n ? got : INVALID;
}

/* A line after from opens with the label of an option other than p: the
 * response lists the options ("A. 3\nB. 5\n..."), it does not pick p. */
static int
echoed(const struct resp *r, size_t from, int p)
{
	for (size_t k = from; k < r->len; k++) {
		if (before(r, k) != '\n')
			continue;
		while (one_of(at(r, k), " \t*#>-("))
			k++;
		if (at(r, k) <= 'Z' && choice_standalone(r, k) && letter(r, k) != p &&
		    letter(r, k) < (int)r->n && choice_role(r, k, 0) == R_LABEL)
			return 1;
	}
	return 0;
}

/* Rule 2 on the last line: the response ends with a line that is one
 * letter in marks ("A. 3\nB. 5\n...\n\nC": the options echoed or
 * discussed, then the pick). */
static int
last_line_pick(const struct resp *r)
{
	struct resp line = *r;
	size_t end = r->len, a;

	while (end > 0 && one_of(before(r, end), " \t\r\n"))
		end--;
	for (a = end; a > 0 && before(r, a) != '\n'; a--)
		;
	if (a == 0)
		return NONE;	/* one line: bare_pick has read it */
	line.s = r->s + a;
	line.len = end - a;
	return bare_pick(&line);
}

/* Rule 2, with the option's text: the response opens with a label and
 * goes on with that option's text ("B. 4", "(C) 12 apples"), or is that
 * one line ("B. \(6x^2 + 4x + 6\)"). */
static int
label_pick(const struct resp *r)
{
	size_t i = 0, k, eol;
	int paren, p;

	while (one_of(at(r, i), " \t\r\n*#"))
		i++;
	paren = at(r, i) == '(';
	i += (size_t)paren;
	if (!choice_standalone(r, i) || (p = letter(r, i)) >= (int)r->n ||
	    choice_subject(r, i))
		return NONE;	/* "(A) is wrong because ..." discusses A */
	k = i + 1;
	if (paren ? at(r, k) != ')' : !one_of(at(r, k), ".)"))
		return NONE;
	for (k++; at(r, k) == '*'; k++)
		;
	if (at(r, k) != ' ')
		return NONE;
	while (at(r, k) == ' ')
		k++;
	for (eol = k; eol < r->len && at(r, eol) != '\n'; eol++)
		;
	if (eol == k)
		return NONE;
	if (eol == r->len)
		return p;
	if (!choice_text_begins(r->ct, p, r->s, k, eol) || echoed(r, eol, p))
		return NONE;
	return p;
}

/* A letter marked as a pick: "**C**", "**C.**", "(C)", "[C]", "【C】". */
static int
marked(const struct resp *r, size_t i, int bold)
{
	size_t k = i + 1;

	if (bold) {
		if (one_of(at(r, k), ".)"))
			k++;
		return (has(r, k, "**") || has(r, k, "__")) && i >= 2 &&
		    (has(r, i - 2, "**") || has(r, i - 2, "__") ||
		    (i >= 3 && has(r, i - 3, "**(")));
	}
	return (one_of(before(r, i), "([") && one_of(at(r, k), ")]")) ||
	    (i >= 3 && has(r, i - 3, "【") && has(r, k, "】"));
}

/* Rule 3: the last letter marked in bold, else in brackets, that is a
 * pick (not a label, not the subject of a verb). */
static int
marked_pick(const struct resp *r)
{
	int bold = NONE, paren = NONE;

	for (size_t i = 0; i < r->len; i++) {
		if (at(r, i) > 'Z' || !choice_standalone(r, i) || letter(r, i) >= (int)r->n)
			continue;
		if (!marked(r, i, 1) && !marked(r, i, 0))
			continue;
		if (choice_role(r, i, 0) != R_PICK)
			continue;
		if (marked(r, i, 1))
			bold = letter(r, i);
		else
			paren = letter(r, i);
	}
	return bold != NONE ? bold : paren;
}

/* "A: ..." at a line start is also the few-shot answer prefix ("Q: ...
 * A: Paris is the capital."): as a label it names option A only when
 * that option's text follows it. 1 for such a prefix. */
static int
answer_prefix(const struct resp *r, size_t i)
{
	size_t k = i + 1, eol;

	while (at(r, k) == '*')
		k++;
	if (at(r, k) != ':')
		return 0;
	for (k++; one_of(at(r, k), "* \t"); k++)
		;
	for (eol = k; eol < r->len && at(r, eol) != '\n'; eol++)
		;
	return !choice_text_begins(r->ct, letter(r, i), r->s, k, eol);
}

/* Rule 4: the last standalone capital in range that is a pick. Line-start
 * labels count only when they all name one option (a response ending
 * "D. 12" picks D; a list "A. ... B. ..." picks nothing), and "A:" only
 * with its option's text. */
static int
last_pick(const struct resp *r)
{
	int last = NONE, label = NONE, mixed = 0;
	size_t last_at = 0, label_at = 0;

	for (size_t i = 0; i < r->len; i++) {
		enum role ro;

		if (at(r, i) > 'Z' || !choice_standalone(r, i) || letter(r, i) >= (int)r->n)
			continue;
		ro = choice_role(r, i, 0);
		if (ro == R_PICK && !choice_asked(r, i)) {
			last = letter(r, i);
			last_at = i;
		} else if (ro == R_LABEL && !answer_prefix(r, i)) {
			mixed |= label != NONE && label != letter(r, i);
			label = letter(r, i);
			label_at = i;
		}
	}
	if (label != NONE && !mixed && (last == NONE || label_at > last_at))
		return label;
	return last;
}

/* Where a listing of the options ends: after the line of the last label
 * when labels name two options or more ("A. 3\nB. 5\n..."), else 0. The
 * options' texts echoed there are no pick by text or number. */
static size_t
after_listing(const struct resp *r)
{
	size_t end = 0;
	int first = NONE, several = 0;

	for (size_t i = 0; i < r->len; i++) {
		if (at(r, i) > 'Z' || !choice_standalone(r, i) || letter(r, i) >= (int)r->n ||
		    choice_role(r, i, 0) != R_LABEL)
			continue;
		several |= first != NONE && first != letter(r, i);
		first = first == NONE ? letter(r, i) : first;
		for (end = i; end < r->len && at(r, end) != '\n'; end++)
			;
		i = end;
	}
	return several ? end : 0;
}

static int
pick(const struct resp *r)
{
	size_t from;
	int p;

	if ((p = stated_pick(r)) != NONE || (p = choice_verdict_pick(r)) != NONE ||
	    (p = bare_pick(r)) != NONE ||
	    (p = last_line_pick(r)) != NONE || (p = label_pick(r)) != NONE || (p = marked_pick(r)) != NONE ||
	    (p = last_pick(r)) != NONE)
		return p;
	from = after_listing(r);
	if ((p = choice_text_pick(r->ct, r->s + from)) < 0)
		p = choice_number_pick(r->ct, r->s + from);
	return p >= 0 ? p : NONE;
}

int
score_choice_target(const char *target, const char *const *choices, size_t n)
{
	struct choice_texts ct;
	int idx;

	if (target == NULL || choices == NULL || n == 0 || n > CHOICES_MAX)
		return -1;
	choice_texts_init(&ct, choices, n);
	idx = choice_target(target, &ct);
	choice_texts_free(&ct);
	return idx;
}

int
score_choice_clash(const char *const *choices, size_t n, size_t i, int *letter)
{
	struct choice_texts ct;
	int other;

	if (letter != NULL)
		*letter = 0;
	if (choices == NULL || n == 0 || n > CHOICES_MAX || i >= n)
		return -1;
	choice_texts_init(&ct, choices, n);
	other = choice_text_clash(&ct, i, letter);
	choice_texts_free(&ct);
	return other;
}

double
score_choice(const char *output, const char *target, const char *const *choices,
    size_t n_choices)
{
	struct choice_texts ct;
	struct resp r;
	char *t = NULL;
	int want, got = NONE;

	if (output == NULL || target == NULL || choices == NULL ||
	    n_choices == 0 || n_choices > CHOICES_MAX)
		return 0;
	choice_texts_init(&ct, choices, n_choices);
	if ((want = choice_target(target, &ct)) < 0 ||
	    score_normalize(output, NORM_NFKC, &t) != EM_OK)
		goto out;
	r.s = t;
	r.len = score_runon_len(t, strlen(t));
	t[r.len] = 0;
	r.n = n_choices;
	r.ct = &ct;
	got = pick(&r);
out:
	choice_texts_free(&ct);
	free(t);
	return got >= 0 && got == want;
}

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
#include <stdint.h>

#include "body.h"
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

/* Normalises in by flags. On success *out is yours (free()); on failure
 * NULL. EM_ETOOBIG above SCORE_TEXT_MAX, EM_ENOMEM, EM_EUTF8 if in is
 * not UTF-8 (or utf8proc cannot map it, for any reason: its own failures,
 * memory included, are reported so). */
em_err score_normalize(const char *in, unsigned flags, char **out);

/* 1 if output equals target once both are normalised by flags; 0 if
 * not, or if either cannot be (score_normalize's errors). */
double score_exact(const char *output, const char *target, unsigned flags);

/* Numbers: 1 if the number output answers with is within tolerance of
 * the number target holds (target is read by the same rules), else 0. 0
 * also if either has none, if tolerance is negative or NaN, or if either
 * is not UTF-8 or is longer than SCORE_TEXT_MAX. output is read up to a
 * run-on (score_runon_len: a next question or chat turn), and the first
 * rule that finds a number decides:
 *
 *  1. The last box to close that holds a number: \boxed{...}, \fbox{...}
 *     (nested braces), GLM's <|begin_of_box|>...<|end_of_box|>.
 *  2. The last statement that holds one: "####", "the answer is",
 *     "Answer:", "final answer", "答案是", "答案为", "答案：", "答："; after
 *     a statement, also a self-correction: "it/that/this should be 8",
 *     "should have been", "actually, it's 8", "correction: ...", "应该是8",
 *     "应为", "更正：..." (the number must follow at once, but after
 *     "correction:" and "更正" anywhere in the clause).
 *  3. The last number, passing over working after the answer in its
 *     sentence when the sentence has a number before it: an aside in
 *     brackets that holds an operator ("780 books (20 boxes × 39 books)"),
 *     a clause opened by "because", "since", "i.e.", "that is", "namely",
 *     "因为", "由于", "也就是", or "即" after a comma ("共有780本书，即每盒
 *     39本乘以20盒"), to the sentence's end; and passing over a check: a
 *     line opening "Check", "Verification", "Verify", "Double-check",
 *     "Let's check", "验算", "检验", "验证", "检查" up to a blank line after
 *     its text. Numbers passed over are read only when there is no other.
 *     When the last number's sentence opens with "所以", "因此", "故" or
 *     "综上" and holds a result word ("一共", "总共", "共有", "共需",
 *     "合计", "还剩", "剩下", "还有", "还需", "需要", "最终", ...), the
 *     number after its last result word is read instead ("所以共需要 7
 *     天，比原计划少 3 天" is 7). Also passed over: a sentence opening
 *     with a pleasantry or an offer ("I hope this helps", "Let me know",
 *     "Feel free", "If you have", "Thanks", "希望", "如有"); and after a
 *     number, a sentence recapping the givens ("Originally", "Initially",
 *     "原来", "原本", "起初") unless it holds a result word ("so", "left",
 *     "remain", "total", "还剩", ...), a sentence opening "That is",
 *     "That's", "This is" that compares with a given ("than the 780"),
 *     and an aside in brackets opening so ("(that's 80 fewer than 780)").
 *     The last number that is one of alternatives ("either 5 or 6",
 *     "between 10 and 20", not a range "10–20") is no number.
 *
 * In a box the number is the first after its last "=", else its first. A
 * statement's number is read from its first clause only: the clause ends,
 * once its first number is read, at the sentence's end, ", " or "，" (not
 * a thousands separator: numbers are read whole), ";", ": ", an aside in
 * brackets ("7 (check: 7 × 2 = 14)", but not "4(5) = 20" or
 * "3 + (4 × 2)"), "—", or a connective ("because", "since", "as",
 * "which", "so", "where", "given", "when", "if", "but", "thus", "hence",
 * "therefore", "while", "whereas", "for", "from", "with", "via"; "因为",
 * "所以", "即", "由于", "因此", "故", "其中", "则", "而", "且", "验算",
 * "检验"; not "and", "or", "then", which also chain an answer's own
 * steps). So "The answer is 7 because 7 × 2 = 14" is 7; only an
 * equation that is the clause itself is read after its last "="
 * ("Answer: m+n = 256+37 = 293" is 293, "答案是 2×3=6" is 6), and an
 * expression that is the clause (an operator, no "=") is read as the
 * value given right after it: ", which is 6", ", that is", ", equals",
 * "，等于6", "，得", "，即" ("The answer is 2 × 3, which is 6" is 6). In
 * an "答：" sentence whose clauses chain to a result, the number after
 * its last result word (as in rule 3) is read ("答：小明原来有 15 个苹果，
 * 吃掉 3 个后还剩 12 个" is 12). A statement inside a question states nothing: its clause
 * ends with "?" or holds "吗", or "(the) answer" opens the sentence after
 * "is", "could", "would", "does" and the like ("Is the answer 3? No. It
 * is 4." is 4). Nor does a statement after a hypothesis or someone
 * else's view in its sentence: "if", "suppose", "assuming", "unless",
 * "whether" (not "if we", "if I", "if you"), "say", "said", "claim",
 * "argue", "think", "believe", "suggest" (not after "I" or "we"), "如果",
 * "假如", "假设", "若", "有人" ("Some might say the answer is 12" and
 * "(Note: if the question meant weeks, the answer would be 84.)" state
 * nothing). A statement whose number is one of alternatives states no
 * number, and the response then answers with none: "5 or 6", "either 5
 * or 6", "between 10 and 20", "12-13", "$10–$20", "5或6", "5到6", "5~6"
 * (not a subtraction "15-3 = 12", nor "3 hours, or 180 minutes"). A
 * retraction opening the sentence after a statement withdraws it: "that's
 * wrong", "that's incorrect", "I made a mistake", "scratch that", "no
 * wait", "wait, no", "不对", "错了", "算错", after "No,", "Hmm,", "Oh,"
 * and the like; a later statement or correction then decides, else the
 * last number after the retraction ("The answer is 790. No wait, that's
 * wrong: 20 × 39 = 780." is 780), else none. A number after "not",
 * "isn't", "never", "不是" is passed over by every rule.
 *
 * Numbers are read as people and LaTeX write them: a sign ("-", "+", "−"
 * and the other dash minus signs; not the minus of "5-3" or the dash of
 * "10–20"); currency before ("$", "\$", "¥", "-$5") and units after; one
 * kind of thousands separator in groups of three after one to three
 * digits: ",", "{,}", ",\!", a space of any width, "'", "’", "\,", "\!";
 * or the Indian 2-2-3 grouping with commas ("12,34,567"); full-width
 * digits and commas; "." as the only decimal point ("3,5" is 3 and 5,
 * "1, 2, 3" three numbers); exponents ("1.5e-3", "6.02 \times 10^{23}",
 * "3 × 10⁸") and powers ("2^{10}"); "\frac{a}{b}", "\dfrac", "\tfrac",
 * "\frac12", "a/b" (not a date "3/4/2023"), "2\frac{1}{2}"; a percent
 * ("25%", "25\%", "25 percent", "百分之25"). Digits inside a word ("H2O")
 * or after "^" or "_" are no number, and numerals in words ("twelve",
 * "二十五") are not read. When exactly one side is a percentage it matches
 * the other divided by 100 ("25%" matches 0.25), or as written unless the
 * plain number is a proportion (between -1 and 1, not 0): "25%" matches
 * 25, "2.5%" matches 2.5, but "0.5%" does not match 0.5 (a probability of
 * a half is 50%, and 0.5% is 100 times less). "1/0" is no number. A
 * scale word multiplies: "1.5 million", "2 billion", "3 thousand",
 * "trillion", "3万", "1.2亿". Arabic-Indic, Persian and Devanagari digits
 * are read as digits ("٧٨٠" is 780), "٫" as the decimal point and "٬" as
 * the thousands separator.
 *
 * Two whole numbers (written without a decimal point, fraction, exponent,
 * power or percent sign) are compared exactly when tolerance is below 1:
 * the same sign and the same digits, separators and leading zeros
 * dropped, at any length ("12345678901234567891" is not
 * "12345678901234567890", though they are the same double). Otherwise the
 * two are compared as doubles, and rounding in the conversions above is
 * forgiven (4 ulps). Time is linear in the length of output.
 *
 * Known misses (tests/unit/score_number_test.c, known_misses, asserts
 * today's reading so a fix shows): steps chained with a comma on the
 * answer line read the first ("Answer: 3 × 4 = 12, 12 + 1 = 13" is 12); a
 * number asked about after the answer is the last ("It is 4. Did I get
 * 3?" is 3); an aside of working that holds the answer is passed over
 * ("There are 39 books in each of 20 boxes (20 × 39 = 780 books)." is
 * 20); a correction whose subject is a noun is none ("Wait, the
 * total should be 10." after "The answer is 4." is 4); a restatement
 * after "which is" is read as the last number ("She has 700 books left,
 * which is 7 shelves of 100." is 100: "180 minutes, which is 3 hours"
 * may be asked in hours); "no wait" withdraws a statement even when what
 * follows confirms it ("The answer is 790. No wait, that's right." is
 * none); alternatives inside a box are not seen ("\\boxed{5 \\text{ or }
 * 6}" is 5). */
double score_numeric(const char *output, const char *target, double tolerance);

/* A task's numeric target checked before any output is scored: 1 and the
 * number in *v if text reads, by score_numeric's rules, as exactly one
 * number and that number is finite ("42", "1,234", "\frac{3}{4}", "25%",
 * "#### 18"); else 0 and *v untouched: no number ("x", "", "inf",
 * "forty-two"), an infinite one ("1e400", "10^{999}"), a division by
 * zero ("1/0", "0/0"), several ("1 2", "3 + 4 = 7", even if one is ruled
 * out: "not 3 but 4"), a number glued to a word that holds a digit or
 * names a base ("0x10", "0XFF", "0b101", "3x4"; "5kg" and "1e5" are
 * fine), NULL, not UTF-8 or above SCORE_TEXT_MAX. Such a target could never be matched as its
 * author meant. A percentage is reported as written (25 for "25%"). */
int score_number_read(const char *text, double *v);

/* Multiple choice: 1 if the option output picks is the one target names,
 * else 0. target is a letter ("B", either case) or an option's text;
 * choices[0..n_choices) are the options' texts (NULL for an option without
 * one), n_choices 1..26; the caller keeps them. output is read after NFKC
 * ("Ｃ" is "C", "（C）" is "(C)") up to a run-on (score_runon_len: a next
 * question or chat turn), the way a careful grader reads it; the first
 * rule that finds a pick decides:
 *
 *  1. The last explicit statement (a model that corrects itself is graded
 *     on its correction): "the answer is", "Answer:", "final answer", "the
 *     correct option is", "I choose", "I'd go with", "答案是", "答案：",
 *     "答案为", "正确选项是", "故选", "应选", "选", "我选择", "答："; a letter
 *     followed by a verdict: "is the correct answer", "is correct", "is
 *     right", "is true", "is better", "is best", "is most likely", "fits
 *     best", "正确", "是对的", "更合适", or a bare "是" or "对" that ends its
 *     clause ("A不是，C是。"); a label followed by its option's text and a
 *     verdict ("C) 7 is right"); "\boxed{C}", "\fbox{C}", GLM's
 *     "<|begin_of_box|>C". After a linking word (":", "is") the pick is the
 *     first letter in the rest of the sentence that picks one option, in
 *     either case ("The correct answer is d."); without one the letter must
 *     follow at once ("Answer C"). A box without a letter names the option
 *     whose text it holds. A statement of a letter past the last option, or
 *     of several ("A and B"), picks nothing. No statement is made by a
 *     hypothesis or someone else's view: a statement whose clause, before
 *     it, holds "if", "whether", "suppose", "assume", "might", "may",
 *     "could", "some", "someone", "others", "people", "students", "many",
 *     "mistake", "wrongly", "tempting", "common" and the like ("Some might
 *     think the answer is A", "a common mistake is to answer A"; "如果",
 *     "假如", "若", "以为", "有人", "容易"), unless "but", "so" or the like
 *     turns back to the response's own voice after them; nor by a verdict
 *     that goes on as a condition ("A is correct only for even numbers",
 *     "if", "unless", "only", "when", ...; after "would" also "but": "A
 *     would be correct if ...", "the answer would be A if ..."); nor by a
 *     statement inside a question: its sentence ends with "?" or holds
 *     "吗" ("Is the answer C? No, it is A." is A).
 *  2. Options judged one by one: each option whose letter (a label, the
 *     subject of a verb, "选项C") is followed in its stretch of text (to
 *     the next such letter, the sentence's end or the line's end) by a
 *     verdict takes the first one there — for: "correct", "right",
 *     "true", "valid", "yes", "正确", "符合", "对", "✓", "✔", "✅"; against:
 *     "wrong", "incorrect", "false", "invalid", "not", "isn't", "too"
 *     ("too small"), "distractor", "no", "错误", "不正确", "不对", "错",
 *     "✗", "✘", "❌", "×" ("yes", "no", "对", "错" only where their clause
 *     ends; a verdict that goes on as a condition, or said in a
 *     hypothesis or a question, is none); an option judged twice keeps
 *     its last verdict. When exactly one option is judged right and
 *     another wrong, it is the pick, whichever is listed last: "A. 3 —
 *     wrong\n...\nC. 7 — correct\nD. 9 — wrong", "A ✗  B ✗  C ✓  D ✗",
 *     "选项A：3，错误；...选项C：7，正确；...", "C is the only correct
 *     option; D is a distractor" all pick C.
 *  3. A response that is one letter in brackets, marks or punctuation
 *     ("C", "(c)", "**B.**", "选项B"); else a last line that is one ("A. 3\n
 *     B. 5\n...\n\nC": the options echoed or discussed, then the pick);
 *     else a response that opens with a label and goes on with that
 *     option's text, unless a later line opens with another option's label
 *     (an echo of the options), or is that one line ("B. 4").
 *  4. The last letter in bold ("**C**"), else in brackets ("(C)", "[C]").
 *  5. The last standalone capital letter in range; a line-start label
 *     ("D. 12") when it is the only one, but "A:" only when option A's
 *     text follows ("A: Paris is ..." may be a few-shot answer prefix).
 *  6. The option whose text output is; else the one option whose text it
 *     names as its pick, else the one it only discusses. A mention is as
 *     words, not inside a longer option's text ("red" in "dark red"); it
 *     is ruled out after a negation as a letter is ("not London", "rather
 *     than", "不是"), when joined to a ruled-out one ("not London or
 *     Berlin") or before a negated verb ("London isn't", "London and
 *     Berlin are not"); it is discussed when a verb follows it alone
 *     ("London is the capital of the UK; the capital of France is Paris"
 *     picks Paris, "Vitamin D is made in sunlight, but scurvy is
 *     prevented by vitamin C" vitamin C). Else, when every option is a
 *     number (score_number_read), the one option equal to the number
 *     output answers with by score_numeric's rules ("2 + 2 = 4" picks
 *     "4"). An echo of the options (labels of two options or more at line
 *     starts) names none by its texts or numbers: these rules read what
 *     follows its last label's line ("A. 3\nB. 5\nC. 7\nD. 9" picks
 *     nothing).
 *
 * In every rule a letter counts only if it picks one option: not a
 * pronoun or article ("I think", "A good guess", but "A is wrong" is a
 * letter), not a name ("vitamin C", "point A", "statement I"), not a
 * symbol ("\Delta E", "E = mc^2"), not ruled out ("not B", "rather than
 * C", "neither A nor B", "can't be C", "cannot possibly be C", "may not
 * be C", "isn't C", "排除A", "不可能是C", "不会是C"), not one of several
 * ("A and B", "C/D", "A和B", "I and II", guesses: "maybe A, maybe C", "A,
 * or perhaps C"). Rules 4 and 5 also pass over the subject of a verb ("B
 * is wrong", "C项错误") and options' labels at line starts ("A. red" in a
 * listing); rule 5 also a letter in a question ("Is it B? No."). 0 for
 * an output that is not UTF-8 or is longer than SCORE_TEXT_MAX. Time is
 * linear in the length of output.
 *
 * Known misses (tests/unit/score_choice_test.c, known_misses, asserts
 * today's reading so a fix shows): a one-line response that opens with a
 * label is read as that label's pick even when it goes on to another
 * ("D) 9 is wrong; so B." reads D); a bold letter before a verb is read
 * as discussion ("**D** fits the data" picks nothing); someone else's view
 * with no word of hypothesis in its own clause is a statement ("Many
 * students pick B, thinking the answer is B." reads B); after a text
 * ruled out a comma joins the next one to it ("Not Paris, London." picks
 * nothing); guesses in sentences of their own are not several ("Maybe A.
 * Maybe C." reads C); a verdict is its first word, so "C. 7 — not
 * divisible by 2 or 3, so correct" judges C wrong. */
double score_choice(const char *output, const char *target,
    const char *const *choices, size_t n_choices);

/* A multiple-choice task's target checked before any output is scored:
 * the index of the option target names, as score_choice reads a target —
 * a letter in range ("b" or "B" is 1), else the first option whose text
 * target is once both are compared as score_choice compares texts (NFKC,
 * case, LaTeX and outer punctuation dropped). -1 if it names none ("E"
 * with four options, a text no option has, "", "AB"), or for NULL
 * arguments, n outside 1..26, or a target that is not UTF-8. choices as
 * for score_choice. */
int score_choice_target(const char *target, const char *const *choices,
    size_t n);

/* Whether a response could tell option i from every other, checked with
 * the target before any output is scored: the index of an option j != i
 * it could not, else -1. Two options clash when their texts are the same
 * as score_choice compares texts ("Paris" and "paris."), or when one's
 * text is a lone letter that is the other's label (options "B", "C", "D",
 * "E": a response "C" may name option C or the option whose text is "C");
 * *letter (when not NULL) is then 1 when j's text is i's letter, 2 when
 * i's text is j's letter, else 0 (the same text). With the target among them,
 * a model that picks the other of the two is scored wrong for an answer
 * as good. -1 also for NULL choices, n outside 1..26 or i >= n. choices as
 * for score_choice. */
int score_choice_clash(const char *const *choices, size_t n, size_t i,
    int *letter);

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

/* The length of s[0..len) up to where a run-on starts: a line (not the
 * first) that opens a next question or chat turn — "Question:", "Question
 * 2:", "**Question 2:**", "Q:", "Q3:", "问题:", "问题2:", "Human:", "User:",
 * "Assistant:" (these three in any ASCII case) after blanks, '*' or '#';
 * "Human:" right after a tag's ">" ("</answer>Human: ..."); a chat
 * template's "<|user|>" or "<|im_start|>" anywhere after the first byte. A
 * model that runs on into its prompt's next question ("#### 18\n\nQuestion:
 * ...") or plays the next turn itself answered before it. For the metrics
 * that read one answer out of a text (numbers, multiple choice), on
 * NFKC-folded text (full-width colons are plain); len when there is no
 * run-on. Reads nothing past s[len). */
size_t score_runon_len(const char *s, size_t len);

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
 * closing parenthesis at offset 7"), the length, a back-reference;
 * EM_ENOMEM (why says PCRE2's words). */
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
 * finds to target by score_exact; 0 when it finds nothing or fails. */
double score_regex(const char *output, const char *pattern, const char *target,
    unsigned flags);

/* Token F1 (as in SQuAD) over normalised tokens: runs of letters and
 * digits, and each CJK character on its own. 1 when neither has a token,
 * 0 when one has none or either cannot be normalised or tokenised (out
 * of memory). */
double score_f1(const char *output, const char *target, unsigned flags);

/* A score as it is kept, committed to and published: the whole number of
 * 1/BODY_SCORE_SCALE units nearest s (halves away from 0), 0 for s below
 * 0 or NaN, BODY_SCORE_SCALE for s above 1. This is the one rounding of a
 * score: the runner applies it to each score as it is made, before
 * anything is cached, summed (stats_summarize) or hashed (a result's
 * Merkle leaf and score vector), so a published mean is the mean of its
 * own vector, and an item resumed from the cache counts exactly as it did
 * when it was scored. */
uint16_t score_units(double s);

#endif

/* score_choice, table-driven: responses as models really wrote them (each
 * group names the public report it comes from; "constructed" rows are
 * written in the same style where no report had that shape), the number
 * of options, and the letter a careful grader reads ('-' for none). Every
 * row is checked against every option as the target, so a row passes only
 * if its letter scores 1 and every other letter 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score.h"

struct row {
	const char *out;
	size_t n;
	char want;			/* 'A'.. or '-' */
	const char *const *choices;	/* NULL: texts no response mentions */
};

static const char *const plain26[] = { "zq0", "zq1", "zq2", "zq3", "zq4",
	"zq5", "zq6", "zq7", "zq8", "zq9", "zq10", "zq11", "zq12", "zq13",
	"zq14", "zq15", "zq16", "zq17", "zq18", "zq19", "zq20", "zq21", "zq22",
	"zq23", "zq24", "zq25" };
static const char *const colours[] = { "red", "green", "blue", "yellow" };
static const char *const reds[] = { "red", "dark red", "blue", "green" };
static const char *const sums[] = { "2258", "2263", "2281" };
static const char *const temps[] = { "0 degrees", "32 degrees",
	"100 degrees", "212 degrees" };
static const char *const fours[] = { "2", "4", "6", "8" };
static const char *const twelves[] = { "10", "11", "12", "13" };
static const char *const capitals[] = { "Rome", "Paris", "London", "Berlin" };
static const char *const paris[] = { "Paris", "Rome", "London", "Berlin" };
static const char *const mixed[] = { "2", "4", "six", "8" };
static const char *const odds[] = { "3", "5", "7", "9" };
static const char *const cities[] = { "Paris", "London", "Berlin", "Madrid" };
static const char *const vitamins[] = { "Vitamin A", "Vitamin B12",
	"Vitamin C", "Vitamin D" };

/* Explicit statements in English. */
static const struct row en_stated[] = {
	/* jundot/omlx PR #3668: letters named after the stated answer; with
	 * MMLU-Pro's ten options "I" is a pronoun, not option I */
	{ "The answer is B. Note that A is a common distractor.", 4, 'B', NULL },
	{ "ANSWER IS D. A is incorrect.", 4, 'D', NULL },
	{ "The answer is C because I computed the integral.", 10, 'C', NULL },
	/* EleutherAI/lm-evaluation-harness PR #4188 (MMLU generative rows) */
	{ "The answer is B because a car moves.", 4, 'B', NULL },
	{ "I would pick B — a safe choice.", 10, 'B', NULL },
	/* groq/openbench #348: a number "answer", a tentative one, the final */
	{ "The calculated answer is 11.\n\nAnswer seems to be A.\n\nAnswer: A\n", 4, 'A', NULL },
	/* aniri15/OPD-V #2 */
	{ "Answer: **D**", 4, 'D', NULL },
	{ "I considered (A), but it is incorrect. Final answer: D.", 4, 'D', NULL },
	{ "The correct answer is d.", 4, 'D', NULL },
	/* UKGovernmentBEIS/inspect_ai PR #3910 */
	{ "ANSWER: b", 4, 'B', NULL },
	{ "Answer: this asks which is a colour\n...\nANSWER: B", 4, 'B', NULL },
	/* antirez/ds4 PR #319, issue #321 */
	{ "Answer: I think it is C", 10, 'C', NULL },
	{ "Answer: It is not B, the answer is D", 4, 'D', NULL },
	{ "Answer: rules out C, leaving D", 4, 'D', NULL },
	{ "Answer: D, not B", 4, 'D', NULL },
	/* AISBench/benchmark #245 (MiniMax-M2.7 on GPQA) */
	{ "**Answer:** C", 4, 'C', NULL },
	{ "**Answer:** **C**", 4, 'C', NULL },
	/* lm-evaluation-harness #4187 (deepseek models, MMLU generative) */
	{ "ANSWER: B", 4, 'B', NULL },
	/* open-compass/VLMEvalKit PR #1591: the prompt's "$LETTER" echoed */
	{ "Answer: $B", 4, 'B', NULL },
	/* MatthewCYM/VoiceBench #10 (phrasings its extractor lists) */
	{ "The answer to the multiple-choice question is **C**.", 4, 'C', NULL },
	{ "C is the best answer.", 4, 'C', NULL },
	{ "I would choose option B.", 4, 'B', NULL },
	{ "The answer is 'D'.", 4, 'D', NULL },
	/* MMLU-Pro's answer format ("The answer is (X)"), open-compass #1462;
	 * the few-shot "A:" prefix is no pick */
	{ "A: Let's think step by step. A characteristic of a ring is R is $n$ "
	  "if the statement $ka = 0$ for all $a\\in 2Z$ implies that $k$ is a "
	  "multiple of $n$. Hence $k=0$ and $n =0$. The answer is (A).", 10, 'A', NULL },
	{ "The answer is (I).", 10, 'I', NULL },
	/* open-compass #1933 (Qwen2.5 on mmlu_pro): the echoed prefix alone
	 * names no option, with sixteen options (A-P) L is in range */
	{ "Answer: Let's think step by step.", 16, '-', NULL },
	{ "Answer: Let's think step by step. Only option K keeps the charge "
	  "balanced. The answer is (K).", 16, 'K', NULL },	/* ending constructed */
	/* lm-evaluation-harness #2237 (Llama-3.1-8B, mmlu_pro biology): options
	 * discussed in parentheses, then the pick (ending constructed) */
	{ "* Muscle tissue (A) is composed of long, multinucleated cells that are "
	  "not typically undergoing mitotic cell divisions.\n* Shoot tips (B) are "
	  "areas of rapid growth and cell division, and are a good example of "
	  "mitotic cell divisions.\n* Leaf veins (C) are composed of vascular "
	  "tissue.\n\nThe answer is (B).", 10, 'B', NULL },
	/* MakazhanAlpamys/Soup #357 (Llama-3.1-8B, mini_mmlu) */
	{ "...is the symbol for gold, which is Au.\n\nThe final answer is: $\\boxed{C}$", 4, 'C', NULL },
	/* zai-org/GLM-V #156 (GLM-4.5V box tokens) */
	{ "The video shows a person in a car, walking past ornate buildings, and "
	  "then a temple with a golden Buddha and monks, which are characteristic "
	  "of Asian architecture and culture. Therefore, the answer is "
	  "<|begin_of_box|>B<|end_of_box|><|user|>", 4, 'B', NULL },
	/* NVIDIA-NeMo/Skills #1511 (Nemotron on GPQA): a boxed formula with
	 * "\Delta E", then the stated answer; the same with ten options */
	{ "so the condition is \\boxed{\\langle H\\rangle \\ll \\Delta E}\n\n**Answer: D**", 4, 'D', NULL },
	{ "so the condition is \\boxed{\\langle H\\rangle \\ll \\Delta E}\n\n**Answer: D**", 10, 'D', NULL },
	/* openai/simple-evals #33 (there in German): an empty "Answer:" line */
	{ "Answer:\n\nAnswer: C", 4, 'C', NULL },
	/* the brief's distractors before and after (constructed) */
	{ "Not A. The answer is C, since B is wrong", 4, 'C', NULL },
	{ "The answer is Ｃ.", 4, 'C', NULL },	/* full-width, constructed */
	{ "The answer is (O).", 16, 'O', NULL },	/* A-P, constructed */
	{ "My final answer is P", 16, 'P', NULL },	/* constructed */
	{ "The answer is E", 4, '-', NULL },	/* no option E (old test) */
};

/* Several statements: the last one wins. */
static const struct row en_several[] = {
	/* openai/frontier-evals #125 (self-correction) */
	{ "Answer: A\nAfter checking the reasoning, I need to correct this.\nAnswer: B", 4, 'B', NULL },
	/* open-compass PR #2496 (GPQA: drafts, then the final ANSWER line) */
	{ "ANSWER: A\nWait, that contradicts the second step.\nANSWER: C", 4, 'C', NULL },
	/* a run-on into the next few-shot question (sgl-project/sglang PR
	 * #29933 reports it for GSM8K; constructed for a letter) */
	{ "The answer is (B).\n\nQuestion: Which gas is inert?\nThe answer is (D).", 4, 'B', NULL },
};

/* Chinese statements. */
static const struct row zh_stated[] = {
	/* MatthewCYM/VoiceBench #10 (phrasings its extractor lists) */
	{ "答案是C", 4, 'C', NULL },
	{ "答案是 C", 4, 'C', NULL },
	{ "答案是选项C", 4, 'C', NULL },
	{ "答案应该是B", 4, 'B', NULL },
	{ "答案就是选项D", 4, 'D', NULL },
	{ "答案是‘A’", 4, 'A', NULL },
	{ "答案选C", 4, 'C', NULL },
	{ "C是正确的", 4, 'C', NULL },
	{ "选项C是最合适的", 4, 'C', NULL },
	/* FreedomIntelligence/CMB #13 (its extractor's statement forms) */
	{ "正确选项为D", 4, 'D', NULL },
	{ "答案应该为A", 4, 'A', NULL },
	/* open-compass PR #2600 ("故选X", "只有选项X是对"); sentence constructed */
	{ "分析各选项：A项错误，C项错误，D项错误，只有选项B是对的。", 4, 'B', NULL },
	{ "故选C", 4, 'C', NULL },
	/* ai-twinkle/Eval #156 (traditional Chinese) */
	{ "我認為應該選 A", 4, 'A', NULL },
	{ "選 A", 4, 'A', NULL },
	{ "我選擇 B", 4, 'B', NULL },
	{ "故選 C。", 4, 'C', NULL },
	{ "應選 (A)", 4, 'A', NULL },
	{ "答案是 A", 4, 'A', NULL },
	{ "正確答案為 A", 4, 'A', NULL },
	/* full-width letters and punctuation (openai/simple-evals' multilingual
	 * answer pattern accepts Ａ-Ｈ, which models write) */
	{ "答案：Ｂ", 4, 'B', NULL },
	{ "故选：Ｃ．", 4, 'C', NULL },
	/* exam style "【答案】" (as in qiang-chen/word-problem's exam texts) */
	{ "【答案】C", 4, 'C', NULL },
	/* "综上所述" closing (a positive hint in Chinese extractors); constructed */
	{ "综上所述，答案为B。", 4, 'B', NULL },
	{ "正确答案是 **C**", 4, 'C', NULL },	/* constructed */
	{ "A项错误，因为它混淆了概念；B项错误；故选C。", 4, 'C', NULL },	/* constructed */
	{ "不是A，答案是D", 4, 'D', NULL },	/* constructed */
	{ "排除A和B，正确答案是C", 4, 'C', NULL },	/* constructed */
	{ "答案是A。不对，重新计算后答案应为B。", 4, 'B', NULL },	/* constructed */
	{ "答案是(J)", 10, 'J', NULL },	/* constructed */
	{ "我选B", 4, 'B', NULL },	/* constructed */
	{ "答案是E", 4, '-', NULL },	/* no option E; constructed */
};

/* No statement: a bare letter, a label with its option's text. */
static const struct row bare[] = {
	/* lm-evaluation-harness #4187 and PR #4188 */
	{ "B", 4, 'B', NULL },
	{ "B.", 4, 'B', NULL },
	{ "B. 4", 4, 'B', fours },
	{ "B. \\(6x^2 + 4x + 6\\)", 4, 'B', NULL },
	{ "d", 4, 'D', NULL },
	{ "b. 4", 4, 'B', fours },
	/* stanford-crfm/helm #2939 */
	{ "C. 12", 4, 'C', twelves },
	/* open-compass/VLMEvalKit #552 */
	{ "选项B", 4, 'B', NULL },
	/* modelscope/evalscope #494 (DeepSeek-R1-Distill: a letter past D) */
	{ "G", 4, '-', NULL },
	/* the old test's "(c)": lower case in brackets is a pick */
	{ "(c)", 4, 'C', NULL },
	{ "（Ｃ）", 4, 'C', NULL },	/* full-width, constructed */
	{ "**I**", 10, 'I', NULL },	/* constructed */
};

/* No statement: a marked letter, then the last letter that is a pick. */
static const struct row unstated[] = {
	/* Future-House/paper-qa #693: the letter after a long preamble */
	{ "The single letter answer, based on the popular cultural reference from "
	  "\"The Hitchhiker's Guide to the Galaxy\" where the answer to the ultimate "
	  "question of life, the universe, and everything is humorously given as "
	  "42, is:\n\nE", 5, 'E', NULL },
	/* the old tests and the brief's pronoun/article cases (constructed) */
	{ "A good guess: C", 4, 'C', NULL },
	{ "A good guess is C", 4, 'C', NULL },
	{ "I think it's C", 10, 'C', NULL },
	{ "(A) is wrong because the rate falls; (C) is wrong too; that leaves (B).", 4, 'B', NULL },
	{ "After weighing both, the better fit is **D**", 4, 'D', NULL },
};

/* Responses that pick nothing. */
static const struct row none[] = {
	/* FreedomIntelligence/CMB #13: two options called right, two wrong */
	{ "根据中国医师考试中的单项题,以下是一些可能的错误选项:\n\n1. 1级:肌肉完全不能收缩,"
	  "为完全瘫痪\n2. 2级:肌肉收缩可使关节活动,但不能对抗重力\n\n这些选项中,A和B都是正确的,"
	  "C和D可能是错误的。C和D的选项可能是错误的,因为C和D的选项是肌肉有抗重力和抗阻力收缩,"
	  "而A和B的选项是肌肉没有抗重力和抗阻力收缩。", 5, '-', NULL },
	/* UKGovernmentBEIS/inspect_ai #2216 */
	{ "ANSWER: None of the above", 4, '-', NULL },
	{ "ANSWER: Don't know", 4, '-', NULL },
	{ "ANSWER: I don't know", 10, '-', NULL },
	/* modelscope/evalscope #371 (DeepSeek-R1 cut off mid-thought) */
	{ "Okay, let's tackle this Voltaire question. The options are A, B, C, D.\n\n"
	  "First, I need to recall what each option is about. Option A mentions "
	  "Enlightenment intellectuals as accomplished scientists. So maybe A isn't "
	  "the right answer.\n\nOption B talks about new communication methods like "
	  "salons and pamphlets. So B might not be the best fit here.\n\nOption C "
	  "states that most rejected religion for atheism.", 4, '-', NULL },
	/* constructed */
	{ "A and B are both plausible.", 4, '-', NULL },
	{ "A. red\nB. green\nC. blue\nD. yellow", 4, '-', NULL },
	{ "Vitamin C deficiency causes scurvy.", 4, '-', NULL },
	{ "", 4, '-', NULL },
};

/* No letter: the option whose text the response is or mentions. */
static const struct row texts[] = {
	/* AISBench/benchmark #209 (its custom MCQ: the sum, no letter) */
	{ "To solve the problem:\n\n$$\n165 + 833 + 650 + 615\n$$\n\nwe will add the "
	  "numbers step by step.\n\n### Step 1: Add 165 and 833\n\n$$\n165 + 833 = "
	  "998\n$$\n\n### Step 2: Add 650 to the result\n\n$$\n998 + 650 = 1648\n$$\n\n"
	  "### Step 3: Add 615 to the new total\n\n$$\n1648 + 615 = 2263\n$$", 3, 'B', sums },
	/* Soup #357: "boxed a value instead of a letter"; options constructed */
	{ "The freezing point is $\\boxed{32}$", 4, 'B', temps },
	/* the old tests, and an option inside another (constructed) */
	{ "I think it is green", 4, 'B', colours },
	{ "It is dark red.", 4, 'B', reds },
	{ "Red.", 4, 'A', reds },
	{ "Both red and blue would do", 4, '-', reds },
};

/* Options walked through one by one, and "A:" that may be the few-shot
 * answer prefix rather than option A's label. */
static const struct row walks[] = {
	/* raybears/cot-transparency tests/data/answer_examples.yaml (Claude on
	 * BIG-Bench Hard: options discussed, then the stated pick) */
	{ "Applying this to the options:\n\nOption A: nice (opinion) square "
	  "(shape) orange (color) iron (material) eating (purpose)  motorcycle "
	  "(noun)\nThis follows the correct adjective order.\n\nOption B: iron "
	  "(material) nice (opinion) square (shape) eating (purpose) orange "
	  "(color) motorcycle (noun)\nThis does not follow the correct adjective "
	  "order, as material comes before opinion and shape.\n\nThe best answer "
	  "is: A", 2, 'A', NULL },
	{ "Therefore, the best answer is:\n(A) No", 2, 'A', NULL },
	/* the tester's report (constructed): a walk, then the pick; "A:" alone
	 * names A only when A's text follows it */
	{ "A: Paris is not the capital.\nB: Rome is not either.\nSo the answer "
	  "is C", 4, 'C', NULL },
	{ "A: Paris is the capital of France.", 4, '-', NULL },
	{ "A: Paris is the capital of France.", 4, 'B', capitals },
	{ "A: Paris is the capital of France.", 4, 'A', paris },
	/* open-compass #1933's echoed prefix, with four options (constructed) */
	{ "A: Let's think step by step.", 4, '-', NULL },
	{ "D. 12", 4, 'D', NULL },	/* a "." label still counts */
};

/* Chinese short verdicts after a letter (constructed from the tester's
 * report). */
static const struct row zh_verdicts[] = {
	{ "A不是，C是。", 4, 'C', NULL },
	{ "A不对，B对。", 4, 'B', NULL },
	{ "C是A的两倍", 4, '-', NULL },
};

/* Options that are all numbers: the number the response answers with. */
static const struct row numbers[] = {
	/* the tester's report (constructed) */
	{ "2 + 2 = 4", 4, 'B', fours },
	/* constructed: a number no option's text is as written, an equation's
	 * result, and options that are not all numbers */
	{ "The total is 4.0", 4, 'B', fours },
	{ "3 × 4 = 12, then 12 − 2 = 10", 4, 'A', twelves },
	{ "2 + 2 = 4", 4, '-', mixed },
};

/* The options echoed or walked through, then the pick on a line of its
 * own: the echo is no pick, the last line is. */
static const struct row echoes[] = {
	/* the second tester's report (constructed) */
	{ "A. 3\nB. 5\nC. 7\nD. 9\n\nC", 4, 'C', odds },
	{ "A. 3\nB. 5\nC. 7\nD. 9\n\nC", 4, 'C', NULL },
	/* constructed: other marks, a walk with verdicts, an echo and a
	 * statement; a label with its text and a reason is still a pick */
	{ "(A) 3\n(B) 5\n(C) 7\n(D) 9\n\n**C**", 4, 'C', odds },
	{ "A) red\nB) green\nC) blue\nD) yellow\n\n(B)", 4, 'B', colours },
	{ "(A) is wrong because the rate falls.\n(B) fits the first half only.\n\nD", 4, 'D', NULL },
	{ "A. 3\nB. 5\nC. 7\nD. 9\n\nThe answer is C.", 4, 'C', odds },
	{ "B. 4\nBecause 2 + 2 = 4.", 4, 'B', fours },
	/* constructed: an echo alone names no option by its text or number
	 * (it read D, the last number); what follows it does */
	{ "A. 3\nB. 5\nC. 7\nD. 9", 4, '-', odds },
	{ "A. 3\nB. 5\nC. 7\nD. 9\n\nSo the result is 7", 4, 'C', odds },
	{ "A. Paris\nB. London\nC. Berlin\nD. Madrid\n\nParis.", 4, 'A', cities },
};

/* Options judged one by one: the one judged right, true or better. */
static const struct row verdicts[] = {
	/* the second tester's report (constructed) */
	{ "A) 3 is wrong. B) 5 is wrong. C) 7 is right. D) 9 is wrong.", 4, 'C', odds },
	{ "Let's eliminate A and B. Between C and D, D is better.", 4, 'D', NULL },
	/* constructed: one per line, true/false, Chinese comparison */
	{ "A) 3 is wrong.\nB) 5 is wrong.\nC) 7 is correct.\nD) 9 is wrong.", 4, 'C', odds },
	{ "(A) red is false. (B) green is true. (C) blue is false.", 4, 'B', colours },
	{ "A is false, B is false, C is true, D is false.", 4, 'C', NULL },
	{ "C项不对，D更合适。", 4, 'D', NULL },
	{ "C) 7 is right only if we count 1 as prime.\nD) 9 is wrong.\nSo B.", 4, 'B', odds },
	{ "A is unlikely given the data. B is most likely.", 4, 'B', NULL },
	{ "Comparing the four, D is best.", 4, 'D', NULL },
	{ "C fits best with the observed trend.", 4, 'C', NULL },
};

/* Options judged one by one, each with a verdict, exactly one of them
 * right: that one, whichever option is listed last. */
static const struct row listings[] = {
	/* the third tester's report (constructed) */
	{ "Let's analyze each option:\n\n**A. 3** - This is too small.\n**B. 5** - "
	  "Also too small.\n**C. 7** - This is correct.\n**D. 9** - This is not "
	  "prime.", 4, 'C', odds },
	{ "A) 3 — no\nB) 5 — no\nC) 7 — yes\nD) 9 — no", 4, 'C', odds },
	{ "A. 3 — wrong\nB. 5 — wrong\nC. 7 — correct\nD. 9 — wrong", 4, 'C', odds },
	{ "A. No\nB. No\nC. Yes\nD. No", 4, 'C', odds },
	{ "A ✗  B ✗  C ✓  D ✗", 4, 'C', odds },
	{ "选项A：3，错误；选项B：5，错误；选项C：7，正确；选项D：9，错误。", 4, 'C', odds },
	{ "C is the only correct option; D is a distractor.", 4, 'C', odds },
	/* constructed: other marks and layouts */
	{ "A. 3. Too small.\nB. 5. Too small.\nC. 7. Correct.\nD. 9. Not prime.", 4, 'C', odds },
	{ "A is wrong. B is wrong. C, not B, is correct. D is wrong.", 4, 'C', odds },
	{ "Option A: Incorrect. Option B: Incorrect. Option C: Correct. Option D: "
	  "Incorrect.", 4, 'C', odds },
	{ "- A: incorrect\n- B: incorrect\n- C: correct\n- D: incorrect", 4, 'C', odds },
	{ "A: ✗\nB: ✗\nC: ✓\nD: ✗", 4, 'C', odds },
	{ "A. 3 ❌\nB. 5 ❌\nC. 7 ✅\nD. 9 ❌", 4, 'C', odds },
	{ "A. 3 (wrong)\nB. 5 (wrong)\nC. 7 (correct)\nD. 9 (wrong)", 4, 'C', odds },
	{ "(A) False (B) False (C) True (D) False", 4, 'C', odds },
	{ "D is not prime, so D is wrong. C is right.", 4, 'C', odds },
	{ "Option A is too small, option B is too small, option D is not prime; "
	  "option C is correct.", 4, 'C', odds },
	{ "A错，B错，C对，D错。", 4, 'C', odds },
	{ "A对吗？不对。C对。B错。", 4, 'C', odds },
	/* a stated answer still wins; two judged right, or a condition: none */
	{ "A. 3 — wrong\nB. 5 — wrong\nC. 7 — correct\nD. 9 — wrong\n\nThe answer "
	  "is D.", 4, 'D', odds },
	{ "A. 3 — correct\nB. 5 — wrong\nC. 7 — correct\nD. 9 — wrong", 4, '-', odds },
	{ "If A is correct, then B is wrong. C is correct only if x.", 4, '-', odds },
};

/* A statement that is a hypothesis, someone else's view or a condition
 * is no pick; the response's own statement is. */
static const struct row hypotheses[] = {
	/* the second tester's report (constructed) */
	{ "Answer: C\n\nExplanation: Some might think the answer is A, but 7 is prime.", 4, 'C', NULL },
	{ "The answer is C.\n\nNote: a common mistake is to answer A.", 4, 'C', NULL },
	{ "The answer is (C). Option A would be correct if the numbers were even.", 4, 'C', NULL },
	{ "The answer is C. A is correct only for even numbers.", 4, 'C', NULL },
	/* constructed: other hypotheses, Chinese, and own statements kept */
	{ "You might think the answer is B, but the answer is D.", 4, 'D', NULL },
	{ "The answer would be A if friction mattered; it does not, so C.", 4, 'C', NULL },
	{ "答案是C。有人以为答案是A，其实不对。", 4, 'C', NULL },
	{ "如果答案是A，结果应为偶数，所以答案是C。", 4, 'C', NULL },
	{ "If A is correct, the sum is odd. The sum is even, so the answer is D.", 4, 'D', NULL },
	{ "I think the answer is C.", 4, 'C', NULL },
	{ "I would say the answer is B.", 4, 'B', NULL },
	{ "Therefore, C would be the correct answer.", 4, 'C', NULL },
};

/* Run-ons into a next question or a next turn: the answer before it. */
static const struct row runons[] = {
	/* the second tester's report (constructed) */
	{ "The answer is C.\n\n**Question 2:** What is 2+3?\nAnswer: B", 4, 'C', NULL },
	{ "C\n\nHuman: What is 2+3?\nAssistant: The answer is B.", 4, 'C', NULL },
	/* constructed */
	{ "The answer is (B).\n\nQuestion 7: Which gas is inert?\nThe answer is (D).", 4, 'B', NULL },
	{ "B\n\nUser: and the next one?\nAssistant: D", 4, 'B', NULL },
};

/* A letter ruled out ("can't be", "cannot be", "isn't", "不可能是"), asked
 * about, or one of several guesses is no pick. */
static const struct row rejected[] = {
	/* the third tester's report (constructed) */
	{ "It can't be C.", 4, '-', odds },
	{ "The answer cannot be C.", 4, '-', odds },
	{ "Is the answer C? No, it is A.", 4, 'A', odds },
	{ "I cannot decide; maybe A, maybe C.", 4, '-', odds },
	/* constructed: other negations, questions and hedges */
	{ "It couldn't be C; it is B.", 4, 'B', NULL },
	{ "It cannot possibly be D, so the answer is B.", 4, 'B', NULL },
	{ "The answer may not be A. It is C.", 4, 'C', NULL },
	{ "Is the answer C?", 4, '-', NULL },
	{ "Is it B? No. It's D.", 4, 'D', NULL },
	{ "Would I choose B? No, I choose D.", 4, 'D', NULL },
	{ "Could the answer be B? Yes: B.", 4, 'B', NULL },
	{ "Answer: maybe A, maybe C", 4, '-', NULL },
	{ "The answer is A, or perhaps C.", 4, '-', NULL },
	{ "答案不可能是C，应选A。", 4, 'A', NULL },
	{ "不会是B。", 4, '-', NULL },
	{ "答案是C吗？不，答案是A。", 4, 'A', NULL },
};

/* Options' texts: a text ruled out ("not London", "not London or
 * Berlin", "London isn't") or discussed as a verb's subject ("London is
 * the capital of the UK") gives way to the one named as the pick. */
static const struct row text_ruled_out[] = {
	/* the third tester's report (constructed) */
	{ "Paris, not London.", 4, 'A', cities },
	{ "It's not London or Berlin; it's Paris.", 4, 'A', cities },
	{ "London is the capital of the UK; the capital of France is Paris.", 4, 'A', cities },
	{ "Vitamin D is made in sunlight, but scurvy is prevented by vitamin C.", 4, 'C', vitamins },
	/* constructed: other negations and joins; several named: none */
	{ "Not Paris, but London.", 4, 'B', cities },
	{ "Neither London nor Berlin; Paris.", 4, 'A', cities },
	{ "It isn't Madrid. It is Paris.", 4, 'A', cities },
	{ "The capital is Paris rather than London.", 4, 'A', cities },
	{ "London and Berlin are not capitals of France; Paris is.", 4, 'A', cities },
	{ "London is not the capital of France; Paris is.", 4, 'A', cities },
	{ "Scurvy is prevented by vitamin C, not vitamin D.", 4, 'C', vitamins },
	{ "Paris is the capital of France.", 4, 'A', cities },
	{ "Paris, London or Berlin.", 4, '-', cities },
	{ "London is big. Berlin is big.", 4, '-', cities },
	{ "Not London.", 4, '-', cities },
	{ "Neither A nor B; the answer is C.", 4, 'C', NULL },
};

/* Known misses (score.h): each row holds what evalmesh reads today, and
 * its comment what a careful grader reads. A fix makes the row fail: move
 * it to its table with the grader's letter. */
static const struct row known_misses[] = {
	/* grader: B. A one-line response opening with a label is that
	 * label's pick (constructed) */
	{ "D) 9 is wrong; so B.", 4, 'D', odds },
	/* grader: D. A bold letter before a verb is discussion (README) */
	{ "**D** fits the data", 4, '-', NULL },
	/* grader: D. Someone else's view after a comma, with no word of
	 * hypothesis in its clause (constructed) */
	{ "Answer: D\nMany students pick B, thinking the answer is B.", 4, 'B', NULL },
	/* grader: B. After a ruled-out text a comma joins the next to it,
	 * as in "not London or Berlin" (constructed) */
	{ "Not Paris, London.", 4, '-', cities },
	/* grader: none. Guesses in two sentences are read as the last
	 * letter (constructed) */
	{ "Maybe A. Maybe C.", 4, 'C', odds },
	/* grader: C. A verdict's first word decides, and "not" is against
	 * (constructed) */
	{ "C. 7 — not divisible by 2 or 3, so correct\nA. 3 — wrong\nB. 5 — wrong", 4, '-', odds },
};

static int
check(const struct row *rows, size_t n_rows, const char *group)
{
	int bad = 0;

	for (size_t r = 0; r < n_rows; r++) {
		const char *const *ch = rows[r].choices ? rows[r].choices : plain26;

		for (size_t i = 0; i < rows[r].n; i++) {
			char target[2] = { (char)('A' + i), 0 };
			double want = rows[r].want == target[0];

			if (score_choice(rows[r].out, target, ch, rows[r].n) != want) {
				print_error("%s row %zu: target %s scored %g, want %g: %s\n",
				    group, r, target, 1 - want, want, rows[r].out);
				bad++;
			}
		}
	}
	return bad;
}

#define CHECK(rows) check(rows, sizeof rows / sizeof rows[0], #rows)

static void
test_tables(void **state)
{
	int bad = 0;

	(void)state;
	bad += CHECK(en_stated);
	bad += CHECK(en_several);
	bad += CHECK(zh_stated);
	bad += CHECK(bare);
	bad += CHECK(unstated);
	bad += CHECK(none);
	bad += CHECK(texts);
	bad += CHECK(walks);
	bad += CHECK(zh_verdicts);
	bad += CHECK(numbers);
	bad += CHECK(echoes);
	bad += CHECK(verdicts);
	bad += CHECK(listings);
	bad += CHECK(hypotheses);
	bad += CHECK(runons);
	bad += CHECK(rejected);
	bad += CHECK(text_ruled_out);
	bad += CHECK(known_misses);
	assert_int_equal(bad, 0);
}

/* A target may be an option's text; bad arguments score 0. */
static void
test_targets(void **state)
{
	(void)state;
	assert_true(score_choice("I think it is green", "green", colours, 4) == 1);
	assert_true(score_choice("The answer is B", "Green", colours, 4) == 1);
	assert_true(score_choice("B", "purple", colours, 4) == 0);
	assert_true(score_choice("B", "A", colours, 4) == 0);
	assert_true(score_choice("B", "B", colours, 0) == 0);
	assert_true(score_choice("B", "B", plain26, 27) == 0);
	assert_true(score_choice("bad \xff B", "B", colours, 4) == 0);
	assert_true(score_choice(NULL, "B", colours, 4) == 0);
	assert_true(score_choice("B", NULL, colours, 4) == 0);
	{
		const char *holes[] = { "red", NULL, "blue", "green" };

		assert_true(score_choice("blue", "C", holes, 4) == 1);
		assert_true(score_choice("B", "B", holes, 4) == 1);
	}
}

/* score_choice_target: the option a target names, as score_choice reads
 * targets. */
static void
test_target_helper(void **state)
{
	(void)state;
	assert_int_equal(score_choice_target("B", colours, 4), 1);
	assert_int_equal(score_choice_target("b", colours, 4), 1);
	assert_int_equal(score_choice_target("(C)", colours, 4), 2);
	assert_int_equal(score_choice_target("Ｄ", colours, 4), 3);
	assert_int_equal(score_choice_target("Green", colours, 4), 1);
	assert_int_equal(score_choice_target("dark red", reds, 4), 1);
	assert_int_equal(score_choice_target("12", twelves, 4), 2);
	assert_int_equal(score_choice_target("E", colours, 4), -1);
	assert_int_equal(score_choice_target("Rome", colours, 4), -1);
	assert_int_equal(score_choice_target("", colours, 4), -1);
	assert_int_equal(score_choice_target("AB", colours, 4), -1);
	assert_int_equal(score_choice_target("bad \xff", colours, 4), -1);
	assert_int_equal(score_choice_target(NULL, colours, 4), -1);
	assert_int_equal(score_choice_target("A", NULL, 4), -1);
	assert_int_equal(score_choice_target("A", colours, 0), -1);
	assert_int_equal(score_choice_target("A", plain26, 27), -1);
	assert_int_equal(score_choice_target("Z", plain26, 26), 25);
	/* what it names is what score_choice scores against */
	for (int i = 0; i < 4; i++) {
		char t[2] = { (char)('A' + i), 0 };

		assert_true(score_choice("The answer is B", t, colours, 4) ==
		    (score_choice_target(t, colours, 4) == 1));
	}
}

/* score_choice_clash: options a response could not tell apart. */
static void
test_clash(void **state)
{
	static const char *const twins[] = { "Paris", "Lyon", "\\text{paris}.", "Metz" };
	static const char *const letters[] = { "B", "C", "D", "E" };
	static const char *const own[] = { "A", "(B)", "c", "D" };
	static const char *const partial[] = { "7", "A", "9", "11" };
	int letter = -1;

	(void)state;
	assert_int_equal(score_choice_clash(twins, 4, 0, &letter), 2);
	assert_int_equal(letter, 0);
	assert_int_equal(score_choice_clash(twins, 4, 2, NULL), 0);
	assert_int_equal(score_choice_clash(twins, 4, 1, &letter), -1);
	assert_int_equal(score_choice_clash(colours, 4, 0, NULL), -1);
	assert_int_equal(score_choice_clash(reds, 4, 0, NULL), -1);	/* "red", "dark red" */
	/* option i's text is option j's letter (2), or j's text is i's (1) */
	assert_int_equal(score_choice_clash(letters, 4, 1, &letter), 0);
	assert_int_equal(letter, 1);
	assert_int_equal(score_choice_clash(letters, 4, 3, &letter), 2);
	assert_int_equal(letter, 1);
	assert_int_equal(score_choice_clash(letters, 4, 0, &letter), 1);
	assert_int_equal(letter, 2);
	/* an option whose text is its own letter is no clash; "E" of four is
	 * no label */
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(score_choice_clash(own, 4, i, NULL), -1);
	assert_int_equal(score_choice_clash(partial, 4, 0, &letter), 1);
	assert_int_equal(letter, 1);
	assert_int_equal(score_choice_clash(partial, 4, 2, NULL), -1);
	/* bad arguments */
	assert_int_equal(score_choice_clash(NULL, 4, 0, &letter), -1);
	assert_int_equal(letter, 0);
	assert_int_equal(score_choice_clash(colours, 0, 0, NULL), -1);
	assert_int_equal(score_choice_clash(colours, 4, 4, NULL), -1);
	assert_int_equal(score_choice_clash(plain26, 27, 0, NULL), -1);
}

/* A response of SCORE_TEXT_MAX bytes is read in linear time: this would
 * take minutes if any rule rescanned the text per letter or per cue. */
static void
test_large(void **state)
{
	static const char unit[] = "the answer is A and B, (C) is **D** I think ";
	size_t n = SCORE_TEXT_MAX - 64, u = sizeof unit - 1;
	char *big = malloc(n + 64);

	(void)state;
	assert_non_null(big);
	for (size_t i = 0; i < n; i++)
		big[i] = unit[i % u];
	strcpy(big + n, " The answer is C.");
	assert_true(score_choice(big, "C", plain26, 26) == 1);
	memset(big, 'A', n);
	big[n] = 0;
	assert_true(score_choice(big, "A", plain26, 26) == 0);
	memset(big, ' ', n);
	strcpy(big + n, "answer: B");
	assert_true(score_choice(big, "B", plain26, 4) == 1);
	/* numbers read for numeric options; a label line on every line */
	for (size_t i = 0; i < n; i++)
		big[i] = "1 + 1 = 2; "[i % 11];
	strcpy(big + n, " so 4");
	assert_true(score_choice(big, "B", fours, 4) == 1);
	/* verdicts after an option's text, hypotheses, echoed labels */
	{
		static const char *const units[] = {
			"A) 3 is right only if x. ", "some might think the answer is A ",
			"A. 3\nB. 5\n", "If A is true so B is better " };

		for (size_t k = 0; k < 4; k++) {
			size_t l = strlen(units[k]);

			for (size_t i = 0; i < n; i++)
				big[i] = units[k][i % l];
			strcpy(big + n, "\nD");
			assert_true(score_choice(big, "D", odds, 4) == 1);
		}
	}
	/* verdicts on every letter; options' texts ruled out in a chain */
	for (size_t i = 0; i < n; i++)
		big[i] = "A ✗ B ✓ C ✗ "[i % 18];
	big[n - n % 18] = 0;
	assert_true(score_choice(big, "B", odds, 4) == 1);
	for (size_t i = 0; i < n; i++)
		big[i] = "not London or Berlin; "[i % 22];
	strcpy(big + n - n % 22, "it is Paris");
	assert_true(score_choice(big, "A", cities, 4) == 1);
	for (size_t i = 0; i < n; i++)
		big[i] = "A: Paris\n"[i % 9];
	big[n - n % 9] = 0;	/* whole lines */
	assert_true(score_choice(big, "B", capitals, 4) == 1);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_target_helper),
		cmocka_unit_test(test_clash),
		cmocka_unit_test(test_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

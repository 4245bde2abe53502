/* The answer after a reasoning block (score.h, score_answer), on outputs
 * that servers really returned, each row naming where it was reported,
 * and the rules' corners ("constructed"); then every metric through
 * task_score. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "score.h"
#include "task.h"

static const struct {
	const char *source, *output, *answer;	/* answer: NULL = all of output */
} rows[] = {
	/* <think> ... </think> */
	{ "evalmesh brief: R1-style reasoning that names a wrong answer first",
	  "<think>\nLyon? No, Lyon is not the capital.\n</think>\n\nParis", "Paris" },
	{ "llama.cpp #11325: DeepSeek-R1-Distill-Qwen-1.5B with --reasoning-format none",
	  "<think>\nOkay, the user just sent \"Hello\". I should respond in a friendly and "
	  "welcoming manner.\n</think>\n\nHello! How can I assist you today?",
	  "Hello! How can I assist you today?" },
	{ "ollama #8837: deepseek-r1:671b skipping its reasoning",
	  "<think>\n\n</think>\n\n我是一个AI助手,由中国的深度求索（DeepSeek）公司独立开发。",
	  "我是一个AI助手,由中国的深度求索（DeepSeek）公司独立开发。" },
	{ "lighteval #869: Qwen3's layout, <think> ... </think> then the response",
	  "<think>\n{thinking content}\n</think>\n{response}", "{response}" },
	/* only the closing tag: the chat template opened the block */
	{ "evalmesh brief; self-llm #356, DeepSeek-R1 #352: R1-Distill-Qwen-32B prints only </think>",
	  "Okay, the user asks for the capital. Lyon? No.\n</think>\n\nParis", "Paris" },
	{ "LlamaFactory #8219: fine-tuned Qwen3, '{思考内容}\\n</think>\\n\\n{回答}'",
	  "{思考内容}\n</think>\n\n{回答}", "{回答}" },
	{ "Kai #301, ollama #12511: Qwen3-Thinking-2507 omits the opening tag by design",
	  "[reasoning content with no opening tag]\n</think>\n\n[final answer]", "[final answer]" },
	{ "ik_llama.cpp #776: DeepSeek-V3.1 in thinking mode (answer constructed)",
	  "Hmm, the user just said \"hi\" which is a simple greeting. No additional context or "
	  "request provided. \n\n</think>Hello! How can I help you today?",
	  "Hello! How can I help you today?" },
	/* never closed: out of tokens while thinking */
	{ "Qwen3 #1427: QwQ on ollama thinks past its budget, the right number inside",
	  "<think>嗯，用户的提问.........所以答案是76。", "" },
	{ "maclocal-api #121: gpt-oss-20b harmony analysis, cut off",
	  "<|channel|>analysis<|message|>The user asks why the sky appears blue. "
	  "Provide explanation...", "" },
	{ "constructed: harmony with its <|start|>assistant header, cut off",
	  "<|start|>assistant<|channel|>analysis<|message|>We need to", "" },
	{ "constructed: a second block opened after the first closed",
	  "<think>a</think>\n\n<think>more thinking", "" },
	/* closed, and nothing after it */
	{ "bike4mind #1315: Kimi K2 Thinking through Bedrock stops at </think>",
	  "<think> ...Then the normal equations are:\n\n [S0 S1 S2] [</think>", "" },
	/* the other formats */
	{ "macprovider #743: gpt-oss-20b harmony with special tokens dropped",
	  "analysisWe need to answer \"What is 2+2? Answer in one word.\" The answer is "
	  "\"four\".\nWe should output only that word. And nothing else.assistantfinalfour",
	  "four" },
	{ "imp #768: gpt-oss harmony markup in content (text constructed)",
	  "<|channel|>analysis<|message|>2+2 is 4. One word.<|end|><|start|>assistant"
	  "<|channel|>final<|message|>four", "four" },
	{ "mlx-knife ADR-009: gpt-oss emits <|end|> the server does not stop on",
	  "<|channel|>analysis<|message|>Short.<|end|><|start|>assistant<|channel|>final"
	  "<|message|>four<|end|>", "four" },
	{ "koboldcpp #1745: Magistral/Ministral [THINK] (answer constructed)",
	  "[THINK]\nOkay, the user mentioned that my previous response had \"wrong syntax.\" "
	  "Let me check what they meant.\n[/THINK]\nThe syntax is fixed.", "The syntax is fixed." },
	{ "clemcore test_kimi.py: Kimi-VL-Thinking's ◁think▷ (text constructed)",
	  "◁think▷The cat has a striped coat and an M on its forehead.◁/think▷Tabby", "Tabby" },
	{ "aphrodite seed_oss parser: <seed:think> with a budget note inside (text constructed)",
	  "<seed:think>Got it, 3 * 4.<seed:cot_budget_reflect>I have used 20 tokens, and there "
	  "are 492 tokens remaining for use.</seed:cot_budget_reflect> 12.</seed:think>"
	  "The answer is 12.", "The answer is 12." },
	{ "aphrodite seed_oss parser: Seed-OSS without the start token (text constructed)",
	  "3 * 4 = 12.</seed:think>\n12", "12" },
	{ "hollama #290: OpenThinker's thought and solution markers",
	  "<|begin_of_thought|>\n\n... blah blah blah\n\n<|end_of_thought|>\n\n"
	  "<|begin_of_solution|>\n\nThe answer is 7.\n\n<|end_of_solution|>", "The answer is 7." },
	{ "SmolChat-Android #67: EXAONE Deep's <thought>",
	  "<thought>\nOkay, the user wants a short story about resistance people.\n</thought>\n\n"
	  "**Title: \"The Ashen City\"**", "**Title: \"The Ashen City\"**" },
	{ "lmms-eval #1380, hermes-agent #69433: <thinking> blocks (text constructed)",
	  "<thinking>\nThe user wants the capital of France.\n</thinking>\nParis", "Paris" },
	{ "hermes-agent #69433: <reasoning> blocks (text constructed)",
	  "<reasoning>\n9 * 2 = 18\n</reasoning>\n18", "18" },
	/* case, white space, several blocks, mentions */
	{ "constructed: tags in upper and mixed case", "<THINK>x</Think>\tParis", "Paris" },
	{ "constructed: blanks inside the tags", "< think >x</ think >Paris", "Paris" },
	{ "constructed: three blanks inside a tag are text", "<think>x</think   >Paris", "" },
	{ "transformers #42112: a second </think> after the enforced one",
	  "<think>\nreasoning\n</think>\n\n</think>\n\nParis", "Paris" },
	{ "constructed: two blocks", "<think>first</think>\n\n<think>second</think>\n\nParis",
	  "Paris" },
	{ "constructed: text between blocks; the last closing tag wins",
	  "<think>a</think> Draft: Lyon. <think>No.</think> Paris", "Paris" },
	{ "constructed: the answer quotes the closing tag",
	  "<think>\nThe user asks which tag ends R1's reasoning.\n</think>\n\nIt is `</think>`.",
	  "It is `</think>`." },
	{ "constructed: the reasoning quotes it", "<think>Never write \"</think>\" early."
	  "</think>Done", "Done" },
	{ "constructed: typographic quotes", "</think>Write “</think>” last.", "Write “</think>” last." },
	{ "constructed: an opening tag inside the answer is text",
	  "<think>a</think>Use <think> to start.", "Use <think> to start." },
	/* no reasoning: the output is the answer, untouched */
	{ "contrib/model-server: a plain answer", "The answer is 42.", NULL },
	{ "constructed: leading white space stays without a tag", "  Paris\n", NULL },
	{ "constructed: an opening tag mentioned, never closed",
	  "Reasoning models write <think> first.", NULL },
	{ "constructed: a quoted tag alone", "Models end with `</think>`.", NULL },
	{ "constructed: AssistantFinal is a name, not harmony", "Call AssistantFinal().", NULL },
	{ "constructed: empty", "", NULL },
	{ "constructed: bytes that are not UTF-8 after the tag", "</think> \xff!", "\xff!" },
};

static void
test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *a = score_answer(rows[i].output);
		size_t n = score_answer_len(a);

		assert_non_null(a);
		/* a pointer into output, within it */
		assert_true(a >= rows[i].output && a <= rows[i].output + strlen(rows[i].output));
		if (rows[i].answer == NULL) {
			if (a != rows[i].output)
				fail_msg("row %zu (%s): moved the answer", i, rows[i].source);
			continue;
		}
		if (n != strlen(rows[i].answer) || strncmp(a, rows[i].answer, n) != 0)
			fail_msg("row %zu (%s): got '%.*s'", i, rows[i].source, (int)n, a);
	}
}

/* The three outputs the brief reports scoring 0, and the reverse: a
 * reasoning that finds the right answer before a wrong final one. */
static void
test_scores(void **state)
{
	const char *r1 = "<think>\nLyon? No, Lyon is not the capital.\n</think>\n\nParis";
	const char *distill = "Okay, the user asks for the capital. Lyon? No.\n</think>\n\nParis";
	const char *gsm = "<think>\n4 * 18 = 72, so #### 72? No: 72 / 4 = 18.\n</think>\n\n#### 18";
	const char *wrong = "<think>\n72 / 4 = 18, so #### 18\n</think>\n\nI will say #### 72";
	const char *re = "#### *([0-9]+)";
	char *got;

	(void)state;
	assert_true(score_exact(r1, "Paris", 0) == 0);
	assert_true(score_exact(score_answer(r1), "Paris", 0) == 1);
	assert_true(score_exact(score_answer(distill), "Paris", 0) == 1);
	assert_int_equal(score_extract(score_answer(gsm), re, 0, &got), EM_OK);
	assert_string_equal(got, "18");
	free(got);
	assert_true(score_regex(score_answer(gsm), re, "18", 0) == 1);
	assert_true(score_regex(score_answer(wrong), re, "18", 0) == 0);
	assert_true(score_numeric(score_answer(wrong), "18", 0) == 0);
	assert_true(score_numeric(score_answer("<think>\n所以答案是76。"), "76", 0) == 0);
}

static void
test_blank(void **state)
{
	(void)state;
	assert_true(score_blank(""));
	assert_true(score_blank(" \t\r\n\v\f"));
	assert_true(score_blank("\x01\x7f"));			/* Cc */
	assert_true(score_blank("\xc2\xa0\xe3\x80\x80"));	/* U+00A0, U+3000: Zs */
	assert_true(score_blank("\xe2\x80\xa8\xe2\x80\xa9"));	/* U+2028 Zl, U+2029 Zp */
	assert_true(score_blank(score_answer("<think>\nall thought\n</think>\n\n")));
	assert_false(score_blank("x"));
	assert_false(score_blank("  .  "));
	assert_false(score_blank("\xe2\x80\x8b"));		/* U+200B is Cf, not Z* */
	assert_false(score_blank(" \xff"));			/* not UTF-8 */
	assert_false(score_blank(" \xe3\x80"));			/* cut short */
}

/* Every metric, through the one function the evaluation calls. */
static double
task(const char *manifest, const char *item, const char *output)
{
	char why[TASK_WHY_MAX];
	task_spec s;
	json_t *it = json_loads(item, 0, NULL);
	double v;

	assert_non_null(it);
	if (task_spec_parse((const uint8_t *)manifest, strlen(manifest), &s, why,
	    sizeof why) != EM_OK)
		fail_msg("%s", why);
	v = task_score(&s, it, output);
	task_spec_free(&s);
	json_decref(it);
	return v;
}

#define M(metric, rest) "{\"metric\":\"" metric "\",\"name\":\"t\",\"prompt\":\"{q}\"," \
	"\"target\":\"a\",\"version\":\"1\"" rest "}"

static void
test_task_score(void **state)
{
	const char *exact = M("exact_match", ""), *num = M("numeric", ""),
	    *mc = M("multiple_choice", ",\"choices\":\"o\""), *f1 = M("f1", ""),
	    *rx = M("regex", ",\"extract\":\"#### *([0-9]+)\""),
	    *ex = M("numeric", ",\"extract\":\"answer is ([0-9]+)\"");
	const char *paris = "{\"a\":\"Paris\",\"q\":\"x\"}", *n18 = "{\"a\":18,\"q\":\"x\"}";
	const char *opts = "{\"a\":\"B\",\"o\":[\"Lyon\",\"Paris\"],\"q\":\"x\"}";

	(void)state;
	assert_true(task(exact, paris, "<think>\nLyon? No.\n</think>\n\nParis") == 1);
	assert_true(task(exact, paris, "Lyon? No.\n</think>\n\nParis") == 1);
	assert_true(task(exact, paris, "<think>\nParis, surely.") == 0);	/* never closed */
	assert_true(task(exact, paris, "<|begin_of_thought|>\nLyon?\n<|end_of_thought|>\n\n"
	    "<|begin_of_solution|>\n\nParis\n\n<|end_of_solution|>") == 1);
	assert_true(task(exact, paris, "Paris") == 1);				/* no reasoning */
	assert_true(task(num, n18, "<think>so 72</think>18") == 1);
	assert_true(task(num, n18, "<think>so 18</think>72") == 0);
	assert_true(task(mc, opts, "<think>A? No.</think>B") == 1);
	assert_true(task(mc, opts, "<think>B? No.</think>A") == 0);
	assert_true(task(f1, paris, "[THINK]Lyon[/THINK]Paris") == 1);
	assert_true(task(rx, n18, "<think>#### 72</think>\n\n#### 18") == 1);
	assert_true(task(rx, n18, "<think>#### 18</think>\n\n#### 72") == 0);
	assert_true(task(ex, n18, "<think>the answer is 72</think>the answer is 18") == 1);
	assert_true(task(ex, n18, "<think>the answer is 18</think>no idea") == 0);
}

/* score_runon_len: where a run-on into a next question or turn starts.
 * want is the length kept, or -1 for all of it. */
static void
test_runon(void **state)
{
	static const struct { const char *s; int want; } runs[] = {
		/* sgl-project/sglang PR #29933 (a next few-shot question) */
		{ "#### 18\n\nQuestion: Tom has 3 apples", 8 },
		/* the second tester's report: a numbered question in bold, a
		 * next chat turn */
		{ "The answer is C.\n\n**Question 2:** What is 2+3?", 17 },
		{ "C\n\nHuman: What is 2+3?\nAssistant: B", 2 },
		/* aburkov/theLMbook #16 (Qwen1.5 after GRPO: a turn glued to
		 * the answer's tag) */
		{ "<answer>66</answer>Human: In a classroom there are 30", 19 },
		/* zai-org/GLM-V #156 (GLM-4.5V's next turn token) */
		{ "the answer is <|begin_of_box|>B<|end_of_box|><|user|>", 45 },
		/* constructed: other forms, and what opens no question */
		{ "B\nUser: next\n", 1 },
		{ "B\nASSISTANT: D", 1 },
		{ "7\nQ3: What is 3+4?", 1 },
		{ "7\n问题2: 3加4是多少?", 1 },
		{ "Question: what is asked?\nAnswer: 7", -1 },	/* the first line */
		{ "7\nQuestion marks are used below.", -1 },
		{ "7\nQuestion 12 asks for more", -1 },
		{ "I asked the user: why?", -1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
		size_t len = strlen(runs[i].s);
		size_t want = runs[i].want < 0 ? len : (size_t)runs[i].want;

		if (score_runon_len(runs[i].s, len) != want)
			print_error("row %zu: kept %zu, want %zu\n", i,
			    score_runon_len(runs[i].s, len), want);
		assert_int_equal(score_runon_len(runs[i].s, len), want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_scores),
		cmocka_unit_test(test_blank),
		cmocka_unit_test(test_task_score),
		cmocka_unit_test(test_runon),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

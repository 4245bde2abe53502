/* Reading what real model servers send (node/eval/model.h, model_parse.c,
 * model_rules.c): answers, error bodies and the words quoted from them,
 * the URL and header rules, the extra request body.
 *
 * The bodies are what servers sent in public reports, cited beside each
 * ("vLLM issue #3485"); a long text in them is shortened where marked
 * "(shortened)", and "constructed" marks a body written here from a
 * server's documented shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <curl/curl.h>

#include "model_impl.h"
#include "utf8.h"

enum { OK, BAD };	/* what model_parse_openai returns: EM_OK, EM_EFORMAT */

typedef struct answer_case {
	const char	*source;
	enum model_api	 api;
	const char	*body;
	int		 outcome;
	const char	*text;		/* OK: the answer */
	int		 truncated;
	long		 status;	/* BAD: the error object's code, or 0 */
	const char	*why;		/* BAD: a part of the reason */
} answer_case;

static const answer_case answers[] = {
	/* answers */
	{ "LM Studio bug tracker #619 (message constructed)", MODEL_CHAT,
	  "{\"id\":\"chatcmpl-t8tsxqx7kwi9ekj70xwwl\",\"object\":\"chat.completion\","
	  "\"created\":1745605592,\"model\":\"gemma-3-1b-it-qat:2\",\"choices\":[{\"index\":0,"
	  "\"logprobs\":null,\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\","
	  "\"content\":\"It is Thursday.\"}}]}", OK, "It is Thursday.", 0, 0, NULL },
	{ "llama-cpp-python via OgbujiPT issue #14", MODEL_COMPLETIONS,
	  "{\"id\":\"cmpl-75e9ce09-6b85-4add-9adc-50df0c027f33\",\"object\":\"text_completion\","
	  "\"created\":1688947842,\"model\":\"nous-hermes-13b\",\"choices\":[{\"text\":\"Special "
	  "tax filing rules when deemed to have been made can be found in\",\"index\":0,"
	  "\"logprobs\":null,\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":907,"
	  "\"completion_tokens\":16,\"total_tokens\":923}}", OK,
	  "Special tax filing rules when deemed to have been made can be found in", 1, 0, NULL },
	{ "OpenAI text-davinci-003 via OgbujiPT issue #14", MODEL_COMPLETIONS,
	  "{\"id\":\"cmpl-7aYnzDuDAcwNAJpbqLBTQVQ6cByro\",\"object\":\"text_completion\","
	  "\"created\":1688947955,\"model\":\"text-davinci-003\",\"choices\":[{\"text\":\" The "
	  "applicant company is The Marigold Trust dated 7/16/15,\",\"index\":0,\"logprobs\":null,"
	  "\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":684,\"completion_tokens\":16,"
	  "\"total_tokens\":700}}", OK, " The applicant company is The Marigold Trust dated 7/16/15,",
	  1, 0, NULL },
	{ "Ollama issue #15288, Gemma 4 on /v1 (choices constructed)", MODEL_CHAT,
	  "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"\","
	  "\"reasoning\":\"The user is asking for the capital of Australia.\\nThe capital of "
	  "Australia is Canberra.\\nAnswer concisely and directly.\"},\"finish_reason\":\"length\"}]}",
	  OK, "", 1, 0, NULL },
	{ "vLLM issue #52640: DeepSeek V4 out of budget (constructed from its description)",
	  MODEL_CHAT, "{\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{"
	  "\"role\":\"assistant\",\"content\":null,\"reasoning\":\"We need to compare 9.11 and "
	  "9.8 ...\"},\"finish_reason\":\"length\"}]}", OK, "", 1, 0, NULL },
	{ "NVIDIA NemoClaw issue #8878: vLLM 0.23 moved reasoning_content to reasoning "
	  "(constructed)", MODEL_CHAT, "{\"choices\":[{\"index\":0,\"message\":{\"role\":"
	  "\"assistant\",\"content\":\"Canberra.\",\"reasoning\":\"The capital of Australia is "
	  "Canberra, not Sydney.\",\"reasoning_content\":null},\"finish_reason\":\"stop\"}]}",
	  OK, "Canberra.", 0, 0, NULL },
	{ "NeMo Guardrails PR #2315, Nemotron on vLLM (shortened)", MODEL_CHAT,
	  "{\"id\":\"chatcmpl-2271136a-9ee5-4996-a872-ca61952eb9e9\",\"choices\":[{"
	  "\"finish_reason\":\"stop\",\"index\":0,\"message\":{\"content\":\"Hello! I'm doing "
	  "well, thank you for asking!\",\"role\":\"assistant\",\"reasoning_content\":\"Here's a "
	  "thinking process:\\n\\n1.  **Analyze User Input:** User said \\\"Hello! How are "
	  "you\\\"\"}}]}", OK, "Hello! I'm doing well, thank you for asking!", 0, 0, NULL },
	{ "vLLM PR #14550, DeepSeek-R1 distill with a reasoning parser (shortened)", MODEL_CHAT,
	  "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"reasoning_content\":"
	  "\"To determine which number is greater between 9.11 and 9.8, I'll start by aligning "
	  "their decimal places.\",\"content\":\"9.8 is greater than 9.11.\"},"
	  "\"finish_reason\":\"stop\"}]}", OK, "9.8 is greater than 9.11.", 0, 0, NULL },
	{ "DeepSeek-R1 issue #342: reasoning_content beside content (constructed)", MODEL_CHAT,
	  "{\"model\":\"deepseek-reasoner\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
	  "\"assistant\",\"content\":\"9.8\",\"reasoning_content\":\"9.11 < 9.80\"},"
	  "\"finish_reason\":\"stop\"}]}", OK, "9.8", 0, 0, NULL },
	{ "OpenRouter via spring-ai issue #5265 (non-streamed form constructed)", MODEL_CHAT,
	  "{\"id\":\"gen-1768528898-MKtgrOMD5dK6dq3iyOSh\",\"provider\":\"Google\",\"model\":"
	  "\"google/gemini-3-flash-preview\",\"object\":\"chat.completion\",\"choices\":[{"
	  "\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"\",\"reasoning\":"
	  "\"**Deciding on Initial Action**\",\"reasoning_details\":[{\"index\":0,\"type\":"
	  "\"reasoning.text\",\"text\":\"**Deciding on Initial Action**\",\"format\":"
	  "\"google-gemini-v1\"}]},\"finish_reason\":\"length\",\"native_finish_reason\":"
	  "\"MAX_TOKENS\"}]}", OK, "", 1, 0, NULL },
	{ "Mistral Magistral via hermes-agent PR #4748", MODEL_CHAT,
	  "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":["
	  "{\"type\":\"thinking\",\"thinking\":[{\"type\":\"text\",\"text\":\"reasoning...\"}]},"
	  "{\"type\":\"text\",\"text\":\"final answer\"}]},\"finish_reason\":\"stop\"}]}",
	  OK, "final answer", 0, 0, NULL },
	{ "Magistral content split in several text parts (constructed)", MODEL_CHAT,
	  "{\"choices\":[{\"message\":{\"content\":[{\"type\":\"thinking\",\"thinking\":[{\"type\":"
	  "\"text\",\"text\":\"Paris? Lyon?\"}]},{\"type\":\"text\",\"text\":\"Par\"},{\"type\":"
	  "\"text\",\"text\":\"is\"}]}}]}", OK, "Paris", 0, 0, NULL },
	{ "output_text parts, as Responses-style proxies send (constructed)", MODEL_CHAT,
	  "{\"choices\":[{\"message\":{\"content\":[{\"type\":\"reasoning\",\"text\":\"x\"},"
	  "{\"type\":\"output_text\",\"text\":\"42\"}]},\"finish_reason\":\"stop\"}]}",
	  OK, "42", 0, 0, NULL },
	{ "OpenAI structured outputs refusal (constructed from its documented fields)", MODEL_CHAT,
	  "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
	  "\"refusal\":\"I'm sorry, I cannot assist with that request.\"},\"finish_reason\":"
	  "\"stop\"}]}", OK, "I'm sorry, I cannot assist with that request.", 0, 0, NULL },
	{ "a refusal part in a content list (constructed)", MODEL_CHAT,
	  "{\"choices\":[{\"message\":{\"content\":[{\"type\":\"refusal\",\"refusal\":\"No.\"}]}}]}",
	  OK, "No.", 0, 0, NULL },
	{ "Azure OpenAI content_filter finish (constructed; GooeyAI PR #757)", MODEL_CHAT,
	  "{\"choices\":[{\"index\":0,\"finish_reason\":\"content_filter\",\"message\":{\"role\":"
	  "\"assistant\",\"content\":null}}]}", OK, "", 0, 0, NULL },
	{ "Mistral finish_reason model_length (laravel/ai PR #955; constructed)", MODEL_CHAT,
	  "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"The answer is\"},"
	  "\"finish_reason\":\"model_length\"}]}", OK, "The answer is", 1, 0, NULL },
	{ "an Anthropic stop reason through a layer (inspect_ai PR #5189; constructed)", MODEL_CHAT,
	  "{\"choices\":[{\"message\":{\"content\":\"4\"},\"finish_reason\":\"max_tokens\"}]}",
	  OK, "4", 1, 0, NULL },
	{ "Gemini's MAX_TOKENS passed through (constructed)", MODEL_CHAT,
	  "{\"choices\":[{\"message\":{\"content\":\"\"},\"finish_reason\":\"MAX_TOKENS\"}]}",
	  OK, "", 1, 0, NULL },
	{ "a completion whose text is null (constructed)", MODEL_COMPLETIONS,
	  "{\"choices\":[{\"text\":null,\"finish_reason\":\"length\"}]}", OK, "", 1, 0, NULL },
	{ "Chinese and full-width digits (constructed)", MODEL_COMPLETIONS,
	  "{\"choices\":[{\"text\":\"\\u7b54\\u6848\\u662f\\uff14\\uff12\\u3002\"}]}", OK,
	  "\xe7\xad\x94\xe6\xa1\x88\xe6\x98\xaf\xef\xbc\x94\xef\xbc\x92\xe3\x80\x82", 0, 0, NULL },

	/* a 200 whose body is an error */
	{ "vLLM issue #3485 (as a 200 from a proxy)", MODEL_CHAT,
	  "{\"object\":\"error\",\"message\":\"The model `Qwen1.5-14B-Chat-GPTQ-Int8` does not "
	  "exist.\",\"type\":\"NotFoundError\",\"param\":null,\"code\":404}", BAD, NULL, 0, 404,
	  "\"The model `Qwen1.5-14B-Chat-GPTQ-Int8` does not exist.\"" },
	{ "llama.cpp's context error in a 200 (oobabooga issue #7257)", MODEL_CHAT,
	  "{\"error\":{\"code\":400,\"message\":\"the request exceeds the available context size. "
	  "try increasing the context size or enable context shift\",\"type\":"
	  "\"exceed_context_size_error\",\"n_prompt_tokens\":14429,\"n_ctx\":8192}}", BAD, NULL, 0,
	  400, "\"the request exceeds the available context size. try increasing" },
	{ "OpenRouter: an error inside the choice (openrouter.ai/docs/errors; constructed)",
	  MODEL_CHAT, "{\"id\":\"gen-1\",\"choices\":[{\"index\":0,\"error\":{\"code\":502,"
	  "\"message\":\"Provider returned error\"},\"finish_reason\":\"error\",\"message\":{"
	  "\"role\":\"assistant\",\"content\":\"\"}}]}", BAD, NULL, 0, 502,
	  "\"Provider returned error\"" },
	{ "Ollama's OpenAI layer, code null (ollama issue #12561)", MODEL_CHAT,
	  "{\"error\":{\"message\":\"think value \\\"medium\\\" is not supported for this model\","
	  "\"type\":\"api_error\",\"param\":null,\"code\":null}}", BAD, NULL, 0, 0,
	  "\"think value \"medium\" is not supported for this model\"" },
	{ "OpenAI's string code (ChatPDF issue #6)", MODEL_CHAT,
	  "{\"error\":{\"message\":\"This model's maximum context length is 4097 tokens. However, "
	  "your messages resulted in 6988 tokens. Please reduce the length of the messages.\","
	  "\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":"
	  "\"context_length_exceeded\"}}", BAD, NULL, 0, 0, "maximum context length is 4097" },

	/* not what the API promises */
	{ "a proxy streaming unless told (gptel PR #592, shortened)", MODEL_CHAT,
	  "data:{\"model\":\"deepseek-r1\",\"id\":\"chatcmpl-75945b6f\",\"choices\":[{\"index\":0,"
	  "\"delta\":{\"reasoning_content\":\" bit\",\"role\":\"assistant\"}}],\"object\":"
	  "\"chat.completion.chunk\"}\n\ndata: [DONE]\n\n", BAD, NULL, 0, 0,
	  "streamed (server-sent events) although stream was false: \"data:{" },
	{ "uvicorn's plain-text 500 body with a 200 (constructed)", MODEL_CHAT,
	  "Internal Server Error", BAD, NULL, 0, 0, "not JSON: \"Internal Server Error\"" },
	{ "an empty 200 (constructed)", MODEL_CHAT, "", BAD, NULL, 0, 0, "empty" },
	{ "a message with no content and nothing beside it (constructed)", MODEL_CHAT,
	  "{\"choices\":[{\"message\":{\"text\":\"4\"}}]}", BAD, NULL, 0, 0, "no \"content\"" },
	{ "content of the wrong type (constructed)", MODEL_CHAT,
	  "{\"choices\":[{\"message\":{\"content\":42}}]}", BAD, NULL, 0, 0, "not a string" },
	{ "a NUL inside the answer (constructed)", MODEL_CHAT,
	  "{\"choices\":[{\"message\":{\"content\":\"a\\u0000b\"}}]}", BAD, NULL, 0, 0,
	  "holds a NUL character" },
	{ "bytes that are not UTF-8 (constructed)", MODEL_CHAT,
	  "{\"choices\":[{\"message\":{\"content\":\"a\xff\"}}]}", BAD, NULL, 0, 0,
	  "not valid UTF-8" },
	{ "no choices at all (constructed)", MODEL_CHAT, "{\"id\":\"x\",\"choices\":[]}", BAD,
	  NULL, 0, 0, "no choices[0]" },
	{ "completions asked, chat answered (constructed)", MODEL_COMPLETIONS,
	  "{\"choices\":[{\"message\":{\"content\":\"4\"}}]}", BAD, NULL, 0, 0, "choices[0].text" },
};

static void
test_answers(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
		const answer_case *c = &answers[i];
		char why[MODEL_WHY_MAX] = "", *text = NULL;
		int trunc = -1;
		long status = -1;
		em_err err = model_parse_openai(c->api, c->body, strlen(c->body), &text, &trunc,
		    &status, why, sizeof why);

		print_message("%s\n", c->source);
		if (c->outcome == OK) {
			assert_int_equal(err, EM_OK);
			assert_non_null(text);
			assert_string_equal(text, c->text);
			assert_int_equal(trunc, c->truncated);
			assert_int_equal(status, 0);
		} else {
			assert_int_equal(err, EM_EFORMAT);
			assert_null(text);
			assert_int_equal(status, c->status);
			if (strstr(why, c->why) == NULL)
				fail_msg("%s: why is '%s', wanted '%s' in it", c->source, why, c->why);
			assert_null(strchr(why, '\n'));
		}
		free(text);
	}
}

typedef struct status_case {
	const char	*source;
	long		 status;
	const char	*body;
	enum model_fail	 fail;
	const char	*quote;		/* in the reason */
} status_case;

static const status_case statuses[] = {
	{ "llama.cpp server (the task's example; format of llama.cpp PR #15780)", 400,
	  "{\"error\":{\"code\":400,\"message\":\"request (3009 tokens) exceeds the available "
	  "context size (256 tokens), try increasing it\",\"type\":\"exceed_context_size_error\"}}",
	  MF_REFUSED, ": \"request (3009 tokens) exceeds the available context size (256 tokens), "
	  "try increasing it\"" },
	{ "llama.cpp server (the task's example)", 500,
	  "{\"error\":{\"message\":\"The model produced output that does not match the expected "
	  "peg-native format\"}}", MF_SERVER,
	  "\"The model produced output that does not match the expected peg-native format\"" },
	{ "llama.cpp while loading (llama-swap issue #146)", 503,
	  "{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}",
	  MF_RATE, "\"Loading model\"" },
	{ "vLLM issue #3485", 404, "{\"object\":\"error\",\"message\":\"The model "
	  "`Qwen1.5-14B-Chat-GPTQ-Int8` does not exist.\",\"type\":\"NotFoundError\",\"param\":null,"
	  "\"code\":404}", MF_FATAL, "\"The model `Qwen1.5-14B-Chat-GPTQ-Int8` does not exist.\"" },
	{ "vLLM issue #4667", 400, "{\"object\":\"error\",\"message\":\"max_tokens must be at "
	  "least 1, got -186.\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}",
	  MF_REFUSED, "\"max_tokens must be at least 1, got -186.\"" },
	{ "vLLM via llama-stack discussion #981 (ogx issue #4534)", 400, "{\"object\":\"error\","
	  "\"message\":\"This model's maximum context length is 6048 tokens. However, you "
	  "requested 6616 tokens (568 in the messages, 6048 in the completion). Please reduce the "
	  "length of the messages or completion.\",\"type\":\"BadRequestError\",\"param\":null,"
	  "\"code\":400}", MF_REFUSED, "\"This model's maximum context length is 6048 tokens." },
	{ "SGLang via Qwen3 issue #1321 (its \\' unescaped)", 400, "{\"object\":\"error\","
	  "\"message\":\"The input (61709 tokens) is longer than the model's context length "
	  "(40960 tokens).\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}",
	  MF_REFUSED, "\"The input (61709 tokens) is longer than the model's context length" },
	{ "Ollama (autohandai/code-cli issue #21)", 404,
	  "{\"error\":\"model 'llama3.2:latest' not found\"}", MF_FATAL,
	  "\"model 'llama3.2:latest' not found\"" },
	{ "Ollama (bolt.diy issue #434)", 404,
	  "{\"error\":\"model \\\"claude-3-5-sonnet-latest\\\" not found, try pulling it first\"}",
	  MF_FATAL, "\"model \"claude-3-5-sonnet-latest\" not found, try pulling it first\"" },
	{ "TGI issue #1593", 422, "{\"error\":\"Template error: template not found\","
	  "\"error_type\":\"template_error\"}", MF_REFUSED, "\"Template error: template not found\"" },
	{ "TGI issue #628", 422, "{\"error\":\"Input validation error: `inputs` tokens + "
	  "`max_new_tokens` must be <= 2048. Given: 1244 `inputs` tokens and 1000 "
	  "`max_new_tokens`\",\"error_type\":\"validation\"}", MF_REFUSED,
	  "\"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 2048." },
	{ "FastAPI validation (LlamaFactory issue #2644)", 422, "{\"detail\":[{\"loc\":[\"body\","
	  "\"messages\",2,\"content\"],\"msg\":\"none is not an allowed value\",\"type\":"
	  "\"type_error.none.not_allowed\"}]}", MF_REFUSED, "\"none is not an allowed value\"" },
	{ "FastAPI's own 404 (constructed)", 404, "{\"detail\":\"Not Found\"}", MF_FATAL,
	  "no such path or model (check --endpoint, --api and --served-model): \"Not Found\"" },
	{ "gpustack issue #1845: error and detail both", 400, "{\"error\":{\"code\":400,"
	  "\"message\":\"Illegal param: prefill 744 tokens exceed n_ctx_per_seq\",\"type\":"
	  "\"invalid_request_error\"},\"detail\":\"Illegal param\"}", MF_REFUSED,
	  "\"Illegal param: prefill 744 tokens exceed n_ctx_per_seq\"" },
	{ "Azure OpenAI (BotSharp issue #386)", 401, "{\"error\":{\"code\":\"401\",\"message\":"
	  "\"Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
	  "provide a valid key for an active subscription and use a correct regional API endpoint "
	  "for your resource.\"}}", MF_FATAL, "credentials (see --api-key-env, --api-key-header): \"Access denied" },
	{ "Azure OpenAI (chatbox issue #646)", 404, "{\"error\":{\"code\":\"DeploymentNotFound\","
	  "\"message\":\"The API deployment for this resource does not exist. If you created the "
	  "deployment within the last 5 minutes, please wait a moment and try again.\"}}", MF_FATAL,
	  "\"The API deployment for this resource does not exist." },
	{ "Azure OpenAI content filter (openai-python issue #331)", 400, "{\"error\":{\"message\":"
	  "\"The response was filtered due to the prompt triggering Azure OpenAI's content "
	  "management policy.\",\"type\":null,\"param\":\"prompt\",\"code\":\"content_filter\","
	  "\"status\":400}}", MF_REFUSED, "\"The response was filtered due to the prompt" },
	{ "OpenAI out of quota (NextChat issue #3664)", 429, "{\"error\":{\"message\":\"You "
	  "exceeded your current quota, please check your plan and billing details.\",\"type\":"
	  "\"insufficient_quota\",\"param\":null,\"code\":\"insufficient_quota\"}}", MF_FATAL,
	  "no quota left: \"You exceeded your current quota" },
	{ "a plain rate limit (constructed)", 429, "{\"error\":{\"message\":\"slow down\"}}",
	  MF_RATE, "rate limited: \"slow down\"" },
	{ "OpenRouter out of credits (openrouter.ai/docs/errors; constructed)", 402,
	  "{\"error\":{\"code\":402,\"message\":\"Insufficient credits\"}}", MF_FATAL,
	  "\"Insufficient credits\"" },
	{ "OpenRouter timeout (openrouter.ai/docs/errors; constructed)", 408,
	  "{\"error\":{\"code\":408,\"message\":\"Request timed out\"}}", MF_SERVER,
	  "\"Request timed out\"" },
	{ "a method the endpoint does not take (constructed)", 405,
	  "{\"detail\":\"Method Not Allowed\"}", MF_FATAL, "does not speak this API" },
	{ "nginx in front, the backend down (constructed)", 502, "<html>\r\n<head><title>502 Bad "
	  "Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
	  "</body>\r\n</html>\r\n", MF_SERVER,
	  "\"<html> <head><title>502 Bad Gateway</title></head> <body>" },
	{ "an empty 500 (constructed)", 500, "", MF_SERVER, "a server error: (an empty body)" },
};

static void
test_statuses(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		const status_case *c = &statuses[i];
		char why[MODEL_WHY_MAX];
		enum model_fail f = model_http_classify(c->status, c->body, strlen(c->body),
		    "http://127.0.0.1:8080/v1/chat/completions", why, sizeof why);

		print_message("%s\n", c->source);
		if (f != c->fail || strstr(why, c->quote) == NULL)
			fail_msg("%s: fail %d, why '%s'; wanted %d and '%s'", c->source, f, why, c->fail,
			    c->quote);
		assert_non_null(strstr(why, "HTTP "));
		assert_null(strchr(why, '\n'));
		assert_true(strlen(why) < sizeof why);
	}
}

/* Every status has its class (model.h's table). */
static void
test_status_table(void **state)
{
	const char *m;

	(void)state;
	assert_int_equal(model_status_fail(400, 0, &m), MF_REFUSED);
	assert_int_equal(model_status_fail(413, 0, &m), MF_REFUSED);
	assert_int_equal(model_status_fail(422, 0, &m), MF_REFUSED);
	assert_int_equal(model_status_fail(401, 0, &m), MF_FATAL);
	assert_int_equal(model_status_fail(403, 0, &m), MF_FATAL);
	assert_int_equal(model_status_fail(404, 0, &m), MF_FATAL);
	assert_int_equal(model_status_fail(405, 0, &m), MF_FATAL);
	assert_int_equal(model_status_fail(415, 0, &m), MF_FATAL);
	assert_int_equal(model_status_fail(408, 0, &m), MF_SERVER);
	assert_int_equal(model_status_fail(409, 0, &m), MF_SERVER);
	assert_int_equal(model_status_fail(425, 0, &m), MF_SERVER);
	assert_int_equal(model_status_fail(429, 0, &m), MF_RATE);
	assert_int_equal(model_status_fail(429, 1, &m), MF_FATAL);
	assert_int_equal(model_status_fail(500, 0, &m), MF_SERVER);
	assert_int_equal(model_status_fail(502, 0, &m), MF_SERVER);
	assert_int_equal(model_status_fail(503, 0, &m), MF_RATE);
	assert_int_equal(model_status_fail(504, 0, &m), MF_SERVER);
	assert_int_equal(model_status_fail(418, 0, &m), MF_FATAL);
	assert_int_equal(model_status_fail(600, 0, &m), MF_FATAL);
	assert_int_equal(model_status_fail(101, 0, &m), MF_FATAL);
}

/* The server's words, made safe: one line, no control characters, no
 * invalid UTF-8, no bidirectional overrides; cut with "…" to fit. */
static void
test_quote(void **state)
{
	static const char coded[] = "{\"error\":{\"message\":\"a\\nb\",\"code\":\"503\"}}";
	char out[64];
	long code;

	(void)state;
	model_quote("a\r\n\tb  c\n", 9, out, sizeof out);
	assert_string_equal(out, "\"a b c\"");
	model_quote("x\x1b[31my\x7f", 8, out, sizeof out);
	assert_string_equal(out, "\"x\xEF\xBF\xBD[31my\xEF\xBF\xBD\"");
	model_quote("\xff\xc3(\xed\xa0\x80", 6, out, sizeof out);	/* bad byte, bad pair, surrogate */
	assert_string_equal(out, "\"\xEF\xBF\xBD\xEF\xBF\xBD(\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
	model_quote("ok \xe2\x80\xae evil", 11, out, sizeof out);	/* U+202E */
	assert_string_equal(out, "\"ok \xEF\xBF\xBD evil\"");
	model_quote("\xc2\x85" "caf\xc3\xa9", 7, out, sizeof out);	/* NEL is a space */
	assert_string_equal(out, "\"caf\xc3\xa9\"");
	model_quote("0123456789abcdefghij", 20, out, 16);
	assert_string_equal(out, "\"0123456789\xE2\x80\xA6\"");
	assert_true(strlen(out) < 16);
	model_quote("\xe7\xad\x94\xe6\xa1\x88\xe6\x98\xaf", 9, out, 11);	/* never half a character */
	assert_string_equal(out, "\"\xe7\xad\x94\xe2\x80\xa6\"");
	model_quote("abc", 3, out, 4);
	assert_string_equal(out, "");
	model_quote("", 0, out, sizeof out);
	assert_string_equal(out, "\"\"");
	model_error_quote(coded, strlen(coded), out, sizeof out, &code);
	assert_string_equal(out, "\"a b\"");
	assert_int_equal(code, 503);
	model_error_quote("[1,2]", 5, out, sizeof out, &code);
	assert_string_equal(out, "\"[1,2]\"");
	assert_int_equal(code, 0);
}

static void
test_say(void **state)
{
	char out[16];

	(void)state;
	model_say(out, sizeof out, "%s", "short");
	assert_string_equal(out, "short");
	model_say(out, sizeof out, "%s", "0123456789abcdefghij");
	assert_string_equal(out, "0123456789ab\xE2\x80\xA6");
	model_say(out, sizeof out, "%s", "0123456789a\xc3\xa9xyz");	/* é is not split */
	assert_string_equal(out, "0123456789a\xE2\x80\xA6");
}

typedef struct url_case {
	const char	*endpoint, *path, *want;
} url_case;

static const url_case urls[] = {
	{ "http://h:8000", "/chat/completions", "http://h:8000/v1/chat/completions" },
	{ "http://h:8000/", "/chat/completions", "http://h:8000/v1/chat/completions" },
	{ "http://h:8000/v1", "/chat/completions", "http://h:8000/v1/chat/completions" },
	{ "http://h:8000/v1/", "/completions", "http://h:8000/v1/completions" },
	{ "https://api.x.com/v1/chat/completions", "/chat/completions",
	  "https://api.x.com/v1/chat/completions" },
	{ "http://h/v1/chat/completions", "/completions", "http://h/v1/chat/completions" },
	{ "https://x.openai.azure.com/openai/deployments/NAME/chat/completions?api-version=2024-02-01",
	  "/chat/completions",
	  "https://x.openai.azure.com/openai/deployments/NAME/chat/completions?api-version=2024-02-01" },
	{ "https://h/openai/v1?api-version=preview", "/chat/completions",
	  "https://h/openai/v1/chat/completions?api-version=preview" },
	{ "http://h:1/base/?a=1&b=2#frag", "/chat/completions", "http://h:1/base/v1/chat/completions?a=1&b=2" },
	{ "http://h#frag", "/chat/completions", "http://h/v1/chat/completions" },
	{ "http://h/v1/chat/completions", "/models", "http://h/v1/models" },
	{ "http://h/v1/completions?k=v", "/models", "http://h/v1/models?k=v" },
	{ "http://h:8000", "/models", "http://h:8000/v1/models" },
};

static void
test_urls(void **state)
{
	char out[MODEL_URL_MAX], why[MODEL_WHY_MAX], big[MODEL_URL_MAX + 8];

	(void)state;
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		assert_int_equal(model_url(urls[i].endpoint, urls[i].path, out, sizeof out, why,
		    sizeof why), EM_OK);
		assert_string_equal(out, urls[i].want);
	}
	assert_int_equal(model_url("ftp://h", "/models", out, sizeof out, why, sizeof why), EM_EINVAL);
	assert_non_null(strstr(why, "expected an http"));
	assert_int_equal(model_url("http://", "/models", out, sizeof out, why, sizeof why), EM_EINVAL);
	assert_int_equal(model_url("http:///v1", "/models", out, sizeof out, why, sizeof why),
	    EM_EINVAL);
	memset(big, 'a', sizeof big - 1);
	memcpy(big, "http://", 7);
	big[sizeof big - 1] = '\0';
	assert_int_equal(model_url(big, "/models", out, sizeof out, why, sizeof why), EM_EINVAL);
	assert_non_null(strstr(why, "longer than"));

	/* shown without the query (it may hold a key) nor user:password@ */
	model_url_show("https://u:pw@x.azure.com/openai/deployments/N/chat/completions?api-version=1&"
	    "key=SECRET", out, 112);
	assert_string_equal(out, "https://x.azure.com/openai/deployments/N/chat/completions?\xE2\x80\xA6");
	model_url_show("http://127.0.0.1:8/v1/chat/completions", out, 112);
	assert_string_equal(out, "http://127.0.0.1:8/v1/chat/completions");
	model_url_show(big, out, 40);
	assert_true(strlen(out) < 40);
	assert_non_null(strstr(out, "\xE2\x80\xA6"));
}

static void
test_extra_body(void **state)
{
	char why[MODEL_WHY_MAX], big[700];
	json_t *o;

	(void)state;
	o = json_loads("{\"chat_template_kwargs\":{\"enable_thinking\":false},\"top_p\":0.9}", 0, NULL);
	assert_int_equal(model_extra_body_check(o, why, sizeof why), EM_OK);
	json_decref(o);
	o = json_loads("[1]", 0, NULL);
	assert_int_equal(model_extra_body_check(o, why, sizeof why), EM_EINVAL);
	assert_non_null(strstr(why, "JSON object"));
	json_decref(o);
	/* every name servers give the token limit is --max-tokens' */
	for (const char *const *k = (const char *const[]){ "max_tokens", "max_completion_tokens",
	    "max_new_tokens", NULL }; *k; k++) {
		o = json_pack("{s:i}", *k, 5);
		assert_int_equal(model_extra_body_check(o, why, sizeof why), EM_EINVAL);
		assert_non_null(strstr(why, "use --max-tokens"));
		json_decref(o);
	}
	for (const char *const *k = (const char *const[]){ "model", "messages", "prompt", "stream",
	    "temperature", NULL }; *k; k++) {
		o = json_pack("{s:i}", *k, 1);
		assert_int_equal(model_extra_body_check(o, why, sizeof why), EM_EINVAL);
		assert_non_null(strstr(why, *k));
		json_decref(o);
	}
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	o = json_pack("{s:s}", "note", big + 200);	/* 499 bytes of text, 510 in all */
	assert_int_equal(model_extra_body_check(o, why, sizeof why), EM_OK);
	json_decref(o);
	o = json_pack("{s:s}", "note", big + 190);
	assert_int_equal(model_extra_body_check(o, why, sizeof why), EM_EINVAL);
	assert_non_null(strstr(why, "at most 512"));
	json_decref(o);
}

/* The body sent: "stream": false, the extra fields merged, ours kept. */
static void
test_request_body(void **state)
{
	json_t *extra = json_loads("{\"chat_template_kwargs\":{\"enable_thinking\":false}}", 0, NULL);
	json_t *msgs = json_loads("[{\"role\":\"user\",\"content\":\"2+2?\"}]", 0, NULL), *got;
	struct model m = { .o = { .api = MODEL_CHAT, .served_model = "qwen3", .extra_body = extra } };
	model_req r = { .id = 1, .messages = msgs, .prompt = "2+2?", .max_tokens = 8 };
	char *s;

	(void)state;
	assert_non_null(s = model_body(&m, &r));
	assert_non_null(got = json_loads(s, 0, NULL));
	assert_true(json_is_false(json_object_get(got, "stream")));
	assert_string_equal(json_string_value(json_object_get(got, "model")), "qwen3");
	assert_true(json_is_false(json_object_get(json_object_get(got, "chat_template_kwargs"),
	    "enable_thinking")));
	assert_int_equal(json_integer_value(json_object_get(got, "max_tokens")), 8);
	json_decref(got);
	free(s);
	m.o.api = MODEL_COMPLETIONS;
	assert_non_null(s = model_body(&m, &r));
	assert_non_null(strstr(s, "\"stream\":false"));
	assert_non_null(strstr(s, "\"prompt\":\"2+2?\""));
	free(s);
	json_decref(msgs);
	json_decref(extra);
}

static int
has_header(const struct curl_slist *l, const char *want)
{
	for (; l != NULL; l = l->next)
		if (strcmp(l->data, want) == 0)
			return 1;
	return 0;
}

static void
test_headers(void **state)
{
	model_opts o = { .api_key = "sk-1" };
	struct curl_slist *l;
	char why[MODEL_WHY_MAX];

	(void)state;
	assert_int_equal(model_headers(&o, &l, why, sizeof why), EM_OK);
	assert_true(has_header(l, "Authorization: Bearer sk-1"));
	assert_true(has_header(l, "Accept: application/json"));
	model_headers_free(l);
	o.api_key_header = "api-key";
	assert_int_equal(model_headers(&o, &l, why, sizeof why), EM_OK);
	assert_true(has_header(l, "api-key: sk-1"));
	assert_false(has_header(l, "Authorization: Bearer sk-1"));
	model_headers_free(l);
	o.api_key_header = "bad header";
	assert_int_equal(model_headers(&o, &l, why, sizeof why), EM_EINVAL);
	assert_non_null(strstr(why, "not an HTTP header name"));
	o.api_key_header = "Content-Type";
	assert_int_equal(model_headers(&o, &l, why, sizeof why), EM_EINVAL);
	assert_non_null(strstr(why, "sets that header itself"));
	o.api_key_header = NULL;
	o.api_key = "sk-1\r\nX-Evil: 1";
	assert_int_equal(model_headers(&o, &l, why, sizeof why), EM_EINVAL);
	assert_non_null(strstr(why, "control character"));
	o.api_key = NULL;
	assert_int_equal(model_headers(&o, &l, why, sizeof why), EM_OK);
	assert_false(has_header(l, "Authorization: Bearer sk-1"));
	model_headers_free(l);
}

/* The exec protocol: answers, truncated answers, errors (quoted) and
 * refusals; anything else is a format error. */
static void
test_exec_line(void **state)
{
	static const struct {
		const char *line;
		em_err err;
		uint32_t id;
		enum model_fail fail;
		int truncated;
		const char *text, *why;
	} rows[] = {
		{ "{\"id\":3,\"error\":\"out of memory\\non the GPU\"}", EM_OK, 3, MF_SERVER, 0,
		  NULL, "\"out of memory on the GPU\"" },
		{ "{\"id\":4,\"refused\":\"prompt is 5000 tokens, context 4096\"}", EM_OK, 4,
		  MF_REFUSED, 0, NULL, "\"prompt is 5000 tokens, context 4096\"" },
		{ "{\"id\":5,\"refused\":true}", EM_OK, 5, MF_REFUSED, 0, NULL, "refused" },
		{ "{\"id\":6,\"text\":\"42\"}", EM_OK, 6, MF_NONE, 0, "42", NULL },
		{ "{\"id\":7,\"text\":\"The ans\",\"finish_reason\":\"length\"}", EM_OK, 7,
		  MF_NONE, 1, "The ans", NULL },
		{ "{\"id\":8,\"text\":\"\",\"finish_reason\":\"stop\"}", EM_OK, 8, MF_NONE, 0, "", NULL },
		{ "{\"id\":9,\"text\":\"x\",\"finish_reason\":7}", EM_OK, 9, MF_NONE, 0, "x", NULL },
		{ "{\"id\":-1,\"text\":\"x\"}", EM_EFORMAT, 0, MF_NONE, 0, NULL, "whole-number" },
		{ "{\"id\":1,\"text\":null}", EM_EFORMAT, 1, MF_NONE, 0, NULL, "\"text\" is missing" },
		{ "{\"id\":1,\"text\":\"a\\u0000b\"}", EM_EFORMAT, 1, MF_NONE, 0, NULL, "NUL" },
		{ "[1]", EM_EFORMAT, 0, MF_NONE, 0, NULL, "whole-number" },
		{ "{\"id\":1,", EM_EFORMAT, 0, MF_NONE, 0, NULL, "not JSON" },
		/* jansson's error quotes the bad token, control characters and
		 * all: found by model_fuzz (a newline in the reason) */
		{ "{\"i\\\n:-7}", EM_EFORMAT, 0, MF_NONE, 0, NULL, "not JSON" },
		{ "{\"a\\\x1b[2J\r", EM_EFORMAT, 0, MF_NONE, 0, NULL, "not JSON" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		model_reply r = { .retry_after_ms = -1 };
		char *text = (char *)"unset";
		em_err err = model_parse_exec(rows[i].line, strlen(rows[i].line), &r, &text);

		if (err != rows[i].err)
			fail_msg("row %zu (%s): error %d", i, rows[i].line, err);
		if (err == EM_OK) {
			assert_int_equal(r.id, rows[i].id);
			assert_int_equal(r.fail, rows[i].fail);
			assert_int_equal(r.truncated, rows[i].truncated);
		}
		if (rows[i].text != NULL) {
			assert_non_null(text);
			assert_string_equal(text, rows[i].text);
		} else {
			assert_null(text);
		}
		if (rows[i].why != NULL && strstr(r.why, rows[i].why) == NULL)
			fail_msg("row %zu: why '%s' lacks '%s'", i, r.why, rows[i].why);
		if (strpbrk(r.why, "\n\r\x1b") != NULL)	/* one printable line */
			fail_msg("row %zu: why holds a control character: '%s'", i, r.why);
		free(text);
	}
}

/* A key a server echoes never survives in what we read of its body. */
static void
test_redact(void **state)
{
	char s[] = "Incorrect API key provided: Bearer sk-abc123. Got sk-abc123sk-abc123; sk-abc12";

	(void)state;
	model_redact(s, strlen(s), "sk-abc123");
	assert_string_equal(s, "Incorrect API key provided: Bearer *********. Got "
	    "******************; sk-abc12");
	model_redact(s, strlen(s), NULL);	/* no key: nothing to do */
	model_redact(s, strlen(s), "");
	assert_non_null(strstr(s, "sk-abc12"));
	model_redact(s, 3, "Incorrect");	/* only within len */
	assert_int_equal(s[0], 'I');
	{
		/* a quoted message holds nothing a signed text may not */
		char q[64];
		const char *m = "a\xe2\x80\x8b" "b\xe2\x80\xae" "c\x1b[2J";

		model_quote(m, strlen(m), q, sizeof q);
		assert_true(utf8_printable((const uint8_t *)q, strlen(q)));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_statuses),
		cmocka_unit_test(test_status_table),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_say),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_extra_body),
		cmocka_unit_test(test_request_body),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_exec_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

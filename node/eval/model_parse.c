/* Reading what model servers send back: answers, error objects, and the
 * server's own words made safe to print on one line.
 *
 * Servers differ in small ways (reasoning_content or reasoning; content
 * as a string, null or a list of parts; an error as an object, a string or
 * FastAPI's detail), so the reader is lenient about where the answer is
 * and strict about what it is: UTF-8 text without NUL, within bounds. */
#include "model_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "utf8.h"

#define REPLACEMENT	"\xEF\xBF\xBD"	/* U+FFFD */
#define ELLIPSIS	"\xE2\x80\xA6"	/* U+2026 */

/* Fields that hold a model's reasoning beside its answer: DeepSeek and
 * vLLM's reasoning_content, OpenRouter's and newer vLLM's and Ollama's
 * reasoning, OpenRouter's reasoning_details, and thinking. */
const char *const model_reasoning_fields[] = {
	"reasoning_content", "reasoning", "reasoning_details", "thinking", NULL,
};

/* The length of the well-formed UTF-8 sequence at s (1 to 4) with its
 * code point, or 0 if the bytes there are not one. */
static size_t
u8_next(const uint8_t *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, c = s[0] & 0x1f, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, c = s[0] & 0x0f, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, c = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static int
is_space(uint32_t c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xa0 ||
	    c == 0x2028 || c == 0x2029;
}

/* Control characters, the bidirectional overrides that would let a
 * message rearrange the terminal line it is printed on, and invisible
 * format characters: what a signed text may not hold (utf8_printable). */
static int
is_unsafe(uint32_t c)
{
	return utf8_unprintable(c);	/* what a signed text may not hold */
}

void
model_quote(const char *s, size_t len, char *out, size_t cap)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t o = 0, i = 0;
	int space = 0, cut = 0;

	if (cap < 9) {		/* no room for even one character and "…" */
		if (cap > 0)
			out[0] = '\0';
		return;
	}
	out[o++] = '"';
	while (i < len) {
		uint32_t cp = 0;
		size_t n = u8_next(u + i, len - i, &cp), rl;
		const char *rep;

		if (n > 0 && is_space(cp)) {
			space = 1;
			i += n;
			continue;
		}
		if (n == 0 || is_unsafe(cp)) {
			rep = REPLACEMENT;
			rl = 3;
			n = n ? n : 1;
		} else {
			rep = s + i;
			rl = n;
		}
		/* room for a space, this character, "…", the quote and the NUL */
		if (o + (space && o > 1) + rl + 5 > cap) {
			cut = 1;
			break;
		}
		if (space && o > 1)
			out[o++] = ' ';
		space = 0;
		memcpy(out + o, rep, rl);
		o += rl;
		i += n;
	}
	if (cut) {
		memcpy(out + o, ELLIPSIS, 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = '\0';
}

void
model_say(char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;
	size_t k;
	int w;

	if (cap == 0)
		return;
	va_start(ap, fmt);
	w = vsnprintf(out, cap, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w < cap || cap < 4)
		return;
	k = cap - 4;
	while (k > 0 && ((unsigned char)out[k] & 0xc0) == 0x80)
		k--;
	memcpy(out + k, ELLIPSIS, 4);	/* with its NUL */
}

void
model_whyq(char *why, size_t cap, const char *s, size_t len, const char *fmt, ...)
{
	va_list ap;
	size_t n;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(why, cap, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w + 3 >= cap || s == NULL)
		return;
	n = (size_t)w;
	memcpy(why + n, ": ", 3);
	model_quote(s, len, why + n + 2, cap - n - 2);
	if (why[n + 2] == '\0')
		why[n] = '\0';	/* no room for the quote: no dangling ": " */
}

/* A status code as a number or a string of digits (Azure sends "401"). */
static long
code_of(const json_t *v)
{
	const char *s = json_string_value(v);
	long c = 0;

	if (json_is_integer(v))
		c = json_integer_value(v) >= 100 && json_integer_value(v) <= 999 ?
		    (long)json_integer_value(v) : 0;
	else if (s != NULL && strlen(s) == 3 && strspn(s, "0123456789") == 3)
		c = strtol(s, NULL, 10);
	return c >= 100 ? c : 0;
}

/* The message in an error object o, or NULL. */
static const json_t *
err_message(const json_t *o)
{
	const json_t *e = json_object_get(o, "error"), *d = json_object_get(o, "detail"), *m;

	if (json_is_string(e))
		return e;
	if (json_is_string(m = json_object_get(e, "message")))
		return m;
	if (json_is_string(m = json_object_get(o, "message")))
		return m;
	if (json_is_string(d))
		return d;
	if (json_is_string(m = json_object_get(json_array_get(d, 0), "msg")))
		return m;
	if (json_is_string(m = json_object_get(d, "message")))
		return m;
	return NULL;
}

static long
err_code(const json_t *o)
{
	const json_t *e = json_object_get(o, "error");
	long c;

	if ((c = code_of(json_object_get(e, "code"))) || (c = code_of(json_object_get(e, "status"))) ||
	    (c = code_of(json_object_get(o, "code"))))
		return c;
	return code_of(json_object_get(o, "status"));
}

/* OpenAI's 429 for an account without money, which no retry mends. */
static int
err_no_quota(const json_t *o)
{
	const json_t *e = json_object_get(o, "error");
	const char *t = json_string_value(json_object_get(e, "type"));
	const char *c = json_string_value(json_object_get(e, "code"));

	return (t && strcmp(t, "insufficient_quota") == 0) ||
	    (c && strcmp(c, "insufficient_quota") == 0);
}

static int
is_error_object(const json_t *o)
{
	const json_t *e = json_object_get(o, "error");
	const char *obj = json_string_value(json_object_get(o, "object"));

	return (e != NULL && !json_is_null(e)) || (obj && strcmp(obj, "error") == 0) ||
	    (json_object_get(o, "choices") == NULL && (json_object_get(o, "detail") ||
	    json_is_string(json_object_get(o, "message"))));
}

void
model_error_read(const char *body, size_t len, char *out, size_t cap, long *code,
    int *no_quota)
{
	json_t *o = NULL;
	const json_t *m = NULL;

	*code = 0;
	*no_quota = 0;
	if (len == 0) {
		snprintf(out, cap, "(an empty body)");
		return;
	}
	if (len <= MODEL_REPLY_MAX && (o = json_loadb(body, len, 0, NULL)) != NULL &&
	    json_is_object(o)) {
		m = err_message(o);
		*code = err_code(o);
		*no_quota = err_no_quota(o);
	}
	if (m != NULL)
		model_quote(json_string_value(m), json_string_length(m), out, cap);
	else
		model_quote(body, len, out, cap);
	json_decref(o);
}

void
model_error_quote(const char *body, size_t len, char *out, size_t cap, long *code)
{
	int no_quota;

	model_error_read(body, len, out, cap, code, &no_quota);
}

/* A string value as text we can score: UTF-8 (jansson checked), no NUL. */
static em_err
take_text(const json_t *v, char **text, char *why, size_t cap, const char *where)
{
	const char *s = json_string_value(v);

	if (s == NULL) {
		snprintf(why, cap, "%s is missing or not a string", where);
		return EM_EFORMAT;
	}
	if (strlen(s) != json_string_length(v)) {
		snprintf(why, cap, "%s holds a NUL character", where);
		return EM_EFORMAT;
	}
	if ((*text = strdup(s)) == NULL)
		return EM_ENOMEM;
	return EM_OK;
}

static int
has_reasoning(const json_t *msg)
{
	for (size_t i = 0; model_reasoning_fields[i] != NULL; i++)
		if (json_object_get(msg, model_reasoning_fields[i]) != NULL)
			return 1;
	return 0;
}

/* The text of one content part, or NULL for a part that is not answer
 * text (thinking, reasoning, images, tool calls). */
static const json_t *
part_text(const json_t *p)
{
	const char *type = json_string_value(json_object_get(p, "type"));

	if (json_is_string(p))
		return p;
	if (type == NULL || strcmp(type, "text") == 0 || strcmp(type, "output_text") == 0)
		return json_object_get(p, "text");
	if (strcmp(type, "refusal") == 0)
		return json_object_get(p, "refusal");
	return NULL;
}

/* A list of typed parts: the answer is its text parts, joined. The total
 * is bounded by the body it came from. */
static em_err
join_parts(const json_t *parts, char **text, char *why, size_t cap)
{
	size_t total = 0, i, at = 0;
	const json_t *p, *t;
	char *s;

	json_array_foreach(parts, i, p) {
		if ((t = part_text(p)) == NULL)
			continue;
		if (!json_is_string(t) || strlen(json_string_value(t)) != json_string_length(t)) {
			snprintf(why, cap, "choices[0].message.content[%zu] has no text string", i);
			return EM_EFORMAT;
		}
		total += json_string_length(t);
	}
	if ((s = malloc(total + 1)) == NULL)
		return EM_ENOMEM;
	json_array_foreach(parts, i, p)
		if ((t = part_text(p)) != NULL) {
			memcpy(s + at, json_string_value(t), json_string_length(t));
			at += json_string_length(t);
		}
	s[at] = '\0';
	*text = s;
	return EM_OK;
}

static em_err
read_chat(const json_t *c, char **text, char *why, size_t cap)
{
	const json_t *msg = json_object_get(c, "message"), *content;

	if (!json_is_object(msg)) {
		snprintf(why, cap, "choices[0] has no \"message\" object");
		return EM_EFORMAT;
	}
	content = json_object_get(msg, "content");
	if (content == NULL || json_is_null(content)) {
		const json_t *refusal = json_object_get(msg, "refusal");

		if (json_is_string(refusal))
			return take_text(refusal, text, why, cap, "choices[0].message.refusal");
		/* absent with nothing beside it is a body of another shape */
		if (content == NULL && !has_reasoning(msg)) {
			snprintf(why, cap, "choices[0].message has no \"content\"");
			return EM_EFORMAT;
		}
		return (*text = strdup("")) != NULL ? EM_OK : EM_ENOMEM;
	}
	if (json_is_array(content))
		return join_parts(content, text, why, cap);
	return take_text(content, text, why, cap, "choices[0].message.content");
}

static em_err
read_completion(const json_t *c, char **text, char *why, size_t cap)
{
	const json_t *t = json_object_get(c, "text");

	if (json_is_null(t))
		return (*text = strdup("")) != NULL ? EM_OK : EM_ENOMEM;
	return take_text(t, text, why, cap, "choices[0].text");
}

/* finish_reason words that mean "stopped at the token limit": OpenAI's
 * length; max_tokens and model_context_window_exceeded from Anthropic's
 * stop reasons; Mistral's model_length; Gemini's MAX_TOKENS. */
static int
is_truncation(const json_t *fr)
{
	static const char *const words[] = { "length", "max_tokens", "model_length",
	    "model_context_window_exceeded" };
	const char *s = json_string_value(fr);

	for (size_t i = 0; s != NULL && i < sizeof words / sizeof words[0]; i++)
		if (strcasecmp(s, words[i]) == 0)
			return 1;
	return 0;
}

/* Server-sent events: lines of "data: {...}", "event: ...", ": comment". */
static int
looks_streamed(const char *b, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n'))
		i++;
	b += i;
	len -= i;
	return (len >= 5 && memcmp(b, "data:", 5) == 0) ||
	    (len >= 6 && memcmp(b, "event:", 6) == 0) || (len >= 1 && b[0] == ':');
}

/* A body that is an error object (o, or a choice holding "error"). */
static em_err
error_outcome(const json_t *o, long *status, char *why, size_t cap)
{
	const json_t *m = err_message(o);
	long code = err_code(o);
	char *dump = NULL;

	if (code >= 400 && code <= 599)
		*status = code;
	if (m != NULL) {
		model_whyq(why, cap, json_string_value(m), json_string_length(m),
		    code ? "the server answered an error (code %ld)" : "the server answered an error",
		    code);
	} else {
		dump = json_dumps(o, JSON_COMPACT);
		model_whyq(why, cap, dump ? dump : "", dump ? strlen(dump) : 0,
		    "the server answered an error");
		free(dump);
	}
	return EM_EFORMAT;
}

em_err
model_parse_openai(enum model_api api, const char *body, size_t len, char **text,
    int *truncated, long *status, char *why, size_t cap)
{
	json_error_t je;
	json_t *o;
	const json_t *c, *ce;
	em_err err;

	*text = NULL;
	*truncated = 0;
	*status = 0;
	if (len > MODEL_REPLY_MAX) {
		snprintf(why, cap, "a response larger than %u bytes", MODEL_REPLY_MAX);
		return EM_EFORMAT;
	}
	if (looks_streamed(body, len)) {
		model_whyq(why, cap, body, len, "the server streamed (server-sent events) "
		    "although stream was false");
		return EM_EFORMAT;
	}
	if ((o = json_loadb(body, len, JSON_ALLOW_NUL, &je)) == NULL || !json_is_object(o)) {
		model_whyq(why, cap, body, len, o ? "the response is not a JSON object" :
		    len == 0 ? "the response is empty" :
		    json_error_code(&je) == json_error_invalid_utf8 ?
		    "the response is not valid UTF-8" : "the response is not JSON");
		json_decref(o);
		return EM_EFORMAT;
	}
	c = json_array_get(json_object_get(o, "choices"), 0);
	if (!json_is_object(c)) {
		if (is_error_object(o))
			err = error_outcome(o, status, why, cap);
		else {
			model_whyq(why, cap, body, len, "the response has no choices[0]");
			err = EM_EFORMAT;
		}
	} else if ((ce = json_object_get(c, "error")) != NULL && !json_is_null(ce)) {
		/* OpenRouter: an error met mid-generation, inside the choice */
		err = error_outcome(c, status, why, cap);
	} else {
		*truncated = is_truncation(json_object_get(c, "finish_reason"));
		err = api == MODEL_CHAT ? read_chat(c, text, why, cap) :
		    read_completion(c, text, why, cap);
	}
	json_decref(o);
	return err;
}

em_err
model_parse_exec(const char *line, size_t len, model_reply *r, char **text)
{
	json_error_t je;
	json_t *o, *jid, *e;
	em_err err = EM_OK;

	*text = NULL;
	r->fail = MF_NONE;
	r->truncated = 0;
	if (len > MODEL_REPLY_MAX) {
		snprintf(r->why, sizeof r->why, "a line longer than %u bytes", MODEL_REPLY_MAX);
		return EM_EFORMAT;
	}
	if (!utf8_valid((const uint8_t *)line, len)) {
		snprintf(r->why, sizeof r->why, "a line that is not UTF-8 text (or holds a NUL byte)");
		return EM_EFORMAT;
	}
	if ((o = json_loadb(line, len, JSON_ALLOW_NUL, &je)) == NULL) {
		char q[sizeof je.text + 8];

		/* jansson's text quotes the bad token, control characters too */
		model_quote(je.text, strnlen(je.text, sizeof je.text), q, sizeof q);
		snprintf(r->why, sizeof r->why, "a line that is not JSON (%s)", q);
		return EM_EFORMAT;
	}
	jid = json_object_get(o, "id");
	if (!json_is_integer(jid) || json_integer_value(jid) < 0 ||
	    json_integer_value(jid) > UINT32_MAX) {
		snprintf(r->why, sizeof r->why, "a line without a whole-number \"id\"");
		err = EM_EFORMAT;
		goto out;
	}
	r->id = (uint32_t)json_integer_value(jid);
	if ((e = json_object_get(o, "error")) != NULL ||
	    (e = json_object_get(o, "refused")) != NULL) {
		r->fail = json_object_get(o, "error") != NULL ? MF_SERVER : MF_REFUSED;
		if (json_is_string(e))
			model_quote(json_string_value(e), json_string_length(e), r->why, sizeof r->why);
		else
			snprintf(r->why, sizeof r->why, "%s", r->fail == MF_SERVER ? "error" : "refused");
	} else {
		err = take_text(json_object_get(o, "text"), text, r->why, sizeof r->why, "\"text\"");
		r->truncated = is_truncation(json_object_get(o, "finish_reason"));
	}
out:
	json_decref(o);
	return err;
}

void
model_redact(char *s, size_t len, const char *key)
{
	size_t k = key ? strlen(key) : 0;

	if (k == 0 || s == NULL)
		return;
	for (char *p = s; (size_t)(p - s) + k <= len; ) {
		char *hit = memchr(p, key[0], len - (size_t)(p - s) - k + 1);

		if (hit == NULL)
			break;
		if (memcmp(hit, key, k) == 0) {
			memset(hit, '*', k);
			p = hit + k;
		} else {
			p = hit + 1;
		}
	}
}

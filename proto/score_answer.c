/* The answer after a reasoning block (see score.h, score_answer). */
#include "score.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

enum tag_kind { TAG_OPEN, TAG_CLOSE, TAG_CLOSE_THOUGHT };

/* XML-style tags: "<think>", "</think>", in any ASCII case, with up to
 * TAG_BLANKS spaces or tabs inside ("</think >"). "thought" is EXAONE
 * Deep's, "seed:think" Seed-OSS's, "thinking" and "reasoning" what prompted
 * and GRPO-trained models write. */
static const char *const tag_names[] = {
	"think", "thinking", "thought", "reasoning", "seed:think",
};
#define TAG_BLANKS	2

/* Tags written one way only (ASCII case aside). */
static const struct {
	const char	*text;
	enum tag_kind	 kind;
	int		 any_case;
} tag_words[] = {
	{ "[THINK]", TAG_OPEN, 1 },			/* Magistral 2509 */
	{ "[/THINK]", TAG_CLOSE, 1 },
	{ "\xe2\x97\x81think\xe2\x96\xb7", TAG_OPEN, 1 },	/* Kimi: U+25C1, U+25B7 */
	{ "\xe2\x97\x81/think\xe2\x96\xb7", TAG_CLOSE, 1 },
	{ "<|begin_of_thought|>", TAG_OPEN, 1 },	/* Sky-T1, OpenThinker 1 */
	{ "<|end_of_thought|>", TAG_CLOSE_THOUGHT, 1 },
	/* gpt-oss's harmony format when a server passes it through as text;
	 * "assistantfinal" is the same with the special tokens dropped, so
	 * it is taken in lower case only ("AssistantFinal" is a name) */
	{ "<|start|>assistant<|channel|>analysis<|message|>", TAG_OPEN, 0 },
	{ "<|channel|>analysis<|message|>", TAG_OPEN, 0 },
	{ "<|channel|>final<|message|>", TAG_CLOSE, 0 },
	{ "assistantfinal", TAG_CLOSE, 0 },
};

/* What ends an answer that a format closes itself. */
static const char *const answer_ends[] = {
	"<|end_of_solution|>", "<|return|>", "<|end|>",
};

/* Quotation marks around a tag the answer mentions ("`</think>`"). */
static const char *const quotes[] = {
	"`", "\"", "'", "\xe2\x80\x9c", "\xe2\x80\x9d", "\xe2\x80\x98", "\xe2\x80\x99",
	"\xe3\x80\x8c", "\xe3\x80\x8d", "\xc2\xab", "\xc2\xbb",
};

#define NELEM(a)	(sizeof (a) / sizeof (a)[0])

static const char *
blanks(const char *p)
{
	for (int i = 0; i < TAG_BLANKS && (*p == ' ' || *p == '\t'); i++)
		p++;
	return p;
}

/* The length of the XML-style tag at p, its kind in *kind; 0 if none. */
static size_t
xml_tag(const char *p, enum tag_kind *kind)
{
	const char *q = blanks(p + 1);
	int close = *q == '/';

	if (close)
		q = blanks(q + 1);
	for (size_t i = 0; i < NELEM(tag_names); i++) {
		size_t n = strlen(tag_names[i]);
		const char *e;

		if (strncasecmp(q, tag_names[i], n) != 0)
			continue;
		e = blanks(q + n);
		if (*e == '>') {
			*kind = close ? TAG_CLOSE : TAG_OPEN;
			return (size_t)(e + 1 - p);
		}
	}
	return 0;
}

/* The length of the reasoning tag at p, its kind in *kind; 0 if none.
 * Every tag starts with one of the bytes tested first, so the scan pays
 * for the table only where a tag may be. */
static size_t
tag_at(const char *p, enum tag_kind *kind)
{
	size_t n;

	if (*p != '<' && *p != '[' && *p != '\xe2' && *p != 'a')
		return 0;
	if (*p == '<' && (n = xml_tag(p, kind)) != 0)
		return n;
	for (size_t i = 0; i < NELEM(tag_words); i++) {
		const char *t = tag_words[i].text;

		n = strlen(t);
		if (*p == *t && (tag_words[i].any_case ? strncasecmp(p, t, n) :
		    strncmp(p, t, n)) == 0) {
			*kind = tag_words[i].kind;
			return n;
		}
	}
	return 0;
}

/* 1 if one of quotes ends just before p (not before start). */
static int
quote_before(const char *start, const char *p)
{
	for (size_t i = 0; i < NELEM(quotes); i++) {
		size_t n = strlen(quotes[i]);

		if ((size_t)(p - start) >= n && memcmp(p - n, quotes[i], n) == 0)
			return 1;
	}
	return 0;
}

static int
quote_at(const char *p)
{
	for (size_t i = 0; i < NELEM(quotes); i++)
		if (strncmp(p, quotes[i], strlen(quotes[i])) == 0)
			return 1;
	return 0;
}

/* White space as score_blank counts it: Unicode Z* and controls. The
 * length of the one character at p, or 0 if it is not white space (or
 * not UTF-8, or the end). */
static size_t
blank_at(const char *p)
{
	utf8proc_int32_t c;
	utf8proc_ssize_t n;
	utf8proc_category_t cat;

	if (*p == '\0')
		return 0;
	/* at most 4 bytes are read, and a NUL stops a sequence first */
	if ((n = utf8proc_iterate((const utf8proc_uint8_t *)p, 4, &c)) <= 0)
		return 0;
	cat = utf8proc_category(c);
	if (cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
	    cat == UTF8PROC_CATEGORY_ZP || cat == UTF8PROC_CATEGORY_CC)
		return (size_t)n;
	return 0;
}

static const char *
skip_blank(const char *p)
{
	size_t n;

	while ((n = blank_at(p)) != 0)
		p += n;
	return p;
}

int
score_blank(const char *text)
{
	return *skip_blank(text) == '\0';
}

const char *
score_answer(const char *output)
{
	const char *p, *answer = output;
	enum tag_kind kind;
	size_t n;

	/* One pass: every closing tag moves the answer past it, unless it is
	 * quoted on both sides (a tag the answer mentions). */
	for (p = output; *p != '\0'; p++) {
		if ((n = tag_at(p, &kind)) == 0)
			continue;
		if (kind != TAG_OPEN && !(quote_before(output, p) && quote_at(p + n))) {
			answer = skip_blank(p + n);
			if (kind == TAG_CLOSE_THOUGHT &&
			    strncasecmp(answer, "<|begin_of_solution|>", 21) == 0)
				answer = skip_blank(answer + 21);
		}
		p += n - 1;
	}
	/* What is left opens with a reasoning tag: the model ran out of
	 * tokens while thinking, and there is no answer. */
	if (tag_at(skip_blank(answer), &kind) != 0 && kind == TAG_OPEN)
		return output + strlen(output);
	return answer;
}

size_t
score_answer_len(const char *answer)
{
	const char *end = NULL, *e, *p;

	for (size_t i = 0; i < NELEM(answer_ends); i++)
		if ((e = strstr(answer, answer_ends[i])) != NULL && (end == NULL || e < end))
			end = e;
	if (end == NULL)
		return strlen(answer);
	/* the white space before the marker is the format's, as after a tag */
	for (p = e = answer; p < end; ) {
		size_t n = blank_at(p);

		if (n == 0) {
			p++;
			e = p;
		} else {
			p += n;
		}
	}
	return (size_t)(e - answer);
}

/* A line that opens a next question or a next turn at q (after the blanks,
 * '*' and '#' of a line start): "Question:", "Question 2:", "**Question
 * 2:**", "Q:", "问题:", "Human:", "User:", "Assistant:". */
static int
runon_line(const char *q, const char *end)
{
	static const char *const asks[] = { "Question", "Q", "\xe9\x97\xae\xe9\xa2\x98" };
	static const char *const turns[] = { "Human:", "User:", "Assistant:" };

	for (size_t i = 0; i < NELEM(turns); i++)
		if ((size_t)(end - q) >= strlen(turns[i]) &&
		    strncasecmp(q, turns[i], strlen(turns[i])) == 0)
			return 1;
	for (size_t i = 0; i < NELEM(asks); i++) {
		const char *p = q + strlen(asks[i]);
		int n = 0;

		if ((size_t)(end - q) < strlen(asks[i]) + 1 ||
		    strncmp(q, asks[i], strlen(asks[i])) != 0)
			continue;
		if (*p == ' ' && p + 1 < end && p[1] >= '0' && p[1] <= '9')
			p++;
		for (; p < end && n < 4 && *p >= '0' && *p <= '9'; n++)
			p++;
		while (p < end && *p == '*')
			p++;
		if (p < end && *p == ':')
			return 1;
	}
	return 0;
}

size_t
score_runon_len(const char *s, size_t len)
{
	size_t first = strspn(s, " \t\r\n");

	for (size_t i = first + 1; i < len; i++) {
		const char *q;

		/* a chat template's next turn, wherever it starts */
		if (s[i] == '<' && ((len - i >= 8 && memcmp(s + i, "<|user|>", 8) == 0) ||
		    (len - i >= 12 && memcmp(s + i, "<|im_start|>", 12) == 0)))
			return i;
		/* "</answer>Human: ..." (a turn glued to the answer's tag) */
		if (s[i] == 'H' && s[i - 1] == '>' && len - i >= 6 &&
		    memcmp(s + i, "Human:", 6) == 0)
			return i;
		if (s[i] != '\n')
			continue;
		for (q = s + i + 1; q < s + len && (*q == ' ' || *q == '\t' ||
		    *q == '*' || *q == '#'); q++)
			;
		if (q < s + len && runon_line(q, s + len))
			return i;
	}
	return len;
}

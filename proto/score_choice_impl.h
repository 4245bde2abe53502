/* proto/score_choice_impl.h — shared by score_choice.c,
 * score_choice_role.c and score_choice_text.c only: the options' texts,
 * the response as read, and the byte-level helpers all three use. */
#ifndef EM_SCORE_CHOICE_IMPL_H
#define EM_SCORE_CHOICE_IMPL_H

#include <stddef.h>
#include <string.h>

#define CHOICES_MAX	26

/* Each option's text as compared: LaTeX commands, braces and "$" dropped,
 * NFKC, case-folded, runs of space collapsed, punctuation trimmed from
 * both ends. t[i] is NULL for an option with no usable text (none given,
 * not UTF-8, empty). */
struct choice_texts {
	char	*t[CHOICES_MAX];
	size_t	 len[CHOICES_MAX];
	size_t	 n;
	const char *const *raw;	/* the options as given (the caller's) */
};

/* Fills ct from choices[0..n) (n above CHOICES_MAX counts as CHOICES_MAX);
 * ct->raw borrows choices, which must outlive ct. An option whose text
 * cannot be had (none, not UTF-8, empty, out of memory) is left NULL.
 * Release with choice_texts_free, which frees the texts and leaves ct's
 * t[] NULL. */
void	choice_texts_init(struct choice_texts *ct, const char *const *choices,
	    size_t n);
void	choice_texts_free(struct choice_texts *ct);

/* The option whose text s[a..b) is, or begins (at a word's end): exact
 * matches first, then prefixes; -1 unless exactly one option fits. */
int	choice_text_named(const struct choice_texts *ct, const char *s,
	    size_t a, size_t b);

/* 1 if s[a..b) is option i's text, as compared. */
int	choice_text_is(const struct choice_texts *ct, int i, const char *s,
	    size_t a, size_t b);

/* 1 if s[a..b) begins with option i's text (ending at a word's end). */
int	choice_text_begins(const struct choice_texts *ct, int i, const char *s,
	    size_t a, size_t b);

/* The option whose text the whole of s (NUL-terminated) is; else the one
 * option whose text it mentions, not counting a mention inside a longer
 * option's text ("red" inside "dark red"). -1 if none or several. */
int	choice_text_pick(const struct choice_texts *ct, const char *s);

/* When every option is a number (score_number_read): the one option
 * whose number s (NUL-terminated) answers with by score_numeric's rules
 * at tolerance 0 ("2 + 2 = 4" for the options 2, 4, 6, 8). -1 if the
 * options are not all numbers, or none or several match. */
int	choice_number_pick(const struct choice_texts *ct, const char *s);

/* The option a target names: a letter A..n (either case) or an option's
 * text (the first with that text). -1 if none. */
int	choice_target(const char *target, const struct choice_texts *ct);

/* An option j != i a response could not tell from option i (see
 * score_choice_clash); *letter (when not NULL) set to 1 when j's text is
 * i's label, 2 when i's text is j's label. -1 if none. */
int	choice_text_clash(const struct choice_texts *ct, size_t i, int *letter);

#define NONE		(-1)	/* nothing read at this rule: try the next */
#define INVALID		(-2)	/* a pick was made, but of no option */
#define WINDOW_MAX	200	/* bytes after a cue where its letter may stand */
#define BOX_MAX		96	/* bytes inside \boxed{...}: a letter, an option */
#define WORD_MAX	24	/* longest word compared against a list */
#define TEXT_SPAN	64	/* bytes of an option's text between label and verdict */

struct resp {
	const char *s;		/* NFKC text, cut before a run-on question */
	size_t len;
	size_t n;		/* options */
	const struct choice_texts *ct;
};

enum role {
	R_PICK,		/* names one option */
	R_SUBJECT,	/* subject of a verb: "B is wrong", "C项错误" (discussion) */
	R_LABEL,	/* an option's label at a line start: "A. red", "(B) blue" */
	R_GROUPED,	/* one of several: "A and B", "C/D", "A和B" */
	R_WORD,		/* a pronoun or article: "I think", "A good guess" */
	R_NAME,		/* a name: "vitamin C", "point A", "statement I" */
	R_MATH,		/* a symbol: "\Delta E", "E = mc^2", "x_A" */
	R_NEGATED	/* ruled out: "not B", "rather than C", "排除A" */
};


static inline int
alpha(unsigned char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static inline int
digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline int
alnum(unsigned char c)
{
	return alpha(c) || digit(c);
}

static inline unsigned char
at(const struct resp *r, size_t i)
{
	return i < r->len ? (unsigned char)r->s[i] : 0;
}

static inline unsigned char
before(const struct resp *r, size_t i)
{
	return i > 0 && i <= r->len ? (unsigned char)r->s[i - 1] : 0;
}

static inline int
in_list(const char *w, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(w, *list) == 0)
			return 1;
	return 0;
}

/* The bytes of s at i equal p. */
static inline int
has(const struct resp *r, size_t i, const char *p)
{
	size_t n = strlen(p);

	return i <= r->len && r->len - i >= n && memcmp(r->s + i, p, n) == 0;
}

/* The entry of list found at i, its length in *n; NULL if none. */
static inline const char *
has_any(const struct resp *r, size_t i, const char *const *list, size_t *n)
{
	for (; *list != NULL; list++)
		if (has(r, i, *list)) {
			*n = strlen(*list);
			return *list;
		}
	return NULL;
}

/* The bytes of s just before i end with an entry of list. */
static inline int
ends_any(const struct resp *r, size_t i, const char *const *list)
{
	for (; *list != NULL; list++) {
		size_t n = strlen(*list);

		if (i >= n && memcmp(r->s + i - n, *list, n) == 0)
			return 1;
	}
	return 0;
}

static inline int
letter(const struct resp *r, size_t i)
{
	return (at(r, i) | 0x20) - 'a';
}

/* A CJK ideograph starts at i (U+4E00-U+9FFF). */
static inline int
ideograph(const struct resp *r, size_t i)
{
	return at(r, i) >= 0xe4 && at(r, i) <= 0xe9;
}

static inline int
one_of(unsigned char c, const char *set)
{
	return c != 0 && strchr(set, c) != NULL;
}

/* Where a statement's sentence ends: a line end, ".!?;" before a space,
 * the end or a non-ASCII character, "。！？；". */
static inline int
stops(const struct resp *r, size_t k)
{
	unsigned char c = at(r, k), nx = at(r, k + 1);

	if (c == 0 || c == '\n')
		return 1;
	if (one_of(c, ".!?;"))
		return nx == 0 || nx == ' ' || nx == '\n' || nx == '\r' || nx >= 0x80;
	return has(r, k, "。") || has(r, k, "！") || has(r, k, "？") || has(r, k, "；");
}

/* From score_choice_role.c: words and letters, and what a letter does. */
extern const char *const choice_fillers[];	/* "option", "choice", ... */
/* The ASCII word at i (letters, an apostrophe inside), lower-cased into
 * w: the bytes it spans, 0 if none (a long word is cut short in w). */
size_t		choice_word_at(const struct resp *r, size_t i, char w[WORD_MAX]);
/* The word ending before i (spaces skipped) into w, its start in *start:
 * 1, or 0 if there is none. */
int		choice_word_before(const struct resp *r, size_t i, char w[WORD_MAX],
		    size_t *start);
/* A lone ASCII letter at i: no letter or digit beside it, not inside
 * "I'd", "X-ray", "U.S." or "don't". */
int		choice_standalone(const struct resp *r, size_t i);
/* What the standalone letter at i does; from, where a cue's window starts,
 * bounds how far back a formula is looked for ("Answer = C"). */
enum role	choice_role(const struct resp *r, size_t i, size_t from);
int		choice_subject(const struct resp *r, size_t i);	/* "B is wrong" */
/* The option the letter at i picks: its index, NONE if it picks nothing
 * (a word, a name, a symbol, ruled out), INVALID for one of several or a
 * letter past the last option. */
int		choice_take(const struct resp *r, size_t i, size_t from);
/* The sentence from i is a question ("Is the answer C?", "...吗"). */
int		choice_asked(const struct resp *r, size_t i);
/* Options judged one by one, exactly one of them positively: its index
 * (see score_choice_verdict in score_choice_role.c); else NONE. */
int		choice_verdict_pick(const struct resp *r);
/* What ends before i rules out what starts at i: "not", "can't be",
 * "rather than", "instead of", "不是", "排除" (options' fillers passed). */
int		choice_negated(const struct resp *r, size_t i);
extern const char *const choice_conditions[];	/* "if", "only", ... */
/* The clause before i is a hypothesis or someone else's view. */
int		choice_hypothetical(const struct resp *r, size_t i);
/* A verdict ending at k goes on as a condition ("only if ..."). */
int		choice_conditional(const struct resp *r, size_t k, int would);

#endif

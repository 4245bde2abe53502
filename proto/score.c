/* Scoring (see score.h). */
#include "score.h"

#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "utf8.h"

unsigned
score_norm_flag(const char *name)
{
	static const struct { const char *name; unsigned flag; } names[] = {
		{ "nfkc", NORM_NFKC }, { "lower", NORM_LOWER },
		{ "strip_punct", NORM_STRIP_PUNCT }, { "collapse_space", NORM_COLLAPSE_SPACE },
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i].name) == 0)
			return names[i].flag;
	return 0;
}

static int
is_space(utf8proc_int32_t c)
{
	utf8proc_category_t cat = utf8proc_category(c);

	return c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
	    cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
	    cat == UTF8PROC_CATEGORY_ZP;
}

static int
is_punct(utf8proc_int32_t c)
{
	utf8proc_category_t cat = utf8proc_category(c);

	return cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO;
}

/* The second pass: punctuation and white space, code point by code point. */
static em_err
filter(const uint8_t *in, unsigned flags, char **out)
{
	size_t len = strlen((const char *)in), o = 0;
	uint8_t *buf = malloc(len + 1);
	int pending_space = 0;

	if (buf == NULL)
		return EM_ENOMEM;
	for (size_t i = 0; i < len; ) {
		utf8proc_int32_t c;
		utf8proc_ssize_t n = utf8proc_iterate(in + i, (utf8proc_ssize_t)(len - i), &c);

		if (n <= 0) {
			free(buf);
			return EM_EUTF8;
		}
		i += (size_t)n;
		if ((flags & NORM_STRIP_PUNCT) && is_punct(c))
			continue;
		if ((flags & NORM_COLLAPSE_SPACE) && is_space(c)) {
			pending_space = o > 0;
			continue;
		}
		if (pending_space) {
			buf[o++] = ' ';
			pending_space = 0;
		}
		o += (size_t)utf8proc_encode_char(c, buf + o);
	}
	buf[o] = 0;
	*out = (char *)buf;
	return EM_OK;
}

em_err
score_normalize(const char *in, unsigned flags, char **out)
{
	size_t len = strlen(in);
	utf8proc_uint8_t *mapped = NULL;
	int opts = UTF8PROC_STABLE;
	em_err err;

	*out = NULL;
	if (len > SCORE_TEXT_MAX)
		return EM_ETOOBIG;
	if (!utf8_valid((const uint8_t *)in, len))
		return EM_EUTF8;
	if (flags & NORM_NFKC)
		opts |= UTF8PROC_COMPOSE | UTF8PROC_COMPAT;
	if (flags & NORM_LOWER)
		opts |= UTF8PROC_CASEFOLD;
	if (utf8proc_map((const utf8proc_uint8_t *)in, (utf8proc_ssize_t)len, &mapped,
	    (utf8proc_option_t)opts) < 0)
		return EM_EUTF8;
	err = filter(mapped, flags, out);
	free(mapped);
	return err;
}

double
score_exact(const char *output, const char *target, unsigned flags)
{
	char *a = NULL, *b = NULL;
	double s = 0;

	if (score_normalize(output, flags, &a) == EM_OK &&
	    score_normalize(target, flags, &b) == EM_OK)
		s = strcmp(a, b) == 0;
	free(a);
	free(b);
	return s;
}

/* Reads a number at p: sign, digits with optional thousands commas, an
 * optional fraction. Returns the bytes taken, 0 if none. */
static size_t
number_at(const char *p, double *v)
{
	char digits[128];
	size_t i = 0, n = 0;
	int neg = 0;

	if (p[0] == '-' || p[0] == '+') {
		neg = p[0] == '-';
		i = 1;
	} else if ((unsigned char)p[0] == 0xe2 && (unsigned char)p[1] == 0x88 &&
	    (unsigned char)p[2] == 0x92) {	/* U+2212 minus sign */
		neg = 1;
		i = 3;
	}
	if (p[i] < '0' || p[i] > '9')
		return 0;
	while (n < sizeof digits - 2) {
		if (p[i] >= '0' && p[i] <= '9') {
			digits[n++] = p[i++];
		} else if (p[i] == ',' && p[i + 1] >= '0' && p[i + 1] <= '9' &&
		    p[i + 2] >= '0' && p[i + 2] <= '9' && p[i + 3] >= '0' &&
		    p[i + 3] <= '9' && !(p[i + 4] >= '0' && p[i + 4] <= '9')) {
			i++;	/* a thousands separator: exactly three digits follow */
		} else if (p[i] == '.' && p[i + 1] >= '0' && p[i + 1] <= '9' &&
		    memchr(digits, '.', n) == NULL) {
			digits[n++] = p[i++];
		} else {
			break;
		}
	}
	digits[n] = 0;
	*v = strtod(digits, NULL) * (neg ? -1 : 1);
	return i;
}

/* The last number in s (NFKC-normalised first). 0 if there is none. */
static int
last_number(const char *s, double *v)
{
	char *norm;
	int found = 0;

	if (score_normalize(s, NORM_NFKC, &norm) != EM_OK)
		return 0;
	for (const char *p = norm; *p; ) {
		int word_before = p > norm && ((p[-1] >= 'a' && p[-1] <= 'z') ||
		    (p[-1] >= 'A' && p[-1] <= 'Z'));
		size_t n = word_before ? 0 : number_at(p, v);

		if (n > 0) {
			found = 1;
			p += n;
		} else {
			p++;
		}
	}
	free(norm);
	return found;
}

double
score_numeric(const char *output, const char *target, double tolerance)
{
	double got, want;

	if (!last_number(output, &got) || !last_number(target, &want))
		return 0;
	return fabs(got - want) <= tolerance;
}

static int
isalnum_ascii(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The last standalone letter A.. (n options) in s: not next to another
 * ASCII letter or digit. -1 if none. */
static int
last_letter(const char *s, size_t n)
{
	int found = -1;
	size_t len = strlen(s);

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		unsigned char before = i > 0 ? (unsigned char)s[i - 1] : ' ';
		unsigned char after = (unsigned char)s[i + 1];

		if (c < 'A' || c >= 'A' + n)
			continue;
		if ((before < 0x80 && (isalnum_ascii(before))) ||
		    (after < 0x80 && isalnum_ascii(after)))
			continue;
		found = c - 'A';
	}
	return found;
}

/* The option index target names: a letter, or a choice's text. */
static int
target_index(const char *target, const char *const *choices, size_t n)
{
	char *t = NULL;
	int idx = -1;

	if (score_normalize(target, NORM_NFKC | NORM_COLLAPSE_SPACE, &t) != EM_OK)
		return -1;
	if (strlen(t) == 1 && t[0] >= 'A' && (size_t)(t[0] - 'A') < n)
		idx = t[0] - 'A';
	else if (strlen(t) == 1 && t[0] >= 'a' && (size_t)(t[0] - 'a') < n)
		idx = t[0] - 'a';
	for (size_t i = 0; i < n && idx < 0; i++)
		if (score_exact(target, choices[i], NORM_NFKC | NORM_LOWER | NORM_COLLAPSE_SPACE))
			idx = (int)i;
	free(t);
	return idx;
}

double
score_choice(const char *output, const char *target, const char *const *choices,
    size_t n_choices)
{
	unsigned flags = NORM_NFKC | NORM_LOWER | NORM_STRIP_PUNCT | NORM_COLLAPSE_SPACE;
	int want = target_index(target, choices, n_choices), got;
	char *o = NULL;

	if (want < 0 || n_choices > 26 ||
	    score_normalize(output, NORM_NFKC, &o) != EM_OK)
		return 0;
	if ((got = last_letter(o, n_choices)) < 0) {
		/* no letter: the choice whose text the answer is, or holds */
		char *lo = NULL;

		if (score_normalize(o, flags, &lo) == EM_OK)
			for (size_t i = 0; i < n_choices && got < 0; i++) {
				char *c = NULL;

				if (score_normalize(choices[i], flags, &c) == EM_OK && c[0] &&
				    strstr(lo, c) != NULL)
					got = (int)i;
				free(c);
			}
		free(lo);
	}
	free(o);
	return got == want;
}

/* What a pattern may be: a task author's, so a peer's, and glibc's regcomp
 * copies a repeated part once per bound ("x{3}" is three x's, "x+" is x
 * then x*), so "0+++..." or "((x{99}){99}){99}" would take all memory, and
 * back-references make matching exponential. So a pattern is read here
 * first, strictly — atoms (characters, escapes, '.', '^', '$', bracket
 * expressions, groups), alternation, and one quantifier after an atom —
 * and refused if it holds anything else (an unmatched ')', a '{' that is
 * not a bound: write "\{"), a quantifier on a quantifier or on nothing, a
 * back-reference, a bound above 255, or copies of more than PATTERN_COST
 * atoms once the bounds are multiplied out. */
#define PATTERN_COST	4096
#define PATTERN_BOUND	255	/* RE_DUP_MAX */
#define PATTERN_DEPTH	32

/* The end of the bracket expression starting at p ('['): its ']', or NULL
 * when it has none. */
static const char *
bracket_end(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')	/* a ']' first is one of the set */
		p++;
	while (*p != '\0' && *p != ']') {
		if (p[0] == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			char close[3] = { p[1], ']', '\0' };
			const char *e = strstr(p + 2, close);

			if (e == NULL)
				return NULL;
			p = e + 2;
			continue;
		}
		p++;
	}
	return *p == ']' ? p : NULL;
}

/* A bound at p ('{'): {m}, {m,} or {m,n}; its '}' in *end and its largest
 * count in *times, or 0 when p is not one. */
static int
bound(const char *p, const char **end, unsigned long *times)
{
	char *e;
	unsigned long lo, hi;

	if (!isdigit((unsigned char)p[1]))
		return 0;
	lo = hi = strtoul(p + 1, &e, 10);
	if (*e == ',' && isdigit((unsigned char)*++e))
		hi = strtoul(e, &e, 10);	/* {m,} counts as {m} */
	if (*e != '}')
		return 0;
	*end = e;
	*times = hi > lo ? hi : lo;
	return 1;
}

static em_err
pattern_bounded(const char *p, char *why, size_t cap)
{
	unsigned long sum[PATTERN_DEPTH + 1] = { 0 }, last = 0;
	int depth = 0, atom = 0;	/* atom: one just read, not yet repeated */

	for (; *p != '\0'; p++) {
		unsigned long times;
		const char *end;

		switch (*p) {
		case '(':
			if (depth == PATTERN_DEPTH) {
				snprintf(why, cap, "groups nested more than %d deep", PATTERN_DEPTH);
				return EM_EFORMAT;
			}
			sum[++depth] = 0;
			atom = 0;
			continue;
		case ')':
			if (depth == 0) {
				snprintf(why, cap, "an unmatched ')' (write \\) for the character)");
				return EM_EFORMAT;
			}
			last = sum[depth--];
			sum[depth] += last;
			atom = 1;
			continue;
		case '|':
			atom = 0;
			continue;
		case '*':
		case '?':
		case '+':
		case '{':
			if (*p != '{') {
				times = *p == '+' ? 2 : 1;
			} else if (bound(p, &end, &times)) {
				if (times > PATTERN_BOUND) {
					snprintf(why, cap, "a repeat bound above %d", PATTERN_BOUND);
					return EM_EFORMAT;
				}
				times++;
				p = end;
			} else {
				snprintf(why, cap, "a '{' that is not a repeat bound (write \\{)");
				return EM_EFORMAT;
			}
			if (!atom) {
				snprintf(why, cap, "a repeat of nothing, or of a repeat ('%c')", *p);
				return EM_EFORMAT;
			}
			sum[depth] += last * (times - 1);	/* the atom counts times over */
			last *= times;
			atom = 0;
			for (int d = 0; d <= depth; d++)
				if (sum[d] > PATTERN_COST) {
					snprintf(why, cap, "too big once compiled (repeats of repeats)");
					return EM_EFORMAT;
				}
			continue;
		case '[':
			if ((end = bracket_end(p)) == NULL) {
				snprintf(why, cap, "a '[' without its ']'");
				return EM_EFORMAT;
			}
			p = end;
			break;
		case '\\':
			if (p[1] >= '1' && p[1] <= '9') {
				snprintf(why, cap, "back-references (\\%c) are not allowed", p[1]);
				return EM_EFORMAT;
			}
			if (p[1] == '\0') {
				snprintf(why, cap, "a '\\' at the end");
				return EM_EFORMAT;
			}
			p++;
			break;
		default:
			break;
		}
		last = 1;	/* an atom */
		sum[depth] += 1;
		atom = 1;
	}
	if (depth != 0) {
		snprintf(why, cap, "an unmatched '('");
		return EM_EFORMAT;
	}
	return EM_OK;
}

em_err
score_regex_check(const char *pattern, char *why, size_t cap)
{
	regex_t re;
	int rc;

	if (pattern_bounded(pattern, why, cap) != EM_OK)
		return EM_EFORMAT;
	if ((rc = regcomp(&re, pattern, REG_EXTENDED)) != 0) {
		regerror(rc, &re, why, cap);
		return EM_EFORMAT;
	}
	regfree(&re);
	return EM_OK;
}

em_err
score_extract(const char *output, const char *pattern, unsigned flags, char **out)
{
	char why[128];
	regmatch_t m[2];
	regex_t re;
	char *o = NULL;
	em_err err;

	*out = NULL;
	if (pattern_bounded(pattern, why, sizeof why) != EM_OK ||
	    regcomp(&re, pattern, REG_EXTENDED) != 0)
		return EM_EFORMAT;
	if ((err = score_normalize(output, flags & NORM_NFKC, &o)) == EM_OK) {
		if (regexec(&re, o, 2, m, 0) != 0) {
			err = EM_ENOTFOUND;
		} else {
			regmatch_t *g = m[1].rm_so >= 0 ? &m[1] : &m[0];

			if ((*out = strndup(o + g->rm_so, (size_t)(g->rm_eo - g->rm_so))) == NULL)
				err = EM_ENOMEM;
		}
	}
	free(o);
	regfree(&re);
	return err;
}

double
score_regex(const char *output, const char *pattern, const char *target,
    unsigned flags)
{
	char *got;
	double s;

	if (score_extract(output, pattern, flags, &got) != EM_OK)
		return 0;
	s = score_exact(got, target, flags);
	free(got);
	return s;
}

/* Splits normalised text into tokens: runs of letters and digits, and
 * each CJK character alone. Returns how many; *tok (yours) holds them as
 * offsets and lengths into s. */
static size_t
tokens(const char *s, size_t (**tok)[2])
{
	size_t len = strlen(s), n = 0, start = 0;
	int in_word = 0;

	*tok = malloc((len + 1) * sizeof **tok);
	if (*tok == NULL)
		return 0;
	for (size_t i = 0; i <= len; ) {
		utf8proc_int32_t c = 0;
		utf8proc_ssize_t k = i < len ? utf8proc_iterate((const uint8_t *)s + i,
		    (utf8proc_ssize_t)(len - i), &c) : 1;
		utf8proc_category_t cat = utf8proc_category(c);
		int cjk = c >= 0x2e80 && cat == UTF8PROC_CATEGORY_LO;
		int word = i < len && !cjk && ((cat >= UTF8PROC_CATEGORY_LU &&
		    cat <= UTF8PROC_CATEGORY_LO) || (cat >= UTF8PROC_CATEGORY_ND &&
		    cat <= UTF8PROC_CATEGORY_NO));

		if (k <= 0)
			k = 1;
		if (in_word && !word) {
			(*tok)[n][0] = start;
			(*tok)[n++][1] = i - start;
			in_word = 0;
		}
		if (word && !in_word) {
			start = i;
			in_word = 1;
		}
		if (cjk) {
			(*tok)[n][0] = i;
			(*tok)[n++][1] = (size_t)k;
		}
		i += (size_t)k;
	}
	return n;
}

double
score_f1(const char *output, const char *target, unsigned flags)
{
	char *o = NULL, *t = NULL;
	size_t (*ot)[2] = NULL, (*tt)[2] = NULL, no = 0, nt = 0, common = 0;
	uint8_t *used = NULL;
	double f1 = 0;

	if (score_normalize(output, flags, &o) != EM_OK ||
	    score_normalize(target, flags, &t) != EM_OK)
		goto out;
	no = tokens(o, &ot);
	nt = tokens(t, &tt);
	if (no == 0 || nt == 0) {
		f1 = no == nt;
		goto out;
	}
	if ((used = calloc(nt, 1)) == NULL)
		goto out;
	/* multiset overlap: each target token matched at most once */
	for (size_t i = 0; i < no; i++)
		for (size_t j = 0; j < nt; j++)
			if (!used[j] && ot[i][1] == tt[j][1] &&
			    memcmp(o + ot[i][0], t + tt[j][0], ot[i][1]) == 0) {
				used[j] = 1;
				common++;
				break;
			}
	if (common > 0) {
		double p = (double)common / no, r = (double)common / nt;

		f1 = 2 * p * r / (p + r);
	}
out:
	free(used);
	free(ot);
	free(tt);
	free(o);
	free(t);
	return f1;
}

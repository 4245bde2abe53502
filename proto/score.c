/* Scoring: normalisation, exact match and token F1 (see score.h). The
 * other metrics have files of their own: score_number.c, score_choice.c,
 * score_pattern.c. */
#include "score.h"

#include <math.h>
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

/* Splits normalised text into tokens: runs of letters and digits, and
 * each CJK character alone. Returns how many; *tok (yours) holds them as
 * offsets and lengths into s, or is NULL (and 0 returned) out of memory. */
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
	if (ot == NULL || tt == NULL)	/* out of memory: no match, never "both empty" */
		goto out;
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

uint16_t
score_units(double s)
{
	if (!(s > 0))		/* NaN too */
		return 0;
	if (s >= 1)
		return BODY_SCORE_SCALE;
	return (uint16_t)lround(s * BODY_SCORE_SCALE);
}

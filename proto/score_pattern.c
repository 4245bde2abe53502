/* Extraction patterns (see score.h, score_extract). */
#include "score.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

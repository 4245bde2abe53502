/* Numbers in model output (see score.h, score_numeric for the rules).
 *
 * The text is first folded (fold): full-width forms to ASCII, every kind
 * of space to " ", minus and dash signs to "-", "’" to "'", "×" and "⋅"
 * to "*", superscripts to "^" and digits ("10⁻³" is "10^-3"). Numbers are
 * then read by hand (number_at): thousands separators, decimals, exponents,
 * LaTeX fractions, "a/b", percentages. Every look-ahead is bounded, so a
 * response of SCORE_TEXT_MAX bytes is read in time linear in its length. */
#include "score.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "score_number_impl.h"
#include "utf8.h"

#define BOX_MAX		512	/* bytes inside \boxed{...} */
#define BOXES_OPEN	8	/* boxes open at once, one inside another */
#define DIGITS_MAX	40	/* significant digits kept; the rest scale */
#define EXP_MAX		400	/* largest power of ten read (more is inf) */
#define DEPTH_MAX	2	/* fractions inside fractions */
#define GROUPS_MAX	16	/* thousands groups read in one number */

enum sep { SEP_NONE, SEP_COMMA, SEP_SPACE, SEP_TEX, SEP_APOS };

/* The ASCII character a code point folds to (see the top), 0 to keep it. */
static int
fold_cp(utf8proc_int32_t c)
{
	if (c >= 0xff01 && c <= 0xff5e)
		return (int)(c - 0xfee0);
	if (c >= 0x660 && c <= 0x669)	/* Arabic-Indic digits */
		return (int)('0' + (c - 0x660));
	if (c >= 0x6f0 && c <= 0x6f9)	/* Persian and Urdu */
		return (int)('0' + (c - 0x6f0));
	if (c >= 0x966 && c <= 0x96f)	/* Devanagari */
		return (int)('0' + (c - 0x966));
	if (c == 0x66b)		/* the Arabic decimal separator */
		return '.';
	if (c == 0x66c)		/* and thousands separator */
		return ',';
	if (c == 0x2212 || c == 0x2010 || c == 0x2011 || c == 0x2012 ||
	    c == 0x2013 || c == 0xfe63)
		return '-';
	if (c == 0x2019 || c == 0x02bc)
		return '\'';
	if (c == 0x00d7 || c == 0x22c5 || c == 0x00b7)
		return '*';
	if (c == 0x2044)
		return '/';
	if (c == 0x3000 || (c >= 0x80 && utf8proc_category(c) == UTF8PROC_CATEGORY_ZS))
		return ' ';
	return 0;
}

/* A superscript digit or sign's plain form, else 0. */
static int
super_cp(utf8proc_int32_t c)
{
	if (c == 0x2070)
		return '0';
	if (c == 0xb9)
		return '1';
	if (c == 0xb2 || c == 0xb3)
		return (int)('2' + (c - 0xb2));
	if (c >= 0x2074 && c <= 0x2079)
		return (int)('4' + (c - 0x2074));
	if (c == 0x207b)
		return '-';
	return c == 0x207a ? '+' : 0;
}

/* Folds in into *out (yours). Never longer than in: every folded form is
 * shorter than the UTF-8 it replaces. 0 if in is not UTF-8 or too long. */
static int
fold(const char *in, char **out, size_t *len)
{
	size_t n = strlen(in), o = 0;
	int sup = 0;
	char *b;

	if (n > SCORE_TEXT_MAX || !utf8_valid((const uint8_t *)in, n) ||
	    (b = malloc(n + 1)) == NULL)
		return 0;
	for (size_t i = 0; i < n; ) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate((const uint8_t *)in + i,
		    (utf8proc_ssize_t)(n - i), &c);
		int f = fold_cp(c), s = super_cp(c);

		if (s != 0) {
			if (!sup)
				b[o++] = '^';
			b[o++] = (char)s;
		} else if (f != 0) {
			b[o++] = (char)f;
		} else {
			memcpy(b + o, in + i, (size_t)k);
			o += (size_t)k;
		}
		sup = s != 0;
		i += (size_t)k;
	}
	b[o] = 0;
	*out = b;
	*len = o;
	return 1;
}

/* A thousands separator at k (followed by a digit): its length and kind. */
static size_t
sep_at(const struct text *t, size_t k, enum sep *kind)
{
	static const struct { const char *s; enum sep kind; } seps[] = {
		{ ",\\!", SEP_COMMA }, { ",\\,", SEP_COMMA }, { "{,}", SEP_COMMA },
		{ ",", SEP_COMMA }, { "\\,", SEP_TEX }, { "\\!", SEP_TEX },
		{ "\\;", SEP_TEX }, { "\\:", SEP_TEX }, { "\\ ", SEP_TEX },
		{ "~", SEP_TEX }, { " ", SEP_SPACE }, { "'", SEP_APOS },
	};

	for (size_t i = 0; i < sizeof seps / sizeof seps[0]; i++)
		if (has(t, k, seps[i].s) && digit(at(t, k + strlen(seps[i].s)))) {
			*kind = seps[i].kind;
			return strlen(seps[i].s);
		}
	return 0;
}

static size_t
run(const struct text *t, size_t k)
{
	size_t n = 0;

	while (digit(at(t, k + n)))
		n++;
	return n;
}

/* The integer part at k with its separators: the end of it. Groups of
 * three after a lead of one to three digits ("1,234,567", "1 234",
 * "1'234", "9{,}500", "1\\,234"), or the Indian 2-2-3 grouping with commas
 * ("12,34,567"); anything else ("1,23", "3,5", "1, 2, 3") ends the number
 * at its first digits. The walk stops at the first group that fits
 * neither grouping, and after GROUPS_MAX groups (a longer grouping is
 * read as its parts): every number start inside a run of separated
 * digits ("1 2 1 2 ...") walks again, so this keeps reading linear. */
static size_t
integer_end(const struct text *t, size_t k)
{
	size_t lead = run(t, k), e = k + lead, end = e, groups = 0, n;
	enum sep kind = SEP_NONE, kk;
	int western = lead <= 3, indian = lead <= 2, last = 0;

	while ((western || indian) && groups <= GROUPS_MAX &&
	    (n = sep_at(t, e, &kk)) > 0 && (kind == SEP_NONE || kk == kind)) {
		size_t g = run(t, e + n);

		kind = kk;
		western &= g == 3;
		indian &= (last == 0 || last == 2) && (g == 2 || g == 3);
		last = (int)g;
		groups++;
		e += n + g;
	}
	if (groups > 0 && groups <= GROUPS_MAX && (western ||
	    (indian && kind == SEP_COMMA && groups >= 2 && last == 3)))
		end = e;
	return end;
}

/* Appends the digits of s[a..b) to buf (separators skipped), keeping at
 * most DIGITS_MAX of them; *extra counts the integer digits dropped. */
static void
digits(const struct text *t, size_t a, size_t b, char *buf, size_t *o,
    long *extra, int integer)
{
	for (size_t k = a; k < b; k++) {
		if (!digit(at(t, k)))
			continue;
		if (*o < DIGITS_MAX)
			buf[(*o)++] = (char)at(t, k);
		else if (integer)
			(*extra)++;
	}
}

/* An exponent after "^" or "e" at k: optional braces, sign, up to four
 * digits. Its end, 0 if none. */
static size_t
exponent_at(const struct text *t, size_t k, long *e)
{
	int brace = at(t, k) == '{', neg;
	size_t n;

	k += (size_t)brace;
	neg = at(t, k) == '-';
	k += at(t, k) == '-' || at(t, k) == '+';
	if ((n = run(t, k)) == 0 || n > 4)
		return 0;
	*e = strtol(t->s + k, NULL, 10) * (neg ? -1 : 1);
	k += n;
	if (brace && at(t, k++) != '}')
		return 0;
	return k;
}

/* An unsigned decimal at k ("1,234.5", ".5", "6.02e23"): *v and its end;
 * 0 if none. */
static size_t
decimal_at(const struct text *t, size_t k, double *v)
{
	char buf[DIGITS_MAX + 32];
	size_t o = 0, e = integer_end(t, k), f;
	long extra = 0, x = 0;

	if (e == k && !(at(t, k) == '.' && digit(at(t, k + 1))))
		return 0;
	digits(t, k, e, buf, &o, &extra, 1);
	if (o == 0)
		buf[o++] = '0';
	if (at(t, e) == '.' && digit(at(t, e + 1))) {
		buf[o++] = '.';
		f = e + 1 + run(t, e + 1);
		digits(t, e + 1, f, buf, &o, &extra, 0);
		e = f;
	}
	if ((at(t, e) | 0x20) == 'e' && (f = exponent_at(t, e + 1, &x)) > 0 &&
	    !alpha(at(t, f)))
		e = f;
	else
		x = 0;
	snprintf(buf + o, sizeof buf - o, "e%ld", x + extra);
	*v = strtod(buf, NULL);
	return e;
}

/* A LaTeX fraction at k ("\frac{3}{4}", "\dfrac{-1}{2}", "\tfrac12"): *v
 * and its end; 0 if none, or its parts are not numbers. */
static size_t
frac_at(const struct text *t, size_t k, double *v, int depth)
{
	static const char *const cmds[] = { "\\frac", "\\dfrac", "\\tfrac",
		"\\cfrac" };
	double part[2];
	size_t i;

	for (i = 0; i < 4 && !has(t, k, cmds[i]); i++)
		;
	if (i == 4 || depth >= DEPTH_MAX || alpha(at(t, k + strlen(cmds[i]))))
		return 0;
	k += strlen(cmds[i]);
	for (int p = 0; p < 2; p++) {
		struct num n;

		while (at(t, k) == ' ')
			k++;
		if (digit(at(t, k))) {	/* "\frac12": one digit each */
			part[p] = at(t, k++) - '0';
			continue;
		}
		if (at(t, k) != '{')
			return 0;
		for (k++; at(t, k) == ' '; k++)
			;
		if ((k = number_at(t, k, &n, depth + 1)) == 0 || n.pct)
			return 0;
		while (at(t, k) == ' ')
			k++;
		if (at(t, k++) != '}')
			return 0;
		part[p] = n.v;
	}
	if (part[1] == 0)
		return 0;
	*v = part[0] / part[1];
	return k;
}

/* What may follow a decimal at e: "/b" (not a date's "/b/c"), a power
 * ("2^{10}"), "× 10^n" ("\times", "\cdot", "*"). The new end. */
static size_t
tail(const struct text *t, size_t e, double *v)
{
	size_t f, g = e;
	double d;
	long x;

	if (at(t, e) == '/' && digit(at(t, e + 1)) && (f = decimal_at(t, e + 1, &d)) > 0 &&
	    !(at(t, f) == '/' && digit(at(t, f + 1)))) {
		*v = d != 0 ? *v / d : NAN;	/* "1/0" is no number */
		return f;
	}
	if (at(t, e) == '^' && (f = exponent_at(t, e + 1, &x)) > 0) {
		*v = labs(x) <= EXP_MAX ? pow(*v, (double)x) : HUGE_VAL;
		return f;
	}
	while (at(t, g) == ' ')
		g++;
	if (at(t, g) == '*')
		g++;
	else if (has(t, g, "\\times") || has(t, g, "\\cdot"))
		g += at(t, g + 1) == 't' ? 6 : 5;
	else
		return e;
	while (at(t, g) == ' ')
		g++;
	if (!has(t, g, "10^") || (f = exponent_at(t, g + 3, &x)) == 0)
		return e;
	*v *= labs(x) <= EXP_MAX ? pow(10, (double)x) : HUGE_VAL;
	return f;
}

/* A percent sign after e: "%", " %", "\%", " percent", " per cent". */
static size_t
percent(const struct text *t, size_t e, int *pct)
{
	size_t k = e + (at(t, e) == ' ');

	if (at(t, k) == '%' || has(t, k, "\\%")) {
		*pct = 1;
		return k + (at(t, k) == '%' ? 1 : 2);
	}
	if (k > e && (has(t, k, "percent") || has(t, k, "per cent"))) {
		size_t f = k + (has(t, k, "percent") ? 7 : 8);

		if (!alpha(at(t, f))) {
			*pct = 1;
			return f;
		}
	}
	return e;
}

/* A scale word after e: " million", " billion", " trillion",
 * " thousand", "万", "亿" ("1.5 million" is 1500000). The new end. */
static size_t
scale(const struct text *t, size_t e, double *v)
{
	static const struct { const char *w; double x; } words[] = {
		{ "thousand", 1e3 }, { "million", 1e6 }, { "billion", 1e9 },
		{ "trillion", 1e12 },
	};
	size_t k = e + (at(t, e) == ' '), n;

	if (has(t, e, "万") || has(t, e, "亿")) {
		*v *= has(t, e, "万") ? 1e4 : 1e8;
		return e + 3;
	}
	for (size_t i = 0; k > e && i < sizeof words / sizeof words[0]; i++) {
		n = strlen(words[i].w);
		if (t->len - k >= n && strncasecmp(t->s + k, words[i].w, n) == 0 &&
		    !alpha(at(t, k + n))) {
			*v *= words[i].x;
			return k + n;
		}
	}
	return e;
}

/* A number at k: sign, currency after it ("-$5"), a decimal or LaTeX
 * fraction, a mixed number ("2\frac{1}{2}"), then a tail and a percent
 * sign; a scale word. Its end, 0 if none. A number that is its integer part alone is
 * whole, its digits kept by place for an exact comparison. */
size_t
number_at(const struct text *t, size_t k, struct num *out, int depth)
{
	size_t e, f;
	double v, w;

	out->pct = out->neg = out->whole = 0;
	out->pos = k;
	if (at(t, k) == '-' || at(t, k) == '+') {
		out->neg = at(t, k++) == '-';
		k += has(t, k, "\\$") ? 2 : at(t, k) == '$';
	}
	if ((e = frac_at(t, k, &v, depth)) == 0) {
		if ((e = decimal_at(t, k, &v)) == 0)
			return 0;
		out->whole = e == integer_end(t, k);
		out->int_a = k;
		out->int_b = e;
		if ((f = frac_at(t, e, &w, depth)) > 0)
			v += w;
		else
			f = tail(t, e, &v);
		f = scale(t, f, &v);
		out->whole &= f == e;
		e = f;
	}
	e = percent(t, e, &out->pct);
	out->whole &= !out->pct;
	out->v = out->neg ? -v : v;
	out->end = e;
	return e;
}

/* A number may start at i: a digit not inside a word, a formula's
 * exponent or subscript, a decimal, or the later parts of a date; a sign
 * that is not a binary minus ("5-3", "x - 3"); a LaTeX fraction. */
int
number_starts(const struct text *t, size_t i)
{
	unsigned char c = at(t, i), p = before(t, i), n = at(t, i + 1);

	if (c == '-' || c == '+') {
		if (alpha(p) || digit(p) || p == ')' || p == ']' || p == '}')
			return 0;
		return digit(n) || (n == '.' && digit(at(t, i + 2))) || n == '$' ||
		    has(t, i + 1, "\\$") || number_starts(t, i + 1);
	}
	if (c == '\\')
		return has(t, i, "\\frac") || has(t, i, "\\dfrac") ||
		    has(t, i, "\\tfrac") || has(t, i, "\\cfrac");
	if (!digit(c) && !(c == '.' && digit(n)))
		return 0;
	if (alpha(p) || digit(p) || p == '.' || p == '^' || p == '_')
		return 0;
	return !(p == '/' && digit(before(t, i - 1)));
}

/* Ruled out: "not 15", "isn't 15", "不是15". */
int
number_negated(const struct text *t, size_t i)
{
	size_t k = i, s;

	while (k > 0 && (before(t, k) == ' ' || before(t, k) == '$'))
		k--;
	if (k >= 6 && (memcmp(t->s + k - 6, "不是", 6) == 0 ||
	    memcmp(t->s + k - 6, "而非", 6) == 0))
		return 1;
	for (s = k; s > 0 && k - s < 8 && (alpha(before(t, s)) || before(t, s) == '\''); s--)
		;
	if (s == k || alpha(before(t, s)))
		return 0;
	return (k - s == 3 && strncasecmp(t->s + s, "not", 3) == 0) ||
	    (k - s == 5 && strncasecmp(t->s + s, "never", 5) == 0) ||
	    (k - s > 3 && strncasecmp(t->s + k - 3, "n't", 3) == 0);
}

/* A word naming an alternative at k: "or", "或者", "或", "到", "至",
 * "~". Its length, 0 if none. */
static size_t
alternative_at(const struct text *t, size_t k)
{
	if ((at(t, k) | 0x20) == 'o' && (at(t, k + 1) | 0x20) == 'r' &&
	    !alpha(before(t, k)) && !alpha(at(t, k + 2)))
		return 2;
	if (has(t, k, "或者"))
		return 6;
	if (has(t, k, "或") || has(t, k, "到") || has(t, k, "至"))
		return 3;
	return at(t, k) == '~';
}

/* The same ending at k: its start, k if none. */
static size_t
alternative_before(const struct text *t, size_t k)
{
	if (k >= 2 && strncasecmp(t->s + k - 2, "or", 2) == 0 && !alpha(before(t, k - 2)))
		return k - 2;
	if (k >= 6 && memcmp(t->s + k - 6, "或者", 6) == 0)
		return k - 6;
	if (k >= 3 && (memcmp(t->s + k - 3, "或", 3) == 0 ||
	    memcmp(t->s + k - 3, "到", 3) == 0 || memcmp(t->s + k - 3, "至", 3) == 0))
		return k - 3;
	return before(t, k) == '~' ? k - 1 : k;
}

/* "between" (or "介于") ends at k, spaces skipped. */
static int
between_before(const struct text *t, size_t k)
{
	while (k > 0 && (before(t, k) == ' ' || before(t, k) == '$'))
		k--;
	if (k >= 6 && memcmp(t->s + k - 6, "介于", 6) == 0)
		return 1;
	return k >= 7 && strncasecmp(t->s + k - 7, "between", 7) == 0 &&
	    !alpha(before(t, k - 7));
}

/* After n: "or 6", "或6"; with range "-13" not followed by "=". */
static int
hedged_after(const struct text *t, size_t e, int range)
{
	size_t k = e, n;

	if (range && at(t, k) == '-' && (digit(at(t, k + 1)) ||
	    (at(t, k + 1) == '$' && digit(at(t, k + 2))))) {
		for (k += 2; digit(at(t, k)) || at(t, k) == '.'; k++)
			;
		while (at(t, k) == ' ')
			k++;
		return at(t, k) != '=';	/* "12-13" but not "15-3 = 12" */
	}
	while (at(t, k) == ' ')
		k++;
	if ((n = alternative_at(t, k)) == 0)
		return 0;
	for (k += n; at(t, k) == ' ' || at(t, k) == '$'; k++)
		;
	return digit(at(t, k)) || (at(t, k) == '-' && digit(at(t, k + 1)));
}

/* Before n at a: "5 or ", "between 10 and ". */
static int
hedged_before(const struct text *t, size_t a)
{
	size_t k = a, s, j;

	while (k > 0 && (before(t, k) == ' ' || before(t, k) == '$'))
		k--;
	if ((s = alternative_before(t, k)) < k) {
		while (s > 0 && before(t, s) == ' ')
			s--;
		return digit(before(t, s)) || before(t, s) == '%';
	}
	if (k < 3 || strncasecmp(t->s + k - 3, "and", 3) != 0 || alpha(before(t, k - 3)))
		return 0;
	for (k -= 3; k > 0 && before(t, k) == ' '; k--)
		;
	for (j = k; j > 0 && k - j < 40 && (digit(before(t, j)) ||
	    strchr(",.$%", before(t, j)) != NULL); j--)
		;
	return j < k && between_before(t, j);
}

int
number_hedged(const struct text *t, const struct num *n, int range)
{
	if (hedged_after(t, n->end, range))
		return 1;
	if (between_before(t, n->pos))
		return 1;
	return hedged_before(t, n->pos);
}

/* The number a statement or a box holds in s[a..b): the first after its
 * last "=" ("Answer: m+n = 256+37 = 293"), else its first; numbers ruled
 * out are passed over. 1 if there is one. */
int
number_first_in(const struct text *t, size_t a, size_t b, struct num *out)
{
	size_t from = a;

	for (size_t k = a; k < b; k++)
		if (at(t, k) == '=')
			from = k + 1;
	for (size_t k = from; k < b; k++) {
		if (has(t, k, "百分之") && number_at(t, k + 9, out, 0) > 0) {
			out->pct = 1;
			out->whole = 0;
			return 1;
		}
		if (number_starts(t, k) && !number_negated(t, k) && number_at(t, k, out, 0) > 0)
			return 1;
	}
	return 0;
}

/* A box still open while boxed() reads: where its content starts, the
 * brace depth outside it, whether it is GLM's. */
struct open_box {
	size_t from;
	int depth;
	int glm;
};

/* Opens a box at k if one starts there; the bytes its opener spans. */
static size_t
box_opens(const struct text *t, size_t k, struct open_box *st, size_t *n,
    int *depth)
{
	size_t l;
	int glm = has(t, k, "<|begin_of_box|>");

	if (glm)
		l = 16;
	else if (has(t, k, "\\boxed{") || has(t, k, "\\fbox{"))
		l = at(t, k + 1) == 'b' ? 7 : 6;
	else
		return 0;
	if (*n < BOXES_OPEN)
		st[(*n)++] = (struct open_box){ k + l, *depth, glm };
	*depth += !glm;
	return l;
}

/* Rule 1: the last box to close that holds a number: "\boxed{...}",
 * "\fbox{...}" (nested braces), GLM's "<|begin_of_box|>...<|end_of_box|>".
 * One pass keeps the open boxes on a small stack; a box open longer than
 * BOX_MAX bytes is dropped, so unclosed boxes cost nothing. A box inside a
 * box closes first and the outer one, read whole, decides. */
static int
boxed(const struct text *t, struct num *out)
{
	struct open_box st[BOXES_OPEN];
	size_t n = 0, l, from = 0, end;
	int depth = 0, found = 0;
	struct num v;

	for (size_t k = 0; k < t->len; k++) {
		unsigned char c = at(t, k);

		if (n > 0 && k - st[0].from > BOX_MAX)	/* the oldest is too long */
			memmove(st, st + 1, --n * sizeof st[0]);
		if (n == 0)
			depth = 0;
		end = 0;
		if ((c == '\\' || c == '<') && (l = box_opens(t, k, st, &n, &depth)) > 0) {
			k += l - 1;
		} else if (c == '<' && n > 0 && st[n - 1].glm && has(t, k, "<|end_of_box|>")) {
			end = k;
			from = st[--n].from;
		} else if (c == '\\') {
			k++;	/* an escaped brace is text */
		} else if (c == '{' && n > 0) {
			depth++;
		} else if (c == '}' && n > 0 && depth > 0 && --depth == st[n - 1].depth &&
		    !st[n - 1].glm) {
			end = k;
			from = st[--n].from;
		}
		if (end > 0 && number_first_in(t, from, end, &v)) {
			*out = v;
			found = 1;
		}
	}
	return found;
}

/* A response as read: the folded text (buf, yours to free) and the
 * number it answers with. Whole numbers point into buf, so it lives
 * until they are compared. */
struct reading {
	char *buf;
	struct text t;
	struct num n;
};

/* Reads s by rules 1-3 into *rd (rd->buf is yours, also on failure). 0
 * if s has no number, is not UTF-8 or is too long. count as for
 * number_last. */
static int
read_answer(const char *s, struct reading *rd, size_t *count)
{
	size_t len, withdrawn = 0;
	struct num last;
	int found, any;

	rd->buf = NULL;
	if (s == NULL || !fold(s, &rd->buf, &len))
		return 0;
	rd->t.s = rd->buf;
	rd->t.len = score_runon_len(rd->buf, len);
	rd->buf[rd->t.len] = 0;
	any = number_last(&rd->t, &last, count);
	found = boxed(&rd->t, &rd->n) || number_stated(&rd->t, &rd->n, &withdrawn);
	if (!found && any && last.pos >= withdrawn) {
		rd->n = last;	/* rule 3, after a retraction if any */
		found = 1;
	}
	return found && !isnan(rd->n.v);
}

static int
close_to(double a, double b, double tolerance)
{
	return isfinite(a) && isfinite(b) &&
	    fabs(a - b) <= tolerance + 4 * DBL_EPSILON * fmax(fabs(a), fabs(b));
}

/* The next significant digit of a whole number from *k (separators
 * skipped), 0 at its end. */
static unsigned char
next_digit(const struct text *t, size_t *k, size_t end)
{
	while (*k < end && !digit(at(t, *k)))
		(*k)++;
	return *k < end ? at(t, (*k)++) : 0;
}

/* Two whole numbers are equal: the same sign and the same digits once
 * leading zeros are dropped (so "-0" is "0"). */
static int
same_whole(const struct reading *x, const struct reading *y)
{
	size_t i = x->n.int_a, j = y->n.int_a;
	unsigned char a, b;

	while ((a = next_digit(&x->t, &i, x->n.int_b)) == '0')
		;
	while ((b = next_digit(&y->t, &j, y->n.int_b)) == '0')
		;
	if (a == 0 || b == 0)
		return a == b;	/* zero only equals zero, whatever its sign */
	if (x->n.neg != y->n.neg)
		return 0;
	for (; a == b && a != 0; a = next_digit(&x->t, &i, x->n.int_b),
	    b = next_digit(&y->t, &j, y->n.int_b))
		;
	return a == b;
}

static int
matches(const struct reading *got, const struct reading *want, double tolerance)
{
	/* Whole numbers differ by at least 1 when they differ: below that
	 * tolerance compare them digit by digit, not as doubles, which cannot
	 * tell 2^53 + 1 from 2^53. */
	if (got->n.whole && want->n.whole && tolerance < 1)
		return same_whole(got, want);
	if (got->n.pct != want->n.pct) {
		const struct num *pct = got->n.pct ? &got->n : &want->n;
		const struct num *plain = got->n.pct ? &want->n : &got->n;

		/* "25%" is 0.25; and 25 as written, for "what percent ...?"
		 * asked with a plain 25, unless the plain number is a
		 * proportion (between -1 and 1, not 0): a probability of 0.5
		 * is not "0.5%", which is 100 times less */
		if (close_to(pct->v / 100, plain->v, tolerance))
			return 1;
		return !(fabs(plain->v) < 1 && plain->v != 0) &&
		    close_to(pct->v, plain->v, tolerance);
	}
	return close_to(got->n.v, want->n.v, tolerance);
}

double
score_numeric(const char *output, const char *target, double tolerance)
{
	struct reading got = { 0 }, want = { 0 };
	int yes = 0;

	if (tolerance >= 0 && read_answer(output, &got, NULL) &&
	    read_answer(target, &want, NULL))
		yes = matches(&got, &want, tolerance);
	free(got.buf);
	free(want.buf);
	return yes;
}

/* A number glued to a word that holds digits or names a base: "0x10",
 * "0b101", "3x4" — a literal or an expression, not one number. */
static int
glued(const struct text *t)
{
	struct num n;
	size_t e;

	for (size_t i = 0; i < t->len; i++) {
		if (!number_starts(t, i) || (e = number_at(t, i, &n, 0)) == 0)
			continue;
		if (alpha(at(t, e))) {
			if (e == i + 1 && at(t, i) == '0' && strchr("xXbBoO", at(t, e)) != NULL)
				return 1;
			for (size_t k = e; k < t->len && k - e < 16 && (alpha(at(t, k)) ||
			    digit(at(t, k))); k++)
				if (digit(at(t, k)))
					return 1;
		}
		i = e - 1;
	}
	return 0;
}

int
score_number_read(const char *text, double *v)
{
	struct reading rd;
	size_t count = 0;
	int ok;

	ok = read_answer(text, &rd, &count) && count == 1 && isfinite(rd.n.v) &&
	    !glued(&rd.t);
	if (ok)
		*v = rd.n.v;
	free(rd.buf);
	return ok;
}

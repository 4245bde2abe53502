/* Multiple choice: comparing what a response says with the options' texts
 * (see score_choice_impl.h). */
#include "score.h"

#include <stdlib.h>
#include <string.h>

#include "score_choice_impl.h"

#define MENTION_MAX	4096	/* occurrences of one option's text examined */

/* Trimmed from both ends of a text before it is compared. */
static int
edge_punct(const char *s, size_t i, size_t *n)
{
	static const char *const wide[] = { "。", "，", "、", "！", "？", "：",
		"“", "”", "‘", "’", NULL };

	*n = 1;
	if (one_of((unsigned char)s[i], " .,;:!?\"'`*()[]{}"))
		return 1;
	for (const char *const *w = wide; *w != NULL; w++)
		if (strncmp(s + i, *w, strlen(*w)) == 0) {
			*n = strlen(*w);
			return 1;
		}
	return 0;
}

/* s[a..b) as compared with an option (see struct choice_texts); *len is
 * its length. NULL if it is not UTF-8 or nothing is left; yours to free. */
static char *
plain(const char *s, size_t a, size_t b, size_t *len)
{
	char *raw = malloc(b - a + 1), *out = NULL;
	size_t o = 0, start = 0, n, k;

	if (raw == NULL)
		return NULL;
	for (k = a; k < b; k++) {
		if (s[k] == '\\') {
			while (k + 1 < b && alpha((unsigned char)s[k + 1]))
				k++;
			raw[o++] = ' ';
		} else if (s[k] != '{' && s[k] != '}' && s[k] != '$') {
			raw[o++] = s[k];
		}
	}
	raw[o] = 0;
	if (score_normalize(raw, NORM_NFKC | NORM_LOWER | NORM_COLLAPSE_SPACE,
	    &out) != EM_OK)
		goto out;
	o = strlen(out);
	while (start < o && edge_punct(out, start, &n))
		start += n;
	for (k = o; k > start; k = o) {
		size_t c = k - 1;

		while (c > start && ((unsigned char)out[c] & 0xc0) == 0x80)
			c--;	/* the start of the last character */
		if (!edge_punct(out, c, &n) || c + n != k)
			break;
		o = c;
	}
	memmove(out, out + start, o - start);
	out[o - start] = 0;
	*len = o - start;
	if (*len == 0) {
		free(out);
		out = NULL;
	}
out:
	free(raw);
	return out;
}

void
choice_texts_init(struct choice_texts *ct, const char *const *choices, size_t n)
{
	memset(ct, 0, sizeof *ct);
	ct->n = n < CHOICES_MAX ? n : CHOICES_MAX;
	ct->raw = choices;
	for (size_t i = 0; i < ct->n; i++)
		if (choices[i] != NULL)
			ct->t[i] = plain(choices[i], 0, strlen(choices[i]), &ct->len[i]);
}

void
choice_texts_free(struct choice_texts *ct)
{
	for (size_t i = 0; i < CHOICES_MAX; i++) {
		free(ct->t[i]);
		ct->t[i] = NULL;
	}
}

/* An option's text t (tl bytes) found at p in o stands as words there:
 * "red" not in "bored", "4" not in "14", "4.5" or "-4". */
static int
bounded(const char *o, const char *p, const char *t, size_t tl)
{
	unsigned char b = p > o ? (unsigned char)p[-1] : 0, a = (unsigned char)p[tl];
	unsigned char first = (unsigned char)t[0], last = (unsigned char)t[tl - 1];

	if ((alnum(first) && alnum(b)) || (alnum(last) && alnum(a)))
		return 0;
	if (digit(first) && (b == '-' || ((b == '.' || b == ',') && p - o >= 2 &&
	    digit((unsigned char)p[-2]))))
		return 0;
	return !(digit(last) && (a == '.' || a == ',') && digit((unsigned char)p[tl + 1]));
}

int
choice_text_begins(const struct choice_texts *ct, int i, const char *s,
    size_t a, size_t b)
{
	size_t len;
	char *seg;
	int yes;

	if (i < 0 || (size_t)i >= ct->n || ct->t[i] == NULL ||
	    (seg = plain(s, a, b, &len)) == NULL)
		return 0;
	yes = len >= ct->len[i] && memcmp(seg, ct->t[i], ct->len[i]) == 0 &&
	    bounded(seg, seg, ct->t[i], ct->len[i]);
	free(seg);
	return yes;
}

int
choice_text_is(const struct choice_texts *ct, int i, const char *s, size_t a,
    size_t b)
{
	size_t len;
	char *seg;
	int yes;

	if (i < 0 || (size_t)i >= ct->n || ct->t[i] == NULL ||
	    (seg = plain(s, a, b, &len)) == NULL)
		return 0;
	yes = len == ct->len[i] && memcmp(seg, ct->t[i], len) == 0;
	free(seg);
	return yes;
}

int
choice_text_named(const struct choice_texts *ct, const char *s, size_t a,
    size_t b)
{
	size_t len;
	char *seg = plain(s, a, b, &len);
	int exact = -1, prefix = -1, n_exact = 0, n_prefix = 0;

	if (seg == NULL)
		return -1;
	for (size_t i = 0; i < ct->n; i++) {
		if (ct->t[i] == NULL)
			continue;
		if (ct->len[i] == len && memcmp(ct->t[i], seg, len) == 0) {
			exact = (int)i;
			n_exact++;
		} else if (ct->len[i] > len && memcmp(ct->t[i], seg, len) == 0 &&
		    bounded(ct->t[i], ct->t[i], seg, len)) {
			prefix = (int)i;
			n_prefix++;
		}
	}
	free(seg);
	if (n_exact > 0)
		return n_exact == 1 ? exact : -1;
	return n_prefix == 1 ? prefix : -1;
}

/* The mention of option i at p lies inside a mention of a longer option
 * whose text holds i's ("red" inside "dark red"). */
static int
shadowed(const struct choice_texts *ct, size_t i, const char *o, const char *p)
{
	for (size_t j = 0; j < ct->n; j++) {
		const char *q;

		if (j == i || ct->t[j] == NULL || ct->len[j] <= ct->len[i])
			continue;
		for (q = strstr(ct->t[j], ct->t[i]); q != NULL; q = strstr(q + 1, ct->t[i])) {
			size_t off = (size_t)(q - ct->t[j]);

			if ((size_t)(p - o) >= off && strncmp(p - off, ct->t[j], ct->len[j]) == 0)
				return 1;
		}
	}
	return 0;
}

/* o mentions option i on its own somewhere. At most MENTION_MAX of its
 * occurrences are looked at, so a response repeating a short option's
 * text costs bounded time. */
static int
mentioned(const struct choice_texts *ct, size_t i, const char *o)
{
	const char *p = o;

	for (int seen = 0; seen < MENTION_MAX && (p = strstr(p, ct->t[i])) != NULL;
	    seen++, p++)
		if (bounded(o, p, ct->t[i], ct->len[i]) && !shadowed(ct, i, o, p))
			return 1;
	return 0;
}

int
choice_text_pick(const struct choice_texts *ct, const char *s)
{
	size_t len;
	char *o = plain(s, 0, strlen(s), &len);
	int got = -1, hits = 0;

	if (o == NULL)
		return -1;
	for (size_t i = 0; i < ct->n; i++)
		if (ct->t[i] != NULL && ct->len[i] == len && memcmp(ct->t[i], o, len) == 0) {
			got = (int)i;
			hits++;
		}
	for (size_t i = 0; i < ct->n && hits == 0; i++)
		if (ct->t[i] != NULL && mentioned(ct, i, o)) {
			if (got >= 0)
				hits = 2;	/* a second option: no pick */
			got = (int)i;
		}
	free(o);
	return got >= 0 && hits <= 1 ? got : -1;
}

int
choice_number_pick(const struct choice_texts *ct, const char *s)
{
	double v;
	int got = -1, hits = 0;

	for (size_t i = 0; i < ct->n; i++)
		if (ct->raw[i] == NULL || !score_number_read(ct->raw[i], &v))
			return -1;
	for (size_t i = 0; i < ct->n && hits < 2; i++)
		if (score_numeric(s, ct->raw[i], 0) == 1) {
			got = (int)i;
			hits++;
		}
	return hits == 1 ? got : -1;
}

int
choice_target(const char *target, const struct choice_texts *ct)
{
	size_t len;
	char *t = plain(target, 0, strlen(target), &len);
	int idx = -1;

	if (t == NULL)
		return -1;
	if (len == 1 && alpha((unsigned char)t[0]) && (size_t)(t[0] - 'a') < ct->n)
		idx = t[0] - 'a';
	for (size_t i = 0; i < ct->n && idx < 0; i++)
		if (ct->t[i] != NULL && ct->len[i] == len && memcmp(ct->t[i], t, len) == 0)
			idx = (int)i;
	free(t);
	return idx;
}

/* Option i's text is a lone letter naming option j (a label in range). */
static int
text_is_label(const struct choice_texts *ct, size_t i, size_t j)
{
	return ct->t[i] != NULL && ct->len[i] == 1 &&
	    (unsigned char)ct->t[i][0] == 'a' + j;
}

int
choice_text_clash(const struct choice_texts *ct, size_t i, int *letter)
{
	for (size_t j = 0; j < ct->n && i < ct->n; j++) {
		if (j == i)
			continue;
		if (ct->t[i] != NULL && ct->t[j] != NULL && ct->len[i] == ct->len[j] &&
		    memcmp(ct->t[i], ct->t[j], ct->len[i]) == 0)
			return (int)j;
		if (text_is_label(ct, j, i) || text_is_label(ct, i, j)) {
			if (letter != NULL)
				*letter = text_is_label(ct, j, i) ? 1 : 2;
			return (int)j;
		}
	}
	return -1;
}

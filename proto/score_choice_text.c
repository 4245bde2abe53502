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

/* s[a..b), as compared, is option i's text (whole) or begins with it at
 * a word's end (!whole). */
static int
text_at(const struct choice_texts *ct, int i, const char *s, size_t a, size_t b,
    int whole)
{
	size_t len;
	char *seg;
	int yes;

	if (i < 0 || (size_t)i >= ct->n || ct->t[i] == NULL ||
	    (seg = plain(s, a, b, &len)) == NULL)
		return 0;
	yes = (whole ? len == ct->len[i] : len >= ct->len[i]) &&
	    memcmp(seg, ct->t[i], ct->len[i]) == 0 &&
	    (whole || bounded(seg, seg, ct->t[i], ct->len[i]));
	free(seg);
	return yes;
}

int
choice_text_begins(const struct choice_texts *ct, int i, const char *s,
    size_t a, size_t b)
{
	return text_at(ct, i, s, a, b, 0);
}

int
choice_text_is(const struct choice_texts *ct, int i, const char *s, size_t a,
    size_t b)
{
	return text_at(ct, i, s, a, b, 1);
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

/* How a response mentions an option's text, weakest first: ruled out
 * ("not London"), the subject of a verb ("London is the capital of the
 * UK": discussed), or as its pick. */
enum mention { M_NONE, M_OUT, M_SUBJECT, M_FREE };

/* Verbs after which a mentioned text is discussed, not picked. */
static const char *const VERBS[] = { "is", "was", "are", "were", "isn't",
	"wasn't", "aren't", "has", "have", "had", "does", "doesn't", "did",
	"can", "can't", "cannot", "could", "would", "will", "may", "might",
	"must", "should", "seems", "appears", "remains", "becomes", NULL };

/* An option's text, standing as words, ends at o[e] (in r): its index,
 * its start in *at; -1 if none. */
static int
text_ending(const struct resp *r, size_t e, size_t *at)
{
	const struct choice_texts *ct = r->ct;

	for (size_t j = 0; j < ct->n; j++)
		if (ct->t[j] != NULL && e >= ct->len[j] &&
		    memcmp(r->s + e - ct->len[j], ct->t[j], ct->len[j]) == 0 &&
		    bounded(r->s, r->s + e - ct->len[j], ct->t[j], ct->len[j])) {
			*at = e - ct->len[j];
			return (int)j;
		}
	return -1;
}

/* The joiner ("or", "nor", "and", ",", ", or") ending before p, spaces
 * around it skipped: where the text before it ends, else 0. */
static size_t
joined_before(const struct resp *r, size_t p)
{
	static const char *const conj[] = { "or", "nor", "and", NULL };
	char w[WORD_MAX];
	size_t k = p, s;
	int word = 0;

	while (k > 0 && before(r, k) == ' ')
		k--;
	if (choice_word_before(r, k, w, &s) && in_list(w, conj)) {
		for (k = s; k > 0 && before(r, k) == ' '; k--)
			;
		word = 1;
	}
	if (before(r, k) == ',' || before(r, k) == '/')
		k--;
	else if (!word)
		return 0;
	while (k > 0 && before(r, k) == ' ')
		k--;
	return k;
}

/* Another option's text follows the mention ending at e, after a joiner
 * ("red and blue would do" names both): where it ends, else 0. */
static size_t
joined_after(const struct resp *r, size_t e)
{
	const struct choice_texts *ct = r->ct;
	char w[WORD_MAX];
	size_t k = e, n;
	int joined = 0;

	if (one_of(at(r, k), ",/"))
		k++, joined = 1;
	while (at(r, k) == ' ')
		k++;
	if ((n = choice_word_at(r, k, w)) > 0 && (strcmp(w, "or") == 0 ||
	    strcmp(w, "and") == 0 || strcmp(w, "nor") == 0))
		k += n, joined = 1;
	while (at(r, k) == ' ')
		k++;
	for (size_t j = 0; joined && j < ct->n; j++)
		if (ct->t[j] != NULL && r->len - k >= ct->len[j] &&
		    memcmp(r->s + k, ct->t[j], ct->len[j]) == 0 &&
		    bounded(r->s, r->s + k, ct->t[j], ct->len[j]))
			return k + ct->len[j];
	return 0;
}

/* The verb after e, when there is one: 1, or 2 when it is negated
 * ("London is not", "London isn't"); else 0. */
static int
verb_after(const struct resp *r, size_t e)
{
	char w[WORD_MAX];
	size_t k = e, n;

	while (at(r, k) == ' ')
		k++;
	if ((n = choice_word_at(r, k, w)) == 0 || !in_list(w, VERBS))
		return 0;
	if (strstr(w, "n't") != NULL || strcmp(w, "cannot") == 0)
		return 2;
	for (k += n; at(r, k) == ' '; k++)
		;
	return choice_word_at(r, k, w) > 0 && (strcmp(w, "not") == 0 ||
	    strcmp(w, "never") == 0) ? 2 : 1;
}

/* The mention r->s[p..p+tl): ruled out when a negation stands before it
 * ("not London"), before a ruled-out mention it is joined to ("not London
 * or Berlin"), or after it and the mentions joined to it ("London and
 * Berlin are not"); discussed when a verb follows it alone ("London is
 * the capital of the UK"); else a pick. depth bounds the chains read. */
static enum mention
mention_kind(const struct resp *r, size_t p, size_t tl, int depth)
{
	size_t k, prev, end = p + tl;
	int joined = 0, verb;

	if (choice_negated(r, p))
		return M_OUT;
	if ((k = joined_before(r, p)) > 0 && text_ending(r, k, &prev) >= 0) {
		if (depth > 0 && mention_kind(r, prev, k - prev, depth - 1) == M_OUT)
			return M_OUT;
		joined = 1;
	}
	for (int m = 0; m < 4 && (k = joined_after(r, end)) > 0; m++) {
		end = k;
		joined = 1;
	}
	if ((verb = verb_after(r, end)) == 2)
		return M_OUT;
	return verb == 1 && !joined ? M_SUBJECT : M_FREE;
}

/* The strongest way o (as r) mentions option i on its own. At most
 * MENTION_MAX of its occurrences are looked at, so a response repeating a
 * short option's text costs bounded time. */
static enum mention
mentioned(const struct resp *r, size_t i)
{
	const struct choice_texts *ct = r->ct;
	const char *p = r->s;
	enum mention best = M_NONE, m;

	for (int seen = 0; seen < MENTION_MAX && best < M_FREE &&
	    (p = strstr(p, ct->t[i])) != NULL; seen++, p++) {
		if (!bounded(r->s, p, ct->t[i], ct->len[i]) || shadowed(ct, i, r->s, p))
			continue;
		m = mention_kind(r, (size_t)(p - r->s), ct->len[i], 3);
		best = m > best ? m : best;
	}
	return best;
}

int
choice_text_pick(const struct choice_texts *ct, const char *s)
{
	enum mention kind[CHOICES_MAX];
	struct resp r;
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
	r = (struct resp){ .s = o, .len = len, .n = ct->n, .ct = ct };
	for (size_t i = 0; i < ct->n && hits == 0; i++)
		kind[i] = ct->t[i] != NULL ? mentioned(&r, i) : M_NONE;
	/* the one option picked, else the one discussed; several: none */
	for (enum mention want = M_FREE; hits == 0 && want >= M_SUBJECT; want--) {
		for (size_t i = 0; i < ct->n; i++)
			if (kind[i] == want) {
				got = (int)i;
				hits++;
			}
		if (hits == 0)
			got = -1;
	}
	free(o);
	return got >= 0 && hits == 1 ? got : -1;
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

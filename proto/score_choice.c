/* Multiple choice (see score.h, score_choice). */
#include "score.h"

#include <stdlib.h>
#include <string.h>

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

/* Numbers in model output (see score.h, score_numeric). */
#include "score.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

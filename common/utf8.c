#include "utf8.h"

#include <string.h>

/* Invisible format characters that make two names look alike or none at
 * all: the zero-width space, direction marks (U+061C, U+200E, U+200F),
 * word joiners and invisible operators, the BOM, the Mongolian vowel
 * separator, interlinear annotation marks. The zero-width non-joiner and
 * joiner (U+200C, U+200D) stay: Persian, Indic scripts and emoji spell
 * with them. */
static int
invisible(uint32_t cp)
{
	return cp == 0x061c || cp == 0x180e || cp == 0x200b || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x2060 && cp <= 0x2064) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb);
}

int
utf8_unprintable(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || invisible(cp);
}

/* The well-formed character at s[0..len) (len >= 1): its length (1 to 4)
 * and code point in *cp; 0 if the bytes there are not one (a stray or
 * missing continuation byte, an overlong form, a surrogate, above
 * U+10FFFF, a character cut off by len). */
static size_t
next_char(const uint8_t *s, size_t len, uint32_t *cp)
{
	uint8_t c = s[0];
	uint32_t min;
	size_t n;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0)
		n = 1, *cp = c & 0x1f, min = 0x80;
	else if ((c & 0xf0) == 0xe0)
		n = 2, *cp = c & 0x0f, min = 0x800;
	else if ((c & 0xf8) == 0xf0)
		n = 3, *cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n >= len)
		return 0;
	for (size_t k = 1; k <= n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[k] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n + 1;
}

/* printable: 0 any, 1 utf8_printable, 2 the same with line breaks and
 * tabs (utf8_printable_lines) */
static int
scan(const uint8_t *s, size_t len, int printable)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		if (s[i] == 0 || (n = next_char(s + i, len - i, &cp)) == 0)
			return 0;	/* NUL would cut a C string short */
		if (printable && utf8_unprintable(cp) && !(printable == 2 &&
		    (cp == '\n' || cp == '\t')))
			return 0;
		i += n;
	}
	return 1;
}

size_t
utf8_clip(const char *s, size_t max)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t len = strlen(s), i = 0, n;
	uint32_t cp;

	if (len <= max)
		return len;
	while (i < max) {
		n = next_char(u + i, len - i, &cp);
		if (n == 0)
			n = 1;		/* a stray byte: one at a time */
		if (i + n > max)
			break;
		i += n;
	}
	return i;
}

const char *
utf8_fit(const char *s, size_t max, char *buf, size_t cap)
{
	size_t keep;

	if (strlen(s) <= max || cap < 4)
		return s;
	if (max > cap - 4)
		max = cap - 4;
	keep = utf8_clip(s, max >= 3 ? max - 3 : 0);
	memcpy(buf, s, keep);
	memcpy(buf + keep, "\xe2\x80\xa6", 4);	/* "…" and the NUL */
	return buf;
}

void
utf8_repair(char *s)
{
	uint8_t *u = (uint8_t *)s;
	size_t len = strlen(s), i = 0, n;
	uint32_t cp;

	while (i < len) {
		if ((n = next_char(u + i, len - i, &cp)) == 0) {
			u[i] = '?';
			n = 1;
		}
		i += n;
	}
}

int
utf8_valid(const uint8_t *s, size_t len)
{
	return scan(s, len, 0);
}

int
utf8_printable(const uint8_t *s, size_t len)
{
	return scan(s, len, 1);
}

int
utf8_printable_lines(const uint8_t *s, size_t len)
{
	return scan(s, len, 2);
}

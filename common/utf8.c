#include "utf8.h"

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

/* printable: 0 any, 1 utf8_printable, 2 the same with line breaks and
 * tabs (utf8_printable_lines) */
static int
scan(const uint8_t *s, size_t len, int printable)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = s[i];
		uint32_t cp, min;
		size_t n;

		if (c == 0)
			return 0;	/* NUL would cut a C string short */
		if (c < 0x80) {
			if (printable && utf8_unprintable(c) && !(printable == 2 &&
			    (c == '\n' || c == '\t')))
				return 0;
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return 0;
		}
		if (n >= len - i)
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
		    (printable && utf8_unprintable(cp)))
			return 0;
		i += n + 1;
	}
	return 1;
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

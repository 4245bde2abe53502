#include "name.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define NONE	UINT32_MAX	/* no character: before the first, after the last */

/* The well-formed character at s[0..len): its length, 0 if none is. */
static size_t
step(const uint8_t *s, size_t len, uint32_t *cp)
{
	utf8proc_int32_t c;
	utf8proc_ssize_t n = utf8proc_iterate(s, (utf8proc_ssize_t)len, &c);

	if (n <= 0 || (size_t)n > len)
		return 0;
	*cp = (uint32_t)c;
	return (size_t)n;
}

static int
bidi(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

static int
joiner(uint32_t cp)
{
	return cp == 0x200c || cp == 0x200d;
}

static int
variation(uint32_t cp)
{
	return (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
}

static int
mark(uint32_t cp)
{
	utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);

	return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC ||
	    c == UTF8PROC_CATEGORY_ME;
}

/* A character a variation selector may follow: one that shows and is no
 * mark, space or selector; in ASCII only the keycap bases. */
static int
varies(uint32_t cp)
{
	const utf8proc_property_t *p;

	if (cp == NONE)
		return 0;
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || cp == '#' || cp == '*';
	p = utf8proc_get_property((utf8proc_int32_t)cp);
	if (p->ignorable)
		return 0;
	switch (p->category) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO: case UTF8PROC_CATEGORY_SM:
	case UTF8PROC_CATEGORY_SC: case UTF8PROC_CATEGORY_SK: case UTF8PROC_CATEGORY_SO:
	case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS:
	case UTF8PROC_CATEGORY_PE: case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
	case UTF8PROC_CATEGORY_PO:
		return 1;
	default:
		return 0;
	}
}

/* The rule for cp between prev and next (NONE at either end), after marks
 * combining marks in a row. The order matters: the joiners, selectors and
 * the ignorable marks are Cf or Mn too. */
static enum name_fault
fault(uint32_t prev, uint32_t cp, uint32_t next, unsigned marks)
{
	const utf8proc_property_t *p;

	if (cp < 0x80)
		return cp < 0x20 || cp == 0x7f ? NAME_CONTROL : NAME_OK;
	if (bidi(cp))
		return NAME_BIDI;
	if (cp >= 0xe0000 && cp <= 0xe007f)
		return NAME_TAG;
	if (joiner(cp))
		return prev != NONE && prev >= 0x80 && !joiner(prev) && next != NONE &&
		    next >= 0x80 && !joiner(next) ? NAME_OK : NAME_JOINER;
	if (variation(cp))
		return varies(prev) ? NAME_OK : NAME_VARIATION;
	p = utf8proc_get_property((utf8proc_int32_t)cp);
	switch (p->category) {
	case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP:
		return NAME_CONTROL;
	case UTF8PROC_CATEGORY_CF:
		return NAME_INVISIBLE;
	case UTF8PROC_CATEGORY_CO:
		return NAME_PRIVATE;
	case UTF8PROC_CATEGORY_CN: case UTF8PROC_CATEGORY_CS:
		return NAME_UNASSIGNED;
	default:
		break;
	}
	if (p->ignorable)
		return NAME_INVISIBLE;
	if (mark(cp))
		return prev == NONE ? NAME_MARK : marks >= NAME_MARKS_MAX ? NAME_MARKS : NAME_OK;
	return NAME_OK;
}

/* Whether cp is refused wherever it stands: for a joiner's or selector's
 * next character. */
static int
refused(uint32_t cp)
{
	return !joiner(cp) && !variation(cp) && fault('x', cp, 'x', 0) != NAME_OK;
}

/* Walks s character by character with one of lookahead. fn sees each
 * character's offset, length (0: a byte that is no character), code point
 * and fault; a nonzero return stops the walk. A character next to one
 * that is written out is judged as name_show prints it, next to '>' or
 * '<': a joiner or selector whose neighbour is escaped would hide in the
 * escaped text. */
typedef int (*walk_fn)(void *ctx, size_t at, size_t n, uint32_t cp, enum name_fault f);

static void
walk(const char *s, walk_fn fn, void *ctx)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t len = strlen(s), at = 0, n, nn = 0;
	uint32_t prev = NONE, cp = NONE, next = NONE, after;
	unsigned marks = 0;
	enum name_fault f;

	n = len ? step(u, len, &cp) : 0;
	while (at < len) {
		if (n == 0) {	/* a byte that is no character: written out */
			if (fn(ctx, at, 0, u[at], NAME_UTF8))
				return;
			prev = '>';
			marks = 0;
			at++;
			n = at < len ? step(u + at, len - at, &cp) : 0;
			continue;
		}
		nn = at + n < len ? step(u + at + n, len - at - n, &next) : 0;
		if (nn == 0)
			next = at + n < len ? '<' : NONE;	/* a bad byte, or the end */
		after = next != NONE && (refused(next) || (variation(next) && !varies(cp))) ?
		    '<' : next;
		f = fault(prev, cp, after, marks);
		if (fn(ctx, at, n, cp, f))
			return;
		marks = mark(cp) && !variation(cp) ? marks + 1 : 0;
		prev = f == NAME_OK ? cp : '>';
		at += n;
		n = nn;
		cp = next;
	}
}

struct first { size_t at; uint32_t cp; enum name_fault f; };

static int
first_fn(void *ctx, size_t at, size_t n, uint32_t cp, enum name_fault f)
{
	struct first *w = ctx;

	(void)n;
	if (f == NAME_OK)
		return 0;
	*w = (struct first){ at, cp, f };
	return 1;
}

enum name_fault
name_fault_at(const char *s, size_t *at, uint32_t *cp)
{
	struct first w = { 0, 0, NAME_OK };

	walk(s, first_fn, &w);
	if (at != NULL)
		*at = w.at;
	if (cp != NULL)
		*cp = w.cp;
	return w.f;
}

const char *
name_fault_why(enum name_fault f)
{
	switch (f) {
	case NAME_OK:		return "nothing wrong";
	case NAME_UTF8:		return "a byte that is not UTF-8";
	case NAME_CONTROL:	return "a control character";
	case NAME_BIDI:		return "a bidirectional control";
	case NAME_INVISIBLE:	return "an invisible character";
	case NAME_JOINER:	return "a zero-width joiner or non-joiner between ASCII "
				    "characters or at an end";
	case NAME_VARIATION:	return "a variation selector after a character it cannot vary";
	case NAME_TAG:		return "a tag character";
	case NAME_PRIVATE:	return "a private-use character";
	case NAME_UNASSIGNED:	return "a code point Unicode does not assign";
	case NAME_MARK:		return "a combining mark with no character before it";
	case NAME_MARKS:	return "more than 8 combining marks on one character";
	}
	return "an unknown fault";
}

_Static_assert(NAME_MARKS_MAX == 8, "name_fault_why says 8");

em_err
name_check(const char *s, char *why, size_t cap)
{
	size_t at;
	uint32_t cp;
	enum name_fault f = name_fault_at(s, &at, &cp);

	if (f == NAME_OK)
		return EM_OK;
	if (f == NAME_UTF8)
		snprintf(why, cap, "holds %s (0x%02X at byte %zu)", name_fault_why(f), (unsigned)cp, at);
	else
		snprintf(why, cap, "holds %s (U+%04X at byte %zu)", name_fault_why(f), (unsigned)cp,
		    at);
	return f == NAME_UTF8 ? EM_EUTF8 : EM_EFORMAT;
}

static int
ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* utf8proc_map of s with opts into out. */
static em_err
map(const char *s, int opts, char *out, size_t cap)
{
	utf8proc_uint8_t *dst = NULL;
	utf8proc_ssize_t n;
	em_err err = EM_OK;

	if (ascii(s)) {		/* ASCII is its own NFC and ignores nothing */
		if (strlen(s) >= cap)
			return EM_ETOOBIG;
		memcpy(out, s, strlen(s) + 1);
		return EM_OK;
	}
	n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &dst,
	    (utf8proc_option_t)(UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE | opts));
	if (n < 0)
		err = n == UTF8PROC_ERROR_NOMEM ? EM_ENOMEM : EM_EUTF8;
	else if ((size_t)n >= cap)
		err = EM_ETOOBIG;
	else
		memcpy(out, dst, (size_t)n + 1);
	free(dst);
	return err;
}

em_err
name_nfc(const char *s, char *out, size_t cap)
{
	return map(s, 0, out, cap);
}

/* Spaces in place: every Zs as one U+0020, runs as one, none at the ends.
 * Never longer: a Zs is at least one byte. */
static void
spaces(char *s)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t len = strlen(s), i = 0, o = 0, n;
	int pending = 0;
	uint32_t cp;

	while (i < len) {
		if ((n = step(u + i, len - i, &cp)) == 0)
			n = 1, cp = u[i];
		if (cp == ' ' || (cp >= 0x80 &&
		    utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_ZS)) {
			pending = o > 0;
		} else {
			if (pending)
				s[o++] = ' ';
			pending = 0;
			memmove(s + o, s + i, n);
			o += n;
		}
		i += n;
	}
	s[o] = '\0';
}

em_err
name_key(const char *s, char *out, size_t cap)
{
	em_err err = map(s, UTF8PROC_IGNORE, out, cap);

	if (err == EM_OK)
		spaces(out);
	return err;
}

int
name_same(const char *a, const char *b)
{
	size_t ca = NAME_KEY_CAP(strlen(a)), cb = NAME_KEY_CAP(strlen(b));
	char *ka, *kb;
	int same;

	if (strcmp(a, b) == 0)
		return 1;
	if ((ka = malloc(ca)) == NULL || (kb = malloc(cb)) == NULL) {
		free(ka);
		return 0;
	}
	same = name_key(a, ka, ca) == EM_OK && name_key(b, kb, cb) == EM_OK &&
	    strcmp(ka, kb) == 0;
	free(ka);
	free(kb);
	return same;
}

struct show {
	const char	*s;
	char		*buf;		/* NULL: only count */
	size_t		 cap, len, reserve;
};

/* Appends n bytes of p; when they would not fit with the room kept for
 * "…" (reserve) and the NUL, writes "…" and stops. */
static int
put(struct show *w, const char *p, size_t n)
{
	if (w->buf == NULL) {
		w->len += n;
		return 0;
	}
	if (w->len + n + w->reserve + 1 > w->cap) {
		memcpy(w->buf + w->len, "\xe2\x80\xa6", 3);
		w->len += 3;
		return 1;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
	return 0;
}

static int
show_fn(void *ctx, size_t at, size_t n, uint32_t cp, enum name_fault f)
{
	struct show *w = ctx;
	char esc[16];
	int k;

	if (f == NAME_OK)
		return put(w, w->s + at, n);
	k = f == NAME_UTF8 ? snprintf(esc, sizeof esc, "<0x%02X>", (unsigned)cp) :
	    snprintf(esc, sizeof esc, "<U+%04X>", (unsigned)cp);
	return put(w, esc, (size_t)k);
}

const char *
name_show(const char *s, char *buf, size_t cap)
{
	struct show w = { s, NULL, cap, 0, 0 };

	if (name_fault_at(s, NULL, NULL) == NAME_OK)
		return s;
	if (cap < 4) {
		if (cap > 0)
			buf[0] = '\0';
		return cap > 0 ? buf : "";
	}
	walk(s, show_fn, &w);		/* the length it takes */
	w = (struct show){ s, buf, cap, 0, w.len + 1 > cap ? 3 : 0 };
	walk(s, show_fn, &w);
	buf[w.len] = '\0';
	return buf;
}

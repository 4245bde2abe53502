/* common/name.h — the names that others sign and every node prints: model
 * names and revisions, task names and versions, node names and
 * organisations, the names a reader gives trusted nodes. Which characters
 * a name we sign may hold (name_check), the one form we sign it in
 * (name_nfc), when two names are one (name_key, name_same), and how a name
 * that came from a peer is printed (name_show).
 *
 * Two rules, on purpose. The record decoder (proto/body.c) refuses a
 * fixed list of characters (utf8_printable): control characters, line
 * separators, bidirectional controls and the commonest invisible ones.
 * That list is frozen. Were the decoder to refuse what older nodes accept,
 * store and forward, a new node would penalise old honest ones as senders
 * of invalid records, an author's feed would have a hole at that record
 * (and anti-entropy offer it again forever), and a store holding such a
 * record would fail to decode it when read back; and a list taken from
 * Unicode's tables would make nodes with different library versions
 * disagree on what is valid. The rule here is wider and does follow
 * Unicode's tables (as utf8proc has them: Unicode 15.0 in utf8proc
 * 2.8.0): what this node signs must pass it, and a peer's name that would
 * not pass is still stored and forwarded but printed with the offending
 * characters written out as <U+XXXX>, so it reads as what it is.
 *
 * A name may not hold (enum name_fault):
 *   - control characters (C0, DEL, C1) and line or paragraph separators;
 *   - bidirectional controls (U+202A-U+202E, U+2066-U+2069, U+200E,
 *     U+200F, U+061C): they reorder what is printed around them (Trojan
 *     Source, CVE-2021-42574);
 *   - invisible format characters: every other character of general
 *     category Cf (U+200B, U+2060-U+2064, U+FEFF, the soft hyphen, ...)
 *     and every other Default_Ignorable_Code_Point (the Hangul fillers
 *     U+115F, U+1160, U+3164, U+FFA0; U+034F; the Mongolian selectors):
 *     a name with one looks like the name without it;
 *   - the zero-width non-joiner and joiner (U+200C, U+200D) except between
 *     two non-ASCII characters, where Persian, Indic scripts and emoji
 *     sequences use them; between ASCII letters they only hide;
 *   - variation selectors (U+FE00-U+FE0F, U+E0100-U+E01EF) except one
 *     right after a character it can vary: a letter, number, symbol or
 *     punctuation that is not ASCII (emoji presentation, ideographic
 *     variants), or an ASCII digit, '#' or '*' (keycaps). More than one in
 *     a row carries hidden bytes ("emoji smuggling"), and after an ASCII
 *     letter one changes nothing but the bytes;
 *   - tag characters (U+E0000-U+E007F), all of them: they are invisible
 *     copies of ASCII (used to hide instructions from human readers in
 *     text given to language models), and their one use, three
 *     subdivision flag emoji, is no loss in a name;
 *   - private-use characters (they show as whatever a font puts there),
 *     unassigned code points and noncharacters;
 *   - a combining mark first (it would combine with whatever is printed
 *     before the name), or more than NAME_MARKS_MAX on one character (they
 *     draw over the lines above and below).
 *
 * Names are signed in NFC (name_nfc: the CLI normalises what it is given
 * before it signs), so that the same name typed on two systems is the
 * same bytes in every record and groups together even on nodes older than
 * this rule. And names are compared by their key (name_key), whoever
 * signed them: a peer can sign any form. */
#ifndef EM_NAME_H
#define EM_NAME_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define NAME_MARKS_MAX	8	/* combining marks on one character */

/* Room for name_show of a text of n bytes: each byte can become at most
 * eight ("<U+001B>"), and the NUL. */
#define NAME_SHOW_CAP(n)	(8 * (size_t)(n) + 1)

/* Room for name_key or name_nfc of a text of n bytes: NFC can make a text
 * up to three times longer (UAX #15), and the NUL. */
#define NAME_KEY_CAP(n)		(3 * (size_t)(n) + 1)

enum name_fault {
	NAME_OK = 0,
	NAME_UTF8,		/* not well-formed UTF-8 */
	NAME_CONTROL,		/* Cc, U+2028, U+2029 */
	NAME_BIDI,		/* a bidirectional control */
	NAME_INVISIBLE,		/* Cf or Default_Ignorable_Code_Point */
	NAME_JOINER,		/* U+200C or U+200D out of place */
	NAME_VARIATION,		/* a variation selector out of place */
	NAME_TAG,		/* U+E0000-U+E007F */
	NAME_PRIVATE,		/* Co */
	NAME_UNASSIGNED,	/* Cn: unassigned, a noncharacter */
	NAME_MARK,		/* a combining mark first */
	NAME_MARKS,		/* more than NAME_MARKS_MAX marks in a row */
};

/* The first character of s (NUL-terminated) that a name may not hold:
 * its fault, and its byte offset and code point in *at and *cp (either may
 * be NULL; for NAME_UTF8 the code point is the byte). NAME_OK if none. */
enum name_fault name_fault_at(const char *s, size_t *at, uint32_t *cp);

/* What is wrong with a character of that fault, in words ("a
 * bidirectional control"). Static. */
const char *name_fault_why(enum name_fault f);

/* Checks s as a name this node would sign. EM_OK; or EM_EFORMAT (EM_EUTF8
 * for bad UTF-8) with a one-line reason in why (cap bytes): "holds a
 * bidirectional control (U+202E at byte 4)". Length is the caller's. */
em_err name_check(const char *s, char *why, size_t cap);

/* s in Unicode Normalization Form C, written to out (cap bytes, the NUL
 * included). EM_ETOOBIG if it does not fit, EM_EUTF8 if s is not UTF-8,
 * EM_ENOMEM. out may not be s. */
em_err name_nfc(const char *s, char *out, size_t cap);

/* The key two names are compared by, written to out (cap bytes): s in
 * NFC, with every Default_Ignorable_Code_Point removed (the zero-width
 * characters, joiners, variation selectors, the soft hyphen, tags, ...),
 * every space separator (Zs) as U+0020, runs of them as one and none at
 * either end. Names with equal keys are one name: they differ only by
 * what does not show or by normalisation. Errors as name_nfc. */
em_err name_key(const char *s, char *out, size_t cap);

/* 1 if a and b are one name (equal keys), else 0. Two texts whose keys
 * cannot be computed (bad UTF-8, no memory) are one name only if their
 * bytes are equal. */
int name_same(const char *a, const char *b);

/* s as it is printed: itself when it holds nothing a name may not hold
 * (no copy made); else written to buf (cap bytes) with every such
 * character as <U+XXXX> (a byte that is no UTF-8 as <0xXX>), cut with "…"
 * if buf is too small (NAME_SHOW_CAP(strlen(s)) never is). One line, and
 * every character in it shows as itself. The one function that prints a
 * peer's text: tables, CSV, messages and log lines all go through it. */
const char *name_show(const char *s, char *buf, size_t cap);

#endif

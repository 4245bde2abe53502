/* common/utf8.h — strict UTF-8 validation for text from outside. */
#ifndef EM_UTF8_H
#define EM_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Returns 1 if s[0..len) is well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF) and holds no NUL; 0 otherwise. */
int utf8_valid(const uint8_t *s, size_t len);

/* utf8_valid, and nothing that would rewrite the line it is printed on
 * or hide in it: no control character (C0, DEL, C1), no line or paragraph
 * separator (U+2028, U+2029), no bidirectional embedding, override or
 * isolate (U+202A-U+202E, U+2066-U+2069), no invisible format character
 * (the zero-width space U+200B, direction marks U+061C, U+200E, U+200F,
 * U+2060-U+2064, the BOM, U+180E, U+FFF9-U+FFFB; the zero-width
 * non-joiner and joiner stay, scripts spell with them). For names and
 * one-line texts that others sign and every node prints. */
int utf8_printable(const uint8_t *s, size_t len);

/* utf8_printable for texts of several lines: line feeds and tabs too. */
int utf8_printable_lines(const uint8_t *s, size_t len);

/* 1 if the code point is one utf8_printable refuses, else 0. */
int utf8_unprintable(uint32_t cp);

/* The length of the longest prefix of s (NUL-terminated) of at most max
 * bytes that does not split a character: strlen(s) if it fits. */
size_t utf8_clip(const char *s, size_t max);

/* s itself when strlen(s) <= max, or when cap < 4; else buf, holding the
 * utf8_clip prefix of s that leaves room for "…" (3 bytes) within
 * m = min(max, cap - 4) bytes, then "…" and a NUL: at most m bytes of
 * text, but "…" alone when m < 3. For a text quoted in a message of
 * bounded length; the result lives as long as s or buf. */
const char *utf8_fit(const char *s, size_t max, char *buf, size_t cap);

/* Replaces, in place, every byte of s (NUL-terminated) that is not part
 * of a well-formed UTF-8 character with '?': for a line about to be
 * printed that was cut at a byte count. The length does not change. */
void utf8_repair(char *s);

#endif

/* common/utf8.h — strict UTF-8 validation for text from outside. */
#ifndef EM_UTF8_H
#define EM_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Returns 1 if s[0..len) is well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF) and holds no NUL; 0 otherwise. */
int utf8_valid(const uint8_t *s, size_t len);

/* utf8_valid, and nothing that would rewrite the line it is printed on:
 * no control character (C0, DEL, C1), no line or paragraph separator
 * (U+2028, U+2029), no bidirectional embedding, override or isolate
 * (U+202A-U+202E, U+2066-U+2069). For names and one-line texts that
 * others sign and every node prints. */
int utf8_printable(const uint8_t *s, size_t len);

#endif

/* common/utf8.h — strict UTF-8 validation for text from outside. */
#ifndef EM_UTF8_H
#define EM_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Returns 1 if s[0..len) is well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF) and holds no NUL; 0 otherwise. */
int utf8_valid(const uint8_t *s, size_t len);

#endif

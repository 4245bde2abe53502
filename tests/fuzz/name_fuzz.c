/* libFuzzer: names as a peer could sign them (common/name.h). What is
 * shown fits its buffer, holds nothing a name may not (unless cut), and is
 * the name itself when nothing is wrong with it; keys and NFC are stable
 * under a second pass, and a name is one name with its key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "name.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_show(const char *s, size_t len)
{
	size_t cap = NAME_SHOW_CAP(len);
	char *buf = malloc(cap), small[24];
	const char *shown;
	enum name_fault f = name_fault_at(s, NULL, NULL);

	if (buf == NULL)
		return;
	shown = name_show(s, buf, cap);
	if ((f == NAME_OK) != (shown == s) || strlen(shown) >= cap ||
	    name_fault_at(shown, NULL, NULL) != NAME_OK)
		abort();
	for (size_t k = 0; k <= sizeof small; k++) {
		shown = name_show(s, small, k);
		if (shown != s && k > 0 && strlen(shown) >= k)
			abort();
	}
	free(buf);
}

static void
check_key(const char *s, size_t len)
{
	size_t cap = NAME_KEY_CAP(len);
	char *a = malloc(cap), *b = malloc(cap);

	if (a == NULL || b == NULL)
		goto out;
	if (name_nfc(s, a, cap) == EM_OK &&
	    (name_nfc(a, b, cap) != EM_OK || strcmp(a, b) != 0))
		abort();
	if (name_key(s, a, cap) == EM_OK &&
	    (name_key(a, b, cap) != EM_OK || strcmp(a, b) != 0 || !name_same(s, a)))
		abort();
out:
	free(a);
	free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	size_t len;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	len = strlen(s);
	check_show(s, len);
	if (utf8_valid((const uint8_t *)s, len))
		check_key(s, len);
	free(s);
	return 0;
}

/* Identity key files (plain and sealed), network keys, hex and UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"
#include "hash.h"
#include "hex.h"
#include "keyfile.h"
#include "netkey.h"
#include "testutil.h"
#include "utf8.h"

static char dir[512];

static int
setup(void **state)
{
	(void)state;
	assert_int_equal(hash_init(), EM_OK);
	snprintf(dir, sizeof dir, "%s", tu_tmpdir());
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tu_rmtree(dir);
	return 0;
}

static void
path_of(char *out, const char *name)
{
	snprintf(out, 600, "%s/%s", dir, name);
}

static void
flip_byte(const char *path, size_t at)
{
	uint8_t *buf;
	size_t len;

	assert_int_equal(file_read(path, 4096, &buf, &len), EM_OK);
	buf[at % len] ^= 0x40;
	assert_int_equal(file_replace(path, 0600, buf, len), EM_OK);
	free(buf);
}

static void
test_plain_keyfile(void **state)
{
	char p[600];
	ident *a, *b;
	struct stat sb;
	uint8_t pk[32];
	int sealed;

	(void)state;
	path_of(p, "plain.key");
	assert_int_equal(ident_generate(&a), EM_OK);
	assert_int_equal(keyfile_create(p, a, NULL), EM_OK);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(keyfile_create(p, a, NULL), EM_EEXIST);
	assert_int_equal(keyfile_load(p, NULL, &b), EM_OK);
	assert_memory_equal(ident_pk(a), ident_pk(b), 32);
	assert_int_equal(keyfile_public(p, pk, &sealed), EM_OK);
	assert_int_equal(sealed, 0);
	ident_free(b);
	/* readable by others: refused, as OpenSSH does */
	chmod(p, 0644);
	assert_int_equal(keyfile_load(p, NULL, &b), EM_EPERM);
	chmod(p, 0600);
	/* damaged anywhere: a clear error and no identity */
	for (size_t at = 0; at < 103; at += 11) {
		flip_byte(p, at);
		b = (ident *)1;
		assert_int_equal(keyfile_load(p, NULL, &b), EM_EKEYFILE);
		assert_null(b);
		flip_byte(p, at);
	}
	assert_int_equal(keyfile_load(p, NULL, &b), EM_OK);
	ident_free(b);
	ident_free(a);
}

static void
test_sealed_keyfile(void **state)
{
	char p[600];
	ident *a, *b = NULL;
	uint8_t pk[32];
	int sealed;

	(void)state;
	path_of(p, "sealed.key");
	assert_int_equal(ident_generate(&a), EM_OK);
	assert_int_equal(keyfile_create(p, a, "correct horse"), EM_OK);
	assert_int_equal(keyfile_public(p, pk, &sealed), EM_OK);
	assert_int_equal(sealed, 1);
	assert_memory_equal(pk, ident_pk(a), 32);
	assert_int_equal(keyfile_load(p, NULL, &b), EM_ELOCKED);
	assert_int_equal(keyfile_load(p, "wrong horse", &b), EM_EPASS);
	assert_null(b);
	assert_int_equal(keyfile_load(p, "correct horse", &b), EM_OK);
	assert_memory_equal(ident_pk(a), ident_pk(b), 32);
	ident_free(b);
	/* the checksum tells damage from a wrong passphrase */
	flip_byte(p, 60);
	assert_int_equal(keyfile_load(p, "correct horse", &b), EM_EKEYFILE);
	ident_free(a);
}

static void
test_netkey(void **state)
{
	char p[600], bad[600];
	uint8_t k1[32], k2[32], id1[32], id2[32];

	(void)state;
	path_of(p, "net.key");
	path_of(bad, "bad.key");
	netkey_generate(k1);
	assert_int_equal(netkey_create(p, k1), EM_OK);
	assert_int_equal(netkey_read(p, 1, k2), EM_OK);
	assert_memory_equal(k1, k2, 32);
	netkey_id(k1, id1);
	netkey_open(k2);
	netkey_id(k2, id2);
	assert_memory_not_equal(id1, id2, 32);
	assert_memory_not_equal(id1, k1, 32);	/* the id does not show the key */
	assert_int_equal(file_create(bad, 0600, (const uint8_t *)"not hex\n", 8), EM_OK);
	assert_int_equal(netkey_read(bad, 1, k2), EM_EFORMAT);
	chmod(p, 0640);
	assert_int_equal(netkey_read(p, 1, k2), EM_EPERM);
	assert_int_equal(netkey_read(p, 0, k2), EM_OK);
}

static void
test_hex(void **state)
{
	uint8_t id[32], pfx[32], out[32];
	char text[65];
	size_t nib;

	(void)state;
	for (int i = 0; i < 32; i++)
		id[i] = (uint8_t)(i * 37);
	hex_encode(text, id, 32);
	assert_int_equal(strlen(text), 64);
	assert_int_equal(hex_decode(out, 32, text), EM_OK);
	assert_memory_equal(id, out, 32);
	assert_int_equal(hex_decode(out, 32, "00"), EM_EFORMAT);
	text[9] = 0;	/* a 9-digit prefix, odd */
	assert_int_equal(hex_prefix(text, pfx, &nib), EM_OK);
	assert_int_equal(nib, 9);
	assert_true(hex_prefix_match(id, pfx, nib));
	id[4] ^= 0x01;	/* the 10th digit differs: still a match */
	assert_true(hex_prefix_match(id, pfx, nib));
	id[4] ^= 0x10;	/* the 9th digit differs */
	assert_false(hex_prefix_match(id, pfx, nib));
	assert_int_equal(hex_prefix("abc", pfx, &nib), EM_EFORMAT);
	assert_int_equal(hex_prefix("abcdefgh", pfx, &nib), EM_EFORMAT);
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_true(utf8_valid((const uint8_t *)"plain", 5));
	assert_true(utf8_valid((const uint8_t *)"答案是４２。", strlen("答案是４２。")));
	assert_true(utf8_valid((const uint8_t *)"\xf0\x9f\x98\x80", 4));
	assert_false(utf8_valid((const uint8_t *)"\xc0\xaf", 2));	/* overlong */
	assert_false(utf8_valid((const uint8_t *)"\xed\xa0\x80", 3));	/* surrogate */
	assert_false(utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(utf8_valid((const uint8_t *)"\xe4\xb8", 2));	/* cut short */
	assert_false(utf8_valid((const uint8_t *)"a\0b", 3));
}

/* Cutting a text for a message never splits a character, and a line cut
 * at a byte count is mended before it is printed. */
static void
test_utf8_cut(void **state)
{
	/* "请求的提示词" is six 3-byte characters */
	static const char zh[] = "aa\xe8\xaf\xb7\xe6\xb1\x82\xe7\x9a\x84\xe6\x8f\x90";
	char buf[64], line[32];

	(void)state;
	assert_int_equal(utf8_clip(zh, 100), strlen(zh));
	assert_int_equal(utf8_clip(zh, 2), 2);
	for (size_t max = 2; max < 14; max++) {
		size_t n = utf8_clip(zh, max);

		assert_true(n <= max && n + 3 > max && (n - 2) % 3 == 0);
		assert_true(utf8_valid((const uint8_t *)zh, n));
	}
	assert_int_equal(utf8_clip("\xff\xfe" "ab", 3), 3);	/* stray bytes one at a time */
	assert_ptr_equal(utf8_fit(zh, 100, buf, sizeof buf), zh);
	assert_string_equal(utf8_fit(zh, 10, buf, sizeof buf), "aa\xe8\xaf\xb7\xe2\x80\xa6");
	assert_true(strlen(utf8_fit(zh, 9, buf, sizeof buf)) <= 9);
	assert_true(utf8_valid((const uint8_t *)buf, strlen(buf)));
	assert_true(strlen(utf8_fit(zh, 100, buf, 8)) == strlen(zh));	/* fits: as given */
	assert_true(strlen(utf8_fit(zh, 12, buf, 8)) <= 7);	/* buf bounds the cut */
	/* a line cut mid-character, and stray bytes, are mended */
	memcpy(line, zh, 5);
	line[5] = '\0';
	utf8_repair(line);
	assert_string_equal(line, "aa\xe8\xaf\xb7");
	line[4] = '\0';
	utf8_repair(line);
	assert_string_equal(line, "aa??");
	strcpy(line, "a\xc0\xaf" "b\xed\xa0\x80");
	utf8_repair(line);
	assert_string_equal(line, "a??b???");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_keyfile),
		cmocka_unit_test(test_sealed_keyfile),
		cmocka_unit_test(test_netkey),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_utf8_cut),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

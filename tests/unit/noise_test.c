/* Noise XX and XXpsk3 against the published cacophony vectors, and the
 * failures that matter: a wrong PSK, tampering, out-of-turn messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "hash.h"
#include "hex.h"
#include "noise.h"

#define SKIP 77	/* ctest's SKIP_RETURN_CODE for this test */

static json_t *vectors;

/* Decodes the hex string field of v into out; returns its length. */
static size_t
field(json_t *v, const char *name, uint8_t *out, size_t cap)
{
	const char *s = json_string_value(json_object_get(v, name));
	size_t n;

	assert_non_null(s);
	n = strlen(s) / 2;
	assert_true(n <= cap);
	assert_int_equal(hex_decode(out, n, s), EM_OK);
	return n;
}

static json_t *
find(const char *protocol)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(vectors, "vectors"), i, v) {
		const char *name = json_string_value(json_object_get(v, "protocol_name"));

		if (name != NULL && strcmp(name, protocol) == 0)
			return v;
	}
	fail_msg("no vector for %s", protocol);
	return NULL;
}

static void
run_vector(const char *protocol, int with_psk)
{
	json_t *v = find(protocol), *msgs = json_object_get(v, "messages"), *m;
	uint8_t prologue[256], is[32], ie[32], rs[32], re[32], psk[32], hh[64];
	uint8_t payload[1024], want[1024], got[1024], back[1024];
	size_t plen, wlen, glen, blen, i, prl;
	noise_hs ini, res;
	noise_cs ini_tx, ini_rx, res_tx, res_rx;

	prl = field(v, "init_prologue", prologue, sizeof prologue);
	field(v, "init_static", is, 32);
	field(v, "init_ephemeral", ie, 32);
	field(v, "resp_static", rs, 32);
	field(v, "resp_ephemeral", re, 32);
	if (with_psk) {
		const char *p = json_string_value(json_array_get(json_object_get(v, "init_psks"), 0));

		assert_int_equal(hex_decode(psk, 32, p), EM_OK);
	}
	noise_hs_init(&ini, 1, prologue, prl, is, with_psk ? psk : NULL, ie);
	noise_hs_init(&res, 0, prologue, prl, rs, with_psk ? psk : NULL, re);
	json_array_foreach(msgs, i, m) {
		int from_ini = i % 2 == 0;

		plen = field(m, "payload", payload, sizeof payload);
		wlen = field(m, "ciphertext", want, sizeof want);
		if (i < 3) {
			assert_int_equal(noise_write(from_ini ? &ini : &res, payload, plen,
			    got, sizeof got, &glen), EM_OK);
			assert_int_equal(noise_read(from_ini ? &res : &ini, got, glen, back,
			    sizeof back, &blen), EM_OK);
		} else {
			assert_int_equal(noise_encrypt(from_ini ? &ini_tx : &res_tx, NULL, 0,
			    payload, plen, got), EM_OK);
			glen = plen + NOISE_TAGLEN;
			assert_int_equal(noise_decrypt(from_ini ? &res_rx : &ini_rx, NULL, 0,
			    got, glen, back), EM_OK);
			blen = glen - NOISE_TAGLEN;
		}
		assert_int_equal(glen, wlen);
		assert_memory_equal(got, want, wlen);
		assert_int_equal(blen, plen);
		assert_memory_equal(back, payload, plen);
		if (i == 2) {
			assert_true(noise_done(&ini) && noise_done(&res));
			field(v, "handshake_hash", hh, sizeof hh);
			assert_memory_equal(ini.h, hh, 64);
			assert_memory_equal(res.h, hh, 64);
			assert_memory_equal(ini.rs, res.s_pub, 32);	/* each knows the other */
			assert_memory_equal(res.rs, ini.s_pub, 32);
			noise_split(&ini, &ini_tx, &ini_rx);
			noise_split(&res, &res_tx, &res_rx);
		}
	}
	assert_true(i >= 4);	/* handshake and transport both checked */
}

static void
test_xx_vectors(void **state)
{
	(void)state;
	run_vector("Noise_XX_25519_ChaChaPoly_BLAKE2b", 0);
}

static void
test_xxpsk3_vectors(void **state)
{
	(void)state;
	run_vector("Noise_XXpsk3_25519_ChaChaPoly_BLAKE2b", 1);
}

/* Runs a handshake with random keys; returns the first error. */
static em_err
handshake(const uint8_t *ipsk, const uint8_t *rpsk, int tamper_msg)
{
	uint8_t is[32], rs[32], buf[256], out[256];
	size_t len, olen;
	noise_hs ini, res;
	em_err err = EM_OK;

	noise_keygen(is);
	noise_keygen(rs);
	noise_hs_init(&ini, 1, (const uint8_t *)"p", 1, is, ipsk, NULL);
	noise_hs_init(&res, 0, (const uint8_t *)"p", 1, rs, rpsk, NULL);
	for (int i = 0; i < 3 && err == EM_OK; i++) {
		noise_hs *w = i % 2 ? &res : &ini, *r = i % 2 ? &ini : &res;

		if ((err = noise_write(w, (const uint8_t *)"hi", 2, buf, sizeof buf, &len)) != EM_OK)
			break;
		if (i == tamper_msg)
			buf[len / 2] ^= 1;
		err = noise_read(r, buf, len, out, sizeof out, &olen);
	}
	noise_hs_wipe(&ini);
	noise_hs_wipe(&res);
	return err;
}

static void
test_failures(void **state)
{
	uint8_t k1[32], k2[32], s[32], buf[256];
	size_t len;
	noise_hs hs;

	(void)state;
	memset(k1, 1, 32);
	memset(k2, 2, 32);
	assert_int_equal(handshake(k1, k1, -1), EM_OK);
	assert_int_equal(handshake(NULL, NULL, -1), EM_OK);
	/* without the network key, the third message does not authenticate */
	assert_int_equal(handshake(k1, k2, -1), EM_ECRYPTO);
	for (int m = 1; m < 3; m++)
		assert_int_equal(handshake(k1, k1, m), EM_ECRYPTO);
	/* out of turn, and short messages */
	noise_keygen(s);
	noise_hs_init(&hs, 0, NULL, 0, s, k1, NULL);
	assert_int_equal(noise_write(&hs, NULL, 0, buf, sizeof buf, &len), EM_EINVAL);
	assert_int_equal(noise_read(&hs, buf, 10, buf, sizeof buf, &len), EM_ETRUNC);
	noise_hs_init(&hs, 1, NULL, 0, s, k1, NULL);
	assert_int_equal(noise_write(&hs, NULL, 0, buf, 20, &len), EM_ETOOBIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xx_vectors),
		cmocka_unit_test(test_xxpsk3_vectors),
		cmocka_unit_test(test_failures),
	};
	json_error_t jerr;

	hash_init();
	if ((vectors = json_load_file(EM_NOISE_VECTORS, 0, &jerr)) == NULL) {
		printf("SKIPPED: Noise test vectors not readable at %s (%s): they come "
		    "from ../shared beside the checkout\n", EM_NOISE_VECTORS, jerr.text);
		return SKIP;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* A node's home (node/cli/home.h): what home_open leaves behind when it
 * fails — nothing to release, and no network key in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "hash.h"
#include "home.h"
#include "netkey.h"
#include "testutil.h"

static const opt opts[] = { { "home", OPT_VALUE, 0 } };

/* Opens dir as a home; returns home_open's answer. */
static int
open_at(const char *dir, home_ctx *h)
{
	char *argv[] = { "--home", (char *)(uintptr_t)dir };
	char why[128];
	args_parsed a;

	assert_int_equal(args_parse(&a, opts, 1, 2, argv, 0, why, sizeof why), EM_OK);
	return home_open(h, &a, 0);
}

static int
all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* network.key read, then identity.key missing: the key read is wiped. */
static void
test_failure_wipes_network_key(void **state)
{
	char dir[512], path[600];
	uint8_t key[NETKEY_LEN];
	home_ctx h;

	(void)state;
	assert_int_equal(hash_init(), EM_OK);
	snprintf(dir, sizeof dir, "%s", tu_tmpdir());
	memset(key, 0x5a, sizeof key);
	snprintf(path, sizeof path, "%s/network.key", dir);
	assert_int_equal(netkey_create(path, key), EM_OK);
	assert_int_equal(open_at(dir, &h), 1);
	assert_true(all_zero(h.netkey, sizeof h.netkey));
	assert_null(h.st);
	assert_null(h.me);
	home_close(&h);		/* harmless after a failure */
	tu_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failure_wipes_network_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

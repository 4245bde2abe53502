/* The control socket's answers (node/daemon/control.c: control_answer)
 * on a fake clock: uptime counted on the monotonic clock, the gossip
 * core's last sync shown as a wall time, and the bans listed while they
 * hold — the rule dial_banned decides on — whatever the wall clock does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon_fixture.h"

#define DAY_MS	86400000ull
#define HOUR_MS	3600000ull

/* The answer to line, which must be an object. */
static json_t *
ask(fixture *fx, const char *line)
{
	json_t *o = control_answer(fx->d, line);

	assert_true(json_is_object(o));
	return o;
}

static json_int_t
uptime(fixture *fx)
{
	json_t *o = ask(fx, "{\"cmd\": \"status\"}\n");
	json_int_t s = json_integer_value(json_object_get(o, "uptime_s"));

	assert_true(json_is_integer(json_object_get(o, "uptime_s")));
	json_decref(o);
	return s;
}

/* Whole seconds since the start on the monotonic clock: the wall clock
 * stepping back a day, or to before the start, neither wraps it nor
 * makes it negative. */
static void
test_uptime_on_mono(void **state)
{
	fixture *fx = *state;

	assert_int_equal(uptime(fx), 0);
	fx->f.mono = MONO0 + 5999;
	assert_int_equal(uptime(fx), 5);
	fx->f.wall = WALL0 - DAY_MS;
	fx->f.mono = MONO0 + 6000;
	assert_int_equal(uptime(fx), 6);
	fx->f.wall = 0;
	fx->f.mono = MONO0 + 3 * HOUR_MS;
	assert_int_equal(uptime(fx), 3 * 3600);
	fx->f.wall = WALL0 + 365 * DAY_MS;
	assert_int_equal(uptime(fx), 3 * 3600);
}

/* status's last_sync, or NULL when there is none (the key is left out);
 * the caller frees. */
static char *
last_sync(fixture *fx)
{
	json_t *o = ask(fx, "{\"cmd\": \"status\"}\n");
	const char *s = json_string_value(json_object_get(o, "last_sync"));
	char *copy = s ? strdup(s) : NULL;

	assert_true(s != NULL || json_object_get(o, "last_sync") == NULL);
	json_decref(o);
	return copy;
}

/* The gossip core runs on the monotonic clock; its last sync is shown as
 * the wall time it was that long ago. */
static void
test_last_sync_shown_as_wall(void **state)
{
	fixture *fx = *state;
	wire_msg m = { .type = WIRE_SUMMARY };
	char want[32], *got;

	assert_null(last_sync(fx));
	fx->f.mono = 777000;
	assert_int_equal(gossip_peer_up(fx->d->g, 1, daemon_mono(fx->d)), EM_OK);
	m.u.summary.reply = 1;
	gossip_recv(fx->d->g, 1, &m, daemon_mono(fx->d));	/* an empty summary: synced */
	assert_int_equal(gossip_last_sync(fx->d->g), 777000);
	fx->f.mono += 5000;
	got = last_sync(fx);
	assert_string_equal(got, em_time_iso(WALL0 - 5000, want, sizeof want));
	free(got);
	/* the wall clock steps back an hour: so does the time shown */
	fx->f.wall = WALL0 - HOUR_MS;
	got = last_sync(fx);
	assert_string_equal(got, em_time_iso(WALL0 - HOUR_MS - 5000, want, sizeof want));
	free(got);
}

/* How many bans the "peers" answer lists; the first one's end in until. */
static size_t
bans(fixture *fx, char *until, size_t cap)
{
	json_t *o = ask(fx, "{\"cmd\": \"peers\"}\n"), *b = json_object_get(o, "bans");
	size_t n = json_array_size(b);

	assert_true(json_is_array(b));
	if (n > 0)
		snprintf(until, cap, "%s", json_string_value(json_object_get(
		    json_array_get(b, 0), "until")));
	json_decref(o);
	return n;
}

/* A ban is listed exactly while dial_banned refuses the peer: to its last
 * millisecond on the monotonic clock with the wall clock a day ahead, and
 * no longer once it ends with the wall clock an hour back. Its end is
 * shown as a wall time. */
static void
test_bans_listed_while_they_hold(void **state)
{
	fixture *fx = *state;
	uint8_t id[32];
	uint64_t t0 = 250000;
	char until[64], want[32];

	memset(id, 0xab, sizeof id);
	assert_int_equal(bans(fx, until, sizeof until), 0);
	fx->f.mono = t0;
	dial_ban(fx->d, "10.1.2.3:7000", id);
	assert_int_equal(bans(fx, until, sizeof until), 1);
	assert_string_equal(until, em_time_iso(WALL0 + BAN_MS, want, sizeof want));
	fx->f.wall = WALL0 + DAY_MS;
	fx->f.mono = t0 + BAN_MS - 1;
	assert_true(dial_banned(fx->d, NULL, id));
	assert_int_equal(bans(fx, until, sizeof until), 1);
	fx->f.wall = WALL0 - HOUR_MS;
	fx->f.mono = t0 + BAN_MS;
	assert_false(dial_banned(fx->d, NULL, id));
	assert_int_equal(bans(fx, until, sizeof until), 0);
}

/* What is not a known request gets one line of error. */
static void
test_bad_requests(void **state)
{
	static const char *const bad[] = { "", "not json\n", "[1, 2]\n", "{}\n",
	    "{\"cmd\": 7}\n", "{\"cmd\": \"reboot\"}\n" };
	fixture *fx = *state;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *o = ask(fx, bad[i]);
		const char *e = json_string_value(json_object_get(o, "error"));

		assert_non_null(e);
		assert_null(strchr(e, '\n'));
		json_decref(o);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_uptime_on_mono, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_last_sync_shown_as_wall, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bans_listed_while_they_hold, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

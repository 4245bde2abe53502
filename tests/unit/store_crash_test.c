/* The LMDB store under kill -9: a writer killed in the middle of its
 * writes loses nothing it acknowledged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store.h"
#include "store_fixture.h"
#include "testutil.h"

/* The child writes batches and reports each id on the pipe only after its
 * transaction committed (an acknowledgment); its own failures are exit
 * statuses 2 to 5, and it never ends by itself. */
static void
crash_writer(const char *dir, int fd, unsigned seed)
{
	store *cs;
	ident *me;
	rec_env envs[64];
	uint8_t *bufs[64];

	if (store_open(dir, netid, NULL, &cs) != EM_OK || ident_generate(&me) != EM_OK)
		_exit(2);
	srand(seed);
	for (uint64_t seq = 1; seq < 1000000;) {
		size_t n = 1 + (size_t)rand() % 64;

		for (size_t i = 0; i < n; i++) {
			size_t len;

			tu_record(me, netid, seq + i, (uint32_t)(seq + i), &bufs[i], &len);
			if (rec_open(bufs[i], len, netid, &envs[i], NULL) != EM_OK)
				_exit(3);
		}
		if (store_put_batch(cs, envs, n, NULL) != EM_OK)
			_exit(4);
		for (size_t i = 0; i < n; i++) {
			if (write(fd, envs[i].id, 32) != 32)
				_exit(5);
			free(bufs[i]);
		}
		seq += n;
	}
	_exit(0);
}

/* Reads one acknowledged id from in into *ids (grown as needed): 1, or 0
 * at the end of the pipe. Pipe writes of 32 bytes are atomic: whole ids
 * or nothing. */
static int
read_ack(FILE *in, uint8_t (**ids)[32], size_t *n, size_t *cap)
{
	uint8_t id[32];

	if (fread(id, 1, 32, in) != 32)
		return 0;
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 256;
		assert_non_null(*ids = realloc(*ids, *cap * sizeof **ids));
	}
	memcpy((*ids)[(*n)++], id, 32);
	return 1;
}

/* kill -9 while the child writes: the parent reads the child's
 * acknowledgments and kills it once it has read a number of them drawn
 * from a seeded stream (1 to 400) — never after a time, so a loaded
 * machine changes nothing but when. Every id acknowledged, before the
 * kill or still in the pipe after it, is in the store; a child that
 * stops on an error of its own fails the test. */
static void
test_kill9_loses_nothing_acknowledged(void **state)
{
	char dir[512];
	store *st = fresh(dir, 256 * 1024);	/* small: growth happens mid-run too */
	uint64_t total = 0, rng = 0x6b696c6c39ULL;
	uint8_t (*ids)[32] = NULL;
	size_t cap = 0;

	(void)state;
	store_free(st);
	for (int round = 0; round < 24; round++) {
		size_t acked = 0, target = 1 + (size_t)(tu_next(&rng) % 400);
		int fds[2], status;
		pid_t pid;
		FILE *in;

		assert_int_equal(pipe(fds), 0);
		if ((pid = fork()) == 0) {
			close(fds[0]);
			crash_writer(dir, fds[1], (unsigned)round);
		}
		close(fds[1]);
		assert_non_null(in = fdopen(fds[0], "rb"));
		while (acked < target && read_ack(in, &ids, &acked, &cap))
			;
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			fail_msg("round %d: the writer ended by itself (status %d) after %zu of %zu "
			    "acknowledgments", round, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
			    acked, target);
		assert_true(acked == target);
		while (read_ack(in, &ids, &acked, &cap))	/* sent before it died */
			;
		fclose(in);
		assert_int_equal(store_open(dir, netid, NULL, &st), EM_OK);
		for (size_t i = 0; i < acked; i++)
			assert_true(store_has(st, ids[i]));
		total += acked;
		store_free(st);
	}
	free(ids);
	assert_true(total >= 24);
	print_message("kill -9: 24 rounds, %llu acknowledged records all present\n",
	    (unsigned long long)total);
	tu_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill9_loses_nothing_acknowledged),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}

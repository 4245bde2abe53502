/* tests/bench/leaderboard — what `evalmesh leaderboard TASK` costs, beside
 * reading its rows and beside starting a command at all.
 *
 * The store: R signed results (default 1,000,000) over K tasks (1,000),
 * R/K a task, from A authors (100), each task with its task record, in a
 * real node home made by `evalmesh init` when --evalmesh names the binary.
 * A task's models are M names (100) in up to three revisions; they are
 * reported in this shape — our guess, not a measurement (no network of
 * this kind exists yet to count):
 *   - a quarter of the models have one reporter: a lab's own model that
 *     nobody else runs (closed weights, or too new);
 *   - 40% have 2-4 and a quarter 5-9: open models that a few labs run;
 *   - a tenth have 10-20: the popular open models most labs compare
 *     themselves against;
 * 4.7 reporters a model on average, and one reporter in five ran it
 * twice (a rerun after a fix: the earlier result is superseded). At R/K
 * = 1,000 that is about 180 models a task. Reporters of one model agree
 * within +-0.02. --single gives the shape this benchmark had before
 * (every model one reporter, with three or four results of which all
 * but the last are superseded).
 *
 * Each of N rounds (default 600) takes a task not read before — its rows
 * not in the page cache, as on the first call after one of its results
 * arrived — and times, in one run:
 *   (b) what `evalmesh leaderboard NAME` does before it prints (one_task
 *       in node/cli/cmd/cmd_leaderboard.c): the task found by name among all the
 *       task records, its record and manifest loaded, the board computed
 *       — rows scanned, grouped, combined, ranked, sorted, names copied
 *       out, the board's digest computed — and freed; each step's share
 *       too;
 *   (c) the same again, its pages now in cache;
 * then, the task's rows now in cache, the best of five turns of
 *   (a) a raw LMDB cursor scan over its board rows touching every byte
 *       (store_board_raw): the floor;
 *   (d) board_compute alone; and the scan alone,
 *       decoding the rows for a ranking and decoding every field.
 * Each is the median over the rounds, after up to 100 tasks to warm up;
 * ratios are medians of each round's own ratio to (a). Then, with
 * --evalmesh, whole processes on C (100) more unread tasks: `evalmesh
 * id` (the process start, home and store open every command pays)
 * against `evalmesh leaderboard NAME`, first and again, output to
 * /dev/null: what users wait for. With --baseline, another build of
 * evalmesh (say, the last commit's) on the same store, the two taking
 * turns, for a change's effect on that without the day's drift: each
 * round one build makes the first call on its unread task and then both
 * call again; printed with their ratio.
 * Prints only; asserts nothing about speed. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "bench.h"
#include "board.h"
#include "hash.h"
#include "netkey.h"
#include "record.h"
#include "store.h"
#include "task.h"
#include "testutil.h"

extern char **environ;

#define WARM	100	/* tasks read before the rounds count */

/* One result to make: the model slot it reports, by whom, its value. */
struct entry {
	uint32_t	slot;
	uint16_t	author;
	uint16_t	value;		/* k of 500 items right */
};

struct plan {
	struct entry	*e;
	size_t		 n;
};

struct cfg {
	long		 n, k, na, models, rounds, calls;
	int		 single;
	const char	*exe, *base;
	char		 home[600], store[700];
};

static uint64_t
mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* How many labs report a model (see the top of the file). */
static unsigned
reporters(uint64_t h)
{
	unsigned u = (unsigned)(h % 100), v = (unsigned)(h >> 32);

	if (u < 25)
		return 1;
	if (u < 65)
		return 2 + v % 3;
	if (u < 90)
		return 5 + v % 5;
	return 10 + v % 11;
}

/* Task t's want results, model slot by slot. */
static int
plan_task(const struct cfg *c, long t, size_t want, struct plan *p)
{
	if ((p->e = malloc(want * sizeof *p->e)) == NULL)
		return 1;
	p->n = 0;
	for (uint32_t j = 0; p->n < want; j++) {
		uint64_t h = mix(((uint64_t)t << 32) | j);
		unsigned nrep = c->single ? 1 : reporters(h), base = 50 + (unsigned)(mix(h) % 401);
		long first = c->single ? (long)(j % c->models) : (long)(mix(h + 1) % (uint64_t)c->na);

		if (nrep > c->na)
			nrep = (unsigned)c->na;
		for (unsigned a = 0; a < nrep && p->n < want; a++) {
			uint64_t ha = mix(h ^ (a + 1) * 0x9e3779b97f4a7c15ULL);
			unsigned runs = !c->single && ha % 5 == 0 ? 2 : 1;

			for (unsigned r = 0; r < runs && p->n < want; r++)
				p->e[p->n++] = (struct entry){ j, (uint16_t)((first + a) % c->na),
				    (uint16_t)(base + (ha >> 8) % 21 - 10) };
		}
	}
	return 0;
}

/* A task record like a real one (contrib/tasks/arith-en's manifest). */
static int
make_task(long t, body_any *b, char *manifest, size_t cap, uint8_t chunks[2][32])
{
	body_task *bt = &b->u.task;
	int len;

	memset(b, 0, sizeof *b);
	b->kind = REC_TASK;
	len = snprintf(manifest, cap, "{\"description\":\"Benchmark task %ld: short questions with "
	    "one right answer, generated for tests/bench/leaderboard.\",\"language\":\"en\","
	    "\"license\":\"CC0-1.0\",\"max_tokens\":64,\"metric\":\"exact_match\",\"name\":"
	    "\"bench-%04ld\",\"prompt\":\"Answer with the answer only.\\n{question}\",\"system\":"
	    "\"You are a careful assistant.\",\"target\":\"answer\",\"temperature\":0,"
	    "\"version\":\"1\"}", t, t);
	if (len < 0 || (size_t)len >= cap)
		return 1;
	snprintf(bt->name, sizeof bt->name, "bench-%04ld", t);
	strcpy(bt->version, "1");
	hash_blake2b(bt->items_root, (const uint8_t *)manifest, (size_t)len);
	bt->n_items = 500;
	bt->manifest = (const uint8_t *)manifest;
	bt->manifest_len = (size_t)len;
	hash_blake2b(chunks[0], bt->items_root, 32);
	hash_blake2b(chunks[1], chunks[0], 32);
	bt->n_chunks = 2;
	bt->chunks = chunks[0];
	return 0;
}

static void
make_result(body_any *b, const uint8_t task[static 32], const struct cfg *c, const struct entry *e,
    uint64_t ts)
{
	body_result *r = &b->u.result;
	unsigned name = e->slot % (unsigned)c->models;

	memset(b, 0, sizeof *b);
	b->kind = REC_RESULT;
	memcpy(r->task, task, 32);
	snprintf(r->model, sizeof r->model, "org%02u/model-%03u-instruct", name % 100, name);
	snprintf(r->revision, sizeof r->revision, "v%u", e->slot / (unsigned)c->models % 3);
	strcpy(r->adapter, "openai-chat");
	strcpy(r->harness_version, "evalmesh bench");
	strcpy(r->params, "{}");
	r->n_metrics = 1;
	strcpy(r->metrics[0].name, "exact_match");
	r->metrics[0].value = e->value / 500.0;
	r->n_items = 500;
	r->has_stderr = r->has_ci = 1;
	r->std_err = 0.02;
	r->ci_lo = r->metrics[0].value - 0.04;
	r->ci_hi = r->metrics[0].value + 0.04;
	r->t_start = r->t_end = ts;
}

/* Collects sealed records and stores them a batch at a time. */
struct batch {
	store		*st;
	uint8_t		 netid[32];
	rec_env		 envs[4096];
	uint8_t		*bufs[4096];
	size_t		 n;
};

static int
flush(struct batch *bt)
{
	em_err err = bt->n ? store_put_batch(bt->st, bt->envs, bt->n, NULL) : EM_OK;

	for (size_t i = 0; i < bt->n; i++)
		free(bt->bufs[i]);
	bt->n = 0;
	return err != EM_OK;
}

static int
add(struct batch *bt, const ident *who, uint64_t seq, uint64_t ts, const body_any *b)
{
	uint8_t *enc = NULL, *rec = NULL;
	size_t elen, rlen;
	int rc = 1;

	if (body_encode(b, &enc, &elen) != EM_OK ||
	    rec_seal(who, bt->netid, b->kind, seq, ts, enc, elen, &rec, &rlen, NULL) != EM_OK ||
	    rec_parse(rec, rlen, &bt->envs[bt->n], NULL) != EM_OK) {
		free(rec);
		goto out;
	}
	bt->bufs[bt->n++] = rec;
	rc = bt->n == sizeof bt->envs / sizeof bt->envs[0] ? flush(bt) : 0;
out:
	free(enc);
	return rc;
}

/* The store: K task records, then the results, the tasks' interleaved as
 * they would arrive; tid gets the task ids. */
static int
build(const struct cfg *c, store *st, const uint8_t netid[static 32], uint8_t (*tid)[32])
{
	struct batch *bt = calloc(1, sizeof *bt);
	struct plan *plans = calloc((size_t)c->k, sizeof *plans);
	ident **authors = calloc((size_t)c->na, sizeof *authors);
	uint64_t *seq = calloc((size_t)c->na, sizeof *seq), ts = 1700000000000ULL;
	size_t longest = 0, done = 0;
	int rc = 1;
	body_any b;

	if (bt == NULL || plans == NULL || authors == NULL || seq == NULL)
		goto out;
	bt->st = st;
	memcpy(bt->netid, netid, 32);
	for (long a = 0; a < c->na; a++)
		if (ident_generate(&authors[a]) != EM_OK)
			goto out;
	for (long t = 0; t < c->k; t++) {
		char manifest[1024];
		uint8_t chunks[2][32];

		if (make_task(t, &b, manifest, sizeof manifest, chunks) ||
		    add(bt, authors[t % c->na], ++seq[t % c->na], ts++, &b))
			goto out;
		body_task_id(&b.u.task, tid[t]);
		if (plan_task(c, t, (size_t)(c->n / c->k + (t < c->n % c->k)), &plans[t]))
			goto out;
		longest = plans[t].n > longest ? plans[t].n : longest;
	}
	for (size_t p = 0; p < longest; p++) {
		for (long t = 0; t < c->k; t++) {
			const struct entry *e;

			if (p >= plans[t].n)
				continue;
			e = &plans[t].e[p];
			make_result(&b, tid[t], c, e, ts);
			if (add(bt, authors[e->author], ++seq[e->author], ts++, &b))
				goto out;
			if (++done % 200000 == 0)
				fprintf(stderr, "  %zu results stored...\n", done);
		}
	}
	rc = flush(bt);
out:
	for (long t = 0; plans != NULL && t < c->k; t++)
		free(plans[t].e);
	for (long a = 0; authors != NULL && a < c->na; a++)
		ident_free(authors[a]);
	free(plans);
	free(authors);
	free(seq);
	if (bt != NULL)
		flush(bt);
	free(bt);
	return rc;
}

/* What `evalmesh leaderboard NAME` does before it prints (one_task in
 * node/cli/cmd/cmd_leaderboard.c); *bd is the caller's to free. part gets the
 * seconds of each step: the task by name, its record and manifest, the
 * board. */
static int
call(store *st, long t, board *bd, double part[static 3])
{
	char name[32], why[TASK_WHY_MAX] = "";
	board_opts o = { 0 };
	uint8_t id[32];
	task_rec tr;
	double t0 = bench_now(), t1, t2;
	em_err err;

	snprintf(name, sizeof name, "bench-%04ld", t);
	if (task_find(st, NULL, name, id, why, sizeof why) != EM_OK)
		goto fail;
	t1 = bench_now();
	if (task_rec_load(st, NULL, id, &tr, why, sizeof why) != EM_OK)
		goto fail;
	o.metric = task_metric_name(tr.spec.metric);
	t2 = bench_now();
	err = board_compute(st, id, &o, bd);
	part[2] = bench_now() - t2;
	part[1] = t2 - t1;
	part[0] = t1 - t0;
	task_rec_free(&tr);
	if (err != EM_OK)
		fprintf(stderr, "leaderboard: %s: %s\n", name, em_strerror(err));
	return err != EM_OK;
fail:
	fprintf(stderr, "leaderboard: %s: %s\n", name, why);
	return 1;
}

/* The scan a leaderboard makes, with nothing done with the rows. */
static int
count_rows(void *ctx, const store_view *rows, size_t n, size_t count)
{
	(void)rows;
	(void)count;
	*(size_t *)ctx += n;
	return 0;
}

static int
count_done(void *ctx, size_t n)
{
	(void)ctx;
	(void)n;
	return 0;
}

/* The shape of the tasks measured, from their boards. */
struct shape {
	size_t	tasks, results, rows, one, reports, most;
};

static void
shape_add(struct shape *s, const board *bd)
{
	s->tasks++;
	s->results += bd->n_results;
	s->rows += bd->n_rows;
	for (size_t i = 0; i < bd->n_rows; i++) {
		s->one += bd->rows[i].reporters == 1;
		s->reports += bd->rows[i].reporters;
		s->most = bd->rows[i].reporters > s->most ? bd->rows[i].reporters : s->most;
	}
}

enum { RAW, FIRST, AGAIN, BOARD, SCAN, SCAN_ALL, FIND, LOAD, COMPUTE, TIMES };

#define KERNEL	5	/* the best of this many, for (a) and (d) */

/* (b) or (c) on task t: times[FIRST] or times[AGAIN], and with first
 * its parts. */
static int
call_timed(store *st, long t, uint64_t rows, int first, double times[TIMES], struct shape *s)
{
	double part[3], t0 = bench_now(), t1, t2;
	board bd;

	if (call(st, t, &bd, part))
		return 1;
	t1 = bench_now();
	if (first && s != NULL)
		shape_add(s, &bd);
	if (bd.n_results != rows) {
		fprintf(stderr, "leaderboard: task %ld: %zu results read, %llu rows\n", t,
		    bd.n_results, (unsigned long long)rows);
		board_free(&bd);
		return 1;
	}
	t2 = bench_now();
	board_free(&bd);
	times[first ? FIRST : AGAIN] = (t1 - t0) + (bench_now() - t2);
	if (first)
		memcpy(&times[FIND], part, sizeof part);
	return 0;
}

/* (a), (d) and the scans on a task whose rows are in cache: the best of
 * KERNEL rounds of the four in turn. */
static int
kernel(store *st, const uint8_t task[static 32], double times[TIMES])
{
	board_opts o = { .metric = "exact_match" };
	uint64_t rows = 0, sum = 0;
	size_t nviews = 0;
	double t0, t;
	board bd;

	times[RAW] = times[BOARD] = times[SCAN] = times[SCAN_ALL] = 1e9;
	for (int k = 0; k < KERNEL; k++) {
		t0 = bench_now();
		if (store_board_raw(st, task, &rows, &sum) != EM_OK)
			return 1;
		t = bench_now() - t0;
		times[RAW] = t < times[RAW] ? t : times[RAW];
		t0 = bench_now();
		if (board_compute(st, task, &o, &bd) != EM_OK)
			return 1;
		t = bench_now() - t0;
		times[BOARD] = t < times[BOARD] ? t : times[BOARD];
		board_free(&bd);
		for (int all = 0; all < 2; all++) {
			t0 = bench_now();
			if (store_board_scan(st, task, all ? 0 : STORE_SCAN_RANKING, count_rows,
			    count_done, &nviews) != EM_OK)
				return 1;
			t = bench_now() - t0;
			times[all ? SCAN_ALL : SCAN] = t < times[all ? SCAN_ALL : SCAN] ? t :
			    times[all ? SCAN_ALL : SCAN];
		}
	}
	return 0;
}

/* One round on task t, read for the first time: times[] in seconds. */
static int
round_of(store *st, long t, const uint8_t task[static 32], double times[TIMES], struct shape *s)
{
	uint64_t rows = 0, sum = 0;

	if (store_board_raw(st, task, &rows, &sum) != EM_OK ||
	    call_timed(st, t, rows, 1, times, s) || call_timed(st, t, rows, 0, times, s))
		return 1;
	return kernel(st, task, times);
}

/* The in-process rounds: tasks [from, from + warm) to warm up, then
 * c->rounds tasks, each read for the first time. */
static int
in_process(const struct cfg *c, store *st, uint8_t (*tid)[32], long from, long warm)
{
	double times[TIMES], *v[TIMES], *ratio[TIMES], med[TIMES], rmed[TIMES];
	struct shape s = { 0 };
	int rc = 1;

	for (int i = 0; i < TIMES; i++) {
		v[i] = calloc((size_t)c->rounds, sizeof *v[i]);
		ratio[i] = calloc((size_t)c->rounds, sizeof *ratio[i]);
	}
	for (int i = 0; i < TIMES; i++)
		if (v[i] == NULL || ratio[i] == NULL)
			goto out;
	for (long t = from; t < from + warm; t++)
		if (round_of(st, t, tid[t], times, NULL))
			goto out;
	for (long r = 0; r < c->rounds; r++) {
		long t = from + warm + r;

		if (round_of(st, t, tid[t], times, &s))
			goto out;
		for (int i = 0; i < TIMES; i++) {
			v[i][r] = times[i];
			ratio[i][r] = times[i] / times[RAW];
		}
	}
	for (int i = 0; i < TIMES; i++) {
		med[i] = bench_median(v[i], (size_t)c->rounds) * 1e3;
		rmed[i] = bench_median(ratio[i], (size_t)c->rounds);
	}
	printf("tasks measured: %.0f results, %.0f rows (models) a task on average; of the rows "
	    "%.0f%% with one reporter, %.1f reporters a row on average, at most %zu\n",
	    (double)s.results / s.tasks, (double)s.rows / s.tasks, 100.0 * s.one / s.rows,
	    (double)s.reports / s.rows, s.most);
	printf("in process, median of %ld tasks (each read for the first time; %ld before them "
	    "to warm up):\n", c->rounds, warm);
	printf("  (a) raw cursor scan                       %8.3f ms\n", med[RAW]);
	printf("  (b) leaderboard NAME, first call          %8.3f ms  ratio %5.2f\n", med[FIRST],
	    rmed[FIRST]);
	printf("      of which the task by name %.3f ms, its record and manifest %.3f ms,\n"
	    "      the board with its digest computed %.3f ms\n", med[FIND], med[LOAD],
	    med[COMPUTE]);
	printf("  (c) leaderboard NAME, again               %8.3f ms  ratio %5.2f\n", med[AGAIN],
	    rmed[AGAIN]);
	printf("  (d) board_compute alone                   %8.3f ms  ratio %5.2f\n",
	    med[BOARD], rmed[BOARD]);
	printf("      the scan alone, decoding the rows     %8.3f ms  ratio %5.2f\n", med[SCAN],
	    rmed[SCAN]);
	printf("      ... decoding every field              %8.3f ms  ratio %5.2f  (the ranking "
	    "scan saves %.0f%% of (d))\n", med[SCAN_ALL], rmed[SCAN_ALL],
	    100 * (rmed[SCAN_ALL] - rmed[SCAN]) / rmed[BOARD]);
	rc = 0;
out:
	for (int i = 0; i < TIMES; i++) {
		free(v[i]);
		free(ratio[i]);
	}
	return rc;
}

/* Runs exe with args, output to /dev/null; *secs its wall time. */
static int
run(const char *exe, char *const argv[], double *secs)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status = 0, err;
	double t0 = bench_now();

	if ((err = posix_spawn_file_actions_init(&fa)) != 0)
		goto fail;
	if ((err = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)) == 0)
		err = posix_spawn(&pid, exe, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err != 0)
		goto fail;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "leaderboard: '%s %s' did not exit 0\n", exe, argv[1]);
		return 1;
	}
	*secs = bench_now() - t0;
	return 0;
fail:
	fprintf(stderr, "leaderboard: cannot run '%s': %s\n", exe, strerror(err));
	return 1;
}

enum { P_ID, P_FIRST, P_AGAIN, B_FIRST, B_AGAIN, PROCS };

/* Times `evalmesh leaderboard NAME` by exe into list k (the next of n[k])
 * with its ratio to the round's `evalmesh id` (secs). */
static int
time_lb(const char *exe, char *const argv[], int k, double secs, double *v[PROCS],
    double *ratio[PROCS], size_t n[PROCS])
{
	if (run(exe, argv, &v[k][n[k]]))
		return 1;
	ratio[k][n[k]] = v[k][n[k]] / secs;
	n[k]++;
	return 0;
}

static void
print_procs(const struct cfg *c, double *v[PROCS], double *ratio[PROCS], const size_t n[PROCS])
{
	double med[PROCS], rmed[PROCS], *rel = ratio[P_ID];	/* ratio[P_ID]: free room */

	for (int i = 0; i < PROCS; i++) {
		med[i] = n[i] ? bench_median(v[i], n[i]) * 1e3 : 0;
		rmed[i] = n[i] ? bench_median(ratio[i], n[i]) : 0;
	}
	printf("whole commands, median of %ld rounds (a task read for the first time each%s):\n",
	    c->calls, c->base ? "; this build and the baseline take turns at the first call" : "");
	printf("  evalmesh id                               %8.3f ms\n", med[P_ID]);
	printf("  evalmesh leaderboard NAME, first call     %8.3f ms  ratio %5.2f\n", med[P_FIRST],
	    rmed[P_FIRST]);
	printf("  evalmesh leaderboard NAME, again          %8.3f ms  ratio %5.2f\n", med[P_AGAIN],
	    rmed[P_AGAIN]);
	if (c->base == NULL)
		return;
	printf("  the baseline (%s):\n", c->base);
	printf("  evalmesh leaderboard NAME, first call     %8.3f ms  ratio %5.2f\n", med[B_FIRST],
	    rmed[B_FIRST]);
	printf("  evalmesh leaderboard NAME, again          %8.3f ms  ratio %5.2f\n", med[B_AGAIN],
	    rmed[B_AGAIN]);
	for (size_t r = 0; r < n[P_AGAIN]; r++)	/* the same rounds, the same task */
		rel[r] = v[P_AGAIN][r] / v[B_AGAIN][r];
	printf("  this build / the baseline: first call %.3f (ratios to id), again %.3f\n",
	    rmed[P_FIRST] / rmed[B_FIRST], bench_median(rel, n[P_AGAIN]));
}

/* The whole command against `evalmesh id`, c->calls rounds on tasks
 * [from, from + c->calls), each read for the first time. With a baseline,
 * each round one of the two builds makes the first call (in turn) and
 * then both call again, in turn too. */
static int
processes(const struct cfg *c, long from)
{
	double *v[PROCS], *ratio[PROCS], id;
	size_t n[PROCS] = { 0 };
	char name[32], home[sizeof c->home];
	char *id_argv[] = { "evalmesh", "id", "--home", home, NULL };
	char *lb_argv[] = { "evalmesh", "leaderboard", name, "--home", home, NULL };
	int rc = 1;

	snprintf(home, sizeof home, "%s", c->home);
	for (int i = 0; i < PROCS; i++) {
		v[i] = calloc((size_t)c->calls, sizeof *v[i]);
		ratio[i] = calloc((size_t)c->calls, sizeof *ratio[i]);
	}
	for (int i = 0; i < PROCS; i++)
		if (v[i] == NULL || ratio[i] == NULL)
			goto out;
	for (long r = 0; r < c->calls; r++) {
		int ours = c->base == NULL || r % 2 == 0;
		const char *x = ours ? c->exe : c->base, *y = ours ? c->base : c->exe;

		snprintf(name, sizeof name, "bench-%04ld", from + r);
		if (run(c->exe, id_argv, &id))
			goto out;
		v[P_ID][n[P_ID]++] = id;
		if (time_lb(x, lb_argv, ours ? P_FIRST : B_FIRST, id, v, ratio, n) ||
		    (y != NULL && time_lb(y, lb_argv, ours ? B_AGAIN : P_AGAIN, id, v, ratio, n)) ||
		    time_lb(x, lb_argv, ours ? P_AGAIN : B_AGAIN, id, v, ratio, n))
			goto out;
	}
	print_procs(c, v, ratio, n);
	rc = 0;
out:
	for (int i = 0; i < PROCS; i++) {
		free(v[i]);
		free(ratio[i]);
	}
	return rc;
}

/* A node home made by the real `evalmesh init` in dir, or, without the
 * binary, a bare store; c->store gets the store's path. */
static int
make_home(struct cfg *c, const char *dir)
{
	char *argv[] = { "evalmesh", "init", "--home", c->home, "--name", "bench", NULL };
	double secs;

	if (c->exe == NULL) {
		snprintf(c->store, sizeof c->store, "%s", dir);
		return 0;
	}
	snprintf(c->home, sizeof c->home, "%s/home", dir);
	snprintf(c->store, sizeof c->store, "%s/store", c->home);
	return run(c->exe, argv, &secs);
}

static int
usage(void)
{
	fprintf(stderr, "usage: leaderboard [--results R] [--tasks K] [--authors A] [--models M]\n"
	    "           [--rounds N] [--calls C] [--single] [--evalmesh PATH [--baseline PATH]]\n"
	    "  (R >= K >= N + C, all >= 1, A <= 65535; C only with --evalmesh)\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct cfg c = { 0 };
	uint8_t key[32], netid[32], (*tid)[32] = NULL;
	store_opts so = { .map_size = (size_t)4 << 30 };
	store *st = NULL;
	const char *dir;
	long warm;
	double t0;
	int rc = 1;

	c.n = bench_opt(argc, argv, "--results", 1000000);
	c.k = bench_opt(argc, argv, "--tasks", 1000);
	c.na = bench_opt(argc, argv, "--authors", 100);
	c.models = bench_opt(argc, argv, "--models", 100);
	c.rounds = bench_opt(argc, argv, "--rounds", 600);
	c.exe = bench_str(argc, argv, "--evalmesh");
	c.base = bench_str(argc, argv, "--baseline");
	c.calls = c.exe != NULL ? bench_opt(argc, argv, "--calls", 100) : 0;
	c.single = bench_flag(argc, argv, "--single");
	if (c.n < 1 || c.k < 1 || c.na < 1 || c.na > 65535 || c.models < 1 || c.rounds < 1 ||
	    c.calls < 0 || (c.exe != NULL && c.calls < 1) || (c.base != NULL && c.exe == NULL) ||
	    c.k > c.n ||
	    c.rounds + c.calls > c.k)
		return usage();
	warm = c.k - c.rounds - c.calls < WARM ? c.k - c.rounds - c.calls : WARM;
	hash_init();
	netkey_open(key);
	netkey_id(key, netid);
	dir = tu_tmpdir();
	if ((tid = calloc((size_t)c.k, sizeof *tid)) == NULL || make_home(&c, dir) ||
	    store_open(c.store, netid, &so, &st) != EM_OK)
		goto out;
	t0 = bench_now();
	if (build(&c, st, netid, tid))
		goto out;
	printf("leaderboard: %ld results over %ld tasks from %ld authors, %ld model names in up to "
	    "3 revisions, %s (store built in %.1f s)\n", c.n, c.k, c.na, c.models,
	    c.single ? "one reporter a model (--single)" : "several reporters for most models",
	    bench_now() - t0);
	if (in_process(&c, st, tid, 0, warm))
		goto out;
	if (c.exe == NULL)
		printf("whole commands: not measured (give --evalmesh PATH)\n");
	else if (processes(&c, warm + c.rounds))
		goto out;
	rc = 0;
out:
	store_free(st);
	tu_rmtree(dir);
	free(tid);
	return rc;
}

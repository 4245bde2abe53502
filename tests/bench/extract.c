/* tests/bench/extract — what an extraction pattern costs per scored item.
 *
 * On the stand-in model server's answer ("Let me work it out. The answer
 * is N.") measures, in the same run: score_numeric alone (what a numeric
 * task without "extract" does), score_regex_check (compiling a pattern),
 * and score_extract + score_numeric (compiling, folding and matching each
 * time, as task_score does). Prints microseconds per item and the added
 * cost against a per-item budget (--rate items/s, default 1500: the eval
 * benchmark's rate). Then the worst case: patterns that backtrack without
 * end or scan once per starting point, on outputs of --kib KiB, each
 * stopped by its work budget. Prints; asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "score.h"

#define REPLY	"Let me work it out. The answer is 4217."
#define PATTERN	"The answer is (-?[0-9]+)"

static double
per_item(int kind, long n)
{
	double t = bench_now(), sink = 0;
	char why[256], *got;

	for (long i = 0; i < n; i++) {
		if (kind == 0) {
			sink += score_numeric(REPLY, "4217", 0);
		} else if (kind == 1) {
			sink += score_regex_check(PATTERN, why, sizeof why) == EM_OK;
		} else if (score_extract(REPLY, PATTERN, NORM_NFKC, &got) == EM_OK) {
			sink += score_numeric(got, "4217", 0);
			free(got);
		}
	}
	if (sink != (double)n) {
		fprintf(stderr, "extract: wrong scores (%g of %ld)\n", sink, n);
		exit(1);
	}
	return (bench_now() - t) / (double)n * 1e6;
}

/* The byte at k of the subject of the given shape. */
static char
shape(int kind, size_t k, size_t n)
{
	switch (kind) {
	case 0:
		return "ab"[k % 2];			/* abab... */
	case 1:
		return k + 1 == n ? '!' : 'a';		/* aaa...a! */
	case 2:
		return k % 5000 == 4999 ? '!' : 'a';	/* runs of 4,999 a */
	default:
		return k % 2 ? ' ' : (char)('0' + k % 10);	/* 0 2 4 ... */
	}
}

static void
worst(size_t kib)
{
	static const struct { const char *pat; int kind; } c[] = {
		{ "(a|b)*\\d", 0 }, { "[ab]*+\\d", 0 }, { "(a+)+$", 1 }, { "(?:a*)*\\d", 1 },
		{ "a{5000}", 2 }, { "(?<=a{200})\\d", 1 }, { "x*", 0 }, { "(\\d)", 3 },
	};
	size_t n = kib * 1024;
	char *s = malloc(n + 1), *got;

	if (s == NULL)
		exit(1);
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		double t;
		em_err err;

		for (size_t k = 0; k < n; k++)
			s[k] = shape(c[i].kind, k, n);
		s[n] = '\0';
		t = bench_now();
		err = score_extract(s, c[i].pat, 0, &got);
		t = bench_now() - t;
		printf("  %-16s on %4zu KiB  %8.1f ms  (%s)\n", c[i].pat, kib, t * 1e3,
		    err == EM_OK ? "found" : err == EM_ETOOBIG ? "stopped by the budget" :
		    em_strerror(err));
		if (err == EM_OK)
			free(got);
	}
	free(s);
}

int
main(int argc, char **argv)
{
	long n = bench_opt(argc, argv, "--items", 200000);
	long rate = bench_opt(argc, argv, "--rate", 1500);
	long kib = bench_opt(argc, argv, "--kib", 64);
	double plain, compile, extract;

	if (n < 1 || rate < 1 || kib < 1 || (size_t)kib * 1024 > SCORE_TEXT_MAX) {
		fprintf(stderr, "usage: extract [--items N] [--rate R] [--kib K (<= 1024)]\n");
		return 2;
	}
	plain = per_item(0, n);
	compile = per_item(1, n);
	extract = per_item(2, n);
	printf("extract: %ld items of \"%s\", pattern /%s/\n", n, REPLY, PATTERN);
	printf("  score_numeric alone        %8.2f us/item\n", plain);
	printf("  score_regex_check          %8.2f us/item (compiling)\n", compile);
	printf("  score_extract + numeric    %8.2f us/item\n", extract);
	printf("  added per item             %8.2f us = %.2f%% of %.0f us (%ld items/s)\n",
	    extract - plain, (extract - plain) / (1e6 / (double)rate) * 100,
	    1e6 / (double)rate, rate);
	printf("worst cases:\n");
	worst((size_t)kib);
	return 0;
}

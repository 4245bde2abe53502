/* tests/bench/mktask — a large task of realistic items, for stream.sh.
 *
 *   usage: mktask DIR N [SEED (1)]
 *
 * Writes DIR/manifest.json and DIR/items.jsonl (DIR made if need be): N
 * arithmetic word problems of mixed English and Chinese text, like a real
 * benchmark's, not tiny ones that flatter a memory figure. Each question is sentences
 * of context from both languages, then a problem (a name, two numbers, a
 * thing), at least a length drawn from 130 to 230 bytes: questions of 130
 * to about 290 bytes, 200 on average, and canonical lines of 245 bytes on
 * average (1,000,000 of them, 245 MB, fit the 256 MiB a task's chunks may
 * hold: BODY_CHUNKS_MAX of TASK_CHUNK_MAX). The target is the answer, a
 * whole number. The task asks for 3 few-shot examples, as benchmarks do.
 * The same DIR, N and SEED always write the same bytes (splitmix64). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t state;

static uint64_t
next(void)
{
	uint64_t z = (state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned
below(unsigned k)
{
	return (unsigned)(next() % k);
}

#define PICK(a)	(a[below(sizeof a / sizeof a[0])])

static const char *const names[] = { "Alice", "小明", "Chen Wei", "王芳", "Fatima", "李华",
    "Goran", "张伟", "Hana", "刘洋", "Emeka", "陈静" };
static const char *const things[] = { "apples (苹果)", "books (书)", "marbles (弹珠)",
    "stamps (邮票)", "pencils (铅笔)", "coins (硬币)" };
static const char *const context[] = {
	"This problem is from a primary school workbook. ",
	"这道题来自一本小学练习册。",
	"Read the whole question before you answer. ",
	"请先读完整道题，再作答。",
	"The numbers are exact; do not round them. ",
	"题目中的数字都是准确的，不要四舍五入。",
	"Show your reasoning briefly. ",
	"请简要写出解题步骤。",
	"这是一道关于日常生活的应用题。",
	"It happened on a rainy Saturday at the market. ",
	"星期六下雨，集市上人很多。",
	"Nobody lost or found any along the way. ",
};

/* One question, its answer in *ans; the text into q (cap bytes). */
static void
question(char *q, size_t cap, long *ans)
{
	unsigned want = 130 + below(101), a = 12 + below(469), b = 2 + below(94);
	const char *who = PICK(names), *what = PICK(things);
	char core[256];
	size_t len = 0;

	switch (below(3)) {
	case 0:
		snprintf(core, sizeof core, "%s has %u %s and buys %u more. 现在一共有多少？", who, a,
		    what, b);
		*ans = (long)a + b;
		break;
	case 1:
		if (a <= b)
			a = b + 1;
		snprintf(core, sizeof core, "%s has %u %s and gives %u away. 还剩下多少？", who, a,
		    what, b);
		*ans = (long)a - b;
		break;
	default:
		a = 3 + below(38);
		snprintf(core, sizeof core, "%s buys %u boxes of %s, %u in each box. 一共有多少？",
		    who, a, what, b);
		*ans = (long)a * b;
		break;
	}
	q[0] = '\0';
	/* context first, the problem last: the question ends with what it asks */
	while (len + strlen(core) < want) {
		const char *c = PICK(context);

		if (len + strlen(c) + strlen(core) >= cap)
			break;
		memcpy(q + len, c, strlen(c) + 1);
		len += strlen(c);
	}
	snprintf(q + len, cap - len, "%s", core);
}

static const char manifest[] =
"{\n"
"  \"name\": \"stream-bench\",\n"
"  \"version\": \"1\",\n"
"  \"description\": \"Word problems in English and Chinese, made by tests/bench/mktask.\",\n"
"  \"items\": \"items.jsonl\",\n"
"  \"metric\": \"numeric\",\n"
"  \"normalize\": [\"nfkc\", \"collapse_space\"],\n"
"  \"system\": \"You are a careful assistant. Solve the problem and state the final number.\",\n"
"  \"prompt\": \"Solve the problem. End with \\\"The answer is N.\\\"\\n{question}\",\n"
"  \"target\": \"answer\",\n"
"  \"fewshot\": 3,\n"
"  \"max_tokens\": 64,\n"
"  \"temperature\": 0\n"
"}\n";

static int
write_file(const char *dir, const char *name, long n)
{
	char path[4096], q[512];
	FILE *f;
	long ans;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "mktask: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (n < 0) {
		fputs(manifest, f);
	} else {
		for (long i = 0; i < n; i++) {
			question(q, sizeof q, &ans);
			fprintf(f, "{\"id\": \"q%07ld\", \"question\": \"%s\", \"answer\": %ld}\n", i, q,
			    ans);
		}
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "mktask: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	long n;

	if (argc < 3 || (n = strtol(argv[2], NULL, 10)) < 1) {
		fprintf(stderr, "usage: mktask DIR N [SEED]\n");
		return 2;
	}
	state = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
	if (mkdir(argv[1], 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "mktask: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	return write_file(argv[1], "manifest.json", -1) || write_file(argv[1], "items.jsonl", n);
}

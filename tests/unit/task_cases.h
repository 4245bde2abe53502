/* tests/unit/task_cases.h — a table of small tasks, and what a task's
 * items come to, for task_stream_test.c.
 *
 * Each case is a manifest file and items written by a generator (some
 * with blank lines, so that file lines and item numbers differ). A case
 * is checked twice: as an author publishes it (task_load: the task id,
 * items root and chunks, or the error), and as a node reads a record's
 * chunks from its store (task_items_check: the prompts of every item, or
 * the error). For the second, records are also made by hand here, the way
 * a peer could send them (a bad item in the last chunk, ids used twice, a
 * count or a root that lies, a chunk missing, few-shot examples more than
 * the items), from the canonical lines and chunks built below, exactly as
 * a publisher packs them.
 *
 * The texts the test expects were recorded from the build that held every
 * item in memory (main before items were streamed), by a program calling
 * that build's API on these very cases; the test pins them. Uses only
 * jansson, hash.h, merkle.h and body.h. */
#ifndef EM_TASK_CASES_H
#define EM_TASK_CASES_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "hash.h"
#include "hex.h"
#include "merkle.h"

#define TC_CHUNK	(256 * 1024)	/* TASK_CHUNK_MAX */
#define TC_LINE		4096

struct tcase {
	const char	*name;
	const char	*manifest;	/* the manifest file; its items are "items.jsonl" */
	size_t		 n;		/* items */
	void		(*item)(size_t i, char *buf, size_t cap);
	unsigned	 blank;		/* a blank line before every blank-th item; 0: none */
};

/* A question of mixed text, a few dozen bytes. */
static void
tc_small(size_t i, char *buf, size_t cap)
{
	snprintf(buf, cap, "{\"id\": %zu, \"q\": \"question %zu: 问题 %zu 加 %zu\", \"a\": \"%zu\"}", i,
	    i, i, i * 7 % 13, i + i * 7 % 13);
}

/* Ids 0, "0", 1, "1", ...: a number and a string are different ids. */
static void
tc_mixed_ids(size_t i, char *buf, size_t cap)
{
	if (i % 2)
		snprintf(buf, cap, "{\"a\": %zu, \"id\": \"%zu\", \"q\": \"%zu + %zu = ?\"}", i * 3, i / 2,
		    i, i * 2);
	else
		snprintf(buf, cap, "{\"a\": %zu, \"id\": %zu, \"q\": \"%zu + %zu = ?\"}", i * 3, i / 2,
		    i, i * 2);
}

/* Multiple choice, about a kilobyte each: 700 of them span three chunks. */
static void
tc_mc(size_t i, char *buf, size_t cap)
{
	char q[1000];
	size_t len = 0;

	while (len + 60 < sizeof q - 1)
		len += (size_t)snprintf(q + len, sizeof q - len, "Item %zu, sentence %zu: 选择正确的答案。 ",
		    i, len);
	snprintf(buf, cap, "{\"id\": \"m%zu\", \"q\": \"%s\", \"c\": [\"first %zu\", \"second\", "
	    "\"third\", \"fourth\"], \"a\": \"%c\"}", i, q, i, (int)('A' + i % 4));
}

/* Item 5 has item 2's id. */
static void
tc_dup(size_t i, char *buf, size_t cap)
{
	tc_small(i == 5 ? 2 : i, buf, cap);
	if (i == 5)	/* the same id, another question */
		memcpy(strstr(buf, "question"), "Question", 8);
}

/* The fourth item from the end has no target. */
static void
tc_bad_last(size_t i, char *buf, size_t cap)
{
	tc_mc(i, buf, cap);
	if (i == 700 - 4)
		snprintf(buf, cap, "{\"id\": \"m%zu\", \"q\": \"no target\", \"c\": [\"x1\", \"y1\"]}", i);
}

#define TC_EXACT(extra)	"{\"name\": \"t\", \"version\": \"1\", \"metric\": \"exact_match\", " \
	"\"prompt\": \"Q: {q}\", \"target\": \"a\", \"items\": \"items.jsonl\"" extra "}"
#define TC_MC(extra)	"{\"name\": \"mc\", \"version\": \"2\", \"metric\": \"multiple_choice\", " \
	"\"prompt\": \"{q}\\n{c}\\nAnswer:\", \"target\": \"a\", \"choices\": \"c\", " \
	"\"items\": \"items.jsonl\"" extra "}"

static const struct tcase tc_cases[] = {
	{ "one", TC_EXACT(""), 1, tc_small, 0 },
	{ "fewshot3", TC_EXACT(", \"fewshot\": 3, \"system\": \"Be brief about {q}.\""), 10,
	    tc_small, 0 },
	{ "fewshot-all", TC_EXACT(", \"fewshot\": 4"), 5, tc_small, 0 },
	{ "fewshot-over", TC_EXACT(", \"fewshot\": 5"), 3, tc_small, 0 },
	{ "chunks", TC_MC(", \"fewshot\": 2, \"system\": \"Pick one.\""), 700, tc_mc, 0 },
	{ "blank-ids", "{\"name\": \"n\", \"version\": \"1\", \"metric\": \"numeric\", "
	    "\"prompt\": \"{q}\", \"target\": \"a\", \"fewshot\": 1, \"items\": \"items.jsonl\"}",
	    20, tc_mixed_ids, 3 },
	{ "dup", TC_EXACT(", \"fewshot\": 1"), 8, tc_dup, 2 },
	{ "bad-last", TC_MC(""), 700, tc_bad_last, 0 },
};
#define TC_N	(sizeof tc_cases / sizeof tc_cases[0])

/* Writes the case's files into dir; 0, or -1 if they cannot be written. */
static int
tc_write(const struct tcase *c, const char *dir)
{
	char path[1100], line[TC_LINE];
	FILE *f;

	snprintf(path, sizeof path, "%s/manifest.json", dir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(c->manifest, f);
	fclose(f);
	snprintf(path, sizeof path, "%s/items.jsonl", dir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	for (size_t i = 0; i < c->n; i++) {
		if (c->blank && i % c->blank == 0)
			fputs("\n", f);
		c->item(i, line, sizeof line);
		fprintf(f, "%s\n", line);
	}
	return fclose(f) == 0 ? 0 : -1;
}

/* A task record's body made by hand, and the chunks it names. */
struct tc_record {
	char		 manifest[4096];	/* canonical */
	body_task	 body;
	uint8_t		 hashes[8][32];
	char		*chunk[8];
	size_t		 len[8];
	size_t		 n_chunks;
};

/* JSON text in canonical form (compact, keys sorted): yours, or NULL. */
static char *
tc_canon(const char *text, const char *drop)
{
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	char *s;

	if (j == NULL)
		return NULL;
	if (drop != NULL)
		json_object_del(j, drop);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	return s;
}

/* The record a publisher would sign for case c's items, under manifest
 * (a file manifest; NULL: the case's), packed as a publisher packs
 * chunks. Items a publisher would refuse are packed all the same: a peer
 * can send anything. 0, or -1 out of memory. */
static int
tc_record(const struct tcase *c, const char *manifest, struct tc_record *r)
{
	char line[TC_LINE], *m = tc_canon(manifest ? manifest : c->manifest, "items"), *canon;
	uint8_t *leaves = malloc(32 * c->n);
	size_t k = 0;

	memset(r, 0, sizeof *r);
	if (m == NULL || leaves == NULL || strlen(m) >= sizeof r->manifest) {
		free(m);
		free(leaves);
		return -1;
	}
	strcpy(r->manifest, m);
	free(m);
	for (size_t i = 0; i < c->n; i++) {
		c->item(i, line, sizeof line);
		if ((canon = tc_canon(line, NULL)) == NULL)
			return -1;
		if (r->n_chunks == 0 || r->len[k] + strlen(canon) + 1 > TC_CHUNK) {
			k = r->n_chunks++;
			if (k == 8 || (r->chunk[k] = malloc(TC_CHUNK)) == NULL)
				return -1;
		}
		memcpy(r->chunk[k] + r->len[k], canon, strlen(canon));
		r->chunk[k][r->len[k] + strlen(canon)] = '\n';
		r->len[k] += strlen(canon) + 1;
		merkle_item(leaves + 32 * i, (const uint8_t *)canon, strlen(canon));
		free(canon);
	}
	for (size_t i = 0; i < r->n_chunks; i++)
		hash_blake2b(r->hashes[i], (const uint8_t *)r->chunk[i], r->len[i]);
	merkle_root(r->body.items_root, leaves, c->n);
	free(leaves);
	snprintf(r->body.name, sizeof r->body.name, "x");
	snprintf(r->body.version, sizeof r->body.version, "1");
	r->body.n_items = c->n;
	r->body.manifest = (const uint8_t *)r->manifest;
	r->body.manifest_len = strlen(r->manifest);
	r->body.n_chunks = (uint32_t)r->n_chunks;
	r->body.chunks = &r->hashes[0][0];
	return 0;
}

static void
tc_record_free(struct tc_record *r)
{
	for (size_t i = 0; i < r->n_chunks; i++)
		free(r->chunk[i]);
	memset(r, 0, sizeof *r);
}

/* Records that break a rule, as a peer could send them. */
enum tc_lie { TC_TRUE, TC_COUNT, TC_ROOT, TC_MISSING };
struct tc_peer {
	const char	*name;
	size_t		 c;		/* the case whose items it holds */
	const char	*manifest;	/* NULL: the case's */
	enum tc_lie	 lie;
};

static const struct tc_peer tc_peers[] = {
	{ "peer-fewshot-over", 0, TC_EXACT(", \"fewshot\": 5"), TC_TRUE },
	{ "peer-fewshot-over3", 3, NULL, TC_TRUE },
	{ "peer-dup", 6, NULL, TC_TRUE },
	{ "peer-bad-last", 7, NULL, TC_TRUE },
	{ "peer-count", 1, NULL, TC_COUNT },
	{ "peer-root", 4, NULL, TC_ROOT },
	{ "peer-missing", 4, NULL, TC_MISSING },
};
#define TC_PEERS	(sizeof tc_peers / sizeof tc_peers[0])

/* What a prompt comes to, added to hs: the chat messages in canonical
 * JSON, the flattened prompt and the size a budget counts. */
static void
tc_digest_add(hash_state *hs, const char *msgs, const char *flat, size_t bytes)
{
	char n[32];

	snprintf(n, sizeof n, "\n%zu\n", bytes);
	hash_update(hs, (const uint8_t *)msgs, strlen(msgs));
	hash_update(hs, (const uint8_t *)"\n", 1);
	hash_update(hs, (const uint8_t *)flat, strlen(flat));
	hash_update(hs, (const uint8_t *)n, strlen(n));
}

/* Replaces every dir in text by "DIR", in place (text holds cap bytes). */
static void
tc_undir(char *text, const char *dir)
{
	char *at;

	while ((at = strstr(text, dir)) != NULL) {
		memcpy(at, "DIR", 3);
		memmove(at + 3, at + strlen(dir), strlen(at + strlen(dir)) + 1);
	}
}

#endif

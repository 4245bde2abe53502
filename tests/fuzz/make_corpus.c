/* Writes a seed corpus for the fuzz targets: valid records of every kind
 * (signed for the open network) and a bundle holding them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bundle.h"
#include "hash.h"
#include "netkey.h"
#include "recon.h"
#include "record.h"
#include "testutil.h"
#include "session.h"
#include "wire.h"

static void
put(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static int
cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, RECON_KEY);
}

static void
ignore_lacks(void *ctx, const uint8_t key[static RECON_KEY])
{
	(void)ctx;
	(void)key;
}

/* The first message of a reconciliation session over n random keys
 * (n <= 400): a list of them, or fingerprints of buckets. */
static size_t
recon_first(size_t n, uint8_t *out, size_t cap)
{
	static uint8_t keys[400 * RECON_KEY];
	recon_array arr = { keys, n, 0 };
	recon_host h = { &arr, recon_array_seek, recon_array_next, recon_array_count,
	    ignore_lacks };
	recon *r;
	size_t len;

	for (size_t i = 0; i < n; i++)
		hash_blake2b(keys + i * RECON_KEY, (const uint8_t *)&i, sizeof i);
	qsort(keys, n, RECON_KEY, cmp_key);
	if (recon_new(&h, NULL, &r) != EM_OK || recon_start(r, out, cap, &len) != EM_OK)
		exit(1);
	recon_free(r);
	return len;
}

/* Seeds for the wire decoder: a records message holding rec, and one
 * message of each other kind (recon: a real session's first message, a
 * list for i = 0, bucket fingerprints otherwise). */
static void
put_wire(const char *dir, int i, const uint8_t *rec, size_t rlen)
{
	static const uint8_t ids[64] = { 1 };
	static uint8_t rmsg[WIRE_RECON_MAX];
	wire_msg m;
	uint8_t *buf;
	size_t len;
	char name[32];

	for (uint8_t t = WIRE_HELLO; t <= WIRE_TYPE_LAST; t++) {
		if (!wire_type_known(t))
			continue;
		memset(&m, 0, sizeof m);
		m.type = t;
		if (t == WIRE_RECORDS) {
			m.u.records.n = 1;
			m.u.records.rec[0] = rec;
			m.u.records.len[0] = rlen;
		} else if (t == WIRE_CHUNK) {
			m.u.chunk.data = rec;
			m.u.chunk.len = rlen;
		} else if (t == WIRE_HAVE || t == WIRE_WANT || t == WIRE_CHUNK_WANT) {
			m.u.ids.n = 2;
			m.u.ids.ids = ids;
		} else if (t == WIRE_RECON) {
			m.u.recon.started = i % 2;
			m.u.recon.data = rmsg;
			m.u.recon.len = recon_first(i == 0 ? 20 : 300, rmsg, sizeof rmsg);
		} else if (t == WIRE_PEERS) {
			m.u.peers.n = 1;
			strcpy(m.u.peers.p[0].addr, "127.0.0.1:7400");
		}
		if (wire_encode(&m, &buf, &len) != EM_OK)
			exit(1);
		snprintf(name, sizeof name, "wire-%d-%d", i, t);
		put(dir, name, buf, len);
		free(buf);
	}
}

/* Seeds for manifests, item chunks and model answers; the first byte
 * picks the reader (see task_fuzz.c and model_fuzz.c). */
static void
put_seeds(const char *kind, const char *dir)
{
	static const char *const task_seeds[] = {
		"\0{\"metric\":\"numeric\",\"name\":\"a\",\"prompt\":\"Q {q}\",\"target\":\"a\","
		    "\"version\":\"1\",\"normalize\":[\"nfkc\",\"lower\"],\"tolerance\":0.5}",
		"\0{\"metric\":\"regex\",\"extract\":\"is ([0-9]+)\",\"name\":\"a\","
		    "\"prompt\":\"{q}\",\"target\":\"a\",\"version\":\"1\",\"fewshot\":2}",
		"\1{\"a\":\"B\",\"c\":[\"1\",\"2\",\"３\"],\"id\":1,\"q\":\"which?\"}\n"
		    "{\"a\":\"A\",\"c\":[\"x\",\"y\"],\"id\":\"two\",\"q\":\"哪个？\"}\n",
		"\0{\"metric\":\"exact_match\",\"extract\":\"(?i)答案[:：]\\\\s*(\\\\p{Han}+|\\\\d+)\","
		    "\"name\":\"a\",\"prompt\":\"{q}\",\"target\":\"a\",\"version\":\"1\"}",
		"\0{\"metric\":\"regex\",\"extract\":\"(a+)+\\\\1$\",\"name\":\"a\","
		    "\"prompt\":\"{q}\",\"target\":\"a\",\"version\":\"1\"}",
	};
	static const char *const model_seeds[] = {
		"\0{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"The answer is 42.\"}}]}",
		"\1{\"choices\":[{\"text\":\"答案是４２。\",\"index\":0}]}",
		"\2{\"id\":7,\"text\":\"B\"}",
		"\2{\"id\":8,\"error\":\"busy\"}",
		"\2{\"i\\\n:-7}",	/* its JSON error quoted a newline */
		"\0{\"choices\":[{\"message\":{\"content\":null,\"reasoning_content\":\"hmm\"},"
		    "\"finish_reason\":\"length\"}]}",
		"\0{\"choices\":[{\"message\":{\"content\":[{\"type\":\"thinking\",\"thinking\":"
		    "[{\"type\":\"text\",\"text\":\"x\"}]},{\"type\":\"text\",\"text\":\"Paris\"}]}}]}",
		"\0{\"object\":\"error\",\"message\":\"The model `m` does not exist.\",\"code\":404}",
		"\1data: {\"choices\":[{\"text\":\"4\"}]}\n\ndata: [DONE]\n",
		"\3{\"error\":{\"code\":400,\"message\":\"request (3009 tokens) exceeds the available "
		    "context size (256 tokens), try increasing it\"}}",
		"\3{\"detail\":[{\"loc\":[\"body\"],\"msg\":\"Field required\"}]}",
		"\3<html>\r\n<head><title>502 Bad Gateway</title></head>\xff\x1b[31m",
	};
	const char *const *seeds = strcmp(kind, "task") == 0 ? task_seeds : model_seeds;
	size_t n = strcmp(kind, "task") == 0 ? sizeof task_seeds / sizeof task_seeds[0] :
	    sizeof model_seeds / sizeof model_seeds[0];
	char name[32];

	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof name, "%s-%zu", kind, i);
		put(dir, name, (const uint8_t *)seeds[i], strlen(seeds[i] + 1) + 1);
	}
}

/* Seeds for names: attack strings and real names (tests/unit/name_test.c
 * says where each comes from). */
static void
put_names(const char *dir)
{
	static const char *const seeds[] = {
		"/*\u202e } \u2066if (isAdmin)\u2069 \u2066 begin admins only */",
		"is\u200bAdmin", "photo_\u202egpj.exe", "evil\nRANK 1 fake", "m\x1b[2J",
		"timeout,\u3164", "gpt\u00ad4", "gpt\u200d4", "\U0001f600\ufe00\U000e0101",
		"gpt\U000e0069\U000e0067", "a\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308",
		"cafe\u0301", "\u0645\u06cc\u200c\u062e", "\U0001f3f3\ufe0f\u200d\U0001f308",
		"1\ufe0f\u20e3", " gpt\u00a0\u00a04 ", "\u0958", "ab\xff\xe2\x80",
	};
	char name[32];

	for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
		snprintf(name, sizeof name, "name-%zu", i);
		put(dir, name, (const uint8_t *)seeds[i], strlen(seeds[i]));
	}
}

/* Seeds for the scorers: outputs, some with a NUL and a pattern after
 * them (see score_fuzz.c), among them patterns that backtrack without end
 * or scan the output once per starting point. */
static void
put_score(const char *dir)
{
	static const char *const outputs[] = { "The answer is B.", "答案是４２。",
	    "answer: 42", "It costs 1,234.50", "北京 is the capital of China",
	    "<think>\n#### 72\n</think>\n\n#### 18", "Okay.</think>\n\nParis",
	    "<|channel|>analysis<|message|>x<|end|><|start|>assistant<|channel|>final<|message|>4",
	    "Answer: I think it is C, not A and B", "故选：Ｃ。A项错误",
	    ("\\boxed{-\\frac{1}{2}} or 1\xc2\xa0" "234,\\!567 \\times 10^{3}"),
	    "<|begin_of_box|>B<|end_of_box|> (A) is wrong; **D**",
	    "#### 18\n\nQuestion: x?\nThe answer is 25\\% of 2^{10}",
	    "The answer is 7 (check: 7 \xc3\x97 2 = 14), since 3 + (4 \\times 2) = 11",
	    "Is the answer 3? No. It is 12345678901234567891.",
	    "答案是7吗？因为7×2=14。A不是，C是。", "A: Paris\nD. 12\n2 + 2 = 4",
	};
	static const char *const pairs[][2] = {
		{ "答案是４２。", "([0-9０-９]+)" }, { "answer 1, answer 2", "answer (\\d)" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "(a+)+$" },
		{ "abababababababababababababababababababab", "[ab]*+\\d" },
		{ "a12", "(\\d*)" }, { "北京市.", "(\\p{Han}+)" }, { "x", "(?<=a{60})x" },
		{ "a\r\nb", "(*CRLF)(?m)$" }, { "eé", "(?i)(É)" },
	};
	uint8_t buf[256];
	char name[32];

	for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
		snprintf(name, sizeof name, "output-%zu", i);
		put(dir, name, (const uint8_t *)outputs[i], strlen(outputs[i]));
	}
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		size_t a = strlen(pairs[i][0]), b = strlen(pairs[i][1]);

		memcpy(buf, pairs[i][0], a + 1);
		memcpy(buf + a + 1, pairs[i][1], b);
		snprintf(name, sizeof name, "pattern-%zu", i);
		put(dir, name, buf, a + 1 + b);
	}
}

/* Seeds for the session: a real first handshake message, and frames of
 * the sizes the handshake expects. */
static void
put_session(const char *dir)
{
	static const uint8_t key[32] = { 1 };
	uint8_t frames[2 + 96];
	session *s;
	ident *me;
	const uint8_t *p;
	size_t len;

	ident_generate(&me);
	if (session_new(1, me, key, NULL, 4096, &s) != EM_OK)
		exit(1);
	p = session_pending(s, &len);
	put(dir, "session-msg1", p, len);
	session_free(s);
	ident_free(me);
	memset(frames, 0x41, sizeof frames);
	frames[0] = 0;
	frames[1] = 96;
	put(dir, "session-msg2-size", frames, sizeof frames);
}

/* Seeds for the reconciliation reader: the messages of a real session
 * between two sets of keys (splits, fingerprints, lists, needs). */
static void
put_recon(const char *dir)
{
	static uint8_t a[400 * RECON_KEY], b[400 * RECON_KEY], msg[2][8192];
	recon_array aa = { a, 400, 0 }, ab = { b, 400, 0 };
	recon_host ha = { &aa, recon_array_seek, recon_array_next, recon_array_count,
	    ignore_lacks };
	recon_host hb = { &ab, recon_array_seek, recon_array_next, recon_array_count,
	    ignore_lacks };
	recon_opts o = { .frame_max = sizeof msg[0], .rounds_max = 64, .split = 16,
	    .ids_max = 32 };
	recon *r[2];
	size_t len;
	char name[32];

	for (size_t i = 0; i < 400; i++) {
		hash_blake2b(a + i * RECON_KEY, (const uint8_t *)&i, sizeof i);
		memcpy(b + i * RECON_KEY, a + i * RECON_KEY, RECON_KEY);
		if (i % 50 == 0)
			b[i * RECON_KEY + 31] ^= 1;	/* one in fifty differs */
	}
	qsort(a, 400, RECON_KEY, cmp_key);
	qsort(b, 400, RECON_KEY, cmp_key);
	if (recon_new(&ha, &o, &r[0]) != EM_OK || recon_new(&hb, &o, &r[1]) != EM_OK ||
	    recon_start(r[0], msg[0], sizeof msg[0], &len) != EM_OK)
		exit(1);
	for (int i = 0; len > 0 && i < 16; i++) {
		snprintf(name, sizeof name, "recon-%d", i);
		put(dir, name, msg[i % 2], len);
		if (recon_recv(r[(i + 1) % 2], msg[i % 2], len, msg[(i + 1) % 2],
		    sizeof msg[0], &len) != EM_OK)
			exit(1);
	}
	recon_free(r[0]);
	recon_free(r[1]);
}

/* A challenge and a response of two items (one output withheld), as
 * record seeds. */
static void
put_audit(const char *dir, const ident *me, const uint8_t netid[static 32])
{
	static const uint8_t proof[3 * 32];
	body_any b[2];
	uint8_t *enc, *rec;
	size_t elen, rlen;

	memset(b, 0, sizeof b);
	b[0].kind = REC_CHALLENGE;
	b[0].u.challenge.k = 3;
	b[0].u.challenge.within_s = 3600;
	b[1].kind = REC_RESPONSE;
	b[1].u.response.n = 2;
	b[1].u.response.items[0].index = 5;
	b[1].u.response.items[0].has_output = 1;
	b[1].u.response.items[0].output = (const uint8_t *)"42";
	b[1].u.response.items[0].output_len = 2;
	b[1].u.response.items[0].score = BODY_SCORE_SCALE;
	b[1].u.response.items[0].proof = proof;
	b[1].u.response.items[0].proof_len = sizeof proof;
	b[1].u.response.items[1].index = 2;
	b[1].u.response.items[1].proof = proof;
	b[1].u.response.items[1].proof_len = 32;
	for (int i = 0; i < 2; i++) {
		if (body_encode(&b[i], &enc, &elen) != EM_OK ||
		    rec_seal(me, netid, b[i].kind, (uint64_t)i + 10, 1, enc, elen, &rec, &rlen,
		    NULL) != EM_OK)
			exit(1);
		put(dir, i ? "record-response" : "record-challenge", rec, rlen);
		free(enc);
		free(rec);
	}
}

int
main(int argc, char **argv)
{
	static uint8_t bundle[1 << 16];
	uint8_t key[32], netid[32], *enc, *rec;
	size_t elen, rlen, blen = BUNDLE_HDR_LEN;
	ident *me;
	body_any bodies[3];
	char name[32];

	if (argc != 3 || (strcmp(argv[1], "record") && strcmp(argv[1], "bundle") &&
	    strcmp(argv[1], "wire") && strcmp(argv[1], "session") &&
	    strcmp(argv[1], "score") && strcmp(argv[1], "task") && strcmp(argv[1], "model") &&
	    strcmp(argv[1], "recon") && strcmp(argv[1], "name"))) {
		fprintf(stderr, "usage: make_corpus record|bundle|wire|session|score|task|model|recon|"
		    "name DIR\n");
		return 2;
	}
	mkdir(argv[2], 0700);
	hash_init();
	netkey_open(key);
	netkey_id(key, netid);
	ident_generate(&me);
	memset(bodies, 0, sizeof bodies);
	tu_result(&bodies[0], 1);
	bodies[1].kind = REC_NODE;
	strcpy(bodies[1].u.node.name, "seed");
	bodies[1].u.node.n_addrs = 1;
	strcpy(bodies[1].u.node.addrs[0], "127.0.0.1:7400");
	bodies[2].kind = REC_REVOKE;
	strcpy(bodies[2].u.ref.text, "seed");
	bundle_header(bundle, netid);
	for (int i = 0; i < 3; i++) {
		if (body_encode(&bodies[i], &enc, &elen) != EM_OK ||
		    rec_seal(me, netid, bodies[i].kind, (uint64_t)i + 1, 1, enc, elen,
		    &rec, &rlen, NULL) != EM_OK)
			return 1;
		snprintf(name, sizeof name, "record-%d", i);
		if (strcmp(argv[1], "record") == 0)
			put(argv[2], name, rec, rlen);
		if (strcmp(argv[1], "wire") == 0)
			put_wire(argv[2], i, rec, rlen);
		bundle_frame(bundle + blen, (uint32_t)rlen);
		memcpy(bundle + blen + BUNDLE_FRAME_LEN, rec, rlen);
		blen += BUNDLE_FRAME_LEN + rlen;
		free(enc);
		free(rec);
	}
	if (strcmp(argv[1], "record") == 0)
		put_audit(argv[2], me, netid);
	if (strcmp(argv[1], "session") == 0)
		put_session(argv[2]);
	if (strcmp(argv[1], "score") == 0)
		put_score(argv[2]);
	if (strcmp(argv[1], "recon") == 0)
		put_recon(argv[2]);
	if (strcmp(argv[1], "task") == 0 || strcmp(argv[1], "model") == 0)
		put_seeds(argv[1], argv[2]);
	if (strcmp(argv[1], "name") == 0)
		put_names(argv[2]);
	bundle_trailer(bundle + blen, 3);
	blen += BUNDLE_TRAILER_LEN;
	if (strcmp(argv[1], "bundle") == 0)
		put(argv[2], "bundle-3", bundle, blen);
	ident_free(me);
	return 0;
}

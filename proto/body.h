/* proto/body.h — the bodies of the record kinds, encoded and decoded.
 *
 * Each body is a MessagePack array of fixed arity (format version 1); an
 * absent optional field is nil. Text fields are UTF-8 without NUL and have a
 * byte limit each (the *_MAX below, excluding the terminator). Decoding
 * copies text into the fixed buffers of these structs and borrows only the
 * two variable blobs (task manifest, result scores) from the input.
 *
 *   node:   [name, org, [addr...]]
 *   task:   [name, version, items_root(32), n_items, manifest(bin), chunk_hashes(bin, 32 each)]
 *   result: [task(32), [model, revision, access, weights(32)|nil],
 *            [adapter, harness_version, prompt_hash(32)|nil, params_json,
 *             [truncated, empty, refused, failed, notes]],
 *            [[metric, value]...], n_items, stderr|nil, [lo, hi]|nil,
 *            merkle_root(32)|nil, scores(bin)|nil, t_start, t_end]
 *   attest: [target(32), verdict, note]
 *   revoke: [target(32), reason]
 *   challenge: [result(32), k, within_s]
 *   response:  [challenge(32), result(32),
 *               [[index, item_hash(32), output(bin)|nil, output_hash(32),
 *                 score, proof(bin, 32 each)]...]]
 * (challenge and response: proto/body_audit.c, the rules in audit.h)
 */
#ifndef EM_BODY_H
#define EM_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum rec_kind {
	REC_NODE = 1,
	REC_TASK = 2,
	REC_RESULT = 3,
	REC_ATTEST = 4,
	REC_REVOKE = 5,
	REC_CHALLENGE = 6,	/* an audit asked of a result (audit.h) */
	REC_RESPONSE = 7,	/* its author's answer: outputs and proofs */
};

#define BODY_NAME_MAX		128	/* node, model, task names; revisions */
#define BODY_ORG_MAX		128
#define BODY_ADDR_MAX		255
#define BODY_ADDRS_MAX		16
#define BODY_SHORT_MAX		32	/* versions, adapters, metric names */
#define BODY_TEXT_MAX		1024	/* notes, reasons, params */
#define BODY_METRICS_MAX	16
#define BODY_MANIFEST_MAX	(64 * 1024)
#define BODY_CHUNKS_MAX		1024
#define BODY_ITEMS_MAX		(1u << 20)
#define BODY_CHUNK_BYTES	(256 * 1024)	/* a chunk of item lines, at most */
#define BODY_ITEM_LINE_MIN	3		/* "{}" and its newline */
#define BODY_SCORES_MAX		65536	/* per-item scores carried in a result */
#define BODY_SCORE_SCALE	10000	/* a score s in [0,1] travels as s*10000 */
#define BODY_AUDIT_K_MAX	16	/* items one challenge opens */
#define BODY_AUDIT_WITHIN_MAX	(30u * 86400)	/* seconds given to answer */
#define BODY_AUDIT_OUT_MAX	(30 * 1024)	/* one opened output: sixteen of
						 * them and their proofs fit
						 * REC_BODY_MAX (504 KiB at most) */
#define BODY_PROOF_MAX		20	/* hashes: a tree of BODY_ITEMS_MAX */

enum body_access { ACCESS_OPEN = 0, ACCESS_CLOSED = 1 };
enum body_verdict { VERDICT_REPRODUCED = 0, VERDICT_AUDITED = 1, VERDICT_DISPUTED = 2 };

typedef struct body_node {
	char		name[BODY_NAME_MAX + 1];
	char		org[BODY_ORG_MAX + 1];
	uint32_t	n_addrs;
	char		addrs[BODY_ADDRS_MAX][BODY_ADDR_MAX + 1];
} body_node;

typedef struct body_task {
	char		 name[BODY_NAME_MAX + 1];
	char		 version[BODY_SHORT_MAX + 1];
	uint8_t		 items_root[32];
	uint64_t	 n_items;
	const uint8_t	*manifest;	/* borrowed */
	size_t		 manifest_len;
	uint32_t	 n_chunks;
	const uint8_t	*chunks;	/* borrowed: n_chunks hashes of 32 bytes */
} body_task;

typedef struct body_metric {
	char	name[BODY_SHORT_MAX + 1];
	double	value;
} body_metric;

/* What a run met on its items, part of a result's signed harness
 * settings (the fifth element; a result encoded before it existed has
 * four, and has_items 0): items whose answer the token limit cut
 * (finish_reason "length"), items with no answer text once any reasoning
 * block is set aside, items the model's server refused (an HTTP 400, 413
 * or 422 about the item, e.g. a prompt over its context), and items that
 * failed every attempt and were scored 0 because the operator said so
 * (`eval --count-failed-as-wrong`). Each count is at most n_items; a
 * refused or failed item scores 0, a truncated or empty one whatever the
 * metric gives its text. notes: the servers' own reasons for refused and
 * failed items, distinct ones joined by "; ", cut to fit. */
typedef struct body_items {
	uint32_t	truncated, empty, refused, failed;
	char		notes[BODY_TEXT_MAX + 1];
} body_items;

typedef struct body_result {
	uint8_t		 task[32];
	char		 model[BODY_NAME_MAX + 1];
	char		 revision[BODY_NAME_MAX + 1];
	uint8_t		 access;		/* enum body_access */
	int		 has_weights;
	uint8_t		 weights[32];		/* commitment to the weights */
	char		 adapter[BODY_SHORT_MAX + 1];
	char		 harness_version[BODY_SHORT_MAX + 1];
	int		 has_prompt_hash;
	uint8_t		 prompt_hash[32];
	char		 params[BODY_TEXT_MAX + 1];	/* generation parameters, JSON */
	int		 has_items;
	body_items	 items;
	uint32_t	 n_metrics;
	body_metric	 metrics[BODY_METRICS_MAX];
	uint64_t	 n_items;
	int		 has_stderr;
	double		 std_err;
	int		 has_ci;
	double		 ci_lo, ci_hi;
	int		 has_merkle;
	uint8_t		 merkle[32];
	const uint8_t	*scores;	/* borrowed: n_items big-endian u16, or NULL */
	size_t		 scores_len;
	uint64_t	 t_start, t_end;	/* ms since the epoch */
} body_result;

typedef struct body_ref {	/* attest and revoke */
	uint8_t		target[32];
	uint8_t		verdict;	/* attest only: enum body_verdict */
	char		text[BODY_TEXT_MAX + 1];
} body_ref;

/* A challenge: open k items of result, answered within within_s
 * seconds of the challenge's timestamp. k is 1 to BODY_AUDIT_K_MAX,
 * within_s 1 to BODY_AUDIT_WITHIN_MAX. */
typedef struct body_challenge {
	uint8_t		result[32];
	uint32_t	k;
	uint32_t	within_s;
} body_challenge;

/* One item a response opens: its leaf's fields and the leaf's Merkle
 * proof (proof_len a multiple of 32, at most 32 * BODY_PROOF_MAX). The
 * output is absent (has_output 0) when its author does not hold it whole
 * or it is above BODY_AUDIT_OUT_MAX: the proof still binds output_hash,
 * but the item cannot be scored again (audit.h). */
typedef struct body_opened {
	uint32_t	 index;
	uint8_t		 item_hash[32];
	int		 has_output;
	const uint8_t	*output;	/* borrowed */
	size_t		 output_len;
	uint8_t		 output_hash[32];
	uint16_t	 score;		/* at most BODY_SCORE_SCALE */
	const uint8_t	*proof;		/* borrowed */
	size_t		 proof_len;
} body_opened;

/* A response: 1 to BODY_AUDIT_K_MAX opened items. */
typedef struct body_response {
	uint8_t		challenge[32];
	uint8_t		result[32];
	uint32_t	n;
	body_opened	items[BODY_AUDIT_K_MAX];
} body_response;

typedef struct body_any {
	uint8_t kind;
	union {
		body_node	node;
		body_task	task;
		body_result	result;
		body_ref	ref;
		body_challenge	challenge;
		body_response	response;
	} u;
} body_any;

/* Decodes a body of the given kind from buf[0..len) into *out; the
 * pointers in it borrow from buf, the texts are copied. After a failure
 * *out is partly filled. *field (a static string) names the part last
 * read, the failing one after an error, and *off its byte offset in buf
 * (both may be NULL). Errors: EM_EKIND, EM_EFORMAT (a wrong shape, or a
 * text utf8_printable refuses), EM_ETRUNC, EM_ETOOBIG, EM_EUTF8,
 * EM_ERANGE, EM_ETRAILING. A task whose n_items its chunk list cannot
 * hold (none, fewer than one per chunk, more than BODY_CHUNK_BYTES /
 * BODY_ITEM_LINE_MIN per chunk) is EM_ERANGE at "task.n_items". */
em_err body_decode(uint8_t kind, const uint8_t *buf, size_t len, body_any *out,
    const char **field, size_t *off);

/* Reads only what a store indexes from a result body: the task id and
 * the model's name and revision (buffers of BODY_NAME_MAX + 1), checking
 * no more than it reads: for bodies already accepted. EM_EFORMAT,
 * EM_ETRUNC, EM_ETOOBIG, EM_EUTF8 as mpr's readers say them. */
em_err body_result_keys(const uint8_t *buf, size_t len, uint8_t task[static 32],
    char *model, char *revision);

/* Encodes b (only read) with msgpack-c's packer, then decodes the result
 * to check it, so we never sign what a peer would refuse. On success *out
 * is yours (free()), *len its size; on failure NULL and 0. Errors:
 * EM_EKIND, EM_ENOMEM, or body_decode's error for what was encoded. */
em_err body_encode(const body_any *b, uint8_t **out, size_t *len);

/* The id of a task (version 2): BLAKE2b-256 over a tag
 * ("evalmesh/task/v2"), the manifest's hash, the items' Merkle root,
 * n_items, n_chunks, the hash of the chunk hashes, the name and the
 * version: everything the body says, so two task records with one id
 * differ only by their author, time and signature, and which of them a
 * node met first changes nothing it shows, evaluates or ranks. */
void body_task_id(const body_task *t, uint8_t id[static 32]);

/* The kind's name ("result", static), or NULL for an unknown kind. */
const char *body_kind_name(uint8_t kind);

#endif

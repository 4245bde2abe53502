/* node/task/task_audit.h — what the audits of a result come to, worked
 * out by every reader from what it holds.
 *
 * A result's audits are the challenge records naming it and the
 * responses its author signed to them (proto/audit.h: the draw and the
 * checks without items). Here each response is checked in full: the
 * checks of audit_check, then, with the task's items read from this
 * store's chunks, each opened item's hash against the task's item, and
 * each opened output scored again by the task's metric
 * (score_units(task_score(...)), as `eval` scores) against the score its
 * leaf commits to. An empty output (an item the server refused, or that
 * failed) may also score 0, as the runner scores those.
 *
 * A challenge comes to one of:
 *   passed      a response by the result's author passes every check
 *   failed      a response by the result's author fails one: evidence,
 *               signed by the author, that its result does not stand
 *               (its why says which check)
 *   unverified  a response passes the checks this node can make, but
 *               the task's items are not here (its chunks not fetched:
 *               the node checks again once they are) or an output was
 *               withheld (above BODY_AUDIT_OUT_MAX, or not held whole by
 *               its author): it cannot be scored again
 *   unanswered  no response, and its time (its timestamp + within_s)
 *               has passed
 *   pending     no response yet, within its time
 * and the result's flags (store.h): RESULT_FAILED_AUDIT if any failed,
 * else RESULT_AUDITED if any passed; RESULT_AUDIT_UNANSWERED,
 * _PENDING, _UNVERIFIED as any challenge stands so. Only the first
 * TASK_AUDIT_MAX challenges and responses are read. */
#ifndef EM_TASK_AUDIT_H
#define EM_TASK_AUDIT_H

#include <stdint.h>

#include "store.h"

#define TASK_AUDIT_MAX		64	/* challenges, and responses, read */
#define TASK_AUDIT_WHY_MAX	256

enum task_audit_state {
	AUDIT_PENDING, AUDIT_UNANSWERED, AUDIT_UNVERIFIED, AUDIT_PASSED, AUDIT_FAILED,
};

typedef struct task_audit_one {
	uint8_t		challenge[32];		/* the challenge record's id */
	uint8_t		challenger[32];		/* its author */
	uint8_t		response[32];		/* the response that decided it */
	uint64_t	ts, due;		/* ms: the challenge's time, and its
						 * time plus within_s */
	uint32_t	k;			/* items asked (min(k, n) drawn) */
	enum task_audit_state state;
	char		why[TASK_AUDIT_WHY_MAX];	/* failed, unverified: why */
} task_audit_one;

typedef struct task_audit {
	uint32_t	flags;			/* RESULT_AUDITED ... */
	size_t		n;
	task_audit_one	one[TASK_AUDIT_MAX];	/* in arrival order */
} task_audit;

/* The audits of result (a record id) as of now_ms, into out. EM_OK, also
 * with out->n 0 for a result that has none, or is not held here.
 * EM_ENOMEM; the store's errors. */
em_err	task_audit_of(store *st, const uint8_t result[static 32], uint64_t now_ms,
    task_audit *out);

/* The state's word: "passed", "failed", ... (static). */
const char *task_audit_state_name(enum task_audit_state s);

/* The audit flags of result, as task_audit_of gives them, or 0 when
 * flags (the result's stored flags) has no RESULT_CHALLENGED or the audit
 * cannot be worked out (a reader shows the result without them). */
uint32_t task_audit_flags(store *st, const uint8_t result[static 32], uint32_t flags,
    uint64_t now_ms);

#endif

/* The author's side (task_answer.c). */

/* Remembers that this node's result came from the evaluation cache's run
 * run_key (eval.h), so that it can answer audits of it: a setting in the
 * store's meta. The store's errors. */
em_err	task_audit_remember(store *st, const uint8_t result[static 32],
    const uint8_t run_key[static 32]);

/* Answers challenge chal_id (a record held here) when it names a result
 * me signed: opens the items it draws from the run task_audit_remember
 * named, each with its Merkle proof, and publishes the response (signed
 * by me, stored in st; id into resp_id). An output is opened when the
 * cache holds it whole and it is at most BODY_AUDIT_OUT_MAX bytes, as
 * the empty output for an item the server refused or that failed (their
 * leaves commit to none); otherwise it is withheld (nil): its proof
 * still binds its hash, and every node shows the audit unverified.
 * Memory: about 130 bytes per item of the task, for the whole tree.
 * Errors, with a reason in why: EM_EINVAL (no such challenge, or a
 * result not me's: nothing to answer), EM_EEXIST (me answered it
 * already), EM_ENOTFOUND (no run of this node is known for the result,
 * or the run's cache or the task's items lack an item), EM_EMISMATCH
 * (the cached run does not give the result's root: answering would only
 * prove the result wrong), EM_EFORMAT (a result without a root),
 * EM_ENOMEM, the store's errors. */
em_err	task_audit_answer(store *st, const ident *me, const uint8_t chal_id[static 32],
    uint64_t now_ms, uint8_t resp_id[static 32], char *why, size_t cap);

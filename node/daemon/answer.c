/* The node answers audits of its own results by itself (task_audit.h):
 * each challenge record that comes, from a peer or from this home, is
 * looked at once, and answered when it names a result this node signed
 * from a run whose cache it holds. */
#include "daemon_impl.h"

#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "log.h"
#include "task_audit.h"

#define ANSWER_SCAN_MAX		1024	/* records looked at per tick */
/* Answers given: a burst, then one every ANSWER_EVERY_MS. Any member may
 * challenge, and each answer is a record of up to ~0.5 MB that this node
 * signs and every peer takes: a flood of challenges answered at once
 * spent this node's author rate and its peers' patience (a fresh
 * attacker got an honest author banned by its neighbours with 600). The
 * rest wait, in order, shown pending; the scan resumes after the last
 * challenge taken. */
#define ANSWER_BURST		16
#define ANSWER_EVERY_MS		10000

typedef struct seen {
	uint8_t		chal[ANSWER_SCAN_MAX][32];
	size_t		n, room;	/* challenges taken; how many may be */
} seen;

static int
visit(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	seen *s = ctx;

	(void)b;
	(void)flags;
	if (env->kind == REC_CHALLENGE)
		memcpy(s->chal[s->n++], env->id, 32);
	return s->n == s->room;	/* stop here: the next scan starts after it */
}

void
answer_tick(daemon_state *d)
{
	seen *s;
	uint64_t last = d->audit_seen;
	char why[256], hex[ID_HEX_LEN + 1];
	uint8_t rid[32];
	em_err err;

	uint64_t now = daemon_mono(d);

	if (d->answer_at == 0) {	/* the first tick: a whole burst */
		d->answer_tokens = ANSWER_BURST;
		d->answer_at = now ? now : 1;
	}
	if (d->answer_tokens < ANSWER_BURST && now >= d->answer_at + ANSWER_EVERY_MS) {
		d->answer_tokens++;
		d->answer_at = now;
	}
	if (d->o.no_answer_audits || d->answer_tokens == 0 || (s = malloc(sizeof *s)) == NULL)
		return;
	s->n = 0;
	s->room = d->answer_tokens;
	if (store_since(d->st, d->audit_seen, ANSWER_SCAN_MAX, visit, s, &last) == EM_OK)
		d->audit_seen = last;
	for (size_t i = 0; i < s->n; i++) {
		err = task_audit_answer(d->st, d->me, s->chal[i], em_wall_ms(d->clock), rid,
		    why, sizeof why);
		hex_encode(hex, s->chal[i], 32);
		if (err == EM_OK) {
			log_info("answered audit challenge %.16s", hex);
			d->answer_tokens--;
		}
		else if (err != EM_EINVAL && err != EM_EEXIST)
			log_warn("cannot answer audit challenge %.16s: %s", hex, why);
	}
	free(s);
}

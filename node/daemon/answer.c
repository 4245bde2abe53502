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

typedef struct seen {
	uint8_t		chal[ANSWER_SCAN_MAX][32];
	size_t		n;
} seen;

static int
visit(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	seen *s = ctx;

	(void)b;
	(void)flags;
	if (env->kind == REC_CHALLENGE)
		memcpy(s->chal[s->n++], env->id, 32);
	return 0;
}

void
answer_tick(daemon_state *d)
{
	seen *s;
	uint64_t last = d->audit_seen;
	char why[256], hex[ID_HEX_LEN + 1];
	uint8_t rid[32];
	em_err err;

	if (d->o.no_answer_audits || (s = malloc(sizeof *s)) == NULL)
		return;
	s->n = 0;
	if (store_since(d->st, d->audit_seen, ANSWER_SCAN_MAX, visit, s, &last) == EM_OK)
		d->audit_seen = last;
	for (size_t i = 0; i < s->n; i++) {
		err = task_audit_answer(d->st, d->me, s->chal[i], em_wall_ms(d->clock), rid,
		    why, sizeof why);
		hex_encode(hex, s->chal[i], 32);
		if (err == EM_OK)
			log_info("answered audit challenge %.16s", hex);
		else if (err != EM_EINVAL && err != EM_EEXIST)
			log_warn("cannot answer audit challenge %.16s: %s", hex, why);
	}
	free(s);
}

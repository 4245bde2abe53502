/* Task records taken in from peers (daemon_impl.h, intake_task): each
 * checked against itself (task_body_check), and at most
 * autocfg.task_records a UTC day from one author, this node and the
 * authors it trusts aside. A task record is up to about 100 KB and any
 * member can sign as many as it likes: without the cap one connection
 * filled a disk at 1.7 MB/s. What is refused is counted for `status`. */
#include "daemon_impl.h"

#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "hex.h"
#include "idmap.h"
#include "log.h"
#include "task.h"

struct intake_state {
	idmap		 authors;	/* author -> uint64_t: taken in today */
	uint64_t	 day;		/* budget_day_of the counts */
	uint64_t	 over, bad;	/* refused: over the cap, inconsistent */
	uint64_t	 over_authors;	/* authors that met the cap today */
};

static struct intake_state *
in_of(daemon_state *d)
{
	struct intake_state *in = d->in;

	if (in == NULL && (in = d->in = calloc(1, sizeof *in)) != NULL)
		idmap_init(&in->authors, em_rand(d->clock), em_rand(d->clock));
	return in;
}

static void
counts_free(struct intake_state *in)
{
	for (size_t i = 0; i < in->authors.cap; i++)
		free(in->authors.slots[i].v);
	idmap_free(&in->authors);
}

void
intake_free(daemon_state *d)
{
	if (d->in != NULL)
		counts_free(d->in);
	free(d->in);
	d->in = NULL;
}

/* Whether the author may have one more task record taken in today; if
 * so it is counted. Out of memory: taken, uncounted. */
static int
within_cap(daemon_state *d, struct intake_state *in, const uint8_t author[static 32])
{
	uint64_t day = budget_day_of(daemon_now(d)), *n;

	if (day > in->day) {
		counts_free(in);
		in->day = day;
		in->over_authors = 0;
	}
	if ((n = idmap_get(&in->authors, author)) == NULL) {
		if ((n = calloc(1, sizeof *n)) == NULL)
			return 1;
		if (idmap_put(&in->authors, author, n) != 0) {
			free(n);
			return 1;
		}
	}
	if (*n >= d->o.autocfg.task_records) {
		if (*n == d->o.autocfg.task_records) {
			char hex[ID_HEX_LEN + 1];

			hex_encode(hex, author, 32);
			log_warn("author %.16s: %llu task records taken in today, the most "
			    "(--task-records-per-author); more wait for the next day", hex,
			    (unsigned long long)*n);
			in->over_authors++;
			(*n)++;	/* logged once */
		}
		return 0;
	}
	(*n)++;
	return 1;
}

int
intake_task(daemon_state *d, const rec_env *env)
{
	struct intake_state *in = in_of(d);
	char why[TASK_WHY_MAX], hex[ID_HEX_LEN + 1];
	body_any b;

	if (env->kind != REC_TASK)
		return GOSSIP_NEW;
	if (rec_body(env, &b) != EM_OK)
		return GOSSIP_INVALID;	/* rec_verify decoded it: not met */
	if (task_body_check(&b.u.task, why, sizeof why) != EM_OK) {
		if (in != NULL)
			in->bad++;
		if (in != NULL && (in->bad & (in->bad - 1)) == 0) {	/* 1st, 2nd, 4th... */
			hex_encode(hex, env->author, 32);
			log_warn("task record refused from author %.16s: %s", hex, why);
		}
		return GOSSIP_INVALID;
	}
	if (in == NULL || memcmp(env->author, d->pk, 32) == 0 || store_trusted(d->st, env->author))
		return GOSSIP_NEW;
	if (within_cap(d, in, env->author))
		return GOSSIP_NEW;
	in->over++;
	return GOSSIP_LATER;
}

json_t *
intake_status(daemon_state *d)
{
	struct intake_state *in = d->in;

	return json_pack("{s:I, s:I, s:I, s:I}",
	    "per_author_day", (json_int_t)d->o.autocfg.task_records,
	    "refused_over_cap", (json_int_t)(in ? in->over : 0),
	    "authors_over_cap_today", (json_int_t)(in ? in->over_authors : 0),
	    "refused_inconsistent", (json_int_t)(in ? in->bad : 0));
}

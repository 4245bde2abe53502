/* Tasks in the store: finding one by name or id, loading its items. */
#include "task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "hex.h"
#include "name.h"

#define BY_NAME_IDS	8	/* distinct matches told apart in a message */

/* Names are looked up by their keys (name_key): a task published as
 * "cafe\u0301" or "arith\u00ad-en" is found as "café" or "arith-en". */
struct by_name {
	char		 name[NAME_KEY_CAP(BODY_NAME_MAX)];
	char		 version[NAME_KEY_CAP(BODY_SHORT_MAX)];
	int		 any_version;
	uint8_t		 id[32];
	uint8_t		 ids[BY_NAME_IDS][32];	/* the first distinct matches */
	unsigned	 n;			/* distinct ids that match */
	char		 seen[512];		/* them, for messages */
};

static int
by_name_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	struct by_name *bn = ctx;
	const body_task *t = &b->u.task;
	char idhex[ID_HEX_LEN + 1], author[ID_HEX_LEN + 1];
	char key[NAME_KEY_CAP(BODY_NAME_MAX)];
	uint8_t id[32];
	size_t len;

	(void)flags;
	if (name_key(t->name, key, sizeof key) != EM_OK || strcmp(key, bn->name) != 0 ||
	    (!bn->any_version && (name_key(t->version, key, sizeof key) != EM_OK ||
	    strcmp(key, bn->version) != 0)))
		return 0;
	body_task_id(t, id);
	for (unsigned i = 0; i < bn->n && i < BY_NAME_IDS; i++)
		if (memcmp(id, bn->ids[i], 32) == 0)
			return 0;	/* the same task, published again */
	memcpy(bn->id, id, 32);
	if (bn->n < BY_NAME_IDS)
		memcpy(bn->ids[bn->n], id, 32);
	/* tasks of one name and version by different authors differ only by
	 * id: say which is which */
	hex_encode(idhex, id, 32);
	hex_encode(author, env->author, 32);
	len = strlen(bn->seen);
	snprintf(bn->seen + len, sizeof bn->seen - len, "%s%s@%s id %.12s by %.8s",
	    bn->n ? ", " : "", t->name, t->version, idhex, author);
	bn->n++;
	return 0;
}

em_err
task_find(store *st, const char *text, uint8_t id[static 32], char *why, size_t cap)
{
	char name[BODY_NAME_MAX + BODY_SHORT_MAX + 2];
	struct by_name bn = { 0 };
	char *at;
	em_err err;

	if (strlen(text) >= ID_PREFIX_MIN &&
	    (err = store_resolve(st, SPACE_TASK, text, id)) != EM_EFORMAT) {
		if (err == EM_EAMBIGUOUS)
			return task_why(err, why, cap, "task id prefix '%.64s' matches more than one task", text);
		if (err != EM_ENOTFOUND)
			return err == EM_OK ? EM_OK : task_why(err, why, cap, "%s", em_strerror(err));
	}
	if (strlen(text) >= sizeof name)
		return task_why(EM_ENOTFOUND, why, cap, "no task named '%.64s' here", text);
	strcpy(name, text);
	if ((at = strrchr(name, '@')) != NULL)
		*at = '\0';
	bn.any_version = at == NULL;
	if (name_key(name, bn.name, sizeof bn.name) != EM_OK ||
	    (at != NULL && name_key(at + 1, bn.version, sizeof bn.version) != EM_OK))
		return task_why(EM_ENOTFOUND, why, cap, "no task with id or name '%.64s' here", text);
	if ((err = store_tasks(st, NULL, by_name_fn, &bn)) != EM_OK)
		return task_why(err, why, cap, "reading tasks: %s", em_strerror(err));
	if (bn.n == 0)
		return task_why(EM_ENOTFOUND, why, cap, "no task with id or name '%.64s' here", text);
	if (bn.n > 1)
		return task_why(EM_EAMBIGUOUS, why, cap, "'%.64s' names %u tasks (%s); give %s",
		    text, bn.n, bn.seen, bn.any_version ? "NAME@VERSION or an id prefix" : "an id prefix");
	memcpy(id, bn.id, 32);
	return EM_OK;
}

static int
first_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	task_rec *t = ctx;

	(void)b;
	if ((t->bytes = malloc(env->len)) == NULL)
		return 1;
	memcpy(t->bytes, env->bytes, env->len);
	t->len = env->len;
	memcpy(t->record, env->id, 32);
	memcpy(t->author, env->author, 32);
	t->ts = env->ts;
	t->flags = flags;
	return 1;	/* the first is enough */
}

em_err
task_rec_load(store *st, const uint8_t id[static 32], task_rec *t, char *why,
    size_t cap)
{
	char hex[ID_HEX_LEN + 1], inner[TASK_WHY_MAX];
	rec_env env;
	body_any b;
	em_err err;

	memset(t, 0, sizeof *t);
	memcpy(t->id, id, 32);
	hex_encode(hex, id, 32);
	if ((err = store_tasks(st, id, first_fn, t)) != EM_OK)
		return task_why(err, why, cap, "reading task %.16s: %s", hex, em_strerror(err));
	if (t->bytes == NULL)
		return task_why(EM_ENOTFOUND, why, cap, "task %.16s: no task record here", hex);
	/* stored bytes were checked on the way in; parse them again to borrow */
	if ((err = rec_parse(t->bytes, t->len, &env, NULL)) != EM_OK ||
	    (err = rec_body(&env, &b)) != EM_OK) {
		task_rec_free(t);
		return task_why(EM_ESTORE, why, cap, "task %.16s: stored record unreadable", hex);
	}
	t->body = b.u.task;
	if ((err = task_spec_parse(t->body.manifest, t->body.manifest_len, &t->spec, inner,
	    sizeof inner)) != EM_OK) {
		task_rec_free(t);
		return task_why(err, why, cap, "task %.16s: %s", hex, inner);
	}
	return EM_OK;
}

void
task_rec_free(task_rec *t)
{
	task_spec_free(&t->spec);
	free(t->bytes);
	memset(t, 0, sizeof *t);
}

em_err
task_items_load(store *st, const task_spec *s, const body_task *t,
    task_items *items, char *why, size_t cap)
{
	size_t missing = 0;
	em_err err = EM_OK;

	memset(items, 0, sizeof *items);
	for (uint32_t i = 0; i < t->n_chunks; i++)
		missing += !store_blob_has(st, t->chunks + 32 * i);
	if (missing)
		return task_why(EM_ENOTFOUND, why, cap, "%zu of %u item chunks are not here yet",
		    missing, t->n_chunks);
	for (uint32_t i = 0; i < t->n_chunks && err == EM_OK; i++) {
		uint8_t *chunk, h[32];
		size_t len;

		if ((err = store_blob_get(st, t->chunks + 32 * i, &chunk, &len)) != EM_OK)
			break;
		hash_blake2b(h, chunk, len);
		if (memcmp(h, t->chunks + 32 * i, 32) != 0)
			err = task_why(EM_EFORMAT, why, cap, "chunk %u does not match its hash", i + 1);
		else
			err = task_items_parse(s, chunk, len, items, why, cap);
		free(chunk);
	}
	if (err == EM_OK)
		err = task_items_check(items, t, why, cap);
	if (err != EM_OK)
		task_items_free(items);
	return err;
}


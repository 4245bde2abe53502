/* Tasks in the store: finding one by name or id, who holds a name, which
 * of a task's publishers speaks for it, a task record against itself. */
#include "task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "name.h"
#include "utf8.h"

unsigned
task_rank(store *st, const uint8_t *self, const uint8_t author[static 32], uint32_t flags)
{
	unsigned r = (flags & RESULT_REVOKED) ? 0 : 4;

	if (self != NULL && memcmp(author, self, 32) == 0)
		r += 2;
	else if (store_trusted(st, author))
		r += 1;
	return r;
}

/* Names are looked up by their keys (name_key): a task published as
 * "cafe\u0301" or "arith\u00ad-en" is found as "café" or "arith-en". */
struct holders {
	store		*st;
	const uint8_t	*self;
	unsigned	 rank;		/* of the last task's author */
	char		 name[NAME_KEY_CAP(BODY_NAME_MAX)];
	char		 version[NAME_KEY_CAP(BODY_SHORT_MAX)];
	int		 any_version;
	task_holder	*out;
	size_t		 cap, n;
	uint8_t		 last[32];
};

static int
holders_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	struct holders *h = ctx;
	const body_task *t = &b->u.task;
	char key[NAME_KEY_CAP(BODY_NAME_MAX)];
	uint8_t id[32];
	unsigned rank;

	if (name_key(t->name, key, sizeof key) != EM_OK || strcmp(key, h->name) != 0 ||
	    (!h->any_version && (name_key(t->version, key, sizeof key) != EM_OK ||
	    strcmp(key, h->version) != 0)))
		return 0;
	body_task_id(t, id);
	rank = task_rank(h->st, h->self, env->author, flags);
	/* records come by task id: the same task published again, by its
	 * author or another, comes right after its first, and the one that
	 * ranks highest is its author here */
	if (h->n > 0 && memcmp(id, h->last, 32) == 0) {
		if (rank > h->rank && h->n <= h->cap)
			memcpy(h->out[h->n - 1].author, env->author, 32);
		h->rank = rank > h->rank ? rank : h->rank;
		return 0;
	}
	memcpy(h->last, id, 32);
	h->rank = rank;
	if (h->n < h->cap) {
		task_holder *o = &h->out[h->n];

		memcpy(o->id, id, 32);
		memcpy(o->author, env->author, 32);
		snprintf(o->name, sizeof o->name, "%s", t->name);
		snprintf(o->version, sizeof o->version, "%s", t->version);
	}
	h->n++;
	return 0;
}

em_err
task_holders(store *st, const uint8_t *self, const char *name, const char *version,
    task_holder *out, size_t cap, size_t *n)
{
	struct holders h = { .st = st, .self = self, .any_version = version == NULL, .out = out,
	    .cap = cap };
	em_err err;

	*n = 0;
	if (name_key(name, h.name, sizeof h.name) != EM_OK ||
	    (version != NULL && name_key(version, h.version, sizeof h.version) != EM_OK))
		return EM_OK;	/* no key: no task can have it */
	if ((err = store_tasks(st, NULL, holders_fn, &h)) == EM_OK)
		*n = h.n;
	return err;
}

/* The author's node profile, the first among its first records. */
#define AUTHOR_SCAN	64

struct profile {
	char		*name;
	size_t		 cap;
	unsigned	 seen;
};

static int
profile_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	struct profile *p = ctx;

	(void)flags;
	if (env->kind == REC_NODE) {
		snprintf(p->name, p->cap, "%s", b->u.node.name);
		return 1;
	}
	return ++p->seen >= AUTHOR_SCAN;
}

const char *
task_author_name(store *st, const uint8_t author[static 32], char *buf, size_t cap)
{
	struct profile p = { buf, cap, 0 };

	buf[0] = '\0';
	store_records(st, author, 1, profile_fn, &p);
	return buf;
}

const char *
task_author(store *st, const uint8_t author[static 32], char *buf, size_t cap)
{
	char hex[ID_HEX_LEN + 1], name[BODY_NAME_MAX + 1];

	hex_encode(hex, author, 32);
	if (task_author_name(st, author, name, sizeof name)[0] != '\0')
		snprintf(buf, cap, "%.8s \"%s\"", hex, name);
	else
		snprintf(buf, cap, "%.8s", hex);
	return buf;
}

/* "NAME@VERSION id 0123456789ab by 01234567 "lab-a", ..." for messages:
 * tasks of one name and version differ only by id and author. */
static void
holders_text(store *st, const task_holder *h, size_t n, char *out, size_t cap)
{
	char idhex[ID_HEX_LEN + 1], who[TASK_AUTHOR_MAX];
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && len < cap; i++) {
		int k;

		hex_encode(idhex, h[i].id, 32);
		k = snprintf(out + len, cap - len, "%s%s@%s id %.12s by %s", i ? ", " : "",
		    h[i].name, h[i].version, idhex, task_author(st, h[i].author, who, sizeof who));
		if (k < 0)
			break;
		len += (size_t)k;
	}
}

/* Of n tasks under one name, the one this node means by it: the only one
 * it published itself, else the only one an author it trusts published
 * (task_rank, without revocations). Its index, or -1: the name stays
 * ambiguous. So a member who publishes another task under a lab's name
 * does not break the lab's own lookups by that name. */
static int
preferred(store *st, const uint8_t *self, const task_holder *h, size_t n)
{
	unsigned top = 4, r;	/* 4: any author's (task_rank) */
	int best = -1, ties = 0;

	for (size_t i = 0; i < n; i++) {
		if ((r = task_rank(st, self, h[i].author, 0)) > top) {
			top = r;
			best = (int)i;
			ties = 0;
		} else if (r == top && best >= 0) {
			ties++;
		}
	}
	return ties == 0 ? best : -1;
}

em_err
task_find(store *st, const uint8_t *self, const char *text, uint8_t id[static 32], char *why,
    size_t cap)
{
	char name[BODY_NAME_MAX + BODY_SHORT_MAX + 2], seen[TASK_WHY_MAX];
	task_holder h[TASK_HOLDERS_MAX];
	size_t n;
	char *at;
	em_err err;
	int best;

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
	if ((err = task_holders(st, self, name, at ? at + 1 : NULL, h, TASK_HOLDERS_MAX, &n)) != EM_OK)
		return task_why(err, why, cap, "reading tasks: %s", em_strerror(err));
	if (n == 0)
		return task_why(EM_ENOTFOUND, why, cap, "no task with id or name '%.64s' here", text);
	if (n > 1 && n <= TASK_HOLDERS_MAX && (best = preferred(st, self, h, n)) >= 0) {
		memcpy(id, h[best].id, 32);
		return EM_OK;
	}
	if (n > 1) {
		holders_text(st, h, n < TASK_HOLDERS_MAX ? n : TASK_HOLDERS_MAX, seen, sizeof seen);
		return task_why(EM_EAMBIGUOUS, why, cap, "'%.64s' names %zu tasks (%s%s); give %s",
		    text, n, seen, n > TASK_HOLDERS_MAX ? ", ..." : "",
		    at ? "an id prefix" : "NAME@VERSION or an id prefix");
	}
	memcpy(id, h[0].id, 32);
	return EM_OK;
}

struct pick {
	store		*st;
	const uint8_t	*self;
	task_rec	*t;
	unsigned	 rank;
	unsigned	 n;		/* records of the task seen */
	int		 nomem;
};

/* The record that ranks highest (task_rank), the first of equals. */
static int
pick_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	struct pick *p = ctx;
	task_rec *t = p->t;
	unsigned rank = task_rank(p->st, p->self, env->author, flags);
	uint8_t *bytes;

	(void)b;
	t->publishers = ++p->n;
	if (t->bytes != NULL && rank <= p->rank)
		return 0;
	if ((bytes = malloc(env->len)) == NULL) {
		p->nomem = 1;
		return 1;
	}
	free(t->bytes);
	t->bytes = bytes;
	memcpy(t->bytes, env->bytes, env->len);
	t->len = env->len;
	memcpy(t->record, env->id, 32);
	memcpy(t->author, env->author, 32);
	t->ts = env->ts;
	t->flags = flags;
	p->rank = rank;
	return 0;
}

em_err
task_rec_load(store *st, const uint8_t *self, const uint8_t id[static 32], task_rec *t,
    char *why, size_t cap)
{
	char hex[ID_HEX_LEN + 1], inner[TASK_WHY_MAX];
	struct pick p = { .st = st, .self = self, .t = t };
	rec_env env;
	body_any b;
	em_err err;

	memset(t, 0, sizeof *t);
	memcpy(t->id, id, 32);
	hex_encode(hex, id, 32);
	if ((err = store_tasks(st, id, pick_fn, &p)) != EM_OK || p.nomem) {
		task_rec_free(t);
		memcpy(t->id, id, 32);
		err = err != EM_OK ? err : EM_ENOMEM;
		return task_why(err, why, cap, "reading task %.16s: %s", hex, em_strerror(err));
	}
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

/* A name of the manifest against the record's: absent is fine (an older
 * or another kind of manifest), another text or a non-text is not. */
static em_err
same_text(json_t *m, const char *key, const char *signed_as, char *why, size_t cap)
{
	json_t *v = json_object_get(m, key);

	if (v == NULL)
		return EM_OK;
	if (!json_is_string(v))
		return task_why(EM_EFORMAT, why, cap, "the manifest's %s is not a text", key);
	if (strcmp(json_string_value(v), signed_as) != 0)
		return task_why(EM_EFORMAT, why, cap, "the record's %s is not the manifest's (a task "
		    "signed again under another %s)", key, key);
	return EM_OK;
}

em_err
task_body_check(const body_task *t, char *why, size_t cap)
{
	json_t *m;
	em_err err;

	if (!utf8_valid(t->manifest, t->manifest_len) ||
	    (m = json_loadb((const char *)t->manifest, t->manifest_len, JSON_REJECT_DUPLICATES,
	    NULL)) == NULL)
		return task_why(EM_EFORMAT, why, cap, "the manifest is not JSON");
	if (!json_is_object(m))
		err = task_why(EM_EFORMAT, why, cap, "the manifest is not a JSON object");
	else if ((err = same_text(m, "name", t->name, why, cap)) == EM_OK)
		err = same_text(m, "version", t->version, why, cap);
	json_decref(m);
	return err;
}

void
task_rec_free(task_rec *t)
{
	task_spec_free(&t->spec);
	free(t->bytes);
	memset(t, 0, sizeof *t);
}

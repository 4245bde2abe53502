/* A stored task's items, read one chunk at a time: the reader, the
 * few-shot examples, and the check of the whole set against its record
 * (task.h). */
#include "task_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "merkle.h"

struct task_reader {
	store		*st;		/* NULL: the one chunk in mem */
	const task_spec	*s;
	const body_task	*t;
	const uint8_t	*mem;
	size_t		 mem_len;
	uint32_t	 next;		/* the next chunk to fetch */
	uint8_t		*buf;		/* the chunk fetched (owned) */
	const uint8_t	*chunk;		/* the chunk being read: buf, or mem */
	size_t		 len, pos;
	size_t		 index;		/* items read */
	json_t		*item;		/* the last one, a reference */
};

em_err
task_reader_open(store *st, const task_spec *s, const body_task *t, task_reader **out)
{
	if ((*out = calloc(1, sizeof **out)) == NULL)
		return EM_ENOMEM;
	(*out)->st = st;
	(*out)->s = s;
	(*out)->t = t;
	return EM_OK;
}

em_err
task_reader_chunk(const task_spec *s, const uint8_t *chunk, size_t len, task_reader **out)
{
	if ((*out = calloc(1, sizeof **out)) == NULL)
		return EM_ENOMEM;
	(*out)->s = s;
	(*out)->mem = chunk;
	(*out)->mem_len = len;
	return EM_OK;
}

void
task_reader_free(task_reader *r)
{
	if (r == NULL)
		return;
	json_decref(r->item);
	free(r->buf);
	free(r);
}

/* The next chunk into r->chunk: EM_OK, with r->chunk NULL when there is
 * none left. */
static em_err
next_chunk(task_reader *r, char *why, size_t cap)
{
	uint8_t h[32];
	em_err err;

	free(r->buf);
	r->buf = NULL;
	r->chunk = NULL;
	r->pos = 0;
	if (r->st == NULL) {
		if (r->next++ > 0)
			return EM_OK;
		r->chunk = r->mem;
		r->len = r->mem_len;
	} else {
		const uint8_t *name = r->t->chunks + 32 * r->next;

		if (r->next == r->t->n_chunks)
			return EM_OK;
		if ((err = store_blob_get(r->st, name, &r->buf, &r->len)) != EM_OK)
			return task_why(err, why, cap, "chunk %u: %s", r->next + 1, em_strerror(err));
		hash_blake2b(h, r->buf, r->len);
		if (memcmp(h, name, 32) != 0)
			return task_why(EM_EFORMAT, why, cap, "chunk %u does not match its hash",
			    r->next + 1);
		r->chunk = r->buf;
		r->next++;
	}
	if (r->len == 0 || r->len > TASK_CHUNK_MAX || r->chunk[r->len - 1] != '\n')
		return task_why(EM_EFORMAT, why, cap, "a chunk must be 1 to %d bytes of lines",
		    TASK_CHUNK_MAX);
	return EM_OK;
}

em_err
task_reader_next(task_reader *r, task_item *it, char *why, size_t cap)
{
	char inner[TASK_WHY_MAX];
	const char *line, *nl;
	em_err err;

	json_decref(r->item);
	r->item = NULL;
	memset(it, 0, sizeof *it);
	while (r->chunk == NULL || r->pos == r->len) {
		if ((err = next_chunk(r, why, cap)) != EM_OK)
			return err;
		if (r->chunk == NULL)
			return EM_OK;	/* the end */
	}
	line = (const char *)r->chunk + r->pos;
	nl = memchr(line, '\n', r->len - r->pos);	/* the chunk ends in one */
	if ((err = task_line_parse(r->s, line, (size_t)(nl - line), &r->item, inner,
	    sizeof inner)) != EM_OK)
		return task_why(err, why, cap, "item %zu: %s", r->index + 1, inner);
	merkle_item(it->hash, (const uint8_t *)line, (size_t)(nl - line));
	it->index = r->index++;
	it->item = r->item;
	r->pos += (size_t)(nl - line) + 1;
	return EM_OK;
}

/* Whether a comes before b as an example: by hash, then position (two
 * items of one hash have one line, so one id: no task holds both). */
static int
before(const task_shot *a, const uint8_t hash[static 32], size_t index)
{
	int c = memcmp(a->hash, hash, 32);

	return c < 0 || (c == 0 && a->index < index);
}

void
task_shots_add(task_shots *sh, unsigned fewshot, const task_item *it)
{
	size_t want = (size_t)fewshot + 1, k = sh->n_kept;

	if (k == want && before(&sh->kept[k - 1], it->hash, it->index))
		return;		/* not among the least */
	if (k == want)
		json_decref(sh->kept[--k].item);
	for (; k > 0 && !before(&sh->kept[k - 1], it->hash, it->index); k--)
		sh->kept[k] = sh->kept[k - 1];
	sh->kept[k].index = it->index;
	memcpy(sh->kept[k].hash, it->hash, 32);
	sh->kept[k].item = json_incref(it->item);
	if (sh->n_kept < want)
		sh->n_kept++;
}

void
task_shots_free(task_shots *sh)
{
	for (size_t k = 0; k < sh->n_kept; k++)
		json_decref(sh->kept[k].item);
	memset(sh, 0, sizeof *sh);
}

/* What the check keeps while it reads. */
struct check {
	task_ids	 ids;
	merkle_acc	 root;
	size_t		 n;
};

/* Reads every item: its id kept (only the count's worth the record
 * says: beyond it the task is refused anyway, and a peer's chunks must
 * not make us keep more), its hash into the root, its place among the
 * examples. */
static em_err
read_all(store *st, const task_spec *s, const body_task *t, struct check *c, task_shots *sh,
    char *why, size_t cap)
{
	task_reader *r;
	task_item it;
	em_err err;

	if (task_reader_open(st, s, t, &r) != EM_OK)
		return task_why(EM_ENOMEM, why, cap, "out of memory");
	while ((err = task_reader_next(r, &it, why, cap)) == EM_OK && it.item != NULL) {
		if (c->n < t->n_items && task_ids_add(&c->ids, it.item, (uint32_t)it.index) != EM_OK) {
			err = task_why(EM_ENOMEM, why, cap, "item %zu: out of memory", it.index + 1);
			break;
		}
		merkle_acc_add(&c->root, it.hash);
		task_shots_add(sh, s->fewshot, &it);
		c->n++;
	}
	task_reader_free(r);
	return err;
}

em_err
task_items_check(store *st, const task_spec *s, const body_task *t, task_shots *sh,
    char *why, size_t cap)
{
	struct check c = { 0 };
	size_t missing = 0;
	uint32_t a, b;
	uint8_t root[32];
	em_err err;

	memset(sh, 0, sizeof *sh);
	for (uint32_t i = 0; i < t->n_chunks; i++)
		missing += !store_blob_has(st, t->chunks + 32 * i);
	if (missing)
		return task_why(EM_ENOTFOUND, why, cap, "%zu of %u item chunks are not here yet",
		    missing, t->n_chunks);
	merkle_acc_start(&c.root);
	if ((err = read_all(st, s, t, &c, sh, why, cap)) != EM_OK)
		goto out;
	if ((err = task_ids_dup(&c.ids, &a, &b)) == EM_EEXIST) {
		err = task_why(EM_EFORMAT, why, cap, "items %u and %u have the same id", a + 1, b + 1);
		goto out;
	}
	if (c.n != t->n_items) {
		err = task_why(EM_EFORMAT, why, cap, "the chunks hold %zu items, the record says %llu",
		    c.n, (unsigned long long)t->n_items);
		goto out;
	}
	merkle_acc_root(&c.root, root);
	if (memcmp(root, t->items_root, 32) != 0)
		err = task_why(EM_EFORMAT, why, cap, "the items do not hash to the record's items root");
	sh->n = c.n;
out:
	task_ids_free(&c.ids);
	if (err != EM_OK)
		task_shots_free(sh);
	return err;
}

/* Item ids as fixed-size keys: two items with one id found without
 * holding the ids (task.h, task_ids). */
#include "task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

struct task_id_key {
	uint8_t		key[TASK_ID_KEY];
	uint32_t	pos;
};

em_err
task_ids_add(task_ids *ids, const json_t *item, uint32_t pos)
{
	const json_t *id = json_object_get(item, "id");
	uint8_t h[HASH_LEN];
	char num[32];
	hash_state hs;

	if (ids->n == ids->cap) {
		/* doubling: a large array grows in place (glibc remaps it), so
		 * the old and the new are never both held */
		size_t cap = ids->cap ? 2 * ids->cap : 1024;
		struct task_id_key *k;

		if (cap > SIZE_MAX / sizeof *k || (k = realloc(ids->k, cap * sizeof *k)) == NULL)
			return EM_ENOMEM;
		ids->k = k;
		ids->cap = cap;
	}
	/* typed: the string "7" and the number 7 are different ids */
	hash_start(&hs);
	if (json_is_string(id)) {
		hash_update(&hs, (const uint8_t *)"s", 1);
		hash_update(&hs, (const uint8_t *)json_string_value(id), json_string_length(id));
	} else {
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(id));
		hash_update(&hs, (const uint8_t *)"i", 1);
		hash_update(&hs, (const uint8_t *)num, strlen(num));
	}
	hash_finish(&hs, h);
	memcpy(ids->k[ids->n].key, h, TASK_ID_KEY);
	ids->k[ids->n].pos = pos;
	ids->n++;
	return EM_OK;
}

static int
key_cmp(const struct task_id_key *a, const struct task_id_key *b)
{
	int c = memcmp(a->key, b->key, TASK_ID_KEY);

	if (c != 0)
		return c;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static void
sift(struct task_id_key *k, size_t root, size_t n)
{
	for (size_t child; (child = 2 * root + 1) < n; root = child) {
		struct task_id_key t;

		if (child + 1 < n && key_cmp(&k[child], &k[child + 1]) < 0)
			child++;
		if (key_cmp(&k[root], &k[child]) >= 0)
			return;
		t = k[root];
		k[root] = k[child];
		k[child] = t;
	}
}

/* Heapsort by key, then position: in place, where qsort would copy the
 * whole array (20 MB more for a million items). */
static void
sort_keys(struct task_id_key *k, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift(k, i, n);
	for (size_t end = n; end-- > 1;) {
		struct task_id_key t = k[0];

		k[0] = k[end];
		k[end] = t;
		sift(k, 0, end);
	}
}

em_err
task_ids_dup(task_ids *ids, uint32_t *first, uint32_t *second)
{
	em_err err = EM_OK;

	*first = *second = 0;
	sort_keys(ids->k, ids->n);
	/* one id's positions are adjacent, in order: the pair of a group
	 * whose second position is the least is the first repeat */
	for (size_t i = 1; i < ids->n; i++)
		if (memcmp(ids->k[i - 1].key, ids->k[i].key, TASK_ID_KEY) == 0 &&
		    (err == EM_OK || ids->k[i].pos < *second)) {
			*first = ids->k[i - 1].pos;
			*second = ids->k[i].pos;
			err = EM_EEXIST;
		}
	return err;
}

void
task_ids_free(task_ids *ids)
{
	free(ids->k);
	memset(ids, 0, sizeof *ids);
}

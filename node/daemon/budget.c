/* Auto-eval's budget: the day's ledger and the rules on it (budget.h). */
#include "budget.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"

/* The ledger's text at most: the numbers, and a pair of ids a task. */
#define LEDGER_TEXT_MAX	(256 + BUDGET_TAKEN_MAX * (2 * ID_HEX_LEN + 8))

uint64_t
budget_day_of(uint64_t wall_ms)
{
	return wall_ms / BUDGET_DAY_MS;
}

uint64_t
budget_day_left_ms(uint64_t wall_ms)
{
	return BUDGET_DAY_MS - wall_ms % BUDGET_DAY_MS;
}

void
budget_init(budget_day *b, uint64_t wall_ms)
{
	b->day = budget_day_of(wall_ms);
	b->requests = 0;
	b->n_taken = 0;
}

int
budget_roll(budget_day *b, uint64_t wall_ms)
{
	if (budget_day_of(wall_ms) <= b->day)
		return 0;
	budget_init(b, wall_ms);
	return 1;
}

uint64_t
budget_left(const auto_budget *l, const budget_day *b)
{
	return b->requests < l->requests_per_day ? l->requests_per_day - b->requests : 0;
}

size_t
budget_author_taken(const budget_day *b, const uint8_t author[static 32])
{
	size_t n = 0;

	for (size_t i = 0; i < b->n_taken; i++)
		n += memcmp(b->taken[i].author, author, 32) == 0;
	return n;
}

int
budget_was_taken(const budget_day *b, const uint8_t task[static 32])
{
	for (size_t i = 0; i < b->n_taken; i++)
		if (memcmp(b->taken[i].task, task, 32) == 0)
			return 1;
	return 0;
}

enum budget_limit
budget_check(const auto_budget *l, const budget_task *t)
{
	if (t->items > l->items)
		return BUDGET_ITEMS;
	if (t->max_tokens > l->max_tokens)
		return BUDGET_MAX_TOKENS;
	return BUDGET_OK;
}

enum budget_limit
budget_admit(const auto_budget *l, const budget_day *b, const budget_task *t, uint64_t pending)
{
	uint64_t left = budget_left(l, b);

	if (t->own || budget_was_taken(b, t->task))
		return BUDGET_OK;
	if (left == 0 || (pending > 0 && (pending > left || t->items > left - pending)))
		return BUDGET_REQUESTS;
	if (budget_author_taken(b, t->author) >= l->tasks_per_author)
		return BUDGET_AUTHOR;
	if (b->n_taken == BUDGET_TAKEN_MAX)
		return BUDGET_FULL;
	return BUDGET_OK;
}

int
budget_take(budget_day *b, const budget_task *t)
{
	if (budget_was_taken(b, t->task))
		return 0;
	if (b->n_taken == BUDGET_TAKEN_MAX)
		return -1;
	memcpy(b->taken[b->n_taken].task, t->task, 32);
	memcpy(b->taken[b->n_taken].author, t->author, 32);
	b->n_taken++;
	return 0;
}

uint64_t
budget_reserve(const auto_budget *l, budget_day *b, unsigned free_slots, uint64_t need)
{
	uint64_t left = budget_left(l, b), cap;

	if (left == 0)
		return 0;
	cap = left / (free_slots ? free_slots : 1);
	if (need > 0 && cap > need)
		cap = need;
	if (cap == 0)
		cap = 1;
	b->requests += cap;
	return cap;
}

void
budget_settle(budget_day *b, uint64_t day, uint64_t reserved, uint64_t used)
{
	uint64_t back = used < reserved ? reserved - used : 0;

	if (day != b->day)
		return;
	b->requests = b->requests > back ? b->requests - back : 0;
}

const char *
budget_limit_key(enum budget_limit w)
{
	switch (w) {
	case BUDGET_ITEMS:		return "budget_items";
	case BUDGET_MAX_TOKENS:		return "budget_max_tokens";
	case BUDGET_PROMPT_BYTES:	return "budget_prompt_bytes";
	case BUDGET_REQUESTS:		return "budget_requests";
	case BUDGET_AUTHOR:		return "budget_tasks_per_author";
	default:			return NULL;
	}
}

em_err
budget_save(store *st, const budget_day *b)
{
	json_t *o = json_pack("{s:I, s:I, s:[]}", "day", (json_int_t)b->day,
	    "requests", (json_int_t)b->requests, "taken");
	json_t *arr = json_object_get(o, "taken");
	char t[ID_HEX_LEN + 1], a[ID_HEX_LEN + 1], *text = NULL;
	em_err err = EM_ENOMEM;

	if (o == NULL)
		return EM_ENOMEM;
	for (size_t i = 0; i < b->n_taken; i++) {
		hex_encode(t, b->taken[i].task, 32);
		hex_encode(a, b->taken[i].author, 32);
		if (json_array_append_new(arr, json_pack("[s, s]", t, a)) != 0)
			goto out;
	}
	if ((text = json_dumps(o, JSON_COMPACT)) == NULL)
		goto out;
	err = store_meta_set(st, BUDGET_META_KEY, text);
out:
	free(text);
	json_decref(o);
	return err;
}

/* A whole number in [0, 2^53) (what JSON carries exactly), or -1. */
static int
count_of(const json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) >= (json_int_t)1 << 53)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static em_err
decode(const char *text, budget_day *b)
{
	json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, NULL), *arr, *p;
	em_err err = EM_EFORMAT;
	size_t i;

	arr = json_object_get(o, "taken");
	if (!json_is_object(o) || json_object_size(o) != 3 ||
	    count_of(json_object_get(o, "day"), &b->day) != 0 ||
	    count_of(json_object_get(o, "requests"), &b->requests) != 0 ||
	    !json_is_array(arr) || json_array_size(arr) > BUDGET_TAKEN_MAX)
		goto out;
	b->n_taken = 0;
	json_array_foreach(arr, i, p) {
		const char *t = json_string_value(json_array_get(p, 0));
		const char *a = json_string_value(json_array_get(p, 1));

		if (json_array_size(p) != 2 || t == NULL || a == NULL ||
		    hex_decode(b->taken[i].task, 32, t) != EM_OK ||
		    hex_decode(b->taken[i].author, 32, a) != EM_OK)
			goto out;
		b->n_taken++;
	}
	err = EM_OK;
out:
	json_decref(o);
	return err;
}

em_err
budget_load(store *st, budget_day *b)
{
	char *text = malloc(LEDGER_TEXT_MAX);
	em_err err;

	if (text == NULL)
		return EM_ENOMEM;
	err = store_meta_get(st, BUDGET_META_KEY, text, LEDGER_TEXT_MAX);
	if (err == EM_ETOOBIG)
		err = EM_EFORMAT;	/* no ledger of ours is that long */
	if (err == EM_OK)
		err = decode(text, b);
	free(text);
	return err;
}

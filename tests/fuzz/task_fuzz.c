/* libFuzzer: task manifests and item chunks as a peer could send them.
 * The first byte chooses: even, the rest is a canonical manifest; odd, it
 * is a chunk of item lines read against a fixed multiple-choice manifest,
 * whose items are then rendered into prompts and scored. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "task.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char manifest[] =
    "{\"choices\":\"c\",\"extract\":\"answer is ([A-Z])\",\"fewshot\":1,"
    "\"metric\":\"multiple_choice\",\"name\":\"f\",\"prompt\":\"{q}\\n{c}\","
    "\"system\":\"{{x}} {q}\",\"target\":\"a\",\"version\":\"1\"}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[TASK_WHY_MAX];
	task_spec s;
	task_shots sh = { 0 };
	task_reader *rd = NULL;
	task_item it;
	json_t *kept[4] = { 0 };
	size_t n = 0;

	if (size < 1)
		return 0;
	hash_init();
	if (data[0] % 2 == 0) {
		if (task_spec_parse(data + 1, size - 1, &s, why, sizeof why) == EM_OK)
			task_spec_free(&s);
		return 0;
	}
	if (task_spec_parse((const uint8_t *)manifest, strlen(manifest), &s, why,
	    sizeof why) != EM_OK || task_reader_chunk(&s, data + 1, size - 1, &rd) != EM_OK)
		abort();
	/* the first items kept, every one offered as an example */
	while (task_reader_next(rd, &it, why, sizeof why) == EM_OK && it.item != NULL) {
		if (it.index < 4)
			kept[n++] = json_incref(it.item);
		task_shots_add(&sh, s.fewshot, &it);
	}
	if (sh.n_kept > s.fewshot + 1)
		abort();
	for (size_t i = 0; i < n; i++) {
		json_t *m = task_messages(&s, &sh, kept[i], i);
		char *flat = m ? task_flatten(m) : NULL;
		double sc = task_score(&s, kept[i], flat ? flat : "");

		if (sc < 0 || sc > 1)
			abort();
		free(flat);
		json_decref(m);
		json_decref(kept[i]);
	}
	task_reader_free(rd);
	task_shots_free(&sh);
	task_spec_free(&s);
	return 0;
}

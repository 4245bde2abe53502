/* tests/unit/json_oom.h — jansson's allocations failed one at a time, for
 * the tests of code that promises EM_ENOMEM (and nothing leaked) when
 * memory runs out. One copy per test program (static). */
#ifndef EM_JSON_OOM_H
#define EM_JSON_OOM_H

#include <jansson.h>
#include <stdlib.h>

/* The allocation to fail (1: the first after arming), 0 for none; and
 * how many have been asked for since arming. */
static unsigned json_oom_at, json_oom_calls;

static void *
json_oom_malloc(size_t n)
{
	if (json_oom_at != 0 && ++json_oom_calls == json_oom_at)
		return NULL;
	return malloc(n);
}

static inline void
arm(unsigned k)
{
	json_oom_at = k;
	json_oom_calls = 0;
	json_set_alloc_funcs(json_oom_malloc, free);
}

static inline void
disarm(void)
{
	json_oom_at = 0;
	json_set_alloc_funcs(malloc, free);
}

#endif

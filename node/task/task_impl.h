/* node/task/task_impl.h — what the files of node/task share; not for
 * use outside it. */
#ifndef EM_TASK_IMPL_H
#define EM_TASK_IMPL_H

#include "task.h"

/* Parses one item line, line[0..len) (not NUL-terminated; only read),
 * and checks it against s: at most TASK_ITEM_MAX bytes, UTF-8, JSON with
 * no key twice, then the item rules. *out is a new reference (yours) on
 * success, NULL on failure. EM_EFORMAT with the rule in why (no "item N"
 * prefix: the caller knows where it is), EM_ENOMEM. */
em_err task_line_parse(const task_spec *s, const char *line, size_t len, json_t **out,
    char *why, size_t cap);

#endif

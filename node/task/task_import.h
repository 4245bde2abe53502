/* node/task/task_import.h — a task from the files a public benchmark
 * ships, turned into our manifest and items (see task.h and the README's
 * "Task format"), for `evalmesh task import`.
 *
 * Layouts read (the first row of a CSV is a header unless said otherwise;
 * CSV is RFC 4180 as libcsv reads it strictly: quoted commas, quotes and
 * line breaks inside quotes, CRLF; a UTF-8 byte order mark at the start is
 * skipped, in CSV and JSONL alike):
 *   mmlu   CSV without a header, as MMLU's data/{dev,val,test}/ files:
 *          question, A, B, C, D, answer letter. A first row that reads
 *          "question,A,B,C,D,answer" is taken for a header and skipped.
 *   ceval  CSV with a header naming its columns, as C-Eval
 *          (id,question,A,B,C,D,answer,explanation) and CMMLU (an unnamed
 *          index column, then Question,A,B,C,D,Answer): found by name,
 *          any case; other columns are ignored. Chinese prompt.
 *   gsm8k  JSONL of {"question", "answer"} where the answer's last line
 *          is "#### N": the target is N (commas dropped), metric numeric.
 *   jsonl  JSONL objects; the fields named by opts (question, answer, id,
 *          and choices: one field holding a list of option texts).
 *   csv    CSV with a header; the columns named by opts (choices: one
 *          column per option, in order).
 * The items are {"id", "question", "answer"[, "choices"]}: the id is the
 * file's when it has one (a whole number stays a number), else the data
 * row's number from 1. A multiple-choice answer is a letter from A to the
 * number of options. The same bytes always give the same manifest and
 * items, so the same task id. */
#ifndef EM_TASK_IMPORT_H
#define EM_TASK_IMPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum task_format { TASK_FMT_MMLU, TASK_FMT_CEVAL, TASK_FMT_GSM8K, TASK_FMT_JSONL, TASK_FMT_CSV };

#define TASK_IMPORT_CHOICES_MAX	26	/* A..Z, as TASK_CHOICES_MAX */

typedef struct task_import_opts {
	enum task_format format;
	const char	*name, *version;	/* the task's; checked by the caller */
	/* jsonl and csv: the input's field (key or header) for each part; NULL:
	 * "question", "answer", and "id" when the input has it */
	const char	*question, *answer, *id;
	/* jsonl: choices[0] is the field holding the options' list (n_choices
	 * 1); csv: n_choices columns, one per option; 0: not multiple choice */
	const char *const *choices;
	size_t		 n_choices;
	/* jsonl and csv without choices: the metric's name (task.h's); NULL:
	 * exact_match. With choices it is multiple_choice. */
	const char	*metric;
} task_import_opts;

/* What an import made. manifest: keys as the README's "Task format",
 * "items" naming "items.jsonl", and manifest_text the file it makes (keys
 * sorted, indented by 2, no final newline); items: the items file's
 * bytes, one object per line, keys sorted. All yours: task_import_free(). */
typedef struct task_import_out {
	json_t		*manifest;
	char		*manifest_text;
	char		*items;
	size_t		 len;
	size_t		 n;		/* items */
} task_import_out;

/* The format named s ("mmlu", ...): 0 and *out, or -1. */
int	task_format_parse(const char *s, enum task_format *out);

/* Reads in[0..len) (the input file's bytes, only read) as o->format says
 * into *out. Errors, with one line in why (cap bytes) naming the row (CSV:
 * "row N", counting the header as row 1; JSONL: "line N") and the column
 * or field: EM_EFORMAT (a CSV the strict parser refuses, a JSONL line that
 * is not an object, a missing column or field, an empty question, an
 * answer that is not a letter of the options or not one number, a
 * header-only or empty file), EM_EUTF8 (a field that is not UTF-8 text or
 * holds NUL), EM_ENOMEM. *out is zeroed on every error. */
em_err	task_import(const uint8_t *in, size_t len, const task_import_opts *o,
    task_import_out *out, char *why, size_t cap);

void	task_import_free(task_import_out *out);

#endif

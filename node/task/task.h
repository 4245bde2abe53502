/* node/task/task.h — benchmark tasks: manifests, items, prompts and scores.
 *
 * A task is authored as a JSON manifest plus a JSONL items file (see the
 * README, "Task format"). Publishing turns it into a task record (body.h)
 * carrying the canonical manifest — the author's manifest without its
 * local "items" path, keys sorted, compact — and the hashes of the chunks
 * that hold the items. A chunk is up to TASK_CHUNK_MAX bytes of canonical
 * item lines (compact JSON, keys sorted, one per line, each ending in a
 * newline); an item's hash is merkle_item() over its line without the
 * newline; the items root is the Merkle root over those hashes in order.
 *
 * The same checks run on what an author typed and on what a peer sent:
 * task_spec_parse() takes the canonical manifest, task_items_parse()
 * takes chunk bytes, and both are strict and bounded (jansson parses with
 * duplicate keys refused; sizes are checked before parsing). Messages are
 * one line: "FILE:LINE: field: problem" for files, "item N: ..." for
 * chunks. */
#ifndef EM_TASK_H
#define EM_TASK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "body.h"
#include "store.h"

#define TASK_CHUNK_MAX		STORE_BLOB_MAX
#define TASK_ITEM_MAX		(64 * 1024)	/* one item's canonical line */
#define TASK_LINE_MAX		(4 * TASK_ITEM_MAX)	/* an items file's line */
#define TASK_ITEMS_FILE_MAX	(512 << 20)	/* an items file; published, the
						 * items are at most BODY_CHUNKS_MAX
						 * chunks of TASK_CHUNK_MAX */
#define TASK_FIELD_MAX		64		/* a field name in a template */
#define TASK_TEMPLATE_MAX	(16 * 1024)
#define TASK_CHOICES_MAX	26		/* A..Z */
#define TASK_FEWSHOT_MAX	32
#define TASK_WHY_MAX		512
#define TASK_FIELDS_MAX		16		/* distinct placeholders */

enum task_metric {
	METRIC_EXACT, METRIC_CHOICE, METRIC_NUMERIC, METRIC_REGEX, METRIC_F1,
};

typedef struct task_spec {
	char		 name[BODY_NAME_MAX + 1];
	char		 version[BODY_SHORT_MAX + 1];
	enum task_metric metric;
	const char	*prompt;		/* borrowed from manifest */
	const char	*system;		/* NULL if none */
	const char	*extract;		/* a POSIX ERE, or NULL */
	char		 target[TASK_FIELD_MAX + 1];	/* item field: the answer */
	char		 choices[TASK_FIELD_MAX + 1];	/* item field: options, or "" */
	unsigned	 norm;			/* NORM_* flags */
	double		 tolerance;
	unsigned	 fewshot;
	unsigned	 max_tokens;
	double		 temperature;
	char		 fields[TASK_FIELDS_MAX][TASK_FIELD_MAX + 1];	/* placeholders */
	unsigned	 n_fields;
	json_t		*manifest;		/* the canonical manifest object */
} task_spec;

typedef struct task_items {
	size_t		  n;
	json_t		**item;			/* parsed item objects */
	uint8_t		(*hash)[32];		/* merkle_item() of each */
} task_items;

/* A task read from files, ready to publish. */
typedef struct task_built {
	task_spec	 spec;
	task_items	 items;
	char		*manifest;		/* canonical bytes (NUL-terminated) */
	size_t		 manifest_len;
	uint8_t		 items_root[32];
	size_t		 n_chunks;
	uint8_t		*chunk_hashes;		/* n_chunks * 32 */
	char		**chunk;		/* n_chunks chunks ... */
	size_t		*chunk_len;		/* ... and their lengths */
} task_built;

/* Writes a one-line reason to why (cap bytes) and returns err: how the
 * task files report. */
em_err task_why(em_err err, char *why, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* jansson's reason a task file's JSON did not parse, in a task author's
 * words where jansson's name its own flags. Static or je's. */
const char *task_json_why(const json_error_t *je);

/* The metric's manifest name ("exact_match"). */
const char *task_metric_name(enum task_metric m);

/* Reads and checks a manifest file and the items file it names. EM_OK, or
 * an error with a one-line reason in why. */
em_err task_load(const char *manifest_path, task_built *t, char *why, size_t cap);
void task_built_free(task_built *t);

/* The part of task_load that reads the JSONL items file at path into
 * t->items, t->chunk* and t->items_root (t->spec already set). */
em_err task_items_file(const char *path, task_built *t, char *why, size_t cap);

/* Checks a canonical manifest (from a task record) into s. */
em_err task_spec_parse(const uint8_t *bytes, size_t len, task_spec *s,
    char *why, size_t cap);
void task_spec_free(task_spec *s);

/* Parses one chunk's item lines, appending to items, each checked against
 * s (unique ids are checked by task_items_check once all are in). */
em_err task_items_parse(const task_spec *s, const uint8_t *chunk, size_t len,
    task_items *items, char *why, size_t cap);
/* Checks the whole set: ids unique, count and root as the record says. */
em_err task_items_check(const task_items *items, const body_task *t,
    char *why, size_t cap);
void task_items_free(task_items *items);

/* A task as this node holds it: the first record that published it. */
typedef struct task_rec {
	uint8_t		 id[32];		/* the task id */
	uint8_t		 record[32];		/* the task record's id */
	uint8_t		 author[32];
	uint64_t	 ts;
	uint32_t	 flags;			/* RESULT_* of that record */
	uint8_t		*bytes;			/* the record's bytes (owned) */
	size_t		 len;
	body_task	 body;			/* borrows from bytes */
	task_spec	 spec;
} task_rec;

/* A task that holds a name here: the first record of it this store holds
 * (a task published again, by its author or another, is one task). */
typedef struct task_holder {
	uint8_t	id[32];				/* the task */
	uint8_t	author[32];			/* who published it first here */
	char	name[BODY_NAME_MAX + 1];	/* as signed */
	char	version[BODY_SHORT_MAX + 1];
} task_holder;
#define TASK_HOLDERS_MAX	8	/* told apart in a message */

/* The distinct tasks here named name, and version unless it is NULL,
 * compared by key (name_key: NFC, nothing that does not show): the first
 * cap in task id order into out, and how many there are in *n (which may
 * exceed cap). EM_OK, or the store's error. */
em_err task_holders(store *st, const char *name, const char *version, task_holder *out,
    size_t cap, size_t *n);

/* The name author's node profile gives, when this store holds one among
 * the author's first 64 records, else "" (the name is the author's claim;
 * the id is who it is): written to buf (BODY_NAME_MAX + 1 bytes hold it)
 * and returned. Not escaped. */
const char *task_author_name(store *st, const uint8_t author[static 32], char *buf,
    size_t cap);

/* "01234567 \"lab-a\"": author's short id and task_author_name, quoted,
 * when there is one. Written to buf (TASK_AUTHOR_MAX bytes hold it whole)
 * and returned; not escaped. */
#define TASK_AUTHOR_MAX		(8 + 3 + BODY_NAME_MAX + 1)
const char *task_author(store *st, const uint8_t author[static 32], char *buf, size_t cap);

/* Finds a task by id, unique id prefix, NAME or NAME@VERSION (by key, as
 * task_holders). EM_ENOTFOUND, EM_EAMBIGUOUS (why lists the candidates:
 * id, and author with the name its profile gives). */
em_err task_find(store *st, const char *text, uint8_t id[static 32], char *why,
    size_t cap);

/* Loads the task record for id and checks its manifest. */
em_err task_rec_load(store *st, const uint8_t id[static 32], task_rec *out,
    char *why, size_t cap);
void task_rec_free(task_rec *t);

/* Loads a stored task's items from the store's chunks and checks them
 * against the record. EM_ENOTFOUND (with the count missing in why) if
 * some chunks are not held yet. */
em_err task_items_load(store *st, const task_spec *s, const body_task *t,
    task_items *items, char *why, size_t cap);

/* The chat messages for item i (few-shot examples first, chosen by hash
 * order, never the item itself): a new JSON array of {role, content}. */
json_t *task_messages(const task_spec *s, const task_items *items, size_t i);

/* The messages flattened into one completion prompt (yours: free()). */
char *task_flatten(const json_t *messages);

/* Scores a model's output for item i in [0, 1]. */
double task_score(const task_spec *s, const json_t *item, const char *output);

/* The hash of the prompt settings a result records (template, system,
 * few-shot count, extraction, normalisation). */
void task_prompt_hash(const task_spec *s, uint8_t out[static 32]);

#endif

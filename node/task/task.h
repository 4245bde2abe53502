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
 * task_spec_parse() takes the canonical manifest, a task_reader takes
 * chunk bytes, and both are strict and bounded (jansson parses with
 * duplicate keys refused; sizes are checked before parsing). Messages are
 * one line: "FILE:LINE: field: problem" for files, "item N: ..." for
 * chunks. A function with a why argument (cap bytes) writes a reason
 * there whenever it fails.
 *
 * No function here holds a task's items: a task of BODY_ITEMS_MAX items
 * is published, checked and read one chunk at a time, and what is kept
 * of each item is a key of its id while the ids are checked (task_ids). */
#ifndef EM_TASK_H
#define EM_TASK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "body.h"
#include "store.h"

#define TASK_CHUNK_MAX		STORE_BLOB_MAX
_Static_assert(TASK_CHUNK_MAX == BODY_CHUNK_BYTES, "a record's n_items check counts chunks of this size");
#define TASK_ITEM_MAX		(64 * 1024)	/* one item's canonical line */
#define TASK_LINE_MAX		(4 * TASK_ITEM_MAX)	/* an items file's line */
#define TASK_ITEMS_FILE_MAX	(512 << 20)	/* an items file; published, the
						 * items are at most BODY_CHUNKS_MAX
						 * chunks of TASK_CHUNK_MAX */
#define TASK_FIELD_MAX		64		/* a field name in a template */
#define TASK_TEMPLATE_MAX	(16 * 1024)
#define TASK_CHOICES_MAX	26		/* A..Z */
#define TASK_FEWSHOT_MAX	32
#define TASK_MAX_TOKENS_DEFAULT	256	/* a manifest without max_tokens */
#define TASK_WHY_MAX		512
#define TASK_FIELDS_MAX		16		/* distinct placeholders */

enum task_metric {
	METRIC_EXACT, METRIC_CHOICE, METRIC_NUMERIC, METRIC_REGEX, METRIC_F1,
};

/* A checked manifest. The texts it points to belong to manifest, which
 * the spec holds a reference to until task_spec_free. */
typedef struct task_spec {
	char		 name[BODY_NAME_MAX + 1];
	char		 version[BODY_SHORT_MAX + 1];
	enum task_metric metric;
	const char	*prompt;		/* the template, in manifest */
	const char	*system;		/* the same, or NULL if none */
	const char	*extract;		/* a PCRE2 pattern (score.h), or NULL */
	char		 target[TASK_FIELD_MAX + 1];	/* item field: the answer */
	char		 choices[TASK_FIELD_MAX + 1];	/* item field: options, or "" */
	unsigned	 norm;			/* NORM_* flags */
	double		 tolerance;
	unsigned	 fewshot;
	unsigned	 max_tokens;
	double		 temperature;
	char		 fields[TASK_FIELDS_MAX][TASK_FIELD_MAX + 1];	/* placeholders */
	unsigned	 n_fields;
	json_t		*manifest;		/* the manifest object: canonical from a
						 * record; from task_load, the file's
						 * without "items" */
} task_spec;

/* A task read from files, ready to publish: what its record says, not its
 * items. The items file is read twice, one chunk at a time, so that a
 * task of any size takes one chunk's memory and its ids' keys (task_ids)
 * to publish: once by task_load, which checks every item and computes the
 * chunks' hashes, the items root and the task id; once more by
 * task_built_store, which builds the chunks again and stores each after
 * checking it against its hash. It owns everything in it
 * (task_built_free). */
typedef struct task_built {
	task_spec	 spec;
	char		*manifest;		/* canonical bytes (NUL-terminated) */
	size_t		 manifest_len;
	char		*items_path;		/* the items file, as opened */
	size_t		 n_items;
	uint8_t		 items_root[32];
	size_t		 n_chunks;
	uint8_t		*chunk_hashes;		/* n_chunks * 32 */
} task_built;

/* Writes a one-line reason to why (cap bytes, cut to fit) and returns
 * err: how the task files report. */
em_err task_why(em_err err, char *why, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* jansson's reason a task file's JSON did not parse, in a task author's
 * words where jansson's name its own flags. Static or je's. */
const char *task_json_why(const json_error_t *je);

/* The metric's manifest name ("exact_match"; static). */
const char *task_metric_name(enum task_metric m);

/* 1 if name is a task metric's name ("f1"), else 0. Every task metric
 * scores an item from 0 to 1, so its value is a proportion in [0, 1]. */
int task_metric_known(const char *name);

/* Reads and checks a manifest file (at most BODY_MANIFEST_MAX bytes) and
 * the items file it names (relative to the manifest's directory), into
 * t. On failure t holds nothing (task_built_free is harmless). Errors,
 * each with a reason in why: file_read's for the manifest (EM_ENOTFOUND,
 * EM_EINVAL, EM_ETOOBIG, EM_EIO, EM_ENOMEM), EM_EFORMAT for a manifest
 * that breaks a rule, task_items_file's. */
em_err task_load(const char *manifest_path, task_built *t, char *why, size_t cap);
/* Frees what t holds and zeroes it; a zeroed t is fine. */
void task_built_free(task_built *t);

/* json_dumps(v, flags), whole or not at all. jansson 2.14's json_dumps
 * can return text with bytes missing when an allocation fails while it
 * writes an object's key (do_dump ignores dump_string's error: jansson
 * issue #655, still open; seen here with task_import_test's failed
 * allocations: '"id": "x", ": "q"'). So the size is asked first and the
 * text written into a buffer of that size (json_dumpb), where no write
 * can fail. On success *out is yours (free()). EM_ENOMEM. */
em_err task_json_dump(const json_t *v, size_t flags, char **out);

/* The task record's body for t: its fields, borrowing t's manifest and
 * chunk hashes (t must outlive *out). */
void task_built_body(const task_built *t, body_task *out);

/* The part of task_load that reads the JSONL items file at path and
 * checks every item (t->spec already set): t->n_items, t->n_chunks,
 * t->chunk_hashes, t->items_root and t->items_path; no item is kept. Its
 * memory: one chunk (TASK_CHUNK_MAX), the chunks' hashes, and the ids'
 * keys (task_ids: 20 bytes an item). Errors: EM_EIO (cannot open or read
 * it), EM_EFORMAT (not a regular file, an item that breaks a rule, no
 * items, two with one id: "FILE:LINE: id already used on line N", N the
 * first line with the id of the first line that repeats one), EM_ETOOBIG
 * (a file above TASK_ITEMS_FILE_MAX, or items that need more than
 * BODY_CHUNKS_MAX chunks), EM_ENOMEM; what was set stays in t for
 * task_built_free. */
em_err task_items_file(const char *path, task_built *t, char *why, size_t cap);

/* Stores t's chunks in st (store_blob_put), in order: reads t->items_path
 * again and builds each chunk anew, and stores it only once it hashes to
 * the chunk hash task_load computed, so that what is stored is what was
 * checked. A file that changed since is EM_EIO ("changed while it was
 * being published"): the chunks before the first that differs are stored
 * (they are the checked task's, and are found again by a publish that
 * starts over), no other. Errors, each with a reason in why: EM_EIO, the
 * store's (its em_strerror in why), EM_ENOMEM. */
em_err task_built_store(const task_built *t, store *st, char *why, size_t cap);

/* Checks a canonical manifest bytes[0..len) (from a task record; only
 * read) into s. EM_EFORMAT with why; s then holds nothing to free. */
em_err task_spec_parse(const uint8_t *bytes, size_t len, task_spec *s,
    char *why, size_t cap);
/* Drops s's manifest and zeroes it; a zeroed s is fine. */
void task_spec_free(task_spec *s);

/* One item as a reader gives it. */
typedef struct task_item {
	size_t		 index;		/* its position in the task, from 0 */
	json_t		*item;		/* the parsed, checked item: the reader's
					 * until its next call (json_incref it
					 * to keep it) */
	uint8_t		 hash[32];	/* merkle_item() over its line */
} task_item;

/* A stored task's items, read in order one chunk at a time: each chunk
 * is fetched from the store, checked against its hash and its items
 * against the manifest as they are read, so that a task of any size
 * takes one chunk (TASK_CHUNK_MAX) and one item of memory. A reader checks
 * items one by one, never the set (ids unique, count, root): that is
 * task_items_check, which reads them all once; a reader over the same
 * record's chunks afterwards reads the same items, for each chunk is
 * checked against its hash again. */
typedef struct task_reader task_reader;

/* A reader of the items of record t in st, checked against s; st, s and t
 * are borrowed until task_reader_free. *out is yours. EM_ENOMEM. */
em_err task_reader_open(store *st, const task_spec *s, const body_task *t,
    task_reader **out);
/* The same over the one chunk chunk[0..len) (only read, borrowed): items
 * as a peer's chunk holds them, for tests and fuzzing. EM_ENOMEM. */
em_err task_reader_chunk(const task_spec *s, const uint8_t *chunk, size_t len,
    task_reader **out);
/* The next item into it; it->item is NULL after the last. Errors, with a
 * reason in why: EM_EFORMAT ("chunk N does not match its hash", "a chunk
 * must be 1 to TASK_CHUNK_MAX bytes of lines", "item N: ..." with the
 * item's number in the task), the store's (a chunk that is not here:
 * EM_ENOTFOUND), EM_ENOMEM; after an error, only task_reader_free. */
em_err task_reader_next(task_reader *r, task_item *it, char *why, size_t cap);
/* Frees r and the item it holds; NULL is fine. */
void task_reader_free(task_reader *r);

/* What few-shot prompts need of a task: the examples are the fewshot
 * items with the least hashes, never the item itself, so the fewshot + 1
 * least are enough for every item (at most TASK_FEWSHOT_MAX + 1 items held
 * whatever the task's size). Zero it before its first use. */
typedef struct task_shot {
	size_t		 index;
	uint8_t		 hash[32];
	json_t		*item;		/* a reference */
} task_shot;
typedef struct task_shots {
	size_t		 n;		/* the task's items (task_items_check) */
	size_t		 n_kept;
	task_shot	 kept[TASK_FEWSHOT_MAX + 1];	/* by hash, then position */
} task_shots;

/* Offers it as an example: kept (a reference taken) while it is among the
 * fewshot + 1 least by hash, then position; the one it pushes out is
 * dropped. Items are offered in any order, each once. */
void task_shots_add(task_shots *sh, unsigned fewshot, const task_item *it);
/* Drops the examples and zeroes sh; a zeroed one is fine. */
void task_shots_free(task_shots *sh);

/* Checks a stored task's items against its record t and its manifest s,
 * reading them once (task_reader): every item by the rules, ids unique
 * ("items A and B have the same id", A the first item with the id of the
 * first item B that repeats one), the count and the root as the record
 * says. Memory: one chunk, the ids' keys (task_ids, 20 bytes an item,
 * freed before it returns) and the examples, which go into sh (yours:
 * task_shots_free; on failure it holds nothing), with sh->n the count.
 * Errors, with a reason in why: EM_ENOTFOUND ("N of M item chunks are not
 * here yet") when some chunks are not held; EM_EFORMAT for a chunk that
 * does not hash to its name or items that break a rule; EM_ENOMEM; the
 * store's errors. */
em_err task_items_check(store *st, const task_spec *s, const body_task *t,
    task_shots *sh, char *why, size_t cap);

/* Item ids, kept to find two items with one id without holding the
 * items: each id as a TASK_ID_KEY-byte key, BLAKE2b of its typed text
 * ("s" and the string, or "i" and the number: "7" and 7 are different
 * ids), beside the item's position — 20 bytes an item, 20 MB for a task
 * of a million (the ids' texts, up to BODY_NAME_MAX bytes each, are not
 * kept). Equal ids always have equal keys, so a duplicate never passes.
 * Two different ids with one key would be refused as a duplicate: finding
 * such a pair is a birthday search on 128 bits, about 2^64 BLAKE2b
 * evaluations, out of anyone's reach, and a task that did would only be
 * refused. Zero a task_ids before its first use. */
#define TASK_ID_KEY	16
typedef struct task_ids {
	struct task_id_key	*k;
	size_t			 n, cap;
} task_ids;

/* Adds the id of item (checked: a string or a whole number) at pos, a
 * position the caller chooses (an item number, a line number). EM_ENOMEM. */
em_err task_ids_add(task_ids *ids, const json_t *item, uint32_t pos);
/* The first repeat: of the items whose id an item added before has, the
 * least position into *second, and the least position of that id into
 * *first (*first < *second). EM_EEXIST if there is one, EM_OK if every id
 * is unique (both 0). Sorts the keys in place, allocating nothing; add
 * nothing after it. */
em_err task_ids_dup(task_ids *ids, uint32_t *first, uint32_t *second);
/* Frees the keys and zeroes ids; a zeroed one is fine. */
void task_ids_free(task_ids *ids);

/* How strongly a task record of author, with flags (RESULT_*), speaks
 * for its task here. Task records with one id (body_task_id, version 2)
 * say the same, and differ only by who signed them and when: one not
 * revoked by its author ranks above one that is; then this node's own
 * (self; NULL: none), then an author this store trusts, then any. Of
 * equal ranks the first that came here speaks. So a member who signs a
 * lab's task again, and reaches a node first, does not become its author
 * there, and a trust decision sees every publisher, not the first. */
unsigned task_rank(store *st, const uint8_t *self, const uint8_t author[static 32],
    uint32_t flags);

/* A task as this node holds it: the record that speaks for it
 * (task_rank), and how many published it (task_rec_free). */
typedef struct task_rec {
	uint8_t		 id[32];		/* the task id */
	uint8_t		 record[32];		/* the task record's id */
	uint8_t		 author[32];
	unsigned	 publishers;		/* task records with this id */
	uint64_t	 ts;			/* ms since the epoch, as signed */
	uint32_t	 flags;			/* RESULT_* of that record */
	uint8_t		*bytes;			/* the record's bytes (owned) */
	size_t		 len;
	body_task	 body;			/* borrows from bytes */
	task_spec	 spec;
} task_rec;

/* A task that holds a name here (a task published again, by its author
 * or another, is one task). */
typedef struct task_holder {
	uint8_t	id[32];				/* the task */
	uint8_t	author[32];			/* the publisher that ranks highest
						 * (task_rank) */
	char	name[BODY_NAME_MAX + 1];	/* as signed */
	char	version[BODY_SHORT_MAX + 1];
} task_holder;
#define TASK_HOLDERS_MAX	8	/* told apart in a message */

/* The distinct tasks here named name, and version unless it is NULL,
 * compared by key (name_key: NFC, nothing that does not show): the first
 * cap in task id order into out, and how many there are in *n (which may
 * exceed cap). EM_OK, or the store's error. */
em_err task_holders(store *st, const uint8_t *self, const char *name, const char *version,
    task_holder *out, size_t cap, size_t *n);

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

/* Finds a task by id, unique id prefix, NAME or NAME@VERSION (text is an
 * id prefix first, when it reads as one, else a name compared by key, as
 * task_holders), its id into id. EM_ENOTFOUND, EM_EAMBIGUOUS (why lists the
 * candidates: id, and author with the name its profile gives), the
 * store's errors. */
/* (A name several tasks share means, here, the only one of them this node
 * published itself, else the only one an author it trusts published; else
 * it is EM_EAMBIGUOUS.) */
em_err task_find(store *st, const uint8_t *self, const char *text, uint8_t id[static 32],
    char *why, size_t cap);

/* Loads the task record for id that ranks highest (task_rank, with self
 * this node's key or NULL) and checks its manifest, into out (yours:
 * task_rec_free; on failure it holds nothing). EM_ENOTFOUND (no task
 * record for id), EM_ESTORE (the stored record does not parse),
 * task_spec_parse's EM_EFORMAT, EM_ENOMEM, the store's errors. */
em_err task_rec_load(store *st, const uint8_t *self, const uint8_t id[static 32],
    task_rec *out, char *why, size_t cap);
void task_rec_free(task_rec *t);

/* A task body checked against itself where body_decode cannot see: its
 * manifest is a JSON object whose "name" and "version", when it has
 * them, are the record's. Run on every task record a node takes in (from
 * peers, `import`): the task id binds both (body_task_id), and a record
 * whose shown name is not its manifest's says two things at once.
 * EM_EFORMAT with a reason in why. */
em_err task_body_check(const body_task *t, char *why, size_t cap);

/* The chat messages for item (borrowed), the task's item i < sh->n: the
 * system message if any, then the fewshot examples of sh (the task's
 * items with the least hashes, never i itself), in hash order, each as a
 * user message and its target as the answer, then the item. sh is what
 * task_items_check gave for s's task. A new JSON array of {role, content}
 * (yours: json_decref), or NULL when out of memory. */
json_t *task_messages(const task_spec *s, const task_shots *sh, const json_t *item,
    size_t i);

/* The messages flattened into one completion prompt (yours: free()), or
 * NULL when out of memory. */
char *task_flatten(const json_t *messages);

/* The size of a prompt as a budget counts it (`eval --max-prompt-bytes`):
 * the bytes of every message's content (task_messages' array), without
 * roles or JSON around them. 0 for anything that is not such an array. */
size_t task_prompt_bytes(const json_t *messages);
/* The same size for item i, counted without building the prompt (a
 * template may repeat a placeholder thousands of times over an item's
 * longest field: a task of a few megabytes can render prompts of
 * gigabytes, and only the count of their bytes is needed to refuse
 * them): equal to task_prompt_bytes(task_messages(s, sh, item, i)).
 * SIZE_MAX when out of memory (a number too long to print). */
size_t task_prompt_size(const task_spec *s, const task_shots *sh, const json_t *item,
    size_t i);

/* Scores output (a model's answer to item, NUL-terminated) by the task's
 * metric on the part after any reasoning block (score_answer), in [0, 1].
 * 0 also when memory runs out. */
double task_score(const task_spec *s, const json_t *item, const char *output);

/* The hash a result records of how its items were put and read:
 * BLAKE2b-256 over a tag and the manifest in canonical form (template,
 * system, few-shot count, extraction, normalisation and every other key).
 * EM_ENOMEM (out untouched). */
em_err task_prompt_hash(const task_spec *s, uint8_t out[static 32]);

#endif

/* storage/store.h — signed records, kept in LMDB.
 *
 * One LMDB environment per node home, shared safely by the daemon and any
 * number of CLI processes (LMDB is multi-process; readers never block the
 * writer). The store keeps the exact bytes an author signed and never
 * re-encodes. It does not check signatures: callers hand it records that
 * rec_open() accepted, and the store indexes them.
 *
 * Named databases (keys and values big-endian where numeric):
 *   meta      text key -> text value (network id, name, org, ...)
 *   records   local number -> signed bytes (numbers count up in arrival
 *             order, so new records are appended where random ids as keys
 *             would rewrite a random page per record; README, Benchmarks)
 *   ids       record id -> local number
 *   feeds     author || seq -> record id (dup-sorted: two ids under one key
 *             are an equivocation, both kept as evidence). Range scans of
 *             one author's prefix are the index by author.
 *   authors   author -> max seq, highest contiguous seq, count, flags
 *   board     task id -> one compact row per result (dup-sorted by model
 *             name number, then arrival): what a leaderboard reads, flags
 *             kept current (store_view)
 *   by_model  model name NUL revision -> local numbers of results
 *   tasks     task id -> local numbers of task records
 *   targets   record id -> local numbers of attest/revoke records naming it,
 *             and of the audit challenges and responses naming a result
 *   peers     "host:port" -> what we know of a peer (see store_peer)
 *   blobs     BLAKE2b-256 of the bytes -> the bytes (task item chunks)
 *   evals     run key || item index -> what the model answered and its
 *             score (the evaluation cache that makes runs resumable)
 *   trust     node id -> a name: the authors this reader trusts
 *   names     number -> model 0xff revision: the number board rows carry
 *             for their names (derived, like the board)
 *
 * Durability: a call that reports a record stored returns only after its
 * transaction committed (with LMDB's default fsync). When the map is full it
 * doubles and the transaction is retried; the caller never sees
 * MDB_MAP_FULL.
 *
 * Errors. Besides its own, every function that returns an em_err may
 * return: EM_ESTORE (LMDB failed), EM_EDAMAGED (the store holds bytes
 * it did not write: a page that cannot be, an index without its record, a
 * record that no longer parses; see Damage below),
 * EM_EIO (LMDB met EIO or EACCES), EM_ENOMEM; and a write: EM_ENOSPC
 * when the file system holding the store is full (or a quota reached),
 * EM_ETOOBIG when the map would have to grow past 1 TiB (a full map, not
 * a full disk). A failed write changed nothing.
 *
 * Damage. LMDB keeps no checksums: a data.mdb cut short, overwritten or
 * with flipped bits is found only where LMDB's own checks meet it. The
 * store adds what can be checked before any page is read (store_open:
 * the file holds every page its meta page says is in use; the page size
 * and the main tree are possible) and reports everything it meets as
 * EM_EDAMAGED, after telling the damage hook. Some damage LMDB cannot
 * see: a page whose contents lie makes it read past the file (a signal)
 * or fail its own assertion (abort); store_fault_at and the hook are
 * there so that a process can end with a clear word instead.
 * store_check walks every page.
 *
 * Visitors (the callbacks below) run inside a read transaction: what they
 * are given borrows from the map and lasts only for the call; they may
 * read this store but must not write to it. A visitor that returns
 * non-zero stops the iteration, which then returns EM_OK. An iteration
 * that fails part-way has already visited what came before. */
#ifndef EM_STORE_H
#define EM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "body.h"
#include "err.h"
#include "ident.h"
#include "record.h"

typedef struct store store;

#define STORE_RDONLY	0x1u	/* open to read: nothing is created or written */
#define STORE_READ	0x2u	/* open to read, unless opening has to write */

typedef struct store_opts {
	size_t		 map_size;	/* initial map size in bytes; 0: 64 MiB */
	unsigned	 flags;		/* STORE_* */
	const char	*seq_file;	/* the highest seq signed, kept outside
					 * the store (store_publish); NULL: none */
	const char	*trust_file;	/* the trust list, kept outside the store
					 * (store_trust_put); NULL: none */
} store_opts;

/* Opens or creates the store in directory dir (created 0700 if missing;
 * its parent must exist) for the network netid (copied). opts may be
 * NULL; its strings are copied. Opening writes: the network id into a new
 * store, the board rebuilt from the result records when its layout
 * changed, and the trust table made what opts->trust_file says. An empty
 * data.mdb (0 bytes) is a new store, as LMDB takes it. On success *out is
 * yours: store_free(); on failure NULL. EM_ENETWORK if the store belongs
 * to another network; EM_EIO or EM_ENOSPC if dir cannot be made; EM_EDAMAGED if
 * data.mdb is damaged (the hook was told what: its meta pages, its size
 * against the last page in use, a table missing); EM_EFORMAT when
 * opts->trust_file is not a trust list; EM_ESTORE also for a dir that is
 * not an LMDB environment of ours. Not to be opened twice in one process
 * (an LMDB rule).
 *
 * With STORE_RDONLY nothing is written (neither dir, nor the network, nor
 * the layout, nor the trust table); writes then fail. EM_ENOTFOUND if dir
 * holds no data.mdb; EM_EDAMAGED for an empty one.
 *
 * STORE_READ is for a process that only reads: the store is opened as
 * with STORE_RDONLY, and opened to write instead when opening has
 * something to write (no data.mdb or an empty one, a layout to build, a
 * trust table that differs from its file). A store opened to read never
 * writes, so a page whose
 * damage LMDB cannot see is never copied and written back over the file:
 * LMDB copies a page it is about to change by the bounds the page itself
 * gives, and bounds that lie overrun its buffer. */
em_err	store_open(const char *dir, const uint8_t netid[static 32],
    const store_opts *opts, store **out);
void	store_free(store *st);		/* closes; NULL is fine */

/* The directory st was opened in, as store_open was given it: for a
 * message that says where (a full disk). Lasts as long as st. */
const char *store_dir(const store *st);

/* What put did with one record. */
enum store_status {
	STORE_NEW = 0,		/* stored */
	STORE_DUP = 1,		/* identical bytes were already there */
	STORE_EQUIV = 2,	/* stored as evidence: the author signed another
				 * record with this seq; the author is flagged */
};

/* Stores n records (each accepted by rec_open; their signatures are not
 * checked here) in one transaction; their bytes are copied, envs only
 * read. status, if not NULL, receives an enum store_status per record.
 * EM_OK means the transaction committed and every record is durable; on
 * an error none is stored and status is undefined. n = 0 is EM_OK, with
 * no transaction. */
em_err	store_put_batch(store *st, const rec_env *envs, size_t n, int *status);

/* store_put_batch for one record. Returns EM_OK for a new record, EM_EDUP
 * for identical bytes (nothing changed), EM_EEQUIV when stored as
 * evidence of equivocation; or an error. */
em_err	store_put(store *st, const rec_env *env);

/* Signs a new record of kind around body_bytes[0..body_len) (copied) with
 * me (only read), timestamped ts_ms (ms since the epoch), and stores it
 * in one write transaction: the sequence number is allocated inside that
 * transaction, so processes publishing at the same moment never share
 * one. id and seq (may be NULL) receive the record's id and seq once it
 * is durable. rec_seal's errors: EM_ETOOBIG (a body above REC_BODY_MAX),
 * EM_EKIND, and the like for a body its kind refuses.
 *
 * Sequence numbers. A store that lost records (cut short, rebuilt) would
 * hand out a seq its author already signed: an equivocation at every
 * peer that holds the other record. With opts->seq_file the highest seq
 * signed for each author is also kept in that file, outside the store:
 * the seq is one above both the store's and the file's, and the file is
 * written and fsynced, with its directory, inside the transaction,
 * before the commit (so before any process can see the record). A commit
 * that then fails leaves that seq unused: a gap in the feed, never a
 * reuse. The file holds lines "<author, 64 hex digits> <seq>", at most
 * STORE_SEQ_AUTHORS of them. Besides the above: EM_EFORMAT if the file
 * is not of that form (nothing signed); EM_ETOOBIG for one author more;
 * EM_EIO if it cannot be written. */
#define STORE_SEQ_AUTHORS	64
em_err	store_publish(store *st, const ident *me, uint8_t kind,
    const uint8_t *body_bytes, size_t body_len, uint64_t ts_ms,
    uint8_t id[static 32], uint64_t *seq);

/* 1 if a record with this id is stored; 0 if not, or if the store cannot
 * be read. */
int	store_has(store *st, const uint8_t id[static 32]);

/* Copies a stored record out: *bytes is yours (free()), *len its size;
 * NULL and 0 on failure. EM_ENOTFOUND. */
em_err	store_get(store *st, const uint8_t id[static 32], uint8_t **bytes,
    size_t *len);

/* The id of author's record seq (the least id, if it equivocated there).
 * EM_ENOTFOUND if none is held. */
em_err	store_feed_id(store *st, const uint8_t author[static 32], uint64_t seq,
    uint8_t id[static 32]);

/* The namespaces an id prefix can be resolved in. */
enum store_space { SPACE_RECORD, SPACE_AUTHOR, SPACE_TASK };

/* Resolves a hex prefix (8..64 digits, either case) to the one id it
 * names in space: record ids held, authors with records held, or task ids
 * (of task records held, or named by results held). EM_EFORMAT (not a hex
 * prefix), EM_ENOTFOUND, EM_EAMBIGUOUS. A full 64-digit id resolves only
 * if present. */
em_err	store_resolve(store *st, enum store_space space, const char *prefix,
    uint8_t id[static 32]);

#define AUTHOR_EQUIVOCATED	0x1u

typedef struct store_author {
	uint64_t	max_seq;	/* highest seq held */
	uint64_t	contiguous;	/* highest seq with none missing below */
	uint64_t	count;		/* records held, evidence included */
	uint32_t	flags;		/* AUTHOR_* */
} store_author;

/* What we hold of author. EM_ENOTFOUND if nothing. */
em_err	store_author_get(store *st, const uint8_t author[static 32],
    store_author *out);

/* Flags a visitor sees next to a result. */
#define RESULT_EQUIVOCATED	0x1u	/* its author equivocated somewhere */
#define RESULT_REVOKED		0x2u	/* its author revoked it */
#define RESULT_DISPUTED		0x4u	/* someone attested it as disputed */
#define RESULT_CHALLENGED	0x8u	/* an audit challenge names it */
/* What an audit of it came to: not kept in the store (every reader works
 * it out from the challenges, responses and the task's items it holds:
 * node/task/task_audit.h), but shown beside the flags above. */
#define RESULT_AUDITED		0x10u	/* a response passed, none failed */
#define RESULT_FAILED_AUDIT	0x20u	/* a response by its author failed */
#define RESULT_AUDIT_UNANSWERED	0x40u	/* a challenge's time passed, no response */
#define RESULT_AUDIT_PENDING	0x80u	/* a challenge waits, in its time */
#define RESULT_AUDIT_UNVERIFIED	0x100u	/* a response that cannot be scored
					 * here: items not held, outputs withheld */

/* A visitor (see Visitors above), called once per record: env and b
 * borrow from the map. flags: RESULT_* as they stand now, or 0 where the
 * iteration says so. */
typedef int (*store_visit)(void *ctx, const rec_env *env, const body_any *b,
    uint32_t flags);

/* Visits results, ordered by task id, then model (by the store's number
 * for its name), then arrival here; only task's and/or author's when
 * these are not NULL. */
em_err	store_results(store *st, const uint8_t *task, const uint8_t *author,
    store_visit fn, void *ctx);

/* Visits the records that name target (a record id): attestations and
 * revocations of it, and, for a result, the audit challenges and
 * responses naming it; in arrival order. flags: the visited record's. */
em_err	store_targets(store *st, const uint8_t target[static 32], store_visit fn,
    void *ctx);

/* Visits every record in feed order (author, then seq; evidence of
 * equivocation beside its twin), or only author's records with seq >=
 * since when author is not NULL. flags are 0. */
em_err	store_records(store *st, const uint8_t *author, uint64_t since,
    store_visit fn, void *ctx);

/* Number of records stored, evidence included, into *n (0 on failure). */
em_err	store_count(store *st, uint64_t *n);

/* A read-only view of the record ids (the `ids` table), ascending: the
 * key set reconciliation walks (proto/recon.h's recon_host).
 *
 * The view is one read transaction with a cursor: from store_ids_open to
 * store_ids_close it sees the store as it was at open, whatever any process
 * writes meanwhile. Close it before the call that opened it returns (an
 * LMDB reader left open keeps the pages it saw from reuse, and the map
 * grows), and do not call other store functions while it is open: they
 * open transactions of their own, and one that adopts a map grown by
 * another process would unmap the pages this view reads.
 *
 * open: *out is yours, store_ids_close() it; EM_ESTORE, EM_EIO, EM_ENOMEM.
 * seek: positions at the first id >= from and copies it to id: 1; 0 if
 *   there is none; a negative em_err (EM_EDAMAGED, also for a key in the
 *   table that is not 32 bytes).
 * next: moves to the next id and copies it: 1; 0 at the end (and on every
 *   call after, until a seek); a negative em_err. Before any seek it
 *   starts at the first id.
 * count: the number of ids in the view, from the table's statistics (no
 *   walk); EM_OK or EM_ESTORE. */
typedef struct store_ids store_ids;

em_err	store_ids_open(store *st, store_ids **out);
void	store_ids_close(store_ids *v);		/* NULL is fine */
int	store_ids_seek(store_ids *v, const uint8_t from[static 32],
    uint8_t id[static 32]);
int	store_ids_next(store_ids *v, uint8_t id[static 32]);
em_err	store_ids_count(store_ids *v, uint64_t *n);

/* BLAKE2b-256 over every record id in id order: two stores holding the
 * same records have the same digest, however they got them. */
em_err	store_digest(store *st, uint8_t out[static 32]);

/* Visits records that arrived after local number after (0: from the
 * first), in arrival order, at most max of them; *last gets the local
 * number of the last one visited, or after when none was. The visitor's
 * flags are 0. */
em_err	store_since(store *st, uint64_t after, uint32_t max, store_visit fn,
    void *ctx, uint64_t *last);

/* What a node remembers of a peer address. Which table an entry is in,
 * and the group of the peer that told us of it, are the daemon's
 * (node/daemon/addrbook.h); the store keeps them as given. */
#define STORE_PEER_SOURCE_LEN	17

enum store_peer_table {
	STORE_PEER_UNKNOWN = 0,		/* stored by an older evalmesh: not said */
	STORE_PEER_NEW,			/* learnt from a peer, never worked */
	STORE_PEER_TRIED,		/* a handshake there worked */
	STORE_PEER_OPERATOR,		/* given by the operator: kept */
};

typedef struct store_peer {
	char		addr[256];	/* "host:port" */
	int		has_id;
	uint8_t		id[32];		/* the node id seen there */
	uint64_t	last_ok;	/* ms since the epoch: the last successful
					 * handshake; 0 never */
	uint64_t	ban_until;	/* ms since the epoch: refused until then */
	uint32_t	fails;		/* dial failures since the last success */
	uint8_t		table;		/* enum store_peer_table */
	uint8_t		source[STORE_PEER_SOURCE_LEN];	/* who told us, as a group */
	uint64_t	heard;		/* ms: when last told of it, 0 never */
} store_peer;

/* "new", "tried", "operator", or "unknown" for STORE_PEER_UNKNOWN and
 * any other value: a static string. */
const char *store_peer_table_name(uint8_t table);
/* Adds or replaces the entry for p->addr. EM_EINVAL if p->addr is empty
 * or not NUL-terminated within its 256 bytes. */
em_err	store_peer_put(store *st, const store_peer *p);
/* Lists up to cap peers (address order); *n gets how many. An entry an
 * older evalmesh stored reads with table STORE_PEER_UNKNOWN, source
 * zeros and heard 0; a value of neither form is skipped. */
em_err	store_peer_list(store *st, store_peer *out, size_t cap, size_t *n);
/* Calls fn with each peer (address order; p is borrowed for the call)
 * until it returns nonzero. Entries read as store_peer_list says. */
em_err	store_peer_each(store *st, int (*fn)(void *ctx, const store_peer *p),
    void *ctx);
/* In one transaction: deletes each of the n_del addresses in del (one
 * not stored is fine), then adds or replaces each of the n_put peers in
 * put. EM_EINVAL (and nothing written) if an address is empty or over
 * 255 bytes. */
em_err	store_peer_write(store *st, const store_peer *const *put, size_t n_put,
    const char *const *del, size_t n_del);
/* Deletes, in one transaction, every stored peer (and every value that
 * is not a peer entry) for which keep(ctx, addr) returns 0; addr is
 * NUL-terminated and borrowed for the call. *n_gone (NULL: not wanted)
 * gets how many went. */
em_err	store_peer_prune(store *st, int (*keep)(void *ctx, const char *addr),
    void *ctx, size_t *n_gone);

/* Content-addressed blobs: the chunks of a task's items. put copies
 * bytes[0..len) in after checking that hash is BLAKE2b-256(bytes)
 * (EM_EFORMAT if not; EM_ETOOBIG above STORE_BLOB_MAX), and is a no-op
 * for a blob already held. get: *bytes is yours (free()), *len its size,
 * NULL and 0 on failure; EM_ENOTFOUND. The map's pages under a blob of a
 * page or more are let go once it is copied, so that reading a task's
 * chunks one by one holds one chunk, not all of them (in this process's
 * resident memory). has: 1 if held; 0 if not, or if the store cannot be
 * read. */
#define STORE_BLOB_MAX	(256 * 1024)
em_err	store_blob_put(store *st, const uint8_t hash[static 32],
    const uint8_t *bytes, size_t len);
em_err	store_blob_get(store *st, const uint8_t hash[static 32], uint8_t **bytes,
    size_t *len);
int	store_blob_has(store *st, const uint8_t hash[static 32]);

/* One cached evaluation of one item. The output is kept (it never leaves
 * the node) up to STORE_EVAL_OUT_MAX bytes; its hash is over all of it, so
 * a kept output whose hash matches is whole. For an item the model's
 * server refused, the output kept is the server's message and the hash
 * is of the empty output (the item had no answer). */
#define STORE_EVAL_OUT_MAX	(64 * 1024)
enum store_eval_flag {
	STORE_EVAL_TRUNCATED = 1,	/* the token limit cut the answer */
	STORE_EVAL_EMPTY = 2,		/* no answer text */
	STORE_EVAL_REFUSED = 4,		/* the server would not answer it */
	STORE_EVAL_FAILED = 8,		/* every attempt failed: not scored; the
					 * output kept is the reason */
};
typedef struct store_eval {
	uint32_t	 index;		/* the item's position in the task */
	uint16_t	 score;		/* scaled by BODY_SCORE_SCALE */
	uint8_t		 flags;		/* STORE_EVAL_* */
	uint8_t		 output_hash[32];
	const char	*output;	/* borrowed; not NUL-terminated */
	size_t		 output_len;
} store_eval;

/* Stores n cached evaluations e[0..n) under the run key in one
 * transaction, copying them in: each replaces what the run held for its
 * index, and an output above STORE_EVAL_OUT_MAX is cut to it (its hash,
 * given, stays over all of it). n = 0 is EM_OK, with no transaction.
 * Then the pages of the map the write read back are let go, so that a
 * run writing a million answers keeps none of them resident. */
em_err	store_eval_put(store *st, const uint8_t run[static 32],
    const store_eval *e, size_t n);

/* Forgets every cached evaluation of a run, in one transaction (a run
 * asked afresh: what it answers from now on is all the cache holds). */
em_err	store_eval_clear(store *st, const uint8_t run[static 32]);

/* Visits the cached evaluations of a run in item order; e and its output
 * borrow from the map during the call (a visitor, as above). Entries of
 * another layout are passed over. The pages of the map read are let go
 * every 4096 entries and at the end, as a blob's are. */
typedef int (*store_eval_visit)(void *ctx, const store_eval *e);
em_err	store_eval_each(store *st, const uint8_t run[static 32],
    store_eval_visit fn, void *ctx);

/* Visits task records, by task id then arrival; only task's when it is not
 * NULL. Flags as for results, of the task record (RESULT_REVOKED: its
 * author withdrew it). */
em_err	store_tasks(store *st, const uint8_t *task, store_visit fn, void *ctx);

/* A board row copied out of the map (store_view_copy), for callers that
 * keep rows past the transaction. */
typedef struct store_row {
	uint8_t		id[32], author[32];
	uint64_t	seq, n_items;
	uint64_t	t_end;		/* ms since the epoch: the result's t_end
					 * (its run's end, as its author said) */
	double		value;		/* the first metric */
	double		std_err, lo, hi;
	int		has_stderr, has_ci, has_scores;
	uint8_t		access;		/* enum body_access */
	uint32_t	flags;		/* RESULT_* as of now */
	uint8_t		has_items;	/* the result gave its item counts: */
	uint32_t	truncated, empty, refused, failed;	/* body_items */
	char		metric[BODY_SHORT_MAX + 1];
	char		model[BODY_NAME_MAX + 1];
	char		revision[BODY_NAME_MAX + 1];
} store_row;

/* A board row as it lies in the map: borrowed, valid only during the
 * visit; text is not NUL-terminated. Fields as in store_row. */
typedef struct store_view {
	const uint8_t	*id, *author;
	uint64_t	 seq, n_items, t_end;	/* t_end: ms since the epoch */
	double		 value, std_err, lo, hi;
	uint8_t		 flags, access, has_stderr, has_ci, has_scores;
	uint8_t		 has_items;	/* the result gave its item counts: */
	uint32_t	 truncated, empty, refused, failed;	/* body_items */
	uint8_t		 metric_len, model_len, revision_len;
	uint64_t	 name_id;	/* equal in two rows exactly when model
					 * and revision are (this store's number
					 * for them; another store's differs) */
	const char	*metric, *model, *revision;
} store_view;

/* Copies a view into a row of one's own, texts NUL-terminated. */
void	store_view_copy(const store_view *v, store_row *out);

/* Calls rows with every row of the task — those with one name_id one
 * after another, each model's in this store's arrival order — a batch of
 * up to STORE_SCAN_BATCH at a time, then done with how many, all inside
 * one read transaction: one cursor scan, no record decoded, nothing
 * written.
 * What a view points to stays valid until done returns, the views
 * themselves only during their call. count is the task's number of rows,
 * the same on every call. rows returning nonzero stops the scan: done is
 * not called, and the result is EM_OK. done's return is not looked at. A
 * task without results calls done alone, with 0. After a failure
 * (EM_EDAMAGED for a row that does not decode) done is not called. */
#define STORE_SCAN_BATCH	32
/* how: 0 decodes every field of a view; STORE_SCAN_RANKING all but t_end,
 * std_err, has_stderr and has_scores, which no ranking reads (they are 0). */
#define STORE_SCAN_RANKING	1
typedef int (*store_rows_fn)(void *ctx, const store_view *rows, size_t n, size_t count);
typedef int (*store_rows_done)(void *ctx, size_t n);
em_err	store_board_scan(store *st, const uint8_t task[static 32], unsigned how, store_rows_fn rows,
    store_rows_done done, void *ctx);

/* The same, with every row at once: fn gets them as an array (NULL when
 * n is 0), valid during its call; its return is not looked at. */
typedef int (*store_board_fn)(void *ctx, const store_view *rows, size_t n);
em_err	store_board_view(store *st, const uint8_t task[static 32], store_board_fn fn, void *ctx);

/* The floor a board read cannot beat, for benchmarks: one cursor scan of
 * the task's rows reading every byte; *n rows, *sum a checksum of them
 * (both 0 on failure). */
em_err	store_board_raw(store *st, const uint8_t task[static 32], uint64_t *n, uint64_t *sum);

typedef int (*store_task_visit)(void *ctx, const uint8_t task[static 32], uint64_t results);

/* Visits every task that has results, in task-id order, with their count
 * (a visitor, as above). */
em_err	store_board_tasks(store *st, store_task_visit fn, void *ctx);

/* The reader's trust list: node ids and the names given them. put adds or
 * renames (name: at most STORE_TRUST_NAME_MAX bytes, EM_ETOOBIG above;
 * its content is the caller's to check; EM_ETOOBIG also for an id more
 * than STORE_TRUST_MAX); del: EM_ENOTFOUND if absent; list visits in id
 * order, id and name (NUL-terminated) borrowed for the call (a visitor,
 * as above); trusted: 1 if listed, 0 if not or if the store cannot be
 * read.
 *
 * The list is the reader's own and no peer has it, so with
 * opts->trust_file it lives in that file, outside the store, and the
 * table is its copy: put and del write the file (fsynced, with its
 * directory) inside their transaction, before the commit; store_open
 * makes the table what the file says (or writes the file from the table
 * when there is none yet). A store cut short or rebuilt gets it back. The
 * file: lines "<node id, 64 hex digits> <name>", the name with '%', bytes
 * below 0x20 and 0x7f written %XX. put and del: EM_EIO if the file
 * cannot be written (nothing changed). */
#define STORE_TRUST_NAME_MAX	128
#define STORE_TRUST_MAX		4096
typedef int (*store_trust_visit)(void *ctx, const uint8_t id[static 32], const char *name);
em_err	store_trust_put(store *st, const uint8_t id[static 32], const char *name);
em_err	store_trust_del(store *st, const uint8_t id[static 32]);
em_err	store_trust_list(store *st, store_trust_visit fn, void *ctx);
int	store_trusted(store *st, const uint8_t id[static 32]);

/* Small text settings. get copies key's value, NUL-terminated, to
 * buf[0..cap): EM_ENOTFOUND, EM_ETOOBIG if it does not fit (buf is then
 * unchanged), EM_ESTORE for an empty key or one above 511 bytes. set: key
 * 1 to 64 bytes (else EM_EINVAL), any value. */
em_err	store_meta_get(store *st, const char *key, char *buf, size_t cap);
em_err	store_meta_set(store *st, const char *key, const char *value);

/* The highest seq opts->seq_file holds for author, into *seq: 0 when the
 * store has no such file, or the file has no line for author.
 * EM_EFORMAT if the file is not of its form; EM_EIO. */
em_err	store_seq_file(store *st, const uint8_t author[static 32], uint64_t *seq);

/* Damage hook: fn(what, fatal) is told of damage as it is met, what a
 * one-line description of it ("data.mdb is 8192 bytes, but its meta page
 * says ..."), borrowed for the call. fatal 0: the call that met it then
 * returns EM_EDAMAGED; fatal 1 (LMDB's own assertion failed): fn must
 * not return, or LMDB aborts the process. One hook per process; NULL
 * removes it. */
typedef void (*store_damage_fn)(const char *what, int fatal);
void	store_on_damage(store_damage_fn fn);

/* For a SIGBUS (bus 1) or SIGSEGV (bus 0) handler, with the faulting
 * address addr and instruction pc (NULL if unknown): whether damage to
 * data.mdb explains the fault. STORE_FAULT_MAP: addr lies in the map of
 * a store this process has open (SIGBUS: a page the file no longer
 * backs) or just past it (SIGSEGV: a read that began inside ran on);
 * *page is its page. STORE_FAULT_LMDB: a store is open and pc lies in
 * LMDB's code (when LMDB is a library of its own), which believed a page
 * that lies; *page is 0. 0: neither. Async-signal-safe. Up to 8 open
 * stores are watched; on systems without /proc/self/maps, none. */
#define STORE_FAULT_MAP		1
#define STORE_FAULT_LMDB	2
int	store_fault_at(const void *addr, const void *pc, int bus, uint64_t *page);

/* Walks every page of st (opened, best with STORE_RDONLY) in one read
 * transaction: LMDB's free list and main tree, then each table, checking
 * each entry's shape, that every record still verifies in st's network
 * with its id indexed, and that each table counts what its index says.
 * rep is written as the walk goes: table and entries say where it is (so
 * that a process that dies of the damage can still say where), the
 * totals what was found. EM_OK: sound. EM_EDAMAGED: rep->problem says
 * what and where. EM_ENOMEM. */
typedef struct store_check_report {
	char		table[16];	/* the table being read */
	uint64_t	entries;	/* its entries read so far */
	uint64_t	records;	/* records that verify */
	uint64_t	authors;
	uint64_t	page_size, pages_used, file_bytes;
	char		problem[384];	/* what is damaged and where; "" */
} store_check_report;
em_err	store_check(store *st, store_check_report *rep);

/* What store_salvage took from a damaged store. */
typedef struct store_salvage_report {
	uint64_t	records, blobs, peers, settings, trusted;
	uint64_t	bad;		/* entries passed over: not verifying, of
					 * no known form */
	int		stopped;	/* 1: a damaged page ended a table early */
} store_salvage_report;

/* Copies into to what can still be read of from and is worth keeping:
 * records that verify in to's network, blobs whose hash matches, the
 * peer table, the trust table, and the settings in meta (all but what
 * describes the old store itself: network, schema, announced). Each
 * table as far as it reads; a damaged page ends that table (stopped).
 * rep counts what came across (written as it goes, as for store_check).
 * EM_OK; to's errors. */
em_err	store_salvage(store *from, store *to, store_salvage_report *rep);

#endif

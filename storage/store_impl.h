/* storage/store_impl.h — shared by the store's own files only. */
#ifndef EM_STORE_IMPL_H
#define EM_STORE_IMPL_H

#include <lmdb.h>

#include "bytes.h"
#include "store.h"

#define FEED_KEY_LEN	40	/* author || seq */
#define AUTHOR_VAL_LEN	28	/* max_seq, contiguous, count, flags */

/* A transaction body returns an em_err, or ST_FULL when LMDB said
 * MDB_MAP_FULL: the caller then grows the map and runs it again. */
#define ST_FULL 1
/* A store opened with STORE_READ that has something to write at open
 * (st_trust_sync, the layout): store_open opens it again to write. */
#define ST_REOPEN 2

struct store {
	MDB_env	*env;
	uint8_t	 netid[32];
	size_t	 map_size;
	MDB_dbi	 meta, records, ids, feeds, authors, board, by_model, tasks, targets, peers;
	MDB_dbi	 blobs, evals, trust, names;
	uint64_t next_num;	/* next local number in the open write txn; 0: unknown */
	int	 slot;		/* its map's place among those watched; -1: none */
	int	 rdonly;	/* opened with STORE_RDONLY */
	char	*dir;	/* store_open's, copied */
	char	*seq_file;	/* store_opts's, copied; NULL: none */
	char	*trust_file;
	/* the authors seq_file had at open, and the highest seq known of each:
	 * their own records that come back from peers raise the file */
	size_t	 n_signers;
	uint8_t	 signer[STORE_SEQ_AUTHORS][32];
	uint64_t signer_seq[STORE_SEQ_AUTHORS];
};

/* Translates an LMDB return code, once, at this boundary: an em_err, or
 * ST_FULL for MDB_MAP_FULL. A code that means damage (st_damage_what)
 * is told to the damage hook and becomes EM_EDAMAGED. */
int	st_rc(int rc);

/* rc as it was, after st_rc has seen it (so that damage is told) unless
 * it is 0 or MDB_NOTFOUND: for the places that pass over what they cannot
 * read. */
static inline int
st_told(int rc)
{
	if (rc != 0 && rc != MDB_NOTFOUND)
		(void)st_rc(rc);
	return rc;
}

/* Damage (store_damage.c). st_damage tells the hook (store_on_damage),
 * if one is set; fatal: the process cannot go on. st_damage_what: what an
 * LMDB code says of the file, or NULL for a code that says nothing of it.
 * st_assert: LMDB's assertion callback. st_map_note: (re)notes st's map
 * for store_fault_at, after open and after every remap; st_map_drop
 * forgets it. st_sane: the checks made at open before any page is read:
 * EM_OK, EM_EDAMAGED (the hook told), EM_EIO. */
void	st_damage(const char *what, int fatal);
/* Bytes the store did not write (what they are): the hook told, and
 * EM_EDAMAGED returned. */
int	st_bad(const char *what);
const char *st_damage_what(int rc);
void	st_assert(MDB_env *env, const char *msg);
void	st_map_note(store *st);
void	st_map_drop(store *st);
int	st_sane(store *st);

/* The named tables, in a fixed order: up to cap names and handles of st
 * (store_open.c); returns how many. */
size_t	st_tables(const char **names, MDB_dbi *dbis, size_t cap, const store *st);

/* The home's files beside the store (store_seq.c, store_trust.c): the
 * highest seq signed per author, raised inside the publishing write
 * transaction; the trust list's file made the table at open. */
int	st_seq_floor(store *st, const uint8_t author[static 32], uint64_t *seq);
int	st_seq_raise(store *st, const uint8_t author[static 32], uint64_t seq);
int	st_trust_sync(store *st);
/* st_seq_load: the file's authors into st->signer (at an open that may
 * write; a file that does not read leaves none). st_seq_seen: a record of
 * author at seq was stored; the file is raised to it if the author has a
 * line there and seq is above it (a failure to is passed over: the store
 * holds the record, and publishing reads both). */
void	st_seq_load(store *st);
void	st_seq_seen(store *st, const uint8_t author[static 32], uint64_t seq);

/* Runs fn in a write transaction and commits; on ST_FULL (from fn or the
 * commit) doubles the map and retries, up to 1 TiB (then EM_ETOOBIG). fn
 * may be run more than once and must not keep state between; any error it
 * returns aborts the transaction and is returned. */
em_err	st_write(store *st, int (*fn)(store *, MDB_txn *, void *), void *ctx);

/* Looks key up in dbi in a read transaction of its own and hands the value
 * to fn (may be NULL: only whether it is there). EM_ENOTFOUND. */
em_err	st_lookup(store *st, MDB_dbi dbi, MDB_val *key,
    em_err (*fn)(const MDB_val *v, void *ctx), void *ctx);

/* An fn for st_lookup that copies the value out: ctx is a struct st_copy,
 * whose buf becomes the caller's (free()). */
struct st_copy { uint8_t *buf; size_t len, cap; };
em_err	st_copy_out(const MDB_val *v, void *ctx);

/* Lets go of every page of the map this process holds resident
 * (MADV_DONTNEED over its mapping of the store's file, found in
 * /proc/self/maps by device and inode, read-only and shared: LMDB does not
 * say where it mapped it). The map is a view of the file, so nothing is
 * lost: a page touched again is mapped back from the page cache, and a
 * value a transaction borrows stays valid. For streams through more of
 * the store than a process needs to keep (the evaluation cache of a
 * million items). Linux; where /proc cannot be read, nothing. */
void	st_map_release(store *st);

/* Begins a read-only transaction, adopting a map grown by another process;
 * mdb_txn_abort() it. */
em_err	st_read_begin(store *st, MDB_txn **txn);

/* A read-only transaction with a cursor on dbi; st_cursor_end closes both. */
em_err	st_cursor(store *st, MDB_dbi dbi, MDB_txn **txn, MDB_cursor **cur);
void	st_cursor_end(MDB_txn *txn, MDB_cursor *cur);

void	st_feed_key(uint8_t key[static FEED_KEY_LEN], const uint8_t author[static 32],
    uint64_t seq);

/* The signed bytes of record id inside txn (borrowed until txn ends).
 * EM_ENOTFOUND if absent. */
int	st_bytes(store *st, MDB_txn *txn, const uint8_t id[static 32], MDB_val *out);

/* Parses stored bytes (checked when they came in) into env and b, which
 * borrow from v. EM_ESTORE if they no longer parse. */
int	st_parse(const MDB_val *v, rec_env *env, body_any *b);
/* Indexes the task record at local number num under its task id. */
int	st_task_index(store *st, MDB_txn *txn, const body_task *t, const uint8_t num[static 8]);

/* Indexes and stores one verified record (its bytes copied into the map);
 * *status gets enum store_status. */
int	st_index_put(store *st, MDB_txn *txn, const rec_env *env, int *status);

/* A result's flags (RESULT_*) into *flags: its author caught
 * equivocating, revoked by its own author, attested as disputed by anyone
 * (store_board.c). EM_OK, or what stopped the reading (a cursor that
 * fails; EM_EDAMAGED for a record that names it and no longer parses, or
 * that is indexed and gone): flags that may be incomplete are never
 * passed off as the result's. */
int	st_result_flags(store *st, MDB_txn *txn, const uint8_t id[static 32],
    const uint8_t author[static 32], uint32_t *flags);

/* Where a board row holds its record's local number, after the name id
 * it sorts by first (store_board.c). */
#define ST_BOARD_NUM_AT	8

/* The board (store_board.c): a result's row; a flag on a result's row
 * (revocations only from by, its author, when by is not NULL); every
 * result row of an author caught equivocating. */
int	st_board_add(store *st, MDB_txn *txn, const rec_env *env, const body_result *r,
    const uint8_t num[static 8]);
int	st_board_flag(store *st, MDB_txn *txn, const uint8_t id[static 32], uint32_t flag,
    const uint8_t *by);
int	st_board_author(store *st, MDB_txn *txn, const uint8_t author[static 32]);

/* Reads an author's summary inside txn; EM_ENOTFOUND if none. */
int	st_author_read(store *st, MDB_txn *txn, const uint8_t author[static 32],
    store_author *out);

#endif

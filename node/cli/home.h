/* node/cli/home.h — a node's home directory and what every command loads from it.
 *
 *   HOME/identity.key   the Ed25519 identity (0600; see crypto/keyfile.h)
 *   HOME/network.key    the network key, 64 hex digits (0600)
 *   HOME/store/         the LMDB environment (see storage/store.h)
 *   HOME/seq            the highest sequence number this node signed,
 *                       outside the store (store.h, "Sequence numbers")
 *   HOME/trust          the trust list; the store's table is its copy
 *   HOME/node.lock      held by a running node (flock, control.h's
 *                       CONTROL_LOCK), and by 'store rebuild' while it works
 *   HOME/store.damaged-YYYYMMDD-HHMMSS/
 *                       a damaged store moved aside by 'store rebuild'
 * The home is --home DIR, else $EVALMESH_HOME, else ~/.evalmesh.
 * Functions here print their own one-line error and return 1 on failure. */
#ifndef EM_HOME_H
#define EM_HOME_H

#include <stdint.h>

#include "args.h"
#include "ident.h"
#include "store.h"

#define HOME_PATH_MAX	4000
#define HOME_DIR_MAX	(HOME_PATH_MAX - 64)	/* bytes of the directory: room for
						 * the names under it */
#define HOME_VAR_MAX	127	/* bytes of the name of a variable
				 * (--passphrase-env, --api-key-env) */

typedef struct home_ctx {
	char	 dir[HOME_PATH_MAX];
	uint8_t	 netid[32];
	uint8_t	 netkey[32];		/* the secret PSK; wiped by home_close */
	int	 open_network;		/* the well-known open network */
	uint8_t	 pk[32];		/* our node id */
	int	 sealed;		/* identity sealed with a passphrase */
	store	*st;
	ident	*me;			/* only when opened with need_secret */
} home_ctx;

/* Where the home is, from --home, else $EVALMESH_HOME, else
 * $HOME/.evalmesh, into out (cap bytes). 0, or 1 after a message (none
 * set, empty, longer than HOME_DIR_MAX or cap). */
int home_dir(const args_parsed *a, char *out, size_t cap);

/* Joins dir and name into out ("DIR/NAME", cap bytes). 0, or 1 with a
 * message if it does not fit. */
int home_path(const char *dir, const char *name, char *out, size_t cap);

#define HOME_SEQ_FILE	"seq"
#define HOME_TRUST_FILE	"trust"

/* Opens the keys of an initialised home into h, not its store: the
 * network key and the public identity. 0, with h to home_close; or 1
 * after a message. */
int home_open_keys(home_ctx *h, const args_parsed *a);

/* The paths of the store and of the files it keeps beside it in home
 * dir, and store options naming them (o borrows from f). 0, or 1 after a
 * message (too long). */
struct home_files {
	char	store[HOME_PATH_MAX + 32];
	char	seq[HOME_PATH_MAX + 32];
	char	trust[HOME_PATH_MAX + 32];
};
int home_store_opts(const char *dir, struct home_files *f, store_opts *o);

/* The one-line message for store_open's err on the store named in f.
 * Returns 1. */
int home_store_error(em_err err, const struct home_files *f);

/* Opens an initialised home into h: network key, public identity, the
 * store; with need_secret also the secret key, unsealed with the
 * passphrase from the variable named by --passphrase-env or recorded at
 * init. a is read during the call only. 0, with h to home_close; or 1
 * after a message (a key file missing, damaged or readable by others, a
 * wrong or missing passphrase, a store that will not open), and then
 * nothing in h needs releasing (home_close is harmless). */
int home_open(home_ctx *h, const args_parsed *a, int need_secret);

/* Takes HOME/node.lock (flock, exclusive) for as long as *fd stays open,
 * as a running node holds it (daemon/control.c): for 'store rebuild'. 0
 * with *fd to close; -1 if another process holds it (no message); 1
 * after a message. */
int home_lock(const char *dir, int *fd);

/* home_open without the secret key, for a command that only reads: the
 * store is opened with STORE_READ (store.h), and never written. */
int home_open_read(home_ctx *h, const args_parsed *a);

/* Releases what home_open took (wipes the network key, frees the secret
 * key, closes the store); h's other fields stay. Twice is fine. */
void home_close(home_ctx *h);

/* Turns an id or unique prefix typed by a user into an id of the given
 * space (store_resolve), into id; what names the thing in messages
 * ("record", "author", "task"). A full 64-digit task id is accepted even
 * if no record names it yet. 0, or 1 after a message (not hex, unknown,
 * ambiguous, the store's error). */
int home_resolve(home_ctx *h, enum store_space space, const char *text,
    uint8_t id[static 32], const char *what);

/* Turns what a user typed for a task into its id: a full id (accepted
 * even if no record names it yet), a unique id prefix, NAME or
 * NAME@VERSION (task_find). 0, or 1 after a one-line message. */
int home_task(home_ctx *h, const char *text, uint8_t id[static 32]);

/* What a failed write to h's store says: em_strerror(err), and for a
 * full disk where ("no space left on device (the file system of
 * 'HOME/store')"), into buf (cap bytes) when it needs it. Returns the
 * text (buf or a static string). */
const char *home_write_why(const home_ctx *h, em_err err, char *buf, size_t cap);

/* Prints the one-line message for err, a key file's error at path
 * (permissions, damage, passphrase; pass_var names the passphrase's
 * variable, or NULL). Returns 1. */
int home_key_error(em_err err, const char *path, const char *pass_var);

#endif

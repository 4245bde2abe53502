#include "home.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "control.h"
#include "guard.h"
#include "hash.h"
#include "hex.h"
#include "keyfile.h"
#include "netkey.h"
#include "task.h"

int
home_path(const char *dir, const char *name, char *out, size_t cap)
{
	if ((size_t)snprintf(out, cap, "%s/%s", dir, name) >= cap)
		return cli_fail("path too long: %.64s...", dir);
	return 0;
}

int
home_dir(const args_parsed *a, char *out, size_t cap)
{
	const char *dir = args_get(a, "home"), *env, *from = "--home";

	if (dir == NULL && (env = getenv("EVALMESH_HOME")) != NULL && *env) {
		dir = env;
		from = "$EVALMESH_HOME";
	}
	/* cli_args has refused a bad --home already (a usage error) */
	if (dir != NULL) {
		if (*dir == '\0')
			return cli_fail("%s: empty directory name", from);
		if (strlen(dir) > HOME_DIR_MAX || strlen(dir) >= cap)
			return cli_fail("%s: longer than %d bytes", from, HOME_DIR_MAX);
		snprintf(out, cap, "%s", dir);
		return 0;
	}
	if ((env = getenv("HOME")) == NULL || *env == '\0')
		return cli_fail("no home directory: set --home DIR, $EVALMESH_HOME or $HOME");
	if (strlen(env) > HOME_DIR_MAX || strlen(env) + 10 >= cap)
		return cli_fail("$HOME: longer than %d bytes", HOME_DIR_MAX);
	snprintf(out, cap, "%s/.evalmesh", env);
	return 0;
}

int
home_key_error(em_err err, const char *path, const char *pass_var)
{
	struct stat sb;

	switch (err) {
	case EM_EPERM:
		stat(path, &sb);
		return cli_fail("permissions %04o for '%s' are too open: the key must "
		    "not be accessible by others; run: chmod 600 '%s'",
		    (unsigned)(sb.st_mode & 07777), path, path);
	case EM_ELOCKED:
		return cli_fail("identity key '%s' is sealed: set $%s to its "
		    "passphrase (or name another variable with --passphrase-env)",
		    path, pass_var ? pass_var : "EVALMESH_PASSPHRASE");
	case EM_EPASS:
		return cli_fail("wrong passphrase for identity key '%s' (from $%s)",
		    path, pass_var ? pass_var : "?");
	case EM_ENOTFOUND:
		return cli_fail("'%s' not found: is this an evalmesh home? "
		    "(create one with 'evalmesh init')", path);
	default:
		return cli_fail("'%s': %s", path, em_strerror(err));
	}
}

static int
load_secret(home_ctx *h, const args_parsed *a, const char *keypath)
{
	char var[128] = "";
	const char *name = args_get(a, "passphrase-env"), *pass = NULL;
	em_err err;

	if (name == NULL && store_meta_get(h->st, "passphrase_env", var, sizeof var) == EM_OK)
		name = var;
	if (h->sealed && name != NULL && (pass = getenv(name)) == NULL)
		return home_key_error(EM_ELOCKED, keypath, name);
	if ((err = keyfile_load(keypath, h->sealed ? pass : NULL, &h->me)) != EM_OK)
		return home_key_error(err, keypath, name);
	return 0;
}

int
home_open_keys(home_ctx *h, const args_parsed *a)
{
	char path[HOME_PATH_MAX + 32];
	uint8_t key[NETKEY_LEN], open_key[NETKEY_LEN], open_id[32];
	em_err err;

	memset(h, 0, sizeof *h);
	if (hash_init() != EM_OK)
		return cli_fail("cannot initialise libsodium");
	if (home_dir(a, h->dir, sizeof h->dir) || home_path(h->dir, "network.key", path, sizeof path))
		return 1;
	if ((err = netkey_read(path, 1, key)) != EM_OK) {
		hash_wipe(key, sizeof key);	/* may hold part of it */
		if (err == EM_EFORMAT)
			return cli_fail("'%s' is not a network key (64 hex digits)", path);
		return home_key_error(err, path, NULL);
	}
	netkey_id(key, h->netid);
	memcpy(h->netkey, key, sizeof key);
	hash_wipe(key, sizeof key);
	netkey_open(open_key);
	netkey_id(open_key, open_id);
	h->open_network = memcmp(open_id, h->netid, 32) == 0;
	if (home_path(h->dir, "identity.key", path, sizeof path) ||
	    (err = keyfile_public(path, h->pk, &h->sealed)) != EM_OK) {
		if (err != EM_OK)
			home_key_error(err, path, NULL);
		home_close(h);		/* wipes the network key again */
		return 1;
	}
	return 0;
}

int
home_store_opts(const char *dir, struct home_files *f, store_opts *o)
{
	if (home_path(dir, "store", f->store, sizeof f->store) ||
	    home_path(dir, HOME_SEQ_FILE, f->seq, sizeof f->seq) ||
	    home_path(dir, HOME_TRUST_FILE, f->trust, sizeof f->trust))
		return 1;
	memset(o, 0, sizeof *o);
	o->seq_file = f->seq;
	o->trust_file = f->trust;
	return 0;
}

int
home_store_error(em_err err, const struct home_files *f)
{
	switch (err) {
	case EM_ENETWORK:
		return cli_fail("cannot open store '%s': it belongs to another network than "
		    "network.key's (if it is this node's own, it may be damaged: 'evalmesh store "
		    "check' tells)", f->store);
	case EM_EFORMAT:
		return cli_fail("'%s' is not a trust list (lines of a node id, a space and a "
		    "name); mend it, or move it away to start the list again", f->trust);
	case EM_EDAMAGED:
		return cli_fail("store '%s' is damaged; 'evalmesh store check' tells more, and "
		    "'evalmesh store rebuild' moves it aside and refills it from peers", f->store);
	default:
		/* LMDB says only that it failed; a home on a read-only file
		 * system, or one this user may not write, says what it is */
		if ((err == EM_ESTORE || err == EM_EIO) && access(f->store, W_OK) != 0 &&
		    (errno == EROFS || errno == EACCES))
			return cli_fail("cannot open store '%s' to write: %s (read commands "
			    "work there; this one signs or stores)", f->store, strerror(errno));
		return cli_fail("cannot open store '%s': %s", f->store, em_strerror(err));
	}
}

const char *
home_write_why(const home_ctx *h, em_err err, char *buf, size_t cap)
{
	if (err != EM_ENOSPC || h->st == NULL)
		return em_strerror(err);
	snprintf(buf, cap, "%s (the file system of '%s')", em_strerror(err), store_dir(h->st));
	return buf;
}

/* A command that may sign reads HOME/seq first: a file it cannot read
 * stops it here, with the file named, rather than at its first record. */
static int
seq_check(home_ctx *h, const struct home_files *f)
{
	uint64_t seq;
	em_err err = store_seq_file(h->st, h->pk, &seq);

	if (err == EM_EFORMAT)
		return cli_fail("'%s' is damaged: it holds lines of a node id and the highest "
		    "sequence number that node signed; mend it (a number too high is safe, one "
		    "too low is not)", f->seq);
	if (err != EM_OK)
		return cli_fail("cannot read '%s': %s", f->seq, em_strerror(err));
	return 0;
}

static int
open_home(home_ctx *h, const args_parsed *a, int need_secret, unsigned flags)
{
	char path[HOME_PATH_MAX + 32];
	struct home_files f;
	store_opts o;
	em_err err;

	if (home_open_keys(h, a))
		return 1;
	/* from here a failure wipes the network key again (home_close) */
	if (home_path(h->dir, "identity.key", path, sizeof path) ||
	    home_store_opts(h->dir, &f, &o))
		goto fail;
	guard_store(f.store);
	o.flags = flags;
	if ((err = store_open(f.store, h->netid, &o, &h->st)) != EM_OK) {
		home_store_error(err, &f);
		goto fail;
	}
	if (need_secret && (seq_check(h, &f) != 0 || load_secret(h, a, path) != 0))
		goto fail;
	return 0;
fail:
	home_close(h);
	return 1;
}

int
home_open(home_ctx *h, const args_parsed *a, int need_secret)
{
	return open_home(h, a, need_secret, 0);
}

int
home_open_read(home_ctx *h, const args_parsed *a)
{
	return open_home(h, a, 0, STORE_READ);
}

int
home_lock(const char *dir, int *fd)
{
	char path[HOME_PATH_MAX + 32];

	*fd = -1;
	if (home_path(dir, CONTROL_LOCK, path, sizeof path))
		return 1;
	if ((*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return cli_fail("cannot open '%s': %s", path, strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	close(*fd);
	*fd = -1;
	if (errno == EWOULDBLOCK)
		return -1;
	return cli_fail("cannot lock '%s': %s", path, strerror(errno));
}

void
home_close(home_ctx *h)
{
	hash_wipe(h->netkey, sizeof h->netkey);
	ident_free(h->me);
	store_free(h->st);
	h->me = NULL;
	h->st = NULL;
}

int
home_resolve(home_ctx *h, enum store_space space, const char *text,
    uint8_t id[static 32], const char *what)
{
	em_err err = store_resolve(h->st, space, text, id);

	if (err == EM_ENOTFOUND && space == SPACE_TASK && strlen(text) == ID_HEX_LEN)
		err = hex_decode(id, 32, text);
	switch (err) {
	case EM_OK:
		return 0;
	case EM_EFORMAT:
		return cli_fail("'%.80s' is not a %s id (8 to 64 hex digits)", text, what);
	case EM_ENOTFOUND:
		return cli_fail("no %s with id '%.80s' in this store", what, text);
	case EM_EAMBIGUOUS:
		return cli_fail("%s id prefix '%.80s' matches more than one %s; give more digits",
		    what, text, what);
	default:
		return cli_fail("looking up %s '%.80s': %s", what, text, em_strerror(err));
	}
}

int
home_task(home_ctx *h, const char *text, uint8_t id[static 32])
{
	char why[TASK_WHY_MAX];

	if (strlen(text) == ID_HEX_LEN && hex_decode(id, 32, text) == EM_OK)
		return 0;
	if (task_find(h->st, h->pk, text, id, why, sizeof why) != EM_OK)
		return cli_fail("%s", why);
	return 0;
}

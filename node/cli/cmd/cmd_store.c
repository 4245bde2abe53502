/* evalmesh store check|rebuild — whether the store is sound, and the way
 * back when it is not.
 *
 * A damaged store is read in a child process: what LMDB cannot check
 * ends that child (guard.h), and the parent, which never mapped the
 * file, says what and where from the report the child left in memory
 * they share. */
#define _DEFAULT_SOURCE		/* MAP_ANONYMOUS: not POSIX, but everywhere */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "control.h"
#include "file.h"
#include "guard.h"
#include "home.h"

static const char about[] =
"The store (HOME/store) holds every signed record this node has. Records\n"
"are signed, so its peers are its backup: a damaged store is moved aside\n"
"and refilled from them. The identity, the network key, the trust list\n"
"(HOME/trust) and the highest sequence number this node signed (HOME/seq)\n"
"live outside the store and are kept.\n";

static const opt check_opts[] = { { "home", OPT_VALUE, 0 }, { "json", OPT_FLAG, 0 } };
static const opt rebuild_opts[] = { { "home", OPT_VALUE, 0 }, { "force", OPT_FLAG, 0 } };

/* What a child leaves for its parent, in memory they share. */
struct shared {
	store_check_report	check;
	store_salvage_report	salvage;
	char			caught[384];	/* what the guard caught */
	em_err			err;		/* what the child's work returned */
	int			done;
};

struct job {
	home_ctx		*h;
	struct home_files	 f;
	store_opts		 o;
	const char		*old_dir;	/* rebuild: the store moved aside */
};

/* Runs fn in a child with the guard set to write into sh; returns what
 * waitpid said of it, or -1 if there was no child. */
static int
in_child(em_err (*fn)(struct job *, struct shared *), struct job *j, struct shared *sh)
{
	int status;
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		guard_child(sh->caught, sizeof sh->caught);
		sh->err = fn(j, sh);
		sh->done = 1;
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

static em_err
check_fn(struct job *j, struct shared *sh)
{
	store_opts o = { .flags = STORE_RDONLY };
	store *st = NULL;
	em_err err;

	snprintf(sh->check.table, sizeof sh->check.table, "opening");
	if ((err = store_open(j->old_dir ? j->old_dir : j->f.store, j->h->netid, &o, &st)) ==
	    EM_OK)
		err = store_check(st, &sh->check);
	store_free(st);
	return err;
}

/* The verdict of a check child into why (empty when sound): 0 sound, 1
 * damaged, -1 could not check (why says why). */
static int
verdict(int status, const struct shared *sh, char *why, size_t cap)
{
	const store_check_report *r = &sh->check;
	char where[128] = "";

	why[0] = '\0';
	if (r->table[0] && strcmp(r->table, "opening") != 0)
		snprintf(where, sizeof where, " (table '%s', after %llu entries)", r->table,
		    (unsigned long long)r->entries);
	if (status == -1)
		return snprintf(why, cap, "cannot start a process to check it: %s",
		    strerror(errno)), -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && sh->done) {
		if (sh->err == EM_OK)
			return 0;
		if (sh->err == EM_EDAMAGED)
			return snprintf(why, cap, "%s", r->problem[0] ? r->problem :
			    sh->caught[0] ? sh->caught : "damaged"), 1;
		if (sh->err == EM_ENOTFOUND)
			return snprintf(why, cap, "it holds no data.mdb"), 1;
		return snprintf(why, cap, "cannot check it: %s%s", em_strerror(sh->err),
		    sh->err == EM_ENETWORK ? " (network.key does not match the store)" : ""), -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == GUARD_EXIT)
		return snprintf(why, cap, "%s%s", sh->caught, where), 1;
	if (WIFSIGNALED(status))
		return snprintf(why, cap, "reading it killed the check (signal %d)%s",
		    WTERMSIG(status), where), 1;
	return snprintf(why, cap, "the check ended with exit code %d%s",
	    WIFEXITED(status) ? WEXITSTATUS(status) : -1, where), -1;
}

static struct shared *
shared_new(void)
{
	struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return sh == MAP_FAILED ? NULL : sh;
}

/* This node's own feed: the highest seq the store holds, and the file's. */
static void
own_seqs(struct job *j, uint64_t *in_store, uint64_t *in_file)
{
	store_author a;
	store *st = NULL;
	store_opts o = j->o;

	*in_store = *in_file = 0;
	o.flags = STORE_RDONLY;
	if (store_open(j->f.store, j->h->netid, &o, &st) != EM_OK)
		return;
	if (store_author_get(st, j->h->pk, &a) == EM_OK)
		*in_store = a.max_seq;
	store_seq_file(st, j->h->pk, in_file);
	store_free(st);
}

static json_t *
check_json(const struct job *j, const store_check_report *r, int v, const char *why,
    uint64_t own, uint64_t signed_)
{
	return json_pack("{s:s, s:b, s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "store",
	    j->f.store, "sound", v == 0, "problem", v == 0 ? NULL : why,
	    "records", (json_int_t)r->records, "authors", (json_int_t)r->authors,
	    "page_size", (json_int_t)r->page_size, "pages_used", (json_int_t)r->pages_used,
	    "file_bytes", (json_int_t)r->file_bytes, "own_seq", (json_int_t)own,
	    "own_seq_signed", (json_int_t)signed_);
}

static int
check(const args_parsed *a)
{
	char why[512];
	struct shared *sh = NULL;
	struct job j = { 0 };
	home_ctx h;
	uint64_t own = 0, signed_ = 0;
	int v, rc = 1;

	if (home_open_keys(&h, a))
		return 1;
	j.h = &h;
	if (home_store_opts(h.dir, &j.f, &j.o))
		goto out;
	if ((sh = shared_new()) == NULL) {
		cli_fail("out of memory");
		goto out;
	}
	v = verdict(in_child(check_fn, &j, sh), sh, why, sizeof why);
	if (v == 0)
		own_seqs(&j, &own, &signed_);
	if (args_get(a, "json") && v >= 0) {
		if (cli_json_print(check_json(&j, &sh->check, v, why, own, signed_)) != 0)
			goto out;
		rc = v;
		goto out;
	}
	if (v < 0) {
		cli_fail("store '%s': %s", j.f.store, why);
	} else if (v > 0) {
		cli_fail("store '%s' is damaged: %s; 'evalmesh store rebuild' moves it aside "
		    "and refills it from peers", j.f.store, why);
		rc = 1;
	} else {
		printf("store '%s' is sound: %llu record%s from %llu author%s, %llu pages of %llu "
		    "bytes in use, data.mdb %llu bytes\n", j.f.store,
		    (unsigned long long)sh->check.records, sh->check.records == 1 ? "" : "s",
		    (unsigned long long)sh->check.authors, sh->check.authors == 1 ? "" : "s",
		    (unsigned long long)sh->check.pages_used,
		    (unsigned long long)sh->check.page_size,
		    (unsigned long long)sh->check.file_bytes);
		if (signed_ > own)
			printf("this node signed up to seq %llu, the store holds up to %llu: the "
			    "rest comes back from its peers\n", (unsigned long long)signed_,
			    (unsigned long long)own);
		rc = 0;
	}
out:
	if (sh != NULL)
		munmap(sh, sizeof *sh);
	home_close(&h);
	return rc;
}

/* Nothing else may be writing the store while it moves: a node (its lock,
 * or its control socket for one that took no lock) or an eval (its
 * lock's bytes). 0 with *lock held, or 1 after a message. */
static int
quiet_home(const char *dir, int *lock)
{
	char path[HOME_PATH_MAX + 32];
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int rc, fd;

	if ((rc = home_lock(dir, lock)) < 0 || (rc == 0 &&
	    home_path(dir, CONTROL_SOCKET, path, sizeof path) == 0 && control_alive(path))) {
		if (*lock >= 0)
			close(*lock);
		return cli_fail("a node is running on '%s': stop it first (the store it has "
		    "open cannot be moved from under it)", dir);
	}
	if (rc != 0)
		return 1;
	if (home_path(dir, "eval.lock", path, sizeof path) == 0 &&
	    (fd = open(path, O_RDWR | O_CLOEXEC)) >= 0) {
		rc = fcntl(fd, F_SETLK, &fl);
		close(fd);
		if (rc != 0 && (errno == EACCES || errno == EAGAIN)) {
			close(*lock);
			return cli_fail("an eval is running on '%s': let it finish, or stop it, "
			    "first", dir);
		}
	}
	return 0;
}

/* Moves the store aside to HOME/store.damaged-<UTC time>[-N], into out. */
static int
move_aside(const struct job *j, char *out, size_t cap)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	for (int i = 1; i < 100; i++) {
		if ((size_t)snprintf(out, cap, i == 1 ? "%s.damaged-%s" : "%s.damaged-%s-%d",
		    j->f.store, stamp, i) >= cap)
			return cli_fail("path too long: %.64s...", j->f.store);
		if (access(out, F_OK) == 0)
			continue;
		if (rename(j->f.store, out) != 0)
			return cli_fail("cannot move '%s' to '%s': %s", j->f.store, out,
			    strerror(errno));
		if (file_sync_dir(out) != EM_OK)
			return cli_fail("moved '%s' to '%s', but cannot sync '%s'", j->f.store,
			    out, j->h->dir);
		return 0;
	}
	return cli_fail("too many damaged stores named '%s.damaged-%s*'", j->f.store, stamp);
}

static em_err
salvage_fn(struct job *j, struct shared *sh)
{
	store_opts ro = { .flags = STORE_RDONLY };
	store *from = NULL, *to = NULL;
	em_err err;

	if ((err = store_open(j->f.store, j->h->netid, &j->o, &to)) == EM_OK &&
	    (err = store_open(j->old_dir, j->h->netid, &ro, &from)) == EM_OK)
		err = store_salvage(from, to, &sh->salvage);
	else if (to != NULL)
		err = EM_OK;	/* nothing to take from: the new store stays empty */
	store_free(from);
	store_free(to);
	return err;
}

static void
salvage_say(int status, const struct shared *sh)
{
	const store_salvage_report *s = &sh->salvage;

	printf("taken from it: %llu records, %llu blobs, %llu peers, %llu settings, "
	    "%llu trusted nodes", (unsigned long long)s->records, (unsigned long long)s->blobs,
	    (unsigned long long)s->peers, (unsigned long long)s->settings,
	    (unsigned long long)s->trusted);
	if (s->bad)
		printf("; %llu entries passed over", (unsigned long long)s->bad);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !sh->done || s->stopped)
		printf("; the rest could not be read%s%s", sh->caught[0] ? ": " : "", sh->caught);
	printf("\n");
}

static int
rebuild(const args_parsed *a)
{
	char aside[HOME_PATH_MAX + 64], why[512];
	struct shared *sh = NULL;
	struct job j = { 0 };
	struct stat sb;
	store *st = NULL;
	home_ctx h;
	int lock = -1, rc = 1, v, status;
	em_err err;

	if (home_open_keys(&h, a))
		return 1;
	j.h = &h;
	if (home_store_opts(h.dir, &j.f, &j.o) || quiet_home(h.dir, &lock))
		goto out;
	if ((sh = shared_new()) == NULL) {
		cli_fail("out of memory");
		goto out;
	}
	if (lstat(j.f.store, &sb) == 0) {
		v = verdict(in_child(check_fn, &j, sh), sh, why, sizeof why);
		if (v < 0) {
			cli_fail("store '%s': %s", j.f.store, why);
			goto out;
		}
		if (v == 0 && !args_get(a, "force")) {
			cli_fail("store '%s' is sound: nothing to rebuild (--force moves it aside "
			    "all the same)", j.f.store);
			goto out;
		}
		if (move_aside(&j, aside, sizeof aside))
			goto out;
		printf("moved store '%s' (%s) to '%s'; it is kept: remove it once you no "
		    "longer need it\n", j.f.store, v ? why : "sound", aside);
		j.old_dir = aside;
	}
	/* the new store, with the trust list from its file */
	if ((err = store_open(j.f.store, h.netid, &j.o, &st)) != EM_OK) {
		home_store_error(err, &j.f);
		goto out;
	}
	store_free(st);
	printf("new store '%s'\n", j.f.store);
	if (j.old_dir != NULL) {
		memset(sh, 0, sizeof *sh);
		status = in_child(salvage_fn, &j, sh);
		salvage_say(status, sh);
	}
	printf("start the node ('evalmesh node' with its peers): it fetches every record "
	    "they hold\n");
	rc = 0;
out:
	if (sh != NULL)
		munmap(sh, sizeof *sh);
	if (lock >= 0)
		close(lock);
	home_close(&h);
	return rc;
}

static const cli_verb verbs[] = {
	{ "check", check_opts, sizeof check_opts / sizeof check_opts[0], 0, NULL,
	    "[--json] [--home DIR]",
	    "Reads every page of the store and says whether it is sound: LMDB's meta\n"
	    "pages against the file's size, its free list, every table's entries and\n"
	    "counts, every record's signature and id. Exit 0: sound; 1: damaged (what\n"
	    "and where on stderr), or it could not be checked. Safe while a node runs.\n\n"
	    "  --json  the verdict as JSON (also when damaged): sound, problem, records,\n"
	    "          authors, page_size, pages_used, file_bytes, own_seq (the highest\n"
	    "          of this node's seqs the store holds), own_seq_signed (HOME/seq)\n",
	    check },
	{ "rebuild", rebuild_opts, sizeof rebuild_opts / sizeof rebuild_opts[0], 0, NULL,
	    "[--force] [--home DIR]",
	    "Moves a damaged store aside to HOME/store.damaged-YYYYMMDD-HHMMSS (UTC;\n"
	    "never deleted) and starts a new one, into which it copies what the old one\n"
	    "still holds that can be checked: records that verify, task item chunks\n"
	    "that hash to their names, known peers, settings, trusted nodes. Run the\n"
	    "node afterwards: its peers send it every record they hold. The identity,\n"
	    "network key, trust list and HOME/seq are kept, so the node never signs a\n"
	    "sequence number twice. Refuses while a node or an eval runs on the home.\n\n"
	    "  --force  rebuild a store that checks sound as well\n",
	    rebuild },
};

int
cmd_store(int argc, char **argv)
{
	static const cli_verbs c = { "store", verbs, sizeof verbs / sizeof verbs[0], about,
	    "expected check or rebuild" };

	return cli_verbs_run(&c, argc, argv);
}

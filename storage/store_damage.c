/* A damaged data.mdb: what LMDB says of it, what it cannot say, and the
 * checks made before a store is read (store.h, "Damage").
 *
 * LMDB 0.9 keeps no checksum of its pages. It trusts what its meta pages
 * say and follows the page numbers its pages hold, checking only that a
 * number is below the last page in use (MDB_PAGE_NOTFOUND) and, at the
 * bottom of a tree, that the page is a leaf (MDB_CORRUPTED). Everything
 * else in a page (its key count, the offsets and sizes of its nodes) is
 * believed: a flipped bit there can make it read past the page, past the
 * end of the file (SIGBUS inside the map), just past the map (SIGSEGV) or
 * fail one of its own assertions (abort). Reports of each: LMDB's own
 * mdb_page_get and mdb_page_search_root (the two checks); lmdb-zero issue
 * #30 (one byte of a node's page header changed: SIGSEGV in
 * mdb_node_search); ReOpenLDAP issue #73 (SIGBUS in mdb_node_search at an
 * address inside data.mdb's map); damus PR #3660 (a data.mdb cut short
 * keeps its meta pages, whose last page lies past the end of the file:
 * SIGSEGV/SIGBUS on the first read of a page that is gone). */
#include "store_impl.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* A read may run this far past the map: a node's key (16-bit size) at an
 * offset of up to 64 KiB from its page, or a copy that starts inside the
 * map and runs on. */
#define MAP_SLACK	((uintptr_t)1 << 20)
#define MAPS_MAX	8	/* stores one process has open at once */
#define PSIZE_MIN	512
#define PSIZE_MAX	65536
#define DEPTH_MAX	32	/* LMDB's cursor stack: no tree is deeper */

static store_damage_fn hook;

/* The maps of the open stores, read by store_fault_at in a signal
 * handler: a slot is marked unused while it changes. */
static struct {
	volatile sig_atomic_t	used;
	volatile uintptr_t	base, len, psize;
} maps[MAPS_MAX];

void
store_on_damage(store_damage_fn fn)
{
	hook = fn;
}

void
st_damage(const char *what, int fatal)
{
	if (hook != NULL)
		hook(what, fatal);
}

int
st_bad(const char *what)
{
	st_damage(what, 0);
	return EM_EDAMAGED;
}

const char *
st_damage_what(int rc)
{
	switch (rc) {
	case MDB_PAGE_NOTFOUND:
		return "a page points to a page past the last one in use";
	case MDB_CORRUPTED:
		return "a page is not of the kind the page above it says";
	case MDB_CURSOR_FULL:
		return "a tree deeper than LMDB allows (pages that point in a loop)";
	case MDB_INVALID:
		return "no valid meta page: the file is cut short, overwritten, "
		    "or not an LMDB file";
	case MDB_VERSION_MISMATCH:
		return "its meta page names another LMDB data format";
	case MDB_INCOMPATIBLE:
		return "a table's flags changed";
	default:
		return NULL;
	}
}

void
st_assert(MDB_env *env, const char *msg)
{
	char what[320];

	(void)env;
	snprintf(what, sizeof what, "LMDB stopped on a page that breaks its rules (%s)", msg);
	st_damage(what, 1);
}

/* What /proc/self/maps says (LMDB does not: mdb_env_info's me_mapaddr is
 * the address a fixed map asked for, NULL otherwise): the lowest start
 * and highest end of the mappings of the file with device dev and inode
 * ino, or, with ino 0, the one mapping that holds address at. 0, or -1
 * where there is no such file or mapping (then nothing is watched). */
static int
maps_find(dev_t dev, ino_t ino, uintptr_t at, uintptr_t *base, uintptr_t *len)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	uintptr_t lo = UINTPTR_MAX, hi = 0;

	if ((f = fopen("/proc/self/maps", "re")) == NULL)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		unsigned long long start, end, off, n;
		unsigned maj, min;

		if (sscanf(line, "%llx-%llx %*s %llx %x:%x %llu", &start, &end, &off, &maj, &min,
		    &n) != 6 || end <= start)
			continue;
		if (ino != 0 ? n == (unsigned long long)ino && makedev(maj, min) == dev :
		    at >= start && at < end) {
			if (start < lo)
				lo = (uintptr_t)start;
			if (end > hi)
				hi = (uintptr_t)end;
		}
	}
	free(line);
	fclose(f);
	if (hi == 0)
		return -1;
	*base = lo;
	*len = hi - lo;
	return 0;
}

/* LMDB's own code, where a fault that is no read of the map also shows
 * damage: LMDB believes a node's flags, and a flipped F_DUPDATA bit in a
 * table without duplicates makes it write through a NULL sub-cursor
 * (found by tests/integration/damage_test.sh). Only when LMDB is a
 * library of its own: linked into our binary, its range would be ours. */
static volatile uintptr_t lmdb_lo, lmdb_len;

static void
lmdb_note(void)
{
	uintptr_t lo, len, ours = (uintptr_t)&st_bad;

	if (lmdb_len != 0 || maps_find(0, 0, (uintptr_t)&mdb_version, &lo, &len) != 0)
		return;
	if (ours >= lo && ours - lo < len)
		return;
	lmdb_lo = lo;
	lmdb_len = len;
}

void
st_map_note(store *st)
{
	MDB_stat ms;
	mdb_filehandle_t fd;
	struct stat sb;
	uintptr_t base, len;
	int i = st->slot;

	lmdb_note();
	if (mdb_env_stat(st->env, &ms) != 0 || mdb_env_get_fd(st->env, &fd) != 0 ||
	    fstat(fd, &sb) != 0 || maps_find(sb.st_dev, sb.st_ino, 0, &base, &len) != 0) {
		st_map_drop(st);
		return;
	}
	if (i < 0) {
		for (i = 0; i < MAPS_MAX && maps[i].used; i++)
			;
		if (i == MAPS_MAX)
			return;		/* not watched: a fault is then a crash */
		st->slot = i;
	}
	maps[i].used = 0;
	maps[i].base = base;
	maps[i].len = len;
	maps[i].psize = ms.ms_psize ? ms.ms_psize : 4096;
	maps[i].used = 1;
}

void
st_map_drop(store *st)
{
	if (st->slot >= 0)
		maps[st->slot].used = 0;
	st->slot = -1;
}

int
store_fault_at(const void *addr, const void *pc, int bus, uint64_t *page)
{
	uintptr_t a = (uintptr_t)addr, p = (uintptr_t)pc;
	int open = 0;

	*page = 0;
	for (int i = 0; i < MAPS_MAX; i++) {
		uintptr_t base = maps[i].base, len = maps[i].len;

		if (!maps[i].used)
			continue;
		open = 1;
		if (a < base)
			continue;
		/* SIGBUS: a page of the map the file no longer backs;
		 * SIGSEGV: only just past the map, where a read that began
		 * inside it ran on */
		if ((bus && a - base < len) || (!bus && a - base >= len && a - base - len < MAP_SLACK)) {
			*page = (uint64_t)((a - base) / maps[i].psize);
			return STORE_FAULT_MAP;
		}
	}
	if (open && lmdb_len != 0 && p >= lmdb_lo && p - lmdb_lo < lmdb_len)
		return STORE_FAULT_LMDB;
	return 0;
}

/* The map's pages LMDB may read are those up to the last page its meta
 * page says is in use: each must lie inside the file, before any is
 * read. A writer extends the file before it commits a meta page that
 * counts the new pages, and never shrinks it, so a check made now holds
 * for every later transaction too. */
int
st_sane(store *st)
{
	MDB_envinfo info;
	MDB_stat ms;
	struct stat sb;
	mdb_filehandle_t fd;
	char what[320];
	uint64_t psize, last, pages;

	if (mdb_env_info(st->env, &info) != 0 || mdb_env_stat(st->env, &ms) != 0 ||
	    mdb_env_get_fd(st->env, &fd) != 0 || fstat(fd, &sb) != 0)
		return EM_EIO;
	psize = ms.ms_psize;
	last = info.me_last_pgno;
	pages = (uint64_t)ms.ms_branch_pages + ms.ms_leaf_pages + ms.ms_overflow_pages;
	if (psize < PSIZE_MIN || psize > PSIZE_MAX || (psize & (psize - 1)) != 0)
		snprintf(what, sizeof what, "its meta page gives a page size of %llu bytes",
		    (unsigned long long)psize);
	else if (last < 1 || sb.st_size < 0 || last >= (uint64_t)sb.st_size / psize)
		snprintf(what, sizeof what, "data.mdb is %lld bytes, but its meta page says "
		    "pages 0 to %llu of %llu bytes are in use: it was cut short",
		    (long long)sb.st_size, (unsigned long long)last, (unsigned long long)psize);
	else if (ms.ms_depth > DEPTH_MAX || pages > last - 1)
		snprintf(what, sizeof what, "its meta page describes a main tree of depth %u "
		    "and %llu pages in a file of %llu pages", ms.ms_depth,
		    (unsigned long long)pages, (unsigned long long)last + 1);
	else
		return EM_OK;
	return st_bad(what);
}

#define _GNU_SOURCE	/* the names of ucontext's registers (REG_RIP) */
#include "guard.h"

#include <signal.h>
#include <ucontext.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "store.h"

#define WAY_BACK	"; 'evalmesh store check' tells more, and 'evalmesh store rebuild' " \
			"moves it aside and refills it from peers"

static char shown[CLI_SHOW_CAP + 16] = "the store";
static struct sigaction old_bus, old_segv;
static char *child_buf;
static size_t child_cap;

void
guard_store(const char *dir)
{
	char buf[CLI_SHOW_CAP];

	snprintf(shown, sizeof shown, "store '%s'", cli_show(dir, buf, sizeof buf));
}

/* Appends s to buf (cap bytes, NUL-terminated) at *n: async-signal-safe. */
static void
put(char *buf, size_t cap, size_t *n, const char *s)
{
	while (*s && *n + 1 < cap)
		buf[(*n)++] = *s++;
	buf[*n] = '\0';
}

static void
put_num(char *buf, size_t cap, size_t *n, uint64_t v)
{
	char d[24];
	int i = (int)sizeof d - 1;

	d[i] = '\0';
	do
		d[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0 && i > 0);
	put(buf, cap, n, d + i);
}

static void
on_damage(const char *what, int fatal)
{
	size_t n;

	if (child_buf != NULL) {
		if (child_buf[0] == '\0') {
			n = 0;
			put(child_buf, child_cap, &n, what);
		}
		if (fatal)
			_exit(GUARD_EXIT);
		return;
	}
	cli_fail("%s is damaged: %s" WAY_BACK, shown, what);
	/* nothing the command would do after this can be trusted: the store
	 * it reads lies (and a write could spread the damage) */
	_exit(1);
}

/* The instruction that faulted, where the machine is known. */
static const void *
fault_pc(void *uc)
{
	const ucontext_t *u = uc;

#if defined(__x86_64__)
	return (const void *)(uintptr_t)u->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
	return (const void *)(uintptr_t)u->uc_mcontext.pc;
#else
	(void)u;
	return NULL;
#endif
}

static void
on_fault(int sig, siginfo_t *si, void *uc)
{
	static char line[1024];
	const char *what;
	uint64_t page;
	size_t n = 0;
	int how = store_fault_at(si->si_addr, fault_pc(uc), sig == SIGBUS, &page);

	if (how == 0) {
		/* not the store's: as if we were never here */
		sigaction(sig, sig == SIGBUS ? &old_bus : &old_segv, NULL);
		return;
	}
	what = how == STORE_FAULT_MAP ? "a page points past the end of data.mdb (page " :
	    "LMDB followed a page that lies, and faulted";
	if (child_buf != NULL) {
		if (child_buf[0] == '\0') {
			put(child_buf, child_cap, &n, what);
			if (how == STORE_FAULT_MAP) {
				put_num(child_buf, child_cap, &n, page);
				put(child_buf, child_cap, &n, ")");
			}
		}
		_exit(GUARD_EXIT);
	}
	put(line, sizeof line, &n, "evalmesh: ");
	put(line, sizeof line, &n, shown);
	put(line, sizeof line, &n, " is damaged: ");
	put(line, sizeof line, &n, what);
	if (how == STORE_FAULT_MAP) {
		put_num(line, sizeof line, &n, page);
		put(line, sizeof line, &n, ")");
	}
	put(line, sizeof line, &n, WAY_BACK "\n");
	if (write(STDERR_FILENO, line, n) < 0)
		_exit(1);
	_exit(1);
}

void
guard_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	store_on_damage(on_damage);
}

void
guard_child(char *problem, size_t cap)
{
	child_buf = problem;
	child_cap = cap;
	if (cap > 0)
		problem[0] = '\0';
}

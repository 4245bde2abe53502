/* node/cli/guard.h — a damaged store ends a command with one line that
 * names the file and the way back, never with a signal.
 *
 * The store reports damage it meets through its hook (store_on_damage);
 * what LMDB cannot see ends in SIGBUS or SIGSEGV at an address in the
 * store's map (store_fault_at), or in LMDB's own assertion. The guard
 * turns each into "evalmesh: store 'DIR' is damaged: WHAT; ..." on
 * stderr and exit code 1. A signal the store does not explain is left to
 * the handler there was before (the default, or a sanitizer's). */
#ifndef EM_GUARD_H
#define EM_GUARD_H

#include <stddef.h>

/* Installs the hook and the handlers; once, from main. */
void	guard_install(void);

/* Names the store directory the messages speak of (copied, shown as
 * cli_show shows text); until then they say "the store". */
void	guard_store(const char *dir);

/* In a child that reads a damaged store for its parent (store check,
 * store rebuild): damage is written into problem (cap bytes, shared with
 * the parent) instead of printed, the first one kept; damage the process
 * cannot go past (an assertion, a fault) ends it with exit code
 * GUARD_EXIT. problem must stay valid until the process ends. */
#define GUARD_EXIT	3
void	guard_child(char *problem, size_t cap);

#endif

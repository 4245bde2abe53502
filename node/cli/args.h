/* node/cli/args.h — command-line options for the subcommands.
 *
 * Long options: "--name value" or "--name=value"; an option may also have a
 * one-letter form ("-o value"); "--" ends options.
 * Every problem is one line naming the option, written to the caller's
 * buffer: unknown option, missing value, value given to a flag, too many
 * arguments, an option repeated that may appear once. */
#ifndef EM_ARGS_H
#define EM_ARGS_H

#include <stddef.h>

#include "err.h"

#define ARGS_OPTS_MAX	48
#define ARGS_REPEAT_MAX	16
#define ARGS_POS_MAX	4

enum opt_kind { OPT_FLAG, OPT_VALUE, OPT_MULTI };

typedef struct opt {
	const char	*name;		/* without the leading "--" */
	enum opt_kind	 kind;
	char		 letter;	/* one-letter form, or 0 */
} opt;

typedef struct args_parsed {
	const opt	*opts;
	size_t		 n_opts;
	const char	*pos[ARGS_POS_MAX];
	size_t		 n_pos;
	struct {
		const char	*v[ARGS_REPEAT_MAX];
		size_t		 n;
	} got[ARGS_OPTS_MAX];
} args_parsed;

/* Parses argv[0..argc) (the words after the subcommand) against opts
 * (fewer than ARGS_OPTS_MAX), allowing at most max_pos positional
 * arguments (ARGS_POS_MAX at most). "--help" and "-h" are always accepted
 * as flags. a keeps pointers to opts and into argv: both must outlive it.
 * EM_OK, or EM_EINVAL with a one-line reason in why (cap bytes). */
em_err args_parse(args_parsed *a, const opt *opts, size_t n_opts, int argc,
    char **argv, size_t max_pos, char *why, size_t cap);

/* The value of a VALUE option (the last if repeated; borrowed from argv),
 * "1" for a flag that was given, NULL if absent or not one of a's. */
const char *args_get(const args_parsed *a, const char *name);

/* All values of a MULTI option, in *vals (an array inside a, borrowing
 * from argv); returns their count, 0 (and *vals untouched) for a name
 * that is not one of a's. */
size_t args_all(const args_parsed *a, const char *name, const char *const **vals);

/* 1 if --help or -h was given. */
int args_help(const args_parsed *a);

/* The index in argv[0..argc) of the first positional word, one that is
 * neither an option nor the value of one as opts reads them, or -1 if there
 * is none. An option opts does not know is taken for a flag (the parse
 * that follows names it). For commands with verbs ("trust add"), whose
 * verb may come after options: "trust --home DIR add ID". */
int args_first_pos(int argc, char *const *argv, const opt *opts, size_t n_opts);

#endif

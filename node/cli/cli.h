/* node/cli/cli.h — what the subcommands share: the command table entry, error
 * lines, times and JSON output.
 *
 * Exit codes: 0 success, 1 failure (with a one-line reason on stderr),
 * 2 a usage error: an unknown command, verb or option, a missing or extra
 * argument, or a value that is not what its option or argument takes (a
 * number out of range, a word not in the list, a malformed id). What is
 * not about the command line (a missing file, an unset variable, a server
 * that fails, a bad key file, an unknown id) is 1. */
#ifndef EM_CLI_H
#define EM_CLI_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "args.h"
#include "name.h"

typedef struct cli_cmd {
	const char	*name;
	int		(*run)(int argc, char **argv);
	const char	*summary;
} cli_cmd;

/* The subcommands, one file each (cmd_<name>.c). */
int cmd_init(int argc, char **argv);
int cmd_id(int argc, char **argv);
int cmd_result(int argc, char **argv);
int cmd_results(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_node(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_peers(int argc, char **argv);
int cmd_task(int argc, char **argv);
int cmd_labs(int argc, char **argv);
/* cmd_task_import.c: the verb `task import`, for cmd_task's table */
#define CMD_TASK_IMPORT_N_OPTS	10
extern const opt cmd_task_import_opts[CMD_TASK_IMPORT_N_OPTS];
extern const char cmd_task_import_usage[], cmd_task_import_about[];
int cmd_task_import(const args_parsed *a);
int cmd_eval(int argc, char **argv);
int cmd_model(int argc, char **argv);
int cmd_leaderboard(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_trust(int argc, char **argv);
int cmd_revoke(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_store(int argc, char **argv);

/* Prints "evalmesh: <message>" on stderr, one line (cut at 1023 bytes,
 * made well-formed UTF-8). Returns 1. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "evalmesh <cmd>: <why> (see 'evalmesh <cmd> --help')". Returns 2. */
int cli_usage(const char *cmd, const char *why);

/* A value on the command line that is not what its flag takes: prints
 * "evalmesh <cmd>: <flag> '<value>': <reason> (see ...)" (cli_usage's
 * line) and returns 2. flag is "--concurrency", or the name of a
 * positional argument ("NODE_ID"); the value is shown as cli_shown shows
 * it. The reason says what was expected ("expected open or closed"). */
int cli_bad(const char *cmd, const char *flag, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* v made safe to print on one line, as cli_bad shows a value (and any
 * text from outside, a key of a file): cut to 64 bytes (at a character
 * boundary, with "..."), and every character that would not print as
 * itself (controls, bidi controls, invisible format characters) as
 * <U+XXXX>, a byte that is no UTF-8 as <0xXX> (name_show, common/name.h).
 * Written to out, cap bytes (at least CLI_SHOWN_CAP); returns out. */
#define CLI_SHOWN_CAP	(8 * 64 + 1 + 4)
const char *cli_shown(const char *v, char *out, size_t cap);

/* Parses the words after the command (args_parse) against opts, allowing
 * at most max_pos positional arguments, and checks the values every
 * command shares (--home: 1 to HOME_DIR_MAX bytes; --passphrase-env:
 * cli_var_check). 0, or 2 after the usage line. a as args_parse leaves
 * it. */
int cli_args(const char *cmd, args_parsed *a, const opt *opts, size_t n_opts, int argc, char **argv,
    size_t max_pos);

/* The rule for a text the user gives for a record (a name, a reason): at
 * most max bytes of UTF-8, also in NFC, that a name may hold (name_check:
 * it prints on one line as itself and hides nothing). 0, or -1 with the
 * reason in why. */
int cli_text_check(const char *s, size_t max, char *why, size_t cap);

/* The rule for the name of a variable (--passphrase-env, --api-key-env):
 * 1 to HOME_VAR_MAX bytes of printable ASCII, no space, no '='. 0, or -1
 * with the reason in why. */
int cli_var_check(const char *s, char *why, size_t cap);

/* cli_text_check on the value of flag: 0, or 2 after cli_bad's line. */
int cli_text(const char *cmd, const char *flag, const char *s, size_t max);

/* cli_text, then s in NFC, the form names are signed in (common/name.h),
 * into out (cap bytes; max + 1 is enough). 0, 1 (out of memory) or 2 after
 * cli_bad's line. */
int cli_name(const char *cmd, const char *flag, const char *s, size_t max, char *out,
    size_t cap);

/* The whole decimal number given to the flag --name, from lo to hi, into
 * *out; dflt when it is absent. 0, or 2 (with *out dflt) after "--name
 * 'V': expected a whole number from LO to HI". */
int cli_number(const char *cmd, const args_parsed *a, const char *name, uint64_t lo, uint64_t hi,
    uint64_t dflt, uint64_t *out);

/* An id or a prefix of one as home_resolve takes it (8 to 64 hex digits),
 * given to flag ("--task", or "RECORD_ID" for a positional one); what
 * names the kind ("task"). 0, or 2 after cli_bad's line. A well-formed id
 * may still be unknown: home_resolve says that (exit 1). */
int cli_id(const char *cmd, const char *flag, const char *text, const char *what);

/* What a user typed for a task as home_task takes it (an id, a prefix,
 * NAME or NAME@VERSION): not empty, at most a name, '@' and a version
 * long, UTF-8 that prints on one line (cli_text_check). 0, or 2 after
 * cli_bad's line. Whether such a task is held home_task says
 * (exit 1). */
int cli_task(const char *cmd, const char *flag, const char *text);

/* A text that came from a record or a peer (a name, a note, an address),
 * as printed: name_show (common/name.h): itself, or with what would not
 * print as itself written as <U+XXXX>; NULL as "-". buf: CLI_SHOW_CAP bytes
 * hold any name; a longer text is cut with "…". Every place that prints
 * such a text goes through it; --json output keeps the exact text. */
#define CLI_SHOW_CAP	NAME_SHOW_CAP(BODY_NAME_MAX)
const char *cli_show(const char *s, char *buf, size_t cap);

/* Prints help text to stdout. Returns 0. */
int cli_help(const char *text);

/* Parses the whole of s as a decimal number that fits 64 bits (a digit
 * first: no sign, no space) / as a finite real (strtod's forms). 0 with
 * *out, or -1 with *out untouched. */
int cli_parse_u64(const char *s, uint64_t *out);
int cli_parse_double(const char *s, double *out);

/* A command made of verbs ("trust add", "trust list"), each with its own
 * options, positional arguments and help: an option one verb takes is a
 * usage error on another. */
typedef struct cli_verb {
	const char	*name;		/* "add"; "" for the verb run without one */
	const opt	*opts;
	size_t		 n_opts;
	size_t		 n_pos;		/* positional arguments after the verb */
	const char	*pos_why;	/* the usage error when they are missing */
	const char	*usage;		/* "add NODE_ID [--name NAME] [--home DIR]",
					 * its lines after "evalmesh CMD " */
	const char	*about;		/* its help after the usage lines */
	int		(*run)(const args_parsed *a);
} cli_verb;

typedef struct cli_verbs {
	const char	*cmd;		/* "trust" */
	const cli_verb	*verbs;
	size_t		 n_verbs;
	const char	*about;		/* the command's help after all usage lines */
	const char	*expect;	/* "expected add, list or remove" */
} cli_verbs;

/* Finds the verb among argv[0..argc) (the first positional word: it may
 * follow options), parses the other words against that verb's options and
 * runs it; reorders argv. --help shows the verb's help, or without a verb
 * the command's (every usage line, then about). Returns what the verb
 * returns, or 2 after a usage line ("evalmesh trust list: unknown option
 * '--name' (see 'evalmesh trust list --help')"). */
int cli_verbs_run(const cli_verbs *c, int argc, char **argv);

/* A 32-byte id as a JSON string of 64 hex digits (new reference), or
 * NULL when out of memory. */
json_t *cli_json_id(const uint8_t id[static 32]);

/* How every command prints a score, a value, an interval end, a standard
 * error or a difference of them: cli_num(v), the value rounded to
 * CLI_NUM_PLACES decimal places (halves away from 0), -0 shown as 0; for
 * programs (JSON, CSV) in at most 12 significant digits (CLI_NUM_FMT, the
 * precision cli_json_print gives every real), for people (tables) in 4
 * decimal places. So arithmetic's noise never shows: the 2.8e-17 a
 * computed interval end can be is 0, 0.1 + 0.2 is 0.3. Scores are whole
 * numbers of 1/10,000 (score_units), and a mean of n of them is a
 * multiple of 1/(10,000 n): 12 places tell apart any two a task of up to
 * BODY_ITEMS_MAX items can give. v is returned as it is when it is not
 * finite or so large (|v| >= 2^53 / 10^12) that the rounding cannot
 * change it. p-values are not rounded so: a p of 1e-20 means something. */
#define CLI_NUM_PLACES	12
#define CLI_NUM_FMT	"%.12g"
double cli_num(double v);

/* cli_num(v) as a JSON real (a new reference), or NULL when out of
 * memory. */
json_t *cli_json_num(double v);

/* Prints root to stdout, indented, with a newline, and drops the reference.
 * Returns 0, or 1 with a message when it could not be written or root is
 * NULL (taken for a document that ran out of memory). */
int cli_json_print(json_t *root);

#endif

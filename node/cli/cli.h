/* node/cli/cli.h — what the subcommands share: the command table entry, error
 * lines, times and JSON output.
 *
 * Exit codes: 0 success, 1 failure (with a one-line reason on stderr),
 * 2 a usage error (bad flag, missing value). */
#ifndef EM_CLI_H
#define EM_CLI_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

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
int cmd_eval(int argc, char **argv);
int cmd_model(int argc, char **argv);
int cmd_leaderboard(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_trust(int argc, char **argv);
int cmd_revoke(int argc, char **argv);

/* Prints "evalmesh: <message>" on stderr. Returns 1. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "evalmesh <cmd>: <why> (see 'evalmesh <cmd> --help')". Returns 2. */
int cli_usage(const char *cmd, const char *why);

/* Checks a text the user gave for a record (a name, a reason): at most
 * max bytes of UTF-8 that prints on one line as itself (utf8_printable).
 * 0, or 1 after a one-line error naming what (a flag, "--model"). */
int cli_text(const char *what, const char *s, size_t max);

/* Prints help text to stdout. Returns 0. */
int cli_help(const char *text);

/* Parses a whole decimal number / a finite real. 0 ok, -1 otherwise. */
int cli_parse_u64(const char *s, uint64_t *out);
int cli_parse_double(const char *s, double *out);

/* A 32-byte id as a JSON string of 64 hex digits (new reference). */
json_t *cli_json_id(const uint8_t id[static 32]);

/* Prints root to stdout, indented, with a newline, and drops the reference.
 * Returns 0, or 1 with a message when it could not be written. */
int cli_json_print(json_t *root);

#endif

#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hex.h"
#include "home.h"
#include "name.h"
#include "utf8.h"

#define SHOW_MAX	64	/* bytes of a bad value shown in a message */

/* Every message line is printed through name_show: a name quoted in it
 * (a peer's task name, a model's revision) cannot break the line or hide
 * in it. A line cut at a byte count is mended first (utf8_repair). */
int
cli_fail(const char *fmt, ...)
{
	char line[1024], show[NAME_SHOW_CAP(256)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	utf8_repair(line);
	fprintf(stderr, "evalmesh: %s\n", name_show(line, show, sizeof show));
	return 1;
}

int
cli_usage(const char *cmd, const char *why)
{
	char line[1024], show[NAME_SHOW_CAP(256)];

	snprintf(line, sizeof line, "%s", why);
	utf8_repair(line);
	fprintf(stderr, "evalmesh %s: %s (see 'evalmesh %s --help')\n", cmd,
	    name_show(line, show, sizeof show), cmd);
	return 2;
}

_Static_assert(CLI_SHOWN_CAP >= NAME_SHOW_CAP(SHOW_MAX) + 4, "cli_shown's room");

/* Cut to SHOW_MAX bytes (between characters, with "..."), and shown as a
 * name is (name_show: what would not print as itself as <U+XXXX>, a byte
 * that is no UTF-8 as <0xXX>). */
const char *
cli_shown(const char *v, char *out, size_t cap)
{
	char cut[SHOW_MAX + 1];
	size_t n = strlen(v), k = utf8_clip(v, SHOW_MAX), len;
	const char *s;

	memcpy(cut, v, k);
	cut[k] = '\0';
	if ((s = name_show(cut, out, cap)) != out)
		snprintf(out, cap, "%s", s);
	len = strlen(out);
	if (k < n)
		snprintf(out + len, cap - len, "...");
	return out;
}

const char *
cli_show(const char *s, char *buf, size_t cap)
{
	return s == NULL ? "-" : name_show(s, buf, cap);
}

int
cli_bad(const char *cmd, const char *flag, const char *value, const char *fmt, ...)
{
	char reason[512], show[CLI_SHOWN_CAP], why[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	snprintf(why, sizeof why, "%s '%s': %s", flag, cli_shown(value, show, sizeof show), reason);
	return cli_usage(cmd, why);
}

int
cli_args(const char *cmd, args_parsed *a, const opt *opts, size_t n_opts, int argc, char **argv,
    size_t max_pos)
{
	const char *dir, *pass;
	char why[256];

	if (args_parse(a, opts, n_opts, argc, argv, max_pos, why, sizeof why) != EM_OK)
		return cli_usage(cmd, why);
	if ((dir = args_get(a, "home")) != NULL && *dir == '\0')
		return cli_bad(cmd, "--home", dir, "expected a directory");
	if (dir != NULL && strlen(dir) > HOME_DIR_MAX)
		return cli_bad(cmd, "--home", dir, "longer than %d bytes", HOME_DIR_MAX);
	if ((pass = args_get(a, "passphrase-env")) != NULL &&
	    cli_var_check(pass, why, sizeof why) != 0)
		return cli_bad(cmd, "--passphrase-env", pass, "%s", why);
	return 0;
}

int
cli_number(const char *cmd, const args_parsed *a, const char *name, uint64_t lo, uint64_t hi,
    uint64_t dflt, uint64_t *out)
{
	const char *v = args_get(a, name);
	char flag[64];

	*out = dflt;
	if (v == NULL || (cli_parse_u64(v, out) == 0 && *out >= lo && *out <= hi))
		return 0;
	*out = dflt;
	snprintf(flag, sizeof flag, "--%s", name);
	if (lo == 0 && hi == UINT64_MAX)
		return cli_bad(cmd, flag, v, "expected a whole number");
	return cli_bad(cmd, flag, v, "expected a whole number from %llu to %llu",
	    (unsigned long long)lo, (unsigned long long)hi);
}

int
cli_id(const char *cmd, const char *flag, const char *text, const char *what)
{
	uint8_t bytes[ID_LEN];
	size_t nibbles;

	if (hex_prefix(text, bytes, &nibbles) == EM_OK)
		return 0;
	return cli_bad(cmd, flag, text, "expected a %s id: %d to %d hex digits", what,
	    ID_PREFIX_MIN, ID_HEX_LEN);
}

int
cli_task(const char *cmd, const char *flag, const char *text)
{
	char why[128];
	size_t n;

	if (*text == '\0')
		return cli_bad(cmd, flag, text, "expected a task id, NAME or NAME@VERSION");
	if (cli_text_check(text, BODY_NAME_MAX + 1 + BODY_SHORT_MAX, why, sizeof why) == 0)
		return 0;
	/* the rule's reason without its explanation, which is about signing */
	n = strcspn(why, ":(");
	while (n > 0 && why[n - 1] == ' ')
		n--;
	return cli_bad(cmd, flag, text, "expected a task id, NAME or NAME@VERSION (it %s%.*s)",
	    strncmp(why, "holds", 5) == 0 ? "" : "is ", (int)n, why);
}

int
cli_help(const char *text)
{
	fputs(text, stdout);
	return 0;
}

int
cli_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int
cli_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (*s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

json_t *
cli_json_id(const uint8_t id[static 32])
{
	char hex[ID_HEX_LEN + 1];

	hex_encode(hex, id, 32);
	return json_string(hex);
}

double
cli_num(double v)
{
	static const double scale = 1e12;	/* 10^CLI_NUM_PLACES */
	double r;

	if (!isfinite(v) || fabs(v) >= 9007.199254740992)	/* 2^53 / 10^12 */
		return v;
	r = round(v * scale) / scale;
	return r == 0 ? 0 : r;	/* -0 too */
}

json_t *
cli_json_num(double v)
{
	return json_real(cli_num(v));
}

int
cli_json_print(json_t *root)
{
	int rc = 0;

	if (root == NULL)
		return cli_fail("out of memory building JSON output");
	if (json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(12)) != 0 || fputc('\n', stdout) == EOF)
		rc = cli_fail("cannot write output");
	json_decref(root);
	return rc;
}

int
cli_text_check(const char *s, size_t max, char *why, size_t cap)
{
	char inner[160], *nfc = NULL;
	size_t nfc_cap = NAME_KEY_CAP(strlen(s));
	int rc = -1;

	if (strlen(s) > max)
		snprintf(why, cap, "longer than %zu bytes", max);
	else if (!utf8_valid((const uint8_t *)s, strlen(s)))
		snprintf(why, cap, "not valid UTF-8");
	else if (name_check(s, inner, sizeof inner) != EM_OK)
		snprintf(why, cap, "%s: it would be signed and printed on every node", inner);
	else if ((nfc = malloc(nfc_cap)) == NULL || name_nfc(s, nfc, nfc_cap) != EM_OK)
		snprintf(why, cap, "out of memory");
	else if (strlen(nfc) > max)	/* signed in NFC, which can be longer */
		snprintf(why, cap, "longer than %zu bytes in Unicode NFC, the form it is signed in",
		    max);
	else
		rc = 0;
	free(nfc);
	return rc;
}

int
cli_var_check(const char *s, char *why, size_t cap)
{
	size_t n = strlen(s), i;

	for (i = 0; i < n && s[i] > ' ' && s[i] < 0x7f && s[i] != '='; i++)
		;
	if (n > 0 && n <= HOME_VAR_MAX && i == n)
		return 0;
	snprintf(why, cap, "expected the name of a variable: 1 to %d bytes of printable ASCII, "
	    "no space or '='", HOME_VAR_MAX);
	return -1;
}

int
cli_text(const char *cmd, const char *flag, const char *s, size_t max)
{
	char why[160];

	if (cli_text_check(s, max, why, sizeof why) == 0)
		return 0;
	return cli_bad(cmd, flag, s, "%s", why);
}

int
cli_name(const char *cmd, const char *flag, const char *s, size_t max, char *out, size_t cap)
{
	int rc;

	if ((rc = cli_text(cmd, flag, s, max)) != 0)
		return rc;
	if (name_nfc(s, out, cap) != EM_OK)	/* fits: cli_text measured it */
		return cli_fail("%s: out of memory", flag);
	return 0;
}

/* The options of every verb, each once: enough to tell an option's value
 * from the verb. */
static size_t
all_opts(const cli_verbs *c, opt *all, size_t cap)
{
	size_t n = 0, k;

	for (size_t v = 0; v < c->n_verbs; v++)
		for (size_t i = 0; i < c->verbs[v].n_opts; i++) {
			for (k = 0; k < n; k++)
				if (strcmp(all[k].name, c->verbs[v].opts[i].name) == 0)
					break;
			if (k == n && n < cap)	/* a command has far fewer */
				all[n++] = c->verbs[v].opts[i];
		}
	return n;
}

static void
usage_line(const cli_verbs *c, const cli_verb *v, const char *lead)
{
	printf("%s evalmesh %s%s%s%s%s\n", lead, c->cmd, v->name[0] ? " " : "", v->name,
	    v->usage[0] ? " " : "", v->usage);
}

/* The command's help: every verb's usage, then what the command is. */
static int
verbs_help(const cli_verbs *c)
{
	for (size_t i = 0; i < c->n_verbs; i++)
		usage_line(c, &c->verbs[i], i == 0 ? "usage:" : "      ");
	if (c->about != NULL)
		printf("\n%s", c->about);
	return 0;
}

static int
verb_help(const cli_verbs *c, const cli_verb *v)
{
	usage_line(c, v, "usage:");
	if (v->about != NULL)
		printf("\n%s", v->about);
	return 0;
}

static const cli_verb *
find_verb(const cli_verbs *c, const char *name)
{
	for (size_t i = 0; i < c->n_verbs; i++)
		if (strcmp(c->verbs[i].name, name) == 0)
			return &c->verbs[i];
	return NULL;
}

/* Without a verb: the one named "", else a usage error (or the help). */
static int
no_verb(const cli_verbs *c, const opt *all, size_t n_all, int argc, char **argv)
{
	char why[256];
	args_parsed a;

	if (args_parse(&a, all, n_all, argc, argv, 0, why, sizeof why) != EM_OK)
		return cli_usage(c->cmd, why);
	if (args_help(&a))
		return verbs_help(c);
	return cli_usage(c->cmd, c->expect);
}

int
cli_verbs_run(const cli_verbs *c, int argc, char **argv)
{
	opt all[ARGS_OPTS_MAX - 1];
	size_t n_all = all_opts(c, all, sizeof all / sizeof all[0]);
	int k = args_first_pos(argc, argv, all, n_all), rc;
	const cli_verb *v = find_verb(c, k < 0 ? "" : argv[k]);
	char full[64], why[256], show[CLI_SHOWN_CAP];
	args_parsed a;

	if (k < 0 && v == NULL)
		return no_verb(c, all, n_all, argc, argv);
	if (k >= 0 && (v == NULL || v->name[0] == '\0')) {
		snprintf(why, sizeof why, "unknown subcommand '%s'; %s",
		    cli_shown(argv[k], show, sizeof show), c->expect);
		return cli_usage(c->cmd, why);
	}
	if (k >= 0) {
		/* the verb out of the words its options are read from */
		char *verb = argv[k];

		memmove(argv + 1, argv, (size_t)k * sizeof *argv);
		argv[0] = verb;
		argv++;
		argc--;
	}
	snprintf(full, sizeof full, "%s%s%s", c->cmd, v->name[0] ? " " : "", v->name);
	if ((rc = cli_args(full, &a, v->opts, v->n_opts, argc, argv, v->n_pos)) != 0)
		return rc;
	if (args_help(&a))
		return k < 0 ? verbs_help(c) : verb_help(c, v);
	if (a.n_pos != v->n_pos)
		return cli_usage(full, v->pos_why);
	return v->run(&a);
}

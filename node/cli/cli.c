#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hex.h"
#include "utf8.h"

int
cli_fail(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	utf8_repair(line);	/* a text cut at a byte count ends whole */
	fprintf(stderr, "evalmesh: %s\n", line);
	return 1;
}

int
cli_usage(const char *cmd, const char *why)
{
	char line[1024];

	snprintf(line, sizeof line, "%s", why);
	utf8_repair(line);
	fprintf(stderr, "evalmesh %s: %s (see 'evalmesh %s --help')\n", cmd, line, cmd);
	return 2;
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
cli_text(const char *what, const char *s, size_t max)
{
	if (strlen(s) > max)
		return cli_fail("%s is longer than %zu bytes", what, max);
	if (!utf8_valid((const uint8_t *)s, strlen(s)))
		return cli_fail("%s is not valid UTF-8", what);
	if (!utf8_printable((const uint8_t *)s, strlen(s)))
		return cli_fail("%s holds a control character (a line break, an escape): "
		    "it would be signed and printed on every node", what);
	return 0;
}

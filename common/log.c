#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "name.h"
#include "utf8.h"

static log_level cur_level = LOG_INFO;
static const char *const level_names[] = { "error", "warn", "info", "debug" };

void
log_set_level(log_level level)
{
	cur_level = level;
}

int
log_parse_level(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

void
log_msg(log_level level, const char *fmt, ...)
{
	char line[1024], show[NAME_SHOW_CAP(256)];
	va_list ap;

	if (level > cur_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	utf8_repair(line);	/* a text cut at a byte count ends whole */
	/* One write per line so lines from several processes do not
	 * interleave; a peer's name in it is shown as name_show does, so it
	 * cannot break the line or hide in it. */
	fprintf(stderr, "evalmesh: %s: %s\n", level_names[level], name_show(line, show, sizeof show));
}

/* common/log.h — levelled logging to stderr.
 *
 * Lines look like "evalmesh: warn: message". Never pass a secret: nothing
 * here can tell one from any other string. */
#ifndef EM_LOG_H
#define EM_LOG_H

typedef enum log_level {
	LOG_ERROR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
} log_level;

/* Messages above level are dropped, process-wide. Default LOG_INFO. */
void log_set_level(log_level level);
/* The level named "error", "warn", "info" or "debug"; -1 if unknown. */
int log_parse_level(const char *name);

/* Writes one line "evalmesh: LEVEL: message" to stderr (printf's fmt),
 * unless level is above the one set. The message is cut to 1023 bytes and
 * any byte that is not part of a well-formed UTF-8 character becomes '?'
 * (utf8_repair). */
void log_msg(log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...)	log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif

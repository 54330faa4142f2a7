/* log.h -- one line per event, logfmt, to stderr.
 *
 * A line is `ts=<RFC 3339 ms> level=<lvl> msg="<text>" key=value ...`.
 * Callers pass the key=value tail as a printf format; values that may hold
 * spaces must be quoted by the caller with log_quote().  Never pass a
 * secret (password, auth token, API token) to any function here. */
#ifndef FLEETD_LOG_H
#define FLEETD_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Parse "debug", "info", "warn", "error"; -1 if unknown. */
int log_level_parse(const char *s);
/* Those names, for help texts and error messages. */
#define LOG_LEVEL_NAMES "debug, info, warn or error"
void log_set_level(enum log_level level);
int log_enabled(enum log_level level);
void log_write(enum log_level level, const char *msg, const char *kvfmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Quote s as a logfmt value into buf ("..." with \" and \\ escaped,
 * control characters dropped); returns buf. */
const char *log_quote(char *buf, size_t len, const char *s);

#define log_debug(...) log_write(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_write(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_write(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_write(LOG_ERROR, __VA_ARGS__)

#endif

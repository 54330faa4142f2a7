/* log.c -- logfmt lines on stderr; one write() per line so lines from a
 * dying process are never torn. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static enum log_level current = LOG_INFO;
static const char *const names[] = {"debug", "info", "warn", "error"};

int log_level_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	if (strcmp(s, "warning") == 0)
		return LOG_WARN;
	return -1;
}

void log_set_level(enum log_level level)
{
	current = level;
}

int log_enabled(enum log_level level)
{
	return level >= current;
}

const char *log_quote(char *buf, size_t len, const char *s)
{
	size_t o = 0;
	if (len < 3) {
		if (len)
			buf[0] = 0;
		return buf;
	}
	buf[o++] = '"';
	for (; s && *s && o + 3 < len; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			continue;
		if (c == '"' || c == '\\')
			buf[o++] = '\\';
		buf[o++] = (char)c;
	}
	buf[o++] = '"';
	buf[o] = 0;
	return buf;
}

void log_write(enum log_level level, const char *msg, const char *kvfmt, ...)
{
	if (!log_enabled(level))
		return;
	char line[2048], ts[40], qmsg[512];
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	size_t n = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, sizeof ts - n, ".%03dZ", (int)(tv.tv_usec / 1000));
	int o = snprintf(line, sizeof line, "ts=%s level=%s msg=%s", ts,
			 names[level], log_quote(qmsg, sizeof qmsg, msg));
	if (o < 0)
		return;
	if (kvfmt && *kvfmt && (size_t)o < sizeof line - 2) {
		line[o++] = ' ';
		va_list ap;
		va_start(ap, kvfmt);
		int k = vsnprintf(line + o, sizeof line - (size_t)o, kvfmt, ap);
		va_end(ap);
		if (k > 0)
			o += k;
	}
	if ((size_t)o > sizeof line - 2)
		o = (int)sizeof line - 2;
	line[o++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, (size_t)o);
	(void)w;
}

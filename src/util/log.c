/*
 * A tiny leveled logger. One line per call, written with a single write so
 * lines from concurrent threads do not interleave.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wb.h"

static enum log_level min_level = LOG_INFO;

void log_set_level(enum log_level level)
{
	min_level = level;
}

int log_parse_level(const char *s, enum log_level *out)
{
	static const char *names[] = {"debug", "info", "warn", "error"};

	for (size_t i = 0; i < WB_ARRAY_LEN(names); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return WB_OK;
		}
	}
	return WB_EINVAL;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *tags[] = {"DEBUG", "INFO", "WARN", "ERROR"};
	char line[2048];
	struct tm tm;
	time_t now;
	size_t off;
	va_list ap;
	int n;

	if (level < min_level)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	off = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
	n = snprintf(line + off, sizeof(line) - off, "%s ", tags[level]);
	if (n > 0)
		off += (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(line + off, sizeof(line) - off - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	off += (size_t)n;
	if (off > sizeof(line) - 2)
		off = sizeof(line) - 2;
	line[off++] = '\n';
	if (write(STDERR_FILENO, line, off) < 0) {
		/* nothing sensible to do when stderr is gone */
	}
}

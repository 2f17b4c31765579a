/* Real and fakeable clocks; see clock.h. */
#include "clock.h"

#include <time.h>

static int64_t fake_now;

int64_t clock_now(void)
{
	if (fake_now)
		return fake_now;
	return (int64_t)time(NULL);
}

int64_t clock_now_ms(void)
{
	struct timespec ts;

	if (fake_now)
		return fake_now * 1000;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void clock_fake(int64_t t)
{
	fake_now = t;
}

int clock_ymd_of(int64_t at)
{
	time_t t = (time_t)(at + 8 * 3600);
	struct tm tm;

	gmtime_r(&t, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

int clock_today_ymd(void)
{
	return clock_ymd_of(clock_now());
}

/*
 * The one source of "now" for the whole program. Unit tests may replace it
 * with a fixed value; the server always uses the real clock.
 */
#ifndef WB_CLOCK_H
#define WB_CLOCK_H

#include <stdint.h>

/* Seconds since the Unix epoch (or the faked value). */
int64_t clock_now(void);
/* Milliseconds since the Unix epoch (the faked value x 1000 when faked),
 * for schedules finer than a second that are stored (webhook retries). */
int64_t clock_now_ms(void);
/* Milliseconds from a monotonic clock, for durations only. */
int64_t clock_mono_ms(void);
/* Fixes clock_now() at t; t = 0 restores the real clock. Tests only. */
void clock_fake(int64_t t);
/* Today's date as YYYYMMDD in China Standard Time (UTC+8). */
int clock_today_ymd(void);
/* The date (YYYYMMDD) of the time at (seconds) in China Standard Time. */
int clock_ymd_of(int64_t at);

#endif

/* clock.h: monotonic milliseconds, for deadlines and intervals. */
#ifndef DK_CLOCK_H
#define DK_CLOCK_H

/* Milliseconds on CLOCK_MONOTONIC (never jumps with the wall clock). */
long long clock_ms(void);

/* Milliseconds left until deadline (a clock_ms value), clamped to
 * [0, cap]; cap < 0 means no cap. */
long long clock_left_ms(long long deadline, long long cap);

/* Sleeps ms milliseconds, resuming after a signal handler interrupts. */
void clock_sleep_ms(long ms);

#endif

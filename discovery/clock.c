/* clock.c: see clock.h. */
#include "clock.h"

#include <errno.h>
#include <time.h>

long long clock_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000L;
}

long long clock_left_ms(long long deadline, long long cap)
{
  long long left = deadline - clock_ms();

  if (left < 0)
    left = 0;
  if (cap >= 0 && left > cap)
    left = cap;
  return left;
}

void clock_sleep_ms(long ms)
{
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

  if (ms <= 0)
    return;
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    continue;
}

/* backoff.c: see backoff.h. */
#include "backoff.h"

#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

uint64_t backoff_random(uint64_t *state)
{
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t backoff_seed(void)
{
  static atomic_uint_fast64_t count;
  struct timespec ts;
  uint64_t seed;

  clock_gettime(CLOCK_REALTIME, &ts);
  seed = ((uint64_t)getpid() << 32) ^ (uint64_t)ts.tv_sec ^
         ((uint64_t)ts.tv_nsec << 16) ^ atomic_fetch_add(&count, 1);
  /* One round, so that nearby seeds give unrelated sequences. */
  return backoff_random(&seed);
}

void backoff_init(struct backoff *b, long base_ms, long cap_ms)
{
  b->base_ms = base_ms > 0 ? base_ms : 1;
  b->cap_ms = cap_ms > b->base_ms ? cap_ms : b->base_ms;
  b->current_ms = b->base_ms;
  b->rng = backoff_seed();
}

long backoff_next_ms(struct backoff *b)
{
  return backoff_next_jitter_ms(b, 1.0);
}

long backoff_next_jitter_ms(struct backoff *b, double jitter)
{
  long window = b->current_ms;
  long share = 0;

  if (jitter >= 1.0)
    share = window;
  else if (jitter > 0.0) /* NaN gets no jitter */
    share = (long)((double)window * jitter);
  b->current_ms = window > b->cap_ms / 2 ? b->cap_ms : window * 2;
  if (share <= 0)
    return window;
  return window - (long)(backoff_random(&b->rng) % ((uint64_t)share + 1u));
}

long backoff_window_ms(const struct backoff *b)
{
  return b->current_ms;
}

void backoff_reset(struct backoff *b)
{
  b->current_ms = b->base_ms;
}

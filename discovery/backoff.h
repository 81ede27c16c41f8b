/* backoff.h: exponential backoff with full jitter, for retry loops.
 *
 * Each delay is uniform in [0, current]; current starts at base and
 * doubles after every delay up to cap, until backoff_reset. Full jitter
 * spreads out clients that fail together, so they do not retry in waves.
 * Each struct has its own generator, seeded per process and instance, so
 * that no state is shared between users (or tests).
 */
#ifndef DK_BACKOFF_H
#define DK_BACKOFF_H

#include <stdint.h>

struct backoff {
  long base_ms;    /* the first window, > 0 */
  long cap_ms;     /* the largest window, >= base_ms */
  long current_ms; /* the window of the next delay */
  uint64_t rng;    /* generator state; set it after backoff_init to replay */
};

/* Starts at base_ms with a fresh seed (pid, time, a per-process count). */
void backoff_init(struct backoff *b, long base_ms, long cap_ms);

/* A delay uniform in [0, current_ms]; then current_ms doubles, up to
 * cap_ms. */
long backoff_next_ms(struct backoff *b);

/* Back to base_ms, after a success. */
void backoff_reset(struct backoff *b);

/* The generator behind the jitter (splitmix64), for other random choices:
 * returns the next value of *state. */
uint64_t backoff_random(uint64_t *state);

/* A seed that differs between processes and between calls. */
uint64_t backoff_seed(void);

#endif

/* backoff.h: exponential backoff with jitter, for retry loops.
 *
 * Each delay is drawn from a window, current, that starts at base and
 * doubles after every delay up to cap, until backoff_reset. By default the
 * delay is uniform in [0, current] (full jitter): it spreads out clients
 * that fail together, so they do not retry in waves. backoff_next_jitter_ms
 * takes a smaller random share off the window instead (equal jitter, or
 * none at all, for a plain doubling delay).
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

/* A delay in [current_ms - share, current_ms], where share is jitter
 * (0 to 1; clamped) times current_ms, rounded down: the window less a
 * uniform random part of share. jitter 1 is full jitter (as
 * backoff_next_ms), 0.5 equal jitter (the upper half of the window), 0 no
 * jitter (the window itself, and the generator is not used). Then
 * current_ms doubles, up to cap_ms. */
long backoff_next_jitter_ms(struct backoff *b, double jitter);

/* The window the next delay is drawn from (current_ms). */
long backoff_window_ms(const struct backoff *b);

/* Back to base_ms, after a success. */
void backoff_reset(struct backoff *b);

/* The generator behind the jitter (splitmix64), for other random choices:
 * returns the next value of *state. */
uint64_t backoff_random(uint64_t *state);

/* A seed that differs between processes and between calls. */
uint64_t backoff_seed(void);

#endif

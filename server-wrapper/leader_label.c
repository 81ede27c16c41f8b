/* leader_label.c: see leader_label.h. */
#include "leader_label.h"

void label_init(struct label_state *s)
{
  s->applied = ROLE_UNKNOWN;
  s->desired = ROLE_UNKNOWN;
  s->errors = 0;
  s->backoff_ms = 0;
  s->next_patch_ms = 0;
  backoff_init(&s->backoff, LABEL_BACKOFF_MIN_MS, LABEL_BACKOFF_MAX_MS);
}

/* Uniform in [0, max_ms], from the backoff's generator. */
static long jitter(struct label_state *s, long max_ms)
{
  return (long)(backoff_random(&s->backoff.rng) % (uint64_t)(max_ms + 1));
}

enum label_role label_observe(struct label_state *s, enum isleader_result r,
                              long now_ms)
{
  switch (r) {
    case ISLEADER_YES:
      s->errors = 0;
      s->desired = ROLE_LEADER;
      break;
    case ISLEADER_NO:
      s->errors = 0;
      s->desired = ROLE_FOLLOWER;
      break;
    case ISLEADER_ERROR:
      if (++s->errors >= LABEL_MAX_ERRORS)
        s->desired = ROLE_FOLLOWER;
      break;
  }
  if (s->desired == ROLE_UNKNOWN || s->desired == s->applied)
    return ROLE_UNKNOWN;
  if (now_ms < s->next_patch_ms)
    return ROLE_UNKNOWN;
  return s->desired;
}

void label_patched(struct label_state *s, enum label_role role,
                   enum patch_outcome outcome, long now_ms)
{
  if (outcome == PATCH_OK) {
    s->applied = role;
    backoff_reset(&s->backoff);
    s->backoff_ms = 0;
    s->next_patch_ms = 0;
    return;
  }
  if (outcome == PATCH_NO_ANSWER) {
    backoff_reset(&s->backoff);
    s->backoff_ms = 0;
    s->next_patch_ms = now_ms + jitter(s, LABEL_RETRY_MS);
    return;
  }
  s->backoff_ms = backoff_window_ms(&s->backoff);
  s->next_patch_ms = now_ms + backoff_next_jitter_ms(&s->backoff, 0.5);
}

enum label_role label_shutdown(struct label_state *s)
{
  s->desired = ROLE_FOLLOWER;
  return s->applied == ROLE_FOLLOWER ? ROLE_UNKNOWN : ROLE_FOLLOWER;
}

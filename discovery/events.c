/* events.c: see events.h. */
#include "events.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"

#define NOTE_MAX   1024
#define WORD_MAX   64
#define RECENT_MAX 16

struct queued {
  bool warning;
  char reason[WORD_MAX];
  char action[WORD_MAX];
  char note[NOTE_MAX];
};

struct recent {
  char reason[WORD_MAX];
  char note[NOTE_MAX];
  long long at;
};

struct events {
  struct k8s_client *kube; /* used by the thread only */
  char *controller, *pod, *pod_uid;
  struct metric *counted;
  pthread_t thread;
  pthread_mutex_t lock; /* guards everything below */
  pthread_cond_t wake;
  struct queued queue[EVENTS_QUEUE];
  size_t head, len;
  bool stopping;
  long long stop_deadline;
  double tokens;
  long long refilled;
  struct recent recent[RECENT_MAX];
  size_t next_recent;
  bool forbidden_logged;
  bool failure_logged;
};

static void count(struct events *ev, const char *result)
{
  metric_inc(ev->counted, (const char *[]){result});
}

/* The client's interrupt: stop a post once the stop budget is spent. */
static int post_should_stop(void *user)
{
  struct events *ev = user;
  bool stop;

  pthread_mutex_lock(&ev->lock);
  stop = ev->stopping && clock_ms() >= ev->stop_deadline;
  pthread_mutex_unlock(&ev->lock);
  return stop;
}

static void post(struct events *ev, const struct queued *q)
{
  struct k8s_event e = {.regarding_pod = ev->pod,
                        .regarding_uid = ev->pod_uid,
                        .warning = q->warning,
                        .reason = q->reason,
                        .action = q->action,
                        .note = q->note,
                        .controller = ev->controller,
                        .instance = ev->pod};
  struct dk_err err;

  dk_err_clear(&err);
  if (k8s_create_event(ev->kube, &e, &err) == DK_OK) {
    count(ev, "posted");
    return;
  }
  count(ev, "failed");
  if (err.code == DK_EFORBIDDEN && !ev->forbidden_logged) {
    ev->forbidden_logged = true;
    LOG_WARNF("cannot post Kubernetes Events (the work goes on without "
              "them): %s",
              err.msg);
  } else if (err.code != DK_EFORBIDDEN && !ev->failure_logged) {
    ev->failure_logged = true; /* once: the API may be down for long */
    LOG_WARNF("event %s not posted (the work goes on; later failures are "
              "logged at debug level): %s",
              q->reason, err.msg);
  } else if (err.code != DK_EFORBIDDEN) {
    LOG_DEBUGF("event %s not posted: %s", q->reason, err.msg);
  }
}

static void *events_main(void *arg)
{
  struct events *ev = arg;
  struct queued q;

  pthread_setname_np(pthread_self(), EVENTS_THREAD_NAME);
  pthread_mutex_lock(&ev->lock);
  for (;;) {
    while (ev->len == 0 && !ev->stopping)
      pthread_cond_wait(&ev->wake, &ev->lock);
    if (ev->len == 0 || (ev->stopping && clock_ms() >= ev->stop_deadline))
      break;
    q = ev->queue[ev->head];
    ev->head = (ev->head + 1) % EVENTS_QUEUE;
    ev->len--;
    pthread_mutex_unlock(&ev->lock);
    post(ev, &q);
    pthread_mutex_lock(&ev->lock);
  }
  pthread_mutex_unlock(&ev->lock);
  return NULL;
}

static void recorder_free(struct events *ev)
{
  k8s_client_free(ev->kube);
  free(ev->controller);
  free(ev->pod);
  free(ev->pod_uid);
  pthread_cond_destroy(&ev->wake);
  pthread_mutex_destroy(&ev->lock);
  free(ev);
}

struct events *events_start(const struct events_opts *o, struct dk_err *err)
{
  struct events *ev = calloc(1, sizeof(*ev));
  struct k8s_config kc;
  sigset_t all, saved;
  int rc;

  if (!ev) {
    dk_err_set(err, DK_ENOMEM, "events: out of memory");
    return NULL;
  }
  pthread_mutex_init(&ev->lock, NULL);
  pthread_cond_init(&ev->wake, NULL);
  ev->counted = o->events;
  ev->tokens = EVENTS_BURST;
  ev->refilled = clock_ms();
  ev->controller = strdup(o->controller);
  ev->pod = strdup(o->pod);
  ev->pod_uid = strdup(o->pod_uid ? o->pod_uid : "");
  kc = *o->kube;
  kc.http.max_attempts = 1;
  kc.http.interrupt = post_should_stop;
  kc.http.interrupt_user = ev;
  if (ev->controller && ev->pod && ev->pod_uid)
    ev->kube = k8s_client_new(&kc, err);
  else
    dk_err_set(err, DK_ENOMEM, "events: out of memory");
  if (!ev->kube) {
    recorder_free(ev);
    return NULL;
  }
  k8s_client_count_requests(ev->kube, o->api_requests);
  /* The thread starts with every signal blocked, whenever it is started:
   * a signal it left unblocked would be delivered to it (SIGCHLD lost for
   * the main loop's signalfd, SIGTERM killing the process). */
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  rc = pthread_create(&ev->thread, NULL, events_main, ev);
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  if (rc != 0) {
    dk_err_set(err, DK_ENOMEM, "events: cannot start the thread");
    recorder_free(ev);
    return NULL;
  }
  return ev;
}

void events_stop(struct events *ev)
{
  if (!ev)
    return;
  pthread_mutex_lock(&ev->lock);
  ev->stopping = true;
  ev->stop_deadline = clock_ms() + EVENTS_STOP_MS;
  pthread_cond_signal(&ev->wake);
  pthread_mutex_unlock(&ev->lock);
  pthread_join(ev->thread, NULL);
  recorder_free(ev);
}

/* The same reason and note within EVENTS_REPEAT_MS; records it if not. */
static bool repeated(struct events *ev, const struct queued *q, long long now)
{
  struct recent *r;

  for (size_t i = 0; i < RECENT_MAX; i++) {
    r = &ev->recent[i];
    if (r->at && now - r->at < EVENTS_REPEAT_MS &&
        strcmp(r->reason, q->reason) == 0 && strcmp(r->note, q->note) == 0)
      return true;
  }
  r = &ev->recent[ev->next_recent];
  ev->next_recent = (ev->next_recent + 1) % RECENT_MAX;
  memcpy(r->reason, q->reason, sizeof(r->reason));
  memcpy(r->note, q->note, sizeof(r->note));
  r->at = now;
  return false;
}

/* One token from the bucket, refilled one per EVENTS_REFILL_MS. */
static bool take_token(struct events *ev, long long now)
{
  double earned = (double)(now - ev->refilled) / (double)EVENTS_REFILL_MS;

  ev->tokens += earned;
  if (ev->tokens > EVENTS_BURST)
    ev->tokens = EVENTS_BURST;
  ev->refilled = now;
  if (ev->tokens < 1.0)
    return false;
  ev->tokens -= 1.0;
  return true;
}

void events_emit(struct events *ev, bool warning, const char *reason,
                 const char *action, const char *fmt, ...)
{
  struct queued q;
  va_list ap;
  long long now = clock_ms();
  const char *dropped = NULL;

  if (!ev)
    return;
  q.warning = warning;
  snprintf(q.reason, sizeof(q.reason), "%s", reason);
  snprintf(q.action, sizeof(q.action), "%s", action);
  va_start(ap, fmt);
  vsnprintf(q.note, sizeof(q.note), fmt, ap);
  va_end(ap);
  pthread_mutex_lock(&ev->lock);
  if (ev->stopping)
    dropped = "stopping";
  else if (repeated(ev, &q, now))
    dropped = "a repeat";
  else if (ev->len == EVENTS_QUEUE)
    dropped = "the queue is full";
  else if (!take_token(ev, now))
    dropped = "over the rate limit";
  if (!dropped) {
    ev->queue[(ev->head + ev->len) % EVENTS_QUEUE] = q;
    ev->len++;
    pthread_cond_signal(&ev->wake);
  }
  pthread_mutex_unlock(&ev->lock);
  if (dropped) {
    count(ev, "dropped");
    LOG_DEBUGF("event %s dropped (%s): %s", q.reason, dropped, q.note);
  }
}

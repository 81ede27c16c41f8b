/* supervise.c: the wrapper's main loop while dkron runs.
 *
 * One poll on the signalfd, woken at least every isleader interval:
 *   SIGCHLD          reap; when dkron itself exited, return its status
 *   SIGTERM, SIGINT  the graceful shutdown (shutdown.c)
 *   SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT  forwarded to dkron
 * and the timed duties: the leader label, the readiness verdict (a working
 * voter), the "API still down" warning, and while leader the dead-peer
 * cleanup.
 */
#include <poll.h>
#include <signal.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "proc.h"
#include "wrapper.h"

/* Warns loudly, then again every api_warn_after, while dkron's HTTP API
 * has never answered: it usually means dkron is stuck in retry-join. */
static void warn_if_api_down(struct wrapper *w, long long now,
                             long long *next_warn)
{
  if (w->api_up || now < *next_warn)
    return;
  LOG_ERRORF("dkron's HTTP API on port %ld has not answered %lld s after "
             "start: dkron is probably still trying to join its peers "
             "(%zu configured); check that they run and that serf port %ld "
             "is reachable",
             w->cfg->http_port, (now - w->launched) / 1000, w->cfg->n_peers,
             w->cfg->serf_port);
  *next_warn = now + w->cfg->api_warn_after;
}

/* Handles every pending signal: goes on, or ends with the exit code. */
static struct step handle_signals(struct wrapper *w)
{
  int sig;

  while ((sig = proc_signal_read(w->sigfd)) > 0) {
    switch (child_handle_signal(&w->child, sig)) {
      case CHILD_EXITED:
        LOG_WARNF("dkron (pid %ld) exited on its own with status %d",
                  (long)w->child.last, w->child.status);
        metric_set(w->metrics.common.dkron_up, NULL, 0);
        leadership_set_label(w, ROLE_FOLLOWER);
        return step_exit(w->child.status);
      case CHILD_STOP:
        return step_exit(wrapper_shutdown(w, sig));
      case CHILD_FORWARDED:
        LOG_INFOF("forwarding %s to dkron", strsignal(sig));
        break;
      case CHILD_NONE:
        break;
    }
  }
  return step_go_on();
}

struct step wrapper_supervise(struct wrapper *w)
{
  const struct wrapper_config *cfg = w->cfg;
  long long next_poll = clock_ms();
  long long next_cleanup = next_poll + cfg->dead_peer_interval;
  long long next_warn = w->launched + cfg->api_warn_after;

  for (;;) {
    struct pollfd pfd = {.fd = w->sigfd, .events = POLLIN};
    long long now = clock_ms();
    struct step s;

    long long wake =
      w->first_election_pending && w->next_first_election < next_poll
        ? w->next_first_election
        : next_poll;

    if (poll(&pfd, 1, (int)clock_left_ms(wake, cfg->isleader_interval)) > 0) {
      s = handle_signals(w);
      if (!step_goes_on(s))
        return s;
    }
    now = clock_ms();
    status_server_beat(w->status);
    if (now >= next_poll) {
      leadership_poll(w, now);
      next_poll = now + cfg->isleader_interval;
    }
    first_election_poll(w, now);
    if (w->bootstrap_stuck && !step_goes_on(s = first_election_restart(w)))
      return s;
    voter_check(w, now);
    members_publish(w, now);
    warn_if_api_down(w, now, &next_warn);
    if (w->leader && now >= next_cleanup) {
      leadership_cleanup(w, now);
      next_cleanup = clock_ms() + cfg->dead_peer_interval;
    }
  }
}

/* wrapper.h: the running state of dkron-server-wrapper and its steps.
 *
 *   config → wait for peer DNS → bootstrap decision → launch dkron →
 *   supervise (signals, reaping, leader label, dead peers) → shutdown
 *
 * Single-threaded: every blocking call (HTTP, DNS, the dkron CLI) is
 * bounded by a short timeout, and signals queue on a signalfd meanwhile.
 */
#ifndef WRAPPER_WRAPPER_H
#define WRAPPER_WRAPPER_H

#include <stdbool.h>
#include <sys/types.h>

#include "child.h"
#include "dead_peers.h"
#include "dkron.h"
#include "dns.h"
#include "events.h"
#include "k8s.h"
#include "leader_label.h"
#include "status_server.h"
#include "step.h"
#include "wrapper_config.h"
#include "wrapper_metrics.h"

#define WRAPPER_EVENT_CONTROLLER "dkron-k8s.io/server-wrapper"

struct wrapper {
  const struct wrapper_config *cfg;
  int sigfd;
  struct child child;             /* dkron */
  struct dkron_client *local;     /* our own dkron's HTTP API */
  struct k8s_client *kube;        /* NULL when the API is not configured */
  struct events *events;          /* NULL without the API */
  struct status_server *status;   /* NULL with --status-port=0 */
  struct wrapper_metrics metrics; /* served on the status port */
  char *rpc_addr;                 /* our pod IP:rpc port, for the raft CLI */
  char *peer_urls[WRAPPER_MAX_PEERS]; /* other peers' HTTP base URLs */
  size_t n_peer_urls;
  /* peers[i]'s address as the DNS wait found it ("" when not waited for) */
  char peer_ip[WRAPPER_MAX_PEERS][DNS_ADDR_LEN];
  struct label_state label;
  struct dead_peer_tracker dead;
  bool leader; /* the last isleader answer */
  bool ready;  /* the last readiness verdict (voter_check) */
  char ready_text[256];
  long long next_voter_check;
  long long next_members_publish;
  long long next_refute;       /* refuting for dkron (reclaim.h), not before */
  long long name_freed_at;     /* clock_ms() of the reclaim's pushes, or 0 */
  bool first_election_pending; /* launched with --bootstrap-expect */
  long long next_first_election;
  long bootstrap_expect;  /* as launched; 0 = none */
  bool bootstrap_stuck;   /* restart dkron (first_election.c) */
  int bootstrap_restarts; /* done so far */
  bool api_up;            /* dkron's HTTP API has answered at least once */
  long long launched;     /* clock_ms() at launch */
  /* While non-zero, Kubernetes API calls are abandoned at this clock_ms()
   * (the shutdown gives them a budget; see wrapper_api_should_stop). */
  long long api_deadline;
  /* Set once the graceful shutdown has begun: from then on a stop signal
   * (a second SIGTERM) no longer abandons a call; only the shutdown's own
   * budgets and timeouts end them (see wrapper_call_should_stop). */
  bool stopping;
  /* While non-zero, the dkron and Kubernetes calls are abandoned at this
   * clock_ms(), and a CLI run is bounded by it (the quorum guard bounds
   * its calls by what is left of --quorum-wait). */
  long long call_deadline;
};

/* Signals, global libraries, clients. Goes on, or fails with
 * STEP_START_FAILED after logging why. */
struct step wrapper_start(struct wrapper *w, const struct wrapper_config *cfg);
void wrapper_finish(struct wrapper *w);

/* Waits until every peer FQDN resolves and ours resolves to our pod IP.
 * Goes on when done; fails with STEP_START_FAILED when the deadline passed
 * (logged); stops cleanly when a stop signal arrived first. */
struct step wrapper_wait_for_peers(struct wrapper *w);

/* Before dkron runs: serves the status port's liveness and reads the
 * signals; true when a SIGTERM or SIGINT asks the wrapper to exit (logged;
 * other signals are dropped, there is no child to forward them to). */
bool wrapper_stop_requested(struct wrapper *w);

/* Asks the other peers for a leader and looks at the data dir; returns the
 * value for --bootstrap-expect (0 = omit) and logs the decision. */
long wrapper_decide_bootstrap(struct wrapper *w);

/* Starts dkron. Goes on, or fails with the exit code to use (127/126 when
 * dkron cannot be run). */
struct step wrapper_launch(struct wrapper *w, long bootstrap_expect);

/* Runs until dkron exits or a stop signal has been handled; ends with the
 * wrapper's exit code (dkron's). */
struct step wrapper_supervise(struct wrapper *w);

/* The SIGTERM path: label to follower, leave, stop dkron, and remove the
 * node from Raft when the pod is going away for good. Returns dkron's exit
 * code. */
int wrapper_shutdown(struct wrapper *w, int signo);

/* Readiness: asks dkron whether this server is a working voter and tells
 * the status server (voter_check.c); called from the supervise loop. */
void voter_check(struct wrapper *w, long long now);

/* The first election of a new cluster at once, and a first bootstrap that
 * dkron never starts (first_election.c); called from the supervise loop. */
void first_election_poll(struct wrapper *w, long long now);
/* Restarts dkron after first_election_poll found the bootstrap stuck
 * (w->bootstrap_stuck). Goes on supervising, or ends with the exit
 * code. */
struct step first_election_restart(struct wrapper *w);

/* Publishes the Serf members on the status port (members_publish.c);
 * called from the supervise loop. */
void members_publish(struct wrapper *w, long long now);

/* Leader duties, called from the supervise loop. */
void leadership_poll(struct wrapper *w, long long now);
void leadership_cleanup(struct wrapper *w, long long now);
/* Sets our label to `role` now (shutdown); true when it is set. */
bool leadership_set_label(struct wrapper *w, enum label_role role);

/* The interrupt of the wrapper's dkron clients (user is the wrapper): stop
 * when w->call_deadline is set and has passed, or a SIGTERM/SIGINT is
 * pending, unless the graceful shutdown has begun (w->stopping), which
 * more stop signals must not cut short. */
int wrapper_call_should_stop(void *user);

/* The interrupt of the wrapper's Kubernetes client (user is the wrapper):
 * wrapper_call_should_stop, or w->api_deadline is set and has passed. */
int wrapper_api_should_stop(void *user);

/* spec.replicas of our StatefulSet, or -1 when it cannot be read. */
long wrapper_replicas(struct wrapper *w);

#endif

/* launcher.h: dkron-agent-launcher's running state and main loop.
 *
 *   config → start the server watch (list + watch server pods) →
 *   loop { launch when live servers exist; every check interval ask a live
 *          server's /v1/members whether we are alive; drain and re-join
 *          when cut off; relaunch with backoff when dkron exits } →
 *   SIGTERM: forward to dkron, wait for it (it finishes its jobs), exit
 */
#ifndef AGENT_LAUNCHER_H
#define AGENT_LAUNCHER_H

#include <stdint.h>
#include <sys/types.h>

#include "child.h"
#include "events.h"
#include "launcher_config.h"
#include "launcher_metrics.h"
#include "member_check.h"
#include "rejoin.h"
#include "server_watch.h"
#include "status_server.h"
#include "step.h"

#define LAUNCHER_EVENT_CONTROLLER "dkron-k8s.io/agent-launcher"

struct launcher {
  const struct launcher_config *cfg;
  int sigfd;
  struct child child; /* dkron; child.exited: since the last step */
  struct server_watch *watch;
  struct status_server *status;
  struct launcher_metrics metrics; /* served on the status port */
  struct events *events;           /* NULL without the API */
  struct rejoin_state state;
  struct rejoin_params params;
  long long next_wait_log;
  char **joined; /* the --join addresses of the running dkron */
  uint64_t rng;  /* which live servers are asked; the check's jitter */
  struct member_check *check;
  long check_every;         /* the current check interval, ms */
  unsigned long generation; /* of the live set at the last step */
};

/* Signals, libraries, the watch thread and the status endpoint. Goes on,
 * or fails with STEP_START_FAILED after logging why. */
struct step launcher_start(struct launcher *l,
                           const struct launcher_config *cfg);
void launcher_finish(struct launcher *l);

/* Runs until a stop signal has been handled; ends with the exit code
 * (dkron's). */
struct step launcher_run(struct launcher *l);

#endif

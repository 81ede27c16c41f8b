/* dkron-webhook-receiver: counts webhook calls per token (receiver.h).
 *
 *   config → listen → write the port file → wait for SIGTERM/SIGINT → stop
 */
#include <signal.h>
#include <stdio.h>

#include "log.h"
#include "receiver.h"
#include "receiver_config.h"

/* Writes the port, atomically (a reader never sees a partial file). */
static int write_port_file(const char *path, long port)
{
  char tmp[4096];
  FILE *f;

  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  f = fopen(tmp, "w");
  if (!f || fprintf(f, "%ld\n", port) < 0 || fclose(f) != 0 ||
      rename(tmp, path) != 0) {
    LOG_ERRORF("cannot write --port-file %s", path);
    return -1;
  }
  return 0;
}

int main(int argc, char **argv)
{
  struct receiver_config cfg;
  struct receiver *r;
  struct dk_err err;
  sigset_t stop;
  struct step s = receiver_config_load(&cfg, argc, argv);
  int sig;

  if (!step_goes_on(s))
    return s.exit_code;
  log_setup_names("dkron-webhook-receiver", cfg.log_level, cfg.log_format);
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, NULL); /* before the server's thread */
  dk_err_clear(&err);
  r = receiver_start(&cfg.server, &err);
  if (!r) {
    LOG_ERRORF("%s", err.msg);
    return 1;
  }
  LOG_INFOF("listening on %s:%ld", cfg.server.bind ? cfg.server.bind : "*",
            receiver_port(r));
  if (cfg.port_file && write_port_file(cfg.port_file, receiver_port(r)) != 0) {
    receiver_stop(r);
    return 1;
  }
  sigwait(&stop, &sig);
  LOG_INFOF("received %s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  receiver_stop(r);
  return 0;
}

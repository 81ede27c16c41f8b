/* receiver_config.h: webhook-receiver's flags and environment. */
#ifndef RECEIVER_RECEIVER_CONFIG_H
#define RECEIVER_RECEIVER_CONFIG_H

#include "receiver.h"
#include "step.h"

struct receiver_config {
  struct receiver_opts server;
  const char *port_file; /* NULL: none */
  const char *log_level;
  const char *log_format;
};

/* Goes on, stops cleanly (help, version) or fails (a bad value). */
struct step receiver_config_load(struct receiver_config *cfg, int argc,
                                 char **argv);

#endif

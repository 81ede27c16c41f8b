/* receiver_config.h: webhook-receiver's flags and environment. */
#ifndef RECEIVER_RECEIVER_CONFIG_H
#define RECEIVER_RECEIVER_CONFIG_H

#include "receiver.h"

struct receiver_config {
  struct receiver_opts server;
  const char *port_file; /* NULL: none */
  const char *log_level;
  const char *log_format;
};

/* -1: go on; otherwise the exit code (help, version, a bad value). */
int receiver_config_load(struct receiver_config *cfg, int argc, char **argv);

#endif

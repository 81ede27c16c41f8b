/* receiver_config.c: see receiver_config.h. */
#include "receiver_config.h"

#include <string.h>

#include "config.h"

static struct {
  const char *bind, *port_file, *log_level, *log_format;
  long port, max_tokens, max_stamps, max_total, max_render_mb;
} g;

static const struct cfg_option options[] = {
  {"bind", "RECEIVER_BIND", CFG_STRING, NULL,
   "IPv4 address to listen on. Default: every address (IPv4 and IPv6).",
   &g.bind, 0, 0, NULL, NULL},
  {"port", "RECEIVER_PORT", CFG_INT, "8080",
   "Port to listen on; 0 picks a free one (see --port-file).", &g.port, 0,
   65535, NULL, NULL},
  {"port-file", "RECEIVER_PORT_FILE", CFG_STRING, NULL,
   "Write the port listened on to this file once listening (for tests).",
   &g.port_file, 0, 0, NULL, NULL},
  {"max-tokens", "RECEIVER_MAX_TOKENS", CFG_INT, "10000",
   "Tokens kept at most; a call with a new token past it gets 429.",
   &g.max_tokens, 1, 10000000, NULL, NULL},
  {"max-stamps", "RECEIVER_MAX_STAMPS", CFG_INT, "100000",
   "Calls kept per token at most; past it a call gets 413.", &g.max_stamps, 1,
   100000000, NULL, NULL},
  {"max-total", "RECEIVER_MAX_TOTAL", CFG_INT, "1000000",
   "Calls kept in all at most (about 40 bytes each); past it a call gets "
   "413.",
   &g.max_total, 1, 100000000, NULL, NULL},
  {"max-render-mb", "RECEIVER_MAX_RENDER_MB", CFG_INT, "256",
   "Largest GET /logs answer, in MiB.", &g.max_render_mb, 1, 4096, NULL, NULL},
  CFG_LOG_OPTIONS("RECEIVER_", &g.log_level, &g.log_format),
};

static const struct cfg_spec spec = {
  "dkron-webhook-receiver",
  "Counts webhook calls per token, for checking that scheduled jobs run: "
  "PUT /log/<token> stores the time of the call, GET /logs returns every "
  "token's times (RFC 3339, nanoseconds, local offset), DELETE /logs "
  "clears them. Also GET /healthz and GET /metrics.",
  NULL,
  options,
  sizeof(options) / sizeof(options[0]),
};

struct step receiver_config_load(struct receiver_config *cfg, int argc,
                                 char **argv)
{
  char err[512] = "";
  struct cfg_rest rest;
  enum cfg_result res;
  struct step s;

  memset(&g, 0, sizeof(g));
  memset(cfg, 0, sizeof(*cfg));
  res = cfg_parse(&spec, argc, argv, &rest, err, sizeof(err));
  s = cfg_handle(&spec, res, DKRON_K8S_VERSION, err);
  if (!step_goes_on(s))
    return s;
  cfg->server.bind = g.bind;
  cfg->server.port = g.port;
  cfg->server.limits.max_tokens = (size_t)g.max_tokens;
  cfg->server.limits.max_stamps = (size_t)g.max_stamps;
  cfg->server.limits.max_total = (size_t)g.max_total;
  cfg->server.max_render = (size_t)g.max_render_mb * 1024 * 1024;
  cfg->port_file = g.port_file;
  cfg->log_level = g.log_level;
  cfg->log_format = g.log_format;
  return step_go_on();
}

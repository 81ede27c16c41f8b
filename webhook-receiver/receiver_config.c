/* receiver_config.c: see receiver_config.h. */
#include "receiver_config.h"

#include <string.h>

#include "config.h"

static struct {
  const char *bind, *port_file, *log_level, *log_format;
  long port, max_tokens, max_stamps, max_total, max_render_mb;
} g;

static const struct cfg_option options[] = {
  {.name = "bind",
   .env = "RECEIVER_BIND",
   .type = CFG_STRING,
   .help = "IPv4 address to listen on. Default: every address (IPv4 and IPv6).",
   .target = &g.bind},
  {.name = "port",
   .env = "RECEIVER_PORT",
   .type = CFG_INT,
   .def = "8080",
   .help = "Port to listen on; 0 picks a free one (see --port-file).",
   .target = &g.port,
   .max = CFG_PORT_MAX},
  {.name = "port-file",
   .env = "RECEIVER_PORT_FILE",
   .type = CFG_STRING,
   .help =
     "Write the port listened on to this file once listening (for tests).",
   .target = &g.port_file},
  {.name = "max-tokens",
   .env = "RECEIVER_MAX_TOKENS",
   .type = CFG_INT,
   .def = "10000",
   .help = "Tokens kept at most; a call with a new token past it gets 429.",
   .target = &g.max_tokens,
   .min = 1,
   .max = 10000000},
  {.name = "max-stamps",
   .env = "RECEIVER_MAX_STAMPS",
   .type = CFG_INT,
   .def = "100000",
   .help = "Calls kept per token at most; past it a call gets 413.",
   .target = &g.max_stamps,
   .min = 1,
   .max = 100000000},
  {.name = "max-total",
   .env = "RECEIVER_MAX_TOTAL",
   .type = CFG_INT,
   .def = "1000000",
   .help =
     "Calls kept in all at most (about 40 bytes each); past it a call gets "
     "413.",
   .target = &g.max_total,
   .min = 1,
   .max = 100000000},
  {.name = "max-render-mb",
   .env = "RECEIVER_MAX_RENDER_MB",
   .type = CFG_INT,
   .def = "256",
   .help = "Largest GET /logs answer, in MiB.",
   .target = &g.max_render_mb,
   .min = 1,
   .max = 4096},
  CFG_LOG_OPTIONS("RECEIVER_", &g.log_level, &g.log_format),
};

static const struct cfg_spec spec = {
  .prog = "dkron-webhook-receiver",
  .summary =
    "Counts webhook calls per token, for checking that scheduled jobs run: "
    "PUT /log/<token> stores the time of the call, GET /logs returns every "
    "token's times (RFC 3339, nanoseconds, local offset), DELETE /logs "
    "clears them. Also GET /healthz and GET /metrics.",
  .opts = options,
  .n_opts = sizeof(options) / sizeof(options[0])};

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

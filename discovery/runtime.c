/* runtime.c: see runtime.h. */
#include "runtime.h"

#include <curl/curl.h>
#include <stdbool.h>

#include "dns.h"
#include "log.h"
#include "proc.h"

static bool curl_ready, dns_ready;

int runtime_start(void)
{
  struct dk_err err;
  int sigfd;

  dk_err_clear(&err);
  sigfd = proc_signals_init(&err);
  if (sigfd < 0) {
    LOG_ERRORF("cannot set up signal handling: %s", err.msg);
    return -1;
  }
  curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!curl_ready) {
    LOG_ERRORF("cannot initialise libcurl");
    return -1;
  }
  dns_ready = dns_global_init(&err) == DK_OK;
  if (!dns_ready) {
    LOG_ERRORF("cannot initialise c-ares: %s", err.msg);
    return -1;
  }
  return sigfd;
}

void runtime_finish(void)
{
  if (dns_ready)
    dns_global_cleanup();
  if (curl_ready)
    curl_global_cleanup();
  dns_ready = curl_ready = false;
  proc_signals_fini();
}

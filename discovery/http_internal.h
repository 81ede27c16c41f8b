/* http_internal.h: the HTTP client's state, shared by its files (http.c,
 * http_retry.c, http_setup.c, http_errors.c, http_stream.c); not part of
 * the discovery API. */
#ifndef DK_HTTP_INTERNAL_H
#define DK_HTTP_INTERNAL_H

#include <curl/curl.h>
#include <stddef.h>

#include "backoff.h"
#include "http.h"

struct http_client {
  CURL *easy;
  CURLM *multi; /* created on the first http_stream */
  long connect_timeout_ms;
  long timeout_ms;
  size_t max_body;
  char *ca_file;
  int max_attempts;
  long backoff_base_ms;
  long backoff_max_ms;
  http_stop_fn interrupt;
  void *interrupt_user;
  struct backoff retry; /* reset by each http_do */
  char errbuf[CURL_ERROR_SIZE];
};

#endif

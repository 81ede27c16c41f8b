/* http_stream.h: streaming GETs of the HTTP client (http_stream.c), for
 * long-lived responses such as a Kubernetes watch. */
#ifndef DK_HTTP_STREAM_H
#define DK_HTTP_STREAM_H

#include <stddef.h>

#include "err.h"
#include "http.h"

/* Streaming GET for long-lived responses (Kubernetes watch). on_data is
 * called with each chunk as it arrives; returning non-zero stops the
 * transfer (DK_ECANCELED). should_stop is polled about every 250 ms and
 * may be NULL. idle_timeout_ms ends a stream that delivers nothing for that
 * long (DK_ETIMEOUT; 0 = no idle limit). No retries: the caller re-establishes
 * the stream. If the status is not 2xx, the (capped) body is collected into
 * resp instead of being passed to on_data. */
typedef int (*http_data_fn)(const char *data, size_t len, void *user);
enum dk_code http_stream(struct http_client *client,
                         const struct http_request *req, long idle_timeout_ms,
                         http_data_fn on_data, http_stop_fn should_stop,
                         void *user, struct http_response *resp,
                         struct dk_err *err);

#endif

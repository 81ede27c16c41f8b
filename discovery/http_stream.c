/* http_stream.c: streaming GETs for long-lived responses (Kubernetes
 * watch), declared in http_stream.h.
 *
 * http_stream drives the client's easy handle through a multi handle
 * polled every STREAM_POLL_MS, so a stop request or an idle stream is
 * noticed within a fraction of a second even when no data flows.
 */
#include "http_stream.h"

#include <curl/curl.h>
#include <string.h>
#include <time.h>

#include "dynbuf.h"
#include "http_errors.h"
#include "http_internal.h"
#include "http_setup.h"

#define STREAM_POLL_MS 250

/* Why a stream ended early (set by the stream callbacks). */
enum stream_end {
  STREAM_RUNNING = 0,
  STREAM_STOPPED,
  STREAM_IDLE,
  STREAM_DATA_CANCELED
};

struct stream_ctx {
  CURL *easy;
  http_data_fn on_data;
  http_stop_fn should_stop;
  void *user;
  long idle_timeout_ms;
  struct timespec last_data;
  int status_checked;
  int pass_through; /* 2xx: hand chunks to on_data */
  enum stream_end end;
  struct dynbuf body; /* a non-2xx reply's body, capped at max_body */
};
/* Milliseconds since a CLOCK_MONOTONIC time stamp. */
static long elapsed_ms(const struct timespec *since)
{
  struct timespec now;

  clock_gettime(CLOCK_MONOTONIC, &now);
  return (long)(now.tv_sec - since->tv_sec) * 1000L +
         (now.tv_nsec - since->tv_nsec) / 1000000L;
}
/* ---- http_stream ---- */

/* Decides whether the stream must end now: the caller asked to stop, or
 * nothing arrived for idle_timeout_ms. */
static int stream_should_end(struct stream_ctx *s)
{
  if (s->end != STREAM_RUNNING)
    return 1;
  if (s->should_stop && s->should_stop(s->user))
    s->end = STREAM_STOPPED;
  else if (s->idle_timeout_ms > 0 &&
           elapsed_ms(&s->last_data) >= s->idle_timeout_ms)
    s->end = STREAM_IDLE;
  return s->end != STREAM_RUNNING;
}

/* curl progress callback: non-zero aborts the stream. */
static int stream_progress(void *user, curl_off_t dltotal, curl_off_t dlnow,
                           curl_off_t ultotal, curl_off_t ulnow)
{
  (void)dltotal;
  (void)dlnow;
  (void)ultotal;
  (void)ulnow;
  return stream_should_end(user);
}

/* Passes 2xx data to on_data; collects anything else as an error body. */
static size_t stream_write(char *data, size_t size, size_t n, void *user)
{
  struct stream_ctx *s = user;
  size_t len = size * n;

  clock_gettime(CLOCK_MONOTONIC, &s->last_data);
  if (!s->status_checked) {
    long status = 0;

    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
    s->pass_through = status >= 200 && status < 300;
    s->status_checked = 1;
  }
  if (!s->pass_through)
    return http_write_body(data, 1, len, &s->body);
  if (s->on_data(data, len, s->user) != 0) {
    s->end = STREAM_DATA_CANCELED;
    return 0;
  }
  return len;
}

/* Runs the transfer on the client's multi handle, polling at least every
 * STREAM_POLL_MS so should_stop and the idle timeout are checked even
 * when the server sends nothing. */
static CURLcode stream_run(struct http_client *c, struct stream_ctx *s)
{
  CURLcode result = CURLE_OK;
  CURLMcode mc;
  CURLMsg *msg;
  int running = 1;
  int left;

  if (!c->multi && !(c->multi = curl_multi_init()))
    return CURLE_OUT_OF_MEMORY;
  if (curl_multi_add_handle(c->multi, c->easy) != CURLM_OK)
    return CURLE_FAILED_INIT;
  while (running) {
    mc = curl_multi_perform(c->multi, &running);
    if (mc == CURLM_OK && running && !stream_should_end(s))
      mc = curl_multi_poll(c->multi, NULL, 0, STREAM_POLL_MS, NULL);
    if (mc != CURLM_OK) {
      result = CURLE_OUT_OF_MEMORY;
      break;
    }
    if (running && s->end != STREAM_RUNNING) {
      result = CURLE_ABORTED_BY_CALLBACK;
      break;
    }
  }
  while ((msg = curl_multi_info_read(c->multi, &left))) {
    if (msg->msg == CURLMSG_DONE && msg->easy_handle == c->easy)
      result = msg->data.result;
  }
  curl_multi_remove_handle(c->multi, c->easy);
  return result;
}

/* Turns the way a stream ended into a code and message. */
static enum dk_code stream_result(struct http_client *c, const char *url,
                                  CURLcode cc, struct stream_ctx *s,
                                  struct dk_err *err)
{
  char shown[HTTP_SAFE_URL_LEN];

  http_safe_url(url, shown, sizeof(shown));
  switch (s->end) {
    case STREAM_STOPPED:
      return dk_err_set(err, DK_ECANCELED, "GET %s: stream stopped", shown);
    case STREAM_DATA_CANCELED:
      return dk_err_set(err, DK_ECANCELED,
                        "GET %s: stream ended by the data handler", shown);
    case STREAM_IDLE:
      return dk_err_set(err, DK_ETIMEOUT,
                        "GET %s: no data for %ld ms (timeout; the stream is "
                        "idle, reconnect)",
                        shown, s->idle_timeout_ms);
    case STREAM_RUNNING:
      break;
  }
  if (cc == CURLE_OK)
    return DK_OK;
  return http_transfer_error(c, "GET", url, cc, &s->body, err);
}

enum dk_code http_stream(struct http_client *client,
                         const struct http_request *req, long idle_timeout_ms,
                         http_data_fn on_data, http_stop_fn should_stop,
                         void *user, struct http_response *resp,
                         struct dk_err *err)
{
  struct stream_ctx s = {0};
  struct curl_slist *headers = NULL;
  enum dk_code rc;
  CURLcode cc;

  memset(resp, 0, sizeof(*resp));
  if (err)
    err->http_status = 0;
  rc = http_check_request(req, err);
  if (rc == DK_OK && (!client || !on_data))
    rc = dk_err_set(err, DK_EINVAL, "http_stream needs a client and on_data");
  if (rc == DK_OK)
    rc = http_build_headers(req, &headers, err);
  if (rc != DK_OK)
    return rc;
  s.easy = client->easy;
  s.on_data = on_data;
  s.should_stop = should_stop;
  s.user = user;
  s.idle_timeout_ms = idle_timeout_ms;
  dynbuf_init(&s.body, client->max_body);
  clock_gettime(CLOCK_MONOTONIC, &s.last_data);
  http_set_common_options(client, req->url, 0L);
  http_set_method(client->easy, req);
  curl_easy_setopt(client->easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(client->easy, CURLOPT_WRITEFUNCTION, stream_write);
  curl_easy_setopt(client->easy, CURLOPT_WRITEDATA, &s);
  curl_easy_setopt(client->easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(client->easy, CURLOPT_XFERINFOFUNCTION, stream_progress);
  curl_easy_setopt(client->easy, CURLOPT_XFERINFODATA, &s);
  cc = stream_run(client, &s);
  curl_easy_setopt(client->easy, CURLOPT_HTTPHEADER, NULL);
  http_headers_free(headers);
  curl_easy_getinfo(client->easy, CURLINFO_RESPONSE_CODE, &resp->status);
  resp->attempts = 1;
  rc = stream_result(client, req->url, cc, &s, err);
  if (rc == DK_OK)
    http_body_take(&s.body, resp);
  dynbuf_free(&s.body);
  if (err && resp->status)
    err->http_status = resp->status;
  return rc;
}

/* fake_http.h: an in-process HTTP(S) server for unit tests (libmicrohttpd,
 * port 0, one thread per connection).
 *
 * Routes are matched on method and exact path (query string excluded).
 * Each route has a script of responses served in order; the last one
 * repeats. Unmatched requests get 404 with body "no route". Used to produce
 * real-shaped Kubernetes and dkron responses and the faults a real server
 * won't produce on demand (429, stalls, truncated bodies, garbage JSON).
 */
#ifndef FAKE_HTTP_H
#define FAKE_HTTP_H

#include <stddef.h>

struct fake_response {
  unsigned status;
  const char *body;         /* NULL = empty */
  const char *content_type; /* NULL = application/json */
  const char *headers;      /* extra "Name: value\n" lines, or NULL */
  unsigned delay_ms;        /* stall this long before the first byte */
  int truncate;             /* announce the full length, send half, close */
  /* Streamed (chunked) response: if chunks is set, body is ignored and
   * each chunk is sent after chunk_delay_ms; after the last chunk the
   * stream ends unless hold_open_ms keeps it open (silently) that long. */
  const char *const *chunks;
  size_t n_chunks;
  unsigned chunk_delay_ms;
  unsigned hold_open_ms;
};

struct fake_route {
  const char *method; /* "GET", ... */
  const char *path;   /* exact path, e.g. "/api/v1/namespaces/ns/pods" */
  const struct fake_response *script;
  size_t n_script;
};

/* What the server saw, for assertions. Strings are owned by the server. */
struct fake_request {
  char method[16];
  char path[512];
  char query[1024];         /* raw query string without '?', or "" */
  char authorization[1024]; /* Authorization header or "" */
  char content_type[128];
  char user_agent[128];
  char body[8192]; /* request body (truncated to fit), NUL-terminated */
};

struct fake_server;

/* Routes and scripts are copied, so they need not outlive the call.
 * Starts on 127.0.0.1 port 0. With tls_cert_pem/tls_key_pem (PEM text) it
 * serves HTTPS. Returns NULL on failure (and prints why to stderr). */
struct fake_server *fake_server_start(const struct fake_route *routes,
                                      size_t n_routes, const char *tls_cert_pem,
                                      const char *tls_key_pem);
void fake_server_stop(struct fake_server *fs);
unsigned short fake_server_port(const struct fake_server *fs);

/* "http://127.0.0.1:<port>" or "https://127.0.0.1:<port>" (owned by fs). */
const char *fake_server_url(const struct fake_server *fs);

/* Number of requests seen for method+path; a NULL method or path matches
 * any, so (NULL, NULL) counts every request, routed or not. */
unsigned fake_server_hits(struct fake_server *fs, const char *method,
                          const char *path);

/* Number of TCP connections accepted so far (to check keep-alive reuse). */
unsigned fake_server_connections(struct fake_server *fs);

/* Copies the n-th request seen (0-based, over all routes); 0 on success,
 * -1 if there were not that many. */
int fake_server_request(struct fake_server *fs, unsigned n,
                        struct fake_request *out);

/* Replaces the script of an existing route (matched by method+path) and
 * restarts it from its first response. Returns -1 if there is no route. */
int fake_server_set_script(struct fake_server *fs, const char *method,
                           const char *path, const struct fake_response *script,
                           size_t n);

#endif

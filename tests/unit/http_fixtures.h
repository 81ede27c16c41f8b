/* http_fixtures.h: what the HTTP client's suites share (http_fixtures.c):
 * a client, URLs and requests against the fake server, a monotonic clock
 * and a port nobody listens on. */
#ifndef HTTP_FIXTURES_H
#define HTTP_FIXTURES_H

#include <stddef.h>
#include <time.h>

#include "fake_http.h"
#include "http.h"

#define TOKEN "s3cr3t-t0ken-value"

/* The fake server's URL for path, in out. */
void url_for(const struct fake_server *fs, const char *path, char *out,
             size_t cap);

/* Milliseconds of CLOCK_MONOTONIC. */
static inline long now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* A client with options o (NULL: the defaults); never NULL. */
struct http_client *client_with(const struct http_client_opts *o);

/* Runs one request against the fake server's path. */
enum dk_code request(struct http_client *c, struct fake_server *fs,
                     const char *method, const char *path,
                     struct http_response *resp, struct dk_err *err);

/* A port on 127.0.0.1 that nobody listens on: bound, read, closed. */
unsigned short closed_port(void);

#endif

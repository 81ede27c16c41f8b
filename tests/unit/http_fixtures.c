/* http_fixtures.c: the fixtures of the HTTP client's suites (see
 * http_fixtures.h). */
#include "http_fixtures.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net_fixtures.h"
#include "tests.h"

void url_for(const struct fake_server *fs, const char *path, char *out,
             size_t cap)
{
  int n = snprintf(out, cap, "%s%s", fake_server_url(fs), path);

  ck_assert(n > 0 && (size_t)n < cap);
}

struct http_client *client_with(const struct http_client_opts *o)
{
  struct dk_err err = {0};
  struct http_client *c = http_client_new(o, &err);

  ck_assert_msg(c != NULL, "http_client_new: %s", err.msg);
  return c;
}

/* Runs one request against the fake server's path. */
enum dk_code request(struct http_client *c, struct fake_server *fs,
                     const char *method, const char *path,
                     struct http_response *resp, struct dk_err *err)
{
  struct http_request req = {.method = method, .bearer = TOKEN};
  char url[256];

  url_for(fs, path, url, sizeof(url));
  req.url = url;
  return http_do(c, &req, resp, err);
}

/* A port on 127.0.0.1 that nobody listens on: bound, read, closed. */
unsigned short closed_port(void)
{
  unsigned short port;

  close(loopback_socket(SOCK_STREAM, 0, &port));
  return port;
}

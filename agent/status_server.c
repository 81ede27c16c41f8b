/* status_server.c: see status_server.h. */
#include "status_server.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQUEST_MAX     2048
#define REQUEST_WAIT_MS 500

struct status_server {
  int fd;
  long port;
  bool ready;
  char reason[256];
};

struct status_server *status_server_start(long port, struct dk_err *err)
{
  struct sockaddr_in6 addr;
  socklen_t len = sizeof(addr);
  struct status_server *s = calloc(1, sizeof(*s));
  int one = 1;

  if (!s) {
    dk_err_set(err, DK_ENOMEM, "out of memory");
    return NULL;
  }
  snprintf(s->reason, sizeof(s->reason), "starting");
  memset(&addr, 0, sizeof(addr));
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_any;
  addr.sin6_port = htons((uint16_t)port);
  s->fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->fd < 0 ||
      setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
      bind(s->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
      listen(s->fd, 16) != 0 ||
      getsockname(s->fd, (struct sockaddr *)&addr, &len) != 0) {
    dk_err_set(err, DK_EIO,
               "cannot listen on status port %ld: %s; set --status-port to "
               "a free port, or 0 to turn the endpoint off",
               port, strerror(errno));
    status_server_stop(s);
    return NULL;
  }
  s->port = ntohs(addr.sin6_port);
  return s;
}

void status_server_stop(struct status_server *s)
{
  if (!s)
    return;
  if (s->fd >= 0)
    close(s->fd);
  free(s);
}

int status_server_fd(const struct status_server *s)
{
  return s->fd;
}

long status_server_port(const struct status_server *s)
{
  return s->port;
}

void status_server_set(struct status_server *s, bool ready, const char *reason)
{
  s->ready = ready;
  snprintf(s->reason, sizeof(s->reason), "%s", ready ? "" : reason);
}

/* Reads the request head (bounded in size and time); returns its length. */
static size_t read_request(int fd, char *buf, size_t cap)
{
  size_t len = 0;

  while (len < cap - 1 && !strstr(buf, "\r\n\r\n")) {
    struct pollfd pfd = {fd, POLLIN, 0};
    ssize_t n;

    if (poll(&pfd, 1, REQUEST_WAIT_MS) <= 0)
      break;
    n = recv(fd, buf + len, cap - 1 - len, 0);
    if (n <= 0)
      break;
    len += (size_t)n;
    buf[len] = '\0';
  }
  return len;
}

static void reply(int fd, int status, const char *text)
{
  char out[512];
  int n = snprintf(out, sizeof(out),
                   "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n"
                   "Content-Length: %zu\r\nConnection: close\r\n\r\n%s\n",
                   status,
                   status == 200   ? "OK"
                   : status == 503 ? "Service Unavailable"
                   : status == 404 ? "Not Found"
                                   : "Bad Request",
                   strlen(text) + 1, text);

  if (n > 0)
    (void)send(fd, out, (size_t)n < sizeof(out) ? (size_t)n : sizeof(out) - 1,
               MSG_NOSIGNAL);
}

void status_server_handle(struct status_server *s)
{
  char buf[REQUEST_MAX];
  int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);

  if (fd < 0)
    return;
  buf[0] = '\0';
  read_request(fd, buf, sizeof(buf));
  if (strncmp(buf, "GET /readyz", 11) == 0 &&
      (buf[11] == ' ' || buf[11] == '?'))
    reply(fd, s->ready ? 200 : 503, s->ready ? "alive member" : s->reason);
  else if (strncmp(buf, "GET /healthz", 12) == 0 &&
           (buf[12] == ' ' || buf[12] == '?'))
    reply(fd, 200, "ok");
  else if (strncmp(buf, "GET ", 4) == 0)
    reply(fd, 404, "not found: use /readyz or /healthz");
  else
    reply(fd, 400, "bad request");
  close(fd);
}

/* tcp.c: see tcp.h. */
#include "tcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"

#define READ_CHUNK 4096

int tcp_connect(const char *ip, long port, long long deadline, const char *what,
                struct dk_err *err)
{
  struct sockaddr_storage ss;
  socklen_t len;
  int fd, soerr = 0;
  socklen_t slen = sizeof(soerr);
  struct pollfd p;

  memset(&ss, 0, sizeof(ss));
  if (inet_pton(AF_INET, ip, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
    ((struct sockaddr_in *)&ss)->sin_family = AF_INET;
    ((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
    len = sizeof(struct sockaddr_in);
  } else if (inet_pton(AF_INET6, ip,
                       &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
    ((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
    ((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
    len = sizeof(struct sockaddr_in6);
  } else {
    dk_err_set(err, DK_EINVAL, "\"%s\" is not a numeric IP address", ip);
    return -1;
  }
  fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    dk_err_set(err, DK_EIO, "socket: %s", strerror(errno));
    return -1;
  }
  if (connect(fd, (struct sockaddr *)&ss, len) == 0)
    return fd;
  if (errno != EINPROGRESS)
    goto fail;
  p = (struct pollfd){.fd = fd, .events = POLLOUT};
  if (poll(&p, 1, (int)clock_left_ms(deadline, -1)) <= 0) {
    errno = ETIMEDOUT;
    goto fail;
  }
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &slen) != 0 || soerr) {
    errno = soerr ? soerr : errno;
    goto fail;
  }
  return fd;
fail:
  dk_err_set(err, errno == ETIMEDOUT ? DK_ETIMEOUT : DK_ECONNECT,
             "cannot connect to %s at %s:%ld: %s", what, ip, port,
             strerror(errno));
  close(fd);
  return -1;
}

enum dk_code tcp_send_all(int fd, const void *buf, size_t n, long long deadline,
                          struct dk_err *err)
{
  const unsigned char *p = buf;

  while (n > 0) {
    struct pollfd pf = {.fd = fd, .events = POLLOUT};
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

    if (w > 0) {
      p += w;
      n -= (size_t)w;
      continue;
    }
    if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
      return dk_err_set(err, DK_ECONNECT, "send: %s", strerror(errno));
    if (poll(&pf, 1, (int)clock_left_ms(deadline, -1)) <= 0)
      return dk_err_set(err, DK_ETIMEOUT, "send: timed out");
  }
  return DK_OK;
}

enum dk_code tcp_read_to_close(int fd, struct dynbuf *out, long long deadline,
                               struct dk_err *err)
{
  unsigned char chunk[READ_CHUNK];

  for (;;) {
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    ssize_t r = recv(fd, chunk, sizeof(chunk), 0);

    if (r == 0)
      return DK_OK;
    if (r > 0) {
      if (dynbuf_add(out, chunk, (size_t)r) != DK_OK)
        return dk_err_set(err, out->failed,
                          "the answer is over %zu bytes (or out of memory)",
                          out->max);
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
      return dk_err_set(err, DK_ECONNECT, "recv: %s", strerror(errno));
    if (poll(&pf, 1, (int)clock_left_ms(deadline, -1)) <= 0)
      return dk_err_set(err, DK_ETIMEOUT,
                        "no end of the answer before the deadline");
  }
}

/* raft_wire.c: see raft_wire.h. */
#include "raft_wire.h"

#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "tcp.h"

#define RPC_TIMEOUT_NOW     3
#define RAFT_PROTOCOL       3
#define MP_FIXMAP_1         0x81
#define MP_FIXSTR           0xa0
#define MP_STR8             0xd9
#define MP_STR16            0xda
#define MP_STR32            0xdb
#define RESPONSE_READ_LIMIT 512

size_t raft_timeout_now_request(unsigned char *buf, size_t cap)
{
  static const char key[] = "ProtocolVersion";
  size_t n = 0, klen = sizeof(key) - 1;

  if (cap < 3 + klen + 1)
    return 0;
  buf[n++] = RPC_TIMEOUT_NOW;
  buf[n++] = MP_FIXMAP_1;
  buf[n++] = (unsigned char)(MP_FIXSTR | klen);
  memcpy(buf + n, key, klen);
  n += klen;
  buf[n++] = RAFT_PROTOCOL; /* positive fixint */
  return n;
}

enum dk_code raft_parse_response(const unsigned char *buf, size_t len,
                                 int *done, struct dk_err *err)
{
  size_t head, slen;
  char text[200];

  *done = 0;
  if (len == 0)
    return DK_OK;
  if ((buf[0] & 0xe0) == MP_FIXSTR) {
    head = 1;
    slen = buf[0] & 0x1f;
  } else if (buf[0] == MP_STR8 || buf[0] == MP_STR16 || buf[0] == MP_STR32) {
    head = buf[0] == MP_STR8 ? 2 : buf[0] == MP_STR16 ? 3 : 5;
    if (len < head)
      return DK_OK;
    slen = 0;
    for (size_t i = 1; i < head; i++)
      slen = slen << 8 | buf[i];
  } else {
    return dk_err_set(err, DK_EPARSE,
                      "not a Raft answer (first byte 0x%02x): is TLS on "
                      "dkron's rpc port?",
                      buf[0]);
  }
  if (slen == 0) {
    *done = 1;
    return DK_OK;
  }
  if (len < head + slen && len < RESPONSE_READ_LIMIT)
    return DK_OK;
  *done = 1;
  if (slen > len - head)
    slen = len - head;
  if (slen >= sizeof(text))
    slen = sizeof(text) - 1;
  for (size_t i = 0; i < slen; i++)
    text[i] =
      buf[head + i] >= 0x20 && buf[head + i] < 0x7f ? (char)buf[head + i] : '?';
  text[slen] = '\0';
  return dk_err_set(err, DK_EEXEC, "Raft refused TimeoutNow: %s", text);
}

enum dk_code raft_timeout_now(const char *ip, long port, long timeout_ms,
                              struct dk_err *err)
{
  long long deadline = clock_ms() + timeout_ms;
  unsigned char req[32], resp[RESPONSE_READ_LIMIT];
  size_t n = raft_timeout_now_request(req, sizeof(req)), got = 0;
  enum dk_code rc;
  int fd = tcp_connect(ip, port, deadline, "Raft", err), done = 0;

  if (fd < 0)
    return err->code;
  if (tcp_send_all(fd, req, n, deadline, err) != DK_OK) {
    rc = dk_err_prefix(err, "cannot send to Raft at %s:%ld", ip, port);
    goto out;
  }
  for (;;) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    ssize_t r;

    rc = raft_parse_response(resp, got, &done, err);
    if (rc != DK_OK || done)
      break;
    if (got == sizeof(resp) ||
        poll(&p, 1, (int)clock_left_ms(deadline, -1)) <= 0) {
      rc = dk_err_set(err, DK_ETIMEOUT,
                      "no answer from Raft at %s:%ld within %ld ms", ip, port,
                      timeout_ms);
      break;
    }
    r = recv(fd, resp + got, sizeof(resp) - got, 0);
    if (r <= 0) {
      rc = dk_err_set(err, DK_ECONNECT,
                      "Raft at %s:%ld closed the connection without an "
                      "answer",
                      ip, port);
      break;
    }
    got += (size_t)r;
  }
out:
  close(fd);
  return rc;
}

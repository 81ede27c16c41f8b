/* tcp.h: short TCP exchanges with a numeric address, every step within
 * one deadline (for the wire protocols that have no HTTP: Raft's
 * transport, memberlist's state exchange).
 */
#ifndef DK_TCP_H
#define DK_TCP_H

#include <stddef.h>

#include "dynbuf.h"
#include "err.h"

/* A connected non-blocking socket to ip:port (numeric IPv4 or IPv6) by
 * deadline (a clock_ms value); -1 with err set (DK_EINVAL, DK_ECONNECT,
 * DK_ETIMEOUT). what names the service in the message ("Raft"). */
int tcp_connect(const char *ip, long port, long long deadline, const char *what,
                struct dk_err *err);

/* Sends all n bytes by deadline. */
enum dk_code tcp_send_all(int fd, const void *buf, size_t n, long long deadline,
                          struct dk_err *err);

/* Appends what the peer sends to out until it closes the connection:
 * DK_OK at the close, DK_ETIMEOUT at the deadline, DK_ETOOBIG past out's
 * cap, DK_ECONNECT on a reset. */
enum dk_code tcp_read_to_close(int fd, struct dynbuf *out, long long deadline,
                               struct dk_err *err);

#endif

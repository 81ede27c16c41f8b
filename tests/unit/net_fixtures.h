/* net_fixtures.h: sockets on 127.0.0.1 for the unit tests' fake peers
 * (net_fixtures.c). */
#ifndef NET_FIXTURES_H
#define NET_FIXTURES_H

/* A socket of the given type (SOCK_STREAM or SOCK_DGRAM) bound to
 * 127.0.0.1 at a port the kernel picks, listening with the given backlog
 * when it is above 0; *port gets the port. Fails the test when a call
 * fails. The caller owns the descriptor. */
int loopback_socket(int type, int backlog, unsigned short *port);

#endif

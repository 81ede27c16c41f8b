/* dns_fixtures.h: what the resolver's suites share (dns_fixtures.c): a
 * real dnsmasq on 127.0.0.1 per test, serving a hosts file the tests
 * rewrite, and small helpers. */
#ifndef DNS_FIXTURES_H
#define DNS_FIXTURES_H

#include <errno.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "dns.h"

/* Names every test can rely on; tests append their own lines. */
#define BASE_HOSTS              \
  "10.9.9.9 ready.svc.test\n"   \
  "10.1.0.1 peer-0.svc.test\n"  \
  "10.1.0.2 peer-1.svc.test\n"  \
  "10.1.0.3 peer-2.svc.test\n"  \
  "10.1.0.4 peer-3.svc.test\n"  \
  "fd00::1:4 peer-3.svc.test\n" \
  "10.1.0.8 solo.svc.test\n"    \
  "10.1.0.9 two.part.svc.test\n"
#define SELF_AT_5 "10.0.0.5 self.svc.test\n"

/* The dnsmasq of the current test. */
struct dnsmasq {
  char dir[300];
  pid_t pid;
  int port;
  char server[32]; /* "127.0.0.1:port" */
};
extern struct dnsmasq g_dm;

static inline int64_t now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void sleep_ms(long ms)
{
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

/* A UDP port nobody uses right now: bind port 0 and read what we got.
 * With keep_fd the socket stays bound (a server that never answers). */
int udp_port(int *keep_fd);

/* New hosts content, then SIGHUP so dnsmasq re-reads it and drops its
 * cache. */
int set_hosts(const char *content);

/* A resolver asking server ("ip:port") with the given timeout and tries. */
struct dns_resolver *new_resolver(const char *server, long timeout_ms,
                                  int tries);

/* Fixtures: the case's temp tree (unchecked, in the runner), c-ares'
 * global state, and a dnsmasq per test (checked). */
void case_setup(void);
void case_teardown(void);
void global_setup(void);
void dnsmasq_setup(void);
void dnsmasq_teardown(void);

#endif

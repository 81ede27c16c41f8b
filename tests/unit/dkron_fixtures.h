/* dkron_fixtures.h: what the dkron suites share (dkron_fixtures.c): the
 * bodies real dkron v4 servers return and a fake server to serve them. */
#ifndef DKRON_FIXTURES_H
#define DKRON_FIXTURES_H

#include <stddef.h>
#include <time.h>

#include "fake_http.h"

/* ---------------------------------------------------------------------- */
/* Real-shaped bodies (dkron v4 /v1/members, /v1/leader, /v1/busy).       */

#define TAGS_SERVER(ip, ver)                                                  \
  "{\"dc\":\"dc1\",\"expect\":\"3\",\"port\":\"6868\",\"region\":\"global\"," \
  "\"role\":\"dkron\",\"rpc_addr\":\"" ip ":6868\",\"server\":\"true\","      \
  "\"version\":\"" ver "\"}"

#define PROTO                                                                \
  "\"ProtocolMin\":1,\"ProtocolMax\":5,\"ProtocolCur\":2,\"DelegateMin\":2," \
  "\"DelegateMax\":5,\"DelegateCur\":4"

extern const char members_json[];
extern const char leader_json[];
extern const char busy_json[];

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */

static inline long now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* A fake server with one route answering `script` on method+path. */
struct fake_server *serve(const char *method, const char *path,
                          const struct fake_response *script, size_t n);

/* A base URL nothing listens on: a fake server's port after it stopped. */
void refused_url(char *buf, size_t len);

/* A scripted answer: status and body. */
struct fake_response reply(unsigned status, const char *body);

#endif

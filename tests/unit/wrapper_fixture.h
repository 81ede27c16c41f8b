/* wrapper_fixture.h: a server wrapper started the way main() starts it
 * (wrapper_start), wired to fakes, for the suites of the wrapper's loop
 * modules (leadership, shutdown, supervise):
 *   - one fake HTTP server answers as our own dkron, as the peers' dkron
 *     (the one peer URL is the same server) and as the Kubernetes API
 *     (the events route is added: 201);
 *   - a fake `dkron` program (sh) records the arguments of each run, then
 *     runs the test's body (the raft CLI's answers);
 *   - the configuration has short timeouts and no status port; the
 *     wrapper's metrics are kept, for the assertions.
 * Pod names are dkron-server-<ordinal> in namespace dkron; this pod's IP is
 * 10.244.0.1<ordinal> (rpc port 6868).
 */
#ifndef WRAPPER_FIXTURE_H
#define WRAPPER_FIXTURE_H

#include "fake_http.h"
#include "wrapper.h"

#define WF_NS          "dkron"
#define WF_STS         "dkron-server"
#define WF_PODS_PATH   "/api/v1/namespaces/" WF_NS "/pods/"
#define WF_STS_PATH    "/apis/apps/v1/namespaces/" WF_NS "/statefulsets/" WF_STS
#define WF_EVENTS_PATH "/apis/events.k8s.io/v1/namespaces/" WF_NS "/events"

/* A server as dkron's /v1/members and /v1/leader list it; status is its
 * Serf status, WF_ALIVE or WF_FAILED. */
#define WF_ALIVE  "1"
#define WF_FAILED "4"
#define WF_MEMBER(name, addr, status)                                     \
  "{\"Name\":\"" name "\",\"Addr\":\"" addr "\",\"Port\":8946,\"Tags\":{" \
  "\"role\":\"dkron\",\"server\":\"true\",\"rpc_addr\":\"" addr           \
  ":6868\"},\"Status\":" status "}"

/* spec.replicas of the StatefulSet, as the API answers it. */
#define WF_STATEFULSET(replicas) \
  "{\"kind\":\"StatefulSet\",\"spec\":{\"replicas\":" #replicas "}}"

/* A pod of the StatefulSet with the leader label set to value. */
#define WF_POD(name, value)                                            \
  "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"" name "\",\"labels\":{" \
  "\"dkron-leader\":\"" value "\"}},\"status\":{\"phase\":\"Running\"}}"

struct wrapper_fixture {
  struct wrapper w;
  struct wrapper_config cfg;
  struct fake_server *fs;
  char dir[32];
  char token[64], dkron[64], runs[64], ready[64], config[64];
  char pod[64], ip[32];
};

/* Serves routes (and the events route), writes the fake dkron with body
 * cli (e.g. "exit 0"), and starts the wrapper as pod
 * dkron-server-<ordinal>. Set f->cfg's timeouts after this, before the
 * call under test. */
void wf_start(struct wrapper_fixture *f, long ordinal,
              const struct fake_route *routes, size_t n, const char *cli);
/* Kills dkron if a test left it running, finishes the wrapper
 * (wrapper_finish), stops the server and removes the files. */
void wf_stop(struct wrapper_fixture *f);

/* Points the client of our own dkron at an address where nothing listens
 * (a stopped server's): dkron's API does not answer. */
void wf_silence_dkron(struct wrapper_fixture *f);

/* Starts dkron as `sh -c script` with $1 a file path: a script that sets
 * traps creates it once they are set (`: >"$1"`), and wf_wait_ready waits
 * for it. */
void wf_launch(struct wrapper_fixture *f, const char *script);
void wf_wait_ready(struct wrapper_fixture *f);

/* The fake dkron's runs, one line of arguments each ("" when none). */
void wf_cli_runs(const struct wrapper_fixture *f, char *buf, size_t len);

/* Requests on method+path: how many; the body of the nth (0-based; false
 * when there are not that many). */
unsigned wf_hits(struct wrapper_fixture *f, const char *method,
                 const char *path);
bool wf_body(struct wrapper_fixture *f, const char *method, const char *path,
             unsigned nth, char *buf, size_t len);
/* Whether an Event with this reason was posted (waits up to 5 s). */
bool wf_event_posted(struct wrapper_fixture *f, const char *reason);

/* A metric's value for one label value (NULL: a family without labels). */
double wf_metric(struct metric *m, const char *label);

#endif

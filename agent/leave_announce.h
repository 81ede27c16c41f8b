/* leave_announce.h: after dkron has exited for good, telling the servers'
 * gossip that this worker has left.
 *
 * Why: dkron's agent does not wait for its own leave. On SIGTERM it runs
 * its Stop (Serf's leave: a broadcast, then memberlist's) in a goroutine
 * and exits as soon as no job runs (cmd/agent.go handleSignals), which
 * is at once on a worker between runs: the leave rarely goes out. The
 * leader then keeps choosing the gone worker for executions (dkron's
 * getQualifyingNodes takes every member Serf holds alive) until
 * memberlist's probes declare it dead, 4-5 s later: the runs sent to it
 * in that time are lost.
 *
 * What: once dkron has exited (nothing can refute any more), the launcher
 * asks each live server's memberlist (gossip.h) for its entry of our name
 * and, where it is still alive or suspect, tells it that the entry has
 * left, as the leave dkron skipped would have. The server's Serf marks
 * the member failed (no Serf leave intent came), which takes it out of
 * the leader's choice at once; the server re-gossips it to the others.
 * A leave that did go out leaves nothing to do.
 */
#ifndef AGENT_LEAVE_ANNOUNCE_H
#define AGENT_LEAVE_ANNOUNCE_H

#include "launcher_config.h"
#include "server_watch.h"

/* Tells every server of snap, within a second or two in all; logs what
 * it did. Only once dkron has exited. */
void leave_announce(const struct launcher_config *cfg,
                    const struct live_snapshot *snap);

#endif

/* status_server.h: the launcher's tiny HTTP status endpoint, for the
 * Deployment's probes.
 *
 *   GET /readyz   200 "alive member" when this worker is an alive member,
 *                 503 with a one-line reason when not
 *   GET /healthz  200 while the launcher's loop runs
 *
 * No thread and no library: the listening socket sits in the launcher's
 * poll set, and each request is read (up to 2 KiB, within 500 ms),
 * answered and closed. Probes are all it serves.
 */
#ifndef AGENT_STATUS_SERVER_H
#define AGENT_STATUS_SERVER_H

#include <stdbool.h>

#include "err.h"

struct status_server;

/* Listens on all addresses at port (0 picks a free one, for tests). */
struct status_server *status_server_start(long port, struct dk_err *err);
void status_server_stop(struct status_server *s);
int status_server_fd(const struct status_server *s);
long status_server_port(const struct status_server *s);

/* What /readyz says from now on; reason is copied (ignored when ready). */
void status_server_set(struct status_server *s, bool ready, const char *reason);

/* Call when the listening fd is readable: answers one pending request. */
void status_server_handle(struct status_server *s);

#endif

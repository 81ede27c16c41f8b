/* members_publish.c: the Serf members, as this server's dkron lists them,
 * published on the status port (GET /members/<name>) every
 * MEMBERS_PUBLISH_MS. A worker's launcher asks there whether it is an alive
 * member: a constant-size answer, where dkron's /v1/members sends the whole
 * list (about 350 bytes per member) to every worker at every check. One
 * local read per interval, whatever the number of workers.
 */
#include <stdlib.h>

#include "dkron.h"
#include "log.h"
#include "wrapper.h"

#define MEMBERS_PUBLISH_MS 2000LL

void members_publish(struct wrapper *w, long long now)
{
  struct dkron_members members = {NULL, 0};
  struct status_member *view;
  struct dk_err err;

  if (!w->status || !w->api_up || now < w->next_members_publish)
    return;
  w->next_members_publish = now + MEMBERS_PUBLISH_MS;
  dk_err_clear(&err);
  if (dkron_members(w->local, &members, &err) != DK_OK) {
    LOG_DEBUGF("members not published: %s", err.msg);
    return;
  }
  view = calloc(members.n + 1, sizeof(*view));
  if (view) {
    for (size_t i = 0; i < members.n; i++)
      view[i] = (struct status_member){
        .name = members.items[i].name,
        .status = dkron_status_name(members.items[i].status)};
    status_server_set_members(w->status, view, members.n);
  }
  free(view);
  dkron_members_free(&members);
}

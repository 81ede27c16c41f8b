/* dkron_config.h: the config file the wrapper gives dkron (--config).
 *
 * It holds what dkron takes from no flag: ReconcileInterval, how often
 * the leader reconciles the Serf members into the Raft configuration.
 * dkron v4.0.9 never creates the channel that should carry each member
 * event to its leader (Agent.reconcileCh stays nil, so every send is
 * dropped), so joins, leaves and new addresses reach Raft only on that
 * periodic run, every 60 s by default: a restarted server waited up to a
 * minute for its Raft seat. A short interval makes it seconds.
 *
 * The file is JSON (viper reads it; dkron's key is the field name), written
 * to a temporary name and renamed, at every start.
 */
#ifndef WRAPPER_DKRON_CONFIG_H
#define WRAPPER_DKRON_CONFIG_H

#include "err.h"

/* The file's name in the data dir. */
#define DKRON_CONFIG_NAME "dkron-k8s.json"

/* Writes the file, making its directory first if missing. Returns DK_OK,
 * or DK_EIO with the path and reason. */
enum dk_code dkron_config_write(const char *path, long reconcile_interval_ms,
                                struct dk_err *err);

/* Logs a warning for each file dkron would read from its default search
 * path (/etc/dkron, $HOME/.dkron, ./config) without --config: with it,
 * dkron reads only the wrapper's file. */
void dkron_config_warn_hidden(void);

#endif

/* podinfo.h: facts about the pod we run in, for configuration defaults. */
#ifndef DK_PODINFO_H
#define DK_PODINFO_H

#include <stddef.h>

/* The host name (a pod's host name is its name). 0 on success. */
int pod_default_name(char *buf, size_t len);

/* The service account's namespace file (K8S_SA_DIR/namespace), read as
 * the client's configuration reads it (k8s_read_file_trimmed: trailing
 * whitespace cut). 0 on success; -1 when it is missing, empty or longer
 * than len - 1. */
int pod_default_namespace(char *buf, size_t len);

/* True when text is a numeric IPv4 or IPv6 address. */
int pod_is_ip(const char *text);

/* The checks both entrypoints make of POD_NAME and POD_IP. Each returns 0,
 * or -1 with a message naming the variable and the downward-API fix. */
/* Leaves *name alone when set, else points it at the host name (kept in a
 * static buffer). */
int pod_fill_name(const char **name, char *err, size_t len);
int pod_check_ip(const char *ip, char *err, size_t len);

#endif

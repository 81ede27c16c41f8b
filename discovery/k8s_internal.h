/* k8s_internal.h: helpers shared by k8s.c and k8s_config.c; not part of
 * the discovery API. */
#ifndef DK_K8S_INTERNAL_H
#define DK_K8S_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#define K8S_NAMESPACE_MAX   63  /* a DNS label */
#define K8S_OBJECT_NAME_MAX 253 /* a DNS subdomain */

/* Reads the whole of fd into buf (cap + 1 bytes), NUL-terminated, with
 * trailing white space cut off; -1 with errno set on failure, EFBIG when
 * the content is over cap bytes. */
int k8s_read_file_trimmed(int fd, char *buf, size_t cap, size_t *len);

/* RFC 1123 label (namespaces) and subdomain (object names). */
bool k8s_valid_dns_label(const char *s);
bool k8s_valid_object_name(const char *s);

#endif

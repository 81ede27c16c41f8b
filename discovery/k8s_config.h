/* k8s_config.h: where the Kubernetes API client's settings come from.
 *
 * In a pod: KUBERNETES_SERVICE_HOST/PORT and the service account's token,
 * CA and namespace files; each replaceable by an override (out-of-cluster
 * use, tests). Also the file and name checks the client's files share.
 */
#ifndef DK_K8S_CONFIG_H
#define DK_K8S_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "http.h"

#define K8S_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

/* Everything owned (free with k8s_config_free). */
struct k8s_config {
  char *api_url;    /* "https://10.96.0.1:443", no trailing slash */
  char *token_file; /* service-account token, re-read when it changes */
  char *ca_file;    /* CA bundle for the API server; NULL = system store */
  char *namespace;  /* the namespace every request works in */
  /* "system:serviceaccount:<ns>:<name>", only for error messages; NULL =
   * taken from the token's "sub" claim. */
  char *service_account;
  struct http_client_opts http; /* http.ca_file is ignored: ca_file wins */
};

/* Explicit values for out-of-cluster use and tests; NULL = the in-cluster
 * default. */
struct k8s_overrides {
  const char *api_url;
  const char *token_file;
  const char *ca_file;
  const char *namespace;
  const char *service_account;
  const char *sa_dir; /* token, ca.crt and namespace; NULL = K8S_SA_DIR */
};

/* In-cluster configuration: KUBERNETES_SERVICE_HOST/PORT (an IPv6 host is
 * bracketed) and the files under the service-account directory, each
 * replaceable by an override. cfg is zeroed first; free it on success and
 * failure alike. */
enum dk_code k8s_config_in_cluster(const struct k8s_overrides *ov,
                                   struct k8s_config *cfg, struct dk_err *err);
void k8s_config_free(struct k8s_config *cfg);

/* ---- shared with the client's files ------------------------------------ */

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

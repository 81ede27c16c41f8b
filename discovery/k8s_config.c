/* k8s_config.c: see k8s_config.h. */
#include "k8s_config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- small file helpers ------------------------------------------------ */

static char *path_join(const char *dir, const char *file)
{
  size_t n = strlen(dir);
  char *out = NULL;

  if (asprintf(&out, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", file) <
      0)
    return NULL;
  return out;
}

static bool is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Reads the whole of fd into buf (cap + 1 bytes), NUL-terminated, with
 * trailing whitespace cut off. -1 with errno set on failure, EFBIG when the
 * content is over cap bytes. */
int k8s_read_file_trimmed(int fd, char *buf, size_t cap, size_t *len)
{
  size_t total = 0;

  while (total <= cap) {
    ssize_t n = read(fd, buf + total, cap + 1 - total);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    if (n == 0)
      break;
    total += (size_t)n;
  }
  if (total > cap) {
    errno = EFBIG;
    return -1;
  }
  while (total > 0 && is_space(buf[total - 1]))
    total--;
  buf[total] = '\0';
  *len = total;
  return 0;
}

/* A DNS label: the shape of a namespace name. */
bool k8s_valid_dns_label(const char *s)
{
  size_t n = strlen(s);

  if (n == 0 || n > K8S_NAMESPACE_MAX || s[0] == '-' || s[n - 1] == '-')
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
          s[i] == '-'))
      return false;
  return true;
}

/* A DNS subdomain: the shape of pod and StatefulSet names. Checking it
 * keeps names from smuggling "/" or "?" into request paths. */
bool k8s_valid_object_name(const char *s)
{
  size_t n = s ? strlen(s) : 0;

  if (n == 0 || n > K8S_OBJECT_NAME_MAX || s[0] == '-' || s[0] == '.')
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
          s[i] == '-' || s[i] == '.'))
      return false;
  return true;
}

/* ---- in-cluster configuration ----------------------------------------- */

/* https://HOST:PORT from the variables kubelet sets in every pod. */
static enum dk_code api_url_from_env(char **out, struct dk_err *err)
{
  const char *host = getenv("KUBERNETES_SERVICE_HOST");
  const char *port = getenv("KUBERNETES_SERVICE_PORT");
  char *end = NULL;
  long port_num;
  bool ipv6;

  if (!host || !*host)
    return dk_err_set(
      err, DK_EINVAL,
      "KUBERNETES_SERVICE_HOST is not set: not running in a "
      "pod? set --kube-api-url (and --kube-token-file, POD_NAMESPACE) to "
      "reach the API server from outside a cluster");
  if (!port || !*port)
    return dk_err_set(err, DK_EINVAL,
                      "KUBERNETES_SERVICE_PORT is not set (host is %.100s): "
                      "set --kube-api-url to give the full API server URL",
                      host);
  errno = 0;
  port_num = strtol(port, &end, 10);
  /* digits only: strtol also takes leading white space and a sign */
  if (!isdigit((unsigned char)port[0]) || errno || *end || port_num < 1 ||
      port_num > 65535)
    return dk_err_set(err, DK_EINVAL,
                      "KUBERNETES_SERVICE_PORT=\"%.20s\" is not a port number "
                      "(1-65535): set --kube-api-url instead",
                      port);
  ipv6 = strchr(host, ':') != NULL && host[0] != '[';
  if (asprintf(out, ipv6 ? "https://[%s]:%s" : "https://%s:%s", host, port) <
      0) {
    *out = NULL;
    return dk_err_set(err, DK_ENOMEM, "out of memory");
  }
  return DK_OK;
}

/* True when the authority that starts at s (up to '/', '?' or '#') names
 * this machine: 127.0.0.0/8, ::1 (or ::ffff:127.x.y.z) or localhost. Any
 * userinfo ("user@") is skipped: the host is what follows the last '@'. */
static bool authority_is_loopback(const char *s)
{
  size_t n = strcspn(s, "/?#");
  const char *at = memchr(s, '@', n);
  char host[256];
  struct in6_addr a6;
  struct in_addr a4;
  size_t len;

  while (at) {
    n -= (size_t)(at + 1 - s);
    s = at + 1;
    at = memchr(s, '@', n);
  }
  if (n > 0 && s[0] == '[') {
    const char *close = memchr(s, ']', n);
    len = close ? (size_t)(close - s - 1) : sizeof(host);
    if (len >= sizeof(host))
      return false;
    memcpy(host, s + 1, len);
    host[len] = '\0';
    if (inet_pton(AF_INET6, host, &a6) != 1)
      return false;
    return IN6_IS_ADDR_LOOPBACK(&a6) ||
           (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
  }
  len = strcspn(s, ":/?#");
  if (len > n || len >= sizeof(host))
    return false;
  memcpy(host, s, len);
  host[len] = '\0';
  if (strcasecmp(host, "localhost") == 0)
    return true;
  return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

/* Copies an --kube-api-url override, checking the scheme and dropping a
 * trailing slash so paths can be appended. http:// is for a local proxy
 * only: anywhere else the bearer token would travel in clear text. */
static enum dk_code api_url_from_override(const char *url, char **out,
                                          struct dk_err *err)
{
  size_t n = strlen(url);

  if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
    return dk_err_set(err, DK_EINVAL,
                      "API server URL \"%.200s\" (--kube-api-url, env "
                      "KUBE_API_URL) must start with https:// (or http:// "
                      "for a local proxy)",
                      url);
  if (strncmp(url, "http://", 7) == 0 && !authority_is_loopback(url + 7))
    return dk_err_set(err, DK_EINVAL,
                      "API server URL \"%.200s\" (--kube-api-url, env "
                      "KUBE_API_URL) is plain http:// to a host that is not "
                      "this machine: the service-account token would cross "
                      "the network in clear text; use https:// (http:// is "
                      "only for a local proxy on 127.0.0.1, ::1 or "
                      "localhost)",
                      url);
  while (n > 0 && url[n - 1] == '/')
    n--;
  *out = strndup(url, n);
  return *out ? DK_OK : dk_err_set(err, DK_ENOMEM, "out of memory");
}

/* The override, or dir/file; checks the file can be read. */
static enum dk_code pick_file(const char *override, const char *dir,
                              const char *file, const char *what,
                              const char *flag, char **out, struct dk_err *err)
{
  *out = override ? strdup(override) : path_join(dir, file);
  if (!*out)
    return dk_err_set(err, DK_ENOMEM, "out of memory");
  if (access(*out, R_OK) != 0)
    return dk_err_set(err, DK_EINVAL,
                      "%s %s: %s; is the service-account token mounted "
                      "(automountServiceAccountToken)? or set %s",
                      what, *out, strerror(errno), flag);
  return DK_OK;
}

/* The namespace from the override or the service-account directory. */
static enum dk_code pick_namespace(const char *override, const char *dir,
                                   char **out, struct dk_err *err)
{
  char buf[K8S_NAMESPACE_MAX + 2];
  char *path = NULL;
  size_t len = 0;
  int fd = -1;
  enum dk_code rc = DK_OK;

  if (override) {
    snprintf(buf, sizeof(buf), "%s", override);
  } else {
    path = path_join(dir, "namespace");
    fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    if (!path || fd < 0 ||
        k8s_read_file_trimmed(fd, buf, sizeof(buf) - 1, &len)) {
      rc = dk_err_set(err, DK_EINVAL,
                      "read namespace file %s: %s; set POD_NAMESPACE",
                      path ? path : dir, strerror(errno));
      goto out;
    }
  }
  if (!k8s_valid_dns_label(buf) ||
      (override && strlen(override) >= sizeof(buf))) {
    rc = dk_err_set(err, DK_EINVAL,
                    "namespace \"%.80s\" is not a valid namespace name (a DNS "
                    "label: lower-case letters, digits and '-')",
                    buf);
    goto out;
  }
  *out = strdup(buf);
  if (!*out)
    rc = dk_err_set(err, DK_ENOMEM, "out of memory");
out:
  if (fd >= 0)
    close(fd);
  free(path);
  return rc;
}

enum dk_code k8s_config_in_cluster(const struct k8s_overrides *ov,
                                   struct k8s_config *cfg, struct dk_err *err)
{
  static const struct k8s_overrides none = {0};
  const char *dir;
  enum dk_code rc;

  memset(cfg, 0, sizeof(*cfg));
  ov = ov ? ov : &none;
  dir = ov->sa_dir ? ov->sa_dir : K8S_SA_DIR;
  rc = ov->api_url ? api_url_from_override(ov->api_url, &cfg->api_url, err)
                   : api_url_from_env(&cfg->api_url, err);
  if (rc == DK_OK)
    rc = pick_file(ov->token_file, dir, "token", "service-account token file",
                   "--kube-token-file", &cfg->token_file, err);
  /* Out of cluster without --kube-ca-file, the system CA store applies. */
  if (rc == DK_OK && (ov->ca_file || !ov->api_url))
    rc = pick_file(ov->ca_file, dir, "ca.crt", "API server CA file",
                   "--kube-ca-file", &cfg->ca_file, err);
  if (rc == DK_OK)
    rc = pick_namespace(ov->namespace, dir, &cfg->namespace, err);
  if (rc == DK_OK && ov->service_account) {
    cfg->service_account = strdup(ov->service_account);
    if (!cfg->service_account)
      rc = dk_err_set(err, DK_ENOMEM, "out of memory");
  }
  if (rc != DK_OK)
    dk_err_prefix(err, "Kubernetes API configuration");
  return rc;
}

void k8s_config_free(struct k8s_config *cfg)
{
  if (!cfg)
    return;
  free(cfg->api_url);
  free(cfg->token_file);
  free(cfg->ca_file);
  free(cfg->namespace);
  free(cfg->service_account);
  memset(cfg, 0, sizeof(*cfg));
}

/* podinfo.c: see podinfo.h. */
#include "podinfo.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "k8s_config.h"

int pod_default_name(char *buf, size_t len)
{
  if (gethostname(buf, len) != 0)
    return -1;
  buf[len - 1] = '\0';
  return buf[0] ? 0 : -1;
}

int pod_default_namespace(char *buf, size_t len)
{
  int fd = open(K8S_SA_DIR "/namespace", O_RDONLY | O_CLOEXEC);
  size_t n = 0;
  int rc;

  if (fd < 0)
    return -1;
  rc = k8s_read_file_trimmed(fd, buf, len - 1, &n);
  close(fd);
  return rc == 0 && n > 0 ? 0 : -1;
}

int pod_is_ip(const char *text)
{
  unsigned char addr[16];

  return text && (inet_pton(AF_INET, text, addr) == 1 ||
                  inet_pton(AF_INET6, text, addr) == 1);
}

int pod_fill_name(const char **name, char *err, size_t len)
{
  static char hostname[256];

  if (*name)
    return 0;
  if (pod_default_name(hostname, sizeof(hostname)) != 0) {
    snprintf(err, len,
             "POD_NAME is not set and the host name is unknown; "
             "set POD_NAME from the downward API metadata.name");
    return -1;
  }
  *name = hostname;
  return 0;
}

int pod_check_ip(const char *ip, char *err, size_t len)
{
  if (pod_is_ip(ip))
    return 0;
  snprintf(err, len, "POD_IP %s%s%s: set it from the downward API status.podIP",
           ip ? "\"" : "is not set", ip ? ip : "",
           ip ? "\" is not an IP address" : "");
  return -1;
}

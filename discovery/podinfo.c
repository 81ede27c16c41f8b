/* podinfo.c: see podinfo.h. */
#include "podinfo.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "k8s.h"

int pod_default_name(char *buf, size_t len)
{
  if (gethostname(buf, len) != 0)
    return -1;
  buf[len - 1] = '\0';
  return buf[0] ? 0 : -1;
}

int pod_default_namespace(char *buf, size_t len)
{
  FILE *f = fopen(K8S_SA_DIR "/namespace", "r");
  size_t n;

  if (!f)
    return -1;
  n = fread(buf, 1, len - 1, f);
  fclose(f);
  buf[n] = '\0';
  buf[strcspn(buf, "\r\n")] = '\0';
  return buf[0] ? 0 : -1;
}

int pod_is_ip(const char *text)
{
  unsigned char addr[16];

  return text && (inet_pton(AF_INET, text, addr) == 1 ||
                  inet_pton(AF_INET6, text, addr) == 1);
}
